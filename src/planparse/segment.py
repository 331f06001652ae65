"""Stage 3 — segment: the outline of a plan as a tree of sections.

Heading forms recognised at the start of a line (the vocabulary is ``data/headings.json``):

- attachment: a document-type line on its own ("ĐỀ ÁN", "KẾ HOẠCH") after the body has begun
  (the first one, before any heading, is the document's own title and stays in the preamble);
- part "Phần thứ nhất", "PHẦN 1", "Phần II"; chapter "Chương II"; division "Mục 1";
  article "Điều 1."; appendix "PHỤ LỤC I", "Phụ lục số 2";
- group "A. …"; sec "I.", "IV.", "I-" (Roman; the hyphen form is the Party's style); item "1.",
  "1)", "1-", "1.1.", "2.2.1", "3.3.2 Title"
  and a bare "8 Title" when it continues the numbering of its siblings;
- point "a)", "a.", "đ)"; para "(1)"; bullets "-", "+", "•";
- named blocks "Dự án 1:", "Hoạt động 2:", "Nhiệm vụ 3" (a number label before them keeps its
  numbering rank; the kind says what the block is);
- closing "Nơi nhận:" and signature lines "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH";
- tables: consecutive lines starting with "|" form a table; a row whose first cell is a
  TT label ("I", "1", "1.2", "a") becomes a ``table_row`` node.

Nesting follows fixed ranks (part > chapter > division > article > sec > item by depth >
point > para > bullets). Repeated, skipped or out-of-order labels give a warning, never a
crash; ids are kind-prefixed label paths with a counter when a label repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import regex as re

from .models import Section, Span, Warning
from .textkey import fold
from .vocab import load


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass
class _Node:
    kind: str
    rank: int
    start: int
    heading_end: int
    label: Optional[str] = None
    id_label: Optional[str] = None
    title: Optional[str] = None
    children: list["_Node"] = field(default_factory=list)
    end: int = 0
    id: str = ""
    role: str = ""  # semantic kind for named blocks: project, activity, ...


class _Grammar:
    def __init__(self) -> None:
        v = load("headings.json")
        self.v = v
        self.ranks: dict[str, int] = v["ranks"]
        self.prefix: dict[str, str] = v["id_prefix"]
        self.ordinals: dict[str, int] = v["ordinals"]
        roman = r"(?:X{0,3}(?:IX|IV|V?I{1,3}|V)|X{1,3})"
        self.roman = roman
        ord_words = _alt(list(v["ordinals"]) + [w.upper() for w in v["ordinals"]])
        self.re = re.compile(
            rf"""(?x)[ \t]{{0,12}}(?:[„‚`´·"][ \t]+)?(?:\*\*)?(?:
              (?P<part>(?:{_alt(v["part_words"])})[ \t]+(?:(?:thứ|THỨ)[ \t]+(?P<part_ord>{ord_words})|(?P<part_num>{roman}|\d{{1,2}}))\b)
            | (?P<chapter>(?:{_alt(v["chapter_words"])})[ \t]+(?P<chapter_num>{roman}|\d{{1,2}})\b)
            | (?P<division>(?:{_alt(v["division_words"])})[ \t]+(?P<division_num>{roman}|\d{{1,2}})\b)
            | (?P<article>(?:{_alt(v["article_words"])})[ \t]+(?P<article_num>\d{{1,3}})[ \t]*[.:])
            | (?P<appendix>(?:PHỤ[ \t]LỤC|(?:Phụ[ \t][Ll]ục)(?=[^\n]{{0,20}}$))(?:[ \t]+(?:số[ \t]+)?(?P<appendix_num>{roman}|\d{{1,2}}))?\b)
            | (?P<closing>\|?[ \t]*(?:{_alt(v["closing_words"])})[ \t]*:?)
            | (?P<signature>\|?[ \t]*(?:{_alt(v["signature_capacities"])})[ \t]*\p{{Lu}})
            | (?P<sec>(?P<sec_num>{roman})(?:[ \t]*[.)]|[ \t]?[-–](?=[ \t])))
            | (?P<secocr>(?P<secocr_num>(?=[IVXlL1]{{0,5}}[lL1])[IVXlL1]{{2,6}})[ \t]*\.(?=[ \t]+\p{{Lu}}))
            | (?P<group>(?P<group_num>[A-H])[ \t]*[.)](?=[ \t]+\p{{Lu}}))
            | (?P<item>(?P<item_num>\d{{1,2}}(?:\.\d{{1,2}}){{0,4}})(?:[ \t]*[.)]|[ \t]?[-–](?=[ \t]+\p{{Lu}})|(?=[ \t]+\p{{Lu}})))
            | (?P<para>\((?P<para_num>\d{{1,2}})\))
            | (?P<point>(?P<point_num>[a-zđ])[ \t]*[.)])
            | (?P<bullet>[-–]|(?P<bullet2>\+)|(?P<bullet3>[•·▪○◦*]))
            | (?P<table>\|)
            )(?:\*\*)?(?P<sp>[ \t]*)"""
        )
        # "ĐỀ ÁN", "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ": a document-type word, maybe with a short
        # upper-case qualifier, alone on its line
        self.attachment_re = re.compile(
            rf"[ \t]{{0,12}}(?P<word>{_alt(v['attachment_words'])})(?:[ \t]+[\p{{Lu}}]{{1,12}}){{0,5}}[ \t]*$"
        )
        # the same, accent-insensitive (OCR output loses marks: "QUYET ĐỊNH", "KE HOẠCH", "Noi nhận")
        self.attachment_folded = re.compile(
            rf"[ \t]{{0,12}}(?P<word>{_alt(sorted({fold(w) for w in v['attachment_words']}))})(?:[ \t]+[a-z]{{1,12}}){{0,5}}[ \t]*$"
        )
        self.attachment_canonical = {fold(w): w for w in v["attachment_words"]}
        self.closing_folded = tuple(fold(w) for w in v["closing_words"])
        self.closing_initials = {w[0] for w in self.closing_folded if w}
        self.named_re = re.compile(rf"(?P<word>{_alt(v['named_blocks'])})[ \t]+(?P<num>\d{{1,2}}(?:\.\d{{1,2}})?)\b")
        self.named = v["named_blocks"]

    def roman_value(self, s: str) -> int:
        vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
        total = 0
        for i, ch in enumerate(s):
            v = vals[ch]
            total += -v if i + 1 < len(s) and vals[s[i + 1]] > v else v
        return total


_GRAMMAR: Optional[_Grammar] = None


def _grammar() -> _Grammar:
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = _Grammar()
    return _GRAMMAR


_TITLE_SPLIT = re.compile(r"[:：]")
_ITEM_LABEL = re.compile(r"\d{1,2}(?:\.\d{1,2}){0,4}(?:[ \t]*[.)]|[ \t]?[-–][ \t])")
_NUMBER_AFTER = re.compile(r"[ \t]*(?:%|\d|[.,/])")
_NON_SPACE = re.compile(r"\S")
_TABLE_RULE_CELL = re.compile(r":?-{2,}:?|")


def _first_folded(line: str) -> str:
    """The first character of ``fold(line).lstrip(" \t|*")`` whenever that starts with a letter:
    the characters before the one that gives it fold to nothing, a blank, "|" or "*" on their
    own too. A cheap test before folding a whole line."""
    for ch in line:
        f = fold(ch).lstrip(" \t|*")
        if f:
            return f[0]
    return ""


_OCR_ROMAN = str.maketrans("lL1", "III")
_OCR_DIGITS = str.maketrans("IlL", "111")
_RULE_LINE = re.compile(r"[ \t|]{0,8}[-_=*–—.]{3,}[ \t|]*$")


def _split_title(text: str, line_start: int, named: bool) -> tuple[Optional[str], int]:
    """Title of a heading line and where the own text starts (offset relative to line_start).

    "KINH PHÍ THỰC HIỆN: Nguồn kinh phí …" → title "KINH PHÍ THỰC HIỆN"; "Dự án 1: Phát triển
    …" keeps its whole line; a long paragraph-item (> 200 chars, no early colon) has no title.
    """
    stripped = text.rstrip()
    if not stripped.strip():
        return None, len(text)
    lead = len(text) - len(text.lstrip())
    m = _TITLE_SPLIT.search(text, lead, min(len(text), lead + 160))
    if m and not named:
        after = text[m.end() :].strip()
        title = text[lead : m.start()].strip()
        if title and after:
            return title, m.end()
        if title and not after:
            return title, len(text)
    if len(stripped) - lead <= 220:
        return stripped[lead:].strip().strip("*").strip() or None, len(text)
    return None, lead


def segment(text: str, body_end: Optional[int] = None) -> tuple[list[Section], list[Warning]]:
    """Build the section tree of ``text[:body_end]``. Always returns a valid tree."""
    g = _grammar()
    if body_end is None:
        body_end = len(text)
    warnings: list[Warning] = []
    nodes: list[_Node] = []
    seen_heading = False
    in_closing = False
    in_table: Optional[_Node] = None
    pos = 0
    lines: list[tuple[int, int]] = []
    while pos < body_end:
        nl = text.find("\n", pos, body_end)
        end = body_end if nl < 0 else nl
        lines.append((pos, end))
        pos = end + 1
    skip_until = -1
    last_item_top: Optional[int] = None
    last_sec = 0
    for li, (ls, le) in enumerate(lines):
        if ls < skip_until:
            continue
        line = text[ls:le]
        if not line.strip():
            continue
        # attachment: a document-type line on its own, after the body has begun
        am = g.attachment_re.match(line)
        folded = None
        if not am and line.strip().isupper() and len(line) < 80:
            folded = g.attachment_folded.match(fold(line))
        if am or folded:
            if seen_heading:
                # label: the document-type word ("CHƯƠNG TRÌNH HÀNH ĐỘNG" of "… CỦA CHÍNH PHỦ")
                label = am.group("word") if am else g.attachment_canonical[folded.group("word")]
                last_sec = 0
                title, title_end = _next_line_title(text, lines, li)
                node = _Node("attachment", g.ranks["attachment"], ls, title_end or le, label=label, title=title)
                node.id_label = None
                nodes.append(node)
                in_closing = False
                in_table = None
                if title_end:
                    skip_until = title_end
            continue
        if _RULE_LINE.match(line):
            continue  # "-------", "=====": a typographic rule, not a bullet
        m = g.re.match(line)
        if not m and _first_folded(line) in g.closing_initials and fold(line).lstrip(" \t|*").startswith(g.closing_folded):
            m = g.re.match("Nơi nhận:")  # an OCR'd "Noi nhận:"
        if not m:
            in_table = None
            continue
        kind = next(k for k in ("part", "chapter", "division", "article", "appendix", "closing", "signature", "sec", "secocr", "group", "item", "para", "point", "bullet", "table") if m.group(k) is not None)
        if kind == "secocr":
            # OCR reads "III." as "IIL." and "11." as "Il.": accept the reading that continues
            # the numbering in progress (Roman sections, else top-level items)
            raw = m.group("secocr_num")
            fixed = raw.translate(_OCR_ROMAN)
            as_digits = raw.translate(_OCR_DIGITS)
            if re.fullmatch(g.roman, fixed) and g.roman_value(fixed) == last_sec + 1:
                kind = "sec"
                note = f"Roman {fixed!r}"
            elif as_digits.isdigit() and last_item_top is not None and int(as_digits) == last_item_top + 1:
                kind = "item_ocr"
                note = f"number {as_digits!r}"
            else:
                continue
            warnings.append(Warning(code="ocr_label", message=f"read {raw!r} as {note}", span=Span(start=ls, end=le)))
        rest_start = m.end()
        rest = line[rest_start:]
        if kind == "table":
            if not seen_heading:
                continue  # a "|" header block (issuer | Quốc hiệu) stays in the preamble
            node = _table_line(text, ls, le, in_table)
            if node is not None:
                if node.kind == "table":
                    in_table = node
                nodes.append(node)
            continue
        in_table = None
        if kind == "signature":
            if in_closing:
                continue
            kind = "closing"
        if kind == "closing":
            if in_closing:
                continue
            in_closing = True
            nodes.append(_Node("closing", g.ranks["closing"], ls, le, label=None, title=line.strip().strip("|").strip()))
            continue
        if in_closing and kind not in ("part", "chapter", "appendix"):
            continue
        if not rest.strip() and kind in ("bullet", "item", "point", "para", "sec", "group"):
            continue  # a lone "-" or "1." line carries nothing
        if kind == "item":
            num = m.group("item_num")
            bare = not _ITEM_LABEL.match(line.lstrip(" \t*"))
            if bare and "." not in num:
                # "8 Xây dựng …": only when it continues the sibling numbering
                if last_item_top is None or int(num) != last_item_top + 1:
                    continue
            if _NUMBER_AFTER.match(rest):
                continue
            if "." not in num:
                last_item_top = int(num)
        if kind == "point" and not _NON_SPACE.match(rest):
            continue
        seen_heading = True
        if kind == "item_ocr":
            label = m.group("secocr_num").translate(_OCR_DIGITS)
            id_label, rank, kind = label, g.ranks["item"], "item"
            last_item_top = int(label)
        else:
            label, id_label, rank = _label(g, m, kind)
        if kind == "sec":
            last_sec = g.roman_value(label)
        elif kind in ("part", "chapter", "appendix", "article"):
            last_sec = 0  # Roman numbering restarts in each part
        named = g.named_re.match(rest)
        title, own_off = _split_title(rest, 0, named is not None)
        heading_end = ls + rest_start + own_off if own_off < len(rest) else le
        node = _Node(kind, rank, ls, heading_end, label=label, id_label=id_label, title=title)
        if named:
            node.role = g.named[named.group("word")]
        if kind in ("part", "chapter", "division", "appendix") and not rest.strip(" .:*"):
            t, t_end = _next_line_title(text, lines, li)
            if t:
                node.title, node.heading_end = t, t_end
                skip_until = t_end
        nodes.append(node)
    nodes = _with_conclusion(text, lines, nodes, body_end, g)
    roots = _build_tree(nodes, body_end, warnings, g)
    sections: list[Section] = []
    first_start = nodes[0].start if nodes else body_end
    if text[:first_start].strip():
        sections.append(
            Section(id="preamble", kind="preamble", text=text[:first_start].strip(), span=Span(start=0, end=first_start))
        )
    sections.extend(_to_section(n, text) for n in roots)
    return sections, warnings


_CONCLUSION = re.compile(
    r"[ \t*]{0,6}(?:Trên đây là|Trong quá trình (?:tổ chức |triển khai )?(?:tổ chức |triển khai )?thực hiện[ ,]{1,2}(?:nếu|có)|Quá trình (?:tổ chức )?(?:triển khai )?thực hiện,? nếu)",
    re.IGNORECASE,
)


def _with_conclusion(text: str, lines, nodes: list[_Node], body_end: int, g: _Grammar) -> list[_Node]:
    """The concluding paragraph ("Trên đây là Kế hoạch …", "Trong quá trình thực hiện, nếu có khó
    khăn …") after the last heading of a document belongs to the whole document, not to the
    last item: it becomes a top-level ``conclusion`` node. Only when no heading other than a
    bullet follows it before the closing block, an attachment, an appendix or the end.
    """
    boundaries = {"closing", "attachment", "appendix"}
    for ls, le in lines:
        if not _CONCLUSION.match(text, ls, le):
            continue
        later = [n for n in nodes if n.start > ls]
        stop = next((n for n in later if n.kind in boundaries), None)
        inside = [n for n in later if stop is None or n.start < stop.start]
        if any(n.kind not in ("bullet",) for n in inside) or any(n.start <= ls < n.heading_end for n in nodes):
            continue
        node = _Node("conclusion", g.ranks["conclusion"], ls, ls, label=None, title=None)
        node.id_label = None
        before = [n for n in nodes if n.start < ls]
        return before + [node] + [n for n in later if n.kind != "bullet" or (stop is not None and n.start > stop.start)]
    return nodes


def _next_line_title(text: str, lines, li: int) -> tuple[Optional[str], Optional[int]]:
    for ls, le in lines[li + 1 : li + 4]:
        s = text[ls:le].strip()
        if s:
            if _grammar().re.match(text[ls:le]) and not s.isupper():
                return None, None
            return s.strip("*").strip(), le
    return None, None


_CELL = re.compile(r"\|")


def _table_line(text: str, ls: int, le: int, table: Optional["_Node"]) -> Optional[_Node]:
    """A "|"-table line: starts a table, or is a numbered row of the current table."""
    g = _grammar()
    line = text[ls:le]
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if all(_TABLE_RULE_CELL.fullmatch(c) for c in cells):
        return None
    first = cells[0].rstrip(".)") if cells else ""
    if table is not None and re.fullmatch(rf"{g.roman}|\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}|[a-zđ]", first):
        task = next((c for c in cells[1:] if len(c) > 3), None)
        rank = g.ranks["table"] + 1 + (0 if re.fullmatch(g.roman, first) else 1 + first.count("."))
        return _Node("table_row", rank, ls, le, label=first, id_label=first.replace(".", "-"), title=task)
    if table is None:
        return _Node("table", g.ranks["table"], ls, le, label=None, title=None)
    return None


def _label(g: _Grammar, m, kind: str) -> tuple[str, str, int]:
    rank = g.ranks[kind]
    if kind == "part":
        label = m.group("part").strip()
        ordw = m.group("part_ord")
        num = m.group("part_num")
        if ordw:
            idl = str(g.ordinals.get(ordw.lower(), ordw))
        elif num and not num.isdigit():
            idl = str(g.roman_value(num))
        else:
            idl = num
        return label, idl, rank
    if kind in ("chapter", "division", "appendix"):
        num = m.group(f"{kind}_num")
        label = m.group(kind).strip()
        return label, (num or "1"), rank
    if kind == "article":
        num = m.group("article_num")
        return f"Điều {num}", num, rank
    if kind in ("sec", "group"):
        num = m.group(f"{kind}_num") or m.group("secocr_num").translate(_OCR_ROMAN)
        return num, num, rank
    if kind == "item":
        num = m.group("item_num")
        return num, num.replace(".", "-"), rank + num.count(".")
    if kind == "para":
        num = m.group("para_num")
        return num, num, rank
    if kind == "point":
        num = m.group("point_num")
        return num, ("dd" if num == "đ" else num), rank
    # bullets
    sym = m.group("bullet")
    sub = "bullet3" if m.group("bullet3") else "bullet2" if m.group("bullet2") else "bullet"
    return ("-" if sym in "-–" else sym), "", g.ranks[sub]


def _build_tree(nodes: list[_Node], body_end: int, warnings: list[Warning], g: _Grammar) -> list[_Node]:
    root = _Node("root", -1, 0, 0)
    stack = [root]
    for node in nodes:
        while len(stack) > 1 and stack[-1].rank >= node.rank:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)

    def close(n: _Node, end: int) -> None:
        n.end = end
        for i, c in enumerate(n.children):
            close(c, n.children[i + 1].start if i + 1 < len(n.children) else end)

    close(root, body_end)

    def assign(n: _Node, parent_id: str) -> None:
        used: dict[str, int] = {}
        counters: dict[str, int] = {}
        prev_by_kind: dict[str, _Node] = {}
        for c in n.children:
            prefix = g.prefix.get(c.kind, c.kind)
            if c.kind in ("closing", "conclusion"):
                base = prefix
            elif c.kind in ("attachment", "bullet") or not c.id_label:
                counters[c.kind] = counters.get(c.kind, 0) + 1
                base = f"{prefix}_{counters[c.kind]}"
            else:
                base = f"{prefix}_{c.id_label}"
            used[base] = used.get(base, 0) + 1
            local = base if used[base] == 1 else f"{base}_{used[base]}"
            c.id = f"{parent_id}__{local}" if parent_id else local
            _check_sequence(prev_by_kind.get(c.kind), c, n, warnings, g)
            prev_by_kind[c.kind] = c
            assign(c, c.id)

    assign(root, "")
    return root.children


def _ordinal_of(node: _Node, g: _Grammar) -> Optional[int]:
    lab = node.label or ""
    if node.kind in ("item",):
        return int(lab.split(".")[-1])
    if node.kind in ("para", "article"):
        return int(node.id_label or 0)
    if node.kind == "part" or node.kind in ("chapter", "division"):
        return int(node.id_label) if (node.id_label or "").isdigit() else None
    if node.kind == "sec":
        return g.roman_value(lab)
    if node.kind == "point":
        letters = g.v["letters_vi"]
        return letters.index(lab) + 1 if lab in letters else None
    return None


def _check_sequence(prev: Optional[_Node], cur: _Node, parent: _Node, warnings: list[Warning], g: _Grammar) -> None:
    cur_n = _ordinal_of(cur, g)
    if cur_n is None:
        return
    if cur.kind == "item" and "." in (cur.label or "") and parent.kind == "item":
        if not (cur.label or "").startswith((parent.label or "") + "."):
            warnings.append(Warning(code="label_parent_mismatch", message=f"item {cur.label} under {parent.label}", span=Span(start=cur.start, end=cur.heading_end)))
    prev_n = _ordinal_of(prev, g) if prev is not None else None
    if prev is None or prev_n is None:
        return
    if cur.kind == "point" and cur.label not in g.v["letters_vi"]:
        return
    if cur_n == prev_n:
        code, what = "label_repeated", "repeats"
    elif cur_n < prev_n:
        code, what = "label_out_of_order", "comes after"
    elif cur_n > prev_n + 1 and not (cur.kind == "point" and g.v["letters_latin"].find(cur.label or "") == g.v["letters_latin"].find(prev.label or "") + 1):
        code, what = "label_skipped", "skips after"
    else:
        return
    warnings.append(
        Warning(code=code, message=f"{cur.kind} label {cur.label!r} {what} {prev.label!r}", span=Span(start=cur.start, end=cur.heading_end))
    )


def _to_section(n: _Node, text: str) -> Section:
    own_end = n.children[0].start if n.children else n.end
    body = text[n.heading_end : own_end].strip() if n.heading_end < own_end else ""
    kind = n.role or n.kind
    return Section(
        id=n.id,
        kind=kind,
        label=n.label,
        title=n.title,
        text=body,
        span=Span(start=n.start, end=n.end),
        heading_span=Span(start=n.start, end=min(n.heading_end, n.end)),
        children=[_to_section(c, text) for c in n.children],
    )
