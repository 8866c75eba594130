"""Guard: no command writes onto a file it read.

Every command declares the files it writes and reads (``corridormap.cli._output.declare``),
and ``main`` refuses, before any work, an output that is one of them: a geodata file, the
evidence register, a volume or scenario file (by path or by the name it was found under), a
pairs file, or another output of the same run.
"""

from __future__ import annotations

import os

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


# -- every command, every file it reads -------------------------------------------------------
VOLUME = (
    'name = "mine"\n[[flow]]\nid = "f"\nfrom = "Alpha"\nto = "Delta"\namount = 1.0\n'
    'unit = "Mt/yr"\nsource = "test"\n'
)
SCENARIO = 'name = "s"\ndescription = "x"\n[changes]\nclose_links = ["A-B"]\n'


@pytest.fixture
def inputs(tmp_path, geo):
    """The tiny geodata with a register, a named volume file, and loose input files."""
    (geo / "volumes").mkdir()
    (geo / "volumes" / "mine.toml").write_text(VOLUME)
    (tmp_path / "V.toml").write_text(VOLUME)
    (tmp_path / "S.toml").write_text(SCENARIO)
    (tmp_path / "E.toml").write_text((geo / "evidence.toml").read_text())
    (tmp_path / "X.png").write_bytes(b"\x89PNG previous chart")
    return tmp_path


CASES_READ = [
    ("calibrate --data {D} --out {D}/parameters.toml", "input file"),
    ("calibrate --data {D} --format json --out {D}/evidence.toml", "input file"),
    ("calibrate --evidence {T}/E.toml --data {D} --out {T}/E.toml", "input file"),
    ("backtest --data {D} --out {D}/parameters.toml", "input file"),
    ("backtest --data {D} --evidence {T}/E.toml --out {T}/E.toml", "input file"),
    ("backtest --data {D} --evidence {D} --out {D}/evidence.toml", "input file"),
    ("backtest --data {D} --chart {T}/X.png --out {T}/X.png", "same file"),
    ("assign {T}/V.toml --data {D} --out {T}/V.toml", "input file"),
    ("assign mine --data {D} --out {D}/volumes/mine.toml", "input file"),
    ("assign mine --data {D} --map {D}/volumes/mine.toml", "input file"),
    ("scenario {T}/S.toml --data {D} --volumes {T}/V.toml --out {T}/V.toml", "input file"),
    ("scenario {T}/S.toml --data {D} --volumes mine --chart {D}/volumes/mine.toml", "input file"),
    ("scenario {T}/S.toml --data {D} --pair Alpha Delta --out {T}/S.toml", "input file"),
    ("compare Echo Alpha --data {D} --scenario {T}/S.toml --out {T}/S.toml", "input file"),
    ("route Alpha Delta --data {D} --scenario {T}/S.toml --chart {T}/S.toml", "input file"),
    ("sweep --origins E --destinations A --data {D} --scenario {T}/S.toml --out {T}/S.toml",
     "input file"),
    ("sweep --origins E --destinations A --data {D} --out {T}/t.csv --map {D}/links.geojson",
     "input file"),
    ("map overview --data {D} --png {D}/nodes.geojson", "input file"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "why"), CASES_READ, ids=[c[0].split()[0] for c in CASES_READ])
def test_no_command_writes_onto_a_file_it_read(inputs, geo, capsys, argv, why):
    args = argv.format(D=geo, T=inputs).split()
    watched = [*geo.rglob("*"), *(inputs / n for n in ("V.toml", "S.toml", "E.toml", "X.png"))]
    before = {p: p.read_bytes() for p in watched if p.is_file()}
    code = main(args)
    err = _one_line_error(capsys, code)
    assert why in err
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p for p in geo.rglob("*") if p.is_file()) == sorted(
        p for p in before if geo in p.parents
    )


def test_a_hard_link_to_an_input_is_refused(tmp_path, geo, capsys):
    hard = tmp_path / "report.json"
    os.link(geo / "evidence.toml", hard)
    before = hard.read_bytes()
    code = main(["backtest", "--data", str(geo), "--format", "json", "--out", str(hard)])
    assert "input file" in _one_line_error(capsys, code)
    assert hard.read_bytes() == before


def test_every_command_declares_what_it_writes_and_reads():
    from corridormap.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sub.choices
    for name, sp in sub.choices.items():
        assert sp.get_default("declared_outputs") is not None, name
        assert sp.get_default("declared_reads") is not None, name
        for option in sp.get_default("declared_outputs"):
            if isinstance(option, str):
                assert any(a.dest == option for a in sp._actions), (name, option)
