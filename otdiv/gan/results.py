"""The results of training: :class:`TrainedCritic` and :class:`TrainedGan`.

They live with the GAN domain that makes them (the other result types live with theirs:
``otdiv.exact.results``, ``otdiv.bias.results``, ``otdiv.divergences.results``,
``otdiv._sample_results``). ``import otdiv`` still offers ``otdiv.TrainedCritic`` and
``otdiv.TrainedGan`` without importing JAX: ``otdiv.__getattr__`` imports this module on
first access. Their ``save``/``load`` delegate to :mod:`otdiv.gan.persistence`, a sibling
imported when called (it builds these types, so importing it here would be circular).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from os import PathLike
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

if TYPE_CHECKING:  # typing.Self is Python 3.11+; only the type checker needs these
    from typing_extensions import Self

    from .config import GanConfig
    from .models import NumpyCritic, NumpyGenerator
    from .state import TrainingState

__all__ = ["TrainedCritic", "TrainedGan"]


def _frozen_history(history: Mapping[str, Any]) -> Mapping[str, np.ndarray]:
    """Read-only arrays in a read-only mapping (the results pickle through ``__reduce__``,
    which hands a plain dict back to ``__post_init__``)."""
    frozen = {}
    for key, value in history.items():
        array = np.array(value)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


class _TrainedResult:
    """What trained critics and GANs share: a frozen history, pickling, save and load."""

    history: Mapping[str, Any]
    __dataclass_fields__: ClassVar[dict[str, Any]]  # every subclass is a dataclass

    def __post_init__(self) -> None:
        object.__setattr__(self, "history", _frozen_history(self.history))

    def __reduce__(self) -> tuple[type, tuple]:
        names = [field.name for field in fields(self)]
        values = [getattr(self, name) for name in names]
        values[names.index("history")] = dict(self.history)  # mappingproxy does not pickle
        return (type(self), tuple(values))

    def save(self, path: str | PathLike[str]) -> None:
        """Write to ``path`` (a ``.npz`` of arrays and JSON, see :func:`otdiv.gan.save`)."""
        from .persistence import save
        save(self, path)

    @classmethod
    def load(cls, path: str | PathLike[str]) -> Self:
        """Read a result written by :meth:`save` (see :func:`otdiv.gan.load`)."""
        from .persistence import load
        return cast("Self", load(path, expected=cls))  # load refuses a file of another type


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

    critic: NumpyCritic
    loss: str
    estimate: float
    lipschitz_bound: float | None
    history: Mapping[str, Any]
    config: GanConfig
    state: TrainingState | None = None

    def dual_value(self, u_values: Any, v_values: Any) -> float:
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

    generator: NumpyGenerator
    critic: NumpyCritic
    loss: str
    history: Mapping[str, Any]
    config: GanConfig
    state: TrainingState | None = None
