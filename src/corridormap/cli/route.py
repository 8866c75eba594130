"""The ``route`` command: the best route(s) between two places, with their Monte Carlo bands."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from ..routing import LEG_COLUMNS, LEG_HEADERS
from ._common import (
    EXIT_OK,
    CliError,
    activity,
    bounded_int,
    clock_option,
    monte_carlo_options,
    network,
    scenario_line,
    scenario_option,
    weight,
)
from ._output import Rows, declare, emit_result, save_chart

log = logging.getLogger("corridormap")

#: the most routes ``route -k`` lists (``alternatives`` examines at most 500 paths)
MAX_K = 100
#: the most routes ``route --chart`` draws on one chart (beyond that the lines are unreadable)
MAX_CHART_ROUTES = 6


def add_route_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``route`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    r = sub.add_parser(
        "route",
        parents=[common],
        help="best route(s) between two places",
        description="Best route(s) between two places on the multimodal network.",
    )
    r.add_argument("origin", metavar="FROM")
    r.add_argument("destination", metavar="TO")
    r.add_argument(
        "--by",
        choices=["time", "cost", "distance", "co2"],
        default="time",
        help="what to minimise (default: time)",
    )
    r.add_argument(
        "--via",
        action="append",
        default=[],
        metavar="PLACE[:MODES]",
        help="pass through PLACE, where the cargo is handled (repeat for several, in order); "
        "PLACE:caspian means the stretch arriving there goes by Caspian ship "
        "(modes comma-separated)",
    )
    r.add_argument(
        "--arrive-by",
        metavar="MODES",
        help="modes of the last stretch, into the destination (e.g. sea)",
    )
    r.add_argument(
        "--avoid",
        action="append",
        default=[],
        metavar="AREA",
        help="keep out of AREA: a place (a shared name avoids all its places), a region "
        "(azerbaijan) or a country code (IR); repeat for several",
    )
    r.add_argument(
        "--modes",
        metavar="M1,M2",
        help="only these link modes, comma-separated (rail, road, sea, caspian, ferry, inland)",
    )
    scenario_option(r)
    r.add_argument(
        "-k",
        type=bounded_int(1, MAX_K),
        default=1,
        metavar="N",
        help=f"N distinct routes, best first (at most {MAX_K})",
    )
    r.add_argument("--format", choices=["table", "json", "geojson", "csv"], default="table")
    r.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    r.add_argument("--map", metavar="FILE", help="also write an HTML map of the route(s)")
    r.add_argument(
        "--self-contained",
        action="store_true",
        help="with --map: a page that works offline (assets and basemap inlined)",
    )
    r.add_argument(
        "--chart",
        metavar="FILE",
        help="also write a time-distance and cost-distance chart (.png or .svg)",
    )
    monte_carlo_options(r)
    clock_option(r)
    declare(r, outputs=("out", "map", "chart"), reads=("scenario",), charts=("chart",))
    r.set_defaults(func=cmd_route)


def cmd_route(args: argparse.Namespace) -> int:
    """Run ``corridormap route``: find the route(s), write the map and chart asked for, print.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..uncertainty import route_percentiles

    if args.chart and args.k > MAX_CHART_ROUTES:
        raise CliError(
            f"--chart draws at most {MAX_CHART_ROUTES} routes on one chart (asked for -k {args.k})"
        )
    G = network(args)
    view, wf = weight(args, G, args.by)
    routes = _find_routes(G, args, wf)
    if len(routes) < args.k:
        log.warning(
            "%d of the %d routes asked for: the routes examined hold no other corridor "
            "(another border crossing, port or chokepoint)",
            len(routes),
            args.k,
        )
    pcts = [route_percentiles(G, r, draws=args.draws, seed=args.seed) for r in routes]
    if args.map:
        from ..render import route_map, save_map

        m = route_map(routes, G=G, percentiles=pcts)
        save_map(m, args.map, self_contained=args.self_contained)
        print(f"map: {args.map}", file=sys.stderr)
    if args.chart:
        from ..render.charts import time_distance

        with activity(args, "chart") as step:
            step("the routes' time- and cost-distance, P10-P90")
            fig = time_distance(routes, G=G, draws=args.draws, seed=args.seed)
            step("writing")
            save_chart(fig, args.chart, as_of=args.as_of)
    emit_result(
        args.format,
        args.out,
        text=lambda: routes_text(routes, pcts, view),
        data=lambda: routes_dict(routes, pcts, listed=args.k > 1),
        rows=lambda: route_leg_rows(routes),
        geojson=lambda: routes_geojson(routes),
        as_of=args.as_of,
    )
    return EXIT_OK


def _find_routes(G: Any, args: argparse.Namespace, wf: Any) -> list[Any]:
    """The best route (``-k 1``) or the ``k`` best distinct routes the arguments ask for."""
    from ..corridors import alternatives
    from ..routing import route

    modes = _parse_modes(args.modes)
    via, leg_modes = _parse_stretches(args.via, args.arrive_by)
    opts = {"via": via, "avoid": args.avoid, "weight": wf, "modes": modes, "leg_modes": leg_modes}
    if args.k == 1:
        return [route(G, args.origin, args.destination, **opts)]
    return alternatives(G, args.origin, args.destination, k=args.k, **opts)


def _parse_stretches(vias: list[str], arrive_by: str | None) -> tuple[list[str], list | None]:
    """``--via PLACE[:MODES]`` and ``--arrive-by``: the via places and the modes per stretch.

    Parameters
    ----------
    vias
        The ``--via`` options, in order.
    arrive_by
        The ``--arrive-by`` option, or ``None``.

    Returns
    -------
    tuple
        The via places, and the modes of every stretch (``None`` for any) if any stretch names
        its modes, else ``None``.
    """
    from .._schema import MODES

    places, modes = [], []
    for text in vias:
        head, sep, tail = text.rpartition(":")
        names = [m.strip() for m in tail.split(",")] if sep else []
        if sep and head and names and all(m in MODES for m in names):
            places.append(head)
            modes.append(names)
        else:
            places.append(text)
            modes.append(None)
    modes.append(_parse_modes(arrive_by))
    return places, (modes if any(m is not None for m in modes) else None)


def _parse_modes(text: str | None) -> list[str] | None:
    """The modes of a comma-separated option such as ``--modes rail,sea``.

    Parameters
    ----------
    text
        The option's value, or ``None``.

    Returns
    -------
    list of str or None
        The modes, or ``None`` (any mode) without the option.

    Raises
    ------
    CliError
        If it names no mode.
    """
    if text is None:
        return None
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes:
        raise CliError("--modes needs at least one mode, e.g. rail,sea,caspian")
    return modes


# -- the route's forms: text, JSON, CSV, GeoJSON ------------------------------------------------
def _plural(n: int, word: str) -> str:
    """``1 transshipment``, ``3 transshipments``."""
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def _band(p: dict, fmt: str = "{:.1f}", pre: str = "") -> str:
    """``(P10–P90 28.2–36.3, P50 32.0)``."""
    lo, mid, hi = (pre + fmt.format(p[k]) for k in ("p10", "p50", "p90"))
    return f"(P10–P90 {lo}–{hi}, P50 {mid})"


def _route_headline(r: Any, pct: dict) -> str:
    """Two lines of route figures: time on the route's clock, then cost and the rest.

    The first line gives the expected days on the route's clock with their P10-P90 and P50, and
    the wait for the first departure apart (transit) or within (door to door), with the other
    clock's figure; the second the expected cost with its band, distance, CO2, borders and
    transshipments (each named, singular or plural).

    Parameters
    ----------
    r
        The route.
    pct
        Its figures, from ``route_percentiles``.

    Returns
    -------
    str
        The lines.
    """
    t = r.totals()
    transit, wait, door = (
        pct["transit_days"],
        pct["schedule_wait_days"],
        pct["door_to_door_days"],
    )
    ends = f"{r.names.get(r.origin, r.origin)} -> {r.names.get(r.destination, r.destination)}"
    if pct["clock"] == "transit":
        when = f"{transit['expected']:.1f} days transit, expected {_band(transit)}"
        other = (
            f"; +{wait['expected']:.1f} days waiting for the first departure: door to door "
            f"{door['expected']:.1f} {_band(door)}"
            if wait["expected"] > 0
            else "; no scheduled first departure to wait for"
        )
    else:
        when = f"{door['expected']:.1f} days door to door, expected {_band(door)}"
        other = (
            f"; of which {wait['expected']:.1f} days waiting for the first departure: transit "
            f"{transit['expected']:.1f} {_band(transit)}"
            if wait["expected"] > 0
            else "; no scheduled first departure to wait for"
        )
    cost = pct["cost_usd"]
    return (
        f"{ends}: {when}{other}\n"
        f"${cost['expected']:,.0f}/TEU expected {_band(cost, '{:,.0f}', '$')}; "
        f"{t['distance_km']:,.0f} km, {t['co2_kg']:,.0f} kg CO2/TEU, "
        f"{_plural(t['borders'], 'border')}, {_plural(t['transshipments'], 'transshipment')}"
    )


def routes_text(routes: list[Any], pcts: list[dict], view: Any) -> str:
    """The routes as text: per route its headline, the Monte Carlo note, the places, the legs.

    Parameters
    ----------
    routes
        The routes, best first.
    pcts
        Their percentiles, in the same order.
    view
        The scenario view they were found under (named first unless the baseline).

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    parts = [scenario_line(view)] if view.scenarios else []
    for i, (r, pct) in enumerate(zip(routes, pcts, strict=True), 1):
        title = f"Route {i} of {len(routes)}: " if len(routes) > 1 else ""
        legs = fmt.leg_rows(r)
        parts.append(title + _route_headline(r, pct))
        parts.append(
            "(expected: the mean over this route's sourced parameter ranges, which routes are "
            f"chosen by; P10/P50/P90 from {pct['draws']:,} Monte Carlo draws, seed "
            f"{pct['seed']}; the legs below are expected hours on the {pct['clock']} clock and "
            "add up to it)"
        )
        parts.append("via " + " - ".join(r.names[n] for n in r.nodes))
        parts.append(fmt.table(legs, LEG_COLUMNS, headers=LEG_HEADERS))
        parts.append("")
    return "\n".join(parts)


def _percentile_fields(pct: dict) -> dict[str, Any]:
    """The JSON fields of a route's figures (expected and P10/P50/P90 on each clock).

    The days on the route's clock, transit, waiting for the first departure and door to door,
    and the cost; the clock, draws and seed.
    """
    out: dict[str, Any] = {"clock": pct["clock"]}
    for q in ("days", "transit_days", "schedule_wait_days", "door_to_door_days"):
        out[q] = {k: round(v, 2) for k, v in pct[q].items()}
    out["cost_usd"] = {k: round(v, 0) for k, v in pct["cost_usd"].items()}
    out.update(draws=pct["draws"], seed=pct["seed"])
    return out


def routes_dict(routes: list[Any], pcts: list[dict], *, listed: bool = False) -> Any:
    """The routes as JSON: each route's dict with its percentiles.

    One route is not in a list unless ``listed`` (``-k 2`` or more: a list however many of the
    routes asked for exist).

    Parameters
    ----------
    routes
        The routes, best first.
    pcts
        Their percentiles, in the same order.
    listed
        Give a list even for one route.

    Returns
    -------
    dict or list of dict
        The document.
    """
    docs = [
        {**r.to_dict(), "percentiles": _percentile_fields(p)}
        for r, p in zip(routes, pcts, strict=True)
    ]
    return docs[0] if len(docs) == 1 and not listed else docs


def route_leg_rows(routes: list[Any]) -> Rows:
    """The legs of every route for CSV, numbered by route.

    Parameters
    ----------
    routes
        The routes, best first.

    Returns
    -------
    Rows
        One row per leg: ``route`` and the leg's fields.
    """
    rows = []
    for i, r in enumerate(routes, 1):
        for leg in r.to_dict()["legs"]:
            rows.append({"route": i, **leg})
    return Rows(rows, ["route", *routes[0].to_dict()["legs"][0].keys()])


def routes_geojson(routes: list[Any]) -> dict[str, Any]:
    """The legs of every route as one GeoJSON FeatureCollection, numbered by route.

    Parameters
    ----------
    routes
        The routes, best first.

    Returns
    -------
    dict
        The FeatureCollection.
    """
    import json

    feats = []
    for i, r in enumerate(routes, 1):
        gdf = r.to_geodataframe()
        gdf.insert(0, "route", i)
        feats.extend(json.loads(gdf.to_json(drop_id=True))["features"])
    return {"type": "FeatureCollection", "features": feats}
