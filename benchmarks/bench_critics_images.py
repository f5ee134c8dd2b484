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
import json
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def _seconds(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


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


def table(rows) -> str:
    lines = ["| n vs n | d | exact W_1 (s) | verify_critic (s) | ot.emd2 (s) | W_1 |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['n']} | {row['d']} | {row['exact_seconds']:.2f} | "
                     f"{row['verify_seconds']:.2f} | {row['emd2_seconds']:.2f} | "
                     f"{row['exact_w1']:.4f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 500 vs 500")
    args = parser.parse_args()
    rows = run((500,) if args.quick else (2500, 5000))
    text = table(rows)
    print(text)
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "critics_images.json").write_text(json.dumps(rows, indent=1) + "\n")
        (RESULTS / "critics_images.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
