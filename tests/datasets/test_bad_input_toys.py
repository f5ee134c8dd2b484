"""Bad input to the toy samplers and the GAN module: a clear error naming the argument."""

import numpy as np
import pytest

GOOD = np.array([0.0, 1.0, 2.0])


# --- toy samplers and the GAN module (otdiv.gan needs the [gan] extra) ----------------------

def test_bad_toy_sampler_input():
    from otdiv.datasets import (
        eight_gaussians,
        gaussian_1d,
        gaussian_mixture_1d,
        swiss_roll,
        twenty_five_gaussians,
    )
    for sampler in (eight_gaussians, twenty_five_gaussians, swiss_roll, gaussian_1d):
        with pytest.raises(ValueError, match="n must be >= 1"):
            sampler(0, rng=0)
        with pytest.raises(TypeError, match="n must be an integer"):
            sampler(2.5, rng=0)
    with pytest.raises(ValueError, match="std must be >= 0"):
        gaussian_1d(3, std=-1.0)
    with pytest.raises(ValueError, match="mean must be finite"):
        gaussian_1d(3, mean=np.nan)
    with pytest.raises(ValueError, match="stds must have one entry per mean"):
        gaussian_mixture_1d(3, means=(0.0, 1.0), stds=(1.0,))
    with pytest.raises(ValueError, match="weights must have one entry per mean"):
        gaussian_mixture_1d(3, means=(0.0, 1.0), stds=(1.0, 1.0), weights=(1.0,))
    with pytest.raises(ValueError, match="stds must be non-negative"):
        gaussian_mixture_1d(3, means=(0.0,), stds=(-1.0,))
    with pytest.raises(ValueError, match="noise must be >= 0"):
        swiss_roll(3, noise=-0.1)
    with pytest.raises(ValueError, match="rng must be a non-negative"):
        eight_gaussians(3, rng=-1)


@pytest.mark.gan
def test_bad_gan_input():
    pytest.importorskip("jax")
    from otdiv.gan import GanConfig, train_critic, train_gan
    with pytest.raises(ValueError, match="u_values must be finite|u_values.*NaN"):
        train_critic([0.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="u_values and v_values must have the same dimension"):
        train_critic(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="steps must be >= 1"):
        train_critic([0.0, 1.0], [1.0, 2.0], steps=0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        train_critic([0.0, 1.0], [1.0, 2.0], steps=10.0)
    with pytest.raises(TypeError, match="config must be a GanConfig"):
        train_critic([0.0, 1.0], [1.0, 2.0], config={"loss": "wgan-gp"})
    with pytest.raises(ValueError, match="data must be one of"):
        train_gan("9gaussians")
    with pytest.raises(ValueError, match="eval_samples must be >= 2"):
        train_gan("8gaussians", eval_samples=1)
    with pytest.raises(ValueError, match="clip applies only to loss 'wgan-clip'"):
        GanConfig.for_loss("wgan-gp", clip=0.1)
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        GanConfig.for_loss("wgan-gp", learning_rate=-1e-3)
    with pytest.raises(TypeError, match="unknown GanConfig fields"):
        GanConfig.for_loss("wgan-gp", lamda=10.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        GanConfig.for_loss("wgan-gp", activation="gelu")
    with pytest.raises(TypeError, match="critic_hidden must be a tuple"):
        GanConfig.for_loss("wgan-gp", critic_hidden=[64, 64])
    with pytest.raises(ValueError, match="simultaneous updates need n_critic=1"):
        GanConfig.for_loss("fgan:kl", n_critic=5)
