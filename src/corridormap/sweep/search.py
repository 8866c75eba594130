"""The sweep's own route search: one shortest-path tree per origin gives every pair's route.

A scenario-and-family weight is flattened once into successor / predecessor lists of the least
visible edge cost (:class:`Tables`: what every search of :mod:`corridormap.routing` evaluates
edge by edge). From it, one shortest-path tree per origin (networkx's Dijkstra: same relaxation
order, same tie-breaking) from the origin's gate gives the best route to every destination,
exactly the route :func:`corridormap.route` finds with the same weight (:func:`best_route`).
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

from .._errors import InputError
from ..model import edge_terms
from ..network import GATE, place_of
from ..uncertainty import route_key, split_first_wait
from ..weights import Weight

__all__ = ["PairRoute", "Tables", "best_route", "tree_of"]

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
    """

    transit: dict
    wait: dict
    path: tuple[str, ...]
    distance_km: float
    nodes: list[str]
    id: str
    weight: Weight | None = field(default=None, repr=False, compare=False)
    edges: tuple[Mapping[str, Any], ...] = field(default=(), repr=False, compare=False)


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
