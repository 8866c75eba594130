"""Shortest and k-shortest routes over the multimodal network.

Closures (``avoid``, scenarios, route families) are applied through a :class:`~corridormap.
weights.Weight` that hides edges, never by editing the graph, so one network serves every
query. A route's legs and totals are measured through the weight that found it: a route found
under a scenario reports the scenario's figures.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import networkx as nx

from . import search
from ._errors import InputError, NoRouteError
from ._schema import as_names, check_graph, check_name
from .network import GATE, endpoint_nodes, layer_nodes, place_of
from .places import (
    place_attr,
    place_label,
    place_labels,
    places,
    resolve_area,
    resolve_end_place,
    resolve_place,
)
from .weights import OBJECTIVES, Weight, as_weight, make_weight

__all__ = [
    "LEG_COLUMNS",
    "LEG_FIELDS",
    "LEG_HEADERS",
    "OBJECTIVES",
    "Leg",
    "Route",
    "alternatives",
    "corridor_key",
    "make_weight",
    "route",
]

#: a leg's fields, as a route's JSON, frames and GeoDataFrames give them
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
#: the columns of a route's leg table (the command line's text and CSV), and their headers
LEG_COLUMNS = (
    "from_name",
    "to_name",
    "mode",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "link_id",
    "status",
)
LEG_HEADERS = ("from", "to", "mode", "km", "hours", "USD/TEU", "kg CO2", "link", "status")
#: modes whose links carry cargo over water (a crossing between countries is a border)
WATER_MODES = frozenset({"sea", "caspian", "ferry", "inland"})
#: edge attributes copied into a leg (everything else is read from the edge on demand)
_COPIED = ("link_id", "status", "kind", "transfer", "service", "from_layer", "to_layer", "border")


@dataclass(frozen=True)
class Leg:
    """One step of a route: a link travelled, or a transfer within a place.

    ``leg[key]`` reads the leg's own figures first (``time_h``, ``cost_usd`` ... as routed,
    ``from``/``to`` place ids and names), then the edge's attributes (``geometry``,
    ``source``, ``notes`` ...) through a read-only view; lists come back as tuples, so a leg
    never hands out the graph's own objects to mutate.
    """

    data: dict[str, Any]
    edge: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        if key in self.data:
            return self.data[key]
        value = self.edge[key]
        return tuple(value) if isinstance(value, list) else value

    def __contains__(self, key: object) -> bool:
        return key in self.data or key in self.edge

    def get(self, key: str, default: Any = None) -> Any:
        """``leg[key]``, or ``default`` when neither the leg nor its edge has it."""
        try:
            return self[key]
        except KeyError:
            return default


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
        :class:`Leg` objects, links and transfers, in order, measured through ``weight``.
    by
        The edge attribute that was minimised.
    names
        Place id -> name for the places on the route.
    countries
        Place id -> country code for the places on the route.
    weight
        The :class:`~corridormap.weights.Weight` the route was found with.
    """

    origin: str
    destination: str
    path: list[str]
    legs: list[Leg]
    by: str = "time_h"
    names: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    weight: Weight | None = field(default=None, repr=False)

    # -- totals ---------------------------------------------------------------------------
    def _sum(self, key: str) -> float:
        return float(sum(leg[key] for leg in self.legs))

    @property
    def scenario(self) -> str:
        """The scenario(s) the route's figures are computed under (``"baseline"``)."""
        return self.weight.scenario if self.weight is not None else "baseline"

    @property
    def distance_km(self) -> float:
        """Total distance, km."""
        return self._sum("distance_km")

    @property
    def time_h(self) -> float:
        """Total time, hours (under the route's scenario)."""
        return self._sum("time_h")

    @property
    def days(self) -> float:
        """Total time, days."""
        return self.time_h / 24.0

    @property
    def cost_usd(self) -> float:
        """Total cost, USD per TEU."""
        return self._sum("cost_usd")

    @property
    def co2_kg(self) -> float:
        """Total CO2, kg per TEU."""
        return self._sum("co2_kg")

    @property
    def borders(self) -> int:
        """Border crossings: land links between countries, and sailings between countries."""
        n = sum(1 for leg in self.legs if leg.get("border"))
        start: str | None = None
        for leg in self.legs:
            if leg["kind"] != "link":
                continue
            if leg["mode"] in WATER_MODES:
                start = start or leg["from"]
                end = leg["to"]
                continue
            if start is not None:
                n += self._country(start) != self._country(end)
                start = None
        if start is not None:
            n += self._country(start) != self._country(end)
        return n

    def _country(self, place: str) -> str:
        return self.countries.get(place, "")

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
        """Link ids in travel order."""
        return [leg["link_id"] for leg in self.legs if leg["kind"] == "link"]

    @property
    def modes(self) -> list[str]:
        """Modes in travel order (consecutive repeats merged)."""
        return [
            m
            for m, _ in itertools.groupby(leg["mode"] for leg in self.legs if leg["kind"] == "link")
        ]

    def totals(self) -> dict[str, float | int]:
        """Rounded totals: distance, time, days, cost, CO2, borders and transshipments."""
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
        """JSON-ready: ``legs`` (list of leg fields), ``totals``, ``nodes`` and ``scenario``."""
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
            "scenario": self.scenario,
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
        """One line: ends, days, km, cost, CO2, borders, transshipments (and the scenario)."""
        t = self.totals()
        n_b, n_t = t["borders"], t["transshipments"]
        text = (
            f"{self.names.get(self.origin, self.origin)} -> "
            f"{self.names.get(self.destination, self.destination)}: {t['days']:.1f} days, "
            f"{t['distance_km']:,.0f} km, ${t['cost_usd']:,.0f}/TEU, "
            f"{t['co2_kg']:,.0f} kg CO2/TEU, {n_b} border{'s' * (n_b != 1)}, "
            f"{n_t} transshipment{'s' * (n_t != 1)}"
        )
        if self.scenario != "baseline":
            text += f" (scenario {self.scenario})"
        return text

    def __repr__(self) -> str:
        return f"<Route {self.summary()} via {' - '.join(self.nodes)}>"

    def _repr_html_(self) -> str:
        import html

        head = f"<p><b>{html.escape(self.summary())}</b></p>"
        return head + self.to_frame().drop(columns=["kind"]).to_html(
            index=False, escape=True, float_format="%.1f"
        )


def route_from_path(G: nx.MultiDiGraph, path: list[str], weight: Weight) -> Route:
    """Turn a node path into a :class:`Route`, measured through ``weight``.

    Each step takes the cheapest visible parallel edge; the leg's figures are the weight's
    (:meth:`~corridormap.weights.Weight.measure`), its other attributes are read from the edge.
    """
    labels = place_labels(G)
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for p in dict.fromkeys(place_of(n) for n in path):
        names[p], countries[p] = labels.get(p) or place_label(G, p)
    legs = []
    edges, figures = search.path_figures(G, path, weight)
    for (u, v), d, (km, hours, usd, co2) in zip(
        itertools.pairwise(path), edges, figures, strict=True
    ):
        fp, tp = d["u_place"], d["v_place"]
        row = {k: d.get(k) for k in _COPIED}
        transfer = d["kind"] == "transfer"
        row.update(
            {
                "distance_km": km,
                "time_h": hours,
                "cost_usd": usd,
                "co2_kg": co2,
                "from": fp,
                "to": tp,
                "from_name": names[fp],
                "to_name": names[tp],
                "u": u,
                "v": v,
                "mode": "transfer" if transfer else d["mode"],
            }
        )
        if transfer:
            row["place"] = d.get("place")
        legs.append(Leg(row, MappingProxyType(d)))
    return Route(
        origin=place_of(path[0]),
        destination=place_of(path[-1]),
        path=list(path),
        legs=legs,
        by=weight.by,
        names=names,
        countries=countries,
        weight=weight,
    )


def _as_list(value: Any, what: str) -> list[str]:
    return as_names(value, what)


def _closures(G, origin, destination, via, avoid):
    check_graph(G, "route")
    check_name(origin, "origin")
    check_name(destination, "destination")
    o = resolve_end_place(G, origin, "origin")
    d = resolve_end_place(G, destination, "destination")
    vias = [resolve_place(G, x) for x in _as_list(via, "via")]
    avoided: set[str] = set()
    for x in _as_list(avoid, "avoid"):
        avoided |= set(resolve_area(G, x))
    for label, pid in (("origin", o), ("destination", d)):
        if pid in avoided:
            raise InputError(f"the {label} {pid} is also in avoid")
    for pid in vias:
        if pid in avoided:
            raise InputError(f"via place {pid} is also in avoid")
    if o == d:
        raise InputError(f"origin and destination are the same place ({o})")
    stops = [o, *vias, d]
    for a, b in itertools.pairwise(stops):
        if a == b:
            raise InputError(f"the route stops at {a} twice in a row")
    return o, d, vias, avoided


def _no_route(G, o, d, avoided, vias=(), modes=None) -> NoRouteError:
    cat = places(G)
    parts = [f"no route from {cat[o]['name']} ({o}) to {cat[d]['name']} ({d})"]
    if vias:
        parts.append("via " + ", ".join(vias))
    if avoided:
        parts.append("with closed: " + ", ".join(sorted(avoided)))
    if modes is not None:
        parts.append("by " + ", ".join(sorted(modes)))
    if not vias and not avoided and modes is None:
        parts.append("in the network: they are not connected by routable links")
    return NoRouteError(" ".join(parts))


def _base_weight(weight: Weight | None, by: str, modes: Iterable[str] | None) -> Weight:
    wf = as_weight(weight, by)
    if modes is not None:
        modes = _as_list(modes, "modes")
        from ._schema import MODES

        unknown = sorted(set(modes) - set(MODES))
        if unknown:
            raise InputError(
                f"unknown mode {unknown[0]!r}; the modes are {', '.join(sorted(MODES))}"
            )
        wf = wf.only_modes(modes)
    return wf


def _stretch_weights(wf: Weight, leg_modes: Any, n: int) -> list[Weight]:
    """One weight per stretch between stops: ``wf`` with that stretch's modes."""
    if leg_modes is None:
        return [wf] * n
    if isinstance(leg_modes, str):
        raise InputError("leg_modes must be a list (one entry per stretch), not text")
    items = list(leg_modes)
    if len(items) != n:
        raise InputError(
            f"leg_modes needs {n} entries (one per stretch between stops), got {len(items)}"
        )
    out = []
    for m in items:
        if isinstance(m, str):
            m = [m]
        out.append(wf if m is None else _base_weight(wf, wf.by, m))
    return out


def route(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    by: str = "time_h",
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    weight: Weight | None = None,
    modes: Iterable[str] | None = None,
    leg_modes: Iterable[Iterable[str] | None] | None = None,
) -> Route:
    """The best route between two places.

    No route visits a place twice (sea chokepoints excepted, which lanes may pass more than
    once): a place named in ``via`` is a stop where the cargo is handled, not a point to touch
    and turn back from.

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
        Places, regions (``"azerbaijan"``) or country codes (``"IR"``) to keep out of (a
        shared name such as Astara avoids all its places).
    weight
        A :class:`~corridormap.weights.Weight` (:func:`make_weight`, a scenario's
        ``weight()``); overrides ``by``.
    modes
        Link modes allowed (default all), e.g. ``["rail", "sea", "caspian"]``.
    leg_modes
        Per stretch between consecutive stops (origin, each ``via``, destination), the modes
        allowed on that stretch, or ``None`` for any: ``via=["Astrakhan", "Anzali"],
        leg_modes=[["rail"], ["caspian"], None]`` replays a shipment that crossed the Caspian
        by ship.

    Returns
    -------
    Route
        Measured through the weight it was found with.

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError
        If a name does not resolve to one place.
    InputError
        If the origin and destination are the same place, or an argument is invalid.
    NoRouteError
        If no open route exists.
    """
    o, d, vias, avoided = _closures(G, origin, destination, via, avoid)
    search.note_query(G)
    base = _base_weight(weight, by, modes).closing(places=avoided)
    wf = base.between(o, d)
    stretch = _stretch_weights(wf, leg_modes, len(vias) + 1)
    stops = [endpoint_nodes(G, o), *[layer_nodes(G, v) for v in vias], endpoint_nodes(G, d)]
    # dynamic programme over the layer nodes of each stop: best cost and path to each; a
    # leg may not re-enter a place an earlier leg of the same path went through
    frontier: dict[str, tuple[float, list[str]]] = {n: (0.0, [n]) for n in stops[0]}
    for i, targets in enumerate(stops[1:]):
        nxt: dict[str, tuple[float, list[str]]] = {}
        for s, (c0, p0) in frontier.items():
            here = place_of(s)
            seen = {place_of(n) for n in p0 if G.nodes[n].get("kind") != "chokepoint"} - {here}
            leg_wf = stretch[i].closing(places=seen) if seen else stretch[i]
            for t, (c, p) in search.shortest(G, leg_wf, [s], targets).items():
                if t not in nxt or c0 + c < nxt[t][0]:
                    nxt[t] = (c0 + c, p0 + p[1:])
        if not nxt:
            raise _no_route(G, o, d, avoided, vias, base.modes)
        frontier = nxt
    best = min(frontier.values(), key=lambda cp: cp[0])
    return route_from_path(G, best[1], wf)


def alternatives(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    by: str = "time_h",
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    weight: Weight | None = None,
    modes: Iterable[str] | None = None,
    leg_modes: Iterable[Iterable[str] | None] | None = None,
    max_examined: int = 500,
    distinct: str = "corridor",
) -> list[Route]:
    """Up to ``k`` distinct routes, best first.

    Two routes are the same alternative when they have the same :func:`corridor_key`: the
    same sequence of border crossings, transshipment places and chokepoints. A route that
    only adds a call on the same path (a ship calling at Chabahar on its way to Bandar
    Abbas) or takes another line between the same waypoints is not offered; the best route
    of each class is. ``distinct="links"`` counts any other sequence of links as distinct
    (the route families' candidates, :mod:`corridormap.families`, are these).

    The first is :func:`route`'s. The others are via-node routes: one shortest-path tree
    from the origin and one to the destination give, for every node ``v``, the best route
    through ``v``; those are taken cheapest first, keeping routes that differ from the ones
    kept (by ``distinct``), visit no node or place twice and pass the ``via`` places
    in order. With ``via``, each stretch between stops gets its via-node routes, joined to
    the best route's other stretches. Two searches per stretch, however many routes are asked
    for, so the cost grows with the network, not with ``k`` times the route length (as Yen's
    k-shortest paths do). Routes that differ only in where a transfer happens count as the
    same route.

    On a network of fewer than :data:`corridormap.search.MIN_EDGES` edges, or a graph without
    the attributes of a built network (no compiled export), networkx's
    ``shortest_simple_paths`` (Yen) runs on the network with parallel edges collapsed: there
    it is fast, and it lists the k shortest distinct routes.

    Parameters are those of :func:`route` (``leg_modes`` included: every alternative keeps
    each stretch's modes), plus ``k``, ``max_examined`` (how many via nodes, or simple
    paths for Yen, to examine at most while looking for ``k`` distinct routes) and
    ``distinct`` (``"corridor"`` or ``"links"``, above).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a whole number of at least 1, got {k!r}")
    if distinct not in DISTINCT:
        raise InputError(f"distinct must be one of {', '.join(DISTINCT)}, got {distinct!r}")
    best = route(
        G,
        origin,
        destination,
        by=by,
        via=via,
        avoid=avoid,
        weight=weight,
        modes=modes,
        leg_modes=leg_modes,
    )
    if k == 1:
        return [best]
    stretch_modes = (
        None
        if leg_modes is None
        else [None if m is None else ({m} if isinstance(m, str) else set(m)) for m in leg_modes]
    )
    wf = best.weight
    assert wf is not None
    vias = [resolve_place(G, x) for x in _as_list(via, "via")]
    # chosen by the network's size alone, never by what ran before: the two algorithms may
    # rank routes of equal cost differently, and a call must give the same answer each time
    c = search.engine(G) if search.large(G) else None
    if distinct == "links":
        key = _link_key
    else:

        def key(r: Route) -> tuple[Any, ...]:
            return corridor_key(G, r)

    ok = None if stretch_modes is None else (lambda r: _keeps_stretch_modes(r, vias, stretch_modes))
    if c is None:
        return _alternatives_yen(G, best, wf, vias, k, max_examined, key, ok)
    return _via_node_routes(G, c, best, wf, vias, k, max_examined, key, ok)


#: what makes two alternatives distinct (see :func:`alternatives`)
DISTINCT = ("corridor", "links")


def _link_key(r: Route) -> tuple[Any, ...]:
    return tuple(r.link_ids)


def corridor_key(G: nx.MultiDiGraph, r: Route) -> tuple[tuple[str, ...], ...]:
    """What a planner tells routes apart by: border crossings, transshipments, chokepoints.

    In travel order: ``("border", a, b)`` for each border crossed (a land link flagged
    ``border``, from ``a`` to ``b``; or a stretch over water between ports of two countries,
    ``a`` the port of departure and ``b`` of arrival), ``("transship", p)`` for each
    transshipment (a transfer within place ``p`` that is not loading at the origin or
    unloading at the destination) and ``("via", p)`` for each chokepoint passed (Suez or the
    Cape). Routes with equal keys are the same alternative (:func:`alternatives`).
    """
    key: list[tuple[str, ...]] = []
    start: str | None = None
    end: str | None = None

    def close_water() -> None:
        nonlocal start
        if start is not None and end is not None and r.countries.get(start) != r.countries.get(end):
            key.append(("border", start, end))
        start = None

    for leg in r.legs:
        if leg["kind"] == "transfer":
            if GATE not in (leg.get("from_layer"), leg.get("to_layer")):
                key.append(("transship", str(leg["from"])))
            continue
        if leg["mode"] in WATER_MODES:
            start = start or leg["from"]
            end = leg["to"]
            if place_attr(G, end, "kind") == "chokepoint":
                key.append(("via", str(end)))
            continue
        close_water()
        if leg.get("border"):
            key.append(("border", str(leg["from"]), str(leg["to"])))
    close_water()
    return tuple(key)


def _stretches(path: list[str], stops: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` node indices of a path's stretches between consecutive stops."""
    cuts = [0]
    i = 0
    for stop in stops[1:-1]:
        while place_of(path[i]) != stop:
            i += 1
        cuts.append(i)
        while i + 1 < len(path) and place_of(path[i + 1]) == stop:
            i += 1  # the stretch after a stop starts where the cargo leaves it
        cuts.append(i)
    cuts.append(len(path) - 1)
    return [(cuts[j], cuts[j + 1]) for j in range(0, len(cuts), 2)]


def _cheapest(total, limit: int):
    """Indices of the ``limit`` least finite values of ``total``, least first."""
    import numpy as np

    ok = np.flatnonzero(np.isfinite(total))
    if ok.size > limit:
        ok = ok[np.argpartition(total[ok], limit)[:limit]]
    return ok[np.argsort(total[ok], kind="stable")]


def _via_node_routes(
    G, c, best: Route, wf: Weight, vias: list[str], k: int, limit: int, class_of, ok
):
    """``best`` and up to ``k - 1`` via-node routes of a new class each, cheapest first.

    For each stretch of ``best`` between stops (the whole route without ``via``): a tree
    from its start ``s`` and one to its end ``t`` give the best path through every node
    ``v``, ``s -> v -> t``. Each accepted route through ``v`` then adds the routes through
    ``v`` and one more node (a tree from ``v`` and one to it): the second detour that Yen's
    k-shortest paths would also find. Every new path costs at least the route that led to it,
    so taking them from one heap keeps the routes in order of cost. A route of a class
    already kept, or failing ``ok``, is not kept but its second detours are
    still searched: a new class may lie beyond it.
    """
    path = best.path
    heap: list[tuple[float, int, int, tuple[Any, ...]]] = []
    tick = itertools.count()
    legs = _stretch_trees(G, c, path, [best.origin, *vias, best.destination], wf)
    for i, leg in enumerate(legs):
        total = leg["df"] + leg["dr"]
        for v in _cheapest(total, limit):
            heapq.heappush(heap, (leg["offset"] + float(total[v]), next(tick), i, (int(v),)))
    out = [best]
    seen = {tuple(best.link_ids)}
    classes = {class_of(best)}
    tried = {tuple(path)}
    while heap and len(out) < k:
        total, _, i, vs = heapq.heappop(heap)
        leg = legs[i]
        mid = _detour_middle(c, leg, vs)
        full = leg["head"] + mid + leg["tail"]
        key = tuple(full)
        if key in tried or len(set(mid)) < len(mid):
            continue
        tried.add(key)
        places_ = [p for p, _ in itertools.groupby(place_of(n) for n in full)]
        if len(set(places_)) < len(places_):
            continue
        if vias and not _visits_in_order(places_, vias):
            continue
        r = route_from_path(G, full, wf)
        lk = tuple(r.link_ids)
        if lk in seen:
            continue
        seen.add(lk)
        kr = class_of(r)
        if kr not in classes and (ok is None or ok(r)):
            classes.add(kr)
            out.append(r)
        if len(vs) == 1 and len(out) < k:
            _push_second_detours(c, leg, i, vs[0], heap, tick, limit)
    return out


def _stretch_trees(G, c, path: list[str], stops: list[str], wf: Weight) -> list[dict[str, Any]]:
    """Per stretch of ``path`` between stops: its trees from the start and to the end.

    Parameters
    ----------
    G
        The network.
    c
        The compiled core.
    path
        The best route's nodes.
    stops
        The origin, the via places and the destination.
    wf
        The weight.

    Returns
    -------
    list of dict
        Per stretch: ``head`` and ``tail`` (the route's nodes before and after it), ``wf``
        (the weight with the route's other places closed), the trees ``df``/``pf`` from its
        start and ``dr``/``pr`` to its end, ``offset`` (the cost of the rest of the route)
        and empty ``from``/``to`` (the trees of accepted via nodes, filled in later).
    """
    spans = _stretches(path, stops)
    base = search.path_cost(G, path, wf)
    legs: list[dict[str, Any]] = []
    for a, b in spans:
        s, t = path[a], path[b]
        head, tail = path[:a], path[b + 1 :]
        others = {place_of(n) for n in head + tail} - {place_of(s), place_of(t)}
        leg_wf = wf.closing(places=others) if others else wf
        df, pf = c.tree(leg_wf, [s])
        dr, pr = c.tree(leg_wf, [t], reverse=True)
        offset = base - search.path_cost(G, path[a : b + 1], wf)
        legs.append(
            {
                "head": head,
                "tail": tail,
                "wf": leg_wf,
                "df": df,
                "pf": pf,
                "dr": dr,
                "pr": pr,
                "offset": offset,
                "from": {},
                "to": {},
            }
        )
    return legs


def _detour_middle(c, leg: Mapping[str, Any], vs: tuple[Any, ...]) -> list[str]:
    """The stretch's nodes through one via node ``(v,)`` or two (``("after"|"before", v1, v2)``).

    Parameters
    ----------
    c
        The compiled core.
    leg
        The stretch (from :func:`_stretch_trees`).
    vs
        ``(v,)``: ``s -> v -> t``; ``("after", v1, v2)``: ``s -> v1 -> v2 -> t``;
        ``("before", v1, v2)``: ``s -> v2 -> v1 -> t``.

    Returns
    -------
    list of str
        The nodes from the stretch's start to its end.
    """

    def to_end(v):  # v -> t along the tree to t
        return c.path(leg["pr"], v)[::-1]

    if len(vs) == 1:
        return c.path(leg["pf"], vs[0]) + to_end(vs[0])[1:]
    how, v1, v2 = vs
    if how == "after":  # s -> v1 -> v2 -> t
        return c.path(leg["pf"], v1) + c.path(leg["from"][v1][1], v2)[1:] + to_end(v2)[1:]
    # s -> v2 -> v1 -> t
    return c.path(leg["pf"], v2) + c.path(leg["to"][v1][1], v2)[::-1][1:] + to_end(v1)[1:]


def _push_second_detours(
    c, leg: dict[str, Any], i: int, v: int, heap: list, tick: Any, limit: int
) -> None:
    """Push the routes of stretch ``i`` through accepted via node ``v`` and one more node.

    Parameters
    ----------
    c
        The compiled core.
    leg
        The stretch; the trees from and to ``v`` are stored in its ``from``/``to``.
    i
        The stretch's index.
    v
        The accepted via node (core index).
    heap, tick
        The search's heap and tie-break counter.
    limit
        The most candidate nodes taken per tree.
    """
    node = c.nodes[v]
    leg["from"][v] = dv, _ = c.tree(leg["wf"], [node])
    leg["to"][v] = dt, _ = c.tree(leg["wf"], [node], reverse=True)
    after = leg["df"][v] + dv + leg["dr"]
    before = leg["df"] + dt + leg["dr"][v]
    for how, tot in (("after", after), ("before", before)):
        for w in _cheapest(tot, limit):
            heapq.heappush(heap, (leg["offset"] + float(tot[w]), next(tick), i, (how, v, int(w))))


def _alternatives_yen(
    G, best: Route, wf: Weight, vias: list[str], k: int, max_examined: int, key, ok
):
    """Yen's k shortest simple paths (networkx) on ``G`` with parallel edges collapsed.

    Each path is kept when its ``key`` is new and it passes ``ok`` (``None``: all pass).
    """
    out = [best]
    seen = {key(best)}
    links = {tuple(best.link_ids)}  # the same links with a transfer elsewhere: the same route
    try:
        gen = search.simple_paths(G, wf, best.path[0], best.path[-1])
        for n, path in enumerate(gen):
            if n >= max_examined or len(out) >= k:
                break
            r = route_from_path(G, path, wf)
            kr, lk = key(r), tuple(r.link_ids)
            if kr in seen or lk in links or len(set(r.nodes)) < len(r.nodes):  # as via-node
                continue
            if vias and not _visits_in_order(r.nodes, vias):
                continue
            if ok is not None and not ok(r):
                continue
            seen.add(kr)
            links.add(lk)
            out.append(r)
    except nx.NetworkXNoPath:
        pass
    return out


def revisits(G: nx.MultiDiGraph, nodes: list[str]) -> bool:
    """Whether a route's place sequence comes back to a place it left.

    Chokepoints, which sea lanes may pass more than once, are excepted.
    """
    stands = [p for p in nodes if place_attr(G, p, "kind") != "chokepoint"]
    return len(set(stands)) < len(stands)


def _keeps_stretch_modes(r: Route, vias: list[str], modes: list[set[str] | None]) -> bool:
    """Whether every link of each stretch between stops uses one of that stretch's modes."""
    stops, i = [*vias, r.destination], 0
    for leg in r.legs:
        if leg["kind"] != "link":
            continue
        allowed = modes[i]
        if allowed is not None and leg["mode"] not in allowed:
            return False
        if i < len(vias) and leg["to"] == stops[i]:
            i += 1
    return True


def _visits_in_order(nodes: list[str], vias: list[str]) -> bool:
    it = iter(nodes)
    return all(any(n == v for n in it) for v in vias)
