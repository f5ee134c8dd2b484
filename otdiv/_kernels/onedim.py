r"""Merges over sorted samples on the real line (no validation; see ``otdiv._kernels``).

All inputs are sorted ascending, C-contiguous float64; weights are non-negative and sum to 1.
Every kernel returns a *power* (``W_p^p`` or ``ℓ_p^p``); callers take the ``1/p`` root.
With ``p = inf`` a kernel returns instead the largest gap over the pieces of positive length
(``W_inf``, or the Kolmogorov–Smirnov statistic ``sup |F - G|`` for the CDF kernels); callers
use it to rescale when ``|gap|^p`` would overflow or underflow.

The rescued paths (called only when the direct power sum is not finite or may have lost
terms to underflow) are the ``*_scaled`` quantile kernels, which sum
:math:`(|gap| / s)^p` for a given scale ``s`` (optionally on halved values, for gaps that
overflow), and the ``cdf_distance_scaled_*`` kernels, which sum
:math:`\mathrm{width}\,(|F - G| / K)^p` with every term and the sum kept as a mantissa
and a binary exponent (widths and powers may each under- or overflow there while their
product does not).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "quantile_distance_pp_uniform",
    "quantile_distance_pp_weighted",
    "quantile_distance_pp_uniform_scaled",
    "quantile_distance_pp_weighted_scaled",
    "cdf_distance_pp_uniform",
    "cdf_distance_pp_weighted",
    "cdf_distance_scaled_uniform",
    "cdf_distance_scaled_weighted",
    "compensated_sum",
]

_SMALL_POWER = 2.0 ** -1000  # ratio^p below this is formed in the log domain
_NO_TERM = -(1 << 62)  # binary exponent of the empty sum


@numba.njit(cache=True, inline="always")
def _power(x: float, p: float) -> float:
    # |x|^p without calling pow() for the two orders used all the time.
    x = abs(x)
    if p == 1.0:
        return x
    if p == 2.0:
        return x * x
    return x**p


@numba.njit(cache=True, inline="always")
def _accumulate(total: float, length: float, gap: float, p: float) -> float:
    # total + length * |gap|^p, or the running max of |gap| over pieces of positive length
    if p == np.inf:
        if length > 0 and abs(gap) > total:
            return abs(gap)
        return total
    return total + length * _power(gap, p)


@numba.njit(cache=True, inline="always")
def _add_compensated(high: float, low: float, x: float) -> tuple[float, float]:
    # (high, low) += x in double-double arithmetic (TwoSum, then renormalise): `high` is the
    # running sum correctly rounded in all but astronomically rare cases, so it does not
    # depend on the order in which tied values' weights are added
    total = high + x
    part = total - high
    low += (high - (total - part)) + (x - part)
    high = total + low
    return high, low - (high - total)


@numba.njit(cache=True)
def compensated_sum(values: np.ndarray) -> float:
    """The sum of ``values`` in double-double arithmetic, rounded once at the end.

    Unlike ``ndarray.sum`` (pairwise, so its rounding depends on the order), this is the
    correctly rounded sum except when the exact sum lies within about ``n · 2^-106`` of it
    of a rounding boundary: it does not depend on the order of the values.
    """
    high = 0.0
    low = 0.0
    for k in range(values.shape[0]):
        high, low = _add_compensated(high, low, values[k])
    return high


@numba.njit(cache=True, inline="always")
def _gap(a: float, b: float, scale: float, halve: bool) -> float:
    # (a - b) / scale; on halved values when a - b itself would overflow
    if halve:
        return (0.5 * a - 0.5 * b) / scale
    return (a - b) / scale


@numba.njit(cache=True, inline="always")
def _split_term(following: float, current: float, ratio: float, p: float) -> tuple[float, int]:
    """``(following - current) * ratio^p`` as ``(mantissa in [0.5, 1), binary exponent)``.

    Exact in the width (taken apart with frexp, formed on halved values if it overflows)
    and accurate to a few ulps in the power (in the log domain only when ``ratio^p`` is
    below 2^-1000, where the term is negligible unless the width is enormous).
    """
    width = following - current
    if width == np.inf:
        width_mantissa, width_exponent = math.frexp(0.5 * following - 0.5 * current)
        width_exponent += 1
    else:
        width_mantissa, width_exponent = math.frexp(width)
    power = ratio**p
    if power >= _SMALL_POWER:
        mantissa, exponent = math.frexp(width_mantissa * power)
        return mantissa, exponent + width_exponent
    log2_power = p * math.log2(ratio)
    if log2_power < -4200.0:  # below 2^-4200 times any width: no term at all
        return 0.0, _NO_TERM
    whole = math.floor(log2_power)
    mantissa, exponent = math.frexp(width_mantissa * 2.0 ** (log2_power - whole))
    return mantissa, exponent + width_exponent + int(whole)


@numba.njit(cache=True, inline="always")
def _add_term(state: tuple[float, int], mantissa: float, exponent: int) -> tuple[float, int]:
    # state = (acc, top): the running sum is acc * 2^top, with acc in [0.5, n)
    acc, top = state
    if mantissa == 0.0:
        return state
    if exponent > top:
        if top - exponent < -1100:  # the sum so far is below one ulp of this term
            return mantissa, exponent
        return math.ldexp(acc, top - exponent) + mantissa, exponent
    if exponent - top < -1100:
        return state
    return acc + math.ldexp(mantissa, exponent - top), top


@numba.njit(cache=True)
def quantile_distance_pp_uniform(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float) -> float:
    r"""W_p^p between uniform samples (see :func:`quantile_distance_pp_uniform_scaled`)."""
    return _quantile_uniform(u_sorted, v_sorted, p, 1.0, False)


@numba.njit(cache=True)
def quantile_distance_pp_uniform_scaled(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float,
                                        scale: float, halve: bool) -> float:
    r"""W_p^p of ``u / scale`` and ``v / scale`` (of ``u / 2 / scale``... with ``halve``).

    Each gap is formed first and then divided (``(a - b) / scale``), so values far larger
    than the gaps never overflow and subnormal gaps keep every bit.
    """
    return _quantile_uniform(u_sorted, v_sorted, p, scale, halve)


@numba.njit(cache=True, inline="always")
def _quantile_uniform(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float, scale: float,
                      halve: bool) -> float:
    r"""W_p^p between uniform samples: :math:`\int_0^1 |F^{-1}(t) - G^{-1}(t)|^p dt`.

    The quantile levels are ``(i+1)/n`` and ``(j+1)/m``; they are compared exactly in integer
    arithmetic (``(i+1) m`` against ``(j+1) n``), so ties between levels never depend on
    round-off.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    total = 0.0
    if n == m:
        # Equal sizes: the quantile coupling matches the k-th smallest with the k-th smallest.
        if p == np.inf:
            for k in range(n):
                total = max(total, abs(_gap(u_sorted[k], v_sorted[k], scale, halve)))
            return total
        for k in range(n):
            total += _power(_gap(u_sorted[k], v_sorted[k], scale, halve), p)
        return total / n
    i = 0
    j = 0
    previous = 0  # previous level times n*m, as an integer
    while i < n and j < m:
        level_u = (i + 1) * m
        level_v = (j + 1) * n
        level = min(level_u, level_v)
        total = _accumulate(total, level - previous,
                            _gap(u_sorted[i], v_sorted[j], scale, halve), p)
        previous = level
        if level_u == level:
            i += 1
        if level_v == level:
            j += 1
    return total if p == np.inf else total / (n * m)


@numba.njit(cache=True)
def quantile_distance_pp_weighted(u_sorted: np.ndarray, u_weights: np.ndarray,
                                  v_sorted: np.ndarray, v_weights: np.ndarray, p: float) -> float:
    r"""W_p^p between weighted samples (see :func:`quantile_distance_pp_weighted_scaled`)."""
    return _quantile_weighted(u_sorted, u_weights, v_sorted, v_weights, p, 1.0, False)


@numba.njit(cache=True)
def quantile_distance_pp_weighted_scaled(u_sorted: np.ndarray, u_weights: np.ndarray,
                                         v_sorted: np.ndarray, v_weights: np.ndarray, p: float,
                                         scale: float, halve: bool) -> float:
    r"""W_p^p of the rescaled weighted samples, gaps formed before dividing (as above)."""
    return _quantile_weighted(u_sorted, u_weights, v_sorted, v_weights, p, scale, halve)


@numba.njit(cache=True, inline="always")
def _quantile_weighted(u_sorted: np.ndarray, u_weights: np.ndarray, v_sorted: np.ndarray,
                       v_weights: np.ndarray, p: float, scale: float, halve: bool) -> float:
    r"""W_p^p between weighted samples by merging the two quantile functions.

    On each level interval ``(previous, level]`` both quantile functions are constant; the
    last cumulative weight of each sample is pinned to exactly 1 so that round-off in the
    running sums cannot leave a sliver of mass unmatched, and the running sums are
    compensated, so a level does not depend on the order of the weights summed into it
    (identical distributions listed in different orders are at distance exactly 0).
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    cum_u = 1.0 if n == 1 else u_weights[0]
    cum_v = 1.0 if m == 1 else v_weights[0]
    low_u = 0.0
    low_v = 0.0
    previous = 0.0
    total = 0.0
    i = 0
    j = 0
    while i < n and j < m:
        level = min(cum_u, cum_v)
        step = level - previous
        if step > 0.0:
            total = _accumulate(total, step, _gap(u_sorted[i], v_sorted[j], scale, halve), p)
            previous = level
        if cum_u <= level:
            i += 1
            if i < n:
                if i == n - 1:
                    cum_u = 1.0
                else:
                    cum_u, low_u = _add_compensated(cum_u, low_u, u_weights[i])
        if cum_v <= level:
            j += 1
            if j < m:
                if j == m - 1:
                    cum_v = 1.0
                else:
                    cum_v, low_v = _add_compensated(cum_v, low_v, v_weights[j])
    return total


@numba.njit(cache=True)
def cdf_distance_pp_uniform(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float) -> float:
    r"""ℓ_p^p between uniform samples: :math:`\int |F(x) - G(x)|^p dx` (or ``sup|F - G|``)."""
    return _cdf_uniform(u_sorted, v_sorted, p, False, 1.0)[0]


@numba.njit(cache=True)
def cdf_distance_scaled_uniform(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float,
                                sup_gap: float) -> tuple[float, int]:
    r""":math:`S = \int (|F - G| / K)^p dx` between uniform samples, ``K = sup_gap``,
    returned as ``(acc, e)`` with :math:`S = acc\cdot 2^e` (neither can over- or underflow).

    ``K`` must be this kernel family's own ``sup |F - G|`` (``p = inf``): the pieces where
    the supremum is reached then have a ratio of exactly 1, so their terms cannot vanish
    for any ``p``. Each term is kept as a mantissa and a binary exponent.
    """
    return _cdf_uniform(u_sorted, v_sorted, p, True, sup_gap)


@numba.njit(cache=True, inline="always")
def _cdf_uniform(u_sorted: np.ndarray, v_sorted: np.ndarray, p: float, scaled: bool, sup_gap: float
                 ) -> tuple[float, int]:
    r"""Walks the merged sorted values; between consecutive values both CDFs are constant,
    ``F = i/n`` and ``G = j/m``, and ``|F - G| = |i m - j n| / (n m)`` is formed from an exact
    integer difference.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    scale = 1.0 / (n * m)
    i = 0
    j = 0
    total = 0.0
    state = (0.0, _NO_TERM)
    # current = the smallest value not yet absorbed into a CDF
    if u_sorted[0] <= v_sorted[0]:
        current = u_sorted[0]
    else:
        current = v_sorted[0]
    while i < n or j < m:
        # absorb every sample equal to `current` (ties jump together)
        while i < n and u_sorted[i] <= current:
            i += 1
        while j < m and v_sorted[j] <= current:
            j += 1
        if i == n and j == m:
            break
        if i == n:
            following = v_sorted[j]
        elif j == m:
            following = u_sorted[i]
        else:
            following = min(u_sorted[i], v_sorted[j])
        gap = abs(i * m - j * n) * scale
        if scaled:
            if gap > 0.0:
                mantissa, exponent = _split_term(following, current, gap / sup_gap, p)
                state = _add_term(state, mantissa, exponent)
        else:
            total = _accumulate(total, following - current, gap, p)
        current = following
    if scaled:
        return state
    return (total, 0)


@numba.njit(cache=True)
def cdf_distance_pp_weighted(u_sorted: np.ndarray, u_weights: np.ndarray, v_sorted: np.ndarray,
                             v_weights: np.ndarray, p: float) -> float:
    r"""ℓ_p^p between weighted samples: :math:`\int |F(x) - G(x)|^p dx` (or ``sup|F - G|``)."""
    return _cdf_weighted(u_sorted, u_weights, v_sorted, v_weights, p, False, 1.0)[0]


@numba.njit(cache=True)
def cdf_distance_scaled_weighted(u_sorted: np.ndarray, u_weights: np.ndarray, v_sorted: np.ndarray,
                                 v_weights: np.ndarray, p: float, sup_gap: float
                                 ) -> tuple[float, int]:
    r""":math:`\int (|F - G| / K)^p dx` between weighted samples as ``(acc, e)`` (see the
    uniform one)."""
    return _cdf_weighted(u_sorted, u_weights, v_sorted, v_weights, p, True, sup_gap)


@numba.njit(cache=True, inline="always")
def _cdf_weighted(u_sorted: np.ndarray, u_weights: np.ndarray, v_sorted: np.ndarray,
                  v_weights: np.ndarray, p: float, scaled: bool, sup_gap: float
                  ) -> tuple[float, int]:
    r"""One merge over the two sorted samples.

    The running CDFs are pinned to exactly 1 once a sample is exhausted, so the tail where
    both CDFs equal 1 contributes exactly nothing.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    i = 0
    j = 0
    cdf_u = 0.0
    cdf_v = 0.0
    low_u = 0.0
    low_v = 0.0
    total = 0.0
    state = (0.0, _NO_TERM)
    if u_sorted[0] <= v_sorted[0]:
        current = u_sorted[0]
    else:
        current = v_sorted[0]
    while i < n or j < m:
        while i < n and u_sorted[i] <= current:
            cdf_u, low_u = _add_compensated(cdf_u, low_u, u_weights[i])
            i += 1
        while j < m and v_sorted[j] <= current:
            cdf_v, low_v = _add_compensated(cdf_v, low_v, v_weights[j])
            j += 1
        if i == n:
            cdf_u = 1.0
        if j == m:
            cdf_v = 1.0
        if i == n and j == m:
            break
        if i == n:
            following = v_sorted[j]
        elif j == m:
            following = u_sorted[i]
        else:
            following = min(u_sorted[i], v_sorted[j])
        gap = abs(cdf_u - cdf_v)
        if scaled:
            if gap > 0.0:
                mantissa, exponent = _split_term(following, current, gap / sup_gap, p)
                state = _add_term(state, mantissa, exponent)
        else:
            total = _accumulate(total, following - current, gap, p)
        current = following
    if scaled:
        return state
    return (total, 0)
