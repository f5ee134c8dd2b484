"""Hypothesis strategies whose answers are known in advance, shared by the test modules."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

finite_floats = st.floats(min_value=-100, max_value=100, allow_nan=False, allow_infinity=False,
                          width=64)


@st.composite
def point_clouds(draw, *, min_points=1, max_points=8, dimension=None, max_dimension=3):
    """An ``(n, d)`` float64 point cloud with coordinates in [-100, 100]."""
    d = dimension if dimension is not None else draw(st.integers(1, max_dimension))
    n = draw(st.integers(min_points, max_points))
    return draw(hnp.arrays(np.float64, (n, d), elements=finite_floats))


@st.composite
def weights(draw, n):
    """Positive weights (each at least 1e-3 before normalisation) of length ``n``."""
    return draw(hnp.arrays(np.float64, (n,), elements=st.floats(1e-3, 1.0)))


@st.composite
def cost_with_cheap_permutation(draw, *, min_n=1, max_n=7):
    """A square cost whose unique optimal assignment is a known permutation.

    Entries on the permutation lie in [0, 1); every other entry is at least n, so any other
    assignment costs at least n > the permutation's total.
    Returns ``(cost, permutation)``.
    """
    n = draw(st.integers(min_n, max_n))
    permutation = np.array(draw(st.permutations(range(n))), dtype=np.intp)
    cost = draw(hnp.arrays(np.float64, (n, n), elements=st.floats(n, 10.0 * n + 10)))
    cheap = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.0, 0.999)))
    cost[np.arange(n), permutation] = cheap
    return cost, permutation
