"""Build the weighted multimodal network: a plain ``networkx.MultiDiGraph``.

Each place is split into layers, one per way cargo can stand there:

* the **gate** (node id = the place id, e.g. ``"MOW"``): where a shipment starts or ends;
* one node per **layer** (``"MOW|rail:1520"``, ``"NSA|sea:asia_europe"``): rail by gauge, road,
  and each scheduled shipping service.

Link edges join the same layer at two places (both directions); transfer edges join layers
within one place (gauge change, port handling, rail-road transshipment, boarding a service).
Every edge carries ``distance_km``, ``time_h``, ``cost_usd`` and ``co2_kg`` per TEU, and the
``terms`` they follow from (see :mod:`corridormap.model`), so any networkx algorithm runs on it
directly.

Links whose status is ``planned`` or ``under_construction`` are in the graph with
``routable=False``; :func:`baseline_view` hides them, and scenarios open them.
"""

from __future__ import annotations

import os
from typing import Any

import networkx as nx

from . import model
from ._cache import derived
from ._errors import GeodataError, InputError
from ._gc import paused, settled
from ._schema import (
    LINK_RESERVED,
    NODE_RESERVED,
    PASS_THROUGH_KINDS,
    ROUTABLE_STATUSES,
    check_id,
    check_reserved,
)
from .io import Geodata, load_geodata

__all__ = [
    "GATE",
    "baseline_view",
    "build_network",
    "endpoint_nodes",
    "layer_node",
    "layer_nodes",
    "load_network",
    "place_of",
]

GATE = "gate"
SEP = "|"


#: the most hours an edge's tie-break adds to its objective (:func:`tiebreak`)
TIEBREAK_H = 1e-6


def tiebreak(key: str) -> float:
    """A tiny, fixed amount for the edge ``key``, added to every objective it is routed by.

    Two routes of exactly equal expected figures (say one sailing on two services with the same
    ranges) would otherwise be told apart by each search algorithm's own order, and a sweep, a
    map and a route could then show different routes for the same question. With every edge a
    different millionth of an hour at most, no two routes tie, and every search finds the same
    one. It is never part of a route's figures.
    """
    import hashlib

    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return TIEBREAK_H * int.from_bytes(digest, "little") / 2**64


def layer_node(place: str, layer: str) -> str:
    """The graph node id of ``place`` in ``layer`` (the gate is the place id itself)."""
    return place if layer == GATE else f"{place}{SEP}{layer}"


def place_of(node: str) -> str:
    """The place id of a graph node id."""
    return node.split(SEP, 1)[0]


def endpoint_nodes(G: nx.MultiDiGraph, place: str) -> list[str]:
    """The nodes a route starts or ends at: the place's gate, else its layer nodes.

    Parameters
    ----------
    G
        The network.
    place
        A place id.

    Returns
    -------
    list of str
        ``[place]`` when the place has a gate; else its layer nodes (a sea chokepoint has
        several and no gate); empty for a place not in ``G``.
    """
    if place in G and G.nodes[place].get("layer") == GATE:
        return [place]
    return layer_nodes(G, place)


def layer_nodes(G: nx.MultiDiGraph, place: str) -> list[str]:
    """The layer nodes of a place (``"RSH|rail:1435"``, ``"RSH|road"`` ...).

    Parameters
    ----------
    G
        The network.
    place
        A place id.

    Returns
    -------
    list of str
        In the graph's node order; empty for a place not in ``G``.
    """
    return derived(G, "layer_index", _build_layer_index).get(place, [])


def _build_layer_index(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("layer") != GATE:
            table.setdefault(d["place"], []).append(n)
    return table


def link_layers(link: dict[str, Any]) -> list[str]:
    """The layers a link's edges run in: ``rail:<gauge>``, ``road``, or one per service."""
    mode = link["mode"]
    if mode == "rail":
        return [f"rail:{int(link['gauge'])}"]
    if link["services"]:
        return [f"{mode}:{s}" for s in link["services"]]
    return [mode]


@paused
def build_network(geodata: Geodata | None = None) -> nx.MultiDiGraph:
    """Build the multimodal network from validated geodata.

    Parameters
    ----------
    geodata
        From :func:`corridormap.load_geodata`; ``None`` loads the bundled data.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes carry ``place``, ``layer``, ``x`` (lon), ``y`` (lat), ``name``, ``country``,
        ``kind`` and every other property of the place. Edges carry ``kind``
        (``link`` or ``transfer``), the weights, and for links every property of the link with
        ``geometry`` as a shapely LineString in the direction of travel. ``G.graph`` holds
        ``crs``, ``params``, ``stations``, ``regions`` and ``directory``.
    """
    gd = geodata if geodata is not None else load_geodata()
    _check_geodata(gd)
    params = gd.params
    G = nx.MultiDiGraph(
        crs="EPSG:4326",
        params=params,
        stations=gd.stations,
        regions=gd.regions,
        directory=gd.directory,
        name="corridormap",
    )
    if gd.as_of is not None:  # the network of a date: say which, and what it left out
        G.graph["as_of"] = gd.as_of
    layers: dict[str, set[str]] = {pid: set() for pid in gd.nodes}
    for pid in sorted(gd.nodes):
        props = gd.nodes[pid]
        attrs = {k: val for k, val in props.items() if k not in ("lon", "lat")}
        if props["kind"] not in PASS_THROUGH_KINDS:
            G.add_node(pid, place=pid, layer=GATE, x=props["lon"], y=props["lat"], **attrs)
    lids = sorted(gd.links)
    forward, backward = _link_geometries(gd, lids)
    for lid, fwd, rev in zip(lids, forward, backward, strict=True):
        _add_link(G, gd, lid, fwd, rev, layers)
    _add_transfers(G, gd, layers)
    return G


def _link_geometries(gd: Geodata, lids: list[str]) -> tuple[Any, Any]:
    """All link geometries in two vectorised calls, forward and reversed.

    Parameters
    ----------
    gd
        The geodata.
    lids
        The link ids, in the order wanted.

    Returns
    -------
    tuple
        The shapely LineStrings in the links' direction and reversed, in ``lids`` order
        (empty lists when there are no links).
    """
    import numpy as np
    import shapely

    coords = [gd.links[lid]["coords"] for lid in lids]
    flat = np.array([c for cs in coords for c in cs], dtype=float).reshape(-1, 2)
    index = np.repeat(np.arange(len(lids)), [len(cs) for cs in coords])
    forward = shapely.linestrings(flat, indices=index) if lids else []
    backward = shapely.reverse(forward) if lids else []
    return forward, backward


def _add_link(
    G: nx.MultiDiGraph, gd: Geodata, lid: str, fwd: Any, rev: Any, layers: dict[str, set[str]]
) -> None:
    """Add a link's two edges on each of its layers, and its end nodes on those layers.

    Parameters
    ----------
    G
        The network being built.
    gd
        The geodata.
    lid
        The link id.
    fwd, rev
        Its geometry in its direction and reversed.
    layers
        The layers at each place; the link's are added at its ends.

    Raises
    ------
    GeodataError
        If a property of the link has the name of a weight the network computes.
    """
    params = gd.params
    link = gd.links[lid]
    base = {k: val for k, val in link.items() if k != "coords"}
    routable = link["status"] in ROUTABLE_STATUSES
    for layer in link_layers(link):
        service = layer.split(":", 1)[1] if link["services"] else None
        wts = model.edge_weights(
            model.link_terms(link, params, service), params, float(link["length_km"])
        )
        wts["border"] = model.is_border(link["mode"], str(link.get("country") or ""))
        ends = []
        for pid in (link["from"], link["to"]):
            layers[pid].add(layer)
            node = layer_node(pid, layer)
            if node not in G:
                p = gd.nodes[pid]
                attrs = {k: val for k, val in p.items() if k not in ("lon", "lat")}
                G.add_node(node, place=pid, layer=layer, x=p["lon"], y=p["lat"], **attrs)
            ends.append(node)
        clash = sorted(set(base) & set(wts))
        if clash:
            raise GeodataError(
                f"property {clash[0]!r} is a weight the network computes itself; rename it",
                file="links.geojson",
                feature=lid,
                field=clash[0],
            )
        common = {
            **base,
            **wts,
            "kind": "link",
            "link_id": lid,
            "layer": layer,
            "service": service,
            "routable": routable,
        }
        G.add_edge(
            ends[0],
            ends[1],
            key=f"{lid}@{layer}",
            **common,
            u_place=link["from"],
            v_place=link["to"],
            geometry=fwd,
            tiebreak=tiebreak(f"{lid}@{layer}"),
        )
        G.add_edge(
            ends[1],
            ends[0],
            key=f"{lid}@{layer}~r",
            **common,
            u_place=link["to"],
            v_place=link["from"],
            geometry=rev,
            tiebreak=tiebreak(f"{lid}@{layer}~r"),
        )


def _add_transfers(G: nx.MultiDiGraph, gd: Geodata, layers: dict[str, set[str]]) -> None:
    """Add the transfer edges between the layers at each place (chokepoints have none).

    Parameters
    ----------
    G
        The network being built.
    gd
        The geodata.
    layers
        The layers at each place.
    """
    params = gd.params
    for pid in sorted(layers):
        if gd.nodes[pid]["kind"] in PASS_THROUGH_KINDS:
            continue
        present = sorted(layers[pid])
        for a in [GATE, *present]:
            for b in [GATE, *present]:
                kind = model.transfer_type(a, b)
                if kind is None:
                    continue
                wts = model.edge_weights(model.transfer_terms(kind, b, params), params, 0.0)
                G.add_edge(
                    layer_node(pid, a),
                    layer_node(pid, b),
                    key=f"{pid}:{a}>{b}",
                    tiebreak=tiebreak(f"{pid}:{a}>{b}"),
                    kind="transfer",
                    transfer=kind,
                    place=pid,
                    from_layer=a,
                    to_layer=b,
                    u_place=pid,
                    v_place=pid,
                    link_id=None,
                    mode="transfer",
                    status="operational",
                    routable=True,
                    **wts,
                )


def _check_geodata(gd: Geodata) -> None:
    """Check ids and property names of geodata built in code (``load_geodata`` checks its own).

    Ids have no ``|`` or control characters, and no property is one the network sets itself.
    """
    if not isinstance(gd, Geodata):
        raise InputError(
            f"build_network() needs a Geodata from corridormap.load_geodata(), got "
            f"{type(gd).__name__}"
        )
    for file, table, reserved in (
        ("nodes.geojson", gd.nodes, NODE_RESERVED),
        ("links.geojson", gd.links, LINK_RESERVED),
    ):
        for fid, props in table.items():
            check_id(str(fid), file)
            given = {k: val for k, val in props.items() if k not in ("lon", "lat", "coords")}
            check_reserved(given, reserved, file, fid)


@settled
def load_network(
    data_dir: str | os.PathLike[str] | None = None, *, as_of: Any = None
) -> nx.MultiDiGraph:
    """Load a geodata directory (default: the bundled data) and build its network.

    ``as_of`` (``"YYYY"``, ``"YYYY-MM"``, ``"YYYY-MM-DD"`` or a :class:`datetime.date`) builds
    the network of that date (:func:`corridormap.asof.geodata_as_of`); ``None``, the data as
    written (today's network).
    """
    from .asof import geodata_as_of

    return build_network(geodata_as_of(load_geodata(data_dir), as_of))


def baseline_view(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A read-only view of ``G`` without the links that are not routable today."""
    return nx.subgraph_view(G, filter_edge=lambda u, v, k: G.edges[u, v, k]["routable"])
