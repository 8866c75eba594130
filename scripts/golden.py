"""Record or check the golden outputs: what the commands print on the bundled data.

Each case is one ``corridormap`` command run in this process; its standard output, standard
error and exit code (and any file it writes) are kept under ``tests/golden/``. A change that is
meant to keep behaviour (a restructure, a faster algorithm) must leave every file byte-equal;
a change that is meant to alter an answer re-records them, and the diff shows what moved.

Usage::

    python scripts/golden.py            # check: exit 1 and name the cases that differ
    python scripts/golden.py --write    # record every case again

``tests/test_golden.py`` runs the check.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"

#: the day every case runs on (``SOURCE_DATE_EPOCH``, see corridormap._today): 2026-12-01
TODAY_EPOCH = 1796083200

#: a case that writes more files than this keeps a manifest of their hashes instead of copies
MANIFEST_OVER = 4
HEX_ID = re.compile(rb"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
SECONDS = re.compile(rb'"seconds": [0-9.]+')

#: name -> the command's arguments; ``{out}`` is a fresh temporary directory
# fmt: off
CASES: dict[str, list[str]] = {
    "route-mumbai-moscow": ["route", "Mumbai", "Moscow"],
    "route-mumbai-moscow-json": ["route", "Mumbai", "Moscow", "--format", "json"],
    "route-mumbai-moscow-cost-csv": [
        "route", "Mumbai", "Moscow", "--by", "cost", "--format", "csv",
    ],
    "route-chelyabinsk-jeddah-via": [
        "route", "Chelyabinsk", "Jeddah", "--via", "Incheh Borun", "--via", "Bandar Abbas",
        "--format", "json",
    ],
    "route-mumbai-stp-avoid-k3": [
        "route", "Mumbai", "St Petersburg", "--avoid", "Astara", "-k", "3", "--format", "json",
    ],
    "route-mumbai-stp-k2-table": ["route", "Mumbai", "St Petersburg", "-k", "2"],
    "route-geojson": ["route", "Mumbai", "Moscow", "--format", "geojson"],
    "places": ["places", "--format", "json"],
    "places-borders": ["places", "--kind", "border_crossing"],
    "regions": ["regions", "--format", "json"],
    "scenarios": ["scenarios", "--format", "json"],
    "compare-mumbai-moscow": ["compare", "Mumbai", "Moscow"],
    "compare-mumbai-moscow-json": ["compare", "Mumbai", "Moscow", "--format", "json"],
    "compare-mumbai-rotterdam-csv": [
        "compare", "Mumbai", "Rotterdam", "--draws", "2000", "--seed", "1", "--format", "csv",
    ],
    "bottlenecks-mumbai-moscow": ["bottlenecks", "Mumbai", "Moscow", "--top", "5"],
    "bottlenecks-default-json": ["bottlenecks", "--format", "json"],
    "bottlenecks-cost-csv": ["bottlenecks", "--by", "cost", "--format", "csv"],
    "capacity-russia-gulf": ["capacity", "russia", "iran-gulf-ports", "--format", "json"],
    "capacity-russia-gulf-modes": [
        "capacity", "russia", "iran-gulf-ports", "--mode", "rail", "--mode", "road", "--mode",
        "caspian", "--mode", "ferry",
    ],
    "scenario-rasht-astara": ["scenario", "rasht-astara-railway", "--pair", "Mumbai", "Moscow"],
    "scenario-red-sea-json": [
        "scenario", "red-sea-closed", "suez-closed", "--pair", "Mumbai", "Rotterdam", "--format",
        "json",
    ],
    "scenario-default-pairs-csv": ["scenario", "rasht-astara-railway", "--format", "csv"],
    "scenario-volumes": [
        "scenario", "rasht-astara-railway", "--volumes", "observed-2025", "--volumes",
        "target-western-15mt", "--format", "json",
    ],
    "assign-list": ["assign", "--list"],
    "assign-target-western": ["assign", "target-western-15mt", "--top", "3"],
    "assign-observed-2025-json": ["assign", "observed-2025", "--format", "json"],
    "assign-observed-2024-csv": ["assign", "observed-2024", "--format", "csv"],
    "sweep-india-russia": [
        "sweep", "--origins", "Mumbai,Chennai", "--destinations", "russia,azerbaijan", "--scenario",
        "red-sea-closed", "--draws", "500", "--scheduler", "none", "--out", "{out}/sweep.csv",
    ],
    "backtest": ["backtest"],
    "backtest-json": ["backtest", "--format", "json"],
    "backtest-as-is-csv": ["backtest", "--as-is", "--format", "csv"],
    "calibrate-json": ["calibrate", "--format", "json"],
    "demo": ["demo", "--out", "{out}/demo"],
    "route-mumbai-moscow-door-to-door": ["route", "Mumbai", "Moscow", "--clock", "door-to-door"],
    "route-mumbai-moscow-2019": ["route", "Mumbai", "Moscow", "--as-of", "2019-06-01"],
    "compare-mumbai-moscow-door-to-door": [
        "compare", "Mumbai", "Moscow", "--clock", "door-to-door", "--draws", "2000",
    ],
    "timeline": ["map", "timeline", "--out", "{out}"],
    "error-unknown-place": ["route", "Mumbay", "Moscow"],
    "error-not-modelled": ["route", "Kabul", "Moscow"],
    "error-ambiguous": ["route", "Astara", "Moscow"],
    "error-no-route": ["route", "Mumbai", "Moscow", "--modes", "rail"],
    "error-bad-scenario": ["scenario", "no-such-scenario"],
    "error-bad-option": ["compare", "Mumbai", "Moscow", "--draws", "0"],
}
# fmt: on


def run_case(argv: list[str]) -> dict[str, bytes]:
    """Run one command in this process; return its outputs by file name.

    Progress lines (printed off a terminal every 30 s of a long run) depend on the machine's
    speed, not on the answer: they are turned off here. Pages that say when they were drawn,
    or which years are projections, depend on the day: every case runs on :data:`TODAY`.
    """
    import corridormap._progress as progress
    from corridormap.cli import main

    with (
        tempfile.TemporaryDirectory() as tmp,
        _no_progress_lines(progress),
        _environment(SOURCE_DATE_EPOCH=str(TODAY_EPOCH)),
    ):
        args = [a.replace("{out}", tmp) for a in argv]
        out, err = io.StringIO(), io.StringIO()
        root = logging.getLogger()
        for handler in root.handlers[:]:  # basicConfig binds to the stderr of its first call
            root.removeHandler(handler)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        files = {
            "stdout": _normal(out.getvalue().replace(tmp, "{out}").encode()),
            "stderr": _normal(err.getvalue().replace(tmp, "{out}").encode()),
            "exit": f"{code}\n".encode(),
        }
        written = sorted(p for p in Path(tmp).rglob("*") if p.is_file())
        if len(written) > MANIFEST_OVER:
            lines = [
                f"{hashlib.sha256(_normal(p.read_bytes())).hexdigest()}  {p.relative_to(tmp)}"
                for p in written
            ]
            files["manifest"] = ("\n".join(lines) + "\n").encode()
        else:
            for path in written:
                files["file-" + path.name] = _normal(path.read_bytes())
    return files


@contextlib.contextmanager
def _environment(**values: str):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _no_progress_lines(module):
    saved = module.OFF_TERMINAL_INTERVAL_S
    module.OFF_TERMINAL_INTERVAL_S = float("inf")
    try:
        yield
    finally:
        module.OFF_TERMINAL_INTERVAL_S = saved


def _normal(data: bytes) -> bytes:
    """``data`` with what changes from run to run made constant.

    Folium names every element by a random 32-digit hex id; they are numbered in order of
    first appearance instead. A run's duration in JSON (``"seconds": 0.57``) becomes 0, and
    the checkout's own path ``{root}``.
    """
    ids: dict[bytes, bytes] = {}

    def number(m: re.Match) -> bytes:
        return ids.setdefault(m.group(0), b"id%d" % len(ids))

    data = HEX_ID.sub(number, data).replace(str(ROOT).encode(), b"{root}")
    return SECONDS.sub(rb'"seconds": 0', data)


def _case_dir(name: str) -> Path:
    return GOLDEN / name


def record(names: list[str]) -> None:
    """Write the outputs of ``names`` under ``tests/golden/``."""
    for name in names:
        files = run_case(CASES[name])
        d = _case_dir(name)
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for fname, data in files.items():
            (d / fname).write_bytes(data)
        print(f"recorded {name}")


def differences(name: str) -> list[str]:
    """The files of case ``name`` that differ from the recording (empty when all equal)."""
    d = _case_dir(name)
    if not d.is_dir():
        return ["(not recorded)"]
    files = run_case(CASES[name])
    recorded = {p.name: p.read_bytes() for p in d.iterdir()}
    diff = [f for f in sorted(set(files) | set(recorded)) if files.get(f) != recorded.get(f)]
    return diff


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="record the cases again")
    ap.add_argument("cases", nargs="*", help="only these cases (default all)")
    args = ap.parse_args()
    names = args.cases or list(CASES)
    if args.write:
        record(names)
        return 0
    bad = {n: d for n in names if (d := differences(n))}
    for n, d in bad.items():
        print(f"{n}: differs in {', '.join(d)}")
    print(f"{len(names) - len(bad)} of {len(names)} cases equal")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
