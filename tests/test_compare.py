"""The INSTC vs Suez comparison: reproducible Monte Carlo, family closures, outputs."""

from __future__ import annotations

import json

import numpy as np
import pytest

import corridormap as cm
from corridormap.cli import main
from corridormap.compare import compare
from corridormap.families import Family

LAND = Family("land", "Land", "by rail", close_places=("X",))
SEA = Family("sea", "Sea", "by sea", close_places=("C", "B"), instc=False)


def test_seeded_and_reproducible(tiny_G):
    a = compare(tiny_G, "Echo", "Alpha", families=[LAND, SEA], draws=500, seed=7)
    b = compare(tiny_G, "Echo", "Alpha", families=[LAND, SEA], draws=500, seed=7)
    c = compare(tiny_G, "Echo", "Alpha", families=[LAND, SEA], draws=500, seed=8)
    assert np.array_equal(a.days["land"], b.days["land"])
    assert not np.array_equal(a.days["land"], c.days["land"])
    for rec in a.to_records():
        assert rec["days"]["p10"] <= rec["days"]["p50"] <= rec["days"]["p90"]
        assert rec["cost_usd"]["p10"] <= rec["cost_usd"]["p50"] <= rec["cost_usd"]["p90"]
    p = a.p_instc_beats("sea")
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(float(np.mean(a.days["land"] < a.days["sea"])))


def test_family_routes_respect_closures(tiny_G):
    comp = compare(tiny_G, "Echo", "Alpha", families=[LAND, SEA], draws=100)
    assert "X" not in comp.routes["land"].nodes
    assert "C" not in comp.routes["sea"].nodes
    df = comp.to_frame()
    assert list(df["family"]) == ["land", "sea"]
    assert {"days_p10", "days_p50", "days_p90", "cost_usd_p50", "co2_kg"} <= set(df.columns)


def test_vectorised_agrees_with_a_loop_over_draws(tiny_G):
    """The numpy Monte Carlo gives, draw by draw, each family route's edges evaluated one by
    one at that draw's parameter values (the model's terms, nothing else)."""
    from corridormap.model import edge_terms, evaluate
    from corridormap.uncertainty import sample

    comp = compare(tiny_G, "Echo", "Alpha", families=[LAND, SEA], draws=300, seed=2)
    params = tiny_G.graph["params"]
    for fam, r in comp.routes.items():
        keys = sorted({t.key for leg in r.legs for t in edge_terms(leg.edge)})
        values = sample(params, keys, 300, 2)
        factor = r.weight.term_factor()
        for i in range(0, 300, 37):
            value = dict(zip(keys, values[i].tolist(), strict=True))
            hours = 0.0
            for j, leg in enumerate(r.legs):
                for t in edge_terms(leg.edge):
                    if t.quantity != "time_h" or (j == 0 and t.part == "wait"):
                        continue
                    f = factor(leg.edge, t) if factor is not None else 1.0
                    hours += evaluate([t], value)["time_h"] * f
            assert comp.days[fam][i] == pytest.approx(hours / 24.0, rel=1e-9)


def test_errors(tiny_G, bundled_G):
    with pytest.raises(ValueError, match="unknown route family 'nope'"):
        compare(bundled_G, "Mumbai", "Moscow", families=["nope"], draws=10)
    with pytest.raises(ValueError, match="draws"):
        compare(tiny_G, "Echo", "Alpha", families=[LAND], draws=0)
    closed = Family("none", "None", "all closed", close_places=("C", "X"))
    with pytest.raises(cm.NoRouteError):
        compare(tiny_G, "Echo", "Alpha", families=[closed], draws=10)


def test_bundled_mumbai_moscow(bundled_G):
    comp = compare(bundled_G, "Mumbai", "Moscow", draws=1000)
    names = [r["family"] for r in comp.to_records()]
    assert names == [
        "instc-western",
        "instc-transcaspian",
        "instc-eastern",
        "suez",
        "suez-north-europe",
        "cape",
    ]
    assert {"RTM", "LED"} <= set(comp.routes["suez-north-europe"].nodes)
    assert {"ASA", "ASI"} <= set(comp.routes["instc-western"].nodes)
    assert {"INB", "SRK"} & set(comp.routes["instc-eastern"].nodes)
    assert any(n in comp.routes["instc-transcaspian"].nodes for n in ("ANZ", "CSP", "AMB", "NSH"))
    assert "SUZ" in comp.routes["suez"].nodes
    assert "CGH" in comp.routes["cape"].nodes
    cape, suez = np.median(comp.days["cape"]), np.median(comp.days["suez"])
    assert cape > suez
    assert comp.sensitivity and comp.sensitivity[0]["swing_days"] > 0


def test_cli_compare_json_and_chart(tmp_path, capsys):
    chart = tmp_path / "c.png"
    code = main(
        [
            "compare",
            "Mumbai",
            "Rotterdam",
            "--draws",
            "300",
            "--format",
            "json",
            "--chart",
            str(chart),
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["families"]
    assert doc["clock"] == "transit"
    assert {r["family"] for r in rows} >= {"suez", "cape"}
    for r in rows:
        assert set(r) >= {"family", "distance_km", "days", "cost_usd", "co2_kg", "nodes"}
        assert set(r) >= {"transit_days", "schedule_wait_days", "door_to_door_days"}
        assert set(r["days"]) == {"expected", "p10", "p50", "p90"}
        assert r["days"] == r["transit_days"]
        door = r["door_to_door_days"]["expected"]
        both = r["transit_days"]["expected"] + r["schedule_wait_days"]["expected"]
        assert door == pytest.approx(both, abs=0.011)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_compare_errors(capsys):
    assert main(["compare", "Mumbai", "Nowhere"]) == 2
    assert "no place 'Nowhere'" in capsys.readouterr().err
    assert main(["compare", "Mumbai", "Moscow", "--family", "bogus"]) == 2
