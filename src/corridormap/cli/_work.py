"""Work estimated before it starts: each long command's size, refused above a stated bound.

A sweep, a catchment map, a backtest, an assignment and a scenario list say up front how
much they will do (pairs x scenarios x draws, flows x assignments, rows x draws x fits) and
refuse, with the estimate and the option that raises the bound, work that would run for
hours or exhaust memory. The bounds, from the benchmarks in the README:

* sweep and ``map catchment``: at most :data:`SWEEP_MAX_PAIRS` comparisons (origin x
  destination x scenario; ``--max-pairs``) and :data:`SWEEP_MAX_WORK` pair-draws (those x
  ``--draws``; ``--max-work``). The bundled network's every pair under its seven scenarios
  at 10,000 draws is 28,224 comparisons and 2.8e8 pair-draws, 3-4 minutes on two workers.
* backtest: ``--folds`` at most the register's fitted movements (one each: leave-one-out;
  the default five whatever the register);
  at most :data:`BACKTEST_MAX_WORK` row-draws (rows x draws x parameter sets: one, or one
  per fold plus one when cross-validating; ``--max-work``).
* assign and ``scenario --volumes``: at most :data:`MAX_FLOWS` flows in a volume file
  (``--max-flows``; 1,000 flows take about 20 s on the bundled network, and time grows
  faster than the flows) and :data:`ASSIGN_MAX_WORK` flow-assignments (flows x
  assignments: the baseline, each scenario, each point of ``--chart``'s curve;
  ``--max-work``).
* scenario: at most :data:`MAX_SCENARIOS` scenario names (as pairs are at most 500) and
  :data:`SCENARIO_MAX_WORK` pair-draws (pairs x (scenarios + the baseline) x draws;
  ``--max-work``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ._common import CliError

#: a sweep's comparisons (origin x destination x scenario), and its pair-draws
SWEEP_MAX_PAIRS = 100_000
SWEEP_MAX_WORK = 1_000_000_000
#: a backtest's row-draws (rows x draws x parameter sets)
BACKTEST_MAX_WORK = 100_000_000
#: the flows of one volume file, and flow-assignments of one run
MAX_FLOWS = 2_000
ASSIGN_MAX_WORK = 20_000
#: scenario names in one ``scenario`` run, and its pair-draws
MAX_SCENARIOS = 100
SCENARIO_MAX_WORK = 100_000_000


def work_option(sp: argparse.ArgumentParser, default: float, unit: str) -> None:
    """Add ``--max-work N`` (the bound on the estimate, in ``unit``) to ``sp``.

    Parameters
    ----------
    sp
        A command's parser.
    default
        The default bound.
    unit
        What the estimate counts (``"pair-draws"``), for the help.
    """
    sp.add_argument(
        "--max-work",
        type=work_count,
        default=default,
        metavar="N",
        help=f"refuse runs estimated above N {unit} (default {default:,.0f})",
    )


def work_count(text: str) -> float:
    """An argparse type: a positive count, in any notation (``2e9``, ``2000000000``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text[:40]!r}") from None
    if not value >= 1 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of at least 1, got {text[:40]}")
    return value


def check_work(
    what: str, estimate: float, bound: float, flag: str, unit: str, *, product: bool = True
) -> None:
    """Refuse work estimated above its bound, saying the estimate and the flag that raises it.

    Parameters
    ----------
    what
        The estimate in words (``"4,032 pairs x 7 scenarios x 2,000,000 draws"``).
    estimate
        Its value.
    bound
        The bound.
    flag
        The option that raises the bound (``"--max-work"``).
    unit
        What the estimate counts (``"pair-draws"``).
    product
        Whether ``what`` is a product whose value is then given (``... = 5.6e10
        pair-draws``); otherwise ``what`` says the count itself.

    Raises
    ------
    CliError
        If ``estimate`` is above ``bound``.
    """
    if estimate > bound:
        size = f"{what} = {estimate:,.0f} {unit}" if product else what
        raise CliError(
            f"{size}, above the bound of {bound:,.0f} {unit}: ask for less, or raise the bound "
            f"with {flag} {_round_up(estimate)}"
        )


def _round_up(x: float) -> str:
    """``x`` rounded up to two significant digits, written as a count (``5.7e10``)."""
    import math

    exp = max(0, math.floor(math.log10(x)) - 1)
    value = math.ceil(x / 10**exp) * 10**exp
    return f"{value:.2g}" if value >= 1e6 else f"{value:.0f}"


def flows_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--max-flows N`` (the most flows of one volume file) to ``sp``.

    Parameters
    ----------
    sp
        A command's parser (``assign``, ``scenario``).
    """
    sp.add_argument(
        "--max-flows",
        type=work_count,
        default=MAX_FLOWS,
        metavar="N",
        help=f"refuse a volume file of more than N flows (default {MAX_FLOWS:,})",
    )


def check_flows(args: argparse.Namespace, vols: Any) -> None:
    """Refuse a volume file of more flows than ``--max-flows``.

    Parameters
    ----------
    args
        The parsed arguments.
    vols
        The :class:`~corridormap.assign.Volumes`.

    Raises
    ------
    CliError
        If it has more.
    """
    from pathlib import Path

    flows = len(vols.flows)
    where = Path(vols.file).name or vols.name
    check_work(
        f"{where}: {flows:,} flows", flows, args.max_flows, "--max-flows", "flows", product=False
    )


def check_scenario_count(names: list[str]) -> None:
    """Refuse more than :data:`MAX_SCENARIOS` scenario names in one run (as pairs are bounded).

    Parameters
    ----------
    names
        The scenario names or files given.

    Raises
    ------
    CliError
        If there are more.
    """
    if len(names) > MAX_SCENARIOS:
        raise CliError(
            f"too many scenarios: {len(names):,} given, at most {MAX_SCENARIOS:,} are allowed "
            "in one run (compose them with --compose, or run several times)"
        )
