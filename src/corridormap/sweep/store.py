"""Finished partitions kept on disk, so an interrupted sweep resumes where it stopped.

A sweep given a ``resume`` directory (the command line's is ``.<table name>.parts`` beside
the table) keeps each partition's rows there as soon as it is done, in a folder named by a
hash of the job: the corridormap version, the network (the bytes of its geodata files and
its parameters), the origins, destinations, scenarios (their contents), families, draws,
seed, objective and candidates. A run of the same job finds that folder and runs only the
partitions not yet in it, split as the first run split them (``plan.json``), so its table
is the one an uninterrupted run writes; any change to the job is another hash, another
folder, a fresh start. Rows are JSON (no pickle: nothing in the folder is executed), read
back only when they hold exactly the table's columns for the partition's origins. The
command line removes the directory once the table is written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from .job import Job
from .table import SWEEP_COLUMNS

__all__ = ["PartStore", "job_key"]

#: the geodata files whose bytes identify a network (with its parameters as loaded)
_DATA_FILES = (
    "nodes.geojson",
    "links.geojson",
    "stations.geojson",
    "parameters.toml",
    "regions.toml",
    "families.toml",
)


def _plain(x: Any) -> Any:
    """``x`` as JSON-able data with a stable form (sets sorted, dataclasses as dicts)."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {f.name: _plain(getattr(x, f.name)) for f in dataclasses.fields(x)}
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, set | frozenset):
        return sorted(_plain(v) for v in x)
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str):  # a numpy scalar
        return x.item()
    return x


def _network_digest(G: nx.MultiDiGraph) -> str:
    """A hash of the network: its geodata files' bytes and parameters, else its edges."""
    from ..io import data_file

    h = hashlib.sha256()
    directory = G.graph.get("directory")
    if directory:
        for name in _DATA_FILES:
            path = data_file(directory, name)
            with contextlib.suppress(OSError):
                h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    else:  # built in code: its edges and their figures
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: repr(e[:3])):
            h.update(repr((u, v, k, d.get("time_h"), d.get("cost_usd"))).encode())
    h.update(json.dumps(_plain(G.graph.get("params")), sort_keys=True, default=str).encode())
    return h.hexdigest()


def job_key(G: nx.MultiDiGraph, origins: Sequence[str], job: Job) -> str:
    """The hash naming a job's folder: the same job (on the same network) has the same key.

    Parameters
    ----------
    G
        The network.
    origins
        The origins' place ids, in order.
    job
        What every partition does.

    Returns
    -------
    str
        24 hex digits.
    """
    from .. import __version__

    doc = {
        "version": __version__,
        "network": _network_digest(G),
        "origins": list(origins),
        "job": _plain(dataclasses.replace(job, names={})),
    }
    text = json.dumps(doc, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _json_default(x: Any) -> Any:
    if hasattr(x, "item"):
        return x.item()
    raise TypeError(f"cannot keep {type(x).__name__} in a sweep partition")


class PartStore:
    """The finished partitions of one sweep job, in ``root / key``.

    Parameters
    ----------
    root
        The resume directory (created when the first partition is kept).
    key
        The job's :func:`job_key`.
    """

    def __init__(self, root: str | os.PathLike[str], key: str) -> None:
        self.root = Path(root)
        self.dir = self.root / key
        self.chunks: list[list[str]] = []

    def plan(self, chunks: list[list[str]]) -> list[list[str]]:
        """The split to run: the one an earlier run of the job kept, else ``chunks``.

        Parameters
        ----------
        chunks
            The origins of each partition this run would use.

        Returns
        -------
        list of list of str
            The split used (also ``self.chunks``).
        """
        self.chunks = chunks
        plan = self._read_json(self.dir / "plan.json")
        stored = plan.get("chunks") if isinstance(plan, dict) else None
        if (
            isinstance(stored, list)
            and all(isinstance(c, list) and all(isinstance(o, str) for o in c) for c in stored)
            and [o for c in stored for o in c] == [o for c in chunks for o in c]
        ):
            self.chunks = stored
        return self.chunks

    @staticmethod
    def _read_json(path: Path) -> Any:
        from ..io import read_regular_file

        try:
            return json.loads(read_regular_file(path, limit=1 << 30))
        except Exception:  # missing, unreadable or not ours: as if absent
            return None

    def _part(self, i: int) -> Path:
        return self.dir / f"part-{i:05d}.json"

    def get(self, i: int) -> dict[str, list] | None:
        """The rows of partition ``i`` if kept (and whole), else ``None``."""
        doc = self._read_json(self._part(i))
        if not isinstance(doc, dict) or doc.get("origins") != self.chunks[i]:
            return None
        cols = doc.get("columns")
        if not isinstance(cols, dict) or set(cols) != set(SWEEP_COLUMNS):
            return None
        lengths = {len(v) if isinstance(v, list) else -1 for v in cols.values()}
        if len(lengths) != 1 or -1 in lengths:
            return None
        return {c: cols[c] for c in SWEEP_COLUMNS}

    def put(self, i: int, cols: dict[str, list]) -> None:
        """Keep the rows of partition ``i`` (written atomically; the plan with the first)."""
        from .._atomic import atomic_write

        if not (self.dir / "plan.json").exists():
            atomic_write(self.dir / "plan.json", json.dumps({"chunks": self.chunks}))
        doc = {"origins": self.chunks[i], "columns": cols}
        atomic_write(self._part(i), json.dumps(doc, default=_json_default))

    def clear(self) -> None:
        """Remove the job's folder, and the resume directory if nothing else is left in it."""
        shutil.rmtree(self.dir, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()
