"""Record the answers pinned in ``tests/test_pinned.py`` from the bundled network.

Each answer is computed twice, once with networkx's Dijkstra (the compiled core switched off)
and once on the core; the script stops if they differ, and otherwise prints the tables to
paste into the test module.

    python scripts/pin.py
"""

from __future__ import annotations

import pprint
import sys
from contextlib import contextmanager

import corridormap as cm
from corridormap import search
from corridormap.compare import compare
from corridormap.criticality import criticality

ROUTE_PAIRS = [
    ("Chelyabinsk", "Jeddah"),
    ("Moscow", "Bandar Abbas"),
    ("Mumbai", "Astrakhan"),
    ("Mumbai", "Moscow"),
    ("Mumbai", "Rotterdam"),
    ("Mumbai", "St Petersburg"),
]
COMPARE_PAIRS = [("Mumbai", "Moscow"), ("Mumbai", "Rotterdam"), ("Mumbai", "St Petersburg")]


@contextmanager
def reference():
    """Route with networkx only."""
    saved = search.engine
    search.engine = lambda G: None
    try:
        yield
    finally:
        search.engine = saved


@contextmanager
def compiled():
    """Route on the compiled core from the first query."""
    saved = search.MIN_EDGES
    search.MIN_EDGES = 0
    try:
        yield
    finally:
        search.MIN_EDGES = saved


def record():
    G = cm.load_network()
    routes = {}
    for o, d in ROUTE_PAIRS:
        for by in ("cost_usd", "time_h"):
            r = cm.route(G, o, d, by=by)
            routes[f"{o}-{d} {by}"] = (" ".join(r.nodes), round(r.time_h, 3), round(r.cost_usd, 1))
    comparisons, p_instc = {}, {}
    for o, d in COMPARE_PAIRS:
        c = compare(G, o, d, draws=10_000, seed=0)
        comparisons[f"{o}-{d}"] = {
            r["family"]: (
                r["days"]["expected"],
                r["days"]["p10"],
                r["days"]["p50"],
                r["days"]["p90"],
                r["door_to_door_days"]["expected"],
                r["cost_usd"]["expected"],
                " ".join(r["nodes"]),
            )
            for r in c.to_records()
        }
        p_instc[f"{o}-{d}"] = c.to_dict()["p_instc_faster_by_clock"]
    top = criticality(G, by="time_h").top(10)
    crit = [(r["element"], round(r["delta_days"], 4), r["disconnects"]) for r in top]
    return {"ROUTES": routes, "COMPARISONS": comparisons, "P_INSTC": p_instc, "CRITICALITY": crit}


def main() -> int:
    with reference():
        ref = record()
    with compiled():
        got = record()
    if got != ref:
        for name in ref:
            if ref[name] != got[name]:
                print(f"{name}: the compiled core differs from the reference", file=sys.stderr)
        return 1
    for name, value in ref.items():
        print(f"{name} = {pprint.pformat(value, width=100, sort_dicts=True)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
