"""The compact link layer of large networks (issue 16): same tooltips and popups, light page.

The bundled and test networks are small, so the layer is forced on here by lowering
``COMPACT_LINKS``; the browser test checks that the HTML put together in the page is the HTML
:mod:`corridormap.render.popups` writes for every link.
"""

from __future__ import annotations

import pytest

import corridormap as cm
from conftest import node, tiny, write_geodata
from corridormap import render
from corridormap.render import layers, popups

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def compact(monkeypatch):
    monkeypatch.setattr(layers, "COMPACT_LINKS", 0)


@pytest.fixture
def xss_G(tmp_path):
    data = tiny()
    for f in data["nodes"]:
        if f["properties"]["id"] == "A":
            f["properties"]["name"] = XSS + " {{ 7*7 }}"
    for f in data["links"]:
        f["properties"]["source"] = XSS
        f["properties"]["notes"] = XSS + " `${alert(2)}`"
        f["properties"]["branch"] = ["western", XSS]
    data["links"][0]["properties"]["id"] = "A&B"
    data["links"][0]["properties"]["operator"] = "RZD <b>"
    data["nodes"].append(node("Z", 41.0, 49.0, name=XSS + " 2"))
    return cm.load_network(write_geodata(tmp_path / "xss", data))


def _links_element(m):
    found = [c for c in m._children.values() if c._name == "CorridormapLinks"]
    assert len(found) == 1
    return found[0]


def test_compact_layer_holds_every_link_once_per_layer(compact, xss_G):
    m = render.corridor_map(xss_G)
    el = _links_element(m)
    ids = {d["link_id"] for *_, d in xss_G.edges(data=True) if d["kind"] == "link"}
    assert {row[0] for row in el.links} == ids
    assert all(len(row[3]) == 2 for row in el.links)  # two branches: drawn in both layers
    # no popup HTML is stored per link: each distinct text once
    assert len(el.texts) == len(set(el.texts))
    page = render.render_html(m)
    assert XSS not in page and "{{ 7*7 }}" not in page and "${alert" not in page
    # endpoints kept by the simplification
    rec = layers.link_records(xss_G)
    for row in el.links:
        line = rec[row[0]]["geometry"]
        (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
        assert row[1][:2] == [round(y0, 4), round(x0, 4)]
        assert row[1][-2:] == [round(y1, 4), round(x1, 4)]


def test_small_networks_keep_the_per_link_features(tiny_G):
    m = render.corridor_map(tiny_G)
    assert not [c for c in m._children.values() if c._name == "CorridormapLinks"]


@pytest.mark.browser
def test_compact_popups_and_tooltips_equal_the_python_ones(compact, xss_G, tmp_path):
    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM

    m = render.corridor_map(xss_G, tiles=False)
    path = render.save_map(m, tmp_path / "compact.html", self_contained=True)
    names = cm.places(xss_G)
    recs = layers.link_records(xss_G)
    expected = {
        lid: [popups.link_tooltip(d, names), popups.link_popup(d, names)] for lid, d in recs.items()
    }
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pg = b.new_page()
            errors: list[str] = []
            dialogs: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            pg.goto(path.as_uri())
            pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
            got = pg.evaluate(
                """([name, expected]) => {
                    const m = window[name], out = {};
                    const norm = (html) => { const d = document.createElement("div");
                                             d.innerHTML = html; return d.innerHTML; };
                    m.eachLayer((l) => {
                      if (!l.options || l.options.cmKind !== "link") return;
                      const id = l.options.cmId;
                      l.openTooltip();
                      const tip = l.getTooltip().getElement().innerHTML;
                      l.openPopup();
                      const pop = l.getPopup().getElement()
                        .querySelector(".leaflet-popup-content").innerHTML;
                      l.closePopup(); l.closeTooltip();
                      out[id] = [tip === norm(expected[id][0]), pop === norm(expected[id][1])];
                    });
                    return out;
                }""",
                [m.get_name(), expected],
            )
        finally:
            b.close()
    assert errors == [] and dialogs == []
    assert set(got) == set(expected)
    assert all(t and p for t, p in got.values()), got
