"""The flows' paths: each flow resolved against the network, and its best paths under queues.

Every search goes through :mod:`corridormap.search`: on the compiled core, the queue waits
enter as one vector added to each flow's own edge vector and the core's Dijkstra finds the
path (and, from the same two trees, other improving paths); flows with stops (``via``), or a
network without an export, route through the weight itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
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
    seq: tuple[int, ...] = ()  # its nodes' indices on the compiled core (found there)

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
            self.node_ids = np.array(self.core.nodes, dtype=object)

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
        picks = self._picks(w, pw)
        best = self._paths([tuple(search.walk(pred, int(od.dst[j]))[::-1])], w, picks)[0]
        if not more or od.volume <= 0 or not od.paths:
            return best, []
        mean = sum(q.share * q.time_h(W) for q in od.paths.values()) / od.volume
        return best, self._alternatives(od, w, pw, picks, dist, pred, mean, more)

    def _alternatives(
        self, od, w, pw, picks, dist, pred, limit: float, more: int
    ) -> list[FlowPath]:
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
        picks
            The edge each pair takes under ``w`` (:meth:`_picks`).
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
        known = {q.seq for q in od.paths.values()}
        seqs: list[tuple[int, ...]] = []
        # the candidates share most of their ways back to the origin and on to the
        # destination: each tree's ways are kept as they are walked
        head, tail = _Ways(pred, towards_root=False), _Ways(nxt, towards_root=True)
        for u, v in zip(pu[cand].tolist(), pv[cand].tolist(), strict=True):
            seq = head.way(u) + tail.way(v)
            if seq in known or len(set(seq)) < len(seq):
                continue
            known.add(seq)
            seqs.append(seq)
            if len(seqs) >= more:
                break
        return self._paths(seqs, w, picks)

    def _picks(self, w: np.ndarray, pw: np.ndarray) -> np.ndarray:
        """Per ``(u, v)`` pair, its cheapest edge under ``w``; ``pw``: the pairs' least values.

        The first of equal ones, as :meth:`~corridormap.search.Core.path_edge_index` picks.
        """
        c = self.core
        if c.simple:
            return c.pair_start
        m = len(w)
        least = np.repeat(pw, c.pair_end - c.pair_start)
        return np.minimum.reduceat(np.where(w == least, np.arange(m), m), c.pair_start)

    def _paths(
        self, seqs: Sequence[Sequence[int]], w: np.ndarray, picks: np.ndarray
    ) -> list[FlowPath]:
        """The paths of a flow along the node index sequences ``seqs`` on the core, at once.

        Each step takes its pair's edge of ``picks`` (the cheapest under ``w``).

        Raises
        ------
        LookupError
            If a step has no visible edge.
        """
        if not seqs:
            return []
        c, n = self.core, len(self.queues.keys)
        lens = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        flat = np.fromiter(chain.from_iterable(seqs), dtype=np.int64, count=int(lens.sum()))
        step = np.ones(max(len(flat) - 1, 0), dtype=bool)
        step[np.cumsum(lens)[:-1] - 1] = False  # no step from one path to the next
        keys = flat[:-1][step] * max(len(c.nodes), 1) + flat[1:][step]
        pos = np.minimum(np.searchsorted(c.pair_key, keys), len(c.pair_key) - 1)
        picked = picks[pos]
        bad = (c.pair_key[pos] != keys) | (w[picked] == np.inf)
        if bad.any():  # the path's own pick names the step
            owner = np.repeat(np.arange(len(seqs)), lens - 1)
            c.pick(np.asarray(seqs[int(owner[np.argmax(bad)])], dtype=np.int64), w)
        # per path, the capacity-limited elements it uses (ascending) and how many times
        elem = self.edge_elem[picked]
        owner = np.repeat(np.arange(len(seqs), dtype=np.int64), lens - 1)
        limited = elem < n
        u, cnt = np.unique(owner[limited] * (n + 1) + elem[limited], return_counts=True)
        at = u // (n + 1)
        idx, cnt = u - at * (n + 1), cnt.astype(float)
        cuts = np.searchsorted(at, np.arange(len(seqs) + 1)).tolist()
        ends = np.concatenate([[0], np.cumsum(lens - 1)]).tolist()
        starts = np.concatenate([[0], np.cumsum(lens)]).tolist()
        picked_l, base_l = picked.tolist(), self.base_h[picked].tolist()
        ids = self.node_ids[flat].tolist()
        unlimited = np.cumsum(np.concatenate([[0], ~limited])).tolist()
        out = []
        for i, seq in enumerate(seqs):
            a, b = ends[i], ends[i + 1]
            free: dict[str, None] = {}
            if unlimited[b] > unlimited[a]:
                for j in picked_l[a:b]:
                    if self.edge_elem[j] == n:
                        free.setdefault(element_of(c.edges[j])[1])
            out.append(
                FlowPath(
                    tuple(picked_l[a:b]),
                    tuple(ids[starts[i] : starts[i + 1]]),
                    0.0,
                    sum(base_l[a:b]),
                    idx[cuts[i] : cuts[i + 1]],
                    cnt[cuts[i] : cuts[i + 1]],
                    tuple(free),
                    tuple(seq),
                )
            )
        return out

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


class _Ways:
    """The ways along a search tree between its nodes and its root, kept as they are walked.

    Parameters
    ----------
    step
        The next node by node index (a predecessor tree, or the successors towards the
        destination), negative at a root.
    towards_root
        Whether a way runs from its node to the root (else from the root to its node).
    """

    def __init__(self, step: np.ndarray, *, towards_root: bool) -> None:
        self.step = step.tolist()  # lists index faster than arrays
        self.towards_root = towards_root
        self.known: dict[int, tuple[int, ...]] = {}

    def way(self, i: int) -> tuple[int, ...]:
        """The node indices between node ``i`` and the root, both included."""
        known, step = self.known, self.step
        climbed = []
        j = i
        while j >= 0 and j not in known:
            climbed.append(j)
            j = step[j]
        acc = known[j] if j >= 0 else ()
        for k in reversed(climbed):
            acc = (k, *acc) if self.towards_root else (*acc, k)
            known[k] = acc
        return acc
