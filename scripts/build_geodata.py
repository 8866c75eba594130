"""Rebuild geodata/*.geojson from the hand-written sources in geodata/src/*.toml.

Land links become polylines through their `via` stations (in order); their length is the
published one where the source gives it (basis `official`), else measured along the polyline
(basis `measured`). Sea and Caspian links are routed by `searoute` (Eurostat MARNET network,
bundled with the package, no network access) between their endpoint nodes; their length is
searoute's unless an official figure is given.

Nodes and links carry their dates through unchanged: `opened` / `closed` (YYYY, YYYY-MM or
YYYY-MM-DD, each with its `*_source`) and `changes`, a list of dated values of one of the
feature's fields (`{date, field, value, source}`, in date order); the build checks their form.

Usage::

    python scripts/build_geodata.py            # writes geodata/{nodes,stations,links}.geojson
    python scripts/build_geodata.py --check    # exits 1 if the committed files are stale

The output is deterministic: features sorted by id, coordinates rounded to 5 decimals.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "geodata" / "src"
OUT = ROOT / "geodata"
NDIGITS = 5

NODE_KEYS = (
    "id",
    "name",
    "aliases",
    "country",
    "kind",
    "gauge",
    "capacity",
    "capacity_unit",
    "capacity_source",
    "opened",
    "opened_source",
    "closed",
    "closed_source",
    "changes",
    "source",
    "basis",
    "notes",
)
STATION_KEYS = ("id", "name", "country", "source", "basis", "notes")
LINK_KEYS = (
    "id",
    "from",
    "to",
    "mode",
    "gauge",
    "status",
    "length_km",
    "length_source",
    "services",
    "canal",
    "operator",
    "country",
    "branch",
    "via",
    "capacity",
    "capacity_unit",
    "capacity_source",
    "opened",
    "opened_source",
    "closed",
    "closed_source",
    "changes",
    "source",
    "basis",
    "notes",
)
#: a date: YYYY, YYYY-MM or YYYY-MM-DD
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
CHANGE_KEYS = ("date", "field", "value", "source")


def haversine_km(a, b):
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _r(x: float) -> float:
    return round(float(x), NDIGITS)


def load_sources() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"node": [], "station": [], "link": [], "sea_link": []}
    for path in sorted(SRC.glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for key in out:
            for item in doc.get(key, []):
                item = dict(item)
                item["_file"] = path.name
                out[key].append(item)
    return out


def check_dates(item: dict, what: str) -> None:
    """`opened` / `closed` are dates with their source; `changes` are dated, sourced, in order."""
    where = f"{item['_file']}: {what} {item['id']!r}"
    for key in ("opened", "closed"):
        if key in item:
            if not isinstance(item[key], str) or not DATE.match(item[key]):
                raise SystemExit(f"{where}: {key} must be YYYY, YYYY-MM or YYYY-MM-DD")
            if not str(item.get(f"{key}_source", "")).strip():
                raise SystemExit(f"{where}: {key} needs {key}_source")
        elif f"{key}_source" in item:
            raise SystemExit(f"{where}: {key}_source without {key}")
    if "opened" in item and "closed" in item and item["closed"] < item["opened"]:
        raise SystemExit(f"{where}: closed before opened")
    changes = item.get("changes", [])
    if not isinstance(changes, list):
        raise SystemExit(f"{where}: changes must be a list of tables")
    for i, ch in enumerate(changes):
        if not isinstance(ch, dict) or sorted(ch) != sorted(CHANGE_KEYS):
            raise SystemExit(f"{where}: changes[{i}] needs exactly {', '.join(CHANGE_KEYS)}")
        if not isinstance(ch["date"], str) or not DATE.match(ch["date"]):
            raise SystemExit(f"{where}: changes[{i}].date must be YYYY, YYYY-MM or YYYY-MM-DD")
        if ch["field"] not in item:
            raise SystemExit(f"{where}: changes[{i}] changes {ch['field']!r}, which it lacks")
        if i and ch["date"] <= changes[i - 1]["date"]:
            raise SystemExit(f"{where}: changes must be in date order")


def _dedupe(items: list[dict], what: str) -> dict[str, dict]:
    table: dict[str, dict] = {}
    for it in items:
        if it["id"] in table:
            raise SystemExit(
                f"{it['_file']}: {what} {it['id']!r} is also defined in {table[it['id']]['_file']}"
            )
        check_dates(it, what)
        table[it["id"]] = it
    return table


def _props(item: dict, keys: tuple[str, ...]) -> dict:
    return {k: item[k] for k in keys if k in item and item[k] not in (None, "")}


def _point(item: dict, keys) -> dict:
    return {
        "type": "Feature",
        "properties": _props(item, keys),
        "geometry": {"type": "Point", "coordinates": [_r(item["lon"]), _r(item["lat"])]},
    }


def land_link(link: dict, nodes: dict, stations: dict) -> dict:
    pts = [nodes[link["from"]]]
    for sid in link.get("via", []):
        if sid not in stations:
            raise SystemExit(f"{link['_file']}: link {link['id']!r} names unknown station {sid!r}")
        pts.append(stations[sid])
    pts.append(nodes[link["to"]])
    coords = [[_r(p["lon"]), _r(p["lat"])] for p in pts]
    measured = sum(haversine_km(coords[i], coords[i + 1]) for i in range(len(coords) - 1))
    props = _props(link, LINK_KEYS)
    if "length_km" in link:
        props["basis"] = link.get("basis", "official")
        props["measured_km"] = round(measured, 1)
    else:
        props["length_km"] = round(measured, 1)
        props["basis"] = "measured"
        props["length_source"] = "measured along the polyline through the via stations"
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def sea_link(link: dict, nodes: dict) -> dict:
    import searoute

    a, b = nodes[link["from"]], nodes[link["to"]]
    head = [tuple(p) for p in link.get("approach_from", [])]
    tail = [tuple(p) for p in link.get("approach_to", [])]
    start = head[-1] if head else (a["lon"], a["lat"])
    end = tail[0] if tail else (b["lon"], b["lat"])
    kwargs = {}
    if "restrictions" in link:
        kwargs["restrictions"] = link["restrictions"]
    res = searoute.searoute(list(start), list(end), units="km", **kwargs)
    if float(res.properties["length"]) <= 0:
        raise SystemExit(f"{link['_file']}: searoute found no sea route for {link['id']!r}")
    pts = [
        (a["lon"], a["lat"]),
        *head,
        *map(tuple, res.geometry["coordinates"]),
        *tail,
        (b["lon"], b["lat"]),
    ]
    coords = []
    for x, y in pts:
        c = [_r(x), _r(y)]
        if not coords or c != coords[-1]:
            coords.append(c)
    km = sum(haversine_km(coords[i], coords[i + 1]) for i in range(len(coords) - 1))
    props = _props(link, LINK_KEYS)
    version = _searoute_version()
    props["measured_km"] = round(km, 1)
    if "length_km" not in link:
        props["length_km"] = round(km, 1)
        props["basis"] = "measured"
        props["length_source"] = (
            f"measured along the searoute {version} (Eurostat MARNET) sea route"
        )
    else:
        props["basis"] = link.get("basis", "official")
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def _searoute_version() -> str:
    from importlib.metadata import version

    return version("searoute")


def build() -> dict[str, dict]:
    src = load_sources()
    nodes = _dedupe(src["node"], "node")
    stations = _dedupe(src["station"], "station")
    clash = set(nodes) & set(stations)
    if clash:
        raise SystemExit(f"ids used for both a node and a station: {sorted(clash)}")
    links = _dedupe(src["link"] + src["sea_link"], "link")
    feats = []
    for lid in sorted(links):
        link = links[lid]
        for end in ("from", "to"):
            if link[end] not in nodes:
                raise SystemExit(
                    f"{link['_file']}: link {lid!r} names unknown node {link[end]!r} in {end!r}"
                )
        if link in src["sea_link"]:
            feats.append(sea_link(link, nodes))
        else:
            feats.append(land_link(link, nodes, stations))
    used = {s for link in links.values() for s in link.get("via", [])}
    unused = sorted(set(stations) - used)
    if unused:
        raise SystemExit(f"stations on no link's via list: {unused}")

    def fc(features):
        return {"type": "FeatureCollection", "features": features}

    return {
        "nodes.geojson": fc([_point(nodes[k], NODE_KEYS) for k in sorted(nodes)]),
        "stations.geojson": fc([_point(stations[k], STATION_KEYS) for k in sorted(stations)]),
        "links.geojson": fc(feats),
    }


def dumps(doc: dict) -> str:
    """One feature per line: small diffs, still valid JSON."""
    lines = ['{"type": "FeatureCollection", "features": [']
    feats = doc["features"]
    for i, f in enumerate(feats):
        sep = "," if i < len(feats) - 1 else ""
        lines.append(json.dumps(f, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed files instead of writing them",
    )
    args = ap.parse_args(argv)
    stale = []
    for name, doc in build().items():
        text = dumps(doc)
        path = OUT / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            print(f"wrote {path.relative_to(ROOT)} ({len(doc['features'])} features)")
    if stale:
        print("stale (re-run scripts/build_geodata.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
