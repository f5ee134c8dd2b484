r"""Sums and dot products without rounding error, for the optimality certificate.

A certificate that compares a plan's cost :math:`P = \sum_k \gamma_k c_k` with a dual value
:math:`D = a^\top u + b^\top v` cannot afford the rounding of a plain float64 sum: when the
optimum is tiny next to the potentials (a point that stays put far from two clusters at
scale 1e-11), the rounding of :math:`D` is larger than the optimum itself. These kernels
compute such sums **exactly** as a Shewchuk expansion (the algorithm of Python's
``math.fsum``: a list of non-overlapping partial sums, at most about 40 of them for
float64) and return the expansion rounded to float64, which differs from the exact value
by less than two units in its last place (and is 0 only when the exact value is 0).
Products are split exactly by Dekker's algorithm, so :math:`\sum_k x_k y_k` is exact up to
products that underflow (each then contributes an error below ``2**-1074``).

References
----------
.. [1] J. R. Shewchuk, "Adaptive precision floating-point arithmetic and fast robust
   geometric predicates", Discrete Comput. Geom. 18, 1997.
.. [2] T. J. Dekker, "A floating-point technique for extending the available precision",
   Numer. Math. 18, 1971.
"""

import numpy as np
from numba import njit, prange

__all__ = ["exact_dot", "exact_sum", "group_residuals", "row_c_transform_down",
           "column_c_transform_down", "forest_flows", "forest_repair"]

#: Non-overlapping partials a float64 expansion can need (2098 bits of exponent range / 53).
_MAX_PARTIALS = 48
#: Veltkamp's splitter for float64: 2^27 + 1.
_SPLITTER = 134217729.0
#: Values above this are scaled before splitting (the splitter's product must not overflow).
_SPLIT_LIMIT = 2.0**995


@njit(cache=True, inline="always")
def _add(partials: np.ndarray, count: int, value: float) -> int:
    """Add ``value`` to the expansion ``partials[:count]`` exactly; the new count."""
    kept = 0
    for slot in range(count):
        other = partials[slot]
        if abs(value) < abs(other):
            value, other = other, value
        high = value + other
        low = other - (high - value)
        if low != 0.0:
            partials[kept] = low
            kept += 1
        value = high
    partials[kept] = value
    return kept + 1


@njit(cache=True, inline="always")
def _rounded(partials: np.ndarray, count: int) -> float:
    """The expansion summed from its smallest partial up (within 2 ulp of its exact value)."""
    total = 0.0
    for slot in range(count):
        total += partials[slot]
    return total


@njit(cache=True, inline="always")
def _split(value: float) -> tuple[float, float]:
    """Dekker's split: ``value == high + low`` with both halves of at most 26 bits."""
    scaled = value
    factor = 1.0
    if abs(value) > _SPLIT_LIMIT:
        scaled = value * 2.0**-53
        factor = 2.0**53
    temporary = _SPLITTER * scaled
    high = temporary - (temporary - scaled)
    low = scaled - high
    return high * factor, low * factor


@njit(cache=True, inline="always")
def _two_product(x: float, y: float) -> tuple[float, float]:
    """``x * y == product + error`` exactly (unless the product under- or overflows)."""
    product = x * y
    x_high, x_low = _split(x)
    y_high, y_low = _split(y)
    error = x_low * y_low - (((product - x_high * y_high) - x_low * y_high) - x_high * y_low)
    return product, error


@njit(cache=True)
def exact_sum(values: np.ndarray) -> float:
    """``sum(values)`` exactly, rounded to float64 (inf or nan if a partial overflows)."""
    partials = np.empty(_MAX_PARTIALS)
    count = 0
    for value in values:
        count = _add(partials, count, value)
    return _rounded(partials, count)


@njit(cache=True)
def exact_dot(x: np.ndarray, y: np.ndarray) -> float:
    """``sum(x * y)`` exactly, rounded to float64 (products that underflow lose < 2**-1074)."""
    partials = np.empty(_MAX_PARTIALS)
    count = 0
    for k in range(x.size):
        product, error = _two_product(x[k], y[k])
        count = _add(partials, count, product)
        if error != 0.0 and np.isfinite(error):
            count = _add(partials, count, error)
    return _rounded(partials, count)


@njit(cache=True)
def group_residuals(groups: np.ndarray, values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``residual[g] = sum(values[groups == g]) - targets[g]``, each exactly, then rounded.

    ``groups`` holds indices in ``range(targets.size)`` **in ascending order** (sort the
    values by group first), so that one expansion at a time is needed.
    """
    residuals = np.empty(targets.size)
    partials = np.empty(_MAX_PARTIALS)
    k = 0
    for g in range(targets.size):
        count = _add(partials, 0, -targets[g])
        while k < values.size and groups[k] == g:
            count = _add(partials, count, values[k])
            k += 1
        residuals[g] = _rounded(partials, count)
    return residuals


@njit(cache=True, inline="always")
def _difference_rounded_up(x: float, y: float, difference: float) -> bool:
    """Whether ``difference = fl(x - y)`` lies above the exact ``x - y`` (Knuth's TwoSum)."""
    virtual = difference - x
    error = (x - (difference - virtual)) + (-y - virtual)
    return error < 0.0


@njit(cache=True, parallel=True)
def row_c_transform_down(cost: np.ndarray, potential: np.ndarray) -> np.ndarray:
    r"""``u[i] <= min_j (cost[i, j] - potential[j])`` exactly, as large as float64 allows.

    The float minimum is kept when it is the exact minimum and stepped one float down when
    a difference attaining it was rounded up: rounding is monotone, so no exact difference
    lies below ``nextafter(m, -inf)``. Then ``u[i] + potential[j] <= cost[i, j]`` holds for
    every pair in exact arithmetic, not only after rounding. ``-inf`` potentials (left
    out) are skipped. Parallel over rows; the answer does not depend on the threads (the
    minimum and whether any difference attaining it rounded up are order-free).
    """
    n, m = cost.shape
    dual = np.empty(n)
    for i in prange(n):
        smallest = np.inf
        rounded_up = False
        for j in range(m):
            candidate = cost[i, j] - potential[j]
            if candidate < smallest:
                smallest = candidate
                rounded_up = _difference_rounded_up(cost[i, j], potential[j], candidate)
            elif candidate == smallest and not rounded_up:
                rounded_up = _difference_rounded_up(cost[i, j], potential[j], candidate)
        dual[i] = np.nextafter(smallest, -np.inf) if rounded_up else smallest
    return dual


#: Columns per block of the parallel column c-transform (a block of a row is contiguous).
_COLUMN_BLOCK = 256


@njit(cache=True, parallel=True)
def column_c_transform_down(cost: np.ndarray, potential: np.ndarray) -> np.ndarray:
    """``v[j] <= min_i (cost[i, j] - potential[i])`` exactly (see :func:`row_c_transform_down`).

    Parallel over blocks of columns, each scanned row by row.
    """
    n, m = cost.shape
    dual = np.full(m, np.inf)
    rounded_up = np.zeros(m, dtype=np.bool_)
    for block in prange((m + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK):
        first = block * _COLUMN_BLOCK
        last = min(m, first + _COLUMN_BLOCK)
        for i in range(n):
            for j in range(first, last):
                candidate = cost[i, j] - potential[i]
                if candidate < dual[j]:
                    dual[j] = candidate
                    rounded_up[j] = _difference_rounded_up(cost[i, j], potential[i], candidate)
                elif candidate == dual[j] and not rounded_up[j]:
                    rounded_up[j] = _difference_rounded_up(cost[i, j], potential[i], candidate)
    for j in range(m):
        if rounded_up[j]:
            dual[j] = np.nextafter(dual[j], -np.inf)
    return dual


@njit(cache=True)
def _peel_forest(rows: np.ndarray, columns: np.ndarray, n: int, m: int, a: np.ndarray,
                 b: np.ndarray, clamp: bool) -> tuple[np.ndarray, np.ndarray, bool]:
    """Leaf peeling: each leaf's arc takes what is left at the leaf, which then leaves its
    neighbour. Returns ``(flows, remaining, ok)``: ``remaining`` is what is left where each
    tree ends, ``ok`` False for a cycle or (with ``clamp``, which sets rounding-level
    negative flows to zero) a flow negative beyond rounding."""
    arcs = rows.size
    nodes = n + m
    degree = np.zeros(nodes, dtype=np.int64)
    for k in range(arcs):
        degree[rows[k]] += 1
        degree[n + columns[k]] += 1
    # Adjacency in CSR form.
    offsets = np.zeros(nodes + 1, dtype=np.int64)
    for node in range(nodes):
        offsets[node + 1] = offsets[node] + degree[node]
    fill = offsets[:-1].copy()
    adjacent = np.empty(2 * arcs, dtype=np.int64)
    for k in range(arcs):
        adjacent[fill[rows[k]]] = k
        fill[rows[k]] += 1
        adjacent[fill[n + columns[k]]] = k
        fill[n + columns[k]] += 1
    remaining = np.empty(nodes)
    remaining[:n] = a
    remaining[n:] = b
    flows = np.zeros(arcs)
    done = np.zeros(arcs, dtype=np.bool_)
    stack = np.empty(nodes, dtype=np.int64)
    top = 0
    for node in range(nodes):
        if degree[node] == 1:
            stack[top] = node
            top += 1
    peeled = 0
    while top > 0:
        top -= 1
        node = stack[top]
        if degree[node] != 1:
            continue
        arc = -1
        for slot in range(offsets[node], offsets[node + 1]):
            if not done[adjacent[slot]]:
                arc = adjacent[slot]
                break
        flow = remaining[node]
        if clamp and flow < 0.0:
            if flow < -1e-12 * max(np.abs(a).max(), np.abs(b).max()):
                return flows, remaining, False
            flow = 0.0
        flows[arc] = flow
        done[arc] = True
        peeled += 1
        other = n + columns[arc] if node < n else rows[arc]
        remaining[node] = 0.0
        remaining[other] -= flow
        degree[node] = 0
        degree[other] -= 1
        if degree[other] == 1:
            stack[top] = other
            top += 1
    return flows, remaining, peeled == arcs


@njit(cache=True)
def forest_flows(rows: np.ndarray, columns: np.ndarray, n: int, m: int, a: np.ndarray,
                 b: np.ndarray) -> tuple[np.ndarray, bool]:
    """Flows on arcs that form a forest, recomputed from the masses by peeling leaves.

    A basic solution of the transport LP ships on the arcs of a spanning forest, where the
    masses determine every flow: a leaf's arc carries the leaf's mass, which is then taken
    from its neighbour, and so on. Recomputing the flows this way (one subtraction per arc)
    makes the marginals exact whenever the masses are (dyadic weights, say) and otherwise
    leaves each node's residual at a few units in the last place of its mass, whatever the
    solver's own arithmetic did. Returns ``(flows, ok)``; ``ok`` is False when the arcs
    contain a cycle or a peeled flow would be negative beyond rounding (the caller then
    keeps the solver's flows).
    """
    flows, _, ok = _peel_forest(rows, columns, n, m, a, b, True)
    return flows, ok


@njit(cache=True)
def forest_repair(rows: np.ndarray, columns: np.ndarray, n: int, m: int,
                  row_residual: np.ndarray, column_residual: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, bool]:
    """The flow changes on a forest's arcs that cancel the marginal residuals at every node
    but one per tree, by the same peeling (a change on an arc moves both of its ends'
    residuals by the same amount).

    ``row_residual``, ``column_residual`` are ``flow sums - masses``. Returns ``(change,
    left, ok)``: ``change`` per arc (of either sign), ``left`` the residual that remains at
    each node (nonzero only where a tree ends: that tree's own imbalance of mass, up to
    rounding), ``ok`` False when the arcs contain a cycle.
    """
    moved, left, ok = _peel_forest(rows, columns, n, m, row_residual, column_residual, False)
    return -moved, left, ok
