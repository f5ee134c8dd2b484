"""Tables of the bias benchmark: sample minimisers against p (used by the CLI and benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .bernoulli import (
    bernoulli_expected_gradient,
    bernoulli_gradient_bias,
    bernoulli_sample_minimizer,
)
from .results import MinimizerInterval

__all__ = ["minimizer_rows", "grid_rows", "format_interval"]


def format_interval(interval: MinimizerInterval) -> str:
    """``0.6667`` for a unique minimiser, ``[0.3333, 0.6667]`` for an interval."""
    if interval.is_unique:
        return f"{interval.lower:.4g}"
    return f"[{interval.lower:.4g}, {interval.upper:.4g}]"


def _distance_to(interval: MinimizerInterval, p: float) -> float:
    return max(interval.lower - p, p - interval.upper, 0.0)


def minimizer_rows(p_values: Sequence[float], m_values: Sequence[int]) -> list[dict]:
    """One row per (p, m): the W_1 and Cramér minimisers of the expected sample loss.

    Columns: ``p``, ``m``, ``W1 minimiser`` (text; an interval when not unique),
    ``W1 lower``/``W1 upper``, ``W1 gap`` (distance from p to the W_1 minimisers),
    ``Cramer minimiser``, ``E W1 grad at p`` (the expected W_1 sample gradient at θ = p,
    where the true gradient is 0) and ``E Cramer grad at p`` (0 up to rounding).
    """
    rows = []
    for p in p_values:
        for m in m_values:
            w1 = bernoulli_sample_minimizer(p, m)
            cramer = bernoulli_sample_minimizer(p, m, distance="cramer")
            rows.append({
                "p": float(p), "m": int(m),
                "W1 minimiser": format_interval(w1),
                "W1 lower": w1.lower, "W1 upper": w1.upper,
                "W1 gap": _distance_to(w1, p),
                "Cramer minimiser": format_interval(cramer),
                "E W1 grad at p": bernoulli_expected_gradient(p, p, m),
                "E Cramer grad at p": bernoulli_expected_gradient(p, p, m, distance="cramer"),
            })
    return rows


def _grid_row(items: Mapping[str, Any], payload: tuple[int, np.ndarray, np.ndarray, float]
              ) -> dict[str, Any]:
    """The row of one m (a task of the executor adapter)."""
    m, p_grid, theta, away = payload
    gaps = [_distance_to(bernoulli_sample_minimizer(p, m), p) for p in p_grid]
    worst = int(np.argmax(gaps))
    w1_bias = max(np.abs(bernoulli_gradient_bias(p, theta, m)).max() for p in p_grid)
    w1_bias_away = max(np.abs(bernoulli_gradient_bias(p, theta, m))[
        np.abs(theta - p) >= away].max() for p in p_grid)
    cramer_bias = max(np.abs(bernoulli_gradient_bias(p, theta, m, distance="cramer")).max()
                      for p in p_grid)
    return {"m": int(m), "W1 gap": float(gaps[worst]),
            "worst p": float(p_grid[worst]), "sup W1 bias": float(w1_bias),
            f"sup W1 bias, {away:g} from p": float(w1_bias_away),
            "sup Cramer bias": float(cramer_bias)}


def grid_rows(m_values: Sequence[int], p_grid: np.ndarray, n_theta: int = 201, away: float = 0.1,
              progress: bool = False, executor: Any = None) -> list[dict[str, Any]]:
    """Per m, the worst case over a grid of p: how far the W_1 minimisers are from p, and
    the largest |bias| of the W_1 and Cramér expected gradients over a θ grid (for W_1 also
    restricted to |θ - p| >= ``away``: next to p the sign jump keeps the bias near 1 for
    every m, away from p it vanishes as m grows).

    ``executor`` (None, ``"processes"``, a ``concurrent.futures.Executor`` or a
    ``dask.distributed.Client``, as in :func:`otdiv.pairwise`) runs one task per m;
    the rows are the same on every executor, in the order of ``m_values``."""
    from .._executor import Task, check_executor, run_tasks

    executor = check_executor(executor)
    theta = np.linspace(0.0, 1.0, n_theta)
    p_grid = np.asarray(p_grid)
    tasks = [Task(payload=(m, p_grid, theta, away), keys=()) for m in m_values]
    return run_tasks(_grid_row, tasks, {}, executor=executor, progress=progress,
                     description="p-grid sweep")
