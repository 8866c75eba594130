"""How the maps look: colours and line styles per mode and status, layer labels, CSS.

Change a colour here and every map follows.
"""

from __future__ import annotations

from typing import Any

#: line style per mode: colour and weight (px)
MODE_STYLES: dict[str, dict[str, Any]] = {
    "rail": {"color": "#2f2f2f", "weight": 3.0, "label": "Rail"},
    "road": {"color": "#e08214", "weight": 3.0, "label": "Road"},
    "sea": {"color": "#2166ac", "weight": 2.0, "label": "Sea (container lines)"},
    "caspian": {"color": "#1a9e9e", "weight": 2.5, "label": "Caspian shipping"},
    "ferry": {"color": "#7b3294", "weight": 3.0, "label": "Rail ferry"},
    "inland": {"color": "#4d9221", "weight": 2.5, "label": "Inland waterway"},
}
GAP_COLOR = "#d7191c"
#: modes whose drawn line is schematic: the Caspian legs follow the Eurostat MARNET sea-lane
#: network, whose few Caspian lanes meet at shared points mid-sea, not the ships' own courses;
#: they are drawn dash-dotted and say so in the legend and popups
SCHEMATIC_MODES = {"caspian": "10 4 2 4"}
SCHEMATIC_NOTE = (
    "Caspian sailings: schematic line along the MARNET sea-lane network (lanes meet mid-sea), "
    "not the ships' courses; length measured along it"
)
STATUS_DASH = {"gap": "8 6", "planned": "1 7", "under_construction": "1 7"}
STATUS_LABELS = {
    "operational": "Operational",
    "gap": "Gap: missing railway, bridged by road today",
    "planned": "Planned or under construction",
}

#: layer labels of the corridor branches (link property ``branch``), in layer-control order
BRANCH_LABELS: dict[str, str] = {
    "western": "INSTC western branch (Azerbaijan)",
    "transcaspian": "INSTC Trans-Caspian (by sea)",
    "eastern": "INSTC eastern branch (Kazakhstan, Turkmenistan)",
    "iran": "Iranian trunk lines",
    "russia": "Russian trunk lines",
    "india_gulf": "India–Gulf sea legs",
    "suez": "Suez route",
    "cape": "Cape route",
}

#: place kinds shown as one layer each: (key, layer label, place kinds, marker style)
NODE_GROUPS: tuple[tuple[str, str, tuple[str, ...], dict[str, Any]], ...] = (
    ("port", "Ports", ("port",), {"radius": 5, "fillColor": "#2166ac", "color": "#ffffff"}),
    (
        "border",
        "Border crossings (black ring: gauge break)",
        ("border_crossing",),
        {"radius": 5, "fillColor": "#e08214", "color": "#ffffff"},
    ),
    (
        "chokepoint",
        "Chokepoints",
        ("chokepoint",),
        {"radius": 6, "fillColor": "#ffffff", "color": "#2166ac", "weight": 3},
    ),
    (
        "city",
        "Cities and rail stations",
        ("city", "rail_station", "dry_port"),
        {"radius": 4, "fillColor": "#636363", "color": "#ffffff"},
    ),
)
#: the rank of a place's label by its kind: where labels would overlap, the page shows the
#: better-ranked (0 first), the others where they fit round their marker or at a closer zoom
LABEL_RANKS: dict[str, int] = {
    "city": 2,
    "chokepoint": 2,
    "port": 2,
    "border_crossing": 2,
    "dry_port": 3,
    "rail_station": 3,
}
#: place kinds labelled on network maps (the others show their name on hover)
LABELLED_KINDS = frozenset(LABEL_RANKS)
#: the rank of the label of a gauge break or of a place a scene asks to label
KEY_LABEL_RANK = 1
GAUGE_BREAK_STYLE = {"radius": 7, "color": "#000000", "weight": 3}

#: colours of routes drawn by :func:`route_map`, in order
ROUTE_COLORS = ("#d7191c", "#2166ac", "#1a9850", "#7b3294", "#e08214", "#8c510a")

ATTRIBUTION = (
    "GeoNames (CC BY 4.0) · Eurostat MARNET via searoute (© EuroGeographics) · "
    "corridormap geodata (sources in popups)"
)
TILES_URL = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
TILES_ATTRIBUTION = "© OpenStreetMap contributors © CARTO"
BASEMAP_ATTRIBUTION = "Natural Earth"

#: the page's style sheet (boxes, legends, popups, labels)
CSS = """
.cm-box{background:rgba(255,255,255,.93);padding:6px 9px;border-radius:4px;
 box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 system-ui,-apple-system,"Segoe UI",
 Roboto,Helvetica,Arial,sans-serif;color:#222;max-width:340px}
.cm-box h4{margin:2px 0 4px;font-size:12px;font-weight:700}
.cm-title{font-size:15px;font-weight:700;max-width:520px}
.cm-title div{font-size:12px;font-weight:400;color:#444;margin-top:2px}
.cm-row{display:flex;align-items:center;gap:6px;margin:1px 0}
.cm-line{display:inline-block;width:30px;height:0;border-top-width:3px;flex:none}
.cm-dot{display:inline-block;width:10px;height:10px;border-radius:50%;flex:none;
 box-sizing:border-box}
.cm-sum{color:#444;margin:0 0 4px 36px;font-size:11px}
.cm-grad{height:10px;width:220px;border:1px solid #999}
.cm-ticks{display:flex;justify-content:space-between;width:222px}
.cm-pop{font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
.cm-pop b{font-size:13px}
.cm-table{border-collapse:collapse;margin-top:4px}
.cm-table th{text-align:left;padding:1px 8px 1px 0;color:#555;font-weight:600;
 vertical-align:top;white-space:nowrap}
.cm-table td{padding:1px 0;vertical-align:top;overflow-wrap:anywhere}
.cm-label{background:none;border:0;box-shadow:none;padding:0;color:#1a1a1a;
 font:600 11px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 text-shadow:0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}
.cm-label:before{display:none}
.cm-legend>summary{cursor:pointer;font-weight:700;margin-bottom:2px}
.cm-arrow{background:none;border:0}
.cm-arrow div{font-size:17px;line-height:14px;width:14px;height:14px;text-align:center;
 text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff}
.cm-country{background:none;border:0;box-shadow:none;padding:0;color:#8a8275;
 font:italic 600 11px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 letter-spacing:.05em;text-transform:uppercase;text-shadow:0 0 2px #f4f1ea}
.cm-country:before{display:none}
.cm-replay-box input{width:200px}
.cm-play{width:30px;height:24px;cursor:pointer}
.cm-date{font-variant-numeric:tabular-nums;white-space:nowrap}
.cm-noleaflet{position:relative;z-index:2000;margin:12px;padding:10px 12px;background:#fff3cd;
 border:1px solid #d39e00;border-radius:4px;font:14px/1.4 system-ui,sans-serif;color:#222}
@media (max-width:600px){
 .cm-box{max-width:calc(100vw - 80px);font-size:11px;padding:4px 6px}
 .cm-title{font-size:13px;max-width:calc(100vw - 70px)}
 .cm-title div{font-size:11px}
 .cm-replay-box input{width:120px}
 .cm-grad,.cm-ticks{width:150px}
 .leaflet-control-attribution{font-size:9px;line-height:1.25}
 .leaflet-bottom.leaflet-left{bottom:40px}
}
.leaflet-control-layers{font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,
 Arial,sans-serif}
"""
CSS += """
.cm-title .cm-observed{font-size:12px;font-weight:600;color:#8c2d04;margin-top:3px}
"""
