"""Bad input gets a clear error that names the argument; nothing returns a wrong number.

Each section covers one family of public functions; later modules append their own.
"""

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


# --- critics: verify_critic ---------------------------------------------------------------

from otdiv import verify_critic  # noqa: E402


@pytest.mark.parametrize("critic, error, match", [
    (lambda x: np.full(len(x), np.nan), ValueError, "critic must return finite values"),
    (lambda x: np.zeros((len(x), 2)), ValueError, "critic must map an array of shape"),
    (lambda x: np.zeros(len(x) + 1), ValueError, "critic must map an array of shape"),
    (lambda x: ["a"] * len(x), TypeError, "critic must return real numbers"),
    (42, TypeError, "critic must be a callable"),
])
def test_bad_critics_are_refused(critic, error, match):
    with pytest.raises(error, match=match):
        verify_critic(critic, GOOD, GOOD + 1)


@pytest.mark.parametrize("kwargs, match", [
    ({"u_values": np.zeros((3, 2)), "v_values": np.zeros((3, 3))},
     "u_values and v_values must have the same"),
    ({"u_values": [np.nan, 1.0], "v_values": GOOD}, "u_values must be finite"),
    ({"u_values": GOOD, "v_values": []}, "v_values must contain at least one sample"),
    ({"u_values": GOOD, "v_values": GOOD, "u_weights": [1, -1, 1]},
     "u_weights must be non-negative"),
    ({"u_values": GOOD, "v_values": GOOD, "tol": 1.5}, "tol must be"),
])
def test_bad_verify_critic_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        verify_critic(lambda x: x[:, 0], **kwargs)


@pytest.mark.parametrize("exact_value, error", [(np.nan, ValueError), (-np.inf, ValueError),
                                                ("0.5", TypeError)])
def test_verify_f_critic_refuses_a_bad_exact_value(exact_value, error):
    from otdiv import verify_f_critic
    with pytest.raises(error, match="exact_value"):
        verify_f_critic(lambda x: x, GOOD, GOOD, "kl", exact_value=exact_value)


def test_verify_f_critic_refuses_an_unknown_kind():
    from otdiv import verify_f_critic
    with pytest.raises(ValueError, match="kind"):
        verify_f_critic(lambda x: x, GOOD, GOOD, "wasserstein", exact_value=0.5)


# --- 1-D closed forms and sample estimators: cramer_distance, energy_distance, sliced ---------

from otdiv import (  # noqa: E402
    cramer_distance,
    energy_distance,
    sliced_energy_distance,
    sliced_wasserstein,
)

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


# --- toy samplers and the GAN module (otdiv.gan needs the [gan] extra) ----------------------

def test_bad_toy_sampler_input():
    from otdiv.datasets import (
        eight_gaussians,
        gaussian_1d,
        gaussian_mixture_1d,
        swiss_roll,
        twenty_five_gaussians,
    )
    for sampler in (eight_gaussians, twenty_five_gaussians, swiss_roll, gaussian_1d):
        with pytest.raises(ValueError, match="n must be >= 1"):
            sampler(0, rng=0)
        with pytest.raises(TypeError, match="n must be an integer"):
            sampler(2.5, rng=0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        gaussian_1d(3, std=-1.0)
    with pytest.raises(ValueError, match="mean must be finite"):
        gaussian_1d(3, mean=np.nan)
    with pytest.raises(ValueError, match="stds must have one entry per mean"):
        gaussian_mixture_1d(3, means=(0.0, 1.0), stds=(1.0,))
    with pytest.raises(ValueError, match="weights must have one entry per mean"):
        gaussian_mixture_1d(3, means=(0.0, 1.0), stds=(1.0, 1.0), weights=(1.0,))
    with pytest.raises(ValueError, match="stds must be non-negative"):
        gaussian_mixture_1d(3, means=(0.0,), stds=(-1.0,))
    with pytest.raises(ValueError, match="noise must be >= 0"):
        swiss_roll(3, noise=-0.1)
    with pytest.raises(ValueError, match="rng must be a non-negative"):
        eight_gaussians(3, rng=-1)


@pytest.mark.gan
def test_bad_gan_input():
    pytest.importorskip("jax")
    from otdiv.gan import GanConfig, train_critic, train_gan
    with pytest.raises(ValueError, match="x_p must be finite|x_p.*NaN"):
        train_critic([0.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="x_p and x_q must have the same dimension"):
        train_critic(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_critic([0.0, 1.0], [1.0, 2.0], steps=0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        train_critic([0.0, 1.0], [1.0, 2.0], steps=10.0)
    with pytest.raises(TypeError, match="config must be a GanConfig"):
        train_critic([0.0, 1.0], [1.0, 2.0], config={"loss": "wgan-gp"})
    with pytest.raises(ValueError, match="data must be one of"):
        train_gan("9gaussians")
    with pytest.raises(ValueError, match="eval_samples must be >= 2"):
        train_gan("8gaussians", eval_samples=1)
    with pytest.raises(ValueError, match="clip applies only to loss 'wgan-clip'"):
        GanConfig.for_loss("wgan-gp", clip=0.1)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        GanConfig.for_loss("wgan-gp", learning_rate=-1e-3)
    with pytest.raises(TypeError, match="unknown GanConfig fields"):
        GanConfig.for_loss("wgan-gp", lamda=10.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        GanConfig.for_loss("wgan-gp", activation="gelu")
    with pytest.raises(TypeError, match="critic_hidden must be a tuple"):
        GanConfig.for_loss("wgan-gp", critic_hidden=[64, 64])
    with pytest.raises(ValueError, match="simultaneous updates need n_critic=1"):
        GanConfig.for_loss("fgan:kl", n_critic=5)


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
