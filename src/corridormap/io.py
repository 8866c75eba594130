"""Read and validate a geodata directory (the bundled one or a user's own).

A geodata directory holds ``nodes.geojson`` (points), ``links.geojson`` (line strings),
``parameters.toml`` (speeds, dwell times, costs and emissions, each sourced) and optionally
``stations.geojson`` (the intermediate stations rail and road polylines pass through),
``regions.toml`` and ``scenarios/``. ``geodata/README.md`` documents the schema.
"""

from __future__ import annotations

import json
import math
import os
import stat
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from . import _quick
from . import _schema as v
from ._errors import GeodataError, InputError, closest
from ._gc import paused

__all__ = ["Geodata", "bundled_geodata_dir", "data_dirs", "data_file", "load_geodata"]

#: largest geodata file read, in bytes, a larger one refused before it is parsed; ``None``: this
#: machine's :func:`corridormap._schema.file_limit`, read when a file is
MAX_FILE_BYTES: int | None = None
#: how far (degrees) a link's first or last vertex may lie from its endpoint node
ENDPOINT_TOLERANCE_DEG = 0.02
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Geodata:
    """Validated geodata: plain dictionaries keyed by feature id.

    Attributes
    ----------
    nodes
        ``id -> properties``, each with ``lon`` and ``lat`` added.
    links
        ``id -> properties``, each with ``coords`` (a list of ``(lon, lat)``) added.
    stations
        Intermediate stations the polylines pass through (same shape as ``nodes``).
    params
        The parsed ``parameters.toml``.
    regions
        ``name -> list of node ids`` from ``regions.toml`` (empty if absent).
    directory
        Where the data was read from.
    as_of
        ``None`` for the data as written; for the network of a date
        (:func:`corridormap.asof.geodata_as_of`), what that date did to it: ``date`` (ISO),
        ``today``, ``withheld`` (places and links not in service, by id), ``not_built``,
        ``projected`` and ``changed``.
    """

    nodes: dict[str, dict[str, Any]]
    links: dict[str, dict[str, Any]]
    stations: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    regions: dict[str, list[str]] = field(default_factory=dict)
    directory: str = ""
    as_of: dict[str, Any] | None = None


def bundled_geodata_dir() -> Path:
    """Return the directory of the geodata shipped inside the package."""
    return Path(str(resources.files("corridormap") / "geodata"))


def data_file(directory: str | os.PathLike[str] | None, name: str) -> Path:
    """A geodata directory's own file ``name``, else the bundled one.

    Parameters
    ----------
    directory
        A geodata directory (a network's ``G.graph["directory"]``), or ``None`` (or empty)
        for the bundled data.
    name
        The file's name in a geodata directory, e.g. ``"analysis.toml"``.

    Returns
    -------
    pathlib.Path
        ``directory / name`` when that file exists, else the bundled geodata's ``name``.
    """
    if directory:
        own = Path(directory) / name
        if own.is_file():
            return own
    return bundled_geodata_dir() / name


def data_dirs(directory: str | os.PathLike[str] | None, name: str) -> list[Path]:
    """Where a geodata directory's folder ``name`` is looked for: its own first, then the bundled.

    Parameters
    ----------
    directory
        A geodata directory (a network's ``G.graph["directory"]``), or ``None`` (or empty)
        for the bundled data alone.
    name
        The folder's name in a geodata directory, e.g. ``"scenarios"``.

    Returns
    -------
    list of pathlib.Path
        ``directory / name`` (when ``directory`` is given) and the bundled geodata's ``name``,
        each once; a folder may be missing.
    """
    dirs = [Path(directory) / name] if directory else []
    bundled = bundled_geodata_dir() / name
    if bundled not in dirs:
        dirs.append(bundled)
    return dirs


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def line_length_km(coords: list[tuple[float, float]]) -> float:
    """Length in km of a polyline of (lon, lat) points, summed great-circle segments."""
    return sum(haversine_km(coords[i], coords[i + 1]) for i in range(len(coords) - 1))


_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, for messages (``"a FIFO (named pipe)"``)."""
    return next((name for test, name in _FILE_KINDS if test(mode)), "a special file")


def read_regular_file(
    path: str | os.PathLike[str], *, name: str | None = None, limit: int | None = None
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Links are followed, and the file is checked after opening it (without blocking, so a FIFO
    cannot hang the read): anything but a regular file (a FIFO, a device such as
    ``/dev/zero``, a directory) is refused, and so is a file over ``limit`` bytes, before
    anything is read.

    Parameters
    ----------
    path
        The file.
    name
        How messages name the file (default: its name).
    limit
        The largest size read, in bytes (default :data:`MAX_FILE_BYTES`).

    Raises
    ------
    GeodataError
        If the file is missing, unreadable, not a regular file or too large.
    """
    path = Path(path)
    name = path.name if name is None else name
    limit, hint = _size_limit(limit)
    try:  # refuse a FIFO or a device before opening it (opening may block or act)
        first = os.stat(path)
    except FileNotFoundError:
        raise GeodataError(f"file not found in {path.parent}", file=name) from None
    except OSError as exc:
        raise GeodataError(f"cannot be read: {exc.strerror or exc}", file=name) from None
    if not stat.S_ISREG(first.st_mode):
        raise GeodataError(
            f"cannot be read: it is {file_kind(first.st_mode)}, not a regular file",
            file=name,
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise GeodataError(f"file not found in {path.parent}", file=name) from None
    except OSError as exc:
        raise GeodataError(f"cannot be read: {exc.strerror or exc}", file=name) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GeodataError(
                f"cannot be read: it is {file_kind(info.st_mode)}, not a regular file",
                file=name,
            )
        if info.st_size > limit:
            raise GeodataError(
                f"is {info.st_size / 2**20:,.0f} MiB; files over {limit / 2**20:,.0f} MiB are "
                f"refused{hint}",
                file=name,
            )
        chunks, total = [], 0
        while True:  # read to the end, but never more than the limit (the file may grow)
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise GeodataError(
                    f"grew past {limit / 2**20:,.0f} MiB while being read", file=name
                )
        return b"".join(chunks)
    except OSError as exc:
        raise GeodataError(f"cannot be read: {exc.strerror or exc}", file=name) from None
    finally:
        os.close(fd)


def _size_limit(limit: int | None) -> tuple[int, str]:
    """The size limit a read applies (``None``: a geodata file's), and how to change it."""
    if limit is not None:
        return limit, ""
    limit = v.file_limit() if MAX_FILE_BYTES is None else MAX_FILE_BYTES
    return limit, f" on this machine (set {v.FILE_MIB_VARIABLE} to raise or lower the limit)"


def _read_bytes(path: Path) -> bytes:
    return read_regular_file(path)


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning every failure into a :class:`GeodataError`."""
    raw = _read_bytes(path)
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise GeodataError(f"is not valid JSON ({v.clip(str(exc))})", file=path.name) from None
    except RecursionError:
        raise GeodataError(_TOO_DEEP, file=path.name) from None
    except ValueError as exc:  # NaN/Infinity, or an integer of more than 4300 digits
        raise GeodataError(v.clip(str(exc)), file=path.name) from None


_TOO_DEEP = (
    "is nested too deeply to read (lists or tables inside each other hundreds of levels deep)"
)


def _reject_constant(name: str) -> None:
    raise ValueError(f"holds {name}, which is not a number GeoJSON allows")


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a :class:`GeodataError`."""
    raw = _read_bytes(path)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GeodataError(f"is not valid TOML ({v.clip(str(exc))})", file=path.name) from None
    except RecursionError:
        raise GeodataError(_TOO_DEEP, file=path.name) from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise GeodataError(v.clip(str(exc)), file=path.name) from None


#: how far (degrees) a point may lie outside its stated country's bounding box
COUNTRY_TOLERANCE_DEG = 1.0
_BOUNDS: dict[str, list[float]] | None = None


def country_bounds() -> dict[str, list[float]]:
    """Bounding boxes of countries by ISO code (Natural Earth), from the bundled basemap."""
    global _BOUNDS
    if _BOUNDS is None:
        path = bundled_geodata_dir() / "basemap" / "country-bounds.json"
        _BOUNDS = json.loads(path.read_text(encoding="utf-8"))["bounds"]
    return _BOUNDS


def _check_in_country(lon: float, lat: float, country: str, file: str, fid: str) -> None:
    box = country_bounds().get(country)
    if box is None:
        return
    tol = COUNTRY_TOLERANCE_DEG
    dx = max(box[0] - lon, 0.0, lon - box[2])
    dy = max(box[1] - lat, 0.0, lat - box[3])
    if dx > tol or dy > tol:
        hint = ""
        if box[0] - tol <= lat <= box[2] + tol and box[1] - tol <= lon <= box[3] + tol:
            hint = "; lon and lat look swapped"
        raise GeodataError(
            f"position ({lon}, {lat}) lies {max(dx, dy):.1f} degrees outside {country}, its "
            f"stated country{hint}",
            file=file,
            feature=fid,
            field="geometry",
        )


def _read_points(path: Path, *, kinds: bool) -> dict[str, dict[str, Any]]:
    file = path.name
    out: dict[str, dict[str, Any]] = {}
    boxes = _quick.inner_boxes(country_bounds(), COUNTRY_TOLERANCE_DEG)
    texts: dict[str, str] = {}
    for fid, p, geom in v.typed_features(read_json(path), file, "Point"):
        quick = _quick.quick_point(p, geom.get("coordinates"), kinds, boxes)
        if quick is not None:  # the changes the full checks below make
            p["aliases"] = ()
            _quick.share_texts(p, _quick.POINT_TEXTS, texts)
            p["id"] = fid
            p["lon"], p["lat"] = quick
            out[fid] = p
            continue
        v.check_reserved(p, v.NODE_RESERVED, file, fid)
        lon, lat = v.check_lonlat(geom.get("coordinates"), file, fid)
        v.check_text(p, "name", file, fid)
        p["aliases"] = v.check_text_list(p, "aliases", file, fid)
        country = v.check_text(p, "country", file, fid)
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            raise GeodataError(
                f"must be an ISO 3166-1 alpha-2 code such as 'IR', got {country!r}",
                file=file,
                feature=fid,
                field="country",
            )
        if kinds:
            v.check_enum(p.get("kind"), v.NODE_KINDS, file, fid, "kind")
        _check_in_country(lon, lat, country, file, fid)
        v.check_text(p, "source", file, fid)
        v.check_enum(p.get("basis"), v.BASES, file, fid, "basis")
        v.check_text(p, "notes", file, fid, required=False)
        if p.get("gauge") is not None:
            v.check_number(p, "gauge", file, fid)
        _check_capacity(p, file, fid)
        v.check_dates(p, file, fid)
        p["id"] = fid
        p["lon"], p["lat"] = lon, lat
        out[fid] = p
    return out


def _check_capacity(p: dict[str, Any], file: str, fid: str) -> None:
    if p.get("capacity") is not None:
        v.check_number(p, "capacity", file, fid)
        v.check_text(p, "capacity_unit", file, fid)
    v.check_text(p, "capacity_source", file, fid, required=False)


def _read_links(
    path: Path, nodes: dict[str, dict[str, Any]], params: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    file = path.name
    services = params.get("services", {})
    canals = params.get("canals", {})
    out: dict[str, dict[str, Any]] = {}
    vertices = 0
    chords = _quick.Chords(EARTH_RADIUS_KM)
    texts: dict[str, str] = {}
    try:
        for fid, p, geom in v.typed_features(read_json(path), file, "LineString"):
            raw = geom.get("coordinates")
            coords = _quick.quick_link(p, raw, nodes, ENDPOINT_TOLERANCE_DEG)
            if coords is not None and vertices + len(coords) <= v.MAX_TOTAL_VERTICES:
                # the changes _read_link makes; chords.check compares length and chord
                vertices += len(coords)
                length = p["length_km"] = float(p["length_km"])
                chords.add(fid, length, coords)
                p["from"], p["to"] = nodes[p["from"]]["id"], nodes[p["to"]]["id"]  # their own ids
                _quick.share_texts(p, _quick.LINK_TEXTS, texts)
                p["services"] = p["branch"] = p["via"] = ()
                p["id"] = fid
                p["coords"] = coords
            else:
                vertices = _read_link(p, raw, vertices, nodes, services, canals, file, fid)
            out[fid] = p
    except GeodataError as exc:
        fault: GeodataError | None = exc
    else:
        fault = None
    chords.check(file, _check_chord)  # a link too short before the fault (if any) is first
    if fault is not None:
        raise fault
    return out


def _read_link(
    p: dict[str, Any],
    raw: Any,
    vertices: int,
    nodes: dict[str, dict[str, Any]],
    services: dict[str, Any],
    canals: dict[str, Any],
    file: str,
    fid: str,
) -> int:
    """Check one link fully and add what the network needs to its properties.

    Parameters
    ----------
    p
        The link's properties; ``length_km`` becomes a float, and ``services``, ``branch``,
        ``via``, ``id`` and ``coords`` are set.
    raw
        Its geometry's ``coordinates``.
    vertices
        The vertices of the file's links before this one.
    nodes
        The nodes, by id.
    services, canals
        The ``[services]`` and ``[canals]`` of parameters.toml.
    file, fid
        The file and the feature, for the errors.

    Returns
    -------
    int
        ``vertices`` plus this link's.

    Raises
    ------
    GeodataError
        Naming the first fault found, and the field.
    """
    v.check_reserved(p, v.LINK_RESERVED, file, fid)
    vertices = _count_vertices(raw, vertices, file, fid)
    coords = [v.check_lonlat(c, file, fid) for c in raw]
    _check_link_ends(p, coords, nodes, file, fid)
    mode = v.check_enum(p.get("mode"), v.MODES, file, fid, "mode")
    v.check_enum(p.get("status"), v.STATUSES, file, fid, "status")
    v.check_enum(p.get("basis"), v.BASES, file, fid, "basis")
    v.check_text(p, "source", file, fid)
    v.check_text(p, "notes", file, fid, required=False)
    p["length_km"] = _link_length(p, coords, file, fid)
    if mode == "rail":
        v.check_number(p, "gauge", file, fid)
    p["services"] = _link_services(p, mode, services, file, fid)
    if p.get("canal") is not None:
        canal = v.check_text(p, "canal", file, fid)
        if canal not in canals:
            raise GeodataError(
                f"canal {canal!r} is not in parameters.toml [canals]",
                file=file,
                feature=fid,
                field="canal",
            )
    p["branch"] = v.check_text_list(p, "branch", file, fid)
    p["via"] = v.check_text_list(p, "via", file, fid)
    _check_capacity(p, file, fid)
    for key in ("length_source", "length_note", "operator"):
        v.check_text(p, key, file, fid, required=False)
    v.check_number(p, "measured_km", file, fid, required=False)
    v.check_dates(p, file, fid)
    p["id"] = fid
    p["coords"] = coords
    return vertices


def _count_vertices(raw: Any, vertices: int, file: str, fid: str) -> int:
    """Check a LineString's positions: at least two, not too many for the link or the file.

    Parameters
    ----------
    raw
        The geometry's ``coordinates``.
    vertices
        The vertices of the file's links before this one.
    file, fid
        The file and the feature, for the errors.

    Returns
    -------
    int
        ``vertices`` plus this link's.

    Raises
    ------
    GeodataError
        If there are fewer than two positions, more than :data:`MAX_VERTICES`, or the file
        holds more than :data:`MAX_TOTAL_VERTICES` in all.
    """
    if not isinstance(raw, list) or len(raw) < 2:
        raise GeodataError(
            "a LineString needs at least two positions",
            file=file,
            feature=fid,
            field="geometry",
        )
    if len(raw) > v.MAX_VERTICES:
        raise GeodataError(
            f"has {len(raw):,} vertices; at most {v.MAX_VERTICES:,} are allowed per link",
            file=file,
            feature=fid,
            field="geometry",
        )
    vertices += len(raw)
    if vertices > v.MAX_TOTAL_VERTICES:
        raise GeodataError(
            f"holds over {v.MAX_TOTAL_VERTICES:,} vertices in all; at most that many are "
            "allowed per file",
            file=file,
            feature=fid,
            field="geometry",
        )
    return vertices


def _check_link_ends(
    p: dict[str, Any], coords: list, nodes: dict[str, dict[str, Any]], file: str, fid: str
) -> None:
    """Check a link's ``from`` and ``to``: known, different nodes where its geometry ends.

    Parameters
    ----------
    p
        The link's properties.
    coords
        Its geometry's positions (lon, lat).
    nodes
        The nodes, by id.
    file, fid
        The file and the feature, for the errors.

    Raises
    ------
    GeodataError
        If an end names no node (with the closest id), both ends are the same node, or the
        geometry does not start or end within :data:`ENDPOINT_TOLERANCE_DEG` of its node.
    """
    for key in ("from", "to"):
        ref = v.check_text(p, key, file, fid)
        if ref not in nodes:
            near = closest(ref, nodes)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise GeodataError(
                f"names node {ref!r}, which is not in nodes.geojson{hint}",
                file=file,
                feature=fid,
                field=key,
            )
    if p["from"] == p["to"]:
        raise GeodataError("starts and ends at the same node", file=file, feature=fid, field="to")
    for key, end in (("from", coords[0]), ("to", coords[-1])):
        node = nodes[p[key]]
        if (
            abs(end[0] - node["lon"]) > ENDPOINT_TOLERANCE_DEG
            or abs(end[1] - node["lat"]) > ENDPOINT_TOLERANCE_DEG
        ):
            raise GeodataError(
                f"geometry {'starts' if key == 'from' else 'ends'} at {end}, not at node "
                f"{p[key]!r} ({node['lon']}, {node['lat']})",
                file=file,
                feature=fid,
                field="geometry",
            )


def _link_length(p: dict[str, Any], coords: list, file: str, fid: str) -> float:
    """A link's ``length_km``, checked against the longest link and its straight distance.

    Parameters
    ----------
    p
        The link's properties.
    coords
        Its geometry's positions (lon, lat).
    file, fid
        The file and the feature, for the errors.

    Returns
    -------
    float
        The length in km.

    Raises
    ------
    GeodataError
        If it is not a number, exceeds :data:`MAX_LENGTH_KM`, or is under 0.9 times the
        straight distance between the ends.
    """
    length = v.check_number(p, "length_km", file, fid)
    if length > v.MAX_LENGTH_KM:
        raise GeodataError(
            f"{length:,.0f} km is longer than any link can be (at most {v.MAX_LENGTH_KM:,.0f} km)",
            file=file,
            feature=fid,
            field="length_km",
        )
    p["length_km"] = length
    _check_chord(length, coords[0], coords[-1], file, fid)
    return length


def _check_chord(
    length: float, a: tuple[float, float], b: tuple[float, float], file: str, fid: str
) -> None:
    """Raise if a link's ``length`` is under 0.9 times the straight distance between its ends."""
    chord = haversine_km(a, b)
    if length < 0.9 * chord:
        raise GeodataError(
            f"{length:g} km is shorter than the {chord:,.0f} km straight distance between "
            "its endpoints",
            file=file,
            feature=fid,
            field="length_km",
        )


def _link_services(
    p: dict[str, Any], mode: str, services: dict[str, Any], file: str, fid: str
) -> tuple[str, ...]:
    """A link's scheduled services: required and known for a scheduled mode, else none.

    Parameters
    ----------
    p
        The link's properties.
    mode
        Its mode.
    services
        The ``[services]`` of parameters.toml.
    file, fid
        The file and the feature, for the errors.

    Returns
    -------
    tuple of str
        The services (empty for a mode that is not scheduled).

    Raises
    ------
    GeodataError
        If a scheduled link has no services, or names one not in ``services``.
    """
    if mode not in v.SCHEDULED_MODES:
        return ()
    svc = v.check_text_list(p, "services", file, fid)
    if not svc:
        raise GeodataError(
            f"a {mode} link needs 'services' (the scheduled services that sail it)",
            file=file,
            feature=fid,
            field="services",
        )
    for s in svc:
        if s not in services:
            raise GeodataError(
                f"service {s!r} is not in parameters.toml [services]",
                file=file,
                feature=fid,
                field="services",
            )
    return svc


def _table(value: Any, file: str, where: str, *, what: str = "a table") -> dict[str, Any]:
    """``value`` if it is a TOML table, else an error naming ``where``."""
    if not isinstance(value, dict):
        raise GeodataError(
            f"must be {what}, got {type(value).__name__} {v.show(value, 60)}",
            file=file,
            feature=where,
        )
    return value


def _check_params(params: dict[str, Any], file: str) -> None:
    for section in ("modes", "transfers", "borders", "services"):
        if section not in params:
            raise GeodataError(f"has no [{section}] table", file=file, feature=section)
        _table(params[section], file, section)
    canals = _table(params.get("canals", {}), file, "canals")
    _check_mode_params(params["modes"], file)
    _check_transfer_params(params["transfers"], file)
    _check_border_params(params["borders"], file)
    for name, table in canals.items():
        _table(table, file, f"canals.{name}")
        for key in ("transit_h", "cost_usd_per_teu"):
            v.check_param(table.get(key), file, f"canals.{name}.{key}")
    for name, table in params["services"].items():
        _table(table, file, f"services.{name}")
        v.check_param(table.get("headway_h"), file, f"services.{name}.headway_h")
        if "vessel" in table and not isinstance(table["vessel"], str):
            raise GeodataError(
                f"must be a text, got {v.show(table['vessel'], 60)}",
                file=file,
                feature=f"services.{name}",
                field="vessel",
            )
    v.check_param_changes(params, file)


def _check_nested_params(tables: Any, file: str, where: str) -> None:
    """Check a table of tables of parameters, such as ``modes.rail.by_country``.

    Parameters
    ----------
    tables
        The table (None or empty for none).
    file
        The file, for the errors.
    where
        The table's dotted name.

    Raises
    ------
    GeodataError
        If it or one of its entries is not a table, or a value is not a parameter.
    """
    for key, sub in _table(tables or {}, file, where).items():
        for name, val in _table(sub, file, f"{where}.{key}").items():
            v.check_param(val, file, f"{where}.{key}.{name}")


def _check_mode_params(modes: dict[str, Any], file: str) -> None:
    """Check ``[modes]``: every mode, its speed, cost and CO2, and its per-country/vessel tables.

    Parameters
    ----------
    modes
        The ``[modes]`` table.
    file
        The file, for the errors.

    Raises
    ------
    GeodataError
        If a mode is missing or a parameter is bad.
    """
    for mode in v.MODES:
        if mode not in modes:
            raise GeodataError("is missing", file=file, feature=f"modes.{mode}")
        table = _table(modes[mode], file, f"modes.{mode}")
        for key in ("speed_kmh", "cost_usd_per_teu_km", "co2_kg_per_teu_km"):
            v.check_param(table.get(key), file, f"modes.{mode}.{key}")
        for group in ("by_country", "by_vessel"):
            _check_nested_params(table.get(group), file, f"modes.{mode}.{group}")


def _check_transfer_params(transfers: dict[str, Any], file: str) -> None:
    """Check ``[transfers]``: the transfers the model needs, each with dwell and cost.

    Parameters
    ----------
    transfers
        The ``[transfers]`` table.
    file
        The file, for the errors.

    Raises
    ------
    GeodataError
        If a needed transfer is missing or a parameter is bad.
    """
    from .model import GATE_TRANSFER

    needed = {*GATE_TRANSFER.values(), "gauge_change", "rail_road", "sea_transshipment"}
    for name in sorted(needed - set(transfers)):
        raise GeodataError("is missing", file=file, feature=f"transfers.{name}")
    for name, table in transfers.items():
        _table(table, file, f"transfers.{name}")
        for key in ("dwell_h", "cost_usd_per_teu"):
            v.check_param(table.get(key), file, f"transfers.{name}.{key}")


def _check_border_params(borders: dict[str, Any], file: str) -> None:
    """Check ``[borders]``: rail and road dwell and cost, per country pair and per link.

    Parameters
    ----------
    borders
        The ``[borders]`` table.
    file
        The file, for the errors.

    Raises
    ------
    GeodataError
        If rail or road is missing or a parameter is bad.
    """
    for name in ("rail", "road"):
        if name not in borders:
            raise GeodataError("is missing", file=file, feature=f"borders.{name}")
        table = _table(borders[name], file, f"borders.{name}")
        for key in ("dwell_h", "cost_usd_per_teu"):
            v.check_param(table.get(key), file, f"borders.{name}.{key}")
        _check_nested_params(table.get("by_country"), file, f"borders.{name}.by_country")
    _check_nested_params(borders.get("by_link"), file, "borders.by_link")


def _check_stations(
    links: dict[str, dict[str, Any]], stations: dict[str, dict[str, Any]], file: str
) -> None:
    for lid, link in links.items():
        if not link["via"]:
            continue
        verts = set(link["coords"])
        for sid in link["via"]:
            st = stations.get(sid)
            if st is None:
                raise GeodataError(
                    f"names station {sid!r}, which is not in stations.geojson",
                    file=file,
                    feature=lid,
                    field="via",
                )
            if (st["lon"], st["lat"]) not in verts:
                raise GeodataError(
                    f"geometry does not pass through station {sid!r}",
                    file=file,
                    feature=lid,
                    field="via",
                )


@paused
def load_geodata(directory: str | os.PathLike[str] | None = None) -> Geodata:
    """Read and validate a geodata directory.

    Parameters
    ----------
    directory
        A directory with ``nodes.geojson``, ``links.geojson`` and ``parameters.toml``. ``None``
        reads the bundled corridor data.

    Returns
    -------
    Geodata
        The validated data.

    Raises
    ------
    GeodataError
        If a file is missing, unreadable or invalid; the message names the file, the feature
        and the field.
    """
    if directory is not None and not isinstance(directory, str | os.PathLike):
        raise InputError(
            f"load_geodata() needs a directory path (str or os.PathLike) or None, got "
            f"{type(directory).__name__}"
        )
    base = bundled_geodata_dir() if directory is None else Path(directory)
    if not base.is_dir():
        raise GeodataError(f"geodata directory {str(base)!r} does not exist or is not a directory")
    params = read_toml(base / "parameters.toml")
    _check_params(params, "parameters.toml")
    nodes = _read_points(base / "nodes.geojson", kinds=True)
    if not nodes:
        raise GeodataError("holds no nodes: the network is empty", file="nodes.geojson")
    links = _read_links(base / "links.geojson", nodes, params)
    if not links:
        raise GeodataError("holds no links: the network is empty", file="links.geojson")
    stations: dict[str, dict[str, Any]] = {}
    if (base / "stations.geojson").exists():
        stations = _read_points(base / "stations.geojson", kinds=False)
    _check_stations(links, stations, "links.geojson")
    regions: dict[str, list[str]] = {}
    if (base / "regions.toml").exists():
        raw = read_toml(base / "regions.toml")
        listed = raw.get("regions", {})
        if not isinstance(listed, dict):
            raise GeodataError(
                f"must be a table of regions, got {type(listed).__name__} {v.show(listed, 60)}",
                file="regions.toml",
                feature="regions",
            )
        for name, table in listed.items():
            members = table.get("nodes") if isinstance(table, dict) else None
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                raise GeodataError(
                    "needs a 'nodes' list of node ids",
                    file="regions.toml",
                    feature=name,
                    field="nodes",
                )
            for m in members:
                if m not in nodes:
                    raise GeodataError(
                        f"names node {m!r}, which is not in nodes.geojson",
                        file="regions.toml",
                        feature=name,
                        field="nodes",
                    )
            regions[name] = list(members)
    return Geodata(
        nodes=nodes,
        links=links,
        stations=stations,
        params=params,
        regions=regions,
        directory=str(base),
    )
