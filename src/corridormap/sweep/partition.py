"""One partition of a sweep: some origins, to every destination, under every scenario.

:func:`run_partition` is what a Dask worker (or this process) runs. Each pair's candidates come
from the sweep's own search (:mod:`.search`, shared across scenarios by :mod:`.sharing`), or,
on a network of more than :data:`OWN_SEARCH_MAX_EDGES` edges, are ``compare``'s own. The Monte
Carlo is :func:`corridormap.uncertainty.family_draws`, restarted from the seed for every pair;
its draws are therefore a function of the candidates' terms alone, so pairs and scenarios with
the same terms are evaluated, and their percentiles taken, once, and the triangular draws at
each position of the seed's stream are computed once per partition
(:class:`~corridormap.uncertainty.DrawCache`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from ..families import family_candidates
from ..uncertainty import CandidateTerms, DrawCache, family_draws
from .job import Job, scenario_weight
from .search import Candidates, routes_as_candidates
from .sharing import OriginTrees, pair_candidates, scenario_tables
from .table import SWEEP_COLUMNS, Summary, add_rows, summarise

__all__ = ["OWN_SEARCH_MAX_EDGES", "run_partition"]

#: above this many edges a pair's candidates are :func:`corridormap.compare`'s own (its
#: ``alternatives`` on the compiled core), not this module's search in Python: on a large
#: network the core's two searches per family cost less than the Python trees this module
#: shares between pairs (the 10k-edge benchmark grid: 13 s per origin against ~20 ms a pair)
OWN_SEARCH_MAX_EDGES = 2_000


def run_partition(G: nx.MultiDiGraph, origins: Sequence[str], job: Job) -> dict[str, list]:
    """Sweep some origins to every destination under every scenario: the table's columns.

    This is what a Dask worker runs; :func:`~corridormap.sweep.sweep` splits the origins and
    puts the parts back together in order. The rows come scenario by scenario; the work goes
    pair by pair, so that a scenario's searches can take the baseline's for the same pair
    where they hold.
    """
    params = G.graph["params"]
    cache = DrawCache(job.seed)
    fams = list(job.families)
    instc = [f.name for f in fams if f.instc]
    # pairs and scenarios whose candidates' terms are the same are evaluated once
    memo: dict[tuple, Summary] = {}
    if G.number_of_edges() > OWN_SEARCH_MAX_EDGES:
        return _partition_by_compare(G, origins, job, memo, cache, instc)
    scens = scenario_tables(G, job, fams)
    parts: list[dict[str, list]] = [{c: [] for c in SWEEP_COLUMNS} for _ in scens]
    for o in origins:
        at = OriginTrees(scens, o)
        for d in job.destinations:
            if d == o:
                continue
            found: dict[str, tuple] = {}  # the baseline's searches of the pair
            for i, sc in enumerate(scens):
                cands = pair_candidates(scens, at, found, d, i, job.candidates)
                summary = None
                if cands:
                    summary = _pair_draws(params, cands, memo, job, cache, sc.by, instc)
                add_rows(parts[i], job, o, d, sc.label, fams, cands, summary)
    return {c: [v for part in parts for v in part[c]] for c in SWEEP_COLUMNS}


def _partition_by_compare(
    G: nx.MultiDiGraph,
    origins: Sequence[str],
    job: Job,
    memo: dict[tuple, Summary],
    cache: DrawCache,
    instc: list[str],
) -> dict[str, list]:
    """:func:`run_partition` on a large network.

    Each pair's candidates are found as ``compare`` finds them (the same function); the
    Monte Carlo and the rows are shared as on a small network.
    """
    fams = list(job.families)
    scens = [(label, scenario_weight(G, label, items, job.by)) for label, items in job.scenarios]
    parts: list[dict[str, list]] = [{c: [] for c in SWEEP_COLUMNS} for _ in scens]
    for o in origins:
        for d in job.destinations:
            if d == o:
                continue
            for i, (label, base) in enumerate(scens):
                routes, _ = family_candidates(
                    G, o, d, fams, base, job.candidates, named=job.named_families
                )
                cands = {name: routes_as_candidates(rs) for name, rs in routes.items()}
                summary = None
                if cands:
                    params = G.graph["params"]
                    summary = _pair_draws(params, cands, memo, job, cache, base.by, instc)
                add_rows(parts[i], job, o, d, label, fams, cands, summary)
    return {c: [v for part in parts for v in part[c]] for c in SWEEP_COLUMNS}


def _pair_draws(
    params: Mapping[str, Any],
    cands: Mapping[str, Candidates],
    memo: dict[tuple, Summary],
    job: Job,
    cache: DrawCache,
    by: str,
    instc: Sequence[str],
) -> Summary:
    """The Monte Carlo of a pair, summarised, once per distinct set of candidate terms.

    Parameters
    ----------
    params
        The parameter file.
    cands
        The families' candidates.
    memo
        The summaries by candidate terms: the Monte Carlo restarts the seed's stream for
        every pair, so its draws are a function of the terms alone, and a pair (or another
        pair) whose terms are the same under two scenarios is evaluated once.
    job
        The sweep's settings (draws, seed).
    cache
        The seed's triangular draws, read only for a new evaluation.
    by
        What picks each family's route in a draw.
    instc
        The INSTC families' names.

    Returns
    -------
    Summary
    """
    T = CandidateTerms.from_terms({n: c.terms for n, c in cands.items()})
    key = (
        by,
        tuple(T.keys),
        tuple(T.order),
        tuple(T.ncand),
        T.inverse.tobytes(),
        T.time.tobytes(),
        T.cost.tobytes(),
    )
    hit = memo.get(key)
    if hit is None:
        days, cost = family_draws(params, T, job.draws, cache.rng(), by=by, seed=job.seed)
        hit = memo[key] = summarise(days, cost, job, instc)
    return hit
