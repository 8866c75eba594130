"""The ``map`` command: the map scenes as HTML pages (and PNG/SVG), and ``map catchment``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from .._schema import MAX_DRAWS
from ._common import (
    EXIT_OK,
    CliError,
    activity,
    as_of_line,
    bounded_int,
    list_arg,
    network,
    progress_lines,
    scenario_line,
    scenario_option,
    weight,
)
from ._output import check_outputs, declare
from ._work import SWEEP_MAX_PAIRS, SWEEP_MAX_WORK, work_option

log = logging.getLogger("corridormap")


def add_map_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``map`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
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
        "shipment-2023, replay-first-transit-2022, ...; default: all), 'catchment': where "
        "the INSTC beats Suez from --origin (a layer per --scenario), or 'timeline': the "
        "corridor through time (DIR/timeline.html)",
    )
    mp.add_argument("--out", default="out", metavar="DIR", help="output directory (default: out)")
    mp.add_argument(
        "--self-contained",
        action="store_true",
        help="pages that work offline (assets and basemap inlined), named map-SCENE-offline.html",
    )
    mp.add_argument("--png", metavar="FILE", help="also draw SCENE as a 300 dpi PNG (no browser)")
    mp.add_argument("--svg", metavar="FILE", help="also draw SCENE as an SVG (no browser)")
    scenario_option(mp)
    catch = mp.add_argument_group("catchment (corridormap map catchment)")
    catch.add_argument("--origin", metavar="PLACE", help="the origin port of the catchment map")
    catch.add_argument(
        "--destinations",
        metavar="A,B",
        help="places, kinds, regions or country codes (default every place but chokepoints)",
    )
    catch.add_argument(
        "--draws",
        type=bounded_int(1, MAX_DRAWS),
        default=2_000,
        metavar="N",
        help="Monte Carlo draws per pair (default 2000)",
    )
    catch.add_argument("--seed", type=bounded_int(0, 2**63 - 1), default=0, metavar="S")
    catch.add_argument(
        "--max-pairs",
        type=bounded_int(1),
        default=SWEEP_MAX_PAIRS,
        metavar="N",
        help=f"refuse more than N destination x scenario comparisons (default {SWEEP_MAX_PAIRS:,})",
    )
    work_option(catch, SWEEP_MAX_WORK, "pair-draws (comparisons x draws)")
    # the pages are named by their scenes: checked with them in cmd_map
    declare(mp, outputs=("png", "svg"), reads=("scenario",))
    line = mp.add_argument_group("timeline (corridormap map timeline)")
    line.add_argument(
        "--from",
        dest="timeline_from",
        metavar="PLACE",
        help="the origin (default: analysis.toml [demo.timeline])",
    )
    line.add_argument(
        "--to",
        dest="timeline_to",
        metavar="PLACE",
        help="the destination (default: analysis.toml [demo.timeline])",
    )
    line.add_argument(
        "--years",
        type=year_range,
        metavar="FIRST-LAST",
        help="the years shown (default: analysis.toml [demo.timeline], e.g. 2010-2030)",
    )
    mp.set_defaults(func=cmd_map)


def year_range(text: str) -> tuple[int, int]:
    """An argparse type: ``FIRST-LAST``, two years in order (at most 400 years).

    Parameters
    ----------
    text
        The option's value.

    Returns
    -------
    tuple of int
        ``(first, last)``.

    Raises
    ------
    argparse.ArgumentTypeError
        For anything else.
    """
    from ..timeline import MAX_YEARS

    first, sep, last = text.partition("-")
    if not (sep and first.isdigit() and last.isdigit() and len(first) == len(last) == 4):
        raise argparse.ArgumentTypeError(f"not FIRST-LAST (e.g. 2010-2030): {text[:40]!r}")
    a, b = int(first), int(last)
    if not 1 <= a <= b or b - a >= MAX_YEARS:
        raise argparse.ArgumentTypeError(
            f"needs FIRST <= LAST and at most {MAX_YEARS} years, got {text[:40]!r}"
        )
    return a, b


def cmd_map(args: argparse.Namespace) -> int:
    """Run ``corridormap map``: write the scene pages (every scene, with the atlas, or one).

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from .._atomic import atomic_write
    from .._filenames import inside
    from ..mapscenes import load_scenes
    from ..render import render_html
    from ..render.mapscenes import draw_scene

    if args.scene == "catchment":
        return cmd_map_catchment(args)
    if args.scene == "timeline":
        return cmd_map_timeline(args)
    G = network(args)
    scenes = load_scenes(G)
    if args.scene is not None and args.scene not in scenes:
        raise CliError(f"no scene {args.scene!r}; scenes are: {', '.join(scenes)}")
    view, wf = weight(args, G, "time")
    if (args.png or args.svg) and args.scene is None:
        raise CliError("--png and --svg draw one scene: name it (corridormap map SCENE --png FILE)")
    views = _scene_views(G, scenes, args.scene, wf)
    paths = [inside(args.out, v.scene.page(self_contained=args.self_contained)) for v in views]
    index = Path(args.out) / "index.html" if args.scene is None else None
    check_outputs(args, [*paths, index, args.png, args.svg])
    # every page is drawn before any is written: a scene that fails replaces nothing
    pages = [render_html(draw_scene(v, G=G), self_contained=args.self_contained) for v in views]
    if view.scenarios:
        print(scenario_line(view), file=sys.stderr)
    for path, page in zip(paths, pages, strict=True):
        atomic_write(path, page)
        print(path)
    if args.scene is None:  # the atlas of every scene (one scene alone leaves it as it is)
        from ..render.atlas import write_atlas

        extra = [scenario_line(view)] if view.scenarios else []
        extra += [as_of_line(args)] if args.as_of else []
        print(write_atlas(args.out, views, G=G, extra=extra))
    for fmt_, out in (("png", args.png), ("svg", args.svg)):
        if out:
            from ..render.static import save_static

            print(save_static(views[0], out, G=G, fmt=fmt_))
    return EXIT_OK


def _scene_views(G: Any, scenes: dict, name: str | None, wf: Any) -> list[Any]:
    """The computed scenes: ``name`` (its error raised), or every scene (one that fails skipped)."""
    from ..mapscenes import SceneError, compute_scene

    views = []
    for scene in list(scenes) if name is None else [name]:
        try:
            views.append(compute_scene(G, scenes[scene], weight=wf))
        except SceneError as exc:
            if name is not None:
                raise
            log.warning("scene %r skipped: %s", scene, exc.reason)
    return views


def cmd_map_catchment(args: argparse.Namespace) -> int:
    """Run ``corridormap map catchment``: where the INSTC beats Suez from ``--origin``.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..places import end_places, places, resolve_endpoints
    from ..render.catchment import write_catchment
    from ..sweep import sweep

    if not args.origin:
        raise CliError("map catchment needs --origin PLACE (the port cargo starts from)")
    suffix = "-offline" if args.self_contained else ""
    page = Path(args.out) / f"map-catchment{suffix}.html"
    png = Path(args.out) / "map-catchment.png"
    check_outputs(args, [page, png])
    G = network(args)
    origin = resolve_endpoints(G, [args.origin], "--origin")[0]
    cat = places(G)
    dests = list_arg(args.destinations) or end_places(G)
    _check_catchment_work(args, G, origin, dests)
    # one origin: the sweep's bar (a step per origin) would read 1/1; say what runs instead
    with activity(args, "catchment") as step:
        step(f"{len(dests)} destinations x {1 + len(args.scenario or [])} scenario(s)")
        frame = sweep(
            G,
            [origin],
            dests,
            scenarios=args.scenario,
            draws=args.draws,
            seed=args.seed,
            progress=progress_lines(args),
        )
        step("drawing")
        try:
            written = write_catchment(
                frame,
                cat,
                page,
                origin=origin,
                png=png,
                self_contained=args.self_contained,
                as_of=args.as_of,
            )
        except ValueError as exc:  # e.g. a network whose families.toml has no reference family
            raise CliError(str(exc)) from None
    for path in written:
        print(path)
    return EXIT_OK


def cmd_map_timeline(args: argparse.Namespace) -> int:
    """Run ``corridormap map timeline``: the corridor through time, ``DIR/timeline.html``.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..analysis import load_analysis
    from ..timeline import through_time

    if args.as_of:
        raise CliError("map timeline shows every year's network; --as-of does not apply to it")
    if args.scenario:
        raise CliError("map timeline shows the networks as dated; --scenario does not apply")
    page = Path(args.out) / "timeline.html"
    check_outputs(args, [page])
    spec = load_analysis(args.data).timeline or {}
    origin = args.timeline_from or spec.get("from")
    destination = args.timeline_to or spec.get("to")
    years = args.years or spec.get("years")
    if not (origin and destination and years):
        raise CliError(
            "map timeline needs --from, --to and --years (or [demo.timeline] in analysis.toml)"
        )
    line = through_time(
        args.data,
        origin,
        destination,
        range(years[0], years[1] + 1),
        series=spec.get("series"),
    )
    print(line.save(page))
    return EXIT_OK


def _check_catchment_work(args: argparse.Namespace, G: Any, origin: str, dests: list) -> None:
    """Refuse a catchment map above the sweep's bounds, or without a reference family."""
    from ..families import network_families
    from ..places import resolve_endpoints
    from ..sweep.job import scenario_items
    from ._work import check_work

    ds = resolve_endpoints(G, dests, "destinations")
    pairs = len(ds) - (origin in ds)
    n_scen = len(scenario_items(G, args.scenario))
    shape = f"map catchment: {pairs:,} pairs x {n_scen} scenario{'s' * (n_scen != 1)}"
    check_work(shape, pairs * n_scen, args.max_pairs, "--max-pairs", "comparisons")
    check_work(
        f"{shape} x {args.draws:,} draws",
        pairs * n_scen * args.draws,
        args.max_work,
        "--max-work",
        "pair-draws",
    )
    if network_families(G).reference is None:
        raise CliError(
            "map catchment measures the INSTC against the reference family, and this "
            "network's families.toml names none (reference = ...)"
        )
