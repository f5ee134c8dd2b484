r"""Trained networks as plain float64 numpy callables (no JAX needed to evaluate them).

Training runs in float32 JAX; the returned critic and generator copy the final parameters
to float64 numpy and evaluate there, so a critic's dual value, its Lipschitz bound and
:func:`otdiv.verify_critic` see float64 arithmetic without touching JAX's global x64 flag.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import RngLike, as_rng, as_samples, check_int
from .convnets import apply_conv_critic, conv_lipschitz_bound, image_side
from .fdiv import FGAN_FUNCTIONS, FGanFunctions
from .nets import Params, apply_mlp, spectral_norms

__all__ = ["NumpyCritic", "NumpyGenerator", "to_numpy_params"]


def to_numpy_params(params: Params) -> Params:
    """A float64 numpy copy of an MLP parameter pytree (read-only arrays)."""
    layers = []
    for layer in params:
        copy = {key: np.array(value, dtype=np.float64) for key, value in layer.items()}
        for value in copy.values():
            value.setflags(write=False)
        layers.append(copy)
    return tuple(layers)


def _as_points(x: ArrayLike, dimension: int, name: str) -> np.ndarray:
    points = as_samples(x, name)
    if points.shape[1] != dimension:
        raise ValueError(f"{name} must have {dimension} columns (the critic's input "
                         f"dimension), got shape {points.shape}")
    return points


class NumpyCritic:
    r"""A trained critic: ``critic(x)`` maps an ``(n, d)`` array to ``(n,)`` float64 values.

    What the value means depends on the loss family:

    - Wasserstein losses: the potential :math:`f` with :math:`W_1 \approx E_P f - E_Q f`;
    - variational losses (JSGAN, f-GAN): :math:`T = g_f(V)`, the function in the bound
      :math:`D_f(P\|Q) \ge E_P[T] - E_Q[f^*(T)]`;
    - Cramér: :math:`f(x) = \frac1k\sum_j \|h(x) - h(r_j)\| - \|h(x)\|` over ``k`` fixed
      reference samples :math:`r_j` of Q.

    :meth:`dual_value` returns the critic's own estimate of the divergence it targets.

    ``network="conv"``: the convolutional critic of :mod:`otdiv.gan.convnets` on
    ``dimension = s * s`` pixels (``dimension`` required); otherwise an MLP, whose input
    dimension is its first layer's.
    """

    def __init__(self, params: Params, *, family: str, activation: str, kind: str | None = None,
                 reference: ArrayLike | None = None, reference_features: ArrayLike | None = None,
                 network: str = "mlp", dimension: int | None = None) -> None:
        self.params = params
        self.family = family
        self.activation = activation
        self.kind = kind
        self.network = network
        if network == "conv":
            if dimension is None:
                raise ValueError("a convolutional critic needs its input dimension "
                                 "(dimension = s * s pixels)")
            image_side(dimension)
            self.dimension = int(dimension)
        else:
            self.dimension = params[0]["w"].shape[0]
        self.reference_features = None
        if family == "cramer":
            if reference_features is None:
                if reference is None:
                    raise ValueError("a Cramér critic needs reference (samples of Q) or "
                                     "reference_features (their h values)")
                reference_features = self._apply(np.asarray(reference, np.float64))
            self.reference_features = np.array(reference_features, dtype=np.float64)
            self.reference_features.setflags(write=False)

    def _apply(self, points: np.ndarray) -> np.ndarray:
        if self.network == "conv":
            return apply_conv_critic(self.params, points, self.activation, np)
        return apply_mlp(self.params, points, self.activation, np)

    def raw(self, x: ArrayLike) -> np.ndarray:
        """The network's output before any activation: ``(n,)``, or ``(n, k)`` for Cramér."""
        points = _as_points(x, self.dimension, "x")
        out = self._apply(points)
        return out if self.family == "cramer" else out[:, 0]

    def __call__(self, x: ArrayLike) -> np.ndarray:
        out = self.raw(x)
        if self.family == "variational":
            return self._functions().activation(out, np)
        if self.family == "cramer" and self.reference_features is not None:  # always set
            distances = np.linalg.norm(out[:, None, :] - self.reference_features[None, :, :],
                                       axis=2)
            return distances.mean(axis=1) - np.linalg.norm(out, axis=1)
        return out

    def conjugate(self, x: ArrayLike) -> np.ndarray:
        r""":math:`f^*(T(x))` in its stable closed form (variational critics only)."""
        if self.family != "variational":
            raise ValueError(f"conjugate applies to variational (JSGAN/f-GAN) critics, "
                             f"this critic is {self.family!r}")
        return self._functions().conjugate_of_activation(self.raw(x), np)

    def _functions(self) -> FGanFunctions:
        """The f-GAN functions of a variational critic's kind."""
        if self.kind is None:
            raise ValueError("a variational critic needs the kind of its f-divergence")
        return FGAN_FUNCTIONS[self.kind]

    def dual_value(self, u_values: ArrayLike, v_values: ArrayLike) -> float:
        r"""The critic's estimate on samples: :math:`E_P T - E_Q f^*(T)` or
        :math:`E_P f - E_Q f`."""
        u_values = _as_points(u_values, self.dimension, "u_values")
        v_values = _as_points(v_values, self.dimension, "v_values")
        if self.family == "variational":
            return float(self(u_values).mean() - self.conjugate(v_values).mean())
        return float(self(u_values).mean() - self(v_values).mean())

    def lipschitz_bound(self) -> float | None:
        r"""Upper bound :math:`\prod_l \sigma_{\max}(W_l)` of the Lipschitz constant.

        Valid for every point of :math:`\mathbb R^d` since the activations are 1-Lipschitz;
        doubled for the Cramér critic (two norms of ``h``). ``None`` for variational
        critics, whose output activation need not be Lipschitz. For the convolutional
        critic the layers' norms are those of the convolutions as linear maps
        (:func:`otdiv.gan.convnets.conv_lipschitz_bound`), and the bound is ``None`` with
        layer norm, which has no global Lipschitz bound.
        """
        if self.family == "variational":
            return None
        if self.network == "conv":
            conv_bound = conv_lipschitz_bound(self.params, self.dimension)
            if conv_bound is None:
                return None
            bound = conv_bound
        else:
            bound = float(np.prod(spectral_norms(self.params)))
        return 2.0 * bound if self.family == "cramer" else bound

    def __repr__(self) -> str:
        if self.network == "conv":
            channels = [layer["w"].shape[3] for layer in self.params[:-1]]
            return (f"NumpyCritic(family={self.family!r}, network='conv', "
                    f"dimension={self.dimension}, channels={channels})")
        widths = [self.dimension] + [layer["w"].shape[1] for layer in self.params]
        return f"NumpyCritic(family={self.family!r}, widths={widths})"


class NumpyGenerator:
    r"""A trained generator: ``generator(n, rng=None)`` returns ``n`` samples ``(n, d)``.

    :math:`x = G(z)`, :math:`z \sim \mathcal N(0, I_{\text{latent}})`; with
    ``output="sigmoid"`` the last layer's values pass through the logistic sigmoid.
    """

    def __init__(self, params: Params, *, activation: str, output: str = "linear") -> None:
        self.params = params
        self.activation = activation
        self.output = output
        self.latent_dim = params[0]["w"].shape[0]
        self.dimension = params[-1]["w"].shape[1]

    def transform(self, z: ArrayLike) -> np.ndarray:
        """``G(z)`` for given latent codes ``z`` of shape ``(n, latent_dim)``."""
        z = _as_points(z, self.latent_dim, "z")
        out = apply_mlp(self.params, z, self.activation, np)
        if self.output == "sigmoid":
            # 0.5 (1 + tanh(x / 2)): the logistic function without overflow in exp
            return 0.5 * (1.0 + np.tanh(0.5 * out))
        return out

    def __call__(self, n: int, rng: RngLike = None) -> np.ndarray:
        n = check_int(n, "n", lower=1)
        return self.transform(as_rng(rng).standard_normal((n, self.latent_dim)))

    def __repr__(self) -> str:
        return f"NumpyGenerator(latent_dim={self.latent_dim}, dimension={self.dimension})"
