"""Ground truth: exact assignment (Monge), the Kantorovich LP with duals, 1-D closed forms."""

from .assignment import brute_force_assignment, solve_assignment
from .kantorovich import SolverError, solve_kantorovich
from .onedim import wasserstein_1d

__all__ = ["solve_assignment", "brute_force_assignment", "solve_kantorovich", "SolverError",
           "wasserstein_1d"]
