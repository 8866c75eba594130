"""Layers: the network, its places, routes and links coloured by a number.

* :func:`corridor_map`: every link styled by mode and status, a layer per corridor branch and
  per kind of place;
* :func:`route_map`: :class:`~corridormap.Route` objects, a layer each, drawn from their
  public legs and totals;
* :func:`color_links`: links coloured by a number per link id (the bottleneck overlay).

Each returns a :class:`folium.Map` and accepts an existing map ``m=`` to draw on. The text of
popups and tooltips is built in :mod:`.popups`, the legends in :mod:`.legends`, the page in
:mod:`.page`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._gc import paused
from ..places import short_name
from . import legends, popups
from ._html import bounds_of, esc, latlngs, rounded
from .page import control, finish, fit, group, new_features, new_map
from .styles import (
    BRANCH_LABELS,
    GAP_COLOR,
    GAUGE_BREAK_STYLE,
    LABELLED_KINDS,
    MODE_STYLES,
    NODE_GROUPS,
    ROUTE_COLORS,
    SCHEMATIC_MODES,
    STATUS_DASH,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..routing import Route


# -- network --------------------------------------------------------------------------------
def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows of a frame as dicts, geometry under ``"geometry"``.

    The NaNs a frame puts where an element has no value are dropped, so a row equals the
    element's own data.
    """
    import pandas as pd

    geometry = frame.geometry.name
    plain = pd.DataFrame(frame.drop(columns=geometry)).reset_index(drop=True)
    return [
        {
            **{k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))},
            "geometry": geom,
        }
        for row, geom in zip(plain.to_dict("records"), frame.geometry, strict=True)
    ]


def link_records(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """One record per link id (not per direction or layer), geometry in the link's direction.

    Read from the network's edge frame (:func:`corridormap.graph_to_gdfs`).
    """
    from ..convert import graph_to_gdfs

    edges = graph_to_gdfs(G, nodes=False)
    edges.attrs.clear()  # pandas deep-copies attrs (the whole G.graph) on every operation
    if "kind" not in edges.columns:
        return {}
    links = edges[edges["kind"] == "link"]
    keys = links.index.get_level_values("key")
    out: dict[str, dict[str, Any]] = {}
    for key, d in zip(keys, _records(links), strict=True):
        lid = d["link_id"]
        reverse = str(key).endswith("~r")
        if lid not in out or (out[lid]["_reverse"] and not reverse):
            out[lid] = {**d, "_reverse": reverse}
    return dict(sorted(out.items()))


def link_style(d: Mapping[str, Any], *, faint: bool = False) -> dict[str, Any]:
    """Colour, weight, opacity and dashes of a link by its mode and status."""
    base = MODE_STYLES.get(d.get("mode"), {"color": "#666666", "weight": 2.0})
    status = d.get("status", "operational")
    style = {"color": base["color"], "weight": base["weight"], "opacity": 0.9}
    if status == "gap":
        style.update(color=GAP_COLOR, weight=base["weight"] + 1)
    style["dashArray"] = STATUS_DASH.get(status) or SCHEMATIC_MODES.get(d.get("mode"))
    if faint:
        style.update(opacity=0.35, weight=max(1.5, style["weight"] - 1))
    return style


def gauge_breaks(G: nx.MultiDiGraph) -> set[str]:
    """Places where cargo changes gauge: rail layers of two gauges.

    Read from the nodes' ``place`` and ``layer`` (``rail:<gauge>``): building the node frame
    (a shapely point per node) took a second on a network of 30,000 nodes.
    """
    layers: dict[Any, set[Any]] = {}
    for _, d in G.nodes(data=True):
        place, layer = d.get("place"), d.get("layer")
        if place is not None and str(layer).startswith("rail:"):
            layers.setdefault(place, set()).add(layer)
    return {str(p) for p, found in layers.items() if len(found) > 1}


@paused
def draw_network(
    G: nx.MultiDiGraph,
    m: folium.Map,
    feats: Any,
    *,
    by_branch: bool = True,
    faint: bool = False,
    label: str = "Corridor network",
    show: bool = True,
) -> tuple[list[list[float]], set[str], set[str]]:
    """Add the link layers; returns the drawn coordinates, modes and statuses."""
    from .._schema import check_graph
    from ..places import places

    check_graph(G, "places")  # the check (and message) the network layer always gave
    own = _own_link_records(G)
    compact = len(own) > COMPACT_LINKS
    links = own if compact else link_records(G)
    names = _own_place_names(G) if compact else places(G)
    groups: dict[str, Any] = {}
    order = list(BRANCH_LABELS)
    if by_branch:
        found = {str(b) for d in links.values() for b in (d.get("branch") or [])}
        keys = [b for b in order if b in found] + sorted(found - set(order))
        for b in keys:
            groups[b] = group(m, BRANCH_LABELS.get(b, f"Branch {b}"), show=show)
        if any(not d.get("branch") for d in links.values()):
            groups[""] = group(m, "Other links", show=show)
    else:
        groups[""] = group(m, label, show=show)
    if len(links) > COMPACT_LINKS:
        return _draw_compact(links, names, groups, m, by_branch=by_branch, faint=faint)
    pts: list[list[float]] = []
    modes, statuses = set(), set()
    for lid, d in links.items():
        coords = latlngs(d["geometry"])
        pts.extend(coords)
        modes.add(d.get("mode"))
        statuses.add(d.get("status"))
        style = link_style(d, faint=faint)
        branches = [str(b) for b in (d.get("branch") or [])] if by_branch else []
        for b in branches or [""]:
            feats.add(
                groups[b],
                "link",
                lid,
                style,
                latlngs=coords,
                tooltip=popups.link_tooltip(d, names),
                popup=None if faint else popups.link_popup(d, names),
            )
    return pts, modes, statuses


def _own_place_names(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """``{place id: {"name": ...}}`` read straight from the nodes (a gate's name first), as ...

    ... :func:`corridormap.places` gives them, without copying every place's properties.
    """
    from ..places import NO_NAME, place_names

    return {pid: {} if n is NO_NAME else {"name": n} for pid, n in place_names(G).items()}


def _own_link_records(G: nx.MultiDiGraph) -> dict[str, Mapping[str, Any]]:
    """One record per link id, as :func:`link_records`, read straight from the edges.

    They are the graph's own mappings, read only: the edge frame costs seconds on a large
    network.
    """
    out: dict[str, Mapping[str, Any]] = {}
    forward: set[str] = set()
    for _, _, key, d in G.edges(keys=True, data=True):
        if d.get("kind") != "link":
            continue
        lid = d["link_id"]
        reverse = str(key).endswith("~r")
        if lid not in out or (lid not in forward and not reverse):
            out[lid] = d
            if not reverse:
                forward.add(lid)
    return dict(sorted(out.items()))


#: above this many links, :func:`draw_network` emits the compact link layer
COMPACT_LINKS = 2_000
#: the compact layer's simplification tolerance, in pixels at the zoom that fits the network
#: into a 1,000-pixel-wide map: a quarter pixel there is one pixel two zoom levels closer
SIMPLIFY_PX = 0.25


def _draw_compact(
    links: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, Any],
    groups: Mapping[str, Any],
    m: folium.Map,
    *,
    by_branch: bool,
    faint: bool,
) -> tuple[list[list[float]], set[str], set[str]]:
    """The link layers of a large network as one compact element (:class:`Links`).

    Coordinates are simplified (shapely, without keeping topology: endpoints stay), rounded,
    and kept as flat ``lat, lon`` lists; each distinct piece of popup text is stored once.
    Returns what :func:`draw_network` returns, with the bounding points of every link.
    """
    import numpy as np
    import shapely

    from ._html import COORD_DECIMALS, fmt
    from .elements import element_classes
    from .styles import BRANCH_LABELS

    ids = list(links)
    geoms = np.array([links[i]["geometry"] for i in ids], dtype=object)
    lo = shapely.bounds(geoms)
    span = float(np.nanmax(lo[:, 2]) - np.nanmin(lo[:, 0])) if len(ids) else 0.0
    tolerance = span / 1000.0 * SIMPLIFY_PX
    simple = shapely.simplify(geoms, tolerance, preserve_topology=False) if tolerance else geoms
    layer = element_classes()["Links"](popups=not faint)
    modes, statuses = set(), set()
    shared: dict[str, list[Any]] = {}
    escaped: dict[Any, int] = {}

    def name(pid: Any) -> int:
        got = escaped.get(pid)
        if got is None:
            got = escaped[pid] = layer.text(esc(names.get(pid, {}).get("name", pid)))
        return got

    xy, which = shapely.get_coordinates(simple, return_index=True)
    flat = np.round(xy[:, ::-1], COORD_DECIMALS).ravel().tolist()
    cuts = (2 * np.searchsorted(which, np.arange(len(ids) + 1))).tolist()
    for i, lid in enumerate(ids):
        d = links[lid]
        fields = (
            d.get("mode"),
            d.get("status"),
            d.get("gauge"),
            d.get("operator"),
            d.get("source"),
            d.get("basis"),
            d.get("notes"),
        )
        branch_ids = tuple(str(b) for b in (d.get("branch") or []))
        key = repr((fields, branch_ids))  # values may be lists: compare by their text
        if key not in shared:
            mode, status, gauge, operator, source, basis, notes = fields
            modes.add(mode)
            statuses.add(status)
            branch = ", ".join(BRANCH_LABELS.get(b, b) for b in branch_ids)
            mode_row = _rows([("Mode", esc(mode))])
            rest = _rows(
                [
                    ("Status", esc(status)),
                    ("Gauge", f"{fmt(gauge)} mm" if gauge else None),
                    ("Branch", esc(branch)),
                    ("Operator", esc(operator) if operator else None),
                    ("Source", esc(source)),
                    ("Basis", esc(basis)),
                    ("Notes", esc(notes) if notes else None),
                ]
            )
            profile = (
                esc(mode),
                "" if status == "operational" else f" · {esc(status)}",
                mode_row,
                rest,
            )
            layers_ = [groups[g] for g in (branch_ids if by_branch else ()) or [""]]
            shared[key] = layer.shared(link_style(d, faint=faint), layers_, profile)
        length = d.get("length_km")
        escaped_id = esc(lid)
        layer.add(
            lid,
            flat[cuts[i] : cuts[i + 1]],
            shared[key],
            ends=(name(d.get("from")), name(d.get("to"))),
            length=(layer.text(fmt(length)), layer.text(fmt(length, 1))),
            escaped_id=None if escaped_id == lid else layer.text(escaped_id),
        )
    m.add_child(layer)
    if len(ids):
        box = [[float(np.nanmin(lo[:, 1])), float(np.nanmin(lo[:, 0]))]]
        box.append([float(np.nanmax(lo[:, 3])), float(np.nanmax(lo[:, 2]))])
        pts = [[round(y, COORD_DECIMALS), round(x, COORD_DECIMALS)] for y, x in box]
    else:
        pts = []
    return pts, modes, statuses


#: places closer than this (degrees) name each other in their popups
NEARBY_DEG = 0.3
#: above this many places, :func:`draw_places` emits the compact place layer
COMPACT_PLACES = 1_000


def nearby(points: Sequence[tuple[float, float]], deg: float = NEARBY_DEG) -> list[list[int]]:
    """For each point, the indices of the other points closer than ``deg`` in x and in y.

    Parameters
    ----------
    points
        ``(x, y)`` pairs.
    deg
        The distance, in the units of the points (degrees).

    Returns
    -------
    list of list of int
        Per point, in order, the indices (ascending) of the points ``q`` with
        ``abs(qx - x) < deg and abs(qy - y) < deg``: what comparing every pair gives, found
        by looking in the 3 × 3 cells of a grid round each point. The cells are a hair wider
        than ``deg`` so that rounding in the division cannot put two points closer than
        ``deg`` two cells apart; a point with a coordinate that is not finite has no
        neighbours and is nobody's.
    """
    cell = deg * (1 + 1e-9)
    buckets: dict[tuple[int, int], list[int]] = {}
    keys: list[tuple[int, int] | None] = []
    for i, (x, y) in enumerate(points):
        key = None
        if math.isfinite(x) and math.isfinite(y):
            key = (math.floor(x / cell), math.floor(y / cell))
            buckets.setdefault(key, []).append(i)
        keys.append(key)
    out: list[list[int]] = []
    for i, key in enumerate(keys):
        if key is None:
            out.append([])
            continue
        x, y = points[i]
        cx, cy = key
        found = [
            j
            for dx, dy in itertools.product((-1, 0, 1), repeat=2)
            for j in buckets.get((cx + dx, cy + dy), ())
            if j != i and abs(points[j][0] - x) < deg and abs(points[j][1] - y) < deg
        ]
        found.sort()
        out.append(found)
    return out


def _place_groups(
    cat: Mapping[str, Mapping[str, Any]], m: folium.Map
) -> list[tuple[str, Any, tuple[str, ...], list[Mapping[str, Any]], dict[str, Any]]]:
    """A layer per group of kinds of place that has places.

    Returns ``(key, layer, kinds, members, marker style)`` in :data:`NODE_GROUPS` order, the
    members in the order of ``cat``.
    """
    out = []
    for key, label, kinds, st in NODE_GROUPS:
        members = [p for p in cat.values() if p.get("kind") in kinds]
        if members:
            out.append((key, group(m, label), kinds, members, st))
    return out


def draw_places(
    G: nx.MultiDiGraph, m: folium.Map, feats: Any, *, labels: Iterable[str] = ()
) -> set[str]:
    """Add a layer per kind of place; returns the kinds drawn (and ``gauge_break``).

    Cities and chokepoints are labelled, and the places ``labels`` (ids) as well. Above
    :data:`COMPACT_PLACES` places the places are one compact element (:class:`Places`) drawn
    after ``feats``, with the same markers, tooltips and popups.
    """
    labels = set(labels)
    from ..places import places

    breaks = gauge_breaks(G)
    own = _own_places(G)
    if len(own) > COMPACT_PLACES:
        return _draw_places_compact(own, breaks, labels, m, feats)
    cat = places(G)
    kinds_seen: set[str] = set()
    # places drawn on one spot at the overview's zoom (a port and its railway station)
    ids = list(cat)
    near = {
        pid: [str(cat[ids[j]].get("name")) for j in found]
        for pid, found in zip(
            ids, nearby([(float(p["x"]), float(p["y"])) for p in cat.values()]), strict=True
        )
    }
    for key, fg, _, members, st in _place_groups(cat, m):
        kinds_seen.add(key)
        for p in members:
            style = {"weight": 1.5, "fillOpacity": 1.0, "opacity": 1.0, **st}
            if p["id"] in breaks:
                style.update(GAUGE_BREAK_STYLE)
                kinds_seen.add("gauge_break")
            feats.add(
                fg,
                "node",
                p["id"],
                style,
                latlng=[rounded(p["y"]), rounded(p["x"])],
                tooltip=popups.place_tooltip(p),
                popup=popups.place_popup(p, p["id"] in breaks, near.get(p["id"], ())),
                label=esc(short_name(p.get("name")))
                if p.get("kind") in LABELLED_KINDS or p["id"] in labels
                else None,
            )
    return kinds_seen


def _rows(rows: Iterable[tuple[str, Any]]) -> str:
    """The ``<tr>`` rows :func:`._html.table` writes for ``rows``, without the table."""
    from ._html import table

    return table(rows)[len('<table class="cm-table">') : -len("</table>")]


def _place_profile(p: Mapping[str, Any], gauge_break: bool) -> list[str]:
    """A place's popup rows between its id and the places near it, one ``<tr>`` each.

    The rows of :func:`.popups.place_rows` that :func:`.popups.place_popup` shows.
    """
    return [row for row in map(_rows, ([r] for r in popups.place_rows(p, gauge_break))) if row]


#: node properties the popup rows (:func:`.popups.place_rows`) never read: places that differ
#: only in these share their rows
_NOT_IN_ROWS = frozenset({"place", "layer", "id", "name", "x", "y"})


def _own_places(G: nx.MultiDiGraph) -> dict[str, Mapping[str, Any]]:
    """``{place id: its node's data}``: the places :func:`corridormap.places` gives, ...

    ... in its order and from the same node (a gate's first), but the graph's own mappings,
    read only (copying them all costs more than drawing them).
    """
    from ..places import place_nodes

    return dict(sorted(place_nodes(G).items()))


def _draw_places_compact(
    cat: Mapping[str, Mapping[str, Any]],
    breaks: set[str],
    labels: set[str],
    m: folium.Map,
    feats: Any,
) -> set[str]:
    """The place layers of a large network as one compact element (:class:`Places`).

    Every place of ``cat`` (:func:`_own_places`) is a row, those of no drawn kind too
    (popups name them as near), in the order of ``cat``; the element is added to ``feats``,
    so it is drawn after the links. Returns what :func:`draw_places` returns.
    """
    from .elements import element_classes

    layer = element_classes()["Places"](NEARBY_DEG, m)
    kinds_seen: set[str] = set()
    where: dict[Any, tuple[int, dict[str, Any]]] = {}
    for key, fg, kinds, _, st in _place_groups(cat, m):
        kinds_seen.add(key)
        where.update(dict.fromkeys(kinds, (layer.group(fg), st)))  # in drawing order
    styles: dict[tuple[int, bool], int] = {}
    profiles: dict[str, int] = {}
    for pid, p in cat.items():
        kind = p.get("kind")
        g, st = where.get(kind, (-1, {}))
        gauge_break = pid in breaks
        if g >= 0 and (g, gauge_break) not in styles:
            style = {"weight": 1.5, "fillOpacity": 1.0, "opacity": 1.0, **st}
            styles[g, gauge_break] = layer.style(
                {**style, **GAUGE_BREAK_STYLE} if gauge_break else style
            )
        if g >= 0 and gauge_break:
            kinds_seen.add("gauge_break")
        shared = repr((sorted(kv for kv in p.items() if kv[0] not in _NOT_IN_ROWS), gauge_break))
        if shared not in profiles:
            profiles[shared] = layer.profile(_place_profile(p, gauge_break))
        name = p.get("name")
        escaped = esc(name)
        label = None
        if g >= 0 and (kind in LABELLED_KINDS or pid in labels):
            label = layer.text(escaped if short_name(name) == name else esc(short_name(name)))
        layer.add(
            pid,
            (float(p["y"]), float(p["x"])),
            styles.get((g, gauge_break), -1),
            g,
            name=layer.text(escaped),
            profile=profiles[shared],
            label=label,
            near_name=None if name is not None else layer.text(esc(str(name))),
        )
    feats.add_child(layer)
    return kinds_seen


def corridor_map(
    G: nx.MultiDiGraph,
    *,
    m: folium.Map | None = None,
    tiles: bool = True,
    labels: Iterable[str] = (),
):
    """The corridor network: every link styled by mode and status, places by kind.

    Parameters
    ----------
    G
        The network from :func:`corridormap.load_network`.
    m
        A map to draw on; a new one when ``None``.
    tiles
        Use a tile basemap (CARTO light, OpenStreetMap data); ``False`` draws the offline
        Natural Earth country basemap instead, so the page makes no tile requests.
        :func:`~corridormap.render.save_map` with ``self_contained=True`` always uses the
        offline basemap.
    labels
        Place ids labelled on the map besides the cities and chokepoints (ports, say).

    Returns
    -------
    folium.Map
        One toggleable layer per corridor branch (a link on several branches is in each of
        their layers) and per kind of place, tooltips with names, a popup per link (mode, km,
        status, source, basis, notes), a legend, a scale bar and an attribution line.
    """
    m = m if m is not None else new_map(tiles=tiles)
    feats = new_features()
    pts, modes, statuses = draw_network(G, m, feats)
    kinds = draw_places(G, m, feats, labels=labels)
    m.add_child(feats)
    control(m, legends.network_legend(modes, statuses, kinds), position="bottomright")
    return finish(m, bounds_of(pts))


def links_box(G: nx.MultiDiGraph, link_ids: Iterable[str], *, pad: float) -> list[list[float]]:
    """``[[south, west], [north, east]]`` round the given links, ``pad`` degrees wider.

    ``[]`` when none of the links is in ``G``.
    """
    links = link_records(G)
    pts = [p for lid in link_ids if lid in links for p in latlngs(links[lid]["geometry"])]
    if not pts:
        return []
    (s, w), (n, e) = bounds_of(pts)
    return [[s - pad, w - pad], [n + pad, e + pad]]


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
    m = m if m is not None else new_map(tiles=tiles)
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


# -- links coloured by a number (the bottleneck overlay) ------------------------------------
def _colormap(cmap: str | Callable[[float], str]) -> Callable[[float], str]:
    if callable(cmap):
        return cmap
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cm = colormaps[cmap]
    # the colour scale starts at COLOR_FLOOR of the colormap, so the lowest value (often 0:
    # a link whose closure costs nothing) is a visible colour, not the near-white of YlOrRd
    return lambda x: to_hex(cm(COLOR_FLOOR + (1 - COLOR_FLOOR) * min(1.0, max(0.0, x))))


#: where a named colormap's scale starts (0 = its first colour)
COLOR_FLOOR = 0.35


def color_links(
    G: nx.MultiDiGraph,
    values: Mapping[str, float],
    *,
    m: folium.Map | None = None,
    label: str = "value",
    cmap: str | Callable[[float], str] = "YlOrRd",
    highlight: Iterable[str] = (),
    vmin: float | None = None,
    vmax: float | None = None,
    tiles: bool = True,
    title: str | None = None,
    subtitle: str = "",
    notes: Sequence[str] = (),
):
    """Colour the links by a number per link id: the bottleneck overlay hook.

    Parameters
    ----------
    G
        The network.
    values
        ``link id -> number`` (e.g. criticality); links without a value are drawn thin grey.
    m
        A map to draw on; a new one when ``None``.
    label
        What the number is, for the layer name, tooltips and the colour-scale legend.
    cmap
        A matplotlib colormap name, or a function of a value scaled to 0..1 returning a CSS
        colour.
    highlight
        Link ids drawn thick with a dark casing (e.g. the links of a minimum cut).
    vmin, vmax
        Ends of the colour scale; default the range of ``values``.
    tiles
        As in :func:`corridor_map`.
    title, subtitle
        A title box (and the page's title); none when ``title`` is ``None``.
    notes
        Lines listed in the legend under the colour scale (e.g. the pairs measured).

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If ``values`` or ``highlight`` name links that are not in ``G``.
    """
    from ..places import places

    links = link_records(G)
    hl = list(dict.fromkeys(highlight))
    unknown = sorted((set(values) | set(hl)) - set(links))
    if unknown:
        raise ValueError(f"no such link id(s) in the network: {', '.join(unknown[:10])}")
    finite = {k: float(v) for k, v in values.items() if v is not None and math.isfinite(float(v))}
    lo = vmin if vmin is not None else min(finite.values(), default=0.0)
    hi = vmax if vmax is not None else max(finite.values(), default=1.0)
    span = (hi - lo) or 1.0
    color = _colormap(cmap)
    names = places(G)
    m = m if m is not None else new_map(tiles=tiles)
    if title is not None:
        from .page import describe

        describe(m, title, subtitle or title)
        control(
            m, legends.title_box(title, subtitle), position="topleft", css_class="cm-box cm-title"
        )
    feats = new_features()
    fg = group(m, label)
    hfg = group(m, f"Highlighted links ({label})") if hl else None
    pts: list[list[float]] = []
    for lid, d in links.items():
        coords = latlngs(d["geometry"])
        pts.extend(coords)
        v = finite.get(lid)
        shown = "no value" if v is None else f"{v:,.3g}"
        extra = [(label, esc(shown))]
        if v is None:
            style = {"color": "#9e9e9e", "weight": 1.5, "opacity": 0.7}
        else:
            style = {"color": color((v - lo) / span), "weight": 4.0, "opacity": 0.95}
        style["dashArray"] = STATUS_DASH.get(d.get("status"))
        tooltip = popups.link_tooltip(d, names, f" · {esc(label)}: {esc(shown)}")
        popup = popups.link_popup(d, names, extra)
        feats.add(fg, "link", lid, style, latlngs=coords, tooltip=tooltip, popup=popup)
        if hfg is not None and lid in hl:
            feats.add(
                hfg,
                "highlight",
                lid,
                {"color": "#000000", "weight": 9.0, "opacity": 0.55, "fill": False},
                latlngs=coords,
                tooltip=tooltip,
                popup=popup,
            )
    m.add_child(feats)
    body = legends.scale_legend(label, color, lo, hi, len(hl))
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        body += f'<ul style="margin:4px 0 0 16px;padding:0">{items}</ul>'
    control(m, body, position="bottomright")
    return finish(m, bounds_of(pts))


# -- a scenario: what it closes, opens and changes ----------------------------------------
def scenario_map(
    G: nx.MultiDiGraph,
    view: Any,
    *,
    m: folium.Map | None = None,
    tiles: bool = True,
):
    """The changes of applied scenarios (:func:`corridormap.scenarios.apply_scenario`).

    Closed links are drawn red over a dark casing, opened (planned) links green, closed
    places as red rings with their names; the title box names the scenarios applied and the
    legend lists each one's description and every change (factors included).

    Returns
    -------
    folium.Map
    """
    from ..places import places
    from .page import describe
    from .styles import GAP_COLOR

    links = link_records(G)
    names = places(G)
    m = m if m is not None else new_map(tiles=tiles)
    scen = list(view.scenarios)
    title = "Scenario: " + " + ".join(s.name for s in scen) if scen else "Baseline (no scenario)"
    describe(m, title, "; ".join(s.description for s in scen if s.description) or title)
    control(
        m,
        legends.title_box(title, " · ".join(s.description for s in scen if s.description)),
        position="topleft",
        css_class="cm-box cm-title",
    )
    feats = new_features()
    pts, _, _ = draw_network(G, m, feats, by_branch=False, faint=True)
    closed_fg = group(m, "Closed links and places")
    opened_fg = group(m, "Opened links")
    shown: list[list[float]] = []
    for lid in sorted(view.closed_links | view.opened_links):
        if lid not in links:
            continue
        d = links[lid]
        coords = latlngs(d["geometry"])
        shown.extend(coords)
        is_closed = lid in view.closed_links
        fg = closed_fg if is_closed else opened_fg
        what = "closed" if is_closed else "opened"
        tip = popups.link_tooltip(d, names, f" · <b>{what}</b> in this scenario")
        pop = popups.link_popup(d, names, [("Scenario", f"<b>{what}</b>")])
        feats.add(
            fg, "casing", lid, {"color": "#111111", "weight": 9.0, "opacity": 0.6}, latlngs=coords
        )
        color = GAP_COLOR if is_closed else "#1a9850"
        feats.add(
            fg,
            "scenario",
            lid,
            {"color": color, "weight": 5.0, "opacity": 1.0},
            latlngs=coords,
            tooltip=tip,
            popup=pop,
        )
    for pid in sorted(view.closed_places):
        p = names.get(pid)
        if p is None:
            continue
        ll = [rounded(p["y"]), rounded(p["x"])]
        shown.append(ll)
        feats.add(
            closed_fg,
            "closed",
            pid,
            {
                "radius": 11,
                "color": GAP_COLOR,
                "weight": 4,
                "fillColor": "#ffffff",
                "fillOpacity": 0.9,
            },
            latlng=ll,
            tooltip=f"<b>{esc(p.get('name'))}</b> · closed in this scenario",
            popup=popups.place_popup(p, False).replace(
                "</b>", "</b> <b style='color:#d7191c'>closed</b>", 1
            ),
            label=f"<b>{esc(short_name(p.get('name')))}: closed</b>",
        )
    m.add_child(feats)
    changes = []
    for c in view.to_dict():
        t = c.get("target")
        if t in links:
            c = {**c, "target": f"{popups.link_title(links[t], names)} ({t})"}
        elif t in names:
            c = {**c, "target": f"{names[t].get('name')} ({t})"}
        changes.append(c)
    control(m, legends.scenario_legend(scen, changes), position="bottomright")
    finish(m, bounds_of(pts))
    if shown:  # open on what the scenario changes, a few degrees round it
        (s, w), (n, e) = bounds_of(shown)
        fit(m, [[s - 10, w - 15], [n + 10, e + 15]])
    return m
