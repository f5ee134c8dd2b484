"""Trained GAN results on disk: written atomically, read defensively (issue 26, items 4, 6).

A save that fails part-way leaves the previous file intact; every damaged, foreign or
tampered file is refused with one ``ValueError`` naming the file and what is wrong, and what
the weights determine (the Lipschitz bound) is recomputed rather than trusted."""

import json
import os

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")

from otdiv import TrainedCritic
from otdiv.gan import GanConfig, load, train_critic

pytestmark = pytest.mark.gan


@pytest.fixture(scope="module")
def trained():
    config = GanConfig.for_loss("wgan-sn", critic_hidden=(8,))
    return train_critic([0.0, 1.0, 2.0], [3.0, 4.0], config=config, steps=5, rng=0)


@pytest.fixture
def saved(trained, tmp_path):
    path = tmp_path / "critic.npz"
    trained.save(path)
    return path


def _entries(path):
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    meta = json.loads(arrays.pop("meta.json").tobytes().decode("utf-8"))
    return arrays, meta


def _rewrite(path, arrays, meta):
    text = json.dumps(meta).encode("utf-8")
    with open(path, "wb") as handle:
        np.savez(handle, **arrays, **{"meta.json": np.frombuffer(text, dtype=np.uint8)})


def _refused(path, *words):
    with pytest.raises(ValueError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message, message
    for word in words:
        assert word in message, message
    return message


# --- item 4: atomic save ------------------------------------------------------------------

def test_save_failure_keeps_previous_file(trained, saved, monkeypatch):
    before = saved.read_bytes()

    def failing_savez(handle, **arrays):
        handle.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="No space left"):
        trained.save(saved)
    monkeypatch.undo()
    assert saved.read_bytes() == before
    assert load(saved).estimate == trained.estimate
    assert sorted(os.listdir(saved.parent)) == ["critic.npz"]  # no temporary file left


def test_save_replaces_the_previous_file_and_keeps_its_permissions(trained, saved):
    os.chmod(saved, 0o640)
    saved.write_bytes(b"old contents")
    trained.save(saved)
    assert load(saved).estimate == trained.estimate
    assert os.stat(saved).st_mode & 0o777 == 0o640


# --- item 6: defensive load ---------------------------------------------------------------

def test_round_trip_still_loads_exactly(trained, saved):
    loaded = load(saved)
    assert loaded.estimate == trained.estimate
    assert loaded.lipschitz_bound == trained.lipschitz_bound
    assert loaded.state.generator().random() == trained.state.generator().random()


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file_is_one_value_error(saved, keep):
    raw = saved.read_bytes()
    saved.write_bytes(raw[:int(len(raw) * keep)])
    _refused(saved)


def test_every_flipped_byte_is_refused_or_loads_unchanged(trained, saved):
    raw = saved.read_bytes()
    x = np.array([[0.5], [2.5]])
    for position in range(0, len(raw), max(1, len(raw) // 400)):
        saved.write_bytes(raw[:position] + bytes([raw[position] ^ 0x5A]) + raw[position + 1:])
        try:
            loaded = load(saved)
        except ValueError as error:
            assert str(saved) in str(error)
            continue
        # a flip in bytes no reader looks at (zip timestamps, padding) changes nothing
        assert loaded.estimate == trained.estimate
        np.testing.assert_array_equal(loaded.critic(x), trained.critic(x))


@pytest.mark.parametrize("content", [b"", b"garbage" * 50, b"\x80\x04K\x01.",
                                     b"\x93NUMPY\x01\x00"])
def test_garbage_file_is_not_an_otdiv_gan_file(saved, content):
    saved.write_bytes(content)
    message = _refused(saved)
    assert "allow_pickle" not in message


def test_plain_npy_file_is_not_an_otdiv_gan_file(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    _refused(path, "not an otdiv.gan file")


def test_missing_file_is_a_value_error_naming_it(tmp_path):
    _refused(tmp_path / "absent.npz", "no such file")


@pytest.mark.parametrize("change, words", [
    (lambda meta: meta.update(type="Pickle"), ["'type'", "'Pickle'"]),
    (lambda meta: meta.update(type=["TrainedCritic"]), ["'type'"]),
    (lambda meta: meta["critic"].update(layers=5), ["5 layers", "needs 2"]),
    (lambda meta: meta["critic"].update(layers=1), ["1 layers", "needs 2"]),
    (lambda meta: meta["critic"].update(layers="2"), ["'critic.layers'"]),
    (lambda meta: meta["critic"].update(activation="sigmoid"), ["'critic.activation'",
                                                                "'sigmoid'"]),
    (lambda meta: meta["critic"].update(family="magic"), ["'critic.family'", "'magic'"]),
    (lambda meta: meta["critic"].update(family="cramer"), ["family"]),
    (lambda meta: meta["config"].update(activation="sigmoid"), ["config"]),
    (lambda meta: meta.pop("critic"), ["'critic'"]),
    (lambda meta: meta.update(format="otdiv.gan/0"), ["format"]),
    (lambda meta: meta.update(lipschitz_bound=0.001, estimate=123.0), ["estimate"]),
    (lambda meta: meta.update(lipschitz_bound=0.001), ["Lipschitz bound 0.001",
                                                       "spectral norms"]),
    (lambda meta: meta.update(estimate=123.0), ["estimate 123.0"]),
    (lambda meta: meta.update(estimate="0.5"), ["'estimate'"]),
    (lambda meta: meta["state"]["rng_state"].update(bit_generator="RandomState"),
     ["bit_generator", "'RandomState'"]),
    (lambda meta: meta["state"]["rng_state"].update(bit_generator="__loader__"),
     ["bit_generator", "'__loader__'"]),
    (lambda meta: meta["state"]["rng_state"].update(state="nonsense"), ["rng_state"]),
    (lambda meta: meta["state"].update(steps_done=-1), ["steps_done"]),
    (lambda meta: meta["state"]["parts"].update(critic=99), ["state/critic/"]),
])
def test_tampered_meta_is_refused_naming_what_is_wrong(saved, change, words):
    arrays, meta = _entries(saved)
    change(meta)
    _rewrite(saved, arrays, meta)
    _refused(saved, *words)


def test_tampered_bound_and_estimate_do_not_load_as_stored(saved):
    """The issue's reproducer: stored (0.001, 123.0) where the weights say otherwise."""
    arrays, meta = _entries(saved)
    meta.update(lipschitz_bound=0.001, estimate=123.0)
    _rewrite(saved, arrays, meta)
    _refused(saved)
    meta.update(estimate=float(arrays["history/estimate"][-1]))
    _rewrite(saved, arrays, meta)
    _refused(saved, "Lipschitz bound 0.001")


def test_scaled_weights_with_the_old_bound_are_refused(saved):
    arrays, meta = _entries(saved)
    arrays["critic/params/0/w"] = arrays["critic/params/0/w"] * 100.0
    _rewrite(saved, arrays, meta)
    _refused(saved, "spectral norms")


@pytest.mark.parametrize("key, value, words", [
    ("critic/params/0/w", np.zeros((1, 3)), ["layer 0", "(1, 3)"]),
    ("critic/params/1/b", np.zeros(2), ["layer 1", "biases"]),
    ("critic/params/0/w", np.array([["a"] * 8]), ["real numbers"]),
    ("critic/params/1/w", np.full((8, 1), np.nan), ["non-finite"]),
    ("history/estimate", np.zeros(2), ["different lengths"]),
])
def test_arrays_of_the_wrong_shape_or_type_are_refused(saved, key, value, words):
    arrays, meta = _entries(saved)
    arrays[key] = value
    _rewrite(saved, arrays, meta)
    _refused(saved, *words)


def test_missing_weight_array_is_refused(saved):
    arrays, meta = _entries(saved)
    del arrays["critic/params/1/w"]
    _rewrite(saved, arrays, meta)
    _refused(saved, "'critic/params/1/w'")


def test_resuming_refuses_a_bit_generator_numpy_does_not_provide(trained):
    import dataclasses
    state = dataclasses.replace(trained.state, rng_state={"bit_generator": "RandomState"})
    with pytest.raises(ValueError, match="bit generator 'RandomState'"):
        state.generator()


def test_expected_type_mismatch_is_refused(saved):
    from otdiv import TrainedGan
    with pytest.raises(ValueError, match="TrainedCritic"):
        TrainedGan.load(saved)
    assert isinstance(TrainedCritic.load(saved), TrainedCritic)
