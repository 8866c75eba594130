"""The cost model, stated once: every edge as linear terms of the sourced parameters.

An edge's time, cost and CO2 per TEU are sums of :class:`Term` objects, each a parameter key
from ``parameters.toml`` times a coefficient:

* moving time: ``distance_km / speed_kmh`` (the term's value enters inverted);
* dwell: border, canal, port and transfer hours (coefficient 1);
* waiting for a departure: half a service's headway (coefficient 0.5), or a service's own
  ``wait_h`` where its departures are irregular (coefficient 1); none where the transfer's
  dwell already includes the wait for a vessel (``includes_departure_wait = true``);
* cost: ``distance_km * cost_usd_per_teu_km`` plus fees and handling;
* CO2: ``distance_km * co2_kg_per_teu_km``.

Every parameter is uncertain: a triangular distribution on its ``low / likely / high``. The
figures stored on an edge, and so every route's legs and totals, are the terms' **expected
values** under those distributions (:func:`expected_value`: ``E[X]`` for hours and rates,
``E[1/X]`` for speeds): routes are chosen by the expected value of what is reported, and a
route's legs add up to its expected total. The Monte Carlo (:mod:`corridormap.uncertainty`)
draws the same parameters to give the spread (P10/P50/P90) around it, and the model's own
error (:func:`apply_discrepancy`) is a factor of mean one, so it widens the spread without
moving the expectation.

Everything else evaluates these terms and nothing else: the edge weights stored on the graph,
a scenario's rescaling (:class:`Scaling` multiplies term coefficients), the Monte Carlo (a
route's terms summed, evaluated for every draw at once), the criticality and validation
tables, and the calibration.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "QUANTITIES",
    "Scaling",
    "Term",
    "edge_terms",
    "evaluate",
    "expected_value",
    "expected_values",
    "link_terms",
    "param_table",
    "param_value",
    "sum_terms",
    "transfer_terms",
    "transfer_type",
]

#: the quantities every edge carries, per TEU
QUANTITIES = ("time_h", "cost_usd", "co2_kg")
#: the parts of time a scenario can rescale separately
TIME_PARTS = ("move", "dwell", "wait")

#: the transfer table used when cargo enters a layer from a place's gate (door/terminal)
GATE_TRANSFER = {
    "rail": "rail_terminal",
    "road": "road_terminal",
    "sea": "port",
    "caspian": "caspian_port",
    "inland": "caspian_port",
    "ferry": "ferry",
}
#: modes whose layers are scheduled services (boarding one waits for a departure)
SCHEDULED_MODES = ("sea", "caspian", "ferry", "inland")


@dataclass(frozen=True, slots=True)
class Term:
    """One linear term of an edge: ``coef * value`` (or ``coef / value`` when ``inverse``).

    Attributes
    ----------
    quantity
        ``time_h``, ``cost_usd`` or ``co2_kg``.
    part
        What the term is: ``move``, ``dwell`` or ``wait`` (time), ``rate`` or ``fee`` (cost),
        ``emission`` (CO2). Scenarios rescale time terms by part.
    key
        The dotted parameter key (``modes.rail.by_country.IR.speed_kmh``).
    coef
        Kilometres for per-km rates and speeds, 1 for dwell hours and fees, 0.5 for headways.
    inverse
        The parameter enters as ``1 / value`` (speeds).
    """

    quantity: str
    part: str
    key: str
    coef: float
    inverse: bool = False

    def value(self, x: float) -> float:
        """The term's contribution when its parameter is ``x``."""
        return self.coef / x if self.inverse else self.coef * x


# -- parameters ------------------------------------------------------------------------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def join_key(parts: Iterable[str]) -> str:
    """A dotted key of its parts, quoting those that are not bare words (``"BY/RU"``)."""
    return ".".join(p if _BARE.match(p) else f'"{p}"' for p in parts)


@functools.lru_cache(maxsize=8192)
def split_key(key: str) -> tuple[str, ...]:
    """Split a dotted key, keeping quoted parts whole: ``'a."RU/AZ".b'`` -> ``(a, RU/AZ, b)``."""
    parts, buf, quoted = [], "", False
    for ch in key:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return tuple(parts)


def param_table(params: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The ``{low, likely, high, source, basis, ...}`` table of a dotted parameter key."""
    table: Any = params
    for part in split_key(key):
        table = table[part]
    return table


def param_value(params: Mapping[str, Any], key: str, which: str = "likely") -> float:
    """One value (``low``, ``likely`` or ``high``) of a dotted parameter key."""
    return float(param_table(params, key)[which])


def mode_param_key(
    params: Mapping[str, Any], mode: str, name: str, country: str, service: str | None = None
) -> str:
    """The key of a mode parameter, most specific first.

    A link in one country uses ``modes.<mode>.by_country.<CC>``; a sailing whose service names
    a ``vessel`` class uses ``modes.<mode>.by_vessel.<vessel>``; else ``modes.<mode>``.
    """
    table = params["modes"][mode]
    by_country = table.get("by_country") or {}
    if country in by_country and name in by_country[country]:
        return f"modes.{mode}.by_country.{country}.{name}"
    if service is not None:
        vessel = (params.get("services", {}).get(service) or {}).get("vessel")
        by_vessel = table.get("by_vessel") or {}
        if vessel in by_vessel and name in by_vessel[vessel]:
            return f"modes.{mode}.by_vessel.{vessel}.{name}"
    return f"modes.{mode}.{name}"


def border_param_key(
    params: Mapping[str, Any], mode: str, countries: str, link_id: str, name: str
) -> str:
    """The key of a border parameter: per link, per country pair, else the mode's default."""
    table = params["borders"]
    if name in ((table.get("by_link") or {}).get(link_id) or {}):
        return f"borders.by_link.{link_id}.{name}"
    if name in ((table[mode].get("by_country") or {}).get(countries) or {}):
        return f'borders.{mode}.by_country."{countries}".{name}'
    return f"borders.{mode}.{name}"


def layer_mode(layer: str) -> str:
    """The mode of a layer name: ``'rail:1520'`` -> ``'rail'``."""
    return layer.split(":", 1)[0]


def is_border(mode: str, country: str) -> bool:
    """Whether a link crosses a border where cargo is checked (a land link ``'AZ/IR'``)."""
    return mode in ("rail", "road") and "/" in country


# -- terms -----------------------------------------------------------------------------------
def link_terms(
    link: Mapping[str, Any], params: Mapping[str, Any], service: str | None = None
) -> tuple[Term, ...]:
    """The terms of travelling one link end to end.

    Parameters
    ----------
    link
        Validated link properties (``id``, ``mode``, ``length_km``, ``country``, ``canal``).
    params
        The parameter file.
    service
        For a scheduled link, the service sailing it (its vessel class may set the speed).
    """
    mode = link["mode"]
    km = float(link["length_km"])
    country = str(link.get("country") or "")

    def key(name: str) -> str:
        return mode_param_key(params, mode, name, country, service)

    terms = [
        Term("time_h", "move", key("speed_kmh"), km, inverse=True),
        Term("cost_usd", "rate", key("cost_usd_per_teu_km"), km),
        Term("co2_kg", "emission", key("co2_kg_per_teu_km"), km),
    ]
    if is_border(mode, country):
        lid = str(link["id"])
        terms.append(
            Term("time_h", "dwell", border_param_key(params, mode, country, lid, "dwell_h"), 1.0)
        )
        terms.append(
            Term(
                "cost_usd",
                "fee",
                border_param_key(params, mode, country, lid, "cost_usd_per_teu"),
                1.0,
            )
        )
    canal = link.get("canal")
    if canal:
        terms.append(Term("time_h", "dwell", f"canals.{canal}.transit_h", 1.0))
        terms.append(Term("cost_usd", "fee", f"canals.{canal}.cost_usd_per_teu", 1.0))
    return tuple(terms)


def transfer_type(a: str, b: str) -> str | None:
    """The transfer table that moves cargo from layer ``a`` to layer ``b`` at one place.

    ``'gate'`` is the place itself (the shipper's door or the terminal gate). Returns ``None``
    where no transfer is possible (e.g. a wagon ferry straight onto a deep-sea ship).
    """
    if a == b:
        return None
    if a == "gate" or b == "gate":
        other = b if a == "gate" else a
        return GATE_TRANSFER[layer_mode(other)]
    pair = {layer_mode(a), layer_mode(b)}
    if pair == {"rail"}:
        return "gauge_change"
    if pair == {"rail", "road"}:
        return "rail_road"
    if pair <= {"rail", "road", "sea"}:
        return "sea_transshipment" if pair == {"sea"} else "port"
    if pair <= {"rail", "road", "caspian", "inland"}:
        return "caspian_port"
    if "ferry" in pair and pair <= {"rail", "road", "ferry"}:
        return "ferry"
    if pair <= {"ferry", "caspian", "inland"}:
        return "caspian_port"
    return None


def wait_term(params: Mapping[str, Any], service: str) -> Term | None:
    """The wait for a departure of ``service``: its ``wait_h`` if given, else half its headway."""
    table = (params.get("services") or {}).get(service)
    if not isinstance(table, Mapping):
        return None
    if "wait_h" in table:
        return Term("time_h", "wait", f"services.{service}.wait_h", 1.0)
    if "headway_h" in table:
        return Term("time_h", "wait", f"services.{service}.headway_h", 0.5)
    return None


def transfer_terms(kind: str, to_layer: str, params: Mapping[str, Any]) -> tuple[Term, ...]:
    """The terms of one transfer into ``to_layer``, including the wait for its next departure.

    No wait is added where the transfer table says its dwell already includes waiting for a
    vessel (``includes_departure_wait = true``): that wait would be counted twice. Such a
    table's dwell holds the wait, so it applies where cargo boards the vessel; where it comes
    off one (into a rail, road or gate layer) the table's ``unload_dwell_h`` applies instead,
    when it has one: the wait for a sailing is not paid again at the port of discharge.
    """
    table = f"transfers.{kind}"
    spec = params["transfers"].get(kind) or {}
    includes_wait = bool(spec.get("includes_departure_wait"))
    boarding = ":" in to_layer and layer_mode(to_layer) in SCHEDULED_MODES
    dwell = (
        "unload_dwell_h"
        if includes_wait and not boarding and "unload_dwell_h" in spec
        else "dwell_h"
    )
    terms = [
        Term("time_h", "dwell", f"{table}.{dwell}", 1.0),
        Term("cost_usd", "fee", f"{table}.cost_usd_per_teu", 1.0),
    ]
    if boarding and not includes_wait:
        wt = wait_term(params, to_layer.split(":", 1)[1])
        if wt is not None:
            terms.append(wt)
    return tuple(terms)


# -- model discrepancy -----------------------------------------------------------------------
#: the parameter key of the model's own multiplicative error on route times (log scale)
DISCREPANCY_KEY = "model.discrepancy_sigma_log"


def discrepancy_sigma(params: Mapping[str, Any]) -> float:
    """The model discrepancy: the spread of time that the parameter ranges do not explain.

    It is the standard deviation of ``log(observed / modelled)`` time
    (``model.discrepancy_sigma_log``, set by ``corridormap calibrate``; 0 when absent).
    """
    try:
        return float(param_table(params, DISCREPANCY_KEY)["likely"])
    except (KeyError, TypeError):
        return 0.0


def discrepancy_rng(seed: int | None, key: str = "") -> Any:
    """The random stream of the discrepancy draws of one route: its own stream of ``seed``.

    It is kept apart from the parameter draws and keyed by the route itself (``key``: what
    the route is, e.g. its node path), so the same route draws the same discrepancies in every
    Monte Carlo of the same seed (a route, a comparison, the sweep, a map), and two different
    routes draw independent ones.
    """
    import hashlib

    import numpy as np

    if seed is None:
        return np.random.default_rng()
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    entropy = [int(seed), 0xD15C, int.from_bytes(digest, "little")]
    if entropy[0] < 0:
        return np.random.default_rng(entropy)  # numpy's own error for a negative seed
    # handed the words as one array, numpy seeds the same stream without converting each int
    # on its own (a third of the time of making the stream)
    return np.random.default_rng(np.array(_seed_words(entropy), dtype=np.uint32))


def _seed_words(ints: Iterable[int]) -> list[int]:
    """Non-negative ints as numpy's SeedSequence reads a list of them.

    Each int's 32-bit words, least significant first, with no zero words above its highest
    (one word for 0).
    """
    words = []
    for n in ints:
        words.append(n & 0xFFFFFFFF)
        while n := n >> 32:
            words.append(n & 0xFFFFFFFF)
    return words


def discrepancy_factor(sigma: float, zrng: Any, shape: Any) -> Any:
    """The log-normal factors of mean one that :func:`apply_discrepancy` multiplies by.

    ``exp(sigma * z - sigma**2 / 2)`` with ``z`` standard normal of ``shape`` from ``zrng``.
    """
    import numpy as np

    z = zrng.standard_normal(shape)
    z *= sigma
    z -= 0.5 * sigma * sigma
    return np.exp(z, out=z)


def apply_discrepancy(days: Any, sigma: float, zrng: Any) -> Any:
    """``days`` (draws, or draws x figures) times a log-normal factor of mean one.

    The factor is ``exp(sigma * z - sigma**2 / 2)`` with ``z`` standard normal, one per draw
    and figure from ``zrng`` (:func:`discrepancy_rng`): its mean is one, so the model's error
    widens a figure's spread without moving its expected value. ``days`` is returned unchanged,
    and nothing is drawn, when ``sigma`` is 0.
    """
    if sigma <= 0.0:
        return days
    import numpy as np

    return days * discrepancy_factor(sigma, zrng, np.shape(days))


# -- evaluation ------------------------------------------------------------------------------
def evaluate(
    terms: Iterable[Term],
    value: Mapping[str, float],
    factor: Any = None,
) -> dict[str, float]:
    """Totals of ``terms`` for parameter values ``value`` (key -> value).

    ``factor`` (optional) maps a term to a multiplier on its coefficient (a scenario).
    Returns ``time_h``, ``cost_usd``, ``co2_kg`` and the time parts ``move_h``, ``dwell_h``
    and ``wait_h``.
    """
    out = dict.fromkeys(("time_h", "cost_usd", "co2_kg", "move_h", "dwell_h", "wait_h"), 0.0)
    for t in terms:
        x = t.value(value[t.key])
        if factor is not None:
            x *= factor(t)
        out[t.quantity] += x
        if t.quantity == "time_h":
            out[f"{t.part}_h"] += x
    return out


def expected_value(low: Any, likely: Any, high: Any, inverse: bool) -> Any:
    """The mean of a triangular variable ``X``, or of ``1 / X`` when ``inverse``.

    ``X`` is on ``[low, high]`` with mode ``likely``.

    ``E[X] = (a + b + c) / 3``;
    ``E[1/X] = 2 / (b - a) * (b ln(b/c) / (b - c) - a ln(c/a) / (c - a))``, each ratio taken
    as 1 where its denominator vanishes (the mode at a bound), and ``1 / c`` where ``a = b``.
    Works element-wise on arrays.
    """
    import numpy as np

    a, c, b = (np.asarray(x, dtype=float) for x in (low, likely, high))
    if not inverse:
        return (a + b + c) / 3.0
    with np.errstate(divide="ignore", invalid="ignore"):
        # below a millionth of the value the closed form cancels catastrophically: a point
        tiny = 1e-6 * np.maximum(np.abs(b), 1e-300)
        hi_part = np.where(b - c > tiny, b * np.log(b / c) / (b - c), 1.0)
        lo_part = np.where(c - a > tiny, a * np.log(c / a) / (c - a), 1.0)
        mean = 2.0 / (b - a) * (hi_part - lo_part)
    return np.where(b - a > tiny, mean, 1.0 / c)


def expected_values(params: Mapping[str, Any], terms: Iterable[Term]) -> dict[str, float]:
    """The value of every key ``terms`` use that makes each term its expected value.

    A term ``coef * x`` takes ``E[x]``; a term ``coef / x`` takes ``1 / E[1/x]``, so that
    :meth:`Term.value` of it is ``coef * E[1/x]``.
    """
    out: dict[str, float] = {}
    for t in terms:
        if t.key in out:
            continue
        table = param_table(params, t.key)
        low, likely, high = (float(table[w]) for w in ("low", "likely", "high"))
        mean = float(expected_value(low, likely, high, t.inverse))
        out[t.key] = 1.0 / mean if t.inverse else mean
    return out


def edge_weights(terms: tuple[Term, ...], params: Mapping[str, Any], km: float) -> dict[str, Any]:
    """The stored weights of an edge: its terms' expected values.

    Returns ``distance_km``, ``time_h``, ``cost_usd``, ``co2_kg``, the time parts ``move_h``,
    ``dwell_h`` and ``wait_h``, the ``terms`` and ``parts`` (each term's expected
    contribution, which a scenario rescales without looking the parameters up again).
    """
    value = expected_values(params, terms)
    tot = evaluate(terms, value)
    parts = tuple(t.value(value[t.key]) for t in terms)
    return {"distance_km": km, **tot, "terms": terms, "parts": parts}


def sum_terms(
    edges: Iterable[Mapping[str, Any]], factor: Any = None
) -> dict[tuple[str, str, bool], float]:
    """A route's terms added up: ``(quantity, key, inverse) -> coefficient``.

    ``factor`` (optional) is ``f(edge, term)``, a multiplier on each term's coefficient (a
    scenario's :meth:`Scaling.factor`). Edges without terms (a hand-built graph) contribute
    nothing: check with :func:`edge_terms` first.
    """
    out: dict[tuple[str, str, bool], float] = {}
    for d in edges:
        for t in edge_terms(d):
            c = t.coef * (factor(d, t) if factor is not None else 1.0)
            k = (t.quantity, t.key, t.inverse)
            out[k] = out.get(k, 0.0) + c
    return out


def edge_terms(d: Mapping[str, Any]) -> tuple[Term, ...]:
    """The terms of one edge (empty for a hand-built edge that carries only totals)."""
    return d.get("terms") or ()


# -- scenarios -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scaling:
    """A scenario's rescaling of time terms, as factors on their coefficients.

    Attributes
    ----------
    speed
        Factor on speed by link mode (moving time is divided by it).
    dwell_transfer
        Factor on transfer dwell by transfer kind (``gauge_change``, ``rail_road`` ...).
    dwell_border
        Factor on border dwell by link id, country pair (``"AZ/IR"``) or ``"*"``.
    dwell_canal
        Factor on canal transit by canal name.
    wait
        Factor on the wait for a departure, by service.
    """

    speed: Mapping[str, float] = field(default_factory=dict)
    dwell_transfer: Mapping[str, float] = field(default_factory=dict)
    dwell_border: Mapping[str, float] = field(default_factory=dict)
    dwell_canal: Mapping[str, float] = field(default_factory=dict)
    wait: Mapping[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(
            (self.speed, self.dwell_transfer, self.dwell_border, self.dwell_canal, self.wait)
        )

    def __hash__(self) -> int:
        return hash(
            tuple(
                tuple(sorted(getattr(self, f).items()))
                for f in ("speed", "dwell_transfer", "dwell_border", "dwell_canal", "wait")
            )
        )

    def factor(self, d: Mapping[str, Any], t: Term) -> float:
        """The multiplier on term ``t`` of edge ``d``."""
        if t.quantity != "time_h":
            return 1.0
        if t.part == "move":
            return 1.0 / self.speed.get(d.get("mode"), 1.0)
        if t.part == "wait":
            return self.wait.get(split_key(t.key)[1], 1.0)
        if d.get("kind") == "transfer":
            return self.dwell_transfer.get(d.get("transfer"), 1.0)
        if t.key.startswith("canals."):
            return self.dwell_canal.get(split_key(t.key)[1], 1.0)
        b = self.dwell_border
        for k in (d.get("link_id"), d.get("country"), "*"):
            if k in b:
                return b[k]
        return 1.0

    def time_h(self, d: Mapping[str, Any], *, wait: bool = True) -> float:
        """The rescaled ``time_h`` of edge ``d`` (without its wait for a departure if not ``wait``).

        Edges built from geodata are rescaled term by term; a hand-built edge that carries
        only ``move_h``, ``dwell_h`` and ``wait_h`` is rescaled part by part.
        """
        terms = edge_terms(d)
        if terms:
            return float(
                sum(
                    x * self.factor(d, t)
                    for t, x in zip(terms, d["parts"], strict=True)
                    if t.quantity == "time_h" and (wait or t.part != "wait")
                )
            )
        move = float(d.get("move_h", 0.0)) / self.speed.get(d.get("mode"), 1.0)
        dwell = float(d.get("dwell_h", 0.0))
        if d.get("kind") == "transfer":
            dwell *= self.dwell_transfer.get(d.get("transfer"), 1.0)
        else:
            for k in (d.get("link_id"), d.get("country"), "*"):
                if k in self.dwell_border:
                    dwell *= self.dwell_border[k]
                    break
        return move + dwell + (float(d.get("wait_h", 0.0)) if wait else 0.0)

    def wait_h(self, d: Mapping[str, Any]) -> float:
        """The rescaled wait for a departure of edge ``d`` (hours; 0 where it has none)."""
        terms = edge_terms(d)
        if terms:
            return float(
                sum(
                    x * self.factor(d, t)
                    for t, x in zip(terms, d["parts"], strict=True)
                    if t.quantity == "time_h" and t.part == "wait"
                )
            )
        return float(d.get("wait_h", 0.0))
