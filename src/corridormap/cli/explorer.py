"""The ``explorer`` command: the corridor explorer, a static site of every pair's comparison."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._schema import MAX_DRAWS
from ._common import EXIT_OK, CliError, bounded_int, list_arg, network
from ._output import check_outputs, declare
from ._work import SWEEP_MAX_PAIRS, SWEEP_MAX_WORK, check_work, work_option

#: the options that choose what is computed, which a sweep table already fixes
_SWEPT = {
    "origins": "--origins",
    "destinations": "--destinations",
    "scenario": "--scenario",
    "family": "--family",
    "clock": "--clock",
    "draws": "--draws",
    "seed": "--seed",
}
#: the default of each option above (given: not the default)
_DEFAULTS = {"draws": 2_000, "seed": 0}


def add_explorer_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``explorer`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    ex = sub.add_parser(
        "explorer",
        parents=[common],
        help="write the corridor explorer: one offline page to pick a pair, scenario and clock",
        description="Write DIR/index.html and its data: for every origin x destination x "
        "scenario and both clocks, each route family's route, its expected days and USD per "
        "TEU with P10/P50/P90 (the figures 'corridormap compare FROM TO --draws N --seed K "
        "--clock CLOCK --scenario NAME' prints), CO2, borders, transshipments and P(INSTC "
        "faster). The folder opens from disk with no server and no network.",
    )
    ex.add_argument(
        "--out",
        default="out/explorer",
        metavar="DIR",
        help="the folder to write (default out/explorer)",
    )
    ex.add_argument(
        "--origins",
        metavar="A,B",
        help="places, kinds (port), regions or country codes, comma-separated (default: "
        "analysis.toml [explorer], every city, port and dry port)",
    )
    ex.add_argument("--destinations", metavar="C,D", help="as --origins")
    ex.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="a scenario the reader can pick (repeat; default every scenario of the data that "
        "applies to the network; the baseline is always included)",
    )
    ex.add_argument("--family", action="append", metavar="NAME", help="only these families")
    ex.add_argument(
        "--clock",
        action="append",
        choices=["transit", "door-to-door"],
        metavar="CLOCK",
        help="transit or door-to-door (repeat; default both)",
    )
    ex.add_argument(
        "--draws",
        type=bounded_int(1, MAX_DRAWS),
        default=_DEFAULTS["draws"],
        metavar="N",
        help="Monte Carlo draws per pair, scenario and clock (default 2000)",
    )
    ex.add_argument(
        "--seed",
        type=bounded_int(0, 2**63 - 1),
        default=_DEFAULTS["seed"],
        metavar="S",
        help="random seed (default 0)",
    )
    ex.add_argument(
        "--from-sweep",
        metavar="FILE",
        help="take the figures from a sweep table (corridormap sweep --clock transit --clock "
        "door-to-door, CSV or Parquet) swept by time on the same --data and --as-of; only "
        "the routes are found again, and each must be the table's",
    )
    ex.add_argument(
        "--self-contained",
        action="store_true",
        help="one file, DIR/index.html, with every script and all the data inlined",
    )
    ex.add_argument(
        "--max-pairs",
        type=bounded_int(1),
        default=SWEEP_MAX_PAIRS,
        metavar="N",
        help=f"refuse more than N origin x destination x scenario x clock comparisons "
        f"(default {SWEEP_MAX_PAIRS:,})",
    )
    work_option(ex, SWEEP_MAX_WORK, "pair-draws (comparisons x draws)")
    # the folder's files depend on the data (one per origin): checked again before writing
    declare(ex, outputs=(_index,), reads=("scenario", "from_sweep"))
    ex.set_defaults(func=cmd_explorer)


def _index(args: argparse.Namespace) -> str:
    return str(Path(args.out) / "index.html")


def cmd_explorer(args: argparse.Namespace) -> int:
    """Run ``corridormap explorer``: compute (or read) the figures, then write the site.

    Everything is computed before the first file is written; the files to write are checked
    against the command's inputs first (none may be one of them).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..render.explorer import explorer_files, write_explorer

    G = network(args)
    data = _from_sweep(args, G) if args.from_sweep else _computed(args, G)
    check_outputs(args, explorer_files(data, args.out, self_contained=args.self_contained))
    print(write_explorer(data, args.out, self_contained=args.self_contained))
    return EXIT_OK


def _computed(args: argparse.Namespace, G: Any) -> dict[str, Any]:
    """The explorer's data computed here, after the work is checked against its bounds."""
    from ..explore import default_ends, default_scenarios, explorer_data
    from ..places import resolve_endpoints
    from ..sweep.job import scenario_items
    from ..weights import CLOCKS

    o_default, d_default = default_ends(G)
    origins = list_arg(args.origins)
    dests = list_arg(args.destinations)
    os_ = resolve_endpoints(G, origins, "origins") if origins else o_default
    ds = resolve_endpoints(G, dests, "destinations") if dests else d_default
    scenarios = args.scenario or default_scenarios(G)
    clocks = tuple(dict.fromkeys(args.clock or CLOCKS))
    n_scen = len(scenario_items(G, scenarios))
    dset = set(ds)
    pairs = sum(len(ds) - (o in dset) for o in os_)
    shape = f"explorer: {pairs:,} pairs x {n_scen} scenarios x {len(clocks)} clocks"
    cells = pairs * n_scen * len(clocks)
    check_work(shape, cells, args.max_pairs, "--max-pairs", "comparisons")
    check_work(
        f"{shape} x {args.draws:,} draws",
        cells * args.draws,
        args.max_work,
        "--max-work",
        "pair-draws",
    )
    return explorer_data(
        G,
        os_,
        ds,
        scenarios=scenarios,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        clocks=clocks,
        progress=not args.quiet,
    )


def _from_sweep(args: argparse.Namespace, G: Any) -> dict[str, Any]:
    """The explorer's data from ``--from-sweep``; the options a table fixes are refused."""
    from ..explore import explorer_data_from_sweep

    given = [
        flag
        for dest, flag in _SWEPT.items()
        if getattr(args, dest) not in (None, [], _DEFAULTS.get(dest))
    ]
    if given:
        raise CliError(
            f"--from-sweep: the table fixes the pairs, scenarios, families, clocks, draws and "
            f"seed; drop {', '.join(given)}"
        )
    if not Path(args.from_sweep).is_file():
        raise CliError(f"--from-sweep {args.from_sweep}: no such file")
    return explorer_data_from_sweep(G, args.from_sweep, progress=not args.quiet)
