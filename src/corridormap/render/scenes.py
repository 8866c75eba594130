"""Drawing a scene: title box, map and initial view.

Drawing a scene: the title box over a network map, a route map or a shipment replay, the initial
view, and the page's title and description.

The scene's routes were found beforehand (:func:`corridormap.scenes.compute_scene`); nothing
here routes or reads scene files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import networkx as nx

from ._html import esc
from .layers import corridor_map, links_box, route_map
from .legends import title_box
from .page import control, describe, fit, new_map

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..scenes import SceneView


def observed_text(row: dict[str, Any]) -> str:
    """'<title>: 66–68 days (published)' of an evidence row, not escaped."""
    obs = row.get("observed") or {}
    lo, hi, unit = obs.get("low"), obs.get("high"), obs.get("unit", "")
    fig = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
    return f"{row.get('title')}: {fig} {unit}"


def draw_scene(view: SceneView, *, G: nx.MultiDiGraph, tiles: bool = True) -> folium.Map:
    """The map of a computed scene.

    Parameters
    ----------
    view
        The scene and its routes, from :func:`corridormap.scenes.compute_scene`.
    G
        The network, drawn in full (``network`` scenes) or faintly under the routes.
    tiles
        As in :func:`~corridormap.render.corridor_map`.
    """
    scene = view.scene
    m = new_map(tiles=tiles)
    describe(m, scene.title, scene.description)
    subtitle = scene.subtitle
    if view.scenario != "baseline":
        subtitle = f"{subtitle} · scenario: {view.scenario}" if subtitle else view.scenario
    body = title_box(scene.title, subtitle)
    if view.evidence:
        body += "".join(
            f'<div class="cm-observed">Published: {esc(observed_text(r))}</div>'
            for r in view.evidence
        )
    control(m, body, position="topleft", css_class="cm-box cm-title")
    if scene.network:
        return corridor_map(G, m=m, labels=view.labels)
    if view.replay is not None:
        from .replay import draw_replay

        return draw_replay(view.replay, m, G=G)
    route_map(
        list(view.routes),
        G=G,
        m=m,
        names=list(view.names),
        percentiles=list(view.percentiles) if view.percentiles else None,
    )
    if scene.zoom_links:
        box = links_box(G, scene.zoom_links, pad=scene.zoom_pad_deg)
        if box:
            fit(m, box)
    return m
