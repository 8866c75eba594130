"""The ``corridormap`` command: a thin shell over the library.

Exit codes: 0 success, 2 bad input (unknown place, invalid data, bad arguments), 3 no route,
4 a computation that failed while it ran (a Dask scheduler that does not answer or is lost,
no worker, a stalled partition; the finished partitions of a sweep are kept to resume).
Errors print one line on stderr, never a traceback (``-v`` adds the traceback for debugging).

Each command's parser sits beside its handler, one module per command group:

- ``route``: route; ``places``: places, regions; ``compare``: compare;
- ``bottlenecks``: bottlenecks, capacity; ``scenario``: scenario, scenarios;
  ``scenario_volumes``: scenario --volumes; ``assign``: assign;
- ``maps``: map, map catchment; ``sweep``: sweep; ``explorer``: explorer;
- ``backtest``: backtest; ``calibrate``: calibrate; ``demo``: demo.

What they share: ``_common`` (exit codes, one-line errors, argument types, shared options),
``_output`` (the one emitter of table/JSON/CSV, the output checks) and ``_pairs`` (the pairs
file).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from .. import __version__
from .._errors import ClusterError, CorridormapError, NoRouteError
from ._common import (
    EXIT_BAD_INPUT,
    EXIT_NO_ROUTE,
    EXIT_RUNTIME,
    CliError,
    OneLineParser,
    date_arg,
    fail,
)
from ._output import check_outputs
from .assign import add_assign_parser
from .backtest import add_backtest_parser
from .bottlenecks import add_bottlenecks_parser, add_capacity_parser
from .calibrate import add_calibrate_parser
from .compare import add_compare_parser
from .demo import add_demo_parser
from .explorer import add_explorer_parser
from .maps import add_map_parser
from .places import add_places_parser, add_regions_parser
from .route import add_route_parser
from .scenario import add_scenario_parser, add_scenarios_parser
from .sweep import add_sweep_parser


def build_parser() -> argparse.ArgumentParser:
    """The ``corridormap`` argument parser, with every subcommand and its options.

    Returns
    -------
    argparse.ArgumentParser
        The parser; a parsed command's handler is its ``func``.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data", metavar="DIR", help="a geodata directory to use instead of the bundled data"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more logging (-vv for debug and tracebacks)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    common.add_argument(
        "--as-of",
        type=date_arg,
        metavar="YYYY-MM[-DD]",
        help="the network as of that date: what was in service then, with that date's "
        "capacities and frequencies (a later date opens planned links at their targets; "
        "default: today's network, the data as written)",
    )

    p = OneLineParser(
        prog="corridormap",
        description="Map and measure Eurasian freight corridors (INSTC, Suez, Cape).",
    )
    p.add_argument("--version", action="version", version=f"corridormap {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True

    for add in (
        add_route_parser,
        add_places_parser,
        add_compare_parser,
        add_bottlenecks_parser,
        add_capacity_parser,
        add_scenario_parser,
        add_assign_parser,
        add_map_parser,
        add_sweep_parser,
        add_scenarios_parser,
        add_regions_parser,
        add_backtest_parser,
        add_calibrate_parser,
        add_demo_parser,
        add_explorer_parser,
    ):
        add(sub, common)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI.

    Parameters
    ----------
    argv
        The arguments (``None``: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code: 0 success, 2 bad input, 3 no route, 4 a cluster failure, 130
        interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (one line already printed), --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    level = logging.WARNING - 10 * args.verbose if not args.quiet else logging.ERROR
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s")
    try:
        check_outputs(args)  # what the command declared it writes: checked before any work
        return int(args.func(args) or 0)
    except NoRouteError as exc:
        return fail(args, exc, EXIT_NO_ROUTE)
    except ClusterError as exc:
        return fail(args, exc, EXIT_RUNTIME)
    except (CorridormapError, CliError) as exc:
        return fail(args, exc, EXIT_BAD_INPUT)
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        return fail(args, Exception(f"cannot write{where}: {exc.strerror or exc}"), EXIT_BAD_INPUT)
    except (RecursionError, MemoryError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
        return fail(args, Exception(f"the input is {what} to process"), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        return 130


__all__ = ["build_parser", "main"]
