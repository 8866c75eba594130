"""A route's time-distance profile: its steps, their words, and the Monte Carlo band."""

from __future__ import annotations

import numpy as np
import pytest

import corridormap as cm
from corridormap.profile import route_profile
from corridormap.uncertainty import route_percentiles


def _held_links(r) -> int:
    """Link legs that carry a dwell (a border, a canal transit)."""
    return sum(
        1
        for leg in r.legs
        if leg["kind"] == "link"
        and any(t.quantity == "time_h" and t.part != "move" for t in leg.edge["terms"])
    )


def test_profile_has_a_step_per_stop_and_move(tiny_G):
    r = cm.route(tiny_G, "Echo", "Foxtrot", avoid=["Delta"])  # by sea and the canal
    prof = route_profile(r, tiny_G.graph["params"], draws=200)
    transfers = sum(1 for leg in r.legs if leg["kind"] == "transfer")
    links = sum(1 for leg in r.legs if leg["kind"] == "link")
    # the wait for the first sailing is a step of its own, first
    assert len(prof.stops()) == transfers + _held_links(r) + 1 > transfers + 1
    assert prof.steps[0].what == "schedule_wait"
    assert prof.steps[0].duration_h == pytest.approx(r.schedule_wait_h) and r.schedule_wait_h > 0
    assert len([s for s in prof.steps if s.kind == "move"]) == links
    # moves advance distance, stops do not; the profile runs door to door
    for s in prof.steps:
        assert (s.km[1] > s.km[0]) == (s.kind == "move")
        assert s.hours[1] >= s.hours[0]
    assert prof.steps[-1].hours[1] == pytest.approx(r.door_to_door_h)
    assert prof.steps[-1].hours[1] - prof.steps[0].hours[1] == pytest.approx(r.transit_h)
    assert prof.steps[-1].usd[1] == pytest.approx(r.cost_usd)
    assert prof.km[-1] == pytest.approx(r.distance_km)
    labels = [s.label for s in prof.stops()]
    # expected values: a port dwell of 24/48/96 h is 56 h, a headway of 84/168/336 h waits
    # half its 196 h; the canal's 11/14/30 h is 18 h
    assert "Echo: wait for the first line departure 98 h (4.1 d) (door to door only)" in labels
    assert "Echo: port handling 56 h" in labels
    assert "Strait – Foxtrot: Kanal canal transit 18 h" in labels


def test_profile_labels_borders_and_transshipments(tiny_G):
    r = cm.route(tiny_G, "Alpha", "Delta")
    labels = [s.label for s in route_profile(r).stops()]
    assert "Beta – Gamma: border RU/IR 43 h" in labels
    assert "Gamma: rail–road transshipment 12 h" in labels


def test_profile_band_ends_at_route_percentiles(tiny_G):
    r = cm.route(tiny_G, "Echo", "Alpha")
    prof = route_profile(r, tiny_G.graph["params"], draws=2_000, seed=3)
    pct = route_percentiles(tiny_G, r, draws=2_000, seed=3)
    for q, figure in (("days", "door_to_door_days"), ("cost_usd", "cost_usd")):
        for k in ("p10", "p50", "p90"):
            assert prof.band[q][k][-1] == pytest.approx(pct[figure][k], rel=1e-12)
        b = prof.band[q]
        assert len(b["p50"]) == len(prof.steps) + 1
        assert np.all(b["p10"] <= b["p50"] + 1e-9) and np.all(b["p50"] <= b["p90"] + 1e-9)
        assert np.all(np.diff(b["p50"]) >= -1e-9)


def test_profile_follows_the_scenario(bundled_G):
    from corridormap.scenarios import apply_scenario

    # by rail and sea only: through Iran once the railway is built, else by sea via Suez
    view = apply_scenario(bundled_G, "rasht-astara-railway")
    r = cm.route(bundled_G, "Mumbai", "Moscow", weight=view.weight("time_h"), modes=["rail", "sea"])
    assert "ASI-RSH-rail" in r.link_ids
    prof = route_profile(r)
    assert prof.steps[-1].hours[1] == pytest.approx(r.door_to_door_h)
    stops = [s.label for s in prof.stops()]
    assert any("Astara (IR): gauge change" in s for s in stops)
    assert not any("transshipment" in s for s in stops)
