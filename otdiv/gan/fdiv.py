r"""The f-GAN output activations :math:`g_f` and conjugates :math:`f^*`, from the registry.

One source per formula: these are the :class:`otdiv.divergences.registry.ArrayFormulas`
of :data:`otdiv.F_DIVERGENCES`, written against an array namespace ``xp`` so that the JAX
training step (``xp=jax.numpy``, float32) and the float64 numpy critic compute the same
functions. Each kind provides

- ``activation(v, xp)`` = :math:`g_f(v)`, mapping a critic output :math:`v \in \mathbb R`
  into :math:`\operatorname{dom} f^*`, so :math:`T = g_f(V)`;
- ``conjugate(t, xp)`` = :math:`f^*(t)` (``inf`` outside its domain);
- ``conjugate_of_activation(v, xp)`` = :math:`f^*(g_f(v))`, simplified analytically so that
  it is finite for every finite ``v`` (the training objective uses this one).

The variational bound is :math:`D_f(P\|Q) \ge E_P[T] - E_Q[f^*(T)]` (Nowozin et al. 2016,
Tables 2 and 6); the registry's module docstring lists every row and where it departs from
the paper (``"jensen_shannon"`` is the usual JSD, half the paper's row).

Examples
--------
>>> import numpy as np
>>> from otdiv.gan import FGAN_FUNCTIONS
>>> kl = FGAN_FUNCTIONS["kl"]
>>> float(kl.conjugate_of_activation(np.array(1.0), np))
1.0
"""

from __future__ import annotations

from types import MappingProxyType

from ..divergences.registry import F_DIVERGENCES, ArrayFormulas
from .config import F_KINDS

__all__ = ["FGanFunctions", "FGAN_FUNCTIONS"]

#: The formula triple of one kind (an alias of the registry's class).
FGanFunctions = ArrayFormulas



def _formulas(kind: str) -> ArrayFormulas:
    """The registry's array formulas of ``kind`` (every kind of F_KINDS has them)."""
    formulas = F_DIVERGENCES[kind].formulas
    if formulas is None:
        raise RuntimeError(f"F_DIVERGENCES[{kind!r}] has no array formulas for the f-GAN")
    return formulas


#: kind -> :class:`FGanFunctions`, for every kind of :data:`otdiv.gan.F_KINDS`.
FGAN_FUNCTIONS = MappingProxyType({kind: _formulas(kind) for kind in F_KINDS})
