r"""Pairwise distance sums for the exact energy distance in R^d (no validation).

Inputs: points ``x`` of shape ``(n, d)``, the same points transposed ``x_t`` of shape
``(d, n)`` (coordinate-major, so the innermost loops run over contiguous memory and
vectorise), and weights of shape ``(n,)``; all C-contiguous float64 and finite.

Memory is O(n + m): the distance matrix is never formed; each row works through the other
sample in blocks of ``BLOCK`` points with a small scratch buffer. Work is split over a *fixed*
partition (one row, or one pair of rows, per parallel iteration); each iteration writes its
partial sum to its own slot, and the slots are added in a fixed order afterwards, so the
result does not depend on the number of threads or on their timing.

Floating-point flags: the kernels allow re-association and contraction (``fastmath`` with
``reassoc, contract, nsz, arcp``) so that the weighted sums of square roots vectorise. They
do *not* assume the absence of NaN or infinity (no ``nnan``/``ninf``); inputs are validated
finite before they get here. Re-association changes the last bits only: the tests compare
with the uncompiled ``.py_func`` and with a NumPy brute force at ``rtol=1e-12``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["BLOCK", "cross_distance_sum", "within_distance_sum", "cross_distance_sum_serial",
           "within_distance_sum_serial"]

BLOCK = 256
_FLAGS = {"reassoc", "contract", "nsz", "arcp"}


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _row_sum_plane(first: float, second: float, y_t: np.ndarray, weights: np.ndarray, stop: int
                   ) -> float:
    # sum_{j < stop} weights[j] * ||(first, second) - y_j||: one fused loop that vectorises
    y_first, y_second = y_t[0], y_t[1]
    total = 0.0
    for j in range(stop):
        a = first - y_first[j]
        b = second - y_second[j]
        total += weights[j] * math.sqrt(a * a + b * b)
    return total


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _row_sum_space(first: float, second: float, third: float, y_t: np.ndarray, weights: np.ndarray,
                   stop: int) -> float:
    # the same in R^3
    y_first, y_second, y_third = y_t[0], y_t[1], y_t[2]
    total = 0.0
    for j in range(stop):
        a = first - y_first[j]
        b = second - y_second[j]
        c = third - y_third[j]
        total += weights[j] * math.sqrt(a * a + b * b + c * c)
    return total


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _row_sum_blocked(point: np.ndarray, y_t: np.ndarray, weights: np.ndarray, stop: int,
                     buffer: np.ndarray) -> float:
    # any d: squared distances of BLOCK columns accumulated coordinate by coordinate
    d = y_t.shape[0]
    total = 0.0
    for block_start in range(0, stop, BLOCK):
        length = min(BLOCK, stop - block_start)
        first = point[0]
        for t in range(length):
            difference = first - y_t[0, block_start + t]
            buffer[t] = difference * difference
        for k in range(1, d):
            coordinate = point[k]
            for t in range(length):
                difference = coordinate - y_t[k, block_start + t]
                buffer[t] += difference * difference
        for t in range(length):
            total += weights[block_start + t] * math.sqrt(buffer[t])
    return total


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _weighted_row_sum(point: np.ndarray, y_t: np.ndarray, weights: np.ndarray, stop: int,
                      buffer: np.ndarray) -> float:
    # sum_{j < stop} weights[j] * ||point - y_j||. The sum runs over a prefix (j from 0):
    # a loop that starts at a row-dependent offset vectorised three times worse.
    d = y_t.shape[0]
    if d == 2:
        return _row_sum_plane(point[0], point[1], y_t, weights, stop)
    if d == 3:
        return _row_sum_space(point[0], point[1], point[2], y_t, weights, stop)
    return _row_sum_blocked(point, y_t, weights, stop, buffer)


@numba.njit(cache=True)
def _sum_in_order(values: np.ndarray) -> float:
    # A plain loop: inside a parallel function np.sum would become a reduction whose
    # partition, and so whose rounding, depends on the number of threads.
    total = 0.0
    for k in range(values.shape[0]):
        total += values[k]
    return total


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _cross_row(i: int, x: np.ndarray, x_weights: np.ndarray, y_t: np.ndarray,
               y_weights: np.ndarray, buffer: np.ndarray) -> float:
    # a_i sum_j b_j ||x_i - y_j||: iteration i of the cross sum
    return x_weights[i] * _weighted_row_sum(x[i], y_t, y_weights, y_t.shape[1], buffer)


@numba.njit(cache=True, fastmath=_FLAGS, inline="always")
def _within_row_pair(k: int, x: np.ndarray, x_t: np.ndarray, weights: np.ndarray,
                     buffer: np.ndarray) -> float:
    # rows k and n - 1 - k of the lower triangle: iteration k of the within sum
    row_sum = weights[k] * _weighted_row_sum(x[k], x_t, weights, k, buffer)
    mirror = x.shape[0] - 1 - k
    if mirror != k:
        row_sum += weights[mirror] * _weighted_row_sum(x[mirror], x_t, weights, mirror, buffer)
    return row_sum


@numba.njit(cache=True, parallel=True, fastmath=_FLAGS)
def cross_distance_sum(x: np.ndarray, x_weights: np.ndarray, y_t: np.ndarray, y_weights: np.ndarray
                       ) -> float:
    r""":math:`\sum_{i,j} a_i b_j \|x_i - y_j\|`, one parallel iteration per row of ``x``.

    ``x`` has shape ``(n, d)``; ``y_t`` is the other sample transposed, shape ``(d, m)``.
    """
    n = x.shape[0]
    partial = np.empty(n)
    for i in numba.prange(n):
        partial[i] = _cross_row(i, x, x_weights, y_t, y_weights, np.empty(BLOCK))
    return _sum_in_order(partial)


@numba.njit(cache=True, parallel=True, fastmath=_FLAGS)
def within_distance_sum(x: np.ndarray, x_t: np.ndarray, weights: np.ndarray) -> float:
    r""":math:`\sum_{i,i'} a_i a_{i'} \|x_i - x_{i'}\|` over ordered pairs, from ``i' < i``.

    Iteration ``k`` handles rows ``k`` and ``n - 1 - k``, whose lower-triangle lengths add up
    to ``n - 1``: every iteration does the same work, so the static split over threads is
    balanced.
    """
    half = (x.shape[0] + 1) // 2
    partial = np.empty(half)
    for k in numba.prange(half):
        partial[k] = _within_row_pair(k, x, x_t, weights, np.empty(BLOCK))
    return 2.0 * _sum_in_order(partial)


# Serial twins for small inputs: waking a thread team costs more than a few thousand
# distances, and on a loaded machine a parallel region can wait a whole scheduler time slice
# for its second thread. Same iterations (the helpers above) and summation order.

@numba.njit(cache=True, fastmath=_FLAGS)
def cross_distance_sum_serial(x: np.ndarray, x_weights: np.ndarray, y_t: np.ndarray,
                              y_weights: np.ndarray) -> float:
    r"""The weighted cross sum of ``cross_distance_sum``, on one thread."""
    n = x.shape[0]
    partial = np.empty(n)
    buffer = np.empty(BLOCK)
    for i in range(n):
        partial[i] = _cross_row(i, x, x_weights, y_t, y_weights, buffer)
    return _sum_in_order(partial)


@numba.njit(cache=True, fastmath=_FLAGS)
def within_distance_sum_serial(x: np.ndarray, x_t: np.ndarray, weights: np.ndarray) -> float:
    r"""The ordered-pair sum of ``within_distance_sum``, on one thread."""
    half = (x.shape[0] + 1) // 2
    partial = np.empty(half)
    buffer = np.empty(BLOCK)
    for k in range(half):
        partial[k] = _within_row_pair(k, x, x_t, weights, buffer)
    return 2.0 * _sum_in_order(partial)
