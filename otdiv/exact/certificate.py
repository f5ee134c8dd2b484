r"""The optimality certificate every exact transport answer goes through.

A solver hands in a plan (arcs with flows) and its potentials; :func:`certify` trusts
neither. It computes, itself and through the cost object (:mod:`otdiv.geometry`):

1. **Exactly feasible potentials.** The c-transform :math:`u_i = \min_j (c_{ij} - v_j)`
   over **every** pair of the problem (every allowed arc of an arc-list cost), rounded one
   float down, so that :math:`u_i + v_j \le c_{ij}` holds in exact arithmetic for the
   costs as computed. When that pair leaves a gap (or some target has no mass, where the
   solver's :math:`v_j` is free), :math:`v_j = \min_i (c_{ij} - u_i)` too.
   Then :math:`L = a^\top u + b^\top v` is a true lower bound of the optimum when
   :math:`\sum a = \sum b` exactly. Masses normalised in float64 balance only to rounding
   (2/3 + 1/3 != 1) by an imbalance :math:`\iota`; the problem solved is then the one with
   ``b`` rescaled to the mass of ``a``, and :math:`L` is lowered by
   :math:`\iota \sum_j b_j |v_j| / \sum b` to stay a lower bound of it.
2. **An upper bound from the plan.** The plan's cost :math:`P = \sum_k \gamma_k c_k` and its
   marginal residual :math:`\delta = \|\gamma\mathbf 1 - a\|_1 + \|\gamma^\top\mathbf 1 -
   b\|_1`. Trimming the excess and shipping the deficit anywhere gives a feasible plan, so
   the optimum is at most :math:`U = P + \delta'\,(c_{\max} - c_{\min} + |c_{\min}|)`,
   where :math:`\delta' = \max(0, \delta - \iota)`: the imbalance (a unit in the last
   place of the mass) belongs to the input, not to the plan. For an arc-list cost with
   forbidden arcs the deficit may have to travel an alternating path: the bound is
   multiplied by ``n + m``.
   Before that, flows on a forest support (every basic solution's) are recomputed from the
   masses by peeling leaves, which makes :math:`\delta = 0` whenever the masses add up
   exactly (dyadic weights) and a few units in the last place otherwise.
3. **Sums without rounding.** :math:`P`, :math:`L` and :math:`\delta` are computed as exact
   expansions (:mod:`otdiv._kernels.exact_sums`), so the rounding of a sum of terms far
   larger than the optimum cannot hide or fake a gap.

The answer :math:`P` is **accepted when the interval** spanned by :math:`L`, :math:`U` and
:math:`P`, which contains both the optimum and :math:`P`, **is at most** ``GAP_RTOL``
**times** :math:`|P|` **wide** (a lower bound above the upper one means an assumption
failed; it widens the interval): the returned value is then within ``GAP_RTOL`` of the
optimum *relative to itself*, and ``duality_gap`` is that width. Nothing is
measured against the largest cost or the largest potential, so an optimum that is tiny
next to them (two clusters at scale 1e-11 and a point far away that stays put) is either
resolved or refused — never accepted with a slack larger than itself. Otherwise
:class:`SolverError` is raised, with the measured widths; no number is returned with a
warning.

A plan of cost exactly 0 on non-negative costs is proven optimal by zero potentials. The
costs of :math:`P` and of the c-transforms come from the same geometry (the dense matrix
when one was built, else the Numba cost kernel).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from .._kernels.exact_sums import (
    exact_dot,
    exact_sum,
    forest_flows,
    forest_repair,
    group_residuals,
)
from ._potentials import centring_shift
from .problem import Geometry, Problem, RawAnswer
from .results import TransportResult

__all__ = ["SolverError", "MARGINAL_RTOL", "GAP_RTOL", "certify", "certify_dense",
           "Certificate"]

#: Relative tolerance of the plan's marginals against the total mass (a sanity bound; the
#: marginal residual also enters the certified interval, see the module docstring).
MARGINAL_RTOL = 1e-9

#: Relative width of the certified interval :math:`[L, U]` around the answer. Typical
#: certified widths are below 1e-12; POT's network simplex resolves potentials to about
#: 1e-13 of the largest cost it uses, and the sparse solver prices arcs to 1e-9 of it.
GAP_RTOL = 1e-7

_EPS = float(np.finfo(float).eps)
_TINY = float(np.finfo(float).smallest_subnormal)


class SolverError(RuntimeError):
    """An LP solver failed, or its answer did not pass the optimality certificate."""


class Certificate:
    """The certified bounds of one answer: ``lower <= optimum <= upper`` and the plan's cost."""

    def __init__(self, primal: float, lower: float, upper: float, marginal_residual: float,
                 dual_u: np.ndarray, dual_v: np.ndarray) -> None:
        self.primal, self.lower, self.upper = primal, lower, upper
        self.marginal_residual = marginal_residual
        self.dual_u, self.dual_v = dual_u, dual_v

    @property
    def width(self) -> float:
        """Width of the interval holding the optimum, the plan's cost and both bounds (a
        lower bound above the upper one means an assumption failed: it widens the interval,
        never narrows it)."""
        return (max(self.upper, self.primal, self.lower)
                - min(self.lower, self.primal, self.upper))

    @property
    def passed(self) -> bool:
        return self.width <= GAP_RTOL * abs(self.primal)


def certify(problem: Problem, raw: RawAnswer, *, method: str) -> TransportResult:
    """Certify a solver's :class:`~otdiv.exact.problem.RawAnswer` for its ``problem``.

    The solver's potentials are only a starting point: the c-transforms are computed here,
    through ``problem.geometry``, over every pair (the other side is tried too when the
    first leaves a gap). Returns a :class:`TransportResult` whose plan is dense when
    ``raw.dense_plan``, else a ``scipy.sparse.coo_array``, and whose ``diagnostics`` are the
    solver's; raises :class:`SolverError` (see the module docstring).
    """
    a, b, cost = problem.a, problem.b, problem.geometry
    n, m = a.size, b.size
    rows = np.asarray(raw.rows, dtype=np.int64)
    columns = np.asarray(raw.columns, dtype=np.int64)
    flows = np.maximum(np.asarray(raw.flows, dtype=np.float64), 0.0)
    keep = flows > 0
    rows, columns, flows = rows[keep], columns[keep], flows[keep]
    flows = _polished(a, b, rows, columns, flows)
    arc_cost = np.ascontiguousarray(cost.arc_costs(rows, columns), dtype=np.float64)
    if not np.all(np.isfinite(arc_cost)):
        k = int(np.flatnonzero(~np.isfinite(arc_cost))[0])
        raise SolverError(f"{method} returned a plan that ships mass on arc ({int(rows[k])}, "
                          f"{int(columns[k])}), which the cost does not allow")
    primal = float(exact_dot(flows, arc_cost))
    residual = _marginal_residual(a, b, rows, columns, flows)
    # Masses normalised in float64 balance only to rounding (2/3 + 1/3 != 1): that part of
    # the residual is the input's own, and the answer is exact for masses that close.
    imbalance = abs(float(exact_sum(np.concatenate([a, -b]))))
    low = cost.cost_bounds()[0]
    repair = _repair_cost(residual, imbalance, cost)
    if repair > 0.0:  # often far less along the plan's own arcs
        repair = min(repair, _repair_cost_on_forest(a, b, rows, columns, flows, arc_cost,
                                                    imbalance, cost))
    upper_extra = repair + 4 * _EPS * abs(primal) + _underflow_bound(flows, arc_cost)

    def bounds(pair: tuple[np.ndarray, np.ndarray]) -> Certificate:
        u, v = pair
        dual = float(exact_dot(np.concatenate([a, b]), np.concatenate([u, v])))
        # a.u + b.v bounds the optimum of the balanced problem only when sum(a) = sum(b)
        # exactly; otherwise shifting (u + t, v - t) moves it by t * imbalance. The problem
        # is the one with b rescaled to the mass of a, which moves b.v by at most
        # imbalance * sum(b |v|) / sum(b): that much comes off the bound.
        shift_bound = (imbalance * float(np.sum(b * np.abs(np.where(b > 0, v, 0.0))))
                       / float(b.sum()) * (1 + 4 * _EPS)) if imbalance else 0.0
        lower = (dual - 4 * _EPS * abs(dual) - _underflow_bound(a, u) - _underflow_bound(b, v)
                 - shift_bound)
        return Certificate(primal, lower, primal + upper_extra, residual, u, v)

    if primal == 0.0 and low >= 0.0:  # a free plan on non-negative costs: zero potentials
        best = bounds((np.zeros(n), np.zeros(m)))
    else:
        best = _best_pair_from_target(cost, b, raw.dual_v, raw.hint, bounds)
        if not best.passed and raw.dual_u is not None:  # try the other side too
            other = bounds(_feasible_pair_from_source(cost, a, raw.dual_u))
            if other.lower > best.lower:
                best = other
    _accept(best, a, b, method, cost)
    if raw.dense_plan:
        # (A solver's spent plan is already in memory: writing into it saves zeroing and
        # touching n * m fresh entries, a tenth of a dense solve at n = m = 2500.)
        plan = raw.plan_buffer if raw.plan_buffer is not None else np.zeros((n, m))
        plan[rows, columns] = flows
    else:
        plan = sp.coo_array((flows, (rows, columns)), shape=(n, m))
        for array in (plan.data, plan.coords[0], plan.coords[1]):
            array.setflags(write=False)
    return TransportResult(cost=primal, plan=plan, dual_u=best.dual_u, dual_v=best.dual_v,
                           method=method, duality_gap=best.width,
                           diagnostics=raw.diagnostics)


def certify_dense(a: np.ndarray, b: np.ndarray, cost: ArrayLike, plan: np.ndarray,
                  dual_v: np.ndarray, *, method: str) -> TransportResult:
    """Certify a dense plan against a dense cost matrix (see :func:`certify`)."""
    from ..geometry import CostMatrix

    problem = Problem(a, b, CostMatrix(np.ascontiguousarray(cost, dtype=np.float64)))
    return certify(problem, RawAnswer.from_dense_plan(plan, dual_v), method=method)


def _polished(a: np.ndarray, b: np.ndarray, rows: np.ndarray, columns: np.ndarray,
              flows: np.ndarray) -> np.ndarray:
    """The flows recomputed from the masses when the arcs form a forest and that helps."""
    if rows.size == 0:
        return flows
    peeled, ok = forest_flows(rows, columns, a.size, b.size, a, b)
    if not ok:
        return flows
    # Keep whichever leaves the smaller residual (the peeled one unless the solver's plan
    # does not ship the masses at all, which the certificate then reports).
    if _marginal_residual(a, b, rows, columns, peeled) <= \
            _marginal_residual(a, b, rows, columns, flows):
        return peeled
    return flows


def _repair_cost(residual: float, imbalance: float, cost: Geometry) -> float:
    """What making the marginals exact can cost at worst: each unit of residual beyond the
    masses' own imbalance moved along a path of the most expensive arcs (with forbidden
    arcs a deficit may travel along an alternating path of ``repair_path_length`` arcs)."""
    excess = residual - imbalance
    if excess <= (sum(cost.shape) + 8) * _EPS * residual:  # equal up to their own rounding
        return 0.0
    low, high = cost.cost_bounds()
    path = getattr(cost, "repair_path_length", 1)
    return excess * path * (high - low + abs(low)) * (1 + 4 * _EPS)


def _repair_cost_on_forest(a: np.ndarray, b: np.ndarray, rows: np.ndarray,
                           columns: np.ndarray, flows: np.ndarray, arc_cost: np.ndarray,
                           imbalance: float, cost: Geometry) -> float:
    r"""A tighter repair bound when the plan ships on a forest (every basic plan does).

    Within each tree the residuals are cancelled by changing the flows on the tree's own
    arcs (:func:`~otdiv._kernels.exact_sums.forest_repair`), which costs at most
    :math:`\sum_e |\Delta_e| |c_e|` and keeps every flow non-negative when each change is
    smaller than its flow; what is left in each tree is that tree's own imbalance of mass,
    summed exactly from the masses, and only its excess over the whole problem's imbalance
    has to travel between trees (the worst-case rule of :func:`_repair_cost`). A plan on
    zero-cost arcs whose trees balance exactly is then certified at cost zero, which its
    rounded marginals alone could not be. ``inf`` when the rule does not apply.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    n, m = a.size, b.size
    row_residual = _node_residuals(rows, flows, a)
    column_residual = _node_residuals(columns, flows, b)
    change, _, ok = forest_repair(rows, columns, n, m, row_residual, column_residual)
    if not ok:
        return np.inf
    # The changes are sums of at most n + m residuals, each rounded once: this bounds how
    # far the computed ones are from the exact ones.
    slack = (n + m + 4) * _EPS * float(np.sum(np.abs(row_residual))
                                       + np.sum(np.abs(column_residual))) * (1 + 4 * _EPS)
    if np.any(np.abs(change) + slack >= flows):
        return np.inf  # the repair would need a negative flow
    # A float sum of k non-negative terms is within (k - 1) eps of the exact one.
    moved = float(np.sum((np.abs(change) + slack) * np.abs(arc_cost))) \
        * (1 + (rows.size + 4) * _EPS)
    graph = coo_array((np.ones(rows.size), (rows, n + columns)), shape=(n + m, n + m))
    _, tree = connected_components(graph, directed=False)
    order = np.argsort(tree, kind="stable")
    masses = np.concatenate([a, -b])
    tree_imbalance = group_residuals(tree[order], masses[order], np.zeros(int(tree.max()) + 1))
    between_trees = float(np.sum(np.abs(tree_imbalance))) \
        * (1 + (tree_imbalance.size + 4) * _EPS)
    if between_trees <= imbalance * (1 + (tree_imbalance.size + 4) * _EPS):
        between_trees = imbalance  # one tree holds the problem's own imbalance
    return moved + _repair_cost(between_trees, imbalance, cost)


def _node_residuals(ends: np.ndarray, flows: np.ndarray, masses: np.ndarray) -> np.ndarray:
    """``sum of the flows at each node - its mass``, each summed exactly, then rounded."""
    order = np.argsort(ends, kind="stable")
    return group_residuals(ends[order], flows[order], masses)


def _underflow_bound(x: np.ndarray, y: np.ndarray) -> float:
    """What the products ``x_k y_k`` that underflow can lose in :func:`exact_dot` (each
    below the smallest normal number loses less than ``2**-1074``)."""
    with np.errstate(invalid="ignore"):
        product = np.abs(x * y)
    risky = (product < np.finfo(float).tiny) & (x != 0) & (y != 0) & np.isfinite(y)
    return float(np.count_nonzero(risky)) * _TINY


def _marginal_residual(a: np.ndarray, b: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                       flows: np.ndarray) -> float:
    """:math:`\\|\\gamma 1 - a\\|_1 + \\|\\gamma^T 1 - b\\|_1`, each marginal summed exactly."""
    return float(np.sum(np.abs(_node_residuals(rows, flows, a)))
                 + np.sum(np.abs(_node_residuals(columns, flows, b))))


def _centred_target_potential(b: np.ndarray, dual_v: ArrayLike) -> np.ndarray:
    """The solver's target potential centred on its median, massless targets left out."""
    centred = np.array(dual_v, dtype=np.float64)
    centred -= centring_shift(centred, b)
    centred[~(b > 0)] = -np.inf  # free in the LP: they must not drag the c-transform down
    return centred


def _best_pair_from_target(cost: Geometry, b: np.ndarray, dual_v: np.ndarray,
                           hint: np.ndarray | None,
                           bounds: Callable[[tuple[np.ndarray, np.ndarray]], Certificate]
                           ) -> Certificate:
    """``u = v^c`` over all pairs: ``(u, v)`` is exactly feasible. If it does not pass
    (or a target without mass left ``v`` free), ``v = u^c`` as well, which raises the
    lower bound up to one rounding step per target; the better certificate."""
    dual_v = _centred_target_potential(b, dual_v)
    dual_u = cost.c_transform(dual_v, bounds=hint)
    first = bounds((dual_u, dual_v)) if np.all(np.isfinite(dual_v)) else None
    if first is not None and first.passed:
        return first
    tightened = bounds((dual_u, cost.c_transform_columns(dual_u)))
    return first if first is not None and first.lower > tightened.lower else tightened


def _feasible_pair_from_source(cost: Geometry, a: np.ndarray, dual_u: ArrayLike
                               ) -> tuple[np.ndarray, np.ndarray]:
    """The same from the solver's source potential (``v = u^c``, then ``u = v^c``)."""
    centred = np.array(dual_u, dtype=np.float64)
    centred -= centring_shift(centred, a)
    centred[~(a > 0)] = -np.inf
    dual_v = cost.c_transform_columns(centred)
    return cost.c_transform(dual_v), dual_v


def _accept(certificate: Certificate, a: np.ndarray, b: np.ndarray, method: str,
            cost: Geometry) -> None:
    """Raise SolverError unless the certificate passed (see the module docstring)."""
    mass = float(a.sum())
    marginal = certificate.marginal_residual / mass
    width, primal = certificate.width, certificate.primal
    if certificate.passed and marginal <= MARGINAL_RTOL:
        return
    relative = width / abs(primal) if primal != 0.0 else np.inf
    low, high = cost.cost_bounds()
    reason = (f"{method} returned a solution that fails the optimality certificate: the "
              f"optimum lies in [{certificate.lower:.6g}, {certificate.upper:.6g}] and the "
              f"plan costs {primal:.6g}, a relative uncertainty of {relative:.3g} "
              f"(at most {GAP_RTOL:g} is certified); the plan's marginals are off by "
              f"{marginal:.3g} of the mass")
    if primal != 0.0 and abs(primal) < 1e-6 * max(abs(high), abs(low)):
        reason += (f". The optimum is {abs(primal) / max(abs(high), abs(low)):.2g} times the "
                   f"largest cost: float64 solvers resolve about 1e-13 of the largest "
                   f"cost, so costs spanning this many orders of magnitude cannot be "
                   f"certified unless the plan and its potentials are exact")
    raise SolverError(reason)
