"""Answers pinned before the fast routing core (issue 16): the bundled network's best routes,
family comparisons and criticality ranking must not change with how they are computed.

The values are recorded from the networkx reference implementation (Dijkstra for routes, Yen's
k shortest paths for the comparison's candidates, the compiled core switched off), and the core
and the new candidate search must give exactly these. They were first recorded before the core
existed, and recorded again, the same way, when the data changed under them (calibration, new
places, sourced headways): the recording script checks the core against the reference first.
"""

from __future__ import annotations

import pytest

#: "origin-destination by": (place ids in order, time_h, cost_usd)
ROUTES = {
    "Chelyabinsk-Jeddah cost_usd": ("CHE MKT GUW AST VOG ROV NVS BOS PSD SUZ JED", 790.7, 2661.5),
    "Chelyabinsk-Jeddah time_h": ("CHE MKT GUW AST VOG ROV NVS BOS PSD SUZ JED", 614.89, 2758.6),
    "Moscow-Bandar Abbas cost_usd": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ALT ASA ASI RSH QAZ THR BFQ BND SRJ",
        315.284,
        2151.8,
    ),
    "Moscow-Bandar Abbas time_h": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ALT ASA ASI RSH QAZ THR BFQ BND SRJ",
        315.284,
        2151.8,
    ),
    "Mumbai-Astrakhan cost_usd": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST",
        582.377,
        2079.4,
    ),
    "Mumbai-Astrakhan time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST",
        582.377,
        2079.4,
    ),
    "Mumbai-Moscow cost_usd": ("NSA BEM JED SUZ PSD BOS NVS ROV MOW", 855.247, 2566.5),
    "Mumbai-Moscow time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW",
        631.693,
        2609.3,
    ),
    "Mumbai-Rotterdam cost_usd": ("NSA BEM JED SUZ PSD GIB RTM", 600.245, 1792.6),
    "Mumbai-Rotterdam time_h": ("NSA BEM JED SUZ PSD GIB RTM", 600.245, 1792.6),
    "Mumbai-St Petersburg cost_usd": ("NSA BEM JED SUZ PSD GIB RTM LED", 848.444, 2669.0),
    "Mumbai-St Petersburg time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        652.856,
        2836.7,
    ),
}

#: "origin-destination": family -> (days P50, cost P50, days P10, days P90, place ids)
#: at 10,000 draws, seed 0
COMPARISONS = {
    "Mumbai-Moscow": {
        "instc-western": (
            30.6,
            2896.0,
            23.49,
            40.15,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW",
        ),
        "instc-transcaspian": (
            35.47,
            3024.0,
            26.67,
            47.29,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW",
        ),
        "instc-eastern": (
            32.26,
            3180.0,
            24.81,
            41.89,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA MNG BEY MKT GUW AST VOG MOW",
        ),
        "suez": (33.8, 3645.0, 25.81, 44.33, "NSA BEM JED SUZ PSD BOS NVS ROV MOW"),
        "suez-north-europe": (41.43, 3481.0, 31.91, 53.54, "NSA BEM JED SUZ PSD GIB RTM LED MOW"),
        "cape": (52.36, 4709.0, 40.55, 67.28, "NSA CGH GIB RTM LED MOW"),
    },
    "Mumbai-Rotterdam": {
        "instc-western": (
            43.93,
            4143.0,
            33.19,
            58.6,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW LED RTM",
        ),
        "instc-transcaspian": (
            48.91,
            4265.0,
            36.52,
            65.37,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW LED RTM",
        ),
        "instc-eastern": (
            45.52,
            4430.0,
            34.52,
            60.38,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA MNG BEY MKT GUW AST VOG MOW LED RTM",
        ),
        "suez": (26.93, 2214.0, 20.49, 35.26, "NSA BEM JED SUZ PSD GIB RTM"),
        "suez-north-europe": (26.78, 2214.0, 20.34, 35.13, "NSA BEM JED SUZ PSD GIB RTM"),
        "cape": (37.75, 3448.0, 28.99, 48.73, "NSA CGH GIB RTM"),
    },
    "Mumbai-St Petersburg": {
        "instc-western": (
            31.51,
            3126.0,
            24.24,
            41.34,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        ),
        "instc-transcaspian": (
            36.39,
            3254.0,
            27.43,
            48.4,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW LED",
        ),
        "instc-eastern": (
            33.17,
            3410.0,
            25.54,
            43.05,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA MNG BEY MKT GUW AST VOG MOW LED",
        ),
        "suez": (34.56, 3817.0, 26.47, 45.2, "NSA BEM JED SUZ PSD BOS NVS ROV MOW LED"),
        "suez-north-europe": (39.34, 3144.0, 30.2, 50.93, "NSA BEM JED SUZ PSD GIB RTM LED"),
        "cape": (50.28, 4370.0, 38.76, 64.69, "NSA CGH GIB RTM LED"),
    },
}

#: "origin-destination": family -> P(INSTC faster)
P_INSTC = {
    "Mumbai-Moscow": {"suez": 0.801, "suez-north-europe": 0.9535, "cape": 0.997},
    "Mumbai-Rotterdam": {"suez": 0.0575, "suez-north-europe": 0.058, "cape": 0.4371},
    "Mumbai-St Petersburg": {"suez": 0.7952, "suez-north-europe": 0.9091, "cape": 0.9917},
}

#: criticality by time for the default pairs: the top 10 (element, delta days, disconnects)
CRITICALITY = [
    ("CHE-MKT-rail", 0.0, 1),
    ("MKT", 0.0, 1),
    ("BFQ-BND-rail", 36.8625, 0),
    ("BND-SRJ-rail", 36.8625, 0),
    ("BFQ", 36.8625, 0),
    ("BND", 36.8625, 0),
    ("AST", 32.0725, 0),
    ("VOG", 32.0725, 0),
    ("VOG-AST-rail", 17.7971, 0),
    ("SRJ", 13.9513, 0),
]


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_bundled_routes_are_pinned(bundled_G, key):
    import corridormap as cm

    pair, by = key.rsplit(" ", 1)
    o, d = pair.split("-")
    r = cm.route(bundled_G, o, d, by=by)
    nodes, time_h, cost = ROUTES[key]
    assert " ".join(r.nodes) == nodes
    assert round(r.time_h, 3) == pytest.approx(time_h, abs=1e-3)
    assert round(r.cost_usd, 1) == pytest.approx(cost, abs=0.1)


@pytest.mark.parametrize("pair", sorted(COMPARISONS))
def test_bundled_comparisons_are_pinned(bundled_G, pair):
    from corridormap.compare import compare

    o, d = pair.split("-")
    c = compare(bundled_G, o, d, draws=10_000, seed=0)
    got = {
        r["family"]: (
            r["days"]["p50"],
            r["cost_usd"]["p50"],
            r["days"]["p10"],
            r["days"]["p90"],
            " ".join(r["nodes"]),
        )
        for r in c.to_records()
    }
    assert got == COMPARISONS[pair]
    assert c.to_dict()["p_instc_faster"] == pytest.approx(P_INSTC[pair])


def test_bundled_criticality_is_pinned(bundled_G):
    from corridormap.criticality import criticality

    top = criticality(bundled_G, by="time_h").top(10)
    assert [(r["element"], r["disconnects"]) for r in top] == [(e, n) for e, _, n in CRITICALITY]
    assert [r["delta_days"] for r in top] == pytest.approx([x for _, x, _ in CRITICALITY], abs=1e-3)
