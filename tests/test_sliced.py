"""Sliced Wasserstein: exact per projection, against POT, the LP and closed forms."""

import numpy as np
import ot
import pytest
from hypothesis import given
from hypothesis import strategies as st

from otdiv import sliced_wasserstein, wasserstein, wasserstein_1d
from otdiv._validation import SamplePair
from otdiv.estimators import random_directions, sliced_wasserstein_core

from .strategies import point_clouds


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_agrees_with_pot_on_the_same_directions(rng, p):
    u, v = rng.normal(size=(300, 3)), rng.normal(1.0, size=(250, 3))
    directions = ot.sliced.get_random_projections(3, 60, seed=1)  # shape (d, K)
    uniform_u, uniform_v = np.full(300, 1 / 300), np.full(250, 1 / 250)
    ours = sliced_wasserstein_core(SamplePair(u, v, uniform_u, uniform_v, True),
                                   directions.T, p).value
    theirs = ot.sliced_wasserstein_distance(u, v, n_projections=60, projections=directions,
                                            p=p)
    assert ours == pytest.approx(theirs, rel=1e-10)


def test_agrees_with_pot_on_the_same_directions_with_weights(rng):
    u, v = rng.normal(size=(200, 2)), rng.normal(size=(150, 2)) * 2
    u_w, v_w = rng.random(200), rng.random(150)
    u_w, v_w = u_w / u_w.sum(), v_w / v_w.sum()
    directions = ot.sliced.get_random_projections(2, 40, seed=2)
    ours = sliced_wasserstein_core(SamplePair(u, v, u_w, v_w, False), directions.T, 2.0).value
    theirs = ot.sliced_wasserstein_distance(u, v, u_w, v_w, n_projections=40,
                                            projections=directions)
    assert ours == pytest.approx(theirs, rel=1e-10)


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_one_dimensional_data_give_wasserstein_exactly(rng, p):
    u, v = rng.normal(size=40), rng.exponential(size=25)
    assert sliced_wasserstein(u, v, p=p, n_projections=3, rng=0).value == pytest.approx(
        wasserstein_1d(u, v, p=p), rel=1e-12)


@given(point_clouds(dimension=2, max_points=6), point_clouds(dimension=2, max_points=6),
       st.integers(0, 10**6))
def test_never_exceeds_wasserstein(u, v, seed):
    # every projection is 1-Lipschitz, so each projected W_p is at most W_p
    sliced = sliced_wasserstein(u, v, p=2, n_projections=20, rng=seed).value
    assert sliced <= wasserstein(u, v, p=2) * (1 + 1e-9) + 1e-9


def test_translation_closed_form(rng):
    # mu and its translate by t: each projection gives |theta . t|, and E (theta . t)^2 = |t|^2 / d
    t = np.array([3.0, -1.0, 2.0, 0.5])
    u = rng.normal(size=(50, 4))
    estimate = sliced_wasserstein(u, u + t, p=2, n_projections=20000, rng=3).value
    assert estimate == pytest.approx(np.linalg.norm(t) / 2.0, rel=0.01)


def test_uniform_directions_on_the_sphere(rng):
    directions = random_directions(rng, 20000, 3)
    assert np.allclose(np.linalg.norm(directions, axis=1), 1.0)
    # E[theta theta^T] = I / d for the uniform law on the sphere
    assert np.allclose(directions.T @ directions / 20000, np.eye(3) / 3, atol=0.01)


@given(point_clouds(dimension=3, max_points=5), point_clouds(dimension=3, max_points=5))
def test_symmetric_for_a_fixed_seed(u, v):
    # the projected W_p are symmetric, and the same seed draws the same directions
    assert sliced_wasserstein(u, v, n_projections=10, rng=5).value == pytest.approx(
        sliced_wasserstein(v, u, n_projections=10, rng=5).value, rel=1e-12, abs=1e-12)


def test_reproducible_from_seed_and_generator(rng):
    u, v = rng.normal(size=(30, 3)), rng.normal(size=(20, 3))
    assert sliced_wasserstein(u, v, rng=11) == sliced_wasserstein(u, v, rng=11)
    first = sliced_wasserstein(u, v, rng=np.random.default_rng(11))
    assert first == sliced_wasserstein(u, v, rng=11)


def test_identical_samples_are_at_distance_zero(rng):
    u = rng.normal(size=(30, 3))
    assert sliced_wasserstein(u, u, rng=0).value == 0.0
