"""Fast candidate positions for the vocabulary patterns (a speed device; results are unchanged).

A vocabulary pattern — a long alternation of phrases behind a "no letter before" look-behind —
is slow to *search* for: the ``regex`` engine tries every alternative at every position of
the text. But it can only match where the first word of one of its phrases is written. So:

1. ``WordStarts(words)`` compiles those first words into one trie-shaped pattern of the
   standard ``re`` module (plain literals, no Unicode classes: both engines agree on them),
   which scans a text an order of magnitude faster and gives the positions where one of the
   words begins;
2. ``finditer(pattern, text, positions, pos, endpos)`` runs ``pattern.match`` at those
   positions only and yields exactly what ``pattern.finditer(text, pos, endpos)`` yields.

Case-insensitive patterns (``(?i:…)`` on the text) use ``lower_view(text)``: the text lower-cased
character by character, so a literal the ``regex`` engine matches ignoring case is found in the
view as the lower-cased literal (``fold_literal``). The three characters ``regex`` also matches
to Vietnamese letters — "ı" and "İ" (to "i"/"I") and "ſ" (to "s") — are mapped in the view.

Why this is exact: every match of the pattern starts with one of the words, so its start is
a position where the word scan *can* report a word. The scan reports non-overlapping words;
a position inside a reported word is preceded by one of the word's characters, which the
pattern's look-behind rejects — ``WordStarts`` checks that every character of every word is in
the class the look-behind excludes (``inner``). ``finditer`` then reproduces the search:
the leftmost candidate where the pattern matches is the leftmost match, and the next search
starts at its end. Patterns used this way never match the empty string.
"""

from __future__ import annotations

import bisect
import re as _sre
from typing import Iterable, Iterator, Optional

import regex


def trie_pattern(words: Iterable[str]) -> str:
    """A ``re`` pattern matching any of ``words``, factored as a trie (no backtracking over
    a long list of alternatives)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [_sre.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return (body if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + body + ")") + "?"
        return body

    return build(trie)


#: the characters ``regex`` matches with ``\s`` (Unicode White_Space), for classes of the
#: standard ``re`` module, whose own ``\s`` also matches U+001C..U+001F
REGEX_SPACE_CHARS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: the same characters as a set
REGEX_SPACES = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(map(chr, range(0x2000, 0x200B)))

# characters the regex engine matches, ignoring case, to a letter whose lower case differs
_FOLD_EXTRA = (("\u0131", "i"), ("\u0130", "i"), ("\u017f", "s"))


def fold_literal(s: str) -> str:
    """``s`` lower-cased character by character (same length), with ``_FOLD_EXTRA`` applied."""
    low = s.lower()
    if len(low) != len(s):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in s)
    for a, b in _FOLD_EXTRA:
        if a in low:
            low = low.replace(a, b)
    return low


class LastText:
    """A one-entry memo keyed by the identity of a text: what one document's extractors would
    otherwise compute several times (a view, candidate positions). The entry is one tuple, read
    and replaced as a whole, so concurrent threads never see a key with another text's value."""

    def __init__(self, compute) -> None:
        self._compute = compute
        self._entry: tuple = (None, None)

    def __call__(self, text: str):
        entry = self._entry
        if entry[0] is not text:
            entry = (text, self._compute(text))
            self._entry = entry
        return entry[1]


#: ``fold_literal(text)`` of the last text (every extractor folds the same text)
lower_view = LastText(fold_literal)


class WordStarts:
    """Where one of ``words`` is written in a text (non-overlapping, left to right).

    ``inner``: a ``regex`` class every character of every word must belong to — the class the
    look-behind of the patterns using these positions rejects (see the module docstring).
    """

    def __init__(self, words: Iterable[str], inner: str = r"[\p{L}\p{M}\p{N}]") -> None:
        uniq = sorted({w for w in words})
        if not uniq or any(not w for w in uniq):
            raise ValueError("WordStarts needs non-empty words")
        check = regex.compile(rf"{inner}+")
        bad = [w for w in uniq if not check.fullmatch(w)]
        if bad:
            raise ValueError(f"WordStarts: characters outside {inner} in {bad[:3]}")
        self.words = tuple(uniq)
        self._re = _sre.compile(trie_pattern(uniq))

    def positions(self, text: str) -> list[int]:
        return [m.start() for m in self._re.finditer(text)]

    def scan(self, text: str, lo: int, hi: int) -> Iterator[int]:
        """The positions in ``text[lo:hi]``, found when asked (for short windows): a word
        ending after ``hi`` is not reported, but no match with ``endpos=hi`` starts there."""
        for m in self._re.finditer(text, lo, hi):
            yield m.start()


class GroupedWordStarts:
    """``WordStarts`` for several patterns at once: one scan, then the positions of each group.

    The scan reports the longest word written at a position, so a group's word is written
    there exactly when it is a prefix of the reported word (all the words written at one
    position are prefixes of the longest)."""

    def __init__(self, groups: dict[str, Iterable[str]], inner: str = r"[\p{L}\p{M}\p{N}]") -> None:
        self.groups = {name: set(words) for name, words in groups.items()}
        self._all = WordStarts({w for ws in self.groups.values() for w in ws}, inner)
        self._owners = {
            w: tuple(name for name, ws in self.groups.items() if any(w.startswith(x) for x in ws)) for w in self._all.words
        }

    def positions(self, text: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {name: [] for name in self.groups}
        owners = self._owners
        for m in self._all._re.finditer(text):
            p = m.start()
            for name in owners[m.group()]:
                out[name].append(p)
        return out


def finditer(pattern: "regex.Pattern[str]", text: str, starts: list[int], pos: int = 0, endpos: Optional[int] = None) -> Iterator["regex.Match[str]"]:
    """``pattern.finditer(text, pos, endpos)``, trying only the candidate ``starts`` (sorted,
    a superset of the starts of the pattern's matches)."""
    if endpos is None or endpos > len(text):
        endpos = len(text)
    match = pattern.match
    i = bisect.bisect_left(starts, pos)
    n = len(starts)
    while i < n:
        c = starts[i]
        if c >= endpos:
            return
        m = match(text, c, endpos)
        if m is None:
            i += 1
            continue
        yield m
        i = bisect.bisect_left(starts, m.end(), i + 1)


def finditer_among(pattern: "regex.Pattern[str]", text: str, candidates: Iterable[int], pos: int, endpos: int) -> Iterator["regex.Match[str]"]:
    """``finditer`` with the candidates given as an increasing iterable (``WordStarts.scan``)."""
    match = pattern.match
    last = pos
    for c in candidates:
        if c < last:
            continue
        if c >= endpos:
            return
        m = match(text, c, endpos)
        if m is not None:
            yield m
            last = m.end()


def finditer_slice(pattern: "regex.Pattern[str]", text: str, starts, lo: int, hi: int) -> Iterator[tuple[int, "regex.Match[str]"]]:
    """The matches of ``pattern.finditer(text[lo:hi])`` as (offset in ``text``, match), without
    scanning the slice: position ``lo`` is tried on the slice itself (where nothing precedes
    it), the candidate ``starts`` after it on ``text`` with ``endpos=hi`` (the slice's end, for
    look-aheads and ``$`` alike). Only for patterns whose look-behinds read one character:
    after ``lo`` that character is inside the slice. A match's offsets (``m.start()``) are in
    the slice for the first position, in ``text`` for the others: use the offset given.
    ``starts``: a sorted list of candidates, or ``(WordStarts, view)`` to scan the view of
    ``text`` (``lower_view``) on demand."""
    if lo >= hi:
        return
    m = pattern.match(text[lo:hi])
    if m is not None:
        yield lo, m
        nxt = lo + m.end()
    else:
        nxt = lo + 1
    if isinstance(starts, list):
        found = finditer(pattern, text, starts, nxt, hi)
    else:
        words, view = starts
        found = finditer_among(pattern, text, words.scan(view, nxt, hi), nxt, hi)
    for m in found:
        yield m.start(), m
