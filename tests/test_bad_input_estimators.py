"""Bad input to the 1-D closed forms and the sample estimators: a clear error naming it."""

import numpy as np
import pytest

from otdiv import (
    cramer_distance,
    energy_distance,
    sliced_energy_distance,
    sliced_wasserstein,
)

GOOD = np.array([0.0, 1.0, 2.0])


# --- 1-D closed forms and sample estimators: cramer_distance, energy_distance, sliced ---------


ESTIMATORS = [cramer_distance, energy_distance, sliced_energy_distance, sliced_wasserstein]


@pytest.mark.parametrize("function", ESTIMATORS)
@pytest.mark.parametrize("bad, match", [
    (np.array([0.0, np.nan]), "u_values must be finite"),
    (np.array([-np.inf, 0.0]), "u_values must be finite"),
    (np.array([]), "u_values must contain at least one sample"),
    (np.zeros((0, 2)), "u_values must contain at least one sample"),
    (np.zeros((2, 2, 2)), "u_values must be a 1-D array"),
])
def test_bad_estimator_u_values(function, bad, match):
    with pytest.raises(ValueError, match=match):
        function(bad, GOOD)


@pytest.mark.parametrize("function", ESTIMATORS)
@pytest.mark.parametrize("weights, match", [
    ([1.0, -1.0, 1.0], "v_weights must be non-negative"),
    ([0.0, 0.0, 0.0], "v_weights must have a positive sum"),
    ([1.0, 1.0], "v_weights must have length 3"),
    ([1.0, np.inf, 1.0], "v_weights must be finite"),
])
def test_bad_estimator_weights(function, weights, match):
    with pytest.raises(ValueError, match=match):
        function(GOOD, GOOD, None, weights)


@pytest.mark.parametrize("function", [energy_distance, sliced_energy_distance,
                                      sliced_wasserstein])
def test_estimators_refuse_mismatched_dimensions(function):
    with pytest.raises(ValueError, match="u_values and v_values must have the same dimension"):
        function(np.zeros((3, 2)), np.zeros((3, 3)))


def test_cramer_distance_refuses_points_in_the_plane():
    with pytest.raises(ValueError, match="1-D samples"):
        cramer_distance(np.zeros((3, 2)), np.zeros((3, 2)))


@pytest.mark.parametrize("function", [cramer_distance, sliced_wasserstein])
@pytest.mark.parametrize("p, error", [(0.5, ValueError), (np.inf, ValueError),
                                      (np.nan, ValueError), ("2", TypeError)])
def test_estimators_refuse_a_bad_order_p(function, p, error):
    with pytest.raises(error, match="p must"):
        function(GOOD, GOOD, p=p)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"method": "brute"}, ValueError, "method must be one of .*'auto', 'exact', 'sliced'"),
    ({"method": None}, TypeError, "method must be a string"),
    ({"n_projections": 1}, ValueError, "n_projections must be >= 2"),
    ({"n_projections": 10.0}, TypeError, "n_projections must be an integer"),
    ({"method": "sliced", "rng": -1}, ValueError, "rng must be a non-negative"),
    ({"method": "sliced", "rng": "seed"}, TypeError, "rng must be"),
])
def test_bad_energy_distance_options(kwargs, error, match):
    with pytest.raises(error, match=match):
        energy_distance(np.zeros((3, 2)), np.ones((3, 2)), **kwargs)


def test_bad_sliced_options():
    with pytest.raises(ValueError, match="n_projections must be >= 2"):
        sliced_energy_distance(GOOD, GOOD, n_projections=1)
    with pytest.raises(ValueError, match="n_projections must be >= 2"):
        sliced_wasserstein(GOOD, GOOD, n_projections=0)
    with pytest.raises(TypeError, match="rng must be"):
        sliced_wasserstein(GOOD, GOOD, rng=1.5)


# --- review findings: flags must be bools, zero weights at the end, one-run SGD ------------

@pytest.mark.parametrize("function", ["energy_distance", "sliced_energy_distance"])
def test_squared_must_be_a_bool(function):
    import otdiv
    with pytest.raises(TypeError, match="squared must be True or False"):
        getattr(otdiv, function)([[0.0, 0.0]], [[1.0, 1.0]], squared="no")


def test_unused_rng_is_still_checked():
    from otdiv import energy_distance
    with pytest.raises(TypeError, match="rng"):
        energy_distance([[0.0, 0.0]], [[1.0, 1.0]], rng="bad")


def test_energy_distance_of_coordinates_near_the_largest_float():
    from otdiv import energy_distance
    assert energy_distance([[1e308, 0.0]], [[5e307, 0.0]]) == pytest.approx(1e154)
