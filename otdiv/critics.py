r"""Kantorovich–Rubinstein certificates for learned critics.

A WGAN critic :math:`f` claims :math:`W_1(P, Q) \approx E_P f - E_Q f`. By the
Kantorovich–Rubinstein duality

.. math:: W_1(P, Q) = \sup_{\|f\|_{Lip} \le 1} E_P f(x) - E_Q f(y),

that claim is a lower bound of :math:`W_1` only if :math:`f` is 1-Lipschitz, and it is
exact only if :math:`f(x) - f(y) = \|x - y\|` wherever an optimal plan moves mass.
:func:`verify_critic` measures all three on the samples: the claim, the exact value, and the
critic's Lipschitz constant and tightness on the optimal plan.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._kernels.critics import max_slope, monotone_coupling
from ._results import freeze_arrays
from ._validation import (as_samples, as_weights, check_real, check_same_dimension,
                          critic_values)
from .distances import euclidean_distances, paired_distances, scaled_ground_cost, transport
from .exact.kantorovich import solve_kantorovich

__all__ = ["CriticReport", "FCriticReport", "KantorovichPotential", "kantorovich_potential",
           "verify_critic", "verify_f_critic"]


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
        points = as_samples(points, "points")
        if points.shape[1] != self.anchors.shape[1]:
            raise ValueError(f"points must be in R^{self.anchors.shape[1]}, got points in "
                             f"R^{points.shape[1]}")
        distances = euclidean_distances(points, self.anchors)
        return np.min(distances + self.anchor_values[None, :], axis=1)


def kantorovich_potential(u_values, v_values, u_weights=None, v_weights=None
                          ) -> KantorovichPotential:
    r"""The exact optimal Kantorovich–Rubinstein critic between two weighted samples.

    Solves the W_1 linear program (:func:`otdiv.transport`) and returns its potential
    :math:`f` as a callable, the ideal a WGAN critic tries to learn: 1-Lipschitz on
    :math:`\mathbb{R}^d` with :math:`\sum_i a_i f(x_i) - \sum_j b_j f(y_j) = W_1`.

    Examples
    --------
    >>> from otdiv import kantorovich_potential, wasserstein
    >>> u, v = [[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0], [1.0, 2.0]]
    >>> f = kantorovich_potential(u, v)
    >>> values_u, values_v = f(u), f(v)
    >>> float(values_u.mean() - values_v.mean()), wasserstein(u, v)
    (2.0, 2.0)
    """
    result = transport(u_values, v_values, u_weights, v_weights, p=1)
    anchors = as_samples(v_values, "v_values")
    return KantorovichPotential(anchors=anchors.copy(), anchor_values=-result.dual_v)


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
        Share of the optimally transported mass on which
        :math:`f(x) - f(y) \ge (1 - \mathrm{tol}) \|x - y\|`. An optimal critic is tight
        on the whole plan (complementary slackness), so this is 1 for it.
    tol : float
        The relative tolerance used for tightness and for ``passed``.
    passed : bool
        ``lipschitz <= 1 + tol`` and ``|gap| <= tol * exact_w1`` (with an absolute floor of
        ``1e-12`` times the data's scale for identical samples).
    exact_method : str
        ``"closed_form_1d"`` or the LP solver used for the exact value.
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
        return "\n".join(lines)


#: Relative round-off tolerated on a Lipschitz constant of 1 (e.g. the exact LP potential
#: measures 1 + 2e-16) when the summary says whether the estimate is a lower bound.
LIPSCHITZ_ROUNDOFF = 1e-9


def _certified_lower_bound(dual_estimate: float, lipschitz: float) -> float:
    bound = dual_estimate / max(lipschitz, 1.0)
    if 0.0 < lipschitz < np.inf:
        bound = max(bound, dual_estimate / lipschitz)
    return bound


def _optimal_pairs(x_p, x_q, a, b):
    """Exact W_1 and the pairs ``(i, j, mass)`` of an optimal plan.

    One-dimensional data use the monotone coupling of the sorted samples (O(n log n));
    otherwise the certified LP of :func:`otdiv.transport`.
    """
    if x_p.shape[1] == 1:
        u_order = np.argsort(x_p[:, 0], kind="stable")
        v_order = np.argsort(x_q[:, 0], kind="stable")
        rows, columns, masses = monotone_coupling(a[u_order], b[v_order])
        rows, columns = u_order[rows], v_order[columns]
        exact = float(np.sum(masses * np.abs(x_p[rows, 0] - x_q[columns, 0])))
        return exact, rows, columns, masses, "closed_form_1d"
    cost, (unit, scale) = scaled_ground_cost(x_p, x_q, 1.0)
    result = solve_kantorovich(a, b, cost)
    rows, columns = np.nonzero(result.plan > 0)
    return (result.cost * unit) * scale, rows, columns, result.plan[rows, columns], result.method


def empirical_lipschitz(points: np.ndarray, values: np.ndarray) -> tuple[float, int, int]:
    """``max |f(z) - f(z')| / |z - z'|`` over all pairs, with a maximising pair.

    On the line the steepest chord joins two neighbours in sorted order (a chord's slope
    is a weighted mean of the slopes between the neighbours it spans), so 1-D samples take
    O(N log N); otherwise the all-pairs Numba kernel, O(N^2 d) time and O(N) memory.
    """
    if points.shape[1] > 1:
        slope, i, j = max_slope(points, values)
        return float(slope), int(i), int(j)
    if points.shape[0] < 2:
        return 0.0, -1, -1
    order = np.lexsort((values, points[:, 0]))
    steps = np.diff(points[order, 0])
    changes = np.abs(np.diff(values[order]))
    # A slope beyond the float range (a gap of 1e-309) is reported as inf.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slopes = np.where(steps > 0, changes / steps, np.where(changes > 0, np.inf, 0.0))
    k = int(np.argmax(slopes))
    if slopes[k] == 0.0:
        return 0.0, -1, -1
    return float(slopes[k]), int(order[k]), int(order[k + 1])


def verify_critic(critic, x_p, x_q, *, p_weights=None, q_weights=None, tol=0.05
                  ) -> CriticReport:
    r"""Certify a critic's Wasserstein-1 estimate against the exact value on the samples.

    Parameters
    ----------
    critic : callable
        Maps an ``(n, d)`` float64 array to ``n`` finite values (shape ``(n,)`` or
        ``(n, 1)``). A JAX function works as is (``lambda x: np.asarray(f(params, x))``);
        a PyTorch module as
        ``lambda x: module(torch.from_numpy(x).float()).detach().numpy().ravel()``.
    x_p, x_q : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Samples of P and Q.
    p_weights, q_weights : array_like, optional
        Sample weights (normalised); uniform when omitted.
    tol : float in (0, 1)
        Relative tolerance for tightness and for ``passed``.

    Returns
    -------
    CriticReport

    Notes
    -----
    The dual estimate is :math:`\hat W = \sum_i a_i f(x_i) - \sum_j b_j f(y_j)`. If the
    empirical Lipschitz constant :math:`L` (computed exactly over all pairs of the pooled
    samples: by sorting in 1-D, by a parallel Numba kernel over all pairs in
    :math:`O(n + m)` memory otherwise) is at most 1, then
    :math:`\hat W \le W_1` by duality; in general :math:`\hat W / L \le W_1` and
    :math:`\hat W / \max(L, 1) \le W_1`, and the report certifies the larger. The
    exact :math:`W_1` comes from the 1-D closed form or the certified LP.

    References
    ----------
    .. [1] C. Villani, "Optimal Transport: Old and New", Springer 2009, Thm 5.10.
    .. [2] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.

    Examples
    --------
    The identity is an optimal critic for a shift on the line (stochastic dominance):

    >>> import numpy as np
    >>> from otdiv import verify_critic
    >>> x_p = np.array([1.0, 2.0, 4.0]) + 3.0
    >>> report = verify_critic(lambda x: x[:, 0], x_p, [1.0, 2.0, 4.0])
    >>> report.dual_estimate, report.exact_w1, report.lipschitz, report.passed
    (3.0, 3.0, 1.0, True)
    """
    tol = check_real(tol, "tol", lower=0.0, upper=1.0, lower_inclusive=False,
                     upper_inclusive=False)
    x_p = as_samples(x_p, "x_p")
    x_q = as_samples(x_q, "x_q")
    check_same_dimension(x_p, x_q, ("x_p", "x_q"))
    a = as_weights(p_weights, x_p.shape[0], "p_weights")
    b = as_weights(q_weights, x_q.shape[0], "q_weights")

    pooled = np.ascontiguousarray(np.vstack([x_p, x_q]))
    values = critic_values(critic, pooled)
    f_p, f_q = values[: x_p.shape[0]], values[x_p.shape[0]:]
    dual_estimate = float(a @ f_p - b @ f_q)

    exact, rows, columns, masses, method = _optimal_pairs(x_p, x_q, a, b)
    distances = paired_distances(x_p[rows], x_q[columns])
    # An absolute slack for round-off in the critic's values (e.g. LP potentials).
    slack = 1e-12 * (1.0 + float(np.max(np.abs(values))))
    tight = f_p[rows] - f_q[columns] >= (1.0 - tol) * distances - slack
    plan_tightness = float(masses[tight].sum() / masses.sum())

    lipschitz, i, j = empirical_lipschitz(pooled, values)
    gap = exact - dual_estimate
    scale = 1e-12 * (1.0 + float(np.max(np.abs(pooled))))
    passed = bool(lipschitz <= 1.0 + tol and abs(gap) <= tol * exact + scale)
    return CriticReport(
        dual_estimate=dual_estimate, exact_w1=exact, gap=gap, lipschitz=lipschitz,
        lipschitz_pair=(int(i), int(j)),
        certified_lower_bound=_certified_lower_bound(dual_estimate, lipschitz),
        plan_tightness=plan_tightness, tol=tol, passed=passed, exact_method=method,
        n_p=x_p.shape[0], n_q=x_q.shape[0], dimension=x_p.shape[1])


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


def verify_f_critic(kind, critic, x_p, x_q, exact_value, *, tol=0.1) -> FCriticReport:
    r"""Compare an f-GAN critic's variational bound with the exact f-divergence.

    The counterpart of :func:`verify_critic` for f-divergences: with :math:`T = g_f(v)`,

    .. math:: D_f(P\|Q) \ge E_P[T(x)] - E_Q[f^*(T(y))]

    for every critic :math:`v`, with equality at :math:`T^* = f'(p/q)`. The bound is
    estimated by :func:`otdiv.variational_bound` on the samples.

    Parameters
    ----------
    kind : str
        A key of :data:`otdiv.F_DIVERGENCES`.
    critic : callable
        Raw critic output ``v(x)``, one finite value per sample.
    x_p, x_q : array_like
        Samples of P and Q.
    exact_value : float
        The exact divergence, e.g. from :func:`otdiv.gaussian_f_divergence`; ``inf`` allowed.
    tol : float in (0, 1)
        Relative tolerance on the gap.

    Returns
    -------
    FCriticReport

    Examples
    --------
    The optimal KL critic between N(1, 1) and N(0, 1) is :math:`v(x) = x + 1/2`:

    >>> import numpy as np
    >>> from otdiv import verify_f_critic
    >>> rng = np.random.default_rng(1)
    >>> x_p, x_q = rng.normal(1, 1, 100_000), rng.normal(0, 1, 100_000)
    >>> report = verify_f_critic("kl", lambda x: x + 0.5, x_p, x_q, exact_value=0.5)
    >>> report.passed, report.consistent
    (True, True)
    """
    from .divergences import variational_bound

    tol = check_real(tol, "tol", lower=0.0, upper=1.0, lower_inclusive=False,
                     upper_inclusive=False)
    if isinstance(exact_value, (bool, np.bool_)) or not isinstance(exact_value, numbers.Real):
        raise TypeError(f"exact_value must be a real number, got "
                        f"{type(exact_value).__name__} {exact_value!r}")
    exact_value = float(exact_value)
    if np.isnan(exact_value) or exact_value == -np.inf:
        raise ValueError(f"exact_value must be a number or +inf, got {exact_value!r}")
    estimate = variational_bound(kind, critic, x_p, x_q)
    gap = exact_value - estimate.value
    consistent = bool(estimate.value <= exact_value + 3.0 * estimate.standard_error)
    passed = bool(consistent and np.isfinite(exact_value) and gap <= tol * abs(exact_value))
    return FCriticReport(kind=estimate.kind, bound=estimate.value,
                         standard_error=estimate.standard_error, exact_value=exact_value,
                         gap=gap, consistent=consistent, tol=tol, passed=passed)
