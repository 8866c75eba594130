"""The place index: which places a normalised text means, by id, by name, by alias.

:func:`corridormap.places.resolve_places` asks it. A name is looked up in three tiers in turn:
the place ids, the names, and the aliases with the names without their bracketed note; each
tier maps a text, normalised (:func:`corridormap._text.normalize`), to the places it means.

A large network has a hundred thousand places or more, and a route asks for two of them: the
first lookups are answered without building the tiers. A tier's texts are joined
into one text, searched for the key's rarest word (``str.find``); only the texts that hold it
are normalised and compared with the key (a text normalised to the key holds each of its
words, once lowered and without apostrophes; a text that is not ASCII is always compared).
The third tier is scanned the same way through the names, and looked up in a table over the
places that have aliases or a bracketed name. After :data:`SCANS` lookups, or for a key
without a word, the tiers are built as tables, once, and the answers are the same.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from itertools import compress
from typing import Any

from ._text import normalize

__all__ = ["SCANS", "PlaceIndex", "normalize_all"]

#: lookups a place index answers by scanning its texts before it builds its tables
SCANS = 16

#: what :func:`normalize` turns into one space, newlines left out (they part texts in a batch)
_NOT_WORD = re.compile(r"(?:[^\w\n]|_)+")
_NOTE = re.compile(r"[^\S\n]*\(.*?\)[^\S\n]*")
#: the rest of a line from its first character that is not ASCII
_NOT_ASCII = re.compile(r"[^\x00-\x7f][^\n]*")


@functools.lru_cache(maxsize=1 << 16)
def without_note(name: str) -> str:
    """A name without its bracketed note: ``"Astara (Azerbaijan)"`` -> ``"Astara"``."""
    return re.sub(r"\s*\(.*?\)\s*", " ", name).strip()


def normalize_all(texts: list[str]) -> list[str]:
    """:func:`normalize` of every text, the ASCII ones in one pass over their concatenation.

    Parameters
    ----------
    texts
        The texts.

    Returns
    -------
    list of str
        ``[normalize(t) for t in texts]``.
    """
    big = "\n".join(texts)
    if not big.isascii() or big.count("\n") != len(texts) - 1:
        return [normalize(t) for t in texts]
    big = _NOT_WORD.sub(" ", big.lower().replace("'", "").replace("`", ""))
    return [t.strip() for t in big.split("\n")] if texts else []


def without_notes(names: list[str]) -> list[str]:
    """:func:`without_note` of every name (one pass when no name holds a newline)."""
    big = "\n".join(names)
    if big.count("\n") != len(names) - 1:
        return [without_note(n) for n in names]
    return [t.strip() for t in _NOTE.sub(" ", big).split("\n")] if names else []


def group(keys: list[str], values: list[Any]) -> dict[str, list[Any]]:
    """Key -> the ``values`` under it, in order (keys in order of first appearance)."""
    table = dict(zip(keys, map(list, zip(values)), strict=True))
    if len(table) == len(keys):  # every key once: the usual case
        return table
    # a key given more than once holds its last value: gather all of them, in order
    repeated = {key for key, n in Counter(keys).items() if n > 1}
    for key in repeated:
        table[key] = []
    for key, value in zip(keys, values, strict=True):
        if key in repeated:
            table[key].append(value)
    return table


def _lines_with(text: str, part: str) -> Iterator[int]:
    """The numbers of the lines of ``text`` that hold ``part``, in order, each once."""
    line, last = 0, 0
    at = text.find(part)
    while at >= 0:
        line += text.count("\n", last, at)
        last = at
        yield line
        end = text.find("\n", at)
        at = text.find(part, end) if end >= 0 else -1


class PlaceIndex:
    """The places of a graph as they were when it was made, and the texts that mean them.

    Places are numbered in the order given; a lookup gives their numbers.

    Parameters
    ----------
    pids
        The place ids.
    names
        Each place's name (``missing`` where it has none).
    aliases
        Each place's aliases (a list, or anything false for none).
    missing
        What ``names`` holds for a place without a name.

    Attributes
    ----------
    pids
        The place ids.
    names
        Each place's name as text (``""`` where it has none).
    aliased
        The places that have aliases -> their aliases (a tuple).
    tables
        The three tiers as tables (key -> place numbers), ``None`` until built.
    """

    def __init__(self, pids: list[str], names: list[Any], aliases: list[Any], missing: Any) -> None:
        self.pids = pids
        self.names = names
        if set(map(type, names)) - {str}:  # a name missing, or not a text
            self.names = ["" if n is missing else str(n) for n in names]
            names = [None if n is missing else n for n in names]
        #: the places with aliases, and theirs as tuples
        self.aliased = {i: tuple(aliases[i]) for i in compress(range(len(aliases)), aliases)}
        self._raw = names
        self.tables: list[dict[str, list[int]] | None] = [None, None, None]
        self.scans = 0
        self._texts: list[Any] = [None, None]
        self._last: tuple[Any, ...] = ()  # the last scan: (tier, key, hits)
        self._special: tuple[set[int], dict[str, list[int]]] | None = None

    def snapshot(self, i: int) -> tuple[Any, tuple[Any, ...]]:
        """Place ``i``'s ``(name, aliases)`` as the graph held them.

        A hit is still true of the graph while its place has these
        (:func:`corridormap.places.resolve_places`).
        """
        return self._raw[i], self.aliased.get(i, ())

    def find(self, tier: int, key: str) -> list[int] | None:
        """The numbers of the places ``key`` means in ``tier`` (0 ids, 1 names, 2 aliases).

        Parameters
        ----------
        tier
            The tier.
        key
            A normalised text.

        Returns
        -------
        list of int or None
            ``None`` where the tier has no such key (never an empty list).
        """
        if tier == 0:
            self.scans += 1
        if self.tables[tier] is None and (self.scans > SCANS or not key):
            self._build(tier)
        table = self.tables[tier]
        if table is not None:
            return table.get(key)
        if tier < 2:
            return self._scan(tier, key)
        inside, special = self._aliased()
        hits = [i for i in self._scan(1, key) or () if i not in inside]
        hits += special.get(key, ())
        return hits or None

    # -- scans ---------------------------------------------------------------------------
    def _text(self, tier: int) -> tuple[str, list[int]] | None:
        """A tier's texts joined, lowered, without apostrophes; and the lines not ASCII.

        ``None`` when a text holds a newline (the tier is then built as a table).
        """
        got = self._texts[tier]
        if got is None:
            texts = (self.pids, self.names)[tier]
            big = "\n".join(texts)
            if big.count("\n") != len(texts) - 1:
                got = False
            else:
                low = big.lower().replace("'", "").replace("`", "")
                odd, line, last = [], 0, 0
                if not big.isascii():
                    for hit in _NOT_ASCII.finditer(big):
                        line += big.count("\n", last, hit.start())
                        last = hit.start()
                        odd.append(line)
                got = (low, odd)
            self._texts[tier] = got
        return got or None

    def _scan(self, tier: int, key: str) -> list[int] | None:
        """:meth:`find` in tier 0 or 1 by a search of its joined texts for a word of ``key``."""
        if self._last[:2] == (tier, key):  # the alias tier scans the names again
            return self._last[2]
        got = self._text(tier) if self.tables[tier] is None else None
        if got is None:  # a tier with a text of several lines is a table
            if self.tables[tier] is None:
                self._build(tier)
            return self.tables[tier].get(key)  # type: ignore[union-attr]
        low, odd = got
        word = min(key.split(" "), key=low.count)
        lines = set(odd)
        lines.update(_lines_with(low, word))
        texts = (self.pids, self.names)[tier]
        hits = [i for i in sorted(lines) if normalize(texts[i]) == key] or None
        self._last = (tier, key, hits)
        return hits

    def _aliased(self) -> tuple[set[int], dict[str, list[int]]]:
        """The places with aliases or a bracketed name, and the third tier's table over them."""
        if self._special is None:
            inside = set(self.aliased)
            got = self._text(1)
            if got is None:
                inside.update(i for i, name in enumerate(self.names) if "(" in name)
            else:  # the lines with a bracket, found in the joined names
                inside.update(_lines_with(got[0], "("))
            self._special = (inside, self._alias_table(sorted(inside)))
        return self._special

    # -- tables --------------------------------------------------------------------------
    def _build(self, tier: int) -> None:
        """Make ``tier``'s table (key -> place numbers, in order)."""
        n = len(self.pids)
        if tier == 0:
            self.tables[0] = group(normalize_all(self.pids), list(range(n)))
        elif tier == 1:
            self.tables[1] = group(normalize_all(self.names), list(range(n)))
        else:
            self.tables[2] = self._alias_table(list(range(n)))

    def _alias_table(self, places: list[int]) -> dict[str, list[int]]:
        """The third tier over ``places`` (numbers, ascending): short names and aliases."""
        names, aliased = self.names, self.aliased
        raw = [aliased.get(i, ()) for i in places]
        chosen = [names[i] for i in places]
        shorts = normalize_all(chosen)
        # a name without a bracket is its own short name
        noted = [j for j, name in enumerate(chosen) if "(" in name]
        for j, short in zip(
            noted, normalize_all(without_notes([chosen[j] for j in noted])), strict=True
        ):
            shorts[j] = short
        aliases = normalize_all([str(a) for a_s in raw for a in a_s])
        # (key, place) pairs, each once: a place's short name and its aliases
        keys: list[str] = []
        owners: list[int] = []
        at = 0
        for i, short, a_s in zip(places, shorts, raw, strict=True):
            if a_s:
                n = len(a_s)
                mine = {short, *aliases[at : at + n]} - {""}
                keys.extend(mine)
                owners.extend([i] * len(mine))
                at += n
            elif short:
                keys.append(short)
                owners.append(i)
        return group(keys, owners)
