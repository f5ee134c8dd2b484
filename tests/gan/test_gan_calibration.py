"""The calibration ladder of issue 23: W1(P, (1 - a) P + a R) = a W1(P, R) exactly for weighted
empirical measures, and critics trained along it (otdiv.gan.calibration)."""

import numpy as np
import pytest

import otdiv

pytest.importorskip("jax")

from otdiv.gan import GanConfig
from otdiv.gan.calibration import (
    ALPHAS,
    calibration_study,
    mixture_ladder,
    mixture_ladder_w1,
)
from otdiv.gan.studies import summarize


@pytest.mark.parametrize("dimension, n_p, n_r, seed", [(1, 7, 5, 0), (2, 30, 20, 1),
                                                       (5, 40, 60, 2), (64, 25, 25, 3)])
def test_mixture_ladder_w1_is_alpha_times_w1_on_exact_problems(dimension, n_p, n_r, seed):
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(n_p, dimension))
    r = rng.normal(size=(n_r, dimension)) + rng.normal(size=dimension)
    full = otdiv.wasserstein(p, r)
    for alpha in (*ALPHAS, 0.37, 0.9):
        support, weights = mixture_ladder(p, r, alpha)
        assert weights.sum() == pytest.approx(1.0, abs=1e-15)
        assert otdiv.wasserstein(p, support, None, weights) == pytest.approx(
            alpha * full, rel=1e-12, abs=1e-12)


def test_mixture_ladder_refuses_alpha_outside_the_unit_interval():
    with pytest.raises(ValueError, match="alpha"):
        mixture_ladder(np.zeros((2, 2)), np.ones((2, 2)), 1.5)


def _toy_data():
    rng = np.random.default_rng(4)
    shift = np.array([2.0, 0.0, 0.0])
    return {"p_train": rng.normal(size=(60, 3)), "r_train": rng.normal(size=(60, 3)) + shift,
            "p_test": rng.normal(size=(50, 3)), "r_test": rng.normal(size=(50, 3)) + shift}


def test_calibration_study_rows_and_exact_column():
    data = _toy_data()
    configs = {loss: GanConfig.for_loss(loss, critic_hidden=(8,), batch_size=16)
               for loss in ("wgan-gp", "wgan-sn")}
    rows = calibration_study(seeds=(0, 1), steps=10, data=data, configs=configs)
    assert len(rows) == 2 * len(ALPHAS) * 2
    assert [(row["seed"], row["alpha"], row["loss"]) for row in rows[:3]] == [
        (0, 0.0, "wgan-gp"), (0, 0.0, "wgan-sn"), (0, 0.1, "wgan-gp")]
    w1 = otdiv.wasserstein(data["p_test"], data["r_test"])
    for row in rows:
        assert abs(row["exact_w1"] - row["alpha"] * w1) <= 1e-12
        assert abs(row["exact_w1"] - row["alpha_w1"]) <= 1e-12
        for key in ("held_out_estimate", "standard_error", "train_estimate",
                    "lipschitz_bound"):
            assert np.isfinite(row[key]), key
        assert row["standard_error"] >= 0.0
        assert np.isnan(row["ratio"]) == (row["alpha"] == 0.0)
        if row["alpha"] == 0.0:
            assert row["held_out_estimate"] == 0.0
    summary = summarize(rows, ["loss", "alpha"], ["held_out_estimate", "exact_w1"])
    assert len(summary) == 2 * len(ALPHAS) and all(entry["seeds"] == 2 for entry in summary)


def test_calibration_ladder_on_digits_has_the_exact_identity():
    pytest.importorskip("sklearn")
    from otdiv.gan.calibration import digit_class_pair
    p, r = digit_class_pair("test")
    assert p.shape[1] == r.shape[1] == 64 and p.shape[0] > 400 and r.shape[0] > 400
    for row in mixture_ladder_w1(p, r):
        assert abs(row["exact_w1"] - row["alpha_w1"]) <= 1e-12


@pytest.mark.slow
def test_trained_gp_critics_grow_with_alpha_on_digits():
    pytest.importorskip("sklearn")
    rows = calibration_study(seeds=(0, 1, 2), losses=("wgan-gp",), steps=1000)
    summary = summarize(rows, ["alpha"], ["held_out_estimate"])
    medians = [entry["held_out_estimate"] for entry in summary]
    assert medians == sorted(medians) and medians[-1] > 0.0
