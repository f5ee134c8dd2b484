r"""Compiled training steps: the building blocks of :func:`train_critic`, :func:`train_gan`.

Public so that benchmarks and experiments can time or reuse exactly what the training loops
run. Every function takes a :class:`GanConfig`; parameters are the pytrees of
:mod:`otdiv.gan.nets` (float32 JAX arrays). All randomness is drawn by numpy beforehand and
passed in as batches of indices, noise and interpolation weights: JAX's random kernels
cost seconds of compilation each on CPU, and numpy's ``Generator`` state is what a
checkpoint stores to resume a run identically.

- :func:`init_critic`, :func:`init_generator`: initial parameters (and spectral-norm state).
- :func:`make_optimizer`: the critic's or the generator's optax optimiser.
- :func:`make_critic_update`: one critic optimiser step (loss, penalty, clipping).
- :func:`critic_runner` / :func:`draw_critic_batches`: a jitted ``lax.scan`` of critic steps
  on two fixed sample sets, and its pre-drawn batches.
- :func:`gan_runner` / :func:`draw_gan_batches`: the same for generator steps, each after
  ``n_critic`` critic steps; the generator's gradient is taken with respect to the
  generator's parameters only (the critic enters as a constant: no critic gradients).
- :func:`chunk_lengths`: the split of a run into checkpoints.
- :func:`negate_critic`: :math:`f \to -f` (the sign check of Wasserstein critics).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np

from .._validation import check_int
from ._jax import jax, jnp, optax
from .config import GanConfig, f_kind
from .convnets import conv_spectral_normalize, init_conv_critic, init_conv_sn_state
from .losses import critic_loss, generator_loss
from .nets import (
    Array,
    Params,
    SnState,
    apply_mlp,
    clip_weights,
    init_mlp,
    init_sn_state,
    spectral_normalize,
)

#: An optax optimiser.
Optimizer: TypeAlias = optax.GradientTransformation
#: What the critic loop carries: ``(params, sn_state, opt_state)``.
CriticState = tuple[Params, SnState, Any]
#: What the GAN loop carries: ``(critic params, sn_state, critic opt_state, generator
#: params, generator opt_state)``.
GanState = tuple[Params, SnState, Any, Params, Any]

__all__ = ["make_optimizer", "init_critic", "init_generator", "critic_weights",
           "make_critic_update", "critic_runner", "draw_critic_batches", "make_gan_step",
           "gan_runner", "draw_gan_batches", "chunk_lengths", "critic_step_segments",
           "negate_critic"]


def make_optimizer(config: GanConfig, network: str = "critic") -> Optimizer:
    """The optax optimiser of ``network`` (``"critic"`` or ``"generator"``).

    RMSProp follows PyTorch's (used by the WGAN code): decay 0.99, eps outside the square
    root; Adam uses the configured betas.
    """
    name, rate, beta1, beta2 = config.optimizer_settings(network)
    if name == "rmsprop":
        return optax.rmsprop(rate, decay=0.99, eps=1e-8, eps_in_sqrt=False)
    return optax.adam(rate, b1=beta1, b2=beta2)


def _critic_out(config: GanConfig) -> int:
    return config.cramer_features if config.family == "cramer" else 1


def _kind(config: GanConfig) -> str | None:
    return f_kind(config.loss) if config.family == "variational" else None


def critic_weights(config: GanConfig, params: Params, sn_state: SnState) -> tuple[Params, SnState]:
    """The weights the critic computes with (spectrally normalised for ``"wgan-sn"``: each
    MLP layer by its matrix norm, each convolution by its operator norm) and the carried
    power-iteration state."""
    if config.loss == "wgan-sn":
        if config.critic_network == "conv":
            return conv_spectral_normalize(params, sn_state, steps=config.power_iterations)
        return spectral_normalize(params, sn_state, steps=config.power_iterations)
    return params, sn_state


def init_critic(config: GanConfig, generator: np.random.Generator, dimension: int
                ) -> tuple[Params, SnState]:
    """``(params, sn_state)`` of a critic on ``dimension``-D inputs (clipped for WGAN):
    an MLP, or the convolutional critic of :mod:`otdiv.gan.convnets`."""
    if config.critic_network == "conv":
        params = init_conv_critic(dimension, config.critic_channels, _critic_out(config),
                                  rng=generator, initialization=config.initialization,
                                  layer_norm=config.uses_layer_norm)
    else:
        params = init_mlp((dimension, *config.critic_hidden, _critic_out(config)),
                          rng=generator, initialization=config.initialization)
    if config.clip is not None:
        params = clip_weights(params, config.clip)
    if config.loss != "wgan-sn":
        return params, ()
    if config.critic_network == "conv":
        return params, init_conv_sn_state(params, dimension, rng=generator)
    return params, init_sn_state(params, rng=generator)


def init_generator(config: GanConfig, generator: np.random.Generator, dimension: int) -> Params:
    """Generator parameters: latent ``config.latent_dim`` to ``dimension``."""
    return init_mlp((config.latent_dim, *config.generator_hidden, dimension), rng=generator,
                    initialization=config.initialization)


def negate_critic(params: Params) -> Params:
    r"""The parameters of :math:`-f`: the last layer's weights and bias negated."""
    # negated on the host: exact, and no eager JAX op to compile per shape
    last = {key: jnp.asarray(-np.asarray(value)) for key, value in params[-1].items()}
    return (*params[:-1], last)


def _gather(data: Array, indices: Array) -> Array:
    return jnp.take(data, indices, axis=0)


def make_critic_update(config: GanConfig
                       ) -> tuple[Optimizer, Callable[..., Any]]:
    """``(optimizer, update)``; ``update(params, sn_state, opt_state, x_p, x_q, x_q2,
    epsilon)`` returns ``(params, sn_state, opt_state, loss, objective, penalty)`` with
    ``loss = -objective + penalty`` (the penalty weighted, 0 without one)."""
    kind = _kind(config)
    optimizer = make_optimizer(config, "critic")

    def update(params: Params, sn_state: SnState, opt_state: Any, x_p: Array, x_q: Array,
               x_q2: Array, epsilon: Array) -> tuple[Params, SnState, Any, Array, Array, Array]:
        def loss_fn(p: Params) -> tuple[Array, tuple[Array, Array, SnState]]:
            weights, new_sn = critic_weights(config, p, sn_state)
            loss, objective, penalty = critic_loss(weights, x_p, x_q, x_q2, epsilon, config,
                                                   kind)
            return loss, (objective, penalty, new_sn)

        (loss, (objective, penalty, new_sn)), grads = jax.value_and_grad(
            loss_fn, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        if config.clip is not None:
            params = clip_weights(params, config.clip)
        return params, new_sn, opt_state, loss, objective, penalty

    return optimizer, update


def _compiled_fields(config: GanConfig) -> GanConfig:
    """The configuration with the fields the compiled step does not read set to defaults,
    so that runs differing only there share one compilation (the warm-up schedule is
    applied by the training loop, which runs warm-up steps with their own ``n_critic``)."""
    return config.replace(sign_check=True, warmup_critic_steps=0, warmup_generator_steps=25,
                          warmup_every=500)


def critic_runner(config: GanConfig) -> Callable[..., Any]:
    """A jitted ``run(state, x_p, x_q, batches) -> (state, mean objective, mean penalty)``
    (the penalty weighted by λ, 0 for losses without one).

    ``state = (params, sn_state, opt_state)``; ``batches`` from :func:`draw_critic_batches`
    (its leading axis is the number of steps). Cached per configuration; one compilation
    per chunk length.
    """
    return _critic_runner(_compiled_fields(config))


@functools.lru_cache(maxsize=64)
def _critic_runner(config: GanConfig) -> Callable[..., Any]:
    _, update = make_critic_update(config)

    def run(state: CriticState, x_p: Array, x_q: Array, batches: tuple[Any, ...]
            ) -> tuple[CriticState, Array, Array]:
        def body(carry: CriticState, batch: tuple[Any, ...]
                 ) -> tuple[CriticState, tuple[Array, Array]]:
            params, sn_state, opt_state = carry
            index_p, index_q, index_q2, epsilon = batch
            params, sn_state, opt_state, _, objective, penalty = update(
                params, sn_state, opt_state, _gather(x_p, index_p), _gather(x_q, index_q),
                _gather(x_q, index_q2), epsilon)
            return (params, sn_state, opt_state), (objective, penalty)

        state, (objectives, penalties) = jax.lax.scan(body, state, batches)
        return state, objectives.mean(), penalties.mean()

    return jax.jit(run)


def draw_critic_batches(generator: np.random.Generator, length: int, batch_size: int, n_p: int,
                        n_q: int) -> tuple[Array, Array, Array, Array]:
    """Row indices into ``x_p``, ``x_q`` (twice: the Cramér reference) and interpolation
    weights for ``length`` critic steps, drawn with the numpy ``generator``."""
    m = batch_size
    return (jnp.asarray(generator.integers(0, n_p, (length, m)), jnp.int32),
            jnp.asarray(generator.integers(0, n_q, (length, m)), jnp.int32),
            jnp.asarray(generator.integers(0, n_q, (length, m)), jnp.int32),
            jnp.asarray(generator.uniform(size=(length, m)), jnp.float32))


def critic_step_segments(config: GanConfig, start: int, length: int) -> list[tuple]:
    """``[(n_critic, steps), ...]``: generator steps ``start .. start + length - 1`` cut
    into runs with the same number of critic steps (:meth:`GanConfig.critic_steps_before`),
    warm-up steps one by one (one compilation for all of them).

    Examples
    --------
    >>> from otdiv.gan import GanConfig
    >>> from otdiv.gan.steps import critic_step_segments
    >>> critic_step_segments(GanConfig.for_loss("wgan-clip"), 23, 480)
    [(100, 1), (100, 1), (5, 475), (100, 1), (5, 2)]
    """
    segments: list[tuple] = []
    for step in range(start, start + length):
        count = config.critic_steps_before(step)
        warm = config.warmup_critic_steps > 0 and count == config.warmup_critic_steps
        if segments and not warm and segments[-1][0] == count and not segments[-1][2]:
            segments[-1] = (count, segments[-1][1] + 1, False)
        else:
            segments.append((count, 1, warm))
    return [(count, steps) for count, steps, _ in segments]


def chunk_lengths(steps: int, checkpoints: int) -> list[int]:
    """Split ``steps`` into ``min(checkpoints, steps)`` chunks of at most two lengths (so at
    most two compilations per configuration)."""
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    count = min(checkpoints, steps)
    size, extra = divmod(steps, count)
    return [size + 1] * extra + [size] * (count - extra)


def make_gan_step(config: GanConfig
                  ) -> tuple[Optimizer, Optimizer, Callable[..., Any]]:
    """``(critic_optimizer, generator_optimizer, step)``; ``step(state, data, batch)`` runs
    ``n_critic`` critic steps and one generator step."""
    critic_optimizer, critic_update = make_critic_update(config)
    generator_optimizer = make_optimizer(config, "generator")
    kind = _kind(config)

    def generate(g_params: Params, z: Array) -> Array:
        out = apply_mlp(g_params, z, config.activation)
        return jax.nn.sigmoid(out) if config.generator_output == "sigmoid" else out

    def generator_grads(g_params: Params, weights: Params, x_p: Array, z: Array, z2: Array
                        ) -> tuple[Array, Params]:
        # differentiates with respect to g only: the critic's weights are constants here
        def loss_fn(g: Params) -> Array:
            return generator_loss(weights, x_p, generate(g, z), generate(g, z2), config, kind)
        return jax.value_and_grad(loss_fn)(g_params)

    def step(state: GanState, data: Array, batch: tuple[Any, ...]
             ) -> tuple[GanState, tuple[Array, Array, Array, Array]]:
        c_params, sn_state, c_opt, g_params, g_opt = state
        critic_batch, (index_g, z_g, z_g2) = batch

        def critic_step(carry: CriticState, one: tuple[Any, ...]
                        ) -> tuple[CriticState, tuple[Array, Array]]:
            c_params, sn_state, c_opt = carry
            index_p, z, z2, epsilon = one
            x_q = jax.lax.stop_gradient(generate(g_params, z))
            x_q2 = jax.lax.stop_gradient(generate(g_params, z2))
            c_params, sn_state, c_opt, _, objective, penalty = critic_update(
                c_params, sn_state, c_opt, _gather(data, index_p), x_q, x_q2, epsilon)
            return (c_params, sn_state, c_opt), (objective, penalty)

        x_p = _gather(data, index_g)
        if config.simultaneous:
            # f-GAN's single-step gradient: both gradients at the current parameters
            weights, _ = critic_weights(config, c_params, sn_state)
            g_loss, g_grads = generator_grads(g_params, jax.lax.stop_gradient(weights), x_p,
                                              z_g, z_g2)
        (c_params, sn_state, c_opt), (objectives, penalties) = jax.lax.scan(
            critic_step, (c_params, sn_state, c_opt), critic_batch)
        if not config.simultaneous:
            weights, _ = critic_weights(config, c_params, sn_state)
            g_loss, g_grads = generator_grads(g_params, jax.lax.stop_gradient(weights), x_p,
                                              z_g, z_g2)
        updates, g_opt = generator_optimizer.update(g_grads, g_opt, g_params)
        g_params = optax.apply_updates(g_params, updates)
        grad_norm = optax.tree.norm(g_grads)
        return ((c_params, sn_state, c_opt, g_params, g_opt),
                (jnp.mean(objectives), jnp.mean(penalties), g_loss, grad_norm))

    return critic_optimizer, generator_optimizer, step


def gan_runner(config: GanConfig) -> Callable[..., Any]:
    """A jitted ``run(state, data, batches) -> (state, critic objective, critic penalty,
    generator loss, generator gradient norm)`` (means over the chunk; the critic's loss is
    ``-objective + penalty``); ``state = (critic params, sn_state, critic opt state,
    generator params, generator opt state)``."""
    return _gan_runner(_compiled_fields(config))


@functools.lru_cache(maxsize=64)
def _gan_runner(config: GanConfig) -> Callable[..., Any]:
    _, _, step = make_gan_step(config)

    def run(state: GanState, data: Array, batches: tuple[Any, ...]
            ) -> tuple[GanState, Array, Array, Array, Array]:
        def body(state: GanState, batch: tuple[Any, ...]
                 ) -> tuple[GanState, tuple[Array, Array, Array, Array]]:
            return step(state, data, batch)
        state, (objective, penalty, g_loss, grad_norm) = jax.lax.scan(body, state, batches)
        return state, objective.mean(), penalty.mean(), g_loss.mean(), grad_norm.mean()

    return jax.jit(run)


def draw_gan_batches(generator: np.random.Generator, config: GanConfig, length: int, n_data: int
                     ) -> tuple[tuple[Array, ...], tuple[Array, ...]]:
    """Data indices, latent noise and interpolation weights for ``length`` generator steps
    (each with ``config.n_critic`` critic steps), drawn with the numpy ``generator``.

    Drawn step by step, in the same order for every step, so the numbers a step gets do
    not depend on how the run is cut into chunks (checkpoints): the same seed trains the
    same networks with 2 or with 20 checkpoints.
    """
    m, k, n_critic = config.batch_size, config.latent_dim, config.n_critic
    drawn: list[list[np.ndarray]] = [[] for _ in range(7)]
    for _ in range(length):
        drawn[0].append(generator.integers(0, n_data, (n_critic, m)))
        drawn[1].append(generator.standard_normal((n_critic, m, k)))
        drawn[2].append(generator.standard_normal((n_critic, m, k)))
        drawn[3].append(generator.uniform(size=(n_critic, m)))
        drawn[4].append(generator.integers(0, n_data, m))
        drawn[5].append(generator.standard_normal((m, k)))
        drawn[6].append(generator.standard_normal((m, k)))
    stacked = [np.stack(parts) for parts in drawn]
    critic = (jnp.asarray(stacked[0], jnp.int32), jnp.asarray(stacked[1], jnp.float32),
              jnp.asarray(stacked[2], jnp.float32), jnp.asarray(stacked[3], jnp.float32))
    generator_side = (jnp.asarray(stacked[4], jnp.int32), jnp.asarray(stacked[5], jnp.float32),
                      jnp.asarray(stacked[6], jnp.float32))
    return critic, generator_side
