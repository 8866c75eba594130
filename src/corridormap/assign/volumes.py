"""Volume files: the flows between places or regions a network is loaded with.

A volume file (``geodata/volumes/*.toml``, or a user's own) lists flows in Mt/yr, TEU,
containers, wagons or trucks, each with its source; :mod:`corridormap.units` turns each into
Mt/yr when it is assigned. Files are read and checked here (errors name file, flow and field).
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
from ..io import data_dirs, read_toml

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
        if not isinstance(name, str) or not name:
            raise err("needs a 'name' (text)", fld="name")
        items = doc.get("flow")
        if not isinstance(items, list) or not items:
            raise err("needs at least one [[flow]] table", fld="flow")
        flows: list[Flow] = []
        seen: set[str] = set()
        for i, f in enumerate(items):
            flows.append(_flow_from_dict(f, i, seen, err))
        year = doc.get("year")
        return cls(
            name=name,
            description=str(doc.get("description", "")),
            year=year if isinstance(year, int) else None,
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
    if not path.is_file():
        raise InputError(f"volume file {text!r} not found")
    return Volumes.from_dict(read_toml(path), str(path))


def _flow_amounts(f: Any, fid: str, err: Callable[..., GeodataError]) -> tuple[Any, Any]:
    """A flow's ``amount`` (0 to 1e12) and ``period_days`` (None, or over 0 to 3660), checked.

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
        The amount and the period (None if not given), as written.

    Raises
    ------
    GeodataError
        If either is not a number in its range.
    """
    amount = f.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        raise err(f"must be a number, got {amount!r}", feature=fid, fld="amount")
    if not (math.isfinite(amount) and 0 <= amount <= 1e12):
        raise err(f"must be between 0 and 1e12, got {amount!r}", feature=fid, fld="amount")
    period = f.get("period_days")
    if period is not None and (
        isinstance(period, bool) or not isinstance(period, int | float) or not 0 < period <= 3660
    ):
        raise err(
            f"must be a number of days (0-3660], got {period!r}",
            feature=fid,
            fld="period_days",
        )
    return amount, period


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
        If the table, its id (missing or repeated), a key, a text, the amount, the period,
        ``via``/``modes`` or the basis is bad.
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
    amount, period = _flow_amounts(f, fid, err)
    for key in ("via", "modes"):
        val = f.get(key)
        if val is not None and (
            not isinstance(val, list) or not all(isinstance(x, str) for x in val)
        ):
            raise err("must be a list of text", feature=fid, fld=key)
    basis = f.get("basis", "official")
    if basis not in _BASES:
        raise err(f"must be one of {', '.join(_BASES)}", feature=fid, fld="basis")
    return Flow(
        id=fid,
        origin=f["from"],
        destination=f["to"],
        amount=float(amount),
        unit=f["unit"],
        period_days=None if period is None else float(period),
        via=tuple(f.get("via") or ()),
        modes=None if f.get("modes") is None else tuple(f["modes"]),
        year=f.get("year") if isinstance(f.get("year"), int) else None,
        source=f["source"],
        basis=basis,
        notes=str(f.get("notes", "")),
    )
