r"""Public distances between weighted empirical distributions.

Every function takes scipy's positional quadruple ``(u_values, v_values, u_weights=None,
v_weights=None)`` so that it is a drop-in for ``scipy.stats.wasserstein_distance`` and
friends; options are keyword-only. Values may be shape ``(n,)`` (points on the line) or
``(n, d)``; weights are normalised to sum 1 as scipy does.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from ._results import EmpiricalMeasure, TransportResult
from ._scaling import power_of_two_above
from ._validation import as_samples_pair, check_real
from .exact.kantorovich import certify, solve_kantorovich
from .exact.onedim import wasserstein_1d

__all__ = ["wasserstein", "transport", "displacement_interpolation", "euclidean_distances",
           "paired_distances"]


def euclidean_distances(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``||u_i - v_j||`` for all pairs, exact (no ``|x|^2 - 2xy``) and safe at any scale.

    The points are divided by a power of two near their largest coordinate (an exact
    rescaling) before the squares are formed, so coordinates of 1e-200 do not underflow
    and coordinates of 1e200 do not overflow.
    """
    scale = power_of_two_above(max(float(np.max(np.abs(u))), float(np.max(np.abs(v)))))
    return cdist(u / scale, v / scale, metric="euclidean") * scale


def paired_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``||x_k - y_k||`` row by row, safe at any scale (like :func:`euclidean_distances`)."""
    difference = x - y
    scale = power_of_two_above(float(np.max(np.abs(difference), initial=0.0)))
    return np.linalg.norm(difference / scale, axis=1) * scale


def scaled_ground_cost(u: np.ndarray, v: np.ndarray, p: float
                       ) -> tuple[np.ndarray, tuple[float, float]]:
    """Costs ``(||x_i - y_j|| / (unit * scale))^p``, every cost in [0, 1], and ``(unit, scale)``.

    ``scale`` is a power of two near the largest coordinate and ``unit`` one above the largest
    scaled distance, so ``W_p = (OT(cost)^(1/p) * unit) * scale`` — multiplied in that order,
    since ``unit * scale`` alone can exceed the float range for coordinates near 1e308. A positive distance whose cost underflows to 0 would silently change the
    problem, so it is refused.
    """
    scale = power_of_two_above(max(float(np.max(np.abs(u))), float(np.max(np.abs(v)))))
    distance = cdist(u / scale, v / scale, metric="euclidean")
    unit = power_of_two_above(float(distance.max()))
    distance /= unit
    cost = distance if p == 1.0 else distance**p
    if p != 1.0 and np.any((cost == 0.0) & (distance > 0.0)):
        smallest = float(np.min(distance[distance > 0]))
        raise ValueError(f"p = {p!r} is too large for these samples: (smallest / largest "
                         f"distance)^p = {smallest!r}^p underflows float64; use a smaller p")
    return cost, (unit, scale)


def wasserstein(u_values, v_values, u_weights=None, v_weights=None, *, p=1):
    r"""Wasserstein distance W_p between two weighted empirical distributions in R^d.

    .. math::

        W_p(\mu, \nu) = \Big(\min_{\gamma \in \Pi(\mu, \nu)}
        \sum_{ij} \gamma_{ij} \|x_i - y_j\|^p \Big)^{1/p}

    with the Euclidean ground distance. Returns W_p, not W_p^p (POT's ``ot.emd2`` returns
    the latter).

    Solver rule: one-dimensional data (shape ``(n,)`` or ``(n, 1)``) use the exact
    quantile closed form :func:`wasserstein_1d`, :math:`O((n+m)\log(n+m))`; data in
    :math:`d \ge 2` solve the exact linear program with the network simplex and certify the
    answer (see :func:`solve_kantorovich`).

    Parameters
    ----------
    u_values, v_values : array_like, shapes (n,) or (n, d), and (m,) or (m, d)
        Sample points of the two distributions.
    u_weights, v_weights : array_like, optional
        Non-negative weights with a positive sum (normalised); uniform when omitted.
    p : float, >= 1
        Order of the distance.

    Returns
    -------
    float
        W_p. Equals ``scipy.stats.wasserstein_distance`` (1-D, p = 1),
        ``scipy.stats.wasserstein_distance_nd`` (p = 1) and ``ot.emd2(a, b, M) ** (1/p)``
        with ``M = cdist(u, v) ** p``.

    Raises
    ------
    ValueError
        NaN/inf or empty samples, mismatched dimensions, bad weights, or ``p < 1``.

    See Also
    --------
    transport : the optimal plan and Kantorovich–Rubinstein potentials.

    References
    ----------
    .. [1] C. Villani, "Optimal Transport: Old and New", Springer 2009.

    Examples
    --------
    >>> from otdiv import wasserstein
    >>> wasserstein([0.0, 1.0, 3.0], [5.0, 6.0, 8.0])
    5.0
    >>> wasserstein([[0.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]], p=2)
    1.0
    """
    p = check_real(p, "p", lower=1.0)
    u, v, u_w, v_w = as_samples_pair(u_values, v_values, u_weights, v_weights)
    if u.shape[1] == 1:  # the caller's weights: None selects the faster uniform kernel
        return wasserstein_1d(u[:, 0], v[:, 0], u_weights, v_weights, p=p)
    cost, (unit, scale) = scaled_ground_cost(u, v, p)
    result = solve_kantorovich(u_w, v_w, cost)
    return (max(result.cost, 0.0) ** (1.0 / p) * unit) * scale


def transport(u_values, v_values, u_weights=None, v_weights=None, *, p=1,
              method="network_simplex") -> TransportResult:
    r"""Optimal coupling and dual potentials between two weighted samples.

    Solves the Kantorovich problem with cost :math:`\|x_i - y_j\|^p`; ``result.cost`` is
    :math:`W_p^p`. For ``p = 1`` the potentials are returned in Kantorovich–Rubinstein form:
    ``dual_u = f(x_i)`` and ``dual_v = -f(y_j)`` for the 1-Lipschitz function

    .. math:: f(z) = \min_j \big(\|z - y_j\| - v_j\big)

    (the c-transform of the LP's target potential), so that
    :math:`W_1 = \sum_i a_i f(x_i) - \sum_j b_j f(y_j)`.

    Parameters
    ----------
    u_values, v_values : array_like
        Sample points, shapes ``(n,)``/``(n, d)`` and ``(m,)``/``(m, d)``.
    u_weights, v_weights : array_like, optional
        Weights (normalised); uniform when omitted.
    p : float, >= 1
        Exponent of the ground cost.
    method : {"network_simplex", "highs"}
        LP solver, see :func:`solve_kantorovich`.

    Returns
    -------
    TransportResult
        Certified plan and potentials.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv import transport
    >>> result = transport([0.0, 1.0], [2.0, 3.0], p=2)
    >>> float(result.cost)  # W_2^2
    4.0
    >>> result.plan.tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    >>> f = transport([0.0, 1.0], [2.0, 3.0]).dual_u  # p = 1: f(x_i), f(z) = c - z
    >>> float(f[1] - f[0])
    -1.0
    """
    p = check_real(p, "p", lower=1.0)
    u, v, u_w, v_w = as_samples_pair(u_values, v_values, u_weights, v_weights)
    cost = euclidean_distances(u, v)
    if p != 1.0:
        with np.errstate(over="ignore"):
            cost = cost**p
        if not np.all(np.isfinite(cost)):
            raise ValueError(f"distances^p overflow float64 for p = {p!r}: the cost W_p^p of "
                             f"these samples is not representable; rescale the samples")
    result = solve_kantorovich(u_w, v_w, cost, method=method)
    if p != 1.0:
        return result
    # Kantorovich–Rubinstein form: f = c-transform of v, 1-Lipschitz on all of R^d.
    f_at_u = np.min(cost - result.dual_v[None, :], axis=1)
    f_at_v = np.min(euclidean_distances(v, v) - result.dual_v[None, :], axis=1)
    return certify(u_w, v_w, cost, result.plan, f_at_u, -f_at_v, method=result.method)


def displacement_interpolation(u_values, v_values, t, *, u_weights=None, v_weights=None
                               ) -> EmpiricalMeasure:
    r"""McCann's displacement interpolation: the W_2 geodesic between two samples.

    With an optimal W_2 plan :math:`\gamma`, the measure at time :math:`t \in [0, 1]` is

    .. math:: \mu_t = \sum_{ij} \gamma_{ij}\, \delta_{(1 - t) x_i + t y_j},

    which satisfies :math:`W_2(\mu_s, \mu_t) = |t - s|\, W_2(\mu_0, \mu_1)`: mass moves
    along straight lines instead of fading out and in, the lecture's "W_2 for
    interpolation".

    Parameters
    ----------
    u_values, v_values : array_like
        The end points ``mu_0`` and ``mu_1`` as samples.
    t : float in [0, 1]
        Time along the geodesic.
    u_weights, v_weights : array_like, optional, keyword-only
        Weights; uniform when omitted. (Keyword-only: with the time ``t`` in third place,
        positional weights would be easy to misplace.)

    Returns
    -------
    EmpiricalMeasure
        Points ``(k, d)`` and weights ``(k,)`` with ``k <= n + m - 1`` (the support of a
        vertex of the transport polytope).

    References
    ----------
    .. [1] R. J. McCann, "A convexity principle for interacting gases",
       Advances in Mathematics 128, 1997.

    Examples
    --------
    >>> from otdiv import displacement_interpolation
    >>> middle = displacement_interpolation([0.0, 1.0], [4.0, 5.0], 0.5)
    >>> middle.points.ravel().tolist(), middle.weights.tolist()
    ([2.0, 3.0], [0.5, 0.5])
    """
    t = check_real(t, "t", lower=0.0, upper=1.0)
    u, v, u_w, v_w = as_samples_pair(u_values, v_values, u_weights, v_weights)
    result = solve_kantorovich(u_w, v_w, scaled_ground_cost(u, v, 2.0)[0])  # same plan
    rows, columns = np.nonzero(result.plan > 0)
    points = (1.0 - t) * u[rows] + t * v[columns]
    weights = result.plan[rows, columns]
    return EmpiricalMeasure(points=points, weights=weights / weights.sum())
