"""The ``otdiv gan`` subcommand: every flag is checked before any training starts, the
history is strict JSON, and every GanConfig field has a flag with its default in --help."""

import dataclasses
import json

import pytest

from otdiv.cli import main

pytestmark = pytest.mark.gan


def test_unknown_loss_exits_2_and_lists_the_valid_ones(tmp_path, capsys):
    pytest.importorskip("jax")
    status = main(["gan", "--loss", "wgan", "--out", str(tmp_path), "--no-progress"])
    assert status == 2
    error = capsys.readouterr().err
    assert "wgan-gp" in error and "fgan:kl" in error


@pytest.mark.parametrize("flags, message", [
    (["--steps", "0"], "argument --steps: expected an integer >= 1, got '0'"),
    (["--checkpoints", "0"], "argument --checkpoints: expected an integer >= 1"),
    (["--eval-samples", "1"], "argument --eval-samples: expected an integer >= 2"),
    (["--learning-rate", "-1"], "learning_rate"),
    (["--beta1", "1.5"], "beta1"),
    (["--n-critic", "0"], "n_critic"),
    (["--clip", "0.01"], "clip applies only to loss 'wgan-clip'"),
    (["--generator-objective", "non_saturating"], "variational"),
    (["--preset", "wgan", "--loss", "wgan-gp"], "contradicts --preset"),
])
def test_bad_flags_exit_2_before_training(tmp_path, capsys, flags, message):
    pytest.importorskip("jax")
    out = tmp_path / "never"
    assert main(["gan", *flags, "--out", str(out), "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()          # refused before anything was written


def test_out_that_is_an_existing_file_is_refused_before_training(tmp_path, capsys):
    pytest.importorskip("jax")
    existing = tmp_path / "file.txt"
    existing.write_text("keep me")
    assert main(["gan", "--out", str(existing), "--no-progress"]) == 2
    assert "existing file" in capsys.readouterr().err
    assert existing.read_text() == "keep me"


@pytest.mark.parametrize("out", ["/proc/otdiv-gan", "{file}/sub"])
def test_out_that_cannot_be_written_is_refused_before_training(tmp_path, capsys,
                                                               monkeypatch, out):
    import otdiv.gan

    def forbidden(*args, **kwargs):
        raise AssertionError("training started before --out was checked")

    monkeypatch.setattr(otdiv.gan, "train_gan", forbidden, raising=False)
    (tmp_path / "file.txt").write_text("keep me")
    out = out.format(file=tmp_path / "file.txt")
    assert main(["gan", "--out", out, "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--out" in error, error
    assert "Traceback" not in error


def test_quiet_is_not_a_flag_no_progress_is():
    assert main(["gan", "--out", "x", "--quiet"]) == 2  # argparse refuses it; main returns 2


def test_missing_out_is_a_usage_error():
    assert main(["gan", "--loss", "wgan-gp"]) == 2  # argparse refuses it; main returns 2


def test_every_config_field_has_a_flag_with_its_default_in_help(capsys):
    from otdiv.gan import GanConfig
    assert main(["gan", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for field in dataclasses.fields(GanConfig):
        if field.name != "loss":
            assert "--" + field.name.replace("_", "-") in text, field.name
    assert "(default: 0.1)" in text          # gp_weight of the default run
    assert "(default: 128,128,128)" in text  # its network widths
    assert "(default: 2000)" in text


def test_flags_override_the_base_setup():
    pytest.importorskip("jax")
    from otdiv._cli.gan import build_config
    from otdiv.cli import build_parser
    parser = build_parser()
    args = parser.parse_args(["gan", "--out", "x", "--preset", "wgan", "--clip", "0.05",
                              "--generator-learning-rate", "1e-3", "--no-sign-check"])
    config = build_config(args)
    assert (config.loss, config.clip, config.optimizer) == ("wgan-clip", 0.05, "rmsprop")
    assert config.optimizer_settings("generator")[1] == 1e-3
    assert config.sign_check is False
    default = build_config(parser.parse_args(["gan", "--out", "x"]))
    assert (default.loss, default.gp_weight, default.critic_hidden) == (
        "wgan-gp", 0.1, (128, 128, 128))
    paper = build_config(parser.parse_args(["gan", "--out", "x", "--loss", "wgan-gp"]))
    assert paper.gp_weight == 10.0


def test_gan_run_writes_strict_json_history_model_and_figures(tmp_path, capsys):
    pytest.importorskip("jax")
    status = main(["gan", "--loss", "wgan-gp", "--data", "8gaussians", "--steps", "4",
                   "--checkpoints", "2", "--eval-samples", "50", "--critic-hidden", "8",
                   "--generator-hidden", "8", "--n-critic", "1", "--out", str(tmp_path),
                   "--no-progress", "--json"])
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    text = (tmp_path / "history.json").read_text()
    history = json.loads(text, parse_constant=lambda name: pytest.fail(name))["history"]
    assert history["step"] == [0, 2, 4] == payload["history"]["step"]
    assert history["critic_loss"][0] is None            # NaN at step 0 -> null
    assert len(history["w1_floor"]) == 3 and len(history["modes_covered"]) == 3
    for name in ("distance.png", "samples.png", "critic.png", "model.npz"):
        assert (tmp_path / name).stat().st_size > 0
    from otdiv.gan import load
    assert load(tmp_path / "model.npz").config.critic_hidden == (8,)


def test_unknown_loss_is_refused_naming_the_flag_without_a_python_tuple(tmp_path, capsys):
    pytest.importorskip("jax")
    assert main(["gan", "--loss", "foo", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "argument --loss: expected one of jsgan, jsgan-ns," in error
    assert "('" not in error and "got 'foo'" in error


def test_help_states_each_generator_default_once(capsys):
    pytest.importorskip("jax")
    assert main(["gan", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: the critic's) (default: the critic's)" not in text
    assert text.count("(default: the critic's)") == 4


def test_out_holding_an_earlier_run_is_refused_before_training(tmp_path, capsys, monkeypatch):
    pytest.importorskip("jax")
    import otdiv.gan

    def forbidden(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(otdiv.gan, "train_gan", forbidden)
    (tmp_path / "history.json").write_text("{}")
    (tmp_path / "critic.png").write_bytes(b"")
    assert main(["gan", "--out", str(tmp_path), "--no-progress"]) == 2
    error = capsys.readouterr().err
    assert "holds an earlier run (history.json, critic.png)" in error and "--overwrite" in error
    assert (tmp_path / "history.json").read_text() == "{}"
