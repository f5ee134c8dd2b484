r"""Pricing without the cost matrix: k-d tree searches for the cheapest arcs of a row.

The sparse exact solver needs, for every source point :math:`x_i`, the targets :math:`y_j`
with the smallest *modified cost* :math:`c(x_i, y_j) - w_j` for a potential :math:`w`, where
:math:`c(x, y) = \|x - y\|^p`. The smallest one is the c-transform
:math:`w^c(x_i) = \min_j c(x_i, y_j) - w_j` (the certificate), and those below the source's
own potential are the arcs with a negative reduced cost (the pricing). Neither needs the
:math:`n \times m` matrix: the targets live in a balanced k-d tree whose every node knows
its bounding box and the largest potential inside it, so that a whole node is skipped when

.. math:: \operatorname{dist}(x_i, \mathrm{box})^p - \max_{j \in \mathrm{node}} w_j

is no better than the k-th best value found so far. The answer is exact (the bound is a
true lower bound); only the work depends on how well the potential is shaped.

The tree uses the implicit heap layout: node ``k`` has children ``2k + 1`` and ``2k + 2``,
leaves are the last ``2**depth`` nodes, and node ``k`` holds the points
``start[k]:end[k]`` of the tree order.
"""

import numpy as np
from numba import njit, prange

__all__ = ["ground_cost", "arc_costs", "node_maxima", "cheapest_targets", "box_distance_power"]


@njit(cache=True, inline="always")
def _power_of_squared(squared_distance, p):
    """``distance^p`` from ``distance^2`` (no square root for p = 2)."""
    if p == 2.0:
        return squared_distance
    distance = np.sqrt(squared_distance)
    if p == 1.0:
        return distance
    return distance ** p


#: Below this, a sum of squared differences may have lost digits to underflow (the squares
#: of differences under 2^-511 are subnormal or zero): it is then recomputed rescaled.
_UNDERFLOW_RISK = 2.0**-900


@njit(cache=True)
def rescaled_distance_power(x, i, y, j, p):
    """``||x_i - y_j||^p`` as ``scale * sqrt(sum((gap / scale)^2))``, like ``hypot``: no
    under- or overflow of the squares, relative accuracy at every scale."""
    largest = 0.0
    for k in range(x.shape[1]):
        largest = max(largest, abs(x[i, k] - y[j, k]))
    if largest == 0.0:
        return 0.0
    total = 0.0
    for k in range(x.shape[1]):
        difference = (x[i, k] - y[j, k]) / largest
        total += difference * difference
    distance = np.sqrt(total) * largest
    return distance if p == 1.0 else distance ** p


@njit(cache=True, inline="always")
def ground_cost(x, i, y, j, p):
    """``||x_i - y_j||^p`` for rows of two C-contiguous (n, d) arrays.

    Relative accuracy of a few units in the last place at every scale: a sum of squares
    small enough to have underflowed is recomputed from rescaled differences.
    """
    total = 0.0
    for k in range(x.shape[1]):
        difference = x[i, k] - y[j, k]
        total += difference * difference
    if total < _UNDERFLOW_RISK:
        return rescaled_distance_power(x, i, y, j, p)
    return _power_of_squared(total, p)


@njit(cache=True, parallel=True)
def arc_costs(x, y, rows, columns, p):
    """Costs of the arcs ``(rows[k], columns[k])``."""
    costs = np.empty(rows.size)
    for k in prange(rows.size):
        costs[k] = ground_cost(x, rows[k], y, columns[k], p)
    return costs


@njit(cache=True, inline="always")
def box_distance_power(x, i, low, high, node, p):
    """A lower bound of ``dist(x_i, box)^p`` for the bounding box of ``node`` (0 inside it).

    Shrunk by a relative ``64 p`` units in the last place so that it stays below the
    rounded :func:`ground_cost` of every point in the box: the searches that prune with it
    are then exact for the rounded costs, which the certificate relies on.
    """
    total = 0.0
    for k in range(x.shape[1]):
        value = x[i, k]
        if value < low[node, k]:
            difference = low[node, k] - value
        elif value > high[node, k]:
            difference = value - high[node, k]
        else:
            continue
        total += difference * difference
    if total < _UNDERFLOW_RISK:
        return 0.0  # a box this close: no pruning (a valid lower bound)
    return _power_of_squared(total, p) * (1.0 - 64.0 * max(p, 1.0) * 2.220446049250313e-16)


@njit(cache=True)
def node_maxima(potential_in_tree_order, start, end, first_leaf):
    """The largest potential inside every node (``-inf`` for an empty node)."""
    n_nodes = start.size
    maxima = np.full(n_nodes, -np.inf)
    for node in range(first_leaf, n_nodes):
        for position in range(start[node], end[node]):
            if potential_in_tree_order[position] > maxima[node]:
                maxima[node] = potential_in_tree_order[position]
    for node in range(first_leaf - 1, -1, -1):
        maxima[node] = max(maxima[2 * node + 1], maxima[2 * node + 2])
    return maxima


@njit(cache=True, inline="always")
def _insert_sorted(values, indices, value, index):
    """Insert ``value`` into the ascending ``values`` (dropping the last), with its index."""
    slot = values.size - 1
    while slot > 0 and values[slot - 1] > value:
        values[slot] = values[slot - 1]
        indices[slot] = indices[slot - 1]
        slot -= 1
    values[slot] = value
    indices[slot] = index


@njit(cache=True, inline="always")
def _push(stack, stack_bound, top, node, bound, worst):
    """Push ``node`` with its lower ``bound`` unless it cannot beat ``worst``; new top."""
    if bound < worst:
        stack[top] = node
        stack_bound[top] = bound
        top += 1
    return top


@njit(cache=True, parallel=True)
def cheapest_targets(x, tree_points, tree_potential, low, high, start, end, first_leaf,
                     maxima, p, k, bounds, out_index, out_value):
    """For every row ``i`` of ``x``, the ``k`` smallest ``c(x_i, y_j) - w_j`` below ``bounds[i]``.

    ``tree_points`` and ``tree_potential`` are the targets and their potential in tree order.
    Writes ascending values into ``out_value[i]`` and tree positions into ``out_index[i]``
    (``-1`` and ``bounds[i]`` in unused slots). Parallel over rows; each row's result does
    not depend on the thread that computed it.
    """
    n_nodes = start.size
    depth_cap = 2 * (int(np.log2(n_nodes + 1)) + 2)
    for i in prange(x.shape[0]):
        values = out_value[i]
        indices = out_index[i]
        values[:] = bounds[i]  # empty slots: the bound, position -1
        indices[:] = -1
        stack = np.empty(depth_cap, dtype=np.int64)
        stack_bound = np.empty(depth_cap)
        stack[0] = 0
        stack_bound[0] = box_distance_power(x, i, low, high, 0, p) - maxima[0]
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            if stack_bound[top] >= values[k - 1]:
                continue
            if node >= first_leaf:
                for position in range(start[node], end[node]):
                    value = ground_cost(x, i, tree_points, position, p) - tree_potential[position]
                    if value < values[k - 1]:
                        _insert_sorted(values, indices, value, position)
                continue
            left = 2 * node + 1
            right = left + 1
            left_bound = box_distance_power(x, i, low, high, left, p) - maxima[left]
            right_bound = box_distance_power(x, i, low, high, right, p) - maxima[right]
            # Push the less promising child first so that the better one is searched first.
            if left_bound <= right_bound:
                top = _push(stack, stack_bound, top, right, right_bound, values[k - 1])
                top = _push(stack, stack_bound, top, left, left_bound, values[k - 1])
            else:
                top = _push(stack, stack_bound, top, left, left_bound, values[k - 1])
                top = _push(stack, stack_bound, top, right, right_bound, values[k - 1])


@njit(cache=True, parallel=True)
def cheapest_targets_scan(x, y, potential, p, k, bounds, out_index, out_value):
    """:func:`cheapest_targets` by scanning every target: O(n m d) time, no tree.

    The brute-force reference the tests check the tree search against (the solver always
    uses the tree; the scan was not measured faster on the benchmark's problems).
    """
    for i in prange(x.shape[0]):
        values = out_value[i]
        indices = out_index[i]
        values[:] = bounds[i]  # empty slots: the bound, position -1
        indices[:] = -1
        worst = values[k - 1]
        for j in range(y.shape[0]):
            value = ground_cost(x, i, y, j, p) - potential[j]
            if value < worst:
                _insert_sorted(values, indices, value, j)
                worst = values[k - 1]
