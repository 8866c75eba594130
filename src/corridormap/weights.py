"""Edge weights from the sourced parameter file: time, cost and CO2 per TEU.

This is where speeds, border and canal dwell times, transfer handling and service waits are
applied. Each weight is kept in parts so analyses can rescale one part without rebuilding:

* ``move_h``: moving time, ``distance_km / speed_kmh``;
* ``dwell_h``: time standing at a border, canal, port or transfer;
* ``wait_h``: waiting for a scheduled departure, half the service headway;
* ``time_h = move_h + dwell_h + wait_h``;
* ``cost_usd``: ``distance_km * cost_usd_per_teu_km`` plus fees and handling;
* ``co2_kg``: ``distance_km * co2_kg_per_teu_km``.

Every edge also records the parameter keys it used (``time_keys``), so the Monte Carlo
comparison can redraw exactly the parameters an edge depends on.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["link_weights", "param_value", "transfer_type", "transfer_weights"]

#: the transfer table used when cargo enters a layer from a place's gate (door/terminal)
GATE_TRANSFER = {
    "rail": "rail_terminal",
    "road": "road_terminal",
    "sea": "port",
    "caspian": "caspian_port",
    "inland": "caspian_port",
    "ferry": "ferry",
}


def param_value(params: dict[str, Any], key: str, which: str = "likely") -> float:
    """Return one value (``low``, ``likely`` or ``high``) of a dotted parameter key."""
    table: Any = params
    for part in _split_key(key):
        table = table[part]
    return float(table[which])


@functools.lru_cache(maxsize=4096)
def _split_key(key: str) -> tuple[str, ...]:
    """Split a dotted key, keeping quoted parts whole: 'a."RU/AZ".b' -> [a, RU/AZ, b]."""
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


def mode_param_key(
    params: dict[str, Any], mode: str, name: str, country: str, service: str | None = None
) -> str:
    """The key of a mode parameter, most specific first.

    A rail link in one country uses ``modes.rail.by_country.<CC>``; a sailing whose service
    names a ``vessel`` class uses ``modes.<mode>.by_vessel.<vessel>``; else ``modes.<mode>``.
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


def layer_mode(layer: str) -> str:
    """The mode of a layer name: ``'rail:1520'`` -> ``'rail'``."""
    return layer.split(":", 1)[0]


def link_weights(
    link: dict[str, Any], params: dict[str, Any], service: str | None = None
) -> dict[str, Any]:
    """Weights of travelling one link, end to end.

    Parameters
    ----------
    link
        Validated link properties (``mode``, ``length_km``, ``country`` ...).
    params
        The parameter file.
    service
        For a scheduled link, the service sailing it (its vessel class may set the speed).

    Returns
    -------
    dict
        ``distance_km``, ``move_h``, ``dwell_h``, ``wait_h``, ``time_h``, ``cost_usd``,
        ``co2_kg``, ``border`` and ``time_keys`` / ``cost_keys`` (the parameters used).
    """
    mode = link["mode"]
    km = float(link["length_km"])
    country = str(link.get("country") or "")
    speed_key = mode_param_key(params, mode, "speed_kmh", country, service)
    cost_key = mode_param_key(params, mode, "cost_usd_per_teu_km", country, service)
    co2_key = mode_param_key(params, mode, "co2_kg_per_teu_km", country, service)
    move_h = km / param_value(params, speed_key)
    cost = km * param_value(params, cost_key)
    dwell_h = 0.0
    dwell_keys: list[str] = []
    fee_keys: list[str] = []
    border = mode in ("rail", "road") and "/" in country
    if border:
        for name, keys in (("dwell_h", dwell_keys), ("cost_usd_per_teu", fee_keys)):
            keys.append(border_param_key(params, mode, country, link["id"], name))
    canal = link.get("canal")
    if canal:
        dwell_keys.append(f"canals.{canal}.transit_h")
        fee_keys.append(f"canals.{canal}.cost_usd_per_teu")
    dwell_h = sum(param_value(params, k) for k in dwell_keys)
    cost += sum(param_value(params, k) for k in fee_keys)
    co2 = km * param_value(params, co2_key)
    return {
        "distance_km": km,
        "move_h": move_h,
        "dwell_h": dwell_h,
        "wait_h": 0.0,
        "time_h": move_h + dwell_h,
        "cost_usd": cost,
        "co2_kg": co2,
        "border": border,
        "speed_key": speed_key,
        "dwell_keys": dwell_keys,
        "wait_keys": [],
        "cost_km_key": cost_key,
        "fee_keys": fee_keys,
        "co2_key": co2_key,
    }


def border_param_key(
    params: dict[str, Any], mode: str, countries: str, link_id: str, name: str
) -> str:
    """The key of a border parameter: per link, per country pair, else the mode's default."""
    table = params["borders"]
    if name in ((table.get("by_link") or {}).get(link_id) or {}):
        return f"borders.by_link.{link_id}.{name}"
    if name in ((table[mode].get("by_country") or {}).get(countries) or {}):
        return f'borders.{mode}.by_country."{countries}".{name}'
    return f"borders.{mode}.{name}"


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
    ma, mb = layer_mode(a), layer_mode(b)
    pair = {ma, mb}
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


def transfer_weights(
    kind: str, to_layer: str, params: dict[str, Any], services: dict[str, Any]
) -> dict[str, Any]:
    """Weights of one transfer into ``to_layer``, including the wait for its next departure."""
    table = f"transfers.{kind}"
    dwell_keys = [f"{table}.dwell_h"]
    dwell_h = param_value(params, dwell_keys[0])
    wait_keys: list[str] = []
    # a dwell that already includes waiting for the vessel gets no half headway on top
    waits = not params["transfers"][kind].get("includes_departure_wait", False)
    if waits and ":" in to_layer and layer_mode(to_layer) in ("sea", "caspian", "ferry", "inland"):
        service = to_layer.split(":", 1)[1]
        if service in services:
            wait_keys.append(f"services.{service}.headway_h")
    wait_h = sum(param_value(params, k) / 2 for k in wait_keys)
    cost = param_value(params, f"{table}.cost_usd_per_teu")
    return {
        "distance_km": 0.0,
        "move_h": 0.0,
        "dwell_h": dwell_h,
        "wait_h": wait_h,
        "time_h": dwell_h + wait_h,
        "cost_usd": cost,
        "co2_kg": 0.0,
        "border": False,
        "speed_key": None,
        "dwell_keys": dwell_keys,
        "wait_keys": wait_keys,
        "cost_km_key": None,
        "fee_keys": [f"{table}.cost_usd_per_teu"],
        "co2_key": None,
    }
