"""What a network models and what it does not, read from the network itself.

:func:`coverage` lists the places by country and kind, the corridor branches with the countries
they cross, the named regions and the chokepoints; and, from the world's cities
(:mod:`corridormap.gazetteer`), the largest cities of those countries that no modelled place
stands for, and the bordering countries the network does not reach, each with its nearest
modelled place. README's "Coverage" section is :meth:`Coverage.to_markdown` of the bundled
network (``scripts/readme_coverage.py`` writes it; a test checks it is current).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from ._schema import MODES, NODE_KINDS, PASS_THROUGH_KINDS, check_graph
from .io import haversine_km
from .places import SAME_PLACE_KM, is_end, place_nodes, resolve_places, short_name

__all__ = ["Coverage", "Nearest", "coverage"]

#: how a kind of place is named in the lists, plural
KIND_WORDS = {
    "port": "ports",
    "city": "cities",
    "rail_station": "rail stations",
    "dry_port": "dry ports",
    "border_crossing": "border crossings",
    "chokepoint": "chokepoints",
}


@dataclass(frozen=True)
class Nearest:
    """A city or country the network does not model, and the modelled place nearest to it.

    Attributes
    ----------
    name
        The city, or the country.
    country
        ISO code.
    population
        The city's, as GeoNames gives it.
    place, place_name
        The nearest modelled place cargo can start or end at: its id and short name.
    km
        The great-circle distance to it.
    capital
        For a country, the capital it is measured from (else empty).
    """

    name: str
    country: str
    population: int
    place: str
    place_name: str
    km: float
    capital: str = ""


@dataclass(frozen=True)
class Coverage:
    """What a network models, and the nearest alternative for what it does not.

    Attributes
    ----------
    countries
        ``code -> name`` of every country with a modelled place (GeoNames' names).
    places
        ``country code -> kind -> [short names]`` of every place, sorted.
    links
        ``mode -> number of links``.
    branches
        ``branch -> (number of links, country codes crossed)``, for the link property
        ``branch``.
    regions
        ``region -> number of places`` (``regions.toml``).
    unmodelled_cities
        The largest cities of the countries with a place cargo can start or end at that no
        such place stands for (by name or alias, or lying within
        :data:`~corridormap.places.SAME_PLACE_KM`), each with its nearest one.
    unreached_neighbours
        The countries bordering those that have no modelled place, measured from their
        capital, each with its nearest modelled place.
    min_population, per_country
        The thresholds the two lists were drawn with.
    """

    countries: dict[str, str]
    places: dict[str, dict[str, list[str]]]
    links: dict[str, int]
    branches: dict[str, tuple[int, tuple[str, ...]]]
    regions: dict[str, int]
    unmodelled_cities: list[Nearest] = field(default_factory=list)
    unreached_neighbours: list[Nearest] = field(default_factory=list)
    min_population: int = 1_000_000
    per_country: int = 3

    @property
    def n_places(self) -> int:
        """How many places are modelled."""
        return sum(len(v) for kinds in self.places.values() for v in kinds.values())

    def kinds(self) -> list[str]:
        """Every kind of place the network has, in the schema's order."""
        have = {k for kinds in self.places.values() for k in kinds}
        return [k for k in NODE_KINDS if k in have] + sorted(have - set(NODE_KINDS))

    def to_dict(self) -> dict[str, Any]:
        """The coverage as plain data (JSON-ready)."""
        return {
            "countries": dict(self.countries),
            "places": {c: {k: list(v) for k, v in ks.items()} for c, ks in self.places.items()},
            "links": dict(self.links),
            "branches": {
                b: {"links": n, "countries": list(cc)} for b, (n, cc) in self.branches.items()
            },
            "regions": dict(self.regions),
            "unmodelled_cities": [vars(x) for x in self.unmodelled_cities],
            "unreached_neighbours": [vars(x) for x in self.unreached_neighbours],
        }

    def to_markdown(self) -> str:
        """The README's coverage lists: modelled places by country, corridors, gaps."""
        n_links = sum(self.links.values())
        by_mode = ", ".join(f"{n} {m}" for m, n in self.links.items())
        lines = [
            f"**Modelled**: {self.n_places} places in {len(self.places)} countries and "
            f"{n_links} links ({by_mode}).",
            "",
            "Places by country and kind (chokepoints are passed through, never an origin or a "
            "destination):",
            "",
        ]
        for code in sorted(self.places, key=lambda c: (self.countries.get(c, c), c)):
            kinds = self.places[code]
            parts = [
                f"{KIND_WORDS.get(k, k)} {', '.join(kinds[k])}" for k in self.kinds() if k in kinds
            ]
            lines.append(f"- **{self.countries.get(code, code)}** ({code}): {'; '.join(parts)}")
        lines += ["", "Corridor branches (the links' `branch`), with the countries they cross:", ""]
        for b, (n, cc) in self.branches.items():
            lines.append(f"- `{b}`: {n} links; {', '.join(cc)}")
        if self.regions:
            named = ", ".join(f"`{r}` ({n})" for r, n in self.regions.items())
            lines += ["", f"Named regions (`regions.toml`, places in each): {named}."]
        lines += [
            "",
            f"**Not modelled**: the largest cities of those countries (over "
            f"{self.min_population:,} people, at most {self.per_country} a country) that no "
            f"modelled place is named after or lies within {SAME_PLACE_KM:.0f} km of, each with "
            "the nearest modelled place:",
            "",
        ]
        lines += [_nearest_line(x) for x in self.unmodelled_cities] or ["- none"]
        lines += [
            "",
            "Bordering countries with no modelled place, measured from their capital to the "
            "nearest modelled place:",
            "",
        ]
        lines += [_nearest_line(x) for x in self.unreached_neighbours] or ["- none"]
        return "\n".join(lines) + "\n"


def _nearest_line(x: Nearest) -> str:
    start = f"{x.name} ({x.country}), from {x.capital}" if x.capital else f"{x.name} ({x.country})"
    return f"- {start}: {x.place_name}, {_km(x.km)}"


def _km(km: float) -> str:
    return f"{km:,.0f} km" if km < 100 else f"{round(km, -1):,.0f} km"


def coverage(
    G: nx.MultiDiGraph, *, min_population: int = 1_000_000, per_country: int = 3
) -> Coverage:
    """What ``G`` models, and the nearest modelled place to what it does not.

    Parameters
    ----------
    G
        The network.
    min_population
        Cities of at least this many people are listed when no modelled place stands for them.
    per_country
        The most such cities listed for one country (the largest first).

    Returns
    -------
    Coverage
    """
    from ._text import normalize
    from .gazetteer import cities_in, countries

    check_graph(G, "coverage")
    own = place_nodes(G)
    places: dict[str, dict[str, list[str]]] = {}
    ends: list[tuple[str, str, float, float]] = []
    served: set[str] = set()  # the countries with a place cargo can start or end at
    for pid, p in own.items():
        kind, country = str(p.get("kind")), str(p.get("country"))
        name = short_name(p.get("name", pid))
        places.setdefault(country, {}).setdefault(kind, []).append(name)
        if kind not in PASS_THROUGH_KINDS:
            ends.append((pid, name, float(p["x"]), float(p["y"])))
            served.add(country)
    for kinds in places.values():
        for names in kinds.values():
            names.sort(key=str.casefold)
    world = countries()
    names = {c: world[c].name if c in world else c for c in places}
    links, branches = _links(G, own)
    regions = {r: len(ids) for r, ids in sorted((G.graph.get("regions") or {}).items())}

    unmodelled: list[Nearest] = []
    taken: Counter[str] = Counter()
    for city in cities_in(served, min_population):
        if taken[city.country] >= per_country:
            continue
        near = _nearest(ends, city.lon, city.lat)
        if near is not None and near[2] > SAME_PLACE_KM and not _named(G, city.name):
            unmodelled.append(Nearest(city.name, city.country, city.population, *near))
            taken[city.country] += 1
    unmodelled.sort(key=lambda x: (names.get(x.country, x.country), -x.population))

    unreached: list[Nearest] = []
    bordering = {n for c in served if c in world for n in world[c].neighbours} - set(places)
    capitals = {
        (c.country, normalize(c.name)): c for c in reversed(cities_in(bordering, 0))
    }  # the most populous city of a name in a country wins
    for code in sorted(bordering, key=lambda c: world[c].name if c in world else c):
        country = world.get(code)
        capital = capitals.get((code, normalize(country.capital))) if country else None
        near = None if capital is None else _nearest(ends, capital.lon, capital.lat)
        if country is not None and capital is not None and near is not None:
            unreached.append(Nearest(country.name, code, capital.population, *near, capital.name))
    return Coverage(
        countries=names,
        places=places,
        links=links,
        branches=branches,
        regions=regions,
        unmodelled_cities=unmodelled,
        unreached_neighbours=unreached,
        min_population=min_population,
        per_country=per_country,
    )


def _named(G: nx.MultiDiGraph, name: str) -> bool:
    """Whether a place cargo can start or end at has ``name`` as its name or an alias."""
    try:
        return any(is_end(G, pid) for pid in resolve_places(G, name))
    except LookupError:  # the message, and the gazetteer behind it, is never read
        return False


def _links(
    G: nx.MultiDiGraph, own: dict[str, Any]
) -> tuple[dict[str, int], dict[str, tuple[int, tuple[str, ...]]]]:
    """Links by mode (the schema's order), and each branch's links and countries crossed."""
    seen: dict[str, dict[str, Any]] = {}
    for _, _, d in G.edges(data=True):
        lid = d.get("link_id")
        if d.get("kind") == "link" and lid is not None and lid not in seen:
            seen[lid] = d
    modes = Counter(str(d.get("mode")) for d in seen.values())
    links = {m: modes[m] for m in (*MODES, *sorted(set(modes) - set(MODES))) if modes[m]}
    count: Counter[str] = Counter()
    crossed: dict[str, set[str]] = {}
    for d in seen.values():
        for b in d.get("branch") or ():
            count[str(b)] += 1
            crossed.setdefault(str(b), set()).update(_countries(d, own))
    branches = {b: (count[b], tuple(sorted(crossed[b] - {"INT"}))) for b in sorted(count)}
    return links, branches


def _countries(d: dict[str, Any], own: dict[str, Any]) -> Iterable[str]:
    """The countries a link touches: its ``country`` (``RU/AZ``) and its two ends' countries."""
    out = set(str(d["country"]).split("/")) if d.get("country") else set()
    for end in (d.get("u_place"), d.get("v_place")):
        if end in own and own[end].get("country"):
            out.add(str(own[end]["country"]))
    return out


def _nearest(
    ends: list[tuple[str, str, float, float]], lon: float, lat: float
) -> tuple[str, str, float] | None:
    best = min(
        ((haversine_km((lon, lat), (x, y)), pid, nm) for pid, nm, x, y in ends), default=None
    )
    return None if best is None else (best[1], best[2], best[0])
