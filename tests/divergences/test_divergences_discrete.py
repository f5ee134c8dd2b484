"""Exact discrete f-divergences: theorems, limits, and agreement with scipy."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy

from otdiv import F_DIVERGENCES, f_divergence

KINDS = sorted(F_DIVERGENCES)
NONNEGATIVE_KINDS = [k for k in KINDS if k != "gan"]


@st.composite
def probability_pairs(draw, *, min_n=1, max_n=8, zeros=True):
    """Two probability vectors on the same atoms; entries may vanish when ``zeros``."""
    n = draw(st.integers(min_n, max_n))
    low = 0.0 if zeros else 1e-3
    elements = st.one_of(st.just(0.0), st.floats(1e-3, 1.0)) if zeros else st.floats(low, 1.0)
    p = draw(hnp.arrays(np.float64, (n,), elements=elements))
    q = draw(hnp.arrays(np.float64, (n,), elements=elements))
    assume(p.sum() > 0 and q.sum() > 0)
    return p / p.sum(), q / q.sum()


@pytest.mark.parametrize("kind", NONNEGATIVE_KINDS)
@given(pair=probability_pairs())
def test_divergence_is_nonnegative_and_zero_iff_equal(kind, pair):
    p, q = pair
    assert f_divergence(p, p, kind) == pytest.approx(0.0, abs=1e-15)
    value = f_divergence(p, q, kind)
    assert value >= 0
    if np.max(np.abs(p - q)) > 1e-6:
        assert value > 0


@given(pair=probability_pairs())
def test_gan_is_twice_jensen_shannon_minus_log4(pair):
    p, q = pair
    assert f_divergence(p, q, "gan") == pytest.approx(
        2 * f_divergence(p, q, "jensen_shannon") - np.log(4), abs=1e-12)
    assert f_divergence(p, p, "gan") == pytest.approx(-np.log(4), abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@given(pair=probability_pairs())
def test_discrete_divergence_equals_the_sum_of_q_f_of_the_ratio(kind, pair):
    p, q = pair
    definition = float(np.sum(F_DIVERGENCES[kind].perspective(p, q)))
    value = f_divergence(p, q, kind)
    if np.isinf(definition):
        assert value == np.inf
    else:
        assert value == pytest.approx(definition, rel=1e-10, abs=1e-12)


@given(pair=probability_pairs(zeros=False))
def test_each_kind_equals_its_named_integral(pair):
    p, q = pair
    m = (p + q) / 2
    named = {
        "total_variation": 0.5 * np.sum(np.abs(p - q)),
        "kl": np.sum(p * np.log(p / q)),
        "reverse_kl": np.sum(q * np.log(q / p)),
        "pearson": np.sum((p - q) ** 2 / q),
        "neyman": np.sum((p - q) ** 2 / p),
        "squared_hellinger": np.sum((np.sqrt(p) - np.sqrt(q)) ** 2),
        "jensen_shannon": 0.5 * np.sum(p * np.log(p / m) + q * np.log(q / m)),
        "gan": np.sum(p * np.log(2 * p / (p + q)) + q * np.log(2 * q / (p + q))) - np.log(4),
    }
    for kind, expected in named.items():
        assert f_divergence(p, q, kind) == pytest.approx(expected, rel=1e-9, abs=1e-12), kind


@given(pair=probability_pairs())
def test_kl_agrees_with_scipy_rel_entr_kl_div_and_entropy(pair):
    p, q = pair
    expected = float(np.sum(special.rel_entr(p, q)))
    assert f_divergence(p, q, "kl") == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert f_divergence(p, q, "kl") == pytest.approx(float(np.sum(special.kl_div(p, q))),
                                                     rel=1e-9, abs=1e-12)
    assert f_divergence(q, p, "kl") == pytest.approx(entropy(q, p), rel=1e-12, abs=1e-15)
    assert f_divergence(p, q, "reverse_kl") == f_divergence(q, p, "kl")


@given(pair=probability_pairs())
def test_jensen_shannon_is_the_square_of_scipys_distance(pair):
    p, q = pair
    assert f_divergence(p, q, "jensen_shannon") == pytest.approx(jensenshannon(p, q) ** 2,
                                                                 rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("kind", ["total_variation", "squared_hellinger", "jensen_shannon"])
@given(pair=probability_pairs())
def test_symmetric_kinds_are_symmetric(kind, pair):
    p, q = pair
    assert f_divergence(p, q, kind) == pytest.approx(f_divergence(q, p, kind), abs=1e-14)


@given(pair=probability_pairs())
def test_pearson_and_neyman_swap_arguments(pair):
    p, q = pair
    assert f_divergence(p, q, "pearson") == f_divergence(q, p, "neyman")


@pytest.mark.parametrize("kind", KINDS)
@given(pair=probability_pairs(), seed=st.integers(0, 2**16))
def test_relabelling_the_atoms_changes_nothing(kind, pair, seed):
    p, q = pair
    order = np.random.default_rng(seed).permutation(p.size)
    assert f_divergence(p[order], q[order], kind) == pytest.approx(
        f_divergence(p, q, kind), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("kind", KINDS)
def test_masses_are_normalised(kind):
    assert f_divergence([2.0, 6.0], [5.0, 5.0], kind) == f_divergence([0.25, 0.75], [0.5, 0.5],
                                                                        kind)


def test_disjoint_supports_give_log2_infinity_and_one():
    p, q = [0.3, 0.7, 0.0, 0.0], [0.0, 0.0, 0.6, 0.4]
    assert f_divergence(p, q, "jensen_shannon") == pytest.approx(np.log(2), abs=1e-15)
    assert f_divergence(p, q, "kl") == np.inf
    assert f_divergence(p, q, "reverse_kl") == np.inf
    assert f_divergence(p, q, "pearson") == np.inf
    assert f_divergence(p, q, "neyman") == np.inf
    assert f_divergence(p, q, "total_variation") == pytest.approx(1.0, abs=1e-15)
    assert f_divergence(p, q, "squared_hellinger") == pytest.approx(2.0, abs=1e-15)
    assert f_divergence(p, q, "gan") == pytest.approx(0.0, abs=1e-15)


def test_zero_mass_limits_follow_the_perspective_function():
    # p vanishes where q does not: KL finite (0 log 0 = 0), reverse KL infinite.
    p, q = [0.5, 0.5, 0.0], [0.25, 0.25, 0.5]
    assert f_divergence(p, q, "kl") == pytest.approx(np.log(2), abs=1e-15)
    assert f_divergence(p, q, "reverse_kl") == np.inf
    assert f_divergence(p, q, "neyman") == np.inf
    assert f_divergence(p, q, "pearson") == pytest.approx(2 * 0.25**2 / 0.25 + 0.5, abs=1e-15)
    # an atom where both vanish contributes nothing
    assert f_divergence([0.5, 0.5, 0.0], [0.25, 0.75, 0.0], "kl") == f_divergence(
        [0.5, 0.5], [0.25, 0.75], "kl")


def test_subnormal_masses_do_not_make_jensen_shannon_infinite():
    value = f_divergence([1.0, 0.0], [1.0, 5e-324], "jensen_shannon")
    assert 0.0 <= value < 1e-300


def test_tiny_masses_do_not_underflow_into_a_finite_answer():
    # (p - q)^2 underflows for q = 1e-185, yet p = 0 < q makes Neyman infinite.
    assert f_divergence([1.0, 0.0], [1.0, 1e-185], "neyman") == np.inf
    assert f_divergence([1.0, 1e-185], [1.0, 0.0], "pearson") == np.inf


def test_returns_a_python_float():
    assert type(f_divergence([0.2, 0.8], [0.5, 0.5], "kl")) is float


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20)
@given(pair=probability_pairs(min_n=2), data=st.data())
def test_data_processing_inequality_under_a_markov_kernel(kind, pair, data):
    """D_f(PK || QK) <= D_f(P || Q) for every row-stochastic K (coarse-graining, noise)."""
    p, q = pair
    k = data.draw(st.integers(1, 4))
    kernel = data.draw(hnp.arrays(np.float64, (p.size, k), elements=st.floats(0.0, 1.0)))
    kernel[:, 0] += 1e-3  # every row keeps positive mass
    kernel /= kernel.sum(axis=1, keepdims=True)
    before, after = f_divergence(p, q, kind), f_divergence(p @ kernel, q @ kernel, kind)
    assert after <= before + 1e-9 * (1 + abs(before)) or before == np.inf


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20)
@given(first=probability_pairs(min_n=3, max_n=3), second=probability_pairs(min_n=3, max_n=3),
       weight=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)))
def test_joint_convexity(kind, first, second, weight):
    """Mixtures are compared in floating point: a subnormal weight would zero a mass."""
    (p1, q1), (p2, q2) = first, second
    mixed = f_divergence(weight * p1 + (1 - weight) * p2, weight * q1 + (1 - weight) * q2, kind)
    parts = weight * f_divergence(p1, q1, kind) + (1 - weight) * f_divergence(p2, q2, kind)
    assert mixed <= parts + 1e-9 * (1 + abs(parts)) or np.isnan(parts)


def test_kl_of_a_distribution_and_its_multiple_is_zero_not_negative():
    # The campaign's example class: p == q up to normalisation gave -1.1e-16, so sqrt was NaN.
    p = np.array([0.34, 0.8, 0.31, 0.46, 0.14])
    for kind in KINDS:
        value = f_divergence(p, 0.1 * p, kind)
        if kind == "gan":
            assert value == pytest.approx(-np.log(4), abs=1e-15) and value >= -np.log(4)
        else:
            assert 0.0 <= value <= 1e-15
            assert np.sqrt(value) >= 0.0
