"""Answers pinned before the fast routing core (issue 16): the bundled network's best routes,
family comparisons and criticality ranking must not change with how they are computed.

The values were recorded from the networkx implementation (Dijkstra for routes, Yen's k shortest
paths for the comparison's candidates) before the compiled core and the new candidate search
replaced them.
"""

from __future__ import annotations

import pytest

#: "origin-destination by": (place ids in order, time_h, cost_usd)
ROUTES = {
    "Chelyabinsk-Jeddah cost_usd": ("CHE MKT GUW AST VOG ROV NVS BOS PSD SUZ JED", 856.413, 2657.8),
    "Chelyabinsk-Jeddah time_h": ("CHE MKT GUW AST VOG ROV NVS BOS PSD SUZ JED", 660.945, 2754.9),
    "Moscow-Bandar Abbas cost_usd": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ALT ASA ASI RSH QAZ THR BFQ BND SRJ",
        361.804,
        2151.8,
    ),
    "Moscow-Bandar Abbas time_h": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ALT ASA ASI RSH QAZ THR BFQ BND SRJ",
        361.804,
        2151.8,
    ),
    "Mumbai-Astrakhan cost_usd": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST",
        671.811,
        2079.4,
    ),
    "Mumbai-Astrakhan time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST",
        671.811,
        2079.4,
    ),
    "Mumbai-Moscow cost_usd": ("NSA BEM JED SUZ PSD BOS NVS ROV MOW", 908.679, 2566.5),
    "Mumbai-Moscow time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW",
        722.277,
        2609.3,
    ),
    "Mumbai-Rotterdam cost_usd": ("NSA BEM JED SUZ PSD GIB RTM", 658.145, 1792.6),
    "Mumbai-Rotterdam time_h": ("NSA BEM JED SUZ PSD GIB RTM", 658.145, 1792.6),
    "Mumbai-St Petersburg cost_usd": ("NSA BEM JED SUZ PSD GIB RTM LED", 917.001, 2669.0),
    "Mumbai-St Petersburg time_h": (
        "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        743.934,
        2836.7,
    ),
}

#: "origin-destination": family -> (days P50, cost P50, days P10, days P90, place ids)
#: at 10,000 draws, seed 0
COMPARISONS = {
    "Mumbai-Moscow": {
        "cape": (53.12, 4916.0, 48.06, 58.46, "NSA CGH GIB RTM LED MOW"),
        "instc-eastern": (
            33.45,
            3188.0,
            29.68,
            37.67,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA MNG BEY MKT GUW AST VOG MOW",
        ),
        "instc-transcaspian": (
            36.44,
            3025.0,
            31.18,
            42.79,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW",
        ),
        "instc-western": (
            32.02,
            2897.0,
            28.14,
            36.35,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW",
        ),
        "suez": (33.92, 3648.0, 29.38, 38.89, "NSA BEM JED SUZ PSD BOS NVS ROV MOW"),
        "suez-north-europe": (42.47, 3482.0, 37.85, 47.5, "NSA BEM JED SUZ PSD GIB RTM LED MOW"),
    },
    "Mumbai-Rotterdam": {
        "cape": (38.59, 3446.0, 34.08, 43.5, "NSA CGH GIB RTM"),
        "instc-eastern": (
            47.34,
            4430.0,
            40.73,
            55.21,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL "
            "ZHA MNG BEY MKT GUW AST VOG MOW LED RTM",
        ),
        "instc-transcaspian": (
            50.5,
            4272.0,
            42.72,
            59.44,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW LED RTM",
        ),
        "instc-western": (
            45.87,
            4140.0,
            39.26,
            53.89,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL "
            "SAM DER MCX KHS AST VOG MOW LED RTM",
        ),
        "suez": (27.65, 2208.0, 24.06, 31.8, "NSA BEM JED SUZ PSD GIB RTM"),
        "suez-north-europe": (27.65, 2208.0, 24.06, 31.8, "NSA BEM JED SUZ PSD GIB RTM"),
    },
    "Mumbai-St Petersburg": {
        "cape": (51.27, 4432.0, 46.04, 56.82, "NSA CGH GIB RTM LED"),
        "instc-eastern": (
            34.37,
            3414.0,
            30.58,
            38.6,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY "
            "BOL ZHA MNG BEY MKT GUW AST VOG MOW LED",
        ),
        "instc-transcaspian": (
            37.36,
            3253.0,
            32.08,
            43.71,
            "NSA HOR SRJ BND BFQ THR QAZ RSH CSP MCX KHS AST VOG MOW LED",
        ),
        "instc-western": (
            32.94,
            3125.0,
            29.03,
            37.31,
            "NSA HOR SRJ BND BFQ THR QAZ RSH ASI ASA ALT BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        ),
        "suez": (34.74, 3841.0, 30.29, 39.57, "NSA BEM JED SUZ PSD BOS NVS ROV MOW LED"),
        "suez-north-europe": (40.42, 3145.0, 35.75, 45.4, "NSA BEM JED SUZ PSD GIB RTM LED"),
    },
}

#: "origin-destination": family -> P(INSTC faster)
P_INSTC = {
    "Mumbai-Moscow": {"cape": 1.0, "suez": 0.7627, "suez-north-europe": 1.0},
    "Mumbai-Rotterdam": {"cape": 0.0372, "suez": 0.0, "suez-north-europe": 0.0},
    "Mumbai-St Petersburg": {"cape": 1.0, "suez": 0.7607, "suez-north-europe": 0.9955},
}

#: criticality by time for the default pairs: the top 10 (element, delta days, disconnects)
CRITICALITY = [
    ("CHE-MKT-rail", 0.0, 1),
    ("MKT", 0.0, 1),
    ("AST", 27.1246, 0),
    ("VOG", 27.1246, 0),
    ("BFQ-BND-rail", 26.7907, 0),
    ("BND-SRJ-rail", 26.7907, 0),
    ("BFQ", 26.7907, 0),
    ("BND", 26.7907, 0),
    ("VOG-AST-rail", 12.9403, 0),
    ("LED-MOW-rail", 7.2111, 0),
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
    from corridormap.bottlenecks import criticality

    top = criticality(bundled_G, by="time_h").top(10)
    assert [(r["element"], r["disconnects"]) for r in top] == [(e, n) for e, _, n in CRITICALITY]
    assert [r["delta_days"] for r in top] == pytest.approx([x for _, x, _ in CRITICALITY], abs=1e-3)
