"""The schema of the data and the arguments: the one place where their types and limits are checked.

A check of geodata or parameters raises :class:`~corridormap.GeodataError` naming the file, the
feature id and the field, and saying what was expected; a check of an argument raises
:class:`~corridormap.InputError` naming the argument.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._errors import GeodataError, InputError, closest

NODE_KINDS = ("city", "rail_station", "port", "border_crossing", "chokepoint", "dry_port")
#: the kinds of node that routes pass through but where no cargo starts or ends, with the
#: reason: the network gives them no gate and no transfers, and the place resolver refuses them
#: as an origin or destination (``--via`` and ``--avoid`` may still name them)
PASS_THROUGH_KINDS: Mapping[str, str] = MappingProxyType(
    {"chokepoint": "a sea passage that ships sail through, where no cargo starts or ends"}
)
MODES = ("rail", "road", "sea", "caspian", "ferry", "inland")
STATUSES = ("operational", "gap", "under_construction", "planned")
BASES = ("official", "measured", "calibrated", "estimated")
#: modes whose links are run as scheduled services (a wait for a departure applies)
SCHEDULED_MODES = ("sea", "caspian", "ferry", "inland")
#: statuses routable in the baseline network
ROUTABLE_STATUSES = ("operational", "gap")

# the number of characters a text field may hold; anything longer is almost certainly not data
MAX_TEXT = 10_000
#: the most vertices of one link, and of all the links of one file
MAX_VERTICES = 100_000
MAX_TOTAL_VERTICES = 2_000_000
#: the environment variables that set :data:`MAX_FEATURES` and ``io.MAX_FILE_BYTES`` (MiB)
FEATURES_VARIABLE = "CORRIDORMAP_MAX_FEATURES"
FILE_MIB_VARIABLE = "CORRIDORMAP_MAX_FILE_MIB"
#: the memory a load takes per feature of its largest file, at its peak: a 1,000,000-edge grid
#: (333,000 links, 167,000 places) peaks at about 2.3 GiB (benchmarks/bench_million.py)
BYTES_PER_FEATURE = 8 * 1024
#: the share of the machine's memory a load may plan to take
MEMORY_SHARE = 0.5


def machine_memory() -> int:
    """The memory this process may use, in bytes: the machine's, or its cgroup's limit if lower.

    8 GiB when neither can be read.
    """
    import os

    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        total = 8 * 1024**3
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            limit = fh.read().strip()
        if limit.isdigit():
            total = min(total, int(limit))
    except OSError:
        pass
    return total


def _from_environment(name: str, default: int) -> int:
    """The whole number in environment variable ``name`` (at least 1), else ``default``.

    Raises
    ------
    InputError
        If the variable is set to anything but a whole number of at least 1.
    """
    import os

    text = os.environ.get(name, "").strip().replace("_", "")
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"{name} must be a whole number of at least 1, got {show(text)}")
    return int(text)


def feature_limit() -> int:
    """The most features one geodata file may hold on this machine.

    :data:`FEATURES_VARIABLE` when set; else as many as fit in :data:`MEMORY_SHARE` of
    :func:`machine_memory` at :data:`BYTES_PER_FEATURE` each (about 1.5 million on a 24 GiB
    machine, 520,000 on 8 GiB: a 1,000,000-edge network's links file holds 333,000).
    """
    fits = int(machine_memory() * MEMORY_SHARE // BYTES_PER_FEATURE)
    return _from_environment(FEATURES_VARIABLE, max(fits // 10_000 * 10_000, 10_000))


def file_limit() -> int:
    """The largest geodata file read, in bytes.

    :data:`FILE_MIB_VARIABLE` (MiB) when set; else a 32nd of :func:`machine_memory` (parsing
    takes about ten times a file's size), and at least 256 MiB.
    """
    default = max(machine_memory() // 32 // 2**20, 256)
    return _from_environment(FILE_MIB_VARIABLE, default) * 2**20


#: how deeply lists and objects may nest inside one property
MAX_PROPERTY_DEPTH = 16
#: characters an id may not hold: ``|`` joins a place id and a layer in the network's node
#: names (``RSH|road``), so an id holding it could pose as another place's layer
ID_FORBIDDEN = "|"
#: property names the network sets itself on every node / link edge; data may not use them
NODE_RESERVED = ("x", "y", "lon", "lat", "place", "layer")
LINK_RESERVED = (
    "coords",
    "geometry",
    "key",
    "u_place",
    "v_place",
    "kind",
    "link_id",
    "layer",
    "service",
    "routable",
    "transfer",
    "place",
    "from_layer",
    "to_layer",
    "distance_km",
    "move_h",
    "dwell_h",
    "wait_h",
    "tiebreak",
    "time_h",
    "cost_usd",
    "co2_kg",
    "border",
    "terms",
    "parts",
    "speed_key",
    "dwell_keys",
    "wait_keys",
    "cost_km_key",
    "fee_keys",
    "co2_key",
)
#: the most Monte Carlo draws one comparison takes: a draw keeps about 175 bytes (days and
#: cost per family), and 1,000,000 draws took 3.8 s and 310 MB on a 2-core machine
MAX_DRAWS = 2_000_000
#: the largest magnitude any number in the data may have (keeps every total finite)
MAX_NUMBER = 1e12


#: the most characters of a value an error message quotes
MAX_SHOWN = 200

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_SHOWN
_REPR.maxother = MAX_SHOWN


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def show(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)`` for an error message: at most ``limit`` characters.

    It is safe for values nested too deep or too large to print whole.
    """
    if isinstance(value, str):
        return clip(repr(value[: limit + 1]), limit)
    try:
        return clip(_REPR.repr(value), limit)
    except (RecursionError, ValueError):
        return f"<{type(value).__name__}>"


#: the most features (nodes, links or stations) one file may hold; ``None``: this machine's
#: :func:`feature_limit`, read when a file is checked
MAX_FEATURES: int | None = None


# -- arguments of the library's public functions ------------------------------------------
def as_names(value: Any, what: str, *, also: tuple[type, ...] = ()) -> list[Any]:
    """``value`` as a list of names (texts), refusing a bare string.

    A single string where a list is expected would otherwise be iterated by character
    (``via="Tehran"`` -> "no place 'T'").

    Parameters
    ----------
    value
        ``None`` (an empty list), or an iterable of texts (or of the types in ``also``).
    what
        The argument's name, for the message (``"via"``).
    also
        Other item types accepted besides ``str`` (e.g. ``Family``).

    Raises
    ------
    InputError
        For a bare string or bytes, a non-iterable, or an item of another type.
    """
    if value is None:
        return []
    if isinstance(value, str | bytes):
        raise InputError(
            f"{what} must be a list of names, not the single string {show(value)}; "
            f"write [{show(value)}]"
        )
    if isinstance(value, Mapping):
        raise InputError(f"{what} must be a list of names, got a {type(value).__name__}")
    try:
        items = list(value)
    except TypeError:
        raise InputError(
            f"{what} must be a list of names, got {type(value).__name__} {show(value)}"
        ) from None
    kinds = (str, *also)
    for item in items:
        if not isinstance(item, kinds):
            raise InputError(
                f"{what} must hold names (texts), got {type(item).__name__} {show(item)}"
            )
    return items


def check_name(value: Any, what: str) -> str:
    """``value`` if it is a text (a place id, name or alias).

    Anything else raises an :class:`~corridormap._errors.InputError` naming the
    argument.
    """
    if not isinstance(value, str):
        raise InputError(
            f"{what} must be a text (a place id, name or alias), got {type(value).__name__} "
            f"{show(value)}"
        )
    return value


def check_graph(G: Any, func: str) -> None:
    """Raise :class:`~corridormap._errors.InputError` unless ``G`` is a network.

    A corridormap network is a ``networkx.MultiDiGraph`` from
    :func:`corridormap.load_network`, or a view of one; ``func`` names the function called,
    for the message.
    """
    import networkx as nx

    if not isinstance(G, nx.MultiDiGraph) or not isinstance(G.graph.get("params"), Mapping):
        got = type(G).__name__
        if isinstance(G, nx.MultiDiGraph):
            got = "a MultiDiGraph without the network's parameters in G.graph['params']"
        raise InputError(
            f"{func}() needs a corridormap network as G (from corridormap.load_network()), "
            f"got {got}"
        )


def check_count(value: Any, what: str, *, low: int = 1, high: int) -> int:
    """``value`` if it is a whole number in ``low..high``.

    Anything else raises an :class:`~corridormap._errors.InputError` saying the
    allowed range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what} must be a whole number, got {type(value).__name__} {show(value)}")
    if not low <= value <= high:
        raise InputError(f"{what} must be between {low:,} and {high:,}, got {show(value)}")
    return value


def _where(file: str, fid: Any, field: str | None = None) -> dict[str, Any]:
    return {"file": file, "feature": None if fid is None else str(fid), "field": field}


def check_enum(value: Any, options: tuple[str, ...], file: str, fid: Any, field: str) -> str:
    """Return ``value`` if it is one of ``options``, else raise a helpful error."""
    if not isinstance(value, str) or value not in options:
        hint = ""
        if isinstance(value, str):
            near = closest(value, options, n=1)
            if near:
                hint = f" (did you mean {show(near[0])}?)"
        raise GeodataError(
            f"{show(value)} is not one of {', '.join(options)}{hint}", **_where(file, fid, field)
        )
    return value


def check_text(
    props: Mapping[str, Any], key: str, file: str, fid: Any, *, required: bool = True
) -> str:
    """Return a text property; required ones must be non-empty."""
    value = props.get(key)
    if value is None:
        if required:
            raise GeodataError(
                "is missing (a non-empty text is required)", **_where(file, fid, key)
            )
        return ""
    if not isinstance(value, str):
        raise GeodataError(
            f"must be text, got {type(value).__name__} {show(value)}", **_where(file, fid, key)
        )
    if required and not value.strip():
        raise GeodataError("is empty (a non-empty text is required)", **_where(file, fid, key))
    if len(value) > MAX_TEXT:
        raise GeodataError(
            f"is {len(value):,} characters long; at most {MAX_TEXT:,} are allowed",
            **_where(file, fid, key),
        )
    return value


def check_number(
    props: Mapping[str, Any],
    key: str,
    file: str,
    fid: Any,
    *,
    required: bool = True,
    positive: bool = True,
    allow_zero: bool = False,
) -> float | None:
    """Return a finite number property (positive unless told otherwise)."""
    value = props.get(key)
    if value is None:
        if required:
            raise GeodataError("is missing (a number is required)", **_where(file, fid, key))
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GeodataError(
            f"must be a number, got {type(value).__name__} {show(value)}", **_where(file, fid, key)
        )
    value = _finite(value, file, fid, key)
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        expect = "zero or more" if allow_zero else "greater than zero"
        raise GeodataError(f"must be {expect}, got {show(value)}", **_where(file, fid, key))
    return float(value)


def _finite(value: int | float, file: str, fid: Any, field: str | None) -> float:
    """``value`` as a float, if it is finite and at most :data:`MAX_NUMBER` in magnitude."""
    try:
        out = float(value)
    except OverflowError:  # an integer of hundreds of digits
        out = math.inf
    if not math.isfinite(out):
        raise GeodataError(
            f"must be a finite number, got {show(value, 40)}", **_where(file, fid, field)
        )
    if abs(out) > MAX_NUMBER:
        raise GeodataError(
            f"{show(value, 40)} is too large (at most {MAX_NUMBER:g} in magnitude)",
            **_where(file, fid, field),
        )
    return out


def check_text_list(props: Mapping[str, Any], key: str, file: str, fid: Any) -> tuple[str, ...]:
    """An optional list-of-text property (missing: empty) as a tuple (edges share them)."""
    value = props.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GeodataError(f"must be a list of texts, got {show(value)}", **_where(file, fid, key))
    for v in value:
        if len(v) > MAX_TEXT:
            raise GeodataError("holds a text that is too long", **_where(file, fid, key))
    return tuple(value)


def check_lonlat(coord: Any, file: str, fid: Any, field: str = "geometry") -> tuple[float, float]:
    """Return one (lon, lat) position after checking it is finite and in range."""
    if type(coord) is list and len(coord) >= 2:  # the usual case, checked at once
        lon, lat = coord[0], coord[1]
        if type(lon) is float and type(lat) is float and -180 <= lon <= 180 and -90 <= lat <= 90:
            return lon, lat
    if not isinstance(coord, list | tuple) or len(coord) < 2:
        raise GeodataError(
            f"position {show(coord, 80)} is not [lon, lat]", **_where(file, fid, field)
        )
    lon, lat = coord[0], coord[1]
    for v in (lon, lat):
        finite = isinstance(v, int | float) and not isinstance(v, bool)
        if finite and isinstance(v, int):
            finite = -1000 < v < 1000  # no float() of an integer of hundreds of digits
        if not finite or not math.isfinite(v):
            raise GeodataError(
                f"position {show(coord, 80)} has a coordinate that is not a finite number",
                **_where(file, fid, field),
            )
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise GeodataError(
            f"position {show(coord)} is out of range (lon -180..180, lat -90..90)",
            **_where(file, fid, field),
        )
    return float(lon), float(lat)


def check_feature_collection(doc: Any, file: str) -> list[Mapping[str, Any]]:
    """Return the features of a GeoJSON FeatureCollection."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise GeodataError(f"is not a GeoJSON FeatureCollection (type is {show(got)})", file=file)
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise GeodataError("has no 'features' list", file=file)
    limit = feature_limit() if MAX_FEATURES is None else MAX_FEATURES
    if len(feats) > limit:
        raise GeodataError(
            f"holds {len(feats):,} features; at most {limit:,} are allowed per file on "
            f"this machine (set {FEATURES_VARIABLE} to raise or lower the limit)",
            file=file,
        )
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise GeodataError(f"item {i} is not a GeoJSON Feature", file=file)
        if not isinstance(f.get("properties"), dict):
            raise GeodataError(f"item {i} has no 'properties' object", file=file)
    return feats


def feature_id(feature: Mapping[str, Any], file: str, index: int) -> str:
    """Return the feature's ``id`` property, which must be a non-empty text."""
    fid = feature["properties"].get("id")
    if not isinstance(fid, str) or not fid.strip():
        raise GeodataError(
            f"item {index} has no 'id' text property (got {show(fid)})", file=file, field="id"
        )
    if len(fid) > 200:
        raise GeodataError(
            f"id {show(fid, 60)} is longer than 200 characters", file=file, field="id"
        )
    check_id(fid, file)
    return fid


def check_id(fid: str, file: str | None = None) -> str:
    """Return ``fid`` if it can name a place or link.

    An id has no control characters, no ``|`` (see :data:`ID_FORBIDDEN`) and no spaces at
    either end.
    """
    if fid.isprintable() and ID_FORBIDDEN not in fid and fid == fid.strip():
        return fid  # the usual case: no control character (none is printable), no '|'
    bad = sorted({c for c in fid if c in ID_FORBIDDEN or unicodedata.category(c) == "Cc"})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise GeodataError(
            f"id {show(fid)} holds {shown}; ids may not hold control characters or '|' "
            "(the network joins a place id and a layer with '|', as in 'RSH|road')",
            file=file,
            feature=fid,
            field="id",
        )
    if fid != fid.strip():
        raise GeodataError(
            f"id {show(fid)} starts or ends with a space", file=file, feature=fid, field="id"
        )
    return fid


def check_reserved(
    props: Mapping[str, Any], reserved: tuple[str, ...], file: str, fid: Any
) -> None:
    """Raise if a property has a name the network sets itself.

    Those names (:data:`NODE_RESERVED`, :data:`LINK_RESERVED`) would clash with or overwrite
    the network's own attribute.
    """
    if props.keys().isdisjoint(reserved):
        return
    for key in props:
        if key in reserved:
            raise GeodataError(
                "is a name corridormap sets itself on the network's "
                f"{'nodes' if reserved is NODE_RESERVED else 'edges'}; rename the property "
                f"(reserved: {', '.join(reserved)})",
                **_where(file, fid, key),
            )


def check_depth(props: Mapping[str, Any], file: str, fid: Any) -> None:
    """Raise if a property value nests lists or objects more than :data:`MAX_PROPERTY_DEPTH` deep.

    Later copies and prints would recurse that deep.
    """
    for key, value in props.items():
        if not isinstance(value, dict | list):
            continue
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, dict | list):
                if depth > MAX_PROPERTY_DEPTH:
                    raise GeodataError(
                        f"nests lists or objects more than {MAX_PROPERTY_DEPTH} levels deep",
                        **_where(file, fid, key),
                    )
                children = item.values() if isinstance(item, dict) else item
                stack.extend((c, depth + 1) for c in children)


def check_unique(ids: list[str], file: str) -> None:
    """Raise if an id appears twice."""
    seen: set[str] = set()
    for fid in ids:
        if fid in seen:
            raise GeodataError(
                "id is used by more than one feature", file=file, feature=fid, field="id"
            )
        seen.add(fid)


#: the range each kind of parameter must lie in, by the last part of its key; the smallest
#: speed keeps every travel time finite, the largest values keep every total finite
PARAM_BOUNDS: dict[str, tuple[float, float]] = {
    "speed_kmh": (0.1, 1_000.0),
    "cost_usd_per_teu_km": (0.0, 10_000.0),
    "co2_kg_per_teu_km": (0.0, 10_000.0),
    "cost_usd_per_teu": (0.0, 10_000_000.0),
    "dwell_h": (0.0, 100_000.0),
    "transit_h": (0.0, 100_000.0),
    "headway_h": (0.0, 100_000.0),
}
#: the range of a parameter of any other name
OTHER_PARAM_BOUNDS = (0.0, 1e9)
#: the longest a link may be, in km (half the equator is 20,000 km)
MAX_LENGTH_KM = 50_000.0


def param_bounds(path: str) -> tuple[float, float]:
    """The ``(lowest, highest)`` allowed value of the parameter at dotted key ``path``."""
    return PARAM_BOUNDS.get(path.rsplit(".", 1)[-1], OTHER_PARAM_BOUNDS)


def check_param(value: Any, file: str, path: str) -> dict[str, Any]:
    """Check one uncertain parameter: a table with low <= likely <= high and a source."""
    if isinstance(value, bool | int | float):
        raise GeodataError(
            "must be a table with low, likely, high, source and basis, got a bare number",
            file=file,
            feature=path,
        )
    if not isinstance(value, dict):
        raise GeodataError(f"must be a table, got {show(value)}", file=file, feature=path)
    nums = {}
    lo, hi = param_bounds(path)
    for key in ("low", "likely", "high"):
        nums[key] = check_number(value, key, file, path, allow_zero=True)
        if not lo <= nums[key] <= hi:
            raise GeodataError(
                f"{nums[key]:g} is out of range: a {path.rsplit('.', 1)[-1]} value must be "
                f"between {lo:g} and {hi:g}",
                file=file,
                feature=path,
                field=key,
            )
    if not nums["low"] <= nums["likely"] <= nums["high"]:
        raise GeodataError(
            f"needs low <= likely <= high, got {nums['low']}, {nums['likely']}, {nums['high']}",
            file=file,
            feature=path,
            field="likely",
        )
    check_text(value, "source", file, path)
    check_enum(value.get("basis"), BASES, file, path, "basis")
    if value["basis"] == "calibrated":
        _check_calibrated(value, nums, file, path)
    return value


def _check_calibrated(value: Mapping[str, Any], nums: dict, file: str, path: str) -> None:
    """A calibrated table keeps its sourced range and the likely value it was calibrated from."""
    rng = value.get("sourced_range")
    if not (
        isinstance(rng, list)
        and len(rng) == 2
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in rng)
        and rng[0] <= nums["low"] <= nums["high"] <= rng[1]
    ):
        raise GeodataError(
            f"a calibrated value needs sourced_range = [low, high] covering low and high, "
            f"got {rng!r}",
            file=file,
            feature=path,
            field="sourced_range",
        )
    prior = value.get("calibrated_from")
    if not (
        isinstance(prior, int | float) and not isinstance(prior, bool) and rng[0] <= prior <= rng[1]
    ):
        raise GeodataError(
            f"a calibrated value needs calibrated_from (the likely value before calibration) "
            f"within the sourced range, got {prior!r}",
            file=file,
            feature=path,
            field="calibrated_from",
        )


def typed_features(
    doc: Any, file: str, geom_type: str
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(id, properties, geometry)`` of every feature.

    Each is checked for a unique text id and a geometry of ``geom_type``. The properties are
    the document's own mappings, which the caller may change: a document is parsed for its
    reader alone (copying a million of them would double their memory).
    """
    out = []
    ids = []
    for i, f in enumerate(check_feature_collection(doc, file)):
        props = f["properties"]
        fid = props.get("id")
        if not _usual_id(fid):
            fid = feature_id(f, file, i)
        geom = f.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") != geom_type:
            got = geom.get("type") if isinstance(geom, dict) else geom
            raise GeodataError(
                f"must be a {geom_type}, got {show(got)}", file=file, feature=fid, field="geometry"
            )
        if not _SCALARS.issuperset(map(type, props.values())):  # else nothing nests
            check_depth(props, file, fid)
        out.append((fid, props, geom))
        ids.append(fid)
    if len(set(ids)) < len(ids):
        check_unique(ids, file)
    return out


#: the types of a property value that holds no list or object (as JSON parses them)
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _usual_id(fid: Any) -> bool:
    """Whether ``fid`` is an id :func:`feature_id` accepts, by a test of the usual case.

    A ``False`` says nothing: :func:`feature_id` itself decides.
    """
    return (
        type(fid) is str
        and 0 < len(fid) <= 200
        and fid.isprintable()
        and ID_FORBIDDEN not in fid
        and fid == fid.strip()
    )


# -- dates: when a feature entered or left service, and its dated changes ---------------------
#: a date as the data and the arguments write it: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
DATE_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
#: the date fields of a node or link, each with its ``<field>_source``
DATE_FIELDS = ("opened", "closed")
#: the keys of one item of ``changes``
CHANGE_KEYS = ("date", "field", "value", "source")
#: fields a dated change may not set: what identifies a feature, places it and dates it
UNCHANGEABLE = (
    "id",
    "from",
    "to",
    "mode",
    "kind",
    "country",
    "gauge",
    "services",
    "canal",
    "via",
    "branch",
    "source",
    "basis",
    "notes",
    "name",
    "aliases",
    *DATE_FIELDS,
    *(f"{f}_source" for f in DATE_FIELDS),
    "changes",
)


def read_date(value: Any) -> dt.date | None:
    """The first day a date text names (``"2018"`` -> 2018-01-01), or ``None`` if malformed.

    Parameters
    ----------
    value
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a :class:`datetime.date` is returned as it
        is).

    Returns
    -------
    datetime.date or None
        The date (a partial date's first day), or ``None`` for anything else, including an
        impossible day such as ``2019-02-30``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    m = DATE_PATTERN.fullmatch(value)
    if m is None:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        return dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def check_date(value: Any, file: str, fid: Any, field: str) -> dt.date:
    """A date field as the first day it names; an error naming the field if it is malformed."""
    out = read_date(value) if isinstance(value, str) else None
    if out is None:
        raise GeodataError(
            f"must be a date YYYY, YYYY-MM or YYYY-MM-DD (a real day), got {show(value, 60)}",
            **_where(file, fid, field),
        )
    return out


def check_dates(props: Mapping[str, Any], file: str, fid: Any) -> None:
    """Check a node's or link's ``opened``, ``closed`` (each with its source) and ``changes``.

    Parameters
    ----------
    props
        The feature's properties.
    file, fid
        The file and the feature, for the errors.

    Raises
    ------
    GeodataError
        If a date is malformed or has no ``<field>_source`` (or a source has no date), the
        feature closes before it opens, or ``changes`` is malformed (see
        :func:`check_changes`).
    """
    dates = {}
    for key in DATE_FIELDS:
        src = f"{key}_source"
        if props.get(key) is None:
            if props.get(src) is not None:
                raise GeodataError(
                    f"{src} is given without {key} (the date it is the source of)",
                    **_where(file, fid, src),
                )
            continue
        dates[key] = check_date(props[key], file, fid, key)
        check_text(props, src, file, fid)
    if len(dates) == 2 and dates["closed"] < dates["opened"]:
        raise GeodataError(
            f"closed {props['closed']} is before opened {props['opened']}",
            **_where(file, fid, "closed"),
        )
    if props.get("changes") is not None:
        check_changes(props["changes"], props, file, fid)


def check_changes(changes: Any, owner: Mapping[str, Any], file: str, fid: Any) -> None:
    """Check ``changes``: dated values of the owner's fields, each sourced, in date order.

    Parameters
    ----------
    changes
        The list: ``[{date, field, value, source}, ...]``.
    owner
        The feature or parameter table holding it (its fields are what may change).
    file, fid
        The file and the feature (or the parameter table's dotted name), for the errors.

    Raises
    ------
    GeodataError
        If it is not a list of tables with exactly those keys, a date is malformed or not
        after the one before, the field is not one of the owner's or may not change (see
        :data:`UNCHANGEABLE`), the value does not fit the field (a number for a number, a
        number in range for a ``{low, likely, high}`` parameter, a status for ``status``), or
        the source is empty.
    """
    if not isinstance(changes, list):
        raise GeodataError(
            f"must be a list of tables {{date, field, value, source}}, got {show(changes, 60)}",
            **_where(file, fid, "changes"),
        )
    before: dt.date | None = None
    for i, ch in enumerate(changes):
        where = f"changes[{i}]"
        if not isinstance(ch, dict):
            raise GeodataError(
                f"must be a table {{date, field, value, source}}, got {show(ch, 60)}",
                **_where(file, fid, where),
            )
        extra = sorted(set(ch) - set(CHANGE_KEYS))
        missing = [k for k in CHANGE_KEYS if k not in ch]
        if extra or missing:
            what = f"has {show(extra[0])}" if extra else f"lacks {show(missing[0])}"
            raise GeodataError(
                f"{what}; a change has exactly {', '.join(CHANGE_KEYS)}",
                **_where(file, fid, where),
            )
        when = check_date(ch["date"], file, fid, f"{where}.date")
        if before is not None and when <= before:
            raise GeodataError(
                f"date {ch['date']} is not after the change before it: changes are in date order",
                **_where(file, fid, f"{where}.date"),
            )
        before = when
        check_text(ch, "source", file, fid)
        _check_change_value(ch, owner, file, fid, where)


def _check_change_value(
    ch: Mapping[str, Any], owner: Mapping[str, Any], file: str, fid: Any, where: str
) -> None:
    """Check a change's ``field`` (one of the owner's that may change) and ``value`` (fits it)."""
    name = ch["field"]
    if not isinstance(name, str) or name not in owner:
        raise GeodataError(
            f"changes {show(name, 60)}, which the feature does not have (a change sets a value "
            "the feature states for today)",
            **_where(file, fid, f"{where}.field"),
        )
    if name in UNCHANGEABLE:
        raise GeodataError(
            f"{name!r} cannot change with a date (these identify, place or date a feature: "
            f"{', '.join(UNCHANGEABLE)})",
            **_where(file, fid, f"{where}.field"),
        )
    value, today = ch["value"], owner[name]
    field = f"{where}.value"
    if name == "status":
        check_enum(value, STATUSES, file, fid, field)
    elif isinstance(today, dict):  # a parameter {low, likely, high}: the value replaces likely
        number = check_number({field: value}, field, file, fid, allow_zero=True)
        lo, hi = param_bounds(name)
        if not lo <= number <= hi:
            raise GeodataError(
                f"{number:g} is out of range: a {name} value must be between {lo:g} and {hi:g}",
                **_where(file, fid, field),
            )
        ref = today.get("calibrated_from", today.get("likely"))
        if isinstance(ref, bool) or not isinstance(ref, int | float) or not ref > 0:
            raise GeodataError(
                f"changes {name!r}, whose likely value is not above zero, so its range cannot "
                "be scaled to the changed value",
                **_where(file, fid, f"{where}.field"),
            )
    elif isinstance(today, int | float) and not isinstance(today, bool):
        check_number({field: value}, field, file, fid, allow_zero=True)
    elif isinstance(today, str):
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise GeodataError(
                f"must be a text like the field it changes, got {show(value, 60)}",
                **_where(file, fid, field),
            )
    else:
        raise GeodataError(
            f"{name!r} holds {type(today).__name__}; only numbers, texts, status and "
            "{low, likely, high} parameters change with a date",
            **_where(file, fid, f"{where}.field"),
        )


def check_param_changes(params: Mapping[str, Any], file: str) -> None:
    """Check every ``changes`` list in ``parameters.toml``, in whichever table it is.

    A table's ``changes`` set its own fields (``[services.baltic_feeder] changes`` set
    ``headway_h``); see :func:`check_changes`.

    Raises
    ------
    GeodataError
        Naming the file, the table (dotted) and the change at fault.
    """
    stack: list[tuple[str, Mapping[str, Any]]] = [("", params)]
    while stack:
        path, table = stack.pop()
        if "changes" in table and path:
            check_changes(table["changes"], table, file, path)
        for key, sub in table.items():
            if isinstance(sub, dict):
                stack.append((f"{path}.{key}" if path else str(key), sub))
