r"""Multi-seed studies of the GAN module: critic fidelity, the sign trap, training.

Every study takes ``seeds=`` (an iterable of ints, at least one; tables use five or more)
and returns one row per seed; :func:`summarize` reduces rows to the median and the spread
(minimum and maximum) over seeds. Distances of generated samples are reported beside their
sampling floor (the same metric between two independent data samples of the same size), so
a difference below the floor's spread is not mistaken for a result.

Every study takes ``executor=`` with the convention of :func:`otdiv.pairwise`: ``None``
(serial, in this process), ``"processes"`` (a local pool, one worker per core), any
:class:`concurrent.futures.Executor` or a ``dask.distributed.Client``. The work is split
into independent tasks (one per seed, or per seed and case where the cases draw from
separate generators), each a module-level function of plain data, and the rows come back in
the serial order: the same rows, bit for bit, on every executor. ``progress`` shows a bar
over these tasks.

1. :func:`critic_fidelity_study`: every Wasserstein critic (clip, GP, SN) on fixed pairs
   with a known exact :math:`W_1`, certified by :func:`otdiv.verify_critic`;
   :func:`f_critic_fidelity_study`: every f-GAN critic on :math:`N(0, 1)` vs
   :math:`N(0, 2^2)`, where :math:`D_f(P\|Q) \ne D_f(Q\|P)` for every asymmetric kind, so a
   P/Q swap shows.
2. :func:`sign_trap_study`: how often a 1-D WGAN-GP critic lands at the wrong sign, with and
   without ``GanConfig.sign_check``.
3. :func:`training_study`: each loss on toy data; exact :math:`W_1`, energy distance, their
   floors, modes covered and high-quality samples. :func:`generator_gradient_study`: the
   vanishing JSGAN gradient on the parallel lines next to the WGAN critic's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._executor import Task, check_executor, run_tasks
from .._validation import RngLike, as_rng, check_bool, check_int
from ..critics import verify_critic
from ..divergences.densities import (
    f_divergence_density_core,
    gaussian_f_divergence,
    integration_edges,
)
from ..divergences.registry import get_f_divergence
from ..exact.onedim import sorted_pair, wasserstein_of_sorted
from .config import F_KINDS, GanConfig
from .data import parallel_line
from .results import TrainedCritic
from .training import train_critic, train_gan

__all__ = ["critic_fidelity_study", "f_critic_fidelity_study", "sign_trap_study",
           "training_study", "generator_gradient_study", "summarize", "WASSERSTEIN_LOSSES",
           "fidelity_pairs", "TRAINING_LOSSES",
           "UNEQUAL_VARIANCE_PAIRS", "gaussian_f_divergences"]

WASSERSTEIN_LOSSES = ("wgan-clip", "wgan-gp", "wgan-sn")
TRAINING_LOSSES = ("jsgan", "jsgan-ns", "fgan:kl", "wgan-clip", "wgan-gp", "wgan-sn", "cramer")


def _seeds(seeds: Iterable[int]) -> tuple[int, ...]:
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    for seed in seeds:
        check_int(seed, "seeds entries", lower=0)
    return seeds


def _flattened(per_task: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [row for rows in per_task for row in rows]


def summarize(rows: Sequence[Mapping[str, Any]], by: Sequence[str], values: Sequence[str]
              ) -> list[dict[str, Any]]:
    """Median, minimum and maximum over rows that agree on the keys ``by``.

    Returns one dict per group with the ``by`` keys, ``seeds`` (the count) and for each name
    in ``values`` the entries ``<name>``, ``<name>_min``, ``<name>_max`` (NaN entries are
    left out; a group without values gets NaN).

    Examples
    --------
    >>> from otdiv.gan.studies import summarize
    >>> rows = [{"loss": "a", "x": v} for v in (3.0, 1.0, 2.0)]
    >>> summarize(rows, ["loss"], ["x"])
    [{'loss': 'a', 'seeds': 3, 'x': 2.0, 'x_min': 1.0, 'x_max': 3.0}]
    """
    groups: dict = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in by), []).append(row)
    summary = []
    for key, members in groups.items():
        entry = dict(zip(by, key))
        entry["seeds"] = len(members)
        for name in values:
            data = np.array([float(row[name]) for row in members if name in row])
            data = data[~np.isnan(data)]
            if data.size == 0:
                entry.update({name: np.nan, f"{name}_min": np.nan, f"{name}_max": np.nan})
            else:
                entry.update({name: float(np.median(data)), f"{name}_min": float(data.min()),
                              f"{name}_max": float(data.max())})
        summary.append(entry)
    return summary


def _study_config(loss: str, **overrides: Any) -> GanConfig:
    # paper defaults, with critics sized for toy data and leaky ReLUs (no dead units)
    options = dict(critic_hidden=(64, 64), batch_size=256, activation="leaky_relu")
    options.update(overrides)
    return GanConfig.for_loss(loss, **options)


def fidelity_pairs(n: int = 500, *, thetas: Sequence[float] = (0.5, 1.0, 2.0),
                   shifts: Sequence[float] = (1.0, 2.0), rng: RngLike = None
                   ) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The fixed sample pairs of the fidelity study: ``[(name, x_p, x_q), ...]``.

    Parallel lines :math:`(0, Z)` vs :math:`(\\theta, Z)`; 1-D :math:`N(0, 1)` vs
    :math:`N(s, 1)`; 8 Gaussians vs an independent 8-Gaussian sample jittered by
    :math:`0.1\\,N(0, I)`.
    """
    from ..datasets import eight_gaussians
    n = check_int(n, "n", lower=2)
    generator = as_rng(rng)
    pairs = []
    for theta in thetas:
        x_q = parallel_line(n, rng=generator)
        x_p = parallel_line(n, rng=generator) + np.array([theta, 0.0])
        pairs.append((f"parallel lines theta={theta:g}", x_p, x_q))
    for shift in shifts:
        pairs.append((f"N({shift:g},1) vs N(0,1)", generator.normal(shift, 1.0, (n, 1)),
                      generator.normal(0.0, 1.0, (n, 1))))
    x_p = eight_gaussians(n, rng=generator)
    x_q = eight_gaussians(n, rng=generator) + 0.1 * generator.standard_normal((n, 2))
    pairs.append(("8 Gaussians vs jittered copy", x_p, x_q))
    return pairs


#: One seed's task: ``(seed, steps, n, thetas, shifts, losses)``.
_FidelityPayload = tuple[int, int, int, tuple[float, ...], tuple[float, ...], tuple[str, ...]]


def _fidelity_rows(items: Mapping[str, Any], payload: _FidelityPayload
                   ) -> list[dict[str, Any]]:
    """One seed of :func:`critic_fidelity_study` (a task of the executor adapter)."""
    seed, steps, n, thetas, shifts, losses = payload
    generator = np.random.default_rng(seed)
    rows = []
    for name, u_values, v_values in fidelity_pairs(n, thetas=thetas, shifts=shifts,
                                                   rng=generator):
        for loss in losses:
            trained = train_critic(u_values, v_values, config=_study_config(loss),
                                   steps=steps, rng=generator)
            report = verify_critic(trained.critic, u_values, v_values)
            rows.append({
                "seed": seed, "pair": name, "loss": loss,
                "dual_estimate": report.dual_estimate, "exact_w1": report.exact_w1,
                "relative_error": (report.dual_estimate - report.exact_w1) / report.exact_w1,
                "lipschitz": report.lipschitz, "lipschitz_bound": trained.lipschitz_bound,
                "certified_lower_bound": report.certified_lower_bound,
                "sign_flips": int(trained.history["sign_flips"][-1]),
                "passed": report.passed})
    return rows


def critic_fidelity_study(*, seeds: Iterable[int] = range(5), steps: int = 1500, n: int = 500,
                          thetas: Sequence[float] = (0.5, 1.0, 2.0),
                          shifts: Sequence[float] = (1.0, 2.0),
                          losses: Sequence[str] = WASSERSTEIN_LOSSES, executor: Any = None,
                          progress: bool = False) -> list[dict[str, Any]]:
    r"""Train each Wasserstein critic on fixed pairs and compare with the exact :math:`W_1`.

    For every seed the pairs are drawn anew (:func:`fidelity_pairs`), so the spread over
    seeds covers sampling and training. Rows carry ``seed``, ``pair``, ``loss``,
    ``dual_estimate``, ``exact_w1``, ``relative_error``, ``lipschitz`` (on the samples,
    from :func:`otdiv.verify_critic`), ``lipschitz_bound`` (product of spectral norms),
    ``certified_lower_bound``, ``sign_flips`` and ``passed``. One task per seed on
    ``executor`` (see the module docstring); rows in the order seed, pair, loss.

    Expected (Arjovsky et al.; Gulrajani et al.; Miyato et al.): the clipped critic is off
    by its Lipschitz scale (``lipschitz`` far below 1); the GP critic is close, pushed above
    :math:`W_1` by about :math:`W_1/(2\lambda)`; the SN critic's estimate is a certified
    lower bound (``lipschitz_bound`` about 1).
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    n = check_int(n, "n", lower=2)
    payloads = [(seed, steps, n, tuple(thetas), tuple(shifts), tuple(losses))
                for seed in _seeds(seeds)]
    return _flattened(run_tasks(_fidelity_rows, [Task(payload, ()) for payload in payloads],
                                {}, executor=executor, progress=progress,
                                description="critic fidelity"))


def gaussian_f_divergences(kind: str, p: tuple[float, float] = (0.0, 1.0),
                           q: tuple[float, float] = (0.0, 2.0)) -> tuple[float, float]:
    """``(D_f(P||Q), D_f(Q||P))`` for the normals ``P = N(p)``, ``Q = N(q)`` (mean, std)."""
    from scipy.stats import norm

    def one(first: tuple[float, float], second: tuple[float, float]) -> float:
        if kind in ("jensen_shannon", "gan", "total_variation"):
            reach = 40.0 * max(first[1], second[1]) + abs(first[0]) + abs(second[0])
            return float(f_divergence_density_core(
                get_f_divergence(kind), norm(*first).pdf, norm(*second).pdf,
                integration_edges((-reach, reach), None), False))
        return float(gaussian_f_divergence(first[0], first[1], second[0], second[1], kind))
    return one(p, q), one(q, p)


#: kind -> ((mean, std) of P, (mean, std) of Q) for the unequal-variance f-GAN checks. P is
#: the narrow N(0, 1) unless the optimal critic T* = f'(p/q) grows exponentially where p/q
#: tends to 0 (reverse KL -q/p, Neyman 1 - (q/p)^2, Hellinger 1 - sqrt(q/p)): there P is the
#: wide N(0, 2^2), so that T* stays bounded in the tails a critic must extrapolate to.
UNEQUAL_VARIANCE_PAIRS = dict.fromkeys(F_KINDS, ((0.0, 1.0), (0.0, 2.0)))
UNEQUAL_VARIANCE_PAIRS.update(dict.fromkeys(("reverse_kl", "neyman", "squared_hellinger"),
                                            ((0.0, 2.0), (0.0, 1.0))))


def _f_fidelity_rows(items: Mapping[str, Any], payload: tuple[int, Sequence[str], int, int, int]
                     ) -> list[dict[str, Any]]:
    """One seed of :func:`f_critic_fidelity_study` (a task of the executor adapter)."""
    seed, kinds, steps, n, held_out = payload
    generator = np.random.default_rng(seed)
    rows = []
    for kind in kinds:
        (mu_p, sd_p), (mu_q, sd_q) = UNEQUAL_VARIANCE_PAIRS[kind]
        u_values = generator.normal(mu_p, sd_p, (n, 1))
        v_values = generator.normal(mu_q, sd_q, (n, 1))
        loss = f"fgan:{kind}"
        trained = train_critic(u_values, v_values,
                               config=_study_config(loss, learning_rate=1e-3), steps=steps,
                               rng=generator)
        held_p = generator.normal(mu_p, sd_p, (held_out, 1))
        held_q = generator.normal(mu_q, sd_q, (held_out, 1))
        exact, swapped = gaussian_f_divergences(kind, (mu_p, sd_p), (mu_q, sd_q))
        bound = trained.dual_value(held_p, held_q)
        standard_error = float(np.sqrt(trained.critic(held_p).var() / held_out
                                       + trained.critic.conjugate(held_q).var() / held_out))
        rows.append({"seed": seed, "pair": f"N(0,{sd_p:g}^2) vs N(0,{sd_q:g}^2)",
                     "loss": loss, "bound": bound, "standard_error": standard_error,
                     "bound_train": trained.estimate, "exact": exact,
                     "exact_swapped": swapped, "relative_error": (bound - exact) / exact})
    return rows


def f_critic_fidelity_study(*, seeds: Iterable[int] = range(5), kinds: Sequence[str] = F_KINDS,
                            steps: int = 1500, n: int = 2000, held_out: int = 20_000,
                            executor: Any = None, progress: bool = False) -> list[dict[str, Any]]:
    r"""Every f-GAN critic between :math:`N(0, 1)` and :math:`N(0, 2^2)`.

    Unequal variances make :math:`D_f(P\|Q) \ne D_f(Q\|P)` for every asymmetric kind (KL
    0.318 vs 0.807), so a critic that estimated the swapped direction would be caught; the
    orientation per kind is :data:`UNEQUAL_VARIANCE_PAIRS`. Rows: ``seed``, ``pair``,
    ``loss``, ``bound`` (variational bound on ``held_out`` fresh samples per side) with its
    Monte Carlo ``standard_error``, ``bound_train`` (on the ``n`` training samples),
    ``exact`` (:math:`D_f(P\|Q)`), ``exact_swapped`` (:math:`D_f(Q\|P)`) and
    ``relative_error``. One task per seed on ``executor`` (see the module docstring).
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    held_out = check_int(held_out, "held_out", lower=2)
    n = check_int(n, "n", lower=2)
    kinds = tuple(kinds)
    for kind in kinds:
        if kind not in UNEQUAL_VARIANCE_PAIRS:
            raise ValueError(f"kinds entries must be among {F_KINDS}, got {kind!r}")
    payloads = [(seed, kinds, steps, n, held_out) for seed in _seeds(seeds)]
    return _flattened(run_tasks(_f_fidelity_rows,
                                [Task(payload, ()) for payload in payloads], {},
                                executor=executor, progress=progress,
                                description="f-critic fidelity"))


def _sign_trap_row(items: Mapping[str, Any], payload: tuple[bool, int, int]) -> dict[str, Any]:
    """One (sign_check, seed) run of :func:`sign_trap_study` (an executor task)."""
    check, seed, steps = payload
    config = GanConfig.for_loss("wgan-gp", critic_hidden=(32, 32), batch_size=256,
                                learning_rate=3e-3, beta1=0.5, gp_weight=30.0,
                                activation="leaky_relu", sign_check=check)
    trained = train_critic(items["u_values"], items["v_values"], config=config, steps=steps,
                           rng=seed)
    ratio = trained.estimate / items["exact"]
    return {"seed": seed, "sign_check": check, "ratio": ratio, "wrong_sign": bool(ratio < 0),
            "sign_flips": int(trained.history["sign_flips"][-1])}


def sign_trap_study(*, seeds: Iterable[int] = range(20), steps: int = 500, n: int = 1000,
                    shift: float = 2.0, executor: Any = None, progress: bool = False
                    ) -> list[dict[str, Any]]:
    r"""Rate of wrong-sign 1-D WGAN-GP critics, with and without the sign check.

    The configuration of the test suite (critic 1-32-32-1 leaky ReLU, λ = 30, Adam(3e-3,
    0.5, 0.9), batch 256) between :math:`N(0, 1)` and :math:`N(\text{shift}, 1)`, both
    ``n`` samples, the same samples for every seed. Rows: ``seed``, ``sign_check``,
    ``ratio`` (estimate / exact :math:`W_1`), ``wrong_sign`` (ratio < 0), ``sign_flips``;
    first every seed without the check, then every seed with it. One task per row on
    ``executor`` (see the module docstring); the samples are shared items.
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    n = check_int(n, "n", lower=2)
    seeds = _seeds(seeds)
    generator = np.random.default_rng(2)
    u_values = generator.normal(0.0, 1.0, (n, 1))
    v_values = generator.normal(shift, 1.0, (n, 1))
    items = {"u_values": u_values, "v_values": v_values,
             # W_1 on the line, uniform weights: the sorted core of otdiv.wasserstein
             "exact": wasserstein_of_sorted(sorted_pair(u_values[:, 0], v_values[:, 0],
                                                        None, None), 1.0)}
    tasks = [Task((check, seed, steps), ("u_values", "v_values", "exact"))
             for check in (False, True) for seed in seeds]
    return run_tasks(_sign_trap_row, tasks, items, executor=executor, progress=progress,
                     description="sign trap")


def _training_row(items: Mapping[str, Any], payload: tuple[int, str, str, GanConfig, int, int, int]
                  ) -> dict[str, Any]:
    """One (seed, data, loss) run of :func:`training_study` (an executor task)."""
    seed, data, loss, config, steps, checkpoints, eval_samples = payload
    result = train_gan(data, config=config, steps=steps, checkpoints=checkpoints,
                       eval_samples=eval_samples, rng=seed)
    h = result.history
    row = {"seed": seed, "data": data, "loss": loss,
           "initial_w1": float(h["exact_w1"][0]), "exact_w1": float(h["exact_w1"][-1]),
           "w1_floor": float(np.median(h["w1_floor"])),
           "energy_distance": float(h["energy_distance"][-1]),
           "energy_floor": float(np.median(h["energy_floor"])),
           "critic_estimate": float(h["critic_estimate"][-1]),
           "history": {key: np.asarray(value) for key, value in h.items()}}
    if "modes_covered" in h:
        row["modes_covered"] = int(h["modes_covered"][-1])
        row["high_quality_share"] = float(h["high_quality_share"][-1])
    return row


def training_study(*, seeds: Iterable[int] = range(5), losses: Sequence[str] = TRAINING_LOSSES,
                   datasets: Sequence[str] = ("8gaussians", "parallel_line"), steps: int = 1000,
                   checkpoints: int = 10, eval_samples: int = 300,
                   configs: Mapping[str, GanConfig] | None = None, executor: Any = None,
                   progress: bool = False) -> list[dict[str, Any]]:
    """Train each loss on each data set for every seed; one row per run.

    ``configs`` maps a loss to its :class:`GanConfig` (default: the paper defaults,
    ``GanConfig.for_loss``; critic and generator MLPs 2-128-128). Rows: ``seed``, ``data``,
    ``loss``, the step-0 and final ``exact_w1``, the median ``w1_floor`` over checkpoints,
    final ``energy_distance`` and median ``energy_floor``, ``critic_estimate`` and on the
    mixtures ``modes_covered`` and ``high_quality_share``; ``history`` holds the whole run's
    history. Every run is seeded by its seed alone, so each is one task on ``executor``
    (see the module docstring); rows in the order seed, data set, loss.
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=1)
    configs = dict(configs or {})
    for loss, config in configs.items():
        if not isinstance(config, GanConfig):
            raise TypeError(f"configs values must be GanConfig, got {type(config).__name__} "
                            f"for {loss!r}")
    payloads = [(seed, data, loss, configs.get(loss) or GanConfig.for_loss(loss), steps,
                 checkpoints, eval_samples)
                for seed in _seeds(seeds) for data in datasets for loss in losses]
    return run_tasks(_training_row, [Task(payload, ()) for payload in payloads], {},
                     executor=executor, progress=progress, description="GAN training")


def _generator_gradient(trained: TrainedCritic, loss: str, theta: float, z: np.ndarray) -> float:
    """d/dθ of the generator loss at G_θ(z) = (θ, z), by central differences in float64."""
    critic = trained.critic
    step = 1e-4

    def loss_at(shift: float) -> float:
        points = np.column_stack([np.full(z.size, theta + shift), z])
        if loss == "jsgan":       # minimax: E log(1 - D) = -E f*(T)
            return -critic.conjugate(points).mean()
        return -critic(points).mean()   # jsgan-ns: -E log D = -E T; WGAN: -E f
    return (loss_at(step) - loss_at(-step)) / (2 * step)


def _gradient_rows(items: Mapping[str, Any],
                   payload: tuple[int, tuple[float, ...], tuple[str, ...], int, int]
                   ) -> list[dict[str, Any]]:
    """One seed of :func:`generator_gradient_study` (a task of the executor adapter)."""
    seed, thetas, losses, n, steps = payload
    generator = np.random.default_rng(seed)
    rows = []
    for theta in thetas:
        u_values = parallel_line(n, rng=generator)
        v_values = parallel_line(n, rng=generator) + np.array([theta, 0.0])
        z = generator.uniform(size=n)
        for loss in losses:
            trained = train_critic(u_values, v_values,
                                   config=_study_config(loss, learning_rate=1e-3),
                                   steps=steps, rng=generator)
            rows.append({"seed": seed, "theta": float(theta), "loss": loss,
                         "estimate": trained.estimate,
                         "generator_gradient": abs(_generator_gradient(trained, loss, theta,
                                                                       z))})
    return rows


def generator_gradient_study(*, thetas: Sequence[float] = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0),
                             losses: Sequence[str] = ("jsgan", "jsgan-ns", "wgan-gp"),
                             n: int = 500, steps: int = 1500, seeds: Iterable[int] = range(5),
                             executor: Any = None, progress: bool = False) -> list[dict[str, Any]]:
    r"""Generator gradients on the parallel lines against a (near-)optimal critic.

    For each seed and θ a critic is trained between :math:`P_0 = (0, Z)` and
    :math:`P_\theta = (\theta, Z)`; the row reports the critic's estimate and
    :math:`|\partial L_G / \partial\theta|` at the generator :math:`G_\theta(z) = (\theta, z)`.
    The JSGAN critic saturates (its estimate tends to the GAN divergence's maximum
    :math:`2\,\mathrm{JSD} - \log 4 = 0` for disjoint supports, and the minimax gradient
    vanishes), while the WGAN critic's gradient stays near 1 for every θ (Arjovsky et al.
    2017, Fig. 2 and Theorem 1). One task per seed on ``executor`` (see the module
    docstring); rows in the order seed, θ, loss.
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    n = check_int(n, "n", lower=2)
    payloads = [(seed, tuple(float(theta) for theta in thetas), tuple(losses), n, steps)
                for seed in _seeds(seeds)]
    return _flattened(run_tasks(_gradient_rows, [Task(payload, ()) for payload in payloads],
                                {}, executor=executor, progress=progress,
                                description="generator gradients"))
