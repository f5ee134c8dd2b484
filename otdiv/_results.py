"""Frozen result objects returned by otdiv's public functions.

One function, one return type: where a function has more to say than a number it returns
one of these dataclasses. Arrays inside are made read-only so that a result cannot be
changed after the solver checked it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["AssignmentResult", "TransportResult", "EmpiricalMeasure", "freeze_arrays", "Estimate",
           "MinimizerInterval", "GradientEstimate", "SGDResult",
           "VariationalBoundResult", "ParallelLinesDivergences", "NoiseBoundResult",
           "TrainedCritic", "TrainedGan"]


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

    def __post_init__(self):
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

    def __post_init__(self):
        freeze_arrays(self)

    @property
    def final(self) -> np.ndarray:
        """The last recorded parameter of every run, shape (n_runs,) or (n_runs, K)."""
        return self.trajectories[:, -1]


@dataclass(frozen=True)
class VariationalBoundResult:
    r"""The f-GAN variational lower bound estimated from samples.

    Attributes
    ----------
    value : float
        ``p_term - q_term``: the Monte Carlo estimate of
        :math:`\mathbb{E}_P[T] - \mathbb{E}_Q[f^*(T)] \le D_f(P\|Q)`; may be ``-inf``.
    p_term : float
        Sample mean of :math:`T(x) = g_f(v(x))` over the samples of P.
    q_term : float
        Sample mean of :math:`f^*(T(x))` over the samples of Q.
    standard_error : float
        Monte Carlo standard error of ``value`` (independent samples; 0 for a single sample
        on each side, ``nan`` when ``value`` is infinite).
    kind : str
        The f-divergence.
    """

    value: float
    p_term: float
    q_term: float
    standard_error: float
    kind: str


@dataclass(frozen=True)
class ParallelLinesDivergences:
    r"""The lecture's parallel-lines example: divergences between P_0 and P_theta, exact.

    :math:`P_\theta` is the law of :math:`(\theta, Z)`, :math:`Z \sim U[0, 1]`.

    Attributes
    ----------
    theta : ndarray
        The offsets.
    wasserstein, jensen_shannon, kl, reverse_kl, total_variation : ndarray
        :math:`|\theta|`; :math:`\log 2`, :math:`+\infty`, :math:`+\infty` and 1 where
        :math:`\theta \ne 0`, all 0 at :math:`\theta = 0`.
    """

    theta: np.ndarray
    wasserstein: np.ndarray
    jensen_shannon: np.ndarray
    kl: np.ndarray
    reverse_kl: np.ndarray
    total_variation: np.ndarray

    def __post_init__(self):
        freeze_arrays(self)


@dataclass(frozen=True)
class NoiseBoundResult:
    r"""Both sides of the Arjovsky–Bottou bound
    :math:`W(P_r, P_g) \le 2V^{1/2} + 2C\sqrt{\mathrm{JSD}(P_{r+\epsilon}\|P_{g+\epsilon})}`.

    Attributes
    ----------
    wasserstein : float
        Left side: exact :math:`W_1(P_r, P_g)`.
    bound : float
        Right side.
    noise_std : float
        :math:`V^{1/2}`, with :math:`V = \mathbb{E}\epsilon^2`.
    diameter : float
        :math:`C`: length of the smallest interval holding both noisy supports.
    jensen_shannon : float
        :math:`\mathrm{JSD}(P_{r+\epsilon}\|P_{g+\epsilon})` (≤ log 2) by quadrature.
    holds : bool
        ``wasserstein <= bound``.
    """

    wasserstein: float
    bound: float
    noise_std: float
    diameter: float
    jensen_shannon: float
    holds: bool


@dataclass(frozen=True)
class Estimate:
    """A Monte-Carlo estimate with its standard error.

    Attributes
    ----------
    value : float
        The estimate.
    standard_error : float
        Its estimated standard deviation: the sample standard deviation of the per-draw values
        divided by ``sqrt(n_projections)`` (delta method where the estimate is a square root).
    n_projections : int
        Number of independent random directions averaged.
    """

    value: float
    standard_error: float
    n_projections: int


def _frozen_history(history) -> "MappingProxyType":
    """Read-only arrays in a read-only mapping (the results pickle through ``__reduce__``,
    which hands a plain dict back to ``__post_init__``)."""
    from types import MappingProxyType
    frozen = {}
    for key, value in history.items():
        array = np.array(value)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


@dataclass(frozen=True)
class TrainedCritic:
    """A critic trained between two fixed sample sets (see ``otdiv.gan.train_critic``).

    Attributes
    ----------
    critic : callable
        The trained critic as a float64 numpy callable.
    loss : str
        The critic loss it was trained with.
    estimate : float
        The critic's estimate on all of ``x_p`` and ``x_q``.
    lipschitz_bound : float or None
        Product of the layers' spectral norms, an upper bound of the Lipschitz constant on
        all of R^d (``None`` for JSGAN/f-GAN critics, whose output activation need not be
        Lipschitz).
    history : mapping of str to read-only ndarray
        Values recorded at each checkpoint.
    config : GanConfig
        The hyper-parameters used.
    state : otdiv.gan.state.TrainingState or None
        What ``train_critic(..., resume=this)`` needs to continue the run exactly.

    Trained results pickle, and :meth:`save` / :meth:`load` write and read them as arrays
    plus JSON without pickle (:mod:`otdiv.gan.persistence`).
    """

    critic: object
    loss: str
    estimate: float
    lipschitz_bound: float | None
    history: object
    config: object
    state: object = None

    def __post_init__(self):
        object.__setattr__(self, "history", _frozen_history(self.history))

    def __reduce__(self):
        values = [getattr(self, field.name) for field in fields(self)]
        values[[field.name for field in fields(self)].index("history")] = dict(self.history)
        return (type(self), tuple(values))

    def dual_value(self, x_p, x_q) -> float:
        """The critic's estimate on other samples (e.g. held-out ones)."""
        return self.critic.dual_value(x_p, x_q)

    def save(self, path) -> None:
        """Write to ``path`` (a ``.npz`` of arrays and JSON, see :func:`otdiv.gan.save`)."""
        from .gan.persistence import save
        save(self, path)

    @classmethod
    def load(cls, path) -> "TrainedCritic":
        """Read a result written by :meth:`save` (see :func:`otdiv.gan.load`)."""
        from .gan.persistence import load
        return load(path, expected=cls)


@dataclass(frozen=True)
class TrainedGan:
    """A generator trained against a critic (see ``otdiv.gan.train_gan``).

    Attributes
    ----------
    generator : callable
        The trained generator as a float64 numpy callable.
    critic : callable
        The critic at the end of training.
    loss : str
        The GAN loss.
    history : mapping of str to read-only ndarray
        Values recorded at each checkpoint.
    config : GanConfig
        The hyper-parameters used.
    state : otdiv.gan.state.TrainingState or None
        What ``train_gan(..., resume=this)`` needs to continue the run exactly.

    Trained results pickle, and :meth:`save` / :meth:`load` write and read them as arrays
    plus JSON without pickle (:mod:`otdiv.gan.persistence`).
    """

    generator: object
    critic: object
    loss: str
    history: object
    config: object
    state: object = None

    def __post_init__(self):
        object.__setattr__(self, "history", _frozen_history(self.history))

    def __reduce__(self):
        values = [getattr(self, field.name) for field in fields(self)]
        values[[field.name for field in fields(self)].index("history")] = dict(self.history)
        return (type(self), tuple(values))

    def save(self, path) -> None:
        """Write to ``path`` (a ``.npz`` of arrays and JSON, see :func:`otdiv.gan.save`)."""
        from .gan.persistence import save
        save(self, path)

    @classmethod
    def load(cls, path) -> "TrainedGan":
        """Read a result written by :meth:`save` (see :func:`otdiv.gan.load`)."""
        from .gan.persistence import load
        return load(path, expected=cls)
