"""``otdiv gan``: train a GAN on toy data; write its history (JSON), figures and model.

Every field of :class:`otdiv.gan.GanConfig` has a flag. A flag left out takes its value
from the run's base setup: ``--preset`` if given, else the paper defaults of ``--loss``
if given, else the default run (:data:`DEFAULT_RUN`: the ``gan_toy`` preset with
3 x 128 networks, which trains in 2000 steps on two cores in about a minute). Every flag is
checked before any training starts.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import write_text
from . import add_common_options, integer, non_negative_int, output_folder, to_jsonable

if TYPE_CHECKING:  # the GAN (and JAX) is imported when the command runs
    import numpy as np

    from ..gan.config import GanConfig

_TOYS = ("8gaussians", "25gaussians", "swissroll", "gaussian_1d", "mixture_1d",
         "parallel_line")
_IMAGES = ("digits", "mnist5k")
_DATA = _TOYS + _IMAGES
_PRESETS = ("gan_toy", "wgan", "sngan", "images_gp", "images_gp1", "images_clip", "images_sn",
            "images_conv_gp", "images_conv_sn", "images_conv_clip")

#: GanConfig.preset overrides of the default run (no --preset, no --loss).
DEFAULT_RUN: dict[str, Any] = dict(preset="gan_toy", critic_hidden=(128, 128, 128),
                   generator_hidden=(128, 128, 128))

# field -> (help, choices); types follow the dataclass annotations
_FIELD_HELP = {
    "critic_hidden": "critic hidden widths, comma-separated",
    "generator_hidden": "generator hidden widths, comma-separated",
    "latent_dim": "dimension of the generator's Gaussian noise",
    "activation": "hidden activation",
    "batch_size": "samples per step from each side",
    "n_critic": "critic steps per generator step",
    "optimizer": "critic optimiser",
    "learning_rate": "critic learning rate",
    "beta1": "critic Adam beta1",
    "beta2": "critic Adam beta2",
    "clip": "weight-clipping bound c (wgan-clip only)",
    "gp_weight": "gradient-penalty weight lambda (wgan-gp, cramer)",
    "power_iterations": "power-iteration steps per update (wgan-sn)",
    "cramer_features": "output dimension of the Cramér critic's feature map",
    "simultaneous": "f-GAN single-step simultaneous updates (needs --n-critic 1)",
    "generator_optimizer": "generator optimiser",
    "generator_learning_rate": "generator learning rate",
    "generator_beta1": "generator Adam beta1",
    "generator_beta2": "generator Adam beta2",
    "initialization": "weight initialisation of both networks",
    "generator_objective": "variational losses: minimax or non_saturating generator loss "
                           "(f-GAN default: non_saturating, as Nowozin et al. recommend)",
    "sign_check": "negate a Wasserstein critic with a negative dual value (train_critic)",
    "warmup_critic_steps": "critic steps before each warm-up generator step, 0 = none "
                           "(wgan-clip: 100, as the WGAN reference code)",
    "warmup_generator_steps": "the first this many generator steps are warm-up steps",
    "warmup_every": "every this many generator steps is a warm-up step",
    "generator_output": "generator output layer: linear, or sigmoid for pixel values",
    "critic_network": "critic architecture: mlp, or conv (square single-channel images; "
                      "also --critic)",
    "critic_channels": "channels of the conv critic's 4x4 stride-2 convolutions, "
                       "comma-separated",
    "layer_norm": "conv critic: layer norm after each convolution (default: on with a "
                  "gradient penalty, off otherwise; refused with wgan-sn)",
}


def _widths(text: str) -> tuple:
    try:
        widths = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers such "
                                         f"as 128,128, got {text!r}") from None
    if not widths or min(widths) < 1:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, "
                                         f"got {text!r}")
    return widths


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _default_config() -> GanConfig:
    from ..gan.config import GanConfig
    overrides = {key: value for key, value in DEFAULT_RUN.items() if key != "preset"}
    return GanConfig.preset(DEFAULT_RUN["preset"], **overrides)


def _shown(name: str, value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(item) for item in value)
    if name == "layer_norm":
        return "by loss and critic"
    if value is None:
        return "the critic's" if name.startswith("generator_") else "none"
    return str(value)


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    from ..gan import config as gan_config
    default = _default_config()
    choices = {"activation": gan_config.ACTIVATIONS, "optimizer": gan_config.OPTIMIZERS,
               "generator_optimizer": gan_config.OPTIMIZERS,
               "initialization": gan_config.INITIALIZATIONS,
               "generator_objective": gan_config.GENERATOR_OBJECTIVES,
               "generator_output": gan_config.GENERATOR_OUTPUTS,
               "critic_network": gan_config.CRITIC_NETWORKS}
    group = parser.add_argument_group(
        "GanConfig fields", "each defaults to the base setup's value: --preset, else the "
        "paper defaults of --loss, else the default run (shown)")
    for field in dataclasses.fields(default):
        if field.name == "loss":
            continue
        flag = "--" + field.name.replace("_", "-")
        shown = f" (default: {_shown(field.name, getattr(default, field.name))})"
        help_text = _FIELD_HELP[field.name] + shown
        if field.name in ("simultaneous", "sign_check", "layer_norm"):
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                               help=help_text)
        elif field.name == "critic_network":
            group.add_argument(flag, "--critic", dest="critic_network",
                               choices=choices[field.name], default=None, help=help_text)
        elif field.name in choices:
            group.add_argument(flag, choices=choices[field.name], default=None,
                               help=help_text)
        elif field.name.endswith("_hidden") or field.name == "critic_channels":
            group.add_argument(flag, type=_widths, default=None, metavar="W1,W2,...",
                               help=help_text)
        elif field.type in ("int", int):
            group.add_argument(flag, type=int, default=None, help=help_text)
        else:
            group.add_argument(flag, type=_finite_float, default=None, help=help_text)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gan", help="train a GAN (needs the [gan] extra) and record the exact W_1 to the data",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train an MLP generator on a toy data set; at each checkpoint record the "
                    "exact W_1 and energy distance between fresh generated and real samples "
                    "(each beside its sampling floor: the same metric between two fresh data "
                    "samples), the critic's estimate and, on the Gaussian mixtures, modes "
                    "covered and high-quality samples. Writes history.json (strict JSON, "
                    "null for a missing value), model.npz (otdiv.gan.load), distance.png, "
                    "samples.png and critic.png into --out.\n\nDefault run: the gan_toy "
                    "preset (WGAN-GP toy script: lambda 0.1, Adam(1e-4, 0.5, 0.9), batch "
                    "256, He init) with 3 x 128 ReLU networks.")
    parser.add_argument("--preset", choices=_PRESETS, default=None,
                        help="a paper's toy setup (default: none; see the description)")
    parser.add_argument("--loss", default=None, type=_loss_name, metavar="LOSS",
                        help="jsgan, jsgan-ns, fgan:<kind>, wgan-clip, wgan-gp, wgan-sn, "
                             "cramer (default: the preset's, or wgan-gp)")
    parser.add_argument("--data", default="8gaussians", choices=_DATA,
                        help="toy data set, or the image sets digits (64-D) and mnist5k "
                             "(784-D; the images extra), trained on their train split and "
                             "evaluated on the test split; without --preset/--loss an "
                             "image run uses the images_gp preset (default: 8gaussians)")
    parser.add_argument("--steps", type=integer(1), default=2000,
                        help="generator steps (default: 2000)")
    parser.add_argument("--checkpoints", type=integer(1), default=20,
                        help="history entries after step 0 (default: 20)")
    parser.add_argument("--eval-samples", type=integer(2), default=300,
                        help="fresh samples per side for the exact distances (default: 300)")
    parser.add_argument("--pool-size", type=integer(1), default=10_000,
                        help="training pool drawn from the data set (default: 10000)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="random seed (default: 0)")
    parser.add_argument("--out", required=True, type=output_folder, metavar="FOLDER",
                        help="output folder (created if missing; must not be an existing "
                             "file, and must take new files: checked before training). A "
                             "folder holding an earlier run's files is refused unless "
                             "--overwrite is given")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the files of an earlier run in --out")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    # Without JAX the command still parses and reports the install hint.
    with contextlib.suppress(ImportError):
        _add_config_flags(parser)
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def build_config(args: argparse.Namespace) -> GanConfig:
    """The run's :class:`GanConfig` from the parsed flags (raises ValueError/TypeError)."""
    from ..gan.config import GanConfig, check_loss
    overrides = {field.name: getattr(args, field.name)
                 for field in dataclasses.fields(GanConfig)
                 if field.name != "loss" and getattr(args, field.name, None) is not None}
    if args.preset is not None:
        config = GanConfig.preset(args.preset)
        if args.loss is not None and check_loss(args.loss) != config.loss:
            raise ValueError(f"--loss {args.loss} contradicts --preset {args.preset} "
                             f"(loss {config.loss!r}); give one of them")
    elif args.loss is not None:
        config = GanConfig.for_loss(args.loss, **({} if getattr(args, "data", None)
                                                  not in _IMAGES else _image_networks()))
    elif getattr(args, "data", None) in _IMAGES:
        config = GanConfig.preset("images_gp")
    else:
        config = _default_config()
    if "critic_network" in overrides and "layer_norm" not in overrides:
        overrides["layer_norm"] = None        # resolved again for the chosen network
    if config.loss == "wgan-clip" or "clip" not in overrides:
        return config.replace(**overrides)
    raise ValueError(f"--clip applies only to loss 'wgan-clip', got loss {config.loss!r}")


def _null_for_missing(history: Mapping[str, np.ndarray]) -> dict[str, list[float | None]]:
    """History lists with ``None`` (JSON null) where a value is NaN (e.g. losses at step 0)."""
    return {key: [None if isinstance(item, float) and math.isnan(item) else item
                  for item in value.tolist()] for key, value in history.items()}


#: The files a run writes into --out; a folder already holding any of them is an earlier run.
RUN_FILES = ("history.json", "model.npz", "distance.png", "samples.png", "critic.png",
             "digits.png")


def _image_networks() -> dict:
    from ..gan.config import IMAGE_NETWORKS
    return dict(IMAGE_NETWORKS)


def _loss_name(text: str) -> str:
    """An argparse type: a loss name the GAN module knows, refused with the list."""
    try:
        from ..gan.config import LOSSES
    except ImportError:  # without JAX the handler reports the install hint
        return text
    if text in LOSSES:
        return text
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(LOSSES)}, got {text!r}")


def _check_usage(args: argparse.Namespace) -> Path:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out must be a directory, got the existing file {str(out)!r}")
    earlier = [name for name in RUN_FILES if (out / name).exists()]
    if earlier and not args.overwrite:
        raise ValueError(f"--out {str(out)!r} holds an earlier run ({', '.join(earlier)}); "
                         "a new run would mix its files with those: choose another folder "
                         "or give --overwrite")
    return out


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    try:
        from ..gan import train_gan
        from ..gan.data import sample_dataset
        from ..gan.plots import plot_critic_landscape, plot_history, plot_samples
    except ImportError as error:
        raise ImportError(str(error)) from error

    config = build_config(args)
    out = _check_usage(args)
    out.mkdir(parents=True, exist_ok=True)  # fails now (exit 2), not after training

    result = train_gan(args.data, config=config, steps=args.steps, rng=args.seed,
                       checkpoints=args.checkpoints, eval_samples=args.eval_samples,
                       pool_size=args.pool_size, progress=not args.no_progress)
    history = _null_for_missing(result.history)
    payload = {"loss": result.loss, "data": args.data, "steps": args.steps,
               "seed": args.seed, "preset": args.preset, "config": result.config.to_dict(),
               "history": history}
    write_text(out / "history.json", json.dumps(to_jsonable(payload), indent=2,
                                                allow_nan=False))
    result.save(out / "model.npz")
    title = f"{result.loss} on {args.data}"
    plot_history(result.history, out / "distance.png", title=title)
    names = ["history.json", "model.npz", "distance.png"]
    if args.data in _IMAGES:
        from ..gan.data import image_split
        from ..gan.plots import plot_generated_digits
        train = image_split(args.data, "train")
        plot_generated_digits({args.steps: result.generator(10, rng=args.seed + 2)},
                              train.images, train.shape, out / "digits.png", title=title)
        names.append("digits.png")
    else:
        real = sample_dataset(args.data, 1000, rng=args.seed + 1)
        fake = result.generator(1000, rng=args.seed + 2)
        plot_samples(real, fake, out / "samples.png", title=title)
        names.append("samples.png")
    if result.config.family == "wasserstein" and args.data not in _IMAGES:
        from ..critics import kantorovich_potential
        real_few, fake_few = real[:300], fake[:300]
        plot_critic_landscape(result.critic, real_few, fake_few, out / "critic.png",
                              potential=kantorovich_potential(real_few, fake_few),
                              title=title)
        names.append("critic.png")
    for name in set(RUN_FILES) - set(names):  # --overwrite: no stale file of the earlier run
        (out / name).unlink(missing_ok=True)
    payload["files"] = [str(out / name) for name in names]
    h = result.history
    w1 = h["exact_w1"]
    floor = float(sorted(h["w1_floor"])[len(w1) // 2])
    lines = [
        f"otdiv gan: {title}, {args.steps} generator steps (seed {args.seed})",
        f"  exact W_1 to the data: {w1[0]:.4g} at step 0 -> {w1[-1]:.4g} at step "
        f"{int(h['step'][-1])} (best {w1.min():.4g}; floor between two data samples of "
        f"{args.eval_samples}: {floor:.4g})",
        f"  critic's final estimate: {h['critic_estimate'][-1]:.4g}",
    ]
    if "modes_covered" in h:
        lines.append(f"  modes covered: {int(h['modes_covered'][-1])}; high-quality samples "
                     f"(within 3 sigma of a centre): {h['high_quality_share'][-1]:.1%}")
    lines.append(f"  wrote {', '.join(payload['files'])}")
    return "\n".join(lines), payload
