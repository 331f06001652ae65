"""Budgets: money amounts with their unit, scale, rate and funding source, and the funding
sources a plan's "Kinh phí" section names without an amount.

Vietnamese number formats: "." groups thousands, "," is the decimal mark ("14.257 triệu
đồng" = 14 257 000 000 đồng, "1,5 tỷ đồng" = 1 500 000 000 đồng). The vocabulary (units and
their scale, rate nouns, qualifiers, funding sources, budget headings) is
``data/funding_sources.json``.

Not budgets: numbers without a money unit ("1.332 người"), "đồng" as another word ("100
đồng bào"), energy or area rates ("50Kwh/tháng"), percentages, document numbers.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Optional

import regex as re

from .. import prefilter
from ..models import Budget, Span
from ..textkey import key
from ..vocab import load
from .context import Context
from .numbers import parse_vn_number
from .references import _alternation, first_literals  # tolerant phrase patterns (tone placement, spacing)
from .references import section_of


# Vietnamese money figures: "14.257", "29.040.732.000", "1,5", "447"; bounded (no money
# figure has more than 15 digits), so a long digit run costs one bounded attempt.
_MONEY_NUMBER = r"\d{1,3}(?:\.\d{3}){1,5}(?:,\d{1,4})?|\d{1,15}(?:,\d{1,4})?"
_NEXT_WORD = re.compile(r"[ \t]{1,2}(\p{L}+)")
_SPACES = re.compile(r"\s+")


class _Vocab:
    def __init__(self) -> None:
        v = load("funding_sources.json")
        self.units: dict[str, tuple[str, Optional[int]]] = {}
        word_forms, bare_forms = [], []
        for u in v["units"]:
            for f in u["forms"]:
                self.units[key(f)] = (u["unit"], u["scale"])
                (bare_forms if u.get("bare") else word_forms).append(f)
        self.not_dong = {key(w) for w in v["not_money_after_dong"]}
        quals = _alternation(v["qualifiers"])
        ranges = "|".join(re.escape(w) for w in v["range_words"])
        per = _alternation(v["per_units"])
        unit_words = _alternation(word_forms)
        bare = "|".join(re.escape(f) for f in bare_forms)
        # Anchored on the unit (rare in a text), then read backwards: (qualifier) (từ) N1 ((đến|-) N2) UNIT (/per){0,3}
        self.unit = re.compile(
            rf"(?<=\d[ \t]{{0,2}})(?:(?P<unit>(?i:{unit_words}))(?![\p{{L}}\d])|(?<=\d)(?P<bare>{bare})(?=/|[ \t]*[,.;:)]|[ \t]*$|[ \t]+\p{{L}})(?!\p{{L}}))"
            rf"(?P<per>(?:[ \t]?/[ \t]?(?i:{per})(?![\p{{L}}\d])){{1,3}})?",
            re.MULTILINE,
        )
        self.figure = re.compile(
            rf"(?<![\p{{L}}\d.,/])(?:(?P<qual>(?i:{quals}))[ \t]{{1,3}})?(?:(?P<from>(?i:từ))[ \t]{{1,3}})?"
            rf"(?P<n1>{_MONEY_NUMBER})(?:[ \t]{{0,2}}(?P<rng>(?i:{ranges}))[ \t]{{0,2}}(?P<n2>{_MONEY_NUMBER}))?[ \t]{{0,2}}$"
        )
        self.source_names = [s["name"] for s in v["sources"]]
        alts = "|".join(f"(?P<s{i}>{_alternation(s['forms'])})" for i, s in enumerate(v["sources"]))
        self.source = re.compile(rf"(?<![\p{{L}}])(?:{alts})(?![\p{{L}}])", re.IGNORECASE)
        # speed: where a source may start (prefilter), and where a unit may (after a digit)
        self.source_starts = prefilter.WordStarts(first_literals(f for s in v["sources"] for f in s["forms"]), inner=r"\p{L}")
        firsts = sorted({lit[0] for lit in first_literals(word_forms)} | {f[0] for f in bare_forms})
        self.unit_starts = re.compile(rf"\d[ \t]{{0,2}}(?=(?i:[{''.join(re.escape(c) for c in firsts)}]))")
        self.blockers = re.compile(rf"(?<![\p{{L}}])(?:{_alternation(v['source_blockers'])})[ \t]{{1,3}}(?:(?i:của)[ \t]{{1,3}})?$", re.IGNORECASE)
        self.headings = [key(h) for h in v["budget_headings"]]
        # between an amount and the source written after it: "5 tỷ đồng từ nguồn ngân sách tỉnh", "(vốn ODA)"
        self.after = re.compile(
            rf"[ \t]{{0,3}}[,(]?[ \t]{{0,3}}(?:(?i:{_alternation(v['source_lead_words'])})[ \t]{{1,3}})?(?:(?i:{_alternation(v['source_nouns'])})[ \t]{{1,3}})?"
        )


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    return _Vocab()


#: candidate starts of ``_Vocab.source`` matches in the last text (see ``prefilter``)
_source_starts = prefilter.LastText(lambda text: _vocab().source_starts.positions(prefilter.lower_view(text)))


def _unit_starts(text: str) -> list[int]:
    """Candidate starts of ``_Vocab.unit`` matches: after a digit and at most two blanks, at
    a letter a unit form starts with (the unit's look-behind needs the digit)."""
    return [m.end() for m in _vocab().unit_starts.finditer(text)]


def _amount(raw: str, scale: Optional[int]) -> Optional[float]:
    value = parse_vn_number(raw)
    if value is None or scale is None:
        return None
    exact = Decimal(repr(value)) * Decimal(scale)
    return float(exact)


_CLAUSE_START = re.compile(r"[;\n]|\.[ \t]+(?=\p{Lu})|:[ \t]*(?=\p{Lu})")


def _clause_before(text: str, pos: int, limit: int = 300) -> int:
    lo = max(0, pos - limit)
    start = lo
    for m in _CLAUSE_START.finditer(text, lo, pos):
        start = m.end()
    return start


def _source_in(text: str, start: int, end: int) -> Optional[tuple[int, int, str]]:
    """The last funding source named in ``text[start:end]`` that is not a legal topic."""
    v = _vocab()
    found = None
    for m in prefilter.finditer(v.source, text, _source_starts(text), start, end):
        if v.blockers.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        found = (m.start(), m.end(), v.source_names[int(m.lastgroup[1:])])
    return found




def _source_for(text: str, start: int, end: int) -> Optional[tuple[int, int, str]]:
    """Funding source of an amount: a label before it in its clause ("- Ngân sách Trung ương:
    14.257 triệu đồng", "Giải quyết trợ cấp xã hội từ nguồn ngân sách nhà nước cho …, tổng
    kinh phí là 349.337.439.000 đồng"), else right after it ("5 tỷ đồng từ ngân sách tỉnh",
    "2 tỷ đồng (vốn ODA)")."""
    before = _source_in(text, _clause_before(text, start), start)
    if before:
        return before
    m = _vocab().after.match(text, end)
    if m:
        s = _vocab().source.match(text, m.end())
        if s:
            return s.start(), s.end(), _vocab().source_names[int(s.lastgroup[1:])]
    return None


def _find_amounts(text: str) -> list[tuple[int, int, dict]]:
    """Money amounts: "14.257 triệu đồng", "hơn 44 tỷ đồng", "29.040.732.000 đồng",
    "49.000 đồng/hộ/tháng", "447.000đ/tháng", "447 nghìn đồng", "1,5 tỷ đồng", "trên 2 tỷ
    đồng", "5 - 10 triệu đồng", "từ 5 đến 10 triệu đồng" (a range: amount_vnd left empty),
    "100.000 VNĐ", "2 triệu USD" (foreign: amount_vnd left empty)."""
    v = _vocab()
    out = []
    for u in prefilter.finditer(v.unit, text, _unit_starts(text)):
        f = v.figure.search(text, max(0, u.start() - 60), u.start())
        if not f:
            continue
        if u.group("unit") and key(u.group("unit")) == "đồng":
            nxt = _NEXT_WORD.match(text, u.end("unit"), u.end("unit") + 16)
            if nxt and key(nxt.group(1)) in v.not_dong and not u.group("per"):
                continue
        unit, scale = v.units[key(_norm_ws(u.group("unit") or u.group("bare")))]
        if f.group("n2"):
            amount = None
        else:
            amount = _amount(f.group("n1"), scale)
            if amount is None and scale is not None:
                continue
        per = _SPACES.sub("", u.group("per")) if u.group("per") else None
        start = f.start("from") if f.group("from") and not f.group("qual") else f.start()
        out.append((start, u.end(), {"unit": unit, "amount": amount, "per": per}))
    return out


def _norm_ws(s: str) -> str:
    return _SPACES.sub(" ", s)


def _in_budget_section(ctx: Context, pos: int) -> bool:
    v = _vocab()
    sid = section_of(ctx, pos)
    if sid is None or sid not in ctx.index.by_id:
        return False
    for s in ctx.index.ancestors(sid):
        if s.kind in ("bullet", "para", "table_row"):
            continue
        t = key(s.title or "").lstrip("*#|. ")
        if t and any(t.startswith(h) for h in v.headings):
            return True
    return False


def _find_stated_sources(ctx: Context, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Funding sources named in a "Kinh phí thực hiện" / "Nguồn kinh phí" section without an
    amount: "Kinh phí thực hiện Kế hoạch gồm vốn đầu tư phát triển, vốn sự nghiệp được bố trí
    từ ngân sách nhà nước …", "Nguồn kinh phí tỉnh giao hàng năm và cân đối ngân sách địa
    phương, kết hợp với xã hội hóa" — one item per source per section. Not: "theo quy định
    của pháp luật về ngân sách Nhà nước" (a legal topic)."""
    v = _vocab()
    out = []
    seen: set[tuple[Optional[str], str]] = set()
    text = ctx.text
    for m in prefilter.finditer(v.source, text, _source_starts(text)):
        if any(a <= m.start() < b for a, b in taken):
            continue
        if v.blockers.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        if not _in_budget_section(ctx, m.start()):
            continue
        name = v.source_names[int(m.lastgroup[1:])]
        k = (section_of(ctx, m.start()), name)
        if k in seen:
            continue
        seen.add(k)
        out.append((m.start(), m.end(), name))
    return out


def extract_budgets(ctx: Context) -> list[Budget]:
    """Every money amount in ``ctx.text`` (footnote bodies included) with its funding source,
    then the sources a budget section names without an amount; ids "bud-1", … in text order."""
    text = ctx.text
    items: list[tuple[int, int, dict]] = []
    taken: list[tuple[int, int]] = []
    for start, end, info in _find_amounts(text):
        src = _source_for(text, start, end)
        if src:
            taken.append((src[0], src[1]))
        info["source"] = src[2] if src else None
        items.append((start, end, info))
    for start, end, name in _find_stated_sources(ctx, taken):
        items.append((start, end, {"unit": None, "amount": None, "per": None, "source": name}))
    items.sort(key=lambda it: (it[0], it[1]))
    return [
        Budget(
            id=f"bud-{n}",
            section_id=section_of(ctx, start),
            raw=text[start:end],
            amount_vnd=info["amount"],
            unit=info["unit"],
            per_unit=info["per"],
            source=info["source"],
            span=Span(start=start, end=end),
        )
        for n, (start, end, info) in enumerate(items, 1)
    ]
