"""Monte Carlo comparison: vectorised vs a naive shortest-path call per draw.

Target: 10,000 draws for 3 origin-destination pairs in under 2 s, at least 20x faster than the
naive loop. The naive loop is timed on NAIVE_DRAWS draws and scaled per draw to 10,000 (it is
linear in draws); the ratio printed is per draw.
"""

from __future__ import annotations

import time

PAIRS = (("Mumbai", "Moscow"), ("Mumbai", "St Petersburg"), ("Mumbai", "Rotterdam"))
DRAWS = 10_000
NAIVE_DRAWS = 100


def main() -> None:
    import corridormap as cm
    from corridormap.compare import _naive_compare, compare

    G = cm.load_network()
    compare(G, *PAIRS[0], draws=100)  # warm imports and caches
    t = time.perf_counter()
    for o, d in PAIRS:
        compare(G, o, d, draws=DRAWS, seed=0)
    fast = time.perf_counter() - t
    t = time.perf_counter()
    for o, d in PAIRS:
        _naive_compare(G, o, d, draws=NAIVE_DRAWS, seed=0)
    naive = (time.perf_counter() - t) * DRAWS / NAIVE_DRAWS
    print(f"vectorised, {DRAWS:,} draws x {len(PAIRS)} pairs : {fast:7.2f} s (target < 2 s)")
    print(f"naive loop, same work (scaled from {NAIVE_DRAWS} draws): {naive:7.1f} s")
    print(f"speed-up                                  : {naive / fast:7.0f} x (target >= 20)")


if __name__ == "__main__":
    main()
