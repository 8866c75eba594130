"""The weight every analysis routes with: objective, closures, openings and a scenario's scaling.

A :class:`Weight` is immutable and callable as networkx expects (``weight(u, v, edges)`` on a
MultiDiGraph returns the least weight of the visible parallel edges, or ``None`` when all are
hidden). Closing more makes a new weight (:meth:`Weight.closing`); nothing is taken apart or
cached on the side. A weight may carry ``extra`` hours per element (a place's handling or one
direction of a link, see :func:`element_of`): the queues a volume assignment finds
(:func:`corridormap.assign`), added to the time of every edge of that element. The figures
a route reports come from :meth:`Weight.measure`, so a route found under a scenario reports
that scenario's times everywhere.

The edge figures themselves follow from :mod:`corridormap.model`.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from ._errors import InputError
from .model import Scaling

__all__ = ["CLOCKS", "OBJECTIVES", "Weight", "element_of", "make_weight", "objective_attr"]

#: user-facing objective names and the edge attribute each minimises
OBJECTIVES = {"time": "time_h", "cost": "cost_usd", "distance": "distance_km", "co2": "co2_kg"}
#: the clocks a time is on: ``transit`` starts when the cargo is handed to the first carrier at
#: the origin (its wait for the first departure is apart, as ``schedule_wait``);
#: ``door-to-door`` includes that wait
CLOCKS = ("transit", "door-to-door")
GATE = "gate"

Edges = Mapping[Any, Mapping[str, Any]]


def objective_attr(by: str) -> str:
    """The edge attribute of an objective name (``"time"`` -> ``"time_h"``).

    Raises
    ------
    InputError
        If ``by`` is neither an objective name nor an edge attribute.
    """
    if by in OBJECTIVES:
        return OBJECTIVES[by]
    if by in OBJECTIVES.values():
        return by
    raise InputError(
        f"by must be one of {', '.join(OBJECTIVES)} "
        f"(or {', '.join(OBJECTIVES.values())}), got {by!r}"
    )


def element_of(d: Mapping[str, Any]) -> tuple[str, ...]:
    """The capacity element an edge belongs to.

    ``("link", link_id, from_place, to_place)`` for a link travelled in one direction (its
    service layers share the link's capacity), ``("place", place_id)`` for a transfer (every
    transfer at a place shares the place's handling capacity, as in
    :func:`corridormap.min_cut`).
    """
    lid = d.get("link_id")
    if lid is not None:
        return ("link", lid, d["u_place"], d["v_place"])
    return ("place", d.get("place", d["u_place"]))


@dataclass(frozen=True, eq=False)
class Weight:
    """A networkx weight with closures, openings and a scenario's scaling applied.

    Build it with :func:`make_weight` or a scenario's ``weight()``; it never changes.

    Attributes
    ----------
    by
        The edge attribute minimised: ``time_h``, ``cost_usd``, ``distance_km`` or ``co2_kg``.
    closed_links, closed_places
        Link ids and place ids whose edges are hidden.
    opened_links
        Planned or under-construction link ids treated as routable.
    ends
        ``(origin, destination)`` place ids: cargo may leave a place's gate only at the origin
        and enter one only at the destination, so no route passes through a gate; and it
        changes no vehicle at its own ends (it boards its first vehicle from the origin's gate
        and leaves its last one into the destination's).
    scaling
        A scenario's rescaling of time terms (:class:`corridormap.model.Scaling`), or ``None``.
    modes
        Link modes allowed (``None``: all).
    scenario
        The name of the scenario(s) applied, for labelling results (``"baseline"``).
    extra
        Hours added to the time of every edge of an element (:func:`element_of` key ->
        hours), e.g. the queues of a volume assignment; only with ``by="time_h"``. Empty by
        default, when the weight is exactly what it was without it.
    clock
        Which time the route is on (:data:`CLOCKS`): ``transit`` (the default) leaves out the
        wait for the first departure from the origin (the wait of the edge that leaves the
        origin's gate), ``door-to-door`` counts it. Waits for later departures along the
        route count on both clocks.
    """

    by: str = "time_h"
    closed_links: frozenset[str] = frozenset()
    closed_places: frozenset[str] = frozenset()
    opened_links: frozenset[str] = frozenset()
    ends: tuple[str, str] | None = None
    scaling: Scaling | None = None
    modes: frozenset[str] | None = None
    scenario: str = "baseline"
    extra: Mapping[tuple[str, ...], float] = field(default_factory=dict)
    clock: str = "transit"
    _fn: Callable[[str, str, Edges], float | None] = field(init=False, repr=False, compare=False)
    _cost: Callable[[Mapping[str, Any]], float] = field(init=False, repr=False, compare=False)
    _visible: Callable[[Mapping[str, Any]], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "by", objective_attr(self.by))
        if self.clock not in CLOCKS:
            raise InputError(f"clock must be one of {', '.join(CLOCKS)}, got {self.clock!r}")
        for name in ("closed_links", "closed_places", "opened_links"):
            setattr_(self, name, frozenset(getattr(self, name)))
        if self.modes is not None:
            setattr_(self, "modes", frozenset(self.modes))
        if self.scaling is not None and not self.scaling:
            setattr_(self, "scaling", None)
        extra = {k: float(x) for k, x in dict(self.extra or {}).items() if x}
        if extra and self.by != "time_h":
            raise InputError(f"extra hours apply to the time objective only, not {self.by!r}")
        for k, x in extra.items():
            if not (math.isfinite(x) and x >= 0):
                raise InputError(f"extra hours must be finite and >= 0, got {x!r} for {k!r}")
        setattr_(self, "extra", MappingProxyType(extra))
        visible = self._make_visible()
        cost = self._make_cost()
        setattr_(self, "_fn", self._make_fn(visible, cost))
        setattr_(self, "_cost", cost)
        setattr_(self, "_visible", visible)

    def _make_fn(
        self,
        visible: Callable[[Mapping[str, Any]], bool],
        cost: Callable[[Mapping[str, Any]], float],
    ) -> Callable[[str, str, Edges], float | None]:
        attr = self.by
        plain = (self.scaling is None or attr != "time_h") and not self.extra
        plain = plain and not self.transit
        if plain:  # the hot path: a stored attribute

            def weight(u: str, v: str, edges: Edges) -> float | None:
                best = None
                for d in edges.values():
                    if visible(d):
                        c = d[attr] + d.get("tiebreak", 0.0)
                        if best is None or c < best:
                            best = c
                return best

        else:

            def weight(u: str, v: str, edges: Edges) -> float | None:
                best = None
                for d in edges.values():
                    if visible(d):
                        c = cost(d)
                        if best is None or c < best:
                            best = c
                return best

        return weight

    def _make_visible(self) -> Callable[[Mapping[str, Any]], bool]:
        links, nodes, opened = self.closed_links, self.closed_places, self.opened_links
        ends, modes = self.ends, self.modes
        starts, stops = (
            (_as_set(ends[0]), _as_set(ends[1])) if ends is not None else (frozenset(), frozenset())
        )

        def visible(d: Mapping[str, Any]) -> bool:
            lid = d.get("link_id")
            if lid is not None:
                if lid in links:
                    return False
                if not d["routable"] and lid not in opened:
                    return False
                if modes is not None and d["mode"] not in modes:
                    return False
            elif ends is not None:
                if d["from_layer"] == GATE:
                    if d["u_place"] not in starts:
                        return False
                elif d["to_layer"] == GATE:
                    if d["v_place"] not in stops:
                        return False
                elif d["u_place"] in starts or d["u_place"] in stops:
                    # no change of vehicle at the route's own ends
                    return False
            return not (nodes and (d["u_place"] in nodes or d["v_place"] in nodes))

        return visible

    @property
    def transit(self) -> bool:
        """Whether the objective is time on the transit clock (the first wait left out)."""
        return self.by == "time_h" and self.clock == "transit"

    def _make_cost(self) -> Callable[[Mapping[str, Any]], float]:
        attr = self.by
        extra = self.extra
        scaling = self.scaling if attr == "time_h" else None
        if scaling is not None and self.transit:

            def base(d: Mapping[str, Any]) -> float:
                return scaling.time_h(d, wait=d.get("from_layer") != GATE)

        elif scaling is not None:
            base = scaling.time_h
        elif self.transit:

            def base(d: Mapping[str, Any]) -> float:
                if d.get("from_layer") == GATE:
                    return d["time_h"] - d.get("wait_h", 0.0)
                return d["time_h"]

        else:

            def base(d: Mapping[str, Any]) -> float:
                return d[attr]

        if not extra:

            def cost(d: Mapping[str, Any]) -> float:
                return base(d) + d.get("tiebreak", 0.0)

            return cost

        def cost(d: Mapping[str, Any]) -> float:
            return base(d) + extra.get(element_of(d), 0.0) + d.get("tiebreak", 0.0)

        return cost

    # -- networkx ------------------------------------------------------------------------
    def __call__(self, u: str, v: str, edges: Edges) -> float | None:
        """The least weight of the visible parallel edges ``u -> v``, or ``None``."""
        return self._fn(u, v, edges)

    @property
    def fn(self) -> Callable[[str, str, Edges], float | None]:
        """The plain function networkx calls (the same answers as the weight itself)."""
        return self._fn

    def visible(self, d: Mapping[str, Any]) -> bool:
        """Whether edge ``d`` can be used."""
        return self._visible(d)

    def cost(self, d: Mapping[str, Any]) -> float:
        """The objective value of edge ``d`` (under the scenario's scaling), with its tie-break.

        Every edge built by :func:`corridormap.build_network` carries a ``tiebreak`` of at most
        a millionth of an hour (:func:`corridormap.network.tiebreak`), so no two routes tie and
        every search finds the same one; the route's figures (:meth:`measure`) leave it out.
        """
        return self._cost(d)

    def measure(self, d: Mapping[str, Any]) -> dict[str, float]:
        """The figures of edge ``d`` as routed: distance, time, cost, CO2 (expected values).

        ``time_h`` is on the weight's clock and under its scenario (rescaled), with the
        weight's ``extra`` hours; ``schedule_wait_h`` is the wait for the first departure when
        ``d`` leaves a gate (0 otherwise): left out of ``time_h`` on the transit clock,
        included on the door-to-door clock.
        """
        first = d.get("from_layer") == GATE
        if self.scaling is not None:
            wait = self.scaling.wait_h(d) if first else 0.0
            time_h = self.scaling.time_h(d)
        else:
            wait = float(d.get("wait_h", 0.0)) if first else 0.0
            time_h = float(d["time_h"])
        if self.clock == "transit":
            time_h -= wait
        if self.extra:
            time_h += self.extra.get(element_of(d), 0.0)
        return {
            "distance_km": float(d["distance_km"]),
            "time_h": time_h,
            "schedule_wait_h": wait,
            "cost_usd": float(d["cost_usd"]),
            "co2_kg": float(d["co2_kg"]),
        }

    def best_edge(self, G: Any, u: str, v: str) -> Mapping[str, Any]:
        """The cheapest visible edge ``u -> v`` of ``G`` (the one the route took).

        Raises
        ------
        LookupError
            If no edge ``u -> v`` is visible.
        """
        best, best_c = None, math.inf
        for d in G[u][v].values():
            if self._visible(d):
                c = self._cost(d)
                if best is None or c < best_c:
                    best, best_c = d, c
        if best is None:
            raise LookupError(f"no visible edge {u!r} -> {v!r}")
        return best

    def path_edges(self, G: Any, path: Iterable[str]) -> list[Mapping[str, Any]]:
        """The edges a node path took, one per step."""
        nodes = list(path)
        return [self.best_edge(G, u, v) for u, v in itertools.pairwise(nodes)]

    def term_factor(self) -> Callable[[Mapping[str, Any], Any], float] | None:
        """``f(edge, term)`` rescaling a term's coefficient under the scenario, or ``None``."""
        return self.scaling.factor if self.scaling is not None else None

    # -- new weights ---------------------------------------------------------------------
    def closing(self, links: Iterable[str] = (), places: Iterable[str] = ()) -> Weight:
        """A copy of this weight with more links and places closed (itself if none is new)."""
        links, places = frozenset(links), frozenset(places)
        if links <= self.closed_links and places <= self.closed_places:
            return self
        return replace(
            self, closed_links=self.closed_links | links, closed_places=self.closed_places | places
        )

    def opening(self, links: Iterable[str] = ()) -> Weight:
        """A copy of this weight with more planned links made routable.

        A closed link stays closed.
        """
        return replace(self, opened_links=self.opened_links | frozenset(links))

    def between(self, origin: str | None, destination: str | None) -> Weight:
        """A copy of this weight bound to a route's ends (``None``: unbound).

        Either end may also be a set of place ids (a region): cargo may then leave the gate
        of any of them, or enter the gate of any of them.
        """
        ends = None if origin is None or destination is None else (origin, destination)
        return self if ends == self.ends else replace(self, ends=ends)

    def with_extra(self, extra: Mapping[tuple[str, ...], float]) -> Weight:
        """A copy of this weight with ``extra`` hours per element (replacing any it had)."""
        return replace(self, extra=extra)

    def only_modes(self, modes: Iterable[str] | None) -> Weight:
        """A copy of this weight with link modes restricted to ``modes``.

        Any earlier restriction still applies; ``None`` leaves the weight as it is.
        """
        if modes is None:
            return self
        allowed = frozenset(modes)
        if self.modes is not None:
            allowed &= self.modes
        return replace(self, modes=allowed)

    def on_clock(self, clock: str) -> Weight:
        """A copy of this weight on ``clock`` (:data:`CLOCKS`)."""
        return self if clock == self.clock else replace(self, clock=clock)

    def describe(self) -> str:
        """One line: the objective, clock, scenario, closures and openings."""
        parts = [f"by {self.by}", f"clock {self.clock}", f"scenario {self.scenario}"]
        if self.closed_links:
            parts.append(f"closed links {', '.join(sorted(self.closed_links))}")
        if self.closed_places:
            parts.append(f"closed places {', '.join(sorted(self.closed_places))}")
        if self.opened_links:
            parts.append(f"opened {', '.join(sorted(self.opened_links))}")
        if self.modes is not None:
            parts.append(f"modes {', '.join(sorted(self.modes))}")
        if self.extra:
            parts.append(f"queues at {len(self.extra)} elements")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<Weight {self.describe()}>"


def _as_set(end: Any) -> frozenset[str]:
    return frozenset(end) if isinstance(end, frozenset | set) else frozenset([end])


def make_weight(
    by: str = "time_h",
    *,
    closed_links: Iterable[str] = (),
    closed_places: Iterable[str] = (),
    opened_links: Iterable[str] = (),
    ends: tuple[str, str] | None = None,
    modes: Iterable[str] | None = None,
    scaling: Scaling | None = None,
    scenario: str = "baseline",
    clock: str = "transit",
) -> Weight:
    """A :class:`Weight` with closures applied: the public constructor.

    Parameters
    ----------
    by
        Edge attribute (or objective name) to minimise.
    closed_links, closed_places
        Link ids and place ids whose edges are hidden.
    opened_links
        Planned or under-construction link ids to treat as routable.
    ends
        ``(origin, destination)`` place ids; :func:`corridormap.route` sets it.
    modes
        Link modes allowed (default all): ``{"rail", "sea"}`` keeps cargo off roads,
        ferries and the Caspian.
    scaling
        A scenario's rescaling of time terms.
    scenario
        Name of the scenario(s) applied, for labelling results.
    clock
        ``transit`` (default) or ``door-to-door``: see :class:`Weight`.

    Returns
    -------
    Weight
        Callable as ``f(u, v, edges)`` for networkx.
    """
    for name, value in (
        ("closed_links", closed_links),
        ("closed_places", closed_places),
        ("opened_links", opened_links),
        ("modes", modes),
    ):
        if isinstance(value, str):
            raise InputError(f"{name} must be a list of ids, not the text {value!r}")
    return Weight(
        by=by,
        closed_links=frozenset(closed_links),
        closed_places=frozenset(closed_places),
        opened_links=frozenset(opened_links),
        ends=ends,
        scaling=scaling,
        modes=None if modes is None else frozenset(modes),
        scenario=scenario,
        clock=clock,
    )


def as_weight(weight: Weight | None, by: str = "time_h") -> Weight:
    """``weight``, or a plain :func:`make_weight` of ``by`` when it is ``None``.

    Raises
    ------
    InputError
        If ``weight`` is neither ``None`` nor a :class:`Weight`.
    """
    if weight is None:
        return _plain(by) if isinstance(by, str) else make_weight(by)
    if not isinstance(weight, Weight):
        raise InputError(
            "weight must be a corridormap Weight (make_weight(...) or a scenario's weight()), "
            f"got {type(weight).__name__}"
        )
    return weight


@functools.lru_cache(maxsize=32)
def _plain(by: str) -> Weight:
    """``make_weight(by)``, made once: a weight never changes."""
    return make_weight(by)
