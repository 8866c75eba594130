"""The cost model stated once: stored weights, scenarios, routes and analyses agree with it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridormap as cm
from corridormap.capacity import widest_path
from corridormap.criticality import criticality
from corridormap.model import evaluate, expected_values
from corridormap.scenarios import Scenario, apply_scenario, compare_scenarios


def test_stored_weights_are_the_terms_at_their_expected_values(tiny_G):
    params = tiny_G.graph["params"]
    for _, _, d in tiny_G.edges(data=True):
        tot = evaluate(d["terms"], expected_values(params, d["terms"]))
        for q in ("time_h", "cost_usd", "co2_kg", "move_h", "dwell_h", "wait_h"):
            assert d[q] == pytest.approx(tot[q], rel=1e-12), q


def test_expected_value_is_the_mean_of_the_draws():
    """E[X] and E[1/X] of a skewed triangular range, against a large sample."""
    import numpy as np

    from corridormap.model import expected_value

    x = np.random.default_rng(1).triangular(12.0, 18.0, 40.0, 2_000_000)
    assert float(expected_value(12.0, 18.0, 40.0, False)) == pytest.approx(x.mean(), rel=1e-3)
    assert float(expected_value(12.0, 18.0, 40.0, True)) == pytest.approx(
        (1.0 / x).mean(), rel=1e-3
    )
    assert float(expected_value(5.0, 5.0, 5.0, True)) == pytest.approx(0.2)


def test_route_under_a_scenario_reports_the_scenario(bundled_G):
    """Doubling rail speed: the route's totals are the scenario's, not the baseline's."""
    base = cm.route(bundled_G, "Mumbai", "Moscow")
    view = apply_scenario(bundled_G, Scenario("fast-rail", speed={"rail": 2.0}))
    fast = cm.route(bundled_G, "Mumbai", "Moscow", weight=view.weight())
    own = sum(view.edge_time_h(leg.edge) for leg in fast.legs)  # door to door
    assert fast.door_to_door_h == pytest.approx(own)
    assert fast.time_h == pytest.approx(own - fast.schedule_wait_h)  # the transit clock
    assert fast.time_h < base.time_h - 24  # rail moving time halves: days shorter
    assert fast.scenario == "fast-rail" and "fast-rail" in fast.summary()
    assert fast.to_dict()["totals"]["time_h"] == round(own - fast.schedule_wait_h, 1)
    sc = compare_scenarios(
        bundled_G, [("Mumbai", "Moscow")], [Scenario("fast-rail", speed={"rail": 2.0})]
    )
    assert sc.rows[0]["days"] == pytest.approx(fast.days, abs=1e-3)


def test_scenario_reused_on_a_rebuilt_graph_is_the_same(bundled_G):
    view = apply_scenario(bundled_G, Scenario("fast-rail", speed={"rail": 2.0}))
    w = view.weight()
    again = cm.load_network()
    a = cm.route(again, "Mumbai", "Moscow", weight=w).time_h
    b = cm.route(
        again,
        "Mumbai",
        "Moscow",
        weight=apply_scenario(again, Scenario("fast-rail", speed={"rail": 2.0})).weight(),
    ).time_h
    assert a == pytest.approx(b)


def test_transfer_dwell_scaling_moves_time(tiny_G):
    """Scaling the dwell of a transfer kind the route uses moves its time by exactly that."""
    base = cm.route(tiny_G, "Alpha", "Delta")
    kinds = [leg["transfer"] for leg in base.legs if leg["kind"] == "transfer"]
    kind = kinds[0]
    dwell = sum(leg.edge["dwell_h"] for leg in base.legs if leg.get("transfer") == kind)
    assert dwell > 0
    w = apply_scenario(tiny_G, Scenario("slow", dwell_transfer={kind: 3.0})).weight()
    slow = cm.route(tiny_G, "Alpha", "Delta", weight=w)
    if slow.link_ids == base.link_ids:
        assert slow.time_h - base.time_h == pytest.approx(2.0 * dwell)
    assert slow.time_h > base.time_h


factors = st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0])


@st.composite
def scenarios(draw):
    return Scenario(
        "random",
        speed={m: draw(factors) for m in ("rail", "road", "sea") if draw(st.booleans())},
        dwell_transfer={k: draw(factors) for k in ("port", "rail_road") if draw(st.booleans())},
        dwell_border={"*": draw(factors)} if draw(st.booleans()) else {},
        wait={},
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sc=scenarios(),
    pair=st.sampled_from([("Echo", "Alpha"), ("Alpha", "Delta"), ("Foxtrot", "Echo")]),
)
def test_every_analysis_reports_the_weights_own_sum(tiny_G, sc, pair):
    """For random scenarios, route, criticality, scenario comparison and widest path all
    report the weight's own sum over their path."""
    view = apply_scenario(tiny_G, sc)
    w = view.weight()
    r = cm.route(tiny_G, *pair, weight=w)
    own = sum(
        w.measure(e)["time_h"]
        for e in w.between(r.origin, r.destination).path_edges(tiny_G, r.path)
    )
    assert r.time_h == pytest.approx(own)
    assert r.time_h == pytest.approx(sum(leg["time_h"] for leg in r.legs))
    assert r.time_h == pytest.approx(
        sum(r.weight.fn(u, v, tiny_G[u][v]) for u, v in zip(r.path, r.path[1:], strict=False))
    )
    crit = criticality(tiny_G, [pair], weight=w)
    assert next(iter(crit.baseline.values()))["time_h"] == pytest.approx(r.time_h)
    comp = compare_scenarios(tiny_G, [pair], [sc])
    assert comp.rows[0]["days"] == pytest.approx(r.days, abs=1e-3)
    wp = widest_path(tiny_G, *pair, scenario=view)
    wedges = w.between(r.origin, r.destination).path_edges(tiny_G, wp.path)
    assert wp.time_h == pytest.approx(sum(w.measure(e)["time_h"] for e in wedges))
