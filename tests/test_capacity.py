"""Min cut and widest path: small networks in code, a check on the bundled network, and
hypothesis properties on random networks."""

from __future__ import annotations

import itertools
import json
import math

import networkx as nx
import pytest
from hypothesis import given

from conftest import tiny, write_geodata
from corridormap import load_network, min_cut, widest_path
from corridormap.cli import main
from corridormap.places import resolve_areas
from test_criticality import FAST, networks, random_network, snapshot


@FAST
@given(networks())
def test_max_flow_equals_min_cut_capacity(net):
    n, edges = net
    G = random_network(n, edges)
    before = snapshot(G)
    res = min_cut(G, "left", "right")
    if math.isinf(res.flow):
        assert res.unbounded_path
    else:
        assert res.flow == pytest.approx(sum(c["capacity"] for c in res.cut))
        # independent check: networkx max flow on a simple per-direction capacity graph
        H = nx.DiGraph()
        for u, v, dd in G.edges(data=True):
            cap = dd["capacity"]
            if H.has_edge(u, v):
                old = H[u][v].get("capacity")
                H[u][v]["capacity"] = math.inf if old is None or cap is None else old + cap
            else:
                H.add_edge(u, v, capacity=math.inf if cap is None else cap)
        assert res.flow == pytest.approx(nx.maximum_flow_value(H, "P0", f"P{n - 1}"))
    assert snapshot(G) == before


@FAST
@given(networks())
def test_widest_path_bottleneck_is_optimal(net):
    n, edges = net
    G = random_network(n, edges)
    w = widest_path(G, "P0", f"P{n - 1}")
    best = -1.0
    simple = nx.Graph()
    for a, b, _t, _c, cap in edges:
        if a != b:
            val = math.inf if cap is None else cap
            if not simple.has_edge(a, b) or simple[a][b]["c"] < val:
                simple.add_edge(a, b, c=val)
    for path in nx.all_simple_paths(simple, 0, n - 1):
        best = max(best, min(simple[u][v]["c"] for u, v in itertools.pairwise(path)))
    got = math.inf if w.bottleneck is None else w.bottleneck
    assert got == best


@pytest.fixture
def cap_G(tmp_path):
    data = tiny()
    for f in data["links"]:
        p = f["properties"]
        if p["id"] in ("B-C", "C-D"):
            p.update(capacity=5.0 if p["id"] == "B-C" else 3.0, capacity_unit="Mt/yr")
    for f in data["nodes"]:
        if f["properties"]["id"] == "D":
            f["properties"].update(capacity=10.0, capacity_unit="Mt/yr", capacity_source="t")
        if f["properties"]["id"] == "C":
            f["properties"].update(capacity=40.0, capacity_unit="wagons/day")
    return load_network(write_geodata(tmp_path / "cap", data))


def test_min_cut_tiny(cap_G):
    res = min_cut(cap_G, "Alpha", "Delta", modes=["rail", "road"])
    # by rail and road only: A-B-C is limited by the border link B-C (5 Mt/yr)
    assert res.flow == pytest.approx(5.0)
    assert [c["element"] for c in res.cut] == ["B-C"]
    assert res.unit == "Mt/yr"
    assert res.flow == pytest.approx(sum(c["capacity"] for c in res.cut))
    assert "C-D-road" in res.missing_capacity
    assert res.other_units == {"C": "40 wagons/day"}
    d = res.to_dict()
    json.dumps(d)
    assert res.to_frame().shape[0] == len(res.cut)


def test_min_cut_node_capacity_by_splitting(cap_G):
    # everything arriving at D is handled there (node capacity 10), sea included
    res = min_cut(cap_G, ["Alpha", "Echo", "Foxtrot"], "Delta")
    assert res.flow == pytest.approx(10.0)
    assert [c["element"] for c in res.cut] == ["D"]
    assert res.cut[0]["capacity_source"] == "t"


def test_min_cut_unbounded_reports_path(tiny_G):
    res = min_cut(tiny_G, "Alpha", "Delta")
    assert math.isinf(res.flow)
    assert res.unbounded_path
    assert "unbounded" in repr(res)


def test_min_cut_sides(cap_G):
    assert resolve_areas(cap_G, "IR") == ["C", "D"]
    with pytest.raises(ValueError, match="both sides"):
        min_cut(cap_G, "IR", "Delta")


def test_widest_path_tiny(cap_G):
    w = widest_path(cap_G, "Alpha", "Delta")
    assert w.bottleneck is not None
    assert w.bottleneck_element in ("B-C", "C-D", "D")
    assert w.to_dict()["unit"] == "Mt/yr"
    assert "WidestPath" in repr(w)


def test_bundled_min_cut_russia_gulf(bundled_G):
    # the rail and Caspian system (no road): the western branch is cut at Qazvin - Rasht,
    # the eastern in Turkmenistan, the Caspian at its ports
    land = ["rail", "caspian", "ferry", "inland"]
    res = min_cut(bundled_G, "russia", "iran-gulf-ports", modes=land)
    assert 0 < res.flow < math.inf
    assert res.flow == pytest.approx(sum(c["capacity"] for c in res.cut))
    # the Qazvin-Rasht line (7 Mt/yr) limits the western branch and the Caspian ports behind it
    assert "RSH-QAZ-rail" in [c["element"] for c in res.cut]
    assert res.other_units.get("SRK") == "160 wagons/day"


def test_cli_capacity(capsys):
    code = main(
        [
            "capacity",
            "russia",
            "iran-gulf-ports",
            "--mode",
            "rail",
            "--mode",
            "caspian",
            "--mode",
            "ferry",
            "--mode",
            "road",
            "--format",
            "json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unit"] == "Mt/yr" and doc["flow"] > 0 and doc["cut"]
