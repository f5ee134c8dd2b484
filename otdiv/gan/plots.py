"""Figures of the GAN studies and of a training run (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import RngLike

if TYPE_CHECKING:  # matplotlib and the GAN are imported when a figure is drawn
    from matplotlib.figure import Figure

    from .config import GanConfig
    from .results import TrainedGan

__all__ = ["plot_fidelity", "plot_training", "plot_generator_gradients", "plot_samples",
           "plot_history", "plot_critic_landscape", "plot_generated_digits",
           "generator_snapshots", "nearest_rows", "plot_tracking"]


def _pyplot() -> Any:
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt


def _save(figure: Figure, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if figure.get_layout_engine() is None:
        figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)
    return path


def plot_fidelity(rows: Sequence[Mapping[str, Any]], path: str | os.PathLike[str]
                  ) -> str | os.PathLike[str]:
    """Critic estimate against the exact value, one marker per loss (from the fidelity study)."""
    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    wasserstein = [row for row in rows if "exact_w1" in row]
    for loss, marker in (("wgan-clip", "v"), ("wgan-gp", "o"), ("wgan-sn", "s")):
        chosen = [row for row in wasserstein if row["loss"] == loss]
        if chosen:
            left.scatter([r["exact_w1"] for r in chosen], [r["dual_estimate"] for r in chosen],
                         marker=marker, label=loss)
            left.scatter([r["exact_w1"] for r in chosen],
                         [r["certified_lower_bound"] for r in chosen], marker=marker,
                         facecolors="none", edgecolors="grey")
    top = max([r["exact_w1"] for r in wasserstein] + [1.0])
    left.plot([0, top], [0, top], "k--", lw=1, label="estimate = exact")
    left.set(xlabel="exact $W_1$ on the samples", ylabel="critic's dual estimate",
             title="Wasserstein critics (hollow: certified lower bound)")
    left.legend()
    f_rows = [row for row in rows if "exact" in row]
    if f_rows:
        names = [row["loss"].split(":", 1)[1] for row in f_rows]
        positions = np.arange(len(f_rows))
        right.bar(positions - 0.2, [r["exact"] for r in f_rows], 0.4, label="exact $D_f$")
        right.bar(positions + 0.2, [r["bound"] for r in f_rows], 0.4,
                  label="critic's variational bound")
        # held-out bounds of exponential kinds can be astronomically off: keep the exact
        # values readable and label the bars that leave the axis
        exact = [r["exact"] for r in f_rows]
        low, high = min(min(exact), 0.0), max(max(exact), 0.0)
        margin = 0.5 * (high - low) + 0.1
        right.set_ylim(low - margin, high + margin)
        for position, row in zip(positions, f_rows):
            if not low - margin <= row["bound"] <= high + margin:
                right.annotate(f"{row['bound']:.2g}", (position + 0.2, 0), rotation=90,
                               ha="center", va="bottom", fontsize=8)
        right.set_xticks(positions, names, rotation=45, ha="right")
        right.set(title=f"f-GAN critics, {f_rows[0]['pair']}")
        right.legend()
    return _save(figure, path)


def plot_history(history: Mapping[str, np.ndarray], path: str | os.PathLike[str], title: str = ""
                 ) -> str | os.PathLike[str]:
    """Exact W_1, energy distance and critic estimate over training for one run."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(history["step"], history["exact_w1"], "o-", label="exact $W_1$ (fresh samples)")
    axis.plot(history["step"], history["energy_distance"], "s-", label="energy distance")
    axis.plot(history["step"], history["critic_estimate"], "^--", label="critic's estimate")
    if "w1_floor" in history:
        axis.axhline(float(np.median(history["w1_floor"])), color="C0", ls=":", lw=1,
                     label="$W_1$ floor (two data samples)")
        axis.axhline(float(np.median(history["energy_floor"])), color="C1", ls=":", lw=1,
                     label="energy floor")
    # the critic's estimate can be negative: the axis holds estimates, not distances
    axis.axhline(0.0, color="grey", lw=0.5)
    axis.set(xlabel="generator step", ylabel="estimate (generated vs data)", title=title)
    axis.legend()
    return _save(figure, path)


def plot_training(results: Mapping[tuple[str, str], TrainedGan], path: str | os.PathLike[str]
                  ) -> str | os.PathLike[str]:
    """Exact W_1 to the data over training, one panel per data set, one line per loss."""
    plt = _pyplot()
    datasets = sorted({data for data, _ in results})
    figure, axes = plt.subplots(1, len(datasets), figsize=(6 * len(datasets), 4.5),
                                squeeze=False)
    for axis, data in zip(axes[0], datasets):
        for (name, loss), result in results.items():
            if name == data:
                axis.plot(result.history["step"], result.history["exact_w1"], label=loss)
        axis.set(xlabel="generator step", ylabel="exact $W_1$(generated, data)",
                 title=data, yscale="log")
        axis.legend(fontsize=8)
    return _save(figure, path)


def plot_generator_gradients(rows: Sequence[Mapping[str, Any]], path: str | os.PathLike[str]
                             ) -> str | os.PathLike[str]:
    """|dL_G/dθ| on the parallel lines against θ, one line per loss: the median over seeds,
    bars from the minimum to the maximum."""
    from .studies import summarize
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    summary = summarize(rows, ["loss", "theta"], ["generator_gradient"])
    for loss in sorted({row["loss"] for row in summary}):
        chosen = sorted((r for r in summary if r["loss"] == loss), key=lambda r: r["theta"])
        median = np.array([r["generator_gradient"] for r in chosen])
        spread = np.array([[m - r["generator_gradient_min"] for m, r in zip(median, chosen)],
                           [r["generator_gradient_max"] - m for m, r in zip(median, chosen)]])
        axis.errorbar([r["theta"] for r in chosen], median, yerr=spread, fmt="o-",
                      capsize=3, label=f"{loss} ({chosen[0]['seeds']} seeds)")
    axis.set(xlabel=r"$\theta$", ylabel=r"$|\partial L_G / \partial\theta|$", yscale="log",
             title="Generator gradient on the parallel lines (median, min-max)")
    axis.legend()
    return _save(figure, path)


def plot_samples(real: ArrayLike, fake: ArrayLike, path: str | os.PathLike[str], title: str = ""
                 ) -> str | os.PathLike[str]:
    """Scatter of real and generated samples (2-D) or their histograms (1-D)."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5, 5))
    real, fake = np.asarray(real), np.asarray(fake)
    if real.shape[1] == 1:
        axis.hist(real[:, 0], bins=50, alpha=0.5, density=True, label="data")
        axis.hist(fake[:, 0], bins=50, alpha=0.5, density=True, label="generated")
        axis.set(xlabel="$x$", ylabel="density")
    else:
        axis.scatter(real[:, 0], real[:, 1], s=4, alpha=0.5, label="data")
        axis.scatter(fake[:, 0], fake[:, 1], s=4, alpha=0.5, label="generated")
        axis.set(xlabel="$x_1$", ylabel="$x_2$")
        axis.set_aspect("equal")
    axis.set(title=title)
    axis.legend()
    return _save(figure, path)


def plot_critic_landscape(critic: Callable[[np.ndarray], ArrayLike], real: ArrayLike,
                          fake: ArrayLike, path: str | os.PathLike[str], *,
                          potential: Callable[[np.ndarray], ArrayLike] | None = None,
                          title: str = "", resolution: int = 120) -> str | os.PathLike[str]:
    """The critic's values over the plane (filled contours with a colour bar) with both
    samples on top, beside the exact Kantorovich potential ``potential`` between the same
    samples (e.g. :func:`otdiv.kantorovich_potential`); 1-D data: both as curves.

    Only differences of a critic matter (``f + c`` has the same dual value), so each panel
    is shifted to mean 0 over the pooled samples to make the two comparable, and all panels
    share one colour scale (one colour bar; 1-D: one vertical range).
    """
    plt = _pyplot()
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    pooled = np.vstack([real, fake])
    functions = [("trained critic", critic)]
    if potential is not None:
        functions.append(("exact Kantorovich potential", potential))
    figure, axes = plt.subplots(1, len(functions), figsize=(5.3 * len(functions) + 1.0, 4.8),
                                squeeze=False, layout="constrained")
    low, high = pooled.min(axis=0), pooled.max(axis=0)
    pad = 0.15 * (high - low) + 0.1
    if real.shape[1] == 1:
        grid = np.linspace(low[0] - pad[0], high[0] + pad[0], 400)[:, None]
    else:
        xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
        ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
        grid_x, grid_y = np.meshgrid(xs, ys)
        grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    surfaces = [np.asarray(function(grid), np.float64).reshape(-1)
                - float(np.mean(np.asarray(function(pooled)))) for _, function in functions]
    # One scale for every panel, so that equal colours (or heights) are equal values.
    largest = max(float(np.max(np.abs(values))) for values in surfaces) or 1.0
    from matplotlib.ticker import MaxNLocator
    levels = MaxNLocator(nbins=20, symmetric=True).tick_values(-largest, largest)
    filled = None
    for axis, (name, _), values in zip(axes[0], functions, surfaces):
        if real.shape[1] == 1:
            axis.plot(grid[:, 0], values, "k-", label=name)
            axis.plot(real[:, 0], np.zeros(len(real)) - 0.02, "|", color="C0", label="data")
            axis.plot(fake[:, 0], np.zeros(len(fake)) + 0.02, "|", color="C1",
                      label="generated")
            axis.set_ylim(-1.05 * largest, 1.05 * largest)
            axis.set(xlabel="$x$", ylabel="critic value (mean 0 on the samples)")
            axis.legend(fontsize=8)
        else:
            filled = axis.contourf(grid_x, grid_y, values.reshape(grid_x.shape),
                                   levels=levels, cmap="viridis")
            axis.scatter(real[:, 0], real[:, 1], s=5, c="white", edgecolors="k",
                         linewidths=0.3, label="data")
            axis.scatter(fake[:, 0], fake[:, 1], s=5, c="C3", label="generated")
            axis.set(xlabel="$x_1$", ylabel="$x_2$")
            axis.set_aspect("equal")
            axis.legend(fontsize=8, loc="upper right")
        axis.set_title(f"{name}" + (f": {title}" if title and name == "trained critic" else ""))
    if filled is not None:
        figure.colorbar(filled, ax=axes[0].tolist(), shrink=0.9,
                        label="critic value (mean 0 on the samples)")
    return _save(figure, path)


def nearest_rows(points: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Index into ``pool`` of the Euclidean nearest row of each row of ``points``."""
    points, pool = np.asarray(points, np.float64), np.asarray(pool, np.float64)
    # |x - y|^2 = |x|^2 - 2 x.y + |y|^2; the |x|^2 term does not change the argmin
    scores = (pool * pool).sum(axis=1)[None, :] - 2.0 * points @ pool.T
    return np.argmin(scores, axis=1)


def generator_snapshots(data: str | ArrayLike, *, config: GanConfig | None = None,
                        steps: int = 2000, checkpoints: int = 4, n: int = 8, rng: RngLike = 0
                        ) -> tuple[TrainedGan, dict[int, np.ndarray]]:
    """``(result, {step: images})``: one run of :func:`otdiv.gan.train_gan` cut into
    ``checkpoints`` pieces by ``resume`` (the same run as uninterrupted), with ``n``
    generated rows after each piece, all from the same latent codes."""
    from .steps import chunk_lengths
    from .training import train_gan
    pieces = chunk_lengths(steps, checkpoints)
    result = train_gan(data, config=config, steps=pieces[0], checkpoints=1, rng=rng)
    codes = np.random.default_rng(12345).standard_normal((n, result.generator.latent_dim))
    snapshots = {int(result.history["step"][-1]): result.generator.transform(codes)}
    for length in pieces[1:]:
        result = train_gan(data, steps=length, checkpoints=1, resume=result)
        snapshots[int(result.history["step"][-1])] = result.generator.transform(codes)
    return result, snapshots


def plot_generated_digits(snapshots: Mapping[int, np.ndarray], training_images: np.ndarray,
                          shape: tuple[int, int], path: str | os.PathLike[str], title: str = ""
                          ) -> str | os.PathLike[str]:
    """Generated images at checkpoints, each above its nearest training image.

    ``snapshots`` maps a step to generated rows (pixel values); ``training_images`` are the
    rows the generator trained on; ``shape`` is ``(height, width)``. Two figure rows per
    checkpoint: the generated images, then the Euclidean-nearest training image of each
    (a generator that copies its training set shows twins; the distance is printed).
    """
    plt = _pyplot()
    steps = sorted(snapshots)
    n = max(len(np.asarray(snapshots[step])) for step in steps)
    figure, axes = plt.subplots(2 * len(steps), n, figsize=(1.1 * n, 2.3 * len(steps)),
                                squeeze=False)
    pool = np.asarray(training_images, np.float64)
    for k, step in enumerate(steps):
        fake = np.asarray(snapshots[step], np.float64)
        nearest = nearest_rows(fake, pool)
        for j in range(n):
            top, bottom = axes[2 * k, j], axes[2 * k + 1, j]
            for axis in (top, bottom):
                axis.set_xticks([])
                axis.set_yticks([])
            if j >= len(fake):
                top.axis("off")
                bottom.axis("off")
                continue
            top.imshow(fake[j].reshape(shape), cmap="gray_r", vmin=0.0, vmax=1.0)
            bottom.imshow(pool[nearest[j]].reshape(shape), cmap="gray_r", vmin=0.0, vmax=1.0)
            bottom.set_xlabel(f"{np.linalg.norm(fake[j] - pool[nearest[j]]):.2f}",
                              fontsize=7)
        axes[2 * k, 0].set_ylabel(f"step {step}", fontsize=8)
        axes[2 * k + 1, 0].set_ylabel("nearest\ntraining", fontsize=8)
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def _band(axis: Any, steps: Sequence[int], values: ArrayLike, color: str, label: str) -> None:
    """Median line and interquartile band over seeds (rows of ``values``)."""
    low, mid, high = np.nanpercentile(np.asarray(values, dtype=np.float64), [25, 50, 75],
                                      axis=0)
    axis.fill_between(steps, low, high, color=color, alpha=0.25, linewidth=0)
    axis.plot(steps, mid, color=color, label=label)


def plot_tracking(runs: Sequence[Mapping[str, Any]], summary: Sequence[Mapping[str, Any]],
                  folder: str | os.PathLike[str], *, prefix: str = "gan_images"
                  ) -> list[str | os.PathLike[str]]:
    """The figures of :func:`otdiv.gan.tracking.critic_tracking_study`; returns the paths.

    ``<prefix>_curves.png``: per preset, against the generator step (log scale), the
    exact :math:`W_1(G_n, H_n)` at the largest ``n``, the floor :math:`W_1(H_1, H_2)`, the
    held-out estimate and the training objective, each as the median over seeds with its
    interquartile band. ``<prefix>_scatter.png``: held-out estimate against the excess
    :math:`W_1 -` floor, one colour per seed, its Spearman ρ in the legend.
    ``<prefix>_lipschitz.png``: the critic's Lipschitz constant on the evaluation points.
    """
    plt = _pyplot()
    folder = Path(folder)
    presets = [entry["preset"] for entry in summary]
    n = summary[0]["n"]
    by_preset = {preset: [run for run in runs if run["preset"] == preset] for preset in presets}
    paths = []

    figure, axes = plt.subplots(1, len(presets), figsize=(5.2 * len(presets), 4.0),
                                squeeze=False, sharey=True)
    for axis, entry in zip(axes[0], summary):
        members = by_preset[entry["preset"]]
        steps = [row["step"] for row in members[0]["rows"]]

        def column(name: str, members: Sequence[Mapping[str, Any]] = members
                   ) -> list[list[Any]]:
            return [[row.get(name, np.nan) for row in run["rows"]] for run in members]
        _band(axis, steps, column(f"w1_{n}"), "C0", f"exact W1(G, H), n = {n}")
        _band(axis, steps, column(f"floor_{n}"), "0.4", f"floor W1(H1, H2), n = {n}")
        _band(axis, steps, column("estimate"), "C3", "critic, held-out estimate")
        _band(axis, steps, column("objective"), "C1", "critic, training objective")
        axis.set_xscale("log")
        axis.set_xlabel("generator step")
        axis.set_title(f"{entry['preset']}: median ρ = {entry['rho']:.2f} "
                       f"[{entry['rho_low']:.2f}, {entry['rho_high']:.2f}]", fontsize="medium")
    axes[0, 0].set_ylabel(f"median and IQR over {summary[0]['seeds']} seeds")
    axes[0, 0].legend(fontsize="small")
    paths.append(_save(figure, folder / f"{prefix}_curves.png"))

    figure, axes = plt.subplots(1, len(presets), figsize=(5.2 * len(presets), 4.0),
                                squeeze=False)
    for axis, entry in zip(axes[0], summary):
        for k, (run, rho) in enumerate(zip(by_preset[entry["preset"]], entry["rho_per_seed"])):
            rows = run["rows"]
            floor = np.median([row[f"floor_{n}"] for row in rows])
            axis.plot([row[f"w1_{n}"] - floor for row in rows],
                      [row["estimate"] for row in rows], ".-", color=f"C{k % 10}",
                      markersize=3, linewidth=0.6, label=f"seed {run['seed']}: ρ = {rho:.2f}")
        axis.set_xlabel(f"excess exact W1(G, H) − floor, n = {n}")
        axis.set_title(entry["preset"], fontsize="medium")
        axis.legend(fontsize="x-small", ncol=2)
    axes[0, 0].set_ylabel("critic's held-out estimate")
    paths.append(_save(figure, folder / f"{prefix}_scatter.png"))

    figure, axis = plt.subplots(figsize=(5.5, 3.8))
    for k, entry in enumerate(summary):
        members = by_preset[entry["preset"]]
        steps = [row["step"] for row in members[0]["rows"]]
        _band(axis, steps, [[row["lipschitz"] for row in run["rows"]] for run in members],
              f"C{k}", entry["preset"])
    axis.axhline(1.0, color="0.5", linestyle=":", linewidth=1)
    axis.set_xscale("log")
    axis.set_xlabel("generator step")
    axis.set_ylabel("Lipschitz constant on evaluation points")
    axis.legend(fontsize="small")
    paths.append(_save(figure, folder / f"{prefix}_lipschitz.png"))
    return paths
