"""Bad input to the gradient-bias benchmark gets a clear error that names the argument.

Covers bernoulli_* gradients and minimisers, bernoulli_sgd and categorical_*.
"""

import numpy as np
import pytest

from otdiv.bias import (
    bernoulli_expected_gradient,
    bernoulli_sample_minimizer,
    bernoulli_sgd,
    categorical_true_gradient,
)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"p": 1.2}, ValueError, "p must be <= 1"),
    ({"p": -0.5}, ValueError, "p must be >= 0"),
    ({"theta": [0.5, -0.1]}, ValueError, "theta must lie in \\[0, 1\\]"),
    ({"m": 0}, ValueError, "m must be >= 1"),
    ({"m": 1.5}, TypeError, "m must be a positive integer"),
    ({"distance": "kl"}, ValueError, "distance must be one of"),
    ({"distance": "energy", "order": 2}, ValueError, "order applies to distance='wasserstein'"),
])
def test_bad_bias_benchmark_input(kwargs, error, match):
    arguments = {"p": 0.6, "theta": 0.3, "m": 4, **kwargs}
    p, theta, m = arguments.pop("p"), arguments.pop("theta"), arguments.pop("m")
    with pytest.raises(error, match=match):
        bernoulli_expected_gradient(p, theta, m, **arguments)


def test_bad_sample_minimizer_and_bernoulli_sgd_input():
    with pytest.raises(TypeError, match="m must be a positive integer"):
        bernoulli_sample_minimizer(0.6, 2.0)
    with pytest.raises(ValueError, match="distance must be one of"):
        bernoulli_sample_minimizer(0.6, 2, distance="W1")
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        bernoulli_sgd(0.6, 2, learning_rate=0.0)
    with pytest.raises(ValueError, match="theta must be non-increasing"):
        categorical_true_gradient([0.2, 0.3, 0.5], [0.3, 0.5])


def test_categorical_sgd_names_theta0_in_its_messages():
    from otdiv.bias import categorical_sgd
    with pytest.raises(ValueError, match="theta0 must be non-increasing"):
        categorical_sgd([0.2, 0.3, 0.5], 2, theta0=[0.1, 0.5])
    with pytest.raises(ValueError, match=r"theta0 must be the K = 2 tail probabilities"):
        categorical_sgd([0.2, 0.3, 0.5], 2, theta0=[0.5])
    with pytest.raises(ValueError, match=r"theta0 must lie in \[0, 1\]"):
        categorical_sgd([0.2, 0.3, 0.5], 2, theta0=[1.5, 0.5])


@pytest.mark.parametrize("rng", ["seed", 1.5, -1, True])
def test_an_unused_rng_is_still_validated(rng):
    from otdiv.bias import categorical_expected_gradient, categorical_gradient_bias
    for function in (categorical_expected_gradient, categorical_gradient_bias):
        with pytest.raises((TypeError, ValueError), match="rng must be"):
            function([0.2, 0.3, 0.5], [0.9, 0.4], 3, distance="cramer", rng=rng)  # exact


@pytest.mark.parametrize("m", [2.0, 2.5, "2", np.float64(3.0)])
def test_a_non_integer_count_is_a_type_error(m):
    from otdiv.bias import bernoulli_expected_gradient, categorical_sgd
    with pytest.raises(TypeError, match="m must be a positive integer"):
        bernoulli_expected_gradient(0.6, 0.3, m)
    with pytest.raises(TypeError, match="m must be a positive integer"):
        categorical_sgd([0.5, 0.5], m)


@pytest.mark.parametrize("pmf, words", [
    ([1, 1], "pmf must sum to 1"),
    ([1.0], "pmf must be a probability vector on {0, ..., K}"),
    ([0.5, -0.1, 0.6], "pmf"),
])
def test_tail_probabilities_names_pmf_not_target(pmf, words):
    from otdiv.bias import tail_probabilities
    with pytest.raises(ValueError) as info:
        tail_probabilities(pmf)
    assert words in str(info.value) and "target" not in str(info.value)


@pytest.mark.parametrize("call", [
    lambda order: categorical_true_gradient([0.1, 0.1, 0.1, 0.7], [0.9, 0.5, 0.2],
                                            order=order),
    lambda order: __import__("otdiv").bias.categorical_expected_gradient(
        [0.3, 0.3, 0.4], [0.9, 0.2], 3, order=order),
    lambda order: __import__("otdiv").bias.categorical_sgd(
        [0.3, 0.3, 0.4], 3, order=order, steps=5, n_runs=2, rng=0, progress=False),
])
def test_an_order_whose_gradient_overflows_is_refused_not_inf(call):
    """Issue 26, item 9: order=1e300 gave array([-inf, inf]) with RuntimeWarnings."""
    with pytest.raises(ValueError, match=r"order must be at most .* got order=1e\+300"):
        call(1e300)


def test_the_largest_accepted_order_gives_finite_gradients_without_warnings():
    import warnings

    from otdiv.bias import categorical_expected_gradient
    from otdiv.bias.categorical import check_order_fits
    limit = float(np.log(np.finfo(np.float64).max / 4) / np.log(2))
    assert check_order_fits(limit, 2) == limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate = categorical_expected_gradient([0.3, 0.3, 0.4], [0.9, 0.2], 3,
                                                 order=limit)
        true = categorical_true_gradient([0.3, 0.3, 0.4], [0.9, 0.2], order=limit)
    assert np.all(np.isfinite(estimate.value)) and np.all(np.isfinite(true))
    # K = 1: every base is at most 1 in absolute value, so any order is representable
    assert np.all(np.isfinite(categorical_true_gradient([0.4, 0.6], [0.3], order=1e300)))
