"""Validation of geodata directories: clear errors naming file, feature and field."""

from __future__ import annotations

import json

import pytest

import corridormap as cm
from conftest import PARAMS, tiny, write_geodata


def _mutate(tmp_path, fn, params=PARAMS):
    data = tiny()
    fn(data)
    return write_geodata(tmp_path / "bad", data, params)


def _link(data, lid):
    return next(f for f in data["links"] if f["properties"]["id"] == lid)


def _node(data, nid):
    return next(f for f in data["nodes"] if f["properties"]["id"] == nid)


CASES = [
    (
        "unknown mode",
        lambda d: _link(d, "A-B")["properties"].update(mode="raod"),
        ("links.geojson", "'A-B'", "'mode'", "did you mean 'road'"),
    ),
    (
        "unknown status",
        lambda d: _link(d, "A-B")["properties"].update(status="open"),
        ("links.geojson", "'A-B'", "'status'"),
    ),
    (
        "unknown kind",
        lambda d: _node(d, "A")["properties"].update(kind="town"),
        ("nodes.geojson", "'A'", "'kind'"),
    ),
    (
        "missing source",
        lambda d: _node(d, "A")["properties"].pop("source"),
        ("nodes.geojson", "'A'", "'source'"),
    ),
    (
        "empty source",
        lambda d: _link(d, "A-B")["properties"].update(source="  "),
        ("links.geojson", "'A-B'", "'source'"),
    ),
    (
        "bad basis",
        lambda d: _link(d, "A-B")["properties"].update(basis="guess"),
        ("links.geojson", "'A-B'", "'basis'"),
    ),
    (
        "negative length",
        lambda d: _link(d, "A-B")["properties"].update(length_km=-5),
        ("'A-B'", "'length_km'", "greater than zero"),
    ),
    (
        "zero length",
        lambda d: _link(d, "A-B")["properties"].update(length_km=0),
        ("'A-B'", "'length_km'"),
    ),
    (
        "length shorter than the chord",
        lambda d: _link(d, "A-B")["properties"].update(length_km=5),
        ("'A-B'", "'length_km'", "straight distance"),
    ),
    (
        "length as text",
        lambda d: _link(d, "A-B")["properties"].update(length_km="600"),
        ("'A-B'", "'length_km'", "must be a number"),
    ),
    (
        "unknown endpoint",
        lambda d: _link(d, "A-B")["properties"].update(to="Q"),
        ("'A-B'", "'to'", "not in nodes.geojson"),
    ),
    (
        "duplicate node id",
        lambda d: d["nodes"].append(d["nodes"][0]),
        ("nodes.geojson", "'A'", "more than one"),
    ),
    (
        "duplicate link id",
        lambda d: d["links"].append(d["links"][0]),
        ("links.geojson", "'A-B'", "more than one"),
    ),
    (
        "geometry off its endpoint",
        lambda d: _link(d, "A-B")["geometry"]["coordinates"][0].__setitem__(0, 10.0),
        ("'A-B'", "'geometry'", "not at node 'A'"),
    ),
    (
        "point out of range",
        lambda d: _node(d, "A")["geometry"].update(coordinates=[200.0, 50.0]),
        ("nodes.geojson", "'A'", "out of range"),
    ),
    (
        "line with one position",
        lambda d: _link(d, "A-B")["geometry"].update(coordinates=[[40.0, 50.0]]),
        ("'A-B'", "at least two"),
    ),
    (
        "point that is a line",
        lambda d: _node(d, "A").update(
            geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
        ),
        ("nodes.geojson", "'A'", "must be a Point"),
    ),
    (
        "sea link without service",
        lambda d: _link(d, "E-D")["properties"].pop("services"),
        ("'E-D'", "'services'"),
    ),
    (
        "unknown service",
        lambda d: _link(d, "E-D")["properties"].update(services=["nope"]),
        ("'E-D'", "'services'", "not in parameters.toml"),
    ),
    (
        "rail link without gauge",
        lambda d: _link(d, "A-B")["properties"].pop("gauge"),
        ("'A-B'", "'gauge'"),
    ),
    (
        "bad country code",
        lambda d: _node(d, "A")["properties"].update(country="Russia"),
        ("'A'", "'country'"),
    ),
    ("missing id", lambda d: _node(d, "A")["properties"].pop("id"), ("nodes.geojson", "'id'")),
    ("empty network", lambda d: d.update(links=[]), ("links.geojson", "no links")),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_geodata(tmp_path, case, mutate, expected):
    directory = _mutate(tmp_path, mutate)
    with pytest.raises(cm.GeodataError) as info:
        cm.load_geodata(directory)
    msg = str(info.value)
    for part in expected:
        assert part in msg, f"{part!r} not in {msg!r}"


def test_malformed_json(tmp_path):
    directory = write_geodata(tmp_path / "bad")
    (directory / "links.geojson").write_text('{"type": "FeatureCollection", "features": [', "utf-8")
    with pytest.raises(cm.GeodataError, match=r"links.geojson: is not valid JSON"):
        cm.load_geodata(directory)


def test_nan_in_json(tmp_path):
    directory = write_geodata(tmp_path / "bad")
    text = (directory / "links.geojson").read_text("utf-8")
    doc = json.loads(text)
    doc["features"][0]["properties"]["length_km"] = 1.0
    (directory / "links.geojson").write_text(
        json.dumps(doc).replace('"length_km": 1.0', '"length_km": NaN', 1), "utf-8"
    )
    with pytest.raises(cm.GeodataError, match="NaN"):
        cm.load_geodata(directory)


def test_not_a_feature_collection(tmp_path):
    directory = write_geodata(tmp_path / "bad")
    (directory / "nodes.geojson").write_text('{"type": "Feature"}', "utf-8")
    msg = r"nodes\.geojson: is not a GeoJSON FeatureCollection"
    with pytest.raises(cm.GeodataError, match=msg):
        cm.load_geodata(directory)


def test_missing_file_and_directory(tmp_path):
    directory = write_geodata(tmp_path / "bad")
    (directory / "nodes.geojson").unlink()
    with pytest.raises(cm.GeodataError, match=r"nodes\.geojson: file not found"):
        cm.load_geodata(directory)
    with pytest.raises(cm.GeodataError, match="does not exist"):
        cm.load_geodata(tmp_path / "nowhere")


def test_bad_parameters(tmp_path):
    bad = PARAMS.replace(
        "[modes.road]\nspeed_kmh = { low = 40", "[modes.road]\nspeed_kmh = { low = 400"
    )
    directory = write_geodata(tmp_path / "bad", params=bad)
    with pytest.raises(
        cm.GeodataError,
        match=r"parameters.toml: feature 'modes.road.speed_kmh'.*low <= likely <= high",
    ):
        cm.load_geodata(directory)
    directory = write_geodata(tmp_path / "bad2", params=PARAMS + "\n[[oops")
    with pytest.raises(cm.GeodataError, match=r"parameters\.toml: is not valid TOML"):
        cm.load_geodata(directory)
