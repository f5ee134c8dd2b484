r"""The Kantorovich linear program on a given cost, solved exactly and certified."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from .._scaling import power_of_two_above
from .._validation import as_cost_matrix, as_mass_vector, as_sparse_cost, check_option
from ..geometry import ArcCost, CostMatrix
from .certificate import SolverError, certify
from .network_simplex import solve_arcs
from .problem import Problem, RawAnswer
from .results import TransportResult
from .solvers import solve

__all__ = ["solve_kantorovich", "SolverError", "KANTOROVICH_METHODS", "split_mass"]

KANTOROVICH_METHODS = ("network_simplex", "highs")

#: Relative tolerance on ``|sum(a) - sum(b)|`` for the masses to count as balanced.
BALANCE_RTOL = 1e-9


def solve_kantorovich(a: ArrayLike, b: ArrayLike, cost: Any, *,
                      method: str = "network_simplex") -> TransportResult:
    r"""Solve the discrete optimal transport (Kantorovich) problem exactly.

    .. math::

        \min_{\gamma \ge 0} \sum_{ij} \gamma_{ij} C_{ij}
        \quad\text{s.t.}\quad \gamma \mathbf{1} = a,\; \gamma^\top \mathbf{1} = b,

    together with its dual

    .. math:: \max_{u, v} \; a^\top u + b^\top v \quad\text{s.t.}\quad u_i + v_j \le C_{ij}.

    The answer is certified before it is returned (:mod:`otdiv.exact.certificate`): the
    plan's marginals equal ``a`` and ``b`` to ``1e-9`` of the mass, and its cost agrees
    with the value of exactly feasible dual potentials (c-transforms of the solver's
    target potential) to ``1e-7`` relative to the sizes of the numbers the plan and the
    potentials involve (never to the largest cost of the matrix); the optimum lies between
    the two, and the measured ``duality_gap`` is returned (typically below 1e-14
    relative). A solver that
    stops early or an answer that fails the certificate raises :class:`SolverError`; no
    number is returned with a warning.

    Parameters
    ----------
    a : array_like, shape (n,)
        Non-negative masses of the sources (bakeries), positive total.
    b : array_like, shape (m,)
        Non-negative masses of the targets (cafés), same total as ``a`` (balanced OT).
    cost : array_like or scipy.sparse array/matrix, shape (n, m)
        Finite transport cost per unit mass. A ``scipy.sparse`` cost lists the allowed arcs:
        absent entries are forbidden (not zero-cost), the plan comes back as a
        ``scipy.sparse.coo_array`` and the potentials are certified feasible on the given
        arcs.
    method : {"network_simplex", "highs"}
        ``"network_simplex"`` (default) uses POT's network simplex (``ot.emd``);
        ``"highs"`` solves the same LP with ``scipy.optimize.linprog`` (HiGHS), an
        independent cross-check (dense costs only).

    Returns
    -------
    TransportResult
        ``cost``, ``plan``, ``dual_u``, ``dual_v``, ``method`` and the measured
        ``duality_gap``.

    Raises
    ------
    ValueError
        Unequal total masses, negative or non-finite masses, NaN/inf costs, shapes that
        do not match, or a sparse cost whose arcs admit no feasible plan.
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

    With a sparse cost only the listed arcs may carry mass:

    >>> import scipy.sparse as sp
    >>> arcs = sp.coo_array(([1.0, 3.0, 2.0], ([0, 0, 1], [0, 1, 1])), shape=(2, 2))
    >>> result = solve_kantorovich([0.5, 0.5], [0.25, 0.75], arcs)
    >>> float(result.cost), result.plan.toarray().tolist()
    (2.0, [[0.25, 0.25], [0.0, 0.5]])
    """
    method = check_option(method, "method", KANTOROVICH_METHODS)
    a_shares, mass_a = split_mass(as_mass_vector(a, "a"), "a")
    b_shares, mass_b = split_mass(as_mass_vector(b, "b"), "b")
    shape = (a_shares.size, b_shares.size)
    if sp.issparse(cost):
        if method != "network_simplex":
            raise ValueError(f"method must be 'network_simplex' for a scipy.sparse cost, "
                             f"got {method!r}")
        rows, columns, arc_cost = as_sparse_cost(cost, "cost", shape=shape)
    else:
        matrix = as_cost_matrix(cost, "cost", shape=shape)
    if abs(mass_a - mass_b) > BALANCE_RTOL * max(mass_a, mass_b):
        raise ValueError(f"a and b must have equal total mass for balanced optimal transport, "
                         f"got sum(a) = {mass_a!r} and sum(b) = {mass_b!r}")
    if sp.issparse(cost):
        result = _solve_on_arcs(a_shares, b_shares, rows, columns, arc_cost)
    else:
        result = solve(Problem(a_shares, b_shares, CostMatrix(matrix)), method)
    return scale_mass(result, mass_a)


def scale_mass(result: TransportResult, mass: float) -> TransportResult:
    """The result for masses ``mass * a`` and ``mass * b`` from that for ``a`` and ``b``."""
    if mass == 1.0:
        return result
    total = result.cost * mass
    if not np.isfinite(total):
        raise ValueError(f"the optimal cost {result.cost!r} per unit mass times the total mass "
                         f"{mass!r} overflows float64; rescale cost or a and b")
    return result.replace(cost=total, plan=result.plan * mass,
                          duality_gap=result.duality_gap * mass)


def _solve_on_arcs(a: np.ndarray, b: np.ndarray, rows: np.ndarray, columns: np.ndarray,
                   arc_cost: np.ndarray) -> TransportResult:
    """Network simplex on the given arcs, certified against exactly those arcs."""
    n, m = a.size, b.size
    for name, masses, ends, size in (("row", a, rows, n), ("column", b, columns, m)):
        stranded = np.flatnonzero((masses > 0) & (np.bincount(ends, minlength=size) == 0))
        if stranded.size:
            raise ValueError(f"cost admits no feasible plan: {name} {int(stranded[0])} has "
                             f"positive mass and no allowed arc")
    try:
        answer = solve_arcs(a, b, rows, columns, arc_cost)
    except SolverError as error:
        if "no feasible plan" in str(error):
            raise ValueError("cost admits no feasible plan: the allowed arcs (the entries "
                             "of the sparse cost) cannot carry the masses a to b") from None
        raise
    # The certificate c-transforms over the allowed arcs only (ArcCost).
    raw = RawAnswer(rows, columns, answer.flows, answer.dual_v, answer.dual_u,
                    dict(answer.diagnostics))
    return certify(Problem(a, b, ArcCost(rows, columns, arc_cost, (n, m))), raw,
                   method="network_simplex")


def split_mass(masses: np.ndarray, name: str) -> tuple[np.ndarray, float]:
    """``masses = total * shares`` with ``shares`` summing to 1, without overflow."""
    largest = power_of_two_above(float(masses.max()))  # exact: sums stay exact if they were
    relative = masses / largest
    share = float(relative.sum())
    total = largest * share
    if not np.isfinite(total):
        raise ValueError(f"{name} must have a total mass representable in float64, got "
                         f"entries up to {largest!r} whose sum overflows")
    return relative / share, total
