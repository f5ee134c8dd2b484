"""Argument types and the parser class shared by every subcommand.

Every value a user types is checked here, by argparse, while the command line is parsed:
before any module is imported for the work, any file is written or any number is
computed. A bad value ends the command with one line naming the flag as typed
(``otdiv bias: error: argument --runs: expected an integer >= 1, got '0'``) and exit
status 2. Numbers in messages are formatted plainly (never ``np.float64(...)``).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .._atomic import probe_folder

__all__ = [
    "INPUT_SUFFIXES",
    "add_deprecated_alias",
    "OneLineParser",
    "input_file",
    "integer",
    "output_file",
    "output_folder",
    "plain",
    "real",
]

#: File types the commands read samples and weights from.
INPUT_SUFFIXES = (".npy", ".csv", ".txt")


def plain(value: Any) -> str:
    """A number as a user would type it: ``0.5``, ``nan``, ``1e+300``; never a numpy repr."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return repr(value)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line on stderr and exit status 2.

    argparse prints the whole usage block before the error; a user who typed a bad value
    needs the flag and the reason, and ``--help`` for the rest. Subparsers made by
    ``add_subparsers`` inherit this class.
    """

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())  # one line even when argparse wraps it
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _DeprecatedAlias(argparse.Action):
    """An old spelling of a flag: stores into the new flag's destination and says, on
    stderr, which flag replaces it (kept for one release).

    The deprecation line comes first, before the value is checked: the alias converts its
    value itself (``convert``, the new flag's ``type``) after printing it, so that a user
    who typed ``--p missing.npy`` learns both that ``--p`` is deprecated and that the file
    is missing."""

    def __init__(self, option_strings: Sequence[str], dest: str, replacement: str = "",
                 convert: Callable[[str], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.replacement = replacement
        self.convert = convert

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        import sys
        print(f"{parser.prog}: warning: {option_string} is deprecated and will be removed "
              f"in the next release; use {self.replacement}", file=sys.stderr)
        if self.convert is not None:
            values = ([self._converted(value) for value in values]
                      if isinstance(values, list) else self._converted(values))
        setattr(namespace, self.dest, values)

    def _converted(self, text: str) -> Any:
        """``convert(text)``, failing as argparse fails for a ``type`` (same message)."""
        if self.convert is None:  # no converter: the text as given
            return text
        try:
            return self.convert(text)
        except argparse.ArgumentTypeError as error:
            raise argparse.ArgumentError(self, str(error)) from None
        except (TypeError, ValueError):
            name = getattr(self.convert, "__name__", repr(self.convert))
            raise argparse.ArgumentError(self, f"invalid {name} value: {text!r}") from None


def add_deprecated_alias(parser: argparse.ArgumentParser, old: str, new: str, dest: str,
                         **kwargs: Any) -> None:
    """Accept ``old`` as a deprecated spelling of ``new`` (same ``dest``), hidden from
    ``--help``; ``kwargs`` (type, nargs, metavar) as for ``new``. The deprecation line is
    printed before ``type`` checks the value."""
    convert = kwargs.pop("type", None)
    parser.add_argument(old, dest=dest, action=_DeprecatedAlias, replacement=new,
                        convert=convert, default=argparse.SUPPRESS, help=argparse.SUPPRESS,
                        **kwargs)


def _fail(expected: str, text: str) -> NoReturn:
    raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")


def integer(lower: int | None = None, upper: int | None = None, *, what: str = ""
            ) -> Callable[[str], int]:
    """An argparse type: an integer in ``[lower, upper]`` (``what`` says what it counts)."""
    bounds = []
    if lower is not None:
        bounds.append(f">= {lower}")
    if upper is not None:
        bounds.append(f"<= {upper}")
    expected = "an integer" + (" " + " and ".join(bounds) if bounds else "")
    if what:
        expected += f" ({what})"

    def convert(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            _fail(expected, text)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            _fail(expected, text)
        return value

    convert.__name__ = "integer"
    return convert


def real(lower: float | None = None, upper: float | None = None, *, lower_inclusive: bool = True,
         upper_inclusive: bool = True, what: str = "") -> Callable[[str], float]:
    """An argparse type: a finite real number in the stated interval."""
    if lower is not None and upper is not None:
        expected = (f"a number in {'[' if lower_inclusive else '('}{plain(lower)}, "
                    f"{plain(upper)}{']' if upper_inclusive else ')'}")
    elif lower is not None:
        expected = f"a finite number {'>=' if lower_inclusive else '>'} {plain(lower)}"
    elif upper is not None:
        expected = f"a finite number {'<=' if upper_inclusive else '<'} {plain(upper)}"
    else:
        expected = "a finite number"
    if what:
        expected += f" ({what})"

    def convert(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            _fail(expected, text)
        if not math.isfinite(value):
            _fail(expected, text)
        if lower is not None and (value < lower or (value == lower and not lower_inclusive)):
            _fail(expected, text)
        if upper is not None and (value > upper or (value == upper and not upper_inclusive)):
            _fail(expected, text)
        return value

    convert.__name__ = "real"
    return convert


def input_file(text: str) -> Path:
    """An argparse type: an existing, readable .npy/.csv/.txt file (not a folder)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a folder; expected a .npy or .csv file")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file {text!r}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is not a regular file")
    if path.suffix.lower() not in INPUT_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"expected a .npy or .csv file (.txt is read as CSV), got {text!r}")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{text!r} is not readable (permission denied)")
    return path


def output_folder(text: str) -> Path:
    """An argparse type: a folder that exists or can be created, and can be written to.

    Nothing is kept: the command creates the folder when it has results to write. Whether
    the folder (or the nearest existing ancestor, for a folder still to be made) takes new
    files is tried by creating and removing one empty temporary file, since ``os.access``
    says yes to root on read-only and virtual file systems (``/proc``).
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder name, got ''")
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            raise argparse.ArgumentTypeError(
                f"expected a folder, got the existing file {text!r}")
        problem = probe_folder(path)
        if problem is not None:
            raise argparse.ArgumentTypeError(f"the folder {text!r} is not writable ({problem})")
        return path
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise argparse.ArgumentTypeError(
            f"cannot create the folder {text!r}: {str(ancestor)!r} is a file")
    problem = probe_folder(ancestor)
    if problem is not None:
        raise argparse.ArgumentTypeError(
            f"cannot create the folder {text!r}: {str(ancestor)!r} is not writable ({problem})")
    return path


def output_file(path: Path, flag: str, *, suffixes: Sequence[str] | None = None,
                inputs: Sequence[tuple[str, Path]] = ()) -> Path:
    """Check, before any work, that the file ``path`` can be written; return it unchanged.

    The file is written exactly at ``path`` (no suffix is added), atomically (see
    :func:`otdiv._atomic.atomic_write`), so a command reports the path it was given. Refused
    with a ``ValueError`` naming ``flag``: a suffix not in ``suffixes`` (compared without
    case), an existing folder, a missing or unwritable folder, and a path that is one of
    ``inputs`` (the same file, however it is spelled: a write would replace an input).
    """
    path = Path(path)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise ValueError(f"{flag} must end in {' or '.join(suffixes)}, got {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"{flag} must be a file path, got the folder {str(path)!r}")
    folder = path.parent
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "does not exist"
        raise ValueError(f"{flag}: no such directory {str(folder)!r} (it {what})")
    if path.exists():
        for name, source in inputs:
            try:
                same = os.path.samefile(path, source)
            except OSError:
                same = False
            if same:
                raise ValueError(f"{flag} {str(path)!r} is the input {name}; writing there "
                                 "would replace it: choose another file")
        if not path.is_file():
            raise ValueError(f"{flag} {str(path)!r} exists and is not a regular file")
    problem = probe_folder(folder)
    if problem is not None:
        raise ValueError(f"{flag}: cannot write in the folder {str(folder)!r} ({problem})")
    return path
