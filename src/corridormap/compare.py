"""Route families compared: door-to-door time, cost and CO2 with uncertainty.

For each route family (INSTC western, Trans-Caspian, eastern; Suez; Cape; see
:mod:`corridormap.families`) the best routes within the family are found on the network at
the parameters' likely values; each is then linear in the parameters, and the Monte Carlo of
:mod:`corridormap.uncertainty` evaluates all candidate routes of all families at once and keeps
each family's best candidate per draw. :func:`compare` gives the P10/P50/P90 of each family,
the probability that the INSTC is faster than the sea route, and the tornado of the parameters
that move that gap most; :func:`scenario_percentiles` gives a route's percentiles under
scenarios beside the baseline's.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import NoRouteError, UnknownPlaceError
from ._schema import MAX_DRAWS, check_count
from .families import (
    Family,
    family_candidates,
    family_weight,
    network_families,
    resolve_families,
)
from .model import edge_terms, evaluate
from .routing import Route, make_weight
from .search import values_changed
from .uncertainty import (
    CandidateTerms,
    family_draws,
    param_array,
    percentiles,
    route_percentiles,
    sample,
)
from .weights import Weight, as_weight

__all__ = [
    "SCENARIO_PERCENTILE_FIELDS",
    "Comparison",
    "compare",
    "scenario_percentiles",
]


# -- result ----------------------------------------------------------------------------------
@dataclass
class Comparison:
    """The families compared between two places.

    Attributes
    ----------
    origin, destination
        Place ids.
    routes
        Family name -> the best route at likely parameter values.
    days, cost_usd
        Family name -> array of per-draw values (best candidate of the family in each draw).
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
    days: dict[str, np.ndarray]
    cost_usd: dict[str, np.ndarray]
    draws: int
    seed: int | None
    by: str
    sensitivity: list[dict[str, Any]] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)
    reference: str | None = "suez"
    scenario: str = "baseline"
    #: the parameter file the Monte Carlo drew from (for the charts' P10-P90 bands)
    params: Mapping[str, Any] | None = field(default=None, repr=False)

    def _pct(self, arr: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = percentiles(arr)
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    def instc_days(self) -> np.ndarray | None:
        """Per draw, the best of the INSTC families."""
        arrs = [self.days[f.name] for f in self.families if f.instc and f.name in self.days]
        return np.minimum.reduce(arrs) if arrs else None

    def p_instc_beats(self, family: str | None = None) -> float | None:
        """Probability that the best INSTC branch is faster than ``family``.

        ``family`` defaults to the reference sea family of the network's ``families.toml``.
        """
        family = family or self.reference
        best = self.instc_days()
        if best is None or family not in self.days:
            return None
        return float(np.mean(best < self.days[family]))

    def to_records(self) -> list[dict[str, Any]]:
        """One record per family with a route.

        Returns
        -------
        list of dict
            ``family``, ``label``, ``distance_km``, ``days`` and ``cost_usd`` (each
            ``{"p10", "p50", "p90"}``), ``co2_kg``, ``borders``, ``transshipments`` and
            ``nodes``.
        """
        rows = []
        for fam in self.families:
            if fam.name not in self.routes:
                continue
            r = self.routes[fam.name]
            rows.append(
                {
                    "family": fam.name,
                    "label": fam.label,
                    "distance_km": round(r.distance_km, 1),
                    "days": {k: round(v, 2) for k, v in self._pct(self.days[fam.name]).items()},
                    "cost_usd": {
                        k: round(v, 0) for k, v in self._pct(self.cost_usd[fam.name]).items()
                    },
                    "co2_kg": round(r.co2_kg, 1),
                    "borders": r.borders,
                    "transshipments": r.transshipments,
                    "nodes": r.nodes,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The comparison as plain data for JSON.

        It holds the run's settings, :meth:`to_records`, the probability that the best INSTC
        branch is faster than each non-INSTC family, the unreachable families and the sensitivity.
        """
        return {
            "origin": self.origin,
            "destination": self.destination,
            "draws": self.draws,
            "seed": self.seed,
            "by": self.by,
            "scenario": self.scenario,
            "reference": self.reference,
            "families": self.to_records(),
            "p_instc_faster": {
                f.name: self.p_instc_beats(f.name)
                for f in self.families
                if not f.instc and f.name in self.days
            },
            "unreachable": self.unreachable,
            "sensitivity": self.sensitivity,
        }

    def to_frame(self):
        """One row per family: distance, days and cost P10/P50/P90, CO2, borders, nodes."""
        import pandas as pd

        flat = []
        for row in self.to_records():
            out = {k: v for k, v in row.items() if k not in ("days", "cost_usd")}
            for k in ("p10", "p50", "p90"):
                out[f"days_{k}"] = row["days"][k]
            for k in ("p10", "p50", "p90"):
                out[f"cost_usd_{k}"] = row["cost_usd"][k]
            out["nodes"] = " ".join(row["nodes"])
            flat.append(out)
        cols = [
            "family",
            "label",
            "distance_km",
            "days_p10",
            "days_p50",
            "days_p90",
            "cost_usd_p10",
            "cost_usd_p50",
            "cost_usd_p90",
            "co2_kg",
            "borders",
            "transshipments",
            "nodes",
        ]
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
        parts = [f"{r['family']} {r['days']['p50']:.1f} d" for r in self.to_records()]
        return (
            f"<Comparison {self.origin} -> {self.destination} ({self.draws} draws): "
            + ", ".join(parts)
            + ">"
        )

    def _repr_html_(self) -> str:
        return self.to_frame().drop(columns=["nodes"]).to_html(index=False, float_format="%.1f")

    def plot(self, *, top: int = 10):
        """A matplotlib figure of this comparison.

        It shows days and cost per family (P10-P90 bars), the sensitivity tornado, and a
        time-distance panel per family (its likely route, with the P10-P90 band of that route
        from the same draws and seed).
        """
        from .render.charts import comparison_figure

        return comparison_figure(self, top=top)


# -- the comparison -------------------------------------------------------------------------
def compare(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    families: Iterable[str | Family] | None = None,
    draws: int = 10_000,
    seed: int | None = 0,
    by: str = "time_h",
    candidates: int = 4,
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
        What "best" means when picking each family's route: ``time_h`` or ``cost_usd``.
    candidates
        Routes per family evaluated in every draw (the family's ``k`` best at likely values).
    weight
        A :class:`~corridormap.weights.Weight` whose closures and scenario every family
        starts from (e.g. ``apply_scenario(G, "red-sea-closed").weight()``).
    progress
        Show a progress bar; default only for runs over 200,000 draws on a terminal.

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

    draws = check_count(draws, "draws", high=MAX_DRAWS)  # ~175 bytes a draw: 2e6 ~ 350 MB
    o = resolve_end_place(G, origin, "origin")
    d = resolve_end_place(G, destination, "destination")
    table = network_families(G)
    fams = resolve_families(families, table)
    base = as_weight(weight, by)
    params = G.graph["params"]
    cands, unreachable = family_candidates(
        G, o, d, fams, base, candidates, named=families is not None
    )
    if not cands:
        raise NoRouteError(
            f"no route family connects {o} and {d}: "
            + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        )
    T = CandidateTerms.of(cands)
    days, cost = _run_monte_carlo(params, T, draws, seed, base.by, progress)
    ref = table.reference if table.reference in {f.name for f in fams} else None
    comp = Comparison(
        origin=o,
        destination=d,
        families=fams,
        routes={n: cs[0] for n, cs in cands.items()},
        days=days,
        cost_usd=cost,
        draws=draws,
        seed=seed,
        by=base.by,
        unreachable=unreachable,
        reference=ref,
        scenario=base.scenario,
        params=params,
    )
    comp.sensitivity = _tornado(params, T, fams, ref)
    return comp


def _run_monte_carlo(
    params: Mapping[str, Any],
    T: CandidateTerms,
    draws: int,
    seed: int | None,
    by: str,
    progress: bool | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The Monte Carlo of :func:`compare`, seeded, with a progress bar if wanted.

    Parameters
    ----------
    params
        The parameter file.
    T
        The candidate routes' terms.
    draws
        The draws.
    seed
        The random seed.
    by
        What picks each family's route in a draw: ``time_h`` or ``cost_usd``.
    progress
        Show a progress bar; None: only for runs over 200,000 draws on a terminal.

    Returns
    -------
    tuple
        Days and cost (USD) per draw, by family name.
    """
    rng = np.random.default_rng(seed)
    show = progress if progress is not None else (draws > 200_000 and sys.stderr.isatty())
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=draws, unit="draw", desc="Monte Carlo")
    try:
        return family_draws(params, T, draws, rng, by=by, seed=seed, bar=bar)
    finally:
        if bar is not None:
            bar.close()


def _tornado(params, T: CandidateTerms, fams, reference: str | None) -> list[dict[str, Any]]:
    """How much each parameter, alone at its low and high, moves the INSTC - reference gap."""
    instc = {f.name for f in fams if f.instc}
    if reference is None or reference not in T.order or not instc & set(T.order):
        return []
    keys = T.keys
    base = param_array(params, keys)

    def gap(values: np.ndarray) -> np.ndarray:
        best = T.best(T.days(values))
        inst = np.minimum.reduce([best[n] for n in T.order if n in instc])
        return inst - best[reference]

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
    rows = [r for r in rows if r["swing_days"] > 0]
    rows.sort(key=lambda r: -r["swing_days"])
    return rows


def _naive_compare(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    families: Iterable[str | Family] | None = None,
    draws: int = 100,
    seed: int | None = 0,
) -> dict[str, np.ndarray]:
    """The baseline the benchmark measures against; returns days per family.

    It makes a shortest-path call per family per draw, on edge times recomputed from each
    draw's parameters (the same model terms).
    """
    from .routing import route

    fams = resolve_families(families, network_families(G))
    params = G.graph["params"]
    keys = sorted(
        {t.key for _, _, d in G.edges(data=True) for t in edge_terms(d) if t.quantity == "time_h"}
    )
    rng = np.random.default_rng(seed)
    values = sample(params, keys, draws, rng)
    out: dict[str, list[float]] = {f.name: [] for f in fams}
    H = G.copy()  # one copy whose edge times are rewritten for every draw
    weights = {f.name: family_weight(G, f, make_weight("time_h")) for f in fams}
    for row in values:
        value = dict(zip(keys, row.tolist(), strict=True))

        def edge_time(d, value=value):
            return evaluate([t for t in edge_terms(d) if t.quantity == "time_h"], value)["time_h"]

        for _, _, data in H.edges(data=True):
            data["time_h"] = edge_time(data)
        values_changed(H)  # edge values changed in place: drop the export's cached vectors
        for fam in fams:
            wf = weights[fam.name]
            try:
                r = route(H, origin, destination, weight=wf)
            except NoRouteError:
                out[fam.name].append(math.nan)
                continue
            out[fam.name].append(r.time_h / 24.0)
    return {k: np.array(v) for k, v in out.items()}


# -- scenarios -------------------------------------------------------------------------------
#: the Monte Carlo fields :func:`scenario_percentiles` gives each pair and scenario
SCENARIO_PERCENTILE_FIELDS = (
    "days_p10",
    "days_p50",
    "days_p90",
    "baseline_days_p50",
    "delta_days_p50",
    "cost_usd_p10",
    "cost_usd_p50",
    "cost_usd_p90",
    "baseline_cost_usd_p50",
    "delta_cost_usd_p50",
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
) -> dict[tuple[str, str], dict[str, Any]]:
    """The P10/P50/P90 of each pair's best route under each scenario, beside the baseline's.

    The routes are those :func:`corridormap.scenarios.compare_scenarios` finds (the best route
    under the scenario, and in the baseline); their percentiles come from
    :func:`~corridormap.uncertainty.route_percentiles`.

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

    def pct(view: Any, o: str, d: str) -> dict | None:
        try:
            r = route(G, o, d, weight=view.weight(by))
        except (NoRouteError, UnknownPlaceError):
            return None
        return route_percentiles(G, r, draws=draws, seed=seed)

    for o, d in pairs:
        o_id = resolve_end_place(G, o, "origin")
        d_id = resolve_end_place(G, d, "destination")
        b = pct(base, o_id, d_id)
        for view in views:
            out[(f"{o} - {d}", view.name)] = _scenario_row(pct(view, o_id, d_id), b, draws, seed)
    return out


def _scenario_row(p: dict | None, b: dict | None, draws: int, seed: int | None) -> dict[str, Any]:
    """The fields of one pair and scenario: its percentiles ``p`` beside the baseline's ``b``."""
    row: dict[str, Any] = dict.fromkeys(SCENARIO_PERCENTILE_FIELDS)
    row.update(draws=draws, seed=seed)
    if p is not None:
        for q, nd in (("days", 3), ("cost_usd", 1)):
            for k in ("p10", "p50", "p90"):
                row[f"{q}_{k}"] = round(p[q][k], nd)
    if b is not None:
        row["baseline_days_p50"] = round(b["days"]["p50"], 3)
        row["baseline_cost_usd_p50"] = round(b["cost_usd"]["p50"], 1)
    if p is not None and b is not None:
        row["delta_days_p50"] = round(p["days"]["p50"] - b["days"]["p50"], 3)
        row["delta_cost_usd_p50"] = round(p["cost_usd"]["p50"] - b["cost_usd"]["p50"], 1)
    return row
