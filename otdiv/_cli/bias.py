"""``otdiv bias``: the Bernoulli gradient-bias benchmark (Cramér distance vs Wasserstein)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import write_text
from ..bias._validation import MAX_SAMPLE_SIZE
from . import CheckFailed, add_common_options, integer, markdown_table, output_folder, real
from ._args import add_deprecated_alias
from ._executors import add_executor_options, checked_workers, executor_for

#: The Cramér expected gradient must equal its true gradient to this accuracy (exit 1 if not).
CRAMER_TOLERANCE = 1e-12
#: Upper limits that keep a typo from asking for days of work or terabytes of memory: the
#: sweep is O(grid * sum(m)), the SGD O(runs * steps) time and O(runs * 400) memory.
MAX_GRID = 10_000
MAX_STEPS = 10**8
MAX_RUNS = 10**5


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bias", help="reproduce the biased Wasserstein / unbiased Cramér sample gradients",
        description="Exact minimisers of the expected minibatch loss for Bernoulli targets "
                    "(W_1 against Cramér), the expected sample gradient against the true "
                    "gradient, and SGD runs (Bellemare et al. 2017, arXiv:1705.10743). "
                    "Exit status 1 if the Cramér gradient is not unbiased to 1e-12.")
    parser.add_argument("--prob", type=real(0.0, 1.0, what="a probability"), nargs="+",
                        default=[0.6, 0.9], metavar="PROB",
                        help="target success probabilities in [0, 1] (default: 0.6 0.9)")
    # --p: the spelling before --p meant only the distance order (kept one release).
    add_deprecated_alias(parser, "--p", "--prob", "prob", nargs="+", metavar="PROB",
                         type=real(0.0, 1.0, what="a probability"))
    parser.add_argument("--m", type=integer(1, MAX_SAMPLE_SIZE, what="a minibatch size"),
                        nargs="+", default=[1, 2, 3, 5, 10, 100], metavar="M",
                        help="minibatch sizes (default: 1 2 3 5 10 100)")
    parser.add_argument("--grid", type=integer(0, MAX_GRID), default=19, metavar="N",
                        help="also sweep p = i/(N+1), i = 1..N (0: skip; default 19: "
                             "p = 0.05..0.95)")
    parser.add_argument("--out", type=output_folder, default=None, metavar="FOLDER",
                        help="folder for the tables (.md, .json) and figures (.png); "
                             "created if missing")
    parser.add_argument("--sgd-m", type=integer(1, MAX_SAMPLE_SIZE, what="a minibatch size"),
                        default=1, help="minibatch size of the SGD runs (default 1)")
    parser.add_argument("--steps", type=integer(1, MAX_STEPS), default=2000,
                        help="SGD steps (default 2000)")
    parser.add_argument("--lr", type=real(0.0, lower_inclusive=False), default=0.01,
                        help="SGD step size (default 0.01)")
    parser.add_argument("--runs", type=integer(1, MAX_RUNS), default=200,
                        help="SGD runs per setting (default 200)")
    parser.add_argument("--seed", type=integer(0, what="a random seed"), default=0,
                        help="seed of the SGD minibatches (default 0)")
    add_executor_options(parser)  # for the p-grid sweep, one task per minibatch size
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


MINIMIZER_COLUMNS = ["p", "m", "W1 minimiser", "Cramer minimiser", "E W1 grad at p",
                     "E Cramer grad at p"]
GRID_COLUMNS = ["m", "W1 gap", "worst p", "sup W1 bias", "sup W1 bias, 0.1 from p",
                "sup Cramer bias"]


def bias_report(p_values: Sequence[float], m_values: Sequence[int], *, grid: int = 19,
                out: Path | None = None, sgd_m: int = 1, steps: int = 2000, lr: float = 0.01,
                runs: int = 200, seed: int = 0, progress: bool = True, executor: Any = None
                ) -> tuple[str, dict[str, Any]]:
    """Compute the tables, SGD runs and (with ``out``) the figures; return (summary, payload).

    ``executor`` runs the p-grid sweep (see :func:`otdiv.bias.tables.grid_rows`)."""
    from .._validation import check_int, check_real
    from ..bias import bernoulli_sgd
    from ..bias._validation import check_probability, check_sample_size
    from ..bias.tables import grid_rows, minimizer_rows

    p_values = [check_probability(p, "--prob") for p in p_values]
    m_values = [check_sample_size(m, "--m") for m in m_values]
    check_int(grid, "--grid", lower=0, upper=MAX_GRID)
    check_sample_size(sgd_m, "--sgd-m")
    check_int(steps, "--steps", lower=1, upper=MAX_STEPS)
    check_real(lr, "--lr", lower=0.0, lower_inclusive=False)
    check_int(runs, "--runs", lower=1, upper=MAX_RUNS)
    check_int(seed, "--seed", lower=0)
    if out is not None:
        try:
            out = output_folder(str(out))
        except argparse.ArgumentTypeError as error:
            raise ValueError(f"--out: {error}") from None
    rows = minimizer_rows(p_values, m_values)
    # i / (grid + 1) is the double nearest to the rational, as is k / m: equal rationals
    # compare equal, so a minimiser k/m = p shows a gap of exactly 0.
    p_grid = np.arange(1, grid + 1) / (grid + 1) if grid else np.array([])
    sweep = grid_rows(m_values, p_grid, progress=progress, executor=executor) if grid else []

    runs_by_setting = []
    for p in p_values:
        for distance in ("wasserstein", "cramer"):
            result = bernoulli_sgd(p, sgd_m, distance=distance, steps=steps, learning_rate=lr,
                                   n_runs=runs, rng=np.random.default_rng([seed, int(p * 1e6)]),
                                   record_every=max(1, steps // 400), progress=progress)
            runs_by_setting.append(result)
    sgd_rows = [{"p": r.target, "distance": r.distance, "m": sgd_m,
                 "final mean": float(r.final.mean()),
                 "final sd": float(r.final.std(ddof=1)) if runs > 1 else 0.0}
                for r in runs_by_setting]

    lines = ["Minimisers of the expected minibatch loss E_k L(Ber(k/m), Ber(theta)), "
             "k ~ Bin(m, p) (exact):", "", markdown_table(MINIMIZER_COLUMNS, rows)]
    if sweep:
        lines += ["", f"Worst case over p = i/{grid + 1}, i = 1..{grid} (gap = distance "
                  "from p to the W1 minimisers; bias over 201 values of theta):", "",
                  markdown_table(GRID_COLUMNS, sweep)]
    lines += ["", f"SGD, {runs} runs of {steps} steps, lr = {lr:g}, minibatch m = {sgd_m}, "
              "from theta = 0.5:", "",
              markdown_table(["p", "distance", "final mean", "final sd"], sgd_rows)]
    files_written: list[str] = []
    payload = {"minimizers": rows, "grid": sweep, "sgd": sgd_rows, "files": files_written}

    if out is not None:
        from ..bias.figures import plot_expected_gradients, plot_sgd_trajectories
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "minimizers.md": markdown_table(MINIMIZER_COLUMNS, rows) + "\n",
            "grid.md": (markdown_table(GRID_COLUMNS, sweep) + "\n") if sweep else "",
            "bias.json": json.dumps({"minimizers": rows, "grid": sweep, "sgd": sgd_rows},
                                    indent=2) + "\n",
        }
        for name, text in files.items():
            if text:
                write_text(out / name, text)
                files_written.append(str(out / name))
        plot_expected_gradients(p_values, m_values[:4], path=out / "expected_gradients.png")
        plot_sgd_trajectories(runs_by_setting, path=out / "sgd_trajectories.png")
        files_written += [str(out / "expected_gradients.png"),
                          str(out / "sgd_trajectories.png")]
        lines += ["", "Wrote " + ", ".join(files_written)]

    worst_cramer = max([abs(row["E Cramer grad at p"]) for row in rows]
                       + [row["sup Cramer bias"] for row in sweep])
    payload["max_cramer_bias"] = worst_cramer
    summary = "\n".join(lines)
    if worst_cramer > CRAMER_TOLERANCE:
        raise CheckFailed(summary + f"\n\nFAILED: Cramér bias {worst_cramer:.3g} > "
                          f"{CRAMER_TOLERANCE:g}", payload)
    return summary, payload


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    workers = checked_workers(args)
    with executor_for(args, workers) as executor:
        return bias_report(args.prob, args.m, grid=args.grid, out=args.out, sgd_m=args.sgd_m,
                           steps=args.steps, lr=args.lr, runs=args.runs, seed=args.seed,
                           progress=not (args.no_progress or args.json), executor=executor)
