"""Guard: only regular files of a bounded size and shape are read.

A FIFO, a device or a directory where a file should be is refused before it is read (never
waited on); sizes, feature and vertex counts, nesting and integers are bounded, each refusal
one line naming the file.
"""

from __future__ import annotations

import json
import os

import pytest

import corridormap as cm
from _guard import ROUTE, _data, _one_line_error, _run_isolated
from conftest import PARAMS, P, tiny, write_geodata
from corridormap import _schema as v
from corridormap.cli import main
from test_io import _link, _node


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


@pytest.mark.e2e
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


@pytest.mark.parametrize("kind", ["volumes", "evidence", "scenario"])
def test_a_fifo_given_as_a_data_file_is_refused_as_such(tmp_path, kind):
    """Not "not found", and never waited on: a FIFO is named for what it is."""
    d = _data(tmp_path)
    fifo = tmp_path / "given.toml"
    os.mkfifo(fifo)
    argv = {
        "volumes": ["assign", str(fifo)],
        "evidence": ["backtest", "--evidence", str(fifo)],
        "scenario": ["scenario", str(fifo), "--pair", "Alpha", "Delta"],
    }[kind]
    code = "import sys; from corridormap.cli import main; sys.exit(main(sys.argv[1:]))"
    res = _run_isolated(code, *argv, "--data", str(d))
    assert res.returncode == 2, res.stderr[-2000:]
    assert "given.toml: cannot be read: it is a FIFO (named pipe), not a regular file" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
