"""The one centring rule of potential pairs (otdiv.exact._potentials)."""

from __future__ import annotations

import numpy as np
import pytest

from otdiv.exact._potentials import centring_shift
from otdiv.geometry import ArcCost


def test_median_over_the_points_with_mass_and_a_finite_potential() -> None:
    potential = np.array([100.0, 1.0, 2.0, -np.inf, 7.0])
    masses = np.array([0.0, 0.3, 0.3, 0.2, 0.2])
    assert centring_shift(potential, masses) == 2.0  # median of 1, 2, 7


def test_without_mass_the_finite_values_count_and_zero_without_them() -> None:
    assert centring_shift(np.array([3.0, 1.0, np.inf]), np.zeros(3)) == 2.0
    assert centring_shift(np.array([np.inf, -np.inf]), np.ones(2)) == 0.0


def test_the_solvers_and_the_certificate_centre_alike() -> None:
    from otdiv.exact.certificate import _centred_target_potential
    from otdiv.exact.network_simplex import solve_arcs

    a = np.array([0.5, 0.5, 0.0])
    b = np.array([0.25, 0.0, 0.75])
    rows, columns = (index.ravel() for index in np.indices((3, 3)))
    costs = np.arange(9.0)[::-1] ** 1.5
    answer = solve_arcs(a, b, rows, columns, costs)
    assert np.median(answer.dual_v[b > 0]) == pytest.approx(0.0, abs=1e-12)  # centred
    centred = _centred_target_potential(b, answer.dual_v)  # centring again: (almost) no-op
    np.testing.assert_allclose(centred[b > 0], answer.dual_v[b > 0], rtol=0, atol=1e-12)
    assert centred[1] == -np.inf


def test_arc_cost_dense_and_solver_matrix() -> None:
    cost = ArcCost(np.array([0, 0, 1]), np.array([0, 1, 1]), np.array([5.0, 1.0, 2.0]), (2, 2))
    np.testing.assert_array_equal(cost.dense(), [[5.0, 1.0], [np.inf, 2.0]])
    np.testing.assert_array_equal(cost.dense(), cost.arc_costs(*np.indices((2, 2))))
    with pytest.raises(TypeError, match="solved by the network simplex on its arcs"):
        cost.solver_matrix()
