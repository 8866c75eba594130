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
def _default_route_name(r: Route, i: int, n: int) -> str:
    o = r.names.get(r.origin, r.origin)
    d = r.names.get(r.destination, r.destination)
    return f"Route {i + 1}: {o} → {d}" if n > 1 else f"{o} → {d}"


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
        Layer names, one per route; default "origin → destination".
    tiles
        As in :func:`corridor_map`.
    percentiles
        Per route, its :func:`corridormap.uncertainty.route_percentiles` (an empty dict for a
        route without legs). Legends and popups then give P50 (P10–P90) days and cost;
        without them, the likely-value figures, labelled so.

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
        name = names[i] if names is not None else _default_route_name(r, i, n)
        color = ROUTE_COLORS[i % len(ROUTE_COLORS)]
        summary = popups.route_totals_text(
            r.totals(), percentiles[i] if percentiles is not None else None
        )
        entries.append((color, name, summary))
        fg = group(m, name)
        # the first route widest, so routes sharing a leg all stay visible
        weight = max(3.0, 7.0 - 1.5 * i)
        _draw_route_legs(feats, fg, r, i, color, weight, name, summary, pts, statuses, labelled)
        _draw_route_ends(feats, fg, r, i, color, name, summary, labelled)
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
            )
            labelled.add(label)


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
    )
    labelled.add(place)
