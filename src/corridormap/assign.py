"""Freight volumes assigned to the network, with queues that grow with utilisation.

A volume file (``geodata/volumes/*.toml``) lists flows between places or regions in Mt/yr,
TEU, containers, wagons or trucks; :mod:`corridormap.units` turns each into Mt/yr.
:func:`assign` routes every flow so that none could arrive sooner on another route given the
queues the others cause (Wardrop's user equilibrium), on path flows:

1. all-or-nothing: every flow on its best route with no queues;
2. the wait at every capacity-limited element (a place's handling, a link in one direction)
   from its utilisation, by the queueing curve of ``[congestion]`` in ``parameters.toml``;
3. every flow's best route under those waits (the weight's ``extra`` hours, one search per
   flow on the compiled core); the relative gap ``(sum of path flows x their times - sum of
   demands x their best times) / the former`` says how far from equilibrium the solution
   is; stop when it is below ``tolerance``;
4. by default, path-based gradient projection (Jayakrishnan, Tsai, Prashker and
   Rajadhyaksha, 'A faster path-based algorithm for traffic assignment', Transportation
   Research Record 1443, 1994; Boyles, Lownes and Unnikrishnan, 'Transportation Network
   Analysis', ch. 6): the best route joins the flow's route set, with other improving
   routes the same two searches reveal (the best route through each link: see
   ``_Search._alternatives``); then, in passes over the flows with their route sets fixed,
   cargo moves from each slower route to the fastest until the two take the same time
   (the Newton step on their time difference over the sum of the waits' slopes on the
   elements they do not share, safeguarded by bisection: near capacity the queue's slope
   grows by orders of magnitude over a small change of volume); routes left without cargo
   are dropped. Or Frank-Wolfe (a step towards the all-or-nothing solution, its length
   found by bisection on the derivative of the Beckmann objective). Back to 2.

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

from . import search
from ._errors import GeodataError, InputError, NoRouteError
from ._schema import check_graph
from .io import data_dirs, read_toml
from .model import param_value
from .network import GATE, endpoint_nodes, place_of
from .places import places, resolve_area, resolve_place
from .routing import route
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
        return self.waits_and_slopes_h(volume, capacity, batch_t)[0]

    def slopes_h(self, volume: Any, capacity: Any, batch_t: Any) -> Any:
        """The derivative of :meth:`waits_h` with respect to the volume, hours per Mt/yr.

        ``dw/dV = T / (4 C) * (core + k / 2) / r`` with ``core = (x - 1) + r`` (the bracket of
        the module docstring), ``r = sqrt((x - 1)^2 + k x)`` and ``k = 8 J / (Q T)``: about
        ``J / Q / C`` at no volume, ``T / (4 C)`` at capacity and ``T / (2 C)`` far above it.
        """
        return self.waits_and_slopes_h(volume, capacity, batch_t)[1]

    def waits_and_slopes_h(self, volume: Any, capacity: Any, batch_t: Any) -> tuple[Any, Any]:
        """:meth:`waits_h` and :meth:`slopes_h` at once (they share the square root).

        Parameters
        ----------
        volume, capacity, batch_t
            Arrays (or numbers) of volumes and capacities (Mt/yr) and tonnes per vehicle.

        Returns
        -------
        tuple of numpy.ndarray
            The waits (hours) and their derivatives (hours per Mt/yr); volumes below 0 count
            as 0.
        """
        v = np.maximum(np.asarray(volume, dtype=float), 0.0)
        x = v / capacity
        q = capacity * 1e6 / 8760.0 / batch_t
        T = self.horizon_h
        a = 8.0 * self.delay_parameter * x / (q * T)
        k = 8.0 * self.delay_parameter / (q * T)
        r = np.sqrt((x - 1.0) ** 2 + a)
        # below capacity the two terms nearly cancel: the rationalised form keeps precision
        # (r + 1 - x > 0 whenever x < 1; the other branch's value is discarded)
        with np.errstate(divide="ignore", invalid="ignore"):
            core = np.where(x < 1.0, a / (r + (1.0 - x)), (x - 1.0) + r)
        return 0.25 * T * core, 0.25 * T / capacity * (core + 0.5 * k) / r


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
@dataclass(eq=False)
class _Path:
    """One route of a flow: its volume, its time without queues and the elements it uses."""

    key: tuple[Any, ...]  # the edges taken (identifies the route)
    nodes: tuple[str, ...]
    share: float  # Mt/yr on this path
    base_h: float  # time without queues
    idx: np.ndarray  # the capacity-limited elements it uses (indices into _Queues, unique)
    cnt: np.ndarray  # how many times it uses each (float)
    free: tuple[str, ...]  # ids of the elements without a capacity figure it uses

    def time_h(self, W: np.ndarray) -> float:
        """Its time with the queue waits ``W`` (hours, by element index)."""
        return self.base_h + float(self.cnt @ W[self.idx])


@dataclass
class _OD:
    flow: Flow
    volume: float  # Mt/yr
    conversion: Conversion
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    via: tuple[str, ...]
    weight: Weight
    paths: dict[tuple[Any, ...], _Path] = field(default_factory=dict)
    free_h: float = 0.0
    #: the flow's own weight (its ends, its modes), its edge vector and end nodes on the core
    bound: Weight | None = None
    vec: np.ndarray | None = None
    src: np.ndarray | None = None
    dst: np.ndarray | None = None
    #: per pair of its paths, the elements they do not share and the difference of counts
    diffs: dict[tuple[Any, Any], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: its paths' elements stacked, for their times at once (see _times)
    stack: tuple | None = None


def _resolve_end(G, name: str) -> tuple[str, ...]:
    try:
        return (resolve_place(G, name),)
    except LookupError:
        return tuple(resolve_area(G, name))


class _Queues:
    """The capacity-limited elements as vectors: volumes, queue waits and their slopes.

    Parameters
    ----------
    elements
        The elements by key (:func:`_elements`); their order is the index order.
    curve
        The queue curve.
    """

    def __init__(self, elements: Mapping[tuple[str, ...], _Element], curve: QueueCurve) -> None:
        self.keys = list(elements)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.cap = np.array([e.capacity for e in elements.values()], dtype=float)
        self.batch = np.array([e.batch_t for e in elements.values()], dtype=float)
        self.curve = curve
        # the curve's constants per element: k = 8 J / (Q T), Q in vehicles per hour
        q = self.cap * 1e6 / 8760.0 / self.batch
        self.k = 8.0 * curve.delay_parameter / (q * curve.horizon_h)
        self.quarter_t = 0.25 * curve.horizon_h

    def volumes(self, ods: Iterable[_OD]) -> np.ndarray:
        """The volume on every element (Mt/yr), summed over the flows' paths."""
        V = np.zeros(len(self.keys))
        for od in ods:
            for p in od.paths.values():
                V[p.idx] += p.share * p.cnt  # a path's indices are unique
        return V

    def _core(self, V: np.ndarray, idx: Any) -> tuple[np.ndarray, ...]:
        """``(x - 1) + r`` of :class:`QueueCurve` (rationalised below capacity), and ``r``."""
        x = np.maximum(V, 0.0) / self.cap[idx]
        a = self.k[idx] * x
        r = np.sqrt((x - 1.0) ** 2 + a)
        # r + 1 - x > 0 for every x (r >= |x - 1|, a > 0 when x > 0): no division by zero
        return np.where(x < 1.0, a / (r + (1.0 - x)), (x - 1.0) + r), r

    def waits(self, V: np.ndarray, idx: Any = slice(None)) -> np.ndarray:
        """The waits (hours) at volumes ``V`` of the elements ``idx`` (default all).

        The same curve as :meth:`QueueCurve.waits_h`, its constants computed once.
        """
        return self.quarter_t * self._core(V, idx)[0]

    def waits_and_slopes(self, V: np.ndarray, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        """The waits and their derivatives (:meth:`QueueCurve.slopes_h`) of the elements ``idx``."""
        core, r = self._core(V, idx)
        return self.quarter_t * core, self.quarter_t / self.cap[idx] * (
            core + 0.5 * self.k[idx]
        ) / r

    def path(
        self, key: tuple[Any, ...], nodes: Sequence[str], edges: Iterable[Mapping], base: Weight
    ) -> _Path:
        """A :class:`_Path` (no volume yet) from the edges it takes.

        Parameters
        ----------
        key
            What identifies it among the flow's paths.
        nodes
            Its nodes.
        edges
            The edge attribute mappings it takes, in order.
        base
            The base time weight (its time without queues).

        Returns
        -------
        _Path
        """
        base_h = 0.0
        counts: dict[int, int] = {}
        free: dict[str, None] = {}
        for d in edges:
            base_h += base.measure(d)["time_h"]
            k = element_of(d)
            i = self.index.get(k)
            if i is None:
                free[k[1]] = None
            else:
                counts[i] = counts.get(i, 0) + 1
        return _Path(
            tuple(key),
            tuple(nodes),
            0.0,
            base_h,
            np.fromiter(counts, dtype=np.int64, count=len(counts)),
            np.fromiter(counts.values(), dtype=float, count=len(counts)),
            tuple(free),
        )


class _Search:
    """Each flow's best path under the current queue waits.

    On the compiled core (:mod:`corridormap.search`) when the network has an export: the waits
    enter as one vector added to each flow's own edge vector (its ends, its modes), and scipy's
    Dijkstra does the search. Flows with stops (``via``), or a network without an export,
    route through the :class:`~corridormap.weights.Weight` itself on networkx.

    Parameters
    ----------
    G
        The network.
    base
        The base time weight (no queues).
    queues
        The capacity-limited elements.
    """

    def __init__(self, G: nx.MultiDiGraph, base: Weight, queues: _Queues) -> None:
        self.G, self.base, self.queues = G, base, queues
        self.core = search.core(G)
        if self.core is not None:
            n = len(queues.keys)
            # per edge, its element's index, or n (a slot that always holds 0) without capacity
            self.edge_elem = np.fromiter(
                (queues.index.get(element_of(d), n) for d in self.core.edges),
                dtype=np.int64,
                count=len(self.core.edges),
            )
            # per edge, its time without queues (the base weight's cost: Weight.measure's time)
            self.base_h = self.core.cost(base)

    def prepare(self, od: _OD) -> None:
        """Bind a flow's weight to its ends and modes, and its edge vector on the core."""
        wf = self.base.between(frozenset(od.origins), frozenset(od.destinations))
        if od.flow.modes:
            wf = wf.only_modes(od.flow.modes)
        od.bound = wf
        c = self.core
        if c is None or od.via:
            return
        od.vec = c.edge_vector(wf)
        srcs = [n for p in od.origins for n in endpoint_nodes(self.G, p)]
        dsts = [n for p in od.destinations for n in endpoint_nodes(self.G, p)]
        od.src = np.array([c.index[n] for n in dict.fromkeys(srcs)], dtype=np.int64)
        od.dst = np.array([c.index[n] for n in dict.fromkeys(dsts)], dtype=np.int64)

    def best(
        self, ods: Sequence[_OD], W: np.ndarray, *, more: int = 0
    ) -> list[tuple[float, _Path, list[_Path]]]:
        """Every flow's best path and its time under the waits ``W`` (hours, by element).

        With ``more`` (on the core), also up to that many other improving paths per flow
        (:meth:`_alternatives`).

        Raises
        ------
        NoRouteError
            If a flow has no route.
        """
        edge_w = None
        w_nx = None
        out = []
        for od in ods:
            extra: list[_Path] = []
            if od.vec is not None:
                if edge_w is None:
                    edge_w = np.append(W, 0.0)[self.edge_elem]
                p, extra = self._on_core(od, edge_w, W, more)
            else:
                if w_nx is None:
                    waits = {k: float(x) for k, x in zip(self.queues.keys, W, strict=True) if x}
                    w_nx = self.base.with_extra(waits)
                p = self._on_networkx(od, w_nx)
            out.append((p.time_h(W), p, extra))
        return out

    def _on_core(
        self, od: _OD, edge_w: np.ndarray, W: np.ndarray, more: int
    ) -> tuple[_Path, list[_Path]]:
        """A flow's best path on the compiled core, the waits per edge ``edge_w`` added."""
        c = self.core
        w = od.vec + edge_w
        pw = c.pair_values(w)
        dist, pred = c.values_tree(pw, od.src)
        reached = dist[od.dst]
        j = int(np.argmin(reached))
        if not np.isfinite(reached[j]):
            raise NoRouteError(
                f"flow {od.flow.id!r}: no route from {od.flow.origin} to {od.flow.destination}"
            )
        best = self._path(od, c.path(pred, int(od.dst[j])), w)
        if not more or od.volume <= 0 or not od.paths:
            return best, []
        mean = sum(q.share * q.time_h(W) for q in od.paths.values()) / od.volume
        return best, self._alternatives(od, w, pw, dist, pred, mean, more)

    def _alternatives(self, od, w, pw, dist, pred, limit: float, more: int) -> list[_Path]:
        """Up to ``more`` new paths of a flow faster than ``limit``, through other links.

        For every link ``u -> v``, the best path through it is the best path to ``u``, the
        link and the best path from ``v`` (one search from the origin, one to the
        destination). Those faster than ``limit`` (the flow's mean time now: cargo would move
        to them) join the route set, fastest first, when they visit no node twice.

        Parameters
        ----------
        od
            The flow.
        w, pw
            Its edge and ``(u, v)`` pair vectors with the waits.
        dist, pred
            The search from its origin.
        limit
            Only paths faster than this (hours).
        more
            The most paths returned.

        Returns
        -------
        list of _Path
            New paths (not in the flow's set yet), fastest first.
        """
        c = self.core
        to_dst, nxt = c.values_tree(pw, od.dst, reverse=True)
        pu, pv = c.eu[c.pair_start], c.indices
        through = dist[pu] + pw + to_dst[pv]
        # a link on both trees gives the same path as the links where its stretch of shared
        # best paths begins or ends: left out
        ok = (through < limit * (1.0 - _EQUAL)) & ((pred[pv] != pu) | (nxt[pu] != pv))
        cand = np.flatnonzero(ok)
        cand = cand[np.argsort(through[cand], kind="stable")][: 4 * more]
        known = {q.nodes for q in od.paths.values()}
        out: list[_Path] = []
        back, ahead = pred.tolist(), nxt.tolist()  # lists walk faster than arrays
        for k in cand.tolist():
            seq = search.walk(back, int(pu[k]))[::-1] + search.walk(ahead, int(pv[k]))
            nodes = tuple(c.nodes[i] for i in seq)
            if nodes in known or len(set(seq)) < len(seq):
                continue
            known.add(nodes)
            out.append(self._path(od, nodes, w))
            if len(out) >= more:
                break
        return out

    def _path(self, od: _OD, nodes: Sequence[str], w: np.ndarray) -> _Path:
        """The path of a flow along ``nodes`` on the core, its cheapest edges under ``w``."""
        c = self.core
        picked = c.path_edge_index(od.bound, nodes, w)
        elem = self.edge_elem[picked]
        idx, cnt = np.unique(elem[elem < len(self.queues.keys)], return_counts=True)
        unlimited = picked[elem == len(self.queues.keys)].tolist()
        free = dict.fromkeys(element_of(c.edges[j])[1] for j in unlimited)
        return _Path(
            tuple(picked.tolist()),
            tuple(nodes),
            0.0,
            sum(self.base_h[picked].tolist()),
            idx,
            cnt.astype(float),
            tuple(free),
        )

    def _on_networkx(self, od: _OD, w: Weight) -> _Path:
        """A flow's best path routed by the weight ``w`` (base plus waits) on networkx."""
        G = self.G
        if od.via:
            r = route(
                G,
                od.origins[0],
                od.destinations[0],
                via=list(od.via),
                weight=w,
                modes=list(od.flow.modes) if od.flow.modes else None,
            )
            nodes = r.path
            edges = w.path_edges(G, nodes)
        else:
            wf = w.between(frozenset(od.origins), frozenset(od.destinations))
            if od.flow.modes:
                wf = wf.only_modes(od.flow.modes)
            found = search.best_path(G, od.origins, od.destinations, wf)
            if found is None:
                raise NoRouteError(
                    f"flow {od.flow.id!r}: no route from {od.flow.origin} to {od.flow.destination}"
                )
            nodes = found
            edges = wf.path_edges(G, nodes)
        return self.queues.path(tuple(nodes), nodes, edges, self.base)


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
        1994): each flow's best route (and other improving routes) joins its route set, and
        cargo moves from each slower route to the fastest until they take the same time,
        times updated after every move, in several passes per iteration.
        ``"frank-wolfe"``: the classic algorithm (all-or-nothing direction, line search on
        the Beckmann objective); the same equilibrium with a slower tail. Both report the
        same relative gap.

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
    queues = _Queues(elements, curve)
    search = _Search(G, base, queues)
    for od in ods:
        search.prepare(od)

    # iteration 0: everything on its free route
    W = np.zeros(len(queues.keys))
    for od, (_, p, _) in zip(ods, search.best(ods, W), strict=True):
        p.share = od.volume
        od.paths = {p.key: p}
        od.free_h = p.base_h
    gaps: list[float] = []
    converged = False
    for _ in range(max_iterations):
        V = queues.volumes(ods)
        W = queues.waits(V)
        targets = search.best(ods, W, more=NEW_PATHS if method == "projection" else 0)
        gap = _relative_gap(ods, targets, W)
        gaps.append(gap)
        if gap < tolerance:
            converged = True
            break
        if method == "projection":
            _projection_step(ods, targets, V, W, queues, gap)
        elif not _frank_wolfe_step(ods, targets, V, queues):
            break

    V = queues.volumes(ods)
    return _result(
        G,
        vols,
        view,
        base,
        ods,
        elements,
        V,
        queues.waits(V),
        gaps,
        tolerance,
        converged,
        unconverted,
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


def _relative_gap(ods: Sequence[_OD], targets: Sequence[tuple], W) -> float:
    """The relative gap: the current paths' total time against the best times (0 at best).

    ``(sum of path flow x path time - sum of demand x best time) / sum of path flow x path
    time``, the times under the current waits ``W`` (the standard relative gap of Boyles,
    Lownes and Unnikrishnan, 'Transportation Network Analysis', ch. 6, and of Bar-Gera's
    test networks).

    Parameters
    ----------
    ods
        The demands, with their current paths.
    targets
        Per demand, its best time and path under the current waits.
    W
        The current waits (hours) by element index.

    Returns
    -------
    float
        ``(current - best) / current``, never below 0.
    """
    tstt = sptt = 0.0
    for od, (best, _, _) in zip(ods, targets, strict=True):
        for p in od.paths.values():
            tstt += p.share * p.time_h(W)
        sptt += od.volume * best
    gap = (tstt - sptt) / tstt if tstt > 0 else 0.0
    return max(gap, 0.0)


def _frank_wolfe_step(ods, targets, V, queues: _Queues) -> bool:
    """One Frank-Wolfe step: move a line-searched share of every demand to its target path.

    Parameters
    ----------
    ods
        The demands; their paths and shares are updated in place.
    targets
        Per demand, its best time and path under the current waits.
    V
        The current volumes by element index.
    queues
        The capacity-limited elements.

    Returns
    -------
    bool
        False if the step length is 0 (nothing moved: stop), else True.
    """
    Y = np.zeros_like(V)
    # derivative of the Beckmann objective along (Y - X): the queue-free part ...
    B = 0.0
    for od, (_, p, _) in zip(ods, targets, strict=True):
        Y[p.idx] += od.volume * p.cnt
        B += od.volume * p.base_h - sum(q.share * q.base_h for q in od.paths.values())
    moved = np.flatnonzero(Y != V)
    xs, ds = V[moved], Y[moved] - V[moved]

    def slope(lam: float) -> float:  # ... and the queues at X + lam (Y - X)
        return B + float(np.dot(ds, queues.waits(xs + lam * ds, moved)))

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
    for od, (_, p, _) in zip(ods, targets, strict=True):
        new: dict[tuple[Any, ...], _Path] = {}
        for k, q in od.paths.items():
            q.share *= 1.0 - lam
            if q.share > od.volume * 1e-12:
                new[k] = q
        if p.key in new:
            new[p.key].share += lam * od.volume
        else:
            p.share = lam * od.volume
            new[p.key] = p
        od.paths = new
    return True


def _result(G, vols, view, base, ods, elements, V, W, gaps, tolerance, converged, unconverted):
    rows = []
    for (k, e), v, wait in zip(elements.items(), V.tolist(), W.tolist(), strict=True):
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
            t = p.time_h(W)
            days += p.share / total * t / 24.0
            nodes = [
                x
                for i, x in enumerate(place_of(n) for n in p.nodes)
                if i == 0 or x != place_of(p.nodes[i - 1])
            ]
            routes.append(
                {"share": round(p.share / total, 4), "days": round(t / 24.0, 3), "nodes": nodes}
            )
            unconstrained.update(p.free)
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


# -- gradient projection -----------------------------------------------------------------------
#: besides its best path, up to this many other improving paths join a flow's set per iteration
NEW_PATHS = 64
#: the most passes over the flows' route sets per iteration (re-using the routes found)
INNER_PASSES = 40
#: inner passes stop once the gap over the route sets is below this fraction of the gap
INNER_FRACTION = 0.1
#: a new route must be faster than the mean by at least this fraction
_EQUAL = 1e-9


def _projection_step(ods, targets, V, W, queues: _Queues, gap: float) -> None:
    """Path-based gradient projection towards the user equilibrium.

    Every flow's best route joins its route set (column generation), with up to
    ``NEW_PATHS`` other routes faster than the flow's mean time (a congested grid spreads a
    flow over a hundred routes or more: one new route per iteration would need as many
    iterations). Then, in passes over the flows with their route sets fixed (Gauss-Seidel:
    volumes and waits updated after every move), cargo moves from each slower route of a
    flow, slowest first, to its fastest until the two take the same time
    (:func:`_pair_shift`). The passes stop when the relative gap over the route sets falls
    below ``INNER_FRACTION`` times ``gap`` (new routes are then worth more than further
    balancing), or after ``INNER_PASSES``; routes left without cargo are then dropped.

    Parameters
    ----------
    ods
        The demands; their paths and shares are updated in place.
    targets
        Per demand, its best time and path under the waits ``W``.
    V, W
        The volumes and waits by element index, updated in place.
    queues
        The capacity-limited elements.
    gap
        The relative gap at ``V``.
    """
    for od, (_, p, extra) in zip(ods, targets, strict=True):
        for q in (p, *extra):
            if q.key not in od.paths:
                q.share = 0.0
                od.paths[q.key] = q
    for _ in range(INNER_PASSES):
        excess = total = 0.0
        for od in ods:
            e, t = _equilibrate(od, V, W, queues, 0.5 * INNER_FRACTION * gap)
            excess += e
            total += t
        if total <= 0 or excess <= INNER_FRACTION * gap * total:
            break
    for od in ods:  # drop the routes left without cargo (a flow keeps its fastest)
        keep = min(od.paths.values(), key=lambda q: q.time_h(W))
        od.paths = {k: q for k, q in od.paths.items() if q.share > od.volume * 1e-12 or q is keep}


def _equilibrate(
    od: _OD, V: np.ndarray, W: np.ndarray, queues: _Queues, close: float
) -> tuple[float, float]:
    """One pass over a flow's routes: cargo from each slower route to the fastest.

    Parameters
    ----------
    od
        The demand; its paths' shares are updated in place.
    V, W
        The volumes and waits by element index, updated in place.
    queues
        The capacity-limited elements.
    close
        Routes slower than the fastest by at most this fraction of its time are left as
        they are in this pass.

    Returns
    -------
    tuple of float
        Before the moves: ``sum of path flow x (path time - fastest route time)`` and
        ``sum of path flow x path time`` over the flow's routes.
    """
    paths = list(od.paths.values())
    times = _times(od, paths, W)
    b = int(np.argmin(times))
    s = paths[b]
    shares = np.fromiter((p.share for p in paths), dtype=float, count=len(paths))
    total = float(shares @ times)
    excess = total - od.volume * float(times[b])
    if len(paths) < 2:
        return excess, total
    enough = close * float(times[b])
    ts = float(times[b])
    slow = np.flatnonzero((shares > 0) & (times - times[b] > enough))
    for i in slow[np.argsort(-times[slow], kind="stable")].tolist():  # slowest first
        q = paths[i]
        diff = q.time_h(W) - ts  # now, after the moves before it
        if diff <= enough or q is s:
            continue
        idx, dc = _difference(od, q, s)
        h = _pair_shift(diff, q.share, idx, dc, V, queues)
        q.share = q.share - h if h < q.share else 0.0
        s.share += h
        if idx.size:
            V[idx] = np.maximum(V[idx] - dc * h, 0.0)
            W[idx] = queues.waits(V[idx], idx)
            ts = s.time_h(W)
    return excess, total


def _times(od: _OD, paths: Sequence[_Path], W: np.ndarray) -> np.ndarray:
    """The times of a flow's ``paths`` under the waits ``W``, at once.

    The paths' elements are stacked once per route set (cached on the flow).
    """
    keys = tuple(p.key for p in paths)
    stack = od.stack
    if stack is None or stack[0] != keys:
        owner = np.repeat(np.arange(len(paths)), [len(p.idx) for p in paths])
        idx = np.concatenate([p.idx for p in paths])
        cnt = np.concatenate([p.cnt for p in paths])
        base = np.fromiter((p.base_h for p in paths), dtype=float, count=len(paths))
        stack = od.stack = (keys, owner, idx, cnt, base)
    _, owner, idx, cnt, base = stack
    return base + np.bincount(owner, weights=cnt * W[idx], minlength=len(paths))


def _difference(od: _OD, q: _Path, s: _Path) -> tuple[np.ndarray, np.ndarray]:
    """The elements two routes do not share equally, and ``q``'s count minus ``s``'s there.

    Cached on the flow for the pair (route sets change little from one pass to the next).
    """
    got = od.diffs.get((q.key, s.key))
    if got is None:
        idx = np.concatenate([q.idx, s.idx])
        cnt = np.concatenate([q.cnt, -s.cnt])
        uniq, inv = np.unique(idx, return_inverse=True)
        dc = np.bincount(inv, weights=cnt, minlength=len(uniq))
        keep = dc != 0
        got = od.diffs[(q.key, s.key)] = (uniq[keep], dc[keep])
        if len(od.diffs) > 4 * len(od.paths) ** 2 + 64:  # forget pairs of dropped routes
            live = set(od.paths)
            od.diffs = {k: v for k, v in od.diffs.items() if k[0] in live and k[1] in live}
    return got


def _pair_shift(
    diff: float, most: float, idx: np.ndarray, dc: np.ndarray, V: np.ndarray, queues: _Queues
) -> float:
    """How much cargo to move from a slower route to a faster one so that they take equal time.

    The time difference after moving ``h`` is ``g(h) = diff + sum(dc * (w(V - dc h) - w(V)))``
    over the elements the routes do not share (``dc``: the slower route's count minus the
    faster one's); it falls as ``h`` grows. Its root in ``[0, most]`` is found by Newton's
    method (the step of Jayakrishnan et al. 1994: the time difference over the sum of the
    waits' derivatives on those elements), safeguarded by bisection: near capacity the
    queue's slope grows by orders of magnitude over a small change of volume, and a plain
    Newton step taken with the slope at the start overshoots (the cargo then swings back and
    forth between the routes from one iteration to the next).

    Parameters
    ----------
    diff
        The slower route's time minus the faster one's (hours, > 0).
    most
        The slower route's volume (Mt/yr): the most that can move.
    idx, dc
        The elements the routes do not share equally, and the difference of their counts.
    V
        The volumes by element index.
    queues
        The capacity-limited elements.

    Returns
    -------
    float
        The volume to move, in ``[0, most]``.
    """
    if idx.size == 0:  # same queues on both: the faster one is faster at any split
        return most
    v0 = V[idx]
    w0, s0 = queues.waits_and_slopes(v0, idx)
    lo, hi = 0.0, most
    h, g, d = 0.0, diff, float(dc * dc @ s0)  # d = -g'(h)
    for _ in range(40):
        nxt = h + g / d if d > 0 else math.inf
        if nxt >= hi:
            nxt = most if hi == most and h < most else 0.5 * (lo + hi)
        elif nxt <= lo:
            nxt = 0.5 * (lo + hi)
        w, sl = queues.waits_and_slopes(v0 - dc * nxt, idx)
        h, g, d = nxt, diff + float(dc @ (w - w0)), float(dc * dc @ sl)
        if g >= 0:
            if h >= most:
                return most
            lo = h
        else:
            hi = h
        if abs(g) <= 1e-3 * diff or hi - lo <= 1e-12 * most:
            break
    return h


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
