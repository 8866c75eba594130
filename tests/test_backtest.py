"""The evidence loader, the backtest and the calibration, on the tiny network of conftest."""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import pytest

import corridormap as cm
from conftest import PARAMS, write_geodata
from corridormap import GeodataError, load_network
from corridormap.backtest import assign_folds, backtest
from corridormap.calibrate import (
    calibrate,
    calibrated_text,
    check_parameters,
    fit_parameters,
    parameter_keys,
    render_parameters,
    tri_mean,
)
from corridormap.cli import main
from corridormap.evidence import load_evidence
from corridormap.model import param_table
from corridormap.predict import predict_all


def row(rid: str, path: str, low: float, high: float | None = None, **extra: str) -> str:
    hi = low if high is None else high
    lines = [
        "[[movement]]",
        f'id = "{rid}"',
        f'title = "{rid}"',
        'source = "test"',
        'date = "2022-06"',
        f'kind = "{extra.get("kind", "measured_run")}"',
        f'measure = "{extra.get("measure", "door_to_door")}"',
        f"path = {path}",
        f'observed = {{ low = {low}, high = {hi}, unit = "{extra.get("unit", "days")}" }}',
        'notes = "test row"',
    ]
    if "role" in extra:
        lines.append(f'role = "{extra["role"]}"')
    return "\n".join(lines) + "\n\n"


A_B = '[{ place = "Alpha" }, { place = "Beta", by = "rail" }]'
A_C = '[{ place = "Alpha" }, { place = "Beta", by = "rail" }, { place = "Gamma", by = "rail" }]'
A_D = '[{ place = "Alpha" }, { place = "Delta", by = "rail" }]'
E_D = '[{ place = "Echo" }, { place = "Delta", by = "sea" }]'
B_C = '[{ place = "Beta" }, { place = "Gamma", by = "rail" }]'
D_T = '[{ place = "Delta", by = "sea" }]'


def register(values: dict[str, float] | None = None) -> str:
    v = {"a-b": 2.0, "a-c": 5.0, "a-d": 9.0, "e-d": 4.0, "b-c": 30.0, "d-t": 60.0}
    v.update(values or {})
    return (
        row("a-b-leg", A_B, v["a-b"], measure="leg")
        + row("a-c-leg", A_C, v["a-c"], measure="leg")
        + row("a-d-door", A_D, v["a-d"])
        + row("e-d-sailing", E_D, v["e-d"], measure="port_to_port", kind="operator_schedule")
        + row("b-c-border", B_C, v["b-c"], measure="border_dwell", unit="hours")
        + row("d-terminal", D_T, v["d-t"], measure="terminal_dwell", unit="hours", role="holdout")
        + row("to-nowhere", '[{ place = "Alpha" }, { place = "Nowhere", by = "rail" }]', 3.0)
    )


@pytest.fixture
def geo(tmp_path: Path) -> Path:
    d = write_geodata(tmp_path / "geo")
    (d / "evidence.toml").write_text(register(), encoding="utf-8")
    return d


# -- evidence --------------------------------------------------------------------------------
def test_load_evidence_reads_rows(geo):
    mvs = load_evidence(geo)
    assert [m.id for m in mvs][:2] == ["a-b-leg", "a-c-leg"]
    border = next(m for m in mvs if m.id == "b-c-border")
    assert border.observed_days == (1.25, 1.25)
    assert border.path[1].by == ("rail",)
    assert next(m for m in mvs if m.id == "d-terminal").holdout


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('notes = "test row"\n', "", "'notes'"),
        ('unit = "days" }', 'unit = "weeks" }', "'observed.unit'"),
        ("low = 2.0, high = 2.0", "low = 3.0, high = 2.0", "'observed'"),
        ('by = "rail" }]', 'by = "raol" }]', "'path[1].by'"),
    ],
)
def test_bad_register_names_file_row_and_field(tmp_path, old, new, field, capsys):
    text = row("a-b-leg", A_B, 2.0, measure="leg").replace(old, new, 1)
    f = tmp_path / "evidence.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(GeodataError) as exc:
        load_evidence(f)
    msg = str(exc.value)
    assert msg.startswith("evidence.toml: feature 'a-b-leg'"), msg
    assert f"field {field}" in msg
    d = write_geodata(tmp_path / "geo")
    assert main(["backtest", "--data", str(d), "--evidence", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "evidence.toml" in err and "a-b-leg" in err and field in err


def load_evidence_text(text: str):
    from corridormap.evidence import parse_movement

    return [parse_movement(r) for r in tomllib.loads(text)["movement"]]


# -- replay and backtest ---------------------------------------------------------------------
def test_replay_rules(geo):
    G = load_network(geo)
    reps = {rp.movement.id: rp for rp in predict_all(G, load_evidence(geo))}
    # a leg is moving time only: no terminal at either end
    assert set(reps["a-b-leg"].terms) == {("modes.rail.speed_kmh", True)}
    ab_km = reps["a-b-leg"].terms[("modes.rail.speed_kmh", True)]
    assert ab_km == pytest.approx(
        G.edges["A|rail:1520", "B|rail:1520", "A-B@rail:1520"]["length_km"]
    )
    # a leg across the border takes the border dwell
    assert ("borders.rail.dwell_h", False) in reps["a-c-leg"].terms
    # door to door includes the terminals at both ends and the gauge change
    door = reps["a-d-door"].terms
    # loading at Alpha and unloading at Delta, both from and into the train: no change of
    # vehicle at the ends (a rail-road transfer there to reach a quicker road gate is barred)
    assert door[("transfers.rail_terminal.dwell_h", False)] == 2.0
    assert ("transfers.rail_road.dwell_h", False) not in door
    assert ("transfers.gauge_change.dwell_h", False) in door
    # a sailing: no port dwell, no wait for the departure
    assert set(reps["e-d-sailing"].terms) == {("modes.sea.speed_kmh", True)}
    assert reps["b-c-border"].terms == {("borders.rail.dwell_h", False): 1.0}
    # the terminal: port dwell plus half the line's headway
    assert reps["d-terminal"].terms == {
        ("transfers.port.dwell_h", False): 1.0,
        ("services.line.headway_h", False): 0.5,
    }
    assert reps["to-nowhere"].terms is None
    assert reps["to-nowhere"].reason == "place 'Nowhere' not in the network"


def test_backtest_json_shape_and_figures(geo, tmp_path):
    G = load_network(geo)
    bt = backtest(G, draws=2000)
    doc = json.loads(json.dumps(bt.to_dict()))
    assert set(doc) == {"observations", "summary"}
    for o in doc["observations"]:
        assert {"id", "source", "observed_days", "p10", "p50", "p90", "inside", "fold"} <= set(o)
    s = doc["summary"]
    assert {"n", "median_abs_pct_error_out_of_sample", "share_inside_p10_p90"} <= set(s)
    assert s["n"] == 6 and s["n_not_replayable"] == 1 and s["mode"] == "as-is"
    assert s["out_of_sample"] is True  # nothing is calibrated
    by_id = {o["id"]: o for o in doc["observations"]}
    border = by_id["b-c-border"]  # triangular(10, 40, 80) h: median about 41.7 h
    assert border["p10"] < border["p50"] < border["p90"]
    assert border["p50"] * 24 == pytest.approx(10 + math.sqrt(0.5 * 70 * 30), rel=0.03)
    assert border["error_pct"] == pytest.approx((border["p50"] - 1.25) / 1.25 * 100, abs=0.2)
    assert border["inside"] is (border["p10"] <= 1.25 <= border["p90"])
    assert by_id["to-nowhere"]["p50"] is None
    assert by_id["to-nowhere"]["not_replayable"] == "place 'Nowhere' not in the network"
    assert by_id["d-terminal"]["fold"] == "holdout"
    # the same seed gives the same numbers
    assert backtest(G, draws=2000).to_dict() == bt.to_dict()
    chart = tmp_path / "bt.png"
    out = tmp_path / "bt.json"
    assert main(["backtest", "--data", str(geo), "--format", "json", "--out", str(out),
                 "--chart", str(chart)]) == 0  # fmt: skip
    assert json.loads(out.read_text())["summary"]["n"] == 6
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_out = tmp_path / "bt.csv"
    assert main(["backtest", "--data", str(geo), "--format", "csv", "--out", str(csv_out)]) == 0
    import csv

    text = csv_out.read_text(encoding="utf-8").splitlines()
    rows = {r["id"]: r for r in csv.DictReader(text)}
    assert rows["to-nowhere"]["p50"] == "" and rows["b-c-border"]["observed_low"] == "1.25"


def test_folds_are_deterministic(geo):
    mvs = load_evidence(geo)
    folds = assign_folds(mvs, 3)
    assert folds == assign_folds(list(reversed(mvs)), 3)
    fitted = sorted(m.id for m in mvs if not m.holdout)
    assert [folds[i] for i in fitted] == [1, 2, 3, 1, 2, 3]
    assert folds["d-terminal"] == "holdout"
    # two sources on the same movement share a fold
    twin = load_evidence_text(row("a-b-again", A_B, 2.5, measure="leg"))
    folds = assign_folds([*mvs, *twin], 3)
    assert folds["a-b-again"] == folds["a-b-leg"]
    assert folds == assign_folds([*twin, *reversed(mvs)], 3)


# -- calibration -----------------------------------------------------------------------------
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
        return float(tri_mean(t["low"], t["likely"], t["high"], inv))

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
    return 1.0 / float(tri_mean(lo, cal.fit.values[key], hi, True))


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
    assert 1 / tri_mean(lo, loose.values[key], hi, True) == pytest.approx(38.0, rel=0.005)
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


def test_bundled_parameters_are_what_calibrate_produces():
    from corridormap.io import bundled_geodata_dir

    params = tomllib.loads((bundled_geodata_dir() / "parameters.toml").read_text("utf-8"))
    if not any(t.get("basis") == "calibrated" for t in parameter_keys(params).values()):
        pytest.skip("the bundled parameters have not been calibrated yet: run make calibrate")
    assert check_parameters(), "geodata/parameters.toml is stale: run make calibrate"


def test_bundled_register_loads():
    from corridormap.evidence import evidence_path

    raw = tomllib.loads(evidence_path().read_text("utf-8"))["movement"]
    mvs = load_evidence()
    assert [m.id for m in mvs] == [r["id"] for r in raw]
    assert all(m.observed_days[0] <= m.observed_days[1] for m in mvs)


def test_discrepancy_widens_the_band_and_is_drawn_after_the_parameters(tiny_G):
    """The calibrated model discrepancy multiplies each figure by exp(sigma z): the P50 stays,
    the P10-P90 band widens; with sigma = 0 nothing is drawn (results as before)."""
    import copy

    from corridormap.model import DISCREPANCY_KEY, discrepancy_sigma
    from corridormap.uncertainty import route_percentiles

    r = cm.route(tiny_G, "Echo", "Alpha")
    base = route_percentiles(tiny_G, r, draws=4000, seed=1)
    G = tiny_G.copy()
    G.graph["params"] = copy.deepcopy(tiny_G.graph["params"])
    G.graph["params"].setdefault("model", {})["discrepancy_sigma_log"] = {
        "low": 0.3, "likely": 0.3, "high": 0.3, "basis": "calibrated", "source": "test"
    }  # fmt: skip
    assert discrepancy_sigma(G.graph["params"]) == 0.3 and DISCREPANCY_KEY.startswith("model.")
    wide = route_percentiles(G, cm.route(G, "Echo", "Alpha"), draws=4000, seed=1)
    assert wide["days"]["p50"] == pytest.approx(base["days"]["p50"], rel=0.05)
    assert wide["days"]["p90"] - wide["days"]["p10"] > base["days"]["p90"] - base["days"]["p10"]
