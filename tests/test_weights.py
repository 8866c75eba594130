"""The weight every analysis routes with: immutable, closing makes a new one, extra hours."""

from __future__ import annotations

import dataclasses

import pytest

import corridormap as cm
from corridormap._errors import InputError
from corridormap.weights import element_of, make_weight
from test_assign import G2


def test_weight_is_immutable_and_closing_makes_a_new_one():
    w = cm.make_weight("time", closed_links={"A"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.closed_links = frozenset()  # type: ignore[misc]
    w2 = w.closing(links=["B"], places=["X"])
    assert w.closed_links == {"A"} and w.closed_places == frozenset()
    assert w2.closed_links == {"A", "B"} and w2.closed_places == {"X"}
    assert w.by == "time_h" and not hasattr(w.fn, "closed_links")
    with pytest.raises(cm.InputError):
        cm.make_weight("speed")
    with pytest.raises(cm.InputError, match="list of ids"):
        cm.make_weight(closed_links="ASI-RSH-road")


def test_closing_nothing_new_is_the_weight_itself_and_a_plain_weight_is_made_once():
    w = cm.make_weight("time", closed_links={"A"}, closed_places={"X"})
    assert w.closing() is w
    assert w.closing(links=["A"], places=()) is w
    w2 = w.closing(places=["X", "Y"])
    assert w2 is not w and w2.closed_places == {"X", "Y"} and w2.closed_links == {"A"}
    from corridormap.weights import as_weight

    assert as_weight(None, "time") is as_weight(None, "time")
    assert as_weight(None, "time").by == "time_h" and as_weight(None, "cost_usd").by == "cost_usd"
    with pytest.raises(cm.InputError):
        as_weight(None, "speed")


def test_weight_extra_is_backward_compatible():
    w = make_weight("time_h")
    d = next(d for _, _, d in G2.edges(data=True) if d["kind"] == "link")
    # the objective carries the edge's tie-break (at most a millionth of an hour); the figures
    # do not
    assert 0 < d["tiebreak"] < 1e-6
    assert w.cost(d) == d["time_h"] + d["tiebreak"] and w.measure(d)["time_h"] == d["time_h"]
    w2 = w.with_extra({element_of(d): 5.0})
    assert w2.cost(d) == d["time_h"] + 5.0 + d["tiebreak"]
    assert w2.measure(d)["time_h"] == d["time_h"] + 5.0
    with pytest.raises(InputError):
        make_weight("cost_usd").with_extra({element_of(d): 1.0})
