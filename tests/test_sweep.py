"""The origin-destination sweep: equal to compare per pair, whatever the partitioning, on Dask
(a local cluster with two worker processes, and a scheduler address on loopback)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from corridormap import InputError, load_network
from corridormap.cli import main
from corridormap.compare import compare
from corridormap.sweep import SWEEP_COLUMNS, sweep

FAMILIES = """
reference = "sea"

[[family]]
name = "overland"
label = "Overland"
instc = true
close_places = ["X"]
source = "test"

[[family]]
name = "overland-rail"
label = "Overland by rail"
instc = true
close_places = ["X"]
close_modes = ["road"]
source = "test"

[[family]]
name = "sea"
label = "By sea"
instc = false
close_links = ["B-C"]
source = "test"
"""

PLACES = ["A", "B", "C", "D", "E", "F"]


@pytest.fixture
def fam_G(tiny_dir):
    (tiny_dir / "families.toml").write_text(FAMILIES, encoding="utf-8")
    return load_network(tiny_dir)


def _assert_same_as_compare(G, frame, *, draws, seed, weights=None):
    checked = 0
    for (o, d, sc), rows in frame.groupby(["origin", "destination", "scenario"], sort=False):
        w = (weights or {}).get(sc)
        try:
            comp = compare(G, o, d, draws=draws, seed=seed, weight=w)
        except Exception:  # no family connects the pair: the sweep says so on every row
            assert not rows["reachable"].any()
            continue
        for r in rows.itertuples(index=False):
            assert r.reachable == (r.family in comp.days), (o, d, sc, r.family)
            if not r.reachable:
                continue
            days = np.percentile(comp.days[r.family], [10, 50, 90]).tolist()
            cost = np.percentile(comp.cost_usd[r.family], [10, 50, 90]).tolist()
            assert [r.days_p10, r.days_p50, r.days_p90] == days, (o, d, sc, r.family)
            assert [r.cost_usd_p10, r.cost_usd_p50, r.cost_usd_p90] == cost
            assert r.days_expected == comp.expected_days(r.family)
            assert r.cost_usd_expected == comp.expected[r.family]["cost"]
            assert r.schedule_wait_days == comp.expected[r.family]["wait"]
            assert r.distance_km == pytest.approx(comp.routes[r.family].distance_km)
            assert r.nodes == " ".join(comp.routes[r.family].nodes)
            if not r.instc:
                p = comp.p_instc_beats(r.family)
                assert (p is None and math.isnan(r.p_instc_faster)) or r.p_instc_faster == p
            checked += 1
    assert checked > 0


def test_sweep_equals_compare_on_the_tiny_network(fam_G):
    frame = sweep(fam_G, PLACES, PLACES, draws=300, seed=5)
    assert list(frame.columns) == list(SWEEP_COLUMNS)
    assert len(frame) == 6 * 5 * 3  # pairs x families, one scenario
    assert set(frame["scenario"]) == {"baseline"}
    _assert_same_as_compare(fam_G, frame, draws=300, seed=5)
    # the INSTC is measured on the sea family's row, and a best family is named
    sea = frame[(frame["family"] == "sea") & frame["reachable"]]
    assert sea["p_instc_faster"].between(0, 1).any()
    assert frame["best_family"].notna().all()


def test_sweep_equals_compare_on_bundled_pairs_and_scenarios(bundled_G):
    from corridormap import apply_scenario

    frame = sweep(
        bundled_G,
        ["Mumbai"],
        ["Moscow", "Baku"],
        scenarios=["red-sea-closed", "azerbaijan-border-closed"],
        draws=400,
        seed=11,
    )
    assert list(dict.fromkeys(frame["scenario"])) == [
        "baseline",
        "red-sea-closed",
        "azerbaijan-border-closed",
    ]
    weights = {s: apply_scenario(bundled_G, s).weight() for s in frame["scenario"].unique()}
    weights["baseline"] = None
    _assert_same_as_compare(bundled_G, frame, draws=400, seed=11, weights=weights)
    # the scenarios change the figures (same draws: common random numbers)
    by = frame.set_index(["origin", "destination", "family", "scenario"])["days_p50"].unstack()
    assert (by["red-sea-closed"] != by["baseline"]).any()
    assert (by["azerbaijan-border-closed"] != by["baseline"]).any()


def test_large_networks_route_each_pair_as_compare_does(bundled_G, monkeypatch):
    """Above OWN_SEARCH_MAX_EDGES a pair's routes are found by route() on the compiled core,
    not read off the module's own trees: the table is compare's, pair by pair, to the last
    bit."""
    import importlib

    from corridormap import apply_scenario

    sw = importlib.import_module("corridormap.sweep.partition")
    own = []
    monkeypatch.setattr(sw, "OWN_SEARCH_MAX_EDGES", 0)
    monkeypatch.setattr(sw, "tree_of", lambda *a: own.append(a))
    frame = sweep(
        bundled_G,
        ["Mumbai", "Baku"],
        ["Moscow", "Jeddah"],
        scenarios=["red-sea-closed"],
        draws=300,
        seed=3,
    )
    assert own == []  # the module's own trees never ran
    weights = {"baseline": None, "red-sea-closed": apply_scenario(bundled_G, "red-sea-closed")}
    weights["red-sea-closed"] = weights["red-sea-closed"].weight()
    _assert_same_as_compare(bundled_G, frame, draws=300, seed=3, weights=weights)
    assert len(frame) == 2 * 2 * 2 * frame["family"].nunique()


def test_trees_give_the_route_route_finds(bundled_G):
    """Every pair's route read off the sweep's tree is the one route() finds, under every
    scenario and family, to the node."""
    from corridormap import list_scenarios, route
    from corridormap.families import family_weight, network_families
    from corridormap.sweep.job import scenario_weight
    from corridormap.sweep.search import Tables, best_route, tree_of

    fams = network_families(bundled_G).families
    places = ["NSA", "MOW", "BAK", "JED", "AKT", "SRJ"]
    checked = 0
    for name in ["baseline", *list_scenarios(bundled_G)]:
        from corridormap.sweep.job import scenario_items

        items = dict(scenario_items(bundled_G, [] if name == "baseline" else [name]))[name]
        base = scenario_weight(bundled_G, name, items, "time_h")
        for fam in fams:
            wf = family_weight(bundled_G, fam, base)
            tab = Tables.build(bundled_G, wf)
            for o in places:
                tree = tree_of(tab, o)
                for d in places:
                    if d == o:
                        continue
                    got = best_route(tab, tree, d)
                    try:
                        want = route(bundled_G, o, d, weight=wf)
                    except Exception:
                        assert got is None, (name, fam.name, o, d)
                        continue
                    # the same route: its links, transfers and terms (two services of equal
                    # figures may tie on the same sailing)
                    from corridormap.uncertainty import route_key, route_terms

                    edges = [leg.edge for leg in want.legs]
                    assert got is not None and got.id == route_key(edges), (name, fam.name, o, d)
                    assert (got.transit, got.wait) == route_terms(want)
                    checked += 1
    assert checked > 100


def test_result_does_not_depend_on_partitions(fam_G):
    one = sweep(fam_G, PLACES, PLACES, draws=200, seed=1, partitions=1)
    many = sweep(fam_G, PLACES, PLACES, draws=200, seed=1, partitions=4)
    pd.testing.assert_frame_equal(one, many)
    # and a different seed gives different figures
    other = sweep(fam_G, PLACES, PLACES, draws=200, seed=2)
    assert not one["days_p50"].equals(other["days_p50"])


def test_partitions_in_one_process_weigh_each_scenario_once(fam_G, monkeypatch):
    """The partitions run in this process share the scenarios' weights (and the tables)."""
    import importlib

    partition = importlib.import_module("corridormap.sweep.partition")
    real = partition.scenario_weight
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(partition, "scenario_weight", counted)
    counts = []
    for parts in (1, 4):
        calls.clear()
        sweep(fam_G, PLACES, PLACES, draws=50, seed=1, partitions=parts)
        counts.append(len(calls))
    assert counts[0] == counts[1] > 0


def test_sweep_rejects_bad_arguments(fam_G):
    with pytest.raises(InputError):
        sweep(fam_G, ["A"], ["E"], draws=0)
    with pytest.raises(InputError):
        sweep(fam_G, ["A"], ["E"], by="distance")
    with pytest.raises(InputError):
        sweep(fam_G, ["A"], ["E"], client=42)


def _local_cluster(n_workers=2, **kw):
    distributed = pytest.importorskip("distributed")
    return distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
        **kw,
    )


def test_local_cluster_two_worker_processes_same_table(fam_G):
    from distributed import Client

    expected = sweep(fam_G, PLACES, PLACES, draws=200, seed=3)
    with _local_cluster() as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        got = sweep(fam_G, PLACES, PLACES, draws=200, seed=3, client=client, partitions=5)
        again = sweep(fam_G, PLACES, PLACES, draws=200, seed=3, client=cluster.scheduler_address)
    pd.testing.assert_frame_equal(expected, got)
    pd.testing.assert_frame_equal(expected, again)


def test_the_sweeps_own_local_cluster_keeps_glibcs_trim_threshold(fam_G, monkeypatch):
    """Its workers do not get Dask's MALLOC_TRIM_THRESHOLD_ (a quarter slower Monte Carlo)."""
    pytest.importorskip("distributed")
    import os

    from distributed import Client

    from corridormap.sweep.execution import local_cluster

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    expected = sweep(fam_G, PLACES, PLACES, draws=100, seed=4)
    with local_cluster(1, host="127.0.0.1") as cluster, Client(cluster) as client:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert list(env.values()) == [None]
        got = sweep(fam_G, PLACES, PLACES, draws=100, seed=4, client=client)
    pd.testing.assert_frame_equal(expected, got)
    with _local_cluster(n_workers=1) as cluster, Client(cluster) as client:
        # a cluster of Dask's defaults does set it: the check above can fail
        assert set(client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()) == {
            "65536"
        }


def test_cli_sweep_on_a_scheduler_address(fam_G, tiny_dir, tmp_path, capsys):
    expected = sweep(fam_G, PLACES, PLACES, draws=150, seed=9)
    out = tmp_path / "sweep.csv"
    local = tmp_path / "local.csv"
    args = ["sweep", "--data", str(tiny_dir), "--origins", ",".join(PLACES)]
    args += ["--destinations", ",".join(PLACES), "--draws", "150", "--seed", "9", "-q"]
    with _local_cluster() as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        assert main([*args, "--scheduler", address, "--out", str(out)]) == 0
    assert main([*args, "--scheduler", "none", "--out", str(local)]) == 0
    got = pd.read_csv(out)
    assert got.equals(pd.read_csv(local))
    assert got["days_p50"].tolist() == pytest.approx(expected["days_p50"].tolist(), nan_ok=True)
    assert list(got["family"]) == list(expected["family"])


def test_cli_sweep_parquet_and_catchment_map(tiny_dir, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    (tiny_dir / "families.toml").write_text(FAMILIES, encoding="utf-8")
    out, page = tmp_path / "t.parquet", tmp_path / "c.html"
    args = ["sweep", "--data", str(tiny_dir), "--origins", "E", "--destinations", "A,B,C,D,F"]
    code = main(
        [*args, "--draws", "100", "--scheduler", "none", "--out", str(out), "--map", str(page)]
    )
    assert code == 0
    table = pd.read_parquet(out)
    assert set(table["origin"]) == {"E"} and len(table) == 5 * 3
    html = page.read_text(encoding="utf-8")
    # the reference family by its label, as families.toml gives it
    assert "Scenario: baseline" in html and "P(INSTC faster than By sea)" in html
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_sweep_errors_and_no_dask(tiny_dir, tmp_path, capsys, monkeypatch, caplog):
    base = ["sweep", "--data", str(tiny_dir), "--draws", "50", "--out", str(tmp_path / "x.csv")]
    assert main([*base, "--origins", "Nowhere", "--destinations", "A"]) == 2
    err = capsys.readouterr().err
    assert "no place 'Nowhere'" in err and "Traceback" not in err
    import importlib

    sw = importlib.import_module("corridormap.sweep")  # the module, not cm.sweep the function
    monkeypatch.setattr(sw, "dask_available", lambda: False)
    with caplog.at_level("WARNING", logger="corridormap"):
        assert main([*base, "--origins", "E", "--destinations", "A"]) == 0
    assert "Dask is not installed: sweeping in this process" in caplog.text
    assert main([*base, "--origins", "E", "--destinations", "A", "--scheduler", "tcp://x:1"]) == 2
    capsys.readouterr()
    bad_map = ["--origins", "E", "--destinations", "A", "--map", str(tmp_path / "m.html")]
    (tmp_path / "x.csv").unlink()
    assert main([*base, *bad_map, "--map-origin", "A", "--scheduler", "none"]) == 2
    err = capsys.readouterr().err
    # refused before the sweep: the table is not written either
    assert "--map-origin A: A is not among the origins swept" in err and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()
    assert main(["map", "catchment", "--data", str(tiny_dir), "--out", str(tmp_path)]) == 2
    assert "needs --origin" in capsys.readouterr().err


def test_catchment_map_layers_and_escaping(fam_G):
    from corridormap import places
    from corridormap.render import render_html
    from corridormap.render.catchment import catchment_frame, catchment_map

    frame = sweep(fam_G, ["E"], PLACES, draws=100, seed=0)
    frame.loc[frame["destination"] == "A", "destination_name"] = "{{ 7*7 }}<script>x</script>"
    cat = places(fam_G)
    data = catchment_frame(frame, "E")
    assert set(data["destination"]) == set(PLACES) - {"E"}
    page = render_html(catchment_map(frame, cat, origin="E"))
    assert "<script>x</script>" not in page and "{{ 7*7 }}" not in page
    # not evaluated as a template ("49"), shown as written, escaped for where it lands
    # (folium's random element ids may contain the digits 49 anywhere: look for the label)
    assert not any(f"49{lt}script" in page for lt in ("&lt;", "\\u003c", "\\x3c"))
    assert "7*7" in page
    assert page.count("Scenario: baseline") >= 1
    with pytest.raises(ValueError, match="no row from origin"):
        catchment_frame(frame, "A")


def test_a_sweep_of_both_clocks_is_each_clocks_sweep(bundled_G, tmp_path):
    args = dict(scenarios=["red-sea-closed"], draws=100, seed=2)
    both = sweep(bundled_G, ["MAA"], ["MOW", "RTM"], clock=["transit", "door-to-door"], **args)
    assert list(dict.fromkeys(both["clock"])) == ["transit", "door-to-door"]
    for clock in ("transit", "door-to-door"):
        one = sweep(bundled_G, ["MAA"], ["MOW", "RTM"], clock=clock, **args)
        mine = both[both["clock"] == clock].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one, check_like=False)
    out = tmp_path / "both.csv"
    argv = ["sweep", "--origins", "MAA", "--destinations", "MOW", "--clock", "transit"]
    argv += ["--clock", "door-to-door", "--draws", "20", "--scheduler", "none", "--out", str(out)]
    code = main([*argv, "-q"])
    assert code == 0
    assert set(pd.read_csv(out)["clock"]) == {"transit", "door-to-door"}
    with pytest.raises(InputError, match="clock must be one of"):
        sweep(bundled_G, ["MAA"], ["MOW"], clock=["transit", "noon"])
