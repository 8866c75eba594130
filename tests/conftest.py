"""Small networks built in code, written to tmp_path as a geodata directory."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest


def P(likely: float, low: float | None = None, high: float | None = None) -> str:
    lo = likely if low is None else low
    hi = likely if high is None else high
    return f'{{ low = {lo}, likely = {likely}, high = {hi}, source = "test", basis = "estimated" }}'


PARAMS = f"""
[modes.rail]
speed_kmh = {P(30, 20, 40)}
cost_usd_per_teu_km = {P(0.3, 0.2, 0.4)}
co2_kg_per_teu_km = {P(0.2)}
[modes.rail.by_country.IR]
speed_kmh = {P(20, 15, 25)}
[modes.road]
speed_kmh = {P(40)}
cost_usd_per_teu_km = {P(1.0)}
co2_kg_per_teu_km = {P(0.8)}
[modes.sea]
speed_kmh = {P(30, 25, 35)}
cost_usd_per_teu_km = {P(0.05)}
co2_kg_per_teu_km = {P(0.06)}
[modes.caspian]
speed_kmh = {P(18)}
cost_usd_per_teu_km = {P(0.2)}
co2_kg_per_teu_km = {P(0.2)}
[modes.ferry]
speed_kmh = {P(20)}
cost_usd_per_teu_km = {P(0.5)}
co2_kg_per_teu_km = {P(0.5)}
[modes.inland]
speed_kmh = {P(12)}
cost_usd_per_teu_km = {P(0.1)}
co2_kg_per_teu_km = {P(0.1)}
[transfers.port]
dwell_h = {P(48, 24, 96)}
cost_usd_per_teu = {P(150)}
[transfers.caspian_port]
dwell_h = {P(72)}
cost_usd_per_teu = {P(200)}
[transfers.sea_transshipment]
dwell_h = {P(48)}
cost_usd_per_teu = {P(100)}
[transfers.gauge_change]
dwell_h = {P(24, 12, 48)}
cost_usd_per_teu = {P(120)}
[transfers.rail_road]
dwell_h = {P(12)}
cost_usd_per_teu = {P(80)}
[transfers.ferry]
dwell_h = {P(12)}
cost_usd_per_teu = {P(50)}
[transfers.rail_terminal]
dwell_h = {P(24)}
cost_usd_per_teu = {P(100)}
[transfers.road_terminal]
dwell_h = {P(4)}
cost_usd_per_teu = {P(50)}
[borders.rail]
dwell_h = {P(40, 10, 80)}
cost_usd_per_teu = {P(200)}
[borders.road]
dwell_h = {P(10)}
cost_usd_per_teu = {P(200)}
[canals.kanal]
transit_h = {P(14, 11, 30)}
cost_usd_per_teu = {P(60)}
[services.line]
headway_h = {P(168, 84, 336)}
[services.feeder]
headway_h = {P(48)}
"""


def node(
    nid: str, lon: float, lat: float, *, kind: str = "city", country: str = "RU", **extra: Any
) -> dict:
    props = {
        "id": nid,
        "name": extra.pop("name", f"Place {nid}"),
        "country": country,
        "kind": kind,
        "source": "test",
        "basis": "estimated",
        **extra,
    }
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def link(
    lid: str, a: dict, b: dict, mode: str, *, length_km: float | None = None, **extra: Any
) -> dict:
    ca, cb = a["geometry"]["coordinates"], b["geometry"]["coordinates"]
    mid = [(ca[0] + cb[0]) / 2, (ca[1] + cb[1]) / 2]
    if length_km is None:
        from corridormap.io import line_length_km

        length_km = round(line_length_km([tuple(ca), tuple(mid), tuple(cb)]) * 1.1, 1)
    props = {
        "id": lid,
        "from": a["properties"]["id"],
        "to": b["properties"]["id"],
        "mode": mode,
        "status": "operational",
        "length_km": length_km,
        "source": "test",
        "basis": "estimated",
        **extra,
    }
    if mode == "rail":
        props.setdefault("gauge", 1520)
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": [list(ca), mid, list(cb)]},
    }


def tiny() -> dict[str, list[dict]]:
    """A seven-place network with rail (two gauges), road, sea and a canal.

    A (RU) -rail- B (RU) -rail, border- C (IR, gauge change) -rail 1435- D (IR port)
    D -sea line- X (chokepoint) -sea line, canal- F (NL port) -rail- A (long way round)
    C -road (gap)- D, and a planned rail B - D.
    """
    A = node("A", 40.0, 50.0, name="Alpha", aliases=["Alef"])
    B = node("B", 44.0, 45.0, kind="border_crossing", name="Beta")
    C = node("C", 46.0, 40.0, country="IR", kind="border_crossing", name="Gamma", aliases=["Gama"])
    D = node("D", 56.0, 27.0, country="IR", kind="port", name="Delta")
    X = node("X", 43.0, 12.0, country="YE", kind="chokepoint", name="Strait")
    F = node("F", 4.0, 52.0, country="NL", kind="port", name="Foxtrot")
    E = node("E", 72.0, 19.0, country="IN", kind="port", name="Echo", aliases=["Mumbo"])
    nodes = [A, B, C, D, X, F, E]
    links = [
        link("A-B", A, B, "rail"),
        link("B-C", B, C, "rail", country="RU/IR"),
        link("C-D", C, D, "rail", gauge=1435, country="IR"),
        link("C-D-road", C, D, "road", status="gap", country="IR"),
        link("B-D-plan", B, D, "rail", gauge=1435, status="planned", country="RU/IR"),
        link("E-D", E, D, "sea", services=["line"]),
        link("E-X", E, X, "sea", services=["line"]),
        link("X-F", X, F, "sea", services=["line"], canal="kanal"),
        link("F-A", F, A, "rail"),
    ]
    return {"nodes": nodes, "links": links}


def write_geodata(
    directory: Path, data: dict[str, list[dict]] | None = None, params: str = PARAMS
) -> Path:
    data = copy.deepcopy(data if data is not None else tiny())
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("nodes", "links"):
        doc = {"type": "FeatureCollection", "features": data[name]}
        (directory / f"{name}.geojson").write_text(json.dumps(doc), encoding="utf-8")
    (directory / "parameters.toml").write_text(params, encoding="utf-8")
    return directory


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_geodata(tmp_path / "geo")


@pytest.fixture
def tiny_G(tiny_dir: Path):
    from corridormap import load_network

    return load_network(tiny_dir)


@pytest.fixture(scope="session")
def bundled_G():
    from corridormap import load_network

    return load_network()


@pytest.fixture(autouse=True)
def _route_on_the_compiled_core(monkeypatch):
    """Library tests route on the compiled core even on small graphs (the command line, run in
    subprocesses, keeps the default: networkx below corridormap.search.MIN_EDGES edges)."""
    import corridormap.search as csr

    monkeypatch.setattr(csr, "MIN_EDGES", 0)


# -- a small evidence register on the tiny network (evidence, predict, backtest, calibrate) ----
#: the clock a test row is on by default, by its measure
CLOCK_OF = {
    "door_to_door": "from_loading",
    "port_to_port": "port_to_port",
    "leg": "leg",
    "border_dwell": "dwell",
    "terminal_dwell": "dwell",
}


def row(rid: str, path: str, low: float, high: float | None = None, **extra: str) -> str:
    hi = low if high is None else high
    measure = extra.get("measure", "door_to_door")
    lines = [
        "[[movement]]",
        f'id = "{rid}"',
        f'title = "{rid}"',
        'source = "test"',
        'date = "2022-06"',
        f'kind = "{extra.get("kind", "measured_run")}"',
        f'measure = "{measure}"',
        f'clock = "{extra.get("clock", CLOCK_OF[measure])}"',
        f'movement = "{extra.get("movement", rid)}"',
        f"path = {path}",
        f'observed = {{ low = {low}, high = {hi}, unit = "{extra.get("unit", "days")}" }}',
        'notes = "test row"',
    ]
    if "role" in extra:
        lines.append(f'role = "{extra["role"]}"')
    return "\n".join(lines) + "\n\n"


A_B = '[{ place = "Alpha" }, { place = "Beta", by = "rail" }]'
A_C = '[{ place = "Alpha" }, { place = "Beta", by = "rail" }, { place = "Gamma", by = "rail" }]'
A_D = '[{ place = "Alpha" }, { place = "Delta", by = "rail" }]'
E_D = '[{ place = "Echo" }, { place = "Delta", by = "sea" }]'
B_C = '[{ place = "Beta" }, { place = "Gamma", by = "rail" }]'
D_T = '[{ place = "Delta", by = "sea" }]'


def register(values: dict[str, float] | None = None) -> str:
    v = {"a-b": 2.0, "a-c": 5.0, "a-d": 9.0, "e-d": 4.0, "b-c": 30.0, "d-t": 60.0}
    v.update(values or {})
    return (
        row("a-b-leg", A_B, v["a-b"], measure="leg")
        + row("a-c-leg", A_C, v["a-c"], measure="leg")
        + row("a-d-door", A_D, v["a-d"])
        + row("e-d-sailing", E_D, v["e-d"], measure="port_to_port", kind="operator_schedule")
        + row("b-c-border", B_C, v["b-c"], measure="border_dwell", unit="hours")
        + row("d-terminal", D_T, v["d-t"], measure="terminal_dwell", unit="hours", role="holdout")
        + row("to-nowhere", '[{ place = "Alpha" }, { place = "Nowhere", by = "rail" }]', 3.0)
    )


@pytest.fixture
def geo(tmp_path: Path) -> Path:
    """The tiny network's geodata directory with the register of :func:`register`."""
    d = write_geodata(tmp_path / "geo")
    (d / "evidence.toml").write_text(register(), encoding="utf-8")
    return d


def load_evidence_text(text: str):
    """The movements of register ``text`` (rows of :func:`row`), validated."""
    import tomllib

    from corridormap.evidence import parse_movement

    return [parse_movement(r) for r in tomllib.loads(text)["movement"]]
