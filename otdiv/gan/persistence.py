r"""Save and load trained critics and GANs as arrays plus JSON, without pickle.

One ``.npz`` file per result: every array (network parameters in float64, the Cramér
critic's reference features, the history, and the training state's float32 leaves and
fixed inputs) under a path-like key, and one ``"meta.json"`` entry holding the JSON text
(result type, loss, scalars, the :class:`GanConfig` fields, the random state) as UTF-8
bytes. :func:`load` reads it with ``allow_pickle=False``; floats travel as float64 arrays
or as JSON numbers (shortest round-trip repr), so a loaded result equals the saved one
exactly, and a loaded :class:`~otdiv.TrainedCritic` or :class:`~otdiv.TrainedGan` can be
resumed (``train_critic(..., resume=loaded)``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .._results import TrainedCritic, TrainedGan
from .config import GanConfig
from .models import NumpyCritic, NumpyGenerator
from .state import TrainingState

__all__ = ["save", "load", "FORMAT"]

#: Written into every file; :func:`load` refuses other formats.
FORMAT = "otdiv.gan/1"


def _put_params(arrays, prefix, params):
    for index, layer in enumerate(params):
        for key, value in layer.items():
            arrays[f"{prefix}/{index}/{key}"] = np.asarray(value)
    return len(params)


def _get_params(arrays, prefix, count):
    layers = []
    for index in range(count):
        layer = {}
        for key in ("w", "b"):
            value = np.array(arrays[f"{prefix}/{index}/{key}"])
            value.setflags(write=False)
            layer[key] = value
        layers.append(layer)
    return tuple(layers)


def _put_critic(arrays, critic: NumpyCritic) -> dict:
    if critic.reference_features is not None:
        arrays["critic/reference_features"] = critic.reference_features
    return {"family": critic.family, "activation": critic.activation, "kind": critic.kind,
            "layers": _put_params(arrays, "critic/params", critic.params)}


def _get_critic(arrays, meta) -> NumpyCritic:
    features = arrays["critic/reference_features"] if meta["family"] == "cramer" else None
    return NumpyCritic(_get_params(arrays, "critic/params", meta["layers"]),
                       family=meta["family"], activation=meta["activation"],
                       kind=meta["kind"], reference_features=features)


def _put_state(arrays, state: TrainingState) -> dict:
    for name, leaves in state.parts.items():
        for index, leaf in enumerate(leaves):
            arrays[f"state/{name}/{index}"] = leaf
    for name, value in state.arrays.items():
        arrays[f"state_arrays/{name}"] = value
    return {"parts": {name: len(leaves) for name, leaves in state.parts.items()},
            "arrays": sorted(state.arrays), "rng_state": state.rng_state,
            "steps_done": state.steps_done, "data_fingerprint": state.data_fingerprint,
            "sign_flips": state.sign_flips}


def _frozen(array):
    array = np.array(array)
    array.setflags(write=False)
    return array


def _get_state(arrays, meta) -> TrainingState:
    parts = {name: [_frozen(arrays[f"state/{name}/{index}"]) for index in range(count)]
             for name, count in meta["parts"].items()}
    return TrainingState(parts=parts, rng_state=meta["rng_state"],
                         steps_done=meta["steps_done"],
                         arrays={name: _frozen(arrays[f"state_arrays/{name}"])
                                 for name in meta["arrays"]},
                         data_fingerprint=meta["data_fingerprint"],
                         sign_flips=meta["sign_flips"])


def save(result, path) -> Path:
    """Write a :class:`~otdiv.TrainedCritic` or :class:`~otdiv.TrainedGan` to ``path``.

    ``path`` gets the suffix ``.npz`` if it has none; an existing file is overwritten.
    Returns the path written.

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
    arrays = {}
    meta = {"format": FORMAT, "type": type(result).__name__, "loss": result.loss,
            "config": result.config.to_dict(), "history": sorted(result.history),
            "critic": _put_critic(arrays, result.critic)}
    for key, value in result.history.items():
        arrays[f"history/{key}"] = value
    if isinstance(result, TrainedCritic):
        meta["estimate"] = result.estimate
        meta["lipschitz_bound"] = result.lipschitz_bound
    else:
        meta["generator"] = {"activation": result.generator.activation,
                             "layers": _put_params(arrays, "generator/params",
                                                   result.generator.params)}
    meta["state"] = None if result.state is None else _put_state(arrays, result.state)
    text = json.dumps(meta, allow_nan=False)
    arrays["meta.json"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path


def load(path, *, expected=None):
    """Read a result written by :func:`save` (no pickle is executed).

    ``expected`` (``TrainedCritic`` or ``TrainedGan``) makes a file of the other type a
    ``ValueError``.
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    if "meta.json" not in arrays:
        raise ValueError(f"{path} is not an otdiv.gan file (no meta.json entry)")
    meta = json.loads(arrays["meta.json"].tobytes().decode("utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} has format {meta.get('format')!r}; this version reads "
                         f"{FORMAT!r}")
    types = {"TrainedCritic": TrainedCritic, "TrainedGan": TrainedGan}
    result_type = types[meta["type"]]
    if expected is not None and result_type is not expected:
        raise ValueError(f"{path} holds a {meta['type']}, expected {expected.__name__}")
    config = GanConfig.from_dict(meta["config"])
    history = {key: arrays[f"history/{key}"] for key in meta["history"]}
    critic = _get_critic(arrays, meta["critic"])
    state = None if meta["state"] is None else _get_state(arrays, meta["state"])
    if result_type is TrainedCritic:
        return TrainedCritic(critic=critic, loss=meta["loss"], estimate=meta["estimate"],
                             lipschitz_bound=meta["lipschitz_bound"], history=history,
                             config=config, state=state)
    generator = NumpyGenerator(_get_params(arrays, "generator/params",
                                           meta["generator"]["layers"]),
                               activation=meta["generator"]["activation"])
    return TrainedGan(generator=generator, critic=critic, loss=meta["loss"],
                      history=history, config=config, state=state)
