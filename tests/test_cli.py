"""The command line: real entry point in a subprocess, and main() in process.

The subprocess tests (marked e2e) check what only the installed script shows: that it runs,
and its exit codes and one-line errors through the shell, with no traceback. The whole demo
is marked e2e too.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corridormap.cli import main

EXE = shutil.which("corridormap", path=os.path.dirname(sys.executable)) or "corridormap"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120)


def call(capsys, *args: str) -> subprocess.CompletedProcess:
    """Run ``main`` in this process; its exit code and output, as ``run`` gives them."""
    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(["corridormap", *args], code, out.out, out.err)


@pytest.mark.e2e
def test_route_table_real_entry_point():
    res = run("route", "Mumbai", "Moscow")
    assert res.returncode == 0, res.stderr
    assert "Nhava Sheva" in res.stdout and "Moscow" in res.stdout
    assert "days" in res.stdout


def test_route_json_schema(capsys):
    assert (
        main(["route", "Chelyabinsk", "Jeddah", "--via", "Incheh Borun", "--format", "json"]) == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"legs", "totals", "nodes"}
    assert doc["nodes"][0] == "CHE" and doc["nodes"][-1] == "JED" and "INB" in doc["nodes"]
    leg = doc["legs"][1]
    assert set(leg) >= {
        "from",
        "to",
        "mode",
        "distance_km",
        "time_h",
        "cost_usd",
        "co2_kg",
        "link_id",
        "status",
    }
    assert set(doc["totals"]) >= {"distance_km", "time_h", "days", "cost_usd", "co2_kg"}


def test_route_k_geojson_csv(capsys):
    assert (
        main(
            [
                "route",
                "Mumbai",
                "St Petersburg",
                "--avoid",
                "Astara",
                "-k",
                "2",
                "--format",
                "geojson",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["type"] == "FeatureCollection" and {
        f["properties"]["route"] for f in doc["features"]
    } == {1, 2}
    assert main(["route", "Mumbai", "Moscow", "--format", "csv", "--by", "cost"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("route,from,to")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["route", "Mumbaai", "Moscow"], 2, "did you mean 'Mumbai'"),
        (["route", "Mumbai", "Astara"], 2, "ambiguous"),
        (["route", "Mumbai", "Ulaanbaatar"], 2, "(Ulan Bator, MN) is not in the network"),
        (["route", "Mumbai", "Istanbul Strait"], 2, "is a chokepoint"),
        (["compare", "Hormuz", "Moscow"], 2, "origin 'Hormuz' (Strait of Hormuz) is a chokepoint"),
        (["route", "Mumbai", "Moscow", "--by", "speed"], 2, "invalid choice"),
        (["route", "Mumbai", "Moscow", "-k", "0"], 2, "at least 1"),
        (["route", "Mumbai", "Moscow", "--data", "/nonexistent"], 2, "does not exist"),
    ],
)
def test_errors_exit_codes_one_line(args, code, text):
    res = run(*args)
    assert res.returncode == code
    assert text in res.stderr
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.e2e
def test_no_route_exit_3(tiny_dir):
    res = run(
        "route", "Echo", "Alpha", "--avoid", "Gamma", "--avoid", "Strait", "--data", str(tiny_dir)
    )
    assert res.returncode == 3
    assert "no route" in res.stderr and "Traceback" not in res.stderr


def test_pass_through_and_unmodelled_ends_are_one_line(tiny_dir, capsys):
    for args in (["route", "Echo", "Strait"], ["bottlenecks", "Strait", "Alpha"]):
        assert main([*args, "--data", str(tiny_dir)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("corridormap: error: ") and len(err.strip().splitlines()) == 1
        assert "is a chokepoint" in err
    assert main(["route", "Echo", "Strait", "--via", "Strait", "--data", str(tiny_dir)]) == 2
    assert main(["route", "Echo", "Foxtrot", "--via", "Strait", "--data", str(tiny_dir)]) == 0


def test_places(capsys):
    assert main(["places", "--kind", "port", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"NSA", "SRJ", "JED", "RTM"} <= {r["id"] for r in rows}


def test_version(capsys):
    res = call(capsys, "--version")
    assert res.returncode == 0 and res.stdout.startswith("corridormap ")


def test_out_file_atomic_and_untouched_on_error(tmp_path):
    out = tmp_path / "r.json"
    assert main(["route", "Mumbai", "Moscow", "--format", "json", "--out", str(out)]) == 0
    good = out.read_text()
    assert json.loads(good)["nodes"][-1] == "MOW"
    assert main(["route", "Mumbai", "Nowhere", "--format", "json", "--out", str(out)]) == 2
    assert out.read_text() == good
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_data_dir_option(tiny_dir, capsys):
    assert main(["route", "Alpha", "Delta", "--data", str(tiny_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"][0] == "A"


@pytest.mark.e2e
def test_demo_writes_report(tmp_path):
    assert main(["demo", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "route-report.md").stat().st_size > 0
    docs = json.loads((tmp_path / "route-report.json").read_text())
    assert any(d["nodes"][-1] == "JED" for d in docs)
    _ = Path


def test_bottlenecks_without_any_route_exits_3(tmp_path, capsys):
    from conftest import tiny, write_geodata

    data = tiny()
    data["links"] = [f for f in data["links"] if f["properties"]["id"] not in ("E-D", "E-X")]
    d = write_geodata(tmp_path / "cut", data)
    assert main(["bottlenecks", "Echo", "Alpha", "--data", str(d)]) == 3
    err = capsys.readouterr().err
    assert "no route for Echo - Alpha" in err and len(err.strip().splitlines()) == 1


def test_demo_on_a_users_own_data_runs_what_applies(tmp_path, capsys):
    """`demo --data DIR`: items of the bundled analysis.toml naming places the data lacks are
    skipped; everything that applies is written."""
    from conftest import write_geodata

    data = write_geodata(tmp_path / "geo")
    (data / "analysis.toml").write_text(
        '[bottlenecks]\npairs = [["Alpha", "Delta"]]\n[demo]\nscenarios = []\n'
        '[[demo.route]]\nname = "A to D"\nfrom = "Alpha"\nto = "Delta"\n'
        '[[demo.route]]\nname = "not here"\nfrom = "Mumbai"\nto = "Delta"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["demo", "--data", str(data), "--out", str(out)]) == 0
    report = (out / "route-report.md").read_text(encoding="utf-8")
    assert "A to D" in report and "not here" not in report
    assert (out / "bottlenecks.csv").read_text(encoding="utf-8").count("\n") > 1
    assert "demo:" not in capsys.readouterr().err  # stderr is no terminal here: no progress


def _terminal(monkeypatch) -> None:
    import corridormap.cli._common as common

    monkeypatch.setattr(common, "stderr_is_terminal", lambda: True)


def test_the_demo_shows_its_steps_on_a_terminal_and_nothing_under_q(tmp_path, capsys, monkeypatch):
    from conftest import write_geodata
    from corridormap.demo import STEPS

    data = write_geodata(tmp_path / "geo")
    (data / "analysis.toml").write_text(
        '[bottlenecks]\npairs = [["Alpha", "Delta"]]\n[demo]\nscenarios = []\n', encoding="utf-8"
    )
    _terminal(monkeypatch)
    assert main(["demo", "--data", str(data), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "demo:" in err and all(step in err for step in STEPS), err
    assert main(["demo", "-q", "--data", str(data), "--out", str(tmp_path / "out2")]) == 0
    assert capsys.readouterr().err == ""


@pytest.mark.e2e
def test_backtest_and_route_chart_show_progress_on_a_terminal(tmp_path, capsys, monkeypatch):
    _terminal(monkeypatch)
    assert main(["backtest", "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "backtest:" in err and "replaying the evidence register" in err
    chart = tmp_path / "c.png"
    assert main(["route", "Mumbai", "Moscow", "--chart", str(chart), "--draws", "200"]) == 0
    assert "chart:" in capsys.readouterr().err and chart.stat().st_size > 0
    assert main(["backtest", "-q", "--format", "json"]) == 0
    assert capsys.readouterr().err == ""


def test_route_via_with_modes_replays_the_2022_transit(capsys):
    code = main(
        ["route", "St Petersburg", "Mumbai", "--via", "Astrakhan", "--via", "Anzali:caspian",
         "--via", "Bandar Abbas", "--arrive-by", "sea", "--format", "json"]
    )  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    legs = [leg for leg in doc["legs"] if leg["kind"] == "link"]
    assert any(leg["mode"] == "caspian" and leg["to"] == "ANZ" for leg in legs)
    assert legs[-1]["mode"] == "sea"


def _one_corridor(directory: Path) -> Path:
    """Alpha - Charlie directly or through Bravo: two lines within one country, one corridor."""
    from conftest import link, node, write_geodata

    a = node("A", 40.0, 55.0, name="Alpha")
    b = node("B", 42.0, 56.0, name="Bravo")
    c = node("C", 44.0, 55.0, name="Charlie")
    links = [link("A-B", a, b, "rail"), link("B-C", b, c, "rail"), link("A-C", a, c, "rail")]
    return write_geodata(directory, {"nodes": [a, b, c], "links": links})


def test_route_k_says_when_fewer_corridors_exist(tmp_path, capsys, caplog):
    d = _one_corridor(tmp_path / "geo")
    with caplog.at_level(logging.WARNING, logger="corridormap"):
        code = main(["route", "Alpha", "Charlie", "-k", "3", "--format", "json", "--data", str(d)])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)  # -k 3: a list, however many routes exist
    assert isinstance(doc, list) and len(doc) == 1
    assert [leg["link_id"] for leg in doc[0]["legs"] if leg["kind"] == "link"] == ["A-C"]
    said = [r.getMessage() for r in caplog.records]
    assert any("1 of the 3 routes asked for" in m and "no other corridor" in m for m in said)


@pytest.mark.e2e
def test_route_k_warning_on_stderr_and_quiet(tmp_path):
    d = _one_corridor(tmp_path / "geo")
    out = run("route", "Alpha", "Charlie", "-k", "2", "--data", str(d))
    assert out.returncode == 0
    assert "WARNING: 1 of the 2 routes asked for" in out.stderr
    quiet = run("route", "Alpha", "Charlie", "-k", "2", "-q", "--data", str(d))
    assert quiet.returncode == 0 and quiet.stderr == ""
