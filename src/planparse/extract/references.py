"""Legal references: every mention of a document — another one, the parent decision, or the
document itself — with its type, number, year, symbol, issuer, date, title and role; short
forms linked to their antecedent when that is certain, marked ``unresolved`` otherwise.

One module, four verbs (in the style of eyecite): *find* the mentions (``_find_*``, one per
surface form, each listing the forms it accepts), *read* what follows a mention (date, issuer,
title), *resolve* short forms and roles, and *build* the ``LegalReference`` items. The
vocabulary (document types and their abbreviations, issuer symbols and heads, law names,
title and role words) is ``data/doc_types.json``; the patterns below are built from it once.

Not references: phone numbers, percentages, bare dates ("25/3"), fractions ("105/111 xã"),
"Dự án 1", section numbers, "Điều 1" of the document itself, "Kế hoạch này".
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

import regex as re

from .. import prefilter
from ..models import LegalReference, Span
from ..textkey import fold, key
from ..vocab import load
from .context import Context
from .numbers import DATE_NUMERIC, make_date

# --------------------------------------------------------------------------- pattern helpers

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_OLD_TO_NEW = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?!\p{{L}})")
_NEW_TO_OLD = re.compile(rf"(?<![qQ])([oOuU])([{_TONES}])([aAeEyY])(?!\p{{L}})")
_DASH = r"[-\u2010-\u2015\u2212]"
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212]")


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _word_variants(word: str) -> set[str]:
    """A word in both tone placements ("hòa"/"hoà", "ủy"/"uỷ")."""
    nfd = unicodedata.normalize("NFD", word)
    return {_nfc(word), _nfc(_OLD_TO_NEW.sub(r"\1\3\2", nfd)), _nfc(_NEW_TO_OLD.sub(r"\1\3\2", nfd))}


def _phrase(phrase: str, *, caps: bool = False) -> str:
    """Regex for a vocabulary phrase: words joined by 1-3 white-space characters (line breaks
    included), a lone "-" by a dash with optional spaces, each word in both tone placements.
    ``caps``: match only as written and in full upper case (for case-sensitive patterns)."""
    parts: list[tuple[str, str]] = []
    for tok in phrase.split():
        if re.fullmatch(_DASH, tok):
            parts.append(("dash", rf"\s{{0,2}}{_DASH}\s{{0,2}}"))
            continue
        variants = _word_variants(tok)
        if caps:
            variants |= {v.upper() for v in variants}
        alts = sorted(variants, key=len, reverse=True)
        rx = "|".join(re.escape(a).replace(r"\-", _DASH) for a in alts)
        parts.append(("word", f"(?:{rx})"))
    out, prev = "", None
    for kind, rx in parts:
        if prev == "word" and kind == "word":
            out += r"\s{1,3}"
        out += rx
        prev = kind
    return out


def _alternation(phrases: Iterable[str], *, caps: bool = False) -> str:
    uniq = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "(?:" + "|".join(_phrase(p, caps=caps) for p in uniq) + ")"


def first_literals(phrases: Iterable[str], *, caps: bool = False) -> set[str]:
    """What every match of ``_alternation(phrases)`` starts with, lower-cased for
    ``prefilter.lower_view``: the first word of each phrase in each of its ``_phrase`` variants,
    up to a hyphen (which ``_phrase`` reads as any dash)."""
    out: set[str] = set()
    for phrase in phrases:
        tok = phrase.split()[0]
        if re.fullmatch(_DASH, tok):  # pragma: no cover - no vocabulary phrase starts with a dash
            raise ValueError(f"phrase starts with a dash: {phrase!r}")
        variants = _word_variants(tok)
        if caps:
            variants |= {v.upper() for v in variants}
        for v in variants:
            lit = v.split("-")[0]
            if not lit:  # pragma: no cover
                raise ValueError(f"phrase starts with a dash: {phrase!r}")
            out.add(prefilter.fold_literal(lit))
    return out


# --------------------------------------------------------------------------- vocabulary

@dataclass
class _Head:
    name: str
    takes: str


class _Vocab:
    """``data/doc_types.json`` turned into look-up tables and compiled patterns."""

    def __init__(self) -> None:
        v = load("doc_types.json")
        self.raw = v
        self.types = v["doc_types"]
        self.surface_type = {key(s): t["name"] for t in self.types for s in t["surface"]}
        self.abbr_type = {key(a): t["name"] for t in self.types for a in t["abbr"]}
        self.short_types = [s for t in self.types if t.get("short_form") for s in t["surface"]]
        self.named_types = {t["name"] for t in self.types if t.get("named")}
        # "Luật", "LUẬT", "Bộ luật", "Bộ Luật", "BỘ LUẬT": as written, in capitals, each word capitalised
        named = [s for t in self.types if t.get("named") for s in t["surface"]]
        named += [" ".join(w[:1].upper() + w[1:] for w in s.split()) for s in named]
        self.named_caps = _alternation(named, caps=True)
        self.law_stop = "(?:" + "|".join(re.escape(w) for w in sorted(v["law_name_stop_words"], key=len, reverse=True)) + r")(?!\p{L})"
        tokens = set(v["symbol_tokens"]) | {a for t in self.types for a in t["abbr"]} | {i["symbol"] for i in v["issuers"]}
        self.token_case = {t.upper(): t for t in tokens}
        by_fold: dict[str, set[str]] = {}
        for t in tokens:
            by_fold.setdefault(fold(t).upper(), set()).add(t)
        self.token_fold = {f: next(iter(ts)) for f, ts in by_fold.items() if len(ts) == 1}
        self.abbr_upper = {a.upper() for t in self.types for a in t["abbr"]}
        self.issuer_name = {i["symbol"].upper(): i["name"] for i in v["issuers"]}
        self.issuer_upper = set(self.issuer_name)
        # issuer heads: one named group per entry so the match tells which head it was
        self.heads = [_Head(h["name"], h["takes"]) for h in v["issuer_heads"]]
        head_alts = "|".join(f"(?P<h{i}>{_alternation(h['forms'])})" for i, h in enumerate(v["issuer_heads"]))
        self.head_re = re.compile(rf"(?:{head_alts})(?!\p{{L}})", re.IGNORECASE)
        self.sector_names = [forms[0] for forms in v["sectors"]]
        sector_alts = "|".join(f"(?P<s{i}>{_alternation(forms)})" for i, forms in enumerate(v["sectors"]))
        self.sector_re = re.compile(rf"(?:{sector_alts})(?![\p{{L}}&])", re.IGNORECASE)
        self.level_re = re.compile(rf"{_alternation(v['level_words'])}(?!\p{{L}})", re.IGNORECASE)
        laws = [entry if isinstance(entry, list) else [entry] for entry in v["laws"]]
        self.law_canonical = {key(form): entry[0] for entry in laws for form in entry[1:]}
        self.law_re = re.compile(rf"{_alternation(f for entry in laws for f in entry)}(?!\p{{L}})", re.IGNORECASE)
        self.law_amend_re = re.compile(rf"{_alternation(v['law_amending_prefixes'])}(?!\p{{L}})", re.IGNORECASE)
        self.not_law = {key(w) for w in v["not_law_words"]}
        trig = v["title_triggers"]
        self.title_strip = _alternation(trig["strip"])
        self.title_keep = _alternation(trig["keep"])
        roles = v["roles"]
        self.basis_words = [key(w) for w in roles["basis"]]
        self.basis_right_before = re.compile(rf"(?<!\p{{L}}){_alternation(roles['basis'])}\s{{1,3}}$", re.IGNORECASE)
        self.implements_words = sorted((key(w) for w in roles["implements"]), key=len, reverse=True)
        self.basis_headings = [key(w) for w in roles["basis_headings"]]
        self.implements_right_before = re.compile(rf"(?<!\p{{L}}){_alternation(roles['implements'])}\s{{1,3}}$", re.IGNORECASE)
        self.parent_re = re.compile(rf"{_alternation(roles['parent_markers'])}\s{{1,3}}$", re.IGNORECASE)
        self.self_re = re.compile(rf"(?:^|\|)[ \t*]*{_alternation(roles['self_markers'])}[ \t]*:?[ \t]*$", re.IGNORECASE)
        self.alias_re = re.compile(rf"\(\s{{0,3}}{_alternation(v['alias_markers'])}\s{{1,3}}$", re.IGNORECASE)
        self.alias_open_re = re.compile(rf"\(\s{{0,3}}{_alternation(v['alias_markers'])}(?!\p{{L}})", re.IGNORECASE)
        self.short_stop = {key(w) for w in v["short_form_stop_words"]}
        congress = v["congress_resolution"]
        self.congress = congress
        self.types_any = _alternation(self.surface_type_phrases())
        self.types_caps = _alternation(self.surface_type_phrases(), caps=True)
        self.short_caps = _alternation(self.short_types, caps=True)
        self.short_abbr = "|".join(re.escape(a) for a in v["short_form_abbr"])
        self.anaphora = _alternation(v["anaphora"])
        self.anaphora_closing = _alternation(v["anaphora_closing"])

    def surface_type_phrases(self) -> list[str]:
        return [s for t in self.types if not t.get("named") for s in t["surface"]]

    def type_of_surface(self, surface: str) -> Optional[str]:
        return self.surface_type.get(key(_WS.sub(" ", surface)))

    def type_of_abbr(self, abbr: str) -> Optional[str]:
        return self.abbr_type.get(key(abbr))


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    return _Vocab()


# --------------------------------------------------------------------------- number / symbol

# A symbol token: a capital, at least one more capital (or "&"), at most two lower-case
# letters ("TTg", "CTr", "QĐi") and two digits ("QH13"). Tokens are joined by "-" (a space
# allowed after the dash, "KH- UBND"). Quantifiers are bounded: no catastrophic backtracking.
_TOK = r"\p{Lu}[\p{Lu}&]{1,11}\p{Ll}{0,2}\d{0,2}"
_SEP = r"(?:-[ ]?|[ ]-(?![ ]))"
_SYM = rf"{_TOK}(?:{_SEP}{_TOK}){{0,5}}"
_PSYM = rf"{_TOK}[ ]?[/\u2044\u2215][ ]?{_TOK}(?:-{_TOK}){{0,3}}"
_SL = r"[ ]?[/\u2044\u2215][ ]?"  # "/" and the look-alike fraction and division slashes
_NUMSYM = (
    rf"(?:(?P<num>\d{{1,5}})(?:{_SL}(?P<year>(?:19|20)\d{{2}}))?{_SL}(?P<sym>{_SYM})"
    rf"|(?P<pnum>\d{{1,5}})[ ]?-[ ]?(?P<psym>{_PSYM}))(?![\p{{L}}\d&])"
)
_FN_SLASH = re.compile(r"^(?P<num>\d{1,6})(?:/(?P<year>\d{4}))?/(?P<sym>[^/].*)$")
_FN_PARTY = re.compile(r"^(?P<num>\d{1,6})-(?P<sym>[^/\-]+/.+)$")


def _canon_token(tok: str) -> str:
    v = _vocab()
    m = _TOKEN_DIGITS.fullmatch(tok)
    word, digits = m.group("w"), m.group("d")
    up = word.upper()
    if up in v.token_case:
        return v.token_case[up] + digits
    folded = fold(word).upper()
    if folded in v.token_fold and not any(ch in word for ch in "Đđ"):
        return v.token_fold[folded] + digits
    if word.islower():
        return up + digits
    return tok


def _split_glued(tok: str) -> Optional[str]:
    """"CTTg" → "CT-TTg": a type abbreviation glued to an issuer symbol (a missing hyphen)."""
    v = _vocab()
    up = tok.upper()
    if up in v.token_case:
        return None
    for i in range(1, len(up)):
        if up[:i] in v.abbr_upper and up[i:] in v.issuer_upper:
            return f"{v.token_case[up[:i]]}-{v.token_case[up[i:]]}"
    return None


_TOKEN_DIGITS = re.compile(r"(?P<w>.*?)(?P<d>\d{0,2})")
_SEPARATORS = re.compile(r"([-/])")
_SEPARATOR = re.compile(r"[-/]")
_WHITE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalise_full_number(raw: str) -> str:
    """Canonical form of a number/symbol: symbol tokens in their canonical case, dashes
    unified, spaces removed, years kept, party hyphen kept, a missing hyphen between a type
    abbreviation and an issuer symbol restored.

    "565/QĐ-TTG" → "565/QĐ-TTg"; "98/2017/tt-btc" → "98/2017/TT-BTC"; "12-NQ/TU" → "12-NQ/TU";
    "71/HD-SLĐTBXH-SNV-STC" (unchanged); "75/KH- UBND" → "75/KH-UBND"; "27/CTTg" → "27/CT-TTg".
    """
    s = _DASHES_RE.sub("-", _nfc(raw)).replace("\u2044", "/").replace("\u2215", "/")
    s = _WHITE.sub("", s).strip(".,;:()[]")
    parts = _SEPARATORS.split(s)
    out = [p if p in ("-", "/") or p.isdigit() or not p else _canon_token(p) for p in parts]
    s = "".join(out)
    m = _FN_SLASH.match(s)
    if m:
        first = _SEPARATOR.split(m.group("sym"))[0]
        if first == m.group("sym"):
            glued = _split_glued(first)
            if glued:
                s = s[: m.start("sym")] + glued
    return s


def _parse_full_number(fn: str) -> tuple[Optional[str], Optional[int], Optional[str]]:
    """(number, year, symbol) of a normalised full number."""
    m = _FN_PARTY.match(fn)
    if m:
        return m.group("num"), None, m.group("sym")
    m = _FN_SLASH.match(fn)
    if m:
        return m.group("num"), int(m.group("year")) if m.group("year") else None, m.group("sym")
    return None, None, None


def _type_from_symbol(symbol: Optional[str]) -> Optional[str]:
    if not symbol:
        return None
    return _vocab().type_of_abbr(_SEPARATOR.split(symbol)[0])


def _symbol_issuer_tokens(symbol: Optional[str]) -> list[str]:
    if not symbol:
        return []
    return [t.upper() for t in _SEPARATOR.split(symbol)[1:]]


def _same_number(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a and b) and normalise_full_number(a).casefold() == normalise_full_number(b).casefold()


# --------------------------------------------------------------------------- mentions

@dataclass
class _Mention:
    kind: str  # "numbered", "missing", "short", "anaphora", "bare", "law", "congress"
    start: int
    end: int  # end of the core (type + number [+ date] [+ issuer])
    doc_type: Optional[str] = None
    number: Optional[str] = None
    year: Optional[int] = None
    symbol: Optional[str] = None
    full_number: Optional[str] = None
    issuer: Optional[str] = None
    issuer_from_vocab: bool = True
    date: Optional[str] = None
    title: Optional[str] = None
    title_end: Optional[int] = None
    role: str = "cited"
    antecedent: Optional[int] = None  # index into the mention list
    unresolved: bool = False
    id: str = ""
    extra: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    v = _vocab()
    so = r"(?:(?i:số)\s{0,3}:?\s{0,3})"
    c = v.congress
    return {
        # Quyết định số 565/QĐ-TTg; Nghị định 56/2017/NĐ-CP; Nghị quyết số 12-NQ/TU; QUYẾT ĐỊNH SỐ 565/QĐ-TTG
        "numbered": re.compile(rf"(?<!\p{{L}})(?P<type>(?i:{v.types_any}))\s{{1,3}}{so}?{_NUMSYM}"),
        # Quyết định số ngày 25 /11/ 2020; Quyết định số      /QĐ-UBND ngày …
        "missing": re.compile(
            rf"(?<!\p{{L}})(?P<type>(?i:{v.types_any}))\s{{1,3}}(?i:số)[ \t]{{0,8}}(?:[.…_]{{1,12}}[ \t]{{0,3}})?"
            rf"(?:/[ ]?(?P<sym>{_SYM})(?![\p{{L}}\d&]))?[ \t]{{0,3}},?[ \t]{{0,3}}(?=(?i:ngày)\s)"
        ),
        # Thông tư 98; Đề án 32; Quyết định số 1731 (no symbol); NĐ 150
        "short": re.compile(
            rf"(?<!\p{{L}})(?P<type>{v.short_caps}|{v.short_abbr})[ \t]{{1,3}}(?:(?i:số)[ \t]{{1,3}})?(?P<num>\d{{1,4}})"
            rf"(?![\d/]|[.,]\d|[ ]?{_DASH}[ ]?\p{{L}}|\p{{L}}|[ ]?%)"
        ),
        # Quyết định nêu trên; Thông tư nói trên; Kế hoạch trên,
        "anaphora": re.compile(
            rf"(?<!\p{{L}})(?P<type>{v.types_caps})[ \t]{{1,3}}(?:(?i:{v.anaphora})(?!\p{{L}})|(?i:{v.anaphora_closing})(?=[ \t]{{0,2}}(?:[,.;:)]|$)))",
            re.MULTILINE,
        ),
        # Số: 2239/QĐ-UBND; Bộ Lao 20/2021/NĐ-CP (a number standing alone; its type from the symbol)
        "bare": re.compile(rf"(?<![\p{{L}}\d/.,\-])(?:{_NUMSYM})"),
        # Luật Trẻ em; Bộ luật Lao động; Pháp lệnh …; Hiến pháp năm 2013
        "law": re.compile(rf"(?<!\p{{L}})(?P<type>{v.named_caps})(?!\p{{L}})"),
        # Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Vĩnh Phúc lần thứ XVII
        "congress": re.compile(
            rf"(?<!\p{{L}})(?P<type>{_phrase(c['type'])})\s{{1,3}}(?P<name>{_phrase(c['opener'])}(?:\s{{1,3}}[\p{{L}}]{{1,12}}){{0,10}}?"
            rf"\s{{1,3}}{_phrase(c['closer'])}\s{{1,3}}(?:[IVXLC]{{1,6}}|\p{{Ll}}{{2,6}}))(?!\p{{L}})"
        ),
    }


@lru_cache(maxsize=1)
def _pattern_starts() -> prefilter.GroupedWordStarts:
    """Where each ``_patterns()`` entry but "bare" may match: at the first word of its type
    phrases (every one of them opens with ``(?<!\\p{L})(?P<type>…)``); see ``prefilter``."""
    v = _vocab()
    types = first_literals(v.surface_type_phrases(), caps=True)
    return prefilter.GroupedWordStarts(
        {
            "types": types,  # numbered, missing (types_any) and anaphora (types_caps)
            "short": first_literals(v.short_types, caps=True) | {prefilter.fold_literal(a) for a in v.raw["short_form_abbr"]},
            "law": first_literals([s for t in v.types if t.get("named") for s in t["surface"]], caps=True),
            "congress": first_literals([v.congress["type"]]),
        },
        inner=r"\p{L}",
    )


#: candidate starts of the patterns in the last text, by group of ``_pattern_starts``
_starts = prefilter.LastText(lambda text: _pattern_starts().positions(prefilter.lower_view(text)))


def _finditer(name: str, group: str, text: str):
    """``_patterns()[name].finditer(text)``, tried only where the group's words are written."""
    return prefilter.finditer(_patterns()[name], text, _starts(text)[group])


_WS13 = re.compile(r"\s{1,3}")
_SP13 = re.compile(r"[ \t]{1,3}")
_LIST_HEAD = re.compile(r",?\s{1,3}(?:(?i:và)\s{1,3})?(?P<h>Sở|Bộ)(?!\p{L})")
_NEXT_WORD = re.compile(r"[ \t]{0,2}(\p{L}+|%)")
_WORD = re.compile(r"\p{L}+")
_LAW_NUMBER = re.compile(rf"[ \t]{{0,3}},?[ \t]{{0,3}}(?i:số)[ \t]{{0,3}}{_NUMSYM}")
_LAW_AND = re.compile(r"\s{1,3}(?:(?i:và)\s{1,3})?(?:Luật|Bộ luật)\s{1,3}")
_LIST_TAIL = re.compile(r"(?:^|\s)(?:và|hoặc|cùng)$")
_NEXT_CHAR = re.compile(r"[ \t]*(\S)")
_RUN_GAP = re.compile(r"\s{0,3},\s{0,3}|\s{1,3}(?i:và)\s{1,3}")
_CUA = re.compile(r"(?<!\p{L})(?i:của)\s{1,3}")
_AND = re.compile(r"\s{0,3}(?:,|(?i:và))\s{1,3}")
_TAI = re.compile(r"\s{1,3}(?i:tại)\s{1,3}")

_DATE_TAIL = re.compile(
    r"[ \t]{0,3},?\s{0,3}(?P<paren>\()?(?:(?i:ngày)\s{0,3})?(?:"
    + DATE_NUMERIC
    + r"|(?P<d2>\d{1,2})\s{1,3}(?i:tháng)\s{1,3}(?P<m2>\d{1,2})\s{1,3}(?i:năm)\s{1,3}(?P<y2>\d{4}))(?!\d)(?(paren)\))"
)
_YEAR_TAIL = re.compile(r"[ \t]{0,3},?[ \t]{0,3}(?i:năm)\s{1,3}(?P<y>(?:19|20)\d{2})(?!\d)")
_OF = re.compile(r"[ \t]{0,3},?\s{0,3}(?i:của)\s{1,3}")
_PLACE = re.compile(r"\p{Lu}\p{L}{0,9}(?:[ ](?:-[ ])?\p{Lu}\p{L}{0,9}){0,3}(?![\p{L}\d])")
_CAP_RUN = re.compile(r"\p{Lu}\p{L}{0,11}(?:[ ]\p{Lu}\p{L}{0,11}){0,3}(?![\p{L}\d])")
_WS = re.compile(r"\s+")
_ORDINAL = re.compile(r"\s{1,3}(?P<o>[IVXLC]{1,6}|\p{Ll}{2,6}|\d{1,2})\s{1,3}")
_TERM = re.compile(r"[ \t]{1,3},?[ \t]{0,3}(?i:khóa|khoá|nhiệm\s{1,3}kỳ)[ \t]{1,3}(?:[IVXLC]{1,6}|(?:19|20)\d{2}[ \t]{0,2}-[ \t]{0,2}(?:19|20)\d{2})(?![\p{L}\d])")


def _date_at(text: str, pos: int) -> tuple[Optional[str], int]:
    m = _DATE_TAIL.match(text, pos)
    if not m:
        return None, pos
    if m.group("d") is not None:
        d = make_date(int(m.group("d")), int(m.group("m")), int(m.group("y")))
    else:
        d = make_date(int(m.group("d2")), int(m.group("m2")), int(m.group("y2")))
    return (d, m.end()) if d else (None, pos)


def _match_issuer(text: str, pos: int) -> Optional[tuple[int, str, bool]]:
    """The issuing body written at ``pos`` → (end, expanded name, matched the vocabulary).

    Accepts: "Thủ tướng Chính phủ", "Chính phủ", "Bộ Tài chính", "Bộ trưởng Bộ Y tế",
    "Sở Lao động - Thương binh và Xã hội", "Liên Sở Lao động - Thương binh và Xã hội, Sở Nội
    vụ, Sở Tài chính", "UBND tỉnh", "Ủy ban nhân dân tỉnh Kon Tum", "HĐND tỉnh", "Tỉnh ủy Vĩnh
    Phúc", "BCH Đảng bộ tỉnh", "Ban Thường vụ Tỉnh ủy Hậu Giang", "Bộ Chính trị"; an unknown
    sector after Bộ/Sở as its capitalised words ("Bộ Lao" in a garbled source)."""
    v = _vocab()
    m = v.head_re.match(text, pos)
    if not m:
        return None
    head = v.heads[int(m.lastgroup[1:])]
    end, name, known = m.end(), head.name, True

    def sector_at(p: int) -> Optional[tuple[int, str, bool]]:
        ws = _WS13.match(text, p, p + 3)
        if not ws:
            return None
        q = ws.end()
        sm = v.sector_re.match(text, q)
        if sm:
            return sm.end(), v.sector_names[int(sm.lastgroup[1:])], True
        cm = _CAP_RUN.match(text, q)
        if cm:
            return cm.end(), cm.group(0), False
        return None

    if head.takes == "body":
        om = _ORDINAL.match(text, end)
        inner = _match_issuer(text, om.end()) if om else None
        if not inner:
            return None
        return inner[0], f"{name} {om.group('o')} {inner[1]}", inner[2]
    if head.takes in ("sector", "sectors"):
        s = sector_at(end)
        if not s:
            return None
        end, sector, known = s
        name = f"{name} {sector}"
        if head.takes == "sectors":
            while True:
                lm = _LIST_HEAD.match(text, end)
                if not lm:
                    break
                s = sector_at(lm.end())
                if not s:
                    break
                end, sector, _ = s
                name = f"{name}, {lm.group('h')} {sector}"
        head_takes_local = True
    else:
        head_takes_local = head.takes in ("local", "place")
    if head_takes_local and head.takes != "none":
        lv = _SP13.match(text, end, end + 3)
        level = None
        if lv and head.takes in ("local", "sector", "sectors"):
            lm = v.level_re.match(text, lv.end())
            if lm:
                level = lm.group(0).lower()
                end = lm.end()
                name = f"{name} {level}"
        if level or head.takes == "place":
            pm = _SP13.match(text, end, end + 3)
            if pm:
                pl = _PLACE.match(text, pm.end())
                if pl and not _looks_like_title_start(text[pl.start() : pl.start() + 40]):
                    end = pl.end()
                    name = f"{name} {_WS.sub(' ', pl.group(0))}"
    return end, _WS.sub(" ", name).strip(), known


def _looks_like_title_start(words: str) -> bool:
    return bool(_title_word_re().match(words))


@lru_cache(maxsize=1)
def _title_word_re() -> re.Pattern:
    v = _vocab()
    return re.compile(rf"(?i:{v.title_keep}|{v.title_strip}|khóa|khoá|nhiệm)(?!\p{{L}})")


def _read_tail(text: str, pos: int) -> tuple[int, Optional[str], Optional[str], bool]:
    """Date and issuer after a number: "ngày 25/4/2017 của Thủ tướng Chính phủ", ", ngày
    09/6/2017 của Bộ …", "của UBND tỉnh ngày 16/4/2014" (either order), "ngày 15 tháng 8 năm
    2024", "ngày 25 /11/ 2020" → (end, ISO date, issuer, issuer matched the vocabulary)."""
    date, end = _date_at(text, pos)
    issuer, known = None, True
    m = _OF.match(text, end)
    if m:
        found = _match_issuer(text, m.end())
        if found:
            end, issuer, known = found
            term = _TERM.match(text, end)
            if term:
                end = term.end()
            if date is None:
                date, end = _date_at(text, end)
    return end, date, issuer, known


def _find_numbered(text: str) -> list[_Mention]:
    """Type + number with symbol: "Quyết định số 565/QĐ-TTg", "Nghị định 56/2017/NĐ-CP",
    "Nghị quyết số 12-NQ/TU", "Chương trình hành động số 10-CTr/TU", "Hướng dẫn số
    71/HD-SLĐTBXH-SNV-STC", "Công văn số 555/LĐTBXH-BTXH", "Kế hoạch số 75/KH- UBND",
    "QUYẾT ĐỊNH SỐ 565/QĐ-TTG", "Chỉ\\nthị số 27/CT-TTg" (a line break inside the type)."""
    v = _vocab()
    out = []
    for m in _finditer("numbered", "types", text):
        raw_fn = _raw_full_number(m)
        out.append(_Mention("numbered", m.start(), m.end(), doc_type=v.type_of_surface(m.group("type")), extra={"fn": raw_fn}))
    return out


def _raw_full_number(m: re.Match) -> str:
    if m.group("pnum"):
        return f"{m.group('pnum')}-{m.group('psym')}"
    year = f"/{m.group('year')}" if m.group("year") else ""
    return f"{m.group('num')}{year}/{m.group('sym')}"


def _find_bare(text: str) -> list[_Mention]:
    """A number whose symbol opens with a type abbreviation, standing without a type word:
    "Số: 2239/QĐ-UBND" (the header), "Bộ Lao 20/2021/NĐ-CP" (a garbled source), "12-NQ/TU"."""
    v = _vocab()
    out = []
    for m in _patterns()["bare"].finditer(text):
        fn = normalise_full_number(_raw_full_number(m))
        _, _, sym = _parse_full_number(fn)
        first = _SEPARATOR.split(sym or "")[0].upper()
        if first not in v.abbr_upper:
            continue
        out.append(_Mention("bare", m.start(), m.end(), doc_type=_type_from_symbol(sym), extra={"fn": fn}))
    return out


def _find_missing(text: str) -> list[_Mention]:
    """Type + "số" with the number left out, followed by a date: "Quyết định số ngày 25 /11/
    2020", "Quyết định số      /QĐ-UBND ngày …", "Kế hoạch số …/KH-UBND, ngày …"."""
    v = _vocab()
    out = []
    for m in _finditer("missing", "types", text):
        sym = normalise_full_number(m.group("sym")) if m.group("sym") else None
        out.append(_Mention("missing", m.start(), m.end(), doc_type=v.type_of_surface(m.group("type")), symbol=sym))
    return out


def _find_short(text: str) -> list[_Mention]:
    """Type + bare number, no symbol: "Thông tư 98", "Đề án 32", "Quyết định số 1731",
    "NĐ 150". Not: a year ("Kế hoạch 2018"), a quantity ("Kế hoạch 5 năm"), "Dự án 1"
    (a project number, not a document), a lower-case common noun ("kế hoạch 5")."""
    v = _vocab()
    out = []
    for m in _finditer("short", "short", text):
        num = m.group("num")
        if len(num) == 4 and num[:2] in ("19", "20"):
            continue
        nxt = _NEXT_WORD.match(text, m.end(), m.end() + 20)
        if nxt and key(nxt.group(1)) in v.short_stop:
            continue
        t = m.group("type")
        doc_type = v.type_of_surface(t) or v.type_of_abbr(t)
        out.append(_Mention("short", m.start(), m.end(), doc_type=doc_type, number=str(int(num)) if num.isdigit() else num, extra={"written": num}))
    return out


def _find_anaphora(text: str) -> list[_Mention]:
    """Type + a word pointing back: "Quyết định nêu trên", "Thông tư nói trên", "Kế hoạch đã
    nêu", "Quyết định trên," ("trên" only before punctuation: "Kế hoạch trên địa bàn" is not)."""
    v = _vocab()
    return [
        _Mention("anaphora", m.start(), m.end(), doc_type=v.type_of_surface(m.group("type")))
        for m in _finditer("anaphora", "types", text)
    ]


def _find_laws(text: str) -> list[_Mention]:
    """Laws, codes and ordinances by name: "Luật Trẻ em", "Luật trẻ em", "Luật Người khuyết
    tật", "Luật phòng, chống ma túy", "Luật Tổ chức chính quyền địa phương ngày 19/6/2015",
    "Luật Sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền
    địa phương ngày 22/11/2019" (one name), "Bộ luật Lao động", "Luật Trẻ em năm 2016", "Luật
    … số 102/2016/QH13", "Hiến pháp năm 2013"; an unknown law by its capitalised first word
    and the lower-case words after it. Not: "Luật sư", "pháp luật", "luật" in lower case."""
    v = _vocab()
    out = []
    for m in _finditer("law", "law", text):
        doc_type = _nfc(_WS.sub(" ", m.group("type"))).capitalize()
        pos = m.end()
        ws = _WS13.match(text, pos, pos + 3)
        if doc_type == "Hiến pháp":
            end = pos
        else:
            if not ws:
                continue
            p = ws.end()
            first = _WORD.match(text, p, p + 30)
            if not first or key(first.group(0)) in v.not_law:
                continue
            end = _law_name_end(text, p)
            if end is None:
                continue
        title = _WS.sub(" ", text[m.start() : end]).strip()
        name = _WS.sub(" ", text[p:end]).strip() if doc_type != "Hiến pháp" else ""
        if key(name) in v.law_canonical:  # an abbreviated name: "Luật Bảo vệ BMNN"
            title = f"{_WS.sub(' ', text[m.start() : p]).strip()} {v.law_canonical[key(name)]}"
        mention = _Mention("law", m.start(), end, doc_type=doc_type, title=title)
        nm = _LAW_NUMBER.match(text, end)
        if nm:
            mention.full_number = normalise_full_number(_raw_full_number(nm))
            end = nm.end()
        date, end2 = _date_at(text, end)
        if date:
            mention.date, end = date, end2
        else:
            ym = _YEAR_TAIL.match(text, end)
            if ym:
                mention.year, end = int(ym.group("y")), ym.end()
        mention.end = end
        out.append(mention)
    return out


@lru_cache(maxsize=1)
def _law_tails() -> tuple[re.Pattern, re.Pattern]:
    """An unknown law's name (a capitalised word and up to five lower-case ones) and the
    lower-case words that may extend a known name ("Giáo dục" + "đại học"), both ending at
    a stop word ("và", "của", "ngày", …)."""
    stop = _vocab().law_stop
    fallback = re.compile(rf"\p{{Lu}}\p{{Ll}}{{0,9}}(?:[ ](?!{stop})\p{{Ll}}{{1,9}}){{0,5}}(?![\p{{L}}\d])")
    more = re.compile(rf"(?:[ ](?!{stop})\p{{Ll}}{{1,9}}){{1,2}}(?![\p{{L}}\d])")
    return fallback, more


def _law_name_end(text: str, p: int) -> Optional[int]:
    v = _vocab()
    am = v.law_amend_re.match(text, p)
    if am:
        end = am.end()
        seen = False
        while True:
            lm = _LAW_AND.match(text, end)
            if not lm:
                break
            inner = _law_name_end(text, lm.end())
            if inner is None:
                break
            end, seen = inner, True
        return end if seen else am.end()
    nm = v.law_re.match(text, p)
    if nm:
        more = _law_tails()[1].match(text, nm.end())  # "Luật Giáo dục" + " đại học"
        return more.end() if more else nm.end()
    fm = _law_tails()[0].match(text, p)
    return fm.end() if fm else None


def _find_congress(text: str) -> list[_Mention]:
    """Party congress resolutions cited by name: "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh
    Vĩnh Phúc lần thứ XVII", "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII"."""
    out = []
    for m in _finditer("congress", "congress", text):
        title = _WS.sub(" ", m.group(0)).strip()
        out.append(_Mention("congress", m.start(), m.end(), doc_type=_vocab().congress["type"], title=title))
    return out


# --------------------------------------------------------------------------- titles

_TITLE_STOPS = re.compile(r"[;\n()“”\"«»]|\.(?=\s|$)|,(?=\s{1,3}\p{Lu}\p{Ll})")
_CLOSE_QUOTE = {"“": "”", '"': '"', "«": "»"}


@lru_cache(maxsize=1)
def _title_start_re() -> re.Pattern:
    v = _vocab()
    return re.compile(
        rf"[ \t]{{0,3}},?\s{{0,3}}(?:(?i:{v.title_strip})\s{{1,3}}(?:(?i:việc)\s{{1,3}})?|(?=(?i:{v.title_keep})(?!\p{{L}}))|(?=[“\"«]))"
    )


def _read_title(text: str, pos: int, ref_starts: list[int], limit: int = 400) -> tuple[Optional[str], int]:
    """The cited document's title after its number, date and issuer: opened by a quote, by
    "về việc"/"V/v"/"về" (dropped) or by a verb such as "phê duyệt", "quy định", "ban hành"
    (kept); it runs to the end of the clause — ";", a sentence end, a line end (a soft-wrapped
    line continues), an unmatched ")", an alias "(gọi tắt là …)", a comma before a capital —
    or to the next reference, unless that reference continues the title ("sửa đổi … của
    Quyết định số 112/QĐ-TTg …", "triển khai thực hiện Quyết định số 32/2010/QĐ-TTg …")."""
    m = _title_start_re().match(text, pos)
    if not m:
        return None, pos
    start = m.end()
    hard_end = min(len(text), start + limit)
    i = start
    end = hard_end
    depth = 0
    lo = bisect.bisect_left(ref_starts, start)
    hi = bisect.bisect_left(ref_starts, hard_end)
    nexts = ref_starts[lo:hi]
    while i < hard_end:
        sm = _TITLE_STOPS.search(text, i, hard_end)
        stop = sm.start() if sm else hard_end
        # a reference before the stop: does it continue the title or start a new item?
        cut = None
        for s in nexts:
            if i <= s < stop:
                before = text[start:s].rstrip()
                if not before or before.endswith((",", ";")) or _LIST_TAIL.search(before):
                    cut = s
                    break
        if cut is not None:
            end = cut
            break
        if not sm:
            end = hard_end
            break
        ch = sm.group(0)
        if ch in _CLOSE_QUOTE:
            close = text.find(_CLOSE_QUOTE[ch], sm.end(), hard_end)
            if close < 0:
                end = sm.start()
                break
            i = close + 1
            continue
        if ch == "(":
            if _vocab().alias_open_re.match(text, sm.start()):
                end = sm.start()
                break
            depth += 1
            i = sm.end()
            continue
        if ch == ")":
            if depth:
                depth -= 1
                i = sm.end()
                continue
            end = sm.start()
            break
        if ch == "\n":
            prev = text[sm.start() - 1] if sm.start() > 0 else ""
            nxt = _NEXT_CHAR.match(text, sm.end(), sm.end() + 20)
            if prev and (prev.isalnum() or prev in ",-") and nxt and (nxt.group(1).islower() or nxt.group(1).isdigit()):
                i = sm.end()
                continue
        end = sm.start()
        break
    title = _WS.sub(" ", text[start:end]).strip(" \t\n,.;:–-")
    return (title or None), end


# --------------------------------------------------------------------------- context helpers

_LOOKBACK = 2000


def _line_start(text: str, pos: int) -> int:
    """Start of the line holding ``pos`` (at most ``_LOOKBACK`` characters back)."""
    lo = max(0, pos - _LOOKBACK)
    i = text.rfind("\n", lo, pos)
    return i + 1 if i >= 0 else lo


def _line_end(text: str, pos: int) -> int:
    i = text.find("\n", pos, pos + _LOOKBACK)
    return i if i >= 0 else min(len(text), pos + _LOOKBACK)


# = \.[ \t]+(?=\p{Lu})|\.\n|\n[ \t]*\n, opening with one character class (a faster search)
_SENTENCE_BREAK = re.compile(r"[.\n](?:(?<=\.)(?:[ \t]+(?=\p{Lu})|\n)|(?<=\n)[ \t]*\n)")


class _Sentences:
    """Sentence starts of a text (after ". " + capital, ".\n", a blank line), found once."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(text)]

    def start(self, pos: int) -> int:
        s = self.starts[bisect.bisect_right(self.starts, pos) - 1]
        return max(s, pos - _LOOKBACK)


def _starts_with_any(s: str, words: list[str]) -> bool:
    k = key(s.lstrip(" \t|*#-+•>_"))[:60]
    return any(k.startswith(w) and (len(k) == len(w) or not k[len(w)].isalpha()) for w in words)


_BODY_KINDS = ("part", "chapter", "article", "sec", "item", "division", "group", "appendix")


def _front_ranges(ctx: Context) -> list[tuple[int, int]]:
    """The front matter — title, "Căn cứ …", "Thực hiện …" — of the document and of each
    attached document: from its start to its first part/chapter/article/sec/item heading."""
    flat = ctx.index.flat
    starts = [0] + [s.span.start for s in flat if s.kind == "attachment"]
    ranges = []
    for k, a in enumerate(starts):
        limit = starts[k + 1] if k + 1 < len(starts) else ctx.body_end
        end = next((s.span.start for s in flat if s.kind in _BODY_KINDS and a <= s.span.start < limit), None)
        if end is None and not flat[1:]:
            m = re.search(r"(?m)^[ \t*#|]*(?:[IVX]{1,4}\.|\d{1,2}\.[ \t]|Phần thứ|PHẦN|Chương|Điều[ \t]+\d)", ctx.text[a:limit])
            end = a + m.start() if m else min(limit, a + 3000)
        ranges.append((a, end if end is not None else limit))
    return ranges


def _under_basis_heading(ctx: Context, pos: int) -> bool:
    v = _vocab()
    sid = ctx.index.section_id_at(pos)
    if not sid:
        return False
    for s in ctx.index.ancestors(sid):
        t = key(s.title or "")
        if t and any(w in t for w in v.basis_headings):
            return True
    return False


# --------------------------------------------------------------------------- assemble

def section_of(ctx: Context, pos: int) -> Optional[str]:
    """Section of an offset (inside a footnote body: the section of the footnote's marker)."""
    return ctx.section_id_at(pos)


def _fill_from_full_number(m: _Mention) -> None:
    fn = normalise_full_number(m.extra["fn"])
    m.full_number = fn
    m.number, m.year, m.symbol = _parse_full_number(fn)
    if not m.doc_type:
        m.doc_type = _type_from_symbol(m.symbol)


def _repair_issuer(m: _Mention) -> None:
    """A truncated issuer ("Bộ Lao" in a garbled source) completed from the symbol's issuer
    ("BLĐTBXH" → "Bộ Lao động - Thương binh và Xã hội") when the written words are its prefix."""
    if not m.issuer or m.issuer_from_vocab:
        return
    v = _vocab()
    for tok in _symbol_issuer_tokens(m.symbol):
        full = v.issuer_name.get(tok)
        if full and key(full).startswith(key(m.issuer)) and len(full) > len(m.issuer):
            m.issuer = full
            return


def _select(cands: list[_Mention]) -> list[_Mention]:
    """Non-overlapping mentions, earlier first, longer first at the same start."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[_Mention] = []
    last_end = -1
    for c in cands:
        if c.start >= last_end:
            out.append(c)
            last_end = c.end
    return out


def _share_issuers(text: str, ms: list[_Mention]) -> None:
    """"Quyết định số 1159/QĐ-UBND ngày 04/7/2013, Quyết định số 1101/QĐ-UBND ngày
    13/5/2016, …, Quyết định số 1867/QĐ-UBND ngày 04/9/2019 của UBND tỉnh": the issuer at the
    end of a comma-separated run belongs to every item of the run."""
    for i in range(len(ms) - 1, 0, -1):
        cur = ms[i]
        if not cur.issuer:
            continue
        j = i - 1
        while j >= 0:
            prev, nxt = ms[j], ms[j + 1]
            gap = text[prev.end : nxt.start]
            if prev.issuer or prev.kind not in ("numbered", "missing") or not _RUN_GAP.fullmatch(gap):
                break
            if prev.doc_type != cur.doc_type:
                break
            prev.issuer, prev.issuer_from_vocab = cur.issuer, cur.issuer_from_vocab
            j -= 1


def _issuer_before(text: str, m: _Mention) -> None:
    """"Theo đề nghị của Sở Lao động - Thương binh và Xã hội tại Tờ trình số 119/TTr-SLĐTBXH":
    the issuer named just before the mention."""
    lo = max(0, m.start - 200)
    window = text[lo : m.start]
    for om in reversed(list(_CUA.finditer(window))):
        found = _match_issuer(text, lo + om.end())
        names = []
        while found:
            names.append(found[1])
            end = found[0]
            jm = _AND.match(text, end)
            nxt = _match_issuer(text, jm.end()) if jm else None
            if not nxt:
                break
            found = nxt
        if found and _TAI.fullmatch(text, found[0], m.start):
            m.issuer, m.issuer_from_vocab = " và ".join(names), found[2]
        return


def _role(ctx: Context, m: _Mention, front: list[tuple[int, int]], sentences: _Sentences) -> str:
    v = _vocab()
    text = ctx.text
    md = ctx.metadata
    fn = m.full_number
    if fn and md.number and _same_number(fn, md.number):
        return "self"
    if fn and md.parent_document and _same_number(fn, md.parent_document):
        return "parent"
    line_prefix = text[_line_start(text, m.start) : m.start]
    in_front = any(a <= m.start < b for a, b in front) and m.start < ctx.body_end
    if fn and not md.number and in_front and v.self_re.search(line_prefix):
        return "self"
    ls = _line_start(text, m.start)
    if fn and not md.number and ls < _LOOKBACK and not text[:ls].strip() and not text[m.end : _line_end(text, m.end)].strip(" \t*#|"):
        return "self"  # the document's title line is just its type and number

    if fn and not md.parent_document and v.parent_re.search(text[max(0, m.start - 40) : m.start]):
        return "parent"
    line = text[_line_start(text, m.start) : m.start + 1]
    sentence = text[sentences.start(m.start) : m.start + 1]
    if (in_front and (_starts_with_any(line, v.basis_words) or _starts_with_any(sentence, v.basis_words))) or _under_basis_heading(ctx, m.start):
        return "basis"
    if v.basis_right_before.search(text[max(0, m.start - 12) : m.start]):
        return "basis"
    if in_front:
        if v.implements_right_before.search(text[max(0, m.start - 30) : m.start]):
            return "implements"
        if _starts_with_any(line, v.implements_words) or _starts_with_any(sentence, v.implements_words):
            return "implements"
    return "cited"


def _doc_key(m: _Mention) -> Optional[str]:
    if m.full_number:
        return "n:" + normalise_full_number(m.full_number).casefold()
    if m.title and m.kind in ("law", "congress"):
        return "t:" + key(m.title)
    return None


class _DocIndex:
    """Full mentions grouped by a look-up key; each group keeps the first mention index of
    every distinct document in it, so "exactly one document between a and b" is a bisection."""

    def __init__(self) -> None:
        self.idxs: dict[tuple, list[int]] = {}
        self._seen: dict[tuple, set[str]] = {}

    def add(self, k: tuple, idx: int, doc: str) -> None:
        seen = self._seen.setdefault(k, set())
        if doc not in seen:
            seen.add(doc)
            self.idxs.setdefault(k, []).append(idx)

    def count(self, k: tuple, before: Optional[int] = None, after: int = -1) -> int:
        idxs = self.idxs.get(k, [])
        lo = bisect.bisect_right(idxs, after)
        hi = len(idxs) if before is None else bisect.bisect_left(idxs, before)
        return max(0, hi - lo)

    def unique(self, k: tuple, before: Optional[int] = None, after: int = -1) -> Optional[int]:
        """The first mention of the only document of group ``k`` first mentioned strictly
        between ``after`` and ``before`` — None when there are none or several."""
        if self.count(k, before, after) != 1:
            return None
        idxs = self.idxs[k]
        return idxs[bisect.bisect_right(idxs, after)]


def _resolve(text: str, ms: list[_Mention]) -> None:
    """Link short forms to their antecedent; never guess.

    - alias: "… (gọi tắt là Đề án 32)" defines "Đề án 32" as the reference just before it;
    - short form "Thông tư 98": the alias, else the one earlier document of that type and
      number;
    - missing number "Quyết định số ngày 25 /11/ 2020": the one document of that type (and
      symbol) with that date, earlier first, else anywhere in the document;
    - anaphora "Quyết định nêu trên": the one earlier document of that type in the
      paragraph, else in the whole text before it;
    - a number written without its year ("39/NQ-HĐND ngày 15/7/2019") → the earlier one
      with it ("39/2019/NQ-HĐND ngày 15/7/2019") when type, number, symbol and date agree.
    Anything else stays ``unresolved``."""
    v = _vocab()
    full_kinds = ("numbered", "bare", "law", "congress")
    # pass 1: full mentions — year-less variants, then the indexes
    with_year: dict[tuple[str, str], list[int]] = {}
    by_number, by_date, by_type = _DocIndex(), _DocIndex(), _DocIndex()
    last_full: list[int] = []  # index of the latest full mention with a key, per position
    latest = -1
    for i, m in enumerate(ms):
        if m.kind in full_kinds:
            if m.kind in ("numbered", "bare") and m.symbol:
                nk = (m.number or "", m.symbol.casefold())
                if _parse_full_number(m.full_number or "")[1] is None:
                    for j in with_year.get(nk, []):
                        p = ms[j]
                        if m.date is None or p.date is None or p.date == m.date:
                            m.antecedent = j
                            break
                else:
                    with_year.setdefault(nk, []).append(i)
            root = _root(ms, i)
            doc = _doc_key(ms[root])
            if doc:
                if m.full_number:
                    by_number.add((m.doc_type, m.number), i, doc)
                    by_date.add((m.doc_type, m.date), i, doc)
                    if m.symbol:
                        by_date.add((m.doc_type, m.date, m.symbol.casefold()), i, doc)
                by_type.add((m.doc_type,), i, doc)
                latest = i
        last_full.append(latest)
    # pass 2: short forms, missing numbers, anaphora
    aliases: dict[tuple[str, str], int] = {}
    for i, m in enumerate(ms):
        if m.kind in full_kinds:
            continue
        alias_of = None
        if v.alias_re.search(text[max(0, m.start - 40) : m.start]) and i > 0 and last_full[i - 1] >= 0:
            alias_of = last_full[i - 1]
        if m.kind == "short":
            k = (key(m.doc_type or ""), m.number or "")
            if alias_of is not None:
                aliases[k] = alias_of
                m.antecedent = alias_of
            elif k in aliases:
                m.antecedent = aliases[k]
            else:
                m.antecedent = by_number.unique((m.doc_type, m.number), before=i)
        elif m.kind == "missing" and m.date:
            k = (m.doc_type, m.date, m.symbol.casefold()) if m.symbol else (m.doc_type, m.date)
            before = i if by_date.count(k, before=i) else None
            m.antecedent = by_date.unique(k, before=before)
        elif m.kind == "anaphora":
            para = text.rfind("\n", max(0, m.start - 3000), m.start)
            para_first = next((j for j in range(i - 1, max(-1, i - 200), -1) if ms[j].start < para), None)
            after = para_first if para_first is not None else -1
            near = by_type.unique((m.doc_type,), before=i, after=after)
            m.antecedent = near if near is not None else by_type.unique((m.doc_type,), before=i)
        if m.antecedent is not None:
            m.antecedent = _root(ms, m.antecedent)
        else:
            m.unresolved = True


def _root(ms: list[_Mention], j: int) -> int:
    seen = 0
    while ms[j].antecedent is not None and seen < 50:
        j = ms[j].antecedent
        seen += 1
    return j


def extract_references(ctx: Context) -> list[LegalReference]:
    """Every legal-reference mention in ``ctx.text`` (footnote bodies included), in order,
    with ids "ref-1", "ref-2", …; see the module docstring and the ``_find_*`` functions for
    the surface forms."""
    text = ctx.text
    cands: list[_Mention] = []
    for finder in (_find_numbered, _find_missing, _find_laws, _find_congress, _find_bare, _find_short, _find_anaphora):
        cands.extend(finder(text))
    ms = _select(cands)
    for m in ms:
        if m.kind in ("numbered", "bare"):
            _fill_from_full_number(m)
        if m.kind in ("numbered", "missing", "bare"):
            end, date, issuer, known = _read_tail(text, m.end)
            m.end, m.date, m.issuer, m.issuer_from_vocab = end, date, issuer, known
            if m.year is None and m.date:
                m.year = int(m.date[:4])
        elif m.kind == "law" and m.year is None and m.date:
            m.year = int(m.date[:4])
    ms = _select(ms)  # tails may now reach a following candidate
    for m in ms:
        if m.kind in ("numbered", "missing") and not m.issuer:
            _issuer_before(text, m)
    _share_issuers(text, ms)
    for m in ms:
        _repair_issuer(m)
    starts = [m.start for m in ms]
    for m in ms:
        if m.kind in ("numbered", "missing", "bare"):
            m.title, _ = _read_title(text, m.end, starts)
    _resolve(text, ms)
    front = _front_ranges(ctx)
    sentences = _Sentences(text)
    out: list[LegalReference] = []
    for n, m in enumerate(ms, 1):
        m.id = f"ref-{n}"
    for m in ms:
        m.role = _role(ctx, m, front, sentences)
        out.append(
            LegalReference(
                id=m.id,
                section_id=section_of(ctx, m.start),
                raw=text[m.start : m.end],
                doc_type=m.doc_type,
                number=m.number,
                year=m.year,
                symbol=m.symbol,
                full_number=m.full_number,
                issuer=m.issuer,
                date=m.date,
                title=m.title,
                role=m.role,
                antecedent_id=ms[m.antecedent].id if m.antecedent is not None else None,
                unresolved=m.unresolved,
                span=Span(start=m.start, end=m.end),
            )
        )
    return out


# --------------------------------------------------------------------------- graph

_ROLE_RANK = {"self": 0, "parent": 1, "implements": 2, "basis": 3, "cited": 4}


def citation_graph(refs: list[LegalReference]) -> dict:
    """The documents a plan refers to, grouped by role.

    Returns ``{"self": key | None, "parent": key | None, "implements": [key…], "basis":
    [key…], "cited": [key…], "documents": {key: {"full_number", "title", "doc_type", "date",
    "issuer", "roles", "mentions"}}, "unresolved": [ref id…]}``. A document's key is its
    full_number, or its title for a law cited by name; short forms count for their
    antecedent's document; a document is listed under each of implements/basis it has and
    under cited only when it has no other role. Lists keep first-mention order."""
    by_id = {r.id: r for r in refs}

    def root(r: LegalReference) -> LegalReference:
        seen = 0
        while r.antecedent_id and r.antecedent_id in by_id and seen < 50:
            r = by_id[r.antecedent_id]
            seen += 1
        return r

    docs: dict[str, dict] = {}
    unresolved: list[str] = []
    for r in refs:
        base = root(r)
        k = base.full_number or (base.title if base.doc_type in ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp") or base.full_number is None and base.title and not base.number else None)
        if r.unresolved or not k:
            if r.unresolved:
                unresolved.append(r.id)
            continue
        d = docs.setdefault(
            k,
            {"full_number": base.full_number, "title": base.title, "doc_type": base.doc_type, "date": base.date, "issuer": base.issuer, "roles": [], "mentions": []},
        )
        for f in ("title", "date", "issuer"):
            if d[f] is None and getattr(r, f) is not None and r.full_number == base.full_number:
                d[f] = getattr(r, f)
        if r.role not in d["roles"]:
            d["roles"].append(r.role)
        d["mentions"].append(r.id)
    graph = {"self": None, "parent": None, "implements": [], "basis": [], "cited": [], "documents": docs, "unresolved": unresolved}
    for k, d in docs.items():
        roles = d["roles"]
        if "self" in roles and graph["self"] is None:
            graph["self"] = k
        if "parent" in roles and graph["parent"] is None:
            graph["parent"] = k
        for role in ("implements", "basis"):
            if role in roles:
                graph[role].append(k)
        if roles == ["cited"]:
            graph["cited"].append(k)
    return graph
