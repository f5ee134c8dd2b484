"""``otdiv gan``: train a GAN on toy data; write its history (JSON) and figures (PNG)."""

from __future__ import annotations

import json
from pathlib import Path

from . import add_common_options, to_jsonable

_DATA = ("8gaussians", "25gaussians", "swissroll", "gaussian_1d", "mixture_1d",
         "parallel_line")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "gan", help="train a GAN (needs the [gan] extra) and record the exact W_1 to the data",
        description="Train an MLP generator with the chosen loss on a toy data set; at each "
                    "checkpoint record the exact W_1 and energy distance between fresh "
                    "generated and real samples and the critic's estimate. Writes "
                    "history.json, distance.png and samples.png into --out.")
    parser.add_argument("--loss", default="wgan-gp",
                        help="jsgan, jsgan-ns, fgan:<kind>, wgan-clip, wgan-gp, wgan-sn, "
                             "cramer (default wgan-gp)")
    parser.add_argument("--data", default="8gaussians", choices=_DATA)
    parser.add_argument("--steps", type=int, default=2000, help="generator steps")
    parser.add_argument("--checkpoints", type=int, default=20)
    parser.add_argument("--eval-samples", type=int, default=300,
                        help="fresh samples per side for the exact distances")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def handle(args):
    try:
        from ..gan import train_gan
        from ..gan.plots import plot_history, plot_samples
    except ImportError as error:
        raise ImportError(str(error)) from error
    from ..gan.training import _datasets

    result = train_gan(args.data, loss=args.loss, steps=args.steps, rng=args.seed,
                       checkpoints=args.checkpoints, eval_samples=args.eval_samples,
                       progress=not args.quiet)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    history = {key: value for key, value in result.history.items()}
    config = {field: getattr(result.config, field)
              for field in result.config.__dataclass_fields__}
    payload = {"loss": result.loss, "data": args.data, "steps": args.steps,
               "seed": args.seed, "config": config, "history": history}
    (out / "history.json").write_text(json.dumps(to_jsonable(payload), indent=2))
    title = f"{result.loss} on {args.data}"
    plot_history(result.history, out / "distance.png", title=title)
    real = _datasets()[args.data](1000, rng=args.seed + 1)
    plot_samples(real, result.generator(1000, rng=args.seed + 2), out / "samples.png",
                 title=title)
    payload["files"] = [str(out / name) for name in
                        ("history.json", "distance.png", "samples.png")]
    w1 = result.history["exact_w1"]
    lines = [
        f"otdiv gan: {title}, {args.steps} generator steps (seed {args.seed})",
        f"  exact W_1 to the data: {w1[0]:.4g} at step 0 -> {w1[-1]:.4g} at step "
        f"{int(result.history['step'][-1])} (best {w1.min():.4g})",
        f"  critic's final estimate: {result.history['critic_estimate'][-1]:.4g}",
        f"  wrote {', '.join(payload['files'])}",
    ]
    return "\n".join(lines), payload
