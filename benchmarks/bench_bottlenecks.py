"""Time the full criticality analysis against the naive version, on the bundled network and
on synthetic networks of about 1k, 10k and 100k edges.

The fast version recomputes a best route only for the links and places on a current best
route (closing anything else cannot change it); the naive one recomputes for every link and
place. On the larger networks the naive time is extrapolated from a timed random sample of
elements (said so in the output), since running it in full would take hours.

Run: ``python benchmarks/bench_bottlenecks.py`` (``make bench``).
"""

from __future__ import annotations

import random
import sys
import time

import networkx as nx

from corridormap import load_network
from corridormap.criticality import DEFAULT_PAIRS, criticality, criticality_closing_all
from corridormap.places import link_names, places
from corridormap.search import best_path
from corridormap.weights import make_weight

TARGET_BUNDLED_S = 1.0
TARGET_SPEEDUP_10K = 10.0


def synthetic_network(n_edges: int, seed: int = 0) -> tuple[nx.MultiDiGraph, list[tuple[str, str]]]:
    """A grid-like rail network of about ``n_edges`` directed link edges.

    Places sit on a jittered square grid; each is joined to its right and lower neighbours
    (both directions, like the real network's links) with the edge attributes corridormap's
    network carries. Returns the graph and five far-apart origin-destination pairs.
    """
    rng = random.Random(seed)
    side = max(3, round((n_edges / 4) ** 0.5))
    G = nx.MultiDiGraph(params={}, regions={}, name="synthetic")
    for i in range(side):
        for j in range(side):
            pid = f"P{i}_{j}"
            G.add_node(
                pid,
                place=pid,
                layer="gate",
                name=pid,
                country="XX",
                kind="city",
                x=float(j),
                y=float(i),
            )
    k = 0
    for i in range(side):
        for j in range(side):
            for di, dj in ((0, 1), (1, 0)):
                a, b = (i, j), (i + di, j + dj)
                if b[0] >= side or b[1] >= side:
                    continue
                k += 1
                lid = f"L{k}"
                km = rng.uniform(50, 400)
                t = km / rng.uniform(20, 60) + rng.choice((0.0, 0.0, 24.0))
                for (u, v), key in (((a, b), lid), ((b, a), lid + "~r")):
                    G.add_edge(
                        f"P{u[0]}_{u[1]}",
                        f"P{v[0]}_{v[1]}",
                        key=key,
                        kind="link",
                        link_id=lid,
                        mode="rail",
                        routable=True,
                        u_place=f"P{u[0]}_{u[1]}",
                        v_place=f"P{v[0]}_{v[1]}",
                        distance_km=km,
                        move_h=t,
                        dwell_h=0.0,
                        wait_h=0.0,
                        time_h=t,
                        cost_usd=km * 0.4,
                        co2_kg=km * 0.02,
                        capacity=None,
                    )
    s = side - 1
    pairs = [
        ("P0_0", f"P{s}_{s}"),
        (f"P0_{s}", f"P{s}_0"),
        ("P0_0", f"P{s}_{s // 2}"),
        (f"P{s // 2}_0", f"P{s // 2}_{s}"),
        (f"P{s}_0", f"P0_{s // 2}"),
    ]
    return G, pairs


def _all_elements(G) -> list[tuple[str, str]]:
    """Every link and place of ``G``, as criticality_closing_all closes them."""
    return [("link", x) for x in sorted(link_names(G))] + [("node", x) for x in sorted(places(G))]


def naive_time(G, pairs, *, sample: int | None, seed: int = 0) -> tuple[float, bool]:
    """Seconds of the naive analysis (one recomputation per element and pair).

    With ``sample``, time that many random elements and scale to all of them.
    """
    if sample is None:
        t = time.perf_counter()
        criticality_closing_all(G, pairs)
        return time.perf_counter() - t, False
    elements = _all_elements(G)
    rng = random.Random(seed)
    chosen = rng.sample(elements, min(sample, len(elements)))
    base = make_weight("time_h")
    t = time.perf_counter()
    for o, d in pairs:
        for kind, eid in chosen:
            if kind == "node" and eid in (o, d):
                continue
            links, nodes = ([eid], []) if kind == "link" else ([], [eid])
            best_path(G, o, d, base.between(o, d).closing(links=links, places=nodes))
    per = (time.perf_counter() - t) / len(chosen)
    return per * len(elements), True


def run_case(label, G, pairs, *, sample):
    t = time.perf_counter()
    crit = criticality(G, pairs)
    fast = time.perf_counter() - t
    naive, extrapolated = naive_time(G, pairs, sample=sample)
    on_route = sum(1 for (_, _eid) in crit.per_pair)
    print(
        f"{label:<22} {G.number_of_edges():>8,} edges {len(_all_elements(G)):>7,} elements "
        f"{on_route:>5} on routes  fast {fast:8.3f} s  naive {naive:9.2f} s"
        f"{' (extrapolated)' if extrapolated else '              '}  speed-up {naive / fast:7.1f}x"
    )
    return fast, naive, on_route


def main() -> int:
    ok = True
    G = load_network()
    print(
        "criticality: every link and place, default pairs "
        f"({len(DEFAULT_PAIRS)}: {', '.join(f'{a}-{b}' for a, b in DEFAULT_PAIRS)})"
    )
    fast, naive, _ = run_case("bundled", G, None, sample=None)
    if fast >= TARGET_BUNDLED_S:
        print(f"  MISSED: bundled network took {fast:.2f} s (target < {TARGET_BUNDLED_S} s)")
        ok = False
    results = []
    for n in (1_000, 10_000, 100_000):
        H, pairs = synthetic_network(n)
        sample = None if n <= 1_000 else 60
        fast, naive, on_route = run_case(f"synthetic {n // 1000}k", H, pairs, sample=sample)
        results.append((H.number_of_edges(), fast, on_route))
        if n == 10_000 and naive / fast < TARGET_SPEEDUP_10K:
            print(f"  MISSED: {naive / fast:.1f}x on 10k edges (target >= {TARGET_SPEEDUP_10K}x)")
            ok = False
    print(
        "growth (fast): "
        + "; ".join(
            f"{e:,} edges {f:.3f} s, {f / max(r, 1) * 1000:.2f} ms per recomputation"
            for e, f, r in results
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
