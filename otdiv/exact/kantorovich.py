r"""The Kantorovich linear program, solved exactly and certified before return."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._kernels.certificate import certificate_sums
from .._results import TransportResult
from .._scaling import power_of_two_above
from .._validation import as_cost_matrix, as_mass_vector, check_option

__all__ = ["solve_kantorovich", "SolverError", "KANTOROVICH_METHODS", "CERTIFICATE_RTOL",
           "GAP_RTOL"]

KANTOROVICH_METHODS = ("network_simplex", "highs")

#: Relative tolerance of the plan's marginals (see :func:`certify`).
CERTIFICATE_RTOL = 1e-9

#: Relative tolerance on the duality gap: the returned cost is within ``GAP_RTOL`` times
#: the sums of absolute values in the primal and dual objectives of the optimum. Looser
#: than the marginals' because the solvers' potentials are accurate to about
#: 1e-13 * max|cost| in absolute terms, which for W_p costs with p around 5 is 1e-8 of the
#: optimum (measured with POT's network simplex); typical gaps are below 1e-14.
GAP_RTOL = 1e-7

#: Relative tolerance on ``|sum(a) - sum(b)|`` for the masses to count as balanced.
BALANCE_RTOL = 1e-9


class SolverError(RuntimeError):
    """An LP solver failed, or its answer did not pass the optimality certificate."""


def solve_kantorovich(a, b, cost, *, method: str = "network_simplex") -> TransportResult:
    r"""Solve the discrete optimal transport (Kantorovich) problem exactly.

    .. math::

        \min_{\gamma \ge 0} \sum_{ij} \gamma_{ij} C_{ij}
        \quad\text{s.t.}\quad \gamma \mathbf{1} = a,\; \gamma^\top \mathbf{1} = b,

    together with its dual

    .. math:: \max_{u, v} \; a^\top u + b^\top v \quad\text{s.t.}\quad u_i + v_j \le C_{ij}.

    The answer is certified before it is returned: the plan's marginals equal ``a`` and
    ``b`` (to ``1e-9``) and its cost agrees with the value of exactly feasible dual
    potentials (the solver's ``v`` and its c-transform ``u``) to ``1e-7`` relative to the
    size of the numbers involved; the optimum lies between the two, and the measured
    ``duality_gap`` is returned (typically below 1e-14 relative). A solver that
    stops early or an answer that fails the certificate raises :class:`SolverError`; no
    number is returned with a warning.

    Parameters
    ----------
    a : array_like, shape (n,)
        Non-negative masses of the sources (bakeries), positive total.
    b : array_like, shape (m,)
        Non-negative masses of the targets (cafés), same total as ``a`` (balanced OT).
    cost : array_like, shape (n, m)
        Finite transport cost per unit mass.
    method : {"network_simplex", "highs"}
        ``"network_simplex"`` (default) uses POT's network simplex (``ot.emd``);
        ``"highs"`` solves the same LP with ``scipy.optimize.linprog`` (HiGHS), an
        independent cross-check.

    Returns
    -------
    TransportResult
        ``cost``, ``plan``, ``dual_u``, ``dual_v``, ``method`` and the measured
        ``duality_gap``.

    Raises
    ------
    ValueError
        Unequal total masses, negative or non-finite masses, NaN/inf costs, or shapes that
        do not match.
    SolverError
        If the solver does not reach an optimal, certified solution.

    References
    ----------
    .. [1] L. Kantorovich, "On the translocation of masses", 1942.
    .. [2] N. Bonneel, M. van de Panne, S. Paris, W. Heidrich, "Displacement interpolation
       using Lagrangian mass transport", SIGGRAPH Asia 2011 (the network simplex in POT).

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv import solve_kantorovich
    >>> result = solve_kantorovich([0.5, 0.5], [0.25, 0.75], [[0.0, 1.0], [1.0, 0.0]])
    >>> float(result.cost)
    0.25
    >>> result.plan.tolist()
    [[0.25, 0.25], [0.0, 0.5]]
    """
    method = check_option(method, "method", KANTOROVICH_METHODS)
    a_shares, mass_a = _split_mass(as_mass_vector(a, "a"), "a")
    b_shares, mass_b = _split_mass(as_mass_vector(b, "b"), "b")
    cost = as_cost_matrix(cost, "cost", shape=(a_shares.size, b_shares.size))
    if abs(mass_a - mass_b) > BALANCE_RTOL * max(mass_a, mass_b):
        raise ValueError(f"a and b must have equal total mass for balanced optimal transport, "
                         f"got sum(a) = {mass_a!r} and sum(b) = {mass_b!r}")
    result = _solve_certified(a_shares, b_shares, cost, method)
    if mass_a == 1.0:
        return result
    total = result.cost * mass_a
    if not np.isfinite(total):
        raise ValueError(f"the optimal cost {result.cost!r} per unit mass times the total mass "
                         f"{mass_a!r} overflows float64; rescale cost or a and b")
    return TransportResult(cost=total, plan=result.plan * mass_a, dual_u=result.dual_u,
                           dual_v=result.dual_v, method=method,
                           duality_gap=result.duality_gap * mass_a)


def _solve_certified(a, b, cost, method):
    """Solve between probability vectors and return the first certified answer.

    The solvers' tolerances are absolute, so costs of 1e-100 need scaling up, while scaling
    a matrix with entries 1e12 and 1 down to max 1 pushes the ordinary entries below them.
    Costs are therefore tried as given and scaled by a power of two near max|cost| (an
    exact rescaling), in the order more likely to succeed, then with the median |cost|
    scaled to about 1. (Probability vectors: POT's
    network simplex crashes on masses near 1e-200.)
    """
    largest = max(float(cost.max()), -float(cost.min()))
    scaled = power_of_two_above(largest)
    first = [1.0, scaled] if 2.0**-60 <= largest <= 2.0**60 else [scaled, 1.0]
    solver = _network_simplex if method == "network_simplex" else _highs
    failure = None
    for scale in _scales_to_try(cost, largest, first):
        try:
            plan, dual_u, dual_v = solver(a, b, cost if scale == 1.0 else cost / scale)
            return certify(a, b, cost, plan, dual_u * scale, dual_v * scale, method=method)
        except SolverError as error:
            failure = error
    raise failure


def _scales_to_try(cost, largest, first):
    """Yield the given scales, then (computed only if needed) the median |cost|'s."""
    yield from dict.fromkeys(first)  # unique, in order
    # Last resort for costs spanning many orders of magnitude (e.g. distances^20): the
    # network simplex resolves differences of about 1e-13 in absolute terms, so bring the
    # typical cost to about 1 when the largest stays finite.
    magnitudes = np.abs(cost[cost != 0])
    if magnitudes.size:
        typical = power_of_two_above(float(np.median(magnitudes)))
        if largest / typical < 2.0**1000 and typical not in first:
            yield typical


def _split_mass(masses: np.ndarray, name: str) -> tuple[np.ndarray, float]:
    """``masses = total * shares`` with ``shares`` summing to 1, without overflow."""
    largest = float(masses.max())
    relative = masses / largest
    share = float(relative.sum())
    total = largest * share
    if not np.isfinite(total):
        raise ValueError(f"{name} must have a total mass representable in float64, got "
                         f"entries up to {largest!r} whose sum overflows")
    return relative / share, total


def _network_simplex(a, b, cost):
    # Imported here: POT imports every array backend it finds (torch, jax) at import time,
    # which costs seconds that `import otdiv` should not pay.
    import ot

    # POT requires exactly equal sums; rescale b by a relative error of at most 1e-9.
    b = b * (a.sum() / b.sum())
    # POT's network simplex misreads negative costs (it reports a 1x1 problem with cost -2
    # as infeasible). The LP's optimal plan does not change when a constant is added to
    # every cost, so solve with non-negative costs and shift the target potential back.
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
    dual_u = np.asarray(log["u"], dtype=float)
    dual_v = np.asarray(log["v"], dtype=float) + shift
    return plan, dual_u, dual_v


def _highs(a, b, cost):
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
            duals = np.asarray(result.eqlin.marginals, dtype=float)
            return result.x.reshape(n, m), duals[:n], duals[n:]
    raise SolverError(f"HiGHS did not reach an optimal solution: {result.message}")


def certify(a, b, cost, plan, dual_u, dual_v, *, method: str) -> TransportResult:
    """Check a primal-dual pair for optimality and wrap it; raise SolverError otherwise.

    Solvers return potentials that are feasible only up to their own tolerances, so the
    source potential is first replaced by the c-transform of the target potential,
    ``u_i = min_j (c_ij - v_j)``: then ``u_i + v_j <= c_ij`` holds for every entry and
    ``a @ u + b @ v`` is a true lower bound of the optimum, while the plan's cost is an upper
    bound. The answer is accepted when the plan has the marginals ``a`` and ``b`` to
    ``1e-9 * sum(a)`` and the two bounds agree to ``GAP_RTOL = 1e-7`` times the sums of
    absolute values they add (or to within the round-off of the largest cost plus what the
    accepted marginal error can carry): the returned cost is within ``duality_gap`` of the
    optimum.
    ``dual_u`` is only used to report how far the solver's own potential was from the
    repaired one. Tiny negative plan entries (round-off) are set to zero first.
    """
    if plan.flags.writeable:  # a solver's fresh output: clip in place, no 8 n m byte copy
        np.maximum(plan, 0.0, out=plan)
    else:
        plan = np.maximum(plan, 0.0)
    dual_v = np.ascontiguousarray(dual_v, dtype=np.float64)
    mass = float(a.sum())
    primal, primal_size, repaired_u, row_sums, column_sums = certificate_sums(
        plan, np.ascontiguousarray(cost), dual_v)
    dual = float(a @ repaired_u + b @ dual_v)
    dual_size = float(a @ np.abs(repaired_u) + b @ np.abs(dual_v))
    gap = abs(primal - dual)
    # Allowed whatever the optimum: the round-off of the largest cost (float64 cannot do
    # better on this matrix, e.g. a cost of 1e-277 next to a cost of 1), and what the
    # accepted marginal error can move mass across (HiGHS leaves up to 1e-10 unshipped).
    largest = max(float(cost.max()), -float(cost.min()))
    marginal_error = float(np.sum(np.abs(row_sums - a)) + np.sum(np.abs(column_sums - b)))
    tiny = 4 * np.finfo(float).smallest_subnormal
    if gap <= (4 * np.finfo(float).eps * mass + marginal_error) * largest + tiny:
        gap_relative = 0.0
    else:
        gap_relative = _relative(gap, primal_size + dual_size)
    checks = {
        "row marginals": (np.max(np.abs(row_sums - a)) / mass, CERTIFICATE_RTOL),
        "column marginals": (np.max(np.abs(column_sums - b)) / mass, CERTIFICATE_RTOL),
        "primal = dual": (gap_relative, GAP_RTOL),
    }
    failed = {name: value for name, (value, limit) in checks.items() if not value <= limit}
    if failed:
        details = ", ".join(f"{name} off by {value:.3g} (relative)"
                            for name, value in failed.items())
        raise SolverError(
            f"{method} returned a solution that fails the optimality certificate: {details}. "
            f"LP solvers resolve costs to about 1e-13 of the largest one; costs spanning "
            f"many orders of magnitude (e.g. distances to a high power p) cannot be solved "
            f"to the certified accuracy")
    return TransportResult(cost=primal, plan=plan, dual_u=repaired_u, dual_v=dual_v,
                           method=method, duality_gap=abs(primal - dual))


def _relative(error: float, size: float) -> float:
    if error == 0.0:
        return 0.0
    return error / size if size > 0 else np.inf
