"""Exceptions raised by corridormap.

Every error a user can cause has its own class, so callers can catch exactly what they expect,
and every message says where the problem is: the file, the feature id and the field.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "AmbiguousPlaceError",
    "ClusterError",
    "CorridormapError",
    "GeodataError",
    "InputError",
    "NoRouteError",
    "NotInServiceError",
    "PassThroughPlaceError",
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
    """No place matches the name given; the message says what comes nearest.

    For a near-typo of a modelled name, the names it may mean; for a city the network does not
    model, that city and the nearest modelled places with their distances
    (:func:`corridormap.places.resolve_places` says which applies when).

    Parameters
    ----------
    name
        The name given.
    suggestions
        Names to suggest, when they are known at once.
    explain
        Called once, when the message or :attr:`suggestions` are first asked for, to work them
        out: returns ``(message, suggestions, details)``. Code that catches the error and moves
        on (a probe: "is this place in the network?") then never pays for the explanation.
    """

    def __init__(
        self,
        name: str,
        suggestions: Iterable[str] = (),
        *,
        explain: Callable[[], tuple[str, list[str], dict[str, Any]]] | None = None,
    ) -> None:
        self.name = name
        self._explain = explain
        self._suggestions = list(suggestions)
        self._details: dict[str, Any] = {}
        self._message: str | None = None if explain is not None else _no_place(name, suggestions)
        super().__init__(name)

    def _explained(self) -> str:
        if self._message is None:
            assert self._explain is not None
            self._message, self._suggestions, self._details = self._explain()
            self._explain = None
        return self._message

    @property
    def suggestions(self) -> list[str]:
        """The names suggested: near-typos, or the nearest modelled places."""
        self._explained()
        return self._suggestions

    @property
    def details(self) -> dict[str, Any]:
        """What the message was made from: ``city`` (a gazetteer city) and ``nearest`` ..."""
        self._explained()
        return self._details

    def __str__(self) -> str:  # LookupError would repr() the message otherwise
        return self._explained()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, (type(self), self.name, str(self), self.suggestions, self.details))


def _no_place(name: str, suggestions: Iterable[str]) -> str:
    msg = f"no place {name!r}"
    hints = list(suggestions)
    if hints:
        msg += "; did you mean " + ", ".join(repr(s) for s in hints) + "?"
    return msg


def _restored(
    cls: type[UnknownPlaceError],
    name: str,
    message: str,
    suggestions: list[str],
    details: dict[str, Any],
) -> UnknownPlaceError:
    """An unpickled :class:`UnknownPlaceError` (or subclass), explained already."""
    exc = cls.__new__(cls)
    LookupError.__init__(exc, name)
    exc.name, exc._explain, exc._message = name, None, message
    exc._suggestions, exc._details = list(suggestions), dict(details)
    return exc


class AmbiguousPlaceError(UnknownPlaceError):
    """A name matches several places where exactly one is needed."""

    def __init__(self, name: str, candidates: Iterable[tuple[str, str, str]]) -> None:
        self.candidates = list(candidates)
        listed = ", ".join(f"{pid} ({pname}, {cc})" for pid, pname, cc in self.candidates)
        super().__init__(name, [c[0] for c in self.candidates])
        self._message = f"{name!r} is ambiguous: it names {listed}; give one of these ids instead"
        self._details = {"candidates": self.candidates}

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.name, self.candidates))


class PassThroughPlaceError(CorridormapError, ValueError):
    """A place that routes pass through (a chokepoint) was given where cargo starts or ends.

    Parameters
    ----------
    message
        The one-line reason.
    place
        The place id.
    kind
        Its kind (``chokepoint``).
    role
        Where it was given: ``origin``, ``destination`` ...
    """

    def __init__(self, message: str, *, place: str, kind: str, role: str) -> None:
        self.place, self.kind, self.role = place, kind, role
        super().__init__(message)


class ClusterError(CorridormapError, RuntimeError):
    """A computation on a Dask cluster failed while it ran.

    The scheduler did not answer within the time allowed or was lost, no worker was left, a
    worker died running a task again and again, or a task stalled; the message says which,
    in one line. The command line exits 4.
    """


class NotInServiceError(UnknownPlaceError):
    """A place exists in the data but not on the network of the date asked for.

    The network as of a date (:func:`corridormap.asof.geodata_as_of`) leaves out the places
    opened after it or closed by then; naming one says so, with the place's dates.
    """

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(name)
        self._message = message


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
