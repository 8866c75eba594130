"""The catchment map: where the INSTC wins, from one origin, under each scenario.

Each destination of a sweep (:func:`corridormap.sweep.sweep`) is a dot coloured by the
probability that the best INSTC branch is faster than the reference sea family (Suez in the
bundled ``families.toml``), from red (the sea route almost always faster) through white (even)
to blue (the INSTC almost always faster); grey where either side has no route. Scenarios are
exclusive layers of the layer control (the scenario selector). :func:`catchment_png` draws the
same as a static figure over the offline country basemap, a panel per scenario.

Renderers take the sweep's table and the places (``corridormap.places(G)``): they run no
analysis. All text from data goes through :func:`~._html.esc` / :func:`~._html.js`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..places import short_name
from ._html import bounds_of, esc, fmt, rounded, table
from .charts import literal_text
from .legends import title_box

__all__ = [
    "catchment_frame",
    "catchment_map",
    "catchment_png",
    "default_origin",
    "write_catchment",
]

#: colour of a destination where the INSTC or the reference family has no route
NO_ROUTE = "#9e9e9e"
#: resolution of the catchment PNG (a panel is 8 x 6.6 inches: about 1,250 px wide)
PNG_DPI = 160


def _color(p: float) -> str:
    """Red (0) - white (0.5) - blue (1), the diverging scale of the map and the figure."""
    import matplotlib

    return matplotlib.colors.to_hex(matplotlib.colormaps["RdBu"](float(p)))


def catchment_frame(frame: Any, origin: str, *, reference: str | None = None) -> Any:
    """The rows of a sweep table the catchment map shows: one per scenario and destination, ...

    ... from ``origin``, with ``p_instc_faster`` against ``reference`` (default the table's
    ``attrs["reference"]``, else ``suez``), the reference's and the best INSTC branch's median
    days.

    Raises
    ------
    ValueError
    If the table has no row from ``origin`` or no row of ``reference``.
    """
    import pandas as pd

    ref = reference or frame.attrs.get("reference") or "suez"
    rows = frame[frame["origin"] == origin]
    if rows.empty:
        raise ValueError(f"the sweep table has no row from origin {origin!r}")
    if not (rows["family"] == ref).any():
        raise ValueError(f"the sweep table has no family {ref!r} to measure the INSTC against")
    keys = ["scenario", "destination"]
    label = ref
    if "family_label" in rows.columns:
        got = rows.loc[rows["family"] == ref, "family_label"].dropna()
        label = str(got.iloc[0]) if len(got) and str(got.iloc[0]) else ref
    rows = rows[rows["destination"] != origin]  # the origin is drawn as the origin
    sea = rows[rows["family"] == ref].set_index(keys)
    inst = rows[rows["instc"] & rows["reachable"]]
    best_inst = inst.groupby(keys, sort=False)["days_expected"].min()
    out = pd.DataFrame(
        {
            "origin": origin,
            "origin_name": sea["origin_name"],
            "destination_name": sea["destination_name"],
            "p_instc_faster": sea["p_instc_faster"],
            "reference_days": sea["days_expected"],
            "instc_days": best_inst.reindex(sea.index),
            "best_family": sea["best_family"],
        }
    ).reset_index()
    out.attrs["reference"] = ref
    out.attrs["reference_label"] = label
    return out


def default_origin(frame: Any, *, reference: str | None = None) -> str:
    """The origin a catchment map shows by default: the first whose map says something.

    The first origin of the table (in its order) from which at least one destination has
    both an INSTC route and one of ``reference`` (so its dots are not all grey); the first
    origin when there is none.
    """
    origins = list(dict.fromkeys(str(o) for o in frame["origin"]))
    if not origins:
        raise ValueError("the sweep table has no rows")
    for o in origins:
        try:
            data = catchment_frame(frame, o, reference=reference)
        except ValueError:
            continue
        if data["p_instc_faster"].notna().any():
            return o
    return origins[0]


def _tooltip(name: str, p: float, ref: str) -> str:
    share = "no route to compare" if p != p else f"P(INSTC faster than {ref}) {p:.0%}"
    return f"<b>{esc(short_name(name))}</b><br>{esc(share)}"


def catchment_map(
    frame: Any,
    places: Mapping[str, Mapping[str, Any]],
    *,
    origin: str,
    reference: str | None = None,
    tiles: bool = True,
    as_of: str | None = None,
):
    """A folium map of :func:`catchment_frame`: a layer per scenario (one shown at a time).

    Parameters
    ----------
    frame
        A sweep table (:func:`corridormap.sweep.sweep`).
    places
        Place id -> properties with ``name``, ``x`` (lon) and ``y`` (lat), as
        :func:`corridormap.places` returns.
    origin
        The origin place id whose catchment to draw.
    reference
        The sea family the INSTC is measured against.
    tiles
        Tile basemap (``False``: the offline country basemap).
    as_of
        The date of the network the sweep ran on (``None``: today's), said on the map.
    """
    from .page import control, finish, new_features, new_map
    from .raw import page_classes

    data = catchment_frame(frame, origin, reference=reference)
    ref = data.attrs["reference_label"]
    m = new_map(tiles=tiles, as_of=as_of)
    feats = new_features()
    scenarios = list(dict.fromkeys(data["scenario"]))
    pts: list[list[float]] = []
    FeatureGroup = page_classes()["FeatureGroup"]
    o = places.get(origin)
    for i, sc in enumerate(scenarios):
        fg = FeatureGroup(name=esc(f"Scenario: {sc}"), overlay=False, show=i == 0)
        m.add_child(fg)
        for r in data[data["scenario"] == sc].itertuples(index=False):
            p = places.get(r.destination)
            if p is None:
                continue
            ll = [rounded(p["y"]), rounded(p["x"])]
            pts.append(ll)
            prob = float(r.p_instc_faster)
            color = NO_ROUTE if prob != prob else _color(prob)
            popup = table(
                [
                    ("Destination", esc(r.destination_name)),
                    ("Scenario", esc(sc)),
                    (f"P(INSTC faster than {ref})", "" if prob != prob else f"{prob:.1%}"),
                    (f"{ref} expected days", fmt(r.reference_days, 1)),
                    ("best INSTC expected days", fmt(r.instc_days, 1)),
                    ("best family (median)", esc(r.best_family)),
                ]
            )
            feats.add(
                fg,
                "catchment",
                str(r.destination),
                {
                    "radius": 7,
                    "fillColor": color,
                    "color": "#333333",
                    "weight": 1,
                    "fillOpacity": 0.95,
                },
                latlng=ll,
                tooltip=_tooltip(str(r.destination_name), prob, ref),
                popup=popup,
                label=esc(short_name(str(r.destination_name))),
                rank=2 if prob == prob else 3,
            )
        if o is not None:
            feats.add(
                fg,
                "origin",
                origin,
                {"radius": 9, "fillColor": "#000000", "color": "#ffffff", "weight": 2},
                latlng=[rounded(o["y"]), rounded(o["x"])],
                tooltip=f"<b>{esc(short_name(o.get('name', origin)))}</b>: the origin",
                label=f"<b>{esc(short_name(o.get('name', origin)))}</b> (origin)",
                rank=0,
            )
    if o is not None:
        pts.append([rounded(o["y"]), rounded(o["x"])])
    m.add_child(feats)
    name = o.get("name", origin) if o is not None else origin
    control(
        m,
        title_box(
            f"Where the INSTC wins from {short_name(name)}",
            f"P(best INSTC branch faster than {ref}), pick a scenario in the layer control",
        ),
        position="topleft",
        css_class="cm-box cm-title",
    )
    control(m, _legend(ref), position="bottomright")
    return finish(m, bounds_of(pts))


def _legend(ref: str) -> str:
    stops = ",".join(_color(x / 10) for x in range(11))
    return (
        f"<h4>{esc(f'P(INSTC faster than {ref})')}</h4>"
        f'<div class="cm-grad" style="background:linear-gradient(to right,{stops})"></div>'
        '<div class="cm-ticks"><span>0%</span><span>50%</span><span>100%</span></div>'
        f'<div class="cm-row"><span class="cm-dot" style="background:{NO_ROUTE}"></span>'
        "no route on one side</div>"
        '<div class="cm-row"><span class="cm-dot" style="background:#000;border:2px solid '
        '#fff;box-shadow:0 0 0 1px #999"></span>the origin</div>'
    )


def catchment_png(
    frame: Any,
    places: Mapping[str, Mapping[str, Any]],
    *,
    origin: str,
    reference: str | None = None,
    scenarios: Sequence[str] | None = None,
    as_of: str | None = None,
):
    """The catchment as a matplotlib figure over the country basemap, a panel per scenario.

    ``as_of``, the date of the network the sweep ran on, ends the title.
    """
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    from ..io import bundled_geodata_dir
    from .static import place_labels

    data = catchment_frame(frame, origin, reference=reference)
    ref = data.attrs["reference_label"]
    names = list(scenarios or dict.fromkeys(data["scenario"]))
    world = gpd.read_file(bundled_geodata_dir() / "basemap" / "countries.geojson")
    xs = [places[d]["x"] for d in data["destination"] if d in places]
    ys = [places[d]["y"] for d in data["destination"] if d in places]
    o = places.get(origin)
    if o is not None:
        xs.append(o["x"])
        ys.append(o["y"])
    pad = 4.0
    box = (min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad) if xs else None
    ncol = min(2, len(names))
    nrow = -(-len(names) // ncol)
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(8.0 * ncol + 1.2, 6.6 * nrow + 0.6),
        squeeze=False,
        layout="constrained",
    )
    norm = Normalize(0, 1)
    scatter = None
    labels: list[tuple[Any, list[tuple[str, float, float, int]]]] = []
    for ax, sc in zip(axes.flat, names, strict=False):
        ax.set_facecolor("#d4e4f1")  # the sea, as on the web map
        world.plot(ax=ax, color="#f4f1ea", edgecolor="#9e978c", linewidth=0.4)
        rows = data[data["scenario"] == sc]
        known = rows[rows["destination"].isin(places)]
        px = [places[d]["x"] for d in known["destination"]]
        py = [places[d]["y"] for d in known["destination"]]
        probs = known["p_instc_faster"].to_numpy(dtype=float)
        missing = probs != probs
        ax.scatter(
            [x for x, m in zip(px, missing, strict=True) if m],
            [y for y, m in zip(py, missing, strict=True) if m],
            c=NO_ROUTE,
            s=22,
            edgecolors="#333333",
            linewidths=0.4,
        )
        scatter = ax.scatter(
            [x for x, m in zip(px, missing, strict=True) if not m],
            [y for y, m in zip(py, missing, strict=True) if not m],
            c=probs[~missing],
            cmap="RdBu",
            norm=norm,
            s=34,
            edgecolors="#333333",
            linewidths=0.4,
        )
        if o is not None:
            ax.scatter([o["x"]], [o["y"]], marker="*", c="#000000", s=220, zorder=5)
        if box is not None:
            ax.set_xlim(box[0], box[1])
            ax.set_ylim(box[2], box[3])
        # names where they fit (once the layout is final, below): the origin first, then
        # the places with a figure, then the grey ones
        named = [(f"{short_name(o.get('name', origin))} (origin)", o["x"], o["y"], 0)] if o else []
        for d, name, p in zip(known["destination"], known["destination_name"], probs, strict=True):
            rank = 3 if p != p else 2
            named.append((short_name(str(name)), places[d]["x"], places[d]["y"], rank))
        labels.append((ax, named))
        ax.set_title(str(sc), fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    oname = o.get("name", origin) if o is not None else origin
    fig.suptitle(
        f"P(INSTC faster than {ref}) from {short_name(oname)} (star: the origin; grey: no "
        "route on one side)" + (f"; network as of {as_of}" if as_of else "")
    )
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes.flat), shrink=0.7, label=f"P(INSTC faster than {ref})")
    literal_text(fig)  # before the names are placed: placing them measures the text
    for ax, named in labels:
        place_labels(ax, named, fontsize=7.5, marks=False)
    return fig


def write_catchment(
    frame: Any,
    places: Mapping[str, Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    origin: str,
    reference: str | None = None,
    png: str | os.PathLike[str] | None = None,
    self_contained: bool = False,
    as_of: str | None = None,
) -> list[Path]:
    """Write the catchment page (and with ``png`` the static figure), atomically; returns ...

    ... the paths written. The page is drawn and the figure rendered before anything is written.
    """
    import matplotlib.pyplot as plt

    from .._atomic import atomic_write
    from .page import render_html

    page = render_html(
        catchment_map(
            frame,
            places,
            origin=origin,
            reference=reference,
            tiles=not self_contained,
            as_of=as_of,
        ),
        self_contained=self_contained,
    )
    image = None
    if png is not None:
        fig = catchment_png(frame, places, origin=origin, reference=reference, as_of=as_of)
        buf = io.BytesIO()
        try:
            literal_text(fig)
            fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight")
        finally:
            plt.close(fig)
        image = buf.getvalue()
    out = [atomic_write(path, page)]
    if png is not None and image is not None:
        out.append(atomic_write(png, image))
    return out
