"""Bottlenecks: criticality of links and places, capacity min-cut, widest path, flow betweenness.

Closures are weight functions (:func:`corridormap.make_weight`), never graph copies or edits,
so every analysis leaves ``G`` untouched. Criticality uses the fact that only an element on a
current best route can change that route when closed: everything else scores zero without a
recomputation.

Capacities come from the geodata (``capacity`` and ``capacity_unit`` of links and places).
Links and places without a capacity in the unit asked for are treated as unconstrained and
listed in the result as missing, never filled in.
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
from ._csr import Detours, engine, note_query
from ._errors import InputError, NoRouteError
from ._schema import check_graph
from .analysis import load_analysis
from .network import endpoint_nodes, place_of
from .places import place_names, places, resolve_area, resolve_place
from .routing import path_edges
from .weights import Weight, as_weight, make_weight

__all__ = [
    "DEFAULT_PAIRS",
    "Criticality",
    "FlowBetweenness",
    "MinCut",
    "WidestPath",
    "criticality",
    "default_pairs",
    "flow_betweenness",
    "min_cut",
    "widest_path",
]

#: the pairs the bundled data analyses by default (its ``analysis.toml``; a network's own
#: geodata directory may hold its own: see :func:`default_pairs`)
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = load_analysis().pairs
CRITICALITY_FIELDS = (
    "element",
    "name",
    "kind",
    "delta_days",
    "delta_cost_usd",
    "disconnects",
    "pairs_affected",
    "ranked",
)


# -- shared helpers ------------------------------------------------------------------------
def default_pairs(G: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """The pairs analysed when none are given.

    They come from ``analysis.toml`` of ``G``'s geodata directory (the bundled one when it has
    none), keeping the pairs whose places are in ``G``.
    """
    out = []
    for o, d in load_analysis(G.graph.get("directory")).pairs:
        try:
            resolve_place(G, o), resolve_place(G, d)
        except LookupError:
            continue
        out.append((o, d))
    return out


def _resolve_pairs(G: nx.MultiDiGraph, pairs) -> list[tuple[str, str, str]]:
    check_graph(G, "criticality")
    if isinstance(pairs, str) or not (pairs is None or isinstance(pairs, Iterable)):
        raise InputError(f"pairs must be a list of (origin, destination), got {pairs!r}")
    out = []
    for item in default_pairs(G) if pairs is None else pairs:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise InputError(f"each pair must be (origin, destination), got {item!r}")
        o, d = item
        out.append((f"{o} - {d}", resolve_place(G, o), resolve_place(G, d)))
    return out


def _shortest(
    G: nx.MultiDiGraph,
    o: str,
    d: str,
    wf: Weight,
    h: Mapping[str, float] | None = None,
) -> list[str] | None:
    """The best node path from place ``o`` to place ``d``, or ``None``.

    Runs on the compiled core (:mod:`corridormap._csr`), one C Dijkstra per call. On a graph
    without an export it runs on networkx, where ``h`` (optional) maps nodes to their distance
    to ``d`` with fewer closures: a consistent A* heuristic for any weight that closes more,
    so the search explores only around the detour.
    """
    srcs, dsts = endpoint_nodes(G, o), endpoint_nodes(G, d)
    if not srcs or not dsts:
        return None
    c = engine(G)
    if c is not None:
        found = c.shortest(wf, srcs, dsts)
        if not found:
            return None
        return found[min(found, key=lambda t: found[t][0])][1]
    fn = wf.fn
    try:
        if len(srcs) == 1 and len(dsts) == 1:
            if h is not None:
                return nx.astar_path(
                    G, srcs[0], dsts[0], heuristic=lambda u, _t: h.get(u, math.inf), weight=fn
                )
            return nx.bidirectional_dijkstra(G, srcs[0], dsts[0], weight=fn)[1]
        dist, paths = nx.multi_source_dijkstra(G, set(srcs), weight=fn)
    except nx.NetworkXNoPath:
        return None
    reached = [t for t in dsts if t in dist]
    if not reached:
        return None
    return paths[min(reached, key=lambda t: dist[t])]


def _to_target(G: nx.MultiDiGraph, d: str, wf: Weight) -> dict[str, float] | None:
    """Distances from every node to place ``d``'s single endpoint node (reverse Dijkstra)."""
    dsts = endpoint_nodes(G, d)
    if len(dsts) != 1:
        return None
    R = G.reverse(copy=False)
    return nx.single_source_dijkstra_path_length(R, dsts[0], weight=wf.fn)


def _totals(edges, wf: Weight) -> tuple[float, float, float]:
    """Time, cost and the objective of a route's edges, as the weight measures them."""
    t = c = obj = 0.0
    for e in edges:
        m = wf.measure(e)
        t += m["time_h"]
        c += m["cost_usd"]
        obj += wf.cost(e)
    return t, c, obj


def _elements(edges, path, o, d) -> list[tuple[str, str]]:
    """Links and places a route uses (its own origin and destination excluded)."""
    seen: dict[tuple[str, str], None] = {}
    for e in edges:
        if e.get("link_id") is not None:
            seen[("link", e["link_id"])] = None
    for n in path:
        p = place_of(n)
        if p not in (o, d):
            seen[("node", p)] = None
    return list(seen)


def _link_names(G: nx.MultiDiGraph) -> dict[str, str]:
    return derived(G, "link_names", _build_link_names, structure=True)


def _place_names(G: nx.MultiDiGraph) -> dict[str, str]:
    """Place id -> name, every place of ``G`` (cached like :func:`_link_names`)."""
    return derived(G, "place_names", _build_place_names, structure=True)


def _build_place_names(G: nx.MultiDiGraph) -> dict[str, str]:
    """As ``{pid: p["name"] for pid, p in places(G).items()}``, without copying every place."""
    check_graph(G, "places")
    return dict(sorted(place_names(G).items()))


def _build_link_names(G: nx.MultiDiGraph) -> dict[str, str]:
    names = _place_names(G)
    out: dict[str, str] = {}
    for _, _, d in G.edges(data=True):
        lid = d.get("link_id")
        if lid is not None and lid not in out:
            a, b = d["u_place"], d["v_place"]
            if "from" in d and "to" in d:
                a, b = d["from"], d["to"]
            out[lid] = f"{names[a]} - {names[b]} ({d['mode']})"
    return out


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]):
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


# -- criticality ---------------------------------------------------------------------------
@dataclass
class Criticality:
    """How much closing each link or place would cost the OD pairs' best routes.

    Attributes
    ----------
    rows
        One per element (every link and place of the network), ranked: those that disconnect
        most pairs first, then by the increase of the objective. ``delta_days`` and
        ``delta_cost_usd`` are summed over the pairs that stay connected; ``disconnects`` is
        the number of pairs left without a route; ``pairs_affected`` the number of pairs
        whose best route gets worse or is cut.
    per_pair
        ``(pair, element) -> {"delta_h", "delta_cost_usd", "disconnects"}`` for elements on a
        best route.
    baseline
        ``pair -> {"time_h", "cost_usd", "nodes"}`` of the best routes.
    by
        The objective (edge attribute) of the best routes.
    recomputed
        How many shortest-path computations were run.
    """

    rows: list[dict[str, Any]]
    per_pair: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    baseline: dict[str, dict[str, Any]] = field(default_factory=dict)
    by: str = "time_h"
    recomputed: int = 0

    def top(self, n: int = 10) -> list[dict[str, Any]]:
        """The ``n`` most critical elements' rows (copies), in rank order.

        Parameters
        ----------
        n
            How many rows to return.

        Returns
        -------
        list of dict
            Rows with the fields of :data:`CRITICALITY_FIELDS`.
        """
        return [dict(r) for r in self.rows[:n]]

    def value(self, element: str) -> dict[str, Any]:
        """The row of one element id."""
        for r in self.rows:
            if r["element"] == element:
                return r
        raise KeyError(element)

    def to_dict(self) -> list[dict[str, Any]]:
        """Every element's row (copies), ranked, as plain data for JSON."""
        return [dict(r) for r in self.rows]

    def to_frame(self):
        """A pandas DataFrame, one row per element, ranked."""
        return _frame(self.to_dict(), CRITICALITY_FIELDS)

    def __repr__(self) -> str:
        lines = [
            f"<Criticality by {self.by}, {len(self.baseline)} pairs, {len(self.rows)} elements>"
        ]
        for r in self.rows[:10]:
            cut = f", disconnects {r['disconnects']}" if r["disconnects"] else ""
            lines.append(
                f"  {r['ranked']:>3}. {r['element']:<18} {r['kind']:<4} "
                f"{r['delta_days']:+7.2f} d {r['delta_cost_usd']:+9.0f} USD{cut}"
            )
        return "\n".join(lines)


def _all_elements(
    G: nx.MultiDiGraph, cat: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    links = sorted(_link_names(G))
    nodes = sorted(places(G) if cat is None else cat)
    return [("link", x) for x in links] + [("node", x) for x in nodes]


def criticality(
    G: nx.MultiDiGraph,
    pairs: Iterable[tuple[str, str]] | None = None,
    *,
    by: str = "time_h",
    weight: Weight | None = None,
    _naive: bool = False,
) -> Criticality:
    """Rank links and places by what closing each would cost the pairs' best routes.

    Each element is closed in turn through a weight function; only elements on a current
    best route are recomputed (closing anything else cannot change that route).

    Parameters
    ----------
    G
        The network (not modified).
    pairs
        ``(origin, destination)`` names or ids; default :func:`default_pairs`.
    by
        The objective of the best routes: ``time_h`` (``time``) or ``cost_usd`` (``cost``), ...
    weight
        A weight function (e.g. ``apply_scenario(G, s).weight()``) whose closures and costs
        are the baseline; overrides ``by``.

    Returns
    -------
    Criticality
    """
    base = as_weight(weight, by)
    per_pair: dict[tuple[str, str], dict[str, Any]] = {}
    baseline: dict[str, dict[str, Any]] = {}
    runs = 0
    universe = _all_elements(G) if _naive else None
    note_query(G, many=True)
    for label, o, d in _resolve_pairs(G, pairs):
        wf0 = base.between(o, d)
        path = _shortest(G, o, d, wf0)
        runs += 1
        if path is None:
            baseline[label] = {"time_h": None, "cost_usd": None, "nodes": []}
            continue
        edges = path_edges(G, path, wf0)
        t0, c0, obj0 = _totals(edges, wf0)
        baseline[label] = {
            "time_h": t0,
            "cost_usd": c0,
            "nodes": [p for p, _ in itertools.groupby(place_of(n) for n in path)],
        }
        candidates = (
            [e for e in universe if not (e[0] == "node" and e[1] in (o, d))]
            if universe is not None
            else _elements(edges, path, o, d)
        )
        c = engine(G) if universe is None else None
        detours = Detours(c, wf0, endpoint_nodes(G, o), endpoint_nodes(G, d)) if c else None
        h = None if universe is not None or c is not None else _to_target(G, d, wf0)
        share = _shares(edges, wf0)
        for kind, eid in candidates:
            if detours is not None:
                # a closure hides edges; it leaves every edge's figures as they are
                found = detours.search(kind, eid)
                p2 = None if found is None else found[0]
                figures = None if found is None else detours.totals(found[2])
            else:
                wf = wf0.closing(links=[eid]) if kind == "link" else wf0.closing(places=[eid])
                p2 = _shortest(G, o, d, wf, h)
                figures = None if p2 is None else _totals(path_edges(G, p2, wf), wf)
            runs += 1
            row: dict[str, Any] = {"kind": kind, "share": share.get(eid, 0.0)}
            if p2 is None or figures is None:
                row.update(delta_h=0.0, delta_cost_usd=0.0, delta_obj=math.inf, disconnects=True)
            else:
                t2, c2, obj2 = figures
                row.update(
                    delta_h=t2 - t0,
                    delta_cost_usd=c2 - c0,
                    delta_obj=obj2 - obj0,
                    disconnects=False,
                )
            per_pair[(label, eid)] = row
    return _rank(G, per_pair, baseline, base.by, runs)


def _shares(edges, wf: Weight) -> dict[str, float]:
    """What each link or place adds to a route's objective.

    It breaks ties between equal deltas (the long road haul before the short spur).
    """
    share: dict[str, float] = {}
    for e in edges:
        key = e["link_id"] if e.get("link_id") is not None else e["u_place"]
        share[key] = share.get(key, 0.0) + wf.cost(e)
    return share


def _rank(G, per_pair, baseline, attr, runs) -> Criticality:
    cat = _place_names(G)
    names = _link_names(G)
    agg: dict[str, dict[str, Any]] = {}
    for kind, eid in _all_elements(G, cat):
        agg[eid] = {
            "element": eid,
            "name": names[eid] if kind == "link" else cat[eid],
            "kind": kind,
            "delta_days": 0.0,
            "delta_cost_usd": 0.0,
            "disconnects": 0,
            "pairs_affected": 0,
            "_obj": 0.0,
            "_share": 0.0,
        }
    eps = 1e-9
    for (_, eid), r in per_pair.items():
        a = agg[eid]
        a["_share"] += r.get("share", 0.0)
        if r["disconnects"]:
            a["disconnects"] += 1
            a["pairs_affected"] += 1
            continue
        if r["delta_obj"] > eps:
            a["pairs_affected"] += 1
            a["delta_days"] += r["delta_h"] / 24.0
            a["delta_cost_usd"] += r["delta_cost_usd"]
            a["_obj"] += r["delta_obj"]
    # equal deltas (every element of one chain, say) are ranked by what the element itself
    # costs on the best routes: the long road haul before the short spur
    rows = sorted(
        agg.values(), key=lambda a: (-a["disconnects"], -a["_obj"], -a["_share"], a["element"])
    )
    for i, a in enumerate(rows, 1):
        del a["_obj"], a["_share"]
        a["delta_days"] = round(a["delta_days"], 4)
        a["delta_cost_usd"] = round(a["delta_cost_usd"], 2)
        a["ranked"] = i
    return Criticality(rows, per_pair, baseline, by=attr, recomputed=runs)


# -- flow betweenness ----------------------------------------------------------------------
@dataclass
class FlowBetweenness:
    """How many of the pairs' best routes use each link (``rows``: link_id, name, routes, pairs)."""

    rows: list[dict[str, Any]]
    values: dict[str, int]

    def to_dict(self) -> list[dict[str, Any]]:
        """Every used link's row (copies), as plain data for JSON."""
        return [dict(r) for r in self.rows]

    def to_frame(self):
        """A pandas DataFrame, one row per used link: link_id, name, routes, pairs."""
        return _frame(self.to_dict(), ("link_id", "name", "routes", "pairs"))

    def __repr__(self) -> str:
        head = f"<FlowBetweenness: {len(self.rows)} links used>"
        return "\n".join([head, *(f"  {r['routes']:>3}  {r['link_id']}" for r in self.rows[:10])])


def flow_betweenness(
    G: nx.MultiDiGraph,
    pairs: Iterable[tuple[str, str]] | None = None,
    *,
    by: str = "time_h",
    weight: Weight | None = None,
) -> FlowBetweenness:
    """Count, for each link, the pairs whose best route uses it.

    Parameters
    ----------
    G
        The network (not modified).
    pairs
        ``(origin, destination)`` names or ids; default :func:`default_pairs`.
    by, weight
        As for :func:`criticality`.

    Returns
    -------
    FlowBetweenness
        ``values`` maps every link id to its count (zero for unused links).
    """
    check_graph(G, "flow_betweenness")
    base = as_weight(weight, by)
    names = _link_names(G)
    counts = dict.fromkeys(names, 0)
    used: dict[str, list[str]] = {}
    for label, o, d in _resolve_pairs(G, pairs):
        wf = base.between(o, d)
        path = _shortest(G, o, d, wf)
        if path is None:
            continue
        for e in {e["link_id"] for e in wf.path_edges(G, path) if e.get("link_id")}:
            counts[e] += 1
            used.setdefault(e, []).append(label)
    rows = [
        {"link_id": k, "name": names[k], "routes": c, "pairs": used.get(k, [])}
        for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if c
    ]
    return FlowBetweenness(rows, counts)


# -- capacity ------------------------------------------------------------------------------
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


def resolve_side(G: nx.MultiDiGraph, spec: str | Iterable[str]) -> list[str]:
    """Place ids for region names, country codes or place names (one or several)."""
    items = [spec] if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for item in items:
        out += resolve_area(G, item)
    return sorted(set(out))


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


# split after the speed/volumes merges (issue 10)
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
        name, src = _link_names(G)[eid], d.get("capacity_source")
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
        A region name (``russia``, ``iran-gulf-ports``), an ISO country code, a place name or
        id, or a list of them.
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
    src = resolve_side(G, sources)
    dst = resolve_side(G, sinks)
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
    o, d = resolve_place(G, a), resolve_place(G, b)
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
