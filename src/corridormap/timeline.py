"""The corridor through time: the best route between two places on the network of each year.

:func:`through_time` builds the network as of one day of every year (1 July by default, the
middle of the year: :mod:`corridormap.asof` has the rules) and finds the best route on it, once
per series (any mode, or only some modes). Each year also lists what the data dates in it:
the places and links opened or closed, the targets of planned links, and the dated changes of
capacities and service frequencies. Years after today are projections: planned links open at
their sourced targets.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import InputError, NoRouteError, NotInServiceError
from ._schema import MODES, as_names, check_name, read_date, show
from ._today import today as current_day
from .asof import as_of_date, dated_events, geodata_as_of
from .io import Geodata, load_geodata
from .network import build_network
from .routing import route

__all__ = ["Timeline", "through_time"]

#: the day of each year whose network is shown: the middle of the year
DEFAULT_DAY = "07-01"
#: the most years one timeline may hold (each builds a network)
MAX_YEARS = 400
#: the series drawn when none is given: the best route by any mode
DEFAULT_SERIES = ({"label": "best route", "modes": None},)


@dataclass(frozen=True)
class Timeline:
    """The best route between two places on the network of each year.

    Attributes
    ----------
    origin, destination
        The ends as given (names, ids or aliases).
    day
        The day of each year shown, ``MM-DD``.
    today
        The day that separates history from projection (ISO).
    series
        ``label`` and ``modes`` (``None``: any mode) of each series.
    rows
        One per year: ``year``, ``date`` (ISO), ``projection`` (after today), ``results``
        (per series: ``label``, ``days`` (the route's expected transit days, ``None`` for
        no route), ``route`` (place names in order), ``modes`` (the link modes it uses) and
        ``note`` (why there is no route)) and ``events`` (what the data dates in that year).
    events
        Every dated fact in the years shown (:func:`corridormap.asof.dated_events`).
    directory
        The geodata directory read.
    """

    origin: str
    destination: str
    day: str
    today: str
    series: tuple[dict[str, Any], ...]
    rows: tuple[dict[str, Any], ...]
    events: tuple[dict[str, Any], ...] = field(default=())
    directory: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the ends, the day, today, the series, the rows and the events."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "day": self.day,
            "today": self.today,
            "series": [dict(s) for s in self.series],
            "rows": [dict(r) for r in self.rows],
            "events": [dict(e) for e in self.events],
        }

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per year and series.

        Columns: ``year``, ``date``, ``projection``, ``series``, ``days``, ``route`` (the
        places joined by `` - ``) and ``note``.
        """
        import pandas as pd

        rows = [
            {
                "year": r["year"],
                "date": r["date"],
                "projection": r["projection"],
                "series": res["label"],
                "days": res["days"],
                "route": " - ".join(res["route"]),
                "note": res["note"],
            }
            for r in self.rows
            for res in r["results"]
        ]
        return pd.DataFrame(
            rows, columns=["year", "date", "projection", "series", "days", "route", "note"]
        )

    def to_html(self, *, title: str | None = None) -> str:
        """The offline page with a slider over the years (:mod:`corridormap.render.timeline`)."""
        from .render.timeline import timeline_page

        return timeline_page(self.to_dict(), title=title)

    def save(self, path: str | os.PathLike[str], *, title: str | None = None) -> Path:
        """Write :meth:`to_html` to ``path`` atomically; returns the path."""
        from ._atomic import atomic_write

        return atomic_write(path, self.to_html(title=title))

    def __repr__(self) -> str:
        first = self.series[0]["label"] if self.series else ""
        figures = ", ".join(
            f"{r['year']}: {_days(r['results'][0]['days'])}" for r in self.rows if r["results"]
        )
        return (
            f"Timeline({self.origin} -> {self.destination}, {first}, as of {self.day} each "
            f"year: {figures})"
        )


def _days(value: float | None) -> str:
    return "no route" if value is None else f"{value:.1f} d"


def _check_years(years: Iterable[int]) -> list[int]:
    """``years`` as a sorted list of distinct whole years (an :class:`InputError` otherwise)."""
    try:
        items = list(years)
    except TypeError:
        raise InputError(
            f"years must be a list of years, got {type(years).__name__} {show(years)}"
        ) from None
    if not items or len(items) > MAX_YEARS:
        raise InputError(f"years must hold 1 to {MAX_YEARS} years, got {len(items)}")
    for y in items:
        if isinstance(y, bool) or not isinstance(y, int) or not 1 <= y <= 9999:
            raise InputError(f"years must be whole years such as 2018, got {show(y)}")
    return sorted(set(items))


def _check_series(series: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each series as ``{label, modes}``, checked (modes known, label a text)."""
    out = []
    for i, s in enumerate(DEFAULT_SERIES if series is None else series):
        if not isinstance(s, dict) or not isinstance(s.get("label"), str):
            raise InputError(f"series[{i}] must be a dict with a 'label' text, got {show(s)}")
        modes = as_names(s.get("modes"), f"series[{i}] modes") or None
        for m in modes or ():
            if m not in MODES:
                raise InputError(f"series[{i}] names mode {m!r}; modes are {', '.join(MODES)}")
        out.append({"label": s["label"], "modes": modes})
    if not out:
        raise InputError("series must hold at least one series")
    return out


def _best(G: Any, origin: str, destination: str, modes: list[str] | None) -> dict[str, Any]:
    """The best route's expected transit days, places and modes, or why there is none."""
    try:
        r = route(G, origin, destination, modes=modes)
    except (NoRouteError, NotInServiceError) as exc:
        return {"days": None, "route": [], "modes": [], "note": " ".join(str(exc).split())}
    used = []
    for leg in r.legs:
        m = leg.get("mode")
        if leg.get("kind") == "link" and m and m not in used:
            used.append(m)
    return {
        "days": round(float(r.days), 2),
        "route": [str(r.names.get(n, n)) for n in r.nodes],
        "modes": used,
        "note": "",
    }


def through_time(
    directory: str | os.PathLike[str] | None,
    origin: str,
    destination: str,
    years: Iterable[int] = range(2010, 2031),
    *,
    series: Sequence[dict[str, Any]] | None = None,
    day: str = DEFAULT_DAY,
    today: Any = None,
    geodata: Geodata | None = None,
) -> Timeline:
    """The best route between two places on the network of each year.

    Parameters
    ----------
    directory
        A geodata directory, or ``None`` for the bundled data.
    origin, destination
        Place ids, names or aliases.
    years
        The years shown.
    series
        Dicts ``{"label": ..., "modes": [...]}`` (modes ``None`` or absent: any mode); one
        route per series and year. Default: one series, the best route by any mode.
    day
        The day of each year whose network is used, ``MM-DD`` (default ``07-01``, mid-year).
    today
        The day after which a year is a projection (default: the computer's date); see
        :func:`corridormap.asof.geodata_as_of`.
    geodata
        Already loaded geodata to use instead of reading ``directory``.

    Returns
    -------
    Timeline
        Per year, each series' best route (its expected transit days, :attr:`Route.days`) and
        what opened, closed or changed that year.

    Raises
    ------
    InputError
        For bad years, series, day or today.
    GeodataError
        If the data cannot be read.
    """
    check_name(origin, "origin")
    check_name(destination, "destination")
    wanted = _check_years(years)
    lines = _check_series(series)
    if not isinstance(day, str) or read_date(f"2001-{day}") is None or len(day) != 5:
        raise InputError(f"day must be MM-DD (a day every year has), got {show(day)}")
    now = current_day() if today is None else as_of_date(today, what="today")
    gd = geodata if geodata is not None else load_geodata(directory)
    shown = set(wanted)
    events = [e for e in dated_events(gd, today=now) if e["day"] and int(e["day"][:4]) in shown]
    rows = []
    for year in wanted:
        date = f"{year:04d}-{day}"
        G = build_network(geodata_as_of(gd, date, today=now))
        results = [
            {"label": s["label"], **_best(G, origin, destination, s["modes"])} for s in lines
        ]
        rows.append(
            {
                "year": year,
                "date": date,
                "projection": as_of_date(date) > now,
                "results": results,
                "events": [e for e in events if int(e["day"][:4]) == year],
            }
        )
    return Timeline(
        origin=origin,
        destination=destination,
        day=day,
        today=now.isoformat(),
        series=tuple(lines),
        rows=tuple(rows),
        events=tuple(events),
        directory=gd.directory,
    )
