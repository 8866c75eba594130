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

import functools
import itertools
import os
from array import array
from hashlib import blake2b
from typing import Any

import networkx as nx

from . import csr, model
from ._cache import derived, store
from ._errors import InputError
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
    h = _HASH.copy()  # as blake2b(data, digest_size=8), without parsing its options each time
    h.update(key.encode("utf-8"))
    return TIEBREAK_H * int.from_bytes(h.digest(), "little") / 2**64


_HASH = blake2b(digest_size=8)


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


@functools.lru_cache(maxsize=64)
def _rail_layer(gauge: int) -> str:
    """A rail gauge's layer, one text for all its links' edges and nodes."""
    return f"rail:{gauge}"


def link_layers(link: dict[str, Any]) -> list[str]:
    """The layers a link's edges run in: ``rail:<gauge>``, ``road``, or one per service."""
    mode = link["mode"]
    if mode == "rail":
        return [_rail_layer(int(link["gauge"]))]
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
    return _build(geodata if geodata is not None else load_geodata(), consume=False)


def _build(gd: Geodata, *, consume: bool) -> nx.MultiDiGraph:
    """:func:`build_network`; with ``consume``, ``gd``'s links become the graph's edges.

    A link's properties are then taken out of ``gd.links`` and made the mapping of one of its
    edges (the geodata of :func:`load_network`, read for the build alone): a million links'
    mappings are not copied, and their positions are let go as the edges are added. That
    geodata is as :func:`corridormap.load_geodata` checked it, so its ids and property names
    are not checked again.
    """
    if not consume:
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
    nodes = [
        (pid, _node_attrs(gd.nodes[pid], pid, GATE))
        for pid in sorted(gd.nodes)
        if gd.nodes[pid]["kind"] not in PASS_THROUGH_KINDS
    ]
    lids = sorted(gd.links)
    cols = _Columns(gd, lids)
    for pid, attrs in nodes:
        _new_node(G, pid, attrs)
        cols.node(pid, pid)
    weights = _Weights(params)
    _add_links(G, gd, lids, layers, weights, cols, consume)
    _add_transfers(G, gd, layers, weights, cols)
    G.__networkx_cache__.clear()  # the structure was written directly, not by add_edge
    # the compiled export is made from these columns when it is first needed
    store(G, csr.SEED, cols.seed(weights.rows), structure=True)
    store(G, "layer_index", cols.layer_index)
    # the node that speaks for each place (its gate, else its first layer node), in the order
    # a walk of the nodes meets the places: the gates were added first, then the layer nodes
    speakers = [pid for pid, _ in nodes]
    speakers += [ns[0] for p, ns in cols.layer_index.items() if p not in G._node]
    store(G, SPEAKERS, speakers, structure=True)
    return G


#: the derived lookup of each place's speaking node as the build made them
#: (:func:`corridormap.places.place_nodes`)
SPEAKERS = "place_speakers"


class _Columns:
    """What a build writes down of each node and edge it adds: its export's :class:`csr.Seed`.

    Reading a million edges back from the graph's mappings takes seconds; writing down a few
    numbers as the build adds each edge takes a fraction of that.
    """

    def __init__(self, gd: Geodata, lids: list[str]) -> None:
        self.places = sorted(gd.nodes)
        self.place_at = dict(zip(self.places, range(len(self.places)), strict=True))
        self.links = lids
        #: each link's mode and whether it is routable, in ``lids`` order (:func:`_add_links`)
        self.link_mode: list[str] = []
        self.link_routable: list[bool] = []
        #: node id -> index, in the graph's node order
        self.index: dict[str, int] = {}
        #: place -> its layer nodes, in the graph's node order (what layer_nodes reads)
        self.layer_index: dict[str, list[str]] = {}
        # machine numbers, not a Python object each: a million edges take 8 MB a column
        self.node_place = array("q")
        self.tail = array("q")
        self.head = array("q")
        self.link = array("q")
        self.data: list[dict[str, Any]] = []
        self.tiebreak = array("d")
        self.weight = array("q")
        self.from_gate = array("b")
        self.to_gate = array("b")

    def node(self, node: str, place: str) -> int:
        """Write down a node just added to the graph; returns its index."""
        at = self.index[node] = len(self.node_place)
        self.node_place.append(self.place_at[place])
        if node != place:  # a layer node (a gate's id is its place's)
            got = self.layer_index.get(place)
            if got is None:
                self.layer_index[place] = [node]
            else:
                got.append(node)
        return at

    def edges(
        self,
        tail: list[int],
        head: list[int],
        link: list[int],
        data: list[dict[str, Any]],
        tiebreak: list[float],
        weight: list[int],
    ) -> None:
        """Write down edges just added to the graph, in the order added.

        ``link`` is -1 for a transfer; ``weight`` is where each edge's weights are in
        :attr:`_Weights.rows`.
        """
        self.tail.extend(tail)
        self.head.extend(head)
        self.link.extend(link)
        self.data.extend(data)
        self.tiebreak.extend(tiebreak)
        self.weight.extend(weight)

    def seed(self, rows: list[dict[str, Any]]) -> csr.Seed:
        """The columns as arrays; ``rows`` are the build's distinct weights."""
        import numpy as np

        def ints(values: array) -> np.ndarray:
            return np.frombuffer(values, dtype=np.int64)

        def flags(values: array) -> np.ndarray:
            return np.frombuffer(values, dtype=np.int8).astype(bool)

        return csr.Seed(
            index=self.index,
            tail=ints(self.tail),
            head=ints(self.head),
            data=self.data,
            tiebreak=np.frombuffer(self.tiebreak, dtype=np.float64),
            link=ints(self.link),
            node_place=ints(self.node_place),
            places=self.places,
            links=self.links,
            link_mode=self.link_mode,
            link_routable=np.array(self.link_routable, dtype=bool),
            from_gate=flags(self.from_gate),
            to_gate=flags(self.to_gate),
            weight=ints(self.weight),
            weight_rows=rows,
        )


def _node_attrs(props: dict[str, Any], place: str, layer: str) -> dict[str, Any]:
    """A node's attributes: its place and layer, then the place's properties.

    ``x`` and ``y`` stand for ``lon`` and ``lat``, where those were.
    """
    attrs = {"place": place, "layer": layer, "x": props["lon"], "y": props["lat"]}
    attrs.update(props)
    del attrs["lon"], attrs["lat"]
    return attrs


class _Weights:
    """The model's edge weights (:func:`corridormap.model.edge_weights`) of one build, each once.

    An edge's terms and weights follow from a few of its link's properties (or, for a
    transfer, its kind and the layer it enters) and the parameters: links alike in those (the
    same mode, country, service, canal and length) share one immutable tuple of terms, and
    their weights are evaluated once.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self._links: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._transfers: dict[tuple[str, str], dict[str, Any]] = {}
        #: the distinct weights, and where each is in that list (by identity)
        self.rows: list[dict[str, Any]] = []
        self.row: dict[int, int] = {}

    def _new(self, got: dict[str, Any]) -> None:
        self.row[id(got)] = len(self.rows)
        self.rows.append(got)

    def link(self, link: dict[str, Any], service: str | None) -> dict[str, Any]:
        """The weights of travelling ``link`` (sailed by ``service``), ``border`` included."""
        mode = link["mode"]
        country = str(link.get("country") or "")
        border = model.is_border(mode, country)
        km = float(link["length_km"])
        # link_terms reads the id only for a border's own parameters
        key = (mode, country, link.get("canal"), service, link["id"] if border else None, km)
        got = self._links.get(key)
        if got is None:
            terms = model.link_terms(link, self.params, service)
            got = model.edge_weights(terms, self.params, km)
            got["border"] = border
            self._links[key] = got
            self._new(got)
        return got

    def transfer(self, kind: str, to_layer: str) -> dict[str, Any]:
        """The weights of a transfer of ``kind`` into ``to_layer``."""
        got = self._transfers.get((kind, to_layer))
        if got is None:
            terms = model.transfer_terms(kind, to_layer, self.params)
            got = model.edge_weights(terms, self.params, 0.0)
            self._transfers[kind, to_layer] = got
            self._new(got)
        return got


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
    counts = np.fromiter(map(len, coords), dtype=np.int64, count=len(coords))
    chain = itertools.chain.from_iterable
    flat = np.fromiter(chain(chain(coords)), dtype=float, count=2 * int(counts.sum()))
    flat = flat.reshape(-1, 2)
    index = np.repeat(np.arange(len(lids)), counts)
    forward = shapely.linestrings(flat, indices=index) if lids else []
    backward = shapely.reverse(forward) if lids else []
    return forward, backward


def _add_links(
    G: nx.MultiDiGraph,
    gd: Geodata,
    lids: list[str],
    layers: dict[str, set[str]],
    weights: _Weights,
    cols: _Columns,
    consume: bool = False,
) -> None:
    """Add each link's two edges on each of its layers, and its end nodes on those layers.

    A link's edges carry its properties (but ``coords``), its weights, and what the network
    says of the edge (``kind``, ``link_id``, ``layer``, ``service``, ``routable``, ``u_place``,
    ``v_place``, ``geometry``, ``tiebreak``). None of those names is a property of a link: the
    geodata's checks refuse them (:data:`corridormap._schema.LINK_RESERVED`).

    Parameters
    ----------
    G
        The network being built.
    gd
        The geodata.
    lids
        The link ids, in the order of ``cols.links``.
    layers
        The layers at each place; each link's are added at its ends.
    weights
        The build's weights.
    cols
        The build's columns, where the new nodes and edges are written down.
    consume
        Take each link out of ``gd.links`` as it is added (:func:`_build`).
    """
    forward, backward = _link_geometries(gd, lids)
    links, nodes, index = gd.links, gd.nodes, cols.index
    succ, pred = G._succ, G._pred
    tail, head, at_link, datas, tiebreaks, rows = [], [], [], [], [], []
    for at, (lid, fwd, rev) in enumerate(zip(lids, forward, backward, strict=True)):
        if consume:
            base = link = links.pop(lid)
        else:
            link = links[lid]
            base = dict(link)
        base.pop("coords", None)
        routable = link["status"] in ROUTABLE_STATUSES
        cols.link_mode.append(link["mode"])
        cols.link_routable.append(routable)
        a, b = link["from"], link["to"]
        here = link_layers(link)
        for n, layer in enumerate(here, 1):
            service = layer.split(":", 1)[1] if link["services"] else None
            wts = weights.link(link, service)
            ends = []
            for pid in (a, b):
                layers[pid].add(layer)
                node = f"{pid}{SEP}{layer}"  # layer_node: a link's layer is never the gate
                i = index.get(node)
                if i is None:
                    attrs = _node_attrs(nodes[pid], pid, layer)
                    _new_node(G, node, attrs)
                    i = cols.node(node, pid)
                ends.append((node, i))
            (u, iu), (v, iv) = ends
            # the properties' own mapping (the same keys, in the same order) for the last edge
            common = base if consume and n == len(here) else dict(base)
            common.update(wts)
            common["kind"] = "link"
            common["link_id"] = lid
            common["layer"] = layer
            common["service"] = service
            common["routable"] = routable
            key = f"{lid}@{layer}"
            back_key = f"{key}~r"
            tb, back_tb = tiebreak(key), tiebreak(back_key)
            there = dict(common)
            there["u_place"], there["v_place"] = a, b
            there["geometry"], there["tiebreak"] = fwd, tb
            back = common
            back["u_place"], back["v_place"] = b, a
            back["geometry"], back["tiebreak"] = rev, back_tb
            _new_edge(succ, pred, u, v, key, there)
            _new_edge(succ, pred, v, u, back_key, back)
            tail += (iu, iv)
            head += (iv, iu)
            at_link += (at, at)
            datas += (there, back)
            tiebreaks += (tb, back_tb)
            row = weights.row[id(wts)]
            rows += (row, row)
    cols.edges(tail, head, at_link, datas, tiebreaks, rows)


def _new_node(G: nx.MultiDiGraph, node: str, attrs: dict[str, Any]) -> None:
    """Add a node that is not in ``G`` yet, with ``attrs`` as its own attribute mapping.

    What ``G.add_node`` does, without its checks and copies: the build adds every node once.
    """
    G._node[node] = attrs
    G._succ[node] = {}
    G._pred[node] = {}


def _new_edge(succ: dict, pred: dict, u: str, v: str, key: str, data: dict[str, Any]) -> None:
    """Add edge ``u -> v`` under a new ``key``, with ``data`` as its own attribute mapping.

    What ``G.add_edge`` does for nodes already in ``G`` (``succ``, ``pred``: its ``_succ`` and
    ``_pred``) and a key not used yet between them, without its checks and copies (a million
    edges are built in seconds). The build's keys are unique: a link id and a layer, or a
    place and two layers.
    """
    keyed = succ[u].get(v)
    if keyed is None:
        keyed = succ[u][v] = pred[v][u] = {}
    keyed[key] = data


def _add_transfers(
    G: nx.MultiDiGraph,
    gd: Geodata,
    layers: dict[str, set[str]],
    weights: _Weights,
    cols: _Columns,
) -> None:
    """Add the transfer edges between the layers at each place (chokepoints have none).

    Every transfer from layer ``a`` to layer ``b`` has the same mapping but for its place and
    tie-break: each is a copy of one made per ``(a, b)`` (:func:`_transfer_template`).

    Parameters
    ----------
    G
        The network being built.
    gd
        The geodata.
    layers
        The layers at each place.
    weights
        The build's weights.
    cols
        The build's columns, where the new edges are written down.
    """
    index = cols.index
    succ, pred = G._succ, G._pred
    templates: dict[tuple[str, str], tuple[dict[str, Any], int] | None] = {}
    #: the layers at a place -> its transfers: (from, to, template, weights' row)
    plans: dict[frozenset[str], list[tuple[str, str, dict[str, Any], int]]] = {}
    tail, head, datas, tiebreaks, rows, from_gate, to_gate = [], [], [], [], [], [], []
    for pid in sorted(layers):
        if gd.nodes[pid]["kind"] in PASS_THROUGH_KINDS:
            continue
        here = frozenset(layers[pid])
        plan = plans.get(here)
        if plan is None:
            plan = plans[here] = _transfer_plan(here, templates, weights)
        for a, b, template, row in plan:
            # both nodes are there: the gate of a place that is no chokepoint, and the layers
            # its links added
            u = pid if a == GATE else f"{pid}{SEP}{a}"  # layer_node, inline
            v = pid if b == GATE else f"{pid}{SEP}{b}"
            key = f"{pid}:{a}>{b}"
            tb = tiebreak(key)
            data = template.copy()
            data["tiebreak"] = tb
            data["place"] = data["u_place"] = data["v_place"] = pid
            _new_edge(succ, pred, u, v, key, data)
            tail.append(index[u])
            head.append(index[v])
            datas.append(data)
            tiebreaks.append(tb)
            rows.append(row)
            from_gate.append(a == GATE)
            to_gate.append(b == GATE)
    cols.edges(tail, head, [-1] * len(tail), datas, tiebreaks, rows)
    cols.from_gate.extend(from_gate)
    cols.to_gate.extend(to_gate)


def _transfer_plan(
    here: frozenset[str],
    templates: dict[tuple[str, str], tuple[dict[str, Any], int] | None],
    weights: _Weights,
) -> list[tuple[str, str, dict[str, Any], int]]:
    """The transfers at a place with the layers ``here``, in the order the build adds them.

    ``(from layer, to layer, template, weights' row)`` for every ordered pair of its gate and
    layers (sorted, the gate first) that has a transfer; ``templates`` holds each pair's
    :func:`_transfer_template`, made when first needed.
    """
    present = [GATE, *sorted(here)]
    plan = []
    for a in present:
        for b in present:
            if (a, b) not in templates:
                templates[a, b] = _transfer_template(a, b, weights)
            made = templates[a, b]
            if made is not None:
                plan.append((a, b, *made))
    return plan


def _transfer_template(a: str, b: str, weights: _Weights) -> tuple[dict[str, Any], int] | None:
    """The mapping of a transfer from layer ``a`` to ``b`` and its weights' row (``None``: none).

    Its ``tiebreak``, ``place``, ``u_place`` and ``v_place`` are for each transfer to set.
    """
    kind = model.transfer_type(a, b)
    if kind is None:
        return None
    wts = weights.transfer(kind, b)
    data = {
        "tiebreak": 0.0,
        "kind": "transfer",
        "transfer": kind,
        "place": None,
        "from_layer": a,
        "to_layer": b,
        "u_place": None,
        "v_place": None,
        "link_id": None,
        "mode": "transfer",
        "status": "operational",
        "routable": True,
    }
    data.update(wts)
    return data, weights.row[id(wts)]


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
        # the names the loader adds itself are allowed
        taken = frozenset(reserved) - {"lon", "lat", "coords"}
        for fid, props in table.items():
            check_id(str(fid), file)
            if not props.keys().isdisjoint(taken):
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

    return _build(geodata_as_of(load_geodata(data_dir), as_of), consume=True)


def baseline_view(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A read-only view of ``G`` without the links that are not routable today."""
    return nx.subgraph_view(G, filter_edge=lambda u, v, k: G.edges[u, v, k]["routable"])
