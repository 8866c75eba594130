"""The page: map creation, page assembly and writing, offline (self-contained) pages.

* :func:`new_map`, :func:`group`, :func:`control`, :func:`finish`, :func:`fit`: the map the
  layers draw on, its layer groups, legend boxes, the layer control and the initial view;
* :func:`countries`: the offline Natural Earth basemap from ``geodata/basemap/``;
* :func:`render_html` / :func:`save_map`: the page as text / written atomically, optionally
  self-contained (Leaflet and jQuery inlined from the ``xstatic`` packages, no tiles);
* :func:`external_refs`: the network fetches a page would make (the self-contained check).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import itertools
import json
import os
import re
from collections.abc import Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_write
from ._html import esc
from .elements import element_classes
from .raw import page_classes
from .styles import CSS

if TYPE_CHECKING:  # pragma: no cover
    import folium


# -- the offline basemap --------------------------------------------------------------------
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
    if e - w > 350:  # a world basemap: the whole web map, to the poles it can show
        w, e, s, n = -180.0, 180.0, -85.06, 85.06
    world = [[-85.06, -540], [85.06, -540], [85.06, 540], [-85.06, 540]]
    hole = [[s, w], [n, w], [n, e], [s, e]]
    return {
        "countries": {"type": "FeatureCollection", "features": feats},
        "mask": [world, hole],
        "labels": _country_labels(doc),
    }


#: countries labelled on the offline basemap: land area (square degrees) of the main part
COUNTRY_LABEL_MIN_AREA = 6.0


def _country_labels(doc: Mapping[str, Any]) -> list[list[Any]]:
    """``[lat, lon, escaped name]`` inside the main part of each country large enough."""
    from shapely.geometry import shape

    out = []
    for f in doc.get("features", []):
        name = (f.get("properties") or {}).get("name")
        if not name or not f.get("geometry"):
            continue
        geom = shape(f["geometry"])
        main = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        if main.area < COUNTRY_LABEL_MIN_AREA:
            continue
        p = main.representative_point()
        out.append([round(p.y, 2), round(p.x, 2), esc(name)])
    return out


def countries() -> dict[str, Any]:
    """The offline country basemap (geometry only) and its mask, read once per process."""
    from ..io import bundled_geodata_dir

    return _countries_cached(str(bundled_geodata_dir() / "basemap" / "countries.geojson"))


# -- the map --------------------------------------------------------------------------------
#: height of a map shown in a notebook (px)
NOTEBOOK_HEIGHT = 520


@functools.cache
def _map_class() -> type:
    """Folium's map, shown in a notebook as the self-contained page (works offline)."""
    import folium

    class Map(folium.Map):
        """A :class:`folium.Map` whose notebook display needs no network.

        folium's own display loads Leaflet from CDNs and draws tiles, so a notebook run
        offline shows a blank frame. This one embeds :func:`render_html` with
        ``self_contained=True`` (Leaflet inlined, the Natural Earth basemap) in an iframe.
        """

        def _repr_html_(self, **kwargs: Any) -> str:
            import html as _html

            page = render_html(self, self_contained=True)
            return (
                f'<iframe srcdoc="{_html.escape(page, quote=True)}" '
                f'style="width:100%;height:{NOTEBOOK_HEIGHT}px;border:0" '
                'title="map" loading="lazy"></iframe>'
            )

    return Map


def new_map(*, tiles: bool = True, G: Any = None, as_of: str | None = None) -> folium.Map:
    """An empty map: Leaflet only (no Bootstrap or Font Awesome), our CSS, the basemap.

    For the network of a date (``as_of``, else ``G.graph["as_of"]``), a box saying which date
    it shows.
    """
    import folium

    m = _map_class()(location=None, tiles=None, control_scale=True, zoom_start=3, zoom_snap=0.25)
    # the maps use Leaflet (and folium's jQuery) only: no Bootstrap, Font Awesome or awesome
    # markers, so default pages do not fetch them either
    m.default_js = [(n, u) for n, u in folium.Map.default_js if n in ("leaflet", "jquery")]
    m.default_css = [(n, u) for n, u in folium.Map.default_css if n == "leaflet_css"]
    m.get_root().header.add_child(
        page_classes()["Raw"](f"<style>{CSS}</style>"), name="corridormap_css"
    )
    m.add_child(
        element_classes()["Basemap"](offline=not tiles, countries=countries),
        name="corridormap_basemap",
    )
    day = as_of or ((getattr(G, "graph", None) or {}).get("as_of") or {}).get("date")
    if day:
        control(m, f'<div class="cm-asof">network as of {esc(day)}</div>', position="bottomleft")
    return m


def new_features() -> Any:
    """A fresh features element (add it to the map after the groups it fills)."""
    return element_classes()["Features"]()


def group(m: folium.Map, label: str, *, show: bool = True) -> Any:
    """A toggleable layer named ``label`` (escaped: Leaflet shows layer names as HTML)."""
    fg = page_classes()["FeatureGroup"](name=esc(label), show=show)
    m.add_child(fg)
    return fg


def control(m: folium.Map, body: str, *, position: str, css_class: str = "cm-box") -> None:
    """A box of trusted HTML (every piece of text in it already escaped) on the map.

    A box in the bottom right corner is a legend: it can be folded, and starts folded on a
    narrow screen (under 600 px).
    """
    if position == "bottomright":
        body = f'<details class="cm-legend" open><summary>Legend</summary>{body}</details>'
    m.add_child(element_classes()["Control"](body, position, css_class))


def describe(m: folium.Map, title: str, description: str) -> folium.Map:
    """Give the page a ``<title>`` and a ``<meta name="description">`` (escaped on output)."""
    m._corridormap_meta = (str(title), str(description))
    return m


#: shown when Leaflet did not load (a default page with no access to its CDN)
NO_LEAFLET = (
    "<script>window.addEventListener('DOMContentLoaded',function(){if(window.L){return;}"
    "var d=document.createElement('div');d.className='cm-noleaflet';d.textContent="
    "'This map needs Leaflet from a CDN (unpkg / jsDelivr), which could not be reached. '"
    "+'Open the offline version (map-...-offline.html, written with --self-contained) instead.';"
    "document.body.insertBefore(d,document.body.firstChild);});</script>"
)


def _head(m: folium.Map) -> str:
    title, description = getattr(m, "_corridormap_meta", ("corridormap map", ""))
    desc = description or "A map made with corridormap"
    return f'<title>{esc(title)}</title>\n<meta name="description" content="{esc(desc)}">\n'


def finish(m: folium.Map, bounds: list[list[float]] | None) -> folium.Map:
    """Fit to the content (union with earlier content), put the layer control last."""
    import folium

    old = m._children.get("corridormap_fit")
    for name, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl) or name in (
            "corridormap_ready",
            "corridormap_fit",
        ):
            del m._children[name]
    # folded (an icon, opened by hover or a tap), so the list covers no route
    m.add_child(page_classes()["LayerControl"](collapsed=True))
    bounds = [*(bounds or []), *(old.bounds if old is not None else [])]
    if bounds:
        lats = [b[0] for b in bounds]
        lons = [b[1] for b in bounds]
        box = [[min(lats), min(lons)], [max(lats), max(lons)]]
        m.add_child(element_classes()["Fit"](box), name="corridormap_fit")
    m.add_child(element_classes()["Ready"](), name="corridormap_ready")
    return m


def fit(m: folium.Map, box: list[list[float]]) -> folium.Map:
    """Open the page on ``box`` (``[[south, west], [north, east]]``) instead of the content."""
    m.add_child(element_classes()["Fit"](box), name="corridormap_fit")
    return m


# -- writing -------------------------------------------------------------------------------
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
            m.add_child(
                element_classes()["Basemap"](offline=True, countries=countries),
                name="corridormap_basemap",
            )
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
        page = m.get_root().render()
        page = page.replace("<head>", "<head>\n" + _head(m), 1)
        return page.replace("<body>", "<body>\n" + NO_LEAFLET, 1)
    with _offline(m):
        page = m.get_root().render()
    needs_jquery = "$(" in page.split("</head>", 1)[-1]
    page = page.replace("<head>", "<head>\n" + _head(m) + _inline_assets(needs_jquery), 1)
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
