"""The model beside published figures (``[validation.*]`` in parameters.toml).

No parameter is tuned to any of these cases: they only show where the model stands.
``scripts/validate.py`` writes the table to ``docs/validation.md``.
"""

from __future__ import annotations

import networkx as nx

__all__ = ["validation_markdown", "validation_rows"]

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
    import numpy as np

    from .compare import compare
    from .network import load_network
    from .routing import make_weight, route

    G = G if G is not None else load_network()
    val = G.graph["params"]["validation"]
    cache: dict[tuple, object] = {}

    def comp(o, d, fams=None):
        key = (o, d, tuple(fams or ()))
        if key not in cache:
            cache[key] = compare(G, o, d, families=fams, draws=DRAWS, seed=SEED)
        return cache[key]

    def p50(c, fam, what="days"):
        return float(np.percentile(getattr(c, what)[fam], 50))

    def best_instc(c, what="days"):
        fams = [f for f in INSTC if f in c.routes]
        best = min(fams, key=lambda f: p50(c, f, what))
        return best, p50(c, best, what)

    rows = []

    def add(case, claim, published, model, error, note=""):
        src = val[case]["source"].split(" ; ")[0] if case in val else ""
        rows.append(
            dict(zip(COLUMNS, (case, claim, published, model, error, note, src), strict=True))
        )

    # corridor length: Mumbai - St Petersburg
    c = comp("Mumbai", "St Petersburg")
    fam, _ = best_instc(c)
    d_instc, d_suez = c.routes[fam].distance_km, c.routes["suez-north-europe"].distance_km
    v = val["instc_distance_claim"]
    add(
        "instc_distance_claim",
        "INSTC distance, Mumbai - St Petersburg",
        f"{v['distance_km']:,} km",
        f"{d_instc:,.0f} km ({fam})",
        f"{(d_instc - v['distance_km']) / v['distance_km']:+.0%}",
    )
    add(
        "instc_distance_claim",
        "Suez distance, Mumbai - St Petersburg",
        f"{v['distance_km_suez']:,} km",
        f"{d_suez:,.0f} km",
        f"{(d_suez - v['distance_km_suez']) / v['distance_km_suez']:+.0%}",
        "model: the all-water route via Suez, Gibraltar and Rotterdam, then a Baltic feeder",
    )

    # FFFAI: Mumbai - Moscow
    c = comp("Mumbai", "Moscow")
    fam, t_instc = best_instc(c)
    t_suez = p50(c, "suez")
    v = val["fffai_study_2017"]
    add(
        "fffai_study_2017",
        "INSTC days, Mumbai - Russia",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t_instc:.1f} d ({fam})",
        _err(t_instc, v["days_low"], v["days_high"]),
    )
    add(
        "fffai_study_2017",
        "Suez days, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_suez:.1f} d",
        _err(t_suez, v["days_suez_low"], v["days_suez_high"]),
        "best Suez route in the model: the direct India - Novorossiysk line, then rail",
    )
    t_north = p50(c, "suez-north-europe")
    add(
        "fffai_study_2017",
        "Suez days via northern Europe, Mumbai - Russia",
        f"{v['days_suez_low']}-{v['days_suez_high']} d",
        f"{t_north:.1f} d",
        _err(t_north, v["days_suez_low"], v["days_suez_high"]),
        "the traditional route: Suez, Rotterdam, a Baltic feeder to St Petersburg, rail",
    )
    saving = 1 - t_instc / t_suez
    add(
        "fffai_study_2017",
        "INSTC time saving vs Suez",
        f"{v['time_saving_pct']}% shorter",
        f"{saving:.0%}",
        f"{saving * 100 - v['time_saving_pct']:+.0f} points",
    )
    c_instc, c_suez = best_instc(c, "cost_usd")[1], p50(c, "suez", "cost_usd")
    csave = 1 - c_instc / c_suez
    add(
        "fffai_study_2017",
        "INSTC cost saving vs Suez",
        f"{v['cost_saving_pct']}% cheaper",
        f"{csave:.0%}",
        f"{csave * 100 - v['cost_saving_pct']:+.0f} points",
    )
    saving_n = 1 - t_instc / t_north
    add(
        "fffai_study_2017",
        "INSTC time saving vs Suez via northern Europe",
        f"{v['time_saving_pct']}% shorter",
        f"{saving_n:.0%}",
        f"{saving_n * 100 - v['time_saving_pct']:+.0f} points",
    )
    c_north = p50(c, "suez-north-europe", "cost_usd")
    csave_n = 1 - c_instc / c_north
    add(
        "fffai_study_2017",
        "INSTC cost saving vs Suez via northern Europe",
        f"{v['cost_saving_pct']}% cheaper",
        f"{csave_n:.0%}",
        f"{csave_n * 100 - v['cost_saving_pct']:+.0f} points",
    )
    v = val["concor_rzd_2020"]
    add(
        "concor_rzd_2020",
        "INSTC cost, India - Russia",
        f"${v['cost_usd_per_teu']:,}/TEU",
        f"${c_instc:,.0f}/TEU",
        f"{(c_instc - v['cost_usd_per_teu']) / v['cost_usd_per_teu']:+.0%}",
    )
    add(
        "concor_rzd_2020",
        "Suez cost, India - Russia",
        f"${v['cost_usd_per_teu_suez']:,}/TEU",
        f"${c_suez:,.0f}/TEU",
        f"{(c_suez - v['cost_usd_per_teu_suez']) / v['cost_usd_per_teu_suez']:+.0%}",
    )
    v = val["fimotions_2017_nhavasheva_moscow"]
    add(
        "fimotions_2017_nhavasheva_moscow",
        "INSTC sea + rail cost, Nhava Sheva - Moscow",
        f"${v['cost_usd_per_teu']:,}/TEU",
        f"${c_instc:,.0f}/TEU",
        f"{(c_instc - v['cost_usd_per_teu']) / v['cost_usd_per_teu']:+.0%}",
    )
    add(
        "fimotions_2017_nhavasheva_moscow",
        "Suez cost, Nhava Sheva - Moscow",
        f"${v['cost_usd_per_teu_suez']:,}/TEU",
        f"${c_suez:,.0f}/TEU",
        f"{(c_suez - v['cost_usd_per_teu_suez']) / v['cost_usd_per_teu_suez']:+.0%}",
    )
    t_w = p50(c, "instc-western")
    v = val["mumbai_moscow_2016"]
    add(
        "mumbai_moscow_2016",
        "2016 trial, Mumbai - Moscow (western, truck Rasht - Astara)",
        f"{v['days_low']} d",
        f"{t_w:.1f} d",
        _err(t_w, v["days_low"], v["days_high"]),
    )

    # St Petersburg / Moscow to Nhava Sheva trials
    c = comp("St Petersburg", "Mumbai", INSTC)
    v = val["vuosaari_nhavasheva_2021"]
    t = p50(c, "instc-western")
    add(
        "vuosaari_nhavasheva_2021",
        "2021 Vuosaari - Nhava Sheva (western)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "model from St Petersburg (Vuosaari is ~300 km further)",
    )
    v = val["stpetersburg_nhavasheva_2022"]
    t = p50(c, "instc-transcaspian")
    add(
        "stpetersburg_nhavasheva_2022",
        "2022 St Petersburg - Nhava Sheva via Astrakhan - Anzali",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
    )
    c = comp("Moscow", "Mumbai", ("instc-eastern",))
    v = val["moscow_nhavasheva_eastern_2022_oct"]
    t = p50(c, "instc-eastern")
    add(
        "moscow_nhavasheva_eastern_2022_oct",
        "2022 Moscow - Nhava Sheva, eastern branch (planned)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
    )

    # single-route checks at likely values
    r = route(G, "Moscow", "Sarakhs", avoid=["Astara", "Anzali", "Caspian port"])
    v = val["moscow_iran_eastern_2022_jul"]
    add(
        "moscow_iran_eastern_2022_jul",
        "2022 Chekhov - Sarakhs block train",
        f"{v['days_to_sarakhs']} d",
        f"{r.days:.1f} d (likely values)",
        _err(r.days, v["days_low"], v["days_high"]),
        "model includes terminal loading at both ends",
    )
    r = route(G, "Sarakhs", "Bandar Abbas")
    v = val["sarakhs_bandar_abbas_2024"]
    add(
        "sarakhs_bandar_abbas_2024",
        "Sarakhs - Bandar Abbas by Iranian rail",
        f"{v['days_low']}-{v['days_high']} d",
        f"{r.days:.1f} d (likely values)",
        _err(r.days, v["days_low"], v["days_high"]),
    )
    r = route(G, "Chelyabinsk", "Jeddah", via=["Incheh Borun", "Bandar Abbas"])
    v = val["chelyabinsk_jeddah_2023"]
    add(
        "chelyabinsk_jeddah_2023",
        "2023 Chelyabinsk - Incheh Borun - Bandar Abbas - Jeddah",
        f"{v['days_low']}-{v['days_high']} d",
        f"{r.days:.1f} d (likely values)",
        _err(r.days, v["days_low"], v["days_high"]),
        "the train stood for weeks before entering Iran; the model has no such hold-up",
    )
    c = comp("Chelyabinsk", "Mumbai", ("instc-eastern",))
    v = val["agroexpress_chelyabinsk_mundra_2024"]
    t = p50(c, "instc-eastern")
    add(
        "agroexpress_chelyabinsk_mundra_2024",
        "2024 Chelyabinsk region - Mundra (eastern)",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "model to Nhava Sheva (Mundra is not in the network)",
    )
    c = comp("Mumbai", "Novorossiysk", ("suez",))
    v = val["fesco_india_novorossiysk"]
    t = p50(c, "suez")
    add(
        "fesco_india_novorossiysk",
        "Nhava Sheva - Novorossiysk, direct via Suez",
        f"{v['days_low']}-{v['days_high']} d",
        f"{t:.1f} d",
        _err(t, v["days_low"], v["days_high"]),
        "published is port to port; the model adds port dwell and the wait for a sailing",
    )
    w = make_weight("time_h", opened_links={"ASI-RSH-rail"}, closed_links={"ASI-RSH-road"})
    r = route(G, "St Petersburg", "Mumbai", weight=w)
    v = val["future_claim_2024"]
    add(
        "future_claim_2024",
        "St Petersburg - Mumbai after the Rasht - Astara railway",
        f"{v['days_low']} d (claim)",
        f"{r.days:.1f} d (likely values)",
        _err(r.days, v["days_low"], v["days_high"]),
    )

    return rows


def validation_markdown(G: nx.MultiDiGraph | None = None) -> str:
    """The validation table as the Markdown page docs/validation.md."""
    rows = validation_rows(G)
    lines = [
        "# Validation: the model beside published figures",
        "",
        "Generated by `scripts/validate.py` (re-run and checked by the test suite); do not edit.",
        f"Model figures are Monte Carlo P50s ({DRAWS:,} draws, seed {SEED}) unless marked "
        "'likely values' (one route at the parameters' likely values). Published figures and "
        "their sources are in `geodata/parameters.toml` `[validation.*]`. No parameter is tuned "
        "to any case here: speeds, dwell times and costs come from their own sources.",
        "",
        "| case | claim | published | model | error | note | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]).replace("|", "/") for c in COLUMNS) + " |")
    lines += [
        "",
        "Not modelled: `russia_aprin_rail` (origin not published), `irisl_claim_2022` (origin "
        "and destination not specific), `transcaspian_almaty_poti` (Almaty and Poti are not in "
        "the network).",
        "",
    ]
    return "\n".join(lines)
