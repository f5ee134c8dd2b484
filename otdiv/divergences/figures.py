r"""Figures of the lecture's examples. matplotlib is imported only when a function is called.

Figures are built with :class:`matplotlib.figure.Figure` directly, never through pyplot, so
they need no display and leave the user's backend alone; ``path`` saves them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import RngLike, as_rng, check_int, check_real
from .lecture import noise_bound, parallel_lines_divergences

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.figure import Figure

__all__ = ["plot_parallel_lines", "plot_noise_bound"]


def _new_axes(ncols: int) -> tuple[Figure, np.ndarray]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.0 * ncols, 3.8), layout="constrained")
    return figure, np.atleast_1d(figure.subplots(1, ncols))


def _save(figure: Figure, path: str | os.PathLike[str] | None) -> Figure:
    if path is not None:
        figure.savefig(path, dpi=120)
    return figure


def plot_parallel_lines(thetas: ArrayLike | None = None, *, example_theta: float = 0.5,
                        n: int = 200, rng: RngLike = 0, path: str | os.PathLike[str] | None = None
                        ) -> Figure:
    r"""Why W gives a usable gradient on the parallel lines and the f-divergences do not.

    Left: samples of :math:`P_0` and :math:`P_\theta` for ``example_theta``. Right:
    :math:`W_1 = |\theta|`, JSD, TV against :math:`\theta` (exact values from
    :func:`parallel_lines_divergences`); KL is :math:`+\infty` for every
    :math:`\theta \ne 0`, drawn on a band labelled :math:`+\infty` above the finite values
    (a dashed line separates them), with arrows pointing off the scale.

    Parameters
    ----------
    thetas : array_like, optional
        Offsets for the curves; default 401 points in [-1, 1] (including 0).
    example_theta : float
        Offset of the segment drawn on the left.
    n : int
        Samples per segment on the left.
    rng : None, int or Generator
        Randomness for the samples on the left.
    path : str or path-like, optional
        Where to save the figure (format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from otdiv.divergences import plot_parallel_lines
    >>> figure = plot_parallel_lines()
    >>> len(figure.axes)
    2
    """
    from ..datasets import parallel_lines

    thetas = np.linspace(-1.0, 1.0, 401) if thetas is None else thetas
    table = parallel_lines_divergences(thetas)
    order = np.argsort(table.theta)
    theta = table.theta[order]
    example_theta = check_real(example_theta, "example_theta")
    n = check_int(n, "n", lower=1)
    generator = as_rng(rng)  # before any figure exists: a bad rng leaves nothing open

    figure, (left, right) = _new_axes(2)
    p_0 = parallel_lines(0.0, n, generator)
    p_theta = parallel_lines(example_theta, n, generator)
    left.scatter(p_0[:, 0], p_0[:, 1], s=6, label=r"$P_0$")
    left.scatter(p_theta[:, 0], p_theta[:, 1], s=6,
                 label=rf"$P_\theta$, $\theta = {example_theta:g}$")
    span = max(1.0, abs(example_theta)) * 1.3
    left.set_xlim(-span, span)
    left.set_xlabel("first coordinate")
    left.set_ylabel("Z ~ U[0, 1]")
    left.set_title("parallel lines")
    left.legend(loc="upper left", fontsize="small")

    # Plot the constant pieces without joining across the jump at theta = 0.
    def broken(values: np.ndarray) -> np.ndarray:
        values = values[order].astype(float)
        return np.where(theta == 0, np.nan, values)

    right.plot(theta, table.wasserstein[order], label=r"$W_1 = |\theta|$", linewidth=2)
    right.plot(theta, broken(table.jensen_shannon), label=r"JSD $= \log 2$")
    right.plot(theta, broken(table.total_variation), label="TV = 1")
    at_zero = table.theta == 0
    if np.any(at_zero):
        # Mark the jump: JSD and TV are constant on each side and drop to 0 at θ = 0.
        right.plot([0.0, 0.0], [np.log(2.0), 1.0], "o", markerfacecolor="white",
                   markeredgecolor="k", markersize=6, zorder=3,
                   label="JSD, TV, KL jump at θ = 0")
        right.plot([0.0], [0.0], "ko", markersize=4, zorder=3, label="all vanish at θ = 0")
    finite_top = max(1.0, float(np.max(table.wasserstein)))
    # KL = +inf for theta != 0: drawn on a band above the finite values, labelled "+∞" on
    # the axis and separated from them by a dashed break, with arrows pointing off the scale.
    infinity = finite_top * 1.25
    top = finite_top * 1.35
    kl = table.kl[order]
    right.plot(theta, np.where(np.isinf(kl), infinity, np.nan), color="C3", lw=2,
               label=r"KL $= +\infty$ ($\theta \ne 0$)")
    arrows = theta[np.isinf(kl)][:: max(1, theta.size // 12)]
    arrows = arrows[np.abs(arrows) > 0.03 * np.ptp(theta)]  # keep θ = 0 visibly clear
    right.plot(arrows, np.full(arrows.shape, infinity), "^", color="C3", markersize=6)
    if np.any(at_zero):  # KL jumps from +inf to 0 at theta = 0, like JSD and TV
        right.plot([0.0], [infinity], "o", markerfacecolor="white", markeredgecolor="k",
                   markersize=6, zorder=3)
    right.axhline(finite_top * 1.12, color="0.5", lw=0.8, ls=(0, (4, 3)))
    ticks = [tick for tick in right.get_yticks() if -0.05 <= tick <= finite_top * 1.05]
    right.set_yticks(ticks + [infinity],
                     labels=[f"{tick:g}" for tick in ticks] + [r"$+\infty$"])
    right.set_ylim(-0.05, top)
    right.set_xlabel(r"$\theta$")
    right.set_ylabel("divergence")
    right.set_title(r"divergences between $P_0$ and $P_\theta$")
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize="small")
    return _save(figure, path)


def plot_noise_bound(u_values: ArrayLike, v_values: ArrayLike, u_weights: ArrayLike | None = None,
                     v_weights: ArrayLike | None = None, *, scales: ArrayLike | None = None,
                     noise: Callable[[float], Any] | None = None,
                     path: str | os.PathLike[str] | None = None) -> Figure:
    r"""Both sides of the Arjovsky–Bottou bound as the noise grows.

    For each scale ``s`` the noise is ``noise(s)`` (default: uniform on ``[-s, s]``) and
    :func:`noise_bound` gives the exact :math:`W_1(P_r, P_g)` and the right side
    :math:`2V^{1/2} + 2C\sqrt{\mathrm{JSD}}`, drawn with its two terms.

    Parameters
    ----------
    u_values, v_values, u_weights, v_weights : array_like
        The 1-D discrete distributions :math:`P_r` and :math:`P_g` (see :func:`noise_bound`).
    scales : array_like of float, optional
        Positive noise scales; default 25 points from 0.05 to 3 (log-spaced).
    noise : callable, optional
        ``noise(scale)`` → frozen scipy.stats distribution with bounded support and mean 0.
    path : str or path-like, optional
        Where to save the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from otdiv.divergences import plot_noise_bound
    >>> figure = plot_noise_bound([0.0], [1.0], scales=[0.1, 0.5, 1.0])
    >>> len(figure.axes)
    1
    """
    from scipy import stats

    scales = np.geomspace(0.05, 3.0, 25) if scales is None else np.asarray(scales, float)
    if scales.ndim != 1 or scales.size == 0 or not np.all(np.isfinite(scales) & (scales > 0)):
        raise ValueError(f"scales must be a non-empty 1-D array of positive finite numbers, "
                         f"got {scales!r}")
    default_noise = noise is None
    if noise is None:
        def noise(scale: float) -> Any:
            return stats.uniform(-scale, 2.0 * scale)
    elif not callable(noise):
        raise TypeError(f"noise must be a callable scale -> distribution, got "
                        f"{type(noise).__name__}")

    results = [noise_bound(u_values, v_values, u_weights, v_weights, noise=noise(s))
               for s in scales]
    figure, (axes,) = _new_axes(1)
    axes.plot(scales, [r.bound for r in results], "o-", label=r"bound $2V^{1/2} + 2C\sqrt{JSD}$")
    axes.plot(scales, [2 * r.noise_std for r in results], "--", label=r"$2V^{1/2}$")
    axes.plot(scales, [2 * r.diameter * np.sqrt(r.jensen_shannon) for r in results], ":",
              label=r"$2C\sqrt{JSD(P_{r+\epsilon} \| P_{g+\epsilon})}$")
    axes.plot(scales, [r.wasserstein for r in results], "k-", linewidth=2,
              label=r"$W_1(P_r, P_g)$ (exact)")
    axes.set_xscale("log")
    axes.set_xlabel("noise half-width a, ε ~ U[−a, a]" if default_noise
                    else "noise scale s (ε ~ noise(s))")
    axes.set_ylabel("value")
    axes.set_title("Arjovsky–Bottou noise bound")
    axes.legend(fontsize="small")
    return _save(figure, path)
