r"""Exact f-divergences between discrete distributions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_probability_vector
from .registry import get_f_divergence

__all__ = ["f_divergence"]


def f_divergence(p: ArrayLike, q: ArrayLike, kind: str = "kl") -> float:
    r"""Exact f-divergence :math:`D_f(P\|Q) = \sum_i q_i f(p_i/q_i)` of two discrete distributions.

    The sum uses each kind's named integrand (e.g. Pearson :math:`\sum_i (p_i-q_i)^2/q_i`,
    KL :math:`\sum_i p_i \log(p_i/q_i)`) with the limits of the perspective function where an
    entry vanishes: :math:`0 \log 0 = 0`, a term with :math:`p_i = q_i = 0` is 0, a term with
    :math:`q_i = 0 < p_i` is :math:`p_i \lim_{u\to\infty} f(u)/u` and one with
    :math:`p_i = 0 < q_i` is :math:`q_i f(0)`. So the result is ``inf`` exactly when the
    divergence is infinite (KL and Pearson when P is not absolutely continuous with respect
    to Q, reverse KL and Neyman when Q is not w.r.t. P).

    By Jensen's inequality :math:`D_f(P\|Q) \ge f(1)`, which is 0 for every kind but
    ``"gan"`` (:math:`-\log 4`). The computed sum can fall below it only by round-off (the
    normalised masses sum to 1 within n ulps, e.g. KL came out −5.6e-17 for ``q = 3 p``); such
    a sum is returned as :math:`f(1)`, so ``sqrt`` of a divergence is never NaN.

    Parameters
    ----------
    p, q : array_like, shape (n,)
        Non-negative finite masses with a positive sum on the same n atoms; each is divided
        by its sum.
    kind : str
        A key of :data:`otdiv.F_DIVERGENCES`: ``"total_variation"``, ``"kl"``,
        ``"reverse_kl"``, ``"pearson"``, ``"neyman"``, ``"squared_hellinger"``,
        ``"jensen_shannon"`` (the usual JSD ≤ log 2) or ``"gan"`` (= 2·JSD − log 4).

    Returns
    -------
    float
        :math:`D_f(P\|Q)`, possibly ``inf``. Non-negative and 0 iff ``p == q`` for every kind
        except ``"gan"``, whose minimum is :math:`-\log 4` at ``p == q``. Exactly 0 (except
        ``"gan"``) when ``p`` and ``q`` are the same array.

    Raises
    ------
    ValueError
        Negative, non-finite, all-zero or non-1-D masses, ``p`` and ``q`` of different
        lengths, or an unknown ``kind`` (the message lists the valid names).

    See Also
    --------
    f_divergence_density : the same for 1-D densities, by quadrature.

    References
    ----------
    .. [1] I. Csiszár, "Information-type measures of difference of probability distributions
       and indirect observations", Studia Sci. Math. Hungar. 2 (1967).
    .. [2] S. Nowozin, B. Cseke, R. Tomioka, "f-GAN", NeurIPS 2016.

    Examples
    --------
    >>> from otdiv import f_divergence
    >>> round(f_divergence([0.5, 0.5], [0.9, 0.1], "total_variation"), 12)
    0.4
    >>> round(f_divergence([1, 0], [0, 1], "jensen_shannon"), 12)   # log 2 on disjoint supports
    0.69314718056
    >>> f_divergence([1, 0], [0.5, 0.5], "reverse_kl")
    inf
    """
    divergence = get_f_divergence(kind)
    p = as_probability_vector(p, "p")
    q = as_probability_vector(q, "q")
    if p.size != q.size:
        raise ValueError(f"p and q must have the same length (one mass per atom), got lengths "
                         f"{p.size} and {q.size}")
    terms = divergence.integrand(p, q)
    if np.any(terms == np.inf):
        return np.inf
    # Provably >= f(1) (Jensen); anything below is normalisation and summation round-off.
    return max(float(np.sum(terms)), float(divergence.f(1.0)))
