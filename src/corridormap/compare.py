"""INSTC vs Suez vs Cape: door-to-door time, cost and CO2 with uncertainty.

For each route family (INSTC western, Trans-Caspian, eastern; Suez; Cape) the best routes within
the family are found on the network with the parameters' likely values; each route is then a
linear function of the parameters (distance / speed, dwell counts, half headways, rates and
fees). The Monte Carlo draws every parameter from a triangular distribution on its sourced
``low / likely / high`` range, evaluates all candidate routes of all families at once with numpy,
and keeps each family's best candidate per draw. No shortest-path call runs per draw.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import GeodataError, InputError, NoRouteError
from ._validate import MAX_DRAWS, as_names, check_count
from .io import bundled_geodata_dir, read_toml
from .model import edge_terms, param_table, sum_terms
from .routing import Route, alternatives, make_weight
from .weights import Weight

__all__ = [
    "FAMILIES",
    "Comparison",
    "Family",
    "compare",
    "load_families",
    "naive_compare",
    "route_percentiles",
]


@dataclass(frozen=True)
class Family:
    """A family of routes: the network with some links, places or modes closed."""

    name: str
    label: str
    description: str
    close_links: tuple[str, ...] = ()
    close_places: tuple[str, ...] = ()
    close_modes: tuple[str, ...] = ()
    instc: bool = True
    source: str = ""


@dataclass(frozen=True)
class Families:
    """The route families of a geodata directory and the sea family the INSTC is measured
    against (``reference``)."""

    families: tuple[Family, ...]
    reference: str | None


def _families_file(directory: Any) -> Any:
    from pathlib import Path

    if directory is not None:
        own = Path(directory) / "families.toml"
        if own.is_file():
            return own
    return bundled_geodata_dir() / "families.toml"


def load_families(directory: Any = None) -> Families:
    """Read ``families.toml`` from a geodata directory (default: the bundled one).

    Raises
    ------
    GeodataError
        Naming the file, the family and the field at fault.
    """
    path = _families_file(directory)
    doc = read_toml(path)
    fams = []
    for i, row in enumerate(doc.get("family") or []):
        if not isinstance(row, dict):
            raise GeodataError("must be a table", file=path.name, feature=f"family[{i}]")
        name = row.get("name")
        if not isinstance(name, str) or not name:
            raise GeodataError("needs a name", file=path.name, feature=f"family[{i}]", field="name")
        lists = {}
        for key in ("close_links", "close_places", "close_modes"):
            val = row.get(key, [])
            if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
                raise GeodataError("must be a list of ids", file=path.name, feature=name, field=key)
            lists[key] = tuple(val)
        fams.append(
            Family(
                name=name,
                label=str(row.get("label", name)),
                description=str(row.get("description", "")),
                instc=bool(row.get("instc", True)),
                source=str(row.get("source", "")),
                **lists,
            )
        )
    ref = doc.get("reference")
    if ref is not None and ref not in {f.name for f in fams}:
        raise GeodataError(f"names no family ({ref!r})", file=path.name, field="reference")
    return Families(tuple(fams), ref)


_BUNDLED = load_families()
#: the bundled route families (a network's own come from its geodata directory)
FAMILIES: tuple[Family, ...] = _BUNDLED.families


def _family_weight(G: nx.MultiDiGraph, fam: Family, base: Weight) -> Weight:
    known = {d["link_id"] for _, _, d in G.edges(data=True) if d["kind"] == "link"}
    missing = [x for x in fam.close_links if x not in known]
    if missing:
        raise InputError(f"family {fam.name!r} names links not in the network: {missing}")
    wf = base.closing(links=fam.close_links, places=fam.close_places)
    if fam.close_modes:
        modes = {d["mode"] for _, _, d in G.edges(data=True) if d["kind"] == "link"}
        wf = wf.only_modes(modes - set(fam.close_modes))
    return wf


# -- parameters ------------------------------------------------------------------------------
def route_terms(r: Route) -> dict[tuple[str, str, bool], float]:
    """A route as linear terms ``(quantity, key, inverse) -> coefficient``, through the weight
    it was found with (a scenario's rescaling is folded into the coefficients)."""
    factor = r.weight.term_factor() if r.weight is not None else None
    edges = [leg.edge for leg in r.legs]
    if any(not edge_terms(e) for e in edges):
        raise InputError(
            "the route's edges carry no model terms (a hand-built graph): build the network "
            "with corridormap.build_network to compare with uncertainty"
        )
    return sum_terms(edges, factor)


def route_percentiles(
    G: nx.MultiDiGraph, r: Route, *, draws: int = 10_000, seed: int | None = 0
) -> dict[str, dict[str, float]]:
    """P10/P50/P90 of one route's days and cost per TEU, from the same Monte Carlo as
    :func:`compare` (triangular draws of every parameter the route uses, through the weight
    that found it). The route is held fixed: only its parameters vary.

    Returns
    -------
    dict
        ``{"days": {"p10", "p50", "p90"}, "cost_usd": {...}, "likely_days": ...,
        "draws": ..., "seed": ...}``.
    """
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    T = _Terms.of({"route": [r]})
    values = _sample(G.graph["params"], T.keys, draws, np.random.default_rng(seed))
    days, cost = T.days(values)[:, 0], T.usd(values)[:, 0]

    def pct(a: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = np.percentile(a, [10, 50, 90])
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    return {
        "days": pct(days),
        "cost_usd": pct(cost),
        "likely_days": r.days,
        "likely_cost_usd": r.cost_usd,
        "draws": draws,
        "seed": seed,
    }


def _sample(
    params: Mapping[str, Any], keys: Sequence[str], draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Triangular draws (draws x keys) from each key's low / likely / high."""
    out = np.empty((draws, len(keys)))
    for j, key in enumerate(keys):
        t = param_table(params, key)
        lo, mode, hi = float(t["low"]), float(t["likely"]), float(t["high"])
        out[:, j] = mode if hi <= lo else rng.triangular(lo, mode, hi, size=draws)
    return out


def _likely(params: Mapping[str, Any], keys: Sequence[str], which: str = "likely") -> np.ndarray:
    return np.array([float(param_table(params, k)[which]) for k in keys])


def _evaluate(values: np.ndarray, inverse: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """Route totals for parameter values (rows) and route coefficients (keys x routes)."""
    x = values.copy()
    x[..., inverse] = 1.0 / x[..., inverse]
    return x @ coef


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

    def _pct(self, arr: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = np.percentile(arr, [10, 50, 90])
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    def instc_days(self) -> np.ndarray | None:
        """Per draw, the best of the INSTC families."""
        arrs = [self.days[f.name] for f in self.families if f.instc and f.name in self.days]
        return np.minimum.reduce(arrs) if arrs else None

    def p_instc_beats(self, family: str | None = None) -> float | None:
        """Probability that the best INSTC branch is faster than ``family`` (default: the
        reference sea family of the network's ``families.toml``)."""
        family = family or self.reference
        best = self.instc_days()
        if best is None or family not in self.days:
            return None
        return float(np.mean(best < self.days[family]))

    def to_records(self) -> list[dict[str, Any]]:
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
        """A matplotlib figure: days and cost per family (P10-P90 bars), the time-distance
        chart of each family's likely route, and the sensitivity tornado."""
        from .charts import comparison_figure

        return comparison_figure(self, top=top)


# -- the comparison -------------------------------------------------------------------------
def _network_families(G: nx.MultiDiGraph) -> Families:
    """The families of ``G``'s geodata directory (bundled ones when it has none)."""
    directory = G.graph.get("directory")
    return load_families(directory) if directory else _BUNDLED


def _resolve_families(
    families: Iterable[str | Family] | None, table: Families | None = None
) -> list[Family]:
    table = table or _BUNDLED
    if families is None:
        return list(table.families)
    if isinstance(families, Family):
        families = [families]
    families = as_names(families, "families", also=(Family,))
    by_name = {f.name: f for f in table.families}
    out = []
    for f in families:
        if isinstance(f, Family):
            out.append(f)
        elif isinstance(f, str) and f in by_name:
            out.append(by_name[f])
        else:
            raise InputError(f"unknown route family {f!r}; the families are " + ", ".join(by_name))
    return out


def _base_weight(weight: Weight | None, by: str) -> Weight:
    if weight is None:
        return make_weight(by)
    if not isinstance(weight, Weight):
        raise InputError(f"weight must be a corridormap Weight, got {type(weight).__name__}")
    return weight


@dataclass
class _Terms:
    """Candidate routes as coefficient matrices over one shared list of parameter keys."""

    keys: list[str]
    inverse: np.ndarray
    time: np.ndarray  # keys x candidates
    cost: np.ndarray
    order: list[str]
    ncand: list[int]

    @classmethod
    def of(cls, cands: Mapping[str, list[Route]]) -> _Terms:
        return cls.from_terms({name: [route_terms(r) for r in cs] for name, cs in cands.items()})

    @classmethod
    def from_terms(cls, terms: Mapping[str, list[dict[tuple[str, str, bool], float]]]) -> _Terms:
        """The matrices of candidates given as :func:`route_terms` dictionaries, per family
        (what :mod:`corridormap.sweep` builds without making :class:`Route` objects)."""
        inv: dict[str, bool] = {}
        for ts in terms.values():
            for t in ts:
                for q, k, flag in t:
                    if q in ("time_h", "cost_usd"):
                        inv[k] = flag
        keys = sorted(inv)
        index = {k: i for i, k in enumerate(keys)}
        order = list(terms)
        ncand = [len(terms[n]) for n in order]
        time = np.zeros((len(keys), sum(ncand)))
        cost = np.zeros((len(keys), sum(ncand)))
        col = 0
        for name in order:
            for t in terms[name]:
                for (q, k, _), c in t.items():
                    if q == "time_h":
                        time[index[k], col] += c
                    elif q == "cost_usd":
                        cost[index[k], col] += c
                col += 1
        return cls(keys, np.array([inv[k] for k in keys], dtype=bool), time, cost, order, ncand)

    def days(self, values: np.ndarray) -> np.ndarray:
        return _evaluate(values, self.inverse, self.time) / 24.0

    def usd(self, values: np.ndarray) -> np.ndarray:
        return values @ self.cost

    def best(self, table: np.ndarray) -> dict[str, np.ndarray]:
        """Per family, the least value of its candidates (last axis)."""
        out, start = {}, 0
        for name, m in zip(self.order, self.ncand, strict=True):
            out[name] = table[..., start : start + m].min(axis=-1)
            start += m
        return out


def _monte_carlo(
    params: Mapping[str, Any], T: _Terms, draws: int, rng: np.random.Generator, by: str, bar: Any
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per family and draw, the days and cost of its best candidate in that draw."""
    chunk = 50_000
    days_parts: dict[str, list[np.ndarray]] = {n: [] for n in T.order}
    cost_parts: dict[str, list[np.ndarray]] = {n: [] for n in T.order}
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        values = _sample(params, T.keys, n, rng)
        t_all, c_all = T.days(values), T.usd(values)
        obj = t_all if by.startswith("time") else c_all
        start, rows = 0, np.arange(n)
        for name, m in zip(T.order, T.ncand, strict=True):
            pick = np.argmin(obj[:, start : start + m], axis=1)
            days_parts[name].append(t_all[:, start : start + m][rows, pick])
            cost_parts[name].append(c_all[:, start : start + m][rows, pick])
            start += m
        done += n
        if bar is not None:
            bar.update(n)
    days = {n: np.concatenate(days_parts[n]) for n in T.order}
    cost = {n: np.concatenate(cost_parts[n]) for n in T.order}
    return days, cost


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
        Family names (or :class:`Family` objects) to compare; default every family of the
        network's geodata (``families.toml``).
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
    from .places import resolve_place

    draws = check_count(draws, "draws", high=MAX_DRAWS)  # ~175 bytes a draw: 2e6 ~ 350 MB
    o, d = resolve_place(G, origin), resolve_place(G, destination)
    table = _network_families(G)
    fams = _resolve_families(families, table)
    base = _base_weight(weight, by)
    params = G.graph["params"]
    cands: dict[str, list[Route]] = {}
    unreachable: dict[str, str] = {}
    for fam in fams:
        try:
            wf = _family_weight(G, fam, base)
        except InputError as exc:
            if families is not None:  # asked for by name: an error, not a note
                raise
            unreachable[fam.name] = f"not applicable to this network ({exc})"
            continue
        try:
            cands[fam.name] = alternatives(G, o, d, k=candidates, weight=wf)
        except NoRouteError as exc:
            unreachable[fam.name] = str(exc)
    if not cands:
        raise NoRouteError(
            f"no route family connects {o} and {d}: "
            + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        )
    T = _Terms.of(cands)
    rng = np.random.default_rng(seed)
    show = progress if progress is not None else (draws > 200_000 and sys.stderr.isatty())
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=draws, unit="draw", desc="Monte Carlo")
    try:
        days, cost = _monte_carlo(params, T, draws, rng, base.by, bar)
    finally:
        if bar is not None:
            bar.close()
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
    )
    comp.sensitivity = _tornado(params, T, fams, ref)
    return comp


def _tornado(params, T: _Terms, fams, reference: str | None) -> list[dict[str, Any]]:
    """How much each parameter, alone at its low and high, moves the INSTC - reference gap."""
    instc = {f.name for f in fams if f.instc}
    if reference is None or reference not in T.order or not instc & set(T.order):
        return []
    keys = T.keys
    base = _likely(params, keys)

    def gap(values: np.ndarray) -> np.ndarray:
        best = T.best(T.days(values))
        inst = np.minimum.reduce([best[n] for n in T.order if n in instc])
        return inst - best[reference]

    lows = np.tile(base, (len(keys), 1))
    highs = lows.copy()
    idx = np.arange(len(keys))
    lows[idx, idx] = _likely(params, keys, "low")
    highs[idx, idx] = _likely(params, keys, "high")
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


def naive_compare(
    G: nx.MultiDiGraph,
    origin: str,
    destination: str,
    *,
    families: Iterable[str | Family] | None = None,
    draws: int = 100,
    seed: int | None = 0,
) -> dict[str, np.ndarray]:
    """The baseline the benchmark measures against: a shortest-path call per family per draw,
    on edge times recomputed from each draw's parameters (the same model terms). Returns days
    per family."""
    from .routing import route

    fams = _resolve_families(families, _network_families(G))
    params = G.graph["params"]
    keys = sorted(
        {t.key for _, _, d in G.edges(data=True) for t in edge_terms(d) if t.quantity == "time_h"}
    )
    rng = np.random.default_rng(seed)
    values = _sample(params, keys, draws, rng)
    index = {k: i for i, k in enumerate(keys)}
    out: dict[str, list[float]] = {f.name: [] for f in fams}
    H = G.copy()  # one copy whose edge times are rewritten for every draw
    weights = {f.name: _family_weight(G, f, make_weight("time_h")) for f in fams}
    for row in values:

        def edge_time(d, row=row):
            return sum(t.value(row[index[t.key]]) for t in edge_terms(d) if t.quantity == "time_h")

        for _, _, data in H.edges(data=True):
            data["time_h"] = edge_time(data)
        for fam in fams:
            wf = weights[fam.name]
            try:
                r = route(H, origin, destination, weight=wf)
            except NoRouteError:
                out[fam.name].append(math.nan)
                continue
            out[fam.name].append(r.time_h / 24.0)
    return {k: np.array(v) for k, v in out.items()}
