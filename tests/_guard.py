"""What the guard tests share: a one-line error checked, a tiny geodata directory, a child
process with a memory limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PARAMS, tiny, write_geodata

GOOD = '{"kept": true}\n'


ROUTE = ["route", "Alpha", "Delta"]


def _one_line_error(capsys, code: int, expected: int = 2) -> str:
    err = capsys.readouterr().err
    assert code == expected, err
    assert err.startswith("corridormap: error: "), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def _data(tmp_path: Path, mutate=None, params: str = PARAMS) -> Path:
    data = tiny()
    if mutate is not None:
        mutate(data)
    return write_geodata(tmp_path / "geo", data, params)


def _run_isolated(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a child with 2 GB of address space at most, so a read that
    never ends (a FIFO, /dev/zero) fails the test instead of hanging or eating the machine."""

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )
