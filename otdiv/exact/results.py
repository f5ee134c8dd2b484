"""Results of the exact solvers: assignments and certified transport plans."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._frozen import ReadOnlyMapping, freeze_arrays

__all__ = ["AssignmentResult", "TransportResult"]


@dataclass(frozen=True)
class AssignmentResult:
    """An optimal assignment (the Monge problem on a cost matrix).

    Attributes
    ----------
    cost : float
        Total cost ``sum_i cost[i, permutation[i]]``.
    permutation : ndarray of int, shape (n,)
        Row ``i`` is assigned to column ``permutation[i]``; columns are distinct.
    """

    cost: float
    permutation: np.ndarray

    def __post_init__(self) -> None:
        freeze_arrays(self)


@dataclass(frozen=True)
class TransportResult:
    """An optimal Kantorovich coupling with its dual potentials, checked before return.

    Attributes
    ----------
    cost : float
        Optimal value ``sum_ij plan[i, j] * cost[i, j]`` (for sample distances with exponent
        ``p`` this is ``W_p^p``; ``wasserstein`` returns its ``1/p`` power).
    plan : ndarray or scipy.sparse.coo_array, shape (n, m)
        The optimal coupling; its row sums are ``a`` and its column sums ``b``. Dense from
        the dense solvers; a read-only ``scipy.sparse.coo_array`` (only the arcs with
        positive flow) from the sparse solver and for sparse costs.
    dual_u, dual_v : ndarray, shapes (n,) and (m,)
        Dual potentials: ``dual_u[i] + dual_v[j] <= cost[i, j]`` everywhere, with equality
        where ``plan[i, j] > 0``, and ``a @ dual_u + b @ dual_v == cost``. For sample
        transport with ``p = 1`` they are in Kantorovich–Rubinstein form:
        ``dual_u = f(x)`` and ``dual_v = -f(y)`` for a 1-Lipschitz ``f``.
    method : str
        The solver that produced the plan (``"network_simplex"``, ``"highs"`` or
        ``"sparse"``), or ``"closed_form_1d"``.
    duality_gap : float
        The certified width: the optimum and ``cost`` both lie in an interval this wide
        (:mod:`otdiv.exact.certificate`), at most ``GAP_RTOL = 1e-7`` times ``cost``.
    diagnostics : Mapping
        What the solver reports about its work, read-only: e.g. ``rounds``, ``arcs`` and
        ``pivots`` of the sparse solver, ``seconds`` per phase, ``rescaled`` or ``capped``
        for the dense retries. Keys depend on the solver; none of them is part of the answer.
    """

    cost: float
    plan: Any  # ndarray from the dense solvers, scipy.sparse.coo_array from the sparse ones
    dual_u: np.ndarray
    dual_v: np.ndarray
    method: str
    duality_gap: float
    diagnostics: Mapping = dataclasses.field(default_factory=lambda: ReadOnlyMapping())

    def __post_init__(self) -> None:
        if not isinstance(self.diagnostics, ReadOnlyMapping):
            object.__setattr__(self, "diagnostics", ReadOnlyMapping(self.diagnostics))
        freeze_arrays(self)

    def replace(self, **changes: Any) -> TransportResult:
        """A copy with some fields changed (the result itself is frozen)."""
        return dataclasses.replace(self, **changes)
