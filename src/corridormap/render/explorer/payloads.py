"""The explorer's data as the page's payloads, numbers as the digits the page prints.

:func:`payloads` turns the checked data into the files' payloads: ``meta`` (everything the
first view needs but results and geometry), ``links`` (each link's geometry once), ``steps``
(each distinct profile step once), ``basemap`` and one payload per origin (its routes, the
distinct family records and the cells by destination and scenario). Routes from one origin
are stored against the earlier route sharing the longest prefix of links, places and steps.

Numbers the page prints are stored as the integers of their printed digits
(:func:`printed_digits`), so the page shows exactly what :func:`format_value` gives. Lists of
integers are packed into short strings (:func:`pack_ints`). An origin's payload::

    {"type": "origin", "origin": id,
     "routes": [[km, links, places, steps], ...],  # each list packed as [base, n, *rest]:
                                                   # route base's first n items, then rest
     "records": [packed record, ...],               # see _record and _block
     "cells": [packed [record per family (-1: no route), best family per clock,
                       P(INSTC faster) in percent per clock and sea family (-1: none)], ...],
     "dests": {dest_id: packed [cell per scenario (-1: none)]}}
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..._errors import InputError
from ..charts import COLOURS as FAMILY_COLOURS
from ..page import countries
from ..styles import BASEMAP_ATTRIBUTION, MODE_STYLES, ROUTE_COLORS
from .schema import SCHEMA_VERSION, STEP_KINDS

__all__ = [
    "BLOCK",
    "NUMBER_FORMATS",
    "ORIGIN_FILE",
    "OTHER_MODE_COLOR",
    "PACK_ALPHABET",
    "STOP_COLOR",
    "WAIT_CLOCK",
    "format_value",
    "origin_file",
    "pack_ints",
    "payloads",
    "printed_digits",
    "unpack_ints",
]

#: how the page prints each quantity (a Python format specification; a probability is
#: printed with two decimals, as ``corridormap compare`` prints it, and read as a percent)
NUMBER_FORMATS = {
    "days": ",.1f",
    "usd": ",.0f",
    "co2_kg": ",.0f",
    "percent": ".2f",
}
#: the integer the data file stores for a printed number: its digits without the point or
#: separators (the format of :data:`NUMBER_FORMATS` without the thousands separator)
_DIGITS = {"days": ".1f", "usd": ".0f", "co2_kg": ".0f", "percent": ".2f"}
#: the clock whose profile starts with the wait for the first sailing (``schedule_wait_days``)
WAIT_CLOCK = "door-to-door"
#: colour of the profile's vertical steps (borders, canals, transfers, waits): apart from
#: every mode's colour in :data:`.styles.MODE_STYLES` (rail is near black there)
STOP_COLOR = "#c2185b"
#: colour of a mode with no style in :data:`.styles.MODE_STYLES`
OTHER_MODE_COLOR = "#7f7f7f"
#: an origin's data file: numbered, never named after the data
ORIGIN_FILE = re.compile(r"^origin-\d{3,}\.js$")


def origin_file(i: int) -> str:
    """The data file of the ``i``-th origin (numbered: a name from data is never a path)."""
    return f"origin-{i:03d}.js"


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
        ``format(value, NUMBER_FORMATS[quantity])``; for a percent, the two decimals of
        ``format(value, ".2f")`` read as a whole percent (0.665 gives "0.67", so "67"), the
        digits ``corridormap compare`` prints.
    """
    if quantity not in NUMBER_FORMATS:
        raise InputError(f"quantity must be one of {', '.join(NUMBER_FORMATS)}, got {quantity!r}")
    if quantity == "percent":
        return str(printed_digits("percent", value))
    return format(value, NUMBER_FORMATS[quantity])


def printed_digits(quantity: str, value: float) -> int:
    """The printed digits of ``value`` as an integer (tenths of a day, whole USD ...).

    The page prints the integer back with the point and thousands separators, giving the same
    text as :func:`format_value` (a probability's two decimals are its whole percent).
    """
    return int(format(value, _DIGITS[quantity]).replace(".", ""))


# -- packed integers ----------------------------------------------------------------------
#: the digits of packed integers: the first 32 end a number, the last 32 continue it
PACK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_PACK_INDEX = {c: i for i, c in enumerate(PACK_ALPHABET)}


def pack_ints(values: Iterable[int]) -> str:
    """Integers as one short string (decoded by ``unpack`` in ``assets/explorer.js``).

    Each integer is zigzagged (0, -1, 1, -2 ... become 0, 1, 2, 3 ...) and written in base 32,
    least significant digit first: every digit but the last is a character from the second
    half of :data:`PACK_ALPHABET`. 0-15 take one character, up to 511 two, up to 16,383
    three. The alphabet needs no escaping in JSON, HTML or a URL.
    """
    out = []
    for n in values:
        z = 2 * n if n >= 0 else -2 * n - 1
        while z >= 32:
            out.append(PACK_ALPHABET[32 + (z & 31)])
            z >>= 5
        out.append(PACK_ALPHABET[z])
    return "".join(out)


def unpack_ints(text: str) -> list[int]:
    """The integers of :func:`pack_ints`."""
    out, acc, shift = [], 0, 0
    for c in text:
        v = _PACK_INDEX[c]
        if v >= 32:
            acc += (v - 32) << shift
            shift += 5
            continue
        z = acc + (v << shift)
        out.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
        acc, shift = 0, 0
    return out


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


#: integers per clock in a family's record (see :func:`_block`)
BLOCK = 13


def _block(r: Mapping[str, Any], route: int) -> list[int]:
    """A family's figures on one clock as :data:`BLOCK` integers, in printed digits.

    ``[route, days p50, p50 - p10, p90 - p50, expected - p50, usd p50, p50 - p10,
    p90 - p50, expected - p50, wait, co2, borders, transshipments]``.
    """
    out = [route]
    for quantity in ("days", "usd"):
        e, p10, p50, p90 = (printed_digits(quantity, v) for v in r[quantity])
        out += [p50, p50 - p10, p90 - p50, e - p50]
    out += [
        printed_digits("days", r["schedule_wait_days"]),
        printed_digits("co2_kg", r["co2_kg"]),
        int(r["borders"]),
        int(r["transshipments"]),
    ]
    return out


def _record(blocks: Sequence[Sequence[int]]) -> tuple[int, ...]:
    """A family's figures on every clock (decoded by ``figures`` in ``assets/explorer.js``).

    The first clock's block (:func:`_block`), then each other clock's block less the first,
    item by item (mostly zeros: the clocks share their route and cost).
    """
    first = blocks[0]
    out = list(first)
    for b in blocks[1:]:
        out += [v - f for v, f in zip(b, first, strict=True)]
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
            pack_ints(prefixes["links"].encode(links, i)),
            pack_ints(prefixes["places"].encode(places, i)),
            pack_ints(prefixes["steps"].encode(steps, i)),
        ]
        return i

    def _cell(self, cell: Mapping[str, Any], routes: _Table, prefixes, records: _Table) -> list:
        fams = cell["families"]
        recs = []
        for name in self.families:
            if name in fams:
                blocks = [
                    _block(fams[name][c], self._route(fams[name][c]["route"], routes, prefixes))
                    for c in self.clocks
                ]
                recs.append(records.add(_record(blocks)))
            else:
                recs.append(-1)
        best = [
            self.families.index(cell["best"][c]) if c in cell["best"] else -1 for c in self.clocks
        ]
        p = [
            [
                printed_digits("percent", cell["p_instc_faster"][c][s])
                if s in cell["p_instc_faster"].get(c, {})
                else -1
                for s in self.sea
            ]
            for c in self.clocks
        ]
        return [*recs, *best, *(v for row in p for v in row)]

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
                    row.append(cells.add(pack_ints(enc)))
                else:
                    row.append(-1)
            dests[dest] = pack_ints(row)
        return {
            "type": "origin",
            "origin": origin,
            "routes": routes.items,
            "records": [pack_ints(r) for r in records.items],
            "cells": cells.items,
            "dests": dests,
        }

    def meta(self, files: Mapping[str, str]) -> dict[str, Any]:
        """Everything the first view needs but the results, routes and geometry."""
        data = self.data
        families = []
        for i, f in enumerate(data["families"]):
            color = (
                f.get("color")
                or FAMILY_COLOURS.get(f["name"])
                or ROUTE_COLORS[i % len(ROUTE_COLORS)]
            )
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
            "block": BLOCK,
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
            coords = pack_ints(_coords(link["coords"]))
            rows.append([lid, self.modes.add(link["mode"]), link["name"], coords])
        return {"type": "links", "links": rows}

    def step_payload(self) -> dict[str, Any]:
        """Every distinct step: ``[km, hours, kind, mode, label]`` (kind and mode as indices)."""
        return {"type": "steps", "steps": [list(s) for s in self.steps.items]}


def _basemap_payload() -> dict[str, Any]:
    base = countries()
    labels = [[lat, lon, html.unescape(name)] for lat, lon, name in base["labels"]]
    return {
        "type": "basemap",
        "countries": [f["geometry"]["coordinates"] for f in base["countries"]["features"]],
        "mask": base["mask"],
        "labels": labels,
    }


def payloads(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every data file's payload by file name (origins first: they fill the link table)."""
    enc = _Encoder(data)
    files = {o: origin_file(i) for i, o in enumerate(data["results"])}
    out: dict[str, dict[str, Any]] = {files[o]: enc.origin(o) for o in data["results"]}
    links = enc.link_payload()  # before meta: link modes join the mode table
    return {
        "meta.js": enc.meta(files),
        "links.js": links,
        "steps.js": enc.step_payload(),
        "basemap.js": _basemap_payload(),
        **out,
    }
