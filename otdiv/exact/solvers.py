r"""The exact transport solvers behind one protocol, and the registry that names them.

Protocol: a solver takes a :class:`~otdiv.exact.problem.Problem` — probability vectors
``a`` (n,) and ``b`` (m,) and a ground cost from :mod:`otdiv.geometry` — and yields one or
more :class:`~otdiv.exact.problem.RawAnswer` (arcs with flow, its potentials, diagnostics).
:func:`solve` passes each through :func:`~otdiv.exact.certificate.certify`, the one gate,
and returns the first that is certified; no solver vouches for its own answer.

The registry's keys are the public ``method=`` names:

=====================  ==============================================================
``"network_simplex"``  POT's dense network simplex on ``geometry.solver_matrix()``, retried on
                       rescaled and capped costs (:mod:`otdiv.exact.dense`); the plan
                       comes back dense. ``"dense"`` is the same solver (the name the
                       sample functions use).
``"highs"``            the same LP in HiGHS (``scipy.optimize.linprog``), a cross-check
``"sparse"``           column generation on arcs, priced without the matrix, with
                       otdiv's own network simplex keeping its basis from round to round
                       (:mod:`otdiv.exact.sparse`); point clouds only, plans come back as
                       ``scipy.sparse.coo_array``
``"auto"``             the sample functions' rule (:mod:`otdiv.sample_transport`): the
                       closed form in 1-D, dense up to 10⁶ pairs (6.25·10⁶ for d > 8),
                       sparse beyond in d <= 16, dense above while the matrix fits
=====================  ==============================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from .certificate import SolverError, certify
from .dense import DENSE_SOLVERS, dense_attempts
from .problem import Problem, Progress, RawAnswer
from .results import TransportResult
from .sparse import solve_point_clouds

__all__ = ["SOLVERS", "solve", "SolverError"]


def _network_simplex(problem: Problem, progress: Progress | None = None
                     ) -> Iterator[RawAnswer]:
    return dense_attempts(problem, DENSE_SOLVERS["network_simplex"])


def _highs(problem: Problem, progress: Progress | None = None) -> Iterator[RawAnswer]:
    return dense_attempts(problem, DENSE_SOLVERS["highs"])


def _sparse(problem: Problem, progress: Progress | None = None) -> Iterator[RawAnswer]:
    yield solve_point_clouds(problem, progress=progress)  # refuses a cost without points


#: Solver name -> function ``(problem, progress) -> iterator of raw answers``.
SOLVERS: dict[str, Callable[..., Iterator[RawAnswer]]] = {
    "network_simplex": _network_simplex,
    "dense": _network_simplex,
    "highs": _highs,
    "sparse": _sparse,
}


def solve(problem: Problem, method: str, *, progress: Progress | None = None
          ) -> TransportResult:
    """The first answer of solver ``method`` that passes the certificate.

    Raises the last certificate failure (or the solver's own SolverError) when none does.
    """
    failure: SolverError | None = None
    name = "network_simplex" if method == "dense" else method
    attempts = SOLVERS[method](problem, progress)
    try:
        for raw in attempts:
            try:
                started = time.perf_counter()
                result = certify(problem, raw, method=name)
                seconds = time.perf_counter() - started
                return result.replace(diagnostics={**result.diagnostics,
                                                   "seconds_certificate": seconds})
            except SolverError as error:
                failure = error
    except SolverError as error:
        raise failure or error from None
    raise failure or SolverError(f"{name} produced no answer")
