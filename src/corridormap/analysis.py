"""Analysis defaults that are facts about a dataset, read from its ``analysis.toml``.

The bundled ``geodata/analysis.toml`` names the origin-destination pairs that the bottleneck
commands analyse when none are given. A user's geodata directory may hold its own; without
one, the bundled file is used and pairs whose places the network lacks are left out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._errors import GeodataError
from .io import bundled_geodata_dir, read_toml

__all__ = ["Analysis", "load_analysis"]


@dataclass(frozen=True)
class Analysis:
    """Defaults of one geodata directory.

    Attributes
    ----------
    pairs
        ``(origin, destination)`` place names analysed by default.
    file
        The file they were read from.
    """

    pairs: tuple[tuple[str, str], ...]
    file: str


def load_analysis(directory: str | os.PathLike[str] | None = None) -> Analysis:
    """Read ``analysis.toml`` from ``directory`` (or the bundled geodata).

    Raises
    ------
    GeodataError
        If the file is invalid, naming the file and the field.
    """
    path = Path(directory) / "analysis.toml" if directory is not None else None
    if path is None or not path.is_file():
        path = bundled_geodata_dir() / "analysis.toml"
    doc = read_toml(path)
    raw = (doc.get("bottlenecks") or {}).get("pairs", [])
    if not isinstance(raw, list):
        raise GeodataError("must be a list", file=path.name, feature="bottlenecks", field="pairs")
    pairs = []
    for i, item in enumerate(raw):
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise GeodataError(
                f"item {i} must be [origin, destination], got {item!r}",
                file=path.name,
                feature="bottlenecks",
                field="pairs",
            )
        pairs.append((item[0], item[1]))
    return Analysis(tuple(pairs), str(path))
