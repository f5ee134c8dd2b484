r"""Closed-form f-divergences between two normal distributions, accurate over the float range.

Every formula depends on the parameters only through rational combinations of them (the
variance ratio, the standardised mean gap, ...). Those are formed *exactly* with
:class:`fractions.Fraction` (a float is a dyadic rational, so ``Fraction(x)`` is exact and
``float(Fraction)`` is correctly rounded) and rounded once; only then is one logarithm, one
``expm1`` or one normal CDF applied, in a form without cancellation (``log1p``, ``expm1``, a
power series of :math:`x - \log(1 + x)`, Gauss–Legendre quadrature of the normal density over
short intervals). So no intermediate overflows or underflows for parameters anywhere in the
float range (σ from 5e-324 to 1.8e308, |μ| up to 1.8e308), and each result is within a few
ulps times the condition number of the final transcendental step.

A finite divergence larger than the largest float raises ``ValueError`` (never ``inf``,
which is kept for the divergences that are infinite, Pearson and Neyman χ² when one variance
is at least twice the other). A divergence below the float range rounds to 0 or a subnormal.

Each core takes the four parameters as floats (already validated: finite, σ > 0) and
returns a float.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from scipy import special

_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GL_NODES, _GL_WEIGHTS = (tuple(float(v) for v in a)
                          for a in np.polynomial.legendre.leggauss(20))
#: |standardised mean gap| beyond which TV = 1 to double precision (TV >= 1 - 4 Q(20)).
_TV_SATURATION = 40


class DivergenceOverflow(ArithmeticError):
    """A finite divergence too large for a float (turned into a ValueError by the caller)."""


def _float(value: Fraction) -> float:
    """Correctly rounded float of an exact rational; DivergenceOverflow past the float range."""
    try:
        return float(value)
    except OverflowError:
        raise DivergenceOverflow from None


def _log(value: Fraction) -> float:
    """log of a positive exact rational, accurate to a few ulps anywhere (also past floats)."""
    if Fraction(1, 2) < value < 2:
        return math.log1p(float(value - 1))
    try:
        rounded = float(value)
    except OverflowError:
        rounded = math.inf
    if _SMALLEST_NORMAL <= rounded < math.inf:
        return math.log(rounded)
    # Out of the normal range: |log| > 708, so the difference of two big-integer logs is
    # accurate relative to it (math.log takes integers of any size).
    return math.log(value.numerator) - math.log(value.denominator)


def _x_minus_log1p(x: float) -> float:
    """x - log(1 + x) for |x| < 1/2 by its power series x² Σ (-x)^(k-2)/k, Horner from the end."""
    total = 0.0
    for k in range(60, 1, -1):
        total = 1.0 / k - x * total
    return x * x * total


def normal_kl(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""KL(N(μ1, s1²) ‖ N(μ2, s2²)) = ½ [x − log(1 + x)] + ½ d², x = s1²/s2² − 1, d = Δ/s2."""
    s1_, s2_ = Fraction(s1), Fraction(s2)
    variance_ratio = (s1_ / s2_) ** 2
    x = variance_ratio - 1
    gap_term = _float((Fraction(mu1) - Fraction(mu2)) ** 2 / (2 * s2_ * s2_))   # ½ d²
    if abs(x) < Fraction(1, 2):
        shape_term = 0.5 * _x_minus_log1p(float(x))
    else:
        # ½x − ½log(1 + x) with log(1 + x) = log(s1²/s2²) taken from the exact ratio: at most
        # a factor 5 of cancellation (x = 1/2: 0.25 − 0.20).
        shape_term = _float(x / 2) - 0.5 * _log(variance_ratio)
    value = shape_term + gap_term
    if value == math.inf:
        raise DivergenceOverflow
    return value


def normal_chi2(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""Pearson χ²(N(μ1, s1²) ‖ N(μ2, s2²)) = exp(L) − 1, inf unless 2 s2² > s1².

    With x = s1²/s2² − 1 and d = Δ/s2: L = −½ log(1 − x²) + d²/(1 − x), two non-negative
    terms (the textbook −log ρ − ½ log(2 − ρ²) cancels near ρ = 1).
    """
    s1_, s2_ = Fraction(s1), Fraction(s2)
    spread = 2 * s2_ * s2_ - s1_ * s1_
    if spread <= 0:
        return math.inf
    one_minus_x_squared = s1_ * s1_ * spread / s2_ ** 4
    log_value = -0.5 * _log(one_minus_x_squared) + _float(
        (Fraction(mu1) - Fraction(mu2)) ** 2 / spread)
    try:
        value = math.expm1(log_value)
    except OverflowError:
        value = math.inf
    if value == math.inf:
        raise DivergenceOverflow(log_value)
    return value


def normal_squared_hellinger(mu1: float, s1: float, mu2: float, s2: float) -> float:
    r"""∫(√p − √q)² = −2 expm1(log BC), log BC = ½ log(2 s1 s2/(s1² + s2²)) − Δ²/(4(s1² + s2²))."""
    s1_, s2_ = Fraction(s1), Fraction(s2)
    variance_sum = s1_ * s1_ + s2_ * s2_
    try:
        gap_term = _float((Fraction(mu1) - Fraction(mu2)) ** 2 / (4 * variance_sum))
    except DivergenceOverflow:
        return 2.0  # the Bhattacharyya coefficient is below exp(-1e308)
    log_affinity = 0.5 * _log(2 * s1_ * s2_ / variance_sum) - gap_term
    return -2.0 * math.expm1(log_affinity) + 0.0  # + 0.0: no -0.0 for equal laws


def _upper_tail(t: float) -> float:
    """Q(t) = 1 − Φ(t), accurate in the upper tail."""
    return 0.5 * float(special.erfc(t / _SQRT2))


def _normal_increment(y: float, h: float) -> float:
    r"""Φ(y + h) − Φ(y) without forming y + h when the step is short.

    With z = ±y and k = |h| the mass is ∫_0^k φ(z + s) ds. Over a short step (k ≤ 1 and
    |z| k ≤ 2, where φ changes by at most a factor e^2.5) 20-point Gauss–Legendre quadrature is
    exact to double precision and keeps its relative accuracy when k is tiny; longer steps
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
    s1_, s2_ = Fraction(s1), Fraction(s2)
    if s1_ == s2_:
        standardised_gap = abs(Fraction(mu1) - Fraction(mu2)) / s1_
        if standardised_gap > 2 * _TV_SATURATION:
            return 1.0
        return math.erf(float(standardised_gap) / 2.0 / _SQRT2)
    (mu_n, s_n), (mu_w, s_w) = sorted([(Fraction(mu1), s1_), (Fraction(mu2), s2_)],
                                      key=lambda pair: pair[1])
    gap = abs(mu_n - mu_w) / s_w
    if gap > _TV_SATURATION:
        return 1.0  # TV >= 1 - 4 Q(gap/2) > 1 - 1e-88
    delta = float(gap)
    ratio = s_n / s_w
    r = float(ratio)
    one_minus_r = float(1 - ratio)
    one_minus_r2 = float(1 - ratio * ratio)
    log_inverse_r2 = -2.0 * _log(ratio)
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
