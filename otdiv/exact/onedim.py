r"""Closed forms for distances between weighted samples on the real line.

On the line, optimal transport and the Cramér family are explicit in the CDFs
:math:`F, G` and quantile functions :math:`F^{-1}, G^{-1}`:

.. math::

    W_p^p = \int_0^1 |F^{-1}(t) - G^{-1}(t)|^p\,dt, \qquad
    \ell_p^p = \int_{\mathbb R} |F(x) - G(x)|^p\,dx, \qquad
    2E|X - Y| - E|X - X'| - E|Y - Y'| = 2\,\ell_2^2 .

Each is one merge over the two sorted samples (Numba kernels in ``otdiv._kernels.onedim``),
so the cost is the two sorts plus O(n + m). The sorts come from ``otdiv.exact._sorting``
(NumPy's sort or a radix sort by a measured size rule, the two samples on two threads when
both are large). Every result is guarded against overflow and underflow at any scale of
input (see ``_wasserstein`` and ``_cramer_power_root``). ``_wasserstein_pp_numpy`` is the
plain NumPy version kept as the test oracle.
"""

from __future__ import annotations

import math

import numpy as np

from .._energy import energy_from_ell2
from .._kernels import onedim as _kernels
from .._scaling import power_of_two_above
from .._validation import SamplePair, check_real, takes_sample_pair
from . import _sorting

__all__ = ["wasserstein_1d", "cramer_distance", "energy_distance_1d"]

# |gap|^p sums below this (or non-finite) are recomputed on a scale where nothing underflows
# (see _wasserstein and _cramer_power_root).
_TINY = 1e-280


def sort_with_weights(values: np.ndarray, weights: np.ndarray | None
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """Sorted values and their weights (``None`` stays ``None``), zero weights dropped."""
    if weights is None:
        return _sorting.sort_values(values), None
    # Zero-weight points are dropped: the kernels pin the CDF to 1 at the last point, and
    # a zero-weight point there would receive the round-off of the cumulative sum.
    keep = weights > 0
    if not keep.all():
        values, weights = values[keep], weights[keep]
    # Any order of tied values gives the same distances (tied values have the same
    # quantile, whatever their weights); a stable order makes the arrays reproducible.
    values, order = _sorting.argsort_values(values)
    return values, weights[order]


class _SortedPair:
    """Two sorted samples (sorted concurrently when large) and the kernel dispatch."""

    def __init__(self, u: np.ndarray, v: np.ndarray, u_w: np.ndarray | None,
                 v_w: np.ndarray | None) -> None:
        (u, u_w), (v, v_w) = _sorting.run_both(sort_with_weights, (u, u_w), (v, v_w))
        self._set(u, u_w, v, v_w)

    @classmethod
    def presorted(cls, u: np.ndarray, u_w: np.ndarray | None, v: np.ndarray,
                  v_w: np.ndarray | None) -> _SortedPair:
        """A pair of samples already sorted (and zero weights dropped) by the caller."""
        pair = cls.__new__(cls)
        pair._set(u, u_w, v, v_w)
        return pair

    def _set(self, u: np.ndarray, u_w: np.ndarray | None, v: np.ndarray,
             v_w: np.ndarray | None) -> None:
        self.u, self.u_w, self.v, self.v_w = u, u_w, v, v_w
        if (self.u_w is None) != (self.v_w is None):  # one uniform, one weighted
            if self.u_w is None:
                self.u_w = np.full(self.u.size, 1.0 / self.u.size)
            else:
                self.v_w = np.full(self.v.size, 1.0 / self.v.size)

    def quantile_power(self, p: float, scale: float = 1.0, halve: bool = False) -> float:
        """``W_p^p`` of the values divided by ``scale`` (halved first with ``halve``)."""
        if self.u_w is None:
            if scale == 1.0 and not halve:
                return _kernels.quantile_distance_pp_uniform(self.u, self.v, p)
            return _kernels.quantile_distance_pp_uniform_scaled(self.u, self.v, p, scale,
                                                                halve)
        if scale == 1.0 and not halve:
            return _kernels.quantile_distance_pp_weighted(self.u, self.u_w, self.v, self.v_w,
                                                          p)
        return _kernels.quantile_distance_pp_weighted_scaled(self.u, self.u_w, self.v,
                                                             self.v_w, p, scale, halve)

    def cdf_power(self, p: float) -> float:
        """``ℓ_p^p`` (``sup |F - G|`` for ``p = inf``)."""
        if self.u_w is None:
            return _kernels.cdf_distance_pp_uniform(self.u, self.v, p)
        return _kernels.cdf_distance_pp_weighted(self.u, self.u_w, self.v, self.v_w, p)

    def cdf_scaled_integral(self, p: float, sup_gap: float) -> tuple[float, int]:
        """``∫ (|F - G| / sup_gap)^p dx`` as ``(acc, e)``, the integral being ``acc · 2^e``."""
        if self.u_w is None:
            return _kernels.cdf_distance_scaled_uniform(self.u, self.v, p, sup_gap)
        return _kernels.cdf_distance_scaled_weighted(self.u, self.u_w, self.v, self.v_w, p,
                                                     sup_gap)


def _wasserstein(pair: _SortedPair, p: float) -> float:
    r"""W_p from the merge, guarded against overflow and underflow at every scale.

    With :math:`M = W_\infty = \max_k |gap_k|` over the pieces of positive mass and a
    scale :math:`s`,

    .. math:: W_p = s \Big(\sum_k w_k \big(|gap_k| / s\big)^p\Big)^{1/p},

    each gap formed before it is divided (no value is rescaled, so values far larger than
    the gaps cannot overflow and subnormal gaps keep every bit):

    * ``p`` = 1 or 2: the direct sum (``s = 1``) when it is finite and above ``_TINY`` (terms
      lost to underflow then weigh less than ``n · 1e-28`` of it); otherwise ``s`` is the
      power of two just above ``M``, so every term is the direct one times an exact power of
      two and the result is bit-for-bit what the direct sum would give without underflow;
    * any other ``p``: ``s = M`` always (one more merge), so the largest term is exactly
      ``w_k · 1`` and cannot vanish for any ``p``, and since ``|gap_k| / M`` does not change
      when both samples are multiplied by a power of two, neither does the sum: W_p scales
      exactly with such factors.

    If a gap itself overflows (values near ``±1.8e308`` on both sides) the gaps are formed
    on halved values and the result is doubled at the end; it is ``inf`` only when W_p
    exceeds the float range.
    """
    simple = p == 1.0 or p == 2.0
    if simple:
        total = pair.quantile_power(p)
        if np.isfinite(total) and total > _TINY:
            return float(total ** (1.0 / p))
    largest = pair.quantile_power(np.inf)
    if largest == 0.0:
        return 0.0
    halve = not np.isfinite(largest)
    if halve:
        largest = pair.quantile_power(np.inf, halve=True)  # half the largest gap, finite
    scale = power_of_two_above(largest) if simple else largest
    root = scale * pair.quantile_power(p, scale=scale, halve=halve) ** (1.0 / p)
    return float(root * 2.0) if halve else float(root)


def _cramer_power_root(pair: _SortedPair, p: float) -> float:
    r"""ℓ_p = (∫|F - G|^p)^{1/p}, guarding the sum against overflow and underflow.

    Fast path: the direct sum of ``width · |F - G|^p``, kept when finite and above
    ``_TINY``. Otherwise, with :math:`K = \sup|F - G|` from the same merge,

    .. math:: \ell_p = K\,S^{1/p}, \qquad
              S = \sum_k \mathrm{width}_k \big(|F - G|_k / K\big)^p = acc\cdot 2^e,

    each term and the sum kept as a mantissa and a binary exponent (widths may be subnormal
    or overflow, and powers may underflow, while the terms that matter do not). Then
    :math:`S^{1/p} = acc^{1/p}\,2^{r/p}\,2^q` with :math:`e = qp + r`, :math:`0 \le r < p`.
    """
    total = pair.cdf_power(p)
    if np.isfinite(total) and total > _TINY:
        return float(total ** (1.0 / p))
    sup_gap = pair.cdf_power(np.inf)
    if sup_gap == 0.0:
        return 0.0
    acc, exponent = pair.cdf_scaled_integral(p, sup_gap)
    whole = math.floor(exponent / p)
    rest = exponent - whole * p
    if p <= 512.0:  # one rounding fewer: acc * 2^rest stays far from overflow
        root = sup_gap * (acc * 2.0**rest) ** (1.0 / p)
    else:
        root = sup_gap * acc ** (1.0 / p) * 2.0 ** (rest / p)
    try:
        return float(math.ldexp(root, int(whole)))
    except OverflowError:  # ℓ_p itself beyond the float range
        return math.inf


def _wasserstein_pp_numpy(u: np.ndarray, v: np.ndarray, u_w: np.ndarray, v_w: np.ndarray,
                          p: float) -> float:
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


_ORDER = {"p": lambda p, name: check_real(p, name, lower=1.0)}


def _line_pair(pair: SamplePair) -> _SortedPair:
    return _SortedPair(pair.u[:, 0], pair.v[:, 0], *pair.line_weights())


@takes_sample_pair(checks=_ORDER, one_dimensional=True)
def wasserstein_1d(pair: SamplePair, *, p: float = 1) -> float:
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
        W_p. Sums of ``|gap|^p`` that would overflow or underflow are recomputed on gaps
        divided by the largest gap (or a power of two next to it), so large ``p``, subnormal
        gaps and values near the float limits stay accurate; ``inf`` only when W_p itself
        exceeds the largest float. Multiplying both samples by a power of two multiplies
        W_p by exactly that factor (while the result is a normal float).

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
    return _wasserstein(_line_pair(pair), p)


@takes_sample_pair(checks=_ORDER, one_dimensional=True)
def cramer_distance(pair: SamplePair, *, p: float = 2) -> float:
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
        ℓ_p (scales like :math:`|c|^{1/p}` when both samples are multiplied by ``c``). Sums
        that would overflow or underflow are recomputed term by term as mantissa and
        exponent, so subnormal gaps, values near the float limits and huge ``p`` (where ℓ_p
        tends to :math:`\sup|F - G|`) stay accurate.

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
    return _cramer_power_root(_line_pair(pair), p)


@takes_sample_pair(one_dimensional=True)
def energy_distance_1d(pair: SamplePair, *, squared: bool = False) -> float:
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
    return energy_from_ell2(_cramer_power_root(_line_pair(pair), 2.0), squared)


# Trusted cores for the other modules: validated, finite float64 values; a weight vector is
# None for uniform weights (the faster kernels) or normalised to sum 1.

def sorted_pair(u: np.ndarray, v: np.ndarray, u_w: np.ndarray | None,
                v_w: np.ndarray | None) -> _SortedPair:
    """Both samples sorted once, ready for any number of 1-D distances."""
    return _SortedPair(u, v, u_w, v_w)


def presorted_pair(u: np.ndarray, u_w: np.ndarray | None, v: np.ndarray,
                   v_w: np.ndarray | None) -> _SortedPair:
    """A pair of samples each already passed through :func:`sort_with_weights`."""
    return _SortedPair.presorted(u, u_w, v, v_w)


def wasserstein_of_sorted(pair: _SortedPair, p: float) -> float:
    """:math:`W_p` of a :func:`sorted_pair`."""
    return _wasserstein(pair, p)


def cramer_of_sorted(pair: _SortedPair, p: float) -> float:
    r""":math:`\ell_p` of a :func:`sorted_pair`."""
    return _cramer_power_root(pair, p)
