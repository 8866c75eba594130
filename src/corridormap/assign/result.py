"""The result of an assignment: each capacity-limited element's volume and wait, each flow's routes.

:class:`Assignment` renders itself (``to_dict``, ``to_frame``, ``summary``); its ``map()``
draws the utilisation map with :mod:`corridormap.render.utilisation`, imported only then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..network import place_of
from .volumes import Volumes

__all__ = ["ELEMENT_FIELDS", "FLOW_FIELDS", "Assignment", "assignment_result", "describe"]

ELEMENT_FIELDS = (
    "element",
    "kind",
    "name",
    "volume_mt",
    "capacity_mt",
    "utilisation",
    "wait_h",
    "wait_days",
    "capacity_published",
    "conversion",
    "capacity_source",
)


FLOW_FIELDS = (
    "flow",
    "from",
    "to",
    "published",
    "volume_mt",
    "free_days",
    "days",
    "queue_days",
    "routes",
)


@dataclass
class Assignment:
    """A volume file assigned to the network at user equilibrium.

    Attributes
    ----------
    volumes
        The :class:`Volumes` assigned.
    scenario
        The scenario name (``"baseline"``).
    elements
        One row per capacity-limited element (``ELEMENT_FIELDS``), busiest queue first:
        volume and capacity in Mt/yr, utilisation (volume / capacity), the added wait.
    flows
        One row per flow (``FLOW_FIELDS``): its days with no queues (``free_days``) and at
        equilibrium (``days``, volume-weighted over its routes), and its routes.
    gaps
        The relative gap after each iteration.
    tolerance, converged
        The stopping tolerance on the relative gap, and whether it was reached.
    unconstrained
        Elements (link ids and place ids) on the assigned routes with no capacity figure:
        they never queue.
    unconverted
        Capacity figures that could not be converted to Mt/yr (``id -> reason``).
    """

    volumes: Volumes
    scenario: str
    elements: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    gaps: list[float]
    tolerance: float
    converged: bool
    unconstrained: list[str] = field(default_factory=list)
    unconverted: dict[str, str] = field(default_factory=dict)
    _graph: Any = field(default=None, repr=False)

    @property
    def gap(self) -> float:
        """The final relative gap."""
        return self.gaps[-1] if self.gaps else 0.0

    def top(self, n: int = 5) -> list[dict[str, Any]]:
        """The ``n`` elements with the longest queues (ties by utilisation)."""
        used = [r for r in self.elements if r["volume_mt"] > 0]
        return used[:n]

    def bottleneck_lines(self, n: int = 5) -> list[str]:
        """The top bottlenecks in physical terms, one line each."""
        return [describe(r) for r in self.top(n)]

    def flow(self, flow_id: str) -> dict[str, Any]:
        """The row of one flow."""
        for r in self.flows:
            if r["flow"] == flow_id:
                return r
        raise KeyError(flow_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the volumes, convergence, every element and every flow's route."""
        return {
            "volumes": self.volumes.name,
            "scenario": self.scenario,
            "converged": self.converged,
            "tolerance": self.tolerance,
            "gaps": [round(g, 8) for g in self.gaps],
            "elements": [dict(r) for r in self.elements],
            "flows": [dict(r) for r in self.flows],
            "unconstrained": list(self.unconstrained),
            "unconverted": dict(self.unconverted),
        }

    def to_frame(self):
        """The elements as a pandas DataFrame (``ELEMENT_FIELDS``)."""
        import pandas as pd

        return pd.DataFrame(self.elements, columns=list(ELEMENT_FIELDS))

    def flows_frame(self):
        """The flows as a pandas DataFrame (``FLOW_FIELDS``)."""
        import pandas as pd

        return pd.DataFrame(self.flows, columns=list(FLOW_FIELDS))

    def map(self, *, tiles: bool = True):
        """A folium map: links and places coloured by utilisation (busiest direction)."""
        from ..render.utilisation import utilisation_map

        links: dict[str, float] = {}
        nodes: dict[str, tuple[float, str]] = {}
        for r in self.elements:
            if r["kind"] == "link":
                links[r["element"]] = max(links.get(r["element"], 0.0), r["utilisation"])
            else:
                nodes[r["element"]] = (r["utilisation"], describe(r))
        return utilisation_map(self._graph, links, nodes, tiles=tiles)

    def summary(self) -> str:
        """One line: volumes, iterations, the final relative gap and whether it converged."""
        state = "converged" if self.converged else "NOT converged"
        return (
            f"{self.volumes.name} ({self.scenario}): {len(self.flows)} flows, "
            f"{len(self.gaps)} iterations, relative gap {self.gap:.2e} "
            f"({state}, tolerance {self.tolerance:g})"
        )

    def __repr__(self) -> str:
        return "\n".join([f"<Assignment {self.summary()}>", *self.bottleneck_lines(5)])


def describe(row: Mapping[str, Any]) -> str:
    """One element in physical terms, as a line of text.

    One element in physical terms: ``Astara (IR) (handling): 2.60 Mt/yr against 2.00 (130%); +5.2
    days``.
    """
    return (
        f"{row['name']}: {row['volume_mt']:.2f} Mt/yr against {row['capacity_mt']:.2f} "
        f"({row['utilisation']:.0%}); +{row['wait_days']:.1f} days"
    )


def assignment_result(
    G, vols, view, base, ods, elements, V, W, gaps, tolerance, converged, unconverted
) -> Assignment:
    """The :class:`Assignment` of the flows ``ods`` at volumes ``V`` and waits ``W``.

    Parameters
    ----------
    G
        The network.
    vols
        The volume file.
    view
        The applied scenario, or None.
    base
        The base time weight.
    ods
        The demands with their paths.
    elements
        The capacity-limited elements by key, in index order.
    V, W
        The volumes and waits by element index.
    gaps
        The relative gap after each iteration.
    tolerance, converged
        The stopping tolerance and whether it was reached.
    unconverted
        Capacity figures that could not be converted (``id -> reason``).

    Returns
    -------
    Assignment
    """
    rows = []
    for (k, e), v, wait in zip(elements.items(), V.tolist(), W.tolist(), strict=True):
        rows.append(
            {
                "element": k[1],
                "kind": "link" if k[0] == "link" else "place",
                "direction": f"{k[2]} -> {k[3]}" if k[0] == "link" else "",
                "name": e.name,
                "volume_mt": round(v, 4),
                "capacity_mt": round(e.capacity, 4),
                "utilisation": round(v / e.capacity, 4),
                "wait_h": round(wait, 2),
                "wait_days": round(wait / 24.0, 3),
                "capacity_published": e.published,
                "conversion": e.how,
                "capacity_source": e.source,
            }
        )
    rows.sort(key=lambda r: (-r["wait_h"], -r["utilisation"], r["element"], r["direction"]))
    flows = []
    unconstrained: set[str] = set()
    for od in ods:
        total = sum(p.share for p in od.paths.values())
        days = 0.0
        routes = []
        for p in sorted(od.paths.values(), key=lambda q: -q.share):
            if total <= 0:  # no volume: the flow's one free route, in full
                p.share, total = 1.0, 1.0
            t = p.time_h(W)
            days += p.share / total * t / 24.0
            nodes = [
                x
                for i, x in enumerate(place_of(n) for n in p.nodes)
                if i == 0 or x != place_of(p.nodes[i - 1])
            ]
            routes.append(
                {"share": round(p.share / total, 4), "days": round(t / 24.0, 3), "nodes": nodes}
            )
            unconstrained.update(p.free)
        flows.append(
            {
                "flow": od.flow.id,
                "from": od.flow.origin,
                "to": od.flow.destination,
                "published": od.conversion.published,
                "volume_mt": round(od.volume, 4),
                "free_days": round(od.free_h / 24.0, 3),
                "days": round(days, 3),
                "queue_days": round(days - od.free_h / 24.0, 3),
                "routes": routes,
            }
        )
    return Assignment(
        volumes=vols,
        scenario=view.name if view is not None else base.scenario,
        elements=rows,
        flows=flows,
        gaps=gaps,
        tolerance=float(tolerance),
        converged=converged,
        unconstrained=sorted(unconstrained),
        unconverted=unconverted,
        _graph=G,
    )
