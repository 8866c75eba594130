"""Route families: which crossings each family closes, and its route.

A route family (INSTC western, Trans-Caspian, eastern; Suez; Cape) is the network with the
other families' crossings closed: some links, places or modes. The families of a geodata
directory are in its ``families.toml`` (the bundled ones when it has none), with the
``reference`` family the INSTC is measured against. A family's route is the best route on the
network as the family sees it: the least expected time (or cost) on the clock asked for, the
route :func:`corridormap.route` finds with the family's weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import GeodataError, InputError, NoRouteError, closest
from ._schema import MODES, as_names, show
from .io import data_file, read_toml
from .routing import Route, route
from .weights import Weight

__all__ = [
    "FAMILIES",
    "Families",
    "Family",
    "family_routes",
    "family_weight",
    "load_families",
    "network_families",
    "resolve_families",
]


@dataclass(frozen=True)
class Family:
    """A family of routes: the network with some links, places or modes closed."""

    name: str
    label: str
    description: str
    close_links: tuple[str, ...] = ()
    close_places: tuple[str, ...] = ()
    close_modes: tuple[str, ...] = ()
    instc: bool = True
    source: str = ""


@dataclass(frozen=True)
class Families:
    """The route families of a geodata directory and the ``reference`` family.

    The reference is the sea family the INSTC is measured against.
    """

    families: tuple[Family, ...]
    reference: str | None


#: the keys a ``[[family]]`` table may hold
_FAMILY_KEYS = {
    "name",
    "label",
    "description",
    "instc",
    "close_links",
    "close_places",
    "close_modes",
    "source",
}


def load_families(directory: Any = None) -> Families:
    """Read ``families.toml`` from a geodata directory (default: the bundled one).

    Each ``[[family]]`` is checked: a unique non-empty ``name``; ``label``, ``description``
    and ``source`` texts; ``instc`` true or false; ``close_links`` / ``close_places`` lists
    of ids and ``close_modes`` a list of modes; no other key. ``reference`` names a family
    that is not an INSTC branch. At least one family is defined.

    Raises
    ------
    GeodataError
        Naming the file, the family and the field at fault.
    """
    path = data_file(directory, "families.toml")
    doc = read_toml(path)
    file = path.name
    extra = sorted(set(doc) - {"family", "reference"})
    if extra:
        raise GeodataError(
            f"unknown key {extra[0]!r}; expected family and reference", file=file, field=extra[0]
        )
    rows = doc.get("family")
    if not isinstance(rows, list) or not rows:
        raise GeodataError(
            f"defines no route family (give [[family]] tables), got {show(rows, 60)}",
            file=file,
            field="family",
        )
    fams: list[Family] = []
    for i, row in enumerate(rows):
        fam = _family(row, file, i)
        twin = next((f for f in fams if f.name == fam.name), None)
        if twin is not None:
            raise GeodataError(
                f"two families are named {fam.name!r} (family {fams.index(twin) + 1} and "
                f"family {i + 1}); the second would hide the first",
                file=file,
                feature=fam.name,
                field="name",
            )
        fams.append(fam)
    ref = doc.get("reference")
    if ref is not None:
        by_name = {f.name: f for f in fams}
        if not isinstance(ref, str) or ref not in by_name:
            raise GeodataError(
                f"names no family ({show(ref, 60)}); the families are {', '.join(by_name)}",
                file=file,
                field="reference",
            )
        if by_name[ref].instc:
            raise GeodataError(
                f"{ref!r} is an INSTC branch (instc = true); the reference is the sea route the "
                "INSTC is measured against",
                file=file,
                field="reference",
            )
    return Families(tuple(fams), ref)


def _family(row: Any, file: str, i: int) -> Family:
    """One ``[[family]]`` table as a :class:`Family`, checked (see :func:`load_families`)."""
    if not isinstance(row, dict):
        raise GeodataError("must be a table", file=file, feature=f"family[{i}]")
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GeodataError("needs a name (a text)", file=file, feature=f"family[{i}]", field="name")
    extra = sorted(set(row) - _FAMILY_KEYS)
    if extra:
        raise GeodataError(
            f"unknown key; expected {', '.join(sorted(_FAMILY_KEYS))}",
            file=file,
            feature=name,
            field=extra[0],
        )
    lists = {}
    for key in ("close_links", "close_places", "close_modes"):
        val = row.get(key, [])
        if not isinstance(val, list) or not all(isinstance(x, str) and x for x in val):
            raise GeodataError(
                f"must be a list of ids, got {show(val, 60)}", file=file, feature=name, field=key
            )
        lists[key] = tuple(val)
    for mode in lists["close_modes"]:
        if mode not in MODES:
            near = closest(mode, MODES, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise GeodataError(
                f"{mode!r} is not one of {', '.join(MODES)}{hint}",
                file=file,
                feature=name,
                field="close_modes",
            )
    texts = {}
    for key, default in (("label", name), ("description", ""), ("source", "")):
        val = row.get(key, default)
        if not isinstance(val, str):
            raise GeodataError(
                f"must be a text, got {show(val, 60)}", file=file, feature=name, field=key
            )
        texts[key] = val
    instc = row.get("instc", True)
    if not isinstance(instc, bool):
        raise GeodataError(
            f"must be true or false, got {show(instc, 60)}", file=file, feature=name, field="instc"
        )
    return Family(name=name, instc=instc, **texts, **lists)


_BUNDLED = load_families()
#: the bundled route families (a network's own come from its geodata directory)
FAMILIES: tuple[Family, ...] = _BUNDLED.families


def network_families(G: nx.MultiDiGraph) -> Families:
    """The families of ``G``'s geodata directory (the bundled ones when it has none).

    A directory's own ``families.toml`` must name only links and places of ``G`` (a typo
    in ``close_places`` would leave the crossing open and the family would cross it); the
    bundled families, used for a network without its own file, may name ids the network
    lacks, and a family that then does not apply is left out with a note
    (:func:`family_candidates`).

    Raises
    ------
    GeodataError
        If the directory's own file is invalid or names an id ``G`` does not have.
    """
    directory = G.graph.get("directory")
    if not directory:
        return _BUNDLED
    path = data_file(directory, "families.toml")
    if path.parent.resolve() != Path(directory).resolve():
        return _BUNDLED
    return _checked_families(G)


def _checked_families(G: nx.MultiDiGraph) -> Families:
    """The network's own families, every id they close checked against ``G``."""
    from .places import places

    table = load_families(G.graph.get("directory"))
    known_links, _ = _links_and_modes(G)
    known_places = places(G)
    gone = (G.graph.get("as_of") or {}).get("withheld", {})  # in the data, not in service
    for fam in table.families:
        for field_name, ids, known, what in (
            ("close_links", fam.close_links, known_links, "link"),
            ("close_places", fam.close_places, known_places, "place"),
        ):
            for x in ids:
                if x not in known and x not in gone:
                    near = closest(x, list(known), n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    raise GeodataError(
                        f"names {what} {x!r}, which is not in the network{hint}",
                        file="families.toml",
                        feature=fam.name,
                        field=field_name,
                    )
    return table


def resolve_families(
    families: Iterable[str | Family] | Family | None, table: Families | None = None
) -> list[Family]:
    """The families asked for, by name or as :class:`Family` objects (default all of ``table``).

    Raises
    ------
    InputError
        If a name is not a family of ``table`` (default the bundled families).
    """
    table = table or _BUNDLED
    if families is None:
        return list(table.families)
    if isinstance(families, Family):
        families = [families]
    families = as_names(families, "families", also=(Family,))
    by_name = {f.name: f for f in table.families}
    out = []
    for f in families:
        if isinstance(f, Family):
            out.append(f)
        elif isinstance(f, str) and f in by_name:
            out.append(by_name[f])
        else:
            raise InputError(f"unknown route family {f!r}; the families are " + ", ".join(by_name))
    return out


def _links_and_modes(G: nx.MultiDiGraph) -> tuple[frozenset[str], frozenset[str]]:
    """The link ids and link modes of ``G`` (one walk over the edges, cached with ``G``)."""
    return derived(G, "links_and_modes", _build_links_and_modes, structure=True)


def _build_links_and_modes(G: nx.MultiDiGraph) -> tuple[frozenset[str], frozenset[str]]:
    links = [d for _, _, d in G.edges(data=True) if d["kind"] == "link"]
    return frozenset(d["link_id"] for d in links), frozenset(d["mode"] for d in links)


def family_weight(G: nx.MultiDiGraph, fam: Family, base: Weight) -> Weight:
    """The weight ``base`` with the family's links, places and modes closed.

    Raises
    ------
    InputError
        If the family names links the network does not have (a network of a date may lack
        those not in service then: closing them changes nothing).
    """
    known, modes = _links_and_modes(G)
    gone = (G.graph.get("as_of") or {}).get("withheld", {})  # not in service on its date
    missing = [x for x in fam.close_links if x not in known and x not in gone]
    if missing:
        raise InputError(f"family {fam.name!r} names links not in the network: {missing}")
    wf = base.closing(links=fam.close_links, places=fam.close_places)
    if fam.close_modes:
        wf = wf.only_modes(modes - set(fam.close_modes))
    return wf


def family_routes(
    G: nx.MultiDiGraph,
    o: str,
    d: str,
    fams: Sequence[Family],
    base: Weight,
    *,
    named: bool,
) -> tuple[dict[str, Route], dict[str, str]]:
    """Each family's best route from ``o`` to ``d`` (least expected objective), or why none.

    Parameters
    ----------
    G
        The network.
    o, d
        The origin and destination place ids.
    fams
        The families.
    base
        The weight every family starts from (its objective, clock and scenario).
    named
        Whether the families were asked for by name: then a family that does not apply to
        the network is an error, not a note.

    Returns
    -------
    tuple
        The route by family name, and the reason by family name for those without.

    Raises
    ------
    InputError
        If a family asked for by name does not apply to the network.
    """
    routes: dict[str, Route] = {}
    unreachable: dict[str, str] = {}
    for fam in fams:
        try:
            wf = family_weight(G, fam, base)
        except InputError as exc:
            if named:  # asked for by name: an error, not a note
                raise
            unreachable[fam.name] = f"not applicable to this network ({exc})"
            continue
        try:
            routes[fam.name] = route(G, o, d, weight=wf)
        except NoRouteError as exc:
            unreachable[fam.name] = str(exc)
    return routes, unreachable
