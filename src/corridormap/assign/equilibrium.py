"""The equilibrium: every flow on routes none could leave for a faster one.

:func:`assign` routes every flow so that none could arrive sooner on another route given the
queues the others cause (Wardrop's user equilibrium), on path flows:

1. all-or-nothing: every flow on its best route with no queues;
2. the wait at every capacity-limited element (a place's handling, a link in one direction)
   from its utilisation, by the queueing curve (:mod:`corridormap.assign.queues`);
3. every flow's best route under those waits (one search per flow on the compiled core,
   :mod:`corridormap.assign.paths`); the relative gap ``(sum of path flows x their times -
   sum of demands x their best times) / the former`` says how far from equilibrium the
   solution is; stop when it is below ``tolerance``;
4. by default, path-based gradient projection (Jayakrishnan, Tsai, Prashker and
   Rajadhyaksha, 'A faster path-based algorithm for traffic assignment', Transportation
   Research Record 1443, 1994; Boyles, Lownes and Unnikrishnan, 'Transportation Network
   Analysis', ch. 6): the best route joins the flow's route set, with other improving
   routes the same two searches reveal (the best route through each link: see
   ``PathSearch._alternatives``); then, in passes over the flows with their route sets
   fixed, cargo moves from each slower route to the fastest until the two take the same
   time (the Newton step on their time difference over the sum of the waits' slopes on the
   elements they do not share, safeguarded by bisection: near capacity the queue's slope
   grows by orders of magnitude over a small change of volume); routes left without cargo
   are dropped. Or Frank-Wolfe (a step towards the all-or-nothing solution, its length
   found by bisection on the derivative of the Beckmann objective). Back to 2.

The graph is never modified: waits enter through a new :class:`~corridormap.weights.Weight`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_array

from .._errors import InputError
from .._progress import Progress
from .._schema import check_graph
from ..weights import Weight, make_weight
from .paths import Demand, FlowPath, PathSearch, demands
from .queues import QueueCurve, Queues, capacity_elements
from .result import Assignment, assignment_result
from .volumes import Volumes, load_volumes

__all__ = ["INNER_FRACTION", "INNER_PASSES", "NEW_PATHS", "assign"]

#: besides its best path, up to this many other improving paths join a flow's set per iteration
NEW_PATHS = 48


#: the most passes over the flows' route sets per iteration (re-using the routes found)
INNER_PASSES = 40


#: inner passes stop once the gap over the route sets is below this fraction of the gap.
#: Balancing a route set far below the gap the next search would find is mostly wasted: the
#: new routes change the set. With 0.3 and 48 new routes, the benchmark grids (3k, 10k and
#: 30k edges, five flows over capacity, ``benchmarks/bench_assign.py``, three seeds at 10k)
#: reach a gap of 1e-3 in 13-31% less time than with 0.1 and 64, and 1e-4 in 4-39% less, in
#: a few more, lighter iterations (37-44 to 1e-3 at 10k edges, against 31-37). Half the gap
#: and 32 new routes would save more time still, but take over 50 iterations to reach 1e-3.
INNER_FRACTION = 0.3


def assign(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    *,
    weight: Weight | None = None,
    scenario: Any = None,
    tolerance: float = 1e-3,
    max_iterations: int = 500,
    which: str = "likely",
    method: str = "projection",
    progress: bool | str | None = None,
) -> Assignment:
    """Assign a volume file to the network at user equilibrium with capacity queues.

    Parameters
    ----------
    G
        The network (not modified).
    volumes
        A :class:`Volumes`, a bundled volume file name (``"observed-2025"``) or a path.
    weight
        The time weight to route with (closures, a scenario's scaling); default
        ``make_weight("time_h")``, or the scenario's weight when ``scenario`` is given.
    scenario
        An :class:`~corridormap.scenarios.AppliedScenario` or a scenario name (or list):
        its closures, openings, rescaled times and scaled capacities apply.
    tolerance
        Stop when the relative gap falls below this (default 1e-3: the flows' times are then
        within 0.1% of their best times, far below the precision of the parameters).
    max_iterations
        Stop after this many iterations even if the gap is larger (``converged`` says so).
    which
        Which value (``low``, ``likely``, ``high``) of the congestion parameters to use.
    method
        ``"projection"`` (default): path-based gradient projection (Jayakrishnan et al.
        1994): each flow's best route (and other improving routes) joins its route set, and
        cargo moves from each slower route to the fastest until they take the same time,
        times updated after every move, in several passes per iteration.
        ``"frank-wolfe"``: the classic algorithm (all-or-nothing direction, line search on
        the Beckmann objective); the same equilibrium with a slower tail. Both report the
        same relative gap.
    progress
        Show the iterations and their gap on stderr (:mod:`corridormap._progress`).

    Returns
    -------
    Assignment

    Raises
    ------
    InputError
        If an argument is invalid or a flow's unit cannot be converted.
    NoRouteError
        If a flow has no route.
    """
    check_graph(G, "assign")
    _check_iteration_args(tolerance, max_iterations)
    vols = load_volumes(volumes, G)
    view, base = _assign_weight(G, weight, scenario, method)
    params = G.graph.get("params") or {}
    curve = QueueCurve.from_params(params, which)
    elements, unconverted = capacity_elements(G, view, curve)
    ods = demands(G, vols, params, base)
    queues = Queues(elements, curve)
    search = PathSearch(G, base, queues)
    for od in ods:
        search.prepare(od)

    # iteration 0: everything on its free route
    W = np.zeros(len(queues.keys))
    for od, (_, p, _) in zip(ods, search.best(ods, W), strict=True):
        p.share = od.volume
        od.paths = {p.key: p}
        od.free_h = p.base_h
    gaps: list[float] = []
    converged = False
    with Progress(None, desc="assign", unit="iteration", show=progress) as bar:
        for _ in range(max_iterations):
            V = queues.volumes(ods)
            W = queues.waits(V)
            targets = search.best(ods, W, more=NEW_PATHS if method == "projection" else 0)
            gap = _relative_gap(ods, targets, W)
            gaps.append(gap)
            bar.update(1, note=f"relative gap {gap:.1e}")
            if gap < tolerance:
                converged = True
                break
            if method == "projection":
                _projection_step(ods, targets, V, W, queues, gap)
            elif not _frank_wolfe_step(ods, targets, V, queues):
                break

    V = queues.volumes(ods)
    return assignment_result(
        G,
        vols,
        view,
        base,
        ods,
        elements,
        V,
        queues.waits(V),
        gaps,
        tolerance,
        converged,
        unconverted,
    )


def _check_iteration_args(tolerance: Any, max_iterations: Any) -> None:
    """Raise an :class:`InputError` unless ``tolerance`` > 0 and ``max_iterations`` >= 1.

    Parameters
    ----------
    tolerance
        The relative gap to stop at: a number above 0.
    max_iterations
        The most iterations: a whole number, at least 1.

    Raises
    ------
    InputError
        If either is not as described.
    """
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not tolerance > 0:
        raise InputError(f"tolerance must be a number above 0, got {tolerance!r}")
    if (
        isinstance(max_iterations, bool)
        or not isinstance(max_iterations, int)
        or max_iterations < 1
    ):
        raise InputError(f"max_iterations must be a whole number >= 1, got {max_iterations!r}")


def _assign_weight(G, weight: Any, scenario: Any, method: str) -> tuple[Any, Weight]:
    """The scenario view and the base time weight of :func:`assign`, arguments checked.

    Parameters
    ----------
    G
        The network.
    weight
        A :class:`Weight` on ``time_h`` or None (the scenario's or the plain time weight).
    scenario
        An applied scenario, a scenario name (or list), or None.
    method
        ``"projection"`` or ``"frank-wolfe"`` (checked here, after the weight).

    Returns
    -------
    tuple
        The :class:`~corridormap.scenarios.AppliedScenario` (or None) and the base weight,
        without extra hours.

    Raises
    ------
    InputError
        If ``weight`` is not a Weight, ``method`` is unknown, or the weight is not on time.
    """
    view = None
    if scenario is not None:
        from ..scenarios import AppliedScenario, apply_scenario

        view = scenario if isinstance(scenario, AppliedScenario) else apply_scenario(G, scenario)
    if weight is None:
        base = view.weight("time_h") if view is not None else make_weight("time_h")
    elif isinstance(weight, Weight):
        base = weight
    else:
        raise InputError(f"weight must be a corridormap Weight, got {type(weight).__name__}")
    if method not in ("projection", "frank-wolfe"):
        raise InputError(f"method must be 'projection' or 'frank-wolfe', got {method!r}")
    if base.by != "time_h":
        raise InputError("assign() needs a time weight: queues are hours")
    return view, base.with_extra({})


def _relative_gap(ods: Sequence[Demand], targets: Sequence[tuple], W) -> float:
    """The relative gap: the current paths' total time against the best times (0 at best).

    ``(sum of path flow x path time - sum of demand x best time) / sum of path flow x path
    time``, the times under the current waits ``W`` (the standard relative gap of Boyles,
    Lownes and Unnikrishnan, 'Transportation Network Analysis', ch. 6, and of Bar-Gera's
    test networks).

    Parameters
    ----------
    ods
        The demands, with their current paths.
    targets
        Per demand, its best time and path under the current waits.
    W
        The current waits (hours) by element index.

    Returns
    -------
    float
        ``(current - best) / current``, never below 0.
    """
    tstt = sptt = 0.0
    for od, (best, _, _) in zip(ods, targets, strict=True):
        for p in od.paths.values():
            tstt += p.share * p.time_h(W)
        sptt += od.volume * best
    gap = (tstt - sptt) / tstt if tstt > 0 else 0.0
    return max(gap, 0.0)


def _frank_wolfe_step(ods, targets, V, queues: Queues) -> bool:
    """One Frank-Wolfe step: move a line-searched share of every demand to its target path.

    Parameters
    ----------
    ods
        The demands; their paths and shares are updated in place.
    targets
        Per demand, its best time and path under the current waits.
    V
        The current volumes by element index.
    queues
        The capacity-limited elements.

    Returns
    -------
    bool
        False if the step length is 0 (nothing moved: stop), else True.
    """
    Y = np.zeros_like(V)
    # derivative of the Beckmann objective along (Y - X): the queue-free part ...
    B = 0.0
    for od, (_, p, _) in zip(ods, targets, strict=True):
        Y[p.idx] += od.volume * p.cnt
        B += od.volume * p.base_h - sum(q.share * q.base_h for q in od.paths.values())
    moved = np.flatnonzero(Y != V)
    xs, ds = V[moved], Y[moved] - V[moved]

    def slope(lam: float) -> float:  # ... and the queues at X + lam (Y - X)
        return B + float(np.dot(ds, queues.waits(xs + lam * ds, moved)))

    if slope(1.0) <= 0:
        lam = 1.0
    else:
        lo, hi = 0.0, 1.0
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            if slope(mid) > 0:
                hi = mid
            else:
                lo = mid
        lam = 0.5 * (lo + hi)
    if lam <= 0:
        return False
    for od, (_, p, _) in zip(ods, targets, strict=True):
        new: dict[tuple[Any, ...], FlowPath] = {}
        for k, q in od.paths.items():
            q.share *= 1.0 - lam
            if q.share > od.volume * 1e-12:
                new[k] = q
        if p.key in new:
            new[p.key].share += lam * od.volume
        else:
            p.share = lam * od.volume
            new[p.key] = p
        od.paths = new
    return True


def _projection_step(ods, targets, V, W, queues: Queues, gap: float) -> None:
    """Path-based gradient projection towards the user equilibrium.

    Every flow's best route joins its route set (column generation), with up to
    ``NEW_PATHS`` other routes faster than the flow's mean time (a congested grid spreads a
    flow over a hundred routes or more: one new route per iteration would need as many
    iterations). Then, in passes over the flows with their route sets fixed (Gauss-Seidel:
    volumes and waits updated after every move), cargo moves from each slower route of a
    flow, slowest first, to its fastest until the two take the same time
    (:func:`_pair_shift`). The passes stop when the relative gap over the route sets falls
    below ``INNER_FRACTION`` times ``gap`` (new routes are then worth more than further
    balancing), or after ``INNER_PASSES``; routes left without cargo are then dropped.

    Parameters
    ----------
    ods
        The demands; their paths and shares are updated in place.
    targets
        Per demand, its best time and path under the waits ``W``.
    V, W
        The volumes and waits by element index, updated in place.
    queues
        The capacity-limited elements.
    gap
        The relative gap at ``V``.
    """
    for od, (_, p, extra) in zip(ods, targets, strict=True):
        for q in (p, *extra):
            if q.key not in od.paths:
                q.share = 0.0
                od.paths[q.key] = q
    # volumes, waits and the waits' slopes by element as the rows of one array (a move reads
    # and writes all three on its elements); the slopes are kept in step with the waits by
    # every move (a move's last evaluation of the curve is at the volumes it leaves)
    state = np.stack([V, W, queues.waits_and_slopes(V, slice(None))[1]])
    # the curve's constants by element (see Queues.curve_of)
    consts = np.stack([queues.cap, queues.k, queues.quarter_t / queues.cap, 0.5 * queues.k])
    sets = [_RouteSet(od, consts) for od in ods]
    for _ in range(INNER_PASSES):
        excess = total = 0.0
        for rs in sets:
            e, t = _equilibrate(rs, state, queues.quarter_t, 0.5 * INNER_FRACTION * gap)
            excess += e
            total += t
        if total <= 0 or excess <= INNER_FRACTION * gap * total:
            break
    V[:], W[:] = state[0], state[1]
    for rs in sets:  # drop the routes left without cargo (a flow keeps its fastest)
        rs.store()
        od = rs.od
        keep = rs.paths[int(np.argmin(rs.times(W)))]
        od.paths = {k: q for k, q in od.paths.items() if q.share > od.volume * 1e-12 or q is keep}


class _RouteSet:
    """A flow's route set as arrays, for the passes of one iteration (the set is fixed there).

    The routes' shares as a list of floats; the elements any of them uses (ascending), with
    the curve's constants there; the routes' counts of those elements, as a sparse matrix by
    route (for all their times at once) and dense by element (for the elements two routes do
    not share and for updating all times after a move).

    Parameters
    ----------
    od
        The demand, its route set complete for the iteration.
    consts
        The curve's constants by element (rows: capacity, ``k``, ``T / 4 / capacity`` and
        ``k / 2``).
    """

    def __init__(self, od: Demand, consts: np.ndarray) -> None:
        self.od = od
        self.paths = paths = list(od.paths.values())
        self.share = [p.share for p in paths]
        lengths = [len(p.idx) for p in paths]
        idx = np.concatenate([p.idx for p in paths])
        cnt = np.concatenate([p.cnt for p in paths])
        self.base = np.fromiter((p.base_h for p in paths), dtype=float, count=len(paths))
        # the elements used, ascending, and each entry's place among them
        seen = np.zeros(consts.shape[1], dtype=bool)
        seen[idx] = True
        self.used = np.flatnonzero(seen)
        loc = (np.cumsum(seen) - 1)[idx]
        self.consts = consts[:, self.used]
        # summed route by route in the order of the route's elements, as FlowPath.time_h
        self.counts = csr_array(
            (cnt, loc, np.cumsum([0, *lengths])), shape=(len(paths), len(self.used))
        )
        route = np.repeat(np.arange(len(paths)), lengths)
        self.by_element = np.zeros((len(self.used), len(paths)))
        self.by_element[loc, route] = cnt
        # the same by route, in the narrowest type that holds the differences of counts
        top = float(cnt.max()) if cnt.size else 0.0
        kind = np.int8 if top < 64 else np.int16 if top < 16384 else float
        self.by_route = np.zeros((len(paths), len(self.used)), dtype=kind)
        self.by_route[route, loc] = cnt

    def times(self, W: np.ndarray) -> np.ndarray:
        """The routes' times under the waits ``W`` (by element index)."""
        return self.base + self.counts @ W[self.used]

    def store(self) -> None:
        """Write the shares back to the routes."""
        for p, h in zip(self.paths, self.share, strict=True):
            p.share = h


def _equilibrate(
    rs: _RouteSet, state: np.ndarray, quarter_t: float, close: float
) -> tuple[float, float]:
    """One pass over a flow's routes: cargo from each slower route to the fastest.

    Parameters
    ----------
    rs
        The flow's route set; its shares are updated in place.
    state
        The volumes, waits and the waits' slopes by element index (rows), updated in place.
    quarter_t
        A quarter of the queue curve's horizon (hours).
    close
        Routes slower than the fastest by at most this fraction of its time are left as
        they are in this pass.

    Returns
    -------
    tuple of float
        Before the moves: ``sum of path flow x (path time - fastest route time)`` and
        ``sum of path flow x path time`` over the flow's routes.
    """
    times = rs.times(state[1])
    b = int(np.argmin(times))
    share = rs.share
    shares = np.array(share)
    total = float(shares @ times)
    ts = float(times[b])
    excess = total - rs.od.volume * ts
    if len(share) < 2:
        return excess, total
    enough = close * ts
    slow = np.flatnonzero((shares > 0) & (times - ts > enough))
    now = times  # the times as the moves change them
    by_element, by_route, used, consts = rs.by_element, rs.by_route, rs.used, rs.consts
    volume, wait, slope = state  # rows: one-dimensional writes are the cheapest
    for i in slow[np.argsort(-times[slow], kind="stable")].tolist():  # slowest first
        diff = float(now[i]) - ts
        if diff <= enough:
            continue
        dc = by_route[i] - by_route[b]
        nz = dc.nonzero()[0]
        if not nz.size:  # same queues on both: the faster one is faster at any split
            share[b] += share[i]
            share[i] = 0.0
            continue
        idx = used.take(nz)
        vws = state.take(idx, axis=1)
        h, v, w, s = _pair_shift(
            diff, share[i], dc.take(nz).astype(float), vws, consts.take(nz, axis=1), quarter_t
        )
        share[i] = share[i] - h if h < share[i] else 0.0
        share[b] += h
        now += (w - vws[1]) @ by_element.take(nz, axis=0)
        volume[idx] = np.maximum(v, 0.0)
        wait[idx] = w
        slope[idx] = s
        ts = float(now[b])
    return excess, total


def _pair_shift(
    diff: float, most: float, dc: np.ndarray, vws: np.ndarray, consts: np.ndarray, quarter_t: float
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """How much cargo to move from a slower route to a faster one so that they take equal time.

    The time difference after moving ``h`` is ``g(h) = diff + sum(dc * (w(V - dc h) - w(V)))``
    over the elements the routes do not share (``dc``: the slower route's count minus the
    faster one's); it falls as ``h`` grows. Its root in ``[0, most]`` is found by Newton's
    method (the step of Jayakrishnan et al. 1994: the time difference over the sum of the
    waits' derivatives on those elements), safeguarded by bisection: near capacity the
    queue's slope grows by orders of magnitude over a small change of volume, and a plain
    Newton step taken with the slope at the start overshoots (the cargo then swings back and
    forth between the routes from one iteration to the next).

    The wait curve is :meth:`Queues.waits_and_slopes`, written out (the same operations)
    with the elements' constants gathered once.

    Parameters
    ----------
    diff
        The slower route's time minus the faster one's (hours, > 0).
    most
        The slower route's volume (Mt/yr): the most that can move.
    dc
        On the elements the routes do not share equally (at least one), the slower route's
        count minus the faster one's.
    vws
        Their volumes, waits and the waits' slopes (rows).
    consts
        Their curve constants (rows: capacity, ``k``, ``T / 4 / capacity``, ``k / 2``).
    quarter_t
        A quarter of the curve's horizon (hours).

    Returns
    -------
    tuple
        The volume to move, in ``[0, most]``, and on those elements after the move: the
        volumes (before clipping at 0), the waits and their slopes.
    """
    v0, w0, s0 = vws
    cap, k, scale, half = consts
    dc2 = dc * dc
    lo, hi = 0.0, most
    h, g, d = 0.0, diff, float(dc2 @ s0)  # d = -g'(h)
    for _ in range(40):
        nxt = h + g / d if d > 0 else math.inf
        if nxt >= hi:
            nxt = most if hi == most and h < most else 0.5 * (lo + hi)
        elif nxt <= lo:
            nxt = 0.5 * (lo + hi)
        v = v0 - dc * nxt
        x = np.maximum(v, 0.0) / cap
        a = k * x
        z = x - 1.0
        r = np.sqrt(z * z + a)
        # below capacity the two terms nearly cancel: the rationalised form keeps precision
        core = np.where(z < 0.0, a / (r - z), z + r)
        w, sl = quarter_t * core, scale * (core + half) / r
        h, g, d = nxt, diff + float(dc @ (w - w0)), float(dc2 @ sl)
        if g >= 0:
            if h >= most:
                return most, v, w, sl
            lo = h
        else:
            hi = h
        if abs(g) <= 1e-3 * diff or hi - lo <= 1e-12 * most:
            break
    return h, v, w, sl
