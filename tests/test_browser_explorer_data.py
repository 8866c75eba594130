"""The explorer ``corridormap explorer`` builds from geodata, in headless Chromium.

Pairs and scenarios are picked through the page's own controls, and every family's figures
must be what ``corridormap compare FROM TO --draws N --seed K`` prints for them; the URL holds
the view; no request leaves the folder. A copy of the bundled geodata with hostile names
shows them as text.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from corridormap.cli import main
from corridormap.io import bundled_geodata_dir
from test_browser_explorer import Explorer, browser  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

EXE = shutil.which("corridormap", path=os.path.dirname(sys.executable)) or "corridormap"

DRAWS, SEED = 400, 7
#: what is typed in From and To (the same names given to compare), and the place ids meant
PAIRS = [
    ("Chennai", "Moscow", "MAA", "MOW"),
    ("Mumbai", "St Petersburg", "NSA", "LED"),
    ("Nhava Sheva", "Rotterdam", "NSA", "RTM"),
]
SCENARIOS = ["baseline", "red-sea-closed"]
#: compare's rows -> the explorer table's column
ROWS = {
    "days, expected (transit)": "days-expected",
    "days, expected (door to door)": "days-expected",
    "days P10": "days-p10",
    "days P50": "days-p50",
    "days P90": "days-p90",
    "USD/TEU, expected": "usd-expected",
    "USD/TEU P10": "usd-p10",
    "USD/TEU P90": "usd-p90",
    "kg CO2/TEU": "co2",
    "borders": "borders",
    "transshipments": "transshipments",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("explorer") / "site"
    code = main(
        [
            "explorer",
            "--out",
            str(out),
            "--origins",
            "Chennai,Mumbai",
            "--destinations",
            "Moscow,St Petersburg,Rotterdam",
            "--scenario",
            "red-sea-closed",
            "--draws",
            str(DRAWS),
            "--seed",
            str(SEED),
            "-q",
        ]
    )
    assert code == 0
    return out / "index.html"


def printed(o: str, d: str, scenario: str, clock: str) -> tuple[dict, dict]:
    """What ``corridormap compare`` prints: ``{column: {family: text}}`` and P(INSTC)."""
    cmd = [EXE, "compare", o, d, "--draws", str(DRAWS)]
    cmd += ["--seed", str(SEED), "--clock", clock]
    if scenario != "baseline":
        cmd += ["--scenario", scenario]
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("metric"))
    families = re.split(r"\s{2,}", lines[head].strip())[1:]
    table: dict[str, dict[str, str]] = {}
    for line in lines[head + 2 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(families) + 1:
            break
        column = ROWS.get(cells[0])
        if column and (column != "days-expected" or clock.replace("-", " ") in cells[0]):
            table[column] = dict(zip(families, cells[1:], strict=True))
    odds = {}
    for line in lines:
        if line.startswith("P(the INSTC's best route"):
            odds = {
                f: f"{round(float(p) * 100)}%"
                for f, p in re.findall(r"against ([\w-]+): ([\d.]+)", line)
            }
    return table, odds


def test_three_pairs_two_scenarios_equal_compare(browser, site):  # noqa: F811
    page = Explorer(browser, site)
    try:
        checked = 0
        for o, d, o_id, d_id in PAIRS:
            page.type_place("from", o, o_id)
            page.type_place("to", d, d_id)
            assert (page.app["state"]["from"], page.app["state"]["to"]) == (o_id, d_id)
            for s in SCENARIOS:
                page.scenario(s)
                for k, clock in enumerate(("transit", "door-to-door")):
                    if (o, clock) == ("Nhava Sheva", "door-to-door"):
                        continue  # one pair on the transit clock only: each compare takes ~1 s
                    page.clock(k)
                    table, odds = printed(o, d, s, clock)
                    assert table["days-p50"], (o, d, s)
                    for column, want in table.items():
                        got = page.cells(column)
                        for family, text in want.items():
                            if text in ("-", ""):
                                assert got[family] is None
                            else:
                                assert got[family] == text, (o, d, s, clock, column, family)
                                checked += 1
                    shown = {f: t for f, t in page.cells("p-instc-faster").items() if t}
                    assert shown == odds, (o, d, s, clock)
        assert checked > 200
        page.check_clean()
    finally:
        page.close()


def test_the_url_reproduces_the_view(browser, site):  # noqa: F811
    page = Explorer(browser, site)
    try:
        page.type_place("from", "Chennai", "MAA")
        page.type_place("to", "Rotterdam", "RTM")
        page.scenario("red-sea-closed")
        page.clock(1)
        state, cells = page.app["state"], page.cells("days-p50")
        url = page.page.url
        assert "#from=MAA&to=RTM&scenario=red-sea-closed&clock=door-to-door" in url
        page.page.reload()
        page.ready()
        assert page.app["state"] == state and page.cells("days-p50") == cells
        fresh = Explorer(browser, site, hash_=url[url.index("#") :])
        assert fresh.app["state"] == state and fresh.cells("days-p50") == cells
        fresh.check_clean()
        fresh.close()
        page.check_clean()
    finally:
        page.close()


#: hostile text put into a copy of the geodata
XSS = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "Chennai </script><script>alert(2)</script>"
TEMPLATE = "Moscow {{ 7*7 }} ${alert(3)} {% raw %}"
SCRIPT_SOURCE = "\u2028'\"`${alert(4)}`</SCRIPT ><svg onload=alert(5)>"


def test_hostile_names_in_the_geodata_stay_text(browser, tmp_path):  # noqa: F811
    data = tmp_path / "geo"
    shutil.copytree(bundled_geodata_dir(), data)
    nodes = json.loads((data / "nodes.geojson").read_text(encoding="utf-8"))
    for f in nodes["features"]:
        p = f["properties"]
        if p["id"] == "MAA":
            p["name"], p["aliases"] = HOSTILE_NAME, [XSS, "Madras"]
        if p["id"] == "MOW":
            p["name"] = TEMPLATE
    (data / "nodes.geojson").write_text(json.dumps(nodes), encoding="utf-8")
    scen = data / "scenarios" / "red-sea-closed.toml"
    text = scen.read_text(encoding="utf-8")
    text = re.sub(r'^description = ".*"$', f"description = {json.dumps(XSS)}", text, flags=re.M)
    text = text.replace("sources = [\n", f"sources = [\n  {json.dumps(SCRIPT_SOURCE)},\n", 1)
    scen.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    args = ["explorer", "--data", str(data), "--origins", "MAA", "--destinations", "MOW,LED"]
    args += ["--scenario", "red-sea-closed", "--draws", "50", "-q"]
    for variant, extra in (("folder", []), ("single", ["--self-contained"])):
        assert main([*args, "--out", str(out / variant), *extra]) == 0
        index = out / variant / "index.html"
        files = [index, *sorted((out / variant).glob("data/*.js"))]
        for path in files:  # no hostile text closes a script element in the files
            body = path.read_text(encoding="utf-8").lower()
            assert body.count("</script") == body.count("<script"), path
        page = Explorer(browser, index, hash_="#from=MAA&to=MOW&scenario=red-sea-closed")
        try:
            pg = page.page
            assert pg.input_value("#cx-from") == HOSTILE_NAME
            assert pg.input_value("#cx-to") == TEMPLATE
            assert HOSTILE_NAME in page.text("#cx-finding") and TEMPLATE in page.text("#cx-finding")
            assert page.text("#cx-scenario-description") == XSS
            assert SCRIPT_SOURCE.strip() in page.text("#cx-sources").replace("\n", "")
            options = pg.eval_on_selector_all("#cx-from-list option", "os => os.map(o => o.value)")
            assert XSS in options
            page.type_place("from", XSS, "MAA")  # the alias is typed like any other
            assert page.app["state"]["from"] == "MAA"
            titles = pg.locator("#cx-profile line.cx-step title").all_text_contents()
            assert any(t.startswith(HOSTILE_NAME) for t in titles)
            injected = pg.evaluate(
                "document.querySelectorAll('img:not(.leaflet-marker-icon), iframe, b, "
                "[onerror], [onload], [onclick], body svg:not(.cx-profile-svg)"
                ":not(.leaflet-zoom-animated)').length"
            )
            assert injected == 0
            page.check_clean()
        finally:
            page.close()
