"""The compiled core's arrays: a graph's structure and attributes read in bulk, and searches.

What :class:`corridormap.search.Core` is built from (the adjacency of a graph as flat lists,
values numbered by first appearance, node coordinates) and the array algorithms it runs:
scipy's Dijkstra up to a limit, settling a target through its predecessors, great-circle
distances.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter, methodcaller
from typing import Any

import networkx as nx
import numpy as np

from .io import EARTH_RADIUS_KM
from .weights import GATE

__all__ = [
    "SEED",
    "Codes",
    "Seed",
    "adjacency",
    "coded",
    "codes",
    "coordinates",
    "dijkstra",
    "first_seen",
    "great_circle",
    "read_edges",
    "seeded",
    "seeded_modes",
    "settle",
    "stopping",
    "walk",
]


def adjacency(G: nx.MultiDiGraph) -> tuple[list[Any], list[int], list[int], list[Any]]:
    """The graph's edges in adjacency order, and the structure that places them.

    Returns
    -------
    tuple of list
        The head node of every ``(u, v)`` pair, the number of pairs of each node (in node
        order), the number of edges of each pair, and every edge's attribute mapping.
    """
    heads: list[Any] = []
    per_node: list[int] = []
    per_pair: list[int] = []
    edges: list[Any] = []
    values = methodcaller("values")
    for _, nbrs in G.adjacency():
        keyeds = list(nbrs.values())
        per_node.append(len(keyeds))
        heads.extend(nbrs)
        per_pair.extend(map(len, keyeds))
        edges.extend(chain.from_iterable(map(values, keyeds)))
    return heads, per_node, per_pair, edges


#: the name under which a network's build leaves its :class:`Seed` (:mod:`corridormap._cache`)
SEED = "csr_seed"


@dataclass
class Seed:
    """A network's edges as its build wrote them down: what its compiled export is made of.

    Edges are in the order they were added to the graph, nodes in the graph's node order.
    ``place`` and ``link`` hold numbers into ``places`` and ``links``; the export numbers
    them again in order of first appearance, as it numbers what it reads from a graph.

    Attributes
    ----------
    index
        Node id -> node index, in the graph's node order (read only).
    tail, head
        Every edge's end nodes, as node indices.
    data
        Every edge's attribute mapping (the graph's own).
    tiebreak
        Every edge's ``tiebreak``.
    link
        Every edge's link (into ``links``), ``-1`` for a transfer.
    node_place
        Every node's place (into ``places``).
    places
        The place ids, each once (sorted, as a build writes them: the export then looks one
        up without a dictionary of them all, :class:`Codes`).
    links, link_mode, link_routable
        The link ids, each once (sorted, likewise), and each link's ``mode`` and ``routable``.
    from_gate, to_gate
        For every transfer edge (whose ``link`` is ``-1``), in edge order, whether it leaves
        or enters a gate.
    weight, weight_rows
        Every edge's weights (``time_h``, ``cost_usd`` ...), as a position in the distinct
        weight mappings the build gave its edges (edges alike share one).
    """

    index: dict[Any, int]
    tail: np.ndarray
    head: np.ndarray
    data: list[Any]
    tiebreak: np.ndarray
    link: np.ndarray
    node_place: np.ndarray
    places: list[Any]
    links: list[Any]
    link_mode: list[Any]
    link_routable: np.ndarray
    from_gate: np.ndarray
    to_gate: np.ndarray
    weight: np.ndarray
    weight_rows: list[dict[str, Any]]


def _in_order(raw: np.ndarray, count: int) -> np.ndarray:
    """The values ``0..count-1`` found in ``raw`` (``-1``: none), in order of first appearance."""
    m = len(raw)
    at = np.flatnonzero(raw >= 0)
    # each value's first position, then the values in the order of those positions (no sort)
    first = np.full(count, m, dtype=np.int64)
    np.minimum.at(first, raw[at], at)
    seen = np.flatnonzero(first < m)
    by_position = np.full(m, -1, dtype=np.int64)
    by_position[first[seen]] = seen
    return by_position[by_position >= 0]


def first_seen(raw: np.ndarray, names: list[Any], table: dict[Any, int]) -> np.ndarray:
    """:func:`codes` of ``names[raw]``: integer values coded in order of first appearance.

    Parameters
    ----------
    raw
        Indices into ``names`` (``-1``: none, which keeps the code ``-1``).
    names
        The values the indices stand for, each once.
    table
        value -> code, filled in place (it must be empty, or hold earlier codes of ``names``
        in order of first appearance, as :func:`codes` leaves it).

    Returns
    -------
    numpy.ndarray
        The codes, as :func:`codes` gives them for the values in this order.
    """
    remap = np.full(len(names) + 1, -1, dtype=np.int64)  # the last entry stands for -1
    if table:
        known = [i for i, name in enumerate(names) if name in table]
        remap[known] = [table[names[i]] for i in known]
    fresh = _in_order(raw, len(names))
    fresh = fresh[remap[fresh] < 0]
    remap[fresh] = np.arange(len(table), len(table) + len(fresh))
    table.update(zip([names[i] for i in fresh.tolist()], remap[fresh].tolist(), strict=True))
    return remap[raw]


def coded(raw: np.ndarray, names: list[Any]) -> tuple[np.ndarray, Codes]:
    """:func:`first_seen` with an empty table, the table made only when it is read whole.

    Returns
    -------
    tuple
        The codes, and the table (value -> code) as :class:`Codes`.
    """
    table = Codes(names, _in_order(raw, len(names)))
    return table.remap[raw], table


class Codes(Mapping[Any, int]):
    """Value -> code, for values coded in order of first appearance (:func:`coded`).

    A network has a million links: the export looks up a few of them (a closed link, a
    route's ends), so a value is found by bisection in ``names`` (sorted, as a build writes
    them), and the dictionary of them all is made only when it is needed (iterating, or a
    value not found so: then ``names`` may not be sorted).

    Parameters
    ----------
    names
        The values, each once (sorted, for lookups without the dictionary).
    positions
        The positions in ``names`` of the values coded, in the order of their codes.

    Attributes
    ----------
    positions
        As given.
    remap
        Each value's code by position in ``names``, ``-1`` for the values not coded, and a
        last ``-1`` (for the position ``-1``: none).
    """

    def __init__(self, names: list[Any], positions: np.ndarray) -> None:
        self._names, self.positions = names, positions
        self.remap = np.full(len(names) + 1, -1, dtype=np.int64)
        self.remap[positions] = np.arange(len(positions))
        self._table: dict[Any, int] | None = None

    def _whole(self) -> dict[Any, int]:
        if self._table is None:
            names = self._names
            got = [names[i] for i in self.positions.tolist()]
            self._table = dict(zip(got, range(len(got)), strict=True))
        return self._table

    def __getitem__(self, value: Any) -> int:
        if self._table is None and type(value) is str:
            names = self._names
            try:
                i = bisect_left(names, value)
            except TypeError:  # values of other types: the dictionary answers
                i = len(names)
            if i < len(names) and names[i] == value:  # each value is once in names
                code = int(self.remap[i])
                if code < 0:
                    raise KeyError(value)
                return code
        return self._whole()[value]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self.positions)


#: what the export reads from every edge of a built network, in one pass
_READ = itemgetter("link_id", "u_place", "v_place", "mode", "routable")


def read_edges(edges: list[Any]) -> dict[str, Any]:
    """The attributes of an export's edges, read from their mappings (in the export's order).

    Links, modes and places are numbered in order of first appearance (places: the tails'
    first, then the heads').

    Returns
    -------
    dict
        ``tables`` (the link and place codes, value -> code), ``modes`` (the mode codes and
        their table), and per edge ``link`` (-1 for a transfer), ``routable``, ``u_place``,
        ``v_place``, ``from_gate`` and ``to_gate``.
    """
    m = len(edges)
    try:  # one pass over the edges (each a mapping of its own, far from the others)
        rows = list(map(_READ, edges))
    except KeyError:  # a hand-built graph: transfers without mode or routable
        rows = None
    if rows:
        lids, ups, vps, modes, routables = zip(*rows, strict=True)
    else:
        lids = [d.get("link_id") for d in edges]
        ups = [d["u_place"] for d in edges]
        vps = [d["v_place"] for d in edges]
    link_codes: dict[Any, int] = {}
    link = codes(lids, link_codes, none=-1)
    on_links = np.flatnonzero(link >= 0).tolist()
    if rows:
        modes = [modes[i] for i in on_links]
        routables = [routables[i] for i in on_links]
    else:
        modes = [edges[i]["mode"] for i in on_links]
        routables = [edges[i]["routable"] for i in on_links]
    mode_codes: dict[Any, int] = {}
    mode = np.zeros(m, dtype=np.int64)
    mode[on_links] = codes(modes, mode_codes)
    routable = np.ones(m, dtype=bool)
    routable[on_links] = np.fromiter(map(bool, routables), dtype=bool, count=len(on_links))
    place_codes: dict[Any, int] = {}
    up = codes(ups, place_codes)
    vp = codes(vps, place_codes)
    transfers = np.flatnonzero(link < 0).tolist()
    gates = []
    for key in ("from_layer", "to_layer"):
        flags = np.zeros(m, dtype=bool)
        flags[transfers] = [edges[i][key] == GATE for i in transfers]
        gates.append(flags)
    return {
        "tables": (link_codes, place_codes),
        "modes": (mode, mode_codes),
        "link": link,
        "routable": routable,
        "u_place": up,
        "v_place": vp,
        "from_gate": gates[0],
        "to_gate": gates[1],
    }


def seeded(seed: Seed, order: np.ndarray, eu: np.ndarray, ev: np.ndarray) -> dict[str, Any]:
    """The attributes of an export's edges, from its build's columns.

    What :class:`corridormap.search.Core` otherwise reads from every edge mapping, with the
    same codes: links and places numbered in order of first appearance in the export's edge
    order (places: the tails' first, then the heads'); the modes are left to
    :func:`seeded_modes`, made when first needed.

    Parameters
    ----------
    seed
        The build's columns.
    order
        The export's edges, as positions in ``seed``.
    eu, ev
        The export's edges' end nodes (node indices).

    Returns
    -------
    dict
        ``tables`` (the link and place codes, value -> code, as :class:`Codes`), and per edge
        ``link`` (-1 for a transfer), ``routable``, ``u_place``, ``v_place``, ``from_gate``
        and ``to_gate``.
    """
    m = len(order)
    raw = seed.link[order]
    link, links = coded(raw, seed.links)
    is_link = link >= 0
    routable = np.ones(m, dtype=bool)
    routable[is_link] = seed.link_routable[raw[is_link]]
    # a place first appears with the first of a run of edges from one node: the places of
    # the runs' tails in order, then those of the heads not among them
    where, count = seed.node_place, len(seed.places)
    runs = np.ones(m, dtype=bool)
    runs[1:] = eu[1:] != eu[:-1]
    fresh = _in_order(where[eu[runs]], count)
    known = np.zeros(count + 1, dtype=bool)
    known[fresh] = True
    heads = where[ev]
    fresh = np.concatenate([fresh, _in_order(heads[~known[heads]], count)])
    places = Codes(seed.places, fresh)
    code = places.remap[where]  # every node's place code
    # the transfers' flags are in the build's order: put them where the export has them
    is_transfer = seed.link < 0
    gates = []
    for flags in (seed.from_gate, seed.to_gate):
        out = np.zeros(m, dtype=bool)
        out[is_transfer] = flags
        gates.append(out[order])
    return {
        "tables": (links, places),
        "link": link,
        "routable": routable,
        "u_place": code[eu],
        "v_place": code[ev],
        "from_gate": gates[0],
        "to_gate": gates[1],
    }


def seeded_modes(link_mode: list[Any], links: Codes, link: np.ndarray) -> tuple[Any, ...]:
    """Every edge's mode code (0 for a transfer) and the mode table, from the links' modes.

    Numbered in order of first appearance in the export's edge order, as
    :meth:`corridormap.search.Core` reads them from the edges.

    Parameters
    ----------
    link_mode
        Each link's mode (:attr:`Seed.link_mode`).
    links
        The export's link table (:func:`seeded`).
    link
        Every edge's link code (-1 for a transfer).

    Returns
    -------
    tuple
        The mode codes (an array) and the table (value -> code).
    """
    kinds = list(dict.fromkeys(link_mode))
    kind_of = dict(zip(kinds, range(len(kinds)), strict=True))
    link_kind = np.fromiter(map(kind_of.__getitem__, link_mode), np.int64, len(link_mode))
    is_link = link >= 0
    modes: dict[Any, int] = {}
    mode = np.zeros(len(link), dtype=np.int64)
    mode[is_link] = first_seen(link_kind[links.positions[link[is_link]]], kinds, modes)
    return mode, modes


def codes(values: list[Any], table: dict[Any, int], *, none: int | None = None) -> np.ndarray:
    """Integer codes of ``values``, numbered in order of first appearance in ``table``.

    ``table`` (value -> code) is filled in place; with ``none``, ``None`` gets that code and
    no entry.
    """
    new = [x for x in dict.fromkeys(values) if x not in table and (none is None or x is not None)]
    table.update(zip(new, range(len(table), len(table) + len(new)), strict=True))
    lookup = table
    if none is not None:
        lookup = dict(table)
        lookup[None] = none
    return np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))


def dijkstra(A: Any, idx: list[int], limit: float = np.inf) -> tuple[np.ndarray, np.ndarray]:
    """Distances and predecessors on ``A`` from node indices ``idx`` (scipy's Dijkstra).

    With a ``limit``, only the nodes at most that far are settled.
    """
    from scipy.sparse.csgraph import dijkstra

    if len(idx) == 1:
        dist, pred = dijkstra(
            A, directed=True, indices=idx[0], return_predecessors=True, limit=limit
        )
    else:
        # with min_only, scipy also returns each node's nearest source
        dist, pred, _ = dijkstra(
            A, directed=True, indices=idx, return_predecessors=True, min_only=True, limit=limit
        )
    return dist, pred


def settle(
    dist: np.ndarray, pred: np.ndarray, t: int, tails: np.ndarray, values: np.ndarray, limit: float
) -> bool:
    """Settle target ``t`` of a search stopped at ``limit`` through its predecessors, if it can.

    Parameters
    ----------
    dist, pred
        The search's distances and predecessors; ``t``'s are set here when it is settled.
    t
        The target's node index.
    tails, values
        The nodes with a visible pair into ``t``, and those pairs' values.
    limit
        The distance the search settled every node up to.

    Returns
    -------
    bool
        Whether ``t`` is settled (or has no way in at all).
    """
    if np.isfinite(dist[t]) or not len(tails):
        return True
    via = dist[tails] + values  # as the search adds them: dist[u] + w(u, t)
    best = int(np.lexsort((dist[tails], via))[0])
    if not np.isfinite(via[best]) or via[best] > limit + values.min():
        return False
    dist[t], pred[t] = via[best], tails[best]
    return True


def great_circle(xy: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle km between nodes ``a`` and ``b`` (indices into ``xy``: radians lon, lat).

    The haversine, worked in place in a few arrays: a million edges' temporary arrays would
    each be fresh memory. For more pairs than nodes, each node's cosine is taken once.
    """
    if len(a) > len(xy):
        cos = np.cos(xy[:, 1])
        cos1, cos2 = cos[a], cos[b]
    else:
        cos1, cos2 = np.cos(xy[a, 1]), np.cos(xy[b, 1])
    h = np.subtract(xy[b, 1], xy[a, 1])  # sin((lat2 - lat1) / 2) ** 2
    h /= 2
    np.sin(h, out=h)
    h **= 2
    lon = np.subtract(xy[b, 0], xy[a, 0])  # sin((lon2 - lon1) / 2) ** 2
    lon /= 2
    np.sin(lon, out=lon)
    lon **= 2
    cos1 *= cos2  # cos(lat1) * cos(lat2) * that
    cos1 *= lon
    h += cos1
    np.sqrt(h, out=h)
    np.minimum(1.0, h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_KM
    return h


def coordinates(G: nx.MultiDiGraph) -> np.ndarray | None:
    """Every node's ``(x, y)`` in radians, in node order; ``None`` if a node has none."""
    nodes = G._node
    xy = None
    if type(nodes) is dict:
        try:  # one C loop per coordinate: a million nodes' mappings are read in a blink
            xy = np.column_stack(
                [
                    np.fromiter(map(itemgetter(k), nodes.values()), np.float64, len(nodes))
                    for k in "xy"
                ]
            ).reshape(-1, 2)
        except (KeyError, TypeError, ValueError):  # a node without one, or not a number
            xy = None
    if xy is None:
        xs = [d.get("x") for _, d in G.nodes(data=True)]
        ys = [d.get("y") for _, d in G.nodes(data=True)]
        try:
            xy = np.array([xs, ys], dtype=np.float64).T.reshape(-1, 2)
        except (TypeError, ValueError):
            return None
    xy = np.radians(xy)
    return xy if np.isfinite(xy).all() else None


def stopping(
    A: Any,
    sources: list[int],
    targets: list[int],
    into: tuple[np.ndarray, np.ndarray, np.ndarray],
    first: float,
    span: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Dijkstra on ``A`` from ``sources``, grown only until every one of ``targets`` is settled.

    scipy's Dijkstra settles, up to a distance ``limit``, exactly the nodes (with the same
    distances and predecessors) that the whole search settles first, and stops there. A target
    is settled through its predecessors (:func:`settle`): the cost of entering it, a terminal's
    dwell say, need not be searched around the origin. The first limit is ``first + 2 span``;
    each search that leaves a target unsettled is followed by one with four times the
    ``span``, or by the whole search once an eighth of the nodes were reached.

    Parameters
    ----------
    A
        The CSR matrix of the pair values.
    sources, targets
        Node indices.
    into
        The transpose of ``A``'s structure: ``indptr``, ``indices`` and, per entry, the index
        of its pair in ``A``.
    first
        The least distance of a node other than the sources (the least cost of leaving one).
    span
        A lower bound of the distance between the ends (or any positive guess of it).

    Returns
    -------
    tuple of numpy.ndarray
        Distances and predecessors by node index: scipy's for the nodes settled, and for every
        target reached.
    """
    t_indptr, t_indices, t_perm = into
    entries = []
    for t in targets:
        where = slice(t_indptr[t], t_indptr[t + 1])
        values = A.data[t_perm[where]]
        ok = np.isfinite(values)
        entries.append((t_indices[where][ok].astype(np.int64), values[ok]))
    step, n = 2.0, A.shape[0]
    while True:
        limit = first + step * span if step < np.inf and span > 0 else np.inf
        dist, pred = dijkstra(A, sources, limit)
        if all(settle(dist, pred, t, *e, limit) for t, e in zip(targets, entries, strict=True)):
            return dist, pred
        if limit == np.inf:
            return dist, pred
        step = np.inf if np.count_nonzero(np.isfinite(dist)) * 8 > n else step * 4.0


def seeded_values(rows: tuple[np.ndarray, list[dict[str, Any]]], attr: str) -> np.ndarray | None:
    """Every edge's ``attr`` from the weights the build wrote down, or ``None`` if not a weight.

    ``rows`` is ``(which, mappings)``: the weights of a network's edges are a few distinct
    mappings (edges alike share one), each read once, not once per edge.
    """
    which, mappings = rows
    try:
        values = np.array([m[attr] for m in mappings], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        return None
    return values[which]


def walk(pred: Sequence[int] | np.ndarray, i: int) -> list[int]:
    """Node indices from ``i`` along a predecessor tree to its root (``i`` first).

    Parameters
    ----------
    pred
        Predecessors by node index, negative at a root (a list walks faster than an array).
    i
        The node index to start from.

    Returns
    -------
    list of int
    """
    out = [i]
    p = pred[i]
    while p >= 0:
        out.append(p)
        p = pred[p]
    return out
