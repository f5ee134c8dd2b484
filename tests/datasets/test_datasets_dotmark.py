"""DOTmark-style synthetic images: shapes, values, determinism, and what tells classes apart."""

import numpy as np
import pytest

import otdiv
from otdiv.datasets import DOTMARK_CLASSES, dotmark


def _roughness(image):
    """Mean squared difference of neighbouring pixels over twice the variance (1 for white
    noise, 1 - exp(-1/l) for an exponential covariance of length l pixels)."""
    variance = image.var()
    return (np.mean(np.diff(image, axis=0) ** 2) + np.mean(np.diff(image, axis=1) ** 2)) / (
        4 * variance)


@pytest.mark.parametrize("kind", DOTMARK_CLASSES)
@pytest.mark.parametrize("resolution", [32, 64])
def test_images_have_the_shape_asked_for_and_non_negative_finite_values(kind, resolution):
    images = dotmark(kind, resolution, n=3, rng=1)
    assert images.shape == (3, resolution, resolution) and images.dtype == np.float64
    assert np.all(np.isfinite(images)) and np.all(images >= 0)
    assert np.all(images.sum(axis=(1, 2)) > 0)
    for image in images:  # each one a valid Grid
        otdiv.Grid(image)


@pytest.mark.parametrize("kind", DOTMARK_CLASSES)
def test_same_seed_same_images_and_a_prefix_does_not_depend_on_n(kind):
    assert np.array_equal(dotmark(kind, 32, n=4, rng=7), dotmark(kind, 32, n=4, rng=7))
    assert np.array_equal(dotmark(kind, 32, n=2, rng=7), dotmark(kind, 32, n=4, rng=7)[:2])
    assert not np.array_equal(dotmark(kind, 32, n=2, rng=7), dotmark(kind, 32, n=2, rng=8))
    images = dotmark(kind, 32, n=2, rng=7)
    assert not np.array_equal(images[0], images[1])


def test_a_generator_is_accepted_and_advances():
    generator = np.random.default_rng(3)
    first, second = dotmark("WhiteNoise", 8, n=1, rng=generator), dotmark(
        "WhiteNoise", 8, n=1, rng=generator)
    assert not np.array_equal(first, second)


def test_classes_drawn_from_one_seed_differ():
    images = {kind: dotmark(kind, 32, n=1, rng=0)[0] for kind in DOTMARK_CLASSES}
    for first in DOTMARK_CLASSES:
        for second in DOTMARK_CLASSES:
            if first != second:
                assert not np.array_equal(images[first], images[second])


@pytest.mark.parametrize("resolution", [32, 64, 128])
def test_smoothness_orders_the_random_field_classes(resolution):
    roughness = {kind: np.median([_roughness(image) for image in dotmark(kind, resolution, n=5)])
                 for kind in ("WhiteNoise", "GRFrough", "GRFmoderate", "GRFsmooth")}
    assert (roughness["GRFsmooth"] < roughness["GRFmoderate"] < roughness["GRFrough"]
            < roughness["WhiteNoise"])
    assert roughness["WhiteNoise"] == pytest.approx(1.0, abs=0.1)


def test_random_fields_match_their_exponential_covariance():
    # lag-1 correlation exp(-1/l), l = 0.08 * 128 pixels, averaged over images
    images = dotmark("GRFmoderate", 128, n=10, rng=2)
    correlations = []
    for image in images:
        centred = image - image.mean()
        correlations.append(np.mean(centred[:, 1:] * centred[:, :-1]) / centred.var())
    assert np.mean(correlations) == pytest.approx(np.exp(-1 / (0.08 * 128)), abs=0.03)


def test_grf_images_touch_zero_and_transforms_stay_in_their_ranges():
    for kind in ("GRFrough", "GRFmoderate", "GRFsmooth"):
        images = dotmark(kind, 32, n=3)
        assert np.all(images.min(axis=(1, 2)) == 0.0)
    assert np.all(dotmark("LogGRF", 32, n=3) > 0)
    logit = dotmark("LogitGRF", 32, n=3)
    assert np.all((logit > 0) & (logit < 1))
    assert np.all(dotmark("CauchyDensity", 32, n=3) > 0)


@pytest.mark.parametrize("resolution", [32, 128])
def test_shapes_are_0_1_masks_with_empty_background(resolution):
    images = dotmark("Shapes", resolution, n=10)
    assert set(np.unique(images)) == {0.0, 1.0}
    covered = images.mean(axis=(1, 2))
    assert np.all((covered > 0.005) & (covered < 0.5))
    # the border rows are background
    assert np.all(images[:, 0, :] == 0) and np.all(images[:, -1, :] == 0)


def test_images_are_usable_as_a_grid_pair():
    images = dotmark("CauchyDensity", 16, n=2)
    assert otdiv.wasserstein(otdiv.Grid(images[0]), otdiv.Grid(images[1]), p=2) > 0


@pytest.mark.parametrize("arguments, error, match", [
    (("Gaussian", 32), ValueError, "kind must be one of"),
    (("ClassicImages", 32), ValueError, "kind must be one of"),
    ((3, 32), TypeError, "kind must be a string"),
    (("Shapes", 2), ValueError, "resolution must be >= 4"),
    (("Shapes", 32.0), TypeError, "resolution must be an integer"),
    (("Shapes", 32, 0), ValueError, "n must be >= 1"),
])
def test_bad_arguments_are_refused_naming_them(arguments, error, match):
    with pytest.raises(error, match=match):
        dotmark(*arguments)


def test_bad_rng_is_refused():
    with pytest.raises(TypeError, match="rng must be"):
        dotmark("Shapes", 8, rng="seed")
