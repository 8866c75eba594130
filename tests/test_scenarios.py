"""Scenario files: loading, validation, composition, weights, capacities and comparisons."""

from __future__ import annotations

import json
import math

import pytest

from conftest import tiny, write_geodata
from corridormap import (
    ScenarioError,
    apply_scenario,
    compare_scenarios,
    list_scenarios,
    load_network,
    load_scenario,
    min_cut,
    route,
)
from corridormap.cli import main

BUNDLED = {
    "baseline",
    "rasht-astara-railway",
    "red-sea-closed",
    "suez-closed",
    "caspian-low-water",
    "azerbaijan-border-closed",
}


def snapshot(G):
    return (
        sorted(G.nodes(data=True), key=lambda x: x[0]),
        sorted(
            ((u, v, k, dict(d)) for u, v, k, d in G.edges(keys=True, data=True)),
            key=lambda x: (x[0], x[1], x[2]),
        ),
    )


def write_scenario(directory, name, body):
    d = directory / "scenarios"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}.toml").write_text(f'name = "{name}"\ndescription = "t"\n{body}', "utf-8")
    return d / f"{name}.toml"


def test_bundled_scenarios_listed_and_valid(bundled_G):
    assert set(list_scenarios(bundled_G)) >= BUNDLED
    for name in BUNDLED:
        sc = load_scenario(name, bundled_G)
        assert sc.name == name and sc.description
        assert sc.sources


def test_open_planned_link_tiny(tiny_dir):
    body = '[changes]\nopen_links = ["B-D-plan"]\nclose_links = ["B-C"]\n'
    write_scenario(tiny_dir, "plan", body)
    G = load_network(tiny_dir)
    before = snapshot(G)
    base = route(G, "Alpha", "Delta")
    view = apply_scenario(G, "plan")
    r = route(G, "Alpha", "Delta", weight=view.weight())
    assert "B-D-plan" not in base.link_ids and "B-C" in base.link_ids
    assert "B-D-plan" in r.link_ids and "B-C" not in r.link_ids
    assert snapshot(G) == before


def test_unknown_id_names_file_and_id(tiny_dir):
    path = write_scenario(tiny_dir, "bad", '[changes]\nclose_links = ["A-Bx"]\n')
    G = load_network(tiny_dir)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(str(path), G)
    msg = str(exc.value)
    assert "bad.toml" in msg and "'A-Bx'" in msg and "A-B" in msg
    with pytest.raises(ScenarioError, match=r"bad\.toml"):
        apply_scenario(G, "bad")


@pytest.mark.parametrize(
    "body, match",
    [
        ('[changes]\nclose_nodes = ["Q"]\n', "node 'Q'"),
        ("[changes.speed]\nrail = 0\n", "above 0"),
        ("[changes.speed]\nhovercraft = 2\n", "mode 'hovercraft'"),
        ("[changes]\nteleport = true\n", "unknown change"),
        ('[changes.dwell.transfer]\nport = "x"\n', "number"),
    ],
)
def test_invalid_scenarios(tiny_dir, body, match):
    path = write_scenario(tiny_dir, "bad", body)
    G = load_network(tiny_dir)
    with pytest.raises(ScenarioError, match=match):
        load_scenario(path, G)


def test_unknown_scenario_name_suggests(tiny_G):
    with pytest.raises(ScenarioError, match="rasht-astara-railway"):
        load_scenario("rasht-astara-railwy", tiny_G)


def test_scaling_and_composition(tiny_dir):
    write_scenario(tiny_dir, "fast", "[changes.speed]\nrail = 2.0\nsea = 2.0\n")
    write_scenario(tiny_dir, "slowport", "[changes.dwell.transfer]\nport = 3.0\n")
    write_scenario(tiny_dir, "shut", '[changes]\nclose_links = ["C-D"]\n')
    G = load_network(tiny_dir)
    before = snapshot(G)
    comp = compare_scenarios(
        G, [("Alpha", "Delta")], ["fast", "slowport", ["fast", "shut"], "baseline"]
    )
    rows = {r["scenario"]: r for r in comp.rows}
    assert rows["fast"]["delta_days"] < 0
    assert rows["slowport"]["delta_days"] >= 0
    assert "fast+shut" in rows
    assert rows["baseline"]["delta_days"] == 0
    view = apply_scenario(G, ["fast", "shut"])
    assert "C-D" in view.closed_links and view.scales_time
    r = route(G, "Alpha", "Delta", weight=view.weight())
    assert "C-D" not in r.link_ids
    df = comp.to_frame()
    assert list(df.columns)[:3] == ["pair", "scenario", "days"]
    assert snapshot(G) == before


def test_closed_wins_over_opened(tiny_dir):
    write_scenario(tiny_dir, "o", '[changes]\nopen_links = ["B-D-plan"]\n')
    write_scenario(tiny_dir, "c", '[changes]\nclose_links = ["B-D-plan"]\n')
    G = load_network(tiny_dir)
    view = apply_scenario(G, ["o", "c"])
    assert "B-D-plan" not in view.opened_links


def test_capacity_scaling(tmp_path):
    data = tiny()
    for f in data["links"]:
        if f["properties"]["id"] == "B-C":
            f["properties"].update(capacity=8.0, capacity_unit="Mt/yr")
    d = write_geodata(tmp_path / "g", data)
    write_scenario(d, "half", "[changes.capacity.mode]\nrail = 0.5\n")
    G = load_network(d)
    base = min_cut(G, "Alpha", "Gamma", modes=["rail"])
    half = min_cut(G, "Alpha", "Gamma", modes=["rail"], scenario=apply_scenario(G, "half"))
    assert base.flow == pytest.approx(8.0)
    assert half.flow == pytest.approx(4.0)


# -- bundled ------------------------------------------------------------------------------
def test_rasht_astara_railway_saves_rail_cargo(bundled_G):
    """Rail cargo through Iran (the cheapest way) transships to trucks at Rasht today; with the
    railway it stays on the train past Rasht: cheaper. The road stays open to trucks."""
    view = apply_scenario(bundled_G, "rasht-astara-railway")
    base = route(bundled_G, "Bandar Abbas", "Astara (AZ)", by="cost_usd")
    built = route(bundled_G, "Bandar Abbas", "Astara (AZ)", weight=view.weight("cost_usd"))
    assert "ASI-RSH-road" in base.link_ids and "ASI-RSH-rail" in built.link_ids

    def at_rasht(r):
        return [
            leg for leg in r.legs if leg.get("transfer") == "rail_road" and leg["from"] == "RSH"
        ]

    assert at_rasht(base) and not at_rasht(built)
    assert built.cost_usd < base.cost_usd
    assert "ASI-RSH-road" not in view.closed_links


@pytest.mark.parametrize("name, gone", [("red-sea-closed", "BEM"), ("suez-closed", "SUZ")])
def test_sea_closures_reroute(bundled_G, name, gone):
    comp = compare_scenarios(bundled_G, [("Mumbai", "Rotterdam")], [name])
    row = comp.rows[0]
    assert gone not in row["route_nodes"]
    assert row["delta_days"] > 0


def test_azerbaijan_border_closed(bundled_G):
    comp = compare_scenarios(bundled_G, [("Mumbai", "Moscow")], ["azerbaijan-border-closed"])
    row = comp.rows[0]
    assert row["delta_days"] >= 0
    assert not {"YAL", "ASA"} & set(row["route_nodes"])


def test_caspian_low_water_cuts_capacity(bundled_G):
    """Russia -> Iran's Caspian ports: the cut runs through Astrakhan and Olya, whose
    throughput low water cuts to about 75%."""
    land = ["rail", "caspian", "ferry", "inland"]
    base = min_cut(bundled_G, "russia", "iran-caspian-ports", modes=land)
    low = min_cut(
        bundled_G,
        "russia",
        "iran-caspian-ports",
        modes=land,
        scenario=apply_scenario(bundled_G, "caspian-low-water"),
    )
    assert {"AST", "OLY"} <= {c["element"] for c in base.cut}
    assert low.flow < base.flow
    assert math.isfinite(low.flow)


def test_cli_scenario_json(capsys):
    code = main(
        ["scenario", "rasht-astara-railway", "--pair", "Mumbai", "Moscow", "--format", "json"]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {
        "pair",
        "scenario",
        "days",
        "baseline_days",
        "delta_days",
        "cost_usd",
        "baseline_cost_usd",
        "delta_cost_usd",
        "route_nodes",
        # the same Monte Carlo as route and compare: P10/P50/P90 beside the expected days,
        # and the difference draw by draw
        "clock",
        "days_p10",
        "days_p50",
        "days_p90",
        "baseline_days_p50",
        "delta_days_p10",
        "delta_days_p50",
        "delta_days_p90",
        "cost_usd_p50",
        "baseline_cost_usd_p50",
        "draws",
        "seed",
    }
    r = rows[0]
    assert r["clock"] == "transit"
    assert r["delta_days"] <= 0  # the railway never makes the best route slower
    assert r["delta_days_p10"] <= r["delta_days_p50"] <= r["delta_days_p90"]
    assert r["days_p10"] < r["days_p50"] < r["days_p90"]


def test_cli_scenario_unknown(capsys):
    assert main(["scenario", "no-such-thing", "--pair", "Mumbai", "Moscow"]) == 2
    err = capsys.readouterr().err
    assert "no-such-thing" in err and err.count("\n") == 1


def test_applied_scenario_lists_its_changes(bundled_G):
    from corridormap.scenarios import apply_scenario

    applied = apply_scenario(bundled_G, ["rasht-astara-railway", "caspian-low-water"])
    df = applied.to_frame()
    assert list(df.columns) == ["change", "target", "value"]
    rows = {(r["change"], r["target"]) for r in applied.to_dict()}
    assert ("open link", "ASI-RSH-rail") in rows and ("close link", "ASI-RSH-road") not in rows
    assert ("capacity (mode)", "caspian") in rows
