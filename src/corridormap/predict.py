"""The model's prediction for each movement of the evidence register, as linear time terms.

A movement is replayed on the network and becomes the model's figure for the same thing, as
linear terms of the parameters (:mod:`corridormap.model`), so the Monte Carlo and the
calibration evaluate it without routing again:

* ``door_to_door``, ``port_to_port``, ``leg``: the best route from the first waypoint to the
  last, through the middle waypoints in order, each stretch restricted to the modes of the
  ``by`` of the waypoint it arrives at (:func:`corridormap.route` with ``leg_modes``, on the
  network of the row's own date when the predictions are made by
  :func:`corridormap.backtest.backtest`). The figure is the part of the route the row's
  ``clock`` measures (:data:`corridormap.evidence.CLOCKS`):

  - ``door_to_door_with_wait``: the whole route, the wait for the first departure included;
  - ``from_loading``: the transit time, from handing the cargo over at the origin (its
    terminal or port dwell) without the wait for the first departure;
  - ``from_sailing``: from the first vehicle leaving (the origin's transfer left out);
  - ``port_to_port`` and ``leg``: from the first vehicle leaving to the last arriving (the
    transfers at both ends left out).

  Transfers in between, and the waits for later departures, stay in on every clock.
* ``border_dwell`` (two places, the border's two sides): the border dwell term of the land
  link joining them (of the mode ``by`` names, where both a rail and a road link cross).
* ``terminal_dwell`` (one place): the transfer from the place's gate into its layer of mode
  ``by`` (the terminal dwell plus the wait for a departure where the model adds one), the
  quickest such transfer at likely values where the place has several layers of that mode.

A row whose place is not in the network, or that no route replays, is reported as not
replayable, with the reason, and is neither scored (:mod:`corridormap.backtest`) nor fitted
(:mod:`corridormap.calibrate`).

**The network of the row's own date.** :class:`DatedNetworks` gives each row the network of
its ``date`` (:func:`corridormap.asof.geodata_as_of`: the links and places in service then,
that day's service frequencies): the 2016 trial crosses Astara by road, the rail link being
built in 2018; the 2014 dry runs ran before the Qazvin–Rasht railway. A network is built once
for each distinct state of the data, not once per row. :func:`predict_all` takes such a set
of networks, or one network for every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ._errors import (
    AmbiguousPlaceError,
    InputError,
    NoRouteError,
    PassThroughPlaceError,
    UnknownPlaceError,
)
from .evidence import DWELLS, Movement
from .model import edge_terms, layer_mode, sum_terms
from .network import GATE, layer_nodes
from .places import check_end, resolve_place
from .routing import Route, route
from .uncertainty import evaluate, expected_row, param_array, split_first_wait

__all__ = ["DatedNetworks", "Prediction", "TermKey", "predict", "predict_all", "term_matrix"]

#: a time term of a predicted figure: (parameter key, inverse) -> coefficient (hours)
TermKey = tuple[str, bool]


@dataclass
class Prediction:
    """The model's figure for one movement of the register.

    Attributes
    ----------
    movement
        The register row.
    terms
        The model figure as time terms ``(key, inverse) -> coefficient`` (hours), or ``None``
        when the row is not replayable.
    reason
        Why the row is not replayable (``None`` when it is).
    route
        The route replaying a movement (``None`` for dwell rows).
    """

    movement: Movement
    terms: dict[TermKey, float] | None = None
    reason: str | None = None
    route: Route | None = None

    @property
    def ok(self) -> bool:
        """Whether the movement could be replayed (it has model terms)."""
        return self.terms is not None

    def likely_days(self, params: Mapping[str, Any]) -> float:
        """The figure at the parameters' likely values, days."""
        assert self.terms is not None
        return _likely_hours(self.terms, params) / 24.0

    def signature(self) -> tuple:
        """What the prediction took (its terms), to tell when a re-route changed it."""
        if self.terms is None:
            return ()
        return tuple(sorted((k, i, round(c, 6)) for (k, i), c in self.terms.items()))


def term_matrix(
    terms: Sequence[Mapping[TermKey, float]],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Figures' time terms as the ``(keys, inverse, coef)`` that evaluate them.

    The keys are sorted; ``coef`` is keys x figures (hours), for
    :func:`~corridormap.uncertainty.evaluate`.
    """
    inv: dict[str, bool] = {}
    for t in terms:
        for k, i in t:
            inv[k] = i
    keys = sorted(inv)
    index = {k: j for j, k in enumerate(keys)}
    coef = np.zeros((len(keys), len(terms)))
    for col, t in enumerate(terms):
        for (k, _), c in t.items():
            coef[index[k], col] += c
    return keys, np.array([inv[k] for k in keys], dtype=bool), coef


def _likely_hours(terms: Mapping[TermKey, float], params: Mapping[str, Any]) -> float:
    keys, inverse, coef = term_matrix([terms])
    return float(evaluate(param_array(params, keys), inverse, coef)[0])


def clock_days(r: Route, clock: str, params: Mapping[str, Any]) -> float:
    """The expected days of the part of route ``r`` that an evidence ``clock`` measures.

    The clocks are those of :data:`corridormap.evidence.CLOCKS` (module notes): a published
    port-to-port time is set beside the route's sea legs and the transfers between them, not
    beside its door-to-door or transit figure.
    """
    factor = r.weight.term_factor() if r.weight is not None else None
    keys, inverse, coef = term_matrix([_clock_terms(r, clock, factor)])
    return float(evaluate(expected_row(params, keys, inverse), inverse, coef)[0]) / 24.0


def _time_terms(edges: Iterable[Mapping[str, Any]], factor: Any = None) -> dict[TermKey, float]:
    """The time terms of ``edges`` added up (through a weight's ``factor``)."""
    return {(k, inv): c for (q, k, inv), c in sum_terms(edges, factor).items() if q == "time_h"}


def _resolve(G: nx.MultiDiGraph, mv: Movement) -> list[str] | str:
    ids = []
    for w in mv.path:
        try:
            ids.append(resolve_place(G, w.place))
        except AmbiguousPlaceError:
            return f"place {w.place!r} is ambiguous in the network"
        except UnknownPlaceError:
            return f"place {w.place!r} not in the network"
    # a routed row starts and ends where a route can (a dwell row names its place only)
    if mv.measure not in DWELLS:
        try:
            check_end(G, ids[0], "origin", mv.path[0].place)
            check_end(G, ids[-1], "destination", mv.path[-1].place)
        except PassThroughPlaceError as exc:
            return str(exc)
    return ids


def _border_terms(G: nx.MultiDiGraph, mv: Movement, ids: list[str]) -> dict | str:
    if len(ids) != 2:
        return "a border_dwell row needs the border's two sides"
    a, b = ids
    modes = set(mv.path[1].by or mv.path[0].by or ())
    found: dict[str, dict[TermKey, float]] = {}
    for n in layer_nodes(G, a):
        for _, _v, d in G.out_edges(n, data=True):
            if d["kind"] != "link" or d["v_place"] != b or not d.get("border"):
                continue
            if modes and d["mode"] not in modes:
                continue
            terms = {
                (t.key, t.inverse): t.coef
                for t in edge_terms(d)
                if t.quantity == "time_h" and t.part == "dwell" and t.key.startswith("borders.")
            }
            if terms:
                found[d["mode"]] = terms
    if not found:
        how = f" by {', '.join(sorted(modes))}" if modes else ""
        return f"no border link{how} joins {a} and {b} in the network"
    distinct = {tuple(sorted(t.items())) for t in found.values()}
    if len(distinct) > 1:
        return (
            f"{a} and {b} are joined by {', '.join(sorted(found))} border links: "
            "give the mode with `by`"
        )
    return next(iter(found.values()))


def _terminal_terms(G: nx.MultiDiGraph, mv: Movement, ids: list[str]) -> dict | str:
    if len(ids) != 1:
        return "a terminal_dwell row names one place, the terminal"
    p = ids[0]
    modes = set(mv.path[0].by or ())
    params = G.graph["params"]
    cands = []
    if p in G:
        for _, _v, d in G.out_edges(p, data=True):
            if d.get("kind") != "transfer" or d.get("from_layer") != GATE:
                continue
            mode = layer_mode(d["to_layer"])
            cands.append((mode, d))
    if not modes:
        present = {m for m, _ in cands}
        if len(present) != 1:
            return (
                f"{p} has layers of {', '.join(sorted(present)) or 'no mode'}: "
                "give the terminal's mode with `by`"
            )
        modes = present
    best = None
    for mode, d in cands:
        if mode not in modes:
            continue
        terms = _time_terms([d])
        x = _likely_hours(terms, params)
        if best is None or x < best[0]:
            best = (x, terms)
    if best is None:
        return f"{p} has no {'/'.join(sorted(modes))} terminal in the network"
    return best[1]


def predict(G: nx.MultiDiGraph, mv: Movement) -> Prediction:
    """The model's figure for one movement (see the module docstring for the rules)."""
    ids = _resolve(G, mv)
    if isinstance(ids, str):
        return Prediction(mv, reason=ids)
    if mv.measure in DWELLS:
        fn = _border_terms if mv.measure == "border_dwell" else _terminal_terms
        got = fn(G, mv, ids)
        return Prediction(mv, reason=got) if isinstance(got, str) else Prediction(mv, terms=got)
    try:
        r = route(
            G,
            ids[0],
            ids[-1],
            via=ids[1:-1],
            leg_modes=[list(w.by) if w.by else None for w in mv.path[1:]],
        )
    except (NoRouteError, InputError) as exc:
        return Prediction(mv, reason=f"no route: {exc}")
    factor = r.weight.term_factor() if r.weight is not None else None
    return Prediction(mv, terms=_clock_terms(r, mv.clock, factor), route=r)


def _clock_terms(r: Route, clock: str, factor: Any) -> dict[TermKey, float]:
    """The time terms of the part of route ``r`` that ``clock`` measures (module notes)."""
    edges = [leg.edge for leg in r.legs]
    if clock in ("port_to_port", "leg"):
        return _time_terms(
            [e for e in edges if GATE not in (e.get("from_layer"), e.get("to_layer"))], factor
        )
    if clock == "from_sailing":
        return _time_terms([e for e in edges if e.get("from_layer") != GATE], factor)
    transit, _wait = split_first_wait(edges, factor)
    if clock == "from_loading":
        return {(k, inv): c for (q, k, inv), c in transit.items() if q == "time_h"}
    return _time_terms(edges, factor)


class DatedNetworks:
    """The network of each date a movement names, built once per distinct state of the data.

    Parameters
    ----------
    gd
        The geodata (:class:`~corridormap.io.Geodata`), as written.
    params
        Parameters to build with instead of the geodata's own (a calibration's), or ``None``.
    """

    def __init__(self, gd: Any, params: Mapping[str, Any] | None = None) -> None:
        from dataclasses import replace

        self.gd = gd if params is None else replace(gd, params=params)
        self._by_state: dict[str, nx.MultiDiGraph] = {}
        self._by_date: dict[str, nx.MultiDiGraph] = {}

    def network(self, date: str) -> nx.MultiDiGraph:
        """The network as of ``date`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)."""
        hit = self._by_date.get(date)
        if hit is not None:
            return hit
        import json

        from .asof import geodata_as_of
        from .network import build_network

        dated = geodata_as_of(self.gd, date)
        record = dict(dated.as_of or {})
        record.pop("date", None)
        state = json.dumps(record, sort_keys=True, default=str)
        G = self._by_state.get(state)
        if G is None:
            G = self._by_state[state] = build_network(dated)
        self._by_date[date] = G
        return G


def predict_all(
    G: nx.MultiDiGraph | DatedNetworks, movements: Iterable[Movement]
) -> list[Prediction]:
    """:func:`predict` for every movement, in order.

    ``G`` is one network for every row, or :class:`DatedNetworks` (each row on the network
    of its own date).
    """
    if isinstance(G, DatedNetworks):
        return [predict(G.network(mv.date), mv) for mv in movements]
    return [predict(G, mv) for mv in movements]
