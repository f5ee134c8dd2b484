r"""The Monge problem on a cost matrix: optimal assignment of rows to columns."""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment

from .._validation import as_cost_matrix
from .results import AssignmentResult

__all__ = ["solve_assignment", "brute_force_assignment", "BRUTE_FORCE_LIMIT"]

#: Largest number of candidate assignments ``m! / (m - n)!`` that
#: :func:`brute_force_assignment` will enumerate (that is 10!).
BRUTE_FORCE_LIMIT = math.factorial(10)


def _as_assignment_cost(cost: ArrayLike) -> np.ndarray:
    cost = as_cost_matrix(cost, "cost")
    n, m = cost.shape
    if n > m:
        raise ValueError(f"cost must have at most as many rows as columns (each row gets its own "
                         f"column), got shape {cost.shape}; pass cost.T to assign columns")
    return cost


def solve_assignment(cost: ArrayLike) -> AssignmentResult:
    r"""Solve the assignment (Monge) problem exactly.

    Finds the injective map :math:`\sigma` from rows to columns minimising the total cost

    .. math:: \min_{\sigma} \sum_{i=1}^{n} C_{i, \sigma(i)}, \qquad n \le m,

    with the shortest-augmenting-path (Hungarian-type) algorithm of
    ``scipy.optimize.linear_sum_assignment``, in :math:`O(n^2 m)` time instead of the
    :math:`m!/(m-n)!` of enumeration.

    Parameters
    ----------
    cost : array_like, shape (n, m), n <= m
        Finite cost matrix: ``cost[i, j]`` is the price of sending row ``i`` to column ``j``.

    Returns
    -------
    AssignmentResult
        ``cost`` (the optimal total) and ``permutation`` (row ``i`` goes to column
        ``permutation[i]``).

    Raises
    ------
    ValueError
        If ``cost`` is not a non-empty finite 2-D matrix with ``n <= m``.

    See Also
    --------
    brute_force_assignment : the enumeration oracle for small problems.
    solve_kantorovich : the relaxation with arbitrary masses.

    Notes
    -----
    With equal uniform masses the Kantorovich linear program has a permutation matrix
    among its optimal vertices (Birkhoff–von Neumann), so the optimal assignment cost divided
    by ``n`` equals the optimal transport cost between uniform measures.

    References
    ----------
    .. [1] D. F. Crouse, "On implementing 2D rectangular assignment algorithms",
       IEEE Trans. Aerospace and Electronic Systems 52(4), 2016.

    Examples
    --------
    The lecture's bakery problem (six bakeries, six cafés):

    >>> from otdiv import solve_assignment
    >>> from otdiv.datasets import bakery
    >>> result = solve_assignment(bakery().cost)
    >>> float(result.cost)
    64.0
    >>> result.permutation.tolist()
    [4, 5, 1, 0, 2, 3]
    """
    cost = _as_assignment_cost(cost)
    rows, columns = linear_sum_assignment(cost)
    permutation = np.empty(cost.shape[0], dtype=np.intp)
    permutation[rows] = columns
    return AssignmentResult(cost=_total(cost, permutation), permutation=permutation)


def _total(cost: np.ndarray, permutation: np.ndarray) -> float:
    with np.errstate(over="ignore"):
        total = float(cost[np.arange(cost.shape[0]), permutation].sum())
    if not np.isfinite(total):
        raise ValueError("cost entries are so large that the total of an assignment "
                         "overflows float64; rescale cost")
    return total


def brute_force_assignment(cost: ArrayLike) -> AssignmentResult:
    r"""Solve the assignment problem by enumerating every injective map.

    Evaluates all :math:`m!/(m-n)!` candidate assignments, which is what makes the Monge
    problem hopeless by hand: the count grows factorially. Use it as an oracle for small
    problems; it refuses more than ``10!`` candidates. Among assignments whose floating-point
    totals are equal it returns the lexicographically smallest (totals that are equal in
    exact arithmetic may differ in the last bit, e.g. 0.1 + 0.3 + 0.2 and 0.1 + 0.2 + 0.3).

    Parameters
    ----------
    cost : array_like, shape (n, m), n <= m
        Finite cost matrix with ``m! / (m - n)! <= 10!``.

    Returns
    -------
    AssignmentResult

    Raises
    ------
    ValueError
        If the enumeration would exceed ``10!`` candidates, or ``cost`` is invalid.

    Examples
    --------
    >>> from otdiv import brute_force_assignment
    >>> result = brute_force_assignment([[4, 1], [2, 3]])
    >>> float(result.cost), result.permutation.tolist()
    (3.0, [1, 0])
    """
    cost = _as_assignment_cost(cost)
    n, m = cost.shape
    count = math.perm(m, n)
    if count > BRUTE_FORCE_LIMIT:
        raise ValueError(f"cost of shape {cost.shape} has {count:,} candidate assignments; "
                         f"brute_force_assignment enumerates at most 10! = "
                         f"{BRUTE_FORCE_LIMIT:,}: use solve_assignment")
    best_cost = None
    best = None
    rows = np.arange(n)
    candidates = itertools.permutations(range(m), n)
    chunk_size = 100_000
    while True:
        chunk = np.array(list(itertools.islice(candidates, chunk_size)), dtype=np.intp)
        if chunk.size == 0:
            break
        chunk = chunk.reshape(-1, n)
        with np.errstate(over="ignore"):
            totals = cost[rows, chunk].sum(axis=1)
        index = int(np.argmin(totals))
        if best_cost is None or totals[index] < best_cost:
            best_cost = float(totals[index])
            best = chunk[index].copy()
    if best is None:  # unreachable: every n >= 1 has at least one candidate
        raise RuntimeError("no assignment was enumerated")
    return AssignmentResult(cost=_total(cost, best), permutation=best)
