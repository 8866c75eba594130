"""Shortest and k-shortest routes over the multimodal network.

Closures (``avoid``, scenarios) are applied through a weight function that hides edges,
never by editing the graph, so one network serves every query.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import NoRouteError
from .network import GATE, place_of
from .places import places, resolve_many, resolve_place

__all__ = ["OBJECTIVES", "Leg", "Route", "alternatives", "make_weight", "route"]

#: user-facing objective names and the edge attribute each minimises
OBJECTIVES = {"time": "time_h", "cost": "cost_usd", "distance": "distance_km", "co2": "co2_kg"}
LEG_FIELDS = (
    "from",
    "to",
    "from_name",
    "to_name",
    "mode",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "link_id",
    "status",
    "kind",
    "transfer",
    "service",
)

WeightFn = Callable[[str, str, Mapping[Any, Mapping[str, Any]]], float | None]


def _attr(by: str) -> str:
    if by in OBJECTIVES:
        return OBJECTIVES[by]
    if by in OBJECTIVES.values():
        return by
    raise ValueError(
        f"by must be one of {', '.join(OBJECTIVES)} "
        f"(or {', '.join(OBJECTIVES.values())}), got {by!r}"
    )


def make_weight(
    by: str = "time_h",
    *,
    closed_links: Iterable[str] = (),
    closed_places: Iterable[str] = (),
    opened_links: Iterable[str] = (),
    edge_cost: Callable[[Mapping[str, Any]], float] | None = None,
    ends: tuple[str, str] | None = None,
) -> WeightFn:
    """A networkx weight function with closures applied.

    Parameters
    ----------
    by
        Edge attribute (or objective name) to minimise.
    closed_links, closed_places
        Link ids and place ids whose edges are hidden.
    opened_links
        Planned or under-construction link ids to treat as routable.
    edge_cost
        Optional function of one edge's attributes returning its weight (scenarios use it to
        rescale speeds or dwell times); defaults to the attribute ``by``.
    ends
        ``(origin, destination)`` place ids: cargo may leave a place's gate only at the origin
        and enter one only at the destination, so no route passes through a gate (a gate
        transit would stand in for a proper transshipment). :func:`route` sets it.

    Returns
    -------
    callable
        ``f(u, v, edges)`` for a MultiDiGraph: the least weight of the visible parallel edges,
        or ``None`` when all are hidden.
    """
    attr = _attr(by)
    links = frozenset(closed_links)
    nodes = frozenset(closed_places)
    opened = frozenset(opened_links)

    def visible(d: Mapping[str, Any]) -> bool:
        lid = d.get("link_id")
        if lid is not None:
            if lid in links:
                return False
            if not d["routable"] and lid not in opened:
                return False
        elif ends is not None:
            if d["from_layer"] == GATE and d["u_place"] != ends[0]:
                return False
            if d["to_layer"] == GATE and d["v_place"] != ends[1]:
                return False
        return not (nodes and (d["u_place"] in nodes or d["v_place"] in nodes))

    def weight(u: str, v: str, edges: Mapping[Any, Mapping[str, Any]]) -> float | None:
        best = None
        for d in edges.values():
            if visible(d):
                c = edge_cost(d) if edge_cost is not None else d[attr]
                if best is None or c < best:
                    best = c
        return best

    weight.closed_links = links  # type: ignore[attr-defined]
    weight.closed_places = nodes  # type: ignore[attr-defined]
    weight.opened_links = opened  # type: ignore[attr-defined]
    weight.ends = ends  # type: ignore[attr-defined]
    weight.visible = visible  # type: ignore[attr-defined]
    weight.attr = attr  # type: ignore[attr-defined]
    weight.edge_cost = edge_cost  # type: ignore[attr-defined]
    return weight


@dataclass(frozen=True)
class Leg:
    """One step of a route: a link travelled, or a transfer within a place."""

    data: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class Route:
    """A route between two places, with its legs and totals.

    Attributes
    ----------
    origin, destination
        Place ids.
    path
        Graph node ids in order (layer nodes included).
    legs
        :class:`Leg` objects, links and transfers, in order.
    by
        The edge attribute that was minimised.
    """

    origin: str
    destination: str
    path: list[str]
    legs: list[Leg]
    by: str = "time_h"
    names: dict[str, str] = field(default_factory=dict)

    # -- totals ---------------------------------------------------------------------------
    def _sum(self, key: str) -> float:
        return float(sum(leg[key] for leg in self.legs))

    @property
    def distance_km(self) -> float:
        return self._sum("distance_km")

    @property
    def time_h(self) -> float:
        return self._sum("time_h")

    @property
    def days(self) -> float:
        return self.time_h / 24.0

    @property
    def cost_usd(self) -> float:
        return self._sum("cost_usd")

    @property
    def co2_kg(self) -> float:
        return self._sum("co2_kg")

    @property
    def borders(self) -> int:
        """Number of land border crossings."""
        return sum(1 for leg in self.legs if leg.get("border"))

    @property
    def transshipments(self) -> int:
        """Transfers between two vehicles en route (not loading at origin or destination)."""
        return sum(
            1
            for leg in self.legs
            if leg["kind"] == "transfer"
            and GATE not in (leg.get("from_layer"), leg.get("to_layer"))
        )

    @property
    def nodes(self) -> list[str]:
        """Place ids in order (a place appears once however many layers were used there)."""
        return [p for p, _ in itertools.groupby(place_of(n) for n in self.path)]

    @property
    def link_ids(self) -> list[str]:
        return [leg["link_id"] for leg in self.legs if leg["kind"] == "link"]

    @property
    def modes(self) -> list[str]:
        return [
            m
            for m, _ in itertools.groupby(leg["mode"] for leg in self.legs if leg["kind"] == "link")
        ]

    def totals(self) -> dict[str, float | int]:
        return {
            "distance_km": round(self.distance_km, 1),
            "time_h": round(self.time_h, 1),
            "days": round(self.days, 2),
            "cost_usd": round(self.cost_usd, 0),
            "co2_kg": round(self.co2_kg, 1),
            "borders": self.borders,
            "transshipments": self.transshipments,
        }

    # -- conversions ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``legs`` (list of leg fields), ``totals`` and ``nodes``."""
        legs = []
        for leg in self.legs:
            row = {k: leg.get(k) for k in LEG_FIELDS}
            for k in ("distance_km", "time_h", "cost_usd", "co2_kg"):
                row[k] = round(float(row[k]), 3)
            legs.append(row)
        return {
            "origin": self.origin,
            "destination": self.destination,
            "by": self.by,
            "legs": legs,
            "totals": self.totals(),
            "nodes": self.nodes,
        }

    def to_frame(self):
        """A pandas DataFrame, one row per leg."""
        import pandas as pd

        return pd.DataFrame([{k: leg.get(k) for k in LEG_FIELDS} for leg in self.legs])

    def to_geodataframe(self):
        """A GeoDataFrame (EPSG:4326) of the link legs with their geometry, in travel order."""
        import geopandas as gpd

        rows = [leg for leg in self.legs if leg["kind"] == "link"]
        return gpd.GeoDataFrame(
            [{k: leg.get(k) for k in LEG_FIELDS} for leg in rows],
            geometry=[leg["geometry"] for leg in rows],
            crs="EPSG:4326",
        )

    def summary(self) -> str:
        t = self.totals()
        return (
            f"{self.names.get(self.origin, self.origin)} -> "
            f"{self.names.get(self.destination, self.destination)}: {t['days']:.1f} days, "
            f"{t['distance_km']:,.0f} km, ${t['cost_usd']:,.0f}/TEU, "
            f"{t['co2_kg']:,.0f} kg CO2/TEU, {t['borders']} borders, "
            f"{t['transshipments']} transshipments"
        )

    def __repr__(self) -> str:
        return f"<Route {self.summary()} via {' - '.join(self.nodes)}>"

    def _repr_html_(self) -> str:
        import html

        head = f"<p><b>{html.escape(self.summary())}</b></p>"
        return head + self.to_frame().drop(columns=["kind"]).to_html(
            index=False, escape=True, float_format="%.1f"
        )


def _endpoint_nodes(G: nx.MultiDiGraph, place: str) -> list[str]:
    if place in G and G.nodes[place].get("layer") == GATE:
        return [place]
    return _layer_nodes(G, place)


def _layer_nodes(G: nx.MultiDiGraph, place: str) -> list[str]:
    return derived(G, "layer_index", _build_layer_index).get(place, [])


def _build_layer_index(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("layer") != GATE:
            table.setdefault(d["place"], []).append(n)
    return table


def _best_edge(G: nx.MultiDiGraph, u: str, v: str, weight: WeightFn) -> dict[str, Any]:
    best, best_c = None, math.inf
    cost = weight.edge_cost  # type: ignore[attr-defined]
    for d in G[u][v].values():
        if weight.visible(d):  # type: ignore[attr-defined]
            c = cost(d) if cost is not None else d[weight.attr]  # type: ignore[attr-defined]
            if c < best_c:
                best, best_c = d, c
    assert best is not None
    return best


def route_from_path(G: nx.MultiDiGraph, path: list[str], weight: WeightFn) -> Route:
    """Turn a node path into a :class:`Route`, choosing the cheapest visible parallel edges."""
    cat = places(G)
    legs = []
    for u, v in itertools.pairwise(path):
        d = _best_edge(G, u, v, weight)
        fp, tp = d["u_place"], d["v_place"]
        row = {k: val for k, val in d.items()}
        row.update(
            {
                "from": fp,
                "to": tp,
                "from_name": cat[fp]["name"],
                "to_name": cat[tp]["name"],
                "u": u,
                "v": v,
            }
        )
        if d["kind"] == "transfer":
            row["mode"] = "transfer"
        legs.append(Leg(row))
    origin, destination = place_of(path[0]), place_of(path[-1])
    return Route(
        origin=origin,
        destination=destination,
        path=list(path),
        legs=legs,
        by=weight.attr,  # type: ignore[attr-defined]
        names={p: cat[p]["name"] for p in cat},
    )


def _closures(G, origin, destination, via, avoid):
    o = resolve_place(G, origin)
    d = resolve_place(G, destination)
    vias = [resolve_place(G, x) for x in via]
    avoided = resolve_many(G, avoid)
    for label, pid in (("origin", o), ("destination", d)):
        if pid in avoided:
            raise NoRouteError(f"the {label} {pid} is also in avoid")
    for pid in vias:
        if pid in avoided:
            raise NoRouteError(f"via place {pid} is also in avoid")
    if o == d:
        raise NoRouteError(f"origin and destination are the same place ({o})")
    return o, d, vias, avoided


def _no_route(G, o, d, avoided, extra=()) -> NoRouteError:
    cat = places(G)
    parts = [f"no route from {cat[o]['name']} ({o}) to {cat[d]['name']} ({d})"]
    closed = sorted(set(avoided) | set(extra))
    if closed:
        parts.append("with closed: " + ", ".join(closed))
    else:
        parts.append("in the network: they are not connected by routable links")
    return NoRouteError(" ".join(parts))


def route(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    by: str = "time_h",
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    weight: WeightFn | None = None,
) -> Route:
    """The best route between two places.

    Parameters
    ----------
    G
        The network from :func:`corridormap.load_network`.
    origin, destination
        Place ids, names or aliases.
    by
        What to minimise: ``time_h`` (or ``time``), ``cost_usd``, ``distance_km``, ``co2_kg``.
    via
        Places to pass through, in order.
    avoid
        Places to keep out of (a shared name such as Astara avoids all its places).
    weight
        A weight function from :func:`make_weight` (scenarios); overrides ``by``.

    Returns
    -------
    Route

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError
        If a name does not resolve to one place.
    NoRouteError
        If no open route exists.
    """
    via = list(via)
    o, d, vias, avoided = _closures(G, origin, destination, via, avoid)
    wf = _with_avoid(weight, by, avoided, (o, d))
    stops = [_endpoint_nodes(G, o), *[_layer_nodes(G, v) for v in vias], _endpoint_nodes(G, d)]
    # dynamic programme over the layer nodes of each stop: best cost and path to each
    frontier: dict[str, tuple[float, list[str]]] = {n: (0.0, [n]) for n in stops[0]}
    for targets in stops[1:]:
        nxt: dict[str, tuple[float, list[str]]] = {}
        for s, (c0, p0) in frontier.items():
            if len(targets) == 1:
                try:
                    c, p = nx.single_source_dijkstra(G, s, targets[0], weight=wf)
                except nx.NetworkXNoPath:
                    continue
                dist, paths = {targets[0]: c}, {targets[0]: p}
            else:
                dist, paths = nx.single_source_dijkstra(G, s, weight=wf)
            for t in targets:
                if t in dist and (t not in nxt or c0 + dist[t] < nxt[t][0]):
                    nxt[t] = (c0 + dist[t], p0 + paths[t][1:])
        if not nxt:
            raise _no_route(G, o, d, avoided, vias)
        frontier = nxt
    best = min(frontier.values(), key=lambda cp: cp[0])
    return route_from_path(G, best[1], wf)


def _with_avoid(
    weight: WeightFn | None, by: str, avoided: set[str], ends: tuple[str, str]
) -> WeightFn:
    """``weight`` (or a plain one for ``by``) with ``avoided`` places closed and ends bound."""
    if weight is None:
        return make_weight(by, closed_places=avoided, ends=ends)
    return make_weight(
        weight.attr,  # type: ignore[attr-defined]
        closed_links=weight.closed_links,  # type: ignore[attr-defined]
        closed_places=set(weight.closed_places) | avoided,  # type: ignore[attr-defined]
        opened_links=weight.opened_links,  # type: ignore[attr-defined]
        edge_cost=weight.edge_cost,  # type: ignore[attr-defined]
        ends=ends,
    )


def alternatives(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    by: str = "time_h",
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    weight: WeightFn | None = None,
    max_examined: int = 500,
) -> list[Route]:
    """Up to ``k`` distinct routes, best first (distinct = different sequences of links).

    Parallel edges are first collapsed to the cheapest visible one, as
    ``networkx.shortest_simple_paths`` refuses multigraphs; routes that differ only in
    where a transfer happens count as the same route.

    Parameters are those of :func:`route`, plus ``k`` and ``max_examined`` (how many simple
    paths to examine at most while looking for ``k`` distinct ones).
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    via = list(via)
    o, d, vias, avoided = _closures(G, origin, destination, via, avoid)
    wf = _with_avoid(weight, by, avoided, (o, d))
    best = route(G, origin, destination, by=by, via=via, avoid=avoid, weight=weight)
    if k == 1:
        return [best]
    H = nx.DiGraph()
    for u, v, edges in _pairs(G):
        c = wf(u, v, edges)
        if c is not None:
            H.add_edge(u, v, w=c)
    src, dst = best.path[0], best.path[-1]
    out = [best]
    seen = {tuple(best.link_ids)}
    try:
        gen = nx.shortest_simple_paths(H, src, dst, weight="w")
        for n, path in enumerate(gen):
            if n >= max_examined or len(out) >= k:
                break
            r = route_from_path(G, path, wf)
            key = tuple(r.link_ids)
            if key in seen:
                continue
            if vias and not _visits_in_order(r.nodes, vias):
                continue
            seen.add(key)
            out.append(r)
    except nx.NetworkXNoPath:
        pass
    return out


def _pairs(G: nx.MultiDiGraph):
    for u, nbrs in G.adjacency():
        for v, edges in nbrs.items():
            yield u, v, edges


def _visits_in_order(nodes: list[str], vias: list[str]) -> bool:
    it = iter(nodes)
    return all(any(n == v for n in it) for v in vias)
