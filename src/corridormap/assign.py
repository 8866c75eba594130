"""Freight volumes assigned to the network, with queues that grow with utilisation.

A volume file (``geodata/volumes/*.toml``) lists flows between places or regions in Mt/yr,
TEU, containers, wagons or trucks; :mod:`corridormap.units` turns each into Mt/yr.
:func:`assign` routes every flow so that none could arrive sooner on another route given the
queues the others cause (Wardrop's user equilibrium), on path flows:

1. all-or-nothing: every flow on its best route with no queues;
2. the wait at every capacity-limited element (a place's handling, a link in one direction)
   from its utilisation, by the queueing curve of ``[congestion]`` in ``parameters.toml``;
3. every flow's best route under those waits (the weight's ``extra`` hours); the relative gap
   ``(sum of flows x their current times - sum of flows x their best times) / the former``
   says how far from equilibrium the solution is; stop when it is below ``tolerance``;
4. the best route joins the flow's route set and cargo moves towards it: by default by
   gradient projection (Jayakrishnan, Tsai, Prashker and Rajadhyaksha, 'A faster path-based
   algorithm for traffic assignment', Transportation Research Record 1443, 1994: from each
   slower route to the fastest, a Newton step on their time difference), or by Frank-Wolfe
   (a step towards the all-or-nothing solution, its length found by bisection on the
   derivative of the Beckmann objective); back to 2.

The wait at an element with capacity ``C`` (Mt/yr) carrying ``V`` is (Akcelik 1991, the
Kimber-Hollis coordinate transformation of the M/D/1 queue)::

    x = V / C,  Q = C / batch (vehicles per hour),
    w = T/4 * [ (x - 1) + sqrt( (x - 1)^2 + 8 J x / (Q T) ) ]

nil at no volume, the steady M/D/1 queue ``J x / (Q (1 - x))`` well below capacity, finite
above capacity (tending to the backlog ``T/2 (x - 1)`` that builds over the horizon ``T``).
Elements without a capacity figure never queue and are listed as such.

The graph is never modified: waits enter through a new :class:`~corridormap.weights.Weight`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from ._errors import GeodataError, InputError, NoRouteError
from ._validate import check_graph
from .io import bundled_geodata_dir, read_toml
from .model import param_value
from .network import GATE, place_of
from .places import places, resolve_area, resolve_place
from .routing import endpoint_nodes, route
from .units import Conversion, to_mt_per_yr
from .weights import Weight, element_of, make_weight

__all__ = [
    "Assignment",
    "Flow",
    "QueueCurve",
    "Volumes",
    "assign",
    "list_volumes",
    "load_volumes",
    "saving_curve",
    "scenario_savings",
]

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


# -- volume files ----------------------------------------------------------------------------
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
    dirs = []
    if G is not None and G.graph.get("directory"):
        dirs.append(Path(G.graph["directory"]) / "volumes")
    bundled = bundled_geodata_dir() / "volumes"
    if bundled not in dirs:
        dirs.append(bundled)
    return dirs


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
            from ._errors import closest

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


# -- the queueing curve ----------------------------------------------------------------------
@dataclass(frozen=True)
class QueueCurve:
    """The wait at an element as a function of its utilisation (see the module docstring).

    Attributes
    ----------
    horizon_h
        ``T``: how long demand above capacity lasts, hours.
    delay_parameter
        ``J``: 0.5 for the M/D/1 queue, 1 for M/M/1.
    batch_t
        Tonnes per vehicle served (one customer of the queue), by kind: ``rail``, ``road``,
        ``ferry``, ``caspian``, ``sea``.
    """

    horizon_h: float
    delay_parameter: float
    batch_t: Mapping[str, float]

    @classmethod
    def from_params(cls, params: Mapping[str, Any], which: str = "likely") -> QueueCurve:
        """The curve of ``parameters.toml`` ``[congestion]``."""
        table = params.get("congestion")
        if not isinstance(table, Mapping):
            raise InputError("parameters.toml has no [congestion] table: cannot model queues")
        try:
            batch = {k: param_value(params, f"congestion.batch_t.{k}", which) for k in BATCH_KINDS}
            return cls(
                horizon_h=param_value(params, "congestion.horizon_h", which),
                delay_parameter=param_value(params, "congestion.delay_parameter", which),
                batch_t=batch,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"parameters.toml [congestion] is incomplete: {exc}") from None

    def wait_h(self, volume: float, capacity: float, batch_t: float) -> float:
        """Hours of queue at ``volume`` against ``capacity`` (both Mt/yr)."""
        if volume <= 0:
            return 0.0
        x = volume / capacity
        q = capacity * 1e6 / 8760.0 / batch_t  # vehicles served per hour
        T = self.horizon_h
        a = 8.0 * self.delay_parameter * x / (q * T)
        r = math.sqrt((x - 1.0) ** 2 + a)
        # below capacity the two terms nearly cancel: the rationalised form keeps precision
        core = a / (r + (1.0 - x)) if x < 1.0 else (x - 1.0) + r
        return 0.25 * T * core

    def waits_h(self, volume: Any, capacity: Any, batch_t: Any) -> Any:
        """:meth:`wait_h` for arrays of volumes, capacities and batches (numpy)."""
        v = np.maximum(np.asarray(volume, dtype=float), 0.0)
        x = v / capacity
        q = capacity * 1e6 / 8760.0 / batch_t
        T = self.horizon_h
        a = 8.0 * self.delay_parameter * x / (q * T)
        r = np.sqrt((x - 1.0) ** 2 + a)
        with np.errstate(divide="ignore", invalid="ignore"):
            below = np.where(r + (1.0 - x) > 0, a / (r + (1.0 - x)), 0.0)
        core = np.where(x < 1.0, below, (x - 1.0) + r)
        return np.where(v > 0, 0.25 * T * core, 0.0)


_PLACE_LABEL = {"port": "port", "border_crossing": "border terminal", "dry_port": "dry port"}
BATCH_KINDS = ("rail", "road", "ferry", "caspian", "sea")
_MODE_BATCH = {
    "rail": "rail",
    "road": "road",
    "ferry": "ferry",
    "caspian": "caspian",
    "inland": "caspian",
    "sea": "sea",
}


# -- elements --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Element:
    key: tuple[str, ...]
    capacity: float  # Mt/yr
    batch_t: float
    published: str
    how: str
    source: str
    name: str


def _elements(G, scenario, curve: QueueCurve) -> tuple[dict, dict[str, str]]:
    """Capacity-limited elements: key -> _Element; and figures that could not be converted."""
    params = G.graph.get("params") or {}
    cat = places(G)
    out: dict[tuple[str, ...], _Element] = {}
    failed: dict[str, str] = {}

    def convert(value, unit, what) -> Conversion | None:
        try:
            return to_mt_per_yr(float(value), str(unit), params)
        except InputError as exc:
            failed[what] = f"{value:g} {unit}: {exc}"
            return None

    _place_elements(G, cat, scenario, curve, convert, out)
    _link_elements(G, cat, scenario, curve, convert, out)
    return {k: e for k, e in out.items() if e.capacity > 0}, failed


def _place_elements(G, cat, scenario, curve: QueueCurve, convert, out: dict) -> None:
    """Add the places with a handling capacity to ``out``, batched by their busiest mode.

    Parameters
    ----------
    G
        The network.
    cat
        The places (:func:`~corridormap.places.places`).
    scenario
        The applied scenario (its capacity factors by place), or None.
    curve
        The queue curve (its batch sizes by mode).
    convert
        ``convert(value, unit, what)``: the capacity in Mt/yr, or None (noted) if it cannot
        be converted.
    out
        The elements by key, extended in place.
    """
    layers: dict[str, set[str]] = {}
    for _, d in G.nodes(data=True):
        if d.get("layer") and d["layer"] != GATE:
            layers.setdefault(d["place"], set()).add(d["layer"].split(":", 1)[0])
    for pid, p in cat.items():
        if p.get("capacity") is None:
            continue
        conv = convert(p["capacity"], p.get("capacity_unit"), pid)
        if conv is None:
            continue
        factor = scenario.capacity_node.get(pid, 1.0) if scenario is not None else 1.0
        modes = layers.get(pid, set())
        kind = next(
            (k for k in ("sea", "caspian", "inland", "ferry", "rail") if k in modes), "road"
        )
        out[("place", pid)] = _Element(
            ("place", pid),
            conv.mt_per_yr * factor,
            curve.batch_t[_MODE_BATCH[kind]],
            conv.published,
            conv.how,
            str(p.get("capacity_source") or ""),
            f"{p['name']} ({_PLACE_LABEL.get(str(p.get('kind')), 'handling')})",
        )


def _link_elements(G, cat, scenario, curve: QueueCurve, convert, out: dict) -> None:
    """Add the links with a capacity to ``out`` (one element per link and direction key).

    Parameters
    ----------
    G
        The network.
    cat
        The places, for the links' end names.
    scenario
        The applied scenario (its capacity factors by mode and link), or None.
    curve
        The queue curve (its batch sizes by mode).
    convert
        ``convert(value, unit, what)``: the capacity in Mt/yr, or None (noted) if it cannot
        be converted.
    out
        The elements by key, extended in place.
    """
    for _, _, d in G.edges(data=True):
        if d.get("kind") != "link" or d.get("capacity") is None:
            continue
        key = element_of(d)
        if key in out:
            continue
        conv = convert(d["capacity"], d.get("capacity_unit"), d["link_id"])
        if conv is None:
            continue
        factor = 1.0
        if scenario is not None:
            factor = scenario.capacity_mode.get(d["mode"], 1.0) * scenario.capacity_link.get(
                d["link_id"], 1.0
            )
        a, b = cat[d["u_place"]]["name"], cat[d["v_place"]]["name"]
        out[key] = _Element(
            key,
            conv.mt_per_yr * factor,
            curve.batch_t[_MODE_BATCH.get(d["mode"], "rail")],
            conv.published,
            conv.how,
            str(d.get("capacity_source") or ""),
            f"{a} -> {b} ({d['mode']})",
        )


# -- resolved flows and paths ----------------------------------------------------------------
@dataclass
class _Path:
    nodes: tuple[str, ...]
    share: float  # Mt/yr on this path
    base_h: float  # time without queues
    counts: dict[tuple[str, ...], int]  # element -> times the path uses it


@dataclass
class _OD:
    flow: Flow
    volume: float  # Mt/yr
    conversion: Conversion
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    via: tuple[str, ...]
    weight: Weight
    paths: dict[tuple[str, ...], _Path] = field(default_factory=dict)
    free_h: float = 0.0


def _resolve_end(G, name: str) -> tuple[str, ...]:
    try:
        return (resolve_place(G, name),)
    except LookupError:
        return tuple(resolve_area(G, name))


class _Costs:
    """The visible edges of a weight between each pair of nodes, tabulated for Dijkstra.

    The visible edges of ``base`` between each pair of nodes, as ``(cost, element, gate place left,
    gate place entered)``: routing over them gives the answers of
    ``base.with_extra(waits).between(origins, destinations)``, without looking at every edge's
    attributes on every call (``tests/test_assign.py`` checks the two agree).
    """

    def __init__(self, G: nx.MultiDiGraph, base: Weight) -> None:
        table: dict[str, dict[str, list[tuple[float, tuple[str, ...], Any, Any, Any]]]] = {}
        for u, nbrs in G.adjacency():
            for v, edges in nbrs.items():
                opts = []
                for d in edges.values():
                    if not base.visible(d):
                        continue
                    gf = d["u_place"] if d.get("from_layer") == GATE else None
                    gt = d["v_place"] if d.get("to_layer") == GATE else None
                    # a change of vehicle (no gate) is barred at a route's own ends
                    tp = d["u_place"] if d.get("kind") == "transfer" and gf is gt is None else None
                    opts.append((base.cost(d), element_of(d), gf, gt, tp))
                if opts:
                    table.setdefault(u, {})[v] = opts
        self.table = table

    def shortest(
        self,
        waits: Mapping[tuple[str, ...], float],
        sources: Iterable[str],
        targets: set[str],
        origins: frozenset,
        dests: frozenset,
    ) -> tuple[float, list[str]]:
        """Dijkstra from ``sources`` to the nearest of ``targets`` over the tabulated edges.

        Dijkstra from ``sources`` to the nearest of ``targets`` over the tabulated edges, each
        edge's cost plus the wait of its element; ``(inf, [])`` when none is
        reached.
        """
        import heapq
        import itertools

        table, get = self.table, waits.get
        dist: dict[str, float] = {}
        prev: dict[str, str] = {}
        tie = itertools.count()
        heap = [(0.0, next(tie), s) for s in dict.fromkeys(sources)]
        for _, _, src in heap:
            dist[src] = 0.0
        done: set[str] = set()
        while heap:
            d, _, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u in targets:
                path = [u]
                while path[-1] in prev:
                    path.append(prev[path[-1]])
                return d, path[::-1]
            for v, opts in table.get(u, {}).items():
                if v in done:
                    continue
                best = _least_cost(opts, get, origins, dests)
                if best is None:
                    continue
                nd = d + best
                if nd < dist.get(v, math.inf):
                    dist[v] = nd
                    prev[v] = u
                    heapq.heappush(heap, (nd, next(tie), v))
        return math.inf, []


def _least_cost(opts, get, origins: frozenset, dests: frozenset) -> float | None:
    """The cheapest of the parallel edges ``opts`` between two nodes, queue waits added.

    Parameters
    ----------
    opts
        The edges as ``(cost, element key, gate from, gate to, transfer place)``; an edge
        through a gate is usable only at this flow's own ends, and a transfer only away from
        them.
    get
        ``waits.get``: the wait (hours) of an element key.
    origins, dests
        The flow's origin and destination places.

    Returns
    -------
    float or None
        The least cost, or None if no edge is usable.
    """
    best = None
    for c, k, gf, gt, tp in opts:
        if (gf is not None and gf not in origins) or (gt is not None and gt not in dests):
            continue
        if tp is not None and (tp in origins or tp in dests):
            continue
        c += get(k, 0.0)
        if best is None or c < best:
            best = c
    return best


def _best_path(G, od: _OD, w: Weight, costs: _Costs | None = None) -> tuple[float, list[str]]:
    """Best node path and its cost for one flow under weight ``w``.

    Best node path and its cost for one flow under weight ``w`` (``costs``: the same weight's edges
    tabulated, for flows without stops or mode limits).
    """
    if od.via:
        r = route(
            G,
            od.origins[0],
            od.destinations[0],
            via=list(od.via),
            weight=w,
            modes=list(od.flow.modes) if od.flow.modes else None,
        )
        return float(sum(w.cost(d) for d in w.path_edges(G, r.path))), r.path
    wf = w.between(frozenset(od.origins), frozenset(od.destinations))
    srcs = [n for p in od.origins for n in endpoint_nodes(G, p)]
    dsts = {n for p in od.destinations for n in endpoint_nodes(G, p)}
    if od.flow.modes:
        wf = wf.only_modes(od.flow.modes)
    if costs is not None and not od.flow.modes:
        cost, path = costs.shortest(
            w.extra, srcs, dsts, frozenset(od.origins), frozenset(od.destinations)
        )
        if not path:
            raise NoRouteError(
                f"flow {od.flow.id!r}: no route from {od.flow.origin} to {od.flow.destination}"
            )
        return float(cost), path
    fn = wf.fn
    if len(dsts) == 1:
        try:
            cost, path = nx.multi_source_dijkstra(G, set(srcs), next(iter(dsts)), weight=fn)
        except nx.NetworkXNoPath:
            cost, path = math.inf, []
        dist, paths = ({path[-1]: cost}, {path[-1]: path}) if path else ({}, {})
    else:
        dist, paths = nx.multi_source_dijkstra(G, set(srcs), weight=fn)
    reached = [t for t in dsts if t in dist]
    if not reached:
        raise NoRouteError(
            f"flow {od.flow.id!r}: no route from {od.flow.origin} to {od.flow.destination}"
        )
    t = min(reached, key=lambda n: dist[n])
    return float(dist[t]), paths[t]


def _path_info(G, path: Sequence[str], w: Weight) -> tuple[float, dict]:
    counts: dict[tuple[str, ...], int] = {}
    base = 0.0
    for d in w.path_edges(G, path):
        base += w.measure(d)["time_h"]
        k = element_of(d)
        counts[k] = counts.get(k, 0) + 1
    return base, counts


# -- result ----------------------------------------------------------------------------------
ELEMENT_FIELDS = (
    "element",
    "kind",
    "name",
    "volume_mt",
    "capacity_mt",
    "utilisation",
    "wait_h",
    "wait_days",
    "capacity_published",
    "conversion",
    "capacity_source",
)
FLOW_FIELDS = (
    "flow",
    "from",
    "to",
    "published",
    "volume_mt",
    "free_days",
    "days",
    "queue_days",
    "routes",
)


@dataclass
class Assignment:
    """A volume file assigned to the network at user equilibrium.

    Attributes
    ----------
    volumes
        The :class:`Volumes` assigned.
    scenario
        The scenario name (``"baseline"``).
    elements
        One row per capacity-limited element (``ELEMENT_FIELDS``), busiest queue first:
        volume and capacity in Mt/yr, utilisation (volume / capacity), the added wait.
    flows
        One row per flow (``FLOW_FIELDS``): its days with no queues (``free_days``) and at
        equilibrium (``days``, volume-weighted over its routes), and its routes.
    gaps
        The relative gap after each iteration.
    tolerance, converged
        The stopping tolerance on the relative gap, and whether it was reached.
    unconstrained
        Elements (link ids and place ids) on the assigned routes with no capacity figure:
        they never queue.
    unconverted
        Capacity figures that could not be converted to Mt/yr (``id -> reason``).
    """

    volumes: Volumes
    scenario: str
    elements: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    gaps: list[float]
    tolerance: float
    converged: bool
    unconstrained: list[str] = field(default_factory=list)
    unconverted: dict[str, str] = field(default_factory=dict)
    _graph: Any = field(default=None, repr=False)

    @property
    def gap(self) -> float:
        """The final relative gap."""
        return self.gaps[-1] if self.gaps else 0.0

    def top(self, n: int = 5) -> list[dict[str, Any]]:
        """The ``n`` elements with the longest queues (ties by utilisation)."""
        used = [r for r in self.elements if r["volume_mt"] > 0]
        return used[:n]

    def bottleneck_lines(self, n: int = 5) -> list[str]:
        """The top bottlenecks in physical terms, one line each."""
        return [describe(r) for r in self.top(n)]

    def flow(self, flow_id: str) -> dict[str, Any]:
        """The row of one flow."""
        for r in self.flows:
            if r["flow"] == flow_id:
                return r
        raise KeyError(flow_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the volumes, convergence, every element and every flow's route."""
        return {
            "volumes": self.volumes.name,
            "scenario": self.scenario,
            "converged": self.converged,
            "tolerance": self.tolerance,
            "gaps": [round(g, 8) for g in self.gaps],
            "elements": [dict(r) for r in self.elements],
            "flows": [dict(r) for r in self.flows],
            "unconstrained": list(self.unconstrained),
            "unconverted": dict(self.unconverted),
        }

    def to_frame(self):
        """The elements as a pandas DataFrame (``ELEMENT_FIELDS``)."""
        import pandas as pd

        return pd.DataFrame(self.elements, columns=list(ELEMENT_FIELDS))

    def flows_frame(self):
        """The flows as a pandas DataFrame (``FLOW_FIELDS``)."""
        import pandas as pd

        return pd.DataFrame(self.flows, columns=list(FLOW_FIELDS))

    def map(self, *, tiles: bool = True):
        """A folium map: links and places coloured by utilisation (busiest direction)."""
        from .render.utilisation import utilisation_map

        links: dict[str, float] = {}
        nodes: dict[str, tuple[float, str]] = {}
        for r in self.elements:
            if r["kind"] == "link":
                links[r["element"]] = max(links.get(r["element"], 0.0), r["utilisation"])
            else:
                nodes[r["element"]] = (r["utilisation"], describe(r))
        return utilisation_map(self._graph, links, nodes, tiles=tiles)

    def summary(self) -> str:
        """One line: volumes, iterations, the final relative gap and whether it converged."""
        state = "converged" if self.converged else "NOT converged"
        return (
            f"{self.volumes.name} ({self.scenario}): {len(self.flows)} flows, "
            f"{len(self.gaps)} iterations, relative gap {self.gap:.2e} "
            f"({state}, tolerance {self.tolerance:g})"
        )

    def __repr__(self) -> str:
        return "\n".join([f"<Assignment {self.summary()}>", *self.bottleneck_lines(5)])


def describe(row: Mapping[str, Any]) -> str:
    """One element in physical terms, as a line of text.

    One element in physical terms: ``Astara (IR) (handling): 2.60 Mt/yr against 2.00 (130%); +5.2
    days``.
    """
    return (
        f"{row['name']}: {row['volume_mt']:.2f} Mt/yr against {row['capacity_mt']:.2f} "
        f"({row['utilisation']:.0%}); +{row['wait_days']:.1f} days"
    )


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


# -- the assignment --------------------------------------------------------------------------
def assign(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    *,
    weight: Weight | None = None,
    scenario: Any = None,
    tolerance: float = 1e-3,
    max_iterations: int = 500,
    which: str = "likely",
    method: str = "projection",
) -> Assignment:
    """Assign a volume file to the network at user equilibrium with capacity queues.

    Parameters
    ----------
    G
        The network (not modified).
    volumes
        A :class:`Volumes`, a bundled volume file name (``"observed-2025"``) or a path.
    weight
        The time weight to route with (closures, a scenario's scaling); default
        ``make_weight("time_h")``, or the scenario's weight when ``scenario`` is given.
    scenario
        An :class:`~corridormap.scenarios.AppliedScenario` or a scenario name (or list):
        its closures, openings, rescaled times and scaled capacities apply.
    tolerance
        Stop when the relative gap falls below this (default 1e-3: the flows' times are then
        within 0.1% of their best times, far below the precision of the parameters).
    max_iterations
        Stop after this many iterations even if the gap is larger (``converged`` says so).
    which
        Which value (``low``, ``likely``, ``high``) of the congestion parameters to use.
    method
        ``"projection"`` (default): path-based gradient projection (Jayakrishnan et al.
        1994): each flow's best route joins its route set, and cargo moves from each slower
        route to the fastest by a Newton step on their time difference, times updated after
        every move. ``"frank-wolfe"``: the classic algorithm (all-or-nothing direction, line
        search on the Beckmann objective); the same equilibrium with a slower tail. Both
        report the same relative gap.

    Returns
    -------
    Assignment

    Raises
    ------
    InputError
        If an argument is invalid or a flow's unit cannot be converted.
    NoRouteError
        If a flow has no route.
    """
    check_graph(G, "assign")
    _check_iteration_args(tolerance, max_iterations)
    vols = load_volumes(volumes, G)
    view, base = _assign_weight(G, weight, scenario, method)
    params = G.graph.get("params") or {}
    curve = QueueCurve.from_params(params, which)
    elements, unconverted = _elements(G, view, curve)
    ods = _ods(G, vols, params, base)
    costs = _Costs(G, base)

    # iteration 0: everything on its free route
    for od, (_, key, p) in zip(ods, _aon(G, ods, base, base, costs), strict=True):
        od.paths = {key: p}
        od.free_h = p.base_h
    gaps: list[float] = []
    converged = False
    for _ in range(max_iterations):
        X = _volumes_of([od.paths for od in ods], elements)
        waits = _waits_of(X, elements, curve)
        targets = _aon(G, ods, base.with_extra(waits), base, costs)
        gap = _relative_gap(ods, targets, waits)
        gaps.append(gap)
        if gap < tolerance:
            converged = True
            break
        if method == "projection":
            _projection_step(ods, targets, X, elements, curve)
            continue
        if not _frank_wolfe_step(ods, targets, X, elements, curve):
            break

    X = _volumes_of([od.paths for od in ods], elements)
    waits = _waits_of(X, elements, curve)
    return _result(
        G, vols, view, base, ods, elements, X, waits, gaps, tolerance, converged, unconverted
    )


def _check_iteration_args(tolerance: Any, max_iterations: Any) -> None:
    """Raise an :class:`InputError` unless ``tolerance`` > 0 and ``max_iterations`` >= 1.

    Parameters
    ----------
    tolerance
        The relative gap to stop at: a number above 0.
    max_iterations
        The most iterations: a whole number, at least 1.

    Raises
    ------
    InputError
        If either is not as described.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance > 0:
        raise InputError(f"tolerance must be a number above 0, got {tolerance!r}")
    if (
        isinstance(max_iterations, bool)
        or not isinstance(max_iterations, int)
        or max_iterations < 1
    ):
        raise InputError(f"max_iterations must be a whole number >= 1, got {max_iterations!r}")


def _assign_weight(G, weight: Any, scenario: Any, method: str) -> tuple[Any, Weight]:
    """The scenario view and the base time weight of :func:`assign`, arguments checked.

    Parameters
    ----------
    G
        The network.
    weight
        A :class:`Weight` on ``time_h`` or None (the scenario's or the plain time weight).
    scenario
        An applied scenario, a scenario name (or list), or None.
    method
        ``"projection"`` or ``"frank-wolfe"`` (checked here, after the weight).

    Returns
    -------
    tuple
        The :class:`~corridormap.scenarios.AppliedScenario` (or None) and the base weight,
        without extra hours.

    Raises
    ------
    InputError
        If ``weight`` is not a Weight, ``method`` is unknown, or the weight is not on time.
    """
    view = None
    if scenario is not None:
        from .scenarios import AppliedScenario, apply_scenario

        view = scenario if isinstance(scenario, AppliedScenario) else apply_scenario(G, scenario)
    if weight is None:
        base = view.weight("time_h") if view is not None else make_weight("time_h")
    elif isinstance(weight, Weight):
        base = weight
    else:
        raise InputError(f"weight must be a corridormap Weight, got {type(weight).__name__}")
    if method not in ("projection", "frank-wolfe"):
        raise InputError(f"method must be 'projection' or 'frank-wolfe', got {method!r}")
    if base.by != "time_h":
        raise InputError("assign() needs a time weight: queues are hours")
    return view, base.with_extra({})


def _ods(G, vols: Volumes, params: Mapping[str, Any], base: Weight) -> list[_OD]:
    """One origin-destination demand per flow of ``vols``, in Mt/yr, ends resolved.

    Parameters
    ----------
    G
        The network.
    vols
        The volume file.
    params
        The network's parameters (for the unit conversions).
    base
        The base time weight.

    Returns
    -------
    list of _OD
        In the order of the flows.

    Raises
    ------
    InputError
        If a flow's unit cannot be converted, or a flow with ``via`` has several places at an end.
    """
    ods: list[_OD] = []
    for f in vols.flows:
        try:
            conv = to_mt_per_yr(f.amount, f.unit, params, period_days=f.period_days)
        except InputError as exc:
            raise InputError(f"{Path(vols.file).name or vols.name}: flow {f.id!r}: {exc}") from None
        origins = _resolve_end(G, f.origin)
        destinations = _resolve_end(G, f.destination)
        via = tuple(resolve_place(G, v) for v in f.via)
        if via and (len(origins) > 1 or len(destinations) > 1):
            raise InputError(f"flow {f.id!r}: 'via' needs a single place at each end")
        ods.append(_OD(f, conv.mt_per_yr, conv, origins, destinations, via, base))
    return ods


def _volumes_of(paths_by_od, elements: Mapping) -> dict[tuple[str, ...], float]:
    """The volume (Mt/yr) on each capacity-limited element, summed over the paths.

    Parameters
    ----------
    paths_by_od
        Per demand, its paths (``{key: _Path}``) with their shares.
    elements
        The capacity-limited elements, by key.

    Returns
    -------
    dict
        Volume by element key (elements with no volume left out).
    """
    vol: dict[tuple[str, ...], float] = {}
    for od_paths in paths_by_od:
        for p in od_paths.values():
            for k, c in p.counts.items():
                if k in elements:
                    vol[k] = vol.get(k, 0.0) + p.share * c
    return vol


def _waits_of(vol: Mapping, elements: Mapping, curve: QueueCurve) -> dict[tuple[str, ...], float]:
    """The queue wait (hours) on each element at volumes ``vol``; elements with none left out.

    Parameters
    ----------
    vol
        Volume by element key.
    elements
        The capacity-limited elements, by key.
    curve
        The queue curve.

    Returns
    -------
    dict
        Wait in hours by element key, only the positive ones.
    """
    out = {}
    for k, v in vol.items():
        e = elements[k]
        w = curve.wait_h(v, e.capacity, e.batch_t)
        if w > 0:
            out[k] = w
    return out


def _aon(G, ods: Sequence[_OD], w: Weight, base: Weight, costs: _Costs) -> list[tuple]:
    """All-or-nothing: each demand's best path under ``w``, whole volume on it.

    Parameters
    ----------
    G
        The network.
    ods
        The demands.
    w
        The weight to route with (the base weight plus the queue waits).
    base
        The base weight, for the path's time without queues.
    costs
        The cache of link costs.

    Returns
    -------
    list of tuple
        Per demand: its best cost under ``w``, the path's key and the :class:`_Path`.
    """
    res = []
    for od in ods:
        cost, path = _best_path(G, od, w, costs)
        base_h, counts = _path_info(G, path, base)
        res.append((cost, tuple(path), _Path(tuple(path), od.volume, base_h, counts)))
    return res


def _relative_gap(ods: Sequence[_OD], targets: Sequence[tuple], waits: Mapping) -> float:
    """The relative gap: the current paths' total time against the best times (0 at best).

    Parameters
    ----------
    ods
        The demands, with their current paths.
    targets
        Per demand, the all-or-nothing answer under the current waits.
    waits
        The current waits (hours) by element key.

    Returns
    -------
    float
        ``(current - best) / current``, never below 0.
    """
    tstt = sptt = 0.0
    for od, (best, _, _) in zip(ods, targets, strict=True):
        for p in od.paths.values():
            tstt += p.share * (p.base_h + sum(waits.get(k, 0.0) * c for k, c in p.counts.items()))
        sptt += od.volume * best
    gap = (tstt - sptt) / tstt if tstt > 0 else 0.0
    return max(gap, 0.0)


def _frank_wolfe_step(ods, targets, X, elements, curve: QueueCurve) -> bool:
    """One Frank-Wolfe step: move a line-searched share of every demand to its target path.

    Parameters
    ----------
    ods
        The demands; their paths and shares are updated in place.
    targets
        Per demand, the all-or-nothing answer under the current waits.
    X
        The current volumes by element key.
    elements
        The capacity-limited elements, by key.
    curve
        The queue curve.

    Returns
    -------
    bool
        False if the step length is 0 (nothing moved: stop), else True.
    """
    Y = _volumes_of([{key: p} for (_, key, p) in targets], elements)
    # derivative of the Beckmann objective along (Y - X)
    B = 0.0
    for od, (_, _, p) in zip(ods, targets, strict=True):
        B += od.volume * p.base_h - sum(q.share * q.base_h for q in od.paths.values())
    keys = [k for k in set(X) | set(Y) if X.get(k, 0.0) != Y.get(k, 0.0)]
    xs = np.array([X.get(k, 0.0) for k in keys])
    ds = np.array([Y.get(k, 0.0) for k in keys]) - xs
    caps = np.array([elements[k].capacity for k in keys])
    batches = np.array([elements[k].batch_t for k in keys])

    def slope(lam: float) -> float:
        return B + float(np.dot(ds, curve.waits_h(xs + lam * ds, caps, batches)))

    if slope(1.0) <= 0:
        lam = 1.0
    else:
        lo, hi = 0.0, 1.0
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            if slope(mid) > 0:
                hi = mid
            else:
                lo = mid
        lam = 0.5 * (lo + hi)
    if lam <= 0:
        return False
    for od, (_, key, p) in zip(ods, targets, strict=True):
        new: dict[tuple[str, ...], _Path] = {}
        for k, q in od.paths.items():
            q.share *= 1.0 - lam
            if q.share > od.volume * 1e-12:
                new[k] = q
        if key in new:
            new[key].share += lam * od.volume
        else:
            p.share = lam * od.volume
            new[key] = p
        od.paths = new
    return True


def _result(G, vols, view, base, ods, elements, X, waits, gaps, tolerance, converged, unconverted):
    rows = []
    for k, e in elements.items():
        v = X.get(k, 0.0)
        wait = waits.get(k, 0.0)
        rows.append(
            {
                "element": k[1],
                "kind": "link" if k[0] == "link" else "place",
                "direction": f"{k[2]} -> {k[3]}" if k[0] == "link" else "",
                "name": e.name,
                "volume_mt": round(v, 4),
                "capacity_mt": round(e.capacity, 4),
                "utilisation": round(v / e.capacity, 4),
                "wait_h": round(wait, 2),
                "wait_days": round(wait / 24.0, 3),
                "capacity_published": e.published,
                "conversion": e.how,
                "capacity_source": e.source,
            }
        )
    rows.sort(key=lambda r: (-r["wait_h"], -r["utilisation"], r["element"], r["direction"]))
    flows = []
    unconstrained: set[str] = set()
    for od in ods:
        total = sum(p.share for p in od.paths.values())
        days = 0.0
        routes = []
        for p in sorted(od.paths.values(), key=lambda q: -q.share):
            if total <= 0:  # no volume: the flow's one free route, in full
                p.share, total = 1.0, 1.0
            t = p.base_h + sum(waits.get(k, 0.0) * c for k, c in p.counts.items())
            days += p.share / total * t / 24.0
            nodes = [
                x
                for i, x in enumerate(place_of(n) for n in p.nodes)
                if i == 0 or x != place_of(p.nodes[i - 1])
            ]
            routes.append(
                {"share": round(p.share / total, 4), "days": round(t / 24.0, 3), "nodes": nodes}
            )
            for k in p.counts:
                if k not in elements:
                    unconstrained.add(k[1])
        flows.append(
            {
                "flow": od.flow.id,
                "from": od.flow.origin,
                "to": od.flow.destination,
                "published": od.conversion.published,
                "volume_mt": round(od.volume, 4),
                "free_days": round(od.free_h / 24.0, 3),
                "days": round(days, 3),
                "queue_days": round(days - od.free_h / 24.0, 3),
                "routes": routes,
            }
        )
    return Assignment(
        volumes=vols,
        scenario=view.name if view is not None else base.scenario,
        elements=rows,
        flows=flows,
        gaps=gaps,
        tolerance=float(tolerance),
        converged=converged,
        unconstrained=sorted(unconstrained),
        unconverted=unconverted,
        _graph=G,
    )


def _projection_step(ods, targets, X, elements, curve: QueueCurve, passes: int = 3) -> None:
    """Path-based gradient projection towards the user equilibrium.

    Path-based gradient projection: for each flow in turn, move cargo from each slower route to the
    fastest by a Newton step, the element volumes and the routes' times updated
    after every move (Gauss-Seidel).
    """
    vol = dict(X)

    def wait(k: tuple[str, ...]) -> float:
        e = elements.get(k)
        return 0.0 if e is None else curve.wait_h(vol.get(k, 0.0), e.capacity, e.batch_t)

    def slope(k: tuple[str, ...]) -> float:
        e = elements[k]
        v = vol.get(k, 0.0)
        h = max(1e-6 * e.capacity, 1e-9)
        lo = max(v - h, 0.0)
        up = curve.wait_h(v + h, e.capacity, e.batch_t)
        return (up - curve.wait_h(lo, e.capacity, e.batch_t)) / (v + h - lo)

    def time_of(q: _Path) -> float:
        return q.base_h + sum(wait(e) * c for e, c in q.counts.items())

    for od, (_, key, p) in zip(ods, targets, strict=True):
        if key not in od.paths:
            p.share = 0.0
            od.paths[key] = p
        for _ in range(passes):
            if len(od.paths) < 2:
                break
            times = {j: time_of(q) for j, q in od.paths.items()}
            for k in list(od.paths):
                best = min(times, key=times.__getitem__)
                q, s = od.paths[k], od.paths[best]
                diff = times[k] - times[best]
                if k == best or q.share <= 0 or diff <= 0:
                    continue
                change = {
                    e: q.counts.get(e, 0) - s.counts.get(e, 0)
                    for e in set(q.counts) | set(s.counts)
                    if e in elements and q.counts.get(e, 0) != s.counts.get(e, 0)
                }
                deriv = sum(dc * dc * slope(e) for e, dc in change.items())
                step = q.share if deriv <= 0 else min(q.share, diff / deriv)
                q.share -= step
                s.share += step
                for e, dc in change.items():
                    vol[e] = max(vol.get(e, 0.0) - dc * step, 0.0)
                # the two routes' times now (others sharing elements are refreshed next pass)
                times[k], times[best] = time_of(q), time_of(s)
            keep = max(od.paths, key=lambda j: od.paths[j].share)
            od.paths = {
                j: q for j, q in od.paths.items() if q.share > od.volume * 1e-12 or j == keep
            }


# -- what a scenario buys at a volume --------------------------------------------------------
SAVING_FIELDS = (
    "scenario",
    "flow",
    "volume_mt",
    "baseline_days",
    "scenario_days",
    "saving_days",
    "free_saving_days",
    "baseline_top",
    "scenario_top",
)


def scenario_savings(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    scenarios: Iterable[Any],
    *,
    tolerance: float = 1e-3,
) -> list[dict[str, Any]]:
    """What each scenario saves every flow at the given volumes.

    What each scenario saves every flow at the given volumes (equilibrium against equilibrium), and
    at no volume (``free_saving_days``, today's route comparison).

    Returns one row per scenario and flow (``SAVING_FIELDS``); ``baseline_top`` and
    ``scenario_top`` name the longest queue in each case.
    """
    vols = load_volumes(volumes, G)
    base = assign(G, vols, tolerance=tolerance)
    rows = []
    for s in scenarios:
        res = assign(G, vols, scenario=s, tolerance=tolerance)
        for fb, fs in zip(base.flows, res.flows, strict=True):
            rows.append(
                {
                    "scenario": res.scenario,
                    "flow": fb["flow"],
                    "volume_mt": fb["volume_mt"],
                    "baseline_days": fb["days"],
                    "scenario_days": fs["days"],
                    "saving_days": round(fb["days"] - fs["days"], 3),
                    "free_saving_days": round(fb["free_days"] - fs["free_days"], 3),
                    "baseline_top": describe(base.top(1)[0]) if base.top(1) else "",
                    "scenario_top": describe(res.top(1)[0]) if res.top(1) else "",
                }
            )
    return rows


def saving_curve(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    scenario: Any,
    factors: Sequence[float],
    *,
    tolerance: float = 1e-3,
) -> list[dict[str, Any]]:
    """A scenario's saving for every flow as all volumes are scaled by each factor."""
    vols = load_volumes(volumes, G)
    out = []
    for f in factors:
        for r in scenario_savings(G, vols.scaled(f), [scenario], tolerance=tolerance):
            out.append({"factor": f, **r})
    return out
