"""The ``assign`` command: assign freight volumes at equilibrium; utilisation and queues."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

from ..places import short_name
from ._common import EXIT_OK, CliError, network, output_options, positive_int, scenario_option
from ._output import Rows, declare, emit, emit_result
from ._work import check_flows, flows_option


def add_assign_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``assign`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    a = sub.add_parser(
        "assign",
        parents=[common],
        help="assign freight volumes to the network: utilisation and queues per element",
        description="Assign a volume file (geodata/volumes/*.toml or a path) at user "
        "equilibrium: every flow takes its best route given the queues the others cause. "
        "Prints, per capacity-limited element, volume, capacity, utilisation and added wait.",
    )
    a.add_argument("volumes", metavar="VOLUMES", nargs="?", help="volume file name or path")
    a.add_argument("--list", action="store_true", help="list the bundled volume files")
    a.add_argument(
        "--top",
        type=positive_int,
        metavar="N",
        help="only the N elements with the most added wait, in the bottlenecks named and the "
        "table (default: 5 named, every element carrying volume in the table)",
    )
    a.add_argument(
        "--tolerance", type=float, default=1e-3, help="relative gap to stop at (default 1e-3)"
    )
    flows_option(a)
    scenario_option(a)
    output_options(a, "links and places coloured by utilisation")
    declare(a, outputs=("out", "map"), reads=("volumes", "scenario"))
    a.set_defaults(func=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    """Run ``corridormap assign``: assign the volumes (or list the volume files), print.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..assign import ELEMENT_FIELDS, assign, list_volumes, load_volumes
    from ..places import place_names

    G = network(args)
    if args.list:
        emit("\n".join(list_volumes(G)), None, terminal=True)
        return EXIT_OK
    if not args.volumes:
        raise CliError("assign needs a VOLUMES file or name (--list lists them)")
    if not (args.tolerance > 0 and args.tolerance < 1):
        raise CliError(f"--tolerance must be between 0 and 1, got {args.tolerance!r}")
    vols = load_volumes(args.volumes, G)
    check_flows(args, vols)
    res = assign(
        G,
        vols,
        scenario=args.scenario or None,
        tolerance=args.tolerance,
        progress=not args.quiet,
    )
    if args.map:
        from ..render import save_map

        save_map(res.map(), args.map, self_contained=getattr(args, "self_contained", False))
        print(f"map: {args.map}", file=sys.stderr)
    fields = [*ELEMENT_FIELDS[:3], "direction", *ELEMENT_FIELDS[3:]]
    emit_result(
        args.format,
        args.out,
        text=lambda: assignment_text(res, top=args.top, names=place_names(G)),
        data=res.to_dict,
        rows=lambda: Rows(res.elements, fields),
        as_of=args.as_of,
    )
    return EXIT_OK


#: the bottlenecks named when ``--top`` is not given
NAMED = 5


def assignment_text(res: Any, *, top: int | None, names: Mapping[str, str] | None = None) -> str:
    """The assignment as text.

    Its summary, the gap by iteration, the bottlenecks, each flow's figures and main route
    (by place names), the table of elements that carry volume, and what has no capacity
    figure.

    Parameters
    ----------
    res
        The ``Assignment``.
    top
        How many elements to name as bottlenecks and list in the table (those with the most
        added wait); ``None``: :data:`NAMED` named and every element carrying volume listed.
    names
        Place id -> name, for the routes (ids where missing).

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    cols = ("name", "volume_mt", "capacity_mt", "utilisation", "wait_days", "capacity_published")
    heads = ("element", "Mt/yr", "capacity Mt/yr", "utilisation", "+days", "capacity as published")
    lines = [res.summary(), "gap by iteration: " + " ".join(f"{g:.1e}" for g in res.gaps)]
    lines.append(f"top bottlenecks (of {len(res.elements)} capacity-limited elements):")
    lines += [f"  {i}. {t}" for i, t in enumerate(res.bottleneck_lines(top or NAMED), 1)]
    lines.append("flows:")
    names = names or {}
    for f in res.flows:
        main = f["routes"][0]
        via = " - ".join(short_name(names.get(n, n)) for n in main["nodes"])
        lines.append(
            f"  {f['flow']}: {f['published']} = {f['volume_mt']:.3f} Mt/yr, "
            f"{f['free_days']:.1f} days without queues, {f['days']:.1f} at equilibrium; "
            f"{len(f['routes'])} route(s), main {main['share']:.0%} via {via}"
        )
    used = [r for r in res.elements if r["volume_mt"] > 0]
    shown = used if top is None else res.top(top)  # elements by added wait, as named above
    lines.append(fmt.table(shown, cols, headers=heads, digits=2))
    if len(shown) < len(used):
        lines.append(
            f"+ {len(used) - len(shown)} more elements carrying volume (--format csv lists them)"
        )
    if res.unconstrained:
        lines.append(
            "on the routes without a capacity figure (never queue): " + ", ".join(res.unconstrained)
        )
    if res.unconverted:
        lines.append(
            "capacities not converted: "
            + "; ".join(f"{k} {v}" for k, v in sorted(res.unconverted.items()))
        )
    return "\n".join(lines)
