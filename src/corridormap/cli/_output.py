"""Where a command's output goes: the one emitter of table/JSON/CSV, and the output checks.

:func:`emit_result` writes a result in the format chosen by ``--format``, atomically to
``--out`` or to stdout; :func:`check_outputs` refuses bad output paths before anything is
computed; charts are checked and saved here too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .._atomic import OutputPathError, check_target
from ._common import CliError, shorten


class Rows(NamedTuple):
    """A table for CSV: its rows and the columns written, in order."""

    rows: list[dict[str, Any]]
    columns: Sequence[str]


def emit(text: str, out: str | None = None, *, terminal: bool = False) -> None:
    """Write ``text`` to ``out`` (atomically) or stdout.

    Parameters
    ----------
    text
        What to write. On stdout it ends with a newline (one is added if missing).
    out
        The file to write, or ``None`` for stdout. Its path is printed once written.
    terminal
        Make control characters visible first (tables), so data cannot drive the terminal.
    """
    from .._format import terminal_safe

    if terminal:
        text = terminal_safe(text)
    if out:
        from .._atomic import atomic_write

        atomic_write(out, text)
        print(terminal_safe(out))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_result(
    output_format: str,
    out: str | None,
    *,
    text: Callable[[], str],
    data: Callable[[], Any],
    rows: Callable[[], Rows] | None = None,
    frame: Callable[[], Any] | None = None,
    geojson: Callable[[], Any] | None = None,
    terminal: bool = True,
    as_of: str | None = None,
) -> None:
    """Write a result in ``output_format``, atomically to ``out`` or to stdout.

    Only the form chosen is computed: each is given as a function of no arguments, such as a
    result's bound methods (``text=res.to_text, data=res.to_dict, frame=res.to_frame``).
    JSON has its raw control characters escaped, CSV cells cannot start a spreadsheet formula,
    and table text shown on a terminal cannot drive it.

    Parameters
    ----------
    output_format
        ``table``, ``json``, ``csv`` or ``geojson`` (the ``--format`` option).
    out
        The file to write (``--out``), or ``None`` for stdout.
    text
        The table text (``table``).
    data
        The JSON document (``json``): dicts, lists and plain values.
    rows
        The CSV rows and columns (``csv``), every cell made safe from spreadsheet formulas.
    frame
        The CSV as a pandas DataFrame (``csv``, when there are no ``rows``), made safe the same
        way.
    geojson
        The GeoJSON document (``geojson``).
    terminal
        Make the control characters of the table text visible (the default; the backtest and
        calibration texts are written as they are).
    as_of
        The date of the network shown (``--as-of``), or ``None`` for today's. When given, the
        table text starts with ``network as of DATE``, JSON and GeoJSON documents (or each
        object of a JSON list) gain an ``as_of`` field, and CSV an ``as_of`` column.

    Raises
    ------
    ValueError
        For a format the result has no form for.
    """
    from .. import _format as fmt

    if output_format == "json":
        emit(fmt.json_text(_dated(data(), as_of)), out)
    elif output_format == "csv" and rows is not None:
        table = rows()
        if as_of:
            table = Rows([{**r, "as_of": as_of} for r in table.rows], [*table.columns, "as_of"])
        emit(fmt.csv_text(table.rows, table.columns), out)
    elif output_format == "csv" and frame is not None:
        emit(fmt.frame_csv_text(frame().assign(as_of=as_of) if as_of else frame()), out)
    elif output_format == "geojson" and geojson is not None:
        emit(fmt.json_text(_dated(geojson(), as_of)), out)
    elif output_format == "table":
        emit(f"network as of {as_of}\n{text()}" if as_of else text(), out, terminal=terminal)
    else:
        raise ValueError(f"no {output_format} output for this result")


def _dated(doc: Any, as_of: str | None) -> Any:
    """A JSON document with ``as_of`` added: to an object, or to each object of a list."""
    if not as_of:
        return doc
    if isinstance(doc, dict):
        return {"as_of": as_of, **doc}
    if isinstance(doc, list):
        return [{"as_of": as_of, **d} if isinstance(d, dict) else d for d in doc]
    return doc


#: options whose values name files (or names of files) a command reads, as declared
READ_OPTIONS = ("scenario", "names", "volumes", "evidence", "pairs_file", "from_sweep")
#: where a name given to a read option is looked for in a geodata directory
_NAMED_IN = {"scenario": "scenarios", "names": "scenarios", "volumes": "volumes"}


def declare(
    sp: argparse.ArgumentParser,
    *,
    outputs: Sequence[str | Callable[[argparse.Namespace], Any]] = (),
    reads: Sequence[str] = (),
    charts: Sequence[str] = (),
) -> None:
    """Say what a command writes and reads; :func:`check_outputs` checks it before any work.

    Every command declares itself (the tests check that each one does), so the check runs in
    one place, :func:`corridormap.cli.main`, before the command's handler.

    Parameters
    ----------
    sp
        The command's parser.
    outputs
        The options naming the files it writes (``"out"``, ``"map"``), or functions of the
        parsed arguments giving more (``--map``'s PNG beside it).
    reads
        The options naming files it reads, by path or by name (one of
        :data:`READ_OPTIONS`); the geodata directory's files are always among its inputs.
    charts
        The options naming a chart file (``.png`` or ``.svg``).
    """
    unknown = [r for r in reads if r not in READ_OPTIONS]
    if unknown:
        raise ValueError(f"unknown read options {unknown}; expected some of {READ_OPTIONS}")
    sp.set_defaults(
        declared_outputs=tuple(outputs), declared_reads=tuple(reads), declared_charts=tuple(charts)
    )


def declared_outputs(args: argparse.Namespace) -> list[str]:
    """The output paths the command's declaration names, for these arguments."""
    out: list[str] = []
    for item in getattr(args, "declared_outputs", ()):
        value = item(args) if callable(item) else getattr(args, item, None)
        values = value if isinstance(value, list | tuple) else [value]
        out += [str(v) for v in values if v]
    return out


def _values(args: argparse.Namespace, option: str) -> list[str]:
    value = getattr(args, option, None)
    if not value:
        return []
    return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


def input_files(args: argparse.Namespace) -> list[Path]:
    """Every file the command reads.

    The geodata directory's files (with its ``scenarios/``, ``volumes/`` and ``basemap/``)
    and the bundled data's (a ``--data`` directory falls back on them), and the files the
    command's read options name: a path (``--evidence E``, ``assign V.toml``, a pairs
    file), or a name looked up in the geodata directories (``assign mine`` reads
    ``DIR/volumes/mine.toml``; ``--scenario x`` ``DIR/scenarios/x.toml``).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    list of Path
        The files.
    """
    from ..io import bundled_geodata_dir

    bases = [bundled_geodata_dir()]
    if getattr(args, "data", None):
        bases.insert(0, Path(args.data))
    files: list[Path] = []
    for base in bases:
        for d in (base, base / "scenarios", base / "volumes", base / "basemap"):
            with contextlib.suppress(OSError):
                files += [p for p in d.iterdir() if p.is_file()]
    reads = getattr(args, "declared_reads", None)
    for option in READ_OPTIONS if reads is None else reads:
        for value in _values(args, option):
            p = Path(value)
            with contextlib.suppress(OSError, ValueError):
                if p.is_dir() and option == "evidence":
                    files.append(p / "evidence.toml")
                elif os.path.lexists(p):
                    files.append(p)
                elif option in _NAMED_IN:  # a name: the file it resolves to
                    files += [b / _NAMED_IN[option] / f"{value}.toml" for b in bases]
    return files


def check_outputs(
    args: argparse.Namespace, outputs: Sequence[str | Path | None] | None = None
) -> None:
    """Refuse bad output paths before anything is computed or written.

    Parameters
    ----------
    args
        The parsed arguments (for the files the command reads).
    outputs
        The output paths (``None`` for one not asked for); default the paths the command
        declared (:func:`declare`), with its chart files' suffixes checked too.

    Raises
    ------
    OutputPathError
        If a path is not a regular file (a FIFO, a device, a directory), is one of the input
        files (followed through links, so a hard or symbolic link to one counts), or is given
        twice.
    CliError
        If a chart file does not end in ``.png`` or ``.svg``.
    """
    charts: tuple[str, ...] = ()
    if outputs is None:
        outputs = declared_outputs(args)
        charts = getattr(args, "declared_charts", ())
    _check_paths(args, [str(o) for o in outputs if o])
    for option in charts:
        check_chart(getattr(args, option, None))


def _check_paths(args: argparse.Namespace, chosen: list[str]) -> None:
    """Refuse outputs that are not regular files, are inputs, or are given twice."""
    seen: dict[str, str] = {}
    if not chosen:
        return
    inputs = []
    for f in input_files(args):
        with contextlib.suppress(OSError):
            inputs.append((f, os.stat(f)))
    for out in chosen:
        target = check_target(out)
        key = str(target)
        if key in seen:
            raise OutputPathError(f"{seen[key]} and {out} are the same file; give two paths")
        seen[key] = out
        try:
            info = os.stat(target)
        except OSError:
            continue
        for f, fi in inputs:
            if (info.st_dev, info.st_ino) == (fi.st_dev, fi.st_ino):
                raise OutputPathError(
                    f"cannot write {out}: it is the input file {f}; writing there would "
                    "destroy it, give another path"
                )


def check_chart(path: str | None) -> None:
    """Refuse a ``--chart`` file that is not ``.png`` or ``.svg``.

    Parameters
    ----------
    path
        The ``--chart`` option, or ``None``.

    Raises
    ------
    CliError
        For another file ending.
    """
    if not path:
        return
    from ..render.charts import FORMATS

    if Path(path).suffix.lower() not in FORMATS:
        raise CliError(f"--chart {shorten(path)}: give a file ending in .png or .svg")


def save_chart(fig: Any, path: str, *, as_of: str | None = None) -> None:
    """Save and close a matplotlib figure, and say where on stderr.

    Parameters
    ----------
    fig
        The figure.
    path
        The chart file.
    as_of
        The date of the network shown (``--as-of``), written in the figure's corner.
    """
    import matplotlib.pyplot as plt

    from ..render.charts import save_figure

    if as_of:
        fig.text(0.995, 0.005, f"network as of {as_of}", ha="right", va="bottom", fontsize=8)
    try:
        save_figure(fig, path)
    finally:
        plt.close(fig)
    print(f"chart: {path}", file=sys.stderr)
