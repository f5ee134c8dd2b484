r"""Loss names and the one configuration dataclass of the GAN module (no JAX needed here).

Every hyper-parameter of a run lives in :class:`GanConfig`; :meth:`GanConfig.for_loss`
fills in the defaults of the paper that introduced the loss:

============== ======================= ===================== ======== ========= =======
loss           optimiser               learning rate, betas  n_critic batch     extra
============== ======================= ===================== ======== ========= =======
jsgan(-ns)     Adam                    2e-4, (0.5, 0.999)    1        64
fgan:<kind>    Adam, single-step       2e-4, (0.5, 0.999)    1        64
wgan-clip      RMSProp                 5e-5                  5        64        c = 0.01,
                                                                                warm-up
wgan-gp        Adam                    1e-4, (0, 0.9)        5        64        λ = 10
wgan-sn        Adam                    1e-4, (0.5, 0.9)      5        64        1 power step
cramer         Adam                    1e-4, (0.5, 0.9)      5        64*       λ = 10,
                                                                                16 features*
============== ======================= ===================== ======== ========= =======

The f-GAN generators default to the loss Nowozin et al. recommend, :math:`-E_Q[g_f(V)]`
(``generator_objective="non_saturating"``; the minimax :math:`-E_Q[f^*(g_f(V))]` stays
selectable); ``"jsgan"`` keeps Goodfellow et al.'s minimax loss and ``"jsgan-ns"`` is its
non-saturating twin. ``wgan-clip`` trains the critic ``warmup_critic_steps = 100`` times
instead of ``n_critic`` before each of the first 25 generator steps and before every 500th,
as the WGAN reference code does (``main.py``: ``Diters = 100`` when ``gen_iterations < 25
or gen_iterations % 500 == 0``); ``warmup_critic_steps=0`` turns it off.

Cramér GAN: λ = 10, Adam(1e-4, 0.5, 0.9) and n_critic = 5 are Bellemare et al.'s
(arXiv:1705.10743; checked against the paper in the project's reference notes); the
entries marked * are this module's choices, not taken from the paper: a batch of 64
(shared with the other losses) and a 16-dimensional feature map ``h`` sized for toy data.

References: Goodfellow et al. 2014 and Radford et al. 2016 (JSGAN with Adam(2e-4, 0.5));
Nowozin et al. 2016 (f-GAN, single-step gradient); Arjovsky et al. 2017 (Algorithm 1);
Gulrajani et al. 2017 (WGAN-GP); Miyato et al. 2018 (setting A of their Table 1);
Bellemare et al. 2017 (Cramér GAN).

Named presets (:meth:`GanConfig.preset`, :data:`PRESETS`) reproduce the papers' toy setups:

=========== ========== ====================================================================
preset      loss       settings
=========== ========== ====================================================================
gan_toy     wgan-gp    WGAN-GP's ``gan_toy.py``: λ = 0.1, Adam(1e-4, 0.5, 0.9), batch 256,
                       n_critic = 5, critic and generator 3 × 512 ReLU, He initialisation
wgan        wgan-clip  WGAN Algorithm 1: RMSProp(5e-5), c = 0.01, m = 64, n_critic = 5,
                       and the reference code's critic warm-up (100 critic steps before
                       each of the first 25 generator steps and every 500th)
sngan       wgan-sn    SN critic, setting A of Miyato et al. Table 1: Adam(1e-4, 0.5, 0.9),
                       n_critic = 5, batch 64, one power step with a persistent u
images_gp   wgan-gp    image runs: WGAN-GP paper defaults (λ = 10), critic d-512-512-1,
                       generator 32-512-512-d with a sigmoid output, batch 64
images_gp1  wgan-gp    the same with λ = 1
images_clip wgan-clip  WGAN Algorithm 1 (with the warm-up) on the image networks
images_sn   wgan-sn    setting A of Miyato et al. on the image networks
images_conv wgan-gp    the convolutional critic (:mod:`otdiv.gan.convnets`, channels 32, 64,
_gp                    leaky ReLU, layer norm) with λ = 10 and the image generator
images_conv wgan-sn    the convolutional critic, each layer divided by its operator norm
_sn                    (no layer norm), setting A of Miyato et al.
images_conv wgan-clip  the convolutional critic (no layer norm), Algorithm 1 with warm-up
_clip
=========== ========== ====================================================================

The image critics: ``critic_network="mlp"`` (default, ``critic_hidden`` widths) or
``"conv"`` (:mod:`otdiv.gan.convnets`: 4 x 4 stride-2 convolutions with
``critic_channels`` channels, then a dense output; no batch norm; ``layer_norm`` defaults
to on with the gradient penalty and is refused with spectral normalisation).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._validation import check_int, check_option, check_real

__all__ = ["F_KINDS", "LOSSES", "PRESETS", "INITIALIZATIONS", "GanConfig", "loss_family",
           "check_loss", "IMAGE_NETWORKS", "GENERATOR_OUTPUTS", "CRITIC_NETWORKS",
           "CONV_CRITIC"]

#: f-divergence kinds usable as ``"fgan:<kind>"`` (the names of ``otdiv.F_DIVERGENCES``).
F_KINDS = ("total_variation", "kl", "reverse_kl", "pearson", "neyman", "squared_hellinger",
           "jensen_shannon", "gan")

#: Every loss name accepted by :func:`train_critic` and :func:`train_gan`.
LOSSES = ("jsgan", "jsgan-ns", *(f"fgan:{kind}" for kind in F_KINDS),
          "wgan-clip", "wgan-gp", "wgan-sn", "cramer")

ACTIVATIONS = ("relu", "leaky_relu", "tanh")
OPTIMIZERS = ("adam", "rmsprop")
#: Weight initialisations of :func:`otdiv.gan.init_mlp`.
INITIALIZATIONS = ("pytorch", "he", "glorot")
GENERATOR_OBJECTIVES = ("minimax", "non_saturating")
#: Output layers of the generator: none (``"linear"``) or a sigmoid into (0, 1) (images).
GENERATOR_OUTPUTS = ("linear", "sigmoid")

#: The networks of the image runs (``data="digits"`` / ``"mnist5k"``): an MLP critic
#: d-512-512-1 and a sigmoid-output MLP generator 32-512-512-d (pixels in (0, 1)).
IMAGE_NETWORKS = dict(critic_hidden=(512, 512), generator_hidden=(512, 512), latent_dim=32,
                      generator_output="sigmoid", batch_size=64)


#: Critic architectures: an MLP (``critic_hidden``) or the convolutional critic of
#: :mod:`otdiv.gan.convnets` (``critic_channels``; square single-channel images).
CRITIC_NETWORKS = ("mlp", "conv")

#: The convolutional image critic of the ``images_conv_*`` presets: two 4 x 4 stride-2
#: convolutions with 32 and 64 channels and leaky ReLUs (the DCGAN/WGAN-GP critics' choice).
CONV_CRITIC = dict(critic_network="conv", critic_channels=(32, 64), activation="leaky_relu")


def check_loss(loss: Any) -> str:
    """The loss name must be one of :data:`LOSSES`; the error lists them all."""
    return check_option(loss, "loss", LOSSES)


def _default_layer_norm(critic_network: str, loss: str) -> bool:
    """What ``layer_norm=None`` resolves to: layer norm for the ``"conv"`` critic with a
    gradient-penalty loss (``"wgan-gp"``, ``"cramer"``), none otherwise."""
    return critic_network == "conv" and (loss == "wgan-gp" or loss == "cramer")


def loss_family(loss: str) -> str:
    """``"variational"`` (JSGAN, f-GAN), ``"wasserstein"`` (clip, GP, SN) or ``"cramer"``."""
    loss = check_loss(loss)
    if loss.startswith("wgan"):
        return "wasserstein"
    if loss == "cramer":
        return "cramer"
    return "variational"


def f_kind(loss: str) -> str:
    """The f-divergence behind a variational loss: JSGAN is the f-GAN with kind ``"gan"``."""
    return "gan" if loss.startswith("jsgan") else loss.split(":", 1)[1]


_PAPER_DEFAULTS: dict[str, dict[str, Any]] = {
    "variational": dict(optimizer="adam", learning_rate=2e-4, beta1=0.5, beta2=0.999,
                        n_critic=1),
    # warm-up: Diters = 100 for the first 25 generator iterations and every 500th
    # (the WGAN reference code, main.py)
    "wgan-clip": dict(optimizer="rmsprop", learning_rate=5e-5, n_critic=5, clip=0.01,
                      warmup_critic_steps=100),
    "wgan-gp": dict(optimizer="adam", learning_rate=1e-4, beta1=0.0, beta2=0.9, n_critic=5,
                    gp_weight=10.0),
    "wgan-sn": dict(optimizer="adam", learning_rate=1e-4, beta1=0.5, beta2=0.9, n_critic=5,
                    power_iterations=1),
    "cramer": dict(optimizer="adam", learning_rate=1e-4, beta1=0.5, beta2=0.9, n_critic=5,
                   gp_weight=10.0),
}

_PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    # Gulrajani et al.'s official toy script (gan_toy.py)
    "gan_toy": ("wgan-gp", dict(gp_weight=0.1, optimizer="adam", learning_rate=1e-4,
                                beta1=0.5, beta2=0.9, batch_size=256, n_critic=5,
                                critic_hidden=(512, 512, 512),
                                generator_hidden=(512, 512, 512), activation="relu",
                                initialization="he")),
    # Arjovsky et al., Algorithm 1 (default values)
    "wgan": ("wgan-clip", dict(optimizer="rmsprop", learning_rate=5e-5, clip=0.01,
                               batch_size=64, n_critic=5, warmup_critic_steps=100,
                               warmup_generator_steps=25, warmup_every=500)),
    # Miyato et al., Table 1 setting A, on the WGAN objective with an SN critic
    "sngan": ("wgan-sn", dict(optimizer="adam", learning_rate=1e-4, beta1=0.5, beta2=0.9,
                              batch_size=64, n_critic=5, power_iterations=1)),
    # image runs (digits, MNIST-5k): the papers' optimisers with IMAGE_NETWORKS
    "images_gp": ("wgan-gp", dict(IMAGE_NETWORKS, gp_weight=10.0)),
    "images_gp1": ("wgan-gp", dict(IMAGE_NETWORKS, gp_weight=1.0)),
    "images_clip": ("wgan-clip", dict(IMAGE_NETWORKS)),
    "images_sn": ("wgan-sn", dict(IMAGE_NETWORKS)),
    "images_conv_gp": ("wgan-gp", dict(IMAGE_NETWORKS, **CONV_CRITIC, gp_weight=10.0)),
    "images_conv_sn": ("wgan-sn", dict(IMAGE_NETWORKS, **CONV_CRITIC)),
    "images_conv_clip": ("wgan-clip", dict(IMAGE_NETWORKS, **CONV_CRITIC)),
}

#: Names accepted by :meth:`GanConfig.preset`.
PRESETS = tuple(_PRESETS)


@dataclass(frozen=True)
class GanConfig:
    r"""Every hyper-parameter of a critic or GAN run; build it with :meth:`for_loss`.

    Attributes
    ----------
    loss : str
        One of :data:`LOSSES`.
    critic_hidden, generator_hidden : tuple of int
        Hidden layer widths of the MLP critic and generator.
    latent_dim : int
        Dimension of the generator's noise :math:`z \sim \mathcal N(0, I)`.
    activation : {"relu", "leaky_relu", "tanh"}
        Hidden activation (all 1-Lipschitz, so a critic's Lipschitz constant is at most
        the product of its layers' spectral norms).
    batch_size : int
        Samples per step from each distribution (``m`` in Algorithm 1).
    n_critic : int
        Critic steps per generator step.
    optimizer : {"adam", "rmsprop"}
        The critic's optimiser.
    learning_rate, beta1, beta2 : float
        The critic's rate and Adam's moment decays (ignored by RMSProp).
    generator_optimizer : {"adam", "rmsprop"} or None
        The generator's optimiser; ``None``: the critic's.
    generator_learning_rate, generator_beta1, generator_beta2 : float or None
        The generator's rate and Adam decays; ``None``: the critic's values.
    initialization : {"pytorch", "he", "glorot"}
        Weight initialisation of both networks (see :func:`otdiv.gan.init_mlp`).
    clip : float or None
        Weight-clipping bound ``c`` (``"wgan-clip"`` only).
    gp_weight : float
        Gradient-penalty weight λ (``"wgan-gp"``, ``"cramer"``).
    power_iterations : int
        Power-iteration steps per training step for spectral normalisation.
    cramer_features : int
        Output dimension of the Cramér GAN's feature map ``h``.
    simultaneous : bool
        Update critic and generator from gradients at the same parameters (f-GAN's
        single-step gradient method); otherwise alternate.
    generator_objective : {"minimax", "non_saturating"} or None
        Variational losses only: the generator minimises :math:`-E_Q[f^*(g_f(V))]`
        (minimax) or maximises :math:`E_Q[g_f(V)]` (non-saturating; for JSGAN this is
        :math:`E_Q \log D`). ``None`` (the default) resolves to the loss's own default:
        ``"non_saturating"`` for every ``"fgan:<kind>"``, the generator loss Nowozin et al.
        2016 recommend (Section 3.2: maximise :math:`E_Q[g_f(V_\omega(G_\theta(z)))]`,
        which gives stronger gradients early in training), and for ``"jsgan-ns"``;
        ``"minimax"`` for ``"jsgan"`` (Goodfellow et al.'s minimax game) and for the
        non-variational losses. Ask for ``"minimax"`` explicitly to train an f-GAN on the
        saddle-point objective.
    warmup_critic_steps : int
        Critic steps before a warm-up generator step (0: no warm-up). Default 100 for
        ``"wgan-clip"`` (the WGAN reference code), 0 otherwise.
    warmup_generator_steps, warmup_every : int
        A generator step ``t`` (counted from 0) is a warm-up step when
        ``t < warmup_generator_steps`` or ``t % warmup_every == 0`` (25 and 500, as in the
        reference code's ``gen_iterations < 25 or gen_iterations % 500 == 0``).
    generator_output : {"linear", "sigmoid"}
        The generator's last layer: none, or a sigmoid into (0, 1) (pixel values; the
        image presets).
    critic_network : {"mlp", "conv"}
        The critic's architecture: an MLP with ``critic_hidden`` widths, or the
        convolutional critic of :mod:`otdiv.gan.convnets` (square single-channel images:
        data with :math:`s^2` columns).
    critic_channels : tuple of int
        Channels of the convolutions of the ``"conv"`` critic (each a 4 x 4 convolution
        of stride 2, halving the image side).
    layer_norm : bool or None
        ``"conv"`` critic only: layer norm after each convolution. ``None`` (the default)
        resolves to ``True`` for the gradient-penalty losses (``"wgan-gp"``,
        ``"cramer"``; Gulrajani et al.'s replacement for batch norm) and ``False``
        otherwise; ``True`` with ``"wgan-sn"`` is refused (layer norm has no global
        Lipschitz bound) and with an MLP critic too.
    sign_check : bool
        Wasserstein losses only: after initialisation and at every checkpoint of
        :func:`otdiv.gan.train_critic`, a critic whose dual value on the samples is negative
        is replaced by its negation and its optimiser restarted. The penalties and
        constraints (gradient penalty, clipping, spectral norm) are invariant under
        :math:`f \to -f` while the objective changes sign, so the flip strictly lowers the
        loss; it takes a 1-D gradient-penalty critic out of the wrong-sign local optimum
        (slope :math:`-1 + W_1/(2\lambda)`). Flips are counted in the history.
    """

    loss: str = "wgan-gp"
    critic_hidden: tuple = (128, 128)
    generator_hidden: tuple = (128, 128)
    latent_dim: int = 2
    activation: str = "relu"
    batch_size: int = 64
    n_critic: int = 5
    optimizer: str = "adam"
    learning_rate: float = 1e-4
    beta1: float = 0.0
    beta2: float = 0.9
    clip: float | None = None
    gp_weight: float = 10.0
    power_iterations: int = 1
    cramer_features: int = 16
    simultaneous: bool = False
    generator_optimizer: str | None = None
    generator_learning_rate: float | None = None
    generator_beta1: float | None = None
    generator_beta2: float | None = None
    initialization: str = "pytorch"
    generator_objective: str | None = None
    sign_check: bool = True
    warmup_critic_steps: int = 0
    warmup_generator_steps: int = 25
    warmup_every: int = 500
    generator_output: str = "linear"
    critic_network: str = "mlp"
    critic_channels: tuple = (32, 64)
    layer_norm: bool | None = None

    def __post_init__(self) -> None:
        check_loss(self.loss)
        for name in ("critic_hidden", "generator_hidden", "critic_channels"):
            widths = getattr(self, name)
            if not isinstance(widths, tuple):
                raise TypeError(f"{name} must be a tuple of positive ints, got "
                                f"{type(widths).__name__} {widths!r}")
            for width in widths:
                check_int(width, f"{name} entries", lower=1)
        check_int(self.latent_dim, "latent_dim", lower=1)
        check_option(self.activation, "activation", ACTIVATIONS)
        check_int(self.batch_size, "batch_size", lower=1)
        check_int(self.n_critic, "n_critic", lower=1)
        check_option(self.optimizer, "optimizer", OPTIMIZERS)
        check_real(self.learning_rate, "learning_rate", lower=0.0, lower_inclusive=False)
        check_real(self.beta1, "beta1", lower=0.0, upper=1.0, upper_inclusive=False)
        check_real(self.beta2, "beta2", lower=0.0, upper=1.0, upper_inclusive=False)
        if self.loss == "wgan-clip":
            if self.clip is None:
                raise ValueError("clip must be a positive float for loss 'wgan-clip', got None")
            check_real(self.clip, "clip", lower=0.0, lower_inclusive=False)
        elif self.clip is not None:
            raise ValueError(f"clip applies only to loss 'wgan-clip', got clip={self.clip!r} "
                             f"with loss {self.loss!r}")
        check_real(self.gp_weight, "gp_weight", lower=0.0)
        check_int(self.power_iterations, "power_iterations", lower=1)
        check_int(self.cramer_features, "cramer_features", lower=1)
        for name in ("simultaneous", "sign_check"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}")
        if self.generator_optimizer is not None:
            check_option(self.generator_optimizer, "generator_optimizer", OPTIMIZERS)
        if self.generator_learning_rate is not None:
            check_real(self.generator_learning_rate, "generator_learning_rate", lower=0.0,
                       lower_inclusive=False)
        for name in ("generator_beta1", "generator_beta2"):
            if getattr(self, name) is not None:
                check_real(getattr(self, name), name, lower=0.0, upper=1.0,
                           upper_inclusive=False)
        check_option(self.initialization, "initialization", INITIALIZATIONS)
        if self.generator_objective is None:
            # frozen dataclass: resolve the loss's default in place (once, at construction)
            object.__setattr__(self, "generator_objective",
                               "non_saturating" if self.loss.startswith("fgan:")
                               or self.loss == "jsgan-ns" else "minimax")
        check_option(self.generator_objective, "generator_objective", GENERATOR_OBJECTIVES)
        check_int(self.warmup_critic_steps, "warmup_critic_steps", lower=0)
        check_int(self.warmup_generator_steps, "warmup_generator_steps", lower=0)
        check_int(self.warmup_every, "warmup_every", lower=1)
        check_option(self.generator_output, "generator_output", GENERATOR_OUTPUTS)
        check_option(self.critic_network, "critic_network", CRITIC_NETWORKS)
        if not self.critic_channels:
            raise ValueError("critic_channels must hold at least one channel count, got ()")
        if self.layer_norm is None:
            object.__setattr__(self, "layer_norm",
                               _default_layer_norm(self.critic_network, self.loss))
        if not isinstance(self.layer_norm, bool):
            raise TypeError(f"layer_norm must be a bool or None, got {self.layer_norm!r}")
        if self.layer_norm and self.critic_network != "conv":
            raise ValueError("layer_norm applies to critic_network='conv'; got "
                             "layer_norm=True with critic_network='mlp'")
        if self.layer_norm and self.loss == "wgan-sn":
            raise ValueError("layer_norm=True with loss 'wgan-sn': layer norm divides by a "
                             "per-image standard deviation, so the spectral norms would no "
                             "longer bound the critic's Lipschitz constant")
        if self.warmup_critic_steps and self.simultaneous:
            raise ValueError("warmup_critic_steps needs alternating updates; got "
                             "simultaneous=True")
        if self.generator_objective == "non_saturating" and self.family != "variational":
            raise ValueError(f"generator_objective='non_saturating' applies to the "
                             f"variational losses (jsgan, fgan:<kind>), got loss "
                             f"{self.loss!r}")
        if self.loss == "jsgan-ns" and self.generator_objective != "non_saturating":
            raise ValueError("loss 'jsgan-ns' is 'jsgan' with generator_objective="
                             "'non_saturating'; got generator_objective='minimax'")
        if self.simultaneous and self.n_critic != 1:
            raise ValueError(f"simultaneous updates need n_critic=1, got {self.n_critic}")

    @property
    def family(self) -> str:
        """``"variational"``, ``"wasserstein"`` or ``"cramer"``."""
        return loss_family(self.loss)

    @property
    def uses_layer_norm(self) -> bool:
        """``layer_norm`` as a bool (construction resolves ``None``: on for the ``"conv"``
        critic with a gradient-penalty loss)."""
        if self.layer_norm is None:    # not after __post_init__; typed for the checker
            return _default_layer_norm(self.critic_network, self.loss)
        return self.layer_norm

    @classmethod
    def for_loss(cls, loss: str, **overrides: Any) -> GanConfig:
        """The paper defaults for ``loss`` (see the module table), then ``overrides``.

        Examples
        --------
        >>> from otdiv.gan import GanConfig
        >>> config = GanConfig.for_loss("wgan-clip")
        >>> config.optimizer, config.learning_rate, config.clip, config.n_critic
        ('rmsprop', 5e-05, 0.01, 5)
        >>> GanConfig.for_loss("wgan-gp", gp_weight=0.1).gp_weight
        0.1
        """
        family = loss_family(loss)
        defaults = dict(_PAPER_DEFAULTS["variational" if family == "variational" else loss])
        if loss.startswith("fgan:"):
            defaults["simultaneous"] = True
        _check_field_names(cls, overrides)
        defaults.update(overrides)
        return cls(loss=loss, **defaults)

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> GanConfig:
        """A named setup of a paper (see the module table), then ``overrides``.

        Examples
        --------
        >>> from otdiv.gan import GanConfig
        >>> toy = GanConfig.preset("gan_toy")
        >>> toy.loss, toy.gp_weight, toy.batch_size, toy.critic_hidden, toy.initialization
        ('wgan-gp', 0.1, 256, (512, 512, 512), 'he')
        """
        name = check_option(name, "preset", PRESETS)
        loss, settings = _PRESETS[name]
        _check_field_names(cls, overrides)
        return cls.for_loss(loss, **{**settings, **overrides})

    def optimizer_settings(self, network: str) -> tuple:
        """``(optimizer, learning_rate, beta1, beta2)`` of ``"critic"`` or ``"generator"``."""
        network = check_option(network, "network", ("critic", "generator"))
        critic = (self.optimizer, self.learning_rate, self.beta1, self.beta2)
        if network == "critic":
            return critic
        own = (self.generator_optimizer, self.generator_learning_rate,
               self.generator_beta1, self.generator_beta2)
        return tuple(c if g is None else g for c, g in zip(critic, own))

    def to_dict(self) -> dict:
        """The fields as JSON types (tuples become lists); :meth:`from_dict` inverts it."""
        return {field.name: (list(value) if isinstance(value, tuple) else value)
                for field in dataclasses.fields(self)
                for value in [getattr(self, field.name)]}

    @classmethod
    def from_dict(cls, fields: dict) -> GanConfig:
        """Rebuild a configuration from :meth:`to_dict` output (validated again)."""
        if not isinstance(fields, dict):
            raise TypeError(f"fields must be a dict, got {type(fields).__name__}")
        _check_field_names(cls, {key: None for key in fields if key != "loss"})
        values: dict[str, Any] = {key: (tuple(value) if isinstance(value, list) else value)
                  for key, value in fields.items()}
        return cls(**values)

    def critic_steps_before(self, generator_step: int) -> int:
        """Critic steps before generator step ``generator_step`` (counted from 0): the
        warm-up count on warm-up steps (see ``warmup_critic_steps``), else ``n_critic``.

        Examples
        --------
        >>> from otdiv.gan import GanConfig
        >>> config = GanConfig.for_loss("wgan-clip")
        >>> [config.critic_steps_before(t) for t in (0, 24, 25, 499, 500, 501, 1000)]
        [100, 100, 5, 5, 100, 5, 100]
        """
        if self.warmup_critic_steps and (generator_step < self.warmup_generator_steps
                                         or generator_step % self.warmup_every == 0):
            return self.warmup_critic_steps
        return self.n_critic

    def replace(self, **changes: Any) -> GanConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def _check_field_names(cls: type, overrides: Mapping[str, Any]) -> None:
    names = {field.name for field in dataclasses.fields(cls)} - {"loss"}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"unknown GanConfig fields {unknown}; valid fields are "
                        f"{sorted(names)}")
