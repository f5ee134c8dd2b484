"""``otdiv demo``: the three jobs otdiv exists for, on embedded data, in a couple of minutes.

Sections: the bakery problem; exact against estimated distances between toy samples;
f-divergences on the parallel lines; learned critics certified against exact W_1 (with the
``gan`` extra); the Bernoulli gradient bias. Writes ``report.md``, ``results.json`` and PNG
figures to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .._atomic import write_text
from . import add_common_options, markdown_table, non_negative_int, output_folder, to_jsonable

T = TypeVar("T")

#: What a section returns: its report text, its results for results.json, its figures.
Section = tuple[str, dict[str, Any], list[str]]


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run otdiv's main jobs on embedded data and write a report",
        description="The bakery problem, exact vs estimated distances, f-divergences on the "
                    "parallel lines, certified GAN critics (needs otdiv[gan]) and the "
                    "Bernoulli gradient bias. Writes report.md, results.json and figures.")
    parser.add_argument("--out", type=output_folder, default=Path("demo-out"), metavar="FOLDER",
                        help="output folder (created if missing; default demo-out)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller samples and shorter training (seconds, for smoke tests)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="random seed (default 0)")
    parser.add_argument("--sections", nargs="+", choices=[name for name, _ in SECTIONS],
                        metavar="NAME", help="run only these sections (default: all of "
                        + ", ".join(name for name, _ in SECTIONS) + ")")
    add_common_options(parser)
    parser.set_defaults(handler=handle)


def _timed(function: Callable[..., T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


#: Warm timings in the distances table: the median of this many calls, after a first call
#: on the same data (kernels compiled, caches and memory touched).
TIMING_REPEATS = 3


def _median_timed(function: Callable[..., T], repeats: int = TIMING_REPEATS) -> tuple[T, float]:
    """(value, median seconds of ``repeats`` calls after one untimed call)."""
    value = function()
    seconds = []
    for _ in range(repeats):
        _, elapsed = _timed(function)
        seconds.append(elapsed)
    return value, float(np.median(seconds))


def _save(figure: Any, out: Path, name: str) -> str:
    from ..plotting import save_figure
    save_figure(figure, out / name)
    return name


def _import_peers(with_dcor: bool = True) -> None:
    import ot  # noqa: F401
    import scipy.stats
    scipy.stats.wasserstein_distance([0.0, 1.0], [0.5])
    if not with_dcor:
        return
    try:
        import dcor
    except ImportError:
        return
    dcor.energy_distance(np.zeros((3, 2)), np.ones((3, 2)))


def compile_kernels(on_group: Callable[[str], object] | None = None, *, quick: bool = False
                    ) -> dict[str, float]:
    """Call every Numba kernel once on tiny inputs; return seconds per group.

    A kernel compiles on its first call in a fresh environment (tens of seconds in all,
    written to Numba's cache) and loads from the cache afterwards (about a second). Doing
    it here, as its own stage, keeps compilation out of every timing the demo reports.
    """
    from .. import (
        cramer_distance,
        energy_distance,
        sliced_energy_distance,
        sliced_wasserstein,
        transport,
        verify_critic,
        wasserstein,
    )

    line, plane = np.linspace(0.0, 1.0, 8), np.linspace(0.0, 1.0, 16).reshape(8, 2)
    weights = np.linspace(1.0, 2.0, 8)
    # Enough points that the exact energy distance takes its parallel kernels (above
    # estimators.PARALLEL_WORK_THRESHOLD), whose compilation is the slowest of all.
    cloud = np.random.default_rng(0).normal(size=(600, 2))
    groups = {
        "1-D distances": lambda: (wasserstein(line, line + 1), wasserstein(line, line, weights),
                                  cramer_distance(line, line + 1),
                                  energy_distance(line, line + 1)),
        "energy, exact pairwise": lambda: (
            energy_distance(plane, plane + 1, method="exact"),
            energy_distance(plane, plane + 1, weights, method="exact"),
            energy_distance(cloud, cloud + 1, method="exact")),
        "sliced estimators": lambda: (
            sliced_wasserstein(plane, plane + 1, n_projections=4, rng=0),
            sliced_energy_distance(plane, plane + 1, n_projections=4, rng=0)),
        "LP certificate": lambda: transport(plane, plane[::-1] + 1),
        "critic certificate": lambda: verify_critic(lambda x: x[:, 0], plane, plane + 1),
        # Not otdiv's, but a first import in a fresh environment compiles them too (dcor
        # JIT-compiles with Numba): keep that out of the section times as well.
        "peers' first import (scipy.stats, POT" + (")" if quick else ", dcor)"):
            lambda: _import_peers(with_dcor=not quick),
    }
    seconds = {}
    for name, call in groups.items():
        if on_group is not None:
            on_group(name)
        seconds[name] = _timed(call)[1]
    return seconds


def section_bakery(out: Path, rng: np.random.Generator, quick: bool) -> Section:
    from .bakery import bakery_report
    text, payload = bakery_report()
    return "## 1. The bakery problem (Monge and Kantorovich)\n\n```\n" + text + "\n```", \
        payload, []


def _row(quantity: str, ours: float, reference: float, reference_name: str, t_ours: float,
         t_reference: float, note: str = "") -> dict[str, Any]:
    difference = abs(ours - reference) / abs(reference) if reference != 0 else abs(ours)
    return {"quantity": quantity, "otdiv": float(ours), "reference": float(reference),
            "reference from": reference_name, "relative difference": float(difference),
            "otdiv time [s]": float(t_ours), "reference time [s]": float(t_reference),
            "note": note}


def section_distances(out: Path, rng: np.random.Generator, quick: bool) -> Section:
    import ot
    import scipy.stats

    from .. import (
        cramer_distance,
        energy_distance,
        sliced_energy_distance,
        sliced_wasserstein,
        transport,
        wasserstein,
    )
    from ..datasets import eight_gaussians, swiss_roll
    from ..plotting import plot_plan

    n_line = 20_000 if quick else 200_000
    repeats = 1 if quick else TIMING_REPEATS

    def _warm_timed(function: Callable[..., T]) -> tuple[T, float]:
        return _median_timed(function, repeats)

    x, y = rng.normal(0.0, 1.0, n_line), rng.normal(1.0, 2.0, n_line)
    rows = []
    ours, t1 = _warm_timed(lambda: wasserstein(x, y))
    ref, t2 = _warm_timed(lambda: scipy.stats.wasserstein_distance(x, y))
    rows.append(_row(f"W_1, 1-D, n = m = {n_line:,}", ours, ref, "scipy", t1, t2))
    ours, t1 = _warm_timed(lambda: energy_distance(x, y))
    ref, t2 = _warm_timed(lambda: scipy.stats.energy_distance(x, y))
    rows.append(_row(f"energy distance, 1-D, n = m = {n_line:,}", ours, ref, "scipy", t1, t2))
    ours, t1 = _warm_timed(lambda: cramer_distance(x, y) ** 2)
    rows.append(_row("Cramér l_2^2 = energy^2 / 2 (identity)", ours,
                     energy_distance(x, y, squared=True) / 2, "otdiv energy", t1, 0.0))

    n_plane = 200 if quick else 1000
    u = eight_gaussians(n_plane, rng=rng)
    v = swiss_roll(n_plane, rng=rng)
    ours, t1 = _warm_timed(lambda: wasserstein(u, v))
    a = np.full(n_plane, 1.0 / n_plane)
    ref, t2 = _warm_timed(lambda: ot.emd2(a, a, ot.dist(u, v, metric="euclidean")))
    rows.append(_row(f"W_1, 8 Gaussians vs swiss roll, n = {n_plane}", ours, ref,
                     "POT ot.emd2", t1, t2))
    exact_w2, t2 = _warm_timed(lambda: wasserstein(u, v, p=2))
    sliced_rng = int(rng.integers(2**32))  # the same directions on every timed call
    sliced, t1 = _warm_timed(lambda: sliced_wasserstein(u, v, p=2, n_projections=200,
                                                        rng=sliced_rng).value)
    rows.append(_row("sliced W_2 (200 directions) vs exact W_2", sliced, exact_w2,
                     "otdiv exact LP", t1, t2, "sliced W_2 <= W_2 always"))
    exact_energy, t2 = _warm_timed(lambda: energy_distance(u, v, method="exact"))
    if not quick:  # importing dcor JIT-compiles it (~15 s of CPU on every run)
        try:
            import dcor
            ref, t3 = _warm_timed(lambda: float(np.sqrt(dcor.energy_distance(u, v))))
            rows.append(_row("energy distance (exact pairwise)", exact_energy, ref, "dcor",
                             t2, t3))
        except ImportError:
            pass
    estimate, t1 = _warm_timed(lambda: sliced_energy_distance(u, v, squared=True,
                                                              n_projections=500,
                                                              rng=sliced_rng))
    exact_squared = exact_energy**2
    rows.append(_row("squared energy, sliced (500 directions) vs exact", estimate.value,
                     exact_squared, "otdiv exact", t1, t2,
                     f"standard error {estimate.standard_error:.2g}; error "
                     f"{abs(estimate.value - exact_squared) / estimate.standard_error:.1f} SE"))

    columns = ["quantity", "otdiv", "reference", "reference from", "relative difference",
               "otdiv time [s]", "reference time [s]", "note"]
    small_u, small_v = u[:60], v[:60]
    small_plan = transport(small_u, small_v)
    figure = plot_plan(small_u, small_v, small_plan.plan,
                       labels=("8 Gaussians", "swiss roll"),
                       title=f"Optimal W_1 plan, 60 + 60 samples: W_1 = {small_plan.cost:.4g}")
    figures = [_save(figure, out, "plan_8gaussians_swissroll.png")]
    text = ("## 2. Exact and estimated distances between samples\n\n"
            "Each otdiv number next to an independent reference on the same data, same run. "
            f"Times are warm: the median of {repeats} call{'s' * (repeats > 1)} after a "
            "first, untimed one (kernel compilation is the separate first stage; `make bench` "
            "has the benchmark medians). On a busy machine they are noisy."
            + (" `--quick` leaves out the comparison with dcor, whose import alone compiles "
               "for about 15 s of CPU." if quick else "") + "\n\n"
            + markdown_table(columns, rows, float_format=".6g")
            + "\n\n![optimal plan](plan_8gaussians_swissroll.png)\n\n"
            "_The figure: each segment joins a sample of the 8 Gaussians to the swiss-roll "
            "sample it sends mass to; the plan pairs points one to one and the title gives "
            "its cost, the exact W_1 of the two 60-point samples._")
    return text, {"rows": rows}, figures


def section_divergences(out: Path, rng: np.random.Generator, quick: bool) -> Section:
    from ..divergences import parallel_lines_divergences
    from ..divergences.figures import plot_parallel_lines

    thetas = (0.0, 0.1, 0.5, 1.0)
    values = parallel_lines_divergences(thetas)
    names = ("wasserstein", "jensen_shannon", "kl", "total_variation")
    rows = [{"theta": theta, **{name: float(getattr(values, name)[k]) for name in names}}
            for k, theta in enumerate(thetas)]
    figure = plot_parallel_lines(rng=rng)
    figures = [_save(figure, out, "parallel_lines.png")]
    text = ("## 3. Parallel lines: why Wasserstein gives a gradient\n\n"
            "P_0 = (0, Z), P_theta = (theta, Z), Z ~ U[0, 1]; exact values. JSD is the usual "
            "one (<= log 2); KL is infinite for every theta != 0.\n\n"
            + markdown_table(list(rows[0]), rows, float_format=".6g")
            + "\n\n![parallel lines](parallel_lines.png)")
    return text, {"rows": rows}, figures


def section_critics(out: Path, rng: np.random.Generator, quick: bool) -> Section:
    try:
        from ..gan import train_critic
    except ImportError as error:
        text = ("## 4. Learned critics, certified\n\nSkipped: the GAN module needs the optional "
                f"extra (`pip install otdiv[gan]`, JAX + optax). ({error})")
        return text, {"skipped": str(error)}, []
    from ..critics import verify_critic
    from ..datasets import eight_gaussians

    n = 128 if quick else 512
    x_p = eight_gaussians(n, rng=rng)
    x_q = x_p[rng.permutation(n)] * 0.8 + np.array([0.4, -0.2]) + 0.05 * rng.normal(size=(n, 2))
    steps = {"wgan-gp": 200 if quick else 2000, "wgan-clip": 200 if quick else 2000}
    rows = []
    for loss, n_steps in steps.items():
        trained, seconds = _timed(lambda loss=loss, n_steps=n_steps: train_critic(
            x_p, x_q, loss=loss, steps=n_steps, rng=rng, progress=False))
        report = verify_critic(trained.critic, x_p, x_q)
        rows.append({"critic": loss, "training steps": n_steps,
                     "dual estimate": report.dual_estimate, "exact W_1": report.exact_w1,
                     "Lipschitz (samples)": report.lipschitz,
                     "certified lower bound": report.certified_lower_bound,
                     "tight mass": report.plan_tightness, "passed": report.passed,
                     "training time [s]": seconds, "tol": report.tol})
    tol = rows[0]["tol"]
    for row in rows:
        del row["tol"]
    text = ("## 4. Learned critics, certified against exact W_1\n\n"
            "8 Gaussians against a shrunk, shifted, noisy copy. A critic **passes** when its "
            f"Lipschitz constant measured on the samples is at most 1 + tol and its dual "
            f"estimate E_P f - E_Q f is within tol of the exact W_1 (tol = {tol:g}). A "
            "clipped critic is not 1-Lipschitz, so its estimate is only E_P f - E_Q f <= "
            "K W_1 with an unknown K: `certified lower bound` divides the estimate by the "
            "measured constant (a lower bound on K), which keeps it below W_1 on these "
            "samples. Training times include JAX's compilation on first use.\n\n"
            + markdown_table(list(rows[0]), rows, float_format=".6g"))
    return text, {"rows": rows}, []


def section_bias(out: Path, rng: np.random.Generator, quick: bool) -> Section:
    from ..bias import bernoulli_sample_minimizer
    from ..bias.figures import plot_expected_gradients

    rows = []
    for m in (1, 2, 5, 10, 100):
        w1 = bernoulli_sample_minimizer(0.6, m, distance="wasserstein")
        cramer = bernoulli_sample_minimizer(0.6, m, distance="cramer")
        rows.append({"m": m, "W_1 sample minimiser": f"[{w1.lower:.3g}, {w1.upper:.3g}]",
                     "Cramér sample minimiser": f"{cramer.midpoint:.6g}"})
    figure = plot_expected_gradients(n_theta=101 if quick else 401)
    figures = [_save(figure, out, "bernoulli_gradients.png")]
    text = ("## 5. Biased Wasserstein gradients (target Ber(0.6))\n\n"
            "Minimisers of the expected minibatch loss E L(P_m, Q_theta): W_1 settles on a "
            "median of k/m, not on the target's 0.6; the Cramér distance on 0.6 for every "
            "m.\n\n"
            + markdown_table(list(rows[0]), rows, float_format=".6g")
            + "\n\n![expected gradients](bernoulli_gradients.png)")
    return text, {"rows": rows}, figures


SECTIONS = [("bakery", section_bakery), ("distances", section_distances),
            ("divergences", section_divergences), ("critics", section_critics),
            ("bias", section_bias)]


def run_demo(out: Path, *, quick: bool = False, progress: bool = True, seed: int = 0,
             sections: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the sections (all by default); write report.md, results.json and figures."""
    import matplotlib
    matplotlib.use("Agg")
    from tqdm import tqdm

    if out.exists() and not out.is_dir():
        raise ValueError(f"--out must be a folder, got the existing file {str(out)!r}")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    parts, results, figures = ["# otdiv demo report\n"], {}, []
    chosen = [(name, section) for name, section in SECTIONS
              if sections is None or name in sections]
    bar = tqdm(total=len(chosen) + 1, desc="otdiv demo", disable=not progress, unit="stage")
    compile_seconds, total = _timed(lambda: compile_kernels(
        lambda group: bar.set_postfix_str(f"first calls, compiled once then cached: {group}"),
        quick=quick))
    results["compile"] = {"seconds": total, "groups": compile_seconds}
    parts.append("## 0. First calls: Numba kernels\n\notdiv's kernels compile on their first "
                 "call in a fresh environment and are cached on disk; later runs load them (the "
                 "peers' first import is timed here too). This run: "
                 f"{total:.1f} s ("
                 + ", ".join(f"{name} {seconds:.1f} s"
                             for name, seconds in compile_seconds.items())
                 + "). No timing below includes it.\n")
    bar.update()
    for name, section in chosen:
        bar.set_postfix_str(name)
        (text, payload, section_figures), seconds = _timed(
            lambda section=section: section(out, rng, quick))
        parts.append(text + f"\n\n_Section time: {seconds:.1f} s._\n")
        results[name] = {"seconds": seconds, **payload}
        figures += section_figures
        bar.update()
    bar.close()
    write_text(out / "report.md", "\n".join(parts))
    write_text(out / "results.json", json.dumps(to_jsonable(results), indent=2))
    return {"out": str(out), "report": str(out / "report.md"),
            "results": str(out / "results.json"), "figures": [str(out / f) for f in figures],
            "sections": {name: results[name]["seconds"] for name in results}}


def handle(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    summary = run_demo(args.out, quick=args.quick, progress=not args.no_progress,
                       seed=args.seed, sections=args.sections)
    lines = [f"otdiv demo finished: report in {summary['report']}",
             f"  results: {summary['results']}"]
    lines += [f"  figure:  {path}" for path in summary["figures"]]
    lines += [f"  {name}: {seconds:.1f} s" + (" (Numba kernels: compiled on the first run, "
                                              "loaded from the cache afterwards)"
                                              if name == "compile" else "")
              for name, seconds in summary["sections"].items()]
    return "\n".join(lines), summary
