"""Results of the gradient-bias benchmark."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._frozen import freeze_arrays

__all__ = ["MinimizerInterval", "GradientEstimate", "SGDResult"]


@dataclass(frozen=True)
class MinimizerInterval:
    """The set ``[lower, upper]`` of minimisers of a convex function of one parameter.

    ``lower == upper`` when the minimiser is unique (see ``is_unique``).
    """

    lower: float
    upper: float

    @property
    def is_unique(self) -> bool:
        return self.lower == self.upper

    @property
    def midpoint(self) -> float:
        return 0.5 * (self.lower + self.upper)


@dataclass(frozen=True)
class GradientEstimate:
    """An expected gradient, exact or estimated by Monte Carlo.

    Attributes
    ----------
    value : ndarray
        The expected gradient (or its Monte Carlo mean).
    standard_error : ndarray
        Standard error of each entry of ``value``; zeros when ``exact``.
    exact : bool
        True when the expectation was computed by enumerating every outcome.
    method : str
        ``"binomial_enumeration"``, ``"multinomial_enumeration"`` or ``"monte_carlo"``.
    n_samples : int
        Monte Carlo draws, or the number of outcomes enumerated.
    """

    value: np.ndarray
    standard_error: np.ndarray
    exact: bool
    method: str
    n_samples: int

    def __post_init__(self) -> None:
        freeze_arrays(self)


@dataclass(frozen=True)
class SGDResult:
    """Trajectories of independent stochastic-gradient runs on a parameter.

    Attributes
    ----------
    trajectories : ndarray, shape (n_runs, n_records) or (n_runs, n_records, K)
        ``trajectories[r, i]`` is run ``r``'s parameter after ``steps[i]`` updates (a
        scalar, or a vector of K tail probabilities for categorical targets).
    steps : ndarray of int, shape (n_records,)
        The update counts at which the parameter was recorded (starts at 0, ends at the
        total number of updates).
    target : float or ndarray, shape (K,)
        The parameter value the population loss is minimised at.
    distance : str
        The loss whose minibatch gradients drove the runs.
    """

    trajectories: np.ndarray
    steps: np.ndarray
    target: float | np.ndarray
    distance: str

    def __post_init__(self) -> None:
        freeze_arrays(self)

    @property
    def final(self) -> np.ndarray:
        """The last recorded parameter of every run, shape (n_runs,) or (n_runs, K)."""
        return self.trajectories[:, -1]
