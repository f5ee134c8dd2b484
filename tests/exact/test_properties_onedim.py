"""Properties of the 1-D distances at every scale of input (issue 13: no wrong number).

Each test states a theorem about W_p, ℓ_p or the energy distance on the line and checks it on
hypothesis-generated samples, including values across the whole float range (subnormals up
to 1.8e308). The "refuse or be right" tests compare against the exact value computed in
rational arithmetic (``fractions``) and rooted with mpmath at 60 digits.
"""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from otdiv import cramer_distance, energy_distance, wasserstein_1d

FAST = settings(max_examples=30, deadline=None)
ORDERS = st.sampled_from([1.0, 2.0, 3.0, 2.5, 7.0])

# --- strategies -------------------------------------------------------------------------

ordinary_values = hnp.arrays(np.float64, st.integers(1, 9),
                             elements=st.floats(-100, 100, width=64))


@st.composite
def ordinary_weighted(draw):
    values = draw(ordinary_values)
    weights = draw(hnp.arrays(np.float64, values.size, elements=st.floats(1e-3, 1.0)))
    return values, weights


@st.composite
def short_mantissa_samples(draw, max_size=6):
    """Values ``k * 2^e`` with ``|k| < 64``: multiplying by a power of two is exact for them
    anywhere between the subnormals and the overflow threshold."""
    n = draw(st.integers(1, max_size))
    return np.ldexp(np.array(draw(st.lists(st.integers(-63, 63), min_size=n, max_size=n)),
                             dtype=float), draw(st.integers(-20, 0)))


extreme_floats = (st.floats(allow_nan=False, allow_infinity=False, width=64)
                  | st.sampled_from([5e-324, -5e-324, 1e-310, 2.2250738585072014e-308,
                                     1e-160, 1e150, 1.7976931348623157e308,
                                     -1.7976931348623157e308, 0.0, -0.0]))
extreme_values = hnp.arrays(np.float64, st.integers(1, 4), elements=extreme_floats)
small_integer_weights = st.integers(1, 5)


# --- exact references ---------------------------------------------------------------------

def _fractions(values):
    return [Fraction(float(x)) for x in values]


def _normalised(weights, n):
    weights = [Fraction(1)] * n if weights is None else [Fraction(int(w)) for w in weights]
    total = sum(weights)
    return [w / total for w in weights]


def exact_wasserstein_power(u, v, u_w, v_w, p):
    """∫_0^1 |F^{-1} - G^{-1}|^p exactly (integer p), by merging rational quantile levels."""
    pairs = []
    for values, weights in ((u, u_w), (v, v_w)):
        order = sorted(range(len(values)), key=lambda k: values[k])
        levels, running = [], Fraction(0)
        for k in order:
            running += weights[k]
            levels.append((running, values[k]))
        pairs.append(levels)
    (u_levels, v_levels), total, previous, i, j = pairs, Fraction(0), Fraction(0), 0, 0
    while i < len(u_levels) and j < len(v_levels):
        level = min(u_levels[i][0], v_levels[j][0])
        total += (level - previous) * abs(u_levels[i][1] - v_levels[j][1]) ** int(p)
        previous = level
        i += u_levels[i][0] == level
        j += v_levels[j][0] == level
    return total


def exact_cramer_power(u, v, u_w, v_w, p):
    """∫ |F - G|^p exactly (integer p) between consecutive points of the union."""
    grid = sorted(set(u) | set(v))
    total = Fraction(0)
    for left, right in zip(grid, grid[1:]):
        f = sum(w for x, w in zip(u, u_w) if x <= left)
        g = sum(w for x, w in zip(v, v_w) if x <= left)
        total += (right - left) * abs(f - g) ** int(p)
    return total


def rooted(power, p):
    """The float nearest ``power^(1/p)`` (inf beyond the float range), via mpmath."""
    with mpmath.workdps(60):
        exact = mpmath.root(mpmath.mpf(power.numerator) / power.denominator, int(p))
        return float(exact)  # rounded to nearest; inf beyond the float range


def assert_refuse_or_right(compute, expected, rel=1e-13):
    try:
        value = compute()
    except ValueError:
        return  # refusing is allowed; a wrong number is not
    if math.isinf(expected):
        assert value == math.inf
    else:
        # rel for the normal range; below it the result is a subnormal, exact to 1 unit
        assert value == pytest.approx(expected, rel=rel, abs=5e-324)


# --- scaling ------------------------------------------------------------------------------

@FAST
@given(short_mantissa_samples(), short_mantissa_samples(), ORDERS,
       st.integers(-1050, 1000), st.booleans())
def test_wp_scales_exactly_by_powers_of_two_across_the_float_range(u, v, p, exponent, flip):
    # the scaled values are exact, and the result is checked where it is a normal float
    scaled_u, scaled_v = np.ldexp(u, exponent), np.ldexp(v, exponent)
    assume(np.all(np.isfinite(scaled_u)) and np.all(np.isfinite(scaled_v)))
    assume(np.array_equal(np.ldexp(scaled_u, -exponent), u))
    assume(np.array_equal(np.ldexp(scaled_v, -exponent), v))
    base = wasserstein_1d(u, v, p=p)
    expected = np.ldexp(base, exponent)
    assume(expected == 0.0 or abs(expected) >= np.finfo(float).tiny)
    assert wasserstein_1d(scaled_u, scaled_v, p=p) == expected
    if flip:  # c = -2^e: the merge runs in the other order, so the sum rounds differently
        assert wasserstein_1d(-scaled_u, -scaled_v, p=p) == pytest.approx(expected, rel=1e-14)


@FAST
@given(ordinary_weighted(), ordinary_weighted(), ORDERS,
       st.floats(1e-300, 1e300) | st.floats(-1e300, -1e-300))
def test_wp_scales_by_abs_c_and_ell_p_by_abs_c_to_the_one_over_p(first, second, p, c):
    (u, u_w), (v, v_w) = first, second
    scaled_u, scaled_v = c * u, c * v
    assume(np.all(np.isfinite(scaled_u)) and np.all(np.isfinite(scaled_v)))
    # no input loses its digits to underflow (that would change the samples themselves)
    tiny = np.finfo(float).tiny
    assume(np.all((scaled_u == 0) == (u == 0)) and np.all(np.abs(scaled_u[u != 0]) >= tiny))
    assume(np.all((scaled_v == 0) == (v == 0)) and np.all(np.abs(scaled_v[v != 0]) >= tiny))
    # c * x is rounded: allow the rounding of the inputs relative to the largest value
    slack = 4e-16 * max(np.abs(u).max(), np.abs(v).max())
    w = wasserstein_1d(u, v, u_w, v_w, p=p)
    assert wasserstein_1d(scaled_u, scaled_v, u_w, v_w, p=p) == pytest.approx(
        abs(c) * w, rel=1e-12, abs=abs(c) * slack)
    ell = cramer_distance(u, v, u_w, v_w, p=p)
    assert cramer_distance(scaled_u, scaled_v, u_w, v_w, p=p) == pytest.approx(
        abs(c) ** (1 / p) * ell, rel=1e-11, abs=abs(c) ** (1 / p) * slack ** (1 / p))


# --- invariances ---------------------------------------------------------------------------

@FAST
@given(ordinary_weighted(), ordinary_weighted(), st.integers(-2**20, 2**20), ORDERS)
def test_translation_invariance(first, second, shift, p):
    (u, u_w), (v, v_w) = first, second
    u, v = np.round(u, 3), np.round(v, 3)  # u + shift rounds the same way at every shift
    slack = 1e-9 * (abs(shift) + 100)
    for distance in (wasserstein_1d, cramer_distance):
        assert distance(u + shift, v + shift, u_w, v_w, p=p) == pytest.approx(
            distance(u, v, u_w, v_w, p=p), rel=1e-9, abs=slack)


@FAST
@given(ordinary_weighted(), ordinary_weighted(), ORDERS, st.randoms(use_true_random=False))
def test_permutation_invariance(first, second, p, random):
    (u, u_w), (v, v_w) = first, second
    order_u = np.array(random.sample(range(u.size), u.size))
    order_v = np.array(random.sample(range(v.size), v.size))
    for distance in (wasserstein_1d, cramer_distance):
        # uniform: the sorted arrays are identical, so the value is too
        assert distance(u[order_u], v[order_v], p=p) == distance(u, v, p=p)
        assert distance(u[order_u], v[order_v], u_w[order_u], v_w[order_v], p=p) == (
            pytest.approx(distance(u, v, u_w, v_w, p=p), rel=1e-12, abs=1e-12))


@FAST
@given(ordinary_weighted(), ordinary_weighted(), ORDERS, st.data())
def test_duplicating_a_point_equals_doubling_its_weight(first, second, p, data):
    (u, u_w), (v, v_w) = first, second
    k = data.draw(st.integers(0, u.size - 1))
    duplicated_u, duplicated_w = np.append(u, u[k]), np.append(u_w, u_w[k])
    doubled_w = u_w.copy()
    doubled_w[k] *= 2
    for distance in (wasserstein_1d, cramer_distance):
        assert distance(duplicated_u, v, duplicated_w, v_w, p=p) == pytest.approx(
            distance(u, v, doubled_w, v_w, p=p), rel=1e-12, abs=1e-12)
    assert energy_distance(duplicated_u, v, duplicated_w, v_w) == pytest.approx(
        energy_distance(u, v, doubled_w, v_w), rel=1e-9, abs=1e-9)


# --- metric axioms ---------------------------------------------------------------------------

@FAST
@given(ordinary_values, ordinary_values, extreme_values, extreme_values, ORDERS)
def test_symmetry_is_exact_for_uniform_samples(u, v, x, y, p):
    for first, second in ((u, v), (x, y)):
        assert wasserstein_1d(first, second, p=p) == wasserstein_1d(second, first, p=p)
        assert cramer_distance(first, second, p=p) == cramer_distance(second, first, p=p)
        assert energy_distance(first, second) == energy_distance(second, first)


@FAST
@given(ordinary_weighted(), ordinary_weighted(), ordinary_weighted(), ORDERS)
def test_triangle_inequality(first, second, third, p):
    (u, u_w), (v, v_w), (z, z_w) = first, second, third
    for distance in (wasserstein_1d, cramer_distance):
        direct = distance(u, z, u_w, z_w, p=p)
        assert direct <= (distance(u, v, u_w, v_w, p=p)
                          + distance(v, z, v_w, z_w, p=p)) * (1 + 1e-12) + 1e-12


@FAST
@given(ordinary_weighted(), ordinary_weighted(), extreme_values, extreme_values)
def test_wp_is_nondecreasing_in_p(first, second, x, y):
    (u, u_w), (v, v_w) = first, second
    orders = [1.0, 1.5, 2.0, 3.0, 10.0, 100.0, 1e4, 1e20]
    for a, b, a_w, b_w in ((u, v, u_w, v_w), (x, y, None, None)):
        values = [wasserstein_1d(a, b, a_w, b_w, p=p) for p in orders]
        for smaller, larger in zip(values, values[1:]):
            assert smaller <= larger * (1 + 1e-12)
        # and none exceeds the largest distance between any two points (>= W_inf)
        with np.errstate(over="ignore", invalid="ignore"):  # inf when it overflows
            largest = np.abs(a[:, None] - b[None, :]).max()
            assert values[-1] <= largest * (1 + 1e-12)


@FAST
@given(extreme_values, extreme_values)
def test_distinct_samples_are_at_positive_distance_and_equal_ones_at_zero(u, v):
    # the true values are representable here (no gap below the subnormals): 0 iff equal
    same = np.array_equal(np.sort(u), np.sort(v)) or (u.size == v.size and np.all(
        np.sort(u) == np.sort(v)))
    for compute in (lambda: wasserstein_1d(u, v), lambda: wasserstein_1d(u, v, p=2),
                    lambda: cramer_distance(u, v), lambda: energy_distance(u, v)):
        value = compute()
        assert not math.isnan(value)
        if same:
            assert value == 0.0
        elif u.size == v.size == 1:
            assert value > 0.0


# --- peers and exact values ---------------------------------------------------------------------

@FAST
@given(ordinary_weighted(), ordinary_weighted())
def test_agreement_with_scipy_on_ordinary_input(first, second):
    (u, u_w), (v, v_w) = first, second
    assert wasserstein_1d(u, v, u_w, v_w) == pytest.approx(
        scipy.stats.wasserstein_distance(u, v, u_w, v_w), rel=1e-10, abs=1e-10)
    assert energy_distance(u, v, u_w, v_w) == pytest.approx(
        scipy.stats.energy_distance(u, v, u_w, v_w), rel=1e-9, abs=1e-9)
    assert cramer_distance(u, v, u_w, v_w) * math.sqrt(2) == pytest.approx(
        scipy.stats.energy_distance(u, v, u_w, v_w), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(extreme_values, extreme_values, st.sampled_from([1, 2, 3]),
       st.none() | st.lists(small_integer_weights, min_size=4, max_size=4))
def test_wp_on_extreme_input_refuses_or_equals_the_exact_value(u, v, p, weights):
    u_w = None if weights is None else np.array(weights[:u.size], dtype=float)
    v_w = None if weights is None else np.array(weights[:v.size][::-1], dtype=float)
    exact = exact_wasserstein_power(_fractions(u), _fractions(v), _normalised(u_w, u.size),
                                    _normalised(v_w, v.size), p)
    assert_refuse_or_right(lambda: wasserstein_1d(u, v, u_w, v_w, p=float(p)),
                           rooted(exact, p))


@settings(max_examples=40, deadline=None)
@given(extreme_values, extreme_values, st.sampled_from([1, 2, 3]),
       st.none() | st.lists(small_integer_weights, min_size=4, max_size=4))
def test_ell_p_and_energy_on_extreme_input_refuse_or_equal_the_exact_value(u, v, p, weights):
    u_w = None if weights is None else np.array(weights[:u.size], dtype=float)
    v_w = None if weights is None else np.array(weights[:v.size][::-1], dtype=float)
    exact = exact_cramer_power(_fractions(u), _fractions(v), _normalised(u_w, u.size),
                               _normalised(v_w, v.size), p)
    assert_refuse_or_right(lambda: cramer_distance(u, v, u_w, v_w, p=float(p)),
                           rooted(exact, p))
    if p == 2:
        assert_refuse_or_right(lambda: energy_distance(u, v, u_w, v_w, squared=False),
                               rooted(2 * exact, 2))


@pytest.mark.parametrize("p", [1e3, 1e18, 1e20, 1e300])
def test_ell_p_tends_to_the_kolmogorov_smirnov_statistic_for_huge_p(rng, p):
    # ℓ_p = K (∫ (|F - G| / K)^p)^(1/p) with K = sup|F - G| (here 0.6...) and the integral
    # between (measure where |F - G| = K) and (total span), both in (0.01, 1) here
    u, v = rng.random(5), rng.random(4)
    u_w, v_w = rng.random(5), rng.random(4)
    grid = np.sort(np.concatenate([u, v]))
    u_cdf = np.array([u_w[u <= x].sum() for x in grid[:-1]]) / u_w.sum()
    v_cdf = np.array([v_w[v <= x].sum() for x in grid[:-1]]) / v_w.sum()
    ks = np.abs(u_cdf - v_cdf).max()
    value = cramer_distance(u, v, u_w, v_w, p=p)
    assert ks * 0.01 ** (1 / p) <= value <= ks * (1 + 1e-12)
    assert value == pytest.approx(ks, rel=10 / p)


# --- the examples of issue 13 ------------------------------------------------------------------

def test_issue_13_wp_with_an_underflowing_power_and_values_far_above_the_gaps():
    assert wasserstein_1d([0, 1e150], [1e-160, 1e150], p=2) == pytest.approx(
        1e-160 / math.sqrt(2), rel=1e-15)


def test_issue_13_a_subnormal_shift_is_not_distance_zero():
    assert cramer_distance([0], [5e-324]) == pytest.approx(2.0**-537, rel=1e-15)
    assert energy_distance([0], [5e-324]) == pytest.approx(2.0**-537 * math.sqrt(2), rel=1e-15)
    assert wasserstein_1d([0], [5e-324], p=2) == 5e-324


def test_issue_13_weighted_cramer_with_p_1e20_is_not_zero(rng):
    u, v = rng.random(5), rng.random(4)
    u_w, v_w = rng.random(5), rng.random(4)
    assert cramer_distance(u, v, u_w, v_w, p=1e20) == pytest.approx(
        cramer_distance(u, v, u_w, v_w, p=1e18), rel=1e-12)
    assert cramer_distance(u, v, u_w, v_w, p=1e20) > 0.1


def test_results_beyond_the_float_range_are_inf_not_nan():
    top = np.finfo(float).max
    assert wasserstein_1d([-top], [top]) == math.inf
    assert wasserstein_1d([-top / 2], [top / 2], p=3) == pytest.approx(top, rel=1e-15)
    assert cramer_distance([-top], [top]) == pytest.approx(math.sqrt(2) * math.sqrt(top),
                                                           rel=1e-15)
