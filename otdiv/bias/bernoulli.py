r"""Exact expected sample gradients for Bernoulli targets (Bellemare et al., 2017, §3).

The target is :math:`P = \mathrm{Ber}(p)`, the model :math:`Q_\theta = \mathrm{Ber}(\theta)`
and the minibatch estimate :math:`\hat P_m = \mathrm{Ber}(k/m)` with
:math:`k \sim \mathrm{Bin}(m, p)`. Between two Bernoulli laws every loss reduces to a
function of the difference of the success probabilities:

.. math::

    W_q^q(\mathrm{Ber}(a), \mathrm{Ber}(\theta)) = |a - \theta|, \qquad
    \ell_2^2 = (a - \theta)^2, \qquad
    \mathcal{E}^2 = 2\,\ell_2^2 = 2 (a - \theta)^2 .

The expectation over :math:`k` is computed exactly by enumerating :math:`k = 0, \dots, m`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_probability_array,
    check_bias_distance,
    check_bias_order,
    check_probability,
    check_sample_size,
)
from .results import MinimizerInterval

__all__ = ["bernoulli_expected_gradient", "bernoulli_true_gradient",
           "bernoulli_gradient_bias", "bernoulli_sample_minimizer", "binomial_pmf"]

#: A binomial CDF within this distance of 1/2 is treated as exactly 1/2 when locating the
#: median (the CDF is computed to about 1e-14; exact ties occur e.g. for p = 1/2, m odd).
MEDIAN_TIE_TOLERANCE = 1e-12


def binomial_pmf(m: int, p: float) -> np.ndarray:
    r"""The probabilities :math:`\Pr[k]`, :math:`k = 0..m`, of :math:`\mathrm{Bin}(m, p)`.

    Computed by ``scipy.stats.binom.pmf`` (Boost's binomial density, evaluated through the
    derivative of the regularised incomplete beta function, i.e. without forming
    :math:`\binom{m}{k}` or :math:`p^k` and so without overflow), then normalised to sum
    1. Measured against 60-digit mpmath at m = 10^4 its relative error is about 1e-13 per
    term, while ``exp(binom.logpmf)`` (log-gamma differences of numbers near 10^4 to 10^5)
    is off by about 2e-11; terms below 1e-308 underflow to 0 in either form and cannot
    change a sum of probabilities. Where Boost overflows (p near 1e-308) the log-space
    form ``exp(logpmf - max logpmf)`` is used instead. For a subnormal p (below 2.2e-308)
    the terms k >= 1 may come out 0: an absolute error below m·p, i.e. under 1e-300.

    Examples
    --------
    >>> binomial_pmf(2, 0.5)
    array([0.25, 0.5 , 0.25])
    """
    # Imported here: scipy.stats takes most of a second to import, which `import otdiv`
    # should not pay.
    from scipy.stats import binom

    m = check_sample_size(m)
    p = check_probability(p, "p")
    outcomes = np.arange(m + 1)
    try:
        weights = binom.pmf(outcomes, m, p)
    except OverflowError:  # Boost overflows for p within a few ulps of the smallest normal
        weights = None
    if weights is None or not np.all(np.isfinite(weights)) or not weights.sum() > 0:
        log_pmf = binom.logpmf(outcomes, m, p)
        weights = np.exp(log_pmf - log_pmf.max())
    return weights / weights.sum()


def _check_common(p: Any, m: Any, distance: Any, order: Any) -> tuple[float, int, str]:
    p = check_probability(p, "p")
    m = check_sample_size(m)
    distance = check_bias_distance(distance)
    check_bias_order(order, distance)
    return p, m, distance


def quadratic_gradient_scale(distance: str) -> float:
    """The factor c in the sample gradient c (theta - a) of the quadratic losses."""
    return {"cramer": 2.0, "energy": 4.0}[distance]


def _as_output(values: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(values) if scalar else values


def _sample_gradient(theta: np.ndarray, target: float | np.ndarray, distance: str) -> np.ndarray:
    """d/dtheta of the loss between Ber(target) and Ber(theta); sign convention 0 at a tie."""
    if distance == "wasserstein":
        return np.sign(theta - target)
    return quadratic_gradient_scale(distance) * (theta - target)


def bernoulli_true_gradient(p: float, theta: ArrayLike, *, distance: str = "wasserstein",
                            order: float = 1) -> float | np.ndarray:
    r"""Gradient in :math:`\theta` of the population loss between Ber(p) and Ber(θ).

    .. math::

        \partial_\theta W_q^q = \operatorname{sign}(\theta - p), \quad
        \partial_\theta \ell_2^2 = 2(\theta - p), \quad
        \partial_\theta \mathcal{E}^2 = 4(\theta - p).

    :math:`W_q^q = |p - \theta|` is not differentiable at :math:`\theta = p`; there the
    gradient is taken as 0, the midpoint of the one-sided derivatives (an element of the
    subdifferential, and the value at which gradient descent stops).

    Parameters
    ----------
    p : float in [0, 1]
        Success probability of the target.
    theta : float or array_like in [0, 1]
        Model parameter(s); the result has the same shape.
    distance : {"wasserstein", "cramer", "energy"}
        ``"wasserstein"``: the loss :math:`W_q^q`; ``"cramer"``: :math:`\ell_2^2`;
        ``"energy"``: the squared energy distance :math:`2\ell_2^2` (1-D identity).
    order : float >= 1
        The q of :math:`W_q` (only with ``distance="wasserstein"``). Between Bernoulli laws
        :math:`W_q^q = |p - \theta|` for every q, so the gradient does not depend on it.

    Returns
    -------
    float or ndarray

    References
    ----------
    M. G. Bellemare et al., "The Cramer Distance as a Solution to Biased Wasserstein
    Gradients", arXiv:1705.10743 (2017).

    Examples
    --------
    >>> bernoulli_true_gradient(0.6, [0.2, 0.6, 0.9])
    array([-1.,  0.,  1.])
    >>> round(bernoulli_true_gradient(0.6, 0.9, distance="cramer"), 12)  # 2 (0.9 - 0.6)
    0.6
    """
    p = check_probability(p, "p")
    distance = check_bias_distance(distance)
    check_bias_order(order, distance)
    theta_array = as_probability_array(theta, "theta")
    return _as_output(_sample_gradient(theta_array, p, distance), theta_array.ndim == 0)


def bernoulli_expected_gradient(p: float, theta: ArrayLike, m: int, *,
                                distance: str = "wasserstein", order: float = 1
                                ) -> float | np.ndarray:
    r"""Exact expected gradient of the minibatch loss, :math:`\mathbb{E}_k\,\partial_\theta
    L(\mathrm{Ber}(k/m), \mathrm{Ber}(\theta))`, with :math:`k \sim \mathrm{Bin}(m, p)`.

    .. math::

        g_m(\theta) = \sum_{k=0}^{m} \binom{m}{k} p^k (1-p)^{m-k}\,
        \partial_\theta L\big(\mathrm{Ber}(k/m), \mathrm{Ber}(\theta)\big)

    For :math:`W_q^q` this is :math:`\Pr[k/m < \theta] - \Pr[k/m > \theta]` (sign
    convention 0 at a tie), which differs from the true gradient
    :math:`\operatorname{sign}(\theta - p)` between p and the median of k/m: the expected
    sample gradient points to a median of k/m, not to p. For the Cramér loss it equals
    :math:`2(\theta - p)` for every m (unbiased), for the energy loss :math:`4(\theta - p)`.

    The sum runs over all m + 1 outcomes with probabilities from :func:`binomial_pmf`
    (relative error ~1e-13 per term); for W it is evaluated through cumulative
    sums and a binary search, :math:`O(m + n\log m)` for n values of θ.

    Parameters
    ----------
    p : float in [0, 1]
        Success probability of the target.
    theta : float or array_like in [0, 1]
        Model parameter(s); the result has the same shape.
    m : int >= 1
        Minibatch size.
    distance : {"wasserstein", "cramer", "energy"}
        See :func:`bernoulli_true_gradient`.
    order : float >= 1
        The q of :math:`W_q` (only with ``distance="wasserstein"``; no effect on Bernoulli).

    Returns
    -------
    float or ndarray

    References
    ----------
    M. G. Bellemare et al., arXiv:1705.10743 (2017), Section 3 and Figure 2.

    Examples
    --------
    With one sample from Ber(0.6) the expected W gradient is 1 - 2(0.6) = -0.2 everywhere
    in (0, 1): descent pushes θ to 1, not to 0.6.

    >>> bernoulli_expected_gradient(0.6, [0.3, 0.6, 0.9], 1)
    array([-0.2, -0.2, -0.2])
    >>> round(bernoulli_expected_gradient(0.6, 0.9, 1, distance="cramer"), 12)
    0.6
    """
    p, m, distance = _check_common(p, m, distance, order)
    theta_array = as_probability_array(theta, "theta")
    return _as_output(expected_gradient_core(p, theta_array, m, distance),
                      theta_array.ndim == 0)


def expected_gradient_core(p: float, theta: np.ndarray, m: int, distance: str) -> np.ndarray:
    """:func:`bernoulli_expected_gradient` on checked input (a float64 array of θ)."""
    pmf = binomial_pmf(m, p)
    atoms = np.arange(m + 1) / m
    if distance == "wasserstein":
        mass_below = np.concatenate(([0.0], np.cumsum(pmf)))        # Pr[k < i]
        mass_from = np.concatenate((np.cumsum(pmf[::-1])[::-1], [0.0]))  # Pr[k >= i]
        n_less = np.searchsorted(atoms, theta, side="left")    # #{k/m < theta}
        n_less_equal = np.searchsorted(atoms, theta, side="right")
        gradient = mass_below[n_less] - mass_from[n_less_equal]
    else:
        mean = float(pmf @ atoms)
        gradient = quadratic_gradient_scale(distance) * (theta - mean)
    return np.asarray(gradient, dtype=np.float64)


def bernoulli_gradient_bias(p: float, theta: ArrayLike, m: int, *, distance: str = "wasserstein",
                            order: float = 1) -> float | np.ndarray:
    r"""Bias of the minibatch gradient: :func:`bernoulli_expected_gradient` minus
    :func:`bernoulli_true_gradient`.

    Zero for the Cramér and energy losses (up to rounding); for :math:`W_q^q` it is
    :math:`\Pr[k/m<\theta] - \Pr[k/m>\theta] - \operatorname{sign}(\theta - p)`, of size
    up to 2 between p and the median of k/m, and it vanishes as m grows for every θ ≠ p.

    Parameters
    ----------
    p, theta, m, distance, order
        As in :func:`bernoulli_expected_gradient`.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> bernoulli_gradient_bias(0.6, [0.3, 0.9], 1)
    array([ 0.8, -1.2])
    """
    p, m, distance = _check_common(p, m, distance, order)
    theta_array = as_probability_array(theta, "theta")
    bias = (expected_gradient_core(p, theta_array, m, distance)
            - _sample_gradient(theta_array, p, distance))
    return _as_output(bias, theta_array.ndim == 0)


def bernoulli_sample_minimizer(p: float, m: int, *, distance: str = "wasserstein", order: float = 1
                               ) -> MinimizerInterval:
    r"""The exact minimisers over θ ∈ [0, 1] of the expected minibatch loss
    :math:`\mathbb{E}_k L(\mathrm{Ber}(k/m), \mathrm{Ber}(\theta))`.

    For :math:`W_q^q` the expected loss is :math:`\mathbb{E}|k/m - \theta|`, minimised by
    the medians of k/m: the interval from the lower median :math:`k_-/m`, the smallest atom
    with :math:`\Pr[k \le k_-] \ge 1/2`, to the upper median (the next atom of positive
    mass when :math:`\Pr[k \le k_-] = 1/2` exactly, else :math:`k_-/m` itself). A CDF within
    ``MEDIAN_TIE_TOLERANCE`` (1e-12) of 1/2 is treated as a tie. For the Cramér and energy
    losses, :math:`\mathbb{E}(k/m - \theta)^2 = (p - \theta)^2 + p(1-p)/m`, minimised by p
    itself.

    Parameters
    ----------
    p : float in [0, 1]
    m : int >= 1
    distance : {"wasserstein", "cramer", "energy"}
    order : float >= 1
        Only with ``distance="wasserstein"``; the minimisers do not depend on it.

    Returns
    -------
    MinimizerInterval
        ``lower`` and ``upper`` ends of the set of minimisers (equal when it is unique).

    Examples
    --------
    >>> bernoulli_sample_minimizer(0.6, 1)
    MinimizerInterval(lower=1.0, upper=1.0)
    >>> bernoulli_sample_minimizer(0.6, 2).lower     # a median of Bin(2, 0.6)/2
    0.5
    >>> bernoulli_sample_minimizer(0.5, 3)           # Pr[k <= 1] = 1/2 exactly: a tie
    MinimizerInterval(lower=0.3333333333333333, upper=0.6666666666666666)
    >>> bernoulli_sample_minimizer(0.6, 2, distance="cramer").lower
    0.6
    """
    p, m, distance = _check_common(p, m, distance, order)
    if distance != "wasserstein":
        return MinimizerInterval(lower=p, upper=p)
    pmf = binomial_pmf(m, p)
    cdf = np.cumsum(pmf)
    reaches_half = cdf >= 0.5 - MEDIAN_TIE_TOLERANCE
    lower = int(np.argmax(reaches_half))
    upper = lower
    if abs(cdf[lower] - 0.5) <= MEDIAN_TIE_TOLERANCE:
        later = np.flatnonzero(pmf[lower + 1:] > 0.0)
        if later.size:
            upper = lower + 1 + int(later[0])
    return MinimizerInterval(lower=lower / m, upper=upper / m)
