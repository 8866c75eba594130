"""Web maps of the corridors, routes and bottlenecks (folium / Leaflet).

Every function returns a :class:`folium.Map` (so maps display inline in Jupyter) and accepts an
existing map ``m=`` to draw on:

* :func:`corridor_map`: the whole network, styled by mode and status, one toggleable layer per
  corridor branch and per kind of place;
* :func:`route_map`: one or more :class:`~corridormap.Route` objects, a layer each, with a popup
  per leg and the route's totals in the legend;
* :func:`color_links`: links coloured by any number per link id (the bottleneck overlay hook);
* :func:`scene_map` / :data:`SCENES`: named presets; :func:`write_scenes` writes them all;
* :func:`save_map`: writes a page atomically, optionally self-contained (no network at all:
  Leaflet inlined from the ``xstatic-leaflet`` package and the Natural Earth country basemap
  shipped in ``geodata/basemap/`` drawn instead of tiles).

All text taken from geodata (names, sources, notes, link ids) is HTML-escaped before it
reaches the page, and reaches the page's script only through JSON. No text is ever parsed as a
template: branca turns the output of every folium element into a new Jinja template, so every
element of these maps (and their layer groups and layer control) puts its output on the page
as written (:func:`_page_classes`), and braces in text are escaped as well (``&#123;`` in HTML,
``\\u007b`` in script), so that text cannot form a Jinja delimiter wherever it ends up.

folium is imported inside the functions, so importing this module (and the ``route`` command)
stays fast.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._atomic import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from .routing import Route

__all__ = [
    "BRANCH_LABELS",
    "MODE_STYLES",
    "SCENES",
    "color_links",
    "corridor_map",
    "render_html",
    "route_map",
    "save_map",
    "scene_map",
    "write_scenes",
]

#: decimals kept for coordinates in a page (4 decimals is about 11 m)
COORD_DECIMALS = 4

#: line style per mode: colour and weight (px)
MODE_STYLES: dict[str, dict[str, Any]] = {
    "rail": {"color": "#2f2f2f", "weight": 3.0, "label": "Rail"},
    "road": {"color": "#e08214", "weight": 3.0, "label": "Road"},
    "sea": {"color": "#2166ac", "weight": 2.0, "label": "Sea (container lines)"},
    "caspian": {"color": "#1a9e9e", "weight": 2.5, "label": "Caspian shipping"},
    "ferry": {"color": "#7b3294", "weight": 3.0, "label": "Rail ferry"},
    "inland": {"color": "#4d9221", "weight": 2.5, "label": "Inland waterway"},
}
GAP_COLOR = "#d7191c"
STATUS_DASH = {"gap": "8 6", "planned": "1 7", "under_construction": "1 7"}
STATUS_LABELS = {
    "operational": "Operational",
    "gap": "Gap: missing railway, bridged by road today",
    "planned": "Planned or under construction",
}

#: layer labels of the corridor branches (link property ``branch``), in layer-control order
BRANCH_LABELS: dict[str, str] = {
    "western": "INSTC western branch (Azerbaijan)",
    "transcaspian": "INSTC Trans-Caspian (by sea)",
    "eastern": "INSTC eastern branch (Kazakhstan, Turkmenistan)",
    "iran": "Iranian trunk lines",
    "russia": "Russian trunk lines",
    "india_gulf": "India–Gulf sea legs",
    "suez": "Suez route",
    "cape": "Cape route",
}

#: place kinds shown as one layer each: (key, layer label, place kinds, marker style)
NODE_GROUPS: tuple[tuple[str, str, tuple[str, ...], dict[str, Any]], ...] = (
    ("port", "Ports", ("port",), {"radius": 5, "fillColor": "#2166ac", "color": "#ffffff"}),
    (
        "border",
        "Border crossings (black ring: gauge break)",
        ("border_crossing",),
        {"radius": 5, "fillColor": "#e08214", "color": "#ffffff"},
    ),
    (
        "chokepoint",
        "Chokepoints",
        ("chokepoint",),
        {"radius": 6, "fillColor": "#ffffff", "color": "#2166ac", "weight": 3},
    ),
    (
        "city",
        "Cities and rail stations",
        ("city", "rail_station", "dry_port"),
        {"radius": 4, "fillColor": "#636363", "color": "#ffffff"},
    ),
)
#: place kinds labelled on the overview map (the others show their name on hover)
LABELLED_KINDS = frozenset({"city", "chokepoint"})
GAUGE_BREAK_STYLE = {"radius": 7, "color": "#000000", "weight": 3}

#: colours of routes drawn by :func:`route_map`, in order
ROUTE_COLORS = ("#d7191c", "#2166ac", "#1a9850", "#7b3294", "#e08214", "#8c510a")

ATTRIBUTION = (
    "GeoNames (CC BY 4.0) · Eurostat MARNET via searoute (© EuroGeographics) · "
    "corridormap geodata (sources in popups)"
)
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
TILES_ATTRIBUTION = "© OpenStreetMap contributors © CARTO"
BASEMAP_ATTRIBUTION = "Natural Earth"

_CSS = """
.cm-box{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 system-ui,-apple-system,"Segoe UI",
 Roboto,Helvetica,Arial,sans-serif;color:#222;max-width:340px}
.cm-box h4{margin:2px 0 4px;font-size:12px;font-weight:700}
.cm-title{font-size:15px;font-weight:700;max-width:520px}
.cm-title div{font-size:12px;font-weight:400;color:#444;margin-top:2px}
.cm-row{display:flex;align-items:center;gap:6px;margin:1px 0}
.cm-line{display:inline-block;width:30px;height:0;border-top-width:3px;flex:none}
.cm-dot{display:inline-block;width:10px;height:10px;border-radius:50%;flex:none;
 box-sizing:border-box}
.cm-sum{color:#444;margin:0 0 4px 36px}
.cm-grad{height:10px;width:220px;border:1px solid #999}
.cm-ticks{display:flex;justify-content:space-between;width:222px}
.cm-pop{font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.cm-pop b{font-size:13px}
.cm-table{border-collapse:collapse;margin-top:4px}
.cm-table th{text-align:left;padding:1px 8px 1px 0;color:#555;font-weight:600;
 vertical-align:top;white-space:nowrap}
.cm-table td{padding:1px 0;vertical-align:top;overflow-wrap:anywhere}
.cm-label{background:none;border:0;box-shadow:none;padding:0;color:#1a1a1a;
 font:600 11px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.cm-label:before{display:none}
.leaflet-control-layers{font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,
 Arial,sans-serif}
"""


# -- escaping -------------------------------------------------------------------------------
#: braces as HTML character references: text cannot then form a Jinja ``{{``, ``{%`` or ``{#``
_HTML_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
#: braces as JavaScript string escapes, for text inside JSON strings
_JS_BRACES = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
#: a JSON string literal (in ``json.dumps`` output braces outside strings are JSON syntax)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _esc(value: Any) -> str:
    """HTML-escape any value for text and attribute contexts (braces included)."""
    return html.escape("" if value is None else str(value), quote=True).translate(_HTML_BRACES)


def _fmt(value: Any, digits: int = 0) -> str:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return _esc(value)
    if math.isnan(x):
        return ""
    return f"{x:,.{digits}f}"


def _table(rows: Iterable[tuple[str, Any]]) -> str:
    """An HTML table of (label, escaped value) rows; rows with an empty value are skipped."""
    cells = "".join(
        f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows if v not in (None, "")
    )
    return f'<table class="cm-table">{cells}</table>'


def _js_string_braces(match: re.Match[str]) -> str:
    return match.group(0).translate(_JS_BRACES)


def _js(obj: Any) -> str:
    """Compact JSON safe inside a ``<script>`` element.

    No ``<``, ``>`` or ``&`` anywhere, and no brace inside a string, so the text can neither
    close the script nor form a template delimiter.
    """
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if "{" in text or "}" in text:
        text = _JSON_STRING.sub(_js_string_braces, text)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _short(name: Any) -> str:
    """A map label: the name without a bracketed note unless the note tells places apart."""
    text = str(name or "")
    short = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    note = re.findall(r"\((.*?)\)", text)
    if note and len(note[0]) <= 3:  # "Astara (IR)" stays, "Suez (canal south entrance)" not
        return text
    return short or text


def _r(x: float) -> float:
    return round(float(x), COORD_DECIMALS)


def _latlngs(geometry: Any) -> list[list[float]]:
    """Shapely LineString (lon, lat) -> [[lat, lon], ...] rounded for the page."""
    return [[_r(y), _r(x)] for x, y, *_ in geometry.coords]


# -- folium elements ------------------------------------------------------------------------
@functools.cache
def _page_classes() -> dict[str, type]:
    """Elements whose output goes on the page as written, never parsed as a template.

    branca's ``MacroElement.render`` wraps the text each macro returns in
    ``Element(text)``, which compiles that text as a *new* Jinja template when the page is
    rendered: any ``{{ ... }}`` in a name, a note or a label would then run (and ``{#`` would
    swallow the page up to the next ``#}``). The classes here render the macros the same way
    but add the text as a :class:`Raw` element, whose ``render`` returns it unchanged.
    ``FeatureGroup`` and ``LayerControl`` are folium's own with that rendering (the layer
    control's output holds the layer names).
    """
    import folium
    from branca.element import Element, Figure, MacroElement

    class Raw(Element):
        """Text put on the page exactly as given: not a template."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "Raw"
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class RawMacro(MacroElement):
        """A macro element whose rendered macros are added to the page as :class:`Raw`."""

        def render(self, **kwargs: Any) -> None:
            figure = self.get_root()
            if not isinstance(figure, Figure):
                raise ValueError(f"cannot render {self._name}: it is not in a page (Figure)")
            macros = self._template.module.__dict__
            for part in ("header", "html", "script"):
                macro = macros.get(part)
                if macro is not None:
                    text = str(macro(self, kwargs))
                    getattr(figure, part).add_child(Raw(text), name=self.get_name())
            for child in self._children.values():
                child.render(**kwargs)

    class FeatureGroup(folium.FeatureGroup, RawMacro):
        """folium's feature group, rendered without re-templating."""

    class LayerControl(folium.LayerControl, RawMacro):
        """folium's layer control (it holds the layer names), rendered without re-templating."""

    return {
        "Raw": Raw,
        "RawMacro": RawMacro,
        "FeatureGroup": FeatureGroup,
        "LayerControl": LayerControl,
    }


@functools.cache
def _element_classes() -> dict[str, type]:
    """The custom folium elements, built on first use so folium is imported lazily."""
    from folium.template import Template

    RawMacro = _page_classes()["RawMacro"]

    class Features(RawMacro):
        """Leaflet paths and circle markers added to feature groups from compact JSON.

        Geometries, styles, tooltips and popups are each stored once and referenced by index,
        so a link shown in several branch layers costs its coordinates once.
        """

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var G = {{ this.js(this.geoms) }}, S = {{ this.js(this.styles) }},
                  T = {{ this.js(this.texts) }},
                  groups = [{% for g in this.groups %}{{ g.get_name() }},{% endfor %}];
              {{ this.js(this.items) }}.forEach(function (f) {
                var o = Object.assign({}, S[f.s], {cmKind: f.kind, cmId: f.id,
                  className: "cm-" + f.kind});
                var l = f.g !== undefined ? L.polyline(G[f.g], o) : L.circleMarker(f.ll, o);
                if (f.lb !== undefined) {
                  l.bindTooltip(T[f.lb], {permanent: true, direction: "right", offset: [5, 0],
                    className: "cm-label", interactive: false});
                } else if (f.t !== undefined) { l.bindTooltip(T[f.t], {sticky: true}); }
                if (f.p !== undefined) { l.bindPopup(T[f.p], {maxWidth: 380}); }
                l.addTo(groups[f.layer]);
              });
            })();
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "CorridormapFeatures"
            self.geoms: list[list[list[float]]] = []
            self.styles: list[dict[str, Any]] = []
            self.texts: list[str] = []
            self.items: list[dict[str, Any]] = []
            self.groups: list[Any] = []
            self._index: dict[tuple[str, str], int] = {}
            self.js = _js

        def _intern(self, table: str, value: Any) -> int:
            key = (table, json.dumps(value, sort_keys=True))
            if key not in self._index:
                getattr(self, table).append(value)
                self._index[key] = len(getattr(self, table)) - 1
            return self._index[key]

        def group(self, fg: Any) -> int:
            for i, g in enumerate(self.groups):
                if g is fg:
                    return i
            self.groups.append(fg)
            return len(self.groups) - 1

        def add(
            self,
            fg: Any,
            kind: str,
            fid: str,
            style: dict[str, Any],
            *,
            latlngs: list[list[float]] | None = None,
            latlng: list[float] | None = None,
            tooltip: str | None = None,
            popup: str | None = None,
            label: str | None = None,
        ) -> None:
            item: dict[str, Any] = {
                "layer": self.group(fg),
                "kind": kind,
                "id": fid,
                "s": self._intern("styles", {k: v for k, v in style.items() if v is not None}),
            }
            if latlngs is not None:
                item["g"] = self._intern("geoms", latlngs)
            else:
                item["ll"] = latlng
            if tooltip is not None:
                item["t"] = self._intern("texts", tooltip)
            if popup is not None:
                item["p"] = self._intern("texts", popup)
            if label is not None:
                item["lb"] = self._intern("texts", label)
            self.items.append(item)

    class Basemap(RawMacro):
        """Tiles online; the Natural Earth country polygons (no network) when offline."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            {% set map = this._parent.get_name() %}
            {% if this.offline %}
            {{ map }}.getContainer().style.background = "#d4e4f1";
            {% set basemap = this.countries() %}
            L.polygon({{ this.js(basemap["mask"]) }}, {interactive: false, stroke: true,
              color: "#b5b5b5", weight: 1, fillColor: "#e6e6e6", fillOpacity: 1}
            ).addTo({{ map }});
            L.geoJSON({{ this.js(basemap["countries"]) }}, {interactive: false,
              style: {color: "#9e978c", weight: 0.7, fillColor: "#f4f1ea", fillOpacity: 1}}
            ).addTo({{ map }});
            {{ map }}.attributionControl.addAttribution({{ this.basemap_attr|tojson }});
            {% else %}
            L.tileLayer({{ this.url|tojson }}, {attribution: {{ this.tiles_attr|tojson }},
              subdomains: "abcd", maxZoom: 19, detectRetina: false}).addTo({{ map }});
            {% endif %}
            {{ map }}.attributionControl.addAttribution({{ this.attribution|tojson }});
            {% endmacro %}
            """
        )

        def __init__(self, offline: bool = False) -> None:
            super().__init__()
            self._name = "CorridormapBasemap"
            self.offline = offline
            self.url = TILES_URL
            self.tiles_attr = _esc(TILES_ATTRIBUTION)
            self.basemap_attr = _esc(BASEMAP_ATTRIBUTION)
            self.attribution = _esc(ATTRIBUTION)
            self.countries = _countries
            self.js = _js

    class Control(RawMacro):
        """A Leaflet control holding trusted (already escaped) HTML: legend or title."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var c = L.control({position: {{ this.position|tojson }}});
              c.onAdd = function () {
                var d = L.DomUtil.create("div", {{ this.css_class|tojson }});
                d.innerHTML = {{ this.body|tojson }};
                L.DomEvent.disableClickPropagation(d);
                L.DomEvent.disableScrollPropagation(d);
                return d;
              };
              c.addTo({{ this._parent.get_name() }});
            })();
            {% endmacro %}
            """
        )

        def __init__(self, body: str, position: str, css_class: str) -> None:
            super().__init__()
            self._name = "CorridormapControl"
            self.body = body
            self.position = position
            self.css_class = css_class

    class Ready(RawMacro):
        """Marks the page drawn: ``window.corridormapReady`` after the first frame."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var map = {{ this._parent.get_name() }}, c = map.getContainer();
              // hide a place label that would overlap a control or an earlier label
              function declutter() {
                var taken = Array.prototype.map.call(c.querySelectorAll(".leaflet-control"),
                  function (e) { return e.getBoundingClientRect(); });
                c.querySelectorAll(".cm-label").forEach(function (el) {
                  el.style.visibility = "";
                  var r = el.getBoundingClientRect();
                  var hit = taken.some(function (b) {
                    return r.left < b.right && r.right > b.left && r.top < b.bottom &&
                      r.bottom > b.top;
                  });
                  if (hit) { el.style.visibility = "hidden"; } else { taken.push(r); }
                });
              }
              map.on("zoomend moveend overlayadd overlayremove", declutter);
              declutter();
              requestAnimationFrame(function () { requestAnimationFrame(function () {
                window.corridormapReady = {map: {{ this._parent.get_name()|tojson }},
                  t: performance.now()};
              }); });
            })();
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "CorridormapReady"

    class Fit(RawMacro):
        """Fit the view to a box at once (no zoom animation, so the first frame is final)."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              // keep the content clear of the layer control and legend on the right
              var c = {{ this._parent.get_name() }}.getContainer(), right = 0;
              c.querySelectorAll(".leaflet-right .leaflet-control").forEach(function (e) {
                if (!e.classList.contains("leaflet-control-attribution")) {
                  right = Math.max(right, e.offsetWidth);
                }
              });
              right = Math.min(right, c.clientWidth / 3);
              {{ this._parent.get_name() }}.fitBounds({{ this.js(this.bounds) }},
                {paddingTopLeft: [30, 30], paddingBottomRight: [right + 30, 30],
                 animate: false});
            })();
            {% endmacro %}
            """
        )

        def __init__(self, bounds: list[list[float]]) -> None:
            super().__init__()
            self._name = "CorridormapFit"
            self.bounds = bounds
            self.js = _js

    return {
        "Features": Features,
        "Basemap": Basemap,
        "Control": Control,
        "Ready": Ready,
        "Fit": Fit,
    }


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _wraps(polygon: list[list[list[float]]]) -> bool:
    """A polygon cut at the antimeridian and clipped shows as a band across the map."""
    return any(abs(a[0] - b[0]) > 90 for ring in polygon for a, b in itertools.pairwise(ring))


@functools.cache
def _countries_cached(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    feats, xs, ys = [], [], []
    for f in doc.get("features", []):
        polys = [p for p in _polygons(f.get("geometry") or {"type": ""}) if not _wraps(p)]
        if not polys:
            continue
        for poly in polys:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
        geometry = {"type": "MultiPolygon", "coordinates": polys}
        feats.append({"type": "Feature", "properties": {}, "geometry": geometry})
    # grey out the world outside the region the basemap covers (the sea south of Africa is
    # open ocean, so the region runs south to 60 S)
    w, e, s, n = (
        min(xs, default=-180),
        max(xs, default=180),
        min(ys, default=-85),
        max(ys, default=85),
    )
    s = min(s, -60.0)
    world = [[-85, -540], [85, -540], [85, 540], [-85, 540]]
    hole = [[s, w], [n, w], [n, e], [s, e]]
    return {
        "countries": {"type": "FeatureCollection", "features": feats},
        "mask": [world, hole],
    }


def _countries() -> dict[str, Any]:
    """The offline country basemap (geometry only) and its mask, read once per process."""
    from .io import bundled_geodata_dir

    return _countries_cached(str(bundled_geodata_dir() / "basemap" / "countries.geojson"))


def _new_map(*, tiles: bool = True) -> folium.Map:
    import folium

    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_start=3, zoom_snap=0.25)
    # the maps use Leaflet (and folium's jQuery) only: no Bootstrap, Font Awesome or awesome
    # markers, so default pages do not fetch them either
    m.default_js = [(n, u) for n, u in folium.Map.default_js if n in ("leaflet", "jquery")]
    m.default_css = [(n, u) for n, u in folium.Map.default_css if n == "leaflet_css"]
    m.get_root().header.add_child(
        _page_classes()["Raw"](f"<style>{_CSS}</style>"), name="corridormap_css"
    )
    m.add_child(_element_classes()["Basemap"](offline=not tiles), name="corridormap_basemap")
    return m


def _features() -> Any:
    """A fresh features element (add it to the map after the groups it fills)."""
    return _element_classes()["Features"]()


def _group(m: folium.Map, label: str, *, show: bool = True) -> Any:
    fg = _page_classes()["FeatureGroup"](name=_esc(label), show=show)
    m.add_child(fg)
    return fg


def _control(m: folium.Map, body: str, *, position: str, css_class: str = "cm-box") -> None:
    m.add_child(_element_classes()["Control"](body, position, css_class))


def _finish(m: folium.Map, bounds: list[list[float]] | None) -> folium.Map:
    """Fit to the content (union with earlier content), put the layer control last."""
    import folium

    old = m._children.get("corridormap_fit")
    for name, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl) or name in (
            "corridormap_ready",
            "corridormap_fit",
        ):
            del m._children[name]
    m.add_child(_page_classes()["LayerControl"](collapsed=False))
    bounds = [*(bounds or []), *(old.bounds if old is not None else [])]
    if bounds:
        lats = [b[0] for b in bounds]
        lons = [b[1] for b in bounds]
        box = [[min(lats), min(lons)], [max(lats), max(lons)]]
        m.add_child(_element_classes()["Fit"](box), name="corridormap_fit")
    m.add_child(_element_classes()["Ready"](), name="corridormap_ready")
    return m


def _bounds_of(latlngs: Iterable[list[float]]) -> list[list[float]]:
    pts = list(latlngs)
    if not pts:
        return []
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# -- network content ------------------------------------------------------------------------
def _links(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """One record per link id (not per direction or layer), geometry in the link's direction."""
    out: dict[str, dict[str, Any]] = {}
    for _, _, key, d in G.edges(keys=True, data=True):
        if d.get("kind") != "link":
            continue
        lid = d["link_id"]
        reverse = str(key).endswith("~r")
        if lid not in out or (out[lid]["_reverse"] and not reverse):
            out[lid] = {**d, "_reverse": reverse}
    return dict(sorted(out.items()))


def _link_style(d: Mapping[str, Any], *, faint: bool = False) -> dict[str, Any]:
    base = MODE_STYLES.get(d.get("mode"), {"color": "#666666", "weight": 2.0})
    status = d.get("status", "operational")
    style = {"color": base["color"], "weight": base["weight"], "opacity": 0.9}
    if status == "gap":
        style.update(color=GAP_COLOR, weight=base["weight"] + 1)
    style["dashArray"] = STATUS_DASH.get(status)
    if faint:
        style.update(opacity=0.35, weight=max(1.5, style["weight"] - 1))
    return style


def _link_title(d: Mapping[str, Any], names: Mapping[str, Any]) -> str:
    a = names.get(d.get("from"), {}).get("name", d.get("from"))
    b = names.get(d.get("to"), {}).get("name", d.get("to"))
    return f"{a} – {b}"


def _link_tooltip(d: Mapping[str, Any], names: Mapping[str, Any], extra: str = "") -> str:
    bits = [
        f"<b>{_esc(_link_title(d, names))}</b>",
        _esc(d.get("mode")),
        f"{_fmt(d.get('length_km'))} km",
    ]
    if d.get("status") != "operational":
        bits.append(_esc(d.get("status")))
    return " · ".join(bits) + extra


def _link_popup(
    d: Mapping[str, Any], names: Mapping[str, Any], extra: Sequence[tuple[str, Any]] = ()
) -> str:
    branches = ", ".join(BRANCH_LABELS.get(str(b), str(b)) for b in d.get("branch") or [])
    rows = [
        *extra,
        ("Link", _esc(d.get("link_id"))),
        ("Mode", _esc(d.get("mode"))),
        ("Length", f"{_fmt(d.get('length_km'), 1)} km"),
        ("Status", _esc(d.get("status"))),
        ("Gauge", f"{_fmt(d['gauge'])} mm" if d.get("gauge") else None),
        ("Branch", _esc(branches)),
        ("Operator", _esc(d.get("operator")) if d.get("operator") else None),
        ("Source", _esc(d.get("source"))),
        ("Basis", _esc(d.get("basis"))),
        ("Notes", _esc(d.get("notes")) if d.get("notes") else None),
    ]
    return f'<div class="cm-pop"><b>{_esc(_link_title(d, names))}</b>{_table(rows)}</div>'


def _gauge_breaks(G: nx.MultiDiGraph) -> set[str]:
    """Places where cargo changes gauge: rail layers of two gauges."""
    gauges: dict[str, set[str]] = {}
    for _, d in G.nodes(data=True):
        layer = str(d.get("layer", ""))
        if layer.startswith("rail:"):
            gauges.setdefault(d["place"], set()).add(layer)
    return {p for p, g in gauges.items() if len(g) > 1}


def _place_popup(p: Mapping[str, Any], gauge_break: bool) -> str:
    cap = None
    if p.get("capacity") is not None:
        cap = f"{_fmt(p['capacity'], 1)} {_esc(p.get('capacity_unit', ''))}"
    rows = [
        ("Id", _esc(p.get("id"))),
        ("Kind", _esc(str(p.get("kind", "")).replace("_", " "))),
        ("Country", _esc(p.get("country"))),
        ("Gauge break", "yes: 1520 / 1435 mm" if gauge_break else None),
        ("Capacity", cap),
        ("Also called", _esc(", ".join(map(str, p.get("aliases") or []))) or None),
        ("Source", _esc(p.get("source"))),
        ("Basis", _esc(p.get("basis"))),
        ("Notes", _esc(p.get("notes")) if p.get("notes") else None),
    ]
    return f'<div class="cm-pop"><b>{_esc(p.get("name"))}</b>{_table(rows)}</div>'


def _legend_line(color: str, label: str, *, dash: str = "solid", weight: float = 3) -> str:
    return (
        f'<div class="cm-row"><span class="cm-line" style="border-top:{weight:g}px {dash} '
        f'{color}"></span>{label}</div>'
    )


def _legend_dot(fill: str, stroke: str, label: str, *, ring: bool = False) -> str:
    border = "2px solid #000" if ring else f"1px solid {stroke}"
    return (
        f'<div class="cm-row"><span class="cm-dot" style="background:{fill};border:{border}">'
        f"</span>{label}</div>"
    )


def _network_legend(modes: Iterable[str], statuses: Iterable[str], kinds: Iterable[str]) -> str:
    modes, statuses, kinds = set(modes), set(statuses), set(kinds)
    parts = ["<h4>Mode</h4>"]
    for mode, st in MODE_STYLES.items():
        if mode in modes:
            parts.append(_legend_line(st["color"], _esc(st["label"])))
    parts.append("<h4>Status</h4>")
    parts.append(_legend_line("#2f2f2f", "Operational"))
    if "gap" in statuses:
        parts.append(_legend_line(GAP_COLOR, _esc(STATUS_LABELS["gap"]), dash="dashed"))
    if statuses & {"planned", "under_construction"}:
        parts.append(_legend_line("#2f2f2f", _esc(STATUS_LABELS["planned"]), dash="dotted"))
    if kinds:
        parts.append("<h4>Places</h4>")
        for key, label, _, st in NODE_GROUPS:
            if key in kinds:
                parts.append(_legend_dot(st["fillColor"], st.get("color", "#fff"), _esc(label)))
        if "gauge_break" in kinds:
            parts.append(_legend_dot("#e08214", "#000", "Gauge break (1520 / 1435 mm)", ring=True))
    return "".join(parts)


def _draw_network(
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
    from .places import places

    names = places(G)
    links = _links(G)
    groups: dict[str, Any] = {}
    order = list(BRANCH_LABELS)
    if by_branch:
        found = {str(b) for d in links.values() for b in (d.get("branch") or [])}
        keys = [b for b in order if b in found] + sorted(found - set(order))
        for b in keys:
            groups[b] = _group(m, BRANCH_LABELS.get(b, f"Branch {b}"), show=show)
        if any(not d.get("branch") for d in links.values()):
            groups[""] = _group(m, "Other links", show=show)
    else:
        groups[""] = _group(m, label, show=show)
    pts: list[list[float]] = []
    modes, statuses = set(), set()
    for lid, d in links.items():
        coords = _latlngs(d["geometry"])
        pts.extend(coords)
        modes.add(d.get("mode"))
        statuses.add(d.get("status"))
        style = _link_style(d, faint=faint)
        branches = [str(b) for b in (d.get("branch") or [])] if by_branch else []
        for b in branches or [""]:
            feats.add(
                groups[b],
                "link",
                lid,
                style,
                latlngs=coords,
                tooltip=_link_tooltip(d, names),
                popup=None if faint else _link_popup(d, names),
            )
    return pts, modes, statuses


def _draw_places(G: nx.MultiDiGraph, m: folium.Map, feats: Any) -> set[str]:
    from .places import places

    breaks = _gauge_breaks(G)
    kinds_seen: set[str] = set()
    cat = places(G)
    for key, label, kinds, st in NODE_GROUPS:
        members = [p for p in cat.values() if p.get("kind") in kinds]
        if not members:
            continue
        kinds_seen.add(key)
        fg = _group(m, label)
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
                latlng=[_r(p["y"]), _r(p["x"])],
                tooltip=f"<b>{_esc(p.get('name'))}</b>",
                popup=_place_popup(p, p["id"] in breaks),
                label=_esc(_short(p.get("name"))) if p.get("kind") in LABELLED_KINDS else None,
            )
    return kinds_seen


def corridor_map(G: nx.MultiDiGraph, *, m: folium.Map | None = None, tiles: bool = True):
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
        :func:`save_map` with ``self_contained=True`` always uses the offline basemap.

    Returns
    -------
    folium.Map
        One toggleable layer per corridor branch (a link on several branches is in each of
        their layers) and per kind of place, tooltips with names, a popup per link (mode, km,
        status, source, basis, notes), a legend, a scale bar and an attribution line.
    """
    m = m if m is not None else _new_map(tiles=tiles)
    feats = _features()
    pts, modes, statuses = _draw_network(G, m, feats)
    kinds = _draw_places(G, m, feats)
    m.add_child(feats)
    _control(m, _network_legend(modes, statuses, kinds), position="bottomright")
    return _finish(m, _bounds_of(pts))


# -- routes ---------------------------------------------------------------------------------
def _route_totals_text(r: Route) -> str:
    t = r.totals()
    return (
        f"{t['days']:.1f} days · {t['distance_km']:,.0f} km · ${t['cost_usd']:,.0f}/TEU · "
        f"{t['co2_kg']:,.0f} kg CO2/TEU · {t['borders']} border"
        f"{'s' if t['borders'] != 1 else ''} · {t['transshipments']} transshipment"
        f"{'s' if t['transshipments'] != 1 else ''}"
    )


def _default_route_name(r: Route, i: int, n: int) -> str:
    o = r.names.get(r.origin, r.origin)
    d = r.names.get(r.destination, r.destination)
    return f"Route {i + 1}: {o} → {d}" if n > 1 else f"{o} → {d}"


def _leg_popup(leg: Any, route_name: str, summary: str) -> str:
    kind = leg.get("kind")
    if kind == "transfer":
        title = (
            f"Transfer at {leg.get('from_name')}: {str(leg.get('transfer', '')).replace('_', ' ')}"
        )
    else:
        title = f"{leg.get('from_name')} → {leg.get('to_name')}"
    rows = [
        ("Mode", _esc(leg.get("mode"))),
        ("Distance", f"{_fmt(leg.get('distance_km'), 1)} km" if kind == "link" else None),
        ("Hours", _fmt(leg.get("time_h"), 1)),
        ("Cost", f"${_fmt(leg.get('cost_usd'))}/TEU"),
        ("CO2", f"{_fmt(leg.get('co2_kg'))} kg/TEU"),
        ("Status", _esc(leg.get("status"))),
        ("Link", _esc(leg.get("link_id")) if leg.get("link_id") else None),
        ("Service", _esc(leg.get("service")) if leg.get("service") else None),
        ("Source", _esc(leg.get("source")) if leg.get("source") else None),
    ]
    return (
        f'<div class="cm-pop"><b>{_esc(title)}</b>{_table(rows)}'
        f'<div style="margin-top:5px;color:#555">{_esc(route_name)}: {_esc(summary)}</div></div>'
    )


def _route_legend(entries: Sequence[tuple[str, str, str]], statuses: set[str]) -> str:
    parts = ["<h4>Routes</h4>"]
    for color, name, summary in entries:
        parts.append(_legend_line(color, f"<b>{_esc(name)}</b>", weight=5))
        parts.append(f'<div class="cm-sum">{_esc(summary)}</div>')
    extra = []
    if "gap" in statuses:
        extra.append(_legend_line("#555", _esc(STATUS_LABELS["gap"]), dash="dashed"))
    if statuses & {"planned", "under_construction"}:
        extra.append(_legend_line("#555", _esc(STATUS_LABELS["planned"]), dash="dotted"))
    if extra:
        parts += ["<h4>Status</h4>", *extra]
    parts.append(
        '<div class="cm-row"><span class="cm-dot" style="background:#fff;border:2px solid #333">'
        "</span>Transshipment (click for dwell and cost)</div>"
    )
    return "".join(parts)


def route_map(
    route_or_routes: Route | Sequence[Route],
    *,
    G: nx.MultiDiGraph | None = None,
    m: folium.Map | None = None,
    names: Sequence[str] | None = None,
    tiles: bool = True,
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

    Returns
    -------
    folium.Map
        Each leg has a popup (mode, km, hours, cost, status, source); transfers and border
        stops are marked; the legend gives each route's days, cost, CO2, borders crossed and
        transshipments.
    """
    from .routing import Route

    routes = [route_or_routes] if isinstance(route_or_routes, Route) else list(route_or_routes)
    if not routes:
        raise ValueError("route_map needs at least one route")
    if names is not None and len(names) != len(routes):
        raise ValueError(f"names has {len(names)} entries for {len(routes)} routes")
    m = m if m is not None else _new_map(tiles=tiles)
    feats = _features()
    if G is not None:
        _draw_network(G, m, feats, by_branch=False, faint=True)
    pts: list[list[float]] = []
    entries, statuses = [], set()
    labelled: set[str] = set()
    n = len(routes)
    for i, r in enumerate(routes):
        name = names[i] if names is not None else _default_route_name(r, i, n)
        color = ROUTE_COLORS[i % len(ROUTE_COLORS)]
        summary = _route_totals_text(r)
        entries.append((color, name, summary))
        fg = _group(m, name)
        # the first route widest, so routes sharing a leg all stay visible
        weight = max(3.0, 7.0 - 1.5 * i)
        last: list[float] | None = None
        pending: list[Any] = []
        for leg in r.legs:
            if leg.get("kind") == "link":
                coords = _latlngs(leg["geometry"])
                pts.extend(coords)
                status = leg.get("status", "operational")
                statuses.add(status)
                style = {
                    "color": color,
                    "weight": weight,
                    "opacity": 0.9,
                    "dashArray": STATUS_DASH.get(status),
                }
                feats.add(
                    fg,
                    "route",
                    f"{i}:{leg.get('link_id')}",
                    style,
                    latlngs=coords,
                    tooltip=(
                        f"<b>{_esc(leg.get('from_name'))} → {_esc(leg.get('to_name'))}</b>"
                        f" · {_esc(leg.get('mode'))} · {_fmt(leg.get('distance_km'))} km"
                    ),
                    popup=_leg_popup(leg, name, summary),
                )
                for t in pending:
                    _add_transfer(feats, fg, t, coords[0], name, summary, i, labelled)
                pending = []
                last = coords[-1]
            elif last is None:
                pending.append(leg)  # transfers before the first link: loading at the origin
            else:
                _add_transfer(feats, fg, leg, last, name, summary, i, labelled)
        ends = [leg for leg in r.legs if leg.get("kind") == "link"]
        if ends:
            for label, ll in (
                (r.names.get(r.origin, r.origin), _latlngs(ends[0]["geometry"])[0]),
                (r.names.get(r.destination, r.destination), _latlngs(ends[-1]["geometry"])[-1]),
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
                    tooltip=f"<b>{_esc(label)}</b>",
                    popup=f'<div class="cm-pop"><b>{_esc(name)}</b><br>{_esc(summary)}</div>',
                    label=None if label in labelled else f"<b>{_esc(_short(label))}</b>",
                )
                labelled.add(label)
    m.add_child(feats)
    _control(m, _route_legend(entries, statuses), position="bottomright")
    return _finish(m, _bounds_of(pts))


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
        tooltip=(
            f"<b>{_esc(leg.get('from_name'))}</b>: "
            f"{_esc(str(leg.get('transfer', '')).replace('_', ' '))}"
        ),
        popup=_leg_popup(leg, name, summary),
        label=None if place in labelled else _esc(_short(place)),
    )
    labelled.add(place)


# -- bottleneck overlay ---------------------------------------------------------------------
def _colormap(cmap: str | Callable[[float], str]) -> Callable[[float], str]:
    if callable(cmap):
        return cmap
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cm = colormaps[cmap]
    return lambda x: to_hex(cm(min(1.0, max(0.0, x))))


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

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If ``values`` or ``highlight`` name links that are not in ``G``.
    """
    from .places import places

    links = _links(G)
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
    m = m if m is not None else _new_map(tiles=tiles)
    feats = _features()
    fg = _group(m, label)
    hfg = _group(m, f"Highlighted links ({label})") if hl else None
    pts: list[list[float]] = []
    for lid, d in links.items():
        coords = _latlngs(d["geometry"])
        pts.extend(coords)
        v = finite.get(lid)
        shown = "no value" if v is None else f"{v:,.3g}"
        extra = [(label, _esc(shown))]
        if v is None:
            style = {"color": "#9e9e9e", "weight": 1.5, "opacity": 0.7}
        else:
            style = {"color": color((v - lo) / span), "weight": 4.0, "opacity": 0.95}
        style["dashArray"] = STATUS_DASH.get(d.get("status"))
        feats.add(
            fg,
            "link",
            lid,
            style,
            latlngs=coords,
            tooltip=_link_tooltip(d, names, f" · {_esc(label)}: {_esc(shown)}"),
            popup=_link_popup(d, names, extra),
        )
        if hfg is not None and lid in hl:
            feats.add(
                hfg,
                "highlight",
                lid,
                {"color": "#000000", "weight": 9.0, "opacity": 0.55, "fill": False},
                latlngs=coords,
                tooltip=_link_tooltip(d, names, f" · {_esc(label)}: {_esc(shown)}"),
                popup=_link_popup(d, names, extra),
            )
    m.add_child(feats)
    stops = [color(x / 10) for x in range(11)]
    legend = (
        f"<h4>{_esc(label)}</h4>"
        f'<div class="cm-grad" style="background:linear-gradient(to right,{",".join(stops)})">'
        f'</div><div class="cm-ticks"><span>{_esc(f"{lo:,.3g}")}</span>'
        f"<span>{_esc(f'{(lo + hi) / 2:,.3g}')}</span><span>{_esc(f'{hi:,.3g}')}</span></div>"
        + _legend_line("#9e9e9e", "no value", weight=1.5)
        + (_legend_line("#000000", f"Highlighted ({len(hl)} links)", weight=6) if hl else "")
    )
    _control(m, legend, position="bottomright")
    return _finish(m, _bounds_of(pts))


# -- scenes ---------------------------------------------------------------------------------
#: named map presets: name -> description
SCENES: dict[str, str] = {
    "overview": "The corridor network: INSTC branches, the Caspian and the sea routes",
    "instc-vs-suez": "Mumbai to Moscow: the fastest INSTC route against the sea route via Suez",
    "rasht-astara-gap": (
        "The Rasht–Astara gap: today's road transshipment against the planned 162 km railway"
    ),
    "caspian-links": "Across the Caspian: shipping lines from Russia to Iran and the Alat ferries",
    "shipment-2023": "The 2023 shipment: Chelyabinsk – Incheh Borun – Bandar Abbas – Jeddah",
}


def _title(m: folium.Map, title: str, subtitle: str) -> None:
    body = f"{_esc(title)}<div>{_esc(subtitle)}</div>"
    _control(m, body, position="topleft", css_class="cm-box cm-title")


def _crossing(r: Route, default: str) -> str:
    """'<port> – <port> by ship' (or rail ferry) for the route's first Caspian crossing."""
    for leg in r.legs:
        if leg.get("kind") == "link" and leg.get("mode") in ("caspian", "ferry"):
            how = "by ship" if leg["mode"] == "caspian" else "rail ferry"
            return f"{_short(leg['from_name'])} – {_short(leg['to_name'])} {how}"
    return default


def _named(r: Route, label: str) -> str:
    return f"{label} ({r.days:.1f} days)"


def scene_map(G: nx.MultiDiGraph, name: str, *, tiles: bool = True):
    """Draw a named scene (see :data:`SCENES`).

    Parameters
    ----------
    G
        The bundled network (the scenes name its places and links).
    name
        A key of :data:`SCENES`.
    tiles
        As in :func:`corridor_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If ``name`` is not a scene; the message lists the scenes.
    """
    from .routing import make_weight, route

    if name not in SCENES:
        raise ValueError(f"no scene {name!r}; scenes are: {', '.join(SCENES)}")
    m = _new_map(tiles=tiles)
    if name == "overview":
        _title(m, "Eurasian freight corridors", SCENES[name])
        return corridor_map(G, m=m)
    if name == "instc-vs-suez":
        instc = route(G, "Mumbai", "Moscow")
        suez = route(G, "Mumbai", "Moscow", via=["Suez"])
        _title(m, "Mumbai to Moscow: INSTC or Suez?", "Fastest route on each, per TEU")
        return route_map(
            [instc, suez],
            G=G,
            m=m,
            names=[_named(instc, "INSTC, fastest"), _named(suez, "By sea via Suez")],
        )
    if name == "rasht-astara-gap":
        today = route(G, "Mumbai", "Moscow")
        rail = route(
            G,
            "Mumbai",
            "Moscow",
            weight=make_weight(
                "time_h", opened_links={"ASI-RSH-rail"}, closed_links={"ASI-RSH-road"}
            ),
        )
        _title(
            m,
            "The Rasht–Astara gap",
            "Mumbai to Moscow today (by road between Rasht and Astara) and with the planned "
            "162 km railway",
        )
        route_map(
            [today, rail],
            G=G,
            m=m,
            names=[
                _named(today, "Today: trucks Rasht – Astara"),
                _named(rail, "With the Rasht – Astara railway"),
            ],
        )
        return _zoom_to_links(G, m, ("ASI-RSH-road", "ASI-RSH-rail"), pad=2.5)
    if name == "caspian-links":
        specs = [
            # the land routes round the Caspian are faster, so they are avoided here
            (
                "Moscow",
                "Tehran",
                ["Astrakhan", "Bandar Anzali"],
                ["Makhachkala", "Yalama", "Beyneu"],
                "Astrakhan – Anzali by ship",
            ),
            (
                "Moscow",
                "Tehran",
                ["Makhachkala", "Amirabad"],
                ["Yalama", "Beyneu"],
                "Makhachkala – Amirabad by ship",
            ),
            ("Baku", "Ashgabat", ["Turkmenbashi"], [], "Alat – Turkmenbashi rail ferry"),
            ("Baku", "Beyneu", ["Aktau"], ["Samur"], "Alat – Aktau rail ferry"),
        ]
        routes = [route(G, o, d, via=v, avoid=a) for o, d, v, a, _ in specs]
        _title(m, "Across the Caspian", "Shipping lines from Russia to Iran, and the Alat ferries")
        return route_map(
            routes,
            G=G,
            m=m,
            names=[_named(r, _crossing(r, s[4])) for r, s in zip(routes, specs, strict=True)],
        )
    # shipment-2023
    r = route(G, "Chelyabinsk", "Jeddah", via=["Incheh Borun", "Bandar Abbas"])
    _title(
        m,
        "The 2023 shipment",
        "Chelyabinsk – Kazakhstan – Turkmenistan – Incheh Borun – Bandar Abbas – Jeddah",
    )
    return route_map([r], G=G, m=m, names=[_named(r, "Chelyabinsk → Jeddah")])


def _zoom_to_links(G: nx.MultiDiGraph, m: folium.Map, lids: Iterable[str], *, pad: float):
    links = _links(G)
    pts = [p for lid in lids if lid in links for p in _latlngs(links[lid]["geometry"])]
    if pts:
        (s, w), (n, e) = _bounds_of(pts)
        box = [[s - pad, w - pad], [n + pad, e + pad]]
        m.add_child(_element_classes()["Fit"](box), name="corridormap_fit")
    return m


def write_scenes(
    G: nx.MultiDiGraph,
    out_dir: str | os.PathLike[str],
    *,
    names: Iterable[str] | None = None,
    self_contained: bool = False,
) -> list[Path]:
    """Write one HTML page per scene: ``map-<scene>.html`` (``map-<scene>-offline.html``).

    Parameters
    ----------
    G
        The network.
    out_dir
        Output directory (created if missing).
    names
        Scenes to write; default all of :data:`SCENES`.
    self_contained
        Write pages that work with no network (see :func:`save_map`).

    Returns
    -------
    list of pathlib.Path
        The files written, in scene order.
    """
    chosen = list(SCENES) if names is None else list(names)
    for n in chosen:
        if n not in SCENES:
            raise ValueError(f"no scene {n!r}; scenes are: {', '.join(SCENES)}")
    out = Path(out_dir)
    suffix = "-offline" if self_contained else ""
    return [
        save_map(scene_map(G, n), out / f"map-{n}{suffix}.html", self_contained=self_contained)
        for n in chosen
    ]


# -- writing --------------------------------------------------------------------------------
def _asset(package: str, name: str) -> str:
    import importlib

    mod = importlib.import_module(f"xstatic.pkg.{package}")
    return (Path(mod.BASE_DIR) / name).read_text(encoding="utf-8")


@functools.cache
def _inline_assets(jquery: bool) -> str:
    """Leaflet's CSS (icons as data URIs) and JS, and jQuery if needed, from xstatic."""
    import importlib

    leaflet_dir = Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR)

    def data_uri(match: re.Match[str]) -> str:
        data = (leaflet_dir / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, _asset("leaflet", "leaflet.css"))
    scripts = [_asset("leaflet", "leaflet.js")]
    if jquery:
        scripts.append(_asset("jquery", "jquery.min.js"))
    parts = [f"<style>{css}</style>"]
    for js in scripts:
        js = re.sub(r"//# sourceMappingURL=\S+", "", js).replace("</script", "<\\/script")
        parts.append(f"<script>{js}</script>")
    return "\n".join(parts)


class _ExternalRefs(HTMLParser):
    """Collects src/href attributes and CSS url()s that would fetch from the network."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for k, v in attrs:
            if k in ("src", "href") and v and re.match(r"\s*(https?:)?//", v):
                self.found.append(f"<{tag} {k}={v}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [
                f"url({u})" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", data)
            ]


def external_refs(page: str) -> list[str]:
    """The network fetches a page's markup would make (src/href attributes, CSS urls)."""
    p = _ExternalRefs()
    p.feed(page)
    p.close()
    return p.found


@contextlib.contextmanager
def _offline(m: folium.Map) -> Iterator[None]:
    """Temporarily make ``m`` render without CDN assets or tiles."""
    import folium

    fig = m.get_root()
    saved_header = fig.header._children.copy()
    saved_children = m._children.copy()
    had_js, had_css = "default_js" in m.__dict__, "default_css" in m.__dict__
    old_js, old_css = m.__dict__.get("default_js"), m.__dict__.get("default_css")
    basemaps = [c for c in m._children.values() if c._name == "CorridormapBasemap"]
    old_offline = [b.offline for b in basemaps]
    try:
        m.default_js = []
        m.default_css = []
        for name in [n for n, _ in folium.Map.default_js] + [n for n, _ in folium.Map.default_css]:
            fig.header._children.pop(name, None)
        for key, child in list(m._children.items()):
            if isinstance(child, folium.TileLayer):
                del m._children[key]
        for b in basemaps:
            b.offline = True
        if not basemaps:
            rest = list(m._children.items())
            m._children.clear()
            m.add_child(_element_classes()["Basemap"](offline=True), name="corridormap_basemap")
            m._children.update(rest)
        yield
    finally:
        fig.header._children.clear()
        fig.header._children.update(saved_header)
        m._children.clear()
        m._children.update(saved_children)
        for b, off in zip(basemaps, old_offline, strict=True):
            b.offline = off
        for attr, had, old in (("default_js", had_js, old_js), ("default_css", had_css, old_css)):
            if had:
                setattr(m, attr, old)
            else:
                m.__dict__.pop(attr, None)


def render_html(m: folium.Map, *, self_contained: bool = False) -> str:
    """The page for ``m`` as HTML text (see :func:`save_map`).

    Raises
    ------
    ValueError
        If ``self_contained`` and the map holds an element that loads a remote asset.
    """
    if not self_contained:
        return m.get_root().render()
    with _offline(m):
        page = m.get_root().render()
    needs_jquery = "$(" in page.split("</head>", 1)[-1]
    page = page.replace("<head>", "<head>\n" + _inline_assets(needs_jquery), 1)
    remote = external_refs(page)
    if remote:
        raise ValueError(
            "cannot write a self-contained page: the map loads remote assets: "
            + ", ".join(remote[:5])
        )
    return page


def save_map(m: folium.Map, path: str | os.PathLike[str], *, self_contained: bool = False) -> Path:
    """Write the map as an HTML page, atomically.

    Parameters
    ----------
    m
        A map from this module (or any folium map).
    path
        The file to write; a failure leaves an existing file untouched.
    self_contained
        ``False``: folium's usual page (Leaflet and friends from CDNs, tile basemap).
        ``True``: a page that makes no network request at all: Leaflet (and jQuery if the
        page uses it) inlined from the ``xstatic-leaflet`` / ``xstatic-jquery`` packages,
        and the Natural Earth country basemap from ``geodata/basemap/`` instead of tiles.

    Returns
    -------
    pathlib.Path
    """
    page = render_html(m, self_contained=self_contained)
    return atomic_write(path, page)
