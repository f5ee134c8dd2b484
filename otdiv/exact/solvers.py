r"""The exact transport solvers behind one protocol, and the registry that names them.

Protocol: a solver takes a **problem** — probability vectors ``a`` (n,) and ``b`` (m,)
(trusted: validated, non-negative, each summing to 1) and a ground cost from
:mod:`otdiv.geometry` — and returns a :class:`~otdiv.TransportResult` that has passed the
certificate of :mod:`otdiv.exact.certificate`, or raises :class:`SolverError`.

=====================  ==============================================================
``"network_simplex"``  POT's dense network simplex on ``cost.dense()``
``"highs"``            the same LP in HiGHS (``scipy.optimize.linprog``), a cross-check
``"sparse"``           column generation on arcs, priced without the matrix
                       (:mod:`otdiv.exact.sparse`); plans come back as
                       ``scipy.sparse.coo_array``
=====================  ==============================================================

Dense solves are tried on the costs as given and exactly rescaled by powers of two
(solver tolerances are absolute), then, if a forbidden-looking arc (a cost many orders of
magnitude above the rest) spoils the solver's arithmetic, with such costs capped: a plan
that uses no capped arc is optimal for the original costs too, and the certificate checks
it against them.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._scaling import power_of_two_above
from ..geometry import CostMatrix, PointCloudCost
from .certificate import SolverError, certify_arcs, certify_dense

__all__ = ["SOLVERS", "DENSE_METHODS", "solve", "solve_arcs_network_simplex"]


def _network_simplex_dense(a, b, cost):
    # Imported here: POT imports every array backend it finds (torch, jax) at import time,
    # which costs seconds that `import otdiv` should not pay.
    import ot

    b = b * (a.sum() / b.sum())  # POT wants exactly equal sums (a relative change <= 1e-9)
    # POT's network simplex misreads negative costs (it reports a 1x1 problem with cost -2
    # as infeasible). The optimal plan does not change when a constant is added to every
    # cost, so solve with non-negative costs and shift the target potential back.
    shift = min(float(cost.min()), 0.0)
    if shift < 0:
        cost = cost - shift
    max_iter = max(100_000, 100 * (a.size + b.size) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # reported below as SolverError
        plan, log = ot.emd(a, b, cost, numItermax=max_iter, log=True)
    if log["result_code"] != 1:
        raise SolverError(f"network simplex did not reach an optimal solution "
                          f"(POT result code {log['result_code']}: {log['warning']})")
    return plan, np.asarray(log["v"], dtype=float) + shift


def _highs_dense(a, b, cost):
    n, m = cost.shape
    # Row-sum constraints then column-sum constraints on the flattened (row-major) plan.
    rows = sp.kron(sp.eye(n), np.ones((1, m)))
    columns = sp.kron(np.ones((1, n)), sp.eye(m))
    constraints = sp.vstack([rows, columns]).tocsr()
    masses = np.concatenate([a, b * (a.sum() / b.sum())])
    # HiGHS's default tolerances (1e-7) are looser than the certificate. Its presolve can
    # declare a feasible problem with masses below its tolerance infeasible: retry without.
    options = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    for presolve in (True, False):
        result = linprog(cost.ravel(), A_eq=constraints, b_eq=masses, bounds=(0, None),
                         method="highs", options={**options, "presolve": presolve})
        if result.status == 0:
            return result.x.reshape(n, m), np.asarray(result.eqlin.marginals, dtype=float)[n:]
    raise SolverError(f"HiGHS did not reach an optimal solution: {result.message}")


DENSE_METHODS = {"network_simplex": _network_simplex_dense, "highs": _highs_dense}


def _solve_dense(a, b, cost, method: str):
    """The first certified answer of a dense solver over rescalings and capped costs."""
    matrix = cost.dense()
    solver = DENSE_METHODS[method]
    failure = SolverError(f"{method} found no certified answer")
    used_cost = None  # the largest cost an uncertified plan shipped on (a cap to try)
    for scale in _scales_to_try(matrix):
        try:
            plan, dual_v = solver(a, b, matrix if scale == 1.0 else matrix / scale)
        except SolverError as error:
            failure = error
            continue
        try:
            return certify_dense(a, b, matrix, plan, dual_v * scale, method=method)
        except SolverError as error:
            failure = error
            if used_cost is None and np.any(plan > 0):
                used_cost = float(np.abs(matrix[plan > 0]).max())
    capped = _solve_capped(a, b, matrix, solver, method, used_cost)
    if capped is not None:
        return capped
    raise failure


def _scales_to_try(cost):
    """The costs as given and rescaled near max|cost|, then near the median |cost|."""
    largest = max(float(cost.max()), -float(cost.min()))
    scaled = power_of_two_above(largest)
    first = [1.0, scaled] if 2.0**-60 <= largest <= 2.0**60 else [scaled, 1.0]
    yield from dict.fromkeys(first)  # unique, in order
    # Costs spanning many orders of magnitude (e.g. distances^20): the network simplex
    # resolves differences of about 1e-13 in absolute terms, so bring the typical cost to
    # about 1 when the largest stays finite.
    magnitudes = np.abs(cost[cost != 0])
    if magnitudes.size:
        typical = power_of_two_above(float(np.median(magnitudes)))
        if largest / typical < 2.0**1000 and typical not in first:
            yield typical


def _solve_capped(a, b, matrix, solver, method, used_cost=None):
    """Solve with costs above a cap lowered to it; accept a plan that avoids capped arcs.

    Lowering costs cannot raise the optimum, so a plan optimal for the capped costs that
    ships nothing on a capped arc has the same cost for the original costs and is optimal
    there; the certificate checks it against the original matrix. Each capped problem is
    solved in units of its cap (solver tolerances are absolute), so costs far below the
    largest ones are resolved. Caps tried: twice the largest cost an uncertified plan used,
    then from a few times the median cost upwards by factors of 2^10.
    """
    magnitudes = np.abs(matrix[matrix != 0])
    if magnitudes.size == 0:
        return None
    largest = float(np.abs(matrix).max())
    caps = [] if not used_cost else [power_of_two_above(2.0 * used_cost)]
    cap = power_of_two_above(4.0 * float(np.median(magnitudes)))
    while cap < largest:
        caps.append(cap)
        cap *= 2.0**10
    for cap in dict.fromkeys(caps):
        if not 0.0 < cap < largest:
            continue
        capped = np.minimum(matrix, cap)
        try:
            plan, dual_v = solver(a, b, capped / cap)
        except SolverError:
            continue
        if np.all(plan[matrix >= cap] <= 0.0):
            try:
                return certify_dense(a, b, matrix, plan, dual_v * cap, method=method)
            except SolverError:
                pass
    return None


def solve_arcs_network_simplex(a, b, rows, columns, arc_cost, dual_u=None, dual_v=None):
    """POT's sparse network simplex on the given arcs (keys sorted by ``rows * m + columns``).

    Returns ``(flows, dual_u, dual_v)`` with one flow per given arc. Warm-started from
    ``dual_u, dual_v`` when given. ``SolverError`` when the arcs admit no feasible plan or
    the solver stops early.
    """
    from ot.lp.emd_wrap import emd_c_sparse

    max_iter = max(10_000_000, 50 * rows.size)
    warm = () if dual_u is None else (np.ascontiguousarray(dual_u, dtype=float),
                                      np.ascontiguousarray(dual_v, dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flow_rows, flow_columns, flow, _, alpha, beta, code = emd_c_sparse(
            a, b, rows.astype(np.uint64), columns.astype(np.uint64),
            np.ascontiguousarray(arc_cost, dtype=float), max_iter, *warm)
    if code != 1:
        reason = {0: "the arcs admit no feasible plan", 2: "the problem is unbounded",
                  3: f"the iteration limit ({max_iter}) was reached"}.get(code, f"code {code}")
        raise SolverError(f"the sparse network simplex failed on {rows.size} arcs between "
                          f"{a.size} + {b.size} points: {reason}")
    m = b.size
    flows = np.zeros(rows.size)
    keys = rows * m + columns
    flow_keys = flow_rows.astype(np.int64) * m + flow_columns.astype(np.int64)
    flows[np.searchsorted(keys, flow_keys)] = flow
    return flows, np.asarray(alpha, dtype=float), np.asarray(beta, dtype=float)


def _solve_sparse(a, b, cost, method: str, progress=None):
    from .sparse import solve_point_clouds

    if not isinstance(cost, PointCloudCost):
        raise TypeError(f"method='sparse' needs a PointCloudCost, got {type(cost).__name__}")
    solution = solve_point_clouds(a, b, cost, progress=progress)
    # The solver's own u bounds each row's c-transform up to its accuracy: a pruning hint.
    hint = solution.dual_u + 1e-9 * (1.0 + np.abs(solution.dual_u))
    return certify_arcs(a, b, cost, solution.rows, solution.columns, solution.flows,
                        solution.dual_v, method=method, dual_u=solution.dual_u,
                        dual_hint=hint, rounds=solution.rounds, n_arcs=solution.arcs)


SOLVERS = {"network_simplex": _solve_dense, "highs": _solve_dense, "sparse": _solve_sparse}


def solve(a, b, cost, method: str, *, progress=None):
    """Solve and certify the problem ``(a, b, cost)`` with the named solver.

    ``cost`` is a :class:`~otdiv.geometry.CostMatrix` or
    :class:`~otdiv.geometry.PointCloudCost`; ``a`` and ``b`` are probability vectors.
    """
    if method == "sparse":
        return _solve_sparse(a, b, cost, method, progress=progress)
    if not isinstance(cost, (CostMatrix, PointCloudCost)):
        raise TypeError(f"unsupported cost object {type(cost).__name__}")
    return SOLVERS[method](a, b, cost, method)
