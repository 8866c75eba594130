"""The bundled links are drawn on their real lines and courses.

Rail and road links: no straight segment over 150 km on land; a published length agrees with the
drawn line within 5% or the link says why. Caspian and sea links: the drawn line stays at sea,
and no two Caspian sailings between different ports meet at a waypoint at sea (MARNET's one
Caspian node off Absheron once made every lane pass there)."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, shape
from shapely.ops import unary_union

from corridormap.io import bundled_geodata_dir, haversine_km

GEO = bundled_geodata_dir()
LONG_KM = 150.0
LENGTH_TOL = 0.05
#: radius round a sailing's ends within which its line may touch land (a port on the coast)
PORT_DEG = 0.25
#: land shrunk by this much before a sea line is checked (the 1:50m coast is no finer)
COAST_DEG = 0.03
#: where the Volga-Caspian canal meets the open sea (the MARNET node the build's
#: `searoute_to` names): vertices of a canal sailing up to this one are the canal
CANAL_SEA_END = (47.8023, 45.1174)

#: straight land segments over 150 km that remain because no published source located a
#: station between their ends (each link's notes and length_note say which stations are
#: missing); the last test fails when one of them is fixed, so the list only shrinks
UNLOCATED = {
    ("AST-GUW-rail", "AKSR", "GUW"): "Kigash, Dina Nurpeisova, Ganyushkino (in Akkol village, "
    "25 km from Kurmangazy), Isatay (83 km from Akkystau): none has a published point",
    ("BEY-MNG-rail", "BEY", "SAYO"): "Beyneu - Sai-Utes: Yeskara, Ustyurt (no published point)",
    ("BFQ-BND-rail", "BFQ", "KHT"): "Bafq - Khatunabad: Now, Janat Abad, Now Deh, Sham Abad",
    ("BFQ-BND-rail", "SIR", "BND"): "Sirjan - Bandar Abbas: Golgohar, Tezerj, Zadmahmud, Fin, Piku",
    ("BRK-ETR-rail", "BRK", "ETR"): (
        "Bereket - Etrek: Däneata, Döwletýar, Bugdaýly, Balguýy, Madaw, Akjadepe"
    ),
    ("KDG-MKT-rail", "BYGN", "MKT"): "Bayganin - Makat: Sagyz (140 km from Makat; village not in "
    "GeoNames cities500, no published point found)",
    ("ARS-KDG-rail", "SHLK", "EMBA"): "Shalkar - Emba: Solenaya, Kauylzhyr, Birshogyr, Mugalzhar",
    ("QTA-ZAH-rail", "NSHK", "DLBD"): (
        "Nushki - Dalbandin: Ahmedwal, Pain Mall, Padag Road, Nok Chah (km posts only)"
    ),
    ("QTA-ZAH-rail", "DLBD", "NKND"): "Dalbandin - Nok Kundi: Yakmach, Gat, Azad (km posts only)",
    ("MHD-BFQ-rail", "BRDS", "TBAS"): "Bardaskan - Tabas: Rigu, Nagineh, Asfak, Nigenan",
    ("MHD-BFQ-rail", "TBAS", "BFQ"): "Tabas - Bafq: Mazino, Jondaq, Seh Chahun, Choqart",
    ("MKT-BEY-rail", "QLSR", "BEY"): "Kulsary - Beyneu: Toltyr (now Maykomgen), Opornaya (now "
    "Borankul), Korkol (by Yeset village)",
    ("SHY-BRK-rail", "SHY", "GYZG"): (
        "Serhetyaka - Gyzylgaya: Şanly, Polatly, Parahat, Kuwwat, Hazar, Bitarablyk, Berkarar,"
        " Ärsarybaba, Awlamyş"
    ),
    ("SHY-BRK-rail", "GYZG", "BRK"): (
        "Gyzylgaya - Bereket: Gökdere, Uzboý, Burgun, Ýasga, Arzuw, Ak Ýol"
    ),
    ("ZAH-KER-rail", "ZAH", "FHRJ"): "Zahedan - Fahraj: Shuru, Rudshur, Shurgaz (the Lut section)",
}


@pytest.fixture(scope="module")
def links():
    return json.loads((GEO / "links.geojson").read_text("utf-8"))["features"]


@pytest.fixture(scope="module")
def land():
    doc = json.loads((GEO / "basemap" / "countries.geojson").read_text("utf-8"))
    return unary_union([shape(f["geometry"]) for f in doc["features"]])


def _km(coords) -> float:
    return sum(haversine_km(coords[i], coords[i + 1]) for i in range(len(coords) - 1))


def long_land_segments(links, land) -> dict[tuple[str, str, str], float]:
    """(link id, first end, second end) -> km on land of every rail or road segment with over
    150 km on land; the ends are the link's nodes and `via` stations."""
    out = {}
    for f in links:
        p = f["properties"]
        if p["mode"] not in ("rail", "road"):
            continue
        c = f["geometry"]["coordinates"]
        names = [p["from"], *p.get("via", []), p["to"]]
        assert len(names) == len(c), p["id"]
        for i in range(len(c) - 1):
            km = haversine_km(c[i], c[i + 1])
            if km <= LONG_KM:
                continue
            seg = LineString([c[i], c[i + 1]])
            on_land = km * seg.intersection(land).length / seg.length
            if on_land > LONG_KM:
                out[(p["id"], names[i], names[i + 1])] = round(on_land, 1)
    return out


def test_no_long_straight_segment_on_land(links, land):
    long = long_land_segments(links, land)
    assert set(long) <= set(UNLOCATED), {k: v for k, v in long.items() if k not in UNLOCATED}


def test_unlocated_segments_are_still_there(links, land):
    """An entry of UNLOCATED whose segment is gone (a station was added) must leave the list."""
    long = long_land_segments(links, land)
    assert set(UNLOCATED) <= set(long), sorted(set(UNLOCATED) - set(long))


def test_published_lengths_agree_with_the_drawn_line(links):
    """A link whose length is published (basis official) is within 5% of its drawn polyline,
    or carries a `length_note` that says why not."""
    off = {}
    for f in links:
        p = f["properties"]
        if p["basis"] != "official":
            continue
        drawn = _km(f["geometry"]["coordinates"])
        gap = abs(drawn - p["length_km"]) / p["length_km"]
        if gap > LENGTH_TOL and not str(p.get("length_note", "")).strip():
            off[p["id"]] = (p["length_km"], round(drawn, 1))
    assert not off, off


def test_every_length_note_explains_a_real_gap(links):
    """A `length_note` is only where the drawn line and the length differ by over 5%."""
    needless = []
    for f in links:
        p = f["properties"]
        if "length_note" in p:
            drawn = _km(f["geometry"]["coordinates"])
            if abs(drawn - p["length_km"]) / p["length_km"] <= LENGTH_TOL:
                needless.append(p["id"])
    assert not needless


def test_uzen_gorgan_total_is_the_published_one(links):
    """Uzen - Gorgan (Kazakhstan - Turkmenistan - Iran line): 908 km (Mehr 2018), 925 km
    (Financial Tribune 6803), 928 km (TASS 764933): the chain is within 5% of each."""
    by_id = {f["properties"]["id"]: f["properties"] for f in links}
    chain = ["ZHA-BOL-rail", "BOL-SHY-rail", "SHY-BRK-rail", "BRK-ETR-rail"]
    chain += ["ETR-AKY-rail", "AKY-INB-rail", "INB-GOR-rail"]
    total = sum(by_id[i]["length_km"] for i in chain)
    for published in (908, 925, 928):
        assert abs(total - published) / published <= LENGTH_TOL, (total, published)
    assert by_id["INB-GOR-rail"]["length_km"] == 88  # built in Iran (Mehr 2018; IRIB 2013)


def _canal_end(p, coords) -> int:
    """Index of the canal's sea end in a canal sailing's line (0 for other sailings)."""
    if p.get("canal") != "volga_caspian":
        return 0
    for i, c in enumerate(coords):
        if abs(c[0] - CANAL_SEA_END[0]) < 1e-4 and abs(c[1] - CANAL_SEA_END[1]) < 1e-4:
            return i
    raise AssertionError(f"{p['id']}: no vertex at the Volga-Caspian canal's sea end")


#: sea links whose line crosses what the 1:50m land mask closes: a canal, a strait, a river
#: mouth (the Caspian canal sailings are checked from the canal's sea end instead)
THROUGH_LAND = {
    "SUZ-PSD-canal": "the Suez canal",
    "PSD-BOS-sea": "the Dardanelles",
    "GIB-RTM-sea": "the Nieuwe Waterweg into Rotterdam",
    "RTM-LED-sea": "the Nieuwe Waterweg out of Rotterdam",
    "HEL-RTM-sea": "the Nieuwe Waterweg into Rotterdam",
    "ROV-NVS-sea": "the Don delta",
    "IST-PSD-sea": "the Dardanelles",
    "TTV-VAN-ferry": "Lake Van, land in the basemap",
}


def test_sailings_stay_at_sea(links, land):
    inner = land.buffer(-COAST_DEG)
    ashore = []
    for f in links:
        p = f["properties"]
        if p["mode"] not in ("sea", "caspian", "ferry") or p["id"] in THROUGH_LAND:
            continue
        c = f["geometry"]["coordinates"]
        start = _canal_end(p, c)
        line = LineString(c[start:]).difference(Point(c[start]).buffer(PORT_DEG))
        line = line.difference(Point(c[-1]).buffer(PORT_DEG))
        if not line.intersection(inner).is_empty:
            ashore.append(p["id"])
    assert not ashore


def test_caspian_sailings_between_different_ports_share_no_waypoint(links):
    """Vertices at sea (past the Volga-Caspian canal for sailings from Astrakhan and Olya, whose
    sea end is the canal's) are not shared by sailings between different ports."""
    at_sea = {}
    for f in links:
        p = f["properties"]
        if p["mode"] not in ("caspian", "ferry"):
            continue
        c = f["geometry"]["coordinates"]
        start = _canal_end(p, c)
        first = "volga_caspian" if start else p["from"]
        at_sea[p["id"]] = (frozenset((first, p["to"])), {tuple(v) for v in c[start + 1 : -1]})
    assert len(at_sea) >= 10
    met = []
    for (a, (ends_a, va)), (b, (ends_b, vb)) in combinations(sorted(at_sea.items()), 2):
        if ends_a != ends_b and va & vb:
            met.append((a, b, sorted(va & vb)))
    assert not met, met


#: ferries that are not Caspian sailings (no course to measure; the published length is used)
LAKE_FERRIES = {"TTV-VAN-ferry": "the Lake Van train ferry"}


def test_caspian_lengths_are_measured_along_the_drawn_course(links):
    for f in links:
        p = f["properties"]
        if p["mode"] in ("caspian", "ferry") and p["id"] not in LAKE_FERRIES:
            assert p["basis"] == "measured", p["id"]
            assert p["length_km"] == pytest.approx(_km(f["geometry"]["coordinates"]), abs=0.1)


def test_the_committed_links_are_the_repository_copy():
    repo = Path(__file__).resolve().parent.parent / "geodata" / "links.geojson"
    assert (GEO / "links.geojson").read_bytes() == repo.read_bytes()
