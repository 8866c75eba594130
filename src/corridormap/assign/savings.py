"""What a scenario buys at a volume: each flow's days at equilibrium with and without it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import networkx as nx

from .equilibrium import assign
from .result import describe
from .volumes import Volumes, load_volumes

__all__ = ["SAVING_FIELDS", "saving_curve", "scenario_savings"]

SAVING_FIELDS = (
    "scenario",
    "flow",
    "volume_mt",
    "baseline_days",
    "scenario_days",
    "saving_days",
    "free_saving_days",
    "baseline_top",
    "scenario_top",
)


def scenario_savings(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    scenarios: Iterable[Any],
    *,
    tolerance: float = 1e-3,
    tick: Callable[[int], Any] | None = None,
) -> list[dict[str, Any]]:
    """What each scenario saves every flow at the given volumes.

    What each scenario saves every flow at the given volumes (equilibrium against equilibrium), and
    at no volume (``free_saving_days``, today's route comparison).

    Returns one row per scenario and flow (``SAVING_FIELDS``); ``baseline_top`` and
    ``scenario_top`` name the longest queue in each case. ``tick(1)`` is called after each
    assignment (the baseline's, then each scenario's), for a progress report. Two
    different scenarios of one name are refused (their rows could not be told apart).
    """
    from ..scenarios import apply_scenario, check_distinct

    scenarios = list(scenarios)
    check_distinct(apply_scenario(G, s if isinstance(s, list | tuple) else [s]) for s in scenarios)
    vols = load_volumes(volumes, G)
    tick = tick or (lambda n: None)
    base = assign(G, vols, tolerance=tolerance)
    tick(1)
    rows = []
    for s in scenarios:
        res = assign(G, vols, scenario=s, tolerance=tolerance)
        tick(1)
        for fb, fs in zip(base.flows, res.flows, strict=True):
            rows.append(
                {
                    "scenario": res.scenario,
                    "flow": fb["flow"],
                    "volume_mt": fb["volume_mt"],
                    "baseline_days": fb["days"],
                    "scenario_days": fs["days"],
                    "saving_days": round(fb["days"] - fs["days"], 3),
                    "free_saving_days": round(fb["free_days"] - fs["free_days"], 3),
                    "baseline_top": describe(base.top(1)[0]) if base.top(1) else "",
                    "scenario_top": describe(res.top(1)[0]) if res.top(1) else "",
                }
            )
    return rows


def saving_curve(
    G: nx.MultiDiGraph,
    volumes: Volumes | str | os.PathLike[str],
    scenario: Any,
    factors: Sequence[float],
    *,
    tolerance: float = 1e-3,
    tick: Callable[[int], Any] | None = None,
) -> list[dict[str, Any]]:
    """A scenario's saving for every flow as all volumes are scaled by each factor.

    Two assignments per factor (baseline and scenario), each followed by ``tick(1)``.
    """
    vols = load_volumes(volumes, G)
    out = []
    for f in factors:
        rows = scenario_savings(G, vols.scaled(f), [scenario], tolerance=tolerance, tick=tick)
        for r in rows:
            out.append({"factor": f, **r})
    return out
