"""Route families compared: time on both clocks, cost and CO2, with uncertainty.

For each route family (INSTC western, Trans-Caspian, eastern; Suez; Cape; see
:mod:`corridormap.families`) the family's route is the best on the network as the family sees
it: the least expected time (or cost) on the clock asked for, the route
:func:`corridormap.route` finds. Its headline is that expected value; the Monte Carlo of
:mod:`corridormap.uncertainty` gives the spread (P10/P50/P90) of the same routes in the same
draws, on the transit and the door-to-door clocks. :func:`compare` also gives the probability
that the INSTC's route arrives before each sea family's, and the tornado of the parameters that
move that gap most; :func:`scenario_percentiles` gives a pair's route under scenarios beside
the baseline's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import NoRouteError, UnknownPlaceError
from ._schema import MAX_DRAWS, check_count
from .families import Family, family_routes, network_families, resolve_families
from .routing import Route
from .uncertainty import (
    DRAWS,
    RouteTerms,
    Simulation,
    evaluate,
    expected_row,
    param_array,
    percentiles,
    route_percentiles,
    simulate,
    summary,
)
from .weights import CLOCKS, Weight, as_weight

__all__ = [
    "SCENARIO_PERCENTILE_FIELDS",
    "Comparison",
    "compare",
    "scenario_percentiles",
]

#: the time figures of a family, each ``{"expected", "p10", "p50", "p90"}``
_CLOCK_FIGURES = ("transit_days", "schedule_wait_days", "door_to_door_days")


# -- result ----------------------------------------------------------------------------------
@dataclass
class Comparison:
    """The families compared between two places.

    Attributes
    ----------
    origin, destination
        Place ids.
    families
        The families compared, in order.
    routes
        Family name -> the family's route (least expected objective on ``clock``).
    simulation
        The routes' Monte Carlo: per draw and family, transit days, days waiting for the
        first departure and USD per TEU.
    expected
        Family name -> the route's expected ``transit`` and ``wait`` days and ``cost`` USD/TEU
        (what the draws' means approach; the routes were chosen by them).
    clock
        The clock the routes were chosen on and the headline is given on.
    sensitivity
        Rows of the tornado table: parameter, gap_low_days, gap_high_days, swing_days.
    reference
        The sea family the INSTC is measured against by default (``families.toml``).
    scenario
        The scenario(s) every family was routed under.
    """

    origin: str
    destination: str
    families: list[Family]
    routes: dict[str, Route]
    simulation: Simulation
    expected: dict[str, dict[str, float]]
    draws: int
    seed: int | None
    by: str
    clock: str = "transit"
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)
    reference: str | None = "suez"
    scenario: str = "baseline"
    #: the parameter file the Monte Carlo drew from (for the charts' P10-P90 bands)
    params: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def days(self) -> dict[str, np.ndarray]:
        """Family name -> days per draw on the comparison's clock."""
        return self.days_on(self.clock)

    def days_on(self, clock: str) -> dict[str, np.ndarray]:
        """Family name -> days per draw on ``clock`` (``transit`` or ``door-to-door``)."""
        sim = self.simulation
        days = sim.days(clock)
        return {name: days[:, j] for j, name in enumerate(sim.names)}

    @property
    def cost_usd(self) -> dict[str, np.ndarray]:
        """Family name -> USD per TEU per draw."""
        sim = self.simulation
        return {name: sim.cost[:, j] for j, name in enumerate(sim.names)}

    def expected_days(self, family: str, clock: str | None = None) -> float:
        """The expected days of a family's route on ``clock`` (default the comparison's)."""
        e = self.expected[family]
        return e["transit"] if (clock or self.clock) == "transit" else e["transit"] + e["wait"]

    def instc_family(self) -> str | None:
        """The INSTC branch whose route is best: least expected time (or cost) on the clock."""
        names = [f.name for f in self.families if f.instc and f.name in self.routes]
        if not names:
            return None
        if self.by == "cost_usd":
            return min(names, key=lambda n: self.expected[n]["cost"])
        return min(names, key=self.expected_days)

    def instc_days(self) -> np.ndarray | None:
        """Per draw, the days of the INSTC's best branch (:meth:`instc_family`) on the clock."""
        best = self.instc_family()
        return None if best is None else self.days[best]

    def p_instc_beats(self, family: str | None = None, clock: str | None = None) -> float | None:
        """The probability that the INSTC's best route arrives before ``family``'s.

        Both routes are held fixed (chosen by their expected value); the probability is the
        share of draws in which the INSTC's is the quicker on ``clock`` (default the
        comparison's). ``family`` defaults to the reference sea family of the network's
        ``families.toml``.
        """
        family = family or self.reference
        best = self.instc_family()
        if best is None or family not in self.routes:
            return None
        days = self.days_on(clock or self.clock)
        return float(np.mean(days[best] < days[family]))

    def to_records(self, digits: int | None = 2) -> list[dict[str, Any]]:
        """One record per family with a route.

        Parameters
        ----------
        digits : int or None, default 2
            Decimals of the day figures (cost to the dollar, distance and CO2 to 0.1). None
            keeps them unrounded, for text that rounds them once itself: a figure rounded
            to 2 decimals and then to 1 can differ from the same figure rounded to 1
            (28.749 -> 28.75 -> 28.8, against 28.7 printed by ``route``).

        Returns
        -------
        list of dict
            ``family``, ``label``, ``distance_km``, ``clock``, ``days`` (on that clock),
            ``transit_days``, ``schedule_wait_days``, ``door_to_door_days`` and ``cost_usd``
            (each ``{"expected", "p10", "p50", "p90"}``), ``co2_kg``, ``borders``,
            ``transshipments`` and ``nodes``.
        """
        rows = []
        sim = self.simulation
        tenth, dollar = (1, 0) if digits is not None else (None, None)
        for fam in self.families:
            if fam.name not in self.routes:
                continue
            r = self.routes[fam.name]
            j = sim.column(fam.name)
            draws = {
                "transit_days": sim.transit[:, j],
                "schedule_wait_days": sim.wait[:, j],
                "door_to_door_days": sim.transit[:, j] + sim.wait[:, j],
            }
            row: dict[str, Any] = {
                "family": fam.name,
                "label": fam.label,
                "distance_km": _round(r.distance_km, tenth),
                "clock": self.clock,
            }
            e = self.expected[fam.name]
            means = {
                "transit_days": e["transit"],
                "schedule_wait_days": e["wait"],
                "door_to_door_days": e["transit"] + e["wait"],
            }
            for name in _CLOCK_FIGURES:
                row[name] = _rounded(summary(draws[name], means[name]), digits)
            row["days"] = row["transit_days" if self.clock == "transit" else "door_to_door_days"]
            row["cost_usd"] = _rounded(summary(sim.cost[:, j], e["cost"]), dollar)
            row.update(
                co2_kg=_round(r.co2_kg, tenth),
                borders=r.borders,
                transshipments=r.transshipments,
                nodes=r.nodes,
            )
            rows.append(row)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data for JSON.

        It holds the run's settings, :meth:`to_records`, the INSTC's best branch and the
        probability that its route arrives before each non-INSTC family's (on both clocks),
        the unreachable families and the sensitivity.
        """
        sea = [f.name for f in self.families if not f.instc and f.name in self.routes]
        return {
            "origin": self.origin,
            "destination": self.destination,
            "draws": self.draws,
            "seed": self.seed,
            "by": self.by,
            "clock": self.clock,
            "scenario": self.scenario,
            "reference": self.reference,
            "families": self.to_records(),
            "instc_family": self.instc_family(),
            "p_instc_faster": {name: self.p_instc_beats(name) for name in sea},
            "p_instc_faster_by_clock": {
                clock: {name: self.p_instc_beats(name, clock) for name in sea} for clock in CLOCKS
            },
            "unreachable": self.unreachable,
            "sensitivity": self.sensitivity,
        }

    def to_frame(self, digits: int | None = 2):
        """One row per family: its figures, expected and P10/P50/P90.

        Distance; days on the comparison's clock, transit, waiting for the first departure and
        door to door, and cost (each expected, P10, P50, P90); CO2, borders, transshipments,
        nodes. ``digits`` is :meth:`to_records`'.
        """
        import pandas as pd

        flat = []
        figures = ("days", "transit_days", "schedule_wait_days", "door_to_door_days", "cost_usd")
        for row in self.to_records(digits):
            out = {k: v for k, v in row.items() if k not in figures}
            for q in figures:
                for k in ("expected", "p10", "p50", "p90"):
                    out[f"{q}_{k}"] = row[q][k]
            out["nodes"] = " ".join(row["nodes"])
            flat.append(out)
        cols = ["family", "label", "distance_km", "clock"]
        cols += [f"{q}_{k}" for q in figures for k in ("expected", "p10", "p50", "p90")]
        cols += ["co2_kg", "borders", "transshipments", "nodes"]
        return pd.DataFrame(flat, columns=cols)

    def sensitivity_frame(self):
        """The sensitivity of the INSTC-reference gap as a pandas DataFrame, one row per parameter.

        Columns: ``parameter``, ``gap_low_days``, ``gap_high_days`` and ``swing_days``.
        """
        import pandas as pd

        return pd.DataFrame(
            self.sensitivity, columns=["parameter", "gap_low_days", "gap_high_days", "swing_days"]
        )

    def __repr__(self) -> str:
        parts = [f"{r['family']} {r['days']['expected']:.1f} d" for r in self.to_records(None)]
        return (
            f"<Comparison {self.origin} -> {self.destination} ({self.clock}, expected; "
            f"{self.draws} draws): " + ", ".join(parts) + ">"
        )

    def _repr_html_(self) -> str:
        frame = self.to_frame(None).drop(columns=["nodes"])
        return frame.to_html(index=False, float_format="%.1f")

    def plot(self, *, top: int = 10):
        """A matplotlib figure of this comparison.

        It shows days and cost per family (expected, with P10-P90 bars), the sensitivity
        tornado, and a time-distance panel per family (its route, with the P10-P90 band from
        the same draws and seed).
        """
        from .render.charts import comparison_figure

        return comparison_figure(self, top=top)


def _round(v: float, nd: int | None) -> float:
    return float(v) if nd is None else round(v, nd)


def _rounded(d: Mapping[str, float], nd: int | None) -> dict[str, float]:
    return {k: _round(v, nd) for k, v in d.items()}


# -- the comparison -------------------------------------------------------------------------
def compare(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    families: Iterable[str | Family] | None = None,
    draws: int = DRAWS,
    seed: int | None = 0,
    by: str = "time_h",
    clock: str = "transit",
    weight: Weight | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Compare route families between two places, with a seeded Monte Carlo.

    Parameters
    ----------
    G
        The network.
    origin, destination
        Place ids, names or aliases.
    families
        Family names (or :class:`~corridormap.families.Family` objects) to compare; default
        every family of the network's geodata (``families.toml``).
    draws
        Monte Carlo draws (each draws every parameter once, shared by all families).
    seed
        Random seed; the same seed gives the same numbers.
    by
        What "best" means when picking each family's route: ``time_h`` or ``cost_usd``
        (least expected value).
    clock
        ``transit`` (default: from handing the cargo to the first carrier) or
        ``door-to-door`` (with the wait for the first departure): the clock the routes are
        chosen on and the headline is given on. Both clocks' figures are in the result.
    weight
        A :class:`~corridormap.weights.Weight` whose closures and scenario every family
        starts from (e.g. ``apply_scenario(G, "red-sea-closed").weight()``).
    progress
        Show a progress bar on stderr; default only for runs over 200,000 draws on a
        terminal.

    Returns
    -------
    Comparison

    Raises
    ------
    NoRouteError
        If no family connects the two places.
    InputError
        If an argument is invalid.
    """
    from .places import resolve_end_place

    draws = check_count(draws, "draws", high=MAX_DRAWS)  # ~200 bytes a draw: 2e6 ~ 400 MB
    o = resolve_end_place(G, origin, "origin")
    d = resolve_end_place(G, destination, "destination")
    table = network_families(G)
    fams = resolve_families(families, table)
    base = as_weight(weight, by).on_clock(clock)
    params = G.graph["params"]
    routes, unreachable = family_routes(G, o, d, fams, base, named=families is not None)
    if not routes:
        raise NoRouteError(
            f"no route family connects {o} and {d}: "
            + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        )
    T = RouteTerms.of(routes)
    e = T.expected(params)
    ref = table.reference if table.reference in {f.name for f in fams} else None
    comp = Comparison(
        origin=o,
        destination=d,
        families=fams,
        routes=routes,
        simulation=_simulate_with_progress(params, T, draws, seed, progress),
        expected={name: {k: float(v[j]) for k, v in e.items()} for j, name in enumerate(T.names)},
        draws=draws,
        seed=seed,
        by=base.by,
        clock=base.clock,
        unreachable=unreachable,
        reference=ref,
        scenario=base.scenario,
        params=params,
    )
    comp.sensitivity = _tornado(params, T, comp)
    return comp


def _simulate_with_progress(
    params: Mapping[str, Any], T: RouteTerms, draws: int, seed: Any, progress: bool | None
) -> Simulation:
    """:func:`~corridormap.uncertainty.simulate`, with a progress bar if wanted."""
    import sys

    show = progress if progress is not None else (draws > 200_000 and sys.stderr.isatty())
    if not show:
        return simulate(params, T, draws, seed)
    from tqdm import tqdm

    with tqdm(total=draws, unit="draw", desc="Monte Carlo") as bar:
        return simulate(params, T, draws, seed, bar)


def _tornado(params, T: RouteTerms, comp: Comparison) -> list[dict[str, Any]]:
    """How much each parameter, alone at its low and high, moves the INSTC - reference gap.

    The gap is between the INSTC's best route and the reference family's, on the comparison's
    clock; the other parameters stay at their expected values.
    """
    instc, reference = comp.instc_family(), comp.reference
    if instc is None or reference is None or reference not in T.names:
        return []
    keys = T.keys
    base = expected_row(params, keys, T.inverse)
    i, r = T.names.index(instc), T.names.index(reference)
    coef = T.transit if comp.clock == "transit" else T.transit + T.wait

    def gap(values: np.ndarray) -> np.ndarray:
        days = evaluate(values, T.inverse, coef) / 24.0
        return days[:, i] - days[:, r]

    lows = np.tile(base, (len(keys), 1))
    highs = lows.copy()
    idx = np.arange(len(keys))
    lows[idx, idx] = param_array(params, keys, "low")
    highs[idx, idx] = param_array(params, keys, "high")
    g_lo, g_hi = gap(lows), gap(highs)
    rows = [
        {
            "parameter": k,
            "gap_low_days": round(float(a), 2),
            "gap_high_days": round(float(b), 2),
            "swing_days": round(abs(float(b - a)), 2),
        }
        for k, a, b in zip(keys, g_lo, g_hi, strict=True)
    ]
    rows = [row for row in rows if row["swing_days"] > 0]
    rows.sort(key=lambda row: -row["swing_days"])
    return rows


# -- scenarios -------------------------------------------------------------------------------
#: the Monte Carlo figures :func:`scenario_percentiles` adds to each pair and scenario (the
#: expected days and their difference are :func:`corridormap.scenarios.compare_scenarios`'s)
SCENARIO_PERCENTILE_FIELDS = (
    "clock",
    "days_p10",
    "days_p50",
    "days_p90",
    "baseline_days_p50",
    "delta_days_p10",
    "delta_days_p50",
    "delta_days_p90",
    "cost_usd_p50",
    "baseline_cost_usd_p50",
    "draws",
    "seed",
)


def scenario_percentiles(
    G: nx.MultiDiGraph,
    pairs: Sequence[tuple[str, str]],
    scenarios: Sequence[Any],
    *,
    by: str,
    draws: int,
    seed: int | None,
    clock: str = "transit",
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each pair's route under each scenario beside the baseline's: the spread of its days.

    The routes are those :func:`corridormap.scenarios.compare_scenarios` finds (the best route
    under the scenario, and in the baseline, by expected value on ``clock``), whose expected
    days it gives. The difference is the scenario's days less the baseline's, draw by draw (the
    same draws of the parameters: the two routes share them), so its P10/P50/P90 say how sure
    a saving is.

    Parameters
    ----------
    G
        The network.
    pairs
        ``(origin, destination)`` names or ids.
    scenarios
        Scenario names, or lists of names applied together.
    by
        The objective the routes are found by.
    draws, seed
        The Monte Carlo's draws and seed.
    clock
        ``transit`` or ``door-to-door``.

    Returns
    -------
    dict
        ``("origin - destination", scenario name) -> {field: value}`` for every field of
        :data:`SCENARIO_PERCENTILE_FIELDS` (``None`` where a route is missing), rounded as
        shown: days to 3 decimals, USD to 1.
    """
    from .places import resolve_end_place
    from .routing import route
    from .scenarios import apply_scenario

    views = [apply_scenario(G, s if isinstance(s, list | tuple) else [s]) for s in scenarios]
    base = apply_scenario(G, [])
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def find(view: Any, o: str, d: str) -> Route | None:
        try:
            return route(G, o, d, weight=view.weight(by), clock=clock)
        except (NoRouteError, UnknownPlaceError):
            return None

    for o, d in pairs:
        o_id = resolve_end_place(G, o, "origin")
        d_id = resolve_end_place(G, d, "destination")
        b = find(base, o_id, d_id)
        for view in views:
            r = find(view, o_id, d_id)
            out[(f"{o} - {d}", view.name)] = _scenario_row(G, r, b, draws, seed, clock)
    return out


def _scenario_row(
    G: nx.MultiDiGraph, r: Route | None, b: Route | None, draws: int, seed: Any, clock: str
) -> dict[str, Any]:
    """The fields of one pair and scenario: route ``r`` beside the baseline's ``b``."""
    row: dict[str, Any] = dict.fromkeys(SCENARIO_PERCENTILE_FIELDS)
    row.update(draws=draws, seed=seed, clock=clock)
    if r is not None:
        p = route_percentiles(G, r, draws=draws, seed=seed)
        for k in ("p10", "p50", "p90"):
            row[f"days_{k}"] = round(p["days"][k], 3)
        row["cost_usd_p50"] = round(p["cost_usd"]["p50"], 1)
    if b is not None:
        q = route_percentiles(G, b, draws=draws, seed=seed)
        row["baseline_days_p50"] = round(q["days"]["p50"], 3)
        row["baseline_cost_usd_p50"] = round(q["cost_usd"]["p50"], 1)
    if r is not None and b is not None:
        sim = simulate(
            G.graph["params"], RouteTerms.of({"scenario": r, "baseline": b}), draws, seed
        )
        days = sim.days(clock)
        delta = percentiles(days[:, 0] - days[:, 1])
        for k, x in zip(("p10", "p50", "p90"), delta, strict=True):
            row[f"delta_days_{k}"] = round(float(x), 3)
    return row
