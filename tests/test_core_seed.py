"""The compiled export made from the columns a network's build wrote down (csr.Seed).

It must be the export read from the graph's own edges, array for array and code for code,
and a graph changed after its build must be read from its edges again.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

import corridormap as cm
from conftest import tiny, write_geodata
from corridormap import csr
from corridormap._cache import cached
from corridormap.search import Core, core

#: what an export makes when first needed, or keeps of what it was made from
_LAZY = ("_matrices", "_vectors", "_costs", "_rows", "_edges", "_unsorted", "_modes", "_link_or_0")


def _same(a: Core, b: Core) -> None:
    """Every attribute of two exports is equal (edge mappings: the same objects)."""
    assert a.tiebreaks().tolist() == b.tiebreaks().tolist()
    idx = np.arange(len(a.eu))[::-3]
    assert all(p is q for p, q in zip(a.edges_at(idx), b.edges_at(idx), strict=True))
    for name in ["edges", "mode_code", "mode_codes", "_link0", *vars(a)]:
        x, y = getattr(a, name), getattr(b, name)
        if name == "edges":
            assert len(x) == len(y) and all(p is q for p, q in zip(x, y, strict=True))
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), name
        elif isinstance(x, Mapping):
            assert list(x.items()) == list(y.items()) and len(x) == len(y), name
        elif name not in _LAZY:
            assert x == y, name


def _seed(G) -> csr.Seed:
    seed = cached(G, csr.SEED, structure=True)
    assert isinstance(seed, csr.Seed)
    return seed


@pytest.mark.parametrize("as_of", [None, "2015"])
def test_the_seeded_export_is_the_export_read_from_the_edges(as_of):
    G = cm.load_network(as_of=as_of)
    _same(Core(G), Core(G, _seed(G)))


def test_the_seeded_export_of_a_network_with_services_and_plans(tmp_path):
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    _same(Core(G), Core(G, _seed(G)))


def test_the_first_export_uses_the_seed_once(bundled_G):
    G = cm.load_network()
    assert _seed(G) is not None
    c = core(G)
    _same(Core(G), c)
    assert cached(G, csr.SEED, structure=True) is None  # the export keeps what it needs


def test_a_graph_changed_after_its_build_is_read_from_its_edges():
    G = cm.load_network()
    u, v, d = next(iter(G.edges(data=True)))
    G.add_edge(u, v, key="extra", **{**d, "link_id": "extra"})
    assert cached(G, csr.SEED, structure=True) is None
    c = core(G)
    assert "extra" in c.link_codes and len(c.edges) == G.number_of_edges()
    assert cached(G.copy(), csr.SEED, structure=True) is None


@pytest.mark.parametrize("known", [[], ["c", "a"]])
def test_first_seen_numbers_values_as_codes_does(known):
    rng = np.random.default_rng(7)
    names = ["a", "b", "c", "d", "e", "f"]
    raw = rng.integers(-1, len(names), size=200)
    table = {k: i for i, k in enumerate(known)}
    expected = dict(table)
    values = [names[i] if i >= 0 else None for i in raw.tolist()]
    want = csr.codes(values, expected, none=-1)
    got = csr.first_seen(raw, names, table)
    assert got.tolist() == want.tolist() and list(table.items()) == list(expected.items())


@pytest.mark.parametrize("clock", ["transit", "door-to-door"])
def test_the_seeded_export_costs_edges_as_the_edges_say(clock):
    G = cm.load_network()
    a, b = Core(G), Core(G, _seed(G))
    for by in ("time_h", "cost_usd", "co2_kg", "distance_km"):
        wf = cm.make_weight(by, clock=clock)
        assert a.cost(wf).tolist() == b.cost(wf).tolist() == [wf.cost(d) for d in b.edges]


def test_values_changed_in_place_are_read_from_the_edges():
    from corridormap.search import values_changed

    G = cm.load_network()
    c = core(G)
    wf = cm.make_weight("time_h")
    before = c.cost(wf).copy()
    c.edges[0]["time_h"] += 1.0
    values_changed(G)
    after = c.cost(wf)
    assert after[0] == pytest.approx(before[0] + 1.0)
    assert after[1:].tolist() == before[1:].tolist()


@pytest.mark.parametrize("known", [[], ["c", "a"]])
def test_coded_tables_are_the_first_seen_tables(known):
    rng = np.random.default_rng(11)
    names = ["a", "b", "c", "d", "e", "f", "g"]
    raw = rng.integers(-1, len(names) - 1, size=50)  # "g" never appears
    table: dict = {}
    want = csr.first_seen(raw, names, table)
    got, codes = csr.coded(raw, names)
    assert got.tolist() == want.tolist() and list(codes.items()) == list(table.items())
    for order in (names, names[::-1], [*names[3:], *names[:3]]):  # unsorted: still right
        lazy = csr.Codes(order, np.array([order.index(x) for x in table], dtype=np.int64))
        for x in [*names, "zz", "", 3, None, ("a",)]:
            assert lazy.get(x, "none") == table.get(x, "none"), x
            assert (x in lazy) == (x in table)
        assert len(lazy) == len(table) and dict(lazy) == table


def test_coordinates_read_in_bulk_are_those_read_one_by_one():
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("a", x=10, y=-5.5)
    G.add_node("b", x=True, y=np.float32(1.25))
    G.add_node("c", x=179.9, y=89.0)
    ref = np.radians(np.array([[10, -5.5], [1.0, 1.25], [179.9, 89.0]]))
    assert csr.coordinates(G).tolist() == ref.tolist()
    for bad in ({"x": None}, {"x": "1.5"}, {"x": float("nan")}, {"x": [1.0]}):
        H = G.copy()
        H.nodes["b"].update(bad)
        got = csr.coordinates(H)
        if bad["x"] == "1.5":  # a number as text is read as numpy reads it
            assert got is not None and got[1, 0] == np.radians(1.5)
        else:
            assert got is None
    H = G.copy()
    del H.nodes["c"]["y"]
    assert csr.coordinates(H) is None


def test_great_circle_in_place_is_the_haversine():
    from corridormap.io import EARTH_RADIUS_KM

    def haversine(xy, a, b):
        lon1, lat1, lon2, lat2 = xy[a, 0], xy[a, 1], xy[b, 0], xy[b, 1]
        dlat, dlon = np.sin((lat2 - lat1) / 2), np.sin((lon2 - lon1) / 2)
        h = dlat**2 + np.cos(lat1) * np.cos(lat2) * dlon**2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))

    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500)
    lon[:2], lat[:2] = [0.0, 180.0], [0.0, 0.0]  # antipodes
    xy = np.radians(np.column_stack([lon, lat]))
    a, b = rng.integers(0, 500, 2000), rng.integers(0, 500, 2000)
    a[:3], b[:3] = [0, 1, 5], [1, 0, 5]
    assert np.array_equal(csr.great_circle(xy, a, b), haversine(xy, a, b))  # more than nodes
    assert np.array_equal(csr.great_circle(xy, a[:9], b[:9]), haversine(xy, a[:9], b[:9]))
