"""Numba threading layers for otdiv's parallel kernels: speed, fork safety, thread safety.

Each layer runs in a fresh subprocess (the layer is fixed at the first parallel launch):
the median time of the parallel exact energy kernels on two 2-D samples of 4000 points
(``otdiv._kernels.energy``, about 24 million distances), whether a ``multiprocessing`` fork
child can run the same kernel after the parent did (a hang or kill is "no" after 60 s), and
whether four Python threads calling the kernel at once all get the serial answer. The layer
otdiv chooses at import (``otdiv._kernels.THREADING_LAYER_CHOICE``) is explained in
``otdiv/_kernels/__init__.py``.

Run: ``.venv/bin/python benchmarks/bench_threading_layer.py``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from _harness import parse_command_line, write_results

PROBE = textwrap.dedent(r"""
    import json, statistics, sys, threading, time, multiprocessing
    layer = sys.argv[1]
    import numba
    import numpy as np
    import otdiv
    from otdiv._kernels import energy
    numba.config.THREADING_LAYER = layer
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4000, 2)), rng.normal(1.0, size=(4000, 2))
    w = np.full(4000, 1 / 4000)
    x_t, y_t = np.ascontiguousarray(x.T), np.ascontiguousarray(y.T)

    def kernel():
        return (energy.cross_distance_sum(x, w, y_t, w), energy.within_distance_sum(x, x_t, w))

    try:
        reference = kernel()
    except Exception as error:
        print(json.dumps({"layer": layer, "available": False, "error": str(error)[:80]}))
        sys.exit(0)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        kernel()
        times.append(time.perf_counter() - start)
    small = np.ascontiguousarray(x_t[:, :10])
    energy.cross_distance_sum_serial(x[:10], w[:10], small, w[:10])  # compile
    energy.within_distance_sum_serial(x[:10], small, w[:10])
    serial = time.perf_counter()
    energy.cross_distance_sum_serial(x, w, y_t, w)
    energy.within_distance_sum_serial(x, x_t, w)
    serial = time.perf_counter() - serial
    row = {"layer": layer, "available": True, "reported": numba.threading_layer(),
           "median (s)": statistics.median(times), "serial twin (s)": serial}
    print(json.dumps(row), flush=True)
""")

FORK = textwrap.dedent(r"""
    import sys, multiprocessing
    import numba
    import numpy as np
    from otdiv._kernels import energy
    numba.config.THREADING_LAYER = sys.argv[1]
    x = np.random.default_rng(0).normal(size=(1000, 2)); w = np.full(1000, 1e-3)
    x_t = np.ascontiguousarray(x.T)
    def run(_):
        return energy.within_distance_sum(x, x_t, w)
    parent = run(0)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        print(pool.map_async(run, range(2)).get(timeout=60) == [parent, parent])
""")

THREADS = textwrap.dedent(r"""
    import sys, threading
    import numba
    import numpy as np
    from otdiv._kernels import energy
    numba.config.THREADING_LAYER = sys.argv[1]
    x = np.random.default_rng(0).normal(size=(1000, 2)); w = np.full(1000, 1e-3)
    x_t = np.ascontiguousarray(x.T)
    parent = energy.within_distance_sum(x, x_t, w)
    results = []
    def work():
        for _ in range(10):
            results.append(energy.within_distance_sum(x, x_t, w))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads: thread.start()
    for thread in threads: thread.join()
    print(len(results) == 40 and all(value == parent for value in results))
""")


def run(script: str, layer: str) -> tuple[str, str]:
    try:
        done = subprocess.run([sys.executable, "-c", script, layer], capture_output=True,
                              text=True, timeout=120, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return "hang", ""
    output = done.stdout.strip().splitlines()
    if done.returncode != 0 or not output:
        last = (done.stderr.strip().splitlines() or ["killed"])[-1]
        return f"no (exit {done.returncode})", last[:100]
    return output[-1], ""


def main() -> None:
    rows = []
    for layer in ("tbb", "omp", "workqueue"):
        speed, _ = run(PROBE, layer)
        try:
            row = json.loads(speed)
        except json.JSONDecodeError:
            row = {"layer": layer, "available": False, "error": speed}
        if row.get("available"):
            fork, _ = run(FORK, layer)
            threads, why = run(THREADS, layer)
            row["fork child works"] = "yes" if fork == "True" else fork
            row["4 threads at once"] = "yes" if threads == "True" else f"{threads} {why}"
        rows.append(row)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import otdiv._kernels as kernels
    write_results(
        "threading_layer", "Numba threading layers: parallel energy kernel, fork and threads",
        ["layer", "reported", "median (s)", "serial twin (s)", "fork child works",
         "4 threads at once", "available"], rows,
        notes=(f"Parallel exact energy sums (cross + within) on 4000 x 2 points, median of 7. "
               f"otdiv chooses `{kernels.THREADING_LAYER_CHOICE}` on this machine. "
               f"1-minute load average during the run: {load:.2f} on {os.cpu_count()} CPUs "
               f"(timings under load are noisy)."))


if __name__ == "__main__":
    parse_command_line(__doc__)
    main()
