"""Frozen result objects returned by otdiv's public functions.

One function, one return type: where a function has more to say than a number it returns
one of these dataclasses. Arrays inside are made read-only so that a result cannot be
changed after the solver checked it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # typing.Self is Python 3.11+; only the type checker needs it
    from typing import Self

__all__ = ["PairwiseResult", "ReadOnlyMapping", "CriticReport", "FCriticReport",
           "KantorovichPotential", "LIPSCHITZ_ROUNDOFF", "AssignmentResult", "TransportResult",
           "EmpiricalMeasure", "freeze_arrays", "Estimate", "MinimizerInterval",
           "GradientEstimate", "SGDResult", "VariationalBoundResult", "ParallelLinesDivergences",
           "NoiseBoundResult", "TrainedCritic", "TrainedGan"]


class ReadOnlyMapping(Mapping):
    """A read-only copy of a mapping that, unlike ``types.MappingProxyType``, pickles."""

    def __init__(self, data=()):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ReadOnlyMapping({self._data!r})"


def freeze_arrays(result) -> None:
    """Make every ndarray field of a frozen dataclass read-only.

    An array the result does not own (a view of, or an array still writeable by, the
    caller) is copied first, so freezing never changes the caller's own arrays.
    """
    for field in fields(result):
        value = getattr(result, field.name)
        if isinstance(value, np.ndarray) and value.flags.writeable:
            if not value.flags.owndata:
                value = value.copy()
                object.__setattr__(result, field.name, value)
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

    def __post_init__(self):
        if not isinstance(self.diagnostics, ReadOnlyMapping):
            object.__setattr__(self, "diagnostics", ReadOnlyMapping(self.diagnostics))
        freeze_arrays(self)

    def replace(self, **changes) -> TransportResult:
        """A copy with some fields changed (the result itself is frozen)."""
        return dataclasses.replace(self, **changes)


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


def _frozen_history(history) -> Mapping:
    """Read-only arrays in a read-only mapping (the results pickle through ``__reduce__``,
    which hands a plain dict back to ``__post_init__``)."""
    from types import MappingProxyType
    frozen = {}
    for key, value in history.items():
        array = np.array(value)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


class _TrainedResult:
    """What trained critics and GANs share: a frozen history, pickling, save and load."""

    history: object

    def __post_init__(self):
        object.__setattr__(self, "history", _frozen_history(self.history))

    def __reduce__(self):
        names = [field.name for field in fields(self)]
        values = [getattr(self, name) for name in names]
        values[names.index("history")] = dict(self.history)  # mappingproxy does not pickle
        return (type(self), tuple(values))

    def save(self, path) -> None:
        """Write to ``path`` (a ``.npz`` of arrays and JSON, see :func:`otdiv.gan.save`)."""
        from .gan.persistence import save
        save(self, path)

    @classmethod
    def load(cls, path) -> Self:
        """Read a result written by :meth:`save` (see :func:`otdiv.gan.load`)."""
        from .gan.persistence import load
        return load(path, expected=cls)


@dataclass(frozen=True)
class TrainedCritic(_TrainedResult):
    """A critic trained between two fixed sample sets (see ``otdiv.gan.train_critic``).

    Attributes
    ----------
    critic : callable
        The trained critic as a float64 numpy callable.
    loss : str
        The critic loss it was trained with.
    estimate : float
        The critic's estimate on all of ``u_values`` and ``v_values``.
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

    Trained results pickle, but unpickling runs whatever code the pickle names: unpickle
    only files you made. :meth:`save` / :meth:`load` write and read them as arrays plus JSON
    without pickle and without running code (:mod:`otdiv.gan.persistence`).
    """

    critic: object
    loss: str
    estimate: float
    lipschitz_bound: float | None
    history: object
    config: object
    state: object = None

    def dual_value(self, u_values, v_values) -> float:
        """The critic's estimate on other samples (e.g. held-out ones)."""
        return self.critic.dual_value(u_values, v_values)


@dataclass(frozen=True)
class TrainedGan(_TrainedResult):
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

    Trained results pickle, but unpickling runs whatever code the pickle names: unpickle
    only files you made. :meth:`save` / :meth:`load` write and read them as arrays plus JSON
    without pickle and without running code (:mod:`otdiv.gan.persistence`).
    """

    generator: object
    critic: object
    loss: str
    history: object
    config: object
    state: object = None


@dataclass(frozen=True)
class KantorovichPotential:
    r"""An optimal 1-Lipschitz critic for :math:`W_1` between two samples.

    Defined on all of :math:`\mathbb{R}^d` as :math:`f(z) = \min_j (\|z - y_j\| + f(y_j))`,
    it is 1-Lipschitz and attains :math:`E_P f - E_Q f = W_1` on the samples it was built
    from. Call it like any critic: ``(n, d)`` array in, ``(n,)`` values out.

    Attributes
    ----------
    anchors : ndarray, shape (m, d)
        The target sample points ``y_j``.
    anchor_values : ndarray, shape (m,)
        ``f(y_j)``.
    """

    anchors: np.ndarray
    anchor_values: np.ndarray

    def __post_init__(self):
        freeze_arrays(self)

    def __call__(self, points) -> np.ndarray:
        """``f(z)`` for each row of ``points``: a k-d tree search, O(n log m) typically."""
        from ._validation import as_samples
        from .geometry import PointCloudCost

        points = as_samples(points, "points")
        if points.shape[1] != self.anchors.shape[1]:
            raise ValueError(f"points must be in R^{self.anchors.shape[1]}, got points in "
                             f"R^{points.shape[1]}")
        cost = PointCloudCost(points, self.anchors, 1.0)
        unit = cost.unit * cost.scale
        # f(z) = min_j ||z - y_j|| + f(y_j), searched in the cost's exact rescaled unit.
        values = cost.cheapest(-(self.anchor_values / cost.scale) / cost.unit)[0][:, 0]
        return values * unit


#: Relative round-off tolerated on a Lipschitz constant of 1 (e.g. the exact LP potential
#: measures 1 + 2e-16) when the summary says whether the estimate is a lower bound.
LIPSCHITZ_ROUNDOFF = 1e-9


@dataclass(frozen=True)
class CriticReport:
    r"""How well a critic's dual estimate matches the exact :math:`W_1` on the samples.

    Attributes
    ----------
    dual_estimate : float
        :math:`\sum_i a_i f(x_i) - \sum_j b_j f(y_j)`: what the critic claims :math:`W_1` is.
    exact_w1 : float
        The exact :math:`W_1` between the same weighted samples.
    gap : float
        ``exact_w1 - dual_estimate`` (non-negative whenever the critic is 1-Lipschitz).
    lipschitz : float
        :math:`\max_{z \ne z'} |f(z) - f(z')| / \|z - z'\|` over all pairs of the pooled
        samples: a lower bound of the critic's true Lipschitz constant (``inf`` if it gives
        one point two values).
    lipschitz_pair : tuple of int
        Indices into the pooled samples ``vstack([x_p, x_q])`` of a maximising pair.
    certified_lower_bound : float
        The larger of ``dual_estimate / max(lipschitz, 1)`` and ``dual_estimate /
        lipschitz`` (for ``lipschitz > 0``): a valid lower bound of the sample :math:`W_1`,
        since :math:`f / L` and :math:`f / \max(L, 1)` are 1-Lipschitz on the samples and
        extend to 1-Lipschitz functions on :math:`\mathbb{R}^d` (McShane). Dividing by
        :math:`L < 1` is what rescues a weight-clipped critic, which is right only up to its
        unknown scale. Negative when the critic is oriented the wrong way.
    plan_tightness : float
        Share of the optimally transported mass on which the rescaled critic is tight,
        :math:`(f(x) - f(y)) / L' \ge (1 - \mathrm{tol}) \|x - y\|`, with :math:`L'` the
        divisor of ``certified_lower_bound`` (so a 2-Lipschitz critic is not called tight
        for moving twice the distance). An optimal critic is tight on the whole plan
        (complementary slackness), so this is 1 for it.
    tol : float
        The relative tolerance used for tightness and for ``passed``.
    passed : bool
        ``lipschitz <= 1 + tol`` and ``|gap| <= tol * exact_w1`` (with an absolute floor of
        ``1e-12`` times the data's scale for identical samples).
    exact_method : str
        ``"closed_form_1d"`` or the LP solver used for the exact value.
    n_p, n_q : int
        Sample sizes.
    dimension : int
        Dimension of the samples.
    held_out_estimate : float or None
        With ``verify_critic(..., held_out=(h_p, h_q))``: :math:`\bar f(h_p) - \bar f(h_q)`
        on samples the critic never saw (None otherwise).
    held_out_standard_error : float or None
        Its standard error, :math:`\sqrt{s_P^2/n'_P + s_Q^2/n'_Q}`.
    held_out_lower_confidence : float or None
        ``held_out_estimate - 1.645 * held_out_standard_error``: a one-sided 95% lower
        confidence limit of :math:`E_P f - E_Q f` (divide by a global Lipschitz bound of
        the critic for a lower confidence limit of :math:`W_1(P, Q)`).
    n_held_out : tuple of int or None
        Sizes of the two held-out samples.
    """

    dual_estimate: float
    exact_w1: float
    gap: float
    lipschitz: float
    lipschitz_pair: tuple
    certified_lower_bound: float
    plan_tightness: float
    tol: float
    passed: bool
    exact_method: str
    n_p: int
    n_q: int
    dimension: int
    held_out_estimate: float | None = None
    held_out_standard_error: float | None = None
    held_out_lower_confidence: float | None = None
    n_held_out: tuple | None = None

    def summary(self) -> str:
        """A readable multi-line report."""
        verdict = "PASSED" if self.passed else "NOT PASSED"
        relative = (f" ({self.gap / self.exact_w1:+.2%} of W_1)" if self.exact_w1 > 0 else "")
        lines = [
            f"Critic certificate ({self.n_p} vs {self.n_q} samples in R^{self.dimension}): "
            f"{verdict} at tol = {self.tol:g}",
            f"  exact W_1 on the samples     {self.exact_w1:.6g}   ({self.exact_method})",
            f"  critic's dual estimate       {self.dual_estimate:.6g}",
            f"  gap (exact - estimate)       {self.gap:.6g}{relative}",
            f"  empirical Lipschitz constant {self.lipschitz:.6g}"
            + ("   (<= 1 up to round-off: the estimate is a lower bound of W_1)"
               if self.lipschitz <= 1 + LIPSCHITZ_ROUNDOFF else
               "   (> 1: the estimate itself is not a lower bound)"),
            f"  certified lower bound of W_1 {self.certified_lower_bound:.6g}",
            f"  tight on optimal plan        {self.plan_tightness:.1%} of the mass",
        ]
        if self.held_out_estimate is not None:
            lines.append(
                f"  held-out estimate            {self.held_out_estimate:.6g} "
                f"± {self.held_out_standard_error:.2g} (s.e.; {self.n_held_out[0]} vs "
                f"{self.n_held_out[1]} unseen samples; 95% lower limit "
                f"{self.held_out_lower_confidence:.6g})")
        return "\n".join(lines)


@dataclass(frozen=True)
class FCriticReport:
    r"""How close an f-GAN critic's variational bound comes to the exact f-divergence.

    Attributes
    ----------
    kind : str
        The f-divergence (a key of :data:`otdiv.F_DIVERGENCES`).
    bound : float
        The critic's estimate :math:`E_P[T] - E_Q[f^*(T)]`, :math:`T = g_f(v)`.
    standard_error : float
        Monte Carlo standard error of ``bound``.
    exact_value : float
        The exact :math:`D_f(P\|Q)` supplied by the caller (may be ``inf``).
    gap : float
        ``exact_value - bound``; non-negative in expectation for every critic.
    consistent : bool
        ``bound <= exact_value + 3 * standard_error``: the estimate does not exceed the
        divergence beyond Monte Carlo noise (if it does, the critic, the samples or the
        exact value are wrong).
    tol : float
    passed : bool
        ``consistent`` and ``gap <= tol * |exact_value|`` (never for an infinite divergence:
        no finite bound comes within a tolerance of it).
    """

    kind: str
    bound: float
    standard_error: float
    exact_value: float
    gap: float
    consistent: bool
    tol: float
    passed: bool

    def summary(self) -> str:
        verdict = "PASSED" if self.passed else "NOT PASSED"
        return "\n".join([
            f"f-critic certificate ({self.kind}): {verdict} at tol = {self.tol:g}",
            f"  exact D_f                  {self.exact_value:.6g}",
            f"  critic's variational bound {self.bound:.6g} +/- {self.standard_error:.2g}",
            f"  gap (exact - bound)        {self.gap:.6g}",
            "  the bound stays below D_f within 3 standard errors" if self.consistent else
            "  the bound EXCEEDS D_f by more than 3 standard errors: something is wrong",
        ])


@dataclass(frozen=True)
class PairwiseResult:
    """A matrix of distances between samples, with the metric and per-pair quality.

    Attributes
    ----------
    matrix : ndarray, shape (N, N) or (N, M)
        ``matrix[i, j]`` is the distance between ``samples[i]`` and ``samples[j]`` (or
        ``others[j]``). Without ``others`` it is symmetric with a zero diagonal. Read-only.
    metric : str
        The metric's name.
    options : mapping
        Every option the values depend on, defaults included (``p``, ``method``,
        ``squared``, ``n_projections``; for sliced metrics ``seed_entropy``, with which the
        same matrix can be computed again). Read-only.
    duality_gap : ndarray or None
        For exact LP solves (``"wasserstein"`` in d >= 2): the certified gap between the
        primal and dual values of each pair, in units of :math:`W_p^p`; ``None`` otherwise
        (the 1-D closed forms are exact).
    standard_error : ndarray or None
        For sliced (Monte-Carlo) metrics: each estimate's standard error; ``None`` otherwise.
    """

    matrix: np.ndarray
    metric: str
    options: Mapping
    duality_gap: np.ndarray | None = None
    standard_error: np.ndarray | None = None

    def __post_init__(self):
        for name in ("matrix", "duality_gap", "standard_error"):
            array = getattr(self, name)
            if array is not None:
                array.setflags(write=False)
        object.__setattr__(self, "options", ReadOnlyMapping(self.options))
