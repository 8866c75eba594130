"""Guard: every data file is validated once, and bad data is one line naming where.

Geodata (nodes, links, parameters, regions), the evidence register, volume files,
families.toml, analysis.toml, scenes.toml and scenario files: types, finiteness, ids that
exist, enumerations; the command exits 2 with one line naming the file, the entry and the
field, writes nothing and keeps what was there.
"""

from __future__ import annotations

import pytest

import corridormap as cm
from _guard import GOOD, ROUTE, _data, _one_line_error
from conftest import PARAMS, P, tiny, write_geodata
from corridormap.cli import main
from test_io import CASES, _link, _node

SWAPPED = (
    "lon and lat swapped",
    lambda d: _node(d, "A")["geometry"].update(coordinates=[50.0, 40.0]),
    ("nodes.geojson", "'A'", "outside RU"),
)


FAR = (
    "point far from its country",
    lambda d: _node(d, "D")["geometry"].update(coordinates=[10.0, 27.0]),
    ("nodes.geojson", "'D'", "outside IR"),
)


WRONG_TYPE = (
    "aliases not a list",
    lambda d: _node(d, "A")["properties"].update(aliases=3),
    ("'A'", "'aliases'", "list of texts"),
)


INF = (
    "infinite length",
    lambda d: _link(d, "A-B")["properties"].update(length_km=1e309),
    ("links.geojson", "Infinity", "not a number GeoJSON allows"),
)


ALL_CASES = [*CASES, SWAPPED, FAR, WRONG_TYPE, INF]


@pytest.mark.parametrize(
    ("case", "mutate", "expected"),
    [SWAPPED, FAR, WRONG_TYPE, INF],
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_more_bad_geodata(tmp_path, case, mutate, expected):
    data = tiny()
    mutate(data)
    d = write_geodata(tmp_path / "bad", data)
    with pytest.raises(cm.GeodataError) as info:
        cm.load_geodata(d)
    for part in expected:
        assert part in str(info.value)


@pytest.mark.parametrize(("case", "mutate", "expected"), ALL_CASES, ids=[c[0] for c in ALL_CASES])
def test_cli_bad_data_exits_2_and_keeps_output(tmp_path, capsys, case, mutate, expected):
    data = tiny()
    mutate(data)
    d = write_geodata(tmp_path / "bad", data)
    out = tmp_path / "out" / "route.json"
    out.parent.mkdir()
    out.write_text(GOOD)
    code = main(
        ["route", "Alpha", "Delta", "--data", str(d), "--format", "json", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("corridormap: error: ")
    assert expected[0] in err
    assert out.read_text() == GOOD
    assert sorted(p.name for p in out.parent.iterdir()) == ["route.json"]


def test_cli_bad_data_creates_no_file(tmp_path, capsys):
    data = tiny()
    _link(data, "A-B")["properties"]["mode"] = "raod"
    d = write_geodata(tmp_path / "bad", data)
    out = tmp_path / "new.json"
    assert main(["route", "Alpha", "Delta", "--data", str(d), "--out", str(out)]) == 2
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "bad"]


def test_unknown_place_and_empty_name(tiny_dir, capsys):
    assert main(["route", "Zulu", "Alpha", "--data", str(tiny_dir)]) == 2
    assert "no place 'Zulu'" in capsys.readouterr().err
    assert main(["route", "", "Alpha", "--data", str(tiny_dir)]) == 2


def test_cli_scenario_with_unknown_id(tmp_path, capsys):
    bad = tmp_path / "typo.toml"
    bad.write_text(
        'name = "typo"\ndescription = "x"\nsources = ["y"]\n[changes]\nclose_nodes = ["HORMUZ"]\n'
    )
    out = tmp_path / "scenario.json"
    out.write_text(GOOD)
    code = main(
        ["scenario", str(bad), "--pair", "Mumbai", "Moscow", "--format", "json", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "typo.toml" in err and "'HORMUZ'" in err and "did you mean 'HOR'" in err
    assert len(err.strip().splitlines()) == 1
    assert out.read_text() == GOOD


@pytest.mark.parametrize(
    "argv",
    [
        ["places"],
        ["route", "Alpha", "Delta"],
        ["compare", "Alpha", "Delta", "--draws", "10"],
        ["map", "overview"],
        ["bottlenecks"],
        ["capacity", "Alpha", "Delta"],
        ["scenario", "baseline", "--pair", "Alpha", "Delta"],
        ["demo"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_refuses_bad_data_in_one_line(tmp_path, capsys, argv):
    data = tiny()
    _link(data, "A-B")["properties"]["mode"] = "raod"
    d = write_geodata(tmp_path / "bad", data)
    out = tmp_path / "out"
    extra = ["--out", str(out)] if argv[0] in ("map", "demo") else []
    code = main([*argv, "--data", str(d), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("corridormap: error: links.geojson: feature 'A-B': field 'mode'")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("node", "x"),
        ("node", "place"),
        ("node", "layer"),
        ("node", "lon"),
        ("link", "geometry"),
        ("link", "u_place"),
        ("link", "key"),
        ("link", "time_h"),
    ],
)
def test_clashing_property_names_refused(tmp_path, capsys, kind, name):
    def mutate(data):
        feat = _node(data, "A") if kind == "node" else _link(data, "A-B")
        feat["properties"][name] = 1

    d = _data(tmp_path, mutate)
    with pytest.raises(cm.GeodataError, match=f"field '{name}'.*sets itself"):
        cm.load_network(d)
    _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))


def test_clashing_names_refused_for_geodata_built_in_code(tiny_dir):
    gd = cm.load_geodata(tiny_dir)
    gd.nodes["A"]["place"] = "elsewhere"
    with pytest.raises(cm.GeodataError, match="field 'place'"):
        cm.build_network(gd)


RAIL_SPEED = P(30, 20, 40)


@pytest.mark.parametrize(
    ("case", "params", "expected"),
    [
        ("zero speed", PARAMS.replace(RAIL_SPEED, P(0), 1), "modes.rail.speed_kmh"),
        ("tiny speed", PARAMS.replace(RAIL_SPEED, P(1e-320), 1), "modes.rail.speed_kmh"),
        (
            "huge rate",
            PARAMS.replace(f"cost_usd_per_teu_km = {P(1.0)}", f"cost_usd_per_teu_km = {P(1e308)}"),
            "modes.road.cost_usd_per_teu_km",
        ),
        (
            "negative dwell",
            PARAMS.replace(f"dwell_h = {P(12)}", f"dwell_h = {P(-1)}", 1),
            "transfers.rail_road.dwell_h",
        ),
    ],
    ids=["zero-speed", "tiny-speed", "huge-rate", "negative-dwell"],
)
def test_weights_validated_at_load(tmp_path, capsys, case, params, expected):
    d = _data(tmp_path, params=params)
    with pytest.raises(cm.GeodataError) as info:
        cm.load_network(d)
    assert "parameters.toml" in str(info.value) and expected in str(info.value)
    code = main([*ROUTE, "--data", str(d), "--format", "json"])
    err = _one_line_error(capsys, code)
    assert "parameters.toml" in err and expected in err


def test_absurd_length_refused(tmp_path):
    d = _data(tmp_path, lambda data: _link(data, "A-B")["properties"].update(length_km=1e6))
    with pytest.raises(cm.GeodataError, match=r"'A-B'.*'length_km'.*at most 50,000 km"):
        cm.load_geodata(d)


@pytest.mark.parametrize("factor", [1e308, 1e-320, 1e7, 10**400])
def test_absurd_scenario_factor_refused(factor):
    doc = {"name": "s", "changes": {"speed": {"rail": factor}}}
    with pytest.raises(cm.ScenarioError, match=r"changes\.speed.*between 1e-6 and 1e6"):
        cm.Scenario.from_dict(doc, "s.toml")


@pytest.mark.parametrize(
    ("case", "params", "expected"),
    [
        (
            "by_country = 5",
            PARAMS.replace("[modes.road]\n", "[modes.road]\nby_country = 5\n", 1),
            "modes.road.by_country",
        ),
        ("transfers.x = 5", "transfers.x = 5\n" + PARAMS, "transfers.x"),
        (
            "canals = [1, 2]",
            "canals = [1, 2]\n"
            + PARAMS.split("[canals.kanal]")[0]
            + "[services.line]"
            + PARAMS.split("[services.line]")[1],
            "canals",
        ),
        (
            "services.line = 'x'",
            'services.line = "x"\n'
            + PARAMS.split("[services.line]")[0]
            + "[services.feeder]"
            + PARAMS.split("[services.feeder]")[1],
            "services.line",
        ),
    ],
    ids=["by_country=5", "transfers.x=5", "canals=[1,2]", "services.line='x'"],
)
def test_wrong_type_tables(tmp_path, capsys, case, params, expected):
    d = _data(tmp_path, params=params)
    with pytest.raises(cm.GeodataError) as info:
        cm.load_geodata(d)
    assert f"parameters.toml: feature {expected!r}: must be a table" in str(info.value)
    _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))


def test_regions_of_wrong_type(tmp_path, capsys):
    d = _data(tmp_path)
    (d / "regions.toml").write_text("regions = 5\n")
    with pytest.raises(cm.GeodataError, match=r"regions\.toml: feature 'regions': must be a table"):
        cm.load_geodata(d)
    _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))


def test_pipe_in_place_id_refused(tmp_path, capsys):
    def mutate(data):
        _node(data, "D")["properties"]["id"] = "D|x"
        for f in data["links"]:
            for end in ("from", "to"):
                if f["properties"][end] == "D":
                    f["properties"][end] = "D|x"

    d = _data(tmp_path, mutate)
    with pytest.raises(cm.GeodataError, match=r"'D\|x' holds '\|'"):
        cm.load_geodata(d)
    _one_line_error(capsys, main(["route", "Alpha", "D|x", "--data", str(d)]))


def test_id_colliding_with_a_layer_node_refused(tmp_path, capsys):
    # C has a road layer ('C|road'): a place with that id must not become it
    def mutate(data):
        from conftest import node

        data["nodes"].append(node("C|road", 46.5, 40.5, country="IR", name="Collider"))

    d = _data(tmp_path, mutate)
    code = main(["route", "Alpha", "Collider", "--data", str(d)])
    err = _one_line_error(capsys, code)
    assert "'C|road'" in err and "'|'" in err


def test_control_character_in_id_refused(tmp_path):
    d = _data(tmp_path, lambda data: _node(data, "E")["properties"].update(id="E\x1b[2J"))
    with pytest.raises(cm.GeodataError, match="control characters"):
        cm.load_geodata(d)


def test_pipe_in_id_refused_for_geodata_built_in_code(tiny_dir):
    gd = cm.load_geodata(tiny_dir)
    gd.nodes["Q|road"] = dict(gd.nodes["A"], id="Q|road")
    with pytest.raises(cm.GeodataError, match=r"'\|'"):
        cm.build_network(gd)


def test_capacity_unknown_mode(tiny_dir, capsys):
    code = main(["capacity", "Alpha", "Delta", "--mode", "teleport", "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert "no mode 'teleport'" in err and "rail" in err
    code = main(["capacity", "Alpha", "Delta", "--mode", "rali", "--data", str(tiny_dir)])
    assert "did you mean 'rail'" in _one_line_error(capsys, code)
    assert main(["capacity", "Alpha", "Delta", "--mode", "rail", "--data", str(tiny_dir)]) == 0
