"""Static figures of a scene for print and articles: PNG (300 dpi) or SVG, no browser.

:func:`draw_static` draws a computed scene with matplotlib from the same pieces as the web
page: the offline Natural Earth basemap (``geodata/basemap/``), the network's links styled by
mode (faint under routes), the routes in the page's colours with their expected days
(P10–P90) in the legend, a replay's legs, the labelled places; then a legend, a scale bar,
the title, and a credit line with the date. :func:`save_static` writes it atomically.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._atomic import atomic_write
from .._today import today
from ..places import short_name
from .charts import figure_bytes, literal_text
from .styles import ATTRIBUTION, BASEMAP_ATTRIBUTION, MODE_STYLES, ROUTE_COLORS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..mapscenes import SceneView

#: resolution of PNG figures (dots per inch)
DPI = 300
#: figure size in inches (width, height)
SIZE = (8.0, 6.0)
_DASH = {"gap": (0, (4, 3)), "planned": (0, (1, 3)), "under_construction": (0, (1, 3))}
#: the dash-dot of schematic lines (styles.SCHEMATIC_MODES)
_SCHEMATIC = (0, (5, 2, 1, 2))


def _dash(d: Any) -> Any:
    from .styles import SCHEMATIC_MODES

    if d.get("status") in _DASH:
        return _DASH[d.get("status")]
    return _SCHEMATIC if d.get("mode") in SCHEMATIC_MODES else "-"


def _lines(ax: Any, coords: list[tuple[float, float]], **kw: Any) -> None:
    xs, ys = zip(*coords, strict=True)
    ax.plot(xs, ys, solid_capstyle="round", **kw)


def _scale_bar(ax: Any, lat: float) -> None:
    """A bar of a round number of km in the lower left, measured at latitude ``lat``."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * math.cos(math.radians(lat))
    target = (x1 - x0) * km_per_deg / 5
    step = 10 ** math.floor(math.log10(target))
    km = max(s * step for s in (1, 2, 5) if s * step <= target)
    width = km / km_per_deg
    bx, by = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + width], [by, by], color="#222", lw=2.5, solid_capstyle="butt", zorder=9)
    ax.text(
        bx + width / 2,
        by + (y1 - y0) * 0.012,
        f"{km:,.0f} km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=9,
        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1},
    )


def draw_static(view: SceneView, *, G: nx.MultiDiGraph) -> Figure:
    """The scene as a matplotlib figure (see the module docstring)."""
    from matplotlib.figure import Figure

    from .layers import link_records

    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_axes((0.0, 0.07, 1.0, 0.83))
    ax.set_facecolor("#d4e4f1")
    handles: list[Any] = []
    # what to fit the view to
    pts: list[tuple[float, float]] = []
    links = link_records(G)
    routes = list(view.routes)
    faint = bool(routes) or view.replay is not None
    _draw_network(ax, links, faint, pts, handles)
    labelled: dict[str, tuple[float, float, int]] = {}
    _draw_routes(ax, view, routes, pts, handles, labelled)
    if view.replay is not None:
        _draw_replay(ax, view.replay, pts, handles, labelled)
    _evidence_handles(view, handles)
    if view.scene.network:
        _network_labels(G, view, labelled)
    w, e, s, n, mid, aspect = _view_box(pts)
    _draw_basemap(ax, w, e, s, n)
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, mid)
    avoid = []
    if handles:
        avoid.append(ax.legend(handles=handles, loc="lower right", fontsize=5.5, framealpha=0.92))
    literal_text(fig)  # before the names are placed: placing them measures the legend's text
    _draw_labels(ax, labelled, avoid)
    _draw_titles(fig, view)
    return literal_text(fig)


def _draw_network(ax: Any, links: dict, faint: bool, pts: list, handles: list) -> None:
    """Draw every link by mode: faint under routes or a replay, else styled, with a legend.

    Parameters
    ----------
    ax
        The axes to draw on.
    links
        The link records (:func:`~corridormap.render.layers.link_records`).
    faint
        Whether the network is only a backdrop (then it neither sets the view nor the legend).
    pts
        The points to fit the view to; extended with the links' when not ``faint``.
    handles
        The legend handles; one per mode drawn is added when not ``faint``.
    """
    from matplotlib.lines import Line2D

    for d in links.values():
        st = MODE_STYLES.get(d.get("mode"), {"color": "#666666", "weight": 2.0})
        coords = list(d["geometry"].coords)
        if not faint:
            pts.extend(coords)
        _lines(
            ax,
            [(x, y) for x, y, *_ in coords],
            color=st["color"],
            lw=0.5 if faint else st["weight"] * 0.35,
            alpha=0.35 if faint else 0.9,
            linestyle=_dash(d),
            zorder=3,
        )
    if not faint:
        for mode, st in MODE_STYLES.items():
            if any(d.get("mode") == mode for d in links.values()):
                handles.append(Line2D([], [], color=st["color"], lw=1.5, label=st["label"]))


def _draw_routes(
    ax: Any, view: SceneView, routes: list, pts: list, handles: list, labelled: dict
) -> None:
    """Draw the scene's routes, best first, each with a legend entry and its ends labelled.

    Parameters
    ----------
    ax
        The axes to draw on.
    view
        The scene (for the routes' names and percentiles).
    routes
        The routes to draw.
    pts
        The points to fit the view to; extended with the routes'.
    handles
        The legend handles; one per route is added (with its P10-P90 days if known).
    labelled
        Places to label, name to (x, y, rank); the routes' key places are added.
    """
    from matplotlib.lines import Line2D

    for i, r in enumerate(routes):
        color = ROUTE_COLORS[i % len(ROUTE_COLORS)]
        lw = max(1.2, 3.0 - 0.6 * i)
        for leg in r.legs:
            if leg.get("kind") != "link":
                continue
            coords = [(x, y) for x, y, *_ in leg["geometry"].coords]
            pts.extend(coords)
            _lines(
                ax,
                coords,
                color=color,
                lw=lw,
                alpha=0.9,
                zorder=5,
                linestyle=_dash(leg),
            )
        _key_stops(r.legs, labelled)
        name = view.names[i] if i < len(view.names) else f"Route {i + 1}"
        pct = view.percentiles[i] if i < len(view.percentiles) else {}
        if pct:
            d = pct["days"]
            name = (
                f"{name.rsplit(':', 1)[0]}: {d['expected']:.1f} d expected "
                f"(P10–P90 {d['p10']:.1f}–{d['p90']:.1f})"
            )
        handles.append(Line2D([], [], color=color, lw=lw + 1, label=name))


def _draw_replay(ax: Any, replay: Any, pts: list, handles: list, labelled: dict) -> None:
    """Draw a replay's legs by mode, its ends labelled and its unexplained waits marked.

    Parameters
    ----------
    ax
        The axes to draw on.
    replay
        The :class:`~corridormap.replay.Replay`.
    pts
        The points to fit the view to; extended with the legs'.
    handles
        The legend handles; one per mode and one per unexplained wait are added.
    labelled
        Places to label, name to (x, y, rank); the replay's key places are added.
    """
    from matplotlib.lines import Line2D

    seen = set()
    for x in replay.legs:
        leg = x.leg
        if leg.get("kind") != "link":
            continue
        st = MODE_STYLES.get(leg.get("mode"), {"color": "#666666", "label": leg.get("mode")})
        coords = [(a, b) for a, b, *_ in leg["geometry"].coords]
        pts.extend(coords)
        _lines(ax, coords, color=st["color"], lw=2.4, zorder=5, linestyle=_dash(leg))
        if leg.get("mode") not in seen:
            seen.add(leg.get("mode"))
            handles.append(Line2D([], [], color=st["color"], lw=2.4, label=st["label"]))
    _key_stops([x.leg for x in replay.legs], labelled)
    for w in replay.waits:
        for x in replay.legs:
            if x.leg.get("kind") == "link" and x.leg.get("to") == w.place:
                px, py = x.leg["geometry"].coords[-1][:2]
                ax.plot(px, py, "o", ms=8, mfc="#fddbc7", mec="#b2182b", mew=2, zorder=7)
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        ls="",
                        ms=7,
                        mfc="#fddbc7",
                        mec="#b2182b",
                        mew=2,
                        label=f"{w.end_day - w.start_day:.0f} days the model "
                        f"does not explain ({short_name(w.name)})",
                    )
                )
                break


def _evidence_handles(view: SceneView, handles: list) -> None:
    """Add a legend line per published figure the scene cites (its evidence rows).

    Parameters
    ----------
    view
        The scene: its evidence rows, else its replay's.
    handles
        The legend handles, extended in place.
    """
    from matplotlib.lines import Line2D

    if view.evidence or view.replay is not None:
        from .mapscenes import observed_text

        rows = list(view.evidence) or list(view.replay.rows)
        for row in rows:
            handles.append(
                Line2D([], [], ls="", marker="", label=f"Published: {observed_text(row)}")
            )


def _key_stops(legs: list, labelled: dict) -> None:
    """Add a route's or replay's ends (rank 0), borders and transshipments (1) and ports (2).

    Parameters
    ----------
    legs
        Its legs.
    labelled
        Places to label, name to (x, y, rank); extended, keeping a place's best rank.
    """
    from .routes import route_stops

    stops = route_stops(legs)
    for n, st in enumerate(stops):
        rank = 0 if n in (0, len(stops) - 1) else st["rank"]
        if rank > 2:
            continue  # passed through: named on the web page, where there is room
        lat, lon = st["ll"]
        old = labelled.get(st["name"])
        if old is None or rank < old[2]:
            labelled[st["name"]] = (lon, lat, rank)


def _network_labels(G: nx.MultiDiGraph, view: SceneView, labelled: dict) -> None:
    """Add the places a network scene labels: every place, ranked as on the web page.

    Parameters
    ----------
    G
        The network.
    view
        The scene (its ``labels``).
    labelled
        Places to label, name to (x, y); extended in place.
    """
    from ..places import places
    from .layers import gauge_breaks, label_rank
    from .styles import LABELLED_KINDS

    cat = places(G)
    breaks = gauge_breaks(G)
    for pid, p in cat.items():
        if p.get("kind") in LABELLED_KINDS or pid in view.labels:
            rank = label_rank(p, pid in breaks or pid in view.labels)
            labelled[str(p.get("name"))] = (p["x"], p["y"], rank)


def _renderer(fig: Any) -> Any:
    """The figure's renderer, to measure text (an Agg canvas when it has none)."""
    canvas = fig.canvas
    if not hasattr(canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
    return canvas.get_renderer()


#: where a label goes round its place, in order of preference: offset (points), alignment
_SPOTS = (
    ((3, 1.5), "left", "bottom"),
    ((-3, 1.5), "right", "bottom"),
    ((3, -1.5), "left", "top"),
    ((-3, -1.5), "right", "top"),
    ((0, 4), "center", "bottom"),
    ((0, -4), "center", "top"),
)


def place_labels(
    ax: Any,
    items: list[tuple[str, float, float, int]],
    *,
    fontsize: float = 5.5,
    marks: bool = True,
    avoid: list[Any] = (),  # type: ignore[assignment]
) -> list[str]:
    """Name places on a map where their names fit, best rank first.

    Each name takes the first spot round its place (right, left, below, above) that stays
    inside the axes and overlaps no name placed before it nor a box of ``avoid``, and when
    one does, no other place's mark; a name with no free spot is left out. Call it once the
    axes' limits and the figure's layout are final.

    Parameters
    ----------
    ax
        The axes (data coordinates: longitude, latitude).
    items
        ``(name, x, y, rank)``: rank 0 first; ties keep the order given.
    fontsize
        The names' size in points.
    marks
        Also mark each place with a dot.
    avoid
        Artists whose boxes names keep clear of (a legend).

    Returns
    -------
    list of str
        The names placed.
    """
    fig = ax.figure
    renderer = _renderer(fig)
    frame = ax.get_window_extent(renderer)
    taken = [a.get_window_extent(renderer) for a in avoid]
    order = sorted(range(len(items)), key=lambda i: items[i][3])
    dots = []
    for _, x, y, _ in items:
        if marks:
            ax.plot(x, y, "o", ms=3.5, mfc="#222", mec="white", mew=0.6, zorder=8)
        px, py = ax.transData.transform((x, y))
        r = 2.5 * fig.dpi / 72
        dots.append((px - r, py - r, px + r, py + r))

    def clear(bb: Any, own: int, dotted: bool) -> bool:
        if bb.x0 < frame.x0 or bb.x1 > frame.x1 or bb.y0 < frame.y0 or bb.y1 > frame.y1:
            return False
        if any(bb.overlaps(t) for t in taken):
            return False
        return not dotted or not any(
            k != own and bb.x0 < d[2] and bb.x1 > d[0] and bb.y0 < d[3] and bb.y1 > d[1]
            for k, d in enumerate(dots)
        )

    shown = []
    for i in order:
        name, x, y, _ = items[i]
        done = False
        for dotted in (True, False):
            for offset, ha, va in _SPOTS:
                t = ax.annotate(
                    name,
                    (x, y),
                    xytext=offset,
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=fontsize,
                    zorder=9,
                    fontweight="bold",
                    bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 0.3},
                    parse_math=False,  # a name is text (measured here, before literal_text)
                    usetex=False,
                )
                bb = t.get_window_extent(renderer)
                if clear(bb, i, dotted):
                    taken.append(bb)
                    shown.append(name)
                    done = True
                    break
                t.remove()
            if done:
                break
    return shown


def _draw_labels(ax: Any, labelled: dict, avoid: list[Any]) -> None:
    """Mark each labelled place and name those whose names fit (:func:`place_labels`).

    Parameters
    ----------
    ax
        The axes to draw on, its limits set.
    labelled
        Name to (x, y, rank).
    avoid
        Artists the names keep clear of.
    """
    items = [(short_name(name), x, y, rank) for name, (x, y, rank) in labelled.items()]
    place_labels(ax, items, avoid=avoid)


def _view_box(pts: list) -> tuple[float, float, float, float, float, float]:
    """The view: the content padded, at the page's aspect.

    Parameters
    ----------
    pts
        The points to fit (lon, lat); empty gives a default view of the region.

    Returns
    -------
    tuple
        West, east, south, north, the middle latitude and the axes' aspect.
    """
    xs = [p[0] for p in pts] or [20.0, 80.0]
    ys = [p[1] for p in pts] or [0.0, 60.0]
    w, e, s, n = min(xs), max(xs), min(ys), max(ys)
    pad = max(e - w, n - s) * 0.08 + 0.5
    w, e, s, n = w - pad, e + pad, s - pad, n + pad
    mid = (s + n) / 2
    aspect = 1 / math.cos(math.radians(mid))
    box_ratio = (SIZE[1] * 0.83) / SIZE[0]
    width_deg, height_deg = e - w, (n - s) * aspect
    if height_deg / width_deg < box_ratio:
        grow = (width_deg * box_ratio / aspect - (n - s)) / 2
        s, n = s - grow, n + grow
    else:
        grow = ((n - s) * aspect / box_ratio - (e - w)) / 2
        w, e = w - grow, e + grow
    return w, e, s, n, mid, aspect


def _draw_basemap(ax: Any, w: float, e: float, s: float, n: float) -> None:
    """Draw the countries that meet the box west ``w``, east ``e``, south ``s``, north ``n``.

    Parameters
    ----------
    ax
        The axes to draw on.
    w, e, s, n
        The box, in degrees.
    """
    from matplotlib.patches import Polygon as MplPolygon
    from shapely.geometry import shape

    from .page import countries

    for f in countries()["countries"]["features"]:
        geom = shape(f["geometry"])
        gx0, gy0, gx1, gy1 = geom.bounds
        if gx1 < w or gx0 > e or gy1 < s or gy0 > n:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            ax.add_patch(
                MplPolygon(
                    list(poly.exterior.coords),
                    closed=True,
                    fc="#f4f1ea",
                    ec="#9e978c",
                    lw=0.3,
                    zorder=1,
                )
            )


def _draw_titles(fig: Any, view: SceneView) -> None:
    """Write the scene's title, subtitle and the credit line (sources, scenario, date).

    Parameters
    ----------
    fig
        The figure.
    view
        The scene.
    """
    scene = view.scene
    fig.text(0.01, 0.965, scene.title, fontsize=11, fontweight="bold", va="center")
    fig.text(0.01, 0.925, scene.subtitle, fontsize=7, color="#444", va="center")
    from .styles import SCHEMATIC_NOTE

    credit = (
        f"{SCHEMATIC_NOTE}. Basemap: {BASEMAP_ATTRIBUTION}. Data: {ATTRIBUTION}. "
        f"Drawn with corridormap on {today().isoformat()}."
    )
    if scene.source:
        credit += f" Sources: {scene.source}."
    if view.scenario != "baseline":
        credit = f"Scenario: {view.scenario}. " + credit
    fig.text(0.01, 0.035, credit, fontsize=4.5, color="#555", va="center", wrap=True)


def save_static(
    view: SceneView,
    path: str | os.PathLike[str],
    *,
    G: nx.MultiDiGraph,
    fmt: str = "png",
) -> Path:
    """Draw the scene (:func:`draw_static`) and write it atomically as ``png`` or ``svg``."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"format {fmt!r}: expected png or svg")
    import matplotlib.pyplot as plt

    fig = draw_static(view, G=G)
    try:
        data = figure_bytes(fig, fmt, dpi=DPI)
    finally:
        plt.close(fig)
    return atomic_write(path, data)
