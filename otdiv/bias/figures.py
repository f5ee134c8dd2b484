r"""Figures of the gradient-bias benchmark (matplotlib is imported only here, lazily).

Figures are built with :class:`matplotlib.figure.Figure` directly, never through pyplot, so
they need no display and leave the user's backend alone; ``path`` saves them (PNG, PDF, ...).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_int
from ._validation import check_probability, check_sample_size
from .bernoulli import bernoulli_expected_gradient, bernoulli_true_gradient

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.figure import Figure

    from .results import SGDResult

__all__ = ["plot_expected_gradients", "plot_sgd_trajectories"]

_LABELS = {"wasserstein": "$W_1$", "cramer": r"Cramér $\ell_2^2$", "energy": "energy"}


def _new_figure(n_rows: int, n_cols: int, size: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    from matplotlib.figure import Figure
    figure = Figure(figsize=size, layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    return figure, axes


def _save(figure: Figure, path: str | os.PathLike[str] | None) -> Figure:
    if path is not None:
        figure.savefig(path, dpi=120)
    return figure


def plot_expected_gradients(p_values: Sequence[float] = (0.6, 0.9),
                            m_values: Sequence[int] = (1, 2, 5, 10), *,
                            distances: Sequence[str] = ("wasserstein", "cramer"),
                            n_theta: int = 401, path: str | os.PathLike[str] | None = None
                            ) -> Figure:
    r"""Expected minibatch gradient (red) against the true gradient (blue) across θ.

    One column per target Ber(p) (titled "target Ber(p)": p here is the target's success
    probability, not a W_p order), one row per distance; in each panel the true gradient of
    L(Ber(p), Ber(θ)) and the exact :func:`~otdiv.bias.bernoulli_expected_gradient` for
    each minibatch size m (darker red for larger m; the legend sits in a W_1 panel, where
    m matters). The W_1 curves cross zero at a median of k/m instead of p; the Cramér
    curves (dashed) all lie on the true line 2(θ − p). The W_1 curves spike at θ = 0 and
    θ = 1 because sign(0) = 0: there the outcome k = 0 (resp. k = m) has k/m = θ and
    contributes no gradient.

    Parameters
    ----------
    p_values : sequence of float in [0, 1]
    m_values : sequence of int >= 1
    distances : sequence of {"wasserstein", "cramer", "energy"}
    n_theta : int >= 2
        Points on the θ grid over [0, 1].
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = plot_expected_gradients([0.6], [1, 10], n_theta=51)
    >>> len(figure.axes)
    2
    """
    p_values = [check_probability(p, "p_values") for p in p_values]
    m_values = [check_sample_size(m, "m_values") for m in m_values]
    n_theta = check_int(n_theta, "n_theta", lower=2)
    if not p_values or not m_values or not distances:
        raise ValueError("p_values, m_values and distances must each name at least one value")
    from matplotlib import colormaps

    theta = np.linspace(0.0, 1.0, n_theta)
    figure, axes = _new_figure(len(distances), len(p_values),
                               (3.4 * len(p_values) + 0.6, 2.8 * len(distances)))
    # Darker red for larger m, over a range of the colormap wide enough to tell apart.
    colors = colormaps["Reds"](np.linspace(0.4, 1.0, len(m_values)))
    for row, distance in enumerate(distances):
        for column, p in enumerate(p_values):
            ax = axes[row, column]
            true = bernoulli_true_gradient(p, theta, distance=distance)
            ax.plot(theta, true, color="tab:blue", lw=3.0, label="true gradient")
            for color, m in zip(colors, m_values):
                expected = bernoulli_expected_gradient(p, theta, m, distance=distance)
                ax.plot(theta, expected, color=color, lw=1.3,
                        ls="-" if distance == "wasserstein" else "--",
                        label=f"expected sample gradient, m = {m}")
            ax.axvline(p, color="grey", lw=0.8, ls=":",
                       label="target's success probability")
            ax.axhline(0.0, color="grey", lw=0.5)
            if distance != "wasserstein":
                ax.text(0.03, 0.93, "every m lies on the true gradient", fontsize="x-small",
                        transform=ax.transAxes, va="top")
            ax.set_title(f"{_LABELS[distance]}, target Ber({p:g})")
            ax.set_xlabel(r"$\theta$ (model's success probability)")
            if column == 0:
                ax.set_ylabel(r"$\partial_\theta$ loss")
    legend_row = distances.index("wasserstein") if "wasserstein" in distances else 0
    axes[legend_row, -1].legend(fontsize="x-small", loc="upper left")
    return _save(figure, path)


def plot_sgd_trajectories(results: Sequence[SGDResult], labels: Sequence[str] | None = None, *,
                          n_shown: int = 20, path: str | os.PathLike[str] | None = None) -> Figure:
    r"""SGD trajectories of θ, one panel per :class:`~otdiv.SGDResult`.

    Each panel shows up to ``n_shown`` individual runs (thin), the mean over all runs
    (thick) and the target's success probability p (dotted): W_1 runs drift to a median of
    k/m, Cramér runs settle around p. For categorical runs
    (:func:`~otdiv.bias.categorical_sgd`) each tail θ_j gets its mean curve and its target
    S_P(j).

    Parameters
    ----------
    results : sequence of SGDResult
    labels : sequence of str, optional
        Panel titles; default ``"<distance>, target Ber(<target>)"``.
    n_shown : int >= 0
        Individual runs drawn per panel.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from otdiv.bias import bernoulli_sgd
    >>> runs = [bernoulli_sgd(0.6, 1, distance=d, steps=200, n_runs=5, rng=0)
    ...         for d in ("wasserstein", "cramer")]
    >>> len(plot_sgd_trajectories(runs).axes)
    2
    """
    from .results import SGDResult
    results = list(results)
    if not results or not all(isinstance(result, SGDResult) for result in results):
        raise TypeError("results must be a non-empty sequence of SGDResult (from "
                        "otdiv.bernoulli_sgd or otdiv.categorical_sgd)")
    if labels is None:
        labels = [f"{_LABELS[r.distance]}, target Ber({r.target:g})" if np.ndim(r.target) == 0
                  else f"{_LABELS[r.distance]}, tails $S_P$ = {np.round(r.target, 3)}"
                  for r in results]
    labels = list(labels)
    if len(labels) != len(results):
        raise ValueError(f"labels must have one entry per result ({len(results)}), "
                         f"got {len(labels)}")
    n_shown = check_int(n_shown, "n_shown", lower=0)
    figure, axes = _new_figure(1, len(results), (3.4 * len(results) + 0.6, 3.0))
    for ax, result, label in zip(axes[0], results, labels):
        if result.trajectories.ndim == 3:  # categorical: one mean curve per tail theta_j
            means = result.trajectories.mean(axis=0)
            for j in range(means.shape[1]):
                color = f"C{j % 10}"
                ax.plot(result.steps, means[:, j], color=color, lw=2,
                        label=rf"mean $\theta_{j + 1}$")
                ax.axhline(np.asarray(result.target)[j], color=color, ls=":", lw=1.5)
            ax.set_ylim(-0.02, 1.02)
            ax.set_title(label)
            ax.set_xlabel("SGD step")
            ax.legend(fontsize="x-small", loc="best")
            continue
        for run in result.trajectories[:n_shown]:
            ax.plot(result.steps, run, color="tab:red", lw=0.5, alpha=0.35)
        ax.plot(result.steps, result.trajectories.mean(axis=0), color="darkred", lw=2,
                label="mean over runs")
        ax.axhline(result.target, color="tab:blue", ls=":", lw=1.5,
                   label="target's success probability")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(label)
        ax.set_xlabel("SGD step")
    axes[0, 0].set_ylabel(r"$\theta$")
    axes[0, 0].legend(fontsize="x-small", loc="lower left")
    return _save(figure, path)
