"""HTML reader: the main text of a saved web page (lxml.html, libxml2's forgiving HTML parser).

Pages saved from legal portals (thuvienphapluat.vn, vbpl.vn, chinhphu.vn …) wrap a document in
site chrome. What is kept and how (vocabulary in ``data/html_chrome.json``):

- decoding: BOM; valid UTF-8; the ``<meta charset>``/``http-equiv`` charset; otherwise the
  plain-text detector (legacy Vietnamese encodings, Windows-1258);
- dropped everywhere: ``script``, ``style``, ``noscript``, ``template``, ``svg``, ``iframe``,
  form controls, comments, elements hidden with ``hidden``/``display:none``/``aria-hidden``;
- dropped as chrome: ``nav``/``header``/``footer``/``aside``/``menu``, ARIA roles
  (navigation, banner, contentinfo …) and elements whose id/class words name chrome ("menu",
  "top-banner", "site-footer", "sidebar", "share", "quangcao" …) — never one that holds a
  document header phrase ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") or half of the page's text;
- main content: the first known content container (``#toanvancontent``, ``#divContentDoc``,
  ``.content1`` …) with text, else the element with most text outside links: from ``body``
  (or a ``main``/``article`` holding half of it) down while one child holds 85 % of it and no
  sibling holds the document's header block;
- text: block elements and ``<br>`` end lines, white space collapsed as a browser does
  (``<pre>`` kept), entities decoded; ``<table>`` rows as "| a | b |" (``colspan`` followed by
  empty cells, ``rowspan`` leaving empty cells below; a one-column or page-layout table is read
  as paragraphs; a table inside a cell is flattened into it); ``<ol>``/``<ul>`` items get the
  label a browser shows ("1.", "a.", "I.", "•") unless their text already starts with one;
  footnote references (``<sup>3</sup>``, Word's ``<a href="#_ftn3">[3]</a>``) become
  superscript digits, so Word-exported footnote bodies read "³ Body".
"""

from __future__ import annotations

import codecs
import re
from typing import Optional

from ..errors import DecodeError, InputError, UnsupportedFormatError
from ..models import SourceInfo, Warning
from ..vocab import load

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]{1,40})""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_LIST_NONE = re.compile(r"list-style(?:-type)?\s*:\s*none", re.I)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_NOTE_REF = re.compile(r"\[?\(?(\d{1,3})\)?\]?")
_NOTE_HREF = re.compile(r"#_?(?:ftn|edn|fn|footnote|endnote|cite_note)[-_]?(?:ref)?[-_]?\d", re.I)
_WS = re.compile(r"[ \t\n\r\f\v]+")
_STARTS_LABEL = re.compile(r"\s*(?:[-+•*–]\s|\(?[0-9]{1,3}[.)]|\(?[a-zđ][.)]\s|[IVXLC]{1,6}[.)]\s)")
_LAYOUT_LINES = 30
MAIN_SHARE = 0.85
PROTECT_SHARE = 0.5


class _Vocab:
    def __init__(self) -> None:
        v = load("html_chrome.json")
        self.content_ids = v["content_ids"]
        self.content_classes = v["content_classes"]
        self.drop_tags = set(v["drop_tags"])
        self.chrome_tags = set(v["chrome_tags"])
        self.chrome_roles = set(v["chrome_roles"])
        self.chrome_words = set(v["chrome_words"])
        self.protect = v["protect_phrases"]
        self.block = set(v["block_tags"])


_VOCAB: Optional[_Vocab] = None


def _vocab() -> _Vocab:
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = _Vocab()
    return _VOCAB


# --------------------------------------------------------------------------- decoding


def decode_html(data: bytes, path: str, encoding: Optional[str] = None) -> tuple[str, str, float, list[Warning]]:
    """Text of an HTML file: (text, encoding, confidence, warnings).

    Order: an explicit ``encoding``; a BOM; valid UTF-8 (whatever the page declares, since
    saved Vietnamese pages often keep a stale charset); the declared ``<meta charset>``; the
    plain-text detector (legacy Vietnamese encodings, with its warning).
    """
    from . import decode_text

    if encoding:
        return decode_text(data, path, encoding)
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data, path)
    try:
        return data.decode("utf-8"), "utf-8", 1.0, []
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:8192])
    if m:
        name = m.group(1).decode("ascii", "replace").lower()
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        if name and name not in ("utf-8", "utf8"):
            try:
                return data.decode(name), name, 0.9, []
            except UnicodeDecodeError:
                pass
    return decode_text(data, path)


# --------------------------------------------------------------------------- cleaning


def _tag(el) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _nonspace(s: Optional[str]) -> int:
    return len(s) - sum(s.count(c) for c in " \t\n\r\xa0") if s else 0


def _words(el) -> set[str]:
    raw = " ".join(filter(None, (el.get("id"), el.get("class"))))
    return {w.lower() for w in _WORD_SPLIT.split(raw) if w} if raw else set()


def _drop(el) -> None:
    """Remove ``el`` but keep its tail text (lxml's ``drop_tree``)."""
    parent = el.getparent()
    if parent is not None:
        el.drop_tree()


def _strip_noise(root) -> None:
    """Drop never-text elements, comments and hidden elements."""
    v = _vocab()
    doomed = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            doomed.append(el)
            continue
        t = tag.lower()
        if t in v.drop_tags:
            doomed.append(el)
        elif el.get("hidden") is not None or el.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(el.get("style") or ""):
            doomed.append(el)
    for el in doomed:
        _drop(el)


def _scores(root) -> dict:
    """Non-space characters of text outside links, for every element (one bottom-up pass)."""
    scores: dict = {}
    for el in reversed(list(root.iter())):
        if not isinstance(el.tag, str):
            continue
        if _tag(el) == "a":
            total = 0
        else:
            total = _nonspace(el.text)
            for child in el:
                total += scores.get(child, 0) + _nonspace(child.tail)
        scores[el] = total
    return scores


def _is_chrome(el, v: _Vocab) -> bool:
    t = _tag(el)
    if t in v.chrome_tags:
        return True
    role = (el.get("role") or "").lower()
    if role in v.chrome_roles:
        return True
    return bool(_words(el) & v.chrome_words)


def _protected(el, v: _Vocab) -> bool:
    text = el.text_content()
    return any(p in text for p in v.protect)


def _strip_chrome(container, scores: dict, total: int) -> int:
    """Drop chrome elements below ``container``; returns how many were dropped."""
    v = _vocab()
    doomed = []
    skip_below = set()
    for el in container.iter():
        if el is container or not isinstance(el.tag, str):
            continue
        parent = el.getparent()
        if parent is not None and parent in skip_below:
            skip_below.add(el)
            continue
        if _is_chrome(el, v):
            if total and scores.get(el, 0) >= PROTECT_SHARE * total:
                continue
            if _protected(el, v):
                continue
            doomed.append(el)
            skip_below.add(el)
    for el in doomed:
        _drop(el)
    return len(doomed)


def _known_container(root, scores: dict, total: int):
    v = _vocab()
    by_id = {}
    by_class: dict[str, list] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        i = el.get("id")
        if i and i.lower() not in by_id:
            by_id[i.lower()] = el
        cls = el.get("class")
        if cls:
            for c in cls.split():
                by_class.setdefault(c.lower(), []).append(el)
    floor = max(20, int(0.3 * total))
    for name in v.content_ids:
        el = by_id.get(name.lower())
        if el is not None and scores.get(el, 0) >= floor:
            return el, f"#{el.get('id')}"
    for name in v.content_classes:
        for el in by_class.get(name.lower(), []):
            if scores.get(el, 0) >= floor:
                # nested containers of one class ("div.content1 div.content1"): the inner one
                # when it holds the text of the outer
                inner = [c for c in by_class[name.lower()] if c is not el and _is_ancestor(el, c) and scores.get(c, 0) >= MAIN_SHARE * scores[el]]
                best = inner[-1] if inner else el
                return best, f".{name}"
    return None, ""


def _is_ancestor(a, b) -> bool:
    p = b.getparent()
    while p is not None:
        if p is a:
            return True
        p = p.getparent()
    return False


def _densest(start, scores: dict):
    """From ``start`` down while one child holds ``MAIN_SHARE`` of its parent's text and no
    other child holds the document's header block."""
    v = _vocab()
    node = start
    while True:
        total = scores.get(node, 0)
        best = None
        best_score = 0
        for child in node:
            if not isinstance(child.tag, str):
                continue
            s = scores.get(child, 0)
            if s > best_score:
                best, best_score = child, s
        if best is None or total == 0 or best_score < MAIN_SHARE * total or _tag(best) in ("tr", "tbody", "thead", "p", "li"):
            return node
        # the document's header block (issuer | Quốc hiệu, Số | date) may sit in a sibling of the body
        if any(c is not best and isinstance(c.tag, str) and scores.get(c, 0) and _protected(c, v) for c in node):
            return node
        node = best


def _describe(el) -> str:
    out = _tag(el)
    if el.get("id"):
        out += "#" + el.get("id")
    elif el.get("class"):
        out += "." + ".".join(el.get("class").split())
    return out


def main_content(root) -> tuple[object, str, int]:
    """The element holding the document's text, how it was found, and chrome elements dropped."""
    _strip_noise(root)
    body = root.find(".//body")
    if body is None:
        body = root
    scores = _scores(body)
    total = scores.get(body, 0)
    el, how = _known_container(body, scores, total)
    if el is not None:
        dropped = _strip_chrome(el, scores, scores.get(el, 0))
        return el, f"known container {how}", dropped
    dropped = _strip_chrome(body, scores, total)
    scores = _scores(body)
    start = body
    for cand in body.iter("main", "article"):
        if scores.get(cand, 0) >= PROTECT_SHARE * scores.get(body, 0):
            start = cand
            break
    if start is body:
        for cand in body.iter():
            if isinstance(cand.tag, str) and (cand.get("role") or "").lower() == "main" and scores.get(cand, 0) >= PROTECT_SHARE * scores.get(body, 0):
                start = cand
                break
    node = _densest(start, scores)
    return node, f"densest {_describe(node)}", dropped


# --------------------------------------------------------------------------- rendering


def _roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out) or str(n)


def list_label(kind: str, n: int) -> str:
    """The marker a browser shows for item ``n`` of ``<ol type=kind>``: "3.", "c.", "C.", "iii.", "III."."""
    if kind == "a":
        return (chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)) + "."
    if kind == "A":
        return (chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)) + "."
    if kind == "i":
        return _roman(n).lower() + "."
    if kind == "I":
        return _roman(n) + "."
    return f"{n}."


class _Out:
    """Lines being built: inline text is collected, block boundaries flush a line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: list[str] = []

    def add(self, s: str) -> None:
        if s:
            self.cur.append(s)

    def flush(self) -> None:
        if not self.cur:
            return
        line = _WS.sub(" ", "".join(self.cur)).strip(" ")
        self.cur = []
        if line.strip(" \xa0"):
            self.lines.append(line)

    def raw_line(self, line: str) -> None:
        self.flush()
        self.lines.append(line)


def _note_ref(el) -> Optional[str]:
    """Superscript digits for a footnote reference element, else None.

    ``<sup>3</sup>``, ``<sup>[3]</sup>``, ``<a href="#_ftn3">[3]</a>`` (Word's HTML export),
    ``<a href="#cite_note-3">``.
    """
    t = _tag(el)
    if t not in ("sup", "a"):
        return None
    if t == "a":
        href = el.get("href") or ""
        name = el.get("name") or el.get("id") or ""
        if not (_NOTE_HREF.search(href) or _NOTE_HREF.search("#" + name)):
            return None
    text = "".join(el.itertext()).strip()
    m = _NOTE_REF.fullmatch(text)
    if not m:
        return None
    return m.group(1).translate(SUPERSCRIPT)


def _render(el, out: _Out, depth: int = 0) -> None:
    v = _vocab()
    t = _tag(el)
    if depth > 400:
        out.add(el.text_content())
        return
    if t == "br":
        out.flush()
        return
    ref = _note_ref(el)
    if ref is not None:
        out.add(ref)
        return
    if t == "table":
        _table(el, out, depth)
        return
    if t == "pre":
        out.flush()
        for line in el.text_content().splitlines():
            if line.strip():
                out.raw_line(line.rstrip())
        return
    if t in ("ol", "ul"):
        _list(el, out, depth)
        return
    block = t in v.block
    if block:
        out.flush()
    if el.text:
        out.add(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _render(child, out, depth + 1)
        if child.tail:
            out.add(child.tail)
    if block:
        out.flush()


def _list(el, out: _Out, depth: int) -> None:
    ordered = _tag(el) == "ol"
    kind = el.get("type") or "1"
    no_marker = bool(_LIST_NONE.search(el.get("style") or ""))
    n = _int(el.get("start"), 1) - 1
    out.flush()
    if el.text:
        out.add(el.text)
    for child in el:
        if _tag(child) == "li":
            n = _int(child.get("value"), n + 1)
            item = _Out()
            _render_children(child, item, depth + 1)
            item.flush()
            lines = item.lines
            out.flush()
            if lines and not no_marker and not _LIST_NONE.search(child.get("style") or "") and not _STARTS_LABEL.match(lines[0]):
                label = list_label(kind, n) if ordered else "•"
                lines[0] = f"{label} {lines[0]}"
            out.lines.extend(lines)
        elif isinstance(child.tag, str):
            _render(child, out, depth + 1)
        if child.tail:
            out.add(child.tail)
    out.flush()


def _render_children(el, out: _Out, depth: int) -> None:
    if el.text:
        out.add(el.text)
    for child in el:
        if isinstance(child.tag, str):
            _render(child, out, depth + 1)
        if child.tail:
            out.add(child.tail)


def _int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _rows(table) -> list:
    """``tr`` elements of ``table`` (directly or in thead/tbody/tfoot), not of nested tables."""
    rows = []
    for child in table:
        t = _tag(child)
        if t == "tr":
            rows.append(child)
        elif t in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _flat(line: str) -> str:
    """A line inside a table cell; a nested table's row "| a | b |" becomes "a b"."""
    line = line.strip()
    if line.startswith("|") and line.endswith("|"):
        return " ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
    return line


def _table(table, out: _Out, depth: int) -> None:
    """A table as "| a | b |" rows, or as paragraphs when it only lays out the page."""
    out.flush()
    rows = _rows(table)
    rendered: list[list[tuple[list[str], int, int]]] = []
    widest = 0
    longest = 0
    for tr in rows:
        cells = []
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            cell = _Out()
            _render_children(td, cell, depth + 1)
            cell.flush()
            longest = max(longest, len(cell.lines))
            cells.append((cell.lines, _int(td.get("colspan"), 1), _int(td.get("rowspan"), 1)))
        rendered.append(cells)
        widest = max(widest, sum(max(1, min(c[1], 50)) for c in cells))
    caption = next((c for c in table if _tag(c) == "caption"), None)
    if caption is not None:
        _render(caption, out, depth + 1)
    if widest <= 1 or longest > _LAYOUT_LINES:
        for cells in rendered:
            for lines, _, _ in cells:
                out.lines.extend(lines)
        return
    pending: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    for cells in rendered:
        row: list[str] = []
        col = 0
        queue = list(cells)
        while queue or any(c >= col and n > 0 for c, n in pending.items()):
            if pending.get(col, 0) > 0:
                pending[col] -= 1
                row.append("")
                col += 1
                continue
            if not queue:
                break
            lines, colspan, rowspan = queue.pop(0)
            colspan = max(1, min(colspan, 50))
            text = " ".join(_flat(line) for line in lines if line.strip())
            row.append(text)
            if rowspan > 1:
                for k in range(colspan):
                    pending[col + k] = min(rowspan, 500) - 1
            row.extend([""] * (colspan - 1))
            col += colspan
        if any(c.strip() for c in row):
            out.lines.append("| " + " | ".join(row) + " |")


# --------------------------------------------------------------------------- reader


def html_to_text(html: str) -> tuple[str, str, int]:
    """Main text of an HTML string: (text, how the main content was found, chrome dropped)."""
    import lxml.html
    from lxml import etree

    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        return "", "empty", 0
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return "", "empty", 0
    node, how, dropped = main_content(root)
    out = _Out()
    _render(node, out)
    out.flush()
    return "\n".join(out.lines), how, dropped


def read_html(data: bytes, path: str, encoding: Optional[str] = None) -> "Decoded":
    """Reader for .html/.htm files (``register_reader``): main text + ``SourceInfo(format="html")``."""
    from . import Decoded

    try:
        import lxml.html  # noqa: F401
    except ImportError:
        raise UnsupportedFormatError("reading .html files needs lxml: pip install 'planparse[html]'", path) from None
    head = data[:8].lstrip()
    if head.startswith(b"%PDF-"):
        raise DecodeError("not an HTML page: it is a PDF file (rename it to .pdf)", path)
    if head.startswith(b"PK\x03\x04"):
        raise DecodeError("not an HTML page: it is a ZIP archive (a .docx? rename it)", path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DecodeError("not an HTML page: it is a Word 97-2003 (.doc) or other OLE2 file (rename it to .doc)", path)
    text, enc, conf, warnings = decode_html(data, path, encoding)
    body, how, dropped = html_to_text(text)
    if not body.strip():
        scripts = text.lower().count("<script")
        hint = "; the page may load its text with JavaScript: save it after it has loaded" if scripts else ""
        raise InputError(f"no text in the HTML page{hint}", path)
    extractor = f"lxml.html ({how})"
    if dropped:
        warnings = [*warnings, Warning(code="html_chrome", message=f"{dropped} site chrome elements dropped (navigation, banners, footers …)")]
    info = SourceInfo(path=path, format="html", encoding=enc, encoding_confidence=conf, extractor=extractor)
    return Decoded(text=body, info=info, warnings=warnings)
