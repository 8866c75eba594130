"""The ``bottlenecks`` and ``capacity`` commands: what closing each element costs; max flow."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._errors import NoRouteError
from ._common import (
    EXIT_OK,
    check_choice,
    network,
    output_options,
    positive_int,
    scenario_line,
    scenario_option,
    weight,
)
from ._output import Rows, declare, emit_result
from ._pairs import read_pairs

#: the min cut's CSV columns
CUT_FIELDS = ("element", "kind", "name", "capacity", "unit", "capacity_source")


def add_bottlenecks_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``bottlenecks`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    b = sub.add_parser(
        "bottlenecks",
        parents=[common],
        help="rank links and places by what closing them costs",
        description="Criticality: close each link and place in turn and report the increase "
        "of the best routes' time and cost, or the pairs it disconnects.",
    )
    b.add_argument("origin", metavar="FROM", nargs="?")
    b.add_argument("destination", metavar="TO", nargs="?")
    b.add_argument("--pairs-file", metavar="FILE", help="CSV of FROM,TO pairs")
    b.add_argument("--by", choices=["time", "cost"], default="time")
    b.add_argument(
        "--top", type=positive_int, metavar="N", help="only the N most critical elements"
    )
    b.add_argument(
        "--summed",
        action="store_true",
        help="one row per element, its days and cost summed over the pairs (default: a row "
        "per element and pair it affects)",
    )
    scenario_option(b)
    output_options(b, "links coloured by criticality")
    declare(b, outputs=("out", "map"), reads=("scenario", "pairs_file"))
    b.set_defaults(func=cmd_bottlenecks)


def add_capacity_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``capacity`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    cp = sub.add_parser(
        "capacity",
        parents=[common],
        help="max flow and min cut between two places, countries or regions",
        description="Maximum flow (in capacity units, e.g. Mt/yr) between two sides, each a "
        "place, an ISO country code or a region of regions.toml, and the min-cut links.",
    )
    cp.add_argument("origin", metavar="FROM")
    cp.add_argument("destination", metavar="TO")
    cp.add_argument("--unit", default="Mt/yr", help="capacity unit to use (default Mt/yr)")
    cp.add_argument(
        "--mode",
        action="append",
        metavar="MODE",
        help="only links of this mode (repeat; e.g. rail, road, caspian, ferry, inland)",
    )
    scenario_option(cp)
    output_options(cp, "the min-cut links")
    declare(cp, outputs=("out", "map"), reads=("scenario",))
    cp.set_defaults(func=cmd_capacity)


def _save_link_map(
    args: argparse.Namespace, G: Any, values: dict, *, label: str, highlight=(), **page: Any
) -> None:
    """Write ``--map``: the links coloured by ``values``, and say where on stderr.

    Parameters
    ----------
    args
        The parsed arguments (``--map``, ``--self-contained``).
    G
        The network.
    values
        The value of each link coloured, by link id.
    label
        What the values are, for the legend.
    highlight
        The links drawn highlighted.
    **page
        The page's title, subtitle and notes.
    """
    from ..render import color_links, save_map

    m = color_links(G, values, label=label, highlight=highlight, **page)
    save_map(m, args.map, self_contained=getattr(args, "self_contained", False))
    print(f"map: {args.map}", file=sys.stderr)


# -- bottlenecks --------------------------------------------------------------------------------
def cmd_bottlenecks(args: argparse.Namespace) -> int:
    """Run ``corridormap bottlenecks``: rank the elements by what closing them costs.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.

    Raises
    ------
    NoRouteError
        If no pair has a route.
    """
    from ..criticality import CRITICALITY_FIELDS, CRITICALITY_PAIR_FIELDS, criticality

    pairs = read_pairs(args)
    G = network(args)
    view, wf = weight(args, G, args.by)
    crit = criticality(G, pairs, weight=wf)
    unrouted = [p for p, b in crit.baseline.items() if b["time_h"] is None]
    if unrouted and len(unrouted) == len(crit.baseline):
        raise NoRouteError("no route for " + ", ".join(unrouted) + ": nothing to rank")
    rows = crit.top(args.top) if args.top else crit.to_dict()
    if args.map:
        _criticality_map(args, G, crit, rows, view)
    if args.summed:
        emit_result(
            args.format,
            args.out,
            text=lambda: criticality_text(crit, rows, view, top=args.top),
            data=lambda: rows,
            rows=lambda: Rows(rows, CRITICALITY_FIELDS),
        )
        return EXIT_OK
    per_pair = crit.pair_rows(args.top)
    emit_result(
        args.format,
        args.out,
        text=lambda: criticality_pairs_text(crit, per_pair, view, top=args.top),
        data=lambda: per_pair,
        rows=lambda: Rows(per_pair, CRITICALITY_PAIR_FIELDS),
        as_of=args.as_of,
    )
    return EXIT_OK


def _criticality_map(
    args: argparse.Namespace, G: Any, crit: Any, rows: list[dict], view: Any
) -> None:
    """Write the map of what the table shows: the ``--top N`` rows, or every row.

    A link's colour is the most closing it adds to any one pair (a pair's own figure, not a
    sum over pairs); black where closing it leaves a pair without a route.
    """
    shown_ids = {r["element"] for r in rows if r["kind"] == "link"}
    key = "delta_days" if args.by == "time" else "delta_cost_usd"
    values: dict[str, float] = dict.fromkeys(shown_ids, 0.0)
    for r in crit.pair_rows():
        if r["element"] in shown_ids and r[key] is not None:
            values[r["element"]] = max(values[r["element"]], r[key])
    cut = [r["element"] for r in rows if r["kind"] == "link" and r["disconnects"]]
    label = (
        "delta days, the most for one pair"
        if args.by == "time"
        else "delta USD/TEU, the most for one pair"
    )
    shown = f"the {args.top} most critical links" if args.top else "every link"
    _save_link_map(
        args,
        G,
        values,
        label=label,
        highlight=cut,
        title="Bottlenecks: what closing each link costs",
        subtitle=f"{shown}, by the {'days' if args.by == 'time' else 'cost'} "
        f"closing it adds to the best route of any one of {len(crit.baseline)} pair(s) "
        f"(black: no route left for a pair); scenario: {view.name}",
        notes=[f"pair: {p}" for p in crit.baseline],
    )


def criticality_text(crit: Any, rows: list[dict[str, Any]], view: Any, *, top: int | None) -> str:
    """The criticality ranking as text: the scenario, the best routes, the table.

    Parameters
    ----------
    crit
        The ``Criticality`` result.
    rows
        The rows shown: ``crit.top(top)``, or every row.
    view
        The scenario view it was computed under.
    top
        The ``--top`` option; without it, the elements that change no best route are counted,
        not listed.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    n = len(crit.baseline)
    head = _best_routes_head(crit, view)
    cols = (
        "ranked",
        "element",
        "name",
        "kind",
        "delta_days",
        "delta_cost_usd",
        "disconnects",
        "pairs_affected",
    )
    summed = f", sum over {n} pairs" if n > 1 else ""
    heads = (
        "#",
        "element",
        "name",
        "kind",
        f"+days{summed}",
        f"+USD/TEU{summed}",
        "disconnects",
        "pairs",
    )
    tail = ""
    if not top:
        # a network of thousands of links: list what matters, count the rest
        idle = sum(1 for r in rows if not r["pairs_affected"])
        if idle:
            rows = [r for r in rows if r["pairs_affected"]]
            tail = (
                f"\n+ {idle:,} more links and places: closing any one of them changes no "
                "best route (--format csv lists them all)"
            )
    shown = []
    for r in rows:
        # an element that only cuts pairs adds no days to a route: it leaves none
        cut = r["disconnects"] and r["pairs_affected"] == r["disconnects"]
        shown.append(
            {
                **r,
                "delta_days": "no route" if cut else f"{r['delta_days']:,.2f}",
                "delta_cost_usd": "no route" if cut else f"{r['delta_cost_usd']:,.2f}",
            }
        )
    for key in ("delta_days", "delta_cost_usd"):  # right-aligned, as numbers are
        width = max((len(r[key]) for r in shown), default=0)
        for r in shown:
            r[key] = r[key].rjust(width)
    table = fmt.table(shown, cols, headers=heads, digits=2) if shown else "(none)"
    return head + "\n" + table + tail


def _best_routes_head(crit: Any, view: Any) -> str:
    """The scenario line and each pair's best route, in days."""
    return (
        scenario_line(view)
        + "\nbest routes: "
        + "; ".join(
            f"{p} {b['time_h'] / 24:.1f} d" if b["time_h"] is not None else f"{p} no route"
            for p, b in crit.baseline.items()
        )
    )


def criticality_pairs_text(
    crit: Any, rows: list[dict[str, Any]], view: Any, *, top: int | None
) -> str:
    """The criticality ranking per pair: a row per element and pair it affects.

    Parameters
    ----------
    crit
        The ``Criticality`` result.
    rows
        ``crit.pair_rows(top)``.
    view
        The scenario view it was computed under.
    top
        The ``--top`` option; without it, the elements that change no best route are counted.

    Returns
    -------
    str
        The text: what closing each element adds to each pair's best route, "no route" where
        it leaves the pair without one.
    """
    from .. import _format as fmt

    def cell(value: float | None, spec: str) -> str:
        return "no route" if value is None else format(value, spec)

    shown = [
        {
            **r,
            "days": cell(r["delta_days"], "+,.2f"),
            "usd": cell(r["delta_cost_usd"], "+,.0f"),
        }
        for r in rows
    ]
    for key in ("days", "usd"):  # right-aligned, as numbers are
        width = max((len(r[key]) for r in shown), default=0)
        for r in shown:
            r[key] = r[key].rjust(width)
    cols = ("ranked", "element", "name", "kind", "pair", "days", "usd")
    heads = ("#", "element", "name", "kind", "pair", "+days", "+USD/TEU")
    table = fmt.table(shown, cols, headers=heads) if shown else "(none)"
    tail = ""
    if not top:
        idle = sum(1 for r in crit.rows if not r["pairs_affected"])
        if idle:
            tail = (
                f"\n+ {idle:,} more links and places: closing any one of them changes no "
                "best route (--summed --format csv lists them all)"
            )
    return _best_routes_head(crit, view) + "\n" + table + tail


# -- capacity -----------------------------------------------------------------------------------
def cmd_capacity(args: argparse.Namespace) -> int:
    """Run ``corridormap capacity``: the max flow and min cut between two sides.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..capacity import min_cut
    from ..scenarios import apply_scenario

    G = network(args)
    if args.mode:
        present = sorted({str(d["mode"]) for _, _, d in G.edges(data=True) if d["kind"] == "link"})
        for mode in args.mode:
            check_choice(mode, present, "mode", where="the network's links")
    view = apply_scenario(G, args.scenario) if args.scenario else None
    res = min_cut(
        G, args.origin, args.destination, unit=args.unit, modes=args.mode or None, scenario=view
    )
    if args.map:
        values = {c["element"]: c["capacity"] for c in res.cut if c["kind"] == "link"}
        _save_link_map(args, G, values, label=f"capacity ({res.unit})", highlight=list(values))
    emit_result(
        args.format,
        args.out,
        text=lambda: min_cut_text(res),
        data=res.to_dict,
        rows=lambda: Rows([dict(c) for c in res.cut], CUT_FIELDS),
        as_of=args.as_of,
    )
    return EXIT_OK


def min_cut_text(res: Any) -> str:
    """The max flow and min cut as text, with the elements that have no capacity figure.

    Parameters
    ----------
    res
        The ``MinCut`` result.

    Returns
    -------
    str
        The text.
    """
    import math

    from .. import _format as fmt

    lines = [f"{', '.join(res.sources)} -> {', '.join(res.sinks)}"]
    if math.isinf(res.flow):
        lines.append("max flow: " + res.summary())
    else:
        lines.append(f"max flow: {res.flow:,.2f} {res.unit}")
        lines.append(fmt.table(res.cut, ("element", "kind", "name", "capacity", "unit"), digits=2))
        if res.ends_only:
            lines.append(
                "bounded only by the end places' own capacities: nothing on the way "
                "carries a capacity figure (" + " - ".join(res.unbounded_path) + ")"
            )
    lines.append(
        f"{len(res.missing_capacity)} links/places without a capacity in {res.unit} "
        "(treated as unconstrained): " + ", ".join(res.missing_capacity)
    )
    if res.other_units:
        lines.append(
            "capacity in other units (not converted): "
            + ", ".join(f"{k} {v}" for k, v in sorted(res.other_units.items()))
        )
    return "\n".join(lines)
