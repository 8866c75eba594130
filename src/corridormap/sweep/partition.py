"""One partition of a sweep: some origins, to every destination, under every scenario and clock.

:func:`run_partition` is what a Dask worker (or this process) runs; :func:`pair_results`
gives the same pairs one by one, with their routes (what the explorer,
:mod:`corridormap.explore`, draws). Each family's route for a pair is the one
:func:`corridormap.route` finds under the family's weight on the clock: read off one
shortest-path tree per origin, scenario, clock and family (:mod:`.search`), or, on a network of
more than :data:`OWN_SEARCH_MAX_EDGES` edges, found by ``route`` itself on the compiled core.
The Monte Carlo is :func:`corridormap.uncertainty.simulate`, whose draws of a parameter depend
only on the seed and the parameter, so a pair's figures are ``compare``'s; a pair whose routes
have the same terms under two scenarios or on two clocks is simulated once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .._cache import derived
from .._errors import InputError
from ..families import Family, family_routes, family_weight
from ..uncertainty import RouteTerms, Simulation
from .job import Job, scenario_weight
from .montecarlo import MonteCarlo
from .search import (
    CoreTables,
    CoreTree,
    Layout,
    PairRoute,
    Paths,
    Tables,
    best_route,
    layout,
    tree_of,
)
from .table import SWEEP_COLUMNS, Summary, add_rows, summarise

__all__ = ["OWN_SEARCH_MAX_EDGES", "PairResult", "pair_results", "run_partition"]

#: above this many edges a pair's routes are found by :func:`corridormap.route` on the
#: compiled core, not read off one tree per origin (:mod:`.search`). The trees give the same
#: routes in a quarter of the time at 10,000 edges and half at 100,000, but hold each tree's
#: distances and predecessors as lists: at a million edges a sweep of two origins took half
#: the time and 1.1 GB more memory
OWN_SEARCH_MAX_EDGES = 200_000


@dataclass
class PairResult:
    """One origin, destination, scenario and clock of a sweep.

    Attributes
    ----------
    origin, destination
        Place ids.
    scenario
        The scenario's label (``baseline`` first).
    clock
        The clock the routes were chosen on and the days are given on.
    routes
        Family name -> its route (:class:`~.search.PairRoute`), for the families with one.
    summary
        The routes' Monte Carlo (:class:`~.table.Summary`); ``None`` when no family has a
        route, or when the Monte Carlo was not asked for.
    """

    origin: str
    destination: str
    scenario: str
    clock: str
    routes: dict[str, PairRoute]
    summary: Summary | None


def run_partition(
    G: nx.MultiDiGraph,
    origins: Sequence[str],
    job: Job,
    mc: MonteCarlo | None = None,
    shared: dict | None = None,
) -> dict[str, list]:
    """Sweep some origins to every destination under every scenario and clock: the columns.

    This is what a Dask worker runs; :func:`~corridormap.sweep.sweep` splits the origins and
    puts the parts back together in order. Within a part the rows run by clock, then
    scenario, then origin and destination. ``mc``, the job's :class:`~.montecarlo.MonteCarlo`,
    and ``shared`` (:func:`pair_results`) are shared by the partitions run in one process
    (default the partition's own).
    """
    fams = list(job.families)
    labels = [label for label, _ in job.scenarios]
    parts = {(c, s): {col: [] for col in SWEEP_COLUMNS} for c in job.clocks for s in labels}
    for res in pair_results(G, origins, job, mc=mc, shared=shared):
        add_rows(
            parts[(res.clock, res.scenario)],
            job,
            res.clock,
            res.origin,
            res.destination,
            res.scenario,
            fams,
            res.routes,
            res.summary,
        )
    return {col: [v for part in parts.values() for v in part[col]] for col in SWEEP_COLUMNS}


def pair_results(
    G: nx.MultiDiGraph,
    origins: Sequence[str],
    job: Job,
    *,
    monte_carlo: bool = True,
    mc: MonteCarlo | None = None,
    shared: dict | None = None,
) -> Iterator[PairResult]:
    """Every origin x destination x scenario x clock of ``job``, one :class:`PairResult` each.

    In order of origin, scenario, destination and clock (a destination equal to its origin is
    skipped). ``monte_carlo=False`` finds the routes only (every ``summary`` is ``None``).
    ``shared`` keeps the scenarios' weights and the families' tables for the next call with
    the same graph and job (the partitions of a sweep run in one process).
    """
    fams = list(job.families)
    instc = [f.name for f in fams if f.instc]
    got = shared.get("tables") if shared is not None else None
    if got is None:
        scens = [
            (label, {c: scenario_weight(G, label, items, job.by).on_clock(c) for c in job.clocks})
            for label, items in job.scenarios
        ]
        own = derived(G, "edge_count", nx.MultiDiGraph.number_of_edges, structure=True)
        own = own <= OWN_SEARCH_MAX_EDGES
        lay = layout(G) if own else None
        tables = [_family_tables(G, bases, fams, job, lay) for _, bases in scens] if own else []
        got = (scens, own, lay, tables)
        if shared is not None:
            shared["tables"] = got
    scens, own, lay, tables = got
    memo: dict[tuple, Summary] = {}
    if mc is None:
        mc = MonteCarlo(G.graph["params"], job.draws, job.seed)
    for o in origins:
        # what the origin's trees share: the pairs none uses, the paths read off them
        hide = lay.origin_hide(lay.core.index[o]) if lay is not None else None
        paths = Paths(lay) if lay is not None else None
        seen: dict[tuple, tuple] = {}  # the terms of the routes read off those paths
        mc.new_origin()
        for i, (label, bases) in enumerate(scens):
            trees = (
                {
                    c: {name: _tree(tab, o, hide, paths) for name, tab in tables[i][c].items()}
                    for c in job.clocks
                }
                if own
                else None
            )
            for d in job.destinations:
                if d == o:
                    continue
                sims: dict[tuple, Simulation] = {}  # this pair's, shared by its clocks
                for c in job.clocks:
                    if trees is not None:
                        routes = {
                            name: r
                            for name, tab in tables[i][c].items()
                            if (r := _best(tab, trees[c][name], d)) is not None
                        }
                    else:
                        routes = _routes_by_route(G, o, d, fams, bases[c], job)
                    summary = None
                    if monte_carlo:
                        summary = _pair_summary(mc, routes, (memo, sims, seen), job, c, instc)
                    yield PairResult(o, d, label, c, routes, summary)


def _tree(tab: Tables | CoreTables, o: str, hide: Any, paths: Paths | None) -> Any:
    """The tree from ``o`` in the family's tables.

    ``hide`` holds the pairs no tree from ``o`` uses; ``paths`` the paths its trees share.
    """
    return tab.tree(o, hide, paths) if isinstance(tab, CoreTables) else tree_of(tab, o)


def _best(tab: Tables | CoreTables, tree: Any, d: str) -> PairRoute | None:
    """The family's route to ``d`` along the tree from the origin (:func:`_tree`)."""
    if isinstance(tree, CoreTree):
        return tree.best(d)
    return best_route(tab.legacy if isinstance(tab, CoreTables) else tab, tree, d)


def _family_tables(
    G: nx.MultiDiGraph,
    bases: Mapping[str, Any],
    fams: Sequence[Family],
    job: Job,
    lay: Layout | None = None,
) -> dict[str, dict[str, Tables | CoreTables]]:
    """Per clock, each applicable family's tables under one scenario.

    On the compiled core (:class:`~.search.CoreTables`) when ``lay`` is given, else
    :class:`~.search.Tables`.
    """
    out: dict[str, dict[str, Tables | CoreTables]] = {}
    for clock, base in bases.items():
        tabs = {}
        for fam in fams:
            try:
                wf = family_weight(G, fam, base)
            except InputError:
                if job.named_families:
                    raise
                continue
            tabs[fam.name] = lay.tables(G, wf) if lay is not None else Tables.build(G, wf)
        out[clock] = tabs
    return out


def _routes_by_route(
    G: nx.MultiDiGraph, o: str, d: str, fams: Sequence[Family], base: Any, job: Job
) -> dict[str, PairRoute]:
    """The families' routes of a pair found by :func:`corridormap.route` (a large network)."""
    from ..uncertainty import route_key, route_terms

    routes, _ = family_routes(G, o, d, fams, base, named=job.named_families)
    out = {}
    for name, r in routes.items():
        transit, wait = route_terms(r)
        edges = tuple(leg.edge for leg in r.legs)
        key = route_key(list(edges))
        out[name] = PairRoute(
            transit, wait, tuple(r.path), r.distance_km, r.nodes, key, r.weight, edges
        )
    return out


def _pair_summary(
    mc: MonteCarlo,
    routes: Mapping[str, PairRoute],
    kept: tuple[dict[tuple, Summary], dict[tuple, Simulation], dict[tuple, tuple]],
    job: Job,
    clock: str,
    instc: Sequence[str],
) -> Summary | None:
    """The Monte Carlo of a pair on ``clock``, summarised, once per distinct set of route terms.

    ``kept`` holds: the summaries of the partition by terms and clock; the pair's simulations
    by terms (the clocks of a pair share them when their routes are the same); and the terms
    of the origin's routes by their paths (:class:`~.search.Paths`: the same paths, the same
    terms).
    """
    if not routes:
        return None
    memo, sims, seen = kept
    ident = None
    if all(r.ident >= 0 for r in routes.values()):
        ident = (tuple(routes), tuple(r.ident for r in routes.values()))
        got = seen.get(ident)
    if ident is None or got is None:
        T = RouteTerms.from_terms({n: (r.transit, r.wait, r.id) for n, r in routes.items()})
        key = (
            tuple(T.names),
            tuple(T.ids),
            tuple(T.keys),
            T.transit.tobytes(),
            T.wait.tobytes(),
            T.cost.tobytes(),
        )
        if ident is not None:
            seen[ident] = (key, T)
    else:
        key, T = got
    hit = memo.get((key, clock))
    if hit is None:
        sim = sims.get(key)
        if sim is None:
            sim = sims[key] = mc.simulate(T)
        hit = memo[(key, clock)] = summarise(sim, mc.expected(T), job, instc, clock, mc.seen)
    return hit
