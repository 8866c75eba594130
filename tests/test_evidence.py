"""The evidence register: the bundled geodata/evidence.toml's integrity, and the loader's checks.

The schema is documented in geodata/README.md ("Evidence register (evidence.toml)").
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import corridormap as cm
from conftest import A_B, row, write_geodata
from corridormap import GeodataError
from corridormap.cli import main
from corridormap.evidence import load_evidence
from corridormap.io import bundled_geodata_dir

EVIDENCE = bundled_geodata_dir() / "evidence.toml"
REPO_EVIDENCE = Path(__file__).resolve().parent.parent / "geodata" / "evidence.toml"

REQUIRED = {
    "id",
    "title",
    "source",
    "date",
    "kind",
    "measure",
    "clock",
    "movement",
    "path",
    "observed",
    "notes",
}
OPTIONAL = {"events", "role"}
KINDS = {"measured_run", "operator_schedule", "official_claim", "press_estimate"}
MEASURES = {"door_to_door", "port_to_port", "leg", "border_dwell", "terminal_dwell"}
DWELLS = {"border_dwell", "terminal_dwell"}
CLOCKS = {"from_loading", "from_sailing", "port_to_port", "door_to_door_with_wait", "leg", "dwell"}
MODES = {"rail", "road", "sea", "caspian", "ferry", "inland"}
UNITS = {"days", "hours"}
ROLES = {"fit", "holdout"}
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _load(path: Path = EVIDENCE) -> list[dict[str, Any]]:
    with open(path, "rb") as fh:
        doc = tomllib.load(fh)
    assert set(doc) == {"movement"}, f"{path.name}: top-level keys {sorted(doc)}"
    return doc["movement"]


def _valid_date(text: Any) -> bool:
    m = DATE_RE.match(text) if isinstance(text, str) else None
    if not m:
        return False
    y, mo, d = (int(g) if g else 1 for g in m.groups())
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return True


def problems(mv: dict[str, Any]) -> list[str]:
    """Everything wrong with one movement, as readable messages (empty when it is valid)."""
    out: list[str] = []
    missing = REQUIRED - set(mv)
    if missing:
        out.append(f"missing fields {sorted(missing)}")
    unknown = set(mv) - REQUIRED - OPTIONAL
    if unknown:
        out.append(f"unknown fields {sorted(unknown)}")
    if not ID_RE.match(str(mv.get("id", ""))):
        out.append(f"id {mv.get('id')!r} is not lowercase-with-dashes")
    for key in ("title", "notes"):
        if key in mv and not (isinstance(mv[key], str) and mv[key].strip()):
            out.append(f"{key} must be a non-empty string")
    src = mv.get("source")
    srcs = [src] if isinstance(src, str) else src
    if not (
        isinstance(srcs, list) and srcs and all(isinstance(s, str) and s.strip() for s in srcs)
    ):
        out.append("source must be a non-empty string or list of non-empty strings")
    if "date" in mv and not _valid_date(mv["date"]):
        out.append(f"date {mv['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if "kind" in mv and mv["kind"] not in KINDS:
        out.append(f"kind {mv['kind']!r} is not one of {sorted(KINDS)}")
    if "measure" in mv and mv["measure"] not in MEASURES:
        out.append(f"measure {mv['measure']!r} is not one of {sorted(MEASURES)}")
    if "clock" in mv and mv["clock"] not in CLOCKS:
        out.append(f"clock {mv['clock']!r} is not one of {sorted(CLOCKS)}")
    elif "clock" in mv and (mv["clock"] == "dwell") != (mv.get("measure") in DWELLS):
        out.append(f"clock {mv['clock']!r} does not go with measure {mv.get('measure')!r}")
    if "movement" in mv and not ID_RE.match(str(mv["movement"])):
        out.append(f"movement {mv['movement']!r} is not lowercase-with-dashes")
    if "role" in mv and mv["role"] not in ROLES:
        out.append(f"role {mv['role']!r} is not one of {sorted(ROLES)}")
    path = mv.get("path")
    if not (isinstance(path, list) and path and all(isinstance(p, dict) for p in path)):
        out.append("path must be a non-empty list of tables")
    else:
        if mv.get("measure") in DWELLS:
            if len(path) > 2:
                out.append(f"a {mv['measure']} path has one or two places, not {len(path)}")
        elif len(path) < 2:
            out.append("a movement path needs an origin and a destination")
        for i, p in enumerate(path):
            if set(p) - {"place", "by"}:
                out.append(f"path[{i}]: unknown keys {sorted(set(p) - {'place', 'by'})}")
            if not (isinstance(p.get("place"), str) and p["place"].strip()):
                out.append(f"path[{i}]: place must be a non-empty string")
            if "by" in p:
                modes = [p["by"]] if isinstance(p["by"], str) else p["by"]
                if i == 0 and mv.get("measure") not in DWELLS:
                    out.append("path[0] is the origin: it has no 'by'")
                if not (isinstance(modes, list) and modes and set(modes) <= MODES):
                    out.append(f"path[{i}]: by {p['by']!r} is not among {sorted(MODES)}")
    obs = mv.get("observed")
    if not (isinstance(obs, dict) and set(obs) == {"low", "high", "unit"}):
        out.append("observed must be {low, high, unit}")
    else:
        lo, hi = obs["low"], obs["high"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi)):
            out.append("observed low/high must be numbers")
        elif not 0 < lo <= hi:
            out.append(f"observed needs 0 < low <= high, got {lo}..{hi}")
        if obs["unit"] not in UNITS:
            out.append(f"observed unit {obs['unit']!r} is not days or hours")
    events = mv.get("events", [])
    if not isinstance(events, list):
        out.append("events must be a list")
    else:
        for i, ev in enumerate(events):
            if not (isinstance(ev, dict) and set(ev) == {"date", "text"}):
                out.append(f"events[{i}] must be {{date, text}}")
            elif not _valid_date(ev["date"]) or not str(ev["text"]).strip():
                out.append(f"events[{i}]: bad date {ev['date']!r} or empty text")
        dates = [ev.get("date", "") for ev in events if isinstance(ev, dict)]
        if dates != sorted(dates):
            out.append("events are not in date order")
    return out


@pytest.fixture(scope="module")
def movements() -> list[dict[str, Any]]:
    return _load()


def test_bundled_file_is_the_repo_copy():
    assert EVIDENCE.read_bytes() == REPO_EVIDENCE.read_bytes()


def test_every_movement_is_valid(movements):
    bad = {mv.get("id", f"#{i}"): p for i, mv in enumerate(movements) if (p := problems(mv))}
    assert not bad, "\n".join(
        f"evidence.toml: movement {k!r}: {'; '.join(v)}" for k, v in bad.items()
    )


def test_ids_unique_and_enough_movements(movements):
    ids = [mv["id"] for mv in movements]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"
    assert len(movements) >= 25


def test_holdout_is_about_a_quarter_and_spread(movements):
    # holdouts are the rows kept aside to check the fit and the rows shown but not fitted
    # (network-wide averages, the 2023 standstill, a passenger report, a contradicted press figure)
    held = [mv for mv in movements if mv.get("role") == "holdout"]
    assert 0.15 <= len(held) / len(movements) <= 0.45
    assert len({mv["kind"] for mv in held}) >= 3
    assert len({mv["measure"] for mv in held}) >= 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"observed": {"low": 5.0, "high": 4.0, "unit": "days"}}, "low <= high"),
        ({"observed": {"low": 4.0, "high": 5.0, "unit": "weeks"}}, "not days or hours"),
        ({"kind": "rumour"}, "kind 'rumour'"),
        ({"measure": "speed"}, "measure 'speed'"),
        ({"clock": "whenever"}, "clock 'whenever'"),
        ({"clock": "dwell"}, "does not go with measure"),
        ({"movement": "Same Train"}, "movement 'Same Train'"),
        ({"date": "2022-13"}, "date '2022-13'"),
        ({"id": "First Transit"}, "lowercase-with-dashes"),
        ({"path": [{"place": "Baku"}]}, "origin and a destination"),
        (
            {"path": [{"place": "Baku", "by": "rail"}, {"place": "Alat", "by": "boat"}]},
            "path[1]: by",
        ),
        ({"source": []}, "source must be"),
        ({"colour": "red"}, "unknown fields"),
        (
            {"events": [{"date": "2022-07", "text": "b"}, {"date": "2022-06", "text": "a"}]},
            "date order",
        ),
    ],
)
def test_problems_catches_bad_rows(change, message):
    good = {
        "id": "x-run",
        "title": "t",
        "source": "s",
        "date": "2022-06",
        "kind": "measured_run",
        "measure": "leg",
        "clock": "leg",
        "movement": "x-run",
        "path": [{"place": "Baku"}, {"place": "Alat", "by": "rail"}],
        "observed": {"low": 1.0, "high": 2.0, "unit": "days"},
        "notes": "n",
    }
    assert problems(good) == []
    found = problems({**good, **change})
    assert any(message in p for p in found), found


def test_missing_fields_are_named():
    found = problems({"id": "a", "title": "t"})
    assert any(
        "missing fields ['clock', 'date', 'kind', 'measure', 'movement', 'notes', 'observed', "
        "'path', 'source']" in p
        for p in found
    )


def test_places_resolve_in_bundled_network(bundled_G, movements):
    unknown: list[str] = []
    for mv in movements:
        for p in mv["path"]:
            try:
                cm.resolve_place(bundled_G, p["place"])
            except cm.AmbiguousPlaceError:
                unknown.append(f"{mv['id']}: {p['place']!r} is ambiguous")
            except cm.UnknownPlaceError:
                unknown.append(f"{mv['id']}: {p['place']!r}")
    assert not unknown, "places that do not resolve to one place: " + "; ".join(unknown)


# -- a register built in code -------------------------------------------------------------
def test_load_evidence_reads_rows(geo):
    mvs = load_evidence(geo)
    assert [m.id for m in mvs][:2] == ["a-b-leg", "a-c-leg"]
    border = next(m for m in mvs if m.id == "b-c-border")
    assert border.observed_days == (1.25, 1.25)
    assert border.path[1].by == ("rail",)
    assert next(m for m in mvs if m.id == "d-terminal").holdout


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('notes = "test row"\n', "", "'notes'"),
        ('unit = "days" }', 'unit = "weeks" }', "'observed.unit'"),
        ("low = 2.0, high = 2.0", "low = 3.0, high = 2.0", "'observed'"),
        ('by = "rail" }]', 'by = "raol" }]', "'path[1].by'"),
    ],
)
def test_bad_register_names_file_row_and_field(tmp_path, old, new, field, capsys):
    text = row("a-b-leg", A_B, 2.0, measure="leg").replace(old, new, 1)
    f = tmp_path / "evidence.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(GeodataError) as exc:
        load_evidence(f)
    msg = str(exc.value)
    assert msg.startswith("evidence.toml: feature 'a-b-leg'"), msg
    assert f"field {field}" in msg
    d = write_geodata(tmp_path / "geo")
    assert main(["backtest", "--data", str(d), "--evidence", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "evidence.toml" in err and "a-b-leg" in err and field in err


def test_bundled_register_loads():
    from corridormap.evidence import evidence_path

    raw = tomllib.loads(evidence_path().read_text("utf-8"))["movement"]
    mvs = load_evidence()
    assert [m.id for m in mvs] == [r["id"] for r in raw]
    assert all(m.observed_days[0] <= m.observed_days[1] for m in mvs)
