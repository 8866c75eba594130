"""Benchmarks named in the issues; run by hand (`make bench`), never by the tests.

Prints, for the bundled network:
- the cold wall time of `corridormap route Mumbai Moscow` beside the floor
  `python -c "import networkx, geopandas"`, as a ratio (target <= 1.3x);
- the warm route query time, median of 100 (target < 5 ms).
Further sections are added by the maps, comparison and bottleneck benchmarks when present,
then the limits, the routing core against scipy's bare Dijkstra (bench_core) and the scaling
table at ~1k/10k/100k edges (bench_scaling, several minutes) and the million-edge grid against
its anchors (bench_million: json parse time, scipy's one-to-all search, the growth exponent).
"""

from __future__ import annotations

import importlib
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _wall(cmd: list[str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_cli_cold() -> None:
    exe = shutil.which("corridormap", path=str(Path(sys.executable).parent)) or "corridormap"
    floor = _wall([sys.executable, "-c", "import networkx, geopandas"])
    cold = _wall([exe, "route", "Mumbai", "Moscow"])
    print(f"cold CLI route Mumbai Moscow : {cold * 1000:7.0f} ms (median of 5)")
    print(f"floor import networkx+geopandas: {floor * 1000:7.0f} ms (median of 5)")
    print(f"ratio                          : {cold / floor:7.2f} x (target <= 1.3)")


def bench_route_warm() -> None:
    import corridormap as cm

    G = cm.load_network()
    cm.route(G, "Mumbai", "Moscow")
    times = []
    for _ in range(100):
        t = time.perf_counter()
        cm.route(G, "Mumbai", "Moscow")
        times.append(time.perf_counter() - t)
    print(
        f"warm route Mumbai Moscow       : {statistics.median(times) * 1000:7.2f} ms "
        "(median of 100, target < 5)"
    )


def main() -> int:
    print("== routing ==")
    bench_cli_cold()
    bench_route_warm()
    sys.path.insert(0, str(HERE))
    for name in (
        "bench_maps",
        "bench_compare",
        "bench_bottlenecks",
        "bench_assign",
        "bench_limits",
        "bench_core",
        "bench_scaling",
        "bench_million",
        "bench_sweep",
        "bench_explorer",
    ):
        if (HERE / f"{name}.py").exists():
            print(f"== {name[6:]} ==")
            importlib.import_module(name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
