r"""Gradient bias for categorical targets on the ordered support {0, 1, ..., K}.

Parametrisation. The model :math:`Q_\theta` is given by its tail probabilities

.. math:: \theta_j = Q_\theta(X \ge j), \qquad j = 1, \dots, K,
          \qquad 1 \ge \theta_1 \ge \dots \ge \theta_K \ge 0,

so K = 1 is exactly the Bernoulli case (θ = Q(X = 1)) and every distribution on
{0..K} has one such θ (:func:`tail_probabilities` converts a probability vector). With
:math:`S_P(j) = P(X \ge j)` and unit spacing, the 1-D closed forms on the CDFs read

.. math::

    W_1 = \sum_j |S_P(j) - \theta_j|, \qquad
    \ell_2^2 = \sum_j (S_P(j) - \theta_j)^2, \qquad \mathcal{E}^2 = 2\,\ell_2^2,

    W_q^q = \int_0^1 \big|c_P(v) - c_\theta(v)\big|^q\,dv, \quad
    c_P(v) = \#\{j : S_P(j) > v\} = F_P^{-1}(1 - v),

(the last is the quantile form of W_q^q). The minibatch estimate :math:`\hat P_m` of m
samples has tails :math:`\hat S(j) = \#\{i : X_i \ge j\}/m`, each marginally
:math:`\mathrm{Bin}(m, S_P(j))/m`.

Gradients. For W_1, Cramér and energy the loss is a sum over j of a Bernoulli loss
between :math:`\hat S(j)` and :math:`\theta_j`, so coordinate j of the expected gradient is
exactly :func:`~otdiv.bias.bernoulli_expected_gradient` with p = S_P(j) (exact for every m
and K). For W_q, q > 1, the partial derivative in θ_j has one-sided values

.. math::

    \partial^+_j = |d^+ + 1|^q - |d^+|^q, \quad d^+ = \#\{i: \theta_i > \theta_j\}
        - \#\{i: \hat S(i) > \theta_j\},

    \partial^-_j = |d^-|^q - |d^- - 1|^q, \quad d^- = \#\{i: \theta_i \ge \theta_j\}
        - \#\{i: \hat S(i) \ge \theta_j\},

and the gradient is their midpoint (0 at a Bernoulli tie, like the Bernoulli convention).
Its expectation is computed by enumerating the multinomial outcomes when there are at most
``max_outcomes`` of them, and by Monte Carlo with a standard error otherwise.

A smooth parametrisation φ ↦ θ(φ) (softmax logits, say) has gradient
:math:`J(\varphi)^\top \nabla_\theta L`, with J not random: its bias is :math:`J^\top` times
the bias returned here, so unbiasedness in θ carries over.
"""

from __future__ import annotations

import itertools
from math import comb
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, xlogy

from .._validation import RngLike, as_rng, check_int, check_option
from ._validation import (
    as_target,
    as_theta,
    check_bias_distance,
    check_bias_order,
    check_order_fits,
    check_sample_size,
)
from .bernoulli import expected_gradient_core, quadratic_gradient_scale
from .results import GradientEstimate

__all__ = ["tail_probabilities", "categorical_true_gradient", "categorical_expected_gradient",
           "categorical_gradient_bias"]

_METHODS = ("auto", "exact", "monte_carlo")


def tail_probabilities(pmf: np.ndarray) -> np.ndarray:
    r"""Tail probabilities :math:`S(j) = \Pr[X \ge j]`, j = 1..K, of a distribution on
    {0, ..., K} given by its probability vector (length K + 1, summing to 1).

    Examples
    --------
    >>> tail_probabilities([0.2, 0.3, 0.5])
    array([0.8, 0.5])
    """
    pmf = as_target(pmf, "pmf")
    return tails_of(pmf)


def tails_of(pmf: np.ndarray) -> np.ndarray:
    """Tails S(j) = P[X >= j], j = 1..K, of a validated probability vector."""
    tails = np.cumsum(pmf[::-1])[::-1][1:]
    return np.clip(tails, 0.0, 1.0)


def _check_common(target: ArrayLike, theta: ArrayLike, distance: Any, order: Any
                  ) -> tuple[np.ndarray, np.ndarray, str, float]:
    pmf = as_target(target)
    theta = as_theta(theta, pmf.size - 1)
    distance = check_bias_distance(distance)
    order = check_order_fits(check_bias_order(order, distance), theta.size)
    return pmf, theta, distance, order


def _is_separable(distance: str, order: float) -> bool:
    return distance != "wasserstein" or order == 1.0


def _tail_gradients(tails: np.ndarray, theta: np.ndarray, distance: str,
                    order: float) -> np.ndarray:
    """Gradients in theta of the loss between the laws with tails ``tails`` (N, K) and theta."""
    if distance != "wasserstein":
        return quadratic_gradient_scale(distance) * (theta[None, :] - tails)
    if order == 1.0:
        return np.sign(theta[None, :] - tails)
    model_above = (theta[None, :] > theta[:, None]).sum(axis=1)      # #{i: theta_i > theta_j}
    model_at_or_above = (theta[None, :] >= theta[:, None]).sum(axis=1)
    data_above = (tails[:, :, None] > theta[None, None, :]).sum(axis=1)
    data_at_or_above = (tails[:, :, None] >= theta[None, None, :]).sum(axis=1)
    d_plus = (model_above[None, :] - data_above).astype(np.float64)
    d_minus = (model_at_or_above[None, :] - data_at_or_above).astype(np.float64)
    right = np.abs(d_plus + 1.0) ** order - np.abs(d_plus) ** order
    left = np.abs(d_minus) ** order - np.abs(d_minus - 1.0) ** order
    return 0.5 * left + 0.5 * right


def categorical_true_gradient(target: ArrayLike, theta: ArrayLike, *,
                              distance: str = "wasserstein", order: float = 1) -> np.ndarray:
    r"""Gradient in the tail parameters θ of the population loss L(P, Q_θ).

    See the module notes for the parametrisation and the closed forms; for W_1 this is
    :math:`\operatorname{sign}(\theta_j - S_P(j))`, for Cramér :math:`2(\theta_j - S_P(j))`.

    Parameters
    ----------
    target : array_like, shape (K + 1,)
        Probability vector of P on {0, ..., K} (sums to 1 within 1e-9).
    theta : array_like, shape (K,)
        Non-increasing tail probabilities θ_j = Q_θ(X ≥ j) in [0, 1].
    distance : {"wasserstein", "cramer", "energy"}
    order : float >= 1
        The q of the loss W_q^q (only with ``distance="wasserstein"``); at most
        ``log(float64 max / 4) / log(K)`` for K >= 2, about 1022 for K = 2, beyond which the
        gradient's terms overflow and a ``ValueError`` is raised.

    Returns
    -------
    ndarray, shape (K,)

    Examples
    --------
    >>> categorical_true_gradient([0.2, 0.3, 0.5], [0.9, 0.4], distance="cramer")
    array([ 0.2, -0.2])
    """
    pmf, theta, distance, order = _check_common(target, theta, distance, order)
    return _tail_gradients(tails_of(pmf)[None, :], theta, distance, order)[0]


def _composition_tails(m: int, size: int) -> np.ndarray:
    """Tail counts #{X_i >= j}, j = 1..K, of every composition of m into K + 1 parts."""
    n_outcomes = comb(m + size, size)
    bars = np.fromiter(itertools.chain.from_iterable(
        itertools.combinations(range(m + size), size)), dtype=np.int64,
        count=n_outcomes * size).reshape(n_outcomes, size)
    # Stars and bars: after bar j (1-based) lie (m + K - 1 - bars_j) - (K - j) stars.
    return m + np.arange(size) - bars


def _multinomial_expectation(pmf: np.ndarray, theta: np.ndarray, m: int, distance: str,
                             order: float) -> tuple[np.ndarray, int]:
    size = theta.size
    tail_counts = _composition_tails(m, size)
    counts = np.empty((tail_counts.shape[0], size + 1), dtype=np.int64)
    counts[:, 0] = m - tail_counts[:, 0]
    counts[:, 1:-1] = tail_counts[:, :-1] - tail_counts[:, 1:]
    counts[:, -1] = tail_counts[:, -1]
    log_weights = gammaln(m + 1) - gammaln(counts + 1).sum(axis=1) + xlogy(counts, pmf).sum(1)
    weights = np.exp(log_weights - log_weights.max())
    weights /= weights.sum()
    gradients = _tail_gradients(tail_counts / m, theta, distance, order)
    return weights @ gradients, counts.shape[0]


def _monte_carlo(pmf: np.ndarray, theta: np.ndarray, m: int, distance: str, order: float,
                 n_samples: int, generator: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sums = np.zeros(theta.size)
    squares = np.zeros(theta.size)
    block = max(1, 200_000 // max(1, theta.size * theta.size))
    done = 0
    while done < n_samples:
        size = min(block, n_samples - done)
        counts = generator.multinomial(m, pmf, size=size)
        tails = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, 1:] / m
        gradients = _tail_gradients(tails, theta, distance, order)
        sums += gradients.sum(axis=0)
        squares += (gradients**2).sum(axis=0)
        done += size
    mean = sums / n_samples
    variance = np.maximum(squares - n_samples * mean**2, 0.0) / max(n_samples - 1, 1)
    return mean, np.sqrt(variance / n_samples)


def categorical_expected_gradient(target: ArrayLike, theta: ArrayLike, m: int, *,
                                  distance: str = "wasserstein", order: float = 1,
                                  method: str = "auto", n_samples: int = 20_000,
                                  rng: RngLike = None, max_outcomes: int = 200_000
                                  ) -> GradientEstimate:
    r"""Expected gradient in θ of the minibatch loss :math:`\mathbb{E}\,\nabla_\theta
    L(\hat P_m, Q_\theta)` for a categorical target on {0, ..., K}.

    Exact where possible (see the module notes): for W_1, Cramér and energy by binomial
    enumeration of each tail (any m and K, ``method="binomial_enumeration"``); for W_q with
    q > 1 by enumerating the :math:`\binom{m+K}{K}` multinomial outcomes when that is at most
    ``max_outcomes``; otherwise by Monte Carlo over ``n_samples`` minibatches, with the
    standard error of the mean. The Cramér expected gradient is
    :math:`2(\theta_j - S_P(j))` for every m (unbiased); the W gradients are biased.

    Parameters
    ----------
    target : array_like, shape (K + 1,)
        Probability vector of P on {0, ..., K}.
    theta : array_like, shape (K,)
        Non-increasing tail probabilities θ_j = Q_θ(X ≥ j).
    m : int >= 1
        Minibatch size.
    distance : {"wasserstein", "cramer", "energy"}
    order : float >= 1
        The q of W_q^q (only with ``distance="wasserstein"``); at most
        ``log(float64 max / 4) / log(K)`` for K >= 2, about 1022 for K = 2, beyond which the
        gradient's terms overflow and a ``ValueError`` is raised.
    method : {"auto", "exact", "monte_carlo"}
        ``"exact"`` raises ``ValueError`` when the enumeration would exceed
        ``max_outcomes``; ``"monte_carlo"`` samples even when enumeration is possible.
    n_samples : int >= 2
        Minibatches drawn by Monte Carlo.
    rng : None, int, SeedSequence or numpy.random.Generator
        Used by Monte Carlo only, but always validated (a bad ``rng`` is refused even when
        the answer is exact).
    max_outcomes : int >= 1
        Largest multinomial enumeration attempted.

    Returns
    -------
    GradientEstimate
        ``value`` (shape (K,)), ``standard_error`` (zeros when ``exact``), ``exact``,
        ``method`` and ``n_samples`` (draws, or outcomes enumerated).

    References
    ----------
    M. G. Bellemare et al., arXiv:1705.10743 (2017), Sections 3-4.

    Examples
    --------
    >>> target = [0.2, 0.3, 0.5]
    >>> est = categorical_expected_gradient(target, [0.9, 0.4], 3, distance="cramer")
    >>> est.exact, est.value.round(12)
    (True, array([ 0.2, -0.2]))
    >>> w2 = categorical_expected_gradient(target, [0.9, 0.4], 3, order=2)
    >>> w2.method, w2.n_samples
    ('multinomial_enumeration', 10)
    """
    return _expected_gradient_core(*_check_expected(target, theta, m, distance, order, method,
                                                    n_samples, rng, max_outcomes))


#: The validated arguments of the expected gradient, in the order of its core:
#: ``(pmf, theta, m, distance, order, method, n_samples, generator, max_outcomes)``.
_ExpectedArguments = tuple[np.ndarray, np.ndarray, int, str, float, str, int,
                           np.random.Generator, int]


def _check_expected(target: ArrayLike, theta: ArrayLike, m: Any, distance: Any, order: Any,
                    method: Any, n_samples: Any, rng: RngLike, max_outcomes: Any
                    ) -> _ExpectedArguments:
    """The validated arguments of :func:`categorical_expected_gradient`, in its order."""
    pmf, theta, distance, order = _check_common(target, theta, distance, order)
    m = check_sample_size(m)
    method = check_option(method, "method", _METHODS)
    n_samples = check_int(n_samples, "n_samples", lower=2)
    max_outcomes = check_int(max_outcomes, "max_outcomes", lower=1)
    generator = as_rng(rng)  # validated even when the answer is exact and rng goes unused
    return pmf, theta, m, distance, order, method, n_samples, generator, max_outcomes


def _expected_gradient_core(pmf: np.ndarray, theta: np.ndarray, m: int, distance: str,
                            order: float, method: str, n_samples: int,
                            generator: np.random.Generator, max_outcomes: int) -> GradientEstimate:
    """:func:`categorical_expected_gradient` of validated arguments."""
    zeros = np.zeros(theta.size)
    if method != "monte_carlo" and _is_separable(distance, order):
        tails = tails_of(pmf)
        value = np.array([expected_gradient_core(tail, np.asarray(coordinate), m, distance)
                          for tail, coordinate in zip(tails, theta)])
        return GradientEstimate(value=value, standard_error=zeros, exact=True,
                                method="binomial_enumeration", n_samples=m + 1)
    n_outcomes = comb(m + theta.size, theta.size)
    if method != "monte_carlo" and n_outcomes <= max_outcomes:
        value, enumerated = _multinomial_expectation(pmf, theta, m, distance, order)
        return GradientEstimate(value=value, standard_error=zeros, exact=True,
                                method="multinomial_enumeration", n_samples=enumerated)
    if method == "exact":
        raise ValueError(f"method='exact' needs {n_outcomes} multinomial outcomes for m = {m} "
                         f"and K = {theta.size}, more than max_outcomes = {max_outcomes}; "
                         f"raise max_outcomes or use method='monte_carlo'")
    value, standard_error = _monte_carlo(pmf, theta, m, distance, order, n_samples,
                                         generator)
    return GradientEstimate(value=value, standard_error=standard_error, exact=False,
                            method="monte_carlo", n_samples=n_samples)


def categorical_gradient_bias(target: ArrayLike, theta: ArrayLike, m: int, *,
                              distance: str = "wasserstein", order: float = 1,
                              method: str = "auto", n_samples: int = 20_000, rng: RngLike = None,
                              max_outcomes: int = 200_000) -> GradientEstimate:
    r"""Bias of the minibatch gradient: :func:`categorical_expected_gradient` minus
    :func:`categorical_true_gradient` (same standard error, as the true gradient is exact).

    Parameters
    ----------
    target, theta, m, distance, order, method, n_samples, rng, max_outcomes
        As in :func:`categorical_expected_gradient`.

    Returns
    -------
    GradientEstimate

    Examples
    --------
    >>> bias = categorical_gradient_bias([0.2, 0.3, 0.5], [0.9, 0.4], 1)
    >>> bias.value          # true gradient (1, -1); one sample pulls toward the medians
    array([-1.6,  1. ])
    """
    arguments = _check_expected(target, theta, m, distance, order, method, n_samples, rng,
                                max_outcomes)
    expected = _expected_gradient_core(*arguments)
    pmf, theta, _, distance, order = arguments[:5]
    true = _tail_gradients(tails_of(pmf)[None, :], theta, distance, order)[0]
    return GradientEstimate(value=expected.value - true, standard_error=expected.standard_error,
                            exact=expected.exact, method=expected.method,
                            n_samples=expected.n_samples)
