r"""The state a training run needs to continue exactly where it stopped.

:class:`TrainingState` holds host (numpy) copies of every array the compiled loop carries
(network parameters, spectral-norm vectors, optimiser moments) together with the numpy
``Generator`` state that draws the next batches and the number of steps done. Resuming
from it (``train_critic(..., resume=trained)``, ``train_gan(..., resume=trained)``) draws
the same batches and runs the same float32 arithmetic as the uninterrupted run, so the two
end in identical parameters and histories. Nothing here needs pickle:
:mod:`otdiv.gan.persistence` writes it as arrays and JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._jax import jax, jnp

__all__ = ["TrainingState", "fingerprint", "BIT_GENERATORS"]

#: The bit generators whose state a :class:`TrainingState` may hold: numpy's own. The name
#: stored in a state is looked up in ``numpy.random`` only if it is one of these.
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _host(tree: Any) -> list[np.ndarray]:
    """Read-only numpy copies of a pytree's leaves, in ``jax.tree.leaves`` order."""
    leaves = []
    for leaf in jax.tree.leaves(tree):
        array = np.array(leaf)
        array.setflags(write=False)
        leaves.append(array)
    return leaves


def _device(template: Any, leaves: Sequence[np.ndarray]) -> Any:
    """``leaves`` back on the device in the structure of ``template``."""
    treedef = jax.tree.structure(template)
    template_leaves = jax.tree.leaves(template)
    if len(template_leaves) != len(leaves):
        raise ValueError(f"the checkpoint holds {len(leaves)} arrays where this "
                         f"configuration needs {len(template_leaves)}")
    for index, (leaf, wanted) in enumerate(zip(leaves, template_leaves)):
        if np.shape(leaf) != np.shape(wanted):
            raise ValueError(f"the checkpoint's array {index} has shape {np.shape(leaf)} "
                             f"where this configuration needs {np.shape(wanted)}")
    return jax.tree.unflatten(treedef, [jnp.asarray(leaf) for leaf in leaves])


def fingerprint(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' float64 bytes and shapes: tells whether a resumed run is
    given the same samples as the run it continues."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array, dtype=np.float64)
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class TrainingState:
    """Everything a run carries between checkpoints (host copies, read-only).

    Attributes
    ----------
    parts : dict of str to list of ndarray
        Leaves of each carried pytree, by name: ``"critic"``, ``"sn"``, ``"critic_opt"``,
        and for a GAN ``"generator"``, ``"generator_opt"``.
    rng_state : dict
        ``numpy.random.Generator.bit_generator.state`` after the last checkpoint.
    steps_done : int
        Steps (critic steps for a critic, generator steps for a GAN) run so far.
    arrays : dict of str to ndarray
        Fixed inputs of the run that cannot be drawn again: the Cramér reference sample,
        a GAN's training pool drawn from a named data set.
    data_fingerprint : str
        :func:`fingerprint` of the samples the run was trained on.
    sign_flips : int
        Sign-check flips so far (Wasserstein critics).
    """

    parts: dict
    rng_state: dict
    steps_done: int
    arrays: dict
    data_fingerprint: str
    sign_flips: int = 0

    def generator(self) -> np.random.Generator:
        """A numpy ``Generator`` in the saved state."""
        name = self.rng_state.get("bit_generator") if isinstance(self.rng_state, dict) else None
        if name not in BIT_GENERATORS:
            raise ValueError(f"rng_state names the bit generator {name!r}; a training state "
                             f"resumes only numpy's {BIT_GENERATORS}")
        bit_generator = getattr(np.random, name)()
        bit_generator.state = self.rng_state
        return np.random.Generator(bit_generator)

    def device(self, name: str, template: Any) -> Any:
        """Part ``name`` as a JAX pytree shaped like ``template``."""
        return _device(template, self.parts[name])

    @classmethod
    def capture(cls, trees: Mapping[str, Any], generator: np.random.Generator, steps_done: int,
                arrays: Mapping[str, np.ndarray], data_fingerprint: str, sign_flips: int = 0
                ) -> TrainingState:
        """Host copies of ``trees`` (name -> pytree) and of ``generator``'s state."""
        frozen = {}
        for key, value in arrays.items():
            copy = np.array(value)
            copy.setflags(write=False)
            frozen[key] = copy
        return cls(parts={name: _host(tree) for name, tree in trees.items()},
                   rng_state=dict(generator.bit_generator.state), steps_done=int(steps_done),
                   arrays=frozen, data_fingerprint=data_fingerprint,
                   sign_flips=int(sign_flips))
