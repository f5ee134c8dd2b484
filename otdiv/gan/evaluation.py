r"""Sample-quality measures of a generator, each beside its sampling floor.

A distance between ``n`` generated and ``n`` data samples is never 0, even for a perfect
generator: two independent ``n``-point samples of the data are already apart. The *floor*
of a metric is its value between two independent data samples of the same size; a
generator whose distance is within the spread of the floor is as close to the data as the
metric can tell. :func:`evaluate_samples` returns both, plus, on the Gaussian-mixture toys,
the modes covered and the share of high-quality samples (:func:`mode_statistics`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._energy import exact_energy_squared
from .._transport import solve_samples
from .._validation import as_samples, check_real

__all__ = ["exact_w1", "energy_distance", "mode_statistics", "evaluate_samples"]


def _energy_squared_core(u: np.ndarray, v: np.ndarray) -> float:
    """otdiv's exact energy-distance core on clean float64 ``(n, d)`` arrays, uniform
    weights (the one place that names the private core: move it here if it moves)."""
    return exact_energy_squared(u, v, np.full(u.shape[0], 1.0 / u.shape[0]),
                                 np.full(v.shape[0], 1.0 / v.shape[0]))


def energy_distance(u_values: ArrayLike, v_values: ArrayLike) -> float:
    r"""Energy distance :math:`\sqrt{2E\|X-Y\| - E\|X-X'\| - E\|Y-Y'\|}` of two uniform
    samples, by otdiv's exact core (the same number as :func:`otdiv.energy_distance`).

    Examples
    --------
    >>> from otdiv.gan.evaluation import energy_distance
    >>> round(energy_distance([[0.0, 0.0]], [[3.0, 4.0]]) ** 2, 12)
    10.0
    """
    u = as_samples(u_values, "u_values")
    v = as_samples(v_values, "v_values")
    return math.sqrt(_energy_squared_core(u, v))


def exact_w1(u_values: ArrayLike, v_values: ArrayLike) -> float:
    """Exact :math:`W_1` between two uniform samples of points the caller generated
    (finite float64 ``(n, d)`` arrays): the certified solve of :func:`otdiv.wasserstein`."""
    u = np.ascontiguousarray(u_values, dtype=np.float64)
    v = np.ascontiguousarray(v_values, dtype=np.float64)
    if u.ndim == 1:
        u, v = u[:, None], v[:, None]
    u_w = np.full(u.shape[0], 1.0 / u.shape[0])
    v_w = np.full(v.shape[0], 1.0 / v.shape[0])
    result, cost = solve_samples(u, v, u_w, v_w, 1.0, "auto", progress=False)
    return float(cost.to_distance(result.cost))


def mode_statistics(samples: ArrayLike, centres: ArrayLike, sigma: float, *,
                    min_share: float = 0.01) -> dict[str, Any]:
    r"""Modes covered and share of high-quality samples of a Gaussian-mixture fit.

    A sample is *high-quality* when it lies within :math:`3\sigma` of its nearest centre
    (Srivastava et al. 2017); a mode is *covered* when at least ``min_share`` of all samples
    (and at least one) are high-quality samples assigned to it.

    Returns ``{"modes_covered": int, "n_modes": int, "high_quality_share": float}``.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv.gan.evaluation import mode_statistics
    >>> centres = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> mode_statistics([[0.0, 0.01], [0.0, -0.01], [0.5, 0.0]], centres, 0.01)
    {'modes_covered': 1, 'n_modes': 2, 'high_quality_share': 0.6666666666666666}
    """
    samples = as_samples(samples, "samples")
    centres = as_samples(centres, "centres")
    if centres.shape[1] != samples.shape[1]:
        raise ValueError(f"centres must have {samples.shape[1]} columns like samples, got "
                         f"shape {centres.shape}")
    sigma = check_real(sigma, "sigma", lower=0.0, lower_inclusive=False)
    min_share = check_real(min_share, "min_share", lower=0.0, upper=1.0)
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(samples.shape[0]), nearest] <= 3.0 * sigma
    counts = np.bincount(nearest[good], minlength=centres.shape[0])
    needed = max(1, math.ceil(min_share * samples.shape[0]))
    return {"modes_covered": int((counts >= needed).sum()), "n_modes": int(centres.shape[0]),
            "high_quality_share": float(good.mean())}


def evaluate_samples(real: ArrayLike, fake: ArrayLike, real_again: ArrayLike, *,
                     mixture: tuple[np.ndarray, float] | None = None) -> dict[str, Any]:
    """Exact W_1 and energy distance of ``fake`` to ``real``, their floors (the same
    metrics between ``real`` and the independent ``real_again``), and, when ``mixture =
    (centres, sigma)`` is given, :func:`mode_statistics` of ``fake``.

    Returns a dict with ``exact_w1``, ``w1_floor``, ``energy_distance``, ``energy_floor``
    (and ``modes_covered``, ``high_quality_share``).
    """
    row = {"exact_w1": exact_w1(real, fake), "w1_floor": exact_w1(real, real_again),
           "energy_distance": energy_distance(real, fake),
           "energy_floor": energy_distance(real, real_again)}
    if mixture is not None:
        stats = mode_statistics(fake, *mixture)
        row["modes_covered"] = stats["modes_covered"]
        row["high_quality_share"] = stats["high_quality_share"]
    return row
