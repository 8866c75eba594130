"""The sweep on the compiled core: its trees and routes are those of the Python tables, ties
included, and its Monte Carlo gives ``simulate``'s numbers to the last bit."""

from __future__ import annotations

import importlib

import networkx as nx
import numpy as np
import pytest

from corridormap import load_network

FAMILIES = """
reference = "sea"

[[family]]
name = "overland"
label = "Overland"
instc = true
close_places = ["X"]
source = "test"

[[family]]
name = "sea"
label = "By sea"
instc = false
close_links = ["B-C"]
source = "test"
"""

PLACES = ["A", "B", "C", "D", "E", "F"]


@pytest.fixture
def fam_G(tiny_dir):
    (tiny_dir / "families.toml").write_text(FAMILIES, encoding="utf-8")
    return load_network(tiny_dir)


def _weights(G, scenarios=(), bys=("time_h", "cost_usd")):
    """Every scenario x clock x family weight of ``G`` (the baseline's and ``scenarios``')."""
    from corridormap.families import family_weight, network_families
    from corridormap.sweep.job import scenario_items, scenario_weight

    fams = network_families(G).families
    for name in ["baseline", *scenarios]:
        items = dict(scenario_items(G, [] if name == "baseline" else [name]))[name]
        for by in bys:
            for clock in ("transit", "door-to-door"):
                base = scenario_weight(G, name, items, by).on_clock(clock)
                for fam in fams:
                    yield family_weight(G, fam, base)


def _check_same_routes(G, places, weights) -> tuple[int, int]:
    """Every pair's route on the core equals the Python tables': (routes, trees on the core)."""
    from corridormap.sweep.search import CoreTree, Tables, best_route, layout, tree_of

    lay = layout(G)
    routes = on_core = 0
    for wf in weights:
        legacy = Tables.build(G, wf)
        tab = lay.tables(G, wf)
        # the pair values are the weight's own
        for (u, v), p in lay.pair_at.items():
            a, b = lay.core.nodes[u], lay.core.nodes[v]
            want = wf.fn(a, b, G[a][b])
            assert tab.values[p] == (np.inf if want is None else want)
        for o in places:
            tree = tab.tree(o)
            on_core += isinstance(tree, CoreTree)
            ref = tree_of(legacy, o)
            for d in places:
                if d == o:
                    continue
                want = best_route(legacy, ref, d)
                got = tree.best(d) if isinstance(tree, CoreTree) else best_route(legacy, tree, d)
                assert got == want, (o, d)
                if want is not None:
                    assert [id(e) for e in got.edges] == [id(e) for e in want.edges]
                    routes += 1
    return routes, on_core


def test_core_routes_are_the_tables_routes_on_the_bundled_network(bundled_G):
    from corridormap import list_scenarios

    places = ["NSA", "MOW", "BAK", "JED", "AKT", "SRJ"]
    weights = _weights(bundled_G, list_scenarios(bundled_G)[:3], bys=("time_h",))
    routes, on_core = _check_same_routes(bundled_G, places, weights)
    assert routes > 500 and on_core > 0


def test_core_routes_are_the_tables_routes_on_a_small_network(fam_G):
    routes, on_core = _check_same_routes(fam_G, PLACES, _weights(fam_G))
    assert routes > 50 and on_core > 0


def test_exact_ties_are_settled_as_the_tables_settle_them(fam_G):
    """With every edge of one value, many ways tie: those trees and destinations are read off
    the Python tables, and every route is theirs."""
    from corridormap.sweep.search import CoreTree

    G = nx.MultiDiGraph(fam_G)
    G.graph.update(fam_G.graph)
    for _, _, d in G.edges(data=True):
        d["time_h"], d["wait_h"], d["tiebreak"] = 1.0, 0.0, 0.0
    weights = [w for w in _weights(G) if w.by == "time_h" and w.scaling is None]
    routes, _ = _check_same_routes(G, PLACES, weights)
    assert routes > 20
    lay = importlib.import_module("corridormap.sweep.search").layout(G)
    trees = [lay.tables(G, w).tree(o) for w in weights for o in PLACES]
    assert any(not isinstance(t, CoreTree) for t in trees)  # some ties went to the tables


def _route_terms(G):
    from corridormap import compare

    comp = compare(G, "Mumbai", "Moscow", draws=10)
    from corridormap.uncertainty import RouteTerms

    return RouteTerms.of(comp.routes)


@pytest.mark.parametrize(("draws", "seed"), [(1, 0), (2_000, 0), (777, 5), (100, None)])
def test_monte_carlo_is_simulate_to_the_last_bit(bundled_G, draws, seed):
    import dataclasses

    from corridormap.sweep.montecarlo import MonteCarlo
    from corridormap.uncertainty import simulate

    params = bundled_G.graph["params"]
    terms = _route_terms(bundled_G)
    assert terms.wait.any()
    no_wait = dataclasses.replace(terms, wait=np.zeros_like(terms.wait))  # no first departure
    mc = MonteCarlo(params, draws, seed)
    for T in (terms, terms, no_wait, no_wait):  # the second time from what was kept
        got = mc.simulate(T)
        if seed is None:  # fresh draws: only the shape is the same
            assert got.transit.shape == (draws, len(T.names))
            continue
        want = simulate(params, T, draws, seed)
        for k in ("transit", "wait", "cost"):
            assert getattr(got, k).tobytes() == getattr(want, k).tobytes()
        e, w = mc.expected(T), T.expected(params)
        assert all(e[k].tobytes() == w[k].tobytes() for k in w)


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 11, 100, 101, 1999, 2000, 2001])
def test_sorted_percentiles_are_numpys(n):
    from corridormap.sweep.montecarlo import sorted_percentiles

    rng = np.random.default_rng(n)
    a = rng.gamma(2.0, size=(n, 5)) * 17.3
    a[:, 4] = np.round(a[:, 4])  # repeated values
    want = np.percentile(a, (10, 50, 90), axis=0)
    got = sorted_percentiles(np.sort(a.T, axis=1))
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("n", [1, 2, 3, 9, 10, 11, 100, 101, 1999, 2000, 2001, 10_000])
def test_partitioned_rows_give_numpys_percentiles(n):
    from corridormap.sweep.montecarlo import order_statistics, sorted_percentiles

    rng = np.random.default_rng(n)
    a = rng.gamma(2.0, size=(5, n)) * 17.3
    a[4] = np.round(a[4])  # repeated values
    want = np.percentile(a, (10, 50, 90), axis=1)
    kth = order_statistics(n)
    assert kth[-1] == n - 1 and (np.diff(kth) > 0).all()
    a.partition(kth, axis=1)
    assert sorted_percentiles(a).tobytes() == want.tobytes()


@pytest.mark.parametrize("draws", [2_000, 10_000])
def test_sweep_percentiles_of_equal_and_nan_columns_are_numpys(draws):
    from corridormap.sweep.table import _percentiles

    rng = np.random.default_rng(7)
    days = rng.lognormal(3.0, 0.3, size=(draws, 4))
    days[:, 2] = days[:, 0]  # two families on one route
    cost = rng.lognormal(7.0, 0.2, size=(draws, 4))
    want = np.percentile(np.hstack([days, cost]), (10, 50, 90), axis=0)
    assert _percentiles(days, cost).tobytes() == want.tobytes()
    days[123, 1] = np.nan  # a NaN anywhere in a column makes its percentiles NaN, as numpy's
    want = np.percentile(np.hstack([days, cost]), (10, 50, 90), axis=0)
    got = _percentiles(days, cost)
    assert np.isnan(got[:, 1]).all()
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("n", [1, 2, 7, 2_000, 10_001])
def test_percentiles_selected_on_the_bits_of_non_negative_numbers_are_numpys(n):
    """Non-negative doubles are selected as integers, others as doubles: numpy's numbers."""
    from corridormap.sweep.table import _selected

    rng = np.random.default_rng(n)
    rows = rng.lognormal(3.0, 2.0, size=(8, n))
    rows[1] = np.round(rows[1] / 50.0)  # repeated values and zeros
    rows[2, ::3] = np.inf
    rows[3, : n // 2] = 5e-324  # the smallest subnormal beside normal numbers
    rows[4] -= 40.0  # negative numbers: selected as doubles
    rows[5, 0] = -0.0  # a sign bit on zero
    nan = rows.copy()
    nan[6, n // 3] = np.nan  # NaN, last in either order
    nan[7, -1] = -np.nan  # NaN with its sign bit set
    # which NaN a row with NaN of either sign gets is numpy's choice: there only NaN is compared
    for a, exact in ((rows[:4], 1), (rows[4:6], 1), (rows, 1), (nan[6:7], 1), (nan[6:], 0)):
        with np.errstate(invalid="ignore"):  # inf - inf between two infinite order statistics
            want = np.percentile(a, (10, 50, 90), axis=1)
            got = _selected(a.copy())
        assert got.tobytes() == want.tobytes() if exact else np.array_equal(got, want, True)


def test_columns_seen_before_give_the_same_percentiles_and_are_not_selected_again():
    from corridormap.sweep.montecarlo import SeenColumns
    from corridormap.sweep.table import _percentiles

    rng = np.random.default_rng(11)
    draws = 6_000
    a = rng.lognormal(3.0, 0.3, size=(draws, 3))
    b = rng.lognormal(7.0, 0.2, size=(draws, 3))
    seen = SeenColumns()
    first = _percentiles(a.copy(), b.copy(), seen)
    assert first.tobytes() == _percentiles(a.copy(), b.copy()).tobytes()
    assert len(seen._kept) == 6
    # a pair under another scenario: one route changed, the others as they were
    a2, b2 = a.copy(), b.copy()
    a2[:, 1] *= 1.5
    b2[:, 1] += 100.0
    calls = []
    find = seen.find
    seen.find = lambda key, col: calls.append(find(key, col) is not None) or find(key, col)
    got = _percentiles(a2, b2, seen)
    assert got.tobytes() == _percentiles(a2.copy(), b2.copy()).tobytes()
    assert calls.count(True) == 4 and calls.count(False) == 2  # two new columns selected
    assert len(seen._kept) == 8
    # a column equal in its first, middle and last values but not in the others is not taken
    a3 = a.copy()
    a3[1 : draws // 2, 0] += 1.0
    got = _percentiles(a3, b.copy(), seen)
    assert got.tobytes() == _percentiles(a3.copy(), b.copy()).tobytes()


def test_seen_columns_keep_at_most_their_limit():
    from corridormap.sweep.montecarlo import SeenColumns

    seen = SeenColumns(limit=3 * 8_000)
    cols = [np.full(1_000, float(i)) for i in range(5)]
    for i, c in enumerate(cols):
        seen.keep((i,), c, np.array([i, i, i], dtype=float))
    assert seen._bytes <= 3 * 8_000 and len(seen._kept) == 3
    assert seen.find((0,), cols[0]) is None  # the oldest went first
    assert seen.find((4,), cols[4]).tolist() == [4.0, 4.0, 4.0]
    cols[4][0] = -1.0  # the kept column is a copy
    assert seen.find((4,), np.full(1_000, 4.0)) is not None
