"""Places: the catalogue (copies, never the graph's own), and resolving names, regions, codes
and kinds to place ids."""

from __future__ import annotations

import pytest

import corridormap as cm
from corridormap._errors import InputError, UnknownPlaceError
from corridormap.places import resolve_endpoints


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
