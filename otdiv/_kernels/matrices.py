r"""Dense ``n x m`` matrices for the dense exact path: the distance matrix and a plan's support.

Both kernels split the rows between threads; their results do not depend on the number of
threads. They exist because the dense path runs them once per solve on matrices of up to
``n * m`` = 10⁸ entries, where ``scipy.spatial.distance.cdist`` (one thread) and
``np.nonzero(plan > 0)`` (a temporary boolean matrix) cost a tenth of the solve.
"""

import numpy as np
from numba import njit, prange

from .pricing import _UNDERFLOW_RISK, rescaled_distance_power

__all__ = ["euclidean_distance_matrix", "positive_support"]


@njit(cache=True, parallel=True)
def euclidean_distance_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""``D[i, j] = ||x_i - y_j||`` for C-contiguous ``x`` (n, d) and ``y`` (m, d).

    The squares are summed in the order of the coordinates, as ``cdist`` does (the same
    numbers, bit for bit, where neither fuses multiply-adds, as on x86-64 builds, and
    nothing underflows; a few units in the last place apart otherwise); each row is
    accumulated over the coordinates across all columns at once, which vectorises. A sum
    below ``2^-900`` (whose squares may have underflowed) is recomputed from rescaled
    differences, so every entry has relative accuracy of a few units in the last place at
    every scale.

    Examples
    --------
    >>> import numpy as np
    >>> euclidean_distance_matrix(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [0.0, 1e-170]]))
    array([[5.e+000, 1.e-170]])
    """
    n, d = x.shape
    m = y.shape[0]
    y_by_coordinate = np.ascontiguousarray(y.T)
    distance = np.empty((n, m))
    for i in prange(n):
        row = distance[i]
        row[:] = 0.0
        for k in range(d):
            coordinate = x[i, k]
            for j in range(m):
                gap = coordinate - y_by_coordinate[k, j]
                row[j] += gap * gap
        for j in range(m):
            if row[j] < _UNDERFLOW_RISK:
                row[j] = rescaled_distance_power(x, i, y, j, 1.0)
            else:
                row[j] = np.sqrt(row[j])
    return distance


@njit(cache=True, parallel=True)
def positive_support(plan: np.ndarray, clear_the_rest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the positive entries of ``plan`` (n, m), row by row.

    With ``clear_the_rest`` the other entries (zeros, and negative or NaN ones a solver
    left) are set to 0 in place, so that the array holds exactly the positive part.
    """
    n, m = plan.shape
    counts = np.zeros(n + 1, dtype=np.int64)
    for i in prange(n):
        count = 0
        for j in range(m):
            if plan[i, j] > 0.0:
                count += 1
            elif clear_the_rest:
                plan[i, j] = 0.0
        counts[i + 1] = count
    offsets = np.cumsum(counts)
    rows = np.empty(offsets[n], dtype=np.int64)
    columns = np.empty(offsets[n], dtype=np.int64)
    for i in prange(n):
        k = offsets[i]
        for j in range(m):
            if plan[i, j] > 0.0:
                rows[k] = i
                columns[k] = j
                k += 1
    return rows, columns
