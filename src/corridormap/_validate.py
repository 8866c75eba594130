"""The one place where geodata and parameters are checked.

Every check raises :class:`~corridormap.GeodataError` naming the file, the feature id and the
field, and saying what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._errors import GeodataError, closest

NODE_KINDS = ("city", "rail_station", "port", "border_crossing", "chokepoint", "dry_port")
MODES = ("rail", "road", "sea", "caspian", "ferry", "inland")
STATUSES = ("operational", "gap", "under_construction", "planned")
BASES = ("official", "measured", "calibrated", "estimated")
#: modes whose links are run as scheduled services (a wait for a departure applies)
SCHEDULED_MODES = ("sea", "caspian", "ferry", "inland")
#: statuses routable in the baseline network
ROUTABLE_STATUSES = ("operational", "gap")

# the number of characters a text field may hold; anything longer is almost certainly not data
MAX_TEXT = 10_000
MAX_VERTICES = 100_000


def _where(file: str, fid: Any, field: str | None = None) -> dict[str, Any]:
    return {"file": file, "feature": None if fid is None else str(fid), "field": field}


def check_enum(value: Any, options: tuple[str, ...], file: str, fid: Any, field: str) -> str:
    """Return ``value`` if it is one of ``options``, else raise a helpful error."""
    if not isinstance(value, str) or value not in options:
        hint = ""
        if isinstance(value, str):
            near = closest(value, options, n=1)
            if near:
                hint = f" (did you mean {near[0]!r}?)"
        raise GeodataError(
            f"{value!r} is not one of {', '.join(options)}{hint}", **_where(file, fid, field)
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
            f"must be text, got {type(value).__name__} {value!r}", **_where(file, fid, key)
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
            f"must be a number, got {type(value).__name__} {value!r}", **_where(file, fid, key)
        )
    if not math.isfinite(value):
        raise GeodataError(f"must be a finite number, got {value!r}", **_where(file, fid, key))
    if positive and (value < 0 or (value == 0 and not allow_zero)):
        expect = "zero or more" if allow_zero else "greater than zero"
        raise GeodataError(f"must be {expect}, got {value!r}", **_where(file, fid, key))
    return float(value)


def check_text_list(props: Mapping[str, Any], key: str, file: str, fid: Any) -> list[str]:
    """Return an optional list-of-text property (missing means empty)."""
    value = props.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GeodataError(f"must be a list of texts, got {value!r}", **_where(file, fid, key))
    for v in value:
        if len(v) > MAX_TEXT:
            raise GeodataError("holds a text that is too long", **_where(file, fid, key))
    return list(value)


def check_lonlat(coord: Any, file: str, fid: Any, field: str = "geometry") -> tuple[float, float]:
    """Return one (lon, lat) position after checking it is finite and in range."""
    if not isinstance(coord, list | tuple) or len(coord) < 2:
        raise GeodataError(f"position {coord!r} is not [lon, lat]", **_where(file, fid, field))
    lon, lat = coord[0], coord[1]
    for v in (lon, lat):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise GeodataError(
                f"position {coord!r} has a coordinate that is not a finite number",
                **_where(file, fid, field),
            )
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise GeodataError(
            f"position {coord!r} is out of range (lon -180..180, lat -90..90)",
            **_where(file, fid, field),
        )
    return float(lon), float(lat)


def check_feature_collection(doc: Any, file: str) -> list[Mapping[str, Any]]:
    """Return the features of a GeoJSON FeatureCollection."""
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise GeodataError(f"is not a GeoJSON FeatureCollection (type is {got!r})", file=file)
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise GeodataError("has no 'features' list", file=file)
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
            f"item {index} has no 'id' text property (got {fid!r})", file=file, field="id"
        )
    if len(fid) > 200:
        raise GeodataError("id is longer than 200 characters", file=file, field="id")
    return fid


def check_unique(ids: list[str], file: str) -> None:
    """Raise if an id appears twice."""
    seen: set[str] = set()
    for fid in ids:
        if fid in seen:
            raise GeodataError(
                "id is used by more than one feature", file=file, feature=fid, field="id"
            )
        seen.add(fid)


def check_param(value: Any, file: str, path: str) -> dict[str, Any]:
    """Check one uncertain parameter: a table with low <= likely <= high and a source."""
    if isinstance(value, bool | int | float):
        raise GeodataError(
            "must be a table with low, likely, high, source and basis, got a bare number",
            file=file,
            feature=path,
        )
    if not isinstance(value, dict):
        raise GeodataError(f"must be a table, got {value!r}", file=file, feature=path)
    nums = {}
    for key in ("low", "likely", "high"):
        nums[key] = check_number(value, key, file, path, allow_zero=True)
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
    """``(id, properties, geometry)`` of every feature, each checked for a unique text id and a
    geometry of ``geom_type``; the properties are copies the caller may change."""
    out = []
    for i, f in enumerate(check_feature_collection(doc, file)):
        fid = feature_id(f, file, i)
        geom = f.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") != geom_type:
            got = geom.get("type") if isinstance(geom, dict) else geom
            raise GeodataError(
                f"must be a {geom_type}, got {got!r}", file=file, feature=fid, field="geometry"
            )
        out.append((fid, dict(f["properties"]), geom))
    check_unique([fid for fid, _, _ in out], file)
    return out
