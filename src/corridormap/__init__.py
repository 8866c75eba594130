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
from .convert import graph_from_gdfs, graph_to_gdfs
from .io import Geodata, bundled_geodata_dir, load_geodata
from .network import baseline_view, build_network, load_network
from .places import places, resolve_place, resolve_places
from .routing import Leg, Route, alternatives, make_weight, route

try:
    __version__ = version("corridormap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AmbiguousPlaceError",
    "CorridormapError",
    "Geodata",
    "GeodataError",
    "Leg",
    "NoRouteError",
    "Route",
    "ScenarioError",
    "UnknownPlaceError",
    "__version__",
    "alternatives",
    "baseline_view",
    "build_network",
    "bundled_geodata_dir",
    "graph_from_gdfs",
    "graph_to_gdfs",
    "load_geodata",
    "load_network",
    "make_weight",
    "places",
    "resolve_place",
    "resolve_places",
    "route",
]
