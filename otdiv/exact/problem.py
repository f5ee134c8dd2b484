r"""What a solver is given and what it hands back: the two halves of the solver protocol.

A :class:`Problem` is two probability vectors and a ground cost from :mod:`otdiv.geometry`
(a dense matrix, two point clouds, or an arc list), all trusted (validated upstream). A
solver turns it into a :class:`RawAnswer` — arcs with flow, the solver's potentials and a
``diagnostics`` mapping — and never certifies it itself: :func:`otdiv.exact.certificate.certify`
computes the c-transforms through the geometry and decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .._kernels.matrices import positive_support

__all__ = ["Problem", "RawAnswer", "Geometry", "Progress"]

#: A solver's progress report ``progress(round, violators, arcs)`` (see
#: :func:`otdiv.exact.sparse.solve_point_clouds`); its return value is ignored.
Progress = Callable[[int, int, int], object]


class Geometry(Protocol):
    """What every ground cost answers (see :mod:`otdiv.geometry`)."""

    @property
    def shape(self) -> tuple[int, int]: ...

    def arc_costs(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray: ...

    def cost_bounds(self) -> tuple[float, float]: ...

    def c_transform(self, potential: np.ndarray, bounds: np.ndarray | None = None
                    ) -> np.ndarray: ...

    def c_transform_columns(self, potential: np.ndarray) -> np.ndarray: ...

    def dense(self) -> np.ndarray: ...

    def solver_matrix(self) -> np.ndarray: ...


@dataclass(frozen=True)
class Problem:
    """Balanced optimal transport between ``a`` (n,) and ``b`` (m,), each summing to 1."""

    a: np.ndarray
    b: np.ndarray
    geometry: Geometry

    @property
    def shape(self) -> tuple[int, int]:
        return self.a.size, self.b.size


@dataclass(frozen=True)
class RawAnswer:
    """A solver's answer before certification.

    ``rows, columns, flows`` list the arcs with flow; ``dual_v`` (and ``dual_u`` if the
    solver has one) are its potentials, only a starting point for the certificate's
    c-transforms; ``diagnostics`` holds what the solver wants to report (rounds, arcs,
    pivots, seconds per phase); ``dense_plan`` asks for the plan as a dense array, and
    ``plan_buffer`` (optional) is an (n, m) array the solver no longer needs, zero off the
    listed arcs, into which the certificate writes that plan instead of allocating one.
    """

    rows: np.ndarray
    columns: np.ndarray
    flows: np.ndarray
    dual_v: np.ndarray
    dual_u: np.ndarray | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    dense_plan: bool = False
    hint: np.ndarray | None = None  # an upper bound on the row c-transform (prunes it)
    plan_buffer: np.ndarray | None = None

    @classmethod
    def from_dense_plan(cls, plan: np.ndarray, dual_v: np.ndarray,
                        dual_u: np.ndarray | None = None, *, owned: bool = False,
                        **diagnostics: Any) -> RawAnswer:
        """The answer of a dense solver: the positive entries of ``plan`` are the arcs.

        ``owned``: the solver hands ``plan`` over (C-contiguous float64); its other entries
        are zeroed in place and it becomes the ``plan_buffer``. The caller's array is never
        written otherwise.
        """
        owned = (owned and plan.flags.c_contiguous and plan.flags.writeable
                 and plan.dtype == np.float64)
        if not owned:
            plan = np.ascontiguousarray(plan, dtype=np.float64)
        if plan.flags.writeable:
            rows, columns = positive_support(plan, owned)
        else:  # (the kernel is compiled for writeable arrays)
            rows, columns = np.nonzero(plan > 0)
        return cls(rows, columns, plan[rows, columns], dual_v, dual_u, diagnostics, True,
                   plan_buffer=plan if owned else None)
