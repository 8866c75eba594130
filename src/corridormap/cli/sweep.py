"""The ``sweep`` command: the families compared for many origins x destinations x scenarios."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

from .._schema import MAX_DRAWS
from ..routing import OBJECTIVES
from ._common import EXIT_OK, CliError, bounded_int, list_arg, network
from ._dask import dask_limits, dask_options, resume_dir, sweep_client
from ._output import declare
from ._work import SWEEP_MAX_PAIRS, SWEEP_MAX_WORK, work_option

log = logging.getLogger("corridormap")


def add_sweep_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``sweep`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    sw = sub.add_parser(
        "sweep",
        parents=[common],
        help="compare the families for many origins x destinations x scenarios",
        description="Every origin x destination x scenario x route family, with the Monte "
        "Carlo of 'compare' (the same figures per pair for the same seed), on Dask: a local "
        "cluster on this machine's cores by default, or --scheduler tcp://HOST:PORT.",
    )
    sw.add_argument(
        "--origins",
        required=True,
        metavar="A,B",
        help="places, kinds (port), regions or country codes, comma-separated",
    )
    sw.add_argument("--destinations", required=True, metavar="C,D", help="as --origins")
    sw.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="also sweep under this scenario (repeat: each is its own; the "
        "baseline is always included)",
    )
    sw.add_argument("--family", action="append", metavar="NAME", help="only these families")
    sw.add_argument(
        "--draws",
        type=bounded_int(1, MAX_DRAWS),
        default=10_000,
        metavar="N",
        help="Monte Carlo draws per pair and scenario (default 10000)",
    )
    sw.add_argument(
        "--seed",
        type=bounded_int(0, 2**63 - 1),
        default=0,
        metavar="S",
        help="random seed (default 0)",
    )
    sw.add_argument(
        "--by",
        choices=["time", "cost"],
        default="time",
        help="what picks each family's route and the best family (default time)",
    )
    sw.add_argument(
        "--clock",
        action="append",
        choices=["transit", "door-to-door"],
        metavar="CLOCK",
        help="transit (default) or door-to-door: the clock routes are chosen and days given "
        "on; repeat for both (each clock its own rows, as 'corridormap explorer "
        "--from-sweep' reads them)",
    )
    sw.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the table: Parquet if FILE ends in .parquet, else CSV (atomically)",
    )
    sw.add_argument(
        "--map",
        metavar="FILE",
        help="also write the catchment map (and FILE with .png: the figure)",
    )
    sw.add_argument(
        "--map-origin",
        metavar="PLACE",
        help="the origin the catchment map shows (default the first origin with a sea route "
        "to compare)",
    )
    sw.add_argument(
        "--self-contained", action="store_true", help="with --map: a page that works offline"
    )
    sw.add_argument(
        "--max-pairs",
        type=bounded_int(1),
        default=SWEEP_MAX_PAIRS,
        metavar="N",
        help=f"refuse sweeps of more than N origin x destination x scenario comparisons "
        f"(default {SWEEP_MAX_PAIRS:,})",
    )
    work_option(sw, SWEEP_MAX_WORK, "pair-draws (comparisons x draws)")
    dask_options(sw)
    declare(sw, outputs=("out", "map", _map_png), reads=("scenario",))
    sw.set_defaults(func=cmd_sweep)


def _map_png(args: argparse.Namespace) -> str | None:
    """The catchment figure ``--map`` writes beside the page (its name with ``.png``)."""
    return str(Path(args.map).with_suffix(".png")) if args.map else None


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run ``corridormap sweep``: write the table (and the catchment map if asked).

    Everything that can be checked is checked before the sweep starts: the places, the
    scenarios, the catchment map's origin and reference family, and the work against its
    bounds (:mod:`corridormap.cli._work`).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..sweep import sweep, write_table

    png = _map_png(args)
    client = sweep_client(args)
    G = network(args)
    origins = list_arg(args.origins)
    map_origin = sweep_plan(args, G, origins, list_arg(args.destinations), args.scenario)
    frame = sweep(
        G,
        origins,
        list_arg(args.destinations),
        scenarios=args.scenario,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        by=OBJECTIVES[args.by],
        clock=args.clock or "transit",
        client=client,
        partitions=args.partitions,
        workers=args.workers,
        progress=not args.quiet,
        resume=resume_dir(args),
        **dask_limits(args),
    )
    write_table(frame.assign(as_of=args.as_of) if args.as_of else frame, args.out)
    print(args.out)
    shutil.rmtree(resume_dir(args), ignore_errors=True)  # the table is safe: nothing to resume
    if args.map:
        _catchment_map(args, G, frame, png, map_origin)
    return EXIT_OK


def sweep_plan(
    args: argparse.Namespace,
    G: Any,
    origins: list[str],
    destinations: list[str],
    scenarios: list[str],
) -> str | None:
    """Check a sweep before it starts; the catchment map's ``--map-origin`` as a place id.

    Parameters
    ----------
    args
        The parsed arguments (``--draws``, ``--max-pairs``, ``--max-work``, ``--map``,
        ``--map-origin``, ``--family``).
    G
        The network.
    origins, destinations
        The places, kinds, regions or countries given.
    scenarios
        The scenarios given.

    Returns
    -------
    str or None
        The place id of ``--map-origin`` (``None`` without one: the map's origin is then
        chosen from the table).

    Raises
    ------
    CliError
        If the work is above its bounds, ``--map-origin`` is not among the origins, or the
        sweep does not include the reference family the catchment map is measured against.
    """
    from ..families import network_families
    from ..places import resolve_endpoints
    from ..sweep.job import scenario_items
    from ._work import check_work

    os_ = resolve_endpoints(G, origins, "origins")
    ds = resolve_endpoints(G, destinations, "destinations")
    n_scen = len(scenario_items(G, scenarios))
    n_clock = len(set(getattr(args, "clock", None) or ["transit"]))
    dset = set(ds)
    pairs = sum(len(ds) - (o in dset) for o in os_)
    shape = f"{pairs:,} pairs x {n_scen} scenario{'s' * (n_scen != 1)}"
    if n_clock > 1:
        shape += f" x {n_clock} clocks"
    n_scen *= n_clock
    check_work(f"sweep: {shape}", pairs * n_scen, args.max_pairs, "--max-pairs", "comparisons")
    check_work(
        f"sweep: {shape} x {args.draws:,} draws",
        pairs * n_scen * args.draws,
        args.max_work,
        "--max-work",
        "pair-draws",
    )
    if not getattr(args, "map", None):
        return None
    table = network_families(G)
    ref = table.reference
    swept = {f.name for f in table.families} if not args.family else set(args.family)
    if ref is None or ref not in swept:
        raise CliError(
            "--map: the catchment map measures the INSTC against the reference family "
            f"({ref or 'none in families.toml'}), which this sweep does not include"
        )
    if not args.map_origin:
        return None
    origin = resolve_endpoints(G, [args.map_origin], "--map-origin")[0]
    if origin not in os_:
        raise CliError(
            f"--map-origin {args.map_origin}: {origin} is not among the origins swept "
            f"({', '.join(os_[:10])}{', ...' if len(os_) > 10 else ''})"
        )
    return origin


def _catchment_map(
    args: argparse.Namespace, G: Any, frame: Any, png: str | None, origin: str | None
) -> None:
    """Write ``--map``: the catchment of ``--map-origin`` in the sweep.

    Without ``--map-origin``, the first origin from which a destination has both an INSTC
    and a sea route (:func:`~corridormap.render.catchment.default_origin`): a port with no
    sea route would draw every destination grey. The origin drawn is said on stderr. With
    several ``--clock``, the map shows the first.
    """
    from ..places import places
    from ..render.catchment import default_origin, write_catchment

    first = frame[frame["clock"] == frame["clock"].iloc[0]]
    first.attrs = dict(frame.attrs)
    frame = first
    if origin is None:
        origin = default_origin(frame)
        if not args.quiet:
            name = str(frame.loc[frame["origin"] == origin, "origin_name"].iloc[0])
            print(f"catchment map: from {name} (--map-origin to choose)", file=sys.stderr)
    try:
        written = write_catchment(
            frame,
            places(G),
            args.map,
            origin=origin,
            png=png,
            self_contained=args.self_contained,
            as_of=args.as_of,
        )
    except ValueError as exc:  # an origin not swept, a network without the reference
        raise CliError(f"--map: {exc}") from None
    for path in written:
        print(path)
