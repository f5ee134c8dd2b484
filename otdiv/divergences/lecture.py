r"""The lecture's motivating examples: parallel lines, and the Arjovsky–Bottou noise bound."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import SamplePair, takes_sample_pair
from ..exact.onedim import sorted_pair, wasserstein_of_sorted
from .densities import f_divergence_density_core, integration_edges
from .registry import get_f_divergence
from .results import NoiseBoundResult, ParallelLinesDivergences

__all__ = ["parallel_lines_divergences", "noise_bound"]

_LOG2 = math.log(2.0)


def parallel_lines_divergences(theta: ArrayLike) -> ParallelLinesDivergences:
    r"""Exact divergences between the lecture's :math:`P_0` and :math:`P_\theta`.

    :math:`P_\theta` is the law of :math:`(\theta, Z)`, :math:`Z \sim U[0, 1]` (sampled by
    :func:`otdiv.datasets.parallel_lines`). For :math:`\theta \ne 0` the supports are
    disjoint segments, so

    .. math::

        W_1(P_0, P_\theta) = |\theta|, \quad \mathrm{JSD} = \log 2, \quad
        \mathrm{KL}(P_0\|P_\theta) = \mathrm{KL}(P_\theta\|P_0) = +\infty, \quad
        \mathrm{TV} = 1,

    and all vanish at :math:`\theta = 0`. Only :math:`W_1` is continuous in :math:`\theta`
    and has a usable gradient (:math:`\operatorname{sign}\theta`); the others are constant
    away from 0. (:math:`W_1 \le |\theta|` by the coupling :math:`(0, z) \mapsto (\theta, z)`;
    :math:`W_1 \ge |\theta|` because every point moves horizontally by :math:`|\theta|`. The
    f-divergences follow from the disjoint supports: the limits :math:`f(0)` and
    :math:`\lim f(u)/u` of :func:`otdiv.f_divergence`.) JSD uses the ½ convention (≤ log 2).

    Parameters
    ----------
    theta : float or array_like of float
        Offsets (finite).

    Returns
    -------
    ParallelLinesDivergences
        Arrays of the shape of ``np.atleast_1d(theta)``.

    References
    ----------
    .. [1] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017, Example 1.

    Examples
    --------
    >>> from otdiv.divergences import parallel_lines_divergences
    >>> table = parallel_lines_divergences([0.0, 0.5])
    >>> table.wasserstein.tolist(), table.kl.tolist(), table.total_variation.tolist()
    ([0.0, 0.5], [0.0, inf], [0.0, 1.0])
    """
    raw = np.asarray(theta)
    if raw.dtype.kind not in "iuf":  # strings, bools, complex, objects
        raise TypeError(f"theta must be a real number or an array of real numbers, got "
                        f"{type(theta).__name__} of dtype {raw.dtype}")
    try:
        theta = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError(f"theta must be a real number or an array of real numbers, got "
                        f"{type(theta).__name__}") from None
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"theta must be a scalar or a non-empty 1-D array, got shape "
                         f"{theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"theta must be finite, got {theta[~np.isfinite(theta)][0]!r}")
    apart = theta != 0
    return ParallelLinesDivergences(
        theta=theta.copy(),
        wasserstein=np.abs(theta),
        jensen_shannon=np.where(apart, _LOG2, 0.0),
        kl=np.where(apart, np.inf, 0.0),
        reverse_kl=np.where(apart, np.inf, 0.0),
        total_variation=np.where(apart, 1.0, 0.0),
    )


def _check_noise(noise: Any) -> tuple[float, float, float]:
    for attribute in ("pdf", "support", "mean", "var"):
        if not callable(getattr(noise, attribute, None)):
            raise TypeError(f"noise must be a frozen scipy.stats continuous distribution "
                            f"(with pdf, support, mean, var), got {type(noise).__name__}")
    lower, upper = (float(end) for end in noise.support())
    if not (math.isfinite(lower) and math.isfinite(upper)):
        raise ValueError(f"noise must have bounded support (the bound needs the diameter C of "
                         f"the noisy supports), got support ({lower!r}, {upper!r}); with the "
                         f"lecture's Gaussian noise C = inf and the bound says nothing")
    mean, variance = float(noise.mean()), float(noise.var())
    if not abs(mean) <= 1e-9 * max(1.0, upper - lower):
        raise ValueError(f"noise must have mean 0, got mean {mean!r}")
    if not (math.isfinite(variance) and variance > 0):
        raise ValueError(f"noise must have a positive finite variance, got {variance!r}")
    return lower, upper, variance


@takes_sample_pair()
def noise_bound(pair: SamplePair, *, noise: Any) -> NoiseBoundResult:
    r"""Both sides of the Arjovsky–Bottou noise bound for 1-D discrete :math:`P_r`, :math:`P_g`.

    .. math::

        W_1(P_r, P_g) \le 2V^{1/2}
            + 2C\sqrt{\mathrm{JSD}(P_{r+\epsilon}\,\|\,P_{g+\epsilon})},

    where :math:`\epsilon` is noise with mean 0 and :math:`V = \mathbb{E}\epsilon^2`, and
    :math:`C` is the diameter of an interval holding both noisy supports. The left side is
    the exact :math:`W_1` (:func:`otdiv.wasserstein_1d`); the noisy densities
    :math:`\sum_i w_i\, p_\epsilon(x - x_i)` are integrated by adaptive quadrature split at
    every kink :math:`x_i + \{\text{lower}, 0, \text{upper}\}` of the noise
    (:func:`f_divergence_density`, JSD in the ½ convention, ≤ log 2). The lecture's version
    drops :math:`C`, which is not scale invariant; with Gaussian noise :math:`C = \infty`.

    Parameters
    ----------
    u_values, v_values : array_like, shape (n,) and (m,)
        Atoms of :math:`P_r` and :math:`P_g` on the line.
    u_weights, v_weights : array_like, optional
        Their weights (normalised); uniform when omitted.
    noise : frozen scipy.stats continuous distribution
        Bounded support, mean 0, e.g. ``scipy.stats.uniform(-a, 2 * a)``.

    Returns
    -------
    NoiseBoundResult
        ``wasserstein``, ``bound``, ``noise_std``, ``diameter``, ``jensen_shannon``, ``holds``.

    Raises
    ------
    ValueError
        Bad samples or weights, points not on the line, or noise that is unbounded, not
        centred or degenerate.
    TypeError
        ``noise`` that is not a frozen scipy.stats distribution.

    Notes
    -----
    Proof sketch (why it holds in the ½ convention): :math:`W_1(P, P_{+\epsilon}) \le
    \mathbb{E}|\epsilon| \le V^{1/2}` for both, and
    :math:`W_1 \le C\,\mathrm{TV} \le C\sqrt{2\,\mathrm{JSD}}` between the noisy laws (Pinsker
    against the mixture), which is below :math:`2C\sqrt{\mathrm{JSD}}`.

    Cost: the quadrature runs over up to :math:`3(n + m)` pieces and each density evaluation
    sums over all atoms, so it grows like :math:`(n + m)^2`; a few hundred atoms take seconds.

    References
    ----------
    .. [1] M. Arjovsky, L. Bottou, "Towards principled methods for training generative
       adversarial networks", ICLR 2017, Lemma 4 and Theorem 3.4.

    Examples
    --------
    >>> from scipy import stats
    >>> from otdiv.divergences import noise_bound
    >>> result = noise_bound([0.0], [1.0], noise=stats.uniform(-0.5, 1.0))
    >>> result.wasserstein, result.diameter, round(result.jensen_shannon, 9), result.holds
    (1.0, 2.0, 0.693147181, True)
    """
    if pair.dimension != 1:
        raise ValueError(f"u_values and v_values must be points on the line (shape (n,) or "
                         f"(n, 1)), got points in R^{pair.dimension}")
    u, v, u_w, v_w = pair.u[:, 0], pair.v[:, 0], pair.u_weights, pair.v_weights
    lower, upper, variance = _check_noise(noise)

    def mixture(atoms: np.ndarray, weights: np.ndarray) -> Callable[[float], float]:
        def pdf(x: float) -> float:
            return float(weights @ noise.pdf(x - atoms))
        return pdf

    atoms = np.concatenate([u, v])
    support = (float(atoms.min()) + lower, float(atoms.max()) + upper)
    kinks = np.unique(np.concatenate([atoms + lower, atoms, atoms + upper]))
    kinks = kinks[(kinks > support[0]) & (kinks < support[1])]
    jensen_shannon = f_divergence_density_core(get_f_divergence("jensen_shannon"),
                                               mixture(u, u_w), mixture(v, v_w),
                                               integration_edges(support, kinks), False)
    jensen_shannon = min(max(jensen_shannon, 0.0), _LOG2)  # quadrature round-off only
    distance = wasserstein_of_sorted(sorted_pair(u, v, u_w, v_w), 1.0)
    diameter = support[1] - support[0]
    noise_std = math.sqrt(variance)
    bound = 2.0 * noise_std + 2.0 * diameter * math.sqrt(jensen_shannon)
    return NoiseBoundResult(wasserstein=float(distance), bound=bound, noise_std=noise_std,
                            diameter=diameter, jensen_shannon=jensen_shannon,
                            holds=bool(distance <= bound))
