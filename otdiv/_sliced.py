r"""Sliced estimators of validated samples: directions, projections and their summaries.

The cores behind :func:`otdiv.sliced_wasserstein`, :func:`otdiv.sliced_energy_distance`,
``energy_distance(method="sliced")`` and ``pairwise``'s sliced metrics; each summary (mean,
standard error, delta method) is written once here. Trusted input only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np

from ._energy import energy_squared_from_ell2
from ._sample_results import Estimate
from ._validation import RngLike, SamplePair, as_rng, check_int
from .exact.onedim import cramer_of_sorted, sorted_pair, wasserstein_of_sorted

__all__ = ["MAX_DIRECTION_VALUES", "sphere_constant", "check_projections",
           "random_directions", "sliced_energy_values", "sliced_energy_core",
           "sliced_wasserstein_core"]

# projected values held at once by the sliced estimators (per sample): 32 MB of float64
_PROJECTION_BATCH_VALUES = 4_000_000


def sphere_constant(d: int) -> float:
    r"""The constant :math:`c_d` with :math:`E\|z\| = c_d\,E_\theta|\theta^\top z|`.

    .. math:: c_d = \frac{\sqrt\pi\,\Gamma(\frac{d+1}{2})}{\Gamma(\frac d2)}

    for :math:`\theta` uniform on the unit sphere of :math:`\mathbb R^d` (``c_1 = 1``,
    ``c_2 = π/2``).

    Examples
    --------
    >>> from otdiv._sliced import sphere_constant
    >>> sphere_constant(1), round(sphere_constant(2), 12)
    (1.0, 1.570796326795)
    """
    if d <= 1000:
        # c_1 = 1, c_2 = pi/2 and c_{k+2} = c_k (k + 1) / k, with the rational factor exact
        ratio = Fraction(1)
        for k in range(2 - d % 2, d, 2):
            ratio *= Fraction(k + 1, k)
        return float(ratio) if d % 2 else float(ratio) * (math.pi / 2)
    return math.exp(0.5 * math.log(math.pi) + math.lgamma((d + 1) / 2) - math.lgamma(d / 2))


#: Most direction coordinates (n_projections * d) drawn at once: 1 GiB of float64.
MAX_DIRECTION_VALUES = 2**27


def check_projections(n_projections: Any, d: int) -> int:
    """A number of random directions: an integer >= 2 whose directions fit in memory."""
    n_projections = check_int(n_projections, "n_projections", lower=2)
    if n_projections * d > MAX_DIRECTION_VALUES:
        raise ValueError(f"n_projections must be at most {MAX_DIRECTION_VALUES // d} in "
                         f"R^{d} (n_projections * d <= 2**27 direction coordinates, 1 GiB), "
                         f"got {n_projections}")
    return n_projections


def random_directions(rng: RngLike, n_directions: int, d: int) -> np.ndarray:
    """Rows uniform on the unit sphere of R^d (normalised Gaussians); ``rng`` is the
    checked generator of a public function (``as_rng`` returns a Generator as it is)."""
    generator = as_rng(rng)
    directions = generator.standard_normal((n_directions, d))
    norms = np.linalg.norm(directions, axis=1)
    while np.any(norms == 0.0):  # probability zero, but never divide by it
        zero = norms == 0.0
        directions[zero] = generator.standard_normal((int(zero.sum()), d))
        norms = np.linalg.norm(directions, axis=1)
    return directions / norms[:, None]


def _projected_pairs(pair: SamplePair, directions: np.ndarray) -> Iterator[Any]:
    """Yield a sorted 1-D pair (see ``exact.onedim``) for each direction, in batches."""
    u, v = pair.u, pair.v
    weights = pair.line_weights()
    batch = max(1, _PROJECTION_BATCH_VALUES // max(u.shape[0], v.shape[0]))
    for start in range(0, directions.shape[0], batch):
        block = directions[start:start + batch]
        u_projected = block @ u.T  # (batch, n), rows contiguous
        v_projected = block @ v.T
        for row in range(block.shape[0]):
            yield sorted_pair(u_projected[row], v_projected[row], *weights)


def sliced_energy_values(pair: SamplePair, directions: np.ndarray) -> np.ndarray:
    """c_d times the exact 1-D squared energy distance of each projection."""
    c_d = sphere_constant(pair.dimension)
    values = np.empty(directions.shape[0])
    for k, projected in enumerate(_projected_pairs(pair, directions)):
        ell_2 = cramer_of_sorted(projected, 2.0)
        values[k] = energy_squared_from_ell2(ell_2, c_d)
    return values


def sliced_energy_core(pair: SamplePair, directions: np.ndarray, squared: bool) -> Estimate:
    """The sliced energy estimate of validated samples along the given directions."""
    n_projections = directions.shape[0]
    values = sliced_energy_values(pair, directions)
    mean = float(values.mean())
    standard_error = float(values.std(ddof=1) / math.sqrt(n_projections))
    if squared:
        return Estimate(mean, standard_error, n_projections)
    root = math.sqrt(mean)  # the delta method: se(D) = se(D^2) / (2 D)
    return Estimate(root, standard_error / (2.0 * root) if root > 0 else 0.0, n_projections)


def sliced_wasserstein_core(pair: SamplePair, directions: np.ndarray, p: float) -> Estimate:
    r"""(mean over directions of W_p^p of the projections)^(1/p) and its standard error.

    Computed without over/underflow: the projected distances are divided by the largest
    one before the p-th powers. The standard error is the delta method's
    :math:`\mathrm{se}(\bar M)\,\bar M^{1/p - 1}/p` for the mean :math:`\bar M` of the
    :math:`W_p^p`.
    """
    distances = np.array([wasserstein_of_sorted(projected, p) for projected in
                          _projected_pairs(pair, directions)])
    n_projections = distances.size
    largest = distances.max()
    if largest == 0.0:
        return Estimate(0.0, 0.0, n_projections)
    powers = (distances / largest) ** p
    mean = float(powers.mean())
    value = float(largest * mean ** (1.0 / p))
    mean_error = float(powers.std(ddof=1) / math.sqrt(n_projections))
    error = float(largest * mean_error * mean ** (1.0 / p - 1.0) / p) if mean > 0 else 0.0
    return Estimate(value, error, n_projections)
