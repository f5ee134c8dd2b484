"""Critic vs exact W1 during image-GAN training (otdiv.gan.tracking): checkpoints, the rank
statistics of the pre-stated criterion, a tiny study's rows and figures, bad input."""

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("sklearn")

import otdiv
from otdiv.gan import GanConfig
from otdiv.gan.plots import plot_tracking
from otdiv.gan.tracking import (
    CRITERION,
    bootstrap_median_interval,
    critic_tracking_study,
    log_checkpoints,
    n_values_for,
    spearman,
    tracking_summary,
    tracks,
)

TINY = GanConfig.preset("images_sn", critic_hidden=(16,), generator_hidden=(16,),
                        latent_dim=4, batch_size=16)


def test_log_checkpoints_are_increasing_distinct_and_end_at_steps():
    stops = log_checkpoints(1500, 40)
    assert stops[0] == 10 and stops[-1] == 1500 and stops == sorted(set(stops))
    assert 30 <= len(stops) <= 40
    assert log_checkpoints(5, 40) == [5]


def test_spearman_agrees_with_scipy_and_is_invariant_to_monotone_maps():
    from scipy.stats import spearmanr
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(size=30)
    y[3] = y[4]                                           # a tie
    assert spearman(x, y) == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)
    assert spearman(np.exp(x), y - 5.0) == pytest.approx(spearman(x, y), abs=1e-12)
    assert np.isnan(spearman([1.0, 1.0], [1.0, 2.0]))
    with pytest.raises(ValueError, match="same length"):
        spearman([1.0, 2.0], [1.0])


def test_bootstrap_interval_brackets_the_median_and_the_criterion_reads_it():
    values = [0.9, 0.85, 0.95, 0.7, 0.88, 0.92, 0.8, 0.9, 0.6, 0.87]
    low, high = bootstrap_median_interval(values)
    assert low <= np.median(values) <= high
    assert tracks({"rho": 0.88, "rho_low": 0.8}) and not tracks({"rho": 0.79, "rho_low": 0.7})
    assert not tracks({"rho": 0.9, "rho_low": CRITERION["bootstrap_lower"]})


def test_digits_allow_n_up_to_half_the_held_out_split():
    assert n_values_for("digits") == (250, 448)


def test_a_tiny_study_records_every_quantity_and_exact_floors(tmp_path):
    runs = critic_tracking_study(presets=["images_sn"], seeds=[0, 1], steps=14,
                                 checkpoints=3, n_values=[40, 60], generated=100,
                                 refit_at=[14], refit_steps=5, configs={"images_sn": TINY})
    assert [(run["seed"], run["preset"]) for run in runs] == [(0, "images_sn"),
                                                              (1, "images_sn")]
    rows = runs[0]["rows"]
    assert [row["step"] for row in rows] == [10, 12, 14]
    for row in rows:
        for key in ("objective", "estimate", "standard_error", "w1_40", "floor_40", "w1_60",
                    "floor_60", "w1_train_60", "floor_train_60", "lipschitz"):
            assert np.isfinite(row[key]), key
        assert row["memorisation_gap"] == row["w1_60"] - row["w1_train_60"]
    assert "refit_estimate" in rows[-1] and "refit_estimate" not in rows[0]
    # evaluation has its own stream: the floor is an exact W1 of held-out images drawn by
    # (seed, step) alone, whatever the critic or generator
    from otdiv.gan.data import image_split
    held = image_split("digits", "test").images
    rng = np.random.default_rng([0, 7, 10])
    rng.standard_normal((100, 4))                         # the generated sample
    rng.standard_normal((40, 4))
    order = rng.permutation(held.shape[0])
    assert rows[0]["floor_40"] == pytest.approx(
        otdiv.wasserstein(held[order[:40]], held[order[40:80]]), rel=1e-12)
    summary = tracking_summary(runs, resamples=200)
    entry = summary[0]
    assert entry["seeds"] == 2 and entry["n"] == 60 and len(entry["rho_per_seed"]) == 2
    assert entry["rho_min"] <= entry["rho"] <= entry["rho_max"]
    assert entry["coverage"] == 0.5 and entry["tracks"] == tracks(entry)
    paths = plot_tracking(runs, summary, tmp_path, prefix="tiny")
    assert [path.name for path in paths] == ["tiny_curves.png", "tiny_scatter.png",
                                             "tiny_lipschitz.png"]
    assert all(path.stat().st_size > 1000 for path in paths)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(data="8gaussians"), ValueError, "data"),
    (dict(presets=["jsgan"]), ValueError, "presets"),
    (dict(seeds=[]), ValueError, "seeds"),
    (dict(n_values=[500]), ValueError, "n_values"),
    (dict(refit_at=[7]), ValueError, "refit_at"),
    (dict(configs={"images_gp": "adam"}), TypeError, "configs"),
    (dict(checkpoints=1), ValueError, "checkpoints"),
])
def test_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        critic_tracking_study(**{"steps": 20, **kwargs})
