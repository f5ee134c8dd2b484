"""otdiv: optimal transport and divergence numerics.

Exact solvers are the ground truth; fast sample estimators are checked against them.
The learned critics live in the optional :mod:`otdiv.gan` (JAX + optax), which
``import otdiv`` never imports: ``otdiv.TrainedCritic`` and ``otdiv.TrainedGan`` (the
results of :mod:`otdiv.gan.training`, defined in :mod:`otdiv.gan.results`) are resolved
on first access by the module's ``__getattr__``, which imports :mod:`otdiv.gan` then.
"""

from typing import TYPE_CHECKING

from ._sample_results import (
    CriticReport,
    EmpiricalMeasure,
    Estimate,
    FCriticReport,
    KantorovichPotential,
)
from ._validation import Grid
from .bias import (
    bernoulli_expected_gradient,
    bernoulli_gradient_bias,
    bernoulli_sample_minimizer,
    bernoulli_sgd,
    bernoulli_true_gradient,
    categorical_expected_gradient,
    categorical_gradient_bias,
    categorical_sgd,
    categorical_true_gradient,
)
from .bias.results import GradientEstimate, MinimizerInterval, SGDResult
from .critics import kantorovich_potential, verify_critic, verify_f_critic
from .distance_matrix import PairwiseResult, pairwise
from .divergences import (
    F_DIVERGENCES,
    FDivergence,
    f_divergence,
    f_divergence_density,
    gaussian_f_divergence,
    noise_bound,
    parallel_lines_divergences,
    variational_bound,
)
from .divergences.results import NoiseBoundResult, ParallelLinesDivergences, VariationalBoundResult
from .estimators import energy_distance, sliced_energy_distance, sliced_wasserstein
from .exact import (
    SolverError,
    brute_force_assignment,
    solve_assignment,
    solve_kantorovich,
    wasserstein_1d,
)
from .exact.onedim import cramer_distance
from .exact.results import AssignmentResult, TransportResult
from .sample_transport import displacement_interpolation, transport, wasserstein

if TYPE_CHECKING:  # the type checker sees them; at run time __getattr__ imports them
    from .gan.results import TrainedCritic as TrainedCritic
    from .gan.results import TrainedGan as TrainedGan


def _version() -> str:
    """The installed distribution's version (setup.cfg is its one source)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("otdiv")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__version__ = _version()

#: Names offered here but defined in the optional GAN extra, imported on first access so
#: that ``import otdiv`` never imports JAX (not in ``__all__``: ``from otdiv import *``
#: must work without the extra).
_GAN_RESULTS = ("TrainedCritic", "TrainedGan")


def __getattr__(name: str) -> type:
    """``otdiv.TrainedCritic`` / ``otdiv.TrainedGan``: import :mod:`otdiv.gan.results` when
    first asked for (ImportError with the install command when JAX is missing)."""
    if name in _GAN_RESULTS:
        from .gan import results

        return getattr(results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_GAN_RESULTS])


__all__ = [
    # exact ground truth
    "solve_assignment", "brute_force_assignment", "solve_kantorovich", "SolverError",
    "AssignmentResult", "TransportResult",
    # distances between samples
    "wasserstein", "wasserstein_1d", "transport", "displacement_interpolation", "Grid",
    "EmpiricalMeasure", "cramer_distance", "energy_distance", "sliced_energy_distance",
    "sliced_wasserstein", "Estimate",
    # many distributions at once
    "pairwise", "PairwiseResult",
    # f-divergences
    "F_DIVERGENCES", "FDivergence", "f_divergence", "f_divergence_density",
    "gaussian_f_divergence", "variational_bound", "VariationalBoundResult",
    "parallel_lines_divergences", "ParallelLinesDivergences", "noise_bound",
    "NoiseBoundResult",
    # critics
    "verify_critic", "CriticReport", "verify_f_critic", "FCriticReport",
    "kantorovich_potential", "KantorovichPotential",
    # gradient bias
    "bernoulli_expected_gradient", "bernoulli_true_gradient", "bernoulli_gradient_bias",
    "bernoulli_sample_minimizer", "categorical_expected_gradient",
    "categorical_true_gradient", "categorical_gradient_bias", "bernoulli_sgd",
    "categorical_sgd",
    "GradientEstimate", "MinimizerInterval", "SGDResult",
]
