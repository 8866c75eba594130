"""render/charts.py: time-distance charts, the comparison figure, one answer everywhere, text."""

from __future__ import annotations

import json

import matplotlib
import pytest

import corridormap as cm
from corridormap import __version__
from corridormap._errors import InputError
from corridormap.cli import main
from corridormap.compare import compare
from corridormap.families import Family
from corridormap.profile import route_profile
from corridormap.render.charts import (
    MODE_COLOURS,
    comparison_figure,
    param_label,
    save_figure,
    time_distance,
)
from corridormap.uncertainty import route_percentiles


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _lines(ax, prefix: str):
    return [ln for ln in ax.lines if (ln.get_gid() or "").startswith(prefix)]


# -- the chart ---------------------------------------------------------------------------
def test_time_distance_axes_data(tiny_G):
    r = cm.route(tiny_G, "Echo", "Foxtrot", avoid=["Delta"])  # by sea and the canal
    prof = route_profile(r, tiny_G.graph["params"], draws=300)
    fig = time_distance(r, G=tiny_G, draws=300, label_min_hours=20)
    days, cost = fig.axes[0], fig.axes[1]
    for ax, q in ((days, "days"), (cost, "cost_usd")):
        stops, moves = _lines(ax, "stop:"), _lines(ax, "move:")
        # a stop is drawn where it adds something: the wait for a sailing costs no USD
        shown = [
            s
            for s in prof.stops()
            if (s.hours if q == "days" else s.usd)[1] > (s.hours if q == "days" else s.usd)[0]
        ]
        assert len(stops) == len(shown)
        assert len(moves) == len([s for s in prof.steps if s.kind == "move"])
        for ln in stops:  # vertical: one distance, time or cost rising
            x, y = ln.get_xdata(), ln.get_ydata()
            assert x[0] == x[1] and y[1] > y[0]
        for ln in moves:
            mode = ln.get_gid().split(":", 1)[1]
            assert matplotlib.colors.same_color(ln.get_color(), MODE_COLOURS[mode])
        assert [c.get_gid() for c in ax.collections].count("band") == 1
    # y is cumulative days door to door on the time panel, USD on the cost panel; the wait
    # for the first sailing is the first step, drawn apart
    assert _lines(days, "stop:")[-1].get_ydata()[1] == pytest.approx(r.door_to_door_h / 24)
    assert _lines(days, "stop:schedule_wait")[0].get_ydata()[1] == pytest.approx(
        r.schedule_wait_h / 24
    )
    assert max(ln.get_ydata()[1] for ln in _lines(cost, "")) == pytest.approx(r.cost_usd)
    labelled = [t.get_text() for t in days.texts if t.get_gid() == "step-label"]
    assert labelled == [s.label for s in prof.stops(20)]
    assert any(f"corridormap {__version__}" in t.get_text() for t in fig.texts)


def test_time_distance_several_routes(tiny_G):
    routes = cm.alternatives(tiny_G, "Echo", "Alpha", k=2)
    fig = time_distance(routes, quantity="days", band=False)
    (ax,) = fig.axes
    steps = sum(len(route_profile(r).steps) for r in routes)
    assert len(_lines(ax, "stop:")) + len(_lines(ax, "move:")) == steps
    assert {ln.get_linestyle() for ln in ax.lines} == {"-", "--"}
    assert not [c for c in ax.collections if c.get_gid() == "band"]


def test_time_distance_refuses_bad_arguments(tiny_G):
    r = cm.route(tiny_G, "Echo", "Alpha")
    with pytest.raises(InputError, match="quantity"):
        time_distance(r, quantity="co2")
    with pytest.raises(InputError, match="at least one route"):
        time_distance([])


def _comparison(tiny_G):
    return compare(
        tiny_G,
        "Echo",
        "Alpha",
        draws=200,
        families=[
            Family("land", "Land", "", close_places=("X",)),
            Family("sea", "Sea", "", close_places=("D",), instc=False),
        ],
    )


def test_comparison_figure_has_a_time_distance_panel_per_family(tiny_G):
    comp = _comparison(tiny_G)
    fig = comparison_figure(comp)
    panels = [ax for ax in fig.axes if _lines(ax, "move:")]
    assert len(panels) == len(comp.routes) == 2
    for ax, (_, r) in zip(panels, comp.routes.items(), strict=True):
        prof = route_profile(r)
        assert len(_lines(ax, "stop:")) == len(prof.stops())
        assert [c.get_gid() for c in ax.collections].count("band") == 1
    assert any(f"corridormap {__version__}" in t.get_text() for t in fig.texts)


def test_comparison_figure_text_stays_inside(bundled_G):
    """The Rotterdam chart's x-labels and credit are inside the figure (none cut off)."""
    comp = compare(bundled_G, "Mumbai", "Rotterdam", draws=500, seed=0)
    fig = comp.plot()
    fig.canvas.draw()
    box = fig.bbox
    texts = [ax.xaxis.label for ax in fig.axes if ax.get_xlabel()] + list(fig.texts)
    assert len(texts) >= 8
    for t in texts:
        e = t.get_window_extent()
        assert e.x0 >= box.x0 - 1 and e.x1 <= box.x1 + 1, t.get_text()
        assert e.y0 >= box.y0 - 1 and e.y1 <= box.y1 + 1, t.get_text()


# -- readable text -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("modes.rail.by_country.IR.speed_kmh", "rail speed, Iran"),
        ("modes.sea.by_vessel.feeder.speed_kmh", "sea speed, feeder ships"),
        ("modes.road.cost_usd_per_teu_km", "road rate per TEU-km"),
        ('borders.rail.by_country."BY/RU".dwell_h', "rail border dwell, Belarus–Russia"),
        ("services.black_sea.headway_h", "black sea sailing interval"),
        ("transfers.rail_road.dwell_h", "rail–road transshipment dwell"),
        ("transfers.caspian_port.dwell_h", "caspian port handling dwell"),
        ("canals.suez.transit_h", "Suez canal transit time"),
    ],
)
def test_param_label(bundled_G, key, label):
    assert param_label(key, bundled_G.graph["params"]) == label


def test_tornado_labels_are_readable(bundled_G):
    comp = compare(bundled_G, "Mumbai", "Moscow", draws=200, seed=0)
    fig = comp.plot(top=8)
    (tornado,) = [ax for ax in fig.axes if "gap" in ax.get_title()]
    ticks = [t.get_text() for t in tornado.get_yticklabels()]
    keys = [r["parameter"] for r in comp.sensitivity[:8]][::-1]
    assert ticks == [param_label(k, bundled_G.graph["params"]) for k in keys]
    for t in ticks:
        assert "." not in t and "_" not in t and "by_" not in t, t


def test_plural_forms(tiny_dir, capsys):
    # Alpha - Delta: one border (Beta - Gamma) and one transshipment (rail - road at Gamma)
    assert main(["route", "Alpha", "Delta", "--data", str(tiny_dir), "--draws", "50"]) == 0
    out = capsys.readouterr().out
    assert "1 border, 1 transshipment" in out
    assert "1 borders" not in out and "1 transshipments" not in out
    assert main(["route", "Echo", "Alpha", "--data", str(tiny_dir), "--draws", "50"]) == 0
    assert "2 borders, 2 transshipments" in capsys.readouterr().out


def test_compare_table_names_places(tiny_dir, capsys):
    argv = ["compare", "Echo", "Alpha", "--data", str(tiny_dir), "--draws", "50"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    via = [line for line in out.splitlines() if "  via " in line]
    assert via and all("Strait" in line or "Delta" in line for line in via)
    assert not any(line.split("via ", 1)[1].split(", ")[0] in ("X", "D") for line in via)
    assert "days, expected (transit)" in out and "first-departure wait" in out
    assert "likely" not in out


# -- one answer everywhere -------------------------------------------------------------------
def test_route_compare_scenario_agree(bundled_G, capsys):
    """One figure per question: a route's expected days and its P10/P50/P90 are the same in
    route, compare and scenario, to the printed digit (same draws, same seed, same route)."""
    assert main(["route", "Mumbai", "Moscow", "--format", "json", "--seed", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    r = cm.route(bundled_G, "Mumbai", "Moscow")
    pct = route_percentiles(bundled_G, r, draws=10_000, seed=0)
    for k in ("expected", "p10", "p50", "p90"):
        assert doc["percentiles"]["days"][k] == round(pct["days"][k], 2)
    assert doc["totals"]["days"] == round(r.days, 2) == round(pct["days"]["expected"], 2)
    comp = compare(bundled_G, "Mumbai", "Moscow", seed=0)
    west = comp.instc_family()
    assert comp.routes[west].nodes == r.nodes
    rec = next(x for x in comp.to_records() if x["family"] == west)
    for k in ("expected", "p10", "p50", "p90"):
        assert rec["days"][k] == doc["percentiles"]["days"][k]
        assert rec["cost_usd"][k] == doc["percentiles"]["cost_usd"][k]
    argv = ["scenario", "red-sea-closed", "--pair", "Mumbai", "Moscow", "--format", "json"]
    assert main(argv) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["baseline_days_p50"] == round(pct["days"]["p50"], 3)
    assert row["baseline_days"] == round(pct["days"]["expected"], 3)
    assert row["draws"] == 10_000 and row["seed"] == 0
    assert main(["compare", "Mumbai", "Moscow", "--format", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    cli_west = next(x for x in cli["families"] if x["family"] == west)
    assert cli_west["days"] == doc["percentiles"]["days"]


def test_route_text_labels_both_clocks(capsys):
    assert main(["route", "Mumbai", "Moscow", "--draws", "2000", "--seed", "1"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert "days transit, expected (P10–P90 " in head
    assert "waiting for the first departure: door to door " in head
    assert main(["route", "Mumbai", "Moscow", "--clock", "door-to-door", "--draws", "200"]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert "days door to door, expected (P10–P90 " in head


# -- files --------------------------------------------------------------------------------
@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml")])
def test_save_figure_by_suffix_atomically(tmp_path, monkeypatch, tiny_G, suffix, magic):
    fig = time_distance(cm.route(tiny_G, "Echo", "Alpha"), G=tiny_G, draws=100)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / f"chart{suffix}"
    save_figure(fig, target)
    assert target.read_bytes().startswith(magic)
    if suffix == ".svg":
        assert "<svg" in target.read_text()

    def boom(fh, **kwargs):
        fh.write(b"half a chart")
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(fig, "savefig", boom)
    with pytest.raises(RuntimeError):
        save_figure(fig, target)
    assert target.read_bytes().startswith(magic)
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_save_figure_refuses_other_suffixes(tmp_path, tiny_G):
    fig = time_distance(cm.route(tiny_G, "Echo", "Alpha"), band=False)
    (tmp_path / "out").mkdir()
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        save_figure(fig, tmp_path / "out" / "chart.pdf")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_cli_route_and_compare_charts(tmp_path, tiny_dir, capsys, suffix):
    data = ["--data", str(tiny_dir), "--draws", "100"]
    route_chart, comp_chart = tmp_path / f"r{suffix}", tmp_path / f"c{suffix}"
    assert main(["route", "Echo", "Alpha", "-k", "2", "--chart", str(route_chart), *data]) == 0
    assert main(["compare", "Echo", "Alpha", "--chart", str(comp_chart), *data]) == 0
    for p in (route_chart, comp_chart):
        assert p.stat().st_size > 1000
    capsys.readouterr()
    code = main(["route", "Echo", "Alpha", "--chart", str(tmp_path / "r.pdf"), *data])
    assert code == 2
    assert ".png or .svg" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_cli_route_chart_refuses_too_many_routes(tmp_path, tiny_dir, capsys):
    from corridormap.cli.route import MAX_CHART_ROUTES

    chart = tmp_path / "r.png"
    argv = ["route", "Echo", "Alpha", "-k", str(MAX_CHART_ROUTES + 1), "--chart", str(chart)]
    assert main([*argv, "--data", str(tiny_dir)]) == 2
    assert f"at most {MAX_CHART_ROUTES} routes" in capsys.readouterr().err
    assert not chart.exists()
