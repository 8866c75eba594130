"""The compact link layer of large networks (issue 16): same tooltips and popups, light page.

The bundled and test networks are small, so the layer is forced on here by lowering
``COMPACT_LINKS``; the browser test checks that the HTML put together in the page is the HTML
:mod:`corridormap.render.popups` writes for every link.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

import corridormap as cm
from conftest import node, tiny, write_geodata
from corridormap import render
from corridormap.places import short_name
from corridormap.render import _html, layers, popups

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


# -- places ---------------------------------------------------------------------------------
@pytest.fixture
def compact_places(monkeypatch):
    monkeypatch.setattr(layers, "COMPACT_PLACES", 0)


def _hostile_places_G(tmp_path):
    """``xss_G``'s data with places that test the popups' 'Also here' row.

    N is near A (exact coordinates finer than the page's); Q is 0.30004 degrees north of A
    (not near), but its rounded latitude is 0.3 from A's, which a test on the rounded
    coordinates would count; W, near Z, is of a kind no layer draws; "P&1" has an id that
    escapes; Z has no name.
    """
    data = tiny()
    for f in data["nodes"]:
        if f["properties"]["id"] == "A":
            f["properties"]["name"] = XSS + " {{ 7*7 }}"
            f["properties"]["notes"] = XSS + " `${alert(2)}` \\u0041"
            f["properties"]["aliases"] = [XSS, "Alef"]
            f["properties"]["capacity"] = 1234.5
            f["properties"]["capacity_unit"] = "TEU <b>"
        f["properties"]["source"] = XSS
    data["nodes"] += [
        node("N", 40.1, 50.1234567, kind="port", name="Near " + XSS),
        node("Q", 40.0, 50.30004, kind="rail_station", name="Quebec"),
        node("Z", 41.0, 49.0, name=XSS + " 2"),
        node("W", 41.1, 49.1, name="Whiskey"),
        node("P&1", 41.05, 48.95, kind="dry_port", name="Papa"),
    ]
    G = cm.load_network(write_geodata(tmp_path / "places", data))
    for _, d in G.nodes(data=True):
        if d["place"] == "W":
            d["kind"] = "waypoint"
        if d["place"] == "Z":
            del d["name"]
    return G


def _places_element(m):
    feats = [c for c in m._children.values() if c._name == "CorridormapFeatures"]
    found = [c for f in feats for c in f._children.values() if c._name == "CorridormapPlaces"]
    assert len(found) == 1
    return found[0]


def _expected_places(G, labels=()):
    """Per place id: [its tooltip or label, its popup, labelled] as the Python functions give.

    'Also here' by comparing every pair, as the code did before the grid.
    """
    cat = cm.places(G)
    breaks = layers.gauge_breaks(G)
    out = {}
    for pid, p in cat.items():
        near = [
            str(q.get("name"))
            for qid, q in cat.items()
            if qid != pid
            and abs(float(q["x"]) - float(p["x"])) < layers.NEARBY_DEG
            and abs(float(q["y"]) - float(p["y"])) < layers.NEARBY_DEG
        ]
        labelled = p.get("kind") in render.LABELLED_KINDS or pid in labels
        tip = _html.esc(short_name(p.get("name"))) if labelled else popups.place_tooltip(p)
        out[pid] = [tip, popups.place_popup(p, pid in breaks, near), labelled]
    return out


def _place_features(G, labels=()):
    """Per drawn place id: its ``Features`` item with that element's styles and texts."""
    m = render.corridor_map(G, labels=labels)
    f = next(c for c in m._children.values() if c._name == "CorridormapFeatures")
    return {i["id"]: (i, f.styles, f.texts) for i in f.items if i["kind"] == "node"}


def test_compact_place_layer_holds_every_place_once_per_layer(monkeypatch, tmp_path):
    G = _hostile_places_G(tmp_path)
    feats = _place_features(G, labels=["D"])  # the per-place features of a small network
    monkeypatch.setattr(layers, "COMPACT_PLACES", 0)
    m = render.corridor_map(G, labels=["D"])
    assert not [c for c in m._children.values() if c._name == "CorridormapLinks"]
    el = _places_element(m)
    cat = cm.places(G)
    ids = list(cat)
    # every place once, in the order of cm.places (the order of the 'Also here' lists)
    assert [row[0] for row in el.places] == ids
    assert len(el.texts) == len(set(el.texts))
    # each drawn in the layer of its kind, the places of no drawn kind in none
    layer_of = {k: label for _, label, kinds, _ in render.NODE_GROUPS for k in kinds}
    for row in el.places:
        kind = cat[row[0]].get("kind")
        if kind in layer_of:
            assert el.groups[row[4]].layer_name == _html.esc(layer_of[kind])
        else:
            assert row[4] == -1 and row[3] == -1 and len(row) == 7
    # the layers in the order the features add them, so markers stack as they did
    assert [g.layer_name for g in el.groups] == [
        _html.esc(label)
        for key, label, kinds, _ in render.NODE_GROUPS
        if any(p.get("kind") in kinds for p in cat.values())
    ]
    # the same markers as the features: position, style, label, name
    assert {row[0] for row in el.places if row[4] != -1} == set(feats)
    for row in el.places:
        if row[4] == -1:
            continue
        item, styles, texts = feats[row[0]]
        assert [row[1], row[2]] == item["ll"]
        assert el.styles[row[3]] == styles[item["s"]]
        label = el.texts[row[7]] if len(row) > 7 else None
        assert label == (texts[item["lb"]] if "lb" in item else None)
    # labelled and ranked first: a port named in ``labels``
    assert len(el.places[ids.index("D")]) == 9 and el.places[ids.index("D")][8] == 1
    assert len(el.places[ids.index("N")]) == 8  # a port: labelled, of the usual rank
    # the gauge break (C) is drawn as one, and the legend says so
    c = el.places[ids.index("C")]
    for key, value in render.GAUGE_BREAK_STYLE.items():
        assert el.styles[c[3]][key] == value
    # the rare places: exact coordinates (N, Q), an id that escapes, a place with no name
    assert el.extras[ids.index("N")]["e"] == [50.1234567, 40.1]
    assert el.extras[ids.index("Q")]["e"] == [50.30004, 40.0]
    assert el.texts[el.extras[ids.index("P&1")]["i"]] == "P&amp;1"
    assert el.texts[el.extras[ids.index("Z")]["n"]] == "None"
    assert ids.index("A") not in el.extras
    page = render.render_html(m)
    assert "Gauge break (1520 / 1435 mm)" in page  # the legend's entry
    assert XSS not in page and "{{ 7*7 }}" not in page and "${alert" not in page


def test_nearby_gives_what_comparing_every_pair_gives():
    rng = random.Random(16)
    deg = layers.NEARBY_DEG
    pts = [(rng.uniform(30, 80), rng.uniform(-10, 60)) for _ in range(300)]
    # a cluster, a grid spaced so that pairs fall on the cells' edges and on ``deg`` itself,
    # repeated points, negative coordinates and points that are not finite
    pts += [(50 + rng.gauss(0, 0.2), 40 + rng.gauss(0, 0.2)) for _ in range(200)]
    pts += [(40.0 + j * 0.03, 51.0 + i * 0.03) for i in range(25) for j in range(25)]
    pts += [(x * deg, y * deg) for x in range(-3, 4) for y in range(-3, 4)]
    pts += [(0.6, 0.6), (0.6, 0.6), (-0.3, -0.9), (-0.0, 0.0)]
    pts += [(math.nan, 1.0), (1.0, math.inf), (-math.inf, -math.inf)]
    rng.shuffle(pts)
    brute = [
        [j for j, (qx, qy) in enumerate(pts) if j != i and abs(qx - x) < deg and abs(qy - y) < deg]
        for i, (x, y) in enumerate(pts)
    ]
    assert layers.nearby(pts) == brute
    assert sum(map(len, brute)) > 5000  # the grid and the cluster: many neighbours
    assert layers.nearby(pts, 0.05) == [
        [
            j
            for j, (qx, qy) in enumerate(pts)
            if j != i and abs(qx - x) < 0.05 and abs(qy - y) < 0.05
        ]
        for i, (x, y) in enumerate(pts)
    ]


def test_small_networks_keep_the_per_place_features(bundled_G):
    m = render.corridor_map(bundled_G)
    f = next(c for c in m._children.values() if c._name == "CorridormapFeatures")
    assert not [c for c in f._children.values() if c._name == "CorridormapPlaces"]
    assert len([i for i in f.items if i["kind"] == "node"]) == len(cm.places(bundled_G))


@pytest.mark.browser
def test_compact_place_popups_and_tooltips_equal_the_python_ones(compact_places, tmp_path):
    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM

    G = _hostile_places_G(tmp_path)
    m = render.corridor_map(G, tiles=False, labels=["D"])
    path = render.save_map(m, tmp_path / "places.html", self_contained=True)
    # the page without its initial fit: no later view change places the labels for the layer
    del m._children["corridormap_fit"]
    unfitted = render.save_map(m, tmp_path / "unfitted.html", self_contained=True)
    expected = _expected_places(G, labels=["D"])
    drawn = {pid for pid, p in cm.places(G).items() if p.get("kind") != "waypoint"}
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
                      if (!l.options || l.options.cmKind !== "node") return;
                      const id = l.options.cmId, want = expected[id];
                      if (!want) { out[id] = "unexpected"; return; }
                      // a label sits beside its marker, centred on it (placed once shown):
                      // right of it, or where the page moved it clear of another label, left
                      // of it, above or below; or hidden where none of those is free
                      let placed = true;
                      if (l.getTooltip() && l.getTooltip().options.permanent) {
                        const e = l.getTooltip().getElement();
                        const t = e.getBoundingClientRect();
                        const c = l.getElement().getBoundingClientRect();
                        const cx = (c.left + c.right) / 2, cy = (c.top + c.bottom) / 2;
                        const across = Math.abs((t.top + t.bottom) / 2 - cy) < 2 && (
                          (t.left > cx && t.left < c.right + 20) ||
                          (t.right < cx && t.right > c.left - 20));
                        const along = Math.abs((t.left + t.right) / 2 - cx) < 2 && (
                          (t.top > cy && t.top < c.bottom + 20) ||
                          (t.bottom < cy && t.bottom > c.top - 20));
                        placed = across || along || getComputedStyle(e).visibility === "hidden";
                      }
                      l.openTooltip();
                      const tip = l.getTooltip().getElement().innerHTML;
                      const permanent = l.getTooltip().options.permanent === true;
                      l.openPopup();
                      const el = l.getPopup().getElement()
                        .querySelector(".leaflet-popup-content");
                      const pop = el.innerHTML, text = el.textContent;
                      l.closePopup(); if (!permanent) l.closeTooltip();
                      const ll = l.getLatLng();
                      out[id] = {
                        n: (out[id] ? out[id].n : 0) + 1,
                        tip: tip === norm(want[0]), pop: pop === norm(want[1]),
                        label: permanent === want[2], text: text,
                        home: l.options.cmHome[0] === ll.lat && l.options.cmHome[1] === ll.lng,
                        placed: placed,
                        cls: l.getElement().classList.contains("cm-node"),
                      };
                    });
                    out.__img = document.querySelectorAll("img").length;
                    return out;
                }""",
                [m.get_name(), expected],
            )
            pg.goto(unfitted.as_uri())
            pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
            unplaced = pg.evaluate(
                """(name) => {
                    const out = [];
                    window[name].eachLayer((l) => {
                      const t = l.options && l.options.cmKind === "node" && l.getTooltip();
                      if (!t || !t.options.permanent) return;
                      const r = t.getElement().getBoundingClientRect();
                      const c = l.getElement().getBoundingClientRect();
                      // beside its marker (centred on it vertically) or, where the page
                      // moved it clear of another label, above or below it (centred across)
                      if (Math.abs((r.top + r.bottom) / 2 - (c.top + c.bottom) / 2) >= 2 &&
                          Math.abs((r.left + r.right) / 2 - (c.left + c.right) / 2) >= 2) {
                        out.push(l.options.cmId);
                      }
                    });
                    return out;
                }""",
                m.get_name(),
            )
        finally:
            b.close()
    assert unplaced == []
    assert errors == [] and dialogs == []
    assert got.pop("__img") == 0  # no element made from the hostile text
    assert set(got) == drawn
    for pid, r in got.items():
        assert r["n"] == 1 and r["tip"] and r["pop"] and r["label"], (pid, r)
        assert r["home"] and r["cls"] and r["placed"], (pid, r)
    # the text shows as written, and 'Also here' names the unnamed and undrawn places
    assert XSS + " {{ 7*7 }}" in got["A"]["text"] and "Near " + XSS in got["A"]["text"]
    assert "Quebec" not in got["A"]["text"]
    assert "Whiskey, None (zoom in to pick)" in got["P&1"]["text"]


# -- the collector after a large load -------------------------------------------------------
def test_settled_collects_once_after_a_run_that_left_many_objects(monkeypatch):
    import gc

    from corridormap import _gc

    monkeypatch.setattr(_gc, "SETTLE_OBJECTS", 1_000)
    calls: list[int] = []
    full = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(gc.get_count()[0]) or full(*a))
    kept: list[list] = []

    @_gc.settled
    def load(n: int, fail: bool = False) -> bool:
        kept.extend([] for _ in range(n))  # lists are tracked by the collector
        if fail:
            raise ValueError("bad geodata")
        return gc.isenabled()

    full()
    assert gc.isenabled()
    assert load(5_000) is False  # paused while it ran
    assert gc.isenabled() and len(calls) == 1 and calls[0] >= 5_000  # then one collection
    full()
    load(300)  # a small run leaves its objects to the collector's usual rounds
    assert len(calls) == 1
    # inside an outer pause, or when it fails, nothing is collected
    assert _gc.paused(load)(5_000) is False
    with pytest.raises(ValueError, match="bad geodata"):
        load(5_000, fail=True)
    assert len(calls) == 1 and gc.isenabled()


def _site_and_crowd_G(tmp_path):
    """The tiny network plus a site of three places a few hundred metres apart (a port and
    its stations) and a crowd of 16 places 200 m apart, all linked by rail."""
    from conftest import link

    data = tiny()
    by_id = {f["properties"]["id"]: f for f in data["nodes"]}
    site = [
        node("S1", 47.0, 52.0, kind="port", name="Site port"),
        node("S2", 47.001, 52.0005, name="Site station"),
        node("S3", 47.0005, 52.001, name="Site yard"),
    ]
    crowd = [node(f"K{i}", 45.0 + (i % 4) * 0.002, 55.0 + (i // 4) * 0.002) for i in range(16)]
    data["nodes"] += site + crowd
    chain = [by_id["A"], *site, *crowd]
    data["links"] += [
        link(f"{a['properties']['id']}-{b['properties']['id']}", a, b, "rail", length_km=km)
        for (a, b), km in zip(
            itertools.pairwise(chain), [None, 1.0, 1.0, None] + [1.0] * 15, strict=True
        )
    ]
    return cm.load_network(write_geodata(tmp_path / "site", data))


@pytest.mark.browser
@pytest.mark.parametrize("compact_places", [False, True])
def test_fan_out_separates_a_site_not_a_crowd_and_labels_never_overlap(
    compact_places, tmp_path, monkeypatch
):
    """Close up, the places of one site fan out so each can be picked; a crowd (a dense
    network seen from afar) stays where it is; decluttered labels overlap neither each other
    nor a control. Both with one feature per place and with the compact place layer."""
    from playwright.sync_api import sync_playwright

    from test_browser import ARGS, CHROMIUM

    if compact_places:
        monkeypatch.setattr(layers, "COMPACT_PLACES", 0)
    G = _site_and_crowd_G(tmp_path)
    m = render.corridor_map(G, tiles=False)
    path = render.save_map(m, tmp_path / "site.html", self_contained=True)
    check = """([name, zoom, at]) => new Promise((done) => {
        const map = window[name];
        map.once("zoomend", () => requestAnimationFrame(() => {
          const out = {moved: {}, labels: [], controls: []};
          map.eachLayer((l) => {
            if (!l.options || l.options.cmKind !== "node") return;
            const p = map.latLngToLayerPoint(l.getLatLng());
            const h = map.latLngToLayerPoint(l.options.cmHome);
            out.moved[l.options.cmId] = Math.hypot(p.x - h.x, p.y - h.y);
          });
          const box = map.getContainer().getBoundingClientRect();
          map.getContainer().querySelectorAll(".cm-label").forEach((el) => {
            const r = el.getBoundingClientRect();
            if (el.style.visibility === "hidden" || r.right < box.left || r.left > box.right
                || r.bottom < box.top || r.top > box.bottom) return;
            out.labels.push([r.left, r.top, r.right, r.bottom]);
          });
          map.getContainer().querySelectorAll(".leaflet-control").forEach((el) => {
            const r = el.getBoundingClientRect();
            out.controls.push([r.left, r.top, r.right, r.bottom]);
          });
          done(out);
        }));
        map.setView(at, zoom, {animate: false});
      })"""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            pg = b.new_page(viewport={"width": 1200, "height": 800})
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(path.as_uri())
            pg.wait_for_function("window.corridormapReady !== undefined", timeout=15000)
            close = pg.evaluate(check, [m.get_name(), 9, [52.0005, 47.0005]])
            crowd = pg.evaluate(check, [m.get_name(), 7, [55.003, 45.003]])
            far = pg.evaluate(check, [m.get_name(), 3, [52.0, 47.0]])
        finally:
            b.close()
    assert errors == []
    site = ("S1", "S2", "S3")
    # the first of the site stays home, the others fan out 9 and 18 pixels diagonally
    assert sorted(round(close["moved"][s]) for s in site) == [0, 13, 25]
    assert all(close["moved"][f"K{i}"] == 0 for i in range(16))
    assert all(crowd["moved"][f"K{i}"] == 0 for i in range(16))  # a crowd: no fan
    assert all(d == 0 for d in far["moved"].values())  # from afar everything is home

    def overlap(a, b):
        return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]

    for view in (close, crowd, far):
        labels = view["labels"]
        assert labels
        for i, a in enumerate(labels):
            assert not any(overlap(a, c) for c in view["controls"])
            assert not any(overlap(a, b) for b in labels[i + 1 :])
