"""corridormap: map and measure Eurasian freight corridors as a multimodal network.

The pipeline runs one way: :mod:`~corridormap.io` reads and validates geodata,
:mod:`~corridormap.network` builds a plain ``networkx.MultiDiGraph`` whose edges follow the
cost model of :mod:`~corridormap.model`; a :class:`~corridormap.weights.Weight` carries the
objective, closures and scenario every analysis routes with; :mod:`~corridormap.routing`,
:mod:`~corridormap.compare`, :mod:`~corridormap.criticality`, :mod:`~corridormap.capacity`,
:mod:`~corridormap.assign` and :mod:`~corridormap.scenarios` analyse it (every search through
:mod:`~corridormap.search`), and :mod:`~corridormap.render` draws it. The map functions load
folium only when first used.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._errors import (
    AmbiguousPlaceError,
    ClusterError,
    CorridormapError,
    GeodataError,
    InputError,
    NoRouteError,
    NotInServiceError,
    PassThroughPlaceError,
    ScenarioError,
    UnknownPlaceError,
)
from .asof import geodata_as_of
from .assign import Assignment, Volumes, assign, list_volumes, load_volumes, scenario_savings
from .backtest import Backtest, backtest
from .calibrate import Calibration, calibrate
from .capacity import MinCut, WidestPath, min_cut, widest_path
from .compare import Comparison, compare
from .convert import geodata_to_gdfs, graph_from_gdfs, graph_to_gdfs
from .corridors import alternatives
from .criticality import Criticality, FlowBetweenness, criticality, flow_betweenness
from .evidence import Movement, load_evidence
from .families import FAMILIES, Family
from .io import Geodata, bundled_geodata_dir, load_geodata
from .network import baseline_view, build_network, load_network
from .places import places, resolve_place, resolve_places
from .routing import Leg, Route, route
from .scenarios import (
    AppliedScenario,
    Scenario,
    ScenarioComparison,
    apply_scenario,
    compare_scenarios,
    list_scenarios,
    load_scenario,
)
from .sweep import sweep
from .timeline import Timeline, through_time
from .weights import Weight, make_weight

#: rendering names, imported on first use so that routing never pays for folium
_RENDER = ("color_links", "corridor_map", "route_map", "save_map", "scene_map", "write_scenes")


def __getattr__(name: str):
    if name in _RENDER:
        from . import render

        return getattr(render, name)
    raise AttributeError(f"module 'corridormap' has no attribute {name!r}")


try:
    __version__ = version("corridormap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "FAMILIES",
    "AmbiguousPlaceError",
    "AppliedScenario",
    "Assignment",
    "Backtest",
    "Calibration",
    "ClusterError",
    "Comparison",
    "CorridormapError",
    "Criticality",
    "Family",
    "FlowBetweenness",
    "Geodata",
    "GeodataError",
    "InputError",
    "Leg",
    "MinCut",
    "Movement",
    "NoRouteError",
    "NotInServiceError",
    "PassThroughPlaceError",
    "Route",
    "Scenario",
    "ScenarioComparison",
    "ScenarioError",
    "Timeline",
    "UnknownPlaceError",
    "Volumes",
    "Weight",
    "WidestPath",
    "__version__",
    "alternatives",
    "apply_scenario",
    "assign",
    "backtest",
    "baseline_view",
    "build_network",
    "bundled_geodata_dir",
    "calibrate",
    "color_links",
    "compare",
    "compare_scenarios",
    "corridor_map",
    "criticality",
    "flow_betweenness",
    "geodata_as_of",
    "geodata_to_gdfs",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "list_scenarios",
    "list_volumes",
    "load_evidence",
    "load_geodata",
    "load_network",
    "load_scenario",
    "load_volumes",
    "make_weight",
    "min_cut",
    "places",
    "resolve_place",
    "resolve_places",
    "route",
    "route_map",
    "save_map",
    "scenario_savings",
    "scene_map",
    "sweep",
    "through_time",
    "widest_path",
    "write_scenes",
]
