"""Web maps without a browser: layers, escaping, atomic writes, self-contained pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import corridormap as cm
from conftest import node, tiny, write_geodata
from corridormap import render
from corridormap.cli import main
from corridormap.render import _html, elements
from corridormap.render import page as render_page

XSS = "<img src=x onerror=alert(1)>"


def features(m) -> list:
    return [c for c in m._children.values() if c._name == "CorridormapFeatures"]


def items(m, kind: str) -> list[dict]:
    return [i for f in features(m) for i in f.items if i["kind"] == kind]


def layer_names(m) -> list[str]:
    import folium

    return [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]


@pytest.fixture
def xss_G(tmp_path: Path):
    """The tiny network with the payload as a place name, a source, notes and a branch."""
    data = tiny()
    for f in data["nodes"]:
        if f["properties"]["id"] == "A":
            f["properties"]["name"] = XSS
            f["properties"]["notes"] = XSS + " `${alert(2)}` \\u0041"
    for f in data["links"]:
        f["properties"]["source"] = XSS
        f["properties"]["notes"] = XSS
        f["properties"]["branch"] = [XSS]
    data["nodes"].append(node("Z", 41.0, 49.0, name=XSS + " 2", source=XSS))
    return cm.load_network(write_geodata(tmp_path / "xss", data))


def test_corridor_map_draws_each_link_once_per_branch_layer(tiny_G):
    m = render.corridor_map(tiny_G)
    links = items(m, "link")
    # no branch in the tiny data: one "Other links" layer, each link once (not per direction)
    assert sorted(i["id"] for i in links) == sorted(
        {d["link_id"] for *_, d in tiny_G.edges(data=True) if d["kind"] == "link"}
    )
    assert "Other links" in layer_names(m)
    nodes = items(m, "node")
    assert len(nodes) == len(cm.places(tiny_G))
    assert {"Ports", "Chokepoints", "Cities and rail stations"} <= set(layer_names(m))
    page = render.render_html(m)
    assert "L.control.layers" in page and "L.control.scale()" in page
    assert "fitBounds" in page and "GeoNames" in page and "Natural Earth" not in page
    # styles: the gap is red and dashed, the planned link dotted
    styles = features(m)[0].styles
    by_id = {i["id"]: styles[i["s"]] for i in links}
    assert by_id["C-D-road"]["color"] == render.GAP_COLOR
    assert by_id["C-D-road"]["dashArray"] == render.STATUS_DASH["gap"]
    assert by_id["B-D-plan"]["dashArray"] == render.STATUS_DASH["planned"]
    assert "dashArray" not in by_id["A-B"]


def test_bundled_overview_has_a_layer_per_branch_and_place_kind(bundled_G):
    m = render.corridor_map(bundled_G)
    names = layer_names(m)
    for label in ("INSTC western branch", "Suez route", "Cape route", "India–Gulf sea legs"):
        assert any(n.startswith(_html.esc(label)) for n in names), label
    assert any(n.startswith("Border crossings") for n in names)
    # a link on two branches is in both layers, its coordinates stored once
    f = features(m)[0]
    link_ids = {i["id"] for i in items(m, "link")}
    every = {d["link_id"] for *_, d in bundled_G.edges(data=True) if d.get("link_id")}
    assert link_ids == every
    # no geometry duplicated (the Astara rail and road crossings share one line)
    assert len(f.geoms) <= len(link_ids) and len(set(map(str, f.geoms))) == len(f.geoms)
    assert len(items(m, "link")) > len(link_ids)


def test_route_map_layers_popups_and_summary(tiny_G):
    from corridormap.uncertainty import route_percentiles

    r1 = cm.route(tiny_G, "Alpha", "Delta")
    r2 = cm.route(tiny_G, "Alpha", "Delta", by="cost")
    pcts = [route_percentiles(tiny_G, r, draws=2000, seed=0) for r in (r1, r2)]
    m = render.route_map([r1, r2], G=tiny_G, names=["fast", "cheap"], percentiles=pcts)
    assert layer_names(m) == ["Corridor network", "fast", "cheap"]
    legs = items(m, "route")
    assert len(legs) == sum(1 for r in (r1, r2) for leg in r.legs if leg["kind"] == "link")
    texts = features(m)[0].texts
    popup = texts[legs[0]["p"]]
    assert "<table" in popup and "Hours" in popup and "Source" in popup
    page = render.render_html(m)
    # the summary, in the legend: the expected days and P10-P90 of the same Monte Carlo as
    # compare, on the route's clock
    pct = route_percentiles(tiny_G, r1, seed=0)["days"]
    summary = (
        f"{pct['expected']:.1f} days transit, expected (P10–P90 {pct['p10']:.1f}–{pct['p90']:.1f})"
    )
    assert summary in page
    # without the network, the expected figures alone
    alone = render.render_html(render.route_map(r1))
    assert f"{r1.days:.1f} days transit, expected" in alone
    # one route alone, and drawn on an existing map: still one layer control
    m2 = render.route_map(r1, m=render.corridor_map(tiny_G))
    page = render.render_html(m2)
    assert page.count("L.control.layers(") == 1


def test_route_map_rejects_bad_input(tiny_G):
    with pytest.raises(ValueError):
        render.route_map([])
    r = cm.route(tiny_G, "Alpha", "Delta")
    with pytest.raises(ValueError, match="names"):
        render.route_map([r], names=["a", "b"])


def test_color_links_scale_and_highlight(tiny_G):
    m = render.color_links(
        tiny_G, {"A-B": 1.0, "B-C": 3.0, "C-D": float("nan")}, label="delta days", highlight=["B-C"]
    )
    names = layer_names(m)
    assert names[:2] == ["delta days", "Highlighted links (delta days)"]
    assert "Ports" in names[2:]  # the places, named, so the links can be told apart
    nodes = {i["id"]: i for i in items(m, "node")}
    assert set(nodes) == set(cm.places(tiny_G)) and all("lb" in i for i in nodes.values())
    f = features(m)[0]
    by_id = {i["id"]: f.styles[i["s"]] for i in items(m, "link")}
    assert by_id["A-B"]["color"] != by_id["B-C"]["color"]
    assert by_id["C-D"]["color"] == "#9e9e9e"  # NaN counts as no value
    assert [i["id"] for i in items(m, "highlight")] == ["B-C"]
    assert "linear-gradient" in render.render_html(m)
    with pytest.raises(ValueError, match="NOPE"):
        render.color_links(tiny_G, {"NOPE": 1.0})


def test_geodata_text_is_escaped_everywhere(xss_G, tmp_path):
    r = cm.route(xss_G, "B", "D")
    maps = [
        render.corridor_map(xss_G),
        render.route_map(r, G=xss_G, names=[XSS]),
        render.color_links(xss_G, {"A-B": 1.0}, label=XSS, highlight=["A-B"]),
    ]
    for m in maps:
        for sc in (False, True):
            page = render.render_html(m, self_contained=sc)
            assert XSS not in page
            assert "<img src=x" not in page
            # the text is there, escaped for HTML and then for JSON
            assert "\\x26lt;img src=x onerror=alert(1)\\x26gt;" in page
    # layer names (shown by Leaflet as HTML) are escaped too
    assert _html.esc(XSS) in layer_names(maps[1])


def test_self_contained_page_has_no_remote_reference(tiny_G, tmp_path):
    m = render.route_map(cm.route(tiny_G, "Alpha", "Delta"), G=tiny_G)
    default = render.save_map(m, tmp_path / "a.html").read_text(encoding="utf-8")
    offline = render.save_map(m, tmp_path / "b.html", self_contained=True).read_text("utf-8")
    assert render.external_refs(default)  # folium's CDN assets
    assert "cartocdn" in default
    assert render.external_refs(offline) == []
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", offline.split("<script>")[0])
    assert not [t for t in tags if re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", t)]
    assert "cartocdn" not in offline and "cdn.jsdelivr" not in offline
    assert "L.geoJSON(" in offline  # the country basemap instead of tiles
    assert "url(images/" not in offline  # Leaflet's icons inlined as data URIs
    # the map is unchanged by the offline render: a default page again has its assets
    again = render.render_html(m)
    assert render.external_refs(again) == render.external_refs(default)


def test_self_contained_refuses_remote_plugins(tiny_G):
    import folium

    m = render.corridor_map(tiny_G)
    folium.Marker([50, 40], icon=folium.Icon()).add_to(m)  # awesome-markers from a CDN
    from folium.plugins import MiniMap

    m.add_child(MiniMap())  # Leaflet-MiniMap from a CDN
    with pytest.raises(ValueError, match="remote assets"):
        render.render_html(m, self_contained=True)


def test_save_map_is_atomic(tiny_G, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "map.html"
    target.write_text("old page", encoding="utf-8")
    import corridormap._atomic as atomic

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        render.save_map(render.corridor_map(tiny_G), target, self_contained=True)
    assert target.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in target.parent.iterdir()] == ["map.html"]


def test_scenes(bundled_G, tmp_path):
    with pytest.raises(ValueError, match="instc-vs-suez"):
        render.scene_map(bundled_G, "nope")
    m = render.scene_map(bundled_G, "instc-vs-suez")
    assert len(layer_names(m)) == 3
    paths = render.write_scenes(bundled_G, tmp_path, names=["shipment-2023"])
    assert paths == [tmp_path / "map-shipment-2023.html"]
    paths = render.write_scenes(
        bundled_G, tmp_path, names=["rasht-astara-gap"], self_contained=True
    )
    assert paths == [tmp_path / "map-rasht-astara-gap-offline.html"]
    page = paths[0].read_text(encoding="utf-8")
    assert "ASI-RSH-road" in page and "ASI-RSH-rail" in page
    with pytest.raises(ValueError):
        render.write_scenes(bundled_G, tmp_path, names=["nope"])


def test_cli_map(tmp_path, capsys):
    assert main(["map", "caspian-links", "--out", str(tmp_path), "--self-contained"]) == 0
    out = capsys.readouterr().out.split()
    # one scene: its page (the atlas index.html is written when every scene is)
    assert out == [str(tmp_path / "map-caspian-links-offline.html")]
    assert main(["map", "nope", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "overview" in err


def test_cli_route_map(tmp_path, capsys):
    target = tmp_path / "r.html"
    assert main(["route", "Mumbai", "Moscow", "-k", "2", "--map", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert page.count("L.control.layers(") == 1 and "Route 2" in page


# -- text is never a template ---------------------------------------------------------------
#: innocent text that Jinja would read as a delimiter, and what it would print
TEMPLATE_TEXTS = ("Tehran {{ 7*7 }}", "{# one note", "another #}", "{% if x %}", "{%- raw %}")


def _payloads(tmp_path: Path, monkeypatch) -> tuple[str, str, list[Path]]:
    """Two payloads that run a shell command if parsed as Jinja, and the files they touch.

    The first has quotes (HTML escaping breaks it, JSON does not); the second is quote-free
    (the command comes from an environment variable), so HTML escaping leaves it intact.
    """
    quoted, free = tmp_path / "MARKER-quoted", tmp_path / "MARKER-free"
    monkeypatch.setenv("CM_TEST_PAYLOAD", f"touch {free}")
    g = "cycler.__init__.__globals__.os"
    return (
        f"{{{{ {g}.system('touch {quoted}') }}}}",
        f"{{{{ {g}.system({g}.environ.CM_TEST_PAYLOAD) }}}}",
        [quoted, free],
    )


def _template_geodata(directory: Path, quoted: str, free: str) -> Path:
    """The tiny network with template text and both payloads in every text field."""
    data = tiny()
    texts = iter(TEMPLATE_TEXTS * 10)
    for f in data["nodes"]:
        p = f["properties"]
        if p["id"] == "A":
            p["name"] = "Tehran {{ 7*7 }}"
            p["notes"] = free
            p["aliases"] = [quoted]
        elif p["id"] == "D":  # a port: bottlenecks and capacity name it
            p["name"] = f"Port {free}"
            p["source"] = quoted
        else:
            p["notes"] = next(texts)
    for i, f in enumerate(data["links"]):
        p = f["properties"]
        p["notes"] = free if i % 2 else next(texts)
        p["source"] = quoted if i % 2 else free
        p["branch"] = ["{{ 7*7 }}"] if i % 2 else ["{# branch"]
    return write_geodata(directory, data)


def _page_shows_text_as_written(page: str) -> None:
    assert "Tehran 49" not in page and "(49)" not in page
    # escaped for HTML (braces as character references), then for JSON
    assert "Tehran \\x26#123;\\x26#123; 7*7 \\x26#125;\\x26#125;" in page
    assert "os.environ.CM_TEST_PAYLOAD" in page


def test_text_from_data_is_never_a_template(tmp_path, monkeypatch):
    quoted, free, markers = _payloads(tmp_path, monkeypatch)
    G = cm.load_network(_template_geodata(tmp_path / "geo", quoted, free))
    r = cm.route(G, "A", "D")
    maps = [
        render.corridor_map(G),
        render.route_map(r, G=G, names=["{{ 7*7 }} {# x"]),
        render.color_links(G, {"A-B": 1.0}, label="capacity ({{ 7*7 }})", highlight=["A-B"]),
    ]
    for m in maps:
        for sc in (False, True):
            page = render.render_html(m, self_contained=sc)
            _page_shows_text_as_written(page)
            assert "{#" not in page.split("<script>")[-1]  # no brace from data in the script
    assert [p for p in markers if p.exists()] == []
    layers = layer_names(maps[0])
    assert "Branch &#123;&#123; 7*7 &#125;&#125;" in layers and "Branch &#123;# branch" in layers
    page = render.render_html(maps[2])
    assert "capacity (\\x26#123;\\x26#123; 7*7 \\x26#125;\\x26#125;)" in page


def test_page_elements_are_not_re_templated(tiny_G):
    """The second defence on its own: output put on the page is never parsed as Jinja.

    Trusted HTML given to a control and a layer name given to the layer control, neither
    escaped for Jinja, come out exactly as given (branca would print 49 and drop the rest).
    """
    m = render.corridor_map(tiny_G)
    classes = elements.page_classes()
    render_page.control(m, "<b>{{ 7*7 }}</b> {# open", position="topleft")
    m.add_child(classes["FeatureGroup"](name="{% if x %}{{ 7*7 }}"))
    render_page.finish(m, None)
    page = render.render_html(m)
    assert "<b>{{ 7*7 }}</b> {# open" in page.replace("\\u003c", "<").replace("\\u003e", ">")
    assert '"{% if x %}{{ 7*7 }}"' in page
    assert "49" not in re.sub(r"[\d.]+\d", "", page.split("<script>")[-1]).replace("7*7", "")


def test_escaping_leaves_no_brace_in_text():
    assert _html.esc("{{ a }} {# b #} {% c %}") == (
        "&#123;&#123; a &#125;&#125; &#123;# b #&#125; &#123;% c %&#125;"
    )
    js = _html.js({"k{": ["{{ 7*7 }}", {"x": "}}"}], "n": [1, {"y": 2}]})
    assert js == (
        '{"k\\u007b":["\\u007b\\u007b 7*7 \\u007d\\u007d",{"x":"\\u007d\\u007d"}],"n":[1,{"y":2}]}'
    )
    assert json.loads(js) == {"k{": ["{{ 7*7 }}", {"x": "}}"}], "n": [1, {"y": 2}]}
    assert _html.js('say "{{" \\ "}}"') == '"say \\"\\u007b\\u007b\\" \\\\ \\"\\u007d\\u007d\\""'


def test_cli_maps_show_template_text_and_run_nothing(tmp_path, monkeypatch, capsys):
    quoted, free, markers = _payloads(tmp_path, monkeypatch)
    data = str(_template_geodata(tmp_path / "geo", quoted, free))
    out = tmp_path / "out"
    runs = {
        "map": ["map", "overview", "--out", str(out)],
        "route": ["route", "A", "D", "-k", "2", "--map", str(out / "route.html")],
        "bottlenecks": ["bottlenecks", "A", "D", "--map", str(out / "bottlenecks.html")],
        "capacity": [
            "capacity",
            "A",
            "D",
            "--unit",
            "{{ 7*7 }}",
            "--map",
            str(out / "capacity.html"),
        ],
    }
    for name, argv in runs.items():
        for sc in ([], ["--self-contained"]):
            code = main([*argv, "--data", data, *sc])
            err = capsys.readouterr().err
            assert code == 0, (name, sc, err)
            assert "Traceback" not in err and "TemplateSyntaxError" not in err
    pages = {
        "map": out / "map-overview-offline.html",
        "route": out / "route.html",
        "bottlenecks": out / "bottlenecks.html",
        "capacity": out / "capacity.html",
    }
    for name, path in pages.items():
        page = path.read_text(encoding="utf-8")
        assert "os.environ.CM_TEST_PAYLOAD" in page, name
        assert "Tehran 49" not in page and "(49)" not in page, name
    assert "Tehran \\x26#123;" in (out / "map-overview.html").read_text(encoding="utf-8")
    capacity = pages["capacity"].read_text(encoding="utf-8")
    assert "capacity (\\x26#123;\\x26#123; 7*7 \\x26#125;\\x26#125;)" in capacity
    assert [p for p in markers if p.exists()] == []


def test_routes_to_the_same_place_are_named_by_what_tells_them_apart(bundled_G):
    """Not 'Route 1: Nhava Sheva (JNPT) -> Moscow' twice: the objective, the scenario or a
    place of its own."""
    from corridormap.scenarios import apply_scenario

    fast = cm.route(bundled_G, "Mumbai", "Moscow")
    cheap = cm.route(bundled_G, "Mumbai", "Moscow", by="cost_usd")
    rail = apply_scenario(bundled_G, "rasht-astara-railway").weight("time_h")
    built = cm.route(bundled_G, "Mumbai", "Moscow", weight=rail)
    alts = cm.alternatives(bundled_G, "Mumbai", "Moscow", k=3)
    for routes, words in (
        ([fast, cheap], ["fastest", "cheapest"]),
        ([fast, built], ["baseline", "rasht-astara-railway"]),
        (alts, ["via Volgograd", "via Novorossiysk", "via Atyrau"]),
    ):
        names = layer_names(render.route_map(routes))
        assert len(set(names)) == len(names) == len(routes)
        for name, word in zip(names, words, strict=True):
            assert word in name, (name, word)
    assert layer_names(render.route_map(fast)) == ["Nhava Sheva (JNPT) → Moscow"]


def test_route_popups_and_legend_do_not_repeat_the_figure():
    """The layer list says '...: 22.4 days expected'; the popup and legend give the name
    without it beside the summary that starts '22.4 days transit, expected'."""
    from corridormap.render.routes import plain_route_name

    pct = {"days": {"expected": 22.4, "p10": 15.4, "p50": 21.6, "p90": 30.1}}
    assert plain_route_name("INSTC, fastest: 22.4 days expected", pct) == "INSTC, fastest"
    kept = "INSTC, fastest: 22.3 days expected"
    assert plain_route_name(kept, pct) == kept
    assert plain_route_name("INSTC", None) == "INSTC"


def test_scene_popups_say_the_figure_once(bundled_G):
    page = render.render_html(render.scene_map(bundled_G, "instc-vs-suez"))
    assert "days expected: 2" not in page and "INSTC, fastest: 22.4 days expected" in page
