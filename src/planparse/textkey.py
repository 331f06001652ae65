"""Matching keys for Vietnamese text. The text itself is never rewritten with these.

``key``  — NFC, case-folded, tone mark placed on the first vowel of "oa/oe/uy" (hoà = hòa,
           uỷ = ủy), dashes unified to "-", whitespace collapsed.
``fold`` — ``key`` without any diacritics and with đ → d (for accent-insensitive search).
"""

from __future__ import annotations

import unicodedata

import regex as re

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_MOVE_TONE = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\p{{L}}\p{{M}}])")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")


def key(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    s = _MOVE_TONE.sub(r"\1\3\2", s)
    s = unicodedata.normalize("NFC", s).casefold()
    s = _DASHES.sub("-", s)
    return _SPACES.sub(" ", s).strip()


def fold(text: str) -> str:
    s = unicodedata.normalize("NFD", key(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.replace("đ", "d")
