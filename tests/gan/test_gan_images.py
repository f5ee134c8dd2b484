"""GANs on the real image sets (issue 23): train_gan(data="digits" | "mnist5k"), the image
presets, the sigmoid-output generator, persistence, the CLI and the nearest-image figure."""

import json

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("sklearn")

from otdiv.cli import main
from otdiv.gan import GanConfig, load, train_gan
from otdiv.gan.data import image_split
from otdiv.gan.plots import generator_snapshots, nearest_rows, plot_generated_digits

TINY = GanConfig.preset("images_gp", critic_hidden=(16,), generator_hidden=(16,),
                        latent_dim=4, batch_size=16)


def test_image_presets_are_the_issue_networks():
    for name, loss, weight in (("images_gp", "wgan-gp", 10.0), ("images_gp1", "wgan-gp", 1.0),
                               ("images_sn", "wgan-sn", None), ("images_clip", "wgan-clip",
                                                                None)):
        config = GanConfig.preset(name)
        assert config.loss == loss and config.critic_hidden == (512, 512)
        assert config.generator_output == "sigmoid"
        if weight is not None:
            assert config.gp_weight == weight
    assert GanConfig.preset("images_clip").warmup_critic_steps == 100


def test_digits_run_trains_on_train_split_and_generates_pixels(tmp_path):
    result = train_gan("digits", config=TINY, steps=4, checkpoints=2, eval_samples=30, rng=0)
    h = result.history
    assert h["step"].tolist() == [0, 2, 4]
    for key in ("exact_w1", "w1_floor", "critic_estimate"):
        assert np.all(np.isfinite(h[key])), key
    images = result.generator(20, rng=1)
    assert images.shape == (20, 64) and images.min() > 0.0 and images.max() < 1.0
    result.save(tmp_path / "run.npz")
    again = load(tmp_path / "run.npz")
    assert again.generator.output == "sigmoid"
    np.testing.assert_array_equal(again.generator(5, rng=2), result.generator(5, rng=2))
    more = train_gan("digits", steps=2, checkpoints=1, eval_samples=30, resume=result)
    assert more.history["step"].tolist() == [0, 2, 4, 6]


def test_image_run_is_evaluated_on_its_test_split_not_on_held_out():
    assert GanConfig.for_loss("wgan-sn").generator_output == "linear"
    with pytest.raises(ValueError, match="held_out"):
        train_gan("digits", config=TINY, steps=1, held_out=np.zeros((4, 64)))


def test_nearest_rows_and_the_figure(tmp_path):
    pool = image_split("digits", "train").images
    assert nearest_rows(pool[[5, 17]] + 1e-3, pool).tolist() == [5, 17]
    result, snapshots = generator_snapshots("digits", config=TINY, steps=4, checkpoints=2,
                                            n=3, rng=0)
    assert sorted(snapshots) == [2, 4] and snapshots[4].shape == (3, 64)
    assert result.history["step"].tolist() == [0, 2, 4]
    path = plot_generated_digits(snapshots, pool, (8, 8), tmp_path / "digits.png")
    assert path.stat().st_size > 1000


def test_cli_trains_on_digits(tmp_path, capsys):
    out = tmp_path / "run"
    status = main(["gan", "--data", "digits", "--preset", "images_gp", "--critic-hidden", "16",
                   "--generator-hidden", "16", "--latent-dim", "4", "--batch-size", "16",
                   "--steps", "2", "--checkpoints", "1", "--eval-samples", "20",
                   "--out", str(out), "--no-progress"])
    assert status == 0, capsys.readouterr().err
    payload = json.loads((out / "history.json").read_text())
    assert payload["data"] == "digits" and payload["config"]["generator_output"] == "sigmoid"
    assert (out / "digits.png").exists() and not (out / "samples.png").exists()
