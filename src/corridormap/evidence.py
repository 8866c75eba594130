"""The evidence register: observed and published movements (``evidence.toml``).

The one reader of the register. The schema is documented in ``geodata/README.md`` ("Evidence
register"). :func:`load_evidence` reads and validates a register into :class:`Movement` rows;
:func:`evidence_rows` gives the same validated rows as written (the maps quote them); every
error names the file, the row id and the field. :func:`parse_date` reads the register's dates.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ._errors import GeodataError
from ._schema import MODES
from .io import data_file, read_toml

__all__ = [
    "Movement",
    "Waypoint",
    "evidence_path",
    "evidence_rows",
    "load_evidence",
    "parse_date",
]

FILE = "evidence.toml"
REQUIRED = (
    "id",
    "title",
    "source",
    "date",
    "kind",
    "measure",
    "clock",
    "movement",
    "path",
    "observed",
    "notes",
)
OPTIONAL = ("events", "role")
KINDS = ("measured_run", "operator_schedule", "official_claim", "press_estimate")
MEASURES = ("door_to_door", "port_to_port", "leg", "border_dwell", "terminal_dwell")
DWELLS = ("border_dwell", "terminal_dwell")
#: when a published figure's clock starts and stops: from loading at the origin (or handing
#: the cargo to the first carrier), from the first sailing, a sea service port to port, with
#: the wait for the first departure (door to door), one stretch of a route (first vehicle
#: leaving to last arriving), or a dwell at one place
CLOCKS = ("from_loading", "from_sailing", "port_to_port", "door_to_door_with_wait", "leg", "dwell")
UNITS = {"days": 1.0, "hours": 1.0 / 24.0}
ROLES = ("fit", "holdout")
#: the longest observation the register may hold (ten years): anything longer is a typo
MAX_OBSERVED_DAYS = 3660
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class Waypoint:
    """A place of a movement's path and the mode(s) of the stretch arriving there."""

    place: str
    by: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Movement:
    """One row of the evidence register.

    Attributes
    ----------
    id, title, date, kind, measure, clock, notes
        As in the register (:data:`CLOCKS`: when the published figure's clock starts and
        stops).
    movement
        The key shared by every row about the same physical movement or claim (the
        cross-validation keeps them in one fold).
    sources
        The ``source`` field as a tuple of texts.
    path
        :class:`Waypoint` objects, origin first.
    low, high, unit
        The observed range as written.
    role
        ``fit`` (default) or ``holdout``.
    """

    id: str
    title: str
    sources: tuple[str, ...]
    date: str
    kind: str
    measure: str
    clock: str
    movement: str
    path: tuple[Waypoint, ...]
    low: float
    high: float
    unit: str
    notes: str
    role: str = "fit"

    @property
    def observed_days(self) -> tuple[float, float]:
        """The observed range in days."""
        f = UNITS[self.unit]
        return (self.low * f, self.high * f)

    @property
    def holdout(self) -> bool:
        """Whether the row is kept aside (scored, never fitted)."""
        return self.role == "holdout"

    @property
    def source(self) -> str:
        """The sources joined by `` ; ``."""
        return " ; ".join(self.sources)


def evidence_path(directory: str | os.PathLike[str] | None = None) -> Path:
    """The register of a geodata directory, else the bundled one."""
    return data_file(directory, FILE)


def parse_date(text: Any) -> tuple[date, bool]:
    """A register date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` -> (date, is a full date).

    A year or a month stands for its first day.

    Raises
    ------
    ValueError
        If ``text`` is not such a date.
    """
    m = DATE_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {text!r}")
    y, mo, d = (int(g) if g else 1 for g in m.groups())
    return date(y, mo, d), m.group(3) is not None


def _valid_date(text: Any) -> bool:
    try:
        parse_date(text)
    except ValueError:
        return False
    return True


def _modes(value: Any, file: str, rid: str, field: str) -> tuple[str, ...]:
    modes = [value] if isinstance(value, str) else value
    if not (isinstance(modes, list) and modes and all(isinstance(m, str) for m in modes)):
        raise GeodataError(
            f"must be a mode or a list of modes, got {value!r}", file=file, feature=rid, field=field
        )
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise GeodataError(
            f"{bad[0]!r} is not one of {', '.join(MODES)}", file=file, feature=rid, field=field
        )
    return tuple(modes)


def parse_movement(row: Any, file: str = FILE, index: int = 0) -> Movement:
    """Validate one ``[[movement]]`` table and return it as a :class:`Movement`.

    Raises
    ------
    GeodataError
        Naming ``file``, the row id (or ``movement[index]``) and the field at fault.
    """
    if not isinstance(row, Mapping):
        raise GeodataError("must be a table", file=file, feature=f"movement[{index}]")
    rid = row.get("id")
    where = rid if isinstance(rid, str) and rid else f"movement[{index}]"

    def err(msg: str, field: str | None = None) -> GeodataError:
        return GeodataError(msg, file=file, feature=where, field=field)

    srcs, role = _check_fields(row, err)
    measure = row["measure"]
    points = _waypoints(row["path"], measure, file, where, err)
    lo, hi, unit = _observed(row["observed"], err)
    _check_events(row.get("events", []), err)
    return Movement(
        id=rid,
        title=row["title"].strip(),
        sources=tuple(s.strip() for s in srcs),
        date=row["date"],
        kind=row["kind"],
        measure=measure,
        clock=row["clock"],
        movement=row["movement"],
        path=tuple(points),
        low=float(lo),
        high=float(hi),
        unit=unit,
        notes=" ".join(row["notes"].split()),
        role=role,
    )


def _check_fields(row: Mapping, err: Callable[..., GeodataError]) -> tuple[list[str], str]:
    """Check a movement's fields other than path, observed and events.

    Parameters
    ----------
    row
        The ``[[movement]]`` table.
    err
        Makes the error for a message and a field.

    Returns
    -------
    tuple
        The sources (a list of texts) and the role (default ``fit``).

    Raises
    ------
    GeodataError
        For the first field at fault: a missing or unknown field, a bad id, an empty title or
        notes, a bad source, date, kind, measure, clock, movement or role.
    """
    for key in REQUIRED:
        if key not in row:
            raise err("is missing", key)
    unknown = sorted(set(row) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise err(f"unknown field; the fields are {', '.join(REQUIRED + OPTIONAL)}", unknown[0])
    rid = row.get("id")
    if not isinstance(rid, str) or not ID_RE.match(rid):
        raise err(f"{rid!r} is not lowercase-with-dashes", "id")
    for key in ("title", "notes"):
        if not (isinstance(row[key], str) and row[key].strip()):
            raise err("must be a non-empty text", key)
    src = row["source"]
    srcs = [src] if isinstance(src, str) else src
    if not (
        isinstance(srcs, list) and srcs and all(isinstance(s, str) and s.strip() for s in srcs)
    ):
        raise err("must be a non-empty text or a list of non-empty texts", "source")
    if not _valid_date(row["date"]):
        raise err(f"{row['date']!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD", "date")
    _check_clock(row, err)
    role = row.get("role", "fit")
    if role not in ROLES:
        raise err(f"{role!r} is not one of {', '.join(ROLES)}", "role")
    return srcs, role


def _check_clock(row: Mapping, err: Callable[..., GeodataError]) -> None:
    """Check a movement's kind, measure, clock and movement key.

    Dwell rows, and only they, are on the ``dwell`` clock.
    """
    for key, options in (("kind", KINDS), ("measure", MEASURES), ("clock", CLOCKS)):
        if row[key] not in options:
            raise err(f"{row[key]!r} is not one of {', '.join(options)}", key)
    if (row["measure"] in DWELLS) != (row["clock"] == "dwell"):
        raise err(
            f"a {row['measure']} row has clock "
            + ("'dwell'" if row["measure"] in DWELLS else "other than 'dwell'"),
            "clock",
        )
    if not (isinstance(row["movement"], str) and ID_RE.match(row["movement"])):
        raise err(f"{row['movement']!r} is not lowercase-with-dashes", "movement")


def _waypoints(
    path: Any, measure: str, file: str, where: str, err: Callable[..., GeodataError]
) -> list[Waypoint]:
    """A movement's path as waypoints, checked.

    Parameters
    ----------
    path
        The ``path`` field: a list of ``{place, by}`` tables.
    measure
        The movement's measure (a dwell has one or two places, a movement at least two).
    file, where
        The file and the row, for the errors of ``by``.
    err
        Makes the error for a message and a field.

    Returns
    -------
    list of Waypoint
        In path order.

    Raises
    ------
    GeodataError
        If the path is not such a list, has too few or too many places, or a waypoint is bad.
    """
    if not (isinstance(path, list) and path and all(isinstance(p, Mapping) for p in path)):
        raise err("must be a non-empty list of {place, by} tables", "path")
    if measure in DWELLS:
        if len(path) > 2:
            raise err(f"a {measure} path has one or two places, not {len(path)}", "path")
    elif len(path) < 2:
        raise err("a movement path needs an origin and a destination", "path")
    points = []
    for i, p in enumerate(path):
        extra = sorted(set(p) - {"place", "by"})
        if extra:
            raise err(f"unknown key {extra[0]!r} (a waypoint has place and by)", f"path[{i}]")
        place = p.get("place")
        if not (isinstance(place, str) and place.strip()):
            raise err("needs a place (a non-empty name)", f"path[{i}].place")
        by = None
        if "by" in p:
            if i == 0 and measure not in DWELLS:
                raise err("is the origin: it has no 'by'", "path[0].by")
            by = _modes(p["by"], file, where, f"path[{i}].by")
        points.append(Waypoint(place.strip(), by))
    return points


def _observed(obs: Any, err: Callable[..., GeodataError]) -> tuple[Any, Any, str]:
    """A movement's observed range ``{low, high, unit}``, checked.

    Parameters
    ----------
    obs
        The ``observed`` field.
    err
        Makes the error for a message and a field.

    Returns
    -------
    tuple
        Low, high (numbers, 0 < low <= high) and the unit (days or hours).

    Raises
    ------
    GeodataError
        If the table, a key, a number or the unit is bad, or low and high are out of order.
    """
    if not isinstance(obs, Mapping):
        raise err("must be a table {low, high, unit}", "observed")
    for key in ("low", "high", "unit"):
        if key not in obs:
            raise err(f"needs {key!r} (observed is {{low, high, unit}})", "observed")
    if set(obs) - {"low", "high", "unit"}:
        raise err("has keys other than low, high and unit", "observed")
    lo, hi, unit = obs["low"], obs["high"], obs["unit"]
    for key, v in (("low", lo), ("high", hi)):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise err(f"must be a number, got {v!r}", f"observed.{key}")
    if unit not in UNITS:
        raise err(f"{unit!r} is not days or hours", "observed.unit")
    for key, v in (("low", lo), ("high", hi)):
        if not (math.isfinite(v) and v * UNITS[unit] <= MAX_OBSERVED_DAYS):
            raise err(
                f"must be a finite number of at most {MAX_OBSERVED_DAYS:,} days, got {v!r} {unit}",
                f"observed.{key}",
            )
    if not 0 < lo <= hi:
        raise err(f"needs 0 < low <= high, got low {lo} and high {hi}", "observed")
    return lo, hi, unit


def _check_events(events: Any, err: Callable[..., GeodataError]) -> None:
    """Check a movement's events: a list of ``{date, text}`` tables in date order.

    Parameters
    ----------
    events
        The ``events`` field (default an empty list).
    err
        Makes the error for a message and a field.

    Raises
    ------
    GeodataError
        If it is not a list, an event is bad, or the dates are out of order.
    """
    if not isinstance(events, list):
        raise err("must be a list of {date, text} tables", "events")
    dates = []
    for i, ev in enumerate(events):
        if not (isinstance(ev, Mapping) and set(ev) == {"date", "text"}):
            raise err("must be a table {date, text}", f"events[{i}]")
        if not _valid_date(ev["date"]) or not (isinstance(ev["text"], str) and ev["text"].strip()):
            raise err(f"bad date {ev['date']!r} or empty text", f"events[{i}]")
        dates.append(ev["date"])
    if dates != sorted(dates):
        raise err("are not in date order", "events")


def load_evidence(path: str | os.PathLike[str] | None = None) -> list[Movement]:
    """Read and validate an evidence register (default: the bundled ``evidence.toml``).

    Parameters
    ----------
    path
        A register file, or a geodata directory holding ``evidence.toml``.

    Returns
    -------
    list of Movement
        In file order.

    Raises
    ------
    GeodataError
        If the file is missing or invalid: the message names the file, the row id and the field.
    """
    if path is None:
        file = evidence_path()
    else:
        file = Path(path)
        if file.is_dir():
            file = file / FILE
    return [mv for mv, _ in _read(file)]


def evidence_rows(directory: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """The register's rows by id, as written: validated, as :func:`load_evidence` reads them.

    Parameters
    ----------
    directory
        A geodata directory: its ``evidence.toml``, else the bundled register.

    Raises
    ------
    GeodataError
        If the register is missing or invalid.
    """
    return {mv.id: row for mv, row in _read(evidence_path(directory))}


def _read(file: Path) -> list[tuple[Movement, dict[str, Any]]]:
    """Every row of the register ``file``, validated, beside the table as written."""
    doc = read_toml(file)
    rows = doc.get("movement")
    if not isinstance(rows, list):
        raise GeodataError("needs [[movement]] tables", file=file.name, field="movement")
    out = [(parse_movement(row, file.name, i), row) for i, row in enumerate(rows)]
    seen: set[str] = set()
    for mv, _ in out:
        if mv.id in seen:
            raise GeodataError("is used by two rows", file=file.name, feature=mv.id, field="id")
        seen.add(mv.id)
    return out
