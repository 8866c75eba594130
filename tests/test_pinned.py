"""Answers pinned before the fast routing core (issue 16): the bundled network's best routes,
family comparisons and criticality ranking must not change with how they are computed.

The values are recorded by ``scripts/pin.py`` from the networkx reference implementation
(Dijkstra, the compiled core switched off) after checking that the core gives exactly the same;
they are recorded again, the same way, only when the data or the model changes under them
(sourced values, new places and lines, the clocks and expected values of issue 21).
"""

from __future__ import annotations

import pytest

#: "origin-destination by": (place ids in order, expected time_h, cost_usd)
ROUTES = {
    "Chelyabinsk-Jeddah cost_usd": (
        "CHE SVX KZN SVJ SZR RTW VOG ROV TKH NVS BOS IST PSD SUZ JED",
        764.979,
        2397.7,
    ),
    "Chelyabinsk-Jeddah time_h": (
        "CHE SVX KZN SVJ SZR RTW VOG ROV TKH NVS BOS PSD SUZ JED",
        678.38,
        2691.4,
    ),
    "Moscow-Bandar Abbas cost_usd": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ALT ASA ASI RSH QAZ THR BFQ BND SRJ",
        387.002,
        2320.5,
    ),
    "Moscow-Bandar Abbas time_h": (
        "MOW VOG AST KHS MCX DER SAM YAL BAK ASA ASI RSH QAZ THR SRJ",
        281.528,
        3267.1,
    ),
    "Mumbai-Astrakhan cost_usd": (
        "NSA BEM JED SUZ PSD IST BOS NVS TKH MRV KHS AST",
        791.385,
        2546.8,
    ),
    "Mumbai-Astrakhan time_h": (
        "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST",
        486.472,
        3714.8,
    ),
    "Mumbai-Moscow cost_usd": ("NSA BEM JED SUZ PSD IST BOS NVS TKH ROV MOW", 803.345, 2671.2),
    "Mumbai-Moscow time_h": (
        "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST VOG MOW",
        537.918,
        4249.7,
    ),
    "Mumbai-Rotterdam cost_usd": ("NSA BEM JED SUZ PSD GIB RTM", 602.524, 2296.8),
    "Mumbai-Rotterdam time_h": ("NSA BEM JED SUZ PSD GIB RTM", 602.524, 2296.8),
    "Mumbai-St Petersburg cost_usd": (
        "NSA BEM JED SUZ PSD IST BOS NVS TKH ROV MOW LED",
        825.422,
        2900.8,
    ),
    "Mumbai-St Petersburg time_h": (
        "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        559.994,
        4479.3,
    ),
}

#: "origin-destination": family -> (days expected, P10, P50, P90 on the transit clock,
#: door-to-door days expected, cost expected, place ids) at 10,000 draws, seed 0
COMPARISONS = {
    "Mumbai-Moscow": {
        "cape": (50.79, 35.82, 49.15, 67.25, 53.52, 4855.0, "NSA CGH GIB RTM LED MOW"),
        "instc-eastern": (
            27.82,
            19.25,
            27.07,
            37.42,
            34.15,
            3528.0,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA MNG BEY MKT GUW AST VOG MOW",
        ),
        "instc-transcaspian": (
            26.89,
            18.46,
            25.85,
            36.12,
            33.22,
            4290.0,
            "NSA HOR SRJ THR NSH MCX KHS AST VOG MOW",
        ),
        "instc-western": (
            22.41,
            15.2,
            21.58,
            30.42,
            28.75,
            4250.0,
            "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST VOG MOW",
        ),
        "suez": (
            25.57,
            17.71,
            24.6,
            34.37,
            34.07,
            3682.0,
            "NSA BEM JED SUZ PSD BOS NVS TKH ROV MOW",
        ),
        "suez-north-europe": (
            39.88,
            27.96,
            38.58,
            53.23,
            42.6,
            3560.0,
            "NSA BEM JED SUZ PSD GIB RTM LED MOW",
        ),
    },
    "Mumbai-Rotterdam": {
        "cape": (36.02, 24.93, 34.78, 48.35, 38.74, 3592.0, "NSA CGH GIB RTM"),
        "instc-eastern": (
            41.92,
            28.57,
            40.63,
            57.52,
            48.26,
            4778.0,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL ZHA "
            "MNG BEY MKT GUW AST VOG MOW LED RTM",
        ),
        "instc-transcaspian": (
            41.0,
            27.56,
            39.36,
            55.87,
            47.33,
            5540.0,
            "NSA HOR SRJ THR NSH MCX KHS AST VOG MOW LED RTM",
        ),
        "instc-western": (
            36.52,
            24.77,
            35.26,
            50.32,
            42.85,
            5499.0,
            "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST VOG MOW LED RTM",
        ),
        "suez": (25.11, 17.3, 24.23, 33.66, 27.83, 2297.0, "NSA BEM JED SUZ PSD GIB RTM"),
        "suez-north-europe": (
            25.11,
            17.3,
            24.23,
            33.66,
            27.83,
            2297.0,
            "NSA BEM JED SUZ PSD GIB RTM",
        ),
    },
    "Mumbai-St Petersburg": {
        "cape": (48.71, 33.9, 47.12, 64.94, 51.43, 4519.0, "NSA CGH GIB RTM LED"),
        "instc-eastern": (
            28.74,
            19.98,
            27.71,
            38.56,
            35.07,
            3758.0,
            "NSA HOR SRJ BND BFQ MHD SRK SRT TJN ASB BRK SHY BOL "
            "ZHA MNG BEY MKT GUW AST VOG MOW LED",
        ),
        "instc-transcaspian": (
            27.81,
            19.17,
            26.85,
            37.75,
            34.14,
            4519.0,
            "NSA HOR SRJ THR NSH MCX KHS AST VOG MOW LED",
        ),
        "instc-western": (
            23.33,
            16.03,
            22.55,
            31.53,
            29.67,
            4479.0,
            "NSA HOR SRJ THR QAZ RSH ASI ASA BAK YAL SAM DER MCX KHS AST VOG MOW LED",
        ),
        "suez": (
            26.49,
            18.32,
            25.58,
            35.56,
            34.99,
            3912.0,
            "NSA BEM JED SUZ PSD BOS NVS TKH ROV MOW LED",
        ),
        "suez-north-europe": (
            37.79,
            26.63,
            36.45,
            50.45,
            40.52,
            3224.0,
            "NSA BEM JED SUZ PSD GIB RTM LED",
        ),
    },
}

#: "origin-destination": clock -> family -> P(the best INSTC branch is faster)
P_INSTC = {
    "Mumbai-Moscow": {
        "door-to-door": {"cape": 0.9787, "suez": 0.7389, "suez-north-europe": 0.9026},
        "transit": {"cape": 0.9909, "suez": 0.6507, "suez-north-europe": 0.9515},
    },
    "Mumbai-Rotterdam": {
        "door-to-door": {"cape": 0.3763, "suez": 0.0757, "suez-north-europe": 0.0757},
        "transit": {"cape": 0.4864, "suez": 0.1418, "suez-north-europe": 0.1418},
    },
    "Mumbai-St Petersburg": {
        "door-to-door": {"cape": 0.9629, "suez": 0.7385, "suez-north-europe": 0.8507},
        "transit": {"cape": 0.9842, "suez": 0.6512, "suez-north-europe": 0.9206},
    },
}

#: criticality by time for the default pairs: the top 10 (element, delta days, disconnects)
CRITICALITY = [
    ("THR", 17.4344, 0),
    ("KHS-MCX-rail", 16.0868, 0),
    ("KHS", 16.0868, 0),
    ("MCX", 16.0868, 0),
    ("BAK", 15.2696, 0),
    ("SAM-YAL-rail", 15.2696, 0),
    ("YAL-BAK-rail", 15.2696, 0),
    ("ASI-RSH-road", 15.2696, 0),
    ("MCX-DER-rail", 15.2696, 0),
    ("DER-SAM-rail", 15.2696, 0),
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
            r["days"]["expected"],
            r["days"]["p10"],
            r["days"]["p50"],
            r["days"]["p90"],
            r["door_to_door_days"]["expected"],
            r["cost_usd"]["expected"],
            " ".join(r["nodes"]),
        )
        for r in c.to_records()
    }
    assert got == COMPARISONS[pair]
    got_p = c.to_dict()["p_instc_faster_by_clock"]
    assert got_p.keys() == P_INSTC[pair].keys()
    for clock, expected in P_INSTC[pair].items():
        assert got_p[clock] == pytest.approx(expected)


def test_bundled_criticality_is_pinned(bundled_G):
    from corridormap.criticality import criticality

    top = criticality(bundled_G, by="time_h").top(10)
    assert [(r["element"], r["disconnects"]) for r in top] == [(e, n) for e, _, n in CRITICALITY]
    assert [r["delta_days"] for r in top] == pytest.approx([x for _, x, _ in CRITICALITY], abs=1e-3)
