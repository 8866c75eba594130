"""The Monte Carlo: triangular draws of the sourced parameters, evaluated on linear route terms.

Every uncertain parameter of ``parameters.toml`` has a sourced ``low / likely / high`` range;
a draw takes each parameter from its triangular distribution on that range (:func:`sample`).
Whatever the model figures (a route's days or cost, a register row's time) is linear in the
parameters (:mod:`corridormap.model`: a term is ``coef * value``, or ``coef / value`` for a
speed), so its values for many draws at once are one matrix product (:func:`evaluate`), and no
shortest-path call runs per draw. :func:`percentiles` gives the P10, P50 and P90 of the draws.

The comparison of route families, the sweep, a route's percentiles and its time-distance band,
the backtest and the calibration's discrepancy all draw, evaluate and summarise through these
three functions. The model's own error on times (the calibrated discrepancy) is drawn from a
stream of its own (:func:`corridormap.model.discrepancy_rng`).
"""

from __future__ import annotations

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
    param_table,
    sum_terms,
)
from .routing import Route

__all__ = [
    "PERCENTILES",
    "CandidateTerms",
    "DrawCache",
    "evaluate",
    "family_draws",
    "param_array",
    "percentiles",
    "route_percentiles",
    "route_terms",
    "sample",
    "sample_ranges",
]

#: the percentiles every Monte Carlo reports
PERCENTILES = (10, 50, 90)
#: draws evaluated at once by :func:`family_draws` (bounds its memory, not its numbers)
CHUNK = 50_000
#: bytes of triangular draws a :class:`DrawCache` keeps
CACHE_BYTES = 256 * 1024 * 1024


# -- drawing ---------------------------------------------------------------------------------
def param_array(
    params: Mapping[str, Any], keys: Sequence[str], which: str = "likely"
) -> np.ndarray:
    """One value (``low``, ``likely`` or ``high``) of each parameter key, as an array."""
    return np.array([float(param_table(params, k)[which]) for k in keys])


def sample(params: Mapping[str, Any], keys: Sequence[str], draws: int, rng: Any) -> np.ndarray:
    """Triangular draws (draws x keys) of each key on its sourced ``low / likely / high``.

    Parameters
    ----------
    params
        The parameter file.
    keys
        Dotted parameter keys, drawn in this order.
    draws
        Draws per key.
    rng
        ``numpy.random.default_rng(seed)``, or a :meth:`DrawCache.rng` standing in for it.

    Returns
    -------
    numpy.ndarray
        One row per draw, one column per key; a key whose range is a single value takes it in
        every draw without consuming the random stream.
    """
    low, likely, high = (param_array(params, keys, w) for w in ("low", "likely", "high"))
    return sample_ranges(low, likely, high, draws, rng)


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


class DrawCache:
    """The triangular draws of one seed, kept for Monte Carlos that each restart its stream.

    A Monte Carlo seeded with ``seed`` draws from ``numpy.random.default_rng(seed)``, one key
    after another; the values a key gets depend only on where its draws start in the stream
    and on its range. Many Monte Carlos of the same seed (the sweep's pairs and scenarios)
    share most of those, so each is computed once, by numpy itself (a generator advanced to
    the position), and kept while the cache holds fewer than ``max_bytes``.

    Parameters
    ----------
    seed
        The seed every Monte Carlo restarts from.
    max_bytes
        The most bytes of draws kept.
    """

    def __init__(self, seed: int | None, max_bytes: int = CACHE_BYTES) -> None:
        self._state = np.random.default_rng(seed).bit_generator.state
        self._memo: dict[tuple, np.ndarray] = {}
        self._bytes = 0
        self._max = max_bytes

    def triangular(self, pos: int, left: float, mode: float, right: float, size: int) -> np.ndarray:
        """The ``size`` triangular draws from position ``pos`` of the seed's stream (read-only)."""
        key = (pos, size, left, mode, right)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        bits = np.random.PCG64()
        bits.state = self._state
        bits.advance(pos)  # a triangular draw takes one double: one step of the generator
        out = np.random.Generator(bits).triangular(left, mode, right, size)
        out.flags.writeable = False
        if self._bytes + out.nbytes <= self._max:
            self._memo[key] = out
            self._bytes += out.nbytes
        return out

    def rng(self) -> _CachedGenerator:
        """A stand-in for ``default_rng(seed)`` in :func:`sample`, reading from the start."""
        return _CachedGenerator(self)


class _CachedGenerator:
    """Reads a :class:`DrawCache` in order, as ``default_rng(seed).triangular`` would draw."""

    def __init__(self, cache: DrawCache) -> None:
        self._cache = cache
        self._pos = 0

    def triangular(self, left: float, mode: float, right: float, size: int) -> np.ndarray:
        out = self._cache.triangular(self._pos, left, mode, right, size)
        self._pos += size
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
def route_terms(r: Route) -> dict[tuple[str, str, bool], float]:
    """A route as linear terms ``(quantity, key, inverse) -> coefficient``.

    The terms go through the weight the route was found with (a scenario's rescaling is
    folded into the coefficients).

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
    return sum_terms(edges, factor)


@dataclass
class CandidateTerms:
    """Candidate routes, grouped by name, as coefficient matrices over one list of keys.

    Attributes
    ----------
    keys
        The parameter keys the candidates use (time or cost), sorted.
    inverse
        Per key, whether it enters as ``1 / value``.
    time, cost
        Coefficients, keys x candidates (hours and USD per TEU).
    order
        The group names (route families), in order; the candidates are their columns in turn.
    ncand
        The number of candidates of each group.
    """

    keys: list[str]
    inverse: np.ndarray
    time: np.ndarray
    cost: np.ndarray
    order: list[str]
    ncand: list[int]

    @classmethod
    def of(cls, cands: Mapping[str, list[Route]]) -> CandidateTerms:
        """The matrices of routes, by group name."""
        return cls.from_terms({name: [route_terms(r) for r in cs] for name, cs in cands.items()})

    @classmethod
    def from_terms(
        cls, terms: Mapping[str, list[dict[tuple[str, str, bool], float]]]
    ) -> CandidateTerms:
        """The matrices of candidates given as :func:`route_terms` dictionaries, by group.

        The sweep builds these without making :class:`~corridormap.Route` objects.
        """
        inv: dict[str, bool] = {}
        for ts in terms.values():
            for t in ts:
                for q, k, flag in t:
                    if q in ("time_h", "cost_usd"):
                        inv[k] = flag
        keys = sorted(inv)
        index = {k: i for i, k in enumerate(keys)}
        order = list(terms)
        ncand = [len(terms[n]) for n in order]
        time = np.zeros((len(keys), sum(ncand)))
        cost = np.zeros((len(keys), sum(ncand)))
        col = 0
        for name in order:
            for t in terms[name]:
                for (q, k, _), c in t.items():
                    if q == "time_h":
                        time[index[k], col] += c
                    elif q == "cost_usd":
                        cost[index[k], col] += c
                col += 1
        return cls(keys, np.array([inv[k] for k in keys], dtype=bool), time, cost, order, ncand)

    def days(self, values: np.ndarray) -> np.ndarray:
        """Each candidate's days for parameter values (draws x keys): draws x candidates."""
        return evaluate(values, self.inverse, self.time) / 24.0

    def usd(self, values: np.ndarray) -> np.ndarray:
        """Each candidate's cost per TEU for parameter values: draws x candidates."""
        return evaluate(values, self.inverse, self.cost)

    def best(self, table: np.ndarray) -> dict[str, np.ndarray]:
        """Per group, the least value of its candidates (last axis)."""
        out, start = {}, 0
        for name, m in zip(self.order, self.ncand, strict=True):
            out[name] = table[..., start : start + m].min(axis=-1)
            start += m
        return out


def family_draws(
    params: Mapping[str, Any],
    terms: CandidateTerms,
    draws: int,
    rng: Any,
    *,
    by: str,
    seed: int | None,
    bar: Any = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per group and draw, the days and cost of the candidate that is best in that draw.

    Parameters
    ----------
    params
        The parameter file.
    terms
        The candidates' terms, grouped by route family.
    draws
        The draws.
    rng
        The parameters' random stream (``default_rng(seed)`` or a :meth:`DrawCache.rng`).
    by
        What picks a group's candidate in a draw: ``time_h`` or ``cost_usd``.
    seed
        The seed: the model discrepancy is drawn from its own stream of it
        (:func:`corridormap.model.discrepancy_rng`), one draw per group (the groups' routes
        are different routes, so their errors are not shared).
    bar
        A progress bar to ``update`` with the draws done, or None.

    Returns
    -------
    tuple
        Days and cost (USD per TEU) per draw, by group name.
    """
    sigma = discrepancy_sigma(params)
    zrng = discrepancy_rng(seed)
    days_parts: dict[str, list[np.ndarray]] = {n: [] for n in terms.order}
    cost_parts: dict[str, list[np.ndarray]] = {n: [] for n in terms.order}
    done = 0
    while done < draws:
        n = min(CHUNK, draws - done)
        values = sample(params, terms.keys, n, rng)
        t_all, c_all = terms.days(values), terms.usd(values)
        obj = t_all if by.startswith("time") else c_all
        start, rows = 0, np.arange(n)
        picked = []
        for name, m in zip(terms.order, terms.ncand, strict=True):
            pick = np.argmin(obj[:, start : start + m], axis=1)
            picked.append(t_all[:, start : start + m][rows, pick])
            cost_parts[name].append(c_all[:, start : start + m][rows, pick])
            start += m
        picked_days = apply_discrepancy(np.stack(picked, axis=1), sigma, zrng)
        for j, name in enumerate(terms.order):
            days_parts[name].append(picked_days[:, j])
        done += n
        if bar is not None:
            bar.update(n)
    days = {n: np.concatenate(days_parts[n]) for n in terms.order}
    cost = {n: np.concatenate(cost_parts[n]) for n in terms.order}
    return days, cost


def route_percentiles(
    G: nx.MultiDiGraph, r: Route, *, draws: int = 10_000, seed: int | None = 0
) -> dict[str, Any]:
    """P10/P50/P90 of one route's days and cost per TEU.

    They come from the same Monte Carlo as :func:`corridormap.compare.compare` (triangular
    draws of every parameter the route uses, through the weight that found it, and the
    calibrated model discrepancy). The route is held fixed: only its parameters vary.

    Returns
    -------
    dict
        ``{"days": {"p10", "p50", "p90"}, "cost_usd": {...}, "likely_days": ...,
        "draws": ..., "seed": ...}``.
    """
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    T = CandidateTerms.of({"route": [r]})
    rng = np.random.default_rng(seed)
    values = sample(G.graph["params"], T.keys, draws, rng)
    days, cost = T.days(values)[:, 0], T.usd(values)[:, 0]
    days = apply_discrepancy(days, discrepancy_sigma(G.graph["params"]), discrepancy_rng(seed))

    def pct(a: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = percentiles(a)
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    return {
        "days": pct(days),
        "cost_usd": pct(cost),
        "likely_days": r.days,
        "likely_cost_usd": r.cost_usd,
        "draws": draws,
        "seed": seed,
    }
