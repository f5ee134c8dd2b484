r"""Small MLPs as pure JAX functions on parameter pytrees, and their Lipschitz controls.

Parameters are a tuple of layers ``{"w": (d_in, d_out), "b": (d_out,)}``; a network maps
``x`` of shape ``(n, d_in)`` to ``(n, d_out)`` with ``x @ w + b`` and a 1-Lipschitz
activation between layers (none after the last). Because the activations are 1-Lipschitz,
:math:`\|f\|_{Lip} \le \prod_l \sigma_{\max}(W_l)` (Miyato et al. 2018).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validation import RngLike, check_int, check_real
from ._jax import jax, jnp

__all__ = ["init_mlp", "apply_mlp", "power_iteration", "spectral_normalize", "init_sn_state",
           "clip_weights", "LEAKY_SLOPE"]

#: A NumPy or a JAX array: the functions that take ``xp`` (``numpy`` or ``jax.numpy``) run
#: on either, and the jitted steps see JAX tracers.
Array = Any
#: MLP parameters: a tuple of layers ``{"w": (d_in, d_out), "b": (d_out,)}``.
Params = tuple[dict[str, Array], ...]
#: The spectral-normalisation state: one power-iteration vector per layer.
SnState = tuple[Array, ...]

#: Negative slope of the ``"leaky_relu"`` activation.
LEAKY_SLOPE = 0.2


def init_mlp(sizes: Sequence[int], *, rng: RngLike = None, initialization: str = "pytorch"
             ) -> Params:
    r"""Initialise an MLP with layer widths ``sizes = (d_in, h_1, ..., d_out)``.

    ``initialization``:

    - ``"pytorch"`` (``nn.Linear``'s default): weights and biases uniform on
      :math:`[-1/\sqrt{d_{in}}, 1/\sqrt{d_{in}}]`;
    - ``"he"`` (He et al. 2015, as the ``'he'`` layers of WGAN-GP's ``gan_toy.py``): weights
      uniform with variance :math:`2/d_{in}`, i.e. on
      :math:`[-\sqrt{6/d_{in}}, \sqrt{6/d_{in}}]`, biases 0;
    - ``"glorot"`` (Glorot & Bengio 2010): weights uniform on
      :math:`[-\sqrt{6/(d_{in} + d_{out})}, \sqrt{6/(d_{in} + d_{out})}]`, biases 0.

    Drawn with the numpy ``rng``; returned as float32 JAX arrays.

    Examples
    --------
    >>> from otdiv.gan import init_mlp
    >>> params = init_mlp((2, 8, 1), rng=0)
    >>> [layer["w"].shape for layer in params]
    [(2, 8), (8, 1)]
    >>> float(abs(init_mlp((2, 8, 1), rng=0, initialization="he")[0]["b"]).max())
    0.0
    """
    from .._validation import as_rng, check_option
    sizes = tuple(sizes)
    if len(sizes) < 2 or any(isinstance(size, bool) or not isinstance(size, (int, np.integer))
                             or size < 1 for size in sizes):
        raise ValueError(f"sizes must hold at least an input and an output width, all "
                         f"integers >= 1, got {sizes}")
    initialization = check_option(initialization, "initialization",
                                  ("pytorch", "he", "glorot"))
    generator = as_rng(rng)
    layers = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        if initialization == "pytorch":
            bound = 1.0 / np.sqrt(d_in)
            w = generator.uniform(-bound, bound, (d_in, d_out))
            b = generator.uniform(-bound, bound, (d_out,))
        else:
            fan = d_in if initialization == "he" else 0.5 * (d_in + d_out)
            bound = np.sqrt(3.0 / fan) * (np.sqrt(2.0) if initialization == "he" else 1.0)
            w = generator.uniform(-bound, bound, (d_in, d_out))
            b = np.zeros(d_out)
        layers.append({"w": jnp.asarray(w, jnp.float32), "b": jnp.asarray(b, jnp.float32)})
    return tuple(layers)


def activate(h: Array, activation: str, xp: Any = jnp) -> Array:
    """The hidden activation, for ``jax.numpy`` or ``numpy`` arrays."""
    if activation == "relu":
        return xp.maximum(h, 0.0)
    if activation == "leaky_relu":
        return xp.where(h >= 0.0, h, LEAKY_SLOPE * h)
    if activation == "tanh":
        return xp.tanh(h)
    raise ValueError(f"activation must be one of ('relu', 'leaky_relu', 'tanh'), "
                     f"got {activation!r}")


def apply_mlp(params: Params, x: Array, activation: str = "relu", xp: Any = jnp) -> Array:
    """Forward pass ``(n, d_in) -> (n, d_out)``; ``xp=numpy`` runs it in numpy."""
    h = x
    for layer in params[:-1]:
        h = activate(h @ layer["w"] + layer["b"], activation, xp)
    return h @ params[-1]["w"] + params[-1]["b"]


def _normalise(vector: Array, xp: Any) -> Array:
    return vector / xp.maximum(xp.sqrt(xp.sum(vector * vector)), 1e-12)


def power_iteration(w: Array, u: Array, *, steps: int = 1, xp: Any = jnp) -> tuple[Array, Array]:
    r"""Estimate the largest singular value of ``w`` by power iteration started at ``u``.

    One step (Miyato et al. 2018, Algorithm 1, for ``w`` of shape ``(d_in, d_out)``):
    :math:`v \leftarrow Wu/\|Wu\|`, :math:`u \leftarrow W^\top v/\|W^\top v\|`; the estimate
    is :math:`\tilde\sigma = v^\top W u \le \sigma_{\max}(W)`. Returns ``(sigma, u)``; pass
    ``u`` back in at the next training step so one step per update suffices.

    Examples
    --------
    >>> import numpy as np
    >>> from otdiv.gan import power_iteration
    >>> w = np.diag([3.0, 1.0])
    >>> sigma, u = power_iteration(w, np.array([1.0, 1.0]), steps=50, xp=np)
    >>> round(float(sigma), 6)
    3.0
    """
    steps = check_int(steps, "steps", lower=1)
    v = None
    for _ in range(steps):
        v = _normalise(w @ u, xp)
        u = _normalise(w.T @ v, xp)
    return v @ (w @ u), u


def init_sn_state(params: Params, *, rng: RngLike = None) -> SnState:
    """Random unit starting vectors ``u`` (one per layer, length ``d_out``)."""
    from .._validation import as_rng
    generator = as_rng(rng)
    return tuple(jnp.asarray(_normalise(generator.standard_normal(layer["w"].shape[1]), np),
                             jnp.float32) for layer in params)


def spectral_normalize(params: Params, sn_state: SnState, *, steps: int = 1, xp: Any = jnp
                       ) -> tuple[Params, SnState]:
    r"""Layers with :math:`W / \tilde\sigma(W)` after ``steps`` power steps from ``sn_state``.

    Returns ``(normalised_params, new_sn_state)``. As in Miyato et al. the vectors are
    constants for differentiation (``stop_gradient``); biases are left unchanged.
    """
    normalised, new_state = [], []
    for layer, u in zip(params, sn_state):
        w = layer["w"]
        w_const = jax.lax.stop_gradient(w) if xp is jnp else w
        _, u_new = power_iteration(w_const, u, steps=steps, xp=xp)
        if xp is jnp:
            u_new = jax.lax.stop_gradient(u_new)
        v = _normalise(w_const @ u_new, xp)
        sigma = v @ (w @ u_new)
        normalised.append({"w": w / sigma, "b": layer["b"]})
        new_state.append(u_new)
    return tuple(normalised), tuple(new_state)


def clip_weights(params: Params, clip: float) -> Params:
    """Clip every weight and bias to ``[-clip, clip]`` (WGAN, Algorithm 1, line 7)."""
    clip = check_real(clip, "clip", lower=0.0, lower_inclusive=False)
    return jax.tree.map(lambda leaf: jnp.clip(leaf, -clip, clip), params)


def spectral_norms(params: Params) -> np.ndarray:
    """Exact largest singular value of every layer (float64 SVD)."""
    return np.array([np.linalg.norm(np.asarray(layer["w"], dtype=np.float64), 2)
                     for layer in params])
