"""The flows' paths: each flow resolved against the network, and its best paths under queues.

Every search goes through :mod:`corridormap.search`: on the compiled core, the queue waits
enter as one vector added to each flow's own edge vector and the core's Dijkstra finds the
path (and, from the same two trees, other improving paths); flows with stops (``via``), or a
network without an export, route through the weight itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from .. import search
from .._errors import InputError, NoRouteError
from ..network import endpoint_nodes
from ..places import resolve_end, resolve_place
from ..routing import route
from ..units import Conversion, to_mt_per_yr
from ..weights import Weight, element_of
from .queues import Queues
from .volumes import Flow, Volumes

__all__ = ["Demand", "FlowPath", "PathSearch", "demands", "path_from_edges"]

#: a new route must be faster than the mean by at least this fraction
_EQUAL = 1e-9


@dataclass(eq=False)
class FlowPath:
    """One route of a flow: its volume, its time without queues and the elements it uses."""

    key: tuple[Any, ...]  # the edges taken (identifies the route)
    nodes: tuple[str, ...]
    share: float  # Mt/yr on this path
    base_h: float  # time without queues
    idx: np.ndarray  # the capacity-limited elements it uses (indices into Queues, unique)
    cnt: np.ndarray  # how many times it uses each (float)
    free: tuple[str, ...]  # ids of the elements without a capacity figure it uses

    def time_h(self, W: np.ndarray) -> float:
        """Its time with the queue waits ``W`` (hours, by element index)."""
        return self.base_h + float(self.cnt @ W[self.idx])


@dataclass
class Demand:
    """A flow resolved against the network: its volume in Mt/yr, its ends and its paths.

    Attributes
    ----------
    flow
        The flow as written.
    volume
        Mt/yr.
    conversion
        How the flow's figure became Mt/yr.
    origins, destinations
        Place ids (several for a region).
    via
        Place ids of its stops.
    weight
        The base time weight.
    paths
        Its routes by key, with their volumes.
    free_h
        Its time on its free route (no queues).
    """

    flow: Flow
    volume: float  # Mt/yr
    conversion: Conversion
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    via: tuple[str, ...]
    weight: Weight
    paths: dict[tuple[Any, ...], FlowPath] = field(default_factory=dict)
    free_h: float = 0.0
    #: the flow's own weight (its ends, its modes), its edge vector and end nodes on the core
    bound: Weight | None = None
    vec: np.ndarray | None = None
    src: np.ndarray | None = None
    dst: np.ndarray | None = None
    #: per pair of its paths, the elements they do not share and the difference of counts
    diffs: dict[tuple[Any, Any], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    #: its paths' elements stacked, for their times at once (equilibrium's _times)
    stack: tuple | None = None


def demands(G, vols: Volumes, params: Mapping[str, Any], base: Weight) -> list[Demand]:
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
    list of Demand
        In the order of the flows.

    Raises
    ------
    InputError
        If a flow's unit cannot be converted, or a flow with ``via`` has several places at an end.
    """
    ods: list[Demand] = []
    for f in vols.flows:
        try:
            conv = to_mt_per_yr(f.amount, f.unit, params, period_days=f.period_days)
        except InputError as exc:
            raise InputError(f"{Path(vols.file).name or vols.name}: flow {f.id!r}: {exc}") from None
        origins = resolve_end(G, f.origin, "origin")
        destinations = resolve_end(G, f.destination, "destination")
        if set(origins) == set(destinations):
            raise InputError(
                f"{Path(vols.file).name or vols.name}: flow {f.id!r}: {f.origin!r} and "
                f"{f.destination!r} are the same place{'s' * (len(origins) > 1)}: a flow joins "
                "two places"
            )
        via = tuple(resolve_place(G, v) for v in f.via)
        if via and (len(origins) > 1 or len(destinations) > 1):
            raise InputError(f"flow {f.id!r}: 'via' needs a single place at each end")
        ods.append(Demand(f, conv.mt_per_yr, conv, origins, destinations, via, base))
    return ods


def path_from_edges(
    queues: Queues,
    key: tuple[Any, ...],
    nodes: Sequence[str],
    edges: Iterable[Mapping],
    base: Weight,
) -> FlowPath:
    """A :class:`FlowPath` (no volume yet) from the edges it takes.

    Parameters
    ----------
    queues
        The capacity-limited elements.
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
    FlowPath
    """
    base_h = 0.0
    counts: dict[int, int] = {}
    free: dict[str, None] = {}
    for d in edges:
        base_h += base.measure(d)["time_h"]
        k = element_of(d)
        i = queues.index.get(k)
        if i is None:
            free[k[1]] = None
        else:
            counts[i] = counts.get(i, 0) + 1
    return FlowPath(
        tuple(key),
        tuple(nodes),
        0.0,
        base_h,
        np.fromiter(counts, dtype=np.int64, count=len(counts)),
        np.fromiter(counts.values(), dtype=float, count=len(counts)),
        tuple(free),
    )


class PathSearch:
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

    def __init__(self, G: nx.MultiDiGraph, base: Weight, queues: Queues) -> None:
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

    def prepare(self, od: Demand) -> None:
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
        self, ods: Sequence[Demand], W: np.ndarray, *, more: int = 0
    ) -> list[tuple[float, FlowPath, list[FlowPath]]]:
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
            extra: list[FlowPath] = []
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
        self, od: Demand, edge_w: np.ndarray, W: np.ndarray, more: int
    ) -> tuple[FlowPath, list[FlowPath]]:
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

    def _alternatives(self, od, w, pw, dist, pred, limit: float, more: int) -> list[FlowPath]:
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
        list of FlowPath
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
        out: list[FlowPath] = []
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

    def _path(self, od: Demand, nodes: Sequence[str], w: np.ndarray) -> FlowPath:
        """The path of a flow along ``nodes`` on the core, its cheapest edges under ``w``."""
        c = self.core
        picked = c.path_edge_index(od.bound, nodes, w)
        elem = self.edge_elem[picked]
        idx, cnt = np.unique(elem[elem < len(self.queues.keys)], return_counts=True)
        unlimited = picked[elem == len(self.queues.keys)].tolist()
        free = dict.fromkeys(element_of(c.edges[j])[1] for j in unlimited)
        return FlowPath(
            tuple(picked.tolist()),
            tuple(nodes),
            0.0,
            sum(self.base_h[picked].tolist()),
            idx,
            cnt.astype(float),
            tuple(free),
        )

    def _on_networkx(self, od: Demand, w: Weight) -> FlowPath:
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
        return path_from_edges(self.queues, tuple(nodes), nodes, edges, self.base)
