"""The features of a map as compact JSON: every path and marker, a large network's links and places.

* :func:`features_class`: ``Features``, Leaflet paths and circle markers added to feature groups
  from compact JSON, with tooltips, popups and labels;
* :func:`links_class` and :func:`places_class`: ``Links`` and ``Places``, a large network's
  links and places, each distinct text stored once and popups put together in the browser.

The classes are built on first use (by
:func:`corridormap.render.elements.element_classes`), so importing corridormap does not import
folium.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ._html import esc, js_source, rounded
from .raw import page_classes


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


def features_class() -> type:
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
                    className: "cm-label cm-rank-" + (f.lr === undefined ? 2 : f.lr),
                    interactive: false});
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
            self.js = js_source

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
            rank: int | None = None,
        ) -> None:
            """One path (``latlngs``) or marker (``latlng``) in layer ``fg``.

            ``label`` is a permanent label; ``rank`` its priority when labels collide
            (0 first; 2 when not given): the page shows the better-ranked of two labels
            that would overlap (:mod:`.elements`, ``Ready``).
            """
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
            if label is not None and rank is not None and rank != 2:
                item["lr"] = rank
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


def links_class() -> type:
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
            self.js = js_source

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


def places_class() -> type:
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
                    labelled.push([l, T[f[7]], f[8] === undefined ? 2 : f[8]]);
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
                  className: "cm-label cm-rank-" + x[2], interactive: false, pane: sub});
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
            self.js = js_source

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
            rank: int = 2,
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
            rank
                The label's rank where labels collide (0 first).
            near_name
                The name other places' popups list it by, when that is not ``name``.
            """
            lat, lon = rounded(yx[0]), rounded(yx[1])
            row = [fid, lat, lon, style, group, name, profile]
            if label is not None:
                row.append(label)
                if rank != 2:
                    row.append(rank)
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
