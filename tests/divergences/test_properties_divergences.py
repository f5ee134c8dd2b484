"""Properties of the f-divergences that must hold at every scale of input (issue 13).

Theorems checked with hypothesis (bounded example counts):

* every kind but "gan" is non-negative, and "gan" is at least -log 4 (Jensen), at any scale of
  the unnormalised masses;
* f_divergence(p, p) is exactly 0, and f_divergence is invariant under permuting the atoms
  and under scaling either unnormalised input;
* gaussian_f_divergence agrees with 1500-digit mpmath over the whole float range (log-uniform
  σ in [1e-150, 1e150], |μ| up to 1e150, σ₁/σ₂ within 1e-16 of 1, extreme floats) to
  8 ulps times the condition number 1 + log(1 + D) of its last step, or refuses a finite value
  beyond the float range with a ValueError; it is exactly invariant under scaling both laws
  by a power of two, and equals f_divergence_density's quadrature on moderate parameters.
"""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from otdiv import F_DIVERGENCES, f_divergence, f_divergence_density, gaussian_f_divergence
from otdiv.divergences import GAUSSIAN_CLOSED_FORM_KINDS

KINDS = sorted(F_DIVERGENCES)
EPS = 2.0**-52
SMALLEST_NORMAL = float(np.finfo(float).tiny)


# --- discrete f_divergence ------------------------------------------------------------------

@st.composite
def unnormalised_pairs(draw, *, max_n=8, scaled=True):
    """Two mass vectors on the same atoms, each (if ``scaled``) at its own scale anywhere in
    the float range."""
    n = draw(st.integers(1, max_n))
    entries = st.one_of(st.just(0.0), st.floats(1e-3, 1.0))
    p = draw(hnp.arrays(np.float64, n, elements=entries))
    q = draw(hnp.arrays(np.float64, n, elements=entries))
    p[draw(st.integers(0, n - 1))] = 1.0  # a positive sum
    q[draw(st.integers(0, n - 1))] = 1.0
    if not scaled:
        return p, q
    scales = st.sampled_from([1.0, 3.0, 0.1, 1e-300, 1e300, 7e-320])
    return p * draw(scales), q * draw(scales)


def _minimum(kind):
    return float(F_DIVERGENCES[kind].f(1.0))


@settings(max_examples=30)
@given(pair=unnormalised_pairs())
def test_f_divergence_is_never_below_its_minimum_at_any_scale(pair):
    p, q = pair
    for kind in KINDS:
        value = f_divergence(p, q, kind)
        assert value >= _minimum(kind), kind
        if kind != "gan":
            assert not math.isnan(math.sqrt(value))


@settings(max_examples=30)
@given(pair=unnormalised_pairs(scaled=False),
       scale=st.sampled_from([3.0, 0.1, 1e-300, 1e300, 2.0**-900]))
def test_f_divergence_of_a_distribution_with_itself_is_exactly_minimal(pair, scale):
    p, _ = pair
    for kind in KINDS:
        if kind != "gan":
            assert f_divergence(p, p, kind) == 0.0, kind
        assert f_divergence(p, scale * p, kind) == pytest.approx(_minimum(kind), abs=1e-15)
        assert f_divergence(p, scale * p, kind) >= _minimum(kind)


@settings(max_examples=30)
@given(pair=unnormalised_pairs(scaled=False), data=st.data())
def test_f_divergence_is_invariant_under_permutation_and_scaling(pair, data):
    p, q = pair
    order = np.array(data.draw(st.permutations(range(p.size))), dtype=np.intp)
    scale_p = data.draw(st.sampled_from([2.0**-600, 0.37, 5.0, 2.0**600]))
    scale_q = data.draw(st.sampled_from([2.0**-600, 0.37, 5.0, 2.0**600]))
    for kind in KINDS:
        base = f_divergence(p, q, kind)
        moved = f_divergence(scale_p * p[order], scale_q * q[order], kind)
        if base == np.inf:
            assert moved == np.inf, kind
        else:
            # Normalisation and summation order change the last bits only.
            assert moved == pytest.approx(base, rel=1e-13, abs=64 * EPS), kind


# --- gaussian_f_divergence against mpmath ------------------------------------------------------

def _reference(kind, mu1, s1, mu2, s2):
    """The textbook closed forms with enough digits for every cancellation (up to 2500)."""
    if kind == "reverse_kl":
        return _reference("kl", mu2, s2, mu1, s1)
    if kind == "neyman":
        return _reference("pearson", mu2, s2, mu1, s1)
    gap = Fraction(mu1) - Fraction(mu2)
    # Digits for every cancellation: the spread of the magnitudes of σ1, σ2 and the gap.
    spread = abs(math.frexp(s1)[1] - math.frexp(s2)[1]) + (
        abs(gap.numerator.bit_length() - gap.denominator.bit_length() - math.frexp(s2)[1])
        if gap else 0)
    with mpmath.workdps(min(2500, 80 + int(0.61 * spread))):
        a, b = mpmath.mpf(s1), mpmath.mpf(s2)
        gap = mpmath.mpf(gap.numerator) / gap.denominator
        if kind == "kl":
            return +(mpmath.log(b / a) + (a**2 + gap**2) / (2 * b**2) - mpmath.mpf(1) / 2)
        if kind == "pearson":
            spread = 2 * b**2 - a**2
            if spread <= 0:
                return mpmath.inf
            return +(b**2 / (a * mpmath.sqrt(spread)) * mpmath.exp(gap**2 / spread) - 1)
        if kind == "squared_hellinger":
            total = a**2 + b**2
            return +(2 - 2 * mpmath.sqrt(2 * a * b / total) * mpmath.exp(-gap**2 / (4 * total)))
        # total variation: the two crossings of log p - log q in Q's standard coordinates
        if a == b:
            return +mpmath.erf(abs(gap) / (2 * mpmath.sqrt(2) * a))
        d, rho = gap / b, a / b
        qa = mpmath.mpf(1) / 2 - 1 / (2 * rho**2)
        qb = d / rho**2
        root = mpmath.sqrt(d**2 + 2 * mpmath.log(rho) * (rho**2 - 1)) / rho  # sqrt(qb² - 4 qa qc)
        crossings = [(-qb - root) / (2 * qa), (-qb + root) / (2 * qa)]

        def cdf(t):
            return mpmath.mpf(1) if t > 1e4 else mpmath.mpf(0) if t < -1e4 else mpmath.ncdf(t)

        return +sum(abs(cdf((y - d) / rho) - cdf(y)) for y in crossings)


def _log_uniform(low, high):
    return st.floats(low, high).map(lambda exponent: 10.0**exponent)


signed_means = st.one_of(st.just(0.0), st.tuples(st.sampled_from([-1.0, 1.0]),
                                                  _log_uniform(-150, 150)).map(
    lambda pair: pair[0] * pair[1]))
EXTREMES = [5e-324, 1e-310, SMALLEST_NORMAL, 1e-200, 1.0, 1e200, 1e307, 1.7976931348623157e308]


@st.composite
def normal_pairs(draw):
    """(mu1, sigma1, mu2, sigma2): wide, nearly equal, or extreme floats."""
    mode = draw(st.sampled_from(["wide", "close", "extreme"]))
    if mode == "wide":
        return (draw(signed_means), draw(_log_uniform(-150, 150)), draw(signed_means),
                draw(_log_uniform(-150, 150)))
    if mode == "close":
        s1 = draw(_log_uniform(-150, 150))
        s2 = s1 * (1.0 + draw(st.sampled_from([-1.0, 1.0])) * draw(_log_uniform(-16, -0.5)))
        mu1 = draw(st.floats(-100, 100)) * s1
        mu2 = mu1 + draw(st.floats(-3, 3)) * s1 * draw(st.sampled_from([1.0, 1e-5, 1e-10]))
        return mu1, s1, mu2, s2
    extreme = st.sampled_from(EXTREMES)
    sign = st.sampled_from([-1.0, 0.0, 1.0])
    return (draw(sign) * draw(extreme), draw(extreme), draw(sign) * draw(extreme),
            draw(extreme))


@pytest.mark.parametrize("kind", GAUSSIAN_CLOSED_FORM_KINDS)
@settings(max_examples=12)
@given(parameters=normal_pairs())
def test_gaussian_closed_form_agrees_with_mpmath_over_the_float_range(kind, parameters):
    reference = _reference(kind, *parameters)
    try:
        value = gaussian_f_divergence(*parameters, kind)
    except ValueError as error:
        assert "larger than the largest float" in str(error)
        assert reference > np.finfo(float).max
        return
    if reference == mpmath.inf:
        assert value == np.inf
        return
    assert 0.0 <= value < np.inf
    if reference < SMALLEST_NORMAL:  # below the normal range: only absolute accuracy
        assert value <= 2 * SMALLEST_NORMAL
        return
    condition = 1.0 + math.log1p(float(reference))
    assert abs(mpmath.mpf(value) - reference) <= 8 * EPS * condition * reference


@settings(max_examples=30)
@given(parameters=normal_pairs(), power=st.integers(-60, 60))
def test_gaussian_closed_form_is_exactly_invariant_under_power_of_two_scaling(parameters, power):
    mu1, s1, mu2, s2 = parameters
    scaled = [x * 2.0**power for x in parameters]  # exact unless it leaves the normal range
    if not all(x == 0 or (abs(x) >= SMALLEST_NORMAL and SMALLEST_NORMAL <= abs(y) < np.inf)
               for x, y in zip(parameters, scaled)):
        return  # scaling must be exact: no overflow, no subnormal on either side
    for kind in GAUSSIAN_CLOSED_FORM_KINDS:
        try:
            base = gaussian_f_divergence(mu1, s1, mu2, s2, kind)
        except ValueError:
            with pytest.raises(ValueError, match="larger than the largest float"):
                gaussian_f_divergence(*scaled, kind)
            continue
        assert gaussian_f_divergence(*scaled, kind) == base, kind


@pytest.mark.parametrize("kind", GAUSSIAN_CLOSED_FORM_KINDS)
@settings(max_examples=2)
@given(mu=st.floats(-1.5, 1.5), s1=st.floats(0.6, 1.6), s2=st.floats(0.6, 1.6))
def test_gaussian_closed_form_equals_quadrature_on_moderate_parameters(kind, mu, s1, s2):
    if kind == "pearson":
        s2 = max(s2, 0.9 * s1)       # 2 s2² > 1.6 s1²: finite and well-conditioned
    if kind == "neyman":
        s1 = max(s1, 0.9 * s2)

    def log_pdf(mean, sigma):
        shift = -math.log(sigma * math.sqrt(2 * math.pi))
        return lambda x: shift - 0.5 * ((x - mean) / sigma) ** 2

    exact = gaussian_f_divergence(0.0, s1, mu, s2, kind)
    # mu as a breakpoint only when it is not (nearly) one already: a piece 1e-305 wide
    # makes quad refuse, which is right for the function but not what this test checks.
    breaks = [-3.0, 0.0, 3.0]
    points = sorted(breaks + [mu]) if min(abs(mu - b) for b in breaks) > 1e-6 else breaks
    numeric = f_divergence_density(log_pdf(0.0, s1), log_pdf(mu, s2), kind,
                                   support=(-np.inf, np.inf), points=points,
                                   log_density=True)
    assert numeric == pytest.approx(exact, rel=1e-7, abs=1e-9)


@settings(max_examples=30)
@given(parameters=normal_pairs())
def test_gaussian_closed_form_is_non_negative_and_zero_for_equal_laws(parameters):
    mu1, s1, mu2, s2 = parameters
    for kind in GAUSSIAN_CLOSED_FORM_KINDS:
        assert gaussian_f_divergence(mu1, s1, mu1, s1, kind) == 0.0
        try:
            value = gaussian_f_divergence(mu1, s1, mu2, s2, kind)
        except ValueError as error:
            assert "larger than the largest float" in str(error)
            continue
        assert value >= 0.0
        if kind in ("total_variation", "squared_hellinger"):  # symmetric kinds
            swapped = gaussian_f_divergence(mu2, s2, mu1, s1, kind)
            assert swapped == pytest.approx(value, rel=4 * EPS)
