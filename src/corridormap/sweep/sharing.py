"""Search sharing across scenarios: what a scenario's search of a pair takes from the baseline's.

The work goes pair by pair (the rows still come scenario by scenario). A scenario that leaves a
family alone (the same visible edges at the same costs) keeps the baseline's routes for it,
re-measured under the scenario's terms. A scenario that does change the family keeps the
baseline's routes for a pair when its search would read exactly what the baseline's read
(:class:`~.search.Reads`: no changed node expanded, the same tree at every predecessor read,
equal constrained bounds), and otherwise takes each of the baseline's bound searches whose
settled nodes it leaves alone (:class:`~.search.Bounds`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from .._errors import InputError
from ..families import Family, family_weight
from ..weights import Weight
from .job import Job, scenario_weight
from .search import Bounds, Candidates, Reads, Tables, find_candidates, tree_of

__all__ = ["OriginTrees", "ScenarioTables", "pair_candidates", "scenario_tables"]


@dataclass
class ScenarioTables:
    """A scenario's tables, and how its families differ from the baseline's."""

    label: str
    by: str
    tables: dict[str, Tables]
    #: families the scenario leaves alone (the same visible edges at the same costs)
    same: set[str] = field(default_factory=set)
    #: of the others, the nodes whose predecessors or gate exits differ from the baseline's
    changed: dict[str, frozenset[str]] = field(default_factory=dict)


def scenario_tables(G: nx.MultiDiGraph, job: Job, fams: Sequence[Family]) -> list[ScenarioTables]:
    """Every scenario's tables, the first (the baseline) first, compared with the first's."""
    out: list[ScenarioTables] = []
    for label, items in job.scenarios:
        base = scenario_weight(G, label, items, job.by)
        sc = ScenarioTables(label, base.by, _family_tables(G, fams, base, job.named_families))
        if out:
            first = out[0].tables
            for name, tab in sc.tables.items():
                if name not in first:
                    continue
                if tab.sig == first[name].sig:
                    sc.same.add(name)
                else:
                    sc.changed[name] = _changed_nodes(first[name], tab)
        out.append(sc)
    return out


def _changed_nodes(a: Tables, b: Tables) -> frozenset[str]:
    """The nodes whose predecessors, gate entries or gate exits differ between two tables."""
    nodes = {*a.pred, *b.pred, *a.exit_into, *b.exit_into, *a.entries, *b.entries}
    return frozenset(
        n
        for n in nodes
        if a.pred.get(n) != b.pred.get(n)
        or a.exit_into.get(n) != b.exit_into.get(n)
        or a.entries.get(n) != b.entries.get(n)
    )


class OriginTrees:
    """An origin's shortest-path trees under every scenario, and where they agree."""

    def __init__(self, scens: Sequence[ScenarioTables], o: str) -> None:
        self.o = o
        self.trees = [
            {n: tree_of(tab, o) for n, tab in sc.tables.items() if n not in sc.same} for sc in scens
        ]
        self._stable: dict[tuple[int, str], set[str]] = {}

    def stable(self, s_index: int, name: str) -> Callable[[str], bool]:
        """Whether a node's distance, parent and way from the origin are the baseline's."""
        key = (s_index, name)
        if key not in self._stable:
            self._stable[key] = _stable_nodes(self.trees[0][name], self.trees[s_index][name])
        same = self._stable[key]
        dist_a, dist_b = self.trees[0][name][0], self.trees[s_index][name][0]
        return lambda n: n in same or (n not in dist_a and n not in dist_b)


def _stable_nodes(a: tuple, b: tuple) -> set[str]:
    """The nodes of tree ``a`` at the same distance under the same parents in tree ``b``."""
    dist_a, parent_a, _ = a
    dist_b, parent_b, _ = b
    out: set[str] = set()
    for n, x in dist_a.items():  # in settling order: a parent before its children
        p = parent_a[n]
        if n in dist_b and dist_b[n] == x and parent_b.get(n) == p and (p is None or p in out):
            out.add(n)
    return out


def _family_tables(
    G: nx.MultiDiGraph, fams: Sequence[Family], base: Weight, named: bool
) -> dict[str, Tables]:
    """Each family's search tables under the scenario weight ``base``.

    Parameters
    ----------
    G
        The network.
    fams
        The families.
    base
        The scenario's weight.
    named
        Whether the families were asked for by name: then one that does not apply to the
        network is an error; otherwise it is left out.

    Returns
    -------
    dict
        The tables by family name.

    Raises
    ------
    InputError
        If a family asked for by name does not apply to the network.
    """
    tables: dict[str, Tables] = {}
    for fam in fams:
        try:
            tables[fam.name] = Tables.build(G, family_weight(G, fam, base))
        except InputError:
            if named:
                raise
    return tables


def pair_candidates(
    scens: Sequence[ScenarioTables],
    at: OriginTrees,
    found: dict[str, tuple],
    d: str,
    s_index: int,
    k: int,
) -> dict[str, Candidates]:
    """Each family's candidate routes ``o -> d`` under a scenario (families without left out).

    Parameters
    ----------
    scens
        The scenarios: tables, the families each leaves alone (their baseline routes are
        reused) and the nodes it changes in the others.
    at
        The origin and its trees.
    found
        The baseline's searches of the pair by family (candidates, bounds, reads); filled in
        when ``s_index`` is 0.
    d
        The destination.
    s_index
        The scenario's index (0: the baseline).
    k
        Candidates per family.

    Returns
    -------
    dict
        The candidates by family name.
    """
    sc, o = scens[s_index], at.o
    cands: dict[str, Candidates] = {}
    for name, tab in sc.tables.items():
        if name in sc.same:
            prev = found[name][0]
            got = prev.under(tab) if prev is not None else None
        elif s_index == 0:
            # what the search read is kept only if a scenario may take its results
            bounds, reads = Bounds(record=any(name in s.changed for s in scens)), Reads()
            dist, parent, order = at.trees[0][name]
            got = find_candidates(tab, dist, parent, order, o, d, k, bounds, reads)
            found[name] = (got, bounds, reads)
        else:
            got = _scenario_candidates(scens, at, found, d, s_index, name, k)
        if got is not None:
            cands[name] = got
    return cands


def _scenario_candidates(
    scens: Sequence[ScenarioTables],
    at: OriginTrees,
    found: dict[str, tuple],
    d: str,
    s_index: int,
    name: str,
    k: int,
) -> Candidates | None:
    """A family's candidates under a scenario that changes its tables: the baseline's ...

    ... routes (measured under the scenario) where the scenario changes nothing the
    baseline's search read (:meth:`Reads.hold`), else a search that takes the baseline's
    bounds where they hold. The parameters are those of :func:`pair_candidates` and the
    family's name.
    """
    sc, tab = scens[s_index], scens[s_index].tables[name]
    prev, prior, reads = found.get(name, (None, None, None))
    changed = sc.changed.get(name)
    if reads is None or changed is None:
        prior = None
    bounds = Bounds(prior=prior, changed=changed)
    if (
        reads is not None
        and changed is not None
        and reads.hold(scens[0].tables[name], tab, changed, at.stable(s_index, name))
        and bounds.agree(tab, at.o)
    ):
        return prev.under(tab) if prev is not None else None
    dist, parent, order = at.trees[s_index][name]
    return find_candidates(tab, dist, parent, order, at.o, d, k, bounds)
