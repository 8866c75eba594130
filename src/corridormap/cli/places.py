"""The ``places`` and ``regions`` commands: list the network's places and named regions."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import EXIT_OK, check_choice, format_option, network
from ._output import Rows, declare, emit_result

#: the columns of the places table, and of their CSV when no place is listed
PLACE_COLUMNS = ("id", "name", "country", "kind", "aliases")
#: the columns of the regions' CSV
REGION_FIELDS = ("name", "places", "description", "members", "source")


def add_places_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``places`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    pl = sub.add_parser(
        "places",
        parents=[common],
        help="list the places",
        description="List the places (nodes) of the network.",
    )
    pl.add_argument("--kind", help="only this kind (city, port, border_crossing, ...)")
    pl.add_argument("--country", help="only this ISO country code")
    format_option(pl)
    declare(pl)
    pl.set_defaults(func=cmd_places)


def add_regions_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``regions`` subcommand's parser to ``sub``, with the ``common`` options.

    Parameters
    ----------
    sub
        The subparsers of the ``corridormap`` parser.
    common
        The parent parser of the options every command takes.
    """
    rg = sub.add_parser(
        "regions",
        parents=[common],
        help="list the regions",
        description="List the named regions of regions.toml (for capacity, avoid, bottlenecks).",
    )
    format_option(rg)
    declare(rg)
    rg.set_defaults(func=cmd_regions)


def cmd_places(args: argparse.Namespace) -> int:
    """Run ``corridormap places``: the places, of one kind or country if asked.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    from ..places import places

    G = network(args)
    cat = places(G)
    if args.kind is not None:
        check_choice(args.kind, sorted({str(p.get("kind")) for p in cat.values()}), "kind")
    if args.country is not None:
        countries = sorted({str(p.get("country")) for p in cat.values()})
        check_choice(args.country.upper(), countries, "country", where="the network")
    rows = place_rows(cat, kind=args.kind, country=args.country)
    emit_result(
        args.format,
        None,
        text=lambda: places_text(rows),
        data=lambda: rows,
        rows=lambda: Rows(rows, list(rows[0]) if rows else PLACE_COLUMNS),
        as_of=args.as_of,
    )
    return EXIT_OK


def place_rows(
    cat: dict[str, dict[str, Any]], *, kind: str | None, country: str | None
) -> list[dict[str, Any]]:
    """One row per place, of ``kind`` and ``country`` if given.

    Parameters
    ----------
    cat
        The places, from :func:`~corridormap.places.places`.
    kind
        Only places of this kind (``None``: all).
    country
        Only places of this ISO country code, in any case (``None``: all).

    Returns
    -------
    list of dict
        ``id``, ``name``, ``country``, ``kind``, ``aliases``, ``lon``, ``lat``, ``basis``,
        ``source``.
    """
    rows = []
    for pid, p in cat.items():
        if kind and p.get("kind") != kind:
            continue
        if country and p.get("country") != country.upper():
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
    return rows


def places_text(rows: list[dict[str, Any]]) -> str:
    """The places as a table, then their count.

    Parameters
    ----------
    rows
        The rows of :func:`place_rows`.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    return fmt.table(rows, PLACE_COLUMNS) + f"\n{len(rows)} places"


def cmd_regions(args: argparse.Namespace) -> int:
    """Run ``corridormap regions``: the named regions and their places.

    Parameters
    ----------
    args
        The parsed arguments.

    Returns
    -------
    int
        The exit code.
    """
    rows = region_rows(network(args))
    emit_result(
        args.format,
        None,
        text=lambda: regions_text(rows),
        data=lambda: rows,
        rows=lambda: Rows(rows, REGION_FIELDS),
        as_of=args.as_of,
    )
    return EXIT_OK


def region_rows(G: Any) -> list[dict[str, Any]]:
    """One row per region of the network, with its description and source from regions.toml.

    Parameters
    ----------
    G
        The network.

    Returns
    -------
    list of dict
        ``name``, ``places`` (how many), ``description``, ``members`` (their names),
        ``source``.
    """
    from pathlib import Path

    from ..io import bundled_geodata_dir, read_toml
    from ..places import places

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
    return rows


def regions_text(rows: list[dict[str, Any]]) -> str:
    """The regions as a table, then their count.

    Parameters
    ----------
    rows
        The rows of :func:`region_rows`.

    Returns
    -------
    str
        The text.
    """
    from .. import _format as fmt

    return fmt.table(rows, ["name", "places", "description"]) + f"\n{len(rows)} regions"
