"""Map scenes as data: named views defined in ``geodata/scenes.toml`` and the routes they show.

A scene is data (a title, a subtitle, and either the whole network or a list of routes to
find, each with its places, closures and label); this module reads the definitions and runs
the analysis a scene needs (:func:`corridormap.route` with :func:`corridormap.make_weight`),
then hands the :class:`SceneView` (the :class:`~corridormap.Route` objects and their
figures) to the renderer (:mod:`corridormap.render.mapscenes`), which draws without routing
anything itself. Nothing here draws.

The scenes come from the network's own geodata directory (``scenes.toml`` beside its
``nodes.geojson``, so a user's ``--data DIR`` can define its own), else the bundled file. A
scene that names a place or link the network lacks does not apply: :func:`compute_scenes`
skips it with a logged note when computing every scene, and raises :class:`SceneError` when it
was asked for by name.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ._errors import CorridormapError, GeodataError, InputError, SceneError
from ._filenames import file_names, slug
from .io import data_file, read_toml
from .places import resolve_place, short_name
from .weights import Weight, objective_attr

if TYPE_CHECKING:  # pragma: no cover
    from .routing import Route

__all__ = [
    "SCENES",
    "Scene",
    "SceneRoute",
    "SceneView",
    "compute_scene",
    "compute_scenes",
    "load_scenes",
    "pick_scene",
]

log = logging.getLogger(__name__)

#: the scene file's name in a geodata directory
SCENES_FILE = "scenes.toml"
#: a scene's pages, by its name's slug: with online tiles, and working offline
SCENE_PAGES = ("map-{}.html", "map-{}-offline.html")
#: page names a scene may not take: ``corridormap map catchment`` writes them
RESERVED_PAGES = {
    "map-catchment.html": "the page 'corridormap map catchment' writes",
    "map-catchment-offline.html": "the page 'corridormap map catchment --self-contained' writes",
}
_SCENE_KEYS = {
    "title",
    "subtitle",
    "description",
    "network",
    "routes",
    "source",
    "zoom_links",
    "zoom_pad_deg",
    "replay",
    "evidence",
    "labels",
}
_ROUTE_KEYS = {
    "from",
    "to",
    "via",
    "avoid",
    "by",
    "opened_links",
    "closed_links",
    "label",
    "label_by_crossing",
}


@dataclass(frozen=True)
class SceneRoute:
    """One route a scene shows: what to ask the router, and the layer's label.

    Attributes
    ----------
    origin, destination, via, avoid
        Places as :func:`corridormap.route` takes them.
    by
        The objective.
    opened_links, closed_links
        Link ids opened (planned links made routable) or closed for this route.
    label
        The layer's name; the route's days are added to it.
    label_by_crossing
        Name the layer after the route's first Caspian crossing instead (``label`` when the
        route has none).
    """

    origin: str
    destination: str
    label: str
    via: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    by: str = "time_h"
    opened_links: tuple[str, ...] = ()
    closed_links: tuple[str, ...] = ()
    label_by_crossing: bool = False


@dataclass(frozen=True)
class Scene:
    """A named map preset from ``scenes.toml``.

    Attributes
    ----------
    name, title, subtitle, description
        The page's name (``map-<name>.html``), its title box, and a one-line description for
        listings.
    network
        Draw the whole network (the routes are then not used).
    routes
        The routes to find and draw over the faint network.
    zoom_links, zoom_pad_deg
        Open the page on these links, ``zoom_pad_deg`` degrees round them, instead of on
        everything drawn.
    source
        Where the facts in the title and subtitle come from.
    file
        The file the scene was read from.
    """

    name: str
    title: str
    subtitle: str
    description: str
    network: bool = False
    routes: tuple[SceneRoute, ...] = ()
    zoom_links: tuple[str, ...] = ()
    zoom_pad_deg: float = 0.0
    source: str | None = None
    file: str = SCENES_FILE
    replay: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    def page(self, *, self_contained: bool = False) -> str:
        """The file name of the scene's page: ``map-<slug>.html`` (``-offline.html``).

        The slug is the name's letters and digits (:func:`corridormap._filenames.slug`), so
        a name from the data never becomes a path.
        """
        return SCENE_PAGES[1 if self_contained else 0].replace(
            "{}", slug(self.name, file=self.file, what="scene", error=SceneError)
        )


@dataclass(frozen=True)
class SceneView:
    """A scene with its routes found: what the renderer draws.

    Attributes
    ----------
    scene
        The definition.
    routes
        The :class:`~corridormap.Route` objects, in the order of ``scene.routes``.
    names
        The layer name of each route ("<label> (<days> days)").
    scenario
        The scenario(s) the routes were found and measured under.
    percentiles
        Per route, P10/P50/P90 of its days and cost per TEU
        (:func:`corridormap.uncertainty.route_percentiles`, :data:`corridormap.uncertainty.DRAWS`
        draws, seed 0, as ``route`` and ``compare`` by default).
    replay
        The shipment laid out in time (replay scenes).
    evidence
        The evidence-register rows the scene cites (``evidence``), as read.
    labels
        Place ids labelled on the map beyond the cities and chokepoints.
    """

    scene: Scene
    routes: tuple[Route, ...] = ()
    names: tuple[str, ...] = ()
    scenario: str = "baseline"
    percentiles: tuple[dict[str, Any], ...] = ()
    replay: Any = None
    evidence: tuple[dict[str, Any], ...] = ()
    labels: tuple[str, ...] = ()


# -- reading --------------------------------------------------------------------------------
def scenes_path(G: nx.MultiDiGraph | None = None) -> Path:
    """The scene file used for ``G``: its geodata directory's, else the bundled one."""
    return data_file(G.graph.get("directory") if G is not None else None, SCENES_FILE)


def _strings(value: Any, file: str, scene: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SceneError(
            "expected a list of non-empty texts", file=file, feature=scene, field=field
        )
    return tuple(value)


def _text(value: Any, file: str, scene: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SceneError("expected a non-empty text", file=file, feature=scene, field=field)
    return value


def _flag(value: Any, file: str, scene: str, field: str) -> bool:
    if not isinstance(value, bool):
        raise SceneError("expected true or false", file=file, feature=scene, field=field)
    return value


def _objective(value: Any, file: str, scene: str) -> str:
    """A route's ``by``: an objective (``time``, ``cost_usd`` ...), as its edge attribute."""
    try:
        return objective_attr(_text(value, file, scene, "by"))
    except InputError as exc:
        raise SceneError(str(exc), file=file, feature=scene, field="by") from None


def _unknown_keys(table: Mapping[str, Any], allowed: set[str], file: str, scene: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise SceneError(
            f"unknown key(s) {', '.join(map(repr, extra))}; expected {', '.join(sorted(allowed))}",
            file=file,
            feature=scene,
        )


def _route(raw: Any, file: str, scene: str, i: int) -> SceneRoute:
    where = f"{scene}.routes[{i}]"
    if not isinstance(raw, dict):
        raise SceneError("expected a table ([[<scene>.routes]])", file=file, feature=where)
    _unknown_keys(raw, _ROUTE_KEYS, file, where)
    for key in ("from", "to", "label"):
        if key not in raw:
            raise SceneError("is missing", file=file, feature=where, field=key)
    lists = {
        k: _strings(raw[k], file, where, k)
        for k in ("via", "avoid", "opened_links", "closed_links")
        if k in raw
    }
    return SceneRoute(
        origin=_text(raw["from"], file, where, "from"),
        destination=_text(raw["to"], file, where, "to"),
        label=_text(raw["label"], file, where, "label"),
        by=_objective(raw.get("by", "time_h"), file, where),
        label_by_crossing=_flag(
            raw.get("label_by_crossing", False), file, where, "label_by_crossing"
        ),
        **lists,
    )


def _scene(name: str, raw: Any, file: str) -> Scene:
    if not isinstance(raw, dict):
        raise SceneError("expected a table ([<scene name>])", file=file, feature=name)
    _unknown_keys(raw, _SCENE_KEYS, file, name)
    for key in ("title", "description"):
        if key not in raw:
            raise SceneError("is missing", file=file, feature=name, field=key)
    description = _text(raw["description"], file, name, "description")
    network = _flag(raw.get("network", False), file, name, "network")
    routes_raw = raw.get("routes", [])
    if not isinstance(routes_raw, list):
        raise SceneError(
            "expected [[<scene>.routes]] tables", file=file, feature=name, field="routes"
        )
    routes = tuple(_route(r, file, name, i) for i, r in enumerate(routes_raw))
    replay = raw.get("replay", [])
    replay = [replay] if isinstance(replay, str) else replay
    replay = _strings(replay, file, name, "replay") if replay else ()
    if not network and not routes and not replay:
        raise SceneError(
            "a scene draws the network (network = true), routes ([[<scene>.routes]]) or "
            "a shipment (replay = <evidence id>)",
            file=file,
            feature=name,
        )
    pad = raw.get("zoom_pad_deg", 0.0)
    if isinstance(pad, bool) or not isinstance(pad, int | float) or not 0 <= pad <= 90:
        raise SceneError(
            "expected degrees from 0 to 90", file=file, feature=name, field="zoom_pad_deg"
        )
    source = raw.get("source")
    return Scene(
        name=name,
        title=_text(raw["title"], file, name, "title"),
        subtitle=_text(raw.get("subtitle", description), file, name, "subtitle"),
        description=description,
        network=network,
        routes=routes,
        zoom_links=_strings(raw.get("zoom_links", []), file, name, "zoom_links"),
        zoom_pad_deg=float(pad),
        source=None if source is None else _text(source, file, name, "source"),
        file=file,
        replay=replay,
        evidence=_strings(raw.get("evidence", []), file, name, "evidence")
        if raw.get("evidence")
        else (),
        labels=_strings(raw.get("labels", []), file, name, "labels") if raw.get("labels") else (),
    )


def load_scenes(
    G: nx.MultiDiGraph | None = None, *, path: str | os.PathLike[str] | None = None
) -> dict[str, Scene]:
    """The scenes defined for ``G`` (see :func:`scenes_path`), or in the file ``path``.

    Returns
    -------
    dict
        ``name -> Scene`` in file order.

    Raises
    ------
    SceneError
        If the file is not valid TOML or a scene is malformed (the message names the file,
        the scene and the field).
    """
    file = Path(path) if path is not None else scenes_path(G)
    try:
        doc = read_toml(file)
    except SceneError:
        raise
    except GeodataError as exc:
        raise SceneError(exc.reason, file=file.name) from None
    if not doc:
        raise SceneError("defines no scene", file=file.name)
    scenes = {name: _scene(name, raw, file.name) for name, raw in doc.items()}
    # every page name a slug of its own, none another scene's or the catchment map's
    file_names(
        scenes,
        SCENE_PAGES,
        file=file.name,
        what="scene",
        reserved=RESERVED_PAGES,
        error=SceneError,
    )
    return scenes


#: the bundled scenes: name -> description (a user's geodata may define others)
SCENES: dict[str, str] = {n: s.description for n, s in load_scenes().items()}


# -- computing ------------------------------------------------------------------------------
def _crossing(r: Route) -> str | None:
    """'<port> – <port> by ship' (or rail ferry) for the route's first Caspian crossing."""
    for leg in r.legs:
        if leg.get("kind") == "link" and leg.get("mode") in ("caspian", "ferry"):
            how = "by ship" if leg["mode"] == "caspian" else "rail ferry"
            o = short_name(r.names.get(r.origin, r.origin))
            d = short_name(r.names.get(r.destination))
            return (
                f"{o} → {d} door to door, crossing {short_name(leg['from_name'])} – "
                f"{short_name(leg['to_name'])} {how}"
            )
    return None


def _link_ids(G: nx.MultiDiGraph) -> set[str]:
    return {d["link_id"] for *_, d in G.edges(data=True) if d.get("kind") == "link"}


def compute_scene(G: nx.MultiDiGraph, scene: Scene, *, weight: Weight | None = None) -> SceneView:
    """Find the routes a scene shows (under ``weight``'s scenario, if given).

    Raises
    ------
    SceneError
        If the scene names a link or place that is not in ``G``, or a route does not exist
        there (the message names the scene and what is missing).
    """
    from .routing import make_weight, route

    wanted = [*scene.zoom_links, *(x for s in scene.routes for x in s.opened_links)]
    wanted += [x for s in scene.routes for x in s.closed_links]
    missing = sorted(set(wanted) - _link_ids(G))
    if missing:
        raise SceneError(
            f"names link(s) not in the network: {', '.join(missing[:10])}",
            file=scene.file,
            feature=scene.name,
        )
    scenario = weight.scenario if weight is not None else "baseline"
    # a label is a nicety: places the network lacks are not labelled, the scene still applies
    found = []
    for x in scene.labels:
        try:
            found.append(resolve_place(G, x))
        except (CorridormapError, ValueError):
            log.debug("scene %r: no place %r to label", scene.name, x)
    labels = tuple(found)
    evidence: tuple[dict[str, Any], ...] = ()
    if scene.evidence:
        from .evidence import evidence_rows

        rows = evidence_rows(G.graph.get("directory") or None)
        unknown = [x for x in scene.evidence if x not in rows]
        if unknown:
            raise SceneError(
                f"no movement {', '.join(unknown)} in the evidence register",
                file=scene.file,
                feature=scene.name,
            )
        evidence = tuple(rows[x] for x in scene.evidence)
    if scene.network:
        return SceneView(scene, scenario=scenario, labels=labels, evidence=evidence)
    if scene.replay:
        from .replay import replay

        try:
            rp = replay(G, scene.replay)
        except SceneError as exc:
            raise SceneError(exc.reason, file=scene.file, feature=scene.name) from None
        return SceneView(scene, scenario=scenario, replay=rp, labels=labels, evidence=evidence)
    from .uncertainty import DRAWS, route_percentiles

    routes, names, pcts = [], [], []
    for spec in scene.routes:
        base = make_weight(spec.by) if weight is None else replace(weight, by=spec.by)
        wf = base.opening(spec.opened_links).closing(links=spec.closed_links)
        try:
            r = route(G, spec.origin, spec.destination, via=spec.via, avoid=spec.avoid, weight=wf)
        except (CorridormapError, ValueError) as exc:
            raise SceneError(
                f"route {spec.origin} -> {spec.destination}: {exc}",
                file=scene.file,
                feature=scene.name,
            ) from None
        label = (_crossing(r) if spec.label_by_crossing else None) or spec.label
        pct = route_percentiles(G, r, draws=DRAWS, seed=0) if r.legs else {}
        routes.append(r)
        pcts.append(pct)
        days = pct.get("days", {}).get("expected", math.nan)
        names.append(f"{label}: {days:.1f} days expected" if math.isfinite(days) else label)
    return SceneView(
        scene,
        tuple(routes),
        tuple(names),
        scenario,
        percentiles=tuple(pcts),
        labels=labels,
        evidence=evidence,
    )


# -- choosing -------------------------------------------------------------------------------
def pick_scene(scenes: Mapping[str, Scene], name: str) -> Scene:
    """The scene called ``name``.

    Parameters
    ----------
    scenes
        The scenes by name (:func:`load_scenes`).
    name
        A scene name.

    Returns
    -------
    Scene

    Raises
    ------
    SceneError
        If ``name`` is not one of them (the message lists the scenes). A :class:`ValueError`.
    """
    if not isinstance(name, str) or name not in scenes:
        raise SceneError(
            f"no scene {name!r}; scenes are: {', '.join(scenes)}",
            file=next(iter(scenes.values())).file if scenes else SCENES_FILE,
        )
    return scenes[name]


def compute_scenes(G: nx.MultiDiGraph, names: str | Iterable[str] | None = None) -> list[SceneView]:
    """Every scene of ``G`` (or those in ``names``) with its routes found.

    Parameters
    ----------
    G
        The network; its geodata directory's ``scenes.toml`` is used if there is one.
    names
        Scenes to compute (a single name is one scene); default every scene that applies to
        ``G``: the others (naming places or links ``G`` lacks) are skipped with a logged note.

    Returns
    -------
    list of SceneView
        In scene order.

    Raises
    ------
    SceneError
        If a scene in ``names`` is unknown or does not apply to ``G``.
    """
    scenes = load_scenes(G)
    if names is None:
        chosen, strict = list(scenes.values()), False
    else:
        chosen = [pick_scene(scenes, n) for n in ([names] if isinstance(names, str) else names)]
        strict = True
    views = []
    for scene in chosen:
        try:
            views.append(compute_scene(G, scene))
        except SceneError as exc:
            if strict:
                raise
            log.warning("scene %r skipped: %s", scene.name, exc.reason)
    return views
