"""``scenario --volumes``: what each scenario saves at a volume file's volumes, queues included."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ._common import EXIT_OK, CliError, network
from ._output import Rows, emit_result

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
    rows = []
    for v in args.volumes:
        vols = load_volumes(v, G)
        for r in scenario_savings(G, vols, scen):
            rows.append({"volumes": vols.name, **r})
    if args.chart:
        _saving_chart(G, args.volumes, scen, args.chart)
    emit_result(
        args.format,
        args.out,
        text=lambda: savings_text(rows),
        data=lambda: rows,
        rows=lambda: Rows(rows, ["volumes", *SAVING_FIELDS]),
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


def _saving_chart(G: Any, volumes: Sequence[str], scen: list, path: str) -> None:
    """Write the chart of each scenario's saving against volume, per volume file.

    Parameters
    ----------
    G
        The network.
    volumes
        The volume file names or paths.
    scen
        The scenarios (a name, or a list of names composed).
    path
        The chart file.
    """
    from ..assign import load_volumes, saving_curve
    from ..render.charts import save_figure, saving_figure

    curves = {}
    for v in volumes:
        vols = load_volumes(v, G)
        for s in scen:
            label = "+".join(s) if isinstance(s, list) else str(s)
            curves[(vols.name, label)] = saving_curve(G, vols, s, SAVING_FACTORS)
    save_figure(saving_figure(curves), path)
    print(f"chart: {path}", file=sys.stderr)


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
