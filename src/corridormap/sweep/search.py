"""The sweep's own route search: one shortest-path tree per origin, and each pair's candidates.

A scenario-and-family weight is flattened once into successor / predecessor lists of the least
visible edge cost (:class:`Tables`: what every search of :mod:`corridormap.routing` evaluates
edge by edge). From it:

* **one shortest-path tree per origin**: networkx's Dijkstra (same relaxation order, same
  tie-breaking) from the origin's gate gives the best route to every destination, exactly the
  route :func:`corridormap.route` finds;
* the further candidates (``candidates - 1`` per family, as :func:`corridormap.alternatives`
  lists them) come from a best-first search backwards from the destination whose heuristic is
  that tree's exact distance, so it walks straight to the next-best distinct routes instead of
  re-solving the pair (Yen's algorithm runs hundreds of searches per pair). A route that visits
  a place twice is pruned as ``alternatives`` skips it. Where that search would examine
  ``MAX_EXAMINED`` paths (the limit ``alternatives`` has), the pair falls back to
  ``alternatives`` itself.

Routes of equal cost at likely values are ordered as networkx orders them for the best route;
among further candidates of exactly equal cost the search goes depth first, so which of several
equal routes fills the last candidate place may differ from ``alternatives``; the figures then
differ only if those equal routes have different terms. What a search reads (:class:`Reads`)
and the bounds it computes (:class:`Bounds`) are kept so that a scenario's search of the same
pair can take them (:mod:`.sharing`).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .._errors import InputError
from ..model import edge_terms, sum_terms
from ..network import GATE, place_of
from ..uncertainty import route_terms
from ..weights import Weight

__all__ = [
    "MAX_EXAMINED",
    "MAX_STATES",
    "Bounds",
    "Candidates",
    "Reads",
    "Tables",
    "find_candidates",
    "routes_as_candidates",
    "tree_of",
]

log = logging.getLogger("corridormap")

#: what the candidate search examines at most before handing a pair to ``alternatives``
MAX_EXAMINED = 500
#: states the candidate search pushes at most before handing a pair to ``alternatives``
MAX_STATES = 20_000


@dataclass
class Tables:
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
    def build(cls, G: nx.MultiDiGraph, wf: Weight) -> Tables:
        """The tables of ``G`` seen through the weight ``wf``."""
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
class Candidates:
    """A family's candidate routes of one pair: terms, and the best route's figures."""

    terms: list[dict[tuple[str, str, bool], float]]
    distance_km: float
    nodes: list[str]
    paths: list[tuple[str, ...]] = field(default_factory=list)

    def under(self, tab: Tables) -> Candidates:
        """The same routes measured under another weight that sees the same edges at the ...

        ... same costs (a scenario that leaves this family alone): only the terms change.
        """
        terms = [_terms_of(tab, p)[0] for p in self.paths]
        return Candidates(terms, self.distance_km, self.nodes, self.paths)


def _terms_of(tab: Tables, path: Sequence[str]) -> tuple[dict, list[Mapping[str, Any]]]:
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
class Reads:
    """What a candidate search of the baseline read, to tell when a scenario's would read ...

    ... the same and so find the same routes.

    The search reads the predecessors, gate entries and gate exits of the nodes it expands
    (``expanded``, with the destination and its ways in) and of those its bound searches
    settle (:class:`Bounds`); the tree's distance, parent and whole way from the origin of
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
        a: Tables,
        b: Tables,
        changed: frozenset[str],
        stable: Callable[[str], bool],
    ) -> bool:
        """Whether a search under ``b`` reads all this search read under ``a``, the same ...

        ... but for its bounds (:meth:`Bounds.agree` tells).

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


def find_candidates(
    tab: Tables,
    dist: Mapping[str, float],
    parent: Mapping[str, str | None],
    order: Mapping[str, int],
    o: str,
    d: str,
    k: int,
    bounds: Bounds | None = None,
    reads: Reads | None = None,
) -> Candidates | None:
    """Up to ``k`` candidate routes ``o -> d`` (None: no route); see the module notes.

    ``bounds`` memoises the constrained bounds (and may hold the baseline's, see
    :class:`Bounds`); ``reads`` records what the search reads (:class:`Reads`).
    """
    bounds = bounds if bounds is not None else Bounds()
    reads = reads if reads is not None else Reads()
    reads.expanded.update([d, *(u for u, _ in tab.entries.get(d, ()))])
    best_c, best_path, reads.tied = _tree_best(tab, dist, parent, order, d)
    if best_path is None:
        reads.complete = True
        return None
    path = best_path
    reads.paths.append(path)
    terms, edges = _terms_of(tab, path)
    nodes = _places(path)
    out = Candidates(
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
    tab: Tables,
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


class Bounds:
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
        prior: Bounds | None = None,
        changed: frozenset[str] | None = None,
    ) -> None:
        self.values: dict[tuple, float | None] = {}
        self.settled: dict[tuple, Mapping[str, float]] | None = {} if record else None
        self.prior = prior if prior is not None and prior.settled is not None else None
        self.changed = changed if changed is not None else frozenset()

    def get(self, tab: Tables, o: str, key: tuple, v: str, pv: str, placed, rest) -> float | None:
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

    def agree(self, tab: Tables, o: str) -> bool:
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
    tab: Tables, o: str, v: str, suffix: tuple, placed: frozenset, bounds: Bounds
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
    tab: Tables,
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
    tab: Tables, o: str, u: str, pu: str, placed: frozenset, suffix: tuple
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


def _fallback(tab: Tables, o: str, d: str, k: int) -> Candidates:
    from ..routing import alternatives

    log.debug("sweep: %s -> %s handed to alternatives()", o, d)
    return routes_as_candidates(alternatives(tab.G, o, d, k=k, weight=tab.wf, distinct="links"))


def routes_as_candidates(routes: Sequence[Any]) -> Candidates:
    """Routes (best first) as a family's :class:`Candidates`."""
    best = routes[0]
    return Candidates(
        [route_terms(r) for r in routes],
        best.distance_km,
        best.nodes,
        [tuple(r.path) for r in routes],
    )


def tree_of(tab: Tables, o: str) -> tuple[dict, dict, dict]:
    """The tree from ``o`` (:meth:`Tables.tree`) and the order its nodes were settled in."""
    dist, parent = tab.tree(o)
    return dist, parent, {n: i for i, n in enumerate(dist)}
