"""The ``otdiv`` command.

Each subcommand lives in its own module of :mod:`otdiv._cli` and provides
``add_parser(subparsers)``; this module only collects them. Exit status: 0 success,
1 failure (a check did not pass, a solver failed), 2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from . import _cli

__all__ = ["main", "build_parser"]


def build_parser() -> _cli.OneLineParser:
    parser = _cli.OneLineParser(
        prog="otdiv",
        description="Optimal transport and divergence numerics: exact solvers, sample "
                    "distances, critic certificates and the gradient-bias benchmark.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"otdiv {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(_cli.__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_cli.__name__}.{module_info.name}")
        module.add_parser(subparsers)
    return parser


#: POT imports every array backend it finds (torch, JAX, ...) when it is first imported,
#: seconds that otdiv's commands never need: they hand POT numpy arrays only.
POT_BACKEND_SWITCHES = ("POT_BACKEND_DISABLE_PYTORCH", "POT_BACKEND_DISABLE_JAX",
                        "POT_BACKEND_DISABLE_TENSORFLOW", "POT_BACKEND_DISABLE_CUPY")


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of subcommand ``command`` (argparse keeps it in the subparsers action)."""
    group = parser._subparsers  # argparse's only handle on them
    for action in group._group_actions if group is not None else ():
        choices = getattr(action, "choices", None)
        if isinstance(choices, dict) and command in choices:
            return choices[command]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (also for a refused flag: 2)."""
    for switch in POT_BACKEND_SWITCHES:
        os.environ.setdefault(switch, "1")
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # name the subcommand whose arguments they are, not the top-level parser
            command = getattr(args, "command", None)
            owner = _subparser(parser, command) if command else parser
            owner.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exit_request:  # a refused flag (2, one line on stderr), --help (0)
        return exit_request.code if isinstance(exit_request.code, int) else 0
    if args.command is None:
        parser.print_help()
        return 2
    return _cli.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
