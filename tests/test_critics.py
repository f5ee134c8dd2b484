"""verify_critic: the Kantorovich–Rubinstein certificate of a critic."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from otdiv import kantorovich_potential, verify_critic, wasserstein
from otdiv._kernels.critics import max_slope, monotone_coupling

from .strategies import point_clouds


def brute_force_lipschitz(points, values):
    differences = points[:, None, :] - points[None, :, :]
    size = np.max(np.abs(differences), axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):  # scaled like hypot: no underflow
        distances = size[..., 0] * np.sqrt(np.nansum((differences / size) ** 2, axis=-1))
    changes = np.abs(values[:, None] - values[None, :])
    upper = np.triu_indices(len(values), k=1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        slopes = np.where(distances[upper] > 0, changes[upper] / distances[upper],
                          np.where(changes[upper] > 0, np.inf, 0.0))
    return slopes.max(initial=0.0)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_lp_potential_as_critic_has_zero_gap_and_full_tightness(rng, d):
    x_p, x_q = rng.normal(size=(30, d)), rng.normal(size=(25, d)) + 1.0
    p_w, q_w = rng.random(30), rng.random(25)
    critic = kantorovich_potential(x_p, x_q, p_w, q_w)
    report = verify_critic(critic, x_p, x_q, p_w, q_w)
    assert report.gap == pytest.approx(0.0, abs=1e-12)
    assert report.plan_tightness == pytest.approx(1.0)
    assert report.lipschitz <= 1 + 1e-12
    assert report.passed


def test_identity_is_optimal_for_a_shift_on_the_line(rng):
    x_q = rng.normal(size=200)
    x_p = x_q + 0.7  # stochastic dominance: every quantile moves by 0.7
    report = verify_critic(lambda x: x[:, 0], x_p, x_q)
    assert report.dual_estimate == pytest.approx(report.exact_w1, rel=1e-12)
    assert report.exact_w1 == pytest.approx(0.7, rel=1e-12)
    assert report.plan_tightness == 1.0 and report.passed


def test_doubled_critic_is_flagged_and_its_certified_bound_stays_below(rng):
    x_p, x_q = rng.normal(size=(40, 2)), rng.normal(size=(40, 2)) + [1.5, 0.0]
    f = kantorovich_potential(x_p, x_q)
    report = verify_critic(lambda x: 2 * f(x), x_p, x_q)
    assert report.lipschitz == pytest.approx(2.0, rel=1e-9)
    assert report.dual_estimate == pytest.approx(2 * report.exact_w1, rel=1e-9)
    assert report.certified_lower_bound <= report.exact_w1 * (1 + 1e-12)
    assert not report.passed


def test_constant_critic_gives_zero(rng):
    x_p, x_q = rng.normal(size=(10, 2)), rng.normal(size=(12, 2)) + 3
    report = verify_critic(lambda x: np.full(len(x), 4.2), x_p, x_q)
    assert report.dual_estimate == pytest.approx(0.0, abs=1e-12)
    assert report.lipschitz == 0.0 and report.certified_lower_bound == pytest.approx(0.0)
    assert report.plan_tightness == 0.0 and not report.passed


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    point_clouds(dimension=d, max_points=6), point_clouds(dimension=d, max_points=6))),
    st.floats(0.1, 3.0))
def test_certified_bound_never_exceeds_exact_w1(clouds, slope):
    x_p, x_q = clouds
    direction = np.linspace(1.0, -1.0, x_p.shape[1])
    report = verify_critic(lambda x: slope * np.sin(x @ direction), x_p, x_q)
    assert report.certified_lower_bound <= report.exact_w1 + 1e-9 * (1 + report.exact_w1)
    if report.lipschitz <= 1:
        assert report.gap >= -1e-9 * (1 + report.exact_w1)


def test_one_dimensional_exact_value_matches_the_closed_form(rng):
    x_p, x_q = rng.normal(size=500), rng.exponential(size=300)
    p_w = rng.random(500)
    report = verify_critic(lambda x: x[:, 0], x_p, x_q, p_w)
    assert report.exact_method == "closed_form_1d"
    assert report.exact_w1 == pytest.approx(wasserstein(x_p, x_q, p_w), rel=1e-12)


def test_summary_reads_as_a_report(rng):
    x = rng.normal(size=(5, 2))
    text = verify_critic(lambda z: z[:, 0], x, x + 1).summary()
    assert "exact W_1" in text and "Lipschitz" in text and "tol" in text


def test_jax_style_array_output_and_column_output_are_accepted(rng):
    x_p, x_q = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    column = verify_critic(lambda x: x[:, :1] * 0.5, x_p, x_q)
    flat = verify_critic(lambda x: x[:, 0] * 0.5, x_p, x_q)
    assert column.dual_estimate == flat.dual_estimate


# --- kernels -----------------------------------------------------------------------------

@given(point_clouds(min_points=1, max_points=12), st.integers(0, 2**32 - 1))
def test_lipschitz_equals_brute_force_and_kernel_equals_its_py_func(points, seed):
    values = np.random.default_rng(seed).normal(size=len(points))
    from otdiv.critics import empirical_lipschitz
    assert empirical_lipschitz(points, values)[0] == pytest.approx(
        brute_force_lipschitz(points, values), rel=1e-12)
    with np.errstate(over="ignore"):  # a slope beyond the float range is inf, as compiled
        plain = max_slope.py_func(points, values)
    assert max_slope(points, values) == plain


def test_lipschitz_of_tiny_and_huge_point_clouds_does_not_underflow():
    from otdiv.critics import empirical_lipschitz
    points = np.array([[0.0, 0.0], [3e-200, 4e-200], [1e-199, 0.0]])
    values = np.array([0.0, 5e-200, 0.0])
    assert empirical_lipschitz(points, values)[0] == pytest.approx(1.0, rel=1e-12)
    huge = points / 1e-200 * 1e200  # coordinates near 1e200: squares overflow
    assert empirical_lipschitz(huge, values / 1e-200 * 1e200)[0] == pytest.approx(1.0, rel=1e-12)


def test_lipschitz_kernel_reports_inf_for_one_point_with_two_values():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    assert max_slope(points, np.array([0.0, 0.0, 1.0]))[0] == np.inf


@given(st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8),
       st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8))
def test_monotone_coupling_has_the_marginals(a, b):
    a, b = np.array(a) / sum(a), np.array(b) / sum(b)
    rows, columns, masses = monotone_coupling(a, b)
    np.testing.assert_allclose(np.bincount(rows, masses, minlength=len(a)), a, atol=1e-12)
    np.testing.assert_allclose(np.bincount(columns, masses, minlength=len(b)), b, atol=1e-12)
    assert np.all(np.diff(rows) >= 0) and np.all(np.diff(columns) >= 0)
    reference = monotone_coupling.py_func(a, b)
    for compiled, plain in zip((rows, columns, masses), reference):
        np.testing.assert_array_equal(compiled, plain)


# --- verify_f_critic ------------------------------------------------------------------------

from otdiv import gaussian_f_divergence, variational_bound, verify_f_critic  # noqa: E402


def test_optimal_kl_critic_passes_against_the_gaussian_closed_form(rng):
    x_p, x_q = rng.normal(1.0, 1.0, 50_000), rng.normal(0.0, 1.0, 50_000)
    exact = gaussian_f_divergence(1.0, 1.0, 0.0, 1.0, "kl")
    report = verify_f_critic(lambda x: x + 0.5, x_p, x_q, "kl", exact_value=exact)
    assert exact == pytest.approx(0.5)
    assert report.passed and report.consistent
    assert report.bound == variational_bound(lambda x: x + 0.5, x_p, x_q, "kl").value


def test_poor_critic_is_consistent_but_not_passed(rng):
    x_p, x_q = rng.normal(1.0, 1.0, 5_000), rng.normal(0.0, 1.0, 5_000)
    report = verify_f_critic(lambda x: np.zeros(len(x)), x_p, x_q, "kl", exact_value=0.5)
    assert report.consistent and not report.passed
    assert report.gap == pytest.approx(0.5 + np.exp(-1.0))  # bound = 0 - f*(0) = -1/e


def test_bound_above_the_claimed_value_is_flagged_inconsistent(rng):
    x_p, x_q = rng.normal(1.0, 1.0, 20_000), rng.normal(0.0, 1.0, 20_000)
    report = verify_f_critic(lambda x: x + 0.5, x_p, x_q, "kl", exact_value=0.1)
    assert not report.consistent and not report.passed
    assert "EXCEEDS" in report.summary()


def test_infinite_divergence_is_accepted_and_never_passed(rng):
    report = verify_f_critic(lambda x: np.zeros(len(x)), rng.normal(size=10),
                             rng.normal(size=10), "kl", exact_value=np.inf)
    assert report.gap == np.inf and not report.passed


@given(point_clouds(min_points=1, max_points=15, dimension=1), st.integers(0, 2**32 - 1))
def test_one_dimensional_lipschitz_by_sorting_equals_all_pairs(points, seed):
    from otdiv.critics import empirical_lipschitz
    values = np.random.default_rng(seed).integers(-3, 3, size=len(points)).astype(float)
    fast = empirical_lipschitz(points, values)
    assert fast[0] == pytest.approx(brute_force_lipschitz(points, values), rel=1e-12)
    if np.isfinite(fast[0]) and fast[0] > 0:
        i, j = fast[1], fast[2]
        assert abs(values[i] - values[j]) / abs(points[i, 0] - points[j, 0]) == \
            pytest.approx(fast[0], rel=1e-12)


def test_scaled_down_critic_is_rescued_by_its_lipschitz_constant(rng):
    # A weight-clipped WGAN critic is c * (a 1-Lipschitz critic) for an unknown small c.
    x_p, x_q = rng.normal(size=(30, 2)), rng.normal(size=(30, 2)) + [1.0, 0.5]
    f = kantorovich_potential(x_p, x_q)
    report = verify_critic(lambda x: 0.01 * f(x), x_p, x_q)
    assert report.lipschitz == pytest.approx(0.01, rel=1e-9)
    assert report.certified_lower_bound == pytest.approx(report.exact_w1, rel=1e-9)
    assert not report.passed  # the raw estimate is 100x too small


def test_summary_of_the_exact_potential_calls_it_a_lower_bound(rng):
    x_p, x_q = rng.normal(size=(40, 2)), rng.normal(size=(40, 2)) * 0.8 + 0.3
    report = verify_critic(kantorovich_potential(x_p, x_q), x_p, x_q)
    assert "PASSED" in report.summary() and "is a lower bound" in report.summary()


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_certificate_at_extreme_scales(rng, scale):
    x_p, x_q = rng.normal(size=(12, 2)), rng.normal(size=(10, 2)) + 1
    report = verify_critic(kantorovich_potential(x_p * scale, x_q * scale), x_p * scale,
                           x_q * scale)
    assert report.exact_w1 == pytest.approx(wasserstein(x_p, x_q) * scale, rel=1e-12)
    assert report.passed and report.lipschitz == pytest.approx(1.0)


def test_critic_output_through_the_array_protocol_is_accepted(rng):
    class DeviceArray:  # like a JAX or PyTorch array: converts through __array__
        def __init__(self, values):
            self.values = values

        def __array__(self, dtype=None, copy=None):
            return np.asarray(self.values, dtype=dtype)

    x_p, x_q = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    report = verify_critic(lambda x: DeviceArray(x[:, 0]), x_p, x_q)
    assert report.dual_estimate == pytest.approx(x_p[:, 0].mean() - x_q[:, 0].mean())
