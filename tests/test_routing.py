"""Routing on a small network built in code."""

from __future__ import annotations

import math

import networkx as nx
import pytest

import corridormap as cm
from conftest import link, node, write_geodata
from corridormap import corridors
from corridormap.network import GATE


def test_route_legs_and_totals(tiny_G):
    r = cm.route(tiny_G, "Alpha", "Delta")
    assert r.origin == "A" and r.destination == "D"
    assert r.nodes[0] == "A" and r.nodes[-1] == "D"
    # totals are the sums of the legs
    for key in ("distance_km", "time_h", "cost_usd", "co2_kg"):
        assert getattr(r, key) == pytest.approx(sum(leg[key] for leg in r.legs))
    assert r.days == pytest.approx(r.time_h / 24)
    # the path is a real path in the graph
    assert nx.is_path(tiny_G, r.path)
    # the planned link is not used in the baseline
    assert "B-D-plan" not in r.link_ids
    # B - C crosses the RU/IR border
    assert r.borders == 1


def test_gauge_change_and_gap(tiny_G):
    r = cm.route(tiny_G, "Alpha", "Delta", by="distance")
    kinds = [leg["transfer"] for leg in r.legs if leg["kind"] == "transfer"]
    assert kinds[0] == "rail_terminal"
    # rail 1520 to rail 1435 at C, or to road (the gap): either way a transshipment at C
    assert {"gauge_change", "rail_road"} & set(kinds)
    assert r.transshipments >= 1


def test_no_route_passes_through_a_gate(tiny_G):
    r = cm.route(tiny_G, "Echo", "Alpha")
    inner = r.path[1:-1]
    assert all(tiny_G.nodes[n]["layer"] != GATE for n in inner)


def test_objectives_differ(tiny_G):
    fast = cm.route(tiny_G, "Echo", "Alpha", by="time")
    cheap = cm.route(tiny_G, "Echo", "Alpha", by="cost")
    assert cheap.cost_usd <= fast.cost_usd
    assert fast.time_h <= cheap.time_h


def test_via_and_avoid(tiny_G):
    r = cm.route(tiny_G, "Echo", "Alpha", via=["Strait"])
    assert "X" in r.nodes
    r2 = cm.route(tiny_G, "Echo", "Alpha", avoid=["Gamma"])
    assert "C" not in r2.nodes
    with pytest.raises(cm.NoRouteError, match="closed"):
        cm.route(tiny_G, "Echo", "Alpha", avoid=["Gamma", "Strait"])


def test_alternatives_distinct_and_ordered(tiny_G):
    alts = cm.alternatives(tiny_G, "Echo", "Alpha", k=3)
    assert len(alts) >= 2
    keys = [tuple(a.link_ids) for a in alts]
    assert len(set(keys)) == len(keys)
    assert alts[0].time_h <= min(a.time_h for a in alts) + 1e-9
    assert alts[0].link_ids == cm.route(tiny_G, "Echo", "Alpha").link_ids


def test_same_place_is_an_error(tiny_G):
    """Origin = destination is bad input (exit 2 on the command line), not 'no route'."""
    with pytest.raises(cm.InputError, match="same place"):
        cm.route(tiny_G, "A", "Alpha")


def test_graph_not_mutated(tiny_G):
    before = nx.to_dict_of_dicts(tiny_G)
    n_edges = tiny_G.number_of_edges()
    cm.route(tiny_G, "Echo", "Alpha", avoid=["Gamma"])
    cm.alternatives(tiny_G, "Echo", "Alpha", k=3)
    assert tiny_G.number_of_edges() == n_edges
    after = nx.to_dict_of_dicts(tiny_G)
    assert before.keys() == after.keys()


def test_planned_link_opens_with_weight(tiny_G):
    w = cm.make_weight("distance_km", opened_links={"B-D-plan"})
    r = cm.route(tiny_G, "Alpha", "Delta", weight=w)
    assert "B-D-plan" in r.link_ids
    base = cm.route(tiny_G, "Alpha", "Delta", by="distance_km")
    assert r.distance_km < base.distance_km


def test_route_outputs(tiny_G):
    r = cm.route(tiny_G, "Alpha", "Delta")
    d = r.to_dict()
    assert set(d) >= {"legs", "totals", "nodes"}
    assert set(d["totals"]) >= {"distance_km", "time_h", "days", "cost_usd", "co2_kg"}
    assert d["nodes"] == r.nodes
    assert all(math.isfinite(leg["time_h"]) for leg in d["legs"])
    df = r.to_frame()
    assert len(df) == len(r.legs)
    gdf = r.to_geodataframe()
    assert str(gdf.crs) == "EPSG:4326"
    assert len(gdf) == len(r.link_ids)
    assert "<table" in r._repr_html_()


@pytest.mark.e2e
def test_no_bundled_route_comes_back_to_a_place(bundled_G):
    """Over every ordered pair of bundled places: no route visits a place twice (a sea
    chokepoint may be passed twice, e.g. out to a Red Sea hub and back)."""
    import itertools

    from corridormap.corridors import revisits

    ids = [p for p, v in cm.places(bundled_G).items() if v["kind"] != "chokepoint"]
    routed = 0
    for a, b in itertools.permutations(ids, 2):
        try:
            r = cm.route(bundled_G, a, b)
        except cm.NoRouteError:
            continue
        routed += 1
        assert not revisits(bundled_G, r.nodes), (a, b, r.nodes)
    assert routed > 0.9 * len(ids) * (len(ids) - 1)


def test_via_a_port_is_handled_there_not_touched(bundled_G):
    """The 2022 first transit named Astrakhan, Anzali and Bandar Abbas: Anzali is a port
    call, never a road U-turn Rasht -> Anzali -> Rasht."""
    r = cm.route(bundled_G, "St Petersburg", "Mumbai", via=["Astrakhan", "Anzali", "Bandar Abbas"])
    assert r.nodes.count("RSH") <= 1
    i = r.nodes.index("ANZ")
    legs = [leg for leg in r.legs if leg["kind"] == "link"]
    into = [leg["mode"] for leg in legs if leg["to"] == "ANZ"]
    out = [leg["mode"] for leg in legs if leg["from"] == "ANZ"]
    assert into and out and i > 0
    assert "caspian" in into + out  # the cargo crossed by ship at Anzali


def test_leg_modes_replay_a_crossing(bundled_G):
    r = cm.route(
        bundled_G,
        "St Petersburg",
        "Mumbai",
        via=["Astrakhan", "Anzali"],
        leg_modes=[None, ["caspian"], None],
    )
    legs = [leg for leg in r.legs if leg["kind"] == "link"]
    ast, anz = r.nodes.index("AST"), r.nodes.index("ANZ")
    assert anz == ast + 1  # straight across by ship
    assert any(leg["mode"] == "caspian" and leg["to"] == "ANZ" for leg in legs)
    with pytest.raises(cm.InputError, match="leg_modes needs 3"):
        cm.route(
            bundled_G, "St Petersburg", "Mumbai", via=["Astrakhan", "Anzali"], leg_modes=[None]
        )


def test_avoid_a_country_or_region_and_borders_at_sea(bundled_G):
    r = cm.route(bundled_G, "Mumbai", "Moscow", avoid=["Azerbaijan"])
    assert not {"ASA", "ALT", "BAK", "YAL"} & set(r.nodes)
    r2 = cm.route(bundled_G, "Mumbai", "Moscow", avoid=["IR"])
    assert not any(cm.places(bundled_G)[p]["country"] == "IR" for p in r2.nodes)
    # Mumbai -> Bandar Abbas by sea crosses from India to Iran: one border
    sea = cm.route(bundled_G, "Mumbai", "Bandar Abbas", modes=["sea"])
    assert sea.borders == 1
    with pytest.raises(cm.InputError, match="unknown mode"):
        cm.route(bundled_G, "Mumbai", "Moscow", modes=["teleport"])


def _calls_and_borders() -> dict[str, list[dict]]:
    """O (IN port) -sea- P (IR port) -rail- border Q1 or Q2 -rail- R (RU city).

    The line from O also calls at S (IR port) on its way to P: a path a little longer than
    O - P, with the same borders and transshipments. Crossing at Q2 is slower than at Q1
    and slower than the call at S.
    """
    Oo = node("O", 72.0, 19.0, country="IN", kind="port", name="Oscar")
    S = node("S", 61.0, 25.5, country="IR", kind="port", name="Sierra")
    P = node("P", 56.0, 27.0, country="IR", kind="port", name="Papa")
    Q1 = node("Q1", 49.0, 38.0, country="IR", kind="border_crossing", name="Quebec One")
    Q2 = node("Q2", 60.0, 38.0, country="IR", kind="border_crossing", name="Quebec Two")
    R = node("R", 50.0, 47.0, country="RU", name="Romeo")
    links = [
        link("O-P", Oo, P, "sea", services=["line"]),
        link("O-S", Oo, S, "sea", services=["line"]),
        link("S-P", S, P, "sea", services=["line"]),
        link("P-Q1", P, Q1, "rail"),
        link("P-Q2", P, Q2, "rail"),
        link("Q1-R", Q1, R, "rail", country="IR/RU"),
        link("Q2-R", Q2, R, "rail", country="IR/RU"),
    ]
    return {"nodes": [Oo, S, P, Q1, Q2, R], "links": links}


def test_alternatives_differ_by_border_not_by_an_extra_call(tmp_path):
    from corridormap.corridors import corridor_key

    G = cm.load_network(write_geodata(tmp_path / "geo", _calls_and_borders()))
    by_links = cm.alternatives(G, "Oscar", "Romeo", k=3, distinct="links")
    # on links alone the second route is the same corridor with a call at Sierra
    assert by_links[1].link_ids == ["O-S", "S-P", "P-Q1", "Q1-R"]
    assert corridor_key(G, by_links[1]) == corridor_key(G, by_links[0])
    alts = cm.alternatives(G, "Oscar", "Romeo", k=3)
    assert [r.link_ids for r in alts] == [["O-P", "P-Q1", "Q1-R"], ["O-P", "P-Q2", "Q2-R"]]
    keys = [corridor_key(G, r) for r in alts]
    assert len(set(keys)) == len(keys)
    assert ("border", "Q2", "R") in keys[1] and ("border", "O", "P") in keys[1]
    assert ("transship", "P") in keys[0]
    # the Yen fallback (small networks, the command line) applies the same rule
    yen = corridors._alternatives_yen(
        G, alts[0], alts[0].weight, [], 3, 500, lambda r: corridor_key(G, r), None
    )
    assert [r.link_ids for r in yen] == [r.link_ids for r in alts]


def _grid_and_two_borders(side: int = 6) -> dict[str, list[dict]]:
    """O (IN port) -sea- P (IR port) -rail- a side x side rail grid -rail- Q1 -border- R (RU),
    and P -rail- Q2 -border- R, longer than any detour within the grid.

    The grid's monotone paths are all equally long: hundreds of routes of one corridor are
    cheaper than the one route of the other.
    """
    Oo = node("O", 72.0, 19.0, country="IN", kind="port", name="Oscar")
    P = node("P", 56.0, 27.0, country="IR", kind="port", name="Papa")
    grid = [
        [node(f"G{i}_{j}", 50.0 + 0.5 * i, 30.0 + 0.5 * j, country="IR") for j in range(side)]
        for i in range(side)
    ]
    end = side - 1
    Q1 = node("Q1", 52.7, 33.2, country="IR", kind="border_crossing", name="Quebec One")
    Q2 = node("Q2", 62.0, 34.0, country="IR", kind="border_crossing", name="Quebec Two")
    R = node("R", 48.0, 46.3, country="RU", name="Romeo")
    links = [
        link("O-P", Oo, P, "sea", services=["line"]),
        link("P-G", P, grid[0][0], "rail"),
        link("G-Q1", grid[end][end], Q1, "rail"),
        link("Q1-R", Q1, R, "rail", country="IR/RU"),
        link("P-Q2", P, Q2, "rail", length_km=1800.0),
        link("Q2-R", Q2, R, "rail", country="IR/RU"),
    ]
    for i in range(side):
        for j in range(side):
            if i < end:
                links.append(link(f"g{i}{j}e", grid[i][j], grid[i + 1][j], "rail"))
            if j < end:
                links.append(link(f"g{i}{j}n", grid[i][j], grid[i][j + 1], "rail"))
    nodes = [Oo, P, Q1, Q2, R, *(n for row in grid for n in row)]
    return {"nodes": nodes, "links": links}


def test_alternatives_reach_another_corridor_past_detours_within_one(tmp_path, monkeypatch):
    """Hundreds of near-equal grid routes do not hide the crossing at Q2, and no more than
    ``max_examined`` distinct paths are examined."""
    from corridormap.corridors import corridor_key

    G = cm.load_network(write_geodata(tmp_path / "geo", _grid_and_two_borders()))
    examined = set()
    middle = corridors._detour_middle

    def counted(*a):
        got = middle(*a)
        examined.add(tuple(got))
        return got

    monkeypatch.setattr(corridors, "_detour_middle", counted)
    alts = cm.alternatives(G, "Oscar", "Romeo", k=3, max_examined=30)
    assert [r.link_ids[-2:] for r in alts] == [["G-Q1", "Q1-R"], ["P-Q2", "Q2-R"]]
    assert ("border", "Q2", "R") in corridor_key(G, alts[1])
    assert 0 < len(examined) <= 30
    # by links, the 30 cheapest candidates are all detours within the grid
    examined.clear()
    by_links = cm.alternatives(G, "Oscar", "Romeo", k=3, max_examined=30, distinct="links")
    assert len(by_links) >= 2 and all("P-Q2" not in r.link_ids for r in by_links)
    assert 0 < len(examined) <= 30


def test_alternatives_distinct_must_be_known(tiny_G):
    with pytest.raises(cm.InputError, match="distinct"):
        cm.alternatives(tiny_G, "Echo", "Alpha", k=2, distinct="rails")


def test_bundled_alternatives_are_other_corridors(bundled_G):
    """Mumbai-Moscow: the second route crosses elsewhere, not the same path via Chabahar."""
    from corridormap.corridors import corridor_key

    alts = cm.alternatives(bundled_G, "Mumbai", "Moscow", k=3)
    keys = [corridor_key(bundled_G, r) for r in alts]
    assert len(alts) == 3 and len(set(keys)) == 3
    first_borders = {k for k in keys[0] if k[0] == "border"}
    assert {k for k in keys[1] if k[0] == "border"} != first_borders
    links = cm.alternatives(bundled_G, "Mumbai", "Moscow", k=2, distinct="links")
    # by links alone the second is the same corridor: the truck meets the railway elsewhere
    assert links[1].link_ids != alts[0].link_ids and corridor_key(bundled_G, links[1]) == keys[0]
