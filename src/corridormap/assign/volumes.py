"""Volume files: the flows between places or regions a network is loaded with.

A volume file (``geodata/volumes/*.toml``, or a user's own) lists flows in Mt/yr, TEU,
containers, wagons or trucks, each with its source; :mod:`corridormap.units` turns each into
Mt/yr when it is assigned. Files are read and checked here, every field for its type and
range (errors name file, flow and field): a unit is a count per ``yr`` or ``day``, or a bare
count with the ``period_days`` it covers (1 to 3,660 days; beside a per-year or per-day unit
it is an error), ``modes`` a non-empty list of the network's modes, the two ends different.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .._errors import GeodataError, InputError, closest
from .._schema import MODES, show
from ..io import data_dirs, read_toml
from ..units import unit_parts

__all__ = ["Flow", "Volumes", "list_volumes", "load_volumes"]

_FLOW_KEYS = {
    "id",
    "from",
    "to",
    "via",
    "modes",
    "amount",
    "unit",
    "period_days",
    "year",
    "source",
    "basis",
    "notes",
}


_TOP_KEYS = {"name", "description", "year", "flow"}


_BASES = ("official", "measured", "estimated")
#: the days a bare count (``TEU``, ``containers``) may cover: a day to ten years
PERIOD_DAYS = (1.0, 3660.0)
#: the years a volume file or flow may be of
YEARS = (1900, 2200)


@dataclass(frozen=True)
class Flow:
    """One flow of a volume file, as written (not yet resolved against a network)."""

    id: str
    origin: str
    destination: str
    amount: float
    unit: str
    period_days: float | None = None
    via: tuple[str, ...] = ()
    modes: tuple[str, ...] | None = None
    year: int | None = None
    source: str = ""
    basis: str = "official"
    notes: str = ""


@dataclass(frozen=True)
class Volumes:
    """A volume file: its flows and where they come from."""

    name: str
    description: str = ""
    year: int | None = None
    flows: tuple[Flow, ...] = ()
    file: str = ""

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], file: str = "") -> Volumes:
        """Build from a parsed TOML document, checking its shape.

        Build from a parsed TOML document, checking its shape (errors name file, flow and field).
        """
        fname = Path(file).name if file else "<volumes>"

        def err(msg: str, feature: Any = None, fld: str | None = None) -> GeodataError:
            return GeodataError(msg, file=fname, feature=feature, field=fld)

        if not isinstance(doc, Mapping):
            raise err("must be a TOML table")
        for key in doc:
            if key not in _TOP_KEYS:
                raise err(f"unknown key {key!r}; expected {', '.join(sorted(_TOP_KEYS))}")
        name = doc.get("name")
        if not isinstance(name, str) or not name.strip():
            raise err("needs a 'name' (text)", fld="name")
        description = doc.get("description", "")
        if not isinstance(description, str):
            raise err(f"must be a text, got {show(description, 60)}", fld="description")
        year = _year(doc.get("year"), None, err)
        items = doc.get("flow")
        if not isinstance(items, list) or not items:
            raise err("needs at least one [[flow]] table", fld="flow")
        flows: list[Flow] = []
        seen: set[str] = set()
        for i, f in enumerate(items):
            flows.append(_flow_from_dict(f, i, seen, err))
        return cls(
            name=name,
            description=description,
            year=year,
            flows=tuple(flows),
            file=str(file),
        )

    def scaled(self, factor: float) -> Volumes:
        """These volumes with every flow's amount times ``factor``."""
        from dataclasses import replace

        if not (math.isfinite(factor) and factor >= 0):
            raise InputError(f"a volume factor must be finite and >= 0, got {factor!r}")
        return replace(
            self,
            name=f"{self.name} x {factor:g}",
            flows=tuple(replace(f, amount=f.amount * factor) for f in self.flows),
        )


def _volume_dirs(G: nx.MultiDiGraph | None) -> list[Path]:
    return data_dirs(G.graph.get("directory") if G is not None else None, "volumes")


def list_volumes(G: nx.MultiDiGraph | None = None) -> list[str]:
    """Names of the volume files available (the network's geodata directory, then bundled)."""
    names: set[str] = set()
    for d in _volume_dirs(G):
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def load_volumes(
    name_or_path: str | os.PathLike[str] | Volumes, G: nx.MultiDiGraph | None = None
) -> Volumes:
    """Read a volume file by name (``geodata/volumes/<name>.toml``) or path.

    Raises
    ------
    GeodataError
        If the file is missing or malformed (the message names the file, flow and field).
    """
    if isinstance(name_or_path, Volumes):
        return name_or_path
    text = str(name_or_path)
    path = Path(text)
    if not (path.suffix == ".toml" or os.sep in text or path.is_file()):
        found = [d / f"{text}.toml" for d in _volume_dirs(G) if (d / f"{text}.toml").is_file()]
        if not found:
            avail = list_volumes(G)
            near = closest(text, avail, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise InputError(
                f"no volume file {text!r}{hint} (available: {', '.join(avail) or 'none'})"
            )
        path = found[0]
    if not os.path.lexists(path):
        raise InputError(f"volume file {text!r} not found")
    return Volumes.from_dict(read_toml(path), str(path))  # a FIFO or a device: refused there


def _year(value: Any, fid: str | None, err: Callable[..., GeodataError]) -> int | None:
    """A ``year`` (None if not given): a whole number from 1900 to 2200."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not YEARS[0] <= value <= YEARS[1]:
        raise err(
            f"must be a year ({YEARS[0]}-{YEARS[1]}), got {show(value, 60)}",
            feature=fid,
            fld="year",
        )
    return value


def _flow_amounts(f: Any, fid: str, err: Callable[..., GeodataError]) -> tuple[Any, Any]:
    """A flow's ``amount``, ``unit`` and ``period_days``, checked together.

    Parameters
    ----------
    f
        The ``[[flow]]`` table.
    fid
        Its id, for the errors.
    err
        Makes the error for a message, a feature and a field.

    Returns
    -------
    tuple
        The amount (0 to 1e12) and the period (None, or :data:`PERIOD_DAYS`), as written.

    Raises
    ------
    GeodataError
        If either is not a finite number in its range, the unit is not a count per ``yr``
        or ``day`` or a bare count, a bare count has no ``period_days``, or a count per ``yr``
        or ``day`` has one (it would be ignored).
    """
    amount = f.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise err(f"must be a number, got {show(amount, 60)}", feature=fid, fld="amount")
    if not (math.isfinite(amount) and 0 <= amount <= 1e12):
        raise err(f"must be between 0 and 1e12, got {amount!r}", feature=fid, fld="amount")
    try:
        _, per = unit_parts(f["unit"])
    except InputError as exc:
        raise err(str(exc), feature=fid, fld="unit") from None
    period = f.get("period_days")
    lo, hi = PERIOD_DAYS
    if period is not None and (
        isinstance(period, bool)
        or not isinstance(period, int | float)
        or not (math.isfinite(period) and lo <= period <= hi)
    ):
        raise err(
            f"must be a number of days from {lo:g} to {hi:,.0f}, got {show(period, 60)}",
            feature=fid,
            fld="period_days",
        )
    if per is None and period is None:
        raise err(
            f"{f['unit']!r} is a bare count: give the days it covers (period_days), or a unit "
            "per yr or day",
            feature=fid,
            fld="period_days",
        )
    if per is not None and period is not None:
        raise err(
            f"the unit {f['unit']!r} is already per {per}: drop period_days (it is for a bare "
            "count such as 'TEU')",
            feature=fid,
            fld="period_days",
        )
    return amount, period


def _names(value: Any, fid: str, fld: str, err: Callable[..., GeodataError]) -> tuple[str, ...]:
    """A list of non-empty texts (``via``, ``modes``), or an error naming the field."""
    if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
        raise err(f"must be a list of texts, got {show(value, 60)}", feature=fid, fld=fld)
    return tuple(value)


def _modes(value: Any, fid: str, err: Callable[..., GeodataError]) -> tuple[str, ...]:
    """A flow's ``modes``: a non-empty list of :data:`corridormap._schema.MODES`."""
    modes = _names(value, fid, "modes", err)
    if not modes:
        raise err(
            "is empty: list the modes the flow may use, or leave modes out for all",
            feature=fid,
            fld="modes",
        )
    for m in modes:
        if m not in MODES:
            near = closest(m, MODES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise err(f"{m!r} is not one of {', '.join(MODES)}{hint}", feature=fid, fld="modes")
    return modes


def _flow_from_dict(f: Any, i: int, seen: set[str], err: Callable[..., GeodataError]) -> Flow:
    """One ``[[flow]]`` table of a volume file as a :class:`Flow`, checked.

    Parameters
    ----------
    f
        The table.
    i
        Its index in the file (from 0), for the errors of a flow without an id.
    seen
        The ids of the flows before it; its id is added.
    err
        Makes the error for a message, a feature and a field.

    Returns
    -------
    Flow

    Raises
    ------
    GeodataError
        If the table, its id (missing or repeated), a key, a text, the amount, unit and
        period, ``via``/``modes`` (a mode not of :data:`corridormap._schema.MODES`, or none),
        the ends (the same place), the year or the basis is bad.
    """
    if not isinstance(f, Mapping):
        raise err("must be a table", feature=f"flow {i + 1}")
    fid = f.get("id")
    if not isinstance(fid, str) or not fid:
        raise err("needs an 'id' (text)", feature=f"flow {i + 1}", fld="id")
    if fid in seen:
        raise err("id is used by more than one flow", feature=fid, fld="id")
    seen.add(fid)
    for key in f:
        if key not in _FLOW_KEYS:
            raise err(
                f"unknown key {key!r}; expected {', '.join(sorted(_FLOW_KEYS))}",
                feature=fid,
            )
    for key in ("from", "to", "unit", "source"):
        if not isinstance(f.get(key), str) or not f[key].strip():
            raise err("needs a text", feature=fid, fld=key)
    if f["from"].strip().casefold() == f["to"].strip().casefold():
        raise err(
            f"starts and ends at {f['from']!r}: a flow joins two places", feature=fid, fld="to"
        )
    amount, period = _flow_amounts(f, fid, err)
    via = _names(f["via"], fid, "via", err) if "via" in f else ()
    modes = _modes(f["modes"], fid, err) if "modes" in f else None
    basis = f.get("basis", "official")
    if basis not in _BASES:
        raise err(f"must be one of {', '.join(_BASES)}", feature=fid, fld="basis")
    notes = f.get("notes", "")
    if not isinstance(notes, str):
        raise err(f"must be a text, got {show(notes, 60)}", feature=fid, fld="notes")
    return Flow(
        id=fid,
        origin=f["from"],
        destination=f["to"],
        amount=float(amount),
        unit=f["unit"],
        period_days=None if period is None else float(period),
        via=via,
        modes=modes,
        year=_year(f.get("year"), fid, err),
        source=f["source"],
        basis=basis,
        notes=notes,
    )
