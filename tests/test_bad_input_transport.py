"""Bad input to the exact transport functions and solvers: a clear error naming the argument."""

import numpy as np
import pytest

from otdiv import (
    brute_force_assignment,
    displacement_interpolation,
    solve_assignment,
    solve_kantorovich,
    transport,
    wasserstein,
    wasserstein_1d,
)

GOOD = np.array([0.0, 1.0, 2.0])


# --- sample distances: wasserstein, wasserstein_1d, transport ---------------------------

SAMPLE_DISTANCES = [wasserstein, wasserstein_1d, transport]


@pytest.mark.parametrize("function", SAMPLE_DISTANCES)
@pytest.mark.parametrize("bad, match", [
    (np.array([0.0, np.nan]), "u_values must be finite"),
    (np.array([0.0, np.inf]), "u_values must be finite"),
    (np.array([]), "u_values must contain at least one sample"),
    (np.zeros((2, 2, 2)), "u_values must be a 1-D array"),
    (np.float64(1.0), "u_values must be a 1-D array"),
])
def test_bad_u_values(function, bad, match):
    with pytest.raises(ValueError, match=match):
        function(bad, GOOD)


@pytest.mark.parametrize("function", SAMPLE_DISTANCES)
@pytest.mark.parametrize("bad", ["abc", None, [1 + 2j, 3], np.array([object()])])
def test_non_numeric_values_are_a_type_error(function, bad):
    with pytest.raises(TypeError, match="v_values"):
        function(GOOD, bad)


@pytest.mark.parametrize("function", SAMPLE_DISTANCES)
@pytest.mark.parametrize("weights, match", [
    ([1.0, -1.0, 1.0], "u_weights must be non-negative"),
    ([0.0, 0.0, 0.0], "u_weights must have a positive sum"),
    ([1.0, 1.0], "u_weights must have length 3"),
    ([1.0, np.nan, 1.0], "u_weights must be finite"),
    ([[1.0, 1.0, 1.0]], "u_weights must be a 1-D array"),
])
def test_bad_weights(function, weights, match):
    with pytest.raises(ValueError, match=match):
        function(GOOD, GOOD, weights)


@pytest.mark.parametrize("function", [wasserstein, transport])
def test_mismatched_dimensions(function):
    with pytest.raises(ValueError, match="same dimension"):
        function(np.zeros((3, 2)), np.zeros((3, 3)))


def test_wasserstein_1d_refuses_points_in_the_plane():
    with pytest.raises(ValueError, match="1-D samples"):
        wasserstein_1d(np.zeros((3, 2)), np.zeros((3, 2)))


@pytest.mark.parametrize("function", SAMPLE_DISTANCES)
@pytest.mark.parametrize("p, error", [(0.5, ValueError), (np.inf, ValueError),
                                      (np.nan, ValueError), ("2", TypeError)])
def test_bad_order_p(function, p, error):
    with pytest.raises(error, match="p must"):
        function(GOOD, GOOD, p=p)


@pytest.mark.parametrize("t", [-0.1, 1.5, np.nan])
def test_interpolation_time_outside_unit_interval(t):
    with pytest.raises(ValueError, match="t must"):
        displacement_interpolation(GOOD, GOOD, t)


# --- exact solvers ----------------------------------------------------------------------

@pytest.mark.parametrize("function", [solve_assignment, brute_force_assignment])
@pytest.mark.parametrize("cost, match", [
    (np.zeros((3, 2)), "at most as many rows as columns"),
    (np.array([[0.0, np.nan]]), "cost must be finite"),
    (np.zeros(3), "cost must be a 2-D matrix"),
    (np.zeros((0, 0)), "cost must not be empty"),
])
def test_bad_assignment_cost(function, cost, match):
    with pytest.raises(ValueError, match=match):
        function(cost)


@pytest.mark.parametrize("a, b, cost, match", [
    ([0.5, 0.5], [0.5, 0.6], np.zeros((2, 2)), "equal total mass"),
    ([1.5, -0.5], [0.5, 0.5], np.zeros((2, 2)), "a must be non-negative"),
    ([0.5, 0.5], [0.0, 0.0], np.zeros((2, 2)), "b must have a positive sum"),
    ([0.5, 0.5], [0.5, 0.5], np.zeros((2, 3)), r"cost must have shape \(2, 2\)"),
    ([0.5, 0.5], [0.5, 0.5], np.array([[0, np.inf], [0, 0]]), "cost must be finite"),
    ([0.5, np.nan], [0.5, 0.5], np.zeros((2, 2)), "a must be finite"),
])
def test_bad_kantorovich_problem(a, b, cost, match):
    with pytest.raises(ValueError, match=match):
        solve_kantorovich(a, b, cost)


def test_unknown_kantorovich_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="network_simplex.*highs.*got 'sinkhorn'"):
        solve_kantorovich([1.0], [1.0], [[0.0]], method="sinkhorn")


# --- assignment overflow, plot_plan --------------------------------------------------------

@pytest.mark.parametrize("function", [solve_assignment, brute_force_assignment])
def test_assignment_whose_total_overflows_is_refused(function):
    with pytest.raises(ValueError, match="overflows"):
        function(np.full((2, 2), 1e308))


@pytest.mark.parametrize("plan, error, match", [
    (np.array([[np.nan, 0.5], [0.5, 0.0]]), ValueError, "plan must be finite"),
    (np.array([[-0.1, 0.6], [0.5, 0.0]]), ValueError, "plan must be non-negative"),
    (np.zeros((3, 2)), ValueError, r"plan must have shape \(2, 2\)"),
    ("plan", TypeError, "plan must be an array"),
])
def test_plot_plan_refuses_a_bad_plan(plan, error, match):
    from otdiv.plotting import plot_plan
    with pytest.raises(error, match=match):
        plot_plan([0.0, 1.0], [2.0, 3.0], plan)


def test_plot_plan_refuses_labels_that_are_not_a_pair():
    from otdiv.plotting import plot_plan
    with pytest.raises(TypeError, match="labels must be a pair"):
        plot_plan([0.0, 1.0], [2.0, 3.0], np.eye(2) / 2, labels="P")
