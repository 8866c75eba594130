"""Limits: how a large user geodata directory loads (time and peak memory), and how fast an
absurd one is refused.

A synthetic grid network inside Russia with N_LINKS rail links is written to a temporary
directory (with the bundled parameters), then loaded and built in a fresh process so the peak
resident memory is that of the load alone.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_LINKS = 100_000

LOADER = """
import resource, sys, time
t = time.perf_counter()
import corridormap as cm
gd = cm.load_geodata(sys.argv[1])
t_load = time.perf_counter() - t
G = cm.build_network(gd)
t_all = time.perf_counter() - t
# the peak of this process's own memory (VmHWM): ru_maxrss keeps the parent's peak across
# exec, so a probe started by a large process would report that one's
try:
    with open("/proc/self/status") as fh:
        hwm = [line for line in fh if line.startswith("VmHWM:")]
    peak = int(hwm[0].split()[1]) / 1024
except (OSError, IndexError, ValueError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rss = peak
print(f"{len(gd.links)} {G.number_of_edges()} {t_load:.2f} {t_all:.2f} {rss:.0f}")
"""


def make(directory: Path, n_links: int) -> None:
    side = int(math.sqrt(n_links / 2)) + 2
    nodes, links = [], []
    for i in range(side):
        for j in range(side):
            nodes.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [40 + j * 0.05, 50 + i * 0.05]},
                    "properties": {
                        "id": f"N{i}_{j}",
                        "name": f"Node {i} {j}",
                        "country": "RU",
                        "kind": "city",
                        "source": "synthetic",
                        "basis": "estimated",
                    },
                }
            )
    k = 0
    for i in range(side):
        for j in range(side):
            for di, dj in ((0, 1), (1, 0)):
                if k >= n_links or i + di >= side or j + dj >= side:
                    continue
                a = [40 + j * 0.05, 50 + i * 0.05]
                b = [40 + (j + dj) * 0.05, 50 + (i + di) * 0.05]
                links.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": [a, b]},
                        "properties": {
                            "id": f"L{k}",
                            "from": f"N{i}_{j}",
                            "to": f"N{i + di}_{j + dj}",
                            "mode": "rail",
                            "gauge": 1520,
                            "status": "operational",
                            "length_km": 8.0,
                            "source": "synthetic",
                            "basis": "estimated",
                        },
                    }
                )
                k += 1
    for name, feats in (("nodes", nodes), ("links", links)):
        (directory / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
        )
    import corridormap as cm

    shutil.copy(cm.bundled_geodata_dir() / "parameters.toml", directory / "parameters.toml")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        make(d, N_LINKS)
        size = (d / "links.geojson").stat().st_size / 2**20
        out = subprocess.run(
            [sys.executable, "-c", LOADER, str(d)], capture_output=True, text=True, check=True
        ).stdout.split()
        print(
            f"{int(out[0]):,} links ({size:.0f} MiB): validated in {out[2]} s, network of "
            f"{int(out[1]):,} edges built in {out[3]} s total, peak RSS {out[4]} MiB"
        )
        with open(d / "links.geojson", "r+b") as fh:
            fh.truncate(2 * 1024**3)
        import corridormap as cm

        t = time.perf_counter()
        try:
            cm.load_geodata(d)
        except cm.GeodataError as exc:
            print(
                f"2 GiB links.geojson refused in {(time.perf_counter() - t) * 1000:.1f} ms: {exc}"
            )


if __name__ == "__main__":
    main()
