"""Convert the network to GeoDataFrames and back without loss (as OSMnx's convert module)."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

__all__ = ["geodata_to_gdfs", "graph_from_gdfs", "graph_to_gdfs"]


def graph_to_gdfs(G: nx.MultiDiGraph, *, nodes: bool = True, edges: bool = True):
    """GeoDataFrames (EPSG:4326) of the network's nodes and/or edges.

    Parameters
    ----------
    G
        A corridormap network.
    nodes, edges
        Which to return.

    Returns
    -------
    geopandas.GeoDataFrame or tuple of them
        Nodes indexed by node id with Point geometry; edges indexed by ``(u, v, key)`` with
        the link's LineString (transfer edges have no geometry). ``G.graph`` is kept in each
        frame's ``attrs["graph"]``.
    """
    import geopandas as gpd
    from shapely.geometry import Point

    from ._schema import check_graph

    check_graph(G, "graph_to_gdfs")
    if not (nodes or edges):
        raise ValueError("ask for nodes, edges or both")
    out = []
    if nodes:
        ids, rows, geoms = [], [], []
        for n, d in G.nodes(data=True):
            ids.append(n)
            rows.append(dict(d))
            geoms.append(Point(d["x"], d["y"]))
        gdf = gpd.GeoDataFrame(_frame(rows), geometry=geoms, crs=G.graph.get("crs", "EPSG:4326"))
        gdf.index = ids
        gdf.index.name = "node"
        gdf.attrs["graph"] = dict(G.graph)
        out.append(gdf)
    if edges:
        import pandas as pd

        keys, rows, geoms = [], [], []
        for u, v, k, d in G.edges(keys=True, data=True):
            keys.append((u, v, k))
            row = {key: val for key, val in d.items() if key != "geometry"}
            rows.append(row)
            geoms.append(d.get("geometry"))
        gdf = gpd.GeoDataFrame(_frame(rows), geometry=geoms, crs=G.graph.get("crs", "EPSG:4326"))
        gdf.index = pd.MultiIndex.from_tuples(keys, names=["u", "v", "key"])
        gdf.attrs["graph"] = dict(G.graph)
        out.append(gdf)
    return out[0] if len(out) == 1 else tuple(out)


def _frame(rows: list[dict[str, Any]]):
    """A DataFrame that keeps ``None`` and lists as they are (object columns).

    Columns holding only numbers are made numeric (so users can compute on them).
    """
    import pandas as pd

    df = pd.DataFrame(rows, dtype=object)
    for col in df.columns:
        vals = [
            v for v in df[col] if v is not None and not (isinstance(v, float) and math.isnan(v))
        ]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals)
        if vals and numeric and len(vals) == len(df):
            df[col] = pd.to_numeric(df[col])
    return df


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Drop the NaNs a frame puts in columns an element does not have."""
    return {k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))}


def graph_from_gdfs(
    gdf_nodes, gdf_edges, *, graph_attrs: dict[str, Any] | None = None
) -> nx.MultiDiGraph:
    """Rebuild a network from :func:`graph_to_gdfs` output.

    Parameters
    ----------
    gdf_nodes, gdf_edges
        The frames (node geometry is taken from ``x``/``y``; edge geometry from the geometry
        column, dropped where empty).
    graph_attrs
        ``G.graph``; defaults to ``gdf_nodes.attrs["graph"]``.
    """
    attrs = graph_attrs if graph_attrs is not None else dict(gdf_nodes.attrs.get("graph", {}))
    G = nx.MultiDiGraph(**attrs)
    node_geom = gdf_nodes.geometry.name
    for n, row in zip(
        gdf_nodes.index, gdf_nodes.drop(columns=node_geom).to_dict("records"), strict=True
    ):
        G.add_node(n, **_clean(row))
    geom_col = gdf_edges.geometry.name
    records = gdf_edges.drop(columns=geom_col).to_dict("records")
    for (u, v, k), row, geom in zip(gdf_edges.index, records, gdf_edges.geometry, strict=True):
        data = _clean(row)
        if geom is not None and not geom.is_empty:
            data["geometry"] = geom
        G.add_edge(u, v, key=k, **data)
    return G


def geodata_to_gdfs(geodata=None):
    """The places and links of a geodata directory as GeoDataFrames, one row per feature.

    Parameters
    ----------
    geodata
        A :class:`~corridormap.Geodata` from :func:`corridormap.load_geodata`; ``None`` reads
        the bundled data.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(places, links)`` in EPSG:4326, indexed by id, list properties (aliases, branch,
        services, via) kept as lists.
    """
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from .io import load_geodata

    gd = geodata if geodata is not None else load_geodata()
    prow = [{k: v for k, v in p.items() if k not in ("lon", "lat")} for p in gd.nodes.values()]
    places = gpd.GeoDataFrame(
        _frame(prow),
        geometry=[Point(p["lon"], p["lat"]) for p in gd.nodes.values()],
        crs="EPSG:4326",
    ).set_index("id")
    lrow = [{k: v for k, v in p.items() if k != "coords"} for p in gd.links.values()]
    links = gpd.GeoDataFrame(
        _frame(lrow), geometry=[LineString(p["coords"]) for p in gd.links.values()], crs="EPSG:4326"
    ).set_index("id")
    return places, links
