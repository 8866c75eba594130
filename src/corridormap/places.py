"""Resolve place names to node ids: by id, name or alias, case- and accent-insensitive."""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import AmbiguousPlaceError, UnknownPlaceError, closest
from ._validate import as_names, check_graph, check_name

__all__ = ["normalize", "places", "resolve_place", "resolve_places"]


def normalize(text: str) -> str:
    """Fold case, accents and punctuation: ``'Bandar-e Anzalī'`` -> ``'bandar e anzali'``."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("'", "").replace("\u2019", "").replace("`", "")
    return re.sub(r"[\W_]+", " ", stripped.casefold()).strip()


def places(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Every place in ``G``: ``place id -> properties`` (name, country, kind, lon, lat ...).

    The dictionaries and their lists are copies: changing them leaves ``G`` as it was.
    """
    check_graph(G, "places")
    return {pid: _copy(p) for pid, p in _catalogue(G).items()}


def _copy(props: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v if isinstance(v, str | int | float | bool | None) else copy.deepcopy(v))
        for k, v in props.items()
    }


def _catalogue(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """The places of ``G``, shared and cached: for reading only (see :func:`places`)."""
    return derived(G, "places", _build_places)


def _build_places(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for _, d in G.nodes(data=True):
        pid = d["place"]
        if pid not in out or d.get("layer") == "gate":
            out[pid] = _copy({k: v for k, v in d.items() if k not in ("place", "layer")})
            out[pid]["id"] = pid
    return dict(sorted(out.items()))


def _index(G: nx.MultiDiGraph) -> list[dict[str, set[str]]]:
    """Three tiers of lookup: ids, names, aliases (incl. names without a bracketed note)."""
    return derived(G, "place_index", _build_index)


def _build_index(G: nx.MultiDiGraph) -> list[dict[str, set[str]]]:
    tiers: list[dict[str, set[str]]] = [{}, {}, {}]
    for pid, p in _catalogue(G).items():
        tiers[0].setdefault(normalize(pid), set()).add(pid)
        name = str(p.get("name", ""))
        tiers[1].setdefault(normalize(name), set()).add(pid)
        short = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
        names = [short, *(p.get("aliases") or [])]
        for alias in names:
            key = normalize(str(alias))
            if key:
                tiers[2].setdefault(key, set()).add(pid)
    return tiers


def resolve_places(G: nx.MultiDiGraph, name: str) -> list[str]:
    """All place ids ``name`` means (several for a shared name such as Astara).

    Raises
    ------
    UnknownPlaceError
        If nothing matches; the message suggests the closest names.
    """
    check_graph(G, "resolve_places")
    key = normalize(check_name(name, "the place name"))
    for tier in _index(G):
        if key in tier:
            return sorted(tier[key])
    catalogue = _catalogue(G)
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
        cat = _catalogue(G)
        raise AmbiguousPlaceError(name, [(h, cat[h]["name"], cat[h]["country"]) for h in hits])
    return hits[0]


def resolve_many(G: nx.MultiDiGraph, names: Iterable[str], what: str = "avoid") -> set[str]:
    """Every place id any of ``names`` means (shared names mean all their places)."""
    out: set[str] = set()
    for n in as_names(names, what):
        out.update(resolve_places(G, n))
    return out
