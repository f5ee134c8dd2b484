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
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._kernels.critics import max_slope, monotone_coupling
from ._sample_results import CriticReport, FCriticReport, KantorovichPotential
from ._transport import TRANSPORT_METHODS, plan_arcs, potential_at_targets, solve_samples
from ._validation import (
    Critic,
    SamplePair,
    as_sample_pair,
    check_bool,
    check_option,
    check_real,
    critic_values,
    takes_sample_pair,
)
from .geometry import paired_distances

__all__ = ["kantorovich_potential", "verify_critic", "verify_f_critic"]


_TRANSPORT_METHOD = {"method": lambda method, name: check_option(method, name,
                                                                 TRANSPORT_METHODS)}
_PROGRESS = {"progress": check_bool}


@takes_sample_pair(checks={**_TRANSPORT_METHOD, **_PROGRESS})
def kantorovich_potential(pair: SamplePair, *, method: str = "auto",
                          progress: bool = True) -> KantorovichPotential:
    r"""The exact optimal Kantorovich–Rubinstein critic between two weighted samples.

    Solves the W_1 linear program (as :func:`otdiv.transport` does, with the same
    ``method`` rule: dense up to 10⁶ point pairs (6.25·10⁶ for 8 < d <= 16), sparse beyond
    in d <= 16, dense in higher dimension while the matrix fits, so 10⁵-point samples work)
    and returns its
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
    result, cost = solve_samples(*pair.arrays(), 1.0, method, progress)
    # f(y_j) = min_k ||y_j - y_k|| - v_k, the c-transform of the target potential.
    f_at_v = potential_at_targets(result, cost)
    return KantorovichPotential(anchors=pair.v.copy(),
                                anchor_values=f_at_v * cost.unit * cost.scale)


def _certifying_divisor(dual_estimate: float, lipschitz: float) -> float:
    """The L' in the certified bound estimate / L': max(L, 1), or L itself when L < 1
    gives the larger bound (f / L is 1-Lipschitz on the samples either way)."""
    divisor = max(lipschitz, 1.0)
    if 0.0 < lipschitz < 1.0 and dual_estimate > 0.0:
        divisor = lipschitz
    return divisor


def _optimal_pairs(pair: SamplePair, method: str, progress: bool
                   ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, str]:
    """Exact W_1 and the pairs ``(i, j, mass)`` of an optimal plan.

    One-dimensional data use the monotone coupling of the sorted samples (O(n log n));
    otherwise the certified LP (dense or sparse, as :func:`otdiv.transport` chooses).
    """
    u, v, a, b = pair.u, pair.v, pair.u_weights, pair.v_weights
    if u.shape[1] == 1:
        u_order = np.argsort(u[:, 0], kind="stable")
        v_order = np.argsort(v[:, 0], kind="stable")
        rows, columns, masses = monotone_coupling(a[u_order], b[v_order])
        rows, columns = u_order[rows], v_order[columns]
        exact = float(np.sum(masses * np.abs(u[rows, 0] - v[columns, 0])))
        return exact, rows, columns, masses, "closed_form_1d"
    result, cost = solve_samples(*pair.arrays(), 1.0, method, progress)
    rows, columns, masses = plan_arcs(result.plan)
    return cost.to_distance(result.cost), rows, columns, masses, result.method


#: Above this dimension :func:`empirical_lipschitz` uses blocked matrix products.
BLOCKED_LIPSCHITZ_DIMENSION = 16


def _exact_distances(points: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``||points[rows] - points[columns]||`` pair by pair, rescaled like ``hypot`` (no
    under- or overflow)."""
    differences = points[rows] - points[columns]
    scale = np.max(np.abs(differences), axis=1)
    safe = np.where(scale > 0.0, scale, 1.0)
    return scale * np.sqrt(np.sum((differences / safe[:, None]) ** 2, axis=1))


def _exact_slopes(points: np.ndarray, values: np.ndarray, rows: np.ndarray, columns: np.ndarray
                  ) -> np.ndarray:
    """``|values[i] - values[j]| / ||points[i] - points[j]||`` pair by pair (``inf`` for
    coincident points with different values, 0 for equal values)."""
    distances = _exact_distances(points, rows, columns)
    gaps = np.abs(values[rows] - values[columns])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(distances > 0.0, gaps / distances, np.where(gaps > 0.0, np.inf, 0.0))


def _max_slope_blocked(points: np.ndarray, values: np.ndarray,
                       block: int = 512) -> tuple[float, int, int]:
    r"""The exact maximum slope over all pairs, by blocks of Gram-matrix products.

    A block of rows gets its squared distances to every later point from
    :math:`\|x\|^2 + \|y\|^2 - 2x\cdot y` (BLAS); with the rounding bound
    :math:`e = 4(d + 4)\,\varepsilon\,(\|x\| + \|y\|)^2` of that formula, the slope over
    :math:`\sqrt{\max(D^2 - e, 0)}` is an upper bound of the true slope. Every pair whose
    upper bound reaches the best slope found so far is recomputed directly from the
    coordinates (like the Numba kernel), so the maximum is the kernel's up to its own
    round-off, not the Gram formula's. O(N^2 d / 2) flops in BLAS, O(block * N) memory.
    """
    n, d = points.shape
    norms_sq = np.einsum("ij,ij->i", points, points)
    norms = np.sqrt(norms_sq)
    margin = 4.0 * (d + 4) * np.finfo(np.float64).eps
    best, best_i, best_j = 0.0, -1, -1
    for start in range(0, n - 1, block):
        stop = min(start + block, n - 1)
        gram = points[start:stop] @ points[start:].T
        squared = norms_sq[start:stop, None] + norms_sq[None, start:] - 2.0 * gram
        error = margin * (norms[start:stop, None] + norms[None, start:]) ** 2
        change = np.abs(values[start:stop, None] - values[None, start:])
        with np.errstate(divide="ignore", invalid="ignore"):
            upper = np.where(change > 0.0,
                             change / np.sqrt(np.maximum(squared - error, 0.0)), 0.0)
        # only pairs (i, j) with j > i
        upper[np.arange(stop - start)[:, None] >= np.arange(n - start)[None, :]] = 0.0
        flat = int(np.argmax(upper))
        if upper.flat[flat] <= best:
            continue
        # the block's most promising pair first, then only the pairs that might beat it
        i0, j0 = start + flat // upper.shape[1], start + flat % upper.shape[1]
        slope = _exact_slopes(points, values, np.array([i0]), np.array([j0]))[0]
        if slope > best:
            best, best_i, best_j = float(slope), int(i0), int(j0)
        candidate_rows, candidate_columns = np.nonzero(upper > best)
        for first in range(0, candidate_rows.size, 4096):
            pick_rows = candidate_rows[first:first + 4096] + start
            pick_columns = candidate_columns[first:first + 4096] + start
            slopes = _exact_slopes(points, values, pick_rows, pick_columns)
            k = int(np.argmax(slopes))
            if slopes[k] > best:
                best, best_i, best_j = float(slopes[k]), int(pick_rows[k]), int(pick_columns[k])
    return best, best_i, best_j


def empirical_lipschitz(points: np.ndarray, values: np.ndarray) -> tuple[float, int, int]:
    """``max |f(z) - f(z')| / |z - z'|`` over all pairs, with a maximising pair.

    On the line the steepest chord joins two neighbours in sorted order (a chord's slope
    is a weighted mean of the slopes between the neighbours it spans), so 1-D samples take
    O(N log N); up to :data:`BLOCKED_LIPSCHITZ_DIMENSION` dimensions the all-pairs Numba
    kernel, O(N^2 d) time and O(N) memory; above, blocked matrix products with every
    possibly-maximal pair recomputed from the coordinates (:func:`_max_slope_blocked`:
    the same maximum, several times faster at d = 784).
    """
    if points.shape[1] > BLOCKED_LIPSCHITZ_DIMENSION and np.isfinite(
            float(np.max(np.abs(points)) ** 2 * points.shape[1])):
        return _max_slope_blocked(np.ascontiguousarray(points, dtype=np.float64),
                                  np.ascontiguousarray(values, dtype=np.float64))
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


#: One-sided 95% normal quantile of ``held_out_lower_confidence``.
_Z_95 = 1.6448536269514722


def _held_out_estimate(critic: Critic, held_out: Any, dimension: int
                       ) -> tuple[float, float, int, int]:
    """``(estimate, standard_error, n_p, n_q)`` of E_P f - E_Q f on held-out samples."""
    if not isinstance(held_out, (tuple, list)) or len(held_out) != 2:
        raise TypeError(f"held_out must be a pair (held-out samples of P, of Q), got "
                        f"{type(held_out).__name__}")
    held_pair = as_sample_pair(held_out[0], held_out[1])
    h_p, h_q = held_pair.u, held_pair.v
    if h_p.shape[1] != dimension:
        raise ValueError(f"held_out samples must have {dimension} columns like u_values, "
                         f"got {h_p.shape[1]}")
    if h_p.shape[0] < 2 or h_q.shape[0] < 2:
        raise ValueError(f"held_out needs at least 2 samples on each side for a standard "
                         f"error, got {h_p.shape[0]} and {h_q.shape[0]}")
    values = critic_values(critic, np.ascontiguousarray(np.vstack([h_p, h_q])))
    f_p, f_q = values[: h_p.shape[0]], values[h_p.shape[0]:]
    estimate = float(f_p.mean() - f_q.mean())
    error = float(np.sqrt(f_p.var(ddof=1) / f_p.size + f_q.var(ddof=1) / f_q.size))
    return estimate, error, int(h_p.shape[0]), int(h_q.shape[0])


@takes_sample_pair(checks={"tol": lambda tol, name: check_real(
    tol, name, lower=0.0, upper=1.0, lower_inclusive=False, upper_inclusive=False),
    **_TRANSPORT_METHOD, **_PROGRESS})
def verify_critic(critic: Critic, pair: SamplePair, *, tol: float = 0.05, method: str = "auto",
                  progress: bool = True, held_out: tuple[ArrayLike, ArrayLike] | None = None
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
    held_out : pair of array_like, optional
        ``(held-out samples of P, held-out samples of Q)``, uniform weights, at least 2
        each, never used to train the critic. The report then also holds
        ``held_out_estimate`` :math:`\bar f_{P'} - \bar f_{Q'}`, its standard error and
        a one-sided 95% lower confidence limit: an estimate of
        :math:`E_P f - E_Q f` for the distributions. The in-sample ``dual_estimate`` of a
        critic trained on ``u_values`` and ``v_values`` is biased upwards (it may have
        fitted the samples' noise). The held-out limit over a *global* Lipschitz bound of
        the critic (e.g. ``TrainedCritic.lipschitz_bound``, a product of spectral norms)
        bounds :math:`W_1(P, Q)` from below at that level; the empirical ``lipschitz`` of
        the report is only a lower bound of the Lipschitz constant, so it does not.

    Returns
    -------
    CriticReport

    Notes
    -----
    The dual estimate is :math:`\hat W = \sum_i a_i f(x_i) - \sum_j b_j f(y_j)`. If the
    empirical Lipschitz constant :math:`L` (computed exactly over all pairs of the pooled
    samples: by sorting in 1-D, by a parallel Numba kernel over all pairs in
    :math:`O(n + m)` memory up to d = 16 — :math:`O((n + m)^2 d)` time, about half a
    minute for 2·10⁵ pooled points on two cores — and above by blocked matrix products
    whose possibly-maximal pairs are recomputed from the coordinates, about 1 s for
    5 000 pooled points in d = 784) is at most 1, then
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
    x_p, x_q, a, b = pair.u, pair.v, pair.u_weights, pair.v_weights
    held = (None if held_out is None
            else _held_out_estimate(critic, held_out, x_p.shape[1]))

    pooled = np.ascontiguousarray(np.vstack([x_p, x_q]))
    values = critic_values(critic, pooled)
    f_p, f_q = values[: x_p.shape[0]], values[x_p.shape[0]:]
    dual_estimate = float(a @ f_p - b @ f_q)

    exact, rows, columns, masses, exact_method = _optimal_pairs(pair, method, progress)
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
        n_p=x_p.shape[0], n_q=x_q.shape[0], dimension=x_p.shape[1],
        held_out_estimate=None if held is None else held[0],
        held_out_standard_error=None if held is None else held[1],
        held_out_lower_confidence=None if held is None else held[0] - _Z_95 * held[1],
        n_held_out=None if held is None else (held[2], held[3]))


def verify_f_critic(critic: Critic, u_values: ArrayLike, v_values: ArrayLike, kind: str = "kl", *,
                    exact_value: float, tol: float = 0.1) -> FCriticReport:
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
