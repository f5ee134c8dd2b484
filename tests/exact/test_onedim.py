"""1-D closed forms: W_p, Cramér ℓ_p and the energy identity, against LP, scipy and POT."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import ot
import pytest
import scipy.stats
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from otdiv import cramer_distance, energy_distance, solve_kantorovich, wasserstein_1d
from otdiv._kernels import onedim as kernels
from otdiv.exact.onedim import _wasserstein_pp_numpy

values = hnp.arrays(np.float64, st.integers(1, 12),
                    elements=st.floats(-100, 100, allow_nan=False, width=64))


@st.composite
def weighted_sample(draw, min_size=1, max_size=12):
    n = draw(st.integers(min_size, max_size))
    points = draw(hnp.arrays(np.float64, n, elements=st.floats(-100, 100, width=64)))
    # include exact zeros: zero-weight points must not matter
    mass = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 0.25, 0.5, 1.0, 3.0])
                           | st.floats(1e-3, 1.0)))
    if mass.sum() == 0:
        mass[0] = 1.0
    return points, mass


def cdf_distance_pp_numpy(u, v, u_w, v_w, p):
    """∫|F - G|^p by evaluating both CDFs between consecutive values of the union."""
    grid = np.sort(np.concatenate([u, v]))
    widths = np.diff(grid)
    u_cdf = np.array([u_w[u <= x].sum() for x in grid[:-1]]) / u_w.sum()
    v_cdf = np.array([v_w[v <= x].sum() for x in grid[:-1]]) / v_w.sum()
    return float(np.sum(widths * np.abs(u_cdf - v_cdf) ** p))


# --- compiled kernels equal their Python bodies -----------------------------------------

@pytest.mark.parametrize("p", [1.0, 2.0, 2.5, np.inf])
@pytest.mark.parametrize("sizes", [(1, 1), (5, 5), (7, 3), (4, 9)])
def test_compiled_kernels_equal_py_func(rng, p, sizes):
    n, m = sizes
    u = np.sort(rng.integers(-3, 4, n).astype(float))  # many ties
    v = np.sort(rng.normal(size=m))
    u_w = rng.random(n)
    v_w = rng.random(m)
    u_w, v_w = u_w / u_w.sum(), v_w / v_w.sum()
    for kernel, args in [(kernels.quantile_distance_pp_uniform, (u, v, p)),
                         (kernels.cdf_distance_pp_uniform, (u, v, p)),
                         (kernels.quantile_distance_pp_weighted, (u, u_w, v, v_w, p)),
                         (kernels.cdf_distance_pp_weighted, (u, u_w, v, v_w, p))]:
        assert kernel(*args) == pytest.approx(kernel.py_func(*args), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("sizes", [(6, 6), (6, 4), (3, 8)])
def test_uniform_kernels_equal_weighted_kernels_with_equal_weights(rng, sizes):
    n, m = sizes
    u, v = np.sort(rng.normal(size=n)), np.sort(rng.normal(size=m))
    u_w, v_w = np.full(n, 1 / n), np.full(m, 1 / m)
    for p in (1.0, 3.0):
        assert kernels.quantile_distance_pp_uniform(u, v, p) == pytest.approx(
            kernels.quantile_distance_pp_weighted(u, u_w, v, v_w, p), rel=1e-13)
        assert kernels.cdf_distance_pp_uniform(u, v, p) == pytest.approx(
            kernels.cdf_distance_pp_weighted(u, u_w, v, v_w, p), rel=1e-13)


# --- ground truth: the LP, the NumPy oracle, scipy and POT --------------------------------

@pytest.mark.parametrize("p", [1.0, 2.0, 3.5])
def test_closed_form_equals_kantorovich_lp_on_random_weighted_samples(rng, p):
    for n, m in [(1, 4), (7, 7), (9, 5), (12, 15)]:
        u, v = rng.normal(size=n), rng.normal(0.5, 2.0, size=m)
        u_w, v_w = rng.random(n) + 0.01, rng.random(m) + 0.01
        lp = solve_kantorovich(u_w / u_w.sum(), v_w / v_w.sum(),
                               np.abs(u[:, None] - v[None, :]) ** p)
        assert wasserstein_1d(u, v, u_w, v_w, p=p) == pytest.approx(lp.cost ** (1 / p),
                                                                    rel=1e-9, abs=1e-12)


@given(weighted_sample(), weighted_sample(), st.sampled_from([1.0, 2.0, 3.0, 1.5]))
def test_kernel_merge_equals_numpy_quantile_oracle(first, second, p):
    (u, u_w), (v, v_w) = first, second
    oracle = _wasserstein_pp_numpy(u, v, u_w / u_w.sum(), v_w / v_w.sum(), p) ** (1 / p)
    assert wasserstein_1d(u, v, u_w, v_w, p=p) == pytest.approx(oracle, rel=1e-9, abs=1e-9)


@given(weighted_sample(), weighted_sample())
def test_w1_agrees_with_scipy_wasserstein_distance(first, second):
    (u, u_w), (v, v_w) = first, second
    expected = scipy.stats.wasserstein_distance(u, v, u_w, v_w)
    assert wasserstein_1d(u, v, u_w, v_w) == pytest.approx(expected, rel=1e-10, abs=1e-10)


def test_w1_unweighted_agrees_with_scipy_on_unequal_sizes(rng):
    u, v = rng.normal(size=1001), rng.standard_t(3, size=737)
    assert wasserstein_1d(u, v) == pytest.approx(scipy.stats.wasserstein_distance(u, v),
                                                 rel=1e-12)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_wp_agrees_with_pot_wasserstein_1d(rng, p):
    u, v = rng.normal(size=300), rng.exponential(size=200)
    u_w, v_w = rng.random(300), rng.random(200)
    expected = ot.wasserstein_1d(u, v, u_w / u_w.sum(), v_w / v_w.sum(), p=p) ** (1 / p)
    assert wasserstein_1d(u, v, u_w, v_w, p=p) == pytest.approx(expected, rel=1e-10)


@given(weighted_sample(), weighted_sample(), st.sampled_from([1.0, 2.0, 3.0]))
def test_cramer_distance_equals_direct_cdf_integral(first, second, p):
    (u, u_w), (v, v_w) = first, second
    expected = cdf_distance_pp_numpy(u, v, u_w, v_w, p) ** (1 / p)
    assert cramer_distance(u, v, u_w, v_w, p=p) == pytest.approx(expected, rel=1e-9, abs=1e-9)


# --- identities -------------------------------------------------------------------------

@given(weighted_sample(), weighted_sample())
def test_ell_1_equals_w_1(first, second):
    (u, u_w), (v, v_w) = first, second
    assert cramer_distance(u, v, u_w, v_w, p=1) == pytest.approx(
        wasserstein_1d(u, v, u_w, v_w), rel=1e-9, abs=1e-9)


@given(weighted_sample(), weighted_sample())
def test_squared_energy_equals_twice_squared_ell_2(first, second):
    (u, u_w), (v, v_w) = first, second
    assert energy_distance(u, v, u_w, v_w, squared=True) == pytest.approx(
        2 * cramer_distance(u, v, u_w, v_w) ** 2, rel=1e-12, abs=1e-12)


@given(weighted_sample(), weighted_sample())
def test_energy_distance_agrees_with_scipy(first, second):
    (u, u_w), (v, v_w) = first, second
    assert energy_distance(u, v, u_w, v_w) == pytest.approx(
        scipy.stats.energy_distance(u, v, u_w, v_w), rel=1e-9, abs=1e-9)


def test_energy_distance_agrees_with_scipy_on_large_unweighted_samples(rng):
    u, v = rng.normal(size=5000), rng.normal(0.1, size=4000)
    assert energy_distance(u, v) == pytest.approx(scipy.stats.energy_distance(u, v),
                                                  rel=1e-11)


# --- metric properties ----------------------------------------------------------------

@given(weighted_sample(), weighted_sample(), st.sampled_from([1.0, 2.0, 3.0]))
def test_symmetry(first, second, p):
    (u, u_w), (v, v_w) = first, second
    assert wasserstein_1d(u, v, u_w, v_w, p=p) == pytest.approx(
        wasserstein_1d(v, u, v_w, u_w, p=p), rel=1e-12, abs=1e-12)
    assert cramer_distance(u, v, u_w, v_w, p=p) == pytest.approx(
        cramer_distance(v, u, v_w, u_w, p=p), rel=1e-12, abs=1e-12)


@given(weighted_sample(), weighted_sample(), weighted_sample(), st.sampled_from([1.0, 2.0, 3.0]))
def test_triangle_inequality(first, second, third, p):
    (u, u_w), (v, v_w), (z, z_w) = first, second, third
    for distance in (wasserstein_1d, cramer_distance):
        direct = distance(u, z, u_w, z_w, p=p)
        via = distance(u, v, u_w, v_w, p=p) + distance(v, z, v_w, z_w, p=p)
        assert direct <= via * (1 + 1e-12) + 1e-12


@given(weighted_sample(), weighted_sample(), st.floats(-1e3, 1e3))
@example(first=(np.array([0.0]), np.array([1.0])), second=(np.array([2.0**-52]), np.array([1.0])),
         shift=2.0)
def test_translation_invariance(first, second, shift):
    (u, u_w), (v, v_w) = first, second
    # Rounding x + shift moves each point by at most delta; W_1 is 1-Lipschitz in the points
    # and the Cramér ℓ_2 distance 1/2-Hölder (ℓ_2² ≤ W_1), so by the triangle inequality the
    # shifted distances may differ by 2·delta and 2·sqrt(delta): translation is exact only in
    # exact arithmetic (2 + 2^-52 rounds to 2, ℓ_2 then drops from 2^-26 to 0).
    delta = np.finfo(float).eps * (max(np.abs(u).max(), np.abs(v).max()) + abs(shift))
    assert wasserstein_1d(u + shift, v + shift, u_w, v_w) == pytest.approx(
        wasserstein_1d(u, v, u_w, v_w), rel=1e-12, abs=2 * delta)
    assert cramer_distance(u + shift, v + shift, u_w, v_w) == pytest.approx(
        cramer_distance(u, v, u_w, v_w), rel=1e-12, abs=2 * np.sqrt(delta))


@given(weighted_sample(), weighted_sample(), st.floats(0.01, 100) | st.floats(-100, -0.01),
       st.sampled_from([1.0, 2.0, 3.0]))
def test_scaling_wp_by_abs_c_and_ell_p_by_abs_c_to_one_over_p(first, second, c, p):
    (u, u_w), (v, v_w) = first, second
    assert wasserstein_1d(c * u, c * v, u_w, v_w, p=p) == pytest.approx(
        abs(c) * wasserstein_1d(u, v, u_w, v_w, p=p), rel=1e-9, abs=1e-9)
    assert cramer_distance(c * u, c * v, u_w, v_w, p=p) == pytest.approx(
        abs(c) ** (1 / p) * cramer_distance(u, v, u_w, v_w, p=p), rel=1e-9, abs=1e-9)


@given(weighted_sample())
def test_identical_samples_are_at_distance_zero(sample):
    u, u_w = sample
    assert wasserstein_1d(u, u, u_w, u_w) == 0.0
    assert cramer_distance(u, u, u_w, u_w) == 0.0
    assert energy_distance(u, u, u_w, u_w) == 0.0


def test_zero_weight_points_do_not_matter(rng):
    u, v = rng.normal(size=6), rng.normal(size=5)
    u_w, v_w = rng.random(6), rng.random(5)
    u_extra, u_w_extra = np.append(u, 1e3), np.append(u_w, 0.0)
    for distance in (wasserstein_1d, cramer_distance, energy_distance):
        assert distance(u_extra, v, u_w_extra, v_w) == pytest.approx(
            distance(u, v, u_w, v_w), rel=1e-12)


def test_integer_weights_equal_repeated_samples(rng):
    u, v = rng.normal(size=4), rng.normal(size=3)
    counts = np.array([1, 3, 2, 1])
    for distance in (wasserstein_1d, cramer_distance):
        for p in (1.0, 2.0):
            assert distance(u, v, counts, None, p=p) == pytest.approx(
                distance(np.repeat(u, counts), v, p=p), rel=1e-12)


# --- closed forms and extreme inputs --------------------------------------------------

def test_large_p_does_not_underflow_to_zero():
    # levels (0, 1/2]: gap 1e-5; (1/2, 1]: gap 0, so W_p = 1e-5 * (1/2)^(1/p)
    assert wasserstein_1d([0.0, 1.0], [1e-5, 1.0], p=200) == pytest.approx(
        1e-5 * 0.5 ** (1 / 200), rel=1e-12)
    # |F - G| = 1/1000 on 1000 intervals of width 1/2
    grid = np.arange(1000.0)
    assert cramer_distance(grid, grid + 0.5, p=200) == pytest.approx(
        1e-3 * 500 ** (1 / 200), rel=1e-12)


def test_huge_magnitudes_do_not_overflow():
    assert wasserstein_1d([-1e300], [1e300], p=2) == pytest.approx(2e300, rel=1e-15)
    assert cramer_distance([-1e300], [1e300]) == pytest.approx(np.sqrt(2e300), rel=1e-15)
    assert wasserstein_1d([1e-300], [3e-300], p=3) == pytest.approx(2e-300, rel=1e-12)


def test_point_masses_closed_forms():
    assert wasserstein_1d([0.0], [3.0], p=7) == pytest.approx(3.0)
    assert cramer_distance([0.0], [3.0], p=4) == pytest.approx(3.0 ** 0.25)
    assert energy_distance([0.0], [3.0]) == pytest.approx(np.sqrt(6.0))


# --- numba caching from a read-only install -----------------------------------------------

READ_ONLY_SCRIPT = textwrap.dedent("""
    import numba, otdiv
    print(otdiv.__file__)
    print(numba.config.CACHE_DIR)
    print(otdiv.wasserstein_1d([0.0, 1.0], [2.0, 4.0]))
""")


def _run_as_unprivileged(command, env, cwd):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a read-only folder is not read-only")
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("home_writable", [True, False])
def test_kernels_compile_and_cache_from_a_read_only_install(home_writable):
    """A read-only install imports, computes and caches: in the user-wide cache when the home
    is writable (numba's own fallback), else in a private temporary directory."""
    tmp_path = Path(tempfile.mkdtemp(prefix="otdiv-read-only-"))  # reachable by other users
    tmp_path.chmod(0o755)
    install, scratch = tmp_path / "site", tmp_path / "tmp"
    shutil.copytree(Path(__file__).resolve().parents[2] / "otdiv", install / "otdiv",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    home = tmp_path / "home"
    for directory in (scratch, home):
        directory.mkdir()
        directory.chmod(0o777 if home_writable or directory is scratch else 0o555)
    for path in [install, *install.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NUMBA_", "PYTHON", "XDG_"))}
    env.update(PYTHONPATH=str(install), HOME=str(home), TMPDIR=str(scratch))
    try:
        done = _run_as_unprivileged([sys.executable, "-c", READ_ONLY_SCRIPT], env, tmp_path)
        assert done.returncode == 0, done.stderr
        module_file, cache_dir, value = done.stdout.split("\n")[:3]
        assert module_file == str(install / "otdiv" / "__init__.py")
        assert float(value) == 2.5
        cache_root = home if home_writable else scratch
        assert cache_dir == "" if home_writable else cache_dir.startswith(str(scratch))
        assert list(cache_root.rglob("*.nbi")), "the kernel was not cached"
        assert not list(install.rglob("*.nbi")), "numba wrote into the read-only install"
    finally:
        for path in [install, *install.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_zero_weight_points_beyond_the_last_positive_weight_do_not_matter():
    import scipy.stats

    from otdiv import cramer_distance, energy_distance
    x, v = np.arange(100.0), np.arange(30) + 0.5
    w = (x < 30).astype(float)
    assert wasserstein_1d(x, v, w, p=12) == pytest.approx(0.5, rel=1e-12)
    u, w = np.r_[np.arange(10.0), 1e300], np.r_[np.ones(10), 0.0]
    v = np.arange(10.0) + 0.5
    assert wasserstein_1d(u, v, w) == pytest.approx(
        scipy.stats.wasserstein_distance(u, v, w), rel=1e-12)
    assert energy_distance(u, v, w) == pytest.approx(
        scipy.stats.energy_distance(u, v, w), rel=1e-12)
    assert cramer_distance(u, v, w) == pytest.approx(np.sqrt(0.05), rel=1e-12)


@pytest.mark.parametrize("p, gap", [(1100.0, 2.0), (2000.0, 10.0), (1e5, 3.0)])
def test_very_large_p_approaches_the_largest_gap_instead_of_underflowing(p, gap):
    assert wasserstein_1d([0.0], [gap], p=p) == pytest.approx(gap, rel=1e-12)
