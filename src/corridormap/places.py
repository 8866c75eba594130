"""Places: the catalogue, their names, and the one resolver of what a text means.

Every analysis turns the names it is given into place ids here: a place by id, name or alias
(case- and accent-insensitive, with the nearest names suggested for a miss), an area (a region
of ``regions.toml``, a country code, a kind of place) as its places, a route's or a flow's end,
a list of origin-destination pairs. The names of places and of the links between them, as
results show them, are stated here too.

A name that means no place gets the most useful answer there is (:func:`resolve_places` states
the rule): a near-typo of a modelled name suggests that name; a city the network does not model
is named with the nearest modelled places and their distances (the world's cities from
:mod:`corridormap.gazetteer`, read only then). A place that routes only pass through (a
chokepoint) is refused where cargo starts or ends, with the reason.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Sequence
from operator import itemgetter, methodcaller
from typing import Any

import networkx as nx

from ._cache import cached, derived, invalidate
from ._errors import (
    AmbiguousPlaceError,
    InputError,
    NotInServiceError,
    PassThroughPlaceError,
    UnknownPlaceError,
)
from ._gc import paused
from ._place_index import PlaceIndex, without_note
from ._schema import PASS_THROUGH_KINDS, as_names, check_graph, check_name
from ._text import edit_distance, normalize
from .io import haversine_km
from .network import SPEAKERS, layer_nodes

__all__ = [
    "NEAREST",
    "NO_NAME",
    "SAME_PLACE_KM",
    "check_end",
    "end_places",
    "is_end",
    "label_of",
    "labels_of",
    "link_names",
    "normalize",
    "place_attr",
    "place_label",
    "place_labels",
    "place_names",
    "place_nodes",
    "places",
    "resolve_area",
    "resolve_areas",
    "resolve_end",
    "resolve_end_place",
    "resolve_endpoints",
    "resolve_many",
    "resolve_pairs",
    "resolve_place",
    "resolve_places",
    "short_name",
]


#: how many of the nearest modelled places an answer for an unknown name lists
NEAREST = 3
#: the longest text (normalised) searched for near-typos: place names are far shorter, and the
#: edit distance costs the product of the two lengths
MAX_TYPO_KEY = 200
#: a city of the gazetteer this close (km) to the place a near-typo names is that place: the
#: near-typo is what was meant
SAME_PLACE_KM = 50.0


def places(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Every place in ``G``: ``place id -> properties`` (name, country, kind, lon, lat ...).

    Built from the graph on every call, so it shows the graph as it is now; the dictionaries
    and their lists are copies, so changing them leaves ``G`` as it was.
    """
    check_graph(G, "places")
    out: dict[str, dict[str, Any]] = {}
    for pid, d in place_nodes(G).items():
        out[pid] = _copy({k: v for k, v in d.items() if k not in ("place", "layer")})
        out[pid]["id"] = pid
    return dict(sorted(out.items()))


def place_nodes(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Place id -> the data of the node that speaks for it (its gate, else its first layer).

    The graph's own mappings, read only: what :func:`places` copies, at no cost per place.
    A network whose nodes were not added or removed since its build takes the build's list
    of those nodes rather than walking every node (a million-edge network has a third of a
    million).
    """
    speakers = cached(G, SPEAKERS, structure=True)
    if speakers is not None:
        datas = list(map(G._node.__getitem__, speakers))
        try:
            return dict(zip(map(itemgetter("place"), datas), datas, strict=True))
        except KeyError:  # a node's place was deleted in place: walk the nodes as they are
            pass
    out: dict[str, Any] = {}
    datas = G._node.values() if type(G._node) is dict else (d for _, d in G.nodes(data=True))
    for d in datas:
        pid = d.get("place")
        if pid is not None and (pid not in out or d.get("layer") == "gate"):
            out[pid] = d
    return out


#: what :func:`place_names` gives a place whose node carries no name
NO_NAME = object()


def place_names(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Place id -> name, as :func:`places` gives it, without copying (:data:`NO_NAME`: none)."""
    return {pid: d.get("name", NO_NAME) for pid, d in place_nodes(G).items()}


def short_name(name: Any) -> str:
    """A place's label on a map: its name without a bracketed note, unless the note tells ...

    ... places apart (``"Astara (IR)"`` stays, ``"Suez (canal south entrance)"`` is ``"Suez"``).

    Parameters
    ----------
    name
        A place name (``None`` is the empty text).

    Returns
    -------
    str
    """
    text = str(name or "")
    shortened = re.sub(r"\s*\(.*?\)\s*", " ", text).strip()
    note = re.findall(r"\((.*?)\)", text)
    if note and len(note[0]) <= 3:  # "Astara (IR)" stays, "Suez (canal south entrance)" not
        return text
    return shortened or text


def link_names(G: nx.MultiDiGraph) -> dict[str, str]:
    """Link id -> ``"<from place> - <to place> (<mode>)"``, every link of ``G``.

    Built once per network structure (cached with the graph).

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    dict
        In the graph's edge order; the ends are the link's own ``from``/``to`` where the
        edges carry them.
    """
    return derived(G, "link_names", _build_link_names, structure=True)


def _sorted_place_names(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Place id -> name, sorted by id, cached like :func:`link_names`."""
    return derived(G, "place_names", _build_sorted_place_names, structure=True)


def _build_sorted_place_names(G: nx.MultiDiGraph) -> dict[str, Any]:
    """As ``{pid: p["name"] for pid, p in places(G).items()}``, without copying every place."""
    check_graph(G, "places")
    return dict(sorted(place_names(G).items()))


@paused
def _build_link_names(G: nx.MultiDiGraph) -> dict[str, str]:
    names = _sorted_place_names(G)
    out: dict[str, str] = {}
    for _, _, d in G.edges(data=True):
        lid = d.get("link_id")
        if lid is not None and lid not in out:
            a, b = d["u_place"], d["v_place"]
            if "from" in d and "to" in d:
                a, b = d["from"], d["to"]
            out[lid] = f"{names[a]} - {names[b]} ({d['mode']})"
    return out


def _copy(props: dict[str, Any]) -> dict[str, Any]:
    """A place's properties to hand out: its own to change (the network's tuples as lists)."""
    return {
        k: (
            v
            if isinstance(v, str | int | float | bool | None)
            else list(v)
            if type(v) is tuple
            else copy.deepcopy(v)
        )
        for k, v in props.items()
    }


def place_labels(G: nx.MultiDiGraph) -> dict[str, tuple[str, str]]:
    """Place id -> ``(name, country)`` as a route shows them, for the places asked so far.

    Kept once per network structure (cached with the graph, like the compiled export) and
    filled by :func:`label_of`: a route names a few places, not the million of a large
    network.
    """
    return derived(G, "place_labels", _no_labels, structure=True)


def _no_labels(G: nx.MultiDiGraph) -> dict[str, tuple[str, str]]:
    return {}


def label_of(G: nx.MultiDiGraph, pid: str) -> tuple[str, str]:
    """:func:`place_label` of a place, read once per network structure (:func:`place_labels`)."""
    return labels_of(G, [pid])[pid]


def labels_of(G: nx.MultiDiGraph, pids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """:func:`label_of` of each of ``pids``: place id -> ``(name, country)``."""
    labels = place_labels(G)
    out = {}
    for pid in pids:
        got = labels.get(pid)
        if got is None:
            got = labels[pid] = place_label(G, pid)
        out[pid] = got
    return out


def place_label(G: nx.MultiDiGraph, pid: str) -> tuple[str, str]:
    """``(name, country)`` of one place, read from the graph now (:func:`place_attr`)."""
    return str(place_attr(G, pid, "name", pid)), str(place_attr(G, pid, "country", "") or "")


def place_attr(G: nx.MultiDiGraph, pid: str, key: str, default: Any = None) -> Any:
    """One property of a place, read from the graph (its gate, else any of its layers)."""
    if pid in G:
        return G.nodes[pid].get(key, default)
    nodes = layer_nodes(G, pid)
    return G.nodes[nodes[0]].get(key, default) if nodes else default


def _index(G: nx.MultiDiGraph) -> PlaceIndex:
    """The place index of ``G`` (:class:`corridormap._place_index.PlaceIndex`), made once."""
    return derived(G, "place_index", _build_index)


@paused
def _build_index(G: nx.MultiDiGraph) -> PlaceIndex:
    """The place index: every place's id, name and aliases as the graph has them now."""
    check_graph(G, "places")
    own = place_nodes(G)  # the graph's own attributes (read only)
    datas = list(own.values())
    names = list(map(methodcaller("get", "name", NO_NAME), datas))
    aliases = list(map(methodcaller("get", "aliases"), datas))
    return PlaceIndex(list(own), names, aliases, NO_NAME)


def _still_means(G: nx.MultiDiGraph, pid: str, snapshot: tuple[Any, Any]) -> bool:
    """Whether place ``pid`` still has the name and aliases (``snapshot``) the index was made of."""
    if pid in G and G.nodes[pid].get("layer") == "gate":
        p = G.nodes[pid]
    else:
        nodes = layer_nodes(G, pid)
        if not nodes:
            return False
        p = G.nodes[nodes[0]]
    return snapshot == (p.get("name"), tuple(p.get("aliases") or ()))


def resolve_places(G: nx.MultiDiGraph, name: str) -> list[str]:
    """All place ids ``name`` means (several for a shared name such as Astara).

    A name is matched by id, name (with or without its bracketed note) or alias, ignoring case,
    accents and punctuation. A name that matches none gets the most useful answer there is:

    1. a **near-typo** is a modelled name or alias at most one edit per four characters away
       (``'Mumbay'`` -> ``'Mumbai'``, ``'Bandar Abas'`` -> ``'Bandar Abbas'``; an edit
       inserts, deletes, replaces or swaps a character; names under four characters, or over
       :data:`MAX_TYPO_KEY`, have none);
    2. a **city** is one of the world's cities of over 15,000 people (GeoNames, by any of its
       names: ``'Ulaanbaatar'``, ``'Улан-Батор'``), the most populous when several share the
       name;
    3. a near-typo of a place within :data:`SAME_PLACE_KM` of that city, or a near-typo with no
       city, is suggested ("did you mean 'Mumbai'?"); a city otherwise is named with the
       :data:`NEAREST` places the network models nearest to it where cargo can start or end,
       great-circle distances, nearest first, and any near-typo after them ("'Pori' (FI) is not
       in the network; the nearest modelled places are St Petersburg (…) ...; or did you mean
       'Poti'?"); with neither, the message says so.

    Raises
    ------
    UnknownPlaceError
        If nothing matches; the message is worked out when first read, so code that only asks
        whether a name is known never reads the gazetteer.
    """
    check_graph(G, "resolve_places")
    key = normalize(check_name(name, "the place name"))
    for attempt in range(2):
        index = _index(G)
        for tier in range(3):
            found = index.find(tier, key)
            if found is not None:
                hits = sorted(index.pids[i] for i in found)
                if all(_still_means(G, index.pids[i], index.snapshot(i)) for i in found):
                    return hits
                break
        else:
            if attempt == 0:  # a miss may be a name added since: rebuild once to be sure
                invalidate(G, "place_index")
                continue
            break
        invalidate(G, "place_index")
    _refuse_withheld(G, name, key)
    raise _unknown(G, name, key)


def _unknown(G: nx.MultiDiGraph, name: str, key: str) -> UnknownPlaceError:
    """The error for a name that means no place: near-typos now, the gazetteer when read."""
    typos = _near_typos(G, key)
    ends = _end_points(G)
    if not ends:  # nothing to measure a city against: the near-typos are all there is to say
        return UnknownPlaceError(name, [t for _, t, _ in typos])
    return UnknownPlaceError(name, explain=functools.partial(_explain_unknown, name, typos, ends))


def _near_typos(G: nx.MultiDiGraph, key: str) -> list[tuple[int, str, str]]:
    """``(edits, name, place id)``: the near-typos of ``key``, the closest name per place.

    At most one edit per four characters of ``key``; fewest edits first, then by name; at most
    three places.
    """
    allowed = len(key) // 4
    if allowed == 0 or len(key) > MAX_TYPO_KEY:
        return []
    best: dict[str, tuple[int, str]] = {}
    for pid, p in place_nodes(G).items():
        name = str(p.get("name", ""))
        for text in (name, without_note(name), *(str(a) for a in p.get("aliases") or ())):
            d = edit_distance(key, normalize(text), allowed)
            if d <= allowed and (pid not in best or (d, text) < best[pid]):
                best[pid] = (d, text)
    return sorted((d, text, pid) for pid, (d, text) in best.items())[:3]


def _end_points(G: nx.MultiDiGraph) -> tuple[tuple[str, str, float, float], ...]:
    """``(place id, short name, lon, lat)`` of every place cargo can start or end at."""
    out = []
    for pid, p in place_nodes(G).items():
        if p.get("kind") not in PASS_THROUGH_KINDS and "x" in p and "y" in p:
            out.append((pid, short_name(p.get("name", pid)), float(p["x"]), float(p["y"])))
    return tuple(sorted(out))


def _nearest(
    ends: Iterable[tuple[str, str, float, float]], lon: float, lat: float, n: int = NEAREST
) -> list[tuple[str, str, float]]:
    """``(place id, name, km)`` of the ``n`` places of ``ends`` nearest ``(lon, lat)``.

    A place within :data:`SAME_PLACE_KM` of one already listed is passed over (a port and its
    railway station, the two sides of a border crossing), so the list shows where the network
    reaches, not one spot three times.
    """
    scored = sorted((haversine_km((lon, lat), (x, y)), pid, nm, x, y) for pid, nm, x, y in ends)
    out: list[tuple[str, str, float]] = []
    kept: list[tuple[float, float]] = []
    for km, pid, nm, x, y in scored:
        if any(haversine_km((x, y), k) <= SAME_PLACE_KM for k in kept):
            continue
        out.append((pid, nm, km))
        kept.append((x, y))
        if len(out) == n:
            break
    return out


def _km(km: float) -> str:
    """``12 km``, ``1,880 km``: whole km below 100, tens of km above."""
    return f"{km:,.0f} km" if km < 100 else f"{round(km, -1):,.0f} km"


def _listing(nearest: list[tuple[str, str, float]]) -> str:
    """``"A (12 km), B (40 km) and C (1,880 km)"``."""
    items = [f"{nm} ({_km(km)})" for _, nm, km in nearest]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _explain_unknown(
    name: str,
    typos: list[tuple[int, str, str]],
    ends: tuple[tuple[str, str, float, float], ...],
) -> tuple[str, list[str], dict[str, Any]]:
    """The message, suggestions and details of :func:`_unknown`'s error (reads the gazetteer)."""
    from .gazetteer import MIN_POPULATION, cities_named

    found = cities_named(name)
    hints = [t for _, t, _ in typos]
    if not found:
        if hints:
            return _did_you_mean(name, hints), hints, {}
        return (
            f"no place {name!r}: neither a modelled place nor one of the world's cities of "
            f"over {MIN_POPULATION:,} people",
            [],
            {},
        )
    city = found[0]
    where = {pid: (x, y) for pid, _, x, y in ends}
    if any(
        pid in where and haversine_km(where[pid], (city.lon, city.lat)) <= SAME_PLACE_KM
        for _, _, pid in typos
    ):
        return _did_you_mean(name, hints), hints, {"city": city}
    nearest = _nearest(ends, city.lon, city.lat)
    label = (
        city.country if normalize(city.name) == normalize(name) else f"{city.name}, {city.country}"
    )
    if len(found) > 1:
        countries = sorted({c.country for c in found[1:]})
        where = f"all in {city.country}" if countries == [city.country] else "the others in "
        if countries != [city.country]:
            where += ", ".join(countries)
        label += f"; the largest of {len(found)} cities of that name, {where}"
    msg = (
        f"{name!r} ({label}) is not in the network; the nearest modelled places are "
        f"{_listing(nearest)}"
    )
    if hints:
        msg += "; or did you mean " + ", ".join(repr(h) for h in hints) + "?"
    suggestions = [nm for _, nm, _ in nearest] + hints
    return msg, suggestions, {"city": city, "others": found[1:], "nearest": nearest}


def _did_you_mean(name: str, hints: list[str]) -> str:
    return f"no place {name!r}; did you mean " + ", ".join(repr(h) for h in hints) + "?"


def _refuse_withheld(G: nx.MultiDiGraph, name: str, key: str) -> None:
    """Raise if ``key`` (normalised) names a place the network of a date leaves out.

    Raises
    ------
    NotInServiceError
        Naming the place, the network's date and why (its ``opened`` or ``closed``).
    """
    record = G.graph.get("as_of") or {}
    for pid, item in (record.get("withheld") or {}).items():
        if item.get("kind") != "place":
            continue
        keys = {normalize(pid), normalize(item["name"]), *map(normalize, item["aliases"])}
        if key in keys:
            raise NotInServiceError(
                f"{item['name']} ({pid}) is not in service on the network as of "
                f"{record['date']}: {item['why']}",
                name=name,
            )


def resolve_place(G: nx.MultiDiGraph, name: str) -> str:
    """The one place id ``name`` means.

    Raises
    ------
    UnknownPlaceError
        If nothing matches (:func:`resolve_places` says what the message suggests).
    AmbiguousPlaceError
        If the name is shared by several places; the message lists them with their ids.
    """
    hits = resolve_places(G, name)
    if len(hits) > 1:
        own = place_nodes(G)
        listed = [(h, own[h].get("name"), own[h].get("country")) for h in hits]
        raise AmbiguousPlaceError(name, listed)
    return hits[0]


def is_end(G: nx.MultiDiGraph, pid: str) -> bool:
    """Whether cargo can start or end at place ``pid``: every kind but a pass-through one.

    A chokepoint (a sea passage) is passed through on the way; the network gives it no gate.
    """
    return place_attr(G, pid, "kind") not in PASS_THROUGH_KINDS


def end_places(G: nx.MultiDiGraph) -> list[str]:
    """Every place of ``G`` cargo can start or end at (:func:`is_end`), sorted by id."""
    check_graph(G, "end_places")
    return sorted(
        pid for pid, d in place_nodes(G).items() if d.get("kind") not in PASS_THROUGH_KINDS
    )


def resolve_end_place(G: nx.MultiDiGraph, name: str, what: str = "origin") -> str:
    """The one place ``name`` means, as a route's origin or destination.

    Parameters
    ----------
    G
        The network.
    name
        A place name, id or alias.
    what
        Its role, for the message (``"origin"``, ``"destination"``).

    Returns
    -------
    str
        The place id.

    Raises
    ------
    UnknownPlaceError, AmbiguousPlaceError
        As :func:`resolve_place`.
    PassThroughPlaceError
        If the place is one routes only pass through (a chokepoint); the message gives the
        reason and the nearest places that can be an origin or destination.
    """
    pid = resolve_place(G, name)
    check_end(G, pid, what, name)
    return pid


def check_end(G: nx.MultiDiGraph, pid: str, what: str = "origin", name: str | None = None) -> None:
    """Refuse place ``pid`` as ``what`` if cargo cannot start or end there (:func:`is_end`).

    Parameters
    ----------
    G
        The network.
    pid
        A place id.
    what
        Its role, for the message.
    name
        The text that named it, when it was not the id.

    Raises
    ------
    PassThroughPlaceError
        With the reason and the nearest places that can be ``what``.
    """
    kind = place_attr(G, pid, "kind")
    if kind not in PASS_THROUGH_KINDS:
        return
    pname = short_name(place_attr(G, pid, "name", pid))
    given = pid if name is None else name
    said = repr(given) if normalize(str(given)) == normalize(pname) else f"{given!r} ({pname})"
    msg = f"{what} {said} is a {kind}, {PASS_THROUGH_KINDS[kind]}"
    x, y = place_attr(G, pid, "x"), place_attr(G, pid, "y")
    ends = _end_points(G)
    if x is not None and y is not None and ends:
        article = "an" if what[:1] in ("a", "e", "i", "o", "u") else "a"
        msg += f"; the nearest places that can be {article} {what} are "
        msg += _listing(_nearest(ends, float(x), float(y)))
    raise PassThroughPlaceError(msg, place=pid, kind=str(kind), role=what)


def resolve_many(G: nx.MultiDiGraph, names: Iterable[str], what: str = "avoid") -> set[str]:
    """Every place id any of ``names`` means (shared names mean all their places)."""
    out: set[str] = set()
    for n in as_names(names, what):
        out.update(resolve_places(G, n))
    return out


def resolve_area(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Place ids for a region (``"azerbaijan"``), a country code (``"IR"``) or a place name.

    Regions come from ``regions.toml``; a two-letter code means every place in that country
    except the pass-through ones (chokepoints, where no cargo starts or ends), so ``"IR"`` and
    ``"iran"`` agree; anything else is a place name or alias (several places for a shared name).

    Raises
    ------
    UnknownPlaceError
        If the text is none of these.
    """
    check_graph(G, "resolve_area")
    name = check_name(name, "the place, region or country")
    regions = G.graph.get("regions") or {}
    key = normalize(name)
    for region, ids in regions.items():
        if normalize(region) == key:
            return sorted(ids)
    if len(name) == 2 and name.isalpha():
        # a country is the places cargo can start or end at there: chokepoints (straits and
        # capes at sea) are not, so "IR" means the same places as the region "iran"
        hits = [
            p
            for p, v in place_nodes(G).items()
            if v.get("country") == name.upper() and v.get("kind") not in PASS_THROUGH_KINDS
        ]
        if hits:
            return sorted(hits)
    return resolve_places(G, name)


def resolve_areas(G: nx.MultiDiGraph, specs: str | Iterable[str]) -> list[str]:
    """Place ids for one or several regions, country codes or place names.

    Parameters
    ----------
    G
        The network.
    specs
        A region (``"russia"``), an ISO country code (``"IR"``), a place name or id, or a
        list of them (each as :func:`resolve_area` reads it).

    Returns
    -------
    list of str
        Every place any of them means, sorted, each once.

    Raises
    ------
    UnknownPlaceError
        If a text is none of these.
    """
    items = [specs] if isinstance(specs, str) else list(specs)
    out: list[str] = []
    for item in items:
        out += resolve_area(G, item)
    return sorted(set(out))


def resolve_end(G: nx.MultiDiGraph, name: str, what: str = "flow end") -> tuple[str, ...]:
    """The places a flow's end means: the one place ``name`` names, else every place of the area.

    Parameters
    ----------
    G
        The network.
    name
        A place name, id or alias; or, when it names no single place, a region, a country
        code or a name shared by several places (:func:`resolve_area`).
    what
        Its role, for the messages (``"origin"``).

    Returns
    -------
    tuple of str
        One place id, or the area's place ids where cargo can start or end (chokepoints left
        out).

    Raises
    ------
    UnknownPlaceError
        If the text is none of these.
    PassThroughPlaceError
        If it names a chokepoint (or an area of nothing else).
    """
    try:
        pid = resolve_place(G, name)
    except LookupError:
        return _ends_of(G, resolve_area(G, name), what, name)
    check_end(G, pid, what, name)
    return (pid,)


def _ends_of(G: nx.MultiDiGraph, hits: Sequence[str], what: str, name: str) -> tuple[str, ...]:
    """``hits`` without the pass-through places; refused if nothing is left."""
    ends = tuple(h for h in hits if is_end(G, h))
    if hits and not ends:
        check_end(G, hits[0], what, name)
    return ends


def resolve_endpoints(G: nx.MultiDiGraph, specs: Iterable[str], what: str = "origins") -> list[str]:
    """Place ids for a list of place ids or names, kinds (``port``), regions (``caucasus``) ...

    ... or ISO country codes (``IN``), in the order given, each once.

    Every one is a place cargo can start or end at: a kind, region or country stands for its
    places except chokepoints (sea passages are not where cargo starts or ends), and a
    chokepoint named on its own is refused.

    Parameters
    ----------
    G
        The network.
    specs
        The texts.
    what
        The argument's name, for the messages (``"origins"``).

    Returns
    -------
    list of str

    Raises
    ------
    InputError
        If the list is empty (or not a list of texts), or names a pass-through kind.
    UnknownPlaceError
        If a name is none of these.
    PassThroughPlaceError
        If a name means a chokepoint.
    """
    check_graph(G, "resolve_endpoints")
    items = as_names(specs, what)
    if not items:
        raise InputError(f"{what}: give at least one place, kind, region or country code")
    own = place_nodes(G)
    kinds = {str(p.get("kind")) for p in own.values()}
    role = what[:-1] if what.endswith("s") else what  # "origins" -> each is an "origin"
    out: dict[str, None] = {}
    for spec in items:
        if spec in kinds and spec not in own:
            if spec in PASS_THROUGH_KINDS:
                raise InputError(f"{what}: {spec!r}: each is {PASS_THROUGH_KINDS[spec]}")
            hits: Sequence[str] = sorted(pid for pid, p in own.items() if p.get("kind") == spec)
        else:
            hits = _ends_of(G, resolve_area(G, spec), role, spec)
        for h in hits:
            out.setdefault(h, None)
    return list(out)


def resolve_pairs(G: nx.MultiDiGraph, pairs: Any) -> list[tuple[str, str, str]]:
    """Origin-destination pairs as ``(label, origin id, destination id)``.

    Parameters
    ----------
    G
        The network.
    pairs
        ``(origin, destination)`` place names or ids.

    Returns
    -------
    list of tuple
        ``("<origin> - <destination>", origin id, destination id)`` per pair, the label as
        the pair was written.

    Raises
    ------
    InputError
        If ``pairs`` is not a list of pairs.
    UnknownPlaceError, AmbiguousPlaceError
        If a name does not mean exactly one place.
    PassThroughPlaceError
        If a name means a chokepoint (no cargo starts or ends there).
    """
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        raise InputError(f"pairs must be a list of (origin, destination), got {pairs!r}")
    out = []
    for item in pairs:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise InputError(f"each pair must be (origin, destination), got {item!r}")
        o, d = item
        o_id = resolve_end_place(G, o, "origin")
        out.append((f"{o} - {d}", o_id, resolve_end_place(G, d, "destination")))
    return out
