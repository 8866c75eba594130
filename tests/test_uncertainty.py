"""The Monte Carlo: a route's linear terms, each parameter's own stream, the model's error."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import corridormap as cm
from corridormap.model import expected_value, param_table
from corridormap.scenarios import Scenario, apply_scenario
from corridormap.uncertainty import (
    RouteTerms,
    route_percentiles,
    route_terms,
    sample,
    simulate,
)


def _expected_total(params, terms, quantity):
    total = 0.0
    for (q, key, inverse), coef in terms.items():
        if q == quantity:
            t = param_table(params, key)
            total += coef * float(expected_value(t["low"], t["likely"], t["high"], inverse))
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
    """A route's terms at their expected values are its own totals (legs), also under a
    scenario; the wait for the first departure is apart from the transit terms."""
    params = tiny_G.graph["params"]
    weight = apply_scenario(tiny_G, scenario).weight() if scenario else None
    for o, d in (("Echo", "Alpha"), ("Alpha", "Delta"), ("Foxtrot", "Echo")):
        r = cm.route(tiny_G, o, d, weight=weight)
        transit, wait = route_terms(r)
        assert _expected_total(params, transit, "time_h") == pytest.approx(r.transit_h, rel=1e-9)
        assert _expected_total(params, wait, "time_h") == pytest.approx(
            r.schedule_wait_h, rel=1e-9, abs=1e-9
        )
        for q, total in (("cost_usd", r.cost_usd), ("co2_kg", r.co2_kg)):
            assert _expected_total(params, transit, q) == pytest.approx(total, rel=1e-9)


def test_a_parameter_draws_the_same_whatever_is_drawn_beside_it(bundled_G):
    params = bundled_G.graph["params"]
    a, b = "modes.rail.speed_kmh", "transfers.port.dwell_h"
    alone = sample(params, [a], 5000, 3)[:, 0]
    both = sample(params, [b, a], 5000, 3)
    assert np.array_equal(alone, both[:, 1])
    chunked = np.concatenate([sample(params, [a], 2000, 3, 0), sample(params, [a], 3000, 3, 2000)])
    assert np.array_equal(chunked[:, 0], alone)
    assert not np.array_equal(alone, sample(params, [a], 5000, 4)[:, 0])


def test_draws_are_triangular_on_the_sourced_range(bundled_G):
    params = bundled_G.graph["params"]
    key = "transfers.port.dwell_h"
    t = param_table(params, key)
    x = sample(params, [key], 200_000, 0)[:, 0]
    assert x.min() >= t["low"] and x.max() <= t["high"]
    assert x.mean() == pytest.approx((t["low"] + t["likely"] + t["high"]) / 3, rel=0.01)


def test_the_draws_mean_is_the_expected_value(bundled_G):
    """The headline (expected) is what the Monte Carlo's mean approaches: the model's error has
    mean one, on the transit and the door-to-door clock."""
    r = cm.route(bundled_G, "Mumbai", "Moscow")
    sim = simulate(bundled_G.graph["params"], RouteTerms.of({"r": r}), 100_000, 0)
    assert sim.transit[:, 0].mean() == pytest.approx(r.transit_h / 24, rel=0.005)
    assert (sim.transit + sim.wait)[:, 0].mean() == pytest.approx(r.door_to_door_h / 24, rel=0.005)
    assert sim.cost[:, 0].mean() == pytest.approx(r.cost_usd, rel=0.005)


def test_a_route_has_the_same_figures_in_route_and_compare(bundled_G):
    comp = cm.compare(bundled_G, "Mumbai", "Moscow", draws=3000, seed=5)
    for name, r in comp.routes.items():
        p = route_percentiles(bundled_G, r, draws=3000, seed=5)
        rec = next(x for x in comp.to_records() if x["family"] == name)
        for k in ("expected", "p10", "p50", "p90"):
            assert rec["days"][k] == round(p["days"][k], 2), (name, k)
            assert rec["cost_usd"][k] == round(p["cost_usd"][k], 0), (name, k)


def test_the_models_error_widens_the_band_and_keeps_the_mean(tiny_G):
    """The calibrated model error multiplies a route's transit days by a factor of mean one:
    the expected value stays, the P10-P90 band widens, two routes draw independent errors."""
    from corridormap.model import discrepancy_sigma

    r = cm.route(tiny_G, "Echo", "Alpha")
    base = route_percentiles(tiny_G, r, draws=20_000, seed=1)
    G = tiny_G.copy()
    G.graph["params"] = copy.deepcopy(tiny_G.graph["params"])
    G.graph["params"].setdefault("model", {})["discrepancy_sigma_log"] = {
        "low": 0.3, "likely": 0.3, "high": 0.3, "basis": "calibrated", "source": "test"
    }  # fmt: skip
    assert discrepancy_sigma(G.graph["params"]) == 0.3
    r2 = cm.route(G, "Echo", "Alpha")
    wide = route_percentiles(G, r2, draws=20_000, seed=1)
    assert wide["days"]["expected"] == pytest.approx(base["days"]["expected"])
    assert wide["days"]["p90"] - wide["days"]["p10"] > base["days"]["p90"] - base["days"]["p10"]
    sim = simulate(G.graph["params"], RouteTerms.of({"r": r2}), 20_000, 1)
    assert sim.transit[:, 0].mean() == pytest.approx(r2.transit_h / 24, rel=0.01)
    other = cm.route(G, "Foxtrot", "Echo")
    both = simulate(G.graph["params"], RouteTerms.of({"a": r2, "b": other}), 20_000, 1)
    ratio_a = both.transit[:, 0] / sim.transit[:, 0]
    assert np.allclose(ratio_a, 1.0)  # the same route draws the same error beside another


@pytest.mark.parametrize("seed", [0, 7, 2**32, 2**70 + 5])
@pytest.mark.parametrize("key", ["", "MUM|rail:1676 BND-sea", "é|x" * 40])
def test_discrepancy_stream_is_numpy_seeded_with_the_three_ints(seed, key):
    """The stream of a route is numpy's for the list [seed, 0xD15C, the key's digest]."""
    import hashlib

    from corridormap.model import discrepancy_rng

    digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")
    want = np.random.default_rng([seed, 0xD15C, digest]).standard_normal(64)
    got = discrepancy_rng(seed, key).standard_normal(64)
    assert np.array_equal(got, want)


@pytest.mark.parametrize("n", [0, 1, 0xD15C, 2**32 - 1, 2**32, 2**64 - 1, 5 << 64, 3 << 96])
def test_seed_words_seed_what_numpy_seeds_with_the_ints(n):
    """The word split of ints with zero words (0 itself, zero high and low words) seeds the
    stream numpy seeds with the ints."""
    from corridormap.model import _seed_words

    ints = [n, 0xD15C, n]
    words = np.array(_seed_words(ints), dtype=np.uint32)
    want = np.random.default_rng(ints).standard_normal(8)
    assert np.array_equal(np.random.default_rng(words).standard_normal(8), want)


def test_discrepancy_factor_is_apply_discrepancy_of_ones():
    from corridormap.model import apply_discrepancy, discrepancy_factor, discrepancy_rng

    for sigma in (0.05, 0.3, 1.7):
        want = apply_discrepancy(np.ones(500), sigma, discrepancy_rng(3, "r"))
        got = discrepancy_factor(sigma, discrepancy_rng(3, "r"), (500,))
        assert np.array_equal(got, want)
    with pytest.raises(ValueError):
        discrepancy_rng(-1, "r")
