r"""Training loops: a critic between two fixed sample sets, and a full GAN.

Everything inside a run is one jit-compiled ``lax.scan`` over steps (float32), compiled once
per configuration and chunk length and cached, so repeated runs with the same
:class:`GanConfig` reuse the compiled code. Between checkpoints control returns to Python,
which evaluates the networks in float64 numpy.
"""

from __future__ import annotations

import functools

import numpy as np
from tqdm import tqdm  # not tqdm.auto: it warns in Jupyter without ipywidgets

from .._results import TrainedCritic, TrainedGan
from .._validation import as_rng, as_samples, check_int, check_same_dimension
from ._jax import jax, jnp, optax
from .config import GanConfig, check_loss, f_kind
from .losses import critic_loss, generator_loss
from .models import NumpyCritic, NumpyGenerator, to_numpy_params
from .nets import apply_mlp, clip_weights, init_mlp, init_sn_state, spectral_normalize

__all__ = ["train_critic", "train_gan", "DATASETS"]


def _resolve_config(loss, config) -> GanConfig:
    check_loss(loss)
    if config is None:
        return GanConfig.for_loss(loss)
    if not isinstance(config, GanConfig):
        raise TypeError(f"config must be a GanConfig (see GanConfig.for_loss), got "
                        f"{type(config).__name__}")
    if config.loss != loss:
        raise ValueError(f"config.loss is {config.loss!r} but loss={loss!r}; pass "
                         f"loss=config.loss (or leave config out for the paper defaults)")
    return config


def _optimizer(config: GanConfig):
    if config.optimizer == "rmsprop":
        # PyTorch's RMSprop (used by the WGAN code): decay 0.99, eps outside the sqrt
        return optax.rmsprop(config.learning_rate, decay=0.99, eps=1e-8, eps_in_sqrt=False)
    return optax.adam(config.learning_rate, b1=config.beta1, b2=config.beta2)


def _critic_out(config: GanConfig) -> int:
    return config.cramer_features if config.family == "cramer" else 1


def _critic_weights(config, params, sn_state):
    """Weights the critic computes with, and the carried power-iteration state."""
    if config.loss == "wgan-sn":
        return spectral_normalize(params, sn_state, steps=config.power_iterations)
    return params, sn_state


def _gather(data, indices):
    return jnp.take(data, indices, axis=0)


def _make_critic_update(config: GanConfig):
    kind = f_kind(config.loss) if config.family == "variational" else None
    optimizer = _optimizer(config)

    def update(params, sn_state, opt_state, x_p, x_q, x_q2, epsilon):
        def loss_fn(p):
            weights, new_sn = _critic_weights(config, p, sn_state)
            loss, objective = critic_loss(weights, x_p, x_q, x_q2, epsilon, config, kind)
            return loss, (objective, new_sn)

        (loss, (objective, new_sn)), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        if config.clip is not None:
            params = clip_weights(params, config.clip)
        return params, new_sn, opt_state, loss, objective

    return optimizer, update


@functools.lru_cache(maxsize=64)
def _critic_runner(config: GanConfig):
    """A jitted function running one chunk of critic steps on fixed sample sets.

    All randomness (batch indices, interpolation weights) is drawn by numpy beforehand and
    passed in: JAX's random kernels cost seconds of compilation each on CPU.
    """
    _, update = _make_critic_update(config)

    def run(state, x_p, x_q, batches):
        def body(carry, batch):
            params, sn_state, opt_state = carry
            index_p, index_q, index_q2, epsilon = batch
            params, sn_state, opt_state, _, objective = update(
                params, sn_state, opt_state, _gather(x_p, index_p), _gather(x_q, index_q),
                _gather(x_q, index_q2), epsilon)
            return (params, sn_state, opt_state), objective

        state, objectives = jax.lax.scan(body, state, batches)
        return state, objectives.mean()

    return jax.jit(run)


def _critic_batches(generator, length, m, n_p, n_q):
    return (jnp.asarray(generator.integers(0, n_p, (length, m)), jnp.int32),
            jnp.asarray(generator.integers(0, n_q, (length, m)), jnp.int32),
            jnp.asarray(generator.integers(0, n_q, (length, m)), jnp.int32),
            jnp.asarray(generator.uniform(size=(length, m)), jnp.float32))


def _chunks(steps: int, checkpoints: int) -> list[int]:
    count = min(checkpoints, steps)
    size, extra = divmod(steps, count)
    # at most two distinct lengths, so at most two compilations per configuration
    return [size + 1] * extra + [size] * (count - extra)


def _numpy_critic(config, params, sn_state, reference=None) -> NumpyCritic:
    weights, _ = _critic_weights(config, params, sn_state)
    kind = f_kind(config.loss) if config.family == "variational" else None
    return NumpyCritic(to_numpy_params(weights), family=config.family,
                       activation=config.activation, kind=kind, reference=reference)


def _init_critic(config, generator, dimension):
    params = init_mlp((dimension, *config.critic_hidden, _critic_out(config)), rng=generator)
    if config.clip is not None:
        params = clip_weights(params, config.clip)
    sn_state = init_sn_state(params, rng=generator) if config.loss == "wgan-sn" else ()
    return params, sn_state


def train_critic(x_p, x_q, *, loss="wgan-gp", steps=2000, rng=None, config=None,
                 checkpoints=20, progress=False) -> TrainedCritic:
    r"""Train a critic of the given loss between two fixed sample sets.

    Each step draws ``config.batch_size`` rows (with replacement) from ``x_p`` and ``x_q``
    and takes one optimiser step on the critic's loss (see :mod:`otdiv.gan.losses`); the
    Wasserstein critics estimate :math:`W_1(P, Q) \approx E_P f - E_Q f`, the variational
    ones :math:`D_f(P\|Q) \ge E_P T - E_Q f^*(T)`.

    Parameters
    ----------
    x_p, x_q : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Samples of P (the "real" side) and Q.
    loss : str
        One of :data:`otdiv.gan.LOSSES`.
    steps : int
        Critic optimiser steps.
    rng : None, int or numpy.random.Generator
        Seeds initialisation and batches.
    config : GanConfig, optional
        Hyper-parameters; ``GanConfig.for_loss(loss)`` (paper defaults) when omitted.
    checkpoints : int
        Number of history entries.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    TrainedCritic
        ``critic`` (float64 numpy callable), ``estimate`` (on all of ``x_p``, ``x_q``),
        ``lipschitz_bound``, ``history`` and ``config``.

    Notes
    -----
    For ``"cramer"`` the returned critic uses up to 256 rows of ``x_q`` as the reference
    set of :math:`f(x) = \text{mean}_j\|h(x) - h(r_j)\| - \|h(x)\|`.

    Two measured properties of the gradient penalty (see ``benchmarks/bench_gan.py``): it
    is soft, so for a shift the optimal slope is :math:`1 + W_1/(2\lambda)` and the
    estimate about :math:`W_1/(2\lambda)` too high (10% at :math:`\lambda = 10`,
    :math:`W_1 = 2`); and in one dimension a critic whose slope starts with the wrong sign
    can stay at the penalty's local maximum near slope :math:`-1` (the estimate is then
    negative), since reaching the right sign means crossing slope 0, where the penalty is
    :math:`\lambda`. Weight clipping gives a critic correct only up to its (small)
    Lipschitz scale; spectral normalisation gives a certified lower bound.

    References
    ----------
    .. [1] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.
    .. [2] I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
    .. [3] T. Miyato et al., "Spectral Normalization for GANs", ICLR 2018.
    .. [4] S. Nowozin, B. Cseke, R. Tomioka, "f-GAN", NeurIPS 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv.gan import GanConfig, train_critic
    >>> rng = np.random.default_rng(0)
    >>> x_p, x_q = rng.normal(2.0, 1.0, 500), rng.normal(0.0, 1.0, 500)
    >>> config = GanConfig.for_loss("wgan-gp", critic_hidden=(16,), learning_rate=1e-2)
    >>> trained = train_critic(x_p, x_q, config=config, steps=300, rng=0)
    >>> trained.critic(np.zeros((3, 1))).shape
    (3,)
    >>> 1.5 < trained.estimate < 2.3
    True
    """
    x_p = as_samples(x_p, "x_p")
    x_q = as_samples(x_q, "x_q")
    check_same_dimension(x_p, x_q, ("x_p", "x_q"))
    config = _resolve_config(loss, config)
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    generator = as_rng(rng)
    params, sn_state = _init_critic(config, generator, x_p.shape[1])
    optimizer, _ = _make_critic_update(config)
    state = (params, sn_state, optimizer.init(params))
    reference = x_q[generator.choice(x_q.shape[0], size=min(256, x_q.shape[0]),
                                     replace=False)]
    device_p, device_q = jnp.asarray(x_p, jnp.float32), jnp.asarray(x_q, jnp.float32)
    runner = _critic_runner(config)

    history = {"step": [], "objective": [], "estimate": []}
    done = 0
    with tqdm(total=steps, disable=not progress, desc=f"critic {config.loss}") as bar:
        for length in _chunks(steps, checkpoints):
            batches = _critic_batches(generator, length, config.batch_size,
                                      x_p.shape[0], x_q.shape[0])
            state, objective = runner(state, device_p, device_q, batches)
            done += length
            critic = _numpy_critic(config, state[0], state[1], reference)
            history["step"].append(done)
            history["objective"].append(float(objective))
            history["estimate"].append(critic.dual_value(x_p, x_q))
            bar.update(length)
    _check_finite_training(history["objective"], config)
    return TrainedCritic(critic=critic, loss=config.loss, estimate=history["estimate"][-1],
                         lipschitz_bound=critic.lipschitz_bound(), history=history,
                         config=config)


def _check_finite_training(values, config):
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(
            f"training with loss {config.loss!r} diverged (non-finite objective); lower "
            f"learning_rate (now {config.learning_rate:g}) in the GanConfig")


# --- GAN training ---------------------------------------------------------------------------

def _parallel_line(n, *, rng=None):
    """P_0 of the parallel-lines example: (0, Z), Z ~ U[0, 1]."""
    generator = as_rng(rng)
    return np.column_stack([np.zeros(n), generator.uniform(size=n)])


def _datasets():
    from .. import datasets
    return {
        "8gaussians": datasets.eight_gaussians,
        "25gaussians": datasets.twenty_five_gaussians,
        "swissroll": datasets.swiss_roll,
        "gaussian_1d": datasets.gaussian_1d,
        "mixture_1d": datasets.gaussian_mixture_1d,
        "parallel_line": _parallel_line,
    }


#: Names accepted as ``data`` by :func:`train_gan`.
DATASETS = ("8gaussians", "25gaussians", "swissroll", "gaussian_1d", "mixture_1d",
            "parallel_line")


def _make_gan_step(config: GanConfig):
    critic_optimizer, critic_update = _make_critic_update(config)
    generator_optimizer = _optimizer(config)
    kind = f_kind(config.loss) if config.family == "variational" else None

    def generate(g_params, z):
        return apply_mlp(g_params, z, config.activation)

    def generator_grads(g_params, weights, x_p, z, z2):
        def loss_fn(g):
            return generator_loss(weights, x_p, generate(g, z), generate(g, z2), config, kind)
        return jax.value_and_grad(loss_fn)(g_params)

    def step(state, data, batch):
        """One generator step; ``batch`` holds the pre-drawn indices, noise and weights."""
        c_params, sn_state, c_opt, g_params, g_opt = state
        critic_batch, (index_g, z_g, z_g2) = batch

        def critic_step(carry, one):
            c_params, sn_state, c_opt = carry
            index_p, z, z2, epsilon = one
            x_q = jax.lax.stop_gradient(generate(g_params, z))
            x_q2 = jax.lax.stop_gradient(generate(g_params, z2))
            c_params, sn_state, c_opt, c_loss, _ = critic_update(
                c_params, sn_state, c_opt, _gather(data, index_p), x_q, x_q2, epsilon)
            return (c_params, sn_state, c_opt), c_loss

        x_p = _gather(data, index_g)
        if config.simultaneous:
            # f-GAN's single-step gradient: both gradients at the current parameters
            weights, _ = _critic_weights(config, c_params, sn_state)
            g_loss, g_grads = generator_grads(g_params, weights, x_p, z_g, z_g2)
        (c_params, sn_state, c_opt), c_losses = jax.lax.scan(
            critic_step, (c_params, sn_state, c_opt), critic_batch)
        if not config.simultaneous:
            weights, _ = _critic_weights(config, c_params, sn_state)
            g_loss, g_grads = generator_grads(g_params, weights, x_p, z_g, z_g2)
        updates, g_opt = generator_optimizer.update(g_grads, g_opt, g_params)
        g_params = optax.apply_updates(g_params, updates)
        grad_norm = optax.tree.norm(g_grads)
        return ((c_params, sn_state, c_opt, g_params, g_opt),
                (jnp.mean(c_losses), g_loss, grad_norm))

    return critic_optimizer, generator_optimizer, step


@functools.lru_cache(maxsize=64)
def _gan_runner(config: GanConfig):
    _, _, step = _make_gan_step(config)

    def run(state, data, batches):
        def body(state, batch):
            return step(state, data, batch)
        state, (c_loss, g_loss, grad_norm) = jax.lax.scan(body, state, batches)
        return state, c_loss.mean(), g_loss.mean(), grad_norm.mean()

    return jax.jit(run)


def _gan_batches(generator, config, length, n_data):
    m, k, n_critic = config.batch_size, config.latent_dim, config.n_critic
    critic = (jnp.asarray(generator.integers(0, n_data, (length, n_critic, m)), jnp.int32),
              jnp.asarray(generator.standard_normal((length, n_critic, m, k)), jnp.float32),
              jnp.asarray(generator.standard_normal((length, n_critic, m, k)), jnp.float32),
              jnp.asarray(generator.uniform(size=(length, n_critic, m)), jnp.float32))
    generator_side = (
        jnp.asarray(generator.integers(0, n_data, (length, m)), jnp.int32),
        jnp.asarray(generator.standard_normal((length, m, k)), jnp.float32),
        jnp.asarray(generator.standard_normal((length, m, k)), jnp.float32))
    return critic, generator_side


def _energy_distance(x, y) -> float:
    from scipy.spatial.distance import cdist
    value = 2 * cdist(x, y).mean() - cdist(x, x).mean() - cdist(y, y).mean()
    # a V-statistic of a conditionally negative definite kernel: >= 0 up to rounding
    return float(np.sqrt(max(value, 0.0)))


def train_gan(data, *, loss="wgan-gp", steps=2000, rng=None, config=None, checkpoints=20,
              eval_samples=300, pool_size=10_000, progress=False) -> TrainedGan:
    r"""Train an MLP generator against a critic of the given loss.

    Each generator step follows ``config.n_critic`` critic steps (or one simultaneous
    step for f-GAN). At step 0 and at every checkpoint the history records the *exact*
    :math:`W_1` (:func:`otdiv.wasserstein`) and the energy distance between ``eval_samples`` fresh
    generated samples and ``eval_samples`` fresh data samples, next to the critic's own
    estimate on the same samples (the loss and gradient entries are means over the steps
    since the previous checkpoint, ``nan`` at step 0).

    Parameters
    ----------
    data : str or array_like of shape (n, d)
        A name from :data:`otdiv.gan.DATASETS` (sampled with ``rng``: a training pool of
        ``pool_size`` points, fresh points at each checkpoint), or a sample array (training
        batches and checkpoint samples are drawn from its rows).
    loss : str
        One of :data:`otdiv.gan.LOSSES`.
    steps : int
        Generator steps.
    rng : None, int or numpy.random.Generator
    config : GanConfig, optional
        Paper defaults for ``loss`` when omitted.
    checkpoints, eval_samples, pool_size : int
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    TrainedGan

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    .. [2] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.
    .. [3] M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
       Gradients", arXiv:1705.10743, 2017.

    Examples
    --------
    >>> from otdiv.gan import GanConfig, train_gan
    >>> config = GanConfig.for_loss("wgan-gp", critic_hidden=(16,), generator_hidden=(16,))
    >>> result = train_gan("8gaussians", config=config, loss="wgan-gp", steps=20,
    ...                    checkpoints=2, eval_samples=50, rng=0)
    >>> result.history["step"].tolist(), result.generator(4, rng=1).shape
    ([0, 10, 20], (4, 2))
    """
    config = _resolve_config(loss, config)
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    eval_samples = check_int(eval_samples, "eval_samples", lower=2)
    pool_size = check_int(pool_size, "pool_size", lower=1)
    generator = as_rng(rng)
    if isinstance(data, str):
        samplers = _datasets()
        if data not in samplers:
            raise ValueError(f"data must be one of {DATASETS} or a sample array, got {data!r}")
        sampler = samplers[data]
        pool = sampler(pool_size, rng=generator)

        def fresh(n):
            return sampler(n, rng=generator)
    else:
        pool = as_samples(data, "data")

        def fresh(n):
            return pool[generator.choice(pool.shape[0], size=min(n, pool.shape[0]),
                                         replace=False)]
    dimension = pool.shape[1]

    c_params, sn_state = _init_critic(config, generator, dimension)
    g_params = init_mlp((config.latent_dim, *config.generator_hidden, dimension), rng=generator)
    critic_optimizer, generator_optimizer, _ = _make_gan_step(config)
    state = (c_params, sn_state, critic_optimizer.init(c_params), g_params,
             generator_optimizer.init(g_params))
    device_pool = jnp.asarray(pool, jnp.float32)
    runner = _gan_runner(config)

    from ..sample_transport import wasserstein
    names = ("step", "exact_w1", "energy_distance", "critic_estimate", "critic_loss",
             "generator_loss", "generator_grad_norm")
    history = {name: [] for name in names}

    def record(done, c_loss, g_loss, grad_norm):
        model = NumpyGenerator(to_numpy_params(state[3]), activation=config.activation)
        real = fresh(eval_samples)
        fake = model(eval_samples, rng=generator)
        critic = _numpy_critic(config, state[0], state[1],
                               reference=model(eval_samples, rng=generator))
        history["step"].append(done)
        history["exact_w1"].append(wasserstein(real, fake))
        history["energy_distance"].append(_energy_distance(real, fake))
        history["critic_estimate"].append(critic.dual_value(real, fake))
        history["critic_loss"].append(c_loss)
        history["generator_loss"].append(g_loss)
        history["generator_grad_norm"].append(grad_norm)
        return model, critic

    model, critic = record(0, np.nan, np.nan, np.nan)
    done = 0
    with tqdm(total=steps, disable=not progress, desc=f"gan {config.loss}") as bar:
        for length in _chunks(steps, checkpoints):
            batches = _gan_batches(generator, config, length, pool.shape[0])
            state, c_loss, g_loss, grad_norm = runner(state, device_pool, batches)
            _check_finite_training([float(c_loss), float(g_loss)], config)
            done += length
            model, critic = record(done, float(c_loss), float(g_loss), float(grad_norm))
            bar.update(length)
    return TrainedGan(generator=model, critic=critic, loss=config.loss, history=history,
                      config=config)
