"""Turn user input into clean float64 arrays, or raise a clear error.

Every public function runs its arguments through these helpers before any arithmetic.
Each error names the argument, what was expected and what was received. Nothing here
warns: bad input raises ``ValueError`` (bad values or shapes) or ``TypeError`` (wrong
kind of object).

Conventions enforced here for every array argument:

* ``numpy.ma.MaskedArray`` input is refused with a ``TypeError``: ``np.asarray`` drops the
  mask, so masked entries would silently count as data. Pass ``values.compressed()`` (and
  the matching weights) instead.
* ``datetime64`` and ``timedelta64`` input (arrays or scalars) is refused with a
  ``TypeError``: its raw integer counts depend on the unit (the same durations in seconds
  and in milliseconds would give answers 1000 times apart). Convert to plain numbers in a
  unit of your choice, e.g. ``durations / np.timedelta64(1, "s")``.
* Counts (sizes, steps, numbers of samples) must be integers: a float such as ``2.0`` or
  ``2.5`` is a ``TypeError``; an integer out of range is a ``ValueError``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from ._scaling import power_of_two_above

__all__ = [
    "as_samples",
    "as_weights",
    "as_mass_vector",
    "as_cost_matrix",
    "as_probability_vector",
    "as_samples_pair",
    "check_same_dimension",
    "check_option",
    "check_real",
    "check_int",
    "check_bool",
    "as_rng",
    "critic_values",
    "BIAS_DISTANCES",
    "MAX_SAMPLE_SIZE",
    "check_bias_distance",
    "check_bias_order",
    "check_probability",
    "check_sample_size",
    "as_probability_array",
]


def _describe(array: np.ndarray) -> str:
    return f"an array of shape {array.shape} and dtype {array.dtype}"


def _refuse_masked(values, name: str) -> None:
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a plain array of real numbers, got a "
                        f"numpy.ma.MaskedArray (otdiv does not honour masks, and converting "
                        f"would count the masked entries as data): pass "
                        f"{name}.compressed() and the matching weights instead")


def _refuse_time(dtype: np.dtype, name: str) -> None:
    if dtype.kind in "mM":
        what = "timedelta64" if dtype.kind == "m" else "datetime64"
        raise TypeError(f"{name} must be real numbers, got {what} values (dtype {dtype}): "
                        f"their raw counts depend on the unit; convert them to numbers in "
                        f"a unit of your choice, e.g. values / np.timedelta64(1, 's')")


def _as_float_array(values, name: str) -> np.ndarray:
    """Convert to a float64 ndarray; TypeError for non-numeric, masked or time input."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be an array of real numbers, got {type(values).__name__}")
    _refuse_masked(values, name)
    if isinstance(values, (list, tuple)) and any(isinstance(item, np.ma.MaskedArray)
                                                 for item in values):
        _refuse_masked(next(item for item in values if isinstance(item, np.ma.MaskedArray)),
                       name)
    try:
        array = np.asarray(values)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a rectangular array of real numbers ({exc})") from None
    if array.dtype == object:
        raise TypeError(f"{name} must be an array of real numbers, got an object array")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must be real, got {_describe(array)}")
    _refuse_time(array.dtype, name)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(array)}")
    return np.asarray(array, dtype=np.float64, order="C")  # (ascontiguousarray makes 0-d 1-d)


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array.ravel()))
        first = array.ravel()[bad[0]]
        raise ValueError(
            f"{name} must be finite, got {bad.size} non-finite entr"
            f"{'y' if bad.size == 1 else 'ies'} (first: {float(first)!r} at flat index {bad[0]})"
        )


def as_samples(values, name: str = "u_values") -> np.ndarray:
    """Return samples as a C-contiguous float64 array of shape ``(n, d)``.

    A 1-D array of ``n`` values is read as ``n`` points on the line, shape ``(n, 1)``.
    """
    array = _as_float_array(values, name)
    if array.ndim == 0:
        raise ValueError(f"{name} must be a 1-D array of values or a 2-D array (n, d) of points, "
                         f"got a scalar")
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 1-D array of values or a 2-D array (n, d) of points, "
                         f"got {_describe(array)}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one sample, got {_describe(array)}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} must have at least one coordinate, got {_describe(array)}")
    _check_finite(array, name)
    return np.ascontiguousarray(array)


def check_same_dimension(u: np.ndarray, v: np.ndarray,
                         names: tuple[str, str] = ("u_values", "v_values")) -> None:
    """Both sample arrays must live in the same space ``R^d``."""
    if u.shape[1] != v.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same dimension d, got points in "
            f"R^{u.shape[1]} and R^{v.shape[1]} (shapes {u.shape} and {v.shape})"
        )


def as_mass_vector(values, name: str, *, length: int | None = None) -> np.ndarray:
    """Non-negative finite masses with a positive total, as float64 of shape ``(n,)``.

    The masses are *not* normalised (balanced OT checks the totals itself).
    """
    array = _as_float_array(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of masses, got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have length {length} (one mass per point), "
                         f"got length {array.size}")
    _check_finite(array, name)
    if np.any(array < 0):
        index = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {float(array[index])!r} at index "
                         f"{index}")
    if not array.max() > 0:
        raise ValueError(f"{name} must have a positive sum, got all zeros")
    return array


def as_weights(weights, n: int, name: str = "u_weights") -> np.ndarray:
    """Sample weights normalised to sum 1; ``None`` means uniform weights ``1/n``."""
    if weights is None:
        return np.full(n, 1.0 / n)
    from ._kernels.onedim import compensated_sum

    array = as_mass_vector(weights, name, length=n)
    # First by a power of two near the largest (exact), so that the sum cannot overflow and
    # weights that add up exactly (integers, dyadic fractions) stay exact after normalising.
    array = array / power_of_two_above(float(array.max()))
    # A sum independent of the order of the weights: permuting a sample changes no bit.
    return array / compensated_sum(array)


def as_probability_vector(values, name: str = "p", *, normalize: bool = True) -> np.ndarray:
    """A discrete distribution: non-negative, finite, positive sum.

    With ``normalize=True`` the vector is divided by its sum; otherwise it must already sum
    to 1 within 1e-9.
    """
    array = as_mass_vector(values, name)
    if normalize:
        array = array / array.max()  # first, so that the sum cannot overflow
        return array / array.sum()
    with np.errstate(over="ignore"):
        total = array.sum()
    if abs(total - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1, got a sum of {float(total)!r}")
    return array


def as_samples_pair(u_values, v_values, u_weights=None, v_weights=None):
    """Validate the scipy-style quadruple shared by every sample distance.

    Returns ``(u, v, u_w, v_w)``: ``(n, d)`` and ``(m, d)`` float64 points and their weights
    normalised to sum 1.
    """
    u = as_samples(u_values, "u_values")
    v = as_samples(v_values, "v_values")
    check_same_dimension(u, v)
    u_w = as_weights(u_weights, u.shape[0], "u_weights")
    v_w = as_weights(v_weights, v.shape[0], "v_weights")
    return u, v, u_w, v_w


def as_cost_matrix(cost, name: str = "cost", *, shape: tuple[int, int] | None = None
                   ) -> np.ndarray:
    """A finite 2-D float64 cost matrix, optionally of a required shape."""
    array = _as_float_array(cost, name)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got {_describe(array)}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} to match the marginals, "
                         f"got shape {array.shape}")
    _check_finite(array, name)
    return array


def check_option(value, name: str, allowed: Iterable[str]) -> str:
    """An option given by name must be one of ``allowed``; the error lists them."""
    allowed = tuple(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}, got "
                        f"{type(value).__name__} {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_real(value, name: str, *, lower: float | None = None, upper: float | None = None,
               lower_inclusive: bool = True, upper_inclusive: bool = True) -> float:
    """A finite real scalar within optional bounds."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        _refuse_time(np.asarray(value).dtype, name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if lower is not None and (value < lower or (value == lower and not lower_inclusive)):
        bound = ">=" if lower_inclusive else ">"
        raise ValueError(f"{name} must be {bound} {lower}, got {value!r}")
    if upper is not None and (value > upper or (value == upper and not upper_inclusive)):
        bound = "<=" if upper_inclusive else "<"
        raise ValueError(f"{name} must be {bound} {upper}, got {value!r}")
    return value


def check_bool(value, name: str) -> bool:
    """A flag must be a real bool (``"no"`` would otherwise count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_int(value, name: str, *, lower: int | None = None, upper: int | None = None) -> int:
    """An integer (Python or NumPy) within optional bounds; floats like 3.0 are refused."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        _refuse_time(np.asarray(value).dtype, name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if lower is not None and value < lower:
        raise ValueError(f"{name} must be >= {lower}, got {value}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be <= {upper}, got {value}")
    return value


def critic_values(critic, points: np.ndarray, samples_name: str | None = None) -> np.ndarray:
    """Call a user's critic on ``points`` (n rows) and check it returns ``n`` finite reals.

    The critic receives a copy of ``points`` (it cannot alter the caller's data). Outputs of
    shape ``(n,)`` or ``(n, 1)`` are accepted, as is anything that converts through the array
    protocol (a JAX or PyTorch array). ``samples_name`` names the samples in the messages.
    """
    where = f" for {samples_name}" if samples_name else ""
    if not callable(critic):
        raise TypeError(f"critic must be a callable mapping an (n, d) array to n values, got "
                        f"{type(critic).__name__}")
    output = critic(points.copy())
    try:
        values = np.asarray(output)
    except Exception as exc:
        raise TypeError(f"critic must return an array of n real values{where}, got "
                        f"{type(output).__name__} ({exc})") from None
    if values.dtype == object or not (np.issubdtype(values.dtype, np.number)
                                      or values.dtype == np.bool_):
        raise TypeError(f"critic must return real numbers{where}, got dtype {values.dtype}")
    if np.iscomplexobj(values):
        raise TypeError(f"critic must return real numbers{where}, got complex values")
    n = points.shape[0]
    if values.shape not in ((n,), (n, 1)):
        raise ValueError(f"critic must map an array of shape {points.shape} to one value per "
                         f"sample, shape ({n},) or ({n}, 1){where}, got shape {values.shape}")
    values = values.reshape(n).astype(np.float64)
    if not np.all(np.isfinite(values)):
        index = int(np.flatnonzero(~np.isfinite(values))[0])
        raise ValueError(f"critic must return finite values{where}, got "
                         f"{float(values[index])!r} at row {index}")
    return values


def as_rng(rng) -> np.random.Generator:
    """``None``, an integer seed, a ``SeedSequence`` or a ``Generator`` → a ``Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, (bool, np.bool_)):
            raise TypeError("rng must be None, an integer seed or a numpy Generator, got a bool")
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"rng must be a non-negative integer seed, got {rng}")
        return np.random.default_rng(int(rng) if isinstance(rng, numbers.Integral) else rng)
    raise TypeError(f"rng must be None, an integer seed, a SeedSequence or a "
                    f"numpy.random.Generator, got {type(rng).__name__}")


def as_sparse_cost(cost, name: str = "cost", *, shape: tuple[int, int]):
    """A ``scipy.sparse`` cost as sorted, duplicate-free arcs ``(rows, columns, costs)``.

    Absent entries are forbidden arcs; explicitly stored zeros are allowed arcs of cost 0.
    Duplicate entries are refused (COO would add them up, which is rarely what was meant).
    """
    import scipy.sparse as sp

    if tuple(cost.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} to match the marginals, "
                         f"got shape {tuple(cost.shape)}")
    coo = sp.coo_array(cost)
    if coo.dtype == object or np.iscomplexobj(coo.data):
        raise TypeError(f"{name} must hold real numbers, got dtype {coo.dtype}")
    rows = np.asarray(coo.coords[0], dtype=np.int64)
    columns = np.asarray(coo.coords[1], dtype=np.int64)
    values = np.asarray(coo.data, dtype=np.float64)
    if values.size == 0:
        raise ValueError(f"{name} must have at least one allowed arc, got an empty sparse "
                         f"matrix")
    _check_finite(values, name)
    keys = rows * shape[1] + columns
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if np.any(keys[1:] == keys[:-1]):
        index = int(np.flatnonzero(keys[1:] == keys[:-1])[0])
        raise ValueError(f"{name} must list each arc once, got a duplicate entry at "
                         f"({int(keys[index] // shape[1])}, {int(keys[index] % shape[1])})")
    return rows[order], columns[order], values[order]


# --- the gradient-bias benchmark (otdiv.bias) ----------------------------------------------

#: Losses of the bias benchmark: W_q^q, the Cramér ℓ_2² and the squared energy distance.
BIAS_DISTANCES = ("wasserstein", "cramer", "energy")

#: Largest minibatch size accepted: exact enumeration costs O(m) memory and time.
MAX_SAMPLE_SIZE = 10**7


def check_bias_distance(distance) -> str:
    """One of :data:`BIAS_DISTANCES`."""
    return check_option(distance, "distance", BIAS_DISTANCES)


def check_bias_order(order, distance: str) -> float:
    """``order`` is the q of W_q (loss W_q^q); it has no meaning for the other distances."""
    order = check_real(order, "order", lower=1.0)
    if distance != "wasserstein" and order != 1.0:
        raise ValueError(f"order applies to distance='wasserstein' only (the loss W_q^q); "
                         f"distance={distance!r} takes order=1, got order={order!r}")
    return order


def check_probability(value, name: str) -> float:
    """A real number in [0, 1]."""
    return check_real(value, name, lower=0.0, upper=1.0)


def check_sample_size(m, name: str = "m") -> int:
    """A minibatch size: an integer in [1, MAX_SAMPLE_SIZE]; a float (even 2.0) is a TypeError."""
    if isinstance(m, (np.datetime64, np.timedelta64)):
        _refuse_time(np.asarray(m).dtype, name)
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


def as_probability_array(values, name: str) -> np.ndarray:
    """Finite float64 values in [0, 1], any shape (a scalar gives a 0-d array)."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be a number or an array of numbers in [0, 1], got "
                        f"{type(values).__name__}")
    array = np.array(_as_float_array(values, name), dtype=np.float64)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    bad = ~np.isfinite(array) | (array < 0.0) | (array > 1.0)
    if np.any(bad):
        index = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{name} must lie in [0, 1], got {float(array.ravel()[index])!r} at "
                         f"flat index {index}")
    return array
