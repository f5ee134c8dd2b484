"""The trained GAN results, and the old home of every result type.

``TrainedCritic`` and ``TrainedGan`` live here rather than in :mod:`otdiv.gan` because
``import otdiv`` exports them and must not import JAX (``import otdiv.gan`` does); their
``save``/``load`` delegate to :mod:`otdiv.gan.persistence`, imported when called. That lazy
import is the one import from this module into ``otdiv.gan``, declared in the import
contract (pyproject.toml); this module sits in the GAN layer, above every other domain.

The other result types live with their domains (``otdiv.exact.results``,
``otdiv.bias.results``, ``otdiv.divergences.results``, ``otdiv._sample_results``); they are
re-exported here so that ``from otdiv._results import X`` keeps working for code outside
the package's layers (``otdiv.gan`` uses it). New code imports them from their domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np

from ._frozen import ReadOnlyMapping, freeze_arrays
from ._sample_results import (
    LIPSCHITZ_ROUNDOFF,
    CriticReport,
    EmpiricalMeasure,
    Estimate,
    FCriticReport,
    KantorovichPotential,
    PairwiseResult,
)
from .bias.results import GradientEstimate, MinimizerInterval, SGDResult
from .divergences.results import NoiseBoundResult, ParallelLinesDivergences, VariationalBoundResult
from .exact.results import AssignmentResult, TransportResult

if TYPE_CHECKING:  # typing.Self is Python 3.11+; only the type checker needs it
    from typing import Self

__all__ = ["PairwiseResult", "ReadOnlyMapping", "CriticReport", "FCriticReport",
           "KantorovichPotential", "LIPSCHITZ_ROUNDOFF", "AssignmentResult", "TransportResult",
           "EmpiricalMeasure", "freeze_arrays", "Estimate", "MinimizerInterval",
           "GradientEstimate", "SGDResult", "VariationalBoundResult", "ParallelLinesDivergences",
           "NoiseBoundResult", "TrainedCritic", "TrainedGan"]


def _frozen_history(history) -> Mapping:
    """Read-only arrays in a read-only mapping (the results pickle through ``__reduce__``,
    which hands a plain dict back to ``__post_init__``)."""
    from types import MappingProxyType
    frozen = {}
    for key, value in history.items():
        array = np.array(value)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


class _TrainedResult:
    """What trained critics and GANs share: a frozen history, pickling, save and load."""

    history: object

    def __post_init__(self):
        object.__setattr__(self, "history", _frozen_history(self.history))

    def __reduce__(self):
        names = [field.name for field in fields(self)]
        values = [getattr(self, name) for name in names]
        values[names.index("history")] = dict(self.history)  # mappingproxy does not pickle
        return (type(self), tuple(values))

    def save(self, path) -> None:
        """Write to ``path`` (a ``.npz`` of arrays and JSON, see :func:`otdiv.gan.save`)."""
        from .gan.persistence import save
        save(self, path)

    @classmethod
    def load(cls, path) -> Self:
        """Read a result written by :meth:`save` (see :func:`otdiv.gan.load`)."""
        from .gan.persistence import load
        return load(path, expected=cls)


@dataclass(frozen=True)
class TrainedCritic(_TrainedResult):
    """A critic trained between two fixed sample sets (see ``otdiv.gan.train_critic``).

    Attributes
    ----------
    critic : callable
        The trained critic as a float64 numpy callable.
    loss : str
        The critic loss it was trained with.
    estimate : float
        The critic's estimate on all of ``u_values`` and ``v_values``.
    lipschitz_bound : float or None
        Product of the layers' spectral norms, an upper bound of the Lipschitz constant on
        all of R^d (``None`` for JSGAN/f-GAN critics, whose output activation need not be
        Lipschitz).
    history : mapping of str to read-only ndarray
        Values recorded at each checkpoint.
    config : GanConfig
        The hyper-parameters used.
    state : otdiv.gan.state.TrainingState or None
        What ``train_critic(..., resume=this)`` needs to continue the run exactly.

    Trained results pickle, but unpickling runs whatever code the pickle names: unpickle
    only files you made. :meth:`save` / :meth:`load` write and read them as arrays plus JSON
    without pickle and without running code (:mod:`otdiv.gan.persistence`).
    """

    critic: object
    loss: str
    estimate: float
    lipschitz_bound: float | None
    history: object
    config: object
    state: object = None

    def dual_value(self, u_values, v_values) -> float:
        """The critic's estimate on other samples (e.g. held-out ones)."""
        return self.critic.dual_value(u_values, v_values)


@dataclass(frozen=True)
class TrainedGan(_TrainedResult):
    """A generator trained against a critic (see ``otdiv.gan.train_gan``).

    Attributes
    ----------
    generator : callable
        The trained generator as a float64 numpy callable.
    critic : callable
        The critic at the end of training.
    loss : str
        The GAN loss.
    history : mapping of str to read-only ndarray
        Values recorded at each checkpoint.
    config : GanConfig
        The hyper-parameters used.
    state : otdiv.gan.state.TrainingState or None
        What ``train_gan(..., resume=this)`` needs to continue the run exactly.

    Trained results pickle, but unpickling runs whatever code the pickle names: unpickle
    only files you made. :meth:`save` / :meth:`load` write and read them as arrays plus JSON
    without pickle and without running code (:mod:`otdiv.gan.persistence`).
    """

    generator: object
    critic: object
    loss: str
    history: object
    config: object
    state: object = None
