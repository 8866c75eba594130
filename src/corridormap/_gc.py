"""Loading without garbage-collector churn.

Reading and building a large network allocates millions of container objects (dicts, lists,
tuples) that all stay alive. Python's cyclic collector is triggered by allocation counts, so it
runs again and again during the load and walks the ever-growing set of live objects each time,
finding nothing to free: about half the time of a 100,000-link load. :func:`paused` turns it off
for the duration of a load and back on afterwards (only if it was on), so cyclic garbage made
elsewhere is still collected at the next collection.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

__all__ = ["paused"]


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
