"""The k shortest simple paths (corridormap.kpaths) against networkx's, the reference."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridormap as cm
from corridormap import kpaths, search


def _succ(H: nx.DiGraph) -> dict:
    return {u: {v: d["w"] for v, d in nbrs.items()} for u, nbrs in H.adjacency()}


def _networkx(H: nx.DiGraph, s, t, n: int):
    try:
        return list(itertools.islice(nx.shortest_simple_paths(H, s, t, weight="w"), n))
    except nx.NetworkXNoPath:
        return None


def _ours(H: nx.DiGraph, s, t, n: int):
    try:
        return list(itertools.islice(kpaths.shortest_simple_paths(_succ(H), s, t), n))
    except nx.NetworkXNoPath:
        return None


@settings(max_examples=150, deadline=None)
@given(st.integers(3, 22), st.floats(0.08, 0.6), st.integers(0, 2**31))
def test_the_paths_and_their_order_are_networkx(n, p, seed):
    rnd = random.Random(seed)
    H = nx.gnp_random_graph(n, p, seed=seed, directed=True)
    for u, v in H.edges:  # distinct costs, as a built network's tiebreak makes them
        H[u][v]["w"] = rnd.randint(1, 5) + 1e-6 * rnd.random()
    assert _ours(H, 0, n - 1, 300) == _networkx(H, 0, n - 1, 300)


def test_every_simple_path_once_then_the_end():
    H = nx.DiGraph()
    for u, v, w in [
        ("a", "b", 1.0),
        ("b", "c", 1.5),
        ("a", "c", 3.0),
        ("c", "d", 1.0),
        ("b", "d", 4.0),
        ("d", "b", 0.1),
    ]:
        H.add_edge(u, v, w=w)
    got = list(kpaths.shortest_simple_paths(_succ(H), "a", "d"))
    assert sorted(map(tuple, got)) == sorted(map(tuple, nx.all_simple_paths(H, "a", "d")))
    costs = [nx.path_weight(H, path, "w") for path in got]
    assert costs == sorted(costs) and got[0] == ["a", "b", "c", "d"]


def test_no_path_is_raised_on_the_first():
    gen = kpaths.shortest_simple_paths({"a": {"b": 1.0}, "b": {}, "c": {}}, "a", "c")
    with pytest.raises(nx.NetworkXNoPath):
        next(gen)


@pytest.mark.parametrize("a, b", [("Mumbai", "Moscow"), ("Almaty", "Istanbul")])
def test_bundled_paths_are_networkx(bundled_G, a, b):
    best = cm.route(bundled_G, a, b)
    H = nx.DiGraph()
    for u, nbrs in bundled_G.adjacency():
        for v, edges in nbrs.items():
            c = best.weight(u, v, edges)
            if c is not None:
                H.add_edge(u, v, w=c)
    s, t = best.path[0], best.path[-1]
    ours = list(itertools.islice(search.simple_paths(bundled_G, best.weight, s, t), 150))
    assert ours == _networkx(H, s, t, 150)
    assert ours[0] == best.path
