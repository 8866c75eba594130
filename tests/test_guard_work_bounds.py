"""Guard: work is estimated before it starts, and refused above a stated bound.

Draws, routes, pairs and scenario names are bounded; sweeps, catchment maps, backtests,
assignments and scenario lists estimate their size up front and refuse, with the estimate
and the option that raises the bound, what would run for hours. Progress shows on a
terminal, as a line now and then off one, and never with ``-q``.
"""

from __future__ import annotations

import sys

import pytest

import corridormap as cm
from _guard import ROUTE, _one_line_error
from corridormap._errors import InputError
from corridormap.cli import main
from corridormap.cli._pairs import MAX_PAIRS
from corridormap.cli.route import MAX_K


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


# -- work estimated before it starts ----------------------------------------------------------
@pytest.fixture
def no_work(monkeypatch):
    """Fail a test if the refused work is started anyway."""
    import importlib

    # the packages, not the functions corridormap exports under the same names
    assign_pkg = importlib.import_module("corridormap.assign")
    sweep_pkg = importlib.import_module("corridormap.sweep")

    def started(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr(sweep_pkg, "sweep", started)
    monkeypatch.setattr(assign_pkg, "assign", started)
    monkeypatch.setattr(assign_pkg, "scenario_savings", started)


def test_a_sweep_of_days_of_work_is_refused_up_front(tmp_path, capsys, no_work):
    scen = ["red-sea-closed", "suez-closed", "rasht-astara-railway", "caspian-low-water",
            "azerbaijan-border-closed", "chabahar-zahedan-railway"]  # fmt: skip
    argv = ["sweep", "--origins", "port,city", "--destinations", "port,city", "--draws",
            "2000000", "--scheduler", "none", "--out", str(tmp_path / "t.csv")]  # fmt: skip
    code = main([*argv, *(x for s in scen for x in ("--scenario", s))])
    err = _one_line_error(capsys, code)
    assert "sweep:" in err and "x 7 scenarios x 2,000,000 draws =" in err
    assert "pair-draws, above the bound of 1,000,000,000" in err and "--max-work" in err
    assert not (tmp_path / "t.csv").exists()


def test_sweep_pairs_are_bounded(tiny_dir, tmp_path, capsys, no_work):
    places = "A,B,C,D,E,F"
    argv = ["sweep", "--origins", places, "--destinations", places, "--scheduler", "none",
            "--out", str(tmp_path / "t.csv"), "--data", str(tiny_dir)]  # fmt: skip
    err = _one_line_error(capsys, main([*argv, "--max-pairs", "20"]))
    assert "sweep: 30 pairs x 1 scenario = 30 comparisons, above the bound of 20" in err
    assert "--max-pairs 30" in err


def test_catchment_map_work_is_bounded(tiny_dir, tmp_path, capsys, no_work):
    argv = ["map", "catchment", "--origin", "Echo", "--data", str(tiny_dir)]
    err = _one_line_error(capsys, main([*argv, "--out", str(tmp_path), "--max-work", "100"]))
    assert "map catchment: 5 pairs x 1 scenario x 2,000 draws = 10,000 pair-draws" in err
    assert "--max-work" in err


def test_backtest_folds_are_bounded_by_the_register(capsys):
    err = _one_line_error(capsys, main(["backtest", "--folds", "100000"]))
    assert "--folds 100,000: the register has" in err and "fitted movements" in err


def test_backtest_work_is_bounded(geo, capsys):
    argv = ["backtest", "--data", str(geo), "--cross-validate", "--folds", "2", "--draws", "5000"]
    err = _one_line_error(capsys, main([*argv, "--max-work", "1e5"]))
    assert "backtest: 7 rows x 5,000 draws x 3 parameter sets = 105,000 row-draws" in err
    assert main(["backtest", "--draws", "3000000"]) == 2
    assert "--draws: must be at most 2,000,000" in capsys.readouterr().err


def _many_flows(tmp_path, n: int) -> str:
    lines = ['name = "many"']
    for i in range(n):
        lines += ["[[flow]]", f'id = "f{i}"', 'from = "Alpha"', 'to = "Delta"', "amount = 0.01",
                  'unit = "Mt/yr"', 'source = "test"']  # fmt: skip
    path = tmp_path / "many.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_an_assignment_of_ten_thousand_flows_is_refused(tiny_dir, tmp_path, capsys, no_work):
    many = _many_flows(tmp_path, 10_000)
    err = _one_line_error(capsys, main(["assign", many, "--data", str(tiny_dir)]))
    assert "many.toml: 10,000 flows, above the bound of 2,000 flows" in err
    assert "--max-flows 10000" in err


def test_scenario_volumes_work_is_bounded(tiny_dir, tmp_path, capsys, no_work):
    many = _many_flows(tmp_path, 3)
    names = ["red-sea-closed", "suez-closed"]
    argv = ["scenario", *names, "--volumes", many, "--data", str(tiny_dir), "--max-work", "5"]
    err = _one_line_error(capsys, main(argv))
    assert "scenario --volumes: 3 flows x 3 assignments = 9 flow-assignments" in err
    chart = ["--chart", str(tmp_path / "c.png")]
    err = _one_line_error(capsys, main([*argv[:-2], "--max-work", "20", *chart]))
    assert "3 flows x 35 assignments" in err


def test_a_list_of_ten_thousand_scenarios_is_refused(tiny_dir, capsys):
    names = [f"s{i}" for i in range(10_000)]
    err = _one_line_error(capsys, main(["scenario", *names, "--data", str(tiny_dir)]))
    assert "too many scenarios: 10,000 given, at most 100" in err


def test_scenario_pair_draws_are_bounded(tiny_dir, tmp_path, capsys):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("Alpha,Delta\n" * 100)
    argv = ["scenario", "baseline", "--pairs-file", str(pairs), "--draws", "2000000"]
    err = _one_line_error(capsys, main([*argv, "--data", str(tiny_dir)]))
    assert "scenario: 100 pairs x 2 scenarios (with the baseline) x 2,000,000 draws" in err
    assert "pair-draws" in err and "--max-work" in err


# -- progress: a bar on a terminal, a line now and then off one, nothing with -q ----------------
SWEEP = ["sweep", "--origins", "E,A", "--destinations", "A,D", "--draws", "20", "--scheduler",
         "none"]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (SWEEP, "sweep: 1 of 2 origins (50%)"),
        (["backtest", "--cross-validate", "--folds", "2", "--draws", "50"],
         "backtest: 1 of 3 calibrations (33%)"),
        (["scenario", "baseline", "--pair", "Alpha", "Delta", "--pair", "Echo", "Alpha",
          "--draws", "50"], "scenario: 1 of 2 pairs (50%)"),
    ],
    ids=["sweep", "backtest", "scenario"],
)  # fmt: skip
def test_progress_off_a_terminal_is_a_line_now_and_then(
    geo, tmp_path, capsys, monkeypatch, argv, line
):
    import corridormap._progress as progress

    out = ["--out", str(tmp_path / "t.csv")] if argv[0] == "sweep" else []
    assert main([*argv, *out, "--data", str(geo)]) == 0  # a short run: no line at all
    assert line.split(":")[0] + ":" not in capsys.readouterr().err
    monkeypatch.setattr(progress, "OFF_TERMINAL_INTERVAL_S", 0.0)
    assert main([*argv, *out, "--data", str(geo)]) == 0
    assert line in capsys.readouterr().err
    assert main([*argv, *out, "-q", "--data", str(geo)]) == 0
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal_is_a_bar(tiny_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    argv = [*SWEEP, "--out", str(tmp_path / "t.csv"), "--data", str(tiny_dir)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "sweep: 100%" in err and "2/2" in err
    assert main([*argv, "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_assignment_progress_gives_the_gap(tmp_path, capsys, monkeypatch):
    import corridormap._progress as progress

    monkeypatch.setattr(progress, "OFF_TERMINAL_INTERVAL_S", 0.0)
    assert main(["assign", "target-western-15mt"]) == 0
    assert "assign: 1 iteration; relative gap" in capsys.readouterr().err


def test_progress_line_says_count_share_and_time():
    from corridormap._progress import Progress

    p = Progress(40, desc="sweep", unit="partition", show=False)
    p.done = 12
    assert p.line(p._start + 65) == "sweep: 12 of 40 partitions (30%), 1 min 05 s"
    q = Progress(None, desc="assign", unit="iteration", show=False)
    q.update(1, note="relative gap 3.2e-03")
    assert q.line(q._start + 2) == "assign: 1 iteration; relative gap 3.2e-03, 2 s"


def test_ten_billion_pairs_are_refused_before_any_search(
    tiny_dir, tmp_path, capsys, no_work, monkeypatch
):
    """``--origins RU --destinations RU`` on a 100,000-place network: 10^10 pairs, refused."""
    import importlib

    places_mod = importlib.import_module("corridormap.places")  # the module, not the function
    many = [f"P{i}" for i in range(100_000)]
    monkeypatch.setattr(places_mod, "resolve_endpoints", lambda G, specs, what="origins": many)
    argv = ["sweep", "--origins", "RU", "--destinations", "RU", "--scheduler", "none",
            "--out", str(tmp_path / "t.csv"), "--data", str(tiny_dir)]  # fmt: skip
    err = _one_line_error(capsys, main(argv))
    assert "sweep: 9,999,900,000 pairs x 1 scenario = 9,999,900,000 comparisons" in err
    assert "above the bound of 100,000" in err and "--max-pairs 1e+10" in err
