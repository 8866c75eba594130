"""File names made from names in data: a name from a data file is never a path.

Scene names (``scenes.toml``), the demo's comparison stems (``analysis.toml``) and scenario
names become parts of output file names (``map-<scene>.html``, ``compare-<stem>.csv``,
``scenario-<name>.md``). Each is first made a *slug*: letters and digits (any script, after
NFKC normalisation, lower-cased), every other run of characters one ``-``, none at either end,
at most :data:`MAX_SLUG` characters. A slug holds no slash, dot, backslash or control character,
so ``x/../../../escape`` becomes ``x-escape`` and cannot leave the output directory; the file
it names is then checked to resolve inside it all the same (a symbolic link placed there that
points elsewhere is refused). Two names whose file names come out alike (``Overview`` and
``overview``; scene ``a``'s offline page and scene ``a-offline``'s page) are an error naming
both, never one file written over the other.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ._errors import GeodataError

__all__ = ["MAX_SLUG", "file_names", "inside", "slug"]

#: the most characters of a slug (a file name stays well under the usual 255-byte limit)
MAX_SLUG = 80


def slug(
    name: object,
    *,
    file: str | None = None,
    what: str = "name",
    error: type[GeodataError] = GeodataError,
) -> str:
    """``name`` as a slug: letters and digits, ``-`` between words, lower case.

    Parameters
    ----------
    name
        The name from the data.
    file
        The data file it comes from, for the error.
    what
        What it names (``"scene"``), for the error.
    error
        The error class raised (a :class:`GeodataError`, e.g. ``SceneError``).

    Returns
    -------
    str
        The slug, e.g. ``"instc-vs-suez"`` for ``"INSTC vs Suez"``.

    Raises
    ------
    GeodataError
        If ``name`` is not a text, or holds no letter or digit.
    """
    if not isinstance(name, str):
        raise error(
            f"a {what} name must be a text, got {type(name).__name__}", file=file, field="name"
        )
    text = unicodedata.normalize("NFKC", name).casefold()
    out: list[str] = []
    for ch in text:
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    result = "".join(out).strip("-")[:MAX_SLUG].rstrip("-")
    if not result:
        raise error(
            f"{what} {name[:60]!r} has no letter or digit to name its output file by; rename it",
            file=file,
            feature=name[:60],
            field="name",
        )
    return result


def file_names(
    names: Iterable[str],
    patterns: Sequence[str],
    *,
    file: str | None = None,
    what: str = "name",
    reserved: Mapping[str, str] | None = None,
    error: type[GeodataError] = GeodataError,
) -> dict[str, tuple[str, ...]]:
    """The output file names of each name: every pattern with ``{}`` replaced by its slug.

    Parameters
    ----------
    names
        The names from the data, in order.
    patterns
        File name patterns, e.g. ``("map-{}.html", "map-{}-offline.html")``.
    file
        The data file the names come from, for the errors.
    what
        What the names name (``"scene"``), for the errors.
    reserved
        File names something else writes, by what writes them (``{"map-catchment.html":
        "the page of 'corridormap map catchment'"}``): a name that would write one is an error.
    error
        The error class raised (a :class:`GeodataError`, e.g. ``SceneError``).

    Returns
    -------
    dict
        ``name -> (file name per pattern)``, in the order of ``names``.

    Raises
    ------
    GeodataError
        If a name has no slug, or two names (or a name and a reserved file) would write the
        same file: the message names both. File names are compared ignoring case, as a
        case-insensitive file system would.
    """
    taken: dict[str, str] = {k.casefold(): v for k, v in (reserved or {}).items()}
    owner: dict[str, str] = {}
    out: dict[str, tuple[str, ...]] = {}
    for name in names:
        s = slug(name, file=file, what=what, error=error)
        files = tuple(p.replace("{}", s) for p in patterns)
        for f in files:
            key = f.casefold()
            if key in taken:
                raise error(
                    f"{what} {name!r} would write {f}, which is {taken[key]}; rename the {what}",
                    file=file,
                    feature=name,
                    field="name",
                )
            if key in owner and owner[key] != name:
                raise error(
                    f"{what}s {owner[key]!r} and {name!r} would both write {f}; rename one",
                    file=file,
                    feature=name,
                    field="name",
                )
        for f in files:
            owner[f.casefold()] = name
        out[name] = files
    return out


def inside(out_dir: str | os.PathLike[str], name: str) -> Path:
    """``out_dir / name``, checked to resolve inside ``out_dir``.

    Parameters
    ----------
    out_dir
        The output directory (it need not exist yet).
    name
        A file name (a slug-made name: no separator).

    Returns
    -------
    pathlib.Path
        ``Path(out_dir) / name``.

    Raises
    ------
    OutputPathError
        If ``name`` is not a plain file name, or the path resolves outside ``out_dir`` (a
        symbolic link there pointing elsewhere).
    """
    from ._atomic import OutputPathError

    if not name or name in (".", "..") or "/" in name or os.sep in name or "\x00" in name:
        raise OutputPathError(f"{name!r} is not a plain file name; it cannot be written")
    base = Path(out_dir)
    path = base / name
    real_base = os.path.realpath(base)
    real = os.path.realpath(path)
    if os.path.dirname(real) != real_base:
        raise OutputPathError(
            f"cannot write {path}: it resolves to {real}, outside {base}; remove the link"
        )
    return path
