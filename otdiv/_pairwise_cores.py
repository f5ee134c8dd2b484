r"""Per-sample preparation and per-pair values for ``otdiv.pairwise`` (no validation).

The pairwise layer prepares each sample once and calls the same private cores as the
single-pair functions (``otdiv._transport``, ``otdiv._energy``, ``otdiv._sliced``,
``otdiv.exact.onedim``'s trusted cores); nothing here validates (``pairwise`` has) and
nothing here repeats a formula. Each metric has:

- ``prepare(sample, weights, metric, options)``: the once-per-sample work (sorting 1-D
  values, the largest coordinate for the energy's exact rescaling);
- ``energy_self_term_needs`` / ``self_terms``: the energy's :math:`E\|X - X'\|` sums, computed once
  per sample (per power-of-two scale and kernel that the sample's pairs use; see below);
- ``pair_value(prepared_u, prepared_v, metric, options, seed)``: the value of one pair and
  its quality number (duality gap of an exact LP, standard error of a sliced estimate).

The numbers are bit-for-bit those of the public single-pair functions on ``(u, v)``, which
run the same cores on the same arrays:

``wasserstein``   1-D: ``wasserstein_1d`` (sort once, quantile merge); d >= 2: the
                  certified exact solve of ``wasserstein`` (``sample_transport``'s solver
                  rule and ``method``).
``cramer``        ``cramer_distance`` (sort once, CDF merge).
``energy``        1-D: the CDF identity of ``energy_distance``; d >= 2:
                  ``energy_distance(..., method="exact")``: both samples divided by
                  the same power of two above the pair's largest coordinate, then
                  ``2 cross - within_u - within_v``. A within sum depends on that scale and
                  on the serial/parallel kernel choice (``PARALLEL_WORK_THRESHOLD``, from the
                  pair's sizes), so it is cached per (scale, kernel) — one or two entries per
                  sample on data of similar magnitudes, at worst one per other sample.
``sliced_*``      ``sliced_wasserstein`` / ``sliced_energy_distance`` with the pair's own
                  generator (value and standard error of the returned ``Estimate``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._energy import (
    distance_sum_kernels,
    energy_from_ell2,
    energy_from_sums,
    serial_kernels,
)
from ._scaling import power_of_two_above
from ._sliced import random_directions, sliced_energy_core, sliced_wasserstein_core
from ._transport import solve_samples
from ._validation import SamplePair, as_weights
from .exact.onedim import (
    _SortedPair,
    cramer_of_sorted,
    presorted_pair,
    sort_with_weights,
    wasserstein_of_sorted,
)

__all__ = ["METRICS", "DEFAULT_P", "Prepared", "prepare", "pair_value",
           "energy_self_term_needs", "self_terms", "exact_lp", "sliced"]

METRICS = ("wasserstein", "energy", "cramer", "sliced_wasserstein", "sliced_energy")
#: The metrics that take an order p, each with the default of its single-pair function
#: (``wasserstein``: W_1; ``cramer_distance``: l_2; ``sliced_wasserstein``: SW_2), so that a
#: metric means the same wherever it is named (``pairwise``, ``otdiv distance``/``pairwise``).
DEFAULT_P = {"wasserstein": 1.0, "cramer": 2.0, "sliced_wasserstein": 2.0}


@dataclass
class Prepared:
    """One sample after its once-only work.

    ``values`` is ``(n, d)`` (or sorted ``(n,)`` for the 1-D closed forms); ``weights`` the
    normalised weights, or ``None`` when the caller gave none (the uniform kernels).
    """

    values: np.ndarray
    weights: np.ndarray | None
    dimension: int
    largest: float = 0.0
    within: dict = field(default_factory=dict)


def _line_pair(u: Prepared, v: Prepared) -> _SortedPair:
    """The 1-D pair of two prepared (sorted once) samples, without sorting again."""
    return presorted_pair(u.values, u.weights, v.values, v.weights)


def _one_dimensional(metric: str, dimension: int) -> bool:
    return dimension == 1 and metric in ("wasserstein", "cramer", "energy")


def prepare(sample: np.ndarray, weights: np.ndarray | None, metric: str,
            options: dict) -> Prepared:
    """Once-per-sample work. ``sample`` is validated ``(n, d)``; ``weights`` validated and
    normalised (:func:`otdiv._validation.as_weights`), or None for uniform weights."""
    dimension = sample.shape[1]
    if _one_dimensional(metric, dimension):
        values, sorted_weights = sort_with_weights(sample[:, 0], weights)
        return Prepared(values, sorted_weights, 1)
    return Prepared(sample, weights, dimension, largest=float(np.abs(sample).max()))


def _full_weights(prepared: Prepared) -> np.ndarray:
    if prepared.weights is None:
        return as_weights(None, prepared.values.shape[0])
    return prepared.weights


# --- energy self-terms --------------------------------------------------------------------

def _energy_scale_and_kernel(u: Prepared, v: Prepared) -> tuple[float, bool] | None:
    """The pair's power-of-two scale and whether it runs the serial kernels (None if 0)."""
    largest = max(u.largest, v.largest)
    if largest == 0.0:
        return None
    serial = serial_kernels(u.values.shape[0], v.values.shape[0], u.dimension)
    return (power_of_two_above(largest), serial)


def energy_self_term_needs(rows: list, columns: list | None) -> tuple[list, list]:
    """Keys ``(scale, serial)`` of the within sums each sample's pairs need (energy, d >= 2).

    Pairs are all ``i < j`` of ``rows`` when ``columns`` is None, else every row with every
    column. The pair's scale is the larger of the two samples' own power-of-two scales
    (``power_of_two_above`` is monotone), and its kernel depends on both sizes; samples are
    grouped by (scale, size), so the work is O(samples x groups), not O(pairs).
    """
    def own(prepared: Prepared) -> float:
        return power_of_two_above(prepared.largest) if prepared.largest > 0 else 0.0

    def groups(samples: list[Prepared]) -> dict[tuple[float, int], int]:
        counts: dict = {}
        for prepared in samples:
            group = (own(prepared), prepared.values.shape[0])
            counts[group] = counts.get(group, 0) + 1
        return counts

    def needs(samples: list[Prepared], partners: list[Prepared],
              partner_groups: dict[tuple[float, int], int], same: bool
              ) -> list[set[tuple[float, bool]]]:
        result = []
        for prepared in samples:
            mine = (own(prepared), prepared.values.shape[0])
            keys = set()
            for (scale, size), count in partner_groups.items():
                if same and (scale, size) == mine and count == 1:
                    continue  # the only member of its group is this sample itself
                pair_scale = max(mine[0], scale)
                if pair_scale == 0.0:
                    continue  # both samples all zeros: the distance is 0 without sums
                serial = serial_kernels(mine[1], size, prepared.dimension)
                keys.add((pair_scale, serial))
            result.append(keys)
        return result

    if columns is None:
        return needs(rows, rows, groups(rows), True), []
    return needs(rows, columns, groups(columns), False), needs(columns, rows, groups(rows), False)


def self_terms(prepared: Prepared, keys: Iterable[tuple[float, bool]]
               ) -> dict[tuple[float, bool], float]:
    """Within sums :math:`\\sum a_i a_{i'} \\|x_i - x_{i'}\\|` of ``prepared / scale`` per key."""
    weights = _full_weights(prepared)
    terms = {}
    for scale, serial in keys:
        x = prepared.values / scale
        within = distance_sum_kernels(serial)[1]
        terms[(scale, serial)] = within(x, np.ascontiguousarray(x.T), weights)
    return terms


# --- pair values --------------------------------------------------------------------------

def _wasserstein_value(u: Prepared, v: Prepared, options: Mapping[str, Any]
                       ) -> tuple[float, float]:
    p = options["p"]
    if u.dimension == 1:
        return wasserstein_of_sorted(_line_pair(u, v), p), math.nan
    result, cost = solve_samples(*_sample_pair(u, v).arrays(), p, options["method"],
                                 progress=False)
    value = cost.to_distance(result.cost)
    with np.errstate(over="ignore"):  # the gap in units of W_p^p (inf if not representable)
        gap = float(np.float64(result.duality_gap) * (np.float64(cost.unit) * cost.scale) ** p)
    return value, gap


def _cramer_value(u: Prepared, v: Prepared, options: Mapping[str, Any]) -> tuple[float, float]:
    return cramer_of_sorted(_line_pair(u, v), options["p"]), math.nan


def _energy_value(u: Prepared, v: Prepared, options: Mapping[str, Any]) -> tuple[float, float]:
    squared = options["squared"]
    if u.dimension == 1:
        return energy_from_ell2(cramer_of_sorted(_line_pair(u, v), 2.0), squared), math.nan
    key = _energy_scale_and_kernel(u, v)
    if key is None:
        value = 0.0
    else:
        scale, serial = key
        x, y = u.values / scale, v.values / scale
        cross = distance_sum_kernels(serial)[0]
        cross_sum = cross(x, _full_weights(u), np.ascontiguousarray(y.T), _full_weights(v))
        value = energy_from_sums(cross_sum, u.within[key], v.within[key], scale)
    return float(value if squared else math.sqrt(value)), math.nan


def _sample_pair(u: Prepared, v: Prepared) -> SamplePair:
    """The trusted pair of two prepared (d >= 2) samples, in the one weights convention."""
    return SamplePair(u.values, v.values, _full_weights(u), _full_weights(v),
                      u.weights is None and v.weights is None)


def _directions(u: Prepared, options: Mapping[str, Any], seed: np.random.SeedSequence | None
                ) -> np.ndarray:
    return random_directions(np.random.default_rng(seed), options["n_projections"],
                             u.dimension)


def _sliced_wasserstein_value(u: Prepared, v: Prepared, options: Mapping[str, Any],
                              seed: np.random.SeedSequence | None) -> tuple[float, float]:
    estimate = sliced_wasserstein_core(_sample_pair(u, v), _directions(u, options, seed),
                                       options["p"])
    return estimate.value, estimate.standard_error


def _sliced_energy_value(u: Prepared, v: Prepared, options: Mapping[str, Any],
                         seed: np.random.SeedSequence | None) -> tuple[float, float]:
    estimate = sliced_energy_core(_sample_pair(u, v), _directions(u, options, seed),
                                  options["squared"])
    return estimate.value, estimate.standard_error


def pair_value(u: Prepared, v: Prepared, metric: str, options: Mapping[str, Any],
               seed: np.random.SeedSequence | None = None) -> tuple[float, float]:
    """``(value, quality)`` of one pair; quality is NaN where the metric has none."""
    if metric == "wasserstein":
        return _wasserstein_value(u, v, options)
    if metric == "cramer":
        return _cramer_value(u, v, options)
    if metric == "energy":
        return _energy_value(u, v, options)
    if metric == "sliced_wasserstein":
        return _sliced_wasserstein_value(u, v, options, seed)
    if metric == "sliced_energy":
        return _sliced_energy_value(u, v, options, seed)
    raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")


def exact_lp(metric: str, dimension: int) -> bool:
    """Whether the metric's pairs are exact LP solves (they have a duality gap)."""
    return metric == "wasserstein" and dimension >= 2


def sliced(metric: str) -> bool:
    """Whether the metric's pairs are Monte-Carlo estimates (they have a standard error)."""
    return metric in ("sliced_wasserstein", "sliced_energy")
