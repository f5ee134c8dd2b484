r"""Training loops: a critic between two fixed sample sets, and a full GAN.

Everything inside a run is one jit-compiled ``lax.scan`` over steps (float32) from
:mod:`otdiv.gan.steps`, compiled once per configuration and chunk length and cached, so
repeated runs with the same :class:`GanConfig` reuse the compiled code. Between checkpoints
control returns to Python, which evaluates the networks in float64 numpy, records the
history and keeps a :class:`~otdiv.gan.state.TrainingState` from which a run resumes
exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from tqdm import tqdm  # not tqdm.auto: it warns in Jupyter without ipywidgets

from .._validation import RngLike, as_rng, as_samples, check_int, check_same_dimension
from ._jax import jnp
from .config import IMAGE_NETWORKS, GanConfig, check_loss, f_kind
from .data import DATASETS, IMAGE_DATASETS, MIXTURES, image_split, sample_dataset
from .evaluation import evaluate_samples
from .models import NumpyCritic, NumpyGenerator, to_numpy_params
from .nets import Params, SnState
from .results import TrainedCritic, TrainedGan
from .state import TrainingState, fingerprint
from .steps import (
    chunk_lengths,
    critic_runner,
    critic_step_segments,
    critic_weights,
    draw_critic_batches,
    draw_gan_batches,
    gan_runner,
    init_critic,
    init_generator,
    make_optimizer,
    negate_critic,
)

__all__ = ["train_critic", "train_gan", "DATASETS", "HELD_OUT_SHARE"]


def _resolve_config(loss: str | None, config: GanConfig | None,
                    resume: TrainedCritic | TrainedGan | None = None,
                    result_type: type = object) -> GanConfig:
    if resume is not None:
        if not isinstance(resume, result_type):
            raise TypeError(f"resume must be a {result_type.__name__} returned by an earlier "
                            f"run, got {type(resume).__name__}")
        _saved_state(resume)
        if config is not None and config != resume.config:
            raise ValueError("config differs from the configuration of the run being "
                             "resumed; leave config out when resuming")
        config = resume.config
    if config is None:
        return GanConfig.for_loss("wgan-gp" if loss is None else check_loss(loss))
    if not isinstance(config, GanConfig):
        raise TypeError(f"config must be a GanConfig (see GanConfig.for_loss or "
                        f"GanConfig.preset), got {type(config).__name__}")
    if loss is not None and check_loss(loss) != config.loss:
        raise ValueError(f"config.loss is {config.loss!r} but loss={loss!r}; leave loss out "
                         f"(config.loss is used) or make them agree")
    return config


def _saved_state(resume: TrainedCritic | TrainedGan) -> TrainingState:
    """The training state a resumed run continues from (refused when there is none)."""
    if resume.state is None:
        raise ValueError("resume holds no training state (it was saved or built without "
                         "one); train again or load a checkpoint saved with its state")
    return resume.state


def _numpy_critic(config: GanConfig, params: Params, sn_state: SnState,
                  reference: np.ndarray | None = None, dimension: int | None = None
                  ) -> NumpyCritic:
    weights, _ = critic_weights(config, params, sn_state)
    kind = f_kind(config.loss) if config.family == "variational" else None
    return NumpyCritic(to_numpy_params(weights), family=config.family,
                       activation=config.activation, kind=kind, reference=reference,
                       network=config.critic_network, dimension=dimension)


def _check_finite_training(values: ArrayLike, config: GanConfig) -> None:
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(
            f"training with loss {config.loss!r} diverged (non-finite objective); lower "
            f"learning_rate (now {config.learning_rate:g}) in the GanConfig")


def _rng_for(rng: RngLike, resume: TrainedCritic | TrainedGan | None) -> np.random.Generator:
    if resume is None:
        return as_rng(rng)
    if rng is not None:
        raise ValueError("rng must be None when resuming: the checkpoint holds the random "
                         "state that continues the run")
    return _saved_state(resume).generator()


def _concatenated(previous: Mapping[str, np.ndarray] | None, history: dict[str, list[float]]
                  ) -> dict[str, list[float]]:
    if previous is None:
        return history
    return {key: [*np.asarray(previous[key]).tolist(), *values]
            for key, values in history.items()}


def train_critic(u_values: ArrayLike, v_values: ArrayLike, *, loss: str | None = None,
                 steps: int = 2000, rng: RngLike = None, config: GanConfig | None = None,
                 checkpoints: int = 20, progress: bool = False, resume: TrainedCritic | None = None
                 ) -> TrainedCritic:
    r"""Train a critic of the given loss between two fixed sample sets.

    Each step draws ``config.batch_size`` rows (with replacement) from ``u_values`` and
    ``v_values`` (the samples of P and of Q) and takes one optimiser step on the critic's
    loss (see :mod:`otdiv.gan.losses`); the Wasserstein critics estimate
    :math:`W_1(P, Q) \approx E_P f - E_Q f`, the variational ones
    :math:`D_f(P\|Q) \ge E_P T - E_Q f^*(T)`.

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Samples of P (the "real" side) and Q.
    loss : str, optional
        One of :data:`otdiv.gan.LOSSES`; default ``config.loss``, or ``"wgan-gp"``.
    steps : int
        Critic optimiser steps (more steps when resuming).
    rng : None, int or numpy.random.Generator
        Seeds initialisation and batches (must be None when resuming).
    config : GanConfig, optional
        Hyper-parameters; ``GanConfig.for_loss(loss)`` (paper defaults) when omitted.
    checkpoints : int
        Number of history entries (and sign checks) in this call.
    progress : bool
        Show a tqdm progress bar.
    resume : TrainedCritic, optional
        Continue that run (same ``u_values``, ``v_values``): ``steps`` more steps, the
        history continued. Splitting a run at a checkpoint gives the same result as the
        uninterrupted run with the same chunks.

    Returns
    -------
    TrainedCritic
        ``critic`` (float64 numpy callable), ``estimate`` (on all of ``u_values`` and
        ``v_values``), ``lipschitz_bound``, ``history`` (``step``; ``objective``, the mean
        batch estimate the critic maximises, without penalty; ``penalty``, the mean weighted
        gradient penalty λ·GP it pays, 0 for losses without one; ``estimate``;
        ``sign_flips``), ``config`` and ``state``.

    Notes
    -----
    For ``"cramer"`` the returned critic uses up to 256 rows of ``v_values`` as the reference
    set of :math:`f(x) = \text{mean}_j\|h(x) - h(r_j)\| - \|h(x)\|`.

    Two properties of the gradient penalty: it is soft, so for a shift the optimal slope
    is :math:`1 + W_1/(2\lambda)` and the estimate about :math:`W_1/(2\lambda)` too high
    (10% at :math:`\lambda = 10`, :math:`W_1 = 2`); and in one dimension a critic whose
    slope starts with the wrong sign stays at the penalty's local optimum near slope
    :math:`-1 + W_1/(2\lambda)` (estimate about :math:`-W_1`), since reaching the right
    sign means crossing slope 0, where the penalty is :math:`\lambda`. Without a remedy
    this happened in 10 of 20 seeds of the test configuration. ``config.sign_check`` (on by
    default) removes it: the penalties and constraints of every Wasserstein critic are
    invariant under :math:`f \to -f` while the objective changes sign, so after
    initialisation and at each checkpoint a critic with a negative dual value on the
    samples is negated (a strict decrease of the loss) and its optimiser restarted. The
    count is ``history["sign_flips"]``. Weight clipping gives a critic correct only up to
    its (small) Lipschitz scale; spectral normalisation gives a certified lower bound.

    References
    ----------
    .. [1] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.
    .. [2] I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.
    .. [3] T. Miyato et al., "Spectral Normalization for GANs", ICLR 2018.
    .. [4] S. Nowozin, B. Cseke, R. Tomioka, "f-GAN", NeurIPS 2016.

    Examples
    --------
    >>> import numpy as np, otdiv
    >>> from otdiv.gan import GanConfig, train_critic
    >>> rng = np.random.default_rng(0)
    >>> u_values, v_values = rng.normal(2.0, 1.0, 500), rng.normal(0.0, 1.0, 500)
    >>> config = GanConfig.for_loss("wgan-gp", critic_hidden=(16,), learning_rate=1e-2)
    >>> trained = train_critic(u_values, v_values, config=config, steps=300, rng=0)
    >>> trained.critic(np.zeros((3, 1))).shape
    (3,)
    >>> exact = otdiv.wasserstein(u_values, v_values)  # the soft penalty adds ~W/(2 lambda)
    >>> bool(0.9 < trained.estimate / exact < 1.25), int(trained.history["sign_flips"][-1])
    (True, 1)
    """
    u_values = as_samples(u_values, "u_values")
    v_values = as_samples(v_values, "v_values")
    check_same_dimension(u_values, v_values, ("u_values", "v_values"))
    config = _resolve_config(loss, config, resume, TrainedCritic)
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    data_fingerprint = fingerprint(u_values, v_values)
    generator = _rng_for(rng, resume)
    optimizer = make_optimizer(config, "critic")
    template_params, template_sn = init_critic(config, np.random.default_rng(0),
                                               u_values.shape[1])
    if resume is None:
        params, sn_state = init_critic(config, generator, u_values.shape[1])
        reference = v_values[generator.choice(v_values.shape[0],
                                              size=min(256, v_values.shape[0]),
                                              replace=False)]
        opt_state, done, flips = optimizer.init(params), 0, 0
    else:
        state = _saved_state(resume)
        if state.data_fingerprint != data_fingerprint:
            raise ValueError("u_values and v_values differ from the samples of the run being "
                             "resumed")
        params = state.device("critic", template_params)
        sn_state = state.device("sn", template_sn)
        opt_state = state.device("critic_opt", optimizer.init(template_params))
        reference, done, flips = state.arrays["reference"], state.steps_done, state.sign_flips
    checked = config.sign_check and config.family == "wasserstein"

    def sign_checked(params: Params, opt_state: Any, flips: int
                     ) -> tuple[Params, Any, int, NumpyCritic, float]:
        """The critic after the sign check, its optimiser state, flips and estimate."""
        critic = _numpy_critic(config, params, sn_state, reference, u_values.shape[1])
        estimate = critic.dual_value(u_values, v_values)
        if checked and estimate < 0.0:
            params = negate_critic(params)
            critic = _numpy_critic(config, params, sn_state, reference,
                                   u_values.shape[1])
            return params, optimizer.init(params), flips + 1, critic, -estimate
        return params, opt_state, flips, critic, estimate

    if resume is None:
        params, opt_state, flips, _, _ = sign_checked(params, opt_state, flips)
    device_p, device_q = jnp.asarray(u_values, jnp.float32), jnp.asarray(v_values, jnp.float32)
    runner = critic_runner(config)

    history: dict[str, list[float]] = {
        "step": [], "objective": [], "penalty": [], "estimate": [], "sign_flips": []}
    with tqdm(total=steps, disable=not progress, desc=f"critic {config.loss}") as bar:
        for length in chunk_lengths(steps, checkpoints):
            batches = draw_critic_batches(generator, length, config.batch_size,
                                          u_values.shape[0], v_values.shape[0])
            (params, sn_state, opt_state), objective, penalty = runner(
                (params, sn_state, opt_state), device_p, device_q, batches)
            _check_finite_training([float(objective), float(penalty)], config)
            done += length
            params, opt_state, flips, critic, estimate = sign_checked(params, opt_state, flips)
            history["step"].append(done)
            history["objective"].append(float(objective))
            history["penalty"].append(float(penalty))
            history["estimate"].append(estimate)
            history["sign_flips"].append(flips)
            bar.update(length)
    state = TrainingState.capture(
        {"critic": params, "sn": sn_state, "critic_opt": opt_state}, generator, done,
        {"reference": reference}, data_fingerprint, flips)
    history = _concatenated(None if resume is None else resume.history, history)
    return TrainedCritic(critic=critic, loss=config.loss, estimate=history["estimate"][-1],
                         lipschitz_bound=critic.lipschitz_bound(), history=history,
                         config=config, state=state)


# --- GAN training ---------------------------------------------------------------------------

_GAN_HISTORY = ("step", "exact_w1", "w1_floor", "energy_distance", "energy_floor",
                "critic_estimate", "critic_objective", "critic_penalty", "critic_loss",
                "generator_loss", "generator_grad_norm")


#: Share of the rows of an array ``data`` held out for evaluation when ``held_out`` is not
#: given (at least 2 rows); see :func:`train_gan`.
HELD_OUT_SHARE = 0.2


def _evaluation_key(generator: np.random.Generator, resume: TrainedGan | None) -> np.ndarray:
    """The seed of the evaluation stream: drawn once from the training stream at the start
    of a run (so the same seed gives the same key), kept in the training state."""
    if resume is None:
        return generator.integers(0, 2**62, size=2, dtype=np.int64)
    key = _saved_state(resume).arrays.get("eval_key")
    if key is None:
        raise ValueError("the run being resumed was saved before evaluation had its own "
                         "random stream (no 'eval_key' in its state); train it again")
    return np.asarray(key, dtype=np.int64)


def _evaluation_rng(key: np.ndarray, *purpose: int) -> np.random.Generator:
    """A generator seeded by the evaluation key and ``purpose`` (e.g. ``("checkpoint",
    step)``): what evaluation draws depends on the seed and the step only, never on how
    many checkpoints came before, and it never touches the training stream."""
    return np.random.default_rng([*(int(k) for k in key), *purpose])


#: Where a GAN's data comes from: ``(pool, evaluation_reals, mixture, fingerprint)``, with
#: ``evaluation_reals(n, rng)`` two disjoint real samples and ``mixture`` ``(centres,
#: sigma)`` of a Gaussian-mixture toy, else None.
_DataSource = tuple[np.ndarray,
                    Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]],
                    tuple[np.ndarray, float] | None, str]


def _data_source(data: str | ArrayLike, held_out: ArrayLike | None, pool_size: int,
                 generator: np.random.Generator, eval_key: np.ndarray, resume: TrainedGan | None
                 ) -> _DataSource:
    """``(pool, evaluation_reals, mixture, data_fingerprint)``.

    ``pool`` holds the training rows; ``evaluation_reals(n, rng)`` returns two disjoint
    real samples (evaluation reals and the floor's "real again") that share no row with
    ``pool``.
    """
    if isinstance(data, str) and data in IMAGE_DATASETS:
        if held_out is not None:
            raise ValueError(f"held_out is only for array data; {data!r} is evaluated on "
                             f"its fixed 'test' split")
        pool, held = image_split(data, "train").images, image_split(data, "test").images

        def from_test(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
            size = min(n, held.shape[0] // 2)
            chosen = rng.permutation(held.shape[0])[: 2 * size]
            return held[chosen[:size]], held[chosen[size:]]
        return pool, from_test, None, fingerprint(np.frombuffer(data.encode(), np.uint8))
    if isinstance(data, str):
        if held_out is not None:
            raise ValueError("held_out is only for array data; a named data set is sampled "
                             "afresh at each checkpoint")
        pool = (_saved_state(resume).arrays["pool"] if resume is not None
                else sample_dataset(data, pool_size, rng=generator))

        def fresh(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
            return sample_dataset(data, n, rng=rng), sample_dataset(data, n, rng=rng)
        return pool, fresh, MIXTURES.get(data), fingerprint(np.frombuffer(data.encode(),
                                                                           np.uint8))
    rows = as_samples(data, "data")
    if held_out is not None:
        held = as_samples(held_out, "held_out")
        check_same_dimension(rows, held, ("data", "held_out"))
        if held.shape[0] < 2:
            raise ValueError(f"held_out must hold at least 2 rows, got {held.shape[0]}")
        pool, data_fingerprint = rows, fingerprint(rows, held)
    else:
        if rows.shape[0] < 3:
            raise ValueError(f"data must hold at least 3 rows (some are held out for "
                             f"evaluation), got {rows.shape[0]}")
        count = max(2, int(HELD_OUT_SHARE * rows.shape[0]))
        order = _evaluation_rng(eval_key, 0).permutation(rows.shape[0])
        held, pool = rows[np.sort(order[:count])], rows[np.sort(order[count:])]
        data_fingerprint = fingerprint(rows)

    def from_held(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        size = min(n, held.shape[0] // 2)
        chosen = rng.permutation(held.shape[0])[: 2 * size]
        return held[chosen[:size]], held[chosen[size:]]
    return pool, from_held, None, data_fingerprint


def train_gan(data: str | ArrayLike, *, loss: str | None = None, steps: int = 2000,
              rng: RngLike = None, config: GanConfig | None = None, checkpoints: int = 20,
              eval_samples: int = 300, pool_size: int = 10_000, progress: bool = False,
              resume: TrainedGan | None = None, held_out: ArrayLike | None = None) -> TrainedGan:
    r"""Train an MLP generator against a critic of the given loss.

    Each generator step follows ``config.n_critic`` critic steps (or one simultaneous
    step for f-GAN). At step 0 and at every checkpoint the history records the *exact*
    :math:`W_1` and the energy distance between ``eval_samples`` fresh generated and
    ``eval_samples`` fresh data samples, each beside its sampling floor (the same metric
    between two independent fresh data samples of that size: values within the floor's
    spread mean "as close as the metric can tell"), the critic's estimate on the same
    samples, and on the Gaussian-mixture toys (``"8gaussians"``, ``"25gaussians"``,
    ``"mixture_1d"``) the modes covered and the share of high-quality samples (within
    :math:`3\sigma` of a centre, :func:`otdiv.gan.evaluation.mode_statistics`). The
    critic's training signal is recorded in parts: ``critic_objective`` (its batch
    estimate, :math:`\hat W` for the Wasserstein losses, what it maximises),
    ``critic_penalty`` (the weighted gradient penalty λ·GP, 0 without one) and their
    combination ``critic_loss = critic_penalty - critic_objective``. Loss and
    gradient entries are means over the steps since the previous checkpoint, ``nan`` at
    step 0.

    Evaluation has its own random stream, seeded once from ``rng`` at the start and then
    by the step: training (initialisation, batches) draws the same numbers whatever
    ``checkpoints`` and ``eval_samples`` are, so a seed gives the same generator with 2 or
    with 20 checkpoints. The real images of an evaluation never served as training data:
    for a named toy set they are fresh draws; for array ``data`` they come from
    ``held_out``, or, without it, from a fixed share (:data:`HELD_OUT_SHARE`, 20%, at
    least 2 rows) of the rows of ``data`` chosen by the evaluation stream and never used
    for training. The two real samples of a checkpoint (the one compared with the
    generator and the floor's "real again") are disjoint (each ``min(eval_samples,
    len(held out) // 2)`` rows).

    Parameters
    ----------
    data : str or array_like of shape (n, d)
        A name from :data:`otdiv.gan.DATASETS` (sampled with ``rng``: a training pool of
        ``pool_size`` points, fresh points at each checkpoint), an image set of
        :data:`otdiv.gan.data.IMAGE_DATASETS` (``"digits"``, 64-D, or ``"mnist5k"``,
        784-D; the ``images`` extra): training batches from its ``"train"`` split,
        evaluation reals from its disjoint ``"test"`` split (see
        :func:`otdiv.datasets.mnist_5k`), and without ``config`` the image networks
        (:data:`otdiv.gan.config.IMAGE_NETWORKS`: critic d-512-512-1, sigmoid-output
        generator; presets ``images_gp``, ``images_gp1``, ``images_clip``, ``images_sn``),
        or a sample array (training batches are drawn from its rows, evaluation reals from
        the held-out rows).
    loss : str, optional
        One of :data:`otdiv.gan.LOSSES`; default ``config.loss``, or ``"wgan-gp"``.
    steps : int
        Generator steps (more steps when resuming).
    rng : None, int or numpy.random.Generator
        Must be None when resuming.
    config : GanConfig, optional
        Paper defaults for ``loss`` when omitted; see also :meth:`GanConfig.preset`.
    checkpoints, eval_samples, pool_size : int
    progress : bool
        Show a tqdm progress bar.
    resume : TrainedGan, optional
        Continue that run on the same ``data`` for ``steps`` more generator steps.
    held_out : array_like of shape (m, d), optional
        For array ``data`` only: the real samples of the evaluation (at least 2 rows; use
        rows that are not in ``data``); then all of ``data`` is trained on.

    Returns
    -------
    TrainedGan

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    .. [2] M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017.
    .. [3] M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
       Gradients", arXiv:1705.10743, 2017.
    .. [4] A. Srivastava et al., "VEEGAN", NeurIPS 2017 (high-quality samples, modes).

    Examples
    --------
    >>> from otdiv.gan import GanConfig, train_gan
    >>> config = GanConfig.for_loss("wgan-gp", critic_hidden=(16,), generator_hidden=(16,))
    >>> result = train_gan("8gaussians", config=config, steps=20, checkpoints=2,
    ...                    eval_samples=50, rng=0)
    >>> result.history["step"].tolist(), result.generator(4, rng=1).shape
    ([0, 10, 20], (4, 2))
    >>> sorted(result.history)[:4]
    ['critic_estimate', 'critic_loss', 'critic_objective', 'critic_penalty']
    """
    if isinstance(data, str) and data not in DATASETS + IMAGE_DATASETS:
        raise ValueError(f"data must be one of {DATASETS + IMAGE_DATASETS} or a sample "
                         f"array, got {data!r}")
    if config is None and resume is None and isinstance(data, str) and data in IMAGE_DATASETS:
        config = GanConfig.for_loss("wgan-gp" if loss is None else check_loss(loss),
                                    **IMAGE_NETWORKS)
    config = _resolve_config(loss, config, resume, TrainedGan)
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    eval_samples = check_int(eval_samples, "eval_samples", lower=2)
    pool_size = check_int(pool_size, "pool_size", lower=1)
    generator = _rng_for(rng, resume)
    eval_key = _evaluation_key(generator, resume)
    pool, evaluation_reals, mixture, data_fingerprint = _data_source(
        data, held_out, pool_size, generator, eval_key, resume)
    dimension = pool.shape[1]

    critic_optimizer = make_optimizer(config, "critic")
    generator_optimizer = make_optimizer(config, "generator")
    template_rng = np.random.default_rng(0)
    template_c, template_sn = init_critic(config, template_rng, dimension)
    template_g = init_generator(config, template_rng, dimension)
    if resume is None:
        c_params, sn_state = init_critic(config, generator, dimension)
        g_params = init_generator(config, generator, dimension)
        state = (c_params, sn_state, critic_optimizer.init(c_params), g_params,
                 generator_optimizer.init(g_params))
        done = 0
    else:
        saved = _saved_state(resume)
        if saved.data_fingerprint != data_fingerprint:
            raise ValueError("data differs from the data of the run being resumed")
        state = (saved.device("critic", template_c), saved.device("sn", template_sn),
                 saved.device("critic_opt", critic_optimizer.init(template_c)),
                 saved.device("generator", template_g),
                 saved.device("generator_opt", generator_optimizer.init(template_g)))
        done = saved.steps_done
    device_pool = jnp.asarray(pool, jnp.float32)

    names = _GAN_HISTORY + (("modes_covered", "high_quality_share") if mixture else ())
    history: dict[str, list[float]] = {name: [] for name in names}

    def record(done: int, c_objective: float, c_penalty: float, g_loss: float, grad_norm: float
               ) -> tuple[NumpyGenerator, NumpyCritic]:
        model = NumpyGenerator(to_numpy_params(state[3]), activation=config.activation,
                               output=config.generator_output)
        eval_rng = _evaluation_rng(eval_key, 1, done)
        real, real_again = evaluation_reals(eval_samples, eval_rng)
        fake = model(eval_samples, rng=eval_rng)
        critic = _numpy_critic(config, state[0], state[1],
                               reference=model(eval_samples, rng=eval_rng),
                               dimension=dimension)
        row = evaluate_samples(real, fake, real_again, mixture=mixture)
        row.update(step=done, critic_estimate=critic.dual_value(real, fake),
                   critic_objective=c_objective, critic_penalty=c_penalty,
                   critic_loss=c_penalty - c_objective, generator_loss=g_loss,
                   generator_grad_norm=grad_norm)
        for name in names:
            history[name].append(row[name])
        return model, critic

    if resume is None:
        model, critic = record(0, np.nan, np.nan, np.nan, np.nan)
    with tqdm(total=steps, disable=not progress, desc=f"gan {config.loss}") as bar:
        for length in chunk_lengths(steps, checkpoints):
            sums = np.zeros(4)
            for n_critic, count in critic_step_segments(config, done, length):
                # warm-up steps (wgan-clip) run with their own number of critic steps
                segment = config if n_critic == config.n_critic else config.replace(
                    n_critic=n_critic)
                batches = draw_gan_batches(generator, segment, count, pool.shape[0])
                state, *means = gan_runner(segment)(state, device_pool, batches)
                means = np.array([float(value) for value in means])
                _check_finite_training(means, config)
                sums += count * means
                done += count
            model, critic = record(done, *(sums / length))
            bar.update(length)
    saved = TrainingState.capture(
        {"critic": state[0], "sn": state[1], "critic_opt": state[2], "generator": state[3],
         "generator_opt": state[4]}, generator, done,
        {"pool": pool, "eval_key": eval_key}
        if isinstance(data, str) and data not in IMAGE_DATASETS
        else {"eval_key": eval_key}, data_fingerprint)
    history = _concatenated(None if resume is None else resume.history, history)
    return TrainedGan(generator=model, critic=critic, loss=config.loss, history=history,
                      config=config, state=saved)
