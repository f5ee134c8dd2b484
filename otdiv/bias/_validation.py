"""Validators of the gradient-bias benchmark's arguments (the domain's own conventions).

Built on the package-wide helpers of :mod:`otdiv._validation`; every message names the
argument, what was expected and what was received.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_float_array,
    as_probability_vector,
    check_option,
    check_real,
    refuse_time,
)

__all__ = ["BIAS_DISTANCES", "MAX_SAMPLE_SIZE", "check_bias_distance", "check_bias_order",
           "check_probability", "check_sample_size", "as_probability_array", "as_target",
           "as_theta", "check_order_fits"]

#: Losses of the bias benchmark: W_q^q, the Cramér ℓ_2² and the squared energy distance.
BIAS_DISTANCES = ("wasserstein", "cramer", "energy")

#: Largest minibatch size accepted: exact enumeration costs O(m) memory and time.
MAX_SAMPLE_SIZE = 10**7


def check_bias_distance(distance: Any) -> str:
    """One of :data:`BIAS_DISTANCES`."""
    return check_option(distance, "distance", BIAS_DISTANCES)


def check_bias_order(order: Any, distance: str) -> float:
    """``order`` is the q of W_q (loss W_q^q); it has no meaning for the other distances."""
    order = check_real(order, "order", lower=1.0)
    if distance != "wasserstein" and order != 1.0:
        raise ValueError(f"order applies to distance='wasserstein' only (the loss W_q^q); "
                         f"distance={distance!r} takes order=1, got order={order!r}")
    return order


def check_probability(value: Any, name: str) -> float:
    """A real number in [0, 1]."""
    return check_real(value, name, lower=0.0, upper=1.0)


def check_sample_size(m: Any, name: str = "m") -> int:
    """A minibatch size: an integer in [1, MAX_SAMPLE_SIZE]; a float (even 2.0) is a TypeError."""
    if isinstance(m, (np.datetime64, np.timedelta64)):
        refuse_time(np.asarray(m).dtype, name)
    if isinstance(m, (bool, np.bool_)) or not isinstance(m, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer (the number of samples), got "
                        f"{type(m).__name__} {m!r}")
    m = int(m)
    if m < 1:
        raise ValueError(f"{name} must be >= 1 (the number of samples), got {m}")
    if m > MAX_SAMPLE_SIZE:
        raise ValueError(f"{name} must be <= {MAX_SAMPLE_SIZE} (exact enumeration is O(m)), "
                         f"got {m}")
    return m


def as_probability_array(values: ArrayLike, name: str) -> np.ndarray:
    """Finite float64 values in [0, 1], any shape (a scalar gives a 0-d array)."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be a number or an array of numbers in [0, 1], got "
                        f"{type(values).__name__}")
    array = np.array(as_float_array(values, name), dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    bad = ~np.isfinite(array) | (array < 0.0) | (array > 1.0)
    if np.any(bad):
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{name} must lie in [0, 1], got {float(array.ravel()[index])!r} at "
                         f"flat index {index}")
    return array


def as_target(target: ArrayLike, name: str = "target") -> np.ndarray:
    """A probability vector on {0, ..., K}, K >= 1, summing to 1 within 1e-9."""
    pmf = as_probability_vector(target, name, normalize=False)
    pmf = pmf / pmf.sum()  # within 1e-9 of 1; exactly normalised for numpy's samplers
    if pmf.size < 2:
        raise ValueError(f"{name} must be a probability vector on {{0, ..., K}} with K >= 1 "
                         f"(at least 2 entries), got {pmf.size} entry")
    return pmf


#: Largest power the W_q gradients may form: a quarter of the largest float64, so that
#: the differences and half-sums of two such terms stay finite.
_LARGEST_TERM = np.finfo(np.float64).max / 4


def check_order_fits(order: float, size: int) -> float:
    """``order`` for which every term ``|d|**order`` of the W_q gradient is a float64.

    On K tail parameters the gradient of coordinate j is
    ``(|d+ + 1|^q - |d+|^q + |d-|^q - |d- - 1|^q) / 2`` with every base at most K in
    absolute value, so the terms stay below ``float64 max / 4`` exactly when
    ``q <= log(max / 4) / log(K)`` (no limit for K = 1). A larger order is refused with a
    ``ValueError`` naming ``order`` instead of returning ``inf``/``nan``.
    """
    if size >= 2:
        limit = float(np.log(_LARGEST_TERM) / np.log(size))
        if order > limit:
            raise ValueError(f"order must be at most {limit:.6g} for K = {size} tail "
                             f"parameters (the W_q gradient's terms |d|^order with |d| up "
                             f"to K overflow float64 beyond), got order={order!r}")
    return order


def as_theta(theta: ArrayLike, size: int, name: str = "theta") -> np.ndarray:
    """K non-increasing tail probabilities in [0, 1]."""
    array = as_probability_array(theta, name)
    if array.ndim != 1 or array.size != size:
        raise ValueError(f"{name} must be the K = {size} tail probabilities Q(X >= j), "
                         f"j = 1..K (shape ({size},)), got shape {array.shape}")
    if np.any(np.diff(array) > 0):
        index = int(np.flatnonzero(np.diff(array) > 0)[0])
        raise ValueError(f"{name} must be non-increasing ({name}[j] = Q(X >= j+1)), got "
                         f"{name}[{index}] = {array[index]!r} < {name}[{index + 1}] = "
                         f"{array[index + 1]!r}")
    return array
