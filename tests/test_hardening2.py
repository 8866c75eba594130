"""Hardening, round two (issue 12, items 2-20): writes that respect what is at the path,
bounded inputs, clear errors instead of tracebacks, no silent wrong answers.

Every test stays inside ``tmp_path`` and needs no root: special files are FIFOs made there,
or symbolic links to ``/dev/null`` and ``/dev/zero`` that must be refused before anything is
written to or read from them.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import corridormap as cm
from conftest import PARAMS, P, tiny, write_geodata
from corridormap import _schema as v
from corridormap._atomic import OutputPathError, atomic_write, clean_stale
from corridormap._errors import InputError
from corridormap.cli import main
from corridormap.cli._pairs import MAX_PAIRS
from corridormap.cli.route import MAX_K
from test_io import _link, _node

GOOD = '{"kept": true}\n'
ROUTE = ["route", "Alpha", "Delta"]


def _one_line_error(capsys, code: int, expected: int = 2) -> str:
    err = capsys.readouterr().err
    assert code == expected, err
    assert err.startswith("corridormap: error: "), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


def _data(tmp_path: Path, mutate=None, params: str = PARAMS) -> Path:
    data = tiny()
    if mutate is not None:
        mutate(data)
    return write_geodata(tmp_path / "geo", data, params)


def _run_isolated(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Python ``code`` in a child with 2 GB of address space at most, so a read that
    never ends (a FIFO, /dev/zero) fails the test instead of hanging or eating the machine."""

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


# -- 2. writes respect what is at the path ----------------------------------------------------
def test_write_through_symlink_replaces_the_target_not_the_link(tmp_path, tiny_dir, capsys):
    real = tmp_path / "real.json"
    real.write_text(GOOD)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["origin"] == "A"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geo", "link.json", "real.json"]


def test_fifo_output_refused_and_kept(tmp_path, tiny_dir, capsys):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(fifo)])
    err = _one_line_error(capsys, code)
    assert "FIFO" in err and str(fifo) in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("option", ["--out", "--chart"])
def test_device_output_refused_before_writing(tmp_path, tiny_dir, capsys, option):
    # a link to /dev/null: the refusal comes before anything is opened for writing
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    argv = ["compare", "Echo", "Alpha", "--draws", "10", "--data", str(tiny_dir)]
    code = main([*argv, option, str(link)])
    err = _one_line_error(capsys, code)
    assert "character device" in err and "/dev/null" in err
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_directory_output_refused_naming_it_not_a_temp_file(tmp_path, tiny_dir, capsys):
    target = tmp_path / "isdir"
    target.mkdir()
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(target)])
    err = _one_line_error(capsys, code)
    assert str(target) in err and "directory" in err and ".tmp" not in err
    assert list(target.iterdir()) == []


def test_existing_file_keeps_its_mode(tmp_path, tiny_dir, capsys):
    out = tmp_path / "secret.json"
    out.write_text(GOOD)
    out.chmod(0o600)
    assert main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() != GOOD


def test_new_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o600


def test_atomic_write_api_refuses_special_files(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError, match="FIFO"):
        atomic_write(fifo, "x")
    assert isinstance(OutputPathError("x"), cm.CorridormapError)


# -- 3. an output path equal to an input file ---------------------------------------------------
@pytest.mark.parametrize("name", ["nodes.geojson", "links.geojson", "parameters.toml"])
def test_output_equal_to_a_geodata_file_refused(tmp_path, capsys, name):
    d = _data(tmp_path)
    before = (d / name).read_bytes()
    code = main([*ROUTE, "--data", str(d), "--format", "json", "--out", str(d / name)])
    err = _one_line_error(capsys, code)
    assert "input file" in err and name in err
    assert (d / name).read_bytes() == before
    assert cm.load_geodata(d)  # the next run still works


def test_chart_over_parameters_refused(tmp_path, capsys):
    d = _data(tmp_path)
    before = (d / "parameters.toml").read_bytes()
    argv = ["compare", "Echo", "Alpha", "--draws", "10", "--data", str(d)]
    code = main([*argv, "--chart", str(d / "parameters.toml")])
    assert "input file" in _one_line_error(capsys, code)
    assert (d / "parameters.toml").read_bytes() == before


def test_output_through_a_link_to_an_input_refused(tmp_path, capsys):
    d = _data(tmp_path)
    link = tmp_path / "innocent.json"
    link.symlink_to(d / "nodes.geojson")
    before = (d / "nodes.geojson").read_bytes()
    code = main([*ROUTE, "--data", str(d), "--out", str(link)])
    assert "input file" in _one_line_error(capsys, code)
    assert (d / "nodes.geojson").read_bytes() == before


def test_output_equal_to_pairs_or_scenario_file_refused(tmp_path, tiny_dir, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("Alpha,Delta\n")
    argv = ["bottlenecks", "--pairs-file", str(pairs), "--data", str(tiny_dir)]
    code = main([*argv, "--out", str(pairs)])
    assert "input file" in _one_line_error(capsys, code)
    assert pairs.read_text() == "Alpha,Delta\n"
    scen = tmp_path / "mine.toml"
    text = 'name = "mine"\ndescription = "x"\nsources = ["y"]\n[changes]\nclose_links = ["A-B"]\n'
    scen.write_text(text)
    argv = ["scenario", str(scen), "--pair", "Alpha", "Delta", "--data", str(tiny_dir)]
    code = main([*argv, "--map", str(scen)])
    assert "input file" in _one_line_error(capsys, code)
    assert scen.read_text() == text


def test_same_output_twice_refused(tmp_path, tiny_dir, capsys):
    out = tmp_path / "both"
    code = main([*ROUTE, "--data", str(tiny_dir), "--out", str(out), "--map", str(out)])
    assert "same file" in _one_line_error(capsys, code)
    assert not out.exists()


# -- 4. only regular files are read -----------------------------------------------------------
READ = (
    "import sys, corridormap as cm\n"
    "try:\n"
    "    cm.load_geodata(sys.argv[1])\n"
    "except cm.GeodataError as exc:\n"
    "    print(exc)\n"
)


def test_fifo_as_geodata_file_is_refused_not_waited_on(tmp_path):
    d = _data(tmp_path)
    (d / "nodes.geojson").unlink()
    os.mkfifo(d / "nodes.geojson")
    res = _run_isolated(READ, str(d))
    assert "nodes.geojson: cannot be read: it is a FIFO" in res.stdout, res.stderr[-2000:]


def test_link_to_dev_zero_is_refused_not_read(tmp_path):
    d = _data(tmp_path)
    (d / "links.geojson").unlink()
    (d / "links.geojson").symlink_to("/dev/zero")
    res = _run_isolated(READ, str(d))
    assert "links.geojson: cannot be read: it is a character device" in res.stdout, res.stderr[
        -2000:
    ]


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_pairs_file_must_be_a_regular_file(tmp_path, kind):
    d = _data(tmp_path)
    pairs = tmp_path / "pairs.csv"
    if kind == "fifo":
        os.mkfifo(pairs)
    else:
        pairs.symlink_to("/dev/zero")
    code = "import sys; from corridormap.cli import main; sys.exit(main(sys.argv[1:]))"
    res = _run_isolated(code, "bottlenecks", "--pairs-file", str(pairs), "--data", str(d))
    assert res.returncode == 2, res.stderr[-2000:]
    assert "not a regular file" in res.stderr and str(pairs) in res.stderr


def test_geodata_file_size_is_checked_after_following_links(tmp_path, monkeypatch):
    monkeypatch.setattr(cm.io, "MAX_FILE_BYTES", 256 * 2**20)
    d = _data(tmp_path)
    big = tmp_path / "big.geojson"
    with open(big, "wb") as fh:  # sparse: no disk used
        fh.truncate(300 * 1024**2)
    (d / "nodes.geojson").unlink()
    (d / "nodes.geojson").symlink_to(big)
    with pytest.raises(cm.GeodataError, match=r"nodes\.geojson: is 300 MiB; files over 256"):
        cm.load_geodata(d)


# -- 5. bounded counts --------------------------------------------------------------------------
def test_draws_bounded_on_the_command_line(tiny_dir, capsys):
    code = main(["compare", "Echo", "Alpha", "--draws", "1000000000", "--data", str(tiny_dir)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--draws: must be at most 2,000,000" in err


def test_draws_bounded_in_the_api(tiny_G):
    with pytest.raises(InputError, match="draws must be between 1 and 2,000,000"):
        cm.compare(tiny_G, "Echo", "Alpha", draws=10**9)
    with pytest.raises(ValueError, match="draws must be a whole number"):
        cm.compare(tiny_G, "Echo", "Alpha", draws=1.5)


def test_k_bounded(tiny_dir, capsys):
    code = main([*ROUTE, "-k", str(MAX_K + 1), "--data", str(tiny_dir)])
    err = capsys.readouterr().err
    assert code == 2 and f"-k: must be at most {MAX_K}" in err


def test_seed_bounded(tiny_dir, capsys):
    code = main(["compare", "Echo", "Alpha", "--seed", "-1", "--data", str(tiny_dir)])
    assert code == 2 and "--seed: must be at least 0" in capsys.readouterr().err


def test_pairs_bounded(tmp_path, tiny_dir, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("Alpha,Delta\n" * (MAX_PAIRS + 1))
    code = main(["bottlenecks", "--pairs-file", str(pairs), "--data", str(tiny_dir)])
    assert f"at most {MAX_PAIRS:,}" in _one_line_error(capsys, code)


# -- 6. feature counts --------------------------------------------------------------------------
def test_feature_count_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(v, "MAX_FEATURES", 1_000)
    d = _data(tmp_path)
    n = v.MAX_FEATURES + 1
    feats = ',{"type": "Feature", "properties": {}}' * n
    (d / "links.geojson").write_text(
        '{"type": "FeatureCollection", "features": [' + feats[1:] + "]}"
    )
    with pytest.raises(cm.GeodataError, match=f"holds {n:,} features; at most {n - 1:,} are"):
        cm.load_geodata(d)


def test_total_vertex_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(v, "MAX_TOTAL_VERTICES", 10)
    d = _data(tmp_path)  # nine links of three vertices
    with pytest.raises(cm.GeodataError, match="over 10 vertices in all"):
        cm.load_geodata(d)


# -- 7. deep nesting ------------------------------------------------------------------------------
def test_deeply_nested_json_is_an_error_not_a_recursion_error(tmp_path, capsys):
    d = _data(tmp_path)
    (d / "nodes.geojson").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(cm.GeodataError, match=r"nodes\.geojson: is nested too deeply"):
        cm.load_geodata(d)
    err = _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))
    assert "nested too deeply" in err


def test_deeply_nested_toml_is_an_error(tmp_path, capsys):
    deep = "deep = " + "[" * 200_000 + "]" * 200_000 + "\n"
    d = _data(tmp_path, params=deep + PARAMS)
    with pytest.raises(cm.GeodataError, match=r"parameters\.toml: is nested too deeply"):
        cm.load_geodata(d)
    scen = tmp_path / "deep.toml"
    scen.write_text('name = "deep"\n' + deep)
    code = main(["scenario", str(scen), "--pair", "Alpha", "Delta", "--data", str(d)])
    assert "nested too deeply" in _one_line_error(capsys, code)


def test_deeply_nested_property_refused(tmp_path):
    def mutate(data):
        _node(data, "A")["properties"]["extra"] = json.loads("[" * 100 + "]" * 100)

    d = _data(tmp_path, mutate)
    with pytest.raises(cm.GeodataError, match=r"'extra'.*more than 16 levels deep"):
        cm.load_geodata(d)


# -- 8. huge integers ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("where", "mutate", "expected"),
    [
        (
            "length_km",
            lambda d: _link(d, "A-B")["properties"].update(length_km=10**400),
            "field 'length_km'",
        ),
        (
            "coordinate",
            lambda d: _node(d, "A")["geometry"].update(coordinates=[10**400, 50]),
            "not a finite number",
        ),
        ("gauge", lambda d: _link(d, "A-B")["properties"].update(gauge=10**400), "field 'gauge'"),
    ],
    ids=lambda c: c if isinstance(c, str) else "",
)
def test_huge_integer_is_an_error(tmp_path, capsys, where, mutate, expected):
    d = _data(tmp_path, mutate)
    with pytest.raises(cm.GeodataError, match=expected):
        cm.load_geodata(d)
    assert expected in _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))


def test_huge_integer_parameter_is_an_error(tmp_path):
    d = _data(tmp_path, params=PARAMS.replace(P(150), P(10**400), 1))
    with pytest.raises(cm.GeodataError, match=r"transfers\.port\.cost_usd_per_teu.*finite"):
        cm.load_geodata(d)


# -- 9. property names that clash with the network's own attributes ---------------------------
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


# -- 10. every weight finite and positive ----------------------------------------------------
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


# -- 11. tables of the wrong type ---------------------------------------------------------------
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


# -- 12/13. ids that could pose as the network's internal node names --------------------------
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


# -- 14. capacity --mode -----------------------------------------------------------------------
def test_capacity_unknown_mode(tiny_dir, capsys):
    code = main(["capacity", "Alpha", "Delta", "--mode", "teleport", "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert "no mode 'teleport'" in err and "rail" in err
    code = main(["capacity", "Alpha", "Delta", "--mode", "rali", "--data", str(tiny_dir)])
    assert "did you mean 'rail'" in _one_line_error(capsys, code)
    assert main(["capacity", "Alpha", "Delta", "--mode", "rail", "--data", str(tiny_dir)]) == 0


# -- 15. stale temporary files ------------------------------------------------------------------
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_files_cleaned_on_next_write(tmp_path):
    old = time.time() - 3600
    dead = tmp_path / f".route.json.{_dead_pid()}-abcd_123.tmp"
    legacy = tmp_path / ".map.html.k3j_x9qa.tmp"  # the naming before the writer's pid
    fresh_dead = tmp_path / f".other.json.{_dead_pid()}-zzzzzzzz.tmp"  # just written
    live = tmp_path / f".route.json.{os.getppid()}-abcdefgh.tmp"  # its writer is running
    mine = tmp_path / ".notes.tmp"  # not our naming
    for p in (dead, legacy, fresh_dead, live, mine):
        p.write_text("half")
    os.utime(dead, (old, old))
    os.utime(legacy, (old - 2 * 86400, old - 2 * 86400))
    os.utime(live, (old, old))
    atomic_write(tmp_path / "route.json", "{}")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["route.json", fresh_dead.name, live.name, mine.name])


def test_clean_stale_keeps_directories_and_links(tmp_path):
    d = tmp_path / ".x.1-abcdefgh.tmp"
    d.mkdir()
    target = tmp_path / "t"
    target.write_text("keep")
    ln = tmp_path / ".y.1-abcdefgh.tmp"
    ln.symlink_to(target)
    assert clean_stale(tmp_path, now=time.time() + 10 * 86400) == []
    assert d.is_dir() and ln.is_symlink() and target.read_text() == "keep"


# -- 16. map draws every page before writing any ------------------------------------------------
def test_map_writes_nothing_when_a_scene_fails(tmp_path, monkeypatch, capsys):
    import folium

    import corridormap.render as render
    import corridormap.render.mapscenes as drawing

    scenes = list(render.SCENES)

    def fake_draw(view, **kwargs):
        if view.scene.name == scenes[-1]:
            raise cm.GeodataError("the last scene needs a place this data lacks")
        return folium.Map(tiles=None)

    monkeypatch.setattr(drawing, "draw_scene", fake_draw)
    out = tmp_path / "maps"
    out.mkdir()
    (out / f"map-{scenes[0]}.html").write_text("previous")
    code = main(["map", "--out", str(out)])
    assert "the last scene" in _one_line_error(capsys, code)
    assert [p.name for p in out.iterdir()] == [f"map-{scenes[0]}.html"]
    assert (out / f"map-{scenes[0]}.html").read_text() == "previous"


# -- 17. control characters and spreadsheet formulas ------------------------------------------
EVIL = "Alpha\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def test_control_characters_neutralised_in_tables(tmp_path, capsys):
    d = _data(tmp_path, lambda data: _node(data, "A")["properties"].update(name=EVIL))
    assert main(["places", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e" in out
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert main(["route", "A", "Delta", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    assert "\\x1b[2J" in out and not any(c in out for c in "\x1b\x07\x9b\u202e")


def test_control_characters_neutralised_in_errors(tmp_path, capsys):
    def mutate(data):  # two places share an alias: the error lists both names
        _node(data, "A")["properties"].update(name=EVIL, aliases=["Shared"])
        _node(data, "F")["properties"].update(aliases=["Shared"])

    code = main(["route", "Shared", "Delta", "--data", str(_data(tmp_path, mutate))])
    err = _one_line_error(capsys, code)
    assert "ambiguous" in err and "\\x1b[2J" in err
    assert not any(c in err for c in "\x1b\x07\x9b\u202e")


def test_json_output_escapes_c1_and_bidi_controls(tmp_path, capsys):
    d = _data(tmp_path, lambda data: _node(data, "A")["properties"].update(name=EVIL))
    assert main(["places", "--format", "json", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\x9b\u202e")
    assert json.loads(out)[0]["name"] == EVIL


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_cannot_start_a_formula(tmp_path, capsys, start):
    name = start + 'HYPERLINK("http://example.invalid","x")'
    d = _data(tmp_path, lambda data: _node(data, "A")["properties"].update(name=name))
    assert main(["places", "--format", "csv", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    import csv
    import io

    cells = [row["name"] for row in csv.DictReader(io.StringIO(out))]
    assert "'" + name in cells
    assert main(["route", "A", "Delta", "--format", "csv", "--data", str(d)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["from_name"] == "'" + name


def test_csv_numbers_are_not_quoted():
    from corridormap._format import csv_text, frame_csv_text

    text = csv_text([{"a": -3.5, "b": "-x"}], ["a", "b"])
    assert text.splitlines()[1] == "-3.5,'-x"
    import pandas as pd

    assert (
        frame_csv_text(pd.DataFrame({"a": [-1.0], "b": ["=1+1"]})).splitlines()[1] == "-1.0,'=1+1"
    )


# -- 18. the API: copies, single strings, wrong types -------------------------------------------


def test_single_string_where_a_list_is_expected(tiny_G):
    with pytest.raises(InputError, match=r"avoid must be a list .* write \['Beta'\]"):
        cm.route(tiny_G, "Alpha", "Delta", avoid="Beta")
    assert v.as_names(("a", "b"), "via") == ["a", "b"]
    assert v.as_names(None, "via") == []
    with pytest.raises(InputError, match="via must be a list of names"):
        v.as_names("Tehran", "via")
    with pytest.raises(InputError, match="via must hold names"):
        v.as_names(["Tehran", 5], "via")
    with pytest.raises(TypeError):
        v.as_names(5, "via")


@pytest.mark.parametrize(
    "call",
    [
        lambda G: cm.route(None, "Alpha", "Delta"),
        lambda G: cm.route(G, None, "Delta"),
        lambda G: cm.alternatives(G, 1, 2),
        lambda G: cm.places(None),
        lambda G: cm.resolve_place(G, 5),
        lambda G: cm.compare(None, "Echo", "Alpha", draws=10),
        lambda G: cm.compare(G, "Echo", "Alpha", draws="10"),
        lambda G: cm.graph_to_gdfs(None),
        lambda G: cm.load_geodata(5),
        lambda G: cm.build_network({"nodes": {}}),
        lambda G: cm.widest_path(None, "Alpha", "Delta"),
        lambda G: cm.corridor_map(None),
        lambda G: cm.min_cut(None, "Alpha", "Delta"),
        lambda G: cm.flow_betweenness(None),
        lambda G: cm.apply_scenario(None, "baseline"),
        lambda G: cm.compare_scenarios(None, [("Alpha", "Delta")], ["baseline"]),
    ],
    ids=[
        "route-G",
        "route-origin",
        "alternatives",
        "places",
        "resolve_place",
        "compare-G",
        "compare-draws",
        "graph_to_gdfs",
        "load_geodata",
        "build_network",
        "widest_path",
        "corridor_map",
        "min_cut",
        "flow_betweenness",
        "apply_scenario",
        "compare_scenarios",
    ],
)
def test_wrong_argument_types_get_a_clear_error(tiny_G, call):
    with pytest.raises(InputError) as info:
        call(tiny_G)
    assert isinstance(info.value, TypeError) and isinstance(info.value, cm.CorridormapError)
    assert "corridormap places" not in str(info.value)


# -- 19. error messages: the target's name, the path, bounded length; the progress bar ------
def test_full_disk_names_the_target(tmp_path, tiny_dir, monkeypatch, capsys):
    import corridormap._atomic as atomic

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    out = tmp_path / "out" / "route.json"
    code = main([*ROUTE, "--data", str(tiny_dir), "--format", "json", "--out", str(out)])
    err = _one_line_error(capsys, code)
    assert f"cannot write {out}: No space left on device" in err
    assert list(out.parent.iterdir()) == []


def test_failed_replace_names_the_target(tmp_path, monkeypatch):
    import corridormap._atomic as atomic

    def denied(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(atomic.os, "replace", denied)
    with pytest.raises(PermissionError) as info:
        atomic_write(tmp_path / "x.json", "{}")
    assert info.value.filename == str(tmp_path / "x.json")
    assert ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_bad_utf8_pairs_file_names_its_path(tmp_path, tiny_dir, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_bytes(b"Alpha,Del\xfft\n")
    code = main(["bottlenecks", "--pairs-file", str(pairs), "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert str(pairs) in err and "UTF-8" in err


@pytest.mark.parametrize("field", ["kind", "mode", "name", "gauge"])
def test_huge_field_gives_a_short_error(tmp_path, capsys, field):
    huge = "x" * 5_000_000

    def mutate(data):
        feat = _link(data, "A-B") if field in ("mode", "gauge") else _node(data, "A")
        feat["properties"][field] = huge

    d = _data(tmp_path, mutate)
    with pytest.raises(cm.GeodataError) as info:
        cm.load_geodata(d)
    assert len(str(info.value)) < 500
    err = _one_line_error(capsys, main([*ROUTE, "--data", str(d)]))
    assert len(err) < 1100 and f"'{field}'" in err


def test_huge_argument_gives_a_short_error(tiny_dir, capsys):
    code = main(["route", "Z" * 5_000_000, "Alpha", "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert len(err) <= 1100 and err.rstrip().endswith("\u2026")


def test_huge_option_value_gives_a_short_usage_error(capsys):
    assert main(["route", "A", "B", "--format", "x" * 5_000_000]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and len(err) < 1200


DRAWS_WITH_BAR = ["compare", "Echo", "Alpha", "--family", "suez", "--draws", "200001"]


def test_progress_bar_off_when_stderr_is_not_a_terminal(tiny_dir, capsys):
    assert main([*DRAWS_WITH_BAR, "--data", str(tiny_dir)]) == 0
    assert "Monte Carlo" not in capsys.readouterr().err


def test_progress_bar_honours_quiet(tiny_dir, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main([*DRAWS_WITH_BAR, "-q", "--data", str(tiny_dir)]) == 0
    assert "Monte Carlo" not in capsys.readouterr().err
    assert main([*DRAWS_WITH_BAR, "--data", str(tiny_dir)]) == 0
    assert "Monte Carlo" in capsys.readouterr().err


# -- 20. empty answers and messages for the right audience ------------------------------------
def test_places_unknown_kind_suggests(tiny_dir, capsys):
    code = main(["places", "--kind", "ports", "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert "no kind 'ports'; did you mean 'port'?" in err
    assert main(["places", "--kind", "port", "--data", str(tiny_dir)]) == 0
    assert "3 places" in capsys.readouterr().out


def test_places_unknown_country_lists_the_countries(tiny_dir, capsys):
    code = main(["places", "--country", "Iran", "--data", str(tiny_dir)])
    err = _one_line_error(capsys, code)
    assert "no country 'IRAN' in the network" in err and "IR, NL, RU" in err
    assert main(["places", "--country", "ir", "--data", str(tiny_dir)]) == 0
    assert "2 places" in capsys.readouterr().out


def test_api_error_does_not_tell_a_python_user_to_run_a_command(tiny_G, tiny_dir, capsys):
    with pytest.raises(cm.UnknownPlaceError) as info:
        cm.resolve_place(tiny_G, "Zzzzzzzz")
    assert "corridormap places" not in str(info.value)
    assert str(info.value) == (
        "no place 'Zzzzzzzz': neither a modelled place nor one of the world's cities of over "
        "15,000 people"
    )
    err = _one_line_error(capsys, main(["route", "Zzzzzzzz", "Alpha", "--data", str(tiny_dir)]))
    assert "run 'corridormap places'" in err
