"""Bad input to the f-divergence functions gets a clear error that names the argument.

Covers f_divergence, f_divergence_density, gaussian_f_divergence, variational_bound,
noise_bound, parallel_lines_divergences and parallel_lines.
"""

import numpy as np
import pytest
from scipy import stats as _stats

from otdiv import (
    F_DIVERGENCES,
    f_divergence,
    f_divergence_density,
    gaussian_f_divergence,
    noise_bound,
    parallel_lines_divergences,
    variational_bound,
)
from otdiv.datasets import parallel_lines

GOOD = np.array([0.0, 1.0, 2.0])


@pytest.mark.parametrize("p, q, match", [
    ([0.5, -0.1, 0.6], [0.3, 0.3, 0.4], "p must be non-negative"),
    ([0.5, 0.5], [0.0, 0.0], "q must have a positive sum"),
    ([0.5, 0.5], [0.2, 0.3, 0.5], "same length"),
    ([0.5, np.nan], [0.5, 0.5], "p must be finite"),
    ([0.5, 0.5], [np.inf, 0.5], "q must be finite"),
    ([[0.5, 0.5]], [0.5, 0.5], "p must be a 1-D array"),
    ([], [], "p must not be empty"),
])
def test_bad_probability_vectors_are_refused(p, q, match):
    with pytest.raises(ValueError, match=match):
        f_divergence(p, q, "kl")


def test_unknown_f_divergence_kind_lists_the_valid_names():
    for function, args in [(f_divergence, ([0.5, 0.5], [0.5, 0.5])),
                           (gaussian_f_divergence, (0.0, 1.0, 0.0, 1.0)),
                           (variational_bound, None)]:
        with pytest.raises(ValueError, match="kind must be one of") as info:
            if function is variational_bound:
                variational_bound(lambda x: x, [0.0], [1.0], "chi2")
            else:
                function(*args, "chi2")
        assert all(name in str(info.value) for name in F_DIVERGENCES)
    with pytest.raises(TypeError, match="kind must be a string"):
        f_divergence([0.5, 0.5], [0.5, 0.5], None)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(support=(1.0, 0.0)), ValueError, "lower < upper"),
    (dict(support=(0.0,)), TypeError, "support must be a pair"),
    (dict(support=(0.0, np.nan)), ValueError, "support\\[1\\] must not be NaN"),
    (dict(support=(0.0, "1")), TypeError, "support\\[1\\] must be a real number"),
    (dict(support=(-1.0, 1.0), points=[2.0]), ValueError, "points must lie strictly inside"),
])
def test_bad_density_support_is_refused(kwargs, error, match):
    pdf = _stats.uniform(-1, 2).pdf
    with pytest.raises(error, match=match):
        f_divergence_density(pdf, pdf, "kl", **kwargs)


def test_bad_densities_are_refused():
    good = _stats.uniform(0, 1).pdf
    with pytest.raises(TypeError, match="p_pdf must be a callable"):
        f_divergence_density([1.0], good, "kl", support=(0, 1))
    with pytest.raises(ValueError, match="q_pdf must return a finite non-negative density"):
        f_divergence_density(good, lambda x: -1.0, "kl", support=(0, 1))
    with pytest.raises(TypeError, match="p_pdf must return a real number"):
        f_divergence_density(lambda x: "one", good, "kl", support=(0, 1))
    with pytest.raises(ValueError, match="q_pdf must integrate to 1"):
        f_divergence_density(good, lambda x: 2.0, "kl", support=(0, 1))
    with pytest.raises(ValueError, match="p_pdf must return a log density"):
        f_divergence_density(lambda x: np.nan, good, "kl", support=(0, 1),
                             log_density=True)


@pytest.mark.parametrize("args, error, match", [
    ((0.0, 0.0, 0.0, 1.0), ValueError, "sigma1 must be > 0"),
    ((0.0, 1.0, 0.0, -1.0), ValueError, "sigma2 must be > 0"),
    ((np.inf, 1.0, 0.0, 1.0), ValueError, "mu1 must be finite"),
    (("0", 1.0, 0.0, 1.0), TypeError, "mu1 must be a real number"),
])
def test_bad_gaussian_parameters_are_refused(args, error, match):
    with pytest.raises(error, match=match):
        gaussian_f_divergence(*args, "kl")


@pytest.mark.parametrize("critic, u_values, v_values, error, match", [
    ("not callable", [0.0], [1.0], TypeError, "critic must be a callable"),
    (lambda x: np.zeros(5), [0.0, 1.0], [1.0], ValueError, "one value per sample"),
    (lambda x: np.full(x.shape[0], np.nan), [0.0], [1.0], ValueError, "finite values"),
    (lambda x: ["a"] * len(x), [0.0], [1.0], TypeError, "critic must return real numbers"),
    (lambda x: np.zeros(len(x)), [], [1.0], ValueError, "u_values must contain at least one"),
    (lambda x: np.zeros(len(x)), [[0.0, 1.0]], [1.0], ValueError, "same dimension"),
    (lambda x: np.zeros(len(x)), [0.0], [np.nan], ValueError, "v_values must be finite"),
])
def test_bad_variational_bound_input(critic, u_values, v_values, error, match):
    with pytest.raises(error, match=match):
        variational_bound(critic, u_values, v_values, "kl")


def test_bad_noise_bound_input():
    noise = _stats.uniform(-0.5, 1.0)
    with pytest.raises(ValueError, match="points on the line"):
        noise_bound([[0.0, 1.0]], [[1.0, 0.0]], noise=noise)
    with pytest.raises(ValueError, match="bounded support"):
        noise_bound([0.0], [1.0], noise=_stats.norm(0, 0.1))
    with pytest.raises(ValueError, match="mean 0"):
        noise_bound([0.0], [1.0], noise=_stats.uniform(0.0, 1.0))
    with pytest.raises(ValueError, match="u_weights must be non-negative"):
        noise_bound([0.0, 1.0], [1.0], [-1.0, 2.0], noise=noise)


def test_bad_parallel_lines_input():
    with pytest.raises(ValueError, match="theta must be finite"):
        parallel_lines_divergences([0.0, np.nan])
    with pytest.raises(ValueError, match="non-empty"):
        parallel_lines_divergences([])
    with pytest.raises(ValueError, match="theta must be finite"):
        parallel_lines(np.inf, 3, rng=0)
    with pytest.raises(ValueError, match="n must be >= 1"):
        parallel_lines(0.5, 0, rng=0)
    with pytest.raises(TypeError, match="n must be an integer"):
        parallel_lines(0.5, 2.0, rng=0)



def test_divergence_inputs_of_the_wrong_kind():
    for theta in ("1", True, 1j):
        with pytest.raises(TypeError, match="theta must be a real number"):
            parallel_lines_divergences(theta)
    with pytest.raises(TypeError, match="log_density must be True or False"):
        f_divergence_density(_stats.norm.pdf, _stats.norm.pdf, "kl", support=(-5, 5),
                             log_density="no")
    with pytest.raises(TypeError, match="complex"):
        variational_bound(lambda x: x * (1 + 1j), GOOD, GOOD, "kl")


@pytest.mark.parametrize("log_p, log_q, words", [
    (np.nan, 0.0, "log_p must hold log densities"),
    (0.0, [0.0, np.inf], "log_q[1] is inf"),
    ([0.0, 1.0], [0.0, 1.0, 2.0], "log_p and log_q must have shapes that broadcast"),
])
def test_log_integrand_errors_name_log_p_or_log_q(log_p, log_q, words):
    from otdiv import F_DIVERGENCES
    with pytest.raises(ValueError) as info:
        F_DIVERGENCES["kl"].log_integrand(log_p, log_q)
    message = str(info.value)
    assert words in message and "F_DIVERGENCES['kl'].log_integrand" in message, message
