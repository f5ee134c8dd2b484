r"""Calibrate a critic before any GAN: a ladder of distributions with a known, linear W₁.

For two distributions P and R and :math:`\alpha \in [0, 1]` the mixture
:math:`Q_\alpha = (1 - \alpha) P + \alpha R` satisfies

.. math::

    W_1(P, Q_\alpha) = \alpha\, W_1(P, R)

exactly, also for empirical measures (with weights): keeping the mass :math:`1 - \alpha` of
P in place and moving :math:`\alpha P` to :math:`\alpha R` along an optimal plan costs
:math:`\alpha W_1(P, R)`, and a Kantorovich potential f of (P, R) gives
:math:`E_P f - E_{Q_\alpha} f = \alpha (E_P f - E_R f) = \alpha W_1(P, R)`. So a trained
critic can be held against a truth that is known in advance and linear in α, before a
generator moves anything. :func:`mixture_ladder` builds :math:`Q_\alpha` as a weighted
empirical measure; :func:`calibration_study` trains critics along the ladder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._executor import Task, check_executor, run_tasks
from .._validation import as_samples, check_bool, check_int, check_real, check_same_dimension
from ..sample_transport import wasserstein
from .config import GanConfig
from .training import train_critic

__all__ = ["ALPHAS", "CALIBRATION_LOSSES", "mixture_ladder", "mixture_ladder_w1",
           "digit_class_pair", "calibration_study"]

#: The mixture weights of the ladder in :func:`calibration_study`.
ALPHAS = (0.0, 0.1, 0.25, 0.5, 1.0)
#: Critics trained by default in :func:`calibration_study`.
CALIBRATION_LOSSES = ("wgan-gp", "wgan-sn")


def mixture_ladder(p_values: ArrayLike, r_values: ArrayLike, alpha: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    r"""``(support, weights)`` of :math:`Q_\alpha = (1 - \alpha) P + \alpha R`.

    ``support`` stacks the rows of ``p_values`` then ``r_values``; each row of P weighs
    :math:`(1 - \alpha)/n_P`, each row of R :math:`\alpha / n_R` (zero weights at the ends
    of the ladder are kept: the support does not change with α).

    Examples
    --------
    >>> import numpy as np, otdiv
    >>> from otdiv.gan.calibration import mixture_ladder
    >>> p, r = np.array([[0.0], [1.0]]), np.array([[3.0], [5.0]])
    >>> support, weights = mixture_ladder(p, r, 0.25)
    >>> weights.tolist()
    [0.375, 0.375, 0.125, 0.125]
    >>> otdiv.wasserstein(p, support, None, weights), 0.25 * otdiv.wasserstein(p, r)
    (0.875, 0.875)
    """
    p_values = as_samples(p_values, "p_values")
    r_values = as_samples(r_values, "r_values")
    check_same_dimension(p_values, r_values, ("p_values", "r_values"))
    alpha = check_real(alpha, "alpha", lower=0.0, upper=1.0)
    n_p, n_r = p_values.shape[0], r_values.shape[0]
    weights = np.concatenate([np.full(n_p, (1.0 - alpha) / n_p), np.full(n_r, alpha / n_r)])
    return np.vstack([p_values, r_values]), weights


def mixture_ladder_w1(p_values: ArrayLike, r_values: ArrayLike, alphas: Sequence[float] = ALPHAS
                      ) -> list[dict[str, Any]]:
    r"""Exact :math:`W_1(P, Q_\alpha)` by the weighted solver, beside :math:`\alpha W_1(P, R)`.

    Rows: ``alpha``, ``exact_w1`` (``otdiv.wasserstein(P, support, None, weights)``) and
    ``alpha_w1`` (α times the exact :math:`W_1(P, R)`); equal up to the solver's round-off
    (the identity of the module docstring).
    """
    p_values = as_samples(p_values, "p_values")
    r_values = as_samples(r_values, "r_values")
    full = wasserstein(p_values, r_values, progress=False)
    rows = []
    for alpha in alphas:
        support, weights = mixture_ladder(p_values, r_values, alpha)
        rows.append({"alpha": float(alpha),
                     "exact_w1": wasserstein(p_values, support, None, weights,
                                             progress=False),
                     "alpha_w1": float(alpha) * full})
    return rows


def digit_class_pair(split: str, first: Sequence[int] = (0, 1, 2, 3, 4),
                     second: Sequence[int] = (5, 6, 7, 8, 9)) -> tuple[np.ndarray, np.ndarray]:
    """``(P, R)``: the ``digits()`` images (64-D, in [0, 1]) of ``split`` whose label is in
    ``first``, and those whose label is in ``second`` (needs the ``images`` extra)."""
    from ..datasets import digits
    images = digits(split)
    return (images.images[np.isin(images.labels, first)],
            images.images[np.isin(images.labels, second)])


def _weighted_mean_difference(critic: Callable[[np.ndarray], np.ndarray], p_values: np.ndarray,
                              r_values: np.ndarray, alpha: float) -> tuple[float, float]:
    """:math:`E_P f - E_{Q_\\alpha} f = \\alpha(\\bar f_P - \\bar f_R)` and its standard
    error (the two samples independent)."""
    f_p, f_r = critic(p_values), critic(r_values)
    estimate = alpha * float(f_p.mean() - f_r.mean()) + 0.0   # + 0.0: no -0.0 at alpha 0
    error = alpha * float(np.sqrt(f_p.var(ddof=1) / f_p.size + f_r.var(ddof=1) / f_r.size))
    return estimate, error


#: One seed's task: ``(seed, alphas, losses, configs, steps, draws)``.
_CalibrationPayload = tuple[int, tuple[float, ...], tuple[str, ...], dict[str, GanConfig], int,
                            int]


def _calibration_rows(items: Mapping[str, Any], payload: _CalibrationPayload
                      ) -> list[dict[str, Any]]:
    """One seed of :func:`calibration_study` (a task of the executor adapter)."""
    seed, alphas, losses, configs, steps, draws = payload
    p_train, r_train = items["p_train"], items["r_train"]
    p_test, r_test = items["p_test"], items["r_test"]
    generator = np.random.default_rng(seed)
    rows = []
    for alpha in alphas:
        # i.i.d. draws from the weighted training mixture Q_alpha (its rows of P are rows
        # of the P training sample: the truth is about these empirical measures)
        n_q = draws * p_train.shape[0]
        from_r = int(generator.binomial(n_q, alpha))
        q_train = np.vstack([p_train[generator.integers(0, p_train.shape[0], n_q - from_r)],
                             r_train[generator.integers(0, r_train.shape[0], from_r)]])
        for loss in losses:
            trained = train_critic(p_train, q_train, config=configs[loss], steps=steps,
                                   rng=generator, checkpoints=1)
            held, error = _weighted_mean_difference(trained.critic, p_test, r_test, alpha)
            train_estimate, _ = _weighted_mean_difference(trained.critic, p_train, r_train,
                                                          alpha)
            exact = items["exact_test"][alpha]
            rows.append({
                "seed": seed, "loss": loss, "alpha": alpha,
                "exact_w1": exact, "alpha_w1": alpha * items["w1_test"],
                "held_out_estimate": held, "standard_error": error,
                "ratio": held / exact if exact > 0 else np.nan,
                "train_estimate": train_estimate,
                "exact_w1_train": alpha * items["w1_train"],
                "lipschitz_bound": trained.lipschitz_bound,
                "sign_flips": int(trained.history["sign_flips"][-1])})
    return rows


def calibration_study(*, alphas: Sequence[float] = ALPHAS, seeds: Iterable[int] = range(3),
                      losses: Sequence[str] = CALIBRATION_LOSSES, steps: int = 2000,
                      critic_hidden: Sequence[int] = (512, 512), batch_size: int = 64,
                      draws: int = 4, configs: Mapping[str, GanConfig] | None = None,
                      data: Mapping[str, ArrayLike] | None = None, executor: Any = None,
                      progress: bool = False) -> list[dict[str, Any]]:
    r"""Train critics between P and :math:`Q_\alpha` and compare with the exact α·W₁.

    P and R are the ``digits()`` classes 0–4 and 5–9 (64-D, :func:`digit_class_pair`);
    critics train on the ``"train"`` split and are scored on the disjoint ``"test"``
    split. For each seed and α, ``draws`` × :math:`n_P` rows are drawn i.i.d. from the
    weighted training mixture :math:`Q_\alpha` and each loss's critic (paper defaults,
    MLP 64-``critic_hidden``-1, ``batch_size``) trains ``steps`` steps between the P
    training rows and those draws.

    Rows (order: seed, α, loss): ``exact_w1``, the exact :math:`W_1(P', Q'_\alpha)` on the
    test split by the weighted solver; ``alpha_w1``, α times the exact
    :math:`W_1(P', R')` (equal to ``exact_w1`` up to round-off); ``held_out_estimate``,
    :math:`E_{P'} f - E_{Q'_\alpha} f = \alpha(\bar f_{P'} - \bar f_{R'})` with the exact
    weights, and its ``standard_error``; ``ratio`` = held-out estimate / exact (NaN at
    α = 0); ``train_estimate`` and ``exact_w1_train`` (the same on the training split);
    ``lipschitz_bound`` (product of spectral norms) and ``sign_flips``. Reduce with
    :func:`otdiv.gan.studies.summarize`.

    ``data``: a dict with arrays ``p_train``, ``r_train``, ``p_test``, ``r_test`` to use
    instead of the digits. ``configs`` maps a loss to its :class:`GanConfig` (overriding the
    defaults above). One task per seed on ``executor`` (as in :mod:`otdiv.gan.studies`).

    The empirical :math:`W_1` of a few hundred points in 64-D sits above the
    distributions' :math:`W_1` (sampling bias), and a held-out estimate of a Lipschitz
    critic estimates :math:`E_P f - E_Q f \le L\, W_1` of the distributions: read the
    ratio as "the fraction of the empirical :math:`W_1` the critic finds", and linearity
    in α as the property under test.
    """
    executor = check_executor(executor)
    progress = check_bool(progress, "progress")
    steps = check_int(steps, "steps", lower=1)
    draws = check_int(draws, "draws", lower=1)
    alphas = tuple(check_real(alpha, "alphas entries", lower=0.0, upper=1.0)
                   for alpha in alphas)
    seeds = tuple(seeds)
    if not seeds or not alphas or not losses:
        raise ValueError("seeds, alphas and losses must each hold at least one entry")
    for seed in seeds:
        check_int(seed, "seeds entries", lower=0)
    if data is None:
        p_train, r_train = digit_class_pair("train")
        p_test, r_test = digit_class_pair("test")
    else:
        p_train, r_train, p_test, r_test = (as_samples(data[key], f"data[{key!r}]") for key in
                                            ("p_train", "r_train", "p_test", "r_test"))
    chosen = {}
    for loss in losses:
        given = (configs or {}).get(loss)
        if given is not None and not isinstance(given, GanConfig):
            raise TypeError(f"configs values must be GanConfig, got {type(given).__name__}")
        chosen[loss] = given or GanConfig.for_loss(loss, critic_hidden=tuple(critic_hidden),
                                                   batch_size=batch_size)
    ladder = mixture_ladder_w1(p_test, r_test, alphas)
    items = {"p_train": p_train, "r_train": r_train, "p_test": p_test, "r_test": r_test,
             "w1_test": wasserstein(p_test, r_test, progress=False),
             "w1_train": wasserstein(p_train, r_train, progress=False),
             "exact_test": {row["alpha"]: row["exact_w1"] for row in ladder}}
    payloads = [(seed, alphas, tuple(losses), chosen, steps, draws) for seed in seeds]
    keys = tuple(items)
    per_seed = run_tasks(_calibration_rows, [Task(payload, keys) for payload in payloads],
                         items, executor=executor, progress=progress,
                         description="critic calibration")
    return [row for rows in per_seed for row in rows]
