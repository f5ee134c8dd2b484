"""verify_critic in high dimension: the blocked Lipschitz constant equals the all-pairs
kernel's, held-out estimates with their standard error, and `otdiv verify` on 784-D files."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otdiv import verify_critic
from otdiv._kernels.critics import max_slope
from otdiv.critics import _max_slope_blocked, empirical_lipschitz


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 300), d=st.integers(17, 80), seed=st.integers(0, 2**32 - 1),
       log_scale=st.floats(-4, 4), duplicates=st.booleans(), linear=st.booleans(),
       block=st.integers(1, 128))
def test_blocked_lipschitz_equals_the_all_pairs_kernel(n, d, seed, log_scale, duplicates,
                                                       linear, block):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, d)) * 10.0 ** log_scale
    if duplicates:  # exact and near duplicates: where the Gram formula loses all digits
        half = n // 2
        points[half:2 * half] = points[:half] + 1e-9 * 10.0 ** log_scale * \
            rng.normal(size=(half, d)) * rng.integers(0, 2, size=(half, 1))
    values = points @ rng.normal(size=d) if linear else rng.normal(size=n)
    slope, i, j = _max_slope_blocked(points, values, block=block)
    expected, _, _ = max_slope(points, values)
    assert slope == pytest.approx(expected, rel=1e-12) or slope == expected == np.inf
    if np.isfinite(slope) and slope > 0:
        assert abs(values[i] - values[j]) / np.linalg.norm(points[i] - points[j]) == \
            pytest.approx(slope, rel=1e-12)


def test_blocked_lipschitz_of_coincident_points_and_constant_critic():
    points = np.ones((5, 20))
    assert _max_slope_blocked(points, np.arange(5.0))[0] == np.inf
    assert empirical_lipschitz(points, np.zeros(5)) == (0.0, -1, -1)
    assert empirical_lipschitz(points[:1], np.zeros(1)) == (0.0, -1, -1)


def test_held_out_estimate_and_standard_error_are_the_sample_formulas():
    rng = np.random.default_rng(0)
    x, y = rng.normal(1.0, 1.0, (200, 30)), rng.normal(0.0, 1.0, (200, 30))
    h_p, h_q = rng.normal(1.0, 1.0, (300, 30)), rng.normal(0.0, 1.0, (400, 30))
    report = verify_critic(lambda z: z[:, 0], x, y, held_out=(h_p, h_q), progress=False)
    assert report.held_out_estimate == pytest.approx(h_p[:, 0].mean() - h_q[:, 0].mean())
    error = np.sqrt(h_p[:, 0].var(ddof=1) / 300 + h_q[:, 0].var(ddof=1) / 400)
    assert report.held_out_standard_error == pytest.approx(error)
    assert report.held_out_lower_confidence < report.held_out_estimate
    assert report.n_held_out == (300, 400)
    assert "held-out estimate" in report.summary()
    # the in-sample fields are unchanged by held_out
    plain = verify_critic(lambda z: z[:, 0], x, y, progress=False)
    assert plain.held_out_estimate is None and plain.dual_estimate == report.dual_estimate


def test_held_out_is_validated():
    x = np.zeros((4, 3))
    with pytest.raises(TypeError, match="held_out must be a pair"):
        verify_critic(lambda z: z[:, 0], x, x + 1, held_out=x)
    with pytest.raises(ValueError, match="3 columns"):
        verify_critic(lambda z: z[:, 0], x, x + 1, held_out=(np.zeros((4, 2)),) * 2)
    with pytest.raises(ValueError, match="at least 2 samples"):
        verify_critic(lambda z: z[:, 0], x, x + 1, held_out=(x[:1], x))


def test_verify_cli_accepts_784_dimensional_npy_files(tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "p.npy", rng.uniform(size=(60, 784)) + 0.5)
    np.save(tmp_path / "q.npy", rng.uniform(size=(50, 784)))
    (tmp_path / "critic.py").write_text(
        "import numpy as np\n"
        "def f(x):\n    return x.sum(axis=1) / np.sqrt(x.shape[1])\n")
    done = subprocess.run(
        [sys.executable, "-m", "otdiv", "verify", "--critic", f"{tmp_path}/critic.py:f",
         "--p", str(tmp_path / "p.npy"), "--q", str(tmp_path / "q.npy"), "--json"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    assert '"dimension": 784' in done.stdout and '"n_p": 60' in done.stdout
