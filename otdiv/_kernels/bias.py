"""Kernel of the Bernoulli gradient-bias benchmark: many independent SGD runs on theta."""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def bernoulli_sgd_steps(theta: np.ndarray, fractions: np.ndarray, learning_rate: float,
                        quadratic_scale: float, record_index: np.ndarray, out: np.ndarray) -> None:
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


@numba.njit(cache=True)
def project_tails(values: np.ndarray, block_sums: np.ndarray, block_sizes: np.ndarray) -> None:
    """Project ``values`` (K,) in place onto {1 >= v_1 >= ... >= v_K >= 0}.

    Pool-adjacent-violators for the non-increasing least-squares fit, then a clip to [0, 1]
    (clipping an isotonic fit gives the projection onto the monotone cone intersected with
    the box). ``block_sums`` and ``block_sizes`` are (K,) work arrays.
    """
    n_blocks = 0
    for value in values:
        block_sums[n_blocks] = value
        block_sizes[n_blocks] = 1.0
        n_blocks += 1
        while (n_blocks > 1 and block_sums[n_blocks - 2] / block_sizes[n_blocks - 2]
               < block_sums[n_blocks - 1] / block_sizes[n_blocks - 1]):
            block_sums[n_blocks - 2] += block_sums[n_blocks - 1]
            block_sizes[n_blocks - 2] += block_sizes[n_blocks - 1]
            n_blocks -= 1
    position = 0
    for block in range(n_blocks):
        mean = block_sums[block] / block_sizes[block]
        if mean < 0.0:
            mean = 0.0
        elif mean > 1.0:
            mean = 1.0
        for _ in range(int(block_sizes[block])):
            values[position] = mean
            position += 1


@numba.njit(cache=True)
def tail_gradient(theta: np.ndarray, tails: np.ndarray, quadratic_scale: float, order: float,
                  gradient: np.ndarray) -> None:
    """Gradient in theta (K,) of the loss between the laws with tails ``tails`` and theta.

    quadratic_scale > 0: c (theta_j - tails_j) (Cramer c = 2, energy c = 4); else order == 1:
    sign(theta_j - tails_j) (0 at a tie); else W_q^q through the quantile counts, the midpoint
    of the one-sided partial derivatives (see otdiv.bias.categorical).
    """
    size = theta.shape[0]
    for j in range(size):
        if quadratic_scale > 0.0:
            gradient[j] = quadratic_scale * (theta[j] - tails[j])
        elif order == 1.0:
            if theta[j] > tails[j]:
                gradient[j] = 1.0
            elif theta[j] < tails[j]:
                gradient[j] = -1.0
            else:
                gradient[j] = 0.0
        else:
            d_plus = 0.0
            d_minus = 0.0
            for i in range(size):
                if theta[i] > theta[j]:
                    d_plus += 1.0
                if theta[i] >= theta[j]:
                    d_minus += 1.0
                if tails[i] > theta[j]:
                    d_plus -= 1.0
                if tails[i] >= theta[j]:
                    d_minus -= 1.0
            right = abs(d_plus + 1.0) ** order - abs(d_plus) ** order
            left = abs(d_minus) ** order - abs(d_minus - 1.0) ** order
            gradient[j] = 0.5 * (left + right)


@numba.njit(cache=True)
def categorical_sgd_steps(theta: np.ndarray, tails: np.ndarray, learning_rate: float,
                          quadratic_scale: float, order: float, record_index: np.ndarray,
                          out: np.ndarray) -> None:
    """Projected SGD on tail parameters, many runs, in place.

    theta : (R, K) current tails of each run (updated in place).
    tails : (R, T, K) minibatch tail estimates #{X_i >= j} / m for each run and step.
    record_index : (T,) column of ``out`` receiving theta after step t, or -1.
    out : (R, n_records, K) recorded trajectories.
    Each step: theta <- project(theta - learning_rate * gradient) onto the monotone box.
    """
    n_runs, n_steps, size = tails.shape
    gradient = np.empty(size)
    block_sums = np.empty(size)
    block_sizes = np.empty(size)
    for run in range(n_runs):
        for step in range(n_steps):
            tail_gradient(theta[run], tails[run, step], quadratic_scale, order, gradient)
            for j in range(size):
                theta[run, j] -= learning_rate * gradient[j]
            project_tails(theta[run], block_sums, block_sizes)
            column = record_index[step]
            if column >= 0:
                for j in range(size):
                    out[run, column, j] = theta[run, j]
