"""Scaling: how each operation grows with the network a user brings (issue 16).

The bundled geodata plus a synthetic 1520 mm rail grid south-east of Moscow, in the project's
own schema, at about 1,000, 10,000 and 100,000 graph edges. The grid hangs off Moscow (its
north-east corner) and Astrakhan (its south-east corner); routes run from Mumbai and Astrakhan
to its far south-west corner, so every route crosses the grid.

Each operation runs in a fresh process (its peak resident memory is that process's): load,
route (first call, which builds the compiled export, and warm), ``alternatives(k=3)``,
``compare`` (10,000 draws), ``criticality`` (two pairs) and the overview map written to a
file. The growth exponent is the slope of log(time) over log(edges) between sizes.

``python benchmarks/bench_scaling.py [--sizes 1000,10000] [--src DIR]`` (``--src`` runs the
same measurements on another checkout's ``src``, e.g. main before a change).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SIZES = (1_000, 10_000, 100_000)
SPACING = 0.03  # degrees between grid nodes
BUNDLED_EDGES = 520  # edges of the bundled network (checked when the grid is made)


def grid_side(target_edges: int, bundled_edges: int = BUNDLED_EDGES) -> int:
    """Grid side giving about ``target_edges`` in all: a side-s grid adds 2s(s-1) links (two
    edges each) and s^2 places (a gate and a rail layer: two transfer edges each)."""
    extra = max(target_edges - bundled_edges, 60)
    return max(3, round(math.sqrt(extra / 6)))


def _point(pid: str, lon: float, lat: float) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
        "properties": {
            "id": pid,
            "name": f"Grid {pid}",
            "country": "RU",
            "kind": "city",
            "source": "synthetic benchmark grid",
            "basis": "estimated",
        },
    }


def _rail(lid: str, a: dict, b: dict) -> dict:
    from corridormap.io import haversine_km

    pa, pb = a["geometry"]["coordinates"], b["geometry"]["coordinates"]
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [pa, pb]},
        "properties": {
            "id": lid,
            "from": a["properties"]["id"],
            "to": b["properties"]["id"],
            "mode": "rail",
            "gauge": 1520,
            "status": "operational",
            "length_km": round(haversine_km(tuple(pa), tuple(pb)), 2),
            "source": "synthetic benchmark grid",
            "basis": "estimated",
        },
    }


def make(directory: Path, target_edges: int) -> str:
    """Write the bundled geodata plus a grid to ``directory``; returns the far corner's id."""
    import corridormap as cm

    shutil.copytree(cm.bundled_geodata_dir(), directory)
    side = grid_side(target_edges)
    nodes_doc = json.loads((directory / "nodes.geojson").read_text(encoding="utf-8"))
    links_doc = json.loads((directory / "links.geojson").read_text(encoding="utf-8"))
    by_id = {f["properties"]["id"]: f for f in nodes_doc["features"]}
    grid = {}
    for i in range(side):
        for j in range(side):
            pid = f"G{i}_{j}"
            grid[i, j] = _point(pid, 40.0 + j * SPACING, 51.0 + i * SPACING)
    nodes_doc["features"] += list(grid.values())
    links = []
    for i in range(side):
        for j in range(side):
            if j + 1 < side:
                links.append(_rail(f"GL{i}_{j}e", grid[i, j], grid[i, j + 1]))
            if i + 1 < side:
                links.append(_rail(f"GL{i}_{j}n", grid[i, j], grid[i + 1, j]))
    links.append(_rail("GL-MOW", by_id["MOW"], grid[side - 1, side - 1]))
    links.append(_rail("GL-AST", by_id["AST"], grid[0, side - 1]))
    links_doc["features"] += links
    for name, doc in (("nodes", nodes_doc), ("links", links_doc)):
        (directory / f"{name}.geojson").write_text(json.dumps(doc), encoding="utf-8")
    return "G0_0"


PROBE = r"""
import json, resource, statistics, sys, time
op, directory, target, out = sys.argv[1:5]
clock = time.perf_counter
cpu = time.process_time
t0, c0 = clock(), cpu()
import corridormap as cm
G = cm.load_network(directory)
res = {"load_s": clock() - t0, "load_cpu": cpu() - c0, "edges": G.number_of_edges()}


def timed(key, fn):
    t, c = clock(), cpu()
    fn()
    res[key + "_s"], res[key + "_cpu"] = clock() - t, cpu() - c


if op == "route":
    timed("first", lambda: cm.route(G, "Mumbai", target))
    walls, cpus = [], []
    for _ in range(20):
        timed("warm", lambda: cm.route(G, "Mumbai", target))
        walls.append(res["warm_s"]); cpus.append(res["warm_cpu"])
    res["warm_s"], res["warm_cpu"] = statistics.median(walls), statistics.median(cpus)
    timed("alternatives", lambda: cm.alternatives(G, "Mumbai", target, k=3))
elif op == "compare":
    cm.route(G, "Mumbai", target)
    cm.route(G, "Mumbai", target)  # warm: a small network's second query builds its export
    timed("compare", lambda: cm.compare(G, "Mumbai", target, draws=10_000, seed=0))
elif op == "criticality":
    cm.route(G, "Mumbai", target)
    cm.route(G, "Mumbai", target)
    timed("criticality", lambda: cm.criticality(G, [("Mumbai", target), ("Astrakhan", target)]))
elif op == "map":
    import os
    timed("map", lambda: cm.save_map(cm.corridor_map(G, tiles=False), out))
    res["map_mb"] = os.path.getsize(out) / 1e6
# the peak of this process's own memory (VmHWM): ru_maxrss keeps the parent's peak across
# exec, so a probe started by a large process would report that one's
try:
    with open("/proc/self/status") as fh:
        hwm = [line for line in fh if line.startswith("VmHWM:")]
    peak = int(hwm[0].split()[1]) / 1024
except (OSError, IndexError, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
res["peak_mib"] = peak
print(json.dumps(res))
"""

OPS = ("load", "route", "compare", "criticality", "map")


def measure(size: int, src: str | None, ops=OPS) -> dict:
    """Every operation at one size; ``{op: {...}}``."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "geodata"
        target = make(d, size)
        for op in ops:
            out = subprocess.run(
                [sys.executable, "-c", PROBE, op, str(d), target, str(Path(tmp) / "map.html")],
                capture_output=True,
                text=True,
                env=env,
            )
            if out.returncode != 0:
                results[op] = {"error": out.stderr.strip().splitlines()[-1]}
                continue
            results[op] = json.loads(out.stdout.strip().splitlines()[-1])
    return results


ROWS = (
    ("load_network", "load", "load_s"),
    ("route, first call", "route", "first_s"),
    ("route, warm", "route", "warm_s"),
    ("alternatives(k=3)", "route", "alternatives_s"),
    ("compare (10,000 draws)", "compare", "compare_s"),
    ("criticality (2 pairs)", "criticality", "criticality_s"),
    ("map (overview, written)", "map", "map_s"),
)


def _fmt(sec: float | None) -> str:
    if sec is None:
        return "-"
    return f"{sec * 1000:.2f} ms" if sec < 1 else f"{sec:.2f} s"


def table(all_results: dict[int, dict], clock: str = "cpu") -> list[str]:
    """The results as a Markdown table: CPU time (``clock="cpu"``: steady on a shared
    machine) or wall time (``"s"``), peak memory of the process, and the growth exponent
    (slope of log time over log edges) between consecutive sizes."""
    sizes = sorted(all_results)
    # every probe loads the network and counts its edges, whichever operations ran
    edges = [
        next((r["edges"] for r in all_results[s].values() if "edges" in r), None) for s in sizes
    ]
    head = (
        "| operation | " + " | ".join(f"{e:,} edges" if e else "-" for e in edges) + " | exponent |"
    )
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for label, op, key in ROWS:
        key = key.replace("_s", "_cpu") if clock == "cpu" else key
        vals = [all_results[s].get(op, {}).get(key) for s in sizes]
        peaks = [all_results[s].get(op, {}).get("peak_mib") for s in sizes]
        cells = []
        for v, p in zip(vals, peaks, strict=True):
            cell = _fmt(v)
            if v is not None and p is not None and op in ("load", "compare", "map"):
                cell += f", {p:.0f} MiB"
            cells.append(cell)
        slopes = []
        pairs = list(zip(edges, vals, strict=True))
        for (e1, v1), (e2, v2) in itertools.pairwise(pairs):
            if v1 and v2 and e1 and e2:
                slopes.append(f"{math.log(v2 / v1) / math.log(e2 / e1):.2f}")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {' / '.join(slopes)} |")
    maps = [all_results[s].get("map", {}).get("map_mb") for s in sizes]
    sizes_mb = " | ".join(f"{m:.1f} MB" if m else "-" for m in maps)
    lines.append(f"| map page size | {sizes_mb} | |")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    ap.add_argument("--src", default=None)
    ap.add_argument("--ops", default=",".join(OPS))
    args = ap.parse_args(argv if argv is not None else [])
    sizes = [int(x) for x in args.sizes.split(",")]
    ops = tuple(args.ops.split(","))
    results = {s: measure(s, args.src, ops) for s in sizes}
    for s in sizes:
        for op, r in results[s].items():
            if "error" in r:
                print(f"  {s} {op}: failed: {r['error']}")
    print("CPU time (the machine is shared; wall time follows):")
    print("\n".join(table(results, "cpu")))
    print("wall time:")
    print("\n".join(table(results, "s")))


if __name__ == "__main__":
    main(sys.argv[1:])
