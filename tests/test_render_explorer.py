"""The explorer's writer (corridormap.render.explorer): schema checks, files, encoding, safety."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from corridormap._atomic import OutputPathError
from corridormap._errors import InputError
from corridormap.render.explorer import (
    ExplorerDataError,
    check_explorer_data,
    format_value,
    write_explorer,
)
from corridormap.render.explorer.payloads import pack_ints, unpack_ints
from corridormap.render.page import external_refs
from corridormap.render.styles import MODE_STYLES

REGISTRY_CALL = re.compile(
    r"^\(window\.CORRIDORMAP_EXPLORER=window\.CORRIDORMAP_EXPLORER\|\|\[\]\)\.push\((.*)\);\n$",
    re.S,
)

PLACES = [
    ("NSA", "Nhava Sheva", ["JNPT", "Mumbai port"], "IN", "port", 18.95, 72.95),
    ("MAA", "Chennai", ["Madras"], "IN", "port", 13.08, 80.29),
    ("BND", "Bandar Abbas", ["Bandar Abas"], "IR", "port", 27.18, 56.27),
    ("SUZ", "Suez", [], "EG", "chokepoint", 29.97, 32.55),
    ("NVS", "Novorossiysk", [], "RU", "port", 44.72, 37.77),
    ("MOW", "Moscow", ["Moskva"], "RU", "city", 55.75, 37.62),
    ("LED", "St Petersburg", ["Leningrad", "Saint Petersburg"], "RU", "city", 59.93, 30.36),
]
LINKS = {
    "NSA-BND-sea": (
        "sea",
        "Nhava Sheva – Bandar Abbas",
        [[72.95, 18.95], [64.0, 23.0], [56.27, 27.18]],
    ),
    "MAA-BND-sea": (
        "sea",
        "Chennai – Bandar Abbas",
        [[80.29, 13.08], [72.0, 12.0], [56.27, 27.18]],
    ),
    "BND-MOW-rail": (
        "rail",
        "Bandar Abbas – Moscow",
        [[56.27, 27.18], [49.0, 40.0], [37.62, 55.75]],
    ),
    "MOW-LED-rail": ("rail", "Moscow – St Petersburg", [[37.62, 55.75], [30.36, 59.93]]),
    "NSA-SUZ-sea": ("sea", "Nhava Sheva – Suez", [[72.95, 18.95], [45.0, 12.0], [32.55, 29.97]]),
    "MAA-SUZ-sea": ("sea", "Chennai – Suez", [[80.29, 13.08], [45.0, 12.0], [32.55, 29.97]]),
    "SUZ-NVS-sea": ("sea", "Suez – Novorossiysk", [[32.55, 29.97], [30.0, 40.0], [37.77, 44.72]]),
    "NVS-MOW-rail": ("rail", "Novorossiysk – Moscow", [[37.77, 44.72], [37.62, 55.75]]),
}
FAMILIES = [
    {"name": "instc-western", "label": "INSTC western", "instc": True, "color": "#d62728"},
    {"name": "suez", "label": "Suez Canal", "instc": False, "color": "#1f77b4"},
    {"name": "cape", "label": "Cape of Good Hope", "instc": False},
]
SCENARIOS = [
    {
        "name": "baseline",
        "title": "Baseline",
        "description": "The network as it is.",
        "sources": ["corridormap geodata"],
    },
    {
        "name": "red-sea-closed",
        "title": "Red Sea closed",
        "description": "Bab-el-Mandeb closed to container ships.",
        "sources": ["Drewry 2024", "UNCTAD Review of Maritime Transport 2024"],
    },
]


def _steps(links: list[str]) -> list[list]:
    """A continuous profile: a move per link, a stop between links."""
    steps, km = [], 0.0
    for i, lid in enumerate(links):
        if i:
            steps.append(
                [
                    km,
                    km,
                    30.0 + i,
                    "transfer",
                    "",
                    f"{LINKS[lid][1].split(' – ')[0]}: port transfer {30 + i} h",
                ]
            )
        length = 1000.0 + 137.25 * i
        mode = LINKS[lid][0]
        steps.append([km, km + length, length / 30.0, "move", mode, f"{LINKS[lid][1]}: {mode}"])
        km += length
    return steps


def _route(links: list[str], places: list[str]) -> dict:
    steps = _steps(links)
    return {"links": list(links), "places": list(places), "km": steps[-1][1], "steps": steps}


ROUTES = {
    "NSA-MOW-instc": (["NSA-BND-sea", "BND-MOW-rail"], ["NSA", "BND", "MOW"]),
    "NSA-MOW-suez": (["NSA-SUZ-sea", "SUZ-NVS-sea", "NVS-MOW-rail"], ["NSA", "SUZ", "NVS", "MOW"]),
    "NSA-LED-instc": (
        ["NSA-BND-sea", "BND-MOW-rail", "MOW-LED-rail"],
        ["NSA", "BND", "MOW", "LED"],
    ),
    "NSA-LED-suez": (
        ["NSA-SUZ-sea", "SUZ-NVS-sea", "NVS-MOW-rail", "MOW-LED-rail"],
        ["NSA", "SUZ", "NVS", "MOW", "LED"],
    ),
    "MAA-MOW-instc": (["MAA-BND-sea", "BND-MOW-rail"], ["MAA", "BND", "MOW"]),
    "MAA-MOW-suez": (["MAA-SUZ-sea", "SUZ-NVS-sea", "NVS-MOW-rail"], ["MAA", "SUZ", "NVS", "MOW"]),
    "MAA-LED-instc": (
        ["MAA-BND-sea", "BND-MOW-rail", "MOW-LED-rail"],
        ["MAA", "BND", "MOW", "LED"],
    ),
}


def _record(route: str, base: float, wait: float) -> dict:
    """Figures with awkward decimals, so rounding is tested: expected, P10, P50, P90."""
    days = [base * 1.03 + 0.011, base * 0.87 + 0.04, base + 0.05, base * 1.21 + 0.0049]
    usd = [base * 104.9 + 0.3, base * 91.37 + 0.5, base * 100.5 + 0.49, base * 123.25 + 1000.5]
    common = {
        "route": route,
        "schedule_wait_days": wait,
        "co2_kg": base * 40.55,
        "borders": 2,
        "transshipments": 3,
    }
    return {
        "transit": {**common, "days": days, "usd": usd},
        "door-to-door": {**common, "days": [d + wait for d in days], "usd": list(usd)},
    }


def small_data() -> dict:
    """Two origins, two destinations, two scenarios, three families (the Cape has no route)."""
    results: dict = {}
    for oi, o in enumerate(("NSA", "MAA")):
        results[o] = {}
        for di, d in enumerate(("MOW", "LED")):
            results[o][d] = {}
            for si, s in enumerate(s["name"] for s in SCENARIOS):
                fams = {}
                base = 20.0 + 3.3 * oi + 2.1 * di + 0.77 * si
                if f"{o}-{d}-instc" in ROUTES:
                    fams["instc-western"] = _record(f"{o}-{d}-instc", base, 0.0)
                if f"{o}-{d}-suez" in ROUTES and s == "baseline":
                    fams["suez"] = _record(f"{o}-{d}-suez", base + 4.0 - 9.0 * di, 2.35)
                transit = min(fams, key=lambda f: fams[f]["transit"]["days"][0])
                door = min(fams, key=lambda f: fams[f]["door-to-door"]["days"][0])
                p = {}
                if "suez" in fams and "instc-western" in fams:
                    p = {"transit": {"suez": 0.7149}, "door-to-door": {"suez": 0.8049}}
                results[o][d][s] = {
                    "families": fams,
                    "best": {"transit": transit, "door-to-door": door},
                    "p_instc_faster": p,
                }
    return {
        "version": 2,
        "title": "INSTC or Suez? Test explorer",
        "credit": "corridormap 0.1.0 · 2025-01-01 · GeoNames, MARNET",
        "draws": 2000,
        "seed": 7,
        "clocks": [
            {"name": "transit", "label": "Transit (from loading)"},
            {"name": "door-to-door", "label": "Door to door (with the wait for the first sailing)"},
        ],
        "places": [
            {"id": i, "name": n, "aliases": a, "country": c, "kind": k, "lat": la, "lon": lo}
            for i, n, a, c, k, la, lo in PLACES
        ],
        "links": {lid: {"mode": m, "name": n, "coords": c} for lid, (m, n, c) in LINKS.items()},
        "families": copy.deepcopy(FAMILIES),
        "scenarios": copy.deepcopy(SCENARIOS),
        "routes": {rid: _route(*v) for rid, v in ROUTES.items()},
        "results": results,
    }


def payload(path: Path) -> dict:
    match = REGISTRY_CALL.match(path.read_text(encoding="utf-8"))
    assert match, path
    return json.loads(match.group(1))


# -- numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("quantity", "value", "text"),
    [
        ("days", 23.45, "23.4"),  # the binary value is below .45: Python's rounding, stated once
        ("days", 23.25, "23.2"),  # a tie: half to even
        ("days", 1234.56, "1,234.6"),
        ("usd", 1234567.5, "1,234,568"),
        ("usd", 0.4, "0"),
        ("co2_kg", 987.5, "988"),
        ("percent", 0.7149, "71"),
        ("percent", 1.0, "100"),
        ("percent", 0.665, "67"),  # as compare prints it: format(0.665, ".2f") is "0.67"
        ("percent", 0.004, "0"),
    ],
)
def test_format_value(quantity, value, text):
    assert format_value(quantity, value) == text


def test_format_value_refuses_an_unknown_quantity():
    with pytest.raises(InputError, match="quantity must be one of"):
        format_value("hours", 1.0)


# -- validation ---------------------------------------------------------------------------
def test_small_data_is_valid():
    check_explorer_data(small_data())


def _broken(edit):
    data = small_data()
    edit(data)
    return data


CELL = "results['NSA']['MOW']['baseline']"


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d.pop("credit"), "data", "missing field 'credit'"),
        (lambda d: d.update(famlies=[]), "data", "did you mean 'families'"),
        (lambda d: d.update(version=1), "version", "reads version 2"),
        (lambda d: d.update(draws=True), "draws", "whole number"),
        (lambda d: d.update(draws=0), "draws", ">= 1"),
        (lambda d: d.update(title=" "), "title", "must not be empty"),
        (lambda d: d["places"][1].update(id="NSA"), "places[1].id", "duplicate id 'NSA'"),
        (lambda d: d["places"][0].update(lat=91), "places[0].lat", "in [-90, 90]"),
        (lambda d: d["places"][0].update(aliases="JNPT"), "places[0].aliases", "expected a list"),
        (
            lambda d: d["links"]["MOW-LED-rail"].update(coords=[[1, 2]]),
            "links['MOW-LED-rail'].coords",
            "at least 2",
        ),
        (
            lambda d: d["links"]["MOW-LED-rail"].update(coords=[[1, 2], [1, float("nan")]]),
            "links['MOW-LED-rail'].coords[1]",
            "finite",
        ),
        (lambda d: d["families"][0].update(color="red"), "families[0].color", "#rrggbb"),
        (
            lambda d: d["families"][0].update(color="#fff;background:url(x)"),
            "families[0].color",
            "#rrggbb",
        ),
        (lambda d: d["families"][0].update(instc="yes"), "families[0].instc", "true or false"),
        (
            lambda d: d["scenarios"][1]["sources"].append(3),
            "scenarios[1].sources[2]",
            "expected text",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["links"].append("NSA-BND-rail"),
            "routes['NSA-MOW-instc'].links[2]",
            "did you mean 'NSA-BND-sea'",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["places"].append("XXX"),
            "routes['NSA-MOW-instc'].places[3]",
            "no place 'XXX'",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["steps"][0].__setitem__(3, "sail"),
            "routes['NSA-MOW-instc'].steps[0][3] (kind)",
            "one of move, dwell",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["steps"][1].__setitem__(1, 5.0),
            "routes['NSA-MOW-instc'].steps[1]",
            "km_to 5.0 is before km_from 1000.0",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["steps"][2].__setitem__(0, 900.0),
            "routes['NSA-MOW-instc'].steps[2]",
            "does not continue",
        ),
        (
            lambda d: d["routes"]["NSA-MOW-instc"]["steps"][0].__setitem__(2, -1),
            "routes['NSA-MOW-instc'].steps[0][2] (hours)",
            "in [0.0, None]",
        ),
        (lambda d: d["results"].update(XXX={}), "results['XXX']", "no place 'XXX'"),
        (lambda d: d["results"]["NSA"].update(NSA={}), "results['NSA']['NSA']", "is the origin"),
        (
            lambda d: d["results"]["NSA"]["MOW"].update(
                closed=d["results"]["NSA"]["MOW"]["baseline"]
            ),
            "results['NSA']['MOW']['closed']",
            "no scenario 'closed'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"].update(Suez={}),
            CELL + ".families['Suez']",
            "did you mean 'suez'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"][
                "door-to-door"
            ].update(route="nope"),
            CELL + ".families['suez']['door-to-door'].route",
            "no route 'nope'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]["transit"].update(
                days=[1, 3, 2, 4]
            ),
            CELL + ".families['suez']['transit'].days",
            "p10 <= p50 <= p90",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]["transit"].update(
                days=[2, 3, 4]
            ),
            CELL + ".families['suez']['transit'].days",
            "[expected, p10, p50, p90]",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]["transit"].update(
                usd=[-1, 3, 3, 4]
            ),
            CELL + ".families['suez']['transit'].usd[0]",
            "in [0.0, None]",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"].pop(
                "door-to-door"
            ),
            CELL + ".families['suez']",
            "missing field 'door-to-door'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]["transit"].update(
                borders=1.5
            ),
            CELL + ".families['suez']['transit'].borders",
            "whole number",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]["transit"].pop(
                "co2_kg"
            ),
            CELL + ".families['suez']['transit']",
            "missing field 'co2_kg'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["best"].update(transit="cape"),
            CELL + ".best['transit']",
            "no family with a route here 'cape'",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["best"].pop("transit"),
            CELL + ".best",
            "for every clock",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["p_instc_faster"]["transit"].update(
                {"instc-western": 0.5}
            ),
            CELL + ".p_instc_faster['transit']['instc-western']",
            "no sea family",
        ),
        (
            lambda d: d["results"]["NSA"]["MOW"]["baseline"]["p_instc_faster"]["transit"].update(
                suez=1.2
            ),
            CELL + ".p_instc_faster['transit']['suez']",
            "in [0.0, 1.0]",
        ),
    ],
)
def test_schema_errors_name_the_field(edit, field, message):
    with pytest.raises(ExplorerDataError) as info:
        check_explorer_data(_broken(edit))
    assert info.value.field == field
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_pair_with_no_route_needs_no_best():
    data = small_data()
    data["results"]["NSA"]["MOW"]["baseline"] = {"families": {}, "best": {}, "p_instc_faster": {}}
    check_explorer_data(data)


# -- the folder ---------------------------------------------------------------------------
def test_write_explorer_folder(tmp_path):
    data = small_data()
    before = copy.deepcopy(data)
    index = write_explorer(data, tmp_path / "site")
    assert data == before  # not modified
    site = tmp_path / "site"
    assert index == site / "index.html"
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == [
        "assets/explorer.css",
        "assets/explorer.js",
        "assets/images/layers-2x.png",
        "assets/images/layers.png",
        "assets/images/marker-icon-2x.png",
        "assets/images/marker-icon.png",
        "assets/images/marker-shadow.png",
        "assets/leaflet.css",
        "assets/leaflet.js",
        "data/basemap.js",
        "data/links.js",
        "data/meta.js",
        "data/origin-000.js",
        "data/origin-001.js",
        "data/steps.js",
        "index.html",
    ]
    page = index.read_text(encoding="utf-8")
    assert external_refs(page) == []
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert (site / src).is_file(), src
    assert "sourceMappingURL" not in (site / "assets/leaflet.js").read_text()

    meta = payload(site / "data/meta.js")
    assert meta["type"] == "meta"
    assert [o[:2] for o in meta["origins"]] == [["NSA", "origin-000.js"], ["MAA", "origin-001.js"]]
    assert [f["color"] for f in meta["families"]][:2] == ["#d62728", "#1f77b4"]
    assert meta["families"][2]["color"].startswith("#")  # a default from styles.ROUTE_COLORS
    modes = {m: (c, label) for m, c, label in meta["modes"]}
    assert modes["rail"] == (MODE_STYLES["rail"]["color"], MODE_STYLES["rail"]["label"])
    assert modes["sea"][0] == MODE_STYLES["sea"]["color"]


def test_origin_payload_carries_the_printed_digits(tmp_path):
    data = small_data()
    write_explorer(data, tmp_path)
    meta = payload(tmp_path / "data/meta.js")
    origin = payload(tmp_path / "data/origin-000.js")
    assert origin["origin"] == "NSA" and set(origin["dests"]) == {"MOW", "LED"}
    cell = unpack_ints(origin["cells"][unpack_ints(origin["dests"]["MOW"])[0]])  # baseline
    families = [f["name"] for f in meta["families"]]
    rec = unpack_ints(origin["records"][cell[families.index("suez")]])
    given = data["results"]["NSA"]["MOW"]["baseline"]["families"]["suez"]
    n = meta["block"]
    assert len(rec) == 2 * n  # a block per clock, the second less the first
    # decode as explorer.js does: [route, p50, p50 - p10, p90 - p50, expected - p50 (days,
    # then usd), wait, co2, borders, transshipments]
    t = rec[:n]
    p50, lo, hi, e = t[1:5]
    days = [p50 + e, p50 - lo, p50, p50 + hi]
    assert [f"{d // 10:,}.{d % 10}" for d in days] == [
        format_value("days", v) for v in given["transit"]["days"]
    ]
    u50, ulo, uhi, ue = t[5:9]
    assert [f"{u:,}" for u in (u50 + ue, u50 - ulo, u50, u50 + uhi)] == [
        format_value("usd", v) for v in given["transit"]["usd"]
    ]
    door = [v + d for v, d in zip(t, rec[n:], strict=True)]
    assert door[0] == t[0]  # the same route on both clocks
    assert door[1] == int(format_value("days", given["door-to-door"]["days"][2]).replace(".", ""))
    assert rec[n + 5 : n + 9] == [0, 0, 0, 0]  # the same cost: zeros
    # then the wait (tenths of a day), CO2 kg, borders and transshipments
    assert format_value("days", given["transit"]["schedule_wait_days"]) == "2.4" and t[9] == 24
    assert format_value("co2_kg", given["transit"]["co2_kg"]) == "973" and t[10:] == [973, 2, 3]
    assert cell[families.index("cape")] == -1  # no route
    # then the best family per clock, and P(INSTC faster) in percent per clock and sea family
    assert cell[3:] == [families.index("instc-western")] * 2 + [71, -1, 80, -1]


@pytest.mark.parametrize(
    "values",
    [[], [0], [-1, 1, -16, 15, 16, -17], [2**31, -(2**31), 10**12], list(range(-600, 600, 7))],
)
def test_packed_integers_round_trip(values):
    text = pack_ints(values)
    assert unpack_ints(text) == values
    assert re.fullmatch(r"[0-9A-Za-z_-]*", text)
    if values == [0]:
        assert text == "0"


def test_routes_share_prefixes_and_links_are_stored_once(tmp_path):
    data = small_data()
    write_explorer(data, tmp_path)
    links = payload(tmp_path / "data/links.js")["links"]
    ids = [row[0] for row in links]
    assert len(ids) == len(set(ids))
    origin = payload(tmp_path / "data/origin-000.js")

    def expand(which: int, r: int) -> list[int]:
        enc = unpack_ints(origin["routes"][r][which])
        rest = enc[2:]
        return rest if enc[0] < 0 else expand(which, enc[0])[: enc[1]] + rest

    got = {tuple(ids[i] for i in expand(1, r)) for r in range(len(origin["routes"]))}
    want = {tuple(v[0]) for k, v in ROUTES.items() if k.startswith("NSA")}
    assert got == want
    # NSA-LED-instc extends NSA-MOW-instc
    assert any(unpack_ints(r[1])[0] >= 0 for r in origin["routes"])
    # coordinates: deltas in 1e-4 degrees
    row = links[ids.index("MOW-LED-rail")]
    assert unpack_ints(row[3]) == [376200, 557500, -72600, 41800]


def test_rewriting_removes_origins_the_new_build_lacks(tmp_path):
    data = small_data()
    write_explorer(data, tmp_path)
    (tmp_path / "data" / "mine.js").write_text("kept")
    del data["results"]["MAA"]
    write_explorer(data, tmp_path)
    assert not (tmp_path / "data/origin-001.js").exists()
    assert (tmp_path / "data/origin-000.js").exists()
    assert (tmp_path / "data/mine.js").read_text() == "kept"


def test_invalid_data_writes_nothing(tmp_path):
    data = small_data()
    data["families"][0]["color"] = "blue"
    with pytest.raises(ExplorerDataError):
        write_explorer(data, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_out_dir_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputPathError, match="not a directory"):
        write_explorer(small_data(), target)


def test_self_contained_is_one_file_with_no_external_reference(tmp_path):
    index = write_explorer(small_data(), tmp_path, self_contained=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]
    page = index.read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert "<script src=" not in page and "<link" not in page
    assert page.count('type="application/json" id="cx-data-origin-') == 2
    assert "url(images/" not in page  # Leaflet's icons as data URIs


HOSTILE = {
    "place": "<img src=x onerror=alert(1)>",
    "alias": "</script><script>alert(2)</script>",
    "scenario": "</SCRIPT ><svg onload=alert(3)>",
    "source": "\u2028'\"`${alert(4)}`</script>",
    "label": "{{ 7*7 }} & <b>bold</b>",
}


def hostile_data() -> dict:
    data = small_data()
    data["title"] = HOSTILE["place"] + " title"
    data["credit"] = HOSTILE["alias"]
    data["places"][0]["name"] = HOSTILE["place"]
    data["places"][0]["aliases"].append(HOSTILE["alias"])
    data["scenarios"][1]["title"] = HOSTILE["scenario"]
    data["scenarios"][1]["description"] = HOSTILE["label"]
    data["scenarios"][1]["sources"].append(HOSTILE["source"])
    data["families"][1]["label"] = HOSTILE["label"]
    data["links"]["NSA-BND-sea"]["name"] = HOSTILE["scenario"]
    data["routes"]["NSA-MOW-instc"]["steps"][1][5] = HOSTILE["place"]
    return data


@pytest.mark.parametrize("self_contained", [False, True])
def test_hostile_text_never_closes_a_script_or_forms_markup(tmp_path, self_contained):
    write_explorer(hostile_data(), tmp_path, self_contained=self_contained)
    files = [
        p for p in tmp_path.rglob("*") if p.suffix in (".js", ".html") and "assets" not in p.parts
    ]
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == "index.html" and self_contained:  # leave out Leaflet's own code
            text = re.sub(r"<script>/\* @preserve\s+\* Leaflet.*?</script>", "", text, flags=re.S)
        for value in HOSTILE.values():
            assert value not in text, (path.name, value)
        low = text.lower()
        assert "<img" not in low and "<svg" not in low and "\u2028" not in text
        if path.suffix == ".js":
            assert "<" not in text and ">" not in text and "&" not in text
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    # the page's own scripts only: each <script ...> is closed by its own </script>
    opens = len(re.findall(r"<script\b", page, re.I))
    closes = len(re.findall(r"</script", page, re.I))
    assert opens == closes
    assert "&lt;img src=x onerror=alert(1)&gt; title" in page  # the title, escaped
