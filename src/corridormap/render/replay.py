"""Drawing a shipment replay (:class:`corridormap.replay.Replay`) on a time slider.

The legs appear as the cargo moved (a leg in progress is drawn up to the cargo's position),
the waits the model does not explain are marked where the register places them, and each
dated event is a marker at the cargo's position that day, with the event's text and source
in its popup. The slider and its play button are our own script (:mod:`.elements`), so the
self-contained page loads nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._html import esc, latlngs, rounded
from .legends import legend_line
from .styles import MODE_STYLES, STATUS_DASH

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..replay import Replay


def _position(rp: Replay, t: float) -> list[float] | None:
    """The cargo's ``[lat, lon]`` on day ``t``."""
    pos = None
    for w in rp.waits:
        if w.start_day <= t <= w.end_day:
            return _place_ll(rp, w.place)
    for x in rp.legs:
        if x.leg.get("kind") != "link":
            continue
        ll = latlngs(x.leg["geometry"])
        if t >= x.end_day:
            pos = ll[-1]
        elif t > x.start_day:
            f = (t - x.start_day) / ((x.end_day - x.start_day) or 1.0)
            return ll[min(len(ll) - 1, int(f * (len(ll) - 1) + 0.5))]
        elif pos is None:
            return ll[0]
    return pos


def _place_ll(rp: Replay, place: str) -> list[float] | None:
    for x in rp.legs:
        if x.leg.get("kind") == "link":
            ll = latlngs(x.leg["geometry"])
            if x.leg.get("to") == place:
                return ll[-1]
            if x.leg.get("from") == place:
                return ll[0]
    return None


def _sources(row: Any) -> Sequence[str]:
    src = row.get("source") or []
    return [src] if isinstance(src, str) else list(src)


def replay_data(rp: Replay) -> dict[str, Any]:
    """The JSON the replay element draws (every text escaped here)."""
    legs = []
    for i, x in enumerate(rp.legs):
        leg = x.leg
        if leg.get("kind") != "link":
            continue
        st = MODE_STYLES.get(leg.get("mode"), {"color": "#666666"})
        style = {"color": st["color"], "weight": 5, "opacity": 0.95}
        dash = STATUS_DASH.get(leg.get("status"))
        if dash:
            style["dashArray"] = dash
        when = f"day {x.start_day:.1f} – {x.end_day:.1f}"
        legs.append(
            {
                "id": f"{i}:{leg.get('link_id')}",
                "ll": latlngs(leg["geometry"]),
                "t0": round(x.start_day, 3),
                "t1": round(x.end_day, 3),
                "style": style,
                "tip": f"<b>{esc(leg.get('from_name'))} → {esc(leg.get('to_name'))}</b>"
                f" · {esc(leg.get('mode'))} · {esc(when)}",
                "pop": f'<div class="cm-pop"><b>{esc(leg.get("from_name"))} → '
                f"{esc(leg.get('to_name'))}</b><br>{esc(leg.get('mode'))}, "
                f"{leg.get('distance_km', 0):,.0f} km; model: "
                f"{float(leg.get('time_h') or 0):,.1f} h; replayed {esc(when)}</div>",
            }
        )
    waits = []
    for w in rp.waits:
        ll = _place_ll(rp, w.place)
        if ll is None:
            continue
        days = w.end_day - w.start_day
        text = (
            f"{days:.0f} days at or before {w.name} that the model does not explain "
            "(the published dates say the run took that much longer; where the cargo "
            "stood was not published)"
        )
        waits.append(
            {
                "ll": ll,
                "t0": round(w.start_day, 3),
                "t1": round(w.end_day, 3),
                "tip": f"<b>{esc(w.name)}</b>: {days:.0f} days not explained by the model",
                "pop": f'<div class="cm-pop"><b>{esc(w.name)}</b><br>{esc(text)}</div>',
            }
        )
    titles = {r["id"]: r for r in rp.rows}
    events = []
    for e in rp.events:
        ll = _position(rp, e.day)
        if ll is None:
            continue
        row = titles[e.row]
        src = _sources(row)
        events.append(
            {
                "ll": [rounded(ll[0]), rounded(ll[1])],
                "t": round(e.day, 3),
                "tip": f"<b>{esc(e.date)}</b>: {esc(e.text)}",
                "pop": f'<div class="cm-pop"><b>{esc(e.date)}</b><br>{esc(e.text)}'
                f'<div style="margin-top:4px;color:#555">{esc(row.get("title"))}'
                + (f"<br>Source: {esc(src[0])}" if src else "")
                + "</div></div>",
            }
        )
    return {
        "legs": legs,
        "waits": waits,
        "events": events,
        "start": [rp.start.year, rp.start.month, rp.start.day],
        "end": round(rp.days, 3),
        "head": "<b>Replay</b> (drag the slider or press play)",
    }


def replay_legend(rp: Replay) -> str:
    """What was replayed: the published figures, the sources, the modes, the assumptions."""
    parts = ["<h4>Published</h4>"]
    for row in rp.rows:
        obs = row.get("observed") or {}
        lo, hi, unit = obs.get("low"), obs.get("high"), obs.get("unit", "")
        fig = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
        parts.append(
            f'<div style="margin:1px 0">{esc(row.get("title"))}: '
            f"<b>{esc(fig)} {esc(unit)}</b></div>"
        )
    model = rp.route.days
    parts.append(
        f'<div class="cm-sum" style="margin-left:0">Model (expected values) for the same path: '
        f"{model:.1f} days of travel and handling.</div>"
    )
    modes = []
    for x in rp.legs:
        m = x.leg.get("mode")
        if x.leg.get("kind") == "link" and m not in modes:
            modes.append(m)
    parts.append("<h4>Legs, as the cargo moved</h4>")
    for m in modes:
        st = MODE_STYLES.get(m, {"color": "#666666", "label": str(m)})
        parts.append(legend_line(st["color"], esc(st["label"]), weight=5))
    parts.append(
        '<div class="cm-row"><span class="cm-dot" style="background:#111;border:2px solid #fff">'
        "</span>Dated event (click)</div>"
    )
    if rp.waits:
        parts.append(
            '<div class="cm-row"><span class="cm-dot" style="background:#fddbc7;'
            'border:3px solid #b2182b"></span>Days the model does not explain</div>'
        )
    notes = [
        "Between dated events the legs take the model's expected hours; extra days are shown "
        "as a wait at the last stop of the row."
    ]
    notes += list(rp.notes)
    parts.append(
        "".join(f'<div class="cm-sum" style="margin-left:0">{esc(n)}</div>' for n in notes)
    )
    return "".join(parts)


def draw_replay(rp: Replay, m: folium.Map, *, G: nx.MultiDiGraph | None = None) -> folium.Map:
    """Add the replay (its slider, legend and faint network underneath) to the map ``m``."""
    from ._html import bounds_of
    from .elements import element_classes
    from .layers import draw_network
    from .page import control, finish, group, new_features
    from .routes import draw_stops

    feats = new_features()
    if G is not None:
        draw_network(G, m, feats, by_branch=False, faint=True)
    # the places it passed, named: its ends first, then where it changed vehicle or crossed
    # a border, then its ports, then the rest where there is room
    legs = [x.leg for x in rp.legs]
    draw_stops(feats, group(m, "Places on the way"), legs, "#111111", set(), ends=True)
    m.add_child(feats)
    m.add_child(element_classes()["Replay"](replay_data(rp)))
    control(m, replay_legend(rp), position="bottomright")
    pts = [p for x in rp.legs if x.leg.get("kind") == "link" for p in latlngs(x.leg["geometry"])]
    return finish(m, bounds_of(pts))
