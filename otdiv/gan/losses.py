r"""Critic and generator objectives of every loss, as pure JAX functions.

Conventions: ``x_p`` are samples of the data distribution P, ``x_q`` of the model Q (the
generator, or a second fixed sample set). Critics *maximise* their objective, so the
functions here return the quantity to *minimise*.

- variational (JSGAN = ``fgan:gan``, f-GAN): :math:`F = E_P[g_f(V)] - E_Q[f^*(g_f(V))]`;
  critic loss :math:`-F`; generator loss :math:`-E_Q[f^*(g_f(V))]` (minimax) or
  :math:`-E_Q[g_f(V)]` (non-saturating, ``generator_objective="non_saturating"``; for
  JSGAN :math:`-E_Q[\log D]`).
- Wasserstein: :math:`F = E_P[f] - E_Q[f]`; WGAN-GP adds
  :math:`\lambda E[(\|\nabla f(\hat x)\|_2 - 1)^2]` at per-sample interpolates
  :math:`\hat x = \epsilon x_p + (1 - \epsilon) x_q`, :math:`\epsilon \sim U[0, 1]`;
  generator loss :math:`-E_Q[f]`.
- Cramér GAN: :math:`f(x) = \|h(x) - h(x'_q)\| - \|h(x)\|`, surrogate
  :math:`L = E_P f - E_Q f`, critic loss :math:`-L + \lambda\,GP`, generator loss
  :math:`\|h_p - h_q\| + \|h_p - h_{q'}\| - \|h_q - h_{q'}\|` (Bellemare et al. 2017).
"""

from __future__ import annotations

from collections.abc import Callable

from ._jax import jax, jnp
from .config import GanConfig
from .convnets import apply_critic
from .fdiv import FGAN_FUNCTIONS, FGanFunctions
from .nets import Array, Params

__all__ = ["gradient_penalty", "critic_loss", "generator_loss"]


def _fgan(kind: str | None) -> FGanFunctions:
    """The f-GAN functions of a variational loss's kind (``_kind`` gives it for those)."""
    if kind is None:
        raise ValueError("a variational loss needs the kind of its f-divergence")
    return FGAN_FUNCTIONS[kind]


def _safe_norm(x: Array, axis: int = -1) -> Array:
    # sqrt has an infinite derivative at 0; the epsilon keeps the penalty's gradient finite
    # when a critic is locally flat (its effect on the value is below 1e-6).
    return jnp.sqrt(jnp.sum(x * x, axis=axis) + 1e-12)


def gradient_penalty(critic_fn: Callable[[Array], Array], x_p: Array, x_q: Array, epsilon: Array
                     ) -> Array:
    r"""WGAN-GP's penalty :math:`E[(\|\nabla_x f(\hat x)\|_2 - 1)^2]` (without λ).

    ``critic_fn`` maps ``(n, d)`` to ``(n,)`` row by row; ``epsilon`` has shape ``(n,)``
    (one interpolation weight per sample pair).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from otdiv.gan import gradient_penalty
    >>> critic = lambda x: 3.0 * x[:, 0]          # gradient norm 3 everywhere
    >>> float(gradient_penalty(critic, jnp.zeros((4, 2)), jnp.ones((4, 2)), jnp.full(4, 0.5)))
    4.0
    """
    x_hat = epsilon[:, None] * x_p + (1.0 - epsilon[:, None]) * x_q
    grads = jax.vmap(jax.grad(lambda x: critic_fn(x[None, :])[0]))(x_hat)
    return jnp.mean((_safe_norm(grads) - 1.0) ** 2)


def _cramer_critic(weights: Params, x: Array, x_reference: Array, config: GanConfig) -> Array:
    h = apply_critic(weights, x, config)
    h_ref = apply_critic(weights, x_reference, config)
    return _safe_norm(h - h_ref) - _safe_norm(h)


def critic_objective(weights: Params, x_p: Array, x_q: Array, x_q2: Array, config: GanConfig,
                     kind: str | None) -> Array:
    """The critic's own estimate on a batch (what it maximises, without penalty)."""
    family = config.family
    if family == "variational":
        functions = _fgan(kind)
        v_p = apply_critic(weights, x_p, config)[:, 0]
        v_q = apply_critic(weights, x_q, config)[:, 0]
        return (jnp.mean(functions.activation(v_p, jnp))
                - jnp.mean(functions.conjugate_of_activation(v_q, jnp)))
    if family == "wasserstein":
        return (jnp.mean(apply_critic(weights, x_p, config))
                - jnp.mean(apply_critic(weights, x_q, config)))
    return (jnp.mean(_cramer_critic(weights, x_p, x_q2, config))
            - jnp.mean(_cramer_critic(weights, x_q, x_q2, config)))


def critic_loss(weights: Params, x_p: Array, x_q: Array, x_q2: Array, epsilon: Array,
                config: GanConfig, kind: str | None) -> tuple[Array, Array, Array]:
    """``(loss, objective, penalty)``: the loss the critic minimises is
    ``-objective + penalty``, where ``objective`` is the critic's batch estimate (what it
    maximises) and ``penalty`` the weighted gradient penalty λ·GP (0 without one)."""
    objective = critic_objective(weights, x_p, x_q, x_q2, config, kind)
    penalty = jnp.zeros((), objective.dtype)
    if config.loss == "wgan-gp" and config.gp_weight > 0:
        def critic_fn(x: Array) -> Array:
            return apply_critic(weights, x, config)[:, 0]
        penalty = config.gp_weight * gradient_penalty(critic_fn, x_p, x_q, epsilon)
    elif config.family == "cramer" and config.gp_weight > 0:
        # each interpolate keeps the reference x'_q of its own row, as in the paper
        penalty = config.gp_weight * _cramer_penalty(weights, x_p, x_q, x_q2, epsilon,
                                                     config)
    return -objective + penalty, objective, penalty


def _cramer_penalty(weights: Params, x_p: Array, x_q: Array, x_q2: Array, epsilon: Array,
                    config: GanConfig) -> Array:
    x_hat = epsilon[:, None] * x_p + (1.0 - epsilon[:, None]) * x_q

    def one(x: Array, reference: Array) -> Array:
        return _cramer_critic(weights, x[None, :], reference[None, :], config)[0]

    grads = jax.vmap(jax.grad(one))(x_hat, x_q2)
    return jnp.mean((_safe_norm(grads) - 1.0) ** 2)


def generator_loss(weights: Params, x_p: Array, x_g: Array, x_g2: Array, config: GanConfig,
                   kind: str | None) -> Array:
    """Loss the generator minimises given fixed critic weights (``x_g`` generated)."""
    family = config.family
    if family == "variational":
        functions = _fgan(kind)
        v_g = apply_critic(weights, x_g, config)[:, 0]
        if config.generator_objective == "non_saturating":
            return -jnp.mean(functions.activation(v_g, jnp))
        return -jnp.mean(functions.conjugate_of_activation(v_g, jnp))
    if family == "wasserstein":
        return -jnp.mean(apply_critic(weights, x_g, config))
    h_p = apply_critic(weights, x_p, config)
    h_g = apply_critic(weights, x_g, config)
    h_g2 = apply_critic(weights, x_g2, config)
    return jnp.mean(_safe_norm(h_p - h_g) + _safe_norm(h_p - h_g2) - _safe_norm(h_g - h_g2))
