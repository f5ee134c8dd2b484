"""The GAN module: step speed against eager PyTorch, critic fidelity, training.

1. Speed: one WGAN-GP critic step (MLP 2→128→128→1, batch 256, λ = 10, Adam) and one
   generator step (generator 2→128→128→2 through that critic), JAX (jit) side by side with
   the same step in eager PyTorch on the same machine, medians over repeats. The torch rows
   are skipped when torch is not installed (``.venv/bin/pip install torch==2.13.0``).
2. Critic fidelity: each Wasserstein critic's dual estimate, Lipschitz constant and
   certified lower bound against the exact W_1 (:func:`otdiv.verify_critic`); f-GAN
   bounds against exact f-divergences between Gaussians.
3. Training: each loss on 8 Gaussians and on the parallel line, exact W_1 to the data;
   the generator gradient of JSGAN vs WGAN on the parallel lines.

Run: ``.venv/bin/python benchmarks/bench_gan.py`` (``--quick`` for fewer steps; ``--speed``
for the speed table only). Figures go to ``benchmarks/results/gan_*.png``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _harness import RESULTS, median_time, write_results

QUICK = "--quick" in sys.argv
SPEED_ONLY = "--speed" in sys.argv
BATCH, WIDTH, LAMBDA = 256, 128, 10.0


# --- 1. speed ---------------------------------------------------------------------------------

def jax_steps():
    import jax
    import jax.numpy as jnp
    import optax

    from otdiv.gan import GanConfig
    from otdiv.gan.nets import init_mlp
    from otdiv.gan.training import _init_critic, _make_critic_update

    config = GanConfig.for_loss("wgan-gp", critic_hidden=(WIDTH, WIDTH), batch_size=BATCH,
                                n_critic=1)
    generator = np.random.default_rng(0)
    optimizer, update = _make_critic_update(config)
    params, sn_state = _init_critic(config, generator, 2)
    opt_state = optimizer.init(params)
    x_p = jnp.asarray(generator.normal(size=(BATCH, 2)), jnp.float32)
    x_q = jnp.asarray(generator.normal(size=(BATCH, 2)) + 1.0, jnp.float32)
    epsilon = jnp.asarray(generator.uniform(size=BATCH), jnp.float32)
    critic_step = jax.jit(update)

    def run_critic():
        jax.block_until_ready(critic_step(params, sn_state, opt_state, x_p, x_q, x_q, epsilon))

    # generator step alone: loss -E f(G(z)) through the critic, Adam update of G
    g_params = init_mlp((2, WIDTH, WIDTH, 2), rng=generator)
    g_optimizer = optax.adam(config.learning_rate, b1=config.beta1, b2=config.beta2)
    g_state = g_optimizer.init(g_params)
    z = jnp.asarray(generator.normal(size=(BATCH, 2)), jnp.float32)
    from otdiv.gan.nets import apply_mlp

    @jax.jit
    def generator_step(g_params, g_state):
        def loss_fn(g):
            return -jnp.mean(apply_mlp(params, apply_mlp(g, z)))
        loss, grads = jax.value_and_grad(loss_fn)(g_params)
        updates, g_state = g_optimizer.update(grads, g_state, g_params)
        return optax.apply_updates(g_params, updates), g_state, loss

    def run_generator():
        jax.block_until_ready(generator_step(g_params, g_state))

    # the way train_critic runs: 100 steps inside one compiled lax.scan
    from otdiv.gan.training import _critic_batches, _critic_runner
    runner = _critic_runner(config)
    data_p = jnp.asarray(generator.normal(size=(4096, 2)), jnp.float32)
    data_q = jnp.asarray(generator.normal(size=(4096, 2)) + 1.0, jnp.float32)
    batches = _critic_batches(generator, 100, BATCH, 4096, 4096)
    state = (params, sn_state, opt_state)

    def run_scanned():
        jax.block_until_ready(runner(state, data_p, data_q, batches))

    return run_critic, run_generator, run_scanned


def torch_steps():
    import torch
    torch.manual_seed(0)

    def mlp(d_in, d_out):
        return torch.nn.Sequential(torch.nn.Linear(d_in, WIDTH), torch.nn.ReLU(),
                                   torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU(),
                                   torch.nn.Linear(WIDTH, d_out))

    critic, generator = mlp(2, 1), mlp(2, 2)
    c_opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.0, 0.9))
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.0, 0.9))
    x_p, x_q = torch.randn(BATCH, 2), torch.randn(BATCH, 2) + 1.0
    z = torch.randn(BATCH, 2)

    def run_critic():
        c_opt.zero_grad()
        epsilon = torch.rand(BATCH, 1)
        x_hat = (epsilon * x_p + (1 - epsilon) * x_q).requires_grad_(True)
        grads, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
        penalty = ((grads.norm(dim=1) - 1) ** 2).mean()
        loss = critic(x_q).mean() - critic(x_p).mean() + LAMBDA * penalty
        loss.backward()
        c_opt.step()

    def run_generator():
        g_opt.zero_grad()
        loss = -critic(generator(z)).mean()
        loss.backward()
        g_opt.step()

    return run_critic, run_generator, torch.__version__


def _torch_medians():
    """Median eager-PyTorch step times at its best thread count (1 or 2), or None."""
    try:
        import torch
    except ImportError:
        return None
    best = None
    for threads in (1, 2):
        torch.set_num_threads(threads)
        run_critic, run_generator, version = torch_steps()
        times = (median_time(run_critic, repeats=100, warmup=3),
                 median_time(run_generator, repeats=100, warmup=3))
        if best is None or times[0] < best[0]:
            best = (*times, threads, version)
    return best


def speed_table():
    run_critic, run_generator, run_scanned = jax_steps()
    jax_critic = median_time(run_critic, repeats=200, warmup=3)
    jax_generator = median_time(run_generator, repeats=200, warmup=3)
    jax_scanned = median_time(run_scanned, repeats=10, warmup=1) / 100
    peer = _torch_medians()
    label = "step (MLP 2-128-128, batch 256)"
    rows = []
    for task, ours, index in (("WGAN-GP critic step", jax_critic, 0),
                              ("generator step", jax_generator, 1),
                              ("WGAN-GP critic step inside train_critic (lax.scan of 100)",
                               jax_scanned, 0)):
        row = {label: task, "JAX jit (ms)": 1e3 * ours}
        if peer is None:
            row.update({"PyTorch eager (ms)": "torch not installed", "speed-up": ""})
        else:
            row.update({"PyTorch eager (ms)": 1e3 * peer[index],
                        "speed-up": peer[index] / ours})
        rows.append(row)
    notes = ("Goal: at least 2x faster than eager PyTorch. One call of the jitted step from "
             "Python (incl. dispatch) vs one eager PyTorch step (zero_grad, forward, "
             "create_graph gradient penalty, backward, Adam); the last row is the per-step "
             "time inside the compiled scan that train_critic uses, against the same eager "
             "PyTorch critic step. Same data sizes, same run, medians.")
    if peer is not None:
        notes += (f" PyTorch {peer[3]} at its faster thread count ({peer[2]}; with both "
                  "cores busy, 2 OpenMP threads can be many times slower).")
    import jax
    notes += f" JAX {jax.__version__} (CPU), float32."
    write_results("gan_speed", "GAN steps: JAX vs eager PyTorch", list(rows[0]), rows, notes)


# --- 2. critic fidelity -----------------------------------------------------------------------

def fidelity_tables():
    from otdiv.gan.plots import plot_fidelity
    from otdiv.gan.studies import critic_fidelity_study
    start = time.perf_counter()
    rows = critic_fidelity_study(steps=500 if QUICK else 2000, n=400, rng=0)
    elapsed = time.perf_counter() - start
    plot_fidelity(rows, RESULTS / "gan_fidelity.png")
    wasserstein = [row for row in rows if "exact_w1" in row]
    write_results(
        "gan_fidelity", "Critic fidelity: Wasserstein critics vs the exact W_1",
        ["pair", "loss", "exact_w1", "dual_estimate", "relative_error", "lipschitz",
         "lipschitz_bound", "certified_lower_bound"], wasserstein,
        "Critics trained on 400 vs 400 fixed samples (paper optimiser settings, MLP "
        "d-64-64-1 with leaky ReLU, batch 256); `lipschitz` is the exact Lipschitz constant "
        "on the pooled samples and `certified_lower_bound` is the larger of estimate / "
        "max(lipschitz, 1) and estimate / lipschitz (otdiv.verify_critic: a positive estimate "
        "is divided by lipschitz also when lipschitz < 1); `lipschitz_bound` is the product of spectral norms (global). "
        f"Whole study: {elapsed:.0f} s.")
    f_rows = [row for row in rows if "exact" in row]
    write_results(
        "gan_fidelity_f", "Critic fidelity: f-GAN critics vs the exact f-divergence",
        ["pair", "loss", "exact", "bound", "standard_error", "bound_train",
         "relative_error"], f_rows,
        "Variational bound E_P[T] - E_Q[f*(T)] of the trained critic on 20 000 held-out "
        "samples per side (`bound`) and on its 400 training samples (`bound_train`); exact "
        "values from otdiv.gaussian_f_divergence / f_divergence_density.")


# --- 3. training ------------------------------------------------------------------------------

def training_tables():
    from otdiv.gan.plots import plot_generator_gradients, plot_training
    from otdiv.gan.studies import generator_gradient_study, training_study
    steps = 300 if QUICK else 2000
    start = time.perf_counter()
    results = training_study(steps=steps, checkpoints=10, rng=0)
    elapsed = time.perf_counter() - start
    plot_training(results, RESULTS / "gan_training.png")
    rows = []
    for (data, loss), result in results.items():
        history = result.history
        rows.append({"data": data, "loss": loss, "W_1 at step 0": history["exact_w1"][0],
                     "final W_1": history["exact_w1"][-1], "best W_1": history["exact_w1"].min(),
                     "final energy distance": history["energy_distance"][-1],
                     "critic's final estimate": history["critic_estimate"][-1]})
    write_results(
        "gan_training", f"Training: exact W_1 to the data after {steps} generator steps", list(rows[0]),
        rows, "Paper defaults for every loss (GanConfig.for_loss), critic and generator "
        "MLPs 2-128-128, latent N(0, I_2); W_1 and energy distance between 300 fresh "
        f"generated and 300 fresh data samples. Whole study: {elapsed:.0f} s.")
    gradient_rows = generator_gradient_study(steps=500 if QUICK else 1500, rng=0)
    plot_generator_gradients(gradient_rows, RESULTS / "gan_gradients.png")
    write_results(
        "gan_gradients", "Generator gradient on the parallel lines (critic trained at each θ)",
        ["theta", "loss", "estimate", "generator_gradient"], gradient_rows,
        "|dL_G/dθ| at G_θ(z) = (θ, z) through a critic trained between (0, Z) and (θ, Z); "
        "JSGAN's estimate is of the GAN divergence 2 JSD - log 4 (0 for disjoint lines).")


if __name__ == "__main__":
    speed_table()
    if not SPEED_ONLY:
        fidelity_tables()
        training_tables()
