"""The main job: everything the README's ``make demo`` writes into ``out/``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from . import _format as fmt
from ._atomic import atomic_write
from ._errors import CorridormapError
from .analysis import load_analysis
from .routing import route

log = logging.getLogger(__name__)


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


def route_report(G: nx.MultiDiGraph, out: Path) -> list[Path]:
    """Write ``route-report.md`` and ``route-report.json``.

    They answer the route questions of the data's ``analysis.toml`` (``[[demo.route]]``) that
    apply to ``G``.
    """
    docs, lines = [], ["# corridormap route report", ""]
    for spec in load_analysis(G.graph.get("directory")).routes:
        if not _applies(G, spec, "route"):
            continue
        r = route(G, spec["from"], spec["to"], via=spec.get("via", ()), avoid=spec.get("avoid", ()))
        docs.append({"name": spec["name"], **r.to_dict()})
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
    paths = [
        atomic_write(out / "route-report.md", "\n".join(lines)),
        atomic_write(out / "route-report.json", fmt.json_text(docs)),
    ]
    return paths


def comparisons(G: nx.MultiDiGraph, out: Path, *, draws: int = 10_000) -> list[Path]:
    """Write ``compare-<stem>.csv`` and ``.png`` for each comparison that applies to ``G``.

    The comparisons are those of the data's ``analysis.toml`` (``[[demo.compare]]``).
    """
    from .compare import compare
    from .render.charts import save_figure

    paths = []
    for spec in load_analysis(G.graph.get("directory")).comparisons:
        if not _applies(G, spec, "comparison"):
            continue
        stem = spec["stem"]
        comp = compare(G, spec["from"], spec["to"], draws=draws, seed=0)
        paths.append(atomic_write(out / f"compare-{stem}.csv", fmt.frame_csv_text(comp.to_frame())))
        png = out / f"compare-{stem}.png"
        fig = comp.plot()
        save_figure(fig, png)
        import matplotlib.pyplot as plt

        plt.close(fig)
        paths.append(png)
    return paths


#: the steps of :func:`run`, in order (what its ``progress`` is told)
STEPS = (
    "route report",
    "comparisons",
    "bottlenecks and scenarios",
    "map pages",
    "offline map pages",
    "atlas",
)


def run(
    out: str | Path = "out",
    *,
    data_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Run the main job on the bundled data (or ``data_dir``); returns the files written.

    ``progress`` is called with the name of each step of :data:`STEPS` as it starts.
    """
    step = progress or (lambda name: None)
    from .network import load_network

    out = Path(out)
    G = load_network(data_dir)
    step(STEPS[0])
    written = route_report(G, out)
    step(STEPS[1])
    written += comparisons(G, out)
    step(STEPS[2])
    written += bottleneck_outputs(G, out)
    # the scenes of the data's scenes.toml (else the bundled ones) that apply to this network
    from .render.mapscenes import write_scenes

    step(STEPS[3])
    written += write_scenes(G, out)
    step(STEPS[4])
    written += write_scenes(G, out, self_contained=True)
    # the atlas page: every scene, chart and table written above, with its finding
    from .mapscenes import SceneError, compute_scene, load_scenes
    from .render.atlas import write_atlas

    step(STEPS[5])
    views = []
    for scene in load_scenes(G).values():
        try:
            views.append(compute_scene(G, scene))
        except SceneError:
            continue  # skipped by write_scenes as well
    written.append(write_atlas(out, views, G=G))
    return written


def bottleneck_outputs(G: nx.MultiDiGraph, out: Path) -> list[Path]:
    """One table per scenario, the criticality table and the bottlenecks map.

    The scenarios are those of the data's ``analysis.toml`` (``[demo] scenarios``).
    """
    from .criticality import CRITICALITY_PAIR_FIELDS, criticality, default_pairs
    from .scenarios import COMPARISON_FIELDS, apply_scenario, compare_scenarios

    written = []
    pairs = default_pairs(G)
    for name in load_analysis(G.graph.get("directory")).scenarios:
        try:
            view = apply_scenario(G, name)
        except CorridormapError as exc:
            log.warning("scenario %r skipped: %s", name, exc)
            continue
        sc = view.scenarios[0]
        comp = compare_scenarios(G, pairs, [sc])
        rows = comp.to_dict()
        for r in rows:
            r["route_nodes"] = " ".join(r["route_nodes"])
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
            sc.description,
            "",
            "```",
            fmt.table(rows, cols, digits=2),
            "```",
            "",
        ]
        written += [
            atomic_write(
                out / f"scenario-{sc.name}.csv", fmt.csv_text(rows, list(COMPARISON_FIELDS))
            ),
            atomic_write(out / f"scenario-{sc.name}.md", "\n".join(md)),
        ]
    crit = criticality(G)
    written.append(
        atomic_write(
            out / "bottlenecks.csv",
            fmt.csv_text(crit.pair_rows(), list(CRITICALITY_PAIR_FIELDS)),
        )
    )
    from .render import color_links, save_map

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
    written.append(save_map(m, out / "bottlenecks.html"))
    written.append(save_map(m, out / "bottlenecks-offline.html", self_contained=True))
    return written
