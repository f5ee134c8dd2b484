"""``otdiv verify``: certify a critic function against the exact W_1 of two sample files."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import CheckFailed, add_common_options, input_file, real
from ._args import add_deprecated_alias
from ._files import check_pair, load_samples, load_weights


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify", help="certify a critic's W_1 estimate against the exact value",
        description="Evaluate CRITIC on the samples of P and Q, compare its dual estimate "
                    "E_P f - E_Q f with the exact W_1, and measure its Lipschitz constant. "
                    "Exit status 0 if the critic passes at --tol, 1 if it does not, 2 on "
                    "bad input.")
    parser.add_argument("--critic", required=True, metavar="MODULE:FUNCTION", type=critic_spec,
                        help="an importable module (or a path to a .py file) and a callable "
                             "in it mapping an (n, d) array to n values, e.g. "
                             "mypkg.nets:critic. The module is imported (the file run) and "
                             "the function called with your permissions, after every other "
                             "flag is checked: name only code you trust")
    parser.add_argument("--samples-p", dest="samples_p", type=input_file, metavar="FILE",
                        help="samples of P (required): .npy (loaded without pickle) or .csv "
                             "(comma-separated, one sample per line, # comments, one header "
                             "line allowed), shape (n,) or (n, d)")
    parser.add_argument("--samples-q", dest="samples_q", type=input_file, metavar="FILE",
                        help="samples of Q (required; same formats and dimension as "
                             "--samples-p)")
    # --p / --q: the spellings before --p meant only the distance order (one release).
    add_deprecated_alias(parser, "--p", "--samples-p", "samples_p", type=input_file,
                         metavar="FILE")
    add_deprecated_alias(parser, "--q", "--samples-q", "samples_q", type=input_file,
                         metavar="FILE")
    parser.add_argument("--samples-p-weights", dest="samples_p_weights", type=input_file,
                        metavar="FILE", help="weights of the samples of P, one per sample, "
                                             ">= 0 (default: equal)")
    parser.add_argument("--samples-q-weights", dest="samples_q_weights", type=input_file,
                        metavar="FILE", help="weights of the samples of Q, one per sample, "
                                             ">= 0 (default: equal)")
    # --p-weights / --q-weights: the spellings beside --p / --q (one release).
    add_deprecated_alias(parser, "--p-weights", "--samples-p-weights", "samples_p_weights",
                         type=input_file, metavar="FILE")
    add_deprecated_alias(parser, "--q-weights", "--samples-q-weights", "samples_q_weights",
                         type=input_file, metavar="FILE")
    parser.add_argument("--tol", type=real(0.0, 1.0, lower_inclusive=False,
                                           upper_inclusive=False), default=0.05,
                        help="relative tolerance for passing, in (0, 1) as in "
                             "otdiv.verify_critic (default 0.05)")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def load_array(path: Path, name: str) -> np.ndarray:
    """Samples from a ``.npy`` (never with pickle) or comma-separated ``.csv``/``.txt`` file.

    Kept for callers of the old name; see :mod:`otdiv._cli._files`.
    """
    return load_samples(Path(path), name)


def critic_spec(text: str) -> str:
    """An argparse type: ``MODULE:FUNCTION`` or ``path/to/file.py:FUNCTION`` (not imported yet)."""
    module_name, separator, attribute = text.rpartition(":")
    if not separator or not module_name or not attribute:
        raise argparse.ArgumentTypeError(f"expected MODULE:FUNCTION, got {text!r}")
    if module_name.endswith(".py") and not Path(module_name).is_file():
        raise argparse.ArgumentTypeError(f"no such file {module_name!r}")
    return text


def load_callable(spec: str) -> Callable[[np.ndarray], Any]:
    """Resolve ``module:attribute`` or ``path/to/file.py:attribute`` to a callable."""
    module_name, separator, attribute = spec.rpartition(":")
    if not separator or not module_name or not attribute:
        raise ValueError(f"--critic must look like MODULE:FUNCTION, got {spec!r}")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise FileNotFoundError(f"--critic: no such file {module_name!r}")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:  # a .py file always has both
            raise ValueError(f"--critic: cannot load {module_name!r} as a Python module")
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except Exception as error:
            raise ValueError(f"--critic: loading {module_name!r} raised "
                             f"{type(error).__name__}: {error}") from None
    else:
        # Like `python -m`, look in the current directory first.
        sys.path.insert(0, os.getcwd())
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            raise ValueError(f"--critic: cannot import module {module_name!r} ({error})"
                             ) from None
        except Exception as error:
            raise ValueError(f"--critic: importing {module_name!r} raised "
                             f"{type(error).__name__}: {error}") from None
        finally:
            sys.path.remove(os.getcwd())
    target = module
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise ValueError(f"--critic: {module_name!r} has no attribute {attribute!r}")
        target = getattr(target, part)
    if not callable(target):
        raise ValueError(f"--critic: {spec!r} is not callable")

    def guarded(points: np.ndarray) -> Any:
        try:
            return target(points)
        except Exception as error:
            raise ValueError(f"--critic {spec!r} raised {type(error).__name__}: {error}"
                             ) from None
    return guarded


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    from ..critics import verify_critic

    # Every file is read and checked before the critic's module is imported (user code).
    for dest, flag in (("samples_p", "--samples-p"), ("samples_q", "--samples-q")):
        if getattr(args, dest, None) is None:
            raise ValueError(f"{flag} FILE is required")
    x_p = load_samples(args.samples_p, "--samples-p")
    x_q = load_samples(args.samples_q, "--samples-q")
    p_weights = q_weights = None
    if getattr(args, "samples_p_weights", None) is not None:
        p_weights = load_weights(args.samples_p_weights, "--samples-p-weights")
    if getattr(args, "samples_q_weights", None) is not None:
        q_weights = load_weights(args.samples_q_weights, "--samples-q-weights")
    check_pair(x_p, x_q, p_weights, q_weights)
    critic = load_callable(args.critic)
    report = verify_critic(critic, x_p, x_q, p_weights, q_weights,
                           tol=args.tol)
    payload = {name: getattr(report, name) for name in (
        "dual_estimate", "exact_w1", "gap", "lipschitz", "certified_lower_bound",
        "plan_tightness", "tol", "passed", "exact_method", "n_p", "n_q", "dimension")}
    if not report.passed:
        raise CheckFailed(report.summary(), payload)
    return report.summary(), payload
