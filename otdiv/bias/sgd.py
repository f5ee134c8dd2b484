r"""Stochastic gradient descent on a Bernoulli parameter with minibatch losses."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._kernels.bias import bernoulli_sgd_steps, categorical_sgd_steps
from .._validation import RngLike, as_rng, check_int, check_real
from ._validation import (
    as_target,
    as_theta,
    check_bias_distance,
    check_bias_order,
    check_order_fits,
    check_probability,
    check_sample_size,
)
from .bernoulli import quadratic_gradient_scale
from .categorical import tails_of
from .results import SGDResult

__all__ = ["bernoulli_sgd", "categorical_sgd"]

#: Minibatch estimates drawn per block (runs x steps); bounds the memory of long runs.
_BLOCK_DRAWS = 1 << 20


def _record_plan(steps: int, record_every: int) -> np.ndarray:
    """Update counts at which theta is stored: 0, r, 2r, ... and always the last step."""
    recorded = np.arange(0, steps + 1, record_every)
    if recorded[-1] != steps:
        recorded = np.append(recorded, steps)
    return recorded


def bernoulli_sgd(p: float, m: int, *, distance: str = "wasserstein", steps: int = 1000,
                  learning_rate: float = 0.01, n_runs: int = 100, rng: RngLike = None,
                  theta0: float = 0.5, order: float = 1, record_every: int = 1,
                  progress: bool = False) -> SGDResult:
    r"""Projected SGD on θ for Q_θ = Ber(θ) against P = Ber(p), with minibatches of m samples.

    Every run starts at ``theta0`` and repeats, independently of the other runs,

    .. math::

        k_t \sim \mathrm{Bin}(m, p), \qquad
        \theta_{t+1} = \Pi_{[0,1]}\big(\theta_t - \eta\,
        \partial_\theta L(\mathrm{Ber}(k_t/m), \mathrm{Ber}(\theta_t))\big),

    where :math:`\Pi_{[0,1]}` clips to [0, 1] (θ is a probability) and the gradient is
    :math:`\operatorname{sign}(\theta - k/m)` for :math:`W_q^q` (0 at a tie),
    :math:`2(\theta - k/m)` for Cramér and :math:`4(\theta - k/m)` for the energy loss. With
    W the runs settle around a median of k/m (for p = 0.6, m = 1: θ → 1); with Cramér they
    fluctuate around p with a spread that shrinks with the step size.

    The minibatch counts are drawn with ``rng`` in blocks; the updates of all runs happen in
    a compiled Numba kernel.

    Parameters
    ----------
    p : float in [0, 1]
        Target success probability.
    m : int >= 1
        Minibatch size.
    distance : {"wasserstein", "cramer", "energy"}
    steps : int >= 1
        Updates per run.
    learning_rate : float > 0
        Constant step size η.
    n_runs : int >= 1
        Independent runs.
    rng : None, int, SeedSequence or numpy.random.Generator
        Source of the minibatches.
    theta0 : float in [0, 1]
        Starting point of every run.
    order : float >= 1
        The q of W_q (only with ``distance="wasserstein"``; no effect on Bernoulli laws).
    record_every : int >= 1
        Store θ every this many updates (and after the last one).
    progress : bool
        Show a tqdm progress bar over the blocks of updates.

    Returns
    -------
    SGDResult
        ``trajectories`` of shape (n_runs, n_records), ``steps`` recorded, ``target = p``.

    References
    ----------
    M. G. Bellemare et al., arXiv:1705.10743 (2017), Section 3.

    Examples
    --------
    >>> w = bernoulli_sgd(0.6, 1, distance="wasserstein", steps=2000, learning_rate=0.01,
    ...                   n_runs=50, rng=0)
    >>> bool(w.final.mean() > 0.95)          # W_1 drifts to the median 1, away from 0.6
    True
    >>> c = bernoulli_sgd(0.6, 1, distance="cramer", steps=2000, learning_rate=0.01,
    ...                   n_runs=50, rng=0)
    >>> bool(abs(c.final.mean() - 0.6) < 0.05)
    True
    """
    p = check_probability(p, "p")
    m = check_sample_size(m)
    distance = check_bias_distance(distance)
    check_bias_order(order, distance)
    steps = check_int(steps, "steps", lower=1)
    learning_rate = check_real(learning_rate, "learning_rate", lower=0.0,
                               lower_inclusive=False)
    n_runs = check_int(n_runs, "n_runs", lower=1)
    theta0 = check_probability(theta0, "theta0")
    record_every = check_int(record_every, "record_every", lower=1)
    generator = as_rng(rng)
    scale = 0.0 if distance == "wasserstein" else quadratic_gradient_scale(distance)

    recorded = _record_plan(steps, record_every)
    column_of_step = np.full(steps + 1, -1, dtype=np.int64)
    column_of_step[recorded] = np.arange(recorded.size)
    trajectories = np.empty((n_runs, recorded.size))
    trajectories[:, 0] = theta0
    theta = np.full(n_runs, theta0)

    block = max(1, min(steps, _BLOCK_DRAWS // n_runs))
    starts = range(0, steps, block)
    if progress:
        from tqdm import tqdm  # not tqdm.auto: it warns in Jupyter without ipywidgets
        starts = tqdm(starts, desc=f"bernoulli_sgd {distance} m={m}", unit="block")
    for start in starts:
        stop = min(steps, start + block)
        fractions = generator.binomial(m, p, size=(n_runs, stop - start)) / m
        bernoulli_sgd_steps(theta, np.ascontiguousarray(fractions), learning_rate, scale,
                      np.ascontiguousarray(column_of_step[start + 1:stop + 1]), trajectories)
    return SGDResult(trajectories=trajectories, steps=recorded, target=p, distance=distance)


def categorical_sgd(target: ArrayLike, m: int, *, distance: str = "wasserstein", order: float = 1,
                    steps: int = 1000, learning_rate: float = 0.01, n_runs: int = 100,
                    rng: RngLike = None, theta0: ArrayLike | None = None, record_every: int = 1,
                    progress: bool = False) -> SGDResult:
    r"""Projected SGD on the tail parameters θ of Q_θ on {0, ..., K} against a categorical P.

    Every run starts at ``theta0`` and repeats

    .. math::

        \hat S_t(j) = \#\{i \le m : X_{t,i} \ge j\}/m, \qquad
        \theta_{t+1} = \Pi\big(\theta_t - \eta\,\nabla_\theta
        L(\hat P_{m,t}, Q_{\theta_t})\big),

    with the gradients of :mod:`otdiv.bias.categorical` (θ_j = Q_θ(X ≥ j); W_1, Cramér and
    energy coordinate-wise, W_q for q > 1 through the quantile counts) and Π the Euclidean
    projection onto :math:`\{1 \ge \theta_1 \ge \dots \ge \theta_K \ge 0\}`
    (pool-adjacent-violators, then a clip to [0, 1]), so every iterate is a distribution.
    The Cramér runs settle around the target tails :math:`S_P`; the W_1 runs around the
    coordinate-wise medians of :math:`\hat S(j)`.

    Parameters
    ----------
    target : array_like, shape (K + 1,)
        Probability vector of P on {0, ..., K}.
    m : int >= 1
        Minibatch size.
    distance : {"wasserstein", "cramer", "energy"}
    order : float >= 1
        The q of W_q^q (only with ``distance="wasserstein"``); at most
        ``log(float64 max / 4) / log(K)`` for K >= 2, about 1022 for K = 2, beyond which the
        gradient's terms overflow and a ``ValueError`` is raised.
    steps, learning_rate, n_runs, rng, record_every, progress
        As in :func:`bernoulli_sgd`.
    theta0 : array_like, shape (K,), optional
        Non-increasing starting tails; default the uniform law, θ_j = (K + 1 - j)/(K + 1).

    Returns
    -------
    SGDResult
        ``trajectories`` of shape (n_runs, n_records, K) and ``target`` = the tails S_P.

    Examples
    --------
    >>> target = [0.1, 0.5, 0.4]                      # tails S_P = (0.9, 0.4)
    >>> c = categorical_sgd(target, 1, distance="cramer", steps=3000, n_runs=40, rng=0)
    >>> c.final.mean(axis=0).round(1)
    array([0.9, 0.4])
    >>> w = categorical_sgd(target, 1, steps=3000, n_runs=40, rng=0)
    >>> w.final.mean(axis=0).round(1)                 # medians of Ber(0.9), Ber(0.4)
    array([1., 0.])
    """
    pmf = as_target(target)
    size = pmf.size - 1
    m = check_sample_size(m)
    distance = check_bias_distance(distance)
    order = check_order_fits(check_bias_order(order, distance), size)
    steps = check_int(steps, "steps", lower=1)
    learning_rate = check_real(learning_rate, "learning_rate", lower=0.0,
                               lower_inclusive=False)
    n_runs = check_int(n_runs, "n_runs", lower=1)
    record_every = check_int(record_every, "record_every", lower=1)
    if theta0 is None:
        start = (size - np.arange(size)) / (size + 1.0)
    else:
        start = as_theta(theta0, size, "theta0")
    generator = as_rng(rng)
    scale = 0.0 if distance == "wasserstein" else quadratic_gradient_scale(distance)

    recorded = _record_plan(steps, record_every)
    column_of_step = np.full(steps + 1, -1, dtype=np.int64)
    column_of_step[recorded] = np.arange(recorded.size)
    trajectories = np.empty((n_runs, recorded.size, size))
    trajectories[:, 0, :] = start
    # A copy: with one run the broadcast view is already contiguous and would stay read-only.
    theta = np.array(np.broadcast_to(start, (n_runs, size)), dtype=np.float64, order="C")

    block = max(1, min(steps, _BLOCK_DRAWS // (n_runs * (size + 1))))
    starts = range(0, steps, block)
    if progress:
        from tqdm import tqdm  # not tqdm.auto: it warns in Jupyter without ipywidgets
        starts = tqdm(starts, desc=f"categorical sgd {distance} m={m}", unit="block")
    for begin in starts:
        stop = min(steps, begin + block)
        counts = generator.multinomial(m, pmf, size=(n_runs, stop - begin))
        tails = np.cumsum(counts[..., ::-1], axis=-1)[..., ::-1][..., 1:] / m
        categorical_sgd_steps(theta, np.ascontiguousarray(tails), learning_rate, scale, order,
                                np.ascontiguousarray(column_of_step[begin + 1:stop + 1]),
                                trajectories)
    return SGDResult(trajectories=trajectories, steps=recorded, target=tails_of(pmf),
                     distance=distance)
