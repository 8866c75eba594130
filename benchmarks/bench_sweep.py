"""Origin-destination sweeps (issues 15 and 26): wall time on a Dask LocalCluster of 1 and 2
worker processes, the speed-up over looping ``compare`` per pair, and the scaling from 1 to 2
workers.

First, issue 26's case, in a process of its own with one thread (``OMP_NUM_THREADS=1``): the
bundled network's first 8 origins (chokepoints excluded) to all 64 places x the baseline and
``red-sea-closed`` x 2,000 draws, swept in this process (one worker), against the whole loop
of ``compare`` over the same 1,008 pair-scenarios. Runs interleave (sweep, loop, sweep); the
ratio takes CPU seconds (the machine is shared) and the faster sweep.

Then the cases of issue 15:

* the bundled network: all ordered pairs of the bundled places (chokepoints excluded) x the
  bundled scenarios (and the baseline) x 10,000 draws;
* a synthetic network of about 10,000 edges (the rail grid of ``bench_limits.make``, bundled
  parameters, two route families written beside it) with 100 origins x 100 destinations.

The cluster's start, with corridormap imported in each worker, is not timed (the loop of
``compare`` runs in a process that has imported it too). A case that sweeps in seconds (the
synthetic one) is swept twice with each number of workers, alternating (1, 2, 1, 2), and the
faster run of each counts: a few seconds of other work on the machine would otherwise decide
its scaling. The bundled case sweeps for about a minute and is swept once.

The loop of ``compare`` is timed on a random sample of pair-scenarios (``LOOP_SAMPLE``, 240: a
few seconds of looping, long enough for a steady figure on a shared machine) and extrapolated
linearly to all of them: looping every pair would take hours, and says so when
printed. The sample is timed before the first sweep of a case and after each, and each sweep
is compared with the mean of the two loops on either side of it. ``SWEEP_BENCH_ORIGINS=N``
sweeps only the first N origins of a case (to fit a short run); the full-case figures are then
extrapolated by the number of origins, and the output says so.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DRAWS = 10_000
LOOP_SAMPLE = int(os.environ.get("SWEEP_BENCH_LOOP", "240"))
SYNTH_LINKS = 3_400  # a grid of ~10,000 edges once gates and both directions are counted
SYNTH_ENDS = 100

FAMILIES = """
reference = "detour"

[[family]]
name = "direct"
label = "Any rail route"
instc = true
source = "synthetic benchmark"

[[family]]
name = "detour"
label = "Round the closed centre"
instc = false
close_places = [{centre}]
source = "synthetic benchmark"
"""


def _import_sweep() -> None:
    """Import what a worker runs a partition with (run on each worker by :func:`_cluster`)."""
    import corridormap.sweep.partition  # noqa: F401


def _cluster(n: int):
    """The cluster a sweep with ``client="local"`` starts, ``n`` workers ready to sweep.

    Each worker imports corridormap before the sweep is timed (about half a second a worker),
    as the benchmark's own process has for the loop of ``compare``, and as the workers of a
    cluster that has swept before have. Left to the first partition, whether the import is
    timed would depend on the main script: spawned workers run its imports as they start.
    """
    from distributed import Client

    from corridormap.sweep.execution import local_cluster

    cluster = local_cluster(n, host="127.0.0.1")
    client = Client(cluster)
    client.run(_import_sweep)
    return cluster, client


def _loop_estimate(G, pairs, scenarios, draws) -> tuple[float, int]:
    """Seconds to loop ``compare`` over every pair x scenario, from a sample."""
    import corridormap as cm
    from corridormap import NoRouteError

    weights = {
        s: (None if s == "baseline" else cm.apply_scenario(G, s).weight()) for s in scenarios
    }
    jobs = [(o, d, s) for o, d in pairs for s in scenarios]
    sample = random.Random(0).sample(jobs, min(LOOP_SAMPLE, len(jobs)))
    cm.compare(G, *sample[0][:2], draws=100)
    t = time.perf_counter()
    for o, d, s in sample:
        with contextlib.suppress(NoRouteError):  # the same table: percentiles and P(faster)
            comp = cm.compare(G, o, d, draws=draws, seed=0, weight=weights[s])
            comp.to_frame()
            _ = [comp.p_instc_beats(f.name) for f in comp.families if not f.instc]
    per = (time.perf_counter() - t) / len(sample)
    return per * len(jobs), len(sample)


def run_case(label: str, G, origins, destinations, scenarios, draws: int, rounds: int = 1) -> None:
    """Sweep a case on 1 and 2 workers ``rounds`` times each (alternating), the loop between.

    The loop's sample is timed before the first sweep and after each: a sweep's anchor is the
    mean of the two timed on either side of it, so a change in the machine's speed over the
    minutes of a case moves the sweep and its anchor alike. The faster of a worker count's runs
    counts, against its own anchor.
    """
    import corridormap as cm

    limit = int(os.environ.get("SWEEP_BENCH_ORIGINS", "0") or 0)
    run_origins = origins[:limit] if limit else origins
    scale = len(origins) / len(run_origins)
    pairs = [(o, d) for o in origins for d in destinations if o != d]
    n_jobs = len(pairs) * len(scenarios)
    print(
        f"{label}: {len(origins)} origins x {len(destinations)} destinations = {len(pairs):,} "
        f"pairs x {len(scenarios)} scenarios = {n_jobs:,} pair-scenarios x {draws:,} draws"
    )
    if scale > 1:
        print(f"  swept: the first {len(run_origins)} origins only; full figures x{scale:.1f}")
    loops = [_loop_estimate(G, pairs, scenarios, draws)]
    sampled = loops[0][1]
    print(
        f"  loop of compare              : {loops[0][0]:8.1f} s (extrapolated from {sampled} "
        "pair-scenarios)"
    )
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}  # (sweep, its anchor)
    for n in (1, 2) * rounds:
        t0 = time.perf_counter()
        cluster, client = _cluster(n)
        start = time.perf_counter() - t0
        try:
            t = time.perf_counter()
            frame = cm.sweep(
                G,
                run_origins,
                destinations,
                scenarios=[s for s in scenarios if s != "baseline"],
                draws=draws,
                seed=0,
                client=client,
                progress=False,
            )
            wall = (time.perf_counter() - t) * scale
        finally:
            client.close()
            cluster.close()
        loops.append(_loop_estimate(G, pairs, scenarios, draws))
        anchor = (loops[-2][0] + loops[-1][0]) / 2
        runs[n].append((wall, anchor))
        print(
            f"  sweep on {n} worker{'s' * (n > 1)}: {wall:8.1f} s "
            f"(cluster start and imports {start:.1f} s not counted; {len(frame):,} rows swept)"
        )
        print(f"  loop of compare              : {loops[-1][0]:8.1f} s (anchor {anchor:.1f} s)")
    best = {n: min(r) for n, r in runs.items()}
    if rounds > 1:
        for n, r in runs.items():
            print(
                f"  faster of {rounds} on {n} worker{'s' * (n > 1)}: {best[n][0]:6.1f} s "
                f"(runs {', '.join(f'{x:.1f}' for x, _ in r)})"
            )
    for n, text in ((1, "1 worker "), (2, "2 workers")):
        wall, anchor = best[n]
        goal = " (goal >= 20)" if n == 1 else ""
        print(f"  speed-up, {text}          : {anchor / wall:8.1f} x against {anchor:.1f} s{goal}")
    print(f"  scaling 1 -> 2 workers       : {best[1][0] / best[2][0]:8.2f} x (goal >= 1.6)")


def bundled() -> None:
    import corridormap as cm

    G = cm.load_network()
    cat = cm.places(G)
    ids = [p for p, v in cat.items() if v.get("kind") != "chokepoint"]
    scenarios = ["baseline", *[s for s in cm.list_scenarios(G) if s != "baseline"]]
    run_case("bundled network", G, ids, ids, scenarios, DRAWS)


def synthetic() -> None:
    import corridormap as cm

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_limits import make

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        make(d, SYNTH_LINKS)
        G0 = cm.load_network(d)
        ids = sorted(cm.places(G0))
        side = round(len(ids) ** 0.5)
        mid = side // 2
        centre = [f"N{i}_{j}" for i in range(mid - 3, mid + 3) for j in range(mid - 3, mid + 3)]
        fams = FAMILIES.replace("{centre}", ", ".join(f'"{c}"' for c in centre))
        (d / "families.toml").write_text(fams, encoding="utf-8")
        G = cm.load_network(d)
        rng = random.Random(1)
        pool = [p for p in ids if p not in centre]
        origins = rng.sample(pool, SYNTH_ENDS)
        destinations = rng.sample(pool, SYNTH_ENDS)
        label = f"synthetic grid ({G.number_of_edges():,} edges)"
        run_case(label, G, origins, destinations, ["baseline"], DRAWS, rounds=2)


ISSUE26_ORIGINS = 8
ISSUE26_SCENARIO = "red-sea-closed"
ISSUE26_DRAWS = 2_000


def _issue26_sweep(G, origins, ids) -> float:
    import corridormap as cm

    cpu = time.process_time()
    cm.sweep(
        G,
        origins,
        ids,
        scenarios=[ISSUE26_SCENARIO],
        draws=ISSUE26_DRAWS,
        seed=0,
        progress=False,
    )
    return time.process_time() - cpu


def _issue26_loop(G, origins, ids) -> tuple[float, int]:
    import corridormap as cm
    from corridormap import NoRouteError

    weights = {"baseline": None, ISSUE26_SCENARIO: cm.apply_scenario(G, ISSUE26_SCENARIO).weight()}
    cpu, n = time.process_time(), 0
    for o in origins:
        for d in ids:
            if o == d:
                continue
            for w in weights.values():
                n += 1
                with contextlib.suppress(NoRouteError):  # the same table as the sweep's
                    comp = cm.compare(G, o, d, draws=ISSUE26_DRAWS, seed=0, weight=w)
                    comp.to_frame()
                    _ = [comp.p_instc_beats(f.name) for f in comp.families if not f.instc]
    return time.process_time() - cpu, n


def issue26() -> None:
    """Issue 26's sweep against the loop of compare (run in its own single-thread process)."""
    import corridormap as cm

    G = cm.load_network()
    cat = cm.places(G)
    ids = [p for p, v in cat.items() if v.get("kind") != "chokepoint"]
    origins = ids[:ISSUE26_ORIGINS]
    cm.sweep(G, origins[:1], ids[:3], scenarios=[ISSUE26_SCENARIO], draws=100, progress=False)
    cm.compare(G, ids[0], ids[1], draws=100)
    load0 = os.getloadavg()[0]
    s1 = _issue26_sweep(G, origins, ids)
    loop, n = _issue26_loop(G, origins, ids)
    s2 = _issue26_sweep(G, origins, ids)
    sweep_s = min(s1, s2)
    print(
        f"issue 26: {len(origins)} origins x {len(ids) - 1} destinations x 2 scenarios "
        f"({n:,} pair-scenarios) x {ISSUE26_DRAWS:,} draws, one worker, one thread"
    )
    print(f"  sweep                        : {sweep_s:8.2f} CPU s (runs {s1:.2f}, {s2:.2f})")
    print(f"  loop of compare              : {loop:8.2f} CPU s ({loop / n * 1000:.1f} ms a pair)")
    print(
        f"  speed-up                     : {loop / sweep_s:8.1f} x (goal >= 20); "
        f"load average {load0:.1f} -> {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    if "--issue26" in sys.argv:
        issue26()
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run([sys.executable, __file__, "--issue26"], check=True, env=env)
    if os.environ.get("SWEEP_BENCH_ISSUE26_ONLY"):
        return
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("sweep benchmark skipped: pip install 'corridormap[dask]'")
        return
    bundled()
    synthetic()


if __name__ == "__main__":
    main()
