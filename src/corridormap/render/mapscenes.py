"""Drawing map scenes: the title box over a network map, a route map or a shipment replay.

A scene's routes are found beforehand (:func:`corridormap.mapscenes.compute_scene`); this module
draws a computed scene (the map, its initial view, the page's title and description) and
writes the pages of all of them. Nothing here routes or reads scene files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from .._errors import SceneError
from ..mapscenes import (
    SCENE_PAGES,
    SceneView,
    compute_scene,
    compute_scenes,
    load_scenes,
    pick_scene,
)
from ._html import esc
from .layers import corridor_map, links_box
from .legends import title_box
from .page import control, describe, fit, new_map, save_map
from .routes import route_map

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["draw_scene", "observed_text", "scene_map", "write_scenes"]


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
        The scene and its routes, from :func:`corridormap.mapscenes.compute_scene`.
    G
        The network, drawn in full (``network`` scenes) or faintly under the routes.
    tiles
        As in :func:`~corridormap.render.corridor_map`.
    """
    scene = view.scene
    m = new_map(tiles=tiles, G=G)
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


def scene_map(G: nx.MultiDiGraph, name: str, *, tiles: bool = True) -> folium.Map:
    """Draw a named scene (see :func:`~corridormap.mapscenes.load_scenes`).

    The bundled scenes are :data:`corridormap.mapscenes.SCENES`.

    Parameters
    ----------
    G
        The network; its geodata directory's ``scenes.toml`` is used if there is one.
    name
        A scene name.
    tiles
        As in :func:`corridormap.render.corridor_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    SceneError
        If ``name`` is not a scene (the message lists the scenes), or the scene names places
        or links that are not in ``G``. A :class:`ValueError`.
    """
    view = compute_scene(G, pick_scene(load_scenes(G), name))
    return draw_scene(view, G=G, tiles=tiles)


def write_scenes(
    G: nx.MultiDiGraph,
    out_dir: str | os.PathLike[str],
    *,
    names: Iterable[str] | None = None,
    self_contained: bool = False,
) -> list[Path]:
    """Write one HTML page per scene: ``map-<scene>.html`` (``map-<scene>-offline.html``).

    Every page is drawn before the first one is written, so a scene that fails leaves the
    directory as it was.

    Parameters
    ----------
    G
        The network.
    out_dir
        Output directory (created if missing).
    names
        Scenes to write (a single name is one scene); default every scene that applies to
        ``G``: the others (naming places or links ``G`` lacks) are skipped with a logged note
        (:func:`~corridormap.mapscenes.compute_scenes`).
    self_contained
        Write pages that work with no network (see :func:`corridormap.render.save_map`).

    Returns
    -------
    list of pathlib.Path
        The files written, in scene order.

    Raises
    ------
    SceneError
        If a scene in ``names`` is unknown or does not apply to ``G``.
    """
    from .._filenames import file_names, inside

    views = compute_scenes(G, names)
    # page names are slugs, distinct, inside out_dir: checked before anything is drawn
    file_names([v.scene.name for v in views], SCENE_PAGES, what="scene", error=SceneError)
    paths = [inside(out_dir, v.scene.page(self_contained=self_contained)) for v in views]
    maps = [draw_scene(v, G=G) for v in views]
    return [
        save_map(m, path, self_contained=self_contained)
        for path, m in zip(paths, maps, strict=True)
    ]
