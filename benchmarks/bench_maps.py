"""Map pages: HTML size and draw time per scene, in headless Chromium.

For each scene of :data:`corridormap.render.SCENES` prints the size of the default page and of
the self-contained page (targets: < 500 KB and < 2 MB), and the time from navigation to the
Leaflet map having drawn all its layers (median of 5 fresh page loads, target < 1 s). The page
marks itself drawn (``window.corridormapReady.t``, milliseconds since navigation start) two
animation frames after its script has added every layer and fitted the view. Default pages
have their CDN requests answered from the local xstatic files and tiles with an empty image,
so the time does not include the network.

Then the overview of a 100,000-edge network (``bench_scaling``'s grid; issue 16: at most 10 MB,
written in at most 2 s): the page size, the time to draw and write it (wall and CPU, in this
process, which has drawn maps before, so folium is imported) and the time Chromium takes to
draw it (median of 3 loads).
"""

from __future__ import annotations

import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
RUNS = 5


def _local_cdn(route) -> None:
    """Answer CDN requests from the xstatic packages (empty bodies for unused assets)."""
    url = route.request.url
    name = url.split("?")[0].rsplit("/", 1)[-1]
    leaflet = Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR)
    jquery = Path(importlib.import_module("xstatic.pkg.jquery").BASE_DIR)
    if url.startswith(("file:", "data:")):
        route.continue_()
    elif url.endswith(".png"):
        body = (leaflet / "images" / name).read_bytes() if "leaflet@" in url else EMPTY_PNG
        route.fulfill(status=200, content_type="image/png", body=body)
    elif "leaflet@" in url and name in ("leaflet.js", "leaflet.css"):
        ctype = "text/css" if name.endswith(".css") else "application/javascript"
        route.fulfill(status=200, content_type=ctype, body=(leaflet / name).read_bytes())
    elif "jquery" in name:
        body = (jquery / "jquery.min.js").read_bytes()
        route.fulfill(status=200, content_type="application/javascript", body=body)
    else:  # bootstrap, font awesome, awesome markers: unused by the maps
        ctype = "text/css" if name.endswith(".css") else "application/javascript"
        route.fulfill(status=200, content_type=ctype, body=b"")


def _draw_ms(browser, path: Path, *, routed: bool, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        if routed:
            page.route("**/*", _local_cdn)
        page.goto(path.as_uri())
        page.wait_for_function("window.corridormapReady !== undefined", timeout=120000)
        times.append(page.evaluate("window.corridormapReady.t"))
        page.close()
    return statistics.median(times)


#: the edges of the large overview (bench_scaling's grid), and its targets
SCALE_EDGES = 100_000
SCALE_MB, SCALE_S = 10.0, 2.0


def overview_at_scale(browser, tmp: str) -> tuple[float, float, float, float]:
    """The overview of a ``SCALE_EDGES``-edge network: MB, write wall s, CPU s, drawn ms."""
    import bench_scaling

    import corridormap as cm

    d = Path(tmp) / "grid"
    bench_scaling.make(d, SCALE_EDGES)
    G = cm.load_network(d)
    out = Path(tmp) / "overview-100k.html"
    wall, cpu = time.perf_counter(), time.process_time()
    cm.save_map(cm.corridor_map(G, tiles=False), out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return out.stat().st_size / 1e6, wall, cpu, _draw_ms(browser, out, routed=True, runs=3)


def main() -> int:
    from playwright.sync_api import sync_playwright

    import corridormap as cm
    from corridormap import render

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    G = cm.load_network()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for name in render.SCENES:
                default = render.write_scenes(G, tmp, names=[name])[0]
                offline = render.write_scenes(G, tmp, names=[name], self_contained=True)[0]
                rows.append(
                    (
                        name,
                        default.stat().st_size / 1024,
                        offline.stat().st_size / 1024,
                        _draw_ms(browser, default, routed=True),
                        _draw_ms(browser, offline, routed=False),
                    )
                )
            scale = overview_at_scale(browser, tmp)
        finally:
            browser.close()
    print(
        f"{'scene':<18} {'default KB':>10} {'offline KB':>10} "
        f"{'drawn ms (default)':>18} {'drawn ms (offline)':>18}"
    )
    for name, kb, okb, dms, oms in rows:
        print(f"{name:<18} {kb:10.0f} {okb:10.0f} {dms:18.0f} {oms:18.0f}")
    print("targets: default < 500 KB, self-contained < 2048 KB, drawn < 1000 ms (median of 5)")
    mb, wall, cpu, drawn = scale
    print(
        f"overview at {SCALE_EDGES:,} edges: {mb:.1f} MB, written in {wall:.2f} s "
        f"({cpu:.2f} s CPU), drawn by Chromium in {drawn:.0f} ms (median of 3); "
        f"targets: <= {SCALE_MB:.0f} MB, written in <= {SCALE_S:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
