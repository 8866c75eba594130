"""The model's prediction for each movement of the evidence register, as linear time terms.

A movement is replayed on the network and becomes the model's figure for the same thing, as
linear terms of the parameters (:mod:`corridormap.model`), so the Monte Carlo and the
calibration evaluate it without routing again:

* ``door_to_door``, ``port_to_port``, ``leg``: the best route from the first waypoint to the
  last, through the middle waypoints in order, each stretch restricted to the modes of the
  ``by`` of the waypoint it arrives at (:func:`corridormap.route` with ``leg_modes``). A
  door-to-door figure is the route's whole time; a port-to-port sailing or a leg starts when
  the first vehicle leaves and ends when the last arrives, so the transfers at the two ends
  (loading at the origin's gate with its wait for a departure, unloading at the destination)
  are left out. Transfers in between stay in.
* ``border_dwell`` (two places, the border's two sides): the border dwell term of the land
  link joining them (of the mode ``by`` names, where both a rail and a road link cross).
* ``terminal_dwell`` (one place): the transfer from the place's gate into its layer of mode
  ``by`` (the terminal dwell plus the wait for a departure where the model adds one), the
  quickest such transfer at likely values where the place has several layers of that mode.

A row whose place is not in the network, or that no route replays, is reported as not
replayable, with the reason, and is neither scored (:mod:`corridormap.backtest`) nor fitted
(:mod:`corridormap.calibrate`).
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
from .uncertainty import evaluate, param_array

__all__ = ["Prediction", "TermKey", "predict", "predict_all", "term_matrix"]

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
    keep = [
        leg.edge
        for leg in r.legs
        if mv.measure == "door_to_door"
        or leg["kind"] != "transfer"
        or GATE not in (leg.get("from_layer"), leg.get("to_layer"))
    ]
    factor = r.weight.term_factor() if r.weight is not None else None
    return Prediction(mv, terms=_time_terms(keep, factor), route=r)


def predict_all(G: nx.MultiDiGraph, movements: Iterable[Movement]) -> list[Prediction]:
    """:func:`predict` for every movement, in order."""
    return [predict(G, mv) for mv in movements]
