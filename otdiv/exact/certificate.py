r"""The optimality certificate every exact transport answer goes through.

A solver's answer is a plan :math:`\gamma` and a target potential :math:`v`. Solvers'
potentials are feasible only up to their own tolerances, so the certificate rebuilds the
source potential as the c-transform :math:`u_i = \min_j (c_{ij} - v_j)` **over every pair
of the problem** (or every allowed arc of a sparse cost), then once more
:math:`v_j = \min_i (c_{ij} - u_i)` where the cost can say so cheaply. Then
:math:`u_i + v_j \le c_{ij}` holds exactly in floating point, so
:math:`D = a^\top u + b^\top v` is a true lower bound of the optimum while the plan's cost
:math:`P` is an upper bound, and the optimum lies in :math:`[D, P]`.

An answer is accepted when

* the plan's row and column sums equal ``a`` and ``b`` to ``MARGINAL_RTOL`` times the mass,
  and
* :math:`|P - D|` plus the rounding the dual value can carry (:math:`4\varepsilon` times
  :math:`\sum a_i|u_i| + \sum b_j|v_j|`, the sum itself taken in extended precision) is at
  most ``GAP_RTOL`` times the plan's own size :math:`\sum \gamma_{ij}|c_{ij}|`, beyond what
  the accepted marginal error can move — never relative to the largest cost of the matrix,
  which a forbidden arc priced at 1e16 or an outlier at distance^8 would make meaningless.
  Potentials far larger than the costs the plan uses therefore cannot certify it: the dense
  solvers then retry with such costs capped (:mod:`otdiv.exact.solvers`).

The target potential is centred first (potentials are defined up to a constant), targets
without mass are left out of the first c-transform (their potentials are free in the LP),
and a plan that ships only on zero-cost arcs of a non-negative cost is proven optimal by
zero potentials.

Otherwise :class:`SolverError` is raised; no number is returned with a warning.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._kernels.certificate import certificate_sums, column_c_transform
from .._results import TransportResult

__all__ = ["SolverError", "MARGINAL_RTOL", "GAP_RTOL", "certify_dense", "certify_arcs"]

#: Relative tolerance of the plan's marginals.
MARGINAL_RTOL = 1e-9

#: Relative tolerance of the duality gap, against the sizes of the numbers involved. The
#: solvers' potentials are accurate to about 1e-13 of the largest cost they use, which for
#: W_p costs with p around 5 is about 1e-8 of the optimum (POT's network simplex);
#: typical certified gaps are below 1e-14.
GAP_RTOL = 1e-7


class SolverError(RuntimeError):
    """An LP solver failed, or its answer did not pass the optimality certificate."""


def certify_dense(a, b, cost, plan, dual_v, *, method: str) -> TransportResult:
    """Certify a dense plan against a dense cost matrix (one fused Numba pass)."""
    if plan.flags.writeable:  # a solver's fresh output: clip round-off in place
        np.maximum(plan, 0.0, out=plan)
    else:
        plan = np.maximum(plan, 0.0)
    # Potentials are defined up to a constant (u + t, v - t): centre v so that the dual
    # value is not a difference of two large numbers.
    # Targets without mass have free potentials that can drag the c-transform down: leave
    # them out of it (-inf), and let the second c-transform below give them finite values.
    dual_v = np.array(dual_v, dtype=np.float64)
    massed = b > 0
    dual_v -= float(np.median(dual_v[massed]))
    dual_v[~massed] = -np.inf
    primal, primal_size, dual_u, row_sums, column_sums = certificate_sums(
        plan, np.ascontiguousarray(cost), dual_v)
    # Second c-transform: the tightest target potential for this u (smaller magnitudes
    # where the solver's v carried a forbidden arc's price).
    dual_v = column_c_transform(np.ascontiguousarray(cost), dual_u)
    if primal_size == 0.0 and float(cost.min()) >= 0.0:  # a free plan with costs >= 0
        dual_u, dual_v = np.zeros_like(dual_u), np.zeros_like(dual_v)
    dual = _accept(a, b, primal, primal_size, dual_u, dual_v, row_sums, column_sums, method)
    return TransportResult(cost=primal, plan=plan, dual_u=dual_u, dual_v=dual_v,
                           method=method, duality_gap=abs(primal - dual))


def certify_arcs(a, b, rows, columns, flows, arc_cost, dual_u, dual_v, *, method: str,
                 nonnegative_costs: bool = False, **details) -> TransportResult:
    """Certify a plan given by its arcs; ``dual_u`` must already be the c-transform of
    ``dual_v`` over every allowed pair (the caller's cost object computes it).

    The plan is returned as a ``scipy.sparse.coo_array`` of shape ``(n, m)``.
    """
    flows = np.maximum(flows, 0.0)
    n, m = a.size, b.size
    primal = float(flows @ arc_cost)
    primal_size = float(flows @ np.abs(arc_cost))
    if primal_size == 0.0 and nonnegative_costs:  # a free plan: zero potentials prove it
        dual_u, dual_v = np.zeros(n), np.zeros(m)
    row_sums = np.bincount(rows, weights=flows, minlength=n)
    column_sums = np.bincount(columns, weights=flows, minlength=m)
    dual = _accept(a, b, primal, primal_size, dual_u, dual_v, row_sums, column_sums, method)
    plan = sp.coo_array((flows, (rows, columns)), shape=(n, m))
    for array in (plan.data, plan.coords[0], plan.coords[1]):
        array.setflags(write=False)
    return TransportResult(cost=primal, plan=plan, dual_u=dual_u, dual_v=dual_v,
                           method=method,
                           duality_gap=abs(primal - dual), **details)


def _accept(a, b, primal, primal_size, dual_u, dual_v, row_sums, column_sums, method
            ) -> float:
    """Raise SolverError unless the answer passes (see the module docstring); the dual value."""
    mass = float(a.sum())
    # The dual value is a sum of terms that can be far larger than the optimum (masses of
    # 1e-9 against potentials of 1): sum it in extended precision where the platform has it.
    wide = np.longdouble
    dual = float(a.astype(wide) @ dual_u.astype(wide) + b.astype(wide) @ dual_v.astype(wide))
    dual_size = float(a @ np.abs(dual_u) + b @ np.abs(dual_v))
    marginal_error = float(np.sum(np.abs(row_sums - a)) + np.sum(np.abs(column_sums - b)))
    largest_potential = max(float(np.max(np.abs(dual_u))), float(np.max(np.abs(dual_v))))
    # The gap, inflated by everything rounding and the accepted marginal error (HiGHS
    # leaves up to 1e-10 of the mass unshipped) could hide, must be small against the
    # plan's own cost. Potentials far larger than the costs the plan uses (a forbidden
    # arc's price, an outlier at distance^p) make the dual value unresolvable: refused.
    uncertainty = abs(primal - dual) + 4 * float(np.finfo(wide).eps) * dual_size
    allowed = (4 * np.finfo(float).eps * primal_size + 2 * marginal_error * largest_potential
               + 4 * np.finfo(float).smallest_subnormal)
    gap_relative = (0.0 if uncertainty <= allowed else
                    uncertainty / primal_size if primal_size > 0 else np.inf)
    checks = {
        "row marginals": (float(np.max(np.abs(row_sums - a))) / mass, MARGINAL_RTOL),
        "column marginals": (float(np.max(np.abs(column_sums - b))) / mass, MARGINAL_RTOL),
        "primal = dual": (gap_relative, GAP_RTOL),
    }
    failed = {name: value for name, (value, limit) in checks.items() if not value <= limit}
    if failed:
        details = ", ".join(f"{name} off by {value:.3g} (relative)"
                            for name, value in failed.items())
        raise SolverError(
            f"{method} returned a solution that fails the optimality certificate: {details}. "
            f"LP solvers resolve costs to about 1e-13 of the largest one they use; costs "
            f"spanning many orders of magnitude (e.g. distances to a high power p) may not "
            f"be solvable to the certified accuracy")
    return dual
