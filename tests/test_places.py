"""Places: the catalogue (copies, never the graph's own), and resolving names, regions, codes
and kinds to place ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridormap as cm
from conftest import link, load_evidence_text, node, row, write_geodata
from corridormap import gazetteer
from corridormap._errors import InputError, UnknownPlaceError
from corridormap._place_index import normalize_all, without_note, without_notes
from corridormap.gazetteer import City
from corridormap.places import (
    end_places,
    normalize,
    resolve_end,
    resolve_end_place,
    resolve_endpoints,
    resolve_pairs,
)
from corridormap.predict import predict_all


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
    assert tiny_G.nodes["A"]["aliases"] == ("Alef",)
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


# -- a name the network does not model: near-typos, the world's cities, nearest places --------


def _caucasus() -> dict:
    """Two ports, a city with its railway station 2 km away, and a strait near the first port."""
    POT = node("POT", 41.67, 42.15, country="GE", kind="port", name="Poti")
    TBS = node("TBS", 44.79, 41.72, country="GE", name="Tbilisi", aliases=["Tiflis"])
    TBR = node("TBR", 44.80, 41.70, country="GE", kind="rail_station", name="Tbilisi Rail")
    ALY = node("ALY", 49.41, 39.94, country="AZ", kind="port", name="Alyat")
    STR = node("STR", 42.00, 42.20, country="GE", kind="chokepoint", name="Narrows (sea gate)")
    return {
        "nodes": [POT, TBS, TBR, ALY, STR],
        "links": [
            link("POT-TBS", POT, TBS, "rail"),
            link("TBS-TBR", TBS, TBR, "rail"),
            link("TBS-ALY", TBS, ALY, "rail", country="GE/AZ"),
            link("POT-STR", POT, STR, "sea", services=["line"]),
            link("STR-ALY", STR, ALY, "sea", services=["line"]),
        ],
    }


@pytest.fixture
def cau_G(tmp_path):
    return cm.load_network(write_geodata(tmp_path / "cau", _caucasus()))


#: the cities the stand-in gazetteer knows, most populous first per name
CITIES = {
    "kutaisi": [City(1, "Kutaisi", "GE", 42.70, 42.27, 150_000)],
    "pori": [
        City(2, "Pori", "FI", 21.80, 61.48, 85_000),
        City(3, "Pori", "IN", 80.0, 20.0, 20_000),
    ],
    "potti": [City(4, "Poti", "GE", 41.68, 42.14, 41_000)],
    "almaty": [City(5, "Almaty", "KZ", 76.95, 43.25, 1_977_000)],
    "springfield": [
        City(6, "Springfield", "US", -89.6, 39.8, 170_000),
        City(7, "Springfield", "US", -72.6, 42.1, 150_000),
    ],
}


@pytest.fixture
def looked_up(monkeypatch):
    """A stand-in gazetteer of :data:`CITIES`; the list records every name looked up."""
    calls: list[str] = []

    def cities_named(text):
        calls.append(text)
        return list(CITIES.get(normalize(text), []))

    monkeypatch.setattr(gazetteer, "cities_named", cities_named)
    return calls


def _unknown(G, name) -> cm.UnknownPlaceError:
    with pytest.raises(cm.UnknownPlaceError) as info:
        cm.resolve_place(G, name)
    return info.value


def test_a_near_typo_is_suggested(cau_G, looked_up):
    exc = _unknown(cau_G, "Tbilsi")
    assert str(exc) == "no place 'Tbilsi'; did you mean 'Tbilisi'?"
    assert exc.suggestions == ["Tbilisi"]
    assert _unknown(cau_G, "Tiflys").suggestions == ["Tiflis"]  # aliases too


def test_a_near_typo_is_at_most_one_edit_per_four_letters(cau_G, looked_up):
    assert _unknown(cau_G, "Pti").suggestions == []  # under four letters: no near-typos
    assert "did you mean" not in str(_unknown(cau_G, "Tblsii"))  # two edits in six letters


def test_an_unmodelled_city_names_the_nearest_places(cau_G, looked_up):
    exc = _unknown(cau_G, "Kutaisi")
    # the strait (58 km) is not a place cargo starts or ends at; Tbilisi's station lies 2 km
    # from Tbilisi and is passed over
    assert str(exc) == (
        "'Kutaisi' (GE) is not in the network; the nearest modelled places are "
        "Poti (86 km), Tbilisi (180 km) and Alyat (620 km)"
    )
    assert [pid for pid, _, _ in exc.details["nearest"]] == ["POT", "TBS", "ALY"]
    kms = [km for _, _, km in exc.details["nearest"]]
    assert kms == sorted(kms)
    assert exc.details["city"].name == "Kutaisi"
    assert exc.suggestions == ["Poti", "Tbilisi", "Alyat"]


def test_a_city_wins_over_an_unrelated_name(cau_G, looked_up):
    # "Almaty" is two edits from "Alyat": no "did you mean 'Alyat'"
    msg = str(_unknown(cau_G, "almaty"))
    assert msg.startswith("'almaty' (KZ) is not in the network; the nearest modelled places")
    assert "did you mean" not in msg


def test_a_city_far_from_a_near_typo_names_both(cau_G, looked_up):
    msg = str(_unknown(cau_G, "Pori"))
    assert msg.startswith(
        "'Pori' (FI; the largest of 2 cities of that name, the others in IN) is not in the network"
    )
    assert msg.endswith("; or did you mean 'Poti'?")


def test_a_city_at_the_near_typos_place_is_that_place(cau_G, looked_up):
    # GeoNames spells Poti "Potti" too: it lies within SAME_PLACE_KM of the modelled Poti
    assert str(_unknown(cau_G, "Potti")) == "no place 'Potti'; did you mean 'Poti'?"


def test_a_shared_city_name_in_one_country(cau_G, looked_up):
    assert "(US; the largest of 2 cities of that name, all in US)" in str(
        _unknown(cau_G, "Springfield")
    )


def test_neither_a_place_nor_a_city(cau_G, looked_up, capsys):
    exc = _unknown(cau_G, "Qwxz Qwxz")
    assert str(exc) == (
        "no place 'Qwxz Qwxz': neither a modelled place nor one of the world's cities of over "
        "15,000 people"
    )
    assert exc.suggestions == []


def test_the_gazetteer_is_read_only_when_the_message_is(cau_G, looked_up):
    exc = _unknown(cau_G, "Kutaisi")
    assert looked_up == []  # a probe that catches the error pays nothing
    text = str(exc)
    assert looked_up == ["Kutaisi"]
    assert str(exc) == text and exc.suggestions and looked_up == ["Kutaisi"]
    # a flow's end that is a region, not a place, is tried as a place first: no look-up
    assert resolve_end(cau_G, "GE", "origin") == ("POT", "TBR", "TBS")
    assert looked_up == ["Kutaisi"]


def test_unknown_place_errors_pickle(cau_G, looked_up):
    import pickle

    exc = _unknown(cau_G, "Kutaisi")
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is cm.UnknownPlaceError
    assert (str(back), back.suggestions, back.name) == (str(exc), exc.suggestions, "Kutaisi")
    amb = cm.AmbiguousPlaceError("Astara", [("ASA", "Astara", "AZ"), ("ASI", "Astara", "IR")])
    back = pickle.loads(pickle.dumps(amb))
    assert (type(back), str(back), back.candidates) == (type(amb), str(amb), amb.candidates)


def test_real_cities_on_the_bundled_network(bundled_G):
    exc = _unknown(bundled_G, "Ulaanbaatar")
    assert str(exc).startswith("'Ulaanbaatar' (Ulan Bator, MN) is not in the network; the nearest")
    near = exc.details["nearest"]
    assert len(near) == 3 and [k for _, _, k in near] == sorted(k for _, _, k in near)
    assert all(bundled_G.nodes[pid]["kind"] != "chokepoint" for pid, _, _ in near)
    assert str(_unknown(bundled_G, "Улан-Батор")).startswith("'Улан-Батор' (Ulan Bator, MN)")
    # near-typos of modelled names, as tests/golden/error-unknown-place pins for the CLI
    assert _unknown(bundled_G, "Mumbay").suggestions == ["Mumbai"]
    assert _unknown(bundled_G, "Bandar Abas").suggestions == ["Bandar Abbas"]


# -- pass-through places (chokepoints) are not where cargo starts or ends -------------------
def test_a_chokepoint_is_refused_as_an_end(cau_G):
    with pytest.raises(cm.PassThroughPlaceError) as info:
        cm.route(cau_G, "Poti", "Narrows")
    assert str(info.value) == (
        "destination 'Narrows' is a chokepoint, a sea passage that ships sail through, where no "
        "cargo starts or ends; the nearest places that can be a destination are Poti (28 km), "
        "Tbilisi (240 km) and Alyat (670 km)"
    )
    assert (info.value.place, info.value.kind, info.value.role) == (
        "STR",
        "chokepoint",
        "destination",
    )
    with pytest.raises(
        cm.PassThroughPlaceError, match=r"^origin 'STR' \(Narrows\) is a chokepoint"
    ):
        cm.route(cau_G, "STR", "Alyat")


def test_via_and_avoid_may_name_a_chokepoint(cau_G):
    through = cm.route(cau_G, "Poti", "Alyat", via=["Narrows"])
    assert any(n.startswith("STR") for n in through.path)
    avoided = cm.route(cau_G, "Poti", "Alyat", avoid=["Narrows"])
    assert not any(n.startswith("STR") for n in avoided.path)


def test_every_analysis_refuses_a_chokepoint_end(cau_G):
    from corridormap.places import resolve_endpoints

    refused = [
        lambda: cm.compare(cau_G, "Narrows", "Alyat", draws=100),
        lambda: cm.criticality(cau_G, [("Poti", "Narrows")]),
        lambda: cm.compare_scenarios(cau_G, [("Narrows", "Alyat")], []),
        lambda: cm.min_cut(cau_G, "Narrows", "AZ"),
        lambda: cm.widest_path(cau_G, "Poti", "Narrows"),
        lambda: resolve_pairs(cau_G, [("Poti", "Narrows")]),
        lambda: resolve_end(cau_G, "Narrows", "origin"),
        lambda: resolve_end_place(cau_G, "Narrows"),
        lambda: resolve_endpoints(cau_G, ["Alyat", "Narrows"], "destinations"),
    ]
    for call in refused:
        with pytest.raises(cm.PassThroughPlaceError):
            call()
    with pytest.raises(cm.InputError, match="'chokepoint': each is a sea passage"):
        resolve_endpoints(cau_G, ["chokepoint"], "destinations")
    # a country, a kind or a region stands for its places but the chokepoints
    assert "STR" not in resolve_endpoints(cau_G, ["GE"], "origins")
    assert "STR" not in resolve_end(cau_G, "GE", "origin")
    assert end_places(cau_G) == ["ALY", "POT", "TBR", "TBS"]


def test_a_backtest_row_may_not_start_or_end_at_a_chokepoint(cau_G):
    to_strait = '[{ place = "Poti" }, { place = "Narrows", by = "sea" }]'
    through = (
        '[{ place = "Poti" }, { place = "Narrows", by = "sea" }, { place = "Alyat", by = "sea" }]'
    )
    rows = load_evidence_text(
        row("to-strait", to_strait, 3.0)
        + row("leg-to-strait", to_strait, 1.0, measure="leg")
        + row("through-strait", through, 5.0, measure="port_to_port")
    )
    reps = {r.movement.id: r for r in predict_all(cau_G, rows)}
    for rid in ("to-strait", "leg-to-strait"):
        assert reps[rid].terms is None
        assert reps[rid].reason.startswith("destination 'Narrows' is a chokepoint")
    assert reps["through-strait"].terms  # a waypoint on the way may be one


def test_every_bundled_chokepoint_is_refused_as_an_end(bundled_G):
    ends = set(end_places(bundled_G))
    chokepoints = {p for p, d in cm.places(bundled_G).items() if d["kind"] == "chokepoint"}
    assert chokepoints and not chokepoints & ends
    assert ends | chokepoints == set(cm.places(bundled_G))
    for pid in sorted(chokepoints):
        with pytest.raises(cm.PassThroughPlaceError):
            cm.route(bundled_G, "Mumbai", pid)
    with pytest.raises(
        cm.PassThroughPlaceError, match=r"^destination 'Istanbul Strait' \(Bosporus\)"
    ):
        cm.route(bundled_G, "Mumbai", "Istanbul Strait")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=8))
def test_texts_normalised_in_a_batch_are_normalised_one_by_one(texts):
    assert normalize_all(texts) == [normalize(t) for t in texts]
    ascii_texts = [t.encode("ascii", "ignore").decode() for t in texts]
    assert normalize_all(ascii_texts) == [normalize(t) for t in ascii_texts]
    assert without_notes(texts) == [without_note(t) for t in texts]


def test_a_large_network_resolves_its_names_as_a_small_one(bundled_G):
    names = ["Mumbai", "bandar abbas", "ASTARA (IR)", "St Petersburg", "Makhachkala"]
    for name in names:
        assert cm.resolve_places(bundled_G, name)
    cat = cm.places(bundled_G)
    for pid, p in cat.items():
        assert pid in cm.resolve_places(bundled_G, p["name"])
        for alias in p.get("aliases") or []:
            assert pid in cm.resolve_places(bundled_G, alias)
