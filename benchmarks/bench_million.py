"""A million edges (issue 26): loading, searches that stop, criticality's growth.

The scaling benchmark's grid (``bench_scaling.make``: the bundled geodata plus a 1520 mm rail
grid in the project's own schema) at about 1,000,000 graph edges, and at 100,000 for the growth
exponent. Every figure is printed beside its anchor, as a ratio, with the load average (the
machine is shared): each operation runs in a fresh process, and CPU seconds are given beside
wall seconds.

- load: ``load_network`` against ``json.loads`` of the same files alone (target <= 3x, or
  <= 15 s), and the load's peak memory (target <= 1.5 GB), beside the peak of the same load
  with every edge's attribute mapping emptied as the build adds it: what the graph's structure
  costs before any edge attribute;
- the first route after the load (target: adds <= 1 s);
- a near query (two grid places a few cells apart: G200_200 to G203_204, nearer the middle
  of a smaller grid) and a far one (Mumbai to the grid's far
  corner) through ``corridormap.search.shortest``, warm, against scipy's one-to-all Dijkstra
  from the same node on the same CSR matrix (targets <= 0.1x and <= 1.2x);
- criticality of two pairs crossing the grid at 100k and 1M edges: the growth exponent, the
  slope of log time over log edges (target <= 1.15).

``python benchmarks/bench_million.py [--size 1000000]``
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 1_000_000
SMALL = 100_000

PROBE = r"""
import json, re, statistics, sys, time
op, directory, target = sys.argv[1:4]
clock, cpu = time.perf_counter, time.process_time
res = {}


def peak(field="VmHWM:"):
    with open("/proc/self/status") as fh:
        return int([x for x in fh if x.startswith(field)][0].split()[1]) / 1024


if op == "json":
    t, c = clock(), cpu()
    for name in ("nodes", "links"):
        with open(f"{directory}/{name}.geojson", "rb") as fh:
            json.loads(fh.read())
    res["s"], res["cpu"] = clock() - t, cpu() - c
    print(json.dumps(res))
    sys.exit(0)
if op == "bare":
    # the graph's structure alone: every edge's attribute mapping emptied as the build adds it
    import corridormap.network as net

    add_edge = net._new_edge

    def bare_edge(succ, pred, u, v, key, data):
        data.clear()
        add_edge(succ, pred, u, v, key, data)

    net._new_edge = bare_edge
t, c = clock(), cpu()
import corridormap as cm
G = cm.load_network(directory)
res["load_s"], res["load_cpu"] = clock() - t, cpu() - c
res["load_peak_mib"] = peak()
res["edges"] = G.number_of_edges()


def timed(fn, repeat=1):
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = clock(), cpu()
        fn()
        walls.append(clock() - t)
        cpus.append(cpu() - c)
    return statistics.median(walls), statistics.median(cpus)


if op == "bare":
    res["rss_mib"] = peak("VmRSS:")
    res["with_attributes"] = sum(1 for _, _, d in G.edges(data=True) if d)  # 0 if the patch held
elif op == "load":
    res["first_s"], res["first_cpu"] = timed(lambda: cm.route(G, "Mumbai", target))
    res["second_s"], res["second_cpu"] = timed(lambda: cm.route(G, "Mumbai", target))
    from scipy.sparse.csgraph import dijkstra

    from corridormap.search import core, shortest

    c = core(G)
    # two grid places a few cells apart, near the middle of a smaller grid (G0_0 is a corner)
    side = max(int(g[1]) for n in G if (g := re.fullmatch(r"G(\d+)_\d+", n)))
    m = min(200, side // 2)
    for name, (a, b) in {
        "near": (f"G{m}_{m}", f"G{m + 3}_{m + 4}"),
        "far": ("NSA", target),
    }.items():
        wf = cm.make_weight("time_h").between(a, b)
        shortest(G, wf, [a], [b])
        A = c.matrix(c.pair_vector(wf))
        s = c.index[a]
        res[name + "_s"], res[name + "_cpu"] = timed(lambda: shortest(G, wf, [a], [b]), 7)
        res[name + "_scipy_s"], res[name + "_scipy_cpu"] = timed(
            lambda: dijkstra(A, directed=True, indices=s, return_predecessors=True), 7
        )
elif op == "criticality":
    cm.route(G, "Mumbai", target)
    res["crit_s"], res["crit_cpu"] = timed(
        lambda: cm.criticality(G, [("Mumbai", target), ("Astrakhan", target)])
    )
print(json.dumps(res))
"""


def _run(op: str, directory: Path, target: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, op, str(directory), target],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=SIZE)
    args = ap.parse_args(argv if argv is not None else [])
    sys.path.insert(0, str(HERE))
    import bench_scaling

    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big"
        target = bench_scaling.make(big, args.size)
        anchor = _run("json", big, target)
        print(f"load average {_load()} (1 / 5 / 15 min, 2 cores)")
        res = _run("load", big, target)
        if "error" in res:
            print(f"  load failed: {res['error']}")
            return
        print(f"grid of {res['edges']:,} edges; load average {_load()}")
        print(
            f"  json.loads alone        : {anchor['s']:6.2f} s ({anchor['cpu']:.2f} CPU s), "
            "the anchor"
        )
        print(
            f"  load_network            : {res['load_s']:6.2f} s ({res['load_cpu']:.2f} CPU s): "
            f"{_ratio(res['load_s'], anchor['s'])} the anchor "
            f"({_ratio(res['load_cpu'], anchor['cpu'])} CPU); target <= 3x or <= 15 s"
        )
        print(f"  peak memory of the load : {res['load_peak_mib']:,.0f} MiB; target <= 1,430 MiB")
        bare = _run("bare", big, target)
        if "error" in bare or bare["with_attributes"]:
            why = bare.get("error") or f"{bare['with_attributes']:,} edges kept attributes"
            print(f"  the same without edge attributes: not measured ({why})")
        else:
            print(
                f"  the same, every edge's attributes dropped as it is built: peak "
                f"{bare['load_peak_mib']:,.0f} MiB, {bare['rss_mib']:,.0f} MiB after (networkx's "
                "mappings, the nodes' attributes, the build's columns)"
            )
        print(
            f"  first route             : {res['first_s']:6.2f} s ({res['first_cpu']:.2f} CPU s), "
            f"second {res['second_s'] * 1000:.1f} ms: the first adds "
            f"{res['first_s'] - res['second_s']:.2f} s; target <= 1 s"
        )
        for name, target_ratio in (("near", 0.1), ("far", 1.2)):
            print(
                f"  {name} query, warm        : {res[name + '_s'] * 1000:7.2f} ms "
                f"({res[name + '_cpu'] * 1000:.2f} CPU ms) vs scipy one-to-all "
                f"{res[name + '_scipy_s'] * 1000:.2f} ms: "
                f"{_ratio(res[name + '_s'], res[name + '_scipy_s'])} "
                f"({_ratio(res[name + '_cpu'], res[name + '_scipy_cpu'])} CPU); "
                f"target <= {target_ratio}x"
            )
        if args.size <= SMALL:
            print(f"  criticality's growth: needs a --size above {SMALL:,} (its smaller grid)")
            return
        small = Path(tmp) / "small"
        small_target = bench_scaling.make(small, SMALL)
        crit = {}
        for label, d, t in (("small", small, small_target), ("big", big, target)):
            crit[label] = _run("criticality", d, t)
        if any("error" in r for r in crit.values()):
            print(f"  criticality failed: {crit}")
            return
        e0, e1 = crit["small"]["edges"], crit["big"]["edges"]
        for clock in ("s", "cpu"):
            t0, t1 = crit["small"]["crit_" + clock], crit["big"]["crit_" + clock]
            slope = math.log(t1 / t0) / math.log(e1 / e0)
            print(
                f"  criticality (2 pairs), {'wall' if clock == 's' else 'CPU '}: "
                f"{t0:.2f} s at {e0:,} edges, {t1:.2f} s at {e1:,}: exponent {slope:.2f}; "
                "target <= 1.15"
            )
        print(f"load average {_load()}")


if __name__ == "__main__":
    main(sys.argv[1:])
