"""Time the volume assignment (user equilibrium with queues) on the bundled network and on a
synthetic network of about 10k edges.

Bundled: every bundled volume file, with its iterations and final relative gap. Synthetic: the
grid of ``bench_bottlenecks.synthetic_network`` with a capacity on every link (1-5 Mt/yr) and
five far-apart flows sized to load the busiest links beyond capacity, so the equilibrium
spreads them over several routes.

Run: ``python benchmarks/bench_assign.py`` (``make bench``).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bottlenecks import synthetic_network

from corridormap import load_network
from corridormap.assign import Volumes, assign, list_volumes

TARGET_BUNDLED_S = 5.0
#: the synthetic run is capped and reports the gap it reached (the target: below 1e-3 within it)
MAX_ITERATIONS_SYNTHETIC = 50
TARGET_GAP = 1e-3


def bench_bundled() -> None:
    G = load_network()
    for name in list_volumes(G):
        t = time.perf_counter()
        res = assign(G, name)
        dt = time.perf_counter() - t
        print(
            f"bundled {name:<22}: {dt * 1000:8.1f} ms, {len(res.gaps):3d} iterations, "
            f"gap {res.gap:.1e} (target < {TARGET_BUNDLED_S:g} s)"
        )


def bench_synthetic(n_edges: int = 10_000, seed: int = 0) -> None:
    G, pairs = synthetic_network(n_edges, seed)
    G.graph["params"] = load_network().graph["params"]
    rng = random.Random(seed)
    caps: dict[str, float] = {}
    for _, _, d in G.edges(data=True):
        cap = caps.setdefault(d["link_id"], round(rng.uniform(1.0, 5.0), 2))
        d.update(capacity=cap, capacity_unit="Mt/yr", capacity_source="synthetic")
    flows = [
        {"id": f"f{i}", "from": o, "to": d, "amount": 6.0, "unit": "Mt/yr", "source": "synthetic"}
        for i, (o, d) in enumerate(pairs)
    ]
    vols = Volumes.from_dict({"name": "synthetic", "flow": flows})
    t = time.perf_counter()
    res = assign(G, vols, max_iterations=MAX_ITERATIONS_SYNTHETIC)
    dt = time.perf_counter() - t
    routes = sum(len(f["routes"]) for f in res.flows)
    n = len(res.gaps)
    print(
        f"synthetic {G.number_of_edges():,} edges, 5 flows: {dt:6.2f} s, {n} iterations "
        f"(cap {MAX_ITERATIONS_SYNTHETIC}), {dt / n:.2f} s per iteration, gap {res.gap:.1e} "
        f"(target < {TARGET_GAP:g}), converged {res.converged}, {routes} routes in use"
    )
    marks = [i for i in (0, 4, 9, 19, 29, 39, 49) if i < n]
    print("  gap after " + ", ".join(f"{i + 1}: {res.gaps[i]:.1e}" for i in marks))


def main() -> int:
    bench_bundled()
    bench_synthetic()
    return 0


if __name__ == "__main__":
    sys.exit(main())
