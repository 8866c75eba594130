"""The corridor-through-time page in a real browser (Debian's headless Chromium, Playwright).

The page is opened from file:// with no routing: any request it makes fails the test. The
slider is moved with the keyboard, as a reader would, and the year's figures and the list of
what opened that year are read from the page and compared with the timeline's own numbers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import sync_playwright

from conftest import tiny, write_geodata
from corridormap.analysis import load_analysis
from corridormap.timeline import through_time

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TODAY = dt.date(2026, 12, 7)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def bundled_line():
    spec = load_analysis().timeline
    first, last = spec["years"]
    return through_time(
        None, spec["from"], spec["to"], range(first, last + 1), series=spec["series"], today=TODAY
    )


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
    )
    page.goto(path.as_uri())
    page.wait_for_function("window.corridormapReady === true", timeout=15000)
    return page, problems


def _shown(page) -> dict:
    return {
        "year": page.inner_text("#cm-year"),
        "days": [t.strip() for t in page.locator(".cm-days").all_inner_texts()],
        "events": page.locator("#cm-events li .cm-what").all_inner_texts(),
        "projection": page.inner_text("#cm-projection"),
    }


def _expected(line, year):
    row = next(r for r in line.rows if r["year"] == year)
    days = ["no route" if x["days"] is None else f"{x['days']:.1f} days" for x in row["results"]]
    return row, days


def test_the_slider_shows_each_years_figures_and_openings(browser, bundled_line, tmp_path):
    path = bundled_line.save(tmp_path / "timeline.html")
    page, problems = _open(browser, path)
    try:
        start = _shown(page)
        assert start["year"] == "2026"  # the last year before TODAY that is not a projection
        page.focus("#cm-year-input")
        for _ in range(8):
            page.keyboard.press("ArrowLeft")
        got = _shown(page)
        row, days = _expected(bundled_line, 2018)
        assert got["year"] == "2018" and got["days"] == days
        assert "Astara (AZ) – Astara (IR) rail opened" in got["events"]
        assert got["events"] == [e["text"] for e in row["events"]]
        assert got["projection"] == ""
        page.keyboard.press("End")
        got = _shown(page)
        row, days = _expected(bundled_line, 2030)
        assert got["year"] == "2030" and got["days"] == days and "projection" in got["projection"]
        page.keyboard.press("Home")
        assert _shown(page)["year"] == "2010"
        # the chart draws one line per series and its marker follows the slider
        assert page.locator("path.cm-series").count() == len(bundled_line.series)
        x_2010 = float(page.get_attribute("#cm-marker", "x1"))
        page.keyboard.press("ArrowRight")
        assert float(page.get_attribute("#cm-marker", "x1")) > x_2010
        assert problems == []
    finally:
        page.close()


def test_names_from_the_data_are_text_on_the_page(browser, tmp_path):
    data = tiny()
    for f in data["nodes"] + data["links"]:
        p = f["properties"]
        if p["id"] == "D":
            p["name"] = XSS
        if p["id"] == "C-D":
            p.update(opened="2018-03-29", opened_source=XSS)
    geo = write_geodata(tmp_path / "geo", data)
    line = through_time(geo, "Alpha", "D", range(2017, 2020), today=TODAY)
    page, problems = _open(browser, line.save(tmp_path / "t.html"))
    try:
        page.focus("#cm-year-input")
        page.keyboard.press("ArrowLeft")  # 2018, when C-D opened
        assert page.inner_text("#cm-year") == "2018"
        assert page.locator("#cm-events li .cm-what").all_inner_texts() == [
            f"Gamma – {XSS} rail opened"
        ]
        assert XSS in page.inner_text("#cm-events .cm-src")
        assert page.locator("img").count() == 0
        assert problems == []
    finally:
        page.close()
