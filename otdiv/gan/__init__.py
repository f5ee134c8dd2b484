r"""Learned critics and GANs in JAX, checked against exact transport and divergences.

An optional extra: ``pip install otdiv[gan]`` (JAX + optax). ``import otdiv`` never imports
JAX; ``import otdiv.gan`` without it raises ImportError with the install command.

Losses by name (:data:`LOSSES`): ``"jsgan"``, ``"jsgan-ns"``, ``"fgan:<kind>"`` for every
kind of :data:`otdiv.F_DIVERGENCES`, ``"wgan-clip"``, ``"wgan-gp"``, ``"wgan-sn"``,
``"cramer"``; hyper-parameters in :class:`GanConfig` (paper defaults from
:meth:`GanConfig.for_loss`, the papers' toy setups from :meth:`GanConfig.preset`).

Modules: :mod:`~otdiv.gan.config` (names, :class:`GanConfig`), :mod:`~otdiv.gan.nets`
(MLPs, spectral norm, clipping), :mod:`~otdiv.gan.losses`, :mod:`~otdiv.gan.steps`
(compiled steps), :mod:`~otdiv.gan.training` (the loops),
:mod:`~otdiv.gan.results` (:class:`TrainedCritic`, :class:`TrainedGan`),
:mod:`~otdiv.gan.evaluation`
(W_1, energy distance and mode statistics with sampling floors), :mod:`~otdiv.gan.data`
(toy data sets), :mod:`~otdiv.gan.studies` (multi-seed studies), :mod:`~otdiv.gan.state`
and :mod:`~otdiv.gan.persistence` (resume, save/load), :mod:`~otdiv.gan.plots`,
:mod:`~otdiv.gan.convnets` (the convolutional image critic, ``critic_network="conv"``),
:mod:`~otdiv.gan.calibration` (the mixture ladder) and :mod:`~otdiv.gan.tracking` (the
critic against the exact :math:`W_1` during image-GAN training).
"""

from . import _jax  # noqa: F401  (raises the install hint first when JAX is missing)
from .config import F_KINDS, INITIALIZATIONS, LOSSES, PRESETS, GanConfig
from .data import DATASETS, MIXTURES, sample_dataset
from .fdiv import FGAN_FUNCTIONS, FGanFunctions
from .losses import gradient_penalty
from .models import NumpyCritic, NumpyGenerator
from .nets import apply_mlp, clip_weights, init_mlp, power_iteration, spectral_normalize
from .persistence import load, save
from .results import TrainedCritic, TrainedGan
from .state import TrainingState
from .training import train_critic, train_gan

__all__ = [
    "DATASETS", "FGAN_FUNCTIONS", "FGanFunctions", "F_KINDS", "GanConfig", "INITIALIZATIONS",
    "LOSSES", "MIXTURES", "NumpyCritic", "NumpyGenerator", "PRESETS", "TrainedCritic",
    "TrainedGan", "TrainingState",
    "apply_mlp", "clip_weights", "gradient_penalty", "init_mlp", "load", "power_iteration",
    "sample_dataset", "save", "spectral_normalize", "train_critic", "train_gan",
]
