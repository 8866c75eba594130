"""Calibration: the ``estimated`` time parameters fitted to the evidence register.

**What is fitted.** Every parameter that a replayed row's figure uses as a time term
(speeds, dwell and transit hours, headways and waits) and whose basis is ``estimated``.
``official`` figures are never moved; a table already ``calibrated`` is refitted from the values
it was calibrated from (``calibrated_from`` and ``sourced_range``), so the run is reproducible.

**The fit.** A maximum a posteriori fit on log days. The model figure of a row is the value the
Monte Carlo centres on: the sum of its route terms, each parameter entering with its expected
value under its triangular ``low / likely / high`` distribution (``E[X] = (low + likely +
high) / 3`` for dwells, headways and waits; ``E[1/X]`` for speeds, see
:func:`corridormap.model.expected_value`), so
that the backtest's P50 and the fitted figure agree even where a sourced range is skewed (a
likely value fitted on its own would leave the Monte Carlo P50 up to a sixth off on the bundled
data). The fit moves the ``likely`` value. Each fitted row (``role`` other than ``holdout``)
gives a residual ``(log model - log observed midpoint) / sigma_row`` with ``sigma_row = max(0.10,
half the log width of the observed range)``: a 10 % miss is one unit, a wide published range
counts for less. Each parameter gives a prior residual ``(log likely - log sourced likely) /
sigma_prior`` with ``sigma_prior`` a quarter of the log width of its sourced ``[low, high]``
(the range read as about +-2 standard deviations), so a parameter that no row informs stays at
its likely value and one that rows pull on moves only as far as they outweigh its source.
Values are bounded to the sourced range (``scipy.optimize.least_squares``, trust-region
reflective, in log space). A robust soft-L1 loss keeps one row the model cannot represent (a
two-month standstill, say) from dragging every parameter it touches to a bound. Given its route
a row's figure is linear in each speed's inverse and in each dwell, headway and wait, so the fit
evaluates route terms, not routes.

**Re-routing.** Calibrated values can change which route is best, so the network is rebuilt
with the fitted values and every row replayed again; the fit is repeated until the routes stop
changing (a fixed point), at most ``max_iter`` times.

**Spread.** ``low`` and ``high`` become ``likely x exp(+-sqrt(6) sd)`` clipped to the sourced
range, where ``sd`` is the posterior standard deviation in log space (from the Jacobian at the
solution, scaled up by the rows' mean squared standardised residual when that exceeds one, so
the spread covers how far the model misses); a symmetric triangular distribution of half-width
``sqrt(6) sd`` has standard deviation ``sd``. As the expected values depend on the spread, the
fit and the spread are repeated (at most ``SPREAD_ROUNDS`` times) until the spread settles.
With few rows per parameter the posterior is wide and the sourced range is kept.

**Written back.** :func:`write_parameters` edits ``parameters.toml`` in place, line by line:
``likely``, ``low``, ``high`` and ``basis = "calibrated"`` are rewritten, and
``calibrated_from`` (the previous likely), ``sourced_range`` (the sourced low and high),
``evidence`` (the ids of the rows whose replayed figures use the parameter) and ``calibration``
(a one-line account of the fit) are added; ``source`` and ``notes`` are kept as written.
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import GeodataError
from .evidence import Movement, evidence_path, load_evidence
from .model import DISCREPANCY_KEY, expected_value, param_table, split_key
from .paramfile import parameter_keys, render_parameters
from .predict import DatedNetworks, Prediction, predict_all
from .uncertainty import evaluate, sample_ranges

__all__ = [
    "Calibration",
    "Fit",
    "FixedPoint",
    "calibrate",
    "check_parameters",
    "fit_parameters",
    "fixed_point",
    "prior_params",
    "write_parameters",
]

MAX_ITER = 5
#: rounds of (fit, posterior spread) until the spread stops changing
SPREAD_ROUNDS = 4
ROW_SIGMA_FLOOR = 0.10
SIGNIFICANT = 4


@dataclass(frozen=True)
class Prior:
    """A parameter's sourced range and likely value (what calibration starts from)."""

    low: float
    likely: float
    high: float


def prior_of(table: Mapping[str, Any]) -> Prior:
    """The sourced ``low / likely / high`` of a table, undoing an earlier calibration."""
    if table.get("basis") == "calibrated":
        lo, hi = table["sourced_range"]
        return Prior(float(lo), float(table["calibrated_from"]), float(hi))
    return Prior(float(table["low"]), float(table["likely"]), float(table["high"]))


def prior_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` with every calibrated table back at its sourced values."""
    out = copy.deepcopy(dict(params))
    for key, table in parameter_keys(out).items():
        if table.get("basis") != "calibrated":
            continue
        if "calibrated_from" not in table or "sourced_range" not in table:
            raise GeodataError(
                "a calibrated table needs calibrated_from and sourced_range",
                file="parameters.toml",
                feature=key,
                field="basis",
            )
        p = prior_of(table)
        t = dict(table)
        for k in ("calibrated_from", "sourced_range", "evidence", "calibration"):
            t.pop(k, None)
        t.update(low=p.low, likely=p.likely, high=p.high, basis="estimated")
        _set(out, key, t)
    return out


def _set(params: dict[str, Any], key: str, table: Mapping[str, Any]) -> None:
    parts = split_key(key)
    node = params
    for p in parts[:-1]:
        node = node[p]
    node[parts[-1]] = dict(table)


def _round(x: float) -> float:
    return float(f"{x:.{SIGNIFICANT}g}")


# -- the fit ---------------------------------------------------------------------------------
@dataclass
class Fit:
    """The fitted values of one calibration run.

    Attributes
    ----------
    values
        Key -> fitted likely value (rounded to 4 significant digits).
    spread
        Key -> ``(low, high)`` after the fit.
    evidence
        Key -> ids of the fitted rows whose figures use it.
    priors
        Key -> :class:`Prior` (sourced range and likely).
    residuals
        Row id -> ``log(model / observed midpoint)`` at the fitted values.
    rows
        Ids of the rows fitted.
    discrepancy
        The model discrepancy (log scale): the residuals' robust spread left after the
        fitted parameter ranges' own spread (see :func:`discrepancy_of`).
    """

    values: dict[str, float]
    spread: dict[str, tuple[float, float]]
    evidence: dict[str, list[str]]
    priors: dict[str, Prior]
    residuals: dict[str, float]
    rows: list[str]
    success: bool = True
    message: str = ""
    discrepancy: float = 0.0


def _fittable(params: Mapping[str, Any], key: str) -> bool:
    t = param_table(params, key)
    lo, hi = float(t["low"]), float(t["high"])
    return t.get("basis") == "estimated" and 0 < lo < hi


def _rows_by_param(rows: Sequence[Prediction]) -> dict[str, list[str]]:
    """The ids of the rows each parameter enters, in row order.

    Parameters
    ----------
    rows
        The predicted rows.

    Returns
    -------
    dict
        Parameter key to the movement ids that use it.
    """
    used: dict[str, list[str]] = {}
    for rp in rows:
        for k, _ in rp.terms:
            used.setdefault(k, [])
            if rp.movement.id not in used[k]:
                used[k].append(rp.movement.id)
    return used


def _design(rows: Sequence[Prediction], keys: Sequence[str], params: Mapping[str, Any]) -> tuple:
    """The fit's linear structure: each row's days as terms of the fitted parameters.

    Parameters
    ----------
    rows
        The predicted rows.
    keys
        The fitted parameters, in order.
    params
        The prior parameters (fixed ones enter with their expected value).

    Returns
    -------
    tuple
        ``direct`` and ``inverse`` (parameters x rows, days per unit of the parameter or of
        its inverse), ``const`` (days from fixed parameters per row), ``y`` (log of the
        observed middle) and ``sigma`` (each row's log spread, at least
        :data:`ROW_SIGMA_FLOOR`).
    """
    index = {k: j for j, k in enumerate(keys)}
    n, p = len(rows), len(keys)
    direct, inverse = np.zeros((p, n)), np.zeros((p, n))
    const = np.zeros(n)
    y, sigma = np.zeros(n), np.zeros(n)
    for i, rp in enumerate(rows):
        for (k, inv), c in rp.terms.items():
            if k in index:
                (inverse if inv else direct)[index[k], i] += c / 24.0
            else:  # a fixed parameter enters with its expected value under its own range
                t = param_table(params, k)
                lo_k, m_k, hi_k = (float(t[f]) for f in ("low", "likely", "high"))
                const[i] += c * float(expected_value(lo_k, m_k, hi_k, inv)) / 24.0
        lo, hi = rp.movement.observed_days
        y[i] = math.log((lo + hi) / 2.0)
        sigma[i] = max(ROW_SIGMA_FLOOR, math.log(hi / lo) / 2.0)
    return direct, inverse, const, y, sigma


def fit_parameters(
    predictions: Sequence[Prediction],
    params: Mapping[str, Any],
    *,
    prior_weight: float = 1.0,
    free: Iterable[str] | None = None,
) -> Fit:
    """Fit the ``estimated`` parameters the predicted rows use (see the module docstring).

    Parameters
    ----------
    predictions
        The rows' predictions to fit (rows that are not replayable are skipped).
    params
        The prior parameters (sourced values; :func:`prior_params` of a calibrated file).
    prior_weight
        Multiplier on the prior residuals.
    free
        Only these parameters may move (default every fittable one the rows use); the others
        keep their sourced values (:func:`select_free` chooses them).
    """
    from scipy.optimize import least_squares

    rows = [rp for rp in predictions if rp.ok]
    used = _rows_by_param(rows)
    allowed = None if free is None else set(free)
    keys = sorted(k for k in used if _fittable(params, k) and (allowed is None or k in allowed))
    priors = {k: prior_of(param_table(params, k)) for k in keys}
    if not rows:
        return Fit({}, {}, {}, priors, {}, [], True, "nothing to fit")
    if not keys:  # every parameter at its sourced value: the residuals are the model's error
        _, _, const, y, _ = _design(rows, [], params)
        resid = np.log(const) - y
        empty = np.zeros((0, len(rows)))
        none = np.zeros(0)
        return Fit(
            {},
            {},
            {},
            priors,
            {rp.movement.id: float(resid[i]) for i, rp in enumerate(rows)},
            [rp.movement.id for rp in rows],
            True,
            "every parameter at its sourced value",
            discrepancy_of(resid, (none, none, none), const, empty, empty),
        )
    n = len(rows)
    direct, inverse, const, y, sigma = _design(rows, keys, params)
    lo_b = np.log([priors[k].low for k in keys])
    hi_b = np.log([priors[k].high for k in keys])
    mu = np.log([priors[k].likely for k in keys])
    s = (hi_b - lo_b) / 4.0
    w = prior_weight / s
    has_dir, has_inv = direct.any(axis=1), inverse.any(axis=1)
    as_is = np.zeros(len(keys), dtype=bool)

    def ranges(u, half):
        return np.maximum(lo_b, u - half), np.minimum(hi_b, u + half)

    def model(u, half):
        la, lb = ranges(u, half)
        a, c, b = np.exp(la), np.exp(u), np.exp(lb)
        # every term at its expected value: E[X], or E[1/X] for an inverse term (taken as is)
        e_dir = np.where(has_dir, expected_value(a, c, b, False), 0.0)
        e_inv = np.where(has_inv, expected_value(a, c, b, True), 0.0)
        return const + evaluate(e_dir, as_is, direct) + evaluate(e_inv, as_is, inverse)

    def fun(u, half):
        return np.concatenate([(np.log(model(u, half)) - y) / sigma, w * (u - mu)])

    eps = 1e-9 * (hi_b - lo_b)
    u = np.clip(mu, lo_b + eps, hi_b - eps)
    half = hi_b - lo_b  # first round: the sourced range
    res = None
    for _ in range(SPREAD_ROUNDS):
        res = least_squares(
            fun, u, args=(half,), bounds=(lo_b, hi_b), method="trf", loss="soft_l1", f_scale=1.0
        )
        u = np.clip(res.x, lo_b + eps, hi_b - eps)
        r_data = fun(u, half)[:n]
        J = res.jac
        scale = max(1.0, float(np.mean(r_data**2)))
        cov = np.linalg.pinv(J.T @ J)
        sd = np.sqrt(np.clip(np.diag(cov), 0.0, None) * scale)
        new_half = np.minimum(math.sqrt(6.0) * sd, hi_b - lo_b)
        done = np.allclose(new_half, half, rtol=0.02, atol=1e-3)
        half = new_half
        if done:
            break
    assert res is not None
    u = res.x
    la, lb = ranges(u, half)
    values, spread = {}, {}
    for j, k in enumerate(keys):
        pr = priors[k]
        v = min(max(_round(math.exp(u[j])), pr.low), pr.high)
        lo = min(max(_round(math.exp(la[j])), pr.low), v)
        hi = max(min(_round(math.exp(lb[j])), pr.high), v)
        values[k], spread[k] = v, (lo, hi)
    f = model(u, half)
    resid = np.log(f) - y
    A, C, B = np.exp(la), np.exp(u), np.exp(lb)
    return Fit(
        values=values,
        spread=spread,
        evidence={k: sorted(used[k]) for k in keys},
        priors=priors,
        residuals={rp.movement.id: float(resid[i]) for i, rp in enumerate(rows)},
        rows=[rp.movement.id for rp in rows],
        success=bool(res.success),
        message=str(res.message),
        discrepancy=discrepancy_of(resid, (A, C, B), const, direct, inverse),
    )


def discrepancy_of(
    resid: np.ndarray,
    ranges: tuple[np.ndarray, np.ndarray, np.ndarray],
    const: np.ndarray,
    direct: np.ndarray,
    inverse: np.ndarray,
    *,
    draws: int = 1000,
) -> float:
    """The model discrepancy: ``sqrt(max(0, s_r**2 - s_p**2))`` on the log scale.

    ``s_r`` is the spread that puts 80% of the fitted rows' log residuals inside a normal
    P10-P90 band (the 80th percentile of their absolute values over 1.2816, centred on zero:
    the discrepancy is an error, not a bias), ``s_p**2`` the rows' mean variance of log time
    when the fitted parameters are drawn from their fitted ranges (seeded, ``draws`` draws).
    What the parameter ranges already explain is not counted twice; parameters held fixed in
    the fit are left out of ``s_p``, which makes the discrepancy, if anything, wider. So the
    Monte Carlo's P10-P90 covers about 80% of the record it was fitted to; the backtest's
    cross-validation says how much of the record it has not seen.
    """
    if resid.size == 0:
        return 0.0
    s_r = float(np.quantile(np.abs(resid), 0.8)) / 1.2816
    lo, mode, hi = ranges
    # the ranges ordered about their mode; a range of one value (high <= low) is its mode
    wide = hi > lo
    X = sample_ranges(
        np.where(wide, np.minimum(lo, mode), mode),
        mode,
        np.where(wide, np.maximum(hi, mode), mode),
        draws,
        np.random.default_rng(0),
    )
    none, every = np.zeros(lo.size, dtype=bool), np.ones(lo.size, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        M = const + evaluate(X, none, direct) + evaluate(X, every, inverse)
    s_p2 = float(np.mean(np.var(np.log(M), axis=0))) if np.all(M > 0) else 0.0
    return _round(math.sqrt(max(0.0, s_r**2 - s_p2)))


def apply_fit(params: Mapping[str, Any], fit: Fit) -> dict[str, Any]:
    """A copy of the prior ``params`` with the fitted tables written in (basis ``calibrated``)."""
    out = copy.deepcopy(dict(params))
    for k, v in fit.values.items():
        pr = fit.priors[k]
        lo, hi = fit.spread[k]
        ids = fit.evidence[k]
        t = dict(param_table(out, k))
        t.update(
            low=lo,
            likely=v,
            high=hi,
            basis="calibrated",
            calibrated_from=pr.likely,
            sourced_range=[pr.low, pr.high],
            evidence=ids,
            calibration=(
                f"fitted by 'corridormap calibrate' (MAP, least squares on log days, bounded "
                f"to the sourced range) to {len(ids)} evidence row{'s' * (len(ids) != 1)}; "
                f"low/high: posterior spread, clipped to the sourced range"
            ),
        )
        _set(out, k, t)
    if fit.rows:
        try:
            table = param_table(out, DISCREPANCY_KEY)
        except KeyError:
            table = None
        if table is not None:
            pr = prior_of(table)
            d = min(max(fit.discrepancy, pr.low), pr.high)
            t = dict(table)
            t.update(
                low=d,
                likely=d,
                high=d,
                basis="calibrated",
                calibrated_from=pr.likely,
                sourced_range=[pr.low, pr.high],
                evidence=sorted(fit.rows),
                calibration=(
                    f"set by 'corridormap calibrate': the robust spread of {len(fit.rows)} "
                    "fitted rows' log residuals beyond what the fitted parameter ranges explain"
                ),
            )
            _set(out, DISCREPANCY_KEY, t)
    return out


# -- which parameters move --------------------------------------------------------------------
#: inner folds of the parameter selection
SELECT_FOLDS = 5
#: the least drop in cross-validated error (mean absolute log error) that frees a parameter:
#: one per cent, so that a parameter is not moved for a gain within the folds' own noise
SELECT_GAIN = 0.01


@dataclass
class Selection:
    """The parameters a calibration lets move, and the cross-validated errors that chose them.

    Attributes
    ----------
    free
        The parameters fitted, in the order they were chosen.
    steps
        ``(parameter or "sourced values", cross-validated mean absolute log error)`` after
        each step: the sourced values first, then each parameter freed.
    rejected
        Parameter -> the cross-validated error with it freed as well, for the candidates of
        the last step (none of which lowered the error enough).
    """

    free: list[str]
    steps: list[tuple[str, float]]
    rejected: dict[str, float] = field(default_factory=dict)


def _inner_folds(rows: Sequence[Prediction], k: int) -> list[list[int]]:
    """Row indices in ``k`` folds, every row of one movement in one fold.

    The movement keys are sorted and dealt to the folds in turn.
    """
    keys = sorted({rp.movement.movement for rp in rows})
    fold = {key: i % k for i, key in enumerate(keys)}
    out: list[list[int]] = [[] for _ in range(k)]
    for i, rp in enumerate(rows):
        out[fold[rp.movement.movement]].append(i)
    return [f for f in out if f]


def _log_errors(rows: Sequence[Prediction], params: Mapping[str, Any]) -> np.ndarray:
    """``|log(expected model days / observed middle)|`` of each row under ``params``."""
    from .predict import term_matrix
    from .uncertainty import expected_row

    keys, inverse, coef = term_matrix([rp.terms for rp in rows])
    days = evaluate(expected_row(params, keys, inverse), inverse, coef) / 24.0
    mid = np.array([sum(rp.movement.observed_days) / 2.0 for rp in rows])
    return np.abs(np.log(days / mid))


def select_free(
    predictions: Sequence[Prediction], params: Mapping[str, Any], *, folds: int = SELECT_FOLDS
) -> Selection:
    """Which ``estimated`` parameters move off their sourced values: those that lower the error.

    Forward selection: starting from every parameter at its sourced value, each step frees the
    parameter whose fit (:func:`fit_parameters` on the other folds, with the parameters freed so
    far) gives the least mean absolute log error on the held-out folds, and stops when no
    parameter lowers it by :data:`SELECT_GAIN`. The folds keep every row of one movement
    together (the register's ``movement`` key), so two reports of one train never score each
    other. The routes are held as predicted.
    """
    rows = [rp for rp in predictions if rp.ok]
    cands = sorted(k for k in _rows_by_param(rows) if _fittable(params, k))
    parts = _inner_folds(rows, folds)
    if len(parts) < 2 or not cands:
        return Selection([], [("sourced values", float("nan"))])

    def cv_error(free: Sequence[str]) -> float:
        errs = []
        for test in parts:
            held = set(test)
            train = [rp for i, rp in enumerate(rows) if i not in held]
            fitted = apply_fit(params, fit_parameters(train, params, free=free))
            errs.append(_log_errors([rows[i] for i in test], fitted))
        return float(np.mean(np.concatenate(errs)))

    chosen: list[str] = []
    current = cv_error(chosen)
    steps = [("sourced values", current)]
    rejected: dict[str, float] = {}
    while True:
        trial = {k: cv_error([*chosen, k]) for k in cands if k not in chosen}
        if not trial:
            break
        best = min(trial, key=lambda k: (trial[k], k))
        if trial[best] > current - SELECT_GAIN:
            rejected = trial
            break
        chosen.append(best)
        current = trial[best]
        steps.append((best, current))
    return Selection(chosen, steps, rejected)


# -- fixed point -----------------------------------------------------------------------------
@dataclass
class FixedPoint:
    """The end of :func:`fixed_point`: the fit whose routes no longer change.

    Attributes
    ----------
    params
        The calibrated parameters.
    networks
        The networks built with them, one per date the rows name
        (:class:`~corridormap.predict.DatedNetworks`).
    fit
        The last :class:`Fit`.
    predictions
        The rows predicted on ``G``.
    iterations, converged
        Re-routing rounds, and whether the routes stopped changing.
    selection
        Which parameters were let move, and why (:func:`select_free`).
    """

    params: dict[str, Any]
    networks: DatedNetworks
    fit: Fit
    predictions: list[Prediction]
    iterations: int
    converged: bool
    selection: Selection | None = None


def fixed_point(
    gd: Any, prior: Mapping[str, Any], movements: Sequence[Movement], max_iter: int = MAX_ITER
) -> FixedPoint:
    """Fit, rebuild the networks with the fitted values and predict again, until routes settle.

    Each row is predicted on the network of its own date
    (:class:`~corridormap.predict.DatedNetworks`).

    Parameters
    ----------
    gd
        The geodata (:class:`~corridormap.io.Geodata`) whose network is rebuilt.
    prior
        The sourced parameters the fit starts from (:func:`prior_params`).
    movements
        The rows to fit.
    max_iter
        At most this many fit / re-route rounds.

    Returns
    -------
    FixedPoint
    """
    params: dict[str, Any] = dict(prior)
    prev: tuple | None = None
    fit = Fit({}, {}, {}, {}, {}, [])
    preds: list[Prediction] = []
    selection: Selection | None = None
    for it in range(1, max_iter + 1):
        nets = DatedNetworks(gd, params)
        preds = predict_all(nets, movements)
        sig = tuple(rp.signature() for rp in preds)
        if sig == prev:
            return FixedPoint(params, nets, fit, preds, it - 1, True, selection)
        if selection is None:  # chosen once, on the routes of the sourced values
            selection = select_free(preds, prior)
        fit = fit_parameters(preds, prior, free=selection.free)
        params = apply_fit(prior, fit)
        prev = sig
    nets = DatedNetworks(gd, params)
    preds = predict_all(nets, movements)
    done = tuple(rp.signature() for rp in preds) == prev
    return FixedPoint(params, nets, fit, preds, max_iter, done, selection)


# -- the calibration -------------------------------------------------------------------------
@dataclass
class Calibration:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    params
        The calibrated parameters (the prior ones with the fitted tables written in).
    prior
        The sourced parameters the fit started from.
    fit
        The final :class:`Fit`.
    predictions
        The fitted rows predicted on the calibrated network.
    iterations, converged
        Re-routing rounds and whether the routes reached a fixed point.
    directory
        The geodata directory calibrated.
    seconds
        How long the run took.
    selection
        Which parameters were let move off their sourced values, and the cross-validated
        errors that chose them (:func:`select_free`).
    """

    params: dict[str, Any]
    prior: dict[str, Any]
    fit: Fit
    predictions: list[Prediction]
    iterations: int
    converged: bool
    directory: str
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    selection: Selection | None = None

    def changes(self) -> list[dict[str, Any]]:
        """One row per fitted parameter: prior and fitted values, spread, rows, move in %."""
        rows = []
        for k in sorted(self.fit.values):
            pr, v = self.fit.priors[k], self.fit.values[k]
            lo, hi = self.fit.spread[k]
            rows.append(
                {
                    "parameter": k,
                    "sourced_low": pr.low,
                    "prior_likely": pr.likely,
                    "sourced_high": pr.high,
                    "calibrated": v,
                    "low": lo,
                    "high": hi,
                    "change_pct": round((v - pr.likely) / pr.likely * 100.0, 1),
                    "rows": len(self.fit.evidence[k]),
                    "evidence": self.fit.evidence[k],
                }
            )
        rows.sort(key=lambda r: -abs(r["change_pct"]))
        return rows

    def __repr__(self) -> str:
        return (
            f"<Calibration: {len(self.fit.values)} parameters fitted to {len(self.fit.rows)} "
            f"evidence rows in {self.iterations} round{'s' * (self.iterations != 1)}"
            f"{'' if self.converged else ' (routes still changing)'}>"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: rounds, rows fitted and not replayable, seconds, the fitted parameters."""
        return {
            "directory": self.directory,
            "iterations": self.iterations,
            "converged": self.converged,
            "rows_fitted": self.fit.rows,
            "rows_not_replayable": [{"id": i, "reason": r} for i, r in self.skipped],
            "seconds": round(self.seconds, 2),
            "parameters": self.changes(),
            "selection": None
            if self.selection is None
            else {
                "free": self.selection.free,
                "steps": [
                    {"freed": name, "cv_mean_abs_log_error": round(err, 5)}
                    for name, err in self.selection.steps
                ],
            },
        }


def calibrate(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    evidence: Sequence[Movement] | str | os.PathLike[str] | None = None,
    max_iter: int = MAX_ITER,
) -> Calibration:
    """Fit the ``estimated`` time parameters of a geodata directory to its evidence register.

    Parameters
    ----------
    data_dir
        A geodata directory (default: the bundled data).
    evidence
        Movements or a register file; default the directory's ``evidence.toml``, else the
        bundled one. Rows with ``role = "holdout"`` are never fitted.
    max_iter
        At most this many fit / re-route rounds.

    Returns
    -------
    Calibration
    """
    from .io import load_geodata

    t0 = time.perf_counter()
    gd = load_geodata(data_dir)
    if evidence is None:
        movements = load_evidence(evidence_path(gd.directory))
    elif isinstance(evidence, str | os.PathLike):
        movements = load_evidence(evidence)
    else:
        movements = list(evidence)
    prior = prior_params(gd.params)
    fit_rows = [mv for mv in movements if not mv.holdout]
    run = fixed_point(gd, prior, fit_rows, max_iter)
    return Calibration(
        params=run.params,
        prior=prior,
        fit=run.fit,
        predictions=run.predictions,
        iterations=run.iterations,
        converged=run.converged,
        directory=gd.directory,
        seconds=time.perf_counter() - t0,
        skipped=[(rp.movement.id, rp.reason or "") for rp in run.predictions if not rp.ok],
        selection=run.selection,
    )


def calibrated_text(cal: Calibration) -> tuple[Path, str, str]:
    """``(file, current text, calibrated text)`` of a calibration's ``parameters.toml``."""
    path = Path(cal.directory) / "parameters.toml"
    text = path.read_text(encoding="utf-8")
    return path, text, render_parameters(text, cal.params)


def write_parameters(cal: Calibration) -> bool:
    """Write the calibrated values into the directory's ``parameters.toml`` (atomically).

    Returns whether the file changed.
    """
    from ._atomic import atomic_write

    path, old, new = calibrated_text(cal)
    if new == old:
        return False
    atomic_write(path, new)
    return True


def check_parameters(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``parameters.toml`` already holds what :func:`calibrate` produces."""
    _, old, new = calibrated_text(calibrate(data_dir))
    return old == new
