r"""Data sets of the lecture: the bakery problem and toy samplers.

Every sampler takes ``rng`` (a seed or a ``numpy.random.Generator``); nothing here seeds a
global generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._results import freeze_arrays

__all__ = ["BakeryProblem", "bakery"]


@dataclass(frozen=True)
class BakeryProblem:
    """The lecture's bakery problem (from G. Peyré): six bakeries, six cafés.

    Attributes
    ----------
    cost : ndarray, shape (6, 6)
        Minutes to carry bread from bakery ``x_i`` (row) to café ``y_j`` (column).
    bakeries, cafes : tuple of str
        Labels ``x1..x6`` and ``y1..y6``.
    slide_permutation : ndarray of int, shape (6,)
        The assignment the slide shows (bakery ``i`` serves café ``slide_permutation[i]``,
        0-based), read off its sum 10 + 7 + 15 + 10 + 14 + 9.
    slide_price : float
        The price the slide reports for it, 65 minutes.
    """

    cost: np.ndarray
    bakeries: tuple
    cafes: tuple
    slide_permutation: np.ndarray
    slide_price: float

    def __post_init__(self):
        freeze_arrays(self)


_BAKERY_COST = (
    (12, 10, 31, 27, 10, 30),
    (22, 7, 25, 15, 11, 14),
    (19, 7, 19, 10, 15, 15),
    (10, 6, 21, 19, 14, 24),
    (15, 23, 14, 24, 31, 34),
    (35, 26, 16, 9, 34, 15),
)


def bakery() -> BakeryProblem:
    """The 6 × 6 bakery cost matrix of the lecture, with labels and the slide's answer.

    The slide prices its assignment at 10 + 7 + 15 + 10 + 14 + 9 = 65 minutes; that
    assignment is feasible but not optimal: the exact solver finds 64 (see
    :func:`otdiv.solve_assignment`).

    Examples
    --------
    >>> from otdiv.datasets import bakery
    >>> problem = bakery()
    >>> problem.cost.shape, problem.slide_price
    ((6, 6), 65.0)
    >>> float(problem.cost[range(6), problem.slide_permutation].sum())
    65.0
    """
    return BakeryProblem(
        cost=np.array(_BAKERY_COST, dtype=np.float64),
        bakeries=tuple(f"x{i}" for i in range(1, 7)),
        cafes=tuple(f"y{j}" for j in range(1, 7)),
        slide_permutation=np.array([4, 1, 5, 0, 2, 3]),
        slide_price=65.0,
    )
