"""Criticality and flow betweenness: small networks in code, a few checks on the bundled
network, and hypothesis properties on random networks."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import link, node, tiny, write_geodata
from corridormap import criticality, flow_betweenness, load_network, make_weight, min_cut, route
from corridormap.cli import main
from corridormap.criticality import CRITICALITY_PAIR_FIELDS, criticality_closing_all
from corridormap.search import best_path


def random_network(n: int, edges: list[tuple[int, int, float, float, float | None]]):
    """Places P0..Pn-1 (gate nodes) joined by rail links in both directions."""
    G = nx.MultiDiGraph(params={}, regions={"left": ["P0"], "right": [f"P{n - 1}"]})
    for i in range(n):
        pid = f"P{i}"
        G.add_node(
            pid, place=pid, layer="gate", name=f"Place {i}", country="XX", kind="city", x=i, y=0
        )
    for k, (a, b, t, c, cap) in enumerate(edges):
        if a == b:
            continue
        lid = f"L{k}"
        for u, v, key in ((a, b, lid), (b, a, lid + "~r")):
            G.add_edge(
                f"P{u}",
                f"P{v}",
                key=key,
                kind="link",
                link_id=lid,
                mode="rail",
                routable=True,
                u_place=f"P{u}",
                v_place=f"P{v}",
                time_h=t,
                move_h=t,
                dwell_h=0.0,
                wait_h=0.0,
                cost_usd=c,
                distance_km=t,
                co2_kg=0.0,
                capacity=cap,
                capacity_unit="Mt/yr" if cap is not None else None,
            )
    return G


@st.composite
def networks(draw):
    n = draw(st.integers(3, 7))
    m = draw(st.integers(n - 1, 3 * n))
    edges = []
    for i in range(1, n):  # a spanning path keeps most pairs connected
        edges.append((i - 1, i))
    while len(edges) < m:
        edges.append((draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))))
    out = []
    for a, b in edges:
        t = draw(st.integers(1, 20))
        c = draw(st.integers(1, 50))
        cap = draw(st.one_of(st.none(), st.integers(1, 9)))
        out.append((a, b, float(t), float(c), None if cap is None else float(cap)))
    return n, out


def snapshot(G):
    return (
        sorted(G.nodes(data=True), key=lambda x: x[0]),
        sorted(
            ((u, v, k, dict(d)) for u, v, k, d in G.edges(keys=True, data=True)),
            key=lambda x: (x[0], x[1], x[2]),
        ),
        {k: v for k, v in G.graph.items() if not k.startswith("_")},
    )


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(networks(), st.data())
def test_closing_never_makes_best_route_cheaper(net, data):
    n, edges = net
    G = random_network(n, edges)
    o, d = "P0", f"P{n - 1}"
    base = best_path(G, o, d, make_weight("time_h", ends=(o, d)))
    link_ids = sorted({e[2]["link_id"] for e in G.edges(data=True)})
    closed = data.draw(st.sets(st.sampled_from(link_ids), max_size=3))
    nodes = data.draw(st.sets(st.sampled_from([f"P{i}" for i in range(1, n - 1)]), max_size=2))
    wf0 = make_weight("time_h", ends=(o, d))
    wf1 = make_weight("time_h", closed_links=closed, closed_places=nodes, ends=(o, d))
    p1 = best_path(G, o, d, wf1)
    if p1 is None:
        return
    cost0 = nx.path_weight(nx.DiGraph(), [], "w") if base is None else _cost(G, base, wf0)
    assert _cost(G, p1, wf1) >= cost0 - 1e-9


def _cost(G, path, wf):
    return sum(wf(u, v, G[u][v]) for u, v in itertools.pairwise(path))


@FAST
@given(networks())
def test_criticality_matches_naive_and_zero_off_route(net):
    n, edges = net
    G = random_network(n, edges)
    before = snapshot(G)
    pairs = [("P0", f"P{n - 1}"), ("P1", "P0")]
    fast = criticality(G, pairs)
    naive = criticality_closing_all(G, pairs)
    # equal objective deltas (cost deltas may differ where two detours tie on time)
    key = lambda r: (r["element"], r["disconnects"], r["pairs_affected"])  # noqa: E731
    assert sorted(map(key, fast.rows)) == sorted(map(key, naive.rows))
    nv = {r["element"]: r["delta_days"] for r in naive.rows}
    for r in fast.rows:
        assert r["delta_days"] == pytest.approx(nv[r["element"]], abs=1e-6)
    on_route = set()
    for label, o, d in [(f"P0 - P{n - 1}", "P0", f"P{n - 1}"), ("P1 - P0", "P1", "P0")]:
        b = fast.baseline[label]
        on_route.update(b["nodes"][1:-1])
        path = best_path(G, o, d, make_weight("time_h", ends=(o, d)))
        if path:
            for u, v in itertools.pairwise(path):
                on_route.update(e["link_id"] for e in G[u][v].values())
    for r in fast.rows:
        if r["element"] not in on_route:
            assert r["delta_days"] == 0 and r["disconnects"] == 0 and r["pairs_affected"] == 0
        assert r["delta_days"] >= -1e-9 or r["disconnects"]
    assert snapshot(G) == before


def test_criticality_tiny(tiny_G):
    before = snapshot(tiny_G)
    crit = criticality(tiny_G, [("Alpha", "Delta")])
    best = route(tiny_G, "Alpha", "Delta")
    rows = {r["element"]: r for r in crit.rows}
    for lid in best.link_ids:
        assert rows[lid]["pairs_affected"] == 1
    assert rows["E-X"]["delta_days"] == 0
    assert crit.rows[0]["ranked"] == 1
    df = crit.to_frame()
    assert list(df.columns)[:3] == ["element", "name", "kind"]
    assert "Criticality" in repr(crit)
    assert snapshot(tiny_G) == before


def test_flow_betweenness_tiny(tiny_G):
    fb = flow_betweenness(tiny_G, [("Alpha", "Delta"), ("Beta", "Delta")])
    best = route(tiny_G, "Alpha", "Delta")
    for lid in best.link_ids:
        assert fb.values[lid] >= 1
    assert set(fb.to_frame().columns) == {"link_id", "name", "routes", "pairs"}


def test_bundled_criticality_recomputes_only_route_elements(bundled_G):
    before = snapshot(bundled_G)
    crit = criticality(bundled_G)
    # speed is measured in benchmarks/; here: far fewer re-routings than elements x pairs
    n_pairs = len(crit.baseline)
    assert crit.recomputed < 0.5 * len(crit.rows) * n_pairs
    rows = {r["element"]: r for r in crit.rows}
    # the Rasht-Astara road gap and the Astara transshipment are on the western route
    assert rows["ASI-RSH-road"]["pairs_affected"] >= 1
    assert rows["ASI"]["pairs_affected"] >= 1
    assert rows["HOR"]["pairs_affected"] >= 1
    assert snapshot(bundled_G) == before


def test_cli_bottlenecks_json(capsys):
    assert main(["bottlenecks", "Mumbai", "Moscow", "--top", "5", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5  # one pair: a row per element
    assert set(rows[0]) == set(CRITICALITY_PAIR_FIELDS)
    assert all(r["pair"] == "Mumbai - Moscow" for r in rows)
    assert (
        main(["bottlenecks", "Mumbai", "Moscow", "--top", "5", "--summed", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5
    assert set(rows[0]) == {
        "element",
        "name",
        "kind",
        "delta_days",
        "delta_cost_usd",
        "disconnects",
        "pairs_affected",
        "ranked",
    }


def test_cli_bad_input(capsys):
    assert main(["bottlenecks", "Narnia", "Moscow"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Narnia" in err
    assert main(["bottlenecks", "Mumbai"]) == 2


def test_cli_pairs_file(tmp_path, capsys):
    f = tmp_path / "pairs.csv"
    f.write_text("from,to\nMumbai,Moscow\nMoscow,Bandar Abbas\n", encoding="utf-8")
    assert main(["bottlenecks", "--pairs-file", str(f), "--format", "csv", "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ranked,element,name,kind,pair")
    # the 3 most critical elements, a row for each pair they lengthen or cut
    assert {line.split(",")[0] for line in out[1:]} == {"1", "2", "3"} and len(out) >= 4


def test_never_mutates_graph_copy_check(tiny_G):
    G2 = copy.deepcopy(tiny_G)
    criticality(tiny_G, [("Alpha", "Delta")])
    min_cut(tiny_G, "Alpha", "Delta", modes=["rail"])
    assert snapshot(G2) == snapshot(tiny_G)


def test_equal_deltas_ranked_by_what_the_element_costs_on_the_route(tiny_G):
    crit = criticality(tiny_G, [("Alpha", "Delta")])
    order = [r["element"] for r in crit.rows]
    deltas = {r["element"]: r["delta_days"] for r in crit.rows}
    # closing A-B or B-C costs the same detour; B-C (with its border dwell) takes longer
    assert deltas["A-B"] == deltas["B-C"]
    assert order.index("B-C") < order.index("A-B")
    # C (where cargo is transshipped) before B (passed through)
    assert deltas["B"] == deltas["C"] and order.index("C") < order.index("B")


def test_cli_bottlenecks_table_lists_what_matters_and_counts_the_rest(capsys):
    """On a network of thousands of links the table would be a wall: without --top it lists
    the links and places whose closure changes a best route and counts the others; the
    summed CSV keeps every one."""
    assert main(["bottlenecks", "Mumbai", "Moscow", "--summed", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    idle = [r for r in rows if int(r["pairs_affected"]) == 0]
    busy = [r for r in rows if int(r["pairs_affected"]) > 0]
    assert idle and busy
    for summed in ([], ["--summed"]):
        assert main(["bottlenecks", "Mumbai", "Moscow", *summed]) == 0
        table = capsys.readouterr().out
        assert f"+ {len(idle):,} more links and places: closing any one" in table
        listed = [w[1] for w in map(str.split, table.splitlines()) if w and w[0].isdigit()]
        assert listed == [r["element"] for r in busy]  # one pair: a row per element


def _with_a_spur(tmp_path):
    """The tiny network and Zulu, reached from Alpha by one rail link (A-Z) only."""
    data = tiny()
    alpha = next(f for f in data["nodes"] if f["properties"]["id"] == "A")
    zulu = node("Z", 38.0, 52.0, name="Zulu")
    data["nodes"].append(zulu)
    data["links"].append(link("A-Z", alpha, zulu, "rail"))
    return write_geodata(tmp_path / "geo", data)


def test_pair_rows_give_each_pair_its_own_figure_and_no_route(tmp_path):
    """Closing A-Z cuts Zulu off; closing B-C lengthens both pairs' routes, each its own."""
    G = load_network(_with_a_spur(tmp_path))
    crit = criticality(G, [("Zulu", "Delta"), ("Beta", "Gamma")])
    rows = crit.pair_rows()
    assert set(rows[0]) == set(CRITICALITY_PAIR_FIELDS)
    (cut,) = [r for r in rows if r["element"] == "A-Z"]
    assert cut["pair"] == "Zulu - Delta" and cut["no_route"] is True
    assert cut["delta_days"] is None and cut["delta_cost_usd"] is None
    both = {r["pair"]: r for r in rows if r["element"] == "B-C"}
    assert set(both) == {"Zulu - Delta", "Beta - Gamma"}
    assert all(r["no_route"] is False and r["delta_days"] > 0 for r in both.values())
    days = [r["delta_days"] for r in both.values()]
    assert crit.value("B-C")["delta_days"] == pytest.approx(sum(days), abs=1e-3)  # the sum
    assert crit.worst_per_pair()["B-C"] == pytest.approx(max(days))
    # --top N keeps every pair row of the N most critical elements
    top = crit.pair_rows(2)
    assert {r["element"] for r in top} == {r["element"] for r in crit.rows[:2]}


def test_cli_bottlenecks_text_is_per_pair_and_says_no_route(tmp_path, capsys):
    data = _with_a_spur(tmp_path)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("Zulu,Delta\nBeta,Gamma\n", encoding="utf-8")
    argv = ["bottlenecks", "--data", str(data), "--pairs-file", str(pairs)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "A-Z" in x)
    assert "Zulu - Delta" in line and line.count("no route") == 2
    assert "+0.00" not in out and "0.00" not in line
    assert sum("B-C" in x for x in out.splitlines()) == 2  # a row per pair
    assert main([*argv, "--summed"]) == 0
    out = capsys.readouterr().out
    assert "+days, sum over 2 pairs" in out
    line = next(x for x in out.splitlines() if "A-Z" in x)
    assert "no route" in line


@pytest.mark.parametrize("budget", [20_000, 3])
def test_detours_searched_in_python_rank_as_scipys(bundled_G, monkeypatch, budget):
    """A large network's detours are searched in Python first (left to scipy past a budget of
    settled nodes): the same rows as scipy's searches, here forced on the bundled network."""
    from corridormap import detours

    pairs = [("Mumbai", "Moscow"), ("Chelyabinsk", "Jeddah"), ("Mumbai", "Rotterdam")]
    ref = criticality(bundled_G, pairs)
    monkeypatch.setattr(detours, "LOCAL_NODES", 0)
    monkeypatch.setattr(detours, "LOCAL_BUDGET", budget)
    got = criticality(bundled_G, pairs)
    assert [r["element"] for r in got.rows] == [r["element"] for r in ref.rows]
    assert got.rows == ref.rows
