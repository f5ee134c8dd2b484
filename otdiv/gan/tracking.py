r"""Does a WGAN critic track the exact :math:`W_1` while its generator trains on images?

:func:`critic_tracking_study` trains image GANs (``data="digits"`` or ``"mnist5k"``) and
stops at log-spaced checkpoints. At each one it records, on the frozen generator G and the
held-out images H (the data set's ``"test"`` split, never trained on):

- ``objective``: the critic's training objective :math:`E_P f - E_G f` on its batches,
  without the penalty (mean over the steps since the previous checkpoint);
- ``estimate``: the held-out estimate :math:`\bar f_H - \bar f_G` on all of H and
  ``generated`` fresh samples of G, with its standard error;
- ``w1_<n>``: the exact :math:`W_1(G_n, H_n)` (``otdiv.wasserstein``, p = 1) between ``n``
  fresh generated and ``n`` held-out images, for each ``n`` of ``n_values``, beside
  ``floor_<n>`` = :math:`W_1(H_1, H_2)` between two disjoint ``n``-image held-out samples
  (the value a perfect generator would get: the sampling floor);
- ``w1_train_<n>``: :math:`W_1(G_n, T_n)` with ``n`` training images, against
  ``w1_<n>`` with the same generated sample: a generator that memorised its training images
  sits closer to T than to H (``memorisation_gap = w1_<n> - w1_train_<n>``, read against
  the same gap for real images, ``floor_train_<n>`` = :math:`W_1(H_n, T_n)` vs the floor);
- ``lipschitz``: the critic's exact Lipschitz constant on the evaluation points (all pairs of
  :math:`G_n \cup H_n` at the largest ``n``, :func:`otdiv.critics.empirical_lipschitz`);
- at the checkpoints in ``refit_at`` (optional), ``refit_estimate``: the held-out estimate
  of a critic trained afresh for ``refit_steps`` steps between the training images and a
  fixed sample of the frozen generator: how much of :math:`W_1` a critic *could* see at
  that generator, against the one that trained alongside it.

Evaluation has its own random stream (seeded by the seed and the step), so the training
trajectory is the same whatever is evaluated.

The criterion, stated before any run
------------------------------------
Per seed, the Spearman rank correlation :math:`\rho` over the checkpoints between the
held-out estimate and the excess :math:`W_1 - \text{floor}` (at the largest ``n``; the floor
is subtracted as its median over the run's checkpoints, a constant, so :math:`\rho` equals
the rank correlation with :math:`W_1` itself; the floor says how much is left to learn).
**The critic tracks** :math:`W_1` **if the median of** :math:`\rho` **over the seeds is at
least 0.8 and the lower end of its 95 % bootstrap interval (seeds resampled) is above
0.5** (:data:`CRITERION`, :func:`tracks`). A critic whose estimate falls while the
generator improves has :math:`\rho` near +1; one that rises as :math:`W_1` falls, near −1.
With ``k`` seeds, [min, max] of a per-seed quantity covers its median with probability
:math:`1 - 2^{1-k}` (distribution-free: the median lies between the smallest and largest of
``k`` draws unless all ``k`` fall on one side of it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._executor import Task, check_executor, run_tasks
from .._validation import RngLike, as_rng, check_bool, check_int
from .config import PRESETS, GanConfig
from .data import IMAGE_DATASETS, image_split

__all__ = ["CRITERION", "TRACKING_PRESETS", "log_checkpoints", "spearman",
           "bootstrap_median_interval", "critic_tracking_study", "tracking_summary",
           "tracks", "n_values_for"]

#: The pre-stated criterion of :func:`critic_tracking_study` (see the module docstring).
CRITERION = dict(median_rho=0.8, bootstrap_lower=0.5, level=0.95)
#: Constraints compared by default: the image presets with a gradient penalty and with
#: spectral normalisation (MLP critic 64-512-512-1).
TRACKING_PRESETS = ("images_gp", "images_sn")


def log_checkpoints(steps: int, count: int = 40, *, first: int = 10) -> list[int]:
    """About ``count`` distinct generator steps, log-spaced from ``first`` to ``steps``.

    Examples
    --------
    >>> from otdiv.gan.tracking import log_checkpoints
    >>> log_checkpoints(1000, 5)
    [10, 32, 100, 316, 1000]
    """
    steps = check_int(steps, "steps", lower=1)
    count = check_int(count, "count", lower=1)
    first = min(check_int(first, "first", lower=1), steps)
    points = np.unique(np.round(np.geomspace(first, steps, count)).astype(int))
    return [int(point) for point in points]


def spearman(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman's rank correlation (average ranks for ties); NaN if either is constant.

    Examples
    --------
    >>> from otdiv.gan.tracking import spearman
    >>> spearman([1, 2, 3, 4], [10, 20, 25, 100]), spearman([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    from scipy.stats import rankdata
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x and y must be 1-D of the same length >= 2, got shapes "
                         f"{x.shape} and {y.shape}")
    rx, ry = rankdata(x) - (x.size + 1) / 2, rankdata(y) - (y.size + 1) / 2
    denominator = np.sqrt((rx @ rx) * (ry @ ry))
    return float(rx @ ry / denominator) if denominator > 0 else float("nan")


def bootstrap_median_interval(values: ArrayLike, *, level: float = 0.95, resamples: int = 10_000,
                              rng: RngLike = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the median of ``values`` (resampled with
    replacement). Returns ``(low, high)``.

    Examples
    --------
    >>> from otdiv.gan.tracking import bootstrap_median_interval
    >>> bootstrap_median_interval([0.9, 0.8, 0.95, 0.85, 0.7])
    (0.7, 0.95)
    """
    finite = np.asarray(values, np.float64)
    finite = finite[~np.isnan(finite)]
    if finite.size == 0:
        return float("nan"), float("nan")
    draws = as_rng(rng).integers(0, finite.size, (resamples, finite.size))
    medians = np.median(finite[draws], axis=1)
    tail = 100 * (1 - level) / 2
    return float(np.percentile(medians, tail)), float(np.percentile(medians, 100 - tail))


def n_values_for(data: str, wanted: Iterable[int] = (250, 500, 1000)) -> tuple[int, ...]:
    """The sample sizes of the exact :math:`W_1` that ``data``'s held-out split allows: at
    most half of it (the floor needs two disjoint held-out samples); a wanted size above
    that is replaced by the largest possible one (digits: 896 test images, so
    ``(250, 448)``)."""
    held = image_split(data, "test").images.shape[0]
    return tuple(sorted({min(int(n), held // 2) for n in wanted}))


def _held_out_estimate(critic: Callable[[np.ndarray], np.ndarray], held: np.ndarray,
                       fake: np.ndarray) -> tuple[float, float]:
    f_h, f_g = critic(held), critic(fake)
    estimate = float(f_h.mean() - f_g.mean())
    error = float(np.sqrt(f_h.var(ddof=1) / f_h.size + f_g.var(ddof=1) / f_g.size))
    return estimate, error


#: One (seed, preset) task: ``(seed, preset name, config, data, checkpoint steps, n_values,
#: generated, refit_at, refit_steps)``.
_TrackingPayload = tuple[int, str, GanConfig, str, list[int], tuple[int, ...], int,
                         tuple[int, ...], int]


def _tracking_run(items: Mapping[str, np.ndarray], payload: _TrackingPayload
                  ) -> dict[str, Any]:
    """One (seed, preset) run of :func:`critic_tracking_study` (an executor task)."""
    from ..critics import empirical_lipschitz
    from .evaluation import exact_w1
    from .training import train_critic, train_gan
    seed, name, config, data, checkpoints, n_values, generated, refit_at, refit_steps = payload
    train, held = items["train"], items["held"]
    largest = max(n_values)
    rows, result, done = [], None, 0
    for step in checkpoints:
        length = step - done
        if result is None:
            result = train_gan(data, config=config, steps=length, checkpoints=1,
                               eval_samples=2, rng=seed)
        else:
            result = train_gan(data, steps=length, checkpoints=1, eval_samples=2,
                               resume=result)
        done = step
        rng = np.random.default_rng([seed, 7, step])
        generator, critic = result.generator, result.critic
        fake = generator(generated, rng=rng)
        estimate, error = _held_out_estimate(critic, held, fake)
        row: dict[str, Any] = {"seed": seed, "preset": name, "step": step,
                               "objective": float(result.history["critic_objective"][-1]),
                               "penalty": float(result.history["critic_penalty"][-1]),
                               "estimate": estimate, "standard_error": error}
        for n in n_values:
            g_n = generator(n, rng=rng)
            order = rng.permutation(held.shape[0])
            h_n, h_again = held[order[:n]], held[order[n:2 * n]]
            row[f"w1_{n}"] = exact_w1(g_n, h_n)
            row[f"floor_{n}"] = exact_w1(h_n, h_again)
            if n == largest:
                t_n = train[rng.permutation(train.shape[0])[:n]]
                row[f"w1_train_{n}"] = exact_w1(g_n, t_n)
                row[f"floor_train_{n}"] = exact_w1(h_n, t_n)
                row["memorisation_gap"] = row[f"w1_{n}"] - row[f"w1_train_{n}"]
                pooled = np.ascontiguousarray(np.vstack([g_n, h_n]))
                row["lipschitz"] = float(empirical_lipschitz(pooled, critic(pooled))[0])
        if step in refit_at:
            frozen = generator(train.shape[0], rng=rng)
            refit = train_critic(train, frozen, config=config, steps=refit_steps, rng=rng,
                                 checkpoints=1)
            row["refit_estimate"] = _held_out_estimate(refit.critic, held, fake)[0]
        rows.append(row)
    return {"seed": seed, "preset": name, "rows": rows}


def critic_tracking_study(*, data: str = "digits", presets: Iterable[str] = TRACKING_PRESETS,
                          seeds: Iterable[int] = range(10), steps: int = 2000,
                          checkpoints: int = 40, n_values: Iterable[int] | None = None,
                          generated: int = 2000, refit_at: Iterable[int] = (),
                          refit_steps: int = 1000,
                          configs: Mapping[str, GanConfig] | None = None, executor: Any = None,
                          progress: bool = False) -> list[dict[str, Any]]:
    r"""Critic vs exact :math:`W_1` during image-GAN training, per seed and constraint.

    Trains ``train_gan(data, config=GanConfig.preset(name))`` for each preset name and seed
    for ``steps`` generator steps, stopping at :func:`log_checkpoints` ``(steps,
    checkpoints)``, and records the quantities of the module docstring at each stop.

    Parameters
    ----------
    data : {"digits", "mnist5k"}
        The image set (``images`` extra); trained on ``"train"``, evaluated on ``"test"``.
    presets : sequence of str
        Names of :data:`otdiv.gan.PRESETS` (the constraint: ``images_gp``, ``images_sn``,
        ``images_clip``, the ``images_conv_*`` critics, ...).
    seeds : iterable of int
        One run per seed and preset.
    steps, checkpoints : int
        Generator steps, and about how many log-spaced stops (from step 10).
    n_values : sequence of int, optional
        Sample sizes of the exact :math:`W_1`; default :func:`n_values_for` (``data``):
        250, 500, 1000 capped at half the held-out split.
    generated : int
        Generated samples of the held-out estimate.
    refit_at : sequence of int
        Checkpoint steps at which a fresh critic is trained on the frozen generator
        (``refit_steps`` critic steps between the training images and as many generated
        samples).
    configs : dict, optional
        Preset name to :class:`GanConfig`, overriding :meth:`GanConfig.preset`.
    executor, progress
        As in :mod:`otdiv.gan.studies` (one task per seed and preset).

    Returns
    -------
    list of dict
        One per (seed, preset), in the order seed, preset: ``seed``, ``preset``, ``rows``
        (one dict per checkpoint). Reduce with :func:`tracking_summary`.

    Examples
    --------
    >>> from otdiv.gan import GanConfig
    >>> from otdiv.gan.tracking import critic_tracking_study, tracking_summary
    >>> tiny = GanConfig.preset("images_sn", critic_hidden=(16,), generator_hidden=(16,),
    ...                         latent_dim=4, batch_size=16)
    >>> runs = critic_tracking_study(presets=["images_sn"], seeds=[0, 1], steps=12,
    ...                              checkpoints=3, n_values=[50], generated=100,
    ...                              configs={"images_sn": tiny})
    >>> [row["step"] for row in runs[0]["rows"]]
    [10, 11, 12]
    >>> summary = tracking_summary(runs)[0]
    >>> summary["preset"], summary["seeds"], len(summary["rho_per_seed"])
    ('images_sn', 2, 2)
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    if data not in IMAGE_DATASETS:
        raise ValueError(f"data must be one of {IMAGE_DATASETS}, got {data!r}")
    steps = check_int(steps, "steps", lower=1)
    checkpoints = check_int(checkpoints, "checkpoints", lower=2)
    generated = check_int(generated, "generated", lower=2)
    refit_steps = check_int(refit_steps, "refit_steps", lower=1)
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    for seed in seeds:
        check_int(seed, "seeds entries", lower=0)
    presets = tuple(presets)
    if not presets:
        raise ValueError("presets must hold at least one preset name, got none")
    configs = dict(configs or {})
    chosen = {}
    for name in presets:
        given = configs.get(name)
        if given is not None and not isinstance(given, GanConfig):
            raise TypeError(f"configs values must be GanConfig, got {type(given).__name__}")
        if given is None and name not in PRESETS:
            raise ValueError(f"presets entries must be among {PRESETS} (or keys of "
                             f"configs), got {name!r}")
        config = given or GanConfig.preset(name)
        if config.family != "wasserstein":
            raise ValueError(f"presets entries must train Wasserstein critics, {name!r} "
                             f"has loss {config.loss!r}")
        chosen[name] = config
    held = image_split(data, "test").images
    if n_values is None:
        n_values = n_values_for(data)
    n_values = tuple(sorted({check_int(n, "n_values entries", lower=2) for n in n_values}))
    if 2 * n_values[-1] > held.shape[0]:
        raise ValueError(f"n_values entries must be at most {held.shape[0] // 2} (half of "
                         f"{data!r}'s {held.shape[0]} held-out images), got {n_values[-1]}")
    stops = log_checkpoints(steps, checkpoints)
    refit = tuple(int(step) for step in refit_at)
    for step in refit:
        if step not in stops:
            raise ValueError(f"refit_at entries must be checkpoint steps {stops}, got {step}")
    items = {"train": image_split(data, "train").images, "held": held}
    payloads = [(seed, name, chosen[name], data, stops, n_values, generated, refit,
                 refit_steps) for seed in seeds for name in presets]
    return run_tasks(_tracking_run, [Task(payload, ("train", "held")) for payload in payloads],
                     items, executor=executor, progress=progress,
                     description="critic tracking")


def tracking_summary(runs: Sequence[Mapping[str, Any]], *, resamples: int = 10_000
                     ) -> list[dict[str, Any]]:
    r"""Per preset: the per-seed Spearman :math:`\rho`, their median with its bootstrap
    interval, and whether the criterion holds; plus median [min, max] over seeds of the
    final values.

    Keys: ``preset``, ``seeds``, ``n`` (the largest sample size), ``rho_per_seed``,
    ``rho``, ``rho_low``, ``rho_high`` (bootstrap), ``rho_min``, ``rho_max``,
    ``rho_objective_per_seed`` (the same for the training objective) and
    ``rho_objective``, ``rho_late_per_seed`` and ``rho_late`` (ρ over the second half of
    the checkpoints only: an exploratory reading, not the criterion), ``tracks``
    (:func:`tracks`), ``coverage`` (:math:`1 - 2^{1-k}`),
    and for each final quantity ``<name>``, ``<name>_min``, ``<name>_max``.
    """
    from .studies import summarize
    by_preset: dict = {}
    for run in runs:
        by_preset.setdefault(run["preset"], []).append(run)
    summary = []
    for preset, members in by_preset.items():
        n = max(int(key[3:]) for key in members[0]["rows"][0] if key.startswith("w1_")
                and key[3:].isdigit())
        rhos, rhos_objective, rhos_late, finals = [], [], [], []
        for run in members:
            rows = run["rows"]
            w1 = np.array([row[f"w1_{n}"] for row in rows])
            excess = w1 - np.median([row[f"floor_{n}"] for row in rows])
            estimates = [row["estimate"] for row in rows]
            rhos.append(spearman(estimates, excess))
            rhos_objective.append(spearman([row["objective"] for row in rows], excess))
            half = len(rows) // 2
            rhos_late.append(spearman(estimates[half:], excess[half:])
                             if len(rows) - half >= 2 else float("nan"))
            final = dict(rows[-1])
            final["excess"] = final[f"w1_{n}"] - final[f"floor_{n}"]
            final["first_w1"] = rows[0][f"w1_{n}"]
            finals.append(final)
        low, high = bootstrap_median_interval(rhos, resamples=resamples)
        entry = {"preset": preset, "seeds": len(members), "n": n,
                 "steps": members[0]["rows"][-1]["step"],
                 "checkpoints": len(members[0]["rows"]),
                 "rho_per_seed": rhos, "rho": float(np.nanmedian(rhos)),
                 "rho_low": low, "rho_high": high, "rho_min": float(np.nanmin(rhos)),
                 "rho_max": float(np.nanmax(rhos)),
                 "rho_objective_per_seed": rhos_objective,
                 "rho_objective": float(np.nanmedian(rhos_objective)),
                 "rho_objective_min": float(np.nanmin(rhos_objective)),
                 "rho_objective_max": float(np.nanmax(rhos_objective)),
                 "rho_late_per_seed": rhos_late,
                 "rho_late": float(np.nanmedian(rhos_late)),
                 "rho_late_min": float(np.nanmin(rhos_late)),
                 "rho_late_max": float(np.nanmax(rhos_late)),
                 "coverage": 1.0 - 2.0 ** (1 - len(members))}
        entry["tracks"] = tracks(entry)
        names = [key for key in finals[0] if key not in ("seed", "preset", "step")]
        entry.update({key: value for key, value in summarize(
            [dict(final, preset=preset) for final in finals], ["preset"], names)[0].items()
            if key not in ("preset", "seeds")})
        summary.append(entry)
    return summary


def tracks(entry: Mapping[str, Any]) -> bool:
    """The pre-stated criterion on a :func:`tracking_summary` entry: median ρ ≥ 0.8 and
    the bootstrap interval's lower end > 0.5 (:data:`CRITERION`)."""
    return bool(entry["rho"] >= CRITERION["median_rho"]
                and entry["rho_low"] > CRITERION["bootstrap_lower"])
