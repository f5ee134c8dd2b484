"""Shared timing and reporting for otdiv's benchmarks.

Every benchmark times otdiv and its peer on the same data in the same run, reports medians
over repeats, and writes ``results/<name>.json`` and ``results/<name>.md`` (the table the
documentation quotes, docs/benchmarks.md). Nothing here asserts on timings.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def argument_parser(doc: str) -> argparse.ArgumentParser:
    """The parser every benchmark starts from: the docstring as help, no abbreviations
    (``--rerun`` must not quietly mean ``--rerun-scalar``)."""
    return argparse.ArgumentParser(description=doc, allow_abbrev=False,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def parse_command_line(doc: str, configure=None, argv: list[str] | None = None
                       ) -> argparse.Namespace:
    """A benchmark's command line, checked before any work.

    ``--help`` prints the script's docstring; an unknown flag or a bad value stops with a
    usage error (exit status 2), so that a mistyped flag never starts the default study
    and overwrites its results. ``configure(parser)`` adds the script's own arguments.
    """
    parser = argument_parser(doc)
    if configure is not None:
        configure(parser)
    return parser.parse_args(argv)


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1 (``1e5`` is accepted for 100000)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(value)


def median_time(function, *, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``function()`` over ``repeats`` calls after warm-up."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_median_times(first, second, *, repeats: int = 9, warmup: int = 1
                        ) -> tuple[float, float]:
    """Median seconds of two functions timed in alternation (ABAB...), so that a slow
    stretch of the machine hits both alike."""
    for _ in range(warmup):
        first()
        second()
    times = ([], [])
    for _ in range(repeats):
        for function, bucket in ((first, times[0]), (second, times[1])):
            gc.collect()
            start = time.perf_counter()
            function()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def first_call_time(function) -> float:
    """Seconds of a single call (e.g. a kernel's compile-and-run on first use)."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def machine() -> dict:
    import numpy as np
    return {"python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "numpy": np.__version__,
            "date": time.strftime("%Y-%m-%d")}


def format_table(columns: list[str], rows: list[dict]) -> str:
    """A markdown table with the given column order; floats get 4 significant digits."""
    def cell(value):
        if isinstance(value, float):
            return f"{value:.4g}"
        return str(value)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(column, "")) for column in columns) + " |"
              for row in rows]
    return "\n".join(lines)


def write_results(name: str, title: str, columns: list[str], rows: list[dict],
                  notes: str = "", timing: str = "medians of repeated runs") -> str:
    """Write ``results/<name>.json`` and ``.md``; return the markdown (also printed).

    ``timing`` says how the times were taken (the footer's last words)."""
    RESULTS.mkdir(exist_ok=True)
    table = format_table(columns, rows)
    header = f"### {title}\n\n"
    footer = f"\n\n{notes}\n" if notes else "\n"
    info = machine()
    footer += (f"\n_Measured {info['date']}, Python {info['python']}, {info['cpus']} CPUs "
               f"({info['machine']}); {timing}._\n")
    markdown = header + table + footer
    (RESULTS / f"{name}.md").write_text(markdown)
    (RESULTS / f"{name}.json").write_text(json.dumps(
        {"title": title, "machine": info, "columns": columns, "rows": rows}, indent=2))
    print(markdown)
    return markdown
