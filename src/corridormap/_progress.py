"""Progress of long runs on standard error: a bar on a terminal, a line now and then off one.

Sweeps, backtests, assignments and scenario lists report how far they are. On a terminal
that is tqdm's bar; off one (a log file, a CI job, a pipe) it is one line at most every
:data:`OFF_TERMINAL_INTERVAL_S` seconds, so a long run leaves a trace without flooding the
log (a run shorter than that prints nothing); with ``-q`` nothing at all.
"""

from __future__ import annotations

import sys
import time
from typing import Any

__all__ = ["OFF_TERMINAL_INTERVAL_S", "Progress", "progress_mode"]

#: off a terminal, the fewest seconds between two progress lines (and before the first)
OFF_TERMINAL_INTERVAL_S = 30.0
MODES = ("bar", "lines", "off")


def _terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_mode(show: bool | str | None) -> str:
    """How to show progress: ``"bar"``, ``"lines"`` or ``"off"``.

    Parameters
    ----------
    show
        ``True``: a bar on a terminal, lines off one (the command line without ``-q``);
        ``None``: a bar on a terminal, nothing off one (the library's default); ``False``:
        nothing; or one of the three modes.

    Returns
    -------
    str
    """
    if isinstance(show, str):
        if show not in MODES:
            raise ValueError(f"progress must be one of {', '.join(MODES)}, got {show!r}")
        return show
    if show is False:
        return "off"
    if _terminal():
        return "bar"
    return "lines" if show else "off"


class Progress:
    """A progress report on stderr (see the module docstring); a context manager.

    Parameters
    ----------
    total
        How many units the run has (``None`` when unknown, e.g. iterations to convergence).
    desc
        What runs (``"sweep"``), the start of every line.
    unit
        What is counted (``"partition"``).
    show
        As :func:`progress_mode` takes it.
    initial
        Units already done (a resumed sweep's partitions).
    """

    def __init__(
        self,
        total: int | None,
        *,
        desc: str,
        unit: str,
        show: bool | str | None = True,
        initial: int = 0,
    ) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.mode = progress_mode(show)
        self.done = initial
        self.note = ""
        self._start = self._last = time.monotonic()
        self._bar: Any = None
        if self.mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, unit=unit, desc=desc, file=sys.stderr)

    def update(self, n: int = 1, *, note: str = "") -> None:
        """Count ``n`` more units done; ``note`` is shown beside the count (``gap 3.2e-03``)."""
        self.done += n
        self.note = note or self.note
        if self._bar is not None:
            if note:
                self._bar.set_postfix_str(note, refresh=False)
            self._bar.update(n)
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self._last >= OFF_TERMINAL_INTERVAL_S:
                self._last = now
                print(self.line(now), file=sys.stderr, flush=True)

    def line(self, now: float | None = None) -> str:
        """The progress line: ``sweep: 12 of 40 partitions (30%), 1 min 05 s``."""
        elapsed = int((time.monotonic() if now is None else now) - self._start)
        count = f"{self.done:,} of {self.total:,}" if self.total else f"{self.done:,}"
        share = f" ({self.done / self.total:.0%})" if self.total else ""
        took = f"{elapsed // 60} min {elapsed % 60:02d} s" if elapsed >= 60 else f"{elapsed} s"
        note = f"; {self.note}" if self.note else ""
        plural = "s" * ((self.total or self.done) != 1)
        return f"{self.desc}: {count} {self.unit}{plural}{share}{note}, {took}"

    def close(self) -> None:
        """End the bar (off a terminal nothing more is printed)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
