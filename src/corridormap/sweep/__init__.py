"""Origin-destination sweeps: every pair x scenario x route family, with the Monte Carlo of ...

... :func:`corridormap.compare.compare`, on Dask when one machine is not enough.

The numbers of a pair are those ``compare(G, o, d, draws=N, seed=K, clock=C,
weight=<scenario>)`` gives: the same route per family (the least expected objective on the
clock) and the same draws (each parameter's own stream of the seed). A pair's draws therefore
never depend on which partition or worker runs it, and scenarios of one pair share their draws
(common random numbers), so a scenario's effect is not drowned in noise. The tests check the
sweep against ``compare`` pair by pair on the bundled network and a small one. What is shared
instead of repeated, by module:

==================  ===========================================================================
``job.py``          what every partition is asked to do, and the scenarios as loaded
``search.py``       one shortest-path tree per origin, scenario and family (scipy's Dijkstra
                    on the compiled core): every pair's route
``montecarlo.py``   the Monte Carlo of ``simulate``, with what pairs share kept (draws,
                    value matrices, each route's model-error factors)
``partition.py``    one partition: its origins' pairs, routes and Monte Carlo (once per
                    distinct set of route terms; on a network of more than
                    ``OWN_SEARCH_MAX_EDGES`` edges the routes are ``route``'s own)
``execution.py``    where the partitions run: in this process or on Dask, with progress, and
                    what is watched on Dask (the scheduler, the workers, stalled partitions)
``store.py``        finished partitions kept on disk, so an interrupted sweep resumes
``table.py``        the table's columns and rows, written to CSV or Parquet
==================  ===========================================================================
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import networkx as nx

from .._errors import InputError, NoRouteError
from .._schema import MAX_DRAWS, check_count, check_graph
from ..families import Family, network_families, resolve_families
from ..places import resolve_endpoints
from ..uncertainty import DRAWS
from .execution import (
    CONNECT_TIMEOUT_S,
    STALL_TIMEOUT_S,
    WORKER_TIMEOUT_S,
    dask_available,
    run_partitions,
    scheduler_address,
)
from .job import Job, scenario_items
from .store import PartStore, job_key
from .table import SWEEP_COLUMNS, write_table

__all__ = ["SWEEP_COLUMNS", "dask_available", "scheduler_address", "sweep", "write_table"]


def sweep(
    G: nx.MultiDiGraph,
    origins: Iterable[str],
    destinations: Iterable[str],
    *,
    scenarios: Iterable[Any] | str | None = None,
    families: Iterable[str | Family] | None = None,
    draws: int = DRAWS,
    seed: int | None = 0,
    by: str = "time_h",
    clock: str | Iterable[str] = "transit",
    client: Any = None,
    partitions: int | None = None,
    workers: int | None = None,
    progress: bool | str | None = None,
    resume: str | os.PathLike[str] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_S,
    worker_timeout: float = WORKER_TIMEOUT_S,
    stall_timeout: float = STALL_TIMEOUT_S,
):
    """Compare the route families for every origin x destination x scenario.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Place ids or names, kinds (``port``), regions (``caucasus``) or ISO country codes,
        resolved by :func:`corridormap.places.resolve_endpoints`; a pair of one place with
        itself is skipped.
    scenarios
        Scenario names, files or :class:`~corridormap.Scenario` objects, each on its own;
        the baseline is always included, first.
    families
        Family names (default every family of the network's ``families.toml``).
    draws, seed
        The Monte Carlo of :func:`corridormap.compare`; a pair's figures equal
        ``compare(G, o, d, draws=draws, seed=seed, weight=<scenario weight>)``.
    by
        What picks each family's route and the best family (least expected value):
        ``time_h`` or ``cost_usd``.
    clock
        ``transit`` (default) or ``door-to-door``: the clock the routes are chosen on and the
        days are given on (the wait for the first departure is its own column either way); a
        list of both gives each clock's rows (the ``clock`` column says which), the clocks of
        a pair sharing its Monte Carlo where their routes are the same.
    client
        Where to run: ``None`` in this process; ``"local"`` a ``dask.distributed``
        LocalCluster on this machine's cores (started and closed here); a scheduler address
        (``"tcp://host:8786"``); or a ``distributed.Client``. On Dask the origins are split
        into ``partitions`` tasks and the graph is sent to every worker once.
    partitions
        Tasks to split the origins into (default four per worker, at most one per origin).
        The result does not depend on it.
    workers
        With ``client="local"``: worker processes (default this machine's cores).
    progress
        Show progress on stderr: ``None`` (default) a bar when stderr is a terminal; ``True``
        also a line now and then off a terminal; ``False`` nothing
        (:mod:`corridormap._progress`).
    resume
        A directory to keep each finished partition in (:mod:`corridormap.sweep.store`): a
        sweep of the same job later runs only the partitions not kept there. The directory
        is left for the caller to remove once the table is safe (the command line removes
        it after writing the table).
    connect_timeout, worker_timeout, stall_timeout
        Seconds, on Dask: for a scheduler to answer, without any worker, without a partition
        finishing; past them the sweep stops with a :class:`~corridormap.ClusterError`
        (:mod:`corridormap.sweep.execution`).

    Returns
    -------
    pandas.DataFrame
        One row per origin, destination, scenario and family (:data:`SWEEP_COLUMNS`):
        expected and P10/P50/P90 days (on ``clock``) and cost per TEU, the expected wait for
        the first departure, the family with the least expected objective (``best_family``),
        and on each sea family's row ``p_instc_faster``, the probability that the INSTC's
        best route arrives first. Unreachable families have ``reachable`` false and no
        figures.

    Raises
    ------
    InputError
        If an argument is invalid.
    UnknownPlaceError
        If a place, kind, region or country is not known.
    ScenarioError
        If a scenario names ids the network does not have.
    ClusterError
        If the Dask cluster fails while the sweep runs (the finished partitions are kept in
        ``resume``).
    """
    import pandas as pd

    from ..places import places
    from ..weights import objective_attr

    check_graph(G, "sweep")
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    clocks = _clocks(clock)
    by = objective_attr(by)
    if by not in ("time_h", "cost_usd"):
        raise InputError(f"by must be time_h or cost_usd for a sweep, got {by!r}")
    os_ = resolve_endpoints(G, origins, "origins")
    ds = resolve_endpoints(G, destinations, "destinations")
    if partitions is not None:
        partitions = check_count(partitions, "partitions", high=100_000)
    if workers is not None:
        workers = check_count(workers, "workers", high=1024)
    if isinstance(client, str) and client != "local":
        scheduler_address(client)  # checked before anything is computed or connected to
    for name, value in (
        ("connect_timeout", connect_timeout),
        ("worker_timeout", worker_timeout),
        ("stall_timeout", stall_timeout),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e7:
            raise InputError(f"{name} must be a number of seconds above 0, got {value!r}")
    table = network_families(G)
    fams = resolve_families(families, table)
    cat = places(G)
    job = Job(
        destinations=tuple(ds),
        scenarios=tuple(scenario_items(G, scenarios)),
        families=tuple(fams),
        named_families=families is not None,
        draws=draws,
        seed=seed,
        by=by,
        clocks=clocks,
        names={pid: str(cat[pid].get("name", pid)) for pid in {*os_, *ds}},
    )
    store = PartStore(resume, job_key(G, os_, job)) if resume is not None else None
    parts = run_partitions(
        G,
        os_,
        job,
        client,
        partitions=partitions,
        workers=workers,
        show=progress,
        store=store,
        connect_timeout=connect_timeout,
        worker_timeout=worker_timeout,
        stall_timeout=stall_timeout,
    )
    frame = pd.DataFrame({c: [v for p in parts for v in p[c]] for c in SWEEP_COLUMNS})
    if frame.empty:
        raise NoRouteError("the sweep has no pair: every origin is also the only destination")
    frame = frame.astype({"instc": bool, "reachable": bool, "draws": "int64"})
    frame.attrs["reference"] = table.reference
    return frame


def _clocks(clock: Any) -> tuple[str, ...]:
    """The clocks asked for: one name or a list of names, each once, in order."""
    from ..weights import CLOCKS

    given = [clock] if isinstance(clock, str) else list(clock) if clock is not None else []
    if not given:
        raise InputError(f"clock: give at least one of {', '.join(CLOCKS)}")
    for c in given:
        if c not in CLOCKS:
            raise InputError(f"clock must be one of {', '.join(CLOCKS)}, got {c!r}")
    return tuple(dict.fromkeys(given))
