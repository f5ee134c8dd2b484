"""Subcommands of the ``otdiv`` command, one module each.

A subcommand module defines ``add_parser(subparsers)``, which registers its parser with
``set_defaults(handler=...)``; the handler takes the parsed arguments and returns
``(summary_text, payload)`` (payload: JSON-serialisable dict) or raises. Shared options and
error handling live here so every subcommand behaves the same.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ..exact.kantorovich import SolverError

__all__ = ["add_common_options", "run", "CheckFailed", "to_jsonable", "non_negative_int",
           "markdown_table"]


class CheckFailed(Exception):
    """Raised by a handler whose result is computed but fails the check asked for (exit 1)."""

    def __init__(self, summary: str, payload: dict):
        super().__init__(summary)
        self.summary = summary
        self.payload = payload


def add_common_options(parser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print machine-readable JSON instead of the readable summary")


def non_negative_int(text: str) -> int:
    """An argparse type: a non-negative integer (random seeds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {value}")
    return value


def markdown_table(columns, rows, *, float_format: str = ".4g") -> str:
    """A markdown table of ``rows`` (dicts) in the order of ``columns``."""
    def cell(value):
        return format(value, float_format) if isinstance(value, float) else str(value)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def to_jsonable(value):
    """Convert numpy scalars/arrays (also nested in dicts and lists) to JSON types."""
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)  # "inf", "-inf", "nan": strict JSON has no such numbers
    return value


def _emit(args, summary: str, payload: dict) -> None:
    if getattr(args, "json", False):
        print(json.dumps(to_jsonable(payload), indent=2, allow_nan=False))
    else:
        print(summary)


def run(args) -> int:
    """Call the subcommand's handler and map the outcome to an exit status."""
    try:
        summary, payload = args.handler(args)
    except CheckFailed as failure:
        _emit(args, failure.summary, failure.payload)
        return 1
    except (ValueError, TypeError, OSError, ImportError) as error:
        print(f"otdiv {args.command}: error: {error}", file=sys.stderr)
        return 2
    except (SolverError, FloatingPointError) as error:
        print(f"otdiv {args.command}: failed: {error}", file=sys.stderr)
        return 1
    _emit(args, summary, payload)
    return 0
