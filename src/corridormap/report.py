"""The validation report, docs/validation.md: the backtest and the published relations.

Two parts. First the backtest (:mod:`corridormap.backtest`): every movement of the evidence
register beside the model's P10/P50/P90 for it, scored out of sample by cross-validation, with
what is calibrated to what and where the model and the record still disagree. Then the
published INSTC-vs-Suez relations (``[validation.*]`` in parameters.toml), which are not
fitted directly. ``scripts/validate.py`` writes the page; a test checks it is current.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

__all__ = ["backtest_markdown", "validation_markdown", "validation_rows"]

DRAWS, SEED = 10_000, 0
INSTC = ("instc-western", "instc-transcaspian", "instc-eastern")
COLUMNS = ("case", "claim", "published", "model", "error", "note", "source")


def _err(model: float, lo: float, hi: float) -> str:
    if lo <= model <= hi:
        return "within range"
    ref = lo if model < lo else hi
    return f"{(model - ref) / ref:+.0%} vs nearest bound"


def validation_rows(G: nx.MultiDiGraph | None = None) -> list[dict[str, str]]:
    """One row per published figure: case, claim, published, model, error, note, source."""
    from .network import load_network

    rep = _Report(G if G is not None else load_network())
    _distance_rows(rep)
    _fffai_rows(rep)
    _price_rows(rep)
    _trial_rows(rep)
    _route_rows(rep)
    _branch_rows(rep)
    _future_rows(rep)
    return rep.rows


class _Report:
    """The validation rows as they are built, with the network and its comparisons.

    Parameters
    ----------
    G
        The network; its ``validation`` parameters hold the published figures.
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        from .io import load_geodata
        from .predict import DatedNetworks

        self.G = G
        self.val = G.graph["params"]["validation"]
        self.rows: list[dict[str, str]] = []
        self._cache: dict[tuple, object] = {}
        self._dated = DatedNetworks(load_geodata(G.graph.get("directory")))

    def date(self, case: str) -> str | None:
        """The date a published figure is of (the leading date of its ``date``), if any."""
        m = _DATE.match(str(self.val.get(case, {}).get("date", "")))
        return m.group(0) if m else None

    def net(self, case: str) -> nx.MultiDiGraph:
        """The network of the case's date (today's when it has none)."""
        day = self.date(case)
        return self.G if day is None else self._dated.network(day)

    def comp(self, o: str, d: str, fams: Any = None, *, case: str) -> Any:
        """The comparison of ``fams`` (default all) from ``o`` to ``d`` on the case's network."""
        from .compare import compare

        key = (o, d, tuple(fams or ()), self.date(case))
        if key not in self._cache:
            G = self.net(case)
            self._cache[key] = compare(G, o, d, families=fams, draws=DRAWS, seed=SEED)
        return self._cache[key]

    def days(self, case: str, c: Any, fam: str) -> float:
        """Family ``fam``'s expected days in comparison ``c`` on the case's clock."""
        return _on_clock(self, case, c.routes[fam], c, fam)

    def add(
        self, case: str, claim: str, published: str, model: str, error: str, note: str = ""
    ) -> None:
        """Add a row; its source is the first of the case's sources."""
        src = self.val[case]["source"].split(" ; ")[0] if case in self.val else ""
        self.rows.append(
            dict(zip(COLUMNS, (case, claim, published, model, error, note, src), strict=True))
        )


#: the leading date of a published figure's ``date`` (``2016-09-20 to ...``, ``2017``)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(?!\d)")
#: how each evidence clock is named in the table
_CLOCK_WORDS = {
    "door_to_door_with_wait": "door to door",
    "from_loading": "transit",
    "from_sailing": "from the first sailing",
    "port_to_port": "port to port",
    "leg": "the stretch alone",
}


def _clock(rep: _Report, case: str) -> str:
    """The evidence clock of a published figure (:data:`corridormap.evidence.CLOCKS`)."""
    return str(rep.val.get(case, {}).get("clock", "from_loading"))


def _on_clock(rep: _Report, case: str, r: Any, c: Any = None, fam: str | None = None) -> float:
    """The expected days of route ``r`` (family ``fam`` of ``c``) on the case's clock.

    Door to door and transit come from the comparison (the same figures ``compare`` prints);
    the other clocks measure part of the route (:func:`corridormap.predict.clock_days`).
    """
    from .predict import clock_days

    clock = _clock(rep, case)
    if c is not None and clock in ("door_to_door_with_wait", "from_loading"):
        return _fig(
            c, fam, clock="door-to-door" if clock == "door_to_door_with_wait" else "transit"
        )
    return clock_days(r, clock, rep.net(case).graph["params"])


def _on(rep: _Report, case: str) -> str:
    """The case's clock and date in words: ``door to door, network of 2017-07-05``."""
    day = rep.date(case)
    words = _CLOCK_WORDS.get(_clock(rep, case), _clock(rep, case))
    return f"{words}, network of {day}" if day else words


def _fig(c: Any, fam: str, what: str = "days", clock: str = "transit") -> float:
    """The expected ``what`` (days on ``clock``, or cost_usd) of family ``fam`` in ``c``."""
    if what == "cost_usd":
        return float(c.expected[fam]["cost"])
    return float(c.expected_days(fam, clock))


def _best_instc(c: Any, what: str = "days", clock: str = "transit") -> tuple[str, float]:
    """The INSTC family of ``c`` with the least expected ``what``, and that figure."""
    fams = [f for f in INSTC if f in c.routes]
    best = min(fams, key=lambda f: _fig(c, f, what, clock))
    return best, _fig(c, best, what, clock)


def _model_clock(rep: _Report, case: str) -> str:
    """The comparison clock of a door-to-door or transit case."""
    return "door-to-door" if _clock(rep, case) == "door_to_door_with_wait" else "transit"


def _distance_rows(rep: _Report) -> None:
    """The corridor length claim, Mumbai - St Petersburg, INSTC and Suez."""
    case = "instc_distance_claim"
    c = rep.comp("Mumbai", "St Petersburg", case=case)
    fam, _ = _best_instc(c, clock=_model_clock(rep, case))
    d_instc, d_suez = c.routes[fam].distance_km, c.routes["suez-north-europe"].distance_km
    v = rep.val[case]
    rep.add(
        case,
        "INSTC distance, Mumbai - St Petersburg",
        f"{v['distance_km']:,} km",
        f"{d_instc:,.0f} km ({fam})",
        f"{(d_instc - v['distance_km']) / v['distance_km']:+.0%}",
    )
    rep.add(
        case,
        "Suez distance, Mumbai - St Petersburg",
        f"{v['distance_km_suez']:,} km",
        f"{d_suez:,.0f} km",
        f"{(d_suez - v['distance_km_suez']) / v['distance_km_suez']:+.0%}",
        "model: the all-water route via Suez, Gibraltar and Rotterdam, then a Baltic feeder",
    )


def _saving_row(rep: _Report, case: str, claim: str, published: str, pct: float, ref: float):
    rep.add(case, claim, published, f"{pct:.0%}", f"{pct * 100 - ref:+.0f} points")


def _fffai_rows(rep: _Report) -> None:
    """The FFFAI study's days and savings, Mumbai - Moscow, on the network of July 2017."""
    case = "fffai_study_2017"
    c = rep.comp("Mumbai", "Moscow", case=case)
    k = _model_clock(rep, case)
    fam, t_instc = _best_instc(c, clock=k)
    t_suez = _fig(c, "suez", clock=k)
    v = rep.val[case]
    rep.add(
        case,
        "INSTC days, Mumbai - Russia",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t_instc:.1f} d ({fam}, {_on(rep, case)})",
        _err(t_instc, v["days_low"], v["days_high"]),
    )
    rep.add(
        case,
        "Suez days, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_suez:.1f} d ({_on(rep, case)})",
        _err(t_suez, v["days_suez_low"], v["days_suez_high"]),
        "best Suez route in the model: the direct India - Novorossiysk line, then rail",
    )
    t_north = _fig(c, "suez-north-europe", clock=k)
    rep.add(
        case,
        "Suez days via northern Europe, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_north:.1f} d ({_on(rep, case)})",
        _err(t_north, v["days_suez_low"], v["days_suez_high"]),
        "the traditional route: Suez, Rotterdam, a Baltic feeder to St Petersburg, rail",
    )
    shorter, cheaper = f"{v['time_saving_pct']}% shorter", f"{v['cost_saving_pct']}% cheaper"
    c_instc, c_suez = _best_instc(c, "cost_usd")[1], _fig(c, "suez", "cost_usd")
    c_north = _fig(c, "suez-north-europe", "cost_usd")
    for claim, published, pct, ref in (
        ("INSTC time saving vs Suez", shorter, 1 - t_instc / t_suez, v["time_saving_pct"]),
        ("INSTC cost saving vs Suez", cheaper, 1 - c_instc / c_suez, v["cost_saving_pct"]),
        (
            "INSTC time saving vs Suez via northern Europe",
            shorter,
            1 - t_instc / t_north,
            v["time_saving_pct"],
        ),
        (
            "INSTC cost saving vs Suez via northern Europe",
            cheaper,
            1 - c_instc / c_north,
            v["cost_saving_pct"],
        ),
    ):
        _saving_row(rep, case, claim, published, pct, ref)


def _cost_rows(rep: _Report, case: str, what: str) -> None:
    """A published INSTC and Suez price beside the expected costs on the network of its date."""
    c = rep.comp("Mumbai", "Moscow", case=case)
    c_instc, c_suez = _best_instc(c, "cost_usd")[1], _fig(c, "suez", "cost_usd")
    v = rep.val[case]
    for claim, model, key in (
        (f"INSTC cost, {what}", c_instc, "cost_usd_per_teu"),
        (f"Suez cost, {what}", c_suez, "cost_usd_per_teu_suez"),
    ):
        rep.add(
            case,
            claim,
            f"${v[key]:,}/TEU",
            f"${model:,.0f}/TEU (network of {rep.date(case)})",
            f"{(model - v[key]) / v[key]:+.0%}",
        )


def _price_rows(rep: _Report) -> None:
    """The published prices India - Russia and the 2016 trial."""
    _cost_rows(rep, "concor_rzd_2020", "India - Russia")
    _cost_rows(rep, "fimotions_2017_nhavasheva_moscow", "Nhava Sheva - Moscow (sea + rail)")
    case = "mumbai_moscow_2016"
    c = rep.comp("Mumbai", "Moscow", INSTC, case=case)
    t_w = rep.days(case, c, "instc-western")
    v = rep.val[case]
    rep.add(
        case,
        "2016 trial, Mumbai - Moscow (western, truck Rasht - Astara)",
        f"{v['days_low']} d",
        f"{t_w:.1f} d ({_on(rep, case)})",
        _err(t_w, v["days_low"], v["days_high"]),
    )


def _family_row(
    rep: _Report, case: str, ends: tuple[str, str], fam: str, claim: str, note: str = ""
) -> None:
    """One family's expected days between two places, on the case's date and clock."""
    c = rep.comp(*ends, (fam,), case=case)
    t = rep.days(case, c, fam)
    v = rep.val[case]
    lo, hi = v["days_low"], v["days_high"]
    rep.add(
        case,
        claim,
        f"{lo} d" if lo == hi else f"{lo}-{hi} d",
        f"{t:.1f} d ({_on(rep, case)})",
        _err(t, v["days_low"], v["days_high"]),
        note,
    )


def _trial_rows(rep: _Report) -> None:
    """The St Petersburg / Moscow to Nhava Sheva trials."""
    _family_row(
        rep,
        "vuosaari_nhavasheva_2021",
        ("St Petersburg", "Mumbai"),
        "instc-western",
        "2021 Vuosaari - Nhava Sheva (western)",
        "model from St Petersburg (Vuosaari is ~300 km further)",
    )
    _family_row(
        rep,
        "stpetersburg_nhavasheva_2022",
        ("St Petersburg", "Mumbai"),
        "instc-transcaspian",
        "2022 St Petersburg - Nhava Sheva via Astrakhan - Anzali",
    )
    _family_row(
        rep,
        "moscow_nhavasheva_eastern_2022_oct",
        ("Moscow", "Mumbai"),
        "instc-eastern",
        "2022 Moscow - Nhava Sheva, eastern branch (planned)",
    )


def _route_row(rep: _Report, case: str, claim: str, days: str, r: Any, note: str = "") -> None:
    t = _on_clock(rep, case, r)
    v = rep.val[case]
    rep.add(
        case,
        claim,
        days,
        f"{t:.1f} d ({_on(rep, case)})",
        _err(t, v["days_low"], v["days_high"]),
        note,
    )


def _route_rows(rep: _Report) -> None:
    """Single-route checks: Moscow - Sarakhs, Sarakhs - Bandar Abbas, Chelyabinsk - Jeddah."""
    from .routing import route

    case = "moscow_iran_eastern_2022_jul"
    avoid = ["Astara", "Anzali", "Caspian port"]
    r = route(rep.net(case), "Moscow", "Sarakhs", avoid=avoid)
    v = rep.val[case]
    _route_row(rep, case, "2022 Chekhov - Sarakhs block train", f"{v['days_to_sarakhs']} d", r)
    case = "sarakhs_bandar_abbas_2024"
    r = route(rep.net(case), "Sarakhs", "Bandar Abbas", modes=["rail"])
    v = rep.val[case]
    days = f"{v['days_low']}-{v['days_high']} d"
    _route_row(rep, case, "Sarakhs - Bandar Abbas by Iranian rail", days, r)
    case = "chelyabinsk_jeddah_2023"
    r = route(rep.net(case), "Chelyabinsk", "Jeddah", via=["Incheh Borun", "Bandar Abbas"])
    v = rep.val[case]
    _route_row(
        rep,
        case,
        "2023 Chelyabinsk - Incheh Borun - Bandar Abbas - Jeddah",
        f"{v['days_low']}-{v['days_high']} d",
        r,
        "the train stood for weeks before entering Iran; the model has no such hold-up",
    )


def _branch_rows(rep: _Report) -> None:
    """The eastern branch to Mundra and the direct Suez line to Novorossiysk."""
    _family_row(
        rep,
        "agroexpress_chelyabinsk_mundra_2024",
        ("Chelyabinsk", "Mundra"),
        "instc-eastern",
        "2024 Chelyabinsk region - Mundra (eastern)",
        "model from Chelyabinsk (Formachevo / Yuzhnouralsk are nearby)",
    )
    _family_row(
        rep,
        "fesco_india_novorossiysk",
        ("Mumbai", "Novorossiysk"),
        "suez",
        "Nhava Sheva - Novorossiysk, direct via Suez",
        "the sea legs and the canal, without the port handling at either end",
    )
    from .routing import route

    case = "transcaspian_almaty_poti"
    r = route(rep.net(case), "Almaty", "Poti", via=["Aktau", "Alat"])
    v = rep.val[case]
    _route_row(
        rep,
        case,
        "Almaty - Aktau - Alat - Poti, the Middle Corridor (not INSTC)",
        f"{v['days_low']}-{v['days_high']} d",
        r,
    )


def _future_rows(rep: _Report) -> None:
    """The claim for St Petersburg - Mumbai once the Rasht - Astara railway runs."""
    from .routing import make_weight, route

    case = "future_claim_2024"
    clock = _model_clock(rep, case)
    w = make_weight("time_h", opened_links={"ASI-RSH-rail"}, clock=clock)
    r = route(rep.net(case), "St Petersburg", "Mumbai", weight=w)
    v = rep.val[case]
    t = r.door_to_door_h / 24.0 if clock == "door-to-door" else r.transit_h / 24.0
    rep.add(
        case,
        "St Petersburg - Mumbai after the Rasht - Astara railway",
        f"{v['days_low']} d (claim)",
        f"{t:.1f} d ({_on(rep, case)}, with the railway)",
        _err(t, v["days_low"], v["days_high"]),
    )


def _cell(value: object) -> str:
    """Text for a Markdown table cell: one line, no pipes."""
    return " ".join(str(value).split()).replace("|", "/")


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#"})


def _md(text: object) -> str:
    """Text from data for a Markdown table cell or list item: one line, Markdown escaped."""
    return _cell(str(text).translate(_MD_SPECIAL))


def _short(text: str, limit: int = 420) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _days(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.2f}" if x < 3 else f"{x:.1f}"


def _observed(o: dict) -> str:
    lo, hi = o["observed_days"]
    return _days(lo) if lo == hi else f"{_days(lo)}-{_days(hi)}"


#: the backtest's targets (out-of-sample median |error| at most, share inside at least)
TARGET_ERROR_PCT, TARGET_INSIDE = 12.0, 0.75
#: rows whose out-of-sample |error| exceeds this are listed as disagreements
DISAGREE_PCT = 25.0


def backtest_markdown(G: nx.MultiDiGraph | None = None) -> list[str]:
    """The backtest part of the report, as Markdown lines."""
    from .backtest import backtest
    from .calibrate import calibrate
    from .network import load_network
    from .paramfile import parameter_keys

    G = G if G is not None else load_network()
    params = G.graph["params"]
    cv = backtest(G, cross_validate=True)
    shipped = backtest(G, cross_validate=False)
    s, a = cv.summary(), shipped.summary()
    keys = parameter_keys(params)
    # the model discrepancy is calibrated to the residuals, not a time parameter of a route
    cal = {
        k: t
        for k, t in keys.items()
        if t.get("basis") == "calibrated" and not k.startswith("model.")
    }
    sigma = keys.get("model.discrepancy_sigma_log")
    lines = ["## Backtest: the evidence register", ""]
    lines.append(
        f"Every movement of `geodata/evidence.toml` replayed on the model (`corridormap "
        f"backtest`; rules in `corridormap.predict`) on the row's own clock (`clock`: from "
        f"loading, from the first sailing, port to port, a leg, a dwell, or door to door with "
        f"the wait for the first departure): the expected figure and its P10/P50/P90 from a "
        f"Monte Carlo ({s['draws']:,} draws, seed {s['seed']}), the error of the expected "
        f"figure against the middle of the observed range, and whether the observed range "
        f"overlaps P10-P90. Fitted rows are scored **out of sample**: the register's fitted "
        f"rows are split into {s['folds']} folds, every row of one movement (the register's "
        f"`movement` key) in one fold, and each row's figures come from the calibration "
        f"(`corridormap calibrate`) fitted without its fold; holdout rows are never fitted and "
        f"are scored against the calibration on every fitted row. Beside it, every row is "
        f"scored with the sourced values (no fit at all): the baseline a calibration must beat."
    )
    lines.append("")
    fit = calibrate(G.graph.get("directory"))
    lines += _calibration_lines(cal, fit.changes(), sigma)
    lines += _selection_lines(fit)
    lines += _score_lines(s, a, cal)
    lines += _row_lines(cv, shipped)
    lines += _disagreement_lines(cv)
    lines.append("")
    return lines


def _calibration_lines(
    cal: dict, changes: list[dict[str, Any]], sigma: dict | None = None
) -> list[str]:
    """What is calibrated: the summary, the table of moves and the parameters at a bound.

    Parameters
    ----------
    cal
        The calibrated time parameter tables of the file, by key (empty: nothing calibrated).
    changes
        The calibration's changes (:meth:`~corridormap.calibrate.Calibration.changes`).
    sigma
        The model discrepancy's parameter table, when the file has one.

    Returns
    -------
    list of str
        Markdown lines, ending with an empty line.
    """
    ids = sorted({i for r in changes for i in r["evidence"]})
    lines: list[str] = []
    if cal:
        lines.append(
            f"**What is calibrated.** {len(cal)} time parameters are `calibrated` to "
            f"{len(ids)} rows of the register (the rows whose replayed figures use them); each "
            f"keeps its `source`, its sourced range (`sourced_range`) and the value it had "
            f"before (`calibrated_from`)."
        )
    elif not changes:
        lines.append(
            "**What is calibrated.** No time parameter: every one is at its sourced value, "
            "because freeing any of them does not lower the error of rows the fit did not see "
            "(below)."
        )
    else:
        lines.append(
            f"**What is calibrated.** Nothing yet: every parameter is at its sourced value. "
            f"`make calibrate` would fit the {len(changes)} parameters below to {len(ids)} rows "
            f"of the register and rewrite `parameters.toml`; the out-of-sample figures are what "
            f"that calibration scores, the 'as shipped' column is the model as it stands."
        )
    if sigma and sigma.get("basis") == "calibrated":
        lines += [
            "",
            f"The model discrepancy (`model.discrepancy_sigma_log` = {sigma['likely']:g}, the "
            "spread of a route's time beyond what the parameter ranges explain, drawn as a "
            "mean-one log-normal factor) is calibrated to the fitted rows' residuals: "
            f"{sigma.get('calibration', '')}.",
        ]
    if not changes:
        lines.append("")
        return lines
    lines += [
        "",
        "Official figures are never moved; cost and CO2 parameters are not calibrated (the "
        "register holds times only). Largest moves first:",
        "",
        "| parameter | sourced range | before | calibrated (low-high) | change | rows |",
        "|---|---|---|---|---|---|",
    ]
    for r in changes:
        lines.append(
            f"| `{_cell(r['parameter'])}` | {r['sourced_low']:g}-{r['sourced_high']:g} | "
            f"{r['prior_likely']:g} | {r['calibrated']:g} ({r['low']:g}-{r['high']:g}) | "
            f"{r['change_pct']:+.0f}% | {r['rows']} |"
        )
    pinned = [
        r["parameter"]
        for r in changes
        if r["calibrated"] in (r["sourced_low"], r["sourced_high"]) and r["change_pct"] != 0
    ]
    if pinned:
        lines += [
            "",
            "At a bound of its sourced range (the evidence asks for more than the source "
            "allows; the source or the rows that pull on it need a second look): "
            + ", ".join(f"`{_cell(k)}`" for k in pinned)
            + ".",
        ]
    lines.append("")

    return lines


def _selection_lines(fit: Any) -> list[str]:
    """Which way each fitted parameter rests: freed, or kept at its sourced value.

    Freed where that lowered the cross-validated error.
    """
    sel = getattr(fit, "selection", None)
    if sel is None or not sel.steps:
        return []
    lines = [
        "**Which parameters move, and why.** A parameter moves off its sourced value only "
        "where that lowers the error of rows the fit did not see (forward selection on "
        "cross-validation folds that keep each movement together, mean absolute log error; "
        "`corridormap.calibrate.select_free`). The steps:",
        "",
        "| step | cross-validated mean abs. log error |",
        "|---|---|",
    ]
    for name, err in sel.steps:
        label = (
            "every parameter at its sourced value"
            if name == "sourced values"
            else (f"+ `{_cell(name)}` freed")
        )
        lines.append(f"| {label} | {err:.4f} |")
    if sel.rejected:
        best = sorted(sel.rejected.items(), key=lambda kv: kv[1])[:5]
        lines += [
            "",
            "Every other parameter stays at its sourced value: freeing it as well would not "
            "lower the error (the closest: "
            + "; ".join(f"`{_cell(k)}` {v:.4f}" for k, v in best)
            + ").",
        ]
    lines.append("")
    return lines


def _verdict(err: float | None, inside: float | None) -> str:
    """The backtest's median error and share inside P10-P90 against the targets, in words."""
    if err is None:
        return "no row could be scored"
    parts = [
        f"median absolute error {err}% (target at most {TARGET_ERROR_PCT:g}%: "
        f"{'met' if err <= TARGET_ERROR_PCT else 'missed'})",
        f"{inside:.0%} of observations inside P10-P90 (target at least "
        f"{TARGET_INSIDE:.0%}: {'met' if inside >= TARGET_INSIDE else 'missed'})",
    ]
    return ", ".join(parts)


def _score_lines(s: dict, a: dict, cal: dict) -> list[str]:
    """The scores out of sample and as shipped, then the head of the table of rows.

    Parameters
    ----------
    s, a
        The summaries of the cross-validated and the as-shipped backtest.
    cal
        The calibrated parameter tables (empty: nothing calibrated).

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines: list[str] = []
    oos = _verdict(s["median_abs_pct_error_out_of_sample"], s["share_inside_p10_p90"])
    base = s["baseline_median_abs_pct_error_out_of_sample"]
    cal_err = s["median_abs_pct_error_out_of_sample"]
    beats = (
        "the calibration beats it"
        if cal_err is not None and base is not None and cal_err < base
        else "the calibration does not beat it"
    )
    lines += [
        f"**Out of sample** ({s['n']} observations scored, {s['n_not_replayable']} not "
        f"replayable): {oos}."
        f" Holdout rows alone ({s['n_holdout']}): median absolute error "
        f"{s['median_abs_pct_error_holdout']}%, {s['share_inside_p10_p90_holdout']:.0%} inside.",
        "",
        f"**Sourced values, the baseline** (every parameter at its sourced value, nothing "
        f"fitted, so out of sample by construction): median absolute error {base}%; {beats}"
        f" (fitted rows alone: {s['median_abs_pct_error_fitted_rows']}% calibrated out of "
        f"sample against {s['baseline_median_abs_pct_error_fitted_rows']}% sourced).",
        "",
        f"**As shipped** (the parameters as they are, "
        f"{'in sample for the fitted rows' if cal else 'nothing fitted'}): median absolute error "
        f"{a['median_abs_pct_error_out_of_sample']}%, {a['share_inside_p10_p90']:.0%} inside "
        f"P10-P90. "
        + (
            "Calibration does not lower the out-of-sample error on this register: fitted to "
            "these rows, the parameters predict the rows left out no better than their sourced "
            "values do. The largest misses are listed below with each row's own notes."
            if (s["median_abs_pct_error_out_of_sample"] or 0)
            >= (a["median_abs_pct_error_out_of_sample"] or 0)
            else "Calibration lowers the error out of sample, so the fitted values generalise "
            "beyond the rows they were fitted to."
        ),
        "",
        "Days; expected and P10/P90 out of sample; error = the expected figure against the "
        "middle of the observed range; sourced: the error with every parameter at its sourced "
        "value.",
        "",
        "| id | role (fold) | clock | observed | expected | P10 | P90 | error | inside "
        "| sourced | as shipped |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    return lines


def _row_lines(cv: Any, shipped: Any) -> list[str]:
    """One table row per scored observation: out of sample, sourced, and as shipped.

    Parameters
    ----------
    cv, shipped
        The cross-validated and the as-shipped backtest.

    Returns
    -------
    list of str
        Markdown table rows.
    """
    lines: list[str] = []
    as_is = {o["id"]: o for o in shipped.observations}
    for o in cv.scored():
        role = "holdout" if o["role"] == "holdout" else f"fit ({o['fold']})"
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    o["id"],
                    role,
                    o["clock"].replace("_", " "),
                    _observed(o),
                    _days(o["expected"]),
                    _days(o["p10"]),
                    _days(o["p90"]),
                    f"{o['error_pct']:+.0f}%",
                    "yes" if o["inside"] else "no",
                    f"{o['baseline_error_pct']:+.0f}%"
                    if o["baseline_error_pct"] is not None
                    else "",
                    _days(as_is[o["id"]]["expected"]),
                )
            )
            + " |"
        )
    return lines


def _disagreement_lines(cv: Any) -> list[str]:
    """The rows the model misses (by over :data:`DISAGREE_PCT` or outside P10-P90) or cannot replay.

    Parameters
    ----------
    cv
        The cross-validated backtest.

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines: list[str] = []
    lines += ["", "### Where the model and the record still disagree", ""]
    bad = [o for o in cv.scored() if abs(o["error_pct"]) > DISAGREE_PCT or not o["inside"]]
    bad.sort(key=lambda o: -abs(o["error_pct"]))
    if not bad:
        lines.append("Every scored observation is within P10-P90 and within "
                     f"{DISAGREE_PCT:g}% of its expected figure.")  # fmt: skip
    for o in bad:
        lines.append(
            f"- **{_cell(o['id'])}** ({_observed(o)} d observed, model "
            f"{_days(o['expected'])} d expected on its clock, "
            f"{o['error_pct']:+.0f}%): {_md(_short(o['notes']))}"
        )
    skipped = [o for o in cv.observations if o["expected"] is None]
    if skipped:
        lines += ["", "### Not replayable", ""]
        lines.append("These rows are neither scored nor fitted until the network can replay them:")
        lines.append("")
        for o in skipped:
            lines.append(f"- **{_md(o['id'])}**: {_md(o['not_replayable'])}")
    return lines


def validation_markdown(G: nx.MultiDiGraph | None = None) -> str:
    """The report as the Markdown page docs/validation.md."""
    from .network import load_network

    G = G if G is not None else load_network()
    rows = validation_rows(G)
    lines = [
        "# Validation: the backtest and the published relations",
        "",
        "Generated by `scripts/validate.py` (re-run and checked by the test suite); do not edit.",
        "",
        *backtest_markdown(G),
        "## Published INSTC-vs-Suez relations",
        "",
        f"Model figures are expected values (the mean of the Monte Carlo, {DRAWS:,} draws, "
        f"seed {SEED}, which routes are chosen by), on the clock of the published figure (each "
        "`[validation.*]` table states its `clock`, as the evidence register does: door to "
        "door with the wait for the first departure, transit from loading, from the first "
        "sailing, port to port, or one stretch) and on the network of its date (the leading "
        "date of its `date`). Published figures and "
        "their sources are in `geodata/parameters.toml` `[validation.*]`. None of these "
        "figures is fitted directly, but they are not all independent of the calibration: where "
        "the evidence register holds a row for the same movement (the 2016 trial, the 2022 "
        "eastern trains, the FESCO line), the parameters may have been fitted to it. Cost "
        "parameters are not calibrated; a cost parameter's notes say where it was set against a "
        "published total, and such a cost row is no independent check.",
        "",
        "| case | claim | published | model | error | note | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row[c]) for c in COLUMNS) + " |")
    lines += [
        "",
        "Not modelled: `russia_aprin_rail` (origin not published), `irisl_claim_2022` (origin "
        "and destination not specific).",
        "",
    ]
    return "\n".join(lines)
