"""The ``corridormap`` command: a thin shell over the library.

Exit codes: 0 success, 2 bad input (unknown place, invalid data, bad arguments), 3 no route.
Errors print one line on stderr, never a traceback (``-v`` adds the traceback for debugging).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from ._errors import CorridormapError, NoRouteError, UnknownPlaceError
from ._schema import MAX_DRAWS
from .routing import OBJECTIVES

log = logging.getLogger("corridormap")

EXIT_OK, EXIT_BAD_INPUT, EXIT_NO_ROUTE = 0, 2, 3
LEG_COLUMNS = (
    "from_name",
    "to_name",
    "mode",
    "distance_km",
    "time_h",
    "cost_usd",
    "co2_kg",
    "link_id",
    "status",
)
LEG_HEADERS = ("from", "to", "mode", "km", "hours", "USD/TEU", "kg CO2", "link", "status")


#: the most routes ``route -k`` lists (``alternatives`` examines at most 500 paths)
MAX_K = 100
#: the most pairs ``bottlenecks`` and ``scenario`` take (about 0.2 s a pair for criticality)
MAX_PAIRS = 500
#: the largest pairs file read
MAX_PAIRS_FILE_BYTES = 1024 * 1024
#: the most routes ``route --chart`` draws on one chart (beyond that the lines are unreadable)
MAX_CHART_ROUTES = 6
#: the most characters of an error message printed
MAX_MESSAGE = 1000


def _bounded_int(low: int, high: int | None = None, *, what: str = ""):
    """An argparse type: a whole number in ``low..high`` (the message gives the range)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {_short(text)!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,}, got {_short(text)}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}{what}, got {_short(text)}")
        return value

    return parse


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


_positive_int = _bounded_int(1)


class CliError(Exception):
    """A usage error found after parsing (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        from ._format import terminal_safe

        message = terminal_safe(" ".join(message.split()))
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "\u2026"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _network(args: argparse.Namespace):
    from .network import load_network

    return load_network(args.data)


def _weight(args: argparse.Namespace, G: Any, by: str):
    """The weight of ``--scenario`` (repeatable, composed) and ``--by``: ``(view, weight)``."""
    from .scenarios import apply_scenario

    view = apply_scenario(G, list(getattr(args, "scenario", None) or []))
    return view, view.weight(OBJECTIVES.get(by, by))


def _scenario_line(view: Any) -> str:
    """The line that says which scenarios an output was computed under."""
    if not view.scenarios:
        return "scenario: baseline (no scenario applied)"
    return "scenario: " + " + ".join(
        f"{s.name} ({s.description})" if s.description else s.name for s in view.scenarios
    )


def _emit(text: str, out: str | None = None, *, terminal: bool = False) -> None:
    """Write ``text`` to ``out`` (atomically) or stdout.

    ``terminal`` text (tables) has its control characters made visible first, so data cannot
    drive the terminal.
    """
    from ._format import terminal_safe

    if terminal:
        text = terminal_safe(text)
    if out:
        from ._atomic import atomic_write

        atomic_write(out, text)
        print(terminal_safe(out))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Every file the command reads.

    These are the geodata directory's files (its scenarios and basemap too), scenario files
    named by path, and the pairs file.
    """
    from .io import bundled_geodata_dir

    base = Path(args.data) if getattr(args, "data", None) else bundled_geodata_dir()
    files: list[Path] = []
    for d in (base, base / "scenarios", base / "basemap"):
        with contextlib.suppress(OSError):
            files += [p for p in d.iterdir() if p.is_file()]
    for name in [*(getattr(args, "scenario", None) or []), *(getattr(args, "names", None) or [])]:
        p = Path(name)
        if p.suffix == ".toml" or os.sep in name or p.is_file():
            files.append(p)
    if getattr(args, "pairs_file", None):
        files.append(Path(args.pairs_file))
    return files


def _check_outputs(args: argparse.Namespace, outputs: Sequence[str | Path | None]) -> None:
    """Refuse bad output paths before anything is computed or written.

    An output path is refused if it is not a regular file (a FIFO, a device, a directory),
    if it is one of the input files, or if it is given twice.
    """
    from ._atomic import OutputPathError, check_target

    seen: dict[str, str] = {}
    chosen = [str(o) for o in outputs if o]
    if not chosen:
        return
    inputs = []
    for f in _input_files(args):
        with contextlib.suppress(OSError):
            inputs.append((f, os.stat(f)))
    for out in chosen:
        target = check_target(out)
        key = str(target)
        if key in seen:
            raise OutputPathError(f"{seen[key]} and {out} are the same file; give two paths")
        seen[key] = out
        try:
            info = os.stat(target)
        except OSError:
            continue
        for f, fi in inputs:
            if (info.st_dev, info.st_ino) == (fi.st_dev, fi.st_ino):
                raise OutputPathError(
                    f"cannot write {out}: it is the input file {f}; writing there would "
                    "destroy it, give another path"
                )


# -- route ----------------------------------------------------------------------------------
def _plural(n: int, word: str) -> str:
    """``1 transshipment``, ``3 transshipments``."""
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def _band(p: dict, unit: str = " days", fmt: str = "{:.1f}", pre: str = "") -> str:
    """``32.0 days P50 (P10–P90 28.2–36.3)``."""
    lo, mid, hi = (pre + fmt.format(p[k]) for k in ("p10", "p50", "p90"))
    return f"{mid}{unit} P50 (P10–P90 {lo}–{hi})"


def _route_headline(r: Any, pct: dict) -> str:
    """One line of route figures.

    The ends, P50 days and cost with P10-P90, the likely-values figures, distance, CO2, borders and
    transshipments (each named, singular or plural).
    """
    t = r.totals()
    return (
        f"{r.names.get(r.origin, r.origin)} -> {r.names.get(r.destination, r.destination)}: "
        f"{_band(pct['days'])}, likely-values route {r.days:.1f} days; "
        f"{_band(pct['cost_usd'], '/TEU', '{:,.0f}', '$')}, likely-values ${r.cost_usd:,.0f}; "
        f"{t['distance_km']:,.0f} km, {t['co2_kg']:,.0f} kg CO2/TEU, "
        f"{_plural(t['borders'], 'border')}, {_plural(t['transshipments'], 'transshipment')}"
    )


def _percentile_fields(pct: dict) -> dict[str, Any]:
    """The JSON fields of a route's Monte Carlo: P10/P50/P90 days and cost, draws, seed."""
    return {
        "days": {k: round(v, 2) for k, v in pct["days"].items()},
        "cost_usd": {k: round(v, 0) for k, v in pct["cost_usd"].items()},
        "draws": pct["draws"],
        "seed": pct["seed"],
    }


def _check_chart(path: str | None) -> None:
    from .charts import FORMATS

    if path and Path(path).suffix.lower() not in FORMATS:
        raise CliError(f"--chart {_short(path)}: give a file ending in .png or .svg")


def _save_chart(fig: Any, path: str) -> None:
    import matplotlib.pyplot as plt

    from .charts import save_figure

    try:
        save_figure(fig, path)
    finally:
        plt.close(fig)
    print(f"chart: {path}", file=sys.stderr)


def cmd_route(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .compare import route_percentiles
    from .routing import alternatives, route

    _check_outputs(args, [args.out, args.map, args.chart])
    _check_chart(args.chart)
    if args.chart and args.k > MAX_CHART_ROUTES:
        raise CliError(
            f"--chart draws at most {MAX_CHART_ROUTES} routes on one chart (asked for -k {args.k})"
        )
    G = _network(args)
    view, wf = _weight(args, G, args.by)
    modes = _modes(args.modes)
    via, leg_modes = _stretches(args.via, args.arrive_by)
    opts = {"via": via, "avoid": args.avoid, "weight": wf, "modes": modes, "leg_modes": leg_modes}
    if args.k == 1:
        routes = [route(G, args.origin, args.destination, **opts)]
    else:
        routes = alternatives(G, args.origin, args.destination, k=args.k, **opts)
    pcts = [route_percentiles(G, r, draws=args.draws, seed=args.seed) for r in routes]
    if args.map:
        from .render import route_map, save_map

        save_map(route_map(routes, G=G), args.map, self_contained=args.self_contained)
        print(f"map: {args.map}", file=sys.stderr)
    if args.chart:
        from .charts import time_distance

        _save_chart(time_distance(routes, G=G, draws=args.draws, seed=args.seed), args.chart)
    if args.format == "json":
        docs = [
            {**r.to_dict(), "percentiles": _percentile_fields(p)}
            for r, p in zip(routes, pcts, strict=True)
        ]
        _emit(fmt.json_text(docs[0] if len(docs) == 1 else docs), args.out)
    elif args.format == "csv":
        rows = []
        for i, r in enumerate(routes, 1):
            for leg in r.to_dict()["legs"]:
                rows.append({"route": i, **leg})
        _emit(fmt.csv_text(rows, ["route", *routes[0].to_dict()["legs"][0].keys()]), args.out)
    elif args.format == "geojson":
        import json

        feats = []
        for i, r in enumerate(routes, 1):
            gdf = r.to_geodataframe()
            gdf.insert(0, "route", i)
            feats.extend(json.loads(gdf.to_json(drop_id=True))["features"])
        _emit(fmt.json_text({"type": "FeatureCollection", "features": feats}), args.out)
    else:
        parts = [_scenario_line(view)] if view.scenarios else []
        for i, (r, pct) in enumerate(zip(routes, pcts, strict=True), 1):
            title = f"Route {i} of {len(routes)}: " if len(routes) > 1 else ""
            legs = fmt.leg_rows(r)
            parts.append(title + _route_headline(r, pct))
            parts.append(
                f"(P10/P50/P90 from {pct['draws']:,} Monte Carlo draws, seed {pct['seed']}, "
                "of this route's sourced parameter ranges; the legs below are likely values)"
            )
            parts.append("via " + " - ".join(r.names[n] for n in r.nodes))
            parts.append(fmt.table(legs, LEG_COLUMNS, headers=LEG_HEADERS))
            parts.append("")
        _emit("\n".join(parts), args.out, terminal=True)
    return EXIT_OK


def _stretches(vias: list[str], arrive_by: str | None) -> tuple[list[str], list | None]:
    """``--via PLACE[:MODES]`` and ``--arrive-by``: the via places and the modes per stretch.

    The modes of every stretch (``None`` for any) are given only if any stretch names its
    modes.
    """
    from ._schema import MODES

    places, modes = [], []
    for text in vias:
        head, sep, tail = text.rpartition(":")
        names = [m.strip() for m in tail.split(",")] if sep else []
        if sep and head and names and all(m in MODES for m in names):
            places.append(head)
            modes.append(names)
        else:
            places.append(text)
            modes.append(None)
    modes.append(_modes(arrive_by))
    return places, (modes if any(m is not None for m in modes) else None)


def _modes(text: str | None) -> list[str] | None:
    if text is None:
        return None
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes:
        raise CliError("--modes needs at least one mode, e.g. rail,sea,caspian")
    return modes


# -- places ---------------------------------------------------------------------------------
def cmd_places(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .places import places

    G = _network(args)
    cat = places(G)
    if args.kind is not None:
        _check_choice(args.kind, sorted({str(p.get("kind")) for p in cat.values()}), "kind")
    if args.country is not None:
        countries = sorted({str(p.get("country")) for p in cat.values()})
        _check_choice(args.country.upper(), countries, "country", where="the network")
    rows = []
    for pid, p in cat.items():
        if args.kind and p.get("kind") != args.kind:
            continue
        if args.country and p.get("country") != args.country.upper():
            continue
        rows.append(
            {
                "id": pid,
                "name": p["name"],
                "country": p["country"],
                "kind": p["kind"],
                "aliases": ", ".join(p.get("aliases") or []),
                "lon": p["x"],
                "lat": p["y"],
                "basis": p.get("basis"),
                "source": p.get("source"),
            }
        )
    cols = ["id", "name", "country", "kind", "aliases"]
    if args.format == "json":
        _emit(fmt.json_text(rows))
    elif args.format == "csv":
        _emit(fmt.csv_text(rows, list(rows[0]) if rows else cols))
    else:
        _emit(fmt.table(rows, cols) + f"\n{len(rows)} places", terminal=True)
    return EXIT_OK


# -- compare --------------------------------------------------------------------------------
def _short_place(name: str, limit: int = 28) -> str:
    """A place name shortened for a table.

    A parenthesised alias is dropped (a two-letter country code kept, it tells two Astaras apart),
    at most ``limit`` characters.
    """
    import re

    m = re.fullmatch(r"(.+?) \((.+)\)", name)
    if m and not re.fullmatch(r"[A-Z]{2}", m.group(2)):
        name = m.group(1)
    return _short(name, limit)


def cmd_compare(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .charts import param_label
    from .compare import compare
    from .places import places

    _check_outputs(args, [args.out, args.chart])
    _check_chart(args.chart)
    G = _network(args)
    view, wf = _weight(args, G, args.by)
    comp = compare(
        G,
        args.origin,
        args.destination,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        weight=wf,
        progress=_progress(args, args.draws),
    )
    if args.chart:
        _save_chart(comp.plot(), args.chart)
    recs = comp.to_records()
    if args.format == "json":
        for r in recs:  # the likely-values figures beside the P10/P50/P90, labelled
            best = comp.routes[r["family"]]
            r["likely_days"], r["likely_cost_usd"] = round(best.days, 2), round(best.cost_usd, 0)
        _emit(fmt.json_text(recs), args.out)
    elif args.format == "csv":
        _emit(fmt.frame_csv_text(comp.to_frame()), args.out)
    else:
        cat = places(G)

        def key_places(r: dict) -> str:
            keep = ("port", "border_crossing", "chokepoint")
            via = [n for n in r["nodes"][1:-1] if cat[n]["kind"] in keep]
            return ", ".join(_short_place(str(cat[n]["name"])) for n in via)

        def likely(r: dict) -> str:
            return f"{comp.routes[r['family']].days:.1f}"

        metrics = [
            ("distance km", lambda r: f"{r['distance_km']:,.0f}"),
            ("days P10", lambda r: f"{r['days']['p10']:.1f}"),
            ("days P50", lambda r: f"{r['days']['p50']:.1f}"),
            ("days P90", lambda r: f"{r['days']['p90']:.1f}"),
            ("days, likely", likely),
            ("USD/TEU P10", lambda r: f"{r['cost_usd']['p10']:,.0f}"),
            ("USD/TEU P50", lambda r: f"{r['cost_usd']['p50']:,.0f}"),
            ("USD/TEU P90", lambda r: f"{r['cost_usd']['p90']:,.0f}"),
            ("kg CO2/TEU", lambda r: f"{r['co2_kg']:,.0f}"),
            ("borders", lambda r: str(r["borders"])),
            ("transshipments", lambda r: str(r["transshipments"])),
        ]
        rows = [{"metric": name, **{r["family"]: f(r) for r in recs}} for name, f in metrics]
        head = (
            f"{cat[comp.origin]['name']} -> {cat[comp.destination]['name']}: "
            f"{comp.draws:,} draws, seed {comp.seed}"
        )
        lines = [
            head,
            _scenario_line(view),
            fmt.table(rows, ["metric", *(r["family"] for r in recs)]),
            "days P10/P50/P90: each family's best route in every draw; days, likely: its best "
            "route at the parameters' likely values",
        ]
        width = max(len(r["family"]) for r in recs)
        lines += [f"{r['family']:<{width}}  via {key_places(r) or '-'}" for r in recs]
        odds = {
            f.name: comp.p_instc_beats(f.name)
            for f in comp.families
            if not f.instc and f.name in comp.days
        }
        if comp.instc_days() is not None and odds:
            lines.append(
                "P(best INSTC branch faster) "
                + ", ".join(f"than {name}: {p:.2f}" for name, p in odds.items())
            )
        for fam, why in comp.unreachable.items():
            lines.append(f"{fam}: unreachable ({why})")
        if comp.sensitivity:
            lines.append(
                f"most sensitive (swing of the INSTC - {comp.reference} gap, days): "
                + "; ".join(
                    f"{param_label(r['parameter'], G.graph['params'])} {r['swing_days']:.1f}"
                    for r in comp.sensitivity[:3]
                )
            )
        _emit("\n".join(lines), args.out, terminal=True)
    return EXIT_OK


# -- bottlenecks, capacity, scenario --------------------------------------------------------
def _read_pairs(args: argparse.Namespace) -> list[tuple[str, str]] | None:
    """Pairs from FROM TO / --pair / --pairs-file (CSV or whitespace 'FROM,TO' lines)."""
    pairs: list[tuple[str, str]] = [tuple(p) for p in getattr(args, "pair", None) or []]
    if getattr(args, "origin", None) is not None:
        if getattr(args, "destination", None) is None:
            raise CliError("give both FROM and TO, or neither")
        pairs.append((args.origin, args.destination))
    if args.pairs_file:
        import csv

        from .io import read_regular_file

        raw = read_regular_file(args.pairs_file, name=args.pairs_file, limit=MAX_PAIRS_FILE_BYTES)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CliError(
                f"{args.pairs_file}: is not UTF-8 text (byte {exc.start:,} cannot be decoded)"
            ) from None
        rows = [r for r in csv.reader(text.splitlines()) if r and not r[0].lstrip().startswith("#")]
        for i, r in enumerate(rows, 1):
            cells = [c.strip() for c in r if c.strip()]
            header = [c.casefold() for c in cells]
            if i == 1 and header in (["from", "to"], ["origin", "destination"]):
                continue
            if len(cells) != 2:
                raise CliError(f"{args.pairs_file}: line {i}: expected 'FROM,TO', got {_show(r)}")
            pairs.append((cells[0], cells[1]))
            if len(pairs) > MAX_PAIRS:
                break
    if len(pairs) > MAX_PAIRS:
        raise CliError(f"too many pairs: at most {MAX_PAIRS:,} are allowed in one run")
    return pairs or None


def _save_link_map(args, G, values: dict, *, label: str, highlight=(), **page) -> None:
    from .render import color_links, save_map

    m = color_links(G, values, label=label, highlight=highlight, **page)
    save_map(m, args.map, self_contained=getattr(args, "self_contained", False))
    print(f"map: {args.map}", file=sys.stderr)


def cmd_bottlenecks(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .criticality import CRITICALITY_FIELDS, criticality

    _check_outputs(args, [args.out, args.map])
    pairs = _read_pairs(args)
    G = _network(args)
    view, wf = _weight(args, G, args.by)
    crit = criticality(G, pairs, weight=wf)
    unrouted = [p for p, b in crit.baseline.items() if b["time_h"] is None]
    if unrouted and len(unrouted) == len(crit.baseline):
        raise NoRouteError("no route for " + ", ".join(unrouted) + ": nothing to rank")
    rows = crit.top(args.top) if args.top else crit.to_dict()
    if args.map:
        # the map shows what the table shows: the --top N rows, or every row
        values = {
            r["element"]: (r["delta_days"] if args.by == "time" else r["delta_cost_usd"])
            for r in rows
            if r["kind"] == "link"
        }
        cut = [r["element"] for r in rows if r["kind"] == "link" and r["disconnects"]]
        label = "delta days" if args.by == "time" else "delta USD/TEU"
        shown = f"the {args.top} most critical links" if args.top else "every link"
        _save_link_map(
            args,
            G,
            values,
            label=label,
            highlight=cut,
            title="Bottlenecks: what closing each link costs",
            subtitle=f"{shown}, by the {'days' if args.by == 'time' else 'cost'} "
            f"closing it adds to the best routes of {len(crit.baseline)} pair(s); "
            + f"scenario: {view.name}",
            notes=[f"pair: {p}" for p in crit.baseline],
        )
    if args.format == "json":
        _emit(fmt.json_text(rows), args.out)
    elif args.format == "csv":
        _emit(fmt.csv_text(rows, list(CRITICALITY_FIELDS)), args.out)
    else:
        head = (
            _scenario_line(view)
            + "\nbest routes: "
            + "; ".join(
                f"{p} {b['time_h'] / 24:.1f} d" if b["time_h"] is not None else f"{p} no route"
                for p, b in crit.baseline.items()
            )
        )
        cols = (
            "ranked",
            "element",
            "name",
            "kind",
            "delta_days",
            "delta_cost_usd",
            "disconnects",
            "pairs_affected",
        )
        heads = ("#", "element", "name", "kind", "+days", "+USD/TEU", "disconnects", "pairs")
        tail = ""
        if not args.top:
            # a network of thousands of links: list what matters, count the rest
            idle = sum(1 for r in rows if not r["pairs_affected"])
            if idle:
                rows = [r for r in rows if r["pairs_affected"]]
                tail = (
                    f"\n+ {idle:,} more links and places: closing any one of them changes no "
                    "best route (--format csv lists them all)"
                )
        table = fmt.table(rows, cols, headers=heads, digits=2) if rows else "(none)"
        _emit(head + "\n" + table + tail, args.out, terminal=True)
    return EXIT_OK


def cmd_capacity(args: argparse.Namespace) -> int:
    import math

    from . import _format as fmt
    from .capacity import min_cut
    from .scenarios import apply_scenario

    _check_outputs(args, [args.out, args.map])
    G = _network(args)
    if args.mode:
        present = sorted({str(d["mode"]) for _, _, d in G.edges(data=True) if d["kind"] == "link"})
        for mode in args.mode:
            _check_choice(mode, present, "mode", where="the network's links")
    view = apply_scenario(G, args.scenario) if args.scenario else None
    res = min_cut(
        G, args.origin, args.destination, unit=args.unit, modes=args.mode or None, scenario=view
    )
    if args.map:
        values = {c["element"]: c["capacity"] for c in res.cut if c["kind"] == "link"}
        _save_link_map(args, G, values, label=f"capacity ({res.unit})", highlight=list(values))
    if args.format == "json":
        _emit(fmt.json_text(res.to_dict()), args.out)
    elif args.format == "csv":
        rows = [dict(c) for c in res.cut]
        _emit(
            fmt.csv_text(rows, ["element", "kind", "name", "capacity", "unit", "capacity_source"]),
            args.out,
        )
    else:
        lines = [f"{', '.join(res.sources)} -> {', '.join(res.sinks)}"]
        if math.isinf(res.flow):
            lines.append("max flow: " + res.summary())
        else:
            lines.append(f"max flow: {res.flow:,.2f} {res.unit}")
            lines.append(
                fmt.table(res.cut, ("element", "kind", "name", "capacity", "unit"), digits=2)
            )
            if res.ends_only:
                lines.append(
                    "bounded only by the end places' own capacities: nothing on the way "
                    "carries a capacity figure (" + " - ".join(res.unbounded_path) + ")"
                )
        lines.append(
            f"{len(res.missing_capacity)} links/places without a capacity in {res.unit} "
            "(treated as unconstrained): " + ", ".join(res.missing_capacity)
        )
        if res.other_units:
            lines.append(
                "capacity in other units (not converted): "
                + ", ".join(f"{k} {v}" for k, v in sorted(res.other_units.items()))
            )
        _emit("\n".join(lines), args.out, terminal=True)
    return EXIT_OK


#: the Monte Carlo fields ``scenario`` adds to each row (JSON, CSV)
SCENARIO_PERCENTILE_FIELDS = (
    "days_p10",
    "days_p50",
    "days_p90",
    "baseline_days_p50",
    "delta_days_p50",
    "cost_usd_p10",
    "cost_usd_p50",
    "cost_usd_p90",
    "baseline_cost_usd_p50",
    "delta_cost_usd_p50",
    "draws",
    "seed",
)


def _scenario_percentiles(
    G: Any, pairs: Sequence[tuple[str, str]], scen: list, by: str, draws: int, seed: int
) -> dict[tuple[str, str], dict[str, Any]]:
    """``(pair, scenario) -> fields`` with percentiles.

    The P10/P50/P90 of the same route ``compare_scenarios`` found (under the scenario and in the
    baseline), from :func:`route_percentiles`.
    """
    from ._errors import NoRouteError as _NoRoute
    from ._errors import UnknownPlaceError as _Unknown
    from .compare import route_percentiles
    from .places import resolve_place
    from .routing import route
    from .scenarios import apply_scenario

    views = [apply_scenario(G, s if isinstance(s, list | tuple) else [s]) for s in scen]
    base = apply_scenario(G, [])
    out: dict[tuple[str, str], dict[str, Any]] = {}

    def pct(view: Any, o: str, d: str) -> dict | None:
        try:
            r = route(G, o, d, weight=view.weight(by))
        except (_NoRoute, _Unknown):
            return None
        return route_percentiles(G, r, draws=draws, seed=seed)

    for o, d in pairs:
        o_id, d_id = resolve_place(G, o), resolve_place(G, d)
        b = pct(base, o_id, d_id)
        for view in views:
            p = pct(view, o_id, d_id)
            row: dict[str, Any] = dict.fromkeys(SCENARIO_PERCENTILE_FIELDS)
            row.update(draws=draws, seed=seed)
            if p is not None:
                for q, nd in (("days", 3), ("cost_usd", 1)):
                    for k in ("p10", "p50", "p90"):
                        row[f"{q}_{k}"] = round(p[q][k], nd)
            if b is not None:
                row["baseline_days_p50"] = round(b["days"]["p50"], 3)
                row["baseline_cost_usd_p50"] = round(b["cost_usd"]["p50"], 1)
            if p is not None and b is not None:
                row["delta_days_p50"] = round(p["days"]["p50"] - b["days"]["p50"], 3)
                row["delta_cost_usd_p50"] = round(p["cost_usd"]["p50"] - b["cost_usd"]["p50"], 1)
            out[(f"{o} - {d}", view.name)] = row
    return out


def cmd_scenario(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .scenarios import COMPARISON_FIELDS, compare_scenarios

    if args.volumes or args.chart:
        return cmd_scenario_volumes(args)
    _check_outputs(args, [args.out, args.map])
    pairs = _read_pairs(args)
    G = _network(args)
    if pairs is None:
        from .criticality import default_pairs

        pairs = default_pairs(G)
    names = [n for n in args.names]
    scen = [names] if args.compose else names
    comp = compare_scenarios(G, pairs, scen, by=OBJECTIVES[args.by])
    if args.map:
        from .render import save_map
        from .render.layers import scenario_map
        from .scenarios import apply_scenario

        view = apply_scenario(G, names)
        save_map(scenario_map(G, view), args.map, self_contained=args.self_contained)
        print(f"map: {args.map}", file=sys.stderr)
    rows = comp.to_dict()
    extra = _scenario_percentiles(G, pairs, scen, OBJECTIVES[args.by], args.draws, args.seed)
    for r in rows:
        r.update(extra[(r["pair"], r["scenario"])])
    fields = [*COMPARISON_FIELDS, *SCENARIO_PERCENTILE_FIELDS]
    if args.format == "json":
        _emit(fmt.json_text([{k: r[k] for k in fields} for r in rows]), args.out)
    elif args.format == "csv":
        for r in rows:
            r["route_nodes"] = " ".join(r["route_nodes"])
        _emit(fmt.csv_text(rows, fields), args.out)
    else:

        def band(r: dict) -> str:
            if r["days_p50"] is None:
                return ""
            return f"{r['days_p10']:.1f}–{r['days_p90']:.1f}"

        for r in rows:
            r["days_band"] = band(r)
        cols = (
            "pair",
            "scenario",
            "days_p50",
            "days_band",
            "baseline_days_p50",
            "delta_days_p50",
            "days",
            "delta_days",
            "cost_usd_p50",
            "delta_cost_usd_p50",
            "delta_cost_usd",
            "note",
        )
        heads = (
            "pair",
            "scenario",
            "days P50",
            "P10–P90",
            "base P50",
            "+days P50",
            "days, likely",
            "+days, likely",
            "USD/TEU P50",
            "+USD P50",
            "+USD, likely",
            "note",
        )
        foot = (
            f"P50 and P10–P90: {args.draws:,} Monte Carlo draws (seed {args.seed}) of each "
            "route's sourced parameter ranges, as 'corridormap route' reports them; 'likely': "
            "the same route at the parameters' likely values"
        )
        _emit(
            fmt.table(rows, cols, headers=heads, digits=2) + "\n" + foot,
            args.out,
            terminal=True,
        )
    return EXIT_OK


# -- listings -------------------------------------------------------------------------------
def cmd_scenarios(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .scenarios import list_scenarios, load_scenario

    G = _network(args)
    rows = []
    for name in list_scenarios(G):
        sc = load_scenario(name, G)
        rows.append(
            {
                "name": sc.name,
                "description": sc.description,
                "changes": len(sc.close_links) + len(sc.close_nodes) + len(sc.open_links)
                + sum(len(t) for t in (sc.speed, sc.dwell_transfer, sc.dwell_border,
                                       sc.dwell_canal, sc.wait, sc.capacity_mode,
                                       sc.capacity_link, sc.capacity_node)),
                "sources": list(sc.sources),
                "file": sc.file,
            }
        )  # fmt: skip
    if args.format == "json":
        _emit(fmt.json_text(rows))
    elif args.format == "csv":
        _emit(fmt.csv_text(rows, ["name", "description", "changes", "sources", "file"]))
    else:
        _emit(fmt.table(rows, ["name", "description", "changes"]) + f"\n{len(rows)} scenarios")
    return EXIT_OK


def cmd_regions(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import _format as fmt
    from .io import bundled_geodata_dir, read_toml
    from .places import places

    G = _network(args)
    cat = places(G)
    path = Path(G.graph.get("directory") or bundled_geodata_dir()) / "regions.toml"
    meta = read_toml(path).get("regions", {}) if path.is_file() else {}
    rows = []
    for name, ids in sorted((G.graph.get("regions") or {}).items()):
        info = meta.get(name) or {}
        rows.append(
            {
                "name": name,
                "places": len(ids),
                "description": info.get("description", ""),
                "members": " ".join(cat[i]["name"] for i in ids if i in cat),
                "source": info.get("source", ""),
            }
        )
    if args.format == "json":
        _emit(fmt.json_text(rows))
    elif args.format == "csv":
        _emit(fmt.csv_text(rows, ["name", "places", "description", "members", "source"]))
    else:
        _emit(fmt.table(rows, ["name", "places", "description"]) + f"\n{len(rows)} regions")
    return EXIT_OK


# -- map ------------------------------------------------------------------------------------
def cmd_map(args: argparse.Namespace) -> int:
    from ._atomic import atomic_write
    from .mapscenes import SceneError, compute_scene, load_scenes
    from .render import render_html
    from .render.mapscenes import draw_scene

    if args.scene == "catchment":
        return cmd_map_catchment(args)
    G = _network(args)
    scenes = load_scenes(G)
    if args.scene is not None and args.scene not in scenes:
        raise CliError(f"no scene {args.scene!r}; scenes are: {', '.join(scenes)}")
    view, wf = _weight(args, G, "time")
    if (args.png or args.svg) and args.scene is None:
        raise CliError("--png and --svg draw one scene: name it (corridormap map SCENE --png FILE)")
    views = []
    for name in list(scenes) if args.scene is None else [args.scene]:
        try:
            views.append(compute_scene(G, scenes[name], weight=wf))
        except SceneError as exc:
            if args.scene is not None:
                raise
            log.warning("scene %r skipped: %s", name, exc.reason)
    suffix = "-offline" if args.self_contained else ""
    paths = [Path(args.out) / f"map-{v.scene.name}{suffix}.html" for v in views]
    index = Path(args.out) / "index.html" if args.scene is None else None
    _check_outputs(args, [*paths, index, args.png, args.svg])
    # every page is drawn before any is written: a scene that fails replaces nothing
    pages = [render_html(draw_scene(v, G=G), self_contained=args.self_contained) for v in views]
    if view.scenarios:
        print(_scenario_line(view), file=sys.stderr)
    for path, page in zip(paths, pages, strict=True):
        atomic_write(path, page)
        print(path)
    if args.scene is None:  # the atlas of every scene (one scene alone leaves it as it is)
        from .render.atlas import write_atlas

        extra = [_scenario_line(view)] if view.scenarios else []
        print(write_atlas(args.out, views, G=G, extra=extra))
    for fmt_, out in (("png", args.png), ("svg", args.svg)):
        if out:
            from .render.static import save_static

            print(save_static(views[0], out, G=G, fmt=fmt_))
    return EXIT_OK


# -- backtest, calibrate ---------------------------------------------------------------------
BACKTEST_COLUMNS = ("id", "role", "fold", "observed", "p10", "p50", "p90", "error_pct", "inside")
BACKTEST_CSV = (
    "id", "title", "kind", "measure", "role", "fold", "observed_low", "observed_high", "p10",
    "p50", "p90", "error_days", "error_pct", "inside", "scored_with", "route", "not_replayable",
    "source",
)  # fmt: skip


def cmd_backtest(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .backtest import backtest

    G = _network(args)
    bt = backtest(
        G,
        evidence=args.evidence,
        draws=args.draws,
        seed=args.seed,
        folds=args.folds,
        cross_validate=args.cross_validate,
    )
    if args.chart:
        from .charts import save_figure

        save_figure(bt.plot(), args.chart)
        print(f"chart: {args.chart}", file=sys.stderr)
    if args.format == "json":
        _emit(fmt.json_text(bt.to_dict()), args.out)
    elif args.format == "csv":
        rows = []
        for o in bt.observations:
            lo, hi = o["observed_days"]
            route = " ".join(o["route"] or [])
            rows.append({**o, "observed_low": lo, "observed_high": hi, "route": route})
        _emit(fmt.csv_text(rows, BACKTEST_CSV), args.out)
    else:
        rows, skipped = [], []
        for o in bt.observations:
            lo, hi = o["observed_days"]
            if o["p50"] is None:
                skipped.append(f"  {o['id']}: not replayable ({o['not_replayable']})")
                continue
            obs = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
            rows.append({**o, "observed": obs, "inside": "yes" if o["inside"] else "no"})
        s = bt.summary()
        lines = [
            fmt.table(rows, BACKTEST_COLUMNS, digits=2),
            f"{s['n']} observations scored ({s['mode']}; {s['draws']:,} draws, seed {s['seed']}, "
            f"{s['folds']} folds): median |error| {s['median_abs_pct_error_out_of_sample']}%, "
            f"inside P10-P90 {s['share_inside_p10_p90']}; holdout rows: median |error| "
            f"{s['median_abs_pct_error_holdout']}%, inside {s['share_inside_p10_p90_holdout']}",
        ]
        if skipped:
            lines.append(f"{len(skipped)} not replayable:")
            lines.extend(skipped)
        _emit("\n".join(lines), args.out)
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .calibrate import calibrate, calibrated_text, write_parameters

    cal = calibrate(args.data, evidence=args.evidence)
    path, old, new = calibrated_text(cal)
    if args.check:
        if old != new:
            print(
                f"corridormap: {path} is not calibrated to the evidence: run "
                "'corridormap calibrate --write' (make calibrate)",
                file=sys.stderr,
            )
            return 1
        print(f"{path} is current ({len(cal.fit.values)} calibrated parameters)")
        return EXIT_OK
    if args.write:
        changed = write_parameters(cal)
        print(f"{path}: {'written' if changed else 'unchanged'}", file=sys.stderr)
    rows = cal.changes()
    if args.format == "json":
        _emit(fmt.json_text(cal.to_dict()), args.out)
    elif args.format == "csv":
        for r in rows:
            r["evidence"] = " ".join(r["evidence"])
        _emit(fmt.csv_text(rows, list(rows[0]) if rows else ["parameter"]), args.out)
    else:
        cols = ("parameter", "sourced_low", "prior_likely", "sourced_high", "calibrated", "low",
                "high", "change_pct", "rows")  # fmt: skip
        heads = ("parameter", "src low", "prior", "src high", "calibrated", "low", "high",
                 "change %", "rows")  # fmt: skip
        lines = [
            fmt.table(rows, cols, headers=heads, digits=2),
            f"{len(rows)} parameters fitted to {len(cal.fit.rows)} evidence rows in "
            f"{cal.iterations} round{'s' * (cal.iterations != 1)} "
            f"({'routes at a fixed point' if cal.converged else 'routes still changing'}), "
            f"{cal.seconds:.1f} s",
        ]
        if cal.skipped:
            lines.append(
                f"{len(cal.skipped)} fitted rows not replayable: "
                + "; ".join(f"{i} ({why})" for i, why in cal.skipped)
            )
        _emit("\n".join(lines), args.out)
    return EXIT_OK


# -- sweep ----------------------------------------------------------------------------------
def _list_arg(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def _sweep_client(args: argparse.Namespace) -> Any:
    """Where the sweep runs: ``--scheduler`` (an address, ``local`` or ``none``); without it ...

    ... a local Dask cluster when Dask is installed, else this process (and a note says so).
    """
    from .sweep import dask_available

    choice = args.scheduler or "local"
    if choice == "none":
        return None
    if not dask_available():
        if args.scheduler:
            raise CliError("--scheduler needs Dask: pip install 'corridormap[dask]'")
        log.warning(
            "Dask is not installed: sweeping in this process "
            "(pip install 'corridormap[dask]' to use every core or a cluster)"
        )
        return None
    return choice


def cmd_sweep(args: argparse.Namespace) -> int:
    from .places import places
    from .sweep import sweep, write_table

    outputs = [args.out, args.map]
    png = None
    if args.map:
        png = str(Path(args.map).with_suffix(".png"))
        outputs.append(png)
    _check_outputs(args, outputs)
    G = _network(args)
    frame = sweep(
        G,
        _list_arg(args.origins),
        _list_arg(args.destinations),
        scenarios=args.scenario,
        families=args.family or None,
        draws=args.draws,
        seed=args.seed,
        by=OBJECTIVES[args.by],
        client=_sweep_client(args),
        partitions=args.partitions,
        workers=args.workers,
        progress=not args.quiet and _isatty(),
    )
    write_table(frame, args.out)
    print(args.out)
    if args.map:
        from .render.catchment import write_catchment
        from .sweep import resolve_endpoints

        origin = (
            resolve_endpoints(G, [args.map_origin])[0]
            if args.map_origin
            else str(frame["origin"].iloc[0])
        )
        try:
            written = write_catchment(
                frame,
                places(G),
                args.map,
                origin=origin,
                png=png,
                self_contained=args.self_contained,
            )
        except ValueError as exc:  # an origin not swept, a network without the reference
            raise CliError(f"--map: {exc}") from None
        for path in written:
            print(path)
    return EXIT_OK


def cmd_map_catchment(args: argparse.Namespace) -> int:
    from .places import places
    from .render.catchment import write_catchment
    from .sweep import resolve_endpoints, sweep

    if not args.origin:
        raise CliError("map catchment needs --origin PLACE (the port cargo starts from)")
    suffix = "-offline" if args.self_contained else ""
    page = Path(args.out) / f"map-catchment{suffix}.html"
    png = Path(args.out) / "map-catchment.png"
    _check_outputs(args, [page, png])
    G = _network(args)
    origin = resolve_endpoints(G, [args.origin])[0]
    cat = places(G)
    dests = _list_arg(args.destinations) or [
        pid for pid, p in cat.items() if p.get("kind") != "chokepoint"
    ]
    frame = sweep(
        G,
        [origin],
        dests,
        scenarios=args.scenario,
        draws=args.draws,
        seed=args.seed,
        progress=not args.quiet and _isatty(),
    )
    try:
        written = write_catchment(
            frame, cat, page, origin=origin, png=png, self_contained=args.self_contained
        )
    except ValueError as exc:  # e.g. a network whose families.toml has no reference family
        raise CliError(str(exc)) from None
    for path in written:
        print(path)
    return EXIT_OK


def _isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# -- demo -----------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run

    for path in run(args.out, data_dir=args.data):
        print(path)
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------
def _scenario_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="compute under this scenario (repeat to compose several; "
        "'corridormap scenarios' lists them)",
    )


def _monte_carlo_options(sp: argparse.ArgumentParser) -> None:
    """``--draws`` and ``--seed``: route, compare and scenario draw the same Monte Carlo."""
    sp.add_argument(
        "--draws",
        type=_bounded_int(1, MAX_DRAWS, what=" (about 175 bytes of memory each)"),
        default=10_000,
        metavar="N",
        help=f"Monte Carlo draws for P10/P50/P90 (default 10000, at most {MAX_DRAWS:,})",
    )
    sp.add_argument(
        "--seed",
        type=_bounded_int(0, 2**63 - 1),
        default=0,
        metavar="S",
        help="random seed (default 0)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``corridormap`` argument parser, with every subcommand and its options."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data", metavar="DIR", help="a geodata directory to use instead of the bundled data"
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more logging (-vv for debug and tracebacks)",
    )
    common.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")

    p = _Parser(
        prog="corridormap",
        description="Map and measure Eurasian freight corridors (INSTC, Suez, Cape).",
    )
    p.add_argument("--version", action="version", version=f"corridormap {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    _add_route_parser(sub, common)
    _add_places_parser(sub, common)
    _add_compare_parser(sub, common)
    _add_bottlenecks_parser(sub, common)
    _add_capacity_parser(sub, common)
    _add_scenario_parser(sub, common)
    _add_assign(sub, common, _output_options)
    _add_map_parser(sub, common)
    _add_sweep_parser(sub, common)
    _add_scenarios_parser(sub, common)
    _add_regions_parser(sub, common)
    _add_backtest_parser(sub, common)
    _add_calibrate_parser(sub, common)
    _add_demo_parser(sub, common)
    return p


def _output_options(sp: argparse.ArgumentParser, what: str) -> None:
    """Add ``--format``, ``--out``, ``--map`` (of ``what``) and ``--self-contained`` to ``sp``."""
    sp.add_argument("--format", choices=["table", "json", "csv"], default="table")
    sp.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    sp.add_argument("--map", metavar="FILE", help=f"also write an HTML map of {what}")
    sp.add_argument(
        "--self-contained", action="store_true", help="with --map: a page that works offline"
    )


def _add_route_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``route`` subcommand's parser to ``sub``, with the ``common`` options."""
    r = sub.add_parser(
        "route",
        parents=[common],
        help="best route(s) between two places",
        description="Best route(s) between two places on the multimodal network.",
    )
    r.add_argument("origin", metavar="FROM")
    r.add_argument("destination", metavar="TO")
    r.add_argument(
        "--by",
        choices=["time", "cost", "distance", "co2"],
        default="time",
        help="what to minimise (default: time)",
    )
    r.add_argument(
        "--via",
        action="append",
        default=[],
        metavar="PLACE[:MODES]",
        help="pass through PLACE, where the cargo is handled (repeat for several, in order); "
        "PLACE:caspian means the stretch arriving there goes by Caspian ship "
        "(modes comma-separated)",
    )
    r.add_argument(
        "--arrive-by",
        metavar="MODES",
        help="modes of the last stretch, into the destination (e.g. sea)",
    )
    r.add_argument(
        "--avoid",
        action="append",
        default=[],
        metavar="AREA",
        help="keep out of AREA: a place (a shared name avoids all its places), a region "
        "(azerbaijan) or a country code (IR); repeat for several",
    )
    r.add_argument(
        "--modes",
        metavar="M1,M2",
        help="only these link modes, comma-separated (rail, road, sea, caspian, ferry, inland)",
    )
    _scenario_option(r)
    r.add_argument(
        "-k",
        type=_bounded_int(1, MAX_K),
        default=1,
        metavar="N",
        help=f"N distinct routes, best first (at most {MAX_K})",
    )
    r.add_argument("--format", choices=["table", "json", "geojson", "csv"], default="table")
    r.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    r.add_argument("--map", metavar="FILE", help="also write an HTML map of the route(s)")
    r.add_argument(
        "--self-contained",
        action="store_true",
        help="with --map: a page that works offline (assets and basemap inlined)",
    )
    r.add_argument(
        "--chart",
        metavar="FILE",
        help="also write a time-distance and cost-distance chart (.png or .svg)",
    )
    _monte_carlo_options(r)
    r.set_defaults(func=cmd_route)


def _add_places_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``places`` subcommand's parser to ``sub``, with the ``common`` options."""
    pl = sub.add_parser(
        "places",
        parents=[common],
        help="list the places",
        description="List the places (nodes) of the network.",
    )
    pl.add_argument("--kind", help="only this kind (city, port, border_crossing, ...)")
    pl.add_argument("--country", help="only this ISO country code")
    pl.add_argument("--format", choices=["table", "json", "csv"], default="table")
    pl.set_defaults(func=cmd_places)


def _add_compare_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``compare`` subcommand's parser to ``sub``, with the ``common`` options."""
    c = sub.add_parser(
        "compare",
        parents=[common],
        help="INSTC branches vs Suez vs Cape, with uncertainty",
        description="Compare route families door to door: days, cost and CO2 with "
        "P10/P50/P90 from a seeded Monte Carlo.",
    )
    c.add_argument("origin", metavar="FROM")
    c.add_argument("destination", metavar="TO")
    _monte_carlo_options(c)
    c.add_argument(
        "--by",
        choices=["time", "cost"],
        default="time",
        help="what picks each family's best route (default: time)",
    )
    c.add_argument(
        "--family",
        action="append",
        metavar="NAME",
        help="only these families (instc-western, instc-transcaspian, "
        "instc-eastern, suez, cape); repeat",
    )
    _scenario_option(c)
    c.add_argument("--format", choices=["table", "json", "csv"], default="table")
    c.add_argument(
        "--chart",
        metavar="FILE",
        help="also write the comparison chart, with a time-distance panel per family "
        "(.png or .svg)",
    )
    c.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    c.set_defaults(func=cmd_compare)


def _add_bottlenecks_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``bottlenecks`` subcommand's parser to ``sub``, with the ``common`` options."""
    b = sub.add_parser(
        "bottlenecks",
        parents=[common],
        help="rank links and places by what closing them costs",
        description="Criticality: close each link and place in turn and report the increase "
        "of the best routes' time and cost, or the pairs it disconnects.",
    )
    b.add_argument("origin", metavar="FROM", nargs="?")
    b.add_argument("destination", metavar="TO", nargs="?")
    b.add_argument("--pairs-file", metavar="FILE", help="CSV of FROM,TO pairs")
    b.add_argument("--by", choices=["time", "cost"], default="time")
    b.add_argument("--top", type=_positive_int, metavar="N", help="only the N most critical")
    _scenario_option(b)
    _output_options(b, "links coloured by criticality")
    b.set_defaults(func=cmd_bottlenecks)


def _add_capacity_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``capacity`` subcommand's parser to ``sub``, with the ``common`` options."""
    cp = sub.add_parser(
        "capacity",
        parents=[common],
        help="max flow and min cut between two places, countries or regions",
        description="Maximum flow (in capacity units, e.g. Mt/yr) between two sides, each a "
        "place, an ISO country code or a region of regions.toml, and the min-cut links.",
    )
    cp.add_argument("origin", metavar="FROM")
    cp.add_argument("destination", metavar="TO")
    cp.add_argument("--unit", default="Mt/yr", help="capacity unit to use (default Mt/yr)")
    cp.add_argument(
        "--mode",
        action="append",
        metavar="MODE",
        help="only links of this mode (repeat; e.g. rail, road, caspian, ferry, inland)",
    )
    _scenario_option(cp)
    _output_options(cp, "the min-cut links")
    cp.set_defaults(func=cmd_capacity)


def _add_scenario_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``scenario`` subcommand's parser to ``sub``, with the ``common`` options."""
    sc = sub.add_parser(
        "scenario",
        parents=[common],
        help="days and cost per pair under scenarios, against the baseline",
        description="Compare scenarios (geodata/scenarios/*.toml or files) with the baseline.",
    )
    sc.add_argument("names", metavar="NAME", nargs="+", help="scenario names or TOML files")
    sc.add_argument("--pair", nargs=2, action="append", metavar=("FROM", "TO"), default=[])
    sc.add_argument("--pairs-file", metavar="FILE", help="CSV of FROM,TO pairs")
    sc.add_argument("--compose", action="store_true", help="apply all NAMEs together as one")
    sc.add_argument("--by", choices=["time", "cost"], default="time")
    _monte_carlo_options(sc)
    _output_options(sc, "the links the scenarios open and close")
    _volume_options(sc)
    sc.set_defaults(func=cmd_scenario)


def _add_map_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``map`` subcommand's parser to ``sub``, with the ``common`` options."""
    mp = sub.add_parser(
        "map",
        parents=[common],
        help="write the named map scenes as HTML pages",
        description="Write one HTML map per scene (all scenes by default) and print the paths.",
    )
    mp.add_argument(
        "scene",
        nargs="?",
        metavar="SCENE",
        help="a scene of scenes.toml (overview, instc-vs-suez, rasht-astara-gap, caspian-links, "
        "shipment-2023, replay-first-transit-2022, ...; default: all), or 'catchment': where "
        "the INSTC beats Suez from --origin (a layer per --scenario)",
    )
    mp.add_argument("--out", default="out", metavar="DIR", help="output directory (default: out)")
    mp.add_argument(
        "--self-contained",
        action="store_true",
        help="pages that work offline (assets and basemap inlined), named map-SCENE-offline.html",
    )
    mp.add_argument("--png", metavar="FILE", help="also draw SCENE as a 300 dpi PNG (no browser)")
    mp.add_argument("--svg", metavar="FILE", help="also draw SCENE as an SVG (no browser)")
    _scenario_option(mp)
    catch = mp.add_argument_group("catchment (corridormap map catchment)")
    catch.add_argument("--origin", metavar="PLACE", help="the origin port of the catchment map")
    catch.add_argument(
        "--destinations",
        metavar="A,B",
        help="places, kinds, regions or country codes (default every place but chokepoints)",
    )
    catch.add_argument(
        "--draws",
        type=_bounded_int(1, MAX_DRAWS),
        default=2_000,
        metavar="N",
        help="Monte Carlo draws per pair (default 2000)",
    )
    catch.add_argument("--seed", type=_bounded_int(0, 2**63 - 1), default=0, metavar="S")
    mp.set_defaults(func=cmd_map)


def _add_sweep_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``sweep`` subcommand's parser to ``sub``, with the ``common`` options."""
    sw = sub.add_parser(
        "sweep",
        parents=[common],
        help="compare the families for many origins x destinations x scenarios",
        description="Every origin x destination x scenario x route family, with the Monte "
        "Carlo of 'compare' (the same figures per pair for the same seed), on Dask: a local "
        "cluster on this machine's cores by default, or --scheduler tcp://HOST:PORT.",
    )
    sw.add_argument(
        "--origins",
        required=True,
        metavar="A,B",
        help="places, kinds (port), regions or country codes, comma-separated",
    )
    sw.add_argument("--destinations", required=True, metavar="C,D", help="as --origins")
    sw.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME|FILE",
        help="also sweep under this scenario (repeat: each is its own; the "
        "baseline is always included)",
    )
    sw.add_argument("--family", action="append", metavar="NAME", help="only these families")
    sw.add_argument(
        "--draws",
        type=_bounded_int(1, MAX_DRAWS),
        default=10_000,
        metavar="N",
        help="Monte Carlo draws per pair and scenario (default 10000)",
    )
    sw.add_argument(
        "--seed",
        type=_bounded_int(0, 2**63 - 1),
        default=0,
        metavar="S",
        help="random seed (default 0)",
    )
    sw.add_argument(
        "--by",
        choices=["time", "cost"],
        default="time",
        help="what picks each family's route and the best family (default time)",
    )
    sw.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the table: Parquet if FILE ends in .parquet, else CSV (atomically)",
    )
    sw.add_argument(
        "--map",
        metavar="FILE",
        help="also write the catchment map (and FILE with .png: the figure)",
    )
    sw.add_argument(
        "--map-origin",
        metavar="PLACE",
        help="the origin the catchment map shows (default the first origin)",
    )
    sw.add_argument(
        "--self-contained", action="store_true", help="with --map: a page that works offline"
    )
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="tcp://HOST:PORT of a Dask scheduler; 'local' (default with Dask "
        "installed) starts a cluster on this machine; 'none' runs in this process",
    )
    sw.add_argument(
        "--workers",
        type=_bounded_int(1, 1024),
        metavar="N",
        help="worker processes of the local cluster (default: the cores)",
    )
    sw.add_argument(
        "--partitions",
        type=_bounded_int(1, 100_000),
        metavar="N",
        help="tasks the origins are split into (default 4 per worker)",
    )
    sw.set_defaults(func=cmd_sweep)


def _add_scenarios_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``scenarios`` subcommand's parser to ``sub``, with the ``common`` options."""
    ls = sub.add_parser(
        "scenarios",
        parents=[common],
        help="list the scenarios",
        description="List the scenarios (the geodata directory's, then the bundled ones).",
    )
    ls.add_argument("--format", choices=["table", "json", "csv"], default="table")
    ls.set_defaults(func=cmd_scenarios)


def _add_regions_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``regions`` subcommand's parser to ``sub``, with the ``common`` options."""
    rg = sub.add_parser(
        "regions",
        parents=[common],
        help="list the regions",
        description="List the named regions of regions.toml (for capacity, avoid, bottlenecks).",
    )
    rg.add_argument("--format", choices=["table", "json", "csv"], default="table")
    rg.set_defaults(func=cmd_regions)


def _add_backtest_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``backtest`` subcommand's parser to ``sub``, with the ``common`` options."""
    bt = sub.add_parser(
        "backtest",
        parents=[common],
        help="the model against every observation of the evidence register",
        description="Replay every movement of the evidence register (evidence.toml) on the "
        "model: P10/P50/P90, the error against the observed range, whether it falls inside "
        "P10-P90, and the cross-validation fold.",
    )
    bt.add_argument("--evidence", metavar="FILE", help="a register instead of the data's own")
    bt.add_argument("--draws", type=_positive_int, default=4000, metavar="N",
                    help="Monte Carlo draws (default 4000)")  # fmt: skip
    bt.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    bt.add_argument("--folds", type=_positive_int, default=5, metavar="K",
                    help="cross-validation folds (default 5)")  # fmt: skip
    cvg = bt.add_mutually_exclusive_group()
    cvg.add_argument("--cross-validate", dest="cross_validate", action="store_true",
                     default=None, help="score fitted rows out of sample (default when the "
                     "parameters are calibrated)")  # fmt: skip
    cvg.add_argument("--as-is", dest="cross_validate", action="store_false",
                     help="score the parameters as they are, nothing refitted")  # fmt: skip
    bt.add_argument("--format", choices=["table", "json", "csv"], default="table")
    bt.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    bt.add_argument("--chart", metavar="FILE.png", help="also write the backtest chart")
    bt.set_defaults(func=cmd_backtest)


def _add_calibrate_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``calibrate`` subcommand's parser to ``sub``, with the ``common`` options."""
    cb = sub.add_parser(
        "calibrate",
        parents=[common],
        help="fit the estimated time parameters to the evidence register",
        description="Fit the parameters whose basis is 'estimated' (never 'official'), within "
        "their sourced ranges, to the evidence rows that are not held out; print the fit, or "
        "write it into parameters.toml (--write), or check that the file holds it (--check).",
    )
    cb.add_argument("--evidence", metavar="FILE", help="a register instead of the data's own")
    mode = cb.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true",
                      help="write the calibrated values into parameters.toml")  # fmt: skip
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if parameters.toml is not what calibrate produces")  # fmt: skip
    cb.add_argument("--format", choices=["table", "json", "csv"], default="table")
    cb.add_argument("--out", metavar="FILE", help="write the output to FILE (atomically)")
    cb.set_defaults(func=cmd_calibrate)


def _add_demo_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``demo`` subcommand's parser to ``sub``, with the ``common`` options."""
    d = sub.add_parser(
        "demo",
        parents=[common],
        help="the main job: write every output to DIR",
        description="Write the route report, maps and comparisons into DIR.",
    )
    d.add_argument("--out", default="out", metavar="DIR", help="output directory (default: out)")
    d.set_defaults(func=cmd_demo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (one line already printed), --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    level = logging.WARNING - 10 * args.verbose if not args.quiet else logging.ERROR
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except NoRouteError as exc:
        return _fail(args, exc, EXIT_NO_ROUTE)
    except (CorridormapError, CliError) as exc:
        return _fail(args, exc, EXIT_BAD_INPUT)
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        return _fail(args, Exception(f"cannot write{where}: {exc.strerror or exc}"), EXIT_BAD_INPUT)
    except (RecursionError, MemoryError) as exc:
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
        return _fail(args, Exception(f"the input is {what} to process"), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        return 130


def _fail(args: Any, exc: BaseException, code: int) -> int:
    """Print one line and return ``code``.

    The line has its control characters made visible and at most :data:`MAX_MESSAGE`
    characters.
    """
    from ._format import terminal_safe

    if getattr(args, "verbose", 0) >= 2:
        import traceback

        traceback.print_exc()
    msg = " ".join(str(exc).split())
    if isinstance(exc, UnknownPlaceError) and not exc.suggestions:
        msg += "; run 'corridormap places' to list the places"
    msg = terminal_safe(msg)
    if len(msg) > MAX_MESSAGE:
        msg = msg[: MAX_MESSAGE - 1] + "\u2026"
    print(f"corridormap: error: {msg}", file=sys.stderr)
    return code


def _show(value: Any) -> str:
    from ._schema import show

    return show(value)


def _check_choice(value: str, options: Sequence[str], what: str, *, where: str = "") -> None:
    """Raise a :class:`CliError` unless ``value`` is one of ``options``, suggesting the closest."""
    from ._errors import closest

    if value in options:
        return
    near = closest(value, options, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    source = f" in {where}" if where else ""
    raise CliError(
        f"no {what} {_show(value)}{source}{hint} ({what}s: {', '.join(options) or 'none'})"
    )


def _progress(args: argparse.Namespace, draws: int) -> bool:
    """Whether to show the Monte Carlo progress bar.

    It is shown only for long runs, never with ``-q``, and only when stderr is a terminal.
    """
    if getattr(args, "quiet", False) or draws <= 200_000:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# -- volumes: assign and what scenarios buy at a volume ---------------------------------------
def _volume_options(sp: argparse.ArgumentParser) -> None:
    sp.add_argument(
        "--volumes",
        metavar="NAME|FILE",
        action="append",
        default=[],
        help="report each scenario's saving at these volumes, queues included (repeat for "
        "several; 'corridormap assign --list' lists the bundled volume files)",
    )
    sp.add_argument(
        "--chart",
        metavar="FILE",
        help="with --volumes: a PNG chart of each scenario's saving against volume",
    )


def _add_assign(sub: Any, common: argparse.ArgumentParser, outputs: Any) -> None:
    a = sub.add_parser(
        "assign",
        parents=[common],
        help="assign freight volumes to the network: utilisation and queues per element",
        description="Assign a volume file (geodata/volumes/*.toml or a path) at user "
        "equilibrium: every flow takes its best route given the queues the others cause. "
        "Prints, per capacity-limited element, volume, capacity, utilisation and added wait.",
    )
    a.add_argument("volumes", metavar="VOLUMES", nargs="?", help="volume file name or path")
    a.add_argument("--list", action="store_true", help="list the bundled volume files")
    a.add_argument("--top", type=_positive_int, default=5, metavar="N", help="bottlenecks named")
    a.add_argument(
        "--tolerance", type=float, default=1e-3, help="relative gap to stop at (default 1e-3)"
    )
    _scenario_option(a)
    outputs(a, "links and places coloured by utilisation")
    a.set_defaults(func=cmd_assign)


def cmd_assign(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .assign import ELEMENT_FIELDS, assign, list_volumes

    G = _network(args)
    if args.list:
        _emit("\n".join(list_volumes(G)), None, terminal=True)
        return EXIT_OK
    if not args.volumes:
        raise CliError("assign needs a VOLUMES file or name (--list lists them)")
    if not (args.tolerance > 0 and args.tolerance < 1):
        raise CliError(f"--tolerance must be between 0 and 1, got {args.tolerance!r}")
    _check_outputs(args, [args.out, args.map])
    res = assign(G, args.volumes, scenario=args.scenario or None, tolerance=args.tolerance)
    if args.map:
        from .render import save_map

        save_map(res.map(), args.map, self_contained=getattr(args, "self_contained", False))
        print(f"map: {args.map}", file=sys.stderr)
    if args.format == "json":
        _emit(fmt.json_text(res.to_dict()), args.out)
        return EXIT_OK
    fields = [*ELEMENT_FIELDS[:3], "direction", *ELEMENT_FIELDS[3:]]
    if args.format == "csv":
        _emit(fmt.csv_text(res.elements, fields), args.out)
        return EXIT_OK
    cols = ("name", "volume_mt", "capacity_mt", "utilisation", "wait_days", "capacity_published")
    heads = ("element", "Mt/yr", "capacity Mt/yr", "utilisation", "+days", "capacity as published")
    lines = [res.summary(), "gap by iteration: " + " ".join(f"{g:.1e}" for g in res.gaps)]
    lines.append(f"top bottlenecks (of {len(res.elements)} capacity-limited elements):")
    lines += [f"  {i}. {t}" for i, t in enumerate(res.bottleneck_lines(args.top), 1)]
    lines.append("flows:")
    for f in res.flows:
        main = f["routes"][0]
        lines.append(
            f"  {f['flow']}: {f['published']} = {f['volume_mt']:.3f} Mt/yr, "
            f"{f['free_days']:.1f} days without queues, {f['days']:.1f} at equilibrium; "
            f"{len(f['routes'])} route(s), main {main['share']:.0%} via {' - '.join(main['nodes'])}"
        )
    used = [r for r in res.elements if r["volume_mt"] > 0]
    lines.append(fmt.table(used, cols, headers=heads, digits=2))
    if res.unconstrained:
        lines.append(
            "on the routes without a capacity figure (never queue): " + ", ".join(res.unconstrained)
        )
    if res.unconverted:
        lines.append(
            "capacities not converted: "
            + "; ".join(f"{k} {v}" for k, v in sorted(res.unconverted.items()))
        )
    _emit("\n".join(lines), args.out, terminal=True)
    return EXIT_OK


def cmd_scenario_volumes(args: argparse.Namespace) -> int:
    from . import _format as fmt
    from .assign import SAVING_FIELDS, load_volumes, scenario_savings

    _check_volume_args(args)
    G = _network(args)
    scen = [args.names] if args.compose else list(args.names)
    rows = []
    for v in args.volumes:
        vols = load_volumes(v, G)
        for r in scenario_savings(G, vols, scen):
            rows.append({"volumes": vols.name, **r})
    if args.chart:
        _saving_chart(G, args.volumes, scen, args.chart)
    fields = ["volumes", *SAVING_FIELDS]
    if args.format == "json":
        _emit(fmt.json_text(rows), args.out)
    elif args.format == "csv":
        _emit(fmt.csv_text(rows, fields), args.out)
    else:
        _emit(_savings_text(rows), args.out, terminal=True)
    return EXIT_OK


def _check_volume_args(args: argparse.Namespace) -> None:
    """Check the options ``scenario --volumes`` takes, and its output paths.

    Parameters
    ----------
    args
        The parsed arguments.

    Raises
    ------
    CliError
        Without ``--volumes``, or with ``--pair``/``--pairs-file``, ``--by cost`` or ``--map``.
    """
    if not args.volumes:
        raise CliError("--chart needs --volumes")
    if args.pair or args.pairs_file:
        raise CliError("--volumes takes its pairs from the volume file: drop --pair/--pairs-file")
    if args.by != "time":
        raise CliError("--volumes compares days (queues are time): drop --by cost")
    _check_outputs(args, [args.out, args.map, args.chart])
    if args.map:
        raise CliError("--map is not available with --volumes (use 'corridormap assign --map')")


def _saving_chart(G: Any, volumes: Sequence[str], scen: list, path: str) -> None:
    """Write the chart of each scenario's saving against volume, per volume file.

    Parameters
    ----------
    G
        The network.
    volumes
        The volume file names or paths.
    scen
        The scenarios (a name, or a list of names composed).
    path
        The chart file.
    """
    from .assign import load_volumes, saving_curve
    from .charts import save_figure, saving_figure

    curves = {}
    for v in volumes:
        vols = load_volumes(v, G)
        for s in scen:
            label = "+".join(s) if isinstance(s, list) else str(s)
            curves[(vols.name, label)] = saving_curve(G, vols, s, SAVING_FACTORS)
    save_figure(saving_figure(curves), path)
    print(f"chart: {path}", file=sys.stderr)


def _savings_text(rows: list[dict[str, Any]]) -> str:
    """The savings as a table, then each volume file's longest queues.

    Parameters
    ----------
    rows
        The rows of :func:`~corridormap.assign.scenario_savings`, with their volume file.

    Returns
    -------
    str
        The text.
    """
    from . import _format as fmt

    cols = ("volumes", "scenario", "flow", "volume_mt", "baseline_days", "scenario_days")
    cols += ("saving_days", "free_saving_days")
    heads = ("volumes", "scenario", "flow", "Mt/yr", "base days", "days", "saving")
    heads += ("saving w/o queues",)
    lines = [fmt.table(rows, cols, headers=heads, digits=2)]
    for (vname, sname), top in {
        (r["volumes"], r["scenario"]): (r["baseline_top"], r["scenario_top"]) for r in rows
    }.items():
        lines.append(f"{vname}: longest queue, baseline: {top[0]}; {sname}: {top[1]}")
    return "\n".join(lines)


#: the volume factors the saving chart is drawn at (x the volume file)
SAVING_FACTORS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["build_parser", "main"]
