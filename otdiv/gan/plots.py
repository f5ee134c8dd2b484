"""Figures of the GAN studies and of a training run (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_fidelity", "plot_training", "plot_generator_gradients", "plot_samples",
           "plot_history"]


def _pyplot():
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt


def _save(figure, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    _pyplot().close(figure)
    return path


def plot_fidelity(rows, path):
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


def plot_history(history, path, title=""):
    """Exact W_1, energy distance and critic estimate over training for one run."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(history["step"], history["exact_w1"], "o-", label="exact $W_1$ (fresh samples)")
    axis.plot(history["step"], history["energy_distance"], "s-", label="energy distance")
    axis.plot(history["step"], history["critic_estimate"], "^--", label="critic's estimate")
    axis.set(xlabel="generator step", title=title)
    axis.legend()
    return _save(figure, path)


def plot_training(results, path):
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


def plot_generator_gradients(rows, path):
    """|dL_G/dθ| on the parallel lines against θ, one line per loss."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    for loss in sorted({row["loss"] for row in rows}):
        chosen = [row for row in rows if row["loss"] == loss]
        axis.plot([r["theta"] for r in chosen], [r["generator_gradient"] for r in chosen],
                  "o-", label=loss)
    axis.set(xlabel=r"$\theta$", ylabel=r"$|\partial L_G / \partial\theta|$", yscale="log",
             title="Generator gradient on the parallel lines")
    axis.legend()
    return _save(figure, path)


def plot_samples(real, fake, path, title=""):
    """Scatter of real and generated samples (2-D) or their histograms (1-D)."""
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(5, 5))
    real, fake = np.asarray(real), np.asarray(fake)
    if real.shape[1] == 1:
        axis.hist(real[:, 0], bins=50, alpha=0.5, density=True, label="data")
        axis.hist(fake[:, 0], bins=50, alpha=0.5, density=True, label="generated")
    else:
        axis.scatter(real[:, 0], real[:, 1], s=4, alpha=0.5, label="data")
        axis.scatter(fake[:, 0], fake[:, 1], s=4, alpha=0.5, label="generated")
        axis.set_aspect("equal")
    axis.set(title=title)
    axis.legend()
    return _save(figure, path)
