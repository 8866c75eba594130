"""Bad input gets a clear error and nothing is lost: the CLI side of the bad-input corpus,
limits on absurd files, and atomic writes under failure."""

from __future__ import annotations

import pytest

import corridormap as cm
from conftest import tiny, write_geodata
from corridormap._atomic import atomic_write
from corridormap.cli import main
from test_io import CASES, _link, _node

GOOD = '{"kept": true}\n'

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


def test_unreadable_file(tmp_path):
    d = write_geodata(tmp_path / "bad")
    (d / "links.geojson").unlink()
    (d / "links.geojson").mkdir()  # a directory where a file should be
    with pytest.raises(cm.GeodataError, match=r"links\.geojson: cannot be read"):
        cm.load_geodata(d)


def test_huge_file_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(cm.io, "MAX_FILE_BYTES", 256 * 2**20)
    d = write_geodata(tmp_path / "bad")
    with open(d / "links.geojson", "r+b") as fh:  # a sparse 2 GB file: no disk used
        fh.truncate(2 * 1024**3)
    with pytest.raises(
        cm.GeodataError,
        match=r"links\.geojson: is 2,048 MiB; files over 256 MiB are refused on this machine "
        r"\(set CORRIDORMAP_MAX_FILE_MIB",
    ):
        cm.load_geodata(d)


def test_limits_scale_with_the_machine_and_the_environment(monkeypatch):
    from corridormap import _schema as v

    monkeypatch.delenv(v.FEATURES_VARIABLE, raising=False)
    monkeypatch.delenv(v.FILE_MIB_VARIABLE, raising=False)
    monkeypatch.setattr(v, "machine_memory", lambda: 24 * 1024**3)
    assert v.feature_limit() >= 1_000_000  # a million-edge network's 333,000 links and more
    assert v.file_limit() == 768 * 2**20
    monkeypatch.setattr(v, "machine_memory", lambda: 8 * 1024**3)
    assert 333_000 < v.feature_limit() < 1_000_000
    assert v.file_limit() == 256 * 2**20  # never below 256 MiB
    monkeypatch.setenv(v.FEATURES_VARIABLE, "2_000")
    monkeypatch.setenv(v.FILE_MIB_VARIABLE, "10")
    assert v.feature_limit() == 2_000 and v.file_limit() == 10 * 2**20
    monkeypatch.setenv(v.FEATURES_VARIABLE, "lots")
    with pytest.raises(cm.InputError, match="CORRIDORMAP_MAX_FEATURES must be a whole number"):
        v.feature_limit()


def test_million_vertex_line_refused(tmp_path):
    data = tiny()
    lk = _link(data, "A-B")
    a, b = lk["geometry"]["coordinates"][0], lk["geometry"]["coordinates"][-1]
    n = 1_000_000
    coords = [[a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n] for i in range(n + 1)]
    lk["geometry"]["coordinates"] = coords
    d = write_geodata(tmp_path / "bad", data)
    with pytest.raises(cm.GeodataError, match="1,000,001 vertices; at most 100,000"):
        cm.load_geodata(d)


def test_atomic_write_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "map.html"
    target.write_text("previous")

    def half_then_fail(fh):
        fh.write(b"<html>half a page")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_chart_write_failure_keeps_previous_file(tmp_path, monkeypatch, tiny_G):
    from corridormap.compare import compare
    from corridormap.families import Family
    from corridormap.render.charts import save_figure

    comp = compare(
        tiny_G,
        "Echo",
        "Alpha",
        draws=50,
        families=[Family("land", "Land", "", close_places=("X",))],
    )
    fig = comp.plot()
    (tmp_path / "charts").mkdir()
    target = tmp_path / "charts" / "c.png"
    target.write_bytes(b"previous")

    def boom(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, target)
    assert target.read_bytes() == b"previous"
    assert [p.name for p in target.parent.iterdir()] == ["c.png"]


def test_cli_write_error_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["route", "Mumbai", "Moscow", "--format", "json", "--out", str(blocker / "sub" / "r.json")]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


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
