"""The page elements: Leaflet code that draws the maps, as branca/folium elements.

* :func:`page_classes`: :class:`Raw` text and :class:`RawMacro`, the base of every element
  here, which puts its rendered output on the page as written. branca's own
  ``MacroElement.render`` would compile that output (holding names and notes from geodata) as a
  new Jinja template; folium's ``FeatureGroup`` and ``LayerControl`` are used in that form too.
* :func:`element_classes`: ``Features`` (every path and marker from compact JSON, with
  tooltips, popups and labels), ``Links`` and ``Places`` (a large network's links and places,
  popups put together in the browser), ``Basemap`` (tiles, or the offline country basemap),
  ``Control`` (a legend or title box), ``Fit`` (the initial view) and ``Ready`` (a flag the
  browser tests wait for).

The classes are built on first use, so importing corridormap does not import folium.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from ._html import esc, js, rounded
from .styles import ATTRIBUTION, BASEMAP_ATTRIBUTION, TILES_ATTRIBUTION, TILES_URL


@functools.cache
def page_classes() -> dict[str, type]:
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
def element_classes() -> dict[str, type]:
    """The custom folium elements, built on first use so folium is imported lazily."""
    return {
        "Features": _features_class(),
        "Links": _links_class(),
        "Places": _places_class(),
        "Basemap": _basemap_class(),
        "Control": _control_class(),
        "Ready": _ready_class(),
        "Fit": _fit_class(),
        "Replay": _replay_class(),
    }


def _item_texts(
    intern: Any, tooltip: str | None, popup: str | None, label: str | None
) -> dict[str, int]:
    """A ``Features`` item's text references: tooltip ``t``, popup ``p``, label ``lb``.

    Parameters
    ----------
    intern
        ``Features._intern``: stores a value once in a table and returns its index.
    tooltip, popup, label
        The texts (already escaped HTML), or None for none.

    Returns
    -------
    dict
        The keys of the texts given, in that order, each an index into the ``texts`` table.
    """
    refs: dict[str, int] = {}
    for key, text in (("t", tooltip), ("p", popup), ("lb", label)):
        if text is not None:
            refs[key] = intern("texts", text)
    return refs


def _features_class() -> type:
    """The ``Features`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

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
                var l;
                if (f.a !== undefined) {
                  l = L.marker(f.ll, {interactive: false, keyboard: false, cmKind: f.kind,
                    icon: L.divIcon({className: "cm-arrow", iconSize: [14, 14],
                      html: '<div style="transform:rotate(' + f.a + 'deg);color:' +
                        o.color + '">&#10148;</div>'})});
                  l.addTo(groups[f.layer]);
                  return;
                }
                l = f.g !== undefined ? L.polyline(G[f.g], o) : L.circleMarker(f.ll, o);
                if (f.ll !== undefined) { l.options.cmHome = f.ll; }
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
            self.js = js

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
            angle: float | None = None,
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
            item.update(_item_texts(self._intern, tooltip, popup, label))
            if angle is not None:
                item["a"] = angle
            self.items.append(item)

    return Features


class _Tables:
    """Tables of values stored once, referred to by index, and the layers drawn in.

    Mixed into ``Links`` and ``Places``, which define ``texts``, ``styles``, ``profiles``
    and ``groups`` as lists and ``_index`` as a dict.
    """

    _index: dict[Any, int]
    texts: list[str]
    groups: list[Any]

    def _intern(self, table: str, value: Any) -> int:
        """The index of ``value`` in the list attribute ``table``, appended if new."""
        if isinstance(value, dict):
            key = (table, tuple(sorted(value.items())))
        else:
            key = (table, tuple(value) if isinstance(value, list) else value)
        got = self._index.get(key)
        if got is None:
            getattr(self, table).append(value)
            got = self._index[key] = len(getattr(self, table)) - 1
        return got

    def text(self, value: str) -> int:
        """The index of a string (escaped HTML) in ``texts``, appended if new."""
        got = self._index.get(value)  # the other tables' keys are tuples
        if got is None:
            self.texts.append(value)
            got = self._index[value] = len(self.texts) - 1
        return got

    def style(self, style: dict[str, Any]) -> int:
        """The index of a path style (its ``None`` values left out) in ``styles``."""
        return self._intern("styles", {k: v for k, v in style.items() if v is not None})

    def profile(self, pieces: Sequence[str]) -> int:
        """The index of a list of strings (escaped HTML) in ``profiles``, as text indices."""
        return self._intern("profiles", [self.text(x) for x in pieces])

    def group(self, fg: Any) -> int:
        """The index of a layer, added (last in drawing order) if new."""
        for i, g in enumerate(self.groups):
            if g is fg:
                return i
        self.groups.append(fg)
        return len(self.groups) - 1


def _links_class() -> type:
    """The ``Links`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

    class Links(_Tables, RawMacro):
        """A large network's links as compact data, tooltips and popups put together in the ...

        ... browser.

        Per link: its id, simplified coordinates (flat ``lat, lon, ...``), a style, the
        layers it is in, and indices into one table of strings that are already escaped HTML
        (place names, lengths, and each link's shared popup rows). The page then carries each
        distinct piece of text once instead of a whole popup per link; the tooltip and popup
        are the same HTML as :func:`~corridormap.render.popups.link_tooltip` and
        :func:`~corridormap.render.popups.link_popup`. A popup is built when it opens.
        """

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var T = {{ this.js(this.texts) }}, S = {{ this.js(this.styles) }},
                  P = {{ this.js(this.profiles) }},
                  groups = [{% for g in this.groups %}{{ g.get_name() }},{% endfor %}];
              function title(f) { return T[f[4]] + " \u2013 " + T[f[5]]; }
              function tip(f) {
                var p = P[f[8]];
                return "<b>" + title(f) + "</b> \u00b7 " + T[p[0]] + " \u00b7 " + T[f[6]] +
                  " km" + T[p[1]];
              }
              function pop(f) {
                var p = P[f[8]], id = f[9] !== undefined ? T[f[9]] : f[0];
                return '<div class="cm-pop"><b>' + title(f) + '</b><table class="cm-table">' +
                  (id ? "<tr><th>Link</th><td>" + id + "</td></tr>" : "") + T[p[2]] +
                  "<tr><th>Length</th><td>" + T[f[7]] + " km</td></tr>" + T[p[3]] +
                  "</table></div>";
              }
              {{ this.js(this.links) }}.forEach(function (f) {
                var c = f[1], ll = [];
                for (var i = 0; i < c.length; i += 2) { ll.push([c[i], c[i + 1]]); }
                f[3].forEach(function (g) {
                  var o = Object.assign({}, S[f[2]], {cmKind: "link", cmId: f[0],
                    className: "cm-link"});
                  var l = L.polyline(ll, o);
                  l.bindTooltip(function () { return tip(f); }, {sticky: true});
                  {% if this.popups %}
                  l.bindPopup(function () { return pop(f); }, {maxWidth: 380});
                  {% endif %}
                  l.addTo(groups[g]);
                });
              });
            })();
            {% endmacro %}
            """
        )

        def __init__(self, popups: bool = True) -> None:
            super().__init__()
            self._name = "CorridormapLinks"
            self.popups = popups
            self.texts: list[str] = []
            self.styles: list[dict[str, Any]] = []
            self.profiles: list[list[int]] = []
            self.links: list[list[Any]] = []
            self.groups: list[Any] = []
            self._index: dict[Any, int] = {}
            self.js = js

        def shared(
            self, style: dict[str, Any], layers: list[Any], profile: Sequence[str]
        ) -> list[Any]:
            """What links alike share: the indices of their style, layers and profile.

            ``profile``: the escaped mode, the tooltip's status suffix, the popup's mode row
            and its rows after the length.
            """
            return [self.style(style), [self.group(fg) for fg in layers], self.profile(profile)]

        def add(
            self,
            fid: str,
            flat: list[float],
            shared: list[Any],
            *,
            ends: tuple[int, int],
            length: tuple[int, int],
            escaped_id: int | None = None,
        ) -> None:
            """One link.

            Parameters
            ----------
            fid
                The link id.
            flat
                Its coordinates, ``lat, lon, lat, lon, ...``.
            shared
                From :meth:`shared`.
            ends
                The text indices of its places' escaped names.
            length
                The text indices of its length formatted with 0 and 1 decimals.
            escaped_id
                The text index of its escaped id, ``None`` when that is the id.
            """
            style, groups, profile = shared
            row = [fid, flat, style, groups, ends[0], ends[1], length[0], length[1], profile]
            if escaped_id is not None:
                row.append(escaped_id)
            self.links.append(row)

    return Links


def _places_class() -> type:
    """The ``Places`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

    class Places(_Tables, RawMacro):
        """A large network's places as compact data, tooltips and popups put together in ...

        ... the browser.

        One row per place, in the order of :func:`corridormap.places`: its id, coordinates
        (rounded as every marker's), a style, the layer it is drawn in (``-1``: a place of
        no drawn kind, kept because others name it as near) and indices into one table of
        strings that are already escaped HTML (the name, an optional label, and the place's
        popup rows in :attr:`profiles`, shared by places alike). The rare place whose id
        escapes to other text, that has no name (others' popups list it as ``None``) or
        whose exact coordinates are not the rounded ones has an entry in :attr:`extras`.
        Markers are circle markers with the options of ``Features``' ``node`` items
        (``cmKind``, ``cmId``, ``cmHome``), added layer by layer in row order; the labels
        (permanent tooltips) after them, in sub-panes of 16 of a pane of their own under the
        tooltip pane, so that thousands of labels are not laid out again for each one
        placed. A popup is
        built when it opens, the places near it (closer than ``near_deg`` in longitude and
        latitude, compared on the exact coordinates) found then; tooltip and popup are the
        HTML of :func:`~corridormap.render.popups.place_tooltip` and
        :func:`~corridormap.render.popups.place_popup`.
        """

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var T = {{ this.js(this.texts) }}, S = {{ this.js(this.styles) }},
                  P = {{ this.js(this.profiles) }}, X = {{ this.js(this.extras) }},
                  R = {{ this.js(this.places) }}, D = {{ this.js(this.near_deg) }},
                  groups = [{% for g in this.groups %}{{ g.get_name() }},{% endfor %}],
                  map = {{ this.map.get_name() }}, lat = null, lon = null, labelled = [];
              function extra(i) { return X[i] || {}; }
              function near(i) {
                if (lat === null) {
                  lat = []; lon = [];
                  R.forEach(function (f, j) {
                    var e = extra(j).e;
                    lat.push(e ? e[0] : f[1]); lon.push(e ? e[1] : f[2]);
                  });
                }
                var out = [];
                for (var j = 0; j < R.length; j++) {
                  if (j !== i && Math.abs(lon[j] - lon[i]) < D &&
                      Math.abs(lat[j] - lat[i]) < D) {
                    out.push(T[extra(j).n !== undefined ? extra(j).n : R[j][5]]);
                  }
                }
                return out;
              }
              function pop(i) {
                var f = R[i], p = P[f[6]], x = extra(i), n = near(i),
                    id = x.i !== undefined ? T[x.i] : f[0];
                return '<div class="cm-pop"><b>' + T[f[5]] + '</b><table class="cm-table">' +
                  (id ? "<tr><th>Id</th><td>" + id + "</td></tr>" : "") +
                  p.map(function (k) { return T[k]; }).join("") + (n.length ?
                  "<tr><th>Also here</th><td>" + n.join(", ") + " (zoom in to pick)</td></tr>" :
                  "") + "</table></div>";
              }
              groups.forEach(function (fg, g) {
                R.forEach(function (f, i) {
                  if (f[4] !== g) { return; }
                  var ll = [f[1], f[2]];
                  var o = Object.assign({}, S[f[3]], {cmKind: "node", cmId: f[0],
                    className: "cm-node"});
                  var l = L.circleMarker(ll, o), move = l.setLatLng;
                  l.options.cmHome = ll;
                  if (f[7] !== undefined) {
                    // a move to where it is (the page's fan-out puts every place back at
                    // each zoom) would redraw it and place its label: one layout per place
                    l.setLatLng = function (to) {
                      return this.getLatLng().equals(to, 0) ? this : move.call(this, to);
                    };
                    labelled.push([l, T[f[7]]]);
                  } else {
                    l.bindTooltip(function () { return "<b>" + T[f[5]] + "</b>"; },
                      {sticky: true});
                  }
                  l.bindPopup(function () { return pop(i); }, {maxWidth: 380});
                  l.addTo(fg);
                });
              });
              // Labels (permanent tooltips) last. Leaflet places a label by measuring it: a
              // measure lays out again what changed since the last, and a label added among
              // thousands (or after a marker) lays them all out, so the labels are added to a
              // hidden pane, 16 to a sub-pane, then shown and placed (a move lays out one
              // sub-pane). Under the tooltip pane, as labels were under later tooltips.
              var top = map.createPane("cmLabels"), sub = null;
              top.style.zIndex = 649;
              top.style.display = "none";
              labelled.forEach(function (x, k) {
                if (k % 16 === 0) { sub = "cmLabels" + k; map.createPane(sub, top); }
                x[0].bindTooltip(x[1], {permanent: true, direction: "right", offset: [5, 0],
                  className: "cm-label", interactive: false, pane: sub});
              });
              top.style.display = "";
              labelled.forEach(function (x) {
                var t = x[0].getTooltip();
                if (t.isOpen()) { t.setLatLng(x[0].getLatLng()); }
              });
            })();
            {% endmacro %}
            """
        )

        def __init__(self, near_deg: float, m: Any) -> None:
            super().__init__()
            self._name = "CorridormapPlaces"
            self.near_deg = near_deg
            self.map = m
            self.texts: list[str] = []
            self.styles: list[dict[str, Any]] = []
            self.profiles: list[list[int]] = []
            self.places: list[list[Any]] = []
            self.extras: dict[int, dict[str, Any]] = {}
            self.groups: list[Any] = []
            self._index: dict[Any, int] = {}
            self.js = js

        def add(
            self,
            fid: str,
            yx: tuple[float, float],
            style: int,
            group: int,
            *,
            name: int,
            profile: int,
            label: int | None = None,
            near_name: int | None = None,
        ) -> None:
            """One place (the numbers are indices into the tables).

            Parameters
            ----------
            fid
                The place id.
            yx
                Its exact latitude and longitude (rounded for the marker).
            style, group
                The marker's style and layer; ``-1`` for a place not drawn.
            name
                The escaped name (title and tooltip).
            profile
                The popup's rows after the id (a list of ``<tr>`` texts).
            label
                The marker's permanent label, or ``None`` for a tooltip on hover.
            near_name
                The name other places' popups list it by, when that is not ``name``.
            """
            lat, lon = rounded(yx[0]), rounded(yx[1])
            row = [fid, lat, lon, style, group, name, profile]
            if label is not None:
                row.append(label)
            extra: dict[str, Any] = {}
            if (lat, lon) != yx:
                extra["e"] = list(yx)
            if not isinstance(fid, str) or esc(fid) != fid:
                extra["i"] = self.text(esc(fid))
            if near_name is not None:
                extra["n"] = near_name
            if extra:
                self.extras[len(self.places)] = extra
            self.places.append(row)

    return Places


def _basemap_class() -> type:
    """The ``Basemap`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

    class Basemap(RawMacro):
        """Tiles online; the Natural Earth country polygons (no network) when offline.

        ``countries`` returns the offline basemap (``{"countries": ..., "mask": ...}``).
        """

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
            {{ this.js(basemap["labels"]) }}.forEach(function (c) {
              L.marker([c[0], c[1]], {interactive: false, keyboard: false,
                icon: L.divIcon({className: "cm-country", html: c[2], iconSize: null})
              }).addTo({{ map }});
            });
            {{ map }}.attributionControl.addAttribution({{ this.basemap_attr|tojson }});
            {% else %}
            L.tileLayer({{ this.url|tojson }}, {attribution: {{ this.tiles_attr|tojson }},
              subdomains: "abcd", maxZoom: 19, detectRetina: false}).addTo({{ map }});
            {% endif %}
            {{ map }}.attributionControl.addAttribution({{ this.attribution|tojson }});
            {% endmacro %}
            """
        )

        def __init__(
            self, offline: bool = False, countries: Callable[[], dict[str, Any]] | None = None
        ) -> None:
            super().__init__()
            self._name = "CorridormapBasemap"
            self.offline = offline
            self.url = TILES_URL
            self.tiles_attr = esc(TILES_ATTRIBUTION)
            self.basemap_attr = esc(BASEMAP_ATTRIBUTION)
            self.attribution = esc(ATTRIBUTION)
            self.countries = countries
            self.js = js

    return Basemap


def _control_class() -> type:
    """The ``Control`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

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
                // a phone's width: legends start folded, so they do not cover the map
                var fold = d.querySelector("details.cm-legend");
                if (fold && {{ this._parent.get_name() }}.getContainer().clientWidth < 600) {
                  fold.open = false;
                }
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

    return Control


def _ready_class() -> type:
    """The ``Ready`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

    class Ready(RawMacro):
        """Marks the page drawn: ``window.corridormapReady`` after the first frame."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var map = {{ this._parent.get_name() }}, c = map.getContainer();
              // hide a place label that would overlap a control or an earlier label; labels
              // wholly outside the map are left alone (a pan runs this again). The rects are
              // read after every label is reset and kept in 64-pixel cells, so thousands of
              // labels cost one layout and a few comparisons each, not one layout per label.
              function declutter() {
                var box = c.getBoundingClientRect(), cells = {}, S = 64;
                var labels = Array.prototype.slice.call(c.querySelectorAll(".cm-label"));
                labels = labels.concat(Array.prototype.slice.call(
                  c.querySelectorAll(".cm-country")));
                labels.forEach(function (el) { el.style.visibility = ""; });
                function each(r, fn) {
                  for (var i = Math.floor(r.left / S); i <= Math.floor(r.right / S); i++) {
                    for (var j = Math.floor(r.top / S); j <= Math.floor(r.bottom / S); j++) {
                      if (fn(i + "," + j)) { return true; }
                    }
                  }
                  return false;
                }
                function take(r) {
                  each(r, function (k) { (cells[k] = cells[k] || []).push(r); return false; });
                }
                function hit(r) {
                  return each(r, function (k) {
                    return (cells[k] || []).some(function (b) {
                      return r.left < b.right && r.right > b.left && r.top < b.bottom &&
                        r.bottom > b.top;
                    });
                  });
                }
                c.querySelectorAll(".leaflet-control").forEach(function (e) {
                  take(e.getBoundingClientRect());
                });
                var rects = labels.map(function (el) { return el.getBoundingClientRect(); });
                labels.forEach(function (el, n) {
                  var r = rects[n];
                  if (r.right < box.left || r.left > box.right || r.bottom < box.top ||
                      r.top > box.bottom) { return; }
                  if (hit(r)) { el.style.visibility = "hidden"; } else { take(r); }
                });
              }
              // places drawn on top of each other (a port and its station): fan them out
              // a few pixels so each can be hovered and clicked. Not in a crowd (CROWD or more
              // other places within 10 pixels: a dense network seen from afar), where a fan
              // of 9 pixels separates nothing; places are found in 10-pixel cells.
              var CROWD = 6;
              function spread() {
                var cells = {}, pts = [], near = map.getZoom() >= 5;
                map.eachLayer(function (l) {
                  if (!l.options || l.options.cmKind !== "node" || !l.options.cmHome) { return; }
                  var p = near ? map.latLngToLayerPoint(l.options.cmHome) : null;
                  pts.push([l, p]);
                  if (p) {
                    var key = Math.floor(p.x / 10) + "," + Math.floor(p.y / 10);
                    (cells[key] = cells[key] || []).push(pts.length - 1);
                  }
                });
                pts.forEach(function (lp, n) {
                  var l = lp[0], p = lp[1], k = 0, all = 0;
                  if (p) {
                    var cx = Math.floor(p.x / 10), cy = Math.floor(p.y / 10);
                    for (var i = cx - 1; i <= cx + 1; i++) {
                      for (var j = cy - 1; j <= cy + 1; j++) {
                        (cells[i + "," + j] || []).forEach(function (m) {
                          var q = pts[m][1];
                          if (m !== n && Math.abs(q.x - p.x) < 10 && Math.abs(q.y - p.y) < 10) {
                            all += 1;
                            if (m < n) { k += 1; }
                          }
                        });
                      }
                    }
                    // only close up, where overlapping places are one site (port and station)
                    k = all < CROWD ? Math.min(k, 3) : 0;
                  }
                  if (!k && !l.cmFanned) { return; }  // at home, and was
                  l.cmFanned = k > 0;
                  l.setLatLng(k ? map.layerPointToLatLng(p.add([9 * k, 9 * k])) :
                    l.options.cmHome);
                });
              }
              // a phone's width: the layer control starts folded (tap the icon to open it)
              var lc = c.querySelector(".leaflet-control-layers");
              if (lc && c.clientWidth < 600) {
                lc.classList.remove("leaflet-control-layers-expanded");
                var toggle = lc.querySelector(".leaflet-control-layers-toggle");
                if (toggle) {
                  toggle.addEventListener("click", function (ev) {
                    ev.preventDefault();
                    lc.classList.toggle("leaflet-control-layers-expanded");
                  });
                }
                map.on("click", function () {
                  lc.classList.remove("leaflet-control-layers-expanded");
                });
              }
              map.on("zoomend", spread);
              map.on("zoomend moveend overlayadd overlayremove", declutter);
              spread();
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

    return Ready


def _fit_class() -> type:
    """The ``Fit`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

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
            self.js = js

    return Fit


def _replay_class() -> type:
    """The ``Replay`` element (a ``RawMacro``); see :func:`element_classes`."""
    from folium.template import Template

    RawMacro = page_classes()["RawMacro"]

    class Replay(RawMacro):
        """A shipment on a time slider: legs drawn as the cargo moved, dated events.

        ``data`` (built by :mod:`.replay`) holds the legs (coordinates, start and end day,
        style, tooltip, popup), the waits, the events (day, position, popup) and the start
        date. The slider is a plain ``<input type="range">`` in a Leaflet control: no
        external script.
        """

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
              var map = {{ this._parent.get_name() }}, D = {{ this.js(this.data) }};
              var layer = L.layerGroup().addTo(map);
              function cut(ll, f) {
                if (f >= 1) { return ll; }
                var len = [0], tot = 0, i;
                for (i = 1; i < ll.length; i++) {
                  tot += Math.hypot(ll[i][0] - ll[i - 1][0], ll[i][1] - ll[i - 1][1]);
                  len.push(tot);
                }
                var want = f * tot, out = [ll[0]];
                for (i = 1; i < ll.length; i++) {
                  if (len[i] <= want) { out.push(ll[i]); continue; }
                  var g = (want - len[i - 1]) / ((len[i] - len[i - 1]) || 1);
                  out.push([ll[i - 1][0] + g * (ll[i][0] - ll[i - 1][0]),
                            ll[i - 1][1] + g * (ll[i][1] - ll[i - 1][1])]);
                  break;
                }
                return out;
              }
              D.legs.forEach(function (l) {
                l.line = L.polyline(l.ll, Object.assign({cmKind: "replay", cmId: l.id,
                  className: "cm-replay"}, l.style));
                if (l.tip) { l.line.bindTooltip(l.tip, {sticky: true}); }
                if (l.pop) { l.line.bindPopup(l.pop, {maxWidth: 380}); }
              });
              D.waits.forEach(function (w) {
                w.mark = L.circleMarker(w.ll, {radius: 9, color: "#b2182b", weight: 3,
                  fillColor: "#fddbc7", fillOpacity: 0.9, cmKind: "wait"}).bindPopup(w.pop);
                w.mark.bindTooltip(w.tip, {sticky: true});
              });
              D.events.forEach(function (e) {
                e.mark = L.circleMarker(e.ll, {radius: 6, color: "#ffffff", weight: 2,
                  fillColor: "#111111", fillOpacity: 1, cmKind: "event"}).bindPopup(e.pop,
                  {maxWidth: 340});
                e.mark.bindTooltip(e.tip, {sticky: true});
              });
              var cargo = L.circleMarker(D.legs.length ? D.legs[0].ll[0] : [0, 0],
                {radius: 7, color: "#111", weight: 2, fillColor: "#ffd92f", fillOpacity: 1,
                 cmKind: "cargo", interactive: false});
              var start = Date.UTC(D.start[0], D.start[1] - 1, D.start[2]);
              function day(t) {
                return new Date(start + Math.round(t) * 86400000).toISOString().slice(0, 10);
              }
              var ctl = L.control({position: "bottomleft"}), input, label, button;
              ctl.onAdd = function () {
                var d = L.DomUtil.create("div", "cm-box cm-replay-box");
                d.innerHTML = D.head + '<div class="cm-row"><button type="button" ' +
                  'class="cm-play" aria-label="play">&#9654;</button>' +
                  '<input type="range" class="cm-slider" min="0" step="0.25" ' +
                  'aria-label="day of the shipment"><span class="cm-date"></span></div>';
                input = d.querySelector("input"); label = d.querySelector(".cm-date");
                button = d.querySelector("button");
                input.max = String(D.end);
                L.DomEvent.disableClickPropagation(d);
                L.DomEvent.disableScrollPropagation(d);
                return d;
              };
              ctl.addTo(map);
              function show(t) {
                var pos = null;
                D.legs.forEach(function (l) {
                  if (t <= l.t0 && l.t1 > l.t0) { layer.removeLayer(l.line); return; }
                  var f = l.t1 > l.t0 ? (t - l.t0) / (l.t1 - l.t0) : 1;
                  var part = cut(l.ll, Math.min(1, f));
                  l.line.setLatLngs(part);
                  if (!layer.hasLayer(l.line)) { layer.addLayer(l.line); }
                  pos = part[part.length - 1];
                });
                D.waits.forEach(function (w) {
                  if (t >= w.t0) { layer.addLayer(w.mark); } else { layer.removeLayer(w.mark); }
                  if (t >= w.t0 && t <= w.t1) { pos = w.ll; }
                });
                D.events.forEach(function (e) {
                  if (t >= e.t) { layer.addLayer(e.mark); } else { layer.removeLayer(e.mark); }
                });
                if (pos) { cargo.setLatLng(pos); layer.addLayer(cargo); cargo.bringToFront(); }
                label.textContent = day(t) + " \u00b7 day " + Math.round(t);
                input.value = String(t);
                map.getContainer().dataset.replayDay = String(t);
              }
              var timer = null;
              function stop() { clearInterval(timer); timer = null; button.innerHTML = "&#9654;"; }
              input.addEventListener("input", function () { stop(); show(+input.value); });
              button.addEventListener("click", function () {
                if (timer) { stop(); return; }
                var t = +input.value >= D.end ? 0 : +input.value;
                button.innerHTML = "&#10074;&#10074;";
                timer = setInterval(function () {
                  t = Math.min(D.end, t + D.end / 120);
                  show(t);
                  if (t >= D.end) { stop(); }
                }, 50);
              });
              show(D.end);
              window.corridormapReplay = {show: show, end: D.end};
            })();
            {% endmacro %}
            """
        )

        def __init__(self, data: dict[str, Any]) -> None:
            super().__init__()
            self._name = "CorridormapReplay"
            self.data = data
            self.js = js

    return Replay
