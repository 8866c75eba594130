"""The search (corridormap.search): the compiled core and the via-node alternatives it
serves, checked against networkx.

networkx is the reference: its Dijkstra on the graph with the same :class:`Weight`, and its
Yen k-shortest simple paths (what ``alternatives`` used before), on random small networks and
on the bundled one.
"""

from __future__ import annotations

import itertools
import random
from unittest import mock

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridormap as cm
import test_properties as tp
from corridormap import corridors, search
from corridormap.network import place_of
from corridormap.search import core


def _networkx_only():
    """Route with networkx (no compiled export), as before the core existed."""
    return mock.patch("corridormap.search.engine", lambda G: None), mock.patch(
        "corridormap.search.large", lambda G: False
    )


def _nx_route(G, a, b, **kw):
    p1, p2 = _networkx_only()
    with p1, p2:
        return cm.route(G, a, b, **kw)


def _cost(G, path, wf):
    return search.path_cost(G, path, wf)


@tp.SETTINGS
@given(tp.networks(), st.integers(0, 10_000), st.sampled_from(["time_h", "cost_usd"]))
def test_core_route_equals_networkx_route(data, seed, by):
    G = tp._load(data)
    a, b = tp._pair(data, seed)
    r = cm.route(G, a, b, by=by)
    ref = _nx_route(G, a, b, by=by)
    assert getattr(r, by) == pytest.approx(getattr(ref, by))
    w = cm.make_weight(by, ends=(a, b))
    assert getattr(r, by) == pytest.approx(nx.dijkstra_path_length(G, a, b, weight=w))


@tp.SETTINGS
@given(tp.networks(), st.integers(0, 10_000), st.integers(0, 50))
def test_core_applies_closures_and_modes_as_networkx_does(data, seed, which):
    G = tp._load(data)
    a, b = tp._pair(data, seed)
    lid = data["links"][which % len(data["links"])]["properties"]["id"]
    place = data["nodes"][which % len(data["nodes"])]["properties"]["id"]
    for kw in (
        {"weight": cm.make_weight("time_h", closed_links={lid})},
        {"avoid": [place]} if place not in (a, b) else {},
        {"modes": ["rail"]},
    ):
        try:
            ref = _nx_route(G, a, b, **kw)
        except cm.NoRouteError:
            with pytest.raises(cm.NoRouteError):
                cm.route(G, a, b, **kw)
            continue
        assert cm.route(G, a, b, **kw).time_h == pytest.approx(ref.time_h)


@tp.SETTINGS
@given(tp.networks(), st.integers(0, 10_000), st.integers(2, 5))
def test_alternatives_are_valid_distinct_sorted_and_no_better_than_yen(data, seed, k):
    G = tp._load(data)
    a, b = tp._pair(data, seed)
    alts = cm.alternatives(G, a, b, k=k)
    best = cm.route(G, a, b)
    wf = best.weight
    assert alts[0].link_ids == best.link_ids
    assert alts[0].time_h == pytest.approx(nx.dijkstra_path_length(G, a, b, weight=wf))
    assert 1 <= len(alts) <= k
    assert len({tuple(r.link_ids) for r in alts}) == len(alts)
    assert len({corridors.corridor_key(G, r) for r in alts}) == len(alts)
    costs = [_cost(G, r.path, wf) for r in alts]
    assert costs == sorted(costs)
    for r in alts:
        assert nx.is_simple_path(G, r.path)
        assert r.path[0] == a and r.path[-1] == b
        assert len(set(r.nodes)) == len(r.nodes)  # no place twice
        assert all(wf.visible(d) for d in wf.path_edges(G, r.path))
    # Yen's k shortest (filtered the same way) are the true best: ours are never cheaper
    yen = corridors._alternatives_yen(
        G, best, wf, [], k, 500, lambda r: corridors.corridor_key(G, r), None
    )
    for mine, ref in zip(costs, [_cost(G, r.path, wf) for r in yen], strict=False):
        assert mine >= ref - 1e-9


def test_alternatives_equal_yen_on_the_bundled_network(bundled_G):
    """Every family's four candidates for the pinned pairs are Yen's four."""
    from corridormap.families import family_weight, network_families

    for o, d in (("Mumbai", "Moscow"), ("Mumbai", "Rotterdam")):
        for fam in network_families(bundled_G).families:
            wf = family_weight(bundled_G, fam, cm.make_weight("time_h"))
            alts = cm.alternatives(bundled_G, o, d, k=4, weight=wf, distinct="links")
            yen = corridors._alternatives_yen(
                bundled_G, alts[0], alts[0].weight, [], 4, 500, corridors._link_key, None
            )
            assert [r.link_ids for r in alts] == [r.link_ids for r in yen], fam.name


def test_alternatives_with_via_pass_the_stops_in_order(bundled_G):
    alts = cm.alternatives(bundled_G, "Mumbai", "Moscow", via=["Baku"], k=4)
    assert alts[0].link_ids == cm.route(bundled_G, "Mumbai", "Moscow", via=["Baku"]).link_ids
    assert len(alts) > 1
    for r in alts:
        assert "BAK" in r.nodes
        assert len(set(r.nodes)) == len(r.nodes)
    costs = [r.time_h for r in alts]
    assert costs == sorted(costs)


def test_core_route_equals_networkx_on_the_bundled_network(bundled_G):
    rnd = random.Random(7)
    ids = sorted({place_of(n) for n in bundled_G if bundled_G.nodes[n]["layer"] == "gate"})
    pairs = [tuple(rnd.sample(ids, 2)) for _ in range(40)]
    for (a, b), by in itertools.product(pairs, ("time_h", "cost_usd")):
        try:
            ref = _nx_route(bundled_G, a, b, by=by)
        except cm.NoRouteError:
            with pytest.raises(cm.NoRouteError):
                cm.route(bundled_G, a, b, by=by)
            continue
        r = cm.route(bundled_G, a, b, by=by)
        assert getattr(r, by) == pytest.approx(getattr(ref, by), rel=1e-12), (a, b, by)


def test_criticality_equals_networkx(bundled_G):
    from corridormap.criticality import criticality

    pairs = [("Mumbai", "Moscow"), ("Chelyabinsk", "Jeddah")]
    fast = criticality(bundled_G, pairs)
    p1, p2 = _networkx_only()
    with p1, p2:
        ref = criticality(bundled_G, pairs)
    assert [r["element"] for r in fast.rows[:30]] == [r["element"] for r in ref.rows[:30]]
    assert [r["delta_days"] for r in fast.rows] == pytest.approx(
        [r["delta_days"] for r in ref.rows], abs=1e-6
    )


def test_export_is_rebuilt_when_the_graph_changes(tiny_G):
    c1 = core(tiny_G)
    assert c1 is not None and core(tiny_G) is c1  # cached
    u, v, d = next(iter(tiny_G.edges("A|rail:1520", data=True)))
    tiny_G.add_edge(u, v, key="extra", **{**d, "link_id": "extra"})
    c2 = core(tiny_G)
    assert c2 is not c1 and len(c2.edges) == len(c1.edges) + 1
    tiny_G.remove_edge(u, v, key="extra")
    assert len(core(tiny_G).edges) == len(c1.edges)


def test_a_hand_built_graph_routes_with_networkx():
    """Edges without a built network's attributes get no export; nothing breaks."""
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", time_h=1.0)
    assert core(G) is None


def test_edge_values_changed_in_place_are_seen_after_values_changed(tiny_G):
    from corridormap.search import values_changed

    r = cm.route(tiny_G, "Alpha", "Delta")
    lid = r.link_ids[0]
    for *_, d in tiny_G.edges(data=True):
        if d.get("link_id") == lid:
            d["time_h"] = 1e6
    values_changed(tiny_G)
    r2 = cm.route(tiny_G, "Alpha", "Delta")
    ref = _nx_route(tiny_G, "Alpha", "Delta")
    assert r2.time_h == pytest.approx(ref.time_h)
    assert r2.link_ids == ref.link_ids


def test_small_networks_route_on_networkx_until_a_second_query(bundled_G, monkeypatch):
    """Below MIN_EDGES a graph's first route runs on the networkx reference (no scipy import,
    no export for one query); the second builds the export; the answer is the same each time.
    Criticality, many searches, builds the export at once."""
    import corridormap.search as csr

    fast = cm.route(bundled_G, "Mumbai", "Moscow")
    monkeypatch.setattr(csr, "MIN_EDGES", 2_000)
    H = bundled_G.copy()
    assert csr.engine(H) is None
    first = cm.route(H, "Mumbai", "Moscow")
    assert csr.engine(H) is None
    second = cm.route(H, "Mumbai", "Moscow")
    assert isinstance(csr.engine(H), csr.Core)
    third = cm.route(H, "Mumbai", "Moscow")
    for r in (first, second, third):
        assert r.link_ids == fast.link_ids and r.time_h == pytest.approx(fast.time_h)
    K = bundled_G.copy()
    cm.criticality(K, [("Mumbai", "Moscow")])
    assert isinstance(csr.engine(K), csr.Core)
    H.add_node("new-node", place="new-node")  # a changed structure starts the count again
    assert csr.engine(H) is None


def test_a_warm_query_does_not_count_the_edges(bundled_G, monkeypatch):
    """Counting a multigraph's edges walks all of them (190 ms per route at 100k edges once):
    it is done once per structure, not per query."""
    import networkx as nx

    H = bundled_G.copy()
    calls = []
    count = nx.MultiDiGraph.number_of_edges

    def counted(self, u=None, v=None):
        calls.append((u, v))
        return count(self, u, v)

    monkeypatch.setattr(nx.MultiDiGraph, "number_of_edges", counted)
    for _ in range(5):
        cm.route(H, "Mumbai", "Moscow")
    cm.alternatives(H, "Mumbai", "Moscow", k=3)
    cm.criticality(H, [("Mumbai", "Moscow")])
    assert len([c for c in calls if c == (None, None)]) <= 1


def test_routes_through_a_place_without_a_gate_equal_networkx(bundled_G):
    """A sea chokepoint has several end nodes and no gate: a leg to or from it (``via``) is
    searched from all of them (scipy's ``min_only`` also returns each node's nearest source),
    as networkx finds it; no analysis takes one as an origin or destination."""
    from corridormap.criticality import criticality
    from corridormap.network import endpoint_nodes

    assert len(endpoint_nodes(bundled_G, "SUZ")) > 1
    asks = [("Jeddah", "Moscow", ["SUZ"]), ("Mumbai", "Rotterdam", ["HOR"])]
    fast = [cm.route(bundled_G, a, b, via=v) for a, b, v in asks]
    ref = [_nx_route(bundled_G, a, b, via=v) for a, b, v in asks]
    for r, x, (_, _, v) in zip(fast, ref, asks, strict=True):
        assert any(n.startswith(v[0] + "|") for n in r.path)
        assert r.link_ids == x.link_ids and r.time_h == pytest.approx(x.time_h)
    with pytest.raises(cm.PassThroughPlaceError):
        criticality(bundled_G, [("SUZ", "Moscow")])
