"""Plain-text tables and machine formats for the CLI (no extra dependencies)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "csv_safe",
    "csv_text",
    "frame_csv_text",
    "json_text",
    "leg_rows",
    "table",
    "terminal_safe",
]

# C0 and C1 control characters and DEL (but not the newline), and the Unicode bidirectional
# overrides and isolates that reorder what a terminal shows
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# what a spreadsheet reads as the start of a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters shown as ``\x1b``-style escapes; newlines are kept.

    Control characters are escape sequences, carriage returns and bidi overrides: made visible,
    text from data cannot clear the screen, set the terminal's title or hide what is printed.
    """
    return _CONTROL.sub(_visible, text)


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` (the OWASP advice). Numbers are left as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_unsafe(value: Any) -> Any:
    """A cell as it was before :func:`csv_safe` (reading back a CSV this package wrote)."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(_FORMULA_START):
        return value[1:]
    return value


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return terminal_safe(" - ".join(str(v) for v in value))
    return terminal_safe(str(value))


def table(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    *,
    headers: Sequence[str] | None = None,
    digits: int = 1,
) -> str:
    """A left/right-aligned text table (numbers right-aligned)."""
    rows = list(rows)
    heads = list(headers or columns)
    cells = [[_cell(r.get(c), digits) for c in columns] for r in rows]
    numeric = [
        all(isinstance(r.get(c), int | float) or r.get(c) is None for r in rows) for c in columns
    ]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(heads)]

    def fmt(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [fmt(heads), fmt(["-" * w for w in widths])]
    lines += [fmt(row) for row in cells]
    return "\n".join(lines)


def json_text(obj: Any) -> str:
    r"""Indented JSON, with no raw control characters.

    The control characters JSON leaves raw (DEL, C1, bidi overrides) are written as
    ``\uXXXX`` escapes, which mean the same to a JSON reader.
    """
    text = json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(
            {k: csv_safe(" ".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()}
        )
    return buf.getvalue()


def frame_csv_text(df: Any) -> str:
    """A pandas DataFrame as CSV, with every text cell (and column name) made :func:`csv_safe`."""
    safe = df.map(csv_safe)
    safe.columns = [csv_safe(c) for c in safe.columns]
    return safe.to_csv(index=False)


def leg_rows(route) -> list[dict[str, Any]]:
    """A route's legs for a text table: transfers show their kind (``[gauge_change]``)."""
    rows = []
    for leg in route.legs:
        row = dict(leg.data)
        if row["kind"] == "transfer":
            row["mode"] = f"[{row['transfer']}]"
            row["status"] = ""
        rows.append(row)
    return rows
