"""One pass over a transport plan and its potentials for the optimality certificate."""

import numpy as np
from numba import njit


@njit(cache=True)
def certificate_sums(plan, cost, dual_u, dual_v):
    """Everything the LP certificate needs, without an (n, m) temporary.

    Returns ``(primal, slackness, min_reduced, row_sums, column_sums)`` where
    ``primal = sum(plan * cost)``, ``slackness = sum(plan * (cost - u_i - v_j))`` and
    ``min_reduced = min(cost - u_i - v_j)``.
    """
    n, m = cost.shape
    row_sums = np.zeros(n)
    column_sums = np.zeros(m)
    primal = 0.0
    slackness = 0.0
    min_reduced = np.inf
    for i in range(n):
        for j in range(m):
            reduced = cost[i, j] - dual_u[i] - dual_v[j]
            if reduced < min_reduced:
                min_reduced = reduced
            mass = plan[i, j]
            if mass != 0.0:
                row_sums[i] += mass
                column_sums[j] += mass
                primal += mass * cost[i, j]
                slackness += mass * reduced
    return primal, slackness, min_reduced, row_sums, column_sums
