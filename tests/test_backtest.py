"""The backtest: every register row scored against the model's P10-P90, and the folds."""

from __future__ import annotations

import json
import math

import pytest

from conftest import A_B, load_evidence_text, row
from corridormap import load_network
from corridormap.backtest import assign_folds, backtest
from corridormap.cli import main
from corridormap.evidence import load_evidence


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
    # the error is the expected figure's: (10 + 40 + 80) / 3 h
    assert border["expected"] * 24 == pytest.approx(130 / 3, abs=0.2)
    assert border["error_pct"] == pytest.approx((border["expected"] - 1.25) / 1.25 * 100, abs=0.5)
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
    twin = load_evidence_text(row("a-b-again", A_B, 2.5, measure="leg", movement="a-b-leg"))
    folds = assign_folds([*mvs, *twin], 3)
    assert folds["a-b-again"] == folds["a-b-leg"]
    assert folds == assign_folds([*twin, *reversed(mvs)], 3)


def test_summary_reads_as_sentences_and_gives_its_dict():
    """``print(bt.summary())`` is text a reader can take in; the figures stay a dict."""
    import json

    from corridormap import backtest, load_network

    bt = backtest(load_network(), draws=300, cross_validate=False)
    s = bt.summary()
    text = str(s)
    assert text.startswith("Backtest (as-is") and "median absolute error" in text
    assert f"{s['n']} observations replayed" in text and "{" not in text
    assert repr(s) == text
    plain = s.to_dict()
    assert type(plain) is dict and plain["n"] == s["n"]
    assert json.loads(json.dumps(bt.to_dict()))["summary"] == plain
