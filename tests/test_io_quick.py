"""The quick checks of the usual node and link agree with the full checks.

``load_geodata`` checks a feature of the usual shape (plain texts and numbers, float positions)
by one quick test, and gives every other feature the full checks. Each case here loads a small
network with one feature changed, once as it is and once with the quick tests turned off, and
both must give the same data (key order included) or the same error.
"""

from __future__ import annotations

import json
import math
import random

import pytest

import corridormap as cm
from conftest import link, node, tiny, write_geodata
from corridormap import _quick, _schema, io

IR_BOX = io.country_bounds()["IR"]


def _outcome(directory):
    try:
        gd = cm.load_geodata(directory)
    except cm.GeodataError as exc:
        return ("error", str(exc), exc.file, exc.feature, exc.field)
    return (
        "ok",
        [(fid, list(p.items())) for fid, p in gd.nodes.items()],
        [(fid, list(p.items())) for fid, p in gd.links.items()],
        [(fid, list(p.items())) for fid, p in gd.stations.items()],
    )


def _both(directory, monkeypatch):
    """The load's outcome with the quick tests, and without them."""
    quick = _outcome(directory)
    with monkeypatch.context() as m:
        m.setattr(_quick, "quick_link", lambda *args: None)
        m.setattr(_quick, "quick_point", lambda *args: None)
        m.setattr(_schema, "_usual_id", lambda fid: False)
        m.setattr(_schema, "_SCALARS", frozenset())
        full = _outcome(directory)
    return quick, full


def _feature(data, fid):
    return next(f for f in data["nodes"] + data["links"] if f["properties"]["id"] == fid)


def _set(fid, **props):
    def change(data):
        p = _feature(data, fid)["properties"]
        for key, value in props.items():
            if value is _DROP:
                p.pop(key, None)
            else:
                p[key] = value

    return change


def _geometry(fid, coords):
    def change(data):
        _feature(data, fid)["geometry"]["coordinates"] = coords

    return change


def _add_node(lon, lat, country):
    def change(data):
        data["nodes"].append(node("Q", lon, lat, country=country))

    return change


_DROP = object()
LONG = "x" * (_schema.MAX_TEXT + 1)
FULL = "x" * _schema.MAX_TEXT
DEEP = 1
for _ in range(_schema.MAX_PROPERTY_DEPTH):
    DEEP = [DEEP]

CASES = {
    "as it is": lambda data: None,
    # a link ("A-B", rail, checked quickly as it is)
    "length true": _set("A-B", length_km=True),
    "length zero": _set("A-B", length_km=0),
    "length zero float": _set("A-B", length_km=0.0),
    "length negative": _set("A-B", length_km=-5),
    "length text": _set("A-B", length_km="900"),
    "length null": _set("A-B", length_km=None),
    "length whole": _set("A-B", length_km=900),
    "length too short": _set("A-B", length_km=500),
    "length longest": _set("A-B", length_km=50_000),
    "length too long": _set("A-B", length_km=50_000.5),
    "length of 400 digits": _set("A-B", length_km=10**400),
    "gauge true": _set("A-B", gauge=True),
    "gauge text": _set("A-B", gauge="1520"),
    "gauge zero": _set("A-B", gauge=0),
    "gauge too large": _set("A-B", gauge=1e13),
    "gauge largest": _set("A-B", gauge=10**12),
    "gauge fraction": _set("A-B", gauge=1520.5),
    "gauge missing": _set("A-B", gauge=_DROP),
    "gauge on road": _set("A-B", mode="road", gauge="wide"),
    "source empty": _set("A-B", source=""),
    "source spaces": _set("A-B", source=" \t"),
    "source ideographic space": _set("A-B", source="\u3000"),
    "source too long": _set("A-B", source=LONG),
    "source longest": _set("A-B", source=FULL),
    "source number": _set("A-B", source=5),
    "notes null": _set("A-B", notes=None),
    "notes empty": _set("A-B", notes=""),
    "notes number": _set("A-B", notes=5),
    "notes too long": _set("A-B", notes=LONG),
    "mode sea without services": _set("A-B", mode="sea"),
    "mode capitalised": _set("A-B", mode="Rail"),
    "mode list": _set("A-B", mode=["rail"]),
    "mode null": _set("A-B", mode=None),
    "status list": _set("A-B", status=["open"]),
    "status planned": _set("A-B", status="planned"),
    "basis table": _set("A-B", basis={"a": 1}),
    "basis unknown": _set("A-B", basis="guess"),
    "status unknown": _set("A-B", status="open"),
    "from number": _set("A-B", **{"from": 5}),
    "from unknown": _set("A-B", **{"from": "Z"}),
    "from list": _set("A-B", **{"from": ["A"]}),
    "from is to": _set("A-B", to="A"),
    "to missing": _set("A-B", to=_DROP),
    "extra property": _set("A-B", colour="red"),
    "reserved property": _set("A-B", kind="x"),
    "branch": _set("A-B", branch=["north"]),
    "via empty": _set("A-B", via=[]),
    "opened": _set("A-B", opened="2019", opened_source="test"),
    "nests as deep as allowed": _set("A-B", deep=DEEP),
    "nests too deep": _set("A-B", deep=[DEEP]),
    "id with a space": _set("A-B", id="A-B "),
    "id with a bar": _set("A-B", id="A|B"),
    "id with a control character": _set("A-B", id="A-B\x00"),
    "id with a no-break space": _set("A-B", id="A\u00a0B"),
    "id longest": _set("A-B", id="x" * 200),
    "id too long": _set("A-B", id="x" * 201),
    "id number": _set("A-B", id=7),
    "id used twice": _set("A-B", id="B-C"),
    "whole coordinates": _geometry("A-B", [[40, 50], [42, 47.5], [44, 45]]),
    "three coordinates": _geometry("A-B", [[40.0, 50.0, 1.0], [44.0, 45.0, 2.0]]),
    "true coordinate": _geometry("A-B", [[40.0, 50.0], [44.0, True]]),
    "latitude out of range": _geometry("A-B", [[40.0, 50.0], [44.0, 95.0], [44.0, 45.0]]),
    "one coordinate": _geometry("A-B", [[40.0, 50.0], [44.0]]),
    "a tuple of text": _geometry("A-B", [[40.0, 50.0], "44,45"]),
    "one position": _geometry("A-B", [[40.0, 50.0]]),
    "starts off its node": _geometry("A-B", [[40.03, 50.0], [44.0, 45.0]]),
    "starts off its node's latitude": _geometry("A-B", [[40.0, 50.03], [44.0, 45.0]]),
    "ends off its node": _geometry("A-B", [[40.0, 50.0], [44.03, 45.0]]),
    "ends off its node's latitude": _geometry("A-B", [[40.0, 50.0], [44.0, 45.03]]),
    "ends within the tolerance": _geometry("A-B", [[40.0, 50.0], [44.0, 45.019]]),
    # a node ("B", checked quickly as it is)
    "name spaces": _set("B", name="  "),
    "name ideographic space": _set("B", name="\u3000"),
    "name number": _set("B", name=5),
    "name too long": _set("B", name=LONG),
    "country lower case": _set("B", country="ru"),
    "country with a digit": _set("B", country="R1"),
    "country of three letters": _set("B", country="RUS"),
    "country without a box": _set("B", country="ZZ"),
    "country far away": _set("B", country="IR"),
    "kind unknown": _set("B", kind="town"),
    "kind list": _set("B", kind=["city"]),
    "kind missing": _set("B", kind=_DROP),
    "node basis list": _set("B", basis=["official"]),
    "node basis unknown": _set("B", basis="guess"),
    "node gauge true": _set("B", gauge=True),
    "node gauge zero": _set("B", gauge=0),
    "node gauge text": _set("B", gauge="1520"),
    "node gauge": _set("B", gauge=1520),
    "node notes number": _set("B", notes=5),
    "aliases": _set("B", aliases=["Bee"]),
    "aliases as text": _set("B", aliases="Bee"),
    "reserved node property": _set("B", lon=1),
    "node whole coordinates": _geometry("B", [44, 45]),
    "node three coordinates": _geometry("B", [44.0, 45.0, 3.0]),
    "node one coordinate": _geometry("B", [44.0]),
    "node longitude out of range": _geometry("B", [200.0, 45.0]),
    # a node at the edges of its country's box widened by the tolerance
    "west edge": _add_node(IR_BOX[0] - 1.0, 30.0, "IR"),
    "past the west edge": _add_node(math.nextafter(IR_BOX[0] - 1.0, -180), 30.0, "IR"),
    "inside the west edge": _add_node(math.nextafter(IR_BOX[0] - 1.0, 0), 30.0, "IR"),
    "north edge": _add_node(50.0, IR_BOX[3] + 1.0, "IR"),
    "past the north edge": _add_node(50.0, math.nextafter(IR_BOX[3] + 1.0, 90), "IR"),
    "east edge": _add_node(IR_BOX[2] + 1.0, 30.0, "IR"),
    "past the east edge": _add_node(math.nextafter(IR_BOX[2] + 1.0, 180), 30.0, "IR"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_quick_checks_agree_with_the_full_checks(tmp_path, monkeypatch, case):
    data = tiny()
    CASES[case](data)
    quick, full = _both(write_geodata(tmp_path / "geo", data), monkeypatch)
    assert quick == full


def test_the_usual_features_are_checked_quickly(tmp_path):
    """The cases above test the quick checks, not only the full ones."""
    data = tiny()
    write_geodata(tmp_path / "geo", data)
    gd = cm.load_geodata(tmp_path / "geo")
    link = next(f for f in data["links"] if f["properties"]["id"] == "A-B")
    raw = link["geometry"]["coordinates"]
    assert _quick.quick_link(dict(link["properties"]), raw, gd.nodes, 0.02) == [
        tuple(c) for c in raw
    ]
    b = next(f for f in data["nodes"] if f["properties"]["id"] == "B")
    boxes = _quick.inner_boxes(io.country_bounds(), io.COUNTRY_TOLERANCE_DEG)
    assert _quick.quick_point(dict(b["properties"]), [44.0, 45.0], True, boxes) == (44.0, 45.0)
    assert _schema._usual_id("A-B")


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, True, False, 0, -0.0, 5, "5", None]
)
def test_quick_link_refuses_what_json_cannot_hold_or_is_not_usual(tmp_path, value):
    """NaN and infinities cannot come from a file; the quick test refuses them all the same."""
    data = tiny()
    write_geodata(tmp_path / "geo", data)
    nodes = cm.load_geodata(tmp_path / "geo").nodes
    link = next(f for f in data["links"] if f["properties"]["id"] == "A-B")
    raw = link["geometry"]["coordinates"]
    for key in ("length_km", "gauge"):
        props = {**link["properties"], key: value}
        if value == 5 and type(value) is int:
            assert _quick.quick_link(props, raw, nodes, 0.02) is not None
        else:
            assert _quick.quick_link(props, raw, nodes, 0.02) is None, (key, value)
    bad = [[raw[0][0], value], raw[-1]]
    assert _quick.quick_link(dict(link["properties"]), bad, nodes, 0.02) is None


@pytest.mark.parametrize(
    ("value", "usual"),
    [
        ("A-B", True),
        ("x" * 200, True),
        ("", False),
        (" ", False),
        ("\u3000", False),
        (" A", False),
        ("\u00a0x", False),
        ("a|b", False),
        ("a\tb", False),
        ("x" * 201, False),
        (7, False),
    ],
)
def test_usual_id(value, usual):
    """An id the quick test passes is one :func:`_schema.feature_id` accepts as it is."""
    assert _schema._usual_id(value) is usual
    if usual:
        assert _schema.feature_id({"properties": {"id": value}}, "f", 0) == value


def test_a_short_link_before_another_fault_is_reported_first(tmp_path, monkeypatch):
    """The quick links' lengths are checked at once, yet the first fault in the file is named."""
    data = tiny()
    _set("A-B", length_km=500)(data)  # the first link; too short for its ends
    _set("C-D", mode="raod")(data)  # a later link with another fault
    quick, full = _both(write_geodata(tmp_path / "geo", data), monkeypatch)
    assert quick == full
    assert quick[3] == "A-B"


def test_a_fault_before_a_short_link_is_reported_first(tmp_path, monkeypatch):
    data = tiny()
    _set("A-B", mode="raod")(data)
    _set("F-A", length_km=5)(data)
    quick, full = _both(write_geodata(tmp_path / "geo", data), monkeypatch)
    assert quick == full
    assert quick[3] == "A-B"


def test_chords_agree_with_the_check_of_one_link():
    """:class:`_quick.Chords` rejects exactly the lengths :func:`io._check_chord` rejects.

    The lengths are put at 0.9 times the chord and a rounding step either side.
    """
    rng = random.Random(26)
    for _ in range(300):
        a = (rng.uniform(-180, 180), rng.uniform(-90, 90))
        if rng.random() < 0.2:  # near the antipode, where the chord is hardest to compute
            b = (a[0] - math.copysign(180, a[0]) + rng.uniform(-1e-3, 1e-3), -a[1])
        else:
            b = (a[0] + rng.uniform(-5, 5), max(-90.0, min(90.0, a[1] + rng.uniform(-5, 5))))
            b = ((b[0] + 180) % 360 - 180, b[1])
        edge = 0.9 * io.haversine_km(a, b)
        for length in (math.nextafter(edge, 0), edge, math.nextafter(edge, math.inf)):
            if length <= 0:
                continue
            try:
                io._check_chord(length, a, b, "f", "L")
                one = None
            except cm.GeodataError as exc:
                one = str(exc)
            chords = _quick.Chords(io.EARTH_RADIUS_KM)
            chords.add("L", length, [a, b])
            try:
                chords.check("f", io._check_chord)
                many = None
            except cm.GeodataError as exc:
                many = str(exc)
            assert one == many, (a, b, length)


def _with_station(tmp_path, via, lon=42.0, lat=47.5):
    """The tiny network with a station S at (lon, lat) and link A-B passing through ``via``."""
    data = tiny()
    _set("A-B", via=via)(data)
    directory = write_geodata(tmp_path / "geo", data)
    doc = {"type": "FeatureCollection", "features": [node("S", lon, lat)]}
    (directory / "stations.geojson").write_text(json.dumps(doc), encoding="utf-8")
    return directory


def test_a_link_through_its_station(tmp_path):
    gd = cm.load_geodata(_with_station(tmp_path, ["S"]))
    assert gd.links["A-B"]["via"] == ("S",)
    assert list(gd.stations) == ["S"]


def test_a_link_naming_an_unknown_station(tmp_path):
    with pytest.raises(cm.GeodataError, match="names station 'T', which is not in stations"):
        cm.load_geodata(_with_station(tmp_path, ["T"]))


def test_a_link_not_through_its_station(tmp_path):
    with pytest.raises(cm.GeodataError, match="does not pass through station 'S'"):
        cm.load_geodata(_with_station(tmp_path, ["S"], lon=42.5))


EMPTY: tuple = ()


def test_the_usual_features_share_their_texts_and_sequences(tmp_path):
    """Equal texts of quick-checked features are one object (a parsed file has a string per
    occurrence), a link's ends are its nodes' own ids, and empty sequences are one tuple."""
    data = tiny()
    a, b = (next(f for f in data["nodes"] if f["properties"]["id"] == n) for n in "AB")
    data["links"] += [link(f"A-B-{i}", a, b, "rail", gauge=1520) for i in (2, 3, 4)]
    gd = cm.load_geodata(write_geodata(tmp_path / "geo", data))
    rail = [gd.links[f"A-B-{i}"] for i in (2, 3, 4)]
    for key in _quick.LINK_TEXTS:
        assert len({id(p[key]) for p in rail if p[key] == rail[0][key]}) == 1, key
    for p in rail:
        assert p["from"] is next(k for k in gd.nodes if k == p["from"])
        assert p["via"] is p["branch"] is p["services"] is EMPTY
    usual = [f["properties"]["id"] for f in data["nodes"]]
    usual = [gd.nodes[n] for n in usual if data_keys(data, n) <= _quick.POINT_KEYS]
    assert len(usual) >= 3
    for key in ("source", "basis"):
        assert len({id(p[key]) for p in usual}) == 1, key
    assert gd.nodes["B"]["aliases"] is EMPTY
    assert gd.nodes["A"]["aliases"] == ("Alef",)  # the full checks' tuple


def data_keys(data, fid):
    return _feature(data, fid)["properties"].keys()


def test_a_station_kind_that_is_no_text_is_left_as_it_is():
    p = {"kind": ["depot"], "source": "a", "country": "RU"}
    texts = {"a": "a"}
    _quick.share_texts(p, _quick.POINT_TEXTS, texts)
    assert p["kind"] == ["depot"] and texts == {"a": "a", "RU": "RU"}
