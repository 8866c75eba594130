"""Layers of the network and its places.

* :func:`corridor_map`: every link styled by mode and status, a layer per corridor branch and
  per kind of place (large networks as compact layers);
* :func:`draw_network`, :func:`draw_places`: the same layers drawn on a given map.

Each returns a :class:`folium.Map` and accepts an existing map ``m=`` to draw on. The text of
popups and tooltips is built in :mod:`.popups`, the legends in :mod:`.legends`, the page in
:mod:`.page`; routes are drawn by :mod:`.routes`, links coloured by a number and scenarios by
:mod:`.overlays`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._gc import paused
from ..places import short_name
from . import legends, popups
from ._html import bounds_of, esc, latlngs, rounded
from .page import control, finish, group, new_features, new_map
from .styles import (
    BRANCH_LABELS,
    GAP_COLOR,
    GAUGE_BREAK_STYLE,
    KEY_LABEL_RANK,
    LABEL_RANKS,
    LABELLED_KINDS,
    MODE_STYLES,
    NODE_GROUPS,
    SCHEMATIC_MODES,
    STATUS_DASH,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium


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

    Every place of a kind in :data:`LABELLED_KINDS` is labelled, and the places ``labels``
    (ids) as well; gauge breaks and ``labels`` first where labels collide. Above
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
                rank=label_rank(p, p["id"] in breaks or p["id"] in labels),
            )
    return kinds_seen


def label_rank(p: Mapping[str, Any], key: bool = False) -> int:
    """The rank of a place's label (0 first): a key place's, or its kind's.

    Parameters
    ----------
    p
        The place (its ``kind``).
    key
        A gauge break, or a place the scene names: :data:`KEY_LABEL_RANK`.
    """
    return KEY_LABEL_RANK if key else LABEL_RANKS.get(str(p.get("kind")), 3)


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
            rank=label_rank(p, gauge_break or pid in labels),
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
    m = m if m is not None else new_map(tiles=tiles, G=G)
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
