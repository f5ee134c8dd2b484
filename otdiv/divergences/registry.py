r"""The f-divergence registry: generator, conjugate, activation and optimal critic per kind.

Convention (Nowozin, Cseke & Tomioka 2016): for a convex :math:`f` on :math:`[0, \infty)`,

.. math::

    D_f(P \| Q) = \int q(x)\, f\!\Big(\frac{p(x)}{q(x)}\Big)\, dx
    \;\ge\; \sup_T \; \mathbb{E}_P[T(x)] - \mathbb{E}_Q[f^*(T(x))],

with :math:`f^*(t) = \sup_{u \ge 0} \{ut - f(u)\}` (no absolute bars, unlike the lecture),
equality at :math:`T^* = f'(p/q)`, and :math:`T = g_f(v)` mapping a critic's raw output
:math:`v \in \mathbb{R}` into :math:`\operatorname{dom} f^*`.

=================  ======================================  ============================  =========
kind               f(u)                                    f*(t)                         dom f*
=================  ======================================  ============================  =========
total_variation    |u − 1|/2                               max(t, −1/2)                  t ≤ 1/2
kl                 u log u                                 exp(t − 1)                    ℝ
reverse_kl         −log u                                  −1 − log(−t)                  t < 0
pearson            (u − 1)²                                t²/4 + t if t ≥ −2, else −1   ℝ
neyman             (1 − u)²/u                              2 − 2√(1 − t)                 t ≤ 1
squared_hellinger  (√u − 1)²                               t/(1 − t)                     t < 1
jensen_shannon     [u log u − (u + 1) log((1 + u)/2)]/2    −log(2 − exp(2t))/2           t < log√2
gan                u log u − (u + 1) log(u + 1)            −log(1 − exp t)               t < 0
=================  ======================================  ============================  =========

and, with :math:`r = p/q`, the activation, the optimal critic and the raw output that
reaches it:

=================  ============================  ======================  ============
kind               g_f(v)                        T* = f'(r)              v* = g⁻¹(T*)
=================  ============================  ======================  ============
total_variation    tanh(v)/2                     sign(r − 1)/2           ±∞
kl                 v                             1 + log r               1 + log r
reverse_kl         −exp(−v)                      −1/r                    log r
pearson            v                             2(r − 1)                2(r − 1)
neyman             1 − exp(−v)                   1 − 1/r²                2 log r
squared_hellinger  1 − exp(−v)                   1 − 1/√r                (log r)/2
jensen_shannon     (log 2 − softplus(−v))/2      log(2r/(1 + r))/2       log r
gan                −softplus(−v)                 log(r/(1 + r))          log r
=================  ============================  ======================  ============

Every row was derived from its ``f`` and is checked by the tests (Fenchel–Young,
biconjugation, activation range, perspective = named integral). Where it differs from the
lecture or the paper:

* ``"pearson"``: :math:`f(u) = (u-1)^2` gives :math:`\int (p-q)^2/q`; the lecture's integral
  column prints Neyman's :math:`\int (q-p)^2/p` instead.
* ``"jensen_shannon"`` is the usual :math:`\mathrm{JSD} \le \log 2`; its generator is *half*
  the paper's row, so :math:`f^*(t) = -\tfrac12\log(2 - e^{2t})`,
  :math:`g_f(v) = \tfrac12(\log 2 - \log(1 + e^{-v}))` and
  :math:`T^* = \tfrac12 \log\frac{2p}{p+q}` are scaled accordingly. The paper's row equals
  2·JSD, and ``"gan"`` equals :math:`2\,\mathrm{JSD} - \log 4`.
* ``"gan"`` has :math:`f(1) = -\log 4 \ne 0`, so :math:`D_{\mathrm{GAN}}(P\|P) = -\log 4`:
  it is the only entry that is not non-negative.
* ``"pearson"`` and ``"total_variation"``: the supremum in :math:`f^*` runs over
  :math:`u \ge 0` (ratios are non-negative), which gives :math:`f^*(t) = -1` for
  :math:`t < -2` (Pearson) and :math:`f^*(t) = -\tfrac12` for :math:`t < -\tfrac12` (total
  variation) instead of the paper's :math:`t^2/4 + t` and :math:`+\infty`. These are the exact
  conjugates of the generators on the ratios' domain, give a (weakly) tighter bound, and
  agree with the paper on the range of :math:`g_f`.
* Activations are increasing, as the lecture's convention asks (a large critic output means
  "drawn from P"): reverse KL uses :math:`g_f(v) = -e^{-v}`, Neyman and squared Hellinger
  :math:`1 - e^{-v}` as in the paper's Table 2 (writing :math:`e^{v}` there, as some
  summaries do, makes them decreasing).
* In floating point :math:`g_f(v)` rounds onto the open end of the domain once
  :math:`|v| \gtrsim 36` (e.g. :math:`\tfrac12(\log 2 - \log(1 + e^{-38}))`), where
  :math:`f^*` is infinite; ``conjugate_of_activation`` evaluates :math:`f^*(g_f(v))` in a
  closed form that stays exact there, and :func:`otdiv.variational_bound` uses it.

References
----------
.. [1] S. Nowozin, B. Cseke, R. Tomioka, "f-GAN: Training Generative Neural Samplers using
   Variational Divergence Minimization", NeurIPS 2016, Tables 1, 2 and 6.
.. [2] X. Nguyen, M. J. Wainwright, M. I. Jordan, "Estimating divergence functionals and the
   likelihood ratio by convex risk minimization", IEEE Trans. Inf. Theory 56 (2010).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import rel_entr, xlogy

from .._validation import check_option

__all__ = ["ArrayFormulas", "ConjugateDomain", "FDivergence", "F_DIVERGENCES", "get_f_divergence"]

_LOG2 = float(np.log(2.0))


def _quiet() -> np.errstate:
    """Infinities are the right answer at the edges of the domains (log 0, 1/0, exp(big))."""
    return np.errstate(divide="ignore", over="ignore")


def _check_real_argument(value: Any, where: str) -> None:
    """TypeError/ValueError naming the argument for input that is not real numbers.

    Strings, None, complex numbers and non-numeric array_likes are refused; NumPy and Python
    numbers, lists and arrays of them pass, and so do other array types (JAX, ...) untouched.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{where} must be a real number or an array of real numbers, got "
                        f"{type(value).__name__} {value!r}")
    if isinstance(value, (list, tuple, np.ndarray, np.generic, numbers.Number)):
        try:
            dtype = np.asarray(value).dtype
        except ValueError as exc:  # ragged nesting
            raise ValueError(f"{where} must be a rectangular array of real numbers "
                             f"({exc})") from None
        if dtype.kind not in "biuf":
            raise TypeError(f"{where} must be real numbers, got an array of dtype {dtype}")


#: Argument names of the callable fields of FDivergence, for the messages.
_ARGUMENTS = {"f": ("u",), "f_prime": ("u",), "f_conjugate": ("t",), "activation": ("v",),
              "activation_inverse": ("t",), "conjugate_of_activation": ("v",),
              "integrand": ("p", "q"), "log_integrand_pair": ("log_p", "log_q")}


def _checking_arguments(function: Callable[..., Any], owner: str, names: tuple[str, ...]
                        ) -> Callable[..., Any]:
    @functools.wraps(function)
    def checked(*values: Any) -> Any:
        for name, value in zip(names, values):
            _check_real_argument(value, f"{owner}({', '.join(names)}): {name}")
        return function(*values)
    checked.checks_arguments = True  # type: ignore[attr-defined]
    return checked


def _softplus(x: ArrayLike) -> np.ndarray:
    return np.logaddexp(0.0, x)


@dataclass(frozen=True)
class ConjugateDomain:
    r"""The interval :math:`\operatorname{dom} f^* = \{t : f^*(t) < \infty\}`.

    Attributes
    ----------
    lower, upper : float
        End points (``-inf``/``inf`` for unbounded sides).
    lower_closed, upper_closed : bool
        Whether each finite end point belongs to the domain.
    """

    lower: float
    upper: float
    lower_closed: bool = False
    upper_closed: bool = False

    def contains(self, t: ArrayLike) -> np.ndarray:
        """Boolean array: which entries of ``t`` lie in the domain."""
        _check_real_argument(t, "ConjugateDomain.contains: t")
        t = np.asarray(t, dtype=np.float64)
        above = t >= self.lower if self.lower_closed else t > self.lower
        below = t <= self.upper if self.upper_closed else t < self.upper
        return above & below

    def __str__(self) -> str:
        left = "[" if self.lower_closed else "("
        right = "]" if self.upper_closed else ")"
        return f"{left}{self.lower:g}, {self.upper:g}{right}"


@dataclass(frozen=True)
class ArrayFormulas:
    r"""The formulas a variational critic needs, on any array namespace ``xp``.

    Each callable takes ``(x, xp)`` where ``xp`` is ``numpy`` or ``jax.numpy`` (only
    operations both provide: ``where``, ``exp``, ``expm1``, ``log``, ``log1p``,
    ``logaddexp``, ``tanh``, ``sqrt``, ``maximum``, ``abs``), so the float64 registry and the
    float32 JAX training step of :mod:`otdiv.gan` compute one source. They do not validate
    and may warn at the edges of the domains under numpy: the registry's
    :class:`FDivergence` callables wrap them for that.

    Attributes
    ----------
    activation : callable
        :math:`g_f(v)`.
    conjugate : callable
        :math:`f^*(t)`, ``inf`` outside :math:`\operatorname{dom} f^*`.
    conjugate_of_activation : callable
        :math:`f^*(g_f(v))` in a closed form finite for every finite ``v``.
    """

    activation: Callable
    conjugate: Callable
    conjugate_of_activation: Callable


@dataclass(frozen=True, repr=False)
class FDivergence:
    r"""One f-divergence: its generator, conjugate, activation and optimal critic.

    All callables are vectorised NumPy functions returning float64 arrays (0-d for scalar
    input) and never warn: infinite limits are returned as ``inf``.

    Attributes
    ----------
    name : str
        Registry key.
    integral : str
        The divergence as an integral of the densities ``p`` and ``q``.
    f : callable
        The generator on ``u = p/q`` in ``[0, inf]``, convex, extended by its limits at 0
        and infinity.
    f_prime : callable
        Its derivative (``f_prime(0)`` and ``f_prime(inf)`` are the one-sided limits).
    f_conjugate : callable
        :math:`f^*(t) = \sup_{u \ge 0} \{ut - f(u)\}`; ``+inf`` outside ``conjugate_domain``.
    conjugate_domain : ConjugateDomain
        Where ``f_conjugate`` is finite.
    activation : callable
        :math:`g_f`: increasing map from a critic's raw output in R into the domain.
    activation_inverse : callable
        :math:`g_f^{-1}` on the range of ``activation``.
    conjugate_of_activation : callable
        :math:`f^*(g_f(v))` in a numerically stable closed form.
    f_prime_at_1 : float
        :math:`f'(1)`: the threshold above which a critic value ``T(x)`` classifies ``x`` as
        drawn from P.
    f_at_zero : float
        :math:`f(0) = \lim_{u \downarrow 0} f(u)`: the integrand per unit of q where p = 0.
    slope_at_infinity : float
        :math:`\lim_{u \to \infty} f(u)/u`: the integrand per unit of p where q = 0.
    integrand : callable
        ``integrand(p, q)``: the pointwise integrand of ``integral`` in a stable form, with
        the right limits where p or q vanish.
    log_integrand_pair : callable
        The same integrand from finite log densities (used by :meth:`log_integrand`).
    formulas : ArrayFormulas
        The source of ``activation``, ``f_conjugate`` and ``conjugate_of_activation``,
        callable on numpy or ``jax.numpy`` arrays (what :mod:`otdiv.gan` trains with).
    """

    name: str
    integral: str
    f: Callable
    f_prime: Callable
    f_conjugate: Callable
    conjugate_domain: ConjugateDomain
    activation: Callable
    activation_inverse: Callable
    conjugate_of_activation: Callable
    f_prime_at_1: float
    f_at_zero: float
    slope_at_infinity: float
    integrand: Callable
    log_integrand_pair: Callable | None = None
    formulas: ArrayFormulas | None = None

    def __post_init__(self) -> None:
        # A string given to a generator would otherwise fail deep inside NumPy with "could
        # not convert string to float": name the method and the argument instead.
        for field, names in _ARGUMENTS.items():
            function = getattr(self, field)
            if function is not None and not getattr(function, "checks_arguments", False):
                object.__setattr__(self, field, _checking_arguments(
                    function, f"F_DIVERGENCES[{self.name!r}].{field}", names))

    def log_integrand(self, log_p: ArrayLike, log_q: ArrayLike) -> np.ndarray | np.float64:
        r"""The integrand of ``integral`` from log densities: exact where ``p`` or ``q`` underflow.

        Equal to ``integrand(exp(log_p), exp(log_q))`` but computed in log space (e.g.
        Pearson :math:`e^{\log q + 2\log|e^{d} - 1|}` with :math:`d = \log p - \log q`), so a
        density below the float range in the tails contributes its true, tiny amount instead
        of an infinite ratio. ``-inf`` means a true zero.
        """
        if self.log_integrand_pair is None:
            raise ValueError(f"f-divergence {self.name!r} has no log-space integrand "
                             f"(log_integrand_pair is None)")
        where = f"F_DIVERGENCES[{self.name!r}].log_integrand"
        _check_real_argument(log_p, f"{where}: log_p")
        _check_real_argument(log_q, f"{where}: log_q")
        log_p, log_q = _array(log_p), _array(log_q)
        try:
            log_p, log_q = np.broadcast_arrays(log_p, log_q)
        except ValueError:
            raise ValueError(f"{where}: log_p and log_q must have shapes that broadcast, got "
                             f"{log_p.shape} and {log_q.shape}") from None
        for name, value in (("log_p", log_p), ("log_q", log_q)):
            bad = np.isnan(value) | (value == np.inf)
            if np.any(bad):
                index = tuple(int(i) for i in np.argwhere(bad)[0])
                shown = f"{name}[{', '.join(map(str, index))}]" if index else name
                raise ValueError(f"{where}: {name} must hold log densities, finite or -inf "
                                 f"(a true zero); {shown} is {float(value[index])!r}")
        out = np.zeros(log_p.shape)
        p_zero, q_zero = log_p == -np.inf, log_q == -np.inf
        both = ~p_zero & ~q_zero
        with _quiet():
            out[both] = self.log_integrand_pair(log_p[both], log_q[both])
            only_p = ~p_zero & q_zero
            out[only_p] = (np.inf if self.slope_at_infinity == np.inf
                           else np.exp(log_p[only_p]) * self.slope_at_infinity)
            only_q = p_zero & ~q_zero
            out[only_q] = (np.inf if self.f_at_zero == np.inf
                           else np.exp(log_q[only_q]) * self.f_at_zero)
        return out[()] if out.ndim == 0 else out

    def optimal_critic(self, ratio: ArrayLike) -> np.ndarray:
        r"""The critic :math:`T^*(x) = f'(p(x)/q(x))` that makes the variational bound tight.

        Parameters
        ----------
        ratio : array_like
            Density ratio ``p/q`` in ``[0, inf]``.

        Returns
        -------
        ndarray
            ``f_prime(ratio)``.

        Examples
        --------
        >>> from otdiv import F_DIVERGENCES
        >>> float(F_DIVERGENCES["kl"].optimal_critic(1.0))
        1.0
        """
        _check_real_argument(ratio, f"F_DIVERGENCES[{self.name!r}].optimal_critic: ratio")
        ratio = np.asarray(ratio, dtype=np.float64)
        bad = np.isnan(ratio) | (ratio < 0)
        if np.any(bad):
            raise ValueError(f"ratio must be a density ratio in [0, inf], got "
                             f"{ratio[bad].ravel()[0]!r}")
        return self.f_prime(ratio)

    def perspective(self, p: ArrayLike, q: ArrayLike) -> np.ndarray:
        r"""Pointwise :math:`q f(p/q)` straight from the definition, with its limits.

        ``q f(p/q)`` where ``q > 0``; ``p * slope_at_infinity`` where ``q = 0 < p``; ``0``
        where both vanish. Summed over a discrete support this is :math:`D_f(P\|Q)`.
        """
        _check_real_argument(p, f"F_DIVERGENCES[{self.name!r}].perspective: p")
        _check_real_argument(q, f"F_DIVERGENCES[{self.name!r}].perspective: q")
        p = np.asarray(p, dtype=np.float64)
        q = np.asarray(q, dtype=np.float64)
        p, q = np.broadcast_arrays(p, q)
        out = np.zeros(p.shape)
        with _quiet():
            ratio = np.where(q > 0, p / np.where(q > 0, q, 1.0), np.inf)
        inside = np.isfinite(ratio)
        with _quiet():
            out[inside] = q[inside] * self.f(ratio[inside])
        only_p = ~inside & (p > 0)  # q = 0, or p/q beyond the float range
        out[only_p] = p[only_p] * self.slope_at_infinity
        return out

    def __repr__(self) -> str:
        return f"FDivergence({self.name!r}: {self.integral})"


def _array(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _piecewise_conjugate(domain: ConjugateDomain, formula: Callable[[np.ndarray], np.ndarray]
                         ) -> Callable[[ArrayLike], np.ndarray | np.float64]:
    """f*(t) = formula(t) on the domain and +inf outside, evaluated without warnings."""
    def conjugate(t: ArrayLike) -> np.ndarray | np.float64:
        t = _array(t)
        inside = domain.contains(t)
        out = np.full(t.shape, np.inf)
        with _quiet():
            out[inside] = formula(t[inside])
        return out[()] if out.ndim == 0 else out
    return conjugate


def _vectorised(formula: Callable[[np.ndarray], ArrayLike]) -> Callable[[ArrayLike], np.ndarray]:
    def wrapped(x: ArrayLike) -> np.ndarray:
        with _quiet():
            return np.asarray(formula(_array(x)), dtype=np.float64)
    return wrapped


# --- the generators ---------------------------------------------------------------------
# Each block derives f*, g_f and f*(g_f(v)) from f; the tests re-derive them numerically.

def _kl_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return rel_entr(p, q)


def _reverse_kl_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return rel_entr(q, p)


def _pearson_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return _squared_gap_over(p, q, q)


def _neyman_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return _squared_gap_over(p, q, p)


def _squared_gap_over(p: np.ndarray, q: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """(p - q)^2 / denominator with 0/0 = 0 and c/0 = inf."""
    gap = (p - q) ** 2
    out = np.zeros(np.broadcast(p, q).shape)
    positive = denominator > 0
    np.divide(gap, denominator, out=out, where=positive)
    return np.where(~positive & (p != q), np.inf, out)


def _hellinger_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return (np.sqrt(p) - np.sqrt(q)) ** 2


def _total_variation_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return 0.5 * np.abs(p - q)


def _jensen_shannon_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    # p log(2p/(p+q)), not rel_entr(p, (p+q)/2): halving a subnormal p + q can round it to 0.
    s = p + q
    safe = np.where(s > 0, s, 1.0)
    return 0.5 * (xlogy(p, 2.0 * p / safe) + xlogy(q, 2.0 * q / safe))


def _gan_integrand(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    s = p + q
    return rel_entr(p, s) + rel_entr(q, s)


def _integrand(formula: Callable[[np.ndarray, np.ndarray], np.ndarray]
               ) -> Callable[[ArrayLike, ArrayLike], np.ndarray]:
    def integrand(p: ArrayLike, q: ArrayLike) -> np.ndarray:
        p, q = np.broadcast_arrays(_array(p), _array(q))
        with _quiet():
            return np.asarray(formula(p, q), dtype=np.float64)
    return integrand


def _jensen_shannon_f(u: np.ndarray) -> np.ndarray:
    # 1/2 [u log u - (u+1) log((1+u)/2)] = 1/2 [u log(2u/(1+u)) + log(2/(1+u))]
    finite = np.isfinite(u)
    safe = np.where(finite, u, 1.0)
    value = 0.5 * (xlogy(safe, 2.0 * safe / (1.0 + safe)) + _LOG2 - np.log1p(safe))
    return np.where(finite, value, np.inf)


def _gan_f(u: np.ndarray) -> np.ndarray:
    # u log u - (u+1) log(u+1) = u log(u/(u+1)) - log(1+u); decreasing to -inf
    finite = np.isfinite(u)
    safe = np.where(finite, u, 1.0)
    value = xlogy(safe, safe / (1.0 + safe)) - np.log1p(safe)
    return np.where(finite, value, -np.inf)


def _log_abs_expm1(d: ArrayLike) -> np.ndarray:
    """log|e^d - 1| without overflow or cancellation (-inf at d = 0)."""
    d = np.asarray(d, dtype=np.float64)
    positive = np.maximum(d, 0.0)
    return np.where(d > 0, positive + np.log(-np.expm1(-positive)),
                    np.log(-np.expm1(np.minimum(d, 0.0))))


# Integrands from log densities for finite log p and log q; d = log p - log q.
_LOG_INTEGRANDS = {
    "total_variation": lambda lp, lq: 0.5 * np.exp(lq + _log_abs_expm1(lp - lq)),
    "kl": lambda lp, lq: np.exp(lp) * (lp - lq),
    "reverse_kl": lambda lp, lq: np.exp(lq) * (lq - lp),
    "pearson": lambda lp, lq: np.exp(lq + 2.0 * _log_abs_expm1(lp - lq)),
    "neyman": lambda lp, lq: np.exp(lp + 2.0 * _log_abs_expm1(lq - lp)),
    "squared_hellinger": lambda lp, lq: np.exp(lq + 2.0 * _log_abs_expm1(0.5 * (lp - lq))),
    "jensen_shannon": lambda lp, lq: 0.5 * (np.exp(lp) * (_LOG2 - _softplus(lq - lp))
                                            + np.exp(lq) * (_LOG2 - _softplus(lp - lq))),
    "gan": lambda lp, lq: -(np.exp(lp) * _softplus(lq - lp) + np.exp(lq) * _softplus(lp - lq)),
}


# --- the array formulas: one source for the registry (numpy) and otdiv.gan (JAX) ---------

def _softplus_xp(v: Any, xp: Any) -> Any:
    return xp.logaddexp(0.0, v)


def _in_domain(t: Any, domain: ConjugateDomain) -> Any:
    inside = t <= domain.upper if domain.upper_closed else t < domain.upper
    if domain.lower > -np.inf:
        inside = inside & (t >= domain.lower if domain.lower_closed else t > domain.lower)
    return inside


def _conjugate_on(domain: ConjugateDomain, formula: Callable[[Any, Any], Any]
                  ) -> Callable[[Any, Any], Any]:
    """f*(t, xp): ``formula`` on the domain, ``inf`` outside (every domain holds -1, the
    point substituted outside so that neither branch of ``where`` produces NaN)."""
    def conjugate(t: Any, xp: Any) -> Any:
        inside = _in_domain(t, domain)
        return xp.where(inside, formula(xp.where(inside, t, -1.0), xp), xp.inf)
    return conjugate


def _pearson_conjugate(t: Any, xp: Any) -> Any:
    return xp.where(t >= -2.0, 0.25 * t * t + t, -1.0)


_REAL_LINE = ConjugateDomain(-np.inf, np.inf)
_NEGATIVE = ConjugateDomain(-np.inf, 0.0)
_BELOW_ONE = ConjugateDomain(-np.inf, 1.0)
_UP_TO_ONE = ConjugateDomain(-np.inf, 1.0, upper_closed=True)
_UP_TO_HALF = ConjugateDomain(-np.inf, 0.5, upper_closed=True)
_BELOW_HALF_LOG2 = ConjugateDomain(-np.inf, 0.5 * _LOG2)

#: kind -> (dom f*, g_f(v, xp), f*(t, xp) on the domain, f*(g_f(v), xp))
_FORMULAS = {
    "total_variation": (_UP_TO_HALF,
                        lambda v, xp: 0.5 * xp.tanh(v),
                        lambda t, xp: xp.maximum(t, -0.5),
                        lambda v, xp: 0.5 * xp.tanh(v)),
    "kl": (_REAL_LINE,
           lambda v, xp: v + 0.0,
           lambda t, xp: xp.exp(t - 1.0),
           lambda v, xp: xp.exp(v - 1.0)),
    "reverse_kl": (_NEGATIVE,
                   lambda v, xp: -xp.exp(-v),
                   lambda t, xp: -1.0 - xp.log(-t),
                   lambda v, xp: v - 1.0),
    "pearson": (_REAL_LINE,
                lambda v, xp: v + 0.0,
                _pearson_conjugate,
                _pearson_conjugate),
    "neyman": (_UP_TO_ONE,
               lambda v, xp: -xp.expm1(-v),
               lambda t, xp: 2.0 - 2.0 * xp.sqrt(1.0 - t),
               lambda v, xp: 2.0 - 2.0 * xp.exp(-0.5 * v)),
    "squared_hellinger": (_BELOW_ONE,
                          lambda v, xp: -xp.expm1(-v),
                          lambda t, xp: t / (1.0 - t),
                          lambda v, xp: xp.expm1(v)),
    "jensen_shannon": (_BELOW_HALF_LOG2,
                       lambda v, xp: 0.5 * (_LOG2 - _softplus_xp(-v, xp)),
                       lambda t, xp: -0.5 * xp.log(2.0 - xp.exp(2.0 * t)),
                       lambda v, xp: 0.5 * (_softplus_xp(v, xp) - _LOG2)),
    "gan": (_NEGATIVE,
            lambda v, xp: -_softplus_xp(-v, xp),
            lambda t, xp: -xp.log(-xp.expm1(t)),
            _softplus_xp),
}


def _formula_fields(kind: str) -> dict:
    """The FDivergence fields built from the array formulas of ``kind`` (numpy side)."""
    domain, activation, conjugate, conjugate_of_activation = _FORMULAS[kind]
    formulas = ArrayFormulas(activation=activation,
                             conjugate=_conjugate_on(domain, conjugate),
                             conjugate_of_activation=conjugate_of_activation)
    return dict(
        conjugate_domain=domain,
        formulas=formulas,
        activation=_vectorised(lambda v: activation(v, np)),
        f_conjugate=_piecewise_conjugate(domain, lambda t: conjugate(t, np)),
        conjugate_of_activation=_vectorised(lambda v: conjugate_of_activation(v, np)),
    )


def _build_registry() -> Mapping[str, FDivergence]:
    entries = [
        FDivergence(
            name="total_variation",
            **_formula_fields("total_variation"),
            integral="1/2 ∫ |p - q| dx",
            f=_vectorised(lambda u: 0.5 * np.abs(u - 1.0)),
            f_prime=_vectorised(lambda u: 0.5 * np.sign(u - 1.0)),
            activation_inverse=_vectorised(lambda t: np.arctanh(2.0 * t)),
            f_prime_at_1=0.0,
            f_at_zero=0.5,
            slope_at_infinity=0.5,
            integrand=_integrand(_total_variation_integrand),
        ),
        FDivergence(
            name="kl",
            **_formula_fields("kl"),
            integral="∫ p log(p/q) dx",
            f=_vectorised(lambda u: xlogy(u, u)),
            f_prime=_vectorised(lambda u: 1.0 + np.log(u)),
            activation_inverse=_vectorised(lambda t: t + 0.0),
            f_prime_at_1=1.0,
            f_at_zero=0.0,
            slope_at_infinity=np.inf,
            integrand=_integrand(_kl_integrand),
        ),
        FDivergence(
            name="reverse_kl",
            **_formula_fields("reverse_kl"),
            integral="∫ q log(q/p) dx",
            f=_vectorised(lambda u: -np.log(u)),
            f_prime=_vectorised(lambda u: -1.0 / u),
            activation_inverse=_vectorised(lambda t: -np.log(-t)),
            f_prime_at_1=-1.0,
            f_at_zero=np.inf,
            slope_at_infinity=0.0,
            integrand=_integrand(_reverse_kl_integrand),
        ),
        FDivergence(
            name="pearson",
            **_formula_fields("pearson"),
            integral="∫ (p - q)^2 / q dx",
            f=_vectorised(lambda u: (u - 1.0) ** 2),
            f_prime=_vectorised(lambda u: 2.0 * (u - 1.0)),
            activation_inverse=_vectorised(lambda t: t + 0.0),
            f_prime_at_1=0.0,
            f_at_zero=1.0,
            slope_at_infinity=np.inf,
            integrand=_integrand(_pearson_integrand),
        ),
        FDivergence(
            name="neyman",
            **_formula_fields("neyman"),
            integral="∫ (p - q)^2 / p dx",
            f=_vectorised(lambda u: (1.0 - u) ** 2 / u),
            f_prime=_vectorised(lambda u: 1.0 - 1.0 / (u * u)),
            activation_inverse=_vectorised(lambda t: -np.log1p(-t)),
            f_prime_at_1=0.0,
            f_at_zero=np.inf,
            slope_at_infinity=1.0,
            integrand=_integrand(_neyman_integrand),
        ),
        FDivergence(
            name="squared_hellinger",
            **_formula_fields("squared_hellinger"),
            integral="∫ (√p - √q)^2 dx",
            f=_vectorised(lambda u: (np.sqrt(u) - 1.0) ** 2),
            f_prime=_vectorised(lambda u: 1.0 - 1.0 / np.sqrt(u)),
            activation_inverse=_vectorised(lambda t: -np.log1p(-t)),
            f_prime_at_1=0.0,
            f_at_zero=1.0,
            slope_at_infinity=1.0,
            integrand=_integrand(_hellinger_integrand),
        ),
        FDivergence(
            name="jensen_shannon",
            **_formula_fields("jensen_shannon"),
            integral="1/2 ∫ p log(2p/(p + q)) + q log(2q/(p + q)) dx",
            f=_vectorised(_jensen_shannon_f),
            f_prime=_vectorised(lambda u: 0.5 * np.log(2.0 * u / (1.0 + u))),
            activation_inverse=_vectorised(lambda t: -np.log(np.expm1(_LOG2 - 2.0 * t))),
            f_prime_at_1=0.0,
            f_at_zero=0.5 * _LOG2,
            slope_at_infinity=0.5 * _LOG2,
            integrand=_integrand(_jensen_shannon_integrand),
        ),
        FDivergence(
            name="gan",
            **_formula_fields("gan"),
            integral="∫ p log(2p/(p + q)) + q log(2q/(p + q)) dx - log 4",
            f=_vectorised(_gan_f),
            f_prime=_vectorised(lambda u: np.log(u / (1.0 + u))),
            activation_inverse=_vectorised(lambda t: -np.log(np.expm1(-t))),
            f_prime_at_1=-_LOG2,
            f_at_zero=0.0,
            slope_at_infinity=0.0,
            integrand=_integrand(_gan_integrand),
        ),
    ]
    entries = [replace(entry, log_integrand_pair=_LOG_INTEGRANDS[entry.name])
               for entry in entries]
    return MappingProxyType({entry.name: entry for entry in entries})


F_DIVERGENCES = _build_registry()


def get_f_divergence(kind: Any) -> FDivergence:
    """Look a kind up by name; unknown names raise ``ValueError`` listing the valid ones.

    Examples
    --------
    >>> from otdiv.divergences import get_f_divergence
    >>> get_f_divergence("pearson").integral
    '∫ (p - q)^2 / q dx'
    """
    if isinstance(kind, FDivergence):
        return kind
    return F_DIVERGENCES[check_option(kind, "kind", F_DIVERGENCES)]
