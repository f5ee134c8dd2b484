"""Argument checks shared by the bias benchmark (Bernoulli and categorical)."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import check_option, check_real

DISTANCES = ("wasserstein", "cramer", "energy")

#: Largest minibatch size accepted: enumeration costs O(m) memory and time.
MAX_SAMPLE_SIZE = 10**7


def check_distance(distance) -> str:
    return check_option(distance, "distance", DISTANCES)


def check_order(order, distance: str) -> float:
    """``order`` is the q of W_q (loss W_q^q); it has no meaning for the other distances."""
    order = check_real(order, "order", lower=1.0)
    if distance != "wasserstein" and order != 1.0:
        raise ValueError(f"order applies to distance='wasserstein' only (the loss W_q^q); "
                         f"distance={distance!r} takes order=1, got order={order!r}")
    return order


def check_probability(value, name: str) -> float:
    return check_real(value, name, lower=0.0, upper=1.0)


def check_sample_size(m, name: str = "m") -> int:
    """A minibatch size: a positive integer (non-integers are a ValueError, as 2.5 samples)."""
    if isinstance(m, (bool, np.bool_)):
        raise TypeError(f"{name} must be a positive integer (the number of samples), got a bool")
    if isinstance(m, numbers.Integral):
        m = int(m)
    elif isinstance(m, numbers.Real):
        raise ValueError(f"{name} must be a positive integer (the number of samples), got "
                         f"{type(m).__name__} {m!r}")
    else:
        raise TypeError(f"{name} must be a positive integer (the number of samples), got "
                        f"{type(m).__name__} {m!r}")
    if m < 1:
        raise ValueError(f"{name} must be >= 1 (the number of samples), got {m}")
    if m > MAX_SAMPLE_SIZE:
        raise ValueError(f"{name} must be <= {MAX_SAMPLE_SIZE} (exact enumeration is O(m)), "
                         f"got {m}")
    return m


def as_parameter_array(values, name: str) -> np.ndarray:
    """Finite float64 values in [0, 1], any shape (a scalar gives a 0-d array)."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be a number or an array of numbers in [0, 1], got "
                        f"{type(values).__name__}")
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise TypeError(f"{name} must be a number or an array of numbers in [0, 1], got an "
                        f"array of dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real, got dtype {array.dtype}")
    array = np.array(array, dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    bad = ~np.isfinite(array) | (array < 0.0) | (array > 1.0)
    if np.any(bad):
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{name} must lie in [0, 1], got {float(array.ravel()[index])!r} at flat "
                         f"index {index}")
    return array


def gradient_scale(distance: str) -> float:
    """The factor c in the sample gradient c (theta - a) of the quadratic losses."""
    return {"cramer": 2.0, "energy": 4.0}[distance]
