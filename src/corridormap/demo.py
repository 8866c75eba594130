"""The main job: everything the README's ``make demo`` writes into ``out/``.

Everything is read, checked and computed before the first file is written: a broken data
file (``scenes.toml``, ``analysis.toml``, a scenario, the evidence a replay reads) stops the
job with nothing written. The corridor explorer goes into ``out/explorer/`` (its page is the
one path listed for it). Every file name made from data (a comparison's stem, a scenario's
name, a scene's name) is a slug checked to stay inside ``out``
(:mod:`corridormap._filenames`). The atlas (``index.html``) is written last, from the files
written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from . import _format as fmt
from ._atomic import atomic_write
from ._errors import CorridormapError
from ._filenames import file_names, inside
from .analysis import COMPARE_FILES, Analysis, load_analysis
from .routing import route
from .uncertainty import DRAWS

log = logging.getLogger(__name__)

#: one output of the demo: its file name in ``out`` and what to write (text or bytes)
Output = tuple[str, str | bytes]
#: the files of a scenario's table, by the slug of its name
SCENARIO_FILES = ("scenario-{}.csv", "scenario-{}.md")


def _applies(G: nx.MultiDiGraph, spec: dict, what: str) -> bool:
    """Whether every place ``spec`` names is in ``G`` (else a logged note)."""
    from .places import resolve_area, resolve_place

    try:
        for x in (spec["from"], spec["to"], *spec.get("via", ())):
            resolve_place(G, x)
        for x in spec.get("avoid", ()):
            resolve_area(G, x)
    except LookupError as exc:
        log.warning("%s %r skipped: %s", what, spec.get("name", spec.get("stem")), exc)
        return False
    return True


def network_date(G: nx.MultiDiGraph) -> str | None:
    """The date of a network of a date (``G.graph["as_of"]``), or ``None`` for today's."""
    return (G.graph.get("as_of") or {}).get("date")


def route_report(G: nx.MultiDiGraph, analysis: Analysis) -> list[Output]:
    """``route-report.md`` and ``route-report.json``.

    They answer the route questions of the data's ``analysis.toml`` (``[[demo.route]]``) that
    apply to ``G``.
    """
    day = network_date(G)
    docs, lines = [], ["# corridormap route report", ""]
    if day:
        lines += [f"network as of {day}", ""]
    for spec in analysis.routes:
        if not _applies(G, spec, "route"):
            continue
        r = route(G, spec["from"], spec["to"], via=spec.get("via", ()), avoid=spec.get("avoid", ()))
        docs.append({"name": spec["name"], **({"as_of": day} if day else {}), **r.to_dict()})
        lines += [
            f"## {spec['name']}",
            "",
            r.summary(),
            "",
            "via " + " - ".join(r.names[n] for n in r.nodes),
            "",
            "```",
            fmt.table(
                fmt.leg_rows(r),
                (
                    "from_name",
                    "to_name",
                    "mode",
                    "distance_km",
                    "time_h",
                    "cost_usd",
                    "link_id",
                    "status",
                ),
                headers=("from", "to", "mode", "km", "hours", "USD/TEU", "link", "status"),
            ),
            "```",
            "",
        ]
    return [("route-report.md", "\n".join(lines)), ("route-report.json", fmt.json_text(docs))]


def comparisons(G: nx.MultiDiGraph, analysis: Analysis, *, draws: int = DRAWS) -> list[Output]:
    """``compare-<stem>.csv`` and ``.png`` for each comparison that applies to ``G``.

    The comparisons are those of the data's ``analysis.toml`` (``[[demo.compare]]``); the
    file names are the slugs of their stems.
    """
    import matplotlib.pyplot as plt

    from .compare import compare
    from .render.charts import figure_bytes

    names = file_names([c["stem"] for c in analysis.comparisons], COMPARE_FILES, what="stem")
    out: list[Output] = []
    for spec in analysis.comparisons:
        if not _applies(G, spec, "comparison"):
            continue
        csv_name, png_name = names[spec["stem"]]
        comp = compare(G, spec["from"], spec["to"], draws=draws, seed=0)
        frame = comp.to_frame()
        if network_date(G):
            frame = frame.assign(as_of=network_date(G))
        out.append((csv_name, fmt.frame_csv_text(frame)))
        fig = comp.plot()
        try:
            out.append((png_name, figure_bytes(fig, "png")))
        finally:
            plt.close(fig)
    return out


def scenario_tables(G: nx.MultiDiGraph, analysis: Analysis) -> list[Output]:
    """One table per scenario of the data's ``analysis.toml`` (``[demo] scenarios``).

    ``scenario-<name>.csv`` and ``.md``, the name the slug of the scenario's ``name``; a
    scenario that does not apply to ``G`` is skipped with a note, and two scenarios whose
    names make the same file name are an error naming both.
    """
    from .criticality import default_pairs
    from .scenarios import COMPARISON_FIELDS, apply_scenario, compare_scenarios

    views = []
    for name in analysis.scenarios:
        try:
            views.append(apply_scenario(G, name))
        except CorridormapError as exc:
            log.warning("scenario %r skipped: %s", name, exc)
    scens = [v.scenarios[0] for v in views]
    names = file_names(
        [sc.name for sc in scens], SCENARIO_FILES, file="analysis.toml", what="scenario"
    )
    day = network_date(G)
    pairs = default_pairs(G)
    out: list[Output] = []
    for sc in scens:
        rows = compare_scenarios(G, pairs, [sc]).to_dict()
        for r in rows:
            r["route_nodes"] = " ".join(r["route_nodes"])
            if day:
                r["as_of"] = day
        cols = (
            "pair",
            "days",
            "baseline_days",
            "delta_days",
            "cost_usd",
            "baseline_cost_usd",
            "delta_cost_usd",
        )
        md = [
            f"# Scenario: {sc.name}",
            "",
            *([f"network as of {day}", ""] if day else []),
            sc.description,
            "",
            "```",
            fmt.table(rows, cols, digits=2),
            "```",
            "",
        ]
        csv_name, md_name = names[sc.name]
        out += [
            (csv_name, fmt.csv_text(rows, [*COMPARISON_FIELDS, *(["as_of"] if day else [])])),
            (md_name, "\n".join(md)),
        ]
    return out


def bottleneck_outputs(G: nx.MultiDiGraph) -> list[Output]:
    """The criticality table (a row per element and pair) and the bottlenecks map."""
    from .criticality import CRITICALITY_PAIR_FIELDS, criticality
    from .render import color_links, render_html

    crit = criticality(G)
    day = network_date(G)
    pair_rows = crit.pair_rows()
    pair_rows = [{**r, "as_of": day} for r in pair_rows] if day else pair_rows
    pair_fields = [*CRITICALITY_PAIR_FIELDS, *(["as_of"] if day else [])]
    out: list[Output] = [("bottlenecks.csv", fmt.csv_text(pair_rows, pair_fields))]
    worst = crit.worst_per_pair()
    values = {r["element"]: worst.get(r["element"], 0.0) for r in crit.rows if r["kind"] == "link"}
    cut = [r["element"] for r in crit.rows if r["kind"] == "link" and r["disconnects"]]
    m = color_links(
        G,
        values,
        label="delta days, the most for one pair",
        highlight=cut,
        title="Bottlenecks: what closing each link costs",
        subtitle="Days that closing each link adds to the fastest route of any one of "
        f"{len(crit.baseline)} pairs (black: closing it leaves a pair without a route)",
        notes=[f"pair: {p}" for p in crit.baseline],
    )
    out.append(("bottlenecks.html", render_html(m)))
    out.append(("bottlenecks-offline.html", render_html(m, self_contained=True)))
    return out


def timeline_page(data_dir: str | Path | None) -> tuple[list[Output], Any]:
    """``timeline.html``: the corridor through time of ``analysis.toml``'s ``[demo.timeline]``.

    Returns the page (none when the file has no timeline or its places are missing) and the
    :class:`~corridormap.timeline.Timeline`, or ``None``.
    """
    from .timeline import through_time

    spec = load_analysis(data_dir).timeline
    if spec is None:
        return [], None
    first, last = spec["years"]
    try:
        line = through_time(
            data_dir, spec["from"], spec["to"], range(first, last + 1), series=spec["series"]
        )
    except LookupError as exc:
        log.warning("timeline skipped: %s", exc)
        return [], None
    return [("timeline.html", line.to_html())], line


def scene_pages(G: nx.MultiDiGraph, views: list, *, self_contained: bool) -> list[Output]:
    """Every scene's page, with online tiles or working offline."""
    from .render import render_html
    from .render.mapscenes import draw_scene

    return [
        (
            v.scene.page(self_contained=self_contained),
            render_html(draw_scene(v, G=G), self_contained=self_contained),
        )
        for v in views
    ]


#: the steps of :func:`run`, in order (what its ``progress`` is told)
STEPS = (
    "route report",
    "comparisons",
    "bottlenecks and scenarios",
    "map pages",
    "offline map pages",
    "explorer",
    "atlas",
)
#: the explorer's folder in ``out`` (linked from the atlas)
EXPLORER_DIR = "explorer"
#: the Monte Carlo of the explorer's every pair, scenario and clock
EXPLORER_DRAWS, EXPLORER_SEED = 2_000, 0


def explorer(G: nx.MultiDiGraph) -> tuple[dict[str, Any], dict[str, Any]]:
    """The corridor explorer's data for the places of ``analysis.toml`` ``[explorer]``.

    Every scenario of the data, both clocks, :data:`EXPLORER_DRAWS` draws. Returns the data
    and what the atlas says of it (counts, draws and seed).
    """
    from .explore import explorer_data

    data = explorer_data(G, draws=EXPLORER_DRAWS, seed=EXPLORER_SEED, progress=False)
    dests = {d for by_dest in data["results"].values() for d in by_dest}
    summary = {
        "origins": len(data["results"]),
        "destinations": len(dests),
        "scenarios": len(data["scenarios"]),
        "clocks": len(data["clocks"]),
        "draws": data["draws"],
        "seed": data["seed"],
    }
    return data, summary


def run(
    out: str | Path = "out",
    *,
    data_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    as_of: str | None = None,
) -> list[Path]:
    """Run the main job on the bundled data (or ``data_dir``); returns the files written.

    Everything is computed before anything is written: an invalid data file, or a failure
    on the way, leaves ``out`` as it was. ``progress`` is called with the name of each step
    of :data:`STEPS` as it starts. ``as_of`` (a date) computes everything on the network of
    that date, and every output says so; the corridor-through-time page shows every year of
    ``analysis.toml`` regardless.
    """
    from .mapscenes import compute_scenes
    from .network import load_network

    step = progress or (lambda name: None)
    out = Path(out)
    G = load_network(data_dir, as_of=as_of)
    analysis = load_analysis(G.graph.get("directory"))
    # the scenes of the data's scenes.toml (else the bundled ones) that apply to this network;
    # scenes.toml and the evidence its replays read are checked here, before any work
    views = compute_scenes(G)
    steps: list[tuple[str, Callable[[], list[Output]]]] = [
        (STEPS[0], lambda: route_report(G, analysis)),
        (STEPS[1], lambda: comparisons(G, analysis)),
        (STEPS[2], lambda: scenario_tables(G, analysis) + bottleneck_outputs(G)),
        (STEPS[3], lambda: scene_pages(G, views, self_contained=False)),
        (STEPS[4], lambda: scene_pages(G, views, self_contained=True)),
    ]
    outputs: list[Output] = []
    for name, compute in steps:
        step(name)
        outputs += compute()
    step(STEPS[5])
    explored, summary = explorer(G)
    step(STEPS[6])
    page, line = timeline_page(data_dir)
    outputs += page
    paths = [inside(out, name) for name, _ in outputs]
    written = [atomic_write(p, data) for p, (_, data) in zip(paths, outputs, strict=True)]
    from .render.atlas import write_atlas
    from .render.explorer import write_explorer

    written.append(write_explorer(explored, inside(out, EXPLORER_DIR)))
    # the atlas page: every scene, chart and table written above, with its finding
    extra = [f"network as of {network_date(G)}"] if network_date(G) else []
    timeline = line.to_dict() if line is not None else None
    written.append(write_atlas(out, views, G=G, extra=extra, timeline=timeline, explorer=summary))
    return written
