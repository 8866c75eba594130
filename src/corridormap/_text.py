"""How names are compared: folded to a key, and how many edits apart two keys are.

Shared by the place resolver (:mod:`corridormap.places`) and the world gazetteer
(:mod:`corridormap.gazetteer`), so a name means the same in both.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["edit_distance", "fold", "normalize"]


def fold(text: str) -> str:
    """``text`` decomposed (NFKD) without its combining marks, case-folded: ``'Ā'`` -> ``'a'``."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _normalize(text: str) -> str:
    stripped = fold(text).replace("'", "").replace("\u2019", "").replace("`", "")
    return re.sub(r"[\W_]+", " ", stripped).strip()


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Fold case, accents and punctuation: ``'Bandar-e Anzalī'`` -> ``'bandar e anzali'``.

    Parameters
    ----------
    text
        A name.

    Returns
    -------
    str
        Words of letters and digits, lower case, separated by single spaces.
    """
    return _normalize(text)


#: :func:`normalize` without its cache, for scanning many names once (a gazetteer)
normalize_uncached = _normalize


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """The fewest single-character edits that turn ``a`` into ``b``.

    An edit inserts, deletes or replaces one character, or swaps two neighbours (the optimal
    string alignment distance): ``'Mumbay'`` is 1 from ``'Mumbai'``, ``'Mubmai'`` 1 as well.

    Parameters
    ----------
    a, b
        The texts, compared as they are (normalise them first).
    limit
        Stop early once the distance exceeds this: the answer is then ``limit + 1``.

    Returns
    -------
    int
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if limit is not None and min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]
