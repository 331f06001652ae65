"""Matching keys for Vietnamese text. The text itself is never rewritten with these.

``key``  — NFC, case-folded, tone mark placed on the first vowel of "oa/oe/uy" (hoà = hòa,
           uỷ = ủy), dashes unified to "-", whitespace collapsed.
``fold`` — ``key`` without any diacritics and with đ → d (for accent-insensitive search).

Both are pure functions of their argument and are called over and over on the same short
strings (section titles, vocabulary words), so results for short strings are memoised.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex as re

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MOVE_TONE = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\p{{L}}\p{{M}}])")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
_CACHED_LEN = 400  # longer strings (whole texts) are computed, not memoised


class _Marks(dict):
    """``str.translate`` table deleting combining characters (``unicodedata.combining``),
    filled in on first sight of each character."""

    def __missing__(self, cp: int):
        out = None if unicodedata.combining(chr(cp)) else cp
        self[cp] = out
        return out


_STRIP_MARKS = _Marks()


def _key(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    s = _MOVE_TONE.sub(r"\1\3\2", s)
    s = unicodedata.normalize("NFC", s).casefold()
    s = _DASHES.sub("-", s)
    return _SPACES.sub(" ", s).strip()


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", key(text))
    return s.translate(_STRIP_MARKS).replace("đ", "d")


_key_cached = lru_cache(maxsize=16384)(_key)
_fold_cached = lru_cache(maxsize=16384)(_fold)


def key(text: str) -> str:
    return _key_cached(text) if len(text) <= _CACHED_LEN else _key(text)


def fold(text: str) -> str:
    return _fold_cached(text) if len(text) <= _CACHED_LEN else _fold(text)
