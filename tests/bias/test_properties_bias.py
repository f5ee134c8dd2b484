"""Theorems of the gradient-bias benchmark (REFERENCE.md, Bellemare et al. 2017), by hypothesis.

With P = Ber(p), Q_θ = Ber(θ), k ~ Bin(m, p) and P̂_m = Ber(k/m):

* E ℓ_2²(P̂_m, Q_θ) = (p − θ)² + p(1 − p)/m, so the expected sample gradient 2(θ − p) is
  unbiased for every m (and 4(θ − p) for the squared energy distance);
* the expected sample W_1 gradient is Σ_k Bin(k; m, p) sign(θ − k/m), which lies in [−1, 1],
  is non-decreasing in θ and differs from sign(θ − p);
* for a categorical target on {0, ..., K} the same holds per tail coordinate: the Cramér
  gradient is 2(θ_j − S_P(j)) for every m, and the W_1 gradient is the expectation of the
  per-sample gradient over all multinomial outcomes (checked by brute-force enumeration).

Probabilities include the extremes 0, 1, 5e-324 and 1 − 2⁻⁵³; every comparison is with an
independent computation (scipy's binomial / multinomial pmf, explicit enumeration).
"""

import itertools

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from otdiv.bias import (
    bernoulli_expected_gradient,
    bernoulli_true_gradient,
    binomial_pmf,
    categorical_expected_gradient,
    categorical_true_gradient,
    tail_probabilities,
)

probabilities = st.one_of(st.floats(0.0, 1.0),
                          st.sampled_from([0.0, 1.0, 5e-324, 1e-300, 1.0 - 2.0**-53, 0.5]))
thetas = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12)


@settings(max_examples=40)
@given(p=probabilities, m=st.integers(1, 5000), theta=st.floats(0.0, 1.0))
def test_expected_cramer_loss_is_squared_gap_plus_binomial_variance(p, m, theta):
    pmf = binomial_pmf(m, p)
    atoms = np.arange(m + 1) / m
    expected_loss = float(pmf @ (atoms - theta) ** 2)
    assert expected_loss == pytest.approx((p - theta) ** 2 + p * (1 - p) / m, abs=1e-13)


@settings(max_examples=40)
@given(p=probabilities, m=st.integers(1, 10**5), theta=thetas)
def test_cramer_and_energy_sample_gradients_are_unbiased_for_every_m(p, m, theta):
    gap = np.array(theta) - p
    cramer = bernoulli_expected_gradient(p, theta, m, distance="cramer")
    energy = bernoulli_expected_gradient(p, theta, m, distance="energy")
    np.testing.assert_allclose(cramer, 2 * gap, rtol=0, atol=1e-12)
    np.testing.assert_allclose(energy, 4 * gap, rtol=0, atol=2e-12)
    np.testing.assert_allclose(bernoulli_true_gradient(p, theta, distance="cramer"), 2 * gap,
                               rtol=0, atol=1e-15)


def _binomial_pmf_mpmath(m, p):
    """Bin(m, p) term by term in 30-digit mpmath (no overflow or underflow before the final
    rounding to float; scipy's binom.pmf overflows for p near the smallest normal float)."""
    with mpmath.workdps(30):
        p = mpmath.mpf(p)
        return np.array([float(mpmath.binomial(m, k) * p**k * (1 - p) ** (m - k))
                         for k in range(m + 1)])


@settings(max_examples=40)
@given(p=probabilities, m=st.integers(1, 400), theta=thetas)
# Found by an exploring run (issue 25): scipy's binom.pmf, then this test's reference, raised
# OverflowError (ibeta_derivative) at the smallest normal p; otdiv's answer is -4p.
@example(p=2.2250738585072014e-308, m=4, theta=[0.0])
def test_expected_wasserstein_gradient_is_the_binomial_average_of_sign(p, m, theta):
    theta = np.array(theta)
    atoms = np.arange(m + 1) / m
    weights = _binomial_pmf_mpmath(m, p)
    peer = (weights[None, :] * np.sign(theta[:, None] - atoms[None, :])).sum(axis=1)
    ours = bernoulli_expected_gradient(p, theta, m)
    np.testing.assert_allclose(ours, peer, rtol=0, atol=1e-12)


@settings(max_examples=40)
@given(p=probabilities, m=st.integers(1, 3000))
def test_expected_wasserstein_gradient_is_monotone_and_bounded(p, m):
    grid = np.linspace(0.0, 1.0, 257)
    gradient = bernoulli_expected_gradient(p, grid, m)
    assert np.all(np.abs(gradient) <= 1.0 + 1e-12)
    assert np.all(np.diff(gradient) >= -1e-12)
    assert gradient[0] == pytest.approx(-(1.0 - binomial_pmf(m, p)[0]), abs=1e-12)


@settings(max_examples=40)
@given(p=st.floats(0.05, 0.95).filter(lambda p: abs(p - 0.5) > 1e-6))
def test_one_sample_wasserstein_gradient_points_to_the_median_not_to_p(p):
    # m = 1: the expected gradient is 1 - 2p on (0, 1), with the sign of θ - median for every
    # θ, so it disagrees with sign(θ - p) between p and the median.
    median = 1.0 if p > 0.5 else 0.0
    theta = 0.5 * (p + median)
    expected = bernoulli_expected_gradient(p, theta, 1)
    assert expected == pytest.approx(1 - 2 * p, abs=1e-15)
    assert np.sign(expected) != np.sign(bernoulli_true_gradient(p, theta))


@st.composite
def categorical_problems(draw, max_atoms=4):
    size = draw(st.integers(2, max_atoms))
    raw = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=size, max_size=size)))
    target = raw / raw.sum()
    theta = np.sort(np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=size - 1,
                                           max_size=size - 1))))[::-1]
    return target, theta, draw(st.integers(1, 5))


def _tails_of_counts(counts, m):
    return np.cumsum(counts[::-1])[::-1][1:] / m


@settings(max_examples=30)
@given(problem=categorical_problems())
def test_categorical_gradients_equal_brute_force_multinomial_expectations(problem):
    target, theta, m = problem
    size = target.size
    outcomes = [np.bincount(sample, minlength=size)
                for sample in itertools.combinations_with_replacement(range(size), m)]
    weights = np.array([stats.multinomial.pmf(counts, m, target) for counts in outcomes])
    tails = np.array([_tails_of_counts(counts, m) for counts in outcomes])
    for distance, sample_gradient in [("wasserstein", np.sign(theta[None, :] - tails)),
                                      ("cramer", 2 * (theta[None, :] - tails))]:
        peer = weights @ sample_gradient
        estimate = categorical_expected_gradient(target, theta, m, distance=distance)
        assert estimate.exact
        np.testing.assert_allclose(estimate.value, peer, rtol=0, atol=1e-12)
    true_tails = tail_probabilities(target)
    np.testing.assert_allclose(
        categorical_expected_gradient(target, theta, m, distance="cramer").value,
        2 * (theta - true_tails), rtol=0, atol=1e-12)
    np.testing.assert_allclose(categorical_true_gradient(target, theta, distance="cramer"),
                               2 * (theta - true_tails), rtol=0, atol=1e-15)
