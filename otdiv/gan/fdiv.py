r"""Output activations :math:`g_f` and Fenchel conjugates :math:`f^*` of the f-GAN losses.

Written once against an array module (``numpy`` or ``jax.numpy``, passed as ``xp``) so the
JAX training step and the float64 numpy critic compute the same functions. Each kind
provides

- ``activation(v)`` = :math:`g_f(v)`, mapping a critic output :math:`v \in \mathbb R` into
  :math:`\operatorname{dom} f^*`, so :math:`T = g_f(V)`;
- ``conjugate(t)`` = :math:`f^*(t)` on its domain (``nan``/``inf`` outside it, as the
  formula gives);
- ``conjugate_of_activation(v)`` = :math:`f^*(g_f(v))`, simplified analytically so that it
  is finite for every finite ``v`` (the training objective uses this one).

The variational bound is :math:`D_f(P\|Q) \ge E_P[T] - E_Q[f^*(T)]` (Nowozin et al. 2016,
Tables 2 and 6). ``"jensen_shannon"`` is the usual JSD :math:`\le \log 2`, i.e. half the
paper's f, so :math:`f^*_{JS}(t) = -\tfrac12\log(2 - e^{2t})` and :math:`g = \tfrac12 g_{paper}`;
the activations are the paper's increasing ones (reverse KL :math:`-e^{-v}`, Neyman and
squared Hellinger :math:`1 - e^{-v}`; REFERENCE.md's table drops the minus signs);
``"gan"`` is the paper's GAN row, :math:`D_{GAN} = 2\,\mathrm{JSD} - \log 4`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["FGanFunctions", "FGAN_FUNCTIONS"]

_LOG2 = float(np.log(2.0))


def _softplus(v, xp):
    return xp.logaddexp(0.0, v)


@dataclass(frozen=True)
class FGanFunctions:
    """The three functions of one f-GAN kind; each takes ``(array, xp)``."""

    activation: Callable
    conjugate: Callable
    conjugate_of_activation: Callable


def _pearson_conjugate(t, xp):
    return xp.where(t >= -2.0, 0.25 * t * t + t, -1.0)


FGAN_FUNCTIONS = {
    "total_variation": FGanFunctions(
        activation=lambda v, xp: 0.5 * xp.tanh(v),
        conjugate=lambda t, xp: xp.where(xp.abs(t) <= 0.5, t, xp.inf),
        conjugate_of_activation=lambda v, xp: 0.5 * xp.tanh(v)),
    "kl": FGanFunctions(
        activation=lambda v, xp: v,
        conjugate=lambda t, xp: xp.exp(t - 1.0),
        conjugate_of_activation=lambda v, xp: xp.exp(v - 1.0)),
    "reverse_kl": FGanFunctions(
        activation=lambda v, xp: -xp.exp(-v),
        conjugate=lambda t, xp: -1.0 - xp.log(-t),
        conjugate_of_activation=lambda v, xp: v - 1.0),
    "pearson": FGanFunctions(
        activation=lambda v, xp: v,
        conjugate=_pearson_conjugate,
        conjugate_of_activation=_pearson_conjugate),
    "neyman": FGanFunctions(
        activation=lambda v, xp: 1.0 - xp.exp(-v),
        conjugate=lambda t, xp: 2.0 - 2.0 * xp.sqrt(1.0 - t),
        conjugate_of_activation=lambda v, xp: 2.0 - 2.0 * xp.exp(-0.5 * v)),
    "squared_hellinger": FGanFunctions(
        activation=lambda v, xp: 1.0 - xp.exp(-v),
        conjugate=lambda t, xp: t / (1.0 - t),
        conjugate_of_activation=lambda v, xp: xp.expm1(v)),
    "jensen_shannon": FGanFunctions(
        activation=lambda v, xp: 0.5 * (_LOG2 - _softplus(-v, xp)),
        conjugate=lambda t, xp: -0.5 * xp.log(2.0 - xp.exp(2.0 * t)),
        conjugate_of_activation=lambda v, xp: 0.5 * (_softplus(v, xp) - _LOG2)),
    "gan": FGanFunctions(
        activation=lambda v, xp: -_softplus(-v, xp),
        conjugate=lambda t, xp: -xp.log1p(-xp.exp(t)),
        conjugate_of_activation=lambda v, xp: _softplus(v, xp)),
}
