"""Overlays: links coloured by a number, and what a scenario changes.

* :func:`color_links`: links coloured by a number per link id (the bottleneck overlay);
* :func:`scenario_map`: what applied scenarios close, open and change.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..places import short_name
from . import legends, popups
from ._html import bounds_of, esc, latlngs, rounded
from .page import control, finish, fit, group, new_features, new_map
from .styles import (
    GAP_COLOR,
    STATUS_DASH,
)

if TYPE_CHECKING:  # pragma: no cover
    import folium


from .layers import draw_network, link_records


# -- links coloured by a number (the bottleneck overlay) ------------------------------------
def colormap(cmap: str | Callable[[float], str]) -> Callable[[float], str]:
    """A function from a number in 0..1 to a colour: ``cmap`` itself, or a matplotlib name."""
    if callable(cmap):
        return cmap
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cm = colormaps[cmap]
    # the colour scale starts at COLOR_FLOOR of the colormap, so the lowest value (often 0:
    # a link whose closure costs nothing) is a visible colour, not the near-white of YlOrRd
    return lambda x: to_hex(cm(COLOR_FLOOR + (1 - COLOR_FLOOR) * min(1.0, max(0.0, x))))


#: where a named colormap's scale starts (0 = its first colour)
COLOR_FLOOR = 0.35


def color_links(
    G: nx.MultiDiGraph,
    values: Mapping[str, float],
    *,
    m: folium.Map | None = None,
    label: str = "value",
    cmap: str | Callable[[float], str] = "YlOrRd",
    highlight: Iterable[str] = (),
    vmin: float | None = None,
    vmax: float | None = None,
    tiles: bool = True,
    title: str | None = None,
    subtitle: str = "",
    notes: Sequence[str] = (),
):
    """Colour the links by a number per link id: the bottleneck overlay hook.

    Parameters
    ----------
    G
        The network.
    values
        ``link id -> number`` (e.g. criticality); links without a value are drawn thin grey.
    m
        A map to draw on; a new one when ``None``.
    label
        What the number is, for the layer name, tooltips and the colour-scale legend.
    cmap
        A matplotlib colormap name, or a function of a value scaled to 0..1 returning a CSS
        colour.
    highlight
        Link ids drawn thick with a dark casing (e.g. the links of a minimum cut).
    vmin, vmax
        Ends of the colour scale; default the range of ``values``.
    tiles
        As in :func:`corridor_map`.
    title, subtitle
        A title box (and the page's title); none when ``title`` is ``None``.
    notes
        Lines listed in the legend under the colour scale (e.g. the pairs measured).

    Returns
    -------
    folium.Map
        The links, and every place marked and named (a layer per kind of place) so that a
        reader can tell the links apart.

    Raises
    ------
    ValueError
        If ``values`` or ``highlight`` name links that are not in ``G``.
    """
    from ..places import places

    links = link_records(G)
    hl = list(dict.fromkeys(highlight))
    unknown = sorted((set(values) | set(hl)) - set(links))
    if unknown:
        raise ValueError(f"no such link id(s) in the network: {', '.join(unknown[:10])}")
    finite = {k: float(v) for k, v in values.items() if v is not None and math.isfinite(float(v))}
    lo = vmin if vmin is not None else min(finite.values(), default=0.0)
    hi = vmax if vmax is not None else max(finite.values(), default=1.0)
    span = (hi - lo) or 1.0
    color = colormap(cmap)
    names = places(G)
    m = m if m is not None else new_map(tiles=tiles, G=G)
    if title is not None:
        from .page import describe

        describe(m, title, subtitle or title)
        control(
            m, legends.title_box(title, subtitle), position="topleft", css_class="cm-box cm-title"
        )
    feats = new_features()
    fg = group(m, label)
    hfg = group(m, f"Highlighted links ({label})") if hl else None
    pts: list[list[float]] = []
    for lid, d in links.items():
        coords = latlngs(d["geometry"])
        pts.extend(coords)
        v = finite.get(lid)
        shown = "no value" if v is None else f"{v:,.3g}"
        extra = [(label, esc(shown))]
        if v is None:
            style = {"color": "#9e9e9e", "weight": 1.5, "opacity": 0.7}
        else:
            style = {"color": color((v - lo) / span), "weight": 4.0, "opacity": 0.95}
        style["dashArray"] = STATUS_DASH.get(d.get("status"))
        tooltip = popups.link_tooltip(d, names, f" · {esc(label)}: {esc(shown)}")
        popup = popups.link_popup(d, names, extra)
        feats.add(fg, "link", lid, style, latlngs=coords, tooltip=tooltip, popup=popup)
        if hfg is not None and lid in hl:
            feats.add(
                hfg,
                "highlight",
                lid,
                {"color": "#000000", "weight": 9.0, "opacity": 0.55, "fill": False},
                latlngs=coords,
                tooltip=tooltip,
                popup=popup,
            )
    from .layers import draw_places

    draw_places(G, m, feats)  # named, so a reader can tell the links apart
    m.add_child(feats)
    body = legends.scale_legend(label, color, lo, hi, len(hl))
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        body += f'<ul style="margin:4px 0 0 16px;padding:0">{items}</ul>'
    control(m, body, position="bottomright")
    return finish(m, bounds_of(pts))


# -- a scenario: what it closes, opens and changes ----------------------------------------
def scenario_map(
    G: nx.MultiDiGraph,
    view: Any,
    *,
    m: folium.Map | None = None,
    tiles: bool = True,
):
    """The changes of applied scenarios (:func:`corridormap.scenarios.apply_scenario`).

    Closed links are drawn red over a dark casing, opened (planned) links green, closed
    places as red rings with their names; the title box names the scenarios applied and the
    legend lists each one's description and every change (factors included).

    Returns
    -------
    folium.Map
    """
    from ..places import places
    from .page import describe

    links = link_records(G)
    names = places(G)
    m = m if m is not None else new_map(tiles=tiles, G=G)
    scen = list(view.scenarios)
    title = "Scenario: " + " + ".join(s.name for s in scen) if scen else "Baseline (no scenario)"
    describe(m, title, "; ".join(s.description for s in scen if s.description) or title)
    control(
        m,
        legends.title_box(title, " · ".join(s.description for s in scen if s.description)),
        position="topleft",
        css_class="cm-box cm-title",
    )
    feats = new_features()
    pts, _, _ = draw_network(G, m, feats, by_branch=False, faint=True)
    closed_fg = group(m, "Closed links and places")
    opened_fg = group(m, "Opened links")
    shown: list[list[float]] = []
    for lid in sorted(view.closed_links | view.opened_links):
        if lid not in links:
            continue
        d = links[lid]
        coords = latlngs(d["geometry"])
        shown.extend(coords)
        is_closed = lid in view.closed_links
        fg = closed_fg if is_closed else opened_fg
        what = "closed" if is_closed else "opened"
        tip = popups.link_tooltip(d, names, f" · <b>{what}</b> in this scenario")
        pop = popups.link_popup(d, names, [("Scenario", f"<b>{what}</b>")])
        feats.add(
            fg, "casing", lid, {"color": "#111111", "weight": 9.0, "opacity": 0.6}, latlngs=coords
        )
        color = GAP_COLOR if is_closed else "#1a9850"
        feats.add(
            fg,
            "scenario",
            lid,
            {"color": color, "weight": 5.0, "opacity": 1.0},
            latlngs=coords,
            tooltip=tip,
            popup=pop,
        )
    for pid in sorted(view.closed_places):
        p = names.get(pid)
        if p is None:
            continue
        ll = [rounded(p["y"]), rounded(p["x"])]
        shown.append(ll)
        feats.add(
            closed_fg,
            "closed",
            pid,
            {
                "radius": 11,
                "color": GAP_COLOR,
                "weight": 4,
                "fillColor": "#ffffff",
                "fillOpacity": 0.9,
            },
            latlng=ll,
            tooltip=f"<b>{esc(p.get('name'))}</b> · closed in this scenario",
            popup=popups.place_popup(p, False).replace(
                "</b>", "</b> <b style='color:#d7191c'>closed</b>", 1
            ),
            label=f"<b>{esc(short_name(p.get('name')))}: closed</b>",
        )
    m.add_child(feats)
    changes = []
    for c in view.to_dict():
        t = c.get("target")
        if t in links:
            c = {**c, "target": f"{popups.link_title(links[t], names)} ({t})"}
        elif t in names:
            c = {**c, "target": f"{names[t].get('name')} ({t})"}
        changes.append(c)
    control(m, legends.scenario_legend(scen, changes), position="bottomright")
    finish(m, bounds_of(pts))
    if shown:  # open on what the scenario changes, a few degrees round it
        (s, w), (n, e) = bounds_of(shown)
        fit(m, [[s - 10, w - 15], [n + 10, e + 15]])
    return m
