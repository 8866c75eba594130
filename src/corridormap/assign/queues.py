"""The queue model: the wait at a capacity-limited element as its utilisation grows.

The wait at an element with capacity ``C`` (Mt/yr) carrying ``V`` is (Akcelik 1991, the
Kimber-Hollis coordinate transformation of the M/D/1 queue)::

    x = V / C,  Q = C / batch (vehicles per hour),
    w = T/4 * [ (x - 1) + sqrt( (x - 1)^2 + 8 J x / (Q T) ) ]

nil at no volume, the steady M/D/1 queue ``J x / (Q (1 - x))`` well below capacity, finite
above capacity (tending to the backlog ``T/2 (x - 1)`` that builds over the horizon ``T``).
The curve's constants are ``[congestion]`` in ``parameters.toml``. The elements are a place's
handling and a link in one direction (:func:`corridormap.weights.element_of`); elements
without a capacity figure never queue.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InputError
from ..model import param_value
from ..network import GATE
from ..places import places
from ..units import Conversion, to_mt_per_yr
from ..weights import element_of

__all__ = ["BATCH_KINDS", "Element", "QueueCurve", "Queues", "capacity_elements"]


@dataclass(frozen=True)
class QueueCurve:
    """The wait at an element as a function of its utilisation (see the module docstring).

    Attributes
    ----------
    horizon_h
        ``T``: how long demand above capacity lasts, hours.
    delay_parameter
        ``J``: 0.5 for the M/D/1 queue, 1 for M/M/1.
    batch_t
        Tonnes per vehicle served (one customer of the queue), by kind: ``rail``, ``road``,
        ``ferry``, ``caspian``, ``sea``.
    """

    horizon_h: float
    delay_parameter: float
    batch_t: Mapping[str, float]

    @classmethod
    def from_params(cls, params: Mapping[str, Any], which: str = "likely") -> QueueCurve:
        """The curve of ``parameters.toml`` ``[congestion]``."""
        table = params.get("congestion")
        if not isinstance(table, Mapping):
            raise InputError("parameters.toml has no [congestion] table: cannot model queues")
        try:
            batch = {k: param_value(params, f"congestion.batch_t.{k}", which) for k in BATCH_KINDS}
            return cls(
                horizon_h=param_value(params, "congestion.horizon_h", which),
                delay_parameter=param_value(params, "congestion.delay_parameter", which),
                batch_t=batch,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"parameters.toml [congestion] is incomplete: {exc}") from None

    def wait_h(self, volume: float, capacity: float, batch_t: float) -> float:
        """Hours of queue at ``volume`` against ``capacity`` (both Mt/yr)."""
        if volume <= 0:
            return 0.0
        x = volume / capacity
        q = capacity * 1e6 / 8760.0 / batch_t  # vehicles served per hour
        T = self.horizon_h
        a = 8.0 * self.delay_parameter * x / (q * T)
        r = math.sqrt((x - 1.0) ** 2 + a)
        # below capacity the two terms nearly cancel: the rationalised form keeps precision
        core = a / (r + (1.0 - x)) if x < 1.0 else (x - 1.0) + r
        return 0.25 * T * core

    def waits_h(self, volume: Any, capacity: Any, batch_t: Any) -> Any:
        """:meth:`wait_h` for arrays of volumes, capacities and batches (numpy)."""
        return self.waits_and_slopes_h(volume, capacity, batch_t)[0]

    def slopes_h(self, volume: Any, capacity: Any, batch_t: Any) -> Any:
        """The derivative of :meth:`waits_h` with respect to the volume, hours per Mt/yr.

        ``dw/dV = T / (4 C) * (core + k / 2) / r`` with ``core = (x - 1) + r`` (the bracket of
        the module docstring), ``r = sqrt((x - 1)^2 + k x)`` and ``k = 8 J / (Q T)``: about
        ``J / Q / C`` at no volume, ``T / (4 C)`` at capacity and ``T / (2 C)`` far above it.
        """
        return self.waits_and_slopes_h(volume, capacity, batch_t)[1]

    def waits_and_slopes_h(self, volume: Any, capacity: Any, batch_t: Any) -> tuple[Any, Any]:
        """:meth:`waits_h` and :meth:`slopes_h` at once (they share the square root).

        Parameters
        ----------
        volume, capacity, batch_t
            Arrays (or numbers) of volumes and capacities (Mt/yr) and tonnes per vehicle.

        Returns
        -------
        tuple of numpy.ndarray
            The waits (hours) and their derivatives (hours per Mt/yr); volumes below 0 count
            as 0.
        """
        v = np.maximum(np.asarray(volume, dtype=float), 0.0)
        x = v / capacity
        q = capacity * 1e6 / 8760.0 / batch_t
        T = self.horizon_h
        a = 8.0 * self.delay_parameter * x / (q * T)
        k = 8.0 * self.delay_parameter / (q * T)
        r = np.sqrt((x - 1.0) ** 2 + a)
        # below capacity the two terms nearly cancel: the rationalised form keeps precision
        # (r + 1 - x > 0 whenever x < 1; the other branch's value is discarded)
        with np.errstate(divide="ignore", invalid="ignore"):
            core = np.where(x < 1.0, a / (r + (1.0 - x)), (x - 1.0) + r)
        return 0.25 * T * core, 0.25 * T / capacity * (core + 0.5 * k) / r


_PLACE_LABEL = {"port": "port", "border_crossing": "border terminal", "dry_port": "dry port"}


BATCH_KINDS = ("rail", "road", "ferry", "caspian", "sea")


_MODE_BATCH = {
    "rail": "rail",
    "road": "road",
    "ferry": "ferry",
    "caspian": "caspian",
    "inland": "caspian",
    "sea": "sea",
}


@dataclass(frozen=True)
class Element:
    """A capacity-limited element: its capacity (Mt/yr), batch, published figure and name."""

    key: tuple[str, ...]
    capacity: float  # Mt/yr
    batch_t: float
    published: str
    how: str
    source: str
    name: str


def capacity_elements(G, scenario, curve: QueueCurve) -> tuple[dict, dict[str, str]]:
    """Capacity-limited elements: key -> Element; and figures that could not be converted."""
    params = G.graph.get("params") or {}
    cat = places(G)
    out: dict[tuple[str, ...], Element] = {}
    failed: dict[str, str] = {}

    def convert(value, unit, what) -> Conversion | None:
        try:
            return to_mt_per_yr(float(value), str(unit), params)
        except InputError as exc:
            failed[what] = f"{value:g} {unit}: {exc}"
            return None

    _place_elements(G, cat, scenario, curve, convert, out)
    _link_elements(G, cat, scenario, curve, convert, out)
    return {k: e for k, e in out.items() if e.capacity > 0}, failed


def _place_elements(G, cat, scenario, curve: QueueCurve, convert, out: dict) -> None:
    """Add the places with a handling capacity to ``out``, batched by their busiest mode.

    Parameters
    ----------
    G
        The network.
    cat
        The places (:func:`~corridormap.places.places`).
    scenario
        The applied scenario (its capacity factors by place), or None.
    curve
        The queue curve (its batch sizes by mode).
    convert
        ``convert(value, unit, what)``: the capacity in Mt/yr, or None (noted) if it cannot
        be converted.
    out
        The elements by key, extended in place.
    """
    layers: dict[str, set[str]] = {}
    for _, d in G.nodes(data=True):
        if d.get("layer") and d["layer"] != GATE:
            layers.setdefault(d["place"], set()).add(d["layer"].split(":", 1)[0])
    for pid, p in cat.items():
        if p.get("capacity") is None:
            continue
        conv = convert(p["capacity"], p.get("capacity_unit"), pid)
        if conv is None:
            continue
        factor = scenario.capacity_node.get(pid, 1.0) if scenario is not None else 1.0
        modes = layers.get(pid, set())
        kind = next(
            (k for k in ("sea", "caspian", "inland", "ferry", "rail") if k in modes), "road"
        )
        out[("place", pid)] = Element(
            ("place", pid),
            conv.mt_per_yr * factor,
            curve.batch_t[_MODE_BATCH[kind]],
            conv.published,
            conv.how,
            str(p.get("capacity_source") or ""),
            f"{p['name']} ({_PLACE_LABEL.get(str(p.get('kind')), 'handling')})",
        )


def _link_elements(G, cat, scenario, curve: QueueCurve, convert, out: dict) -> None:
    """Add the links with a capacity to ``out`` (one element per link and direction key).

    Parameters
    ----------
    G
        The network.
    cat
        The places, for the links' end names.
    scenario
        The applied scenario (its capacity factors by mode and link), or None.
    curve
        The queue curve (its batch sizes by mode).
    convert
        ``convert(value, unit, what)``: the capacity in Mt/yr, or None (noted) if it cannot
        be converted.
    out
        The elements by key, extended in place.
    """
    for _, _, d in G.edges(data=True):
        if d.get("kind") != "link" or d.get("capacity") is None:
            continue
        key = element_of(d)
        if key in out:
            continue
        conv = convert(d["capacity"], d.get("capacity_unit"), d["link_id"])
        if conv is None:
            continue
        factor = 1.0
        if scenario is not None:
            factor = scenario.capacity_mode.get(d["mode"], 1.0) * scenario.capacity_link.get(
                d["link_id"], 1.0
            )
        a, b = cat[d["u_place"]]["name"], cat[d["v_place"]]["name"]
        out[key] = Element(
            key,
            conv.mt_per_yr * factor,
            curve.batch_t[_MODE_BATCH.get(d["mode"], "rail")],
            conv.published,
            conv.how,
            str(d.get("capacity_source") or ""),
            f"{a} -> {b} ({d['mode']})",
        )


class Queues:
    """The capacity-limited elements as vectors: volumes, queue waits and their slopes.

    Parameters
    ----------
    elements
        The elements by key (:func:`capacity_elements`); their order is the index order.
    curve
        The queue curve.
    """

    def __init__(self, elements: Mapping[tuple[str, ...], Element], curve: QueueCurve) -> None:
        self.keys = list(elements)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.cap = np.array([e.capacity for e in elements.values()], dtype=float)
        self.batch = np.array([e.batch_t for e in elements.values()], dtype=float)
        self.curve = curve
        # the curve's constants per element: k = 8 J / (Q T), Q in vehicles per hour
        q = self.cap * 1e6 / 8760.0 / self.batch
        self.k = 8.0 * curve.delay_parameter / (q * curve.horizon_h)
        self.quarter_t = 0.25 * curve.horizon_h

    def volumes(self, ods: Iterable[Any]) -> np.ndarray:
        """The volume on every element (Mt/yr), summed over the paths of the demands ``ods``."""
        V = np.zeros(len(self.keys))
        for od in ods:
            for p in od.paths.values():
                V[p.idx] += p.share * p.cnt  # a path's indices are unique
        return V

    def _core(self, V: np.ndarray, idx: Any) -> tuple[np.ndarray, ...]:
        """``(x - 1) + r`` of :class:`QueueCurve` (rationalised below capacity), and ``r``."""
        x = np.maximum(V, 0.0) / self.cap[idx]
        a = self.k[idx] * x
        r = np.sqrt((x - 1.0) ** 2 + a)
        # r + 1 - x > 0 for every x (r >= |x - 1|, a > 0 when x > 0): no division by zero
        return np.where(x < 1.0, a / (r + (1.0 - x)), (x - 1.0) + r), r

    def waits(self, V: np.ndarray, idx: Any = slice(None)) -> np.ndarray:
        """The waits (hours) at volumes ``V`` of the elements ``idx`` (default all).

        The same curve as :meth:`QueueCurve.waits_h`, its constants computed once.
        """
        return self.quarter_t * self._core(V, idx)[0]

    def waits_and_slopes(self, V: np.ndarray, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        """The waits and their derivatives (:meth:`QueueCurve.slopes_h`) of the elements ``idx``."""
        core, r = self._core(V, idx)
        return self.quarter_t * core, self.quarter_t / self.cap[idx] * (
            core + 0.5 * self.k[idx]
        ) / r
