"""Each registry row is internally consistent: f, f*, dom f*, g_f, T* and the named integral."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import optimize

from otdiv import F_DIVERGENCES, FDivergence
from otdiv.divergences import get_f_divergence

KINDS = sorted(F_DIVERGENCES)
RATIOS = np.array([1e-3, 0.05, 0.3, 0.7, 1.0, 1.5, 3.0, 10.0, 50.0])


def _upper_search_bound(divergence, margin=1e-9):
    domain = divergence.conjugate_domain
    if np.isfinite(domain.upper):
        return domain.upper if domain.upper_closed else domain.upper - margin
    return 200.0


def test_registry_is_read_only_and_has_the_issue_names():
    assert set(F_DIVERGENCES) == {"total_variation", "kl", "reverse_kl", "pearson", "neyman",
                                  "squared_hellinger", "jensen_shannon", "gan"}
    with pytest.raises(TypeError):
        F_DIVERGENCES["kl"] = F_DIVERGENCES["pearson"]
    entry = F_DIVERGENCES["kl"]
    assert isinstance(entry, FDivergence)
    with pytest.raises(AttributeError):
        entry.f_prime_at_1 = 0.0


@pytest.mark.parametrize("kind", KINDS)
def test_generator_vanishes_at_one_except_gan(kind):
    expected = -np.log(4.0) if kind == "gan" else 0.0
    assert float(F_DIVERGENCES[kind].f(1.0)) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("kind", KINDS)
def test_f_prime_is_the_derivative_of_f(kind):
    divergence = F_DIVERGENCES[kind]
    u = RATIOS[RATIOS != 1.0]  # total variation has a kink at 1
    step = 1e-6 * u
    numeric = (divergence.f(u + step) - divergence.f(u - step)) / (2 * step)
    np.testing.assert_allclose(divergence.f_prime(u), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("kind", KINDS)
def test_f_prime_at_1_is_f_prime_of_1(kind):
    divergence = F_DIVERGENCES[kind]
    assert float(divergence.f_prime(1.0)) == pytest.approx(divergence.f_prime_at_1, abs=1e-15)


@pytest.mark.parametrize("kind", KINDS)
def test_limits_at_zero_and_infinity_match_the_generator(kind):
    divergence = F_DIVERGENCES[kind]
    near_zero = float(divergence.f(1e-24))
    if np.isinf(divergence.f_at_zero):
        assert near_zero > 20
    else:
        assert near_zero == pytest.approx(divergence.f_at_zero, abs=1e-9)
    assert float(divergence.f(0.0)) == divergence.f_at_zero
    big = 1e24
    slope = float(divergence.f(big)) / big
    if np.isinf(divergence.slope_at_infinity):
        assert slope > 20
    else:
        assert slope == pytest.approx(divergence.slope_at_infinity, abs=1e-9)
    assert float(divergence.perspective(1.0, 0.0)) == divergence.slope_at_infinity


@pytest.mark.parametrize("kind", KINDS)
@given(u=st.floats(1e-3, 1e3), t=st.floats(-30.0, 30.0))
def test_fenchel_young_inequality(kind, u, t):
    divergence = F_DIVERGENCES[kind]
    slack = 1e-9 * (1 + abs(u * t))
    assert float(divergence.f(u)) + float(divergence.f_conjugate(t)) >= u * t - slack


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("u", RATIOS[RATIOS != 1.0])
def test_fenchel_young_is_an_equality_at_the_derivative(kind, u):
    divergence = F_DIVERGENCES[kind]
    t = float(divergence.f_prime(u))
    assert float(divergence.f(u)) + float(divergence.f_conjugate(t)) == pytest.approx(
        u * t, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("t", [-40.0, -3.0, -2.5, -1.0, -0.6, -0.4, -0.1, 0.0, 0.2, 0.34, 0.9])
def test_conjugate_is_the_supremum_over_nonnegative_ratios(kind, t):
    """f*(t) = sup_{u >= 0} ut - f(u), found numerically on a log grid plus a refinement."""
    divergence = F_DIVERGENCES[kind]
    grid = np.concatenate([[0.0], np.geomspace(1e-8, 1e6, 4001)])
    objective = t * grid - divergence.f(grid)
    best = int(np.argmax(objective))
    lower, upper = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
    refined = optimize.minimize_scalar(lambda u: -(t * u - float(divergence.f(u))),
                                       bounds=(lower, upper), method="bounded",
                                       options={"xatol": 1e-12})
    numeric = max(objective[best], -refined.fun)
    conjugate = float(divergence.f_conjugate(t))
    if not divergence.conjugate_domain.contains(t):
        assert conjugate == np.inf
        assert numeric > 5.0 or objective[-1] > objective[-2]  # unbounded: still climbing
    else:
        assert conjugate == pytest.approx(numeric, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_biconjugate_equals_the_generator(kind):
    """f**(u) = sup_{t in dom f*} ut - f*(t) recovers f on a grid of ratios (f convex, closed)."""
    divergence = F_DIVERGENCES[kind]
    upper = _upper_search_bound(divergence)
    for u in RATIOS:
        result = optimize.minimize_scalar(
            lambda t: -(u * t - float(divergence.f_conjugate(t))),
            bounds=(-1e7, upper), method="bounded", options={"xatol": 1e-12, "maxiter": 2000})
        grid = np.linspace(-1e3, upper, 200001)
        on_grid = np.max(u * grid - divergence.f_conjugate(grid))
        biconjugate = max(-result.fun, on_grid, u * upper - float(divergence.f_conjugate(upper)))
        assert biconjugate == pytest.approx(float(divergence.f(u)), rel=1e-5, abs=1e-5), u


@pytest.mark.parametrize("kind", KINDS)
@given(v=st.floats(-30.0, 30.0))
def test_activation_maps_the_real_line_into_the_conjugate_domain(kind, v):
    """Beyond |v| ~ 36 the image rounds onto an open end (see the registry notes)."""
    divergence = F_DIVERGENCES[kind]
    t = divergence.activation(v)
    assert divergence.conjugate_domain.contains(t)
    assert np.isfinite(divergence.f_conjugate(t))


@pytest.mark.parametrize("kind", KINDS)
def test_activation_is_increasing(kind):
    v = np.linspace(-15, 15, 301)
    assert np.all(np.diff(F_DIVERGENCES[kind].activation(v)) > 0)


@pytest.mark.parametrize("kind", KINDS)
def test_stable_conjugate_of_activation_equals_the_composition(kind):
    divergence = F_DIVERGENCES[kind]
    v = np.linspace(-15, 15, 121)
    np.testing.assert_allclose(divergence.conjugate_of_activation(v),
                               divergence.f_conjugate(divergence.activation(v)),
                               rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_stable_conjugate_of_activation_stays_finite_for_large_outputs(kind):
    divergence = F_DIVERGENCES[kind]
    v = np.array([-600.0, -60.0, 60.0, 600.0])
    values = divergence.conjugate_of_activation(v)
    if kind in ("kl", "neyman", "squared_hellinger"):
        return  # f*(g(v)) genuinely grows like exp(|v|) on one side
    assert np.all(np.isfinite(values))


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "total_variation"])
def test_activation_inverse_reaches_the_optimal_critic(kind):
    divergence = F_DIVERGENCES[kind]
    t_star = divergence.optimal_critic(RATIOS)
    v = divergence.activation_inverse(t_star)
    np.testing.assert_allclose(divergence.activation(v), t_star, rtol=1e-10, atol=1e-12)


def test_total_variation_optimal_critic_is_half_the_sign():
    divergence = F_DIVERGENCES["total_variation"]
    np.testing.assert_array_equal(divergence.optimal_critic([0.2, 1.0, 4.0]), [-0.5, 0.0, 0.5])
    assert float(divergence.activation(40.0)) == 0.5  # reached for large raw outputs


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_optimal_critic_attains_the_bound_on_discrete_distributions(kind, data):
    n = data.draw(st.integers(1, 6))
    p = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    q = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    p, q = p / p.sum(), q / q.sum()
    divergence = F_DIVERGENCES[kind]
    t_star = divergence.optimal_critic(p / q)
    bound = float(p @ t_star - q @ divergence.f_conjugate(t_star))
    exact = float(np.sum(divergence.perspective(p, q)))
    assert bound == pytest.approx(exact, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_every_critic_stays_below_the_divergence(kind, data):
    n = data.draw(st.integers(1, 6))
    p = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
    q = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n)))
    p = p / p.sum() if p.sum() > 0 else np.full(n, 1.0 / n)
    q = q / q.sum()
    v = np.array(data.draw(st.lists(st.floats(-20, 20), min_size=n, max_size=n)))
    divergence = F_DIVERGENCES[kind]
    bound = float(p @ divergence.activation(v) - q @ divergence.conjugate_of_activation(v))
    exact = float(np.sum(divergence.perspective(p, q)))
    assert bound <= exact + 1e-9 * (1 + abs(exact))


@pytest.mark.parametrize("kind", KINDS)
@given(p=st.one_of(st.just(0.0), st.floats(1e-100, 1.0)),
       q=st.one_of(st.just(0.0), st.floats(1e-100, 1.0)))
def test_named_integrand_equals_the_perspective_of_f(kind, p, q):
    divergence = F_DIVERGENCES[kind]
    named = float(divergence.integrand(p, q))
    perspective = float(divergence.perspective(p, q))
    if np.isinf(perspective) or np.isinf(named):
        assert named == perspective
    else:
        assert named == pytest.approx(perspective, rel=1e-9, abs=1e-12)


def test_jensen_shannon_is_half_the_papers_row_and_gan_is_2jsd_minus_log4():
    u = RATIOS
    paper_f = u * np.log(u) - (u + 1) * np.log((1 + u) / 2)
    np.testing.assert_allclose(2 * F_DIVERGENCES["jensen_shannon"].f(u), paper_f, rtol=1e-12)
    # q f_gan(p/q) = 2 q f_js(p/q) - (p + q) log 2, which sums to 2 JSD - log 4.
    np.testing.assert_allclose(F_DIVERGENCES["gan"].f(u),
                               2 * F_DIVERGENCES["jensen_shannon"].f(u) - (u + 1) * np.log(2),
                               rtol=1e-12, atol=1e-14)


def test_papers_jensen_shannon_conjugate_is_twice_ours_at_twice_the_argument():
    t = np.linspace(-5, 0.3, 50)
    paper = -np.log(2 - np.exp(t))
    np.testing.assert_allclose(2 * F_DIVERGENCES["jensen_shannon"].f_conjugate(t / 2), paper,
                               rtol=1e-12)


def test_classification_thresholds_follow_the_paper():
    thresholds = {k: F_DIVERGENCES[k].f_prime_at_1 for k in KINDS}
    assert thresholds == pytest.approx({"total_variation": 0.0, "kl": 1.0, "reverse_kl": -1.0,
                                        "pearson": 0.0, "neyman": 0.0, "squared_hellinger": 0.0,
                                        "jensen_shannon": 0.0, "gan": -np.log(2.0)})


def test_unknown_kind_lists_the_valid_names():
    with pytest.raises(ValueError, match="kind must be one of") as info:
        get_f_divergence("wasserstein")
    for name in KINDS:
        assert name in str(info.value)
    with pytest.raises(TypeError, match="kind must be a string"):
        get_f_divergence(3)


def test_optimal_critic_refuses_negative_ratios():
    with pytest.raises(ValueError, match="ratio"):
        F_DIVERGENCES["kl"].optimal_critic([-1.0])
    with pytest.raises(ValueError, match="ratio"):
        F_DIVERGENCES["kl"].optimal_critic([np.nan])


@pytest.mark.parametrize("kind, raw_critic", [
    ("kl", lambda r: 1 + np.log(r)),
    ("reverse_kl", np.log),
    ("pearson", lambda r: 2 * (r - 1)),
    ("neyman", lambda r: 2 * np.log(r)),
    ("squared_hellinger", lambda r: 0.5 * np.log(r)),
    ("jensen_shannon", np.log),
    ("gan", np.log),
])
def test_documented_optimal_raw_critics_reach_the_optimal_critic(kind, raw_critic):
    """The module table's v* column: g_f(v*(r)) = f'(r)."""
    divergence = F_DIVERGENCES[kind]
    np.testing.assert_allclose(divergence.activation(raw_critic(RATIOS)),
                               divergence.optimal_critic(RATIOS), rtol=1e-12, atol=1e-14)


# --- regressions from the adversarial campaign (issue 13) ---------------------------------

@pytest.mark.parametrize("method, arguments, name", [
    ("f", ("2",), "u"), ("f_prime", ("2",), "u"), ("f_conjugate", (b"1",), "t"),
    ("activation", (None,), "v"), ("activation_inverse", (["a"],), "t"),
    ("conjugate_of_activation", ("0.5",), "v"), ("integrand", (0.5, "0.5"), "q"),
    ("log_integrand", ("-1", 0.0), "log_p"), ("optimal_critic", ("1",), "ratio"),
    ("perspective", ([0.5], "q"), "q"),
])
def test_registry_methods_given_text_name_the_argument(method, arguments, name):
    for kind, divergence in F_DIVERGENCES.items():
        with pytest.raises(TypeError, match=rf"F_DIVERGENCES\['{kind}'\]\.{method}.*{name} must"):
            getattr(divergence, method)(*arguments)


def test_registry_methods_refuse_complex_input_and_accept_real_arrays():
    divergence = F_DIVERGENCES["kl"]
    with pytest.raises(TypeError, match="activation.*v must be real numbers"):
        divergence.activation(np.array([1j]))
    with pytest.raises(TypeError, match="ConjugateDomain.contains: t"):
        divergence.conjugate_domain.contains("0")
    assert divergence.f([1.0, 2.0]).shape == (2,)
    assert float(divergence.f(np.float32(1.0))) == 0.0
