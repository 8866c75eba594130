"""The corridor explorer at full size: disk size, time to interactive, pair-switch time.

By default, the bundled network's explorer as ``make demo`` builds it (every pair of
``analysis.toml`` ``[explorer]``, every scenario, both clocks, 2,000 draws; the build is
timed too). ``--synthetic`` builds instead a synthetic dataset of the size of the bundled
sweep: 64 endpoints, every one an origin to the other 63, 7 scenarios, 6 route families (3
INSTC branches, 3 sea routes), about 25 profile steps per route. Its routes are shortest paths
on a random network over Eurasia (190 places, about 320 links with 20-point geometries), a
family being the network with some links closed, so routes from one origin share prefixes as
real ones do. A scenario closes a few links and slows others; a family's figures change only
where its route changes or crosses a slowed link (with the same draws and seed, the Monte
Carlo gives an unchanged route the same percentiles), unless ``--all-distinct``, where every
scenario changes every figure (the worst case for the file sizes).

Writes the explorer (folder and self-contained) into a temporary directory and prints:
the size on disk (target <= 10 MB in all), the time to write it, the time from navigation to
the first view drawn in Chromium (median of 5 fresh loads, target <= 2 s), and the redraw time
after choosing another destination, another origin (its file loaded on demand), another
scenario and clock through the page's controls (median of 10 each, target < 200 ms).

Run: ``python benchmarks/bench_explorer.py [--synthetic [--all-distinct]] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from corridormap.render.explorer import write_explorer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
N_ENDPOINTS = 64
N_HUBS = 126
N_LONG = 30
SCENARIOS = [
    "baseline",
    "rasht-astara-railway",
    "red-sea-closed",
    "suez-closed",
    "caspian-low-water",
    "azerbaijan-border-closed",
    "chabahar-zahedan-railway",
]
FAMILIES = [
    ("instc-western", "INSTC western (Azerbaijan)", True, "#d62728"),
    ("instc-transcaspian", "INSTC Trans-Caspian", True, "#ff7f0e"),
    ("instc-eastern", "INSTC eastern (Kazakhstan-Turkmenistan)", True, "#9467bd"),
    ("suez", "Suez Canal", False, "#1f77b4"),
    ("suez-north-europe", "Suez via northern Europe", False, "#17becf"),
    ("cape", "Cape of Good Hope", False, "#2ca02c"),
]
CLOCKS = [
    {"name": "transit", "label": "Transit (from loading)"},
    {"name": "door-to-door", "label": "Door to door (with the wait for the first sailing)"},
]
SPEED = {"rail": 28.0, "road": 45.0, "sea": 30.0, "caspian": 18.0, "ferry": 15.0}
COUNTRIES = ["IN", "IR", "AZ", "RU", "KZ", "TM", "EG", "TR", "AE", "SA", "GE", "UZ"]
WORDS = ["Port", "Junction", "Gate", "Terminal", "Station", "Yard", "Harbour", "Crossing"]


def _place_name(rng: random.Random, i: int) -> str:
    syll = ["ka", "ra", "mo", "ban", "dar", "as", "ta", "kov", "sk", "abad", "zan", "che", "nai"]
    stem = "".join(rng.choice(syll) for _ in range(rng.randint(2, 4))).title()
    return f"{stem} {rng.choice(WORDS)}" if i >= N_ENDPOINTS else stem


def _network(rng: random.Random) -> tuple[list[dict], nx.Graph]:
    places, G = [], nx.Graph()
    for i in range(N_ENDPOINTS + N_HUBS):
        lat, lon = rng.uniform(5, 62), rng.uniform(22, 98)
        pid = f"P{i:03d}"
        aliases = [_place_name(rng, 0) for _ in range(rng.randint(0, 3))]
        places.append(
            {
                "id": pid,
                "name": _place_name(rng, i),
                "aliases": aliases,
                "country": COUNTRIES[
                    min(int((lon - 22) / 19), 3) + 4 * min(int((lat - 5) / 19), 2)
                ],
                "kind": "city"
                if i < N_ENDPOINTS
                else rng.choice(["port", "border_crossing", "rail_station"]),
                "lat": round(lat, 4),
                "lon": round(lon, 4),
            }
        )
        G.add_node(pid, lat=lat, lon=lon)
    ids = [p["id"] for p in places]
    for a in ids:
        near = sorted(ids, key=lambda b: _dist(G, a, b))[1:4]
        for b in near:
            G.add_edge(a, b)
    # long sea and rail links between hubs: about ten hops from one endpoint to another
    hubs = ids[N_ENDPOINTS:]
    for _ in range(N_LONG):
        a, b = rng.sample(hubs, 2)
        G.add_edge(a, b)
    # keep it connected
    comps = list(nx.connected_components(G))
    for c1, c2 in itertools.pairwise(comps):
        G.add_edge(next(iter(c1)), next(iter(c2)))
    return places, G


def _dist(G: nx.Graph, a: str, b: str) -> float:
    la, lo = G.nodes[a]["lat"], G.nodes[a]["lon"]
    lb, lob = G.nodes[b]["lat"], G.nodes[b]["lon"]
    return 111.0 * math.hypot(la - lb, (lo - lob) * math.cos(math.radians((la + lb) / 2)))


def _links(rng: random.Random, G: nx.Graph, names: dict[str, str]) -> dict[str, dict]:
    links = {}
    for a, b in G.edges:
        km = _dist(G, a, b) * rng.uniform(1.05, 1.3)
        mode = rng.choices(list(SPEED), weights=[6, 1, 3, 1, 0.5])[0]
        lid = f"{a}-{b}-{mode}"
        n = 20
        (la, lo), (lb, lob) = (
            (G.nodes[a]["lat"], G.nodes[a]["lon"]),
            (G.nodes[b]["lat"], G.nodes[b]["lon"]),
        )
        coords = [
            [
                round(lo + (lob - lo) * t + (0 if t in (0, 1) else rng.uniform(-0.2, 0.2)), 4),
                round(la + (lb - la) * t + (0 if t in (0, 1) else rng.uniform(-0.2, 0.2)), 4),
            ]
            for t in (j / (n - 1) for j in range(n))
        ]
        G.edges[a, b].update(id=lid, km=km, mode=mode)
        links[lid] = {"mode": mode, "name": f"{names[a]} – {names[b]}", "coords": coords}
    return links


def _scenario_effects(rng: random.Random, G: nx.Graph) -> dict[str, dict]:
    edges = list(G.edges)
    out = {"baseline": {"closed": set(), "slow": set()}}
    for s in SCENARIOS[1:]:
        out[s] = {"closed": set(rng.sample(edges, 4)), "slow": set(rng.sample(edges, 12))}
    return out


def _steps(path: list[str], G: nx.Graph, names, countries, slow) -> tuple[list, list[str]]:
    steps, km, links = [], 0.0, []
    prev_mode = None
    for i, (a, b) in enumerate(itertools.pairwise(path)):
        e = G.edges[a, b]
        if i:
            if countries[a] != countries[path[i - 1]]:
                steps.append(
                    [km, km, 18.0, "border", "", f"{names[a]}: border {countries[a]} 18 h"]
                )
            hours = 36.0 if e["mode"] != prev_mode else 6.0
            kind = "transfer" if e["mode"] != prev_mode else "dwell"
            steps.append(
                [
                    km,
                    km,
                    hours,
                    kind,
                    "",
                    f"{names[a]}: {prev_mode}–{e['mode']} transfer {hours:.0f} h",
                ]
            )
        factor = 1.4 if (a, b) in slow or (b, a) in slow else 1.0
        hours = e["km"] / SPEED[e["mode"]] * factor
        steps.append(
            [
                km,
                km + e["km"],
                hours,
                "move",
                e["mode"],
                f"{names[a]} – {names[b]}: {e['mode']} {e['km']:.0f} km",
            ]
        )
        km += e["km"]
        links.append(e["id"])
        prev_mode = e["mode"]
    return steps, links


def _record(rng_seed: str, route: dict, instc: bool) -> dict:
    """A family's record on both clocks (schema 2: the same route on each here)."""
    r = random.Random(rng_seed)
    hours = sum(s[2] for s in route["steps"])
    days = hours / 24 * r.uniform(0.95, 1.05)
    wait = r.uniform(0.5, 3.5) if not instc else r.uniform(0.0, 1.0)
    lo, hi, mean = r.uniform(0.8, 0.92), r.uniform(1.1, 1.45), r.uniform(1.0, 1.06)
    usd = route["km"] * r.uniform(0.25, 0.45) + 400
    common = {
        "route": None,
        "schedule_wait_days": wait,
        "co2_kg": route["km"] * r.uniform(0.05, 0.25),
        "borders": sum(1 for s in route["steps"] if s[3] == "border"),
        "transshipments": sum(1 for s in route["steps"] if s[3] == "transfer"),
    }
    spread = [mean, lo, 1.0, hi]
    transit = [days * k for k in spread]
    extra = wait * r.uniform(0.8, 1.2)
    usd_q = [usd * k for k in spread]
    return {
        "transit": {**common, "days": transit, "usd": usd_q},
        "door-to-door": {**common, "days": [d + extra for d in transit], "usd": list(usd_q)},
    }


def synthetic(seed: int = 1, *, all_distinct: bool = False) -> dict:
    """A dataset the size of the bundled sweep (see the module docstring)."""
    rng = random.Random(seed)
    places, G = _network(rng)
    names = {p["id"]: p["name"] for p in places}
    countries = {p["id"]: p["country"] for p in places}
    links = _links(rng, G, names)
    effects = _scenario_effects(rng, G)
    fam_closed = {f[0]: set(rng.sample(list(G.edges), len(G.edges) // 6)) for f in FAMILIES}
    endpoints = [p["id"] for p in places[:N_ENDPOINTS]]
    routes: dict[str, dict] = {}
    route_ids: dict[tuple, str] = {}
    results: dict = {o: {d: {} for d in endpoints if d != o} for o in endpoints}
    for s in SCENARIOS:
        eff = effects[s]
        for fam, _label, instc, _c in FAMILIES:
            closed = fam_closed[fam] | eff["closed"]
            H = G.copy()
            H.remove_edges_from(closed)
            for o in endpoints:
                paths = nx.single_source_dijkstra_path(H, o, weight="km")
                for d in endpoints:
                    if d == o or d not in paths:
                        continue
                    path = paths[d]
                    slow = {e for e in eff["slow"] if e[0] in path and e[1] in path}
                    key = (tuple(path), frozenset(slow))
                    if key not in route_ids:
                        steps, lids = _steps(path, G, names, countries, slow)
                        rid = f"r{len(route_ids)}"
                        route_ids[key] = rid
                        routes[rid] = {
                            "links": lids,
                            "places": list(path),
                            "km": steps[-1][1],
                            "steps": steps,
                        }
                    rid = route_ids[key]
                    tag = f"{rid}/{fam}" + (f"/{s}" if all_distinct else "")
                    rec = _record(tag, routes[rid], instc)
                    for clock_rec in rec.values():
                        clock_rec["route"] = rid
                    cell = results[o][d].setdefault(
                        s, {"families": {}, "best": {}, "p_instc_faster": {}}
                    )
                    cell["families"][fam] = rec
    instc_names = {f[0] for f in FAMILIES if f[2]}
    for o in results:
        for d in results[o]:
            for cell in results[o][d].values():
                fams = cell["families"]
                for clock in ("transit", "door-to-door"):
                    cell["best"][clock] = min(fams, key=lambda f: fams[f][clock]["days"][0])
                    best_instc = [fams[f][clock]["days"][0] for f in fams if f in instc_names]
                    if not best_instc:
                        continue
                    b = min(best_instc)
                    cell["p_instc_faster"][clock] = {
                        f: round(1 / (1 + math.exp((b - fams[f][clock]["days"][0]) / 2.0)), 4)
                        for f in fams
                        if f not in instc_names
                    }
    return {
        "version": 2,
        "title": "INSTC or Suez? Explore the corridors (synthetic benchmark data)",
        "credit": (
            "corridormap 0.1.0 · synthetic data · 2025-01-01 · "
            "GeoNames, Eurostat MARNET, Natural Earth"
        ),
        "draws": 10000,
        "seed": 0,
        "clocks": CLOCKS,
        "places": places,
        "links": links,
        "families": [{"name": n, "label": lb, "instc": i, "color": c} for n, lb, i, c in FAMILIES],
        "scenarios": [
            {
                "name": s,
                "title": s.replace("-", " ").capitalize(),
                "description": f"What changes if {s.replace('-', ' ')}: closures and slower legs.",
                "sources": [
                    "corridormap scenarios/" + s + ".toml",
                    "UNCTAD Review of Maritime Transport 2024",
                ],
            }
            for s in SCENARIOS
        ],
        "routes": routes,
        "results": results,
    }


def _size(folder: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in folder.rglob("*"):
        if p.is_file():
            key = (
                "origin files" if p.name.startswith("origin-") else p.relative_to(folder).as_posix()
            )
            out[key] = out.get(key, 0) + p.stat().st_size
    return out


def _browser_times(index: Path, data: dict, runs: int = 5) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {
        "wall": [],
        "interactive": [],
        "to": [],
        "from": [],
        "scenario": [],
        "clock": [],
    }
    paint: dict[str, list[float]] = {k: [] for k in ("to", "from", "scenario", "clock")}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            pg = b.new_page(viewport={"width": 1280, "height": 800})
            outside: list[str] = []
            pg.on("request", _outside_recorder(outside))
            t = time.perf_counter()
            pg.goto(index.as_uri())
            pg.wait_for_function("window.corridormapReady === true", timeout=30000)
            times["wall"].append((time.perf_counter() - t) * 1000)
            times["interactive"].append(
                pg.evaluate("window.corridormapExplorer.timings.interactiveMs")
            )
            assert not outside, outside
            pg.close()
        pg = b.new_page(viewport={"width": 1280, "height": 800})
        pg.goto(index.as_uri())
        pg.wait_for_function("window.corridormapReady === true", timeout=30000)
        pairs = {o: list(d) for o, d in data["results"].items()}
        origins = list(pairs)
        scenarios = [x["name"] for x in data["scenarios"]]
        clocks = [c["name"] for c in data["clocks"]]

        def other(options: list[str], start: int, current: str) -> str:
            return next(x for x in options[start:] + options if x != current)

        def state() -> dict:
            return pg.evaluate("window.corridormapExplorer.state")

        for i in range(10):
            for what, act in (
                (
                    "from",
                    lambda i=i: _type(pg, "#cx-from", other(origins, i * 7 + 3, state()["from"])),
                ),
                (
                    "to",
                    lambda i=i: _type(
                        pg, "#cx-to", other(pairs[state()["from"]], i * 5 + 1, state()["to"])
                    ),
                ),
                (
                    "scenario",
                    lambda i=i: (
                        _pick(pg)
                        or pg.select_option(
                            "#cx-scenario", other(scenarios, i + 2, state()["scenario"])
                        )
                    ),
                ),
                (
                    "clock",
                    lambda: (
                        _pick(pg) or pg.check(f"#cx-clock-{1 - clocks.index(state()['clock'])}")
                    ),
                ),
            ):
                n = pg.evaluate("window.corridormapExplorer.drawCount")
                act()
                pg.wait_for_function(f"window.corridormapExplorer.drawCount > {n}", timeout=10000)
                pg.wait_for_function("window.corridormapExplorer.lastPaintMs !== null")
                times[what].append(pg.evaluate("window.corridormapExplorer.lastDrawMs"))
                paint[what].append(pg.evaluate("window.corridormapExplorer.lastPaintMs"))
        b.close()
    for k, v in paint.items():
        times[f"{k} (to paint)"] = v
    return times


def _outside_recorder(outside: list[str]):
    def record(request) -> None:
        if not request.url.startswith("file:"):
            outside.append(request.url)

    return record


def _pick(pg) -> None:
    pg.evaluate("window.corridormapExplorer.lastPaintMs = null")


def _type(pg, selector: str, text: str) -> None:
    _pick(pg)
    pg.fill(selector, text)
    pg.press(selector, "Enter")


def _report_sizes(out: Path) -> None:
    sizes = _size(out)
    for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {k:28s} {v / 1e6:7.2f} MB")
    origins = [p.stat().st_size for p in (out / "data").glob("origin-*.js")]
    print(
        f"size on disk, folder  : {sum(sizes.values()) / 1e6:6.2f} MB (target <= 10 MB); "
        f"{len(origins)} origin files, median {statistics.median(origins) / 1e3:.0f} KB, "
        f"largest {max(origins) / 1e3:.0f} KB"
    )


def _report_times(times: dict[str, list[float]], runs: int) -> None:
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"page interactive      : {med['interactive']:6.0f} ms after navigation start, "
        f"median of {runs} (max {max(times['interactive']):.0f}; target <= 2000 ms); "
        f"wall {med['wall']:.0f} ms with Playwright"
    )
    for k in ("to", "from", "scenario", "clock"):
        print(
            f"switch {k:9s}       : {med[k]:6.1f} ms redraw, "
            f"{med[k + ' (to paint)']:6.1f} ms to paint (median of {len(times[k])}, "
            f"max {max(times[k]):.1f} / {max(times[k + ' (to paint)']):.1f}; target < 200 ms)"
        )


def bundled(draws: int, seed: int) -> dict:
    """The explorer's data of the bundled network, as ``make demo`` builds it."""
    from corridormap import load_network
    from corridormap.explore import explorer_data

    return explorer_data(load_network(), draws=draws, seed=seed, progress=False)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--synthetic",
        action="store_true",
        help="a synthetic dataset of the bundled size instead of the bundled network's "
        "explorer (every [explorer] pair, scenario and clock, as make demo builds it)",
    )
    ap.add_argument("--draws", type=int, default=2_000, help="the bundled build's (default 2000)")
    ap.add_argument(
        "--all-distinct",
        action="store_true",
        help="synthetic data where every scenario changes every figure",
    )
    ap.add_argument("--keep", type=Path, help="write the folder here and keep it")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    args.synthetic = args.synthetic or args.all_distinct
    t = time.perf_counter()
    data = synthetic(all_distinct=args.all_distinct) if args.synthetic else bundled(args.draws, 0)
    results = data["results"]
    n_cells = sum(
        len(c["families"]) for o in results.values() for d in o.values() for c in d.values()
    )
    steps = sum(len(r["steps"]) for r in data["routes"].values()) / len(data["routes"])
    print(
        f"{'synthetic' if args.synthetic else 'bundled'} data: {len(results)} origins, "
        f"{len(data['places'])} places, {len(data['links'])} links, "
        f"{len(data['routes'])} distinct routes ({steps:.1f} steps each), "
        f"{n_cells} family results, "
        f"built in {time.perf_counter() - t:.1f} s"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench-explorer-"))
    out = args.keep or tmp / "site"
    try:
        t = time.perf_counter()
        index = write_explorer(data, out)
        print(f"write folder          : {time.perf_counter() - t:6.1f} s (schema check included)")
        _report_sizes(out)
        t = time.perf_counter()
        single = write_explorer(data, tmp / "single", self_contained=True)
        size = single.stat().st_size / 1e6
        print(f"write self-contained  : {time.perf_counter() - t:6.1f} s, {size:.2f} MB")
        _report_times(_browser_times(index, data, args.runs), args.runs)
        print("self-contained page:")
        _report_times(_browser_times(single, data, 3), 3)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
