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

# Three profiles, chosen by HYPOTHESIS_PROFILE: "default" explores new random examples on
# every run; "ci" (set by .ci/run) draws the same examples on every machine, so that a build
# is reproducible and a green `HYPOTHESIS_PROFILE=ci make test` here means a green CI;
# "thorough" is the occasional long search for counter-examples (1000 per property).
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("default", max_examples=40, **_COMMON)
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(20261127)
