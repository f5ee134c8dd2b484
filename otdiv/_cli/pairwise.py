"""``otdiv pairwise``: the distance matrix of the samples in several files."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._atomic import atomic_write
from . import add_common_options

if TYPE_CHECKING:
    from .._sample_results import PairwiseResult
from ._args import output_file
from ._executors import add_executor_options, checked_workers, executor_for
from .distance import add_metric_options, check_one_dimensional, checked_metric
from .verify import load_array

OUT_SUFFIXES = (".npy", ".csv")
PRINTED_MATRIX_LIMIT = 12  # larger matrices are summarised, not printed


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pairwise", help="the distance matrix of many sample files",
        description="Load every FILE (.npy without pickle, or .csv; shape (n,) or (n, d), "
                    "all of the same dimension) and compute the matrix of distances between "
                    "them, serially, on --workers local processes, or on a Dask cluster "
                    "(--scheduler). Exit status 0 on success, 1 if a solver fails its "
                    "certificate, 2 on bad input.")
    parser.add_argument("files", type=Path, nargs="+", metavar="FILE", help="sample files")
    add_metric_options(parser)
    parser.add_argument("--out", type=Path, default=None, metavar="FILE",
                        help="write the matrix to exactly FILE (.npy, or .csv with commas; the "
                             "suffix in any case, none is added), replacing it in one "
                             "rename; checked before any work, and never one of the "
                             "input FILEs")
    add_executor_options(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def _checked_out(out: Path | None, files: Sequence[Path]) -> Path | None:
    """The --out file, checked before any work (see :func:`otdiv._cli._args.output_file`)."""
    if out is None:
        return None
    return output_file(out, "--out", suffixes=OUT_SUFFIXES,
                       inputs=[(f"FILE {index + 1}", path) for index, path in enumerate(files)])


def _write(out: Path, matrix: np.ndarray) -> None:
    """The matrix at exactly ``out`` (no suffix added), replacing it in one rename."""
    with atomic_write(out) as handle:
        if out.suffix.lower() == ".npy":
            np.save(handle, matrix)
        else:
            np.savetxt(handle, matrix, delimiter=",", fmt="%.17g")


def _summary(result: PairwiseResult, files: Sequence[Path], out: Path | None) -> str:
    matrix = result.matrix
    lines = [f"{result.metric} distances between {len(files)} samples "
             f"({', '.join(f'{key}={value}' for key, value in result.options.items())})"]
    width = len(str(len(files)))
    if len(files) <= PRINTED_MATRIX_LIMIT and matrix.shape[1] <= PRINTED_MATRIX_LIMIT:
        lines += [f"  {index + 1:>{width}}  {path}" for index, path in enumerate(files)]
        lines.append(f"  {'':>{width}} " + "".join(f"{index + 1:>11}"
                                                  for index in range(matrix.shape[1])))
        lines += [f"  {index + 1:>{width}} " + "".join(f" {value:10.4g}" for value in row)
                  for index, row in enumerate(matrix)]
    else:
        off_diagonal = matrix[np.eye(*matrix.shape) == 0]
        lines.append(f"matrix {matrix.shape[0]} x {matrix.shape[1]}: min "
                     f"{off_diagonal.min():.4g}, median {np.median(off_diagonal):.4g}, max "
                     f"{off_diagonal.max():.4g} (off the diagonal)")
    if out is not None:
        lines.append(f"matrix written to {out}")
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    from ..distance_matrix import pairwise

    metric, p, options = checked_metric(args)
    workers = checked_workers(args)
    out = _checked_out(args.out, args.files)
    for index, path in enumerate(args.files):
        if not path.is_file():
            raise FileNotFoundError(f"FILE {index + 1}: no such file {str(path)!r}")
    samples = [load_array(path, f"FILE {index + 1} ({path})")
               for index, path in enumerate(args.files)]
    check_one_dimensional(metric, ((f"FILE {index + 1} ({path})", sample)
                                   for index, (path, sample) in enumerate(zip(args.files,
                                                                              samples))))
    with executor_for(args, workers) as executor:
        result = pairwise(samples, metric=metric, p=p, executor=executor,
                          progress=not args.no_progress, **options)
    if out is not None:
        _write(out, result.matrix)
    payload = {"metric": result.metric, "options": dict(result.options),
               "files": [str(path) for path in args.files], "matrix": result.matrix,
               "out": None if out is None else str(out)}
    for name in ("duality_gap", "standard_error"):
        if getattr(result, name) is not None:
            payload[name] = getattr(result, name)
    return _summary(result, args.files, out), payload
