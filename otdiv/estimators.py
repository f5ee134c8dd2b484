r"""Energy distance in any dimension and sliced distances between weighted samples.

Every function takes scipy's positional quadruple ``(u_values, v_values, u_weights=None,
v_weights=None)``; values have shape ``(n,)`` (points on the line) or ``(n, d)``; weights are
normalised to sum 1. Exact pairwise sums run in Numba kernels (``otdiv._kernels.energy``);
one-dimensional pieces use the closed forms of ``otdiv.exact.onedim``.
"""

from __future__ import annotations

import math

from ._energy import energy_from_ell2, exact_energy_squared, pair_count
from ._sample_results import Estimate
from ._sliced import (
    check_projections,
    random_directions,
    sliced_energy_core,
    sliced_energy_values,
    sliced_wasserstein_core,
    sphere_constant,
)
from ._validation import (
    RngLike,
    SamplePair,
    as_rng,
    check_bool,
    check_option,
    check_real,
    takes_sample_pair,
)
from .exact.onedim import cramer_of_sorted, sorted_pair

__all__ = ["energy_distance", "sliced_energy_distance", "sliced_wasserstein",
           "exact_energy_squared", "random_directions", "sliced_wasserstein_core",
           "sphere_constant"]

# method="auto" uses the exact double sum up to this many point pairs (about 1.5 s on two
# cores) and the sliced estimate beyond.
EXACT_PAIR_LIMIT = 10**9
DEFAULT_PROJECTIONS = 200
# (the cores live in otdiv._energy and otdiv._sliced; exact_energy_squared, random_directions,
# sliced_wasserstein_core and sphere_constant stay importable from here for otdiv.gan and the
# tests)


_CHECK_SQUARED = {"squared": check_bool}
_CHECK_RNG = {"rng": as_rng}


@takes_sample_pair(checks={**_CHECK_SQUARED, **_CHECK_RNG})
def sliced_energy_distance(pair: SamplePair, *, squared: bool = False,
                           n_projections: int = DEFAULT_PROJECTIONS, rng: RngLike = None
                           ) -> Estimate:
    r"""Monte-Carlo energy distance from random 1-D projections, with its standard error.

    For :math:`\theta` uniform on the unit sphere, :math:`E\|z\| = c_d\,E_\theta|\theta^\top z|`
    with :math:`c_d = \sqrt\pi\,\Gamma(\frac{d+1}2)/\Gamma(\frac d2)`. Applied to the three
    expectations of the energy distance,

    .. math::

        D^2(\mu, \nu) = c_d\, E_\theta\big[D^2(\theta_\#\mu, \theta_\#\nu)\big],

    so averaging the *exact* 1-D squared energy distances (:math:`2\ell_2^2` of the
    projections, :math:`O(n\log n)` each) over ``n_projections`` independent directions is an
    unbiased estimate of :math:`D^2`. Cost :math:`O(K (n + m)\log(n + m))` time and
    :math:`O(n + m)` memory per batch of directions.

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Sample points.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised); uniform when omitted.
    squared : bool
        ``True``: estimate :math:`D^2` (unbiased). ``False`` (default): :math:`D`, the square
        root of that estimate (biased low by Jensen's inequality; its standard error is the
        delta-method :math:`\mathrm{se}(D^2) / (2D)`).
    n_projections : int, >= 2
        Number of random directions ``K``; the standard error shrinks like :math:`1/\sqrt K`.
    rng : None, int, SeedSequence or numpy.random.Generator
        Source of the directions.

    Returns
    -------
    Estimate
        ``value``, ``standard_error`` (sample standard deviation of the per-direction values
        over :math:`\sqrt K`) and ``n_projections``. In 1-D every projection is exact, so the
        standard error is 0.

    Raises
    ------
    ValueError
        Bad samples or weights (see :func:`energy_distance`), ``n_projections < 2``.

    References
    ----------
    .. [1] G. J. Székely and M. L. Rizzo, "Energy statistics: A class of statistics based on
       distances", J. Statist. Plann. Inference 143, 2013 (Lemma on projections).
    .. [2] M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
       Gradients", arXiv:1705.10743, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv import energy_distance, sliced_energy_distance
    >>> generator = np.random.default_rng(0)
    >>> x, y = generator.normal(size=(300, 3)), generator.normal(1.0, size=(300, 3))
    >>> estimate = sliced_energy_distance(x, y, squared=True, n_projections=400, rng=1)
    >>> exact = energy_distance(x, y, squared=True, method="exact")
    >>> bool(abs(estimate.value - exact) < 4 * estimate.standard_error)
    True
    """
    n_projections = check_projections(n_projections, pair.dimension)
    directions = random_directions(rng, n_projections, pair.dimension)
    return sliced_energy_core(pair, directions, squared)


@takes_sample_pair(checks={"method": lambda method, name: check_option(
    method, name, ("auto", "exact", "sliced")), **_CHECK_SQUARED, **_CHECK_RNG})
def energy_distance(pair: SamplePair, *, squared: bool = False, method: str = "auto",
                    n_projections: int = DEFAULT_PROJECTIONS, rng: RngLike = None) -> float:
    r"""Energy distance between two weighted samples in :math:`\mathbb R^d`.

    .. math:: D^2(\mu, \nu) = 2E\|X - Y\| - E\|X - X'\| - E\|Y - Y'\|

    with :math:`X, X' \sim \mu` and :math:`Y, Y' \sim \nu` independent. Returns
    :math:`D` like ``scipy.stats.energy_distance``, or :math:`D^2` with ``squared=True``
    (the number ``dcor.energy_distance`` returns). In 1-D, :math:`D^2 = 2\ell_2^2`, twice the
    Cramér distance of Bellemare et al.

    Methods:

    - 1-D data (shape ``(n,)`` or ``(n, 1)``): always exact through the CDF identity,
      :math:`O(n\log n)` (a sliced estimate would be exact there too).
    - ``"exact"``: Numba double sums over all pairs, run in parallel over a fixed partition
      of rows (deterministic), :math:`O((n + m)^2 d)` time and :math:`O(n + m)` memory.
    - ``"sliced"``: the unbiased Monte-Carlo estimate of :math:`D^2` from
      ``n_projections`` random directions; see :func:`sliced_energy_distance`, which also
      returns its standard error. Random, so pass ``rng`` for a reproducible value.
    - ``"auto"`` (default): ``"exact"`` while the number of point pairs
      :math:`nm + n(n-1)/2 + m(m-1)/2` is at most ``10**9`` (about 1.5 s on two cores),
      ``"sliced"`` beyond.

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Sample points; finite, at least one each, same dimension ``d``.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised); uniform when omitted.
    squared : bool
        Return :math:`D^2` instead of :math:`D`.
    method : {"auto", "exact", "sliced"}
        See above.
    n_projections : int, >= 2
        Directions for ``"sliced"`` (and ``"auto"`` when it slices).
    rng : None, int, SeedSequence or numpy.random.Generator
        Source of the directions for ``"sliced"``.

    Returns
    -------
    float
        :math:`D` (or :math:`D^2`). The exact sums cancel when the samples are close: the
        absolute error is about ``1e-15 * E||X - Y||``, and a round-off result below zero is
        returned as 0.

    Raises
    ------
    ValueError
        NaN/inf or empty samples, mismatched dimensions, negative, zero-sum or wrongly sized
        weights, an unknown ``method``, ``n_projections < 2``.

    References
    ----------
    .. [1] G. J. Székely and M. L. Rizzo, "Energy statistics: A class of statistics based on
       distances", J. Statist. Plann. Inference 143, 2013.
    .. [2] M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
       Gradients", arXiv:1705.10743, 2017.

    Examples
    --------
    >>> from otdiv import energy_distance
    >>> round(energy_distance([0.0], [2.0], squared=True), 12)  # 2|0 - 2| - 0 - 0
    4.0
    >>> energy_distance([[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0], [3.0, 4.0]])
    0.0
    >>> round(energy_distance([[0.0, 0.0]], [[3.0, 4.0]], squared=True), 12)  # 2 * 5
    10.0
    """
    # (rng is checked even when the exact method does not use it)
    n_projections = check_projections(n_projections, pair.dimension)
    if pair.dimension == 1:  # D^2 = 2 l_2^2 on the line
        ell_2 = cramer_of_sorted(sorted_pair(pair.u[:, 0], pair.v[:, 0],
                                             *pair.line_weights()), 2.0)
        return _finite_energy(energy_from_ell2(ell_2, squared))
    if method == "auto":
        exact = pair_count(pair.u.shape[0], pair.v.shape[0]) <= EXACT_PAIR_LIMIT
        method = "exact" if exact else "sliced"
    if method == "exact":
        value = exact_energy_squared(*pair.arrays())
    else:
        directions = random_directions(rng, n_projections, pair.dimension)
        value = float(sliced_energy_values(pair, directions).mean())
    return _finite_energy(float(value if squared else math.sqrt(value)))


def _finite_energy(value: float) -> float:
    """The energy distance, or ValueError when it overflows float64 (as the divergences
    refuse their overflows: never ``inf`` for finite samples)."""
    if not math.isfinite(value):
        raise ValueError("the energy distance of these samples overflows float64 (their "
                         "distances approach the largest float); rescale the samples")
    return value


@takes_sample_pair(checks={"p": lambda p, name: check_real(p, name, lower=1.0), **_CHECK_RNG})
def sliced_wasserstein(pair: SamplePair, *, p: float = 2, n_projections: int = DEFAULT_PROJECTIONS,
                       rng: RngLike = None) -> Estimate:
    r"""Monte-Carlo sliced Wasserstein distance between two weighted samples in R^d.

    .. math::

        SW_p(\mu, \nu) = \Big(\int_{S^{d-1}} W_p^p(\theta_\#\mu, \theta_\#\nu)
        \,d\sigma(\theta)\Big)^{1/p}

    estimated with ``n_projections`` directions drawn uniformly on the sphere; each
    :math:`W_p^p` of a projection is exact (:func:`wasserstein_1d`). The mean of the
    :math:`W_p^p` is unbiased for :math:`SW_p^p`; its ``1/p`` power is returned, as
    ``ot.sliced_wasserstein_distance`` does. In 1-D it equals :math:`W_p` exactly.

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Sample points; finite, at least one each, same dimension.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised); uniform when omitted.
    p : float, >= 1
        Order.
    n_projections : int, >= 2
        Number of random directions.
    rng : None, int, SeedSequence or numpy.random.Generator
        Source of the directions.

    Returns
    -------
    Estimate
        ``value``: the estimate of :math:`SW_p`, which never exceeds :math:`W_p` (every
        projection is 1-Lipschitz, so each projected :math:`W_p` is at most :math:`W_p`);
        ``standard_error``: the delta-method standard error of that value;
        ``n_projections``.

    Raises
    ------
    ValueError
        Bad samples or weights, ``p < 1``, ``n_projections < 2``.

    References
    ----------
    .. [1] N. Bonneel, J. Rabin, G. Peyré, H. Pfister, "Sliced and Radon Wasserstein
       Barycenters of Measures", J. Math. Imaging Vision 51, 2015.

    Examples
    --------
    >>> from otdiv import sliced_wasserstein
    >>> sliced_wasserstein([0.0, 1.0], [2.0, 3.0], p=1, rng=0)  # 1-D: exactly W_1
    Estimate(value=2.0, standard_error=0.0, n_projections=200)
    >>> # a translation by t in R^2: SW_2 = |t| (E cos^2)^(1/2) = |t| / sqrt(2)
    >>> estimate = sliced_wasserstein([[0.0, 0.0]], [[3.0, 4.0]], n_projections=4000, rng=0)
    >>> exact = 5 / 2**0.5
    >>> round(estimate.value, 1), bool(abs(estimate.value - exact) < 4 * estimate.standard_error)
    (3.5, True)
    """
    n_projections = check_projections(n_projections, pair.dimension)
    directions = random_directions(rng, n_projections, pair.dimension)
    return sliced_wasserstein_core(pair, directions, p)
