"""Shipment replays: a movement of the evidence register laid out in time on the network.

A replay takes one or more rows of ``evidence.toml`` (a shipment's path of places, each
reached ``by`` a mode, and its dated ``events``), routes the path through the network with
:func:`corridormap.route` (``via`` the stops, ``leg_modes`` the modes of the register), and
gives every leg a start and end day:

* each row runs from its first dated event to its last one when both are full dates (kept
  within the row's published ``observed`` days, as the last event need not be at the last
  stop), else for the published ``observed.high`` days from its first event;
* inside a row the legs take the model's expected hours; when the published run took longer
  than the model, the difference is a *wait not explained by the model*, placed at the row's
  last stop (the register does not say where the cargo stood); when it was faster, the legs
  are shortened in proportion.

Nothing here draws: :func:`corridormap.render.replay.draw_replay` turns a :class:`Replay`
into a page with a time slider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._errors import CorridormapError, SceneError
from .evidence import evidence_path, evidence_rows, parse_date

__all__ = ["Replay", "ReplayEvent", "ReplayLeg", "replay"]


@dataclass(frozen=True)
class ReplayLeg:
    """A leg of the replayed route, with the day it starts and ends (from the start)."""

    leg: Any
    start_day: float
    end_day: float
    row: str


@dataclass(frozen=True)
class ReplayEvent:
    """A dated event of the register, at the day it happened (from the start)."""

    day: float
    date: str
    text: str
    row: str


@dataclass(frozen=True)
class ReplayWait:
    """Days the published run took beyond the model's time, at a stop."""

    place: str
    name: str
    start_day: float
    end_day: float
    row: str


@dataclass(frozen=True)
class Replay:
    """A shipment laid out in time.

    Attributes
    ----------
    rows
        The evidence rows replayed, in order (as read from the register).
    route
        The :class:`~corridormap.Route` through the rows' stops.
    legs, waits, events
        The timeline (days from ``start``).
    start
        The date of day 0 (the first event).
    notes
        What the replay had to assume (stretches whose mode the network lacks).
    """

    rows: tuple[Mapping[str, Any], ...]
    route: Any
    legs: tuple[ReplayLeg, ...]
    waits: tuple[ReplayWait, ...]
    events: tuple[ReplayEvent, ...]
    start: dt.date
    notes: tuple[str, ...] = field(default=())

    @property
    def days(self) -> float:
        """Days from the first event to the end of the last leg or wait."""
        ends = [x.end_day for x in (*self.legs, *self.waits)] + [e.day for e in self.events]
        return max(ends, default=0.0)


def _span(row: Mapping[str, Any], file: str) -> tuple[dt.date, float]:
    """The row's first event date and its duration in days."""
    events = row.get("events") or []
    if not events:
        raise SceneError("has no dated events to replay", file=file, feature=row["id"])
    first, _ = parse_date(events[0]["date"])
    last, full = parse_date(events[-1]["date"])
    obs = row.get("observed") or {}
    published = obs.get("unit") == "days" and obs.get("high")
    if full and last > first:
        span = float((last - first).days)
        if published:  # the last event need not be at the last stop: keep to the figure
            span = min(max(span, float(obs.get("low") or obs["high"])), float(obs["high"]))
        return first, span
    if published:
        return first, float(obs["high"])
    raise SceneError("needs a full last event date or observed days", file=file, feature=row["id"])


def replay(G: nx.MultiDiGraph, ids: Sequence[str]) -> Replay:
    """Lay the evidence rows ``ids`` (one shipment, in order) out in time on ``G``.

    Raises
    ------
    SceneError
        If an id is not in the register, a row has no dated events, consecutive rows do not
        meet at a place, or no route follows the path.
    """
    directory = G.graph.get("directory") or None
    file = evidence_path(directory).name
    register = evidence_rows(directory)
    rows = []
    for rid in ids:
        if rid not in register:
            raise SceneError(f"no movement {rid!r} in the evidence register", file=file)
        rows.append(register[rid])
    stops, modes, row_of_stretch = _joined_stops(rows, file)
    from .places import resolve_place

    try:
        stop_ids = [resolve_place(G, s) for s in stops]
    except CorridormapError as exc:
        raise SceneError(str(exc), file=file, feature=rows[0]["id"]) from None
    r, notes = _stops_route(G, stops, modes)
    if r is None:
        raise SceneError(f"no route follows {' - '.join(stops)}", file=file, feature=rows[0]["id"])
    # split the legs into stretches at the stops
    stretch_legs: list[list[Any]] = [[] for _ in modes]
    k = 0
    for leg in r.legs:
        stretch_legs[min(k, len(modes) - 1)].append(leg)
        if leg.get("kind") == "link" and leg.get("to") == stop_ids[min(k + 1, len(stops) - 1)]:
            k += 1
    start0, _ = _span(rows[0], file)
    legs, waits, events = [], [], []
    for i, row in enumerate(rows):
        mine = [leg for s, ls in enumerate(stretch_legs) if row_of_stretch[s] == i for leg in ls]
        t, end = _lay_out_row(row, mine, start0, file, legs)
        if end - t > 0.05:
            last = stop_ids[row_of_stretch.index(i) + sum(1 for x in row_of_stretch if x == i)]
            waits.append(ReplayWait(last, r.names.get(last, last), t, end, row["id"]))
        for e in row.get("events") or []:
            when, _ = parse_date(e["date"])
            events.append(
                ReplayEvent(float((when - start0).days), str(e["date"]), str(e["text"]), row["id"])
            )
    return Replay(
        rows=tuple(rows),
        route=r,
        legs=tuple(legs),
        waits=tuple(waits),
        events=tuple(sorted(events, key=lambda e: e.day)),
        start=start0,
        notes=tuple(notes),
    )


def _joined_stops(
    rows: list[dict[str, Any]], file: str
) -> tuple[list[str], list[str | None], list[int]]:
    """The stops of the rows' paths, joined where one ends and the next begins.

    Parameters
    ----------
    rows
        The evidence rows, in order.
    file
        The register's file name, for the errors.

    Returns
    -------
    tuple
        The stops (place names), the stated mode of each stretch between them (or None), and
        the row each stretch belongs to.

    Raises
    ------
    SceneError
        If a row's path has fewer than two places, or a row does not start where the one
        before ends.
    """
    stops: list[str] = []
    modes: list[str | None] = []
    row_of_stretch: list[int] = []
    for i, row in enumerate(rows):
        path = row.get("path") or []
        if len(path) < 2:
            raise SceneError("needs a path of two places or more", file=file, feature=row["id"])
        if stops and path[0]["place"] != stops[-1]:
            raise SceneError(
                f"starts at {path[0]['place']!r}, not where {rows[i - 1]['id']!r} ends",
                file=file,
                feature=row["id"],
            )
        if not stops:
            stops.append(path[0]["place"])
        for p in path[1:]:
            stops.append(p["place"])
            modes.append(p.get("by"))
            row_of_stretch.append(i)
    return stops, modes, row_of_stretch


def _stops_route(G: nx.MultiDiGraph, stops: list[str], modes: list[str | None]) -> tuple[Any, list]:
    """The route through the stops, each stretch by its stated mode where the network has one.

    A stretch the network cannot do by its stated mode is let use any mode, with a note.

    Parameters
    ----------
    G
        The network.
    stops
        The stops, in order.
    modes
        The stated mode of each stretch, or None.

    Returns
    -------
    tuple
        The :class:`~corridormap.routing.Route` (None if no route follows the stops) and the
        notes on the stretches drawn along their fastest route.
    """
    from .routing import route

    leg_modes: list[list[str] | None] = [[m] if m else None for m in modes]
    notes = []
    r = None
    for _ in range(len(leg_modes) + 1):
        try:
            r = route(G, stops[0], stops[-1], via=stops[1:-1], leg_modes=leg_modes)
            break
        except CorridormapError:
            # find a stretch the network cannot do by its stated mode: let it use any mode
            for k, lm in enumerate(leg_modes):
                if lm is None:
                    continue
                try:
                    route(G, stops[k], stops[k + 1], modes=lm)
                except CorridormapError:
                    notes.append(
                        f"{stops[k]} - {stops[k + 1]}: no {lm[0]} link in the network, "
                        "drawn along its fastest route"
                    )
                    leg_modes[k] = None
                    break
            else:
                break
    return r, notes


def _lay_out_row(
    row: dict[str, Any], mine: list[Any], start0: Any, file: str, legs: list[ReplayLeg]
) -> tuple[float, float]:
    """Lay a row's legs out in time, squeezed to its published days if the model is slower.

    Parameters
    ----------
    row
        The evidence row.
    mine
        Its legs of the route.
    start0
        The first row's start date (day 0).
    file
        The register's file name, for the errors.
    legs
        The replay's legs; this row's are appended.

    Returns
    -------
    tuple
        The day the row's last leg ends and the day the row ends as published.
    """
    first, days = _span(row, file)
    t = float((first - start0).days)
    model_days = sum(float(leg.get("time_h") or 0.0) for leg in mine) / 24.0
    scale = 1.0 if model_days <= days or model_days == 0 else days / model_days
    end = float((first - start0).days) + days
    for j, leg in enumerate(mine):
        d = float(leg.get("time_h") or 0.0) / 24.0 * scale
        # a scaled row ends exactly on its published days (no rounding short of them)
        stop = end if scale < 1.0 and j == len(mine) - 1 else t + d
        legs.append(ReplayLeg(leg, t, stop, row["id"]))
        t = stop
    return t, end
