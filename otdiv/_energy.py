r"""The energy distance's formulas, each written once.

- :func:`energy_from_ell2`: on the line :math:`D^2 = 2\ell_2^2` and :math:`D = \sqrt2\,\ell_2`
  (``energy_distance`` in 1-D, ``energy_distance_1d``, ``pairwise``, each sliced projection);
- :func:`serial_kernels` and :func:`distance_sum_kernels`: the serial / parallel choice of the
  Numba double sums (below ``PARALLEL_WORK_THRESHOLD`` the thread team costs more than it
  saves);
- :func:`energy_from_sums`: :math:`D^2 = 2\,\mathrm{cross} - \mathrm{within}_u -
  \mathrm{within}_v` on rescaled samples, clipped at 0 (round-off of cancelling sums);
- :func:`exact_energy_squared`: the whole exact computation for one pair.

Trusted input only: validated float64 arrays and probability vectors.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ._kernels import energy as _energy_kernels
from ._scaling import power_of_two_above

__all__ = ["PARALLEL_WORK_THRESHOLD", "pair_count", "energy_from_ell2",
           "energy_squared_from_ell2", "serial_kernels", "distance_sum_kernels",
           "energy_from_sums", "exact_energy_squared"]

# below this many (pairs x dimension) the exact sums run on one thread: starting the thread
# team would cost more than it saves
PARALLEL_WORK_THRESHOLD = 1 << 20


def pair_count(n: int, m: int) -> int:
    """Point pairs of the three sums: ``n m + n(n-1)/2 + m(m-1)/2``."""
    return n * m + n * (n - 1) // 2 + m * (m - 1) // 2


def energy_squared_from_ell2(ell_2: float, factor: float = 1.0) -> float:
    r"""``factor`` times :math:`D^2 = 2\ell_2^2` (``factor`` is the sliced :math:`c_d`)."""
    return factor * 2.0 * ell_2 * ell_2


def energy_from_ell2(ell_2: float, squared: bool) -> float:
    r"""The 1-D energy distance from the Cramér :math:`\ell_2`: :math:`D^2` or :math:`D`."""
    return energy_squared_from_ell2(ell_2) if squared else math.sqrt(2.0) * ell_2


def serial_kernels(n: int, m: int, d: int) -> bool:
    """Whether the sums of an ``n x m`` pair in ``R^d`` run on one thread."""
    return pair_count(n, m) * d < PARALLEL_WORK_THRESHOLD


def distance_sum_kernels(serial: bool) -> tuple[Callable[..., float], Callable[..., float]]:
    """``(cross_sum, within_sum)``: the serial or the parallel Numba double sums."""
    if serial:
        return (_energy_kernels.cross_distance_sum_serial,
                _energy_kernels.within_distance_sum_serial)
    return _energy_kernels.cross_distance_sum, _energy_kernels.within_distance_sum


def energy_from_sums(cross: float, within_u: float, within_v: float, scale: float) -> float:
    """:math:`D^2` from the sums of samples divided by ``scale``."""
    # The three sums cancel when the samples are close; round-off may leave a value of
    # order 1e-16 * cross below zero, which is the distance 0.
    return max(2.0 * cross - within_u - within_v, 0.0) * scale


def exact_energy_squared(u: np.ndarray, v: np.ndarray, u_w: np.ndarray, v_w: np.ndarray
                         ) -> float:
    """2 E||X-Y|| - E||X-X'|| - E||Y-Y'|| by the O(n + m)-memory Numba double sums."""
    largest = max(np.abs(u).max(), np.abs(v).max())
    if largest == 0.0:
        return 0.0
    # Divide by a power of two (exact) so squared coordinates can neither overflow nor
    # underflow; the energy distance scales linearly.
    scale = power_of_two_above(largest)
    u, v = u / scale, v / scale
    u_t, v_t = np.ascontiguousarray(u.T), np.ascontiguousarray(v.T)
    cross_sum, within_sum = distance_sum_kernels(serial_kernels(u.shape[0], v.shape[0],
                                                                u.shape[1]))
    return energy_from_sums(cross_sum(u, u_w, v_t, v_w), within_sum(u, u_t, u_w),
                            within_sum(v, v_t, v_w), scale)
