"""The backtest: every movement of the evidence register replayed on the model.

**Replay.** A movement becomes the model's figure for the same thing, as linear terms of the
parameters (:mod:`corridormap.model`), so the Monte Carlo and the calibration evaluate it without
routing again:

* ``door_to_door``, ``port_to_port``, ``leg``: the best route from the first waypoint to the
  last, through the middle waypoints in order, each stretch restricted to the modes of the
  ``by`` of the waypoint it arrives at (:func:`corridormap.route` with ``leg_modes``). A
  door-to-door figure is the route's whole time; a port-to-port sailing or a leg starts when
  the first vehicle leaves and ends when the last arrives, so the transfers at the two ends
  (loading at the origin's gate with its wait for a departure, unloading at the destination)
  are left out. Transfers in between stay in.
* ``border_dwell`` (two places, the border's two sides): the border dwell term of the land
  link joining them (of the mode ``by`` names, where both a rail and a road link cross).
* ``terminal_dwell`` (one place): the transfer from the place's gate into its layer of mode
  ``by`` (the terminal dwell plus the wait for a departure where the model adds one), the
  quickest such transfer at likely values where the place has several layers of that mode.

A row whose place is not in the network, or that no route replays, is reported as not
replayable, with the reason, and is neither scored nor fitted.

**Scoring.** P10/P50/P90 of the model figure come from a seeded Monte Carlo over the terms
(triangular draws on each parameter's ``low / likely / high``, as in :func:`corridormap.
compare`). The error is the model P50 against the middle of the observed range; a row is
*inside* when the observed range overlaps the model's P10-P90.

**Cross-validation.** When the parameters are calibrated (:mod:`corridormap.calibrate`), the
fitted rows are scored out of sample: the rows are split into ``k`` folds by sorted id (rows
replaying the same movement kept together), and a row's figures come from the calibration
fitted without its fold. Holdout rows are scored against the calibration on every fitted row,
and never fitted.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ._errors import AmbiguousPlaceError, InputError, NoRouteError, UnknownPlaceError
from .evidence import DWELLS, Movement, load_evidence
from .model import (
    apply_discrepancy,
    discrepancy_rng,
    discrepancy_sigma,
    edge_terms,
    layer_mode,
    param_table,
)
from .network import GATE, layer_nodes
from .places import resolve_place
from .routing import Route, route

__all__ = [
    "Backtest",
    "Replay",
    "assign_folds",
    "backtest",
    "monte_carlo",
    "replay",
    "replay_all",
]

DRAWS, SEED, FOLDS = 4_000, 0, 5
#: a time term of a replayed figure: (parameter key, inverse) -> coefficient (hours)
TermKey = tuple[str, bool]


@dataclass
class Replay:
    """A movement replayed on the model.

    Attributes
    ----------
    movement
        The register row.
    terms
        The model figure as time terms ``(key, inverse) -> coefficient`` (hours), or ``None``
        when the row is not replayable.
    reason
        Why the row is not replayable (``None`` when it is).
    route
        The route replaying a movement (``None`` for dwell rows).
    """

    movement: Movement
    terms: dict[TermKey, float] | None = None
    reason: str | None = None
    route: Route | None = None

    @property
    def ok(self) -> bool:
        """Whether the movement could be replayed (it has model terms)."""
        return self.terms is not None

    def likely_days(self, params: Mapping[str, Any]) -> float:
        """The figure at the parameters' likely values, days."""
        assert self.terms is not None
        return _value(self.terms, lambda k: float(param_table(params, k)["likely"])) / 24.0

    def signature(self) -> tuple:
        """What the replay took (route nodes or terms), to tell when a re-route changed it."""
        if self.terms is None:
            return ()
        return tuple(sorted((k, i, round(c, 6)) for (k, i), c in self.terms.items()))


def _value(terms: Mapping[TermKey, float], value: Any) -> float:
    return float(sum(c / value(k) if inv else c * value(k) for (k, inv), c in terms.items()))


def _time_terms(edges: Iterable[Mapping[str, Any]], factor: Any = None) -> dict[TermKey, float]:
    out: dict[TermKey, float] = {}
    for d in edges:
        for t in edge_terms(d):
            if t.quantity != "time_h":
                continue
            c = t.coef * (factor(d, t) if factor is not None else 1.0)
            out[(t.key, t.inverse)] = out.get((t.key, t.inverse), 0.0) + c
    return out


def _resolve(G: nx.MultiDiGraph, mv: Movement) -> list[str] | str:
    ids = []
    for w in mv.path:
        try:
            ids.append(resolve_place(G, w.place))
        except AmbiguousPlaceError:
            return f"place {w.place!r} is ambiguous in the network"
        except UnknownPlaceError:
            return f"place {w.place!r} not in the network"
    return ids


def _border_terms(G: nx.MultiDiGraph, mv: Movement, ids: list[str]) -> dict | str:
    if len(ids) != 2:
        return "a border_dwell row needs the border's two sides"
    a, b = ids
    modes = set(mv.path[1].by or mv.path[0].by or ())
    found: dict[str, dict[TermKey, float]] = {}
    for n in layer_nodes(G, a):
        for _, _v, d in G.out_edges(n, data=True):
            if d["kind"] != "link" or d["v_place"] != b or not d.get("border"):
                continue
            if modes and d["mode"] not in modes:
                continue
            terms = {
                (t.key, t.inverse): t.coef
                for t in edge_terms(d)
                if t.quantity == "time_h" and t.part == "dwell" and t.key.startswith("borders.")
            }
            if terms:
                found[d["mode"]] = terms
    if not found:
        how = f" by {', '.join(sorted(modes))}" if modes else ""
        return f"no border link{how} joins {a} and {b} in the network"
    distinct = {tuple(sorted(t.items())) for t in found.values()}
    if len(distinct) > 1:
        return (
            f"{a} and {b} are joined by {', '.join(sorted(found))} border links: "
            "give the mode with `by`"
        )
    return next(iter(found.values()))


def _terminal_terms(G: nx.MultiDiGraph, mv: Movement, ids: list[str]) -> dict | str:
    if len(ids) != 1:
        return "a terminal_dwell row names one place, the terminal"
    p = ids[0]
    modes = set(mv.path[0].by or ())
    params = G.graph["params"]
    cands = []
    if p in G:
        for _, _v, d in G.out_edges(p, data=True):
            if d.get("kind") != "transfer" or d.get("from_layer") != GATE:
                continue
            mode = layer_mode(d["to_layer"])
            cands.append((mode, d))
    if not modes:
        present = {m for m, _ in cands}
        if len(present) != 1:
            return (
                f"{p} has layers of {', '.join(sorted(present)) or 'no mode'}: "
                "give the terminal's mode with `by`"
            )
        modes = present
    best = None
    for mode, d in cands:
        if mode not in modes:
            continue
        terms = _time_terms([d])
        x = _value(terms, lambda k: float(param_table(params, k)["likely"]))
        if best is None or x < best[0]:
            best = (x, terms)
    if best is None:
        return f"{p} has no {'/'.join(sorted(modes))} terminal in the network"
    return best[1]


def replay(G: nx.MultiDiGraph, mv: Movement) -> Replay:
    """Replay one movement on the network (see the module docstring for the rules)."""
    ids = _resolve(G, mv)
    if isinstance(ids, str):
        return Replay(mv, reason=ids)
    if mv.measure in DWELLS:
        fn = _border_terms if mv.measure == "border_dwell" else _terminal_terms
        got = fn(G, mv, ids)
        return Replay(mv, reason=got) if isinstance(got, str) else Replay(mv, terms=got)
    try:
        r = route(
            G,
            ids[0],
            ids[-1],
            via=ids[1:-1],
            leg_modes=[list(w.by) if w.by else None for w in mv.path[1:]],
        )
    except (NoRouteError, InputError) as exc:
        return Replay(mv, reason=f"no route: {exc}")
    keep = [
        leg.edge
        for leg in r.legs
        if mv.measure == "door_to_door"
        or leg["kind"] != "transfer"
        or GATE not in (leg.get("from_layer"), leg.get("to_layer"))
    ]
    factor = r.weight.term_factor() if r.weight is not None else None
    return Replay(mv, terms=_time_terms(keep, factor), route=r)


def replay_all(G: nx.MultiDiGraph, movements: Iterable[Movement]) -> list[Replay]:
    """:func:`replay` for every movement, in order."""
    return [replay(G, mv) for mv in movements]


# -- Monte Carlo -----------------------------------------------------------------------------
def _matrix(terms: Sequence[Mapping[TermKey, float]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    inv: dict[str, bool] = {}
    for t in terms:
        for k, i in t:
            inv[k] = i
    keys = sorted(inv)
    index = {k: j for j, k in enumerate(keys)}
    coef = np.zeros((len(keys), len(terms)))
    for col, t in enumerate(terms):
        for (k, _), c in t.items():
            coef[index[k], col] += c
    return keys, np.array([inv[k] for k in keys], dtype=bool), coef


def monte_carlo(
    params: Mapping[str, Any],
    terms: Sequence[Mapping[TermKey, float]],
    *,
    draws: int = DRAWS,
    seed: int | None = SEED,
) -> np.ndarray:
    """P10, P50 and P90 (days) of each figure: an array ``len(terms) x 3``.

    Every parameter is drawn from its triangular ``low / likely / high`` distribution, once per
    draw, shared by all figures (as in :func:`corridormap.compare`), and each figure carries
    the calibrated model discrepancy.
    """
    from .compare import _evaluate, _sample

    if not terms:
        return np.zeros((0, 3))
    keys, inverse, coef = _matrix(terms)
    rng = np.random.default_rng(seed)
    values = _sample(params, keys, draws, rng)
    days = _evaluate(values, inverse, coef) / 24.0
    days = apply_discrepancy(days, discrepancy_sigma(params), discrepancy_rng(seed))
    return np.percentile(days, [10, 50, 90], axis=0).T


# -- folds -----------------------------------------------------------------------------------
def assign_folds(movements: Iterable[Movement], k: int = FOLDS) -> dict[str, int | str]:
    """Cross-validation folds, deterministic: holdout rows get ``"holdout"``.

    The fitted rows are grouped by the movement they replay (same measure and waypoints, e.g.
    two sources on one train), the groups ordered by their first id, and take folds 1..k in
    turn. Rows on the same movement share a fold, so one never informs the other's
    out-of-sample figure.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise InputError(f"k (folds) must be a whole number of at least 2, got {k!r}")
    mvs = list(movements)
    out: dict[str, int | str] = {mv.id: "holdout" for mv in mvs if mv.holdout}
    groups: dict[tuple, list[str]] = {}
    for mv in sorted((mv for mv in mvs if not mv.holdout), key=lambda mv: mv.id):
        key = (mv.measure, tuple((w.place.casefold(), w.by) for w in mv.path))
        groups.setdefault(key, []).append(mv.id)
    for i, ids in enumerate(sorted(groups.values())):
        for rid in ids:
            out[rid] = i % k + 1
    return out


# -- the backtest ----------------------------------------------------------------------------
OBS_FIELDS = (
    "id",
    "title",
    "kind",
    "measure",
    "role",
    "fold",
    "observed_days",
    "p10",
    "p50",
    "p90",
    "error_days",
    "error_pct",
    "inside",
    "scored_with",
    "route",
    "not_replayable",
    "source",
    "notes",
)


@dataclass
class Backtest:
    """Every observation beside the model's P10/P50/P90 for it.

    Attributes
    ----------
    observations
        One dict per register row (``OBS_FIELDS``); ``p10``... are ``None`` where the row is not
        replayable.
    mode
        ``"as-is"`` (the parameters as they are, nothing fitted) or ``"cross-validated"``
        (fitted rows scored by the fit that left their fold out).
    draws, seed, folds
        The Monte Carlo and cross-validation settings.
    calibrated
        Parameter keys whose basis is ``calibrated``.
    seconds
        How long the run took.
    """

    observations: list[dict[str, Any]]
    mode: str
    draws: int
    seed: int | None
    folds: int
    calibrated: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def scored(self, role: str | None = None) -> list[dict[str, Any]]:
        """The replayable rows (of ``role`` ``fit`` or ``holdout`` if given)."""
        return [
            o
            for o in self.observations
            if o["p50"] is not None and (role is None or o["role"] == role)
        ]

    def summary(self) -> dict[str, Any]:
        """``n``, ``median_abs_pct_error_out_of_sample``, ``share_inside_p10_p90`` and more."""

        def med(rows):
            return round(float(np.median([abs(o["error_pct"]) for o in rows])), 1) if rows else None

        def share(rows):
            return round(sum(o["inside"] for o in rows) / len(rows), 3) if rows else None

        rows = self.scored()
        return {
            "n": len(rows),
            "median_abs_pct_error_out_of_sample": med(rows),
            "share_inside_p10_p90": share(rows),
            "n_holdout": len(self.scored("holdout")),
            "median_abs_pct_error_holdout": med(self.scored("holdout")),
            "share_inside_p10_p90_holdout": share(self.scored("holdout")),
            "n_not_replayable": len(self.observations) - len(rows),
            "mode": self.mode,
            # the fitted rows' figures come from fits that did not see them (always true when
            # nothing is calibrated; false when calibrated parameters are scored as they are)
            "out_of_sample": self.mode == "cross-validated" or not self.calibrated,
            "draws": self.draws,
            "seed": self.seed,
            "folds": self.folds,
            "calibrated_parameters": len(self.calibrated),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"observations": [...], "summary": {...}}``."""
        return {"observations": self.observations, "summary": self.summary()}

    def to_frame(self):
        """A pandas DataFrame, one row per observation."""
        import pandas as pd

        rows = []
        for o in self.observations:
            r = dict(o)
            r["observed_low"], r["observed_high"] = r.pop("observed_days")
            r["route"] = " ".join(r["route"] or [])
            rows.append(r)
        return pd.DataFrame(rows)

    def plot(self):
        """A matplotlib figure: observed range vs model P10-P90 per observation."""
        from .charts import backtest_figure

        return backtest_figure(self)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"<Backtest {s['mode']}: {s['n']} rows, median |error| "
            f"{s['median_abs_pct_error_out_of_sample']}%, inside P10-P90 "
            f"{s['share_inside_p10_p90']}>"
        )


def _has_calibrated(params: Mapping[str, Any]) -> list[str]:
    from .calibrate import parameter_keys

    return [k for k, t in parameter_keys(params).items() if t.get("basis") == "calibrated"]


def backtest(
    G: nx.MultiDiGraph | None = None,
    *,
    evidence: Sequence[Movement] | str | os.PathLike[str] | None = None,
    draws: int = DRAWS,
    seed: int | None = SEED,
    folds: int = FOLDS,
    cross_validate: bool | None = None,
) -> Backtest:
    """Score the model against every row of the evidence register.

    Parameters
    ----------
    G
        The network (default: the bundled one).
    evidence
        Movements, or a register file; default the network's geodata directory's
        ``evidence.toml``, else the bundled register.
    draws, seed
        Monte Carlo draws per figure and the random seed.
    folds
        Cross-validation folds.
    cross_validate
        Score fitted rows out of sample (see the module docstring); default: when any parameter
        is calibrated. ``False`` scores the parameters as they are.

    Returns
    -------
    Backtest
    """
    from ._schema import MAX_DRAWS, check_count
    from .network import load_network

    t0 = time.perf_counter()
    draws = check_count(draws, "draws", high=MAX_DRAWS)
    G = G if G is not None else load_network()
    directory = G.graph.get("directory")
    if evidence is None:
        movements = load_evidence(_register(directory))
    elif isinstance(evidence, str | os.PathLike):
        movements = load_evidence(evidence)
    else:
        movements = list(evidence)
    fold_of = assign_folds(movements, folds)
    calibrated = _has_calibrated(G.graph["params"])
    cv = bool(calibrated) if cross_validate is None else bool(cross_validate)
    # (replay, params) scoring each row
    scoring: list[tuple[Replay, Mapping[str, Any], str]] = []
    if not cv:
        for rp in replay_all(G, movements):
            scoring.append((rp, G.graph["params"], "parameters as given"))
    else:
        from .calibrate import cross_validated_replays

        scoring = cross_validated_replays(G, movements, fold_of, folds=folds)
    obs = _score(scoring, fold_of, draws, seed)
    return Backtest(
        observations=obs,
        mode="cross-validated" if cv else "as-is",
        draws=draws,
        seed=seed,
        folds=folds,
        calibrated=sorted(calibrated),
        seconds=time.perf_counter() - t0,
    )


def _register(directory: str | None):
    from .evidence import evidence_path

    return evidence_path(directory)


def _score(scoring, fold_of, draws, seed) -> list[dict[str, Any]]:
    pct: dict[int, np.ndarray] = {}
    # one Monte Carlo per parameter set (rows sharing a fit share their draws)
    groups: dict[int, list[int]] = {}
    for i, (rp, params, _) in enumerate(scoring):
        if rp.ok:
            groups.setdefault(id(params), []).append(i)
    for idxs in groups.values():
        params = scoring[idxs[0]][1]
        res = monte_carlo(params, [scoring[i][0].terms for i in idxs], draws=draws, seed=seed)
        for i, row in zip(idxs, res, strict=True):
            pct[i] = row
    out = []
    for i, (rp, _, how) in enumerate(scoring):
        mv = rp.movement
        lo, hi = mv.observed_days
        o: dict[str, Any] = {
            "id": mv.id,
            "title": mv.title,
            "kind": mv.kind,
            "measure": mv.measure,
            "role": mv.role,
            "fold": fold_of[mv.id],
            "observed_days": [round(lo, 3), round(hi, 3)],
            "p10": None,
            "p50": None,
            "p90": None,
            "error_days": None,
            "error_pct": None,
            "inside": None,
            "scored_with": None,
            "route": rp.route.nodes if rp.route is not None else None,
            "not_replayable": rp.reason,
            "source": mv.source,
            "notes": mv.notes,
        }
        if i in pct:
            p10, p50, p90 = (float(x) for x in pct[i])
            mid = (lo + hi) / 2.0
            o.update(
                p10=round(p10, 2),
                p50=round(p50, 2),
                p90=round(p90, 2),
                error_days=round(p50 - mid, 2),
                error_pct=round((p50 - mid) / mid * 100.0, 1),
                inside=bool(lo <= p90 and hi >= p10),
                scored_with=how,
            )
            assert math.isfinite(p50)
        out.append(o)
    return out
