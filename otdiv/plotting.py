"""Matplotlib figures of transport problems. matplotlib is imported only when called."""

from __future__ import annotations

import numpy as np

from ._validation import as_cost_matrix, as_samples, check_same_dimension

__all__ = ["plot_plan"]


def plot_plan(u_values, v_values, plan, *, ax=None, labels=("P", "Q"), title=None):
    """Draw a transport plan as segments between the two point sets.

    Each pair ``(i, j)`` with ``plan[i, j] > 0`` is joined by a segment whose opacity and
    width grow with the mass it carries. Points in 2-D are drawn where they are; 1-D samples
    are drawn on two horizontal lines (``u`` at height 0, ``v`` at height 1).

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
        raise ValueError(f"plan must be non-negative, got a minimum of {plan.min()!r}")
    if (isinstance(labels, str) or len(labels) != 2
            or not all(isinstance(label, str) for label in labels)):
        raise TypeError(f"labels must be a pair of strings, got {labels!r}")
    if u.shape[1] == 1:
        u = np.column_stack([u[:, 0], np.zeros(len(u))])
        v = np.column_stack([v[:, 0], np.ones(len(v))])
    if ax is None:
        figure, ax = plt.subplots(figsize=(5, 4))
    else:
        figure = ax.figure
    largest = plan.max() if plan.max() > 0 else 1.0
    for i, j in zip(*np.nonzero(plan > 0)):
        share = plan[i, j] / largest
        ax.plot([u[i, 0], v[j, 0]], [u[i, 1], v[j, 1]], color="0.3",
                alpha=0.2 + 0.8 * share, linewidth=0.5 + 2.0 * share, zorder=1)
    ax.scatter(u[:, 0], u[:, 1], s=30, color="tab:blue", label=labels[0], zorder=2)
    ax.scatter(v[:, 0], v[:, 1], s=30, color="tab:orange", label=labels[1], zorder=2)
    ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return figure
