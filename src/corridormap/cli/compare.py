"""The ``compare`` command: the route families door to door, with their Monte Carlo."""

from __future__ import annotations

import argparse
import re
from typing import Any

from ._common import (
    EXIT_OK,
    clock_option,
    format_option,
    monte_carlo_options,
    network,
    out_option,
    progress,
    scenario_line,
    scenario_option,
    shorten,
    weight,
)
from ._output import declare, emit_result, save_chart


def add_compare_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``compare`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    c = sub.add_parser(
        "compare",
        parents=[common],
        help="INSTC branches vs Suez vs Cape, with uncertainty",
        description="Compare route families door to door: days, cost and CO2 with "
        "P10/P50/P90 from a seeded Monte Carlo.",
    )
    c.add_argument("origin", metavar="FROM")
    c.add_argument("destination", metavar="TO")
    monte_carlo_options(c)
    clock_option(c)
    c.add_argument(
        "--by",
        choices=["time", "cost"],
        default="time",
        help="what picks each family's best route (default: time)",
    )
    c.add_argument(
        "--family",
        action="append",
        metavar="NAME",
        help="only these families (instc-western, instc-transcaspian, "
        "instc-eastern, suez, cape); repeat",
    )
    scenario_option(c)
    format_option(c)
    c.add_argument(
        "--chart",
        metavar="FILE",
        help="also write the comparison chart, with a time-distance panel per family "
        "(.png or .svg)",
    )
    out_option(c)
    declare(c, outputs=("out", "chart"), reads=("scenario",), charts=("chart",))
    c.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``corridormap compare``: compare the families, write the chart if asked, print.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..compare import compare

    G = network(args)
    view, wf = weight(args, G, args.by)
    comp = compare(
        G,
        args.origin,
        args.destination,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        clock=args.clock,
        weight=wf,
        progress=progress(args, args.draws),
    )
    if args.chart:
        save_chart(comp.plot(), args.chart, as_of=args.as_of)
    emit_result(
        args.format,
        args.out,
        text=lambda: comparison_text(comp, G, view),
        data=lambda: comparison_records(comp),
        frame=comp.to_frame,
        as_of=args.as_of,
    )
    return EXIT_OK


def comparison_records(comp: Any) -> dict[str, Any]:
    """The comparison as JSON (:meth:`~corridormap.compare.Comparison.to_dict`).

    Parameters
    ----------
    comp
        The :class:`~corridormap.compare.Comparison`.

    Returns
    -------
    dict
        Its settings, each family's record (expected and P10/P50/P90 days on each clock and
        cost), the INSTC's odds, the unreachable families and the sensitivity.
    """
    return comp.to_dict()


def _short_place(name: str, limit: int = 28) -> str:
    """A place name shortened for a table.

    A parenthesised alias is dropped (a two-letter country code kept, it tells two Astaras apart),
    at most ``limit`` characters.

    Parameters
    ----------
    name
        The place's name.
    limit
        The most characters kept.

    Returns
    -------
    str
        The short name.
    """
    m = re.fullmatch(r"(.+?) \((.+)\)", name)
    if m and not re.fullmatch(r"[A-Z]{2}", m.group(2)):
        name = m.group(1)
    return shorten(name, limit)


def comparison_text(comp: Any, G: Any, view: Any) -> str:
    """The comparison as text.

    The ends, draws and seed; the scenario; a table of each family's figures; the key places
    of each family's route; the odds that INSTC is faster; unreachable families; the most
    sensitive parameters.

    Parameters
    ----------
    comp
        The :class:`~corridormap.compare.Comparison`.
    G
        The network (place names and kinds, parameter labels).
    view
        The scenario view it was computed under.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt
    from ..places import places

    recs = comp.to_records(None)
    cat = places(G)
    clock = comp.clock
    objective = "cost" if comp.by == "cost_usd" else "time"
    other = "door_to_door_days" if clock == "transit" else "transit_days"
    metrics = [
        ("distance km", lambda r: f"{r['distance_km']:,.0f}"),
        (f"days, expected ({clock})", lambda r: f"{r['days']['expected']:.1f}"),
        ("days P10", lambda r: f"{r['days']['p10']:.1f}"),
        ("days P50", lambda r: f"{r['days']['p50']:.1f}"),
        ("days P90", lambda r: f"{r['days']['p90']:.1f}"),
        ("first-departure wait", lambda r: f"{r['schedule_wait_days']['expected']:.1f}"),
        (
            f"days, expected ({'door to door' if clock == 'transit' else 'transit'})",
            lambda r: f"{r[other]['expected']:.1f}",
        ),
        ("USD/TEU, expected", lambda r: f"{r['cost_usd']['expected']:,.0f}"),
        ("USD/TEU P10", lambda r: f"{r['cost_usd']['p10']:,.0f}"),
        ("USD/TEU P90", lambda r: f"{r['cost_usd']['p90']:,.0f}"),
        ("kg CO2/TEU", lambda r: f"{r['co2_kg']:,.0f}"),
        ("borders", lambda r: str(r["borders"])),
        ("transshipments", lambda r: str(r["transshipments"])),
    ]
    rows = [{"metric": name, **{r["family"]: f(r) for r in recs}} for name, f in metrics]
    head = (
        f"{cat[comp.origin]['name']} -> {cat[comp.destination]['name']}: "
        f"{comp.draws:,} draws, seed {comp.seed}, {clock} clock"
    )
    lines = [
        head,
        scenario_line(view),
        fmt.table(rows, ["metric", *(r["family"] for r in recs)]),
        f"days: each family's route (the least expected {objective} on the {clock} clock), "
        "expected with P10/P50/P90 of the same draws; first-departure wait: the expected wait "
        "for the first sailing or train from the origin, "
        + ("apart from the transit days" if clock == "transit" else "within the door-to-door days"),
    ]
    width = max(len(r["family"]) for r in recs)
    lines += [f"{r['family']:<{width}}  via {_key_places(r, cat) or '-'}" for r in recs]
    return "\n".join(lines + _comparison_notes(comp, G))


def _key_places(r: dict, cat: dict) -> str:
    """The ports, border crossings and chokepoints a family's route passes, short names."""
    keep = ("port", "border_crossing", "chokepoint")
    via = [n for n in r["nodes"][1:-1] if cat[n]["kind"] in keep]
    return ", ".join(_short_place(str(cat[n]["name"])) for n in via)


def _comparison_notes(comp: Any, G: Any) -> list[str]:
    """The lines after the table: INSTC's odds, unreachable families, the top sensitivities."""
    from ..render.charts import param_label

    lines = []
    odds = {
        f.name: comp.p_instc_beats(f.name)
        for f in comp.families
        if not f.instc and f.name in comp.routes
    }
    lead = comp.instc_family()
    if lead is not None and odds:
        lines.append(
            f"P(the INSTC's best route, {lead}, arrives first) "
            + ", ".join(f"against {name}: {p:.2f}" for name, p in odds.items())
        )
    for fam, why in comp.unreachable.items():
        lines.append(f"{fam}: unreachable ({why})")
    if comp.sensitivity:
        lines.append(
            f"most sensitive (swing of the INSTC - {comp.reference} gap, days): "
            + "; ".join(
                f"{param_label(r['parameter'], G.graph['params'])} {r['swing_days']:.1f}"
                for r in comp.sensitivity[:3]
            )
        )
    return lines
