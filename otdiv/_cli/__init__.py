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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..exact.kantorovich import SolverError
from ._args import OneLineParser, input_file, integer, output_folder, plain, real

__all__ = ["add_common_options", "run", "CheckFailed", "to_jsonable", "non_negative_int",
           "markdown_table", "OneLineParser", "integer", "real", "input_file",
           "output_folder", "plain"]


class CheckFailed(Exception):
    """Raised by a handler whose result is computed but fails the check asked for (exit 1)."""

    def __init__(self, summary: str, payload: dict) -> None:
        super().__init__(summary)
        self.summary = summary
        self.payload = payload


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print machine-readable JSON instead of the readable summary")


#: An argparse type: a non-negative integer (random seeds).
non_negative_int = integer(0, what="a random seed")


def markdown_table(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], *,
                   float_format: str = ".4g") -> str:
    """A markdown table of ``rows`` (dicts) in the order of ``columns``."""
    def cell(value: Any) -> str:
        return format(value, float_format) if isinstance(value, float) else str(value)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def to_jsonable(value: Any) -> Any:
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


def _emit(args: argparse.Namespace, summary: str, payload: dict) -> None:
    if getattr(args, "json", False):
        print(json.dumps(to_jsonable(payload), indent=2, allow_nan=False))
    else:
        print(summary)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def run(args: argparse.Namespace) -> int:
    """Call the subcommand's handler and map the outcome to an exit status."""
    try:
        summary, payload = args.handler(args)
    except CheckFailed as failure:
        _emit(args, failure.summary, failure.payload)
        return 1
    except (ValueError, TypeError, OSError, ImportError) as error:
        print(f"otdiv {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except (SolverError, FloatingPointError) as error:
        print(f"otdiv {args.command}: failed: {_one_line(error)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"otdiv {args.command}: failed: out of memory (try smaller inputs)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"otdiv {args.command}: interrupted", file=sys.stderr)
        return 130
    _emit(args, summary, payload)
    return 0
