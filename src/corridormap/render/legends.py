"""Legends and titles: the boxes in the corners of a map (trusted HTML, text escaped here)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ._html import esc
from .styles import (
    GAP_COLOR,
    MODE_STYLES,
    NODE_GROUPS,
    SCHEMATIC_MODES,
    SCHEMATIC_NOTE,
    STATUS_LABELS,
)


def legend_line(color: str, label: str, *, dash: str = "solid", weight: float = 3) -> str:
    """A legend row with a line sample; ``label`` is trusted HTML."""
    return (
        f'<div class="cm-row"><span class="cm-line" style="border-top:{weight:g}px {dash} '
        f'{color}"></span>{label}</div>'
    )


def legend_dot(fill: str, stroke: str, label: str, *, ring: bool = False) -> str:
    """A legend row with a marker sample; ``label`` is trusted HTML."""
    border = "2px solid #000" if ring else f"1px solid {stroke}"
    return (
        f'<div class="cm-row"><span class="cm-dot" style="background:{fill};border:{border}">'
        f"</span>{label}</div>"
    )


def network_legend(modes: Iterable[str], statuses: Iterable[str], kinds: Iterable[str]) -> str:
    """Modes, statuses and place kinds drawn on a network map."""
    modes, statuses, kinds = set(modes), set(statuses), set(kinds)
    parts = ["<h4>Mode</h4>"]
    for mode, st in MODE_STYLES.items():
        if mode in modes:
            dash = "dashed" if mode in SCHEMATIC_MODES else "solid"
            parts.append(legend_line(st["color"], esc(st["label"]), dash=dash))
    if modes & set(SCHEMATIC_MODES):
        parts.append(f'<div class="cm-sum" style="margin-left:0">{esc(SCHEMATIC_NOTE)}</div>')
    parts.append("<h4>Status</h4>")
    parts.append(legend_line("#2f2f2f", "Operational"))
    if "gap" in statuses:
        parts.append(legend_line(GAP_COLOR, esc(STATUS_LABELS["gap"]), dash="dashed"))
    if statuses & {"planned", "under_construction"}:
        parts.append(legend_line("#2f2f2f", esc(STATUS_LABELS["planned"]), dash="dotted"))
    if kinds:
        parts.append("<h4>Places</h4>")
        for key, label, _, st in NODE_GROUPS:
            if key in kinds:
                parts.append(legend_dot(st["fillColor"], st.get("color", "#fff"), esc(label)))
        if "gauge_break" in kinds:
            parts.append(legend_dot("#e08214", "#000", "Gauge break (1520 / 1435 mm)", ring=True))
    return "".join(parts)


def route_legend(entries: Sequence[tuple[str, str, str]], statuses: set[str]) -> str:
    """One row per route ``(colour, name, totals text)``, the statuses met, transshipments."""
    parts = ["<h4>Routes</h4>"]
    for color, name, summary in entries:
        parts.append(legend_line(color, f"<b>{esc(name)}</b>", weight=5))
        parts.append(f'<div class="cm-sum">{esc(summary)}</div>')
    extra = []
    if "gap" in statuses:
        extra.append(legend_line("#555", esc(STATUS_LABELS["gap"]), dash="dashed"))
    if statuses & {"planned", "under_construction"}:
        extra.append(legend_line("#555", esc(STATUS_LABELS["planned"]), dash="dotted"))
    if "schematic" in statuses:
        extra.append(legend_line("#555", esc(SCHEMATIC_NOTE), dash="dashed"))
    if extra:
        parts += ["<h4>Status</h4>", *extra]
    parts.append(
        '<div class="cm-row"><span class="cm-dot" style="background:#fff;border:2px solid #333">'
        "</span>Transshipment (click for dwell and cost)</div>"
    )
    return "".join(parts)


def scale_legend(
    label: str, color: Callable[[float], str], lo: float, hi: float, highlighted: int
) -> str:
    """The colour scale of :func:`~corridormap.render.color_links` and its highlighted links."""
    stops = [color(x / 10) for x in range(11)]
    return (
        f"<h4>{esc(label)}</h4>"
        f'<div class="cm-grad" style="background:linear-gradient(to right,{",".join(stops)})">'
        f'</div><div class="cm-ticks"><span>{esc(f"{lo:,.3g}")}</span>'
        f"<span>{esc(f'{(lo + hi) / 2:,.3g}')}</span><span>{esc(f'{hi:,.3g}')}</span></div>"
        + legend_line("#9e9e9e", "no value", weight=1.5)
        + (
            legend_line("#000000", f"Highlighted ({highlighted} links)", weight=6)
            if highlighted
            else ""
        )
    )


def title_box(title: str, subtitle: str) -> str:
    """The body of a map's title box."""
    return f"{esc(title)}<div>{esc(subtitle)}</div>"


def scenario_legend(scenarios: Sequence[Any], changes: Sequence[dict]) -> str:
    """The scenarios applied (name, description) and every change they make."""
    parts = ["<h4>Scenarios applied</h4>"]
    for s in scenarios:
        parts.append(f"<div><b>{esc(s.name)}</b>: {esc(s.description)}</div>")
    if not scenarios:
        parts.append("<div>none (baseline)</div>")
    parts.append("<h4>Changes</h4>")
    parts.append(legend_line(GAP_COLOR, "Closed link", weight=5))
    parts.append(legend_line("#1a9850", "Opened link", weight=5))
    parts.append(
        '<div class="cm-row"><span class="cm-dot" style="background:#fff;border:3px solid '
        f'{GAP_COLOR}"></span>Closed place</div>'
    )
    rows = []
    for c in changes:
        value = c.get("value")
        v = "" if value is None else f" × {value:g}"
        rows.append(f"<li>{esc(c.get('change'))}: {esc(c.get('target'))}{esc(v)}</li>")
    if rows:
        parts.append(f'<ul style="margin:2px 0 0 16px;padding:0">{"".join(rows)}</ul>')
    return "".join(parts)
