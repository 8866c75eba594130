"""The validation report, docs/validation.md: the backtest and the published relations.

Two parts. First the backtest (:mod:`corridormap.backtest`): every movement of the evidence
register beside the model's P10/P50/P90 for it, scored out of sample by cross-validation, with
what is calibrated to what and where the model and the record still disagree. Then the
published INSTC-vs-Suez relations (``[validation.*]`` in parameters.toml), which are not
fitted directly. ``scripts/validate.py`` writes the page; a test checks it is current.
"""

from __future__ import annotations

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
    c, c_instc, c_suez = _fffai_rows(rep)
    _price_rows(rep, c, c_instc, c_suez)
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
        self.G = G
        self.val = G.graph["params"]["validation"]
        self.rows: list[dict[str, str]] = []
        self._cache: dict[tuple, object] = {}

    def comp(self, o: str, d: str, fams: Any = None) -> Any:
        """The comparison of ``fams`` (default all) from ``o`` to ``d``, computed once."""
        from .compare import compare

        key = (o, d, tuple(fams or ()))
        if key not in self._cache:
            self._cache[key] = compare(self.G, o, d, families=fams, draws=DRAWS, seed=SEED)
        return self._cache[key]

    def add(
        self, case: str, claim: str, published: str, model: str, error: str, note: str = ""
    ) -> None:
        """Add a row; its source is the first of the case's sources."""
        src = self.val[case]["source"].split(" ; ")[0] if case in self.val else ""
        self.rows.append(
            dict(zip(COLUMNS, (case, claim, published, model, error, note, src), strict=True))
        )


def _clock(rep: _Report, case: str) -> str:
    """The model clock a published figure is compared on.

    Door to door when the figure includes the wait for the first departure, else transit.
    """
    clock = rep.val.get(case, {}).get("clock", "from_loading")
    return "door-to-door" if clock == "door_to_door_with_wait" else "transit"


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


def _on(clock: str) -> str:
    return "door to door" if clock == "door-to-door" else "transit"


def _distance_rows(rep: _Report) -> None:
    """The corridor length claim, Mumbai - St Petersburg, INSTC and Suez."""
    # corridor length: Mumbai - St Petersburg
    c = rep.comp("Mumbai", "St Petersburg")
    fam, _ = _best_instc(c)
    d_instc, d_suez = c.routes[fam].distance_km, c.routes["suez-north-europe"].distance_km
    v = rep.val["instc_distance_claim"]
    rep.add(
        "instc_distance_claim",
        "INSTC distance, Mumbai - St Petersburg",
        f"{v['distance_km']:,} km",
        f"{d_instc:,.0f} km ({fam})",
        f"{(d_instc - v['distance_km']) / v['distance_km']:+.0%}",
    )
    rep.add(
        "instc_distance_claim",
        "Suez distance, Mumbai - St Petersburg",
        f"{v['distance_km_suez']:,} km",
        f"{d_suez:,.0f} km",
        f"{(d_suez - v['distance_km_suez']) / v['distance_km_suez']:+.0%}",
        "model: the all-water route via Suez, Gibraltar and Rotterdam, then a Baltic feeder",
    )


def _fffai_rows(rep: _Report) -> tuple[Any, float, float]:
    """The FFFAI study's days and savings, Mumbai - Moscow.

    Parameters
    ----------
    rep
        The report, its rows extended in place.

    Returns
    -------
    tuple
        The Mumbai - Moscow comparison and the median costs of the best INSTC family and of
        Suez.
    """
    # FFFAI: Mumbai - Moscow
    c = rep.comp("Mumbai", "Moscow")
    k = _clock(rep, "fffai_study_2017")
    fam, t_instc = _best_instc(c, clock=k)
    t_suez = _fig(c, "suez", clock=k)
    v = rep.val["fffai_study_2017"]
    rep.add(
        "fffai_study_2017",
        "INSTC days, Mumbai - Russia",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t_instc:.1f} d ({fam}, {_on(k)})",
        _err(t_instc, v["days_low"], v["days_high"]),
    )
    rep.add(
        "fffai_study_2017",
        "Suez days, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_suez:.1f} d ({_on(k)})",
        _err(t_suez, v["days_suez_low"], v["days_suez_high"]),
        "best Suez route in the model: the direct India - Novorossiysk line, then rail",
    )
    t_north = _fig(c, "suez-north-europe", clock=k)
    rep.add(
        "fffai_study_2017",
        "Suez days via northern Europe, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_north:.1f} d ({_on(k)})",
        _err(t_north, v["days_suez_low"], v["days_suez_high"]),
        "the traditional route: Suez, Rotterdam, a Baltic feeder to St Petersburg, rail",
    )
    saving = 1 - t_instc / t_suez
    rep.add(
        "fffai_study_2017",
        "INSTC time saving vs Suez",
        f"{v['time_saving_pct']}% shorter",
        f"{saving:.0%}",
        f"{saving * 100 - v['time_saving_pct']:+.0f} points",
    )
    c_instc, c_suez = _best_instc(c, "cost_usd")[1], _fig(c, "suez", "cost_usd")
    csave = 1 - c_instc / c_suez
    rep.add(
        "fffai_study_2017",
        "INSTC cost saving vs Suez",
        f"{v['cost_saving_pct']}% cheaper",
        f"{csave:.0%}",
        f"{csave * 100 - v['cost_saving_pct']:+.0f} points",
    )
    saving_n = 1 - t_instc / t_north
    rep.add(
        "fffai_study_2017",
        "INSTC time saving vs Suez via northern Europe",
        f"{v['time_saving_pct']}% shorter",
        f"{saving_n:.0%}",
        f"{saving_n * 100 - v['time_saving_pct']:+.0f} points",
    )
    c_north = _fig(c, "suez-north-europe", "cost_usd")
    csave_n = 1 - c_instc / c_north
    rep.add(
        "fffai_study_2017",
        "INSTC cost saving vs Suez via northern Europe",
        f"{v['cost_saving_pct']}% cheaper",
        f"{csave_n:.0%}",
        f"{csave_n * 100 - v['cost_saving_pct']:+.0f} points",
    )
    return c, c_instc, c_suez


def _price_rows(rep: _Report, c: Any, c_instc: float, c_suez: float) -> None:
    """The published prices India - Russia and the 2016 trial, from the Mumbai - Moscow run.

    Parameters
    ----------
    rep
        The report, its rows extended in place.
    c
        The Mumbai - Moscow comparison.
    c_instc, c_suez
        The expected costs of the INSTC family that costs least and of Suez.
    """
    v = rep.val["concor_rzd_2020"]
    rep.add(
        "concor_rzd_2020",
        "INSTC cost, India - Russia",
        f"${v['cost_usd_per_teu']:,}/TEU",
        f"${c_instc:,.0f}/TEU",
        f"{(c_instc - v['cost_usd_per_teu']) / v['cost_usd_per_teu']:+.0%}",
    )
    rep.add(
        "concor_rzd_2020",
        "Suez cost, India - Russia",
        f"${v['cost_usd_per_teu_suez']:,}/TEU",
        f"${c_suez:,.0f}/TEU",
        f"{(c_suez - v['cost_usd_per_teu_suez']) / v['cost_usd_per_teu_suez']:+.0%}",
    )
    v = rep.val["fimotions_2017_nhavasheva_moscow"]
    rep.add(
        "fimotions_2017_nhavasheva_moscow",
        "INSTC sea + rail cost, Nhava Sheva - Moscow",
        f"${v['cost_usd_per_teu']:,}/TEU",
        f"${c_instc:,.0f}/TEU",
        f"{(c_instc - v['cost_usd_per_teu']) / v['cost_usd_per_teu']:+.0%}",
    )
    rep.add(
        "fimotions_2017_nhavasheva_moscow",
        "Suez cost, Nhava Sheva - Moscow",
        f"${v['cost_usd_per_teu_suez']:,}/TEU",
        f"${c_suez:,.0f}/TEU",
        f"{(c_suez - v['cost_usd_per_teu_suez']) / v['cost_usd_per_teu_suez']:+.0%}",
    )
    k = _clock(rep, "mumbai_moscow_2016")
    t_w = _fig(c, "instc-western", clock=k)
    v = rep.val["mumbai_moscow_2016"]
    rep.add(
        "mumbai_moscow_2016",
        "2016 trial, Mumbai - Moscow (western, truck Rasht - Astara)",
        f"{v['days_low']} d",
        f"{t_w:.1f} d ({_on(k)})",
        _err(t_w, v["days_low"], v["days_high"]),
    )


def _trial_rows(rep: _Report) -> None:
    """The St Petersburg / Moscow to Nhava Sheva trials."""
    # St Petersburg / Moscow to Nhava Sheva trials
    c = rep.comp("St Petersburg", "Mumbai", INSTC)
    v = rep.val["vuosaari_nhavasheva_2021"]
    t = _fig(c, "instc-western", clock=_clock(rep, "vuosaari_nhavasheva_2021"))
    rep.add(
        "vuosaari_nhavasheva_2021",
        "2021 Vuosaari - Nhava Sheva (western)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "model from St Petersburg (Vuosaari is ~300 km further)",
    )
    v = rep.val["stpetersburg_nhavasheva_2022"]
    t = _fig(c, "instc-transcaspian", clock=_clock(rep, "stpetersburg_nhavasheva_2022"))
    rep.add(
        "stpetersburg_nhavasheva_2022",
        "2022 St Petersburg - Nhava Sheva via Astrakhan - Anzali",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
    )
    c = rep.comp("Moscow", "Mumbai", ("instc-eastern",))
    v = rep.val["moscow_nhavasheva_eastern_2022_oct"]
    t = _fig(c, "instc-eastern", clock=_clock(rep, "moscow_nhavasheva_eastern_2022_oct"))
    rep.add(
        "moscow_nhavasheva_eastern_2022_oct",
        "2022 Moscow - Nhava Sheva, eastern branch (planned)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
    )


def _route_rows(rep: _Report) -> None:
    """Single-route checks (expected, transit): Moscow - Sarakhs, Sarakhs - Bandar Abbas, Jeddah."""
    from .routing import route

    r = route(rep.G, "Moscow", "Sarakhs", avoid=["Astara", "Anzali", "Caspian port"])
    v = rep.val["moscow_iran_eastern_2022_jul"]
    rep.add(
        "moscow_iran_eastern_2022_jul",
        "2022 Chekhov - Sarakhs block train",
        f"{v['days_to_sarakhs']} d",
        f"{r.days:.1f} d (transit)",
        _err(r.days, v["days_low"], v["days_high"]),
        "model includes terminal loading at both ends",
    )
    r = route(rep.G, "Sarakhs", "Bandar Abbas")
    v = rep.val["sarakhs_bandar_abbas_2024"]
    rep.add(
        "sarakhs_bandar_abbas_2024",
        "Sarakhs - Bandar Abbas by Iranian rail",
        f"{v['days_low']}-{v['days_high']} d",
        f"{r.days:.1f} d (transit)",
        _err(r.days, v["days_low"], v["days_high"]),
    )
    r = route(rep.G, "Chelyabinsk", "Jeddah", via=["Incheh Borun", "Bandar Abbas"])
    v = rep.val["chelyabinsk_jeddah_2023"]
    rep.add(
        "chelyabinsk_jeddah_2023",
        "2023 Chelyabinsk - Incheh Borun - Bandar Abbas - Jeddah",
        f"{v['days_low']}-{v['days_high']} d",
        f"{r.days:.1f} d (transit)",
        _err(r.days, v["days_low"], v["days_high"]),
        "the train stood for weeks before entering Iran; the model has no such hold-up",
    )


def _branch_rows(rep: _Report) -> None:
    """The eastern branch to Mundra and the direct Suez line to Novorossiysk."""
    c = rep.comp("Chelyabinsk", "Mundra", ("instc-eastern",))
    v = rep.val["agroexpress_chelyabinsk_mundra_2024"]
    t = _fig(c, "instc-eastern", clock=_clock(rep, "agroexpress_chelyabinsk_mundra_2024"))
    rep.add(
        "agroexpress_chelyabinsk_mundra_2024",
        "2024 Chelyabinsk region - Mundra (eastern)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "model from Chelyabinsk (Formachevo / Yuzhnouralsk are nearby)",
    )
    c = rep.comp("Mumbai", "Novorossiysk", ("suez",))
    v = rep.val["fesco_india_novorossiysk"]
    t = _fig(c, "suez")
    rep.add(
        "fesco_india_novorossiysk",
        "Nhava Sheva - Novorossiysk, direct via Suez",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "published is port to port; the model's transit adds the port dwell at both ends",
    )


def _future_rows(rep: _Report) -> None:
    """The claim for St Petersburg - Mumbai once the Rasht - Astara railway runs."""
    from .routing import make_weight, route

    w = make_weight("time_h", opened_links={"ASI-RSH-rail"}, clock="door-to-door")
    r = route(rep.G, "St Petersburg", "Mumbai", weight=w)
    v = rep.val["future_claim_2024"]
    rep.add(
        "future_claim_2024",
        "St Petersburg - Mumbai after the Rasht - Astara railway",
        f"{v['days_low']} d (claim)",
        f"{r.days:.1f} d (transit)",
        _err(r.days, v["days_low"], v["days_high"]),
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
    cal = {k: t for k, t in parameter_keys(params).items() if t.get("basis") == "calibrated"}
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
    lines += _calibration_lines(cal, fit.changes())
    lines += _selection_lines(fit)
    lines += _score_lines(s, a, cal)
    lines += _row_lines(cv, shipped)
    lines += _disagreement_lines(cv)
    lines.append("")
    return lines


def _calibration_lines(cal: dict, changes: list[dict[str, Any]]) -> list[str]:
    """What is calibrated: the summary, the table of moves and the parameters at a bound.

    Parameters
    ----------
    cal
        The calibrated parameter tables of the file, by key (empty: nothing calibrated).
    changes
        The calibration's changes (:meth:`~corridormap.calibrate.Calibration.changes`).

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
    else:
        lines.append(
            f"**What is calibrated.** Nothing yet: every parameter is at its sourced value. "
            f"`make calibrate` would fit the {len(changes)} parameters below to {len(ids)} rows "
            f"of the register and rewrite `parameters.toml`; the out-of-sample figures are what "
            f"that calibration scores, the 'as shipped' column is the model as it stands."
        )
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
        f"seed {SEED}, which routes are chosen by), on the clock of the published figure: door "
        "to door where it includes the wait for the first departure, transit otherwise (each "
        "`[validation.*]` table states its `clock`). Published figures and "
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
        "and destination not specific), `transcaspian_almaty_poti` (Almaty and Poti are not in "
        "the network).",
        "",
    ]
    return "\n".join(lines)
