"""Rebuild geodata/*.geojson from the hand-written sources in geodata/src/*.toml.

Land links become polylines through their `via` stations (in order); their length is the
published one where the source gives it (basis `official`), else measured along the polyline
(basis `measured`). Sea links are routed by `searoute` (Eurostat MARNET network, bundled with
the package, no network access) between their endpoint nodes; their length is searoute's unless
an official figure is given.

Caspian sailings (modes `caspian` and `ferry`) are not routed by searoute: MARNET has a handful
of Caspian edges that all meet at one node off the Absheron peninsula, so every Caspian lane
drawn from it passed one point off Baku and the map read as if every ship called there. Each
Caspian link instead carries a `course`: the list of [lon, lat] waypoints at sea between its two
ports, kept in the link's toml table. The link is drawn from its first port through the
waypoints to its second port, and its length is measured along that line (haversine, basis
`measured`) unless an official figure is given. A link whose first port lies up a river or canal
(Astrakhan and Olya, on the Volga-Caspian canal) names `searoute_to`, the point where the canal
meets the open sea: searoute's MARNET canal is drawn from the port to that point, then the
course. How the courses were chosen (`--suggest-course LINK_ID` prints the suggestion for a
link):

1. the shortest path at sea between the two ends (the canal's sea end for canal links) on a
   visibility graph over the basemap's land (geodata/basemap/countries.geojson) widened by
   COURSE_OFFSHORE_DEG (about 15 km: ships keep off the coast, its islands and shoals), with
   COURSE_PORT_DEG around each end left open so a port on the coast can be reached (where the
   widened coast closes a port's bay, the widening is halved until a path exists);
2. where that path wraps a cape (consecutive waypoints on the widened coast less than 80 km
   apart), the wrap is replaced by one turning point: where the leg arriving at the cape and
   the leg leaving it meet, when that point stays at sea; a turning point therefore depends on
   both ends of the sailing, and sailings between different ports do not share waypoints;
3. waypoints within COURSE_PORT_DEG of an end are dropped when the line stays at sea without
   them, and the rest are rounded to 3 decimals (about 100 m).

The build checks every Caspian course against the same land mask (the line, less
COURSE_PORT_DEG round each port, may not cross land shrunk by COAST_TOL_DEG) and fails when two
Caspian links between different ports share a waypoint at sea. Other seas keep searoute: the
waypoints their sailings share are real lanes (straits, the approaches to Hormuz and
Bab-el-Mandeb, a port's departure channel), not a meeting point in open water.

Nodes and links carry their dates through unchanged: `opened` / `closed` (YYYY, YYYY-MM or
YYYY-MM-DD, each with its `*_source`) and `changes`, a list of dated values of one of the
feature's fields (`{date, field, value, source}`, in date order); the build checks their form.

Usage::

    python scripts/build_geodata.py            # writes geodata/{nodes,stations,links}.geojson
    python scripts/build_geodata.py --check    # exits 1 if the committed files are stale
    python scripts/build_geodata.py --suggest-course AST-ANZ-caspian   # prints a course

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
BASEMAP = ROOT / "geodata" / "basemap" / "countries.geojson"
#: sailings drawn along their `course` (see the docstring), not by searoute
COURSE_MODES = ("caspian", "ferry")
#: how far off the basemap's coast a suggested course keeps (degrees, about 15 km)
COURSE_OFFSHORE_DEG = 0.15
#: the radius round each end of a sailing within which the line may touch land (a port on the
#: coast, its breakwater and channel; degrees, about 25 km)
COURSE_PORT_DEG = 0.25
#: land is shrunk by this much before a course is checked (degrees, about 3 km): the 1:50m
#: coast is not drawn finer than that
COAST_TOL_DEG = 0.03

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
    "length_note",
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


def _land():
    """The basemap's land as one shapely geometry (cached)."""
    global _LAND
    if _LAND is None:
        from shapely.geometry import shape
        from shapely.ops import unary_union

        doc = json.loads(BASEMAP.read_text(encoding="utf-8"))
        _LAND = unary_union([shape(f["geometry"]) for f in doc["features"]])
    return _LAND


_LAND = None


def _sea_part(coords, a, b, skip=0):
    """The line less COURSE_PORT_DEG round both ends and less its first `skip` vertices."""
    from shapely.geometry import LineString, Point

    line = LineString(coords[skip:]) if len(coords) - skip >= 2 else None
    if line is None:
        return None
    return line.difference(Point(a).buffer(COURSE_PORT_DEG)).difference(
        Point(b).buffer(COURSE_PORT_DEG)
    )


def crosses_land(coords, a, b, skip=0) -> bool:
    """Whether a course crosses the basemap's land (shrunk by COAST_TOL_DEG) outside the
    COURSE_PORT_DEG discs round its ends; its first `skip` vertices (a river approach) are
    left out."""
    part = _sea_part(coords, a, b, skip)
    if part is None or part.is_empty:
        return False
    return not part.intersection(_land().buffer(-COAST_TOL_DEG)).is_empty


def _dedupe_coords(pts) -> list[list[float]]:
    coords = []
    for x, y in pts:
        c = [_r(x), _r(y)]
        if not coords or c != coords[-1]:
            coords.append(c)
    return coords


def course_link(link: dict, nodes: dict) -> dict:
    """A Caspian sailing drawn along its `course` (see the module docstring)."""
    a, b = nodes[link["from"]], nodes[link["to"]]
    start, end = (a["lon"], a["lat"]), (b["lon"], b["lat"])
    course = [tuple(p) for p in link.get("course", [])]
    head = []
    if "searoute_to" in link:
        import searoute

        mouth = tuple(link["searoute_to"])
        res = searoute.searoute(list(start), list(mouth), units="km")
        head = [tuple(p) for p in res.geometry["coordinates"]] + [mouth]
    coords = _dedupe_coords([start, *head, *course, end])
    river = len(_dedupe_coords([start, *head]))
    sea_from = coords[river - 1] if head else start
    if crosses_land(coords, sea_from, end, skip=river - 1):
        raise SystemExit(
            f"{link['_file']}: the course of {link['id']!r} crosses land away from its ports"
        )
    km = sum(haversine_km(coords[i], coords[i + 1]) for i in range(len(coords) - 1))
    props = _props(link, LINK_KEYS)
    props["measured_km"] = round(km, 1)
    if "length_km" not in link:
        props["length_km"] = round(km, 1)
        props["basis"] = "measured"
        how = "the link's course waypoints (geodata/src, chosen as scripts/build_geodata.py says)"
        if head:
            how = (
                f"the searoute {_searoute_version()} (Eurostat MARNET) Volga-Caspian canal to "
                f"its sea end, then {how}"
            )
        props["length_source"] = f"measured along {how}"
    else:
        props["basis"] = link.get("basis", "official")
    feat = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }
    feat["_river"] = river
    return feat


def check_courses(feats: list[dict]) -> None:
    """Fail when two Caspian sailings between different ports share a waypoint at sea.

    The river approach (the Volga-Caspian canal down to its sea end) is shared by every sailing
    from Astrakhan and Olya and is left out; so is the sea end of the canal, their common start."""
    seen: dict[tuple, tuple] = {}
    for f in feats:
        if "_river" not in f:
            continue
        p = f["properties"]
        coords = f["geometry"]["coordinates"]
        river = f["_river"]
        sea_from = "canal:" + p["canal"] if river > 1 and p.get("canal") else p["from"]
        ends = frozenset((sea_from, p["to"]))
        for v in coords[max(river, 1) : -1]:
            key = tuple(v)
            if key in seen and seen[key][1] != ends:
                raise SystemExit(
                    f"links {seen[key][0]!r} and {p['id']!r} share the waypoint {list(key)} at sea"
                )
            seen.setdefault(key, (p["id"], ends))


def suggest_course(a, b, *, offshore=COURSE_OFFSHORE_DEG, port=COURSE_PORT_DEG):
    """A course between two points at sea or on the coast, as the module docstring says."""
    import heapq

    from shapely.geometry import LineString, Point, box

    land = _land()
    span = box(min(a[0], b[0]) - 4, min(a[1], b[1]) - 4, max(a[0], b[0]) + 4, max(a[1], b[1]) + 4)
    obst = (
        land.intersection(span)
        .buffer(offshore)
        .difference(Point(a).buffer(port))
        .difference(Point(b).buffer(port))
        .simplify(0.02)
    )
    inner = obst.buffer(-1e-6)
    verts = []
    for poly in getattr(obst, "geoms", [obst]):
        for ring in [poly.exterior, *poly.interiors]:
            verts.extend(list(ring.coords)[:-1])
    pts = [tuple(a), tuple(b), *verts]
    dist, prev, done, queue = {0: 0.0}, {}, set(), [(0.0, 0)]
    while queue:
        d, i = heapq.heappop(queue)
        if i in done:
            continue
        done.add(i)
        if i == 1:
            break
        for j, q in enumerate(pts):
            if j in done:
                continue
            nd = d + haversine_km(pts[i], q)
            if nd < dist.get(j, math.inf) and not LineString([pts[i], q]).intersects(inner):
                dist[j], prev[j] = nd, i
                heapq.heappush(queue, (nd, j))
    if 1 not in prev:
        if offshore > COURSE_OFFSHORE_DEG / 4:
            return suggest_course(a, b, offshore=offshore / 2, port=port)
        raise SystemExit(f"no course at sea between {a} and {b}")
    path = [1]
    while path[-1] != 0:
        path.append(prev[path[-1]])
    path = [pts[i] for i in reversed(path)]
    clusters: list[list] = []
    for v in path[1:-1]:
        if clusters and haversine_km(clusters[-1][-1], v) < 80:
            clusters[-1].append(v)
        else:
            clusters.append([v])
    out = [tuple(a)]
    for i, cl in enumerate(clusters):
        nxt = clusters[i + 1][0] if i + 1 < len(clusters) else tuple(b)
        apex = _meet(out[-1], cl[0], cl[-1], nxt) if len(cl) > 1 else None
        if (
            apex
            and haversine_km(apex, cl[0]) < 120
            and not crosses_land([out[-1], apex, nxt], a, b)
        ):
            out.append(apex)
        else:
            out.extend(cl)
    out.append(tuple(b))
    k = 1
    while k < len(out) - 1:
        near = min(haversine_km(out[k], a), haversine_km(out[k], b)) < port * 111
        if near and not crosses_land(out[:k] + out[k + 1 :], a, b):
            del out[k]
        else:
            k += 1
    return [[round(x, 3), round(y, 3)] for x, y in out[1:-1]]


def _meet(p1, p2, p3, p4):
    """Where the line p1-p2 meets the line p3-p4 (lon scaled by the cosine of the latitude)."""
    k = math.cos(math.radians((p1[1] + p4[1]) / 2))
    x1, y1, x2, y2 = p1[0] * k, p1[1], p2[0] * k, p2[1]
    x3, y3, x4, y4 = p3[0] * k, p3[1], p4[0] * k, p4[1]
    den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
    if abs(den) < 1e-12:
        return None
    t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
    return ((x1 + t * (x2 - x1)) / k, y1 + t * (y2 - y1))


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
        if link in src["sea_link"] and link["mode"] in COURSE_MODES:
            if "course" not in link:
                raise SystemExit(
                    f"{link['_file']}: Caspian link {lid!r} needs a `course` (see the docstring)"
                )
            feats.append(course_link(link, nodes))
        elif link in src["sea_link"]:
            feats.append(sea_link(link, nodes))
        else:
            feats.append(land_link(link, nodes, stations))
    check_courses(feats)
    for f in feats:
        f.pop("_river", None)
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
    ap.add_argument(
        "--suggest-course",
        metavar="LINK_ID",
        help="print the course suggested for a sailing (the method in the docstring)",
    )
    args = ap.parse_args(argv)
    if args.suggest_course:
        src = load_sources()
        nodes = _dedupe(src["node"], "node")
        links = _dedupe(src["link"] + src["sea_link"], "link")
        link = links[args.suggest_course]
        a = tuple(
            link.get("searoute_to") or (nodes[link["from"]]["lon"], nodes[link["from"]]["lat"])
        )
        b = (nodes[link["to"]]["lon"], nodes[link["to"]]["lat"])
        print("course = " + json.dumps(suggest_course(a, b)))
        return 0
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
