"""The atlas page: ``index.html`` beside the scenes, one entry per scene, chart and table.

Each entry carries a one-line finding computed from the model: a scene's from its computed
view (the expected days and P10–P90 of each route, the published and replayed figures of a
shipment), a comparison's from its CSV (the fastest route family by expected days), the
bottleneck table's from its top row. Every link is relative and every file it names exists,
so the folder can be opened from ``file://``, zipped or served as it is. The page has no
script at all.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .._atomic import atomic_write
from .._today import today
from ._html import esc

if TYPE_CHECKING:  # pragma: no cover
    from ..mapscenes import SceneView

INDEX = "index.html"
#: the corridor-through-time page (:mod:`.timeline`)
TIMELINE = "timeline.html"
#: the corridor explorer's page (:mod:`.explorer`), in its own folder
EXPLORER = "explorer/index.html"

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#222;max-width:860px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:8px 0 4px} h2{font-size:18px;margin:22px 0 6px}
.lede{color:#444;margin:0 0 12px} ul{padding-left:0;list-style:none}
li{margin:0 0 12px;padding:8px 10px;border:1px solid #ddd;border-radius:5px}
li b a{font-size:16px} .finding{margin:2px 0 0} .more{color:#555;font-size:13px}
footer{color:#666;font-size:12px;margin-top:24px}
"""


def _link(path: str, text: str) -> str:
    return f'<a href="{esc(quote(path))}">{esc(text)}</a>'


def scene_finding(view: SceneView, G: Any = None) -> str:
    """One line on what a computed scene shows (not escaped)."""
    scene = view.scene
    if view.replay is not None:
        rp = view.replay
        pub = []
        for row in rp.rows:
            obs = row.get("observed") or {}
            lo, hi = obs.get("low"), obs.get("high")
            fig = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
            pub.append(f"{fig} {obs.get('unit', '')}")
        waits = sum(w.end_day - w.start_day for w in rp.waits)
        line = (
            f"Published: {' + '.join(pub)}; the model's expected time on the same path is "
            f"{rp.route.days:.1f} days ({rp.route.clock})"
        )
        if waits >= 1:
            line += f", leaving {waits:.0f} days the model does not explain"
        return line + "."
    if scene.network:
        if G is None:
            return f"{scene.description}."
        links = [d for *_, d in G.edges(data=True) if d.get("kind") == "link"]
        ids = {d["link_id"] for d in links}
        gaps = {d["link_id"] for d in links if d.get("status") == "gap"}
        planned = {
            d["link_id"] for d in links if d.get("status") in ("planned", "under_construction")
        }
        from ..places import places

        return (
            f"{len(places(G))} places and {len(ids)} links; {len(gaps)} gap(s) bridged by road "
            f"today and {len(planned)} planned or under construction."
        )
    bits = []
    for name, pct in zip(view.names, view.percentiles or [{}] * len(view.names), strict=True):
        if pct:
            d = pct["days"]
            label = name.rsplit(":", 1)[0]
            clock = "transit" if pct.get("clock", "transit") == "transit" else "door to door"
            bits.append(
                f"{label}: {d['expected']:.1f} days {clock}, expected "
                f"(P10–P90 {d['p10']:.1f}–{d['p90']:.1f})"
            )
        else:
            bits.append(name)
    for row in view.evidence:
        obs = row.get("observed") or {}
        bits.append(f"published: {row.get('title')}: {obs.get('low'):g}–{obs.get('high'):g} days")
    return "; ".join(bits) + "."


def _compare_finding(path: Path) -> str | None:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        best = min(rows, key=lambda r: float(r["days_expected"]))
        return (
            f"Fastest family: {best.get('label') or best['family']}, "
            f"{float(best['days_expected']):.1f} days {best.get('clock', 'transit')}, expected "
            f"(P10–P90 {float(best['days_p10']):.1f}–{float(best['days_p90']):.1f}), of "
            f"{len(rows)} route families."
        )
    except (OSError, KeyError, ValueError):
        return None


def _bottleneck_finding(path: Path) -> str | None:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        links = [r for r in rows if r["kind"] == "link"]
        cuts = list(dict.fromkeys(r["name"] for r in links if r["no_route"] == "True"))
        kept = [r for r in links if r["no_route"] != "True"]
        worst = max(kept, key=lambda r: float(r["delta_days"]))
        pairs = sum(1 for r in links if r["element"] == worst["element"])
        bits = []
        if cuts:
            bits.append(
                f"{len(cuts)} link(s) whose closure leaves a pair with no route (e.g. {cuts[0]})"
            )
        also = f" (it lengthens the routes of {pairs} pairs)" if pairs > 1 else ""
        bits.append(
            f"the costliest closure that leaves a route: {worst['name']}, "
            f"+{float(worst['delta_days']):.1f} days for {worst['pair']}{also}"
        )
        text = "; ".join(bits)
        return text[:1].upper() + text[1:] + "."
    except (OSError, KeyError, ValueError):
        return None


def _scenario_finding(path: Path) -> str | None:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        best = min(rows, key=lambda r: float(r["delta_days"]))
        return (
            f"Largest change: {best['pair']}, {float(best['delta_days']):+.1f} days and "
            f"{float(best['delta_cost_usd']):+,.0f} USD/TEU on the fastest route "
            f"({len(rows)} pairs)."
        )
    except (OSError, KeyError, ValueError):
        return None


#: other outputs of the demo: (file name pattern, title, how to find its finding)
def _other_files(out: Path) -> list[tuple[str, str, str | None, list[str]]]:
    found = []
    for csv_path in sorted(out.glob("compare-*.csv")):
        stem = csv_path.stem
        pair = stem.removeprefix("compare-").replace("-", " ").title()
        files = [f for f in (f"{stem}.png", f"{stem}.svg", f"{stem}.csv") if (out / f).exists()]
        found.append(("Charts", f"Comparison: {pair}", _compare_finding(csv_path), files))
    bn = [f for f in ("bottlenecks.html", "bottlenecks-offline.html", "bottlenecks.csv")]
    bn = [f for f in bn if (out / f).exists()]
    if bn:
        found.append(
            (
                "Tables",
                "Bottlenecks: what closing each link costs",
                _bottleneck_finding(out / "bottlenecks.csv"),
                bn,
            )
        )
    # one pair of tables per scenario the demo compares (scenario-<name>.csv / .md)
    stems = sorted(
        {p.stem for p in out.glob("scenario-*.csv")} | {p.stem for p in out.glob("scenario-*.md")}
    )
    tables = [(stem, f"Scenario: {stem.removeprefix('scenario-')}") for stem in stems]
    tables.append(("route-report", "Route report: the routes users ask about most"))
    for stem, title in tables:
        files = [
            f"{stem}{ext}" for ext in (".md", ".csv", ".json") if (out / f"{stem}{ext}").exists()
        ]
        finding = _scenario_finding(out / f"{stem}.csv") if stem.startswith("scenario") else None
        if files:
            found.append(("Tables", title, finding, files))
    return found


def _explorer_finding(explorer: dict[str, Any] | None) -> str:
    """What the explorer offers, in words."""
    what = (
        "each route family's route on the map, its expected days and USD per TEU with "
        "P10/P50/P90, CO2, borders, P(INSTC faster) and its time–distance profile"
    )
    if not explorer:
        return what.capitalize() + "."
    plural = {1: ""}
    n = {k: int(explorer[k]) for k in ("origins", "destinations", "scenarios", "clocks")}
    return (
        f"{n['origins']:,} origin{plural.get(n['origins'], 's')} x {n['destinations']:,} "
        f"destination{plural.get(n['destinations'], 's')}, {n['scenarios']} "
        f"scenario{plural.get(n['scenarios'], 's')} and {n['clocks']} "
        f"clock{plural.get(n['clocks'], 's')}: {what} ({int(explorer['draws']):,} draws, "
        f"seed {explorer['seed']}, as corridormap compare gives them)."
    )


def write_atlas(
    out_dir: str | os.PathLike[str],
    views: Sequence[SceneView],
    *,
    title: str = "corridormap atlas",
    extra: Iterable[str] = (),
    G: Any = None,
    timeline: dict[str, Any] | None = None,
    explorer: dict[str, Any] | None = None,
) -> Path:
    """Write the atlas page ``index.html`` in ``out_dir``.

    Write ``index.html`` in ``out_dir``: the scenes written there, and the demo's charts and tables
    found there, each with a finding.

    Parameters
    ----------
    out_dir
    The folder holding the pages (``map-<scene>.html`` and ``-offline.html``).
    views
    The computed scenes (:func:`corridormap.mapscenes.compute_scene`); a scene is listed
    when at least one of its pages exists in ``out_dir``.
    title
    The page's heading.
    extra
    Lines of text (escaped) added under the heading, e.g. the scenario applied.
    G
    The network, for the overview's counts of places and links.
    timeline
    The corridor through time (:meth:`corridormap.timeline.Timeline.to_dict`), listed with
    its finding when ``timeline.html`` is in ``out_dir``.
    explorer
    What the corridor explorer offers (``origins``, ``destinations``, ``scenarios`` and
    ``clocks``: counts; ``draws`` and ``seed``), listed first when ``explorer/index.html``
    is in ``out_dir`` (linked without the counts when this is ``None``).

    Returns
    -------
    pathlib.Path
    """
    out = Path(out_dir)
    items = []
    for v in views:
        names = (v.scene.page(), v.scene.page(self_contained=True))
        pages = [f for f in names if (out / f).exists()]
        if not pages:
            continue
        main = pages[0]
        more = " · ".join(
            _link(p, "works offline" if p.endswith("-offline.html") else "online (tiles)")
            for p in pages[1:]
        )
        items.append(
            f"<li><b>{_link(main, v.scene.title)}</b>"
            f'<div class="finding">{esc(scene_finding(v, G))}</div>'
            + (f'<div class="more">{more}</div>' if more else "")
            + "</li>"
        )
    sections = []
    if (out / EXPLORER).exists():
        sections.append(
            f"<h2>Explore</h2><ul><li><b>{_link(EXPLORER, 'The corridor explorer')}</b>"
            f'<div class="finding">{esc(_explorer_finding(explorer))}</div>'
            '<div class="more">one page that works offline: pick the origin, destination, '
            "scenario and clock; the link holds the view</div></li></ul>"
        )
    if items:
        sections.append(f"<h2>Maps</h2><ul>{''.join(items)}</ul>")
    if (out / TIMELINE).exists():
        from .timeline import timeline_finding

        finding = timeline_finding(timeline) if timeline else ""
        sections.append(
            f"<h2>Through time</h2><ul><li><b>{_link(TIMELINE, 'The corridor through time')}</b>"
            + (f'<div class="finding">{esc(finding)}</div>' if finding else "")
            + '<div class="more">a slider from year to year: what opened, and the best time '
            "on each year's network</div></li></ul>"
        )
    groups: dict[str, list[str]] = {}
    for group, name, finding, files in _other_files(out):
        links = " · ".join(
            _link(f, f.rsplit(".", 1)[-1].upper() + (" (offline)" if "-offline." in f else ""))
            for f in files
        )
        groups.setdefault(group, []).append(
            f"<li><b>{_link(files[0], name)}</b>"
            + (f'<div class="finding">{esc(finding)}</div>' if finding else "")
            + f'<div class="more">{links}</div></li>'
        )
    for group, rows in groups.items():
        sections.append(f"<h2>{esc(group)}</h2><ul>{''.join(rows)}</ul>")
    lede = "".join(f'<p class="lede">{esc(x)}</p>' for x in extra)
    day = today().isoformat()
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        '<meta name="description" content="Maps, charts and tables of the Eurasian freight '
        'corridors (INSTC, Suez, Cape), made with corridormap">'
        f"<style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        '<p class="lede">Maps of the International North–South Transport Corridor and the '
        "sea routes via Suez and the Cape. Figures are the model's expected days (transit: "
        "from handing the cargo to the first carrier, the wait for the first departure apart) "
        "with the P10–P90 range of its Monte Carlo, unless marked as published.</p>"
        f"{lede}{''.join(sections)}"
        f"<footer>Made with corridormap on {esc(day)}. Basemap: Natural Earth. Data: "
        "GeoNames (CC BY 4.0), Eurostat MARNET via searoute, corridormap geodata (sources in "
        "each map's popups).</footer></body></html>\n"
    )
    return atomic_write(out / INDEX, page)
