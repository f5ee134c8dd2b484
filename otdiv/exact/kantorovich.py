r"""The Kantorovich linear program, solved exactly and certified before return."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._kernels.certificate import certificate_sums
from .._results import TransportResult
from .._validation import as_cost_matrix, as_mass_vector, check_option

__all__ = ["solve_kantorovich", "SolverError", "KANTOROVICH_METHODS", "CERTIFICATE_RTOL"]

KANTOROVICH_METHODS = ("network_simplex", "highs")

#: Relative tolerance of the optimality certificate (marginals, dual feasibility,
#: complementary slackness and primal = dual), relative to ``max|cost| * mass``.
CERTIFICATE_RTOL = 1e-9

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
    ``b``, the potentials are dual feasible, complementary slackness holds and the primal
    and dual values agree, each to ``1e-9`` relative to ``max|C| * sum(a)``. A solver that
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
    a = as_mass_vector(a, "a")
    b = as_mass_vector(b, "b")
    cost = as_cost_matrix(cost, "cost", shape=(a.size, b.size))
    mass_a, mass_b = a.sum(), b.sum()
    if abs(mass_a - mass_b) > BALANCE_RTOL * max(mass_a, mass_b):
        raise ValueError(f"a and b must have equal total mass for balanced optimal transport, "
                         f"got sum(a) = {mass_a!r} and sum(b) = {mass_b!r}")
    # Solvers work with absolute tolerances; solving with max|cost| = 1 makes the answer
    # equally accurate at every scale (costs of 1e-100 or 1e100).
    scale = max(float(cost.max()), -float(cost.min())) or 1.0
    solver = _network_simplex if method == "network_simplex" else _highs
    plan, dual_u, dual_v = solver(a, b, cost / scale)
    return certify(a, b, cost, plan, dual_u * scale, dual_v * scale, method=method)


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
    result = linprog(cost.ravel(), A_eq=constraints, b_eq=np.concatenate([a, b]),
                     bounds=(0, None), method="highs",
                     # HiGHS's default tolerances (1e-7) are looser than the certificate.
                     options={"primal_feasibility_tolerance": 1e-10,
                              "dual_feasibility_tolerance": 1e-10})
    if result.status != 0:
        raise SolverError(f"HiGHS did not reach an optimal solution: {result.message}")
    duals = np.asarray(result.eqlin.marginals, dtype=float)
    return result.x.reshape(n, m), duals[:n], duals[n:]


def certify(a, b, cost, plan, dual_u, dual_v, *, method: str) -> TransportResult:
    """Check a primal-dual pair for optimality and wrap it; raise SolverError otherwise.

    Tiny negative plan entries (round-off) are set to zero first.
    """
    plan = np.maximum(plan, 0.0)
    dual_u = np.ascontiguousarray(dual_u, dtype=np.float64)
    dual_v = np.ascontiguousarray(dual_v, dtype=np.float64)
    mass = float(a.sum())
    # Costs below 1e-200 count as zero: LP solvers flush such values (and subnormals).
    scale = max(max(float(cost.max()), -float(cost.min())) * mass, 1e-200)
    primal, slackness, min_reduced, row_sums, column_sums = certificate_sums(
        plan, np.ascontiguousarray(cost), dual_u, dual_v)
    dual = float(a @ dual_u + b @ dual_v)
    checks = {
        "row marginals": np.max(np.abs(row_sums - a)) / mass,
        "column marginals": np.max(np.abs(column_sums - b)) / mass,
        "dual feasibility": max(0.0, -min_reduced) * mass / scale,
        "complementary slackness": abs(slackness) / scale,
        "primal = dual": abs(primal - dual) / scale,
    }
    failed = {name: value for name, value in checks.items() if not value <= CERTIFICATE_RTOL}
    if failed:
        details = ", ".join(f"{name} off by {value:.3g}" for name, value in failed.items())
        raise SolverError(f"{method} returned a solution that fails the optimality "
                          f"certificate (relative tolerance {CERTIFICATE_RTOL:g}): {details}")
    return TransportResult(cost=primal, plan=plan, dual_u=dual_u, dual_v=dual_v, method=method,
                           duality_gap=abs(primal - dual))
