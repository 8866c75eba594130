"""Resolve place names to node ids: by id, name or alias, case- and accent-insensitive."""

from __future__ import annotations

import copy
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ._cache import derived, invalidate
from ._errors import AmbiguousPlaceError, UnknownPlaceError, closest
from ._schema import as_names, check_graph, check_name
from .network import layer_nodes

__all__ = ["normalize", "places", "resolve_area", "resolve_place", "resolve_places"]


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
    """Three tiers of lookup: ids, names, aliases (incl. names without a bracketed note)."""
    return derived(G, "place_index", _build_index)


def _keys(pid: str, p: Any) -> tuple[str, str, set[str]]:
    """The normalised id, name and aliases (with the name without its bracketed note)."""
    name = str(p.get("name", ""))
    short = _without_note(name)
    aliases = {normalize(str(a)) for a in [short, *(p.get("aliases") or [])]} - {""}
    return normalize(pid), normalize(name), aliases


@functools.lru_cache(maxsize=1 << 16)
def _without_note(name: str) -> str:
    """A name without its bracketed note: ``"Astara (Azerbaijan)"`` -> ``"Astara"``."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def _build_index(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Id, name and alias tiers, then a snapshot of each place's raw name and aliases.

    The snapshot is the cheap check that a hit is still true of the graph.
    """
    tiers: list[dict[str, Any]] = [{}, {}, {}, {}]
    check_graph(G, "places")
    own = place_nodes(G)  # the graph's own attributes (read only): no copies needed here
    for pid, p in sorted(own.items()):
        k_id, k_name, k_aliases = _keys(pid, p)
        tiers[0].setdefault(k_id, set()).add(pid)
        tiers[1].setdefault(k_name, set()).add(pid)
        for key in k_aliases:
            tiers[2].setdefault(key, set()).add(pid)
        tiers[3][pid] = (p.get("name"), tuple(p.get("aliases") or ()))
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
