"""Routes on a map.

:func:`route_map` draws :class:`~corridormap.Route` objects, a layer each, from their public
legs and totals, with the figures its caller gives (no analysis here).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..places import short_name
from . import legends, popups
from ._html import bounds_of, esc, latlngs, rounded
from .page import control, finish, group, new_features, new_map
from .styles import (
    ROUTE_COLORS,
    SCHEMATIC_MODES,
    STATUS_DASH,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..routing import Route


from .layers import draw_network

# -- routes ---------------------------------------------------------------------------------
#: how a route's objective reads in its default name
_BY = {
    "time_h": "fastest",
    "cost_usd": "cheapest",
    "distance_km": "shortest",
    "co2_kg": "least CO2",
}


def _default_route_name(r: Route, i: int, routes: Sequence[Route]) -> str:
    """A route's layer name: origin → destination, and what tells it apart from the others.

    Its number, then whichever differ among the routes: the objective ("fastest",
    "cheapest"), the scenario, and a place it passes that no other route does, its most key
    (:func:`route_stops`: a border or transshipment before a port, before a place passed
    through; the first of those): "via Sarakhs (Iran)".
    """
    o = r.names.get(r.origin, r.origin)
    d = r.names.get(r.destination, r.destination)
    if len(routes) == 1:
        return f"{o} → {d}"
    bits = []
    if len({x.by for x in routes}) > 1:
        bits.append(_BY.get(r.by, f"by {r.by}"))
    if len({x.scenario for x in routes}) > 1:
        bits.append(r.scenario)
    others = {p for x in routes if x is not r for p in x.nodes}
    own = [st for st in route_stops(r.legs)[1:-1] if st["id"] not in others]
    if own:
        bits.append(f"via {short_name(min(own, key=lambda st: st['rank'])['name'])}")
    tail = f" ({', '.join(bits)})" if bits else ""
    return f"Route {i + 1}: {o} → {d}{tail}"


def route_map(
    route_or_routes: Route | Sequence[Route],
    *,
    G: nx.MultiDiGraph | None = None,
    m: folium.Map | None = None,
    names: Sequence[str] | None = None,
    tiles: bool = True,
    percentiles: Sequence[Mapping[str, Any]] | None = None,
):
    """Draw one or more routes, one toggleable layer each.

    Parameters
    ----------
    route_or_routes
        A :class:`~corridormap.Route` or a sequence of them (e.g. from
        :func:`corridormap.alternatives`).
    G
        If given, the corridor network is drawn faintly underneath.
    m
        A map to draw on; a new one when ``None``.
    names
        Layer names, one per route; default "origin → destination", with several routes
        numbered and told apart by what differs (objective, scenario, a place of their own).
    tiles
        As in :func:`corridor_map`.
    percentiles
        Per route, its :func:`corridormap.uncertainty.route_percentiles` (an empty dict for a
        route without legs). Legends and popups then give the expected days and cost with
        their P10–P90; without them, the expected figures alone.

    Returns
    -------
    folium.Map
        Each leg has a popup (mode, km, hours, cost, status, source) and arrows show the
        direction of travel; transfers and border stops are marked; the legend gives each
        route's days, cost, CO2, borders crossed and transshipments.
    """
    from ..routing import Route

    routes = [route_or_routes] if isinstance(route_or_routes, Route) else list(route_or_routes)
    if not routes:
        raise ValueError("route_map needs at least one route")
    if names is not None and len(names) != len(routes):
        raise ValueError(f"names has {len(names)} entries for {len(routes)} routes")
    if percentiles is not None and len(percentiles) != len(routes):
        raise ValueError(f"percentiles has {len(percentiles)} entries for {len(routes)} routes")
    m = m if m is not None else new_map(tiles=tiles, G=G)
    feats = new_features()
    if G is not None:
        draw_network(G, m, feats, by_branch=False, faint=True)
    pts: list[list[float]] = []
    entries, statuses = [], set()
    labelled: set[str] = set()
    n = len(routes)
    for i, r in enumerate(routes):
        name = names[i] if names is not None else _default_route_name(r, i, routes)
        color = ROUTE_COLORS[i % len(ROUTE_COLORS)]
        pct = percentiles[i] if percentiles is not None else None
        summary = popups.route_totals_text(r.totals(), pct)
        # the layer list names the route with its figure; the legend and popups give the
        # figure in the summary beside the name, so there the name goes without it
        plain = plain_route_name(name, pct)
        brief = summary if n <= 2 else popups.route_totals_short(r.totals(), pct)
        entries.append((color, plain, brief))
        fg = group(m, name)
        # the first route widest, so routes sharing a leg all stay visible
        weight = max(3.0, 7.0 - 1.5 * i)
        _draw_route_legs(feats, fg, r, i, color, weight, plain, summary, pts, statuses, labelled)
        _draw_route_ends(feats, fg, r, i, color, plain, summary, labelled)
        draw_stops(feats, fg, r.legs, color, labelled, tag=f"{i}:")
    m.add_child(feats)
    control(m, legends.route_legend(entries, statuses), position="bottomright")
    return finish(m, bounds_of(pts))


def _draw_route_legs(
    feats: Any,
    fg: Any,
    r: Route,
    i: int,
    color: str,
    weight: float,
    name: str,
    summary: str,
    pts: list,
    statuses: set[str],
    labelled: set[str],
) -> None:
    """Draw a route's links with arrows, and its transfers and border stops where they are.

    Parameters
    ----------
    feats, fg
        The features element and the route's layer.
    r, i
        The route and its index (best first).
    color, weight
        The route's line colour and width.
    name, summary
        The route's name and totals text, for the popups.
    pts
        The points to fit the map to; extended with the links'.
    statuses
        The link statuses drawn (for the legend); extended.
    labelled
        The places already labelled; extended.
    """
    last: list[float] | None = None
    pending: list[Any] = []
    for leg in r.legs:
        if leg.get("kind") == "link":
            coords = latlngs(leg["geometry"])
            pts.extend(coords)
            status = leg.get("status", "operational")
            statuses.add(status)
            style = {
                "color": color,
                "weight": weight,
                "opacity": 0.9,
                "dashArray": STATUS_DASH.get(status) or SCHEMATIC_MODES.get(leg.get("mode")),
            }
            if leg.get("mode") in SCHEMATIC_MODES:
                statuses.add("schematic")
            feats.add(
                fg,
                "route",
                f"{i}:{leg.get('link_id')}",
                style,
                latlngs=coords,
                tooltip=popups.leg_tooltip(leg),
                popup=popups.leg_popup(leg, name, summary),
            )
            arrow = _arrow(coords)
            if arrow is not None:
                feats.add(
                    fg,
                    "arrow",
                    f"{i}:{leg.get('link_id')}",
                    {"color": color},
                    latlng=arrow[0],
                    angle=arrow[1],
                )
            for t in pending:
                _add_transfer(feats, fg, t, coords[0], name, summary, i, labelled)
            pending = []
            last = coords[-1]
        elif last is None:
            pending.append(leg)  # transfers before the first link: loading at the origin
        else:
            _add_transfer(feats, fg, leg, last, name, summary, i, labelled)


def _draw_route_ends(
    feats: Any,
    fg: Any,
    r: Route,
    i: int,
    color: str,
    name: str,
    summary: str,
    labelled: set[str],
) -> None:
    """Mark a route's origin and destination, naming each place once on the map.

    Parameters
    ----------
    feats, fg
        The features element and the route's layer.
    r, i
        The route and its index (best first).
    color
        The route's colour.
    name, summary
        The route's name and totals text, for the popups.
    labelled
        The places already labelled; extended.
    """
    ends = [leg for leg in r.legs if leg.get("kind") == "link"]
    if ends:
        for label, ll in (
            (r.names.get(r.origin, r.origin), latlngs(ends[0]["geometry"])[0]),
            (r.names.get(r.destination, r.destination), latlngs(ends[-1]["geometry"])[-1]),
        ):
            feats.add(
                fg,
                "end",
                f"{i}:{label}",
                {
                    "radius": 7,
                    "color": "#ffffff",
                    "weight": 2,
                    "fillColor": color,
                    "fillOpacity": 1.0,
                },
                latlng=ll,
                tooltip=popups.place_tooltip({"name": label}),
                popup=popups.route_end_popup(name, summary),
                label=None if label in labelled else f"<b>{esc(short_name(label))}</b>",
                rank=0,
            )
            labelled.add(label)


def plain_route_name(name: str, pct: Mapping[str, Any] | None) -> str:
    """``name`` without a trailing ": 22.4 days expected" that repeats the route's own figure."""
    if pct and pct.get("days"):
        tail = f": {pct['days']['expected']:.1f} days expected"
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


#: the label rank of a route's stops: where it transships or crosses a border, where it
#: calls at a port or passes a chokepoint, and the places it only passes through
STOP_RANKS = {"transship": 1, "border": 1, "water": 2, "other": 3}


def route_stops(legs: Sequence[Any]) -> list[dict[str, Any]]:
    """The places a route or replay passes, in order, with where they are and how key.

    Parameters
    ----------
    legs
        Its legs (:class:`~corridormap.Leg`): links with a geometry and transfers.

    Returns
    -------
    list of dict
        Per place, once: ``id``, ``name``, ``ll`` (``[lat, lon]``: the end of the link
        leg that reaches it, or the start of the one that leaves it), ``role`` (a key of
        :data:`STOP_RANKS`: ``transship`` where cargo changes vehicle, ``border`` at either
        end of a border crossing, ``water`` at a port or chokepoint on a sea, Caspian,
        ferry or river leg, else ``other``) and ``rank``. The first and last are the
        route's ends.
    """
    order: dict[str, dict[str, Any]] = {}
    roles: dict[str, set[str]] = {}

    def seen(pid: Any, name: Any, ll: list[float], role: str | None) -> None:
        key = str(pid)
        if key not in order:
            order[key] = {"id": key, "name": str(name), "ll": ll}
        if role is not None:
            roles.setdefault(key, set()).add(role)

    pending: list[Any] = []
    for leg in legs:
        if leg.get("kind") != "link":
            pending.append(leg)
            continue
        ll = latlngs(leg["geometry"])
        role = (
            "border"
            if leg.get("border")
            else "water"
            if leg.get("mode") in ("sea", "caspian", "ferry", "inland")
            else None
        )
        seen(leg.get("from"), leg.get("from_name"), ll[0], role)
        for t in pending:
            if "gate" not in (t.get("from_layer"), t.get("to_layer")):
                seen(t.get("from"), t.get("from_name"), ll[0], "transship")
        pending = []
        seen(leg.get("to"), leg.get("to_name"), ll[-1], role)
    for t in pending:  # transfers after the last link: at the destination
        if order and "gate" not in (t.get("from_layer"), t.get("to_layer")):
            last = list(order.values())[-1]
            seen(t.get("from"), t.get("from_name"), last["ll"], "transship")
    out = []
    for key, x in order.items():
        got = roles.get(key, set())
        role = next((r for r in STOP_RANKS if r in got), "other")
        out.append({**x, "role": role, "rank": STOP_RANKS[role]})
    return out


def draw_stops(
    feats: Any,
    fg: Any,
    legs: Sequence[Any],
    color: str,
    labelled: set[str],
    *,
    tag: str = "",
    ends: bool = False,
) -> None:
    """Mark and label the places a route passes that carry no marker yet.

    Parameters
    ----------
    feats, fg
        The features element and the layer.
    legs
        The route's legs.
    color
        The route's colour (the markers' ring).
    labelled
        Names already labelled on the map (its ends, transshipments); extended.
    tag
        Prefix of the markers' ids (``"0:"`` for the first route).
    ends
        Mark the first and last place too, as ends (bold labels, ranked first).
    """
    stops = route_stops(legs)
    for n, stop in enumerate(stops):
        if stop["name"] in labelled:
            continue
        labelled.add(stop["name"])
        end = ends and n in (0, len(stops) - 1)
        text = esc(short_name(stop["name"]))
        feats.add(
            fg,
            "end" if end else "stop",
            f"{tag}{stop['id']}",
            {
                "radius": 6 if end else 3,
                "color": "#ffffff" if end else color,
                "weight": 2,
                "fillColor": color if end else "#ffffff",
                "fillOpacity": 1.0,
            },
            latlng=[rounded(stop["ll"][0]), rounded(stop["ll"][1])],
            tooltip=popups.place_tooltip({"name": stop["name"]}),
            label=f"<b>{text}</b>" if end else text,
            rank=0 if end else stop["rank"],
        )


def _mercator(ll: list[float]) -> tuple[float, float]:
    lat = max(-85.0, min(85.0, ll[0]))
    return ll[1], math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _arrow(coords: list[list[float]]) -> tuple[list[float], float] | None:
    """The midpoint of a leg and its heading on the web map, for a direction arrow.

    The heading is in degrees clockwise from east on the (conformal) web map, or ``None`` for
    a leg too short to carry an arrow.
    """
    if len(coords) < 2:
        return None
    seg = [math.dist(_mercator(a), _mercator(b)) for a, b in itertools.pairwise(coords)]
    total = sum(seg)
    if total < 1.0:  # about 100 km at these latitudes
        return None
    half, run = total / 2, 0.0
    for (a, b), s in zip(itertools.pairwise(coords), seg, strict=True):
        if run + s >= half and s > 0:
            f = (half - run) / s
            (x1, y1), (x2, y2) = _mercator(a), _mercator(b)
            mid = [rounded(a[0] + f * (b[0] - a[0])), rounded(a[1] + f * (b[1] - a[1]))]
            return mid, round(math.degrees(math.atan2(-(y2 - y1), x2 - x1)), 1)
        run += s
    return None


def _add_transfer(feats, fg, leg, latlng, name, summary, i, labelled: set[str]) -> None:
    # only transshipments are worth a marker, not loading at the origin or destination
    if leg.get("from_layer") == "gate" or leg.get("to_layer") == "gate":
        return
    place = str(leg.get("from_name"))
    feats.add(
        fg,
        "transfer",
        f"{i}:{leg.get('place')}:{leg.get('transfer')}",
        {"radius": 5, "color": "#333333", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1.0},
        latlng=latlng,
        tooltip=popups.transfer_tooltip(leg),
        popup=popups.leg_popup(leg, name, summary),
        label=None if place in labelled else esc(short_name(place)),
        rank=1,
    )
    labelled.add(place)
