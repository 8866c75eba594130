from __future__ import annotations

import corridormap as cm


def test_round_trip_is_lossless(tiny_G):
    nodes, edges = cm.graph_to_gdfs(tiny_G)
    assert str(nodes.crs) == "EPSG:4326"
    H = cm.graph_from_gdfs(nodes, edges)
    assert set(H.nodes) == set(tiny_G.nodes)
    assert set(H.edges(keys=True)) == set(tiny_G.edges(keys=True))
    for n, d in tiny_G.nodes(data=True):
        assert H.nodes[n] == d
    for u, v, k, d in tiny_G.edges(keys=True, data=True):
        h = H.edges[u, v, k]
        assert set(h) == set(d), (u, v, k)
        for key, val in d.items():
            if key == "geometry":
                assert h[key].equals(val)
            else:
                assert h[key] == val, (u, v, k, key)
    assert H.graph["crs"] == tiny_G.graph["crs"]
    # and routing on the rebuilt graph gives the same answer
    assert cm.route(H, "Echo", "Alpha").link_ids == cm.route(tiny_G, "Echo", "Alpha").link_ids
