"""The sweep's own route search: one shortest-path tree per origin gives every pair's route.

A scenario-and-family weight is flattened once into successor / predecessor lists of the least
visible edge cost (:class:`Tables`: what every search of :mod:`corridormap.routing` evaluates
edge by edge). From it, one shortest-path tree per origin (networkx's Dijkstra: same relaxation
order, same tie-breaking) from the origin's gate gives the best route to every destination,
exactly the route :func:`corridormap.route` finds with the same weight (:func:`best_route`).

The same trees run on the compiled core (:mod:`corridormap.search`): :class:`CoreTables` holds a
weight's least value per ``(u, v)`` pair and each pair's cheapest edge as arrays, and a tree is
one scipy Dijkstra from the origin's gate on the core's CSR matrix (:class:`CoreTree`). The
routes are read off its predecessors as :func:`best_route` reads them; where two ways tie
exactly (the order a search settles nodes in then decides, which scipy's does not reproduce)
the tree or destination is read off :class:`Tables`. What a path adds up to (terms, km, route
key, places) is added edge by edge, once per path from an origin whatever tree it is on
(:class:`Paths`).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from .._errors import InputError
from ..model import edge_terms
from ..network import GATE, place_of
from ..uncertainty import route_key, split_first_wait, take_first_wait
from ..weights import Weight

__all__ = [
    "TABLES_KEPT",
    "CoreTables",
    "CoreTree",
    "Layout",
    "PairRoute",
    "Paths",
    "Tables",
    "best_route",
    "layout",
    "tree_of",
]

log = logging.getLogger("corridormap")


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


def tree_of(tab: Tables, o: str) -> tuple[dict, dict, dict]:
    """The tree from ``o`` (:meth:`Tables.tree`) and the order its nodes were settled in."""
    dist, parent = tab.tree(o)
    return dist, parent, {n: i for i, n in enumerate(dist)}


@dataclass
class PairRoute:
    """A family's route of one pair, as the sweep needs it.

    Attributes
    ----------
    transit, wait
        Its terms (:func:`corridormap.uncertainty.route_terms`).
    path
        Its node ids.
    distance_km
        Its length.
    nodes
        Its place ids in order.
    id
        What the route is (:func:`corridormap.uncertainty.route_key`): the key of its
        model-error stream.
    weight
        The family's weight that found it (:func:`corridormap.routing.route_from_path`
        measures the route's legs through it).
    edges
        The edges it takes, in order (the graph's own edge data, read only).
    ident
        Its number among its origin's paths (:class:`Paths`): two routes of an origin with
        the same number are the same route with the same terms; -1 when it has none.
    """

    transit: dict
    wait: dict
    path: tuple[str, ...]
    distance_km: float
    nodes: list[str]
    id: str
    weight: Weight | None = field(default=None, repr=False, compare=False)
    edges: tuple[Mapping[str, Any], ...] = field(default=(), repr=False, compare=False)
    #: its number among the origin's paths (:class:`Paths`; -1 when not read off one)
    ident: int = field(default=-1, repr=False, compare=False)


def best_route(tab: Tables, tree: tuple[dict, dict, dict], d: str) -> PairRoute | None:
    """The route :func:`corridormap.route` finds to ``d`` along the origin's tree, or None."""
    dist, parent, order = tree
    _cost, path, _tied = _tree_best(tab, dist, parent, order, d)
    if path is None:
        return None
    edges = [tab.best_edge(u, v) for u, v in itertools.pairwise(path)]
    if any(not edge_terms(e) for e in edges):
        raise InputError(
            "the route's edges carry no model terms (a hand-built graph): build the network "
            "with corridormap.build_network to compare with uncertainty"
        )
    transit, wait = split_first_wait(edges, tab.wf.term_factor())
    return PairRoute(
        transit,
        wait,
        tuple(path),
        float(sum(float(e["distance_km"]) for e in edges)),
        _places(path),
        route_key(edges),
        tab.wf,
        tuple(edges),
    )


# -- the same trees on the compiled core -----------------------------------------------------
#: the :class:`CoreTables` a :class:`Layout` keeps (a sweep's scenarios x clocks x families)
TABLES_KEPT = 256


class Layout:
    """What the sweep's trees need of a network's compiled core, by node and ``(u, v)`` pair.

    Built once per graph (:func:`layout`). The trees of :class:`CoreTables` search the core's
    CSR matrix with the pairs a tree from an origin may not use made ``inf``: out of any gate
    but the origin's, into any gate (a destination is entered by :func:`_core_best`), and
    between two nodes of the origin other than its gate (no change of vehicle there), as
    :meth:`Tables.tree` skips them.
    """

    def __init__(self, G: nx.MultiDiGraph, core: Any) -> None:
        self.core = core
        n = len(core.nodes)
        counts = np.diff(core.indptr)
        #: tail and head node index of every pair
        self.pair_u = np.repeat(np.arange(n, dtype=np.int64), counts)
        self.pair_v = core.indices.astype(np.int64)
        attrs = G.nodes
        self.gate = np.fromiter(
            (attrs[x].get("layer") == GATE for x in core.nodes), dtype=bool, count=n
        )
        where = [attrs[x].get("place", place_of(x)) for x in core.nodes]
        code: dict[str, int] = {}
        self.place = np.fromiter((code.setdefault(p, len(code)) for p in where), np.int64, n)
        self.place_code = code
        self.place_of = where  # the place of each node, as the legacy tables read it
        self.route_place = [place_of(x) for x in core.nodes]  # as a route's places are read
        gu, gv = self.gate[self.pair_u], self.gate[self.pair_v]
        #: pairs no tree uses: into a gate (gate to gate included)
        self.base_hide = gv
        self.from_gate = gu
        self.inner = ~gu & (self.place[self.pair_u] == self.place[self.pair_v])
        # per gate node: the pairs into it from a node that is not a gate (a destination's
        # ways in); per node: the pairs into it from a node that is not a gate
        into = np.flatnonzero(~gu)
        order = into[np.argsort(self.pair_v[into], kind="stable")]  # by head, then tail
        heads = self.pair_v[order]
        starts = np.searchsorted(heads, np.arange(n + 1))
        self.into = [order[starts[i] : starts[i + 1]].tolist() for i in range(n)]
        self.pair_u_list = self.pair_u.tolist()
        #: (tail, head) -> pair
        self.pair_at = {
            uv: p for p, uv in enumerate(zip(self.pair_u_list, self.pair_v.tolist(), strict=True))
        }
        self._tables: dict[tuple, CoreTables] = {}
        self.place_list = self.place.tolist()

    def tables(self, G: nx.MultiDiGraph, wf: Weight) -> CoreTables:
        """The :class:`CoreTables` of weight ``wf`` (kept: a sweep's partitions share them)."""
        from ..search import weight_key

        key = weight_key(wf)
        got = self._tables.get(key)
        if got is None or got.wf != wf:
            got = self._tables[key] = CoreTables(G, wf, self)
            while len(self._tables) > TABLES_KEPT:
                self._tables.pop(next(iter(self._tables)))
        return got

    def origin_hide(self, o: int) -> np.ndarray:
        """The pairs a tree from the gate node ``o`` may not use."""
        hide = self.base_hide | (self.from_gate & (self.pair_u != o))
        return hide | (self.inner & (self.place[self.pair_u] == self.place[o]))


def layout(G: nx.MultiDiGraph) -> Layout | None:
    """The :class:`Layout` of ``G`` (kept with the graph), ``None`` without a compiled core."""
    from .._cache import derived
    from ..search import core

    c = core(G)
    if c is None:
        return None
    return derived(G, "sweep_layout", lambda g: Layout(g, c), structure=True)


class CoreTables:
    """A scenario-and-family weight on the compiled core: the trees of :class:`Tables`.

    Every pair's value is the least visible edge value (the core's, the same numbers as the
    weight's own function); each origin's tree is one run of scipy's Dijkstra (:meth:`tree`).
    Where two ways tie exactly, the order :meth:`Tables.tree` settles nodes in decides, which
    scipy's does not reproduce: such a tree or destination is read off :class:`Tables` itself
    (built when first needed), so the routes are always those of :class:`Tables`.
    """

    def __init__(self, G: nx.MultiDiGraph, wf: Weight, lay: Layout) -> None:
        self.G, self.wf, self.lay = G, wf, lay
        c = lay.core
        ev = c.edge_vector(wf)
        self.values = c.pair_values(ev)
        #: per pair, its cheapest visible edge (the first of equals: Weight.best_edge's)
        ends = c.pair_end
        first = c.pair_start
        if c.simple:
            self.best = first
        else:
            low = np.repeat(self.values, ends - first)
            hit = np.flatnonzero(ev == low)
            seg = np.searchsorted(first, hit, side="right") - 1
            _, at = np.unique(seg, return_index=True)
            self.best = first.copy()
            self.best[seg[at]] = hit[at]
        self.value_list = self.values.tolist()
        self.best_list = self.best.tolist()
        self.factor = wf.term_factor()
        #: what a route's terms depend on besides its edges
        self.scaling = wf.scaling
        self._legacy: Tables | None = None

    @property
    def legacy(self) -> Tables:
        """The Python tables of the same weight (for trees or destinations with ties)."""
        if self._legacy is None:
            self._legacy = Tables.build(self.G, self.wf)
        return self._legacy

    def tree(
        self, o: str, hide: np.ndarray | None = None, paths: Paths | None = None
    ) -> CoreTree | tuple:
        """The tree from place ``o``'s gate: a :class:`CoreTree`, or :func:`tree_of`'s.

        ``hide`` is :meth:`Layout.origin_hide` of ``o``; ``paths`` the :class:`Paths` from
        ``o`` the origin's trees share (both made here when not given).
        """
        lay = self.lay
        c = lay.core
        oi = c.index[o]
        if hide is None:
            hide = lay.origin_hide(oi)
        vals = np.where(hide, np.inf, self.values)
        from .. import csr

        dist, pred = csr.dijkstra(c.matrix(vals), [oi])
        # a node reached by two ways of equal cost: the legacy tree's order decides
        du = dist[lay.pair_u]
        same = (du + vals == dist[lay.pair_v]) & np.isfinite(vals) & np.isfinite(du)
        same &= (lay.pair_u != pred[lay.pair_v]) & (lay.pair_v != oi)
        if same.any():
            return tree_of(self.legacy, o)
        return CoreTree(self, oi, dist, pred, paths if paths is not None else Paths(lay))


#: two ways into a destination cost the same (:meth:`CoreTree._way_in`)
_TIED = object()


class Paths:
    """The paths from one origin, each kept once whatever tree it is on: what it adds up to.

    A path is a number: the path it extends by one edge, under a scenario's scaling (what a
    route's terms depend on besides its edges). What it adds up to is added as
    :func:`corridormap.model.sum_terms` and :func:`best_route` add it, edge after edge, so
    the same numbers: its terms, km, route key (:func:`corridormap.uncertainty.route_key`),
    edges, nodes and places. The families, clocks and scenarios of an origin share most of
    their paths.
    """

    def __init__(self, lay: Layout) -> None:
        self.lay = lay
        self._ids: dict[tuple, int] = {}
        #: per path: (terms, km, route key, edges, node ids, places)
        self.info: list[tuple] = []
        self._terms: dict[tuple, tuple] = {}
        self._routes: dict[int, tuple[dict, dict]] = {}
        self._codes: dict[Any, int] = {}

    def code(self, scaling: Any) -> int:
        """A number for a scenario's scaling (``None``: none): what :meth:`step` takes."""
        return self._codes.setdefault(scaling, len(self._codes))

    def root(self, scaling: int, o: int) -> int:
        """The path of no edge at node ``o``."""
        key = (scaling, -1, o)
        got = self._ids.get(key)
        if got is None:
            lay = self.lay
            got = self._ids[key] = len(self.info)
            self.info.append(({}, 0.0, "", (), (lay.core.nodes[o],), (lay.route_place[o],)))
        return got

    def step(self, scaling: int, factor: Any, path: int, e: int) -> int:
        """Path ``path`` extended by edge ``e`` (an index of the core's edges).

        ``scaling`` is the scenario's :meth:`code`, ``factor`` its term factor.
        """
        key = (scaling, path, e)
        got = self._ids.get(key)
        if got is not None:
            return got
        lay = self.lay
        edge = lay.core.edges[e]
        ts = self._terms.get((scaling, e))
        if ts is None:
            terms = edge_terms(edge)
            if not terms:
                raise InputError(
                    "the route's edges carry no model terms (a hand-built graph): build the "
                    "network with corridormap.build_network to compare with uncertainty"
                )
            ts = self._terms[(scaling, e)] = tuple(
                (
                    (t.quantity, t.key, t.inverse),
                    t.coef * (factor(edge, t) if factor is not None else 1.0),
                )
                for t in terms
            )
        terms, km, rkey, edges, nodes, places = self.info[path]
        terms = dict(terms)
        for k, c in ts:
            terms[k] = terms.get(k, 0.0) + c
        part = (
            str(edge["link_id"])
            if edge.get("link_id") is not None
            else f"{edge.get('place')}:{edge.get('transfer')}"
        )
        v = int(lay.core.ev[e])
        at = lay.route_place[v]
        got = self._ids[key] = len(self.info)
        self.info.append(
            (
                terms,
                km + float(edge["distance_km"]),
                f"{rkey} {part}" if rkey else part,
                (*edges, edge),
                (*nodes, lay.core.nodes[v]),
                places if places[-1] == at else (*places, at),
            )
        )
        return got

    def route(self, path: int, tab: CoreTables) -> PairRoute:
        """The route along ``path``, found with ``tab``'s weight."""
        got = self._routes.get(path)
        terms, km, rkey, edges, nodes, places = self.info[path]
        if got is None:
            transit = dict(terms)
            got = self._routes[path] = (transit, take_first_wait(transit, edges[0], tab.factor))
        return PairRoute(*got, nodes, km, list(places), rkey, tab.wf, edges, path)


class CoreTree:
    """One origin's tree on the core, and the routes read off it (:func:`best_route`)."""

    def __init__(
        self, tab: CoreTables, root: int, dist: np.ndarray, pred: np.ndarray, paths: Paths
    ) -> None:
        self.tab, self.root, self.paths = tab, root, paths
        self.dist = dist.tolist()
        self.pred = pred.tolist()
        self.scaling = paths.code(tab.scaling)
        self._along: dict[int, int] = {root: paths.root(self.scaling, root)}

    def along(self, v: int) -> int:
        """The tree's path to node ``v`` (a :class:`Paths` number, kept for every node on it)."""
        acc, pred = self._along, self.pred
        chain = []
        n = v
        while n not in acc:
            chain.append(n)
            n = pred[n]
        for x in reversed(chain):
            acc[x] = self.extend(acc[pred[x]], pred[x], x)
        return acc[v]

    def extend(self, path: int, u: int, v: int) -> int:
        """``path`` (to ``u``) one step on, to ``v``."""
        tab = self.tab
        e = tab.best_list[tab.lay.pair_at[(u, v)]]
        return self.paths.step(self.scaling, tab.factor, path, e)

    def best(self, d: str) -> PairRoute | None:
        """The route to place ``d`` (as :func:`best_route` reads it off :class:`Tables`)."""
        di = self.tab.lay.core.index.get(d)
        if di is None:
            return None
        found = self._way_in(di)
        if found is _TIED:
            return self._legacy(d)
        if found is None:
            return None
        u, via = found
        path = self.extend(self.along(via), via, u) if via >= 0 else self.along(u)
        return self.paths.route(self.extend(path, u, di), self.tab)

    def _way_in(self, di: int) -> tuple[int, int] | object | None:
        """The node a route enters gate ``di`` from, and the node before it if not the tree's.

        As :func:`_tree_best` chooses them: ``(u, -1)`` when the tree's path to ``u`` is the
        route's, ``(u, via)`` when ``u`` is reached from ``via`` by a link instead of a change
        of vehicle at the destination; ``None`` when nothing reaches it; ``_TIED`` when two
        ways cost the same (the legacy tree's order then decides).
        """
        lay = self.tab.lay
        dist, pred, values, where = self.dist, self.pred, self.tab.value_list, lay.place_list
        pu = lay.pair_u_list
        at_d = where[di]
        best_u, best_c, best_via = -1, math.inf, -1
        for p in lay.into[di]:
            cost, u = values[p], pu[p]
            arrive, via = dist[u], -1
            if cost == math.inf or arrive == math.inf:
                continue
            if pred[u] >= 0 and where[pred[u]] == at_d:
                # reached by a change of vehicle at the destination itself: by a link instead
                arrive = math.inf
                for q in lay.into[u]:
                    x = pu[q]
                    if where[x] == at_d or dist[x] == math.inf or values[q] == math.inf:
                        continue
                    got = dist[x] + values[q]
                    if got == arrive:
                        return _TIED
                    if got < arrive:
                        arrive, via = got, x
                if via < 0:
                    continue
            total = arrive + cost
            if total == best_c:
                return _TIED
            if total < best_c:
                best_u, best_c, best_via = u, total, via
        return (best_u, best_via) if best_u >= 0 else None

    def _legacy(self, d: str) -> PairRoute | None:
        tab = self.tab.legacy
        return best_route(tab, tree_of(tab, self.tab.lay.core.nodes[self.root]), d)
