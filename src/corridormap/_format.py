"""Plain-text tables and machine formats for the CLI (no extra dependencies)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["csv_text", "json_text", "leg_rows", "table"]


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
        return " - ".join(str(v) for v in value)
    return str(value)


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
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (" ".join(map(str, v)) if isinstance(v, list) else v) for k, v in r.items()})
    return buf.getvalue()


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
