"""otdiv.pairwise on a real Dask cluster: two worker processes started and stopped here.

Matrices equal the serial ones exactly for every metric, a worker killed in the middle of a
run still gives the full identical matrix, and tasks run within a Numba thread budget.
"""

import logging
import os

import numpy as np
import pytest
from distributed import Client, LocalCluster

import otdiv.distance_matrix as pairwise_module
from otdiv import _executor
from otdiv.distance_matrix import pairwise


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    dask_client = Client(cluster)
    try:
        yield dask_client
    finally:
        dask_client.close()
        cluster.close()


def clouds(d, count=6, seed=0):
    rng = np.random.default_rng(seed)
    shape = (lambda n: (n,)) if d == 1 else (lambda n: (n, d))
    samples = [rng.normal(k / 3, size=shape(int(rng.integers(8, 25)))) for k in range(count)]
    weights = [None if k % 3 else rng.random(len(s)) for k, s in enumerate(samples)]
    return samples, weights


@pytest.mark.parametrize("metric, d, options", [
    ("wasserstein", 1, {"p": 2}), ("wasserstein", 2, {}), ("cramer", 1, {}),
    ("energy", 1, {}), ("energy", 3, {}), ("sliced_wasserstein", 2, {"n_projections": 10}),
    ("sliced_energy", 2, {"n_projections": 10}),
])
def test_dask_matrix_equals_the_serial_matrix_exactly(client, metric, d, options):
    samples, weights = clouds(d)
    serial = pairwise(samples, metric=metric, weights=weights, rng=9, progress=False,
                      **options)
    distributed = pairwise(samples, metric=metric, weights=weights, rng=9, executor=client,
                           progress=False, **options)
    assert np.array_equal(serial.matrix, distributed.matrix)
    for name in ("duality_gap", "standard_error"):
        if getattr(serial, name) is None:
            assert getattr(distributed, name) is None
        else:
            assert np.array_equal(getattr(serial, name), getattr(distributed, name))


def test_dask_samples_against_others(client):
    samples, weights = clouds(2, count=4)
    others, other_weights = clouds(2, count=3, seed=1)
    kwargs = dict(metric="energy", weights=weights, other_weights=other_weights,
                  progress=False)
    assert np.array_equal(pairwise(samples, others, executor=client, **kwargs).matrix,
                          pairwise(samples, others, **kwargs).matrix)


def test_dask_tasks_run_within_a_thread_budget(client):
    def budget(items, payload):
        import numba
        return numba.get_num_threads()

    tasks = [_executor.Task(payload=k, keys=()) for k in range(4)]
    results = _executor.run_tasks(budget, tasks, {}, executor=client, progress=False)
    cores = client.run(_executor.available_cores)
    expected = {max(1, count // 2) for count in cores.values()}  # two one-thread workers
    assert set(results) <= expected


def test_dask_errors_are_raised_in_the_caller_after_the_retries(client):
    def fail(items, payload):
        raise ArithmeticError(f"tile {payload} failed")

    tasks = [_executor.Task(payload=k, keys=()) for k in range(3)]
    with pytest.raises(ArithmeticError, match="failed"):
        _executor.run_tasks(fail, tasks, {}, executor=client, progress=False)


def test_cli_pairwise_runs_on_the_scheduler_it_is_given(client, tmp_path, monkeypatch,
                                                        capsys):
    from otdiv.cli import main

    samples, _ = clouds(2, count=3)
    for k, sample in enumerate(samples):
        np.save(tmp_path / f"s{k}.npy", sample)
    monkeypatch.chdir(tmp_path)
    address = client.scheduler.address
    assert main(["pairwise", "s0.npy", "s1.npy", "s2.npy", "--metric", "energy",
                 "--scheduler", address, "--out", "m.npy", "--no-progress"]) == 0
    assert np.array_equal(np.load(tmp_path / "m.npy"),
                          pairwise(samples, metric="energy", progress=False).matrix)


def test_a_worker_killed_mid_run_still_gives_the_full_identical_matrix(client, tmp_path,
                                                                       monkeypatch):
    marker = str(tmp_path / "killed-once")
    original = pairwise_module._tile_values

    def die_on_first_attempt(items, tile):
        # The first tile to start anywhere kills its worker process (no cleanup, like a
        # crashed or pre-empted machine); every later attempt computes normally.
        try:
            handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return original(items, tile)
        os.close(handle)
        os._exit(1)

    samples, weights = clouds(2, count=8)
    serial = pairwise(samples, weights=weights, progress=False)
    monkeypatch.setattr(pairwise_module, "_tile_values", die_on_first_attempt)
    distributed = pairwise(samples, weights=weights, executor=client, progress=False)
    assert os.path.exists(marker)  # a worker really died
    assert np.array_equal(serial.matrix, distributed.matrix)
    assert np.array_equal(serial.duality_gap, distributed.duality_gap)


def test_closed_client_is_refused_before_any_work(monkeypatch):
    """Not Dask's "IOLoop is closed" from the middle of the run (issue 26, item 8)."""
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                           dashboard_address=None, silence_logs=logging.ERROR)
    closed = Client(cluster)
    closed.close()
    cluster.close()

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the executor was checked")

    monkeypatch.setattr(pairwise_module.cores, "prepare", refuse)
    with pytest.raises(ValueError, match="executor must accept new work") as info:
        pairwise([np.zeros(3), np.ones(3)], executor=closed, progress=False)
    assert "'closed'" in str(info.value)
