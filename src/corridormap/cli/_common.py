"""What every command shares: exit codes, one-line errors, argument types and options.

Also the network and the weight a command computes on.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .._errors import NotInServiceError, UnknownPlaceError
from .._schema import MAX_DRAWS, show
from ..routing import OBJECTIVES

EXIT_OK, EXIT_BAD_INPUT, EXIT_NO_ROUTE = 0, 2, 3
#: a computation failed while it ran (a Dask scheduler or workers lost, a task stalled)
EXIT_RUNTIME = 4
#: the most characters of an error message printed
MAX_MESSAGE = 1000


class CliError(Exception):
    """A usage error found after parsing (exit 2)."""


def clip(message: str) -> str:
    """``message`` made safe for a terminal and cut to :data:`MAX_MESSAGE` characters.

    Parameters
    ----------
    message
        One line of text.

    Returns
    -------
    str
        The line with its control characters made visible, ending in an ellipsis if cut.
    """
    from .._format import terminal_safe

    message = terminal_safe(message)
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "\u2026"
    return message


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> None:
        """Print ``PROG: error: MESSAGE`` on one line and exit with :data:`EXIT_BAD_INPUT`.

        Parameters
        ----------
        message
            What argparse found wrong.
        """
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {clip(' '.join(message.split()))}\n")


def fail(args: Any, exc: BaseException, code: int) -> int:
    """Print ``corridormap: error: ...`` on one line and return ``code``.

    Parameters
    ----------
    args
        The parsed arguments (``-vv`` prints the traceback first).
    exc
        The error.
    code
        The exit code to return.

    Returns
    -------
    int
        ``code``.
    """
    if getattr(args, "verbose", 0) >= 2:
        import traceback

        traceback.print_exc()
    msg = " ".join(str(exc).split())
    listed = isinstance(exc, UnknownPlaceError) and not isinstance(exc, NotInServiceError)
    if listed and not exc.suggestions:
        msg += "; run 'corridormap places' to list the places"
    day = getattr(args, "as_of", None)
    if day and day not in msg and not isinstance(exc, CliError):  # not a usage error
        msg += f" (on the network as of {day})"
    print(f"corridormap: error: {clip(msg)}", file=sys.stderr)
    return code


# -- argument types ---------------------------------------------------------------------------
def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis if cut.

    Parameters
    ----------
    text
        The text.
    limit
        The most characters kept.

    Returns
    -------
    str
        The text, at most ``limit`` characters.
    """
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def bounded_int(low: int, high: int | None = None, *, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number in ``low..high`` (the message gives the range).

    Parameters
    ----------
    low
        The smallest value allowed.
    high
        The largest value allowed (``None``: no limit).
    what
        Words added after the upper limit in the message, e.g. what a unit costs.

    Returns
    -------
    callable
        ``parse(text) -> int``, raising :class:`argparse.ArgumentTypeError`.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {shorten(text)!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,}, got {shorten(text)}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}{what}, got {shorten(text)}")
        return value

    return parse


#: an argparse type: a whole number of at least 1
positive_int = bounded_int(1)


def date_arg(text: str) -> str:
    """An argparse type: a date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as its first day (ISO).

    Parameters
    ----------
    text
        The option's value.

    Returns
    -------
    str
        The day, ``YYYY-MM-DD`` (``2017-06`` -> ``2017-06-01``).

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else, or a day that does not exist.
    """
    from .._schema import read_date

    day = read_date(text)
    if day is None:
        raise argparse.ArgumentTypeError(
            f"not a date YYYY, YYYY-MM or YYYY-MM-DD (a real day): {shorten(text)!r}"
        )
    return day.isoformat()


def as_of_line(args: argparse.Namespace) -> str | None:
    """The line that says which date's network an output shows, or ``None`` for today's.

    Parameters
    ----------
    args
        The parsed arguments (``--as-of``).

    Returns
    -------
    str or None
        ``network as of YYYY-MM-DD`` when ``--as-of`` was given.
    """
    day = getattr(args, "as_of", None)
    return f"network as of {day}" if day else None


def check_choice(value: str, options: Sequence[str], what: str, *, where: str = "") -> None:
    """Raise a :class:`CliError` unless ``value`` is one of ``options``, suggesting the closest.

    Parameters
    ----------
    value
        What was given.
    options
        What may be given.
    what
        What it is (``"kind"``, ``"mode"``), for the message.
    where
        Where the options come from, for the message.

    Raises
    ------
    CliError
        If ``value`` is not one of ``options``.
    """
    from .._errors import closest

    if value in options:
        return
    near = closest(value, options, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    source = f" in {where}" if where else ""
    raise CliError(
        f"no {what} {show(value)}{source}{hint} ({what}s: {', '.join(options) or 'none'})"
    )


def list_arg(text: str | None) -> list[str]:
    """The items of a comma-separated option (``A,B``), stripped, empty ones dropped.

    Parameters
    ----------
    text
        The option's value, or ``None``.

    Returns
    -------
    list of str
        The items.
    """
    return [x.strip() for x in (text or "").split(",") if x.strip()]


# -- options shared by several commands -------------------------------------------------------
def scenario_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--scenario NAME|FILE`` (repeatable, composed) to ``sp``.

    Parameters
    ----------
    sp
        A command's parser.
    """
    sp.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="compute under this scenario (repeat to compose several; "
        "'corridormap scenarios' lists them)",
    )


def monte_carlo_options(sp: argparse.ArgumentParser) -> None:
    """Add ``--draws`` and ``--seed``: route, compare and scenario draw the same Monte Carlo.

    Parameters
    ----------
    sp
        A command's parser.
    """
    sp.add_argument(
        "--draws",
        type=bounded_int(1, MAX_DRAWS, what=" (about 175 bytes of memory each)"),
        default=10_000,
        metavar="N",
        help=f"Monte Carlo draws for P10/P50/P90 (default 10000, at most {MAX_DRAWS:,})",
    )
    sp.add_argument(
        "--seed",
        type=bounded_int(0, 2**63 - 1),
        default=0,
        metavar="S",
        help="random seed (default 0)",
    )


def clock_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--clock transit|door-to-door``: which time routes are chosen on and headlined on.

    Parameters
    ----------
    sp
        A command's parser.
    """
    sp.add_argument(
        "--clock",
        choices=["transit", "door-to-door"],
        default="transit",
        help="transit (default): from handing the cargo to the first carrier, the wait for "
        "the first sailing or train given apart; door-to-door: with that wait",
    )


def format_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--format table|json|csv`` to ``sp``.

    Parameters
    ----------
    sp
        A command's parser.
    """
    sp.add_argument("--format", choices=["table", "json", "csv"], default="table")


def out_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--out FILE`` (the output, written atomically) to ``sp``.

    Parameters
    ----------
    sp
        A command's parser.
    """
    sp.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")


def output_options(sp: argparse.ArgumentParser, what: str) -> None:
    """Add ``--format``, ``--out``, ``--map`` (of ``what``) and ``--self-contained`` to ``sp``.

    Parameters
    ----------
    sp
        A command's parser.
    what
        What the map shows, for the help.
    """
    format_option(sp)
    out_option(sp)
    sp.add_argument("--map", metavar="FILE", help=f"also write an HTML map of {what}")
    sp.add_argument(
        "--self-contained", action="store_true", help="with --map: a page that works offline"
    )


# -- what a command computes on ---------------------------------------------------------------
def network(args: argparse.Namespace) -> Any:
    """The network of ``--data`` (or the bundled one), as of ``--as-of`` (default: today's).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    networkx.MultiDiGraph
        The network.
    """
    from ..network import load_network

    return load_network(args.data, as_of=getattr(args, "as_of", None))


def weight(args: argparse.Namespace, G: Any, by: str) -> tuple[Any, Any]:
    """The view of ``--scenario`` (repeatable, composed) and its weight for ``by`` on ``--clock``.

    Parameters
    ----------
    args
        The parsed arguments.
    G
        The network.
    by
        The objective (``time``, ``cost``, ... or an edge attribute).

    Returns
    -------
    tuple
        ``(view, weight)``.
    """
    from ..scenarios import apply_scenario

    view = apply_scenario(G, list(getattr(args, "scenario", None) or []))
    clock = getattr(args, "clock", None) or "transit"
    return view, view.weight(OBJECTIVES.get(by, by), clock=clock)


def scenario_line(view: Any) -> str:
    """The line that says which scenarios an output was computed under.

    Parameters
    ----------
    view
        The scenario view.

    Returns
    -------
    str
        ``scenario: NAME (DESCRIPTION) + ...``, or the baseline's line.
    """
    if not view.scenarios:
        return "scenario: baseline (no scenario applied)"
    return "scenario: " + " + ".join(
        f"{s.name} ({s.description})" if s.description else s.name for s in view.scenarios
    )


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal (progress bars are drawn only there).

    Returns
    -------
    bool
        ``sys.stderr.isatty()``, ``False`` if it cannot tell.
    """
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_lines(args: argparse.Namespace) -> bool | str:
    """How a long library call shows progress under a command drawing its own terminal line.

    On a terminal the command's :func:`activity` line says what runs and for how long; off
    one, the call prints a line at most every 30 s (:mod:`corridormap._progress`); with
    ``-q``, nothing.

    Parameters
    ----------
    args
        The parsed arguments (``quiet``).

    Returns
    -------
    bool or str
        ``"lines"`` off a terminal, else ``False``.
    """
    if getattr(args, "quiet", False) or stderr_is_terminal():
        return False
    return "lines"


def progress(args: argparse.Namespace, draws: int) -> bool:
    """Whether to show the Monte Carlo progress bar.

    It is shown only for long runs, never with ``-q``, and only when stderr is a terminal.

    Parameters
    ----------
    args
        The parsed arguments.
    draws
        The Monte Carlo draws.

    Returns
    -------
    bool
        Whether to show it.
    """
    if getattr(args, "quiet", False) or draws <= 200_000:
        return False
    return stderr_is_terminal()


#: how often an activity line redraws its elapsed time (seconds)
TICK_S = 0.25


@contextlib.contextmanager
def activity(
    args: argparse.Namespace, what: str, *, steps: int | None = None
) -> Iterator[Callable[[str], None]]:
    """Show that a long command is working: a line on stderr with the time elapsed.

    Drawn only when stderr is a terminal and never with ``-q`` (then nothing is written),
    and cleared when the block ends. With ``steps``, a bar of that many steps, each named
    as it starts; without, the elapsed time alone, redrawn every :data:`TICK_S` seconds so it
    moves during a long step.

    Parameters
    ----------
    args
        The parsed arguments (``quiet``).
    what
        What is being done ("demo", "backtest").
    steps
        How many steps the block will announce.

    Yields
    ------
    callable
        ``step(name)``: the next step starts (with ``steps``: the bar moves on).
    """
    if getattr(args, "quiet", False) or not stderr_is_terminal():
        yield lambda name: None
        return
    from tqdm import tqdm

    bar = tqdm(
        total=steps,
        desc=what,
        file=sys.stderr,
        leave=False,
        unit="step",
        bar_format="{desc}: {n_fmt}/{total_fmt} {bar} {elapsed}{postfix}"
        if steps
        else "{desc}: {elapsed}{postfix}",
    )
    started = [0]
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(TICK_S):
            bar.refresh()

    def step(name: str) -> None:
        if steps and started[0]:
            bar.update(1)
        started[0] += 1
        bar.set_postfix_str(name)

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield step
    finally:
        stop.set()
        ticker.join()
        bar.close()
