"""The main job: everything the README's ``make demo`` writes into ``out/``."""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx

from . import _format as fmt
from ._atomic import atomic_write
from .routing import route

log = logging.getLogger(__name__)

#: the route questions users ask most, answered in out/route-report.*
ROUTE_REPORTS: tuple[dict, ...] = (
    {"name": "Mumbai - Moscow, fastest", "origin": "Mumbai", "destination": "Moscow"},
    {
        "name": "Mumbai - Moscow by sea via Suez and Novorossiysk",
        "origin": "Mumbai",
        "destination": "Moscow",
        "via": ("Suez",),
    },
    {
        "name": "Mumbai - St Petersburg avoiding Astara",
        "origin": "Mumbai",
        "destination": "St Petersburg",
        "avoid": ("Astara",),
    },
    {
        "name": "2023 shipment: Chelyabinsk - Incheh Borun - Bandar Abbas - Jeddah",
        "origin": "Chelyabinsk",
        "destination": "Jeddah",
        "via": ("Incheh Borun", "Bandar Abbas"),
    },
)


def route_report(G: nx.MultiDiGraph, out: Path) -> list[Path]:
    """Write ``route-report.md`` and ``route-report.json`` for :data:`ROUTE_REPORTS`."""
    docs, lines = [], ["# corridormap route report", ""]
    for spec in ROUTE_REPORTS:
        r = route(
            G,
            spec["origin"],
            spec["destination"],
            via=spec.get("via", ()),
            avoid=spec.get("avoid", ()),
        )
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


#: the comparisons written by the main job: (file stem, origin, destination)
COMPARISONS = (
    ("mumbai-moscow", "Mumbai", "Moscow"),
    ("mumbai-st-petersburg", "Mumbai", "St Petersburg"),
    ("mumbai-rotterdam", "Mumbai", "Rotterdam"),
)


def comparisons(G: nx.MultiDiGraph, out: Path, *, draws: int = 10_000) -> list[Path]:
    """Write ``compare-<pair>.csv`` and ``.png`` for :data:`COMPARISONS`."""
    from .charts import save_figure
    from .compare import compare

    paths = []
    for stem, origin, destination in COMPARISONS:
        comp = compare(G, origin, destination, draws=draws, seed=0)
        paths.append(atomic_write(out / f"compare-{stem}.csv", comp.to_frame().to_csv(index=False)))
        png = out / f"compare-{stem}.png"
        fig = comp.plot()
        save_figure(fig, png)
        import matplotlib.pyplot as plt

        plt.close(fig)
        paths.append(png)
    return paths


def run(out: str | Path = "out", *, data_dir: str | Path | None = None) -> list[Path]:
    """Run the main job on the bundled data (or ``data_dir``); returns the files written."""
    from .network import load_network

    out = Path(out)
    G = load_network(data_dir)
    written = route_report(G, out)
    written += comparisons(G, out)
    written += bottleneck_outputs(G, out)
    # the scenes of the data's scenes.toml (else the bundled ones) that apply to this network
    from .scenes import write_scenes

    written += write_scenes(G, out)
    written += write_scenes(G, out, self_contained=True)
    # the atlas page: every scene, chart and table written above, with its finding
    from .render.atlas import write_atlas
    from .scenes import SceneError, compute_scene, load_scenes

    views = []
    for scene in load_scenes(G).values():
        try:
            views.append(compute_scene(G, scene))
        except SceneError:
            continue  # skipped by write_scenes as well
    written.append(write_atlas(out, views, G=G))
    return written


def bottleneck_outputs(G: nx.MultiDiGraph, out: Path) -> list[Path]:
    """The Rasht-Astara scenario table and the criticality table (and map, with render)."""
    from .bottlenecks import CRITICALITY_FIELDS, criticality, default_pairs
    from .scenarios import COMPARISON_FIELDS, compare_scenarios

    comp = compare_scenarios(G, default_pairs(G), ["rasht-astara-railway"])
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
        "# Scenario: Rasht-Astara railway built",
        "",
        "ASI-RSH-rail opened, the ASI-RSH-road transshipment closed; fastest routes.",
        "",
        "```",
        fmt.table(rows, cols, digits=2),
        "```",
        "",
    ]
    crit = criticality(G)
    written = [
        atomic_write(
            out / "scenario-rasht-astara.csv", fmt.csv_text(rows, list(COMPARISON_FIELDS))
        ),
        atomic_write(out / "scenario-rasht-astara.md", "\n".join(md)),
        atomic_write(
            out / "bottlenecks.csv", fmt.csv_text(crit.to_dict(), list(CRITICALITY_FIELDS))
        ),
    ]
    from .render import color_links, save_map

    values = {r["element"]: r["delta_days"] for r in crit.rows if r["kind"] == "link"}
    cut = [r["element"] for r in crit.rows if r["kind"] == "link" and r["disconnects"]]
    m = color_links(
        G,
        values,
        label="criticality (delta days)",
        highlight=cut,
        title="Bottlenecks: what closing each link costs",
        subtitle=f"Days that closing each link adds to the fastest routes of {len(crit.baseline)} "
        "pairs (black: closing it disconnects a pair)",
        notes=[f"pair: {p}" for p in crit.baseline],
    )
    written.append(save_map(m, out / "bottlenecks.html"))
    written.append(save_map(m, out / "bottlenecks-offline.html", self_contained=True))
    return written
