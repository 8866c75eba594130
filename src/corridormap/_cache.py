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


def derived(
    G: nx.Graph,
    name: str,
    build: Callable[[nx.Graph], T],
    *,
    edges: bool = False,
    structure: bool = False,
) -> T:
    """``build(G)``, computed once per graph.

    It is computed again after its nodes (or, with ``edges``, its edges) change in number. With
    ``structure``, the entry is also rebuilt after any node or edge is added or removed
    through networkx's methods, at no cost per call: networkx empties the graph's own cache
    (``G.__networkx_cache__``) on every such change, and the stamp is a token kept there.
    Edge attributes changed in place are not seen: call :func:`invalidate` after such edits.
    """
    stamp = _stamp(G, name, structure=structure, edges=edges)
    entries = _TABLE.get(G)  # (setdefault makes a weak reference every call)
    if entries is None:
        entries = _TABLE.setdefault(G, {})
    hit = entries.get(name)
    if hit is None or hit[0] != stamp:
        hit = (stamp, build(G))
        entries[name] = hit
    return hit[1]


def cached(G: nx.Graph, name: str, *, structure: bool = False, edges: bool = False) -> Any:
    """The current value :func:`derived` holds for ``name``, or ``None`` (none, or stale).

    Nothing is built.
    """
    hit = _TABLE.get(G, {}).get(name)
    if hit is None or hit[0] != _stamp(G, name, structure=structure, edges=edges):
        return None
    return hit[1]


def _stamp(G: nx.Graph, name: str, *, structure: bool, edges: bool) -> tuple[Any, ...]:
    if structure:
        return (G.number_of_nodes(), _token(G, name))
    if edges:
        return (G.number_of_nodes(), G.number_of_edges())
    return (G.number_of_nodes(),)


def _token(G: nx.Graph, name: str) -> Any:
    """A token that lives as long as ``G``'s structure is unchanged.

    For a view, or a graph without a networkx cache, the token is its edge count.
    """
    cache = getattr(G, "__networkx_cache__", None)
    if not isinstance(cache, dict) or getattr(G, "frozen", False):
        # a view's own cache is not emptied when the graph it shows changes (nx.is_frozen)
        return G.number_of_edges()
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = f"corridormap:{name}"
    tok = cache.get(key)
    if tok is None:
        tok = cache[key] = object()
    return tok


#: name -> the key of its token in a graph's networkx cache
_KEYS: dict[str, str] = {}


def store(G: nx.Graph, name: str, value: Any, *, structure: bool = False) -> None:
    """Hold ``value`` as :func:`derived`'s ``name`` of ``G`` as it is now.

    For what is known before anything asks for it (the build of a network writes down the
    columns of its compiled export); it goes stale like an entry :func:`derived` built.
    """
    _TABLE.setdefault(G, {})[name] = (_stamp(G, name, structure=structure, edges=False), value)


def invalidate(G: nx.Graph, name: str) -> None:
    """Drop the cached ``name`` of ``G`` (it is rebuilt on next use)."""
    entries = _TABLE.get(G)
    if entries is not None:
        entries.pop(name, None)
