"""Exact solvers: assignment (Monge) and the Kantorovich LP with certified duals."""

import numpy as np
import ot
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from otdiv import SolverError, brute_force_assignment, solve_assignment, solve_kantorovich
from otdiv.datasets import bakery
from otdiv.exact.certificate import MARGINAL_RTOL, certify_dense

from ..strategies import cost_with_cheap_permutation

# --- assignment -----------------------------------------------------------------------

def test_bakery_optimum_is_64_and_beats_the_slide():
    problem = bakery()
    result = solve_assignment(problem.cost)
    assert result.cost == 64.0
    assert result.permutation.tolist() == [4, 5, 1, 0, 2, 3]
    assert problem.cost[range(6), problem.slide_permutation].sum() == problem.slide_price == 65


def test_bakery_brute_force_agrees_and_optimum_is_unique():
    cost = bakery().cost
    assert brute_force_assignment(cost).cost == 64.0
    import itertools
    totals = [cost[range(6), perm].sum() for perm in itertools.permutations(range(6))]
    assert totals.count(64.0) == 1


@given(cost_with_cheap_permutation())
def test_assignment_finds_the_known_permutation(problem):
    cost, permutation = problem
    result = solve_assignment(cost)
    assert result.permutation.tolist() == permutation.tolist()
    assert result.cost == pytest.approx(cost[np.arange(len(permutation)), permutation].sum())


@given(st.integers(1, 5).flatmap(lambda n: st.integers(n, 6).flatmap(
    lambda m: hnp.arrays(np.float64, (n, m), elements=st.floats(-50, 50)))))
def test_assignment_equals_brute_force_on_rectangular_costs(cost):
    fast, slow = solve_assignment(cost), brute_force_assignment(cost)
    assert fast.cost == pytest.approx(slow.cost, rel=1e-12, abs=1e-12)
    assert len(set(fast.permutation.tolist())) == cost.shape[0]
    assert fast.cost == pytest.approx(cost[np.arange(cost.shape[0]), fast.permutation].sum())


def test_assignment_equals_uniform_kantorovich(rng):
    cost = rng.random((12, 12))
    uniform = np.full(12, 1 / 12)
    assert solve_assignment(cost).cost / 12 == pytest.approx(
        solve_kantorovich(uniform, uniform, cost).cost, rel=1e-12)


def test_brute_force_refuses_more_than_ten_factorial():
    with pytest.raises(ValueError, match="10!"):
        brute_force_assignment(np.zeros((11, 11)))
    with pytest.raises(ValueError, match="candidate assignments"):
        brute_force_assignment(np.zeros((8, 30)))
    assert brute_force_assignment(np.zeros((10, 10))).cost == 0.0  # exactly 10! is allowed


def test_result_arrays_are_read_only():
    result = solve_assignment([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError):
        result.permutation[0] = 1


# --- Kantorovich ----------------------------------------------------------------------

@st.composite
def transport_problems(draw):
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    a = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.0, 1.0)))
    b = draw(hnp.arrays(np.float64, (m,), elements=st.floats(0.0, 1.0)))
    a[draw(st.integers(0, n - 1))] += 0.5  # positive total
    b[draw(st.integers(0, m - 1))] += 0.5
    a, b = a / a.sum(), b / b.sum()
    cost = draw(hnp.arrays(np.float64, (n, m), elements=st.floats(-10, 10)))
    return a, b, cost


def _extreme(a, b, cost) -> bool:
    """Masses or costs spanning more than 12 orders of magnitude: refusing is allowed."""
    def span(values):
        magnitudes = np.abs(values[values != 0])
        return magnitudes.size > 0 and magnitudes.max() / magnitudes.min() > 1e12
    return span(a) or span(b) or span(cost)


def _solve_or_refuse(a, b, cost, **options):
    """Refuse or be right: a SolverError only on extreme input."""
    try:
        return solve_kantorovich(a, b, cost, **options)
    except SolverError:
        if _extreme(a, b, cost):
            return None
        raise


@pytest.mark.parametrize("method", ["network_simplex", "highs"])
@given(problem=transport_problems())
def test_plan_has_the_marginals_and_zero_duality_gap(method, problem):
    a, b, cost = problem
    result = _solve_or_refuse(a, b, cost, method=method)
    if result is None:
        return
    # The certificate's promise: marginals to 1e-9 relative (HiGHS's feasibility tolerance
    # is 1e-10; the network simplex is exact to round-off).
    np.testing.assert_allclose(result.plan.sum(axis=1), a, atol=MARGINAL_RTOL)
    np.testing.assert_allclose(result.plan.sum(axis=0), b, atol=MARGINAL_RTOL)
    assert np.all(result.plan >= 0)
    scale = np.abs(cost).max() + 1
    assert np.all(result.dual_u[:, None] + result.dual_v[None, :] <= cost + 1e-9 * scale)
    assert result.cost == pytest.approx(a @ result.dual_u + b @ result.dual_v, abs=1e-9 * scale)
    assert result.duality_gap <= 1e-9 * scale


@given(problem=transport_problems())
def test_network_simplex_and_highs_agree(problem):
    a, b, cost = problem
    scale = np.abs(cost).max() + 1
    simplex = _solve_or_refuse(a, b, cost)
    highs = _solve_or_refuse(a, b, cost, method="highs")
    if simplex is not None and highs is not None:
        assert simplex.cost == pytest.approx(highs.cost, abs=1e-9 * scale)


def test_agreement_with_pot_on_random_weighted_instances(rng):
    for n, m in [(5, 7), (30, 20), (100, 100)]:
        a, b = rng.random(n), rng.random(m)
        a, b = a / a.sum(), b / b.sum()
        cost = rng.random((n, m)) * 10
        assert solve_kantorovich(a, b, cost).cost == pytest.approx(ot.emd2(a, b, cost), rel=1e-12)


def test_masses_need_not_sum_to_one_but_must_balance():
    result = solve_kantorovich([2.0, 1.0], [1.5, 1.5], [[0.0, 1.0], [1.0, 0.0]])
    assert result.cost == pytest.approx(0.5)
    with pytest.raises(ValueError, match="equal total mass"):
        solve_kantorovich([2.0, 1.0], [1.0, 1.0], [[0.0, 1.0], [1.0, 0.0]])


def test_zero_mass_points_keep_feasible_duals():
    a = np.array([0.5, 0.0, 0.5])
    b = np.array([0.0, 1.0])
    cost = np.array([[1.0, 2.0], [3.0, 0.5], [4.0, 1.0]])
    result = solve_kantorovich(a, b, cost)
    assert result.cost == pytest.approx(1.5)
    assert np.all(result.dual_u[:, None] + result.dual_v[None, :] <= cost + 1e-12)


def test_certificate_rejects_a_suboptimal_plan():
    a = b = np.array([0.5, 0.5])
    cost = np.array([[0.0, 1.0], [1.0, 0.0]])
    wrong_plan = np.array([[0.0, 0.5], [0.5, 0.0]])
    with pytest.raises(SolverError, match="relative uncertainty of 1 "):
        certify_dense(a, b, cost, wrong_plan, np.zeros(2), method="test")


def test_certificate_rejects_a_plan_whose_support_cannot_carry_the_marginals():
    a = b = np.array([0.5, 0.5])
    with pytest.raises(SolverError, match="marginals are off by 1 of the mass"):
        certify_dense(a, b, np.ones((2, 2)), np.array([[0.5, 0.0], [0.0, 0.0]]),
                      np.zeros(2), method="test")


def test_certificate_recomputes_wrong_flows_on_a_forest_support_from_the_masses():
    # Flows on a spanning forest are determined by the masses: a solver's rounding (or
    # worse) on them is replaced, and the returned plan is the one certified.
    a = b = np.array([0.5, 0.5])
    result = certify_dense(a, b, np.ones((2, 2)) - np.eye(2),
                           np.array([[0.5, 0.0], [0.0, 0.4]]), np.zeros(2), method="test")
    assert result.plan.tolist() == [[0.5, 0.0], [0.0, 0.5]] and result.duality_gap == 0.0


def test_repaired_potentials_are_exactly_feasible(rng):
    a, b = rng.random(9), rng.random(6)
    b *= a.sum() / b.sum()
    cost = rng.normal(size=(9, 6)) * 10.0 ** rng.uniform(-3, 3, size=(9, 6))
    result = solve_kantorovich(a, b, cost)
    assert np.all((cost - result.dual_v[None, :]) - result.dual_u[:, None] >= 0)


@pytest.mark.parametrize("method", ["network_simplex", "highs"])
@pytest.mark.parametrize("mass", [1e-200, 1e-12, 1.0, 1e12, 1e200])
def test_masses_at_any_scale_give_the_scaled_cost(method, mass):
    a, b = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4])
    cost = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    reference = solve_kantorovich(a, b, cost, method=method).cost
    result = solve_kantorovich(a * mass, b * mass, cost, method=method)
    assert result.cost == pytest.approx(reference * mass, rel=1e-12)
    np.testing.assert_allclose(result.plan.sum(1), a * mass, rtol=1e-9)


def test_masses_whose_sum_overflows_are_refused():
    with pytest.raises(ValueError, match="a must have a total mass representable"):
        solve_kantorovich(np.full(3, 1e308), np.full(3, 1e308), np.eye(3))


@pytest.mark.parametrize("method", ["network_simplex", "highs"])
def test_nearly_balanced_masses_are_accepted_by_both_methods(method):
    a, b = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4]) * (1 + 5e-10)
    cost = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 2.0]])
    assert solve_kantorovich(a, b, cost, method=method).cost == pytest.approx(1.5, rel=1e-9)


@pytest.mark.parametrize("method", ["network_simplex", "highs"])
def test_costs_spanning_twelve_orders_of_magnitude_agree_with_pot(method):
    a = np.full(3, 1 / 3)
    cost = np.array([[1e12, 1, 2], [2, 1, 3], [1, 3, 2.5]])
    assert solve_kantorovich(a, a, cost, method=method).cost == pytest.approx(
        ot.emd2(a, a, cost), rel=1e-12)
