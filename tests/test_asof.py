"""The network as of a date: the rules of corridormap.asof, the loader's checks of the dates,
and the command line's --as-of, on small networks built in code and on the bundled data."""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridormap as cm
from conftest import PARAMS, P, tiny, write_geodata
from corridormap.asof import as_of_date, dated_events, geodata_as_of
from corridormap.cli import main
from corridormap.io import load_geodata
from corridormap.network import build_network

TODAY = dt.date(2026, 12, 7)


def _feature(data, fid):
    return next(f for f in data["nodes"] + data["links"] if f["properties"]["id"] == fid)


def _set(data, fid, **props):
    _feature(data, fid)["properties"].update(props)
    return data


def _dated(tmp_path, edit=None, params=PARAMS):
    data = tiny()
    if edit is not None:
        edit(data)
    return load_geodata(write_geodata(tmp_path / "geo", data, params))


def _status(gd, lid):
    return gd.links[lid]["status"]


def _rail_route(gd, a, b):
    return cm.route(build_network(gd), a, b, modes=["rail"])


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2018", dt.date(2018, 1, 1)),
        ("2018-03", dt.date(2018, 3, 1)),
        ("2018-03-29", dt.date(2018, 3, 29)),
        (dt.date(2018, 3, 29), dt.date(2018, 3, 29)),
    ],
)
def test_a_partial_date_means_its_first_day(text, day):
    assert as_of_date(text) == day


@pytest.mark.parametrize("bad", ["2019-02-30", "2018-13", "18", "2018/03", "", None, 2018])
def test_a_malformed_date_is_refused(bad):
    with pytest.raises(cm.InputError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
        as_of_date(bad)


def test_none_is_the_data_as_written(tmp_path):
    gd = _dated(tmp_path)
    assert geodata_as_of(gd, None) is gd
    G = cm.load_network(tmp_path / "geo")
    assert "as_of" not in G.graph
    dated = cm.load_network(tmp_path / "geo", as_of="2020")
    assert dated.graph["as_of"]["date"] == "2020-01-01"


# -- links: opened, closed -------------------------------------------------------------------
def test_a_link_opened_after_the_date_is_planned_and_a_scenario_may_open_it(tmp_path):
    gd = _dated(tmp_path, lambda d: _set(d, "C-D", opened="2018-03-29", opened_source="s"))
    before = geodata_as_of(gd, "2018-03-28", today=TODAY)
    assert _status(before, "C-D") == "planned"
    assert before.as_of["not_built"] == ["C-D"]
    with pytest.raises(cm.NoRouteError):
        _rail_route(before, "Alpha", "Delta")
    G = build_network(before)
    opened = cm.route(
        G, "Alpha", "Delta", modes=["rail"], weight=cm.make_weight(opened_links=["C-D"])
    )
    assert "C-D" in opened.link_ids
    on_the_day = geodata_as_of(gd, "2018-03-29", today=TODAY)
    assert _status(on_the_day, "C-D") == "operational"
    assert "C-D" in _rail_route(on_the_day, "Alpha", "Delta").link_ids


@pytest.mark.parametrize(
    ("opened", "out_on", "in_on"),
    [("2018", "2017-12-31", "2018-01-01"), ("2018-03", "2018-02-28", "2018-03")],
)
def test_a_partial_opening_date_is_in_service_from_its_first_day(tmp_path, opened, out_on, in_on):
    gd = _dated(tmp_path, lambda d: _set(d, "C-D", opened=opened, opened_source="s"))
    assert _status(geodata_as_of(gd, out_on, today=TODAY), "C-D") == "planned"
    assert _status(geodata_as_of(gd, in_on, today=TODAY), "C-D") == "operational"


def test_a_link_closed_on_or_before_the_date_is_out_of_service(tmp_path):
    gd = _dated(tmp_path, lambda d: _set(d, "A-B", closed="2022-02-24", closed_source="s"))
    assert "A-B" in geodata_as_of(gd, "2022-02-23", today=TODAY).links
    after = geodata_as_of(gd, "2022-02-24", today=TODAY)
    assert "A-B" not in after.links
    assert after.as_of["withheld"]["A-B"]["why"].startswith("closed 2022-02-24")


def test_the_input_is_never_changed(tmp_path):
    def edit(d):
        _set(d, "C-D", opened="2018", opened_source="s", capacity=3.0, capacity_unit="Mt/yr")
        _feature(d, "C-D")["properties"]["changes"] = [
            {"date": "2010", "field": "capacity", "value": 1.0, "source": "s"}
        ]
        _set(d, "D", opened="2019", opened_source="s")

    gd = _dated(tmp_path, edit)
    snapshot = copy.deepcopy((gd.nodes, gd.links, gd.params, gd.regions))
    for day in ("2012", "2018-06", "2030"):
        geodata_as_of(gd, day, today=TODAY)
    assert (gd.nodes, gd.links, gd.params, gd.regions) == snapshot
    assert gd.as_of is None


# -- places ------------------------------------------------------------------------------------
def test_a_place_opened_after_the_date_is_left_out_with_its_links(tmp_path):
    def edit(d):
        _set(d, "D", opened="2020-05", opened_source="s")
        (tmp_path / "geo").mkdir(parents=True, exist_ok=True)
        (tmp_path / "geo" / "regions.toml").write_text(
            '[regions.south]\nnodes = ["C", "D"]\n', encoding="utf-8"
        )

    gd = _dated(tmp_path, edit)
    before = geodata_as_of(gd, "2020-04-30", today=TODAY)
    assert "D" not in before.nodes
    touching = {"C-D", "C-D-road", "B-D-plan", "E-D"}
    assert touching.isdisjoint(before.links)
    assert touching | {"D"} <= set(before.as_of["withheld"])
    assert before.regions["south"] == ["C"]
    G = build_network(before)
    with pytest.raises(cm.UnknownPlaceError, match=r"not in service .* opened 2020-05"):
        cm.route(G, "Alpha", "Delta")
    after = geodata_as_of(gd, "2020-05-01", today=TODAY)
    assert "D" in after.nodes and touching <= set(after.links)


def test_a_closed_place_is_left_out(tmp_path):
    gd = _dated(tmp_path, lambda d: _set(d, "B", closed="2021", closed_source="s"))
    after = geodata_as_of(gd, "2021-01-01", today=TODAY)
    assert "B" not in after.nodes and "A-B" not in after.links and "B-C" not in after.links


def test_a_scenario_may_close_but_not_open_what_a_date_left_out(tmp_path):
    d = tmp_path / "geo"
    gd = _dated(tmp_path, lambda x: _set(x, "D", opened="2020", opened_source="s"))
    G = build_network(geodata_as_of(gd, "2019", today=TODAY))
    closing = d / "close.toml"
    closing.write_text('name = "c"\n[changes]\nclose_links = ["E-D"]\n', encoding="utf-8")
    cm.apply_scenario(G, str(closing))
    opening = d / "open.toml"
    opening.write_text('name = "o"\n[changes]\nopen_links = ["B-D-plan"]\n', encoding="utf-8")
    with pytest.raises(cm.ScenarioError, match=r"not on the network as of 2019-01-01"):
        cm.apply_scenario(G, str(opening))


# -- targets -----------------------------------------------------------------------------------
def test_a_planned_link_opens_at_its_target_only_in_a_projection(tmp_path):
    gd = _dated(tmp_path, lambda d: _set(d, "B-D-plan", opened="2029-03", opened_source="target"))
    assert _status(geodata_as_of(gd, "2029-01", today=TODAY), "B-D-plan") == "planned"
    projected = geodata_as_of(gd, "2029-03", today=TODAY)
    assert _status(projected, "B-D-plan") == "operational"
    assert projected.as_of["projected"] == ["B-D-plan"]
    # the target passed while the link is still planned: it opens on no date
    later = dt.date(2029, 6, 1)
    for day in ("2029-03", "2029-06-01", "2035"):
        assert _status(geodata_as_of(gd, day, today=later), "B-D-plan") == "planned"
    # a past date never opens it
    assert _status(geodata_as_of(gd, "2020", today=TODAY), "B-D-plan") == "planned"


# -- changes ---------------------------------------------------------------------------------
def _capacity_changes(d):
    _set(d, "C-D", capacity=3.0, capacity_unit="Mt/yr")
    _feature(d, "C-D")["properties"]["changes"] = [
        {"date": "2012", "field": "capacity", "value": 0.75, "source": "old bridge"},
        {"date": "2023-12-30", "field": "capacity", "value": 3.0, "source": "new bridge"},
    ]


@pytest.mark.parametrize(
    ("day", "capacity"),
    [("2011-12-31", 3.0), ("2012", 0.75), ("2023-12-29", 0.75), ("2023-12-30", 3.0)],
)
def test_the_latest_change_on_or_before_the_date_sets_the_value(tmp_path, day, capacity):
    gd = _dated(tmp_path, _capacity_changes)
    got = geodata_as_of(gd, day, today=TODAY)
    assert got.links["C-D"]["capacity"] == capacity
    G = build_network(got)
    assert {d["capacity"] for *_, d in G.edges(data=True) if d.get("link_id") == "C-D"} == {
        capacity
    }


LINE = f"[services.line]\nheadway_h = {P(168, 84, 336)}"
SERVICE_CHANGES = """
[services.line]
changes = [
  { date = "2010", field = "headway_h", value = 84.0, source = "before" },
  { date = "2022-03", field = "headway_h", value = 168.0, source = "after" },
]
"""


def test_a_service_change_scales_its_range(tmp_path):
    params = PARAMS.replace(
        LINE,
        SERVICE_CHANGES + "[services.line.headway_h]\nlow = 84\nlikely = 168\nhigh = 336\n"
        'source = "t"\nbasis = "estimated"\n',
    )
    assert params != PARAMS
    gd = _dated(tmp_path, params=params)
    old = geodata_as_of(gd, "2015", today=TODAY)
    table = old.params["services"]["line"]["headway_h"]
    assert (table["low"], table["likely"], table["high"]) == (42.0, 84.0, 168.0)
    assert old.as_of["changed"][0]["factor"] == 0.5
    assert geodata_as_of(gd, "2023", today=TODAY).params == gd.params
    # the edges are weighted with that date's headway: half of it is the wait for a sailing
    G_old, G_now = build_network(old), build_network(gd)
    r_old = cm.route(G_old, "Echo", "Delta", clock="door-to-door")
    r_now = cm.route(G_now, "Echo", "Delta", clock="door-to-door")
    assert r_now.schedule_wait_h == pytest.approx(2 * r_old.schedule_wait_h)


def test_a_calibrated_range_keeps_its_ratio_to_the_sourced_value(tmp_path):
    params = PARAMS.replace(
        LINE,
        SERVICE_CHANGES + "[services.line.headway_h]\nlow = 84.0\nlikely = 150.0\nhigh = 336.0\n"
        'source = "t"\nbasis = "calibrated"\ncalibrated_from = 168.0\n'
        "sourced_range = [84.0, 336.0]\n",
    )
    gd = _dated(tmp_path, params=params)
    table = geodata_as_of(gd, "2015", today=TODAY).params["services"]["line"]["headway_h"]
    assert table["likely"] == 75.0 and table["calibrated_from"] == 84.0
    assert table["sourced_range"] == [42.0, 168.0] and (table["low"], table["high"]) == (42, 168)
    from corridormap._schema import check_param

    check_param(table, "parameters.toml", "services.line.headway_h")  # still a valid table
    assert geodata_as_of(gd, "2022-03", today=TODAY).params == gd.params


def test_dated_events_lists_openings_targets_and_changes(tmp_path):
    def edit(d):
        _capacity_changes(d)
        _set(d, "D", opened="2015", opened_source="port opened")
        _set(d, "B-D-plan", opened="2025", opened_source="target")

    events = dated_events(_dated(tmp_path, edit), today=TODAY)
    texts = [(e["date"], e["event"], e["text"]) for e in events]
    assert texts == [
        ("2012", "changed", "Gamma – Delta rail: capacity 0.75 Mt/yr"),
        ("2015", "opened", "Delta opened"),
        ("2023-12-30", "changed", "Gamma – Delta rail: capacity 0.75 Mt/yr → 3 Mt/yr"),
        (
            "2025",
            "target",
            "Beta – Delta rail: target for opening (planned); passed, still planned on 2026-12-07",
        ),
    ]
    assert {e["source"] for e in events} == {"old bridge", "port opened", "new bridge", "target"}


# -- the loader's checks -------------------------------------------------------------------
def _change(**kw):
    base = {"date": "2015", "field": "capacity", "value": 1.0, "source": "s"}
    return {k: v for k, v in {**base, **kw}.items() if v is not ...}


BAD = [
    ("malformed opened", {"opened": "2018-13", "opened_source": "s"}, "'opened'", "YYYY"),
    ("impossible day", {"closed": "2019-02-30", "closed_source": "s"}, "'closed'", "real day"),
    ("opened without source", {"opened": "2018"}, "'opened_source'", "missing"),
    ("source without date", {"closed_source": "s"}, "'closed_source'", "without closed"),
    (
        "closed before opened",
        {"opened": "2018", "opened_source": "s", "closed": "2017", "closed_source": "s"},
        "'closed'",
        "before opened",
    ),
    ("changes not a list", {"changes": "2015: 1"}, "'changes'", "list of tables"),
    ("change lacks a key", {"changes": [_change(source=...)]}, "changes[0]", "lacks 'source'"),
    ("change has another key", {"changes": [{**_change(), "unit": "t"}]}, "changes[0]", "'unit'"),
    ("change of a field it lacks", {"changes": [_change(field="speed")]}, ".field", "does not"),
    ("change of an identity", {"changes": [_change(field="to", value="B")]}, ".field", "cannot"),
    ("change of a number to text", {"changes": [_change(value="big")]}, ".value", "number"),
    (
        "change with a bad status",
        {"changes": [_change(field="status", value="open")]},
        "",
        "one of",
    ),
    ("change with a bad date", {"changes": [_change(date="2015-00")]}, ".date", "YYYY"),
    (
        "changes out of order",
        {"changes": [_change(date="2016"), _change(date="2015")]},
        "changes[1].date",
        "date order",
    ),
]


@pytest.mark.parametrize(("what", "props", "field", "text"), BAD, ids=[b[0] for b in BAD])
def test_malformed_dates_are_refused_naming_file_feature_and_field(
    tmp_path, what, props, field, text
):
    def edit(d):
        _set(d, "C-D", capacity=3.0, capacity_unit="Mt/yr", **props)

    with pytest.raises(cm.GeodataError) as err:
        _dated(tmp_path, edit)
    msg = str(err.value)
    assert "links.geojson" in msg and "'C-D'" in msg and field in msg and text in msg, msg


def test_a_node_date_is_checked_too(tmp_path):
    with pytest.raises(cm.GeodataError, match=r"nodes.geojson: feature 'D': field 'opened'"):
        _dated(tmp_path, lambda d: _set(d, "D", opened="soon", opened_source="s"))


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ('{ date = "2015", field = "wait_h", value = 1.0, source = "s" }', "does not have"),
        ('{ date = "2015", field = "headway_h", value = -1.0, source = "s" }', "zero or more"),
        ('{ date = "2015", field = "headway_h", value = 1e7, source = "s" }', "out of range"),
        ('{ date = "2015", field = "headway_h", value = 1.0, source = "" }', "empty"),
    ],
)
def test_a_parameter_change_is_checked(tmp_path, change, text):
    params = PARAMS.replace("[services.feeder]\n", f"[services.feeder]\nchanges = [{change}]\n")
    with pytest.raises(cm.GeodataError) as err:
        _dated(tmp_path, params=params)
    assert "parameters.toml" in str(err.value) and "services.feeder" in str(err.value)
    assert text in str(err.value)


def test_the_fields_the_build_carries_are_accepted(tmp_path):
    def edit(d):
        _set(
            d,
            "C-D",
            opened="2018-03-29",
            opened_source="s",
            length_source="measured",
            length_note="n",
            operator="RAI",
            measured_km=12.5,
            capacity=2.0,
            capacity_unit="Mt/yr",
            capacity_source="s",
        )
        _set(d, "D", closed="2030", closed_source="s", changes=[])

    gd = _dated(tmp_path, edit)
    assert gd.links["C-D"]["opened"] == "2018-03-29" and gd.nodes["D"]["closed"] == "2030"


# -- the bundled data -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled():
    return load_geodata()


@pytest.mark.parametrize(
    ("day", "found"),
    [("2017-06", False), ("2018-03-28", False), ("2018-03-29", True), ("2019-01", True)],
)
def test_astara_by_rail_opened_on_29_march_2018(bundled, day, found):
    G = build_network(geodata_as_of(bundled, day, today=TODAY))
    if found:
        r = cm.route(G, "Astara (IR)", "Astara (AZ)", modes=["rail"])
        assert r.link_ids == ["ASA-ASI-rail"]
    else:
        with pytest.raises(cm.NoRouteError):
            cm.route(G, "Astara (IR)", "Astara (AZ)", modes=["rail"])


def test_bundled_targets_open_only_in_a_projection(bundled):
    def status(day, lid, today=TODAY):
        return geodata_as_of(bundled, day, today=today).links[lid]["status"]

    assert status("2029-01", "ASI-RSH-rail") == "planned"
    assert status("2029-03", "ASI-RSH-rail") == "operational"
    # Chabahar - Zahedan's target (2026-03-20) passed before TODAY: it opens on no date
    assert status("2027", "ZBR-ZAH-rail") == "under_construction"
    assert status("2026-04", "ZBR-ZAH-rail", today=dt.date(2026, 1, 1)) == "operational"


def test_bundled_places_opened_later_are_left_out(bundled):
    gd = geodata_as_of(bundled, "2017-12", today=TODAY)
    assert "CSP" not in gd.nodes and "OLY-CSP-caspian" in gd.as_of["withheld"]
    assert "CSP" in geodata_as_of(bundled, "2018-03", today=TODAY).nodes
    # the route families still apply: closing a link not in service changes nothing
    G = build_network(geodata_as_of(bundled, "2012", today=TODAY))
    comp = cm.compare(G, "Mumbai", "Moscow", draws=50)
    assert len(comp.to_frame()) == len(cm.FAMILIES)


def test_bundled_changes_in_force_today_are_the_values_written(bundled):
    """Today's network as of today is the data as written: a field's latest change up to
    today states the field's own value (for a parameter: its sourced likely value)."""
    same = geodata_as_of(bundled, TODAY, today=TODAY)
    differ = [
        f"{c['id']}.{c['field']}: written {c['written']}, latest change {c['value']} "
        f"(since {c['since']})"
        for c in same.as_of["changed"]
    ]
    assert differ == [], "; ".join(differ)


# -- the command line ----------------------------------------------------------------------------
def call(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_route_astara_by_rail_as_of(capsys):
    code, out, err = call(
        capsys, "route", "Astara (IR)", "Astara (AZ)", "--modes", "rail", "--as-of", "2017-06"
    )
    assert code == 3 and out == ""
    assert "no route" in err and "network as of 2017-06-01" in err and err.count("\n") == 1
    code, out, err = call(
        capsys, "route", "Astara (IR)", "Astara (AZ)", "--modes", "rail", "--as-of", "2019-01"
    )
    assert code == 0, err
    assert out.splitlines()[0] == "network as of 2019-01-01"
    code, out, _ = call(
        capsys, "route", "Astara (IR)", "Astara (AZ)", "--as-of", "2019-01", "--format", "json"
    )
    assert code == 0 and json.loads(out)["as_of"] == "2019-01-01"
    code, out, _ = call(capsys, "route", "Astara (IR)", "Astara (AZ)", "--format", "json")
    assert code == 0 and "as_of" not in json.loads(out)


def test_cli_as_of_in_csv_and_lists(capsys):
    code, out, _ = call(capsys, "places", "--as-of", "2012", "--format", "csv")
    header, *rows = out.splitlines()
    assert code == 0 and header.split(",")[-1] == "as_of" and rows[0].endswith(",2012-01-01")
    assert not any(r.startswith("CSP,") for r in rows)
    code, out, _ = call(capsys, "places", "--as-of", "2012", "--format", "json")
    assert {p["as_of"] for p in json.loads(out)} == {"2012-01-01"}


def test_cli_place_not_in_service(capsys):
    code, _, err = call(capsys, "route", "Mumbai", "Aprin", "--as-of", "2020")
    assert code == 2
    assert "is not in service on the network as of 2020-01-01: opened 2023-03-06" in err


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["route", "Mumbai", "Moscow", "--as-of", "2019-02-30"], "not a date"),
        (["route", "Mumbai", "Moscow", "--as-of", "next year"], "not a date"),
        (["calibrate", "--as-of", "2019"], "does not apply"),
        (["backtest", "--as-of", "2016-09"], "its own date"),
        (["map", "timeline", "--as-of", "2019", "--out", "x"], "does not apply"),
    ],
)
def test_cli_as_of_refused(capsys, args, text):
    code, out, err = call(capsys, *args)
    assert code == 2 and out == "" and text in err and err.count("\n") == 1


def test_every_command_takes_as_of():
    from corridormap.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, sp in sub.choices.items():
        assert any(a.dest == "as_of" for a in sp._actions), name


def test_maps_and_charts_say_the_date(tmp_path, capsys):
    from corridormap.render import corridor_map, render_html, route_map

    geo = write_geodata(tmp_path / "geo")
    dated, today_G = cm.load_network(geo, as_of="2019-01"), cm.load_network(geo)
    for G, said in ((dated, True), (today_G, False)):
        r = cm.route(G, "Alpha", "Delta")
        for m in (corridor_map(G), route_map(r, G=G)):
            html = render_html(m)
            assert ("network as of 2019-01-01" in html) is said
            assert ("cm-asof" in html) is said
    chart = tmp_path / "r.svg"
    args = ["route", "Alpha", "Delta", "--data", str(geo), "--as-of", "2019-01"]
    code, _, err = call(capsys, *args, "--chart", str(chart), "--draws", "200")
    assert code == 0, err
    assert "network as of 2019-01-01" in chart.read_text(encoding="utf-8")


# -- properties ------------------------------------------------------------------------------
DAYS = st.dates(dt.date(2005, 1, 1), dt.date(2030, 12, 31))


@pytest.fixture(scope="module")
def tiny_gd(tmp_path_factory):
    return load_geodata(write_geodata(tmp_path_factory.mktemp("p") / "geo"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), day=DAYS)
def test_a_date_only_takes_away(tiny_gd, data, day):
    """With openings and closures only (no targets, no changes): every place and link is kept
    or withheld, what is kept has both ends, a link is routable exactly when it is written
    routable and opened by the day, the input is unchanged, and no route gets faster."""
    dates = st.one_of(
        st.none(), DAYS.map(lambda d: d.isoformat()[: data.draw(st.sampled_from([4, 7, 10]))])
    )

    def dated(table):
        out = {}
        for fid, p in table.items():
            q = dict(p)
            opened, closed = data.draw(dates), data.draw(dates)
            if p.get("status") in ("planned", "under_construction"):
                opened = None  # a target: the projection rule, tested on its own above
            if opened:
                q.update(opened=opened, opened_source="s")
            if closed and (not opened or closed >= opened):
                q.update(closed=closed, closed_source="s")
            out[fid] = q
        return out

    gd = replace(tiny_gd, nodes=dated(tiny_gd.nodes), links=dated(tiny_gd.links))
    snapshot = copy.deepcopy((gd.nodes, gd.links))
    got = geodata_as_of(gd, day, today=TODAY)
    assert (gd.nodes, gd.links) == snapshot
    withheld = got.as_of["withheld"]
    assert set(got.nodes) | {k for k, w in withheld.items() if w["kind"] == "place"} == set(
        gd.nodes
    )
    assert set(got.links) | {k for k, w in withheld.items() if w["kind"] == "link"} == set(gd.links)
    for lid, p in got.links.items():
        assert p["from"] in got.nodes and p["to"] in got.nodes
        written = gd.links[lid]
        opened = as_of_date(written["opened"]) if written.get("opened") else None
        routable = written["status"] in ("operational", "gap") and (opened is None or opened <= day)
        assert (p["status"] in ("operational", "gap")) is routable
    G_now = build_network(gd)
    if {"A", "D"} <= set(got.nodes):
        try:
            then = cm.route(build_network(got), "A", "D").days
        except cm.NoRouteError:
            return
        assert then >= cm.route(G_now, "A", "D").days - 1e-9


def test_cli_sweep_table_and_usage_errors_with_as_of(tmp_path, capsys):
    out = tmp_path / "s.csv"
    code, _, err = call(
        capsys, "sweep", "--origins", "Mumbai", "--destinations", "Moscow", "--as-of", "2012",
        "--draws", "50", "--scheduler", "none", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    header, *rows = out.read_text(encoding="utf-8").splitlines()
    assert header.endswith(",as_of") and all(r.endswith(",2012-01-01") for r in rows)
    # a usage error is about the arguments, not the network: no date added
    code, _, err = call(capsys, "assign", "--as-of", "2012")
    assert code == 2 and "as of" not in err
