r"""Closed-form f-divergences between two normal distributions, accurate over the float range.

Every formula depends on the parameters only through ratios of polynomials in them (the
variance ratio, the standardised mean gap, ...). A float is a dyadic rational, so after
multiplying all four parameters by one power of two they are exact integers, and those
ratios are ratios of exact (big) integers; ``int / int`` is correctly rounded in Python, so
each is rounded once. Only then is one logarithm, one ``expm1`` or one normal CDF applied,
in a form without cancellation (``log1p``, ``expm1``, a power series of
:math:`x - \log(1 + x)`, Gauss–Legendre quadrature of the normal density over short
intervals). So no intermediate overflows or underflows for parameters anywhere in the float
range (σ from 5e-324 to 1.8e308, |μ| up to 1.8e308), and each result is within a few
ulps times the condition number of the final transcendental step.

A finite divergence larger than the largest float raises ``ValueError`` (never ``inf``,
which is kept for the divergences that are infinite, Pearson and Neyman χ² when one variance
is at least twice the other). A divergence below the float range rounds to 0 or a subnormal.

Each core takes the four parameters as floats (already validated: finite, σ > 0) and
returns a float.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
_SQRT2 = math.sqrt(2.0)
_LOG2 = math.log(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GL_NODES, _GL_WEIGHTS = (tuple(float(v) for v in a)
                          for a in np.polynomial.legendre.leggauss(12))
#: 1/k for k = 60, 59, ..., 2: the coefficients of x − log(1 + x) = x² Σ (−x)^(k−2)/k.
_SERIES = tuple(1.0 / k for k in range(60, 1, -1))
#: |standardised mean gap| beyond which TV = 1 to double precision (TV >= 1 - 4 Q(20)).
_TV_SATURATION = 40


class DivergenceOverflow(ArithmeticError):
    """A finite divergence too large for a float (turned into a ValueError by the caller)."""


def _as_integers(*values: float) -> list[int]:
    """The values times one common power of two, as exact integers (all ratios unchanged)."""
    ratios = [value.as_integer_ratio() for value in values]
    scale = max(denominator for _, denominator in ratios)  # denominators are powers of two
    return [numerator * (scale // denominator) for numerator, denominator in ratios]


def _divide(numerator: int, denominator: int) -> float:
    """Correctly rounded numerator/denominator; DivergenceOverflow past the float range."""
    try:
        return numerator / denominator
    except OverflowError:
        raise DivergenceOverflow from None


def _log_ratio(numerator: int, denominator: int) -> float:
    """log(numerator/denominator) of positive integers, to a few ulps (also past floats)."""
    if denominator < 2 * numerator and numerator < 2 * denominator:   # ratio in (1/2, 2)
        return math.log1p((numerator - denominator) / denominator)
    try:
        rounded = numerator / denominator
    except OverflowError:
        rounded = math.inf
    if _SMALLEST_NORMAL <= rounded < math.inf:
        return math.log(rounded)
    # Out of the float range: split off a power of two, log(ratio) = log(r) + k log 2 with
    # r = ratio / 2^k in (1/2, 2) correctly rounded; |log| > 708, so the rounding of k log 2
    # is a few ulps of the result.
    k = numerator.bit_length() - denominator.bit_length()
    scaled = numerator / (denominator << k) if k >= 0 else (numerator << -k) / denominator
    return math.log(scaled) + k * _LOG2


def _x_minus_log1p(x: float) -> float:
    """x − log(1 + x) for |x| < 1/2 by its power series, Horner from the smallest term.

    Terms up to k with |x|^(k−2) < 2⁻⁵⁵ (at most 59 for |x| < 1/2) are summed.
    """
    if x == 0.0:
        return 0.0
    needed = min(len(_SERIES), 3 + int(55.0 / -math.log2(abs(x))))
    total = 0.0
    for coefficient in _SERIES[len(_SERIES) - needed:]:
        total = coefficient - x * total
    return x * x * total


def normal_kl(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""KL(N(μ1, s1²) ‖ N(μ2, s2²)) = ½ [x − log(1 + x)] + ½ d², x = s1²/s2² − 1, d = Δ/s2."""
    m1, a, m2, b = _as_integers(mu1, s1, mu2, s2)
    a2, b2 = a * a, b * b
    gap_term = _divide((m1 - m2) ** 2, 2 * b2)                       # ½ d²
    if 2 * abs(a2 - b2) < b2:                                         # |x| < 1/2
        shape_term = 0.5 * _x_minus_log1p((a2 - b2) / b2)
    else:
        # ½x − ½log(1 + x) with log(1 + x) = log(s1²/s2²) taken from the exact ratio: at most
        # a factor 5 of cancellation (x = 1/2: 0.25 − 0.20).
        shape_term = _divide(a2 - b2, 2 * b2) - 0.5 * _log_ratio(a2, b2)
    value = shape_term + gap_term
    if value == math.inf:
        raise DivergenceOverflow
    return value


def normal_chi2(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""Pearson χ²(N(μ1, s1²) ‖ N(μ2, s2²)) = exp(L) − 1, inf unless 2 s2² > s1².

    With x = s1²/s2² − 1 and d = Δ/s2: L = −½ log(1 − x²) + d²/(1 − x), two non-negative
    terms (the textbook −log ρ − ½ log(2 − ρ²) cancels near ρ = 1).
    """
    m1, a, m2, b = _as_integers(mu1, s1, mu2, s2)
    a2, b2 = a * a, b * b
    spread = 2 * b2 - a2
    if spread <= 0:
        return math.inf
    log_value = -0.5 * _log_ratio(a2 * spread, b2 * b2) + _divide((m1 - m2) ** 2, spread)
    try:
        value = math.expm1(log_value)
    except OverflowError:
        value = math.inf
    if value == math.inf:
        raise DivergenceOverflow(log_value)
    return value


def normal_squared_hellinger(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""∫(√p − √q)² = −2 expm1(log BC), log BC = ½ log(2 s1 s2/(s1² + s2²)) − Δ²/(4(s1² + s2²))."""
    m1, a, m2, b = _as_integers(mu1, s1, mu2, s2)
    variance_sum = a * a + b * b
    try:
        gap_term = _divide((m1 - m2) ** 2, 4 * variance_sum)
    except DivergenceOverflow:
        return 2.0  # the Bhattacharyya coefficient is below exp(-1e308)
    log_affinity = 0.5 * _log_ratio(2 * a * b, variance_sum) - gap_term
    return -2.0 * math.expm1(log_affinity) + 0.0  # + 0.0: no -0.0 for equal laws


def _upper_tail(t: float) -> float:
    """Q(t) = 1 − Φ(t), accurate in the upper tail."""
    return 0.5 * float(special.erfc(t / _SQRT2))


def _normal_increment(y: float, h: float) -> float:
    r"""Φ(y + h) − Φ(y) without forming y + h when the step is short.

    With z = ±y and k = |h| the mass is ∫_0^k φ(z + s) ds. Over a short step (k ≤ 1 and
    |z| k ≤ 2, where φ changes by at most a factor e^2.5) 12-point Gauss–Legendre quadrature is
    exact to double precision (its error is below that of rounding z + s, measured against
    mpmath) and keeps its relative accuracy when k is tiny; longer steps
    are a difference of tail probabilities that loses at most a factor 1.6 to cancellation.
    """
    if h == 0.0 or not math.isfinite(y):
        return 0.0
    sign = 1.0 if h > 0 else -1.0
    z, k = sign * y, abs(h)
    if k <= 1.0 and abs(z) * k <= 2.0:
        half = 0.5 * k
        total = 0.0
        for node, weight in zip(_GL_NODES, _GL_WEIGHTS):
            t = z + half * (1.0 + node)
            total += weight * math.exp(-0.5 * t * t)
        return sign * half * total * _INV_SQRT_2PI
    end = z + k
    if z >= 0.0:
        mass = _upper_tail(z) - _upper_tail(end)
    elif end <= 0.0:
        mass = _upper_tail(-end) - _upper_tail(-z)
    else:
        mass = 1.0 - _upper_tail(end) - _upper_tail(-z)
    return sign * mass


def normal_total_variation(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""sup_A |P(A) − Q(A)| for two normals, as the sum of |F_P − F_Q| at the two crossings.

    Standardise by the wider law W = N(0, 1); the narrower is N(δ, r²), 0 < r < 1, δ ≥ 0 by
    symmetry. With L = log(1/r²) and S = √(δ² + (1 − r²) L) the densities cross at
    y± = (δ ± rS)/(1 − r²), and there the narrower law's standardised argument is
    u± = y± + h± with h+ = (1 − r) L/(S + δ), h− = −(S + δ)/(1 + r). F_N − F_W is
    negative at the left crossing and positive at the right one, so
    TV = |Φ(u+) − Φ(y+)| + |Φ(u−) − Φ(y−)|: a sum of two positive terms, each computed from
    its short step h without cancellation (:func:`_normal_increment`).
    """
    m1, a, m2, b = _as_integers(mu1, s1, mu2, s2)
    if a == b:
        gap = abs(m1 - m2)
        if gap > 2 * _TV_SATURATION * a:
            return 1.0
        return math.erf(gap / a / 2.0 / _SQRT2)
    (m_n, s_n), (m_w, s_w) = sorted([(m1, a), (m2, b)], key=lambda pair: pair[1])
    gap = abs(m_n - m_w)
    if gap > _TV_SATURATION * s_w:
        return 1.0  # TV >= 1 - 4 Q(gap/2) > 1 - 1e-88
    delta = gap / s_w
    r = s_n / s_w
    one_minus_r = (s_w - s_n) / s_w
    one_minus_r2 = (s_w * s_w - s_n * s_n) / (s_w * s_w)
    log_inverse_r2 = -2.0 * _log_ratio(s_n, s_w)
    root = math.sqrt(delta * delta + one_minus_r2 * log_inverse_r2)
    r_root = r * root
    upper_crossing = (delta + r_root) / one_minus_r2 if one_minus_r2 > 0 else math.inf
    upper_step = one_minus_r * log_inverse_r2 / (root + delta)
    lower_denominator = delta + r_root
    lower_crossing = ((delta * delta - r * r * log_inverse_r2) / lower_denominator
                      if lower_denominator > 0 else 0.0)
    lower_step = -(root + delta) / (1.0 + r)
    value = (abs(_normal_increment(upper_crossing, upper_step))
             + abs(_normal_increment(lower_crossing, lower_step)))
    return min(value, 1.0)
