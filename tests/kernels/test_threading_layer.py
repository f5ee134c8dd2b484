"""otdiv's Numba threading layer: fork children and concurrent threads after a parallel kernel.

Each check runs in a fresh interpreter (the layer is fixed at the first parallel launch, and
an unsafe layer kills or hangs the process), with timeouts so that a hang fails the test
instead of hanging the suite.
"""

import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

import otdiv._kernels as kernels

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # seconds for a whole subprocess (imports, compilation, the check itself)


def run_python(code: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    environment.pop("NUMBA_THREADING_LAYER", None)
    try:
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                              env=environment, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the subprocess hung for more than {TIMEOUT} s")


def tbb_installed() -> bool:
    try:
        metadata.version("tbb")
    except metadata.PackageNotFoundError:
        return False
    return True


@pytest.mark.skipif(not tbb_installed(), reason="the tbb package is not installed here")
def test_tbb_is_the_layer_chosen_when_the_tbb_package_is_installed():
    done = run_python("""
        import numba, numpy as np, otdiv
        otdiv.energy_distance(np.zeros((1000, 2)), np.ones((1000, 2)))  # a parallel kernel
        print(numba.threading_layer())
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["tbb"]


def test_a_layer_set_by_the_user_is_not_overridden():
    done = run_python("""
        import os
        os.environ["NUMBA_THREADING_LAYER"] = "workqueue"
        import numba
        numba.config.reload_config()
        import otdiv._kernels as kernels
        print(kernels.THREADING_LAYER_CHOICE, numba.config.THREADING_LAYER)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["workqueue", "workqueue"]


@pytest.mark.skipif(sys.platform == "win32", reason="no fork on Windows")
def test_fork_child_runs_a_parallel_kernel_after_the_parent_did():
    if not kernels.threading_layer_is_fork_safe():
        pytest.skip("TBB is not loadable here; otdiv's 'processes' executor uses forkserver")
    done = run_python("""
        import multiprocessing
        import numpy as np
        import otdiv
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(1000, 2)), rng.normal(1.0, size=(1000, 2))

        def distance(_):
            return otdiv.energy_distance(x, y)

        parent = distance(None)  # 1000 x 2 points: the parallel kernels run in the parent
        with multiprocessing.get_context("fork").Pool(2) as pool:
            children = pool.map_async(distance, range(4)).get(timeout=90)
        print(children == [parent] * 4)
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True"]


def test_four_threads_calling_a_parallel_kernel_at_once_all_get_the_serial_answer():
    done = run_python("""
        import threading
        import numpy as np
        import otdiv
        rng = np.random.default_rng(1)
        x, y = rng.normal(size=(1000, 2)), rng.normal(0.5, size=(1000, 2))
        reference = otdiv.energy_distance(x, y)
        barrier = threading.Barrier(4)
        results = []

        def work():
            barrier.wait()
            for _ in range(5):
                results.append(otdiv.energy_distance(x, y))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        print(len(results), all(value == reference for value in results))
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["20", "True"]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity here")
def test_process_on_one_cpu_exits_after_threads_ran_parallel_kernels():
    # numba#10556: a TBB pool first started by a non-main thread deadlocks at exit when the
    # process may use one CPU; otdiv starts the pool from the main thread at import.
    result = run_python("""
        import os
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        import concurrent.futures
        import numpy as np
        import otdiv
        samples = [np.random.default_rng(k).normal(size=(300, 2)) for k in range(3)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            matrix = otdiv.pairwise(samples, metric="energy", executor=pool, progress=False)
        print("finished", matrix.matrix.shape)
        """)
    assert result.returncode == 0, result.stderr
    assert "finished (3, 3)" in result.stdout
