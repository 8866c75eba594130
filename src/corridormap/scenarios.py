"""What-if scenarios: closures, new links and rescaled parameters, as weight functions.

A scenario is a TOML file in ``geodata/scenarios/`` (or any path)::

    name = "rasht-astara-railway"
    description = "The 162 km Rasht-Astara railway built; the road transshipment gone"
    sources = ["..."]

    [changes]
    close_links = ["ASI-RSH-road"]       # link ids made impassable
    close_nodes = []                     # place ids made impassable (all their layers)
    open_links = ["ASI-RSH-rail"]        # planned / under-construction links made routable

    [changes.speed]                      # factor on speed, by mode (moving time / factor)
    [changes.dwell.transfer]             # factor on dwell, by transfer kind (gauge_change ...)
    [changes.dwell.border]               # factor on border dwell, by link id, country pair or "*"
    [changes.dwell.canal]                # factor on canal transit, by canal name
    [changes.wait]                       # factor on the wait for a departure, by service
    [changes.capacity.mode]              # factor on link capacity, by mode
    [changes.capacity.link]              # factor on link capacity, by link id
    [changes.capacity.node]              # factor on place capacity, by place id

Applying a scenario never touches the graph: :func:`apply_scenario` returns a
:class:`AppliedScenario` holding the closures, an ``edge_cost`` that rescales each edge's
``move_h``, ``dwell_h`` and ``wait_h`` parts, and the scaled capacities. Scenarios compose: a
list of scenarios applies all their changes (closures are united, factors multiplied).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx

from ._cache import derived
from ._errors import InputError, NoRouteError, ScenarioError, UnknownPlaceError, closest
from ._schema import check_graph
from .io import data_dirs, read_toml
from .model import Scaling
from .routing import route
from .weights import Weight, make_weight, objective_attr

__all__ = [
    "AppliedScenario",
    "Scenario",
    "ScenarioComparison",
    "apply_scenario",
    "check_distinct",
    "compare_scenarios",
    "list_scenarios",
    "load_scenario",
]

_TOP_KEYS = {"name", "description", "sources", "changes"}
_CHANGE_KEYS = {"close_links", "close_nodes", "open_links", "speed", "dwell", "wait", "capacity"}
_DWELL_KEYS = {"transfer", "border", "canal"}
_CAPACITY_KEYS = {"mode", "link", "node"}


def _ids(changes: Mapping[str, Any], fname: str, name: str, key: str) -> frozenset[str]:
    """The ids listed in ``changes.<key>`` (an error unless a list of texts)."""
    val = changes.get(key, [])
    if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
        raise ScenarioError(
            "must be a list of ids", file=fname, feature=name, field=f"changes.{key}"
        )
    return frozenset(val)


def _factors(fname: str, name: str, table: Any, where: str) -> dict[str, float]:
    """``table`` (at ``where``) as ``{key: factor}``, each factor 0 or in 1e-6..1e6."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ScenarioError("must be a table", file=fname, feature=name, field=where)
    out = {}
    for k, val in table.items():
        if isinstance(val, bool) or not isinstance(val, int | float) or not val >= 0:
            raise ScenarioError(
                f"factor for {k!r} must be a number >= 0, got {val!r}",
                file=fname,
                feature=name,
                field=where,
            )
        if not (val == 0 or 1e-6 <= val <= 1e6):  # NaN, inf, 10**400 included
            raise ScenarioError(
                f"factor for {k!r} must be 0 or between 1e-6 and 1e6, got {val!r}",
                file=fname,
                feature=name,
                field=where,
            )
        out[str(k)] = float(val)
    return out


def _above_zero(fname: str, name: str, tables: Mapping[str, Mapping[str, float]]) -> None:
    """Refuse a factor of 0 in ``tables`` (``changes.<where>`` by where).

    On speed it would make time infinite, on a capacity leave none: both are closures, and
    a scenario says so with ``close_links`` / ``close_nodes``. (On dwell and waits a factor
    of 0 is allowed: the stop is removed.)
    """
    for where, table in tables.items():
        for key, f in table.items():
            if f == 0:
                raise ScenarioError(
                    f"{where.split('.')[0]} factor for {key!r} must be above 0 (to stop "
                    "traffic, close the links or places instead: close_links, close_nodes)",
                    file=fname,
                    feature=name,
                    field=f"changes.{where}",
                )


def _sub(
    changes: Mapping[str, Any], fname: str, name: str, key: str, allowed: set[str]
) -> dict[str, Any]:
    """The table ``changes.<key>`` (``{}`` if absent), holding only ``allowed`` keys."""
    table = changes.get(key) or {}
    if not isinstance(table, dict):
        raise ScenarioError("must be a table", file=fname, feature=name, field=f"changes.{key}")
    for k in table:
        if k not in allowed:
            raise ScenarioError(
                f"unknown key {k!r}; expected {', '.join(sorted(allowed))}",
                file=fname,
                feature=name,
                field=f"changes.{key}",
            )
    return table


@dataclass(frozen=True)
class Scenario:
    """One scenario as read from its file (ids not yet checked against a network).

    Attributes
    ----------
    name, description, sources
        What the scenario is and where its figures come from.
    close_links, close_nodes, open_links
        Link and place ids closed, and planned links opened.
    speed, dwell_transfer, dwell_border, dwell_canal, wait
        Factors on speed (by mode), dwell (by transfer kind, border, canal) and service waits.
    capacity_mode, capacity_link, capacity_node
        Factors on capacities, by link mode, link id and place id.
    file
        The file the scenario was read from (``""`` when built in code).
    """

    name: str
    description: str = ""
    sources: tuple[str, ...] = ()
    close_links: frozenset[str] = frozenset()
    close_nodes: frozenset[str] = frozenset()
    open_links: frozenset[str] = frozenset()
    speed: Mapping[str, float] = field(default_factory=dict)
    dwell_transfer: Mapping[str, float] = field(default_factory=dict)
    dwell_border: Mapping[str, float] = field(default_factory=dict)
    dwell_canal: Mapping[str, float] = field(default_factory=dict)
    wait: Mapping[str, float] = field(default_factory=dict)
    capacity_mode: Mapping[str, float] = field(default_factory=dict)
    capacity_link: Mapping[str, float] = field(default_factory=dict)
    capacity_node: Mapping[str, float] = field(default_factory=dict)
    file: str = ""

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], file: str = "") -> Scenario:
        """Build a scenario from a parsed TOML document, checking its shape."""
        fname = Path(file).name if file else "<scenario>"
        name = doc.get("name")
        if not isinstance(name, str) or not name:
            raise ScenarioError("needs a 'name' (text)", file=fname, field="name")
        for key in doc:
            if key not in _TOP_KEYS:
                raise ScenarioError(
                    f"unknown key {key!r}; expected {', '.join(sorted(_TOP_KEYS))}",
                    file=fname,
                    feature=name,
                )
        changes = doc.get("changes", {})
        if not isinstance(changes, dict):
            raise ScenarioError("must be a table", file=fname, feature=name, field="changes")
        for key in changes:
            if key not in _CHANGE_KEYS:
                raise ScenarioError(
                    f"unknown change {key!r}; expected {', '.join(sorted(_CHANGE_KEYS))}",
                    file=fname,
                    feature=name,
                    field="changes",
                )

        ids = partial(_ids, changes, fname, name)
        factors = partial(_factors, fname, name)
        sub = partial(_sub, changes, fname, name)
        dwell = sub("dwell", _DWELL_KEYS)
        cap = sub("capacity", _CAPACITY_KEYS)
        sources = doc.get("sources", [])
        if isinstance(sources, str):
            sources = [sources]
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise ScenarioError("must be a list of text", file=fname, feature=name, field="sources")
        description = doc.get("description", "")
        if not isinstance(description, str):
            raise ScenarioError(
                f"must be a text, got {type(description).__name__}",
                file=fname,
                feature=name,
                field="description",
            )
        speed = factors(changes.get("speed"), "changes.speed")
        capacity = {
            key: factors(cap.get(key), f"changes.capacity.{key}")
            for key in ("mode", "link", "node")
        }
        _above_zero(
            fname, name, {"speed": speed, **{f"capacity.{k}": t for k, t in capacity.items()}}
        )
        return cls(
            name=name,
            description=description,
            sources=tuple(sources),
            close_links=ids("close_links"),
            close_nodes=ids("close_nodes"),
            open_links=ids("open_links"),
            speed=speed,
            dwell_transfer=factors(dwell.get("transfer"), "changes.dwell.transfer"),
            dwell_border=factors(dwell.get("border"), "changes.dwell.border"),
            dwell_canal=factors(dwell.get("canal"), "changes.dwell.canal"),
            wait=factors(changes.get("wait"), "changes.wait"),
            capacity_mode=capacity["mode"],
            capacity_link=capacity["link"],
            capacity_node=capacity["node"],
            file=str(file),
        )

    def validate(self, G: nx.MultiDiGraph) -> Scenario:
        """Check every id the scenario names against ``G``; returns ``self``.

        Raises
        ------
        ScenarioError
            Naming the scenario file, the scenario and the unknown id.
        """
        links, modes, _canals, countries = _network_ids(G)
        from .places import places

        cat = places(G)
        params = G.graph.get("params", {})
        fname = Path(self.file).name if self.file else "<scenario>"

        dated = G.graph.get("as_of") or {}
        gone = dated.get("withheld", {})  # ids not in service on the network's date

        def check(values: Iterable[str], known: Any, field_name: str, what: str) -> None:
            for x in sorted(values):
                if x not in known and x in gone and field_name != "changes.open_links":
                    continue  # closing or scaling what is not in service changes nothing
                if x not in known and x in gone:
                    raise ScenarioError(
                        f"opens link {x!r}, which is not on the network as of "
                        f"{dated['date']}: {gone[x]['why']}",
                        file=fname,
                        feature=self.name,
                        field=field_name,
                    )
                if x not in known:
                    near = closest(x, list(known), n=1)
                    hint = f" (did you mean {near[0]!r}?)" if near else ""
                    raise ScenarioError(
                        f"names {what} {x!r}, which is not in the network{hint}",
                        file=fname,
                        feature=self.name,
                        field=field_name,
                    )

        check(self.close_links, links, "changes.close_links", "link")
        check(self.open_links, links, "changes.open_links", "link")
        check(self.close_nodes, cat, "changes.close_nodes", "node")
        check(self.speed, modes, "changes.speed", "mode")
        check(
            self.dwell_transfer, params.get("transfers", {}), "changes.dwell.transfer", "transfer"
        )
        check(
            set(self.dwell_border) - {"*"},
            links | countries,
            "changes.dwell.border",
            "border (link id or country pair)",
        )
        check(self.dwell_canal, params.get("canals", {}), "changes.dwell.canal", "canal")
        check(self.wait, params.get("services", {}), "changes.wait", "service")
        check(self.capacity_mode, modes, "changes.capacity.mode", "mode")
        check(self.capacity_link, links, "changes.capacity.link", "link")
        check(self.capacity_node, cat, "changes.capacity.node", "node")
        return self


def _network_ids(G: nx.MultiDiGraph) -> tuple[set[str], set[str], set[str], set[str]]:
    return derived(G, "scenario_ids", _build_network_ids, edges=True)


def _build_network_ids(G: nx.MultiDiGraph) -> tuple[set[str], set[str], set[str], set[str]]:
    links, modes, canals, countries = set(), set(), set(), set()
    for _, _, d in G.edges(data=True):
        if d.get("kind") == "link":
            links.add(d["link_id"])
            modes.add(d["mode"])
            if d.get("canal"):
                canals.add(d["canal"])
            if d.get("country") and "/" in str(d["country"]):
                countries.add(str(d["country"]))
    return links, modes, canals, countries


def _scenario_dirs(G: nx.MultiDiGraph | None) -> list[Path]:
    return data_dirs(G.graph.get("directory") if G is not None else None, "scenarios")


def list_scenarios(G: nx.MultiDiGraph | None = None) -> list[str]:
    """Names of the scenario files available (the network's geodata directory, then bundled)."""
    names: set[str] = set()
    for d in _scenario_dirs(G):
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.toml"))
    return sorted(names)


def load_scenario(
    name_or_path: str | os.PathLike[str], G: nx.MultiDiGraph | None = None
) -> Scenario:
    """Read a scenario by name (``geodata/scenarios/<name>.toml``) or from a file path.

    Parameters
    ----------
    name_or_path
        A bundled scenario name such as ``"rasht-astara-railway"``, or a path to a TOML file.
    G
        If given, the scenario's ids are checked against this network, and scenarios in its
        geodata directory are found before the bundled ones.

    Raises
    ------
    ScenarioError
        If the file is missing or invalid, or names an id that is not in ``G``.
    """
    text = str(name_or_path)
    path = Path(text)
    if not (path.suffix == ".toml" or os.sep in text or path.is_file()):
        path = next(
            (d / f"{text}.toml" for d in _scenario_dirs(G) if (d / f"{text}.toml").is_file()),
            Path(),
        )
        if path == Path():
            avail = list_scenarios(G)
            near = closest(text, avail, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ScenarioError(
                f"no scenario {text!r}{hint} (available: {', '.join(avail) or 'none'})"
            )
    if not os.path.lexists(path):
        raise ScenarioError(f"scenario file {str(path)!r} not found")
    try:
        doc = read_toml(path)
    except ScenarioError:
        raise
    except Exception as exc:  # GeodataError from read_toml: re-raise as a scenario error
        raise ScenarioError(str(exc)) from None
    sc = Scenario.from_dict(doc, str(path))
    return sc.validate(G) if G is not None else sc


ScenarioLike = Scenario | str | os.PathLike[str]


def check_distinct(views: Iterable[AppliedScenario]) -> None:
    """Refuse two different scenarios (or compositions) under one name in a run.

    Their rows would be labelled alike and could not be told apart. The same scenario
    given twice is not an error.

    Raises
    ------
    ScenarioError
        Naming the name and the two files.
    """
    seen: dict[str, AppliedScenario] = {}
    for v in views:
        other = seen.setdefault(v.name, v)
        if other is not v and other.scenarios != v.scenarios:
            files = [
                ", ".join(Path(s.file).name or "<in code>" for s in x.scenarios) for x in (other, v)
            ]
            raise ScenarioError(
                f"two different scenarios are named {v.name!r} ({files[0]} and {files[1]}): "
                "their rows could not be told apart; rename one",
                field="name",
            )


class AppliedScenario:
    """One or more scenarios applied to a network: closures, edge costs and capacities.

    Build it with :func:`apply_scenario`. It holds no copy of the graph and changes nothing
    in it.

    Attributes
    ----------
    name
        The scenario names joined by ``+`` (``"baseline"`` for none).
    scenarios
        The :class:`Scenario` objects, in order.
    closed_links, closed_places, opened_links
        The united closures and openings (a link both opened and closed stays closed).
    """

    def __init__(self, G: nx.MultiDiGraph, scenarios: Sequence[Scenario]) -> None:
        self.scenarios = tuple(scenarios)
        self.name = "+".join(s.name for s in self.scenarios) or "baseline"
        self.closed_links = frozenset().union(*(s.close_links for s in self.scenarios))
        self.closed_places = frozenset().union(*(s.close_nodes for s in self.scenarios))
        self.opened_links = (
            frozenset().union(*(s.open_links for s in self.scenarios)) - self.closed_links
        )

        def prod(attr: str) -> dict[str, float]:
            out: dict[str, float] = {}
            for s in self.scenarios:
                for k, f in getattr(s, attr).items():
                    out[k] = out.get(k, 1.0) * f
            return out

        self.scaling = Scaling(
            speed=prod("speed"),
            dwell_transfer=prod("dwell_transfer"),
            dwell_border=prod("dwell_border"),
            dwell_canal=prod("dwell_canal"),
            wait=prod("wait"),
        )
        self.capacity_mode = prod("capacity_mode")
        self.capacity_link = prod("capacity_link")
        self.capacity_node = prod("capacity_node")

    @property
    def speed(self) -> Mapping[str, float]:
        """Factor on speed, by mode."""
        return self.scaling.speed

    @property
    def dwell_transfer(self) -> Mapping[str, float]:
        """Factor on transfer dwell, by transfer kind."""
        return self.scaling.dwell_transfer

    @property
    def dwell_border(self) -> Mapping[str, float]:
        """Factor on border dwell, by link id, country pair or ``"*"``."""
        return self.scaling.dwell_border

    @property
    def dwell_canal(self) -> Mapping[str, float]:
        """Factor on canal transit, by canal."""
        return self.scaling.dwell_canal

    @property
    def wait(self) -> Mapping[str, float]:
        """Factor on the wait for a departure, by service."""
        return self.scaling.wait

    @property
    def scales_time(self) -> bool:
        """Whether the scenarios rescale any time."""
        return bool(self.scaling)

    # -- the changes, as a table ---------------------------------------------------------
    def to_dict(self) -> list[dict[str, Any]]:
        """Every change applied, one row each.

        Columns: ``change`` (what), ``target`` (which id, mode or kind) and ``value`` (a
        factor, or ``None`` for closures and openings).
        """
        rows: list[dict[str, Any]] = []
        for change, ids in (
            ("close link", self.closed_links),
            ("close place", self.closed_places),
            ("open link", self.opened_links),
        ):
            rows += [{"change": change, "target": i, "value": None} for i in sorted(ids)]
        for change, table in (
            ("speed", self.speed),
            ("dwell (transfer)", self.dwell_transfer),
            ("dwell (border)", self.dwell_border),
            ("dwell (canal)", self.dwell_canal),
            ("wait", self.wait),
            ("capacity (mode)", self.capacity_mode),
            ("capacity (link)", self.capacity_link),
            ("capacity (place)", self.capacity_node),
        ):
            rows += [{"change": change, "target": k, "value": v} for k, v in sorted(table.items())]
        return rows

    def to_frame(self):
        """The changes applied, one row each (see :meth:`to_dict`)."""
        import pandas as pd

        return pd.DataFrame(self.to_dict(), columns=["change", "target", "value"])

    # -- time -----------------------------------------------------------------------------
    def edge_time_h(self, d: Mapping[str, Any]) -> float:
        """The scenario's ``time_h`` of one edge (see :class:`corridormap.model.Scaling`)."""
        return self.scaling.time_h(d) if self.scaling else float(d["time_h"])

    def weight(self, by: str = "time_h", *, clock: str = "transit") -> Weight:
        """The :class:`~corridormap.weights.Weight` of this scenario, labelled with its name.

        It carries the scenario's closures, openings and rescaled times, on ``clock``
        (``transit`` or ``door-to-door``).
        """
        return make_weight(
            objective_attr(by),
            closed_links=self.closed_links,
            closed_places=self.closed_places,
            opened_links=self.opened_links,
            scaling=self.scaling if self.scaling else None,
            scenario=self.name,
            clock=clock,
        )

    # -- capacity -------------------------------------------------------------------------
    def link_capacity(self, d: Mapping[str, Any]) -> float | None:
        """The scaled capacity of a link (its properties or any of its edges), or ``None``."""
        cap = d.get("capacity")
        if cap is None:
            return None
        lid = d.get("link_id", d.get("id"))
        f = self.capacity_mode.get(d.get("mode"), 1.0) * self.capacity_link.get(lid, 1.0)
        return float(cap) * f

    def node_capacity(self, place: str, props: Mapping[str, Any]) -> float | None:
        """The scaled capacity of a place, or ``None``."""
        cap = props.get("capacity")
        if cap is None:
            return None
        return float(cap) * self.capacity_node.get(place, 1.0)

    def __repr__(self) -> str:
        parts = []
        if self.closed_links:
            parts.append(f"closed links {sorted(self.closed_links)}")
        if self.closed_places:
            parts.append(f"closed places {sorted(self.closed_places)}")
        if self.opened_links:
            parts.append(f"opened {sorted(self.opened_links)}")
        if self.scales_time:
            parts.append("times rescaled")
        if self.capacity_mode or self.capacity_link or self.capacity_node:
            parts.append("capacities rescaled")
        return f"<AppliedScenario {self.name}: {'; '.join(parts) or 'no changes'}>"


def apply_scenario(
    G: nx.MultiDiGraph,
    scenario_or_scenarios: ScenarioLike | Iterable[ScenarioLike] | None,
) -> AppliedScenario:
    """Apply one scenario, or several composed, to ``G`` without changing it.

    Parameters
    ----------
    G
        The network.
    scenario_or_scenarios
        A :class:`Scenario`, a scenario name or path, or a list of them (composed in order:
        closures united, factors multiplied). ``None`` or ``"baseline"`` is the baseline.

    Returns
    -------
    AppliedScenario
        Use ``.weight(by)`` with :func:`corridormap.route`, and its capacities with
        :func:`corridormap.min_cut`.

    Raises
    ------
    ScenarioError
        If a scenario names an id that is not in ``G``.
    """
    check_graph(G, "apply_scenario")
    if scenario_or_scenarios is None:
        items: list[ScenarioLike] = []
    elif isinstance(scenario_or_scenarios, Scenario | str | os.PathLike):
        items = [scenario_or_scenarios]
    elif isinstance(scenario_or_scenarios, Iterable):
        items = list(scenario_or_scenarios)
    else:
        raise InputError(
            "a scenario must be a Scenario, a scenario name or path, or a list of them, "
            f"got {type(scenario_or_scenarios).__name__}"
        )
    out = []
    for s in items:
        sc = s if isinstance(s, Scenario) else load_scenario(s, G)
        out.append(sc.validate(G))
    return AppliedScenario(G, out)


# -- comparison -----------------------------------------------------------------------------
COMPARISON_FIELDS = (
    "pair",
    "scenario",
    "days",
    "baseline_days",
    "delta_days",
    "cost_usd",
    "baseline_cost_usd",
    "delta_cost_usd",
    "route_nodes",
)


@dataclass
class ScenarioComparison:
    """Days and cost per origin-destination pair, scenario against baseline.

    ``rows`` hold :data:`COMPARISON_FIELDS`; ``days`` is ``None`` where the scenario leaves
    no route (``note`` says so).
    """

    rows: list[dict[str, Any]]
    by: str = "time_h"

    def to_dict(self) -> list[dict[str, Any]]:
        """Every row (copies), as plain data for JSON."""
        return [dict(r) for r in self.rows]

    def to_frame(self):
        """A pandas DataFrame, one row per pair and scenario."""
        import pandas as pd

        return pd.DataFrame(self.to_dict(), columns=[*COMPARISON_FIELDS, "note"])

    def __repr__(self) -> str:
        lines = [f"<ScenarioComparison by {self.by}, {len(self.rows)} rows>"]
        for r in self.rows:
            d = "no route" if r["days"] is None else f"{r['days']:.1f} d ({r['delta_days']:+.1f})"
            lines.append(f"  {r['pair']:<32} {r['scenario']:<28} {d}")
        return "\n".join(lines)


def _route_totals(
    G: nx.MultiDiGraph, origin: str, destination: str, view: AppliedScenario, by: str, clock: str
) -> tuple[float, float, list[str]]:
    r = route(G, origin, destination, weight=view.weight(by, clock=clock))
    return r.time_h, r.cost_usd, r.nodes


def compare_scenarios(
    G: nx.MultiDiGraph,
    pairs: Iterable[tuple[str, str]],
    scenarios: Iterable[ScenarioLike | Sequence[ScenarioLike]],
    *,
    by: str = "time_h",
    clock: str = "transit",
) -> ScenarioComparison:
    """Best route per pair under each scenario, against the baseline: expected figures.

    Parameters
    ----------
    G
        The network (not modified).
    pairs
        ``(origin, destination)`` place names or ids.
    scenarios
        Scenario names, paths or :class:`Scenario` objects; an inner list composes several
        into one (``[["rasht-astara-railway", "red-sea-closed"]]``).
    by
        What the routes minimise (its expected value).
    clock
        ``transit`` or ``door-to-door``: the clock of the days.

    Returns
    -------
    ScenarioComparison
    """
    from .places import resolve_end_place

    check_graph(G, "compare_scenarios")
    attr = objective_attr(by)
    views = []
    for s in scenarios:
        views.append(
            apply_scenario(G, s if isinstance(s, list | tuple) else [s])  # type: ignore[arg-type]
        )
    check_distinct(views)
    base = AppliedScenario(G, [])
    rows = []
    for o, d in pairs:
        o_id = resolve_end_place(G, o, "origin")
        d_id = resolve_end_place(G, d, "destination")
        pair = f"{o} - {d}"
        try:
            bt, bc, _ = _route_totals(G, o_id, d_id, base, attr, clock)
            bdays: float | None = bt / 24
        except NoRouteError:
            bdays, bc = None, math.nan
        for view in views:
            row: dict[str, Any] = {"pair": pair, "scenario": view.name}
            try:
                t, c, nodes = _route_totals(G, o_id, d_id, view, attr, clock)
                days: float | None = t / 24
                note = ""
            except (NoRouteError, UnknownPlaceError) as exc:
                days, c, nodes, note = None, math.nan, [], str(exc)
            row.update(
                {
                    "days": None if days is None else round(days, 3),
                    "baseline_days": None if bdays is None else round(bdays, 3),
                    "delta_days": None if days is None or bdays is None else round(days - bdays, 3),
                    "cost_usd": None if days is None else round(c, 1),
                    "baseline_cost_usd": None if bdays is None else round(bc, 1),
                    "delta_cost_usd": None if days is None or bdays is None else round(c - bc, 1),
                    "route_nodes": nodes,
                    "note": note,
                }
            )
            rows.append(row)
    return ScenarioComparison(rows, by=attr)
