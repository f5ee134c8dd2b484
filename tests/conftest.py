import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# otdiv hands POT numpy arrays only; keep POT from importing torch/JAX backends (seconds per
# test process). The library itself never sets these: that is the user's process to decide.
for _switch in ("POT_BACKEND_DISABLE_PYTORCH", "POT_BACKEND_DISABLE_JAX",
                "POT_BACKEND_DISABLE_TENSORFLOW", "POT_BACKEND_DISABLE_CUPY"):
    os.environ.setdefault(_switch, "1")

# otdiv before any test module: it selects Numba's fork-safe TBB threading layer, which must
# happen before a library starts Numba's threads (importing dcor compiles a parallel kernel).
import otdiv  # noqa: E402,F401

settings.register_profile("default", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(20261127)
