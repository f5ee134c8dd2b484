"""The executor adapter: same results on every executor, thread budgets inside workers,
errors raised in the caller, fork-safe local processes after a parallel Numba kernel."""

import concurrent.futures
import subprocess
import sys
import types

import numba
import numpy as np
import pytest

import otdiv
from otdiv import _executor
from otdiv._executor import LocalProcesses, Task, run_tasks


def add_items(items, payload):
    return sum(items[key] for key in payload) * 10


def thread_budget(items, payload):
    return numba.get_num_threads()


def fail_on_three(items, payload):
    if payload == 3:
        raise ZeroDivisionError("task three failed")
    return payload


def energy_of(items, payload):
    x, y = items[payload[0]], items[payload[1]]
    return otdiv.energy_distance(x, y)


def tasks_over(keys):
    return [Task(payload=(a, b), keys=(a, b)) for a in keys for b in keys if a < b]


EXECUTORS = ["none", "processes", "local-2", "threads", "process-pool"]


def make(kind):
    if kind == "none":
        return None
    if kind == "processes":
        return "processes"
    if kind == "local-2":
        return LocalProcesses(2)
    if kind == "threads":
        return concurrent.futures.ThreadPoolExecutor(2)
    return concurrent.futures.ProcessPoolExecutor(2)


@pytest.mark.parametrize("kind", EXECUTORS)
def test_results_come_back_in_task_order_on_every_executor(kind):
    items = {"a": 1, "b": 2, "c": 4, "d": 8}
    executor = make(kind)
    try:
        results = run_tasks(add_items, tasks_over("abcd"), items, executor=executor,
                            progress=False)
    finally:
        if isinstance(executor, concurrent.futures.Executor):
            executor.shutdown()
    assert results == [30, 50, 90, 60, 100, 120]


@pytest.mark.parametrize("kind", EXECUTORS)
def test_an_error_in_a_task_is_raised_in_the_caller(kind):
    executor = make(kind)
    tasks = [Task(payload=k, keys=()) for k in range(6)]
    try:
        with pytest.raises(ZeroDivisionError, match="task three failed"):
            run_tasks(fail_on_three, tasks, {}, executor=executor, progress=False)
    finally:
        if isinstance(executor, concurrent.futures.Executor):
            executor.shutdown()


def test_workers_run_numba_kernels_within_a_thread_budget():
    cores = _executor.available_cores()
    tasks = [Task(payload=k, keys=()) for k in range(4)]
    two = run_tasks(thread_budget, tasks, {}, executor=LocalProcesses(2), progress=False)
    one = run_tasks(thread_budget, tasks, {}, executor=LocalProcesses(1), progress=False)
    assert two == [max(1, cores // 2)] * 4
    assert one == [min(cores, numba.config.NUMBA_NUM_THREADS)] * 4
    with concurrent.futures.ThreadPoolExecutor(2) as threads:
        budget = run_tasks(thread_budget, tasks, {}, executor=threads, progress=False)
    assert budget == [max(1, cores // 2)] * 4
    # the caller's own setting is untouched
    assert numba.get_num_threads() == min(cores, numba.config.NUMBA_NUM_THREADS)


def test_local_processes_work_after_the_parent_ran_a_parallel_kernel():
    rng = np.random.default_rng(2)
    items = {k: rng.normal(k, size=(700, 2)) for k in range(3)}
    serial = run_tasks(energy_of, tasks_over(range(3)), items, progress=False)  # parallel
    forked = run_tasks(energy_of, tasks_over(range(3)), items, executor="processes",
                       progress=False)
    assert forked == serial


@pytest.mark.slow  # about 25 s: each forkserver worker imports numba and otdiv afresh
def test_forkserver_workers_give_the_same_results(monkeypatch):
    monkeypatch.setattr(_executor, "_start_method", lambda: "forkserver")
    rng = np.random.default_rng(3)
    items = {k: rng.normal(k, size=(50, 2)) for k in range(3)}
    serial = run_tasks(energy_of, tasks_over(range(3)), items, progress=False)
    assert run_tasks(energy_of, tasks_over(range(3)), items, executor=LocalProcesses(2),
                     progress=False) == serial


def fake_xla_bridge(**attributes):
    bridge = types.ModuleType("jax._src.xla_bridge")
    bridge.__dict__.update(attributes)
    return bridge


@pytest.mark.parametrize("bridge", [None, fake_xla_bridge(_backends={})],
                         ids=["jax not imported", "jax imported, no computation yet"])
def test_local_processes_fork_when_the_threading_layer_is_fork_safe(monkeypatch, bridge):
    from otdiv._kernels import threading_layer_is_fork_safe
    if bridge is None:
        monkeypatch.delitem(sys.modules, "jax._src.xla_bridge", raising=False)
    else:
        monkeypatch.setitem(sys.modules, "jax._src.xla_bridge", bridge)
    expected = "fork" if threading_layer_is_fork_safe() else "forkserver"
    assert _executor._start_method() == expected


@pytest.mark.parametrize("bridge", [fake_xla_bridge(_backends={"cpu": object()}),
                                    fake_xla_bridge()],
                         ids=["jax runtime started", "unknown jax layout"])
def test_local_processes_never_fork_once_jax_runs(monkeypatch, bridge):
    monkeypatch.setitem(sys.modules, "jax._src.xla_bridge", bridge)
    assert _executor._start_method() in ("forkserver", "spawn")


def test_jax_runtime_detection_matches_jax_itself():
    jax = pytest.importorskip("jax")
    script = ("import sys, jax; from otdiv._executor import _jax_runtime_started as started; "
              "before = started(); jax.numpy.ones(2).block_until_ready(); "
              "print(before, started())")
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True).stdout.split()
    assert output == ["False", "True"], jax.__version__


def test_progress_bar_is_shown_and_can_be_silenced(capsys):
    tasks = [Task(payload=k, keys=()) for k in range(3)]
    run_tasks(fail_on_three, tasks, {}, progress=True, description="demo")
    assert "demo" in capsys.readouterr().err
    run_tasks(fail_on_three, tasks, {}, progress=False, description="demo")
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("executor, error", [
    ("threads", ValueError), (2, TypeError), (object(), TypeError), ([None], TypeError),
])
def test_an_unknown_executor_is_refused_by_name(executor, error):
    with pytest.raises(error, match="executor"):
        _executor.check_executor(executor)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True])
def test_local_processes_need_a_positive_worker_count(workers):
    with pytest.raises(ValueError, match="n_workers"):
        LocalProcesses(workers)
