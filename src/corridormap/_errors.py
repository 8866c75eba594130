"""Exceptions raised by corridormap.

Every error a user can cause has its own class, so callers can catch exactly what they expect,
and every message says where the problem is: the file, the feature id and the field.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AmbiguousPlaceError",
    "ClusterError",
    "CorridormapError",
    "GeodataError",
    "InputError",
    "NoRouteError",
    "ScenarioError",
    "SceneError",
    "UnknownPlaceError",
]


class CorridormapError(Exception):
    """Base class of every error corridormap raises on purpose."""


class GeodataError(CorridormapError, ValueError):
    """A geodata or parameter file is missing, unreadable or invalid.

    Parameters
    ----------
    message
        What is wrong and what was expected.
    file
        The file name (not the full path) the problem is in.
    feature
        The id of the feature (node, link, parameter table) at fault, if any.
    field
        The property of that feature at fault, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        feature: str | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.feature = feature
        self.field = field
        self.reason = message
        where = []
        if file:
            where.append(file)
        if feature is not None:
            where.append(f"feature {feature!r}")
        if field:
            where.append(f"field {field!r}")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class InputError(CorridormapError, TypeError, ValueError):
    """An argument is invalid: a wrong type or shape, an unknown option, a value out of range.

    It is both a :class:`TypeError` and a :class:`ValueError`, so code that catches either (or
    :class:`CorridormapError`) catches it.
    """


class ScenarioError(GeodataError):
    """A scenario file is invalid or names ids that are not in the network."""


class SceneError(GeodataError):
    """A map scene (``scenes.toml``) is invalid, unknown, or names what the network lacks."""


class UnknownPlaceError(CorridormapError, LookupError):
    """No place matches the name given; the message suggests the closest names."""

    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        msg = f"no place {name!r}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg)

    def __str__(self) -> str:  # LookupError would repr() the message otherwise
        return str(self.args[0])


class AmbiguousPlaceError(UnknownPlaceError):
    """A name matches several places where exactly one is needed."""

    def __init__(self, name: str, candidates: Iterable[tuple[str, str, str]]) -> None:
        self.name = name
        self.candidates = list(candidates)
        self.suggestions = [c[0] for c in self.candidates]
        listed = ", ".join(f"{pid} ({pname}, {cc})" for pid, pname, cc in self.candidates)
        LookupError.__init__(
            self, f"{name!r} is ambiguous: it names {listed}; give one of these ids instead"
        )


class ClusterError(CorridormapError, RuntimeError):
    """A computation on a Dask cluster failed while it ran.

    The scheduler did not answer within the time allowed or was lost, no worker was left, a
    worker died running a task again and again, or a task stalled; the message says which,
    in one line. The command line exits 4.
    """


class NoRouteError(CorridormapError, LookupError):
    """No route joins two places with the links and nodes that are open."""

    def __str__(self) -> str:
        return str(self.args[0])


def closest(name: str, options: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` options closest to ``name`` (case-insensitive)."""
    opts = list(options)
    lowered = {o.casefold(): o for o in opts}
    hits = difflib.get_close_matches(name.casefold(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]
