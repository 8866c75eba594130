"""The page elements: Leaflet code that draws the maps, as branca/folium elements.

Every element is a ``RawMacro`` (:mod:`corridormap.render.raw`): its output goes on the page
as written, never compiled as a template.

* :func:`element_classes`: ``Features`` (every path and marker from compact JSON, with
  tooltips, popups and labels), ``Links`` and ``Places`` (a large network's links and places,
  popups put together in the browser), ``Basemap`` (tiles, or the offline country basemap),
  ``Control`` (a legend or title box), ``Fit`` (the initial view) and ``Ready`` (a flag the
  browser tests wait for).

The classes are built on first use, so importing corridormap does not import folium.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ._html import esc, js_source
from .raw import page_classes
from .styles import ATTRIBUTION, BASEMAP_ATTRIBUTION, TILES_ATTRIBUTION, TILES_URL

#: a legend taller than this share of the map starts folded (a notebook's 520 px frame)
LEGEND_FOLD = 0.55


@functools.cache
def element_classes() -> dict[str, type]:
    """The custom folium elements, built on first use so folium is imported lazily."""
    from .features import features_class, links_class, places_class

    return {
        "Features": features_class(),
        "Links": links_class(),
        "Places": places_class(),
        "Basemap": _basemap_class(),
        "Control": _control_class(),
        "Ready": _ready_class(),
        "Fit": _fit_class(),
        "Replay": _replay_class(),
    }


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
            // the countries are drawn once, not on the world's copies east and west: keep
            // the view on this side of the antimeridian, where there is a basemap
            {{ map }}.setMaxBounds([[-85.06, -180], [85.06, 180]]);
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
            self.js = js_source

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
              // Place labels (permanent tooltips) are placed best rank first (the class
              // cm-rank-0 .. cm-rank-3, 2 when none; the country names last), each at the
              // first of four places round its marker (right, left, above, below) that
              // overlaps no control and no label already placed and, when one does, no
              // place's marker; a label with no such place is hidden. Labels wholly outside
              // the map are left alone (a pan runs this again). The rects are read once,
              // after every label is reset, and kept in 64-pixel cells, so thousands of
              // labels cost one layout and a few comparisons each.
              var MAX_DOTS = 3000;
              function rankOf(el) {
                if (el.classList.contains("cm-country")) { return 9; }
                var m = /(?:^| )cm-rank-([0-9])/.exec(el.className);
                return m ? +m[1] : 2;
              }
              function declutter() {
                var box = c.getBoundingClientRect(), cells = {}, dots = {}, S = 64;
                var labels = Array.prototype.slice.call(c.querySelectorAll(".cm-label"));
                labels = labels.concat(Array.prototype.slice.call(
                  c.querySelectorAll(".cm-country")));
                labels.forEach(function (el) {
                  el.style.visibility = ""; el.style.marginLeft = ""; el.style.marginTop = "";
                });
                function each(r, fn) {
                  for (var i = Math.floor(r.left / S); i <= Math.floor(r.right / S); i++) {
                    for (var j = Math.floor(r.top / S); j <= Math.floor(r.bottom / S); j++) {
                      if (fn(i + "," + j)) { return true; }
                    }
                  }
                  return false;
                }
                function take(grid, r) {
                  each(r, function (k) { (grid[k] = grid[k] || []).push(r); return false; });
                }
                function hit(grid, r) {
                  return each(r, function (k) {
                    return (grid[k] || []).some(function (b) {
                      return r.left < b.right && r.right > b.left && r.top < b.bottom &&
                        r.bottom > b.top;
                    });
                  });
                }
                c.querySelectorAll(".leaflet-control").forEach(function (e) {
                  take(cells, e.getBoundingClientRect());
                });
                var marks = c.querySelectorAll(
                  "path.cm-node, path.cm-end, path.cm-stop, path.cm-transfer, path.cm-dot");
                if (marks.length <= MAX_DOTS) {
                  marks.forEach(function (e) { take(dots, e.getBoundingClientRect()); });
                }
                var items = labels.map(function (el, n) {
                  return {el: el, n: n, rank: rankOf(el), r: el.getBoundingClientRect()};
                });
                items.sort(function (a, b) { return a.rank - b.rank || a.n - b.n; });
                items.forEach(function (it) {
                  var el = it.el, r = it.r;
                  if (r.right < box.left || r.left > box.right || r.bottom < box.top ||
                      r.top > box.bottom) { return; }
                  var w = r.right - r.left, h = r.bottom - r.top, moves = [[0, 0]];
                  if (el.classList.contains("leaflet-tooltip-right")) {
                    // the marker's centre is 11 px left of a label on its right
                    moves.push([-(w + 22), 0], [-(w / 2 + 11), -(h / 2 + 8)],
                      [-(w / 2 + 11), h / 2 + 8]);
                  }
                  for (var pass = 0; pass < 2; pass++) {
                    for (var k = 0; k < moves.length; k++) {
                      var dx = moves[k][0], dy = moves[k][1];
                      var q = {left: r.left + dx, right: r.right + dx, top: r.top + dy,
                               bottom: r.bottom + dy};
                      if (hit(cells, q) || (pass === 0 && hit(dots, q))) { continue; }
                      if (dx || dy) {
                        el.style.marginLeft = (6 + dx) + "px";
                        el.style.marginTop = dy + "px";
                      }
                      take(cells, q);
                      return;
                    }
                  }
                  el.style.visibility = "hidden";
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
              // the title box: at the top left, or at the top right (under the layer
              // control) or the bottom left (over the scale bar) when fewer of the map's
              // lines, places and labels are under it there
              var DRAWN = new RegExp(" (cm-(route|link|node|end|stop|transfer|replay|dot|" +
                "label|catchment|origin)|leaflet-interactive) ");
              function drawn(e) {
                return DRAWN.test(" " + (e.getAttribute("class") || "") + " ");
              }
              // Points of a spot are counted by hit-testing (elementsFromPoint), which is slow
              // on a page of long lines; only points within PAD pixels of a drawn element's
              // box (more than half the widest stroke) can be on it, so only those are tested
              var PAD = 8;
              function drawnBoxes() {
                var boxes = [];
                c.querySelectorAll("[class]").forEach(function (e) {
                  if (!drawn(e)) { return; }
                  var b = e.getBoundingClientRect();
                  boxes.push({left: b.left - PAD, right: b.right + PAD, top: b.top - PAD,
                    bottom: b.bottom + PAD});
                });
                return boxes;
              }
              function covered(r, boxes) {
                var near = boxes.filter(function (b) {
                  return b.left <= r.right && b.right >= r.left && b.top <= r.bottom &&
                    b.bottom >= r.top;
                });
                var n = 0;
                for (var x = r.left + 3; x < r.right; x += 6) {
                  for (var y = r.top + 3; y < r.bottom; y += 6) {
                    if (!near.some(function (b) {
                      return x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;
                    })) { continue; }
                    n += document.elementsFromPoint(x, y).some(drawn) ? 1 : 0;
                  }
                }
                return n;
              }
              function placeTitle() {
                var t = c.querySelector(".leaflet-top.leaflet-left .cm-title");
                var tr = c.querySelector(".leaflet-top.leaflet-right");
                var bl = c.querySelector(".leaflet-bottom.leaflet-left");
                if (!t || !tr || !bl || t.offsetWidth > c.clientWidth / 2) { return; }
                var r = t.getBoundingClientRect(), w = r.right - r.left, h = r.bottom - r.top;
                var box = c.getBoundingClientRect(), trb = tr.getBoundingClientRect();
                var floor = bl.getBoundingClientRect().top;
                var spots = [[null, r]];
                spots.push([tr, {left: box.right - 10 - w, right: box.right - 10,
                  top: trb.bottom + 10, bottom: trb.bottom + 10 + h}]);
                spots.push([bl, {left: r.left, right: r.right, top: floor - 10 - h,
                  bottom: floor - 10}]);
                t.style.visibility = "hidden";
                var best = null, fewest = Infinity, boxes = drawnBoxes();
                spots.forEach(function (s) {
                  var q = s[1];
                  if (s[0] && (q.top <= r.bottom && s[0] === bl)) { return; }  // too low a map
                  var n = covered(q, boxes);
                  if (n < fewest) { fewest = n; best = s[0]; }
                });
                t.style.visibility = "";
                if (best === tr) { tr.appendChild(t); }
                if (best === bl) { bl.insertBefore(t, bl.firstChild); }
              }
              placeTitle();
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
              var FOLD = {{ this.fold }};
              // keep the content clear of the legend and layer control on the right (the
              // title box finds a free corner when the page is ready: Ready)
              var map = {{ this._parent.get_name() }}, c = map.getContainer();
              function fit() {
                var right = 0;
                // a short frame (a notebook's): a legend taller than half of it starts folded
                c.querySelectorAll("details.cm-legend").forEach(function (d) {
                  if (d.open && c.clientHeight && d.offsetHeight > FOLD * c.clientHeight) {
                    d.open = false;
                  }
                });
                c.querySelectorAll(".leaflet-right .leaflet-control").forEach(function (e) {
                  if (!e.classList.contains("leaflet-control-attribution")) {
                    right = Math.max(right, e.offsetWidth);
                  }
                });
                right = Math.min(right, c.clientWidth / 3);
                map.fitBounds({{ this.js(this.bounds) }},
                  {paddingTopLeft: [30, 30], paddingBottomRight: [right + 30, 30],
                   animate: false});
              }
              // a map drawn while its frame has no size (a notebook output not laid out
              // yet) cannot be fitted (Leaflet would open on the whole world): fit it once
              // it has a size, unless the reader moved it by then
              if (c.clientWidth && c.clientHeight) {
                fit();
              } else {
                var moved = false;
                map.once("zoomstart dragstart", function () { moved = true; });
                var seen = new ResizeObserver(function () {
                  if (!c.clientWidth || !c.clientHeight) { return; }
                  seen.disconnect();
                  map.invalidateSize({animate: false});
                  if (!moved) { fit(); }
                });
                seen.observe(c);
              }
            })();
            {% endmacro %}
            """
        )

        def __init__(self, bounds: list[list[float]]) -> None:
            super().__init__()
            self._name = "CorridormapFit"
            self.bounds = bounds
            self.fold = LEGEND_FOLD
            self.js = js_source

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
            self.js = js_source

    return Replay
