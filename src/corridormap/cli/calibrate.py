"""The ``calibrate`` command: fit the estimated time parameters to the evidence register."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import EXIT_OK, CliError, format_option, out_option
from ._output import Rows, declare, emit_result


def add_calibrate_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``calibrate`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    cb = sub.add_parser(
        "calibrate",
        parents=[common],
        help="fit the estimated time parameters to the evidence register",
        description="Fit the parameters whose basis is 'estimated' (never 'official'), within "
        "their sourced ranges, to the evidence rows that are not held out; print the fit, or "
        "write it into parameters.toml (--write), or check that the file holds it (--check).",
    )
    cb.add_argument("--evidence", metavar="FILE", help="a register instead of the data's own")
    mode = cb.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true",
                      help="write the calibrated values into parameters.toml")  # fmt: skip
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if parameters.toml is not what calibrate produces")  # fmt: skip
    format_option(cb)
    out_option(cb)
    declare(cb, outputs=("out",), reads=("evidence",))
    cb.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run ``corridormap calibrate``: fit, then print, write (``--write``) or check (``--check``).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code: 1 for ``--check`` when parameters.toml does not hold the fit.
    """
    from ..calibrate import calibrate, calibrated_text, write_parameters

    if args.as_of:
        raise CliError(
            "calibrate fits the parameters to every evidence row, each replayed on the network "
            "of its own date; --as-of does not apply to it"
        )
    cal = calibrate(args.data, evidence=args.evidence)
    path, old, new = calibrated_text(cal)
    if args.check:
        if old != new:
            print(
                f"corridormap: {path} is not calibrated to the evidence: run "
                "'corridormap calibrate --write' (make calibrate)",
                file=sys.stderr,
            )
            return 1
        print(f"{path} is current ({len(cal.fit.values)} calibrated parameters)")
        return EXIT_OK
    if args.write:
        changed = write_parameters(cal)
        print(f"{path}: {'written' if changed else 'unchanged'}", file=sys.stderr)
    emit_result(
        args.format,
        args.out,
        text=lambda: calibration_text(cal),
        data=cal.to_dict,
        rows=lambda: calibration_rows(cal),
        terminal=False,
    )
    return EXIT_OK


def calibration_rows(cal: Any) -> Rows:
    """The fitted parameters for CSV, their evidence rows in one column.

    Parameters
    ----------
    cal
        The ``Calibration``.

    Returns
    -------
    Rows
        One row per parameter, from ``cal.changes()``.
    """
    rows = [{**r, "evidence": " ".join(r["evidence"])} for r in cal.changes()]
    return Rows(rows, list(rows[0]) if rows else ["parameter"])


def calibration_text(cal: Any) -> str:
    """The fit as text: a table of the parameters' moves, the rounds, what was not replayable.

    Parameters
    ----------
    cal
        The ``Calibration``.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    rows = cal.changes()
    cols = ("parameter", "sourced_low", "prior_likely", "sourced_high", "calibrated", "low",
            "high", "change_pct", "rows")  # fmt: skip
    heads = ("parameter", "src low", "prior", "src high", "calibrated", "low", "high",
             "change %", "rows")  # fmt: skip
    lines = [
        fmt.table(rows, cols, headers=heads, digits=2),
        f"{len(rows)} parameters fitted to {len(cal.fit.rows)} evidence rows in "
        f"{cal.iterations} round{'s' * (cal.iterations != 1)} "
        f"({'routes at a fixed point' if cal.converged else 'routes still changing'}), "
        f"{cal.seconds:.1f} s",
    ]
    if cal.skipped:
        lines.append(
            f"{len(cal.skipped)} fitted rows not replayable: "
            + "; ".join(f"{i} ({why})" for i, why in cal.skipped)
        )
    return "\n".join(lines)
