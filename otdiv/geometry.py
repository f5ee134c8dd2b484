r"""Ground costs: what every exact transport path takes instead of a bare matrix.

A ground cost answers the questions a solver and its certificate ask, in whichever way is
cheapest for it:

``shape``
    ``(n, m)``.
``dense()``
    The ``(n, m)`` matrix (only for problems that fit in memory).
``arc_costs(rows, columns)``
    The costs of given arcs.
``cheapest(potential, k)``
    For every source ``i``, the ``k`` smallest values of :math:`c_{ij} - w_j` and their
    columns; with ``k = 1`` this is the c-transform :math:`w^c_i = \min_j c_{ij} - w_j`
    that makes a target potential exactly feasible.

:class:`CostMatrix` wraps a dense matrix; :class:`PointCloudCost` evaluates
:math:`\|x_i - y_j\|^p` between two point clouds on demand (k-d tree searches, memory that
grows like :math:`n + m`), which is what lets the sparse solver certify problems whose
matrix would not fit. Costs are held in an exactly rescaled unit (powers of two, see
:meth:`PointCloudCost.to_distance`) so that every cost lies in ``[0, 1]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.spatial.distance import cdist

from ._kernels.exact_sums import column_c_transform_down, row_c_transform_down
from ._kernels.matrices import euclidean_distance_matrix
from ._kernels.pricing import (
    arc_costs,
    build_kd_tree,
    cheapest_targets,
    node_envelopes,
    node_maxima,
)
from ._scaling import power_of_two_above

__all__ = ["CostMatrix", "PointCloudCost", "ArcCost", "Cells", "paired_distances",
           "check_underflow"]

#: Points per leaf of the k-d trees that price arcs.
LEAF_SIZE = 16


class CostMatrix:
    """A dense cost matrix, as given (trusted: finite float64, shape ``(n, m)``)."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = matrix

    def solver_matrix(self) -> np.ndarray:
        return self.matrix

    def cost_bounds(self) -> tuple[float, float]:
        """``(low, high)`` with ``low <= c_ij <= high`` for every pair."""
        return float(self.matrix.min()), float(self.matrix.max())

    def c_transform(self, potential: np.ndarray, bounds: np.ndarray | None = None
                    ) -> np.ndarray:
        r"""``u_i <= min_j (c_ij - w_j)`` in exact arithmetic, one float below at most."""
        return row_c_transform_down(np.ascontiguousarray(self.matrix), potential)

    def c_transform_columns(self, potential: np.ndarray) -> np.ndarray:
        r"""``v_j <= min_i (c_ij - w_i)`` in exact arithmetic, one float below at most."""
        return column_c_transform_down(np.ascontiguousarray(self.matrix), potential)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    def dense(self) -> np.ndarray:
        return self.matrix

    def arc_costs(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        return self.matrix[rows, columns]

    def cheapest(self, potential: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        modified = self.matrix - potential[None, :]
        if k == 1:
            columns = np.argmin(modified, axis=1)[:, None]
        else:
            columns = np.argsort(modified, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(modified, columns, axis=1), columns


class _Tree:
    """A balanced k-d tree over points (median splits on the widest coordinate)."""

    def __init__(self, points: np.ndarray, leaf_size: int = LEAF_SIZE):
        depth = max(0, math.ceil(math.log2(max(points.shape[0] / leaf_size, 1.0))))
        self.first_leaf = 2**depth - 1
        order, start, end, low, high = build_kd_tree(np.ascontiguousarray(points), depth)
        self.order = order
        self.points = np.ascontiguousarray(points[order])
        self.start, self.end, self.low, self.high = start, end, low, high

    def cheapest(self, queries: np.ndarray, potential: np.ndarray, p: float, k: int,
                 bounds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` smallest ``c(query_i, point_j) - potential_j`` per query (point indices)."""
        in_tree_order = np.ascontiguousarray(potential[self.order])
        maxima = node_maxima(in_tree_order, self.start, self.end, self.first_leaf)
        if p == 2.0 or p == 1.0:
            envelopes = node_envelopes(self.points, in_tree_order, self.start, self.end,
                                       self.first_leaf)
        else:
            envelopes = (np.empty((0, self.points.shape[1])), np.empty(0), np.empty(0))
        if bounds is None:
            bounds = np.full(queries.shape[0], np.inf)
        values = np.empty((queries.shape[0], k))
        positions = np.empty((queries.shape[0], k), dtype=np.int64)
        cheapest_targets(queries, self.points, in_tree_order, self.low, self.high, self.start,
                         self.end, self.first_leaf, maxima, float(p), k, bounds, positions,
                         values, *envelopes)
        indices = np.where(positions >= 0, self.order[np.maximum(positions, 0)], -1)
        return values, indices


#: Above this dimension k-d trees stop pruning: searches scan every point with blocked
#: matrix products instead (measured at n = 3000: the tree-priced sparse solver took 9.9 s
#: in d = 64 and 78 s in d = 784).
TREE_MAX_DIMENSION = 16

#: From this dimension on, a dense solve works on BLAS distances and is certified by exact
#: blocked scans; below it exact ``cdist`` is cheaper than the scans' extra passes
#: (W_1 of 2500 vs 2500 Gaussian points, seconds, BLAS / cdist path: d = 64 2.8 / 2.3,
#: d = 128 3.0 / 2.6, d = 256 2.9 / 3.8, d = 784 3.2 / 4.8, on a loaded 2-core machine).
BLAS_MIN_DIMENSION = 200

#: From this dimension on, exact distance matrices come from otdiv's multi-threaded kernel,
#: below it from ``cdist`` (2 500 x 2 500 points, one thread of each, beside another job:
#: d = 8 0.038 / 0.023 s, d = 16 0.047 / 0.037, d = 32 0.063 / 0.066, d = 64 0.094 / 0.123;
#: the kernel then splits the rows between the cores: d = 16 0.034 s on two).
PARALLEL_DISTANCE_MIN_DIMENSION = 16

#: Entries of the distance block that one scan step holds (a few tens of MB per array).
SCAN_BLOCK_ENTRIES = 2**21


class _Scan:
    r"""Exact searches over every point by blocked matrix products, for high dimension.

    The squared distances of a block of queries to every point come from one BLAS product,
    :math:`\|x\|^2 + \|y\|^2 - 2 x \cdot y`, whose rounding error is at most
    :math:`e = 2 (d + 4) \varepsilon (\|x\|^2 + \|y\|^2)`; that brackets every cost in an
    interval. Only the points whose interval could reach the ``k`` best are recomputed
    exactly (:func:`~otdiv._kernels.pricing.ground_cost`, the same costs the tree uses), so
    the answer is exactly the tree's, at the speed of BLAS.
    """

    def __init__(self, points: np.ndarray):
        # Centred on the points' bounding box (the queries are moved the same way): the
        # rounding bound grows with the norms, so smaller norms mean fewer candidates.
        self.middle = 0.5 * (points.min(axis=0) + points.max(axis=0))
        self.points = points
        self.centred = points - self.middle
        self.norms = np.einsum("ij,ij->i", self.centred, self.centred)

    def cheapest(self, queries: np.ndarray, potential: np.ndarray, p: float, k: int,
                 bounds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` smallest ``c(query_i, point_j) - potential_j`` per query, below bounds."""
        n, m = queries.shape[0], self.points.shape[0]
        k_found = min(k, m)
        if bounds is None:
            bounds = np.full(n, np.inf)
        values = np.repeat(bounds[:, None], k, axis=1).astype(np.float64)
        indices = np.full((n, k), -1, dtype=np.int64)
        centred = queries - self.middle
        query_norms = np.einsum("ij,ij->i", centred, centred)
        factor = 2.0 * (queries.shape[1] + 4) * np.finfo(float).eps
        slop = 64.0 * max(p, 1.0) * np.finfo(float).eps
        step = max(1, SCAN_BLOCK_ENTRIES // max(m, 1))
        for start in range(0, n, step):
            stop = min(n, start + step)
            error = query_norms[start:stop, None] + self.norms[None, :]
            squared = centred[start:stop] @ self.centred.T
            squared *= -2.0
            squared += error
            error *= factor
            low = _power_of_squared_inplace(np.maximum(squared - error, 0.0), p)
            low *= 1.0 - slop
            low -= potential
            squared += error
            high = _power_of_squared_inplace(squared, p)
            high *= 1.0 + slop
            high -= potential
            if k_found < m:
                kth = np.partition(high, k_found - 1, axis=1)[:, k_found - 1]
            else:
                kth = high.max(axis=1)
            threshold = np.minimum(kth, bounds[start:stop])
            rows, columns = np.nonzero(low <= threshold[:, None])
            rows = rows + start
            exact = arc_costs(queries, self.points, rows, columns, float(p)) - potential[columns]
            below = exact < bounds[rows]
            rows, columns, exact = rows[below], columns[below], exact[below]
            order = np.lexsort((columns, exact, rows))
            rows, columns, exact = rows[order], columns[order], exact[order]
            first = np.searchsorted(rows, rows, side="left")
            rank = np.arange(rows.size) - first
            keep = rank < k
            values[rows[keep], rank[keep]] = exact[keep]
            indices[rows[keep], rank[keep]] = columns[keep]
        return values, indices


class PointCloudCost:
    r"""The cost :math:`c_{ij} = (\|x_i - y_j\| / \ell)^p` between two point clouds, lazily.

    ``x`` and ``y`` are divided by a power of two near their largest coordinate and the
    distances by a power of two :math:`\ell` above the diameter of both clouds, so every
    cost lies in ``[0, 1]`` and the rescaling is exact; :meth:`to_distance` turns an optimal
    cost back into :math:`W_p`. Nothing of size ``n * m`` is stored unless :meth:`dense`
    is called.

    Parameters
    ----------
    x, y : ndarray, shapes (n, d) and (m, d)
        Trusted (validated, finite, C-contiguous float64) points.
    p : float >= 1
        Exponent.
    exact_unit : bool
        Use the largest pairwise distance for :math:`\ell` (needs the dense matrix, which
        :meth:`dense` computes anyway) instead of the diameter of the bounding box.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, p: float, *, exact_unit: bool = False):
        self.p = float(p)
        self.scale = power_of_two_above(max(float(np.max(np.abs(x))),
                                            float(np.max(np.abs(y)))))
        x = x / self.scale
        y = y / self.scale
        self._dense = self._solver_matrix = None
        if exact_unit and x.shape[1] >= BLAS_MIN_DIMENSION:
            # High dimension: the dense solver works on BLAS distances of the centred
            # clouds (their error is about d * eps * |x|^2, large next to tiny distances);
            # the certificate never sees them, it prices with the exact costs (_Scan).
            distance = _blas_distances(*_centred(x, y))
            self.unit = power_of_two_above(float(distance.max()) * (1.0 + 1e-9))
            distance /= self.unit
            self._solver_matrix = _power_checked(distance, self.p)
        elif exact_unit:
            distance = _euclidean_distances(x, y)
            self.unit = power_of_two_above(float(distance.max()))
            distance /= self.unit
            self._dense = _power_checked(distance, self.p)
        else:
            both = np.vstack([x.min(axis=0), y.min(axis=0)]).min(axis=0)
            upper = np.vstack([x.max(axis=0), y.max(axis=0)]).max(axis=0)
            self.unit = power_of_two_above(float(np.linalg.norm(upper - both)))
        self.x = np.ascontiguousarray(x / self.unit)
        self.y = np.ascontiguousarray(y / self.unit)
        self._target_tree: _Tree | _Scan | None = None
        self._source_tree: _Tree | _Scan | None = None

    @classmethod
    def from_scaled(cls, x: np.ndarray, y: np.ndarray, p: float) -> PointCloudCost:
        """A cost between points already in this class's units (scale = unit = 1)."""
        cost = cls.__new__(cls)
        cost.p, cost.scale, cost.unit = float(p), 1.0, 1.0
        cost.x, cost.y = np.ascontiguousarray(x), np.ascontiguousarray(y)
        cost._dense = cost._solver_matrix = cost._target_tree = cost._source_tree = None
        return cost

    @property
    def shape(self) -> tuple[int, int]:
        return self.x.shape[0], self.y.shape[0]

    def in_tree_order(self) -> tuple[PointCloudCost, np.ndarray, np.ndarray]:
        """The same cost with both clouds in k-d tree order, and the two orders.

        Returns ``(ordered, x_order, y_order)``: source ``i`` of ``ordered`` is source
        ``x_order[i]`` of this cost (likewise for targets), and every cost is bit for bit
        the same. Nearby points get nearby indices, so a solver's arrays are walked in
        cache-friendly order.
        """
        x_order = _Tree(self.x).order
        y_order = _Tree(self.y).order
        ordered = PointCloudCost.from_scaled(self.x[x_order], self.y[y_order], self.p)
        ordered.scale, ordered.unit = self.scale, self.unit
        if self._dense is not None:
            ordered._dense = self._dense[np.ix_(x_order, y_order)]
        if self._solver_matrix is not None:
            ordered._solver_matrix = self._solver_matrix[np.ix_(x_order, y_order)]
        return ordered, x_order, y_order

    def to_distance(self, optimal_cost: float) -> float:
        """:math:`W_p` in the samples' units from the optimal cost in this object's units."""
        distance = (max(optimal_cost, 0.0) ** (1.0 / self.p) * self.unit) * self.scale
        if not np.isfinite(distance):
            exponent = math.log2(self.unit) + math.log2(self.scale)
            raise ValueError(f"W_p of these samples overflows float64 (it is about "
                             f"{max(optimal_cost, 0.0) ** (1.0 / self.p):.3g} x 2^"
                             f"{exponent:.0f}); rescale the samples")
        return distance

    def dense(self) -> np.ndarray:
        """The exact cost matrix (computed once, on demand)."""
        if self._dense is None:
            distance = _euclidean_distances(self.x, self.y)
            self._dense = _power_checked(distance, self.p)
        return self._dense

    def solver_matrix(self) -> np.ndarray:
        """A dense matrix for a dense solver to work on: the exact costs, or in high
        dimension BLAS ones (relative error about 1e-12; the certificate does not use it)."""
        return self._solver_matrix if self._solver_matrix is not None else self.dense()

    def arc_costs(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Costs of the given arcs: from the exact matrix when it was built (the same
        numbers the c-transforms use), else from the Numba kernel."""
        if self._dense is not None:
            return self._dense[rows, columns]
        return arc_costs(self.x, self.y, rows, columns, self.p)

    def cheapest(self, potential: np.ndarray, k: int = 1, bounds: np.ndarray | None = None,
                 rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per source, the ``k`` smallest ``c_ij - potential_j`` (values, columns).

        Only values below ``bounds[i]`` count (unused slots: ``bounds[i]`` and column -1);
        ``rows`` restricts the search to some sources (``bounds`` then has one per row).
        """
        if self._target_tree is None:
            self._target_tree = _searcher(self.y)
        tree = self._target_tree
        queries = self.x if rows is None else np.ascontiguousarray(self.x[rows])
        return tree.cheapest(queries, potential, self.p, k, bounds)

    def cheapest_sources(self, potential: np.ndarray, k: int = 1,
                         bounds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per target, the ``k`` smallest ``c_ij - potential_i`` (values, rows)."""
        if self._source_tree is None:
            self._source_tree = _searcher(self.x)
        tree = self._source_tree
        return tree.cheapest(self.y, potential, self.p, k, bounds)

    def coarsen(self, a: np.ndarray, b: np.ndarray, cell_size: int
                ) -> tuple[PointCloudCost, Cells, Cells]:
        """The cost between k-d tree cells of about ``cell_size`` points (at their
        mass-weighted centroids), with the cells of both clouds."""
        x_cells = Cells(self.x, a, cell_size)
        y_cells = Cells(self.y, b, cell_size)
        coarse = PointCloudCost.from_scaled(x_cells.centroids, y_cells.centroids, self.p)
        return coarse, x_cells, y_cells

    def cost_bounds(self) -> tuple[float, float]:
        """``(low, high)`` with ``low <= c_ij <= high`` for every pair (costs lie in [0, 1])."""
        if self._dense is not None:
            return 0.0, float(self._dense.max())
        return 0.0, 1.0 + 1e-12  # distances are at most the unit; the margin covers rounding

    def c_transform(self, potential: np.ndarray, bounds: np.ndarray | None = None
                    ) -> np.ndarray:
        r"""``u_i <= min_j (c_ij - w_j)`` in exact arithmetic, one float below at most.

        The minimum runs over **every** pair (the dense matrix if it was built, else k-d
        tree searches, which are exact for the rounded costs). ``bounds`` is an optional
        hint (an upper bound expected to hold for most rows) that prunes the searches;
        rows where nothing lies below it are searched again without it.
        """
        if self._dense is not None:
            return row_c_transform_down(self._dense, potential)
        values, columns = self.cheapest(potential, 1, bounds=bounds)
        smallest = values[:, 0]
        if bounds is not None:
            missing = np.flatnonzero(columns[:, 0] < 0)
            if missing.size:
                smallest[missing] = self.cheapest(
                    potential, 1, rows=missing, bounds=np.full(missing.size, np.inf))[0][:, 0]
        return np.nextafter(smallest, -np.inf)

    def c_transform_columns(self, potential: np.ndarray) -> np.ndarray:
        r"""``v_j <= min_i (c_ij - w_i)`` in exact arithmetic, one float below at most."""
        if self._dense is not None:
            return column_c_transform_down(self._dense, potential)
        return np.nextafter(self.cheapest_sources(potential, 1)[0][:, 0], -np.inf)


class Cells:
    """The leaves of a k-d tree with ``leaf_size`` points: centroids, masses, members."""

    def __init__(self, points: np.ndarray, masses: np.ndarray, leaf_size: int):
        tree = _Tree(points, leaf_size=leaf_size)
        leaves = np.arange(tree.first_leaf, tree.start.size)
        leaves = leaves[tree.end[leaves] > tree.start[leaves]]
        self.order = tree.order
        self.start = tree.start[leaves]
        self.count = tree.end[leaves] - self.start
        weights = masses[tree.order]
        cell_of = np.repeat(np.arange(leaves.size), self.count)
        totals = np.bincount(cell_of, weights=weights, minlength=leaves.size)
        # Mass-weighted centroids; a cell of zero mass sits at its plain mean.
        safe = np.where(totals > 0, totals, 1.0)
        use = np.where(totals[cell_of] > 0, weights, 1.0 / self.count[cell_of])
        ordered = tree.points * use[:, None]
        sums = np.add.reduceat(ordered, self.start, axis=0)
        means = np.where((totals > 0)[:, None], sums / safe[:, None], sums)
        self.centroids = np.ascontiguousarray(means)
        self.masses = totals / totals.sum()


class ArcCost:
    """A cost known on given arcs only (a ``scipy.sparse`` cost: absent arcs are forbidden).

    Trusted: ``rows``, ``columns`` int64 and finite ``costs`` of equal length, each arc once.
    """

    def __init__(self, rows: np.ndarray, columns: np.ndarray, costs: np.ndarray,
                 shape: tuple[int, int]):
        self.rows, self.columns, self.costs = rows, columns, costs
        self._shape = shape

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    @property
    def repair_path_length(self) -> int:
        """Arcs a unit of misplaced mass may have to travel to be repaired: 1 when every pair
        is allowed, else an alternating path of at most ``n + m`` arcs (the allowed arcs
        are assumed to connect the points with mass, as a feasible problem's do)."""
        n, m = self._shape
        return 1 if self.costs.size >= n * m else n + m

    def arc_costs(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Costs of the given arcs; ``+inf`` for an arc the cost does not allow."""
        keys = self.rows * self._shape[1] + self.columns
        order = np.argsort(keys, kind="stable")
        wanted = rows.astype(np.int64) * self._shape[1] + columns
        found = np.minimum(np.searchsorted(keys, wanted, sorter=order), keys.size - 1)
        positions = order[found]
        return np.where(keys[positions] == wanted, self.costs[positions], np.inf)

    def cost_bounds(self) -> tuple[float, float]:
        return float(self.costs.min()), float(self.costs.max())

    def dense(self) -> np.ndarray:
        """The ``(n, m)`` cost matrix, ``+inf`` on the arcs the cost does not allow (as
        :meth:`arc_costs`)."""
        matrix = np.full(self._shape, np.inf)
        matrix[self.rows, self.columns] = self.costs
        return matrix

    def solver_matrix(self) -> np.ndarray:
        """Refused: the dense solvers need every pair's cost, and an arc list forbids some;
        it is solved on its arcs (``solve_kantorovich`` with a ``scipy.sparse`` cost)."""
        raise TypeError("a cost given on arcs has no dense matrix for a dense solver; it is "
                        "solved by the network simplex on its arcs")

    def c_transform(self, potential: np.ndarray, bounds: np.ndarray | None = None
                    ) -> np.ndarray:
        """``u_i <= min_j (c_ij - w_j)`` over the allowed arcs (0 for a row without arcs)."""
        return _arc_minimum_down(self.rows, self.costs - potential[self.columns],
                                 self._shape[0])

    def c_transform_columns(self, potential: np.ndarray) -> np.ndarray:
        return _arc_minimum_down(self.columns, self.costs - potential[self.rows],
                                 self._shape[1])


def _arc_minimum_down(ends: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """``min`` of ``values`` grouped by ``ends``, one float down; 0 for a node without arcs
    (it has no mass, and no constraint binds its potential)."""
    minimum = np.full(size, np.inf)
    np.minimum.at(minimum, ends, values)
    minimum[np.isinf(minimum)] = 0.0
    return np.nextafter(minimum, -np.inf)


def _power_of_squared_inplace(squared: np.ndarray, p: float) -> np.ndarray:
    """``squared ** (p / 2)``, in place (a square root for p = 1, nothing for p = 2)."""
    if p == 2.0:
        return squared
    np.sqrt(squared, out=squared)
    if p != 1.0:
        np.power(squared, p, out=squared)
    return squared


def _searcher(points: np.ndarray) -> _Tree | _Scan:
    """A k-d tree where it prunes (low dimension), blocked exact scans above."""
    return _Tree(points) if points.shape[1] <= TREE_MAX_DIMENSION else _Scan(points)


def _centred(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both clouds moved by the midpoint of their common bounding box (distances unchanged;
    the expansion |x|^2 + |y|^2 - 2 x.y loses less to cancellation near the origin)."""
    middle = 0.5 * (np.minimum(x.min(axis=0), y.min(axis=0))
                    + np.maximum(x.max(axis=0), y.max(axis=0)))
    return x - middle, y - middle


def _blas_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``sqrt(max(|x|^2 + |y|^2 - 2 x.y, 0))`` with one matrix of memory (approximate)."""
    distance = x @ y.T
    distance *= -2.0
    distance += np.einsum("ij,ij->i", x, x)[:, None]
    distance += np.einsum("ij,ij->i", y, y)[None, :]
    np.maximum(distance, 0.0, out=distance)
    return np.sqrt(distance, out=distance)


def _euclidean_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``cdist(x, y)`` with relative accuracy at every scale.

    From ``PARALLEL_DISTANCE_MIN_DIMENSION`` on, the same numbers (to a few units in the last
    place) come from a kernel that uses every core
    (:func:`otdiv._kernels.matrices.euclidean_distance_matrix`).
    ``cdist`` sums squared differences, which underflow for differences below about
    1e-154: ``[0, 0]`` and ``[1e-170, 0]`` would be at distance 0. Those entries (any below
    2^-450) are recomputed from rescaled differences.
    """
    if x.shape[1] >= PARALLEL_DISTANCE_MIN_DIMENSION:
        return euclidean_distance_matrix(x, y)
    distance = cdist(x, y, metric="euclidean")
    if distance.size == 0 or float(distance.min()) >= 2.0**-450:
        return distance
    rows, columns = np.nonzero(distance < 2.0**-450)
    if rows.size:
        difference = x[rows] - y[columns]
        largest = np.max(np.abs(difference), axis=1)
        safe = np.where(largest > 0, largest, 1.0)
        distance[rows, columns] = np.linalg.norm(difference / safe[:, None], axis=1) * largest
    return distance


def _power_checked(distance: np.ndarray, p: float) -> np.ndarray:
    """``distance ** p``. Powers below float64's normal range lose digits (or become 0);
    each is off by less than ``2**-1022``, which :func:`check_underflow` weighs against the
    answer once it is known."""
    return distance if p == 1.0 else distance**p


def check_underflow(cost: PointCloudCost,
                    plan_arcs: Callable[[], tuple[np.ndarray, np.ndarray]],
                    optimum: float) -> None:
    """Refuse an optimum that costs below float64's normal range could have falsified.

    Every computed cost is within ``2**-1022`` of the true one (in the cost object's
    units, where costs lie in [0, 1]), so the computed optimum is within that of the true
    one. That is negligible unless the optimum itself is below ``2**-1022 / 1e-9`` and
    the plan ships mass between points that differ on an arc whose cost underflowed.
    ``plan_arcs()`` gives the plan's ``(rows, columns)`` (called only in that case).
    """
    tiny = np.finfo(float).tiny
    if optimum >= tiny / 1e-9:
        return
    rows, columns = plan_arcs()
    if rows.size == 0:
        return
    distance = arc_costs(cost.x, cost.y, rows, columns, 1.0)
    powered = arc_costs(cost.x, cost.y, rows, columns, cost.p)
    suspect = (distance > 0.0) & (powered < tiny)
    if np.any(suspect):
        smallest = float(np.min(distance[suspect]))
        raise ValueError(f"p = {cost.p!r} is too large for these samples: the optimal plan "
                         f"moves points (smallest / largest distance)^p = {smallest!r}^p "
                         f"apart, which underflows float64 (below its smallest normal "
                         f"number, where digits are lost); use a smaller p")


def paired_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``||x_k - y_k||`` row by row, safe at any scale (an exact power-of-two rescaling)."""
    difference = x - y
    scale = power_of_two_above(float(np.max(np.abs(difference), initial=0.0)))
    return np.linalg.norm(difference / scale, axis=1) * scale
