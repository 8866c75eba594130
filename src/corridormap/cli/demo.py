"""The ``demo`` command: the main job, every output written to a directory."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import EXIT_OK, activity
from ._output import declare


def add_demo_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``demo`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    d = sub.add_parser(
        "demo",
        parents=[common],
        help="the main job: write every output to DIR",
        description="Write the route report, maps and comparisons into DIR.",
    )
    d.add_argument("--out", default="out", metavar="DIR", help="output directory (default: out)")
    declare(d)  # its files are named by the job, each checked to stay in --out
    d.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    """Run ``corridormap demo``: write every output into ``--out`` and print the paths.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..demo import STEPS, run

    with activity(args, "demo", steps=len(STEPS)) as step:
        written = run(args.out, data_dir=args.data, progress=step, as_of=args.as_of)
    for path in written:
        print(path)
    return EXIT_OK
