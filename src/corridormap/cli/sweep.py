"""The ``sweep`` command: the families compared for many origins x destinations x scenarios."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from .._schema import MAX_DRAWS
from ..routing import OBJECTIVES
from ._common import EXIT_OK, CliError, bounded_int, list_arg, network, stderr_is_terminal
from ._output import check_outputs

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
        "--scheduler",
        metavar="ADDRESS",
        help="tcp://HOST:PORT of a Dask scheduler; 'local' (default with Dask "
        "installed) starts a cluster on this machine; 'none' runs in this process",
    )
    sw.add_argument(
        "--workers",
        type=bounded_int(1, 1024),
        metavar="N",
        help="worker processes of the local cluster (default: the cores)",
    )
    sw.add_argument(
        "--partitions",
        type=bounded_int(1, 100_000),
        metavar="N",
        help="tasks the origins are split into (default 4 per worker)",
    )
    sw.set_defaults(func=cmd_sweep)


def _sweep_client(args: argparse.Namespace) -> Any:
    """Where the sweep runs: ``--scheduler`` (an address, ``local`` or ``none``).

    Without it, a local Dask cluster when Dask is installed, else this process (and a note
    says so).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    str or None
        The scheduler's address or ``local``; ``None`` to sweep in this process.

    Raises
    ------
    CliError
        If ``--scheduler`` names a scheduler but Dask is not installed.
    """
    from ..sweep import dask_available

    choice = args.scheduler or "local"
    if choice == "none":
        return None
    if not dask_available():
        if args.scheduler:
            raise CliError("--scheduler needs Dask: pip install 'corridormap[dask]'")
        log.warning(
            "Dask is not installed: sweeping in this process "
            "(pip install 'corridormap[dask]' to use every core or a cluster)"
        )
        return None
    return choice


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run ``corridormap sweep``: write the table (and the catchment map if asked).

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

    outputs = [args.out, args.map]
    png = None
    if args.map:
        png = str(Path(args.map).with_suffix(".png"))
        outputs.append(png)
    check_outputs(args, outputs)
    G = network(args)
    frame = sweep(
        G,
        list_arg(args.origins),
        list_arg(args.destinations),
        scenarios=args.scenario,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        by=OBJECTIVES[args.by],
        clock=args.clock or "transit",
        client=_sweep_client(args),
        partitions=args.partitions,
        workers=args.workers,
        progress=not args.quiet and stderr_is_terminal(),
    )
    write_table(frame, args.out)
    print(args.out)
    if args.map:
        _catchment_map(args, G, frame, png)
    return EXIT_OK


def _catchment_map(args: argparse.Namespace, G: Any, frame: Any, png: str | None) -> None:
    """Write ``--map``: the catchment of ``--map-origin`` in the sweep.

    Without ``--map-origin``, the first origin from which a destination has both an INSTC
    and a sea route (:func:`~corridormap.render.catchment.default_origin`): a port with no
    sea route would draw every destination grey. The origin drawn is said on stderr. With
    several ``--clock``, the map shows the first.
    """
    from ..places import places, resolve_endpoints
    from ..render.catchment import default_origin, write_catchment

    first = frame[frame["clock"] == frame["clock"].iloc[0]]
    first.attrs = dict(frame.attrs)
    frame = first
    origin = (
        resolve_endpoints(G, [args.map_origin])[0] if args.map_origin else default_origin(frame)
    )
    if not args.map_origin and not args.quiet:
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
        )
    except ValueError as exc:  # an origin not swept, a network without the reference
        raise CliError(f"--map: {exc}") from None
    for path in written:
        print(path)
