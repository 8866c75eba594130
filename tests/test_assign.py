"""Volume assignment: units, volume files, the queueing curve, equilibrium and its CLI."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridormap as cm
from conftest import PARAMS, P, link, node, write_geodata
from corridormap import cli
from corridormap._errors import GeodataError, InputError
from corridormap.assign import (
    QueueCurve,
    Volumes,
    assign,
    list_volumes,
    load_volumes,
    scenario_savings,
)
from corridormap.places import resolve_area
from corridormap.units import to_mt_per_yr
from corridormap.weights import make_weight

EXTRA_PARAMS = f"""
[meta]
cargo_t_per_teu = 10.0
[conversions]
t_per_wagon = {P(60.0)}
t_per_truck = {P(20.0)}
teu_per_container = {P(1.5, 1.0, 2.0)}
[congestion]
curve = "test"
horizon_h = {P(720.0)}
delay_parameter = {P(0.5)}
[congestion.batch_t]
rail = {P(800.0)}
road = {P(20.0)}
ferry = {P(3000.0)}
caspian = {P(5000.0)}
sea = {P(37000.0)}
"""


def two_routes() -> dict:
    """A to D by two railways: short via B (2 Mt/yr) and long via C (3 Mt/yr); D is a port
    with a handling capacity of 50 Mt/yr."""
    A = node("A", 40.0, 50.0, name="Alpha")
    B = node("B", 42.0, 47.0, name="Beta")
    C = node("C", 36.0, 46.0, name="Gamma")
    D = node("D", 41.0, 44.0, name="Delta", capacity=50.0, capacity_unit="Mt/yr")
    cap = {"capacity_unit": "Mt/yr", "capacity_source": "test"}
    return {
        "nodes": [A, B, C, D],
        "links": [
            link("A-B", A, B, "rail", capacity=2.0, **cap),
            link("B-D", B, D, "rail"),
            link("A-C", A, C, "rail", capacity=3.0, **cap),
            link("C-D", C, D, "rail"),
        ],
    }


_DIR = write_geodata(Path(tempfile.mkdtemp()) / "geo", two_routes(), PARAMS + EXTRA_PARAMS)
G2 = cm.load_network(_DIR)


def volumes(amount: float, unit: str = "Mt/yr", **extra) -> Volumes:
    flow = {"id": "f", "from": "A", "to": "D", "amount": amount, "unit": unit, "source": "t"}
    flow.update(extra)
    return Volumes.from_dict({"name": "v", "flow": [flow]})


# -- units ---------------------------------------------------------------------------------
def test_units_convert_with_the_sourced_factors(bundled_G):
    params = bundled_G.graph["params"]
    assert to_mt_per_yr(2.0, "Mt/yr", params).mt_per_yr == 2.0
    wagons = to_mt_per_yr(160, "wagons/day", params)
    assert wagons.mt_per_yr == pytest.approx(160 * 59.7 * 365 / 1e6)
    assert "59.7 t/wagon" in wagons.how
    teu = to_mt_per_yr(2300, "TEU", params, period_days=330)
    assert teu.mt_per_yr == pytest.approx(2300 * 10 * 365 / 330 / 1e6)
    with pytest.raises(InputError, match="days it covers"):
        to_mt_per_yr(2300, "TEU", params)
    with pytest.raises(InputError, match="not a count"):
        to_mt_per_yr(1, "barrels/yr", params)


# -- volume files ----------------------------------------------------------------------------
def test_volume_file_errors_name_file_flow_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\n[[flow]]\nid = "f1"\nfrom = "A"\nto = "D"\namount = -1\n'
        'unit = "t"\nsource = "s"\n'
    )
    with pytest.raises(GeodataError, match=r"bad\.toml.*f1.*amount"):
        load_volumes(bad)
    bad.write_text('name = "x"\n[[flow]]\nid = "f1"\nfrom = "A"\nto = "D"\namount = 1\nunit="t"\n')
    with pytest.raises(GeodataError, match="source"):
        load_volumes(bad)
    with pytest.raises(InputError, match="no volume file"):
        load_volumes("observed-2052")


def test_bundled_volume_files_are_sourced(bundled_G):
    names = list_volumes(bundled_G)
    assert {"observed-2025", "observed-2024", "target-western-15mt"} <= set(names)
    for name in names:
        v = load_volumes(name, bundled_G)
        for f in v.flows:
            assert f.source and f.basis in ("official", "measured", "estimated")


# -- the queueing curve ----------------------------------------------------------------------
CURVE = QueueCurve(horizon_h=720.0, delay_parameter=0.5, batch_t={"rail": 800.0})


@given(
    st.floats(0, 50),
    st.floats(0, 50),
    st.floats(0.1, 100),
    st.floats(10, 40000),
)
def test_more_volume_never_shortens_a_wait(v1, v2, cap, batch):
    lo, hi = sorted((v1, v2))
    w1, w2 = CURVE.wait_h(lo, cap, batch), CURVE.wait_h(hi, cap, batch)
    assert math.isfinite(w2)
    assert w2 >= w1 - 1e-9 * max(1.0, w1)
    assert CURVE.wait_h(0.0, cap, batch) == 0.0


def test_curve_limits():
    # far below capacity with a long horizon: the M/D/1 queue J x / (Q (1 - x))
    long = QueueCurve(horizon_h=1e7, delay_parameter=0.5, batch_t={})
    q = 2.0 * 1e6 / 8760 / 800
    assert long.wait_h(1.0, 2.0, 800) == pytest.approx(0.5 * 0.5 / (q * 0.5), rel=1e-3)
    # far above capacity: the backlog T/2 (x - 1)
    assert CURVE.wait_h(4.0, 2.0, 800) == pytest.approx(360.0, rel=0.01)


# -- the assignment ------------------------------------------------------------------------
def test_zero_volume_reproduces_todays_times_exactly():
    res = assign(G2, volumes(0.0))
    today = cm.route(G2, "A", "D")
    assert res.flows[0]["days"] == round(today.time_h / 24, 3)
    assert all(r["wait_h"] == 0 for r in res.elements)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(0.0, 12.0), st.sampled_from(["projection", "frank-wolfe"]))
def test_assignment_conserves_flows_and_converges(amount, method):
    res = assign(G2, volumes(amount), tolerance=1e-3, method=method)
    f = res.flows[0]
    assert sum(r["share"] for r in f["routes"]) == pytest.approx(1.0)
    out_of_a = sum(r["volume_mt"] for r in res.elements if r["direction"].startswith("A ->"))
    assert out_of_a == pytest.approx(amount, abs=1e-3)
    port = next(r for r in res.elements if r["element"] == "D")
    assert port["volume_mt"] == pytest.approx(amount, abs=1e-3)
    assert res.converged and res.gap < 1e-3
    # at equilibrium every route in use takes (nearly) the same time
    days = [r["days"] for r in f["routes"] if r["share"] > 0.01]
    assert max(days) - min(days) <= 0.01 * max(days) + 0.01


def test_both_methods_find_the_same_equilibrium():
    a = assign(G2, volumes(4.0), tolerance=1e-5, method="projection")
    b = assign(G2, volumes(4.0), tolerance=1e-5, method="frank-wolfe")
    assert a.converged and b.converged
    assert a.flows[0]["days"] == pytest.approx(b.flows[0]["days"], rel=1e-3)
    va = {(r["element"], r["direction"]): r["volume_mt"] for r in a.elements}
    vb = {(r["element"], r["direction"]): r["volume_mt"] for r in b.elements}
    assert va == pytest.approx(vb, abs=0.02)


def test_mode_limited_flows_route_through_the_weight_itself():
    # a flow with modes is routed by the Weight, one without by the tabulated costs: the same
    plain = assign(G2, volumes(4.0))
    limited = assign(G2, volumes(4.0, modes=["rail"]))
    assert limited.flows[0]["days"] == pytest.approx(plain.flows[0]["days"], rel=1e-6)


def test_congestion_moves_cargo_to_the_longer_route():
    light, heavy = assign(G2, volumes(0.5)), assign(G2, volumes(4.0))
    assert len(light.flows[0]["routes"]) == 1
    assert len(heavy.flows[0]["routes"]) == 2
    assert heavy.top(1)[0]["element"] == "A-B"
    assert heavy.flows[0]["days"] > light.flows[0]["days"]


def test_assign_leaves_the_graph_untouched():
    before = sorted((u, v, k, d["time_h"]) for u, v, k, d in G2.edges(keys=True, data=True))
    assign(G2, volumes(6.0))
    after = sorted((u, v, k, d["time_h"]) for u, v, k, d in G2.edges(keys=True, data=True))
    assert before == after


# -- the bundled data ------------------------------------------------------------------------
def test_bundled_volumes_run_and_name_the_bottleneck(bundled_G):
    obs = assign(bundled_G, "observed-2025")
    target = assign(bundled_G, "target-western-15mt")
    assert obs.converged and target.converged
    top = target.top(1)[0]
    assert top["utilisation"] > 1.0
    assert "against" in target.bottleneck_lines(1)[0] and "%" in target.bottleneck_lines(1)[0]
    rows = scenario_savings(bundled_G, "observed-2025", ["azerbaijan-border-closed"])
    west = next(r for r in rows if r["flow"] == "western-containers-2025")
    # at 2025 volumes nothing queues: the closure costs the western flow its free-flow detour
    assert west["saving_days"] < -1.0
    assert west["saving_days"] == pytest.approx(west["free_saving_days"], abs=0.05)
    rows15 = scenario_savings(bundled_G, "target-western-15mt", ["azerbaijan-border-closed"])
    # at the target the detour's own crossings queue: the closure costs far more than free flow
    assert rows15[0]["saving_days"] < rows15[0]["free_saving_days"] - 5


def test_country_codes_and_names_mean_the_same_places(bundled_G):
    for code, name in (("IR", "Iran"), ("RU", "Russia"), ("AZ", "Azerbaijan"), ("KZ", "KZ")):
        assert resolve_area(bundled_G, code) == (resolve_area(bundled_G, name))
    a = cm.min_cut(bundled_G, "RU", "IR")
    b = cm.min_cut(bundled_G, "Russia", "Iran")
    assert a.flow == b.flow
    # through Turkey no element has a capacity figure: the cut is unbounded, and says where
    assert a.flow < math.inf or a.unbounded_path == b.unbounded_path != []


def test_min_cut_without_capacity_figures_says_so(bundled_G):
    """Every mode: a sea path round Africa to Jebel Ali and Bandar Imam Khomeini has no
    capacity figure on any element, so the cut is unbounded and the path is named."""
    res = cm.min_cut(bundled_G, "russia", "iran-gulf-ports")
    assert res.flow == math.inf and res.unbounded_path
    assert res.unbounded_path[-1] in ("SRJ", "BIK", "ZBR")
    assert "a path without capacity figures joins them" in res.summary()


# -- command line ----------------------------------------------------------------------------
def test_cli_assign_json_and_table(tmp_path, capsys):
    out = tmp_path / "a.json"
    assert cli.main(["assign", "target-western-15mt", "--format", "json", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["converged"] and doc["elements"][0]["utilisation"] > 1
    assert cli.main(["assign", "target-western-15mt", "--top", "2"]) == 0
    text = capsys.readouterr().out
    assert "Mt/yr against" in text and "relative gap" in text
    # --top limits the table too, and says what it left out; routes go by place names
    head, table = text.split("flows:")
    assert head.count(" against ") == 2
    rows = [x for x in table.splitlines() if x.endswith(" Mt/yr") and "(" in x]
    assert len(rows) == 2 and "more elements carrying volume" in table
    assert "via Moscow - Volgograd - Astrakhan" in table and "MOW - " not in table
    assert cli.main(["assign", "target-western-15mt"]) == 0
    assert "more elements carrying volume" not in capsys.readouterr().out
    assert cli.main(["assign", "no-such-volumes"]) == 2


def test_cli_scenario_volumes_and_chart(tmp_path, capsys):
    chart = tmp_path / "saving.png"
    args = ["scenario", "rasht-astara-railway", "--volumes", "observed-2025"]
    assert cli.main([*args, "--chart", str(chart), "--format", "csv"]) == 0
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert "western-containers-2025" in capsys.readouterr().out
    assert cli.main([*args, "--pair", "Mumbai", "Moscow"]) == 2
    assert cli.main(["scenario", "rasht-astara-railway", "--chart", str(chart)]) == 2


def test_utilisation_map_escapes_text(tmp_path):
    data = two_routes()
    data["nodes"][3]["properties"]["name"] = "<script>alert(1)</script>{{ x }}"
    G = cm.load_network(write_geodata(tmp_path / "geo", data, PARAMS + EXTRA_PARAMS))
    res = assign(G, volumes(4.0))
    from corridormap.render.page import render_html

    page = render_html(res.map(tiles=False))
    assert "<script>alert(1)" not in page and "{{ x }}" not in page
    assert "utilisation" in page


def test_cli_assign_map(tmp_path):
    page = tmp_path / "u.html"
    assert cli.main(["assign", "target-western-15mt", "--map", str(page), "-q"]) == 0
    assert "Astara" in page.read_text()


def test_region_flows_start_and_end_at_the_best_places(bundled_G):
    flow = {
        "id": "r",
        "from": "russia",
        "to": "iran-gulf-ports",
        "amount": 1.0,
        "unit": "Mt/yr",
        "source": "test",
    }
    res = assign(bundled_G, Volumes.from_dict({"name": "regions", "flow": [flow]}))
    assert res.converged
    row = res.flows[0]
    assert sum(r["share"] for r in row["routes"]) == pytest.approx(1.0)
    russia = set(resolve_area(bundled_G, "russia"))
    gulf = set(resolve_area(bundled_G, "iran-gulf-ports"))
    for r in row["routes"]:
        assert r["nodes"][0] in russia and r["nodes"][-1] in gulf


# -- convergence -------------------------------------------------------------------------------
@given(st.floats(0, 30), st.floats(0.1, 10), st.sampled_from([20.0, 800.0, 37000.0]))
def test_queue_slope_is_the_derivative_of_the_wait(v, cap, batch):
    h = 1e-6 * cap
    lo = max(v - h, 0.0)
    fd = (CURVE.wait_h(v + h, cap, batch) - CURVE.wait_h(lo, cap, batch)) / (v + h - lo)
    w, slope = CURVE.waits_and_slopes_h(v, cap, batch)
    assert w == pytest.approx(CURVE.wait_h(v, cap, batch), rel=1e-12, abs=1e-12)
    assert slope > 0
    # the wait is convex: the slope lies between the secants on either side
    assert slope == pytest.approx(fd, rel=1e-3)


def parallel_roads() -> dict:
    """A to D by four roads through M0-M3 with capacities 1, 1.5, 2 and 2.5 Mt/yr (trucks of
    20 t: the queue is nil until a hair below capacity, then steep) and a long fifth road
    through M4 that stays unused."""
    A = node("A", 40.0, 50.0, name="Alpha")
    D = node("D", 40.0, 44.0, name="Delta")
    mids = [node(f"M{i}", 37.0 + 2.0 * i, 47.0, name=f"Mid{i}") for i in range(4)]
    far = node("M4", 20.0, 47.0, name="Far")
    cap = {"capacity_unit": "Mt/yr", "capacity_source": "test"}
    links = []
    for i, (m, c) in enumerate(zip([*mids, far], (1.0, 1.5, 2.0, 2.5, 9.0), strict=True)):
        links.append(link(f"A-M{i}", A, m, "road", capacity=c, **cap))
        links.append(link(f"M{i}-D", m, D, "road"))
    return {"nodes": [A, D, *mids, far], "links": links}


def test_steep_queues_converge_to_the_equilibrium(tmp_path):
    # 6.5 Mt/yr against 7 on the four near roads: three of them run just below capacity,
    # where a Newton step taken with the queue's slope at the start overshoots by orders of
    # magnitude (the algorithm before the safeguarded step was still at a gap of 5e-5 after
    # 30 iterations here)
    G = cm.load_network(write_geodata(tmp_path / "geo", parallel_roads(), PARAMS + EXTRA_PARAMS))
    flow = {"id": "f", "from": "A", "to": "D", "amount": 6.5, "unit": "Mt/yr", "source": "t"}
    res = assign(
        G, Volumes.from_dict({"name": "v", "flow": [flow]}), tolerance=1e-6, max_iterations=12
    )
    assert res.converged and res.gap < 1e-6
    routes = res.flows[0]["routes"]
    assert sum(r["share"] for r in routes) == pytest.approx(1.0)
    assert len(routes) == 4 and all("M4" not in r["nodes"] for r in routes)
    # Wardrop: every route in use takes the same time ...
    days = [r["days"] for r in routes]
    assert max(days) - min(days) <= 0.002
    # ... and no route is faster under the queues the assignment found
    waits = {}
    for r in res.elements:
        if r["kind"] == "link":
            u, v = r["direction"].split(" -> ")
            waits[("link", r["element"], u, v)] = r["wait_h"]
    best = cm.route(G, "A", "D", weight=make_weight("time_h").with_extra(waits))
    assert best.time_h / 24 >= min(days) - 0.002


def test_bundled_target_converges_tightly_in_a_few_iterations(bundled_G):
    # the eastern target took 143 iterations to a gap of 1e-5 before (Newton steps without
    # a safeguard, one new route per iteration); the same equilibrium now takes a few
    res = assign(bundled_G, "target-eastern-15mt", tolerance=1e-5, max_iterations=30)
    assert res.converged and len(res.gaps) <= 15
    f = res.flows[0]
    used = [r["days"] for r in f["routes"] if r["share"] > 0.001]
    assert max(used) - min(used) <= 0.002
    assert f["days"] == pytest.approx(17.014, abs=0.002)


# -- the inner loop: paths found at once, pair shifts, the state kept by the moves ----------
def grid_network(side: int = 5) -> dict:
    """Places on a ``side`` x ``side`` grid joined by railways to their right and lower
    neighbours (capacities 1.5-3.5 Mt/yr, a quarter without a figure), and a second, longer
    railway beside one of them (parallel edges between the same two places)."""
    places = {
        (i, j): node(f"G{i}_{j}", 40.0 + j, 50.0 - i, name=f"Grid {i} {j}")
        for i in range(side)
        for j in range(side)
    }
    cap = {"capacity_unit": "Mt/yr", "capacity_source": "test"}
    links = []
    for (i, j), a in places.items():
        for di, dj in ((0, 1), (1, 0)):
            b = places.get((i + di, j + dj))
            if b is not None:
                c = 1.5 + (i * 7 + j * 3 + di) % 5 * 0.5
                if (i + j) % 4 == 3:  # some without a capacity figure (they never queue)
                    links.append(link(f"G{i}_{j}-{di}{dj}", a, b, "rail"))
                else:
                    links.append(link(f"G{i}_{j}-{di}{dj}", a, b, "rail", capacity=c, **cap))
    links.append(
        link(
            "G0_0-twin",
            places[(0, 0)],
            places[(0, 1)],
            "rail",
            length_km=200.0,
            capacity=1.0,
            **cap,
        )
    )
    return {"nodes": list(places.values()), "links": links}


_GRID_DIR = write_geodata(Path(tempfile.mkdtemp()) / "grid", grid_network(), PARAMS + EXTRA_PARAMS)
GRID = cm.load_network(_GRID_DIR)


def grid_flows() -> Volumes:
    ends = [("G0_0", "G4_4"), ("G4_0", "G0_4"), ("G0_2", "G4_2")]
    flows = [
        {"id": f"f{i}", "from": a, "to": b, "amount": 4.0, "unit": "Mt/yr", "source": "t"}
        for i, (a, b) in enumerate(ends)
    ]
    return Volumes.from_dict({"name": "grid", "flow": flows})


def _grid_search():
    from corridormap.assign.paths import PathSearch, demands
    from corridormap.assign.queues import QueueCurve, Queues, capacity_elements

    base = make_weight("time_h").with_extra({})
    curve = QueueCurve.from_params(GRID.graph["params"])
    queues = Queues(capacity_elements(GRID, None, curve)[0], curve)
    ods = demands(GRID, grid_flows(), GRID.graph["params"], base)
    search = PathSearch(GRID, base, queues)
    for od in ods:
        search.prepare(od)
    return search, queues, ods


def test_paths_found_at_once_are_those_built_step_by_step():
    # every path of a flow is built in one go from the node sequences (PathSearch._paths);
    # each must be what the core's pick of every step and its elements counted one path at
    # a time give (the same edges, elements, counts and time, exactly)
    import numpy as np

    from corridormap.weights import element_of

    search, queues, ods = _grid_search()
    W = np.zeros(len(queues.keys))
    for od, (_, p, _) in zip(ods, search.best(ods, W), strict=True):
        p.share = od.volume
        od.paths = {p.key: p}
    W = queues.waits(queues.volumes(ods))
    found = search.best(ods, W, more=30)
    c, n = search.core, len(queues.keys)
    edge_w = np.append(W, 0.0)[search.edge_elem]
    assert sum(len(extra) for _, _, extra in found) > 10
    assert any(p.free for _, _, extra in found for p in extra)
    for od, (_, best, extra) in zip(ods, found, strict=True):
        w = od.vec + edge_w
        for p in (best, *extra):
            picked = c.pick(np.asarray(p.seq, dtype=np.int64), w)
            elem = search.edge_elem[picked]
            idx, cnt = np.unique(elem[elem < n], return_counts=True)
            assert p.key == tuple(picked.tolist())
            assert p.nodes == tuple(c.nodes[i] for i in p.seq)
            assert p.idx.tolist() == idx.tolist() and p.cnt.tolist() == cnt.tolist()
            assert p.base_h == sum(search.base_h[picked].tolist())
            free = dict.fromkeys(element_of(c.edges[j])[1] for j in picked[elem == n].tolist())
            assert p.free == tuple(free)
            assert len(set(p.seq)) == len(p.seq)


def test_ways_kept_along_a_tree_are_the_walks():
    import numpy as np

    from corridormap import search as core_search
    from corridormap.assign.paths import _Ways

    search, _, ods = _grid_search()
    c = search.core
    pw = c.pair_values(ods[0].vec)
    _, pred = c.values_tree(pw, ods[0].src)
    _, nxt = c.values_tree(pw, ods[0].dst, reverse=True)
    back, ahead = _Ways(pred, towards_root=False), _Ways(nxt, towards_root=True)
    rng = np.random.default_rng(0)
    for i in rng.permutation(len(c.nodes)).tolist():  # in any order, memory or not
        assert back.way(i) == tuple(core_search.walk(pred.tolist(), i)[::-1])
        assert ahead.way(i) == tuple(core_search.walk(nxt.tolist(), i))


def test_a_pair_shift_equalises_the_two_routes_and_returns_the_curve_there():
    import numpy as np

    from corridormap.assign.equilibrium import _pair_shift

    _, queues, _ = _grid_search()
    rng = np.random.default_rng(3)
    idx = np.arange(0, len(queues.keys), 3)
    V = rng.uniform(0.5, 3.0, len(queues.keys))
    W, S = queues.waits_and_slopes(V, slice(None))
    dc = np.where(np.arange(len(idx)) % 2 == 0, 1.0, -1.0)
    consts = np.stack([queues.cap, queues.k, queues.quarter_t / queues.cap, 0.5 * queues.k])
    vws = np.stack([V, W, S])[:, idx]
    diff = 0.5 * float(W[idx][dc > 0].sum())
    h, v, w, s = _pair_shift(diff, 2.0, dc, vws, consts[:, idx], queues.quarter_t)
    assert 0 < h < 2.0
    assert v.tolist() == (V[idx] - dc * h).tolist()
    # the waits and slopes are the curve's own at the volumes left (exactly)
    w_ref, s_ref = queues.waits_and_slopes(np.maximum(v, 0.0), idx)
    assert w.tolist() == w_ref.tolist() and s.tolist() == s_ref.tolist()
    # and the two routes now take about the same time
    assert abs(diff + float(dc @ (w - W[idx]))) <= 1e-3 * diff


def test_the_passes_keep_volumes_waits_and_slopes_in_step():
    # the moves update volumes, waits and slopes on the elements they touch only: at the end
    # they are what the routes' shares give, computed afresh
    import numpy as np

    from corridormap.assign.equilibrium import _projection_step, _relative_gap

    search, queues, ods = _grid_search()
    W = np.zeros(len(queues.keys))
    for od, (_, p, _) in zip(ods, search.best(ods, W), strict=True):
        p.share = od.volume
        od.paths = {p.key: p}
    for _ in range(3):
        V = queues.volumes(ods)
        W = queues.waits(V)
        targets = search.best(ods, W, more=8)
        _projection_step(ods, targets, V, W, queues, _relative_gap(ods, targets, W))
        fresh = queues.volumes(ods)
        np.testing.assert_allclose(V, fresh, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(W, queues.waits(fresh), rtol=1e-7, atol=1e-12)
        for od in ods:
            assert sum(p.share for p in od.paths.values()) == pytest.approx(od.volume)
            assert min(p.share for p in od.paths.values()) >= 0
