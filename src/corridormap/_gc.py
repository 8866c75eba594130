"""Loading (and building what is derived from a large network) without garbage-collector churn.

Reading and building a large network allocates millions of container objects (dicts, lists,
tuples) that all stay alive. Python's cyclic collector is triggered by allocation counts, so it
runs again and again during the load and walks the ever-growing set of live objects each time,
finding nothing to free: about half the time of a 100,000-link load. :func:`paused` turns it off
for the duration of a load and back on afterwards (only if it was on), so cyclic garbage made
elsewhere is still collected at the next collection. The same holds for what is built from a
loaded network (the compiled export, the place index, criticality's rows): a million temporary
objects made with the collector on start full collections, each walking the whole network
(about 3 s a time at 1,000,000 edges).

:func:`settled` is :func:`paused` for a whole load, followed by one full collection when the
load left many objects: objects made with the collector off are all in its youngest
generation, and left there they are walked by three collections as they age (young, middle,
then a full one), whichever code allocates next paying for them. After a 100,000-edge load
that was about 1.5 s spread over the next operation (a map, a first route); one full
collection at the end of the load takes about 0.5 s.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

__all__ = ["paused", "settled"]

#: a load that leaves more new objects than this is followed by one full collection (a
#: 10,000-edge network's load leaves about 85,000, costing 0.1 s to collect)
SETTLE_OBJECTS = 50_000


def paused(fn: F) -> F:
    """Run ``fn`` with the cyclic garbage collector disabled (re-enabled after, if it was)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return wrapper  # type: ignore[return-value]


def settled(fn: F) -> F:
    """:func:`paused`, then one full collection if ``fn`` left over ``SETTLE_OBJECTS`` objects.

    Only when the collector was on before (an outer :func:`paused` keeps it off), and only
    after ``fn`` returns: an exception leaves the objects to the collector as usual. The
    count is read and the collection made before the collector is back on (the first
    allocation after that would start a collection of the youngest generation).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            result = fn(*args, **kwargs)
            if was and gc.get_count()[0] > SETTLE_OBJECTS:
                gc.collect()
            return result
        finally:
            if was:
                gc.enable()

    return wrapper  # type: ignore[return-value]
