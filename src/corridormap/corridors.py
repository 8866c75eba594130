"""Alternative routes: up to ``k`` routes that a planner would call different corridors.

:func:`alternatives` gives the best route (:func:`corridormap.routing.route`) and then the best
route of each other corridor, where :func:`corridor_key` says what makes two routes the same
corridor (their border crossings, transshipments and chokepoints).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np

from . import search
from ._cache import derived
from ._errors import InputError
from ._schema import as_names
from .network import GATE, place_of
from .places import place_attr, resolve_place
from .routing import WATER_MODES, Route, route, route_from_path
from .weights import Weight

__all__ = ["DISTINCT", "SECOND_DETOURS", "alternatives", "corridor_key", "revisits"]


def alternatives(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    by: str = "time_h",
    via: Iterable[str] = (),
    avoid: Iterable[str] = (),
    weight: Weight | None = None,
    modes: Iterable[str] | None = None,
    leg_modes: Iterable[Iterable[str] | None] | None = None,
    max_examined: int = 500,
    clock: str | None = None,
    distinct: str = "corridor",
) -> list[Route]:
    """Up to ``k`` distinct routes, best first.

    Two routes are the same alternative when they have the same :func:`corridor_key`: the
    same sequence of border crossings, transshipment places and chokepoints. A route that
    only adds a call on the same path (a ship calling at Chabahar on its way to Bandar
    Abbas) or takes another line between the same waypoints is not offered; the best route
    of each class is. ``distinct="links"`` counts any other sequence of links as distinct.

    The first is :func:`route`'s. The others are via-node routes: one shortest-path tree
    from the origin and one to the destination give, for every node ``v``, the best route
    through ``v``; those are taken cheapest first, keeping routes that differ from the ones
    kept (by ``distinct``), visit no node or place twice and pass the ``via`` places
    in order. With ``via``, each stretch between stops gets its via-node routes, joined to
    the best route's other stretches. Two searches per stretch, however many routes are asked
    for, so the cost grows with the network, not with ``k`` times the route length (as Yen's
    k-shortest paths do). Routes that differ only in where a transfer happens count as the
    same route. With ``distinct="corridor"`` the via nodes are the ends of what
    :func:`corridor_key` sees (border links, links over water, transfers between a ship and
    land or another ship): a dense stretch of lines (a grid) holds more near-equal detours
    within one corridor than ``max_examined``, and taking those first would never reach
    another corridor.

    On a network of fewer than :data:`corridormap.search.MIN_EDGES` edges, or a graph without
    the attributes of a built network (no compiled export), Yen's k shortest simple paths
    (:func:`corridormap.search.simple_paths`) run on the network with parallel edges
    collapsed: they list the simple routes exactly in order of cost, and the first of each
    class is kept. Where a small network holds many near-equal detours within one corridor
    (a grid of lines), Yen may list all ``max_examined`` of them before another corridor.

    Parameters are those of :func:`route` (``leg_modes`` included: every alternative keeps
    each stretch's modes), plus ``k``, ``max_examined`` (how many candidate routes,
    through one or two via nodes or simple paths for Yen, to examine at most while looking
    for ``k`` distinct routes; fewer than ``k`` come back when those hold fewer) and
    ``distinct`` (``"corridor"`` or ``"links"``, above).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InputError(f"k must be a whole number of at least 1, got {k!r}")
    if distinct not in DISTINCT:
        raise InputError(f"distinct must be one of {', '.join(DISTINCT)}, got {distinct!r}")
    best = route(
        G,
        origin,
        destination,
        by=by,
        via=via,
        avoid=avoid,
        weight=weight,
        modes=modes,
        leg_modes=leg_modes,
        clock=clock,
    )
    if k == 1:
        return [best]
    stretch_modes = (
        None
        if leg_modes is None
        else [None if m is None else ({m} if isinstance(m, str) else set(m)) for m in leg_modes]
    )
    wf = best.weight
    assert wf is not None
    vias = [resolve_place(G, x) for x in as_names(via, "via")]
    # chosen by the network's size alone, never by what ran before: the two algorithms may
    # rank routes of equal cost differently, and a call must give the same answer each time
    c = search.engine(G) if search.large(G) else None
    if distinct == "links":
        key = _link_key
    else:

        def key(r: Route) -> tuple[Any, ...]:
            return corridor_key(G, r)

    ok = None if stretch_modes is None else (lambda r: _keeps_stretch_modes(r, vias, stretch_modes))
    if c is None:
        return _alternatives_yen(G, best, wf, vias, k, max_examined, key, ok)
    at = None if distinct == "links" else _corridor_nodes(G, c)
    return _via_node_routes(G, c, best, wf, vias, k, max_examined, key, ok, at)


#: what makes two alternatives distinct (see :func:`alternatives`)
DISTINCT = ("corridor", "links")


def _link_key(r: Route) -> tuple[Any, ...]:
    return tuple(r.link_ids)


def corridor_key(G: nx.MultiDiGraph, r: Route) -> tuple[tuple[str, ...], ...]:
    """What a planner tells routes apart by: border crossings, transshipments, chokepoints.

    In travel order: ``("border", a, b)`` for each border crossed (a land link flagged
    ``border``, from ``a`` to ``b``; or a stretch over water between ports of two countries,
    ``a`` the port of departure and ``b`` of arrival), ``("transship", p)`` for each port
    call where the cargo changes between ship and land or between ships (a transfer within
    port ``p`` that is not loading at the origin or unloading at the destination) and
    ``("via", p)`` for each chokepoint passed (Suez or the Cape). Routes with equal keys are
    the same alternative (:func:`alternatives`): a truck that meets the railway one town
    earlier, or a gauge change, does not make another corridor.
    """
    key: list[tuple[str, ...]] = []
    start: str | None = None
    end: str | None = None

    def close_water() -> None:
        nonlocal start
        if start is not None and end is not None and r.countries.get(start) != r.countries.get(end):
            key.append(("border", start, end))
        start = None

    for leg in r.legs:
        if leg["kind"] == "transfer":
            if _transships(leg):
                key.append(("transship", str(leg["from"])))
            continue
        if leg["mode"] in WATER_MODES:
            start = start or leg["from"]
            end = leg["to"]
            if place_attr(G, end, "kind") == "chokepoint":
                key.append(("via", str(end)))
            continue
        close_water()
        if leg.get("border"):
            key.append(("border", str(leg["from"]), str(leg["to"])))
    close_water()
    return tuple(key)


def _corridor_nodes(G: nx.MultiDiGraph, c: search.Core) -> np.ndarray:
    """Which of the core's nodes ``c.nodes`` end a link or transfer that :func:`corridor_key` sees.

    Those are the ends of border links, of links over water and of transfers within a port
    between a ship and land or another ship. Cached with the graph's structure.
    """
    return derived(G, "corridor_nodes", lambda _: _mark_corridor_nodes(c), structure=True)


def _mark_corridor_nodes(c: search.Core) -> np.ndarray:
    seen = np.zeros(len(c.nodes), dtype=bool)
    for i, d in enumerate(c.edges):
        if d.get("kind") == "transfer":
            counts = _transships(d)
        else:
            counts = bool(d.get("border")) or d.get("mode") in WATER_MODES
        if counts:
            seen[c.eu[i]] = seen[c.ev[i]] = True
    return seen


def _transships(transfer: Mapping[str, Any]) -> bool:
    """Whether a transfer (a leg or an edge) is a transshipment in a port.

    That is a change between a ship and land or another ship: not at a gate, and over water
    on one side.
    """
    layers = (str(transfer.get("from_layer")), str(transfer.get("to_layer")))
    return GATE not in layers and any(_water(x) for x in layers)


def _water(layer: str) -> bool:
    """Whether a layer (``sea:india_gulf``, ``rail:1520``, ``road``) carries cargo over water."""
    return layer.split(":", 1)[0] in WATER_MODES


def _stretches(path: list[str], stops: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` node indices of a path's stretches between consecutive stops."""
    cuts = [0]
    i = 0
    for stop in stops[1:-1]:
        while place_of(path[i]) != stop:
            i += 1
        cuts.append(i)
        while i + 1 < len(path) and place_of(path[i + 1]) == stop:
            i += 1  # the stretch after a stop starts where the cargo leaves it
        cuts.append(i)
    cuts.append(len(path) - 1)
    return [(cuts[j], cuts[j + 1]) for j in range(0, len(cuts), 2)]


def _cheapest(total, limit: int, at=None):
    """Indices of the ``limit`` least finite values of ``total`` (among ``at``), least first."""
    ok = np.isfinite(total)
    if at is not None:
        ok &= at
    ok = np.flatnonzero(ok)
    if ok.size > limit:
        ok = ok[np.argpartition(total[ok], limit)[:limit]]
    return ok[np.argsort(total[ok], kind="stable")]


def _via_node_routes(
    G, c, best: Route, wf: Weight, vias: list[str], k: int, limit: int, class_of, ok, at=None
):
    """``best`` and up to ``k - 1`` via-node routes of a new class each, cheapest first.

    For each stretch of ``best`` between stops (the whole route without ``via``): a tree
    from its start ``s`` and one to its end ``t`` give the best path through every node
    ``v``, ``s -> v -> t``. Each accepted route through ``v`` then adds the routes through
    ``v`` and one more node (a tree from ``v`` and one to it): the second detour that Yen's
    k-shortest paths would also find. Every new path costs at least the route that led to it,
    so taking them from one heap keeps the routes in order of cost. A route of a class
    already kept, one that visits a node or place twice, or one failing ``ok`` is not kept,
    but its via node's second detours are still searched (for the first
    :data:`SECOND_DETOURS` via nodes): a new class may lie beyond it. At most ``limit``
    distinct paths are examined, and with ``at`` (a mask over the core's nodes) only those
    nodes are via nodes.
    """
    path = best.path
    heap: list[tuple[float, int, int, tuple[Any, ...]]] = []
    tick = itertools.count()
    legs = _stretch_trees(G, c, path, [best.origin, *vias, best.destination], wf)
    for i, leg in enumerate(legs):
        total = leg["df"] + leg["dr"]
        for v in _cheapest(total, limit, at):
            heapq.heappush(heap, (leg["offset"] + float(total[v]), next(tick), i, (int(v),)))
    out = [best]
    seen = {tuple(best.link_ids)}
    classes = {class_of(best)}
    tried = {tuple(path)}
    grown = 0
    while heap and len(out) < k and len(tried) <= limit:
        total, _, i, vs = heapq.heappop(heap)
        leg = legs[i]
        mid = _detour_middle(c, leg, vs)
        full = leg["head"] + mid + leg["tail"]
        key = tuple(full)
        if key in tried:
            continue
        tried.add(key)
        places_ = [p for p, _ in itertools.groupby(place_of(n) for n in full)]
        if (
            len(set(mid)) == len(mid)
            and len(set(places_)) == len(places_)
            and (not vias or _visits_in_order(places_, vias))
        ):
            r = route_from_path(G, full, wf)
            lk = tuple(r.link_ids)
            if lk not in seen:
                seen.add(lk)
                kr = class_of(r)
                if kr not in classes and (ok is None or ok(r)):
                    classes.add(kr)
                    out.append(r)
        if len(vs) == 1 and grown < SECOND_DETOURS and len(out) < k:
            grown += 1
            _push_second_detours(c, leg, i, vs[0], heap, tick, limit, at)
    return out


#: the most via nodes whose routes through one more node :func:`alternatives` searches (two
#: shortest-path trees each): on the bundled network, more change none of the three or five
#: best routes of 306 pairs of places
SECOND_DETOURS = 30


def _stretch_trees(G, c, path: list[str], stops: list[str], wf: Weight) -> list[dict[str, Any]]:
    """Per stretch of ``path`` between stops: its trees from the start and to the end.

    Parameters
    ----------
    G
        The network.
    c
        The compiled core.
    path
        The best route's nodes.
    stops
        The origin, the via places and the destination.
    wf
        The weight.

    Returns
    -------
    list of dict
        Per stretch: ``head`` and ``tail`` (the route's nodes before and after it), ``wf``
        (the weight with the route's other places closed), the trees ``df``/``pf`` from its
        start and ``dr``/``pr`` to its end, ``offset`` (the cost of the rest of the route)
        and empty ``from``/``to`` (the trees of accepted via nodes, filled in later).
    """
    spans = _stretches(path, stops)
    base = search.path_cost(G, path, wf)
    legs: list[dict[str, Any]] = []
    for a, b in spans:
        s, t = path[a], path[b]
        head, tail = path[:a], path[b + 1 :]
        others = {place_of(n) for n in head + tail} - {place_of(s), place_of(t)}
        leg_wf = wf.closing(places=others) if others else wf
        df, pf = c.tree(leg_wf, [s])
        dr, pr = c.tree(leg_wf, [t], reverse=True)
        offset = base - search.path_cost(G, path[a : b + 1], wf)
        legs.append(
            {
                "head": head,
                "tail": tail,
                "wf": leg_wf,
                "df": df,
                "pf": pf,
                "dr": dr,
                "pr": pr,
                "offset": offset,
                "from": {},
                "to": {},
            }
        )
    return legs


def _detour_middle(c, leg: Mapping[str, Any], vs: tuple[Any, ...]) -> list[str]:
    """The stretch's nodes through one via node ``(v,)`` or two (``("after"|"before", v1, v2)``).

    Parameters
    ----------
    c
        The compiled core.
    leg
        The stretch (from :func:`_stretch_trees`).
    vs
        ``(v,)``: ``s -> v -> t``; ``("after", v1, v2)``: ``s -> v1 -> v2 -> t``;
        ``("before", v1, v2)``: ``s -> v2 -> v1 -> t``.

    Returns
    -------
    list of str
        The nodes from the stretch's start to its end.
    """

    def to_end(v):  # v -> t along the tree to t
        return c.path(leg["pr"], v)[::-1]

    if len(vs) == 1:
        return c.path(leg["pf"], vs[0]) + to_end(vs[0])[1:]
    how, v1, v2 = vs
    if how == "after":  # s -> v1 -> v2 -> t
        return c.path(leg["pf"], v1) + c.path(leg["from"][v1][1], v2)[1:] + to_end(v2)[1:]
    # s -> v2 -> v1 -> t
    return c.path(leg["pf"], v2) + c.path(leg["to"][v1][1], v2)[::-1][1:] + to_end(v1)[1:]


def _push_second_detours(
    c, leg: dict[str, Any], i: int, v: int, heap: list, tick: Any, limit: int, at=None
) -> None:
    """Push the routes of stretch ``i`` through via node ``v`` and one more node.

    Parameters
    ----------
    c
        The compiled core.
    leg
        The stretch; the trees from and to ``v`` are stored in its ``from``/``to``.
    i
        The stretch's index.
    v
        The via node examined (core index), whether its own route was kept or not.
    heap, tick
        The search's heap and tie-break counter.
    limit
        The most candidate nodes taken per tree.
    at
        A mask over the core's nodes: only those may be the one more node (``None``: any).
    """
    node = c.nodes[v]
    leg["from"][v] = dv, _ = c.tree(leg["wf"], [node])
    leg["to"][v] = dt, _ = c.tree(leg["wf"], [node], reverse=True)
    after = leg["df"][v] + dv + leg["dr"]
    before = leg["df"] + dt + leg["dr"][v]
    for how, tot in (("after", after), ("before", before)):
        for w in _cheapest(tot, limit, at):
            heapq.heappush(heap, (leg["offset"] + float(tot[w]), next(tick), i, (how, v, int(w))))


def _alternatives_yen(
    G, best: Route, wf: Weight, vias: list[str], k: int, max_examined: int, key, ok
):
    """Yen's k shortest simple paths (:func:`search.simple_paths`) on ``G``.

    Each path is kept when its ``key`` is new and it passes ``ok`` (``None``: all pass).
    """
    out = [best]
    seen = {key(best)}
    links = {tuple(best.link_ids)}  # the same links with a transfer elsewhere: the same route
    try:
        gen = search.simple_paths(G, wf, best.path[0], best.path[-1])
        for n, path in enumerate(gen):
            if n >= max_examined or len(out) >= k:
                break
            r = route_from_path(G, path, wf)
            kr, lk = key(r), tuple(r.link_ids)
            if kr in seen or lk in links or len(set(r.nodes)) < len(r.nodes):  # as via-node
                continue
            if vias and not _visits_in_order(r.nodes, vias):
                continue
            if ok is not None and not ok(r):
                continue
            seen.add(kr)
            links.add(lk)
            out.append(r)
    except nx.NetworkXNoPath:
        pass
    return out


def revisits(G: nx.MultiDiGraph, nodes: list[str]) -> bool:
    """Whether a route's place sequence comes back to a place it left.

    Chokepoints, which sea lanes may pass more than once, are excepted.
    """
    stands = [p for p in nodes if place_attr(G, p, "kind") != "chokepoint"]
    return len(set(stands)) < len(stands)


def _keeps_stretch_modes(r: Route, vias: list[str], modes: list[set[str] | None]) -> bool:
    """Whether every link of each stretch between stops uses one of that stretch's modes."""
    stops, i = [*vias, r.destination], 0
    for leg in r.legs:
        if leg["kind"] != "link":
            continue
        allowed = modes[i]
        if allowed is not None and leg["mode"] not in allowed:
            return False
        if i < len(vias) and leg["to"] == stops[i]:
            i += 1
    return True


def _visits_in_order(nodes: list[str], vias: list[str]) -> bool:
    it = iter(nodes)
    return all(any(n == v for n in it) for v in vias)
