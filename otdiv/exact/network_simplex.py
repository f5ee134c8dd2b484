r"""otdiv's own network simplex for the transportation problem on an arc list.

Solves

.. math:: \min_{x \ge 0} \sum_{e} c_e x_e \quad \text{s.t.} \quad
          \sum_{e = (i, \cdot)} x_e = a_i, \qquad \sum_{e = (\cdot, j)} x_e = b_j

over the given arcs ``e = (rows[e], columns[e])`` only (a dense problem is all ``n * m``
arcs), with the dual

.. math:: \max_{u, v} \; a^\top u + b^\top v \quad \text{s.t.} \quad u_i + v_j \le c_{ij}
          \text{ on every given arc.}

The kernels (:mod:`otdiv._kernels.network_simplex`) follow LEMON's ``NetworkSimplex``: a
spanning-tree basis with an artificial root, block-search pricing (block size
``sqrt(#arcs)``), strongly feasible trees. Unlike POT's solver, the basis is returned
(:class:`Basis`) and a later solve can start from it:

- **Column generation**: solve, append arcs to the list (and drop non-basic ones if
  wanted), solve again with ``basis=answer.basis``; the basis arcs are found in the new list
  by their ``(row, column)`` key, wherever they now are.
- **Coarse to fine**: refine a coarse plan to fine arcs with flows and pass
  ``basis=Basis.from_plan(n, m, rows, columns, flows)``; a spanning forest of those arcs
  (the largest flows preferred) is completed with artificial arcs to the root.

A start basis need not fit the problem: its tree solution (the unique flows on its arcs) is
computed for the new masses; arcs that would carry a negative flow, arcs missing from the
new list, and zero-flow arcs that break strong feasibility are dropped, and the forest is
solved again, down to the all-artificial start if need be (``diagnostics["basis_dropped"]``
counts them). The simplex then runs to optimality from that basis, so a poor or unfitting
basis costs time, never correctness.

Costs are divided by a power of two near ``max |c|`` (exact), so the kernel works with costs
in ``[-1, 1]``; an arc enters when its reduced cost is below ``-eps * max(1, |c|, |pi|)``
with ``eps = 2.22e-15`` in those units (POT's rule). Negative costs are fine. Ctrl-C stops
a solve between chunks of pivots and leaves no state behind: every array lives in the call.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .._kernels import network_simplex as kernels
from .._scaling import power_of_two_above
from ._potentials import centring_shift
from .certificate import SolverError

__all__ = ["Basis", "NetworkSimplexAnswer", "solve_arcs"]

#: Entering threshold, relative to max(1, |cost|, |potentials|) in units of max |cost|.
EPSILON = 2.2204460492503131e-15
#: Artificial flow (unshipped mass) above this fraction of the total mass means infeasible.
MASS_TOLERANCE = 1e-12
#: Pivots per kernel call: between calls Python can raise KeyboardInterrupt.
PIVOTS_PER_CALL = 20_000


def _frozen(array: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    array = np.array(array, dtype=dtype)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Basis:
    """A start basis: the real arcs ``(rows[k], columns[k])`` of a spanning forest.

    Each component of the forest is joined to the artificial root by an artificial arc when
    the basis is used; the flows are not stored (they are the tree solution for the masses
    of the problem being solved). Obtain one from a solve (``answer.basis``) or build one
    with :meth:`from_plan`.
    """

    n: int
    m: int
    rows: np.ndarray
    columns: np.ndarray
    #: Nodes (sources 0..n-1, then targets n..n+m-1) at which the components of the forest
    #: hung from the artificial root when the basis was optimal: keeping them keeps every
    #: degenerate arc oriented as strong feasibility requires (empty: first node of each).
    roots: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def __post_init__(self) -> None:
        rows = _frozen(self.rows, np.int64)
        columns = _frozen(self.columns, np.int64)
        object.__setattr__(self, "roots", _frozen(self.roots, np.int64))
        if rows.shape != columns.shape or rows.ndim != 1:
            raise ValueError(f"Basis rows and columns must be 1-D of one length, got shapes "
                             f"{rows.shape} and {columns.shape}")
        if rows.size and (rows.min() < 0 or rows.max() >= self.n or columns.min() < 0
                          or columns.max() >= self.m):
            raise ValueError(f"Basis arcs must lie in a {self.n} x {self.m} problem")
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "columns", columns)

    @classmethod
    def from_plan(cls, n: int, m: int, rows: ArrayLike, columns: ArrayLike,
                  flows: ArrayLike | None = None) -> Basis:
        """A spanning forest of the arcs of a plan, larger flows first.

        ``rows``, ``columns`` (k,) are arcs of an ``n x m`` problem (e.g. a coarse plan
        refined to fine points), ``flows`` (k,) optional weights: a maximum-weight spanning
        forest is kept (Kruskal, via scipy), so the arcs carrying most mass become tree
        arcs and cycles are broken at the smallest flows. Arcs with no flow are kept only
        when ``flows`` is None.
        """
        from scipy.sparse import coo_array
        from scipy.sparse.csgraph import minimum_spanning_tree

        rows = np.asarray(rows, dtype=np.int64)
        columns = np.asarray(columns, dtype=np.int64)
        if flows is None:
            weight = np.ones(rows.size)
        else:
            flows = np.asarray(flows, dtype=float)
            keep = flows > 0
            rows, columns, flows = rows[keep], columns[keep], flows[keep]
            top = float(flows.max()) if flows.size else 1.0
            weight = 2.0 - flows / top  # in [1, 2): smaller for larger flows, never 0
        graph = coo_array((weight, (rows, n + columns)), shape=(n + m, n + m)).tocsr()
        forest = minimum_spanning_tree(graph).tocoo()
        return cls(n, m, forest.row.astype(np.int64), forest.col.astype(np.int64) - n)


@dataclass(frozen=True)
class NetworkSimplexAnswer:
    """The optimum on an arc list.

    ``flows`` (k,) is the flow on each given arc; ``cost = flows @ costs``; ``dual_u`` (n,)
    and ``dual_v`` (m,) satisfy ``u_i + v_j = c_ij`` on the basis arcs (up to rounding) and
    ``c_ij - u_i - v_j >= -tolerance`` on all given arcs (``diagnostics["min_reduced_cost"]``
    reports the smallest); ``basis`` starts a later solve. ``diagnostics`` holds ``pivots``,
    ``time`` (seconds), ``arcs``, ``basis_arcs`` (warm-start arcs found in the list),
    ``basis_dropped`` and ``cost_scale``.

    The tolerance is ``EPSILON * max(1, |c|, |potentials|)`` in units of ``cost_scale``.
    Potentials of a part of the basis that hangs from the root by a big-M artificial arc
    (cost ``2 (n + m + 1)`` in those units; it happens with massless points and degenerate
    bases) carry that offset, so they are resolved to about ``eps * 2 (n + m + 1) *
    cost_scale`` only; the plan and its cost are not affected. Callers that need tight
    duals recompute c-transforms (as :mod:`otdiv.exact.certificate` does).
    """

    flows: np.ndarray
    cost: float
    dual_u: np.ndarray
    dual_v: np.ndarray
    basis: Basis
    diagnostics: dict[str, Any] = field(default_factory=dict)


def solve_arcs(a: np.ndarray, b: np.ndarray, rows: ArrayLike, columns: ArrayLike,
               costs: ArrayLike, *, basis: Basis | None = None,
               block_factor: float = 1.0,
               max_pivots: int | None = None) -> NetworkSimplexAnswer:
    """Solve the transportation problem on the arcs ``(rows[k], columns[k])``.

    Parameters
    ----------
    a, b : (n,), (m,) float64
        Non-negative masses with equal sums (trusted input).
    rows, columns : (k,) integer
        The allowed arcs, in any order (duplicates are allowed; one of them is used).
    costs : (k,) float64
        Finite arc costs, of any sign.
    basis : Basis, optional
        A start basis (from an earlier answer or :meth:`Basis.from_plan`); see the module
        docstring for how one that does not fit is repaired.
    block_factor : float
        The block search scans ``max(10, block_factor * sqrt(k))`` arcs per block
        (LEMON's rule is 1). Smaller blocks enter arcs found sooner, nearer in the arc
        list; see :data:`otdiv.exact.sparse.BLOCK_FACTOR` for where that pays.
    max_pivots : int, optional
        Pivot limit; default ``max(10_000_000, 50 * k)``.

    Raises
    ------
    SolverError
        The arcs cannot carry the masses (more than ``MASS_TOLERANCE`` times the total mass
        would stay on artificial arcs), or the pivot limit was reached.
    ValueError
        Inconsistent shapes, arcs outside the problem, or a basis of another shape.
    """
    started = time.perf_counter()
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    costs = np.ascontiguousarray(costs, dtype=np.float64)
    n, m = a.size, b.size
    n_arcs = costs.size
    if a.ndim != 1 or b.ndim != 1 or n == 0 or m == 0:
        raise ValueError(f"a and b must be non-empty 1-D arrays, got shapes {a.shape}, {b.shape}")
    if np.shape(rows) != (n_arcs,) or np.shape(columns) != (n_arcs,) or costs.ndim != 1:
        raise ValueError(f"rows, columns and costs must be 1-D of one length, got shapes "
                         f"{np.shape(rows)}, {np.shape(columns)}, {costs.shape}")
    if basis is not None and (basis.n, basis.m) != (n, m):
        raise ValueError(f"the basis is for a {basis.n} x {basis.m} problem, not {n} x {m}")
    n_nodes = n + m
    index = np.int32 if n_arcs + n_nodes + 1 < 2**31 else np.int64
    # Arc ends as uint32 when they fit: the pricing loop reads them for every arc, and
    # unsigned indices spare Numba's negative-index wrap-around (about 15% of the scan).
    ends_type = np.uint32 if n_arcs + n_nodes + 1 < 2**32 else np.int64
    rows = np.asarray(rows)
    columns = np.asarray(columns)
    if n_arcs and (rows.min() < 0 or rows.max() >= n or columns.min() < 0
                   or columns.max() >= m):
        raise ValueError(f"arcs must join rows 0..{n - 1} to columns 0..{m - 1}")

    scale = power_of_two_above(float(np.abs(costs).max())) if n_arcs else 1.0
    total = n_arcs + n_nodes
    source = np.empty(total, dtype=ends_type)
    target = np.empty(total, dtype=ends_type)
    source[:n_arcs] = rows
    target[:n_arcs] = columns
    target[:n_arcs] += n
    cost = np.empty(total)
    np.divide(costs, scale, out=cost[:n_arcs])
    flow = np.zeros(total)
    state = np.empty(total, dtype=np.int8)
    parent = np.empty(n_nodes + 1, dtype=index)
    pred = np.empty(n_nodes + 1, dtype=index)
    pred_up = np.empty(n_nodes + 1, dtype=np.int8)
    succ_num = np.empty(n_nodes + 1, dtype=index)
    last_succ = np.empty(n_nodes + 1, dtype=index)
    thread = np.empty(n_nodes + 1, dtype=index)
    rev_thread = np.empty(n_nodes + 1, dtype=index)
    pi = np.empty(n_nodes + 1)
    supply = np.concatenate([a, -b])
    # Big M: more than any potential difference along a path of real arcs (|cost| <= 1).
    art_cost = 2.0 * (n_nodes + 1)

    if basis is None or basis.rows.size == 0:
        tree_arcs = np.empty(0, dtype=np.int64)
    else:
        tree_arcs = kernels.match_arcs(rows.astype(np.int64, copy=False),
                                       columns.astype(np.int64, copy=False), n,
                                       basis.rows, basis.columns)
    roots = (np.empty(0, dtype=np.int64) if basis is None
             else basis.roots[(basis.roots >= 0) & (basis.roots < n_nodes)])
    dropped = kernels.build_tree(n_nodes, supply, source, target, cost, n_arcs, tree_arcs,
                                 roots, art_cost, flow, state, parent, pred, pred_up,
                                 succ_num, last_succ, thread, rev_thread, pi)
    dropped += 0 if basis is None else basis.rows.size - tree_arcs.size

    limit = max(10_000_000, 50 * n_arcs) if max_pivots is None else int(max_pivots)
    if not block_factor > 0:
        raise ValueError(f"block_factor must be positive, got {block_factor!r}")
    block_size = max(10, int(block_factor * math.sqrt(n_arcs)))
    counters = np.zeros(2, dtype=np.int64)
    work = np.empty((4, n_nodes + 1), dtype=np.int64)
    status = kernels.OPTIMAL if n_arcs == 0 else kernels.PIVOT_LIMIT
    while status == kernels.PIVOT_LIMIT:
        budget = limit - int(counters[1])
        if budget <= 0:
            raise SolverError(f"the network simplex reached its pivot limit ({limit}) on "
                              f"{n_arcs} arcs between {n} + {m} points")
        status = kernels.run_pivots(source, target, cost, flow, state, parent, pred,
                                    pred_up, succ_num, last_succ, thread, rev_thread, pi, n_arcs,
                                    block_size, EPSILON, min(budget, PIVOTS_PER_CALL),
                                    counters, work)
        kernels.refresh_potentials(cost, parent, pred, pred_up, thread, pi)
    if status == kernels.UNBOUNDED:  # impossible for arcs from sources to sinks
        raise SolverError("the network simplex found the problem unbounded")

    unshipped = float(flow[n_arcs:].max())
    if unshipped > MASS_TOLERANCE * max(float(a.sum()), float(b.sum())):
        raise SolverError(f"the arcs admit no feasible plan: {unshipped:.3g} of the mass "
                          f"cannot be shipped on {n_arcs} arcs between {n} + {m} points")

    flows = flow[:n_arcs].copy()
    dual_u = -pi[:n] * scale
    dual_v = pi[n:n_nodes] * scale
    shift = centring_shift(dual_v, b)  # potentials are defined up to a constant
    dual_u += shift
    dual_v -= shift
    min_reduced = scale * kernels.smallest_reduced_cost(source, target, cost, pi, n_arcs)
    basic = np.flatnonzero(state[:n_arcs] == 0)
    new_basis = Basis(n, m, rows[basic], columns[basic],
                      np.flatnonzero(parent[:n_nodes] == n_nodes))
    diagnostics = {"pivots": int(counters[1]), "time": time.perf_counter() - started,
                   "arcs": n_arcs, "basis_arcs": int(tree_arcs.size),
                   "basis_dropped": int(dropped), "cost_scale": scale,
                   "min_reduced_cost": min_reduced}
    return NetworkSimplexAnswer(flows=flows, cost=float(flows @ costs), dual_u=dual_u,
                                dual_v=dual_v, basis=new_basis, diagnostics=diagnostics)
