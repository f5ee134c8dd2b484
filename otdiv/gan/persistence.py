r"""Save and load trained critics and GANs as arrays plus JSON, without pickle.

One ``.npz`` file per result: every array (network parameters in float64, the Cramér
critic's reference features, the history, and the training state's float32 leaves and
fixed inputs) under a path-like key, and one ``"meta.json"`` entry holding the JSON text
(result type, loss, scalars, the :class:`GanConfig` fields, the random state) as UTF-8
bytes. :func:`load` reads it with ``allow_pickle=False``; floats travel as float64 arrays
or as JSON numbers (shortest round-trip repr), so a loaded result equals the saved one
exactly, and a loaded :class:`~otdiv.gan.results.TrainedCritic` or
:class:`~otdiv.gan.results.TrainedGan` can be resumed (``train_critic(..., resume=loaded)``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_write
from .config import GanConfig
from .models import NumpyCritic, NumpyGenerator
from .results import TrainedCritic, TrainedGan
from .state import BIT_GENERATORS, TrainingState

__all__ = ["save", "load", "FORMAT"]

#: Written into every file; :func:`load` refuses other formats.
FORMAT = "otdiv.gan/1"


def _put_params(arrays: dict[str, np.ndarray], prefix: str,
                params: Sequence[Mapping[str, Any]]) -> int:
    for index, layer in enumerate(params):
        for key, value in layer.items():
            arrays[f"{prefix}/{index}/{key}"] = np.asarray(value)
    return len(params)


def _put_critic(arrays: dict[str, np.ndarray], critic: NumpyCritic) -> dict[str, Any]:
    if critic.reference_features is not None:
        arrays["critic/reference_features"] = critic.reference_features
    return {"family": critic.family, "activation": critic.activation, "kind": critic.kind,
            "network": critic.network, "dimension": int(critic.dimension),
            "layers": _put_params(arrays, "critic/params", critic.params)}


def _put_state(arrays: dict[str, np.ndarray], state: TrainingState) -> dict[str, Any]:
    for name, leaves in state.parts.items():
        for index, leaf in enumerate(leaves):
            arrays[f"state/{name}/{index}"] = leaf
    for name, value in state.arrays.items():
        arrays[f"state_arrays/{name}"] = value
    return {"parts": {name: len(leaves) for name, leaves in state.parts.items()},
            "arrays": sorted(state.arrays), "rng_state": state.rng_state,
            "steps_done": state.steps_done, "data_fingerprint": state.data_fingerprint,
            "sign_flips": state.sign_flips}


def _frozen(array: Any) -> np.ndarray:
    array = np.array(array)
    array.setflags(write=False)
    return array


def save(result: object, path: str | PathLike[str]) -> Path:
    """Write a :class:`~otdiv.gan.results.TrainedCritic` or
    :class:`~otdiv.gan.results.TrainedGan` to ``path``.

    ``path`` gets the suffix ``.npz`` if it has none; an existing file is replaced
    atomically: the arrays go to a temporary file in the same folder, which is renamed over
    ``path`` only once it is complete, so a save that fails part-way (a full disk, an
    interrupt) leaves the previous file intact. Returns the path written.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from otdiv.gan import GanConfig, train_critic, load
    >>> config = GanConfig.for_loss("wgan-sn", critic_hidden=(8,))
    >>> trained = train_critic([0.0, 1.0, 2.0], [3.0, 4.0], config=config, steps=5, rng=0)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "critic.npz"
    >>> trained.save(path)
    >>> again = load(path)
    >>> again.estimate == trained.estimate, again.config == trained.config
    (True, True)
    """
    if not isinstance(result, (TrainedCritic, TrainedGan)):
        raise TypeError(f"result must be a TrainedCritic or TrainedGan, got "
                        f"{type(result).__name__}")
    path = Path(path)
    if path.suffix == "":
        path = path.with_suffix(".npz")
    arrays: dict[str, Any] = {}
    meta: dict[str, Any] = {"format": FORMAT, "type": type(result).__name__, "loss": result.loss,
            "config": result.config.to_dict(), "history": sorted(result.history),
            "critic": _put_critic(arrays, result.critic)}
    for key, value in result.history.items():
        arrays[f"history/{key}"] = value
    if isinstance(result, TrainedCritic):
        meta["estimate"] = result.estimate
        meta["lipschitz_bound"] = result.lipschitz_bound
    else:
        meta["generator"] = {"activation": result.generator.activation,
                             "output": result.generator.output,
                             "layers": _put_params(arrays, "generator/params",
                                                   result.generator.params)}
    meta["state"] = None if result.state is None else _put_state(arrays, result.state)
    text = json.dumps(meta, allow_nan=False)
    arrays["meta.json"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with atomic_write(path) as handle:
        np.savez(handle, **arrays)
    return path


class _Damaged(ValueError):
    """What is wrong with a file, before :func:`load` prefixes the file's name."""


#: Relative difference allowed between a stored Lipschitz bound and the one recomputed
#: from the stored weights (the same float64 SVD; LAPACK builds may differ in the last
#: bits).
BOUND_RTOL = 1e-9


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every entry of the ``.npz`` as an array; ``_Damaged`` for anything unreadable."""
    import zipfile
    try:
        with open(path, "rb") as handle:
            signature = handle.read(4)
    except FileNotFoundError:
        raise _Damaged("no such file") from None
    except IsADirectoryError:
        raise _Damaged("the file is a folder, not a file") from None
    except OSError as error:
        raise _Damaged(f"cannot be read ({error.strerror or error})") from None
    if signature[:2] != b"PK":
        raise _Damaged("the file is not an otdiv.gan file (not a .npz archive)")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            if not isinstance(stored, np.lib.npyio.NpzFile):
                raise _Damaged("the file is not an otdiv.gan file (not a .npz archive)")
            for key in stored.files:
                arrays[key] = stored[key]
    except _Damaged:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, SyntaxError,
            UnicodeDecodeError, MemoryError) as error:
        detail = " ".join(str(error).split()) or type(error).__name__
        raise _Damaged(f"the file is truncated or damaged ({type(error).__name__}: {detail})"
                       ) from None
    except Exception as error:  # zlib.error and other decompression failures
        raise _Damaged(f"the file is truncated or damaged ({type(error).__name__}: {error})"
                       ) from None
    return arrays


def _array(arrays: Mapping[str, np.ndarray], key: str, *, ndim: int | None = None,
           numeric: bool = True) -> np.ndarray:
    if key not in arrays:
        raise _Damaged(f"the file has no array {key!r}")
    value = arrays[key]
    if numeric and (value.dtype.kind not in "biuf" or value.dtype.fields is not None):
        raise _Damaged(f"array {key!r} holds {value.dtype} data; expected real numbers")
    if ndim is not None and value.ndim != ndim:
        raise _Damaged(f"array {key!r} has shape {value.shape}; expected {ndim} "
                       f"dimension{'s' * (ndim != 1)}")
    if numeric and not np.all(np.isfinite(value)):
        raise _Damaged(f"array {key!r} holds non-finite values")
    return value


def _field(meta: Any, key: str, kinds: type | tuple[type, ...], where: str, *,
           choices: Sequence[Any] | None = None) -> Any:
    """``meta[key]`` checked to be of ``kinds`` (and among ``choices``)."""
    if not isinstance(meta, dict):
        raise _Damaged(f"meta.json {where or 'top level'} must be an object, got "
                       f"{type(meta).__name__}")
    name = f"{where}.{key}" if where else key
    if key not in meta:
        raise _Damaged(f"meta.json has no {name!r} entry")
    value = meta[key]
    if isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple)
                                                 else (kinds,)):
        raise _Damaged(f"meta.json {name!r} must be {_kind_names(kinds)}, got {value!r}")
    if not isinstance(value, kinds):
        raise _Damaged(f"meta.json {name!r} must be {_kind_names(kinds)}, got "
                       f"{type(value).__name__} {value!r}"[:300])
    if choices is not None and value not in choices:
        raise _Damaged(f"meta.json {name!r} is {value!r}; expected one of {tuple(choices)}")
    return value


def _kind_names(kinds: type | tuple[type, ...]) -> str:
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    names = {int: "an integer", float: "a number", str: "a string", dict: "an object",
             list: "a list", bool: "true or false", type(None): "null"}
    return " or ".join(names.get(kind, kind.__name__) for kind in kinds)


def _count(meta: Any, key: str, where: str, *, lower: int = 0) -> int:
    value = _field(meta, key, int, where)
    if value < lower:
        raise _Damaged(f"meta.json '{where}.{key}' is {value}; expected an integer >= "
                       f"{lower}")
    return value


def _get_params(arrays: Mapping[str, np.ndarray], prefix: str, count: int,
                widths: Sequence[int | None], what: str) -> tuple[dict[str, np.ndarray], ...]:
    """``count`` layers ``{"w", "b"}`` whose widths must be ``widths`` (read-only)."""
    if count != len(widths) - 1:
        raise _Damaged(f"{what} has {count} layers where its configuration "
                       f"({'-'.join(map(str, widths[1:-1])) or 'no hidden layers'}) needs "
                       f"{len(widths) - 1}")
    layers = []
    for index in range(count):
        w = _array(arrays, f"{prefix}/{index}/w", ndim=2)
        b = _array(arrays, f"{prefix}/{index}/b", ndim=1)
        expected = (widths[index], widths[index + 1])
        if (index > 0 or widths[0] is not None) and w.shape != expected:
            raise _Damaged(f"{what} layer {index} has weights of shape {w.shape}; expected "
                           f"{expected}")
        if w.shape[1] != widths[index + 1] or b.shape != (w.shape[1],):
            raise _Damaged(f"{what} layer {index} has weights {w.shape} and biases "
                           f"{b.shape}; expected biases ({widths[index + 1]},)")
        if w.shape[0] == 0:
            raise _Damaged(f"{what} layer {index} has weights of shape {w.shape}")
        layers.append({"w": _frozen(np.asarray(w, dtype=np.float64)),
                       "b": _frozen(np.asarray(b, dtype=np.float64))})
    return tuple(layers)


def _get_critic(arrays: Mapping[str, np.ndarray], meta: dict[str, Any],
                config: GanConfig) -> NumpyCritic:
    from .config import ACTIVATIONS, F_KINDS, f_kind
    family = _field(meta, "family", str, "critic",
                    choices=("wasserstein", "variational", "cramer"))
    activation = _field(meta, "activation", str, "critic", choices=ACTIVATIONS)
    kind = _field(meta, "kind", (str, type(None)), "critic",
                  choices=(None, *F_KINDS))
    expected_kind = f_kind(config.loss) if config.family == "variational" else None
    for name, stored, wanted in (("family", family, config.family),
                                 ("activation", activation, config.activation),
                                 ("kind", kind, expected_kind)):
        if stored != wanted:
            raise _Damaged(f"the critic's {name} is {stored!r} but its configuration (loss "
                           f"{config.loss!r}) gives {wanted!r}")
    out = config.cramer_features if family == "cramer" else 1
    # files written before the convolutional critic existed hold no "network": an MLP
    network = (_field(meta, "network", str, "critic", choices=("mlp", "conv"))
               if "network" in meta else "mlp")
    if network != config.critic_network:
        raise _Damaged(f"the critic's network is {network!r} but its configuration gives "
                       f"{config.critic_network!r}")
    dimension = None
    if network == "conv":
        dimension = _count(meta, "dimension", "critic", lower=4)
        params = _get_conv_params(arrays, _count(meta, "layers", "critic", lower=1),
                                  dimension, config, out)
    else:
        params = _get_params(arrays, "critic/params",
                             _count(meta, "layers", "critic", lower=1),
                             (None, *config.critic_hidden, out), "the critic")
    features = None
    if family == "cramer":
        features = _array(arrays, "critic/reference_features", ndim=2)
        if features.shape[0] < 1 or features.shape[1] != out:
            raise _Damaged(f"array 'critic/reference_features' has shape {features.shape}; "
                           f"expected (k, {out}) with k >= 1")
    return NumpyCritic(params, family=family, activation=activation, kind=kind,
                       reference_features=features, network=network, dimension=dimension)


def _get_conv_params(arrays: Mapping[str, np.ndarray], count: int, dimension: int,
                     config: GanConfig, out: int) -> tuple[dict[str, np.ndarray], ...]:
    """The convolutional critic's layers, each array of the shape its configuration
    gives (:func:`otdiv.gan.convnets.conv_layer_shapes`)."""
    from .convnets import conv_layer_shapes
    try:
        shapes = conv_layer_shapes(dimension, config.critic_channels, out,
                                   config.uses_layer_norm)
    except ValueError as error:
        raise _Damaged(f"the critic's input dimension {dimension} does not fit its "
                       f"configuration ({error})") from None
    if count != len(shapes):
        raise _Damaged(f"the critic has {count} layers where its configuration "
                       f"(channels {config.critic_channels}) needs {len(shapes)}")
    layers = []
    for index, wanted in enumerate(shapes):
        layer: dict[str, np.ndarray] = {}
        for key, shape in wanted.items():
            value = _array(arrays, f"critic/params/{index}/{key}", ndim=len(shape))
            if value.shape != shape:
                raise _Damaged(f"the critic's layer {index} has {key!r} of shape "
                               f"{value.shape}; expected {shape}")
            layer[key] = _frozen(np.asarray(value, dtype=np.float64))
        layers.append(layer)
    return tuple(layers)


def _get_state(arrays: Mapping[str, np.ndarray], meta: dict[str, Any]) -> TrainingState:
    where = "state"
    parts_meta = _field(meta, "parts", dict, where)
    parts = {}
    for name, count in parts_meta.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _Damaged(f"meta.json 'state.parts.{name}' must be an integer >= 0, got "
                           f"{count!r}")
        parts[name] = [_frozen(_array(arrays, f"state/{name}/{index}", numeric=True))
                       for index in range(count)]
    names = _field(meta, "arrays", list, where)
    if not all(isinstance(name, str) for name in names):
        raise _Damaged("meta.json 'state.arrays' must list array names (strings)")
    fixed = {name: _frozen(_array(arrays, f"state_arrays/{name}")) for name in names}
    rng_state = _field(meta, "rng_state", dict, where)
    _field(rng_state, "bit_generator", str, "state.rng_state", choices=BIT_GENERATORS)
    try:
        bit_generator = getattr(np.random, rng_state["bit_generator"])()
        bit_generator.state = rng_state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise _Damaged(f"meta.json 'state.rng_state' is not a valid "
                       f"{rng_state['bit_generator']} state ({error})") from None
    fingerprint = _field(meta, "data_fingerprint", str, where)
    if len(fingerprint) != 64 or any(char not in "0123456789abcdef" for char in fingerprint):
        raise _Damaged("meta.json 'state.data_fingerprint' is not a SHA-256 hex digest")
    return TrainingState(parts=parts, rng_state=rng_state,
                         steps_done=_count(meta, "steps_done", where),
                         arrays=fixed, data_fingerprint=fingerprint,
                         sign_flips=_count(meta, "sign_flips", where))


def _get_history(arrays: Mapping[str, np.ndarray], meta: dict[str, Any]
                 ) -> dict[str, np.ndarray]:
    keys = _field(meta, "history", list, "")
    if not all(isinstance(key, str) for key in keys):
        raise _Damaged("meta.json 'history' must list history names (strings)")
    history = {}
    for key in keys:
        value = arrays.get(f"history/{key}")
        if value is None:
            raise _Damaged(f"the file has no array {f'history/{key}'!r}")
        if value.dtype.kind not in "biuf" or value.ndim != 1:
            raise _Damaged(f"array {f'history/{key}'!r} holds {value.dtype} of shape "
                           f"{value.shape}; expected a 1-D array of numbers")
        history[key] = value
    lengths = {len(value) for value in history.values()}
    if len(lengths) > 1:
        raise _Damaged(f"the history's arrays have different lengths {sorted(lengths)}")
    return history


def _float(meta: dict[str, Any], key: str) -> float:
    value = _field(meta, key, (int, float), "")
    if not np.isfinite(value):
        raise _Damaged(f"meta.json {key!r} is {value!r}; expected a finite number")
    return float(value)


def _checked_scalars(meta: dict[str, Any], critic: NumpyCritic,
                     history: Mapping[str, np.ndarray]) -> tuple[float, float | None]:
    """The stored estimate and Lipschitz bound, checked against what the file implies."""
    estimate = _float(meta, "estimate")
    recorded = history.get("estimate")
    if recorded is None or len(recorded) == 0:
        raise _Damaged("the file has no recorded estimates (history 'estimate') to check the "
                       "stored estimate against")
    if estimate != float(recorded[-1]):
        raise _Damaged(f"stored estimate {estimate!r} differs from the last estimate the "
                       f"training recorded ({float(recorded[-1])!r})")
    recomputed = critic.lipschitz_bound()
    if recomputed is None:
        if meta.get("lipschitz_bound") is not None:
            raise _Damaged(f"the file stores a Lipschitz bound {meta['lipschitz_bound']!r} for a "
                           f"{critic.family} critic, which has none")
        return estimate, None
    bound = _float(meta, "lipschitz_bound")
    if not abs(bound - recomputed) <= BOUND_RTOL * recomputed:
        raise _Damaged(f"stored Lipschitz bound {bound!r} does not match the product of "
                       f"the stored layers' spectral norms ({recomputed!r})")
    return estimate, bound


def _load(path: Path, expected: type | None) -> TrainedCritic | TrainedGan:
    arrays = _read_arrays(path)
    if "meta.json" not in arrays:
        raise _Damaged("the file is not an otdiv.gan file (no meta.json entry)")
    raw = arrays["meta.json"]
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _Damaged(f"meta.json entry holds {raw.dtype} of shape {raw.shape}; expected "
                       "UTF-8 bytes")
    try:
        meta = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Damaged(f"meta.json is not valid JSON text ({error})") from None
    if not isinstance(meta, dict):
        raise _Damaged(f"meta.json must hold an object, got {type(meta).__name__}")
    if meta.get("format") != FORMAT:
        raise _Damaged(f"the file has format {meta.get('format')!r}; this version reads "
                       f"{FORMAT!r}")
    types = {"TrainedCritic": TrainedCritic, "TrainedGan": TrainedGan}
    result_type = types[_field(meta, "type", str, "", choices=tuple(types))]
    if expected is not None and result_type is not expected:
        raise _Damaged(f"the file holds a {meta['type']}, expected {expected.__name__}")
    config_fields = _field(meta, "config", dict, "")
    try:
        config = GanConfig.from_dict(config_fields)
    except (TypeError, ValueError) as error:
        raise _Damaged(f"meta.json 'config' is not a valid GanConfig ({error})") from None
    loss = _field(meta, "loss", str, "")
    if loss != config.loss:
        raise _Damaged(f"meta.json 'loss' is {loss!r} but its config's loss is "
                       f"{config.loss!r}")
    history = _get_history(arrays, meta)
    critic = _get_critic(arrays, _field(meta, "critic", dict, ""), config)
    state_meta = _field(meta, "state", (dict, type(None)), "")
    state = None if state_meta is None else _get_state(arrays, state_meta)
    if result_type is TrainedCritic:
        estimate, bound = _checked_scalars(meta, critic, history)
        return TrainedCritic(critic=critic, loss=loss, estimate=estimate,
                             lipschitz_bound=bound, history=history, config=config,
                             state=state)
    generator_meta = _field(meta, "generator", dict, "")
    from .config import ACTIVATIONS
    activation = _field(generator_meta, "activation", str, "generator", choices=ACTIVATIONS)
    if activation != config.activation:
        raise _Damaged(f"the generator's activation is {activation!r} but its "
                       f"configuration gives {config.activation!r}")
    from .config import GENERATOR_OUTPUTS
    # files written before the sigmoid output existed hold no "output": a linear generator
    output = (_field(generator_meta, "output", str, "generator", choices=GENERATOR_OUTPUTS)
              if "output" in generator_meta else "linear")
    if output != config.generator_output:
        raise _Damaged(f"the generator's output is {output!r} but its configuration gives "
                       f"{config.generator_output!r}")
    generator = NumpyGenerator(
        _get_params(arrays, "generator/params", _count(generator_meta, "layers", "generator",
                                                       lower=1),
                    (config.latent_dim, *config.generator_hidden, critic.dimension),
                    "the generator"),
        activation=activation, output=output)
    return TrainedGan(generator=generator, critic=critic, loss=loss, history=history,
                      config=config, state=state)


def load(path: str | PathLike[str], *, expected: type | None = None
         ) -> TrainedCritic | TrainedGan:
    """Read a result written by :func:`save` (no pickle is executed).

    ``expected`` (``TrainedCritic`` or ``TrainedGan``) makes a file of the other type a
    ``ValueError``.

    The file is read defensively: a missing, truncated, damaged or foreign file, an entry
    of the wrong type or shape, an unknown result type, loss family, activation or bit
    generator, and layers that do not match the stored configuration are each one
    ``ValueError`` naming the file and what is wrong. What can be recomputed from the
    stored weights is: a critic's Lipschitz bound must equal the product of its layers'
    spectral norms (to a relative ``1e-9``). A critic's ``estimate`` depends on the
    samples it was trained on, which the file does not hold; it must equal the last
    estimate in the stored history, and ``loaded.dual_value(u_values, v_values)`` (or
    :func:`otdiv.verify_critic`) recomputes it from the samples.
    """
    path = Path(path)
    try:
        return _load(path, expected)
    except _Damaged as problem:
        raise ValueError(f"cannot load {str(path)!r}: {problem}") from None
