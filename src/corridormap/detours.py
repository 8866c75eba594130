"""Criticality's detours: the best path between fixed ends with one more element closed.

The searches run on the compiled core of :mod:`corridormap.search` (its :class:`~corridormap.
search.Core`).
"""

from __future__ import annotations

import heapq
import math
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from .search import Core, walk
from .weights import Weight

__all__ = ["LOCAL_BUDGET", "LOCAL_NODES", "Closures", "Detours"]

#: from this many nodes, a detour is searched in Python first (:class:`Detours`)
LOCAL_NODES = 20_000
#: the most nodes a detour's search in Python settles before it is left to scipy
LOCAL_BUDGET = 20_000


class Detours:
    """Best paths between fixed ends with one more link or place closed at a time.

    A* in C: the distances to the targets under the base weight (one reverse search) are a
    consistent heuristic for any weight that hides more edges, so Dijkstra on the reduced
    costs ``w(u, v) - h(u) + h(v)`` (all >= 0) finds the same best paths, and stopped at a
    distance ``limit`` it settles only the nodes A* would. The limit starts small (most
    closures cost a short detour) and grows until a target is settled. A closure changes
    only the few pairs whose edges it hides, so each search copies one vector, not a graph.

    On a network of :data:`LOCAL_NODES` nodes or more, each search is first run in Python
    from a heap, on the same reduced costs: a detour around one closure settles a few
    nodes, where each of scipy's searches sets up arrays for every node of the network (the
    cost that grew with the network times the length of the route). Past
    :data:`LOCAL_BUDGET` settled nodes (a closure that cuts the route off, say) the search
    is left to scipy.
    """

    def __init__(self, c: Core, wf: Weight, sources: Sequence[str], targets: Sequence[str]):
        from dataclasses import replace

        self.c, self.wf = c, wf
        self.closes = _closes(c)
        self.w = c.edge_vector(wf).copy()  # changed and restored by each search
        pw = c.pair_vector(wf)
        h, _ = c.tree(wf, targets, reverse=True)
        self.pu = c.eu[c.pair_start]
        self.pv = c.indices
        self.h = h
        with np.errstate(invalid="ignore"):
            red = pw - h[self.pu] + h[self.pv]
        ok = np.isfinite(h[self.pu]) & np.isfinite(h[self.pv]) & np.isfinite(pw)
        self.A = c.matrix(np.where(ok, np.maximum(red, 0.0), np.inf))
        self.src = [c.index[s] for s in sources]
        self.tgt = np.array([c.index[t] for t in targets], dtype=np.int64)
        start = float(np.min(h[self.src])) if self.src else np.inf
        self.scale = start if np.isfinite(start) and start > 0 else 1.0
        # per edge, the figures a route reports (Weight.measure) and the objective
        self.time_h = c.cost(replace(wf, by="time_h"))
        self.cost_usd = c.cost(replace(wf, by="cost_usd"))
        self.objective = c.cost(wf)
        self.local = len(c.nodes) >= LOCAL_NODES and len(self.src) > 0
        if self.local:
            # the reduced costs and the structure as lists: read one at a time, in Python
            self.red = self.A.data.tolist()
            self.indptr = c.indptr.tolist()
            self.heads = c.indices.tolist()
            self.goal = set(self.tgt.tolist())
            self.hl = h.tolist()

    def totals(self, picked: np.ndarray) -> tuple[float, float, float]:
        """Time, cost and objective of the edges ``picked``, added in travel order.

        One after the other from the first, as a loop adds them (a cumulative sum is that
        order; numpy's ``sum`` adds in pairs, which rounds otherwise).
        """
        if not len(picked):
            return 0.0, 0.0, 0.0
        return tuple(
            float(np.cumsum(v[picked])[-1]) for v in (self.time_h, self.cost_usd, self.objective)
        )

    def search(self, kind: str, eid: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The best path with link (``kind="link"``) or place ``eid`` closed, or ``None``.

        Returns the path's node indices and the indices of the edges it takes (each the
        cheapest visible of its parallel edges).
        """
        c = self.c
        hidden = self.closes.of_link(eid) if kind == "link" else self.closes.of_place(eid)
        w, data, h = self.w, self.A.data, self.h
        saved_w = w[hidden].copy()
        pairs = np.unique(self.closes.pair_of_edge[hidden])
        saved_red = data[pairs].copy()
        try:
            w[hidden] = np.inf
            for p in pairs.tolist():
                m = w[c.pair_start[p] : c.pair_end[p]].min()
                u, v = self.pu[p], self.pv[p]
                ok = np.isfinite(m) and np.isfinite(h[u]) and np.isfinite(h[v])
                data[p] = max(m - h[u] + h[v], 0.0) if ok else np.inf
                if self.local:
                    self.red[p] = float(data[p])
            found = self._local() if self.local else NotImplemented
            if found is NotImplemented:
                found = self._search()
            if found is None:
                return None
            nodes = np.asarray(walk(found[1], found[0])[::-1], dtype=np.int64)
            return nodes, c.pick(nodes, w)
        finally:
            w[hidden] = saved_w
            data[pairs] = saved_red
            if self.local:
                for p, x in zip(pairs.tolist(), saved_red.tolist(), strict=True):
                    self.red[p] = x

    def _local(self) -> tuple[int, dict[int, int]] | Any | None:
        """:meth:`_search` in Python, or ``NotImplemented`` past :data:`LOCAL_BUDGET` nodes.

        Dijkstra from every source at once, each starting at its ``h`` (so a path's key is
        its cost: ``h`` is 0 at the targets), on the reduced costs.
        """
        h, red, indptr, heads, goal = self.hl, self.red, self.indptr, self.heads, self.goal
        dist: dict[int, float] = {}
        pred: dict[int, int] = {}
        heap = []
        for s in self.src:
            if h[s] < dist.get(s, math.inf):
                dist[s], pred[s] = h[s], -1
                heap.append((h[s], h[s], s))
        heapq.heapify(heap)
        done: set[int] = set()
        while heap:
            # among equal keys, the node nearest the targets first: many paths of a regular
            # network cost the same, and this walks one of them instead of all
            d, _, u = heapq.heappop(heap)
            if u in done:
                continue
            if u in goal:
                return u, pred
            done.add(u)
            if len(done) > LOCAL_BUDGET:
                return NotImplemented
            for j in range(indptr[u], indptr[u + 1]):
                nd = d + red[j]
                v = heads[j]
                if nd < dist.get(v, math.inf):
                    dist[v], pred[v] = nd, u
                    heapq.heappush(heap, (nd, h[v], v))
        return None

    def _search(self) -> tuple[int, np.ndarray] | None:
        """The target reached first and the predecessor tree (``None``: none reachable)."""
        from scipy.sparse.csgraph import dijkstra

        if len(self.src) > 1:
            return self._search_each()
        limit = 0.01 * self.scale
        while True:
            dist, pred = dijkstra(
                self.A,
                directed=True,
                indices=self.src[0],
                return_predecessors=True,
                limit=limit,
            )
            reached = dist[self.tgt]
            if np.isfinite(reached).any():
                return int(self.tgt[int(np.argmin(reached))]), pred
            if limit == np.inf:
                return None
            limit = limit * 8 if limit < 4 * self.scale else np.inf

    def _search_each(self) -> tuple[int, np.ndarray] | None:
        """:meth:`_search` from several sources (a place without a gate, e.g. a chokepoint).

        On the reduced costs a path from source ``s`` measures ``d(s, t) - h(s)`` (``h`` is 0 at
        the targets), so one search from all sources at once would favour the sources far
        from the targets: each source is searched in full and ``h(s)`` added back.
        """
        from scipy.sparse.csgraph import dijkstra

        best: tuple[float, int, np.ndarray] | None = None
        for s in self.src:
            if not np.isfinite(self.h[s]):
                continue
            dist, pred = dijkstra(self.A, directed=True, indices=s, return_predecessors=True)
            reached = dist[self.tgt] + self.h[s]
            i = int(np.argmin(reached))
            if np.isfinite(reached[i]) and (best is None or reached[i] < best[0]):
                best = (float(reached[i]), int(self.tgt[i]), pred)
        return None if best is None else (best[1], best[2])


class Closures:
    """What closing a link or a place hides on a compiled core: the indices of its edges."""

    def __init__(self, c: Core) -> None:
        self.c = c
        counts = c.pair_end - c.pair_start
        #: for each edge, the index of its ``(u, v)`` pair
        self.pair_of_edge = np.repeat(np.arange(len(c.pair_start)), counts)
        link = c.link_code
        self._links: dict[str, np.ndarray] = {}
        if len(link):
            names = list(c.link_codes)
            by_link = np.argsort(link, kind="stable")
            cuts = np.flatnonzero(np.diff(link[by_link])) + 1
            for chunk in np.split(by_link, cuts):
                if link[chunk[0]] >= 0:
                    self._links[names[link[chunk[0]]]] = chunk
        by_u = np.argsort(c.u_place, kind="stable")
        by_v = np.argsort(c.v_place, kind="stable")
        self._places = (by_u, c.u_place[by_u], by_v, c.v_place[by_v])

    def of_link(self, link: str) -> np.ndarray:
        """Indices of the edges of ``link`` (every layer, both directions)."""
        return self._links.get(link, np.zeros(0, dtype=np.int64))

    def of_place(self, place: str) -> np.ndarray:
        """Indices of the edges that start or end at ``place``."""
        code = self.c.place_codes.get(place)
        if code is None:
            return np.zeros(0, dtype=np.int64)
        by_u, su, by_v, sv = self._places
        a = by_u[np.searchsorted(su, code) : np.searchsorted(su, code, side="right")]
        b = by_v[np.searchsorted(sv, code) : np.searchsorted(sv, code, side="right")]
        return np.union1d(a, b)


_CLOSURES: weakref.WeakKeyDictionary[Core, Closures] = weakref.WeakKeyDictionary()


def _closes(c: Core) -> Closures:
    """The :class:`Closures` of core ``c``, built once per core."""
    got = _CLOSURES.get(c)
    if got is None:
        got = _CLOSURES[c] = Closures(c)
    return got
