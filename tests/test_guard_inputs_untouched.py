"""Guard: no command writes onto a file it read.

Every command declares the files it writes and reads (``corridormap.cli._output.declare``),
and ``main`` refuses, before any work, an output that is one of them: a geodata file, the
evidence register, a volume or scenario file (by path or by the name it was found under), a
pairs file, or another output of the same run.
"""

from __future__ import annotations

import pytest

import corridormap as cm
from _guard import ROUTE, _data, _one_line_error
from corridormap.cli import main


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
