"""Criticality: what closing each link or place would cost the best routes; flow betweenness.

Closures are weight functions (:func:`corridormap.make_weight`), never graph copies or edits,
so every analysis leaves ``G`` untouched. Criticality uses the fact that only an element on a
current best route can change that route when closed: everything else scores zero without a
recomputation; each closure's detour is found by A* on the compiled core
(:class:`corridormap.detours.Detours`). The pairs analysed by default come from the geodata's
``analysis.toml`` (:func:`default_pairs`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import search
from ._gc import paused
from ._schema import check_graph
from .analysis import load_analysis
from .detours import Detours
from .network import endpoint_nodes, place_of
from .places import link_names, place_names, places, resolve_pairs, resolve_place
from .weights import Weight, as_weight

__all__ = [
    "CRITICALITY_FIELDS",
    "CRITICALITY_PAIR_FIELDS",
    "DEFAULT_PAIRS",
    "Criticality",
    "FlowBetweenness",
    "criticality",
    "criticality_closing_all",
    "default_pairs",
    "flow_betweenness",
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
#: the fields of :meth:`Criticality.pair_rows`: one row per element and pair it affects
CRITICALITY_PAIR_FIELDS = (
    "ranked",
    "element",
    "name",
    "kind",
    "pair",
    "delta_days",
    "delta_cost_usd",
    "no_route",
)


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
    return resolve_pairs(G, default_pairs(G) if pairs is None else pairs)


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


# -- criticality ---------------------------------------------------------------------------
@dataclass
class Criticality:
    """How much closing each link or place would cost the OD pairs' best routes.

    Attributes
    ----------
    rows
        One per element (every link and place of the network), ranked: those that disconnect
        most pairs first, then by the increase of the objective. ``delta_days`` and
        ``delta_cost_usd`` are *summed* over the pairs that stay connected; ``disconnects``
        is the number of pairs left without a route; ``pairs_affected`` the number of pairs
        whose best route gets worse or is cut. :meth:`pair_rows` gives each pair's figure.
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

    def pair_rows(self, n: int | None = None) -> list[dict[str, Any]]:
        """Each element's figure for each pair it affects, in rank order.

        Parameters
        ----------
        n
            Only the ``n`` most critical elements (all their pairs); default every element.

        Returns
        -------
        list of dict
            Rows with the fields of :data:`CRITICALITY_PAIR_FIELDS`, one per element and
            pair whose best route it lengthens or cuts, the pairs in the order analysed:
            ``delta_days`` and ``delta_cost_usd`` what closing the element adds to that
            pair's best route, ``None`` with ``no_route`` true where it leaves the pair
            without a route. Elements that change no best route have no row.
        """
        eps = 1e-9
        out = []
        for r in self.rows if n is None else self.rows[:n]:
            for pair in self.baseline:
                x = self.per_pair.get((pair, r["element"]))
                if x is None or not (x["disconnects"] or x["delta_obj"] > eps):
                    continue
                cut = bool(x["disconnects"])
                out.append(
                    {
                        "ranked": r["ranked"],
                        "element": r["element"],
                        "name": r["name"],
                        "kind": r["kind"],
                        "pair": pair,
                        "delta_days": None if cut else round(x["delta_h"] / 24.0, 4),
                        "delta_cost_usd": None if cut else round(x["delta_cost_usd"], 2),
                        "no_route": cut,
                    }
                )
        return out

    def worst_per_pair(self) -> dict[str, float]:
        """Per element, the most days closing it adds to any one pair still connected."""
        out: dict[str, float] = {}
        for r in self.pair_rows():
            if r["delta_days"] is not None:
                out[r["element"]] = max(out.get(r["element"], 0.0), r["delta_days"])
        return out

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
        import pandas as pd

        return pd.DataFrame(self.to_dict(), columns=list(CRITICALITY_FIELDS))

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
    links = sorted(link_names(G))
    nodes = sorted(places(G) if cat is None else cat)
    return [("link", x) for x in links] + [("node", x) for x in nodes]


def criticality(
    G: nx.MultiDiGraph,
    pairs: Iterable[tuple[str, str]] | None = None,
    *,
    by: str = "time_h",
    weight: Weight | None = None,
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
    return _criticality(G, pairs, as_weight(weight, by), every=False)


def criticality_closing_all(
    G: nx.MultiDiGraph,
    pairs: Iterable[tuple[str, str]] | None = None,
    *,
    by: str = "time_h",
    weight: Weight | None = None,
) -> Criticality:
    """:func:`criticality` the slow way: every element of the network closed for every pair.

    One search per element and pair, each on its own (no A* from the pair's best route),
    including the elements no best route uses: the reference :func:`criticality` is checked
    and timed against. Parameters and result as for :func:`criticality`.

    Parameters
    ----------
    G
        The network (not modified).
    pairs
        ``(origin, destination)`` names or ids; default :func:`default_pairs`.
    by
        The objective of the best routes.
    weight
        A weight whose closures and costs are the baseline; overrides ``by``.

    Returns
    -------
    Criticality
    """
    return _criticality(G, pairs, as_weight(weight, by), every=True)


@paused
def _criticality(G: nx.MultiDiGraph, pairs: Any, base: Weight, *, every: bool) -> Criticality:
    """:func:`criticality` (``every``: :func:`criticality_closing_all`) under ``base``."""
    per_pair: dict[tuple[str, str], dict[str, Any]] = {}
    baseline: dict[str, dict[str, Any]] = {}
    runs = 0
    universe = _all_elements(G) if every else None
    search.note_query(G, many=True)
    for label, o, d in _resolve_pairs(G, pairs):
        wf0 = base.between(o, d)
        path = search.best_path(G, o, d, wf0)
        runs += 1
        if path is None:
            baseline[label] = {"time_h": None, "cost_usd": None, "nodes": []}
            continue
        edges = search.path_edges(G, path, wf0)
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
        c = search.engine(G) if universe is None else None
        detours = Detours(c, wf0, endpoint_nodes(G, o), endpoint_nodes(G, d)) if c else None
        share = _shares(edges, wf0)
        for kind, eid in candidates:
            if detours is not None:
                # a closure hides edges; it leaves every edge's figures as they are
                found = detours.search(kind, eid)
                p2 = None if found is None else found[0]
                figures = None if found is None else detours.totals(found[1])
            else:
                wf = wf0.closing(links=[eid]) if kind == "link" else wf0.closing(places=[eid])
                p2 = search.best_path(G, o, d, wf)
                figures = None if p2 is None else _totals(search.path_edges(G, p2, wf), wf)
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
    cat = place_names(G)
    names = link_names(G)
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
        import pandas as pd

        return pd.DataFrame(self.to_dict(), columns=["link_id", "name", "routes", "pairs"])

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
    names = link_names(G)
    counts = dict.fromkeys(names, 0)
    used: dict[str, list[str]] = {}
    for label, o, d in _resolve_pairs(G, pairs):
        wf = base.between(o, d)
        path = search.best_path(G, o, d, wf)
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
