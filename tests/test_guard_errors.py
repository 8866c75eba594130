"""Guard: errors and outputs are for the reader, never for the terminal or a spreadsheet.

One line per error, at most 1,000 characters, control characters shown, never a traceback;
table text cannot drive a terminal, CSV cells cannot start a formula; API misuse is a clear
``InputError``; messages suggest what was meant and speak to the right audience.
"""

from __future__ import annotations

import json

import pytest

import corridormap as cm
from _guard import ROUTE, _data, _one_line_error
from corridormap import _schema as v
from corridormap._errors import InputError
from corridormap.cli import main
from test_io import _link, _node

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


def test_backtest_summary_says_n_a_where_nothing_is_scored(tmp_path, capsys):
    """No holdout row (and no row at all scored): the summary says n/a, never None%."""
    from conftest import A_B, row, write_geodata

    d = write_geodata(tmp_path / "geo")
    (d / "evidence.toml").write_text(row("a-b-leg", A_B, 2.0, measure="leg"))
    assert main(["backtest", "--as-is", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    assert "holdout rows: median |error| n/a, inside n/a" in out
    assert "None" not in out
    (d / "evidence.toml").write_text(
        row("nowhere", '[{ place = "Alpha" }, { place = "Nowhere", by = "rail" }]', 3.0)
    )
    assert main(["backtest", "--as-is", "--data", str(d)]) == 0
    out = capsys.readouterr().out
    assert "0 observations scored" in out and "median |error| n/a, inside P10-P90 n/a" in out
    assert "None" not in out
