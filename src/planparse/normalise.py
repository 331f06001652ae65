"""Stage 2 — normalise: clean the decoded text without losing or silently rewriting it.

What it does (every change is recorded as a ``Removal`` with its source span):

- Unicode NFC (Kon Tum's "cu\u0309a" → "của"); stray combining marks, U+FFFD and zero-width
  characters removed; dashes, curly quotes, tabs and no-break spaces unified.
- Web chrome: paywall/login banner lines near the start or end, and a trailing block of
  JavaScript left by a saved page.
- Footnote markers: superscripts ("Phước¹", "CTXH⁹"), and markers lost in a text export that
  left the line broken ("nuôi(\\n) có", "phường\\n. Giảm") — the line is rejoined and the
  marker position kept as the footnote's anchor.
- Footnote bodies: lines starting with a superscript number ("⁷ Tổ chức …"), including bodies
  inserted mid-paragraph at a page break, and end-of-document bodies that start with a
  garbled number ("\uFFFD. Đối tượng …"); they are moved to a footnote area after the body.
- Paragraphs split by a page break or a hard wrap: an open line (no closing punctuation)
  followed by a line starting in lower case is rejoined; when the main text is closed but
  the last footnote body is open, the line continues that footnote.

The result keeps an ``OffsetMap`` so every span maps back to the decoded source.
"""

from __future__ import annotations

import re as _sre
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

import regex as re

from .models import Footnote, Removal, SourceSpan, Span, Warning
from .offsets import OffsetMap, TextBuilder
from .textkey import key
from .vocab import load

_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_TO_DIGIT = str.maketrans(_SUPERSCRIPT, "0123456789")

# characters handled one by one inside a line
_SPECIAL = re.compile(
    rf"[\u200B-\u200D\u2060\uFEFF\u00AD\uFFFD\uD800-\uDFFF]"
    rf"|[\u2010-\u2015\u2212]"
    rf"|[\u201C\u201D\u201E\u201F\u2018\u2019\u201A\u201B]"
    rf"|[\t\u00A0\u2007\u202F]"
    rf"|(?<![kcdm]m|\bha)[{_SUPERSCRIPT}]{{1,3}}"
    rf"|\p{{M}}{{1,8}}"
    rf"|\p{{L}}\p{{M}}{{1,8}}"
)
_BRACKET_MARKER = re.compile(r"(?<=[\p{L}\p{N}.,;:)\]\"'])\[(\d{1,3})\]")
_SPECIAL_MD = re.compile(
    _SPECIAL.pattern
    + r"|\*\*|__(?=\S)|(?<=\S)__"  # bold
    + r"|(?<=\S)\*(?!\*)|(?<!\*)\*(?=\S)|(?<=[ \t])\*(?=[ \t]*$)"  # italic star, not a "* " bullet
    + r"|\\(?=[-.*_#+()\[\]|>!`])"  # backslash escapes
    + "|" + _BRACKET_MARKER.pattern  # "[1]" footnote markers
)
# Speed: every match of _SPECIAL starts at one of these characters, except a letter + marks,
# which starts one character before its first mark (a \p{M}); _SPECIAL_MD adds * _ \\ [.
_TRIGGER_CHARS = (
    "\u200B-\u200D\u2060\uFEFF\u00AD\uFFFD\u2010-\u2015\u2212\u201C\u201D\u201E\u201F\u2018\u2019\u201A\u201B"
    rf"\t\u00A0\u2007\u202F\ud800-\udfff{_SUPERSCRIPT}\p{{M}}"
)
_TRIGGER = re.compile(rf"[{_TRIGGER_CHARS}]")
_TRIGGER_MD = re.compile(rf"[{_TRIGGER_CHARS}*_\\\[]")
# a text without combining marks (the usual case) needs only the literal characters, which the
# standard re module finds several times faster than regex finds the class with \p{M}
_MARK = re.compile(r"\p{M}")
_LITERAL_TRIGGER = _sre.compile("[" + _TRIGGER_CHARS.replace(r"\p{M}", "") + "]")
_LITERAL_TRIGGER_MD = _sre.compile("[" + _TRIGGER_CHARS.replace(r"\p{M}", "") + r"*_\\\[]")
_BLANKS = re.compile(r"[ \t]*")
_MD_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_REPLACE = {
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"},
    **{c: '"' for c in "\u201C\u201D\u201E\u201F"},
    **{c: "'" for c in "\u2018\u2019\u201A\u201B"},
    **{c: " " for c in "\t\u00A0\u2007\u202F"},
}
_KIND = {"-": "dash", '"': "quote", "'": "quote", " ": "space"}

_FN_SUPERSCRIPT_START = re.compile(rf"[ \t]{{0,8}}([{_SUPERSCRIPT}]{{1,3}})[ \t]{{0,4}}(?=\S)")
_FN_GARBLED_START = re.compile(r"[ \t]{0,8}\uFFFD{1,3}[ \t]{0,2}[.)]?[ \t]{1,4}(?=\S)")
_FN_BRACKET_START = re.compile(r"[ \t]{0,8}\[(\d{1,3})\][ \t]*")
_STARTS_BLOCK = re.compile(
    r"[ \t]{0,8}(?:\*\*)?[ \t]*(?:[IVX]{1,6}[.)]|\d{1,2}(?:\.\d{1,2}){0,4}[.)]|[a-zđ][.)]|\(\d{1,2}\)"
    r"|[-+•*][ \t]|#|\||\[\d{1,3}\]|Điều[ \t]+\d|Phần[ \t]|PHẦN[ \t]|Chương[ \t]|CHƯƠNG[ \t]|Nơi nhận"
    r"|[-_=*.]{3,}|(?:TM|KT|Q|TL|TUQ)\.[ \t])"
)
_MARKER_CONT = re.compile(r"[ \t]{0,4}[.,;:)]")
_PAGE_BREAK = re.compile(
    r"[ \t\f]*(?:\f|[-=_*]{2,}[ \t]*(?:PAGE[ \t]?BREAK|(?:Page|Trang)[ \t]+\d{1,4})[ \t]*[-=_*]{2,}|-[ \t]?\d{1,4}[ \t]?-)[ \t\f]*$",
    re.IGNORECASE,
)
_CODE_FENCE = re.compile(r"[ \t]{0,3}(?:`{3,}|~{3,})[\w-]{0,20}[ \t]*$")
_LOWER_START = re.compile(r"[ \t]{0,8}\p{Ll}")
_LIST_START = re.compile(r"[ \t]{0,8}(?:[a-zđ][.)]|[-+•*])[ \t]")
_CLOSING_PUNCT = set('.:;!?…"\')]}|/')
_HEADING_LIKE = re.compile(r"[ \t]{0,8}(?:[IVX]{1,6}|\d{1,2}(?:\.\d{1,2}){0,4})[.)][ \t]")


@dataclass
class Normalised:
    """Output of ``normalise``: the text, where the body ends, and what was changed."""

    text: str
    body_end: int
    offsets: OffsetMap
    removals: list[Removal] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> SourceSpan:
        # = SourceSpan(start=…, end=…): the same validation, from a dict (cheaper than keywords)
        src_start = self.offsets.to_source(start)
        # an empty span (a heading-less node) maps to an empty source span, never an inverted one
        src_end = max(src_start, self.offsets.to_source(end, end=True)) if end > start else src_start
        return SourceSpan.__pydantic_validator__.validate_python({"start": src_start, "end": src_end})


@dataclass
class _Line:
    start: int
    end: int
    dest: str = "main"  # main | blank | removed | fn
    kind: str = ""  # removal kind
    fn: int = -1  # footnote index for fn lines
    marker_end: int = -1  # end of the footnote-number prefix on a footnote's first line


@dataclass
class _FootnoteBody:
    marker: Optional[str]
    lines: list[int] = field(default_factory=list)


def _split_lines(source: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    n = len(source)
    while pos <= n:
        nl = source.find("\n", pos)
        end = n if nl < 0 else nl
        text_end = end - 1 if end > pos and source[end - 1] == "\r" else end
        lines.append(_Line(pos, text_end))
        if nl < 0:
            break
        pos = nl + 1
    return lines


def _is_open(text: str) -> bool:
    s = text.rstrip()
    return bool(s) and s[-1] not in _CLOSING_PUNCT


def _short_caps(text: str) -> bool:
    """An upper-case line shorter than a wrapped line: a title or signature line of its own."""
    s = text.replace("*", "").strip()
    return len(s) < 60 and s.isupper()


def _looks_like_script(text: str) -> bool:
    """A line of a trailing script block: ASCII-only code, or a "//" comment."""
    s = text.strip()
    return not s or s.startswith("//") or all(ord(c) < 128 for c in s)


def _classify(source: str, lines: list[_Line]) -> list[_FootnoteBody]:
    vocab = load("normalise.json")
    banner = [key(p) for p in vocab["banner_phrases"]]
    nonblank = [i for i, ln in enumerate(lines) if source[ln.start : ln.end].strip()]
    for ln in lines:
        if not source[ln.start : ln.end].strip():
            ln.dest = "blank"
    # 1. web banners: a line of its own among the first or last few non-blank lines
    for i in nonblank[:6] + nonblank[-6:]:
        k = key(source[lines[i].start : lines[i].end])
        if len(k) < 200 and any(p in k for p in banner):
            lines[i].dest, lines[i].kind = "removed", "web_banner"
    # 2. trailing script block
    j = len(nonblank)
    strong = 0
    while j > 0 and _looks_like_script(source[lines[nonblank[j - 1]].start : lines[nonblank[j - 1]].end]):
        s = source[lines[nonblank[j - 1]].start : lines[nonblank[j - 1]].end]
        if re.search(r"\bvar\b|\bfunction\b|\$\(|window\[|===|^\s*[{}]\s*$", s):
            strong += 1
        j -= 1
    if len(nonblank) - j >= 5 and strong >= 2:
        for i in nonblank[j:]:
            lines[i].dest, lines[i].kind = "removed", "script"
    # 3. page-break markers left by converters: "\f", "--- PAGE BREAK ---", "- 3 -", "=== Trang 3 ==="
    for i in nonblank:
        if lines[i].dest == "main" and _PAGE_BREAK.match(source, lines[i].start, lines[i].end):
            lines[i].dest, lines[i].kind = "removed", "page_break"
        elif lines[i].dest == "main" and _CODE_FENCE.match(source, lines[i].start, lines[i].end):
            lines[i].dest, lines[i].kind = "removed", "markup"
    # 4. footnote bodies
    bodies: list[_FootnoteBody] = []
    tail = False
    first_inline: dict[str, int] = {}
    for mm in _BRACKET_MARKER.finditer(source):
        first_inline.setdefault(mm.group(1), mm.start())
    for i in nonblank:
        ln = lines[i]
        if ln.dest != "main":
            continue
        text = source[ln.start : ln.end]
        m = _FN_SUPERSCRIPT_START.match(text)
        g = None if m else _FN_GARBLED_START.match(text)
        b = None if m or g else _FN_BRACKET_START.match(text)
        if b is not None and first_inline.get(b.group(1), len(source)) >= ln.start:
            b = None  # "[3]" at a line start is a footnote only when "[3]" was cited before
        if m or g or b:
            marker = m.group(1).translate(_SUP_TO_DIGIT) if m else b.group(1) if b else None
            bodies.append(_FootnoteBody(marker, [i]))
            ln.dest, ln.fn = "fn", len(bodies) - 1
            ln.marker_end = ln.start + (m or g or b).end()
            tail = tail or g is not None or b is not None
        elif tail and bodies:
            # after a garbled end-of-document footnote, following lines continue it
            bodies[-1].lines.append(i)
            ln.dest, ln.fn = "fn", len(bodies) - 1
    return bodies


def _new_removal(fields: dict) -> Removal:
    return Removal.__pydantic_validator__.validate_python(fields)


class _Emitter:
    """Copies line content into the builder, cleaning characters and recording changes."""

    def __init__(self, source: str, builder: TextBuilder, removals: list[Removal], markdown: bool = False):
        self.source = source
        self.b = builder
        self.removals = removals
        self.markdown = markdown
        self.special = _SPECIAL_MD if markdown else _SPECIAL
        if _MARK.search(source):
            self.trigger = _TRIGGER_MD if markdown else _TRIGGER
        else:
            self.trigger = _LITERAL_TRIGGER_MD if markdown else _LITERAL_TRIGGER
        self.anchors: list[tuple[int, Optional[str], int, int]] = []  # (norm offset, marker, src start, src end)

    def remove(self, kind: str, start: int, end: int, replacement: str = "") -> None:
        self.removals.append(
            # = Removal(kind=…, source_span=SourceSpan(…), …), validated in one call from a dict
            _new_removal({"kind": kind, "source_span": {"start": start, "end": end}, "text": self.source[start:end], "replacement": replacement})
        )

    def _specials(self, start: int, end: int):
        """``self.special.finditer(self.source, start, end)``, trying the pattern only at and
        just before the trigger characters (see ``_TRIGGER``): a line without any is skipped
        by one character-class search. The leftmost match at or after the search position
        starts at the first trigger or, for a letter + marks, one character before it."""
        src, special, trigger = self.source, self.special, self.trigger
        pos = start
        while True:
            t = trigger.search(src, pos, end)
            if t is None:
                return
            i = t.start()
            m = special.match(src, i - 1, end) if i - 1 >= pos else None
            if m is None:
                m = special.match(src, i, end)
            if m is None:
                pos = i + 1
                continue
            yield m
            pos = m.end()

    def emit(self, start: int, end: int, line_start: bool = False) -> None:
        src = self.source
        if self.markdown and line_start:
            h = _MD_HEADING.match(src, start, end)
            if h:
                self.remove("markup", start, h.end())
                start = h.end()
        pos = start
        for m in self._specials(start, end):
            s, e = m.span()
            ch = m.group()
            if ch[0] in "*_\\" and len(ch) <= 2:
                self.b.copy(src, pos, s)
                self.remove("markup", s, e)
            elif ch[0] in _SUPERSCRIPT or ch[0] == "[":
                self.b.copy(src, pos, s)
                self.anchors.append((self.b.length, ch.strip("[]").translate(_SUP_TO_DIGIT), s, e))
                self.remove("footnote_marker", s, e)
            elif ch in _REPLACE:
                self.b.copy(src, pos, s)
                rep = _REPLACE[ch]
                self.b.replace(rep, s, e)
                self.remove(_KIND[rep], s, e, rep)
            elif len(ch) == 1 and unicodedata.category(ch) == "Cs":
                # a lone surrogate cannot be written as UTF-8: recorded as U+FFFD
                self.b.copy(src, pos, s)
                self.removals.append(Removal(kind="lone_surrogate", source_span=SourceSpan(start=s, end=e), text="\ufffd"))
            elif len(ch) == 1 and unicodedata.category(ch) in ("Cf", "So") or ch == "\uFFFD":
                self.b.copy(src, pos, s)
                self.remove("replacement_char" if ch == "\uFFFD" else "zero_width", s, e)
            elif unicodedata.category(ch[0]).startswith("M"):
                self.b.copy(src, pos, s)
                self.remove("stray_mark", s, e)
            else:  # letter + combining marks
                nfc = unicodedata.normalize("NFC", ch)
                if nfc == ch:
                    continue
                self.b.copy(src, pos, s)
                self.b.replace(nfc, s, e)
                self.remove("nfc", s, e, nfc)
            pos = e
        self.b.copy(src, pos, end)


_MD_SIGNS = re.compile(r"^#{1,6}[ \t]|\*\*\S|^\|?[ \t]*:?-{3,}:?[ \t]*\|", re.MULTILINE)


def _is_markdown(source: str) -> bool:
    """Markdown/web copies: "# " titles, "**bold**", "|---|" table rules."""
    # each match holds its own "#", "**" or "---": with fewer than 6 of those there are not 6
    if source.count("#") + source.count("**") + source.count("---") < 6:
        return False
    return sum(1 for _ in zip(range(6), _MD_SIGNS.finditer(source))) >= 6


def _wrap_width(source: str, lines: list[_Line], main: list[int]) -> Optional[int]:
    """The column a hard-wrapped text was wrapped at, or None when lines are paragraphs."""
    lengths = sorted(lines[i].end - lines[i].start for i in main)
    if len(lengths) < 10:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    if not 40 <= width <= 140:
        return None
    followed = [i for i in main if i + 1 < len(lines) and lines[i + 1].dest == "main"]
    long = sum(1 for i in followed if lines[i].end - lines[i].start >= 0.6 * width)
    return width if followed and long >= 0.5 * len(followed) and len(followed) >= 0.3 * len(main) else None


def normalise(source: str, *, markdown: Optional[bool] = None) -> Normalised:
    """Normalise decoded text; never raises on odd input (an empty string gives an empty text).

    ``markdown`` (auto-detected when None) also removes "**", "*", "#", "\\" markup and
    reads "[1]" footnote markers.
    """
    if markdown is None:
        markdown = _is_markdown(source)
    lines = _split_lines(source)
    bodies = _classify(source, lines)
    removals: list[Removal] = []
    warnings: list[Warning] = []
    builder = TextBuilder()
    em = _Emitter(source, builder, removals, markdown=markdown)

    for ln in lines:
        if ln.dest == "removed":
            em.remove(ln.kind, ln.start, ln.end)

    main = [i for i, ln in enumerate(lines) if ln.dest == "main"]
    width = _wrap_width(source, lines, main)
    soft = markdown or width is not None
    # Markdown: consecutive lines are one paragraph; a hard-wrapped text: lines cut at the width
    min_wrapped = 0 if markdown else 0.6 * width if width else 0
    # decide joins between consecutive main lines and footnote continuations
    joins: dict[int, str] = {}  # main line index -> how it attaches to the previous main line
    last_fn_open: Optional[int] = None
    prev: Optional[int] = None
    moved: set[int] = set()
    for i in main:
        text = source[lines[i].start : lines[i].end]
        # footnote bodies seen since prev main line
        lo = prev + 1 if prev is not None else 0
        fn_between = [lines[k].fn for k in range(lo, i) if lines[k].dest == "fn"]
        if fn_between:
            last = bodies[fn_between[-1]]
            last_ln = lines[last.lines[-1]]
            last_text = source[last_ln.start : last_ln.end]
            last_fn_open = fn_between[-1] if _is_open(last_text) else None
        if prev is not None:
            prev_text = source[lines[prev].start : lines[prev].end]
            adjacent = i == prev + 1
            if adjacent and _MARKER_CONT.match(text) and _is_open(prev_text):
                joins[i] = "marker_paren" if prev_text.rstrip().endswith("(") and text.lstrip().startswith(")") else "marker"
            elif (
                soft
                and adjacent
                and not _STARTS_BLOCK.match(text)
                and not (markdown and prev_text.endswith("  "))  # Markdown hard line break
                and (
                    prev_text.count("**") % 2 == 1
                    or _is_open(prev_text) and len(prev_text.rstrip()) >= min_wrapped and not _short_caps(prev_text)
                )
            ):
                joins[i] = "wrap"  # a hard-wrapped line: same paragraph
            elif _LOWER_START.match(text) and not _LIST_START.match(text):
                if _is_open(prev_text) and not _HEADING_LIKE.match(prev_text) or (
                    _is_open(prev_text) and len(prev_text) > 80
                ):
                    joins[i] = "wrap"
                elif last_fn_open is not None:
                    bodies[last_fn_open].lines.append(i)
                    lines[i].dest, lines[i].fn = "fn", last_fn_open
                    moved.add(i)
                    continue
        prev = i
    main = [i for i in main if i not in moved]

    # emit the body
    cursor_line: Optional[int] = None
    for n, i in enumerate(main):
        ln = lines[i]
        start, end = ln.start, ln.end
        how = joins.get(i)
        if cursor_line is not None:
            p = lines[cursor_line]
            if how in ("marker", "marker_paren"):
                sep_start = p.end
                cut_end = start
                if how == "marker_paren":
                    sep_start = source.rindex("(", p.start, p.end)
                    cut_end = source.index(")", start, end) + 1
                else:
                    # keep nothing of the break: trailing spaces before it are kept by emit
                    sep_start = p.end
                em.anchors.append((builder.length, None, sep_start, cut_end))
                em.remove("footnote_marker", sep_start, cut_end)
                start = cut_end
            elif how == "wrap":
                gap_end = start
                gap_end = _BLANKS.match(source, start, end).end()  # = start + len of re.match(r"[ \t]*", source[start:end])
                builder.replace(" ", p.end, gap_end)
                em.remove("line_join", p.end, gap_end, " ")
                start = gap_end
            else:
                # copy the line break(s) up to the first non-main line in between
                k = cursor_line + 1
                stop = start
                while k < i:
                    if lines[k].dest in ("removed", "fn"):
                        stop = lines[k].start
                        break
                    k += 1
                builder.copy(source, p.end, stop)
        else:
            # blank lines before the first main line are dropped (removed lines are recorded)
            if ln.start > 0 and not source[: ln.start].strip():
                em.remove("leading_space", 0, ln.start)
        end_cut = end
        nxt = main[n + 1] if n + 1 < len(main) else None
        if nxt is not None and joins.get(nxt) == "marker_paren":
            end_cut = source.rindex("(", start, end)
        em.emit(start, end_cut, line_start=start == ln.start)
        cursor_line = i
    if cursor_line is not None and lines[cursor_line].end < len(source):
        tail = source[lines[cursor_line].end :]
        if tail.strip() == "":
            builder.copy(source, lines[cursor_line].end, len(source))
    body_end = builder.length

    # footnote area
    footnotes: list[Footnote] = []
    if bodies:
        builder.replace("\n\n", len(source), len(source))
        numbered = {a[1]: a for a in em.anchors if a[1] is not None}
        unnumbered = [a for a in em.anchors if a[1] is None]
        used_unnumbered = 0
        for n, body in enumerate(bodies):
            if n:
                builder.replace("\n", len(source), len(source))
            fn_start = builder.length
            first = lines[body.lines[0]]
            em.remove("footnote_marker", first.start, first.marker_end)
            em.emit(first.marker_end, first.end)
            for k in body.lines[1:]:
                builder.replace(" ", lines[k].start, lines[k].start)
                em.emit(lines[k].start, lines[k].end)
            fn_end = builder.length
            marker = body.marker
            anchor = None
            if marker is not None and marker in numbered:
                anchor = numbered.pop(marker)
            elif marker is None and used_unnumbered < len(unnumbered):
                anchor = unnumbered[used_unnumbered]
                used_unnumbered += 1
            if anchor is None:
                warnings.append(Warning(code="footnote_unlinked", message=f"footnote {marker or n + 1} has no marker in the text"))
            footnotes.append(
                Footnote(
                    id=f"fn-{n + 1}",
                    marker=marker or str(n + 1),
                    text="",
                    span=Span(start=fn_start, end=fn_end),
                    anchor=anchor[0] if anchor else None,
                    marker_source_span=SourceSpan(start=anchor[2], end=anchor[3]) if anchor else None,
                )
            )
        text = builder.text()
        for fn in footnotes:
            fn.text = text[fn.span.start : fn.span.end].strip()
    else:
        text = builder.text()
    removals.sort(key=lambda r: (r.source_span.start, r.source_span.end))
    return Normalised(text=text, body_end=body_end, offsets=builder.map, removals=removals, footnotes=footnotes, warnings=warnings)
