"""Freight units: capacities and volumes converted to Mt/yr with sourced factors.

Capacities and volumes are published in many units: tonnes a year (``Mt/yr``), containers or
TEU counted over part of a year, wagons or trucks a day. Everything the volume assignment
compares is turned into Mt/yr here, with the factors of ``parameters.toml``:

* ``[meta] cargo_t_per_teu``: tonnes of cargo per loaded TEU;
* ``[conversions.t_per_wagon]``, ``[conversions.t_per_truck]``,
  ``[conversions.teu_per_container]``: each a sourced ``{low, likely, high}`` table.

A unit is a count (``t``, ``kt``, ``Mt``, ``TEU``, ``M TEU``, ``containers``, ``wagons``,
``trucks``) followed by ``/yr`` or ``/day``; a bare count needs the number of days it covers
(``period_days``), and is annualised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import InputError

__all__ = ["COUNTS", "Conversion", "conversion_factors", "to_mt_per_yr", "unit_parts"]

#: the counts a unit may be made of, and the factor that turns one into tonnes
COUNTS: dict[str, str | float] = {
    "t": 1.0,
    "kt": 1e3,
    "Mt": 1e6,
    "TEU": "t_per_teu",
    "M TEU": "t_per_mteu",
    "containers": "t_per_container",
    "wagons": "t_per_wagon",
    "trucks": "t_per_truck",
}
#: the periods a unit may be per, in days
PERIODS = {"yr": 365.0, "day": 1.0}
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class Conversion:
    """A figure converted to Mt/yr, and how.

    Attributes
    ----------
    mt_per_yr
        The value in Mt/yr.
    published
        The figure as published (``"35 wagons/day"``).
    how
        The factors used (``"x 59.7 t/wagon x 365 d/yr"``), empty for Mt/yr.
    """

    mt_per_yr: float
    published: str
    how: str


def conversion_factors(params: Mapping[str, Any], which: str = "likely") -> dict[str, float]:
    """Tonnes per TEU, wagon, truck and container (``which``: low, likely or high).

    Raises
    ------
    InputError
        If ``parameters.toml`` lacks ``[meta] cargo_t_per_teu`` or a ``[conversions]`` table.
    """
    meta = params.get("meta") or {}
    conv = params.get("conversions") or {}
    try:
        t_per_teu = float(meta["cargo_t_per_teu"])
    except (KeyError, TypeError, ValueError):
        raise InputError("parameters.toml: [meta] needs cargo_t_per_teu (t per TEU)") from None
    out = {"t_per_teu": t_per_teu, "t_per_mteu": t_per_teu * 1e6}
    for key in ("t_per_wagon", "t_per_truck", "teu_per_container"):
        table = conv.get(key)
        if not isinstance(table, Mapping) or which not in table:
            raise InputError(f"parameters.toml: [conversions.{key}] needs a {which!r} value")
        out[key] = float(table[which])
    out["t_per_container"] = out.pop("teu_per_container") * t_per_teu
    return out


def _split(unit: str) -> tuple[str, str | None]:
    count, _, per = unit.partition("/")
    return count.strip(), (per.strip() or None) if per else None


def unit_parts(unit: str) -> tuple[str, str | None]:
    """A unit's count and period.

    ``"wagons/day"`` -> ``("wagons", "day")``; ``"TEU"`` -> ``("TEU", None)``, a bare count,
    which needs the days it covers (``period_days``).

    Raises
    ------
    InputError
        If the unit is not one of :data:`COUNTS`, bare or per ``yr`` or ``day``.
    """
    count, per = _split(str(unit))
    if count not in COUNTS or (per is not None and per not in PERIODS):
        raise InputError(
            f"unit {unit!r} is not a count ({', '.join(COUNTS)}) per yr or day, nor a bare count"
        )
    return count, per


def to_mt_per_yr(
    amount: float,
    unit: str,
    params: Mapping[str, Any],
    *,
    period_days: float | None = None,
    which: str = "likely",
) -> Conversion:
    """Convert ``amount`` in ``unit`` to Mt/yr.

    Parameters
    ----------
    amount
        The published figure.
    unit
        ``Mt/yr``, ``TEU/yr``, ``wagons/day``, ``trucks/day`` ...; or a bare count (``TEU``,
        ``containers``) with ``period_days``.
    params
        The parameter file (its conversion factors).
    period_days
        For a bare count, the days it covers (330 for 1 January to 26 November).
    which
        Which value of the conversion factors to use.

    Raises
    ------
    InputError
        If the unit is not one of :data:`COUNTS` per ``yr`` or ``day``, or a bare count comes
        without ``period_days``.
    """
    count, per = unit_parts(unit)
    factor = COUNTS[count]
    notes = []
    if isinstance(factor, str):
        table = conversion_factors(params, which)
        t_each = table[factor]
        notes.append(f"x {t_each:g} t/{count.rstrip('s') if count != 'M TEU' else 'M TEU'}")
    else:
        t_each = factor
    if per is None:
        if period_days is None or not period_days > 0:
            raise InputError(f"a figure in {unit!r} needs the number of days it covers")
        per_year = DAYS_PER_YEAR / float(period_days)
        notes.append(f"x 365/{float(period_days):g} d")
        published = f"{amount:g} {count} in {float(period_days):g} days"
    else:
        per_year = DAYS_PER_YEAR / PERIODS[per]
        if per == "day":
            notes.append("x 365 d/yr")
        published = f"{amount:g} {unit}"
    return Conversion(float(amount) * t_each * per_year / 1e6, published, " ".join(notes))
