r"""Merges over sorted samples on the real line (no validation; see ``otdiv._kernels``).

All inputs are sorted ascending, C-contiguous float64; weights are non-negative and sum to 1.
Every kernel returns a *power* (``W_p^p`` or ``ℓ_p^p``); callers take the ``1/p`` root.
With ``p = inf`` a kernel returns instead the largest gap over the pieces of positive length
(``W_inf``, or the Kolmogorov–Smirnov statistic ``sup |F - G|`` for the CDF kernels); callers
use it to rescale when ``|gap|^p`` would overflow or underflow.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "quantile_distance_pp_uniform",
    "quantile_distance_pp_weighted",
    "cdf_distance_pp_uniform",
    "cdf_distance_pp_weighted",
]


@numba.njit(cache=True, inline="always")
def _power(x, p):
    # |x|^p without calling pow() for the two orders used all the time.
    x = abs(x)
    if p == 1.0:
        return x
    if p == 2.0:
        return x * x
    return x**p


@numba.njit(cache=True, inline="always")
def _accumulate(total, length, gap, p):
    # total + length * |gap|^p, or the running max of |gap| over pieces of positive length
    if p == np.inf:
        if length > 0 and abs(gap) > total:
            return abs(gap)
        return total
    return total + length * _power(gap, p)


@numba.njit(cache=True)
def quantile_distance_pp_uniform(u_sorted, v_sorted, p):
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
                total = max(total, abs(u_sorted[k] - v_sorted[k]))
            return total
        for k in range(n):
            total += _power(u_sorted[k] - v_sorted[k], p)
        return total / n
    i = 0
    j = 0
    previous = 0  # previous level times n*m, as an integer
    while i < n and j < m:
        level_u = (i + 1) * m
        level_v = (j + 1) * n
        level = min(level_u, level_v)
        total = _accumulate(total, level - previous, u_sorted[i] - v_sorted[j], p)
        previous = level
        if level_u == level:
            i += 1
        if level_v == level:
            j += 1
    return total if p == np.inf else total / (n * m)


@numba.njit(cache=True)
def quantile_distance_pp_weighted(u_sorted, u_weights, v_sorted, v_weights, p):
    r"""W_p^p between weighted samples by merging the two quantile functions.

    On each level interval ``(previous, level]`` both quantile functions are constant; the
    last cumulative weight of each sample is pinned to exactly 1 so that round-off in the
    running sums cannot leave a sliver of mass unmatched.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    cum_u = 1.0 if n == 1 else u_weights[0]
    cum_v = 1.0 if m == 1 else v_weights[0]
    previous = 0.0
    total = 0.0
    i = 0
    j = 0
    while i < n and j < m:
        level = min(cum_u, cum_v)
        step = level - previous
        if step > 0.0:
            total = _accumulate(total, step, u_sorted[i] - v_sorted[j], p)
            previous = level
        if cum_u <= level:
            i += 1
            if i < n:
                cum_u = 1.0 if i == n - 1 else cum_u + u_weights[i]
        if cum_v <= level:
            j += 1
            if j < m:
                cum_v = 1.0 if j == m - 1 else cum_v + v_weights[j]
    return total


@numba.njit(cache=True)
def cdf_distance_pp_uniform(u_sorted, v_sorted, p):
    r"""ℓ_p^p between uniform samples: :math:`\int |F(x) - G(x)|^p dx`.

    Walks the merged sorted values; between consecutive values both CDFs are constant,
    ``F = i/n`` and ``G = j/m``, and ``|F - G| = |i m - j n| / (n m)`` is formed from an exact
    integer difference.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    scale = 1.0 / (n * m)
    i = 0
    j = 0
    total = 0.0
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
        total = _accumulate(total, following - current, gap, p)
        current = following
    return total


@numba.njit(cache=True)
def cdf_distance_pp_weighted(u_sorted, u_weights, v_sorted, v_weights, p):
    r"""ℓ_p^p between weighted samples: :math:`\int |F(x) - G(x)|^p dx` by one merge.

    The running CDFs are pinned to exactly 1 once a sample is exhausted, so the tail where
    both CDFs equal 1 contributes exactly nothing.
    """
    n = u_sorted.shape[0]
    m = v_sorted.shape[0]
    i = 0
    j = 0
    cdf_u = 0.0
    cdf_v = 0.0
    total = 0.0
    if u_sorted[0] <= v_sorted[0]:
        current = u_sorted[0]
    else:
        current = v_sorted[0]
    while i < n or j < m:
        while i < n and u_sorted[i] <= current:
            cdf_u += u_weights[i]
            i += 1
        while j < m and v_sorted[j] <= current:
            cdf_v += v_weights[j]
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
        total = _accumulate(total, following - current, cdf_u - cdf_v, p)
        current = following
    return total
