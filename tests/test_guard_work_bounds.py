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
