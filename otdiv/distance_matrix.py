r"""Distance matrices between many samples, on one core, local processes or a Dask cluster."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import _executor
from . import _pairwise_cores as cores
from ._sample_results import PairwiseResult
from ._sliced import check_projections
from ._transport import TRANSPORT_METHODS
from ._validation import (
    RngLike,
    as_samples,
    as_seed_sequence,
    as_weights,
    check_bool,
    check_int,
    check_option,
    check_real,
)

__all__ = ["pairwise", "PairwiseResult"]

DEFAULT_PROJECTIONS = 200
# Options each metric takes besides p, with their defaults.
_METRIC_OPTIONS: dict[str, dict] = {
    "wasserstein": {"method": "auto"},
    "energy": {"squared": False},
    "cramer": {},
    "sliced_wasserstein": {"n_projections": DEFAULT_PROJECTIONS},
    "sliced_energy": {"squared": False, "n_projections": DEFAULT_PROJECTIONS},
}
_USES_P = tuple(cores.DEFAULT_P)
# Tasks per worker: enough for load balancing and cheap retries, few enough that the
# per-task overhead (milliseconds on Dask) stays small against the pairs' work.
_TILES_PER_WORKER = 8
_SERIAL_TILES = 64  # in-process: only the progress bar's granularity


# --- validation ---------------------------------------------------------------------------

def _as_sample_list(samples: Any, name: str) -> list[np.ndarray]:
    if isinstance(samples, (str, bytes, Mapping)) or samples is None:
        raise TypeError(f"{name} must be a sequence of sample arrays, got "
                        f"{type(samples).__name__}")
    if isinstance(samples, np.ndarray):
        if samples.ndim != 3:
            raise ValueError(
                f"{name} must be a sequence of sample arrays (or one array of shape "
                f"(N, n, d)), got an array of shape {samples.shape}; to compare the rows of a "
                f"2-D array as 1-D samples, pass list(array)")
        return list(samples)
    if not isinstance(samples, Sequence):
        try:
            samples = list(samples)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of sample arrays, got "
                            f"{type(samples).__name__}") from None
    if len(samples) == 0:
        raise ValueError(f"{name} must contain at least one sample, got an empty sequence")
    return [as_samples(sample, f"{name}[{k}]") for k, sample in enumerate(samples)]


def _check_dimensions(arrays: list, name: str, dimension: int, reference: str) -> None:
    for k, array in enumerate(arrays):
        if array.shape[1] != dimension:
            raise ValueError(f"all samples must have the same dimension d: {name}[{k}] has "
                             f"points in R^{array.shape[1]} (shape {array.shape}), {reference} "
                             f"in R^{dimension}")


def _as_weight_list(weights: Any, arrays: list[np.ndarray], name: str, samples_name: str
                    ) -> list[np.ndarray | None]:
    if weights is None:
        return [None] * len(arrays)
    if isinstance(weights, (str, bytes, Mapping, np.ndarray)) or not isinstance(weights,
                                                                               Sequence):
        raise TypeError(f"{name} must be None or a sequence with one weight array (or None) "
                        f"per sample, got {type(weights).__name__}")
    if len(weights) != len(arrays):
        raise ValueError(f"{name} must have one entry per sample of {samples_name} "
                         f"({len(arrays)}), got {len(weights)}")
    # validated and normalised once here; the cores take them as they are
    return [None if weight is None else as_weights(weight, array.shape[0], f"{name}[{k}]")
            for k, (weight, array) in enumerate(zip(weights, arrays))]


def _check_options(metric: str, p: float | None, metric_options: dict[str, Any]) -> dict[str, Any]:
    allowed = _METRIC_OPTIONS[metric]
    unknown = sorted(set(metric_options) - set(allowed))
    if unknown:
        raise TypeError(f"unknown option{'s' if len(unknown) > 1 else ''} {unknown} for metric "
                        f"{metric!r}; it takes {sorted(allowed) or 'none'} besides p")
    options = {**allowed, **metric_options}
    if metric not in _USES_P:
        if p is not None:
            raise ValueError(f"p applies to the metrics {_USES_P}, not to {metric!r}; got "
                             f"p = {p!r} (leave it out)")
    elif p is None:  # the metric's own default, as its single-pair function has it
        options["p"] = cores.DEFAULT_P[metric]
    else:
        options["p"] = check_real(p, "p", lower=1.0)
    if "method" in options:
        options["method"] = check_option(options["method"], "method", TRANSPORT_METHODS)
    if "squared" in options:
        options["squared"] = check_bool(options["squared"], "squared")
    if "n_projections" in options:
        options["n_projections"] = check_int(options["n_projections"], "n_projections",
                                             lower=2)
    return options


# --- tiles (run in workers) ---------------------------------------------------------------

@dataclass(frozen=True)
class _Tile:
    rows: tuple[int, int]
    columns: tuple[int, int]
    symmetric: bool  # pairs i < j only, columns indexing the same samples
    n_columns: int  # for pair indices: M, or N when symmetric
    metric: str
    options: dict
    seed: tuple | None  # (entropy, spawn_key, pool_size) of the root SeedSequence


def _pair_index(i: int, j: int, n: int, symmetric: bool) -> int:
    if symmetric:  # position of (i, j), i < j, in the row-major upper triangle
        return i * n - i * (i + 1) // 2 + (j - i - 1)
    return i * n + j


def _tile_values(items: Mapping[tuple[str, int], cores.Prepared], tile: _Tile
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(i, j, value, quality)`` arrays for the pairs of one tile."""
    rows, columns, values, qualities = [], [], [], []
    column_kind = "s" if tile.symmetric else "o"
    for i in range(*tile.rows):
        start = max(tile.columns[0], i + 1) if tile.symmetric else tile.columns[0]
        for j in range(start, tile.columns[1]):
            seed = None
            if tile.seed is not None:
                entropy, spawn_key, pool_size = tile.seed
                index = _pair_index(i, j, tile.n_columns, tile.symmetric)
                seed = np.random.SeedSequence(entropy, spawn_key=(*spawn_key, index),
                                              pool_size=pool_size)
            value, quality = cores.pair_value(items[("s", i)], items[(column_kind, j)],
                                              tile.metric, tile.options, seed)
            rows.append(i)
            columns.append(j)
            values.append(value)
            qualities.append(quality)
    return (np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64),
            np.array(values, dtype=np.float64), np.array(qualities, dtype=np.float64))


def _self_terms_task(items: Mapping[tuple[str, int], cores.Prepared],
                     payload: Sequence[tuple[tuple[str, int], set[tuple[float, bool]]]]
                     ) -> list[dict[tuple[float, bool], float]]:
    return [cores.self_terms(items[key], needed) for key, needed in payload]


def _blocks(n: int, count: int) -> list[tuple[int, int]]:
    size = max(1, math.ceil(n / max(1, count)))
    return [(start, min(n, start + size)) for start in range(0, n, size)]


def _tiles(n_rows: int, n_columns: int, symmetric: bool, target: int, metric: str,
           options: dict[str, Any], seed: tuple[Any, tuple[int, ...], int] | None
           ) -> list[_executor.Task]:
    if symmetric:
        per_side = max(1, min(n_rows, math.ceil(math.sqrt(2 * target))))
        row_blocks = column_blocks = _blocks(n_rows, per_side)
    else:
        ratio = math.sqrt(target * n_rows / n_columns)
        row_blocks = _blocks(n_rows, max(1, min(n_rows, round(ratio))))
        column_blocks = _blocks(n_columns, max(1, min(n_columns,
                                                      math.ceil(target / len(row_blocks)))))
    tiles = []
    for rows in row_blocks:
        for columns in column_blocks:
            if symmetric and (columns[1] <= rows[0] + 1):
                continue  # entirely on or below the diagonal
            keys = [("s", i) for i in range(*rows)]
            keys += [("s" if symmetric else "o", j) for j in range(*columns)]
            tile = _Tile(rows, columns, symmetric, n_columns, metric, options, seed)
            tiles.append(_executor.Task(tile, tuple(dict.fromkeys(keys))))
    return tiles


# --- the public function ------------------------------------------------------------------

def pairwise(samples: Sequence[ArrayLike], others: Sequence[ArrayLike] | None = None, *,
             metric: str = "wasserstein", p: float | None = None,
             weights: Sequence[ArrayLike | None] | None = None,
             other_weights: Sequence[ArrayLike | None] | None = None, executor: Any = None,
             progress: bool = True, rng: RngLike = None, **metric_options: Any) -> PairwiseResult:
    r"""Distances between every pair of samples: the matrix, on one core or many machines.

    ``matrix[i, j]`` is the distance between ``samples[i]`` and ``samples[j]`` (an
    :math:`N \times N` symmetric matrix with zero diagonal, from the :math:`N(N-1)/2` pairs
    ``i < j``), or between ``samples[i]`` and ``others[j]`` (:math:`N \times M`).
    Each value is the number the single-pair function returns, bit for bit (with the same
    defaults: ``p`` omitted here is ``p`` omitted there):

    ==========================  ===============================================================
    metric                      ``matrix[i, j]`` equals
    ==========================  ===============================================================
    ``"wasserstein"``           ``wasserstein(x_i, x_j, w_i, w_j, p=p, method=method)``
                                (exact; ``method`` "auto", "dense" or "sparse" in d >= 2)
    ``"energy"``                ``energy_distance(x_i, x_j, w_i, w_j, squared=squared,
                                method="exact")``
    ``"cramer"``                ``cramer_distance(x_i, x_j, w_i, w_j, p=p)`` (1-D samples)
    ``"sliced_wasserstein"``    ``sliced_wasserstein(x_i, x_j, w_i, w_j, p=p,
                                n_projections=n_projections, rng=seed_k)``
    ``"sliced_energy"``         ``sliced_energy_distance(x_i, x_j, w_i, w_j, squared=squared,
                                n_projections=n_projections, rng=seed_k).value``
    ==========================  ===============================================================

    (``matrix[j, i]`` holds the same number as ``matrix[i, j]``; computed with the arguments
    swapped, the energy and LP values could differ in the last bit.) For the sliced metrics
    pair ``k`` (the position of ``(i, j)`` in row-major order over the pairs ``i < j``, or
    ``i * M + j`` with ``others``) draws its directions from
    ``seed_k = np.random.SeedSequence(seed).spawn(n_pairs)[k]``, so the matrix is the same on
    any executor, in any order of completion.

    Work that does not depend on the pair is done once per sample, not once per pair:

    - every sample is validated once; 1-D samples are sorted once, so each pair of the 1-D
      closed forms (``wasserstein``, ``cramer``, ``energy``) costs one :math:`O(n + m)`
      merge after the :math:`O(n \log n)` sorts (a double loop over
      ``scipy.stats.wasserstein_distance`` sorts every sample :math:`2(N - 1)` times);
    - ``energy`` in :math:`d \ge 2`: the self-terms :math:`\sum a_i a_{i'}\|x_i - x_{i'}\|`,
      :math:`O(n^2 d)`, are computed once per sample (per power-of-two scale of the pairs it
      belongs to, one or two on data of similar magnitudes); each pair then costs the cross
      sum, :math:`O(n m d)` time and :math:`O(n + m)` memory;
    - ``wasserstein`` in :math:`d \ge 2`: one certified exact LP per pair on the dense
      :math:`n \times m` cost matrix (memory :math:`O(nm)`; the network simplex takes about
      0.1 s for n = m = 1000 points here);
    - sliced metrics: :math:`O(K (n + m) \log(n + m))` per pair for ``K`` projections (random
      per pair, so nothing beyond validation is shared).

    Parameters
    ----------
    samples : sequence of array_like, each of shape (n_k,) or (n_k, d)
        The samples (lengths may differ, dimension ``d`` may not), or one array of shape
        ``(N, n, d)``. One sample gives the 1 x 1 matrix ``[[0.0]]``.
    others : sequence of array_like, optional
        A second collection: the result is the ``N x M`` matrix of samples against others.
    metric : {"wasserstein", "energy", "cramer", "sliced_wasserstein", "sliced_energy"}
        See the table above.
    p : float >= 1, optional
        Order for ``wasserstein``, ``cramer`` and ``sliced_wasserstein``; by default each
        metric's own, that of its single-pair function: 1 for ``wasserstein`` (W_1), 2 for
        ``cramer`` (ℓ_2) and ``sliced_wasserstein`` (SW_2). The other metrics take no ``p``.
    weights, other_weights : sequence, optional
        One entry per sample: ``None`` (uniform) or non-negative weights with a positive sum.
    executor : None, "processes", concurrent.futures.Executor or dask.distributed.Client
        Where the pairs are computed: ``None`` in this process; ``"processes"`` a local pool
        with one worker per core; any ``concurrent.futures`` executor; or a Dask client (the
        samples are scattered to every worker once, pairs go out in tiles of about
        ``N^2 / (16 workers)`` pairs, a lost worker's tiles are recomputed). Inside workers,
        Numba's parallel kernels are limited to ``cores / workers`` threads.
    progress : bool
        Show a progress bar over the tiles (tqdm).
    rng : None, int, SeedSequence or numpy.random.Generator
        Root of the per-pair seeds of the sliced metrics (checked for every metric).
    **metric_options
        ``method`` ("auto", "dense" or "sparse", ``wasserstein``; the 1-D closed form
        ignores it), ``squared`` (bool, ``energy`` and ``sliced_energy``), ``n_projections``
        (int, sliced metrics, default 200).

    Returns
    -------
    PairwiseResult
        ``matrix``, ``metric``, ``options``, and ``duality_gap`` (exact LP solves) or
        ``standard_error`` (sliced estimates) with the matrix's shape.

    Raises
    ------
    ValueError
        An empty collection; samples of different dimensions; NaN, inf or an empty sample
        (the message names ``samples[k]``); bad weights (``weights[k]``); an unknown metric
        or executor string; an executor that was shut down or a closed Dask client;
        ``n_projections`` whose directions would not fit in memory (the single-pair
        functions' limit, ``n_projections * d <= 2**27``); ``cramer`` on samples in d >= 2;
        ``p < 1``, or ``p`` given for a metric without an order. Raised before any work is
        sent out.
    TypeError
        Options the metric does not take, an executor of an unknown type, a collection that is
        not a sequence of arrays.
    otdiv.exact.kantorovich.SolverError
        An LP whose answer fails its certificate (``wasserstein`` in d >= 2).

    See Also
    --------
    otdiv.wasserstein, otdiv.energy_distance, otdiv.cramer_distance,
    otdiv.sliced_wasserstein, otdiv.sliced_energy_distance : the single-pair functions.

    Examples
    --------
    >>> from otdiv import pairwise
    >>> result = pairwise([[0.0, 1.0], [2.0, 3.0], [5.0]], progress=False)
    >>> result.matrix.tolist()
    [[0.0, 2.0, 4.5], [2.0, 0.0, 2.5], [4.5, 2.5, 0.0]]
    >>> result = pairwise([[0.0], [1.0]], [[3.0], [4.0], [5.0]], metric="energy",
    ...                   squared=True, progress=False)
    >>> result.matrix.round(12).tolist()  # 2|x - y| for single points
    [[6.0, 8.0, 10.0], [4.0, 6.0, 8.0]]
    """
    metric = check_option(metric, "metric", cores.METRICS)
    options = _check_options(metric, p, metric_options)
    progress = check_bool(progress, "progress")
    root = as_seed_sequence(rng)
    executor = _executor.check_executor(executor)
    rows = _as_sample_list(samples, "samples")
    dimension = rows[0].shape[1]
    _check_dimensions(rows, "samples", dimension, "samples[0]")
    row_weights = _as_weight_list(weights, rows, "weights", "samples")
    symmetric = others is None
    if symmetric:
        if other_weights is not None:
            raise ValueError("other_weights is given but others is not")
        columns, column_weights = [], []
    else:
        columns = _as_sample_list(others, "others")
        _check_dimensions(columns, "others", dimension, "samples")
        column_weights = _as_weight_list(other_weights, columns, "other_weights", "others")
    if metric == "cramer" and dimension != 1:
        raise ValueError(f"metric 'cramer' compares 1-D samples (shape (n,) or (n, 1)), got "
                         f"points in R^{dimension}; use 'energy' (whose square is 2 x the "
                         f"squared Cramér distance in 1-D) in higher dimensions")
    if cores.sliced(metric):
        # the single-pair functions' own limit, checked before any work is sent out
        options["n_projections"] = check_projections(options["n_projections"], dimension)
        options["seed_entropy"] = root.entropy

    n_rows = len(rows)
    n_columns = n_rows if symmetric else len(columns)
    prepared = {("s", k): cores.prepare(array, weight, metric, options)
                for k, (array, weight) in enumerate(zip(rows, row_weights))}
    prepared.update({("o", k): cores.prepare(array, weight, metric, options)
                     for k, (array, weight) in enumerate(zip(columns, column_weights))})
    workers = _executor.worker_count(executor)
    target = _SERIAL_TILES if executor is None else _TILES_PER_WORKER * workers

    if metric == "energy" and dimension >= 2:
        _attach_self_terms(prepared, n_rows, len(columns), symmetric, executor, progress,
                           target)

    seed = (root.entropy, tuple(root.spawn_key), root.pool_size) if cores.sliced(metric) \
        else None
    pair_options = {key: value for key, value in options.items() if key != "seed_entropy"}
    tiles = _tiles(n_rows, n_columns, symmetric, target, metric, pair_options, seed)
    results = _executor.run_tasks(_tile_values, tiles, prepared, executor=executor,
                                  progress=progress, description=f"pairwise {metric}")

    matrix = np.zeros((n_rows, n_columns))
    quality = np.zeros((n_rows, n_columns))
    for i, j, values, qualities in results:
        matrix[i, j] = values
        quality[i, j] = qualities
        if symmetric:
            matrix[j, i] = values
            quality[j, i] = qualities
    has_gap = cores.exact_lp(metric, dimension)
    return PairwiseResult(matrix=matrix, metric=metric, options=options,
                          duality_gap=quality if has_gap else None,
                          standard_error=quality if cores.sliced(metric) else None)


def _attach_self_terms(prepared: dict[tuple[str, int], cores.Prepared], n_rows: int,
                       n_columns: int, symmetric: bool, executor: Any, progress: bool, target: int
                       ) -> None:
    """Compute each sample's energy self-terms once (on the executor) and attach them."""
    row_list = [prepared[("s", k)] for k in range(n_rows)]
    column_list = [prepared[("o", k)] for k in range(n_columns)]
    row_needs, column_needs = cores.energy_self_term_needs(
        row_list, None if symmetric else column_list)
    work = [(("s", k), tuple(sorted(needed))) for k, needed in enumerate(row_needs) if needed]
    work += [(("o", k), tuple(sorted(needed))) for k, needed in enumerate(column_needs)
             if needed]
    chunk = max(1, math.ceil(len(work) / max(1, target)))
    tasks = [_executor.Task(tuple(work[start:start + chunk]),
                            tuple(key for key, _ in work[start:start + chunk]))
             for start in range(0, len(work), chunk)]
    results = _executor.run_tasks(_self_terms_task, tasks, prepared, executor=executor,
                                  progress=progress, description="energy self-terms")
    for task, terms in zip(tasks, results):
        for (key, _), computed in zip(task.payload, terms):
            prepared[key].within.update(computed)
