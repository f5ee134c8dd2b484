"""``otdiv verify``: certify a critic function against the exact W_1 of two sample files."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from . import CheckFailed, add_common_options


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "verify", help="certify a critic's W_1 estimate against the exact value",
        description="Evaluate CRITIC on the samples of P and Q, compare its dual estimate "
                    "E_P f - E_Q f with the exact W_1, and measure its Lipschitz constant. "
                    "Exit status 0 if the critic passes at --tol, 1 if it does not, 2 on "
                    "bad input.")
    parser.add_argument("--critic", required=True, metavar="MODULE:FUNCTION",
                        help="an importable module (or a path to a .py file) and a callable "
                             "in it mapping an (n, d) array to n values, e.g. mypkg.nets:critic")
    parser.add_argument("--p", required=True, type=Path, metavar="FILE",
                        help="samples of P: .npy (loaded without pickle) or .csv, shape (n,) "
                             "or (n, d)")
    parser.add_argument("--q", required=True, type=Path, metavar="FILE", help="samples of Q")
    parser.add_argument("--p-weights", type=Path, metavar="FILE", help="weights of P's samples")
    parser.add_argument("--q-weights", type=Path, metavar="FILE", help="weights of Q's samples")
    parser.add_argument("--tol", type=float, default=0.05,
                        help="relative tolerance for passing (default 0.05)")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def load_array(path: Path, name: str) -> np.ndarray:
    """Load a ``.npy`` (never with pickle) or a comma-separated ``.csv``/``.txt`` file."""
    if not path.is_file():
        raise FileNotFoundError(f"{name}: no such file {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as error:
            raise ValueError(f"{name}: {path} could not be read without pickle ({error})"
                             ) from None
    if suffix in (".csv", ".txt"):
        try:
            return np.loadtxt(path, delimiter=",", ndmin=1, comments="#")
        except ValueError as error:
            raise ValueError(f"{name}: {path} is not a numeric CSV file ({error})") from None
    raise ValueError(f"{name} must be a .npy or .csv file, got {str(path)!r}")


def load_callable(spec: str):
    """Resolve ``module:attribute`` or ``path/to/file.py:attribute`` to a callable."""
    module_name, separator, attribute = spec.rpartition(":")
    if not separator or not module_name or not attribute:
        raise ValueError(f"--critic must look like MODULE:FUNCTION, got {spec!r}")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise FileNotFoundError(f"--critic: no such file {module_name!r}")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
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

    def guarded(points):
        try:
            return target(points)
        except Exception as error:
            raise ValueError(f"--critic {spec!r} raised {type(error).__name__}: {error}"
                             ) from None
    return guarded


def handle(args):
    from ..critics import verify_critic

    critic = load_callable(args.critic)
    x_p = load_array(args.p, "--p")
    x_q = load_array(args.q, "--q")
    p_weights = load_array(args.p_weights, "--p-weights") if args.p_weights else None
    q_weights = load_array(args.q_weights, "--q-weights") if args.q_weights else None
    report = verify_critic(critic, x_p, x_q, p_weights, q_weights,
                           tol=args.tol)
    payload = {name: getattr(report, name) for name in (
        "dual_estimate", "exact_w1", "gap", "lipschitz", "certified_lower_bound",
        "plan_tightness", "tol", "passed", "exact_method", "n_p", "n_q", "dimension")}
    if not report.passed:
        raise CheckFailed(report.summary(), payload)
    return report.summary(), payload
