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

from ._cache import derived
from ._errors import GeodataError, InputError, NoRouteError
from ._schema import MAX_DRAWS, as_names, check_count
from .io import bundled_geodata_dir, read_toml
from .model import (
    apply_discrepancy,
    discrepancy_rng,
    discrepancy_sigma,
    edge_terms,
    param_table,
    sum_terms,
)
from .routing import Route, alternatives, make_weight
from .search import values_changed
from .weights import Weight, as_weight

__all__ = [
    "FAMILIES",
    "Comparison",
    "Family",
    "Profile",
    "Step",
    "compare",
    "load_families",
    "naive_compare",
    "route_percentiles",
    "route_profile",
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
    """The route families of a geodata directory and the ``reference`` family.

    The reference is the sea family the INSTC is measured against.
    """

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


def _links_and_modes(G: nx.MultiDiGraph) -> tuple[frozenset[str], frozenset[str]]:
    """The link ids and link modes of ``G`` (one walk over the edges, cached with ``G``)."""
    return derived(G, "links_and_modes", _build_links_and_modes, structure=True)


def _build_links_and_modes(G: nx.MultiDiGraph) -> tuple[frozenset[str], frozenset[str]]:
    links = [d for _, _, d in G.edges(data=True) if d["kind"] == "link"]
    return frozenset(d["link_id"] for d in links), frozenset(d["mode"] for d in links)


def _family_weight(G: nx.MultiDiGraph, fam: Family, base: Weight) -> Weight:
    known, modes = _links_and_modes(G)
    missing = [x for x in fam.close_links if x not in known]
    if missing:
        raise InputError(f"family {fam.name!r} names links not in the network: {missing}")
    wf = base.closing(links=fam.close_links, places=fam.close_places)
    if fam.close_modes:
        wf = wf.only_modes(modes - set(fam.close_modes))
    return wf


# -- parameters ------------------------------------------------------------------------------
def route_terms(r: Route) -> dict[tuple[str, str, bool], float]:
    """A route as linear terms ``(quantity, key, inverse) -> coefficient``.

    The terms go through the weight the route was found with (a scenario's rescaling is
    folded into the coefficients).
    """
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
    """P10/P50/P90 of one route's days and cost per TEU.

    They come from the same Monte Carlo as :func:`compare` (triangular draws of every
    parameter the route uses, through the weight that found it, and the calibrated model
    discrepancy). The route is held fixed: only its parameters vary.

    Returns
    -------
    dict
        ``{"days": {"p10", "p50", "p90"}, "cost_usd": {...}, "likely_days": ...,
        "draws": ..., "seed": ...}``.
    """
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    T = _Terms.of({"route": [r]})
    rng = np.random.default_rng(seed)
    values = _sample(G.graph["params"], T.keys, draws, rng)
    days, cost = T.days(values)[:, 0], T.usd(values)[:, 0]
    days = apply_discrepancy(days, discrepancy_sigma(G.graph["params"]), discrepancy_rng(seed))

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


def _percentiles(rows: np.ndarray) -> np.ndarray:
    """P10, P50 and P90 of each row (3 x rows): ``np.percentile``'s own numbers.

    The rows are sorted first: a percentile depends only on the values, not their order, and
    numpy's selection of the order statistics is then much quicker than on unsorted draws.
    """
    return np.percentile(np.sort(rows, axis=1), [10, 50, 90], axis=1)


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
    #: the parameter file the Monte Carlo drew from (for the charts' P10-P90 bands)
    params: Mapping[str, Any] | None = field(default=None, repr=False)

    def _pct(self, arr: np.ndarray) -> dict[str, float]:
        p10, p50, p90 = _percentiles(arr[None, :])[:, 0]
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
        """The matrices of candidates given as :func:`route_terms` dictionaries, per family ...

        ... (what :mod:`corridormap.sweep` builds without making :class:`Route` objects).
        """
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
    params: Mapping[str, Any],
    T: _Terms,
    draws: int,
    rng: np.random.Generator,
    by: str,
    bar: Any,
    seed: int | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per family and draw, the days and cost of its best candidate in that draw.

    Parameters are drawn from ``rng``; the model discrepancy from its own stream of ``seed``
    (:func:`corridormap.model.discrepancy_rng`).
    """
    chunk = 50_000
    sigma = discrepancy_sigma(params)
    zrng = discrepancy_rng(seed)
    days_parts: dict[str, list[np.ndarray]] = {n: [] for n in T.order}
    cost_parts: dict[str, list[np.ndarray]] = {n: [] for n in T.order}
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        values = _sample(params, T.keys, n, rng)
        t_all, c_all = T.days(values), T.usd(values)
        obj = t_all if by.startswith("time") else c_all
        start, rows = 0, np.arange(n)
        picked = []
        for name, m in zip(T.order, T.ncand, strict=True):
            pick = np.argmin(obj[:, start : start + m], axis=1)
            picked.append(t_all[:, start : start + m][rows, pick])
            cost_parts[name].append(c_all[:, start : start + m][rows, pick])
            start += m
        # the model's own error (calibrated), one draw per family: the families' routes
        # are different routes, so their errors are not shared
        picked_days = apply_discrepancy(np.stack(picked, axis=1), sigma, zrng)
        for j, name in enumerate(T.order):
            days_parts[name].append(picked_days[:, j])
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
    base = as_weight(weight, by)
    params = G.graph["params"]
    cands, unreachable = _family_candidates(
        G, o, d, fams, base, candidates, named=families is not None
    )
    if not cands:
        raise NoRouteError(
            f"no route family connects {o} and {d}: "
            + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        )
    T = _Terms.of(cands)
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


def _family_candidates(
    G: nx.MultiDiGraph,
    o: str,
    d: str,
    fams: Sequence[Family],
    base: Weight,
    candidates: int,
    *,
    named: bool,
) -> tuple[dict[str, list[Route]], dict[str, str]]:
    """Each family's ``candidates`` best routes from ``o`` to ``d``, or why it has none.

    Parameters
    ----------
    G
        The network.
    o, d
        The origin and destination place ids.
    fams
        The families.
    base
        The weight every family starts from.
    candidates
        Routes per family.
    named
        Whether the families were asked for by name: then a family that does not apply to
        the network is an error, not a note.

    Returns
    -------
    tuple
        The routes by family name, and the reason by family name for those without.

    Raises
    ------
    InputError
        If a family asked for by name does not apply to the network.
    """
    cands: dict[str, list[Route]] = {}
    unreachable: dict[str, str] = {}
    for fam in fams:
        try:
            wf = _family_weight(G, fam, base)
        except InputError as exc:
            if named:  # asked for by name: an error, not a note
                raise
            unreachable[fam.name] = f"not applicable to this network ({exc})"
            continue
        try:
            cands[fam.name] = alternatives(G, o, d, k=candidates, weight=wf)
        except NoRouteError as exc:
            unreachable[fam.name] = str(exc)
    return cands, unreachable


def _run_monte_carlo(
    params: Mapping[str, Any],
    T: _Terms,
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
        return _monte_carlo(params, T, draws, rng, by, bar, seed)
    finally:
        if bar is not None:
            bar.close()


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
    """The baseline the benchmark measures against; returns days per family.

    It makes a shortest-path call per family per draw, on edge times recomputed from each
    draw's parameters (the same model terms).
    """
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


# -- time-distance profiles ------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One piece of a route's time-distance profile (UNESCAP / CAREC CPMM method).

    Attributes
    ----------
    kind
        ``"move"`` (distance and time advance together) or ``"stop"`` (time and cost advance
        where the cargo stands: a border, a canal transit, a transfer, a wait for a sailing).
    what
        For a move, the link mode; for a stop, ``"border"``, ``"canal"`` or the transfer
        kind (``"rail_road"``, ``"port"`` ...).
    place
        Where: the place's name (for a move or a border, ``"from – to"``).
    name
        What the step is, in words (``"rail–road transshipment"``, ``"border AZ/IR"``).
    label
        What the step is, where and how long, e.g.
        ``"Astara (IR): rail–road transshipment 36 h"``.
    km, hours, usd
        ``(start, end)`` of cumulative distance, time and cost along the route.
    """

    kind: str
    what: str
    place: str
    name: str
    label: str
    km: tuple[float, float]
    hours: tuple[float, float]
    usd: tuple[float, float]

    @property
    def duration_h(self) -> float:
        """Hours the step adds."""
        return self.hours[1] - self.hours[0]


@dataclass
class Profile:
    """A route's time-distance and cost-distance profile.

    Attributes
    ----------
    route
        The route.
    steps
        :class:`Step` objects in travel order (likely values, through the route's weight).
    km
        Cumulative distance at each vertex (``len(steps) + 1`` values, from 0).
    band
        ``{"days": {"p10", "p50", "p90"}, "cost_usd": {...}}``: arrays of the cumulative
        percentiles at each vertex from the Monte Carlo (``None`` without parameters). The
        last values are :func:`route_percentiles` of the route for the same draws and seed.
    draws, seed
        The Monte Carlo's draws and seed (``None`` without a band).
    """

    route: Route
    steps: list[Step]
    km: np.ndarray
    band: dict[str, dict[str, np.ndarray]] | None = None
    draws: int | None = None
    seed: int | None = None

    def stops(self, min_hours: float = 0.0) -> list[Step]:
        """The stop steps of at least ``min_hours``."""
        return [s for s in self.steps if s.kind == "stop" and s.duration_h >= min_hours]

    def to_frame(self):
        """One row per step: kind, what, place, label, km, hours and USD at start and end."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": s.kind,
                    "what": s.what,
                    "place": s.place,
                    "name": s.name,
                    "label": s.label,
                    "km_start": s.km[0],
                    "km_end": s.km[1],
                    "hours_start": s.hours[0],
                    "hours_end": s.hours[1],
                    "usd_start": s.usd[0],
                    "usd_end": s.usd[1],
                }
                for s in self.steps
            ]
        )


def _hours_text(h: float) -> str:
    return f"{h:.0f} h" if h < 72 else f"{h:.0f} h ({h / 24:.1f} d)"


def _words(name: str) -> str:
    return name.replace("_", " ")


def _transfer_words(kind: str, params: Mapping[str, Any] | None) -> str:
    """A transfer kind in words.

    The table's own ``label`` if it has one, else from the name (``rail_road`` -> ``rail–road
    transshipment``, ``caspian_port`` -> ``caspian port handling``).
    """
    table = ((params or {}).get("transfers") or {}).get(kind)
    if isinstance(table, Mapping) and isinstance(table.get("label"), str):
        return table["label"]
    modes = set(((params or {}).get("modes") or {}).keys()) or {
        "rail",
        "road",
        "sea",
        "caspian",
        "ferry",
        "inland",
    }
    parts = kind.split("_")
    if len(parts) == 2 and set(parts) <= modes:
        return f"{parts[0]}–{parts[1]} transshipment"
    if parts[-1] in ("port", "terminal"):
        return f"{_words(kind)} handling"
    return _words(kind)


def _leg_pieces(leg, factor, params) -> list[dict[str, Any]]:
    """A leg split into a stop (border, canal, transfer, wait) and a move, each with its ...

    ... likely hours and USD and its term coefficients ``{(quantity, key, inverse): coef}``.
    """
    transfer = leg["kind"] == "transfer"
    stop, move = _stop_and_move(leg, factor)
    out = []
    if transfer or stop["hours"] > 0 or stop["usd"] > 0:
        what, where, name, text = _stop_words(leg, stop, params)
        out.append(
            {
                "kind": "stop",
                "what": what,
                "place": where,
                "name": name,
                "label": f"{where}: {text}",
                "km": 0.0,
                **stop,
            }
        )
    if not transfer:
        where = f"{leg['from_name']} – {leg['to_name']}"
        out.append(
            {
                "kind": "move",
                "what": str(leg["mode"]),
                "place": where,
                "name": str(leg["mode"]),
                "label": f"{where}: {leg['mode']}",
                "km": float(leg["distance_km"]),
                **move,
            }
        )
    return out


def _stop_and_move(leg, factor) -> tuple[dict[str, Any], dict[str, Any]]:
    """A leg's hours, USD and term coefficients, split between where it stands and moves.

    Parameters
    ----------
    leg
        The route leg.
    factor
        The weight's term factor ``factor(edge, term)`` (a scenario's scaling), or None.

    Returns
    -------
    tuple
        The stop (``hours``, ``usd``, ``dwell``, ``wait``, ``coef``, ``canal``) and the move
        (``hours``, ``usd``, ``coef``). A hand-built edge without terms gives totals only.
    """
    from .model import split_key

    d = leg.edge
    terms = edge_terms(d)
    transfer = leg["kind"] == "transfer"
    stop = {"hours": 0.0, "usd": 0.0, "dwell": 0.0, "wait": 0.0, "coef": {}, "canal": None}
    move = {"hours": 0.0, "usd": 0.0, "coef": {}}
    if not terms:  # a hand-built edge: totals only
        if transfer:
            stop.update(hours=float(leg["time_h"]), usd=float(leg["cost_usd"]))
            stop["dwell"] = stop["hours"]
        else:
            held = float(d.get("dwell_h", 0.0)) + float(d.get("wait_h", 0.0))
            held = min(held, float(leg["time_h"]))
            stop.update(hours=held, dwell=held)
            move.update(hours=float(leg["time_h"]) - held, usd=float(leg["cost_usd"]))
        return stop, move
    for t, x in zip(terms, d["parts"], strict=True):
        if t.quantity not in ("time_h", "cost_usd"):
            continue
        f = factor(d, t) if factor is not None else 1.0
        moving = not transfer and t.part in ("move", "rate")
        piece = move if moving else stop
        k = (t.quantity, t.key, t.inverse)
        piece["coef"][k] = piece["coef"].get(k, 0.0) + t.coef * f
        if t.quantity == "time_h":
            piece["hours"] += x * f
            if not moving:
                stop["wait" if t.part == "wait" else "dwell"] += x * f
                if t.key.startswith("canals."):
                    stop["canal"] = split_key(t.key)[1]
        else:
            piece["usd"] += x * f
    return stop, move


def _stop_words(leg, stop: Mapping[str, Any], params) -> tuple[str, str, str, str]:
    """What a stop is, where, its name and its text: a transfer, a canal or a border.

    Parameters
    ----------
    leg
        The route leg.
    stop
        Its stop (from :func:`_stop_and_move`).
    params
        The parameter file, for the transfers' words (or None).

    Returns
    -------
    tuple
        ``what`` (the transfer kind, ``canal`` or ``border``), the place, the name and the
        text with the hours.
    """
    if leg["kind"] == "transfer":
        what = str(leg.get("transfer") or "transfer")
        where = leg["from_name"]
        name = _transfer_words(what, params)
        text = f"{name} {_hours_text(stop['dwell'])}"
        if stop["wait"] > 0:
            to_layer = str(leg.get("to_layer") or "")
            service = to_layer.split(":", 1)[1] if ":" in to_layer else "next"
            wait = f"wait for {_words(service)} sailing"
            name += f" + {wait}"
            text += f" + {wait} {_hours_text(stop['wait'])}"
    elif stop["canal"] is not None:
        what, where = "canal", f"{leg['from_name']} – {leg['to_name']}"
        name = f"{_words(stop['canal']).title()} canal transit"
        text = f"{name} {_hours_text(stop['hours'])}"
    else:
        what, where = "border", f"{leg['from_name']} – {leg['to_name']}"
        name = " ".join(["border", str(leg.get("country") or "")]).strip()
        text = f"{name} {_hours_text(stop['hours'])}"
    return what, where, name, text


def route_profile(
    r: Route,
    params: Mapping[str, Any] | None = None,
    *,
    draws: int = 10_000,
    seed: int | None = 0,
) -> Profile:
    """The time-distance and cost-distance profile of a route, leg by leg.

    Moving along a link advances distance and time together; a border's dwell, a canal
    transit, a transfer's dwell and the wait for a sailing advance time (and cost) where the
    cargo stands: the vertical steps of the UNESCAP / CAREC time-distance method. Figures are
    the route's own (likely values, through the weight that found it, so a scenario's).

    Parameters
    ----------
    r
        The route.
    params
        The parameter file (``G.graph["params"]``): with it, each vertex gets its P10/P50/P90
        of cumulative days and cost from the same Monte Carlo as :func:`route_percentiles`
        (the same draws and seed give the same end figures).
    draws, seed
        The Monte Carlo's draws and random seed.

    Returns
    -------
    Profile
    """
    factor = r.weight.term_factor() if r.weight is not None else None
    pieces = [p for leg in r.legs for p in _leg_pieces(leg, factor, params)]
    steps, km, h, usd = [], 0.0, 0.0, 0.0
    vertices = [0.0]
    for p in pieces:
        step = Step(
            kind=p["kind"],
            what=p["what"],
            place=p["place"],
            name=p["name"],
            label=p["label"],
            km=(km, km + p["km"]),
            hours=(h, h + p["hours"]),
            usd=(usd, usd + p["usd"]),
        )
        steps.append(step)
        km, h, usd = step.km[1], step.hours[1], step.usd[1]
        vertices.append(km)
    prof = Profile(route=r, steps=steps, km=np.array(vertices))
    if params is None or not all(edge_terms(leg.edge) for leg in r.legs):
        return prof
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    T = _Terms.of({"route": [r]})  # the same keys, in the same order, as route_percentiles
    index = {k: i for i, k in enumerate(T.keys)}
    time = np.zeros((len(T.keys), len(pieces)))
    cost = np.zeros((len(T.keys), len(pieces)))
    for j, p in enumerate(pieces):
        for (q, key, _), c in p["coef"].items():
            (time if q == "time_h" else cost)[index[key], j] += c
    rng = np.random.default_rng(seed)
    values = _sample(params, T.keys, draws, rng)
    # the model discrepancy scales the whole route's time, drawn as route_percentiles draws it
    f = apply_discrepancy(np.ones(draws), discrepancy_sigma(params), discrepancy_rng(seed))
    cum_days = np.cumsum(_evaluate(values, T.inverse, time), axis=1) / 24.0 * f[:, None]
    cum_usd = np.cumsum(values @ cost, axis=1)

    def pct(a: np.ndarray) -> dict[str, np.ndarray]:
        a = np.concatenate([np.zeros((a.shape[0], 1)), a], axis=1)
        p10, p50, p90 = np.percentile(a, [10, 50, 90], axis=0)
        return {"p10": p10, "p50": p50, "p90": p90}

    prof.band = {"days": pct(cum_days), "cost_usd": pct(cum_usd)}
    prof.draws, prof.seed = draws, seed
    return prof
