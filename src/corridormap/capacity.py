"""Capacity: maximum flow and minimum cut between two sets of places, and the widest path.

Capacities come from the geodata (``capacity`` and ``capacity_unit`` of links and places).
Links and places without a capacity in the unit asked for are treated as unconstrained and
listed in the result as missing, never filled in. A place's capacity limits the cargo handled
there (node splitting in the flow graph); closures are weight functions, so ``G`` is never
modified.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import InputError, NoRouteError
from ._schema import check_graph
from .network import endpoint_nodes, place_of
from .places import link_names, places, resolve_end_place, resolve_endpoints
from .weights import make_weight

__all__ = ["MinCut", "WidestPath", "min_cut", "widest_path"]


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]):
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


# -- min cut -------------------------------------------------------------------------------
def _capacity_fns(G, scenario, unit):
    """Link and node capacity getters (value in ``unit`` or ``None``) and unit mismatches."""
    other: dict[str, str] = {}

    def link_cap(d: Mapping[str, Any]) -> float | None:
        if d.get("capacity") is None:
            return None
        if d.get("capacity_unit") != unit:
            other[d["link_id"]] = f"{d['capacity']:g} {d.get('capacity_unit')}"
            return None
        return scenario.link_capacity(d) if scenario is not None else float(d["capacity"])

    def node_cap(p: str) -> float | None:
        props = places(G)[p]
        if props.get("capacity") is None:
            return None
        if props.get("capacity_unit") != unit:
            other[p] = f"{props['capacity']:g} {props.get('capacity_unit')}"
            return None
        return (
            scenario.node_capacity(p, props) if scenario is not None else float(props["capacity"])
        )

    return link_cap, node_cap, other


@dataclass
class MinCut:
    """Maximum flow between two sets of places and the minimum cut that limits it.

    Attributes
    ----------
    sources, sinks
        Place ids.
    flow
        The maximum flow in ``unit`` (``inf`` when a path without any capacity figure joins
        the two sides: see ``unbounded_path``).
    unit
        The capacity unit (e.g. ``Mt/yr``).
    cut
        The cut elements: ``element``, ``kind`` (link or node), ``name``, ``capacity``,
        ``unit``, ``capacity_source``. Their capacities sum to ``flow``.
    missing_capacity
        Links and places in the network searched that have no capacity in ``unit`` (treated
        as unconstrained).
    other_units
        Elements whose capacity is in another unit (not converted): ``id -> "35 wagons/day"``.
    unbounded_path
        When ``flow`` is infinite, the elements of one path with no capacity figure; when
        ``ends_only``, one path between the sides whose elements carry no capacity figure.
    ends_only
        The flow is bounded only by the capacities of the sides' own places (their ports or
        terminals): nothing between them carries a capacity figure, so the answer says more
        about missing figures than about the network.
    """

    sources: list[str]
    sinks: list[str]
    flow: float
    unit: str
    cut: list[dict[str, Any]]
    missing_capacity: list[str]
    other_units: dict[str, str]
    unbounded_path: list[str] = field(default_factory=list)
    modes: list[str] | None = None
    ends_only: bool = False

    @property
    def cut_capacity(self) -> float:
        """The summed capacity of the cut elements (``inf`` when there is no cut)."""
        return float(sum(c["capacity"] for c in self.cut)) if self.cut else math.inf

    def to_dict(self) -> dict[str, Any]:
        """The flow, the cut and the gaps in the data as plain data for JSON.

        ``flow`` is ``None`` when it is infinite.
        """
        return {
            "sources": self.sources,
            "sinks": self.sinks,
            "flow": None if math.isinf(self.flow) else round(self.flow, 4),
            "unit": self.unit,
            "cut": [dict(c) for c in self.cut],
            "missing_capacity": self.missing_capacity,
            "other_units": dict(self.other_units),
            "unbounded_path": self.unbounded_path,
            "modes": self.modes,
            "ends_only": self.ends_only,
        }

    def to_frame(self):
        """The cut elements as a pandas DataFrame."""
        return _frame(
            [dict(c) for c in self.cut],
            ("element", "kind", "name", "capacity", "unit", "capacity_source"),
        )

    def summary(self) -> str:
        """One line: the maximum flow and the cut elements, or the path that leaves it unbounded."""
        if math.isinf(self.flow):
            return (
                f"unbounded: a path without capacity figures joins them "
                f"({' - '.join(self.unbounded_path)})"
            )
        cut = ", ".join(f"{c['element']} {c['capacity']:g}" for c in self.cut)
        text = f"max flow {self.flow:g} {self.unit}; min cut: {cut}"
        if self.ends_only:
            text += (
                "; bounded only by the end places' own capacities: no capacity figure on "
                f"the way between them ({' - '.join(self.unbounded_path)})"
            )
        return text

    def __repr__(self) -> str:
        return (
            f"<MinCut {','.join(self.sources)} -> {','.join(self.sinks)}: {self.summary()}; "
            f"{len(self.missing_capacity)} elements without capacity>"
        )


def _capacity_graph(G, sources, sinks, scenario, unit, modes):
    """A DiGraph for max-flow.

    It holds link edges (shared per link and direction), place handling hubs (node
    splitting: transfers at a place with a capacity pass one capacity edge), a super source
    ``_S`` and sink ``_T``.
    """
    wf = make_weight(
        "time_h",
        closed_links=scenario.closed_links if scenario else (),
        closed_places=scenario.closed_places if scenario else (),
        opened_links=scenario.opened_links if scenario else (),
    )
    link_cap, node_cap, other = _capacity_fns(G, scenario, unit)
    allowed = set(modes) if modes is not None else None
    H = nx.DiGraph()
    groups, transfers = _edge_groups(G, wf.visible, allowed)
    used_links, used_places = _add_link_groups(H, groups, link_cap)
    _add_place_hubs(H, transfers, node_cap)
    for p in sources:
        for n in endpoint_nodes(G, p):
            if n in H:
                H.add_edge("_S", n)
    for p in sinks:
        for n in endpoint_nodes(G, p):
            if n in H:
                H.add_edge(n, "_T")
    missing = sorted(
        {x for x in used_links if link_cap(_any_edge(G, x)) is None}
        | {p for p in used_places if p in places(G) and node_cap(p) is None}
    )
    return H, missing, other


def _edge_groups(G, visible, allowed: set[str] | None) -> tuple[dict, dict]:
    """The visible link edges grouped by link and direction, and the transfers by place.

    Parameters
    ----------
    G
        The network.
    visible
        Whether an edge's data is visible (open) under the weight.
    allowed
        Only links of these modes, or None for all.

    Returns
    -------
    tuple
        ``{(link id, from place, to place): [(u, v, data), ...]}`` and
        ``{place: [(u, v), ...]}``.
    """
    groups: dict[tuple[str, str, str], list[tuple[str, str, Mapping[str, Any]]]] = {}
    transfers: dict[str, list[tuple[str, str]]] = {}
    for u, v, d in G.edges(data=True):
        if not visible(d):
            continue
        if d["kind"] == "link":
            if allowed is not None and d["mode"] not in allowed:
                continue
            groups.setdefault((d["link_id"], d["u_place"], d["v_place"]), []).append((u, v, d))
        else:
            transfers.setdefault(d["u_place"], []).append((u, v))
    return groups, transfers


def _add_link_groups(H: nx.DiGraph, groups: dict, link_cap) -> tuple[set[str], set[str]]:
    """Add each link direction as one edge, or a shared hub edge when it has several layers.

    Parameters
    ----------
    H
        The flow graph, extended in place.
    groups
        The link edges by (link id, from place, to place).
    link_cap
        A link edge's capacity in the unit, or None (unconstrained).

    Returns
    -------
    tuple
        The link ids and the places the links use.
    """
    used_links: set[str] = set()
    used_places: set[str] = set()
    for (lid, a, b), edges in sorted(groups.items()):
        used_links.add(lid)
        used_places.update((a, b))
        cap = link_cap(edges[0][2])
        attrs = {"element": ("link", lid)}
        if cap is not None:
            attrs["capacity"] = cap
        u, v, _ = edges[0]
        if len(edges) == 1 and not H.has_edge(u, v):
            H.add_edge(u, v, **attrs)
            continue
        hin, hout = ("L", lid, a, "in"), ("L", lid, a, "out")
        H.add_edge(hin, hout, **attrs)
        for u, v, _ in edges:
            H.add_edge(u, hin)
            H.add_edge(hout, v)
    return used_links, used_places


def _add_place_hubs(H: nx.DiGraph, transfers: dict, node_cap) -> None:
    """Add the transfers: through one capacity edge at a place with a capacity, else as is.

    Parameters
    ----------
    H
        The flow graph, extended in place.
    transfers
        The transfer edges by place.
    node_cap
        A place's handling capacity in the unit, or None (unconstrained).
    """
    for p, edges in sorted(transfers.items()):
        cap = node_cap(p)
        if cap is None:
            for u, v in edges:
                if not H.has_edge(u, v):
                    H.add_edge(u, v)
            continue
        hin, hout = ("N", p, "in"), ("N", p, "out")
        H.add_edge(hin, hout, element=("node", p), capacity=cap)
        for u, v in edges:
            H.add_edge(u, hin)
            H.add_edge(hout, v)


def _any_edge(G, lid):
    return derived(G, "link_edge", _build_link_edge, edges=True)[lid]


def _build_link_edge(G: nx.MultiDiGraph) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for _, _, d in G.edges(data=True):
        if d.get("link_id") is not None:
            table.setdefault(d["link_id"], d)
    return table


def _element_row(G, kind, eid, cap, unit) -> dict[str, Any]:
    if kind == "link":
        d = _any_edge(G, eid)
        name, src = link_names(G)[eid], d.get("capacity_source")
    else:
        p = places(G)[eid]
        name, src = p["name"], p.get("capacity_source")
    return {
        "element": eid,
        "kind": kind,
        "name": name,
        "capacity": round(cap, 4),
        "unit": unit,
        "capacity_source": src,
    }


def min_cut(
    G: nx.MultiDiGraph,
    sources: str | Iterable[str],
    sinks: str | Iterable[str],
    *,
    capacity: str = "capacity",
    unit: str = "Mt/yr",
    modes: Iterable[str] | None = None,
    scenario: Any = None,
) -> MinCut:
    """Maximum flow and minimum cut between two sets of places, in physical units.

    Links carry their capacity in each direction; a place's capacity limits the cargo handled
    there (transfers between its layers, loading and unloading), through node splitting,
    not trains passing through on one layer. Elements without a capacity in ``unit`` are
    unconstrained and listed in ``missing_capacity``.

    Parameters
    ----------
    G
        The network (not modified).
    sources, sinks
        A region name (``russia``, ``iran-gulf-ports``), an ISO country code, a kind of place
        (``port``), a place name or id, or a list of them; chokepoints are not sources or sinks
        (no cargo starts or ends there).
    capacity
        The capacity attribute (only ``"capacity"`` is carried by the geodata).
    unit
        Only capacities in this unit are used; others are reported in ``other_units``.
    modes
        Only links of these modes (e.g. without ``sea`` for the overland and Caspian
        corridor); ``None`` for all.
    scenario
        An :class:`~corridormap.scenarios.AppliedScenario`: its closures, openings and scaled
        capacities apply.

    Returns
    -------
    MinCut
    """
    check_graph(G, "min_cut")
    if capacity != "capacity":
        raise ValueError(f"the geodata carries capacities as 'capacity', got {capacity!r}")
    one = isinstance(sources, str)
    src = sorted(resolve_endpoints(G, [sources] if one else sources, "sources"))
    dst = sorted(resolve_endpoints(G, [sinks] if isinstance(sinks, str) else sinks, "sinks"))
    both = sorted(set(src) & set(dst))
    if both:
        raise ValueError(f"places on both sides: {', '.join(both)}")
    mode_list = sorted(modes) if modes is not None else None
    H, missing, other = _capacity_graph(G, src, dst, scenario, unit, mode_list)
    base = {"sources": src, "sinks": dst, "unit": unit, "modes": mode_list}
    if "_S" not in H or "_T" not in H:
        return MinCut(flow=0.0, cut=[], missing_capacity=missing, other_units=other, **base)
    try:
        value, (reach, _) = nx.minimum_cut(H, "_S", "_T")
    except nx.NetworkXUnbounded:
        path = nx.shortest_path(
            nx.subgraph_view(H, filter_edge=lambda u, v: "capacity" not in H[u][v]), "_S", "_T"
        )
        ids: list[str] = []
        for n in path[1:-1]:
            pid = n[1] if isinstance(n, tuple) else place_of(n)
            if not ids or ids[-1] != pid:
                ids.append(pid)
        return MinCut(
            flow=math.inf,
            cut=[],
            missing_capacity=missing,
            other_units=other,
            unbounded_path=ids,
            **base,
        )
    cut = []
    for u in reach:
        for v, a in H[u].items():
            if v not in reach and "capacity" in a:
                kind, eid = a["element"]
                cut.append(_element_row(G, kind, eid, a["capacity"], unit))
    cut.sort(key=lambda c: (-c["capacity"], c["element"]))
    ends = set(src) | set(dst)
    ends_only = bool(cut) and all(c["kind"] == "node" and c["element"] in ends for c in cut)
    path_ids: list[str] = []
    if ends_only:
        path_ids = _path_without_capacity(H, ends)
        ends_only = bool(path_ids)
    return MinCut(
        flow=float(value),
        cut=cut,
        missing_capacity=missing,
        other_units=other,
        unbounded_path=path_ids,
        ends_only=ends_only,
        **base,
    )


def _path_without_capacity(H: nx.DiGraph, ends: set[str]) -> list[str]:
    """Places and links of one ``_S -> _T`` path of ``H`` on which nothing but the end ...

    ... places' own handling carries a capacity.
    """

    def open_edge(u, v) -> bool:
        a = H[u][v]
        if "capacity" not in a:
            return True
        kind, eid = a["element"]
        return kind == "node" and eid in ends

    try:
        path = nx.shortest_path(nx.subgraph_view(H, filter_edge=open_edge), "_S", "_T")
    except nx.NetworkXNoPath:
        return []
    ids: list[str] = []
    for n in path[1:-1]:
        pid = n[1] if isinstance(n, tuple) else place_of(n)
        if not ids or ids[-1] != pid:
            ids.append(pid)
    return ids


# -- widest path ---------------------------------------------------------------------------
@dataclass
class WidestPath:
    """The route with the largest bottleneck capacity between two places.

    Attributes
    ----------
    origin, destination
        Place ids.
    nodes, links
        Places passed and link ids travelled, in order.
    bottleneck
        The smallest capacity on the route in ``unit`` (``None`` if no element on it has a
        capacity figure), and ``bottleneck_element`` the link or place that has it.
    time_h
        The route's time (among equally wide routes, the fastest is chosen).
    """

    origin: str
    destination: str
    nodes: list[str]
    links: list[str]
    bottleneck: float | None
    bottleneck_element: str | None
    bottleneck_kind: str | None
    unit: str
    time_h: float
    path: list[str] = field(default_factory=list)

    @property
    def days(self) -> float:
        """The route's time in days."""
        return self.time_h / 24.0

    def to_dict(self) -> dict[str, Any]:
        """The route, its bottleneck and its days as plain data for JSON."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "nodes": self.nodes,
            "links": self.links,
            "bottleneck": self.bottleneck,
            "bottleneck_element": self.bottleneck_element,
            "bottleneck_kind": self.bottleneck_kind,
            "unit": self.unit,
            "days": round(self.days, 3),
        }

    def to_frame(self):
        """A pandas DataFrame of the links travelled: ``order`` (from 1) and ``link_id``."""
        return _frame(
            [{"order": i, "link_id": lid} for i, lid in enumerate(self.links, 1)],
            ("order", "link_id"),
        )

    def __repr__(self) -> str:
        b = (
            "no capacity figure on the route"
            if self.bottleneck is None
            else f"bottleneck {self.bottleneck:g} {self.unit} at {self.bottleneck_element}"
        )
        return (
            f"<WidestPath {self.origin} -> {self.destination}: {b}; via {' - '.join(self.nodes)}>"
        )


def _widest_search(
    G: nx.MultiDiGraph,
    srcs: set[str],
    dsts: set[str],
    visible: Callable,
    cost: Callable,
    cap_of: Callable,
) -> tuple[dict, dict, dict, set[str]]:
    """Search from ``srcs`` for the widest (then cheapest) labels until a node of ``dsts`` is done.

    Returns ``best`` (node -> (bottleneck, cost)), ``pred`` (node -> (previous node, edge,
    bottleneck)), ``bott`` (node -> (capacity, element, kind)) and the set of nodes done.
    """
    best: dict[str, tuple[float, float]] = {}
    pred: dict[str, tuple[str, Mapping[str, Any], tuple]] = {}
    counter = itertools.count()
    heap: list = []
    for s in srcs:
        best[s] = (math.inf, 0.0)
        heapq.heappush(heap, (-math.inf, 0.0, next(counter), s, (math.inf, None, None)))
    bott: dict[str, tuple] = {s: (math.inf, None, None) for s in srcs}
    done: set[str] = set()
    while heap:
        _nb, t, _, u, _bt = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u in dsts:
            break
        for v, edges in G.succ[u].items():
            if v in done:
                continue
            for e in edges.values():
                if not visible(e):
                    continue
                c, eid, kind = cap_of(e)
                cur = bott[u]
                newb = cur if cur[0] <= c else (c, eid, kind)
                nt = t + cost(e)
                old = best.get(v)
                if old is None or (newb[0], -nt) > (old[0], -old[1]):
                    best[v] = (newb[0], nt)
                    bott[v] = newb
                    pred[v] = (u, e, newb)
                    heapq.heappush(heap, (-newb[0], nt, next(counter), v, newb))
    return best, pred, bott, done


def _widest_trace(
    pred: dict, end: str, srcs: set[str], wf: Any
) -> tuple[list[str], list[str], float]:
    """The nodes, link ids and time (as ``wf`` measures it) of the path back from ``end``."""
    path, links, node = [end], [], end
    time_h = 0.0
    while node not in srcs:
        u, e, _ = pred[node]
        if e.get("link_id") is not None and (not links or links[-1] != e["link_id"]):
            links.append(e["link_id"])
        time_h += wf.measure(e)["time_h"]
        path.append(u)
        node = u
    path.reverse()
    links.reverse()
    return path, links, time_h


def widest_path(
    G: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    unit: str = "Mt/yr",
    scenario: Any = None,
    by: str = "time_h",
) -> WidestPath:
    """The route between two places whose smallest capacity is largest.

    A link's capacity limits its edges; a place's capacity limits transfers there (as in
    :func:`min_cut`). Elements without a capacity in ``unit`` are unconstrained; among
    equally wide routes the one with the least ``by`` is chosen.

    Parameters
    ----------
    G
        The network (not modified).
    a, b
        Place names or ids.
    unit
        Capacity unit used.
    scenario
        An :class:`~corridormap.scenarios.AppliedScenario` (closures and scaled capacities).
    by
        Tie-break objective.

    Returns
    -------
    WidestPath

    Raises
    ------
    NoRouteError
        If no open route joins the places.
    """
    o, d = resolve_end_place(G, a, "origin"), resolve_end_place(G, b, "destination")
    if o == d:
        raise InputError(f"origin and destination are the same place ({o})")
    wf = (scenario.weight(by) if scenario is not None else make_weight(by)).between(o, d)
    visible: Callable = wf.visible
    cost = wf.cost
    link_cap, node_cap, _ = _capacity_fns(G, scenario, unit)
    ncap: dict[str, float | None] = {}

    def cap_of(e: Mapping[str, Any]) -> tuple[float, str | None, str | None]:
        if e["kind"] == "link":
            c = link_cap(e)
            return (math.inf, None, None) if c is None else (c, e["link_id"], "link")
        p = e["u_place"]
        if p not in ncap:
            ncap[p] = node_cap(p)
        c = ncap[p]
        return (math.inf, None, None) if c is None else (c, p, "node")

    srcs, dsts = set(endpoint_nodes(G, o)), set(endpoint_nodes(G, d))
    best, pred, bott, done = _widest_search(G, srcs, dsts, visible, cost, cap_of)
    reached = [t for t in dsts if t in done]
    if not reached:
        cat = places(G)
        raise NoRouteError(f"no route from {cat[o]['name']} ({o}) to {cat[d]['name']} ({d})")
    end = max(reached, key=lambda n: (best[n][0], -best[n][1]))
    path, links, time_h = _widest_trace(pred, end, srcs, wf)
    bval, beid, bkind = bott[end]
    return WidestPath(
        origin=o,
        destination=d,
        nodes=[p for p, _ in itertools.groupby(place_of(n) for n in path)],
        links=links,
        bottleneck=None if math.isinf(bval) else bval,
        bottleneck_element=beid,
        bottleneck_kind=bkind,
        unit=unit,
        time_h=time_h,
        path=path,
    )
