"""``otdiv distance``: the distance between the samples in two files."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import add_common_options

if TYPE_CHECKING:
    import numpy as np
from .verify import load_array

METRICS = ("wasserstein", "energy", "cramer", "sliced_wasserstein", "sliced_energy")
# Each metric's own order, as its single-pair function and otdiv.pairwise have it
# (otdiv._pairwise_cores.DEFAULT_P; not imported here to keep `otdiv --help` fast).
DEFAULT_P = {"wasserstein": 1.0, "cramer": 2.0, "sliced_wasserstein": 2.0}
USES_P = tuple(DEFAULT_P)
SLICED = ("sliced_wasserstein", "sliced_energy")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "distance", help="the distance between the samples of two files",
        description="Load the samples of P and Q (.npy without pickle, or .csv; shape (n,) "
                    "or (n, d)) and print their distance. Exit status 0 on success, 1 if a "
                    "solver fails its certificate, 2 on bad input.")
    parser.add_argument("p_file", type=Path, metavar="P", help="samples of P")
    parser.add_argument("q_file", type=Path, metavar="Q", help="samples of Q")
    add_metric_options(parser)
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def add_metric_options(parser: argparse.ArgumentParser) -> None:
    """--metric, --p, --n-projections, --seed (strings, checked by ``checked_metric``)."""
    parser.add_argument("--metric", default="wasserstein", metavar="METRIC",
                        help=f"one of {', '.join(METRICS)} (default wasserstein)")
    parser.add_argument("--p", default=None, metavar="P",
                        help="order >= 1 for wasserstein, cramer, sliced_wasserstein (default: "
                             "the metric's own, as in Python: 1 for wasserstein, 2 for cramer "
                             "and sliced_wasserstein)")
    parser.add_argument("--n-projections", default=None, metavar="K",
                        help="directions of the sliced metrics (default 200)")
    parser.add_argument("--seed", default=None, metavar="SEED",
                        help="random seed of the sliced metrics (default: fresh entropy)")


def _number(text: str, flag: str, kind: Callable[[str], float]) -> float:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        name = "an integer" if kind is int else "a number"
        raise ValueError(f"{flag} must be {name}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise ValueError(f"{flag} must be finite, got {text!r}")
    return value


def checked_metric(args: argparse.Namespace) -> tuple[str, float | None, dict]:
    """``(metric, p, options)`` from the flags, or ValueError naming the flag; ``p`` is the
    metric's default when ``--p`` is not given, None for a metric without an order."""
    if args.metric not in METRICS:
        raise ValueError(f"--metric must be one of {', '.join(METRICS)}, got {args.metric!r}")
    if args.metric not in USES_P:
        if args.p is not None:
            raise ValueError(f"--p applies to {', '.join(USES_P)}, not to {args.metric}")
        p = None
    elif args.p is None:
        p = DEFAULT_P[args.metric]
    else:
        p = _number(args.p, "--p", float)
        if p < 1:
            raise ValueError(f"--p must be >= 1, got {args.p}")
    options = {}
    if (args.n_projections is not None or args.seed is not None) and args.metric not in SLICED:
        flag = "--n-projections" if args.n_projections is not None else "--seed"
        raise ValueError(f"{flag} applies to the sliced metrics only, not to {args.metric}")
    if args.n_projections is not None:
        options["n_projections"] = _number(args.n_projections, "--n-projections", int)
        if options["n_projections"] < 2:
            raise ValueError(f"--n-projections must be >= 2, got {args.n_projections}")
    if args.seed is not None:
        options["rng"] = _number(args.seed, "--seed", int)
        if options["rng"] < 0:
            raise ValueError(f"--seed must be a non-negative integer, got {args.seed}")
    return args.metric, p, options


#: Metrics defined between 1-D samples only (the others take points in any dimension).
ONE_DIMENSIONAL = ("cramer",)


def check_one_dimensional(metric: str, labelled: Iterable[tuple[str, np.ndarray]]) -> None:
    """Refuse samples of points in R^d, d >= 2, for a 1-D metric, naming --metric and the
    file (the library's own message names its arguments, u_values and v_values)."""
    if metric not in ONE_DIMENSIONAL:
        return
    for label, array in labelled:
        if array.ndim == 2 and array.shape[1] > 1:
            raise ValueError(f"--metric {metric} needs 1-D samples (one number per line, or "
                             f"an (n,) or (n, 1) array), got points in R^{array.shape[1]} "
                             f"in {label}")


def _distance(metric: str, p: float | None, options: dict[str, Any], u: np.ndarray, v: np.ndarray
              ) -> tuple[float, float | None]:
    import otdiv

    if metric == "wasserstein":
        return otdiv.wasserstein(u, v, p=p), None
    if metric == "cramer":
        return otdiv.cramer_distance(u, v, p=p), None
    if metric == "energy":
        return otdiv.energy_distance(u, v, method="exact"), None
    if metric == "sliced_wasserstein":
        result = otdiv.sliced_wasserstein(u, v, p=p, **options)
    else:
        result = otdiv.sliced_energy_distance(u, v, **options)
    return float(result.value), result.standard_error


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    metric, p, options = checked_metric(args)
    for path, flag in ((args.p_file, "P"), (args.q_file, "Q")):
        if not path.is_file():
            raise FileNotFoundError(f"{flag}: no such file {str(path)!r}")
    u = load_array(args.p_file, "P")
    v = load_array(args.q_file, "Q")
    dimensions = [1 if array.ndim <= 1 else array.shape[-1] for array in (u, v)]
    if dimensions[0] != dimensions[1]:
        raise ValueError(f"P and Q must have the same dimension d, got points in "
                         f"R^{dimensions[0]} ({args.p_file}, shape {u.shape}) and "
                         f"R^{dimensions[1]} ({args.q_file}, shape {v.shape})")
    check_one_dimensional(metric, ((f"P ({args.p_file})", u), (f"Q ({args.q_file})", v)))
    value, standard_error = _distance(metric, p, options, u, v)
    label = {"wasserstein": "W_{p:g}", "cramer": "l_{p:g} (Cramér)", "energy": "energy D",
             "sliced_wasserstein": "SW_{p:g}", "sliced_energy": "sliced energy D"}[metric]
    label = label.format(p=p)
    summary = f"{label}(P, Q) = {value:.12g}"
    if standard_error is not None:
        summary += f" ± {standard_error:.3g} (standard error)"
    summary += f"   [P: {args.p_file}, Q: {args.q_file}]"
    payload = {"metric": metric, "value": value, "p": p,
               "standard_error": standard_error, "P": str(args.p_file), "Q": str(args.q_file)}
    return summary, payload
