r"""Learned critics and GANs in JAX, checked against exact transport and divergences.

An optional extra: ``pip install otdiv[gan]`` (JAX + optax). ``import otdiv`` never imports
JAX; ``import otdiv.gan`` without it raises ImportError with the install command.

Losses by name (:data:`LOSSES`): ``"jsgan"``, ``"jsgan-ns"``, ``"fgan:<kind>"`` for every
kind of :data:`otdiv.F_DIVERGENCES`, ``"wgan-clip"``, ``"wgan-gp"``, ``"wgan-sn"``,
``"cramer"``; hyper-parameters in :class:`GanConfig` (paper defaults from
:meth:`GanConfig.for_loss`).
"""

from . import _jax  # noqa: F401  (raises the install hint first when JAX is missing)
from .config import F_KINDS, LOSSES, GanConfig
from .fdiv import FGAN_FUNCTIONS, FGanFunctions
from .losses import gradient_penalty
from .models import NumpyCritic, NumpyGenerator
from .nets import apply_mlp, clip_weights, init_mlp, power_iteration, spectral_normalize
from .training import DATASETS, train_critic, train_gan

__all__ = [
    "DATASETS", "FGAN_FUNCTIONS", "FGanFunctions", "F_KINDS", "GanConfig", "LOSSES",
    "NumpyCritic", "NumpyGenerator", "apply_mlp", "clip_weights", "gradient_penalty",
    "init_mlp", "power_iteration", "spectral_normalize", "train_critic", "train_gan",
]
