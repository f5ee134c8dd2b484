r"""Sorting for the 1-D closed forms: one sample, or two at once on two threads.

Every 1-D distance is two sorts and one merge, and the merge is cheap, so the sorts are the
cost. This module is the one place that chooses how to sort; ``exact.onedim``, the sliced
estimators (one sort per projection) and a pairwise sort-once cache call it with trusted,
1-D, C-contiguous float64 or float32 arrays (no validation here).

Which sort (the size rule)
--------------------------
* Values only (:func:`sort_values`): ``np.sort`` when NumPy's float sort is vectorised on
  this CPU (NumPy >= 2 with AVX2 or AVX-512 on x86-64: x86-simd-sort), at every size. On
  the 2-core AMD EPYC (Zen 3) this project is measured on (``benchmarks/bench_sort.py``,
  results in ``benchmarks/results/sort_speed.md``) the Numba radix sort took 1.3–3.8x the
  time of that sort from n = 10^5 to 10^7. Where NumPy's sort is scalar (older NumPy, other
  CPUs, or SIMD dispatch disabled with ``NPY_DISABLE_CPU_FEATURES``) the LSD radix sort of
  ``otdiv._kernels.sort`` is used from ``RADIX_MIN_SIZE`` (4096) values up: there it took
  0.47–0.62x the time of ``np.sort`` from n = 10^5 to 10^7, and 1.4x at n = 10^3 (the fixed
  cost of its histograms).
* Values with a permutation (:func:`argsort_values`, the weighted paths): the stable radix
  argsort from ``RADIX_MIN_SIZE`` values up, ``np.argsort(kind="stable")`` below. With the
  gather of the weights included, the radix argsort took 0.30–0.67x the time of the stable
  ``np.argsort`` from n = 10^5 to 10^7 (either NumPy), and 1.2–1.4x at n = 10^3.
* Two samples (:func:`sorted_pair`, :func:`argsorted_pair`): when both have at least
  ``CONCURRENT_MIN_SIZE`` values and the process may use two CPUs, the second sample is
  sorted on a short-lived second thread while the calling thread sorts the first (``np.sort``
  and the radix kernels release the GIL). Below that size starting a thread costs more than
  it saves. A plain thread is used, not a pool or Numba's parallel layer, so a process
  forked afterwards inherits nothing.

The result does not depend on the choice, with one documented exception: the radix sort
puts ``-0.0`` before ``+0.0``, while ``np.sort`` treats the two zeros as equal and leaves
them in an order of its own. The distances only compare and subtract sample values, for which
the two zeros are the same number, so every distance is identical either way.

Memory: ``np.sort`` makes one sorted copy. The radix sort writes the sorted copy and uses one
scratch buffer of the same size while it runs (freed on return): at most one extra copy of
each sample beyond its sorted copy. The argsort variant additionally holds the int64
permutation and its scratch.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .._kernels import sort as _kernels

__all__ = ["sort_values", "argsort_values", "sorted_pair", "argsorted_pair", "run_both",
           "RADIX_MIN_SIZE", "CONCURRENT_MIN_SIZE", "numpy_sort_is_vectorised"]

RADIX_MIN_SIZE = 1 << 12
CONCURRENT_MIN_SIZE = 1 << 15
_DIGIT_BITS = 11  # 6 passes for float64, 3 for float32; 16-bit digits thrash the L2 here

# dtype -> (unsigned view, sign bit, bit pattern of +inf, key width)
# (the scalars are numpy unsigned integers; numpy's stubs type the `[()]` of a view as an array)
_LAYOUT: dict[np.dtype, tuple[type[np.unsignedinteger], Any, Any, int]] = {
    np.dtype(np.float64): (np.uint64, np.uint64(1 << 63), np.array(np.inf).view(np.uint64)[()],
                           64),
    np.dtype(np.float32): (np.uint32, np.uint32(1 << 31),
                           np.array(np.inf, dtype=np.float32).view(np.uint32)[()], 32),
}


def numpy_sort_is_vectorised() -> bool:
    """Whether ``np.sort`` of floats runs NumPy's SIMD sort on this CPU (x86-64 only).

    True for NumPy >= 2 on a CPU with AVX2 or AVX-512 whose dispatch is not disabled. Other
    platforms count as scalar (not measured; the radix sort is used there).
    """
    if int(np.__version__.split(".")[0]) < 2:
        return False
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - layout of NumPy's internals changed
        return False
    if "X86_V3" in features:  # NumPy >= 2.4 dispatches on these levels (AVX2 is in V3)
        return bool(features["X86_V3"] or features.get("X86_V4", False))
    return any(features.get(name, False) for name in ("AVX2", "AVX512F", "AVX512_SKX"))


_VECTORISED = numpy_sort_is_vectorised()


def _method(method: str, n: int, *, permutation: bool) -> str:
    if method != "auto":
        return method
    if n < RADIX_MIN_SIZE:
        return "numpy"
    if permutation:
        return "radix"
    return "numpy" if _VECTORISED else "radix"


_T = TypeVar("_T")


def _bits(values: np.ndarray) -> tuple[np.ndarray, Any, Any, int]:
    """The float values' bits as unsigned integers, with the sign bit, the bits of +inf and
    the key width."""
    unsigned, sign, inf_bits, key_bits = _LAYOUT[values.dtype]
    return values.view(unsigned), sign, inf_bits, key_bits


def sort_values(values: np.ndarray, method: str = "auto") -> np.ndarray:
    """A sorted copy of a 1-D float64/float32 array (``method``: "auto", "radix", "numpy")."""
    if _method(method, values.shape[0], permutation=False) == "numpy":
        return np.sort(values)
    values = np.ascontiguousarray(values)
    bits, sign, inf_bits, key_bits = _bits(values)
    out = np.empty_like(bits)
    _kernels.radix_sort_bits(bits, out, np.empty_like(bits), sign, inf_bits, key_bits,
                             _DIGIT_BITS)
    return out.view(values.dtype)


def argsort_values(values: np.ndarray, method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
    """``(values[order], order)`` with ``order`` a stable sorting permutation (int64)."""
    if _method(method, values.shape[0], permutation=True) == "numpy":
        order = np.argsort(values, kind="stable")
        return values[order], order
    values = np.ascontiguousarray(values)
    bits, sign, inf_bits, key_bits = _bits(values)
    n = bits.shape[0]
    out = np.empty_like(bits)
    order = np.empty(n, dtype=np.int64)
    _kernels.radix_argsort_bits(bits, out, order, np.empty_like(bits),
                                np.empty(n, dtype=np.int64), sign, inf_bits, key_bits,
                                _DIGIT_BITS)
    return out.view(values.dtype), order


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def run_both(function: Callable[..., _T], first: tuple[Any, ...], second: tuple[Any, ...]
             ) -> tuple[_T, _T]:
    """``(function(*first), function(*second))``, the second on another thread when large.

    ``first`` and ``second`` are argument tuples whose first element is the sample; the
    two calls run concurrently when both samples have at least ``CONCURRENT_MIN_SIZE``
    values and two CPUs are usable. An exception in either call is raised here.
    """
    if min(first[0].shape[0], second[0].shape[0]) < CONCURRENT_MIN_SIZE or _usable_cpus() < 2:
        return function(*first), function(*second)
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = function(*second)
        except BaseException as error:  # re-raised in the calling thread
            box["error"] = error

    helper = threading.Thread(target=work, name="otdiv-sort", daemon=True)
    helper.start()
    try:
        result = function(*first)
    finally:
        helper.join()
    if "error" in box:
        raise box["error"]
    return result, box["value"]


def sorted_pair(u: np.ndarray, v: np.ndarray, method: str = "auto"
                ) -> tuple[np.ndarray, np.ndarray]:
    """Sorted copies of two 1-D samples, sorted concurrently when both are large.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv.exact._sorting import sorted_pair
    >>> sorted_pair(np.array([3.0, -1.0, 2.0]), np.array([0.5, -0.5]))
    (array([-1.,  2.,  3.]), array([-0.5,  0.5]))
    """
    return run_both(sort_values, (u, method), (v, method))


def argsorted_pair(u: np.ndarray, v: np.ndarray, method: str = "auto"
                   ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((u_sorted, u_order), (v_sorted, v_order))``, stable orders, concurrently when large."""
    return run_both(argsort_values, (u, method), (v, method))
