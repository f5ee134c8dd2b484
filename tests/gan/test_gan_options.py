"""The smaller GAN items of issue 23: the f-GAN generator loss Nowozin et al. recommend is the
default, wgan-clip's critic warm-up from the WGAN reference code, and a critic loss recorded
as its estimate and its penalty separately."""

import numpy as np
import pytest

pytest.importorskip("jax")

from otdiv.gan import F_KINDS, GanConfig, train_critic, train_gan
from otdiv.gan.steps import critic_step_segments

TINY = dict(critic_hidden=(8,), generator_hidden=(8,), batch_size=16)


@pytest.mark.parametrize("kind", F_KINDS)
def test_fgan_default_generator_loss_is_the_recommended_one(kind):
    # Nowozin et al. 2016, Section 3.2: maximise E_Q[g_f(V)] rather than minimise
    # -E_Q[f*(g_f(V))]
    assert GanConfig.for_loss(f"fgan:{kind}").generator_objective == "non_saturating"
    assert GanConfig(loss=f"fgan:{kind}", simultaneous=True, n_critic=1
                     ).generator_objective == "non_saturating"
    chosen = GanConfig.for_loss(f"fgan:{kind}", generator_objective="minimax")
    assert chosen.generator_objective == "minimax"
    assert GanConfig.from_dict(chosen.to_dict()) == chosen


def test_jsgan_keeps_the_minimax_game_and_other_losses_have_no_choice():
    assert GanConfig.for_loss("jsgan").generator_objective == "minimax"
    assert GanConfig.for_loss("jsgan-ns").generator_objective == "non_saturating"
    for loss in ("wgan-clip", "wgan-gp", "wgan-sn", "cramer"):
        assert GanConfig.for_loss(loss).generator_objective == "minimax"


def test_wgan_clip_warm_up_schedule_is_the_reference_codes():
    # main.py: Diters = 100 if gen_iterations < 25 or gen_iterations % 500 == 0 else 5
    config = GanConfig.for_loss("wgan-clip")
    assert config == GanConfig.preset("wgan")
    expected = [100 if t < 25 or t % 500 == 0 else 5 for t in range(2001)]
    assert [config.critic_steps_before(t) for t in range(2001)] == expected
    off = config.replace(warmup_critic_steps=0)
    assert {off.critic_steps_before(t) for t in range(2001)} == {5}
    for loss in ("wgan-gp", "wgan-sn", "cramer", "jsgan"):
        assert GanConfig.for_loss(loss).warmup_critic_steps == 0
    with pytest.raises(ValueError, match="warmup_critic_steps"):
        GanConfig.for_loss("wgan-clip", warmup_critic_steps=-1)


@pytest.mark.parametrize("start, length", [(0, 30), (20, 500), (499, 3), (0, 1)])
def test_critic_step_segments_cover_the_chunk_with_the_schedule(start, length):
    config = GanConfig.for_loss("wgan-clip")
    segments = critic_step_segments(config, start, length)
    assert sum(count for _, count in segments) == length
    unrolled = [n for n, count in segments for _ in range(count)]
    assert unrolled == [config.critic_steps_before(t) for t in range(start, start + length)]
    assert all(count == 1 for n, count in segments if n == 100)


def test_warm_up_changes_training_and_keeps_checkpoint_independence():
    config = GanConfig.for_loss("wgan-clip", **TINY)
    data = np.random.default_rng(0).normal(size=(300, 2))
    runs = [train_gan(data, config=config, steps=6, checkpoints=c, eval_samples=20, rng=1)
            for c in (1, 3)]
    for mine, theirs in zip(runs[0].generator.params, runs[1].generator.params):
        np.testing.assert_array_equal(mine["w"], theirs["w"])
    cold = train_gan(data, config=config.replace(warmup_critic_steps=0), steps=6,
                     checkpoints=1, eval_samples=20, rng=1)
    assert not np.array_equal(cold.critic.params[0]["w"], runs[0].critic.params[0]["w"])


@pytest.mark.parametrize("loss", ["wgan-gp", "wgan-clip", "cramer"])
def test_gan_history_separates_the_critics_estimate_from_its_penalty(loss):
    config = GanConfig.for_loss(loss, **TINY, warmup_critic_steps=0)
    result = train_gan("8gaussians", config=config, steps=4, checkpoints=2, eval_samples=20,
                       rng=0)
    h = result.history
    objective, penalty, total = (h["critic_objective"][1:], h["critic_penalty"][1:],
                                 h["critic_loss"][1:])
    assert np.all(np.isfinite(objective)) and np.all(np.isfinite(penalty))
    np.testing.assert_allclose(total, penalty - objective, rtol=1e-6, atol=1e-6)
    if loss == "wgan-clip":
        assert np.all(penalty == 0.0)
    else:
        assert np.all(penalty > 0.0)
    assert np.all(np.isnan(h["critic_penalty"][:1]))


def test_train_critic_history_has_the_penalty_apart():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + 1.0
    gp = train_critic(x, y, config=GanConfig.for_loss("wgan-gp", critic_hidden=(8,)),
                      steps=20, checkpoints=2, rng=0)
    assert np.all(gp.history["penalty"] > 0.0) and gp.history["objective"].shape == (2,)
    sn = train_critic(x, y, config=GanConfig.for_loss("wgan-sn", critic_hidden=(8,)),
                      steps=20, checkpoints=2, rng=0)
    assert np.all(sn.history["penalty"] == 0.0)
