"""Web maps of the corridors, routes and bottlenecks (folium / Leaflet).

Every map function returns a :class:`folium.Map` (so maps display inline in Jupyter) and
accepts an existing map ``m=`` to draw on:

* :func:`corridor_map`: the whole network, styled by mode and status, one toggleable layer per
  corridor branch and per kind of place;
* :func:`route_map`: one or more :class:`~corridormap.Route` objects, a layer each, with a popup
  per leg and the route's totals in the legend;
* :func:`color_links`: links coloured by any number per link id (the bottleneck overlay hook);
* :func:`scenario_map`: what applied scenarios close, open and change;
* :func:`scene_map` / :data:`SCENES`: named presets defined in ``geodata/scenes.toml``;
  :func:`write_scenes` writes them all (drawn by :mod:`.mapscenes` from the scenes
  :mod:`corridormap.mapscenes` computes: the routes a scene shows);
* :func:`save_map` / :func:`render_html`: a page written atomically / as text, optionally
  self-contained (no network at all: Leaflet inlined from the ``xstatic-leaflet`` package and
  the Natural Earth country basemap shipped in ``geodata/basemap/`` drawn instead of tiles).

Where things are built, by file:

========================  ==========================================================
``layers.py``             the network and place layers
``routes.py``             routes, a layer each, with the figures their caller gives
``overlays.py``           links coloured by a number; what a scenario closes, opens, changes
``popups.py``             popups and tooltips of links, places and route legs
``legends.py``            legends and the title box
``styles.py``             colours, line styles, layer labels, CSS
``elements.py``           the Leaflet element classes (the page's JavaScript): basemap, boxes, view
``features.py``           paths and markers as compact JSON; a large network's links, places
``raw.py``                the base of every element: output put on the page as written
``page.py``               map creation, page assembly, offline pages, writing
``mapscenes.py``          drawing a computed scene (title, routes, initial view), its pages
``replay.py``             a shipment replay on a time slider
``atlas.py``              ``index.html``: every scene, chart and table with its finding
``static.py``             PNG / SVG figures of a scene with matplotlib (no browser)
``charts.py``             matplotlib charts: time-distance, comparisons, the backtest
``_html.py``              escaping, number formatting, HTML tables, JSON for scripts
========================  ==========================================================

All text taken from geodata, scenario and scene files or arguments is HTML-escaped before it
reaches the page, and reaches the page's script only through JSON. No text is ever parsed as a
template: branca would compile the output of every folium element as a new Jinja template, so
every element of these maps puts its output on the page as written (:mod:`.raw`), and
braces in text are escaped as well (:mod:`._html`).

folium is imported inside the functions, so importing this package (and the ``route`` command)
stays fast.
"""

from __future__ import annotations

from ..mapscenes import SCENES
from ._html import COORD_DECIMALS
from .layers import corridor_map
from .mapscenes import scene_map, write_scenes
from .overlays import color_links, scenario_map
from .page import external_refs, render_html, save_map
from .routes import route_map
from .styles import (
    ATTRIBUTION,
    BASEMAP_ATTRIBUTION,
    BRANCH_LABELS,
    GAP_COLOR,
    GAUGE_BREAK_STYLE,
    LABELLED_KINDS,
    MODE_STYLES,
    NODE_GROUPS,
    ROUTE_COLORS,
    STATUS_DASH,
    STATUS_LABELS,
    TILES_ATTRIBUTION,
    TILES_URL,
)

__all__ = [
    "ATTRIBUTION",
    "BASEMAP_ATTRIBUTION",
    "BRANCH_LABELS",
    "COORD_DECIMALS",
    "GAP_COLOR",
    "GAUGE_BREAK_STYLE",
    "LABELLED_KINDS",
    "MODE_STYLES",
    "NODE_GROUPS",
    "ROUTE_COLORS",
    "SCENES",
    "STATUS_DASH",
    "STATUS_LABELS",
    "TILES_ATTRIBUTION",
    "TILES_URL",
    "color_links",
    "corridor_map",
    "external_refs",
    "render_html",
    "route_map",
    "save_map",
    "scenario_map",
    "scene_map",
    "write_scenes",
]
