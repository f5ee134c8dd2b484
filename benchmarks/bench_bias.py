"""Bias benchmark: the table of sample minimisers, and the speed of the exact expected-gradient
curve and of the Numba SGD kernel, each side by side with a peer on the same data.

Peers: scipy's binomial CDF (closed form of the W_1 expected gradient), a dense numpy
enumeration (pmf times the matrix of sample gradients) and a numpy SGD loop vectorised over
runs. Run: ``.venv/bin/python benchmarks/bench_bias.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import first_call_time, median_time, parse_command_line, write_results

from otdiv._kernels.bias import bernoulli_sgd_steps
from otdiv.bias import (
    bernoulli_expected_gradient,
    bernoulli_sgd,
    binomial_pmf,
    categorical_expected_gradient,
)
from otdiv.bias.tables import minimizer_rows


def scipy_wasserstein_curve(p, theta, m):
    """Pr[k < m theta] - Pr[k > m theta] from scipy's CDF; atoms located as otdiv does."""
    atoms = np.arange(m + 1) / m
    below = np.searchsorted(atoms, theta, side="left")         # number of atoms < theta
    at_or_below = np.searchsorted(atoms, theta, side="right")
    return stats.binom.cdf(below - 1, m, p) - stats.binom.sf(at_or_below - 1, m, p)


def dense_curve(p, theta, m, distance):
    """Sum over all k of pmf(k) times the sample gradient: an (n_theta, m + 1) matrix."""
    atoms = np.arange(m + 1) / m
    pmf = binomial_pmf(m, p)
    if distance == "wasserstein":
        return np.sign(theta[:, None] - atoms[None, :]) @ pmf
    return (2.0 * (theta[:, None] - atoms[None, :])) @ pmf


def numpy_sgd(theta, fractions, learning_rate, scale):
    """The same projected SGD as the kernel, one numpy step over all runs at a time."""
    theta = theta.copy()
    trajectory = np.empty((theta.size, fractions.shape[1] + 1))
    trajectory[:, 0] = theta
    for step in range(fractions.shape[1]):
        estimate = fractions[:, step]
        gradient = np.sign(theta - estimate) if scale == 0.0 else scale * (theta - estimate)
        theta = np.clip(theta - learning_rate * gradient, 0.0, 1.0)
        trajectory[:, step + 1] = theta
    return trajectory


def kernel_sgd(theta, fractions, learning_rate, scale):
    theta = theta.copy()
    n_steps = fractions.shape[1]
    trajectory = np.empty((theta.size, n_steps + 1))
    trajectory[:, 0] = theta
    bernoulli_sgd_steps(theta, fractions, learning_rate, scale, np.arange(1, n_steps + 1),
                        trajectory)
    return trajectory


def minimizer_table():
    rows = minimizer_rows([0.6, 0.9], [1, 2, 3, 5, 10, 100])
    columns = ["p", "m", "W1 minimiser", "Cramer minimiser", "E W1 grad at p",
               "E Cramer grad at p"]
    write_results("bias_minimizers",
                  "Minimisers of the expected minibatch loss, Ber(p) target, k ~ Bin(m, p)",
                  columns, rows,
                  notes="Exact (binomial enumeration). The W1 minimiser is a median of k/m; "
                        "the Cramér minimiser is p. `E ... grad at p` is the expected sample "
                        "gradient at theta = p, where the true gradient is 0.")


def speed_table():
    rows = []
    theta = np.linspace(0.0, 1.0, 1000)
    for m in [10**4, 10**5]:
        ours = bernoulli_expected_gradient(0.6, theta, m)
        peer = scipy_wasserstein_curve(0.6, theta, m)
        rows.append({
            "task": f"E W1 gradient, 1000 theta, m={m}",
            "otdiv (s)": median_time(lambda: bernoulli_expected_gradient(0.6, theta, m)),
            "peer": "scipy binom.cdf/sf",
            "peer (s)": median_time(lambda: scipy_wasserstein_curve(0.6, theta, m)),
            "max abs diff": float(np.abs(ours - peer).max())})
    m = 10**4
    for distance in ["wasserstein", "cramer"]:
        ours = bernoulli_expected_gradient(0.6, theta, m, distance=distance)
        dense = dense_curve(0.6, theta, m, distance)
        rows.append({
            "task": f"E {distance} gradient, 1000 theta, m={m}",
            "otdiv (s)": median_time(
                lambda: bernoulli_expected_gradient(0.6, theta, m, distance=distance)),
            "peer": "dense numpy enumeration",
            "peer (s)": median_time(lambda: dense_curve(0.6, theta, m, distance), repeats=3),
            "max abs diff": float(np.abs(ours - dense).max())})

    n_runs, n_steps, m = 1000, 2000, 10
    fractions = np.random.default_rng(0).binomial(m, 0.6, size=(n_runs, n_steps)) / m
    start = np.full(n_runs, 0.5)
    compile_time = first_call_time(lambda: kernel_sgd(start, fractions[:2, :5], 0.01, 0.0))
    for distance, scale in [("wasserstein", 0.0), ("cramer", 2.0)]:
        ours = kernel_sgd(start, fractions, 0.01, scale)
        peer = numpy_sgd(start, fractions, 0.01, scale)
        rows.append({
            "task": f"SGD {distance}: {n_runs} runs x {n_steps} steps (kernel only)",
            "otdiv (s)": median_time(lambda: kernel_sgd(start, fractions, 0.01, scale)),
            "peer": "numpy loop over steps",
            "peer (s)": median_time(lambda: numpy_sgd(start, fractions, 0.01, scale),
                                    repeats=3),
            "max abs diff": float(np.abs(ours - peer).max())})
    rows.append({
        "task": f"otdiv.bernoulli_sgd incl. binomial draws ({n_runs} x {n_steps}, m={m})",
        "otdiv (s)": median_time(
            lambda: bernoulli_sgd(0.6, m, steps=n_steps, n_runs=n_runs, rng=0), repeats=3),
        "peer": "", "peer (s)": "", "max abs diff": ""})
    target, tails = [0.1, 0.2, 0.3, 0.4], [0.83, 0.52, 0.37]
    exact = categorical_expected_gradient(target, tails, 30, order=2)
    sampled = categorical_expected_gradient(target, tails, 30, order=2, method="monte_carlo",
                                            n_samples=20_000, rng=0)
    rows.append({
        "task": f"categorical E W2^2 gradient, K=3, m=30 ({exact.n_samples} outcomes)",
        "otdiv (s)": median_time(lambda: categorical_expected_gradient(target, tails, 30,
                                                                       order=2)),
        "peer": "Monte Carlo, 20000 minibatches",
        "peer (s)": median_time(lambda: categorical_expected_gradient(
            target, tails, 30, order=2, method="monte_carlo", n_samples=20_000, rng=0),
            repeats=3),
        "max abs diff": float(np.abs(exact.value - sampled.value).max()),
        "note": f"MC max standard error {sampled.standard_error.max():.2g}"})
    for row in rows:
        if isinstance(row["peer (s)"], float):
            row["speed-up"] = row["peer (s)"] / row["otdiv (s)"]
    write_results("bias_speed", "Bias benchmark: exact expected gradients and SGD",
                  ["task", "otdiv (s)", "peer", "peer (s)", "speed-up", "max abs diff", "note"],
                  rows,
                  notes=f"First call of the SGD kernel (compile or cache load): "
                        f"{compile_time:.3g} s. Goal: the 1000-point curve at m = 10^4 well "
                        "under a second.")


if __name__ == "__main__":
    parse_command_line(__doc__)
    minimizer_table()
    speed_table()
