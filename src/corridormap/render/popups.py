"""Popups and tooltips: the HTML shown when a link, place or route leg is hovered or clicked.

Every piece of text from geodata or arguments is escaped here (:func:`._html.esc`); the
results are trusted HTML for :mod:`.layers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._html import esc, fmt, table
from .styles import BRANCH_LABELS, SCHEMATIC_MODES, SCHEMATIC_NOTE


# -- links ----------------------------------------------------------------------------------
def link_title(d: Mapping[str, Any], names: Mapping[str, Any]) -> str:
    """'<from name> – <to name>' of a link (not escaped)."""
    a = names.get(d.get("from"), {}).get("name", d.get("from"))
    b = names.get(d.get("to"), {}).get("name", d.get("to"))
    return f"{a} – {b}"


def link_tooltip(d: Mapping[str, Any], names: Mapping[str, Any], extra: str = "") -> str:
    """Names, mode, length and (if not operational) status; ``extra`` is trusted HTML."""
    bits = [
        f"<b>{esc(link_title(d, names))}</b>",
        esc(d.get("mode")),
        f"{fmt(d.get('length_km'))} km",
    ]
    if d.get("status") != "operational":
        bits.append(esc(d.get("status")))
    return " · ".join(bits) + extra


def link_popup(
    d: Mapping[str, Any], names: Mapping[str, Any], extra: Sequence[tuple[str, Any]] = ()
) -> str:
    """A link's table: id, mode, length, status, gauge, branches, operator, source, notes.

    ``extra`` rows come first; their values are trusted HTML.
    """
    branches = ", ".join(BRANCH_LABELS.get(str(b), str(b)) for b in d.get("branch") or [])
    rows = [
        *extra,
        ("Link", esc(d.get("link_id"))),
        ("Mode", esc(d.get("mode"))),
        ("Length", f"{fmt(d.get('length_km'), 1)} km"),
        ("Status", esc(d.get("status"))),
        ("Gauge", f"{fmt(d['gauge'])} mm" if d.get("gauge") else None),
        ("Branch", esc(branches)),
        ("Operator", esc(d.get("operator")) if d.get("operator") else None),
        ("Source", esc(d.get("source"))),
        ("Basis", esc(d.get("basis"))),
        ("Notes", esc(d.get("notes")) if d.get("notes") else None),
        ("Drawing", esc(SCHEMATIC_NOTE) if d.get("mode") in SCHEMATIC_MODES else None),
    ]
    return f'<div class="cm-pop"><b>{esc(link_title(d, names))}</b>{table(rows)}</div>'


# -- places ---------------------------------------------------------------------------------
def place_tooltip(p: Mapping[str, Any]) -> str:
    """A place's name, bold."""
    return f"<b>{esc(p.get('name'))}</b>"


def place_rows(p: Mapping[str, Any], gauge_break: bool) -> list[tuple[str, str | None]]:
    """The rows of :func:`place_popup` between the id and the places near it.

    Kind, country, gauge break, capacity, aliases, source, basis, notes: (label, escaped
    value), the value ``None`` or ``""`` for a row left out. They read neither the place's
    name, id nor coordinates.
    """
    cap = None
    if p.get("capacity") is not None:
        cap = f"{fmt(p['capacity'], 1)} {esc(p.get('capacity_unit', ''))}"
    return [
        ("Kind", esc(str(p.get("kind", "")).replace("_", " "))),
        ("Country", esc(p.get("country"))),
        ("Gauge break", "yes: 1520 / 1435 mm" if gauge_break else None),
        ("Capacity", cap),
        ("Also called", esc(", ".join(map(str, p.get("aliases") or []))) or None),
        ("Source", esc(p.get("source"))),
        ("Basis", esc(p.get("basis"))),
        ("Notes", esc(p.get("notes")) if p.get("notes") else None),
    ]


def place_popup(p: Mapping[str, Any], gauge_break: bool, nearby: Sequence[str] = ()) -> str:
    """A place's table: id, kind, country, gauge break, capacity, aliases, source, notes.

    ``nearby``: names of the places drawn on the same spot (zoom in to pick them).
    """
    rows = [
        ("Id", esc(p.get("id"))),
        *place_rows(p, gauge_break),
        ("Also here", esc(", ".join(nearby)) + " (zoom in to pick)" if nearby else None),
    ]
    return f'<div class="cm-pop"><b>{esc(p.get("name"))}</b>{table(rows)}</div>'


# -- routes ---------------------------------------------------------------------------------
def percentile_text(pct: Mapping[str, Any] | None) -> str:
    """A route's expected days on its clock and cost with their P10–P90, not escaped.

    '21.1 days transit, expected (P10–P90 15.4–27.3) · +6.3 days waiting for the first
    departure · $4,242/TEU expected (P10–P90 $3,547–4,995)'.
    """
    if not pct:
        return ""
    d, c = pct["days"], pct["cost_usd"]
    clock = "transit" if pct.get("clock", "transit") == "transit" else "door to door"
    wait = pct.get("schedule_wait_days", {}).get("expected", 0.0)
    waits = (
        f" · +{wait:.1f} days waiting for the first departure"
        if wait and clock == "transit"
        else ""
    )
    return (
        f"{d['expected']:.1f} days {clock}, expected (P10–P90 {d['p10']:.1f}–{d['p90']:.1f})"
        f"{waits} · ${c['expected']:,.0f}/TEU expected (P10–P90 ${c['p10']:,.0f}–{c['p90']:,.0f})"
    )


def route_totals_text(t: Mapping[str, Any], pct: Mapping[str, Any] | None = None) -> str:
    """One line of a route's totals (:meth:`corridormap.Route.totals`), not escaped.

    With ``pct`` (:func:`corridormap.uncertainty.route_percentiles`) the days and cost come
    with their P10–P90 from the Monte Carlo; without, the expected figures alone.
    """
    if pct:
        return (
            f"{percentile_text(pct)} · {t['distance_km']:,.0f} km · "
            f"{t['co2_kg']:,.0f} kg CO2/TEU · {t['borders']} border"
            f"{'s' if t['borders'] != 1 else ''} · {t['transshipments']} transshipment"
            f"{'s' if t['transshipments'] != 1 else ''}"
        )
    return (
        f"{t['days']:.1f} days {t.get('clock', 'transit')}, expected · "
        f"{t['distance_km']:,.0f} km · ${t['cost_usd']:,.0f}/TEU expected · "
        f"{t['co2_kg']:,.0f} kg CO2/TEU · {t['borders']} border"
        f"{'s' if t['borders'] != 1 else ''} · {t['transshipments']} transshipment"
        f"{'s' if t['transshipments'] != 1 else ''}"
    )


def route_totals_short(t: Mapping[str, Any], pct: Mapping[str, Any] | None = None) -> str:
    """:func:`route_totals_text` in brief, for a legend of several routes; not escaped.

    '22.4 d transit, expected (P10–P90 15.2–30.4) · $4,242/TEU expected · 6,599 km · 3 borders
    · 2 transship.'; the expected figures alone without ``pct``.
    """
    tail = (
        f"{t['distance_km']:,.0f} km · {t['borders']} border{'s' if t['borders'] != 1 else ''}"
        f" · {t['transshipments']} transship."
    )
    clock = t.get("clock", "transit")
    if pct:
        d, c = pct["days"], pct["cost_usd"]
        return (
            f"{d['expected']:.1f} d {clock}, expected (P10–P90 {d['p10']:.1f}–{d['p90']:.1f}) · "
            f"${c['expected']:,.0f}/TEU expected · {tail}"
        )
    return f"{t['days']:.1f} d {clock}, expected · ${t['cost_usd']:,.0f}/TEU expected · {tail}"


def leg_tooltip(leg: Any) -> str:
    """A link leg: names, mode and distance."""
    return (
        f"<b>{esc(leg.get('from_name'))} → {esc(leg.get('to_name'))}</b>"
        f" · {esc(leg.get('mode'))} · {fmt(leg.get('distance_km'))} km"
    )


def transfer_tooltip(leg: Any) -> str:
    """A transfer leg: the place and the kind of transfer."""
    return (
        f"<b>{esc(leg.get('from_name'))}</b>: {esc(str(leg.get('transfer', '')).replace('_', ' '))}"
    )


def leg_popup(leg: Any, route_name: str, summary: str) -> str:
    """A leg's table (mode, km, hours, cost, CO2, status, link, service, source), the route."""
    kind = leg.get("kind")
    if kind == "transfer":
        title = (
            f"Transfer at {leg.get('from_name')}: {str(leg.get('transfer', '')).replace('_', ' ')}"
        )
    else:
        title = f"{leg.get('from_name')} → {leg.get('to_name')}"
    rows = [
        ("Mode", esc(leg.get("mode"))),
        ("Distance", f"{fmt(leg.get('distance_km'), 1)} km" if kind == "link" else None),
        ("Hours", fmt(leg.get("time_h"), 1)),
        ("Cost", f"${fmt(leg.get('cost_usd'))}/TEU"),
        ("CO2", f"{fmt(leg.get('co2_kg'))} kg/TEU"),
        ("Status", esc(leg.get("status"))),
        ("Link", esc(leg.get("link_id")) if leg.get("link_id") else None),
        ("Service", esc(leg.get("service")) if leg.get("service") else None),
        ("Source", esc(leg.get("source")) if leg.get("source") else None),
        ("Drawing", esc(SCHEMATIC_NOTE) if leg.get("mode") in SCHEMATIC_MODES else None),
    ]
    return (
        f'<div class="cm-pop"><b>{esc(title)}</b>{table(rows)}'
        f'<div style="margin-top:5px;color:#555">{esc(route_name)}: {esc(summary)}</div></div>'
    )


def route_end_popup(route_name: str, summary: str) -> str:
    """The popup of a route's origin and destination markers."""
    return f'<div class="cm-pop"><b>{esc(route_name)}</b><br>{esc(summary)}</div>'
