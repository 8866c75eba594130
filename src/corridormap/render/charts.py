"""Matplotlib charts: time-distance profiles, route families compared, backtest, savings.

Imported only when a chart is drawn (``Comparison.plot`` and ``Backtest.plot`` import it
inside the method). The charts draw the results and frames they are given; a route's steps and
P10-P90 band are its :func:`corridormap.profile.route_profile`. No backend is forced: in
Jupyter a figure shows inline, headless runs get matplotlib's own default (Agg). Every figure
carries a credit line (the corridormap version, the date it was drawn and the parameter set,
and where the data's sources are).
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import InputError
from .._today import today as current_day

if TYPE_CHECKING:  # pragma: no cover
    from ..profile import Profile
    from ..routing import Route

__all__ = [
    "COLOURS",
    "MODE_COLOURS",
    "backtest_figure",
    "comparison_figure",
    "credit",
    "figure_bytes",
    "literal_text",
    "param_label",
    "plain",
    "save_figure",
    "time_distance",
]

COLOURS = {
    "instc-western": "#d62728",
    "instc-transcaspian": "#ff7f0e",
    "instc-eastern": "#9467bd",
    "suez": "#1f77b4",
    "suez-north-europe": "#17becf",
    "cape": "#2ca02c",
}
#: line colour of a move by link mode (time-distance charts)
MODE_COLOURS = {
    "rail": "#8c564b",
    "road": "#e377c2",
    "sea": "#1f77b4",
    "caspian": "#17becf",
    "ferry": "#9467bd",
    "inland": "#2ca02c",
}
#: colour of the vertical steps (borders, canal transits, transfers, waits)
STOP_COLOUR = "#222222"
#: the wait for the first departure: on the door-to-door clock only, so drawn apart
WAIT_COLOUR = "#c2185b"
#: the figure formats ``save_figure`` writes, by file suffix
FORMATS = {".png": "png", ".svg": "svg"}

#: a parameter's last key part in words (the schema's field names, not one entry per key)
_FIELD_WORDS = {
    "speed_kmh": "speed",
    "cost_usd_per_teu_km": "rate per TEU-km",
    "co2_kg_per_teu_km": "CO2 per TEU-km",
    "dwell_h": "dwell",
    "transit_h": "transit time",
    "headway_h": "sailing interval",
    "wait_h": "wait for a departure",
    "cost_usd_per_teu": "fee per TEU",
}


# -- text ------------------------------------------------------------------------------------
def plain(text: Any) -> str:
    r"""``text`` for a matplotlib tick label, drawn as written: every ``$`` escaped.

    Tick labels are redrawn from their strings, so they cannot keep a per-object setting;
    with every ``$`` escaped matplotlib finds no mathtext and draws a ``$`` for each ``\$``.

    Parameters
    ----------
    text
        A label from data or arguments.

    Returns
    -------
    str
    """
    return str(text).replace("$", "\\$")


def literal_text(fig: Any) -> Any:
    r"""Draw every title, label, legend entry and annotation of ``fig`` as plain text.

    Matplotlib reads ``$...$`` as mathtext (and all text as TeX with ``text.usetex``): a
    title ``US$5 to US$9`` would come out as italic ``US5toUS9``, ``Cost $\nope$`` would
    fail to draw. Every text object of the figure is set ``parse_math=False`` and
    ``usetex=False``, except the tick labels and axis offsets matplotlib formats from numbers
    itself (a log axis's powers of ten are mathtext); tick labels set from data go through
    :func:`plain`. Every figure of :mod:`corridormap.render` calls it before it is returned,
    and :func:`save_figure` once more before writing.

    Parameters
    ----------
    fig
        A matplotlib figure (or subfigure).

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.
    """
    from matplotlib.axis import Tick
    from matplotlib.text import Text

    numeric: set[int] = set()
    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            numeric.add(id(axis.offsetText))
    for tick in fig.findobj(lambda a: isinstance(a, Tick)):
        numeric.update((id(tick.label1), id(tick.label2)))
    for text in fig.findobj(lambda a: isinstance(a, Text)):
        if id(text) not in numeric:
            text.set_parse_math(False)
            text.set_usetex(False)
    return fig


def credit(params: Mapping[str, Any] | None = None, *, today: _dt.date | None = None) -> str:
    """The credit line every chart carries: version, model date, parameter set, sources."""
    from .. import __version__

    day = (today or current_day()).isoformat()
    meta = (params or {}).get("meta") or {}
    pset = f", parameters v{meta['version']}" if meta.get("version") else ""
    return (
        f"corridormap {__version__}, model of {day}{pset}; "
        "data: geodata/ sources (see geodata/README.md)"
    )


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """ISO alpha-2 code -> name, from the bundled Natural Earth basemap (empty if absent)."""
    import json

    from ..io import bundled_geodata_dir

    path = bundled_geodata_dir() / "basemap" / "countries.geojson"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for f in doc.get("features") or []:
        p = f.get("properties") or {}
        code, name = p.get("iso_a2") or p.get("id"), p.get("name")
        if isinstance(code, str) and isinstance(name, str):
            out[code] = name
    return out


def _country(code: str) -> str:
    return _country_names().get(code, code)


def _mode_label(rest: list[str], field: str) -> str:
    """Words for a ``modes.MODE[.by_country.CC|.by_vessel.CLASS].FIELD`` key.

    Parameters
    ----------
    rest
        The key's parts between ``modes`` and the field.
    field
        The field in words.

    Returns
    -------
    str
        E.g. ``rail speed, Iran`` or ``sea speed, feeder ships``.
    """
    text = f"{rest[0]} {field}"
    if len(rest) == 3 and rest[1] == "by_country":
        text += f", {_country(rest[2])}"
    elif len(rest) == 3 and rest[1] == "by_vessel":
        text += f", {rest[2].replace('_', ' ')} ships"
    return text


def _border_label(rest: list[str], field: str) -> str:
    """Words for a ``borders.MODE[.by_country."A/B"].FIELD`` or ``borders.by_link.ID.FIELD`` key.

    Parameters
    ----------
    rest
        The key's parts between ``borders`` and the field.
    field
        The field in words.

    Returns
    -------
    str
        E.g. ``rail border dwell, Belarus–Russia`` or ``border dwell, link ID``.
    """
    if rest[0] == "by_link" and len(rest) == 2:
        return f"border {field}, link {rest[1]}"
    text = f"{rest[0]} border {field}"
    if len(rest) == 3 and rest[1] == "by_country":
        text += ", " + "–".join(_country(c) for c in rest[2].split("/"))
    return text


def param_label(key: str, params: Mapping[str, Any] | None = None) -> str:
    """A parameter key in words, for chart labels.

    ``modes.rail.by_country.IR.speed_kmh`` -> ``rail speed, Iran``;
    ``services.black_sea.headway_h`` -> ``black sea sailing interval``;
    ``borders.rail.by_country."BY/RU".dwell_h`` -> ``rail border dwell, Belarus–Russia``.
    A ``label`` in the parameter's table (``parameters.toml``) wins.
    """
    from ..model import param_table, split_key
    from ..profile import transfer_words

    if params is not None:
        try:
            table = param_table(params, key)
        except (KeyError, TypeError):
            table = None
        if isinstance(table, Mapping) and isinstance(table.get("label"), str):
            return table["label"]
    parts = list(split_key(key))
    field = _FIELD_WORDS.get(parts[-1], parts[-1].replace("_", " "))
    head, rest = parts[0], parts[1:-1]
    if head == "modes" and rest:
        return _mode_label(rest, field)
    if head == "transfers" and rest:
        return f"{transfer_words(rest[0], params)} {field}"
    if head == "borders" and rest:
        return _border_label(rest, field)
    if head == "canals" and rest:
        return f"{rest[0].replace('_', '–').title()} canal {field}"
    if head == "services" and rest:
        return f"{rest[0].replace('_', ' ')} {field}"
    return " ".join(p.replace("_", " ") for p in [*parts[:-1], field])


# -- time-distance ---------------------------------------------------------------------------
def _profiles(
    routes: Route | Profile | Iterable[Route | Profile],
    params: Mapping[str, Any] | None,
    draws: int,
    seed: int | None,
) -> list[Profile]:
    from ..profile import Profile, route_profile
    from ..routing import Route

    items = [routes] if isinstance(routes, Route | Profile) else list(routes)
    if not items:
        raise InputError("time_distance needs at least one route")
    out = []
    for it in items:
        if isinstance(it, Profile):
            out.append(it)
        elif isinstance(it, Route):
            out.append(route_profile(it, params, draws=draws, seed=seed))
        else:
            raise InputError(f"time_distance takes routes or profiles, got {type(it).__name__}")
    return out


def _step_text(step, quantity: str, short: bool) -> str:
    if quantity == "cost_usd":
        return f"{step.place}: {step.name} ${step.usd[1] - step.usd[0]:,.0f}"
    if short:
        return f"{step.place} {step.duration_h:.0f} h"
    return step.label


def draw_profile(
    ax,
    prof: Profile,
    *,
    quantity: str = "days",
    label_min_hours: float = 12.0,
    label_min_usd: float = 50.0,
    short_labels: bool = False,
    linestyle: str = "-",
    name: str | None = None,
    band: bool = True,
    fontsize: float = 7.0,
) -> None:
    """Draw one profile on ``ax``.

    Moves are coloured by mode (gid ``move:<mode>``), vertical steps in dark grey (gid
    ``stop:<what>``), the stops of at least ``label_min_hours`` (cost: ``label_min_usd``)
    labelled with what and where (gid ``step-label``), and the P10-P90 band (gid ``band``) when
    the profile has one.
    """
    if quantity not in ("days", "cost_usd"):
        raise InputError(f"quantity must be 'days' or 'cost_usd', got {quantity!r}")

    def y(step, i: int) -> float:
        return step.hours[i] / 24.0 if quantity == "days" else step.usd[i]

    if band and prof.band is not None:
        b = prof.band[quantity]
        poly = ax.fill_between(
            prof.km, b["p10"], b["p90"], color="#999999", alpha=0.25, lw=0, zorder=1
        )
        poly.set_gid("band")
    for step in prof.steps:
        xs, ys = step.km, (y(step, 0), y(step, 1))
        if step.kind == "move":
            (line,) = ax.plot(
                xs, ys, color=MODE_COLOURS.get(step.what, "#7f7f7f"), lw=2.2, ls=linestyle, zorder=3
            )
        elif ys[1] <= ys[0]:
            continue  # a stop that adds nothing here (the wait for a sailing costs no USD)
        else:
            # the wait for the first departure (door to door only) is drawn apart
            wait = step.what == "schedule_wait"
            colour, width = (WAIT_COLOUR, 3.0) if wait else (STOP_COLOUR, 1.6)
            (line,) = ax.plot(xs, ys, color=colour, lw=width, ls=linestyle, zorder=4)
            big = (
                step.duration_h >= label_min_hours
                if quantity == "days"
                else ys[1] - ys[0] >= label_min_usd
            )
            if big:
                ax.annotate(
                    _step_text(step, quantity, short_labels),
                    xy=(xs[1], (ys[0] + ys[1]) / 2),
                    xytext=(4, 0),
                    textcoords="offset points",
                    fontsize=fontsize,
                    va="center",
                    ha="left",
                    color=colour,
                    zorder=5,
                    gid="step-label",
                )
        line.set_gid(f"{step.kind}:{step.what}")
    if name:
        last = prof.steps[-1]
        ax.annotate(
            name,
            xy=(last.km[1], y(last, 1)),
            xytext=(0, 6),
            textcoords="offset points",
            fontsize=fontsize + 1,
            ha="right",
            fontweight="bold",
        )


def _mode_legend(ax, profiles: Sequence[Profile], *, band: bool, fontsize: float = 8) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    modes = list(dict.fromkeys(s.what for p in profiles for s in p.steps if s.kind == "move"))
    handles: list[Any] = [
        Line2D([], [], color=MODE_COLOURS.get(m, "#7f7f7f"), lw=2.2, label=m) for m in modes
    ]
    handles.append(Line2D([], [], color=STOP_COLOUR, lw=1.6, label="stop: border, transfer, wait"))
    if any(s.what == "schedule_wait" for p in profiles for s in p.steps):
        handles.append(
            Line2D(
                [],
                [],
                color=WAIT_COLOUR,
                lw=3.0,
                label="wait for the first departure (door to door only)",
            )
        )
    if band and any(p.band is not None for p in profiles):
        handles.append(Patch(color="#999999", alpha=0.25, label="P10–P90 (Monte Carlo)"))
    ax.legend(handles=handles, fontsize=fontsize, loc="upper left")


def _figure(**kw):
    """A pyplot figure, so Jupyter's inline backend shows it.

    Close it with ``matplotlib.pyplot.close(fig)`` when done outside a notebook.
    """
    import matplotlib.pyplot as plt

    return plt.figure(**kw)


def time_distance(
    routes: Route | Profile | Iterable[Route | Profile],
    *,
    G: Any = None,
    params: Mapping[str, Any] | None = None,
    quantity: str = "both",
    draws: int = 10_000,
    seed: int | None = 0,
    band: bool = True,
    label_min_hours: float = 12.0,
    title: str | None = None,
):
    """Time-distance (and cost-distance) chart of one or more routes.

    The UNESCAP / CAREC CPMM method: cumulative distance on x, cumulative days (or USD per
    TEU) on y; moving legs are slopes coloured by mode, borders, canal transits, transfers and
    waits for a sailing are vertical steps, each labelled with what it is and where. With
    the network ``G`` (or its ``params``) the P10-P90 band of each route's cumulative figures
    is shaded, from the same Monte Carlo as :func:`~corridormap.uncertainty.route_percentiles`.

    Parameters
    ----------
    routes
        A :class:`~corridormap.routing.Route`, a :class:`~corridormap.profile.Profile`, or
        several (drawn on the same axes, with line styles telling them apart).
    G, params
        The network or its parameter file, for the band and the credit line.
    quantity
        ``"days"``, ``"cost_usd"`` or ``"both"`` (two panels side by side).
    draws, seed
        The Monte Carlo's draws and seed.
    band
        Shade the P10-P90 band.
    label_min_hours
        Label the steps of at least this many hours.
    title
        The figure's title (default: the routes' ends and their expected days).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if quantity not in ("days", "cost_usd", "both"):
        raise InputError(f"quantity must be 'days', 'cost_usd' or 'both', got {quantity!r}")
    if params is None and G is not None:
        params = G.graph.get("params")
    profs = _profiles(routes, params if band else None, draws, seed)
    quantities = ["days", "cost_usd"] if quantity == "both" else [quantity]
    fig = _figure(figsize=(8.5 * len(quantities), 6.5), layout="constrained")
    axes = fig.subplots(1, len(quantities), squeeze=False)[0]
    styles = ["-", "--", ":", "-."]
    for ax, q in zip(axes, quantities, strict=True):
        for i, prof in enumerate(profs):
            name = f"route {i + 1}" if len(profs) > 1 else None
            draw_profile(
                ax,
                prof,
                quantity=q,
                label_min_hours=label_min_hours,
                linestyle=styles[i % len(styles)],
                name=name,
                band=band,
            )
        ax.set_xlabel("distance travelled, km")
        ax.set_ylabel(
            "elapsed days, door to door (expected values)"
            if q == "days"
            else "cumulative USD per TEU (expected values)"
        )
        ax.set_title(
            ("Time" if q == "days" else "Cost") + "–distance: slopes are movement, "
            "vertical steps are borders, transfers and waits",
            fontsize=10,
        )
        ax.grid(alpha=0.3)
        ax.set_xlim(0, max(p.km[-1] for p in profs) * 1.45 or 1.0)
        ax.set_ylim(0, 1.05 * max(_top(p, q) for p in profs) or 1.0)
        _mode_legend(ax, profs, band=band)
    fig.suptitle(title or _title(profs))
    fig.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))
    fig.text(0.995, 0.005, credit(params), ha="right", va="bottom", fontsize=7, color="#555555")
    return literal_text(fig)


def _top(prof: Profile, quantity: str) -> float:
    """The highest value a profile reaches on the chart (its band's P90 when drawn)."""
    last = prof.steps[-1]
    top = last.hours[1] / 24.0 if quantity == "days" else last.usd[1]
    if prof.band is not None:
        top = max(top, float(prof.band[quantity]["p90"].max()))
    return top


def _title(profs: Sequence[Profile]) -> str:
    r = profs[0].route
    ends = f"{r.names.get(r.origin, r.origin)} to {r.names.get(r.destination, r.destination)}"
    parts = []
    for i, p in enumerate(profs, 1):
        tag = f"route {i}: " if len(profs) > 1 else ""
        r = p.route
        wait = f", +{r.schedule_wait_h / 24:.1f} waiting for the first departure" * (
            r.schedule_wait_h > 0
        )
        text = f"{tag}{r.transit_h / 24:.1f} days transit, expected{wait}"
        if p.band is not None:
            d = p.band["days"]
            text += f" (door to door P10–P90 {d['p10'][-1]:.1f}–{d['p90'][-1]:.1f})"
        parts.append(text)
    head = ends + (f" (scenario {r.scenario})" if r.scenario != "baseline" else "")
    return head + "\n" + "; ".join(parts)


# -- comparison ------------------------------------------------------------------------------
def comparison_figure(comp: Any, *, top: int = 10):
    """The figure of a :class:`~corridormap.compare.Comparison`: bars, tornado, profiles.

    Expected days (on the comparison's clock) and cost per family with P10-P90 whiskers, the
    sensitivity tornado of the gap between the INSTC's best branch and the reference sea
    family, and a time-distance panel per family (its route, door to door, with that route's
    P10-P90 band from the same draws and seed).
    """
    import numpy as np

    from ..profile import route_profile

    recs = comp.to_records(None)
    names = [r["label"] for r in recs]
    colours = [COLOURS.get(r["family"], "#7f7f7f") for r in recs]
    ncol = min(3, max(1, len(recs)))
    nrow = -(-len(recs) // ncol)
    fig = _figure(figsize=(15, 5.2 + 4.2 * nrow), layout="constrained")
    top_fig, bottom_fig = fig.subfigures(2, 1, height_ratios=[5.2, 4.2 * nrow])
    o = comp.routes[recs[0]["family"]].names
    fig.suptitle(
        f"{o.get(comp.origin, comp.origin)} to {o.get(comp.destination, comp.destination)}"
        f": route families compared ({comp.draws:,} draws, seed {comp.seed})"
    )
    axes = top_fig.subplots(1, 3)
    clock = "transit" if comp.clock == "transit" else "door to door"
    for ax, key, unit in (
        (axes[0], "days", f"days, {clock}"),
        (axes[1], "cost_usd", "USD per TEU"),
    ):
        mean = np.array([r[key]["expected"] for r in recs])
        lo = np.clip(mean - np.array([r[key]["p10"] for r in recs]), 0, None)
        hi = np.clip(np.array([r[key]["p90"] for r in recs]) - mean, 0, None)
        y = np.arange(len(recs))
        ax.barh(y, mean, color=colours, alpha=0.8)
        ax.errorbar(mean, y, xerr=[lo, hi], fmt="none", ecolor="black", capsize=4)
        if key == "days" and comp.clock == "transit":
            waits = np.array([r["schedule_wait_days"]["expected"] for r in recs])
            ax.barh(y, waits, left=mean, color="none", edgecolor=WAIT_COLOUR, hatch="..",
                    label="+ wait for the first departure")  # fmt: skip
            ax.legend(fontsize=7, loc="lower right")
        ax.set_yticks(y, [plain(n) if key == "days" else "" for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(f"{unit}\n(bar expected, whiskers P10–P90)")
        ax.grid(axis="x", alpha=0.3)

    ax = axes[2]
    rows = comp.sensitivity[:top]
    if rows:
        labels = [param_label(r["parameter"], comp.params) for r in rows][::-1]
        lo = np.array([r["gap_low_days"] for r in rows])[::-1]
        hi = np.array([r["gap_high_days"] for r in rows])[::-1]
        base = _base_gap(comp)
        y = np.arange(len(rows))
        ax.barh(y, lo - base, left=base, color="#4c72b0", label="parameter at low")
        ax.barh(y, hi - base, left=base, color="#dd8452", label="parameter at high")
        ax.axvline(base, color="black", lw=1)
        ax.set_yticks(y, [plain(x) for x in labels], fontsize=8)
        ref = _label(comp, comp.reference)
        ax.set_xlabel(f"INSTC's best branch minus {ref}, days\n(negative: INSTC faster)")
        ax.set_title(f"What moves the INSTC – {ref} gap most", fontsize=10)
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no INSTC / sea family pair to compare", ha="center", va="center")
        ax.set_axis_off()

    panels = bottom_fig.subplots(nrow, ncol, squeeze=False, sharex=True, sharey=True)
    far = max(comp.routes[r["family"]].distance_km for r in recs)
    bottom_fig.suptitle(
        "Time–distance of each family's route, door to door: slopes are movement, vertical "
        "steps are borders, transfers and waits; shaded: P10–P90 of that route",
        fontsize=10,
    )
    profs = []
    for ax, r in zip(panels.flat, recs, strict=False):
        route = comp.routes[r["family"]]
        prof = route_profile(route, comp.params, draws=comp.draws, seed=comp.seed)
        profs.append(prof)
        draw_profile(
            ax, prof, quantity="days", label_min_hours=48.0, short_labels=True, fontsize=6.5
        )
        ax.set_title(
            f"{r['label']}: {r['days']['expected']:.1f} d {clock}, expected "
            f"({r['days']['p10']:.1f}–{r['days']['p90']:.1f})",
            fontsize=9,
            color=COLOURS.get(r["family"], "black"),
        )
        ax.set_xlabel("distance travelled, km")
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.grid(alpha=0.3)
        ax.set_xlim(0, far * 1.3)
    panels[0, 0].set_ylim(0, 1.05 * max(_top(p, "days") for p in profs))
    for ax in panels[:, 0]:
        ax.set_ylabel("elapsed days")
    for ax in list(panels.flat)[len(recs) :]:
        ax.set_axis_off()
    _mode_legend(panels.flat[0], profs, band=True, fontsize=7)
    fig.get_layout_engine().set(rect=(0, 0.02, 1, 0.98))
    fig.text(
        0.995, 0.003, credit(comp.params), ha="right", va="bottom", fontsize=7, color="#555555"
    )
    return literal_text(fig)


def _base_gap(comp: Any) -> float:
    """The expected gap between the INSTC's best branch and the reference, on the clock."""
    lead = comp.instc_family()
    if lead is None or comp.reference not in comp.routes:
        return 0.0
    return comp.expected_days(lead) - comp.expected_days(comp.reference)


def _label(comp: Any, name: str | None) -> str:
    for f in comp.families:
        if f.name == name:
            return f.label
    return str(name)


# -- backtest ---------------------------------------------------------------------------------
def backtest_figure(bt: Any):
    """The figure of a :class:`~corridormap.backtest.Backtest`: observed beside model P10-P90.

    Observed range (grey bar) beside the model's P10-P90 (line) and expected figure (dot), one
    row per replayable observation, on a log scale of days; holdout rows in orange, rows
    outside P10-P90 marked with a cross. No backend is forced.
    """
    import matplotlib.pyplot as plt

    rows = bt.scored()
    fig, ax = plt.subplots(figsize=(10, 0.32 * max(len(rows), 4) + 1.4), constrained_layout=True)
    for y, o in enumerate(rows):
        lo, hi = o["observed_days"]
        if hi > lo:
            ax.plot([lo, hi], [y, y], color="#bbbbbb", lw=7, solid_capstyle="butt")
        else:
            ax.plot([lo], [y], marker="s", color="#bbbbbb", ms=8)
        colour = "#ff7f0e" if o["role"] == "holdout" else "#1f77b4"
        ax.plot([o["p10"], o["p90"]], [y, y], color=colour, lw=1.6)
        ax.plot([o["expected"]], [y], marker="o" if o["inside"] else "X", color=colour, ms=6)
    ax.set_yticks(range(len(rows)), [plain(o["id"]) for o in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("days (log scale)")
    s = bt.summary()
    inside = s["share_inside_p10_p90"] or 0.0
    ax.set_title(
        f"Backtest ({s['mode']}): grey = observed, line = model P10-P90, dot = expected "
        f"(blue fitted rows, orange holdout)\nmedian |error| "
        f"{s['median_abs_pct_error_out_of_sample']}%, inside P10-P90 {inside:.0%}",
        fontsize=9,
    )
    ax.grid(axis="x", which="both", alpha=0.3)
    return literal_text(fig)


def saving_figure(curves):
    """Saving (days) against volume (Mt/yr), one line per volume file, scenario and flow.

    ``curves`` maps ``(volume name, scenario name)`` to rows of
    :func:`corridormap.assign.saving_curve`.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for (_vname, sname), rows in curves.items():
        flows = dict.fromkeys(r["flow"] for r in rows)
        for fid in flows:
            pts = sorted((r["volume_mt"], r["saving_days"]) for r in rows if r["flow"] == fid)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"{sname}: {fid}")
    ax.axhline(0.0, color="#888888", linewidth=0.8)
    ax.set_xlabel("volume of the flow, Mt/yr (the volume file scaled 0-2x)")
    ax.set_ylabel("saving at equilibrium, days")
    ax.set_title("What each scenario saves, queues included")
    ax.legend(fontsize=8)
    literal_text(fig)  # before the layout measures the text
    fig.tight_layout()
    return fig


# -- files -----------------------------------------------------------------------------------
def save_figure(fig, path, *, dpi: int = 150) -> Path:
    """Save a figure atomically as PNG or SVG, by the file's suffix.

    Raises
    ------
    InputError
        If the suffix is neither ``.png`` nor ``.svg``.
    """
    from .._atomic import atomic_write

    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{path}: a chart is written as .png or .svg (by the file's suffix), "
            f"not {suffix or 'a file without a suffix'!r}"
        )
    data = figure_bytes(fig, FORMATS[suffix], dpi=dpi)
    return atomic_write(path, data)


def figure_bytes(fig, fmt: str = "png", *, dpi: int = 150) -> bytes:
    """A figure drawn as PNG or SVG bytes, its text drawn literally (:func:`literal_text`).

    Parameters
    ----------
    fig
        The matplotlib figure.
    fmt
        ``"png"`` or ``"svg"``.
    dpi
        Dots per inch (PNG).

    Returns
    -------
    bytes
    """
    import io

    literal_text(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()
