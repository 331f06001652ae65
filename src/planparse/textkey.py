"""Matching keys for Vietnamese text. The text itself is never rewritten with these.

``key``  — NFC, case-folded, tone mark placed on the first vowel of "oa/oe/uy" (hoà = hòa,
           uỷ = ủy), dashes unified to "-", whitespace collapsed.
``fold`` — ``key`` without any diacritics and with đ → d (for accent-insensitive search).

Both are pure functions of their argument and are called over and over on the same short
strings (section titles, vocabulary words), so results for short strings are memoised.
"""

from __future__ import annotations

import re as _sre
import unicodedata
from functools import lru_cache

import regex as re

from .prefilter import REGEX_SPACE_CHARS

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MOVE_TONE = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\p{{L}}\p{{M}}])")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
# speed, same results: the tone move needs o/u + a/e/y + a tone mark (a literal search of the
# standard re module finds out first), and "\s+" → " " only changes runs that are not a single
# space (so the substitution need not replace every space between two words)
_MAY_MOVE_TONE = _sre.compile(rf"[oOuU][aAeEyY][{_TONES}]")
_SPACE_RUNS = re.compile(r"\s{2,}|[^\S ]")
_MAY_HAVE_SPACE_RUNS = _sre.compile("[" + REGEX_SPACE_CHARS.replace(" ", "") + "]|  ")
_CACHED_LEN = 400  # longer strings (whole texts) are computed, not memoised


class _Bases(dict):
    """``str.translate`` table: a character → its canonical decomposition without combining
    characters (``unicodedata.combining``), filled in on first sight of each character.

    ``fold`` is "NFD, then drop combining characters"; NFD decomposes each character on its
    own and only reorders combining characters among themselves, so dropping them from each
    character's decomposition gives the same string."""

    def __missing__(self, cp: int):
        d = unicodedata.normalize("NFD", chr(cp))
        out = "".join(ch for ch in d if not unicodedata.combining(ch))
        out = cp if out == chr(cp) else (out or None)
        self[cp] = out
        return out


_BASES = _Bases()


def _key(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    if _MAY_MOVE_TONE.search(s):
        s = unicodedata.normalize("NFC", _MOVE_TONE.sub(r"\1\3\2", s))
    else:  # NFC(NFD(x)) == NFC(x), and NFC of an NFC text is a quick check
        s = unicodedata.normalize("NFC", text)
    s = s.casefold()
    s = _DASHES.sub("-", s)
    if _MAY_HAVE_SPACE_RUNS.search(s):
        s = _SPACE_RUNS.sub(" ", s)
    return s.strip()


def _fold(text: str) -> str:
    s = key(text)
    if s.isascii():
        return s
    return s.translate(_BASES).replace("đ", "d")


_key_cached = lru_cache(maxsize=16384)(_key)
_fold_cached = lru_cache(maxsize=16384)(_fold)


def key(text: str) -> str:
    return _key_cached(text) if len(text) <= _CACHED_LEN else _key(text)


def fold(text: str) -> str:
    return _fold_cached(text) if len(text) <= _CACHED_LEN else _fold(text)
