"""Matplotlib figures of transport problems, and the one helper that saves figures.

matplotlib is imported only when a function is called.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_cost_matrix, as_samples, check_same_dimension

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

__all__ = ["FIGURE_DPI", "FIGURE_FORMATS", "plot_plan", "save_figure"]

#: Resolution of saved raster figures: a 6.4-inch-wide figure is 960 pixels, sharp at the
#: README's ~800-pixel column width.
FIGURE_DPI = 150
FIGURE_FORMATS = (".png", ".svg", ".pdf")


def save_figure(figure: Figure, path: str | os.PathLike[str], *, dpi: int = FIGURE_DPI) -> Path:
    """Save a matplotlib figure (trimmed to its content) and release it.

    Every figure otdiv writes goes through here, so they share one resolution and one
    trimming rule. A figure made by ``pyplot`` is closed after saving (pyplot would
    otherwise keep it alive); a bare ``matplotlib.figure.Figure`` needs no closing.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    path : str or os.PathLike
        Where to write; the suffix (``.png``, ``.svg`` or ``.pdf``) sets the format. The
        folder must exist.
    dpi : int
        Dots per inch for raster output (default :data:`FIGURE_DPI`).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> from otdiv.plotting import save_figure
    >>> figure = Figure()
    >>> _ = figure.add_subplot().plot([0, 1], [0, 1])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_figure(figure, pathlib.Path(folder) / "line.png")
    ...     path.stat().st_size > 0
    True
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}")
    path = Path(path)
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise ValueError(f"path must end in one of {', '.join(FIGURE_FORMATS)}, got {str(path)!r}")
    if not path.parent.is_dir():
        raise ValueError(f"path's folder {str(path.parent)!r} does not exist")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < 10:
        raise ValueError(f"dpi must be an integer >= 10, got {dpi!r}")
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(figure)  # a no-op for a figure pyplot does not hold
    return path


def plot_plan(u_values: ArrayLike, v_values: ArrayLike, plan: ArrayLike, *, ax: Axes | None = None,
              labels: tuple[str, str] = ("P", "Q"), title: str | None = None,
              axis_labels: tuple[str, str] | None = None) -> Figure | SubFigure:
    """Draw a transport plan as segments between the two point sets.

    Each pair ``(i, j)`` with ``plan[i, j] > 0`` is joined by a segment whose opacity and
    width grow with the mass it carries. Points in 2-D are drawn where they are, with equal
    scales on both axes (so segment lengths are distances); 1-D samples are drawn on two
    horizontal lines (``u`` at height 0, ``v`` at height 1). The legend names both point
    sets and the segments: "width ~ mass moved", or, when every segment carries the same
    mass (a one-to-one matching of equally weighted points), the share each one moves.

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d) and (m,) or (m, d), d <= 2
    plan : array_like, shape (n, m)
        A coupling, e.g. ``transport(u, v).plan``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    labels : pair of str
        Legend labels for the two point sets.
    title : str, optional
        E.g. the plan's cost: ``f"optimal plan, W_1 = {result.cost:.4g}"``.
    axis_labels : pair of str, optional
        Labels of the horizontal and vertical axes (default: "first coordinate" and
        "second coordinate" in 2-D, "value" in 1-D).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from otdiv import transport
    >>> from otdiv.plotting import plot_plan
    >>> u, v = [[0.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]]
    >>> figure = plot_plan(u, v, transport(u, v).plan)
    >>> len(figure.axes)
    1
    """
    import matplotlib.pyplot as plt

    u = as_samples(u_values, "u_values")
    v = as_samples(v_values, "v_values")
    check_same_dimension(u, v)
    if u.shape[1] > 2:
        raise ValueError(f"plot_plan draws points in 1-D or 2-D, got points in R^{u.shape[1]}")
    plan = as_cost_matrix(plan, "plan", shape=(u.shape[0], v.shape[0]))
    if np.any(plan < 0):
        raise ValueError(f"plan must be non-negative, got a minimum of {float(plan.min())!r}")
    if (isinstance(labels, str) or len(labels) != 2
            or not all(isinstance(label, str) for label in labels)):
        raise TypeError(f"labels must be a pair of strings, got {labels!r}")
    one_dimensional = u.shape[1] == 1
    if axis_labels is None:
        axis_labels = ("value", "") if one_dimensional else ("first coordinate",
                                                               "second coordinate")
    if (isinstance(axis_labels, str) or len(axis_labels) != 2
            or not all(isinstance(label, str) for label in axis_labels)):
        raise TypeError(f"axis_labels must be a pair of strings, got {axis_labels!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    if one_dimensional:
        u = np.column_stack([u[:, 0], np.zeros(len(u))])
        v = np.column_stack([v[:, 0], np.ones(len(v))])
    figure: Figure | SubFigure
    if ax is None:
        figure, ax = plt.subplots(figsize=(5, 4))
    else:
        figure = ax.figure
    largest = plan.max() if plan.max() > 0 else 1.0
    moved = plan[plan > 0]
    for i, j in zip(*np.nonzero(plan > 0)):
        share = plan[i, j] / largest
        ax.plot([u[i, 0], v[j, 0]], [u[i, 1], v[j, 1]], color="0.3",
                alpha=0.2 + 0.8 * share, linewidth=0.5 + 2.0 * share, zorder=1)
    if moved.size and np.ptp(moved) <= 1e-9 * largest:
        # every segment carries the same mass (e.g. a one-to-one matching): widths say nothing
        legend, width = f"plan (each segment moves 1/{moved.size} of the mass)", 2.5
    else:
        legend, width = "plan (width ~ mass moved)", 1.5
    ax.plot([], [], color="0.3", linewidth=width, label=legend)
    ax.scatter(u[:, 0], u[:, 1], s=30, color="tab:blue", marker="o", label=labels[0],
               zorder=2)
    ax.scatter(v[:, 0], v[:, 1], s=30, color="tab:orange", marker="s", label=labels[1],
               zorder=2)
    # Below the axes, so that it can never hide a point.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize="small",
              frameon=False)
    ax.set_xlabel(axis_labels[0])
    if one_dimensional:
        ax.set_yticks([0, 1], labels=list(labels))
        ax.set_ylim(-0.3, 1.3)
    else:
        ax.set_ylabel(axis_labels[1])
        ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title)
    return figure
