"""Centring a pair of potentials: the one rule the solvers and the certificate share."""

from __future__ import annotations

import numpy as np

__all__ = ["centring_shift"]


def centring_shift(potential: np.ndarray, masses: np.ndarray) -> float:
    """The median of ``potential`` over the points with mass: the constant that centres it.

    A pair of potentials ``(u, v)`` is defined only up to a constant, ``(u + t, v - t)``
    being as feasible and as optimal; ``potential - centring_shift(potential, masses)``
    (with the other side moved by ``+`` the shift) fixes the constant so that the numbers
    stay near the costs whatever the solver left in them (a big-M offset, a scale). Only
    the points with mass (``masses > 0``) and a finite potential count: a massless point's
    potential is free in the LP (no constraint binds it) and may be anything. With no such
    point (a problem without mass on this side) the median over all finite values is used,
    and 0 when there are none.
    """
    finite = np.isfinite(potential)
    counted = (masses > 0) & finite
    if not counted.any():
        counted = finite
    return float(np.median(potential[counted])) if counted.any() else 0.0
