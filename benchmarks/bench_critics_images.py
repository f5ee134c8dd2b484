"""verify_critic on MNIST-5k (784-D): exact W_1, the whole certificate, and ot.emd2.

Prints a table (n vs n points, d, seconds for the exact W_1 inside otdiv, for the whole
``verify_critic`` and for ``ot.emd2`` on the same cost) and writes
``results/critics_images.{json,md}``. The data are the fixed split of
:func:`otdiv.datasets.mnist_5k` (needs the ``images`` extra); 5 000 vs 5 000 compares the
whole set with itself shifted by a small noise, since MNIST-5k holds 5 000 images.

Run: ``python benchmarks/bench_critics_images.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import write_results

REPEATS = 3


def _seconds(function):
    """Median seconds of ``REPEATS`` calls, and the last value."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def run(sizes) -> list[dict]:
    import ot

    from otdiv import verify_critic
    from otdiv.datasets import mnist_5k
    from otdiv.gan.evaluation import exact_w1

    train, test = mnist_5k("train").images, mnist_5k("test").images
    everything = mnist_5k("all").images
    noise = np.random.default_rng(0).uniform(0.0, 0.05, everything.shape)
    direction = np.random.default_rng(1).normal(size=everything.shape[1])

    def critic(x):
        return x @ direction / np.linalg.norm(direction)

    verify_critic(critic, train[:50], test[:50], progress=False)  # compile the kernels
    rows = []
    for n in sizes:
        if n <= train.shape[0]:
            x, y = train[:n], test[:n]
        else:
            x, y = everything[:n], np.clip(everything[:n] + noise[:n], 0.0, 1.0)
        exact_seconds, exact = _seconds(lambda: exact_w1(x, y))
        verify_seconds, report = _seconds(
            lambda: verify_critic(critic, x, y, held_out=(x[: n // 2], y[: n // 2]),
                                  progress=False))
        emd_seconds, emd = _seconds(lambda: ot.emd2(
            np.full(n, 1.0 / n), np.full(n, 1.0 / n), ot.dist(x, y, metric="euclidean"),
            numItermax=10**8))
        rows.append({"n": n, "d": x.shape[1], "exact_w1": exact,
                     "exact_seconds": exact_seconds, "verify_seconds": verify_seconds,
                     "emd2_seconds": emd_seconds, "emd2": float(emd),
                     "lipschitz": report.lipschitz})
        print(rows[-1], flush=True)
    return rows


COLUMNS = ["n vs n", "d", "exact W_1 [s]", "verify_critic [s]", "ot.emd2 [s]",
           "ot.emd2 / exact W_1", "W_1", "|difference| vs ot.emd2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 500 vs 500, not saved")
    args = parser.parse_args()
    rows = run((500,) if args.quick else (2500, 5000))
    table = [{"n vs n": row["n"], "d": row["d"], "exact W_1 [s]": row["exact_seconds"],
              "verify_critic [s]": row["verify_seconds"], "ot.emd2 [s]": row["emd2_seconds"],
              "ot.emd2 / exact W_1": row["emd2_seconds"] / row["exact_seconds"],
              "W_1": row["exact_w1"],
              "|difference| vs ot.emd2": abs(row["exact_w1"] - row["emd2"]) / row["emd2"]}
             for row in rows]
    if args.quick:
        print(table)
        return
    load = os.getloadavg()
    write_results(
        "critics_images", "verify_critic on MNIST-5k (784-D): exact W_1 vs ot.emd2",
        COLUMNS, table,
        notes="2 500 vs 2 500: the fixed train and test halves of otdiv.datasets.mnist_5k; "
              "5 000 vs 5 000: the whole set against itself plus uniform noise in [0, 0.05]. "
              "exact W_1 is otdiv's certified LP (method='auto', dense in 784-D); "
              "verify_critic includes it, the Lipschitz constant and a held-out estimate; "
              "ot.emd2 is timed with ot.dist. Load average at the end: "
              f"{load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} (2 CPUs).",
        timing=f"medians of {REPEATS} runs")


if __name__ == "__main__":
    main()
