"""otdiv: optimal transport and divergence numerics.

Exact solvers are the ground truth; fast sample estimators are checked against them.
"""

from ._results import AssignmentResult, EmpiricalMeasure, Estimate, TransportResult
from ._results import GradientEstimate, MinimizerInterval, SGDResult
from ._results import TrainedCritic, TrainedGan  # returned by otdiv.gan (JAX not imported)
from .bias import (
    bernoulli_expected_gradient,
    bernoulli_gradient_bias,
    bernoulli_sample_minimizer,
    bernoulli_true_gradient,
    categorical_expected_gradient,
    categorical_gradient_bias,
    categorical_sgd,
    categorical_true_gradient,
    sgd,
)
from .critics import (
    CriticReport,
    FCriticReport,
    KantorovichPotential,
    kantorovich_potential,
    verify_critic,
    verify_f_critic,
)
from .distances import displacement_interpolation, transport, wasserstein
from ._results import NoiseBoundResult, ParallelLinesDivergences, VariationalBoundResult
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
from .exact import (
    SolverError,
    brute_force_assignment,
    solve_assignment,
    solve_kantorovich,
    wasserstein_1d,
)
from .exact.onedim import cramer_distance
from .sample_distances import energy_distance, sliced_energy_distance, sliced_wasserstein

__version__ = "0.1.0"

__all__ = [
    "F_DIVERGENCES",
    "FDivergence",
    "NoiseBoundResult",
    "ParallelLinesDivergences",
    "VariationalBoundResult",
    "f_divergence",
    "f_divergence_density",
    "gaussian_f_divergence",
    "noise_bound",
    "parallel_lines_divergences",
    "variational_bound",
    "AssignmentResult",
    "CriticReport",
    "FCriticReport",
    "EmpiricalMeasure",
    "Estimate",
    "KantorovichPotential",
    "SolverError",
    "TransportResult",
    "TrainedCritic",
    "TrainedGan",
    "brute_force_assignment",
    "cramer_distance",
    "displacement_interpolation",
    "energy_distance",
    "kantorovich_potential",
    "solve_assignment",
    "sliced_energy_distance",
    "sliced_wasserstein",
    "solve_kantorovich",
    "transport",
    "verify_critic",
    "verify_f_critic",
    "wasserstein",
    "wasserstein_1d",
    "GradientEstimate",
    "MinimizerInterval",
    "SGDResult",
    "bernoulli_expected_gradient",
    "bernoulli_gradient_bias",
    "bernoulli_sample_minimizer",
    "bernoulli_true_gradient",
    "categorical_expected_gradient",
    "categorical_gradient_bias",
    "categorical_sgd",
    "categorical_true_gradient",
    "sgd",
]
