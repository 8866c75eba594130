"""A sweep's origins and destinations: place names, kinds, regions and country codes resolved."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from .._errors import InputError
from .._validate import as_names, check_graph

__all__ = ["resolve_endpoints"]


def resolve_endpoints(G: nx.MultiDiGraph, specs: Iterable[str], what: str = "origins") -> list[str]:
    """Place ids for a list of place ids or names, kinds (``port``), regions (``caucasus``) ...

    ... or ISO country codes (``IN``), in the order given, each once.

    A kind, region or country stands for its places except chokepoints (sea passages are
    not where cargo starts or ends); a place named on its own is kept whatever its kind.

    Raises
    ------
    InputError
    If the list is empty.
    UnknownPlaceError
    If a name is none of these.
    """
    from ..places import places, resolve_area

    check_graph(G, "sweep")
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
