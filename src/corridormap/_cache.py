"""Derived lookups (place index, layer index, link names) cached per graph object.

The cache lives here, in a weak-keyed table, not in ``G.graph``: analyses never write to the
graph they are given. An entry is rebuilt when the graph's node count changes (and, for
lookups built from edges, its edge count: counting edges walks the graph, so only those pay),
or when its user finds it stale and calls :func:`invalidate` (the place index checks every
hit against the graph, so a renamed place is found under its new name only).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

T = TypeVar("T")
_TABLE: weakref.WeakKeyDictionary[nx.Graph, dict[str, tuple[tuple[int, ...], Any]]] = (
    weakref.WeakKeyDictionary()
)


def derived(G: nx.Graph, name: str, build: Callable[[nx.Graph], T], *, edges: bool = False) -> T:
    """``build(G)``, computed once per graph.

    It is computed again after the number of nodes (or, with ``edges``, of edges) changes.
    """
    stamp = (G.number_of_nodes(), G.number_of_edges()) if edges else (G.number_of_nodes(),)
    entries = _TABLE.setdefault(G, {})
    hit = entries.get(name)
    if hit is None or hit[0] != stamp:
        hit = (stamp, build(G))
        entries[name] = hit
    return hit[1]


def invalidate(G: nx.Graph, name: str) -> None:
    """Drop the cached ``name`` of ``G`` (it is rebuilt on next use)."""
    entries = _TABLE.get(G)
    if entries is not None:
        entries.pop(name, None)
