"""Places: the catalogue (copies, never the graph's own), and resolving names, regions, codes
and kinds to place ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridormap as cm
from corridormap._errors import InputError, UnknownPlaceError
from corridormap.places import (
    _without_note,
    _without_notes,
    normalize,
    normalize_all,
    resolve_endpoints,
)


def test_unknown_and_ambiguous_places(tiny_G):
    with pytest.raises(cm.UnknownPlaceError, match="did you mean 'Alpha'"):
        cm.route(tiny_G, "Alpah", "Delta")
    assert cm.resolve_place(tiny_G, "ALEF") == "A"
    assert cm.resolve_place(tiny_G, "gamá") == "C"  # accents and case folded


def test_places_follow_a_renamed_place(tiny_G):
    G = tiny_G.copy()
    assert cm.resolve_place(G, "Alpha") == "A"
    cm.places(G)  # fill any cache
    G.nodes["A"]["name"] = "Omega"
    assert cm.places(G)["A"]["name"] == "Omega"
    assert cm.resolve_place(G, "Omega") == "A"
    with pytest.raises(cm.UnknownPlaceError):
        cm.resolve_place(G, "Alpha")


def test_places_hand_out_copies(tiny_G):
    pid = next(iter(cm.places(tiny_G)))
    cm.places(tiny_G)[pid]["aliases"].append("mutant")
    assert "mutant" not in (tiny_G.nodes[pid].get("aliases") or [])
    r = cm.route(tiny_G, "Echo", "Alpha")
    with pytest.raises(TypeError):
        r.legs[0].edge["time_h"] = 0  # a read-only view of the graph's edge


def test_places_returns_copies(tiny_G):
    p = cm.places(tiny_G)
    p["A"]["aliases"].append("Mutant")
    p["A"]["name"] = "Changed"
    assert tiny_G.nodes["A"]["aliases"] == ["Alef"]
    assert cm.places(tiny_G)["A"]["aliases"] == ["Alef"]
    assert cm.places(tiny_G)["A"]["name"] == "Alpha"
    with pytest.raises(cm.UnknownPlaceError):
        cm.resolve_place(tiny_G, "Mutant")


def test_resolve_endpoints_kinds_regions_and_codes(bundled_G):
    ports = resolve_endpoints(bundled_G, ["port"])
    assert ports and all(bundled_G.nodes[p]["kind"] == "port" for p in ports)
    iran = resolve_endpoints(bundled_G, ["IR"])
    assert "HOR" not in iran  # a chokepoint is not a destination
    both = resolve_endpoints(bundled_G, ["Mumbai", "india"])
    assert both[0] == resolve_endpoints(bundled_G, ["Mumbai"])[0]
    assert len(both) == len(set(both))
    with pytest.raises(UnknownPlaceError):
        resolve_endpoints(bundled_G, ["Atlantis"])
    with pytest.raises(InputError):
        resolve_endpoints(bundled_G, [])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=8))
def test_texts_normalised_in_a_batch_are_normalised_one_by_one(texts):
    assert normalize_all(texts) == [normalize(t) for t in texts]
    ascii_texts = [t.encode("ascii", "ignore").decode() for t in texts]
    assert normalize_all(ascii_texts) == [normalize(t) for t in ascii_texts]
    assert _without_notes(texts) == [_without_note(t) for t in texts]


def test_a_large_network_resolves_its_names_as_a_small_one(bundled_G):
    names = ["Mumbai", "bandar abbas", "ASTARA (IR)", "St Petersburg", "Makhachkala"]
    for name in names:
        assert cm.resolve_places(bundled_G, name)
    cat = cm.places(bundled_G)
    for pid, p in cat.items():
        assert pid in cm.resolve_places(bundled_G, p["name"])
        for alias in p.get("aliases") or []:
            assert pid in cm.resolve_places(bundled_G, alias)
