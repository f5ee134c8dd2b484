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

import numpy as np

from ._kernels.critics import max_slope, monotone_coupling
from ._results import CriticReport, FCriticReport, KantorovichPotential
from ._validation import as_samples_pair, check_bool, check_option, check_real, critic_values
from .geometry import paired_distances
from .sample_transport import TRANSPORT_METHODS, plan_arcs, potential_at_targets, solve_samples

__all__ = ["kantorovich_potential", "verify_critic", "verify_f_critic"]


def kantorovich_potential(u_values, v_values, u_weights=None, v_weights=None, *,
                          method: str = "auto", progress: bool = True) -> KantorovichPotential:
    r"""The exact optimal Kantorovich–Rubinstein critic between two weighted samples.

    Solves the W_1 linear program (as :func:`otdiv.transport` does, with the same
    ``method`` rule: dense up to 4·10⁶ point pairs, sparse beyond in d <= 16, dense in
    higher dimension while the matrix fits, so 10⁵-point samples work) and returns its
    potential :math:`f` as a callable, the ideal a WGAN critic tries to learn: 1-Lipschitz
    on :math:`\mathbb{R}^d` with
    :math:`\sum_i a_i f(x_i) - \sum_j b_j f(y_j) = W_1`. Evaluating it is a k-d tree
    search per point (memory O(n + m)).

    Examples
    --------
    >>> from otdiv import kantorovich_potential, wasserstein
    >>> u, v = [[0.0, 0.0], [1.0, 0.0]], [[0.0, 2.0], [1.0, 2.0]]
    >>> f = kantorovich_potential(u, v)
    >>> values_u, values_v = f(u), f(v)
    >>> float(values_u.mean() - values_v.mean()), wasserstein(u, v)
    (2.0, 2.0)
    """
    method = check_option(method, "method", TRANSPORT_METHODS)
    progress = check_bool(progress, "progress")
    u, v, u_w, v_w = as_samples_pair(u_values, v_values, u_weights, v_weights)
    result, cost = solve_samples(u, v, u_w, v_w, 1.0, method, progress)
    # f(y_j) = min_k ||y_j - y_k|| - v_k, the c-transform of the target potential.
    f_at_v = potential_at_targets(result, cost)
    return KantorovichPotential(anchors=v.copy(), anchor_values=f_at_v * cost.unit * cost.scale)


def _certifying_divisor(dual_estimate: float, lipschitz: float) -> float:
    """The L' in the certified bound estimate / L': max(L, 1), or L itself when L < 1
    gives the larger bound (f / L is 1-Lipschitz on the samples either way)."""
    divisor = max(lipschitz, 1.0)
    if 0.0 < lipschitz < 1.0 and dual_estimate > 0.0:
        divisor = lipschitz
    return divisor


def _optimal_pairs(u, v, a, b, method, progress):
    """Exact W_1 and the pairs ``(i, j, mass)`` of an optimal plan.

    One-dimensional data use the monotone coupling of the sorted samples (O(n log n));
    otherwise the certified LP (dense or sparse, as :func:`otdiv.transport` chooses).
    """
    if u.shape[1] == 1:
        u_order = np.argsort(u[:, 0], kind="stable")
        v_order = np.argsort(v[:, 0], kind="stable")
        rows, columns, masses = monotone_coupling(a[u_order], b[v_order])
        rows, columns = u_order[rows], v_order[columns]
        exact = float(np.sum(masses * np.abs(u[rows, 0] - v[columns, 0])))
        return exact, rows, columns, masses, "closed_form_1d"
    result, cost = solve_samples(u, v, a, b, 1.0, method, progress)
    rows, columns, masses = plan_arcs(result.plan)
    return cost.to_distance(result.cost), rows, columns, masses, result.method


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


def verify_critic(critic, u_values, v_values, u_weights=None, v_weights=None, *,
                  tol: float = 0.05, method: str = "auto", progress: bool = True
                  ) -> CriticReport:
    r"""Certify a critic's Wasserstein-1 estimate against the exact value on the samples.

    Parameters
    ----------
    critic : callable
        Maps an ``(n, d)`` float64 array to ``n`` finite values (shape ``(n,)`` or
        ``(n, 1)``). A JAX function works as is (``lambda x: np.asarray(f(params, x))``);
        a PyTorch module as
        ``lambda x: module(torch.from_numpy(x).float()).detach().numpy().ravel()``.
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Samples of P and Q.
    u_weights, v_weights : array_like, optional
        Sample weights (normalised); uniform when omitted.
    tol : float in (0, 1)
        Relative tolerance for tightness and for ``passed``.
    method : {"auto", "dense", "sparse"}
        Exact solver for W_1 in d >= 2 (see :func:`otdiv.wasserstein`); with ``"auto"``
        samples of 10⁵ points are certified by the sparse solver.
    progress : bool
        Progress bar for long sparse solves.

    Returns
    -------
    CriticReport

    Notes
    -----
    The dual estimate is :math:`\hat W = \sum_i a_i f(x_i) - \sum_j b_j f(y_j)`. If the
    empirical Lipschitz constant :math:`L` (computed exactly over all pairs of the pooled
    samples: by sorting in 1-D, by a parallel Numba kernel over all pairs in
    :math:`O(n + m)` memory otherwise — :math:`O((n + m)^2 d)` time, about half a minute
    for 2·10⁵ pooled points on two cores) is at most 1, then
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
    method = check_option(method, "method", TRANSPORT_METHODS)
    progress = check_bool(progress, "progress")
    x_p, x_q, a, b = as_samples_pair(u_values, v_values, u_weights, v_weights)

    pooled = np.ascontiguousarray(np.vstack([x_p, x_q]))
    values = critic_values(critic, pooled)
    f_p, f_q = values[: x_p.shape[0]], values[x_p.shape[0]:]
    dual_estimate = float(a @ f_p - b @ f_q)

    exact, rows, columns, masses, exact_method = _optimal_pairs(x_p, x_q, a, b, method,
                                                                progress)
    lipschitz, i, j = empirical_lipschitz(pooled, values)
    divisor = _certifying_divisor(dual_estimate, lipschitz)
    # Tightness of the rescaled, 1-Lipschitz critic f / L' (a 2-Lipschitz critic would
    # otherwise look tight everywhere), with an absolute slack for round-off in its values.
    distances = paired_distances(x_p[rows], x_q[columns])
    slack = 1e-12 * (1.0 + float(np.max(np.abs(values))))
    with np.errstate(over="ignore", invalid="ignore"):
        rescaled = (f_p[rows] - f_q[columns]) / divisor
    tight = rescaled >= (1.0 - tol) * distances - slack
    plan_tightness = float(masses[tight].sum() / masses.sum())

    gap = exact - dual_estimate
    scale = 1e-12 * (1.0 + float(np.max(np.abs(pooled))))
    passed = bool(lipschitz <= 1.0 + tol and abs(gap) <= tol * exact + scale)
    return CriticReport(
        dual_estimate=dual_estimate, exact_w1=exact, gap=gap, lipschitz=lipschitz,
        lipschitz_pair=(int(i), int(j)),
        certified_lower_bound=dual_estimate / divisor,
        plan_tightness=plan_tightness, tol=tol, passed=passed, exact_method=exact_method,
        n_p=x_p.shape[0], n_q=x_q.shape[0], dimension=x_p.shape[1])


def verify_f_critic(critic, u_values, v_values, kind: str = "kl", *, exact_value: float,
                    tol: float = 0.1) -> FCriticReport:
    r"""Compare an f-GAN critic's variational bound with the exact f-divergence.

    The counterpart of :func:`verify_critic` for f-divergences: with :math:`T = g_f(v)`,

    .. math:: D_f(P\|Q) \ge E_P[T(x)] - E_Q[f^*(T(y))]

    for every critic :math:`v`, with equality at :math:`T^* = f'(p/q)`. The bound is
    estimated by :func:`otdiv.variational_bound` on the samples.

    Parameters
    ----------
    critic : callable
        Raw critic output ``v(x)``, one finite value per sample.
    u_values, v_values : array_like
        Samples of P and Q.
    kind : str
        A key of :data:`otdiv.F_DIVERGENCES`.
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
    >>> report = verify_f_critic(lambda x: x + 0.5, x_p, x_q, "kl", exact_value=0.5)
    >>> report.passed, report.consistent
    (True, True)
    """
    from .divergences.variational import validated_bound_inputs, variational_bound_core

    tol = check_real(tol, "tol", lower=0.0, upper=1.0, lower_inclusive=False,
                     upper_inclusive=False)
    if isinstance(exact_value, (bool, np.bool_)) or not isinstance(exact_value, numbers.Real):
        raise TypeError(f"exact_value must be a real number, got "
                        f"{type(exact_value).__name__} {exact_value!r}")
    exact_value = float(exact_value)
    if np.isnan(exact_value) or exact_value == -np.inf:
        raise ValueError(f"exact_value must be a number or +inf, got {exact_value!r}")
    estimate = variational_bound_core(*validated_bound_inputs(critic, u_values, v_values,
                                                              kind))
    gap = exact_value - estimate.value
    consistent = bool(estimate.value <= exact_value + 3.0 * estimate.standard_error)
    passed = bool(consistent and np.isfinite(exact_value) and gap <= tol * abs(exact_value))
    return FCriticReport(kind=estimate.kind, bound=estimate.value,
                         standard_error=estimate.standard_error, exact_value=exact_value,
                         gap=gap, consistent=consistent, tol=tol, passed=passed)
