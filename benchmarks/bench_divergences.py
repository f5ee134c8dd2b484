"""f-divergences side by side: otdiv vs scipy on the same vectors; quadrature vs closed forms.

Run: .venv/bin/python benchmarks/bench_divergences.py  (writes results/divergences_*.{json,md})
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import median_time, write_results


def discrete_vs_scipy(sizes=(1_000, 100_000, 1_000_000), repeats=7):
    from scipy.spatial.distance import jensenshannon
    from scipy.special import rel_entr

    from otdiv import f_divergence

    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        p, q = rng.random(n), rng.random(n)
        p[::10] = 0.0  # exercise the 0 log 0 limit
        p, q = p / p.sum(), q / q.sum()
        peers = {
            "kl": lambda: float(np.sum(rel_entr(p, q))),
            "jensen_shannon": lambda: float(jensenshannon(p, q) ** 2),
        }
        for kind, peer in peers.items():
            ours = lambda kind=kind: f_divergence(p, q, kind)  # noqa: E731
            t_ours = median_time(ours, repeats=repeats)
            t_peer = median_time(peer, repeats=repeats)
            rows.append({"kind": kind, "n": n, "otdiv [s]": t_ours,
                         "scipy [s]": t_peer, "otdiv / scipy": t_ours / t_peer,
                         "|difference|": abs(ours() - peer())})
    return write_results(
        "divergences_discrete",
        "Discrete f-divergences: otdiv.f_divergence vs scipy (rel_entr sum, jensenshannon²)",
        ["kind", "n", "otdiv [s]", "scipy [s]", "otdiv / scipy", "|difference|"], rows,
        notes="otdiv validates and normalises both vectors (scipy's rel_entr does neither) "
              "and returns +inf when the divergence is infinite.")


def quadrature_vs_closed_form(repeats=5):
    from scipy import stats

    from otdiv import f_divergence_density, gaussian_f_divergence
    from otdiv.divergences import GAUSSIAN_CLOSED_FORM_KINDS

    p, q = stats.norm(0.0, 1.0), stats.norm(1.0, 1.2)
    rows = []
    for kind in GAUSSIAN_CLOSED_FORM_KINDS:
        exact = gaussian_f_divergence(0.0, 1.0, 1.0, 1.2, kind)

        def numeric(kind=kind):
            return f_divergence_density(p.logpdf, q.logpdf, kind, support=(-np.inf, np.inf),
                                        log_density=True)

        rows.append({"kind": kind, "closed form": exact, "quadrature": numeric(),
                     "|error|": abs(numeric() - exact),
                     "quadrature [s]": median_time(numeric, repeats=repeats),
                     "closed form [s]": median_time(
                         lambda kind=kind: gaussian_f_divergence(0.0, 1.0, 1.0, 1.2, kind),
                         repeats=repeats)})
    return write_results(
        "divergences_gaussian",
        "D_f(N(0, 1) ‖ N(1, 1.2²)): f_divergence_density (log densities, whole line) "
        "vs closed form",
        ["kind", "closed form", "quadrature", "|error|", "quadrature [s]", "closed form [s]"],
        rows,
        notes="Quadrature includes checking that both densities integrate to 1; total variation "
              "is integrated without telling quad where the densities cross.")


def variational_bound_accuracy(sizes=(1_000, 10_000, 100_000), seeds=range(20)):
    from scipy import stats

    from otdiv import F_DIVERGENCES, f_divergence_density, variational_bound

    p, q = stats.norm(0.6, 1.0), stats.norm(0.0, 1.2)
    rows = []
    for kind in ("kl", "jensen_shannon", "squared_hellinger", "gan"):
        divergence = F_DIVERGENCES[kind]
        exact = f_divergence_density(p.logpdf, q.logpdf, kind, support=(-np.inf, np.inf),
                                     log_density=True)

        def critic(x, divergence=divergence):
            return divergence.activation_inverse(
                divergence.optimal_critic(np.exp(p.logpdf(x) - q.logpdf(x))))

        for n in sizes:
            errors, covered = [], 0
            for seed in seeds:
                rng = np.random.default_rng(seed)
                result = variational_bound(critic, p.rvs(n, random_state=rng),
                                           q.rvs(n, random_state=rng), kind)
                errors.append(result.value - exact)
                covered += abs(result.value - exact) <= 2 * result.standard_error
            rows.append({"kind": kind, "n": n, "exact D_f": exact,
                         "mean error": float(np.mean(errors)),
                         "RMS error": float(np.sqrt(np.mean(np.square(errors)))),
                         "within 2 SE": f"{covered}/{len(seeds)}"})
    return write_results(
        "divergences_variational",
        "variational_bound with the optimal critic, P = N(0.6, 1), Q = N(0, 1.2²)",
        ["kind", "n", "exact D_f", "mean error", "RMS error", "within 2 SE"], rows,
        notes=f"{len(seeds)} seeds per row; n samples from each of P and Q.")


if __name__ == "__main__":
    discrete_vs_scipy()
    quadrature_vs_closed_form()
    variational_bound_accuracy()
