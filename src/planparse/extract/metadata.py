"""Document metadata from the header block, the title, the closing block and the signature.

Surface forms accepted:

- doc type: a document-type line on its own in the preamble ("KẾ HOẠCH", "QUYẾT ĐỊNH");
- number: "Số: 2239/QĐ-UBND", "Số 787/KH-UBND" in the header block (also inside "|" cells);
- place and date: "Vĩnh Phúc, ngày 16 tháng 10 năm 2023", "Bình Phước, ngày 13 tháng 4 năm 2021";
- issuer: the header's body line ("ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC"), else a sentence of the
  preamble ("Ủy ban nhân dân tỉnh Bình Phước ban hành kế hoạch", "UBND tỉnh ban hành Kế
  hoạch") completed with the province the document names most;
- title: the line(s) after the document-type line;
- period: "giai đoạn 2018 - 2020", "2023 -2030" in the title, else in the first paragraphs;
- parent: "(Ban hành kèm theo Quyết định số 1731/QĐ-UBND ngày 25/5/2018 của UBND tỉnh)";
- signer: "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Trần Tuyết Minh", "TM. UỶ BAN NHÂN DÂN / CHỦ TỊCH";
- draft: a line "DỰ THẢO"; recipients: the "- …;" lines after "Nơi nhận:".
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

import regex as re

from ..models import Metadata, Period, Section, Signer
from ..textkey import fold, key
from ..vocab import load
from .numbers import DATE_WORDS, make_date, parse_vn_date

_NUMBER = re.compile(
    r"(?:^|\|)[ \t]*(?:Số|SỐ)[ \t]*[:;.]?[ \t]*(?P<n>\d{1,6}[ \t]?(?:/\d{4})?[/\-][ \t]?\p{L}[\p{L}\d&.\-/]{0,40})",
    re.MULTILINE,
)
_PLACE_DATE = re.compile(
    rf"(?<![\p{{L}}\d/\-])(?P<place>(?:TP\.[ \t]?)?\p{{Lu}}\p{{Ll}}[\p{{L}} .'\-]{{0,40}}?),[ \t]*{DATE_WORDS}", re.IGNORECASE
)
_QUOC_HIEU = re.compile(r"[ \t|]*(?:CỘNG H[OÒ]À?|CONG HOA|ĐẢNG CỘNG SẢN)[ \t]+.*$", re.IGNORECASE)
_PERIOD = re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})[ \t]{0,3}[-–][ \t]{0,3}(?P<b>(?:19|20)\d{2})(?!\d)")
_SINGLE_YEAR = re.compile(
    r"(?<!(?:đến|ĐẾN|tới|TỚI)[ \t]+)(?<!(?:tháng|THÁNG)[ \t]+\d{1,2}[ \t]+)(?:năm|NĂM)[ \t]+(?P<y>(?:19|20)\d{2})(?![ \t]*[-–/])"
)
_UNTIL = re.compile(r"đến năm[ \t]+(?P<y>(?:19|20)\d{2})", re.IGNORECASE)
_PARENT = re.compile(
    r"kèm theo[ \t]+(?P<type>Quyết định|Nghị quyết|Chỉ thị|Kế hoạch)[ \t]+(?:số[ \t]*)?(?P<n>\d{1,6}(?:/\d{4})?/[\p{L}\d&.\-/]{1,40})",
    re.IGNORECASE,
)
_SIGN = re.compile(r"^[ \t|]{0,8}(?P<cap>TM|KT|Q|TL|TUQ|T/M|K/T)\.?[ \t]+(?P<body>[^\n|]{2,80}?)[ \t|]*$", re.MULTILINE)
_PERSON = re.compile(r"^[ \t]*(?P<name>(?:\p{Lu}\p{Ll}{0,7}[ \t]){1,4}\p{Lu}\p{Ll}{0,7})[ \t.,]*$", re.MULTILINE)


def _clean_symbol(n: str) -> str:
    return n.strip().rstrip(".,;:)")


def _full_number(n: str) -> str:
    """Canonical symbol case when the references extractor is available, else as written."""
    try:
        from .references import normalise_full_number
    except ImportError:  # pragma: no cover - the references extractor ships with the package
        return _clean_symbol(n)
    return normalise_full_number(_clean_symbol(n))


def _header(text: str, sections: list[Section]) -> tuple[str, int]:
    pre = next((s for s in sections if s.kind == "preamble"), None)
    end = pre.span.end if pre else min(len(text), 3000)
    return text[:end], end


class _IssuerPatterns:
    """The issuer patterns of a metadata vocabulary, compiled once."""

    def __init__(self, vocab) -> None:
        heads = vocab["issuer_heads"]
        levels = vocab["level_words"]
        head_re = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
        level_re = "|".join(re.escape(w) for w in sorted(levels + [w.upper() for w in levels], key=len, reverse=True))
        self.header_line = re.compile(
            rf"^[ \t|]*(?P<head>{head_re})[ \t]+(?P<level>{level_re})[ \t]+(?P<name>\p{{Lu}}[\p{{L}} \-]{{1,30}}?)[ \t|]*$",
            re.MULTILINE,
        )
        self.sentence = re.compile(
            rf"(?P<head>{head_re})[ \t]+(?P<level>{level_re})(?P<name>(?:[ \t]+\p{{Lu}}\p{{Ll}}{{0,7}}){{0,4}})[ \t,]+(?:ban hành|xây dựng|triển khai)"
        )
        self.attached = re.compile(
            rf"kèm theo[^\n]{{0,80}}của[ \t]+(?P<head>{head_re})[ \t]+(?P<level>{level_re})(?P<name>(?:[ \t]+\p{{Lu}}\p{{Ll}}{{0,7}}){{0,4}})"
        )
        titles = vocab["signer_titles"]
        upper_titles = "|".join(re.escape(t) for t in sorted(titles, key=len, reverse=True))
        self.title_and_name = re.compile(rf"(?P<t>{upper_titles})[ \t]+(?P<n>(?:\p{{Lu}}\p{{Ll}}{{0,7}}[ \t]){{1,4}}\p{{Lu}}\p{{Ll}}{{0,7}})")
        draft = "|".join(re.escape(w) for w in vocab["draft_words"])
        self.draft = re.compile(rf"^[ \t|]*(?:{draft})[ \t|]*$", re.MULTILINE)


_PATTERNS: dict[int, tuple] = {}  # id(vocab) → (vocab, _IssuerPatterns)


def _patterns(vocab) -> _IssuerPatterns:
    found = _PATTERNS.get(id(vocab))
    if found is None or found[0] is not vocab:
        found = _PATTERNS[id(vocab)] = (vocab, _IssuerPatterns(vocab))
    return found[1]


_BO_TRUONG = re.compile(r"^(?:BỘ TRƯỞNG|BỘ TRUỞNG)[ \t]+(?=BỘ[ \t])")


def _issuer(header: str, text: str, vocab) -> Optional[str]:
    heads = vocab["issuer_heads"]
    pats = _patterns(vocab)
    # 1. a header line "ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC"
    m = pats.header_line.search(header)
    if m:
        return f"{heads[m.group('head')]} {m.group('level').lower()} {_title_case(m.group('name'))}"
    # 2. a body named alone on an upper-case header line: "CHÍNH PHỦ", "BỘ Y TẾ", "ĐẢNG ĐOÀN QUỐC
    #    HỘI" (the Quốc hiệu cut off; the last such line before the title is the issuing body,
    #    below its superior: "BAN CHẤP HÀNH TRUNG ƯƠNG / ĐẢNG ĐOÀN QUỐC HỘI")
    found = None
    upper = []
    for line in header.split("\n")[:30]:
        s = _QUOC_HIEU.sub("", line.strip().strip("|*# ").strip()).strip(" |*-")
        if not s or not s.isupper() or len(s) > 80:
            if found and s and not s.isupper():
                break
            continue
        upper.append(_BO_TRUONG.sub("", s))
    for i, s in enumerate(upper):
        # "ỦY BAN NHÂN DÂN" / "TỈNH ĐỒNG NAI" written on two lines: try the pair first
        pair = _canonical(f"{s} {upper[i + 1]}") if i + 1 < len(upper) else None
        agency = pair if pair and len(pair) > len(_canonical(s) or "") else _canonical(s)
        if agency:
            found = agency
        elif found:
            break
    if found:
        return found
    # 3. a sentence "Ủy ban nhân dân tỉnh Bình Phước ban hành", "UBND tỉnh ban hành"
    m = pats.sentence.search(header)
    if not m:
        m = pats.attached.search(header)
    if not m:
        return None
    level = m.group("level").lower()
    name = m.group("name").strip()
    if not name:
        name = _most_named_place(text, level) or ""
    return f"{heads[m.group('head')]} {level} {name}".strip()


def _canonical(s: str) -> Optional[str]:
    try:
        from .agencies import canonical_agency
    except ImportError:  # pragma: no cover - the agencies extractor ships with the package
        return None
    found = canonical_agency(s, city_level="province")
    return found[0] if found else None


def _most_named_place(text: str, level: str) -> Optional[str]:
    """The province (for "tỉnh") the text names most, from the gazetteer."""
    if level != "tỉnh":
        return None
    names = [p["name"] for p in load("provinces.json")["provinces"]]
    counts = Counter()
    low = key(text)
    for n in names:
        c = low.count(key(n))
        if c:
            counts[n] = c
    return counts.most_common(1)[0][0] if counts else None


def _title_case(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in s.split())


def _doc_type_and_title(header: str, vocab) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """The document-type line (accent-insensitive: OCR gives "QUYET ĐỊNH") and the title below it."""
    words = {fold(w): canon for w, canon in vocab["doc_types"].items()}
    m = None
    pos = 0
    for line in header.split("\n"):
        s = line.strip().strip("|").strip()
        if s and s.isupper() and fold(s) in words:
            m = (fold(s), pos + len(line))
            break
        pos += len(line) + 1
    if m is None:
        return None, None, None
    folded, m_end = m
    title_lines: list[str] = []
    for line in header[m_end:].split("\n"):
        s = line.strip().strip("|").strip()
        if not s:
            if title_lines:
                break
            continue
        if s.startswith("(") or re.match(r"(Căn cứ|Thực hiện|Theo đề nghị|ỦY BAN|UỶ BAN|Số)\b", s) and title_lines:
            break
        if re.match(r"(Căn cứ|Theo đề nghị)\b", s):
            break
        title_lines.append(s)
        if len(title_lines) >= 3 or not s.isupper() and len(title_lines) >= 1 and len(s) > 60:
            break
    title = " ".join(title_lines) or None
    return words[folded], title, folded


def _signer(text: str, closing_start: int, vocab) -> Optional[Signer]:
    region = text[closing_start:]
    m = _SIGN.search(region)
    if not m:
        return _signer_without_capacity(region, vocab)
    cap = m.group("cap").replace("/", "") + "."
    # "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": the signer acts under the second one
    m2 = _SIGN.match(region, m.end() + 1) if cap == "TM." else None
    if m2 and m2.group("cap").replace("/", "") in ("KT", "Q", "TL", "TUQ"):
        m, cap = m2, m2.group("cap").replace("/", "") + "."
    titles = vocab["signer_titles"]
    title = None
    body = m.group("body").strip()
    after = region[m.end() :]
    next_lines = _first_lines(after, 8)  # only the first 8 non-blank lines are read
    for cand in ([body] if cap != "TM." else []) + next_lines[:1]:
        t = titles.get(cand.upper())
        if t:
            title = t
    if cap in ("KT.", "Q.") and next_lines and titles.get(next_lines[0].upper()):
        title = titles[next_lines[0].upper()]
    name = None
    for ln in next_lines[:8]:
        if titles.get(ln.upper()) or ln.isupper() or "DỰ THẢO" in ln.upper():
            continue
        pm = _PERSON.match(ln)
        if pm:
            name = pm.group("name")
            break
    return Signer(name=name, title=title, capacity=cap)


def _first_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines of ``text`` that are not blank, stripped of blanks and "|"."""
    out: list[str] = []
    for ln in text.split("\n"):
        s = ln.strip().strip("|").strip()
        if s:
            out.append(s)
            if len(out) >= n:
                break
    return out


_CELL_OR_LINE = re.compile(r"[\n|]")


def _signer_without_capacity(region: str, vocab) -> Optional[Signer]:
    """No "TM./KT." line: a signer title line ("BỘ TRƯỞNG") and/or a name line after Nơi nhận."""
    titles = vocab["signer_titles"]
    title = name = None
    title_and_name = _patterns(vocab).title_and_name
    for line in _CELL_OR_LINE.split(region):
        s = line.strip().strip("*").strip()
        both = title_and_name.fullmatch(s)
        if both:  # "CHỦ TỊCH Hoàng Quốc Khánh" in one table cell
            title, name = titles[both.group("t")], both.group("n")
        elif titles.get(s.upper()) and s.isupper():
            title = titles[s.upper()]
        elif not s.startswith(("-", "+", "*", "•")) and _PERSON.match(s) and len(s.split()) >= 2:
            name = _PERSON.match(s).group("name")
    return Signer(name=name, title=title) if name or title else None


def _recipients(text: str, start: int, end: int) -> list[str]:
    m = re.search(r"N[ơo]i[ \t]+nh[ậa]n[ \t]*:?", text[start:end], re.IGNORECASE)
    if not m:
        return []
    out: list[str] = []
    rest = text[start + m.end() : end]
    first, _, _ = rest.partition("\n")
    if first.count(" - ") + first.count(";-") >= 2:  # "Nơi nhận: - A; - B; - C" in one table cell
        cell = first.strip(" |").split("|")[0]
        rest = re.sub(r"(?:^|;)[ \t]*-[ \t]+", "\n- ", cell) + "\n" + rest[len(first) :]
    for line in rest.split("\n"):
        s = line.strip().strip("|").strip()
        if not s:
            continue
        if _SIGN.match(line) or re.fullmatch(r"[\p{Lu} ]{3,}", s) and not s.startswith("-"):
            break
        if re.fullmatch(r"[-|: ]{3,}", s):  # a table rule ends the list
            break
        if s[0] in "-+•*~":
            out.append(s.lstrip("-+•*~ ").rstrip(";,. ").strip())
        elif out:
            break
    return [r for r in out if r]


def extract_metadata(text: str, sections: list[Section], body_end: Optional[int] = None) -> Metadata:
    """Metadata of a document from its normalised text and outline."""
    vocab = load("metadata.json")
    body_end = len(text) if body_end is None else body_end
    header, header_end = _header(text, sections)
    head_zone = header[:3000]
    md = Metadata()
    md.doc_type, md.title, _ = _doc_type_and_title(head_zone, vocab)
    m = _NUMBER.search(head_zone)
    if m:
        md.number = _full_number(m.group("n"))
    m = _PLACE_DATE.search(head_zone)
    if m:
        place = m.group("place").strip().strip("|").strip()
        md.place = place if len(place) <= 40 else None
        md.issued_date = make_date(int(m.group("d2")), int(m.group("m2")), int(m.group("y2")))
    # header tables ("| ỦY BAN NHÂN DÂN TỈNH SƠN LA ------- | CỘNG HÒA … |"): one cell a line
    cells = re.sub(r"[ \t]*-{3,}[ \t]*", "\n", re.sub(r"[ \t]*\|[ \t]*", "\n", head_zone))
    md.issuer = _issuer(cells, text[:body_end], vocab)
    m = _PARENT.search(head_zone)
    if m:
        md.parent_document = _full_number(m.group("n"))
    period_src = md.title or ""
    m = _PERIOD.search(period_src) or _PERIOD.search(text[: min(body_end, header_end + 1500)])
    if m and int(m.group("a")) <= int(m.group("b")):
        md.period = Period(start_year=int(m.group("a")), end_year=int(m.group("b")))
    else:
        m = _UNTIL.search(period_src)
        if m:
            start = int(md.issued_date[:4]) if md.issued_date else None
            md.period = Period(start_year=start if start and start <= int(m.group("y")) else None, end_year=int(m.group("y")))
    if md.number is None and md.doc_type:
        # an appendix names the document it is attached to: "(Kèm theo Nghị quyết số 394/NQ-CP
        # ngày 03 tháng 12 năm 2025 của Chính phủ)" — that is this document when the type agrees
        m = re.search(
            rf"[Kk]èm theo[ \t]+{re.escape(md.doc_type)}[ \t]+số[ \t]+(?P<n>\d{{1,6}}(?:/\d{{4}})?/[\p{{L}}\d&.\-/]{{2,40}})",
            text[:body_end],
        )
        if m:
            md.number = _full_number(m.group("n"))
            if md.issued_date is None:
                md.issued_date = parse_vn_date(text[m.end("n") : m.end("n") + 60])
    if md.period is None and md.title:
        m = _SINGLE_YEAR.search(md.title)
        if m:  # "… NĂM 2023": a plan for one year
            md.period = Period(start_year=int(m.group("y")), end_year=int(m.group("y")))
    closing = [s for s in sections if s.kind == "closing"]
    closing_start = closing[0].span.start if closing else max(0, body_end - 2500)
    md.signer = _signer(text[:body_end], closing_start, vocab)
    # the draft line holds one of the draft words as written: no need to scan without one
    md.is_draft = any(w in text for w in vocab["draft_words"]) and bool(_patterns(vocab).draft.search(text[:body_end]))
    for c in closing:
        md.recipients.extend(_recipients(text, c.span.start, c.span.end))
    return md
