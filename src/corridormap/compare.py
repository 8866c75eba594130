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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import NoRouteError
from .routing import Route, alternatives, make_weight
from .weights import _split_key

__all__ = ["FAMILIES", "Comparison", "Family", "compare", "naive_compare"]


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


#: the crossings that separate the INSTC branches from each other and from the sea routes
_AZ_IR = "ASA-ASI-rail"
_EAST_IR = ("AKY-INB-rail", "SRT-SRK-rail")
FAMILIES: tuple[Family, ...] = (
    Family(
        "instc-western",
        "INSTC western (Azerbaijan)",
        "Iran - Astara - Azerbaijan - Russia by land; Rasht-Astara by road today",
        close_links=_EAST_IR,
        close_places=("SUZ", "CGH"),
        close_modes=("caspian", "ferry"),
    ),
    Family(
        "instc-transcaspian",
        "INSTC Trans-Caspian",
        "Iran - a Caspian port pair - Russia (or Kazakhstan, Azerbaijan)",
        close_links=(_AZ_IR, *_EAST_IR),
        close_places=("SUZ", "CGH"),
    ),
    Family(
        "instc-eastern",
        "INSTC eastern (Kazakhstan-Turkmenistan)",
        "Iran - Incheh Borun or Sarakhs - Turkmenistan - Kazakhstan - Russia",
        close_links=(_AZ_IR,),
        close_places=("SUZ", "CGH"),
        close_modes=("caspian", "ferry"),
    ),
    Family(
        "suez",
        "Suez Canal",
        "sea via Bab-el-Mandeb and Suez to a Baltic or Black Sea port",
        close_places=("HOR", "ZBR", "CGH"),
        instc=False,
    ),
    Family(
        "suez-north-europe",
        "Suez via northern Europe",
        "the traditional all-water route: Suez, Gibraltar, Rotterdam, then the Baltic",
        close_places=("HOR", "ZBR", "CGH", "BOS"),
        instc=False,
    ),
    Family(
        "cape",
        "Cape of Good Hope",
        "sea round Africa (Suez and Bab-el-Mandeb closed)",
        close_places=("HOR", "ZBR", "SUZ", "BEM"),
        instc=False,
    ),
)


def _family_weight(G: nx.MultiDiGraph, fam: Family, by: str):
    links = set(fam.close_links)
    if fam.close_modes:
        modes = set(fam.close_modes)
        links |= {
            d["link_id"]
            for _, _, d in G.edges(data=True)
            if d["kind"] == "link" and d["mode"] in modes
        }
    known = {d["link_id"] for _, _, d in G.edges(data=True) if d["kind"] == "link"}
    missing = [x for x in fam.close_links if x not in known]
    if missing:
        raise ValueError(f"family {fam.name!r} names links not in the network: {missing}")
    return make_weight(by, closed_links=links, closed_places=set(fam.close_places))


# -- parameters ------------------------------------------------------------------------------
def _param_table(params: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table: Any = params
    for part in _split_key(key):
        table = table[part]
    return table


def _route_terms(r: Route) -> dict[str, dict[str, float]]:
    """A route as linear terms: ``time`` {key: coefficient}, ``cost`` and ``co2``.

    Time keys ending in ``speed_kmh`` enter as distance / speed (coefficient = km); others
    as coefficient x value (dwell hours count 1, headways count 0.5).
    """
    time: dict[str, float] = {}
    cost: dict[str, float] = {}
    co2: dict[str, float] = {}
    for leg in r.legs:
        d = leg.data
        km = float(d["distance_km"])
        if d.get("speed_key"):
            time[d["speed_key"]] = time.get(d["speed_key"], 0.0) + km
        for k in d.get("dwell_keys") or ():
            time[k] = time.get(k, 0.0) + 1.0
        for k in d.get("wait_keys") or ():
            time[k] = time.get(k, 0.0) + 0.5
        if d.get("cost_km_key"):
            cost[d["cost_km_key"]] = cost.get(d["cost_km_key"], 0.0) + km
        for k in d.get("fee_keys") or ():
            cost[k] = cost.get(k, 0.0) + 1.0
        if d.get("co2_key"):
            co2[d["co2_key"]] = co2.get(d["co2_key"], 0.0) + km
    return {"time": time, "cost": cost, "co2": co2}


def _sample(
    params: Mapping[str, Any], keys: Sequence[str], draws: int, rng: np.random.Generator
) -> np.ndarray:
    """Triangular draws (draws x keys) from each key's low / likely / high."""
    out = np.empty((draws, len(keys)))
    for j, key in enumerate(keys):
        t = _param_table(params, key)
        lo, mode, hi = float(t["low"]), float(t["likely"]), float(t["high"])
        out[:, j] = mode if hi <= lo else rng.triangular(lo, mode, hi, size=draws)
    return out


def _likely(params: Mapping[str, Any], keys: Sequence[str], which: str = "likely") -> np.ndarray:
    return np.array([float(_param_table(params, k)[which]) for k in keys])


def _evaluate(values: np.ndarray, keys: Sequence[str], coef: np.ndarray) -> np.ndarray:
    """Route totals for parameter values (rows) and route coefficients (keys x routes)."""
    x = values.copy()
    speed = np.array([k.endswith("speed_kmh") for k in keys])
    x[..., speed] = 1.0 / x[..., speed]
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

    def _pct(self, arr: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = np.percentile(arr, [10, 50, 90])
        return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}

    def instc_days(self) -> np.ndarray | None:
        """Per draw, the best of the INSTC families."""
        arrs = [self.days[f.name] for f in self.families if f.instc and f.name in self.days]
        return np.minimum.reduce(arrs) if arrs else None

    def p_instc_beats(self, family: str = "suez") -> float | None:
        """Probability that the best INSTC branch is faster than ``family``."""
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
def _candidates(G, o, d, fam, by, k):
    wf = _family_weight(G, fam, by)
    return alternatives(G, o, d, k=k, weight=wf)


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
        Family names (or :class:`Family` objects) to compare; default all of :data:`FAMILIES`.
    draws
        Monte Carlo draws (each draws every parameter once, shared by all families).
    seed
        Random seed; the same seed gives the same numbers.
    by
        What "best" means when picking each family's route: ``time_h`` or ``cost_usd``.
    candidates
        Routes per family evaluated in every draw (the family's ``k`` best at likely values).
    progress
        Show a progress bar; default only for runs over 200,000 draws on a terminal.

    Returns
    -------
    Comparison

    Raises
    ------
    NoRouteError
        If no family connects the two places.
    """
    from ._validate import MAX_DRAWS, check_count
    from .places import resolve_place

    check_count(draws, "draws", high=MAX_DRAWS)  # ~175 bytes a draw: 2e6 draws ~ 350 MB
    o, d = resolve_place(G, origin), resolve_place(G, destination)
    fams = _resolve_families(families)
    params = G.graph["params"]
    routes: dict[str, Route] = {}
    cands: dict[str, list[Route]] = {}
    unreachable: dict[str, str] = {}
    for fam in fams:
        try:
            cs = _candidates(G, o, d, fam, by, candidates)
        except NoRouteError as exc:
            unreachable[fam.name] = str(exc)
            continue
        cands[fam.name] = cs
        routes[fam.name] = cs[0]
    if not routes:
        raise NoRouteError(
            f"no route family connects {o} and {d}: "
            + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        )
    # linear terms of every candidate, over one shared list of parameter keys
    terms = {name: [_route_terms(r) for r in cs] for name, cs in cands.items()}
    tkeys = sorted({k for ts in terms.values() for t in ts for k in t["time"]})
    ckeys = sorted({k for ts in terms.values() for t in ts for k in t["cost"]})
    keys = sorted(set(tkeys) | set(ckeys))
    index = {k: i for i, k in enumerate(keys)}
    order = list(cands)
    ncand = [len(cands[n]) for n in order]
    tcoef = np.zeros((len(keys), sum(ncand)))
    ccoef = np.zeros((len(keys), sum(ncand)))
    col = 0
    for name in order:
        for t in terms[name]:
            for k, c in t["time"].items():
                tcoef[index[k], col] = c
            for k, c in t["cost"].items():
                ccoef[index[k], col] = c
            col += 1
    is_speed = np.array([k.endswith("speed_kmh") for k in keys])
    ccoef_speedless = ccoef.copy()
    ccoef_speedless[is_speed, :] = 0.0  # speeds never enter cost
    rng = np.random.default_rng(seed)
    show = progress if progress is not None else draws > 200_000
    chunk = 50_000
    days_parts: dict[str, list[np.ndarray]] = {n: [] for n in order}
    cost_parts: dict[str, list[np.ndarray]] = {n: [] for n in order}
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=draws, unit="draw", desc="Monte Carlo")
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        values = _sample(params, keys, n, rng)
        t_all = _evaluate(values, keys, tcoef) / 24.0
        c_all = values @ ccoef_speedless
        obj = t_all if by.startswith("time") else c_all
        start = 0
        for name, m in zip(order, ncand, strict=True):
            block = obj[:, start : start + m]
            pick = np.argmin(block, axis=1)
            rows = np.arange(n)
            days_parts[name].append(t_all[:, start : start + m][rows, pick])
            cost_parts[name].append(c_all[:, start : start + m][rows, pick])
            start += m
        done += n
        if bar is not None:
            bar.update(n)
    if bar is not None:
        bar.close()
    comp = Comparison(
        origin=o,
        destination=d,
        families=fams,
        routes=routes,
        days={n: np.concatenate(days_parts[n]) for n in order},
        cost_usd={n: np.concatenate(cost_parts[n]) for n in order},
        draws=draws,
        seed=seed,
        by=by,
        unreachable=unreachable,
    )
    comp.sensitivity = _tornado(params, keys, tcoef, order, ncand, fams)
    return comp


def _tornado(params, keys, tcoef, order, ncand, fams) -> list[dict[str, Any]]:
    """How much each parameter, alone at its low and high, moves the INSTC - Suez gap (days)."""
    instc = {f.name for f in fams if f.instc}
    if "suez" not in order or not instc & set(order):
        return []
    base = _likely(params, keys)

    def gap(values: np.ndarray) -> np.ndarray:
        t = _evaluate(values, keys, tcoef) / 24.0
        best = {}
        start = 0
        for name, m in zip(order, ncand, strict=True):
            best[name] = t[..., start : start + m].min(axis=-1)
            start += m
        inst = np.minimum.reduce([best[n] for n in order if n in instc])
        return inst - best["suez"]

    lows = np.tile(base, (len(keys), 1))
    highs = lows.copy()
    lo_vals = _likely(params, keys, "low")
    hi_vals = _likely(params, keys, "high")
    idx = np.arange(len(keys))
    lows[idx, idx] = lo_vals
    highs[idx, idx] = hi_vals
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


def _resolve_families(families: Iterable[str | Family] | None) -> list[Family]:
    if families is None:
        return list(FAMILIES)
    table = {f.name: f for f in FAMILIES}
    out = []
    for f in families:
        if isinstance(f, Family):
            out.append(f)
        elif f in table:
            out.append(table[f])
        else:
            raise ValueError(f"unknown route family {f!r}; the families are " + ", ".join(table))
    return out


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
    on edge weights recomputed from each draw's parameters. Returns days per family."""
    from .routing import route

    fams = _resolve_families(families)
    params = G.graph["params"]
    keys = sorted(
        {
            k
            for _, _, d in G.edges(data=True)
            for k in [d.get("speed_key"), *(d.get("dwell_keys") or ()), *(d.get("wait_keys") or ())]
            if k
        }
    )
    rng = np.random.default_rng(seed)
    values = _sample(params, keys, draws, rng)
    index = {k: i for i, k in enumerate(keys)}
    out: dict[str, list[float]] = {f.name: [] for f in fams}
    for row in values:

        def edge_time(d, row=row):
            t = 0.0
            if d.get("speed_key"):
                t += d["distance_km"] / row[index[d["speed_key"]]]
            t += sum(row[index[k]] for k in d.get("dwell_keys") or ())
            t += sum(0.5 * row[index[k]] for k in d.get("wait_keys") or ())
            return t

        for fam in fams:
            base = _family_weight(G, fam, "time_h")
            wf = make_weight(
                "time_h",
                closed_links=base.closed_links,
                closed_places=base.closed_places,
                edge_cost=edge_time,
            )
            try:
                r = route(G, origin, destination, weight=wf)
            except NoRouteError:
                out[fam.name].append(math.nan)
                continue
            out[fam.name].append(sum(edge_time(leg.data) for leg in r.legs) / 24.0)
    return {k: np.array(v) for k, v in out.items()}
