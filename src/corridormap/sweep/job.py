"""What a sweep asks every partition to do: the :class:`Job`, and the scenarios it runs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from .._errors import ScenarioError
from ..families import Family
from ..weights import Weight, make_weight

__all__ = ["Job", "scenario_items", "scenario_weight"]


@dataclass(frozen=True)
class Job:
    """What every partition needs besides the graph (all picklable)."""

    destinations: tuple[str, ...]
    scenarios: tuple[tuple[str, tuple[Any, ...]], ...]  # (label, Scenario objects)
    families: tuple[Family, ...]
    named_families: bool
    draws: int
    seed: int | None
    by: str
    clocks: tuple[str, ...]  # each gives its own rows (routes chosen and days given on it)
    names: Mapping[str, str]


def scenario_weight(G: nx.MultiDiGraph, label: str, items: tuple[Any, ...], by: str) -> Weight:
    """The weight of scenario ``label`` (its :class:`~corridormap.Scenario` ``items``) by ``by``."""
    if not items:
        return make_weight(by)
    from ..scenarios import apply_scenario

    return apply_scenario(G, list(items)).weight(by)


def scenario_items(G: nx.MultiDiGraph, scenarios: Any) -> list[tuple[str, tuple[Any, ...]]]:
    """``[(label, Scenario objects)]``: the baseline first, then each scenario given."""
    from ..scenarios import Scenario, apply_scenario, load_scenario

    if scenarios is None:
        given: list[Any] = []
    elif isinstance(scenarios, str | Scenario | os.PathLike):
        given = [scenarios]
    else:
        given = list(scenarios)
    out: dict[str, tuple[Any, ...]] = {"baseline": ()}
    for s in given:
        if isinstance(s, str) and s == "baseline":
            continue
        sc = s if isinstance(s, Scenario) else load_scenario(s, G)
        sc.validate(G)
        if sc.name == "baseline" and not apply_scenario(G, [sc]).to_dict():
            continue  # a scenario of no changes named baseline is the baseline
        if sc.name in out:  # the same scenario twice is swept once; two of one name refused
            if out[sc.name] != (sc,):
                twin = out[sc.name][0].file if out[sc.name] else "the baseline"
                raise ScenarioError(
                    f"two different scenarios are named {sc.name!r} ({Path(twin).name or twin} "
                    f"and {Path(sc.file).name or 'one built in code'}): their rows could not be "
                    "told apart; rename one",
                    field="name",
                )
            continue
        out[sc.name] = (sc,)
    return list(out.items())
