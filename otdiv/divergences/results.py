"""Results of the divergence module: variational bounds and the lecture's examples."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._frozen import freeze_arrays

__all__ = ["VariationalBoundResult", "ParallelLinesDivergences", "NoiseBoundResult"]


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

    def __post_init__(self) -> None:
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
