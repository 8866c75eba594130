"""The utilisation map of a volume assignment: links and places coloured by volume / capacity.

Links are drawn by :func:`~corridormap.render.color_links` (the busier direction of each);
places with a capacity are circles on the same colour scale, their tooltips saying in physical
terms what queues there. Every text is escaped through :mod:`._html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from ._html import bounds_of, esc, rounded, table
from .layers import links_box
from .overlays import color_links, colormap
from .page import finish, fit, group, new_features

#: the colour scale's ends: idle (0) to twice the capacity
UTILISATION_RANGE = (0.0, 1.5)


def utilisation_map(
    G: nx.MultiDiGraph,
    links: Mapping[str, float],
    places: Mapping[str, tuple[float, str]],
    *,
    tiles: bool = True,
    cmap: str = "RdYlGn_r",
):
    """Links and places coloured by utilisation.

    Parameters
    ----------
    G
        The network.
    links
        ``link id -> utilisation`` (volume / capacity, the busier direction).
    places
        ``place id -> (utilisation, one line describing the queue)``.
    tiles
        As in :func:`~corridormap.render.corridor_map`.
    cmap
        A matplotlib colormap name.

    Returns
    -------
    folium.Map
    """
    from ..places import places as catalogue

    lo, hi = UTILISATION_RANGE
    label = "utilisation (volume / capacity)"
    over = [k for k, v in links.items() if v > 1.0]
    m = color_links(G, links, label=label, cmap=cmap, highlight=over, vmin=lo, vmax=hi, tiles=tiles)
    color = colormap(cmap)
    cat = catalogue(G)
    feats = new_features()
    fg = group(m, "Places by utilisation")
    pts = []
    for pid, (u, text) in sorted(places.items()):
        p = cat[pid]
        ll = [rounded(p["y"]), rounded(p["x"])]
        pts.append(ll)
        style = {
            "radius": 9.0,
            "color": "#333333",
            "weight": 1.5,
            "fillColor": color((u - lo) / (hi - lo)),
            "fillOpacity": 0.95,
        }
        rows: list[tuple[str, Any]] = [
            ("Utilisation", esc(f"{u:.0%}")),
            ("Queue", esc(text)),
            ("Capacity (as published)", esc(f"{p.get('capacity')} {p.get('capacity_unit')}")),
            ("Source", esc(p.get("capacity_source"))),
        ]
        popup = f'<div class="cm-pop"><b>{esc(p.get("name"))}</b>{table(rows)}</div>'
        tooltip = f"<b>{esc(p.get('name'))}</b> · {esc(f'{u:.0%}')}"
        feats.add(fg, "node", pid, style, latlng=ll, tooltip=tooltip, popup=popup)
    m.add_child(feats)
    finish(m, pts)
    # open on what carries volume (the whole network is a pan away), a little round it
    busy = links_box(G, [k for k, v in links.items() if v > 0], pad=0.0)
    box = bounds_of([*pts, *busy])
    if box:
        (s, w), (n, e) = box
        pad = max(1.0, 0.08 * max(n - s, e - w))
        fit(m, [[s - pad, w - pad], [n + pad, e + pad]])
    return m
