r"""A small convolutional critic for square single-channel images, in JAX and in numpy.

``GanConfig(critic_network="conv")`` replaces the MLP critic by

.. code-block:: text

    image s x s x 1 -> [conv 4x4, stride 2, padding 1 -> (layer norm) -> activation] per
    entry of critic_channels -> flatten -> dense -> output

(each convolution halves the side: 8 -> 4 -> 2 for the 8 x 8 digits, 28 -> 14 -> 7 for
MNIST). There is no batch normalisation: a critic's value at one point must not depend on
the other points of its batch, which the gradient penalty assumes (Gulrajani et al. 2017,
Section 4: "we use layer normalization as a drop-in replacement"). Layer norm normalises
each image's feature map over all its positions and channels and has an elementwise scale
and offset; it is used with the gradient penalty (``layer_norm=None`` resolves to it for
``"wgan-gp"``) and refused with spectral normalisation, whose Lipschitz bound it would void.

Parameters are a tuple of layers: convolutions ``{"w": (4, 4, c_in, c_out), "b": (c_out,)}``
(plus ``"scale"``, ``"offset"`` of shape ``(h_out, w_out, c_out)`` with layer norm), then the
dense layer ``{"w": (features, d_out), "b": (d_out,)}``. Inputs are rows of ``s * s`` pixel
values in row-major order (as :class:`otdiv.datasets.ImageSet` stores them).

Spectral normalisation of a convolution here divides the kernel by the norm of the
convolution as a linear map of the image (its operator norm, estimated by power iteration
on the map and its transpose with a persistent vector, as Miyato et al. do for a matrix;
Gouk et al. 2021, Farnia et al. 2019), not by the norm of the reshaped kernel matrix, which
can be several times smaller than the operator's. With 1-Lipschitz activations the product
of the layers' operator norms then bounds the critic's Lipschitz constant on all of
:math:`\mathbb R^{s^2}` (:func:`conv_lipschitz_bound`, exact up to the eigen-solver).

References: I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017;
T. Miyato et al., "Spectral Normalization for GANs", ICLR 2018; H. Gouk et al.,
"Regularisation of neural networks by enforcing Lipschitz continuity", Machine Learning 2021;
F. Farnia, J. Zhang, D. Tse, "Generalizable adversarial training via spectral
normalization", ICLR 2019.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import RngLike, as_rng, check_int
from ._jax import jax, jnp
from .config import GanConfig
from .nets import Array, Params, SnState, _normalise, activate, apply_mlp

__all__ = ["KERNEL", "STRIDE", "PADDING", "LAYER_NORM_EPS", "image_side", "conv_sides",
           "conv_layer_shapes", "init_conv_critic", "apply_conv_critic",
           "init_conv_sn_state", "conv_spectral_normalize", "conv_operator_norms",
           "conv_lipschitz_bound", "apply_critic"]

#: Kernel size, stride and zero padding of every convolution.
KERNEL, STRIDE, PADDING = 4, 2, 1
#: Added to the variance in layer norm (PyTorch's default).
LAYER_NORM_EPS = 1e-5
#: Largest layer (matrix entries) whose norm :func:`conv_operator_norms` takes by dense SVD.
DENSE_LIMIT = 2 ** 22


def image_side(dimension: int) -> int:
    """The side ``s`` of a square single-channel image with ``dimension = s * s`` pixels.

    Examples
    --------
    >>> from otdiv.gan.convnets import image_side
    >>> image_side(64), image_side(784)
    (8, 28)
    """
    dimension = check_int(dimension, "dimension", lower=1)
    side = math.isqrt(dimension)
    if side * side != dimension or side < 2:
        raise ValueError(f"the convolutional critic needs square single-channel images "
                         f"(data with s*s columns, s >= 2), got data with {dimension} "
                         f"columns")
    return side


def conv_sides(dimension: int, layers: int) -> list[int]:
    """Sides of the feature maps: the input's, then after each convolution."""
    sides = [image_side(dimension)]
    for _ in range(layers):
        side = (sides[-1] + 2 * PADDING - KERNEL) // STRIDE + 1
        if side < 1:
            raise ValueError(f"critic_channels has {layers} convolutions, too many for "
                             f"{sides[0]} x {sides[0]} images (each halves the side)")
        sides.append(side)
    return sides


def conv_layer_shapes(dimension: int, channels: Sequence[int], out: int, layer_norm: bool
                      ) -> list[dict[str, tuple[int, ...]]]:
    """The shape of every array of every layer (what :func:`init_conv_critic` makes).

    Examples
    --------
    >>> from otdiv.gan.convnets import conv_layer_shapes
    >>> shapes = conv_layer_shapes(64, (32, 64), 1, False)
    >>> shapes[0], shapes[-1]
    ({'w': (4, 4, 1, 32), 'b': (32,)}, {'w': (256, 1), 'b': (1,)})
    """
    channels = tuple(channels)
    sides = conv_sides(dimension, len(channels))
    shapes = []
    for c_in, c_out, side in zip((1, *channels[:-1]), channels, sides[1:]):
        layer: dict[str, tuple[int, ...]] = {"w": (KERNEL, KERNEL, c_in, c_out), "b": (c_out,)}
        if layer_norm:
            layer.update(scale=(side, side, c_out), offset=(side, side, c_out))
        shapes.append(layer)
    features = sides[-1] ** 2 * channels[-1]
    shapes.append({"w": (features, out), "b": (out,)})
    return shapes


def init_conv_critic(dimension: int, channels: Sequence[int], out: int, *, rng: RngLike = None,
                     initialization: str = "pytorch", layer_norm: bool = False) -> Params:
    r"""Initial parameters of the convolutional critic (float32 JAX arrays).

    The fan-in of a convolution is :math:`4 \cdot 4 \cdot c_{in}`; ``initialization`` as in
    :func:`otdiv.gan.init_mlp`. Layer-norm scales start at 1, offsets at 0.

    Examples
    --------
    >>> from otdiv.gan.convnets import init_conv_critic
    >>> params = init_conv_critic(64, (8, 16), 1, rng=0)
    >>> [layer["w"].shape for layer in params]
    [(4, 4, 1, 8), (4, 4, 8, 16), (64, 1)]
    """
    from .._validation import check_option
    initialization = check_option(initialization, "initialization",
                                  ("pytorch", "he", "glorot"))
    generator = as_rng(rng)
    layers = []
    for shapes in conv_layer_shapes(dimension, channels, out, layer_norm):
        w_shape = shapes["w"]
        fan_in = int(np.prod(w_shape[:-1]))
        fan_out = w_shape[-1] * (KERNEL * KERNEL if len(w_shape) == 4 else 1)
        if initialization == "pytorch":
            bound = 1.0 / np.sqrt(fan_in)
            w = generator.uniform(-bound, bound, w_shape)
            b = generator.uniform(-bound, bound, shapes["b"])
        else:
            fan = fan_in if initialization == "he" else 0.5 * (fan_in + fan_out)
            bound = np.sqrt(3.0 / fan) * (np.sqrt(2.0) if initialization == "he" else 1.0)
            w = generator.uniform(-bound, bound, w_shape)
            b = np.zeros(shapes["b"])
        layer = {"w": jnp.asarray(w, jnp.float32), "b": jnp.asarray(b, jnp.float32)}
        if "scale" in shapes:
            layer["scale"] = jnp.ones(shapes["scale"], jnp.float32)
            layer["offset"] = jnp.zeros(shapes["offset"], jnp.float32)
        layers.append(layer)
    return tuple(layers)


def _conv_jax(h: Array, w: Array) -> Array:
    """The convolution as one matrix product over the stacked patches (im2col).

    ``jax.lax.conv_general_dilated`` gives the same numbers (up to float32 summation order)
    but, inside the ``lax.scan`` the training loop compiles, XLA:CPU ran its gradient-penalty
    step 4x slower than outside a loop (0.54 s against 0.13 s per critic step, MNIST, batch
    64, one thread); the patches-and-matmul form ran that step in 0.077 s in the loop. The
    patches are ``KERNEL**2`` strided slices of the padded maps, whose derivatives are pads,
    so the second derivatives of the penalty stay dense and cheap.
    """
    rows, cols = ((side + 2 * PADDING - KERNEL) // STRIDE + 1 for side in h.shape[1:3])
    last_row, last_col = STRIDE * (rows - 1) + 1, STRIDE * (cols - 1) + 1
    padded = jnp.pad(h, ((0, 0), (PADDING, PADDING), (PADDING, PADDING), (0, 0)))
    patches = jnp.concatenate([padded[:, i:i + last_row:STRIDE, j:j + last_col:STRIDE, :]
                               for i in range(KERNEL) for j in range(KERNEL)], axis=-1)
    # patch entries run over (i, j, c_in), the order of the HWIO kernel's rows
    return patches @ w.reshape(-1, w.shape[-1])


def _conv_numpy(h: np.ndarray, w: np.ndarray) -> np.ndarray:
    padded = np.pad(h, ((0, 0), (PADDING, PADDING), (PADDING, PADDING), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (KERNEL, KERNEL), axis=(1, 2))
    windows = windows[:, ::STRIDE, ::STRIDE]              # (n, o, o, c_in, k, k)
    return np.einsum("nijckl,klcd->nijd", windows, w, optimize=True)


def _layer_norm(h: Array, layer: dict[str, Array], xp: Any) -> Array:
    mean = h.mean(axis=(1, 2, 3), keepdims=True)
    variance = ((h - mean) ** 2).mean(axis=(1, 2, 3), keepdims=True)
    return (h - mean) / xp.sqrt(variance + LAYER_NORM_EPS) * layer["scale"] + layer["offset"]


def apply_conv_critic(params: Params, x: Array, activation: str = "leaky_relu", xp: Any = jnp
                      ) -> Array:
    """Forward pass ``(n, s*s) -> (n, d_out)``; ``xp=numpy`` runs it in numpy (float64)."""
    side = image_side(x.shape[1])
    h = x.reshape(x.shape[0], side, side, 1)
    conv = _conv_jax if xp is jnp else _conv_numpy
    for layer in params[:-1]:
        h = conv(h, layer["w"]) + layer["b"]
        if "scale" in layer:
            h = _layer_norm(h, layer, xp)
        h = activate(h, activation, xp)
    h = h.reshape(h.shape[0], -1)
    return h @ params[-1]["w"] + params[-1]["b"]


def init_conv_sn_state(params: Params, dimension: int, *, rng: RngLike = None) -> SnState:
    """Random unit starting vectors: an input-shaped map ``(s, s, c_in)`` per convolution,
    a vector of length ``d_out`` for the dense layer."""
    generator = as_rng(rng)
    sides = conv_sides(dimension, len(params) - 1)
    state = []
    for layer, side in zip(params[:-1], sides):
        shape = (side, side, layer["w"].shape[2])
        state.append(jnp.asarray(_normalise(generator.standard_normal(shape), np),
                                 jnp.float32))
    state.append(jnp.asarray(_normalise(generator.standard_normal(params[-1]["w"].shape[1]),
                                        np), jnp.float32))
    return tuple(state)


def _conv_power_step(w: Array, u: Array) -> tuple[Array, Array]:
    """One power step on the convolution ``A`` (no bias) from the input-shaped ``u``:
    ``v = A u / |A u|``, ``u = A^T v / |A^T v|``; returns ``(u, v)``."""
    image, transpose = jax.vjp(lambda z: _conv_jax(z[None], w)[0], u)
    v = _normalise(image, jnp)
    (back,) = transpose(v)
    return _normalise(back, jnp), v


def conv_spectral_normalize(params: Params, sn_state: SnState, *, steps: int = 1
                            ) -> tuple[Params, SnState]:
    r"""Every layer divided by its estimated operator norm; returns ``(params, state)``.

    For a convolution ``A``: ``steps`` power steps on :math:`A^\top A` from the carried
    vector, then :math:`\tilde\sigma = v^\top A u` (``u``, ``v`` constants for
    differentiation); the dense layer as :func:`otdiv.gan.spectral_normalize`. Biases,
    which do not change a Lipschitz constant, are left unchanged.
    """
    from .nets import spectral_normalize
    steps = check_int(steps, "steps", lower=1)
    normalised, new_state = [], []
    for layer, u in zip(params[:-1], sn_state[:-1]):
        w = layer["w"]
        w_const = jax.lax.stop_gradient(w)
        for _ in range(steps):
            u, v = _conv_power_step(w_const, u)
        u, v = jax.lax.stop_gradient(u), jax.lax.stop_gradient(v)
        sigma = jnp.sum(v * _conv_jax(u[None], w)[0])
        normalised.append({**layer, "w": w / sigma})
        new_state.append(u)
    dense, dense_state = spectral_normalize(params[-1:], sn_state[-1:], steps=steps)
    return tuple(normalised) + dense, tuple(new_state) + dense_state


def _conv_matrix(w: Array, side: int) -> np.ndarray:
    """The convolution (no bias) on ``side x side x c_in`` maps as a dense matrix
    (rows: input coordinates), float64."""
    c_in = w.shape[2]
    basis = np.eye(side * side * c_in).reshape(-1, side, side, c_in)
    return _conv_numpy(basis, np.asarray(w, np.float64)).reshape(basis.shape[0], -1)


def conv_operator_norms(params: Params, dimension: int) -> np.ndarray:
    r"""The largest singular value of every layer as a linear map (convolutions on the
    image, then the dense matrix), in float64.

    Small layers (up to :data:`DENSE_LIMIT` matrix entries) by a dense SVD; larger ones by
    Lanczos (``scipy.sparse.linalg.eigsh`` on :math:`A^\top A`, converged to round-off)
    with a fixed starting vector, so the same weights give the same numbers.
    """
    from scipy.sparse.linalg import LinearOperator, eigsh
    sides = conv_sides(dimension, len(params) - 1)
    norms = []
    for layer, side, out_side in zip(params[:-1], sides, sides[1:]):
        w = np.asarray(layer["w"], np.float64)
        c_in = w.shape[2]
        size_in = side * side * c_in
        if size_in * out_side * out_side * w.shape[3] <= DENSE_LIMIT:
            norms.append(float(np.linalg.norm(_conv_matrix(w, side), 2)))
            continue

        def gram(vector: np.ndarray, w: np.ndarray = w, side: int = side, c_in: int = c_in
                 ) -> np.ndarray:
            image = _conv_numpy(vector.reshape(1, side, side, c_in), w)
            return _conv_transpose_numpy(image, w, side).ravel()
        operator = LinearOperator((size_in, size_in), matvec=gram, dtype=np.float64)
        start = np.ones(size_in) / np.sqrt(size_in)
        value = eigsh(operator, k=1, which="LA", v0=start, tol=0.0,
                      return_eigenvectors=False)[0]
        norms.append(float(np.sqrt(max(value, 0.0))))
    norms.append(float(np.linalg.norm(np.asarray(params[-1]["w"], np.float64), 2)))
    return np.array(norms)


def _conv_transpose_numpy(y: np.ndarray, w: np.ndarray, side: int) -> np.ndarray:
    """The adjoint of :func:`_conv_numpy` (zero padding, stride): ``(1, o, o, c_out)`` to
    ``(1, side, side, c_in)``."""
    padded = np.zeros((y.shape[0], side + 2 * PADDING, side + 2 * PADDING, w.shape[2]))
    out = y.shape[1]
    for i in range(KERNEL):
        for j in range(KERNEL):
            contribution = np.einsum("nabd,cd->nabc", y, w[i, j])
            padded[:, i:i + STRIDE * out:STRIDE, j:j + STRIDE * out:STRIDE] += contribution
    return padded[:, PADDING:PADDING + side, PADDING:PADDING + side]


def conv_lipschitz_bound(params: Params, dimension: int) -> float | None:
    r""":math:`\prod_l \|A_l\|_2`, a Lipschitz bound of the critic on all of
    :math:`\mathbb R^{s^2}` (the activations are 1-Lipschitz); ``None`` with layer norm,
    which divides by a per-image standard deviation and has no global bound."""
    if any("scale" in layer for layer in params):
        return None
    return float(np.prod(conv_operator_norms(params, dimension)))


def apply_critic(params: Params, x: Array, config: GanConfig, xp: Any = jnp) -> Array:
    """The critic network of ``config`` (MLP or convolutional) on ``x``: ``(n, d_out)``."""
    if config.critic_network == "conv":
        return apply_conv_critic(params, x, config.activation, xp)
    return apply_mlp(params, x, config.activation, xp)
