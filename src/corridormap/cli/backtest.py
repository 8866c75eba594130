"""The ``backtest`` command: the model against every observation of the evidence register."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import EXIT_OK, activity, format_option, network, out_option, positive_int
from ._output import Rows, emit_result

#: the backtest table's columns, and its CSV's
BACKTEST_COLUMNS = ("id", "role", "fold", "observed", "p10", "p50", "p90", "error_pct", "inside")
BACKTEST_CSV = (
    "id", "title", "kind", "measure", "role", "fold", "observed_low", "observed_high", "p10",
    "p50", "p90", "error_days", "error_pct", "inside", "scored_with", "route", "not_replayable",
    "source",
)  # fmt: skip


def add_backtest_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``backtest`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    bt = sub.add_parser(
        "backtest",
        parents=[common],
        help="the model against every observation of the evidence register",
        description="Replay every movement of the evidence register (evidence.toml) on the "
        "model: P10/P50/P90, the error against the observed range, whether it falls inside "
        "P10-P90, and the cross-validation fold.",
    )
    bt.add_argument("--evidence", metavar="FILE", help="a register instead of the data's own")
    bt.add_argument("--draws", type=positive_int, default=4000, metavar="N",
                    help="Monte Carlo draws (default 4000)")  # fmt: skip
    bt.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    bt.add_argument("--folds", type=positive_int, default=5, metavar="K",
                    help="cross-validation folds (default 5)")  # fmt: skip
    cvg = bt.add_mutually_exclusive_group()
    cvg.add_argument("--cross-validate", dest="cross_validate", action="store_true",
                     default=None, help="score fitted rows out of sample (default when the "
                     "parameters are calibrated)")  # fmt: skip
    cvg.add_argument("--as-is", dest="cross_validate", action="store_false",
                     help="score the parameters as they are, nothing refitted")  # fmt: skip
    format_option(bt)
    out_option(bt)
    bt.add_argument("--chart", metavar="FILE.png", help="also write the backtest chart")
    bt.set_defaults(func=cmd_backtest)


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run ``corridormap backtest``: replay and score every observation, print.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..backtest import backtest

    with activity(args, "backtest") as step:
        step("loading the network")
        G = network(args)
        step("replaying the evidence register")
        bt = backtest(
            G,
            evidence=args.evidence,
            draws=args.draws,
            seed=args.seed,
            folds=args.folds,
            cross_validate=args.cross_validate,
        )
    if args.chart:
        from ..render.charts import save_figure

        save_figure(bt.plot(), args.chart)
        print(f"chart: {args.chart}", file=sys.stderr)
    emit_result(
        args.format,
        args.out,
        text=lambda: backtest_text(bt),
        data=bt.to_dict,
        rows=lambda: backtest_rows(bt),
        terminal=False,
    )
    return EXIT_OK


def backtest_rows(bt: Any) -> Rows:
    """The backtest's observations for CSV: the observed range in two columns, the route in one.

    Parameters
    ----------
    bt
        The ``Backtest``.

    Returns
    -------
    Rows
        One row per observation, the columns of :data:`BACKTEST_CSV`.
    """
    rows = []
    for o in bt.observations:
        lo, hi = o["observed_days"]
        route = " ".join(o["route"] or [])
        rows.append({**o, "observed_low": lo, "observed_high": hi, "route": route})
    return Rows(rows, BACKTEST_CSV)


def backtest_text(bt: Any) -> str:
    """The backtest as text: the scored observations, the summary, what is not replayable.

    Parameters
    ----------
    bt
        The ``Backtest``.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    rows, skipped = [], []
    for o in bt.observations:
        lo, hi = o["observed_days"]
        if o["p50"] is None:
            skipped.append(f"  {o['id']}: not replayable ({o['not_replayable']})")
            continue
        obs = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        rows.append({**o, "observed": obs, "inside": "yes" if o["inside"] else "no"})
    s = bt.summary()
    lines = [
        fmt.table(rows, BACKTEST_COLUMNS, digits=2),
        f"{s['n']} observations scored ({s['mode']}; {s['draws']:,} draws, seed {s['seed']}, "
        f"{s['folds']} folds): median |error| {s['median_abs_pct_error_out_of_sample']}%, "
        f"inside P10-P90 {s['share_inside_p10_p90']}; holdout rows: median |error| "
        f"{s['median_abs_pct_error_holdout']}%, inside {s['share_inside_p10_p90_holdout']}",
    ]
    if skipped:
        lines.append(f"{len(skipped)} not replayable:")
        lines.extend(skipped)
    return "\n".join(lines)
