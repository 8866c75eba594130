"""Shortest and k-shortest routes over the multimodal network.

Closures (``avoid``, scenarios, route families) are applied through a :class:`~corridormap.
weights.Weight` that hides edges, never by editing the graph, so one network serves every
query. A route's legs and totals are measured through the weight that found it: a route found
under a scenario reports the scenario's figures.
"""

from __future__ import annotations

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
    labels_of,
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
    "schedule_wait_h",
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
    def clock(self) -> str:
        """The clock of :attr:`time_h`: ``transit`` or ``door-to-door``."""
        return self.weight.clock if self.weight is not None else "transit"

    @property
    def time_h(self) -> float:
        """Expected total time, hours, on the route's clock (under its scenario)."""
        return self._sum("time_h")

    @property
    def days(self) -> float:
        """Expected total time, days, on the route's clock."""
        return self.time_h / 24.0

    @property
    def schedule_wait_h(self) -> float:
        """Expected wait for the first departure from the origin, hours (0 if none is scheduled).

        Apart from the transit time; the door-to-door time includes it.
        """
        return float(sum(leg.get("schedule_wait_h", 0.0) or 0.0 for leg in self.legs))

    @property
    def transit_h(self) -> float:
        """Expected transit time, hours: from handing the cargo to the first carrier."""
        return self.time_h - (self.schedule_wait_h if self.clock == "door-to-door" else 0.0)

    @property
    def door_to_door_h(self) -> float:
        """Expected door-to-door time, hours: the transit time and the wait for a departure."""
        return self.transit_h + self.schedule_wait_h

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

    def totals(self) -> dict[str, float | int | str]:
        """Rounded expected totals.

        Distance; time and days on the route's clock (``clock``), the transit days, the wait
        for the first departure and the door-to-door days; cost, CO2, borders and
        transshipments.
        """
        return {
            "distance_km": round(self.distance_km, 1),
            "clock": self.clock,
            "time_h": round(self.time_h, 1),
            "days": round(self.days, 2),
            "transit_days": round(self.transit_h / 24.0, 2),
            "schedule_wait_days": round(self.schedule_wait_h / 24.0, 2),
            "door_to_door_days": round(self.door_to_door_h / 24.0, 2),
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
            for k in ("distance_km", "time_h", "schedule_wait_h", "cost_usd", "co2_kg"):
                row[k] = round(float(row[k] or 0.0), 3)
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
        """One line: ends, expected days on the route's clock, km, cost, CO2, borders ...

        ... transshipments, the wait for the first departure, and the scenario if not the
        baseline.
        """
        t = self.totals()
        n_b, n_t = t["borders"], t["transshipments"]
        wait = t["schedule_wait_days"]
        if self.clock == "transit":
            when = f"{t['days']:.1f} days {self.clock}" + (
                f" (+{wait:.1f} waiting for the first departure)" if wait else ""
            )
        else:
            when = f"{t['days']:.1f} days {self.clock}" + (
                f" (of which {wait:.1f} waiting for the first departure)" if wait else ""
            )
        text = (
            f"{self.names.get(self.origin, self.origin)} -> "
            f"{self.names.get(self.destination, self.destination)}: {when}, expected, "
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
    names: dict[str, str] = {}
    countries: dict[str, str] = {}
    for p, (name, country) in labels_of(G, dict.fromkeys(map(place_of, path))).items():
        names[p], countries[p] = name, country
    legs = []
    for (u, v), d in zip(itertools.pairwise(path), search.path_edges(G, path, weight), strict=True):
        fp, tp = d["u_place"], d["v_place"]
        row = {k: d.get(k) for k in _COPIED}
        row.update(weight.measure(d))
        row.update(
            {
                "from": fp,
                "to": tp,
                "from_name": names[fp],
                "to_name": names[tp],
                "u": u,
                "v": v,
                "mode": "transfer" if d["kind"] == "transfer" else d["mode"],
            }
        )
        if d["kind"] == "transfer":
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
    clock: str | None = None,
) -> Route:
    """The best route between two places: the least expected time (or cost ...) on its clock.

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
    clock
        ``transit`` or ``door-to-door`` (:data:`corridormap.weights.CLOCKS`); ``None`` keeps
        the weight's (``transit`` for a plain weight). It changes which route is best only
        where the wait for the first departure differs between routes.

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
    if clock is not None:
        base = base.on_clock(clock)
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
