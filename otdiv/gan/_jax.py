"""The one place that imports JAX and optax, with the install hint when they are missing."""

try:
    import jax
    import jax.numpy as jnp
    import optax
except ImportError as error:  # pragma: no cover - exercised by simulating a missing JAX
    raise ImportError(
        "otdiv.gan needs the optional JAX extra: pip install otdiv[gan] "
        f"(installs jax and optax); the import failed with: {error}") from error

__all__ = ["jax", "jnp", "optax"]
