"""The multi-seed studies of otdiv.gan on executors: the same rows, bit for bit, in the same
order, serially, on a thread pool and on local processes; a bad executor is refused before
any training. The studies' numbers are tested in test_gan.py (slow studies section)."""

import concurrent.futures

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")

from otdiv.gan import GanConfig, studies

STUDIES = ("critic_fidelity_study", "f_critic_fidelity_study", "sign_trap_study",
           "training_study", "generator_gradient_study")

# tiny runs: compilation, not training, is what these cost
TINY = {
    "critic_fidelity_study": dict(seeds=(0, 3), steps=3, n=20, thetas=(1.0,), shifts=(1.0,),
                                  losses=("wgan-gp", "wgan-sn")),
    "f_critic_fidelity_study": dict(seeds=(0, 3), kinds=("kl", "reverse_kl"), steps=3,
                                    n=20, held_out=30),
    "sign_trap_study": dict(seeds=(0, 1, 5), steps=10, n=40),
    "training_study": dict(seeds=(0, 3), losses=("wgan-gp",),
                           datasets=("8gaussians", "parallel_line"), steps=3, checkpoints=2,
                           eval_samples=30,
                           configs={"wgan-gp": GanConfig.for_loss("wgan-gp", n_critic=1,
                                                                  critic_hidden=(8,),
                                                                  generator_hidden=(8,))}),
    "generator_gradient_study": dict(seeds=(0, 3), thetas=(0.5, 2.0),
                                     losses=("jsgan", "wgan-gp"), n=20, steps=3),
}


def assert_same_rows(first, second):
    """Equal row by row, key by key, floats and arrays bit for bit (NaN equal to NaN)."""
    assert len(first) == len(second)
    for one, other in zip(first, second):
        assert list(one) == list(other)
        for key in one:
            if key == "history":
                assert list(one[key]) == list(other[key])
                for name in one[key]:
                    np.testing.assert_array_equal(one[key][name], other[key][name])
            elif isinstance(one[key], float):
                assert (np.isnan(one[key]) and np.isnan(other[key])) or one[key] == other[key]
            else:
                assert one[key] == other[key]


def test_sign_trap_rows_are_the_same_serially_and_on_a_thread_pool():
    serial = studies.sign_trap_study(**TINY["sign_trap_study"])
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        threaded = studies.sign_trap_study(**TINY["sign_trap_study"], executor=pool)
    assert [(row["sign_check"], row["seed"]) for row in serial] == [
        (check, seed) for check in (False, True) for seed in (0, 1, 5)]
    assert_same_rows(serial, threaded)


@pytest.mark.slow
@pytest.mark.parametrize("name", STUDIES)
def test_every_study_gives_the_same_rows_serially_and_on_a_thread_pool(name):
    study = getattr(studies, name)
    serial = study(**TINY[name])
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        threaded = study(**TINY[name], executor=pool)
    assert_same_rows(serial, threaded)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sign_trap_study", "training_study"])
def test_studies_give_the_same_rows_on_local_processes(name):
    # forkserver workers (JAX is loaded) import otdiv.gan and compile afresh: seconds each
    study = getattr(studies, name)
    assert_same_rows(study(**TINY[name]), study(**TINY[name], executor="processes"))


@pytest.mark.parametrize("name", STUDIES)
@pytest.mark.parametrize("executor, error, message", [
    ("threads", ValueError, "got the string 'threads'"),
    (object(), TypeError, "got object"),
    (4, TypeError, "got int"),
])
def test_bad_executor_is_refused_before_any_training(name, executor, error, message,
                                                     monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started before the executor was checked")

    monkeypatch.setattr(studies, "train_critic", no_training)
    monkeypatch.setattr(studies, "train_gan", no_training)
    with pytest.raises(error, match="executor must be None, 'processes'") as caught:
        getattr(studies, name)(**TINY[name], executor=executor)
    assert message in str(caught.value)


@pytest.mark.parametrize("name", STUDIES)
def test_studies_refuse_bad_seeds_steps_and_progress_before_any_training(name, monkeypatch):
    def no_training(*args, **kwargs):
        raise AssertionError("training started before the arguments were checked")

    monkeypatch.setattr(studies, "train_critic", no_training)
    monkeypatch.setattr(studies, "train_gan", no_training)
    study = getattr(studies, name)
    with pytest.raises(ValueError, match="seeds must hold at least one seed"):
        study(**{**TINY[name], "seeds": ()})
    with pytest.raises(ValueError, match="seeds entries"):
        study(**{**TINY[name], "seeds": (-1,)})
    with pytest.raises(ValueError, match="steps"):
        study(**{**TINY[name], "steps": 0})
    with pytest.raises(TypeError, match="progress"):
        study(**TINY[name], progress="yes")


def test_training_study_refuses_configs_that_are_not_gan_configs():
    with pytest.raises(TypeError, match="configs values must be GanConfig, got dict"):
        studies.training_study(seeds=(0,), losses=("wgan-gp",), configs={"wgan-gp": {}})


def test_f_fidelity_study_refuses_unknown_kinds():
    with pytest.raises(ValueError, match="kinds entries must be among"):
        studies.f_critic_fidelity_study(seeds=(0,), kinds=("kl", "chi"))


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_takes_executor_and_progress_by_keyword_with_serial_defaults(name):
    import inspect
    parameters = inspect.signature(getattr(studies, name)).parameters
    assert parameters["executor"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["executor"].default is None
    assert parameters["progress"].default is False

