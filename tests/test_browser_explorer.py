"""The corridor explorer in a real browser: Debian's headless Chromium driven by Playwright.

Every page is opened from file:// with no routing; any request outside the explorer's folder
(or, for the self-contained page, any request but the page itself and data: URIs) fails the
test. Choices are made through the page's own controls (typing into the place fields,
the scenario list, the clock radios, the table's profile radios), by mouse and by keyboard.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from corridormap.render.explorer import format_value, write_explorer
from test_render_explorer import HOSTILE, hostile_data, small_data

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
NAMES = {"NSA": "Nhava Sheva", "MAA": "Chennai", "MOW": "Moscow", "LED": "St Petersburg"}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The small dataset written as a folder and as one self-contained page."""
    root = tmp_path_factory.mktemp("explorer")
    data = small_data()
    return {
        "folder": write_explorer(data, root / "folder"),
        "single": write_explorer(data, root / "single", self_contained=True),
        "data": data,
    }


class Explorer:
    """An explorer page with every error, dialog and request outside its folder recorded."""

    def __init__(self, browser, index: Path, *, hash_: str = "", viewport=(1280, 800)) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.folder = index.parent.as_uri() + "/"
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        pg = self.page
        pg.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        pg.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        pg.on("dialog", self._dialog)
        pg.on("request", self._request)
        t = time.perf_counter()
        pg.goto(index.as_uri() + hash_)
        self.ready()
        self.wall_ms = (time.perf_counter() - t) * 1000

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.folder) or url.startswith("data:")):
            self.outside.append(url)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def ready(self) -> None:
        self.page.wait_for_function("window.corridormapReady === true", timeout=20000)

    @property
    def app(self) -> dict:
        return self.page.evaluate(
            "(() => { const x = window.corridormapExplorer; return {state: x.state,"
            " draws: x.drawCount, ms: x.lastDrawMs, timings: x.timings}; })()"
        )

    def changed(self, action) -> float:
        """Run ``action`` (a control change) and wait for the redraw; its time in ms."""
        n = self.app["draws"]
        action()
        self.page.wait_for_function(f"window.corridormapExplorer.drawCount > {n}", timeout=10000)
        return self.app["ms"]

    def type_place(self, which: str, text: str, expect: str | None = None) -> float:
        """Type into a place field and press Enter (no redraw if it names ``expect``, shown)."""

        def act() -> None:
            self.page.fill(f"#cx-{which}", text)
            self.page.press(f"#cx-{which}", "Enter")

        if expect is not None and self.app["state"][which] == expect:
            act()
            return 0.0
        return self.changed(act)

    def scenario(self, name: str) -> float:
        if self.page.input_value("#cx-scenario") == name:
            return 0.0
        return self.changed(lambda: self.page.select_option("#cx-scenario", name))

    def clock(self, index: int) -> float:
        if self.page.is_checked(f"#cx-clock-{index}"):
            return 0.0
        return self.changed(lambda: self.page.check(f"#cx-clock-{index}"))

    def cells(self, field: str) -> dict[str, str]:
        """``{family: text}`` of one table column (``days-p50``, ``usd-p50`` ...)."""
        return self.page.evaluate(
            """(field) => Object.fromEntries(Array.from(
                 document.querySelectorAll('#cx-tbody tr[data-family]')).map((tr) => {
                   const td = tr.querySelector('td[data-field="' + field + '"]');
                   return [tr.dataset.family, td ? td.textContent : null];
                 }))""",
            field,
        )

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def check_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        assert self.dialogs == [], self.dialogs

    def close(self) -> None:
        self.page.close()


def expected(data: dict, o: str, d: str, s: str, clock: str, field: str) -> dict[str, str | None]:
    """What the table must print for each family (``None``: no route)."""
    fams = data["results"][o][d][s]["families"]
    quantity, p = field.split("-")
    i = {"expected": 0, "p10": 1, "p50": 2, "p90": 3}[p]
    return {
        f["name"]: format_value(quantity, fams[f["name"]][clock][quantity][i])
        if f["name"] in fams
        else None
        for f in data["families"]
    }


@pytest.mark.parametrize("variant", ["folder", "single"])
def test_pairs_scenarios_and_clocks_through_the_controls(browser, sites, variant, record_property):
    data = sites["data"]
    page = Explorer(browser, sites[variant])
    try:
        timings = page.app["timings"]
        record_property("interactive_ms", timings["interactiveMs"])
        switches = []
        # three pairs, typed as a reader would: a name, an alias, an id, any case
        for o_text, d_text, o, d in [
            ("Chennai", "moskva", "MAA", "MOW"),
            ("JNPT", "St Petersburg", "NSA", "LED"),
            ("madras", "LED", "MAA", "LED"),
        ]:
            switches.append(page.type_place("from", o_text, o))
            switches.append(page.type_place("to", d_text, d))
            assert page.app["state"]["from"] == o and page.app["state"]["to"] == d
            assert page.page.input_value("#cx-from") == NAMES[o]  # shown by its name
            for s in ("baseline", "red-sea-closed"):
                switches.append(page.scenario(s))
                for k, clock in enumerate(("transit", "door-to-door")):
                    switches.append(page.clock(k))
                    for field in (
                        "days-expected",
                        "days-p50",
                        "usd-expected",
                        "usd-p50",
                        "days-p10",
                        "days-p90",
                    ):
                        want = expected(data, o, d, s, clock, field)
                        got = page.cells(field)
                        for fam, text in want.items():
                            if text is None:
                                assert got[fam] is None
                                row = page.page.locator(f'#cx-tbody tr[data-family="{fam}"]')
                                assert "no route" in row.inner_text()
                            else:
                                assert got[fam] == text, (o, d, s, clock, field, fam)
                    best = data["results"][o][d][s]["best"][clock]
                    badge = page.page.locator(f'#cx-tbody tr[data-family="{best}"] .cx-badge')
                    assert badge.inner_text() == "★ fastest"
        record_property("switch_ms_max", max(switches))
        print(
            f"\n{variant}: interactive {timings['interactiveMs']:.0f} ms after navigation "
            f"({page.wall_ms:.0f} ms wall); redraw median "
            f"{sorted(switches)[len(switches) // 2]:.1f} ms, max {max(switches):.1f} ms"
        )
        assert timings["interactiveMs"] < 10_000  # generous: a loaded machine
        assert max(switches) < 2_000
        page.check_clean()
    finally:
        page.close()


def test_columns_finding_and_probabilities(browser, sites):
    data = sites["data"]
    page = Explorer(browser, sites["folder"], hash_="#from=NSA&to=MOW&scenario=baseline")
    try:
        cell = data["results"]["NSA"]["MOW"]["baseline"]
        suez = cell["families"]["suez"]
        assert page.cells("usd-p90")["suez"] == format_value("usd", suez["transit"]["usd"][3])
        assert page.cells("co2")["suez"] == format_value("co2_kg", suez["transit"]["co2_kg"])
        assert page.cells("borders")["suez"] == "2"
        assert page.cells("transshipments")["suez"] == "3"
        assert page.cells("wait")["suez"] == format_value(
            "days", suez["transit"]["schedule_wait_days"]
        )
        assert page.cells("p-instc-faster") == {"instc-western": "", "suez": "71%", "cape": None}
        finding = page.text("#cx-finding")
        assert finding.startswith(
            "From Nhava Sheva to Moscow the best INSTC branch is faster than the Suez Canal "
            "route in 71% of draws."
        )
        assert (
            "Fastest by expected days (transit): INSTC western, 20.6 days expected "
            "(P10–P90 17.4–24.2)." in finding
        )
        page.clock(1)
        assert "in 80% of draws" in page.text("#cx-finding")
        assert page.cells("p-instc-faster")["suez"] == "80%"
        # where the sea route wins, the finding says so from its side
        page.type_place("to", "LED")
        assert page.page.locator('#cx-tbody tr[data-family="suez"] .cx-badge').count() == 1
        page.scenario("red-sea-closed")
        assert page.cells("days-p50")["suez"] is None
        assert "no INSTC branch" not in page.text("#cx-finding")
        page.check_clean()
    finally:
        page.close()


def test_the_url_holds_the_view_and_reload_reproduces_it(browser, sites):
    page = Explorer(browser, sites["folder"])
    try:
        page.type_place("from", "Chennai")
        page.type_place("to", "St Petersburg")
        page.scenario("red-sea-closed")
        page.clock(1)
        state = page.app["state"]
        cells = page.cells("days-p50")
        url = page.page.url
        assert url.endswith(
            "#from=MAA&to=LED&scenario=red-sea-closed&clock=door-to-door&family=instc-western"
        )
        page.page.reload()
        page.ready()
        assert page.app["state"] == state
        assert page.cells("days-p50") == cells
        assert page.page.input_value("#cx-from") == "Chennai"
        assert page.page.input_value("#cx-scenario") == "red-sea-closed"
        assert page.page.is_checked("#cx-clock-1")
        # a link opened fresh, and a changed hash applied in place
        other = Explorer(browser, sites["folder"], hash_=url[url.index("#") :])
        assert other.app["state"] == state
        other.close()
        page.changed(lambda: page.page.evaluate("location.hash = '#from=NSA&to=MOW&clock=transit'"))
        assert page.app["state"]["from"] == "NSA" and page.app["state"]["clock"] == "transit"
        assert page.page.input_value("#cx-to") == "Moscow"
        page.check_clean()
    finally:
        page.close()


def test_unknown_names_in_the_url_or_the_fields_fall_back(browser, sites):
    page = Explorer(browser, sites["folder"], hash_="#from=XXX&to=%3Cb%3E&scenario=nope&clock=x")
    try:
        state = page.app["state"]
        assert (state["from"], state["to"], state["scenario"], state["clock"]) == (
            "NSA",
            "MOW",
            "baseline",
            "transit",
        )
        page.page.fill("#cx-from", "Atlantis")
        page.page.press("#cx-from", "Enter")
        assert page.text("#cx-from-note") == "No origin “Atlantis” here"
        assert page.app["state"]["from"] == "NSA"
        page.page.fill("#cx-to", "Moscow")  # a destination is resolved among the origin's
        page.page.press("#cx-to", "Enter")
        page.page.fill("#cx-from", "constructor")  # no prototype behind the lookups
        page.page.press("#cx-from", "Enter")
        assert page.text("#cx-from-note") == "No origin “constructor” here"
        page.check_clean()
    finally:
        page.close()
    hash_ = "#from=constructor&to=__proto__&scenario=toString&clock=hasOwnProperty&family=valueOf"
    page = Explorer(browser, sites["folder"], hash_=hash_)
    try:
        state = page.app["state"]
        assert (state["from"], state["to"], state["scenario"], state["clock"]) == (
            "NSA",
            "MOW",
            "baseline",
            "transit",
        )
        assert state["family"] == "instc-western"
        page.check_clean()
    finally:
        page.close()


def test_names_win_over_aliases_and_a_shared_alias_asks(browser, tmp_path):
    data = small_data()
    places = {p["id"]: p for p in data["places"]}
    places["LED"]["aliases"] += ["Moscow", "Russia"]  # another place's name, and shared
    places["MOW"]["aliases"] += ["Russia"]
    page = Explorer(browser, write_explorer(data, tmp_path), hash_="#from=NSA&to=LED")
    try:
        page.type_place("to", "moscow", "MOW")
        assert page.app["state"]["to"] == "MOW"  # the name, not LED's alias
        page.type_place("to", "Leningrad", "LED")
        page.page.fill("#cx-to", "Russia")
        page.page.press("#cx-to", "Enter")
        assert page.text("#cx-to-note").startswith("“Russia” names ")
        assert "Moscow [MOW]" in page.text("#cx-to-note")
        assert page.app["state"]["to"] == "LED"
        page.type_place("to", "Moscow [MOW]", "MOW")  # as the note and the list write it
        assert page.text("#cx-to-note") == ""
        page.check_clean()
    finally:
        page.close()


def test_profile_family_choice_and_steps(browser, sites):
    data = sites["data"]
    page = Explorer(browser, sites["folder"], hash_="#from=NSA&to=LED&scenario=baseline")
    try:
        assert page.app["state"]["family"] == "suez"  # the fastest by default
        page.changed(lambda: page.page.check('#cx-tbody input[value="instc-western"]'))
        assert page.page.url.endswith("&family=instc-western")
        assert page.text("#cx-profile-title") == "Time–distance profile: INSTC western"
        steps = data["routes"]["NSA-LED-instc"]["steps"]
        svg = page.page.locator("#cx-profile svg")
        assert svg.locator("line.cx-step").count() == len(steps)
        labels = svg.locator("text.cx-step-label").all_text_contents()
        stops = [s[5] for s in steps if s[3] != "move" and s[2] >= 12]
        assert labels and set(labels) <= set(stops)
        titles = svg.locator("line.cx-step title").all_text_contents()
        assert titles[0].startswith(steps[0][5])
        inside = page.page.evaluate(
            """() => { const svg = document.querySelector('#cx-profile svg')
                 .getBoundingClientRect();
               return Array.from(document.querySelectorAll('#cx-profile text')).every((t) => {
                 const b = t.getBoundingClientRect();
                 return b.left >= svg.left - 1 && b.right <= svg.right + 1; }); }"""
        )
        assert inside  # labels shortened to the room beside their stop
        legend = page.text("#cx-profile .cx-profile-legend")
        assert "Rail" in legend and "Sea (container lines)" in legend and "stop:" in legend
        # door to door: the wait for the first sailing comes first (the Suez record waits)
        page.changed(lambda: page.page.check('#cx-tbody input[value="suez"]'))
        page.clock(1)
        first = svg.locator("line.cx-step").first
        assert "wait for the first departure 2.4 d" in first.locator("title").text_content()
        assert "Via Nhava Sheva – Suez – Novorossiysk – Moscow – St Petersburg." in page.text(
            "#cx-profile-note"
        )
        page.check_clean()
    finally:
        page.close()


def test_legs_on_hover_and_the_fastest_marked_on_the_map(browser, sites):
    page = Explorer(browser, sites["folder"], hash_="#from=NSA&to=MOW")
    try:
        pg = page.page
        legend = page.text("#cx-legend")
        assert "INSTC western ★ fastest" in legend and "Suez Canal" in legend
        tips = pg.evaluate(
            """() => { const out = [];
                 window.corridormapExplorer.map.eachLayer((l) => {
                   if (l.getTooltip && l.getTooltip() && !l.getTooltip().options.permanent) {
                     l.openTooltip(l.getLatLngs()[1]);
                     out.push(l.getTooltip().getElement().innerText);
                   }
                 });
                 return out; }"""
        )
        assert any("Bandar Abbas – Moscow" in t and "Rail · INSTC western" in t for t in tips)
        assert any(
            "Nhava Sheva – Suez" in t and "Sea (container lines) · Suez Canal" in t for t in tips
        )
        pg.reload()  # no tooltip open
        page.ready()
        # the mouse over a drawn route line (a vertex of the Bandar Abbas - Moscow rail link)
        x, y = pg.evaluate(
            """() => { const m = window.corridormapExplorer.map, r = m.getContainer()
                 .getBoundingClientRect(); let pt = null;
               m.eachLayer((l) => { if (!pt && l.options.className &&
                   l.options.className.includes('cx-route') && l.getLatLngs().length === 3 &&
                   Math.abs(l.getLatLngs()[1].lat - 40) < 1e-9 &&
                   Math.abs(l.getLatLngs()[1].lng - 49) < 1e-9) {
                 const p = m.latLngToContainerPoint(l.getLatLngs()[1]);
                 pt = [r.left + p.x, r.top + p.y]; } });
               return pt; }"""
        )
        pg.mouse.move(x, y)
        tip = pg.locator(".leaflet-tooltip .cx-tip")
        tip.wait_for(timeout=5000)
        assert "Bandar Abbas – Moscow" in tip.inner_text()
        page.check_clean()
    finally:
        page.close()


def test_keyboard_alone(browser, sites):
    page = Explorer(browser, sites["folder"])
    try:
        pg = page.page
        pg.focus("#cx-from")
        pg.keyboard.press("Control+A")
        n = page.app["draws"]
        pg.keyboard.type("Chennai")
        pg.keyboard.press("Enter")
        pg.wait_for_function(f"window.corridormapExplorer.drawCount > {n}")
        pg.keyboard.press("Tab")  # the destination
        assert pg.evaluate("document.activeElement.id") == "cx-to"
        pg.keyboard.press("Tab")  # the scenario list
        assert pg.evaluate("document.activeElement.id") == "cx-scenario"
        page.changed(lambda: pg.keyboard.press("ArrowDown"))
        assert page.app["state"]["scenario"] == "red-sea-closed"
        pg.keyboard.press("Tab")  # the clock radios
        assert pg.evaluate("document.activeElement.name") == "cx-clock"
        page.changed(lambda: pg.keyboard.press("ArrowRight"))
        assert page.app["state"]["clock"] == "door-to-door"
        assert page.app["state"]["from"] == "MAA"
        page.check_clean()
    finally:
        page.close()


def test_hostile_text_stays_inert(browser, tmp_path):
    data = hostile_data()
    for self_contained in (False, True):
        index = write_explorer(data, tmp_path / str(self_contained), self_contained=self_contained)
        # the hostile origin, the scenario with the hostile title and sources
        page = Explorer(browser, index, hash_="#from=NSA&to=MOW&scenario=red-sea-closed")
        try:
            pg = page.page
            body = pg.inner_text("body")
            assert HOSTILE["place"] + " title" in body  # the page title, as text
            assert HOSTILE["place"] in page.text("#cx-finding")
            assert pg.input_value("#cx-from") == HOSTILE["place"]
            assert HOSTILE["scenario"] in pg.inner_text("#cx-scenario-title")
            assert HOSTILE["label"] in pg.inner_text("#cx-scenario-description")
            assert HOSTILE["source"].strip() in pg.inner_text("#cx-sources").replace("\n", "")
            assert HOSTILE["alias"] == pg.inner_text("#cx-credit")
            options = pg.eval_on_selector_all("#cx-from-list option", "os => os.map(o => o.value)")
            assert HOSTILE["alias"] in options
            # the hostile alias is typed and resolved like any other
            page.type_place("from", "Chennai", "MAA")
            page.type_place("from", HOSTILE["alias"], "NSA")
            assert page.app["state"]["from"] == "NSA"
            assert pg.input_value("#cx-from") == HOSTILE["place"]
            # tooltips of the links and the profile's step titles
            page.scenario("baseline")
            tips = pg.evaluate(
                """() => { const out = [];
                     window.corridormapExplorer.map.eachLayer((l) => {
                       if (l.getTooltip && l.getTooltip()) {
                         l.openTooltip(l.getLatLngs ? l.getLatLngs()[0] : l.getLatLng());
                         out.push(l.getTooltip().getElement().innerText);
                       }
                     });
                     return out.join('\\n'); }"""
            )
            assert HOSTILE["scenario"] in tips
            assert HOSTILE["label"] in pg.inner_text("#cx-tbody")
            assert page.app["state"]["family"] == "instc-western"  # the fastest: profiled
            titles = pg.locator("#cx-profile line.cx-step title").all_text_contents()
            assert any(t.startswith(HOSTILE["place"]) for t in titles)
            injected = pg.evaluate(
                "document.querySelectorAll('img, iframe, b, [onerror], [onload], [onclick], "
                "[onmouseover], body svg:not(.cx-profile-svg):not(.leaflet-zoom-animated)').length"
            )
            assert injected == 0
            assert pg.evaluate("document.title") == HOSTILE["place"] + " title"
            pg.mouse.move(300, 500)
            pg.mouse.click(300, 500)
            page.check_clean()
        finally:
            page.close()


def test_phone_width_puts_the_map_above_the_table(browser, sites):
    for variant in ("folder", "single"):
        page = Explorer(browser, sites[variant], viewport=(390, 844), hash_="#from=NSA&to=LED")
        try:
            pg = page.page
            box = {
                k: pg.locator(sel).bounding_box()
                for k, sel in (("map", "#cx-map"), ("table", "#cx-tablebox"), ("from", "#cx-from"))
            }
            assert box["map"]["y"] + box["map"]["height"] <= box["table"]["y"]
            assert box["map"]["width"] <= 390 and box["map"]["width"] > 300
            assert box["from"]["width"] > 300  # the fields take the whole width
            overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0  # the wide table scrolls inside its own box
            assert pg.evaluate(
                "document.getElementById('cx-tablebox').scrollWidth >"
                " document.getElementById('cx-tablebox').clientWidth"
            )
            assert pg.locator("#cx-profile svg").bounding_box()["width"] <= 390
            page.type_place("to", "Moscow")
            page.check_clean()
        finally:
            page.close()


def test_in_an_iframe(browser, sites):
    host = sites["folder"].parent / "host.html"
    host.write_text(
        '<!DOCTYPE html><title>host</title><iframe id="f" width="700" height="600" '
        'src="index.html#from=MAA&amp;to=LED&amp;scenario=red-sea-closed"></iframe>',
        encoding="utf-8",
    )
    page = Explorer.__new__(Explorer)
    page.errors, page.dialogs, page.outside = [], [], []
    page.folder = sites["folder"].parent.as_uri() + "/"
    page.page = browser.new_page()
    pg = page.page
    pg.on("pageerror", lambda e: page.errors.append(str(e)))
    pg.on("request", page._request)
    try:
        pg.goto(host.as_uri())
        frame = pg.frame_locator("#f")
        inner = pg.frames[1]
        inner.wait_for_function("window.corridormapReady === true", timeout=20000)
        data = sites["data"]
        want = format_value(
            "days",
            data["results"]["MAA"]["LED"]["red-sea-closed"]["families"]["instc-western"]["transit"][
                "days"
            ][2],
        )
        cell = frame.locator('#cx-tbody tr[data-family="instc-western"] td[data-field="days-p50"]')
        assert cell.inner_text() == want
        # the clock radio inside the frame
        n = inner.evaluate("window.corridormapExplorer.drawCount")
        frame.locator("#cx-clock-1").check()
        inner.wait_for_function(f"window.corridormapExplorer.drawCount > {n}")
        assert "clock=door-to-door" in inner.evaluate("location.hash")
        assert page.errors == [] and page.outside == []
    finally:
        pg.close()


def test_a_missing_origin_file_is_reported(browser, tmp_path):
    index = write_explorer(small_data(), tmp_path)
    (tmp_path / "data" / "origin-001.js").unlink()
    page = Explorer(browser, index)
    try:
        page.page.fill("#cx-from", "Chennai")
        page.page.press("#cx-from", "Enter")
        page.page.wait_for_function(
            "document.getElementById('cx-finding').textContent.startsWith('Could not load')"
        )
        assert "data/origin-001.js" in page.text("#cx-finding")
        assert page.app["state"]["from"] == "NSA"  # the view stays as it was
    finally:
        page.close()
