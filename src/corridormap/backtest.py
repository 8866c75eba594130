"""The backtest: every movement of the evidence register beside the model's figure for it.

Each movement is replayed on the model as linear time terms (:mod:`corridormap.predict`, which
states the rules).

**Scoring.** A row's model figure is on the row's own clock (:mod:`corridormap.predict`):
its expected value (what routes are chosen and headlined by) and its P10/P50/P90 from a seeded
Monte Carlo over the terms (the draws of :func:`corridormap.uncertainty.sample`, and the
model's error from the row's own stream). The error is the expected model figure against the
middle of the observed range; a row is *inside* when the observed range overlaps the model's
P10-P90.

**Cross-validation.** When the parameters are calibrated (:mod:`corridormap.calibrate`), the
fitted rows are scored out of sample: the rows are split into ``k`` folds, every row of one
movement (the register's ``movement`` key: two reports of the same train) in the same fold,
and a row's figures come from the calibration fitted without its fold. Holdout rows are scored
against the calibration on every fitted row, and never fitted. Beside it, every row is scored
with the sourced values (no fit at all: the baseline a calibration has to beat, out of sample
by construction).
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

from ._errors import InputError
from .calibrate import MAX_ITER, FixedPoint, fixed_point, prior_params
from .evidence import Movement, evidence_path, load_evidence
from .model import apply_discrepancy, discrepancy_rng, discrepancy_sigma
from .paramfile import parameter_keys
from .predict import DatedNetworks, Prediction, TermKey, predict_all, term_matrix
from .uncertainty import evaluate, expected_row, percentiles, sample

__all__ = [
    "Backtest",
    "BacktestSummary",
    "assign_folds",
    "backtest",
    "cross_validated_predictions",
    "monte_carlo",
    "movement_groups",
]

DRAWS, SEED, FOLDS = 4_000, 0, 5


# -- Monte Carlo -----------------------------------------------------------------------------
def monte_carlo(
    params: Mapping[str, Any],
    terms: Sequence[Mapping[TermKey, float]],
    *,
    draws: int = DRAWS,
    seed: int | None = SEED,
    ids: Sequence[str] | None = None,
) -> np.ndarray:
    """The expected value, P10, P50 and P90 (days) of each figure: ``len(terms) x 4``.

    Every parameter is drawn as in :func:`corridormap.compare` (its own stream of the seed),
    shared by all figures, and each figure carries the calibrated model error from its own
    stream (keyed by ``ids``, the rows' ids).
    """
    if not terms:
        return np.zeros((0, 4))
    keys, inverse, coef = term_matrix(terms)
    expected = evaluate(expected_row(params, keys, inverse), inverse, coef) / 24.0
    days = evaluate(sample(params, keys, draws, seed), inverse, coef) / 24.0
    sigma = discrepancy_sigma(params)
    if sigma > 0:
        for j, rid in enumerate(ids or [""] * len(terms)):
            days[:, j] = apply_discrepancy(days[:, j], sigma, discrepancy_rng(seed, rid))
    return np.column_stack([expected, percentiles(days, axis=0).T])


# -- folds -----------------------------------------------------------------------------------
def assign_folds(movements: Iterable[Movement], k: int = FOLDS) -> dict[str, int | str]:
    """Cross-validation folds, deterministic: holdout rows get ``"holdout"``.

    The fitted rows are grouped by the register's ``movement`` key (every report of one train,
    one sailing or one claim), the groups ordered by their key, and take folds 1..k in turn.
    Rows on the same movement share a fold, so one never informs the other's out-of-sample
    figure.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise InputError(f"k (folds) must be a whole number of at least 2, got {k!r}")
    mvs = list(movements)
    out: dict[str, int | str] = {mv.id: "holdout" for mv in mvs if mv.holdout}
    for i, ids in enumerate(movement_groups(mvs)):
        for rid in ids:
            out[rid] = i % k + 1
    return out


def movement_groups(movements: Iterable[Movement]) -> list[list[str]]:
    """The fitted rows' ids grouped by the movement they report, groups in fold order.

    Rows naming one ``movement`` (one train or sailing reported by several sources, or its
    legs reported apart) form one group, so a fold never scores a movement whose other rows
    it was fitted on; there are at most as many useful folds as groups.
    """
    groups: dict[str, list[str]] = {}
    for mv in sorted((mv for mv in movements if not mv.holdout), key=lambda mv: mv.id):
        groups.setdefault(mv.movement, []).append(mv.id)
    return [groups[key] for key in sorted(groups)]


# -- the backtest ----------------------------------------------------------------------------
OBS_FIELDS = (
    "id",
    "title",
    "kind",
    "measure",
    "clock",
    "movement",
    "role",
    "fold",
    "observed_days",
    "expected",
    "p10",
    "p50",
    "p90",
    "error_days",
    "error_pct",
    "inside",
    "scored_with",
    "baseline_expected",
    "baseline_error_pct",
    "route",
    "not_replayable",
    "source",
    "notes",
)


class BacktestSummary(dict):
    """:meth:`Backtest.summary`: a dict of the figures that prints as sentences."""

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict."""
        return dict(self)

    def __str__(self) -> str:
        def pct(x: Any) -> str:
            return "n/a" if x is None else f"{x:g}%"

        def share(x: Any) -> str:
            return "n/a" if x is None else f"{x:.0%}"

        how = (
            "out of sample" if self["out_of_sample"] else "in sample (calibrated, scored as fitted)"
        )
        lines = [
            f"Backtest ({self['mode']}, {how}): {self['n']} observations replayed, "
            f"{self['n_not_replayable']} not replayable",
            f"  median absolute error {pct(self['median_abs_pct_error_out_of_sample'])}, "
            f"{share(self['share_inside_p10_p90'])} inside the model's P10-P90",
            f"  with every parameter at its sourced value: median absolute error "
            f"{pct(self['baseline_median_abs_pct_error_out_of_sample'])}",
            f"  held out: {self['n_holdout']} rows, median absolute error "
            f"{pct(self['median_abs_pct_error_holdout'])}, "
            f"{share(self['share_inside_p10_p90_holdout'])} inside P10-P90",
            f"  {self['draws']:,} draws, seed {self['seed']}, {self['folds']} folds, "
            f"{self['calibrated_parameters']} calibrated parameters",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython's display
        p.text(str(self))


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

    def summary(self) -> BacktestSummary:
        """How good the model is on the register, readable (``print``) and as a dict.

        Keys: ``n``, ``median_abs_pct_error_out_of_sample``, ``share_inside_p10_p90``, the
        same for the held-out rows, ``n_not_replayable``, ``mode``, ``out_of_sample``,
        ``draws``, ``seed``, ``folds``, ``calibrated_parameters``; :meth:`~BacktestSummary.
        to_dict` gives them as a plain dict.
        """

        def med(rows):
            return round(float(np.median([abs(o["error_pct"]) for o in rows])), 1) if rows else None

        def share(rows):
            return round(sum(o["inside"] for o in rows) / len(rows), 3) if rows else None

        rows = self.scored()
        base = [o for o in rows if o["baseline_error_pct"] is not None]

        def med_base(rows):
            if not rows:
                return None
            return round(float(np.median([abs(o["baseline_error_pct"]) for o in rows])), 1)

        fitted = [o for o in rows if o["role"] != "holdout"]
        return BacktestSummary(
            {
                "n": len(rows),
                "median_abs_pct_error_out_of_sample": med(rows),
                "baseline_median_abs_pct_error_out_of_sample": med_base(base),
                "median_abs_pct_error_fitted_rows": med(fitted),
                "baseline_median_abs_pct_error_fitted_rows": med_base(
                    [o for o in fitted if o["baseline_error_pct"] is not None]
                ),
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
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"observations": [...], "summary": {...}}``."""
        return {"observations": self.observations, "summary": self.summary().to_dict()}

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
        from .render.charts import backtest_figure

        return backtest_figure(self)

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"<Backtest {s['mode']}: {s['n']} rows, median |error| "
            f"{s['median_abs_pct_error_out_of_sample']}%, inside P10-P90 "
            f"{s['share_inside_p10_p90']}>"
        )


def _has_calibrated(params: Mapping[str, Any]) -> list[str]:
    return [k for k, t in parameter_keys(params).items() if t.get("basis") == "calibrated"]


def backtest(
    G: nx.MultiDiGraph | None = None,
    *,
    evidence: Sequence[Movement] | str | os.PathLike[str] | None = None,
    draws: int = DRAWS,
    seed: int | None = SEED,
    folds: int = FOLDS,
    cross_validate: bool | None = None,
    progress: bool | str | None = None,
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
    progress
        Show the calibrations' progress on stderr (:mod:`corridormap._progress`).

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
        movements = load_evidence(evidence_path(directory))
    elif isinstance(evidence, str | os.PathLike):
        movements = load_evidence(evidence)
    else:
        movements = list(evidence)
    fold_of = assign_folds(movements, folds)
    calibrated = _has_calibrated(G.graph["params"])
    cv = bool(calibrated) if cross_validate is None else bool(cross_validate)
    # (prediction, params) scoring each row
    scoring: list[tuple[Prediction, Mapping[str, Any], str]] = []
    if not cv:
        nets = DatedNetworks(_geodata(G), G.graph["params"])
        for rp in predict_all(nets, movements):
            scoring.append((rp, G.graph["params"], "parameters as given"))
    else:
        scoring = cross_validated_predictions(G, movements, fold_of, folds=folds, progress=progress)
    obs = _score(scoring, _baseline(G, movements), fold_of, draws, seed)
    return Backtest(
        observations=obs,
        mode="cross-validated" if cv else "as-is",
        draws=draws,
        seed=seed,
        folds=folds,
        calibrated=sorted(calibrated),
        seconds=time.perf_counter() - t0,
    )


def _baseline(
    G: nx.MultiDiGraph, movements: Sequence[Movement]
) -> list[tuple[Prediction, Mapping[str, Any], str]]:
    """Every row predicted with the sourced values (every calibration undone)."""
    prior = prior_params(G.graph["params"])
    nets = DatedNetworks(_geodata(G), prior)
    return [(rp, prior, "sourced values") for rp in predict_all(nets, movements)]


def _geodata(G: nx.MultiDiGraph) -> Any:
    """The geodata of a network's directory, as written: every date's network is built from it."""
    from .io import load_geodata

    return load_geodata(G.graph.get("directory"))


def cross_validated_predictions(
    G: nx.MultiDiGraph,
    movements: Sequence[Movement],
    fold_of: Mapping[str, int | str],
    *,
    folds: int = FOLDS,
    max_iter: int = MAX_ITER,
    progress: bool | str | None = None,
) -> list[tuple[Prediction, Mapping[str, Any], str]]:
    """Each row predicted and paired with the parameters that score it out of sample.

    A fitted row of fold ``f`` is predicted on the network calibrated without fold ``f`` and
    scored with that calibration; a holdout row with the calibration on every fitted row.
    """
    from ._progress import Progress
    from .io import load_geodata

    gd = load_geodata(G.graph.get("directory"))
    prior = prior_params(G.graph["params"])
    fit_rows = [mv for mv in movements if not mv.holdout]
    with Progress(folds + 1, desc="backtest", unit="calibration", show=progress) as bar:
        runs: dict[int | str, FixedPoint] = {"all": fixed_point(gd, prior, fit_rows, max_iter)}
        bar.update(1)
        for f in range(1, folds + 1):
            train = [mv for mv in fit_rows if fold_of[mv.id] != f]
            runs[f] = fixed_point(gd, prior, train, max_iter)
            bar.update(1)
    out = []
    for mv in movements:
        f = fold_of[mv.id]
        run = runs["all"] if f == "holdout" else runs[f]
        how = "calibrated on every fitted row" if f == "holdout" else f"calibrated without fold {f}"
        (rp,) = predict_all(run.networks, [mv])
        out.append((rp, run.params, how))
    return out


def _figures(scoring, draws, seed) -> dict[int, np.ndarray]:
    """Row index -> (expected, P10, P50, P90) days, one Monte Carlo per parameter set."""
    out: dict[int, np.ndarray] = {}
    groups: dict[int, list[int]] = {}
    for i, (rp, params, _) in enumerate(scoring):
        if rp.ok:
            groups.setdefault(id(params), []).append(i)
    for idxs in groups.values():
        params = scoring[idxs[0]][1]
        res = monte_carlo(
            params,
            [scoring[i][0].terms for i in idxs],
            draws=draws,
            seed=seed,
            ids=[scoring[i][0].movement.id for i in idxs],
        )
        for i, row in zip(idxs, res, strict=True):
            out[i] = row
    return out


def _score(scoring, baseline, fold_of, draws, seed) -> list[dict[str, Any]]:
    figs = _figures(scoring, draws, seed)
    base = _figures(baseline, draws, seed) if baseline is not None else {}
    out = []
    for i, (rp, _, how) in enumerate(scoring):
        mv = rp.movement
        lo, hi = mv.observed_days
        mid = (lo + hi) / 2.0
        o: dict[str, Any] = dict.fromkeys(OBS_FIELDS)
        o.update(
            id=mv.id,
            title=mv.title,
            kind=mv.kind,
            measure=mv.measure,
            clock=mv.clock,
            movement=mv.movement,
            role=mv.role,
            fold=fold_of[mv.id],
            observed_days=[round(lo, 3), round(hi, 3)],
            route=rp.route.nodes if rp.route is not None else None,
            not_replayable=rp.reason,
            source=mv.source,
            notes=mv.notes,
        )
        if i in figs:
            e, p10, p50, p90 = (float(x) for x in figs[i])
            o.update(
                expected=round(e, 2),
                p10=round(p10, 2),
                p50=round(p50, 2),
                p90=round(p90, 2),
                error_days=round(e - mid, 2),
                error_pct=round((e - mid) / mid * 100.0, 1),
                inside=bool(lo <= p90 and hi >= p10),
                scored_with=how,
            )
            assert math.isfinite(e)
        if i in base:
            b = float(base[i][0])
            o.update(
                baseline_expected=round(b, 2), baseline_error_pct=round((b - mid) / mid * 100.0, 1)
            )
        out.append(o)
    return out
