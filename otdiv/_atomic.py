"""Files written whole or not at all: a temporary file in the target's folder, then a rename.

:func:`atomic_write` yields a binary handle on a fresh temporary file next to ``path``
(same folder, hence the same file system); when the block ends without an exception the
file is flushed to disk and renamed over ``path`` with :func:`os.replace`, which is atomic
on POSIX and Windows. If anything fails part-way (a full disk, an interrupted write, an
exception in the block) the temporary file is removed and a file already at ``path`` is
left exactly as it was. :func:`probe_folder` checks that a folder really takes new files
(``os.access`` says yes to root even on read-only or virtual file systems such as
``/proc``), creating and removing one empty temporary file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "probe_folder", "write_text"]


def _default_mode() -> int:
    """The permission bits a newly created file gets (0o666 minus the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary handle; on success its bytes replace ``path`` in one rename.

    The file gets the permission bits of the file it replaces, or the usual ones for a new
    file (not the 0600 of a temporary file).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = _default_mode()
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def probe_folder(folder: str | os.PathLike[str]) -> str | None:
    """``None`` if a file can be created in ``folder``; otherwise the reason, in words."""
    folder = Path(folder) if str(folder) else Path(".")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".otdiv-probe.",
                                                 suffix=".tmp")
    except OSError as error:
        return error.strerror or type(error).__name__
    os.close(descriptor)
    with contextlib.suppress(OSError):
        os.unlink(temporary)
    return None


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""
    with atomic_write(path) as handle:
        handle.write(text.encode("utf-8"))
