"""Map scenes as data: geodata/scenes.toml, a user's own scenes, scenes that do not apply."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import corridormap as cm
from conftest import write_geodata
from corridormap import mapscenes
from corridormap.cli import main
from corridormap.render.mapscenes import scene_map, write_scenes

OWN_SCENES = """
[alpha-delta]
title = "Alpha to Delta"
description = "Fastest and cheapest from Alpha to Delta"

[[alpha-delta.routes]]
from = "Alpha"
to = "Delta"
label = "fastest"

[[alpha-delta.routes]]
from = "Alpha"
to = "Delta"
by = "cost_usd"
label = "cheapest"

[with-plan]
title = "The planned link"
description = "Beta to Delta over the planned railway"
zoom_links = ["B-D-plan"]
zoom_pad_deg = 1.0

[[with-plan.routes]]
from = "Beta"
to = "Delta"
opened_links = ["B-D-plan"]
closed_links = ["B-C"]
label = "planned"

[whole]
title = "Everything"
description = "The whole network"
network = true
"""


def test_bundled_scenes_are_the_data_file(bundled_G):
    defs = mapscenes.load_scenes(bundled_G)
    assert list(defs) == list(mapscenes.SCENES)
    assert list(defs) == [
        "overview",
        "instc-vs-suez",
        "rasht-astara-gap",
        "caspian-links",
        "shipment-2023",
        "replay-first-transit-2022",
        "replay-russia-saudi-2023",
        "replay-trial-2016",
        "replay-helsinki-astara-2021",
    ]
    assert defs["replay-first-transit-2022"].replay == ("first-transit-2022",)
    assert defs["overview"].network and not defs["overview"].routes
    assert defs["rasht-astara-gap"].routes[1].opened_links == ("ASI-RSH-rail",)
    # scenes that state facts say where they come from
    assert defs["rasht-astara-gap"].source and defs["shipment-2023"].source
    view = mapscenes.compute_scene(bundled_G, defs["instc-vs-suez"])
    assert [r.origin for r in view.routes] == [cm.route(bundled_G, "Mumbai", "Moscow").origin] * 2
    days = view.percentiles[1]["days"]["expected"]
    assert view.names[1] == f"By sea via Suez: {days:.1f} days expected"
    assert any("Suez" in str(leg.get("to_name")) for leg in view.routes[1].legs)
    caspian = mapscenes.compute_scene(bundled_G, defs["caspian-links"])
    assert all(" by ship: " in n or " rail ferry: " in n for n in caspian.names)
    # the legend names what its figure measures: door to door, not the crossing alone
    assert caspian.names[0].startswith("Moscow → Tehran door to door, crossing ")


def test_a_users_data_defines_its_own_scenes(tmp_path, caplog):
    data = write_geodata(tmp_path / "geo")
    (data / "scenes.toml").write_text(OWN_SCENES, encoding="utf-8")
    G = cm.load_network(data)
    assert list(mapscenes.load_scenes(G)) == ["alpha-delta", "with-plan", "whole"]
    view = mapscenes.compute_scene(G, mapscenes.load_scenes(G)["with-plan"])
    assert "B-D-plan" in view.routes[0].link_ids
    out = tmp_path / "out"
    paths = write_scenes(G, out)
    assert [p.name for p in paths] == [
        "map-alpha-delta.html",
        "map-with-plan.html",
        "map-whole.html",
    ]
    page = paths[0].read_text(encoding="utf-8")
    assert "Alpha to Delta" in page and "cheapest: " in page and " days expected" in page
    m = scene_map(G, "with-plan")
    fits = [c for c in m._children.values() if c._name == "CorridormapFit"]
    # opened on the planned link (B at 44 E 45 N, D at 56 E 27 N) one degree round, not on all
    assert fits[0].bounds == [[26.0, 43.0], [46.0, 57.0]]


def test_scenes_that_do_not_apply_are_skipped_or_refused(tiny_G, tmp_path, caplog):
    # the tiny network has no scenes.toml: the bundled scenes, of which only overview applies
    with caplog.at_level(logging.WARNING, logger="corridormap.mapscenes"):
        paths = write_scenes(tiny_G, tmp_path)
    assert [p.name for p in paths] == ["map-overview.html"]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == len(mapscenes.SCENES) - 1 and all("skipped" in s for s in skipped)
    assert any("rasht-astara-gap" in s and "ASI-RSH-road" in s for s in skipped)
    with pytest.raises(mapscenes.SceneError, match=r"instc-vs-suez.*Mumbai"):
        write_scenes(tiny_G, tmp_path / "x", names=["instc-vs-suez"])
    assert not (tmp_path / "x").exists()  # nothing written when a scene fails
    with pytest.raises(ValueError, match="no scene 'nope'; scenes are: overview"):
        scene_map(tiny_G, "nope")
    # a single name is one scene, not a list of characters
    assert [p.name for p in write_scenes(tiny_G, tmp_path, names="overview")] == [
        "map-overview.html"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[a]\ntitle = 'A'\n", r"scenes.toml: feature 'a': field 'description': is missing"),
        (
            "[a]\ntitle = 'A'\ndescription = 'd'\n",
            "feature 'a': a scene draws the network",
        ),
        (
            "[a]\ntitle = 'A'\ndescription = 'd'\nnetwork = 'yes'\n",
            "field 'network': expected true or false",
        ),
        (
            "[a]\ntitle = 'A'\ndescription = 'd'\ncolour = 1\nnetwork = true\n",
            "unknown key.*'colour'",
        ),
        (
            "[a]\ntitle = 'A'\ndescription = 'd'\n[[a.routes]]\nfrom = 'A'\nlabel = 'x'\n",
            r"feature 'a.routes\[0\]': field 'to': is missing",
        ),
        (
            "[a]\ntitle = 'A'\ndescription = 'd'\n[[a.routes]]\nfrom = 'A'\nto = 'D'\n"
            "label = 'x'\nvia = 'Beta'\n",
            "field 'via': expected a list",
        ),
        ("[a\n", "scenes.toml: is not valid TOML"),
        ("", "scenes.toml: defines no scene"),
    ],
)
def test_bad_scene_files_say_where(tmp_path: Path, text: str, message: str):
    data = write_geodata(tmp_path / "geo")
    (data / "scenes.toml").write_text(text, encoding="utf-8")
    G = cm.load_network(data)
    with pytest.raises(mapscenes.SceneError, match=message):
        mapscenes.load_scenes(G)
    assert main(["map", "--data", str(data), "--out", str(tmp_path / "out")]) == 2


def test_cli_map_runs_the_scenes_that_apply(tmp_path, capsys):
    data = write_geodata(tmp_path / "geo")
    assert main(["map", "--data", str(data), "--out", str(tmp_path / "a")]) == 0
    assert capsys.readouterr().out.split() == [
        str(tmp_path / "a" / "map-overview.html"),
        str(tmp_path / "a" / "index.html"),
    ]
    # asked for by name, a bundled scene that does not apply is one line and exit 2
    assert main(["map", "instc-vs-suez", "--data", str(data), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'instc-vs-suez'" in err and "Mumbai" in err
    assert not (tmp_path / "c").exists()
    (data / "scenes.toml").write_text(OWN_SCENES, encoding="utf-8")
    assert main(["map", "--data", str(data), "--out", str(tmp_path / "b")]) == 0
    assert len(capsys.readouterr().out.split()) == 4  # three scenes and the atlas
