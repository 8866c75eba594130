"""The ``backtest`` command: the model against every observation of the evidence register."""

from __future__ import annotations

import argparse
from typing import Any

from .._schema import MAX_DRAWS
from ._common import (
    EXIT_OK,
    CliError,
    activity,
    bounded_int,
    format_option,
    network,
    out_option,
    progress_lines,
)
from ._output import Rows, declare, emit_result, save_chart
from ._work import BACKTEST_MAX_WORK, check_work, work_option

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
    bt.add_argument("--draws", type=bounded_int(1, MAX_DRAWS), default=4000, metavar="N",
                    help="Monte Carlo draws (default 4000)")  # fmt: skip
    bt.add_argument("--seed", type=bounded_int(0, 2**63 - 1), default=0, metavar="S",
                    help="random seed (default 0)")  # fmt: skip
    bt.add_argument("--folds", type=bounded_int(2), default=5, metavar="K",
                    help="cross-validation folds (default 5; at most one per fitted "
                    "movement)")  # fmt: skip
    work_option(bt, BACKTEST_MAX_WORK, "row-draws (rows x draws x parameter sets)")
    cvg = bt.add_mutually_exclusive_group()
    cvg.add_argument("--cross-validate", dest="cross_validate", action="store_true",
                     default=None, help="score fitted rows out of sample (default when the "
                     "parameters are calibrated)")  # fmt: skip
    cvg.add_argument("--as-is", dest="cross_validate", action="store_false",
                     help="score the parameters as they are, nothing refitted")  # fmt: skip
    format_option(bt)
    out_option(bt)
    bt.add_argument("--chart", metavar="FILE.png", help="also write the backtest chart")
    declare(bt, outputs=("out", "chart"), reads=("evidence",), charts=("chart",))
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

    if args.as_of:
        raise CliError(
            "backtest replays every row on the network of its own date; --as-of does not "
            "apply to it"
        )
    with activity(args, "backtest") as step:
        step("loading the network")
        G = network(args)
        movements = _check_backtest_work(args, G)
        step("replaying the evidence register")
        bt = backtest(
            G,
            evidence=movements,
            draws=args.draws,
            seed=args.seed,
            folds=args.folds,
            cross_validate=args.cross_validate,
            progress=progress_lines(args),
        )
    if args.chart:
        save_chart(bt.plot(), args.chart)
    emit_result(
        args.format,
        args.out,
        text=lambda: backtest_text(bt),
        data=bt.to_dict,
        rows=lambda: backtest_rows(bt),
        terminal=False,
    )
    return EXIT_OK


def _check_backtest_work(args: argparse.Namespace, G: Any) -> list:
    """The register's movements, once the backtest's size is checked against its bounds.

    Parameters
    ----------
    args
        The parsed arguments (``--evidence``, ``--folds``, ``--draws``, ``--max-work``,
        cross-validation).
    G
        The network.

    Returns
    -------
    list of Movement
        The register's rows, validated.

    Raises
    ------
    CliError
        If ``--folds`` exceeds the fitted movements, or rows x draws x parameter sets
        exceeds ``--max-work``.
    """
    from ..backtest import FOLDS, movement_groups
    from ..calibrate import parameter_keys
    from ..evidence import evidence_path, load_evidence

    path = args.evidence or evidence_path(G.graph.get("directory"))
    movements = load_evidence(path)
    groups = len(movement_groups(movements))
    limit = max(groups, FOLDS)  # one movement a fold (leave-one-out), or the default's five
    if args.folds > limit:
        raise CliError(
            f"--folds {args.folds:,}: the register has {groups} fitted movement"
            f"{'s' * (groups != 1)}, so at most {limit} folds (one movement each: "
            "leave-one-out)"
        )
    calibrated = any(
        t.get("basis") == "calibrated" for t in parameter_keys(G.graph["params"]).values()
    )
    cv = calibrated if args.cross_validate is None else args.cross_validate
    sets = args.folds + 1 if cv else 1
    check_work(
        f"backtest: {len(movements)} rows x {args.draws:,} draws x {sets} parameter set"
        f"{'s' * (sets != 1)}",
        len(movements) * args.draws * sets,
        args.max_work,
        "--max-work",
        "row-draws",
    )
    return movements


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

    def pct(x: Any) -> str:
        return "n/a" if x is None else f"{x}%"

    def share(x: Any) -> str:
        return "n/a" if x is None else f"{x}"

    lines = [
        fmt.table(rows, BACKTEST_COLUMNS, digits=2),
        f"{s['n']} observations scored ({s['mode']}; {s['draws']:,} draws, seed {s['seed']}, "
        f"{s['folds']} folds): median |error| {pct(s['median_abs_pct_error_out_of_sample'])}, "
        f"inside P10-P90 {share(s['share_inside_p10_p90'])}; holdout rows: median |error| "
        f"{pct(s['median_abs_pct_error_holdout'])}, inside "
        f"{share(s['share_inside_p10_p90_holdout'])}",
    ]
    if skipped:
        lines.append(f"{len(skipped)} not replayable:")
        lines.extend(skipped)
    return "\n".join(lines)
