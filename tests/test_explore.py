"""The explorer's data (corridormap.explore) and the ``explorer`` command: every figure is
compare's as compare rounds it, routes are stored once, a sweep table gives the same page."""

from __future__ import annotations

import json

import pytest
from pytest import approx

from corridormap import InputError, apply_scenario
from corridormap.analysis import load_analysis
from corridormap.cli import main
from corridormap.compare import compare
from corridormap.explore import default_ends, explorer_data, explorer_data_from_sweep
from corridormap.render.explorer import check_explorer_data, explorer_files
from corridormap.sweep import sweep, write_table

ORIGINS = ["MAA", "NSA"]
DESTS = ["MOW", "RTM"]
DRAWS, SEED = 300, 5


@pytest.fixture(scope="module")
def data(bundled_G):
    return explorer_data(
        bundled_G, ORIGINS, DESTS, scenarios=["red-sea-closed"], draws=DRAWS, seed=SEED
    )


def test_every_figure_is_compares(bundled_G, data):
    check_explorer_data(data)
    assert [s["name"] for s in data["scenarios"]] == ["baseline", "red-sea-closed"]
    checked = 0
    for o in ORIGINS:
        for d in DESTS:
            for s in ("baseline", "red-sea-closed"):
                cell = data["results"][o][d][s]
                for clock in ("transit", "door-to-door"):
                    w = apply_scenario(bundled_G, s).weight() if s != "baseline" else None
                    comp = compare(bundled_G, o, d, draws=DRAWS, seed=SEED, clock=clock, weight=w)
                    records = {r["family"]: r for r in comp.to_records(None)}
                    assert set(cell["families"]) == set(records)
                    for name, rec in records.items():
                        mine = cell["families"][name][clock]
                        keys = ("expected", "p10", "p50", "p90")
                        near = {"abs": 1e-6}
                        assert mine["days"] == approx([rec["days"][k] for k in keys], **near)
                        assert mine["usd"] == [round(rec["cost_usd"][k]) for k in keys]
                        wait = rec["schedule_wait_days"]["expected"]
                        assert mine["schedule_wait_days"] == approx(wait, **near)
                        assert mine["co2_kg"] == approx(rec["co2_kg"], **near)
                        assert mine["borders"] == rec["borders"]
                        assert mine["transshipments"] == rec["transshipments"]
                        assert data["routes"][mine["route"]]["places"] == rec["nodes"]
                        checked += 1
                    best = min(records, key=lambda f: records[f]["days"]["expected"])
                    assert cell["best"][clock] == best
                    sea = [f["name"] for f in data["families"] if not f["instc"]]
                    p = {f: comp.p_instc_beats(f) for f in records if f in sea}
                    assert cell["p_instc_faster"][clock] == {
                        f: v for f, v in p.items() if v is not None
                    }
    assert checked >= 2 * 2 * 2 * 2 * 4


def test_routes_and_geometry_are_stored_once(data):
    links = data["links"]
    used = {lid for r in data["routes"].values() for lid in r["links"]}
    assert used == set(links)  # every link a route takes, and no other
    for link in links.values():
        assert len(link["coords"]) >= 2
    records = [
        json.dumps(r, sort_keys=True) for r in data["routes"].values()
    ]  # identical routes share an id
    assert len(records) == len(set(records))
    for r in data["routes"].values():
        assert r["steps"][0][0] == 0 and r["steps"][-1][1] == pytest.approx(r["km"], abs=0.05)


def test_a_sweep_table_gives_the_same_data(bundled_G, data, tmp_path):
    frame = sweep(
        bundled_G,
        ORIGINS,
        DESTS,
        scenarios=["red-sea-closed"],
        draws=DRAWS,
        seed=SEED,
        clock=["transit", "door-to-door"],
    )
    path = write_table(frame, tmp_path / "sweep.csv")
    again = explorer_data_from_sweep(bundled_G, path)
    assert again["results"] == data["results"]
    assert again["routes"] == data["routes"] and again["links"] == data["links"]
    # a table of one clock gives a page of that clock
    one = frame[frame["clock"] == "transit"]
    assert [c["name"] for c in explorer_data_from_sweep(bundled_G, one)["clocks"]] == ["transit"]


def test_a_sweep_table_of_other_routes_is_refused(bundled_G, tmp_path):
    frame = sweep(bundled_G, ["MAA"], ["MOW"], draws=50, seed=1)
    table = frame.copy()
    frame.loc[frame["family"] == "suez", "nodes"] = "MAA MOW"
    with pytest.raises(InputError, match=r"suez from MAA to MOW .* is MAA MOW in the table"):
        explorer_data_from_sweep(bundled_G, frame)
    with pytest.raises(InputError, match="--by time"):  # swept by cost: other routes
        explorer_data_from_sweep(
            bundled_G, sweep(bundled_G, ["MAA"], ["MOW"], draws=50, by="cost_usd")
        )
    frame = table.copy()
    frame["best_family"] = "cape"  # routes as found here, but not the fastest named best
    with pytest.raises(InputError, match="best family is cape, not the fastest"):
        explorer_data_from_sweep(bundled_G, frame)
    with pytest.raises(InputError, match="not a sweep table"):
        explorer_data_from_sweep(bundled_G, table.drop(columns=["nodes"]))


def test_default_ends_are_the_analysis_files(bundled_G):
    spec = load_analysis().explorer
    assert spec is not None and "port" in spec["origins"]
    origins, dests = default_ends(bundled_G)
    kinds = {bundled_G.nodes[p].get("kind") for p in origins}
    assert kinds <= {"city", "port", "dry_port"} and origins == dests


@pytest.mark.parametrize(
    "table, message",
    [
        ("[explorer]\norigins = 'port'\ndestinations = ['city']\n", "field 'origins'"),
        ("[explorer]\norigins = ['port']\n", "field 'destinations'"),
        ("[explorer]\norigins = ['x']\ndestinations = ['y']\ndraws = 3\n", "unknown key 'draws'"),
    ],
)
def test_the_explorer_table_is_checked(tiny_dir, table, message):
    from corridormap import GeodataError

    (tiny_dir / "analysis.toml").write_text(table, encoding="utf-8")
    with pytest.raises(GeodataError, match=message):
        load_analysis(tiny_dir)


def test_the_command_writes_the_site(tmp_path, capsys):
    out = tmp_path / "site"
    args = ["explorer", "--out", str(out), "--origins", "Chennai", "--destinations", "Moscow"]
    code = main([*args, "--scenario", "red-sea-closed", "--draws", "60", "-q"])
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.strip() == str(out / "index.html")
    written = sorted(p for p in out.rglob("*") if p.is_file())
    meta = (out / "data" / "meta.js").read_text(encoding="utf-8")
    assert '"draws":60' in meta.replace(" ", "")
    data = {"results": {"MAA": {}}}
    assert written == sorted(explorer_files(data, out))
    single = tmp_path / "single"
    code = main([*args, "--out", str(single), "--draws", "60", "--self-contained", "-q"])
    assert code == 0
    assert [p.name for p in single.iterdir()] == ["index.html"]


def _error(capsys, code: int) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("corridormap: error: ") and len(err.strip().splitlines()) == 1
    return err


def test_the_command_refuses_what_a_sweep_table_fixes(tmp_path, capsys):
    table = tmp_path / "t.csv"
    table.write_text("x\n", encoding="utf-8")
    code = main(
        ["explorer", "--out", str(tmp_path / "s"), "--from-sweep", str(table), "--draws", "9"]
    )
    assert "drop --draws" in _error(capsys, code)
    code = main(["explorer", "--out", str(tmp_path / "s"), "--from-sweep", str(table)])
    assert "not a sweep table" in _error(capsys, code)


def test_the_command_does_not_write_onto_its_input(bundled_G, tmp_path, capsys):
    frame = sweep(bundled_G, ["MAA"], ["MOW"], draws=20, seed=0, clock=["transit"])
    out = tmp_path / "site"
    (out / "data").mkdir(parents=True)
    table = write_table(frame, out / "data" / "meta.js")  # a CSV that the site would replace
    before = table.read_bytes()
    code = main(["explorer", "--out", str(out), "--from-sweep", str(table), "-q"])
    assert "meta.js" in _error(capsys, code)
    assert table.read_bytes() == before
    assert not (out / "index.html").exists()


def test_the_command_checks_the_work_first(tmp_path, capsys):
    code = main(["explorer", "--out", str(tmp_path), "--max-pairs", "10"])
    err = _error(capsys, code)
    assert "explorer: 4,556 pairs x 7 scenarios x 2 clocks" in err and "--max-pairs" in err
    assert not any(tmp_path.iterdir())
