"""Evaluation does not change training, and evaluation reals never served as training data
(issue 23: "evaluation changes training", "array data overlap")."""

import numpy as np
import pytest

pytest.importorskip("jax")

from otdiv.gan import GanConfig, train_gan, training

CONFIG = GanConfig.for_loss("wgan-gp", critic_hidden=(8,), generator_hidden=(8,),
                            batch_size=16)


def _params(result):
    return [layer["w"] for layer in result.generator.params]


@pytest.mark.parametrize("data", ["8gaussians", "array"])
def test_same_seed_same_generator_whatever_the_number_of_checkpoints(data):
    if data == "array":
        data = np.random.default_rng(1).normal(size=(400, 2))
    runs = [train_gan(data, config=CONFIG, steps=20, checkpoints=c, eval_samples=e, rng=7)
            for c, e in ((5, 40), (20, 40), (2, 60), (7, 30))]
    for run in runs[1:]:
        for mine, theirs in zip(_params(run), _params(runs[0])):
            np.testing.assert_array_equal(mine, theirs)
    assert runs[1].history["step"].tolist() == list(range(0, 21))


def test_evaluation_at_a_step_does_not_depend_on_earlier_checkpoints():
    # checkpoints 2 and 4 both evaluate at step 10 and step 20 with the same stream
    a = train_gan("8gaussians", config=CONFIG, steps=20, checkpoints=2, eval_samples=40, rng=3)
    b = train_gan("8gaussians", config=CONFIG, steps=20, checkpoints=4, eval_samples=40, rng=3)
    np.testing.assert_array_equal(a.history["exact_w1"], b.history["exact_w1"][::2])
    np.testing.assert_array_equal(a.history["w1_floor"], b.history["w1_floor"][::2])


def test_array_data_evaluation_reals_are_disjoint_from_training_rows():
    rows = np.arange(1000, dtype=np.float64)[:, None] * np.ones((1, 2))
    key = np.array([11, 12], dtype=np.int64)
    pool, reals, _, _ = training._data_source(rows, None, 0, None, key, None)
    real, real_again = reals(300, np.random.default_rng(0))
    held = int(training.HELD_OUT_SHARE * 1000)
    assert pool.shape == (1000 - held, 2)
    assert real.shape == real_again.shape == (held // 2, 2)
    train_ids, real_ids, again_ids = (set(a[:, 0].tolist()) for a in (pool, real, real_again))
    assert not train_ids & real_ids and not train_ids & again_ids and not real_ids & again_ids
    # the split is fixed by the key: the same rows every time
    pool_again, _, _, _ = training._data_source(rows, None, 0, None, key, None)
    np.testing.assert_array_equal(pool, pool_again)


def test_explicit_held_out_is_used_for_evaluation_and_all_data_for_training():
    rows = np.arange(100, dtype=np.float64)[:, None] * np.ones((1, 2))
    held = -1.0 - np.arange(50, dtype=np.float64)[:, None] * np.ones((1, 2))
    key = np.array([1, 2], dtype=np.int64)
    pool, reals, _, _ = training._data_source(rows, held, 0, None, key, None)
    real, real_again = reals(300, np.random.default_rng(0))
    np.testing.assert_array_equal(pool, rows)
    assert real.shape == (25, 2) and (real < 0).all() and (real_again < 0).all()
    assert not set(real[:, 0].tolist()) & set(real_again[:, 0].tolist())
    with pytest.raises(ValueError, match="held_out is only for array data"):
        train_gan("8gaussians", config=CONFIG, steps=1, held_out=held)
    with pytest.raises(ValueError, match="held_out must have 2 columns|dimension"):
        train_gan(rows, config=CONFIG, steps=1, held_out=np.zeros((5, 3)))
