"""Tests of otdiv.gan: each checks a property against a closed form, SVD, finite
differences or the exact solver. Compilation dominates the cost, so every trained critic is
built once per module."""

import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

import otdiv  # noqa: E402
from otdiv.gan import (  # noqa: E402
    F_KINDS,
    FGAN_FUNCTIONS,
    LOSSES,
    GanConfig,
    apply_mlp,
    gradient_penalty,
    init_mlp,
    power_iteration,
    spectral_normalize,
    train_critic,
    train_gan,
)
from otdiv.gan.nets import init_sn_state, spectral_norms  # noqa: E402

pytestmark = pytest.mark.gan


# --- fixtures: trained once per module ------------------------------------------------------

@pytest.fixture(scope="module")
def shifted_gaussians():
    generator = np.random.default_rng(2)
    return generator.normal(0.0, 1.0, (1000, 1)), generator.normal(2.0, 1.0, (1000, 1))


@pytest.fixture(scope="module")
def gp_critic(shifted_gaussians):
    x_p, x_q = shifted_gaussians
    # lambda = 30 rather than the paper's 10: the soft penalty's optimum has slope
    # 1 + W/(2 lambda), i.e. an estimate W/(2 lambda) = 10% too high at lambda = 10, W = 2
    config = GanConfig.for_loss("wgan-gp", critic_hidden=(32, 32), batch_size=256,
                                learning_rate=3e-3, beta1=0.5, gp_weight=30.0,
                                activation="leaky_relu")
    return train_critic(x_p, x_q, config=config, steps=500, rng=2)


@pytest.fixture(scope="module")
def clipped_critic(shifted_gaussians):
    x_p, x_q = shifted_gaussians
    config = GanConfig.for_loss("wgan-clip", critic_hidden=(16,), learning_rate=1e-2)
    return train_critic(x_p, x_q, loss="wgan-clip", config=config, steps=100, rng=0)


@pytest.fixture(scope="module")
def eight_gaussians_pair():
    from otdiv.datasets import eight_gaussians
    generator = np.random.default_rng(5)
    x_p = eight_gaussians(200, rng=generator)
    return x_p, eight_gaussians(200, rng=generator) + np.array([0.3, -0.2])


@pytest.fixture(scope="module")
def sn_critic(eight_gaussians_pair):
    x_p, x_q = eight_gaussians_pair
    config = GanConfig.for_loss("wgan-sn", critic_hidden=(32, 32), learning_rate=2e-3,
                                activation="leaky_relu")
    return train_critic(x_p, x_q, loss="wgan-sn", config=config, steps=300, rng=1)


# --- gradient penalty -----------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["tanh", "leaky_relu"])
def test_gradient_penalty_gradient_matches_finite_differences(activation):
    generator = np.random.default_rng(0)
    with jax.enable_x64(True):
        params = jax.tree.map(lambda a: jnp.asarray(a, jnp.float64),
                              init_mlp((2, 4, 1), rng=generator))
        x_p = jnp.asarray(generator.normal(size=(6, 2)))
        x_q = jnp.asarray(generator.normal(size=(6, 2)) + 1.0)
        epsilon = jnp.asarray(generator.uniform(size=6))

        @jax.jit
        def penalty(p):
            return gradient_penalty(lambda x: apply_mlp(p, x, activation)[:, 0],
                                    x_p, x_q, epsilon)

        analytic = jax.grad(penalty)(params)
        step = 1e-6
        for layer in range(len(params)):
            for name in ("w", "b"):
                flat = np.asarray(params[layer][name]).ravel()
                for index in range(flat.size):
                    def shifted(delta):
                        values = flat.copy()
                        values[index] += delta
                        changed = list(params)
                        changed[layer] = dict(changed[layer])
                        changed[layer][name] = jnp.asarray(
                            values.reshape(params[layer][name].shape))
                        return float(penalty(tuple(changed)))
                    numeric = (shifted(step) - shifted(-step)) / (2 * step)
                    exact = float(np.asarray(analytic[layer][name]).ravel()[index])
                    assert exact == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_gradient_penalty_is_zero_for_unit_slope_and_quadratic_in_slope():
    x_p, x_q, epsilon = jnp.zeros((5, 3)), jnp.ones((5, 3)), jnp.linspace(0, 1, 5)
    for slope in (0.0, 1.0, 2.5):
        value = gradient_penalty(lambda x: slope * x[:, 1], x_p, x_q, epsilon)
        assert float(value) == pytest.approx((slope - 1.0) ** 2, abs=1e-5)


# --- spectral normalisation ---------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 3), (3, 7), (8, 8)])
def test_power_iteration_converges_to_largest_singular_value(shape):
    generator = np.random.default_rng(sum(shape))
    w = generator.normal(size=shape)
    u = generator.normal(size=shape[1])
    top = np.linalg.svd(w, compute_uv=False)[0]
    sigma, _ = power_iteration(w, u, steps=500, xp=np)
    assert float(sigma) == pytest.approx(top, rel=1e-8)
    sigma32, _ = power_iteration(jnp.asarray(w, jnp.float32), jnp.asarray(u, jnp.float32),
                                 steps=500)
    assert float(sigma32) == pytest.approx(top, rel=1e-4)


def test_power_iteration_estimate_never_exceeds_largest_singular_value():
    generator = np.random.default_rng(3)
    for _ in range(20):
        w = generator.normal(size=(6, 4))
        sigma, _ = power_iteration(w, generator.normal(size=4), steps=1, xp=np)
        assert float(sigma) <= np.linalg.svd(w, compute_uv=False)[0] * (1 + 1e-12)


def test_carried_u_makes_spectral_normalisation_converge_one_step_at_a_time():
    params = jax.tree.map(lambda a: np.asarray(a, np.float64), init_mlp((4, 6, 3), rng=0))
    state = tuple(np.asarray(u, np.float64) for u in init_sn_state(params, rng=1))
    for _ in range(200):
        normalised, state = spectral_normalize(params, state, steps=1, xp=np)
    np.testing.assert_allclose(spectral_norms(normalised), 1.0, rtol=1e-6)


def test_sn_critic_certified_lower_bound_never_exceeds_exact_w1(sn_critic,
                                                                eight_gaussians_pair):
    x_p, x_q = eight_gaussians_pair
    exact = otdiv.wasserstein(x_p, x_q)
    bound = sn_critic.lipschitz_bound
    assert bound == pytest.approx(1.0, abs=0.05)   # carried u: sigma estimates converged
    assert sn_critic.estimate > 0.5 * exact
    assert sn_critic.estimate / bound <= exact + 1e-9
    report = otdiv.verify_critic(sn_critic.critic, x_p, x_q)
    assert report.lipschitz <= bound + 1e-9       # sample Lipschitz <= global bound


# --- weight clipping ------------------------------------------------------------------------

def test_clipping_keeps_every_weight_in_range(clipped_critic):
    c = clipped_critic.config.clip
    leaves = [value for layer in clipped_critic.critic.params for value in layer.values()]
    assert max(np.abs(leaf).max() for leaf in leaves) <= c * (1 + 1e-6)
    # the bound is active (otherwise the test could not fail)
    assert any(np.isclose(np.abs(leaf), c, rtol=1e-6).any() for leaf in leaves)


def test_clipped_critic_is_right_only_up_to_its_lipschitz_scale(clipped_critic,
                                                                shifted_gaussians):
    x_p, x_q = shifted_gaussians
    exact = otdiv.wasserstein(x_p, x_q)
    assert clipped_critic.lipschitz_bound < 0.1
    assert abs(clipped_critic.estimate) <= clipped_critic.lipschitz_bound * exact + 1e-12


# --- fidelity of trained critics --------------------------------------------------------------

def test_wgan_gp_critic_lands_within_10_percent_of_exact_w1(gp_critic, shifted_gaussians):
    x_p, x_q = shifted_gaussians
    exact = otdiv.wasserstein(x_p, x_q)
    assert gp_critic.estimate == pytest.approx(exact, rel=0.10)
    assert gp_critic.history["estimate"].shape == gp_critic.history["step"].shape


def test_fgan_kl_critic_lands_within_10_percent_of_closed_form_kl():
    generator = np.random.default_rng(2)
    mu = 1.5
    x_p, x_q = generator.normal(0.0, 1.0, (2000, 1)), generator.normal(mu, 1.0, (2000, 1))
    config = GanConfig.for_loss("fgan:kl", critic_hidden=(32, 32), batch_size=256,
                                learning_rate=1e-3, activation="leaky_relu")
    trained = train_critic(x_p, x_q, loss="fgan:kl", config=config, steps=600, rng=2)
    held_p = generator.normal(0.0, 1.0, (50_000, 1))
    held_q = generator.normal(mu, 1.0, (50_000, 1))
    kl = mu ** 2 / 2                              # KL(N(0,1) || N(mu,1))
    assert trained.dual_value(held_p, held_q) == pytest.approx(kl, rel=0.10)


# --- f-GAN functions ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", F_KINDS)
def test_conjugate_of_activation_is_the_composition(kind):
    functions = FGAN_FUNCTIONS[kind]
    v = np.linspace(-3.0, 3.0, 61)
    composed = functions.conjugate(functions.activation(v, np), np)
    np.testing.assert_allclose(functions.conjugate_of_activation(v, np), composed,
                               rtol=1e-10, atol=1e-12)
    jax_values = functions.conjugate_of_activation(jnp.asarray(v, jnp.float32), jnp)
    np.testing.assert_allclose(np.asarray(jax_values), composed, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", F_KINDS)
def test_fgan_functions_agree_with_the_divergence_registry(kind):
    entry = otdiv.F_DIVERGENCES[kind]
    functions = FGAN_FUNCTIONS[kind]
    v = np.linspace(-3.0, 3.0, 61)
    t = functions.activation(v, np)
    np.testing.assert_allclose(t, entry.activation(v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(functions.conjugate(t, np), entry.f_conjugate(t),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(functions.conjugate_of_activation(v, np),
                               entry.conjugate_of_activation(v), rtol=1e-10, atol=1e-12)


# --- configuration and names ----------------------------------------------------------------

def test_unknown_loss_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="loss must be one of") as info:
        train_critic([0.0, 1.0], [2.0, 3.0], loss="wgan")
    for name in ("wgan-gp", "fgan:kl", "jsgan-ns", "cramer"):
        assert name in str(info.value)
    with pytest.raises(ValueError, match="fgan:reverse_kl"):
        GanConfig.for_loss("fgan:kullback")
    with pytest.raises(ValueError, match="wgan-sn"):
        train_gan("8gaussians", loss="sn")


def test_every_f_divergence_kind_has_a_loss():
    assert {f"fgan:{kind}" for kind in FGAN_FUNCTIONS} <= set(LOSSES)
    assert set(F_KINDS) == set(FGAN_FUNCTIONS)


def test_paper_defaults():
    clip = GanConfig.for_loss("wgan-clip")
    assert (clip.optimizer, clip.learning_rate, clip.clip, clip.n_critic, clip.batch_size) \
        == ("rmsprop", 5e-5, 0.01, 5, 64)
    gp = GanConfig.for_loss("wgan-gp")
    assert (gp.gp_weight, gp.learning_rate, gp.beta1, gp.beta2) == (10.0, 1e-4, 0.0, 0.9)
    assert GanConfig.for_loss("fgan:kl").simultaneous
    assert GanConfig.for_loss("cramer").beta1 == 0.5


def test_config_loss_must_match_loss_argument():
    with pytest.raises(ValueError, match="config.loss"):
        train_critic([0.0, 1.0], [2.0, 3.0], loss="wgan-gp",
                     config=GanConfig.for_loss("wgan-clip"))


def test_trained_critic_history_is_read_only(clipped_critic):
    with pytest.raises(ValueError):
        clipped_critic.history["estimate"][0] = 1.0
    with pytest.raises(TypeError):
        clipped_critic.history["new"] = np.zeros(1)


# --- GAN training -----------------------------------------------------------------------------

def test_train_gan_history_records_exact_w1_that_decreases():
    generator = np.random.default_rng(0)
    data = generator.normal([2.0, -1.0], 0.5, (4000, 2))
    config = GanConfig.for_loss("wgan-gp", critic_hidden=(32,), generator_hidden=(32,),
                                learning_rate=1e-3, beta1=0.5, activation="leaky_relu")
    result = train_gan(data, loss="wgan-gp", config=config, steps=300, checkpoints=3,
                       eval_samples=300, rng=0)
    w1 = result.history["exact_w1"]
    assert result.history["step"].tolist() == [0, 100, 200, 300]
    assert np.isnan(result.history["generator_loss"][0])
    assert w1[1:].min() < 0.5 * w1[0]
    assert np.all(result.history["energy_distance"] >= 0)
    assert np.all(result.history["generator_grad_norm"][1:] > 0)


# --- optional dependency -------------------------------------------------------------------

def test_import_otdiv_does_not_need_jax():
    code = "import sys; sys.modules['jax'] = None; sys.modules['optax'] = None; import otdiv"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_import_otdiv_gan_without_jax_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)
    for name in [name for name in sys.modules if name.startswith("otdiv.gan")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match=r"pip install otdiv\[gan\]"):
        import otdiv.gan  # noqa: F401


# --- studies (slow: several trainings) ------------------------------------------------------

@pytest.mark.slow
def test_jsgan_generator_gradient_vanishes_on_parallel_lines_but_wgan_does_not():
    from otdiv.gan.studies import generator_gradient_study
    rows = generator_gradient_study(thetas=(2.0,), losses=("jsgan", "wgan-gp"), n=300,
                                    steps=800, rng=0)
    gradient = {row["loss"]: row["generator_gradient"] for row in rows}
    assert gradient["jsgan"] < 0.05
    assert 0.7 < gradient["wgan-gp"] < 1.5


@pytest.mark.slow
def test_fidelity_study_sn_rows_are_certified_lower_bounds():
    from otdiv.gan.studies import critic_fidelity_study
    rows = critic_fidelity_study(steps=300, n=200, thetas=(1.0,), shifts=(), f_kinds=(),
                                 rng=0)
    for row in rows:
        assert row["certified_lower_bound"] <= row["exact_w1"] + 1e-9
        if row["loss"] == "wgan-clip":
            assert row["lipschitz"] < 0.1
