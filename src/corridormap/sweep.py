"""Origin-destination sweeps: every pair x scenario x route family, with the Monte Carlo of ...

... :func:`corridormap.compare`, on Dask when one machine is not enough.

The numbers of a pair are those ``compare(G, o, d, draws=N, seed=K, weight=<scenario>)``
gives: the same candidate routes per family, the same parameter keys and the same random
stream (``numpy.random.default_rng(seed)``, restarted for every pair and scenario). A pair's
draws therefore never depend on which partition or worker runs it, and scenarios of one pair
share their draws (common random numbers), so a scenario's effect is not drowned in noise.

What is shared instead of repeated, per scenario and family:

* the network collapsed once into successor / predecessor lists of the least visible edge
cost (what every search of :mod:`corridormap.routing` evaluates edge by edge);
* **one shortest-path tree per origin**: networkx's Dijkstra (same relaxation order, same
tie-breaking) from the origin's gate gives the best route to every destination, exactly
the route :func:`corridormap.route` finds;
* the further candidates (``candidates - 1`` per family, as :func:`corridormap.alternatives`
lists them) come from a best-first search backwards from the destination whose heuristic
is that tree's exact distance, so it walks straight to the next-best distinct routes
instead of re-solving the pair (Yen's algorithm runs hundreds of searches per pair). A
route that visits a place twice is pruned as ``alternatives`` skips it. Where that search
would examine ``max_examined`` paths (the limit ``alternatives`` has), the pair falls back
to ``alternatives`` itself;
* across scenarios: a scenario that leaves a family alone (the same visible edges at the same
costs) keeps the baseline's routes for it, re-measured under the scenario's terms. The work
goes pair by pair (the rows still come scenario by scenario), so a scenario that does change
the family keeps the baseline's routes for a pair when its search would read exactly what
the baseline's read (:class:`_Reads`: no changed node expanded, the same tree at every
predecessor read, equal constrained bounds), and otherwise takes each of the baseline's
bound searches whose settled nodes it leaves alone (:class:`_Bounds`);
* on a network of more than ``OWN_SEARCH_MAX_EDGES`` edges none of the above: each pair's
candidates are ``compare``'s own (``alternatives`` on the compiled core costs less there than
these trees in Python), and only the Monte Carlo below is shared;
* the Monte Carlo: the uniform stream of the seed is drawn once per partition and the
triangular transform of a parameter at a stream position is computed once (bit for bit
numpy's). The draws restart the stream for every pair, so they are a function of the
candidates' terms alone: pairs and scenarios with the same terms are evaluated, and their
percentiles taken, once.

Routes of equal cost at likely values are ordered as networkx orders them for the best route;
among further candidates of exactly equal cost the search goes depth first, so which of several
equal routes fills the last candidate place may differ from ``alternatives``; the figures then
differ only if those equal routes have different terms. The tests check the sweep against
``compare`` pair by pair on the bundled network and a small one.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import InputError, NoRouteError
from ._schema import MAX_DRAWS, as_names, check_count, check_graph
from .compare import (
    Family,
    _family_weight,
    _monte_carlo,
    _network_families,
    _percentiles,
    _resolve_families,
    _Terms,
)
from .model import edge_terms, sum_terms
from .network import GATE, place_of
from .weights import Weight, make_weight

__all__ = ["SWEEP_COLUMNS", "dask_available", "resolve_endpoints", "sweep", "write_table"]

log = logging.getLogger("corridormap")

#: the columns of the table :func:`sweep` returns, in order
SWEEP_COLUMNS = (
    "origin",
    "origin_name",
    "destination",
    "destination_name",
    "scenario",
    "family",
    "family_label",
    "instc",
    "reachable",
    "distance_km",
    "days_p10",
    "days_p50",
    "days_p90",
    "cost_usd_p10",
    "cost_usd_p50",
    "cost_usd_p90",
    "best_family",
    "p_instc_faster",
    "nodes",
    "draws",
    "seed",
)
#: what the candidate search examines at most before handing a pair to ``alternatives``
MAX_EXAMINED = 500
#: states the candidate search pushes at most before handing a pair to ``alternatives``
MAX_STATES = 20_000
#: bytes of transformed draws kept per partition for reuse across pairs
_MEMO_BYTES = 256 * 1024 * 1024


# -- endpoints ------------------------------------------------------------------------------
def resolve_endpoints(G: nx.MultiDiGraph, specs: Iterable[str], what: str = "origins") -> list[str]:
    """Place ids for a list of place ids or names, kinds (``port``), regions (``caucasus``) ...

    ... or ISO country codes (``IN``), in the order given, each once.

    A kind, region or country stands for its places except chokepoints (sea passages are
    not where cargo starts or ends); a place named on its own is kept whatever its kind.

    Raises
    ------
    InputError
    If the list is empty.
    UnknownPlaceError
    If a name is none of these.
    """
    from .places import places, resolve_area

    check_graph(G, "sweep")
    items = as_names(specs, what)
    if not items:
        raise InputError(f"{what}: give at least one place, kind, region or country code")
    cat = places(G)
    kinds = {str(p.get("kind")) for p in cat.values()}
    out: dict[str, None] = {}
    for spec in items:
        if spec in kinds and spec not in cat:
            hits = [pid for pid, p in cat.items() if p.get("kind") == spec]
        else:
            hits = resolve_area(G, spec)
            if len(hits) > 1:
                hits = [h for h in hits if cat[h].get("kind") != "chokepoint"]
        for h in hits:
            out.setdefault(h, None)
    return list(out)


# -- the shared graph tables -----------------------------------------------------------------
@dataclass
class _Tables:
    """One scenario-and-family weight flattened: least visible cost per node pair."""

    wf: Weight
    succ: dict[str, list[tuple[str, float]]]
    pred: dict[str, list[tuple[str, float]]]
    exits: dict[str, list[tuple[str, float]]]  # gate -> [(layer node, cost)]
    exit_into: dict[str, dict[str, float]]  # layer node -> {gate: cost}
    entries: dict[str, list[tuple[str, float]]]  # gate -> [(layer node, cost)]
    G: nx.MultiDiGraph = field(repr=False)
    place: dict[str, str] = field(default_factory=dict, repr=False)
    sig: tuple = field(default=(), repr=False)
    _best: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict, repr=False)
    #: the nodes of each place (gates included)
    nodes_at: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, G: nx.MultiDiGraph, wf: Weight) -> _Tables:
        gates = {n for n, d in G.nodes(data=True) if d.get("layer") == GATE}
        fn = wf.fn
        succ: dict[str, list[tuple[str, float]]] = {}
        pred: dict[str, list[tuple[str, float]]] = {}
        exits: dict[str, list[tuple[str, float]]] = {}
        exit_into: dict[str, dict[str, float]] = {}
        entries: dict[str, list[tuple[str, float]]] = {}
        sig = []
        for u, nbrs in G.adjacency():
            for v, edges in nbrs.items():
                c = fn(u, v, edges)
                if c is None:
                    continue
                sig.append((u, v, c, tuple(k for k, d in edges.items() if wf.visible(d))))
                if u in gates and v in gates:
                    continue  # never on a route: a route leaves one gate and enters one
                if u in gates:
                    exits.setdefault(u, []).append((v, c))
                    exit_into.setdefault(v, {})[u] = c
                elif v in gates:
                    entries.setdefault(v, []).append((u, c))
                else:
                    succ.setdefault(u, []).append((v, c))
                    pred.setdefault(v, []).append((u, c))
        place = {n: d.get("place", place_of(n)) for n, d in G.nodes(data=True)}
        nodes_at: dict[str, list[str]] = {}
        for n, p in place.items():
            nodes_at.setdefault(p, []).append(n)
        tab = cls(wf, succ, pred, exits, exit_into, entries, G, place, tuple(sig))
        tab.nodes_at = nodes_at
        return tab

    def best_edge(self, u: str, v: str) -> Mapping[str, Any]:
        """The edge a route takes from ``u`` to ``v`` (that of :meth:`Weight.best_edge`)."""
        hit = self._best.get((u, v))
        if hit is None:
            hit = self.wf.best_edge(self.G, u, v)
            self._best[(u, v)] = hit
        return hit

    def tree(self, origin: str) -> tuple[dict[str, float], dict[str, str | None]]:
        """Dijkstra from the origin's gate, relaxing edges in the graph's order with ...

        ... networkx's tie-breaking: distances (in pop order) and parents.
        """
        dist: dict[str, float] = {}
        seen = {origin: 0.0}
        parent: dict[str, str | None] = {origin: None}
        c = itertools.count()
        fringe = [(0.0, next(c), origin)]
        push, pop = heapq.heappush, heapq.heappop
        succ, where = self.succ, self.place
        while fringe:
            d, _, v = pop(fringe)
            if v in dist:
                continue
            dist[v] = d
            at_origin = v != origin and where[v] == origin
            for u, cost in self.exits.get(v, ()) if v == origin else succ.get(v, ()):
                if at_origin and where[u] == origin:
                    continue  # no change of vehicle at the route's own origin
                vu = d + cost
                if u in dist:
                    continue
                if u not in seen or vu < seen[u]:
                    seen[u] = vu
                    push(fringe, (vu, next(c), u))
                    parent[u] = v
        return dist, parent


def _path_to(parent: Mapping[str, str | None], node: str) -> list[str]:
    out = []
    n: str | None = node
    while n is not None:
        out.append(n)
        n = parent[n]
    return out[::-1]


def _places(path: Sequence[str]) -> list[str]:
    return [p for p, _ in itertools.groupby(place_of(n) for n in path)]


@dataclass
class _Candidates:
    """A family's candidate routes of one pair: terms, and the best route's figures."""

    terms: list[dict[tuple[str, str, bool], float]]
    distance_km: float
    nodes: list[str]
    paths: list[tuple[str, ...]] = field(default_factory=list)

    def under(self, tab: _Tables) -> _Candidates:
        """The same routes measured under another weight that sees the same edges at the ...

        ... same costs (a scenario that leaves this family alone): only the terms change.
        """
        terms = [_terms_of(tab, p)[0] for p in self.paths]
        return _Candidates(terms, self.distance_km, self.nodes, self.paths)


def _terms_of(tab: _Tables, path: Sequence[str]) -> tuple[dict, list[Mapping[str, Any]]]:
    edges = [tab.best_edge(u, v) for u, v in itertools.pairwise(path)]
    if any(not edge_terms(e) for e in edges):
        raise InputError(
            "the route's edges carry no model terms (a hand-built graph): build the network "
            "with corridormap.build_network to compare with uncertainty"
        )
    return sum_terms(edges, tab.wf.term_factor()), edges


def _link_key(edges: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(e["link_id"] for e in edges if e["kind"] == "link")


@dataclass
class _Reads:
    """What a candidate search of the baseline read, to tell when a scenario's would read ...

    ... the same and so find the same routes.

    The search reads the predecessors, gate entries and gate exits of the nodes it expands
    (``expanded``, with the destination and its ways in) and of those its bound searches
    settle (:class:`_Bounds`); the tree's distance, parent and whole way from the origin of
    each of those predecessors; the settling order only where two ways into the destination
    tie (``tied``); and the edge a route takes between consecutive nodes of the routes it
    examines (``paths``). ``complete`` is false if the search handed the pair to
    ``alternatives``.
    """

    expanded: set[str] = field(default_factory=set)
    paths: list[Sequence[str]] = field(default_factory=list)
    tied: bool = False
    complete: bool = False

    def hold(
        self,
        a: _Tables,
        b: _Tables,
        changed: frozenset[str],
        stable: Callable[[str], bool],
    ) -> bool:
        """Whether a search under ``b`` reads all this search read under ``a``, the same ...

        ... but for its bounds (:meth:`_Bounds.agree` tells).

        Parameters
        ----------
        a, b
            The tables this search ran on, and another scenario's.
        changed
            The nodes whose predecessors, gate entries or gate exits differ in ``b``.
        stable
            Whether a node's distance, parent and way from the origin in ``b``'s tree
            are those of ``a``'s (or it is in neither).

        Returns
        -------
        bool
        """
        if not self.complete or self.tied or not changed.isdisjoint(self.expanded):
            return False
        for v in self.expanded:
            for u, _ in itertools.chain(a.pred.get(v, ()), a.entries.get(v, ())):
                if not stable(u):
                    return False
        try:
            return all(
                b.best_edge(x, y) is a.best_edge(x, y)
                for path in self.paths
                for x, y in itertools.pairwise(path)
            )
        except LookupError:  # an edge the scenario closed
            return False


def _candidates(
    tab: _Tables,
    dist: Mapping[str, float],
    parent: Mapping[str, str | None],
    order: Mapping[str, int],
    o: str,
    d: str,
    k: int,
    bounds: _Bounds | None = None,
    reads: _Reads | None = None,
) -> _Candidates | None:
    """Up to ``k`` candidate routes ``o -> d`` (None: no route); see the module notes.

    ``bounds`` memoises the constrained bounds (and may hold the baseline's, see
    :class:`_Bounds`); ``reads`` records what the search reads (:class:`_Reads`).
    """
    bounds = bounds if bounds is not None else _Bounds()
    reads = reads if reads is not None else _Reads()
    reads.expanded.update([d, *(u for u, _ in tab.entries.get(d, ()))])
    best_c, best_path, reads.tied = _tree_best(tab, dist, parent, order, d)
    if best_path is None:
        reads.complete = True
        return None
    path = best_path
    reads.paths.append(path)
    terms, edges = _terms_of(tab, path)
    nodes = _places(path)
    out = _Candidates(
        [terms], float(sum(float(e["distance_km"]) for e in edges)), nodes, [tuple(path)]
    )
    if k == 1:
        reads.complete = True
        return out
    seen = {_link_key(edges)}
    # best-first backwards from d; f = exact distance from o to the head + the suffix
    count = itertools.count()
    heap = [(best_c, -next(count), d, 0.0, (d,), frozenset({d}), True)]
    examined = pops = 0
    while heap and len(out.terms) < k:
        _f, _, v, g, suffix, placed, exact = heapq.heappop(heap)
        if not exact:
            # the tree's way to v crosses the suffix: bound it by a search that avoids the
            # suffix's places (checked only now, when the state comes up), drop v if none
            dv = _bound(tab, o, v, suffix, placed, bounds)
            if dv is not None:
                heapq.heappush(heap, (dv + g, -next(count), v, g, suffix, placed, True))
            continue
        if v == o:
            examined += 1
            if examined > MAX_EXAMINED:
                return _fallback(tab, o, d, k)
            reads.paths.append(suffix)
            edges = [tab.best_edge(a, b) for a, b in itertools.pairwise(suffix)]
            key = _link_key(edges)
            if key not in seen:  # terms only for a new route, not for each duplicate
                seen.add(key)
                out.terms.append(_terms_of(tab, suffix)[0])
                out.paths.append(suffix)
            continue
        reads.expanded.add(v)
        pops = _extend(tab, dist, parent, o, d, v, g, suffix, placed, heap, count, pops)
        if pops > MAX_STATES:
            return _fallback(tab, o, d, k)
    reads.complete = True
    return out


def _tree_best(
    tab: _Tables,
    dist: Mapping[str, float],
    parent: Mapping[str, str | None],
    order: Mapping[str, int],
    d: str,
) -> tuple[float, list[str] | None, bool]:
    """The best route to ``d`` along the shortest-path tree, entering ``d`` by a link.

    Parameters
    ----------
    tab
        The family's tables.
    dist, parent, order
        The tree from the origin: costs, parents and the order nodes were settled in (ties
        go to the node settled first).
    d
        The destination place.

    Returns
    -------
    tuple
        The best cost and the path (node ids, ending with ``d``), or ``(inf, None)`` if no
        route reaches ``d``; and whether two ways in tied (the order settled them).
    """
    best_u, best_c, best_path, tied = None, math.inf, None, False
    where = tab.place
    for u, c in tab.entries.get(d, ()):
        if u not in dist:
            continue
        arrive, via = dist[u], None
        if parent.get(u) is not None and where[parent[u]] == d:
            # the tree reached u by a change of vehicle at the destination itself, which a
            # route may not make: arrive at u by a link instead
            arrive = math.inf
            for p, pc in tab.pred.get(u, ()):
                if where[p] != d and p in dist and dist[p] + pc < arrive:
                    arrive, via = dist[p] + pc, p
            if via is None:
                continue
        total = arrive + c
        tied = tied or total == best_c
        if total < best_c or (total == best_c and order[u] < order[best_u]):  # type: ignore[index]
            best_u, best_c = u, total
            best_path = [*_path_to(parent, via), u, d] if via else [*_path_to(parent, u), d]
    if best_u is None:
        return best_c, None, tied
    return best_c, best_path, tied


class _Bounds:
    """The constrained bounds of one pair and family, by head, places and run.

    The baseline's (``record``) keep the nodes each search settled: a bound search reads
    nothing of the tables but the predecessors and the gate exits of the nodes it settles, so
    under a scenario whose tables are the same at all of those nodes it returns the same
    value, and a scenario's search of the pair (``prior``, with the nodes the scenario changed,
    ``changed``) takes it instead of searching again.
    """

    def __init__(
        self,
        record: bool = False,
        prior: _Bounds | None = None,
        changed: frozenset[str] | None = None,
    ) -> None:
        self.values: dict[tuple, float | None] = {}
        self.settled: dict[tuple, Mapping[str, float]] | None = {} if record else None
        self.prior = prior if prior is not None and prior.settled is not None else None
        self.changed = changed if changed is not None else frozenset()

    def get(self, tab: _Tables, o: str, key: tuple, v: str, pv: str, placed, rest) -> float | None:
        """The bound for ``key``: this search's, the baseline's if it holds, or a new search."""
        if key in self.values:
            return self.values[key]
        prior = self.prior
        if (
            prior is not None
            and key in prior.values
            and not any(n in prior.settled[key] for n in self.changed)
        ):
            value = prior.values[key]
        else:
            value, settled = _avoiding(tab, o, v, pv, placed, rest)
            if self.settled is not None:
                self.settled[key] = settled
        self.values[key] = value
        return value

    def agree(self, tab: _Tables, o: str) -> bool:
        """Whether every bound of the baseline's search (``prior``) has the same value here.

        Each is taken from the baseline where it holds, else searched again under ``tab``
        (and kept, for the search that follows if they do not all agree). A bound's key
        holds the suffix's run at the head's place, all of the suffix the search looks at
        that its places do not already exclude.
        """
        if self.prior is None:
            return False
        for key, value in self.prior.values.items():
            v, placed, run = key
            if self.get(tab, o, key, v, tab.place[v], placed, run) != value:
                return False
        return True


def _bound(
    tab: _Tables, o: str, v: str, suffix: tuple, placed: frozenset, bounds: _Bounds
) -> float | None:
    """The least cost ``o -> v`` that avoids the suffix's places, memoised in ``bounds``.

    Parameters
    ----------
    tab
        The family's tables.
    o
        The origin.
    v
        The head of the suffix.
    suffix
        The partial route from ``v`` to the destination.
    placed
        The places the suffix visits.
    bounds
        The memo, by head, places and the run of the suffix at ``v``'s place.

    Returns
    -------
    float or None
        The bound, or None if ``o`` cannot reach ``v`` that way.
    """
    pv = tab.place[v]
    run = tuple(n for n in suffix[1:] if tab.place[n] == pv)
    return bounds.get(tab, o, (v, placed, run), v, pv, placed, suffix[1:])


def _extend(
    tab: _Tables,
    dist: Mapping[str, float],
    parent: Mapping[str, str | None],
    o: str,
    d: str,
    v: str,
    g: float,
    suffix: tuple,
    placed: frozenset,
    heap: list,
    count: Any,
    pops: int,
) -> int:
    """Push the suffix extended by each allowed predecessor of its head ``v``.

    A predecessor may not be on the suffix, revisit a place, or change vehicle at the route's
    own ends. Stops as soon as the pushes exceed :data:`MAX_STATES`.

    Parameters
    ----------
    tab
        The family's tables.
    dist, parent
        The tree from the origin.
    o, d
        The origin and destination.
    v, g, suffix, placed
        The state: its head, the suffix's cost, the suffix and its places.
    heap, count
        The search's heap and tie-break counter.
    pops
        The states pushed so far.

    Returns
    -------
    int
        The states pushed so far, now (above :data:`MAX_STATES`: stop the search).
    """
    where = tab.place
    here = where[v]
    preds = tab.entries.get(v, ()) if v == d else tab.pred.get(v, ())
    gate_c = tab.exit_into.get(v, {}).get(o)
    if gate_c is not None:
        preds = [*preds, (o, gate_c)]
    for u, c in preds:
        du = dist.get(u)
        if du is None:
            continue
        pu = where[u]
        # the suffix's nodes are all at its places: only one at the head's place needs the
        # scan of the suffix (another place already visited is excluded as a whole)
        if pu in placed and (pu != here or u in suffix):
            continue  # on the suffix, or would visit a place twice
        if u != o and v != d and pu == here and here in (o, d):
            continue  # no change of vehicle at the route's own ends
        pops += 1
        if pops > MAX_STATES:
            return pops
        now = placed | {pu}
        exact = u == o or not _blocked(where, parent, u, pu, now, suffix)
        gu = c + g
        heapq.heappush(heap, (du + gu, -next(count), u, gu, (u, *suffix), now, exact))
    return pops


def _blocked(where, parent, u: str, pu: str, placed: frozenset, suffix: tuple) -> bool:
    n = parent[u]
    while n is not None:
        p = where[n]
        if p in placed and (p != pu or n in suffix):
            return True
        n = parent[n]
    return False


def _avoiding(
    tab: _Tables, o: str, u: str, pu: str, placed: frozenset, suffix: tuple
) -> tuple[float | None, Mapping[str, float]]:
    """The least cost ``o -> u`` over nodes outside the suffix and its places other than ...

    ... ``u``'s (a lower bound of every simple completion), or None; and the nodes settled.
    """
    closed = set(suffix)
    for p in placed:
        if p != pu:
            closed.update(tab.nodes_at.get(p, ()))
    gate_in = dict(tab.exits.get(o, ()))  # the costs from o's gate into its layer nodes
    pred, inf = tab.pred, math.inf
    pop, push = heapq.heappop, heapq.heappush
    dist: dict[str, float] = {}
    fringe = [(0.0, u)]
    best = {u: 0.0}
    while fringe:
        dx, x = pop(fringe)
        if x in dist:
            continue
        if x == o:
            return dx, dist
        dist[x] = dx
        preds = pred.get(x, ())
        gate_c = gate_in.get(x)
        if gate_c is not None:
            preds = [*preds, (o, gate_c)]
        for y, c in preds:
            if y in dist or y in closed:
                continue
            dy = dx + c
            if dy < best.get(y, inf):
                best[y] = dy
                push(fringe, (dy, y))
    return None, dist


def _fallback(tab: _Tables, o: str, d: str, k: int) -> _Candidates:
    from .routing import alternatives

    log.debug("sweep: %s -> %s handed to alternatives()", o, d)
    return _routes_as_candidates(alternatives(tab.G, o, d, k=k, weight=tab.wf))


# -- the Monte Carlo stream --------------------------------------------------------------------
class _Stream:
    """The uniform stream of ``default_rng(seed)``, drawn once, and the triangular draws ...

    ... made from it at each position (bit for bit what ``Generator.triangular`` returns).
    """

    def __init__(self, seed: int | None) -> None:
        self._rng = np.random.default_rng(seed)
        self._u = np.empty(0)
        self._memo: dict[tuple, np.ndarray] = {}
        self._bytes = 0

    def _uniform(self, pos: int, size: int) -> np.ndarray:
        need = pos + size
        if need > len(self._u):
            more = max(need - len(self._u), len(self._u))
            self._u = np.concatenate([self._u, self._rng.random(more)])
        return self._u[pos:need]

    def triangular(self, pos: int, lo: float, mode: float, hi: float, size: int) -> np.ndarray:
        key = (pos, size, lo, mode, hi)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        u = self._uniform(pos, size)
        base = hi - lo
        leftbase = mode - lo
        ratio = leftbase / base
        leftprod = leftbase * base
        rightprod = (hi - mode) * base
        out = np.where(u <= ratio, lo + np.sqrt(u * leftprod), hi - np.sqrt((1.0 - u) * rightprod))
        out.flags.writeable = False
        if self._bytes + out.nbytes <= _MEMO_BYTES:
            self._memo[key] = out
            self._bytes += out.nbytes
        return out

    def generator(self) -> _Replay:
        """A fresh reader from the start of the stream (what ``default_rng(seed)`` is)."""
        return _Replay(self)


class _Replay:
    """Stands in for ``default_rng(seed)`` in :func:`corridormap.compare._sample`."""

    def __init__(self, stream: _Stream) -> None:
        self._s = stream
        self._pos = 0

    def triangular(self, left: float, mode: float, right: float, size: int) -> np.ndarray:
        out = self._s.triangular(self._pos, left, mode, right, size)
        self._pos += size
        return out


# -- one partition -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Job:
    """What every partition needs besides the graph (all picklable)."""

    destinations: tuple[str, ...]
    scenarios: tuple[tuple[str, tuple[Any, ...]], ...]  # (label, Scenario objects)
    families: tuple[Family, ...]
    named_families: bool
    draws: int
    seed: int | None
    by: str
    candidates: int
    names: Mapping[str, str]


def _scenario_weight(G: nx.MultiDiGraph, label: str, items: tuple[Any, ...], by: str) -> Weight:
    if not items:
        return make_weight(by)
    from .scenarios import apply_scenario

    return apply_scenario(G, list(items)).weight(by)


@dataclass
class _Scenario:
    """A scenario's tables, and how its families differ from the baseline's."""

    label: str
    by: str
    tables: dict[str, _Tables]
    #: families the scenario leaves alone (the same visible edges at the same costs)
    same: set[str] = field(default_factory=set)
    #: of the others, the nodes whose predecessors or gate exits differ from the baseline's
    changed: dict[str, frozenset[str]] = field(default_factory=dict)


def _scenarios(G: nx.MultiDiGraph, job: _Job, fams: Sequence[Family]) -> list[_Scenario]:
    """Every scenario's tables, the first (the baseline) first, compared with the first's."""
    out: list[_Scenario] = []
    for label, items in job.scenarios:
        base = _scenario_weight(G, label, items, job.by)
        sc = _Scenario(label, base.by, _family_tables(G, fams, base, job.named_families))
        if out:
            first = out[0].tables
            for name, tab in sc.tables.items():
                if name not in first:
                    continue
                if tab.sig == first[name].sig:
                    sc.same.add(name)
                else:
                    sc.changed[name] = _changed_nodes(first[name], tab)
        out.append(sc)
    return out


def _changed_nodes(a: _Tables, b: _Tables) -> frozenset[str]:
    """The nodes whose predecessors, gate entries or gate exits differ between two tables."""
    nodes = {*a.pred, *b.pred, *a.exit_into, *b.exit_into, *a.entries, *b.entries}
    return frozenset(
        n
        for n in nodes
        if a.pred.get(n) != b.pred.get(n)
        or a.exit_into.get(n) != b.exit_into.get(n)
        or a.entries.get(n) != b.entries.get(n)
    )


class _Origin:
    """An origin's shortest-path trees under every scenario, and where they agree."""

    def __init__(self, scens: Sequence[_Scenario], o: str) -> None:
        self.o = o
        self.trees = [
            {n: _tree(tab, o) for n, tab in sc.tables.items() if n not in sc.same} for sc in scens
        ]
        self._stable: dict[tuple[int, str], set[str]] = {}

    def stable(self, s_index: int, name: str) -> Callable[[str], bool]:
        """Whether a node's distance, parent and way from the origin are the baseline's."""
        key = (s_index, name)
        if key not in self._stable:
            self._stable[key] = _stable_nodes(self.trees[0][name], self.trees[s_index][name])
        same = self._stable[key]
        dist_a, dist_b = self.trees[0][name][0], self.trees[s_index][name][0]
        return lambda n: n in same or (n not in dist_a and n not in dist_b)


def _stable_nodes(a: tuple, b: tuple) -> set[str]:
    """The nodes of tree ``a`` at the same distance under the same parents in tree ``b``."""
    dist_a, parent_a, _ = a
    dist_b, parent_b, _ = b
    out: set[str] = set()
    for n, x in dist_a.items():  # in settling order: a parent before its children
        p = parent_a[n]
        if n in dist_b and dist_b[n] == x and parent_b.get(n) == p and (p is None or p in out):
            out.add(n)
    return out


def run_partition(G: nx.MultiDiGraph, origins: Sequence[str], job: _Job) -> dict[str, list]:
    """Sweep some origins to every destination under every scenario: the table's columns.

    This is what a Dask worker runs; :func:`sweep` splits the origins and puts the parts
    back together in order. The rows come scenario by scenario; the work goes pair by pair,
    so that a scenario's searches can take the baseline's for the same pair where they hold.
    """
    params = G.graph["params"]
    stream = _Stream(job.seed)
    fams = list(job.families)
    instc = [f.name for f in fams if f.instc]
    # pairs and scenarios whose candidates' terms are the same are evaluated once
    memo: dict[tuple, _Summary] = {}
    if G.number_of_edges() > OWN_SEARCH_MAX_EDGES:
        return _partition_by_compare(G, origins, job, memo, stream, instc)
    scens = _scenarios(G, job, fams)
    parts: list[dict[str, list]] = [{c: [] for c in SWEEP_COLUMNS} for _ in scens]
    for o in origins:
        at = _Origin(scens, o)
        for d in job.destinations:
            if d == o:
                continue
            found: dict[str, tuple] = {}  # the baseline's searches of the pair
            for i, sc in enumerate(scens):
                cands = _pair_candidates(scens, at, found, d, i, job.candidates)
                summary = None
                if cands:
                    summary = _pair_draws(params, cands, memo, job, stream, sc.by, instc)
                _rows(parts[i], job, o, d, sc.label, fams, cands, summary)
    return {c: [v for part in parts for v in part[c]] for c in SWEEP_COLUMNS}


#: above this many edges a pair's candidates are :func:`corridormap.compare`'s own (its
#: ``alternatives`` on the compiled core), not this module's search in Python: on a large
#: network the core's two searches per family cost less than the Python trees this module
#: shares between pairs (the 10k-edge benchmark grid: 13 s per origin against ~20 ms a pair)
OWN_SEARCH_MAX_EDGES = 2_000


def _partition_by_compare(
    G: nx.MultiDiGraph,
    origins: Sequence[str],
    job: _Job,
    memo: dict[tuple, _Summary],
    stream: _Stream,
    instc: list[str],
) -> dict[str, list]:
    """:func:`run_partition` on a large network.

    Each pair's candidates are found as ``compare`` finds them (the same function); the
    Monte Carlo and the rows are shared as on a small network.
    """
    from .compare import _family_candidates

    fams = list(job.families)
    scens = [(label, _scenario_weight(G, label, items, job.by)) for label, items in job.scenarios]
    parts: list[dict[str, list]] = [{c: [] for c in SWEEP_COLUMNS} for _ in scens]
    for o in origins:
        for d in job.destinations:
            if d == o:
                continue
            for i, (label, base) in enumerate(scens):
                routes, _ = _family_candidates(
                    G, o, d, fams, base, job.candidates, named=job.named_families
                )
                cands = {name: _routes_as_candidates(rs) for name, rs in routes.items()}
                summary = None
                if cands:
                    params = G.graph["params"]
                    summary = _pair_draws(params, cands, memo, job, stream, base.by, instc)
                _rows(parts[i], job, o, d, label, fams, cands, summary)
    return {c: [v for part in parts for v in part[c]] for c in SWEEP_COLUMNS}


def _routes_as_candidates(routes: Sequence[Any]) -> _Candidates:
    """Routes (best first) as a family's :class:`_Candidates`."""
    from .compare import route_terms

    best = routes[0]
    return _Candidates(
        [route_terms(r) for r in routes],
        best.distance_km,
        best.nodes,
        [tuple(r.path) for r in routes],
    )


def _tree(tab: _Tables, o: str) -> tuple[dict, dict, dict]:
    dist, parent = tab.tree(o)
    return dist, parent, {n: i for i, n in enumerate(dist)}


def _family_tables(
    G: nx.MultiDiGraph, fams: Sequence[Family], base: Weight, named: bool
) -> dict[str, _Tables]:
    """Each family's search tables under the scenario weight ``base``.

    Parameters
    ----------
    G
        The network.
    fams
        The families.
    base
        The scenario's weight.
    named
        Whether the families were asked for by name: then one that does not apply to the
        network is an error; otherwise it is left out.

    Returns
    -------
    dict
        The tables by family name.

    Raises
    ------
    InputError
        If a family asked for by name does not apply to the network.
    """
    tables: dict[str, _Tables] = {}
    for fam in fams:
        try:
            tables[fam.name] = _Tables.build(G, _family_weight(G, fam, base))
        except InputError:
            if named:
                raise
    return tables


def _pair_candidates(
    scens: Sequence[_Scenario],
    at: _Origin,
    found: dict[str, tuple],
    d: str,
    s_index: int,
    k: int,
) -> dict[str, _Candidates]:
    """Each family's candidate routes ``o -> d`` under a scenario (families without left out).

    Parameters
    ----------
    scens
        The scenarios: tables, the families each leaves alone (their baseline routes are
        reused) and the nodes it changes in the others.
    at
        The origin and its trees.
    found
        The baseline's searches of the pair by family (candidates, bounds, reads); filled in
        when ``s_index`` is 0.
    d
        The destination.
    s_index
        The scenario's index (0: the baseline).
    k
        Candidates per family.

    Returns
    -------
    dict
        The candidates by family name.
    """
    sc, o = scens[s_index], at.o
    cands: dict[str, _Candidates] = {}
    for name, tab in sc.tables.items():
        if name in sc.same:
            prev = found[name][0]
            got = prev.under(tab) if prev is not None else None
        elif s_index == 0:
            # what the search read is kept only if a scenario may take its results
            bounds, reads = _Bounds(record=any(name in s.changed for s in scens)), _Reads()
            dist, parent, order = at.trees[0][name]
            got = _candidates(tab, dist, parent, order, o, d, k, bounds, reads)
            found[name] = (got, bounds, reads)
        else:
            got = _scenario_candidates(scens, at, found, d, s_index, name, k)
        if got is not None:
            cands[name] = got
    return cands


def _scenario_candidates(
    scens: Sequence[_Scenario],
    at: _Origin,
    found: dict[str, tuple],
    d: str,
    s_index: int,
    name: str,
    k: int,
) -> _Candidates | None:
    """A family's candidates under a scenario that changes its tables: the baseline's ...

    ... routes (measured under the scenario) where the scenario changes nothing the
    baseline's search read (:meth:`_Reads.hold`), else a search that takes the baseline's
    bounds where they hold. The parameters are those of :func:`_pair_candidates` and the
    family's name.
    """
    sc, tab = scens[s_index], scens[s_index].tables[name]
    prev, prior, reads = found.get(name, (None, None, None))
    changed = sc.changed.get(name)
    if reads is None or changed is None:
        prior = None
    bounds = _Bounds(prior=prior, changed=changed)
    if (
        reads is not None
        and changed is not None
        and reads.hold(scens[0].tables[name], tab, changed, at.stable(s_index, name))
        and bounds.agree(tab, at.o)
    ):
        return prev.under(tab) if prev is not None else None
    dist, parent, order = at.trees[s_index][name]
    return _candidates(tab, dist, parent, order, at.o, d, k, bounds)


@dataclass(frozen=True)
class _Summary:
    """What the table shows of a pair's Monte Carlo: percentiles, best family, P(faster)."""

    pct: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]]
    best: str | None
    p_faster: dict[str, float]  # by non-INSTC family, when an INSTC family is reachable


def _summarise(days: Mapping[str, np.ndarray], cost: Mapping[str, np.ndarray], job, instc):
    """The :class:`_Summary` of a pair's days and cost per draw, by family.

    Parameters
    ----------
    days, cost
        Days and cost per draw, by family name (those with a route).
    job
        The sweep's settings (``by`` picks the best family).
    instc
        The INSTC families' names.

    Returns
    -------
    _Summary
    """
    names = list(days)
    pct = {}
    if names:
        # one call for every family's days and cost (numpy's percentile, row by row)
        q = _percentiles(np.stack([*(days[n] for n in names), *(cost[n] for n in names)]))
        k = len(names)
        for i, n in enumerate(names):
            pct[n] = (tuple(map(float, q[:, i])), tuple(map(float, q[:, k + i])))
    objective = 1 if job.by.startswith("cost") else 0
    best = min(pct, key=lambda n: pct[n][objective][1]) if pct else None
    inst = [days[n] for n in instc if n in days]
    p_faster = {}
    if inst:
        best_instc = np.minimum.reduce(inst)
        p_faster = {n: float(np.mean(best_instc < days[n])) for n in names if n not in instc}
    return _Summary(pct, best, p_faster)


def _pair_draws(
    params: Mapping[str, Any],
    cands: Mapping[str, _Candidates],
    memo: dict[tuple, _Summary],
    job: _Job,
    stream: _Stream,
    by: str,
    instc: Sequence[str],
) -> _Summary:
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
    stream
        The random stream; a generator is taken from it only for a new evaluation.
    by
        What picks each family's route in a draw.
    instc
        The INSTC families' names.

    Returns
    -------
    _Summary
    """
    T = _Terms.from_terms({n: c.terms for n, c in cands.items()})
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
        days, cost = _monte_carlo(params, T, job.draws, stream.generator(), by, None, job.seed)
        hit = memo[key] = _summarise(days, cost, job, instc)
    return hit


def _rows(cols, job, o, d, label, fams, cands, summary: _Summary | None) -> None:
    pct = summary.pct if summary is not None else {}
    best = summary.best if summary is not None else None
    for fam in fams:
        row = {
            "origin": o,
            "origin_name": job.names.get(o, o),
            "destination": d,
            "destination_name": job.names.get(d, d),
            "scenario": label,
            "family": fam.name,
            "family_label": fam.label,
            "instc": fam.instc,
            "reachable": fam.name in pct,
            "best_family": best,
            "draws": job.draws,
            "seed": job.seed,
        }
        if fam.name in pct:
            (t10, t50, t90), (c10, c50, c90) = pct[fam.name]
            cand = cands[fam.name]
            row.update(
                distance_km=cand.distance_km,
                days_p10=t10,
                days_p50=t50,
                days_p90=t90,
                cost_usd_p10=c10,
                cost_usd_p50=c50,
                cost_usd_p90=c90,
                nodes=" ".join(cand.nodes),
            )
            if not fam.instc and fam.name in summary.p_faster:
                row["p_instc_faster"] = summary.p_faster[fam.name]
        for c in SWEEP_COLUMNS:
            cols[c].append(row.get(c, math.nan if c not in ("nodes", "best_family") else None))


# -- the sweep -------------------------------------------------------------------------------
def _scenario_items(G: nx.MultiDiGraph, scenarios: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """``[(label, Scenario objects)]``: the baseline first, then each scenario given."""
    from .scenarios import Scenario, load_scenario

    if scenarios is None:
        given: list[Any] = []
    elif isinstance(scenarios, str | Scenario | os.PathLike):
        given = [scenarios]
    else:
        given = list(scenarios)
    out: dict[str, tuple[Any, ...]] = {"baseline": ()}
    for s in given:
        if isinstance(s, str) and s == "baseline":
            continue
        sc = s if isinstance(s, Scenario) else load_scenario(s, G)
        sc.validate(G)
        if sc.name in out:
            continue
        out[sc.name] = (sc,)
    return list(out.items())


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


def sweep(
    G: nx.MultiDiGraph,
    origins: Iterable[str],
    destinations: Iterable[str],
    *,
    scenarios: Iterable[Any] | str | None = None,
    families: Iterable[str | Family] | None = None,
    draws: int = 10_000,
    seed: int | None = 0,
    by: str = "time_h",
    candidates: int = 4,
    client: Any = None,
    partitions: int | None = None,
    workers: int | None = None,
    progress: bool | None = None,
):
    """Compare the route families for every origin x destination x scenario.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Place ids or names, kinds (``port``), regions (``caucasus``) or ISO country codes,
        resolved by :func:`resolve_endpoints`; a pair of one place with itself is skipped.
    scenarios
        Scenario names, files or :class:`~corridormap.Scenario` objects, each on its own;
        the baseline is always included, first.
    families
        Family names (default every family of the network's ``families.toml``).
    draws, seed
        The Monte Carlo of :func:`corridormap.compare`; a pair's figures equal
        ``compare(G, o, d, draws=draws, seed=seed, weight=<scenario weight>)``.
    by
        What picks each family's route per draw and the best family: ``time_h`` or
        ``cost_usd``.
    candidates
        Routes per family evaluated in every draw (as ``compare``'s ``candidates``).
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
        Show a progress bar on stderr (default: when stderr is a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per origin, destination, scenario and family (:data:`SWEEP_COLUMNS`):
        P10/P50/P90 days and cost per TEU, the family with the least median (``best_family``),
        and on each sea family's row ``p_instc_faster``, the probability that the best
        INSTC branch is faster. Unreachable families have ``reachable`` false and no figures.

    Raises
    ------
    InputError
        If an argument is invalid.
    UnknownPlaceError
        If a place, kind, region or country is not known.
    ScenarioError
        If a scenario names ids the network does not have.
    """
    import pandas as pd

    from .places import places
    from .weights import objective_attr

    check_graph(G, "sweep")
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    candidates = check_count(candidates, "candidates", high=100)
    by = objective_attr(by)
    if by not in ("time_h", "cost_usd"):
        raise InputError(f"by must be time_h or cost_usd for a sweep, got {by!r}")
    os_ = resolve_endpoints(G, origins, "origins")
    ds = resolve_endpoints(G, destinations, "destinations")
    if partitions is not None:
        partitions = check_count(partitions, "partitions", high=100_000)
    if workers is not None:
        workers = check_count(workers, "workers", high=1024)
    table = _network_families(G)
    fams = _resolve_families(families, table)
    cat = places(G)
    job = _Job(
        destinations=tuple(ds),
        scenarios=tuple(_scenario_items(G, scenarios)),
        families=tuple(fams),
        named_families=families is not None,
        draws=draws,
        seed=seed,
        by=by,
        candidates=candidates,
        names={pid: str(cat[pid].get("name", pid)) for pid in {*os_, *ds}},
    )
    show = progress if progress is not None else _isatty()
    parts = _run(G, os_, job, client, partitions, workers, show)
    frame = pd.DataFrame({c: [v for p in parts for v in p[c]] for c in SWEEP_COLUMNS})
    if frame.empty:
        raise NoRouteError("the sweep has no pair: every origin is also the only destination")
    frame = frame.astype({"instc": bool, "reachable": bool, "draws": "int64"})
    frame.attrs["reference"] = table.reference
    return frame


def _isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _run(
    G: nx.MultiDiGraph,
    origins: list[str],
    job: _Job,
    client: Any,
    partitions: int | None,
    workers: int | None,
    show: bool,
) -> list[dict[str, list]]:
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
    G: nx.MultiDiGraph, chunks: list[list[str]], job: _Job, show: bool
) -> list[dict[str, list]]:
    out = []
    with _bar(sum(map(len, chunks)), show, "origin") as bar:
        for chunk in chunks:
            part = _origin_parts(G, chunk, job, bar.update)
            out.append(part)
    return out


def _origin_parts(
    G: nx.MultiDiGraph, chunk: list[str], job: _Job, tick: Callable[[int], Any]
) -> dict[str, list]:
    cols = run_partition(G, chunk, job)
    tick(len(chunk))
    return cols


def _on_dask(client, G, chunks: list[list[str]], job: _Job, show: bool) -> list[dict[str, list]]:
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


def write_table(frame: Any, path: str | os.PathLike[str]) -> Any:
    """Write a sweep table atomically: Parquet (pyarrow) when the name ends in ``.parquet``, ...

    ... else CSV with every text cell made safe for spreadsheets.

    Raises
    ------
    InputError
    If Parquet is asked for and pyarrow is not installed.
    """
    from pathlib import Path

    from ._atomic import atomic_write
    from ._format import frame_csv_text

    target = Path(path)
    if target.suffix.lower() == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                "writing Parquet needs pyarrow: pip install 'corridormap[dask]' (or pyarrow), "
                "or name the output .csv"
            ) from None
        table = pa.Table.from_pandas(frame, preserve_index=False)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return atomic_write(target, sink.getvalue().to_pybytes())
    return atomic_write(target, frame_csv_text(frame))
