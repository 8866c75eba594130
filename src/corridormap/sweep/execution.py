"""Where a sweep runs: in this process, or on Dask (a local cluster, a scheduler, a client).

The origins are split into partitions (:func:`~.partition.run_partition` each); on Dask the
graph is sent to every worker once. Progress counts origins (in process) or partitions
(:class:`corridormap._progress.Progress`). With a resume directory, every finished partition
is kept (:class:`~.store.PartStore`) and a later run of the same job runs only the others.

On Dask, what can go wrong while it runs is watched, and each ends the sweep with a
:class:`~corridormap.ClusterError` of one line (the finished partitions kept):

* a scheduler address is checked before connecting (:func:`scheduler_address`: ``tcp://
  HOST:PORT``), and a scheduler that does not answer within ``connect_timeout`` seconds
  (default :data:`CONNECT_TIMEOUT_S`) is an error naming the address;
* every :data:`HEARTBEAT_S` seconds the scheduler is asked for its workers: the connection
  lost (the scheduler stopped) is an error at once, no worker for ``worker_timeout``
  seconds (default :data:`WORKER_TIMEOUT_S`) is an error;
* no partition finishing for ``stall_timeout`` seconds (default :data:`STALL_TIMEOUT_S`) is
  an error: a worker frozen, or a partition far too large (more partitions make each
  smaller);
* a worker that dies while running a partition is replaced (a local cluster's nanny starts
  another) and the partition runs again; when the workers lost held the network (the only
  worker), the network is sent again and the unfinished partitions resubmitted, at most
  :data:`RESUBMITS` times; a partition whose workers died three times running it (Dask's
  ``allowed-failures``) is an error.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from concurrent.futures import CancelledError
from typing import Any

import networkx as nx

from .._errors import ClusterError, CorridormapError, InputError
from .._progress import Progress
from .job import Job
from .montecarlo import MonteCarlo
from .partition import run_partition

__all__ = [
    "CONNECT_TIMEOUT_S",
    "HEARTBEAT_S",
    "RESUBMITS",
    "STALL_TIMEOUT_S",
    "WORKER_TIMEOUT_S",
    "chunks",
    "dask_available",
    "local_cluster",
    "run_partitions",
    "scheduler_address",
    "stderr_is_terminal",
]

#: seconds a scheduler has to answer the first connection
CONNECT_TIMEOUT_S = 10.0
#: seconds between two checks of the cluster while a sweep runs
HEARTBEAT_S = 2.0
#: seconds without any worker before a sweep gives up
WORKER_TIMEOUT_S = 120.0
#: seconds without a partition finishing before a sweep gives up
STALL_TIMEOUT_S = 1800.0
#: times the network is sent again and unfinished partitions resubmitted after their
#: workers were lost
RESUBMITS = 3
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: a host name (labels of letters, digits and inner hyphens, joined by dots) or IPv4 address
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def chunks(items: Sequence[str], n: int) -> list[list[str]]:
    """``items`` split into ``n`` runs of nearly equal length (at most one per item)."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (i < extra)
        out.append(list(items[start:end]))
        start = end
    return out


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported (``pip install corridormap[dask]``)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def stderr_is_terminal() -> bool:
    """Whether standard error is a terminal (the default for showing progress)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def scheduler_address(text: str) -> str:
    """A Dask scheduler's address, checked before anything connects to it.

    Parameters
    ----------
    text
        ``tcp://HOST:PORT``: a host name, an IPv4 address or an IPv6 address in brackets,
        and a port from 1 to 65535.

    Returns
    -------
    str
        The address as given.

    Raises
    ------
    InputError
        For anything else (``tcp://``, ``foo``, a port that is not a number, ``http://...``,
        ``inproc://...``), saying what is expected.
    """
    expected = "give tcp://HOST:PORT (the address 'dask scheduler' prints)"
    shown = text if len(text) <= 80 else text[:79] + "\u2026"
    if not isinstance(text, str) or "://" not in text:
        raise InputError(f"scheduler {shown!r} is not an address: {expected}")
    scheme, _, rest = text.partition("://")
    if scheme != "tcp":
        raise InputError(
            f"scheduler {shown!r}: the {scheme or 'empty'}:// protocol is not supported: {expected}"
        )
    host, sep, port = rest.rpartition(":")
    if not sep or not host:
        raise InputError(f"scheduler {shown!r} has no host and port: {expected}")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise InputError(f"scheduler {shown!r}: port {port[:20]!r} is not 1-65535: {expected}")
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise InputError(
                f"scheduler {shown!r}: {host[:60]!r} is not an IPv6 address: {expected}"
            ) from None
    elif not _HOST.match(host):
        raise InputError(
            f"scheduler {shown!r}: {host[:60]!r} is not a host name or address: {expected}"
        )
    return text


def _quiet_dask() -> int:
    """Keep Dask's own log lines (cluster start, workers, closing, reconnecting) off stderr.

    What goes wrong reaches the sweep as an error it reports in one line; Dask's loggers, in
    this process and a local cluster's workers, say nothing below CRITICAL unless
    corridormap's logging asks for debug output (``-vv``). Returns the workers' level.
    """
    debug = logging.getLogger("corridormap").getEffectiveLevel() <= logging.DEBUG
    level = logging.DEBUG if debug else logging.CRITICAL
    prefixes = ("distributed", "dask", "tornado")
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in prefixes]
    for name in {*prefixes, *names}:  # Dask's config gives some of them levels of their own
        logging.getLogger(name).setLevel(level)
    return level


def local_cluster(workers: int, **kwargs: Any) -> Any:
    """The Dask cluster of a sweep's ``client="local"``: ``workers`` one-thread processes.

    Its workers keep glibc's own threshold for returning freed memory to the system. Dask's
    nanny sets ``MALLOC_TRIM_THRESHOLD_`` to 64 KiB by default, which also fixes the size above
    which memory is mapped afresh at 128 KiB: every Monte Carlo array of a pair (10,000 draws
    of a few routes is some 500 KiB) then comes back from the kernel page by page, and a sweep
    ran about a quarter slower on a worker than in this process (1.8 million page faults
    against 0.13 million for the same pairs). A cluster of your own can do the same with
    ``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null`` in its Dask config.

    Parameters
    ----------
    workers
        Worker processes, one thread each.
    **kwargs
        More arguments for :class:`distributed.LocalCluster`.

    Returns
    -------
    distributed.LocalCluster
    """
    import dask
    from distributed import LocalCluster

    kwargs = {
        "dashboard_address": ":0",  # a free port: never "8787 is already in use"
        # the workers' own logs (a heartbeat missed while closing) stay quiet: what goes wrong
        # with a task reaches this process as its error
        "silence_logs": _quiet_dask(),
        **kwargs,
    }
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, **kwargs)


def run_partitions(
    G: nx.MultiDiGraph,
    origins: list[str],
    job: Job,
    client: Any,
    *,
    partitions: int | None,
    workers: int | None,
    show: bool | str | None,
    store: Any = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    worker_timeout: float = WORKER_TIMEOUT_S,
    stall_timeout: float = STALL_TIMEOUT_S,
) -> list[dict[str, list]]:
    """Sweep ``origins`` in partitions, here (``client`` None) or on Dask; the parts in order.

    Parameters
    ----------
    G
        The network.
    origins
        The origins' place ids.
    job
        What every partition does.
    client
        ``None``, ``"local"``, a scheduler address or a ``distributed.Client`` (see
        :func:`corridormap.sweep.sweep`).
    partitions
        Partitions to split the origins into (default one per origin in this process, four
        per worker of the cluster on Dask); a kept job's own split wins.
    workers
        Local worker processes (default: the cores).
    show
        Progress, as :func:`corridormap._progress.progress_mode` takes it.
    store
        A :class:`~.store.PartStore`: finished partitions are read from it and kept in it.
    connect_timeout, worker_timeout, stall_timeout
        Seconds: for the scheduler to answer, without any worker, without a partition
        finishing (see the module docstring).

    Returns
    -------
    list of dict
        Each partition's columns, in the order of ``parts``.

    Raises
    ------
    InputError
        If Dask is asked for and not installed, or ``client`` is not one of the above.
    ClusterError
        If the cluster fails while the sweep runs (see the module docstring).
    """
    limits = (connect_timeout, worker_timeout, stall_timeout)
    if client is None:
        return _in_process(G, chunks(origins, partitions or len(origins)), job, show, store)
    return _dask(G, origins, job, client, partitions, workers, show, store, limits)


def _planned(
    parts: list[list[str]], store: Any
) -> tuple[list[list[str]], list[dict[str, list] | None], list[int]]:
    """The split (a kept job's own), the partitions already done, and the ones to run."""
    if store is not None:
        parts = store.plan(parts)
    results = [store.get(i) if store is not None else None for i in range(len(parts))]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo and len(todo) < len(parts):
        logging.getLogger("corridormap").warning(
            "resuming the sweep: %d of %d partitions were done and are kept",
            len(parts) - len(todo),
            len(parts),
        )
    return parts, results, todo


def _in_process(G, parts, job, show, store) -> list[dict[str, list]]:
    parts, results, todo = _planned(parts, store)
    total = sum(map(len, parts))
    done = total - sum(len(parts[i]) for i in todo)
    # the partitions run here share their Monte Carlo's draws and values, the scenarios'
    # weights and the families' tables
    mc = MonteCarlo(G.graph["params"], job.draws, job.seed)
    shared: dict = {}
    with Progress(total, desc="sweep", unit="origin", show=show, initial=done) as bar:
        for i in todo:
            results[i] = run_partition(G, parts[i], job, mc, shared)
            if store is not None:
                store.put(i, results[i])
            bar.update(len(parts[i]))
    return [r for r in results if r is not None]


def _dask(G, origins, job, client, partitions, workers, show, store, limits):
    """The sweep on Dask: connect (or start a local cluster), split, run, watch."""
    if not dask_available():
        raise InputError(
            "running a sweep on Dask needs dask.distributed: pip install 'corridormap[dask]'"
        )
    from distributed import Client

    _quiet_dask()
    connect_timeout = limits[0]
    own: list[Any] = []
    try:
        if isinstance(client, str):
            if client == "local":
                cluster = local_cluster(workers or os.cpu_count() or 1)
                own.append(cluster)
                client = Client(cluster)
            else:
                address = scheduler_address(client)
                try:
                    client = Client(address, timeout=f"{connect_timeout}s")
                except (OSError, TimeoutError) as exc:
                    raise ClusterError(
                        f"no Dask scheduler answered at {address} within {connect_timeout:g} s "
                        f"({_reason(exc)}): start one there ('dask scheduler') or check the "
                        "address (--connect-timeout to wait longer)"
                    ) from None
            own.insert(0, client)
        elif not isinstance(client, Client):
            raise InputError(
                "client must be None, 'local', a scheduler address or a distributed.Client, "
                f"got {type(client).__name__}"
            )
        n = partitions or 4 * max(1, len(client.scheduler_info().get("workers", {})))
        parts, results, todo = _planned(chunks(origins, n), store)
        if todo:
            _on_dask(client, G, parts, todo, results, job, show, store, limits)
        return [r for r in results if r is not None]
    finally:
        for obj in own:  # the client first, then the cluster it ran on
            with contextlib.suppress(Exception):
                obj.close(timeout=10)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "\u2026"


class _Watch:
    """The state of a sweep on Dask: what is done, and what the watch saw last."""

    def __init__(self, client, parts, results, store, limits, bar) -> None:
        self.client, self.parts, self.results, self.store, self.bar = (
            client, parts, results, store, bar)  # fmt: skip
        _, self.worker_timeout, self.stall_timeout = limits
        self.heartbeat = min(HEARTBEAT_S, self.stall_timeout / 4, self.worker_timeout / 4)
        self.last_done = time.monotonic()

    @property
    def kept(self) -> str:
        """Where the finished partitions are, for a message ending."""
        done = sum(r is not None for r in self.results)
        return _kept(done, len(self.parts), self.store)

    def workers(self) -> int:
        """The workers connected now; the scheduler lost is a :class:`ClusterError`."""
        if self.client.status not in ("running", "newly-created"):
            raise ClusterError(f"lost the Dask scheduler while the sweep ran{self.kept}")
        try:
            return len(self.client.scheduler_info().get("workers", {}))
        except Exception as exc:  # closed comms, a timeout: the scheduler is gone
            raise ClusterError(
                f"lost the Dask scheduler while the sweep ran ({_reason(exc)}){self.kept}"
            ) from None

    def wait_for_workers(self) -> None:
        """Return once a worker is connected; none for ``worker_timeout`` s is an error."""
        since = time.monotonic()
        while not self.workers():
            if time.monotonic() - since > self.worker_timeout:
                raise ClusterError(
                    f"no Dask worker has been connected to the scheduler for "
                    f"{self.worker_timeout:g} s (--worker-timeout){self.kept}"
                )
            time.sleep(self.heartbeat)

    def keep(self, i: int, cols: dict[str, list]) -> None:
        """Partition ``i`` is done: keep its rows."""
        self.results[i] = cols
        if self.store is not None:
            self.store.put(i, cols)
        self.bar.update(1)
        self.last_done = time.monotonic()


def _on_dask(client, G, parts, todo, results, job, show, store, limits) -> None:
    """Run the partitions ``todo`` on Dask, watched (see the module docstring).

    The network is scattered to the workers and the partitions submitted; when workers are
    lost with the network on them (the futures are cancelled while the scheduler stays), the
    network is scattered again and the unfinished partitions resubmitted, at most
    :data:`RESUBMITS` times.
    """
    kept = len(parts) - len(todo)
    with Progress(len(parts), desc="sweep", unit="partition", show=show, initial=kept) as bar:
        watch = _Watch(client, parts, results, store, limits, bar)
        for attempt in range(RESUBMITS + 1):
            remaining = [i for i in todo if results[i] is None]
            if not remaining:
                return
            watch.wait_for_workers()
            if not _run_watched(watch, G, remaining, job):
                return
            if attempt == RESUBMITS:
                raise ClusterError(
                    f"the Dask workers running the sweep were lost {RESUBMITS + 1} times"
                    f"{watch.kept}"
                )
            logging.getLogger("corridormap").warning(
                "sweep: Dask workers lost; sending the network again and resubmitting %d "
                "partitions",
                sum(r is None for r in results),
            )


def _submit(watch: _Watch, G: nx.MultiDiGraph, remaining: list[int], job: Job):
    """Scatter the network to every worker and submit ``remaining``: (graph, future -> i)."""
    import uuid

    client = watch.client
    token = uuid.uuid4().hex
    index: dict[Any, int] = {}
    try:
        graph = client.scatter(G, broadcast=True, hash=False, timeout=watch.stall_timeout)
        for i in remaining:
            fut = client.submit(
                run_partition, graph, watch.parts[i], job, pure=False, key=f"sweep-{token}-{i}"
            )
            index[fut] = i
    except (OSError, TimeoutError) as exc:
        watch.workers()  # the scheduler lost says so
        raise ClusterError(
            f"could not send the network to the Dask workers within {watch.stall_timeout:g} s "
            f"({_reason(exc)}): a worker may be frozen{watch.kept}"
        ) from None
    return graph, index


def _run_watched(watch: _Watch, G: nx.MultiDiGraph, remaining: list[int], job: Job) -> bool:
    """Submit ``remaining`` and watch them; whether partitions were lost with their workers."""
    from distributed import wait

    client, n = watch.client, len(watch.parts)
    graph, index = _submit(watch, G, remaining, job)
    pending = set(index)
    watch.last_done = time.monotonic()
    try:
        while pending:
            try:
                done, pending = wait(
                    pending, timeout=watch.heartbeat, return_when="FIRST_COMPLETED"
                )
            except TimeoutError:
                done = set()
            except CancelledError:  # futures cancelled: workers, or the scheduler, lost
                done, pending = set(pending), set()
            lost = [f for f in done if f.status not in ("finished", "error")]
            for fut in done:
                if fut.status in ("finished", "error"):
                    watch.keep(index[fut], _fetched(watch, fut, index[fut], n))
            if lost:
                watch.workers()  # a lost scheduler is an error; lost workers, a retry
                return True
            if not pending:
                break
            if time.monotonic() - watch.last_done > watch.stall_timeout:
                raise ClusterError(
                    f"no partition of the sweep finished in {watch.stall_timeout:g} s "
                    f"(--stall-timeout): a worker may be frozen, or each partition is too "
                    f"large (--partitions){watch.kept}"
                )
            if not watch.workers():
                watch.wait_for_workers()
        return False
    except CorridormapError:
        raise
    except Exception as exc:  # the scheduler lost: closed comms, cancelled futures
        raise ClusterError(
            f"lost the Dask scheduler while the sweep ran ({_reason(exc)}){watch.kept}"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            client.cancel([*index, graph], force=True)


def _fetched(watch: _Watch, fut: Any, i: int, n: int) -> dict[str, list]:
    """:func:`_result`, fetched from the worker that holds it within the stall timeout."""
    try:
        return _result(fut, i, n, watch.stall_timeout)
    except TimeoutError:
        raise ClusterError(
            f"no partition of the sweep finished in {watch.stall_timeout:g} s "
            f"(--stall-timeout): partition {i + 1} of {n} was done but its worker did not "
            f"send it; a worker may be frozen{watch.kept}"
        ) from None


def _result(fut: Any, i: int, n: int, timeout: float | None = None) -> dict[str, list]:
    """A finished future's columns; a partition's own error raised as it is.

    ``TimeoutError`` if the worker holding it does not send it within ``timeout`` seconds.
    """
    status = getattr(fut, "status", "finished")
    if status == "error":
        exc = fut.exception(timeout=timeout)
        if isinstance(exc, CorridormapError):
            raise exc
        name = type(exc).__name__
        if name == "KilledWorker":
            raise ClusterError(
                f"partition {i + 1} of {n} killed every worker that ran it ({_reason(exc)}): "
                "out of memory? Try more partitions (--partitions)"
            )
        raise ClusterError(
            f"partition {i + 1} of {n} failed on a Dask worker: {name}: {_reason(exc)}"
        )
    if status == "cancelled":
        raise ClusterError(f"partition {i + 1} of {n} was cancelled by the Dask scheduler")
    return fut.result(timeout=timeout)


def _kept(done: int, n: int, store: Any) -> str:
    if store is None or not done:
        return ""
    return (
        f"; {done} of {n} partitions are kept in {store.root}: the same command again "
        "resumes from them"
    )
