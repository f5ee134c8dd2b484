"""Kernels for critic certificates: the exact empirical Lipschitz constant and the
monotone (north-west corner) coupling of two sorted samples on the line."""

import numpy as np
from numba import njit, prange

from .pricing import rescaled_distance_power


@njit(cache=True, inline="always")
def _rescaled_distance(points: np.ndarray, i: int, j: int) -> float:
    """``||points[i] - points[j]||`` without under- or overflow (see
    :func:`~otdiv._kernels.pricing.rescaled_distance_power`)."""
    return rescaled_distance_power(points, i, points, j, 1.0)


@njit(cache=True, parallel=True)
def max_slope(points: np.ndarray, values: np.ndarray) -> tuple[float, int, int]:
    """Largest ``|values[i] - values[j]| / ||points[i] - points[j]||`` over all pairs.

    O(N) memory, O(N^2 d) time. Rows are processed in pairs ``(t, N - 1 - t)`` so every
    parallel task does the same amount of work on the upper triangle. Coincident points
    with different values give ``inf``. Returns ``(slope, i, j)`` for a maximising pair
    (``(0.0, -1, -1)`` when there is no pair with a positive slope).
    """
    n, d = points.shape
    half = (n + 1) // 2
    best_slope = np.zeros(half)
    best_i = np.full(half, -1)
    best_j = np.full(half, -1)
    for t in prange(half):
        for side in range(2):
            # np.int64: mixing prange's unsigned index with signed ints would give floats.
            row = np.int64(t) if side == 0 else np.int64(n - 1) - np.int64(t)
            if side == 1 and row == t:  # the middle row when n is odd
                break
            for j in range(row + 1, n):
                squared = 0.0
                for k in range(d):
                    difference = points[row, k] - points[j, k]
                    squared += difference * difference
                if 1e-280 <= squared <= 1e280:
                    distance = np.sqrt(squared)
                else:
                    distance = _rescaled_distance(points, row, j)
                change = abs(values[row] - values[j])
                if distance == 0.0:
                    slope = np.inf if change > 0.0 else 0.0
                else:
                    slope = change / distance
                if slope > best_slope[t]:
                    best_slope[t] = slope
                    best_i[t] = row
                    best_j[t] = j
    winner = 0
    for t in range(half):
        if best_slope[t] > best_slope[winner]:
            winner = t
    return best_slope[winner], best_i[winner], best_j[winner]


@njit(cache=True)
def monotone_coupling(u_sorted_weights: np.ndarray, v_sorted_weights: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """North-west corner coupling of two probability vectors given in sorted order.

    Returns ``(rows, columns, masses)`` with at most ``n + m - 1`` entries; row and column
    indices refer to the sorted order. This is the optimal plan on the line for every
    convex cost.
    """
    n = u_sorted_weights.size
    m = v_sorted_weights.size
    rows = np.empty(n + m - 1, dtype=np.int64)
    columns = np.empty(n + m - 1, dtype=np.int64)
    masses = np.empty(n + m - 1)
    i = 0
    j = 0
    count = 0
    left_u = u_sorted_weights[0]
    left_v = v_sorted_weights[0]
    while i < n and j < m:
        moved = min(left_u, left_v)
        rows[count] = i
        columns[count] = j
        masses[count] = moved
        count += 1
        left_u -= moved
        left_v -= moved
        # Advance whichever side is exhausted (the one with less left at a tie, so that a
        # round-off crumb on the other side is carried to the next pair).
        if left_u <= left_v:
            i += 1
            if i < n:
                left_u = u_sorted_weights[i]
        else:
            j += 1
            if j < m:
                left_v = v_sorted_weights[j]
        if count == n + m - 1:
            break
    return rows[:count], columns[:count], masses[:count]
