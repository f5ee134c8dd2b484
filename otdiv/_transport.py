"""The exact solver rule for samples in d >= 2: trusted arrays in, certified answer out.

The core behind :func:`otdiv.wasserstein`, :func:`otdiv.transport`,
:func:`otdiv.displacement_interpolation`, the critics' certificates and ``pairwise``: it
takes validated arrays (a :class:`~otdiv._validation.SamplePair`'s ``arrays()``) and
validates nothing. The rule (``method="auto"``) is documented in
:mod:`otdiv.sample_transport`.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Literal

import numpy as np

from .exact.certificate import SolverError
from .exact.problem import Problem
from .exact.results import TransportResult
from .exact.solvers import solve
from .geometry import PointCloudCost, check_underflow

if TYPE_CHECKING:
    import scipy.sparse as sp
    from tqdm import tqdm

    from .exact.problem import Progress

__all__ = ["TRANSPORT_METHODS", "DENSE_PAIR_LIMIT", "DENSE_PAIR_LIMIT_HIGH_DIMENSION",
           "LOW_DIMENSION", "SPARSE_MAX_DIMENSION", "solve_samples",
           "potential_at_targets", "plan_arcs"]

TRANSPORT_METHODS = ("auto", "dense", "sparse")

#: ``method="auto"`` solves densely up to this many point pairs, sparsely beyond, in
#: dimensions up to ``LOW_DIMENSION``...
DENSE_PAIR_LIMIT = 1_000_000

#: ...and up to this many pairs in dimensions above it up to ``SPARSE_MAX_DIMENSION``
#: (k-d tree pricing prunes less there, so the sparse solver wins later)...
DENSE_PAIR_LIMIT_HIGH_DIMENSION = 6_250_000
LOW_DIMENSION = 8

#: ...and above this dimension densely while the matrix fits in memory.
SPARSE_MAX_DIMENSION = 16

#: Peak bytes per point pair of a dense solve: the cost matrix, the plan and POT's network
#: simplex (measured: 4.1 GB for 10⁴ × 10⁴).
DENSE_BYTES_PER_PAIR = 41

#: Bytes per point of the sparse solver (its arcs, trees and potentials; measured).
SPARSE_BYTES_PER_POINT = 8_000

#: Sparse solves with at least this many pairs show a progress bar unless silenced.
PROGRESS_PAIR_LIMIT = 10**8


def _available_memory() -> float:
    """Bytes of memory available to a new allocation (MemAvailable), or inf if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return np.inf


def _choose_method(method: str, n: int, m: int, d: int) -> str:
    """The solver for an ``n x m`` problem in dimension d >= 2 (see the module docstring)."""
    pairs = n * m
    available = _available_memory()
    if method == "auto":
        dense_fits = DENSE_BYTES_PER_PAIR * pairs <= available
        limit = DENSE_PAIR_LIMIT if d <= LOW_DIMENSION else DENSE_PAIR_LIMIT_HIGH_DIMENSION
        method = ("dense" if pairs <= limit
                  or (d > SPARSE_MAX_DIMENSION and dense_fits) else "sparse")
    needed = (DENSE_BYTES_PER_PAIR * pairs if method == "dense"
              else SPARSE_BYTES_PER_POINT * (n + m))
    if needed > available:
        raise MemoryError(f"method={method!r} would need about {needed / 2**30:.1f} GiB for "
                          f"{n} x {m} points and {available / 2**30:.1f} GiB are available"
                          + ("; method='sparse' needs memory that grows like n + m"
                             if method == "dense" else ""))
    return method


def solve_samples(u: np.ndarray, v: np.ndarray, u_w: np.ndarray, v_w: np.ndarray, p: float,
                  method: str, progress: bool) -> tuple[TransportResult, PointCloudCost]:
    """Trusted core: certified transport between validated samples, by the solver rule.

    ``u, v`` are validated ``(n, d)`` and ``(m, d)`` arrays, ``u_w, v_w`` probability
    vectors (a :class:`~otdiv._validation.SamplePair`'s ``arrays()``), ``method`` one of
    ``TRANSPORT_METHODS``. The result's costs and potentials are in the returned cost
    object's unit (see :meth:`PointCloudCost.to_distance`).
    """
    result, cost = _solve_by_rule(u, v, u_w, v_w, p, method, progress)
    check_underflow(cost, lambda: plan_arcs(result.plan)[:2], result.cost)
    return result, cost


def _solve_by_rule(u: np.ndarray, v: np.ndarray, u_w: np.ndarray, v_w: np.ndarray, p: float,
                   method: str, progress: bool) -> tuple[TransportResult, PointCloudCost]:
    chosen = _choose_method(method, u.shape[0], v.shape[0], u.shape[1])
    if chosen == "sparse":
        cost = PointCloudCost(u, v, p)
        pairs = u.shape[0] * v.shape[0]
        try:
            bar = _progress_bar(progress and pairs >= PROGRESS_PAIR_LIMIT)
            with bar as report:
                result = solve(Problem(u_w, v_w, cost), "sparse", progress=report)
            bar.summary(result)
            return result, cost
        except SolverError as error:
            # The sparse solver resolves costs to about 1e-13 of the largest; costs spanning
            # many orders of magnitude (outliers at distance^p) need the dense solver's
            # rescaling and capping. "auto" falls back to it when it fits in memory.
            needed = DENSE_BYTES_PER_PAIR * pairs
            fits = needed <= _available_memory()
            if method != "auto" or not fits:
                hint = (f"method='dense' may answer (it rescales and caps costs; it needs "
                        f"about {needed / 2**30:.1f} GiB"
                        + (")" if fits else ", more than is available)"))
                raise SolverError(f"{error}. {hint}") from None
    cost = PointCloudCost(u, v, p, exact_unit=True)
    try:
        return solve(Problem(u_w, v_w, cost), "network_simplex"), cost
    except SolverError as error:
        hint = ("" if "times the largest cost" not in str(error) else
                " Solve the parts that move separately, or use a smaller p.")
        alternative = ("" if method != "auto" and method != "dense" else
                       " method='sparse' prices with exact costs and may answer.")
        raise SolverError(f"{error}.{hint}{alternative}") from None


class _progress_bar:
    """The sparse solver's progress on stderr, phase by phase (a no-op when not shown).

    ``coarse solve`` until the first arcs are ready, then ``round k`` with the arcs kept and
    the violators the last pricing found, then ``certificate`` once no pair prices below
    zero. The bar erases itself; :meth:`summary` leaves one line, e.g. ``exact OT (sparse):
    9 rounds, 611,238 arcs, 4.7 s, certified gap 2e-15 of the cost``.
    """

    PREFIX = "exact OT (sparse)"

    def __init__(self, show: bool) -> None:
        self.show = show
        self.bar: tqdm | None = None  # tqdm is imported only when the bar is shown
        self.started = 0.0

    def __enter__(self) -> Progress | None:
        if not self.show:
            return None
        from tqdm import tqdm

        self.started = time.perf_counter()
        self.bar = tqdm(desc=f"{self.PREFIX}: coarse solve", leave=False,
                        bar_format="{desc}{postfix} [{elapsed}]")
        self.bar.refresh()
        return self.report

    def report(self, round_number: int, violators: int, arcs: int) -> None:
        """The solver's callback: round 0 when the coarse start is done, then each round."""
        if self.bar is None:
            return
        # strings: tqdm formats numbers itself, which shows 2000000 arcs as 'arcs=2e+6'
        postfix = {"arcs": f"{int(arcs):,}"}
        if round_number == 0:
            phase = "round 1"
        elif violators > 0:
            phase = f"round {round_number + 1}"
            postfix["violators"] = f"{int(violators):,}"
        else:
            phase = f"certificate after {round_number} round{'s' * (round_number != 1)}"
        self.bar.set_description_str(f"{self.PREFIX}: {phase}", refresh=False)
        self.bar.set_postfix(postfix)

    def __exit__(self, *exc: object) -> Literal[False]:
        if self.bar is not None:
            self.bar.close()
        return False

    def summary(self, result: TransportResult) -> None:
        """After a certified solve: one line that stays on stderr."""
        if self.bar is None:
            return
        from tqdm import tqdm

        tqdm.write(self.summary_line(result, time.perf_counter() - self.started),
                   file=sys.stderr)

    @classmethod
    def summary_line(cls, result: TransportResult, seconds: float) -> str:
        rounds = int(result.diagnostics.get("rounds", 0))
        arcs = int(result.diagnostics.get("arcs", 0))
        if result.cost > 0:
            gap = f"certified gap {result.duality_gap / result.cost:.0e} of the cost"
        else:
            gap = f"certified gap {result.duality_gap:.0e}"
        return (f"{cls.PREFIX}: {rounds} round{'s' * (rounds != 1)}, {arcs:,} arcs, "
                f"{seconds:.1f} s, {gap}")


def potential_at_targets(result: TransportResult, cost: PointCloudCost) -> np.ndarray:
    r"""The W_1 potential :math:`f(y_j) = \min_k (\|y_j - y_k\| - v_k)` at the targets, in
    the cost object's unit (the c-transform of the target potential over the targets)."""
    return PointCloudCost.from_scaled(cost.y, cost.y, 1.0).cheapest(result.dual_v)[0][:, 0]


def plan_arcs(plan: np.ndarray | sp.coo_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, columns, masses)`` of the positive entries of a dense or sparse plan."""
    if isinstance(plan, np.ndarray):
        rows, columns = np.nonzero(plan > 0)
        return rows, columns, plan[rows, columns]
    keep = plan.data > 0
    return plan.coords[0][keep], plan.coords[1][keep], plan.data[keep]
