r"""Dense LP solvers (POT's network simplex, HiGHS) and the retries that make them certifiable.

Each raw solver takes ``(a, b, matrix)`` and returns a plan and a target potential. Their
tolerances are absolute, so :func:`dense_attempts` offers the certificate a sequence of
answers, cheapest first: the costs as given, exactly rescaled by powers of two (near the
largest cost, then near the median one), and finally **capped** — costs above a cap lowered
to it, solved in units of the cap. A plan optimal for capped costs that ships nothing on a
capped arc is optimal for the original costs too (lowering costs cannot raise the optimum),
which is what resolves an optimum far smaller than the largest cost (two clusters at 1e-11
and a point far away that stays put); the certificate checks every attempt against the
original matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._scaling import power_of_two_above
from .certificate import SolverError
from .problem import Problem, RawAnswer

__all__ = ["pot_network_simplex", "highs", "dense_attempts", "DENSE_SOLVERS"]


def pot_network_simplex(a: np.ndarray, b: np.ndarray, cost: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
    """POT's dense network simplex (``ot.emd``): ``(plan, dual_v)``."""
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


def highs(a: np.ndarray, b: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same LP in HiGHS (``scipy.optimize.linprog``): ``(plan, dual_v)``."""
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


DENSE_SOLVERS: dict[str, Callable] = {"network_simplex": pot_network_simplex, "highs": highs}


def dense_attempts(problem: Problem, solver: Callable) -> Iterator[RawAnswer]:
    """Raw answers on the original, rescaled and capped costs (see the module docstring).

    A failing solve is skipped (its SolverError is raised at the end, when the caller is
    still asking). The first cap tried is just above the largest cost the first plan used.
    """
    matrix = problem.geometry.solver_matrix()
    a, b = problem.a, problem.b
    failure: SolverError | None = None
    used_cost = None
    for scale in _scales_to_try(matrix):
        try:
            plan, dual_v = solver(a, b, matrix if scale == 1.0 else matrix / scale)
        except SolverError as error:
            failure = error
            continue
        raw = RawAnswer.from_dense_plan(plan, dual_v * scale, owned=True, rescaled=scale)
        yield raw
        if used_cost is None and raw.rows.size:
            used_cost = float(np.abs(matrix[raw.rows, raw.columns]).max())
    for cap in _caps_to_try(matrix, used_cost):
        try:
            plan, dual_v = solver(a, b, np.minimum(matrix, cap) / cap)
        except SolverError:
            continue
        if np.all(plan[matrix >= cap] <= 0.0):
            yield RawAnswer.from_dense_plan(plan, dual_v * cap, owned=True, capped=cap)
    if failure is not None:
        raise failure


def _scales_to_try(cost: np.ndarray) -> Iterator[float]:
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


def _caps_to_try(matrix: np.ndarray, used_cost: float | None) -> list[float]:
    """Twice the largest cost an uncertified plan used, then from a few times the median
    cost upwards by factors of 2^10, below the largest cost."""
    magnitudes = np.abs(matrix[matrix != 0])
    if magnitudes.size == 0:
        return []
    largest = float(np.abs(matrix).max())
    caps = [] if not used_cost else [power_of_two_above(2.0 * used_cost)]
    cap = power_of_two_above(4.0 * float(np.median(magnitudes)))
    while cap < largest:
        caps.append(cap)
        cap *= 2.0**10
    return [cap for cap in dict.fromkeys(caps) if 0.0 < cap < largest]
