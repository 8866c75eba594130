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


# -- the evidence register, for the backtest, the calibration and replays ---------------------
OBSERVED = 'observed = { low = 9.0, high = 9.0, unit = "days" }'
EVENTS = (
    'events = [{ date = "2022-06-01", text = "left Alpha" }, '
    '{ date = "2022-06-10", text = "reached Delta" }]\n'
)
EVIDENCE_CASES = [
    ("high inf", OBSERVED, OBSERVED.replace("high = 9.0", "high = inf"),
     "field 'observed.high': must be a finite number"),
    ("high 1e308 days", OBSERVED, OBSERVED.replace("high = 9.0", "high = 1e308"),
     "field 'observed.high': must be a finite number of at most 3,660 days"),
    ("low nan", OBSERVED, OBSERVED.replace("low = 9.0", "low = nan"),
     "field 'observed.low': must be a finite number"),
    ("high soon", OBSERVED, OBSERVED.replace("high = 9.0", 'high = "soon"'),
     "field 'observed.high': must be a number, got 'soon'"),
    ("event without text", 'text = "left Alpha"', 'note = "left Alpha"', "field 'events[0]'"),
    ("path entry without place", '{ place = "Delta", by = "rail" }]\nobserved = { low = 9.0',
     '{ by = "rail" }]\nobserved = { low = 9.0', "field 'path[1].place'"),
]  # fmt: skip


def _replay_register(geo, old=None, new=None):
    """``geo``'s register with events on ``a-d-door`` (``old`` replaced by ``new`` after), and
    a scenes.toml replaying it."""
    text = (geo / "evidence.toml").read_text()
    head, rest = text.split('id = "a-d-door"', 1)
    rest = rest.replace('notes = "test row"\n', 'notes = "test row"\n' + EVENTS, 1)
    text = head + 'id = "a-d-door"' + rest
    if old is not None:
        assert old in text
        text = text.replace(old, new, 1) if "a-d-door" not in old else text.replace(old, new)
    (geo / "evidence.toml").write_text(text)
    (geo / "scenes.toml").write_text(
        '[shipment]\ntitle = "A shipment"\ndescription = "replayed"\nreplay = ["a-d-door"]\n'
    )
    return geo


def test_the_replay_of_a_valid_register_draws(geo, tmp_path, capsys):
    _replay_register(geo)
    assert main(["map", "shipment", "--data", str(geo), "--out", str(tmp_path / "o")]) == 0


@pytest.mark.parametrize(
    ("case", "old", "new", "expected"), EVIDENCE_CASES, ids=[c[0] for c in EVIDENCE_CASES]
)
@pytest.mark.parametrize("command", ["backtest", "calibrate", "map"])
def test_bad_evidence_rows_are_one_line_for_every_reader(
    geo, tmp_path, capsys, case, old, new, expected, command
):
    if case in ("high inf", "high 1e308 days", "low nan", "high soon"):
        # the a-d-door row's observation, as the replayed row (it is the register's third)
        text = (geo / "evidence.toml").read_text()
        i = text.index('id = "a-d-door"')
        j = text.index(OBSERVED, i)
        (geo / "evidence.toml").write_text(text[:j] + new + text[j + len(OBSERVED) :])
        _replay_register(geo)
    else:
        _replay_register(geo, old, new)
    out = tmp_path / "o"
    argv = {
        "backtest": ["backtest", "--format", "json", "--out", str(out / "b.json")],
        "calibrate": ["calibrate", "--format", "json", "--out", str(out / "c.json")],
        "map": ["map", "shipment", "--out", str(out)],
    }[command]
    err = _one_line_error(capsys, main([*argv, "--data", str(geo)]))
    assert "evidence.toml" in err and "'a-d-door'" in err and expected in err
    assert not out.exists()


# -- volume files -----------------------------------------------------------------------------
def _volumes(tmp_path, flow: str = "", top: str = "") -> str:
    path = tmp_path / "V.toml"
    path.write_text(
        f'name = "v"\n{top}[[flow]]\nid = "f"\nfrom = "Alpha"\nto = "Delta"\namount = 1.0\n'
        f'source = "test"\n{flow}' + ("" if "unit" in flow else 'unit = "Mt/yr"\n')
    )
    return str(path)


VOLUME_CASES = [
    ("period 1e-300", 'unit = "TEU"\nperiod_days = 1e-300\n', "", "field 'period_days'",
     "from 1 to 3,660"),
    ("period beside a per-year unit", "period_days = 30\n", "", "field 'period_days'",
     "already per yr"),
    ("bare count without period", 'unit = "containers"\n', "", "field 'period_days'",
     "bare count"),
    ("unknown unit", 'unit = "barrels/yr"\n', "", "field 'unit'", "is not a count"),
    ("modes empty", "modes = []\n", "", "field 'modes'", "is empty"),
    ("modes hovercraft", 'modes = ["hovercraft"]\n', "", "field 'modes'",
     "'hovercraft' is not one of rail"),
    ("amount inf", "", "", "field 'amount'", "between 0 and 1e12"),
    ("notes not text", "notes = 5\n", "", "field 'notes'", "must be a text"),
    ("year not a year", 'year = "2024"\n', "", "field 'year'", "must be a year"),
    ("description not text", "", "description = 5\n", "field 'description'", "must be a text"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "flow", "top", "field", "expected"), VOLUME_CASES, ids=[c[0] for c in VOLUME_CASES]
)
def test_bad_volume_files_are_one_line(
    tmp_path, tiny_dir, capsys, case, flow, top, field, expected
):
    path = _volumes(tmp_path, flow, top)
    if case == "amount inf":
        (tmp_path / "V.toml").write_text((tmp_path / "V.toml").read_text().replace("1.0", "inf"))
    err = _one_line_error(capsys, main(["assign", path, "--data", str(tiny_dir)]))
    assert "V.toml" in err and field in err and expected in err
    if not top:
        assert "'f'" in err


def test_a_flow_from_a_place_to_itself_is_refused(tmp_path, capsys):
    from test_assign import EXTRA_PARAMS

    d = write_geodata(tmp_path / "geo", tiny(), PARAMS + EXTRA_PARAMS)
    same = _volumes(tmp_path)
    (tmp_path / "V.toml").write_text(
        (tmp_path / "V.toml").read_text().replace('"Delta"', '"Alpha"')
    )
    err = _one_line_error(capsys, main(["assign", same, "--data", str(d)]))
    assert "'f'" in err and "field 'to'" in err and "starts and ends at 'Alpha'" in err
    (tmp_path / "V.toml").write_text(
        (tmp_path / "V.toml").read_text().replace('to = "Alpha"', 'to = "A"')
    )
    err = _one_line_error(capsys, main(["assign", same, "--data", str(d)]))
    assert "V.toml: flow 'f': 'Alpha' and 'A' are the same place" in err


# -- families.toml ----------------------------------------------------------------------------
FAMILIES_OK = (
    'reference = "sea"\n'
    '[[family]]\nname = "land"\nlabel = "Land"\ninstc = true\nclose_places = ["X"]\n'
    '[[family]]\nname = "sea"\nlabel = "Sea"\ninstc = false\nclose_links = ["B-C"]\n'
)
FAMILY_CASES = [
    ("duplicate name", FAMILIES_OK.replace('name = "land"', 'name = "sea"'),
     "feature 'sea': field 'name': two families are named 'sea'"),
    ("unknown place", FAMILIES_OK.replace('["X"]', '["Xx"]'),
     "feature 'land': field 'close_places': names place 'Xx', which is not in the network"),
    ("unknown link", FAMILIES_OK.replace('["B-C"]', '["B-CC"]'),
     "feature 'sea': field 'close_links': names link 'B-CC'"),
    ("unknown mode", FAMILIES_OK.replace('close_places = ["X"]', 'close_modes = ["hovercraft"]'),
     "field 'close_modes': 'hovercraft' is not one of rail"),
    ("instc a string", FAMILIES_OK.replace("instc = true", 'instc = "false"'),
     "feature 'land': field 'instc': must be true or false"),
    ("reference a list", FAMILIES_OK.replace('reference = "sea"', 'reference = ["sea"]'),
     "field 'reference': names no family"),
    ("reference an INSTC branch", FAMILIES_OK.replace('reference = "sea"', 'reference = "land"'),
     "field 'reference': 'land' is an INSTC branch"),
    ("no family", 'reference = "sea"\nfamily = []\n', "defines no route family"),
    ("label not text", FAMILIES_OK.replace('label = "Land"', "label = 5"),
     "feature 'land': field 'label': must be a text"),
    ("unknown key", FAMILIES_OK.replace('label = "Land"', 'lable = "Land"'),
     "feature 'land': field 'lable': unknown key"),
]  # fmt: skip


def test_a_valid_families_toml_compares(tiny_dir, capsys):
    (tiny_dir / "families.toml").write_text(FAMILIES_OK)
    assert main(["compare", "Echo", "Alpha", "--draws", "20", "--data", str(tiny_dir)]) == 0


@pytest.mark.parametrize(
    ("case", "text", "expected"), FAMILY_CASES, ids=[c[0] for c in FAMILY_CASES]
)
@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_bad_families_are_one_line(tiny_dir, tmp_path, capsys, case, text, expected, command):
    (tiny_dir / "families.toml").write_text(text)
    argv = {
        "compare": ["compare", "Echo", "Alpha", "--draws", "20"],
        "sweep": ["sweep", "--origins", "E", "--destinations", "A", "--draws", "20",
                  "--scheduler", "none", "--out", str(tmp_path / "t.csv")],
    }[command]  # fmt: skip
    err = _one_line_error(capsys, main([*argv, "--data", str(tiny_dir)]))
    assert "families.toml" in err and expected in err
    assert not (tmp_path / "t.csv").exists()


# -- analysis.toml ----------------------------------------------------------------------------
ANALYSIS_CASES = [
    ("bottlenecks = 5", "bottlenecks = 5\n", ["bottlenecks"],
     "feature 'bottlenecks': must be a table"),
    ('demo = "x"', 'demo = "x"\n', ["demo"], "feature 'demo': must be a table"),
    ("compare without stem", '[[demo.compare]]\nfrom = "Echo"\nto = "Alpha"\n', ["demo"],
     "feature 'demo.compare[0]': field 'stem': is required"),
    ("scenarios a text", '[demo]\nscenarios = "rasht"\n', ["demo"],
     "feature 'demo': field 'scenarios': must be a list"),
    ("unknown key", "[bottleneck]\npairs = []\n", ["bottlenecks"],
     "field 'bottleneck': unknown key"),
    ("pairs of three", '[bottlenecks]\npairs = [["Alpha", "Beta", "Delta"]]\n', ["bottlenecks"],
     "field 'pairs': item 0 must be [origin, destination]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "text", "argv", "expected"), ANALYSIS_CASES, ids=[c[0] for c in ANALYSIS_CASES]
)
def test_bad_analysis_toml_is_one_line(tiny_dir, tmp_path, capsys, case, text, argv, expected):
    (tiny_dir / "analysis.toml").write_text(text)
    out = tmp_path / "out"
    extra = ["--out", str(out)] if argv == ["demo"] else []
    err = _one_line_error(capsys, main([*argv, *extra, "--data", str(tiny_dir)]))
    assert "analysis.toml" in err and expected in err
    assert not out.exists()


# -- scenes.toml: checked before anything is written ------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[broken\n", "scenes.toml: is not valid TOML"),
        (
            '[s]\ntitle = "t"\ndescription = "d"\n[[s.routes]]\nfrom = "Alpha"\nto = "Delta"\n'
            'label = "x"\nby = "fastest"\n',
            "scenes.toml: feature 's.routes[0]': field 'by': by must be one of",
        ),
        ('[s]\ntitle = 5\ndescription = "d"\nnetwork = true\n', "field 'title'"),
    ],
    ids=["not toml", "unknown objective", "title not text"],
)
@pytest.mark.parametrize("command", ["map", "demo"])
def test_a_broken_scenes_toml_writes_nothing(tiny_dir, tmp_path, capsys, text, expected, command):
    (tiny_dir / "scenes.toml").write_text(text)
    out = tmp_path / "out"
    err = _one_line_error(capsys, main([command, "--data", str(tiny_dir), "--out", str(out)]))
    assert expected in err
    assert not out.exists()


# -- scenario files ---------------------------------------------------------------------------
def _scenario(tmp_path, name: str, changes: str, *, file: str) -> str:
    path = tmp_path / file
    path.write_text(f'name = "{name}"\n[changes]\n{changes}')
    return str(path)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[changes.capacity.node]\nD = 0\n",
         "field 'changes.capacity.node': capacity factor for 'D' must be above 0"),
        ("[changes.capacity.mode]\nrail = 0\n", "field 'changes.capacity.mode'"),
        ("[changes.speed]\nrail = 0\n",
         "field 'changes.speed': speed factor for 'rail' must be above 0"),
        ('description = 5\n[changes]\nclose_links = ["A-B"]\n',
         "field 'description': must be a text"),
    ],
    ids=["capacity node 0", "capacity mode 0", "speed 0", "description not text"],
)  # fmt: skip
def test_bad_scenario_files_are_one_line(tmp_path, tiny_dir, capsys, body, expected):
    path = tmp_path / "s.toml"
    path.write_text(f'name = "s"\n{body}')
    argv = ["scenario", str(path), "--pair", "Alpha", "Delta", "--data", str(tiny_dir)]
    err = _one_line_error(capsys, main(argv))
    assert "s.toml" in err and "feature 's'" in err and expected in err


@pytest.mark.parametrize("command", ["scenario", "sweep", "volumes"])
def test_two_scenarios_of_one_name_are_refused(tmp_path, tiny_dir, capsys, command):
    a = _scenario(tmp_path, "same", 'close_links = ["A-B"]\n', file="a.toml")
    b = _scenario(tmp_path, "same", 'close_links = ["C-D"]\n', file="b.toml")
    argv = {
        "scenario": ["scenario", a, b, "--pair", "Alpha", "Delta"],
        "sweep": ["sweep", "--origins", "E", "--destinations", "A", "--scenario", a,
                  "--scenario", b, "--scheduler", "none", "--out", str(tmp_path / "t.csv")],
        "volumes": ["scenario", a, b, "--volumes", _volumes(tmp_path)],
    }[command]  # fmt: skip
    err = _one_line_error(capsys, main([*argv, "--data", str(tiny_dir)]))
    assert "two different scenarios are named 'same' (a.toml and b.toml)" in err
    assert not (tmp_path / "t.csv").exists()
    # the same scenario twice is not an error
    if command == "scenario":
        assert main(["scenario", a, a, "--pair", "Alpha", "Delta", "--data", str(tiny_dir)]) == 0
