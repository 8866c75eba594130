"""The sweep's Monte Carlo: :func:`corridormap.uncertainty.simulate` for many pairs of one seed.

Every pair of a sweep draws the same parameters (each key's own stream of the seed), and many
pairs share routes (the families of a pair, the scenarios of a route, the clocks). What they
share is computed once and kept (:class:`MonteCarlo`): each key's draws and their inverses,
each key's expected value, each route's model-error factors. A pair's figures are then its own
matrix products on those columns, the same arithmetic as ``simulate`` and
:meth:`~corridormap.uncertainty.RouteTerms.expected` do, so the same numbers to the last bit.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model import discrepancy_factor, discrepancy_rng, discrepancy_sigma, expected_value
from ..uncertainty import (
    CHUNK,
    PERCENTILES,
    RouteTerms,
    Simulation,
    param_array,
    sample,
    simulate,
)

__all__ = [
    "SEEN_BYTES",
    "SEEN_FROM",
    "VALUES_BYTES",
    "MonteCarlo",
    "SeenColumns",
    "order_statistics",
    "sorted_percentiles",
]

#: bytes of parameter values (draws x keys) kept for the next pairs with the same keys
VALUES_BYTES = 64 * 1024 * 1024
#: draws from which the columns summarised are kept to be found again (:class:`SeenColumns`):
#: where selecting a column's order statistics costs far more than keeping and finding it
SEEN_FROM = 5_000
#: bytes of columns of draws kept with their percentiles (:class:`SeenColumns`)
SEEN_BYTES = 64 * 1024 * 1024


class MonteCarlo:
    """The Monte Carlo of routes in ``draws`` draws of seed ``seed``, what routes share kept.

    Parameters
    ----------
    params
        The parameter file.
    draws, seed
        As :func:`corridormap.uncertainty.simulate` takes them.
    """

    def __init__(self, params: Mapping[str, Any], draws: int, seed: Any) -> None:
        self.params, self.draws, self.seed = params, draws, seed
        self.sigma = discrepancy_sigma(params)
        # seed None draws afresh every time, and a long Monte Carlo is evaluated in chunks:
        # both go to simulate itself
        self.kept = seed is not None and draws <= CHUNK
        self._columns: dict[tuple[str, bool], np.ndarray] = {}
        self._expected: dict[tuple[str, bool], float] = {}
        self._error: dict[str, np.ndarray] = {}
        self._kept: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._kept_bytes = 0
        self._rows: dict[tuple, np.ndarray] = {}
        self._finite: set[int] = set()  # the kept value matrices with only finite values
        #: the columns summarised lately, for the sweep's table to find again (from
        #: :data:`SEEN_FROM` draws)
        self.seen = SeenColumns() if self.kept and draws >= SEEN_FROM else None

    def _column(self, key: str, inverse: bool) -> np.ndarray:
        """A key's draws as :func:`~corridormap.uncertainty.evaluate` uses them (1/x if a speed)."""
        got = self._columns.get((key, inverse))
        if got is None:
            got = sample(self.params, [key], self.draws, self.seed)[:, 0].copy()
            if inverse:
                got = 1.0 / got
            self._columns[(key, inverse)] = got
        return got

    def _values(self, T: RouteTerms) -> np.ndarray:
        """The values evaluate() multiplies: each key's draws, inverted where a speed.

        Pairs of one region use the same keys: the matrices of the keys used last are kept
        (up to :data:`VALUES_BYTES`).
        """
        inverse = T.inverse.tolist()
        which = (tuple(T.keys), tuple(inverse))
        x = self._kept.get(which)
        if x is not None:
            self._kept.move_to_end(which)
            return x
        x = np.empty((self.draws, len(T.keys)))
        for j, (key, inv) in enumerate(zip(T.keys, inverse, strict=True)):
            x[:, j] = self._column(key, inv)
        x.flags.writeable = False
        self._kept[which] = x
        self._kept_bytes += x.nbytes
        if np.isfinite(x).all():
            self._finite.add(id(x))
        while self._kept_bytes > VALUES_BYTES and len(self._kept) > 1:
            gone = self._kept.popitem(last=False)[1]
            self._kept_bytes -= gone.nbytes
            self._finite.discard(id(gone))
        return x

    def new_origin(self) -> None:
        """Forget the routes' model-error factors: a route from another origin is another."""
        self._error.clear()

    def _error_factor(self, rid: str) -> np.ndarray:
        """Route ``rid``'s model-error factors (what ``apply_discrepancy`` multiplies by)."""
        got = self._error.get(rid)
        if got is None:
            rng = discrepancy_rng(self.seed, rid)
            got = self._error[rid] = discrepancy_factor(self.sigma, rng, (self.draws,))
        return got

    def simulate(self, T: RouteTerms) -> Simulation:
        """:func:`corridormap.uncertainty.simulate` of ``T``: the same numbers."""
        if not self.kept:
            return simulate(self.params, T, self.draws, self.seed)
        x = self._values(T)
        transit = x @ T.transit
        transit /= 24.0  # in place: the same quotients without another array
        if T.wait.any() or id(x) not in self._finite:
            wait = x @ T.wait
            wait /= 24.0
        else:
            # no route waits for a first departure: the product of finite values and zero
            # coefficients is +0.0 in every draw
            wait = np.zeros((self.draws, len(T.names)))
        cost = x @ T.cost
        if self.sigma > 0:
            # apply_discrepancy's product, each route's factors into its own column (in place,
            # with no stacked copy of the factors)
            for j, rid in enumerate(T.ids):
                transit[:, j] *= self._error_factor(rid)
        return Simulation(list(T.names), transit, wait, cost)

    def expected(self, T: RouteTerms) -> dict[str, np.ndarray]:
        """:meth:`~corridormap.uncertainty.RouteTerms.expected` of ``T``: the same numbers."""
        inverse = T.inverse.tolist()
        which = (tuple(T.keys), tuple(inverse))
        row = self._rows.get(which)
        if row is None:
            row = np.empty(len(T.keys))
            for j, (key, inv) in enumerate(zip(T.keys, inverse, strict=True)):
                got = self._expected.get((key, inv))
                if got is None:
                    # as expected_row computes it
                    low, likely, high = (param_array(self.params, [key], w)[0] for w in _RANGE)
                    mean = float(expected_value(low, likely, high, inv))
                    got = self._expected[(key, inv)] = 1.0 / mean if inv else mean
                row[j] = got
            # what evaluate() multiplies the coefficients by (its copy, inverted where a speed)
            row[T.inverse] = 1.0 / row[T.inverse]
            row.flags.writeable = False
            self._rows[which] = row
        return {
            "transit": row @ T.transit / 24.0,
            "wait": row @ T.wait / 24.0,
            "cost": row @ T.cost,
        }


_RANGE = ("low", "likely", "high")


class SeenColumns:
    """Columns of draws summarised lately, with their P10, P50 and P90, found by content.

    The scenarios of a pair often leave a route as it was, and with it a column of draws the
    same value for value (in the bundled sweep at 10,000 draws, two in five of the columns
    summarised had been summarised before, mostly a few hundred columns earlier): its order
    statistics need not be selected again. A column is found by its first, middle and last
    values and taken only when equal to the one kept in every value. Copies are kept up to
    ``limit`` bytes, the oldest dropped first.
    """

    def __init__(self, limit: int = SEEN_BYTES) -> None:
        self.limit = limit
        self._kept: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0

    def find(self, key: tuple, column: np.ndarray) -> np.ndarray | None:
        """The percentiles kept of ``column`` (``key``: its first, middle and last values)."""
        got = self._kept.get(key)
        if got is None or not np.array_equal(got[0], column):
            return None
        return got[1]

    def keep(self, key: tuple, column: np.ndarray, q: np.ndarray) -> None:
        """Keep a copy of ``column`` and its percentiles ``q``."""
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= old[0].nbytes
        self._kept[key] = (column.copy(), q)
        self._bytes += column.nbytes
        while self._bytes > self.limit and len(self._kept) > 1:
            self._bytes -= self._kept.popitem(last=False)[1][0].nbytes


def sorted_percentiles(s: np.ndarray) -> np.ndarray:
    """P10, P50 and P90 of each row of ``s``, whose rows are sorted (no NaN).

    numpy's own numbers (:func:`numpy.percentile`, its default linear method, the same
    arithmetic), read off the sorted rows without numpy's selection. Only the positions
    :func:`order_statistics` names are read, so rows partitioned at them
    (:meth:`numpy.ndarray.partition`) give the same numbers as rows sorted.

    Parameters
    ----------
    s
        Values, one sorted (or so partitioned) row per series.

    Returns
    -------
    numpy.ndarray
        ``(3, rows)``: P10, P50 and P90 of each row.
    """
    prev_i, next_i, t, upper = _interpolation(s.shape[-1])
    a = s[:, prev_i].T
    b = s[:, next_i].T
    # numpy's _lerp
    diff_b_a = b - a
    out = np.add(a, diff_b_a * t)
    np.subtract(b, diff_b_a * (1 - t), out=out, where=upper, casting="unsafe")
    return out


@functools.lru_cache(maxsize=8)
def order_statistics(n: int) -> np.ndarray:
    """The positions in ``n`` sorted values that :func:`sorted_percentiles` reads, and the last.

    A row partitioned at these holds at each the value the sorted row holds there, and at the
    last its largest value, or NaN if it has one (NaN goes last, as in a sort).
    """
    prev_i, next_i, _, _ = _interpolation(n)
    kth = np.unique(np.concatenate([prev_i, next_i, [n - 1]]) % n)
    kth.flags.writeable = False
    return kth


@functools.lru_cache(maxsize=8)
def _interpolation(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where numpy's percentiles of ``n`` sorted values lie, as :func:`numpy.percentile` has it.

    The two order statistics each lies between, the weight between them (``gamma``) and
    whether it is at least a half (numpy then interpolates from the upper one).
    """
    q = np.true_divide(np.asarray(PERCENTILES, dtype=np.float64), 100)
    # numpy's virtual index for its linear method (Hyndman and Fan's 7th), and gamma
    virtual = (n - 1) * q
    prev = np.floor(virtual)
    nxt = prev + 1
    above = virtual >= n - 1
    prev[above] = -1
    nxt[above] = -1
    below = virtual < 0
    prev[below] = 0
    nxt[below] = 0
    gamma = np.asanyarray(virtual - prev)  # numpy's fix_gamma for linear keeps it
    t = gamma.reshape(-1, 1)
    return prev.astype(np.intp), nxt.astype(np.intp), t, t >= 0.5
