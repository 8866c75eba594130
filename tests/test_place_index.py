"""The place index's alias tier is made when a name first reaches it; labels are read per place."""

from __future__ import annotations

import importlib

import corridormap as cm
from conftest import tiny, write_geodata

places = importlib.import_module("corridormap.places")


def test_ids_and_names_resolve_without_the_alias_tier(tmp_path):
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    assert cm.resolve_place(G, "Alpha") == "A" and cm.resolve_place(G, "d") == "D"
    assert places._index(G)[2] is None


def test_an_alias_makes_the_alias_tier_once(tmp_path):
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    assert cm.resolve_place(G, "Alef") == "A"
    tier = places._index(G)[2]
    assert tier is not None and tier["gama"] == ["C"]
    assert cm.resolve_place(G, "Mumbo") == "E" and places._index(G)[2] is tier


def test_a_bracketed_note_is_left_out_of_a_short_name(tmp_path):
    data = tiny()
    data["nodes"][0]["properties"]["name"] = "Alpha (north gate)"
    G = cm.load_network(write_geodata(tmp_path / "geo", data))
    assert cm.resolve_place(G, "Alpha") == "A"
    assert cm.resolve_place(G, "alpha north gate") == "A"


def test_labels_are_the_places_own(tmp_path):
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    for pid in ("A", "X", "F"):  # X is a chokepoint: no gate
        assert places.label_of(G, pid) == places.place_label(G, pid)
    assert set(places.place_labels(G)) == {"A", "X", "F"}
