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
from .montecarlo import SeenColumns, order_statistics, sorted_percentiles

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
    sim: Simulation,
    expected: Mapping[str, np.ndarray],
    job,
    instc,
    clock: str | None = None,
    seen: SeenColumns | None = None,
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
    seen
        Columns summarised before (:class:`~.montecarlo.SeenColumns`): a column found there
        is not selected again, and the columns selected are kept there.

    Returns
    -------
    Summary
    """
    clock = clock or job.clocks[0]
    names = sim.names
    days = sim.days(clock)
    e_days = expected["transit"] + (expected["wait"] if clock != "transit" else 0.0)
    q = _percentiles(days, sim.cost, seen)
    k = len(names)
    p10, p50, p90 = q.tolist()
    e_cost, e_wait = expected["cost"].tolist(), expected["wait"].tolist()
    out_days, out_cost, wait = {}, {}, {}
    for j, (n, e) in enumerate(zip(names, e_days.tolist(), strict=True)):
        out_days[n] = (e, p10[j], p50[j], p90[j])
        out_cost[n] = (e_cost[j], p10[k + j], p50[k + j], p90[k + j])
        wait[n] = e_wait[j]
    objective = out_cost if job.by.startswith("cost") else out_days
    best = min(names, key=lambda n: objective[n][0])
    inst = [n for n in instc if n in objective]
    p_faster = {}
    if inst:
        lead = min(inst, key=lambda n: objective[n][0])
        col = days[:, names.index(lead)]
        # the share of draws the lead arrives first in: np.mean's count / draws (both the
        # correctly rounded quotient of the same two integers)
        n_draws = len(col)
        p_faster = {
            n: np.count_nonzero(col < days[:, j]) / n_draws
            for j, n in enumerate(names)
            if n not in instc
        }
    return Summary(out_days, out_cost, wait, best, p_faster)


def _percentiles(days: np.ndarray, cost: np.ndarray, seen: SeenColumns | None = None) -> np.ndarray:
    """P10, P50 and P90 of every column of ``days`` then ``cost`` (numpy's numbers).

    Families that take the same route have the same draws: each distinct column's order
    statistics are selected once (a column is another's when equal to it, value for value),
    and not at all when ``seen`` holds it. The columns are partitioned at the positions read
    (:func:`_selected`), not sorted: the same numbers.
    """
    k = days.shape[1]
    rows = np.empty((2 * k, days.shape[0]))
    rows[:k] = days.T
    rows[k:] = cost.T
    if not rows.shape[1]:
        return percentiles(rows, axis=1)
    mid = rows.shape[1] // 2
    first: dict[tuple[float, float, float], int] = {}
    which, keep, keys = [], [], []
    for j, key in enumerate(
        zip(rows[:, 0].tolist(), rows[:, mid].tolist(), rows[:, -1].tolist(), strict=True)
    ):
        i = first.get(key)
        if i is not None and np.array_equal(rows[keep[i]], rows[j]):
            which.append(i)
            continue
        first[key] = len(keep)
        which.append(len(keep))
        keep.append(j)
        keys.append(key)
    if seen is None:
        q = _selected(rows[keep] if len(keep) < len(rows) else rows)
        return q if len(keep) == len(rows) else q[:, which]
    q = np.empty((3, len(keep)))
    todo = []
    for i, j in enumerate(keep):
        got = seen.find(keys[i], rows[j])
        if got is None:
            todo.append(i)
        else:
            q[:, i] = got
    if todo:
        new = _selected(rows[[keep[i] for i in todo]])  # a copy: rows keep their order
        q[:, todo] = new
        for t, i in enumerate(todo):
            seen.keep(keys[i], rows[keep[i]], new[:, t].copy())
    return q[:, which]


def _selected(distinct: np.ndarray) -> np.ndarray:
    """P10, P50 and P90 of each row of ``distinct`` (reordered in place).

    The rows are partitioned at the order statistics the percentiles read
    (:func:`~.montecarlo.order_statistics`). Non-negative doubles are in the same order as
    their 64 bits read as integers, and so is NaN of positive sign (after ``inf``, last as
    in a sort); integers are selected in about two-thirds of the time (no NaN test in each
    comparison). Rows with a sign bit set (a negative number, -0.0) are partitioned as
    doubles.
    """
    kth = order_statistics(distinct.shape[1])
    if np.signbit(distinct).any():
        distinct.partition(kth, axis=1)
    else:
        distinct.view(np.int64).partition(kth, axis=1)
    if np.isnan(distinct[:, -1]).any():  # NaN goes last: numpy's own rules for it
        return percentiles(distinct, axis=1)
    return sorted_percentiles(distinct)


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
    if summary is None:
        _add_unreached(cols, job, clock, o, d, label, fams)
        return
    n_o, n_d = job.names.get(o, o), job.names.get(d, d)
    fixed = (
        ("origin", o),
        ("origin_name", n_o),
        ("destination", d),
        ("destination_name", n_d),
        ("scenario", label),
        ("clock", clock),
        ("best_family", summary.best),
        ("draws", job.draws),
        ("seed", job.seed),
    )
    for c, v in fixed:
        cols[c].extend([v] * len(fams))
    nan = math.nan
    rows = []  # per family: reachable, its figures, P(INSTC faster), nodes
    for fam in fams:
        name = fam.name
        days = summary.days.get(name)
        if days is None:
            rows.append((False, *_NO_FIGURES, nan, None))
            continue
        r = routes[name]
        p = summary.p_faster.get(name, nan) if not fam.instc else nan
        rows.append(
            (True, r.distance_km, *days, summary.wait[name], *summary.cost[name], p,
             " ".join(r.nodes))
        )  # fmt: skip
    for c, values in zip(_PER_FAMILY, zip(*rows, strict=True), strict=True):
        cols[c].extend(values)
    cols["family"].extend(f.name for f in fams)
    cols["family_label"].extend(f.label for f in fams)
    cols["instc"].extend(f.instc for f in fams)


#: the columns of a reached family's figures, in the order :func:`add_rows` gives them
_FIGURES = SWEEP_COLUMNS[
    SWEEP_COLUMNS.index("distance_km") : SWEEP_COLUMNS.index("cost_usd_p90") + 1
]
_NO_FIGURES = (math.nan,) * len(_FIGURES)
#: the columns :func:`add_rows` reads off each family's route and Monte Carlo
_PER_FAMILY = ("reachable", *_FIGURES, "p_instc_faster", "nodes")


def _add_unreached(cols, job, clock, o, d, label, fams) -> None:
    """The rows of a pair no family reaches (as the general loop of :func:`add_rows`)."""
    for fam in fams:
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
            "reachable": False,
            "best_family": None,
            "draws": job.draws,
            "seed": job.seed,
        }
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
