"""The place index: lookups by scan and by table agree; the tables are built when needed."""

from __future__ import annotations

import importlib

from hypothesis import given, settings
from hypothesis import strategies as st

import corridormap as cm
from conftest import tiny, write_geodata
from corridormap._place_index import PlaceIndex, normalize_all, without_note
from corridormap._text import normalize

places = importlib.import_module("corridormap.places")
place_index = importlib.import_module("corridormap._place_index")


def test_ids_and_names_resolve_without_building_a_table(tmp_path):
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    assert cm.resolve_place(G, "Alpha") == "A" and cm.resolve_place(G, "d") == "D"
    assert cm.resolve_place(G, "Alef") == "A" and cm.resolve_place(G, "Mumbo") == "E"
    assert places._index(G).tables == [None, None, None]


def test_many_lookups_build_the_tables_once(tmp_path, monkeypatch):
    monkeypatch.setattr(place_index, "SCANS", 2)
    G = cm.load_network(write_geodata(tmp_path / "geo", tiny()))
    for name in ("Alpha", "Beta", "Gamma"):
        assert cm.resolve_places(G, name)
    index = places._index(G)
    assert index.tables[0] is not None and index.tables[2] is None
    assert cm.resolve_place(G, "Alef") == "A"
    tier = index.tables[2]
    assert tier is not None and tier["gama"] == [2]
    assert cm.resolve_place(G, "Mumbo") == "E" and places._index(G).tables[2] is tier


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
    assert places.labels_of(G, ["F", "A", "B"]) == {
        pid: places.place_label(G, pid) for pid in ("F", "A", "B")
    }


_WORDS = ["Astara", "ast", "Bandar", "Abbas", "é", "Ära", "ß", "İz", "(IR)", "(north)", "G0_1"]
_TEXT = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=4).map(
    lambda parts: " ".join(parts)
)
_SEPARATORS = st.sampled_from([" ", "-", "'", "`", "_", "  ", "\n", "’"])


@st.composite
def _places(draw):
    """Places with shared, bracketed, accented, punctuated names and aliases."""
    n = draw(st.integers(1, 8))
    pids, datas = [], []
    for i in range(n):
        sep = draw(_SEPARATORS)
        pids.append(draw(st.sampled_from([f"P{i}", f"p{sep}{i}", f"Astara{sep}{i}"])))
        data = {}
        if draw(st.booleans()):
            data["name"] = draw(st.one_of(_TEXT, st.none(), st.integers(0, 3)))
        aliases = draw(st.lists(_TEXT, max_size=3))
        if aliases or draw(st.booleans()):
            data["aliases"] = aliases
        datas.append(data)
    keep = dict(zip(pids, datas, strict=True))  # ids are unique
    return list(keep), list(keep.values())


def _index(pids, datas):
    missing = object()
    names = [d.get("name", missing) for d in datas]
    return PlaceIndex(pids, names, [d.get("aliases") for d in datas], missing)


def _reference(pids, datas):
    """The three tiers as the index's tables make them, by place id."""
    names = [str(d.get("name", "")) for d in datas]
    tiers = [{}, {}, {}]
    for pid, name, d in zip(pids, names, datas, strict=True):
        tiers[0].setdefault(normalize(pid), []).append(pid)
        tiers[1].setdefault(normalize(name), []).append(pid)
        short = normalize(without_note(name)) if "(" in name else normalize(name)
        keys = {short, *(normalize(str(a)) for a in d.get("aliases") or ())} - {""}
        for key in keys:
            tiers[2].setdefault(key, []).append(pid)
    return tiers


@settings(max_examples=300, deadline=None)
@given(_places(), st.lists(_TEXT, max_size=4))
def test_scans_and_tables_find_the_same_places(got, extra):
    pids, datas = got
    reference = _reference(pids, datas)
    keys = {k for tier in reference for k in tier} | set(normalize_all(extra))
    keys |= {k for text in extra for k in normalize(text).split(" ")}
    tabled = _index(pids, datas)
    for tier in range(3):
        tabled._build(tier)
    for key in sorted(keys):
        for tier in range(3):
            scanned = _index(pids, datas)  # every lookup by scan (but an empty key's)
            by_scan, by_table = scanned.find(tier, key), tabled.find(tier, key)
            want = reference[tier].get(key)
            assert (by_scan is None) == (by_table is None) == (want is None), (tier, key)
            if want is not None:
                assert sorted(pids[i] for i in by_scan) == sorted(want)
                assert sorted(pids[i] for i in by_table) == sorted(want)
