"""The Bernoulli (and categorical) gradient-bias benchmark of Bellemare et al. (2017).

Ground truth: Monte Carlo with standard errors, scipy's binomial CDF, Hoeffding's bound,
finite differences of W_q^q and ℓ_2² computed by otdiv.wasserstein_1d and
scipy.stats.energy_distance, and brute-force minimisation of the expected sample loss.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import otdiv
from otdiv._kernels.bias import (
    bernoulli_sgd_steps,
    categorical_sgd_steps,
    project_tails,
    tail_gradient,
)
from otdiv.bias import (
    bernoulli_expected_gradient,
    bernoulli_gradient_bias,
    bernoulli_sample_minimizer,
    bernoulli_sgd,
    bernoulli_true_gradient,
    binomial_pmf,
    categorical_expected_gradient,
    categorical_gradient_bias,
    categorical_sgd,
    categorical_true_gradient,
    tail_probabilities,
)
from otdiv.bias.categorical import _multinomial_expectation, _tail_gradients

probabilities = st.floats(0.0, 1.0)
sample_sizes = st.integers(1, 3000)


def _sample_gradients(p, theta, m, distance, rng, n):
    fractions = rng.binomial(m, p, size=n) / m
    scale = {"wasserstein": None, "cramer": 2.0, "energy": 4.0}[distance]
    if scale is None:
        return np.sign(theta - fractions)
    return scale * (theta - fractions)


# --- Bernoulli: expected gradients ----------------------------------------------------------

@pytest.mark.parametrize("distance", ["wasserstein", "cramer", "energy"])
@pytest.mark.parametrize("p, m", [(0.6, 1), (0.6, 3), (0.9, 10), (0.25, 7)])
def test_enumeration_equals_monte_carlo_within_4_standard_errors(distance, p, m, rng):
    n = 40_000
    for theta in [0.0, 0.1, 0.5, 0.6, 2 / 3, 0.95, 1.0]:
        draws = _sample_gradients(p, theta, m, distance, rng, n)
        standard_error = draws.std(ddof=1) / np.sqrt(n)
        exact = bernoulli_expected_gradient(p, theta, m, distance=distance)
        # Events rarer than 1/n are invisible to the sample standard error (e.g. k = 0
        # with probability 1e-10), so allow one draw's worth (2 / n) of the sign gradient's range.
        assert abs(exact - draws.mean()) <= 4 * standard_error + 2 / n


@given(p=probabilities, m=st.sampled_from([1, 2, 3, 10, 999, 10**4, 10**5]),
       theta=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=20))
def test_cramer_expected_gradient_is_unbiased_for_every_m(p, m, theta):
    expected = bernoulli_expected_gradient(p, theta, m, distance="cramer")
    np.testing.assert_allclose(expected, 2 * (np.array(theta) - p), rtol=0, atol=1e-12)
    bias = bernoulli_gradient_bias(p, theta, m, distance="cramer")
    np.testing.assert_allclose(bias, 0.0, rtol=0, atol=1e-12)


@given(p=probabilities, m=sample_sizes, theta=st.floats(0.0, 1.0))
def test_energy_gradient_is_twice_the_cramer_gradient(p, m, theta):
    energy = bernoulli_expected_gradient(p, theta, m, distance="energy")
    cramer = bernoulli_expected_gradient(p, theta, m, distance="cramer")
    assert energy == pytest.approx(2 * cramer, abs=1e-12)


@given(p=probabilities, m=sample_sizes)
def test_wasserstein_expected_gradient_agrees_with_scipy_binomial_cdf(p, m):
    # Off the atoms k/m and on them: Pr[k < j] - Pr[k > j] with scipy's CDF and survival.
    j = np.arange(0, m + 1, max(1, m // 50))
    on_atoms = bernoulli_expected_gradient(p, j / m, m)
    peer_on = stats.binom.cdf(j - 1, m, p) - stats.binom.sf(j, m, p)
    np.testing.assert_allclose(on_atoms, peer_on, rtol=0, atol=1e-13)
    between = (j[:-1] + 0.5) / m
    off_atoms = bernoulli_expected_gradient(p, between, m)
    peer_off = 2 * stats.binom.cdf(j[:-1], m, p) - 1
    np.testing.assert_allclose(off_atoms, peer_off, rtol=0, atol=1e-13)


@pytest.mark.parametrize("p, m", [(0.6, 1000), (0.37, 2500)])
def test_wasserstein_expected_gradient_matches_60_digit_enumeration(p, m):
    import mpmath  # a test dependency: missing it must fail, not skip
    with mpmath.workdps(60):
        success = mpmath.mpf(p)
        terms = [mpmath.binomial(m, k) * success**k * (1 - success) ** (m - k)
                 for k in range(m + 1)]
        partial, running = [], mpmath.mpf(0)
        for term in terms:
            running += term
            partial.append(float(2 * running - 1))
    j = np.arange(m)
    ours = bernoulli_expected_gradient(p, (j + 0.5) / m, m)  # = 2 Pr[k <= j] - 1
    np.testing.assert_allclose(ours, partial[:m], rtol=0, atol=1e-14)


@pytest.mark.parametrize("order", [1, 1.5, 2, 3])
def test_wasserstein_gradient_does_not_depend_on_the_order_for_bernoulli(order):
    theta = np.linspace(0, 1, 101)
    np.testing.assert_array_equal(bernoulli_expected_gradient(0.6, theta, 7, order=order),
                                  bernoulli_expected_gradient(0.6, theta, 7))


def test_one_sample_wasserstein_gradient_is_one_minus_two_p_inside_the_interval():
    theta = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(bernoulli_expected_gradient(0.6, theta, 1), -0.2, atol=1e-15)


def test_binomial_pmf_sums_to_one_and_has_mean_p_up_to_1e5():
    for m in [1, 10, 10**3, 10**5]:
        pmf = binomial_pmf(m, 0.37)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-14)
        assert pmf @ np.arange(m + 1) / m == pytest.approx(0.37, abs=1e-14)
    np.testing.assert_allclose(binomial_pmf(30, 0.2), stats.binom.pmf(np.arange(31), 30, 0.2),
                               rtol=1e-12, atol=1e-300)


def test_degenerate_targets_put_all_mass_on_one_atom():
    np.testing.assert_array_equal(binomial_pmf(4, 0.0), [1, 0, 0, 0, 0])
    np.testing.assert_array_equal(binomial_pmf(4, 1.0), [0, 0, 0, 0, 1])
    assert bernoulli_expected_gradient(1.0, 0.3, 5) == -1.0
    assert bernoulli_gradient_bias(0.0, 0.3, 5) == 0.0


@pytest.mark.parametrize("p", [1e-308, 5e-324, 1e-300, 1 - 1e-16])
def test_extreme_probabilities_give_a_normalised_pmf(p):
    pmf = binomial_pmf(1000, p)
    assert np.all(np.isfinite(pmf)) and pmf.sum() == pytest.approx(1.0, abs=1e-15)
    atom = 0 if p < 0.5 else 1000
    assert pmf[atom] == pytest.approx(1.0, abs=1e-12)
    assert bernoulli_sample_minimizer(p, 1000).lower == atom / 1000


@pytest.mark.parametrize("m", [1, 3, 4, 5, 50])
def test_wasserstein_gradient_at_the_smallest_normal_p_is_minus_m_p(m):
    # Regression (issue 25): at p = 2.2250738585072014e-308, m >= 4, scipy's binom.pmf raises
    # OverflowError (Boost's ibeta_derivative). At θ = 0 the expected gradient is
    # -Pr[k > 0] = -(1 - (1 - p)^m) = -m p to within p² terms.
    p = np.finfo(float).tiny
    assert bernoulli_expected_gradient(p, [0.0], m)[0] == pytest.approx(-m * p, rel=1e-12)
    assert bernoulli_expected_gradient(p, 0.5, m) == 1.0
    assert bernoulli_gradient_bias(p, 0.0, m) == pytest.approx(-m * p + 1.0, rel=1e-12)


def test_output_shape_follows_theta():
    assert isinstance(bernoulli_expected_gradient(0.6, 0.3, 4), float)
    assert bernoulli_expected_gradient(0.6, np.full((2, 3), 0.3), 4).shape == (2, 3)
    assert bernoulli_true_gradient(0.6, [[0.3]]).shape == (1, 1)


# --- Bernoulli: true gradients and bias ----------------------------------------------------

def _bernoulli_wasserstein_pp(a, theta, q):
    return otdiv.wasserstein_1d([0.0, 1.0], [0.0, 1.0], [1 - a, a], [1 - theta, theta], p=q) ** q


@pytest.mark.parametrize("q", [1, 2, 3])
def test_true_gradient_is_the_derivative_of_exact_wasserstein(q):
    h = 1e-6
    for theta in [0.1, 0.35, 0.8]:
        numeric = (_bernoulli_wasserstein_pp(0.6, theta + h, q)
                   - _bernoulli_wasserstein_pp(0.6, theta - h, q)) / (2 * h)
        assert bernoulli_true_gradient(0.6, theta, order=q) == pytest.approx(numeric, abs=1e-6)


def test_true_cramer_gradient_is_the_derivative_of_scipy_energy_distance():
    def cramer(theta):  # scipy's energy_distance is sqrt(2) * l_2
        return stats.energy_distance([0, 1], [0, 1], [0.4, 0.6], [1 - theta, theta]) ** 2 / 2
    h = 1e-6
    for theta in [0.1, 0.35, 0.8]:
        numeric = (cramer(theta + h) - cramer(theta - h)) / (2 * h)
        assert bernoulli_true_gradient(0.6, theta, distance="cramer") == pytest.approx(
            numeric, abs=1e-6)


def test_subgradient_convention_is_zero_at_the_target():
    assert bernoulli_true_gradient(0.6, 0.6) == 0.0
    assert bernoulli_true_gradient(0.6, 0.6, distance="cramer") == 0.0


@given(p=st.floats(0.05, 0.95), m=st.integers(1, 5000), theta=probabilities)
def test_wasserstein_bias_obeys_hoeffding_bound(p, m, theta):
    # For theta > p the bias is -2 Pr[k/m > theta] - Pr[k/m = theta], so
    # |bias| <= 2 Pr[k/m >= theta] <= 2 exp(-2 m (theta - p)^2); symmetrically below p.
    if theta == p:
        return
    bias = bernoulli_gradient_bias(p, theta, m)
    assert abs(bias) <= 2 * np.exp(-2 * m * (theta - p) ** 2) + 1e-12


def test_wasserstein_bias_vanishes_as_m_grows():
    theta = np.linspace(0, 1, 1001)
    away = np.abs(theta - 0.6) >= 0.02
    worst = [np.abs(bernoulli_gradient_bias(0.6, theta, m))[away].max()
             for m in [1, 10, 100, 1000, 10**4, 10**5]]
    assert worst[0] == pytest.approx(1.2)  # one sample: gradient -0.2 against +1 above p
    assert all(later < earlier for earlier, later in zip(worst, worst[1:]))
    assert worst[-1] < 1e-15
    at_target = [abs(bernoulli_gradient_bias(0.6, 0.6, m)) for m in [10**2, 10**4]]
    assert at_target[1] < at_target[0] < 0.2
    assert at_target[1] < 0.01


# --- Bernoulli: minimisers of the expected sample loss -------------------------------------

@given(p=probabilities, m=st.integers(1, 2000))
def test_wasserstein_minimizer_is_a_median_of_the_binomial_fraction(p, m):
    interval = bernoulli_sample_minimizer(p, m)
    for theta in {interval.lower, interval.upper}:
        k = round(theta * m)
        assert k / m == theta
        assert stats.binom.cdf(k, m, p) >= 0.5 - 1e-9
        assert stats.binom.sf(k - 1, m, p) >= 0.5 - 1e-9


@pytest.mark.parametrize("p, m", [(0.6, 1), (0.6, 2), (0.6, 3), (0.9, 5), (0.5, 3), (0.3, 40)])
def test_wasserstein_minimizer_minimises_the_expected_loss_on_a_grid(p, m):
    grid = np.linspace(0, 1, 2001)
    pmf = stats.binom.pmf(np.arange(m + 1), m, p)
    expected_loss = np.abs(np.arange(m + 1)[:, None] / m - grid[None, :]).T @ pmf
    interval = bernoulli_sample_minimizer(p, m)
    best = expected_loss.min()
    for theta in [interval.lower, interval.midpoint, interval.upper]:
        loss = np.abs(np.arange(m + 1) / m - theta) @ pmf
        assert loss <= best + 1e-12
    minimisers = grid[expected_loss <= best + 1e-12]
    spacing = grid[1] - grid[0]
    assert interval.lower - spacing <= minimisers.min()
    assert minimisers.max() <= interval.upper + spacing


def test_lecture_minimizers_for_p_06_and_09():
    lower = {m: bernoulli_sample_minimizer(0.6, m).lower for m in [1, 2, 3, 5, 10, 100]}
    assert lower == {1: 1.0, 2: 0.5, 3: 2 / 3, 5: 0.6, 10: 0.6, 100: 0.6}
    assert bernoulli_sample_minimizer(0.9, 5).lower == 1.0
    assert bernoulli_sample_minimizer(0.5, 1) == otdiv.MinimizerInterval(0.0, 1.0)


@given(p=probabilities, m=sample_sizes)
def test_cramer_minimizer_is_p(p, m):
    assert bernoulli_sample_minimizer(p, m, distance="cramer") == otdiv.MinimizerInterval(p, p)


# --- SGD ----------------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [0.0, 2.0, 4.0])
def test_sgd_kernel_equals_its_python_body(scale, rng):
    fractions = rng.binomial(3, 0.6, size=(4, 50)) / 3
    record = np.where(np.arange(50) % 7 == 0, np.arange(50) // 7, -1).astype(np.int64)
    outputs = []
    for kernel in (bernoulli_sgd_steps, bernoulli_sgd_steps.py_func):
        theta = np.array([0.0, 0.3, 0.6, 1.0])
        out = np.full((4, 8), np.nan)
        kernel(theta, fractions, 0.05, scale, record, out)
        outputs.append((theta, out))
    np.testing.assert_array_equal(outputs[0][0], outputs[1][0])
    np.testing.assert_array_equal(outputs[0][1], outputs[1][1])


def test_sgd_records_the_requested_steps_and_is_reproducible():
    first = bernoulli_sgd(0.6, 2, steps=103, n_runs=3, record_every=10, rng=1)
    again = bernoulli_sgd(0.6, 2, steps=103, n_runs=3, record_every=10, rng=1)
    np.testing.assert_array_equal(first.steps, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 103])
    assert first.trajectories.shape == (3, 12)
    np.testing.assert_array_equal(first.trajectories, again.trajectories)
    assert np.all(first.trajectories[:, 0] == 0.5)
    assert not first.trajectories.flags.writeable


def test_sgd_trajectory_matches_a_python_loop_on_the_same_draws():
    steps, m, lr = 40, 3, 0.1
    result = bernoulli_sgd(0.6, m, distance="cramer", steps=steps, learning_rate=lr, n_runs=2,
                           rng=7)
    draws = np.random.default_rng(7).binomial(m, 0.6, size=(2, steps)) / m
    theta = np.full(2, 0.5)
    for t in range(steps):
        theta = np.clip(theta - lr * 2 * (theta - draws[:, t]), 0, 1)
        np.testing.assert_allclose(result.trajectories[:, t + 1], theta, rtol=0, atol=1e-15)


def test_wasserstein_sgd_drifts_to_the_median_and_cramer_sgd_settles_on_p():
    w = bernoulli_sgd(0.6, 1, steps=3000, learning_rate=0.01, n_runs=200, rng=3)
    assert w.final.mean() > 0.95  # the median of one Ber(0.6) sample is 1
    c = bernoulli_sgd(0.6, 1, distance="cramer", steps=3000, learning_rate=0.01, n_runs=200,
                      rng=3)
    # E theta_t = p + (1 - 2 lr)^t (theta0 - p) exactly while no clipping occurs.
    transient = (1 - 0.02) ** 3000 * 0.1
    standard_error = c.final.std(ddof=1) / np.sqrt(200)
    assert abs(c.final.mean() - 0.6) <= 4 * standard_error + transient


def test_sgd_stays_in_the_unit_interval():
    result = bernoulli_sgd(0.95, 1, distance="energy", steps=500, learning_rate=0.3, n_runs=20,
                           rng=0)
    assert result.trajectories.min() >= 0.0 and result.trajectories.max() <= 1.0


# --- categorical targets on {0, ..., K} ----------------------------------------------------

TARGET = np.array([0.1, 0.2, 0.3, 0.4])  # K = 3
THETA = np.array([0.83, 0.52, 0.37])     # tails of Q; no ties with multiples of 1/m


def _pmf_from_tails(theta):
    tails = np.concatenate(([1.0], theta, [0.0]))
    return tails[:-1] - tails[1:]


def test_tail_probabilities_invert_the_pmf():
    np.testing.assert_allclose(tail_probabilities(TARGET), [0.9, 0.7, 0.4])
    np.testing.assert_allclose(_pmf_from_tails(tail_probabilities(TARGET)), TARGET)


@pytest.mark.parametrize("distance, order", [("wasserstein", 1), ("wasserstein", 2),
                                             ("wasserstein", 3.5), ("cramer", 1)])
def test_categorical_true_gradient_is_the_derivative_of_the_exact_loss(distance, order):
    support = np.arange(4.0)

    def loss(theta):
        q = _pmf_from_tails(theta)
        if distance == "cramer":
            return stats.energy_distance(support, support, TARGET, q) ** 2 / 2
        return otdiv.wasserstein_1d(support, support, TARGET, q, p=order) ** order

    gradient = categorical_true_gradient(TARGET, THETA, distance=distance, order=order)
    h = 1e-6
    for j in range(3):
        step = np.zeros(3)
        step[j] = h
        numeric = (loss(THETA + step) - loss(THETA - step)) / (2 * h)
        assert gradient[j] == pytest.approx(numeric, abs=1e-5)


@pytest.mark.parametrize("distance", ["wasserstein", "cramer"])
def test_categorical_with_two_atoms_is_the_bernoulli_case(distance):
    for m in [1, 4, 30]:
        estimate = categorical_expected_gradient([0.4, 0.6], [0.7], m, distance=distance)
        assert estimate.value[0] == bernoulli_expected_gradient(0.6, 0.7, m, distance=distance)
    w2 = categorical_expected_gradient([0.4, 0.6], [0.7], 6, order=2)
    assert w2.method == "multinomial_enumeration"
    assert w2.value[0] == pytest.approx(bernoulli_expected_gradient(0.6, 0.7, 6), abs=1e-14)


def test_categorical_cramer_expected_gradient_is_unbiased():
    for m in [1, 5, 100, 10**4]:
        bias = categorical_gradient_bias(TARGET, THETA, m, distance="cramer")
        assert bias.exact
        np.testing.assert_allclose(bias.value, 0.0, atol=1e-12)


@pytest.mark.parametrize("distance, order", [("wasserstein", 1), ("cramer", 1),
                                             ("energy", 1), ("wasserstein", 2)])
def test_multinomial_enumeration_equals_binomial_enumeration_for_separable_losses(distance,
                                                                                  order):
    for m in [1, 3, 8]:
        multinomial, n_outcomes = _multinomial_expectation(TARGET, THETA, m, distance, 1.0)
        binomial = categorical_expected_gradient(TARGET, THETA, m, distance=distance)
        np.testing.assert_allclose(multinomial, binomial.value, atol=1e-13)
        assert n_outcomes == {1: 4, 3: 20, 8: 165}[m]


@pytest.mark.parametrize("distance, order", [("wasserstein", 1), ("wasserstein", 2),
                                             ("wasserstein", 3), ("cramer", 1)])
def test_categorical_enumeration_equals_monte_carlo_within_4_standard_errors(distance, order,
                                                                             rng):
    for m in [2, 7]:
        exact = categorical_expected_gradient(TARGET, THETA, m, distance=distance, order=order)
        sampled = categorical_expected_gradient(TARGET, THETA, m, distance=distance,
                                                order=order, method="monte_carlo",
                                                n_samples=20_000, rng=rng)
        assert exact.exact and not sampled.exact
        assert np.all(sampled.standard_error > 0)
        assert np.all(np.abs(exact.value - sampled.value) <= 4 * sampled.standard_error)


def test_categorical_wasserstein_bias_is_nonzero_for_small_m_and_vanishes_for_large_m():
    small = categorical_gradient_bias(TARGET, THETA, 2)
    assert np.abs(small.value).max() > 0.1
    large = categorical_gradient_bias(TARGET, THETA, 10**4)
    np.testing.assert_allclose(large.value, 0.0, atol=1e-9)


def test_categorical_falls_back_to_monte_carlo_beyond_max_outcomes():
    estimate = categorical_expected_gradient(TARGET, THETA, 50, order=2, max_outcomes=100,
                                             n_samples=500, rng=0)
    assert estimate.method == "monte_carlo" and not estimate.exact
    assert estimate.n_samples == 500
    with pytest.raises(ValueError, match="max_outcomes"):
        categorical_expected_gradient(TARGET, THETA, 50, order=2, max_outcomes=100,
                                      method="exact")


def test_subgradient_convention_is_zero_at_ties_for_every_order():
    tails = tail_probabilities(TARGET)
    for order in [1, 2, 3]:
        np.testing.assert_array_equal(categorical_true_gradient(TARGET, tails, order=order), 0)



# --- categorical SGD ----------------------------------------------------------------------

def test_tail_projection_equals_clipped_scipy_isotonic_regression(rng):
    from scipy.optimize import isotonic_regression
    for kernel in (project_tails, project_tails.py_func):
        for _ in range(200):
            values = rng.normal(0.5, 0.7, size=rng.integers(1, 8))
            projected = values.copy()
            kernel(projected, np.empty(values.size), np.empty(values.size))
            reference = np.clip(isotonic_regression(values, increasing=False).x, 0, 1)
            np.testing.assert_allclose(projected, reference, rtol=0, atol=1e-14)


def test_tail_projection_is_the_nearest_monotone_point(rng):
    # Any other feasible point (non-increasing, in [0, 1]) is at least as far away.
    for _ in range(50):
        values = rng.normal(0.5, 0.7, size=5)
        projected = values.copy()
        project_tails(projected, np.empty(5), np.empty(5))
        others = np.sort(rng.uniform(0, 1, size=(2000, 5)), axis=1)[:, ::-1]
        assert np.all(np.linalg.norm(others - values, axis=1)
                      >= np.linalg.norm(projected - values) - 1e-12)


@pytest.mark.parametrize("distance, order", [("wasserstein", 1), ("wasserstein", 2.5),
                                             ("cramer", 1), ("energy", 1)])
def test_compiled_tail_gradient_equals_the_numpy_gradient(distance, order, rng):
    scale = {"wasserstein": 0.0, "cramer": 2.0, "energy": 4.0}[distance]
    tails = np.sort(rng.integers(0, 4, size=(30, 3)) / 3, axis=1)[:, ::-1].copy()
    reference = _tail_gradients(tails, THETA, distance, float(order))
    for kernel in (tail_gradient, tail_gradient.py_func):
        for row, expected in zip(tails, reference):
            out = np.empty(3)
            kernel(THETA, row, scale, float(order), out)
            np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("scale, order", [(0.0, 1.0), (0.0, 2.0), (2.0, 1.0)])
def test_categorical_sgd_steps_equals_its_python_body(scale, order, rng):
    counts = rng.multinomial(3, TARGET, size=(3, 40))
    tails = np.ascontiguousarray(np.cumsum(counts[..., ::-1], axis=-1)[..., ::-1][..., 1:] / 3)
    record = np.where(np.arange(40) % 9 == 0, np.arange(40) // 9, -1).astype(np.int64)
    outputs = []
    for kernel in (categorical_sgd_steps, categorical_sgd_steps.py_func):
        theta = np.tile(THETA, (3, 1))
        out = np.full((3, 5, 3), np.nan)
        kernel(theta, tails, 0.05, scale, order, record, out)
        outputs.append((theta, out))
    np.testing.assert_array_equal(outputs[0][0], outputs[1][0])
    np.testing.assert_array_equal(outputs[0][1], outputs[1][1])


def test_categorical_sgd_with_two_atoms_matches_bernoulli_dynamics():
    # K = 1: same update as bernoulli_sgd() on the same minibatch estimates.
    counts = np.random.default_rng(5).multinomial(4, [0.4, 0.6], size=(2, 60))
    fractions = np.ascontiguousarray(counts[..., 1] / 4.0)
    record = np.arange(60, dtype=np.int64)
    for scale in (0.0, 2.0):
        scalar = np.full(2, 0.5)
        scalar_out = np.empty((2, 60))
        bernoulli_sgd_steps(scalar, fractions, 0.05, scale, record, scalar_out)
        vector = np.full((2, 1), 0.5)
        vector_out = np.empty((2, 60, 1))
        categorical_sgd_steps(vector, np.ascontiguousarray(fractions[..., None]), 0.05, scale,
                              1.0, record, vector_out)
        np.testing.assert_allclose(vector_out[..., 0], scalar_out, rtol=0, atol=1e-15)


def test_categorical_sgd_cramer_settles_on_the_target_and_wasserstein_on_medians():
    target = [0.3, 0.3, 0.4]                       # tails (0.7, 0.4)
    c = categorical_sgd(target, 4, distance="cramer", steps=4000, learning_rate=0.005,
                        n_runs=100, rng=2)
    standard_error = c.final.std(axis=0, ddof=1) / np.sqrt(100)
    assert np.all(np.abs(c.final.mean(axis=0) - [0.7, 0.4]) <= 4 * standard_error + 1e-6)
    w = categorical_sgd(target, 1, steps=4000, learning_rate=0.01, n_runs=100, rng=2)
    # one sample: medians of Ber(0.7) and Ber(0.4) are 1 and 0
    np.testing.assert_allclose(w.final.mean(axis=0), [1.0, 0.0], atol=0.05)
    assert np.all(np.diff(w.trajectories, axis=-1) <= 0)  # every iterate is a distribution
    assert w.trajectories.shape == (100, 4001, 2)


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("function", [bernoulli_expected_gradient, bernoulli_gradient_bias])
@pytest.mark.parametrize("kwargs, error, match", [
    ({"p": 1.5}, ValueError, "p must be <= 1"),
    ({"p": -0.1}, ValueError, "p must be >= 0"),
    ({"p": np.nan}, ValueError, "p must be finite"),
    ({"theta": [0.2, 1.2]}, ValueError, "theta must lie in \\[0, 1\\], got 1.2"),
    ({"theta": np.nan}, ValueError, "theta must lie in"),
    ({"theta": []}, ValueError, "theta must not be empty"),
    ({"theta": "a"}, TypeError, "theta must be a number"),
    ({"m": 0}, ValueError, "m must be >= 1"),
    ({"m": 2.5}, TypeError, "m must be a positive integer"),
    ({"m": 3.0}, TypeError, "m must be a positive integer"),
    ({"m": "3"}, TypeError, "m must be a positive integer"),
    ({"m": 10**8}, ValueError, "m must be <= "),
    ({"distance": "kl"}, ValueError, "distance must be one of"),
    ({"order": 0.5}, ValueError, "order must be >= 1"),
    ({"distance": "cramer", "order": 2}, ValueError, "order applies to distance='wasserstein'"),
])
def test_bad_bernoulli_input_is_refused(function, kwargs, error, match):
    arguments = {"p": 0.6, "theta": 0.3, "m": 4, **kwargs}
    p, theta, m = arguments.pop("p"), arguments.pop("theta"), arguments.pop("m")
    with pytest.raises(error, match=match):
        function(p, theta, m, **arguments)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"steps": 0}, ValueError, "steps must be >= 1"),
    ({"learning_rate": 0.0}, ValueError, "learning_rate must be > 0"),
    ({"n_runs": 0}, ValueError, "n_runs must be >= 1"),
    ({"theta0": 1.5}, ValueError, "theta0 must be <= 1"),
    ({"record_every": 0}, ValueError, "record_every must be >= 1"),
    ({"rng": "seed"}, TypeError, "rng must be"),
    ({"distance": "W1"}, ValueError, "distance must be one of"),
])
def test_bad_sgd_input_is_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        bernoulli_sgd(0.6, 2, **kwargs)


@pytest.mark.parametrize("target, theta, match", [
    ([0.5, 0.6], [0.5], "target must sum to 1"),
    ([1.0], [], "at least 2 entries"),
    ([0.2, 0.3, 0.5], [0.5], "theta must be the K = 2 tail probabilities"),
    ([0.2, 0.3, 0.5], [0.3, 0.5], "theta must be non-increasing"),
    ([0.2, 0.3, 0.5], [0.9, -0.1], "theta must lie in"),
    ([0.2, -0.3, 1.1], [0.9, 0.1], "target must be non-negative"),
])
def test_bad_categorical_input_is_refused(target, theta, match):
    with pytest.raises(ValueError, match=match):
        categorical_expected_gradient(target, theta, 3)
    with pytest.raises(ValueError, match=match):
        categorical_true_gradient(target, theta)


def test_bad_categorical_sgd_input_is_refused():
    with pytest.raises(ValueError, match="theta0 must be non-increasing"):
        categorical_sgd(TARGET, 2, theta0=[0.1, 0.5, 0.2])
    with pytest.raises(ValueError, match="target must sum to 1"):
        categorical_sgd([0.5, 0.6], 2)
    with pytest.raises(TypeError, match="m must be a positive integer"):
        categorical_sgd(TARGET, 0.5)


def test_bad_categorical_options_are_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        categorical_expected_gradient(TARGET, THETA, 3, method="sampling")
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        categorical_expected_gradient(TARGET, THETA, 3, n_samples=1)


# --- the otdiv bias command -----------------------------------------------------------------

def test_cli_writes_tables_and_figures_and_reports_json(tmp_path, capsys):
    import json

    from otdiv.cli import main
    status = main(["bias", "--prob", "0.6", "0.9", "--m", "1", "2", "3", "--grid", "3",
                   "--steps", "300", "--runs", "20", "--out", str(tmp_path), "--json"])
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    lower = {(row["p"], row["m"]): row["W1 lower"] for row in payload["minimizers"]}
    assert lower == {(0.6, 1): 1.0, (0.6, 2): 0.5, (0.6, 3): 2 / 3,
                     (0.9, 1): 1.0, (0.9, 2): 1.0, (0.9, 3): 1.0}
    assert all(row["Cramer minimiser"] == f"{row['p']:g}" for row in payload["minimizers"])
    assert [row["m"] for row in payload["grid"]] == [1, 2, 3]
    assert payload["max_cramer_bias"] <= 1e-12
    for name in ["minimizers.md", "grid.md", "bias.json", "expected_gradients.png",
                 "sgd_trajectories.png"]:
        assert (tmp_path / name).stat().st_size > 0
    finals = {(row["p"], row["distance"]): row["final mean"] for row in payload["sgd"]}
    assert finals[(0.6, "wasserstein")] > 0.9 and abs(finals[(0.6, "cramer")] - 0.6) < 0.05


@pytest.mark.parametrize("argv", [["--prob", "1.5"], ["--m", "0"], ["--grid", "-1"],
                                  ["--steps", "0"], ["--lr", "-1"]])
def test_cli_bad_input_exits_with_status_2(argv, capsys):
    from otdiv.cli import main
    assert main(["bias", "--grid", "0", "--runs", "2", "--steps", "10", *argv]) == 2
    assert "otdiv bias: error:" in capsys.readouterr().err


def test_categorical_sgd_with_a_single_run():
    from otdiv import categorical_sgd
    result = categorical_sgd([0.2, 0.8], 1, n_runs=1, steps=5, rng=0)
    assert result.final.shape[0] == 1


def test_sgd_functions_say_what_they_optimise_and_take_learning_rate():
    import inspect

    import otdiv.bias
    assert "bernoulli_sgd" in otdiv.bias.__all__ and "sgd" not in otdiv.bias.__all__
    for function in (bernoulli_sgd, categorical_sgd):
        parameters = inspect.signature(function).parameters
        assert "learning_rate" in parameters and "lr" not in parameters
        assert parameters["learning_rate"].kind is inspect.Parameter.KEYWORD_ONLY
    with pytest.raises(TypeError, match="lr"):
        bernoulli_sgd(0.6, 1, lr=0.1)


def test_bias_figures_name_the_target_without_calling_it_p():
    # p is the W_p order elsewhere in otdiv: the titles say "target Ber(0.6)"
    import matplotlib
    matplotlib.use("Agg")
    from otdiv.bias import bernoulli_sgd
    from otdiv.bias.figures import plot_expected_gradients, plot_sgd_trajectories

    figure = plot_expected_gradients([0.6], [1, 2], n_theta=11)
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == ["$W_1$, target Ber(0.6)", r"Cramér $\ell_2^2$, target Ber(0.6)"]
    run = bernoulli_sgd(0.6, 1, steps=20, n_runs=2, rng=0)
    axis = plot_sgd_trajectories([run]).axes[0]
    assert axis.get_title() == "$W_1$, target Ber(0.6)" and "p =" not in axis.get_title()
