"""``import otdiv`` works in a fully read-only environment, without a Numba cache (issue 13).

Read-only install, HOME, temporary folders and working directory, no NUMBA_CACHE_DIR. Two
ways to build it:

* simulated (always): HOME and TMPDIR point below a regular *file* (no directory can be made
  there, even by root), the temporary-folder candidates are all such paths, and every
  directory numba probes refuses a test file, as a read-only mount does;
* real (when the tests run as root with ``unshare``): a private mount namespace in which the
  repository, the Python environment, HOME, /tmp, /var/tmp and /dev/shm are read-only
  mounts, and the working directory is the read-only repository.

In both, a kernel-backed computation must give the same number as in this process.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import otdiv

REPOSITORY = Path(otdiv.__file__).resolve().parent.parent

# Runs in the child: import otdiv, then three kernel-backed computations.
CHILD = """
import json, sys
import otdiv, otdiv._kernels as kernels
from otdiv.bias import bernoulli_sgd
print(json.dumps({
    "w1": otdiv.wasserstein_1d([0.0, 1.0, 3.0], [0.5, 2.0]),
    "cramer": otdiv.cramer_distance([0.0, 1.0, 3.0], [0.5, 2.0]),
    "sgd": float(bernoulli_sgd(0.6, 2, steps=50, n_runs=3, rng=0).final.mean()),
    "cache_disabled": kernels.CACHE_DISABLED,
    "cache_directory": kernels.CACHE_DIRECTORY,
}))
"""

# Prepended in the simulated case: everything numba or tempfile would write to is refused.
SIMULATE_READ_ONLY = """
import errno, tempfile
from numba.core import caching
blocked = __BLOCKED__
tempfile._candidate_tempdir_list = lambda: list(blocked)
tempfile.tempdir = None
def _read_only(self):
    raise OSError(errno.EROFS, "Read-only file system (simulated)", self.get_cache_path())
caching._CacheLocator.ensure_cache_path = _read_only
"""


def _expected():
    from otdiv.bias import bernoulli_sgd
    return {"w1": otdiv.wasserstein_1d([0.0, 1.0, 3.0], [0.5, 2.0]),
            "cramer": otdiv.cramer_distance([0.0, 1.0, 3.0], [0.5, 2.0]),
            "sgd": float(bernoulli_sgd(0.6, 2, steps=50, n_runs=3, rng=0).final.mean())}


def _clean_environment(**extra):
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("NUMBA_CACHE")}
    environment.update(PYTHONPATH=str(REPOSITORY), PYTHONDONTWRITEBYTECODE="1", **extra)
    return environment


def _check(output):
    result = json.loads(output.strip().splitlines()[-1])
    for key, value in _expected().items():
        assert result[key] == pytest.approx(value, rel=1e-12), key
    return result


def test_import_works_with_every_location_read_only_simulated(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    blocked = [str(blocker / name) for name in ("tmp", "var-tmp", "cwd")]
    workdir = tmp_path / "work"
    workdir.mkdir()
    code = SIMULATE_READ_ONLY.replace("__BLOCKED__", repr(blocked)) + CHILD
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=600,
        env=_clean_environment(HOME=str(blocker / "home"), TMPDIR=str(blocker / "tmp"),
                               TEMP=str(blocker / "tmp"), TMP=str(blocker / "tmp"),
                               XDG_CACHE_HOME=str(blocker / "cache")))
    assert completed.returncode == 0, completed.stderr
    result = _check(completed.stdout)
    assert result["cache_disabled"] is True and result["cache_directory"] is None
    assert list(workdir.iterdir()) == []


def _can_make_read_only_mounts():
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare")):
        return False
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs -o ro tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_make_read_only_mounts(),
                    reason="needs root and unshare to make read-only mounts")
def test_import_works_with_every_location_read_only_mounted(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    read_only = [str(REPOSITORY), str(Path(sys.prefix).resolve()), str(home), str(tmp_path),
                 "/tmp", "/var/tmp", "/dev/shm"]
    mounts = " && ".join(
        f"mount --bind {path} {path} && mount -o remount,bind,ro {path}"
        for path in dict.fromkeys(read_only) if os.path.isdir(path))
    command = (f"{mounts} && cd {REPOSITORY} && "
               f"touch {REPOSITORY}/probe 2>/dev/null && echo WRITABLE; "
               f"{sys.executable} {script}")
    completed = subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", command],
        capture_output=True, text=True, timeout=600,
        env=_clean_environment(HOME=str(home)))
    assert completed.returncode == 0, completed.stderr
    assert "WRITABLE" not in completed.stdout
    result = _check(completed.stdout)
    assert result["cache_disabled"] is True


def test_kernels_still_cache_where_a_location_is_writable():
    from otdiv import _kernels
    assert _kernels.CACHE_DISABLED is False
    from otdiv._kernels.bias import bernoulli_sgd_steps
    assert bernoulli_sgd_steps._cache.__class__.__name__ == "FunctionCache"
    assert np.isfinite(otdiv.wasserstein_1d([0.0], [1.0]))
