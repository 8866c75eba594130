"""The corridor through time: through_time on a small dated network, its page and the atlas."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

import corridormap as cm
from conftest import tiny, write_geodata
from corridormap.cli import main
from corridormap.render._html import esc
from corridormap.render.atlas import write_atlas
from corridormap.render.timeline import timeline_finding, timeline_page
from corridormap.timeline import through_time

TODAY = dt.date(2019, 1, 1)
SERIES = [{"label": "any mode"}, {"label": "rail only", "modes": ["rail"]}]
XSS = "<img src=x onerror=alert(1)>{{7*7}}"


def _geo(tmp_path, *, name="Delta"):
    data = tiny()
    for f in data["nodes"] + data["links"]:
        p = f["properties"]
        if p["id"] == "C-D":
            p.update(opened="2018-03-29", opened_source="railway opened")
        if p["id"] == "D":
            p["name"] = name
        if p["id"] == "B-D-plan":
            p.update(opened="2020-06", opened_source="target")
    return write_geodata(tmp_path / "geo", data)


@pytest.fixture
def line(tmp_path):
    return through_time(
        _geo(tmp_path), "Alpha", "Delta", range(2016, 2022), series=SERIES, today=TODAY
    )


def test_each_year_is_the_network_of_its_1_july(line):
    by_year = {r["year"]: r for r in line.rows}
    assert [r["date"] for r in line.rows] == [f"{y}-07-01" for y in range(2016, 2022)]
    # by any mode the gap road carries the cargo before the railway: a route every year
    assert all(r["results"][0]["days"] is not None for r in line.rows)
    # by rail only, none until the railway opened (29 March 2018)
    assert [by_year[y]["results"][1]["days"] for y in (2016, 2017)] == [None, None]
    assert "no route" in by_year[2017]["results"][1]["note"]
    rail_2018 = by_year[2018]["results"][1]
    assert rail_2018["days"] > 0 and rail_2018["modes"] == ["rail"]
    assert rail_2018["route"][0] == "Alpha" and rail_2018["route"][-1] == "Delta"
    # the figure is the route's expected transit days on that year's network
    G = cm.load_network(line.directory, as_of="2018-07-01")
    assert rail_2018["days"] == round(cm.route(G, "Alpha", "Delta", modes=["rail"]).days, 2)


def test_years_after_today_are_projections_and_open_targets(line):
    assert [r["projection"] for r in line.rows] == [False] * 3 + [True] * 3
    by_year = {r["year"]: r for r in line.rows}
    # the planned Beta - Delta railway (target 2020-06) is shorter: rail days drop in 2020
    assert by_year[2020]["results"][1]["days"] < by_year[2019]["results"][1]["days"]
    assert "Beta" in by_year[2020]["results"][1]["route"]


def test_each_year_lists_what_the_data_dates_in_it(line):
    texts = {r["year"]: [e["text"] for e in r["events"]] for r in line.rows}
    assert texts[2018] == ["Gamma – Delta rail opened"]
    assert texts[2020] == ["Beta – Delta rail: target for opening (planned)"]
    assert texts[2016] == texts[2017] == texts[2019] == texts[2021] == []
    assert [e["source"] for e in line.events] == ["railway opened", "target"]


def test_frame_dict_and_repr(line):
    frame = line.to_frame()
    assert list(frame.columns) == ["year", "date", "projection", "series", "days", "route", "note"]
    assert len(frame) == 6 * 2
    doc = json.loads(json.dumps(line.to_dict()))
    assert doc["today"] == "2019-01-01" and doc["day"] == "07-01"
    assert "Timeline(Alpha -> Delta, any mode" in repr(line)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"years": []}, "1 to 400 years"),
        ({"years": ["2018"]}, "whole years"),
        ({"years": 2018}, "list of years"),
        ({"series": [{"label": "x", "modes": ["raod"]}]}, "names mode 'raod'"),
        ({"series": [{"modes": ["rail"]}]}, "'label'"),
        ({"series": []}, "at least one"),
        ({"day": "02-30"}, "MM-DD"),
        ({"day": "7-1"}, "MM-DD"),
        ({"today": "soon"}, "today must be a date"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, text):
    args = {"years": range(2017, 2019), **kwargs}
    with pytest.raises(cm.InputError, match=re.escape(text)):
        through_time(_geo(tmp_path), "Alpha", "Delta", **args)


def test_an_unknown_place_is_an_error_not_a_missing_figure(tmp_path):
    with pytest.raises(cm.UnknownPlaceError, match="did you mean 'Alpha'"):
        through_time(_geo(tmp_path), "Alpah", "Delta", range(2017, 2019), today=TODAY)


def test_a_place_not_yet_open_has_no_figure_that_year(tmp_path):
    data = tiny()
    for f in data["nodes"]:
        if f["properties"]["id"] == "D":
            f["properties"].update(opened="2018", opened_source="port opened")
    geo = write_geodata(tmp_path / "late", data)
    line = through_time(geo, "Alpha", "Delta", range(2017, 2019), today=TODAY)
    first, second = (r["results"][0] for r in line.rows)
    assert first["days"] is None and "not in service" in first["note"]
    assert second["days"] is not None


def test_the_page_escapes_every_text_and_loads_nothing(tmp_path):
    line = through_time(
        _geo(tmp_path, name=XSS), "Alpha", "D", range(2017, 2020), series=SERIES, today=TODAY
    )
    page = line.to_html()
    assert "<img" not in page and "{{" not in page
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) is None
    assert "<link" not in page
    data = json.loads(page.split('id="cm-timeline-data">')[1].split("</script>")[0])
    assert XSS in data["rows"][1]["results"][1]["route"]  # the name survives, as data
    assert page.count("<script") == 2  # the data and the inline script, nothing fetched
    assert 'min="2017" max="2019"' in page and 'value="2018"' in page  # starts at today's year


def test_the_page_needs_a_year():
    with pytest.raises(ValueError, match="at least one year"):
        timeline_page({"origin": "A", "destination": "B", "rows": [], "series": [], "today": ""})


def test_finding_and_atlas_card(tmp_path, line):
    finding = timeline_finding(line.to_dict())
    assert finding.startswith("Alpha – Delta, any mode: ")
    assert "in 2016" in finding and "in 2018" in finding and "in 2021 (projection)" in finding
    out = tmp_path / "atlas"
    out.mkdir()
    line.save(out / "timeline.html")
    index = write_atlas(out, [], timeline=line.to_dict()).read_text(encoding="utf-8")
    assert 'href="timeline.html"' in index and "Through time" in index
    assert esc(finding) in index


def test_cli_map_timeline(tmp_path, capsys):
    geo = _geo(tmp_path)
    out = tmp_path / "out"
    args = ["map", "timeline", "--data", str(geo), "--out", str(out)]
    code = main([*args, "--from", "Alpha", "--to", "Delta", "--years", "2016-2018"])
    res = capsys.readouterr()
    assert code == 0, res.err
    assert res.out.strip() == str(out / "timeline.html")
    page = (out / "timeline.html").read_text(encoding="utf-8")
    assert 'min="2016" max="2018"' in page and "Alpha – Delta through time" in page
    # without --from/--to the bundled analysis.toml's pair is used: not in this network
    assert main(args) == 2
    assert "'Mumbai' (IN) is not in the network" in capsys.readouterr().err
    assert main([*args, "--years", "2018-2016"]) == 2
    assert "FIRST <= LAST" in capsys.readouterr().err


def test_demo_as_of_says_its_date_and_writes_the_timeline(tmp_path, capsys):
    """`demo --as-of`: the route report, tables and atlas say the date; the timeline page of
    the data's [demo.timeline] is written and listed in the atlas."""
    geo = _geo(tmp_path)
    (geo / "analysis.toml").write_text(
        '[bottlenecks]\npairs = [["Alpha", "Delta"]]\n[demo]\nscenarios = []\n'
        '[[demo.route]]\nname = "A to D"\nfrom = "Alpha"\nto = "Delta"\n'
        '[demo.timeline]\nfrom = "Alpha"\nto = "Delta"\nyears = [2016, 2019]\n'
        '[[demo.timeline.series]]\nlabel = "rail only"\nmodes = ["rail"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["demo", "--data", str(geo), "--out", str(out), "--as-of", "2017-06"]) == 0
    assert str(out / "timeline.html") in capsys.readouterr().out.splitlines()
    report = (out / "route-report.md").read_text(encoding="utf-8")
    assert "network as of 2017-06-01" in report
    # as of 2017 the railway C-D was not built: the route takes the gap road
    doc = json.loads((out / "route-report.json").read_text(encoding="utf-8"))[0]
    assert doc["as_of"] == "2017-06-01" and "C-D-road" in [x["link_id"] for x in doc["legs"]]
    assert (out / "bottlenecks.csv").read_text(encoding="utf-8").splitlines()[0].endswith("as_of")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "network as of 2017-06-01" in index and 'href="timeline.html"' in index
    assert "Alpha – Delta, rail only: no route in 2016" in index
