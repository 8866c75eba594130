"""The Monte Carlo: triangular draws of the sourced parameters, evaluated on linear route terms.

Every uncertain parameter of ``parameters.toml`` has a sourced ``low / likely / high`` range;
a draw takes each parameter from its triangular distribution on that range. The draws of one
seed are the same whatever asks for them (:func:`sample`): every uncertain parameter of the
file is drawn, in the order of its dotted key, and a Monte Carlo takes the columns it needs. So a
route has the same figures for the same draws and seed in ``route``, ``compare``, the sweep, the
maps and the atlas, and two routes compared in one draw share their parameters.

Whatever the model figures (a route's days or cost, a register row's time) is linear in the
parameters (:mod:`corridormap.model`: a term is ``coef * value``, or ``coef / value`` for a
speed), so its values for many draws at once are one matrix product (:func:`evaluate`), and no
shortest-path call runs per draw. :func:`percentiles` gives the P10, P50 and P90 of the draws.

A route is chosen, and headlined, by its **expected** time (or cost): the legs' expected
values add up to it (:mod:`corridormap.model`). The Monte Carlo gives the spread around it:
each route's transit time carries the model's own error (a factor of mean one, drawn from a
stream keyed by the route itself, :func:`corridormap.model.discrepancy_rng`), and its wait for
the first departure (``schedule_wait``) is kept apart, so the transit and door-to-door clocks
come from the same draws (:class:`RouteTerms`, :func:`simulate`).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ._errors import InputError
from ._schema import MAX_DRAWS, check_count
from .model import (
    apply_discrepancy,
    discrepancy_rng,
    discrepancy_sigma,
    edge_terms,
    expected_value,
    param_table,
    sum_terms,
)
from .routing import Route

__all__ = [
    "PERCENTILES",
    "RouteTerms",
    "Simulation",
    "evaluate",
    "expected_row",
    "param_array",
    "percentiles",
    "route_key",
    "route_percentiles",
    "route_terms",
    "sample",
    "sample_ranges",
    "simulate",
    "summary",
    "take_first_wait",
]

#: the percentiles every Monte Carlo reports
PERCENTILES = (10, 50, 90)
#: the Monte Carlo draws of every command, map and report unless asked otherwise (seed 0), so
#: a route's P10/P50/P90 are the same wherever it is shown
DRAWS = 10_000
#: bytes of parameter draws kept between Monte Carlos of the same seed
CACHE_BYTES = 256 * 1024 * 1024
#: draws evaluated at once by :func:`simulate` (bounds its memory, not its numbers)
CHUNK = 50_000
_kept: OrderedDict[tuple, np.ndarray] = OrderedDict()
_kept_bytes = 0


# -- drawing ---------------------------------------------------------------------------------
def param_array(
    params: Mapping[str, Any], keys: Sequence[str], which: str = "likely"
) -> np.ndarray:
    """One value (``low``, ``likely`` or ``high``) of each parameter key, as an array."""
    return np.array([float(param_table(params, k)[which]) for k in keys])


def sample(
    params: Mapping[str, Any], keys: Sequence[str], draws: int, seed: Any, start: int = 0
) -> np.ndarray:
    """Triangular draws (draws x keys) of each key on its sourced ``low / likely / high``.

    Each parameter is drawn from a stream of its own, keyed by the seed and its dotted key
    (:func:`_key_stream`), so a parameter gets the same draws for the same seed whatever
    else is drawn beside it: a route has the same figures in every Monte Carlo of that seed.
    The draws of a key are kept for the next call (up to :data:`CACHE_BYTES` in all), so the
    many Monte Carlos of one seed (a sweep) draw each parameter once.

    Parameters
    ----------
    params
        The parameter file.
    keys
        Dotted parameter keys (each must have a range).
    draws
        Draws per key.
    seed
        The seed (``None``: fresh entropy, nothing kept).
    start
        The first draw (rows ``start`` to ``start + draws`` of the seed's draws): a long
        Monte Carlo evaluates its draws in chunks.

    Returns
    -------
    numpy.ndarray
        One row per draw, one column per key; a key whose range is a single value takes it
        in every draw.
    """
    out = np.empty((draws, len(keys)))
    for j, key in enumerate(keys):
        table = param_table(params, key)
        lo, mode, hi = (float(table[w]) for w in ("low", "likely", "high"))
        out[:, j] = mode if hi <= lo else _key_draws(key, lo, mode, hi, seed, start, draws)
    return out


def _key_stream(key: str, seed: Any) -> np.random.PCG64:
    """The random stream of one parameter: the seed and a 64-bit hash of its dotted key."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return np.random.PCG64([int(seed), 0x5EED, int.from_bytes(digest, "little")])


def _key_draws(
    key: str, lo: float, mode: float, hi: float, seed: Any, start: int, n: int
) -> np.ndarray:
    """Draws ``start .. start + n`` of one parameter's stream (kept while the cache has room)."""
    global _kept_bytes
    if seed is None:
        return np.random.default_rng().triangular(lo, mode, hi, n)
    memo = (key, lo, mode, hi, int(seed), start, n)
    hit = _kept.get(memo)
    if hit is not None:
        _kept.move_to_end(memo)
        return hit
    bits = _key_stream(key, seed)
    bits.advance(start)  # a triangular draw takes one double: one step of the generator
    got = np.random.Generator(bits).triangular(lo, mode, hi, n)
    got.flags.writeable = False
    _kept[memo] = got
    _kept_bytes += got.nbytes
    while _kept_bytes > CACHE_BYTES and _kept:
        _kept_bytes -= _kept.popitem(last=False)[1].nbytes
    return got


def sample_ranges(
    low: np.ndarray, likely: np.ndarray, high: np.ndarray, draws: int, rng: Any
) -> np.ndarray:
    """Triangular draws (draws x ranges) on ranges given as arrays; see :func:`sample`.

    The ranges are drawn in order, ``draws`` values each, with ``rng.triangular``; a range
    with ``high <= low`` is its ``likely`` value in every draw and draws nothing.
    """
    out = np.empty((draws, len(low)))
    for j, (lo, mode, hi) in enumerate(zip(low, likely, high, strict=True)):
        out[:, j] = mode if hi <= lo else rng.triangular(lo, mode, hi, size=draws)
    return out


# -- evaluating ------------------------------------------------------------------------------
def evaluate(values: np.ndarray, inverse: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """The model's linear terms evaluated at many parameter values at once.

    Parameters
    ----------
    values
        Parameter values, the last axis by key (one row per draw, or a single row).
    inverse
        Per key, whether it enters as ``1 / value`` (a speed), as :class:`~corridormap.model.Term`
        states.
    coef
        Coefficients, keys x figures (a route's summed term coefficients per column).

    Returns
    -------
    numpy.ndarray
        The figures for each row of values: ``values`` (inverted where ``inverse``) times
        ``coef``.
    """
    x = values.copy()
    x[..., inverse] = 1.0 / x[..., inverse]
    return x @ coef


def percentiles(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """P10, P50 and P90 of ``a`` along ``axis`` (first axis of the result): numpy's own numbers.

    The values are sorted first: a percentile depends only on the values, not their order, and
    numpy's selection of the order statistics is much quicker on sorted draws.
    """
    return np.percentile(np.sort(a, axis=axis), PERCENTILES, axis=axis)


# -- routes as terms -------------------------------------------------------------------------
#: a route's terms: ``(quantity, key, inverse) -> coefficient``
Terms = dict[tuple[str, str, bool], float]


def route_terms(r: Route) -> tuple[Terms, Terms]:
    """A route as linear terms: its transit terms, and its wait for the first departure.

    The wait for the first departure is the wait term(s) of the route's first edge (the one
    leaving the origin's gate); every other term of every edge is transit. The terms go
    through the weight the route was found with (a scenario's rescaling is folded into the
    coefficients).

    Returns
    -------
    tuple
        ``(transit, wait)``, each ``(quantity, key, inverse) -> coefficient``.

    Raises
    ------
    InputError
        If the route's edges carry no model terms (a hand-built graph).
    """
    factor = r.weight.term_factor() if r.weight is not None else None
    edges = [leg.edge for leg in r.legs]
    if any(not edge_terms(e) for e in edges):
        raise InputError(
            "the route's edges carry no model terms (a hand-built graph): build the network "
            "with corridormap.build_network to compare with uncertainty"
        )
    return split_first_wait(edges, factor)


def split_first_wait(edges: Sequence[Mapping[str, Any]], factor: Any = None) -> tuple[Terms, Terms]:
    """The terms of a route's edges, with the first edge's wait for a departure apart.

    Parameters
    ----------
    edges
        The route's edges, in order (the first leaves the origin's gate).
    factor
        ``f(edge, term)``, a scenario's multiplier on each term's coefficient, or ``None``.

    Returns
    -------
    tuple
        ``(transit, wait)`` terms.
    """
    transit = sum_terms(edges, factor)
    wait = take_first_wait(transit, edges[0], factor) if edges else {}
    return transit, wait


def take_first_wait(transit: Terms, first: Mapping[str, Any], factor: Any = None) -> Terms:
    """The wait for the first departure, taken out of a route's summed ``transit`` terms.

    Parameters
    ----------
    transit
        The route's terms added up (:func:`corridormap.model.sum_terms`); the wait is
        subtracted from them in place (a coefficient left within 1e-12 of 0 is dropped).
    first
        The route's first edge: the wait terms of an edge leaving a gate are the wait.
    factor
        ``f(edge, term)``, a scenario's multiplier on each term's coefficient, or ``None``.

    Returns
    -------
    dict
        The wait terms (empty when the route does not leave a gate).
    """
    wait: Terms = {}
    if first.get("from_layer") == "gate":
        for t in edge_terms(first):
            if t.quantity == "time_h" and t.part == "wait":
                c = t.coef * (factor(first, t) if factor is not None else 1.0)
                k = (t.quantity, t.key, t.inverse)
                wait[k] = wait.get(k, 0.0) + c
                transit[k] -= c
                if abs(transit[k]) < 1e-12:
                    del transit[k]
    return wait


def route_key(edges: Sequence[Mapping[str, Any]]) -> str:
    """What a route is, for its model-error stream: its links and transfers in order.

    Two routes over the same links with the same transfers (say, the same sailing on two
    services of equal figures) are the same route here.
    """
    return " ".join(
        str(e["link_id"])
        if e.get("link_id") is not None
        else f"{e.get('place')}:{e.get('transfer')}"
        for e in edges
    )


@dataclass
class RouteTerms:
    """Routes as coefficient matrices over one list of parameter keys, one column per route.

    Attributes
    ----------
    names
        A name per route (column), e.g. the route family.
    ids
        What each route is (:func:`route_key`): the key of its model-error stream.
    keys
        The parameter keys the routes use, sorted.
    inverse
        Per key, whether it enters as ``1 / value``.
    transit, wait, cost
        Coefficients, keys x routes: transit hours, hours of the wait for the first
        departure, USD per TEU.
    """

    names: list[str]
    ids: list[str]
    keys: list[str]
    inverse: np.ndarray
    transit: np.ndarray
    wait: np.ndarray
    cost: np.ndarray

    @classmethod
    def of(cls, routes: Mapping[str, Route]) -> RouteTerms:
        """The matrices of routes, by name."""
        return cls.from_terms(
            {
                name: (*route_terms(r), route_key([leg.edge for leg in r.legs]))
                for name, r in routes.items()
            }
        )

    @classmethod
    def from_terms(cls, terms: Mapping[str, tuple[Terms, Terms, str]]) -> RouteTerms:
        """The matrices of routes given as ``name -> (transit, wait, id)``.

        ``transit`` and ``wait`` are :func:`route_terms`; ``id`` says what the route is
        (:func:`route_key`). The sweep builds these without making
        :class:`~corridormap.Route` objects.
        """
        inv: dict[str, bool] = {}
        for transit, wait, _ in terms.values():
            for q, k, flag in (*transit, *wait):
                if q in ("time_h", "cost_usd"):
                    inv[k] = flag
        keys = sorted(inv)
        index = {k: i for i, k in enumerate(keys)}
        names = list(terms)
        shape = (len(keys), len(names))
        mats = {"transit": np.zeros(shape), "wait": np.zeros(shape), "cost": np.zeros(shape)}
        for col, name in enumerate(names):
            transit, wait, _ = terms[name]
            for (q, k, _i), c in transit.items():
                if q == "time_h":
                    mats["transit"][index[k], col] += c
                elif q == "cost_usd":
                    mats["cost"][index[k], col] += c
            for (q, k, _i), c in wait.items():
                if q == "time_h":
                    mats["wait"][index[k], col] += c
        return cls(
            names,
            [terms[n][2] for n in names],
            keys,
            np.array([inv[k] for k in keys], dtype=bool),
            mats["transit"],
            mats["wait"],
            mats["cost"],
        )

    def expected(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Each route's expected figures: ``transit`` and ``wait`` days, ``cost`` USD/TEU."""
        row = expected_row(params, self.keys, self.inverse)
        return {
            "transit": evaluate(row, self.inverse, self.transit) / 24.0,
            "wait": evaluate(row, self.inverse, self.wait) / 24.0,
            "cost": evaluate(row, self.inverse, self.cost),
        }


def expected_row(params: Mapping[str, Any], keys: Sequence[str], inverse: np.ndarray) -> np.ndarray:
    """Per key, the value that makes its terms their expected values.

    That is ``E[x]``, or ``1 / E[1/x]`` for a speed: evaluated with :func:`evaluate`, a route's
    terms give its expected figures.
    """
    low, likely, high = (param_array(params, keys, w) for w in ("low", "likely", "high"))
    out = np.empty(len(keys))
    for j, inv in enumerate(inverse):
        mean = float(expected_value(low[j], likely[j], high[j], bool(inv)))
        out[j] = 1.0 / mean if inv else mean
    return out


@dataclass
class Simulation:
    """The Monte Carlo of some routes: per draw (rows) and route (columns).

    Attributes
    ----------
    names
        The routes' names, in column order.
    transit, wait, cost
        Transit days (with the model's error), days waiting for the first departure, USD
        per TEU.
    """

    names: list[str]
    transit: np.ndarray
    wait: np.ndarray
    cost: np.ndarray

    def days(self, clock: str = "transit") -> np.ndarray:
        """Days on ``clock``: transit, or door to door (transit plus the wait)."""
        return self.transit if clock == "transit" else self.transit + self.wait

    def column(self, name: str) -> int:
        """The column of route ``name``."""
        return self.names.index(name)


def simulate(
    params: Mapping[str, Any], T: RouteTerms, draws: int, seed: Any, bar: Any = None
) -> Simulation:
    """The routes of ``T`` in ``draws`` draws of the parameters of seed ``seed``.

    Each route's transit days carry the model's error (a factor of mean one from the route's
    own stream, :func:`corridormap.model.discrepancy_rng`); the wait for the first departure
    and the cost do not. The draws are evaluated :data:`CHUNK` at a time (``bar``, a progress
    bar, is updated with each).
    """
    parts: dict[str, list[np.ndarray]] = {"transit": [], "wait": [], "cost": []}
    for start in range(0, draws, CHUNK):
        n = min(CHUNK, draws - start)
        values = sample(params, T.keys, n, seed, start)
        parts["transit"].append(evaluate(values, T.inverse, T.transit) / 24.0)
        parts["wait"].append(evaluate(values, T.inverse, T.wait) / 24.0)
        parts["cost"].append(evaluate(values, T.inverse, T.cost))
        if bar is not None:
            bar.update(n)
    transit, wait, cost = (
        np.concatenate(parts[k]) if parts[k] else np.zeros((0, len(T.names)))
        for k in ("transit", "wait", "cost")
    )
    sigma = discrepancy_sigma(params)
    if sigma > 0:
        for j, rid in enumerate(T.ids):
            transit[:, j] = apply_discrepancy(transit[:, j], sigma, discrepancy_rng(seed, rid))
    return Simulation(list(T.names), transit, wait, cost)


def summary(a: np.ndarray, expected: float) -> dict[str, float]:
    """``{"expected", "p10", "p50", "p90"}`` of draws ``a`` (one route).

    ``expected`` is the route's exact expected value (which the draws' mean approaches).
    """
    p10, p50, p90 = percentiles(a)
    return {"expected": float(expected), "p10": float(p10), "p50": float(p50), "p90": float(p90)}


def route_percentiles(
    G: nx.MultiDiGraph, r: Route, *, draws: int = DRAWS, seed: int | None = 0
) -> dict[str, Any]:
    """A route's figures: its expected days and cost, with their P10/P50/P90.

    They come from the same Monte Carlo as :func:`corridormap.compare.compare` (the same draws
    of every parameter for the same seed, through the weight that found the route, and the
    route's own model error): a route has the same figures wherever it is shown. The route is
    held fixed: only its parameters vary.

    Returns
    -------
    dict
        ``clock`` (the route's); ``days`` on that clock, ``transit_days``,
        ``schedule_wait_days`` (the wait for the first departure), ``door_to_door_days`` and
        ``cost_usd``, each ``{"expected", "p10", "p50", "p90"}``; ``draws`` and ``seed``.
    """
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    params = G.graph["params"]
    T = RouteTerms.of({"route": r})
    sim = simulate(params, T, draws, seed)
    e = {k: float(v[0]) for k, v in T.expected(params).items()}
    transit, wait = sim.transit[:, 0], sim.wait[:, 0]
    out = {
        "clock": r.clock,
        "transit_days": summary(transit, e["transit"]),
        "schedule_wait_days": summary(wait, e["wait"]),
        "door_to_door_days": summary(transit + wait, e["transit"] + e["wait"]),
        "cost_usd": summary(sim.cost[:, 0], e["cost"]),
        "draws": draws,
        "seed": seed,
    }
    out["days"] = out["transit_days" if r.clock == "transit" else "door_to_door_days"]
    return out
