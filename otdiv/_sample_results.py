"""Results of the sample-level functions: transport between samples, the estimators,
the critics' certificates and pairwise matrices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._frozen import ReadOnlyMapping, freeze_arrays

__all__ = ["EmpiricalMeasure", "Estimate", "KantorovichPotential", "LIPSCHITZ_ROUNDOFF",
           "CriticReport", "FCriticReport", "PairwiseResult"]


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

    def __post_init__(self) -> None:
        freeze_arrays(self)


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

    def __post_init__(self) -> None:
        freeze_arrays(self)

    def __call__(self, points: ArrayLike) -> np.ndarray:
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
        if self.held_out_estimate is not None and self.n_held_out is not None:
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

    def __post_init__(self) -> None:
        for name in ("matrix", "duality_gap", "standard_error"):
            array = getattr(self, name)
            if array is not None:
                array.setflags(write=False)
        object.__setattr__(self, "options", ReadOnlyMapping(self.options))
