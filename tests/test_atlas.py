"""Replays, the atlas page, static figures and what the maps say (no browser)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PIL import Image

import corridormap as cm
from conftest import write_geodata
from corridormap import render
from corridormap._errors import SceneError
from corridormap.cli import main
from corridormap.evidence import evidence_rows
from corridormap.mapscenes import compute_scene, load_scenes
from corridormap.render.atlas import write_atlas
from corridormap.replay import replay
from corridormap.uncertainty import route_percentiles


# -- replays --------------------------------------------------------------------------------
def test_first_transit_replay_follows_the_register(bundled_G):
    rp = replay(bundled_G, ["first-transit-2022"])
    row = evidence_rows(bundled_G.graph["directory"])["first-transit-2022"]
    assert rp.start == dt.date(2022, 6, 11)
    # no full arrival date: the run lasts the longest its dates allow (36 days)
    assert rp.days == pytest.approx(row["observed"]["high"]) == 36
    links = [x for x in rp.legs if x.leg.get("kind") == "link"]
    assert links[0].leg["from_name"] == "St Petersburg"
    assert "Nhava Sheva" in links[-1].leg["to_name"]
    # the Caspian is crossed by ship, as the register says, and in time order
    assert any(x.leg["mode"] == "caspian" for x in links)
    starts = [x.start_day for x in rp.legs]
    assert starts == sorted(starts)
    # Anzali - Bandar Abbas by road or rail, as the register allows: on Iran's trunk roads
    iran = [x.leg for x in links if x.leg["from"] in ("RSH", "QAZ", "THR")]
    assert iran and all(leg["mode"] in ("road", "rail") for leg in iran)
    assert not any("no road link" in n for n in rp.notes)


def test_2023_train_replay_shows_the_standstill_at_the_border(bundled_G):
    ids = ["russia-saudi-2023-to-iran", "russia-saudi-2023-incheh-borun-bandar-abbas"]
    rp = replay(bundled_G, ids)
    assert rp.start == dt.date(2023, 6, 21)
    assert rp.days == pytest.approx((dt.date(2023, 8, 30) - dt.date(2023, 6, 21)).days)
    (wait,) = rp.waits
    assert wait.place == cm.resolve_place(bundled_G, "Incheh Borun")
    # the model's days to the border plus the wait are the published 67 days
    assert wait.end_day == pytest.approx(67.0)
    assert wait.end_day - wait.start_day > 50
    assert all(x.leg["mode"] == "rail" for x in rp.legs if x.leg.get("kind") == "link")


def test_replay_errors_name_the_scene_and_row(tmp_path, bundled_G):
    with pytest.raises(SceneError, match="no movement 'nope'"):
        replay(bundled_G, ["nope"])
    # rows that do not meet at a place
    with pytest.raises(SceneError, match="not where"):
        replay(bundled_G, ["first-transit-2022", "russia-saudi-2023-to-iran"])


def test_replay_page_carries_events_and_no_remote_script(bundled_G):
    m = render.scene_map(bundled_G, "replay-first-transit-2022")
    page = render.render_html(m, self_contained=True)
    assert render.external_refs(page) == []
    assert "cm-slider" in page and "2022-06-11" in page
    assert "<title>Replay: the first INSTC transit" in page


# -- scenes say what their figures are ------------------------------------------------------
def test_scene_legends_give_the_expected_days_and_the_published_run(bundled_G):
    defs = load_scenes(bundled_G)
    view = compute_scene(bundled_G, defs["shipment-2023"])
    m = render.scene_map(bundled_G, "shipment-2023")
    # the boxes' text as shown (the page holds it JSON-encoded)
    page = " ".join(c.body for c in m._children.values() if c._name == "CorridormapControl")
    pct = route_percentiles(bundled_G, view.routes[0], seed=0)["days"]
    band = f"(P10–P90 {pct['p10']:.1f}–{pct['p90']:.1f})"
    assert f"{pct['expected']:.1f} days transit, expected {band}" in page
    row = evidence_rows(bundled_G.graph["directory"])["russia-saudi-2023-to-iran"]
    lo, hi = row["observed"]["low"], row["observed"]["high"]
    assert f"{lo:g}–{hi:g} days" in page  # the real train's days to the border
    overview = render.render_html(render.scene_map(bundled_G, "overview"))
    assert "schematic" in overview  # the Caspian lanes are marked as such
    for name in ("Tehran", "Astrakhan", "Nhava Sheva", "Jeddah", "St Petersburg", "Baku"):
        assert f"{name}" in overview


# -- the atlas ------------------------------------------------------------------------------
def test_atlas_lists_what_exists_with_findings(tmp_path, bundled_G):
    defs = load_scenes(bundled_G)
    views = [compute_scene(bundled_G, defs[n]) for n in ("instc-vs-suez", "overview")]
    render.save_map(
        render.scene_map(bundled_G, "instc-vs-suez"), tmp_path / "map-instc-vs-suez.html"
    )
    (tmp_path / "compare-a-b.csv").write_text(
        "family,label,clock,days_expected,days_p10,days_p50,days_p90\n"
        "x,By X,transit,10.2,9,10,11\ny,By Y,transit,5.1,4,5,6\n",
        "utf-8",
    )
    page = write_atlas(tmp_path, views, G=bundled_G).read_text("utf-8")
    assert 'href="map-instc-vs-suez.html"' in page
    assert "map-overview" not in page  # not written: not listed
    days = views[0].percentiles[0]["days"]
    assert f"{days['expected']:.1f} days transit, expected (P10–P90 {days['p10']:.1f}" in page
    assert "Fastest family: By Y, 5.1 days transit, expected (P10–P90 4.0–6.0)" in page
    assert "<script" not in page


def test_atlas_escapes_text_from_data(tmp_path):
    data = write_geodata(tmp_path / "geo")
    (data / "scenes.toml").write_text(
        '[w]\ntitle = "<img src=x onerror=alert(1)>"\ndescription = "d {{ 7*7 }}"\n'
        "network = true\n",
        encoding="utf-8",
    )
    assert main(["map", "--data", str(data), "--out", str(tmp_path / "o")]) == 0
    page = (tmp_path / "o" / "index.html").read_text("utf-8")
    assert "<img" not in page and "&lt;img src=x" in page


# -- static figures -------------------------------------------------------------------------
@pytest.mark.e2e
def test_cli_map_png_and_svg(tmp_path, capsys):
    png, svg = tmp_path / "f.png", tmp_path / "f.svg"
    args = ["map", "instc-vs-suez", "--out", str(tmp_path), "--png", str(png), "--svg", str(svg)]
    assert main(args) == 0
    with Image.open(png) as img:
        assert img.size == (2400, 1800) and round(img.info["dpi"][0]) == 300
    text = svg.read_text("utf-8")
    assert "<svg" in text and "Natural Earth" in text and "km" in text and "d expected" in text
    assert str(png) in capsys.readouterr().out
    # a figure is of one scene
    assert main(["map", "--out", str(tmp_path), "--png", str(png)]) == 2
    assert "name it" in capsys.readouterr().err


def test_pages_have_a_title_description_and_a_no_leaflet_message(bundled_G):
    m = render.scene_map(bundled_G, "caspian-links")
    page = render.render_html(m)
    assert "<title>Across the Caspian</title>" in page
    assert '<meta name="description" content="Across the Caspian' in page
    assert "cm-noleaflet" in page
    offline = render.render_html(m, self_contained=True)
    assert "<title>Across the Caspian</title>" in offline


def test_basemap_covers_the_world():
    from corridormap.render.page import countries

    doc = countries()
    (_world, hole) = doc["mask"]
    assert hole[0][0] <= -85 and hole[1][0] >= 85  # no grey band: the hole is the whole map
    xs = [
        x
        for f in doc["countries"]["features"]
        for poly in f["geometry"]["coordinates"]
        for x, _ in poly[0]
    ]
    assert min(xs) < -150 and max(xs) > 150  # the Americas and the Far East are land too
    assert len(json.dumps(doc)) < 1_200_000  # a self-contained page stays under 2 MB


# -- scenario maps --------------------------------------------------------------------------
def test_scenario_map_marks_closed_places_and_names_the_scenarios(tmp_path, capsys):
    target = tmp_path / "rs.html"
    args = ["scenario", "red-sea-closed", "--pair", "Mumbai", "Rotterdam", "--map", str(target)]
    assert main(args) == 0
    page = target.read_text("utf-8")
    assert "<title>Scenario: red-sea-closed</title>" in page
    assert "Bab-el-Mandeb: closed" in page  # the closed place is marked and labelled
    assert "0 0 0" not in page and "opened (1) / closed (0)" not in page
    assert "Scenarios applied" in page
    two = tmp_path / "two.html"
    args = ["scenario", "caspian-low-water", "azerbaijan-border-closed", "--map", str(two)]
    assert main([*args, "--self-contained"]) == 0
    page = two.read_text("utf-8")
    assert "caspian-low-water + azerbaijan-border-closed" in page
    assert "SAM-YAL-rail" in page and "caspian \\u00d7 0.75" in page
    capsys.readouterr()


def test_bottleneck_map_has_a_title_pairs_and_only_the_top_links(tmp_path, capsys):
    target = tmp_path / "bn.html"
    args = ["bottlenecks", "Mumbai", "Moscow", "--top", "3", "--map", str(target)]
    assert main(args) == 0
    capsys.readouterr()
    m_page = target.read_text("utf-8")
    assert "<title>Bottlenecks: what closing each link costs</title>" in m_page
    assert "pair: Mumbai - Moscow" in m_page and "the 3 most critical links" in m_page
    # only the top rows are coloured: the others are the thin grey "no value"
    import re

    styles = json.loads(re.search(r"S = (\[.*?\]),\s*\n", m_page).group(1))
    items = json.loads(re.search(r"\n\s*(\[\{\"layer\".*?\}\])\.forEach", m_page).group(1))
    coloured = {i["id"] for i in items if i["kind"] == "link" and styles[i["s"]]["weight"] == 4.0}
    assert 0 < len(coloured) <= 3
    assert "#ffffcc" not in {styles[i["s"]]["color"] for i in items}  # no near-white


def test_color_scale_floor_keeps_zero_visible():
    from corridormap.render.overlays import colormap

    assert colormap("YlOrRd")(0.0) != "#ffffcc"


def test_notebook_display_of_a_map_needs_no_network(tiny_G):
    import html

    m = render.corridor_map(tiny_G)
    shown = m._repr_html_()
    assert shown.startswith("<iframe srcdoc=")
    page = html.unescape(shown.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert render.external_refs(page) == []
    assert "L.map(" in page and "Leaflet" in page  # Leaflet inlined, the map made


def test_places_on_one_spot_name_each_other(bundled_G):
    m = render.corridor_map(bundled_G)
    (feats,) = [c for c in m._children.values() if c._name == "CorridormapFeatures"]
    srj = next(i for i in feats.items if i["kind"] == "node" and i["id"] == "SRJ")
    assert "Also here" in feats.texts[srj["p"]] and "Bandar Abbas" in feats.texts[srj["p"]]


def test_atlas_reads_findings_from_the_demo_tables(tmp_path):
    (tmp_path / "bottlenecks.csv").write_text(
        "ranked,element,name,kind,pair,delta_days,delta_cost_usd,no_route\n"
        "1,A-B,Alpha - Beta (rail),link,A - B,,,True\n"
        "2,B-C,Beta - Gamma (rail),link,A - C,2.5,10,False\n"
        "2,B-C,Beta - Gamma (rail),link,B - C,1.5,10,False\n",
        "utf-8",
    )
    (tmp_path / "scenario-some-railway.csv").write_text(
        "pair,delta_days,delta_cost_usd\nA - B,-0.5,-10\nA - C,-1.5,-20\n", "utf-8"
    )
    page = write_atlas(tmp_path, []).read_text("utf-8")
    assert "1 link(s) whose closure leaves a pair with no route (e.g. Alpha - Beta (rail))" in page
    # a pair's own figure, not the sum over the pairs (4.0)
    assert "Beta - Gamma (rail), +2.5 days for A - C (it lengthens the routes of 2 pairs)" in page
    assert 'href="bottlenecks.csv"' in page
    assert "Scenario: some-railway" in page and "Largest change: A - C, -1.5 days" in page


def test_the_atlas_links_the_explorer_first(tmp_path):
    assert 'href="explorer/index.html"' not in write_atlas(tmp_path, []).read_text("utf-8")
    (tmp_path / "explorer").mkdir()
    (tmp_path / "explorer" / "index.html").write_text("<!DOCTYPE html>", "utf-8")
    (tmp_path / "timeline.html").write_text("<!DOCTYPE html>", "utf-8")
    summary = {"origins": 68, "destinations": 68, "scenarios": 7, "clocks": 2}
    page = write_atlas(tmp_path, [], explorer={**summary, "draws": 2000, "seed": 0})
    text = page.read_text("utf-8")
    assert text.index('href="explorer/index.html"') < text.index('href="timeline.html"')
    assert "68 origins x 68 destinations, 7 scenarios and 2 clocks" in text
    assert "(2,000 draws, seed 0, as corridormap compare gives them)" in text


def test_replay_keeps_to_the_published_days_when_the_last_event_is_short_of_the_end(bundled_G):
    # Helsinki - Astara: the last event is the arrival in Azerbaijan (day 6), the path ends
    # at Astara (IR) and the register gives 8-9 days
    rp = replay(bundled_G, ["helsinki-astara-2021-measured"])
    row = evidence_rows(bundled_G.graph["directory"])["helsinki-astara-2021-measured"]
    assert row["observed"]["low"] <= rp.days <= row["observed"]["high"]


def test_a_users_replay_is_escaped_and_uses_their_register(tmp_path):
    """A user's evidence.toml and scenes.toml: text from both reaches the page as text."""
    data = write_geodata(tmp_path / "geo")
    xss = "<img src=x onerror=alert(1)>"
    (data / "evidence.toml").write_text(
        f"""
[[movement]]
id = "run-1"
title = "A run {xss}"
source = "a source {{{{ 7*7 }}}}"
date = "2024-05"
kind = "measured_run"
measure = "door_to_door"
clock = "from_loading"
movement = "run-1"
path = [
  {{ place = "Alpha" }},
  {{ place = "Gamma", by = "rail" }},
  {{ place = "Delta", by = "rail" }},
]
observed = {{ low = 9.0, high = 10.0, unit = "days" }}
events = [
  {{ date = "2024-05-01", text = "left Alpha {xss}" }},
  {{ date = "2024-05-10", text = "reached Delta" }},
]
notes = "n"
""",
        encoding="utf-8",
    )
    (data / "scenes.toml").write_text(
        '[run]\ntitle = "Run"\ndescription = "The run"\nreplay = ["run-1"]\n', encoding="utf-8"
    )
    G = cm.load_network(data)
    view = compute_scene(G, load_scenes(G)["run"])
    assert view.replay.start == dt.date(2024, 5, 1) and view.replay.days == pytest.approx(9.0)
    m = render.scene_map(G, "run")
    page = render.render_html(m, self_contained=True)
    assert not any(f"{lt}img src=x" in page for lt in ("<", "\\u003c", "\\x3c"))  # never raw HTML
    assert "{{ 7*7 }}" not in page
    (el,) = [c for c in m._children.values() if c._name == "CorridormapReplay"]
    pops = " ".join(e["pop"] for e in el.data["events"])
    assert "left Alpha &lt;img src=x onerror=alert(1)&gt;" in pops  # shown as text
    assert "a source &#123;&#123; 7*7 &#125;&#125;" in pops
