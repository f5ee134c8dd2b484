"""Run a list of independent tasks serially, on local processes, on any executor, or on Dask.

One adapter shared by everything in otdiv that fans work out (``otdiv.pairwise`` first).
A *task* is a payload plus the keys of the shared items it reads; the caller's ``function``
is called as ``function(items, payload)`` where ``items[key]`` is a shared item. Results come
back in task order, gathered as they complete behind a tqdm progress bar.

``executor`` may be

- ``None``: in this process, one task after the other (Numba kernels keep all their threads);
- ``"processes"``: a local pool with one worker per available core, created for the call and
  shut down after it. The shared items are handed to each worker once, at start-up. Workers
  are forked when Numba's threading layer is fork-safe (TBB, which otdiv selects at import:
  see ``otdiv._kernels``) and no thread pool that breaks in a fork child runs (JAX's, once a
  JAX computation ran in this process), and started with ``forkserver`` (``spawn`` on
  Windows) otherwise;
- :class:`LocalProcesses` ``(n_workers)``: the same with a chosen number of workers;
- any :class:`concurrent.futures.Executor`: each task is sent with only the shared items it
  reads;
- a ``dask.distributed.Client``: the shared items are scattered once to every worker
  (``broadcast=True``), tasks go out with ``client.submit(..., retries=RETRIES)``, results
  come back through ``distributed.as_completed``. A worker lost mid-run has its tasks
  recomputed elsewhere by the scheduler; a task that raises is retried ``RETRIES`` times.

Thread budget: a task that runs Numba ``parallel=True`` kernels would use every core in each
worker, so ``k`` workers on ``c`` cores would run ``k * c`` threads. Inside workers each task
runs under ``numba.set_num_threads(budget)`` with ``budget = max(1, cores // workers on that
machine)``, restored afterwards.

Dask is imported only here, and only when a Dask client is passed: ``import otdiv`` never
imports it (a Client can only exist if the user already imported ``distributed``).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tqdm import tqdm

#: A task's function: ``function(items, payload)`` (see :class:`Task`).
TaskFunction = Callable[[Any, Any], Any]

__all__ = ["Task", "LocalProcesses", "RETRIES", "check_executor", "run_tasks", "worker_count",
           "available_cores"]

#: Times Dask re-runs a task that raised (a task on a worker that died is rescheduled by
#: the scheduler whatever this is).
RETRIES = 3


@dataclass(frozen=True)
class Task:
    """One unit of work: ``payload`` for the function and the ``keys`` of the items it reads."""

    payload: Any
    keys: tuple[Hashable, ...]


@dataclass(frozen=True)
class LocalProcesses:
    """A local process pool of ``n_workers`` workers (``"processes"`` uses every core)."""

    n_workers: int

    def __post_init__(self) -> None:
        if (isinstance(self.n_workers, bool) or not isinstance(self.n_workers, int)
                or self.n_workers < 1):
            raise ValueError(f"n_workers must be a positive integer, got {self.n_workers!r}")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _dask_client_class() -> type | None:
    distributed = sys.modules.get("distributed")
    return getattr(distributed, "Client", None) if distributed is not None else None


def _is_dask_client(executor: object) -> bool:
    client_class = _dask_client_class()
    return client_class is not None and isinstance(executor, client_class)


def _unusable(executor: Any) -> str | None:
    """Why ``executor`` cannot take new work (shut down, broken, closed), or ``None``.

    Read from the state the standard executors and Dask's ``Client`` keep, so that nothing
    is submitted to find out. An executor of another type is trusted here; if its first
    ``submit`` refuses the work, :func:`run_tasks` names ``executor`` then.
    """
    name = type(executor).__name__
    if _is_dask_client(executor):
        status = getattr(executor, "status", "running")
        if status in ("closing", "closed"):
            return f"a Dask Client whose status is {status!r}"
        return None
    if isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        if getattr(executor, "_broken", False):
            return f"a broken {name} ({executor._broken})"
        if getattr(executor, "_shutdown", False):
            return f"a {name} that was shut down"
    if isinstance(executor, concurrent.futures.ProcessPoolExecutor):
        if getattr(executor, "_broken", False):
            return f"a broken {name} ({executor._broken})"
        if getattr(executor, "_shutdown_thread", False):
            return f"a {name} that was shut down"
    return None


def check_executor(executor: Any) -> Any:
    """Return ``executor`` if it is one this module runs on, else raise naming ``executor``.

    Called by public functions before any work, so that a bad executor fails early.
    """
    if executor is None or isinstance(executor, LocalProcesses):
        return executor
    if isinstance(executor, str):
        if executor == "processes":
            return executor
        raise ValueError(f"executor must be None, 'processes', a concurrent.futures.Executor "
                         f"or a dask.distributed.Client, got the string {executor!r}")
    if isinstance(executor, concurrent.futures.Executor) or _is_dask_client(executor):
        problem = _unusable(executor)
        if problem is not None:
            raise ValueError(f"executor must accept new work, got {problem}; pass an open "
                             f"one (or None to run here)")
        return executor
    raise TypeError(f"executor must be None, 'processes', a concurrent.futures.Executor or a "
                    f"dask.distributed.Client, got {type(executor).__name__}")


def worker_count(executor: Any) -> int:
    """How many tasks can run at once (used to size tiles); 1 for ``None``."""
    if executor is None:
        return 1
    if executor == "processes":
        return available_cores()
    if isinstance(executor, LocalProcesses):
        return executor.n_workers
    if _is_dask_client(executor):
        workers = executor.scheduler_info().get("workers", {})
        return max(1, sum(int(info.get("nthreads", 1)) for info in workers.values()))
    return max(1, int(getattr(executor, "_max_workers", None) or available_cores()))


def _progress_bar(total: int, progress: bool, description: str) -> tqdm:
    from tqdm import tqdm  # not tqdm.auto: it warns in Jupyter without ipywidgets

    return tqdm(total=total, desc=description, unit="task", disable=not progress, leave=False)


def run_tasks(function: Callable[[Any, Any], Any], tasks: Sequence[Task],
              items: Mapping[Any, Any], *, executor: Any = None, progress: bool = True,
              description: str = "") -> list[Any]:
    """``[function(items, task.payload) for task in tasks]``, run on ``executor``.

    ``items`` is a sequence or mapping of shared items addressed by the tasks' keys.
    ``function`` must be picklable (a module-level function) for process and Dask executors.
    The first task to raise stops the run: pending tasks are cancelled and the error is
    raised here.
    """
    executor = check_executor(executor)
    if not tasks:
        return []
    bar = _progress_bar(len(tasks), progress, description)
    try:
        if executor is None:
            results = []
            for task in tasks:
                results.append(function(items, task.payload))
                bar.update()
            return results
        if executor == "processes" or isinstance(executor, LocalProcesses):
            n_workers = worker_count(executor)
            return _run_local_processes(function, tasks, items, n_workers, bar)
        if _is_dask_client(executor):
            return _run_dask(function, tasks, items, executor, bar)
        return _run_executor(function, tasks, items, executor, bar)
    finally:
        bar.close()


# --- worker side --------------------------------------------------------------------------

_WORKER_ITEMS: Mapping[Any, Any] = {}  # installed in each worker by its initializer
_WORKER_BUDGET: int | None = None


def _call_with_budget(function: TaskFunction, budget: int | None, items: Mapping[Any, Any],
                      payload: Any) -> Any:
    if budget is None:
        return function(items, payload)
    import numba

    previous = numba.get_num_threads()
    numba.set_num_threads(max(1, min(budget, numba.config.NUMBA_NUM_THREADS)))
    try:
        return function(items, payload)
    finally:
        numba.set_num_threads(previous)


def _install_worker_items(items: Mapping[Any, Any], budget: int | None) -> None:
    global _WORKER_ITEMS, _WORKER_BUDGET
    _WORKER_ITEMS, _WORKER_BUDGET = items, budget


def _call_installed(function: TaskFunction, payload: Any) -> Any:
    return _call_with_budget(function, _WORKER_BUDGET, _WORKER_ITEMS, payload)


def _call_with_items(function: TaskFunction, budget: int | None, keys: Sequence[Hashable],
                     payload: Any, *values: Any) -> Any:
    return _call_with_budget(function, budget, dict(zip(keys, values)), payload)


def _call_on_dask_worker(function: TaskFunction, budgets: Mapping[str, int],
                         keys: Sequence[Hashable], payload: Any, *values: Any) -> Any:
    from distributed import get_worker

    try:
        budget = budgets.get(get_worker().address, 1)
    except ValueError:  # not inside a worker (e.g. a client running tasks locally)
        budget = None
    return _call_with_budget(function, budget, dict(zip(keys, values)), payload)


# --- parent side --------------------------------------------------------------------------

def _jax_runtime_started() -> bool:
    """Whether JAX has started its XLA runtime (and its thread pools) in this process.

    A forked child inherits those pools in a broken state (JAX warns: "os.fork() is
    incompatible with multithreaded code"). Importing JAX starts nothing — POT imports it
    whenever it is installed — the first computation does; JAX records that in
    ``xla_bridge._backends``, where it also installs its fork warning. If a JAX version no
    longer has that attribute, a loaded JAX counts as started.
    """
    bridge = sys.modules.get("jax._src.xla_bridge")
    if bridge is None:
        return False
    backends = getattr(bridge, "_backends", None)
    return True if backends is None else bool(backends)


def _start_method() -> str:
    from ._kernels import threading_layer_is_fork_safe

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading_layer_is_fork_safe() and not _jax_runtime_started():
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _gather(futures: dict[Any, int], n_tasks: int, completed: Iterable[Any], bar: tqdm,
            cancel: Callable[[], object]) -> list[Any]:
    results = [None] * n_tasks
    try:
        for future in completed:
            results[futures[future]] = future.result()
            bar.update()
    except BaseException:
        cancel()
        raise
    return results


def _run_local_processes(function: TaskFunction, tasks: Sequence[Task],
                         items: Mapping[Any, Any], n_workers: int, bar: tqdm) -> list[Any]:
    budget = max(1, available_cores() // n_workers)
    context = multiprocessing.get_context(_start_method())
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=n_workers, mp_context=context, initializer=_install_worker_items,
            initargs=(items, budget)) as pool:
        futures = {pool.submit(_call_installed, function, task.payload): index
                   for index, task in enumerate(tasks)}

        def cancel() -> None:
            for future in futures:
                future.cancel()

        return _gather(futures, len(tasks), concurrent.futures.as_completed(futures), bar,
                       cancel)


def _run_executor(function: TaskFunction, tasks: Sequence[Task], items: Mapping[Any, Any],
                  executor: concurrent.futures.Executor, bar: tqdm) -> list[Any]:
    n_workers = worker_count(executor)
    budget = max(1, available_cores() // n_workers)
    futures: dict[concurrent.futures.Future, int] = {}
    for index, task in enumerate(tasks):
        values = [items[key] for key in task.keys]
        try:
            future = executor.submit(_call_with_items, function, budget, task.keys,
                                     task.payload, *values)
        except RuntimeError as error:
            if futures:
                raise
            raise ValueError(f"executor must accept new work, but its submit refused the "
                             f"first task ({type(error).__name__}: {error})") from None
        futures[future] = index

    def cancel() -> None:
        for future in futures:
            future.cancel()

    return _gather(futures, len(tasks), concurrent.futures.as_completed(futures), bar, cancel)


def _dask_budgets(client: Any) -> dict[str, int]:
    """Numba threads per task on each worker: the host's cores over the threads it runs."""
    workers = client.scheduler_info().get("workers", {})
    cores = client.run(available_cores)
    threads_per_host: dict = {}
    for info in workers.values():
        host = info.get("host")
        threads_per_host[host] = threads_per_host.get(host, 0) + int(info.get("nthreads", 1))
    return {address: max(1, int(cores.get(address, 1))
                         // max(1, threads_per_host.get(info.get("host"), 1)))
            for address, info in workers.items()}


def _run_dask(function: TaskFunction, tasks: Sequence[Task], items: Mapping[Any, Any],
              client: Any, bar: tqdm) -> list[Any]:
    """Scatter, submit, gather; tasks whose scattered inputs were lost are run again.

    The scheduler recomputes a task whose worker died, but it cannot recompute *scattered*
    data: if every worker holding a copy dies (``broadcast`` copies to the workers running
    at scatter time only), the tasks that need it are cancelled. Those tasks are collected
    and run again with their inputs scattered afresh, up to ``RETRIES`` times.
    """
    from distributed import as_completed
    from distributed.client import FutureCancelledError

    budgets = _dask_budgets(client)
    results = [None] * len(tasks)
    pending = list(range(len(tasks)))
    for _ in range(RETRIES + 1):
        keys = sorted({key for index in pending for key in tasks[index].keys}, key=repr)
        scattered = (client.scatter([items[key] for key in keys], broadcast=True, hash=False)
                     if keys else [])
        remote = dict(zip(keys, scattered))
        futures = {}
        for index in pending:
            task = tasks[index]
            future = client.submit(_call_on_dask_worker, function, budgets, task.keys,
                                   task.payload, *[remote[key] for key in task.keys],
                                   retries=RETRIES, pure=False)
            futures[future] = index
        lost = []
        try:
            for future in as_completed(futures):
                try:
                    results[futures[future]] = future.result()
                except FutureCancelledError:
                    lost.append(futures[future])
                    continue
                bar.update()
        except BaseException:
            client.cancel(list(futures))
            raise
        finally:
            if scattered:
                client.cancel(scattered)
        if not lost:
            return results
        pending = sorted(lost)
    raise RuntimeError(f"{len(pending)} of {len(tasks)} tasks lost their scattered inputs "
                       f"{RETRIES + 1} times (workers kept dying); no result is returned")
