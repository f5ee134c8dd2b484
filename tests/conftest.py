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

# Three profiles, chosen by HYPOTHESIS_PROFILE (unset means "ci"):
# - "ci", the default and what `make test` and .ci/run use: the same examples on every machine
#   and every run (derandomize=True), and no example database (database=None), so that neither
#   a new random draw nor a counter-example an exploring run saved in .hypothesis/ can change
#   the outcome of the README's test command;
# - "explore" (`make test-explore`, optionally `SEED=n` for a reproducible search): new random
#   examples on every run, saving counter-examples in .hypothesis/ and replaying them;
# - "thorough": the occasional long search for counter-examples (1000 per property).
# Every counter-example a search finds is kept as an `@example` on its property, so that the
# ci profile checks it from then on.
_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=40, derandomize=True, database=None, **_COMMON)
settings.register_profile("explore", max_examples=40, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or "ci")

@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(20261127)
