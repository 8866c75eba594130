"""The corridor explorer's data: every pair, scenario and clock, with each family's route.

:func:`explorer_data` computes, for origins x destinations x scenarios and on each clock, what
``corridormap compare FROM TO --draws N --seed K --clock CLOCK --scenario NAME`` prints: each
route family's route (the least expected days on the clock, under the scenario), its expected
days and USD per TEU with their P10/P50/P90 from the same draws, the expected wait for the
first departure, CO2, borders and transshipments; the family with the least expected days;
and the probability that the INSTC's best branch arrives before each sea family. It runs the
sweep's machinery (:func:`corridormap.sweep.partition.pair_results`: one shortest-path tree per
origin, scenario, clock and family, one Monte Carlo per distinct set of routes), so the figures
are the sweep's and ``compare``'s: days and CO2 to :data:`DIGITS` decimals, USD to the dollar,
so that the page, printing them to 0.1 day and 1 kg, rounds once, as ``compare`` prints them
(a figure first rounded to 0.01 could print otherwise: 28.749 -> 28.75 -> 28.8).

:func:`explorer_data_from_sweep` reads those figures from a sweep table instead (``corridormap
sweep --clock transit --clock door-to-door``, run on a cluster perhaps) and recomputes only the
routes, checking each against the table's.

Each route is stored once (its links, places, length and time-distance steps, labelled as in
the static charts: :func:`corridormap.profile.route_profile`), each link's geometry once. The
result is the data of :mod:`corridormap.render.explorer` (its docstring states the schema);
:func:`corridormap.render.explorer.write_explorer` writes the page.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

from . import __version__
from ._errors import GeodataError, InputError, NoRouteError, ScenarioError, UnknownPlaceError
from ._progress import Progress
from ._schema import MAX_DRAWS, check_count, check_graph
from .families import Family, network_families, resolve_families
from .places import places, resolve_endpoints
from .profile import route_profile
from .routing import route_from_path
from .sweep.job import Job, scenario_items
from .sweep.partition import PairResult, pair_results
from .sweep.search import PairRoute
from .sweep.table import SWEEP_COLUMNS, Summary, read_table
from .weights import CLOCKS

__all__ = [
    "CLOCK_LABELS",
    "EXPLORER_VERSION",
    "TITLE",
    "default_ends",
    "default_scenarios",
    "explorer_data",
    "explorer_data_from_sweep",
]

log = logging.getLogger("corridormap")

#: the version of the explorer's data schema this module writes
EXPLORER_VERSION = 2
#: decimals kept of days and CO2: enough that the page's 0.1 day and 1 kg are rounded once
DIGITS = 6
#: the page's title
TITLE = "INSTC, Suez or the Cape? The corridor explorer"
#: how the page names each clock
CLOCK_LABELS = {
    "transit": "Transit (from handing the cargo to the first carrier)",
    "door-to-door": "Door to door (with the wait for the first departure)",
}
#: a profile step's kind in the explorer's data, by what the step is (else ``transfer``)
_STEP_KIND = {"border": "border", "canal": "canal", "schedule_wait": "wait"}


# -- the places offered ------------------------------------------------------------------------
def default_ends(G: nx.MultiDiGraph) -> tuple[list[str], list[str]]:
    """The origins and destinations the explorer offers when none are given.

    They are the ``[explorer]`` table of the data's ``analysis.toml`` (the bundled file's when
    the data's own has none): place names, kinds, regions or country codes. An item the
    network lacks is left out with a note; when none applies, every place but the
    chokepoints.

    Returns
    -------
    tuple of list
        Origin and destination place ids.
    """
    from .analysis import load_analysis

    spec = load_analysis(G.graph.get("directory")).explorer or load_analysis().explorer or {}
    out = []
    for key in ("origins", "destinations"):
        ids: dict[str, None] = {}
        for item in spec.get(key, ()):
            try:
                ids.update(dict.fromkeys(resolve_endpoints(G, [item], key)))
            except UnknownPlaceError:
                log.info("explorer %s: %r is not in this network, left out", key, item)
        if not ids:
            ids = dict.fromkeys(p for p, v in places(G).items() if v.get("kind") != "chokepoint")
        out.append(list(ids))
    return out[0], out[1]


def default_scenarios(G: nx.MultiDiGraph) -> list[str]:
    """The scenarios the explorer offers when none are given: every one of the data that applies.

    A scenario file (the data's own, then the bundled ones) that names a place or link this
    network lacks is left out with a note.

    Returns
    -------
    list of str
        Scenario names, the baseline not among them.
    """
    from .scenarios import list_scenarios, load_scenario

    out = []
    for name in list_scenarios(G):
        if name == "baseline":
            continue
        try:
            load_scenario(name, G).validate(G)
        except (ScenarioError, GeodataError) as exc:
            log.info("explorer: scenario %s left out: %s", name, exc)
            continue
        out.append(name)
    return out


# -- the data ----------------------------------------------------------------------------------
class _Collector:
    """The explorer's data as it is filled in: places, links, routes and results."""

    def __init__(self, G: nx.MultiDiGraph, clocks: Sequence[str]) -> None:
        self.G = G
        self.cat = places(G)
        self.clocks = list(clocks)
        self.links: dict[str, dict[str, Any]] = {}
        self.routes: dict[str, dict[str, Any]] = {}
        self.results: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
        self._content: dict[tuple, str] = {}  # a route's record -> its id
        self._seen: dict[tuple, tuple[str, float, int, int]] = {}  # scenario, edges -> route

    def name(self, pid: str) -> str:
        name = self.cat.get(pid, {}).get("name")
        return str(name) if name else pid

    def _link(self, leg: Any) -> None:
        lid = str(leg["link_id"])
        if lid in self.links:
            return
        edge = leg.edge
        geom = edge.get("geometry")
        if geom is not None and hasattr(geom, "coords"):
            coords = [[float(x), float(y)] for x, y, *_ in geom.coords]
        else:  # a hand-built edge: the straight line between its places
            coords = [
                [float(self.cat[p]["x"]), float(self.cat[p]["y"])] for p in (leg["from"], leg["to"])
            ]
        a, b = edge.get("from", leg["from"]), edge.get("to", leg["to"])
        self.links[lid] = {
            "mode": str(leg["mode"]),
            "name": f"{self.name(a)} – {self.name(b)}",
            "coords": coords,
        }

    def route(self, scenario: str, pr: PairRoute) -> tuple[str, float, int, int]:
        """A family's route as stored: its id, CO2 kg, borders and transshipments.

        A route taking the same edges under the same scenario is measured once; identical
        records share an id.
        """
        key = (
            scenario,
            pr.path,
            tuple((e.get("link_id"), e.get("transfer"), e.get("service")) for e in pr.edges),
        )
        hit = self._seen.get(key)
        if hit is not None:
            return hit
        if pr.weight is None:
            raise InputError("a route without the weight that found it cannot be measured")
        r = route_from_path(self.G, list(pr.path), pr.weight)
        for leg in r.legs:
            if leg["kind"] == "link":
                self._link(leg)
        steps = []
        for s in route_profile(r).steps:
            kind = "move" if s.kind == "move" else _STEP_KIND.get(s.what, "transfer")
            mode = str(s.what) if s.kind == "move" else ""
            steps.append([s.km[0], s.km[1], s.hours[1] - s.hours[0], kind, mode, s.label])
        record = {
            "links": list(r.link_ids),
            "places": list(r.nodes),
            "km": float(r.distance_km),
            "steps": steps,
        }
        content = (
            tuple(record["links"]),
            tuple(record["places"]),
            record["km"],
            tuple(tuple(s) for s in steps),
        )
        rid = self._content.get(content)
        if rid is None:
            rid = self._content[content] = f"r{len(self.routes)}"
            self.routes[rid] = record
        hit = self._seen[key] = (rid, float(r.co2_kg), int(r.borders), int(r.transshipments))
        return hit

    def add(self, res: PairResult, summary: Summary | None) -> None:
        """One pair, scenario and clock: each family's record, the best, the odds."""
        by_scen = self.results.setdefault(res.origin, {}).setdefault(res.destination, {})
        cell = by_scen.setdefault(res.scenario, {"families": {}, "best": {}, "p_instc_faster": {}})
        if summary is None:
            return
        c = res.clock
        for name, pr in res.routes.items():
            rid, co2, borders, transshipments = self.route(res.scenario, pr)
            cell["families"].setdefault(name, {})[c] = {
                "route": rid,
                "days": [round(float(x), DIGITS) for x in summary.days[name]],
                "usd": [round(float(x), 0) for x in summary.cost[name]],
                "schedule_wait_days": round(float(summary.wait[name]), DIGITS),
                "co2_kg": round(co2, DIGITS),
                "borders": borders,
                "transshipments": transshipments,
            }
        if summary.best is not None:
            cell["best"][c] = summary.best
        cell["p_instc_faster"][c] = {
            n: float(p) for n, p in summary.p_faster.items() if n in res.routes and p == p
        }

    def finish(self) -> dict[str, Any]:
        """The results with every family on every clock, pairs with no route left out."""
        out: dict[str, Any] = {}
        for o, by_dest in self.results.items():
            for d, by_scen in by_dest.items():
                for cell in by_scen.values():
                    fams = cell["families"]
                    for name in [n for n, rec in fams.items() if set(rec) != set(self.clocks)]:
                        log.warning("%s - %s: %s has no route on every clock, left out", o, d, name)
                        del fams[name]
                    if not fams:
                        cell["best"], cell["p_instc_faster"] = {}, {}
                    for c in self.clocks:
                        if cell["best"].get(c) not in fams:
                            cell["best"].pop(c, None)
                if any(cell["families"] for cell in by_scen.values()):
                    out.setdefault(o, {})[d] = by_scen
        return out


def _place_records(col: _Collector, results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The places the data names: the ends first (origins, then destinations), then the rest."""
    order: dict[str, None] = dict.fromkeys(results)
    for by_dest in results.values():
        order.update(dict.fromkeys(by_dest))
    for r in col.routes.values():
        order.update(dict.fromkeys(r["places"]))
    out = []
    for pid in order:
        p = col.cat.get(pid, {})
        aliases = p.get("aliases") or []
        out.append(
            {
                "id": pid,
                "name": col.name(pid),
                "aliases": [str(a) for a in aliases if str(a).strip()],
                "country": str(p.get("country") or ""),
                "kind": str(p.get("kind") or ""),
                "lat": float(p.get("y", 0.0)),
                "lon": float(p.get("x", 0.0)),
            }
        )
    return out


def _scenario_records(G: nx.MultiDiGraph, items: Sequence[tuple[str, tuple]]) -> list[dict]:
    """Each scenario's name, title, description and sources, from its file."""
    from .scenarios import load_scenario

    out = []
    for label, objs in items:
        if objs:
            description = " + ".join(s.description for s in objs if s.description)
            sources = [str(x) for s in objs for x in s.sources]
        else:
            try:
                base = load_scenario("baseline", G)
                description, sources = base.description, [str(x) for x in base.sources]
            except InputError:
                description, sources = "The network as it is, no scenario applied", []
        out.append(
            {
                "name": label,
                "title": label,
                "description": description,
                "sources": [s for s in sources if s.strip()],
            }
        )
    return out


def _credit(G: nx.MultiDiGraph) -> str:
    day = (G.graph.get("as_of") or {}).get("date")
    network = f"the network as of {day}" if day else "today's network"
    return (
        f"Made with corridormap {__version__} on {network}. Each figure is what "
        "'corridormap compare FROM TO --draws N --seed K --clock CLOCK --scenario NAME' "
        "prints: each family's route (the least expected days on the clock), its expected "
        "value and the P10/P50/P90 of a seeded Monte Carlo. Data: GeoNames (CC BY 4.0), "
        "Eurostat MARNET via searoute, corridormap geodata (every figure's source in its files)."
    )


def _assemble(
    G: nx.MultiDiGraph,
    col: _Collector,
    fams: Sequence[Family],
    items: Sequence[tuple[str, tuple]],
    draws: int,
    seed: int | None,
    title: str,
) -> dict[str, Any]:
    results = col.finish()
    if not results:
        raise NoRouteError("no family connects any origin with any destination")
    return {
        "version": EXPLORER_VERSION,
        "title": title,
        "credit": _credit(G),
        "draws": int(draws),
        "seed": int(seed) if seed is not None else 0,
        "clocks": [{"name": c, "label": CLOCK_LABELS[c]} for c in col.clocks],
        "places": _place_records(col, results),
        "links": col.links,
        "families": [{"name": f.name, "label": f.label, "instc": f.instc} for f in fams],
        "scenarios": _scenario_records(G, items),
        "routes": col.routes,
        "results": results,
    }


def _ticking(
    results: Iterable[PairResult], n_origins: int, show: bool | str | None
) -> Iterator[PairResult]:
    """``results``, with progress on stderr counting origins (:class:`~._progress.Progress`)."""
    with Progress(n_origins, desc="explorer", unit="origin", show=show) as bar:
        last = None
        for res in results:
            if last is not None and res.origin != last:
                bar.update(1)
            last = res.origin
            yield res
        bar.update(1 if last is not None else 0)


def explorer_data(
    G: nx.MultiDiGraph,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    scenarios: Iterable[Any] | None = None,
    families: Iterable[str | Family] | None = None,
    draws: int = 10_000,
    seed: int | None = 0,
    clocks: Sequence[str] = CLOCKS,
    title: str = TITLE,
    progress: bool | str | None = None,
) -> dict[str, Any]:
    """The explorer's data for origins x destinations x scenarios, on each clock.

    Parameters
    ----------
    G
        The network.
    origins, destinations
        Place ids or names, kinds (``port``), regions or ISO country codes
        (:func:`corridormap.places.resolve_endpoints`); default :func:`default_ends`.
    scenarios
        Scenario names, files or :class:`~corridormap.Scenario` objects, each on its own;
        default every scenario of the network's data. The baseline is always included, first.
    families
        Family names (default every family of the network's ``families.toml``).
    draws, seed
        The Monte Carlo of :func:`corridormap.compare`.
    clocks
        The clocks the page offers (each routes and figures of its own).
    title
        The page's title.
    progress
        Progress on stderr, one step per origin (as
        :func:`corridormap._progress.progress_mode` takes it: by default a bar on a
        terminal, nothing off one).

    Returns
    -------
    dict
        The data of :mod:`corridormap.render.explorer` (schema version
        :data:`EXPLORER_VERSION`). For each origin, destination, scenario, family and clock
        the record is ``compare(G, o, d, draws=draws, seed=seed, clock=clock, weight=<the
        scenario's>)``'s, days and CO2 to :data:`DIGITS` decimals and USD to the dollar.

    Raises
    ------
    InputError
        If an argument is invalid.
    UnknownPlaceError
        If a place, kind, region or country is not known.
    NoRouteError
        If no family connects any origin with any destination.
    """
    check_graph(G, "explorer_data")
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    clocks = _check_clocks(clocks)
    if origins is None or destinations is None:
        o_default, d_default = default_ends(G)
    os_ = resolve_endpoints(G, origins, "origins") if origins is not None else o_default
    ds = (
        resolve_endpoints(G, destinations, "destinations")
        if destinations is not None
        else d_default
    )
    if scenarios is None:
        scenarios = default_scenarios(G)
    items = scenario_items(G, scenarios)
    fams = resolve_families(families, network_families(G))
    job = Job(
        destinations=tuple(ds),
        scenarios=tuple(items),
        families=tuple(fams),
        named_families=families is not None,
        draws=draws,
        seed=seed,
        by="time_h",
        clocks=clocks,
        names={},
    )
    col = _Collector(G, clocks)
    for res in _ticking(pair_results(G, os_, job), len(os_), progress):
        col.add(res, res.summary)
    return _assemble(G, col, fams, items, draws, seed, title)


def _check_clocks(clocks: Sequence[str]) -> tuple[str, ...]:
    given = [clocks] if isinstance(clocks, str) else list(clocks)
    if not given or any(c not in CLOCKS for c in given):
        raise InputError(f"clocks must be some of {', '.join(CLOCKS)}, got {given!r}")
    return tuple(dict.fromkeys(given))


# -- from a sweep table ------------------------------------------------------------------------
def _one(frame: Any, column: str, where: str) -> Any:
    values = frame[column].dropna().unique()
    if len(values) != 1:
        raise InputError(f"{where}: the table's {column} must be one value, got {list(values)[:5]}")
    return values[0]


def _table_scenarios(G: nx.MultiDiGraph, labels: Sequence[str], where: str) -> list:
    """The scenarios of a sweep table (its labels), loaded from the network's data."""
    from .scenarios import list_scenarios

    known = set(list_scenarios(G))
    missing = [s for s in labels if s != "baseline" and s not in known]
    if missing:
        raise InputError(
            f"{where}: scenario {', '.join(map(repr, missing))} is not one of this network's "
            f"scenarios ({', '.join(sorted(known))}): give the --data the table was swept on"
        )
    return scenario_items(G, [s for s in labels if s != "baseline"])


def _summary(rows: Sequence[Mapping[str, Any]]) -> Summary:
    """A pair's figures on one clock as the sweep table gives them."""
    days, cost, wait, p = {}, {}, {}, {}
    for r in rows:
        if not r["reachable"]:
            continue
        f = r["family"]
        days[f] = tuple(float(r[f"days_{k}"]) for k in ("expected", "p10", "p50", "p90"))
        cost[f] = tuple(float(r[f"cost_usd_{k}"]) for k in ("expected", "p10", "p50", "p90"))
        wait[f] = float(r["schedule_wait_days"])
        x = r["p_instc_faster"]
        if not r["instc"] and x is not None and not (isinstance(x, float) and math.isnan(x)):
            p[f] = float(x)
    best = rows[0]["best_family"] if rows else None
    return Summary(days, cost, wait, best if best in days else None, p)


def explorer_data_from_sweep(
    G: nx.MultiDiGraph,
    table: Any,
    *,
    title: str = TITLE,
    progress: bool | str | None = None,
) -> dict[str, Any]:
    """The explorer's data from a sweep table: its figures, the routes recomputed.

    The table is what :func:`corridormap.sweep.sweep` returns or ``corridormap sweep`` writes
    (CSV or Parquet), swept by time (``--by time``, the default) on this network. Its
    numbers are read as they are; each family's route is found again (the sweep's own search,
    no Monte Carlo) for its links, places and profile, and must be the table's.

    Parameters
    ----------
    G
        The network the table was swept on (the same data and ``--as-of``).
    table
        A sweep table (a pandas DataFrame) or the path of one.
    title
        The page's title.
    progress
        Progress on stderr, one step per origin (as
        :func:`corridormap._progress.progress_mode` takes it: by default a bar on a
        terminal, nothing off one).

    Returns
    -------
    dict
        The data of :mod:`corridormap.render.explorer`, on the clocks the table has (a
        table of one clock gives a page of one clock).

    Raises
    ------
    InputError
        If the table lacks a column, mixes draws or seeds, names a scenario, family or place
        this network lacks, or a route differs from the one found here.
    """
    check_graph(G, "explorer_data_from_sweep")
    where = "the sweep table"
    if isinstance(table, str | os.PathLike):
        where = os.fspath(table)
        table = read_table(table)
    missing = [c for c in SWEEP_COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"{where}: not a sweep table: no column {', '.join(missing)}")
    if table.empty:
        raise InputError(f"{where}: the table has no rows")
    draws = int(_one(table, "draws", where))
    seed_value = _one(table, "seed", where)
    seed = int(seed_value)
    clocks = tuple(c for c in CLOCKS if c in set(table["clock"]))
    others = sorted(set(table["clock"]) - set(CLOCKS))
    if others or not clocks:
        raise InputError(f"{where}: unknown clock {', '.join(map(str, others))}")
    if len(clocks) < len(CLOCKS):
        log.warning(
            "%s has only the %s clock: the explorer offers that clock alone "
            "(corridormap sweep --clock transit --clock door-to-door gives both)",
            where,
            clocks[0],
        )
    cat = places(G)
    for col_name in ("origin", "destination"):
        unknown = sorted(set(table[col_name]) - set(cat))
        if unknown:
            raise InputError(
                f"{where}: {col_name} {', '.join(unknown[:5])} not in this network: give the "
                "--data (and --as-of) the table was swept on"
            )
    os_ = list(dict.fromkeys(table["origin"]))
    ds = list(dict.fromkeys(table["destination"]))
    items = _table_scenarios(G, list(dict.fromkeys(table["scenario"])), where)
    try:
        fams = resolve_families(list(dict.fromkeys(table["family"])), network_families(G))
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    rows: dict[tuple, list[dict[str, Any]]] = {}
    for r in table.to_dict("records"):
        rows.setdefault((r["origin"], r["destination"], r["scenario"], r["clock"]), []).append(r)
    job = Job(
        destinations=tuple(ds),
        scenarios=tuple(items),
        families=tuple(fams),
        named_families=False,
        draws=draws,
        seed=seed,
        by="time_h",
        clocks=clocks,
        names={},
    )
    col = _Collector(G, clocks)
    found = pair_results(G, os_, job, monte_carlo=False)
    for res in _ticking(found, len(os_), progress):
        mine = rows.get((res.origin, res.destination, res.scenario, res.clock))
        if not mine:
            continue
        _check_routes(res, mine, where)
        _check_best(res, mine, where)
        col.add(res, _summary(mine) if res.routes else None)
    return _assemble(G, col, fams, items, draws, seed, title)


def _check_routes(res: PairResult, rows: Sequence[Mapping[str, Any]], where: str) -> None:
    """The routes found here are the table's (reachable families and their places)."""
    for r in rows:
        fam = r["family"]
        ours = res.routes.get(fam)
        theirs = r["nodes"] if r["reachable"] else None
        mine = " ".join(ours.nodes) if ours is not None else None
        if mine != theirs:
            raise InputError(
                f"{where}: {fam} from {res.origin} to {res.destination} ({res.scenario}, "
                f"{res.clock} clock) is {theirs or 'unreachable'} in the table but "
                f"{mine or 'unreachable'} on this network: sweep and explorer need the same "
                "data, --as-of and --by time"
            )


def _check_best(res: PairResult, rows: Sequence[Mapping[str, Any]], where: str) -> None:
    """The table's best family is the one of least expected days (a sweep ``--by time``)."""
    routed = [r for r in rows if r["reachable"]]
    if not routed:
        return
    fastest = min(routed, key=lambda r: float(r["days_expected"]))["family"]
    if rows[0]["best_family"] != fastest:
        raise InputError(
            f"{where}: from {res.origin} to {res.destination} ({res.scenario}, {res.clock} "
            f"clock) the table's best family is {rows[0]['best_family']}, not the fastest "
            f"({fastest}): the explorer reads tables swept by time (corridormap sweep --by time)"
        )
