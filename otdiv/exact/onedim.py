r"""Closed forms for distances between weighted samples on the real line.

On the line, optimal transport and the Cramér family are explicit in the CDFs
:math:`F, G` and quantile functions :math:`F^{-1}, G^{-1}`:

.. math::

    W_p^p = \int_0^1 |F^{-1}(t) - G^{-1}(t)|^p\,dt, \qquad
    \ell_p^p = \int_{\mathbb R} |F(x) - G(x)|^p\,dx, \qquad
    2E|X - Y| - E|X - X'| - E|Y - Y'| = 2\,\ell_2^2 .

Each is one merge over the two sorted samples (Numba kernels in ``otdiv._kernels.onedim``),
so the cost is the two sorts plus O(n + m). ``_wasserstein_pp_numpy`` is the plain NumPy
version kept as the test oracle.
"""

from __future__ import annotations

import math

import numpy as np

from .._kernels import onedim as _kernels
from .._scaling import power_of_two_above
from .._validation import as_samples, as_weights, check_real, check_same_dimension

__all__ = ["wasserstein_1d", "cramer_distance", "energy_distance_1d"]

# |gap|^p sums below this (or non-finite) are recomputed after rescaling (see _robust_power).
_TINY = 1e-280


def _as_1d_values(values, name):
    array = as_samples(values, name)
    if array.shape[1] != 1:
        raise ValueError(f"{name} must be 1-D samples (shape (n,) or (n, 1)), got points in "
                         f"R^{array.shape[1]} (shape {array.shape})")
    return array[:, 0]


def _as_1d_pair(u_values, v_values, u_weights, v_weights):
    """Validated 1-D values and weights; a weight is ``None`` when uniform."""
    u = as_samples(u_values, "u_values")
    v = as_samples(v_values, "v_values")
    check_same_dimension(u, v)
    if u.shape[1] != 1:
        raise ValueError(f"u_values and v_values must be 1-D samples (shape (n,) or (n, 1)), "
                         f"got points in R^{u.shape[1]}")
    u_w = None if u_weights is None else as_weights(u_weights, u.shape[0], "u_weights")
    v_w = None if v_weights is None else as_weights(v_weights, v.shape[0], "v_weights")
    return u[:, 0], v[:, 0], u_w, v_w


def _sorted_with_weights(values, weights):
    if weights is None:
        return np.sort(values), None
    # Zero-weight points are dropped: the kernels pin the CDF to 1 at the last point, and
    # a zero-weight point there would receive the round-off of the cumulative sum.
    keep = weights > 0
    if not keep.all():
        values, weights = values[keep], weights[keep]
    # Any sort order will do: tied values have the same quantile, whatever their weights.
    order = np.argsort(values)
    return values[order], weights[order]


class _SortedPair:
    """Two sorted samples and a dispatcher to the uniform or weighted kernel."""

    def __init__(self, u, v, u_w, v_w):
        self.u, self.u_w = _sorted_with_weights(u, u_w)
        self.v, self.v_w = _sorted_with_weights(v, v_w)
        if (self.u_w is None) != (self.v_w is None):  # one uniform, one weighted
            if self.u_w is None:
                self.u_w = np.full(self.u.size, 1.0 / self.u.size)
            else:
                self.v_w = np.full(self.v.size, 1.0 / self.v.size)

    def power(self, kind, p, scale=None):
        """The kernel's ``W_p^p`` (``kind="quantile"``) or ``ℓ_p^p`` (``"cdf"``).

        With ``scale``, on the values ``(x / 2) / scale`` (halved first, so nothing overflows).
        """
        u, v = self.u, self.v
        if scale is not None:
            u, v = (u * 0.5) / scale, (v * 0.5) / scale
        if self.u_w is None:
            kernel = (_kernels.quantile_distance_pp_uniform if kind == "quantile"
                      else _kernels.cdf_distance_pp_uniform)
            return kernel(u, v, p)
        kernel = (_kernels.quantile_distance_pp_weighted if kind == "quantile"
                  else _kernels.cdf_distance_pp_weighted)
        return kernel(u, self.u_w, v, self.v_w, p)


def _wasserstein(pair, p):
    r"""W_p, guarding :math:`|gap|^p` against overflow and underflow.

    The fast path sums :math:`|gap|^p` directly. When that sum is not finite, or so small
    that terms may have underflowed, the values are divided by a power of two
    :math:`s \ge W_\infty` (exact), so every scaled gap is at most 1 and the largest one
    contributes a term that cannot vanish; then :math:`W_p = s\,W_p(u/s, v/s)`. (Values are
    halved before any scaling so that no intermediate overflows.)
    """
    total = pair.power("quantile", p)
    if np.isfinite(total) and (total > _TINY or p == 1.0):
        return float(total ** (1.0 / p))
    half_gap = pair.power("quantile", np.inf, scale=1.0)  # W_inf of the halved values
    if half_gap == 0.0:
        return 0.0
    # Scale by W_inf itself (not a power of two): the largest scaled gap is then 1, so its
    # term cannot underflow for any p (a power of two left it at 0.5, and 0.5^1100 = 0).
    root = pair.power("quantile", p, scale=half_gap) ** (1.0 / p)
    return float((half_gap * root) * 2.0)


def _cramer_power_root(pair, p):
    r"""ℓ_p = (∫|F - G|^p)^{1/p}, guarding the sum against overflow and underflow.

    Fallback (rare): with values divided by a power of two :math:`s \ge \max|x|` and
    :math:`K = \sup|F - G|`,
    :math:`\ell_p = K\,(2s)^{1/p}\,\big(\int (|F - G|/K)^p\,d(x/2s)\big)^{1/p}`, the
    integrand summed in the log domain.
    """
    total = pair.power("cdf", p)
    if np.isfinite(total) and (total > _TINY or p == 1.0):
        return float(total ** (1.0 / p))
    largest = max(np.abs(pair.u).max(), np.abs(pair.v).max())
    if largest == 0.0:
        return 0.0
    scale = power_of_two_above(largest)  # scaled values (x / 2) / scale lie in (-1, 1)
    sup_gap = pair.power("cdf", np.inf, scale=scale)
    if sup_gap == 0.0:
        return 0.0
    integral = _scaled_cdf_integral(pair, p, scale, sup_gap)
    return float(sup_gap * integral ** (1.0 / p) * 2.0 ** (1.0 / p) * scale ** (1.0 / p))


def _scaled_cdf_integral(pair, p, scale, sup_gap):
    """∫ (|F - G| / sup_gap)^p d(x / (2 scale)) in NumPy, each term formed in the log domain."""
    u_w = pair.u_w if pair.u_w is not None else np.full(pair.u.size, 1.0 / pair.u.size)
    v_w = pair.v_w if pair.v_w is not None else np.full(pair.v.size, 1.0 / pair.v.size)
    points = (np.concatenate([pair.u, pair.v]) * 0.5) / scale
    order = np.argsort(points, kind="stable")
    points = points[order]
    difference = np.abs(np.cumsum(np.concatenate([u_w, -v_w])[order]))[:-1]
    widths = np.diff(points)
    keep = (widths > 0) & (difference > 0)
    return float(np.sum(widths[keep] * np.exp(p * np.log(difference[keep] / sup_gap))))


def _wasserstein_pp_numpy(u, v, u_w, v_w, p):
    """W_p^p by merging the two quantile functions in NumPy (the test oracle)."""
    u_order = np.argsort(u, kind="stable")
    v_order = np.argsort(v, kind="stable")
    u_sorted, v_sorted = u[u_order], v[v_order]
    u_cdf = np.cumsum(u_w[u_order])
    v_cdf = np.cumsum(v_w[v_order])
    u_cdf[-1] = v_cdf[-1] = 1.0  # both are probability vectors; remove round-off at the top
    levels = np.union1d(u_cdf, v_cdf)
    steps = np.diff(levels, prepend=0.0)
    # On the level interval (levels[k-1], levels[k]] the quantile of u is the first value
    # whose cumulative weight reaches levels[k].
    u_index = np.minimum(np.searchsorted(u_cdf, levels, side="left"), u.size - 1)
    v_index = np.minimum(np.searchsorted(v_cdf, levels, side="left"), v.size - 1)
    gaps = np.abs(u_sorted[u_index] - v_sorted[v_index])
    return float(np.sum(steps * gaps**p))


def wasserstein_1d(u_values, v_values, u_weights=None, v_weights=None, *, p=1):
    r"""Wasserstein distance W_p between two weighted samples on the real line.

    .. math:: W_p(\mu, \nu) = \Big(\int_0^1 |F_\mu^{-1}(t) - F_\nu^{-1}(t)|^p\,dt\Big)^{1/p}

    computed exactly from the two quantile functions: two sorts and one linear merge
    (a Numba kernel), :math:`O(n\log n + m\log m)`. Uniform samples are merged in exact
    integer arithmetic on the quantile levels; with ``n == m`` the merge is the sorted
    matching :math:`\frac1n\sum_k |u_{(k)} - v_{(k)}|^p`. For ``p = 1`` this equals
    :math:`\int |F_\mu - F_\nu|` and ``scipy.stats.wasserstein_distance``.

    Parameters
    ----------
    u_values, v_values : array_like, shape (n,) or (n, 1), and (m,) or (m, 1)
        Sample values; finite, at least one each.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised to sum 1); uniform when omitted.
    p : float, >= 1
        Order of the distance; returns W_p, not W_p^p.

    Returns
    -------
    float
        W_p. Sums of ``|gap|^p`` that would overflow or underflow are recomputed on values
        rescaled by a power of two, so large ``p`` and extreme magnitudes stay accurate.

    Raises
    ------
    ValueError
        NaN/inf or empty values, points in more than one dimension, negative, zero-sum or
        wrongly sized weights, ``p < 1``.

    See Also
    --------
    cramer_distance : the ℓ_p distance between the CDFs (ℓ_1 = W_1).
    otdiv.wasserstein : any dimension (dispatches 1-D data here).

    References
    ----------
    .. [1] C. Villani, "Optimal Transport: Old and New", Springer 2009, Remark 2.19.
    .. [2] F. Santambrogio, "Optimal Transport for Applied Mathematicians", Birkhäuser 2015,
       Section 2.2.

    Examples
    --------
    >>> from otdiv import wasserstein_1d
    >>> wasserstein_1d([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    >>> round(wasserstein_1d([0.0, 1.0], [0.0, 3.0], p=2), 12)
    1.414213562373
    >>> wasserstein_1d([0.0, 1.0], [0.0, 1.0], [3.0, 1.0], [1.0, 1.0])  # weights normalised
    0.25
    """
    p = check_real(p, "p", lower=1.0)
    pair = _SortedPair(*_as_1d_pair(u_values, v_values, u_weights, v_weights))
    return _wasserstein(pair, p)


def cramer_distance(u_values, v_values, u_weights=None, v_weights=None, *, p=2):
    r"""The ℓ_p distance between the CDFs of two weighted samples on the real line.

    .. math:: \ell_p(\mu, \nu) = \Big(\int_{\mathbb R} |F_\mu(x) - F_\nu(x)|^p\,dx\Big)^{1/p}

    Returns ℓ_p itself. ``p = 1`` gives :math:`\ell_1 = W_1`. The *Cramér distance* of
    Bellemare et al. [1]_ is the square :math:`\ell_2^2` (``cramer_distance(...) ** 2``); it
    is the one whose sample gradients are unbiased. In 1-D the squared energy distance is
    :math:`2\ell_2^2`, so ``scipy.stats.energy_distance`` equals :math:`\sqrt2\,\ell_2`.

    Computed exactly by one merge over the two sorted samples (a Numba kernel); uniform
    samples use exact integer arithmetic for :math:`|F - G| = |i m - j n|/(n m)`.

    Parameters
    ----------
    u_values, v_values : array_like, shape (n,) or (n, 1), and (m,) or (m, 1)
        Sample values; finite, at least one each.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised); uniform when omitted.
    p : float, >= 1
        Order of the norm.

    Returns
    -------
    float
        ℓ_p (scales like :math:`|c|^{1/p}` when both samples are multiplied by ``c``).

    Raises
    ------
    ValueError
        NaN/inf or empty values, points in more than one dimension, bad weights, ``p < 1``.

    References
    ----------
    .. [1] M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
       Gradients", arXiv:1705.10743, 2017.
    .. [2] G. J. Székely and M. L. Rizzo, "Energy statistics: A class of statistics based on
       distances", J. Statist. Plann. Inference 143, 2013.

    Examples
    --------
    >>> from otdiv import cramer_distance
    >>> cramer_distance([0.0], [1.0], p=1)  # = W_1
    1.0
    >>> cramer_distance([0.0], [4.0])  # (∫_0^4 1 dx)^(1/2)
    2.0
    >>> cramer_distance([0.0, 1.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]) ** 2  # ℓ_2²
    1.0
    """
    p = check_real(p, "p", lower=1.0)
    pair = _SortedPair(*_as_1d_pair(u_values, v_values, u_weights, v_weights))
    return _cramer_power_root(pair, p)


def energy_distance_1d(u_values, v_values, u_weights=None, v_weights=None, *, squared=False):
    r"""Exact energy distance on the line through the CDF identity, :math:`O(n\log n)`.

    .. math:: D^2 = 2E|X - Y| - E|X - X'| - E|Y - Y'| = 2\int (F - G)^2 = 2\,\ell_2^2

    Returns scipy's :math:`D = \sqrt2\,\ell_2` (``squared=False``) or :math:`D^2`.
    The public entry point is :func:`otdiv.energy_distance`, which dispatches 1-D data here.

    Examples
    --------
    >>> from otdiv.exact.onedim import energy_distance_1d
    >>> round(energy_distance_1d([0.0], [2.0], squared=True), 12)  # 2|0 - 2| - 0 - 0
    4.0
    """
    pair = _SortedPair(*_as_1d_pair(u_values, v_values, u_weights, v_weights))
    ell_2 = _cramer_power_root(pair, 2.0)
    return 2.0 * ell_2 * ell_2 if squared else math.sqrt(2.0) * ell_2


# Trusted cores for the other modules: validated, finite float64 values; a weight vector is
# None for uniform weights (the faster kernels) or normalised to sum 1.

def sorted_pair(u, v, u_w, v_w) -> _SortedPair:
    """Both samples sorted once, ready for any number of 1-D distances."""
    return _SortedPair(u, v, u_w, v_w)


def wasserstein_of_sorted(pair: _SortedPair, p: float) -> float:
    """:math:`W_p` of a :func:`sorted_pair`."""
    return _wasserstein(pair, p)


def cramer_of_sorted(pair: _SortedPair, p: float) -> float:
    r""":math:`\ell_p` of a :func:`sorted_pair`."""
    return _cramer_power_root(pair, p)
