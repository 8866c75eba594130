"""The maps in a real browser: Debian's headless Chromium driven by Playwright.

Self-contained pages are opened from file:// with no routing at all (any network request
fails the test); default pages have their CDN requests answered from local files through
Playwright's request routing. If Chromium cannot start, these tests fail: they never skip.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import corridormap as cm
from conftest import node, tiny, write_geodata
from corridormap import render
from corridormap.mapscenes import load_scenes

pytestmark = pytest.mark.browser

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
SCREENS = Path(__file__).resolve().parents[1] / "out" / "screens"
XSS = "<img src=x onerror=alert(1)>"
#: a 1x1 transparent PNG: the answer to every tile request
EMPTY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _xstatic(package: str) -> Path:
    return Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR)


def cdn_handler(unexpected: list[str]):
    """Answer a default page's requests from local files (see the module docstring)."""
    leaflet, jquery = _xstatic("leaflet"), _xstatic("jquery")

    def handle(route) -> None:
        url = route.request.url
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if url.startswith(("file:", "data:")):
            route.continue_()
        elif "basemaps.cartocdn.com" in url or "tile" in url:
            route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG)
        elif "leaflet@" in url and name in ("leaflet.js", "leaflet.css"):
            ctype = "text/css" if name.endswith(".css") else "application/javascript"
            route.fulfill(status=200, content_type=ctype, body=(leaflet / name).read_bytes())
        elif "leaflet@" in url and "/images/" in url:
            route.fulfill(
                status=200, content_type="image/png", body=(leaflet / "images" / name).read_bytes()
            )
        elif "jquery" in name and name.endswith(".js"):
            body = (jquery / "jquery.min.js").read_bytes()
            route.fulfill(status=200, content_type="application/javascript", body=body)
        else:
            unexpected.append(url)
            route.abort()

    return handle


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page opened in Chromium, with every error and failed request recorded."""

    def __init__(self, browser, url: str, *, cdn: bool) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.unexpected: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        pg = self.page
        pg.on(
            "console",
            lambda m: (
                self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        pg.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        pg.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        pg.on("dialog", self._dialog)
        if cdn:
            pg.route("**/*", cdn_handler(self.unexpected))
        else:
            pg.on(
                "request",
                lambda r: (
                    None if r.url.startswith(("file:", "data:")) else self.unexpected.append(r.url)
                ),
            )
        pg.goto(url)
        pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def layers(self, map_name: str) -> dict:
        return self.page.evaluate(
            """(name) => {
                const m = window[name], out = {links: new Set(), route: 0, node: 0, paths: 0};
                m.eachLayer((l) => {
                  const k = l.options && l.options.cmKind;
                  if (k === "link") out.links.add(l.options.cmId);
                  if (k === "route") out.route += 1;
                  if (k === "node") out.node += 1;
                });
                out.links = out.links.size;
                out.paths = document.querySelectorAll("path.cm-route").length;
                return out;
            }""",
            map_name,
        )

    def check_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.unexpected == [], self.unexpected
        assert self.dialogs == [], self.dialogs

    def close(self) -> None:
        self.page.close()


def link_count(G) -> int:
    return len({d["link_id"] for *_, d in G.edges(data=True) if d.get("kind") == "link"})


def route_leg_count(m) -> int:
    return sum(
        1
        for f in m._children.values()
        if f._name == "CorridormapFeatures"
        for i in f.items
        if i["kind"] == "route"
    )


@pytest.fixture(scope="module")
def scene_pages(bundled_G, tmp_path_factory):
    """Every scene as a default and a self-contained page, with its map's variable name."""
    out = tmp_path_factory.mktemp("scenes")
    pages = {}
    for name in render.SCENES:
        m = render.scene_map(bundled_G, name)
        pages[name] = {
            "map": m.get_name(),
            "legs": route_leg_count(m),
            "default": render.save_map(m, out / f"map-{name}.html"),
            "offline": render.save_map(m, out / f"map-{name}-offline.html", self_contained=True),
        }
    return pages


@pytest.mark.parametrize("variant", ["offline", "default"])
@pytest.mark.parametrize("scene", list(render.SCENES))
def test_scene_page(browser, bundled_G, scene_pages, scene, variant):
    info = scene_pages[scene]
    page = Page(browser, info[variant].as_uri(), cdn=variant == "default")
    try:
        got = page.layers(info["map"])
        assert got["links"] == link_count(bundled_G)  # every link drawn (faintly under routes)
        assert got["route"] == info["legs"]
        assert got["paths"] == info["legs"]  # and in the page as SVG paths
        if scene == "overview":
            assert got["node"] == len(cm.places(bundled_G))
        elif load_scenes(bundled_G)[scene].replay:  # a shipment replay: its legs, not routes
            assert page.page.locator("path.cm-replay").count() > 0
        else:
            assert got["route"] > 0
        # the legend, the scale bar and the attribution are on the page
        pg = page.page
        assert pg.locator(".leaflet-control-scale").count() == 1
        assert "GeoNames" in pg.inner_text(".leaflet-control-attribution")
        assert pg.locator(".cm-box h4").count() >= 1
        if variant == "offline":
            SCREENS.mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(SCREENS / f"{scene}.png"))
        page.check_clean()
    finally:
        page.close()


def test_toggling_a_layer_hides_its_paths(browser, scene_pages):
    info = scene_pages["instc-vs-suez"]
    page = Page(browser, info["offline"].as_uri(), cdn=False)
    try:
        pg = page.page
        before = pg.locator("path.cm-route").count()
        # the layer control starts folded: a reader hovers (or taps) its icon to open it
        assert pg.locator(".leaflet-control-layers-expanded").count() == 0
        pg.hover(".leaflet-control-layers")
        label = pg.locator(".leaflet-control-layers-overlays label", has_text="via Suez")
        box = label.locator("input")
        assert box.is_checked()
        box.click()
        assert not box.is_checked()
        after = pg.locator("path.cm-route").count()
        suez_legs = pg.evaluate(
            """(name) => { let n = 0; window[name].eachLayer((l) => {
                 if (l.options && l.options.cmKind === "route" &&
                     String(l.options.cmId).startsWith("1:")) n += 1; }); return n; }""",
            info["map"],
        )
        assert suez_legs == 0 and 0 < after < before
        box.click()
        assert pg.locator("path.cm-route").count() == before
        page.check_clean()
    finally:
        page.close()


@pytest.mark.parametrize(
    ("scene", "corner"),
    [
        ("overview", "leaflet-top leaflet-right"),
        ("rasht-astara-gap", "leaflet-bottom leaflet-left"),
    ],
)
def test_title_box_moves_off_the_drawn_lines(browser, scene_pages, scene, corner):
    # at 1280 x 800 these maps' lines and places lie under the top left, less so elsewhere
    for variant in ("offline", "default"):
        page = Page(browser, scene_pages[scene][variant].as_uri(), cdn=variant == "default")
        try:
            got = page.page.evaluate(
                "() => document.querySelector('.cm-title').parentElement.className"
            )
            assert got == corner, variant
            page.check_clean()
        finally:
            page.close()


CLICK_TARGET = """(name) => {
  // a point on a route leg where that leg is the topmost element, in page coordinates
  const m = window[name], box = m.getContainer().getBoundingClientRect();
  let found = null;
  m.eachLayer((l) => {
    if (found || !l.options || l.options.cmKind !== "route") return;
    const pts = l.getLatLngs();
    for (let i = 0; i < pts.length && !found; i++) {
      const p = m.latLngToContainerPoint(pts[i]);
      const x = box.left + p.x, y = box.top + p.y;
      if (x < 400 || x > box.right - 400 || y < 150 || y > box.bottom - 150) continue;
      if (document.elementFromPoint(x, y) === l._path) found = {x: x, y: y};
    }
  });
  return found;
}"""


def test_popup_opens_on_click_with_the_leg_table(browser, scene_pages):
    for variant in ("offline", "default"):
        info = scene_pages["shipment-2023"]
        page = Page(browser, info[variant].as_uri(), cdn=variant == "default")
        try:
            pg = page.page
            target = pg.evaluate(CLICK_TARGET, info["map"])
            assert target is not None
            pg.mouse.click(target["x"], target["y"])
            popup = pg.locator(".leaflet-popup-content")
            popup.wait_for(timeout=5000)
            text = popup.inner_text()
            for field in ("Mode", "Distance", "Hours", "Cost", "Status", "Source"):
                assert field in text
            assert popup.locator("table.cm-table").count() == 1
            assert "days" in text  # the route summary
            page.check_clean()
        finally:
            page.close()


#: hostile strings, each put in a different field that reaches the page
HOSTILE = {
    "city name": XSS,
    "port name": "Zulu <script>alert('s')</script>",
    "link source": '" onmouseover="alert(4)" x="',
    "notes": "' onclick='alert(5)' </script><script>alert(3)</script> `${alert(2)}`",
    "branch": "javascript:alert(6)",
    "alias": "</div><svg onload=alert(7)>",
    "route name": "<iframe src=javascript:alert(8)>",
    "overlay label": "<b onmouseover=alert(9)>bold</b>",
    # text that Jinja would read as template source: it must show exactly as written
    "template name": "Tehran {{ 7*7 }} {# not a comment",
    "template notes": "{% if x %} #} {%- raw %} {{ 6*7 }}",
    "template route": "Route {{ 7*7 }} {%",
    "template label": "capacity ({{ 7*7 }})",
}
#: a quote-free payload that runs a shell command if any text is parsed as Jinja (the command
#: itself comes from an environment variable, so HTML escaping does not break it)
PAYLOAD = (
    "{{ cycler.__init__.__globals__.os.system("
    "cycler.__init__.__globals__.os.environ.CM_BROWSER_PAYLOAD) }}"
)


def test_xss_payload_shows_as_text_and_runs_nothing(browser, tmp_path, monkeypatch):
    marker = tmp_path / "MARKER"
    monkeypatch.setenv("CM_BROWSER_PAYLOAD", f"touch {marker}")
    data = tiny()
    for f in data["nodes"]:
        if f["properties"]["id"] == "A":  # a city: its name is a permanent label
            f["properties"]["name"] = HOSTILE["city name"]
            f["properties"]["notes"] = HOSTILE["notes"]
            f["properties"]["aliases"] = [HOSTILE["alias"]]
        if f["properties"]["id"] == "X":  # the chokepoint: labelled too
            f["properties"]["name"] = HOSTILE["template name"]
            f["properties"]["notes"] = PAYLOAD
    for f in data["links"]:
        f["properties"]["source"] = HOSTILE["link source"]
        f["properties"]["branch"] = [HOSTILE["branch"]]
        f["properties"]["notes"] = HOSTILE["template notes"] + " " + PAYLOAD
    data["nodes"].append(node("Z", 41.0, 49.0, kind="port", name=HOSTILE["port name"], source=XSS))
    G = cm.load_network(write_geodata(tmp_path / "geo", data))
    r = cm.route(G, "B", "D")
    maps = {
        "corridor": render.corridor_map(G),
        "route": render.route_map(
            [r, cm.route(G, "E", "F")],
            G=G,
            names=[HOSTILE["route name"], HOSTILE["template route"]],
        ),
        "color": render.color_links(
            G, {"A-B": 1.0}, label=HOSTILE["overlay label"], highlight=["A-B"]
        ),
        "template": render.color_links(G, {"A-B": 1.0}, label=HOSTILE["template label"]),
    }
    expected = {
        "corridor": [
            "city name",
            "port name",
            "link source",
            "branch",
            "template name",
            "template notes",
        ],
        "route": ["route name", "link source", "template route", "template name"],
        "color": ["overlay label", "template notes"],
        "template": ["template label"],
    }
    for key, m in maps.items():
        for sc in (True, False):
            path = render.save_map(m, tmp_path / f"{key}-{sc}.html", self_contained=sc)
            page = Page(browser, path.as_uri(), cdn=not sc)
            try:
                pg = page.page
                # open every tooltip and popup so their HTML is parsed
                popups = pg.evaluate(
                    """(name) => { const texts = [];
                       window[name].eachLayer((l) => {
                         if (l.getTooltip && l.getTooltip()) l.openTooltip();
                         if (l.getPopup && l.getPopup()) {
                           l.openPopup();
                           const el = document.querySelector('.leaflet-popup-content');
                           if (el) texts.push(el.innerText);
                         }
                       });
                       return texts.join('\\n'); }""",
                    m.get_name(),
                )
                pg.wait_for_timeout(100)
                body = pg.inner_text("body") + "\n" + popups
                for field in expected[key]:
                    assert HOSTILE[field] in body, (key, field)
                if "template notes" in expected[key]:  # the popups with link notes
                    assert PAYLOAD in body
                assert not [t for t in ("Tehran 49", "Route 49", "(49)", " 42") if t in body]
                injected = pg.evaluate(
                    'document.querySelectorAll(\'img[src="x"], svg[onload], iframe, '
                    "b[onmouseover], [onmouseover], [onclick]').length"
                )
                assert injected == 0
                # hover and click what the payloads would hijack
                pg.mouse.move(640, 400)
                pg.mouse.click(640, 400)
                if key == "corridor":
                    pg.hover(".leaflet-control-layers")  # folded until hovered
                    assert HOSTILE["branch"] in pg.inner_text(".leaflet-control-layers")
                    label = pg.locator(".cm-label", has_text=XSS)
                    assert label.count() >= 1
                    label = pg.locator(".cm-label", has_text="Tehran {{ 7*7 }}")
                    assert label.count() >= 1
                page.check_clean()
            finally:
                page.close()
    assert not marker.exists()


#: the labels of the places with these ids, if drawn: visible, in the map, not overlapping
#: another visible label or a control
LABELS_SHOWN = """([name, ids]) => {
  const m = window[name], c = m.getContainer(), box = c.getBoundingClientRect();
  const out = {missing: [], hidden: [], outside: [], overlaps: [], texts: {}};
  const visible = [...c.querySelectorAll(".cm-label")].filter(
    (e) => getComputedStyle(e).visibility !== "hidden");
  const rects = visible.map((e) => e.getBoundingClientRect());
  const controls = [...c.querySelectorAll(".leaflet-control")].map(
    (e) => e.getBoundingClientRect());
  const meet = (a, b) => a.left < b.right && a.right > b.left && a.top < b.bottom &&
    a.bottom > b.top;
  const found = {};
  m.eachLayer((l) => {
    if (l.options && l.options.cmKind === "node" && ids.includes(l.options.cmId)) {
      found[l.options.cmId] = l;
    }
  });
  ids.forEach((id) => {
    const l = found[id], t = l && l.getTooltip && l.getTooltip();
    const el = t && t.getElement && t.getElement();
    if (!el) { out.missing.push(id); return; }
    out.texts[id] = el.textContent;
    if (getComputedStyle(el).visibility === "hidden") { out.hidden.push(id); return; }
    const r = el.getBoundingClientRect();
    if (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom) {
      out.outside.push(id);
    }
    rects.forEach((q, i) => {
      if (visible[i] !== el && meet(r, q)) out.overlaps.push(id + " ~ " + visible[i].textContent);
    });
    controls.forEach((q) => { if (meet(r, q)) out.overlaps.push(id + " ~ a control"); });
  });
  return out;
}"""


def _labels_at(page, info, center, zoom, ids) -> dict:
    pg = page.page
    pg.evaluate(
        "([name, c, z]) => window[name].setView(c, z, {animate: false})",
        [info["map"], center, zoom],
    )
    pg.wait_for_timeout(400)
    return pg.evaluate(LABELS_SHOWN, [info["map"], ids])


def test_overview_names_the_caspian_ports_at_zoom_6_and_astara_at_8(browser, scene_pages):
    """Issue 24: at zoom 6 over the Caspian, its ports and Incheh Borun are named, each label
    visible and clear of every other; at zoom 8 the Astara gauge break is named."""
    info = scene_pages["overview"]
    for variant in ("offline", "default"):
        page = Page(browser, info[variant].as_uri(), cdn=variant == "default")
        try:
            caspian = ["AKT", "TMB", "MCX", "OLY", "AMB", "INB"]
            got = _labels_at(page, info, [41.0, 51.0], 6, caspian)
            assert got["missing"] == [] and got["hidden"] == [], got
            assert got["outside"] == [] and got["overlaps"] == [], got
            for pid, name in zip(
                caspian,
                ["Aktau", "Turkmenbashi", "Makhachkala", "Olya", "Amirabad", "Incheh Borun"],
                strict=True,
            ):
                assert name in got["texts"][pid]
            got = _labels_at(page, info, [38.45, 48.88], 8, ["ASI"])
            assert got["missing"] == [] and got["hidden"] == [], got
            assert got["outside"] == [] and got["overlaps"] == [], got
            assert "Astara (IR)" in got["texts"]["ASI"]
            # its neighbour across the border is named too, on another side of its marker
            got = _labels_at(page, info, [38.45, 48.88], 8, ["ASA"])
            assert got["hidden"] == [] and got["overlaps"] == [], got
            page.check_clean()
        finally:
            page.close()


def test_route_and_replay_pages_name_their_places(browser, scene_pages):
    """A route map names its ends and every place it passes where there is room; a replay
    names its ends."""
    for scene, names in (
        ("instc-vs-suez", ["Nhava Sheva", "Moscow", "Astara (IR)", "Rasht"]),
        ("replay-first-transit-2022", ["St Petersburg", "Nhava Sheva", "Astrakhan"]),
    ):
        info = scene_pages[scene]
        page = Page(browser, info["offline"].as_uri(), cdn=False)
        try:
            shown = page.page.evaluate(
                """() => [...document.querySelectorAll(".cm-label")]
                     .filter((e) => getComputedStyle(e).visibility !== "hidden")
                     .map((e) => e.textContent)"""
            )
            for name in names:
                assert name in shown, (scene, name, shown)
            page.check_clean()
        finally:
            page.close()
