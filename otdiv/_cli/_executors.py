"""``--workers N`` and ``--scheduler ADDRESS``: where a command runs its independent tasks.

Shared by ``otdiv pairwise`` and ``otdiv bias``. The flags are checked before any work
(:func:`checked_workers`); :func:`executor_for` then yields ``None`` (serial),
:class:`otdiv._executor.LocalProcesses` or a Dask ``Client``, and closes the client after.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["add_executor_options", "checked_workers", "executor_for"]


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", default=None, metavar="N",
                        help="run on N local worker processes")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on the Dask cluster whose scheduler is at ADDRESS "
                             "(e.g. tcp://10.0.0.1:8786; needs otdiv[dask])")


def checked_workers(args: argparse.Namespace) -> int | None:
    """The number given to ``--workers`` (None without it); ValueError naming the flag."""
    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers and --scheduler exclude each other: give one")
    workers = None
    if args.workers is not None:
        try:
            workers = int(args.workers)
        except ValueError:
            raise ValueError(f"--workers must be a positive integer, got {args.workers!r}"
                             ) from None
        if workers < 1:
            raise ValueError(f"--workers must be a positive integer, got {args.workers!r}")
    if args.scheduler is not None and not args.scheduler.strip():
        raise ValueError("--scheduler must be a scheduler address, got an empty string")
    return workers


def _connect(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise ImportError("--scheduler needs Dask: pip install 'otdiv[dask]'") from None
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError, ValueError) as error:
        raise OSError(f"--scheduler: cannot connect to {address!r} ({error})") from None


@contextlib.contextmanager
def executor_for(args: argparse.Namespace, workers: int | None) -> Iterator[Any]:
    """The executor the flags ask for (``workers`` from :func:`checked_workers`)."""
    from .._executor import LocalProcesses

    if args.scheduler is not None:
        client = _connect(args.scheduler)
        try:
            yield client
        finally:
            client.close()
    else:
        yield LocalProcesses(workers) if workers is not None and workers > 1 else None
