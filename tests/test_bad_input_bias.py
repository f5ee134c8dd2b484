"""Bad input to the gradient-bias benchmark gets a clear error that names the argument.

Covers bernoulli_* gradients and minimisers, bernoulli_sgd and categorical_*.
"""

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
