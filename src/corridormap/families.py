"""Route families: which crossings each family closes, and its candidate routes.

A route family (INSTC western, Trans-Caspian, eastern; Suez; Cape) is the network with the
other families' crossings closed: some links, places or modes. The families of a geodata
directory are in its ``families.toml`` (the bundled ones when it has none), with the
``reference`` family the INSTC is measured against. A family's candidates are its best routes
at likely parameter values, found on the network as the family sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import GeodataError, InputError, NoRouteError
from ._schema import as_names
from .io import data_file, read_toml
from .routing import Route, alternatives
from .weights import Weight

__all__ = [
    "FAMILIES",
    "Families",
    "Family",
    "family_candidates",
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


def load_families(directory: Any = None) -> Families:
    """Read ``families.toml`` from a geodata directory (default: the bundled one).

    Raises
    ------
    GeodataError
        Naming the file, the family and the field at fault.
    """
    path = data_file(directory, "families.toml")
    doc = read_toml(path)
    fams = []
    for i, row in enumerate(doc.get("family") or []):
        if not isinstance(row, dict):
            raise GeodataError("must be a table", file=path.name, feature=f"family[{i}]")
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise GeodataError("needs a name", file=path.name, feature=f"family[{i}]", field="name")
        lists = {}
        for key in ("close_links", "close_places", "close_modes"):
            val = row.get(key, [])
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                raise GeodataError("must be a list of ids", file=path.name, feature=name, field=key)
            lists[key] = tuple(val)
        fams.append(
            Family(
                name=name,
                label=str(row.get("label", name)),
                description=str(row.get("description", "")),
                instc=bool(row.get("instc", True)),
                source=str(row.get("source", "")),
                **lists,
            )
        )
    ref = doc.get("reference")
    if ref is not None and ref not in {f.name for f in fams}:
        raise GeodataError(f"names no family ({ref!r})", file=path.name, field="reference")
    return Families(tuple(fams), ref)


_BUNDLED = load_families()
#: the bundled route families (a network's own come from its geodata directory)
FAMILIES: tuple[Family, ...] = _BUNDLED.families


def network_families(G: nx.MultiDiGraph) -> Families:
    """The families of ``G``'s geodata directory (the bundled ones when it has none)."""
    directory = G.graph.get("directory")
    return load_families(directory) if directory else _BUNDLED


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
        If the family names links the network does not have.
    """
    known, modes = _links_and_modes(G)
    missing = [x for x in fam.close_links if x not in known]
    if missing:
        raise InputError(f"family {fam.name!r} names links not in the network: {missing}")
    wf = base.closing(links=fam.close_links, places=fam.close_places)
    if fam.close_modes:
        wf = wf.only_modes(modes - set(fam.close_modes))
    return wf


def family_candidates(
    G: nx.MultiDiGraph,
    o: str,
    d: str,
    fams: Sequence[Family],
    base: Weight,
    candidates: int,
    *,
    named: bool,
) -> tuple[dict[str, list[Route]], dict[str, str]]:
    """Each family's ``candidates`` best routes from ``o`` to ``d``, or why it has none.

    Parameters
    ----------
    G
        The network.
    o, d
        The origin and destination place ids.
    fams
        The families.
    base
        The weight every family starts from.
    candidates
        Routes per family.
    named
        Whether the families were asked for by name: then a family that does not apply to
        the network is an error, not a note.

    Returns
    -------
    tuple
        The routes by family name, and the reason by family name for those without.

    Raises
    ------
    InputError
        If a family asked for by name does not apply to the network.
    """
    cands: dict[str, list[Route]] = {}
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
            cands[fam.name] = alternatives(G, o, d, k=candidates, weight=wf, distinct="links")
        except NoRouteError as exc:
            unreachable[fam.name] = str(exc)
    return cands, unreachable
