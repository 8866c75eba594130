"""``parameters.toml`` edited in place: the calibrated tables rewritten, every other line kept.

:func:`render_parameters` rewrites only the managed lines of each changed table (``low``,
``likely``, ``high``, ``basis``, and ``calibrated_from``, ``sourced_range``, ``evidence`` and
``calibration`` added or removed); comments, order and every other line stay as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ._errors import GeodataError
from .model import join_key, split_key

__all__ = ["MANAGED", "parameter_keys", "render_parameters"]

#: the fields of a parameter table the calibration manages
MANAGED = ("low", "likely", "high", "basis", "calibrated_from", "sourced_range", "evidence",
           "calibration")  # fmt: skip


# -- parameters ------------------------------------------------------------------------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
#: a one-line ``key = value`` with its trailing comment (group 1), if any
_COMMENT = re.compile(r'^\s*[A-Za-z0-9_-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^#"]*?)(\s*#.*)?$')

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ASSIGN = re.compile(
    r"^(\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\")(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"))*)\s*="
)


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in split_key(dotted.strip()))


def _toml_value(v: Any) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        x = float(v)
        if not math.isfinite(x):
            raise ValueError(f"cannot write {v!r} to TOML")
        return repr(x)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise ValueError(f"cannot write {v!r} to TOML")


def _key(k: str) -> str:
    return k if _BARE.match(k) else f'"{k}"'


def _target(table: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``table`` with the managed fields of ``new`` (those ``new`` lacks are removed)."""
    out = {k: v for k, v in table.items() if k not in MANAGED}
    head = {k: new[k] for k in ("low", "likely", "high", "basis") if k in new}
    tail = {k: new[k] for k in MANAGED[4:] if k in new}
    ordered: dict[str, Any] = {}
    for k, v in table.items():  # keep the file's order for the fields it has
        if k in head:
            ordered[k] = head[k]
        elif k in out:
            ordered[k] = v
    for k, v in head.items():
        ordered.setdefault(k, v)
    ordered.update(tail)
    return ordered


def render_parameters(text: str, params: Mapping[str, Any]) -> str:
    """``parameters.toml`` text with every calibratable table set to its value in ``params``.

    Only the managed lines of each changed table are touched (``low``, ``likely``, ``high``,
    ``basis`` rewritten in place; ``calibrated_from``, ``sourced_range``, ``evidence`` and
    ``calibration`` added after them or removed); comments, order and every other line stay as
    written. Tables written inline (``speed_kmh = { low = ..., ... }``) are rewritten whole.
    """
    import tomllib

    todo = _changed_tables(parameter_keys(tomllib.loads(text)), parameter_keys(params))
    if not todo:
        return text
    lines = text.splitlines(keepends=True)
    sections, inline = _table_lines(lines)
    edits: list[tuple[int, int, list[str]]] = []
    for parts, (t, new) in todo.items():
        target = _target(t, new)
        if parts in inline:
            i = inline[parts]
            a = _ASSIGN.match(lines[i])
            assert a is not None
            eol = "\n" if lines[i].endswith("\n") else ""
            edits.append((i, i + 1, [f"{a.group(1)}{a.group(2)} = {_toml_value(target)}{eol}"]))
        elif parts in sections:
            edits.append((*sections[parts], _section_lines(lines, sections[parts], target)))
        else:
            raise GeodataError(
                "cannot find this table's lines to rewrite (write it as a [table] or an "
                "inline table)",
                file="parameters.toml",
                feature=join_key(parts),
            )
    for a, b, new_lines in sorted(edits, reverse=True):
        lines[a:b] = new_lines
    return "".join(lines)


def _changed_tables(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict:
    """The estimated or calibrated tables whose managed fields ``wanted`` changes.

    Parameters
    ----------
    current
        The file's parameter tables, by key.
    wanted
        The new parameter tables, by key.

    Returns
    -------
    dict
        ``{key parts: (current table, new table)}``.
    """
    todo = {}
    for k, t in current.items():
        if t.get("basis") not in ("estimated", "calibrated") or k not in wanted:
            continue
        new = wanted[k]
        if any(t.get(f) != new.get(f) for f in MANAGED):
            todo[split_key(k)] = (t, new)
    return todo


def _table_lines(
    lines: list[str],
) -> tuple[dict[tuple[str, ...], tuple[int, int]], dict[tuple[str, ...], int]]:
    """Where each ``[table]``'s lines are and on which line each inline table is.

    Parameters
    ----------
    lines
        The file's lines.

    Returns
    -------
    tuple
        The sections (key parts to the line span after the header) and the inline tables
        (key parts to the line index); arrays of tables (``[[...]]``) are not sections.
    """
    section: tuple[str, ...] = ()
    sections: dict[tuple[str, ...], tuple[int, int]] = {}
    inline: dict[tuple[str, ...], int] = {}
    start = None
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if m and not line.lstrip().startswith("[["):
            if start is not None:
                sections[section] = (start, i)
            section, start = _parts(m.group(1)), i + 1
            continue
        a = _ASSIGN.match(line)
        if a and line.rstrip().endswith("}") and "{" in line:
            inline[section + _parts(a.group(2))] = i
    if start is not None:
        sections[section] = (start, len(lines))
    return sections, inline


def _section_lines(lines: list[str], span: tuple[int, int], target: Mapping[str, Any]) -> list[str]:
    a, b = span
    body = lines[a:b]
    out: list[str] = []
    written: set[str] = set()
    last_head = None
    for line in body:
        m = _ASSIGN.match(line)
        name = _parts(m.group(2))[0] if m else None
        if name in MANAGED:
            if name in target and name not in written:
                c = _COMMENT.match(line.rstrip("\n"))
                comment = c.group(1) if c and c.group(1) else ""
                out.append(f"{name} = {_toml_value(target[name])}{comment}\n")
                written.add(name)
                if name in ("low", "likely", "high", "basis"):
                    last_head = len(out)
            continue
        out.append(line)
    missing = [k for k in MANAGED if k in target and k not in written]
    if missing:
        at = last_head if last_head is not None else _content_end(out)
        out[at:at] = [f"{k} = {_toml_value(target[k])}\n" for k in missing]
    return out


def _content_end(body: list[str]) -> int:
    n = len(body)
    while n and (not body[n - 1].strip() or body[n - 1].lstrip().startswith("#")):
        n -= 1
    return n


def parameter_keys(params: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Every uncertain parameter table (``low``, ``likely``, ``high``, ``basis``) by dotted key."""
    out: dict[str, Mapping[str, Any]] = {}

    def walk(table: Mapping[str, Any], path: tuple[str, ...]) -> None:
        if all(k in table for k in ("low", "likely", "high", "basis")):
            out[join_key(path)] = table
            return
        for k, v in table.items():
            if isinstance(v, Mapping):
                walk(v, (*path, k))

    walk(params, ())
    return out
