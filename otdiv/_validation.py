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

import functools
import inspect
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ._scaling import power_of_two_above

T = TypeVar("T")

#: A critic: maps ``(n, d)`` float64 points to ``n`` finite values (see :func:`critic_values`).
Critic = Callable[[np.ndarray], ArrayLike]

#: What every ``rng`` argument takes: a seed, a ``SeedSequence``, a ``Generator`` or None.
RngLike = int | np.random.Generator | np.random.SeedSequence | None

__all__ = [
    "as_samples",
    "as_weights",
    "as_mass_vector",
    "as_cost_matrix",
    "as_probability_vector",
    "Grid",
    "SamplePair",
    "as_sample_pair",
    "takes_sample_pair",
    "check_same_dimension",
    "check_option",
    "check_real",
    "check_int",
    "check_bool",
    "as_rng",
    "as_seed_sequence",
    "critic_values",
    "as_sparse_cost",
    "as_float_array",
    "refuse_time",
    "check_finite",
]


def _describe(array: np.ndarray) -> str:
    return f"an array of shape {array.shape} and dtype {array.dtype}"


def _refuse_masked(values: object, name: str) -> None:
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a plain array of real numbers, got a "
                        f"numpy.ma.MaskedArray (otdiv does not honour masks, and converting "
                        f"would count the masked entries as data): pass "
                        f"{name}.compressed() and the matching weights instead")


def refuse_time(dtype: np.dtype, name: str) -> None:
    if dtype.kind in "mM":
        what = "timedelta64" if dtype.kind == "m" else "datetime64"
        raise TypeError(f"{name} must be real numbers, got {what} values (dtype {dtype}): "
                        f"their raw counts depend on the unit; convert them to numbers in "
                        f"a unit of your choice, e.g. values / np.timedelta64(1, 's')")


def as_float_array(values: ArrayLike, name: str) -> np.ndarray:
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
    refuse_time(array.dtype, name)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(array)}")
    return np.asarray(array, dtype=np.float64, order="C")  # (ascontiguousarray makes 0-d 1-d)


def check_finite(array: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array.ravel()))
        first = array.ravel()[bad[0]]
        raise ValueError(
            f"{name} must be finite, got {bad.size} non-finite entr"
            f"{'y' if bad.size == 1 else 'ies'} (first: {float(first)!r} at flat index {bad[0]})"
        )


def as_samples(values: ArrayLike, name: str = "u_values") -> np.ndarray:
    """Return samples as a C-contiguous float64 array of shape ``(n, d)``.

    A 1-D array of ``n`` values is read as ``n`` points on the line, shape ``(n, 1)``.
    """
    array = as_float_array(values, name)
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
    check_finite(array, name)
    return np.ascontiguousarray(array)


def check_same_dimension(u: np.ndarray, v: np.ndarray,
                         names: tuple[str, str] = ("u_values", "v_values")) -> None:
    """Both sample arrays must live in the same space ``R^d``."""
    if u.shape[1] != v.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same dimension d, got points in "
            f"R^{u.shape[1]} and R^{v.shape[1]} (shapes {u.shape} and {v.shape})"
        )


def as_mass_vector(values: ArrayLike, name: str, *, length: int | None = None) -> np.ndarray:
    """Non-negative finite masses with a positive total, as float64 of shape ``(n,)``.

    The masses are *not* normalised (balanced OT checks the totals itself).
    """
    array = as_float_array(values, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of masses, got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have length {length} (one mass per point), "
                         f"got length {array.size}")
    check_finite(array, name)
    if np.any(array < 0):
        index = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"{name} must be non-negative, got {float(array[index])!r} at index "
                         f"{index}")
    if not array.max() > 0:
        raise ValueError(f"{name} must have a positive sum, got all zeros")
    return array


def as_weights(weights: ArrayLike | None, n: int, name: str = "u_weights") -> np.ndarray:
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


def as_probability_vector(values: ArrayLike, name: str = "p", *, normalize: bool = True
                          ) -> np.ndarray:
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

def _per_axis(value: float | ArrayLike, name: str, ndim: int, *, positive: bool
              ) -> tuple[float, ...]:
    """A scalar or one real per axis of a grid, as a tuple of ``ndim`` finite floats."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or one per axis ({ndim}), got "
                        f"{type(value).__name__}")
    array = as_float_array(value, name)
    if array.ndim == 0:
        array = np.full(ndim, float(array))
    if array.shape != (ndim,):
        raise ValueError(f"{name} must be a real number or {ndim} of them (one per axis of "
                         f"the histogram), got shape {array.shape}")
    check_finite(array, name)
    if positive and np.any(array <= 0):
        index = int(np.flatnonzero(array <= 0)[0])
        raise ValueError(f"{name} must be positive, got {float(array[index])!r} on axis "
                         f"{index}")
    return tuple(float(item) for item in array)


@dataclass(frozen=True, init=False, eq=False, repr=False)
class Grid:
    r"""A histogram on a regular grid (an image, a volume, a 1-D histogram): one measure.

    ``Grid(histogram, spacing=1.0, origin=0.0)`` stands for the measure
    :math:`\sum_k h_k \delta_{x_k} / \sum_k h_k` whose atoms are the pixel centres
    :math:`x_k = \text{origin} + \text{spacing} \cdot k` for every multi-index ``k`` of the
    histogram (axis 0 first, as ``numpy`` indexes an image: rows, then columns). Pass two
    grids in place of ``u_values`` and ``v_values`` to :func:`otdiv.wasserstein`,
    :func:`otdiv.transport` and the other sample functions (the weights must then be
    omitted: a grid's masses are its histogram)::

        otdiv.wasserstein(Grid(image_a), Grid(image_b), p=2)

    Each histogram is normalised to total mass 1 (as sample weights are), so the distance
    is between the normalised measures. Pixels of zero mass are dropped before solving:
    they carry no mass, and their potentials are free (:func:`otdiv.transport` returns the
    plan indexed by flat pixel index over the full grid and NaN potentials there). The two
    grids must have the same number of axes; their shapes, spacings and origins may differ
    (they are two weighted point sets in :math:`\mathbb R^d`).

    Parameters
    ----------
    histogram : array_like, any number of axes >= 1
        Non-negative finite masses with a positive total.
    spacing : float or sequence of float, positive
        Distance between neighbouring pixel centres, one for all axes or one per axis.
    origin : float or sequence of float
        Coordinates of the centre of pixel ``(0, ..., 0)``.

    Attributes
    ----------
    histogram : ndarray
        Read-only float64 copy of the masses, as given (not normalised).
    spacing, origin : tuple of float
        One entry per axis.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv import Grid, wasserstein
    >>> a = np.array([[1.0, 0.0], [0.0, 0.0]])
    >>> b = np.array([[0.0, 0.0], [0.0, 1.0]])
    >>> wasserstein(Grid(a), Grid(b), p=2)  # from pixel (0, 0) to pixel (1, 1)
    1.4142135623730951
    >>> Grid(a, spacing=0.5).points().tolist()  # the pixels with mass, in flat order
    [[0.0, 0.0]]
    """

    histogram: np.ndarray
    spacing: tuple[float, ...]
    origin: tuple[float, ...]

    def __init__(self, histogram: ArrayLike, spacing: float | ArrayLike = 1.0,
                 origin: float | ArrayLike = 0.0) -> None:
        if isinstance(histogram, Grid):
            raise TypeError("histogram must be an array of masses, got a Grid")
        array = as_float_array(histogram, "histogram")
        if array.ndim == 0:
            raise ValueError("histogram must have at least one axis, got a scalar")
        if array.size == 0:
            raise ValueError(f"histogram must not be empty, got {_describe(array)}")
        check_finite(array, "histogram")
        if np.any(array < 0):
            index = np.unravel_index(int(np.flatnonzero(array.ravel() < 0)[0]), array.shape)
            raise ValueError(f"histogram must be non-negative, got {float(array[index])!r} "
                             f"at index {tuple(int(i) for i in index)}")
        if not array.max() > 0:
            raise ValueError("histogram must have a positive total mass, got all zeros")
        array = array.copy()
        array.setflags(write=False)
        object.__setattr__(self, "histogram", array)
        object.__setattr__(self, "spacing", _per_axis(spacing, "spacing", array.ndim,
                                                      positive=True))
        object.__setattr__(self, "origin", _per_axis(origin, "origin", array.ndim,
                                                     positive=False))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.histogram.shape)

    @property
    def ndim(self) -> int:
        return int(self.histogram.ndim)

    def support(self) -> np.ndarray:
        """Flat (C-order) indices of the pixels with positive mass, increasing."""
        return np.flatnonzero(self.histogram.ravel() > 0)

    def points(self, flat_indices: np.ndarray | None = None) -> np.ndarray:
        """Coordinates ``origin + spacing * index`` of the given flat pixel indices, shape
        ``(k, ndim)``; by default of the pixels with positive mass (:meth:`support`)."""
        flat = self.support() if flat_indices is None else np.asarray(flat_indices)
        index = np.stack(np.unravel_index(flat, self.shape), axis=1).astype(np.float64)
        return np.ascontiguousarray(np.asarray(self.origin) + np.asarray(self.spacing) * index)

    def masses(self) -> np.ndarray:
        """The positive masses, in the order of :meth:`support` (not normalised)."""
        flat = self.histogram.ravel()
        return flat[flat > 0]

    def __repr__(self) -> str:
        return (f"Grid(shape={self.shape}, spacing={self.spacing}, origin={self.origin}, "
                f"pixels with mass={int(np.count_nonzero(self.histogram))})")


@dataclass(frozen=True)
class SamplePair:
    """Two validated weighted samples: the one form every sample core takes.

    ``u`` and ``v`` are finite C-contiguous float64 points of shapes ``(n, d)`` and
    ``(m, d)`` (the same ``d``); ``u_weights`` and ``v_weights`` are float64 probability
    vectors, always arrays. ``uniform`` is the one uniform-weights convention: ``True`` when
    the caller gave neither weight vector, which lets the 1-D and sliced cores use their
    faster uniform kernels (see :meth:`line_weights`). Built by :func:`as_sample_pair` from
    user input, or directly by a caller whose arrays are already validated.

    ``grids`` is ``(u_grid, v_grid)`` when the samples came from two grids (:class:`Grid`):
    ``u`` and ``v`` then hold the pixels with positive mass, in the order of
    ``Grid.support()``, so that a core can place its answer back onto the full grids.
    """

    u: np.ndarray
    v: np.ndarray
    u_weights: np.ndarray
    v_weights: np.ndarray
    uniform: bool
    grids: tuple[Grid, Grid] | None = None

    @property
    def dimension(self) -> int:
        return int(self.u.shape[1])

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(u, v, u_weights, v_weights)``, for the cores that take the four arrays."""
        return self.u, self.v, self.u_weights, self.v_weights

    def line_weights(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The weights the 1-D kernels take: ``(None, None)`` when uniform, else both."""
        return (None, None) if self.uniform else (self.u_weights, self.v_weights)


def as_sample_pair(u_values: ArrayLike | Grid, v_values: ArrayLike | Grid,
                   u_weights: ArrayLike | None = None, v_weights: ArrayLike | None = None, *,
                   one_dimensional: bool = False) -> SamplePair:
    """Validate the scipy-style quadruple shared by every sample distance, once.

    With ``one_dimensional``, points in more than one dimension are refused. Two
    grids (:class:`Grid`) in place of the values stand for their pixels with positive mass,
    weighted by the histograms (the weights must then be ``None``).
    """
    if isinstance(u_values, Grid) or isinstance(v_values, Grid):
        return _grid_pair(u_values, v_values, u_weights, v_weights, one_dimensional)
    u = as_samples(u_values, "u_values")
    v = as_samples(v_values, "v_values")
    check_same_dimension(u, v)
    if one_dimensional and u.shape[1] != 1:
        raise ValueError(f"u_values and v_values must be 1-D samples (shape (n,) or (n, 1)), "
                         f"got points in R^{u.shape[1]}")
    u_w = as_weights(u_weights, u.shape[0], "u_weights")
    v_w = as_weights(v_weights, v.shape[0], "v_weights")
    return SamplePair(u, v, u_w, v_w, u_weights is None and v_weights is None)


def _grid_pair(u_grid: Any, v_grid: Any, u_weights: ArrayLike | None,
               v_weights: ArrayLike | None, one_dimensional: bool) -> SamplePair:
    """Two grids as a sample pair: their pixels with mass, weighted by the histograms."""
    for name, value, other in (("u_values", u_grid, "v_values"),
                               ("v_values", v_grid, "u_values")):
        if not isinstance(value, Grid):
            raise TypeError(f"{name} must be a Grid when {other} is one (two histograms on "
                            f"grids, or two point arrays), got {type(value).__name__}")
    for name, weights, values in (("u_weights", u_weights, "u_values"),
                                  ("v_weights", v_weights, "v_values")):
        if weights is not None:
            raise TypeError(f"{name} must be None when {values} is a Grid (a grid's masses "
                            f"are its histogram; scale the histogram instead), got "
                            f"{type(weights).__name__}")
    if u_grid.ndim != v_grid.ndim:
        raise ValueError(f"u_values and v_values must be grids with the same number of axes, "
                         f"got shapes {u_grid.shape} and {v_grid.shape}")
    if one_dimensional and u_grid.ndim != 1:
        raise ValueError(f"u_values and v_values must be 1-D grids here, got shapes "
                         f"{u_grid.shape} and {v_grid.shape}")
    u, v = u_grid.points(), v_grid.points()
    u_w = as_weights(u_grid.masses(), u.shape[0], "u_values")
    v_w = as_weights(v_grid.masses(), v.shape[0], "v_values")
    return SamplePair(u, v, u_w, v_w, False, grids=(u_grid, v_grid))


_PAIR_NAMES = ("u_values", "v_values", "u_weights", "v_weights")


def _public_signature(core: Callable, weights_keyword_only: bool) -> inspect.Signature:
    """The core's signature with its parameter ``pair`` replaced by scipy's four."""
    signature = inspect.signature(core)
    parameters = list(signature.parameters.values())
    names = [parameter.name for parameter in parameters]
    if "pair" not in names:
        raise TypeError(f"{core.__name__} must take the validated samples as 'pair'")
    before, rest = parameters[:names.index("pair")], parameters[names.index("pair") + 1:]
    positional = [parameter for parameter in rest
                  if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    keyword = [parameter for parameter in rest if parameter not in positional]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    values = [inspect.Parameter(name, kind) for name in _PAIR_NAMES[:2]]
    if weights_keyword_only:
        weights = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
                   for name in _PAIR_NAMES[2:]]
        parameters = before + values + positional + weights + keyword
    else:
        weights = [inspect.Parameter(name, kind, default=None) for name in _PAIR_NAMES[2:]]
        parameters = before + values + weights + positional + keyword
    return signature.replace(parameters=parameters)


def takes_sample_pair(*, checks: Mapping[str, Callable[[Any, str], Any]] | None = None,
                      one_dimensional: bool = False, weights_keyword_only: bool = False
                      ) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Declare a public sample function: validate its inputs once, then run its body.

    The decorated function takes a :class:`SamplePair` as its parameter ``pair`` (the
    first, or after a critic) and its options after it; the public function takes scipy's
    ``(u_values, v_values, u_weights=None, v_weights=None)`` in its place
    (``inspect.signature`` shows that form, with the weights keyword-only behind the
    positional options when ``weights_keyword_only``). Each call runs, in this order:
    ``checks`` (option name -> ``check(value, name)`` returning the clean value), in the
    order given; the sample pair (:func:`as_sample_pair`, with ``one_dimensional`` the check
    that the points lie on the line). The body receives trusted arrays and clean options and
    validates nothing that was declared here (only what depends on the samples, such as a
    bound in ``d``).
    """
    checks = dict(checks or {})

    def decorate(core: Callable[..., T]) -> Callable[..., T]:
        signature = _public_signature(core, weights_keyword_only)
        unknown = set(checks) - set(signature.parameters)
        if unknown:
            raise TypeError(f"checks for parameters {sorted(unknown)} that "
                            f"{core.__name__} does not take")

        @functools.wraps(core)
        def public(*args: Any, **kwargs: Any) -> T:
            arguments = signature.bind(*args, **kwargs)
            arguments.apply_defaults()
            options = arguments.arguments
            for name, check in checks.items():
                options[name] = check(options[name], name)
            options["pair"] = as_sample_pair(*(options.pop(name) for name in _PAIR_NAMES),
                                             one_dimensional=one_dimensional)
            return core(**options)

        del public.__wrapped__  # the public signature is the scipy form, not the core's
        public.__signature__ = signature  # type: ignore[attr-defined]
        return public

    return decorate


def as_cost_matrix(cost: ArrayLike, name: str = "cost", *, shape: tuple[int, int] | None = None
                   ) -> np.ndarray:
    """A finite 2-D float64 cost matrix, optionally of a required shape."""
    array = as_float_array(cost, name)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got {_describe(array)}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got {_describe(array)}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} to match the marginals, "
                         f"got shape {array.shape}")
    check_finite(array, name)
    return array


def check_option(value: Any, name: str, allowed: Iterable[str]) -> str:
    """An option given by name must be one of ``allowed``; the error lists them."""
    allowed = tuple(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}, got "
                        f"{type(value).__name__} {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_real(value: Any, name: str, *, lower: float | None = None, upper: float | None = None,
               lower_inclusive: bool = True, upper_inclusive: bool = True) -> float:
    """A finite real scalar within optional bounds."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        refuse_time(np.asarray(value).dtype, name)
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


def check_bool(value: Any, name: str) -> bool:
    """A flag must be a real bool (``"no"`` would otherwise count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_int(value: Any, name: str, *, lower: int | None = None, upper: int | None = None) -> int:
    """An integer (Python or NumPy) within optional bounds; floats like 3.0 are refused."""
    if isinstance(value, (np.datetime64, np.timedelta64)):
        refuse_time(np.asarray(value).dtype, name)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if lower is not None and value < lower:
        raise ValueError(f"{name} must be >= {lower}, got {value}")
    if upper is not None and value > upper:
        raise ValueError(f"{name} must be <= {upper}, got {value}")
    return value


def critic_values(critic: Callable[[np.ndarray], ArrayLike], points: np.ndarray,
                  samples_name: str | None = None) -> np.ndarray:
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


def as_seed_sequence(rng: RngLike, name: str = "rng") -> np.random.SeedSequence:
    """``None``, an integer seed, a ``SeedSequence`` or a ``Generator`` → a ``SeedSequence``.

    A ``Generator`` is not copied: 16 bytes drawn from it seed the sequence (so the caller's
    stream advances, as when a function draws from it directly).
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int.from_bytes(rng.bytes(16), "little"))
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"{name} must be None, an integer seed or a numpy Generator, got a bool")
    if rng is None:
        return np.random.SeedSequence()
    if not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be None, an integer seed, a SeedSequence or a "
                        f"numpy.random.Generator, got {type(rng).__name__}")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative integer seed, got {rng}")
    return np.random.SeedSequence(int(rng))


def as_rng(rng: RngLike, name: str = "rng") -> np.random.Generator:
    """``None``, an integer seed, a ``SeedSequence`` or a ``Generator`` → a ``Generator``
    (the same one when given one; seeds as in :func:`as_seed_sequence`)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(as_seed_sequence(rng, name))


def as_sparse_cost(cost: Any, name: str = "cost", *, shape: tuple[int, int]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    check_finite(values, name)
    keys = rows * shape[1] + columns
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if np.any(keys[1:] == keys[:-1]):
        index = int(np.flatnonzero(keys[1:] == keys[:-1])[0])
        raise ValueError(f"{name} must list each arc once, got a duplicate entry at "
                         f"({int(keys[index] // shape[1])}, {int(keys[index] % shape[1])})")
    return rows[order], columns[order], values[order]
