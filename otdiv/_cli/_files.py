"""Read samples and weights from the files a user names on the command line.

``.npy`` files are read without pickle, and their header is checked against the file's
size before anything is allocated (a 144-byte file claiming shape (10^12,) is refused, not
a MemoryError). ``.csv``/``.txt`` files hold comma-separated numbers, one sample per line,
``#`` starting a comment. A bad value is reported by its line and column in the file (or
its index in the array), with the flag the user typed; every error is a ``ValueError``
whose message is one line.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from ._args import plain

__all__ = ["check_pair", "load_samples", "load_weights"]


def _describe_bytes(count: int) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


def _read_npy(path: Path, flag: str) -> np.ndarray:
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"{flag}: {str(path)!r} is empty (0 bytes), not a .npy file")
    with open(path, "rb") as handle:
        try:
            version = npy_format.read_magic(handle)
        except ValueError:
            raise ValueError(f"{flag}: {str(path)!r} is not a NumPy .npy file (it does not "
                             "start with the .npy signature)") from None
        try:
            if version == (1, 0):
                shape, _fortran_order, dtype = npy_format.read_array_header_1_0(handle)
            else:
                shape, _fortran_order, dtype = npy_format.read_array_header_2_0(handle)
        except (ValueError, SyntaxError, UnicodeDecodeError):
            raise ValueError(f"{flag}: {str(path)!r} has a damaged .npy header") from None
        offset = handle.tell()
    if dtype.hasobject:
        raise ValueError(f"{flag}: {str(path)!r} holds Python objects (pickled data), which "
                         "otdiv does not load; save a numeric array")
    if dtype.kind not in "biuf" or dtype.fields is not None:
        raise ValueError(f"{flag}: {str(path)!r} holds {dtype} data; expected real numbers")
    needed = math.prod(shape) * dtype.itemsize
    available = size - offset
    if needed > available:
        raise ValueError(
            f"{flag}: {str(path)!r} is truncated or damaged: its header announces shape "
            f"{tuple(shape)} of {dtype} ({_describe_bytes(needed)}) but the file holds "
            f"{_describe_bytes(available)} of data")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{flag}: {str(path)!r} could not be read as .npy ({error})") from None


def _data_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line_number, fields)`` for the lines holding data (1-based numbers)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line_number, line in enumerate(handle, 1):
            content = line.split("#", 1)[0].strip()
            if content:
                yield line_number, content.split(",")


def _csv_problem(path: Path, flag: str) -> str | None:
    """The first problem in a CSV file, located by line and column; None if there is none."""
    columns = first_line = None
    for line_number, fields in _data_lines(path):
        if columns is None:
            columns, first_line = len(fields), line_number
        elif len(fields) != columns:
            return (f"{flag}: {str(path)!r} line {line_number} has {len(fields)} "
                    f"column{'s' * (len(fields) != 1)}, line {first_line} has {columns}")
        for column, field in enumerate(fields, 1):
            text = field.strip()
            where = f"{flag}: {str(path)!r} line {line_number}, column {column}"
            if not text:
                return f"{where} is empty"
            try:
                value = float(text)
            except ValueError:
                shown = text if len(text) <= 20 else text[:20] + "..."
                hint = (" (a header line? start it with # to skip it)"
                        if columns is not None and line_number == first_line else "")
                return f"{where}: {shown!r} is not a number{hint}"
            if not math.isfinite(value):
                return f"{where} is {text}; values must be finite"
    if columns is None:
        return f"{flag}: {str(path)!r} holds no numbers"
    return None


def _read_csv(path: Path, flag: str) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy warns (and returns []) on an empty file
            array = np.loadtxt(path, delimiter=",", ndmin=2, comments="#", dtype=np.float64)
    except (ValueError, UserWarning):
        problem = _csv_problem(path, flag)
        raise ValueError(problem or f"{flag}: {str(path)!r} is not a comma-separated file "
                         "of numbers") from None
    if not np.all(np.isfinite(array)):
        problem = _csv_problem(path, flag)
        raise ValueError(problem or f"{flag}: {str(path)!r} holds non-finite values")
    return array[:, 0] if array.shape[1] == 1 else array


def _read(path: Path, flag: str) -> np.ndarray:
    if path.is_dir():
        raise ValueError(f"{flag}: {str(path)!r} is a folder; expected a .npy or .csv file")
    if not path.is_file():
        raise ValueError(f"{flag}: no such file {str(path)!r}")
    try:
        if path.suffix.lower() == ".npy":
            return _read_npy(path, flag)
        return _read_csv(path, flag)
    except PermissionError:
        raise ValueError(f"{flag}: {str(path)!r} is not readable (permission denied)") from None


def _index(position: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in position) + "]"


def load_samples(path: Path, flag: str) -> np.ndarray:
    """Samples as float64, shape ``(n,)`` (values on the line) or ``(n, d)`` (points)."""
    array = _read(Path(path), flag)
    if array.ndim not in (1, 2):
        raise ValueError(f"{flag}: {str(path)!r} holds an array of shape {array.shape}; "
                         "expected (n,) values or (n, d) points")
    if array.shape[0] == 0 or array.size == 0:
        raise ValueError(f"{flag}: {str(path)!r} holds no samples (shape {array.shape})")
    array = np.asarray(array, dtype=np.float64)
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        position = tuple(bad[0])
        raise ValueError(f"{flag}: {str(path)!r} entry {_index(position)} (counting from 0) "
                         f"is {plain(array[position])}; values must be finite")
    return array


def load_weights(path: Path, flag: str) -> np.ndarray:
    """Non-negative weights with a positive sum, one per sample (a column or a row)."""
    array = _read(Path(path), flag)
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{flag}: {str(path)!r} holds an array of shape {array.shape}; "
                         "expected one weight per sample")
    array = np.asarray(array, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        where = (f"line {_csv_line_of(Path(path), bad[0])}" if Path(path).suffix.lower() != ".npy"
                 else f"entry [{bad[0]}] (counting from 0)")
        raise ValueError(f"{flag}: {str(path)!r} {where} is {plain(array[bad[0]])}; "
                         "weights must be finite and >= 0")
    if not array.sum() > 0:
        raise ValueError(f"{flag}: {str(path)!r} weights sum to 0; at least one must be > 0")
    return array


def _csv_line_of(path: Path, index: int) -> int:
    """The file line holding the ``index``-th value of a one-column (or one-row) file."""
    lines = list(_data_lines(path))
    if len(lines) == 1:
        return lines[0][0]
    return lines[index][0]


def check_pair(samples_p: np.ndarray, samples_q: np.ndarray, weights_p: np.ndarray | None,
               weights_q: np.ndarray | None,
               flags: tuple[str, str, str, str] = ("--samples-p", "--samples-q",
                                                   "--samples-p-weights", "--samples-q-weights"),
               ) -> None:
    """Same dimension for both samples; one weight per sample."""
    dim_p = 1 if samples_p.ndim == 1 else samples_p.shape[1]
    dim_q = 1 if samples_q.ndim == 1 else samples_q.shape[1]
    if dim_p != dim_q:
        raise ValueError(f"{flags[0]} holds points in R^{dim_p} but {flags[1]} holds points "
                         f"in R^{dim_q}; both must have the same dimension")
    for samples, weights, sample_flag, weight_flag in (
            (samples_p, weights_p, flags[0], flags[2]),
            (samples_q, weights_q, flags[1], flags[3])):
        if weights is not None and len(weights) != len(samples):
            raise ValueError(f"{weight_flag} has {len(weights)} weights but {sample_flag} has "
                             f"{len(samples)} samples; give one weight per sample")
