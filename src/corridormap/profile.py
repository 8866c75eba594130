"""A route's time-distance profile, and the words that describe each of its steps.

The UNESCAP / CAREC time-distance method: moving along a link advances distance and time
together; a border's dwell, a canal transit, a transfer's dwell and the wait for a sailing
advance time (and cost) where the cargo stands. :func:`route_profile` splits a route into
those steps (:class:`Step`), each named in words (``"Astara (IR): rail–road transshipment
36 h"``), and gives each vertex the P10/P50/P90 of its cumulative days and cost from the same
Monte Carlo as :func:`corridormap.uncertainty.route_percentiles`. The wait for the first
departure from the origin is a step of its own (``what = "schedule_wait"``), first: the
profile runs door to door, and the transit time is what follows that step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._schema import MAX_DRAWS, check_count
from .model import apply_discrepancy, discrepancy_rng, discrepancy_sigma, edge_terms, split_key
from .routing import Route
from .uncertainty import DRAWS, RouteTerms, evaluate, percentiles, sample

__all__ = ["Profile", "Step", "route_profile", "transfer_words"]


@dataclass(frozen=True)
class Step:
    """One piece of a route's time-distance profile (UNESCAP / CAREC CPMM method).

    Attributes
    ----------
    kind
        ``"move"`` (distance and time advance together) or ``"stop"`` (time and cost advance
        where the cargo stands: a border, a canal transit, a transfer, a wait for a sailing).
    what
        For a move, the link mode; for a stop, ``"border"``, ``"canal"`` or the transfer
        kind (``"rail_road"``, ``"port"`` ...).
    place
        Where: the place's name (for a move or a border, ``"from – to"``).
    name
        What the step is, in words (``"rail–road transshipment"``, ``"border AZ/IR"``).
    label
        What the step is, where and how long, e.g.
        ``"Astara (IR): rail–road transshipment 36 h"``.
    km, hours, usd
        ``(start, end)`` of cumulative distance, time and cost along the route.
    """

    kind: str
    what: str
    place: str
    name: str
    label: str
    km: tuple[float, float]
    hours: tuple[float, float]
    usd: tuple[float, float]

    @property
    def duration_h(self) -> float:
        """Hours the step adds."""
        return self.hours[1] - self.hours[0]


@dataclass
class Profile:
    """A route's time-distance and cost-distance profile.

    Attributes
    ----------
    route
        The route.
    steps
        :class:`Step` objects in travel order (expected values, through the route's weight),
        the wait for the first departure first when the route has one.
    km
        Cumulative distance at each vertex (``len(steps) + 1`` values, from 0).
    band
        ``{"days": {"p10", "p50", "p90"}, "cost_usd": {...}}``: arrays of the cumulative
        percentiles at each vertex from the Monte Carlo (``None`` without parameters). The
        last values are :func:`~corridormap.uncertainty.route_percentiles` of the route for
        the same draws and seed.
    draws, seed
        The Monte Carlo's draws and seed (``None`` without a band).
    """

    route: Route
    steps: list[Step]
    km: np.ndarray
    band: dict[str, dict[str, np.ndarray]] | None = None
    draws: int | None = None
    seed: int | None = None

    def stops(self, min_hours: float = 0.0) -> list[Step]:
        """The stop steps of at least ``min_hours``."""
        return [s for s in self.steps if s.kind == "stop" and s.duration_h >= min_hours]

    def to_frame(self):
        """One row per step: kind, what, place, label, km, hours and USD at start and end."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": s.kind,
                    "what": s.what,
                    "place": s.place,
                    "name": s.name,
                    "label": s.label,
                    "km_start": s.km[0],
                    "km_end": s.km[1],
                    "hours_start": s.hours[0],
                    "hours_end": s.hours[1],
                    "usd_start": s.usd[0],
                    "usd_end": s.usd[1],
                }
                for s in self.steps
            ]
        )


def _hours_text(h: float) -> str:
    return f"{h:.0f} h" if h < 72 else f"{h:.0f} h ({h / 24:.1f} d)"


def _words(name: str) -> str:
    return name.replace("_", " ")


def transfer_words(kind: str, params: Mapping[str, Any] | None) -> str:
    """A transfer kind in words.

    The table's own ``label`` if it has one, else from the name (``rail_road`` -> ``rail–road
    transshipment``, ``caspian_port`` -> ``caspian port handling``).
    """
    table = ((params or {}).get("transfers") or {}).get(kind)
    if isinstance(table, Mapping) and isinstance(table.get("label"), str):
        return table["label"]
    modes = set(((params or {}).get("modes") or {}).keys()) or {
        "rail",
        "road",
        "sea",
        "caspian",
        "ferry",
        "inland",
    }
    parts = kind.split("_")
    if len(parts) == 2 and set(parts) <= modes:
        return f"{parts[0]}–{parts[1]} transshipment"
    if parts[-1] in ("port", "terminal"):
        return f"{_words(kind)} handling"
    return _words(kind)


def _leg_pieces(leg, factor, params, first: bool) -> list[dict[str, Any]]:
    """A leg split into a stop (border, canal, transfer, wait) and a move, each with its ...

    ... expected hours and USD and its term coefficients ``{(quantity, key, inverse): coef}``.
    The route's ``first`` leg's wait for a departure is a stop of its own (the schedule wait).
    """
    transfer = leg["kind"] == "transfer"
    stop, move = _stop_and_move(leg, factor)
    out = []
    if first and transfer and stop["wait"] > 0:
        out.append(_schedule_wait_piece(leg, stop))
    if transfer or stop["hours"] > 0 or stop["usd"] > 0:
        what, where, name, text = _stop_words(leg, stop, params)
        out.append(
            {
                "kind": "stop",
                "what": what,
                "place": where,
                "name": name,
                "label": f"{where}: {text}",
                "km": 0.0,
                **stop,
            }
        )
    if not transfer:
        where = f"{leg['from_name']} – {leg['to_name']}"
        out.append(
            {
                "kind": "move",
                "what": str(leg["mode"]),
                "place": where,
                "name": str(leg["mode"]),
                "label": f"{where}: {leg['mode']}",
                "km": float(leg["distance_km"]),
                **move,
            }
        )
    return out


def _schedule_wait_piece(leg, stop: dict[str, Any]) -> dict[str, Any]:
    """Take the wait for the first departure out of the origin's ``stop``: a piece of its own."""
    coef = {k: c for k, c in stop["coef"].items() if k in stop["wait_keys"]}
    for k in coef:
        del stop["coef"][k]
    hours = stop["wait"]
    stop["hours"] -= hours
    stop["wait"] = 0.0
    to_layer = str(leg.get("to_layer") or "")
    service = _words(to_layer.split(":", 1)[1]) if ":" in to_layer else "the first"
    name = f"wait for the first {service} departure"
    return {
        "kind": "stop",
        "what": "schedule_wait",
        "place": leg["from_name"],
        "name": name,
        "label": f"{leg['from_name']}: {name} {_hours_text(hours)} (door to door only)",
        "km": 0.0,
        "hours": hours,
        "usd": 0.0,
        "coef": coef,
        "transit": False,
    }


def _stop_and_move(leg, factor) -> tuple[dict[str, Any], dict[str, Any]]:
    """A leg's hours, USD and term coefficients, split between where it stands and moves.

    Parameters
    ----------
    leg
        The route leg.
    factor
        The weight's term factor ``factor(edge, term)`` (a scenario's scaling), or None.

    Returns
    -------
    tuple
        The stop (``hours``, ``usd``, ``dwell``, ``wait``, ``coef``, ``canal``) and the move
        (``hours``, ``usd``, ``coef``). A hand-built edge without terms gives totals only.
    """
    d = leg.edge
    terms = edge_terms(d)
    transfer = leg["kind"] == "transfer"
    stop = {
        "hours": 0.0,
        "usd": 0.0,
        "dwell": 0.0,
        "wait": 0.0,
        "coef": {},
        "canal": None,
        "wait_keys": set(),
    }
    move = {"hours": 0.0, "usd": 0.0, "coef": {}}
    if not terms:  # a hand-built edge: totals only
        if transfer:
            stop.update(hours=float(leg["time_h"]), usd=float(leg["cost_usd"]))
            stop["dwell"] = stop["hours"]
        else:
            held = float(d.get("dwell_h", 0.0)) + float(d.get("wait_h", 0.0))
            held = min(held, float(leg["time_h"]))
            stop.update(hours=held, dwell=held)
            move.update(hours=float(leg["time_h"]) - held, usd=float(leg["cost_usd"]))
        return stop, move
    for t, x in zip(terms, d["parts"], strict=True):
        if t.quantity not in ("time_h", "cost_usd"):
            continue
        f = factor(d, t) if factor is not None else 1.0
        moving = not transfer and t.part in ("move", "rate")
        piece = move if moving else stop
        k = (t.quantity, t.key, t.inverse)
        piece["coef"][k] = piece["coef"].get(k, 0.0) + t.coef * f
        if t.quantity == "time_h":
            piece["hours"] += x * f
            if not moving:
                stop["wait" if t.part == "wait" else "dwell"] += x * f
                if t.part == "wait":
                    stop["wait_keys"].add(k)
                if t.key.startswith("canals."):
                    stop["canal"] = split_key(t.key)[1]
        else:
            piece["usd"] += x * f
    return stop, move


def _stop_words(leg, stop: Mapping[str, Any], params) -> tuple[str, str, str, str]:
    """What a stop is, where, its name and its text: a transfer, a canal or a border.

    Parameters
    ----------
    leg
        The route leg.
    stop
        Its stop (from :func:`_stop_and_move`).
    params
        The parameter file, for the transfers' words (or None).

    Returns
    -------
    tuple
        ``what`` (the transfer kind, ``canal`` or ``border``), the place, the name and the
        text with the hours.
    """
    if leg["kind"] == "transfer":
        what = str(leg.get("transfer") or "transfer")
        where = leg["from_name"]
        name = transfer_words(what, params)
        text = f"{name} {_hours_text(stop['dwell'])}"
        if stop["wait"] > 0:
            to_layer = str(leg.get("to_layer") or "")
            service = to_layer.split(":", 1)[1] if ":" in to_layer else "next"
            wait = f"wait for {_words(service)} sailing"
            name += f" + {wait}"
            text += f" + {wait} {_hours_text(stop['wait'])}"
    elif stop["canal"] is not None:
        what, where = "canal", f"{leg['from_name']} – {leg['to_name']}"
        name = f"{_words(stop['canal']).title()} canal transit"
        text = f"{name} {_hours_text(stop['hours'])}"
    else:
        what, where = "border", f"{leg['from_name']} – {leg['to_name']}"
        name = " ".join(["border", str(leg.get("country") or "")]).strip()
        text = f"{name} {_hours_text(stop['hours'])}"
    return what, where, name, text


def route_profile(
    r: Route,
    params: Mapping[str, Any] | None = None,
    *,
    draws: int = DRAWS,
    seed: int | None = 0,
) -> Profile:
    """The time-distance and cost-distance profile of a route, leg by leg.

    Moving along a link advances distance and time together; a border's dwell, a canal
    transit, a transfer's dwell and the wait for a sailing advance time (and cost) where the
    cargo stands: the vertical steps of the UNESCAP / CAREC time-distance method. Figures are
    the route's own (expected values, through the weight that found it, so a scenario's). The
    wait for the first departure is the first step, labelled as such: the profile ends at the
    door-to-door time, and the transit time is what follows that step.

    Parameters
    ----------
    r
        The route.
    params
        The parameter file (``G.graph["params"]``): with it, each vertex gets its P10/P50/P90
        of cumulative days and cost from the same Monte Carlo as
        :func:`~corridormap.uncertainty.route_percentiles` (the same draws and seed give the
        same end figures).
    draws, seed
        The Monte Carlo's draws and random seed.

    Returns
    -------
    Profile
    """
    factor = r.weight.term_factor() if r.weight is not None else None
    pieces = [p for i, leg in enumerate(r.legs) for p in _leg_pieces(leg, factor, params, i == 0)]
    steps, km, h, usd = [], 0.0, 0.0, 0.0
    vertices = [0.0]
    for p in pieces:
        step = Step(
            kind=p["kind"],
            what=p["what"],
            place=p["place"],
            name=p["name"],
            label=p["label"],
            km=(km, km + p["km"]),
            hours=(h, h + p["hours"]),
            usd=(usd, usd + p["usd"]),
        )
        steps.append(step)
        km, h, usd = step.km[1], step.hours[1], step.usd[1]
        vertices.append(km)
    prof = Profile(route=r, steps=steps, km=np.array(vertices))
    if params is None or not all(edge_terms(leg.edge) for leg in r.legs):
        return prof
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    T = RouteTerms.of({"route": r})  # the keys of route_percentiles
    index = {k: i for i, k in enumerate(T.keys)}
    time = np.zeros((len(T.keys), len(pieces)))
    cost = np.zeros((len(T.keys), len(pieces)))
    for j, p in enumerate(pieces):
        for (q, key, _), c in p["coef"].items():
            (time if q == "time_h" else cost)[index[key], j] += c
    values = sample(params, T.keys, draws, seed)
    # the model's error scales the route's transit time (not the wait for the first
    # departure), drawn from the route's own stream as route_percentiles draws it
    f = apply_discrepancy(
        np.ones(draws), discrepancy_sigma(params), discrepancy_rng(seed, T.ids[0])
    )
    transit = np.array([p.get("transit", True) for p in pieces])
    days = evaluate(values, T.inverse, time) / 24.0
    days = np.where(transit[None, :], days * f[:, None], days)
    cum_days = np.cumsum(days, axis=1)
    cum_usd = np.cumsum(evaluate(values, T.inverse, cost), axis=1)

    def pct(a: np.ndarray) -> dict[str, np.ndarray]:
        a = np.concatenate([np.zeros((a.shape[0], 1)), a], axis=1)
        p10, p50, p90 = percentiles(a, axis=0)
        return {"p10": p10, "p50": p50, "p90": p90}

    prof.band = {"days": pct(cum_days), "cost_usd": pct(cum_usd)}
    prof.draws, prof.seed = draws, seed
    return prof
