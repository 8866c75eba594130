"""The sweep's table: its columns, a pair's rows, and writing it to CSV or Parquet."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InputError
from ..uncertainty import Simulation, percentiles

__all__ = ["SWEEP_COLUMNS", "Summary", "add_rows", "read_table", "summarise", "write_table"]

#: the columns of the table :func:`~corridormap.sweep.sweep` returns, in order
SWEEP_COLUMNS = (
    "origin",
    "origin_name",
    "destination",
    "destination_name",
    "scenario",
    "clock",
    "family",
    "family_label",
    "instc",
    "reachable",
    "distance_km",
    "days_expected",
    "days_p10",
    "days_p50",
    "days_p90",
    "schedule_wait_days",
    "cost_usd_expected",
    "cost_usd_p10",
    "cost_usd_p50",
    "cost_usd_p90",
    "best_family",
    "p_instc_faster",
    "nodes",
    "draws",
    "seed",
)


@dataclass(frozen=True)
class Summary:
    """What the table shows of a pair's Monte Carlo, by family.

    Attributes
    ----------
    days, cost
        Family name -> ``(expected, p10, p50, p90)`` of days on the sweep's clock and of USD
        per TEU.
    wait
        Family name -> the expected days waiting for the first departure.
    best
        The family with the least expected objective.
    p_faster
        By non-INSTC family: the probability that the INSTC's best route arrives first.
    """

    days: dict[str, tuple[float, float, float, float]]
    cost: dict[str, tuple[float, float, float, float]]
    wait: dict[str, float]
    best: str | None
    p_faster: dict[str, float]


def summarise(
    sim: Simulation, expected: Mapping[str, np.ndarray], job, instc, clock: str | None = None
) -> Summary:
    """The :class:`Summary` of a pair's Monte Carlo.

    Parameters
    ----------
    sim
        The families' routes in the draws (:func:`corridormap.uncertainty.simulate`).
    expected
        Their expected figures (:meth:`corridormap.uncertainty.RouteTerms.expected`).
    job
        The sweep's settings (``by`` picks the best family).
    instc
        The INSTC families' names.
    clock
        The clock of the days (default the job's first).

    Returns
    -------
    Summary
    """
    clock = clock or job.clocks[0]
    names = sim.names
    days = sim.days(clock)
    e_days = expected["transit"] + (expected["wait"] if clock != "transit" else 0.0)
    # one call for every family's days and cost (numpy's percentile, row by row)
    q = percentiles(np.concatenate([days, sim.cost], axis=1), axis=0)
    k = len(names)
    out_days, out_cost, wait = {}, {}, {}
    for j, n in enumerate(names):
        out_days[n] = (float(e_days[j]), *map(float, q[:, j]))
        out_cost[n] = (float(expected["cost"][j]), *map(float, q[:, k + j]))
        wait[n] = float(expected["wait"][j])
    objective = out_cost if job.by.startswith("cost") else out_days
    best = min(names, key=lambda n: objective[n][0])
    inst = [n for n in instc if n in objective]
    p_faster = {}
    if inst:
        lead = min(inst, key=lambda n: objective[n][0])
        col = days[:, names.index(lead)]
        p_faster = {
            n: float(np.mean(col < days[:, j])) for j, n in enumerate(names) if n not in instc
        }
    return Summary(out_days, out_cost, wait, best, p_faster)


def add_rows(cols, job, clock, o, d, label, fams, routes, summary: Summary | None) -> None:
    """Append a pair's rows under one scenario and clock, a row per family, to ``cols``.

    Parameters
    ----------
    cols
        The table's columns (:data:`SWEEP_COLUMNS`), extended.
    job
        The sweep's settings (names, draws, seed).
    clock
        The clock the routes were chosen on and the days are given on.
    o, d, label
        The origin, the destination and the scenario.
    fams
        The families (a row each, reachable or not).
    routes
        The routes of the families with one (:class:`~.search.PairRoute`).
    summary
        The pair's Monte Carlo, or None when no family reaches.
    """
    for fam in fams:
        reached = summary is not None and fam.name in summary.days
        row = {
            "origin": o,
            "origin_name": job.names.get(o, o),
            "destination": d,
            "destination_name": job.names.get(d, d),
            "scenario": label,
            "clock": clock,
            "family": fam.name,
            "family_label": fam.label,
            "instc": fam.instc,
            "reachable": reached,
            "best_family": summary.best if summary is not None else None,
            "draws": job.draws,
            "seed": job.seed,
        }
        if reached:
            r = routes[fam.name]
            de, d10, d50, d90 = summary.days[fam.name]
            ce, c10, c50, c90 = summary.cost[fam.name]
            row.update(
                distance_km=r.distance_km,
                days_expected=de,
                days_p10=d10,
                days_p50=d50,
                days_p90=d90,
                schedule_wait_days=summary.wait[fam.name],
                cost_usd_expected=ce,
                cost_usd_p10=c10,
                cost_usd_p50=c50,
                cost_usd_p90=c90,
                nodes=" ".join(r.nodes),
            )
            if not fam.instc and fam.name in summary.p_faster:
                row["p_instc_faster"] = summary.p_faster[fam.name]
        for c in SWEEP_COLUMNS:
            cols[c].append(row.get(c, math.nan if c not in ("nodes", "best_family") else None))


def write_table(frame: Any, path: str | os.PathLike[str]) -> Any:
    """Write a sweep table atomically: Parquet (pyarrow) when the name ends in ``.parquet``, ...

    ... else CSV with every text cell made safe for spreadsheets.

    Raises
    ------
    InputError
    If Parquet is asked for and pyarrow is not installed.
    """
    from pathlib import Path

    from .._atomic import atomic_write
    from .._format import frame_csv_text

    target = Path(path)
    if target.suffix.lower() == ".parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                "writing Parquet needs pyarrow: pip install 'corridormap[dask]' (or pyarrow), "
                "or name the output .csv"
            ) from None
        table = pa.Table.from_pandas(frame, preserve_index=False)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return atomic_write(target, sink.getvalue().to_pybytes())
    return atomic_write(target, frame_csv_text(frame))


#: the text columns of a sweep table (the rest are numbers and flags)
_TEXT_COLUMNS = (
    "origin",
    "origin_name",
    "destination",
    "destination_name",
    "scenario",
    "clock",
    "family",
    "family_label",
    "best_family",
    "nodes",
)


def read_table(path: str | os.PathLike[str]) -> Any:
    """Read a sweep table written by :func:`write_table` (CSV, or Parquet by its name).

    Text cells that :func:`write_table` made safe for spreadsheets (a leading ``'`` before
    ``=``, ``+``, ``-``, ``@``) are read back as they were; numbers are read exactly as
    written (CSV keeps every float's shortest exact text, which pandas parses back exactly).

    Raises
    ------
    InputError
        If the file cannot be read as a table, or lacks a column of :data:`SWEEP_COLUMNS`
        (the message names the file and the columns).
    """
    from pathlib import Path

    import pandas as pd

    from .._format import csv_unsafe

    source = Path(path)
    try:
        if source.suffix.lower() == ".parquet":
            frame = pd.read_parquet(source)
        else:
            frame = pd.read_csv(source, dtype={c: object for c in _TEXT_COLUMNS})
    except ImportError:
        raise InputError(
            f"{source.name}: reading Parquet needs pyarrow: pip install 'corridormap[dask]'"
        ) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{source.name}: not a sweep table ({exc})") from None
    missing = [c for c in SWEEP_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source.name}: not a sweep table of this version: no column "
            + ", ".join(missing)
            + " (write it with corridormap sweep)"
        )
    for c in _TEXT_COLUMNS:
        frame[c] = [None if v is None or v != v else csv_unsafe(str(v)) for v in frame[c]]
    return frame
