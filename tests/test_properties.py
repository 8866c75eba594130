"""Property-based tests (hypothesis) of routing on random small networks."""

from __future__ import annotations

import contextlib
import copy
import itertools
import random
import tempfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridormap as cm
from conftest import PARAMS, link, node, write_geodata

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def networks(draw):
    """A connected random network of 4-8 places in Russia, rail (two gauges) and road."""
    n = draw(st.integers(4, 8))
    pts = draw(
        st.lists(
            st.tuples(st.floats(40.0, 50.0), st.floats(48.0, 56.0)),
            min_size=n,
            max_size=n,
            unique_by=lambda p: (round(p[0], 1), round(p[1], 1)),
        )
    )
    nodes = [
        node(f"N{i}", round(x, 3), round(y, 3), name=f"Node {i}") for i, (x, y) in enumerate(pts)
    ]
    links = []
    # a spanning chain keeps it connected, then random extra links
    order = draw(st.permutations(range(n)))
    pairs = list(itertools.pairwise(order))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n))
    pairs += [(a, b) for a, b in extra if a != b]
    for i, (a, b) in enumerate(pairs):
        mode = draw(st.sampled_from(["rail", "rail", "road"]))
        extra_props = {}
        if mode == "rail":
            extra_props["gauge"] = draw(st.sampled_from([1520, 1520, 1435]))
        factor = draw(st.floats(1.0, 1.6))
        lk = link(f"L{i}", nodes[a], nodes[b], mode, **extra_props)
        lk["properties"]["length_km"] = round(lk["properties"]["length_km"] * factor, 1)
        links.append(lk)
    return {"nodes": nodes, "links": links}


def _load(data) -> nx.MultiDiGraph:
    with tempfile.TemporaryDirectory() as tmp:
        return cm.load_network(write_geodata(Path(tmp) / "g", data, PARAMS))


def _pair(data, seed):
    rnd = random.Random(seed)
    a, b = rnd.sample([f["properties"]["id"] for f in data["nodes"]], 2)
    return a, b


@SETTINGS
@given(networks(), st.integers(0, 10_000), st.sampled_from(["time_h", "cost_usd", "distance_km"]))
def test_route_is_a_valid_path_with_consistent_totals(data, seed, by):
    G = _load(data)
    a, b = _pair(data, seed)
    r = cm.route(G, a, b, by=by)
    assert nx.is_path(G, r.path)
    assert r.path[0] == a and r.path[-1] == b
    for key in ("distance_km", "time_h", "cost_usd", "co2_kg"):
        assert getattr(r, key) == pytest.approx(sum(leg[key] for leg in r.legs))
    # the route is optimal: networkx's own Dijkstra on the same weight agrees
    w = cm.make_weight(by, ends=(a, b))
    assert getattr(r, by) == pytest.approx(nx.dijkstra_path_length(G, a, b, weight=w))


@SETTINGS
@given(networks(), st.integers(0, 10_000), st.integers(0, 50))
def test_closing_an_element_never_makes_the_route_cheaper(data, seed, which):
    G = _load(data)
    a, b = _pair(data, seed)
    best = cm.route(G, a, b)
    lid = data["links"][which % len(data["links"])]["properties"]["id"]
    try:
        closed = cm.route(G, a, b, weight=cm.make_weight("time_h", closed_links={lid}))
    except cm.NoRouteError:
        return
    assert closed.time_h >= best.time_h - 1e-9
    place = data["nodes"][which % len(data["nodes"])]["properties"]["id"]
    if place not in (a, b):
        try:
            avoided = cm.route(G, a, b, avoid=[place])
        except cm.NoRouteError:
            return
        assert avoided.time_h >= best.time_h - 1e-9


@SETTINGS
@given(networks(), st.integers(0, 10_000))
def test_best_route_no_worse_than_alternatives(data, seed):
    G = _load(data)
    a, b = _pair(data, seed)
    alts = cm.alternatives(G, a, b, k=3)
    assert alts[0].time_h == pytest.approx(cm.route(G, a, b).time_h)
    assert all(alts[0].time_h <= r.time_h + 1e-9 for r in alts)
    assert len({tuple(r.link_ids) for r in alts}) == len(alts)


@SETTINGS
@given(networks(), st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_feature_order(data, seed, rnd):
    a, b = _pair(data, seed)
    G1 = _load(data)
    shuffled = copy.deepcopy(data)
    rnd.shuffle(shuffled["nodes"])
    rnd.shuffle(shuffled["links"])
    G2 = _load(shuffled)
    r1, r2 = cm.route(G1, a, b), cm.route(G2, a, b)
    assert r1.time_h == pytest.approx(r2.time_h)
    assert r1.cost_usd == pytest.approx(r2.cost_usd)


@SETTINGS
@given(networks(), st.integers(0, 10_000))
def test_analyses_never_mutate_the_graph(data, seed):
    G = _load(data)
    snapshot = repr(list(G.edges(keys=True, data=True)))
    graph_keys = set(G.graph)
    nodes_before = copy.deepcopy(dict(G.nodes(data=True)))
    a, b = _pair(data, seed)
    cm.route(G, a, b, avoid=[])
    cm.alternatives(G, a, b, k=2)
    with contextlib.suppress(cm.NoRouteError):
        cm.route(G, a, b, weight=cm.make_weight("cost_usd", closed_links={"L0"}))
    assert repr(list(G.edges(keys=True, data=True))) == snapshot
    assert set(G.graph) == graph_keys
    assert {n: {k: v for k, v in d.items()} for n, d in G.nodes(data=True)} == nodes_before
