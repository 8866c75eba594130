r"""Text for the page: escaping, number formatting, HTML tables, JSON for scripts, coordinates.

Every string from geodata, scenario files or arguments goes through :func:`esc` (HTML) or
:func:`js` (a script) before it reaches the page. Both also escape braces (``&#123;`` in HTML,
``\u007b`` inside JSON strings), so no text can form a Jinja ``{{``, ``{%`` or ``{#`` whatever
happens to it later; the page elements (:mod:`.elements`) never parse text as a template
either.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable
from typing import Any

#: decimals kept for coordinates in a page (4 decimals is about 11 m)
COORD_DECIMALS = 4

#: braces as HTML character references: text cannot then form a Jinja ``{{``, ``{%`` or ``{#``
_HTML_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
#: braces as JavaScript string escapes, for text inside JSON strings
_JS_BRACES = str.maketrans({"{": "\\u007b", "}": "\\u007d"})
#: a JSON string literal (in ``json.dumps`` output braces outside strings are JSON syntax)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def esc(value: Any) -> str:
    """HTML-escape any value for text and attribute contexts (braces included)."""
    return html.escape("" if value is None else str(value), quote=True).translate(_HTML_BRACES)


def fmt(value: Any, digits: int = 0) -> str:
    """A number with thousands separators (``""`` for NaN); anything else escaped."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if math.isnan(x):
        return ""
    return f"{x:,.{digits}f}"


def table(rows: Iterable[tuple[str, Any]]) -> str:
    """An HTML table of (label, escaped value) rows; rows with an empty value are skipped."""
    cells = "".join(
        f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows if v not in (None, "")
    )
    return f'<table class="cm-table">{cells}</table>'


def _js_string_braces(match: re.Match[str]) -> str:
    return match.group(0).translate(_JS_BRACES)


def js(obj: Any, *, source: bool = False) -> str:
    r"""Compact JSON safe inside a ``<script>`` element.

    No ``<``, ``>`` or ``&`` anywhere, and no brace inside a string, so the text can neither
    close the script nor form a template delimiter. With ``source=True`` the text is for
    JavaScript source (``var T = ...``), never for ``JSON.parse``: those three characters are
    then written ``\x3c``, ``\x3e``, ``\x26``, two characters shorter than JSON's escapes (a
    map's popups are mostly markup: the overview page is 13% smaller).
    """
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    if "{" in text or "}" in text:
        text = _JSON_STRING.sub(_js_string_braces, text)
    lt, gt, amp = ("\\x3c", "\\x3e", "\\x26") if source else ("\\u003c", "\\u003e", "\\u0026")
    return (
        text.replace("<", lt)
        .replace(">", gt)
        .replace("&", amp)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def js_source(obj: Any) -> str:
    """:func:`js` for JavaScript source in a ``<script>`` element (not for ``JSON.parse``)."""
    return js(obj, source=True)


def rounded(x: float) -> float:
    """A coordinate rounded to :data:`COORD_DECIMALS`."""
    return round(float(x), COORD_DECIMALS)


def latlngs(geometry: Any) -> list[list[float]]:
    """Shapely LineString (lon, lat) -> [[lat, lon], ...] rounded for the page."""
    return [[rounded(y), rounded(x)] for x, y, *_ in geometry.coords]


def bounds_of(points: Iterable[list[float]]) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of ``[lat, lon]`` points (``[]`` when none)."""
    pts = list(points)
    if not pts:
        return []
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]
