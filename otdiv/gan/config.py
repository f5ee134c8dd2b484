r"""Loss names and the one configuration dataclass of the GAN module (no JAX needed here).

Every hyper-parameter of a run lives in :class:`GanConfig`; :meth:`GanConfig.for_loss`
fills in the defaults of the paper that introduced the loss:

============== ======================= ===================== ======== ========= =======
loss           optimiser               learning rate, betas  n_critic batch     extra
============== ======================= ===================== ======== ========= =======
jsgan(-ns)     Adam                    2e-4, (0.5, 0.999)    1        64
fgan:<kind>    Adam, single-step       2e-4, (0.5, 0.999)    1        64
wgan-clip      RMSProp                 5e-5                  5        64        c = 0.01
wgan-gp        Adam                    1e-4, (0, 0.9)        5        64        λ = 10
wgan-sn        Adam                    1e-4, (0.5, 0.9)      5        64        1 power step
cramer         Adam                    1e-4, (0.5, 0.9)      5        64        λ = 10
============== ======================= ===================== ======== ========= =======

References: Goodfellow et al. 2014 and Radford et al. 2016 (JSGAN with Adam(2e-4, 0.5));
Nowozin et al. 2016 (f-GAN, single-step gradient); Arjovsky et al. 2017 (Algorithm 1);
Gulrajani et al. 2017 (WGAN-GP); Miyato et al. 2018 (setting A of their Table 1);
Bellemare et al. 2017 (Cramér GAN).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .._validation import check_int, check_option, check_real

__all__ = ["F_KINDS", "LOSSES", "GanConfig", "loss_family", "check_loss"]

#: f-divergence kinds usable as ``"fgan:<kind>"`` (the names of ``otdiv.F_DIVERGENCES``).
F_KINDS = ("total_variation", "kl", "reverse_kl", "pearson", "neyman", "squared_hellinger",
           "jensen_shannon", "gan")

#: Every loss name accepted by :func:`train_critic` and :func:`train_gan`.
LOSSES = ("jsgan", "jsgan-ns", *(f"fgan:{kind}" for kind in F_KINDS),
          "wgan-clip", "wgan-gp", "wgan-sn", "cramer")

ACTIVATIONS = ("relu", "leaky_relu", "tanh")
OPTIMIZERS = ("adam", "rmsprop")


def check_loss(loss) -> str:
    """The loss name must be one of :data:`LOSSES`; the error lists them all."""
    return check_option(loss, "loss", LOSSES)


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


_PAPER_DEFAULTS = {
    "variational": dict(optimizer="adam", learning_rate=2e-4, beta1=0.5, beta2=0.999,
                        n_critic=1),
    "wgan-clip": dict(optimizer="rmsprop", learning_rate=5e-5, n_critic=5, clip=0.01),
    "wgan-gp": dict(optimizer="adam", learning_rate=1e-4, beta1=0.0, beta2=0.9, n_critic=5,
                    gp_weight=10.0),
    "wgan-sn": dict(optimizer="adam", learning_rate=1e-4, beta1=0.5, beta2=0.9, n_critic=5,
                    power_iterations=1),
    "cramer": dict(optimizer="adam", learning_rate=1e-4, beta1=0.5, beta2=0.9, n_critic=5,
                   gp_weight=10.0),
}


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
        The same optimiser (and rate) is used for critic and generator.
    learning_rate, beta1, beta2 : float
        Optimiser rate and Adam's moment decays (ignored by RMSProp).
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

    def __post_init__(self):
        check_loss(self.loss)
        for name in ("critic_hidden", "generator_hidden"):
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
        if not isinstance(self.simultaneous, (bool,)):
            raise TypeError(f"simultaneous must be a bool, got {self.simultaneous!r}")
        if self.simultaneous and self.n_critic != 1:
            raise ValueError(f"simultaneous updates need n_critic=1, got {self.n_critic}")

    @property
    def family(self) -> str:
        """``"variational"``, ``"wasserstein"`` or ``"cramer"``."""
        return loss_family(self.loss)

    @classmethod
    def for_loss(cls, loss: str, **overrides) -> GanConfig:
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
        names = {field.name for field in dataclasses.fields(cls)} - {"loss"}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise TypeError(f"unknown GanConfig fields {unknown}; valid fields are "
                            f"{sorted(names)}")
        defaults.update(overrides)
        return cls(loss=loss, **defaults)

    def replace(self, **changes) -> GanConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)
