r"""Exact optimal transport between large point clouds without the cost matrix.

Column generation on the arcs (pairs) of the transport problem, as in the shortlist method
of Gottschlich & Schuhmacher and Schmitzer's sparse multiscale algorithm:

1. **Coarse duals.** Both clouds are cut into ``k``-d tree cells; the cells' centroids and
   masses form a coarse problem, solved the same way (densely once it is small), and its
   source potential is carried to every target by a c-transform.
2. **First arcs.** Each source keeps its ``k`` arcs of smallest :math:`c_{ij} - v_j`, each
   target its ``k`` of smallest :math:`c_{ij} - u_i` with :math:`u = v^c`, plus the support
   of a feasible plan (the monotone coupling of both clouds sorted along their widest
   axis), so the sparse problem always has a feasible plan.
3. **Rounds.** The network simplex solves the sparse problem, warm-started from the last
   basis (the first round from the coarse plan refined to the points). Every pair is then
   priced against its target potential ``v`` by k-d tree searches (:mod:`otdiv.geometry`;
   for p = 1 and p = 2 they prune with affine envelopes of the potential, see
   :mod:`otdiv._kernels.pricing`): the smallest :math:`c_{ij} - v_j` of each row is the
   c-transform :math:`u^c_i`, which with ``v`` is exactly feasible for the **full**
   problem and bounds the optimum from below; the rows whose arcs undercut their
   potential give the violators added for the next round.
4. **Stop** when no pair has a reduced cost below ``-PRICING_TOLERANCE`` (or below twice
   the solver's own residual on its arcs, at most ``MAX_PRICING_THRESHOLD``); the answer then
   goes through the same certificate as every exact solve (marginals, and the gap between
   the plan's cost and the value of the c-transformed potentials).

Problems above ``DENSE_LIMIT`` pairs are solved with both clouds in k-d tree order (nearby
points at nearby indices: the network simplex then searches and walks its arrays locally)
and answered in the caller's order.

Memory grows like the number of arcs kept (tens per point), never like ``n * m``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np

from ..geometry import Cells, PointCloudCost
from ._potentials import centring_shift
from .certificate import SolverError
from .network_simplex import Basis, solve_arcs
from .problem import Problem, Progress, RawAnswer

__all__ = ["solve_point_clouds"]

#: Arcs of smallest reduced cost per source and per target in the first arc set, for
#: p > 1 and for p = 1 (W_1's potentials are flat along transport rays: more arcs tie, and
#: a larger first set and larger rounds save rounds). Measured in 2-D, p = 1, with 16 first
#: arcs and 32 per round instead of none and 16: n = 2000 0.70 -> 0.23 s, 5000 1.3 -> 0.95 s,
#: 10^4 4.6 -> about 3 s (8 -> 5 rounds, 240k -> 126k pivots), 3·10^4 30 -> 21 s.
FIRST_ARCS = 8
FIRST_ARCS_W1 = 16
#: Violating arcs added per source in each round (the most negative first).
ARCS_PER_ROUND = 16
ARCS_PER_ROUND_W1 = 32
#: Reduced costs above ``-PRICING_TOLERANCE`` (costs lie in [0, 1]) count as non-negative.
PRICING_TOLERANCE = 1e-13
#: The most the pricing threshold grows to follow the solver's residual (see
#: ``_pricing_threshold``); a solver less accurate than this is priced at this value.
MAX_PRICING_THRESHOLD = 1e-9
#: Points per cell when a problem is coarsened for its first potentials, for p > 1 and
#: p = 1. Halving the resolution per level (2 points per cell) starts each level nearer its
#: optimum: 2-D, p = 2, 3·10^4 points 300k -> 221k pivots, 10^5 points 1.08M -> 0.82M
#: pivots and 144 -> 45 s (each with other work running); p = 1 lost more in the extra
#: levels' pricing than it gained (10^4: 4.5 -> 6.4 s). For p = 1, since its envelope
#: pricing, 8 points per cell against 4 (2-D Gaussian clouds 1 apart, median of 3, another
#: job running): 5000 points 0.88 -> 0.78 s, 10^4 2.38 -> 2.21 s, 3·10^4 18.7 -> 15.9 s
#: (16 per cell: 22.7 s).
COARSE_CELL = 2
COARSE_CELL_W1 = 8
#: Block size of the network simplex's search, relative to LEMON's sqrt(#arcs), for p > 1.
#: The arcs are sorted by row, so a small block enters an arc near the last one, and a
#: refined start basis needs mostly local exchanges. Measured on the first fine solve of
#: 2-D Gaussian clouds, p = 2 (pivots, and scanned + walked tree nodes per pivot): 10^4
#: points 93k -> 71k pivots, 700 -> 315 nodes; 3·10^4 points 480k -> 278k, 1350 -> 655.
#: For p = 1 LEMON's block is kept: smaller ones took more pivots (10^4: 89k -> 121k).
BLOCK_FACTOR = 0.1
BLOCK_FACTOR_W1 = 1.0
#: Problems with at most this many pairs get their first potentials from a dense solve
#: (was 1000 * 1000; 2-D Gaussian clouds, 1000 points: p = 1 0.13 -> 0.06 s, p = 2
#: 0.14 -> 0.05 s, another job running; no change at 10^4).
DENSE_LIMIT = 500 * 500
#: Rounds before giving up.
MAX_ROUNDS = 100


def solve_point_clouds(problem: Problem, *, progress: Progress | None = None) -> RawAnswer:
    """Column generation until no pair prices below zero (see the module docstring).

    ``problem.geometry`` is a :class:`PointCloudCost`. ``progress`` is a callable
    ``progress(round, violators, arcs)`` or None, called with round 0 once the coarse start
    and the first arcs are ready, then after each round's pricing. The raw answer's
    potentials are centred and its ``hint`` bounds the row c-transform (the solver's own
    ``u``, to its accuracy).
    """
    started = time.perf_counter()
    if not isinstance(problem.geometry, PointCloudCost):
        raise TypeError(f"method='sparse' needs point clouds (PointCloudCost), got "
                        f"{type(problem.geometry).__name__}")
    cost = problem.geometry
    if cost.shape[0] * cost.shape[1] <= DENSE_LIMIT:
        answer, _ = _column_generation(problem.a, problem.b, cost, progress)
    else:
        answer = _in_tree_order(problem.a, problem.b, cost, progress)
    answer.diagnostics["seconds"] = time.perf_counter() - started
    return answer


def _in_tree_order(a: np.ndarray, b: np.ndarray, cost: PointCloudCost,
                   progress: Progress | None) -> RawAnswer:
    """Column generation on both clouds put in k-d tree order, answered in the caller's.

    Nearby points at nearby indices keep the network simplex's block search among
    neighbouring arcs and its tree walks in cache. 2-D Gaussian clouds, p = 2, 10^5 points
    (another job on both cores): finest level 802k -> 522k pivots, its simplex 26.4 ->
    4.9 s, the whole solve 39 -> 17 s. The coarse levels are k-d tree cells, already in
    this order.
    """
    ordered, x_order, y_order = cost.in_tree_order()
    answer, _ = _column_generation(a[x_order], b[y_order], ordered, progress)
    dual_u = np.empty_like(answer.dual_u)
    dual_u[x_order] = answer.dual_u
    dual_v = np.empty_like(answer.dual_v)
    dual_v[y_order] = answer.dual_v
    hint = np.empty_like(answer.hint)
    hint[x_order] = answer.hint
    return replace(answer, rows=x_order[answer.rows], columns=y_order[answer.columns],
                   dual_u=dual_u, dual_v=dual_v, hint=hint)


def _column_generation(a: np.ndarray, b: np.ndarray, cost: PointCloudCost,
                       progress: Progress | None = None) -> tuple[RawAnswer, np.ndarray]:
    """The raw answer and its centred source potential (the raw answer's ``dual_u``)."""
    m = cost.shape[1]
    b = b * (a.sum() / b.sum())
    clock = time.perf_counter()
    start_v, seed_keys, basis = _initial_potentials(a, b, cost)
    keys = _first_arcs(a, b, cost, seed_keys, start_v)
    seconds = {"coarse": time.perf_counter() - clock, "simplex": 0.0, "pricing": 0.0}
    if progress is not None:
        progress(0, 0, int(keys.size))
    pivots = 0  # the basis is carried from the coarser scale and from round to round
    for round_number in range(1, MAX_ROUNDS + 1):
        clock = time.perf_counter()
        rows, columns = np.divmod(keys, m)
        arc_cost = cost.arc_costs(rows, columns)
        answer = solve_arcs(a, b, rows, columns, arc_cost, basis=basis,
                            block_factor=BLOCK_FACTOR if cost.p != 1.0 else BLOCK_FACTOR_W1)
        flows, dual_u, dual_v, basis = answer.flows, answer.dual_u, answer.dual_v, answer.basis
        pivots += answer.diagnostics["pivots"]
        seconds["simplex"] += time.perf_counter() - clock
        clock = time.perf_counter()
        # Price every pair: the rows with an arc whose reduced cost is below the threshold,
        # and up to ARCS_PER_ROUND of their most negative new arcs.
        threshold = _pricing_threshold(arc_cost, rows, columns, dual_u, dual_v,
                                       (a[rows] > 0) & (b[columns] > 0))
        fresh = _new_arcs(cost, dual_v, dual_u, keys, threshold)
        seconds["pricing"] += time.perf_counter() - clock
        if progress is not None:
            progress(round_number, int(fresh.size), int(keys.size))
        if fresh.size == 0:
            used = flows > 0
            # Centred (potentials are defined up to a constant); the certificate computes
            # the exactly feasible pair from them.
            shift = centring_shift(dual_v, b)  # as the certificate centres them
            dual_u, dual_v = dual_u + shift, dual_v - shift
            return RawAnswer(rows[used], columns[used], flows[used], dual_v, dual_u,
                             {"rounds": round_number, "arcs": int(keys.size),
                              "pivots": pivots,
                              **{f"seconds_{phase}": value for phase, value in seconds.items()}},
                             hint=dual_u + 1e-9 * (1.0 + np.abs(dual_u))), dual_u
        keys = np.insert(keys, np.searchsorted(keys, fresh), fresh)
    raise SolverError(f"the sparse solver did not converge in {MAX_ROUNDS} rounds "
                      f"({keys.size} arcs)")


def _pricing_threshold(arc_cost: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                       dual_u: np.ndarray, dual_v: np.ndarray,
                       between_masses: np.ndarray) -> float:
    """How far below zero a reduced cost must be for its arc to count as violated.

    ``PRICING_TOLERANCE``, or twice the solver's own optimality residual on the arcs it was
    given if that is larger. POT's potentials leave arcs of the sparse problem itself at
    reduced costs down to about -1.3e-10 (so each potential is off by about that much, and a
    reduced cost, which involves two, by twice it); a new arc no more violated than that
    cannot improve the plan by more than the solver resolves. Pricing below it only adds
    rounds that each add a handful of arcs and leave the cost unchanged (2·10⁴ points,
    p = 1: 13 rounds instead of 24); the certificate measures the gap that remains. Only
    arcs between points with mass (``between_masses``) count: the potential of a massless
    point is free in the LP and says nothing about the solver's accuracy.
    """
    if not between_masses.any():
        return PRICING_TOLERANCE
    reduced = arc_cost[between_masses] - dual_u[rows[between_masses]] \
        - dual_v[columns[between_masses]]
    residual = -float(np.min(reduced))
    return min(max(PRICING_TOLERANCE, 2.0 * residual), MAX_PRICING_THRESHOLD)


def _new_arcs(cost: PointCloudCost, dual_v: np.ndarray, dual_u: np.ndarray, keys: np.ndarray,
              threshold: float) -> np.ndarray:
    """Keys of the most violated arcs that are not in ``keys`` yet (sorted).

    One bounded search per row: only values below ``u_i - threshold`` count, so a row
    without a violating arc prunes its whole search tree early.
    """
    m = cost.shape[1]
    per_row = ARCS_PER_ROUND_W1 if cost.p == 1.0 else ARCS_PER_ROUND
    _, columns = cost.cheapest(dual_v, min(per_row, m), bounds=dual_u - threshold)
    rows, slots = np.nonzero(columns >= 0)
    if rows.size == 0:
        return rows.astype(np.int64)
    candidates = _sorted_unique(rows.astype(np.int64) * m + columns[rows, slots])
    # Arcs already in the set can look violated: the solver's potentials are accurate to
    # about 1e-11 only. The certificate, not this test, decides optimality.
    positions = np.minimum(np.searchsorted(keys, candidates), keys.size - 1)
    return candidates[keys[positions] != candidates]


def _initial_potentials(a: np.ndarray, b: np.ndarray, cost: PointCloudCost
                        ) -> tuple[np.ndarray, np.ndarray, Basis]:
    """A target potential, a first arc set and a start basis from a solve one scale coarser.

    Small problems are solved densely (their plan's support is the arc set). Larger ones
    are coarsened — points merged into k-d tree cells of about ``COARSE_CELL`` points
    (``COARSE_CELL_W1`` for p = 1), at their centroids — and solved by this module
    recursively. The coarse source potential is carried to every fine target (a
    c-transform), and every coarse arc with flow is refined into all the arcs between the
    points of its two cells (Schmitzer's multiscale refinement).
    """
    n, m = cost.shape
    if n * m <= DENSE_LIMIT:
        return _dense_start(a, b, cost)
    coarse, x_cells, y_cells = cost.coarsen(a, b,
                                            COARSE_CELL_W1 if cost.p == 1.0 else COARSE_CELL)
    solution, coarse_u = _column_generation(x_cells.masses, y_cells.masses, coarse)
    dual_v = PointCloudCost.from_scaled(x_cells.centroids, cost.y, cost.p
                                        ).c_transform_columns(coarse_u)
    rows, columns = _refine(x_cells, y_cells, solution.rows, solution.columns)
    # A feasible vertex of the fine problem on those arcs, as the first basis.
    start_rows, start_columns, start_flows = _refined_vertex(
        x_cells, y_cells, solution.rows, solution.columns, solution.flows, a, b)
    basis = Basis.from_plan(n, m, start_rows, start_columns, start_flows)
    return dual_v, rows * m + columns, basis


def _dense_start(a: np.ndarray, b: np.ndarray, cost: PointCloudCost
                 ) -> tuple[np.ndarray, np.ndarray, Basis]:
    import ot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan, log = ot.emd(a, b, cost.solver_matrix(),
                           numItermax=max(100_000, 100 * (a.size + b.size) ** 2), log=True)
    rows, columns = np.nonzero(plan > 0)
    basis = Basis.from_plan(a.size, b.size, rows, columns, plan[rows, columns])
    return (np.asarray(log["v"], dtype=float), rows.astype(np.int64) * cost.shape[1] + columns,
            basis)


def _refine(x_cells: Cells, y_cells: Cells, coarse_rows: np.ndarray, coarse_columns: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """All fine arcs between the members of the cells joined by each coarse arc."""
    x_count = x_cells.count[coarse_rows]
    y_count = y_cells.count[coarse_columns]
    sizes = x_count * y_count
    arc = np.repeat(np.arange(sizes.size), sizes)
    local = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = x_cells.order[x_cells.start[coarse_rows][arc] + local // y_count[arc]]
    columns = y_cells.order[y_cells.start[coarse_columns][arc] + local % y_count[arc]]
    return rows.astype(np.int64), columns.astype(np.int64)


def _refined_vertex(x_cells: Cells, y_cells: Cells, coarse_rows: np.ndarray,
                    coarse_columns: np.ndarray, coarse_flows: np.ndarray, a: np.ndarray,
                    b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A basic feasible fine plan inside the refined arcs: north-west corners, twice.

    Each cell's fine masses are split over the cell's coarse arcs by a north-west corner
    (points in cell order, arcs in order), then each coarse arc's source pieces are matched
    to its target pieces by another. Every step follows a chain, so the support is (up to
    ties) a forest, and the plan ships the fine masses: a start basis that the network
    simplex can use as it is.
    """
    arc_count = coarse_rows.size
    source_pieces = _split_cells(x_cells, a, coarse_rows, coarse_flows)
    target_pieces = _split_cells(y_cells, b, coarse_columns, coarse_flows)
    rows, columns, flows = _north_west_by_group(source_pieces, target_pieces, arc_count)
    # Rounding slivers can repeat an arc: merge them.
    keys, inverse = np.unique(rows * b.size + columns, return_inverse=True)
    return keys // b.size, keys % b.size, np.bincount(inverse, weights=flows)


def _split_cells(cells: Cells, masses: np.ndarray, coarse_ends: np.ndarray,
                 coarse_flows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(group = coarse arc, point, amount)`` pieces: every cell's points split over its
    coarse arcs by a north-west corner (points in cell order, arcs in index order)."""
    n_cells = cells.count.size
    point_cell = np.repeat(np.arange(n_cells), cells.count)
    arc_order = np.argsort(coarse_ends, kind="stable")
    point, arc, amount = _corner_by_group(point_cell, masses[cells.order],
                                          coarse_ends[arc_order], coarse_flows[arc_order],
                                          n_cells)
    return arc_order[arc], cells.order[point], amount


def _north_west_by_group(source_pieces: tuple[np.ndarray, np.ndarray, np.ndarray],
                         target_pieces: tuple[np.ndarray, np.ndarray, np.ndarray],
                         n_groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """North-west corner between the source and target pieces of each group."""
    source_group, source_point, source_amount = source_pieces
    target_group, target_point, target_amount = target_pieces
    s_order = np.argsort(source_group, kind="stable")
    t_order = np.argsort(target_group, kind="stable")
    i, j, flows = _corner_by_group(source_group[s_order], source_amount[s_order],
                                   target_group[t_order], target_amount[t_order], n_groups)
    return (source_point[s_order][i].astype(np.int64),
            target_point[t_order][j].astype(np.int64), flows)


def _corner_by_group(first_group: np.ndarray, first_mass: np.ndarray, second_group: np.ndarray,
                     second_mass: np.ndarray, n_groups: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The north-west corner of two sequences within each group (both sorted by group).

    Positions are cumulative masses over the whole sequence (resolution relative to the
    total, not to a group); the second sequence is rescaled group by group to the first's
    totals, and pieces whose two sides fall in different groups (rounding slivers at group
    boundaries) are left out. Returns the index into each sequence and the piece's mass.
    """
    first_total = np.bincount(first_group, weights=first_mass, minlength=n_groups)
    second_total = np.bincount(second_group, weights=second_mass, minlength=n_groups)
    ratio = np.divide(first_total, second_total, out=np.zeros(n_groups),
                      where=second_total > 0)
    first_end = np.cumsum(first_mass)
    second_end = np.cumsum(second_mass * ratio[second_group])
    ends = np.unique(np.concatenate([first_end, second_end]))
    starts = np.concatenate([[0.0], ends[:-1]])
    keep = ends > starts
    ends, starts = ends[keep], starts[keep]
    middle = 0.5 * (starts + ends)
    first = np.minimum(np.searchsorted(first_end, middle), first_end.size - 1)
    second = np.minimum(np.searchsorted(second_end, middle), second_end.size - 1)
    same = first_group[first] == second_group[second]
    return first[same], second[same], (ends - starts)[same]


def _first_arcs(a: np.ndarray, b: np.ndarray, cost: PointCloudCost, seed_keys: np.ndarray,
                start_v: np.ndarray) -> np.ndarray:
    """Sorted keys ``i * m + j`` of the first arc set: the arcs refined from the coarser
    solve, the support of a feasible plan (so the sparse problem is always feasible) and
    each row's and column's ``FIRST_ARCS`` (``FIRST_ARCS_W1`` for p = 1) arcs of smallest
    reduced cost: the rows' under ``start_v``, the columns' under its c-transform ``u``
    (the rows' cheapest values: one search gives both)."""
    n, m = cost.shape
    feasible_rows, feasible_columns = _monotone_support(a, b, cost.x, cost.y)
    parts = [feasible_rows * m + feasible_columns, seed_keys]
    first = FIRST_ARCS_W1 if cost.p == 1.0 else FIRST_ARCS
    if first:
        row_values, row_best = cost.cheapest(start_v, min(first, m))
        dual_u = np.nextafter(row_values[:, 0], -np.inf)
        _, column_best = cost.cheapest_sources(dual_u, min(first, n))
        parts.append((np.arange(n)[:, None] * m + row_best).ravel())
        parts.append((column_best * m + np.arange(m)[:, None]).ravel())
    keys = _sorted_unique(np.concatenate(parts))
    return keys[keys >= 0]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting (numpy's hash-based unique is many times slower here)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if values.size else values


def _monotone_support(a: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Arcs of the north-west-corner plan between both clouds sorted along one axis."""
    axis = int(np.argmax(np.vstack([x, y]).max(axis=0) - np.vstack([x, y]).min(axis=0)))
    x_order = np.argsort(x[:, axis], kind="stable")
    y_order = np.argsort(y[:, axis], kind="stable")
    x_cumulative = np.cumsum(a[x_order])
    y_cumulative = np.cumsum(b[y_order])
    x_cumulative /= x_cumulative[-1]
    y_cumulative /= y_cumulative[-1]
    # Arc (i, j) of the corner plan exists where the mass intervals overlap: merge the
    # interval ends, each step moves to the next source, the next target or both.
    ends = _sorted_unique(np.concatenate([x_cumulative, y_cumulative]))
    ends = ends[ends > 0]
    starts = np.concatenate([[0.0], ends[:-1]])
    midpoints = 0.5 * (starts + ends)
    i = np.minimum(np.searchsorted(x_cumulative, midpoints), x_order.size - 1)
    j = np.minimum(np.searchsorted(y_cumulative, midpoints), y_order.size - 1)
    return x_order[i].astype(np.int64), y_order[j].astype(np.int64)
