r"""The corridor explorer: a static page where a reader picks a pair, a scenario and a clock.

:func:`write_explorer` writes ``index.html`` and the data it loads into a folder that opens
from ``file://`` with no server and no network (or, ``self_contained=True``, one HTML file with
everything inlined). The page shows, for the chosen origin, destination, scenario and clock,
each route family's route on a Leaflet map over the offline country basemap, a table of its
P10 / P50 / P90 days and USD per TEU, CO2, borders and transshipments, the probability that
the best INSTC branch is faster than each sea family, a finding in words, and the chosen
family's time-distance profile as SVG. The choice lives in the URL hash
(``#from=NSA&to=MOW&scenario=red-sea-closed&clock=transit&family=suez``).

The data (:func:`check_explorer_data` states the rules) is a plain JSON-serialisable dict::

    {"version": 1, "title": str, "credit": str, "draws": int, "seed": int,
     "clocks": [{"name", "label"}, ...],
     "places": [{"id", "name", "aliases": [str], "country", "kind", "lat", "lon"}, ...],
     "links": {link_id: {"mode", "name", "coords": [[lon, lat], ...]}},
     "families": [{"name", "label", "instc": bool, "color": "#rrggbb" (optional)}, ...],
     "scenarios": [{"name", "title", "description", "sources": [str]}, ...],
     "routes": {route_id: {"links": [link_id], "places": [place_id], "km": float,
                           "steps": [[km_from, km_to, hours, kind, mode, label], ...]}},
     "results": {origin_id: {dest_id: {scenario_name: {
         "families": {family_name: {"route": route_id,
                                    clock_name: {"days": [p10, p50, p90],
                                                 "usd": [p10, p50, p90]}, ...,
                                    "schedule_wait_days": float, "co2_kg": float,
                                    "borders": int, "transshipments": int}},
         "best": {clock_name: family_name},
         "p_instc_faster": {clock_name: {sea_family_name: probability}}}}}}}

A family missing from ``families`` has no route. A step's ``hours`` is the step's own likely
duration; ``kind`` is one of :data:`STEP_KINDS`, ``mode`` the link mode of a move (else ``""``).
The profile drawn for the clock named :data:`WAIT_CLOCK` starts with the family's
``schedule_wait_days`` (a step of its own, "wait for the first sailing").

Numbers in the page are printed with :data:`NUMBER_FORMATS` (Python format specifications),
applied here in Python: the data files carry the printed digits as integers (tenths of a
day, whole USD, whole kg, whole percent), so the page shows exactly what
:func:`format_value` gives for the same number, and a command printing through
:func:`format_value` agrees with the page to the digit. The profile's distances and hours are
kept to 0.1 km and 0.1 h.

Layout of the folder::

    index.html             the page (title and static text; no data in the markup)
    assets/                leaflet.js, leaflet.css, images/ (xstatic-leaflet), explorer.js/.css
    data/meta.js           title, credit, clocks, places, families, scenarios, colours, origins
    data/links.js          link geometry, once per link
    data/steps.js          the profile steps, once per distinct step
    data/basemap.js        the Natural Earth country basemap
    data/origin-NNN.js     one per origin: its routes and results, loaded when first chosen

Each data file is a script that registers its payload with
``window.CORRIDORMAP_EXPLORER.push({...})`` (Chromium refuses ``fetch`` of ``file://`` URLs);
file names are numbered, never taken from the data. Every string from the data reaches the
page as JSON inside a script (``<``, ``>``, ``&``, U+2028/2029 escaped, see :func:`._html.js`)
and is put into the page as text (``textContent``), never as markup.
"""

from __future__ import annotations

import base64
import importlib
import json
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from .._atomic import OutputPathError, atomic_write
from .._errors import InputError, closest
from ._html import esc, js
from .page import countries
from .styles import BASEMAP_ATTRIBUTION, MODE_STYLES, ROUTE_COLORS

__all__ = [
    "NUMBER_FORMATS",
    "SCHEMA_VERSION",
    "STEP_KINDS",
    "WAIT_CLOCK",
    "ExplorerDataError",
    "check_explorer_data",
    "format_value",
    "write_explorer",
]

#: the version of the data schema this module reads
SCHEMA_VERSION = 1
#: kinds of a profile step: ``move`` advances distance and time, the others time only
STEP_KINDS = ("move", "dwell", "wait", "border", "canal", "transfer")
#: how the page prints each quantity (a Python format specification; percent is 100 x p)
NUMBER_FORMATS = {
    "days": ",.1f",
    "usd": ",.0f",
    "co2_kg": ",.0f",
    "percent": ".0f",
}
#: the integer the data file stores for a printed number: its digits without the point or
#: separators (the format of :data:`NUMBER_FORMATS` without the thousands separator)
_DIGITS = {"days": ".1f", "usd": ".0f", "co2_kg": ".0f", "percent": ".0f"}
#: the clock whose profile starts with the wait for the first sailing (``schedule_wait_days``)
WAIT_CLOCK = "door-to-door"
#: colour of the profile's vertical steps (borders, canals, transfers, waits)
STOP_COLOR = "#222222"
#: colour of a mode with no style in :data:`.styles.MODE_STYLES`
OTHER_MODE_COLOR = "#7f7f7f"
#: the global the data files register their payload with
REGISTRY = "CORRIDORMAP_EXPLORER"

_TOP_FIELDS = (
    "version",
    "title",
    "credit",
    "draws",
    "seed",
    "clocks",
    "places",
    "links",
    "families",
    "scenarios",
    "routes",
    "results",
)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ORIGIN_FILE = re.compile(r"^origin-\d{3,}\.js$")
#: tolerance (km) of the profile's continuity check
_KM_TOL = 0.01


class ExplorerDataError(InputError):
    """The explorer's data breaks the schema; the message names the field.

    Attributes
    ----------
    field
        Where the problem is, as a path into the data (``results['NSA']['MOW']...``).
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"explorer data: {field}: {message}")


# -- numbers --------------------------------------------------------------------------------
def format_value(quantity: str, value: float) -> str:
    """A number as the explorer prints it.

    Parameters
    ----------
    quantity
        ``"days"`` (one decimal), ``"usd"`` or ``"co2_kg"`` (whole, thousands separated) or
        ``"percent"`` (a probability, printed as a whole percent without the sign).
    value
        The number (for ``"percent"``, a probability from 0 to 1).

    Returns
    -------
    str
        ``format(value, NUMBER_FORMATS[quantity])`` (``100 * value`` for percent).
    """
    if quantity not in NUMBER_FORMATS:
        raise InputError(f"quantity must be one of {', '.join(NUMBER_FORMATS)}, got {quantity!r}")
    x = 100.0 * value if quantity == "percent" else value
    return format(x, NUMBER_FORMATS[quantity])


def _printed(quantity: str, value: float) -> int:
    """The printed digits of ``value`` as an integer (tenths of a day, whole USD ...)."""
    x = 100.0 * value if quantity == "percent" else value
    return int(format(x, _DIGITS[quantity]).replace(".", ""))


# -- validation -----------------------------------------------------------------------------
def _fail(field: str, message: str) -> ExplorerDataError:
    return ExplorerDataError(field, message)


def _key(path: str, key: Any) -> str:
    return f"{path}[{key!r}]"


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected a mapping, got {type(value).__name__}")
    for k in value:
        if not isinstance(k, str) or not k:
            raise _fail(field, f"keys must be non-empty strings, got {k!r}")
    return value


def _list(value: Any, field: str, *, min_len: int = 0) -> Sequence[Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise _fail(field, f"expected a list, got {type(value).__name__}")
    if len(value) < min_len:
        raise _fail(field, f"expected at least {min_len} item(s), got {len(value)}")
    return value


def _text(value: Any, field: str, *, empty: bool = True) -> str:
    if not isinstance(value, str):
        raise _fail(field, f"expected text, got {type(value).__name__}")
    if not empty and not value.strip():
        raise _fail(field, "must not be empty")
    return value


def _int(value: Any, field: str, *, low: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(field, f"expected a whole number, got {value!r}")
    if low is not None and value < low:
        raise _fail(field, f"expected a whole number >= {low}, got {value}")
    return value


def _number(value: Any, field: str, *, low: float | None = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, f"expected a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise _fail(field, f"expected a finite number, got {value!r}")
    if (low is not None and x < low) or (high is not None and x > high):
        raise _fail(field, f"expected a number in [{low}, {high}], got {value!r}")
    return x


def _fields(item: Mapping[str, Any], field: str, required: Iterable[str], optional=()) -> None:
    """``item`` has every required key and no key outside required + optional."""
    allowed = (*required, *optional)
    for k in required:
        if k not in item:
            raise _fail(field, f"missing field {k!r}")
    for k in item:
        if k not in allowed:
            hint = closest(str(k), allowed)
            tip = f"; did you mean {hint[0]!r}?" if hint else f" (fields: {', '.join(allowed)})"
            raise _fail(field, f"unknown field {k!r}{tip}")


def _known(name: Any, known: Collection[str], field: str, what: str) -> str:
    if not isinstance(name, str) or name not in known:
        hint = closest(str(name), list(known))
        tip = f"; did you mean {hint[0]!r}?" if hint else ""
        raise _fail(field, f"no {what} {name!r}{tip}")
    return name


def _unique_names(items: Sequence[Any], field: str, key: str) -> list[str]:
    names: list[str] = []
    for i, item in enumerate(items):
        name = _text(_mapping(item, f"{field}[{i}]").get(key), f"{field}[{i}].{key}", empty=False)
        if name in names:
            raise _fail(f"{field}[{i}].{key}", f"duplicate {key} {name!r}")
        names.append(name)
    return names


def _check_header(data: Mapping[str, Any]) -> None:
    _fields(data, "data", _TOP_FIELDS)
    if _int(data["version"], "version") != SCHEMA_VERSION:
        raise _fail("version", f"this writer reads version {SCHEMA_VERSION}, got {data['version']}")
    _text(data["title"], "title", empty=False)
    _text(data["credit"], "credit")
    _int(data["draws"], "draws", low=1)
    _int(data["seed"], "seed", low=None)


def _check_clocks(data: Mapping[str, Any]) -> list[str]:
    clocks = _list(data["clocks"], "clocks", min_len=1)
    names = _unique_names(clocks, "clocks", "name")
    for i, c in enumerate(clocks):
        _fields(c, f"clocks[{i}]", ("name", "label"))
        _text(c["label"], f"clocks[{i}].label", empty=False)
    for name in names:
        if name in ("route", "schedule_wait_days", "co2_kg", "borders", "transshipments"):
            raise _fail("clocks", f"a clock cannot be named {name!r} (a family record's field)")
    return names


def _check_places(data: Mapping[str, Any]) -> list[str]:
    places = _list(data["places"], "places", min_len=2)
    ids = _unique_names(places, "places", "id")
    for i, p in enumerate(places):
        f = f"places[{i}]"
        _fields(p, f, ("id", "name", "aliases", "country", "kind", "lat", "lon"))
        _text(p["name"], f"{f}.name", empty=False)
        for j, a in enumerate(_list(p["aliases"], f"{f}.aliases")):
            _text(a, f"{f}.aliases[{j}]", empty=False)
        _text(p["country"], f"{f}.country")
        _text(p["kind"], f"{f}.kind")
        _number(p["lat"], f"{f}.lat", low=-90, high=90)
        _number(p["lon"], f"{f}.lon", low=-180, high=180)
    return ids


def _check_links(data: Mapping[str, Any]) -> None:
    for lid, link in _mapping(data["links"], "links").items():
        f = _key("links", lid)
        _fields(_mapping(link, f), f, ("mode", "name", "coords"))
        _text(link["mode"], f"{f}.mode", empty=False)
        _text(link["name"], f"{f}.name")
        for j, pt in enumerate(_list(link["coords"], f"{f}.coords", min_len=2)):
            g = f"{f}.coords[{j}]"
            if len(_list(pt, g)) != 2:
                raise _fail(g, f"expected [lon, lat], got {pt!r}")
            _number(pt[0], g, low=-180, high=180)
            _number(pt[1], g, low=-90, high=90)


def _check_families(data: Mapping[str, Any]) -> list[str]:
    fams = _list(data["families"], "families", min_len=1)
    names = _unique_names(fams, "families", "name")
    for i, fam in enumerate(fams):
        f = f"families[{i}]"
        _fields(fam, f, ("name", "label", "instc"), ("color",))
        _text(fam["label"], f"{f}.label", empty=False)
        if not isinstance(fam["instc"], bool):
            raise _fail(f"{f}.instc", f"expected true or false, got {fam['instc']!r}")
        if "color" in fam and not _COLOR.match(str(fam["color"])):
            raise _fail(f"{f}.color", f"expected a colour '#rrggbb', got {fam['color']!r}")
    return names


def _check_scenarios(data: Mapping[str, Any]) -> list[str]:
    scen = _list(data["scenarios"], "scenarios", min_len=1)
    names = _unique_names(scen, "scenarios", "name")
    for i, s in enumerate(scen):
        f = f"scenarios[{i}]"
        _fields(s, f, ("name", "title", "description", "sources"))
        _text(s["title"], f"{f}.title", empty=False)
        _text(s["description"], f"{f}.description")
        for j, src in enumerate(_list(s["sources"], f"{f}.sources")):
            _text(src, f"{f}.sources[{j}]", empty=False)
    return names


def _plain(x: Any) -> bool:
    """A finite, non-negative int or float (not a bool): the common case, checked fast."""
    return type(x) in (int, float) and 0 <= x < math.inf


def _check_steps(steps: Any, f: str) -> None:
    previous = 0.0
    for j, step in enumerate(_list(steps, f, min_len=1)):
        if (
            type(step) is list
            and len(step) == 6
            and _plain(step[0])
            and _plain(step[1])
            and _plain(step[2])
            and step[3] in STEP_KINDS
            and type(step[4]) is str
            and type(step[5]) is str
            and step[0] <= step[1]
            and abs(step[0] - previous) <= _KM_TOL + 1e-9 * previous
        ):
            previous = step[1]
            continue
        previous = _check_step(step, f"{f}[{j}]", j, previous)


def _check_step(step: Any, g: str, j: int, previous: float) -> float:
    """One step checked field by field (the slow path: it names what is wrong)."""
    if len(_list(step, g)) != 6:
        raise _fail(g, "expected [km_from, km_to, hours, kind, mode, label]")
    km_from = _number(step[0], f"{g}[0] (km_from)")
    km_to = _number(step[1], f"{g}[1] (km_to)")
    _number(step[2], f"{g}[2] (hours)")
    if step[3] not in STEP_KINDS:
        raise _fail(f"{g}[3] (kind)", f"expected one of {', '.join(STEP_KINDS)}, got {step[3]!r}")
    _text(step[4], f"{g}[4] (mode)")
    _text(step[5], f"{g}[5] (label)")
    if km_to < km_from:
        raise _fail(g, f"km_to {km_to} is before km_from {km_from}")
    if abs(km_from - previous) > _KM_TOL + 1e-9 * previous:
        where = "km 0" if j == 0 else f"the previous step's km_to {previous}"
        raise _fail(g, f"km_from {km_from} does not continue from {where}")
    return km_to


def _check_routes(data: Mapping[str, Any], place_ids: set[str]) -> None:
    links = data["links"]
    for rid, route in _mapping(data["routes"], "routes").items():
        f = _key("routes", rid)
        _fields(_mapping(route, f), f, ("links", "places", "km", "steps"))
        for j, lid in enumerate(_list(route["links"], f"{f}.links", min_len=1)):
            _known(lid, links, f"{f}.links[{j}]", "link")
        for j, pid in enumerate(_list(route["places"], f"{f}.places")):
            _known(pid, place_ids, f"{f}.places[{j}]", "place")
        _number(route["km"], f"{f}.km")
        _check_steps(route["steps"], f"{f}.steps")


def _check_percentiles(value: Any, field: str) -> None:
    fast = type(value) is list and len(value) == 3 and all(_plain(v) for v in value)
    if fast and value[0] <= value[1] <= value[2]:
        return
    if len(_list(value, field)) != 3:
        raise _fail(field, f"expected [p10, p50, p90], got {value!r}")
    p10, p50, p90 = (_number(v, f"{field}[{i}]") for i, v in enumerate(value))
    if not p10 <= p50 <= p90:
        raise _fail(field, f"expected p10 <= p50 <= p90, got {list(value)!r}")


def _check_record(rec: Any, f: str, clocks: list[str], routes: Mapping[str, Any]) -> None:
    _fields(
        _mapping(rec, f),
        f,
        ("route", *clocks, "schedule_wait_days", "co2_kg", "borders", "transshipments"),
    )
    _known(rec["route"], routes, f"{f}.route", "route")
    for c in clocks:
        g = _key(f, c)
        _fields(_mapping(rec[c], g), g, ("days", "usd"))
        _check_percentiles(rec[c]["days"], f"{g}.days")
        _check_percentiles(rec[c]["usd"], f"{g}.usd")
    _number(rec["schedule_wait_days"], f"{f}.schedule_wait_days")
    _number(rec["co2_kg"], f"{f}.co2_kg")
    _int(rec["borders"], f"{f}.borders")
    _int(rec["transshipments"], f"{f}.transshipments")


def _check_cell(cell: Any, f: str, ctx: Mapping[str, Any]) -> None:
    _fields(_mapping(cell, f), f, ("families", "best", "p_instc_faster"))
    fams = _mapping(cell["families"], f"{f}.families")
    for name, rec in fams.items():
        g = _key(f"{f}.families", name)
        _known(name, ctx["families"], g, "family")
        _check_record(rec, g, ctx["clocks"], ctx["routes"])
    best = _mapping(cell["best"], f"{f}.best")
    for c, name in best.items():
        _known(c, ctx["clocks"], _key(f"{f}.best", c), "clock")
        _known(name, fams, _key(f"{f}.best", c), "family with a route here")
    if fams and set(best) != set(ctx["clocks"]):
        raise _fail(f"{f}.best", f"expected a family for every clock ({', '.join(ctx['clocks'])})")
    pif = _mapping(cell["p_instc_faster"], f"{f}.p_instc_faster")
    for c, by_sea in pif.items():
        g = _key(f"{f}.p_instc_faster", c)
        _known(c, ctx["clocks"], g, "clock")
        for sea, p in _mapping(by_sea, g).items():
            _known(sea, ctx["sea"], _key(g, sea), "sea family")
            _number(p, _key(g, sea), high=1.0)


def _check_results(data: Mapping[str, Any], ctx: Mapping[str, Any]) -> None:
    results = _mapping(data["results"], "results")
    if not results:
        raise _fail("results", "expected at least one origin")
    for o, by_dest in results.items():
        f = _key("results", o)
        _known(o, ctx["places"], f, "place")
        for d, by_scen in _mapping(by_dest, f).items():
            g = _key(f, d)
            _known(d, ctx["places"], g, "place")
            if d == o:
                raise _fail(g, "the destination is the origin")
            for s, cell in _mapping(by_scen, g).items():
                _known(s, ctx["scenarios"], _key(g, s), "scenario")
                _check_cell(cell, _key(g, s), ctx)


def check_explorer_data(data: Mapping[str, Any]) -> None:
    """Check the explorer's data against the schema (see the module docstring).

    The rules: every field of the schema is there and no other (an unknown field suggests the
    nearest name); text fields are strings (names, labels and titles not empty); ids and
    names are unique; numbers are finite, and distances, times, costs, CO2, counts and
    probabilities are not negative (probabilities at most 1); ``lat``/``lon`` are in range;
    a colour is ``#rrggbb``; a route's links and places, a result's origin, destination,
    scenario, family and route, ``best`` and ``p_instc_faster`` name things that exist (``best``
    a family with a route there, one per clock whenever any family has a route;
    ``p_instc_faster`` sea families, ``instc`` false); percentiles are ``[p10, p50, p90]`` in
    order; a route's steps are ``[km_from, km_to, hours, kind, mode, label]`` with ``kind`` in
    :data:`STEP_KINDS`, forming one continuous profile from km 0 (each ``km_from`` is the
    previous ``km_to``, within 0.01 km); a destination is never its origin.

    Parameters
    ----------
    data
        The explorer's data.

    Raises
    ------
    ExplorerDataError
        At the first rule broken, naming the field (``results['NSA']['MOW']['baseline']
        .families['suez']['transit'].days``) and what was expected.
    """
    _check_header(_mapping(data, "data"))
    clocks = _check_clocks(data)
    place_ids = _check_places(data)
    _check_links(data)
    families = _check_families(data)
    scenarios = _check_scenarios(data)
    _check_routes(data, set(place_ids))
    ctx = {
        "clocks": clocks,
        "places": set(place_ids),
        "families": families,
        "sea": [f["name"] for f in data["families"] if not f["instc"]],
        "scenarios": scenarios,
        "routes": data["routes"],
    }
    _check_results(data, ctx)


# -- encoding -------------------------------------------------------------------------------
class _Table:
    """Distinct values in order of first use; each value's index."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.items: list[Any] = []

    def add(self, value: Any) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            self.items.append(value)
        return i


class _Prefixes:
    """Sequences stored against the earlier one sharing the longest prefix (a trie)."""

    def __init__(self) -> None:
        self.root: dict[Any, Any] = {}

    def encode(self, seq: Sequence[int], owner: int) -> list[int]:
        """``[base, n, *rest]``: the first ``n`` items of route ``base``, then ``rest``."""
        node, n, base = self.root, 0, -1
        while n < len(seq) and seq[n] in node:
            base, node = node[seq[n]]
            n += 1
        if n < 2:  # not worth a reference
            base, n = -1, 0
        node = self.root
        for i, item in enumerate(seq):
            if item not in node:
                node[item] = (owner, {})
            node = node[item][1]
            del i
        return [base, n, *seq[n:]]


def _tenth(x: float) -> float:
    return round(float(x), 1)


def _coords(coords: Sequence[Sequence[float]]) -> list[int]:
    """``[lon0, lat0, dlon1, dlat1, ...]`` in 1e-4 degrees."""
    out: list[int] = []
    px = py = 0
    for lon, lat in coords:
        x, y = round(float(lon) * 1e4), round(float(lat) * 1e4)
        out += [x - px, y - py]
        px, py = x, y
    return out


def _percentile_ints(q: Mapping[str, Sequence[float]]) -> list[int]:
    """Days and USD as ``[p50, p50 - p10, p90 - p50]`` each, in printed digits."""
    out = []
    for quantity, key in (("days", "days"), ("usd", "usd")):
        p10, p50, p90 = (_printed(quantity, v) for v in q[key])
        out += [p50, p50 - p10, p90 - p50]
    return out


def _record(rec: Mapping[str, Any], clocks: list[str], route: int) -> tuple[int, ...]:
    """A family's figures as integers (see ``decodeRecord`` in explorer.js)."""
    first = _percentile_ints(rec[clocks[0]])
    out = [route, *first]
    for c in clocks[1:]:
        out += [v - b for v, b in zip(_percentile_ints(rec[c]), first, strict=True)]
    out += [
        _printed("days", rec["schedule_wait_days"]),
        _printed("co2_kg", rec["co2_kg"]),
        int(rec["borders"]),
        int(rec["transshipments"]),
    ]
    return tuple(out)


class _Encoder:
    """The data as the page's payloads: tables of links, steps, and one payload per origin."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.clocks = [c["name"] for c in data["clocks"]]
        self.places = {p["id"]: i for i, p in enumerate(data["places"])}
        self.families = [f["name"] for f in data["families"]]
        self.sea = [f["name"] for f in data["families"] if not f["instc"]]
        self.scenarios = [s["name"] for s in data["scenarios"]]
        self.modes = _Table()
        self.links = _Table()
        self.steps = _Table()

    def _route(self, rid: str, routes: _Table, prefixes: dict[str, _Prefixes]) -> int:
        """The route's index in this origin's table, encoding it on first use."""
        if rid in routes.index:
            return routes.index[rid]
        r = self.data["routes"][rid]
        i = routes.add(rid)
        links = [self.links.add(lid) for lid in r["links"]]
        places = [self.places[p] for p in r["places"]]
        steps = []
        for km_from, km_to, hours, kind, mode, label in r["steps"]:
            m = self.modes.add(mode) if mode else -1
            step = (_tenth(km_to - km_from), _tenth(hours), STEP_KINDS.index(kind), m, label)
            steps.append(self.steps.add(step))
        routes.items[i] = [
            _tenth(r["km"]),
            prefixes["links"].encode(links, i),
            prefixes["places"].encode(places, i),
            prefixes["steps"].encode(steps, i),
        ]
        return i

    def _cell(self, cell: Mapping[str, Any], routes: _Table, prefixes, records: _Table) -> list:
        fams = cell["families"]
        recs = []
        for name in self.families:
            if name in fams:
                route = self._route(fams[name]["route"], routes, prefixes)
                recs.append(records.add(_record(fams[name], self.clocks, route)))
            else:
                recs.append(-1)
        best = [
            self.families.index(cell["best"][c]) if c in cell["best"] else -1 for c in self.clocks
        ]
        p = [
            [
                _printed("percent", cell["p_instc_faster"][c][s])
                if s in cell["p_instc_faster"].get(c, {})
                else -1
                for s in self.sea
            ]
            for c in self.clocks
        ]
        return [recs, best, p]

    def origin(self, origin: str) -> dict[str, Any]:
        """One origin's payload: its routes, distinct records and cells, by destination."""
        routes, records, cells = _Table(), _Table(), _Table()
        prefixes = {k: _Prefixes() for k in ("links", "places", "steps")}
        dests = {}
        for dest, by_scen in self.data["results"][origin].items():
            row = []
            for s in self.scenarios:
                if s in by_scen:
                    enc = self._cell(by_scen[s], routes, prefixes, records)
                    row.append(cells.add(json.dumps(enc)))
                else:
                    row.append(-1)
            dests[dest] = row
        return {
            "type": "origin",
            "origin": origin,
            "routes": routes.items,
            "records": [list(r) for r in records.items],
            "cells": [json.loads(c) for c in cells.items],
            "dests": dests,
        }

    def meta(self, files: Mapping[str, str]) -> dict[str, Any]:
        """Everything the first view needs but the results, routes and geometry."""
        data = self.data
        families = []
        for i, f in enumerate(data["families"]):
            color = f.get("color") or ROUTE_COLORS[i % len(ROUTE_COLORS)]
            families.append({**{k: f[k] for k in ("name", "label", "instc")}, "color": color})
        modes = []
        for m in self.modes.items:
            style = MODE_STYLES.get(m, {})
            modes.append([m, style.get("color", OTHER_MODE_COLOR), style.get("label", m)])
        return {
            "type": "meta",
            "version": SCHEMA_VERSION,
            "title": data["title"],
            "credit": data["credit"],
            "draws": data["draws"],
            "seed": data["seed"],
            "clocks": [{"name": c["name"], "label": c["label"]} for c in data["clocks"]],
            "places": [
                [
                    *(p["id"], p["name"], list(p["aliases"]), p["country"], p["kind"]),
                    *(round(float(p["lat"]), 4), round(float(p["lon"]), 4)),
                ]
                for p in data["places"]
            ],
            "families": families,
            "scenarios": [
                {k: s[k] for k in ("name", "title", "description")} | {"sources": s["sources"]}
                for s in data["scenarios"]
            ],
            "modes": modes,
            "stepKinds": list(STEP_KINDS),
            "stopColor": STOP_COLOR,
            "waitClock": WAIT_CLOCK,
            "basemapCredit": BASEMAP_ATTRIBUTION,
            "origins": [
                [o, files[o], [self.places[d] for d in data["results"][o]]] for o in data["results"]
            ],
        }

    def link_payload(self) -> dict[str, Any]:
        """The geometry of every link a route uses, in the order the routes refer to them."""
        links = self.data["links"]
        rows = []
        for lid in self.links.items:
            link = links[lid]
            mode = link["mode"]
            rows.append([lid, self.modes.add(mode), link["name"], _coords(link["coords"])])
        return {"type": "links", "links": rows}

    def step_payload(self) -> dict[str, Any]:
        """Every distinct step: ``[km, hours, kind, mode, label]`` (kind and mode as indices)."""
        return {"type": "steps", "steps": [list(s) for s in self.steps.items]}


def _basemap_payload() -> dict[str, Any]:
    import html

    base = countries()
    labels = [[lat, lon, html.unescape(name)] for lat, lon, name in base["labels"]]
    return {
        "type": "basemap",
        "countries": [f["geometry"]["coordinates"] for f in base["countries"]["features"]],
        "mask": base["mask"],
        "labels": labels,
    }


def _payloads(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every data file's payload by file name (origins first: they fill the link table)."""
    enc = _Encoder(data)
    files = {o: f"origin-{i:03d}.js" for i, o in enumerate(data["results"])}
    out: dict[str, dict[str, Any]] = {files[o]: enc.origin(o) for o in data["results"]}
    links = enc.link_payload()  # before meta: link modes join the mode table
    return {
        "meta.js": enc.meta(files),
        "links.js": links,
        "steps.js": enc.step_payload(),
        "basemap.js": _basemap_payload(),
        **out,
    }


# -- the page -------------------------------------------------------------------------------
def _asset_text(name: str) -> str:
    return (
        resources.files("corridormap.render")
        .joinpath("explorer_assets", name)
        .read_text(encoding="utf-8")
    )


def _leaflet_dir() -> Path:
    return Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR)


def _register(payload: Mapping[str, Any]) -> str:
    """The script text registering a payload (safe inside a ``<script>`` element)."""
    return f"(window.{REGISTRY}=window.{REGISTRY}||[]).push({js(payload)});\n"


def _without_source_map(text: str) -> str:
    return re.sub(r"//# sourceMappingURL=\S+", "", text)


def _inline_leaflet_css() -> str:
    folder = _leaflet_dir()

    def data_uri(match: re.Match[str]) -> str:
        body = (folder / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(body).decode('ascii')})"

    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
<div class="cx-app" id="cx-app">
<header class="cx-head">
<h1 id="cx-title">{title}</h1>
<form class="cx-controls" id="cx-controls" autocomplete="off">
<div class="cx-field"><label for="cx-from">From</label>
<input id="cx-from" list="cx-from-list" spellcheck="false" aria-describedby="cx-from-note">
<datalist id="cx-from-list"></datalist><span class="cx-note" id="cx-from-note"></span></div>
<div class="cx-field"><label for="cx-to">To</label>
<input id="cx-to" list="cx-to-list" spellcheck="false" aria-describedby="cx-to-note">
<datalist id="cx-to-list"></datalist><span class="cx-note" id="cx-to-note"></span></div>
<div class="cx-field"><label for="cx-scenario">Scenario</label>
<select id="cx-scenario"></select></div>
<fieldset class="cx-field cx-clock" id="cx-clock"><legend>Clock</legend></fieldset>
</form>
<p class="cx-finding" id="cx-finding" role="status" aria-live="polite"></p>
</header>
<main class="cx-main">
<div class="cx-mapbox"><div id="cx-map" class="cx-map" role="region"
 aria-label="Map of the routes"></div><div id="cx-legend" class="cx-legend"></div></div>
<section class="cx-panel">
<div class="cx-tablebox" id="cx-tablebox"><table class="cx-table" id="cx-table">
<caption id="cx-caption"></caption><thead id="cx-thead"></thead><tbody id="cx-tbody"></tbody>
</table></div>
<div class="cx-profilebox"><h2 id="cx-profile-title">Time–distance profile</h2>
<div id="cx-profile" class="cx-profile"></div><p class="cx-small" id="cx-profile-note"></p></div>
<div class="cx-scenario-box"><h2 id="cx-scenario-title"></h2>
<p id="cx-scenario-description"></p><ul id="cx-sources" class="cx-sources"></ul></div>
</section>
</main>
<footer class="cx-foot"><p id="cx-credit">{credit}</p><p class="cx-small" id="cx-mapcredit"></p>
</footer>
</div>
<noscript><p>This explorer needs JavaScript.</p></noscript>
{body}
</body>
</html>
"""


def _page(data: Mapping[str, Any], head: str, body: str) -> str:
    return _PAGE.format(title=esc(data["title"]), credit=esc(data["credit"]), head=head, body=body)


def _folder_page(data: Mapping[str, Any]) -> str:
    head = (
        '<link rel="stylesheet" href="assets/leaflet.css">\n'
        '<link rel="stylesheet" href="assets/explorer.css">'
    )
    scripts = ["assets/leaflet.js"]
    scripts += [f"data/{n}" for n in ("meta.js", "links.js", "steps.js", "basemap.js")]
    scripts.append("assets/explorer.js")
    body = "\n".join(f'<script src="{s}"></script>' for s in scripts)
    return _page(data, head, body)


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _self_contained_page(data: Mapping[str, Any], payloads: Mapping[str, Any]) -> str:
    css = _inline_leaflet_css() + "\n" + _asset_text("explorer.css")
    head = f"<style>{css}</style>"
    leaflet = _without_source_map((_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))
    parts = [_script(leaflet)]
    for name, payload in payloads.items():
        if _ORIGIN_FILE.match(name):  # parsed when first chosen
            parts.append(
                f'<script type="application/json" id="cx-data-{name[:-3]}">{js(payload)}</script>'
            )
        else:
            parts.append(_script(_register(payload)))
    parts.append(_script(_asset_text("explorer.js")))
    return _page(data, head, "\n".join(parts))


def _out_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"cannot write the explorer into {out}: it is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _write_assets(out: Path) -> None:
    assets, leaflet = out / "assets", _leaflet_dir()
    atomic_write(assets / "leaflet.js", _without_source_map((leaflet / "leaflet.js").read_text()))
    atomic_write(assets / "leaflet.css", (leaflet / "leaflet.css").read_bytes())
    for png in sorted((leaflet / "images").glob("*.png")):
        atomic_write(assets / "images" / png.name, png.read_bytes())
    for name in ("explorer.js", "explorer.css"):
        atomic_write(assets / name, _asset_text(name))


def _remove_stale_origins(folder: Path, keep: Iterable[str]) -> None:
    """Origin files of an earlier build that this one does not have."""
    kept = set(keep)
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if _ORIGIN_FILE.match(path.name) and path.name not in kept and path.is_file():
            path.unlink()


def write_explorer(
    data: Mapping[str, Any], out_dir: str | Path, *, self_contained: bool = False
) -> Path:
    """Write the explorer: ``out_dir/index.html`` and the data it loads from beside it.

    Every file is written atomically; ``index.html`` last, so a reader of the folder never
    finds a page pointing at files not yet there. Origin files of an earlier build into the
    same folder that this build lacks are removed.

    Parameters
    ----------
    data
        The explorer's data (the schema is in the module docstring; checked first by
        :func:`check_explorer_data`). Not modified.
    out_dir
        The folder to write (created if needed).
    self_contained
        Write one file, ``out_dir/index.html``, with Leaflet, the style sheet, the script and
        all the data inlined (each origin's data parsed only when the origin is chosen).

    Returns
    -------
    pathlib.Path
        The page, ``out_dir/index.html``.

    Raises
    ------
    ExplorerDataError
        If the data breaks the schema (the message names the field).
    OutputPathError
        If ``out_dir`` is a file, or a file to write is not a regular file.
    """
    check_explorer_data(data)
    out = _out_dir(out_dir)
    payloads = _payloads(data)
    index = out / "index.html"
    if self_contained:
        return atomic_write(index, _self_contained_page(data, payloads))
    _write_assets(out)
    for name, payload in payloads.items():
        atomic_write(out / "data" / name, _register(payload))
    atomic_write(index, _folder_page(data))
    _remove_stale_origins(out / "data", (n for n in payloads if _ORIGIN_FILE.match(n)))
    return index
