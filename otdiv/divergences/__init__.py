"""f-divergences: the registry, exact values, variational bounds and the lecture's examples."""

from .densities import GAUSSIAN_CLOSED_FORM_KINDS, f_divergence_density, gaussian_f_divergence
from .discrete import f_divergence
from .figures import plot_noise_bound, plot_parallel_lines
from .lecture import noise_bound, parallel_lines_divergences
from .registry import F_DIVERGENCES, ConjugateDomain, FDivergence, get_f_divergence
from .variational import variational_bound

__all__ = [
    "F_DIVERGENCES",
    "GAUSSIAN_CLOSED_FORM_KINDS",
    "ConjugateDomain",
    "FDivergence",
    "f_divergence",
    "f_divergence_density",
    "gaussian_f_divergence",
    "get_f_divergence",
    "noise_bound",
    "parallel_lines_divergences",
    "plot_noise_bound",
    "plot_parallel_lines",
    "variational_bound",
]
