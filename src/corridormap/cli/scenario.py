"""The ``scenario`` and ``scenarios`` commands: days and cost under scenarios; the list of them.

``scenario --volumes`` (what a scenario saves at a volume, queues included) is in
:mod:`corridormap.cli.scenario_volumes`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._progress import Progress
from ..compare import SCENARIO_PERCENTILE_FIELDS, scenario_percentiles
from ..routing import OBJECTIVES
from ._common import (
    EXIT_OK,
    clock_option,
    format_option,
    monte_carlo_options,
    network,
    output_options,
)
from ._output import Rows, declare, emit_result
from ._pairs import read_pairs
from ._work import (
    ASSIGN_MAX_WORK,
    SCENARIO_MAX_WORK,
    check_scenario_count,
    check_work,
    work_count,
)
from .scenario_volumes import add_volume_options, cmd_scenario_volumes

#: the Monte Carlo fields ``scenario`` adds to each row (JSON, CSV)


def add_scenario_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``scenario`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    sc = sub.add_parser(
        "scenario",
        parents=[common],
        help="days and cost per pair under scenarios, against the baseline",
        description="Compare scenarios (geodata/scenarios/*.toml or files) with the baseline.",
    )
    sc.add_argument("names", metavar="NAME", nargs="+", help="scenario names or TOML files")
    sc.add_argument("--pair", nargs=2, action="append", metavar=("FROM", "TO"), default=[])
    sc.add_argument("--pairs-file", metavar="FILE", help="CSV of FROM,TO pairs")
    sc.add_argument("--compose", action="store_true", help="apply all NAMEs together as one")
    sc.add_argument("--by", choices=["time", "cost"], default="time")
    monte_carlo_options(sc)
    clock_option(sc)
    output_options(sc, "the links the scenarios open and close")
    add_volume_options(sc)
    sc.add_argument(
        "--max-work",
        type=work_count,
        metavar="N",
        help=f"refuse runs estimated above N: pair-draws (pairs x (scenarios + the baseline) "
        f"x draws; default {SCENARIO_MAX_WORK:,}), or with --volumes flow-assignments (flows x "
        f"assignments; default {ASSIGN_MAX_WORK:,})",
    )
    declare(
        sc,
        outputs=("out", "map", "chart"),
        reads=("names", "volumes", "pairs_file"),
        charts=("chart",),
    )
    sc.set_defaults(func=cmd_scenario)


def add_scenarios_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``scenarios`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    ls = sub.add_parser(
        "scenarios",
        parents=[common],
        help="list the scenarios",
        description="List the scenarios (the geodata directory's, then the bundled ones).",
    )
    format_option(ls)
    declare(ls)
    ls.set_defaults(func=cmd_scenarios)


# -- scenario -----------------------------------------------------------------------------------
def cmd_scenario(args: argparse.Namespace) -> int:
    """Run ``corridormap scenario``: each pair's best route under each scenario and in the baseline.

    With ``--volumes`` (or ``--chart``) it reports what each scenario saves at those volumes.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..scenarios import COMPARISON_FIELDS, compare_scenarios

    check_scenario_count(args.names)
    if args.volumes or args.chart:
        return cmd_scenario_volumes(args)
    pairs = read_pairs(args)
    G = network(args)
    if pairs is None:
        from ..criticality import default_pairs

        pairs = default_pairs(G)
    names = [n for n in args.names]
    scen = [names] if args.compose else names
    check_work(
        f"scenario: {len(pairs):,} pairs x {len(scen) + 1} scenarios (with the baseline) x "
        f"{args.draws:,} draws",
        len(pairs) * (len(scen) + 1) * args.draws,
        args.max_work or SCENARIO_MAX_WORK,
        "--max-work",
        "pair-draws",
    )
    by = OBJECTIVES[args.by]
    rows, extra = [], {}
    with Progress(len(pairs), desc="scenario", unit="pair", show=not args.quiet) as bar:
        for pair in pairs:  # pair by pair: the same rows, in the same order, with progress
            rows += compare_scenarios(G, [pair], scen, by=by, clock=args.clock).to_dict()
            extra.update(
                scenario_percentiles(
                    G, [pair], scen, by=by, draws=args.draws, seed=args.seed, clock=args.clock
                )
            )
            bar.update(1)
    if args.map:
        from ..render import save_map
        from ..render.overlays import scenario_map
        from ..scenarios import apply_scenario

        view = apply_scenario(G, names)
        save_map(scenario_map(G, view), args.map, self_contained=args.self_contained)
        print(f"map: {args.map}", file=sys.stderr)
    for r in rows:
        r.update(extra[(r["pair"], r["scenario"])])
    fields = [*COMPARISON_FIELDS, *SCENARIO_PERCENTILE_FIELDS]
    emit_result(
        args.format,
        args.out,
        text=lambda: scenario_comparison_text(rows, draws=args.draws, seed=args.seed),
        data=lambda: [{k: r[k] for k in fields} for r in rows],
        rows=lambda: Rows([{**r, "route_nodes": " ".join(r["route_nodes"])} for r in rows], fields),
        as_of=args.as_of,
    )
    return EXIT_OK


def scenario_comparison_text(rows: list[dict[str, Any]], *, draws: int, seed: int) -> str:
    """The scenario comparison as a table, then what its columns mean.

    Parameters
    ----------
    rows
        The rows of the comparison, with the fields of :func:`scenario_percentiles`.
    draws, seed
        The Monte Carlo's draws and seed, for the note.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    def band(r: dict, q: str) -> str:
        if r[f"{q}_p50"] is None:
            return ""
        return (
            f"{r[f'{q}_p10']:+.1f}–{r[f'{q}_p90']:+.1f}"
            if q.startswith("delta")
            else (f"{r[f'{q}_p10']:.1f}–{r[f'{q}_p90']:.1f}")
        )

    shown = [{**r, "days_band": band(r, "days"), "delta_band": band(r, "delta_days")} for r in rows]
    clock = rows[0]["clock"] if rows else "transit"
    cols = (
        "pair",
        "scenario",
        "days",
        "days_band",
        "baseline_days",
        "delta_days",
        "delta_band",
        "cost_usd",
        "delta_cost_usd",
        "note",
    )
    heads = (
        "pair",
        "scenario",
        "days, expected",
        "P10–P90",
        "baseline, expected",
        "+days, expected",
        "+days P10–P90",
        "USD/TEU, expected",
        "+USD, expected",
        "note",
    )
    foot = (
        f"days on the {clock} clock; expected: the mean over each route's sourced parameter "
        f"ranges (what routes are chosen by, as 'corridormap route' reports it); P10–P90 from "
        f"{draws:,} Monte Carlo draws (seed {seed}); +days P10–P90: the scenario's days less "
        "the baseline's in the same draws (negative: the scenario saves time)"
    )
    return fmt.table(shown, cols, headers=heads, digits=2) + "\n" + foot


# -- scenarios ----------------------------------------------------------------------------------
def cmd_scenarios(args: argparse.Namespace) -> int:
    """Run ``corridormap scenarios``: list the scenarios and how many changes each makes.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    rows = scenario_rows(network(args))
    emit_result(
        args.format,
        None,
        text=lambda: scenarios_text(rows),
        data=lambda: rows,
        rows=lambda: Rows(rows, ["name", "description", "changes", "sources", "file"]),
        as_of=args.as_of,
    )
    return EXIT_OK


def scenario_rows(G: Any) -> list[dict[str, Any]]:
    """One row per scenario of the network's data (then the bundled ones).

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    list of dict
        ``name``, ``description``, ``changes`` (how many closures, openings and scalings),
        ``sources``, ``file``.
    """
    from ..scenarios import list_scenarios, load_scenario

    rows = []
    for name in list_scenarios(G):
        sc = load_scenario(name, G)
        rows.append(
            {
                "name": sc.name,
                "description": sc.description,
                "changes": len(sc.close_links) + len(sc.close_nodes) + len(sc.open_links)
                + sum(len(t) for t in (sc.speed, sc.dwell_transfer, sc.dwell_border,
                                       sc.dwell_canal, sc.wait, sc.capacity_mode,
                                       sc.capacity_link, sc.capacity_node)),
                "sources": list(sc.sources),
                "file": sc.file,
            }
        )  # fmt: skip
    return rows


def scenarios_text(rows: list[dict[str, Any]]) -> str:
    """The scenarios as a table, then their count.

    Parameters
    ----------
    rows
        The rows of :func:`scenario_rows`.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    return fmt.table(rows, ["name", "description", "changes"]) + f"\n{len(rows)} scenarios"
