"""Targets: every quantified commitment of a plan, with its deadline.

Public surface:

- ``extract_targets(ctx)`` → ``list[Target]`` (ids ``tgt-1``, ``tgt-2`` … in document order).
- ``parse_deadline(raw)`` → ``Deadline | None`` for a time expression given on its own ("Quý IV,
  năm 2020", "Thường xuyên", "định kỳ 6 tháng (trước ngày 10/6)"); the agencies extractor
  uses it for timeframes.

How a target is found (one pass over the body text; the footnote area is not read):

1. ``number_expr`` finds a number expression: a Vietnamese number, an optional range ("90% đến
   100%", "từ 01 đến 03"), then a unit — "%" (also "80 %"), a unit word of ``data/units.json``
   ("cơ sở", "lượt", "mô hình", "người/năm" …) or a written rate ("2,1 con/phụ nữ", "109 bé
   trai/100 bé gái"). ``word_number_expr`` reads "ít nhất một hình thức". A number with no unit
   is never a target: that alone rules out phone numbers ("0260.3.862.991", "1800 1567", "111"),
   document numbers ("565/QĐ-TTg"), dates, years, labels ("Dự án 1"), money ("49.000 đồng",
   "447.000đ/tháng"), "50Kwh/tháng", "05 năm", "cả 03 khía cạnh".
2. ``_extract_number_target`` reads the words around it: comparator words before ("ít nhất",
   "trên", "từ … trở lên" …) and after ("trở lên"), the direction verb of the clause ("giảm",
   "tăng … lên", "duy trì"), the baseline ("so với đầu kỳ", "từ 32 mức … xuống còn"), the
   subject (the measured population) and the deadline (what the sentence states for it, else
   the enclosing heading, else the plan period). Clauses end at ";" and sentence ends; a
   newline ends them only where a paragraph ends (hard-wrapped OCR/Markdown copies).
3. Numbers inside situation-analysis parts ("THỰC TRẠNG", "Kết quả thực hiện", "Đánh giá kết
   quả", "Khó khăn", "Nguyên nhân", "SỰ CẦN THIẾT" …) are past statistics: dropped, or returned
   as ``kind="statistic"`` with ``include_statistics=True`` — never mixed with targets. A clause
   there that says "phấn đấu" is still a target.
4. Indicator tables ("| TT | Chỉ tiêu | Đơn vị | Kết quả |", year columns, group rows "Đến năm
   2030") give one target per value cell (``_extract_indicator_rows``).

Every vocabulary (units, comparator words, direction verbs, blocked words, situation headings,
deadline words, table headers) is data in ``data/units.json`` and ``data/targets_vocab.json``.
All patterns use bounded quantifiers only.
"""

from __future__ import annotations

import bisect
import re as _sre
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

import regex as re

from .. import prefilter, vocab
from ..models import Deadline, Section, Span, Target
from ..textkey import fold
from .context import Context
from .numbers import as_int_if_whole, make_date, parse_vn_number

# --------------------------------------------------------------------------------------
# Fixed patterns (vocabulary-built ones are compiled once, lazily, in ``_vocab``)
# --------------------------------------------------------------------------------------

#: A Vietnamese number, bounded: "1.500", "29.040.732", "12,5", "01", "100".
NUM = r"\d{1,3}(?:\.\d{3}){1,4}(?:,\d{1,3})?|\d{1,7}(?:,\d{1,3})?"
#: What may not touch a number on its left (glued letters/digits, "2.2.1", "108/159", "1,5").
_NUM_LEFT = r"(?<![\p{L}\p{M}\d.,/])"
#: What may not follow a number (more digits, "0260.3", "25/4", "50Kwh", "447.000đ").
_NUM_RIGHT = r"(?!\d|[.,/]\d|[\p{L}\p{M}])"
_WORD_END = r"(?![\p{L}\p{M}\d])"
_WORD_START = r"(?<![\p{L}\p{M}])"
_LWORD = r"[\p{Ll}\p{M}]{1,12}"
_ANYWORD = r"[\p{L}\p{M}]{1,12}"
_YEAR = r"(?:19|20)\d{2}"
_WINDOW = 300  # characters read around a number (keeps every step linear on huge clauses)
_ROMAN_QUARTER = {"I": 1, "II": 2, "III": 3, "IV": 4}

#: A written rate right after a number: "con/phụ nữ", "bé trai/100 bé gái", "người/vạn dân".
_RATE = re.compile(
    rf"[ \t]{{1,3}}(?P<x>{_LWORD}(?:[ \t]{_LWORD}){{0,2}})/(?P<k>\d{{1,6}}[ \t]{{1,2}})?"
    rf"(?P<y1>{_LWORD})(?:[ \t](?P<y2>{_LWORD}))?{_WORD_END}"
)
_TRO_LEN = re.compile(r"(?i:trở[ \t]{1,3}lên)")  # "từ 80% xã, phường, thị trấn trở lên"
#: What may follow a time expression that closes the phrase of the numbers before it.
_CLOSES_PHRASE = re.compile(r"[ \t]{0,3}(?:[;,.)\n]|$|(?i:và|hoặc)(?![\p{L}\p{M}]))")
#: Where a number expression may end: a digit, then "%" or a letter (unit, rate).
_CANDIDATE = re.compile(r"\d(?=[ \t]{0,3}[\p{L}%])")
_NUM_START = re.compile(r"(?<![\p{L}\p{M}\d.,/])\d")
_PCT_PER = re.compile(r"/((?i:năm|tháng|quý))(?![\p{L}\p{M}\d])")
_SENTENCE_BOUNDARY = re.compile(r"\n|[.!?](?=[ \t]|$)", re.MULTILINE)
_CLAUSE_BOUNDARY = re.compile(r"\n|;|[.!?](?=\s|$)")
_LIST_LABEL = re.compile(
    r"(?:\\?[-+•*]|[a-zđ][.)]|\(?\d{1,2}(?:\.\d{1,2}){0,3}[.)]|\([a-zđ\d]{1,2}\))[ \t]{1,4}(?=\S)"
)
_TABLE_LINE = re.compile(r"^[ \t]{0,8}\|.{0,4000}$", re.MULTILINE)
_TABLE_SEPARATOR = re.compile(r"[ \t|:\-]{1,4000}")
_CELL_MARKUP = re.compile(r"\*{1,3}|_{2}")
#: A value cell of an indicator table: "≥ 55", ">= 30", "100%", "40 - 50", "> 0,7", "≥ 03".
_CELL_VALUE = re.compile(
    rf"(?P<cmp>≥|≤|>=|<=|>|<|=)?[ \t]{{0,3}}{_NUM_LEFT}(?P<n1>{NUM}){_NUM_RIGHT}[ \t]{{0,2}}(?P<p1>%)?"
    rf"(?:[ \t]{{0,3}}(?:-|đến)[ \t]{{0,3}}(?P<n2>{NUM}){_NUM_RIGHT}[ \t]{{0,2}}(?P<p2>%)?)?"
)
_CELL_CMP = {"≥": ">=", ">=": ">=", ">": ">", "≤": "<=", "<=": "<=", "<": "<", "=": "="}


def _words_alt(phrases) -> str:
    """A regex alternation of phrases, longest first, a space matching a short run of blanks."""
    items = sorted({p for p in phrases if p}, key=len, reverse=True)
    return "|".join(r"[ \t]{1,3}".join(re.escape(w) for w in p.split()) for p in items)


def _first_words(phrases) -> set[str]:
    """The first word of each phrase as ``_words_alt`` writes it, for ``prefilter``."""
    return {prefilter.fold_literal(p.split()[0]) for p in phrases if p}


def _max_len(phrases) -> int:
    """The longest text ``_words_alt(phrases)`` can match (a space stands for up to 3 blanks)."""
    return max((sum(map(len, p.split())) + 3 * (len(p.split()) - 1) for p in phrases if p), default=0)


def _norm_space(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class _Vocab:
    number_expr: re.Pattern
    word_number_expr: re.Pattern
    number_words: dict
    percent_of: re.Pattern
    per_words: re.Pattern
    subject_mode: dict
    rate_blocked: frozenset
    rate_function_words: frozenset
    symbols: frozenset
    comparator_of: dict
    prefix_token: re.Pattern
    suffix_cmp: re.Pattern
    suffix_cmp_of: dict
    change_to: re.Pattern
    direction: re.Pattern
    direction_of: dict
    blocked_before: re.Pattern
    commitment: re.Pattern
    situation_starts: tuple
    subject_stop: re.Pattern
    subject_strip_lead: re.Pattern
    subject_strip_tail: re.Pattern
    subject_before: re.Pattern
    subject_before_tail: re.Pattern
    subject_max_words: int
    baseline: re.Pattern
    dl_by: re.Pattern
    dl_from: re.Pattern
    dl_lead: re.Pattern
    dl_quarter: re.Pattern
    dl_date: re.Pattern
    dl_period: re.Pattern
    dl_year_any: re.Pattern
    dl_month: re.Pattern
    dl_recurring: re.Pattern
    table_indicator: tuple
    table_unit: tuple
    table_value: tuple
    # speed (see ``prefilter``): where the word patterns may start, and how long a comparator
    # prefix can be; subject_stop_other is subject_stop without its word alternative
    starts: dict  # group → prefilter.WordStarts
    prefix_max: int
    subject_stop_other: re.Pattern
    strip_tail_max: int


def _prefix_phrases(tv: dict) -> list[str]:
    cmp = tv["comparator_prefixes"]
    out = [p for sym in (">=", ">", "<=", "<", "approx") for p in cmp[sym]]
    return out + list(tv["range_start"]) + list(tv["prefix_fillers"])


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    units = vocab.load("units.json")
    tv = vocab.load("targets_vocab.json")

    subject_mode = {fold(f): e.get("subject", "unit") for e in units["units"] for f in e["forms"]}
    unit_alt = _words_alt(f for e in units["units"] for f in e["forms"])
    per_alt = _words_alt(units["per"])
    pct = "|".join(re.escape(p) for p in units["percent"])
    glued_alt = "(?:" + _words_alt(units["glued"]["forms"]) + ")"
    range_alt = _words_alt(tv["range_words"])  # "90% đến 100%", "40 - 50", Markdown "40 \- 50"

    # Groups: n1, p1 (percent after n1), n2 (range end), then p2 (percent after a range
    # "90% đến 100%") or p3 / unit (+ per) / the look-ahead of a written rate ("con/phụ nữ").
    number_expr = re.compile(
        rf"""
        {_NUM_LEFT}(?P<n1>{NUM})(?:{_NUM_RIGHT}|(?={glued_alt}{_WORD_END}))
        (?:[ \t]{{0,2}}(?P<p1>{pct}))?
        (?:[ \t]{{0,3}}(?P<rw>\\?(?:{range_alt}))[ \t]{{0,3}}(?P<n2>{NUM})(?:{_NUM_RIGHT}|(?={glued_alt}{_WORD_END})))?
        (?(p1)(?:[ \t]{{0,2}}(?P<p2>{pct}))?
        |(?=[ \t]{{0,3}}[\p{{L}}%])(?:
            [ \t]{{0,2}}(?P<p3>{pct})
          | (?:[ \t]{{1,3}}|(?={glued_alt}))(?P<unit>(?i:{unit_alt})){_WORD_END}
            (?:/(?P<per>(?i:{per_alt})){_WORD_END})?
          | (?=[ \t]{{1,3}}{_LWORD}(?:[ \t]{_LWORD}){{0,2}}/(?:\d{{1,6}}[ \t]{{1,2}})?\p{{Ll}})
        ))
        """,
        re.VERBOSE,
    )
    percent_of = re.compile(rf"[ \t\n]{{1,3}}(?P<of>(?i:{_words_alt(units['percent_of']['forms'])})){_WORD_END}")
    pw = units["per_words"]
    per_words = re.compile(
        rf"[ \t]{{1,3}}(?i:{_words_alt(pw['joiners'])})[ \t]{{1,3}}(?:(?i:{_words_alt(pw['counts'])})|{NUM}){_NUM_RIGHT}"
        rf"(?:[ \t]{{1,3}}(?i:{_words_alt(pw['magnitudes'])}))?[ \t]{{1,3}}(?i:{_words_alt(pw['bases'])}){_WORD_END}"
    )
    nw = tv["number_words"]
    word_number_expr = re.compile(
        rf"{_WORD_START}(?P<cmp>(?i:{_words_alt(nw['after_comparators'])}))[ \t]{{1,3}}"
        rf"(?P<w>(?i:{_words_alt(nw['words'])})){_WORD_END}[ \t]{{1,3}}"
        rf"(?:(?i:{_words_alt(nw['partitive'])})[ \t]{{1,3}})?"
        rf"(?P<unit>(?i:{unit_alt})){_WORD_END}"
    )

    cmp = tv["comparator_prefixes"]
    comparator_of: dict[str, str] = {}
    for sym in (">=", ">", "<=", "<"):
        for p in cmp[sym]:
            comparator_of[fold(p)] = sym
    for p in cmp["approx"]:
        comparator_of[fold(p)] = "approx"
    for p in tv["range_start"]:
        comparator_of[fold(p)] = "from"
    for p in tv["prefix_fillers"]:
        comparator_of.setdefault(fold(p), "filler")
    prefix_token = re.compile(rf"(?i:{_words_alt(_prefix_phrases(tv))})[ \t]{{0,3}}$")

    suffix_cmp_of = {fold(p): sym for sym, ps in tv["suffix_comparators"].items() for p in ps}
    suffix_cmp = re.compile(
        rf"[ \t]{{0,3}}(?P<s>(?i:{_words_alt(p for ps in tv['suffix_comparators'].values() for p in ps)})){_WORD_END}"
    )
    change_to = re.compile(
        rf"(?:[ \t]{{1,3}}{_ANYWORD}){{0,3}}[ \t]{{0,3}}(?i:{_words_alt(tv['change_to'])})[ \t]{{1,3}}"
        rf"(?:(?i:mức|khoảng)[ \t]{{1,3}}){{0,2}}\d"
    )

    dv = tv["direction_verbs"]
    direction_of: dict[str, Optional[str]] = {}
    for d in ("increase", "decrease", "maintain"):
        for p in dv[d]:
            direction_of[fold(p)] = d
    for p in dv["neutral"]:
        direction_of[fold(p)] = None
    direction = re.compile(
        rf"{_WORD_START}(?i:{_words_alt(p for d in ('increase', 'decrease', 'maintain', 'neutral') for p in dv[d])}){_WORD_END}"
    )

    def words_re(phrases) -> re.Pattern:
        return re.compile(rf"{_WORD_START}(?i:{_words_alt(phrases)}){_WORD_END}")

    sv = tv["subject"]
    stops = list(sv["stops"]) + [p for d in ("increase", "decrease", "maintain") for p in dv[d]]
    stop_other = r"[;:()\[\]|\n]|[.!?](?=\s|$)|(?<![\p{L}\p{M}\d])\d"
    subject_stop = re.compile(rf"{_WORD_START}(?i:{_words_alt(stops)}){_WORD_END}|{stop_other}")
    subject_strip_lead = re.compile(rf"^(?:(?i:{_words_alt(sv['strip_lead'])})[ \t]{{1,3}}){{1,3}}")
    tail_words = list(sv["strip_tail"]) + _prefix_phrases(tv)
    subject_strip_tail = re.compile(
        rf"(?:[ \t,]{{1,4}}(?i:{_words_alt(tail_words)})){{1,4}}[ \t,]{{0,4}}$|[ \t,.\-]{{1,8}}$"
    )
    subject_before = re.compile(rf"{_WORD_START}(?i:{_words_alt(sv['before_markers'])})[ \t]{{1,3}}")
    subject_before_tail = re.compile(rf"(?:[ \t]{{1,3}}(?i:{_words_alt(sv['before_tail'])})){{1,4}}[ \t]{{0,3}}$")

    baseline = re.compile(rf"{_WORD_START}(?i:{_words_alt(tv['baseline'])})[ \t]{{1,3}}[^,;.()\n|]{{1,60}}")

    dl = tv["deadline"]
    not_by = _words_alt(dl["not_by"])
    dl_by = re.compile(
        rf"{_WORD_START}(?i:{_words_alt(dl['by'])})[ \t]{{1,3}}(?i:năm)[ \t]{{1,3}}(?P<y>{_YEAR})\b"
        rf"(?![ \t]{{0,3}}(?:[-–][ \t]{{0,3}}\d|(?i:{not_by})))"
    )
    fy = dl["from_year"]
    dl_from = re.compile(
        rf"{_WORD_START}(?:(?i:{_words_alt(fy['lead'])})[ \t]{{1,3}})?(?i:năm)[ \t]{{1,3}}(?P<y>{_YEAR})"
        rf"[ \t]{{1,3}}(?i:{_words_alt(fy['tail'])}){_WORD_END}"
    )
    dl_lead = re.compile(
        rf"(?:(?i:{_words_alt(dl['lead'])})[ \t]{{1,3}})?(?i:năm|{_words_alt(dl['period_words'])})[ \t]{{1,3}}"
        rf"(?P<y1>{_YEAR})(?:[ \t]{{0,3}}[-–][ \t]{{0,3}}(?P<y2>{_YEAR}))?[ \t]{{0,3}}[,:]"
    )
    dl_quarter = re.compile(
        rf"(?i:quý)[ \t]{{1,3}}(?P<q>IV|III|II|I|[1-4])(?![\p{{L}}\d])[ \t,/]{{0,4}}(?:(?i:năm)[ \t]{{1,3}})?(?P<y>{_YEAR})\b"
    )
    dl_date = re.compile(
        rf"{_WORD_START}(?i:{_words_alt(dl['before_date'])})[ \t]{{0,3}}(?:(?i:ngày)[ \t]{{0,3}})?"
        rf"(?P<d>\d{{1,2}})[ \t]{{0,2}}[/\-.][ \t]{{0,2}}(?P<m>\d{{1,2}})"
        rf"(?:[ \t]{{0,2}}[/\-.][ \t]{{0,2}}(?P<y>{_YEAR}))?(?!\d)"
    )
    dl_period = re.compile(
        rf"(?<!(?i:kỳ)[ \t]{{1,3}})(?P<y1>{_YEAR})[ \t]{{0,3}}[-–][ \t]{{0,3}}(?P<y2>{_YEAR})\b"
    )
    dl_year_any = re.compile(rf"{_WORD_START}(?i:năm)[ \t]{{1,3}}(?P<y>{_YEAR})\b")
    dl_month = re.compile(
        rf"(?i:tháng)[ \t]{{1,3}}(?P<m>\d{{1,2}})[ \t]{{0,2}}(?:/|[ \t]{{1,3}}(?i:năm)[ \t]{{1,3}})[ \t]{{0,2}}(?P<y>{_YEAR})\b"
    )

    it = tv["indicator_table"]
    groups = {
        "word_number": _first_words(nw["after_comparators"]),
        "blocked": _first_words(tv["blocked_before"]["words"]),
        "commitment": _first_words(tv["commitment_markers"]),
        "baseline": _first_words(tv["baseline"]),
        "direction": _first_words(p for d in ("increase", "decrease", "maintain", "neutral") for p in dv[d]),
        "stop": _first_words(stops),
        "before": _first_words(sv["before_markers"]),
        "dl_date": _first_words(dl["before_date"]),
        "dl_by": _first_words(dl["by"]),
        "dl_from": _first_words(fy["lead"]) | {"năm"},
        # dl_quarter has no look-behind, but "quý" cannot overlap itself: the scan reports
        # every place it is written, each a candidate
        "dl_quarter": {"quý"},
    }
    # _WORD_START: no letter or mark before
    starts = {name: prefilter.WordStarts(words, inner=r"[\p{L}\p{M}]") for name, words in groups.items()}
    return _Vocab(
        number_expr=number_expr,
        word_number_expr=word_number_expr,
        number_words={fold(k): v for k, v in nw["words"].items()},
        percent_of=percent_of,
        per_words=per_words,
        subject_mode=subject_mode,
        rate_blocked=frozenset(fold(w) for w in units["rate_blocked"]),
        rate_function_words=frozenset(fold(w) for w in units["rate_function_words"]),
        symbols=frozenset(units["symbols"]),
        comparator_of=comparator_of,
        prefix_token=prefix_token,
        suffix_cmp=suffix_cmp,
        suffix_cmp_of=suffix_cmp_of,
        change_to=change_to,
        direction=direction,
        direction_of=direction_of,
        blocked_before=re.compile(rf"{_WORD_START}(?i:{_words_alt(tv['blocked_before']['words'])})[ \t]{{1,3}}$"),
        commitment=words_re(tv["commitment_markers"]),
        situation_starts=tuple(tv["situation_headings"]["starts"]),
        subject_stop=subject_stop,
        subject_strip_lead=subject_strip_lead,
        subject_strip_tail=subject_strip_tail,
        subject_before=subject_before,
        subject_before_tail=subject_before_tail,
        subject_max_words=int(sv["max_words"]),
        baseline=baseline,
        dl_by=dl_by,
        dl_from=dl_from,
        dl_lead=dl_lead,
        dl_quarter=dl_quarter,
        dl_date=dl_date,
        dl_period=dl_period,
        dl_year_any=dl_year_any,
        dl_month=dl_month,
        dl_recurring=words_re(dl["recurring"]),
        table_indicator=tuple(it["indicator"]),
        table_unit=tuple(it["unit"]),
        table_value=tuple(it["value"]),
        starts=starts,
        prefix_max=_max_len(_prefix_phrases(tv)) + 3,
        subject_stop_other=re.compile(stop_other),
        strip_tail_max=max(4 * (4 + _max_len(tail_words)) + 4, 8),
    )


#: candidate starts of word_number_expr in the last text (the other word patterns are only
#: tried in short windows, whose candidates ``_words`` finds when asked)
_word_number_starts = prefilter.LastText(lambda text: _vocab().starts["word_number"].positions(prefilter.lower_view(text)))


def _words(text: str, group: str):
    """(WordStarts, view) of a group, for ``prefilter.finditer_slice``."""
    return _vocab().starts[group], prefilter.lower_view(text)


def _first_in(pattern: re.Pattern, text: str, group: str, pos: int, endpos: int) -> Optional[re.Match]:
    """``pattern.search(text, pos, endpos)`` for a word pattern of ``group``."""
    ws, view = _words(text, group)
    return next(prefilter.finditer_among(pattern, text, ws.scan(view, pos, endpos), pos, endpos), None)


# --------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------


def _quarter(q: str) -> int:
    return _ROMAN_QUARTER.get(q.upper()) or int(q)


def parse_deadline(raw: str) -> Optional[Deadline]:
    """Read a time expression given on its own (a timeframe cell, a heading, a clause).

    Accepted forms (the most precise that applies):

    - "trước ngày 15/12/2020", "chậm nhất ngày 30/6/2025" → date (and year);
      "trước ngày 15/12" (no year) → ``raw`` only
    - "Quý IV, năm 2020", "quý 4/2021", "Quý II năm 2024" → quarter and year
    - "đến năm 2020", "vào năm 2020", "trong năm 2018", "đến hết năm 2025" → year
    - "từ năm 2025 trở đi" → year (from which the level must hold)
    - "giai đoạn 2021-2025", "Năm 2019 - 2020", "2026 - 2030" → year = end year
    - "tháng 7/2017", "tháng 12 năm 2020" → year
    - "Năm 2019", "năm 2020", "2025" → year
    - "Thường xuyên", "hằng năm", "hàng quý", "định kỳ 6 tháng (trước ngày 10/6)" → no year,
      ``raw`` kept

    ``raw`` of the result is the input, stripped; ``source`` is left for the caller.
    Returns ``None`` when nothing in ``raw`` is a time expression.
    """
    if not raw or not raw.strip():
        return None
    text = raw.strip()[:2000]
    v = _vocab()
    m = v.dl_date.search(text)
    if m and m.group("y"):
        iso = make_date(int(m.group("d")), int(m.group("m")), int(m.group("y")))
        if iso:
            return Deadline(year=int(m.group("y")), date=iso, raw=text)
    m = v.dl_quarter.search(text)
    if m:
        return Deadline(year=int(m.group("y")), quarter=_quarter(m.group("q")), raw=text)
    m = v.dl_by.search(text) or v.dl_from.search(text)
    if m:
        return Deadline(year=int(m.group("y")), raw=text)
    m = v.dl_period.search(text)
    if m and int(m.group("y2")) >= int(m.group("y1")):
        return Deadline(year=int(m.group("y2")), raw=text)
    m = v.dl_month.search(text)
    if m and 1 <= int(m.group("m")) <= 12:
        return Deadline(year=int(m.group("y")), raw=text)
    m = v.dl_year_any.search(text)
    if m:
        return Deadline(year=int(m.group("y")), raw=text)
    if re.fullmatch(_YEAR, text):
        return Deadline(year=int(text), raw=text)
    if v.dl_recurring.search(text) or v.dl_date.search(text):
        return Deadline(raw=text)
    return None


def _clause_deadlines(text: str, lo: int, hi: int) -> list[tuple[int, int, Deadline]]:
    """Deadlines stated in ``text[lo:hi]``, as (start, end, deadline), in order.

    Accepted forms: "đến năm 2020", "vào năm 2020", "Đến năm 2025", "trong năm 2018", "đến hết
    năm 2025", "Quý IV năm 2020", "trước ngày 15/12/2020", "(từ) năm 2025 trở đi"; at ``lo``
    (the start of a sentence) also "Năm 2018, …", "Dự kiến năm 2019 - 2020: …". Not deadlines:
    "nhiệm kỳ 2016 - 2021", "giai đoạn 2021 - 2025" in mid-sentence, "so với năm 2020", a bare
    date ("ngày 09/9/2010").
    """
    v = _vocab()
    out: list[tuple[int, int, Deadline]] = []
    if hi <= lo:
        return out
    lead = v.dl_lead.match(text, lo, hi)
    if lead:
        year = int(lead.group("y2") or lead.group("y1"))
        out.append((lead.start(), lead.end(), Deadline(year=year, raw=lead.group(0).rstrip(",: \t"))))
    ws, view = _words(text, "dl_date")
    for m in prefilter.finditer_among(v.dl_date, text, ws.scan(view, lo, hi), lo, hi):
        iso = make_date(int(m.group("d")), int(m.group("m")), int(m.group("y"))) if m.group("y") else None
        if iso:
            out.append((m.start(), m.end(), Deadline(year=int(m.group("y")), date=iso, raw=_norm_space(m.group(0)))))
    for pattern, group in ((v.dl_quarter, "dl_quarter"), (v.dl_by, "dl_by"), (v.dl_from, "dl_from")):
        ws, view = _words(text, group)
        for m in prefilter.finditer_among(pattern, text, ws.scan(view, lo, hi), lo, hi):
            q = _quarter(m.group("q")) if "q" in m.groupdict() else None
            out.append((m.start(), m.end(), Deadline(year=int(m.group("y")), quarter=q, raw=_norm_space(m.group(0)))))
    out.sort(key=lambda t: (t[0], -t[1]))
    kept: list[tuple[int, int, Deadline]] = []
    for item in out:  # overlapping readings of one expression: keep the first, longest
        if not kept or item[0] >= kept[-1][1]:
            kept.append(item)
    return kept


def _assign_deadlines(text: str, lo: int, hi: int, hits: list[tuple[int, int]]) -> list[Optional[Deadline]]:
    """Give each number of one sentence the deadline the sentence states for it.

    A time expression that follows numbers and closes their phrase ("… đạt 65% vào năm 2025
    và đạt 80% vào năm 2030."; "dưới 8% (khu vực miền núi dưới 25%) vào năm 2025 và …")
    belongs to the numbers before it that have none yet; any other one ("Đến năm 2020, có
    trên 80% …; trên 50% …", "đến năm 2025 đạt 90% …", "Năm 2018, duy trì … 11 xã") opens a
    scope for the numbers after it. ``hits`` are the (start, end) of the numbers, in order;
    ``None`` where the sentence says nothing.
    """
    found = _clause_deadlines(text, lo, hi)
    out: list[Optional[Deadline]] = [None] * len(hits)
    if not found:
        return out
    events = sorted([(a, 1, i) for i, (a, _) in enumerate(hits)] + [(a, 0, i) for i, (a, _, _) in enumerate(found)])
    pending: list[int] = []
    active: Optional[Deadline] = None
    for _, is_hit, i in events:
        if is_hit:
            if active is not None:
                out[i] = active
            else:
                pending.append(i)
            continue
        _, end, deadline = found[i]
        if pending and _CLOSES_PHRASE.match(text, end, min(hi, end + 12)):
            for k in pending:
                out[k] = deadline
            pending = []
        else:
            active = deadline
    return out


def _heading_deadline(title: str) -> Optional[Deadline]:
    """The deadline a heading gives to everything under it.

    Accepted forms: "Mục tiêu cụ thể đến năm 2020", "2.2.1. Đến năm 2025", "Giai đoạn 2026 -
    2030", "Kế hoạch …, giai đoạn 2021 - 2025", "Năm 2019", "**Đến năm 2030**". Dates,
    document numbers and "nhiệm kỳ 2016 - 2021" in a title are ignored.
    """
    v = _vocab()
    title = _CELL_MARKUP.sub("", title)
    m = v.dl_by.search(title)
    if m:
        return Deadline(year=int(m.group("y")), raw=_norm_space(m.group(0)))
    m = v.dl_period.search(title)
    if m and int(m.group("y2")) >= int(m.group("y1")):
        return Deadline(year=int(m.group("y2")), raw=_norm_space(m.group(0)))
    m = v.dl_year_any.match(title.strip())
    if m:
        return Deadline(year=int(m.group("y")), raw=_norm_space(m.group(0)))
    return None


# --------------------------------------------------------------------------------------
# Text geometry: clauses and sentences
# --------------------------------------------------------------------------------------


def _is_line_break(text: str, i: int) -> bool:
    """Whether the newline at ``i`` ends a paragraph rather than wrapping a line.

    A hard-wrapped copy (OCR, Markdown at 80 columns) breaks lines inside a sentence:
    "… đạt 65% vào năm 2025 và đạt\n80% vào năm 2030." A newline ends a paragraph after
    closing punctuation and before a line that starts with a capital letter, a bullet, a list
    label or a table row; blank lines between (a page break) do not count.
    """
    j = i - 1
    while j >= 0 and text[j] in " \t\n":
        j -= 1
    if j < 0 or text[j] in ".;:!?…|":
        return True
    k = i + 1
    while k < len(text) and text[k] in " \t\n":
        k += 1
    if k >= len(text) or text[k].isupper() or text[k] in "-+•*|(\\#":
        return True
    return bool(_LIST_LABEL.match(text, k))


class _Bounds:
    """Sorted boundary offsets of one kind (clause or sentence) for bisect look-ups."""

    def __init__(self, text: str, pattern: Optional[re.Pattern], starts: Optional[list[int]] = None):
        if starts is None:
            found = [(m.start(), m.end()) for m in pattern.finditer(text) if m.group(0) != "\n" or _is_line_break(text, m.start())]
            self.starts = [a for a, _ in found]
            self.ends = [b for _, b in found]
        else:  # boundaries of one character each, found by ``_boundary_starts``
            self.starts = starts
            self.ends = [a + 1 for a in starts]
        self.n = len(text)

    def around(self, start: int, end: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.ends, start) - 1
        lo = self.ends[i] if i >= 0 else 0
        j = bisect.bisect_left(self.starts, end)
        hi = self.starts[j] if j < len(self.starts) else self.n
        return lo, max(hi, end)


_BOUNDARY_CHARS = _sre.compile(r"[\n;.!?]")


def _boundary_starts(text: str) -> tuple[list[int], list[int]]:
    """The starts of ``_Bounds(text, _CLAUSE_BOUNDARY)`` and ``_Bounds(text, _SENTENCE_BOUNDARY)``
    in one pass: each match is one character ("\\n" only where ``_is_line_break``; ";" for
    clauses; ".", "!", "?" before a ``\\s`` character (clauses) or a blank (sentences), a line
    end ("$", multi-line, for sentences) or the end of the text)."""
    clause: list[int] = []
    sentence: list[int] = []
    n = len(text)
    spaces = prefilter.REGEX_SPACES
    for m in _BOUNDARY_CHARS.finditer(text):
        i = m.start()
        c = m.group()
        if c == "\n":
            if _is_line_break(text, i):
                clause.append(i)
                sentence.append(i)
        elif c == ";":
            clause.append(i)
        elif i + 1 == n:
            clause.append(i)
            sentence.append(i)
        else:
            nxt = text[i + 1]
            if nxt in spaces:
                clause.append(i)
                if nxt in " \t\n":
                    sentence.append(i)
    return clause, sentence


def _display(text: str, lo: int, hi: int, start: int, end: int) -> str:
    """The clause of a target for display; a very long clause is cut to a window around it."""
    if hi - lo <= 3 * _WINDOW:
        return text[lo:hi]
    a = max(lo, start - _WINDOW)
    b = min(hi, end + _WINDOW)
    a = text.find(" ", a, start) + 1 if a > lo and text.find(" ", a, start) >= 0 else a
    cut = text.rfind(" ", end, b)
    b = cut if b < hi and cut > end else b
    return text[a:b].strip()


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Drop blanks and a leading bullet or list label ("- ", "+ ", "a) ", "2.1. ") from ``text[lo:hi]``."""
    while lo < hi and text[lo] in " \t\n":
        lo += 1
    m = _LIST_LABEL.match(text, lo, hi)
    if m:
        lo = m.end()
    while hi > lo and text[hi - 1] in " \t\n":
        hi -= 1
    return lo, hi


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------

_NO_HEADING_KINDS = {"document", "attachment", "preamble", "closing", "signature", "table", "table_row"}


def _headings_above(chain: list[Section], offset: int) -> Iterator[Section]:
    """Sections of ``chain`` (innermost first) whose title is a heading above ``offset``:
    a bullet or numbered paragraph whose own line holds the offset does not count."""
    for node in reversed(chain):
        if node.kind in _NO_HEADING_KINDS or not node.title:
            continue
        if node.heading_span is not None:
            if node.heading_span.start <= offset < node.heading_span.end:
                continue
        elif node.kind in ("bullet", "para") or offset < node.span.start + len(node.title) + 12:
            continue
        yield node


def _is_situation(v: _Vocab, chain: list[Section], offset: int) -> bool:
    for node in _headings_above(chain, offset):
        if fold(_CELL_MARKUP.sub("", node.title)).lstrip(" .-:").startswith(v.situation_starts):
            return True
    return False


def _inherited_deadline(chain: list[Section], offset: int, period_end: Optional[int]) -> Optional[Deadline]:
    """Nearest enclosing heading, else the plan period, else the attached document's title."""
    for node in _headings_above(chain, offset):
        d = _heading_deadline(node.title)
        if d:
            return d.model_copy(update={"source": "heading"})
    if period_end:
        return Deadline(year=period_end, source="period")
    for node in reversed(chain):
        if node.kind in ("attachment", "document") and node.title:
            d = _heading_deadline(node.title)
            if d:
                return d.model_copy(update={"source": "heading"})
    return None


# --------------------------------------------------------------------------------------
# Number expressions in running text
# --------------------------------------------------------------------------------------


@dataclass
class _Prefix:
    start: int  # where the comparator words begin (== number start when there are none)
    comparator: Optional[str]  # ">=", ">", "<=", "<", "approx" or None
    has_from: bool  # "từ" right before the number (range start or "từ … trở lên")
    words: list[str]  # the prefix words read, nearest first (folded)


def _read_prefix(v: _Vocab, text: str, lo: int, num_start: int) -> _Prefix:
    """Walk back from the number over comparator words, "từ" and fillers.

    Accepted: "ít nhất 50%", "tối thiểu 01 cơ sở", "tối thiểu có 10 địa chỉ", "có ít nhất 02
    tin, bài", "trên 50%", "lên trên 65%", "từ 60% trở lên", "đạt từ 20% trở lên", "ít nhất từ
    01 đến 02", "ở mức 80 %", "khoảng 50 người", "bình quân 35 người/năm", "≥ 90%".
    """
    pos = num_start
    start = num_start
    comparator: Optional[str] = None
    has_from = False
    words: list[str] = []
    for _ in range(6):
        # prefix_token ends at pos (its "$"): no match starts before pos - prefix_max - 1
        m = v.prefix_token.search(text, max(lo, pos - 40, pos - v.prefix_max - 1), pos)
        if not m or (m.start() > 0 and (text[m.start() - 1].isalnum())):
            break
        word = fold(_norm_space(m.group(0)))
        role = v.comparator_of.get(word)
        if role is None:
            break
        words.append(word)
        if role == "from":
            has_from = has_from or comparator is None
            start = m.start()
        elif role != "filler":
            comparator = comparator or role
            start = m.start()
        pos = m.start()
    return _Prefix(start=start, comparator=comparator, has_from=has_from, words=words)


def _direction(v: _Vocab, window: str) -> Optional[str]:
    last: Optional[str] = None
    for m in v.direction.finditer(window):
        d = v.direction_of.get(fold(_norm_space(m.group(0))))
        if d is not None:
            last = d
    return last


def _direction_in(v: _Vocab, text: str, lo: int, hi: int) -> Optional[str]:
    """``_direction(v, text[lo:hi])``."""
    last: Optional[str] = None
    for _, m in prefilter.finditer_slice(v.direction, text, _words(text, "direction"), lo, hi):
        d = v.direction_of.get(fold(_norm_space(m.group(0))))
        if d is not None:
            last = d
    return last


def _clean_subject(v: _Vocab, s: str) -> Optional[str]:
    s = _norm_space(s)
    words = s.split(" ")
    if len(words) > v.subject_max_words:
        s = " ".join(words[: v.subject_max_words])
        cut = s.rfind(",")
        if cut > 0 and len(s[:cut].split(" ")) >= 3:
            s = s[:cut]  # a long enumeration ends at its last complete item
    for _ in range(4):
        s2 = v.subject_strip_lead.sub("", s)
        s2 = _strip_tail(v, s2).strip(" ,.-")
        if s2 == s:
            break
        s = s2
    return s or None


def _strip_tail(v: _Vocab, s: str) -> str:
    """``v.subject_strip_tail.sub("", s)``: every match ends at the end of ``s`` (its "$"), so
    there is at most one, it starts no earlier than ``strip_tail_max`` (+1 for a final line
    break) from the end, and the pattern has no look-behind."""
    m = v.subject_strip_tail.search(s, max(0, len(s) - v.strip_tail_max - 1))
    return s if m is None else s[: m.start()] + s[m.end() :]


def _subject_after(v: _Vocab, text: str, start: int, hi: int) -> Optional[str]:
    """The measured thing written after the number: "90% trẻ em có hoàn cảnh đặc biệt được …"."""
    seg_end = min(hi, start + 400)
    seg = text[start:seg_end]
    if not seg.strip() or not seg.lstrip()[:1].isalpha():
        return None
    # v.subject_stop.search(seg): its word alternative starts with a letter, the others never
    # do, so the first stop is the earlier of the first of each
    other = v.subject_stop_other.search(seg)
    cut = other.start() if other else len(seg)
    for off, _m in prefilter.finditer_slice(v.subject_stop, text, _words(text, "stop"), start, seg_end):
        cut = min(cut, off - start)
        break
    if cut < len(seg):
        seg = seg[:cut]
    return _clean_subject(v, seg)


def _subject_before(v: _Vocab, text: str, lo: int, prefix_start: int) -> Optional[str]:
    """The measured thing written before the number: "Tỷ lệ số người nghiện … từ 60% trở lên"."""
    last_end = None
    for off, m in prefilter.finditer_slice(v.subject_before, text, _words(text, "before"), max(lo, prefix_start - 400), prefix_start):
        last_end = off + len(m.group(0))
    if last_end is None:
        return None
    seg = v.subject_before_tail.sub("", text[last_end:prefix_start])
    return _clean_subject(v, seg)


def _value(raw: str) -> Optional[float]:
    if raw.isdigit():
        return float(int(raw))
    x = parse_vn_number(raw)
    return None if x is None else float(as_int_if_whole(x))


def _read_rate(v: _Vocab, text: str, pos: int) -> Optional[tuple[str, int]]:
    """A rate written right after a number: "con/phụ nữ", "bé trai/100 bé gái" → (unit, end)."""
    m = _RATE.match(text, pos)
    if not m:
        return None
    x = m.group("x")
    if fold(x.split()[0]) in v.rate_blocked:
        return None
    end = m.end("y1")
    if m.group("y2") and fold(m.group("y1")) not in v.rate_blocked and fold(m.group("y2")) not in v.rate_function_words:
        end = m.end("y2")
    return _norm_space(text[m.start("x"):end]).lower(), end


@dataclass
class _Hit:
    """A candidate target read from running text."""

    start: int
    end: int
    value: float
    value_max: Optional[float]
    comparator: str
    unit: str
    subject: Optional[str]
    direction: Optional[str]
    baseline: Optional[str]


def _extract_number_target(
    v: _Vocab, text: str, m: re.Match, clause: tuple[int, int], prev_end: int
) -> Optional[_Hit | str]:
    """One number expression → a candidate target, a baseline string, or ``None``.

    Accepted surface forms (number, range, unit, comparator):
    "90% trẻ em …", "100 %" (space), "đạt 80 %", "từ 60% trở lên", "90% trở lên trẻ em",
    "trên 50%", "ít nhất 50%", "tối thiểu 01 cơ sở", "tối thiểu có 10 địa chỉ tin cậy",
    "90% đến 100%", "từ 2% đến 5%", "từ 01 đến 03 mô hình", "ít nhất từ 01 đến 02 cán bộ",
    "giảm ít nhất 50% … so với đầu kỳ", "tăng lên 03 cơ sở", "nâng tổng số lên 16 cơ sở",
    "105 cán bộ", "bình quân 35 người/năm", "10 chỉ tiêu/năm", "1.500 lượt",
    "tăng thêm khoảng 50 người", "có ít nhất 02 tin, bài", "Tổ chức 05 lớp tập huấn",
    "02 đợt hội thảo", "2,1 con/phụ nữ", "dưới 109 bé trai/100 bé gái".
    Returns the start of a change ("từ 98,7% lên 99,52%": "từ 98,7%") as a string: it is the
    baseline of the next target, not a target.
    Rejected: no unit; after a blocked word ("Dự án 1", "năm 2020", "cả 03", "số 111", "của
    04 dự án"); a line-start label ("8 Xây dựng …"); a qualifier "… tại các xã có từ 20
    người nghiện trở lên".
    """
    c_lo, c_hi = clause
    n1_start = m.start("n1")
    pct = bool(m.group("p1") or m.group("p2") or m.group("p3"))
    unit_form = m.group("unit")
    num_end = m.end("n2") if m.group("n2") else m.end("n1")
    end = m.end()

    unit: Optional[str] = None
    if pct:
        unit = "%"
        end = max(m.end(g) for g in ("p1", "p2", "p3") if m.group(g))
        unit_form = None
        per = _PCT_PER.match(text, end)
        of = v.percent_of.match(text, end)
        if per:
            unit, end = f"%/{per.group(1).lower()}", per.end()
        elif of:
            unit, end = f"% {_norm_space(of.group('of'))}", of.end()
    else:
        rate = _read_rate(v, text, num_end)
        if rate and not (unit_form and m.group("per")):
            unit, end = rate
        elif unit_form:
            if m.group("per") is None and text[end:end + 1] == "/":
                return None  # "819 người/km2", "49.000 đồng/hộ/tháng"
            unit = _norm_space(unit_form).lower()
            if m.group("per"):
                unit = f"{unit}/{m.group('per').lower()}"
            else:
                pw = v.per_words.match(text, end)
                if pw:  # "12 người trên một vạn dân"
                    unit, end = f"{unit} {_norm_space(pw.group(0)).lower()}", pw.end()
    if unit is None:
        return None
    if m.group("n2") and m.group("p1") and not m.group("p2"):
        return None  # "90% - 2020": not a range of one unit

    if next(prefilter.finditer_slice(v.blocked_before, text, _words(text, "blocked"), max(c_lo, n1_start - 40), n1_start), None):
        return None
    # a list label at the start of a line ("8 Xây dựng …", "3 Cơ sở vật chất")
    line_start = text.rfind("\n", max(0, n1_start - 12), n1_start) + 1
    if (line_start > 0 or n1_start < 12) and not text[line_start:n1_start].strip(" \t(["):
        if (unit_form or "")[:1].isupper():
            return None

    value = _value(m.group("n1"))
    if value is None:
        return None
    value_max = _value(m.group("n2")) if m.group("n2") else None
    if value_max is not None and value_max < value:
        return None

    pre = _read_prefix(v, text, max(c_lo, prev_end), n1_start)
    suffix = v.suffix_cmp.match(text, end, c_hi)
    suffix_cmp = v.suffix_cmp_of.get(fold(_norm_space(suffix.group("s")))) if suffix else None
    if suffix:
        end = suffix.end()

    # "từ 98,7% lên 99,52%": where a change starts is the baseline of the next number
    if pre.has_from and value_max is None and v.change_to.match(text, m.end(), min(c_hi, m.end() + 80)):
        return _norm_space(text[pre.start:m.end()])

    # "… tại các xã, phường có từ 20 người nghiện trở lên": a qualifier of the previous target
    if pre.has_from and pre.comparator is None and value_max is None and prev_end > c_lo:
        if len(pre.words) >= 2 and pre.words[1] == "co":
            return None

    if value_max is not None:
        comparator = "range"
    elif suffix_cmp:
        comparator = suffix_cmp
    elif pre.has_from and _TRO_LEN.search(text, end, min(c_hi, end + 80)):
        comparator = ">="
    elif pre.comparator and pre.comparator != "approx":
        comparator = pre.comparator
    else:
        comparator = "="

    # subject
    if pct:
        subject = _subject_after(v, text, end, c_hi)
    elif unit_form and v.subject_mode.get(fold(_norm_space(unit_form))) == "after":
        subject = _subject_after(v, text, m.end("unit"), c_hi)
    elif unit_form and not m.group("per") and unit == _norm_space(unit_form).lower():
        subject = _subject_after(v, text, m.start("unit"), c_hi)
    else:
        subject = None
    if subject is None:
        subject = _subject_before(v, text, max(c_lo, prev_end), pre.start)

    bm = _first_in(v.baseline, text, "baseline", end, min(c_hi, end + _WINDOW))
    return _Hit(
        start=pre.start,
        end=end,
        value=value,
        value_max=value_max,
        comparator=comparator,
        unit=unit,
        subject=subject,
        direction=_direction_in(v, text, max(c_lo, prev_end, n1_start - _WINDOW), n1_start),
        baseline=_norm_space(bm.group(0)) if bm else None,
    )


def _extract_word_number_target(v: _Vocab, text: str, m: re.Match, clause: tuple[int, int]) -> Optional[_Hit]:
    """A number written as a word after a comparator.

    Accepted: "ít nhất một hình thức tuyên truyền", "ít nhất một trong các mô hình", "tối thiểu
    hai lớp". Not read: "năm" (five or year), a word number with no comparator ("một số mô hình").
    """
    value = v.number_words.get(fold(m.group("w")))
    if value is None:
        return None
    c_lo, c_hi = clause
    return _Hit(
        start=m.start(),
        end=m.end(),
        value=float(value),
        value_max=None,
        comparator=v.comparator_of.get(fold(_norm_space(m.group("cmp"))), ">="),
        unit=_norm_space(m.group("unit")).lower(),
        subject=_subject_after(v, text, m.start("unit"), c_hi),
        direction=_direction_in(v, text, max(c_lo, m.start() - _WINDOW), m.start()),
        baseline=None,
    )


# --------------------------------------------------------------------------------------
# Indicator tables
# --------------------------------------------------------------------------------------


@dataclass
class _Table:
    start: int
    end: int
    lines: list[tuple[int, int]]  # (start, end) of every line


def _iter_tables(text: str, body_end: int) -> Iterator[_Table]:
    cur: Optional[_Table] = None
    for m in _TABLE_LINE.finditer(text, 0, body_end):
        if cur is not None and text[cur.end:m.start()].strip("\n") == "" and text.count("\n", cur.end, m.start()) <= 1:
            cur.lines.append((m.start(), m.end()))
            cur.end = m.end()
            continue
        if cur is not None:
            yield cur
        cur = _Table(m.start(), m.end(), [(m.start(), m.end())])
    if cur is not None:
        yield cur


def _cells(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Cell spans of one "|" row, outer pipes dropped, blanks trimmed."""
    out: list[tuple[int, int]] = []
    i = text.find("|", lo, hi)
    while 0 <= i < hi:
        j = text.find("|", i + 1, hi)
        if j < 0:
            j = hi
            if not text[i + 1:j].strip():
                break
        a, b = i + 1, j
        while a < b and text[a] in " \t":
            a += 1
        while b > a and text[b - 1] in " \t":
            b -= 1
        out.append((a, b))
        i = j if j < hi else -1
    return out


def _table_unit(v: _Vocab, cell: str) -> Optional[str]:
    """A unit cell as written: lower case, except symbols and acronyms ("Tbps", "% GDP", "HDI")."""
    cell = _norm_space(_CELL_MARKUP.sub("", cell))
    if not cell:
        return None
    words = []
    for w in cell.split(" "):
        core = w.strip("(),;")
        if core in v.symbols or (len(core) > 1 and core[1:] != core[1:].lower()):
            words.append(w)
        else:
            words.append(w.lower())
    return " ".join(words)


def _extract_indicator_rows(v: _Vocab, ctx: Context, table: _Table, period_end: Optional[int]) -> Iterator[tuple[Target, str]]:
    """Targets from an indicator table.

    Accepted layouts: header "| TT | Chỉ tiêu | Đơn vị | Kết quả | …" or "| Chỉ tiêu | Đơn vị
    tính | 2025 | 2030 |"; group rows "| **I** | **Đến năm 2030** | | |" set the deadline of
    the rows below; value cells "≥ 55", ">= 30", "90", "100%", "40 - 50", "> 0,7", "≥ 03",
    "≥ 3% và tăng dần …", "≤ 3 Đông Nam Á; ≤ 50 Thế giới" (two targets). Cells with no number
    first ("Đạt mức tiên tiến …") give no target. Yields (target without id, kind).
    """
    text = ctx.text
    header = [fold(_CELL_MARKUP.sub("", text[a:b])).strip() for a, b in _cells(text, *table.lines[0])]
    ind_col = next((i for i, h in enumerate(header) if h.startswith(v.table_indicator)), None)
    unit_col = next((i for i, h in enumerate(header) if h.startswith(v.table_unit)), None)
    if ind_col is None or unit_col is None:
        return
    value_cols: dict[int, Optional[Deadline]] = {}
    for i, h in enumerate(header):
        if i in (ind_col, unit_col):
            continue
        year = re.search(rf"\b{_YEAR}\b", h)
        if year or h.startswith(v.table_value):
            value_cols[i] = _heading_deadline(h) or (Deadline(year=int(year.group(0)), raw=h) if year else None)
    if not value_cols:
        return
    group_deadline: Optional[Deadline] = None
    for lo, hi in table.lines[1:]:
        if _TABLE_SEPARATOR.fullmatch(text, lo, hi):
            continue
        cells = _cells(text, lo, hi)
        if len(cells) <= max(ind_col, unit_col):
            continue
        ind_text = _CELL_MARKUP.sub("", text[cells[ind_col][0]:cells[ind_col][1]]).strip()
        values = {i: cells[i] for i in value_cols if i < len(cells)}
        if not any(text[a:b].strip() for a, b in values.values()):
            d = _heading_deadline(ind_text)
            if d:
                group_deadline = d
            continue
        unit_cell = _table_unit(v, text[cells[unit_col][0]:cells[unit_col][1]])
        node = ctx.index.locate(lo) if ctx.sections else None
        chain = ctx.index.ancestors(node.id) if node else []
        kind = "statistic" if _is_situation(v, chain, lo) else "target"
        for col, (a, b) in values.items():
            for part_lo, part_hi in _split_cell(text, a, b):
                cm = _CELL_VALUE.match(text, part_lo, part_hi)
                if not cm:
                    continue
                value = _value(cm.group("n1"))
                if value is None:
                    continue
                value_max = _value(cm.group("n2")) if cm.group("n2") else None
                unit = unit_cell or ("%" if cm.group("p1") or cm.group("p2") else None)
                if value_max is not None:
                    comparator = "range"
                else:
                    comparator = _CELL_CMP.get(cm.group("cmp") or "=", "=")
                if value_cols[col] is not None:
                    deadline = value_cols[col].model_copy(update={"source": "heading"})
                elif group_deadline is not None:
                    deadline = group_deadline.model_copy(update={"source": "heading"})
                else:
                    deadline = _inherited_deadline(chain, lo, period_end) if kind == "target" else None
                yield (
                    Target(
                        id="",
                        section_id=ctx.section_id_at(cm.start()),
                        kind=kind,
                        text=_norm_space(text[lo:hi]),
                        subject=ind_text or None,
                        value=value,
                        value_max=value_max,
                        comparator=comparator,
                        unit=unit,
                        direction=(_direction(v, ind_text) or "reach") if kind == "target" else None,
                        deadline=deadline,
                        raw=text[cm.start():cm.end()].strip(),
                        span=Span(start=cm.start(), end=cm.end()),
                    ),
                    kind,
                )


def _split_cell(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Parts of a value cell separated by ";" ("≤ 3 Đông Nam Á; ≤ 50 Thế giới")."""
    out, lo = [], a
    i = text.find(";", a, b)
    while i >= 0:
        out.append((lo, i))
        lo = i + 1
        i = text.find(";", lo, b)
    out.append((lo, b))
    return [(x + len(text[x:y]) - len(text[x:y].lstrip()), y) for x, y in out]


# --------------------------------------------------------------------------------------
# The extractor
# --------------------------------------------------------------------------------------


def _iter_number_exprs(v: _Vocab, text: str, body_end: int) -> Iterator[re.Match]:
    """``number_expr`` matches, looked for only around a digit followed by a letter or "%".

    Every number expression ends in a digit followed by "%", a unit or a rate; a cheap scan
    for those places keeps a megabyte of bare numbers ("1 1 1 …") fast.
    """
    scan_from = 0
    for c in _CANDIDATE.finditer(text, 0, body_end):
        digit = c.start()
        if digit < scan_from:
            continue
        found = None
        for start in _NUM_START.finditer(text, max(scan_from, digit - 40), digit + 1):
            m = v.number_expr.match(text, start.start(), min(body_end, digit + 120))
            if m is not None and m.end() > digit:
                found = m
                break
        if found is not None:
            scan_from = found.end()
            yield found
        else:
            scan_from = digit + 1


def _iter_hits(v: _Vocab, text: str, body_end: int, skip: list[tuple[int, int]], clauses: _Bounds):
    """Number and word-number expressions of running text, in order, with their clause."""
    matches = [(m.start(), 0, m) for m in _iter_number_exprs(v, text, body_end)]
    matches += [(m.start(), 1, m) for m in prefilter.finditer(v.word_number_expr, text, _word_number_starts(text), 0, body_end)]
    matches.sort(key=lambda t: (t[0], t[1]))
    skip_starts = [a for a, _ in skip]
    for start, kind, m in matches:
        i = bisect.bisect_right(skip_starts, start) - 1
        if i >= 0 and skip[i][0] <= start < skip[i][1]:
            continue
        yield kind, m, clauses.around(m.start(), m.end())


def extract_targets(ctx: Context, include_statistics: bool = False) -> list[Target]:
    """Every quantified commitment in ``ctx.text`` (footnote area excluded), in order.

    Deadline precedence: what the sentence states for the number (``_assign_deadlines``: "đến
    năm 2020", "Quý IV năm 2020", "trước ngày 15/12/2020", "từ năm 2025 trở đi", a lead "Năm
    2018, …" / "Dự kiến năm 2019 - 2020: …", or a closing "… 65% vào năm 2025 và …"), then the
    nearest enclosing heading ("Mục tiêu cụ thể đến năm 2020", "2.2. Giai đoạn 2026 - 2030",
    an indicator table's "Đến năm 2030" row or year column), then
    ``ctx.metadata.period.end_year``, then the title of an attached document;
    ``Deadline.source`` says which ("sentence", "heading", "period").

    With ``include_statistics=True`` numbers from situation-analysis parts are returned too, as
    ``kind="statistic"`` (no direction, no inherited deadline).
    """
    v = _vocab()
    text = ctx.text
    body_end = ctx.body_end if 0 <= ctx.body_end <= len(text) else len(text)
    period_end = ctx.metadata.period.end_year if ctx.metadata and ctx.metadata.period else None
    clause_starts, sentence_starts = _boundary_starts(text)
    clauses = _Bounds(text, None, clause_starts)  # = _Bounds(text, _CLAUSE_BOUNDARY)
    sentences = _Bounds(text, None, sentence_starts)  # = _Bounds(text, _SENTENCE_BOUNDARY)

    found: list[Target] = []
    tables = list(_iter_tables(text, body_end))
    skip: list[tuple[int, int]] = []
    for table in tables:
        rows = list(_extract_indicator_rows(v, ctx, table, period_end))
        if rows:
            skip.append((table.start, table.end))
            found.extend(t for t, kind in rows if kind == "target" or include_statistics)

    # pass 1: candidates of running text, each with its clause
    hits: list[tuple[_Hit, tuple[int, int], Optional[str]]] = []
    prev_clause: Optional[tuple[int, int]] = None
    prev_end = 0
    pending_baseline: Optional[str] = None
    for kind_of_match, m, clause in _iter_hits(v, text, body_end, skip, clauses):
        if m.start() < prev_end and clause == prev_clause:
            continue  # inside the previous expression
        if clause != prev_clause:
            prev_clause, prev_end, pending_baseline = clause, clause[0], None
        if kind_of_match == 0:
            hit = _extract_number_target(v, text, m, clause, prev_end)
        else:
            hit = _extract_word_number_target(v, text, m, clause)
        if hit is None:
            continue
        if isinstance(hit, str):
            pending_baseline, prev_end = hit, m.end()
            continue
        prev_end = hit.end
        hits.append((hit, clause, pending_baseline))
        pending_baseline = None

    # pass 2: kind and deadline; the deadlines a sentence states are shared out among its numbers
    stated: list[Optional[Deadline]] = [None] * len(hits)
    i = 0
    while i < len(hits):
        sentence = sentences.around(hits[i][0].start, hits[i][0].end)
        j = i
        while j < len(hits) and hits[j][0].start < sentence[1]:
            j += 1
        s_lo, s_hi = _trim(text, *sentence)
        stated[i:j] = _assign_deadlines(text, s_lo, s_hi, [(h.start, h.end) for h, _, _ in hits[i:j]])
        i = max(j, i + 1)

    for i, (hit, clause, baseline) in enumerate(hits):
        c_lo, c_hi = clause
        node = ctx.index.locate(hit.start) if ctx.sections else None
        chain = ctx.index.ancestors(node.id) if node else []
        committed = _first_in(v.commitment, text, "commitment", max(c_lo, hit.start - _WINDOW), hit.start) is not None
        kind = "statistic" if _is_situation(v, chain, hit.start) and not committed else "target"
        if kind == "statistic" and not include_statistics:
            continue
        deadline = stated[i]
        if deadline is not None:
            deadline = deadline.model_copy(update={"source": "sentence"})
        elif kind == "target":
            deadline = _inherited_deadline(chain, hit.start, period_end)
        t_lo, t_hi = _trim(text, c_lo, c_hi)
        found.append(
            Target(
                id="",
                section_id=ctx.section_id_at(hit.start),
                kind=kind,
                text=_display(text, t_lo, t_hi, hit.start, hit.end),
                subject=hit.subject,
                value=hit.value,
                value_max=hit.value_max,
                comparator=hit.comparator,
                unit=hit.unit,
                direction=(hit.direction or "reach") if kind == "target" else None,
                deadline=deadline,
                baseline=hit.baseline or baseline,
                raw=text[hit.start:hit.end],
                span=Span(start=hit.start, end=hit.end),
            )
        )

    found.sort(key=lambda t: (t.span.start, t.span.end))
    for i, t in enumerate(found, 1):  # fresh objects of this call: numbered in place (no copy)
        t.id = f"tgt-{i}"
    return found
