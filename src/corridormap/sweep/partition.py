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

from .._errors import InputError
from ..families import Family, family_routes, family_weight
from ..uncertainty import RouteTerms, Simulation, simulate
from .job import Job, scenario_weight
from .search import PairRoute, Tables, best_route, tree_of
from .table import SWEEP_COLUMNS, Summary, add_rows, summarise

__all__ = ["OWN_SEARCH_MAX_EDGES", "PairResult", "pair_results", "run_partition"]

#: above this many edges a pair's routes are found by :func:`corridormap.route` on the
#: compiled core, not read off this module's Python trees
OWN_SEARCH_MAX_EDGES = 2_000


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


def run_partition(G: nx.MultiDiGraph, origins: Sequence[str], job: Job) -> dict[str, list]:
    """Sweep some origins to every destination under every scenario and clock: the columns.

    This is what a Dask worker runs; :func:`~corridormap.sweep.sweep` splits the origins and
    puts the parts back together in order. Within a part the rows run by clock, then
    scenario, then origin and destination.
    """
    fams = list(job.families)
    labels = [label for label, _ in job.scenarios]
    parts = {(c, s): {col: [] for col in SWEEP_COLUMNS} for c in job.clocks for s in labels}
    for res in pair_results(G, origins, job):
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
    G: nx.MultiDiGraph, origins: Sequence[str], job: Job, *, monte_carlo: bool = True
) -> Iterator[PairResult]:
    """Every origin x destination x scenario x clock of ``job``, one :class:`PairResult` each.

    In order of origin, scenario, destination and clock (a destination equal to its origin is
    skipped). ``monte_carlo=False`` finds the routes only (every ``summary`` is ``None``).
    """
    fams = list(job.families)
    instc = [f.name for f in fams if f.instc]
    scens = [
        (label, {c: scenario_weight(G, label, items, job.by).on_clock(c) for c in job.clocks})
        for label, items in job.scenarios
    ]
    memo: dict[tuple, Summary] = {}
    own = G.number_of_edges() <= OWN_SEARCH_MAX_EDGES
    tables = [_family_tables(G, bases, fams, job) for _, bases in scens] if own else []
    for o in origins:
        for i, (label, bases) in enumerate(scens):
            trees = (
                {
                    c: {name: tree_of(tab, o) for name, tab in tables[i][c].items()}
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
                            if (r := best_route(tab, trees[c][name], d)) is not None
                        }
                    else:
                        routes = _routes_by_route(G, o, d, fams, bases[c], job)
                    summary = None
                    if monte_carlo:
                        summary = _pair_summary(
                            G.graph["params"], routes, memo, sims, job, c, instc
                        )
                    yield PairResult(o, d, label, c, routes, summary)


def _family_tables(
    G: nx.MultiDiGraph, bases: Mapping[str, Any], fams: Sequence[Family], job: Job
) -> dict[str, dict[str, Tables]]:
    """Per clock, each applicable family's :class:`~.search.Tables` under one scenario."""
    out: dict[str, dict[str, Tables]] = {}
    for clock, base in bases.items():
        tabs = {}
        for fam in fams:
            try:
                wf = family_weight(G, fam, base)
            except InputError:
                if job.named_families:
                    raise
                continue
            tabs[fam.name] = Tables.build(G, wf)
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
    params: Mapping[str, Any],
    routes: Mapping[str, PairRoute],
    memo: dict[tuple, Summary],
    sims: dict[tuple, Simulation],
    job: Job,
    clock: str,
    instc: Sequence[str],
) -> Summary | None:
    """The Monte Carlo of a pair on ``clock``, summarised, once per distinct set of route terms.

    ``memo`` keeps the summaries of the partition by terms and clock; ``sims`` the pair's
    simulations by terms (the clocks of a pair share them when their routes are the same).
    """
    if not routes:
        return None
    T = RouteTerms.from_terms({n: (r.transit, r.wait, r.id) for n, r in routes.items()})
    key = (
        tuple(T.names),
        tuple(T.ids),
        tuple(T.keys),
        T.transit.tobytes(),
        T.wait.tobytes(),
        T.cost.tobytes(),
    )
    hit = memo.get((key, clock))
    if hit is None:
        sim = sims.get(key)
        if sim is None:
            sim = sims[key] = simulate(params, T, job.draws, job.seed)
        hit = memo[(key, clock)] = summarise(sim, T.expected(params), job, instc, clock)
    return hit
