"""Static figures of a scene for print and articles: PNG (300 dpi) or SVG, no browser.

:func:`draw_static` draws a computed scene with matplotlib from the same pieces as the web
page: the offline Natural Earth basemap (``geodata/basemap/``), the network's links styled by
mode (faint under routes), the routes in the page's colours with their P50 (P10–P90) legend,
a replay's legs, the labelled places; then a legend, a scale bar, the title, and a credit
line with the date. :func:`save_static` writes it atomically.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._atomic import atomic_write
from ._html import short
from .styles import ATTRIBUTION, BASEMAP_ATTRIBUTION, MODE_STYLES, ROUTE_COLORS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..scenes import SceneView

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


# split after the maps merge (issue 10)
def draw_static(view: SceneView, *, G: nx.MultiDiGraph) -> Figure:  # noqa: C901
    """The scene as a matplotlib figure (see the module docstring)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from shapely.geometry import shape

    from .layers import link_records
    from .page import countries

    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_axes((0.0, 0.07, 1.0, 0.83))
    ax.set_facecolor("#d4e4f1")
    handles: list[Any] = []
    # what to fit the view to
    pts: list[tuple[float, float]] = []
    links = link_records(G)
    routes = list(view.routes)
    faint = bool(routes) or view.replay is not None
    # the network
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
    # routes
    labelled: dict[str, tuple[float, float]] = {}
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
        ends = [leg for leg in r.legs if leg.get("kind") == "link"]
        if ends:
            labelled[r.names.get(r.origin, r.origin)] = tuple(ends[0]["geometry"].coords[0])[:2]
            labelled[r.names.get(r.destination, r.destination)] = tuple(
                ends[-1]["geometry"].coords[-1]
            )[:2]
        name = view.names[i] if i < len(view.names) else f"Route {i + 1}"
        pct = view.percentiles[i] if i < len(view.percentiles) else {}
        if pct:
            d = pct["days"]
            name = (
                f"{name.rsplit(':', 1)[0]}: P50 {d['p50']:.1f} d "
                f"(P10–P90 {d['p10']:.1f}–{d['p90']:.1f})"
            )
        handles.append(Line2D([], [], color=color, lw=lw + 1, label=name))
    # a replay's legs, by mode
    if view.replay is not None:
        seen = set()
        for x in view.replay.legs:
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
        last = [x.leg for x in view.replay.legs if x.leg.get("kind") == "link"]
        if last:
            first_leg, last_leg = last[0], last[-1]
            labelled[str(first_leg.get("from_name"))] = tuple(first_leg["geometry"].coords[0])[:2]
            labelled[str(last_leg.get("to_name"))] = tuple(last_leg["geometry"].coords[-1])[:2]
        for w in view.replay.waits:
            for x in view.replay.legs:
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
                            f"does not explain ({short(w.name)})",
                        )
                    )
                    break
    # the published figures the scene cites (evidence rows)
    if view.evidence or view.replay is not None:
        from .scenes import observed_text

        rows = list(view.evidence) or list(view.replay.rows)
        for row in rows:
            handles.append(
                Line2D([], [], ls="", marker="", label=f"Published: {observed_text(row)}")
            )
    # places labelled on a network scene
    if view.scene.network:
        from ..places import places

        cat = places(G)
        for pid, p in cat.items():
            if p.get("kind") in ("city", "chokepoint") or pid in view.labels:
                labelled[str(p.get("name"))] = (p["x"], p["y"])
    for name, (x, y) in labelled.items():
        ax.plot(x, y, "o", ms=3.5, mfc="#222", mec="white", mew=0.6, zorder=8)
        ax.annotate(
            short(name),
            (x, y),
            xytext=(3, 2),
            textcoords="offset points",
            fontsize=5.5,
            zorder=9,
            fontweight="bold",
            bbox={"facecolor": "white", "alpha": 0.6, "edgecolor": "none", "pad": 0.3},
        )
    # the view: the content padded, at the page's aspect
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
    # the basemap
    from matplotlib.patches import Polygon as MplPolygon

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
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, mid)
    if handles:
        ax.legend(handles=handles, loc="lower right", fontsize=5.5, framealpha=0.92)
    scene = view.scene
    fig.text(0.01, 0.965, scene.title, fontsize=11, fontweight="bold", va="center")
    fig.text(0.01, 0.925, scene.subtitle, fontsize=7, color="#444", va="center")
    from .styles import SCHEMATIC_NOTE

    credit = (
        f"{SCHEMATIC_NOTE}. Basemap: {BASEMAP_ATTRIBUTION}. Data: {ATTRIBUTION}. "
        f"Drawn with corridormap on {dt.date.today().isoformat()}."
    )
    if scene.source:
        credit += f" Sources: {scene.source}."
    if view.scenario != "baseline":
        credit = f"Scenario: {view.scenario}. " + credit
    fig.text(0.01, 0.035, credit, fontsize=4.5, color="#555", va="center", wrap=True)
    return fig


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
    fig = draw_static(view, G=G)

    def write(fh: Any) -> None:
        fig.savefig(fh, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)

    return atomic_write(path, write)
