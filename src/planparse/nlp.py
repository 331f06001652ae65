"""Optional Vietnamese NLP: sentences and words with offsets into *your* text.

Extra ``planparse[nlp]`` installs underthesea; pyvi comes with ``planparse[spacy]``. Both run
offline from what the package installs (underthesea's ``sent_tokenize``/``word_tokenize`` and
pyvi's ``ViTokenizer`` ship their models; underthesea's ``classify``, ``sentiment`` and
``lang_detect`` download models at run time and are not used). The core of planparse never
imports this module; nothing here is imported until a function is called.

    >>> from planparse import nlp
    >>> text = "Phấn đấu 90% trẻ em có hoàn cảnh đặc biệt được quản lý."
    >>> [text[a:b] for a, b in nlp.words(text)][:4]
    ['Phấn đấu', '90', '%', 'trẻ em']
    >>> [t[3] for t in nlp.word_tokens(text)][:5]        # (start, end, exact, folded)
    ['phan_dau', '90', 'tre_em', 'co', 'hoan_canh']

- :func:`sentences` — sentence spans: lines first (a line break always ends one), then
  underthesea's ``sent_tokenize`` inside long lines ("TP. Hồ Chí Minh" is not split);
- :func:`words` — word spans, a multi-syllable word ("trẻ em", "Ủy ban nhân dân") as one span,
  segmented sentence by sentence (underthesea is much slower on whole documents);
- :func:`word_tokens` — ``(start, end, exact, folded)`` per word, in the shape of
  ``planparse.search``'s syllable tokens: the syllables of a word joined by ``_`` ("trẻ_em" /
  "tre_em"), punctuation left out, so an index can store words instead of syllables.

The segmenters rewrite what they return (underthesea: NFC and its own tone placement, "Uỷ" →
"Ủy", "hoà" → "hòa"; pyvi: ``_`` between syllables): the offsets are found again by aligning
each token, compared without diacritics and case, against the original text, so they index
the text exactly as given (NFD input included).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Callable

import regex as re

from .errors import PlanParseError
from .textkey import fold, key

BACKENDS = ("underthesea", "pyvi")
_PACKAGES = {"underthesea": "planparse[nlp]", "pyvi": "planparse[spacy]"}
_SYLLABLE = re.compile(r"[\p{L}\p{M}\p{N}]+")
_LINE = re.compile(r"[^\n]+")
_SKIP = frozenset(" \t\r\n\u00a0_")
_SEARCH_WINDOW = 200  # how far ahead a token that did not align at once is looked for


class NLPUnavailable(PlanParseError):
    """The NLP backend asked for is not installed."""


def available(backend: str = "underthesea") -> bool:
    """Whether ``backend`` can be imported here."""
    try:
        _load(backend)
    except NLPUnavailable:
        return False
    return True


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence: each line, split further by underthesea."""
    sent_tokenize = _load("underthesea")[0]
    out = []
    for line in _LINE.finditer(text):
        start, end = line.span()
        chunk = text[start:end]
        if not chunk.strip():
            continue
        if len(chunk) < 80 or not any(ch in chunk for ch in ".!?…"):
            out.append(_strip(text, start, end))
            continue
        out.extend(_align(text, sent_tokenize(_nfc(chunk)), start, end))
    return [s for s in out if s[1] > s[0]]


def words(text: str, backend: str = "underthesea") -> list[tuple[int, int]]:
    """``(start, end)`` of every word and punctuation token, sentence by sentence."""
    segment = _segmenter(backend)
    out = []
    for start, end in _sentence_spans(text, backend):
        out.extend(_align(text, segment(_nfc(text[start:end])), start, end))
    return out


def word_tokens(text: str, backend: str = "underthesea") -> list[tuple[int, int, str, str]]:
    """``(start, end, exact, folded)`` per word; syllables joined by ``_``, punctuation dropped.

    ``exact`` is ``textkey.key`` of the word's syllables ("trẻ_em"), ``folded`` its
    ``textkey.fold`` ("tre_em"); "LĐ-TB" gives "lđ_tb" / "ld_tb".
    """
    out = []
    for start, end in words(text, backend):
        syllables = _SYLLABLE.findall(text, start, end)
        if not syllables:
            continue
        exact = "_".join(key(s) for s in syllables)
        out.append((start, end, exact, fold(exact)))
    return out


# --------------------------------------------------------------------------------------
# backends
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _load(backend: str):
    if backend not in BACKENDS:
        raise ValueError(f"unknown NLP backend {backend!r}; use one of {', '.join(BACKENDS)}")
    try:
        if backend == "underthesea":
            from underthesea import sent_tokenize, word_tokenize

            return sent_tokenize, word_tokenize
        from pyvi import ViTokenizer

        return None, ViTokenizer.tokenize
    except ImportError as exc:
        raise NLPUnavailable(f"{backend} is not installed: pip install '{_PACKAGES[backend]}' ({exc})") from None


def _segmenter(backend: str) -> Callable[[str], list[str]]:
    if backend == "underthesea":
        word_tokenize = _load(backend)[1]
        return word_tokenize
    tokenize = _load(backend)[1]
    return lambda s: tokenize(s).split()


def _sentence_spans(text: str, backend: str) -> list[tuple[int, int]]:
    if backend == "underthesea":
        return sentences(text)
    # pyvi has no sentence splitter: lines (it is fast enough on a whole line)
    return [_strip(text, *m.span()) for m in _LINE.finditer(text) if m.group().strip()]


# --------------------------------------------------------------------------------------
# alignment of rewritten tokens back onto the text
# --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _SKIP:
        return ""
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Ð (U+00D0, eth) is how mojibake and some fonts write Đ; underthesea writes it back as Đ
    return base.casefold().replace("đ", "d").replace("ð", "d")


def _fold_token(token: str) -> str:
    return "".join(_fold_char(ch) for ch in token)


def _align(text: str, tokens: list[str], lo: int, hi: int) -> list[tuple[int, int]]:
    """Offsets in ``text[lo:hi]`` of ``tokens`` (in order), compared on folded characters."""
    stream: list[str] = []
    where: list[int] = []
    for i in range(lo, hi):
        f = _fold_char(text[i])
        for c in f:
            stream.append(c)
            where.append(i)
    folded = "".join(stream)
    out = []
    cursor = 0
    for token in tokens:
        t = _fold_token(token)
        if not t:
            continue
        if folded.startswith(t, cursor):
            pos = cursor
        else:
            pos = folded.find(t, cursor, cursor + len(t) + _SEARCH_WINDOW)
            if pos < 0:
                continue  # a token the segmenter invented or rewrote beyond recognition
        start, end = where[pos], where[pos + len(t) - 1] + 1
        while end < hi and unicodedata.combining(text[end]):
            end += 1
        out.append((start, end))
        cursor = pos + len(t)
    return out


def _nfc(s: str) -> str:
    # the segmenters' models know composed text: "Hoà" in NFD would be cut in two
    return unicodedata.normalize("NFC", s)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
