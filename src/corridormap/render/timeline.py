"""The corridor through time: one offline page with a slider over the years.

The page is handed the numbers (:meth:`corridormap.timeline.Timeline.to_dict`): per year, each
series' best route on the network of that year (its expected transit days and the places it
passes) and what opened, closed or changed that year. A slider picks the year; a line chart
draws every series over the years with a marker at the year picked. Everything the script puts
on the page goes through ``textContent`` or SVG attributes, and the data reaches it as JSON
escaped for a ``<script>`` element (:func:`._html.js`); the table of every year is written into
the page as escaped HTML, so it reads without the script. The page loads nothing: no CDN, no
tiles, no fonts.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from .._atomic import atomic_write
from ._html import esc, js
from .styles import ROUTE_COLORS

__all__ = ["save_timeline", "timeline_finding", "timeline_page"]

#: the chart's size in CSS pixels and its margins (left, right, top, bottom)
WIDTH, HEIGHT = 720, 260
MARGIN = (48, 16, 16, 32)

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#222;max-width:860px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:8px 0 4px} h2{font-size:18px;margin:22px 0 6px}
.lede{color:#444;margin:0 0 12px} .controls{display:flex;gap:12px;align-items:center;margin:8px 0}
#cm-year-input{flex:1} #cm-year{font-size:28px;font-weight:600;min-width:4ch}
.cm-projection{color:#8c510a;font-size:13px} .cm-figure{margin:4px 0}
.cm-figure b{font-size:20px} .cm-route{color:#555;font-size:13px;margin:0 0 6px}
ul{padding-left:18px} li{margin:0 0 6px} .cm-src{color:#666;font-size:12px}
table{border-collapse:collapse;font-size:13px} td,th{border-bottom:1px solid #ddd;padding:2px 8px;
 text-align:right} th:first-child,td:first-child{text-align:left}
svg text{font-size:11px;fill:#444} footer{color:#666;font-size:12px;margin-top:24px}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("cm-timeline-data").textContent);
  var rows = data.rows, colors = data.colors, box = data.chart;
  var input = document.getElementById("cm-year-input");
  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function days(v) { return v === null ? "no route" : v.toFixed(1) + " days"; }
  // the chart: one line per series over the years, a marker at the year picked
  var chart = document.getElementById("cm-chart");
  var all = [];
  rows.forEach(function (r) {
    r.results.forEach(function (x) { if (x.days !== null) all.push(x.days); });
  });
  var lo = all.length ? Math.min.apply(null, all) : 0;
  var hi = all.length ? Math.max.apply(null, all) : 1;
  var pad = Math.max((hi - lo) * 0.15, 1);
  lo = Math.max(0, Math.floor(lo - pad)); hi = Math.ceil(hi + pad);
  var y0 = rows[0].year, y1 = rows[rows.length - 1].year;
  var L = box.left, R = box.width - box.right, T = box.top, B = box.height - box.bottom;
  function sx(year) { return y1 === y0 ? (L + R) / 2 : L + (R - L) * (year - y0) / (y1 - y0); }
  function sy(v) { return B - (B - T) * (v - lo) / (hi - lo); }
  chart.appendChild(svg("line", {x1: L, x2: R, y1: B, y2: B, stroke: "#999"}));
  chart.appendChild(svg("line", {x1: L, x2: L, y1: T, y2: B, stroke: "#999"}));
  var step = Math.max(1, Math.ceil((y1 - y0) / 10));
  for (var y = y0; y <= y1; y += step) {
    chart.appendChild(svg("text", {x: sx(y), y: B + 16, "text-anchor": "middle"}, String(y)));
  }
  [lo, (lo + hi) / 2, hi].forEach(function (v) {
    chart.appendChild(svg("text", {x: L - 6, y: sy(v) + 4, "text-anchor": "end"}, v.toFixed(0)));
  });
  chart.appendChild(svg("text", {x: L + 6, y: T + 10}, "days"));
  var today = rows.filter(function (r) { return !r.projection; });
  if (today.length && today.length < rows.length) {
    var xp = (sx(today[today.length - 1].year) + sx(today[today.length - 1].year + 1)) / 2;
    chart.appendChild(svg("rect", {x: xp, y: T, width: Math.max(R - xp, 0), height: B - T,
      fill: "#f6efe4"}));
    chart.appendChild(svg("text", {x: xp + 4, y: T + 12}, "projection"));
  }
  data.series.forEach(function (s, i) {
    var d = "", pen = false;
    rows.forEach(function (r) {
      var v = r.results[i].days;
      if (v === null) { pen = false; return; }
      d += (pen ? "L" : "M") + sx(r.year).toFixed(1) + " " + sy(v).toFixed(1) + " ";
      pen = true;
    });
    chart.appendChild(svg("path", {d: d, fill: "none", stroke: colors[i], "stroke-width": 2,
      "class": "cm-series"}));
  });
  var marker = svg("line", {y1: T, y2: B, stroke: "#222", "stroke-dasharray": "3 3",
    id: "cm-marker"});
  chart.appendChild(marker);
  var dots = data.series.map(function (s, i) {
    var c = svg("circle", {r: 4, fill: colors[i]});
    chart.appendChild(c);
    return c;
  });
  function show(year) {
    var r = rows.filter(function (x) { return x.year === year; })[0];
    if (!r) return;
    document.getElementById("cm-year").textContent = String(r.year);
    document.getElementById("cm-date").textContent = "network as of " + r.date;
    document.getElementById("cm-projection").textContent = r.projection
      ? "projection: after " + data.today + ", planned links open at their sourced targets"
      : "";
    var figs = document.getElementById("cm-figures");
    figs.replaceChildren();
    r.results.forEach(function (x, i) {
      var div = el("div", {"class": "cm-figure", "data-series": String(i)});
      var sw = el("span", {"class": "cm-swatch"}, "\u25a0 ");
      sw.style.color = colors[i];
      div.appendChild(sw);
      div.appendChild(el("span", {}, x.label + ": "));
      div.appendChild(el("b", {"class": "cm-days"}, days(x.days)));
      figs.appendChild(div);
      figs.appendChild(el("div", {"class": "cm-route"},
        x.days === null ? x.note : "via " + x.route.join(" \u2013 ") +
        (x.modes.length ? " (" + x.modes.join(", ") + ")" : "")));
      dots[i].setAttribute("cx", sx(r.year));
      dots[i].setAttribute("cy", x.days === null ? -10 : sy(x.days));
    });
    marker.setAttribute("x1", sx(r.year)); marker.setAttribute("x2", sx(r.year));
    document.getElementById("cm-events-year").textContent = String(r.year);
    var list = document.getElementById("cm-events");
    list.replaceChildren();
    if (!r.events.length) list.appendChild(el("li", {"class": "cm-none"}, "nothing dated"));
    r.events.forEach(function (e) {
      var li = el("li", {"data-id": e.id, "data-event": e.event});
      li.appendChild(el("span", {"class": "cm-when"}, e.date + ": "));
      li.appendChild(el("span", {"class": "cm-what"}, e.text));
      if (e.source) li.appendChild(el("div", {"class": "cm-src"}, "source: " + e.source));
      list.appendChild(li);
    });
    input.value = String(r.year);
  }
  input.addEventListener("input", function () { show(parseInt(input.value, 10)); });
  show(parseInt(input.value, 10));
  window.corridormapReady = true;
})();
"""


def _start_year(rows: list[dict[str, Any]]) -> int:
    """The year shown first: the last that is not a projection (else the first)."""
    past = [r["year"] for r in rows if not r["projection"]]
    return past[-1] if past else rows[0]["year"]


def _days(value: float | None) -> str:
    """``21.1`` for a figure, ``–`` for no route."""
    return "–" if value is None else f"{value:.1f}"


def _day_words(month_day: str) -> str:
    """``07-01`` -> ``1 July``."""
    day = dt.date(2001, int(month_day[:2]), int(month_day[3:]))
    return f"{day.day} {day.strftime('%B')}"


def _table(data: dict[str, Any]) -> str:
    """Every year's figures as an escaped HTML table (the page reads without the script)."""
    heads = "".join(f"<th>{esc(s['label'])}</th>" for s in data["series"])
    body = []
    for r in data["rows"]:
        cells = "".join(f"<td>{_days(x['days'])}</td>" for x in r["results"])
        mark = " (projection)" if r["projection"] else ""
        body.append(f"<tr><td>{esc(r['year'])}{esc(mark)}</td>{cells}</tr>")
    return (
        f'<table id="cm-table"><thead><tr><th>year</th>{heads}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def timeline_page(data: dict[str, Any], *, title: str | None = None) -> str:
    """The page of a timeline: a slider over the years, the figures, a chart, what opened.

    Parameters
    ----------
    data
        :meth:`corridormap.timeline.Timeline.to_dict` (``origin``, ``destination``, ``day``,
        ``today``, ``series``, ``rows``, ``events``).
    title
        The page's heading (default: ``ORIGIN – DESTINATION through time``).

    Returns
    -------
    str
        The HTML page. It loads nothing: its only script is inline.

    Raises
    ------
    ValueError
        If ``data`` has no rows.
    """
    rows = data["rows"]
    if not rows:
        raise ValueError("a timeline page needs at least one year")
    title = title or f"{data['origin']} – {data['destination']} through time"
    first, last = rows[0]["year"], rows[-1]["year"]
    payload = {
        "series": data["series"],
        "rows": rows,
        "today": data["today"],
        "colors": [ROUTE_COLORS[i % len(ROUTE_COLORS)] for i in range(len(data["series"]))],
        "chart": {
            "width": WIDTH,
            "height": HEIGHT,
            "left": MARGIN[0],
            "right": MARGIN[1],
            "top": MARGIN[2],
            "bottom": MARGIN[3],
        },
    }
    lede = (
        f"The best route from {data['origin']} to {data['destination']} on the network of "
        f"each year from {first} to {last}, as of {_day_words(data['day'])}: the "
        "places and links in service that day, with that day's capacities and service "
        "frequencies. The figure is the route's expected transit time in days. Years after "
        f"{data['today']} are projections: planned links open at their sourced target dates; "
        "a target that has passed without the link opening opens nothing."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{esc(title)}</h1><p class="lede">{esc(lede)}</p>'
        '<div class="controls"><span id="cm-year"></span>'
        f'<input id="cm-year-input" type="range" min="{first}" max="{last}" step="1" '
        f'value="{_start_year(rows)}" aria-label="year"></div>'
        '<div id="cm-date"></div><div id="cm-projection" class="cm-projection"></div>'
        '<div id="cm-figures"></div>'
        f'<svg id="cm-chart" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="days per year"></svg>'
        '<h2>Opened, closed or changed in <span id="cm-events-year"></span></h2>'
        '<ul id="cm-events"></ul>'
        f"<h2>Every year</h2>{_table(data)}"
        "<footer>Made with corridormap. Dates and their sources: geodata/src/*.toml "
        "(opened, closed, changes) and parameters.toml.</footer>"
        f'<script type="application/json" id="cm-timeline-data">{js(payload)}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def timeline_finding(data: dict[str, Any]) -> str:
    """One line on a timeline: each series' days in the first year, today's year, the last.

    Parameters
    ----------
    data
        :meth:`corridormap.timeline.Timeline.to_dict`.

    Returns
    -------
    str
        E.g. ``A – B, best route: 21.1 days in 2010, 21.1 days in 2026, 24.1 days in 2030
        (projection).``
        (not escaped).
    """
    rows = data["rows"]
    if not rows:
        return ""
    now = _start_year(rows)
    wanted = {rows[0]["year"], now, rows[-1]["year"]}
    picks = [r for r in rows if r["year"] in wanted]
    parts = []
    for i, s in enumerate(data["series"]):
        figs = []
        for r in picks:
            days = r["results"][i]["days"]
            fig = "no route" if days is None else f"{days:.1f} days"
            figs.append(f"{fig} in {r['year']}{' (projection)' if r['projection'] else ''}")
        parts.append(f"{s['label']}: {', '.join(figs)}")
    return f"{data['origin']} – {data['destination']}, " + "; ".join(parts) + "."


def save_timeline(
    data: dict[str, Any], path: str | os.PathLike[str], *, title: str | None = None
) -> Path:
    """Write :func:`timeline_page` to ``path`` atomically; returns the path."""
    return atomic_write(path, timeline_page(data, title=title))
