"""One pass over a transport plan and its potentials for the optimality certificate."""

import numpy as np
from numba import njit


@njit(cache=True)
def certificate_sums(plan, cost, dual_v):
    """The plan's cost and marginals, and the c-transform of the target potential.

    Returns ``(primal, primal_size, dual_u, row_sums, column_sums)`` with
    ``primal = sum(plan * cost)``, ``primal_size = sum(plan * |cost|)`` and
    ``dual_u[i] = min_j (cost[i, j] - dual_v[j])``, the largest source potential that is
    feasible with ``dual_v``: ``(cost[i, j] - dual_v[j]) - dual_u[i] >= 0`` holds exactly in
    floating point for every entry. No (n, m) temporary is made.
    """
    n, m = cost.shape
    row_sums = np.zeros(n)
    column_sums = np.zeros(m)
    dual_u = np.empty(n)
    primal = 0.0
    primal_size = 0.0
    for i in range(n):
        smallest = np.inf
        for j in range(m):
            candidate = cost[i, j] - dual_v[j]
            if candidate < smallest:
                smallest = candidate
            mass = plan[i, j]
            if mass != 0.0:
                row_sums[i] += mass
                column_sums[j] += mass
                primal += mass * cost[i, j]
                primal_size += mass * abs(cost[i, j])
        dual_u[i] = smallest
    return primal, primal_size, dual_u, row_sums, column_sums


@njit(cache=True)
def column_c_transform(cost, dual_u):
    """``dual_v[j] = min_i (cost[i, j] - dual_u[i])`` without an (n, m) temporary."""
    n, m = cost.shape
    dual_v = np.full(m, np.inf)
    for i in range(n):
        for j in range(m):
            candidate = cost[i, j] - dual_u[i]
            if candidate < dual_v[j]:
                dual_v[j] = candidate
    return dual_v
