"""Places: the catalogue, their names, and the one resolver of what a text means.

Every analysis turns the names it is given into place ids here: a place by id, name or alias
(case- and accent-insensitive, with the nearest names suggested for a miss), an area (a region
of ``regions.toml``, a country code, a kind of place) as its places, a route's or a flow's end,
a list of origin-destination pairs. The names of places and of the links between them, as
results show them, are stated here too.
"""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from ._cache import derived, invalidate
from ._errors import AmbiguousPlaceError, InputError, UnknownPlaceError, closest
from ._gc import paused
from ._schema import as_names, check_graph, check_name
from .network import layer_nodes

__all__ = [
    "NO_NAME",
    "link_names",
    "normalize",
    "place_attr",
    "place_names",
    "place_nodes",
    "places",
    "resolve_area",
    "resolve_areas",
    "resolve_end",
    "resolve_endpoints",
    "resolve_many",
    "resolve_pairs",
    "resolve_place",
    "resolve_places",
    "short_name",
]


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Fold case, accents and punctuation: ``'Bandar-e Anzalī'`` -> ``'bandar e anzali'``."""
    if text.isascii():
        stripped = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("'", "").replace("\u2019", "").replace("`", "")
    return re.sub(r"[\W_]+", " ", stripped.casefold()).strip()


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
    """
    out: dict[str, Any] = {}
    for _, d in G.nodes(data=True):
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
    return {
        k: (v if isinstance(v, str | int | float | bool | None) else copy.deepcopy(v))
        for k, v in props.items()
    }


def place_attr(G: nx.MultiDiGraph, pid: str, key: str, default: Any = None) -> Any:
    """One property of a place, read from the graph (its gate, else any of its layers)."""
    if pid in G:
        return G.nodes[pid].get(key, default)
    nodes = layer_nodes(G, pid)
    return G.nodes[nodes[0]].get(key, default) if nodes else default


def _index(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Three tiers of lookup: ids, names, aliases (incl. names without a bracketed note).

    Each maps a normalised text to the place ids it means.
    """
    return derived(G, "place_index", _build_index)


@functools.lru_cache(maxsize=1 << 16)
def _without_note(name: str) -> str:
    """A name without its bracketed note: ``"Astara (Azerbaijan)"`` -> ``"Astara"``."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


#: what :func:`normalize` turns into one space, newlines left out (they part texts in a batch)
_NOT_WORD = re.compile(r"(?:[^\w\n]|_)+")
_NOTE = re.compile(r"[^\S\n]*\(.*?\)[^\S\n]*")


def normalize_all(texts: list[str]) -> list[str]:
    """:func:`normalize` of every text, the ASCII ones in one pass over their concatenation.

    Parameters
    ----------
    texts
        The texts.

    Returns
    -------
    list of str
        ``[normalize(t) for t in texts]``.
    """
    big = "\n".join(texts)
    if not big.isascii() or big.count("\n") != len(texts) - 1:
        return [normalize(t) for t in texts]
    big = _NOT_WORD.sub(" ", big.replace("'", "").replace("`", "").lower())
    return [t.strip() for t in big.split("\n")] if texts else []


def _without_notes(names: list[str]) -> list[str]:
    """:func:`_without_note` of every name (one pass when no name holds a newline)."""
    big = "\n".join(names)
    if big.count("\n") != len(names) - 1:
        return [_without_note(n) for n in names]
    return [t.strip() for t in _NOTE.sub(" ", big).split("\n")] if names else []


@paused
def _build_index(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Id, name and alias tiers, then a snapshot of each place's raw name and aliases.

    The snapshot is the cheap check that a hit is still true of the graph. The texts are
    normalised in batches (:func:`normalize_all`): a large network has as many places as
    nodes.
    """
    check_graph(G, "places")
    own = sorted(place_nodes(G).items())  # the graph's own attributes (read only)
    pids = [pid for pid, _ in own]
    names = [str(p.get("name", "")) for _, p in own]
    raw = [p.get("aliases") or () for _, p in own]
    counts = [len(a) for a in raw]
    shorts = normalize_all(_without_notes(names))
    aliases = normalize_all([str(a) for a_s in raw for a in a_s])
    tiers: list[dict[str, Any]] = [{}, {}, {}, {}]
    for tier, keys in ((0, normalize_all(pids)), (1, normalize_all(names))):
        table = tiers[tier]
        for key, pid in zip(keys, pids, strict=True):
            table.setdefault(key, []).append(pid)
    table, at = tiers[2], 0
    for pid, short, n in zip(pids, shorts, counts, strict=True):
        for key in {short, *aliases[at : at + n]} - {""}:
            table.setdefault(key, []).append(pid)
        at += n
    tiers[3] = {pid: (p.get("name"), tuple(a)) for (pid, p), a in zip(own, raw, strict=True)}
    return tiers


def _still_means(G: nx.MultiDiGraph, pid: str, snapshot: dict[str, Any]) -> bool:
    """Whether place ``pid`` still has the name and aliases the index was built from."""
    if pid in G and G.nodes[pid].get("layer") == "gate":
        p = G.nodes[pid]
    else:
        nodes = layer_nodes(G, pid)
        if not nodes:
            return False
        p = G.nodes[nodes[0]]
    return snapshot.get(pid) == (p.get("name"), tuple(p.get("aliases") or ()))


def resolve_places(G: nx.MultiDiGraph, name: str) -> list[str]:
    """All place ids ``name`` means (several for a shared name such as Astara).

    Raises
    ------
    UnknownPlaceError
        If nothing matches; the message suggests the closest names.
    """
    check_graph(G, "resolve_places")
    key = normalize(check_name(name, "the place name"))
    for attempt in range(2):
        index = _index(G)
        for table in index[:3]:
            if key in table:
                hits = sorted(table[key])
                if all(_still_means(G, pid, index[3]) for pid in hits):
                    return hits
                break
        else:
            if attempt == 0:  # a miss may be a name added since: rebuild once to be sure
                invalidate(G, "place_index")
                continue
            break
        invalidate(G, "place_index")
    catalogue = places(G)
    options = {str(p.get("name")): pid for pid, p in catalogue.items()}
    for pid, p in catalogue.items():
        for alias in p.get("aliases") or []:
            options.setdefault(str(alias), pid)
    raise UnknownPlaceError(name, closest(name, list(options), n=3))


def resolve_place(G: nx.MultiDiGraph, name: str) -> str:
    """The one place id ``name`` means.

    Raises
    ------
    UnknownPlaceError
        If nothing matches.
    AmbiguousPlaceError
        If the name is shared by several places; the message lists them with their ids.
    """
    hits = resolve_places(G, name)
    if len(hits) > 1:
        cat = places(G)
        raise AmbiguousPlaceError(name, [(h, cat[h]["name"], cat[h]["country"]) for h in hits])
    return hits[0]


def resolve_many(G: nx.MultiDiGraph, names: Iterable[str], what: str = "avoid") -> set[str]:
    """Every place id any of ``names`` means (shared names mean all their places)."""
    out: set[str] = set()
    for n in as_names(names, what):
        out.update(resolve_places(G, n))
    return out


def resolve_area(G: nx.MultiDiGraph, name: str) -> list[str]:
    """Place ids for a region (``"azerbaijan"``), a country code (``"IR"``) or a place name.

    Regions come from ``regions.toml``; a two-letter code means every place in that country
    except chokepoints (which no cargo starts or ends at), so ``"IR"`` and ``"iran"`` agree;
    anything else is a place name or alias (several places for a shared name).

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
            for p, v in places(G).items()
            if v.get("country") == name.upper() and v.get("kind") != "chokepoint"
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


def resolve_end(G: nx.MultiDiGraph, name: str) -> tuple[str, ...]:
    """The places a flow's end means: the one place ``name`` names, else every place of the area.

    Parameters
    ----------
    G
        The network.
    name
        A place name, id or alias; or, when it names no single place, a region, a country
        code or a name shared by several places (:func:`resolve_area`).

    Returns
    -------
    tuple of str
        One place id, or the area's place ids.

    Raises
    ------
    UnknownPlaceError
        If the text is none of these.
    """
    try:
        return (resolve_place(G, name),)
    except LookupError:
        return tuple(resolve_area(G, name))


def resolve_endpoints(G: nx.MultiDiGraph, specs: Iterable[str], what: str = "origins") -> list[str]:
    """Place ids for a list of place ids or names, kinds (``port``), regions (``caucasus``) ...

    ... or ISO country codes (``IN``), in the order given, each once.

    A kind, region or country stands for its places except chokepoints (sea passages are
    not where cargo starts or ends); a place named on its own is kept whatever its kind.

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
        If the list is empty (or not a list of texts).
    UnknownPlaceError
        If a name is none of these.
    """
    check_graph(G, "resolve_endpoints")
    items = as_names(specs, what)
    if not items:
        raise InputError(f"{what}: give at least one place, kind, region or country code")
    cat = places(G)
    kinds = {str(p.get("kind")) for p in cat.values()}
    out: dict[str, None] = {}
    for spec in items:
        if spec in kinds and spec not in cat:
            hits = [pid for pid, p in cat.items() if p.get("kind") == spec]
        else:
            hits = resolve_area(G, spec)
            if len(hits) > 1:
                hits = [h for h in hits if cat[h].get("kind") != "chokepoint"]
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
    """
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        raise InputError(f"pairs must be a list of (origin, destination), got {pairs!r}")
    out = []
    for item in pairs:
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise InputError(f"each pair must be (origin, destination), got {item!r}")
        o, d = item
        out.append((f"{o} - {d}", resolve_place(G, o), resolve_place(G, d)))
    return out
