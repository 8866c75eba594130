"""Guard: text in figures is text.

Titles, labels, legends and annotations from data or arguments are drawn as written in every
matplotlib figure (time-distance, comparison, backtest, savings, a scene's PNG/SVG, the
catchment figure): ``$...$`` is never read as mathtext, so ``Cost $\\nope$ here`` draws
instead of failing and ``US$5 to US$9`` keeps its dollars. Each test draws the figure to SVG
with its text kept as text, and finds the string there as written.
"""

from __future__ import annotations

import io

import matplotlib
import pytest

from _guard import _one_line_error
from corridormap.cli import main
from corridormap.families import Family
from corridormap.render.charts import plain

BROKEN = "Cost $\\nope$ here"
DOLLARS = "US$5 to US$9"
UNDEFINED = "$\\undefinedcmd{x}$"


def _svg(fig) -> str:
    """The figure as SVG with its text as text (not paths), closed afterwards."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(buf, format="svg")
    finally:
        plt.close(fig)
    return buf.getvalue()


def _texts_literal(fig) -> None:
    """Every text of ``fig`` but numeric tick labels is set to be drawn as written."""
    from matplotlib.axis import Tick
    from matplotlib.text import Text

    ticks = {id(t.label1) for t in fig.findobj(lambda a: isinstance(a, Tick))}
    ticks |= {id(t.label2) for t in fig.findobj(lambda a: isinstance(a, Tick))}
    for ax in fig.get_axes():
        ticks |= {id(ax.xaxis.offsetText), id(ax.yaxis.offsetText)}
    texts = [t for t in fig.findobj(lambda a: isinstance(a, Text)) if id(t) not in ticks]
    assert texts and all(not t.get_parse_math() and not t.get_usetex() for t in texts)


def test_plain_escapes_every_dollar():
    assert plain(DOLLARS) == "US\\$5 to US\\$9"
    assert plain(3) == "3"


def test_time_distance_title_is_text(tiny_G):
    from corridormap import route
    from corridormap.render.charts import time_distance

    r = route(tiny_G, "Echo", "Alpha")
    fig = time_distance(r, G=tiny_G, draws=50, title=f"{BROKEN}; {DOLLARS}")
    _texts_literal(fig)
    svg = _svg(fig)
    assert BROKEN in svg and DOLLARS in svg


def test_comparison_labels_are_text(tiny_G):
    from corridormap import compare

    fams = [
        Family("land", UNDEFINED, "", close_places=("X",)),
        Family("sea", DOLLARS, "", close_links=("B-C",), instc=False),
    ]
    comp = compare(tiny_G, "Echo", "Alpha", draws=50, families=fams)
    fig = comp.plot()
    _texts_literal(fig)
    svg = _svg(fig)
    assert UNDEFINED in svg and DOLLARS in svg


def test_saving_chart_labels_are_text():
    from corridormap.render.charts import saving_figure

    rows = [{"flow": BROKEN, "volume_mt": v, "saving_days": 0.1 * v} for v in (0.0, 1.0)]
    fig = saving_figure({("v", DOLLARS): rows})
    _texts_literal(fig)
    svg = _svg(fig)
    assert f"{DOLLARS}: {BROKEN}" in svg


def test_backtest_chart_text_is_literal(geo):
    from corridormap import backtest, load_network

    fig = backtest(load_network(geo), draws=50, cross_validate=False).plot()
    _texts_literal(fig)
    assert "Backtest (as-is)" in _svg(fig)


def test_compare_chart_with_a_mathtext_label_in_families_toml(tiny_dir, tmp_path, capsys):
    (tiny_dir / "families.toml").write_text(
        f'reference = "sea"\n[[family]]\nname = "land"\nlabel = \'{UNDEFINED}\'\ninstc = true\n'
        f'close_places = ["X"]\n[[family]]\nname = "sea"\nlabel = "{DOLLARS}"\ninstc = false\n'
        'close_links = ["B-C"]\n'
    )
    chart = tmp_path / "c.svg"
    argv = ["compare", "Echo", "Alpha", "--draws", "50", "--data", str(tiny_dir)]
    assert main([*argv, "--chart", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_scene_figure_with_a_mathtext_title(tiny_dir, tmp_path, capsys, fmt):
    (tiny_dir / "scenes.toml").write_text(
        f'[net]\ntitle = \'{BROKEN}\'\nsubtitle = "{DOLLARS}"\ndescription = "d"\n'
        "network = true\n"
        f'[route]\ntitle = "{DOLLARS}"\ndescription = "d"\n[[route.routes]]\nfrom = "Echo"\n'
        f"to = \"Alpha\"\nlabel = '{UNDEFINED}'\n"
    )
    for scene in ("net", "route"):
        figure = tmp_path / f"{scene}.{fmt}"
        out = tmp_path / "maps"
        argv = ["map", scene, "--data", str(tiny_dir), "--out", str(out), f"--{fmt}", str(figure)]
        assert main(argv) == 0, capsys.readouterr().err
        assert (out / f"map-{scene}.html").exists() and figure.stat().st_size > 0


def test_scene_figure_draws_its_title_as_written(tiny_dir):
    from corridormap import load_network
    from corridormap.mapscenes import compute_scene, load_scenes
    from corridormap.render.static import draw_static

    (tiny_dir / "scenes.toml").write_text(
        f'[net]\ntitle = \'{BROKEN}\'\nsubtitle = "{DOLLARS}"\ndescription = "d"\nnetwork = true\n'
    )
    G = load_network(tiny_dir)
    fig = draw_static(compute_scene(G, load_scenes(G)["net"]), G=G)
    _texts_literal(fig)
    svg = _svg(fig)
    assert BROKEN in svg and DOLLARS in svg


def test_catchment_figure_draws_scenario_names_as_written(tiny_dir):
    from corridormap import load_network, places, sweep
    from corridormap.render.catchment import catchment_png

    (tiny_dir / "families.toml").write_text(
        'reference = "sea"\n[[family]]\nname = "land"\nlabel = "Land"\ninstc = true\n'
        'close_places = ["X"]\n[[family]]\nname = "sea"\nlabel = "Sea"\ninstc = false\n'
        'close_links = ["B-C"]\n'
    )
    scen = tiny_dir / "dollar.toml"
    scen.write_text(f"name = '{DOLLARS}'\n[changes]\nclose_links = [\"A-B\"]\n")
    G = load_network(tiny_dir)
    frame = sweep(G, ["E"], ["A", "B", "D"], scenarios=[str(scen)], draws=50)
    fig = catchment_png(frame, places(G), origin="E")
    _texts_literal(fig)
    assert DOLLARS in _svg(fig)


def test_a_failing_figure_leaves_the_page_and_previous_figure(tiny_dir, tmp_path, capsys):
    """A scene's PNG is drawn after its page; the PNG asked for keeps what was there if it
    cannot be drawn (here: a file ending that is not a figure)."""
    (tiny_dir / "scenes.toml").write_text(
        f"[net]\ntitle = '{BROKEN}'\ndescription = \"d\"\nnetwork = true\n"
    )
    figure = tmp_path / "net.png"
    figure.write_bytes(b"previous")
    out = tmp_path / "maps"
    argv = ["map", "net", "--data", str(tiny_dir), "--out", str(out), "--png", str(figure)]
    assert main(argv) == 0
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code = main(["map", "nope", "--data", str(tiny_dir), "--out", str(out), "--png", str(figure)])
    assert "no scene 'nope'" in _one_line_error(capsys, code)
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_place_names_on_a_scene_figure_are_text(tmp_path, capsys):
    """Place names are placed where they fit (measured as they are placed): as text."""
    from conftest import tiny, write_geodata
    from test_io import _node

    data = tiny()
    _node(data, "A")["properties"]["name"] = BROKEN
    _node(data, "E")["properties"]["name"] = DOLLARS
    d = write_geodata(tmp_path / "geo", data)
    (d / "scenes.toml").write_text(
        '[net]\ntitle = "t"\ndescription = "d"\nnetwork = true\n'
        '[route]\ntitle = "t"\ndescription = "d"\n[[route.routes]]\nfrom = "E"\nto = "A"\n'
        f"label = '{UNDEFINED}'\n"
    )
    for scene in ("net", "route"):
        figure = tmp_path / f"{scene}.svg"
        argv = ["map", scene, "--data", str(d), "--out", str(tmp_path / "o"), "--svg", str(figure)]
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            assert main(argv) == 0, capsys.readouterr().err
        assert DOLLARS in figure.read_text()
