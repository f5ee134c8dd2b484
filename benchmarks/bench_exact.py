"""Exact solvers side by side: otdiv.wasserstein vs POT, Hungarian vs enumeration.

Run: .venv/bin/python benchmarks/bench_exact.py  (writes results/exact_*.{json,md})
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import median_time, paired_median_times, parse_command_line, write_results


def wasserstein_vs_pot(sizes=(500, 1000, 2000), repeats=11):
    import ot

    from otdiv import wasserstein

    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        u, v = rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) + 0.5
        a = b = np.full(n, 1.0 / n)

        def pot():
            return ot.emd2(a, b, ot.dist(u, v, metric="euclidean"), numItermax=10**7)

        def ours():
            return wasserstein(u, v)

        ours_value, pot_value = ours(), pot()
        t_ours, t_pot = paired_median_times(ours, pot, repeats=repeats)
        rows.append({"n = m": n, "otdiv.wasserstein [s]": t_ours, "ot.emd2 [s]": t_pot,
                     "otdiv / POT": t_ours / t_pot,
                     "relative difference": abs(ours_value - pot_value) / pot_value})
    return write_results(
        "exact_wasserstein", "2-D W_1: otdiv.wasserstein (validated, certified) vs ot.emd2",
        ["n = m", "otdiv.wasserstein [s]", "ot.emd2 [s]", "otdiv / POT", "relative difference"],
        rows,
        notes="Both include building the Euclidean cost matrix; otdiv also validates the input "
              "and certifies the answer (marginals, and the gap between the plan's cost and "
              "the value of exactly feasible c-transformed potentials). Goal: otdiv / POT "
              "<= 1.1.")


def assignment_vs_brute_force(sizes=range(4, 11)):
    from otdiv import brute_force_assignment, solve_assignment

    rows = []
    for n in sizes:
        cost = np.random.default_rng(n).random((n, n))
        repeats = 3 if n >= 9 else 5
        t_fast = median_time(lambda: solve_assignment(cost), repeats=repeats)
        t_slow = median_time(lambda: brute_force_assignment(cost), repeats=repeats, warmup=0)
        same = solve_assignment(cost).cost == brute_force_assignment(cost).cost
        rows.append({"n": n, "n!": float(np.prod(np.arange(1, n + 1))),
                     "solve_assignment [s]": t_fast, "brute_force_assignment [s]": t_slow,
                     "brute / Hungarian": t_slow / t_fast, "same optimum": same})
    return write_results(
        "exact_assignment", "The bakery problem grows factorially: Hungarian vs enumeration",
        ["n", "n!", "solve_assignment [s]", "brute_force_assignment [s]", "brute / Hungarian",
         "same optimum"], rows)


if __name__ == "__main__":
    parse_command_line(__doc__)
    wasserstein_vs_pot()
    assignment_vs_brute_force()
