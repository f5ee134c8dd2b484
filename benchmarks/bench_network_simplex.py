"""otdiv's network simplex (arc list, Numba) vs POT's ot.emd on the same dense problems,
and what a kept basis saves when arcs are added (a column-generation round).

Run: .venv/bin/python benchmarks/bench_network_simplex.py [sizes...]
(prints markdown tables; writes nothing). Uniform points in [0, 1]^2, uniform masses; the
arc list (all n * m arcs, row-major) is built once outside the timings, as POT's cost
matrix is. Times are medians of 3 runs taken in alternation (ours, POT, ours, ...).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import (
    format_table,
    median_time,
    paired_median_times,
    parse_command_line,
    positive_int,
)


def problem(n, metric):
    import ot

    rng = np.random.default_rng(n)
    x, y = rng.random((n, 2)), rng.random((n, 2))
    a = b = np.full(n, 1.0 / n)
    return a, b, ot.dist(x, y, metric=metric)


def side_by_side(sizes, repeats=3):
    import ot

    from otdiv.exact.network_simplex import solve_arcs

    rows = []
    for metric, label in (("sqeuclidean", "|x-y|^2"), ("euclidean", "|x-y|")):
        for n in sizes:
            a, b, cost = problem(n, metric)
            arc_rows, arc_columns = np.divmod(np.arange(n * n, dtype=np.int64), n)
            costs = cost.ravel()

            def ours():
                return solve_arcs(a, b, arc_rows, arc_columns, costs)

            def pot():
                return ot.emd(a, b, cost, numItermax=10**8, log=True)

            answer = ours()
            _, log = pot()
            t_ours, t_pot = paired_median_times(ours, pot, repeats=repeats)
            rows.append({"cost": label, "n = m": n, "otdiv [s]": t_ours, "ot.emd [s]": t_pot,
                         "otdiv / POT": t_ours / t_pot,
                         "pivots": answer.diagnostics["pivots"],
                         "relative difference": abs(answer.cost - log["cost"]) / log["cost"]})
    return format_table(["cost", "n = m", "otdiv [s]", "ot.emd [s]", "otdiv / POT", "pivots",
                         "relative difference"], rows)


def warm_start(sizes, repeats=3, keep=0.05):
    """Solve on the cheapest ``keep`` of each row's arcs, then on all arcs: cold vs warm."""
    from otdiv.exact.network_simplex import solve_arcs

    rows = []
    for n in sizes:
        a, b, cost = problem(n, "sqeuclidean")
        k = max(2, int(keep * n))
        cheap = np.argpartition(cost, k, axis=1)[:, :k]
        first_rows = np.repeat(np.arange(n), k)
        first_columns = cheap.ravel()
        # A feasible start: add the diagonal (uniform masses, n = m).
        first_rows = np.concatenate([first_rows, np.arange(n)])
        first_columns = np.concatenate([first_columns, np.arange(n)])
        first = solve_arcs(a, b, first_rows, first_columns, cost[first_rows, first_columns])
        arc_rows, arc_columns = np.divmod(np.arange(n * n, dtype=np.int64), n)
        costs = cost.ravel()
        cold = solve_arcs(a, b, arc_rows, arc_columns, costs)
        warm = solve_arcs(a, b, arc_rows, arc_columns, costs, basis=first.basis)
        assert abs(warm.cost - cold.cost) <= 1e-12 * cold.cost
        t_cold = median_time(lambda: solve_arcs(a, b, arc_rows, arc_columns, costs),
                             repeats=repeats, warmup=0)
        t_warm = median_time(lambda: solve_arcs(a, b, arc_rows, arc_columns, costs,
                                                basis=first.basis), repeats=repeats, warmup=0)
        rows.append({"n = m": n, "first round arcs": first_rows.size,
                     "first round [s]": first.diagnostics["time"],
                     "all arcs, cold [s]": t_cold, "all arcs, warm [s]": t_warm,
                     "cold pivots": cold.diagnostics["pivots"],
                     "warm pivots": warm.diagnostics["pivots"]})
    return format_table(["n = m", "first round arcs", "first round [s]", "all arcs, cold [s]",
                         "all arcs, warm [s]", "cold pivots", "warm pivots"], rows)


def main(argv=None):
    sizes = parse_command_line(__doc__, lambda parser: parser.add_argument(
        "sizes", type=positive_int, nargs="*", default=[500, 1000, 2000, 4000], metavar="n",
        help="problem sizes n = m (default 500 1000 2000 4000)"), argv).sizes
    print("### Dense problems: otdiv network simplex vs ot.emd\n")
    print(side_by_side(sizes))
    print("\n### Warm start: all n*m arcs after a round on each row's 5% cheapest arcs\n")
    print(warm_start(sizes))


if __name__ == "__main__":
    main()
