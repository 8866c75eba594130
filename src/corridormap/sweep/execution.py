"""Where a sweep runs: in this process, or on Dask (a local cluster, a scheduler, a client).

The origins are split into partitions (:func:`~.partition.run_partition` each); on Dask the
graph is sent to every worker once. A progress bar counts origins (in process) or partitions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx

from .._errors import InputError
from .job import Job
from .partition import run_partition

__all__ = ["dask_available", "run_partitions", "stderr_is_terminal"]


def _chunks(items: Sequence[str], n: int) -> list[list[str]]:
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


def run_partitions(
    G: nx.MultiDiGraph,
    origins: list[str],
    job: Job,
    client: Any,
    partitions: int | None,
    workers: int | None,
    show: bool,
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
    partitions, workers
        Tasks to split the origins into, and local worker processes (default: the cores).
    show
        Show a progress bar on stderr.

    Returns
    -------
    list of dict
        Each partition's columns, in the order of ``origins``.

    Raises
    ------
    InputError
        If Dask is asked for and not installed, or ``client`` is not one of the above.
    """
    if client is None:
        chunks = _chunks(origins, partitions or len(origins))
        return _in_process(G, chunks, job, show)
    if not dask_available():
        raise InputError(
            "running a sweep on Dask needs dask.distributed: pip install 'corridormap[dask]'"
        )
    from distributed import Client, LocalCluster

    own: list[Any] = []
    try:
        if isinstance(client, str):
            if client == "local":
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                )
                own.append(cluster)
                client = Client(cluster)
            else:
                client = Client(client, timeout="20s")
            own.insert(0, client)
        elif not isinstance(client, Client):
            raise InputError(
                "client must be None, 'local', a scheduler address or a distributed.Client, "
                f"got {type(client).__name__}"
            )
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n = partitions or 4 * workers
        return _on_dask(client, G, _chunks(origins, n), job, show)
    finally:
        for obj in own:
            obj.close()


def _bar(total: int, show: bool, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc="sweep", disable=not show, file=sys.stderr)


def _in_process(
    G: nx.MultiDiGraph, chunks: list[list[str]], job: Job, show: bool
) -> list[dict[str, list]]:
    out = []
    with _bar(sum(map(len, chunks)), show, "origin") as bar:
        for chunk in chunks:
            part = _origin_parts(G, chunk, job, bar.update)
            out.append(part)
    return out


def _origin_parts(
    G: nx.MultiDiGraph, chunk: list[str], job: Job, tick: Callable[[int], Any]
) -> dict[str, list]:
    cols = run_partition(G, chunk, job)
    tick(len(chunk))
    return cols


def _on_dask(client, G, chunks: list[list[str]], job: Job, show: bool) -> list[dict[str, list]]:
    import uuid

    from distributed import as_completed

    token = uuid.uuid4().hex
    graph = client.scatter(G, broadcast=True, hash=False)
    futures = [
        client.submit(run_partition, graph, chunk, job, pure=False, key=f"sweep-{token}-{i}")
        for i, chunk in enumerate(chunks)
    ]
    index = {f.key: i for i, f in enumerate(futures)}
    results: list[dict[str, list] | None] = [None] * len(futures)
    try:
        with _bar(len(futures), show, "part") as bar:
            for fut in as_completed(futures):
                results[index[fut.key]] = fut.result()
                bar.update(1)
    finally:
        client.cancel([*futures, graph])
    return [r for r in results if r is not None]
