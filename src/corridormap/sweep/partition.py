"""One partition of a sweep: some origins, to every destination, under every scenario.

:func:`run_partition` is what a Dask worker (or this process) runs. Each family's route for a
pair is the one :func:`corridormap.route` finds under the family's weight: read off one
shortest-path tree per origin, scenario and family (:mod:`.search`), or, on a network of more
than :data:`OWN_SEARCH_MAX_EDGES` edges, found by ``route`` itself on the compiled core. The
Monte Carlo is :func:`corridormap.uncertainty.simulate`, whose draws of a parameter depend only
on the seed and the parameter, so a pair's figures are ``compare``'s; a pair whose routes have
the same terms under two scenarios is evaluated once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from .._errors import InputError
from ..families import Family, family_routes, family_weight
from ..uncertainty import RouteTerms, simulate
from .job import Job, scenario_weight
from .search import PairRoute, Tables, best_route, tree_of
from .table import SWEEP_COLUMNS, Summary, add_rows, summarise

__all__ = ["OWN_SEARCH_MAX_EDGES", "run_partition"]

#: above this many edges a pair's routes are found by :func:`corridormap.route` on the
#: compiled core, not read off this module's Python trees
OWN_SEARCH_MAX_EDGES = 2_000


def run_partition(G: nx.MultiDiGraph, origins: Sequence[str], job: Job) -> dict[str, list]:
    """Sweep some origins to every destination under every scenario: the table's columns.

    This is what a Dask worker runs; :func:`~corridormap.sweep.sweep` splits the origins and
    puts the parts back together in order.
    """
    fams = list(job.families)
    instc = [f.name for f in fams if f.instc]
    scens = [
        (label, scenario_weight(G, label, items, job.by).on_clock(job.clock))
        for label, items in job.scenarios
    ]
    memo: dict[tuple, Summary] = {}
    parts: list[dict[str, list]] = [{c: [] for c in SWEEP_COLUMNS} for _ in scens]
    own = G.number_of_edges() <= OWN_SEARCH_MAX_EDGES
    tables = _family_tables(G, scens, fams, job) if own else {}
    for o in origins:
        for i, (label, base) in enumerate(scens):
            trees = {name: tree_of(tab, o) for name, tab in tables[i].items()} if own else None
            for d in job.destinations:
                if d == o:
                    continue
                if trees is not None:
                    routes = {
                        name: r
                        for name, tab in tables[i].items()
                        if (r := best_route(tab, trees[name], d)) is not None
                    }
                else:
                    routes = _routes_by_route(G, o, d, fams, base, job)
                summary = _pair_summary(G.graph["params"], routes, memo, job, instc)
                add_rows(parts[i], job, o, d, label, fams, routes, summary)
    return {c: [v for part in parts for v in part[c]] for c in SWEEP_COLUMNS}


def _family_tables(
    G: nx.MultiDiGraph, scens: Sequence[tuple[str, Any]], fams: Sequence[Family], job: Job
) -> list[dict[str, Tables]]:
    """Per scenario, each applicable family's :class:`~.search.Tables`."""
    out = []
    for _label, base in scens:
        tabs = {}
        for fam in fams:
            try:
                wf = family_weight(G, fam, base)
            except InputError:
                if job.named_families:
                    raise
                continue
            tabs[fam.name] = Tables.build(G, wf)
        out.append(tabs)
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
        key = route_key([leg.edge for leg in r.legs])
        out[name] = PairRoute(transit, wait, tuple(r.path), r.distance_km, r.nodes, key)
    return out


def _pair_summary(
    params: Mapping[str, Any],
    routes: Mapping[str, PairRoute],
    memo: dict[tuple, Summary],
    job: Job,
    instc: Sequence[str],
) -> Summary | None:
    """The Monte Carlo of a pair, summarised, once per distinct set of route terms."""
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
    hit = memo.get(key)
    if hit is None:
        sim = simulate(params, T, job.draws, job.seed)
        hit = memo[key] = summarise(sim, T.expected(params), job, instc)
    return hit
