"""The k shortest simple paths: Yen's algorithm with Lawler's rule, on float edge costs.

:func:`shortest_simple_paths` lists the simple paths between two nodes cheapest first, as
networkx's ``shortest_simple_paths`` does, on a plain mapping of each node's successors to
their costs. networkx searches again from every node of each path it lists, so a path of ``n``
nodes costs ``n`` searches. Lawler's rule searches only from the node where the path left the
one it was found from, and on: a path that leaves it earlier shares more of its start with
another listed path, and is found from that one. On a network full of near-equal detours (a
grid of lines), where a new path mostly leaves its parent near the end, that saves most of the
searches.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Hashable, Iterator, Mapping

import networkx as nx

__all__ = ["shortest_simple_paths"]

Succ = Mapping[Hashable, Mapping[Hashable, float]]


def shortest_simple_paths(succ: Succ, source: Hashable, target: Hashable) -> Iterator[list]:
    """Simple paths from ``source`` to ``target``, cheapest first (Yen's k shortest paths).

    Where no two paths cost the same (the network's ``tiebreak`` sees to that), the paths and
    their order are networkx's ``shortest_simple_paths``; among paths of equal cost the order
    may differ.

    Parameters
    ----------
    succ
        Each node's successors and the cost of the edge to each (non-negative). Every node
        reached must be a key.
    source, target
        The ends.

    Yields
    ------
    list
        Node paths, cheapest first.

    Raises
    ------
    networkx.NetworkXNoPath
        On the first path, when none joins them.
    """
    first = _search(succ, source, target, frozenset(), frozenset())
    if first is None:
        raise nx.NetworkXNoPath(f"no path from {source} to {target}")
    tick = itertools.count()
    # (cost, order pushed, path, index of the node it left its parent path at)
    heap = [(first[0], next(tick), first[1], 0)]
    queued = {tuple(first[1])}
    taken: dict[tuple, set] = {}  # a listed path's first nodes -> the nodes listed paths go on to
    while heap:
        _, _, path, left_at = heapq.heappop(heap)
        yield path
        root_cost = [0.0]
        for u, v in itertools.pairwise(path):
            root_cost.append(root_cost[-1] + succ[u][v])
        closed = set(path[:left_at])
        for i in range(left_at, len(path) - 1):
            # before ``left_at`` the path goes where its parent went: those starts are noted
            nexts = taken.setdefault(tuple(path[: i + 1]), set())
            nexts.add(path[i + 1])
            # the cheapest path that follows this one to node i and leaves it there for a node
            # no listed path with the same start went on to
            got = _search(succ, path[i], target, closed, nexts)
            closed.add(path[i])
            if got is None:
                continue
            new = path[:i] + got[1]
            key = tuple(new)
            if key not in queued:
                queued.add(key)
                heapq.heappush(heap, (root_cost[i] + got[0], next(tick), new, i))


def _search(
    succ: Succ,
    source: Hashable,
    target: Hashable,
    closed: Collection[Hashable],
    not_next: Collection[Hashable],
) -> tuple[float, list] | None:
    """The cheapest path from ``source`` to ``target`` (Dijkstra): ``(cost, path)`` or ``None``.

    It passes no node of ``closed`` and does not go from ``source`` straight to a node of
    ``not_next``.
    """
    dist = {source: 0.0}
    pred: dict[Hashable, Hashable] = {}
    done: set[Hashable] = set()
    tick = itertools.count(1)
    heap = [(0.0, 0, source)]
    while heap:
        d, _, u = heapq.heappop(heap)
        if u in done:
            continue
        if u == target:
            path = [u]
            while path[-1] != source:
                path.append(pred[path[-1]])
            return d, path[::-1]
        done.add(u)
        for v, w in succ[u].items():
            if v in done or v in closed or (u == source and v in not_next):
                continue
            nd = d + w
            if nd < dist.get(v, float("inf")):
                dist[v] = nd
                pred[v] = u
                heapq.heappush(heap, (nd, next(tick), v))
    return None
