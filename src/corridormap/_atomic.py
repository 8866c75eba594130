"""Atomic file writes: a failure never leaves a half-written file or clobbers a good one.

What is at the path is respected: a symbolic link is followed and its target written; anything
that is not a regular file (a FIFO, a device such as ``/dev/null``, a directory, a socket) is
refused before anything is written; an existing file keeps its permission bits. Temporary files
are named ``.NAME.PID-XXXXXXXX.tmp`` beside the target; ones left behind by a writer that was
killed are removed by the next write to the same directory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ._errors import CorridormapError

__all__ = ["OutputPathError", "atomic_path", "atomic_write", "check_target", "clean_stale"]

#: a temporary file of ours: ``.NAME.PID-XXXXXXXX.tmp`` (older versions: ``.NAME.XXXXXXXX.tmp``)
_TMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d{1,10})-)?[a-z0-9_]{8}\.tmp$")
#: a temporary file whose writer has exited is removed once it is this old (seconds) ...
STALE_DEAD_WRITER_S = 60.0
#: ... and any temporary file of ours once it is this old, whoever wrote it
STALE_ANY_S = 24 * 3600.0


class OutputPathError(CorridormapError, ValueError):
    """An output path cannot be written safely (not a regular file, or one of the inputs)."""


def _kind(mode: int) -> str:
    from .io import file_kind

    return file_kind(mode)


def check_target(path: str | os.PathLike[str]) -> Path:
    """The file a write to ``path`` must replace: ``path`` with symbolic links resolved.

    Raises
    ------
    OutputPathError
        If something that is not a regular file is there (a FIFO, a character device such as
        ``/dev/null``, a directory ...): replacing it would destroy it, and writing into it
        is not what an output file means.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        shown = f"{path} ({target})" if str(target) != os.path.abspath(path) else str(path)
        raise OutputPathError(
            f"cannot write {shown}: it is {_kind(mode)}, not a regular file; give a file path"
        )
    return target


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process (or a pid we cannot ask about): keep its file
    return True


def clean_stale(directory: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Remove the temporary files of ours that an interrupted write left in ``directory``.

    A file is removed only if its name is of our form, it is a regular file owned by this
    user, and either the process that wrote it (named in the file name) has exited and the
    file is over :data:`STALE_DEAD_WRITER_S` old, or the file is over :data:`STALE_ANY_S`
    old. Failures are ignored (cleaning up must never stop a write).

    Returns
    -------
    list of pathlib.Path
        The files removed.
    """
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        match = _TMP_NAME.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
            continue
        age = now - info.st_mtime
        pid = match.group("pid")
        writer_gone = pid is not None and int(pid) != os.getpid() and not _alive(int(pid))
        if (writer_gone and age > STALE_DEAD_WRITER_S) or age > STALE_ANY_S:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _named(exc: OSError, path: str | os.PathLike[str]) -> OSError:
    """``exc`` again, naming ``path`` (the target), not the temporary file."""
    if exc.errno is None:  # raised by a writer function with a message only
        return OSError(errno.EIO, str(exc) or type(exc).__name__, str(path))
    exc.filename = str(path)
    exc.filename2 = None
    return exc


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``'s target; on success rename it over the target.

    A symbolic link at ``path`` is followed (its target is replaced, the link kept); an
    existing target keeps its permission bits, a new one gets the usual ``0o666 & ~umask``.
    The temporary file is removed if the body raises, and the target is left as it was.

    Raises
    ------
    OutputPathError
        If the target exists and is not a regular file (see :func:`check_target`).
    OSError
        If the write fails; the error names ``path``, not the temporary file.
    """
    target = check_target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target.parent)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}-", suffix=".tmp", dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise _named(exc, path) from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = _new_file_mode()
        check_target(target)  # still a regular file (or nothing) just before replacing it
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, target)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputPathError):
            raise _named(exc, path) from None
        raise


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes | Callable[[IO[bytes]], None],
    *,
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` (text, bytes, or a function writing to a binary file) atomically.

    Returns ``path``. See :func:`atomic_path` for what happens to links, special files and
    permissions.
    """
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        if callable(data):
            data(fh)
        elif isinstance(data, str):
            fh.write(data.encode(encoding))
        else:
            fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return target
