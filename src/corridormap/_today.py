"""The day the library takes for today.

It is the computer's date, unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds
convention: whole seconds since 1970-01-01 UTC), so that a page that says when it was drawn,
or which years are projections, can be made the same on any day.
"""

from __future__ import annotations

import datetime as dt
import os

from ._errors import InputError

__all__ = ["today"]


def today() -> dt.date:
    """Today's date, or the UTC date of ``SOURCE_DATE_EPOCH`` when it is set.

    Raises
    ------
    InputError
        If ``SOURCE_DATE_EPOCH`` is set to something other than whole seconds.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise InputError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got {epoch[:40]!r}"
        ) from None
