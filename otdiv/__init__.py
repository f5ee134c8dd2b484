"""otdiv: optimal transport and divergence numerics.

Exact solvers are the ground truth; fast sample estimators are checked against them.
"""

from ._results import AssignmentResult, EmpiricalMeasure, TransportResult
from .critics import CriticReport, KantorovichPotential, kantorovich_potential, verify_critic
from .distances import displacement_interpolation, transport, wasserstein
from .exact import (
    SolverError,
    brute_force_assignment,
    solve_assignment,
    solve_kantorovich,
    wasserstein_1d,
)

__version__ = "0.1.0"

__all__ = [
    "AssignmentResult",
    "CriticReport",
    "EmpiricalMeasure",
    "KantorovichPotential",
    "SolverError",
    "TransportResult",
    "brute_force_assignment",
    "displacement_interpolation",
    "kantorovich_potential",
    "solve_assignment",
    "solve_kantorovich",
    "transport",
    "verify_critic",
    "wasserstein",
    "wasserstein_1d",
]
