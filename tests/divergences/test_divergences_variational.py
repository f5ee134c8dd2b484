"""The variational bound: tight at the optimal critic, below D_f for every critic."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from otdiv import (
    F_DIVERGENCES,
    f_divergence,
    f_divergence_density,
    gaussian_f_divergence,
    variational_bound,
)

KINDS = sorted(F_DIVERGENCES)


def _optimal_raw_critic(kind, log_ratio):
    """v* = g_f^{-1}(f'(p/q)); total variation needs v = ±inf, approximated by ±40."""
    divergence = F_DIVERGENCES[kind]
    if kind == "total_variation":
        return 40.0 * np.sign(log_ratio)
    return divergence.activation_inverse(divergence.optimal_critic(np.exp(log_ratio)))


def _exact_gaussian(kind, mu1, s1, mu2, s2):
    if kind in ("jensen_shannon", "gan"):
        return f_divergence_density(stats.norm(mu1, s1).pdf, stats.norm(mu2, s2).pdf, kind,
                                    support=(-30, 30))
    return gaussian_f_divergence(mu1, s1, mu2, s2, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_optimal_critic_recovers_the_divergence_within_monte_carlo_error(kind):
    rng = np.random.default_rng(7)
    p, q = stats.norm(0.6, 1.0), stats.norm(0.0, 1.2)
    x_p, x_q = p.rvs(100_000, random_state=rng), q.rvs(100_000, random_state=rng)
    result = variational_bound(
        lambda x: _optimal_raw_critic(kind, p.logpdf(x) - q.logpdf(x)), x_p, x_q, kind)
    exact = _exact_gaussian(kind, 0.6, 1.0, 0.0, 1.2)
    assert abs(result.value - exact) < 4 * result.standard_error
    assert result.standard_error < 0.15 * max(abs(exact), 0.1)  # Neyman has the heaviest tail


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_bound_on_exact_resamples_never_exceeds_the_divergence(kind, data):
    """Samples that list every atom by its multiplicity make the sample means exact."""
    n = data.draw(st.integers(1, 5))
    counts = st.lists(st.integers(1, 6), min_size=n, max_size=n)
    p_counts, q_counts = np.array(data.draw(counts)), np.array(data.draw(counts))
    atoms = np.arange(n, dtype=float)
    x_p, x_q = np.repeat(atoms, p_counts), np.repeat(atoms, q_counts)
    table = np.array(data.draw(st.lists(st.floats(-15, 15), min_size=n, max_size=n)))
    result = variational_bound(lambda x: table[x.astype(int)], x_p, x_q, kind)
    exact = f_divergence(p_counts, q_counts, kind)
    assert result.value <= exact + 1e-9 * (1 + abs(exact))

    p, q = p_counts / p_counts.sum(), q_counts / q_counts.sum()
    optimal = _optimal_raw_critic(kind, np.log(p) - np.log(q))
    tight = variational_bound(lambda x: optimal[x.astype(int)], x_p, x_q, kind)
    assert tight.value == pytest.approx(exact, rel=1e-9, abs=1e-9)


def test_terms_and_standard_error_are_reported():
    x_p, x_q = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0])
    result = variational_bound(lambda x: x, x_p, x_q, "kl")
    assert result.p_term == pytest.approx(1.0)
    assert result.q_term == pytest.approx(np.mean(np.exp(x_q - 1)))
    assert result.value == pytest.approx(result.p_term - result.q_term)
    expected_se = np.sqrt(np.var(x_p, ddof=1) / 3 + np.var(np.exp(x_q - 1), ddof=1) / 2)
    assert result.standard_error == pytest.approx(expected_se)
    assert result.kind == "kl"


def test_critic_receives_points_in_the_layout_given():
    seen = []

    def critic(x):
        seen.append(x.shape)
        return np.zeros(x.shape[0])

    variational_bound(critic, np.zeros((4, 2)), np.ones((3, 2)), "gan")
    variational_bound(critic, np.zeros(4), np.ones(3), "gan")
    assert seen == [(4, 2), (3, 2), (4,), (3,)]


def test_large_critic_outputs_stay_finite_where_the_bound_is_finite():
    big = np.full(3, 500.0)
    for kind in ("gan", "jensen_shannon", "reverse_kl", "total_variation"):
        assert np.isfinite(variational_bound(lambda x: big, [0.0, 1, 2], [3.0, 4, 5], kind).value)
    overflow = variational_bound(lambda x: np.full(x.shape[0], 800.0), [0.0], [1.0], "kl")
    assert overflow.value == -np.inf and np.isnan(overflow.standard_error)


def test_kind_comes_after_the_data_with_default_kl():
    import inspect
    parameters = list(inspect.signature(variational_bound).parameters.values())
    assert [p.name for p in parameters] == ["critic", "u_values", "v_values", "kind"]
    assert parameters[-1].default == "kl"
    x = np.linspace(-1, 1, 11)
    assert variational_bound(lambda t: t, x, x).value == variational_bound(
        lambda t: t, x, x, "kl").value
    densities = inspect.signature(f_divergence_density).parameters
    assert "log_density" in densities and "log" not in densities
