"""Quick checks of the usual node and link of a geodata file.

A large network's files hold hundreds of thousands of features of one shape: plain texts and
numbers, float positions, no optional property. :func:`quick_point` and :func:`quick_link`
check such a feature by one test each, and :func:`corridormap.io.load_geodata` gives any feature
they do not pass its full checks, which name the fault (or accept an unusual feature). A quick
test accepts only what the full checks accept, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _schema as v

#: the properties a link may have for :func:`quick_link` to check it
LINK_KEYS = frozenset(
    ("id", "from", "to", "mode", "gauge", "status", "length_km", "source", "basis", "notes")
)
#: the modes :func:`quick_link` checks: a scheduled mode needs ``services``, which it leaves to
#: the full checks
LINK_MODES = frozenset(m for m in v.MODES if m not in v.SCHEDULED_MODES)
#: the properties a node or station may have for :func:`quick_point` to check it
POINT_KEYS = frozenset(("id", "name", "country", "kind", "source", "basis", "notes", "gauge"))
STATUSES = frozenset(v.STATUSES)
NODE_KINDS = frozenset(v.NODE_KINDS)
BASES = frozenset(v.BASES)
#: how far inside the edges of a country's box (with its tolerance) :func:`quick_point` takes a
#: position to be in it without the exact test: far more than the rounding of that test
BOX_MARGIN_DEG = 1e-9

Box = tuple[float, float, float, float]

#: the texts of a link and of a node or station that many features repeat
LINK_TEXTS = ("mode", "status", "basis", "source")
POINT_TEXTS = ("kind", "country", "source", "basis")


def share_texts(p: dict[str, Any], keys: tuple[str, ...], texts: dict[str, str]) -> None:
    """Replace each text of ``p`` under ``keys`` by the equal one first kept in ``texts``.

    A parsed file holds a new string for every occurrence of a value (a million links'
    ``"operational"`` are a million strings); equal texts are interchangeable, so the network
    keeps one of each (at 1,000,000 edges, with the links' ends taken as the nodes' own ids,
    about 150 MiB less).
    """
    for k in keys:
        t = p.get(k)
        if type(t) is str:
            p[k] = texts.setdefault(t, t)


def quick_link(
    p: dict[str, Any], raw: Any, nodes: dict[str, dict[str, Any]], tol: float
) -> list[tuple[float, float]] | None:
    """A link's positions if it is valid in the usual way, else ``None``.

    The usual way: only the properties in :data:`LINK_KEYS`, plain texts and numbers, a mode
    that is not scheduled, and positions of two floats, ending at its nodes. A link it passes
    passes the full checks, but for its length against its chord (see :class:`Chords`).

    Parameters
    ----------
    p
        The link's properties.
    raw
        Its geometry's ``coordinates``.
    nodes
        The nodes, by id, each with ``lon`` and ``lat``.
    tol
        How far (degrees) the first and last positions may lie from the link's nodes.

    Returns
    -------
    list of (float, float) or None
        The positions (lon, lat), as the full checks return them.
    """
    if not p.keys() <= LINK_KEYS or type(raw) is not list or not 2 <= len(raw) <= v.MAX_VERTICES:
        return None
    coords = []
    for c in raw:
        if type(c) is not list or len(c) < 2:
            return None
        lon, lat = c[0], c[1]
        if not (
            type(lon) is float and type(lat) is float and -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            return None
        coords.append((lon, lat))
    a, b = p.get("from"), p.get("to")
    if type(a) is not str or type(b) is not str or a == b:
        return None
    na, nb = nodes.get(a), nodes.get(b)
    if na is None or nb is None:
        return None
    (lon0, lat0), (lon1, lat1) = coords[0], coords[-1]
    if (
        abs(lon0 - na["lon"]) > tol
        or abs(lat0 - na["lat"]) > tol
        or abs(lon1 - nb["lon"]) > tol
        or abs(lat1 - nb["lat"]) > tol
    ):
        return None
    mode, status, basis = p.get("mode"), p.get("status"), p.get("basis")
    source, notes = p.get("source"), p.get("notes")
    length, gauge = p.get("length_km"), p.get("gauge")
    if not (
        type(mode) is str  # an option of an enum is a text (a list cannot be looked up)
        and mode in LINK_MODES
        and type(status) is str
        and status in STATUSES
        and type(basis) is str
        and basis in BASES
        and type(source) is str
        and 0 < len(source) <= v.MAX_TEXT
        and not source.isspace()  # what str.strip() strips
        and (notes is None or (type(notes) is str and len(notes) <= v.MAX_TEXT))
        and (type(length) is float or type(length) is int)
        and 0 < length <= v.MAX_LENGTH_KM
        and (
            mode != "rail"
            or ((type(gauge) is float or type(gauge) is int) and 0 < gauge <= v.MAX_NUMBER)
        )
    ):
        return None
    return coords


class Chords:
    """Links whose length is yet to be checked against their chord, in file order.

    The full checks compare each link's length with the great-circle distance between its ends
    as they read it; for the links :func:`quick_link` passes, :meth:`check` compares all at
    once.

    Parameters
    ----------
    radius_km
        The Earth's radius the distances are computed with.
    """

    #: a link whose length is within this share of 0.9 times its chord (as numpy computes it)
    #: is checked again by the full check: far more than the two computations differ by
    MARGIN = 1e-6

    def __init__(self, radius_km: float) -> None:
        self.radius_km = radius_km
        self.fids: list[str] = []
        self.lengths: list[float] = []
        self.ends: list[float] = []  # lon, lat of the first and the last position, in turn

    def add(self, fid: str, length: float, coords: list[tuple[float, float]]) -> None:
        """Keep a link's length and ends for :meth:`check`."""
        self.fids.append(fid)
        self.lengths.append(length)
        self.ends.extend(coords[0])
        self.ends.extend(coords[-1])

    def check(
        self,
        file: str,
        exact: Callable[[float, tuple[float, float], tuple[float, float], str, str], None],
    ) -> None:
        """Check the links kept, then forget them.

        Parameters
        ----------
        file
            The file, for the errors.
        exact
            The full check of one link: ``exact(length, first, last, file, fid)`` raises if
            the length is under 0.9 times the chord. It is called for every link whose length
            is near or under that, in file order.

        Raises
        ------
        GeodataError
            The first error ``exact`` raises.
        """
        if not self.fids:
            return
        import numpy as np

        ends = np.radians(np.array(self.ends, dtype=float).reshape(-1, 4))
        lon1, lat1, lon2, lat2 = ends.T
        h = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        chord = 2 * self.radius_km * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        lengths = np.array(self.lengths, dtype=float)
        # every link not clearly long enough (a NaN chord included) is checked exactly
        near = np.flatnonzero(~(lengths >= 0.9 * chord * (1 + self.MARGIN))).tolist()
        ends_kept, lengths_kept, fids = self.ends, self.lengths, self.fids
        self.fids, self.lengths, self.ends = [], [], []
        for i in near:
            e = ends_kept[4 * i : 4 * i + 4]
            exact(lengths_kept[i], (e[0], e[1]), (e[2], e[3]), file, fids[i])


def inner_boxes(bounds: dict[str, list[float]], tol: float) -> dict[str, Box]:
    """Each country's box widened by ``tol`` degrees, less :data:`BOX_MARGIN_DEG`.

    A position inside one lies within ``tol`` of the country's box by the full check's test
    too.

    Parameters
    ----------
    bounds
        ``[west, south, east, north]`` of each country, by ISO code.
    tol
        How far (degrees) a node may lie outside its country's box.
    """
    tol -= BOX_MARGIN_DEG
    return {c: (b[0] - tol, b[1] - tol, b[2] + tol, b[3] + tol) for c, b in bounds.items()}


def quick_point(
    p: dict[str, Any], raw: Any, kinds: bool, boxes: dict[str, Box]
) -> tuple[float, float] | None:
    """A node's or station's (lon, lat) if it is valid in the usual way, else ``None``.

    The usual way: only the properties in :data:`POINT_KEYS`, plain texts and numbers, and a
    position of two floats well inside its country's box.

    Parameters
    ----------
    p
        The feature's properties.
    raw
        Its geometry's ``coordinates``.
    kinds
        Whether ``kind`` must be a node kind (nodes), or is not checked (stations).
    boxes
        :func:`inner_boxes`.

    Returns
    -------
    (float, float) or None
        The position, as the full checks return it.
    """
    if not p.keys() <= POINT_KEYS or type(raw) is not list or len(raw) < 2:
        return None
    lon, lat = raw[0], raw[1]
    if not (type(lon) is float and type(lat) is float and -180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    name, country, source = p.get("name"), p.get("country"), p.get("source")
    notes, gauge, basis, kind = p.get("notes"), p.get("gauge"), p.get("basis"), p.get("kind")
    if not (
        type(name) is str
        and 0 < len(name) <= v.MAX_TEXT
        and not name.isspace()  # what str.strip() strips
        and type(source) is str
        and 0 < len(source) <= v.MAX_TEXT
        and not source.isspace()
        and (notes is None or (type(notes) is str and len(notes) <= v.MAX_TEXT))
        and type(country) is str
        and len(country) == 2
        and country.isalpha()
        and country.isupper()
        and (
            gauge is None
            or ((type(gauge) is float or type(gauge) is int) and 0 < gauge <= v.MAX_NUMBER)
        )
        and type(basis) is str  # an option of an enum is a text (a list cannot be looked up)
        and basis in BASES
        and (not kinds or (type(kind) is str and kind in NODE_KINDS))
    ):
        return None
    box = boxes.get(country)
    if box is not None and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
        return None
    return lon, lat
