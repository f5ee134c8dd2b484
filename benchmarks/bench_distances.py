"""Speed of otdiv's 1-D closed forms, exact/sliced energy distance and sliced Wasserstein.

Side by side with scipy, POT and dcor on the same data in the same run (medians), plus the
peak memory of a 2-D exact energy distance with n = m = 100 000 and the first-call compile
time of each Numba kernel family (measured in fresh subprocesses with an empty cache).

Run: ``.venv/bin/python benchmarks/bench_distances.py`` (add ``--quick`` for small sizes).
"""

from __future__ import annotations

# otdiv before dcor: importing dcor compiles a parallel Numba kernel, which fixes Numba's
# threading layer before otdiv can select TBB (the layer otdiv's users get).
import otdiv

# isort: split
import json
import os
import subprocess
import sys
import tempfile
import textwrap

import dcor
import numpy as np
import ot
import scipy.stats
from _harness import median_time, parse_command_line, write_results


def _arguments(parser):
    parser.add_argument("--quick", action="store_true", help="small sizes")


QUICK = parse_command_line(__doc__, _arguments, [] if __name__ != "__main__" else None).quick
N_1D = 10**5 if QUICK else 10**6
N_2D = 1000 if QUICK else 5000
N_BIG = 10**4 if QUICK else 10**5
REPEATS = 5


def speed_row(task, n, ours, peer_name, peer, goal=None):
    row = {"task": task, "n = m": n, "otdiv (s)": ours, "peer": peer_name,
           "peer (s)": peer, "speed-up": peer / ours}
    if goal is not None:
        row["goal"] = goal
    return row


def one_dimensional_rows(rng):
    u, v = rng.normal(size=N_1D), rng.standard_t(5, size=N_1D) + 0.1
    ours = median_time(lambda: otdiv.wasserstein_1d(u, v), repeats=REPEATS)
    rows = [
        speed_row("W_1, 1-D", N_1D, ours, "np.sort(u), np.sort(v)",
                  median_time(lambda: (np.sort(u), np.sort(v)), repeats=REPEATS),
                  "otdiv <= 0.6x the two sorts (speed-up >= 1.67; issue 17)"),
        speed_row("W_1, 1-D", N_1D, ours, "scipy.stats.wasserstein_distance",
                  median_time(lambda: scipy.stats.wasserstein_distance(u, v), repeats=REPEATS),
                  ">= 10x"),
        speed_row("W_1, 1-D", N_1D, ours, "ot.emd2_1d (metric='euclidean')",
                  median_time(lambda: ot.emd2_1d(u, v, metric="euclidean"), repeats=REPEATS),
                  ">= 5x"),
        speed_row("W_1, 1-D", N_1D, ours, "ot.wasserstein_1d (p=1)",
                  median_time(lambda: ot.wasserstein_1d(u, v, p=1), repeats=REPEATS)),
    ]
    # the two samples are sorted concurrently when large (otdiv.exact._sorting), so otdiv
    # can beat the two sequential np.sort calls; see bench_sort.py for n = 1e3 .. 1e7
    rows[0]["speed-up"] = rows[0]["peer (s)"] / ours
    u_w, v_w = rng.random(N_1D), rng.random(N_1D)
    rows.append(speed_row(
        "W_2, 1-D, weighted", N_1D,
        median_time(lambda: otdiv.wasserstein_1d(u, v, u_w, v_w, p=2), repeats=REPEATS),
        "ot.wasserstein_1d (p=2)",
        median_time(lambda: ot.wasserstein_1d(u, v, u_w / u_w.sum(), v_w / v_w.sum(), p=2),
                    repeats=REPEATS)))
    rows.append(speed_row(
        "energy, 1-D", N_1D, median_time(lambda: otdiv.energy_distance(u, v), repeats=REPEATS),
        "scipy.stats.energy_distance",
        median_time(lambda: scipy.stats.energy_distance(u, v), repeats=REPEATS), ">= 5x"))
    rows.append(speed_row(
        "Cramér ℓ_2, 1-D, weighted", N_1D,
        median_time(lambda: otdiv.cramer_distance(u, v, u_w, v_w), repeats=REPEATS),
        "scipy.stats.energy_distance / sqrt 2",
        median_time(lambda: scipy.stats.energy_distance(u, v, u_w, v_w), repeats=REPEATS)))
    return rows


def two_dimensional_rows(rng):
    x, y = rng.normal(size=(N_2D, 2)), rng.normal(0.2, size=(N_2D, 2))
    ours = median_time(lambda: otdiv.energy_distance(x, y, squared=True, method="exact"),
                       repeats=REPEATS)
    peer = median_time(lambda: dcor.energy_distance(x, y), repeats=3)
    rows = [speed_row("energy, 2-D, exact", N_2D, ours, "dcor.energy_distance", peer,
                      ">= 30x")]
    big_x, big_y = rng.normal(size=(N_BIG, 2)), rng.normal(0.2, size=(N_BIG, 2))
    rows.append(speed_row(
        "energy, 2-D, sliced (200 directions)", N_BIG,
        median_time(lambda: otdiv.sliced_energy_distance(big_x, big_y, rng=0), repeats=3),
        "(no peer)", float("nan")))
    projections = ot.sliced.get_random_projections(2, 200, seed=0)
    rows.append(speed_row(
        "sliced W_2, 2-D (200 directions)", N_BIG,
        median_time(lambda: otdiv.sliced_wasserstein(big_x, big_y, rng=0).value, repeats=3),
        "ot.sliced_wasserstein_distance",
        median_time(lambda: ot.sliced_wasserstein_distance(
            big_x, big_y, n_projections=200, projections=projections), repeats=3)))
    return rows


MEMORY_SCRIPT = textwrap.dedent("""
    import json, resource, sys, threading, time, tracemalloc
    import numpy as np
    import otdiv

    def resident_mb():  # current resident set size, Linux
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

    n = int(sys.argv[1])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(n, 2)), rng.normal(0.2, size=(n, 2))
    otdiv.energy_distance(x[:300], y[:300], method="exact")  # load the kernels first
    otdiv.energy_distance(x[:3000], y[:3000], method="exact")
    before = resident_mb()
    peak = [before]
    running = [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], resident_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    tracemalloc.start()
    start = time.perf_counter()
    value = otdiv.energy_distance(x, y, squared=True, method="exact")
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
    running[0] = False
    sampler.join()
    # VmHWM, unlike ru_maxrss, starts afresh at exec: the high-water mark of this process
    with open("/proc/self/status") as status:
        high_water = [line for line in status if line.startswith("VmHWM")][0]
    print(json.dumps({"value": value, "seconds": seconds, "traced_peak_mb": traced_peak,
                      "rss_before_mb": before, "rss_peak_mb": peak[0],
                      "high_water_mb": int(high_water.split()[1]) / 1024}))
""")


def memory_row():
    done = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(N_BIG)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    extra = result["rss_peak_mb"] - result["rss_before_mb"]
    return result, {
        "task": "energy, 2-D, exact", "n = m": N_BIG, "otdiv (s)": result["seconds"],
        "peer": "dcor.energy_distance (full distance matrices)",
        "peer (s)": float("nan"),
        "goal": (f"peak < 200 MB: the call adds {extra:.1f} MB to the process "
                 f"({result['rss_before_mb']:.0f} -> {result['rss_peak_mb']:.0f} MB resident, "
                 f"sampled every 5 ms; high-water mark of the whole process incl. imports "
                 f"{result['high_water_mb']:.0f} MB); dcor would need "
                 f"~{3 * 8 * N_BIG**2 / 1e9:.0f} GB"),
    }


COMPILE_SCRIPT = textwrap.dedent("""
    import json, time
    import numpy as np
    start = time.perf_counter()
    import otdiv
    imported = time.perf_counter() - start
    rng = np.random.default_rng(0)
    calls = {
        "onedim (uniform W_p, ℓ_p)": lambda: (otdiv.wasserstein_1d([0.0, 1.0], [2.0]),
                                              otdiv.cramer_distance([0.0, 1.0], [2.0])),
        "onedim (weighted W_p, ℓ_p)": lambda: (
            otdiv.wasserstein_1d([0.0, 1.0], [2.0], [1, 2], [1]),
            otdiv.cramer_distance([0.0, 1.0], [2.0], [1, 2], [1])),
        "energy (serial sums)": lambda: otdiv.energy_distance(rng.normal(size=(5, 2)),
                                                             rng.normal(size=(5, 2))),
        "energy (parallel sums)": lambda: otdiv.energy_distance(
            rng.normal(size=(2000, 2)), rng.normal(size=(2000, 2))),
    }
    times = {}
    for name, call in calls.items():
        start = time.perf_counter()
        call()
        times[name] = time.perf_counter() - start
    print(json.dumps({"import": imported, **times}))
""")


def compile_rows():
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        runs = [json.loads(subprocess.run([sys.executable, "-c", COMPILE_SCRIPT], env=env,
                                          capture_output=True, text=True,
                                          check=True).stdout) for _ in range(2)]
    return [{"kernel family": name, "first call, empty cache (s)": runs[0][name],
             "first call, cached (s)": runs[1][name]} for name in runs[0]]


def np_sort_milliseconds() -> float:
    """This machine's np.sort of 10^6 normal doubles: the 1-D ratios scale with it."""
    values = np.random.default_rng(1).normal(size=10**6)
    return 1e3 * median_time(lambda: np.sort(values), repeats=9)


def main():
    sort_ms = np_sort_milliseconds()
    rng = np.random.default_rng(20261127)
    rows = one_dimensional_rows(rng) + two_dimensional_rows(rng)
    _memory, row = memory_row()
    rows.append(row)
    columns = ["task", "n = m", "otdiv (s)", "peer", "peer (s)", "speed-up", "goal"]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    write_results("distances", "Sample distances: otdiv against scipy, POT and dcor", columns,
                  rows, notes="Speed-up = peer time / otdiv time (for the sort row: the sorts' "
                              "time / otdiv's). Same data, same run. `np.sort` of 10^6 normal "
                              f"doubles took {sort_ms:.1f} ms here: every 1-D ratio depends on "
                              "it (benchmarks/bench_sort.py covers n = 10^3 .. 10^7 and a "
                              "scalar np.sort). Load average "
                              f"at the end of the run: {load} (other jobs share the CPUs).")
    write_results("distances_compile", "Numba kernels: first-call time in a fresh process",
                  ["kernel family", "first call, empty cache (s)", "first call, cached (s)"],
                  compile_rows(), notes="Each row's first call compiles (empty "
                  "NUMBA_CACHE_DIR) or loads (second process, same cache) its kernels; "
                  "the `import` row is `import otdiv` itself.")


if __name__ == "__main__":
    main()
