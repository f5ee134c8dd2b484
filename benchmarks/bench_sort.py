"""Speed of the 1-D sort core and of the 1-D distances from n = 10^3 to 10^7 (issue 17).

Two tables, each measured twice: with NumPy as installed (on x86-64 with AVX2, NumPy >= 2
sorts floats with the vectorised x86-simd-sort) and, in a child process, with NumPy's SIMD
dispatch disabled (``NPY_DISABLE_CPU_FEATURES``), which stands in for a machine where
``np.sort`` is scalar and slower. otdiv's size rule (``otdiv.exact._sorting``) picks the sort
per environment, so the second run shows what the rule does there.

* ``sort_speed``: ``np.sort`` against otdiv's ``sort_values`` (the rule) and the radix sort
  forced, and the stable argsort (``np.argsort(kind="stable")``) against the radix argsort.
* ``onedim_speed``: 1-D W_1 and energy distance of otdiv against the two ``np.sort`` calls
  they cannot avoid, ``scipy.stats.wasserstein_distance`` / ``energy_distance`` and POT.

Every cell is the median of several runs, all the functions of a row timed in alternation
(ABCABC...) so that a slow stretch of this shared machine hits them alike. The time of
``np.sort`` on 10^6 normal doubles is recorded with each table: ratios against scipy and
POT scale with it.

Run: ``.venv/bin/python benchmarks/bench_sort.py`` (``--quick``: n <= 10^5, fewer repeats).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from _harness import RESULTS, parse_command_line, positive_int, write_results


def _arguments(parser):
    parser.add_argument("--quick", action="store_true", help="n <= 10^5, fewer repeats")
    parser.add_argument("--max-n", type=positive_int, default=None, metavar="N",
                        help="largest n (default 10^7; 10^5 with --quick)")
    parser.add_argument("--rerun-scalar", action="store_true",
                        help="keep the vectorised rows of the last results, measure the "
                             "scalar ones again")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)


ARGS = parse_command_line(__doc__, _arguments, [] if __name__ != "__main__" else None)
QUICK = ARGS.quick
CHILD = ARGS.child
RERUN_SCALAR = ARGS.rerun_scalar
MAX_N = ARGS.max_n or (10**5 if QUICK else 10**7)
SIZES = [n for n in (10**3, 10**4, 10**5, 10**6, 10**7) if n <= MAX_N]
SCALAR_NUMPY = "X86_V3 X86_V4 AVX512_ICL AVX512_SPR AVX512_SKX AVX512F AVX2"


def repeats_for(n: int) -> int:
    if QUICK:
        return 3
    return 3 if n >= 10**7 else 7


def alternating_medians(functions: dict, repeats: int) -> dict:
    """Median seconds of each function, timed in turn (ABC ABC ...) after one warm-up each."""
    for function in functions.values():
        function()
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            gc.collect()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def np_sort_time_of_a_million() -> float:
    values = np.random.default_rng(1).normal(size=10**6)
    return alternating_medians({"np.sort": lambda: np.sort(values)}, 9)["np.sort"]


def sort_rows(environment: str) -> list[dict]:
    from otdiv.exact import _sorting

    rng = np.random.default_rng(20261130)
    rows = []
    for n in SIZES:
        values = rng.normal(size=n)
        weights = rng.random(n)

        def stable_argsort_and_gather():
            order = np.argsort(values, kind="stable")
            return values[order], weights[order]

        def radix_argsort_and_gather():
            ordered, order = _sorting.argsort_values(values, "radix")
            return ordered, weights[order]

        times = alternating_medians({
            "np.sort": lambda: np.sort(values),
            "otdiv sort (rule)": lambda: _sorting.sort_values(values),
            "radix sort": lambda: _sorting.sort_values(values, "radix"),
            "np.argsort stable + gather": stable_argsort_and_gather,
            "radix argsort + gather": radix_argsort_and_gather,
        }, repeats_for(n))
        rule = _sorting._method("auto", n, permutation=False)
        rows.append({"numpy sort": environment, "n": n, **times,
                     "rule picks": rule,
                     "radix / np.sort": times["radix sort"] / times["np.sort"],
                     "radix argsort / stable argsort": times["radix argsort + gather"]
                     / times["np.argsort stable + gather"]})
    return rows


def onedim_rows(environment: str) -> list[dict]:
    import ot
    import scipy.stats

    import otdiv

    rng = np.random.default_rng(20261127)
    rows = []
    for n in SIZES:
        u, v = rng.normal(size=n), rng.standard_t(5, size=n) + 0.1
        times = alternating_medians({
            "otdiv W_1": lambda: otdiv.wasserstein_1d(u, v),
            "np.sort(u), np.sort(v)": lambda: (np.sort(u), np.sort(v)),
            "scipy W_1": lambda: scipy.stats.wasserstein_distance(u, v),
            "ot.emd2_1d": lambda: ot.emd2_1d(u, v, metric="euclidean"),
            "otdiv energy": lambda: otdiv.energy_distance(u, v),
            "scipy energy": lambda: scipy.stats.energy_distance(u, v),
        }, repeats_for(n))
        sorts = times["np.sort(u), np.sort(v)"]
        rows.append({"numpy sort": environment, "n = m": n, **times,
                     "W_1 / sorts": times["otdiv W_1"] / sorts,
                     "scipy W_1 / otdiv": times["scipy W_1"] / times["otdiv W_1"],
                     "POT / otdiv": times["ot.emd2_1d"] / times["otdiv W_1"],
                     "scipy energy / otdiv": times["scipy energy"] / times["otdiv energy"]})
    return rows


def measure(environment: str) -> dict:
    return {"np_sort_1e6": np_sort_time_of_a_million(), "sort": sort_rows(environment),
            "onedim": onedim_rows(environment)}


def scalar_numpy_run() -> dict:
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": SCALAR_NUMPY}
    args = [sys.executable, __file__, "--child", f"--max-n={MAX_N}"] + (
        ["--quick"] if QUICK else [])
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


SORT_COLUMNS = ["numpy sort", "n", "np.sort", "otdiv sort (rule)", "radix sort", "rule picks",
                "radix / np.sort", "np.argsort stable + gather", "radix argsort + gather",
                "radix argsort / stable argsort"]
ONEDIM_COLUMNS = ["numpy sort", "n = m", "otdiv W_1", "np.sort(u), np.sort(v)", "W_1 / sorts",
                  "scipy W_1", "scipy W_1 / otdiv", "ot.emd2_1d", "POT / otdiv",
                  "otdiv energy", "scipy energy", "scipy energy / otdiv"]


def main():
    if CHILD:
        print(json.dumps(measure("scalar (SIMD disabled)")))
        return
    from otdiv.exact import _sorting

    if RERUN_SCALAR:
        kept = {name: [row for row in json.loads((RESULTS / f"{name}.json").read_text())["rows"]
                       if row["numpy sort"] != "scalar (SIMD disabled)"]
                for name in ("sort_speed", "onedim_speed")}
        installed = {"np_sort_1e6": np_sort_time_of_a_million(), "sort": kept["sort_speed"],
                     "onedim": kept["onedim_speed"]}
    else:
        installed = measure("vectorised" if _sorting.numpy_sort_is_vectorised() else "scalar")
        (RESULTS / "sort_installed_numpy.json").write_text(json.dumps(installed, indent=1))
    scalar = scalar_numpy_run()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    machine_note = (
        f"`np.sort` of 10^6 normal doubles on this machine: "
        f"{installed['np_sort_1e6'] * 1e3:.1f} ms as installed, "
        f"{scalar['np_sort_1e6'] * 1e3:.1f} ms with NumPy's SIMD sort disabled "
        f"(`NPY_DISABLE_CPU_FEATURES`). Every ratio against scipy and POT depends on it. "
        f"Times in seconds, medians of {repeats_for(10**6)} runs "
        f"({repeats_for(10**7)} at 10^7) timed in alternation. Load average at the end: "
        f"{load} on {os.cpu_count()} CPUs shared with other jobs: absolute times are noisy, "
        f"same-row ratios less so.")
    write_results("sort_speed", "1-D sort core: otdiv's sorts against NumPy's",
                  SORT_COLUMNS, installed["sort"] + scalar["sort"],
                  notes="`rule picks` is what `otdiv.exact._sorting.sort_values` uses at that "
                        "size; the argsort rows include gathering the weights, as the "
                        "weighted distances do. " + machine_note)
    write_results("onedim_speed", "1-D W_1 and energy distance against the sorts, scipy and POT",
                  ONEDIM_COLUMNS, installed["onedim"] + scalar["onedim"],
                  notes="`W_1 / sorts` is otdiv's time over the two `np.sort` calls (issue 17 "
                        "goal at n = 10^6: at most 0.6). " + machine_note)


if __name__ == "__main__":
    main()
