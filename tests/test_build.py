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
