"""Drawing a scene: the title box over a network map or a route map, and the initial view.

The scene's routes were found beforehand (:func:`corridormap.scenes.compute_scene`); nothing
here routes or reads scene files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx

from .layers import corridor_map, links_box, route_map
from .legends import title_box
from .page import control, fit, new_map

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from ..scenes import SceneView


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
    subtitle = scene.subtitle
    if view.scenario != "baseline":
        subtitle = f"{subtitle} · scenario: {view.scenario}" if subtitle else view.scenario
    control(m, title_box(scene.title, subtitle), position="topleft", css_class="cm-box cm-title")
    if scene.network:
        return corridor_map(G, m=m)
    route_map(list(view.routes), G=G, m=m, names=list(view.names))
    if scene.zoom_links:
        box = links_box(G, scene.zoom_links, pad=scene.zoom_pad_deg)
        if box:
            fit(m, box)
    return m
