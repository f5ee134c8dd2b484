"""wasserstein, transport and displacement_interpolation: theorems and peer agreement."""

import numpy as np
import ot
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from otdiv import displacement_interpolation, transport, wasserstein, wasserstein_1d

from .strategies import point_clouds

RTOL = 1e-10  # agreement with scipy and POT (same LP optimum, different round-off)


@pytest.mark.parametrize("n, m", [(1, 1), (7, 13), (200, 150)])
def test_agreement_with_scipy_in_one_dimension(rng, n, m):
    u, v = rng.normal(size=n), rng.normal(1.0, 2.0, size=m)
    u_w, v_w = rng.random(n), rng.random(m)
    assert wasserstein(u, v, u_w, v_w) == pytest.approx(
        scipy.stats.wasserstein_distance(u, v, u_w, v_w), rel=RTOL)


@pytest.mark.parametrize("d", [2, 3])
def test_agreement_with_scipy_nd_and_pot(rng, d):
    u, v = rng.normal(size=(40, d)), rng.normal(size=(30, d)) + 0.5
    u_w, v_w = rng.random(40), rng.random(30)
    expected = scipy.stats.wasserstein_distance_nd(u, v, u_w, v_w)
    assert wasserstein(u, v, u_w, v_w) == pytest.approx(expected, rel=1e-8)
    cost = cdist(u, v) ** 2
    pot = ot.emd2(u_w / u_w.sum(), v_w / v_w.sum(), cost) ** 0.5
    assert wasserstein(u, v, u_w, v_w, p=2) == pytest.approx(pot, rel=RTOL)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0])
def test_one_dimensional_closed_form_equals_the_lp(rng, p):
    u, v = rng.normal(size=25), rng.exponential(size=18)
    u_w, v_w = rng.random(25), rng.random(18)
    via_lp = transport(u, v, u_w, v_w, p=p).cost ** (1 / p)
    assert wasserstein_1d(u, v, u_w, v_w, p=p) == pytest.approx(via_lp, rel=1e-9)


def test_shape_n_and_n_by_1_are_the_same_data(rng):
    u, v = rng.normal(size=10), rng.normal(size=12)
    assert wasserstein(u, v) == wasserstein(u[:, None], v[:, None])


@given(point_clouds(max_dimension=3), point_clouds(dimension=None, max_dimension=3))
def test_symmetry(u, v):
    if u.shape[1] != v.shape[1]:
        v = np.resize(v, (v.shape[0], u.shape[1]))
    assert wasserstein(u, v) == pytest.approx(wasserstein(v, u), rel=1e-9, abs=1e-9)


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    point_clouds(dimension=d, max_points=5), point_clouds(dimension=d, max_points=5),
    point_clouds(dimension=d, max_points=5))), st.sampled_from([1.0, 2.0]))
def test_triangle_inequality(clouds, p):
    u, v, w = clouds
    assert wasserstein(u, w, p=p) <= wasserstein(u, v, p=p) + wasserstein(v, w, p=p) + 1e-8


@given(point_clouds(min_points=1, max_points=1), st.floats(1.0, 4.0))
def test_distance_between_diracs_is_the_euclidean_distance(x, p):
    y = x + 3.0
    assert wasserstein(x, y, p=p) == pytest.approx(3.0 * np.sqrt(x.shape[1]), rel=1e-12)


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    point_clouds(dimension=d), point_clouds(dimension=d))),
    st.floats(-50, 50), st.floats(0.1, 10), st.sampled_from([1.0, 2.0]))
def test_translation_invariance_and_scaling(clouds, shift, scale, p):
    u, v = clouds
    base = wasserstein(u, v, p=p)
    assert wasserstein(u + shift, v + shift, p=p) == pytest.approx(base, rel=1e-7, abs=1e-7)
    assert wasserstein(scale * u, scale * v, p=p) == pytest.approx(scale * base, rel=1e-7,
                                                                    abs=1e-7)


def test_translating_one_sample_by_c_gives_w2_squared_shift_identity(rng):
    # W_2^2(mu, nu + c) = W_2^2(mu, nu) + |c + m_nu - m_mu|^2 - |m_nu - m_mu|^2 (means m).
    u, v, c = rng.normal(size=(20, 2)), rng.normal(size=(20, 2)), np.array([0.7, -0.3])
    delta = v.mean(0) - u.mean(0)
    expected = wasserstein(u, v, p=2) ** 2 + np.sum((delta + c) ** 2) - np.sum(delta ** 2)
    assert wasserstein(u, v + c, p=2) ** 2 == pytest.approx(expected, rel=1e-9)


def test_zero_weight_points_do_not_matter(rng):
    u, v = rng.normal(size=(6, 2)), rng.normal(size=(5, 2))
    u_w = np.array([1.0, 2.0, 0.0, 1.0, 0.0, 3.0])
    kept = u_w > 0
    assert wasserstein(u, v, u_w) == pytest.approx(wasserstein(u[kept], v, u_w[kept]),
                                                   rel=1e-12)


def test_weights_are_normalised_like_scipy(rng):
    u, v = rng.normal(size=(5, 2)), rng.normal(size=(4, 2))
    w = rng.random(5)
    assert wasserstein(u, v, w) == pytest.approx(wasserstein(u, v, 1000 * w), rel=1e-12)


# --- transport ---------------------------------------------------------------------------

def test_p1_potentials_are_kantorovich_rubinstein(rng):
    u, v = rng.normal(size=(15, 2)), rng.normal(size=(11, 2)) + 1.0
    u_w, v_w = rng.random(15), rng.random(11)
    result = transport(u, v, u_w, v_w)
    f_u, f_v = result.dual_u, -result.dual_v
    points, values = np.vstack([u, v]), np.concatenate([f_u, f_v])
    differences = np.abs(values[:, None] - values[None, :])
    assert np.all(differences <= cdist(points, points) + 1e-12)  # 1-Lipschitz
    a, b = u_w / u_w.sum(), v_w / v_w.sum()
    assert a @ f_u - b @ f_v == pytest.approx(wasserstein(u, v, u_w, v_w), rel=1e-12)


def test_transport_plan_marginals_and_cost(rng):
    u, v = rng.normal(size=(9, 3)), rng.normal(size=(7, 3))
    result = transport(u, v, p=2)
    np.testing.assert_allclose(result.plan.sum(1), np.full(9, 1 / 9), atol=1e-15)
    np.testing.assert_allclose(result.plan.sum(0), np.full(7, 1 / 7), atol=1e-15)
    assert result.cost == pytest.approx(wasserstein(u, v, p=2) ** 2, rel=1e-12)


# --- displacement interpolation --------------------------------------------------------

def test_interpolation_end_points_are_the_inputs(rng):
    u, v = rng.normal(size=(8, 2)), rng.normal(size=(8, 2)) + 2
    start = displacement_interpolation(u, v, 0.0)
    end = displacement_interpolation(u, v, 1.0)
    assert wasserstein(start.points, u, start.weights, p=2) == pytest.approx(0, abs=1e-9)
    assert wasserstein(end.points, v, end.weights, p=2) == pytest.approx(0, abs=1e-9)


@pytest.mark.parametrize("s, t", [(0.0, 0.5), (0.25, 0.75), (0.1, 1.0)])
def test_interpolation_is_a_constant_speed_geodesic(rng, s, t):
    u, v = rng.normal(size=(10, 2)), rng.normal(size=(7, 2)) * 2 + 1
    u_w = rng.random(10)
    total = wasserstein(u, v, u_w, p=2)
    mu_s = displacement_interpolation(u, v, s, u_weights=u_w)
    mu_t = displacement_interpolation(u, v, t, u_weights=u_w)
    assert wasserstein(mu_s.points, mu_t.points, mu_s.weights, mu_t.weights, p=2) == \
        pytest.approx(abs(t - s) * total, rel=1e-7)
    assert wasserstein(u, mu_t.points, u_w, mu_t.weights, p=2) == pytest.approx(t * total,
                                                                                 rel=1e-7)


@pytest.mark.parametrize("scale", [1e-200, 1e-160, 1e155, 1e200])
def test_plane_distances_at_extreme_scales(rng, scale):
    u, v = rng.normal(size=(7, 2)), rng.normal(size=(5, 2))
    assert wasserstein(u * scale, v * scale) == pytest.approx(scale * wasserstein(u, v),
                                                              rel=1e-12)
    assert wasserstein(u * scale, v * scale, p=2) == pytest.approx(
        scale * wasserstein(u, v, p=2), rel=1e-12)


@pytest.mark.parametrize("p", [3.0, 5.0, 10.0])
def test_higher_orders_match_pot_on_the_rescaled_cost(rng, p):
    u, v = rng.normal(size=(20, 2)) * 1e-2, rng.normal(size=(15, 2)) * 1e-2
    a, b = np.full(20, 1 / 20), np.full(15, 1 / 15)
    expected = ot.emd2(a, b, (cdist(u, v) / 1e-2) ** p) ** (1 / p) * 1e-2
    assert wasserstein(u, v, p=p) == pytest.approx(expected, rel=1e-9)


def test_order_whose_costs_underflow_is_refused(rng):
    u, v = rng.normal(size=(7, 2)), rng.normal(size=(5, 2))
    with pytest.raises(ValueError, match="p = 4000.0 is too large"):
        wasserstein(u, v, p=4000)


def test_weights_near_the_largest_float_are_normalised_without_overflow():
    x = np.array([0.0, 1.0, 2.0])
    assert wasserstein(x, x + 1, np.full(3, 1e308)) == pytest.approx(1.0)
    assert wasserstein(np.c_[x, x], np.c_[x, x] + 1, np.full(3, 1e308)) == pytest.approx(
        np.sqrt(2))


def test_plane_distances_with_coordinates_near_the_largest_float():
    u, v = [[1.7e308, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]
    assert wasserstein(u, v) == pytest.approx(8.5e307, rel=1e-12)
