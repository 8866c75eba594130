"""Integrity of the bundled geodata."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

import corridormap as cm
from corridormap.io import bundled_geodata_dir, haversine_km

GEO = bundled_geodata_dir()
REPO_GEO = Path(__file__).resolve().parent.parent / "geodata"
FACT_NODES = [
    "MOW",
    "LED",
    "VOG",
    "CHE",
    "AST",
    "OLY",
    "MCX",
    "KHS",
    "DER",
    "SAM",
    "YAL",
    "BAK",
    "ALT",
    "ASA",
    "ASI",
    "RSH",
    "ANZ",
    "CSP",
    "QAZ",
    "THR",
    "GRM",
    "AMB",
    "NSH",
    "GOR",
    "INB",
    "ETR",
    "BRK",
    "BOL",
    "ZHA",
    "AKT",
    "KUR",
    "TMB",
    "SRK",
    "MHD",
    "BFQ",
    "ISF",
    "BND",
    "SRJ",
    "ZBR",
    "NSA",
    "JED",
    "PSD",
    "SUZ",
    "BEM",
    "HOR",
    "GIB",
    "RTM",
    "NVS",
    "CGH",
]


@pytest.fixture(scope="module")
def gd():
    return cm.load_geodata()


@pytest.fixture(scope="module")
def raw_links():
    return json.loads((GEO / "links.geojson").read_text("utf-8"))["features"]


@pytest.fixture(scope="module")
def land():
    doc = json.loads((GEO / "basemap" / "countries.geojson").read_text("utf-8"))
    return unary_union([shape(f["geometry"]) for f in doc["features"]])


def test_bundled_data_loads_and_is_the_repo_copy(gd):
    """The package's geodata is the repository's, file for file (no stale copy)."""
    names = ["nodes.geojson", "links.geojson", "stations.geojson", "parameters.toml"]
    names += ["regions.toml", "families.toml", "analysis.toml"]
    for name in names:
        assert (GEO / name).read_bytes() == (REPO_GEO / name).read_bytes(), name
    assert len(gd.nodes) >= 60 and len(gd.links) >= 80


def test_every_fact_node_present(gd):
    missing = [n for n in FACT_NODES if n not in gd.nodes]
    assert not missing


def test_every_feature_sourced(gd):
    for table in (gd.nodes, gd.links, gd.stations):
        for fid, p in table.items():
            assert p["source"].strip(), fid
            assert p["basis"] in ("official", "measured", "estimated"), fid


def test_measured_lengths_match_geometry(gd):
    from corridormap.io import line_length_km

    for lid, link in gd.links.items():
        if link["basis"] == "measured":
            assert link["length_km"] == pytest.approx(line_length_km(link["coords"]), rel=0.01), lid


def test_official_lengths_plausible_against_geometry(gd):
    """A published length is never shorter than the crow-fly distance, nor wildly longer."""
    from corridormap.io import line_length_km

    for lid, link in gd.links.items():
        measured = line_length_km(link["coords"])
        assert link["length_km"] >= 0.9 * haversine_km(link["coords"][0], link["coords"][-1]), lid
        assert link["length_km"] <= 2.5 * measured + 20, lid


def test_network_connected(bundled_G):
    # every place reachable from every other over routable links (weakly connected baseline)
    base = cm.baseline_view(bundled_G)
    assert nx.is_weakly_connected(base)


def test_nodes_lie_in_their_country(gd, land):
    """Catches swapped lon/lat: each land node lies within 30 km of its own country."""
    doc = json.loads((GEO / "basemap" / "countries.geojson").read_text("utf-8"))
    by_iso = {}
    for f in doc["features"]:
        by_iso.setdefault(f["properties"]["iso_a2"], []).append(shape(f["geometry"]))
    for nid, n in gd.nodes.items():
        if n["kind"] == "chokepoint" or n["country"] not in by_iso:
            continue
        geom = unary_union(by_iso[n["country"]])
        assert geom.distance(Point(n["lon"], n["lat"])) < 0.3, (nid, n["country"])


@pytest.mark.e2e
def test_build_script_reproduces_committed_files():
    import subprocess
    import sys

    script = REPO_GEO.parent / "scripts" / "build_geodata.py"
    res = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize(
    ("name", "pid"),
    [
        ("Mumbai", "NSA"),
        ("Bandar Abbas", "SRJ"),
        ("St Petersburg", "LED"),
        ("Moscow", "MOW"),
        ("Jeddah", "JED"),
        ("Chelyabinsk", "CHE"),
        ("Astrakhan", "AST"),
        ("Anzali", "ANZ"),
        ("Tehran", "THR"),
        ("Rotterdam", "RTM"),
        ("Sarakhs", "SRK"),
        ("Incheh Borun", "INB"),
        ("saint-petersburg", "LED"),
        ("Chabahar", "ZBR"),
        ("Zahedan", "ZAH"),
        ("Kerman", "KER"),
        ("Mundra", "MUN"),
        ("Kandla", "IXY"),
        ("Deendayal", "IXY"),
        ("Aprin", "APR"),
        ("Minsk", "MSQ"),
        ("Yekaterinburg", "SVX"),
        ("Helsinki", "HEL"),
        ("Vuosaari", "HEL"),
        ("Chennai", "MAA"),
        ("Madras", "MAA"),
    ],
)
def test_user_names_resolve(bundled_G, name, pid):
    assert cm.resolve_place(bundled_G, name) == pid


def test_astara_is_ambiguous(bundled_G):
    with pytest.raises(cm.AmbiguousPlaceError, match=r"ASA.*ASI"):
        cm.resolve_place(bundled_G, "Astara")
    assert cm.resolve_places(bundled_G, "Astara") == ["ASA", "ASI"]


def test_headline_routes(bundled_G):
    r = cm.route(bundled_G, "Mumbai", "Moscow")
    assert {"SRJ", "ASI", "ASA", "MOW"} <= set(r.nodes)
    assert {"sea", "rail", "road"} <= set(r.modes)
    assert 15 < r.days < 45
    s = cm.route(bundled_G, "Chelyabinsk", "Jeddah", via=["Incheh Borun"])
    assert {"INB", "SRJ", "JED"} <= set(s.nodes)
    a = cm.route(bundled_G, "Mumbai", "St Petersburg", avoid=["Astara"])
    assert not {"ASA", "ASI"} & set(a.nodes)


def test_dwell_that_includes_the_wait_gets_no_half_headway():
    from corridormap.model import edge_weights, transfer_terms

    params = cm.load_geodata().params
    services = params["services"]
    assert params["transfers"]["ferry"]["includes_departure_wait"] is True
    ferry = edge_weights(transfer_terms("ferry", "ferry:caspian_ferry_aktau", params), params, 0)
    assert ferry["wait_h"] == 0.0 and not [t for t in ferry["terms"] if t.part == "wait"]
    dwell = params["transfers"]["ferry"]["dwell_h"]
    assert ferry["time_h"] == pytest.approx((dwell["low"] + dwell["likely"] + dwell["high"]) / 3)
    port = edge_weights(transfer_terms("port", "sea:india_gulf", params), params, 0)
    assert [t.key for t in port["terms"] if t.part == "wait"] == ["services.india_gulf.headway_h"]
    h = services["india_gulf"]["headway_h"]
    assert port["wait_h"] == pytest.approx((h["low"] + h["likely"] + h["high"]) / 3 / 2)


def test_aktau_baku_crosses_the_caspian_by_ferry(bundled_G):
    r = cm.route(bundled_G, "Aktau", "Baku")
    assert "ferry" in r.modes
    assert not {"MNG", "BEY", "AST", "MCX"} & set(r.nodes)  # not round the Caspian by rail
    assert r.days < 7


def test_border_posts_lie_on_their_own_side(gd):
    """A border station is inside its own country, not merely within 30 km of it."""
    doc = json.loads((GEO / "basemap" / "countries.geojson").read_text("utf-8"))
    by_iso = {}
    for f in doc["features"]:
        by_iso.setdefault(f["properties"]["iso_a2"], []).append(shape(f["geometry"]))
    for nid, n in gd.nodes.items():
        if n["kind"] != "border_crossing" or n["country"] not in by_iso:
            continue
        geom = unary_union(by_iso[n["country"]])
        assert geom.buffer(0.005).contains(Point(n["lon"], n["lat"])), (nid, n["country"])


def test_kolkata_is_its_own_place(bundled_G):
    """Kolkata is a port of its own (Syama Prasad Mookerjee port), not an alias of another."""
    assert cm.resolve_place(bundled_G, "Kolkata") == cm.resolve_place(bundled_G, "Calcutta")
    assert cm.resolve_place(bundled_G, "Kolkata") not in ("MAA", "NSA")


def test_chabahar_zahedan_railway_opens_only_in_its_scenario(bundled_G):
    from corridormap.scenarios import apply_scenario

    base = cm.route(bundled_G, "Chabahar", "Moscow")
    assert "ZAH" not in base.nodes  # under construction: by sea to Bandar Abbas today
    opened = apply_scenario(bundled_G, "chabahar-zahedan-railway")
    r = cm.route(bundled_G, "Chabahar", "Moscow", weight=opened.weight("time"))
    assert {"ZAH", "KER", "BFQ"} <= set(r.nodes)
