"""load_network builds from geodata it read for itself, taking each link's properties as the
mapping of one of its edges: the graph must be build_network's, attribute for attribute."""

from __future__ import annotations

import pytest

import corridormap as cm
from conftest import tiny, write_geodata
from corridormap.io import load_geodata
from corridormap.network import build_network


def _same_graph(A, B) -> None:
    assert list(A.nodes(data=True)) == list(B.nodes(data=True))
    ea, eb = list(A.edges(keys=True, data=True)), list(B.edges(keys=True, data=True))
    assert [e[:3] for e in ea] == [e[:3] for e in eb]
    for (*_, a), (*_, b) in zip(ea, eb, strict=True):
        assert list(a) == list(b)  # the same attributes in the same order
        for k, x in a.items():
            assert x.equals(b[k]) if k == "geometry" else x == b[k], k
    assert A.graph.keys() == B.graph.keys()


@pytest.mark.parametrize("as_of", [None, "2015"])
def test_load_network_is_build_network_of_the_bundled_data(as_of):
    from corridormap.asof import geodata_as_of

    _same_graph(cm.load_network(as_of=as_of), build_network(geodata_as_of(load_geodata(), as_of)))


def test_load_network_is_build_network_with_services(tmp_path):
    """Links sailed by several services have an edge pair per service."""
    data = tiny()
    for f in data["links"]:
        if f["properties"]["id"] == "E-D":
            f["properties"]["services"] = ["line", "feeder"]
    directory = write_geodata(tmp_path / "geo", data)
    G = cm.load_network(directory)
    assert {d["service"] for _, _, d in G.edges(data=True) if d.get("link_id") == "E-D"} == {
        "line",
        "feeder",
    }
    _same_graph(G, build_network(load_geodata(directory)))


def test_build_network_leaves_its_geodata_as_it_was():
    gd = load_geodata()
    links = {lid: dict(p) for lid, p in gd.links.items()}
    build_network(gd)
    assert gd.links == links


def test_the_layer_index_written_by_the_build_is_the_one_read_from_the_nodes(tmp_path):
    from corridormap._cache import cached
    from corridormap.network import _build_layer_index

    for G in (cm.load_network(), cm.load_network(write_geodata(tmp_path / "geo", tiny()))):
        written = cached(G, "layer_index")
        assert written is not None
        assert list(written.items()) == list(_build_layer_index(G).items())


def test_every_name_the_build_sets_on_a_link_edge_is_one_no_link_may_use():
    """The build writes its weights and edge fields over a link's own properties unchecked:
    the geodata's checks must refuse every one of those names as a link property."""
    from corridormap._schema import LINK_RESERVED

    gd = load_geodata()
    set_by_build = set()
    for _, _, d in cm.load_network().edges(data=True):
        if d["kind"] == "link":
            set_by_build |= d.keys() - gd.links[d["link_id"]].keys()
    assert {"time_h", "cost_usd", "terms", "geometry", "tiebreak"} <= set_by_build
    assert set_by_build <= set(LINK_RESERVED)


def _walked_place_nodes(G):
    """place_nodes as a walk of every node finds them (the build's list set aside)."""
    import importlib

    from corridormap._cache import invalidate
    from corridormap.network import SPEAKERS

    invalidate(G, SPEAKERS)
    return importlib.import_module("corridormap.places").place_nodes(G)


@pytest.mark.parametrize("which", ["bundled", "tiny", "tiny-as-of"])
def test_the_builds_speaking_nodes_are_those_a_walk_finds(which, tiny_dir):
    import importlib

    place_nodes = importlib.import_module("corridormap.places").place_nodes
    if which == "bundled":
        G, G2 = cm.load_network(), cm.load_network()
    elif which == "tiny":
        G, G2 = cm.load_network(tiny_dir), cm.load_network(tiny_dir)
    else:
        G, G2 = (cm.load_network(tiny_dir, as_of="2010") for _ in range(2))
    got, want = place_nodes(G), _walked_place_nodes(G2)
    assert list(got) == list(want)  # the same places in the same order
    own = {id(d) for _, d in G.nodes(data=True)}
    assert all(id(d) in own for d in got.values())  # the graph's own mappings
    assert all(got[p] == want[p] for p in got)
    if which == "tiny":
        assert "X" in got and got["X"]["layer"] != "gate"  # a chokepoint: its first layer node


def test_speaking_nodes_follow_a_change_of_structure(tiny_dir):
    import importlib

    place_nodes = importlib.import_module("corridormap.places").place_nodes
    G = cm.load_network(tiny_dir)
    assert "A" in place_nodes(G)
    G.remove_node("A")  # the gate: A is now spoken for by its first layer node
    assert place_nodes(G)["A"]["layer"] != "gate"
    for n in [n for n, d in G.nodes(data=True) if d.get("place") == "A"]:
        G.remove_node(n)
    assert "A" not in place_nodes(G)


def test_speaking_nodes_of_a_node_whose_place_was_deleted_are_walked(tiny_dir):
    import importlib

    place_nodes = importlib.import_module("corridormap.places").place_nodes
    G = cm.load_network(tiny_dir)
    del G.nodes["A"]["place"]  # not a change of structure: the build's list is still held
    got = place_nodes(G)
    assert got == _walked_place_nodes(G)
    assert got["A"]["layer"] != "gate"  # A's gate no longer says it is A's
