"""The network as of a date: the places and links in service then, with that date's values.

Geodata dates its features (``geodata/README.md``, "Dates"): a node or link may carry
``opened`` and ``closed`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, each with its source) and
``changes``, the dated values of one of its fields; a table of ``parameters.toml`` (a service)
may carry ``changes`` too. :func:`geodata_as_of` turns the data as written (today's network)
into the data of another date, by these rules:

**Dates.** A partial date means its first day: ``"2018"`` is 2018-01-01 and ``"2018-03"`` is
2018-03-01, for the data and for the date asked alike. A feature opened on a day is in service
on that day; one closed on a day is out of service from that day.

**Places.** A place whose ``opened`` is after the date, or whose ``closed`` is on or before it,
is left out with every link that touches it.

**Links.** A link whose ``closed`` is on or before the date is left out. An ``operational`` (or
``gap``) link whose ``opened`` is after the date is not built yet: its status becomes
``planned``, so it is not routable but a scenario may still open it (``open_links``).

**Targets.** A ``planned`` or ``under_construction`` link whose ``opened`` is a sourced target
(a completion date a source announces) opens, status ``operational``, only in a projection: a
date after today, on or after the target. A target that has passed while the link is still
planned has slipped: it opens the link on no date, past or future (a scenario can).

**Changes.** A change sets its field from its date until the next change; on a date the field
takes the value of the latest change dated on or before it. Where no change is dated on or
before the date, the field keeps its written value (today's); a change dated ``"2010"``, the
model's start, states the value before the later ones. A change of a ``{low, likely, high}``
parameter (``[services.x] changes`` of ``headway_h``) scales the whole range by the changed
value over the sourced likely value, the one the change values are comparable with:
``calibrated_from`` for a calibrated table, else ``likely``. So low, likely and high keep their
proportions (and a calibration its ratio to the sourced value), and a change whose value is the
sourced likely value leaves the table as written.

The result is a new :class:`~corridormap.io.Geodata`; the input is never changed. Its
``as_of`` records the date and what it did (``withheld``, ``not_built``, ``projected``,
``changed``); :func:`corridormap.build_network` puts that in ``G.graph["as_of"]``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ._errors import InputError
from ._schema import ROUTABLE_STATUSES, read_date, show
from ._today import today as current_day
from .io import Geodata

__all__ = ["as_of_date", "dated_events", "geodata_as_of"]

#: the statuses of links not built today, which only a target date can open (in a projection)
NOT_BUILT = ("planned", "under_construction")


def as_of_date(value: Any, *, what: str = "as_of") -> dt.date:
    """The day a date argument names: a partial date's first day.

    Parameters
    ----------
    value
        ``"YYYY"``, ``"YYYY-MM"``, ``"YYYY-MM-DD"`` or a :class:`datetime.date`.
    what
        The argument's name, for the message.

    Returns
    -------
    datetime.date
        The day (``"2017-06"`` -> 2017-06-01).

    Raises
    ------
    InputError
        For anything else, including a day that does not exist (``2019-02-30``).
    """
    day = read_date(value)
    if day is None:
        raise InputError(
            f"{what} must be a date YYYY, YYYY-MM or YYYY-MM-DD (a real day), got {show(value, 60)}"
        )
    return day


def _not_in_service(props: Mapping[str, Any], day: dt.date) -> str | None:
    """Why a place or link is out of service on ``day`` (its dates), or ``None``."""
    opened, closed = read_date(props.get("opened")), read_date(props.get("closed"))
    if opened is not None and opened > day:
        return f"opened {props['opened']}, after {day.isoformat()}"
    if closed is not None and closed <= day:
        return f"closed {props['closed']}, on or before {day.isoformat()}"
    return None


def _in_force(changes: list[dict[str, Any]], day: dt.date) -> dict[str, dict[str, Any]]:
    """Per field, the change in force on ``day``: the latest dated on or before it."""
    out: dict[str, dict[str, Any]] = {}
    for ch in changes:  # in date order (the loader checks)
        when = read_date(ch["date"])
        if when is not None and when <= day:
            out[ch["field"]] = ch
    return out


def _feature_as_of(
    fid: str, props: dict[str, Any], day: dt.date, changed: list[dict[str, Any]]
) -> dict[str, Any]:
    """A copy of a node's or link's properties with the values of ``day``."""
    out = dict(props)
    for name, ch in _in_force(props.get("changes") or [], day).items():
        if ch["value"] != props.get(name):
            out[name] = ch["value"]
            changed.append(
                {
                    "id": fid,
                    "field": name,
                    "value": ch["value"],
                    "written": props.get(name),
                    "since": ch["date"],
                }
            )
    return out


def _scaled(table: dict[str, Any], factor: float) -> dict[str, Any]:
    """A parameter table ``{low, likely, high, ...}`` with its values times ``factor``."""
    out = dict(table)
    for key in ("low", "likely", "high", "calibrated_from"):
        if isinstance(out.get(key), int | float) and not isinstance(out.get(key), bool):
            out[key] = out[key] * factor
    rng = out.get("sourced_range")
    if isinstance(rng, list) and all(isinstance(x, int | float) for x in rng):
        out["sourced_range"] = [x * factor for x in rng]
    return out


def _params_as_of(
    params: dict[str, Any], day: dt.date, changed: list[dict[str, Any]]
) -> dict[str, Any]:
    """A deep copy of ``parameters.toml`` with every table's ``changes`` applied for ``day``."""
    out = copy.deepcopy(params)
    stack: list[tuple[str, dict[str, Any]]] = [("", out)]
    while stack:
        path, table = stack.pop()
        in_force = _in_force(table.get("changes") or [], day) if path else {}
        for name, ch in in_force.items():
            today = table[name]
            if isinstance(today, dict):
                ref = today.get("calibrated_from", today.get("likely"))
                factor = float(ch["value"]) / float(ref)
                if factor == 1.0:
                    continue
                table[name] = _scaled(today, factor)
                written = today.get("likely")
            elif ch["value"] != today:
                table[name], written, factor = ch["value"], today, None
            else:
                continue
            changed.append(
                {
                    "id": path,
                    "field": name,
                    "value": ch["value"],
                    "written": written,
                    "since": ch["date"],
                    **({"factor": factor} if factor is not None else {}),
                }
            )
        for key, sub in table.items():
            if isinstance(sub, dict):
                stack.append((f"{path}.{key}" if path else str(key), sub))
    return out


def geodata_as_of(gd: Geodata, date: Any, *, today: Any = None) -> Geodata:
    """The geodata of the network as of ``date`` (the rules are in the module docstring).

    Parameters
    ----------
    gd
        Validated geodata (:func:`corridormap.load_geodata`); not changed.
    date
        ``"YYYY"``, ``"YYYY-MM"``, ``"YYYY-MM-DD"`` or a :class:`datetime.date` (a partial date
        means its first day); ``None`` returns ``gd`` itself, the data as written.
    today
        The day that separates history from projection (default: the computer's date). Only
        a date after it opens a planned link at its target.

    Returns
    -------
    Geodata
        New geodata: the places and links in service on the day (a link not built yet is
        ``planned``), with that day's values, and ``as_of`` saying what was done.

    Raises
    ------
    InputError
        If ``date`` or ``today`` is not a date.
    """
    if date is None:
        return gd
    if not isinstance(gd, Geodata):
        raise InputError(f"geodata_as_of() needs a Geodata, got {type(gd).__name__}")
    day = as_of_date(date)
    now = current_day() if today is None else as_of_date(today, what="today")
    withheld: dict[str, dict[str, Any]] = {}
    changed: list[dict[str, Any]] = []
    nodes = {}
    for pid in sorted(gd.nodes):
        p = gd.nodes[pid]
        why = _not_in_service(p, day)
        if why:
            withheld[pid] = {
                "kind": "place",
                "name": str(p.get("name", pid)),
                "aliases": list(p.get("aliases") or []),
                "why": why,
            }
        else:
            nodes[pid] = _feature_as_of(pid, p, day, changed)
    links, not_built, projected = {}, [], []
    for lid in sorted(gd.links):
        p = gd.links[lid]
        gone = [e for e in (p["from"], p["to"]) if e in withheld]
        why = (
            f"its place {gone[0]} is not in service ({withheld[gone[0]]['why']})"
            if gone
            else _not_in_service(p, day)
            if p.get("closed") is not None
            else None
        )
        if why:
            withheld[lid] = {"kind": "link", "name": lid, "aliases": [], "why": why}
            continue
        q = _feature_as_of(lid, p, day, changed)
        opened = read_date(p.get("opened"))
        if opened is not None and q.get("status") in ROUTABLE_STATUSES and opened > day:
            q["status"] = "planned"
            not_built.append(lid)
        elif opened is not None and q.get("status") in NOT_BUILT and now < opened <= day:
            q["status"] = "operational"
            projected.append(lid)
        links[lid] = q
    regions = {name: [m for m in members if m in nodes] for name, members in gd.regions.items()}
    params = _params_as_of(gd.params, day, changed)
    record = {
        "date": day.isoformat(),
        "today": now.isoformat(),
        "withheld": withheld,
        "not_built": not_built,
        "projected": projected,
        "changed": changed,
    }
    return replace(gd, nodes=nodes, links=links, params=params, regions=regions, as_of=record)


def _link_name(gd: Geodata, p: Mapping[str, Any]) -> str:
    """``Astara (AZ) – Astara (IR) rail`` for a link."""
    names = [str(gd.nodes.get(e, {}).get("name", e)) for e in (p["from"], p["to"])]
    return f"{names[0]} – {names[1]} {p.get('mode', '')}".strip()


def dated_events(gd: Geodata, *, today: Any = None) -> list[dict[str, Any]]:
    """Every dated fact of the data: openings, targets, closures and changes, in date order.

    Parameters
    ----------
    gd
        Geodata as written (:func:`corridormap.load_geodata`).
    today
        The day a target is judged against (default: the computer's date): a target on or
        before it that has not happened is said to have passed.

    Returns
    -------
    list of dict
        ``date`` (as written), ``day`` (ISO, its first day), ``id``, ``kind`` (``place``,
        ``link`` or ``parameter``), ``name``, ``event`` (``opened``, ``target`` for a
        planned link's announced completion, ``closed`` or ``changed``), ``text`` (one line)
        and ``source``.
    """
    now = current_day() if today is None else as_of_date(today, what="today")
    out = []
    for kind, table in (("place", gd.nodes), ("link", gd.links)):
        for fid, p in table.items():
            name = str(p.get("name", fid)) if kind == "place" else _link_name(gd, p)
            for key in ("opened", "closed"):
                if p.get(key) is None:
                    continue
                event = key
                text = f"{name} {key}"
                if key == "opened" and p.get("status") in NOT_BUILT:
                    event, text = "target", f"{name}: target for opening ({p['status']})"
                    if (read_date(p[key]) or now) <= now:
                        text += f"; passed, still {p['status']} on {now.isoformat()}"
                out.append(_event(p[key], fid, kind, name, event, text, p.get(f"{key}_source")))
            out += _change_events(p.get("changes") or [], fid, kind, name, p)
    stack: list[tuple[str, Mapping[str, Any]]] = [("", gd.params)]
    while stack:
        path, table = stack.pop()
        if path:
            section, _, rest = path.partition(".")
            name = (
                f"{section.removesuffix('s')} {rest}" if rest else path
            )  # "service baltic_feeder"
            out += _change_events(table.get("changes") or [], path, "parameter", name, table)
        stack += [
            (f"{path}.{k}" if path else k, v) for k, v in table.items() if isinstance(v, dict)
        ]
    return sorted(out, key=lambda e: (e["day"], e["kind"], e["id"], e["event"]))


def _event(
    date: str, fid: str, kind: str, name: str, event: str, text: str, source: Any
) -> dict[str, Any]:
    day = read_date(date)
    return {
        "date": date,
        "day": day.isoformat() if day else "",
        "id": fid,
        "kind": kind,
        "name": name,
        "event": event,
        "text": text,
        "source": str(source or ""),
    }


#: the unit a parameter's name ends in (``headway_h``), for the events' text
_UNITS = {"h": "h", "kmh": "km/h", "km": "km", "teu": "USD/TEU"}


def _change_events(
    changes: list[dict[str, Any]], fid: str, kind: str, name: str, owner: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One event per change: ``name: field from X to Y`` (the value before, where known)."""
    out = []
    before: dict[str, str] = {}
    for ch in changes:
        field = label = ch["field"]
        unit = owner.get(f"{field}_unit") or ""
        head, _, tail = field.rpartition("_")
        if not unit and head and tail in _UNITS:  # headway_h: "headway 84 h"
            label, unit = head, _UNITS[tail]
        value = f"{ch['value']:g}" if isinstance(ch["value"], int | float) else str(ch["value"])
        value += f" {unit}" if unit else ""
        what = f"{label} {before[field]} → {value}" if field in before else f"{label} {value}"
        out.append(_event(ch["date"], fid, kind, name, "changed", f"{name}: {what}", ch["source"]))
        before[field] = value
    return out
