"""``scenario --volumes``: what each scenario saves at a volume file's volumes, queues included."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from .._progress import Progress
from ._common import EXIT_OK, CliError, network
from ._output import Rows, emit_result, save_chart
from ._work import ASSIGN_MAX_WORK, check_flows, check_work, flows_option

#: the volume factors the saving chart is drawn at (x the volume file)
SAVING_FACTORS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def add_volume_options(sp: argparse.ArgumentParser) -> None:
    """Add ``--volumes`` and ``--chart`` to the ``scenario`` parser ``sp``.

    Parameters
    ----------
    sp
        The ``scenario`` command's parser.
    """
    sp.add_argument(
        "--volumes",
        metavar="NAME|FILE",
        action="append",
        default=[],
        help="report each scenario's saving at these volumes, queues included (repeat for "
        "several; 'corridormap assign --list' lists the bundled volume files)",
    )
    sp.add_argument(
        "--chart",
        metavar="FILE",
        help="with --volumes: a PNG chart of each scenario's saving against volume",
    )
    flows_option(sp)


def cmd_scenario_volumes(args: argparse.Namespace) -> int:
    """Run ``corridormap scenario --volumes``: each scenario's saving per flow, at equilibrium.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..assign import SAVING_FIELDS, load_volumes, scenario_savings

    _check_volume_args(args)
    G = network(args)
    scen = [args.names] if args.compose else list(args.names)
    files = [load_volumes(v, G) for v in args.volumes]
    for vols in files:
        check_flows(args, vols)
    # per volume file: the baseline and each scenario; the chart, both at every factor
    runs = (1 + len(scen)) + (2 * len(SAVING_FACTORS) * len(scen) if args.chart else 0)
    flows = sum(len(v.flows) for v in files)
    check_work(
        f"scenario --volumes: {flows:,} flows x {runs} assignments",
        flows * runs,
        args.max_work or ASSIGN_MAX_WORK,
        "--max-work",
        "flow-assignments",
    )
    rows = []
    total = runs * len(files)
    with Progress(total, desc="scenario", unit="assignment", show=not args.quiet) as bar:
        for vols in files:
            for r in scenario_savings(G, vols, scen, tick=bar.update):
                rows.append({"volumes": vols.name, **r})
        if args.chart:
            _saving_chart(G, files, scen, args.chart, bar.update)
    emit_result(
        args.format,
        args.out,
        text=lambda: savings_text(rows),
        data=lambda: rows,
        rows=lambda: Rows(rows, ["volumes", *SAVING_FIELDS]),
        as_of=args.as_of,
    )
    return EXIT_OK


def _check_volume_args(args: argparse.Namespace) -> None:
    """Check the options ``scenario --volumes`` takes, and its output paths.

    Parameters
    ----------
    args
        The parsed arguments.

    Raises
    ------
    CliError
        Without ``--volumes``, or with ``--pair``/``--pairs-file``, ``--by cost`` or ``--map``.
    """
    if not args.volumes:
        raise CliError("--chart needs --volumes")
    if args.pair or args.pairs_file:
        raise CliError("--volumes takes its pairs from the volume file: drop --pair/--pairs-file")
    if args.by != "time":
        raise CliError("--volumes compares days (queues are time): drop --by cost")
    if args.map:
        raise CliError("--map is not available with --volumes (use 'corridormap assign --map')")


def _saving_chart(
    G: Any, volumes: Sequence[Any], scen: list, path: str, tick: Callable[[int], Any]
) -> None:
    """Write the chart of each scenario's saving against volume, per volume file.

    Parameters
    ----------
    G
        The network.
    volumes
        The volume files, as read.
    scen
        The scenarios (a name, or a list of names composed).
    path
        The chart file.
    tick
        Called with 1 after each assignment.
    """
    from ..assign import saving_curve
    from ..render.charts import saving_figure

    curves = {}
    for vols in volumes:
        for s in scen:
            label = "+".join(s) if isinstance(s, list) else str(s)
            curves[(vols.name, label)] = saving_curve(G, vols, s, SAVING_FACTORS, tick=tick)
    save_chart(saving_figure(curves), path, as_of=(G.graph.get("as_of") or {}).get("date"))


def savings_text(rows: list[dict[str, Any]]) -> str:
    """The savings as a table, then each volume file's longest queues.

    Parameters
    ----------
    rows
        The rows of ``scenario_savings``, with their volume file.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    cols = ("volumes", "scenario", "flow", "volume_mt", "baseline_days", "scenario_days")
    cols += ("saving_days", "free_saving_days")
    heads = ("volumes", "scenario", "flow", "Mt/yr", "base days", "days", "saving")
    heads += ("saving w/o queues",)
    lines = [fmt.table(rows, cols, headers=heads, digits=2)]
    for (vname, sname), top in {
        (r["volumes"], r["scenario"]): (r["baseline_top"], r["scenario_top"]) for r in rows
    }.items():
        lines.append(f"{vname}: longest queue, baseline: {top[0]}; {sname}: {top[1]}")
    return "\n".join(lines)
