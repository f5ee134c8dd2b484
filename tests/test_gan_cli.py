"""The ``otdiv gan`` subcommand: bad usage exits 2 before any training starts."""

import pytest

from otdiv.cli import main

pytestmark = pytest.mark.gan


def test_unknown_loss_exits_2_and_lists_the_valid_ones(tmp_path, capsys):
    pytest.importorskip("jax")
    status = main(["gan", "--loss", "wgan", "--out", str(tmp_path), "--quiet"])
    assert status == 2
    error = capsys.readouterr().err
    assert "wgan-gp" in error and "fgan:kl" in error


def test_bad_step_count_exits_2(tmp_path, capsys):
    pytest.importorskip("jax")
    assert main(["gan", "--steps", "0", "--out", str(tmp_path), "--quiet"]) == 2
    assert "steps must be >= 1" in capsys.readouterr().err


def test_missing_out_is_a_usage_error():
    assert main(["gan", "--loss", "wgan-gp"]) == 2  # argparse refuses it; main returns 2


@pytest.mark.slow
def test_gan_run_writes_history_json_and_figures(tmp_path, capsys):
    pytest.importorskip("jax")
    import json
    status = main(["gan", "--loss", "wgan-gp", "--data", "8gaussians", "--steps", "20",
                   "--checkpoints", "2", "--eval-samples", "50", "--out", str(tmp_path),
                   "--quiet", "--json"])
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    history = json.loads((tmp_path / "history.json").read_text())["history"]
    assert history["step"] == [0, 10, 20] == payload["history"]["step"]
    assert (tmp_path / "distance.png").stat().st_size > 0
    assert (tmp_path / "samples.png").stat().st_size > 0
