"""Analysis defaults that are facts about a dataset, read from its ``analysis.toml``.

The bundled ``geodata/analysis.toml`` names the origin-destination pairs that the bottleneck
commands analyse when none are given. A user's geodata directory may hold its own; without
one, the bundled file is used and pairs whose places the network lacks are left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ._errors import GeodataError
from ._filenames import file_names
from ._schema import show
from .io import data_file, read_toml

__all__ = ["COMPARE_FILES", "Analysis", "load_analysis"]


@dataclass(frozen=True)
class Analysis:
    """Defaults of one geodata directory.

    Attributes
    ----------
    pairs
        ``(origin, destination)`` place names analysed by default.
    file
        The file they were read from.
    routes
        The demo's route questions: dicts with ``name``, ``from``, ``to`` and optional
        ``via`` and ``avoid``.
    comparisons
        The demo's comparisons: dicts with ``stem``, ``from`` and ``to``.
    scenarios
        The scenarios the demo tabulates against the baseline.
    timeline
        The corridor-through-time page (``[demo.timeline]``): ``from``, ``to``, ``years``
        (first and last) and ``series`` (each a ``label`` and ``modes``, ``None`` for any),
        or ``None`` when the file has none.
    explorer
        The places the corridor explorer offers by default (``[explorer]``): ``origins`` and
        ``destinations``, each a list of place names, kinds, regions or country codes; or
        ``None`` when the file has none.
    """

    pairs: tuple[tuple[str, str], ...]
    file: str
    routes: tuple[dict, ...] = ()
    comparisons: tuple[dict, ...] = ()
    scenarios: tuple[str, ...] = ()
    timeline: dict | None = None
    explorer: dict | None = None


#: the demo's comparison files, by the slug of each ``[[demo.compare]] stem``
COMPARE_FILES = ("compare-{}.csv", "compare-{}.png")
_TOP = {"bottlenecks", "demo", "explorer"}
_DEMO = {"scenarios", "route", "compare", "timeline"}
_ITEM_KEYS = {"route": {"name", "from", "to", "via", "avoid"}, "compare": {"stem", "from", "to"}}


def load_analysis(directory: str | os.PathLike[str] | None = None) -> Analysis:
    """Read ``analysis.toml`` from ``directory`` (or the bundled geodata).

    Every table and field is checked for its type, unknown keys are refused, and each
    ``[[demo.compare]] stem`` must make a file name of its own (see
    :mod:`corridormap._filenames`: ``x/../y`` is written ``compare-x-y.csv``, and two stems
    that come out alike are an error naming both).

    Raises
    ------
    GeodataError
        If the file is invalid, naming the file, the table and the field.
    """
    path = data_file(directory, "analysis.toml")
    doc = read_toml(path)
    file = path.name
    _keys(doc, _TOP, file, None)
    bottlenecks = _table(doc.get("bottlenecks", {}), file, "bottlenecks")
    _keys(bottlenecks, {"pairs"}, file, "bottlenecks")
    raw = bottlenecks.get("pairs", [])
    if not isinstance(raw, list):
        raise GeodataError("must be a list", file=file, feature="bottlenecks", field="pairs")
    pairs = []
    for i, item in enumerate(raw):
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise GeodataError(
                f"item {i} must be [origin, destination], got {show(item)}",
                file=file,
                feature="bottlenecks",
                field="pairs",
            )
        pairs.append((item[0], item[1]))
    demo = _table(doc.get("demo", {}), file, "demo")
    _keys(demo, _DEMO, file, "demo")
    routes = _items(demo, "route", ("name", "from", "to"), file)
    comps = _items(demo, "compare", ("stem", "from", "to"), file)
    file_names([c["stem"] for c in comps], COMPARE_FILES, file=file, what="comparison stem")
    scen = demo.get("scenarios", [])
    if not isinstance(scen, list) or not all(isinstance(x, str) and x for x in scen):
        raise GeodataError(
            f"must be a list of scenario names, got {show(scen)}",
            file=file,
            feature="demo",
            field="scenarios",
        )
    timeline = _timeline(demo.get("timeline"), path.name)
    explorer = _explorer(doc.get("explorer"), path.name)
    return Analysis(tuple(pairs), str(path), routes, comps, tuple(scen), timeline, explorer)


def _explorer(table: object, file: str) -> dict | None:
    """``[explorer]`` checked: ``origins`` and ``destinations``, lists of place specs."""
    if table is None:
        return None
    _keys(_table(table, file, "explorer"), {"origins", "destinations"}, file, "explorer")
    out = {}
    for key in ("origins", "destinations"):
        val = table.get(key)
        if not (
            isinstance(val, list) and val and all(isinstance(x, str) and x.strip() for x in val)
        ):
            raise GeodataError(
                "must be a list of place names, kinds, regions or country codes, got " + show(val),
                file=file,
                feature="explorer",
                field=key,
            )
        out[key] = tuple(val)
    return out


#: the years a timeline may span
TIMELINE_YEARS = (1800, 2200)


def _timeline(table: object, file: str) -> dict | None:
    """``[demo.timeline]`` checked: ``from``, ``to``, ``years`` and its ``series``."""
    from ._schema import MODES

    if table is None:
        return None
    where = "demo.timeline"
    if not isinstance(table, dict):
        raise GeodataError("must be a table", file=file, feature=where)
    for f in ("from", "to"):
        if not isinstance(table.get(f), str) or not table[f].strip():
            raise GeodataError("is required (a place name)", file=file, feature=where, field=f)
    years = table.get("years")
    lo, hi = TIMELINE_YEARS
    if not (
        isinstance(years, list)
        and len(years) == 2
        and all(isinstance(y, int) and not isinstance(y, bool) and lo <= y <= hi for y in years)
        and years[0] <= years[1]
    ):
        raise GeodataError(
            f"must be [first, last], two years from {lo} to {hi} in order, got {years!r}",
            file=file,
            feature=where,
            field="years",
        )
    series = []
    for i, item in enumerate(table.get("series") or [{"label": "best route"}]):
        here = f"{where}.series[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            raise GeodataError("needs a label (text)", file=file, feature=here, field="label")
        modes = item.get("modes")
        if modes is not None and (
            not isinstance(modes, list) or not modes or not all(m in MODES for m in modes)
        ):
            raise GeodataError(
                f"must be a list of modes ({', '.join(MODES)}), got {modes!r}",
                file=file,
                feature=here,
                field="modes",
            )
        series.append({"label": item["label"], "modes": list(modes) if modes else None})
    return {"from": table["from"], "to": table["to"], "years": tuple(years), "series": series}


def _table(value: Any, file: str, where: str) -> dict:
    """``value`` if it is a TOML table, else an error naming ``[where]``."""
    if not isinstance(value, dict):
        raise GeodataError(
            f"must be a table ([{where}]), got {type(value).__name__} {show(value, 60)}",
            file=file,
            feature=where,
        )
    return value


def _keys(table: dict, allowed: set[str], file: str, where: str | None) -> None:
    """Refuse a key of ``table`` that is not in ``allowed``."""
    extra = sorted(set(table) - allowed)
    if extra:
        raise GeodataError(
            f"unknown key {extra[0]!r}; expected {', '.join(sorted(allowed))}",
            file=file,
            feature=where,
            field=extra[0],
        )


def _items(table: dict, key: str, needed: tuple[str, ...], file: str) -> tuple[dict, ...]:
    rows = table.get(key, [])
    if not isinstance(rows, list):
        raise GeodataError(
            f"must be an array of tables ([[demo.{key}]])", file=file, feature="demo", field=key
        )
    out = []
    for i, row in enumerate(rows):
        where = f"demo.{key}[{i}]"
        if not isinstance(row, dict):
            raise GeodataError("must be a table", file=file, feature=where)
        _keys(row, _ITEM_KEYS[key], file, where)
        for f in needed:
            if not isinstance(row.get(f), str) or not row[f].strip():
                raise GeodataError(
                    "is required (a non-empty text)", file=file, feature=where, field=f
                )
        for f in ("via", "avoid"):
            val = row.get(f, [])
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                raise GeodataError("must be a list of places", file=file, feature=where, field=f)
        out.append(dict(row))
    return tuple(out)
