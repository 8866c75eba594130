"""Matplotlib charts for comparisons (imported only when a chart is drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .compare import Comparison

COLOURS = {
    "instc-western": "#d62728",
    "instc-transcaspian": "#ff7f0e",
    "instc-eastern": "#9467bd",
    "suez": "#1f77b4",
    "suez-north-europe": "#17becf",
    "cape": "#2ca02c",
}


def comparison_figure(comp: Comparison, *, top: int = 10):
    """Days and cost per family with P10-P90 bars, a time-distance chart of each family's
    likely route (UNESCAP style: slopes are movement, vertical steps are dwell), and the
    sensitivity tornado of the gap between the best INSTC branch and the reference sea family.

    No backend is forced: in Jupyter the figure shows inline, and headless runs get
    matplotlib's own default (Agg)."""
    import matplotlib.pyplot as plt
    import numpy as np

    recs = comp.to_records()
    names = [r["label"] for r in recs]
    colours = [COLOURS.get(r["family"], "#7f7f7f") for r in recs]
    fig, axes = plt.subplots(2, 2, figsize=(13, 9), constrained_layout=True)
    o = comp.routes[recs[0]["family"]].names
    fig.suptitle(
        f"{o.get(comp.origin, comp.origin)} to {o.get(comp.destination, comp.destination)}"
        f": route families compared ({comp.draws:,} draws, seed {comp.seed})"
    )

    for ax, key, unit in (
        (axes[0, 0], "days", "days door to door"),
        (axes[0, 1], "cost_usd", "USD per TEU"),
    ):
        p50 = np.array([r[key]["p50"] for r in recs])
        lo = p50 - np.array([r[key]["p10"] for r in recs])
        hi = np.array([r[key]["p90"] for r in recs]) - p50
        y = np.arange(len(recs))
        ax.barh(y, p50, color=colours, alpha=0.8)
        ax.errorbar(p50, y, xerr=[lo, hi], fmt="none", ecolor="black", capsize=4)
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlabel(f"{unit} (bar P50, whiskers P10-P90)")
        ax.grid(axis="x", alpha=0.3)

    ax = axes[1, 0]
    for r in recs:
        route = comp.routes[r["family"]]
        km, h = [0.0], [0.0]
        for leg in route.legs:
            km.append(km[-1] + leg["distance_km"])
            h.append(h[-1] + leg["time_h"])
        ax.plot(
            km,
            np.array(h) / 24.0,
            color=COLOURS.get(r["family"], "#7f7f7f"),
            label=r["label"],
            lw=2,
        )
    ax.set_xlabel("distance travelled (km)")
    ax.set_ylabel("elapsed days (likely values)")
    ax.set_title(
        "Time-distance: slopes are movement, vertical steps are dwell and waits", fontsize=10
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    rows = comp.sensitivity[:top]
    if rows:
        labels = [_short(r["parameter"]) for r in rows][::-1]
        lo = np.array([r["gap_low_days"] for r in rows])[::-1]
        hi = np.array([r["gap_high_days"] for r in rows])[::-1]
        base = _base_gap(comp)
        y = np.arange(len(rows))
        ax.barh(y, lo - base, left=base, color="#4c72b0", label="parameter at low")
        ax.barh(y, hi - base, left=base, color="#dd8452", label="parameter at high")
        ax.axvline(base, color="black", lw=1)
        ax.set_yticks(y, labels, fontsize=8)
        ref = _label(comp, comp.reference)
        ax.set_xlabel(f"best INSTC minus {ref}, days (negative: INSTC faster)")
        ax.set_title(f"What moves the INSTC - {ref} gap most", fontsize=10)
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no INSTC / sea family pair to compare", ha="center", va="center")
        ax.set_axis_off()
    return fig


def _base_gap(comp: Comparison) -> float:
    inst = [comp.routes[f.name].days for f in comp.families if f.instc and f.name in comp.routes]
    if not inst or comp.reference not in comp.routes:
        return 0.0
    return min(inst) - comp.routes[comp.reference].days


def _label(comp: Comparison, name: str | None) -> str:
    for f in comp.families:
        if f.name == name:
            return f.label
    return str(name)


def _short(key: str) -> str:
    parts = [p.strip('"') for p in key.replace('."', ".").split(".")]
    return " ".join(p for p in parts if p not in ("modes", "by_country", "by_vessel"))


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
    fig.tight_layout()
    return fig


def save_figure(fig, path) -> None:
    """Save a figure as PNG atomically."""
    from ._atomic import atomic_write

    def write(fh):
        fig.savefig(fh, format="png", dpi=110)

    atomic_write(path, write)
