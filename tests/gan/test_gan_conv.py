"""The convolutional image critic (otdiv.gan.convnets): shapes, the same function in JAX and
numpy, layer norm with the gradient penalty, the spectral-norm constraint on the convolution
as a linear map, persistence, the CLI flag and a short seeded digits run that trains."""

import json

import numpy as np
import pytest

pytest.importorskip("jax")

import jax.numpy as jnp

from otdiv.gan import GanConfig, convnets, load, train_critic, train_gan
from otdiv.gan.convnets import (
    apply_conv_critic,
    conv_layer_shapes,
    conv_operator_norms,
    init_conv_critic,
)
from otdiv.gan.steps import critic_weights, init_critic

SMALL = dict(critic_network="conv", critic_channels=(4, 8), activation="leaky_relu")


@pytest.mark.parametrize("dimension, sides", [(64, (8, 4, 2)), (784, (28, 14, 7)),
                                              (36, (6, 3, 1))])
def test_shapes_halve_the_side_per_convolution(dimension, sides):
    params = init_conv_critic(dimension, (4, 8), 1, rng=0, layer_norm=True)
    shapes = conv_layer_shapes(dimension, (4, 8), 1, True)
    assert [{key: value.shape for key, value in layer.items()} for layer in params] == shapes
    assert shapes[0]["scale"] == (sides[1], sides[1], 4)
    assert shapes[-1]["w"] == (sides[2] ** 2 * 8, 1)
    out = apply_conv_critic(params, jnp.zeros((3, dimension)), "leaky_relu")
    assert out.shape == (3, 1)


def test_jax_and_numpy_forward_passes_agree():
    rng = np.random.default_rng(0)
    params = init_conv_critic(64, (4, 8), 1, rng=1, layer_norm=True)
    x = rng.random((7, 64))
    jax_out = np.asarray(apply_conv_critic(params, jnp.asarray(x, jnp.float32)))
    numpy_params = [{k: np.asarray(v, np.float64) for k, v in layer.items()} for layer in params]
    np.testing.assert_allclose(jax_out, apply_conv_critic(numpy_params, x, xp=np), atol=1e-5)


@pytest.mark.parametrize("side, c_in", [(28, 1), (8, 3), (7, 2), (2, 1)])
def test_patch_convolution_equals_xla_convolution_and_its_gradient(side, c_in):
    # _conv_jax is an im2col product (faster inside lax.scan); it must be the same linear
    # map as XLA's convolution with the same stride and padding, derivatives included
    import jax
    rng = np.random.default_rng(side)
    h = jnp.asarray(rng.normal(size=(3, side, side, c_in)), jnp.float32)
    w = jnp.asarray(rng.normal(size=(4, 4, c_in, 5)), jnp.float32)

    def reference(h, w):
        return jax.lax.conv_general_dilated(h, w, (2, 2), ((1, 1), (1, 1)),
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(convnets._conv_jax(h, w), reference(h, w), rtol=1e-5,
                               atol=1e-5)
    for argument in (0, 1):
        ours = jax.grad(lambda *a: jnp.sum(jnp.sin(convnets._conv_jax(*a))), argument)(h, w)
        theirs = jax.grad(lambda *a: jnp.sum(jnp.sin(reference(*a))), argument)(h, w)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_bad_configurations_are_refused_naming_the_field():
    with pytest.raises(ValueError, match="critic_network"):
        GanConfig.for_loss("wgan-gp", critic_network="cnn")
    with pytest.raises(ValueError, match="layer_norm"):
        GanConfig.for_loss("wgan-sn", critic_network="conv", layer_norm=True)
    with pytest.raises(ValueError, match="layer_norm"):
        GanConfig.for_loss("wgan-gp", layer_norm=True)
    with pytest.raises(TypeError, match="critic_channels"):
        GanConfig.for_loss("wgan-gp", critic_channels=[8])
    config = GanConfig.for_loss("wgan-gp", **SMALL)
    with pytest.raises(ValueError, match="square"):
        train_critic(np.zeros((5, 10)), np.ones((5, 10)), config=config, steps=1, rng=0)


def test_layer_norm_resolves_by_loss_and_the_presets():
    assert GanConfig.for_loss("wgan-gp", **SMALL).layer_norm is True
    assert GanConfig.for_loss("wgan-sn", **SMALL).layer_norm is False
    assert GanConfig.for_loss("wgan-gp").layer_norm is False          # MLP
    gp, sn = GanConfig.preset("images_conv_gp"), GanConfig.preset("images_conv_sn")
    assert (gp.critic_network, gp.critic_channels, gp.layer_norm, gp.gp_weight) == (
        "conv", (32, 64), True, 10.0)
    assert (sn.loss, sn.layer_norm) == ("wgan-sn", False)
    assert GanConfig.from_dict(gp.to_dict()) == gp


@pytest.mark.parametrize("dense_limit", [convnets.DENSE_LIMIT, 0])
def test_spectral_normalisation_bounds_each_layer_as_a_linear_map(dense_limit, monkeypatch):
    # after enough power steps with the carried vectors, every layer's exact operator norm
    # (dense SVD of the convolution as a matrix, or Lanczos) is at most 1 + tol
    monkeypatch.setattr(convnets, "DENSE_LIMIT", dense_limit)
    config = GanConfig.for_loss("wgan-sn", **SMALL)
    params, sn_state = init_critic(config, np.random.default_rng(0), 64)
    before = conv_operator_norms(params, 64)
    for _ in range(30):                   # the persistent u of 30 training steps
        weights, sn_state = critic_weights(config, params, sn_state)
    norms = conv_operator_norms(weights, 64)
    assert np.all(norms <= 1.0 + 1e-3), norms
    assert np.all(norms >= 0.99), norms     # converged, not merely shrunk
    assert not np.allclose(before, 1.0)
    # one step from the random start underestimates sigma: the layers come out above 1
    _, cold = init_critic(config, np.random.default_rng(0), 64)
    first, _ = critic_weights(config, params, cold)
    assert conv_operator_norms(first, 64).max() > 1.0 + 1e-3


def test_operator_norm_is_not_the_reshaped_kernel_norm():
    params = init_conv_critic(64, (4,), 1, rng=3)
    w = np.asarray(params[0]["w"], np.float64)
    kernel_matrix = np.linalg.norm(w.reshape(-1, w.shape[3]), 2)
    assert conv_operator_norms(params, 64)[0] > kernel_matrix


def test_lipschitz_bound_is_a_bound_on_random_pairs():
    config = GanConfig.for_loss("wgan-sn", **SMALL)
    rng = np.random.default_rng(1)
    u, v = rng.random((40, 64)), rng.random((40, 64)) * 0.5
    trained = train_critic(u, v, config=config, steps=20, rng=0, checkpoints=1)
    bound = trained.lipschitz_bound
    x, y = rng.random((200, 64)), rng.random((200, 64))
    slopes = np.abs(trained.critic(x) - trained.critic(y)) / np.linalg.norm(x - y, axis=1)
    assert 0.0 < slopes.max() <= bound <= 1.2
    gp = train_critic(u, v, config=GanConfig.for_loss("wgan-gp", **SMALL), steps=5, rng=0,
                      checkpoints=1)
    assert gp.lipschitz_bound is None        # layer norm: no global bound


def test_conv_critic_saves_loads_and_resumes(tmp_path):
    config = GanConfig.preset("images_conv_gp", critic_channels=(4, 8),
                              generator_hidden=(16,), latent_dim=4, batch_size=16)
    result = train_gan("digits", config=config, steps=4, checkpoints=2, eval_samples=30,
                       rng=0)
    path = result.save(tmp_path / "conv.npz") or tmp_path / "conv.npz"
    again = load(path)
    assert again.critic.network == "conv" and again.config == config
    x = np.random.default_rng(2).random((5, 64))
    np.testing.assert_array_equal(again.critic(x), result.critic(x))
    more = train_gan("digits", steps=2, checkpoints=1, eval_samples=30, resume=again)
    straight = train_gan("digits", config=config, steps=6, checkpoints=3, eval_samples=30,
                         rng=0)
    np.testing.assert_array_equal(more.critic(x), straight.critic(x))


def test_a_stored_conv_layer_of_the_wrong_shape_is_refused(tmp_path):
    config = GanConfig.for_loss("wgan-sn", **SMALL)
    rng = np.random.default_rng(0)
    trained = train_critic(rng.random((20, 64)), rng.random((20, 64)), config=config,
                           steps=2, rng=0, checkpoints=1)
    path = tmp_path / "critic.npz"
    trained.save(path)
    arrays = dict(np.load(path))
    arrays["critic/params/1/w"] = np.zeros((4, 4, 4, 9))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match="layer 1"):
        load(tmp_path / "bad.npz")
    assert load(path).lipschitz_bound == trained.lipschitz_bound


def test_cli_selects_the_conv_critic(tmp_path, capsys):
    pytest.importorskip("sklearn")
    from otdiv.cli import main
    out = tmp_path / "run"
    status = main(["gan", "--data", "digits", "--preset", "images_gp", "--critic", "conv",
                   "--critic-channels", "4,8", "--generator-hidden", "16", "--latent-dim",
                   "4", "--batch-size", "16", "--steps", "2", "--checkpoints", "1",
                   "--eval-samples", "20", "--out", str(out), "--no-progress"])
    assert status == 0, capsys.readouterr().err
    config = json.loads((out / "history.json").read_text())["config"]
    assert config["critic_network"] == "conv" and config["layer_norm"] is True


def test_short_seeded_digits_run_brings_generated_images_closer_to_held_out():
    # exact W_1 between 300 generated and 300 held-out test images: the untrained generator
    # (about 3.4, a blur of grey pixels) against the same seed after 150 generator steps.
    # Measured (this machine, float32, seeds 0-2): 3.36-3.38 -> 2.14-2.24; the test asks
    # for a drop of 25 %, which leaves room for other CPUs' float32 trajectories.
    pytest.importorskip("sklearn")
    config = GanConfig.preset("images_conv_sn", critic_channels=(16, 32), batch_size=32)
    result = train_gan("digits", config=config, steps=150, checkpoints=1, eval_samples=300,
                       rng=0)
    w1 = result.history["exact_w1"]
    assert w1[-1] < 0.75 * w1[0], w1
    assert result.history["w1_floor"][-1] < w1[-1]
