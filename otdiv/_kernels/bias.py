"""Kernel of the Bernoulli gradient-bias benchmark: many independent SGD runs on theta."""

from __future__ import annotations

import numba


@numba.njit(cache=True)
def bernoulli_sgd(theta, fractions, learning_rate, quadratic_scale, record_index, out):
    """Advance every run through ``fractions.shape[1]`` projected SGD steps, in place.

    theta : (R,) float64, the current parameter of each run (updated in place).
    fractions : (R, T) float64, the minibatch estimates k/m drawn for each run and step.
    quadratic_scale : 0.0 for the W_q^q gradient sign(theta - a) (0 at a tie), else c for
        the gradient c (theta - a) of the Cramer (c = 2) or energy (c = 4) loss.
    record_index : (T,) int64, column of ``out`` that receives theta after step t, or -1.
    out : (R, n_records) float64, the recorded trajectories.
    Each step is theta <- clip(theta - learning_rate * gradient, 0, 1).
    """
    n_runs, n_steps = fractions.shape
    for run in range(n_runs):
        value = theta[run]
        for step in range(n_steps):
            estimate = fractions[run, step]
            if quadratic_scale == 0.0:
                if value > estimate:
                    gradient = 1.0
                elif value < estimate:
                    gradient = -1.0
                else:
                    gradient = 0.0
            else:
                gradient = quadratic_scale * (value - estimate)
            value -= learning_rate * gradient
            if value < 0.0:
                value = 0.0
            elif value > 1.0:
                value = 1.0
            column = record_index[step]
            if column >= 0:
                out[run, column] = value
        theta[run] = value
