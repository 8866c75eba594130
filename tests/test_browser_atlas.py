"""The atlas, the replays and what a reader sees, in headless Chromium (see test_browser.py).

* every scene, offline, at a desktop's and a phone's size: no more than 2% of the map is the
  basemap's no-data grey, the land is drawn, and at 390 px the legend and the layer control
  start folded;
* the replay scenes: the slider moves (by hand and with the play button) and legs appear;
* the atlas page: every link resolves to a file beside it, and the offline pages it links
  open from file:// with no request;
* a default page whose CDN cannot be reached says so; a page works inside an <iframe>.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from corridormap import render
from corridormap.mapscenes import compute_scene, load_scenes
from corridormap.render.atlas import write_atlas
from test_browser import ARGS, CHROMIUM, SCREENS, Page

pytestmark = pytest.mark.browser

#: the offline basemap's colours: no-data mask, land, sea (render/elements.py)
NO_DATA = (0xE6, 0xE6, 0xE6)
LAND = (0xF4, 0xF1, 0xEA)
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
REPLAYS = [n for n in render.SCENES if n.startswith("replay-")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def atlas_dir(bundled_G, tmp_path_factory):
    """Every scene as a default and an offline page, and the atlas page beside them."""
    out = tmp_path_factory.mktemp("atlas")
    views = [compute_scene(bundled_G, s) for s in load_scenes(bundled_G).values()]
    for v in views:
        from corridormap.render.mapscenes import draw_scene

        m = draw_scene(v, G=bundled_G)
        render.save_map(m, out / f"map-{v.scene.name}.html")
        render.save_map(m, out / f"map-{v.scene.name}-offline.html", self_contained=True)
    write_atlas(out, views, G=bundled_G)
    return out


def _open(browser, url: str, size: tuple[int, int]) -> Page:
    page = Page.__new__(Page)
    page.errors, page.dialogs, page.unexpected = [], [], []
    pg = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.page = pg
    pg.on("pageerror", lambda e: page.errors.append(f"pageerror: {e}"))
    pg.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    pg.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else page.unexpected.append(r.url),
    )
    pg.goto(url)
    pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
    return page


def _share(img: Image.Image, rgb: tuple[int, int, int], tol: int = 3) -> float:
    import numpy as np

    px = np.asarray(img.convert("RGB")).astype(int)
    hit = (np.abs(px - np.array(rgb)) <= tol).all(axis=2)
    return float(hit.mean())


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("scene", list(render.SCENES))
def test_no_data_grey_and_folded_controls(browser, atlas_dir, scene, size):
    page = _open(browser, (atlas_dir / f"map-{scene}-offline.html").as_uri(), SIZES[size])
    try:
        pg = page.page
        shot = pg.screenshot()
        SCREENS.mkdir(parents=True, exist_ok=True)
        (SCREENS / f"{scene}-{size}.png").write_bytes(shot)
        img = Image.open(io.BytesIO(shot))
        assert _share(img, NO_DATA) <= 0.02
        assert _share(img, LAND) >= 0.05  # the basemap is drawn
        folded = pg.evaluate(
            """() => ({
              legend: [...document.querySelectorAll("details.cm-legend")].map(d => d.open),
              layers: [...document.querySelectorAll(".leaflet-control-layers")].map(
                e => e.classList.contains("leaflet-control-layers-expanded")),
            })"""
        )
        # the layer control starts folded at every size (an icon: hover or tap opens it)
        assert folded["layers"] and not any(folded["layers"])
        if size == "phone":
            assert folded["legend"] and not any(folded["legend"])
        else:
            assert all(folded["legend"])
        assert pg.title()  # the page has a title
        page.check_clean()
    finally:
        page.close()


def _replay_state(pg) -> dict:
    return pg.evaluate(
        """() => ({
          paths: document.querySelectorAll("path.cm-replay").length,
          value: +document.querySelector("input.cm-slider").value,
          max: +document.querySelector("input.cm-slider").max,
          date: document.querySelector(".cm-date").textContent,
        })"""
    )


@pytest.mark.parametrize("scene", REPLAYS)
def test_replay_slider_moves_and_legs_appear(browser, atlas_dir, bundled_G, scene):
    view = compute_scene(bundled_G, load_scenes(bundled_G)[scene])
    n_legs = sum(1 for x in view.replay.legs if x.leg.get("kind") == "link")
    page = _open(browser, (atlas_dir / f"map-{scene}-offline.html").as_uri(), (1400, 900))
    try:
        pg = page.page
        end = _replay_state(pg)
        assert end["paths"] == n_legs and end["value"] == end["max"] > 0  # starts complete
        assert end["date"].startswith(view.replay.events[-1].date[:7])
        slider = pg.locator("input.cm-slider")
        slider.evaluate("(el) => { el.value = 0; el.dispatchEvent(new Event('input')); }")
        start = _replay_state(pg)
        assert start["paths"] < n_legs and start["date"].startswith(str(view.replay.start))
        half = end["max"] / 2
        slider.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", half)
        mid = _replay_state(pg)
        assert start["paths"] <= mid["paths"] <= n_legs
        # the play button runs the shipment from the start to the end
        pg.click("button.cm-play")
        pg.wait_for_function(
            "+document.querySelector('input.cm-slider').value < "
            "+document.querySelector('input.cm-slider').max"
        )
        pg.wait_for_function(
            "+document.querySelector('input.cm-slider').value >= "
            "+document.querySelector('input.cm-slider').max",
            timeout=15000,
        )
        assert _replay_state(pg)["paths"] == n_legs
        # a dated event's popup
        pg.evaluate(
            "() => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];"
            " m.eachLayer(l => { if (l.options && l.options.cmKind === 'event' && !window.__e)"
            " { window.__e = 1; l.openPopup(); } }); }"
        )
        assert view.replay.events[0].date in pg.inner_text(".leaflet-popup-content")
        page.check_clean()
    finally:
        page.close()


def test_atlas_links_resolve_offline(browser, atlas_dir):
    index = atlas_dir / "index.html"
    page = Page.__new__(Page)
    pg = browser.new_page()
    unexpected: list[str] = []
    pg.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else unexpected.append(r.url),
    )
    try:
        pg.goto(index.as_uri())
        hrefs = pg.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert len(hrefs) >= 2 * len(render.SCENES)
        for h in hrefs:
            assert "://" not in h and not h.startswith("/"), h  # relative
            assert (atlas_dir / h).is_file(), h
        findings = pg.eval_on_selector_all(".finding", "els => els.map(e => e.textContent)")
        assert len(findings) >= len(render.SCENES) and all(f.strip() for f in findings)
        # follow the first offline link in the page itself
        pg.click("a[href$='-offline.html']")
        pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
        assert pg.url.endswith("-offline.html")
        assert unexpected == []
    finally:
        pg.close()
    del page


def test_default_page_without_cdn_says_so(browser, atlas_dir):
    pg = browser.new_page()
    try:
        pg.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        pg.goto((atlas_dir / "map-overview.html").as_uri())
        pg.wait_for_selector(".cm-noleaflet", timeout=15000)
        assert "offline" in pg.inner_text(".cm-noleaflet")
    finally:
        pg.close()


def test_page_works_in_an_iframe_at_phone_width(browser, atlas_dir, tmp_path):
    host = atlas_dir / "embed-test.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        '<iframe src="map-instc-vs-suez-offline.html" width="390" height="600" '
        'style="border:0"></iframe></body></html>',
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 400, "height": 650})
    try:
        page.goto(host.as_uri())
        frame = page.frames[1]
        frame.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
        assert frame.locator("path.cm-route").count() > 0
        assert frame.evaluate("document.querySelector('details.cm-legend').open") is False
    finally:
        page.close()
        host.unlink()


def test_readme_shows_a_replay_screenshot():
    """The README shows a replay scene's screenshot (docs/img, taken from a replay page)."""
    root = Path(__file__).resolve().parents[1]
    name = "docs/img/replay-russia-saudi-2023.png"
    assert f"]({name})" in (root / "README.md").read_text(encoding="utf-8")
    with Image.open(root / name) as img:
        assert img.size[0] >= 1000


def test_notebook_maps_fit_what_they_show(browser, bundled_G, tmp_path):
    """A map in a notebook (the iframe of ``_repr_html_``, 520 px high) opens on what it
    shows: the utilisation map on the elements carrying volume, no no-data grey beyond the
    antimeridian, a tall legend folded; and one drawn while its frame had no size (an output
    not laid out yet) fits once the frame has one, not staying on the world."""
    import corridormap as cm

    r = cm.route(bundled_G, "Mumbai", "Moscow")
    util = cm.assign(bundled_G, "target-western-15mt").map(tiles=False)
    cases = {
        "overview": (render.corridor_map(bundled_G), ""),
        "utilisation": (util, ""),
        "route, drawn with no size": (render.route_map(r, G=bundled_G), "width:0;height:0"),
        "route": (render.route_map(r, G=bundled_G), ""),
    }
    zooms = {}
    for name, (m, style) in cases.items():
        frame_html = m._repr_html_()
        if style:  # loaded at once, as a frame of no size can be where lazy loading is not
            frame_html = frame_html.replace(' loading="lazy"', "")
        host = tmp_path / "notebook.html"
        host.write_text(
            '<!DOCTYPE html><html><body style="margin:0">'
            f'<div id="out" style="width:900px;overflow:hidden;{style}">{frame_html}</div>'
            "</body></html>",
            encoding="utf-8",
        )
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        try:
            page.goto(host.as_uri())
            frame = page.frames[1]
            frame.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
            if style:  # drawn at no size (no error on the way); the frame gets one later
                page.evaluate("document.getElementById('out').style.cssText = 'width:900px'")
            page.wait_for_timeout(400)
            view = frame.evaluate(
                """() => { const m = window[Object.keys(window).find((n) => n.startsWith("map_"))];
                  const b = m.getBounds();
                  return {zoom: m.getZoom(), w: b.getWest(), e: b.getEast(),
                    legend: [...document.querySelectorAll("details.cm-legend")].map(
                      (d) => d.open)}; }"""
            )
            zooms[name] = view["zoom"]
            shot = Image.open(io.BytesIO(frame.locator(".folium-map").screenshot()))
            assert _share(shot, NO_DATA) <= 0.02, name
            px = 360 / (256 * 2 ** view["zoom"])  # a pixel in degrees: the view's rounding
            assert view["w"] >= -180 - px and view["e"] <= 180 + px, (name, view)
            if name == "overview":
                assert view["legend"] == [False]  # taller than half the frame
            assert errors == [], (name, errors)
        finally:
            page.close()
    assert zooms["utilisation"] >= 3.5 > zooms["overview"]  # the INSTC, not the world
    assert zooms["route"] >= 3
    assert abs(zooms["route, drawn with no size"] - zooms["route"]) <= 0.25, zooms


def _printed(argv: list[str], capsys) -> str:
    from corridormap.cli import main

    assert main(argv) == 0
    return capsys.readouterr().out


def test_route_and_compare_figures_are_on_the_map_popup_and_atlas(browser, atlas_dir, capsys):
    """One number per question: the figures ``route`` and ``compare`` print for Mumbai-Moscow
    are the strings on the scene's legend, in a route's popup and in the atlas's finding."""
    import re

    from test_browser import CLICK_TARGET

    first = _printed(["route", "Mumbai", "Moscow"], capsys).splitlines()[0]
    fastest = re.search(r"\d+\.\d days transit, expected \(P10–P90 [\d.]+–[\d.]+", first).group()
    table = _printed(["compare", "Mumbai", "Moscow"], capsys).splitlines()
    head = next(line.split() for line in table if line.startswith("metric"))
    row = {
        name: next(line for line in table if line.startswith(name)).split()[-len(head) + 1 :]
        for name in ("days, expected (transit)", "days P10", "days P90")
    }
    suez = head.index("suez") - 1
    by_sea = (
        f"{row['days, expected (transit)'][suez]} days transit, expected "
        f"(P10–P90 {row['days P10'][suez]}–{row['days P90'][suez]}"
    )
    assert (
        fastest.split(" days")[0]
        == row["days, expected (transit)"][head.index("instc-western") - 1]
    )
    atlas = browser.new_page()
    try:
        atlas.goto((atlas_dir / "index.html").as_uri())
        finding = atlas.locator("li", has=atlas.locator("a[href='map-instc-vs-suez.html']"))
        text = finding.locator(".finding").inner_text()
        assert f"INSTC, fastest: {fastest}" in text and f"By sea via Suez: {by_sea}" in text
    finally:
        atlas.close()
    page = _open(browser, (atlas_dir / "map-instc-vs-suez-offline.html").as_uri(), (1400, 900))
    try:
        pg = page.page
        boxes = pg.eval_on_selector_all(".cm-box", "els => els.map(e => e.textContent)")
        legend = " ".join(" ".join(boxes).split())
        assert f"INSTC, fastest{fastest}" in legend and f"By sea via Suez{by_sea}" in legend
        name = pg.evaluate("Object.keys(window).find(k => k.startsWith('map_'))")
        target = pg.evaluate(CLICK_TARGET, name)
        assert target is not None
        pg.mouse.click(target["x"], target["y"])
        popup = pg.locator(".leaflet-popup-content")
        popup.wait_for(timeout=5000)
        said = " ".join(popup.inner_text().split())
        assert fastest in said or by_sea in said
        page.check_clean()
    finally:
        pg.close()
