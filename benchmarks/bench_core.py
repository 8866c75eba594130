"""The routing core near the limit: corridormap's routes vs a bare compiled Dijkstra on the
same export (issue 16).

For the bundled network and the scaling benchmark's grid at ~100,000 edges, the network's
integer CSR export (``corridormap.search``) with the route's weight as the edge values is handed
to ``scipy.sparse.csgraph.dijkstra`` (one source, predecessors returned): that is the floor.
Beside it: corridormap's search on the core (weight vector, Dijkstra, path), a whole warm
``route()`` (names resolved, legs measured), and, when installed, igraph and rustworkx on the
same export (the graph built once, not timed), as the measurement behind the choice of scipy.
Target: a warm route within 3x of the floor.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _median(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(G, origin: str, destination: str, repeat: int) -> dict[str, float]:
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    import corridormap as cm
    from corridormap.network import endpoint_nodes
    from corridormap.search import core, engine, shortest

    cm.route(G, origin, destination)
    r = cm.route(G, origin, destination)  # a small network's second query builds its export
    assert engine(G) is not None, "the search below must run on the compiled core"
    wf = r.weight
    c = core(G)
    pw = c.pair_vector(wf)
    A = c.matrix(pw)
    src, dst = endpoint_nodes(G, r.origin)[0], endpoint_nodes(G, r.destination)[0]
    s, t = c.index[src], c.index[dst]
    out = {
        "scipy": _median(
            lambda: dijkstra(A, directed=True, indices=s, return_predecessors=True), repeat
        ),
        "search": _median(lambda: shortest(G, wf, [src], [dst]), repeat),
        "route": _median(lambda: cm.route(G, origin, destination), repeat),
        "edges": G.number_of_edges(),
    }
    finite = np.isfinite(pw)
    rows = np.repeat(np.arange(len(c.indptr) - 1), np.diff(c.indptr))[finite]
    cols, wts = c.indices[finite], pw[finite]
    try:
        import igraph

        g = igraph.Graph(
            n=len(c.nodes),
            edges=list(zip(rows.tolist(), cols.tolist(), strict=True)),
            directed=True,
        )
        g.es["w"] = wts.tolist()
        out["igraph"] = _median(
            lambda: g.get_shortest_paths(s, to=t, weights="w", output="vpath"), repeat
        )
    except ImportError:
        pass
    try:
        import rustworkx as rx

        h = rx.PyDiGraph()
        h.add_nodes_from(range(len(c.nodes)))
        h.add_edges_from(list(zip(rows.tolist(), cols.tolist(), wts.tolist(), strict=True)))
        out["rustworkx"] = _median(
            lambda: rx.dijkstra_shortest_paths(h, s, target=t, weight_fn=float), repeat
        )
    except ImportError:
        pass
    return out


def report(label: str, res: dict[str, float]) -> None:
    floor = res["scipy"]
    print(f"{label} ({res['edges']:,} edges)")
    print(f"  scipy csgraph.dijkstra on the export : {floor * 1000:8.3f} ms (the floor)")
    for key, text in (
        ("search", "corridormap search on the core  "),
        ("route", "corridormap route(), warm       "),
    ):
        print(f"  {text}     : {res[key] * 1000:8.3f} ms ({res[key] / floor:5.2f}x the floor)")
    for key in ("igraph", "rustworkx"):
        if key in res:
            print(f"  {key + ' (same export, to the target)':<37}: {res[key] * 1000:8.3f} ms")


def main(argv: list[str] | None = None) -> None:
    import corridormap as cm

    sys.path.insert(0, str(HERE))
    import bench_scaling

    report("bundled network, Mumbai - Moscow", measure(cm.load_network(), "Mumbai", "Moscow", 200))
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "geodata"
        target = bench_scaling.make(d, 100_000)
        G = cm.load_network(d)
    report(f"grid network, Mumbai - {target}", measure(G, "Mumbai", target, 20))


if __name__ == "__main__":
    main(sys.argv[1:])
