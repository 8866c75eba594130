"""The sweep's table: its columns, a pair's rows, and writing it to CSV or Parquet."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InputError
from ..uncertainty import percentiles

__all__ = ["SWEEP_COLUMNS", "Summary", "add_rows", "summarise", "write_table"]

#: the columns of the table :func:`~corridormap.sweep.sweep` returns, in order
SWEEP_COLUMNS = (
    "origin",
    "origin_name",
    "destination",
    "destination_name",
    "scenario",
    "family",
    "family_label",
    "instc",
    "reachable",
    "distance_km",
    "days_p10",
    "days_p50",
    "days_p90",
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
    """What the table shows of a pair's Monte Carlo: percentiles, best family, P(faster)."""

    pct: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]]
    best: str | None
    p_faster: dict[str, float]  # by non-INSTC family, when an INSTC family is reachable


def summarise(days: Mapping[str, np.ndarray], cost: Mapping[str, np.ndarray], job, instc):
    """The :class:`Summary` of a pair's days and cost per draw, by family.

    Parameters
    ----------
    days, cost
        Days and cost per draw, by family name (those with a route).
    job
        The sweep's settings (``by`` picks the best family).
    instc
        The INSTC families' names.

    Returns
    -------
    Summary
    """
    names = list(days)
    pct = {}
    if names:
        # one call for every family's days and cost (numpy's percentile, row by row)
        q = percentiles(np.stack([*(days[n] for n in names), *(cost[n] for n in names)]))
        k = len(names)
        for i, n in enumerate(names):
            pct[n] = (tuple(map(float, q[:, i])), tuple(map(float, q[:, k + i])))
    objective = 1 if job.by.startswith("cost") else 0
    best = min(pct, key=lambda n: pct[n][objective][1]) if pct else None
    inst = [days[n] for n in instc if n in days]
    p_faster = {}
    if inst:
        best_instc = np.minimum.reduce(inst)
        p_faster = {n: float(np.mean(best_instc < days[n])) for n in names if n not in instc}
    return Summary(pct, best, p_faster)


def add_rows(cols, job, o, d, label, fams, cands, summary: Summary | None) -> None:
    """Append a pair's rows under one scenario, a row per family, to the columns ``cols``.

    Parameters
    ----------
    cols
        The table's columns (:data:`SWEEP_COLUMNS`), extended.
    job
        The sweep's settings (names, draws, seed).
    o, d, label
        The origin, the destination and the scenario.
    fams
        The families (a row each, reachable or not).
    cands
        The candidates of the families with a route.
    summary
        The pair's Monte Carlo, or None when no family reaches.
    """
    pct = summary.pct if summary is not None else {}
    best = summary.best if summary is not None else None
    for fam in fams:
        row = {
            "origin": o,
            "origin_name": job.names.get(o, o),
            "destination": d,
            "destination_name": job.names.get(d, d),
            "scenario": label,
            "family": fam.name,
            "family_label": fam.label,
            "instc": fam.instc,
            "reachable": fam.name in pct,
            "best_family": best,
            "draws": job.draws,
            "seed": job.seed,
        }
        if fam.name in pct:
            (t10, t50, t90), (c10, c50, c90) = pct[fam.name]
            cand = cands[fam.name]
            row.update(
                distance_km=cand.distance_km,
                days_p10=t10,
                days_p50=t50,
                days_p90=t90,
                cost_usd_p10=c10,
                cost_usd_p50=c50,
                cost_usd_p90=c90,
                nodes=" ".join(cand.nodes),
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
