"""Histograms on regular grids (images) as inputs of the exact transport functions."""

import numpy as np
import pytest
import scipy.stats

from otdiv import Grid, kantorovich_potential, transport, verify_critic, wasserstein


def _image(shape, rng, zeros=0.3):
    image = rng.random(shape)
    image[rng.random(shape) < zeros] = 0.0
    image.flat[0] = 1.0  # at least one pixel with mass
    return image


def _explicit(image, spacing=1.0, origin=0.0):
    """The point list a user would build by hand: pixels with mass in flat (C) order."""
    index = np.argwhere(image > 0).astype(np.float64)
    return origin + spacing * index, image[image > 0]


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_grid_equals_explicit_point_lists_bit_for_bit(p):
    rng = np.random.default_rng(1)
    a, b = _image((9, 7), rng), _image((6, 8), rng)
    u, a_w = _explicit(a)
    v, b_w = _explicit(b)
    assert wasserstein(Grid(a), Grid(b), p=p) == wasserstein(u, v, a_w, b_w, p=p)
    assert transport(Grid(a), Grid(b), p=p).cost == transport(u, v, a_w, b_w, p=p).cost


def test_grid_with_spacing_and_origin_equals_explicit_point_lists():
    rng = np.random.default_rng(2)
    a, b = _image((5, 6), rng), _image((5, 6), rng)
    spacing, origin = np.array([0.5, 2.0]), np.array([-1.0, 3.0])
    u, a_w = _explicit(a, spacing, origin)
    v, b_w = _explicit(b, spacing, origin)
    assert (wasserstein(Grid(a, spacing=spacing, origin=origin),
                        Grid(b, spacing=spacing, origin=origin), p=2)
            == wasserstein(u, v, a_w, b_w, p=2))


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_grid_agrees_with_pot_on_the_full_cost_matrix(p):
    ot = pytest.importorskip("ot")
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(3)
    a, b = _image((8, 8), rng), _image((8, 8), rng)
    points = np.argwhere(np.ones((8, 8))).astype(np.float64)
    cost = cdist(points, points) ** p
    expected = ot.emd2(a.ravel() / a.sum(), b.ravel() / b.sum(), cost) ** (1 / p)
    assert wasserstein(Grid(a), Grid(b), p=p) == pytest.approx(expected, rel=1e-12, abs=0)


def test_zero_pixels_are_dropped_and_scattered_back_onto_the_full_grid():
    rng = np.random.default_rng(4)
    a, b = _image((6, 5), rng, zeros=0.5), _image((4, 7), rng, zeros=0.5)
    result = transport(Grid(a), Grid(b), p=2)
    assert result.plan.shape == (a.size, b.size)
    dense = result.plan.toarray()
    np.testing.assert_allclose(dense.sum(axis=1), a.ravel() / a.sum(), atol=1e-15)
    np.testing.assert_allclose(dense.sum(axis=0), b.ravel() / b.sum(), atol=1e-15)
    # potentials: NaN exactly at the pixels without mass, finite and feasible elsewhere
    assert np.array_equal(np.isnan(result.dual_u), a.ravel() == 0)
    assert np.array_equal(np.isnan(result.dual_v), b.ravel() == 0)
    x, y = Grid(a).points(), Grid(b).points()
    cost = ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=2)
    u_pot = result.dual_u[a.ravel() > 0]
    v_pot = result.dual_v[b.ravel() > 0]
    assert np.all(u_pot[:, None] + v_pot[None, :] <= cost + 1e-12)
    assert float(a.ravel()[a.ravel() > 0] @ u_pot / a.sum()
                 + b.ravel()[b.ravel() > 0] @ v_pot / b.sum()) == pytest.approx(result.cost)
    # the mass moves only between pixels with mass
    rows, columns = result.plan.coords
    assert np.all(a.ravel()[rows] > 0) and np.all(b.ravel()[columns] > 0)


def test_zero_pixels_change_nothing():
    rng = np.random.default_rng(5)
    a, b = _image((5, 5), rng, zeros=0.0), _image((5, 5), rng, zeros=0.0)
    padded_a = np.zeros((7, 7))
    padded_a[:5, :5] = a
    padded_b = np.zeros((7, 7))
    padded_b[:5, :5] = b
    assert (wasserstein(Grid(padded_a), Grid(padded_b), p=2)
            == wasserstein(Grid(a), Grid(b), p=2))


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_one_dimensional_grid_equals_the_closed_form(p):
    rng = np.random.default_rng(6)
    a, b = _image(40, rng), _image(30, rng)
    x = 0.25 + 0.5 * np.arange(40)
    y = 0.25 + 0.5 * np.arange(30)
    got = wasserstein(Grid(a, spacing=0.5, origin=0.25), Grid(b, spacing=0.5, origin=0.25),
                      p=p)
    assert got == pytest.approx(wasserstein(x, y, a, b, p=p), rel=1e-14)
    if p == 1.0:
        assert got == pytest.approx(scipy.stats.wasserstein_distance(x, y, a, b), rel=1e-12)


def test_histograms_are_normalised():
    rng = np.random.default_rng(7)
    a, b = _image((4, 4), rng), _image((4, 4), rng)
    assert wasserstein(Grid(1e6 * a), Grid(b), p=2) == pytest.approx(
        wasserstein(Grid(a), Grid(b), p=2), rel=1e-14)


def test_translation_by_whole_pixels_moves_everything_that_far():
    a = np.zeros((6, 6))
    a[1:3, 1:4] = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    b = np.roll(a, (2, 1), axis=(0, 1))
    assert wasserstein(Grid(a), Grid(b), p=2) == pytest.approx(np.sqrt(5.0), rel=1e-14)
    # the same with the origin shifted instead of the pixels
    assert wasserstein(Grid(a), Grid(a, origin=(2.0, 1.0)), p=2) == pytest.approx(
        np.sqrt(5.0), rel=1e-14)


def test_spacing_scales_the_distance():
    rng = np.random.default_rng(8)
    a, b = _image((5, 5), rng), _image((5, 5), rng)
    assert wasserstein(Grid(a, spacing=0.25), Grid(b, spacing=0.25), p=2) == pytest.approx(
        0.25 * wasserstein(Grid(a), Grid(b), p=2), rel=1e-13)


def test_volumes_work():
    rng = np.random.default_rng(9)
    a, b = _image((3, 4, 3), rng), _image((3, 4, 3), rng)
    u, a_w = _explicit(a)
    v, b_w = _explicit(b)
    assert wasserstein(Grid(a), Grid(b), p=2) == wasserstein(u, v, a_w, b_w, p=2)


def test_kantorovich_potential_and_verify_critic_take_grids():
    rng = np.random.default_rng(10)
    a, b = _image((5, 5), rng), _image((5, 5), rng)
    f = kantorovich_potential(Grid(a), Grid(b))
    grid_a, grid_b = Grid(a), Grid(b)
    estimate = (grid_a.masses() @ f(grid_a.points()) / a.sum()
                - grid_b.masses() @ f(grid_b.points()) / b.sum())
    w1 = wasserstein(Grid(a), Grid(b))
    assert estimate == pytest.approx(w1, rel=1e-12)
    report = verify_critic(f, Grid(a), Grid(b))
    assert report.exact_w1 == pytest.approx(w1, rel=1e-14)


def test_grid_is_frozen_and_copies_its_histogram():
    image = np.ones((2, 3))
    grid = Grid(image)
    image[0, 0] = 5.0
    assert grid.histogram[0, 0] == 1.0
    with pytest.raises(ValueError):
        grid.histogram[0, 0] = 2.0
    with pytest.raises(AttributeError):
        grid.spacing = (2.0, 2.0)
    assert grid.spacing == (1.0, 1.0) and grid.origin == (0.0, 0.0)
    assert grid.shape == (2, 3) and grid.ndim == 2
    assert "shape=(2, 3)" in repr(grid)


@pytest.mark.parametrize("histogram, error, match", [
    ([[1.0, -0.5]], ValueError, r"histogram must be non-negative, got -0.5 at index \(0, 1\)"),
    ([[1.0, np.nan]], ValueError, "histogram must be finite"),
    ([[1.0, np.inf]], ValueError, "histogram must be finite"),
    (np.zeros((2, 2)), ValueError, "histogram must have a positive total mass"),
    (np.zeros((0, 3)), ValueError, "histogram must not be empty"),
    (3.0, ValueError, "histogram must have at least one axis"),
    ("image", TypeError, "histogram must be an array of real numbers"),
    (np.ones((2, 2), dtype=complex), TypeError, "histogram must be real"),
])
def test_bad_histograms_are_refused_naming_the_argument(histogram, error, match):
    with pytest.raises(error, match=match):
        Grid(histogram)


@pytest.mark.parametrize("options, error, match", [
    ({"spacing": 0.0}, ValueError, "spacing must be positive, got 0.0 on axis 0"),
    ({"spacing": (1.0, -1.0)}, ValueError, "spacing must be positive, got -1.0 on axis 1"),
    ({"spacing": (1.0, 1.0, 1.0)}, ValueError, r"spacing must be a real number or 2 of them"),
    ({"spacing": np.nan}, ValueError, "spacing must be finite"),
    ({"spacing": None}, TypeError, "spacing must be a real number"),
    ({"origin": (0.0, np.inf)}, ValueError, "origin must be finite"),
    ({"origin": [[0.0]]}, ValueError, "origin must be a real number or 2 of them"),
])
def test_bad_spacing_and_origin_are_refused(options, error, match):
    with pytest.raises(error, match=match):
        Grid(np.ones((2, 2)), **options)


def test_weights_with_grids_are_refused():
    grid = Grid(np.ones((2, 2)))
    with pytest.raises(TypeError, match="u_weights must be None when u_values is a Grid"):
        wasserstein(grid, grid, np.ones(4))
    with pytest.raises(TypeError, match="v_weights must be None when v_values is a Grid"):
        transport(grid, grid, v_weights=np.ones(4))


def test_a_grid_and_a_point_array_are_refused():
    grid = Grid(np.ones((2, 2)))
    with pytest.raises(TypeError, match="v_values must be a Grid when u_values is one"):
        wasserstein(grid, np.zeros((4, 2)))
    with pytest.raises(TypeError, match="u_values must be a Grid when v_values is one"):
        wasserstein(np.zeros((4, 2)), grid)


def test_grids_with_different_numbers_of_axes_are_refused():
    with pytest.raises(ValueError, match="same number of axes, got shapes \\(4,\\) and "
                                         "\\(2, 2\\)"):
        wasserstein(Grid(np.ones(4)), Grid(np.ones((2, 2))))
