"""The explorer written to disk: the page, its assets and its data files, atomically.

The page is a fixed HTML skeleton (the title and credit HTML-escaped), Leaflet from the
``xstatic-leaflet`` package and the page's own script and style sheet (``assets/``); the data
files register their payloads with ``window.CORRIDORMAP_EXPLORER.push(...)``.
"""

from __future__ import annotations

import base64
import importlib
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..._atomic import OutputPathError, atomic_write
from .._html import esc, js
from .payloads import ORIGIN_FILE, origin_file, payloads
from .schema import check_explorer_data

__all__ = ["REGISTRY", "explorer_files", "write_explorer"]

#: the global the data files register their payload with
REGISTRY = "CORRIDORMAP_EXPLORER"


# -- the page -------------------------------------------------------------------------------
def _asset_text(name: str) -> str:
    """The page's own script or style sheet (package data in ``assets/``)."""
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


def _leaflet_dir() -> Path:
    return Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR)


def _register(payload: Mapping[str, Any]) -> str:
    """The script text registering a payload (safe inside a ``<script>`` element)."""
    return f"(window.{REGISTRY}=window.{REGISTRY}||[]).push({js(payload)});\n"


def _without_source_map(text: str) -> str:
    return re.sub(r"//# sourceMappingURL=\S+", "", text)


def _inline_leaflet_css() -> str:
    folder = _leaflet_dir()

    def data_uri(match: re.Match[str]) -> str:
        body = (folder / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(body).decode('ascii')})"

    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
<div class="cx-app" id="cx-app">
<header class="cx-head">
<h1 id="cx-title">{title}</h1>
<form class="cx-controls" id="cx-controls" autocomplete="off">
<div class="cx-field"><label for="cx-from">From</label>
<input id="cx-from" list="cx-from-list" spellcheck="false" aria-describedby="cx-from-note">
<datalist id="cx-from-list"></datalist><span class="cx-note" id="cx-from-note"></span></div>
<div class="cx-field"><label for="cx-to">To</label>
<input id="cx-to" list="cx-to-list" spellcheck="false" aria-describedby="cx-to-note">
<datalist id="cx-to-list"></datalist><span class="cx-note" id="cx-to-note"></span></div>
<div class="cx-field"><label for="cx-scenario">Scenario</label>
<select id="cx-scenario"></select></div>
<fieldset class="cx-field cx-clock" id="cx-clock"><legend>Clock</legend></fieldset>
</form>
<p class="cx-finding" id="cx-finding" role="status" aria-live="polite"></p>
</header>
<main class="cx-main">
<div class="cx-mapbox"><div id="cx-map" class="cx-map" role="region"
 aria-label="Map of the routes"></div><div id="cx-legend" class="cx-legend"></div></div>
<section class="cx-panel">
<div class="cx-tablebox" id="cx-tablebox"><table class="cx-table" id="cx-table">
<caption id="cx-caption"></caption><thead id="cx-thead"></thead><tbody id="cx-tbody"></tbody>
</table></div>
<div class="cx-profilebox"><h2 id="cx-profile-title">Time–distance profile</h2>
<div id="cx-profile" class="cx-profile"></div><p class="cx-small" id="cx-profile-note"></p></div>
<div class="cx-scenario-box"><h2 id="cx-scenario-title"></h2>
<p id="cx-scenario-description"></p><ul id="cx-sources" class="cx-sources"></ul></div>
</section>
</main>
<footer class="cx-foot"><p id="cx-credit">{credit}</p><p class="cx-small" id="cx-mapcredit"></p>
</footer>
</div>
<noscript><p>This explorer needs JavaScript.</p></noscript>
{body}
</body>
</html>
"""


def _page(data: Mapping[str, Any], head: str, body: str) -> str:
    return _PAGE.format(title=esc(data["title"]), credit=esc(data["credit"]), head=head, body=body)


def _folder_page(data: Mapping[str, Any]) -> str:
    head = (
        '<link rel="stylesheet" href="assets/leaflet.css">\n'
        '<link rel="stylesheet" href="assets/explorer.css">'
    )
    scripts = ["assets/leaflet.js"]
    scripts += [f"data/{n}" for n in ("meta.js", "links.js", "steps.js", "basemap.js")]
    scripts.append("assets/explorer.js")
    body = "\n".join(f'<script src="{s}"></script>' for s in scripts)
    return _page(data, head, body)


def _script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _self_contained_page(data: Mapping[str, Any], files: Mapping[str, Any]) -> str:
    css = _inline_leaflet_css() + "\n" + _asset_text("explorer.css")
    head = f"<style>{css}</style>"
    leaflet = _without_source_map((_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))
    parts = [_script(leaflet)]
    for name, payload in files.items():
        if ORIGIN_FILE.match(name):  # parsed when first chosen
            parts.append(
                f'<script type="application/json" id="cx-data-{name[:-3]}">{js(payload)}</script>'
            )
        else:
            parts.append(_script(_register(payload)))
    parts.append(_script(_asset_text("explorer.js")))
    return _page(data, head, "\n".join(parts))


def _out_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputPathError(f"cannot write the explorer into {out}: it is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


#: the page's own assets, copied into ``assets/``
_OWN_ASSETS = ("explorer.js", "explorer.css")


def _leaflet_images() -> list[Path]:
    return sorted((_leaflet_dir() / "images").glob("*.png"))


def _write_assets(out: Path) -> None:
    assets, leaflet = out / "assets", _leaflet_dir()
    leaflet_js = (leaflet / "leaflet.js").read_text(encoding="utf-8")
    atomic_write(assets / "leaflet.js", _without_source_map(leaflet_js))
    atomic_write(assets / "leaflet.css", (leaflet / "leaflet.css").read_bytes())
    for png in _leaflet_images():
        atomic_write(assets / "images" / png.name, png.read_bytes())
    for name in _OWN_ASSETS:
        atomic_write(assets / name, _asset_text(name))


def explorer_files(
    data: Mapping[str, Any], out_dir: str | Path, *, self_contained: bool = False
) -> list[Path]:
    """The files :func:`write_explorer` writes for ``data`` into ``out_dir``, page first.

    A command checks them before it writes (none may be one of its inputs).

    Parameters
    ----------
    data
        The explorer's data (only its origins are read: one data file each).
    out_dir
        The folder.
    self_contained
        As :func:`write_explorer` takes it (one file).

    Returns
    -------
    list of pathlib.Path
    """
    out = Path(out_dir)
    index = out / "index.html"
    if self_contained:
        return [index]
    assets = out / "assets"
    files = [index, assets / "leaflet.js", assets / "leaflet.css"]
    files += [assets / "images" / png.name for png in _leaflet_images()]
    files += [assets / name for name in _OWN_ASSETS]
    names = ["meta.js", "links.js", "steps.js", "basemap.js"]
    names += [origin_file(i) for i in range(len(data["results"]))]
    return files + [out / "data" / n for n in names]


def _remove_stale_origins(folder: Path, keep: Iterable[str]) -> None:
    """Origin files of an earlier build that this one does not have."""
    kept = set(keep)
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if ORIGIN_FILE.match(path.name) and path.name not in kept and path.is_file():
            path.unlink()


def write_explorer(
    data: Mapping[str, Any], out_dir: str | Path, *, self_contained: bool = False
) -> Path:
    """Write the explorer: ``out_dir/index.html`` and the data it loads from beside it.

    Every file is written atomically; ``index.html`` last, so a reader of the folder never
    finds a page pointing at files not yet there. Origin files of an earlier build into the
    same folder that this build lacks are removed.

    Parameters
    ----------
    data
        The explorer's data (the schema is in :mod:`corridormap.render.explorer`; checked by
        :func:`check_explorer_data`). Not modified.
    out_dir
        The folder to write (created if needed).
    self_contained
        Write one file, ``out_dir/index.html``, with Leaflet, the style sheet, the script and
        all the data inlined (each origin's data parsed only when the origin is chosen).

    Returns
    -------
    pathlib.Path
        The page, ``out_dir/index.html``.

    Raises
    ------
    ExplorerDataError
        If the data breaks the schema (the message names the field).
    OutputPathError
        If ``out_dir`` is a file, or a file to write is not a regular file.
    """
    check_explorer_data(data)
    out = _out_dir(out_dir)
    files = payloads(data)
    index = out / "index.html"
    if self_contained:
        return atomic_write(index, _self_contained_page(data, files))
    _write_assets(out)
    for name, payload in files.items():
        atomic_write(out / "data" / name, _register(payload))
    atomic_write(index, _folder_page(data))
    _remove_stale_origins(out / "data", (n for n in files if ORIGIN_FILE.match(n)))
    return index
