"""Numba kernels behind otdiv's fast estimators.

Each kernel is a plain Python function compiled with ``numba.njit(cache=True)``; its
``.py_func`` is the uncompiled body, which the tests compare against the compiled one. Kernels
do no validation: callers pass C-contiguous float64 arrays that the public functions have
already checked (finite values, non-empty, weights normalised to sum 1). Users never import
this package directly.

Modules
-------
onedim
    Merges over sorted samples on the real line: quantile (W_p) and CDF (Cramér ℓ_p)
    distances, uniform and weighted.
energy
    Parallel, blocked pairwise distance sums for the exact energy distance in R^d, using
    O(n + m) memory and a fixed block partition so results do not depend on thread timing.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile

__all__: list[str] = ["THREADING_LAYER_CHOICE", "threading_layer_is_fork_safe"]

#: Where numba caches the compiled kernels when otdiv had to choose (None: numba's own
#: choice, or no cache at all, see ``CACHE_DISABLED``).
CACHE_DIRECTORY: str | None = None
#: True when no writable location exists: the kernels are compiled in memory in every process.
CACHE_DISABLED = False


def _probe() -> None:  # a function in this directory, for asking numba where it would cache
    pass


def _usable_private_directory() -> str | None:
    """A private, writable directory under the system temporary folder, or None."""
    try:
        base = tempfile.gettempdir()  # FileNotFoundError when no candidate is writable
    except OSError:
        return None
    user = os.getuid() if hasattr(os, "getuid") else "user"
    directory = os.path.join(base, f"otdiv-numba-cache-{user}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if os.access(directory, os.W_OK) and (
                not hasattr(os, "getuid") or os.stat(directory).st_uid == os.getuid()):
            tempfile.TemporaryFile(dir=directory).close()  # writable in fact (not a ro mount)
            return directory
    except OSError:
        pass
    try:
        return tempfile.mkdtemp(prefix="otdiv-numba-", dir=base)
    except OSError:
        return None


#: The marker attribute of the patched ``Dispatcher.enable_caching`` (patch once).
_SKIPS_OTDIV_KERNELS = "skips_otdiv_kernels"


def _compile_kernels_without_cache() -> None:
    """Make ``cache=True`` a no-op for the kernels of this package only (nothing is written).

    numba raises ``RuntimeError`` when ``cache=True`` finds no writable location; with this
    the kernels compile in memory in each process instead. Other code's caching is untouched.
    """
    from numba.core import dispatcher

    original = dispatcher.Dispatcher.enable_caching
    if getattr(original, _SKIPS_OTDIV_KERNELS, False):
        return

    def enable_caching(self: dispatcher.Dispatcher) -> None:
        module = getattr(self.py_func, "__module__", None) or ""
        if module == __name__ or module.startswith(__name__ + "."):
            return
        original(self)

    setattr(enable_caching, _SKIPS_OTDIV_KERNELS, True)  # marks the patch as applied
    # the patch is the point: assigning to the method is what this function does
    dispatcher.Dispatcher.enable_caching = enable_caching  # type: ignore[method-assign]


def _ensure_cache_location() -> None:
    """Let ``import otdiv`` succeed wherever it runs, with a Numba cache when one can exist.

    ``cache=True`` makes numba cache next to the source (``__pycache__``) or, when the install
    folder is read-only, in the user-wide cache directory. If neither is writable (a read-only
    install *and* a read-only home, as in some containers) numba raises ``RuntimeError`` when
    the decorator runs, i.e. on ``import otdiv``. In that case point ``NUMBA_CACHE_DIR``
    (``numba.config.CACHE_DIR``) at a private directory under the system temporary folder;
    if there is none either (temporary folders and the working directory read-only too), or
    the user's own ``NUMBA_CACHE_DIR`` is not writable, compile the kernels without a cache.
    A user-provided ``NUMBA_CACHE_DIR`` or ``NUMBA_CACHE_LOCATOR_CLASSES`` is never changed.
    """
    global CACHE_DIRECTORY, CACHE_DISABLED
    import numba
    from numba.core import caching

    implementation = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    locator_classes = getattr(implementation, "_locator_classes", None)
    if not locator_classes or getattr(numba.config, "CACHE_LOCATOR_CLASSES", None):
        return
    for locator_class in locator_classes:
        try:
            if locator_class.from_function(_probe, __file__) is not None:
                return
        except Exception:  # a locator that cannot handle this file is simply not usable
            continue
    directory = None if numba.config.CACHE_DIR else _usable_private_directory()
    if directory is not None:
        numba.config.CACHE_DIR = CACHE_DIRECTORY = directory
    else:
        CACHE_DISABLED = True
        _compile_kernels_without_cache()


_ensure_cache_location()


# --- threading layer (see the module docstring) -------------------------------------------

_TBB_LIBRARY = {"win32": "tbb12.dll", "darwin": "libtbb.12.dylib"}.get(sys.platform,
                                                                       "libtbb.so.12")
_TBB_MIN_INTERFACE = 12060  # TBB 2021.6, the oldest numba accepts
_FORK_SAFE_LAYERS = ("tbb", "workqueue")


def _load_tbb() -> bool:
    """Make numba's TBB layer importable (preloading the ``tbb`` wheel's library); True if so."""
    import ctypes

    try:
        library = ctypes.CDLL(_TBB_LIBRARY)  # found by the loader (system or conda install)
    except OSError:
        try:
            from importlib import metadata
            files = metadata.files("tbb") or []
            path = next(str(f.locate()) for f in files if f.name == _TBB_LIBRARY)
            library = ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
        except (metadata.PackageNotFoundError, StopIteration, OSError):
            return False
    try:
        interface = library.TBB_runtime_interface_version
        interface.restype = ctypes.c_int
        if interface() < _TBB_MIN_INTERFACE:
            return False
        # links against the library above (an extension module the type checker cannot see)
        importlib.import_module("numba.np.ufunc.tbbpool")
    except (AttributeError, ImportError, OSError):
        return False
    return True


def _choose_threading_layer() -> str:
    """Select TBB unless the user chose a layer or TBB is unusable; return the configured name."""
    import numba

    tbb = _load_tbb()  # also when the user asked for TBB ("tbb", "safe", ...) themselves
    if numba.config.THREADING_LAYER != "default" or os.environ.get("NUMBA_THREADING_LAYER"):
        return numba.config.THREADING_LAYER
    if tbb:
        numba.config.THREADING_LAYER = "tbb"
    return numba.config.THREADING_LAYER


def threading_layer_is_fork_safe() -> bool:
    """Whether a fork child of this process may run parallel kernels (TBB or workqueue)."""
    import numba
    from numba.np.ufunc import parallel

    if parallel._is_initialized:  # the layer is fixed once a parallel kernel has run
        return numba.threading_layer() in _FORK_SAFE_LAYERS
    return numba.config.THREADING_LAYER in _FORK_SAFE_LAYERS


def _start_tbb_from_the_main_thread() -> None:
    """Start the TBB pool now, from the main thread, when TBB is the layer.

    A pool first started by another thread (a ThreadPoolExecutor running otdiv, an
    in-process Dask worker) deadlocks in ``tbb::finalize`` at interpreter exit when the
    process may use a single CPU (``taskset``, a one-core container or batch job): numba
    issue #10556, reproduced here with TBB 2021.13 and 2023.2. Started from the main thread,
    every later thread joins it and the process exits. Costs about 7 ms.
    """
    import threading

    import numba

    in_main_thread = threading.current_thread() is threading.main_thread()
    if numba.config.THREADING_LAYER == "tbb" and in_main_thread:
        numba.get_num_threads()  # launches the threading layer


#: The threading layer otdiv configured at import: "tbb", a layer the user set, or
#: "default" (numba's own order) when TBB could not be loaded.
THREADING_LAYER_CHOICE = _choose_threading_layer()
_start_tbb_from_the_main_thread()
