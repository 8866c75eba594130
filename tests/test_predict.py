"""The model's prediction for each register row: which terms each kind of row takes."""

from __future__ import annotations

import pytest

from corridormap import load_network
from corridormap.evidence import load_evidence
from corridormap.predict import predict_all


def test_replay_rules(geo):
    G = load_network(geo)
    reps = {rp.movement.id: rp for rp in predict_all(G, load_evidence(geo))}
    # a leg is moving time only: no terminal at either end
    assert set(reps["a-b-leg"].terms) == {("modes.rail.speed_kmh", True)}
    ab_km = reps["a-b-leg"].terms[("modes.rail.speed_kmh", True)]
    assert ab_km == pytest.approx(
        G.edges["A|rail:1520", "B|rail:1520", "A-B@rail:1520"]["length_km"]
    )
    # a leg across the border takes the border dwell
    assert ("borders.rail.dwell_h", False) in reps["a-c-leg"].terms
    # door to door includes the terminals at both ends and the gauge change
    door = reps["a-d-door"].terms
    # loading at Alpha and unloading at Delta, both from and into the train: no change of
    # vehicle at the ends (a rail-road transfer there to reach a quicker road gate is barred)
    assert door[("transfers.rail_terminal.dwell_h", False)] == 2.0
    path = reps["a-d-door"].route.path
    assert path[1] == "A|rail:1520" and path[-2] == "D|rail:1435"
    # the gauge break at C: a gauge change (28 h expected) or two rail-road transshipments
    # (12 h each), whichever is less on average
    at_c = [n for n in path if n.startswith("C|")]
    assert at_c == ["C|rail:1520", "C|road", "C|rail:1435"]
    assert door[("transfers.rail_road.dwell_h", False)] == 2.0
    # a sailing: no port dwell, no wait for the departure
    assert set(reps["e-d-sailing"].terms) == {("modes.sea.speed_kmh", True)}
    assert reps["b-c-border"].terms == {("borders.rail.dwell_h", False): 1.0}
    # the terminal: port dwell plus half the line's headway
    assert reps["d-terminal"].terms == {
        ("transfers.port.dwell_h", False): 1.0,
        ("services.line.headway_h", False): 0.5,
    }
    assert reps["to-nowhere"].terms is None
    assert reps["to-nowhere"].reason == "place 'Nowhere' not in the network"
