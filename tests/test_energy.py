"""Energy distance in R^d: exact Numba sums against NumPy, dcor and scipy; sliced estimate."""

import dcor
import numba
import numpy as np
import pytest
import scipy.stats
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from otdiv import Estimate, energy_distance, sliced_energy_distance
from otdiv._kernels import energy as kernels
from otdiv.estimators import sphere_constant

from .strategies import point_clouds


def brute_force_energy_squared(u, v, u_w=None, v_w=None):
    """2 a'D(u,v)b - a'D(u,u)a - b'D(v,v)b with full distance matrices (the oracle).

    Computed on data divided by its largest magnitude (D^2 scales linearly), so that tiny
    coordinates do not underflow when squared.
    """
    largest = max(np.abs(u).max(), np.abs(v).max())
    if largest == 0:
        return 0.0
    u, v = u / largest, v / largest
    u_w = np.full(len(u), 1 / len(u)) if u_w is None else u_w / u_w.sum()
    v_w = np.full(len(v), 1 / len(v)) if v_w is None else v_w / v_w.sum()
    return largest * (2 * u_w @ cdist(u, v) @ v_w - u_w @ cdist(u, u) @ u_w
                      - v_w @ cdist(v, v) @ v_w)


@st.composite
def weighted_clouds(draw, max_points=8):
    d = draw(st.integers(2, 4))
    u = draw(point_clouds(dimension=d, max_points=max_points))
    v = draw(point_clouds(dimension=d, max_points=max_points))
    return u, v, np.linspace(1.0, 2.0, len(u)), np.linspace(3.0, 1.0, len(v))


# --- kernels -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(1, 2), (5, 2), (7, 3), (300, 5)])  # 300 > one BLOCK
def test_compiled_kernels_equal_py_func(rng, shape):
    x = rng.normal(size=shape)
    y = rng.normal(size=(shape[0] + 2, shape[1]))
    a, b = rng.random(shape[0]), rng.random(shape[0] + 2)
    x_t, y_t = np.ascontiguousarray(x.T), np.ascontiguousarray(y.T)
    assert kernels.cross_distance_sum(x, a, y_t, b) == pytest.approx(
        kernels.cross_distance_sum.py_func(x, a, y_t, b), rel=1e-12)
    assert kernels.within_distance_sum(x, x_t, a) == pytest.approx(
        kernels.within_distance_sum.py_func(x, x_t, a), rel=1e-12, abs=1e-300)
    assert kernels.cross_distance_sum_serial(x, a, y_t, b) == pytest.approx(
        kernels.cross_distance_sum_serial.py_func(x, a, y_t, b), rel=1e-12)
    assert kernels.within_distance_sum_serial(x, x_t, a) == pytest.approx(
        kernels.within_distance_sum_serial.py_func(x, x_t, a), rel=1e-12, abs=1e-300)


def test_serial_and_parallel_kernels_agree(rng):
    x, y = rng.normal(size=(700, 3)), rng.normal(size=(500, 3))
    a, b = rng.random(700), rng.random(500)
    x_t, y_t = np.ascontiguousarray(x.T), np.ascontiguousarray(y.T)
    assert kernels.cross_distance_sum_serial(x, a, y_t, b) == pytest.approx(
        kernels.cross_distance_sum(x, a, y_t, b), rel=1e-14)
    assert kernels.within_distance_sum_serial(x, x_t, a) == pytest.approx(
        kernels.within_distance_sum(x, x_t, a), rel=1e-14)


def test_kernels_equal_numpy_distance_matrices(rng):
    x, y = rng.normal(size=(257, 3)), rng.normal(size=(600, 3))
    a, b = rng.random(257), rng.random(600)
    assert kernels.cross_distance_sum(x, a, np.ascontiguousarray(y.T), b) == pytest.approx(
        a @ cdist(x, y) @ b, rel=1e-12)
    assert kernels.within_distance_sum(x, np.ascontiguousarray(x.T), a) == pytest.approx(
        a @ cdist(x, x) @ a, rel=1e-12)


def test_exact_sums_do_not_depend_on_the_number_of_threads(rng):
    x, y = rng.normal(size=(1001, 2)), rng.normal(size=(999, 2))  # above the serial limit
    results = []
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            numba.set_num_threads(threads)
            results.append(energy_distance(x, y, method="exact"))
    finally:
        numba.set_num_threads(before)
    assert all(value == results[0] for value in results)  # bit for bit


# --- ground truth ------------------------------------------------------------------------

@given(weighted_clouds())
def test_exact_equals_brute_force_with_weights(clouds):
    u, v, u_w, v_w = clouds
    expected = brute_force_energy_squared(u, v, u_w, v_w)
    # the three sums cancel: the error is relative to their size, about max |coordinate|
    scale = max(np.abs(u).max(), np.abs(v).max())
    assert energy_distance(u, v, u_w, v_w, squared=True, method="exact") == pytest.approx(
        max(expected, 0.0), rel=1e-12, abs=1e-13 * scale)


@pytest.mark.parametrize("d", [2, 3, 10])
def test_exact_agrees_with_dcor_squared_convention(rng, d):
    u, v = rng.normal(size=(400, d)), rng.normal(0.2, size=(350, d))
    assert energy_distance(u, v, squared=True) == pytest.approx(dcor.energy_distance(u, v),
                                                                rel=1e-10)
    assert energy_distance(u, v) == pytest.approx(np.sqrt(dcor.energy_distance(u, v)),
                                                  rel=1e-10)


def test_one_dimensional_data_agree_with_scipy_for_every_method(rng):
    u, v = rng.normal(size=200), rng.normal(0.3, size=150)
    expected = scipy.stats.energy_distance(u, v)
    for method in ("auto", "exact", "sliced"):
        assert energy_distance(u, v, method=method) == pytest.approx(expected, rel=1e-12)
        assert energy_distance(u[:, None], v[:, None], method=method) == pytest.approx(
            expected, rel=1e-12)


def test_auto_is_exact_for_small_samples(rng):
    u, v = rng.normal(size=(100, 3)), rng.normal(size=(80, 3))
    assert energy_distance(u, v) == energy_distance(u, v, method="exact")


# --- properties --------------------------------------------------------------------------

_EQUAL_LAWS = np.full((7, 4), 7.0)
_EQUAL_LAWS[3, 0] = 0.0


@given(weighted_clouds())
@example(clouds=(_EQUAL_LAWS, _EQUAL_LAWS, np.arange(6.0, 13.0) / 6, np.arange(9.0, 2.0, -1) / 3))
def test_symmetry_and_non_negativity(clouds):
    # D² is symmetric up to the rounding of sums of distances; D = sqrt(D²) turns that
    # rounding into about sqrt(eps · scale) when D² is near 0 (equal laws: 2.6e-8 one way,
    # 1.5e-8 the other), so the theorem is checked on D².
    u, v, u_w, v_w = clouds
    forward = energy_distance(u, v, u_w, v_w, squared=True, method="exact")
    assert forward >= 0.0
    scale = 1 + np.abs(np.concatenate([u, v])).max()
    assert forward == pytest.approx(
        energy_distance(v, u, v_w, u_w, squared=True, method="exact"),
        rel=1e-12, abs=1e-13 * scale)


@given(weighted_clouds(), st.floats(-50, 50))
def test_translation_invariance(clouds, shift):
    u, v, u_w, v_w = clouds
    scale = 1 + np.abs(np.concatenate([u, v])).max() + abs(shift)
    assert energy_distance(u + shift, v + shift, u_w, v_w, squared=True) == pytest.approx(
        energy_distance(u, v, u_w, v_w, squared=True), abs=1e-12 * scale)


@given(weighted_clouds(), st.floats(0.01, 100))
def test_squared_distance_scales_with_abs_c(clouds, c):
    u, v, u_w, v_w = clouds
    scale = 1 + np.abs(np.concatenate([u, v])).max()
    assert energy_distance(c * u, c * v, u_w, v_w, squared=True) == pytest.approx(
        c * energy_distance(u, v, u_w, v_w, squared=True), abs=1e-12 * c * scale)


def test_rotation_invariance(rng):
    u, v = rng.normal(size=(60, 3)), rng.normal(1.0, size=(50, 3))
    rotation, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    assert energy_distance(u @ rotation, v @ rotation) == pytest.approx(
        energy_distance(u, v), rel=1e-12)


@given(weighted_clouds(), weighted_clouds())
def test_triangle_inequality(first, second):
    u, v, u_w, v_w = first
    z, z_w = second[0], second[2]
    if z.shape[1] != u.shape[1]:
        z = np.resize(z, (z.shape[0], u.shape[1]))
    direct = energy_distance(u, z, u_w, z_w)
    via = energy_distance(u, v, u_w, v_w) + energy_distance(v, z, v_w, z_w)
    assert direct <= via + 1e-6 * (1 + via)


def test_extreme_magnitudes_are_exact_by_power_of_two_scaling():
    for scale in (1e-200, 1e200):
        u, v = [[0.0, 0.0]], [[3.0 * scale, 4.0 * scale]]
        assert energy_distance(u, v, squared=True) == pytest.approx(10.0 * scale, rel=1e-15)


# --- sliced estimate -----------------------------------------------------------------------

def test_sphere_constant_matches_its_closed_values_and_a_monte_carlo_check(rng):
    assert sphere_constant(1) == 1.0
    assert sphere_constant(2) == pytest.approx(np.pi / 2, rel=1e-15)
    assert sphere_constant(3) == pytest.approx(2.0, rel=1e-15)
    theta = rng.normal(size=(200_000, 5))
    theta /= np.linalg.norm(theta, axis=1, keepdims=True)
    z = np.array([1.0, -2.0, 0.5, 0.0, 3.0])
    assert sphere_constant(5) * np.abs(theta @ z).mean() == pytest.approx(
        np.linalg.norm(z), rel=5e-3)


def test_sliced_estimate_is_unbiased(rng):
    u, v = rng.normal(size=(150, 3)), rng.standard_t(4, size=(120, 3)) + 0.3
    exact = energy_distance(u, v, squared=True, method="exact")
    estimates = [sliced_energy_distance(u, v, squared=True, n_projections=20, rng=seed)
                 for seed in range(200)]
    values = np.array([estimate.value for estimate in estimates])
    standard_error_of_mean = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - exact) < 3 * standard_error_of_mean
    # the reported standard error is the spread of one estimate across seeds
    reported = np.mean([estimate.standard_error for estimate in estimates])
    assert reported == pytest.approx(values.std(ddof=1), rel=0.2)


def test_sliced_estimate_with_weights_is_unbiased(rng):
    u, v = rng.normal(size=(80, 2)), rng.normal(0.5, size=(70, 2))
    u_w, v_w = rng.random(80), rng.random(70)
    exact = energy_distance(u, v, u_w, v_w, squared=True, method="exact")
    values = np.array([energy_distance(u, v, u_w, v_w, squared=True, method="sliced",
                                       n_projections=10, rng=seed) for seed in range(200)])
    assert abs(values.mean() - exact) < 3 * values.std(ddof=1) / np.sqrt(values.size)


def test_sliced_result_type_and_reproducibility(rng):
    u, v = rng.normal(size=(50, 4)), rng.normal(size=(40, 4))
    first = sliced_energy_distance(u, v, n_projections=30, rng=7)
    assert isinstance(first, Estimate) and first.n_projections == 30
    assert first == sliced_energy_distance(u, v, n_projections=30, rng=7)
    squared = sliced_energy_distance(u, v, squared=True, n_projections=30, rng=7)
    assert first.value == pytest.approx(np.sqrt(squared.value), rel=1e-15)
    assert first.standard_error == pytest.approx(
        squared.standard_error / (2 * first.value), rel=1e-12)
    assert isinstance(energy_distance(u, v, method="sliced", rng=7), float)


def test_sliced_estimate_in_one_dimension_is_exact_with_zero_error(rng):
    u, v = rng.normal(size=30), rng.normal(size=20)
    estimate = sliced_energy_distance(u, v, n_projections=5, rng=0)
    assert estimate.value == pytest.approx(scipy.stats.energy_distance(u, v), rel=1e-12)
    assert estimate.standard_error == pytest.approx(0.0, abs=1e-15)
