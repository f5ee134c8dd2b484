r"""The variational (VDM) lower bound that an f-GAN critic maximises."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validation import Critic, as_samples, critic_values
from .registry import FDivergence, get_f_divergence
from .results import VariationalBoundResult

__all__ = ["variational_bound"]


def _samples(values: ArrayLike, name: str) -> np.ndarray:
    """Validated float64 samples in the caller's layout: (n,) stays (n,), (n, d) stays."""
    checked = as_samples(values, name)
    return checked[:, 0] if np.ndim(values) == 1 else checked


def variational_bound(critic: Critic, u_values: ArrayLike,
                      v_values: ArrayLike, kind: str = "kl") -> VariationalBoundResult:
    r"""Monte Carlo estimate of the f-GAN variational lower bound for a given critic.

    .. math::

        \hat F = \frac1n \sum_{i} g_f(v(x_i)) - \frac1m \sum_{j} f^*\big(g_f(v(y_j))\big),
        \qquad x_i \sim P, \; y_j \sim Q,

    where :math:`v` is the critic's raw output and :math:`g_f` the kind's activation, so that
    :math:`T = g_f \circ v` always lies in :math:`\operatorname{dom} f^*`. Its expectation is
    at most :math:`D_f(P\|Q)` for every critic (Fenchel–Young) and equal to it for
    :math:`v^* = g_f^{-1}(f'(p/q))`. :math:`f^*(g_f(v))` is evaluated in a stable closed
    form (e.g. :math:`\operatorname{softplus}(v)` for GAN, :math:`e^{-v} - 1` for squared
    Hellinger), never by composing the two functions.

    Parameters
    ----------
    critic : callable
        ``critic(x) -> v``: one finite real per sample, shape ``(n,)`` or ``(n, 1)``. It
        receives the samples as float64 in the layout given (``(n,)`` or ``(n, d)``).
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Samples of P and of Q.
    kind : str, default "kl"
        A key of :data:`otdiv.F_DIVERGENCES`.

    Returns
    -------
    VariationalBoundResult
        ``value`` (the estimate; ``-inf`` if :math:`f^*(T)` overflows, e.g. KL with
        :math:`v > 710`), ``p_term``, ``q_term`` and the Monte Carlo ``standard_error``.

    Raises
    ------
    ValueError
        Unknown ``kind``, empty or non-finite samples, samples of different dimensions, or
        a critic output of the wrong shape or non-finite.
    TypeError
        ``critic`` not callable or returning non-numbers.

    References
    ----------
    .. [1] S. Nowozin, B. Cseke, R. Tomioka, "f-GAN", NeurIPS 2016, eq. (6) and Table 2.
    .. [2] X. Nguyen, M. J. Wainwright, M. I. Jordan, IEEE Trans. Inf. Theory 56 (2010).

    Examples
    --------
    The optimal KL critic for P = N(1, 1) against Q = N(0, 1) is
    :math:`v^*(x) = 1 + \log(p/q) = x + 1/2`; the bound then estimates KL = 1/2:

    >>> import numpy as np
    >>> from otdiv import variational_bound
    >>> rng = np.random.default_rng(0)
    >>> u_values, v_values = rng.normal(1, 1, 200_000), rng.normal(0, 1, 200_000)
    >>> result = variational_bound(lambda x: x + 0.5, u_values, v_values, "kl")
    >>> abs(result.value - 0.5) < 4 * result.standard_error
    True
    """
    return variational_bound_core(*validated_bound_inputs(critic, u_values, v_values, kind))


def validated_bound_inputs(critic: Any, u_values: ArrayLike, v_values: ArrayLike, kind: Any
                           ) -> tuple[Critic, np.ndarray, np.ndarray, FDivergence]:
    """``(critic, u, v, divergence)`` checked as :func:`variational_bound` documents."""
    divergence = get_f_divergence(kind)
    if not callable(critic):
        raise TypeError(f"critic must be a callable critic(x) -> values, got "
                        f"{type(critic).__name__}")
    u = _samples(u_values, "u_values")
    v = _samples(v_values, "v_values")
    d_u = 1 if u.ndim == 1 else u.shape[1]
    d_v = 1 if v.ndim == 1 else v.shape[1]
    if d_u != d_v:
        raise ValueError(f"u_values and v_values must have the same dimension d, got points "
                         f"in R^{d_u} and R^{d_v} (shapes {u.shape} and {v.shape})")
    return critic, u, v, divergence


def variational_bound_core(critic: Critic, u: np.ndarray, v: np.ndarray,
                           divergence: FDivergence) -> VariationalBoundResult:
    """Trusted core of :func:`variational_bound` on validated samples."""
    on_p = divergence.activation(critic_values(critic, u, "u_values"))
    on_q = divergence.conjugate_of_activation(critic_values(critic, v, "v_values"))
    p_term, q_term = float(np.mean(on_p)), float(np.mean(on_q))
    value = p_term - q_term
    if np.isfinite(value):
        variance = (np.var(on_p, ddof=1) / on_p.size if on_p.size > 1 else 0.0) + (
            np.var(on_q, ddof=1) / on_q.size if on_q.size > 1 else 0.0)
        standard_error = float(np.sqrt(variance))
    else:
        standard_error = float("nan")
    return VariationalBoundResult(value=value, p_term=p_term, q_term=q_term,
                                  standard_error=standard_error, kind=divergence.name)
