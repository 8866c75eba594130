"""The calibration: the fit recovers known parameters, stays in range, writes the file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from conftest import PARAMS, register, write_geodata
from corridormap import load_network
from corridormap.backtest import backtest
from corridormap.calibrate import calibrate, calibrated_text, check_parameters, fit_parameters
from corridormap.cli import main
from corridormap.evidence import load_evidence
from corridormap.model import expected_value, param_table
from corridormap.paramfile import parameter_keys, render_parameters
from corridormap.predict import predict_all

OFFICIAL_BORDER = PARAMS.replace(
    'dwell_h = { low = 10, likely = 40, high = 80, source = "test", basis = "estimated" }',
    'dwell_h = { low = 10, likely = 40, high = 80, source = "test", basis = "official" }',
)


def synthetic(tmp_path: Path, truth_speed: float) -> Path:
    """A register made from the model itself: each figure is the model's expected value under
    the parameters' ranges, except that the rail speed's harmonic mean is ``truth_speed``."""
    params_text = OFFICIAL_BORDER.replace(
        "speed_kmh = { low = 20, likely = 30, high = 40",
        "speed_kmh = { low = 15, likely = 30, high = 60",
        1,
    )
    assert params_text != OFFICIAL_BORDER != PARAMS
    d = write_geodata(tmp_path / "geo", params=params_text)
    (d / "evidence.toml").write_text(register(), encoding="utf-8")
    G = load_network(d)
    params = G.graph["params"]

    def expected(key: str, inv: bool) -> float:
        if key == "modes.rail.speed_kmh":
            return 1.0 / truth_speed
        t = param_table(params, key)
        return float(expected_value(t["low"], t["likely"], t["high"], inv))

    short = {"a-b-leg": "a-b", "a-c-leg": "a-c", "a-d-door": "a-d", "e-d-sailing": "e-d",
             "b-c-border": "b-c", "d-terminal": "d-t"}  # fmt: skip
    values = {}
    for rp in predict_all(G, load_evidence(d)):
        if rp.ok:
            hours = sum(c * expected(k, inv) for (k, inv), c in rp.terms.items())
            values[short[rp.movement.id]] = round(
                hours if rp.movement.unit == "hours" else hours / 24, 6
            )
    (d / "evidence.toml").write_text(register(values), encoding="utf-8")
    return d


def harmonic(cal, key: str) -> float:
    """The rail speed the Monte Carlo's expected moving time implies after calibration."""
    lo, hi = cal.fit.spread[key]
    return 1.0 / float(expected_value(lo, cal.fit.values[key], hi, True))


def test_calibrate_recovers_a_known_parameter(tmp_path):
    d = synthetic(tmp_path, 38.0)
    cal = calibrate(d)
    key = "modes.rail.speed_kmh"
    # from the prior (likely 30 in 15-60: harmonic mean about 30.6) most of the way to the
    # truth: the prior and the other fitted parameters hold some back
    assert 36.0 < harmonic(cal, key) < 38.5
    # with a negligible prior the exact synthetic data give the truth back
    loose = fit_parameters(cal.predictions, cal.prior, prior_weight=1e-4)
    lo, hi = loose.spread[key]
    assert 1 / expected_value(lo, loose.values[key], hi, True) == pytest.approx(38.0, rel=0.005)
    assert set(cal.fit.evidence[key]) == {"a-b-leg", "a-c-leg", "a-d-door"}
    lo, hi = cal.fit.spread[key]
    assert 15.0 <= lo <= cal.fit.values[key] <= hi <= 60.0
    # official figures never move, holdout rows are never fitted
    assert "borders.rail.dwell_h" not in cal.fit.values
    assert "d-terminal" not in cal.fit.rows
    assert cal.params["borders"]["rail"]["dwell_h"]["likely"] == 40
    # a parameter no row informs stays where it was
    assert cal.params["transfers"]["port"]["dwell_h"]["likely"] == 48
    assert cal.converged


def test_calibrate_stays_in_the_sourced_range(tmp_path):
    cal = calibrate(synthetic(tmp_path, 90.0))
    assert cal.fit.values["modes.rail.speed_kmh"] == 60.0


@pytest.mark.e2e
def test_write_and_check(tmp_path, capsys):
    d = synthetic(tmp_path, 35.0)
    assert main(["calibrate", "--data", str(d), "--check"]) == 1
    assert "not calibrated" in capsys.readouterr().err
    assert not check_parameters(d)
    before = (d / "parameters.toml").read_text()
    assert main(["calibrate", "--data", str(d), "--write", "--format", "json"]) == 0
    after = (d / "parameters.toml").read_text()
    table = tomllib.loads(after)["modes"]["rail"]["speed_kmh"]
    assert table["basis"] == "calibrated" and table["calibrated_from"] == 30.0
    assert table["sourced_range"] == [15.0, 60.0] and table["source"] == "test"
    assert "a-b-leg" in table["evidence"]
    # only the calibrated tables' lines changed
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed and all('basis = "calibrated"' in b for _, b in changed)
    assert check_parameters(d)
    assert main(["calibrate", "--data", str(d), "--check"]) == 0
    # the written file is a fixed point, and the backtest now cross-validates
    _, old, new = calibrated_text(calibrate(d))
    assert old == new
    bt = backtest(load_network(d), draws=1000)
    assert bt.mode == "cross-validated" and bt.summary()["out_of_sample"]
    assert not backtest(load_network(d), draws=500, cross_validate=False).summary()["out_of_sample"]
    assert {o["scored_with"] for o in bt.scored()} >= {"calibrated without fold 1"}


def test_render_keeps_comments_and_other_lines():
    text = (
        "# head comment\n[modes.rail.speed_kmh]\nlow = 20.0\nlikely = 30.0  # note\nhigh = 40.0\n"
        'basis = "estimated"\nsource = "s"\nnotes = "n"\n\n# next\n[modes.rail.other]\n'
        'low = 1.0\nlikely = 2.0\nhigh = 3.0\nbasis = "estimated"\nsource = "t"\n'
    )
    params = tomllib.loads(text)
    t = params["modes"]["rail"]["speed_kmh"]
    t.update(likely=33.0, basis="calibrated", calibrated_from=30.0, sourced_range=[20.0, 40.0],
             evidence=["x"], calibration="c")  # fmt: skip
    out = render_parameters(text, params)
    assert out.splitlines()[:11] == [
        "# head comment",
        "[modes.rail.speed_kmh]",
        "low = 20.0",
        "likely = 33.0  # note",
        "high = 40.0",
        'basis = "calibrated"',
        "calibrated_from = 30.0",
        "sourced_range = [20.0, 40.0]",
        'evidence = ["x"]',
        'calibration = "c"',
        'source = "s"',
    ]
    assert out.endswith(text[text.index("\n# next") :])
    assert tomllib.loads(out)["modes"]["rail"]["speed_kmh"]["likely"] == 33.0
    # reverting a calibrated table takes the added lines out again
    assert render_parameters(out, tomllib.loads(text)) == text


@pytest.mark.e2e
def test_bundled_parameters_are_what_calibrate_produces():
    from corridormap.io import bundled_geodata_dir

    params = tomllib.loads((bundled_geodata_dir() / "parameters.toml").read_text("utf-8"))
    if not any(t.get("basis") == "calibrated" for t in parameter_keys(params).values()):
        pytest.skip("the bundled parameters have not been calibrated yet: run make calibrate")
    assert check_parameters(), "geodata/parameters.toml is stale: run make calibrate"
