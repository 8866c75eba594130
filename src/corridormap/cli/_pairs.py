"""The pairs ``bottlenecks`` and ``scenario`` take: ``FROM TO``, ``--pair``, ``--pairs-file``."""

from __future__ import annotations

import argparse

from .._schema import show
from ._common import CliError

#: the most pairs ``bottlenecks`` and ``scenario`` take (about 0.2 s a pair for criticality)
MAX_PAIRS = 500
#: the largest pairs file read
MAX_PAIRS_FILE_BYTES = 1024 * 1024


def read_pairs(args: argparse.Namespace) -> list[tuple[str, str]] | None:
    """The pairs of ``FROM TO``, ``--pair`` and ``--pairs-file``.

    The file is CSV or whitespace ``FROM,TO`` lines, with an optional header and ``#``
    comments.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    list of tuple or None
        The pairs, or ``None`` if none were given.

    Raises
    ------
    CliError
        For a ``FROM`` without ``TO``, a file that is not UTF-8 or has a bad line, or more than
        :data:`MAX_PAIRS` pairs.
    """
    pairs: list[tuple[str, str]] = [tuple(p) for p in getattr(args, "pair", None) or []]
    if getattr(args, "origin", None) is not None:
        if getattr(args, "destination", None) is None:
            raise CliError("give both FROM and TO, or neither")
        pairs.append((args.origin, args.destination))
    if args.pairs_file:
        pairs += _pairs_file(args.pairs_file, MAX_PAIRS - len(pairs))
    if len(pairs) > MAX_PAIRS:
        raise CliError(f"too many pairs: at most {MAX_PAIRS:,} are allowed in one run")
    return pairs or None


def _pairs_file(path: str, room: int) -> list[tuple[str, str]]:
    """The pairs of a pairs file; reading stops once there are more than ``room``."""
    import csv

    from ..io import read_regular_file

    raw = read_regular_file(path, name=path, limit=MAX_PAIRS_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{path}: is not UTF-8 text (byte {exc.start:,} cannot be decoded)"
        ) from None
    pairs: list[tuple[str, str]] = []
    rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].lstrip().startswith("#")]
    for i, r in enumerate(rows, 1):
        cells = [c.strip() for c in r if c.strip()]
        header = [c.casefold() for c in cells]
        if i == 1 and header in (["from", "to"], ["origin", "destination"]):
            continue
        if len(cells) != 2:
            raise CliError(f"{path}: line {i}: expected 'FROM,TO', got {show(r)}")
        pairs.append((cells[0], cells[1]))
        if len(pairs) > room:
            break
    return pairs
