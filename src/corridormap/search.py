"""The one door to shortest-path search: the compiled core, and networkx as its fallback.

Every search of the library goes through this module: routes and their alternatives
(:mod:`corridormap.routing`; Yen's k shortest paths on a small network, :func:`simple_paths`),
criticality's detours (:class:`corridormap.detours.Detours`, on this module's core), a
volume assignment's paths (:mod:`corridormap.assign`) and the sweep's trees (:func:`origin_tree`).

**The compiled core.** The network is exported once per graph (and cached with it, see
:mod:`corridormap._cache`) as an integer CSR matrix: node ids become integers, parallel edges
are grouped by their ``(u, v)`` pair, and every edge attribute a
:class:`~corridormap.weights.Weight` reads becomes a numpy array. A weight is then a vector,
not a graph copy: the objective of every edge, ``inf`` where the weight hides the edge (closed
links and places, planned links, modes not allowed, and gates other than the route's own
origin and destination, so a gate is a source only at the origin and a sink only at the
destination). Parallel edges collapse to their least value, and
``scipy.sparse.csgraph.dijkstra`` does the search in C.

**The networkx fallback.** networkx stays the graph type users hold and the reference the
tests check the core against; ``Weight.visible`` and ``Weight.cost`` state the rules, the core
evaluates the same rules on arrays. A graph whose edges lack the attributes of a built network
gets no export (``None``), and a small network's first query does not build one
(:data:`MIN_EDGES`): :func:`shortest` then runs networkx's Dijkstra with the weight itself.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np

from . import csr, kpaths
from ._cache import cached, derived, invalidate
from ._gc import paused
from .csr import walk
from .network import endpoint_nodes
from .weights import Weight

__all__ = [
    "MIN_EDGES",
    "STOP_NODES",
    "Core",
    "best_path",
    "core",
    "engine",
    "large",
    "note_query",
    "origin_tree",
    "path_cost",
    "path_edges",
    "shortest",
    "simple_paths",
    "values_changed",
    "walk",
    "weight_key",
]

_NO_EXPORT = object()
#: from this many nodes a route's search stops at its targets (:meth:`Core.stopping_tree`)
STOP_NODES = 10_000


class Core:
    """A network exported for scipy's compiled shortest paths.

    Attributes
    ----------
    nodes
        Node ids by index.
    index
        Node id -> index.
    edges
        The edge attribute mappings (the graph's own), sorted by ``(u, v)`` (:attr:`edges`).
    """

    def __init__(self, G: nx.MultiDiGraph, seed: csr.Seed | None = None) -> None:
        import scipy.sparse as sp

        self.nodes: list[str] = list(G.nodes)
        n = len(self.nodes)
        # the build's own (node ids in the graph's order, as it added them)
        self.index: dict[str, int] = (
            seed.index if seed is not None else dict(zip(self.nodes, range(n), strict=True))
        )
        if seed is None:
            heads, per_node, per_pair, edges = csr.adjacency(G)
            eu = np.repeat(
                np.repeat(np.arange(n, dtype=np.int64), per_node), np.asarray(per_pair, np.int64)
            )
            ev = np.repeat(
                np.fromiter(map(self.index.__getitem__, heads), dtype=np.int64, count=len(heads)),
                np.asarray(per_pair, np.int64),
            )
        else:  # the edges in the order they were added: within a pair, as the graph holds them
            eu, ev, edges = seed.tail, seed.head, seed.data
        # by (u, v), and stable: a pair's parallel edges stay in the graph's order
        key = eu * max(n, 1) + ev
        order = np.argsort(key, kind="stable")
        # the edges in that order are listed when first needed (a route takes a few of them)
        self._edges: list[Any] | None = None
        self._unsorted: tuple[list[Any], np.ndarray] | None = (edges, order)
        eu, ev, key = eu[order], ev[order], key[order]
        self.eu, self.ev = eu, ev
        m = len(order)
        # one CSR entry per (u, v) pair; pair_start[i] is the first edge of pair i
        new_pair = np.ones(m, dtype=bool)
        if m:
            np.not_equal(key[1:], key[:-1], out=new_pair[1:])
        self.pair_start = np.flatnonzero(new_pair)
        self.simple = len(self.pair_start) == m
        if self.simple:  # the usual case: no copies
            pu, pv, self.pair_key = eu, ev, key
        else:
            pu, pv, self.pair_key = eu[self.pair_start], ev[self.pair_start], key[self.pair_start]
        self.pair_end = np.append(self.pair_start[1:], m)
        self.indices = pv.astype(np.int32)
        self.indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(pu, minlength=n), out=self.indptr[1:])
        self.shape = (n, n)
        # the transpose: where each pair's value goes in the reversed graph
        tr = sp.csr_matrix(
            (np.arange(1, len(pu) + 1, dtype=np.int64), self.indices, self.indptr),
            shape=self.shape,
        ).T.tocsr()
        tr.sort_indices()
        self.t_indices = tr.indices.astype(np.int32, copy=False)
        self.t_indptr = tr.indptr.astype(np.int32, copy=False)
        self.t_perm = tr.data
        self.t_perm -= 1
        self._edge_km: np.ndarray | None = None
        self._costs: dict[Any, np.ndarray] = {}
        self._tiebreak: np.ndarray | None = None
        # each edge's weights as the build gave them (None: read from the edges)
        self._rows: tuple[np.ndarray, list[dict[str, Any]]] | None = None
        # the mode codes and table, or what makes them (csr.seeded_modes) when first needed
        self._modes: Any = ()
        self._link_or_0: np.ndarray | None = None
        if seed is None:
            self._adopt(csr.read_edges(self.edges))
        else:  # the same arrays and codes, from the columns the build wrote down
            got = csr.seeded(seed, order, eu, ev)
            got["modes"] = functools.partial(
                csr.seeded_modes, seed.link_mode, got["tables"][0], got["link"]
            )
            self._adopt(got)
            self._tiebreak = seed.tiebreak[order]
            self._rows = (seed.weight[order], seed.weight_rows)
        self.xy = csr.coordinates(G)
        self._vectors: OrderedDict[Any, np.ndarray] = OrderedDict()
        self._matrices: OrderedDict[Any, Any] = OrderedDict()

    @property
    def edges(self) -> list[Any]:
        """The edge attribute mappings (the graph's own, read-only use), sorted by ``(u, v)``."""
        if self._edges is None:
            edges, order = self._unsorted  # type: ignore[misc]
            self._edges = list(map(edges.__getitem__, order.tolist()))
            self._unsorted = None
        return self._edges

    def edges_at(self, idx: np.ndarray) -> list[Any]:
        """The edge attribute mappings of the edges ``idx`` (positions in :attr:`edges`)."""
        if self._edges is None:
            edges, order = self._unsorted  # type: ignore[misc]
            return list(map(edges.__getitem__, order[idx].tolist()))
        return list(map(self._edges.__getitem__, idx.tolist()))

    # -- the attributes a Weight reads, as arrays -----------------------------------------
    def _adopt(self, got: dict[str, Any]) -> None:
        """Take the edge attributes :func:`csr.read_edges` or :func:`csr.seeded` gives."""
        self.link_codes, self.place_codes = got["tables"]
        link, self.routable, self._modes = got["link"], got["routable"], got["modes"]
        self.link_code, self.is_link = link, link >= 0
        self.u_place, self.v_place = got["u_place"], got["v_place"]
        from_gate, to_gate = got["from_gate"], got["to_gate"]
        self.gate_out = np.flatnonzero(from_gate)
        self.gate_in = np.flatnonzero(to_gate)
        # transfers between two vehicles (no gate): barred at a route's own ends
        self.inner_transfer = np.flatnonzero(~self.is_link & ~from_gate & ~to_gate)

    def _made_modes(self) -> tuple[np.ndarray, Mapping[Any, int]]:
        """The mode codes and table; from the build's columns, made when first needed."""
        if callable(self._modes):
            self._modes = self._modes()
        return self._modes

    @property
    def mode_code(self) -> np.ndarray:
        """Every edge's mode code (:attr:`mode_codes`; 0 for a transfer)."""
        return self._made_modes()[0]

    @property
    def mode_codes(self) -> Mapping[Any, int]:
        """Mode -> code, in order of first appearance in the edge order."""
        return self._made_modes()[1]

    @property
    def _link0(self) -> np.ndarray:
        """Every edge's link code, 0 for a transfer (an index for flags by link)."""
        if self._link_or_0 is None:
            self._link_or_0 = np.where(self.is_link, self.link_code, 0)
        return self._link_or_0

    def _flags(self, table: Mapping[Any, int], chosen: Iterable[Any]) -> np.ndarray:
        out = np.zeros(max(len(table), 1), dtype=bool)
        for x in chosen:
            c = table.get(x)
            if c is not None:
                out[c] = True
        return out

    def _codes_of(self, end: Any) -> np.ndarray:
        """The place codes of a route end: one place id, or a set of them (a region)."""
        ids = end if isinstance(end, frozenset | set) else (end,)
        return np.array([self.place_codes.get(p, -1) for p in ids], dtype=np.int64)

    def cost(self, wf: Weight) -> np.ndarray:
        """The objective of every edge under ``wf`` (visible or not)."""
        key = (wf.by, wf.clock, wf.scaling, _extra_key(wf))
        got = self._costs.get(key)
        if got is None:
            if (wf.scaling is None or wf.by != "time_h") and not wf.extra:
                # the stored attribute (less the first wait on the transit clock) and the
                # tie-break, as Weight.cost adds them
                attr = wf.by
                got = self._built(attr)
                if got is None:
                    got = np.array([d[attr] for d in self.edges], dtype=np.float64)
                if wf.transit:
                    out = self.gate_out
                    waits = self._built("wait_h")
                    if waits is None:
                        got[out] -= [self.edges[i].get("wait_h", 0.0) for i in out.tolist()]
                    else:
                        got[out] -= waits[out]
                got += self.tiebreaks()
            else:
                fn = wf.cost
                got = np.fromiter(
                    (fn(d) for d in self.edges), dtype=np.float64, count=len(self.edges)
                )
            self._costs[key] = got
        return got

    def _built(self, attr: str) -> np.ndarray | None:
        """Every edge's ``attr`` as the build gave it, or ``None`` (not a weight, or changed)."""
        return None if self._rows is None else csr.seeded_values(self._rows, attr)

    def tiebreaks(self) -> np.ndarray:
        """Every edge's tie-break (:func:`corridormap.network.tiebreak`; 0 where it has none)."""
        if self._tiebreak is None:
            self._tiebreak = np.array(
                [d.get("tiebreak", 0.0) for d in self.edges], dtype=np.float64
            )
        return self._tiebreak

    def edge_vector(self, wf: Weight) -> np.ndarray:
        """Per edge, the objective under ``wf``, ``inf`` where ``wf`` hides the edge."""
        key = _key(wf)
        got = self._vectors.get(key)
        if got is not None:
            self._vectors.move_to_end(key)
            return got
        hide = np.zeros(len(self.eu), dtype=bool)
        link = self.is_link
        if wf.closed_links:
            hide |= link & self._flags(self.link_codes, wf.closed_links)[self._link0]
        shut = ~self.routable
        if wf.opened_links:
            shut &= ~(link & self._flags(self.link_codes, wf.opened_links)[self._link0])
        hide |= shut
        if wf.modes is not None:
            hide |= link & ~self._flags(self.mode_codes, wf.modes)[self.mode_code]
        if wf.closed_places:
            flags = self._flags(self.place_codes, wf.closed_places)
            hide |= flags[self.u_place] | flags[self.v_place]
        if wf.ends is not None:
            o = self._codes_of(wf.ends[0])
            d = self._codes_of(wf.ends[1])
            hide[self.gate_out[~np.isin(self.u_place[self.gate_out], o)]] = True
            hide[self.gate_in[~np.isin(self.v_place[self.gate_in], d)]] = True
            inner = self.inner_transfer
            hide[inner[np.isin(self.u_place[inner], np.concatenate([o, d]))]] = True
        got = np.where(hide, np.inf, self.cost(wf))
        self._vectors[key] = got
        if len(self._vectors) > 16:
            self._vectors.popitem(last=False)
        return got

    # -- searches ---------------------------------------------------------------------------
    def pair_vector(self, wf: Weight) -> np.ndarray:
        """Per ``(u, v)`` pair, the least objective of its visible edges (``inf``: none)."""
        return self.pair_values(self.edge_vector(wf))

    def pair_values(self, w: np.ndarray) -> np.ndarray:
        """Per ``(u, v)`` pair, the least of the edge values ``w`` of its parallel edges.

        Parameters
        ----------
        w
            One value per edge, in the export's edge order (``inf``: hidden).

        Returns
        -------
        numpy.ndarray
            One value per pair (``w`` itself when the graph has no parallel edges).
        """
        return w if self.simple else np.minimum.reduceat(w, self.pair_start)

    def matrix(self, pair_w: np.ndarray, *, reverse: bool = False) -> Any:
        """The CSR matrix of the pair values ``pair_w`` (of the reversed graph with ``reverse``).

        Parameters
        ----------
        pair_w
            One value per ``(u, v)`` pair (:meth:`pair_values`).
        reverse
            Whether to build the matrix of the reversed graph (searches to a node).

        Returns
        -------
        scipy.sparse.csr_matrix
        """
        import scipy.sparse as sp

        if reverse:
            return sp.csr_matrix(
                (pair_w[self.t_perm], self.t_indices, self.t_indptr), shape=self.shape
            )
        return sp.csr_matrix((pair_w, self.indices, self.indptr), shape=self.shape)

    def tree(
        self, wf: Weight, sources: Sequence[str], *, reverse: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distances and predecessors from ``sources`` (to them, with ``reverse``).

        Parameters
        ----------
        wf
            The weight.
        sources
            Node ids; with several, each node's distance is from the nearest of them.
        reverse
            Search the reversed graph: distances to the sources.

        Returns
        -------
        tuple of numpy.ndarray
            Distances (``inf``: unreached) and predecessors (``-9999``: none) by node index.
        """
        return csr.dijkstra(self._matrix(wf, reverse), [self.index[s] for s in sources])

    def _matrix(self, wf: Weight, reverse: bool = False) -> Any:
        """The CSR matrix of ``wf``'s pair values, kept for the 16 weights used last."""
        key = (_key(wf), reverse)
        A = self._matrices.get(key)
        if A is None:
            A = self.matrix(self.pair_vector(wf), reverse=reverse)
            self._matrices[key] = A
            if len(self._matrices) > 16:
                self._matrices.popitem(last=False)
        else:
            self._matrices.move_to_end(key)
        return A

    def values_tree(
        self, pair_w: np.ndarray, sources: Sequence[int] | np.ndarray, *, reverse: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`tree` on pair values of the caller's own (a weight plus queue waits, say).

        Parameters
        ----------
        pair_w
            One value per ``(u, v)`` pair (:meth:`pair_values`), ``inf`` where hidden.
        sources
            Node indices; with several, each node's distance is from the nearest of them.
        reverse
            Search the reversed graph: distances to the sources.

        Returns
        -------
        tuple of numpy.ndarray
            Distances and predecessors by node index, as :meth:`tree` gives them.
        """
        return csr.dijkstra(self.matrix(pair_w, reverse=reverse), [int(i) for i in sources])

    def path(self, pred: np.ndarray, target: int) -> list[str]:
        """The node ids of the path ending at node index ``target`` in a predecessor tree.

        Parameters
        ----------
        pred
            Predecessors by node index (from :meth:`tree`).
        target
            The node index the path ends at.

        Returns
        -------
        list of str
            From the tree's root to ``target``.
        """
        return [self.nodes[i] for i in walk(pred, int(target))[::-1]]

    def path_edges(
        self, wf: Weight, path: Sequence[str], w: np.ndarray | None = None
    ) -> list[Mapping[str, Any]]:
        """The edges a node path takes under ``wf`` (see :meth:`path_edge_index`).

        Parameters
        ----------
        wf
            The weight.
        path
            Node ids.
        w
            The edge values to pick the cheapest parallel edge by (default ``wf``'s).

        Returns
        -------
        list of Mapping
            The graph's own edge attribute mappings (read only), one per step.
        """
        return self.edges_at(self.path_edge_index(wf, path, w))

    def path_edge_index(
        self, wf: Weight, path: Sequence[str], w: np.ndarray | None = None
    ) -> np.ndarray:
        """The edge each step of a node path takes under ``wf``.

        It is the cheapest visible of its parallel edges, the first in the graph's order on a tie
        (as
        :meth:`~corridormap.weights.Weight.best_edge` picks).

        Parameters
        ----------
        wf
            The weight.
        path
            Node ids.
        w
            The edge values to pick by (default ``wf``'s edge vector).

        Returns
        -------
        numpy.ndarray
            Edge indices, one per step.

        Raises
        ------
        LookupError
            If a step has no visible edge.
        """
        if w is None:
            w = self.edge_vector(wf)
        try:
            idx = np.fromiter((self.index[x] for x in path), dtype=np.int64, count=len(path))
        except KeyError as exc:
            raise LookupError(f"no node {exc.args[0]!r}") from None
        return self.pick(idx, w, path)

    def pick(self, idx: np.ndarray, w: np.ndarray, path: Sequence[str] | None = None) -> np.ndarray:
        """:meth:`path_edge_index` of a path of node indices ``idx``, by the edge values ``w``.

        ``path`` (the node ids, for the message) defaults to the ids of ``idx``.
        """
        keys = idx[:-1] * max(len(self.nodes), 1) + idx[1:]
        pos = np.searchsorted(self.pair_key, keys)
        pos = np.minimum(pos, len(self.pair_key) - 1)
        bad = self.pair_key[pos] != keys if len(self.pair_key) else np.ones(len(keys), bool)
        starts, ends = self.pair_start[pos], self.pair_end[pos]
        pick = starts.copy()
        for i in np.flatnonzero(ends - starts > 1).tolist():
            pick[i] += int(np.argmin(w[starts[i] : ends[i]]))
        bad |= w[pick] == np.inf
        if bad.any():
            i = int(np.argmax(bad))
            ids = path if path is not None else [self.nodes[j] for j in idx.tolist()]
            raise LookupError(f"no visible edge {ids[i]!r} -> {ids[i + 1]!r}")
        return pick

    def shortest(
        self, wf: Weight, sources: Sequence[str], targets: Sequence[str]
    ) -> dict[str, tuple[float, list[str]]]:
        """Best paths from the sources to each reachable target: ``{target: (cost, path)}``.

        On a network of :data:`STOP_NODES` nodes or more the search stops once every target
        is settled (:meth:`stopping_tree`); the answers are those of the whole tree
        (:meth:`tree`), which a smaller network searches at once (there one whole search
        costs less than its bounds).
        """
        if len(self.nodes) >= STOP_NODES:
            dist, pred = self.stopping_tree(wf, sources, targets)
        else:
            dist, pred = self.tree(wf, sources)
        out = {}
        for t in targets:
            i = self.index[t]
            if np.isfinite(dist[i]):
                out[t] = (float(dist[i]), self.path(pred, i))
        return out

    def stopping_tree(
        self, wf: Weight, sources: Sequence[str], targets: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`tree` from ``sources``, grown only until every one of ``targets`` is settled.

        The first limit is the least cost of leaving a source plus twice a lower bound of the
        distance between the ends (:meth:`bound`), then as :func:`corridormap.csr.stopping`
        grows it: a near target is found in one short search, a far one costs about one
        whole search.

        Parameters
        ----------
        wf
            The weight.
        sources, targets
            Node ids.

        Returns
        -------
        tuple of numpy.ndarray
            Distances and predecessors by node index, as :meth:`tree` gives them for the
            nodes settled and for every target reached; ``inf`` and ``-9999`` elsewhere.
        """
        A = self._matrix(wf)
        src = [self.index[s] for s in sources]
        tgt = [self.index[t] for t in targets]
        into = (self.t_indptr, self.t_indices, self.t_perm)
        leave = min(
            (float(A.data[self.indptr[s] : self.indptr[s + 1]].min(initial=np.inf)) for s in src),
            default=np.inf,
        )
        span = self.bound(wf, src, np.asarray(tgt, dtype=np.int64))
        return csr.stopping(
            A, src, tgt, into, leave if np.isfinite(leave) else 0.0, span or self._least(wf)
        )

    def bound(self, wf: Weight, sources: Sequence[int], targets: np.ndarray) -> float:
        """A lower bound of the cost from any of ``sources`` to any of ``targets`` under ``wf``.

        The great-circle distance between their nodes times the least cost per km of any
        edge (its objective over the great-circle distance between its nodes, whether the
        weight hides it or not): by the triangle inequality no path costs less. 0 when the
        nodes have no coordinates.
        """
        if self.xy is None or not len(targets) or not sources:
            return 0.0
        rate = self._rate(wf)
        s = np.asarray(sources, dtype=np.int64)
        gc = csr.great_circle(self.xy, np.repeat(s, len(targets)), np.tile(targets, len(s)))
        return float(rate * gc.min())

    def _rate(self, wf: Weight) -> float:
        """The least objective per great-circle km of any edge of the network under ``wf``."""
        key = ("rate", wf.by, wf.clock, wf.scaling, _extra_key(wf))
        got = self._costs.get(key)
        if got is None:
            if self._edge_km is None:
                self._edge_km = csr.great_circle(self.xy, self.eu, self.ev)
            far = self._edge_km > 0
            per_km = self.cost(wf)[far] / self._edge_km[far]
            rate = float(per_km.min()) if per_km.size else 0.0
            # a hair under: rounding never makes the bound exceed a distance
            got = self._costs[key] = np.array(max(rate, 0.0) * (1.0 - 1e-9))
        return float(got)

    def _least(self, wf: Weight) -> float:
        """The least positive objective of an edge (the first limit without a bound)."""
        cost = self.cost(wf)
        positive = cost[(cost > 0) & np.isfinite(cost)]
        return float(positive.min()) if positive.size else np.inf


def _extra_key(wf: Weight) -> tuple[Any, ...]:
    """The weight's extra hours per element, hashable."""
    return tuple(sorted(wf.extra.items())) if wf.extra else ()


def weight_key(wf: Weight) -> tuple[Any, ...]:
    """What a weight's edge values depend on (weights are immutable: equal keys, equal values)."""
    return _key(wf)


def _key(wf: Weight) -> tuple[Any, ...]:
    """What a weight's vector depends on (weights are immutable: equal keys, equal vectors)."""
    return (
        wf.by,
        wf.clock,
        wf.scaling,
        _extra_key(wf),
        wf.closed_links,
        wf.closed_places,
        wf.opened_links,
        wf.modes,
        wf.ends,
    )


@paused
def _build(G: nx.MultiDiGraph) -> Any:
    # a network as its build left it comes with its columns (network.build_network)
    seed = cached(G, csr.SEED, structure=True)
    invalidate(G, csr.SEED)  # read once: the export keeps what it needs
    try:
        return Core(G, seed)
    except (KeyError, TypeError, ValueError):
        return _NO_EXPORT


def core(G: nx.MultiDiGraph) -> Core | None:
    """The cached export of ``G``, or ``None`` when ``G`` is not a built network.

    It is rebuilt when the nodes or edges change; ``None`` when ``G``'s edges lack the
    attributes of a built network.
    """
    got = derived(G, "csr", _build, structure=True)
    return None if got is _NO_EXPORT else got


#: below this many edges a graph's first query routes with the networkx reference: on a small
#: network one query is fast enough, and importing scipy and building the export would cost
#: more than it saves (the cold command line). The export is built on the second query, so
#: repeated (warm) queries run on the core at every size. The tests set it to 0 so that they
#: exercise the core on small graphs from the first query.
MIN_EDGES = 2_000


def _edge_count(G: nx.MultiDiGraph) -> int:
    return G.number_of_edges()


def _pair_count(G: nx.MultiDiGraph) -> int:
    """The number of ``(u, v)`` pairs joined by an edge: at most the number of edges."""
    adj = G._adj if type(G._adj) is dict else G.adj
    return sum(map(len, adj.values()))


def _queries(G: nx.MultiDiGraph) -> list[int]:
    return [0]


def large(G: nx.MultiDiGraph) -> bool:
    """Whether ``G`` has at least :data:`MIN_EDGES` edges (counted once per structure).

    The ``(u, v)`` pairs are counted first (one length per node); the edges themselves only
    when there are fewer pairs than :data:`MIN_EDGES` (counting a multigraph's edges walks
    every one of them).
    """
    if derived(G, "pair_count", _pair_count, structure=True) >= MIN_EDGES:
        return True
    return derived(G, "edge_count", _edge_count, structure=True) >= MIN_EDGES


def engine(G: nx.MultiDiGraph) -> Core | None:
    """The export to route on, or ``None`` for networkx.

    It is :func:`core` for a network of at least :data:`MIN_EDGES` edges, and for a smaller one
    once :func:`note_query` has built it. The edge count is cached with the graph's structure:
    counting the edges of a multigraph walks all of them, which would cost more than a search.
    """
    if large(G):
        return core(G)
    got = cached(G, "csr", structure=True)
    return None if got is None or got is _NO_EXPORT else got


def note_query(G: nx.MultiDiGraph, *, many: bool = False) -> None:
    """Count a query on ``G``: the second one on a small network builds its export.

    One query on a small network is answered by networkx without importing scipy (the cold
    command line); repeated queries then run on the compiled core. An analysis that runs
    ``many`` searches (criticality: one per element on a route) builds it at once.
    """
    if large(G):
        return
    seen = derived(G, "queries", _queries, structure=True)
    seen[0] += 1
    if seen[0] >= 2 or many:
        core(G)


def values_changed(G: nx.MultiDiGraph) -> None:
    """Tell the export of ``G`` that edge values (``time_h`` ...) were changed in place.

    Its cached weight vectors and matrices are dropped; the structure is kept. A loaded
    network's export takes the values its build wrote down, so this is needed after any such
    change, before the first query too.
    """
    invalidate(G, "sweep_layout")  # the sweep's tables (corridormap.sweep.search.layout)
    c = core(G)
    if c is not None:
        c._costs.clear()
        c._tiebreak = None
        c._rows = None
        c._vectors.clear()
        c._matrices.clear()


# -- the door: every search of the library -------------------------------------------------
def shortest(
    G: nx.MultiDiGraph, weight: Weight, sources: Sequence[str], targets: Sequence[str]
) -> dict[str, tuple[float, list[str]]]:
    """Best paths from the nearest of ``sources`` to each reachable target.

    On the compiled core when ``G`` has one to route on (:func:`engine`), else with
    networkx's Dijkstra and ``weight`` itself (the reference the tests check the core
    against). The answers are the same either way.

    Parameters
    ----------
    G
        The network.
    weight
        The weight (bound to the route's ends, usually: :meth:`Weight.between`).
    sources
        Node ids to start from.
    targets
        Node ids to reach.

    Returns
    -------
    dict
        ``{target: (cost, node path)}`` for the targets reached, in the order of ``targets``.
    """
    c = engine(G)
    if c is not None:
        return c.shortest(weight, sources, targets)
    try:
        if len(targets) == 1:
            cost, path = nx.multi_source_dijkstra(G, sources, targets[0], weight=weight.fn)
            return {targets[0]: (cost, path)}
        dist, paths = nx.multi_source_dijkstra(G, sources, weight=weight.fn)
    except nx.NetworkXNoPath:
        return {}
    return {t: (dist[t], paths[t]) for t in targets if t in dist}


def best_path(
    G: nx.MultiDiGraph,
    origin: str | Iterable[str],
    destination: str | Iterable[str],
    weight: Weight,
) -> list[str] | None:
    """The best node path between places (or sets of places), or ``None``.

    Parameters
    ----------
    G
        The network.
    origin, destination
        A place id, or several (a region): the path starts at the nearest of their end
        nodes (:func:`corridormap.network.endpoint_nodes`) and ends at the nearest.
    weight
        The weight, bound to the ends (:meth:`Weight.between`).

    Returns
    -------
    list of str or None
        The node ids of the path (:func:`shortest`), ``None`` when no path joins them; among
        equally good ends, the first of ``destination``'s.
    """
    srcs = _end_nodes(G, origin)
    dsts = _end_nodes(G, destination)
    if not srcs or not dsts:
        return None
    found = shortest(G, weight, srcs, dsts)
    if not found:
        return None
    return found[min(found, key=lambda t: found[t][0])][1]


def _end_nodes(G: nx.MultiDiGraph, places: str | Iterable[str]) -> list[str]:
    ids = [places] if isinstance(places, str) else list(places)
    return [n for p in ids for n in endpoint_nodes(G, p)]


def path_edges(G: nx.MultiDiGraph, path: list[str], weight: Weight) -> list[Mapping[str, Any]]:
    """The edges a node path took under ``weight``, one per step.

    Parameters
    ----------
    G
        The network.
    path
        Node ids.
    weight
        The weight the path was found with: each step takes its cheapest visible edge.

    Returns
    -------
    list of Mapping
        The graph's edge attribute mappings (read only); from the compiled core when ``G``
        has one, the same edges as :meth:`Weight.path_edges`.
    """
    c = engine(G)
    if c is not None:
        return c.path_edges(weight, path)
    return weight.path_edges(G, path)


def path_cost(G: nx.MultiDiGraph, path: list[str], weight: Weight) -> float:
    """The objective of a node path under ``weight`` (the sum a search minimised).

    Parameters
    ----------
    G
        The network.
    path
        Node ids.
    weight
        The weight.

    Returns
    -------
    float
    """
    return float(sum(weight.cost(d) for d in path_edges(G, path, weight)))


def simple_paths(
    G: nx.MultiDiGraph, weight: Weight, source: str, target: str
) -> Iterator[list[str]]:
    """Simple paths from ``source`` to ``target``, cheapest first (Yen's k shortest paths).

    :func:`corridormap.kpaths.shortest_simple_paths` on ``G`` with its parallel edges
    collapsed to their least visible value: exact, and networkx's ``shortest_simple_paths``
    where no two paths cost the same (every edge of a built network has its ``tiebreak``).

    Parameters
    ----------
    G
        The network.
    weight
        The weight (hidden edges are left out).
    source, target
        Node ids.

    Yields
    ------
    list of str
        Node paths, cheapest first; ``NetworkXNoPath`` is raised on the first when none
        joins them.
    """
    succ: dict[str, dict[str, float]] = {}
    for u, nbrs in G.adjacency():
        out = succ[u] = {}
        for v, edges in nbrs.items():
            c = weight(u, v, edges)
            if c is not None:
                out[v] = c
    yield from kpaths.shortest_simple_paths(succ, source, target)


def origin_tree(
    G: nx.MultiDiGraph, weight: Weight, origin: str
) -> tuple[dict[str, float], dict[str, str | None]]:
    """The shortest-path tree from a place's gate to every node, as networkx's Dijkstra grows it.

    Cargo leaves the origin's gate (no other gate), enters no gate and changes no vehicle at
    the origin (``weight.between(origin, frozenset())``). networkx relaxes edges in the graph's
    order and breaks ties by the order nodes were reached, so the tree's path to a node is the
    one :func:`corridormap.route` takes on networkx.

    Parameters
    ----------
    G
        The network.
    weight
        The weight (its own ends, if any, are replaced).
    origin
        A place id with a gate.

    Returns
    -------
    tuple of dict
        Distances in the order the nodes were settled, and each node's parent on the tree
        (``None`` at the origin).
    """
    wf = weight.between(origin, frozenset())
    pred, dist = nx.dijkstra_predecessor_and_distance(G, origin, weight=wf.fn)
    return dist, {n: (p[0] if p else None) for n, p in pred.items()}
