"""Numba kernels behind otdiv's fast estimators.

Each kernel is a plain Python function compiled with ``numba.njit(cache=True)``; its
``.py_func`` is the uncompiled body, which the tests compare against the compiled one. Kernels
do no validation: callers pass C-contiguous float64 arrays that the public functions have
already checked (finite values, non-empty, weights normalised to sum 1). Users never import
this package directly.

Modules
-------
onedim
    Merges over sorted samples on the real line: quantile (W_p) and CDF (Cramér ℓ_p)
    distances, uniform and weighted.
energy
    Parallel, blocked pairwise distance sums for the exact energy distance in R^d, using
    O(n + m) memory and a fixed block partition so results do not depend on thread timing.
"""
