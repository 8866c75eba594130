"""The Monte Carlo: a route's linear terms, numpy's own draws, and the model discrepancy."""

from __future__ import annotations

import numpy as np
import pytest

import corridormap as cm
from corridormap.model import param_value
from corridormap.scenarios import Scenario, apply_scenario
from corridormap.uncertainty import DrawCache, route_terms


def _terms_total(params, terms, quantity):
    total = 0.0
    for (q, key, inverse), coef in terms.items():
        if q == quantity:
            x = param_value(params, key)
            total += coef / x if inverse else coef * x
    return total


@pytest.mark.parametrize(
    "scenario",
    [
        None,
        Scenario("fast-rail", speed={"rail": 2.0}),
        Scenario("slow-borders", dwell_border={"*": 3.0}, dwell_transfer={"rail_road": 0.5}),
    ],
)
def test_linear_terms_reproduce_route_totals(tiny_G, scenario):
    """The Monte Carlo's terms of a route, at likely values, are the route's own totals, also
    under a scenario (its rescaling is folded into the coefficients)."""
    params = tiny_G.graph["params"]
    weight = apply_scenario(tiny_G, scenario).weight() if scenario else None
    for o, d in (("Echo", "Alpha"), ("Alpha", "Delta"), ("Foxtrot", "Echo")):
        r = cm.route(tiny_G, o, d, weight=weight)
        terms = route_terms(r)
        for q, total in (("time_h", r.time_h), ("cost_usd", r.cost_usd), ("co2_kg", r.co2_kg)):
            got = _terms_total(params, terms, q)
            assert got == pytest.approx(total, rel=1e-9), (o, d, q)


def test_stream_is_numpys_triangular():
    s = DrawCache(7)
    rng = np.random.default_rng(7)
    a = rng.triangular(2.0, 3.0, 7.5, size=1000)
    b = rng.triangular(0.5, 0.5, 1.0, size=333)
    assert np.array_equal(s.triangular(0, 2.0, 3.0, 7.5, 1000), a)
    assert np.array_equal(s.triangular(1000, 0.5, 0.5, 1.0, 333), b)


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
