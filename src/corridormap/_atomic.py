"""Atomic file writes: a failure never leaves a half-written file or clobbers a good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

__all__ = ["atomic_path", "atomic_write"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it over ``path``.

    The temporary file is removed if the body raises, and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes | Callable[[IO[bytes]], None],
    *,
    encoding: str = "utf-8",
) -> Path:
    """Write ``data`` (text, bytes, or a function writing to a binary file) atomically."""
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
