"""Frozen result objects returned by otdiv's public functions.

One function, one return type: where a function has more to say than a number it returns
one of these dataclasses. Arrays inside are made read-only so that a result cannot be
changed after the solver checked it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["AssignmentResult", "TransportResult", "EmpiricalMeasure", "freeze_arrays"]


def freeze_arrays(result) -> None:
    """Make every ndarray field of a dataclass instance read-only (in place)."""
    for field in fields(result):
        value = getattr(result, field.name)
        if isinstance(value, np.ndarray):
            value.setflags(write=False)


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

    def __post_init__(self):
        freeze_arrays(self)


@dataclass(frozen=True)
class TransportResult:
    """An optimal Kantorovich coupling with its dual potentials, checked before return.

    Attributes
    ----------
    cost : float
        Optimal value ``sum_ij plan[i, j] * cost[i, j]`` (for sample distances with exponent
        ``p`` this is ``W_p^p``; ``wasserstein`` returns its ``1/p`` power).
    plan : ndarray, shape (n, m)
        The optimal coupling; its row sums are ``a`` and its column sums ``b``.
    dual_u, dual_v : ndarray, shapes (n,) and (m,)
        Dual potentials: ``dual_u[i] + dual_v[j] <= cost[i, j]`` everywhere, with equality
        where ``plan[i, j] > 0``, and ``a @ dual_u + b @ dual_v == cost``. For sample
        transport with ``p = 1`` they are in Kantorovich–Rubinstein form:
        ``dual_u = f(x)`` and ``dual_v = -f(y)`` for a 1-Lipschitz ``f``.
    method : str
        The LP solver that produced the plan (``"network_simplex"`` or ``"highs"``), or
        ``"closed_form_1d"``.
    duality_gap : float
        ``|primal - dual|`` measured on the returned plan and potentials.
    """

    cost: float
    plan: np.ndarray
    dual_u: np.ndarray
    dual_v: np.ndarray
    method: str
    duality_gap: float

    def __post_init__(self):
        freeze_arrays(self)


@dataclass(frozen=True)
class EmpiricalMeasure:
    """A weighted point cloud ``sum_i weights[i] * delta_{points[i]}``.

    Attributes
    ----------
    points : ndarray, shape (k, d)
    weights : ndarray, shape (k,)
        Non-negative, summing to 1.
    """

    points: np.ndarray
    weights: np.ndarray

    def __post_init__(self):
        freeze_arrays(self)
