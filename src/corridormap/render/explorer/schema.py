"""The explorer's data checked against its schema, every error naming the field.

:func:`check_explorer_data` states the rules; the schema itself is in the docstring of
:mod:`corridormap.render.explorer`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from ..._errors import InputError, closest

__all__ = ["SCHEMA_VERSION", "STEP_KINDS", "ExplorerDataError", "check_explorer_data"]

#: the version of the data schema this package reads
SCHEMA_VERSION = 2
#: kinds of a profile step: ``move`` advances distance and time, the others time only
STEP_KINDS = ("move", "dwell", "wait", "border", "canal", "transfer")

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


def _check_figures(value: Any, field: str) -> None:
    """``[expected, p10, p50, p90]``: not negative, the percentiles in order."""
    fast = type(value) is list and len(value) == 4 and all(_plain(v) for v in value)
    if fast and value[1] <= value[2] <= value[3]:
        return
    if len(_list(value, field)) != 4:
        raise _fail(field, f"expected [expected, p10, p50, p90], got {value!r}")
    _, p10, p50, p90 = (_number(v, f"{field}[{i}]") for i, v in enumerate(value))
    if not p10 <= p50 <= p90:
        raise _fail(field, f"expected p10 <= p50 <= p90, got {list(value)!r}")


#: the fields of a family's record on one clock
RECORD_FIELDS = (
    "route",
    "days",
    "usd",
    "schedule_wait_days",
    "co2_kg",
    "borders",
    "transshipments",
)


def _check_record(rec: Any, f: str, clocks: list[str], routes: Mapping[str, Any]) -> None:
    _fields(_mapping(rec, f), f, clocks)
    for c in clocks:
        g = _key(f, c)
        r = rec[c]
        _fields(_mapping(r, g), g, RECORD_FIELDS)
        _known(r["route"], routes, f"{g}.route", "route")
        _check_figures(r["days"], f"{g}.days")
        _check_figures(r["usd"], f"{g}.usd")
        _number(r["schedule_wait_days"], f"{g}.schedule_wait_days")
        _number(r["co2_kg"], f"{g}.co2_kg")
        _int(r["borders"], f"{g}.borders")
        _int(r["transshipments"], f"{g}.transshipments")


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
    """Check the explorer's data against the schema (:mod:`corridormap.render.explorer`).

    The rules: every field of the schema is there and no other (an unknown field suggests the
    nearest name); text fields are strings (names, labels and titles not empty); ids and
    names are unique; numbers are finite, and distances, times, costs, CO2, counts and
    probabilities are not negative (probabilities at most 1); ``lat``/``lon`` are in range;
    a colour is ``#rrggbb``; a route's links and places, a result's origin, destination,
    scenario, family and route, ``best`` and ``p_instc_faster`` name things that exist (``best``
    a family with a route there, one per clock whenever any family has a route;
    ``p_instc_faster`` sea families, ``instc`` false); a family has a record on every clock;
    days and USD are ``[expected, p10, p50, p90]``, the percentiles in order; a route's steps
    are ``[km_from, km_to, hours, kind, mode, label]`` with ``kind`` in :data:`STEP_KINDS`,
    forming one continuous profile from km 0 (each ``km_from`` is the
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
