"""corridormap: map and measure Eurasian freight corridors as a multimodal network.

The pipeline runs one way: :mod:`~corridormap.io` reads and validates geodata,
:mod:`~corridormap.network` builds a plain ``networkx.MultiDiGraph`` weighted by
:mod:`~corridormap.weights`, and :mod:`~corridormap.routing` finds routes on it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from ._errors import (
    AmbiguousPlaceError,
    CorridormapError,
    GeodataError,
    NoRouteError,
    ScenarioError,
    UnknownPlaceError,
)
from .bottlenecks import (
    Criticality,
    FlowBetweenness,
    MinCut,
    WidestPath,
    criticality,
    flow_betweenness,
    min_cut,
    widest_path,
)
from .convert import geodata_to_gdfs, graph_from_gdfs, graph_to_gdfs
from .io import Geodata, bundled_geodata_dir, load_geodata
from .network import baseline_view, build_network, load_network
from .places import places, resolve_place, resolve_places
from .routing import Leg, Route, alternatives, make_weight, route
from .scenarios import (
    AppliedScenario,
    Scenario,
    ScenarioComparison,
    apply_scenario,
    compare_scenarios,
    list_scenarios,
    load_scenario,
)

try:
    __version__ = version("corridormap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AmbiguousPlaceError",
    "AppliedScenario",
    "CorridormapError",
    "Criticality",
    "FlowBetweenness",
    "Geodata",
    "GeodataError",
    "Leg",
    "MinCut",
    "NoRouteError",
    "Route",
    "Scenario",
    "ScenarioComparison",
    "ScenarioError",
    "UnknownPlaceError",
    "WidestPath",
    "__version__",
    "alternatives",
    "apply_scenario",
    "baseline_view",
    "build_network",
    "bundled_geodata_dir",
    "compare_scenarios",
    "criticality",
    "flow_betweenness",
    "geodata_to_gdfs",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "list_scenarios",
    "load_geodata",
    "load_network",
    "load_scenario",
    "make_weight",
    "min_cut",
    "places",
    "resolve_place",
    "resolve_places",
    "route",
    "widest_path",
]
