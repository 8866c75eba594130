"""Analysis defaults that are facts about a dataset, read from its ``analysis.toml``.

The bundled ``geodata/analysis.toml`` names the origin-destination pairs that the bottleneck
commands analyse when none are given. A user's geodata directory may hold its own; without
one, the bundled file is used and pairs whose places the network lacks are left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ._errors import GeodataError
from .io import data_file, read_toml

__all__ = ["Analysis", "load_analysis"]


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


def load_analysis(directory: str | os.PathLike[str] | None = None) -> Analysis:
    """Read ``analysis.toml`` from ``directory`` (or the bundled geodata).

    Raises
    ------
    GeodataError
        If the file is invalid, naming the file and the field.
    """
    path = data_file(directory, "analysis.toml")
    doc = read_toml(path)
    raw = (doc.get("bottlenecks") or {}).get("pairs", [])
    if not isinstance(raw, list):
        raise GeodataError("must be a list", file=path.name, feature="bottlenecks", field="pairs")
    pairs = []
    for i, item in enumerate(raw):
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise GeodataError(
                f"item {i} must be [origin, destination], got {item!r}",
                file=path.name,
                feature="bottlenecks",
                field="pairs",
            )
        pairs.append((item[0], item[1]))
    demo = doc.get("demo") or {}
    routes = _items(demo, "route", ("name", "from", "to"), path.name)
    comps = _items(demo, "compare", ("stem", "from", "to"), path.name)
    scen = demo.get("scenarios", [])
    if not isinstance(scen, list) or not all(isinstance(x, str) for x in scen):
        raise GeodataError(
            "must be a list of names", file=path.name, feature="demo", field="scenarios"
        )
    timeline = _timeline(demo.get("timeline"), path.name)
    explorer = _explorer(doc.get("explorer"), path.name)
    return Analysis(tuple(pairs), str(path), routes, comps, tuple(scen), timeline, explorer)


def _explorer(table: object, file: str) -> dict | None:
    """``[explorer]`` checked: ``origins`` and ``destinations``, lists of place specs."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise GeodataError("must be a table", file=file, feature="explorer")
    out = {}
    for key in ("origins", "destinations"):
        val = table.get(key)
        if not (
            isinstance(val, list) and val and all(isinstance(x, str) and x.strip() for x in val)
        ):
            raise GeodataError(
                "must be a list of place names, kinds, regions or country codes",
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


def _items(table: dict, key: str, needed: tuple[str, ...], file: str) -> tuple[dict, ...]:
    rows = table.get(key, [])
    if not isinstance(rows, list):
        raise GeodataError("must be an array of tables", file=file, feature="demo", field=key)
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise GeodataError("must be a table", file=file, feature=f"demo.{key}[{i}]")
        for f in needed:
            if not isinstance(row.get(f), str):
                raise GeodataError(
                    "is required (text)", file=file, feature=f"demo.{key}[{i}]", field=f
                )
        for f in ("via", "avoid"):
            val = row.get(f, [])
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                raise GeodataError(
                    "must be a list of places", file=file, feature=f"demo.{key}[{i}]", field=f
                )
        out.append(dict(row))
    return tuple(out)
