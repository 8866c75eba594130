"""Where ``sweep`` runs, and what it waits for: the Dask options and their checks.

``--scheduler`` is checked when the arguments are parsed (``local``, ``none`` or
``tcp://HOST:PORT``), before anything connects; the three time limits are those of
:mod:`corridormap.sweep.execution` (a scheduler that does not answer, no worker, no partition
finishing), and a sweep that stops on one exits 4 with one line. Finished partitions are kept
in ``.<table name>.parts`` beside the table (:mod:`corridormap.sweep.store`), so the same
command again resumes.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from ._common import CliError, bounded_int

log = logging.getLogger("corridormap")


def scheduler_option(text: str) -> str:
    """An argparse type: ``local``, ``none`` or a scheduler address ``tcp://HOST:PORT``.

    Parameters
    ----------
    text
        The ``--scheduler`` value.

    Returns
    -------
    str
        It, checked.

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else, saying what is expected.
    """
    from .._errors import InputError
    from ..sweep.execution import scheduler_address

    if text in ("local", "none"):
        return text
    try:
        return scheduler_address(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"{exc}, 'local' or 'none'") from None


def _seconds(text: str) -> float:
    """An argparse type: seconds, above 0 and under a year."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text[:40]!r}") from None
    if not 0 < value < 3.2e7:
        raise argparse.ArgumentTypeError(f"must be above 0 and under a year, got {text[:40]}")
    return value


def dask_options(sp: argparse.ArgumentParser) -> None:
    """Add ``--scheduler``, ``--workers``, ``--partitions`` and the Dask time limits to ``sp``.

    Parameters
    ----------
    sp
        The ``sweep`` command's parser.
    """
    from ..sweep.execution import CONNECT_TIMEOUT_S, STALL_TIMEOUT_S, WORKER_TIMEOUT_S

    sp.add_argument(
        "--scheduler",
        type=scheduler_option,
        metavar="ADDRESS",
        help="tcp://HOST:PORT of a Dask scheduler; 'local' (default with Dask "
        "installed) starts a cluster on this machine; 'none' runs in this process",
    )
    sp.add_argument(
        "--workers",
        type=bounded_int(1, 1024),
        metavar="N",
        help="worker processes of the local cluster (default: the cores)",
    )
    sp.add_argument(
        "--partitions",
        type=bounded_int(1, 100_000),
        metavar="N",
        help="tasks the origins are split into (default 4 per worker)",
    )
    sp.add_argument(
        "--connect-timeout",
        type=_seconds,
        default=CONNECT_TIMEOUT_S,
        metavar="S",
        help=f"seconds a scheduler has to answer (default {CONNECT_TIMEOUT_S:g})",
    )
    sp.add_argument(
        "--worker-timeout",
        type=_seconds,
        default=WORKER_TIMEOUT_S,
        metavar="S",
        help=f"give up after S seconds with no worker connected (default {WORKER_TIMEOUT_S:g})",
    )
    sp.add_argument(
        "--stall-timeout",
        type=_seconds,
        default=STALL_TIMEOUT_S,
        metavar="S",
        help=f"give up after S seconds without a partition finishing (default "
        f"{STALL_TIMEOUT_S:g}: a frozen worker)",
    )


def sweep_client(args: argparse.Namespace) -> Any:
    """Where the sweep runs: ``--scheduler`` (an address, ``local`` or ``none``).

    Without it, a local Dask cluster when Dask is installed, else this process (and a note
    says so).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    str or None
        The scheduler's address or ``local``; ``None`` to sweep in this process.

    Raises
    ------
    CliError
        If ``--scheduler`` names a scheduler but Dask is not installed.
    """
    from ..sweep import dask_available

    choice = args.scheduler or "local"
    if choice == "none":
        return None
    if not dask_available():
        if args.scheduler:
            raise CliError("--scheduler needs Dask: pip install 'corridormap[dask]'")
        log.warning(
            "Dask is not installed: sweeping in this process "
            "(pip install 'corridormap[dask]' to use every core or a cluster)"
        )
        return None
    return choice


def dask_limits(args: argparse.Namespace) -> dict[str, float]:
    """The time limits of ``--connect-timeout``, ``--worker-timeout`` and ``--stall-timeout``."""
    return {
        "connect_timeout": args.connect_timeout,
        "worker_timeout": args.worker_timeout,
        "stall_timeout": args.stall_timeout,
    }


def resume_dir(args: argparse.Namespace) -> Path:
    """Where the finished partitions of ``--out`` are kept: ``.<name>.parts`` beside it."""
    out = Path(args.out)
    return out.parent / f".{out.name}.parts"
