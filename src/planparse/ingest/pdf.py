"""Reader for .pdf: the text layer as the one-paragraph-per-line text the pipeline expects.

Two extractors produce the same list of positioned lines per page; one layout pass then turns
them into text:

- ``pypdfium2`` (default, fast): pdfium's text page gives the text of a page in one call; a few
  character boxes per line (first/last character, first word, baseline, font size) give the
  geometry, and only digits glued to a word are inspected one by one (superscript test).
- ``pdfplumber`` (slow, character by character; used alone with ``extractor="pdfplumber"``, for
  comparison: ``benchmarks/bench_pdf.py``).

Tables: only pages that draw at least four path objects (counted with pdfium) are searched.
With pypdfium2, pdfplumber's table finder runs on a copy of the page whose text objects were
removed (pdfminer then interprets only the rulings), and each cell's text is read from pdfium's
text page inside the cell's box; with pdfplumber, its own ``find_tables`` on the full page.

Layout rules (surface forms handled):

- running headers and footers: a line in the top/bottom 12 % of a page, set apart from the text
  (smaller, or more than 1.5 line pitches away), whose text, digits ignored, is such a line on at
  least half of the pages ("UBND tỉnh Bình Phước - Kế hoạch 123",
  "Trang 3/16"); bare page numbers in the band ("3", "- 3 -", "Trang 3", "3/16") on any page;
- paragraphs: a line continues the previous one unless the previous one ended short (the first
  word of this line would have fitted in the space left), the line starts with a heading or
  list label ("I.", "1.2.", "a)", "(1)", "Điều 3.", "PHẦN 1", "Nơi nhận"; a "-"/"+" bullet only
  after a line that ends with punctuation, since "Lao động - Thương binh" wraps at the dash too),
  the vertical gap is larger than the usual line pitch, the line is indented further than the
  previous one (first-line indent), or the font size changes; across pages only the first, second,
  fourth and fifth rules apply;
- header block on page 1: lines split by a wide gap into a left and a right column (issuer |
  Quốc hiệu, number | place and date) become rows "ỦY BAN NHÂN DÂN | CỘNG HÒA … VIỆT NAM |";
- footnote markers: digits right after a word, smaller than the text or raised above its
  baseline, become superscript digits ("Phước²"); footnote bodies (smaller lines at the bottom of
  a page starting with such a number, with their continuation lines, also on the next page) are
  moved to the end as lines "² Quyết định số …";
- tables: pdfplumber's ruled tables become rows "| a | b | c |" in place of their lines.

Bad input gives a ``PlanParseError`` naming the file: not a PDF, encrypted, corrupt/truncated,
no text layer (scanned images: run OCR first), more pages than the limit.
"""

from __future__ import annotations

import io
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterator, Optional

import regex as re

from ..errors import DecodeError, InputError
from ..models import SourceInfo, Warning
from . import Decoded

MAX_PAGES = 2000
NEEDS = "reading .pdf files needs pdfplumber (which installs pypdfium2): pip install 'planparse[pdf]'"
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUP = str.maketrans("0123456789", _SUPERSCRIPT)
_TABLE_MIN_PATHS = 4  # pages drawing fewer ruling paths are not searched for tables


def max_pages() -> int:
    """Page limit: ``PLANPARSE_PDF_MAX_PAGES`` from the environment, else ``MAX_PAGES``."""
    try:
        return int(os.environ.get("PLANPARSE_PDF_MAX_PAGES", MAX_PAGES))
    except ValueError:
        return MAX_PAGES


# --------------------------------------------------------------------------- data


@dataclass
class Line:
    """One visual line of a page. ``base`` is the baseline's distance from the page top (pt)."""

    text: str
    x0: float
    x1: float
    base: float
    size: float
    first_word: float = 0.0  # width of the first word
    sups: list[tuple[int, int]] = field(default_factory=list)  # superscript digit runs in text
    lead: Optional[tuple[int, int]] = None  # a superscript number starting the line (footnote body)
    cols: Optional[list[tuple[str, float, float]]] = None  # pieces split by a wide gap
    kind: str = "text"  # text | row (table row, header row: never joined)
    last_x0: Optional[float] = None  # x0 of the last line joined into this paragraph


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    chars: int
    paths: int = 0
    tables: list[tuple[tuple[float, float, float, float], list[list[str]]]] = field(default_factory=list)
    unreadable: bool = False  # pdfium could not load the page (a broken page tree, a loop in /Kids)


# --------------------------------------------------------------------------- entry point


def read_pdf(data: bytes, path: str, encoding: Optional[str] = None, *, extractor: str = "pypdfium2", page_limit: Optional[int] = None) -> Decoded:
    """Read a PDF's text layer. ``encoding`` is ignored (PDF text is Unicode).

    ``extractor`` is "pypdfium2" (default) or "pdfplumber"; ``page_limit`` defaults to
    ``max_pages()``."""
    _check_header(data, path)
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise InputError(NEEDS, path) from None
    warnings: list[Warning] = []
    warnings += _trailer_warnings(data)
    doc = _open(pdfium, data, path)
    try:
        n = len(doc)
        limit = max_pages() if page_limit is None else page_limit
        if n == 0:
            raise DecodeError("PDF has no pages (truncated or damaged file?)", path)
        if n > limit:
            raise InputError(f"PDF has {n} pages, above the limit of {limit} pages (set PLANPARSE_PDF_MAX_PAGES to raise it)", path)
        if extractor == "pypdfium2":
            finder = _TableFinder()
            pages = list(_pdfium_pages(doc, finder))
            if finder.missing:
                warnings.append(Warning(code="pdf_tables_skipped", message="pdfplumber is not installed: ruled tables are read as plain lines (pip install 'planparse[pdf]')"))
        elif extractor == "pdfplumber":
            pages = list(_plumber_pages(data, path, doc))
        else:
            raise ValueError(f"unknown PDF extractor {extractor!r} (pypdfium2 or pdfplumber)")
    finally:
        doc.close()
    broken = [p.number for p in pages if p.unreadable]
    if broken and len(broken) == len(pages):
        raise DecodeError("corrupt PDF: no page can be loaded (damaged page tree?)", path)
    if broken:
        warnings.append(Warning(code="pdf_page_unreadable", message=f"pages that cannot be loaded (damaged page tree?): {_ranges(broken)}"))
        pages = [p for p in pages if not p.unreadable]
    if not any(p.chars for p in pages):
        raise DecodeError(
            f"PDF has no text layer ({n} page{'s' if n != 1 else ''} of images: a scan?); run OCR first, e.g. ocrmypdf --language vie in.pdf out.pdf",
            path,
        )
    empty = [p.number for p in pages if not p.chars]
    if empty:
        warnings.append(Warning(code="pdf_no_text", message=f"pages without a text layer (images; run OCR to read them): {_ranges(empty)}"))
    used = extractor
    if extractor == "pypdfium2" and finder.used:
        used = "pypdfium2+pdfplumber"
    text, notes = layout(pages)
    warnings.append(Warning(code="pdf_layout", message=notes))
    info = SourceInfo(path=path, format="pdf", encoding=None, encoding_confidence=None, extractor=used)
    return Decoded(text=text, info=info, warnings=warnings)


def _check_header(data: bytes, path: str) -> None:
    """A PDF starts with "%PDF-" within its first 1024 bytes (the spec's tolerance)."""
    if data.find(b"%PDF-", 0, 1024) < 0:
        head = data[:12]
        what = _sniff(head)
        raise DecodeError(f"not a PDF file (no %PDF- header; {what}); is it another format renamed to .pdf?", path)


def _sniff(head: bytes) -> str:
    """Name what a non-PDF file looks like: "a ZIP/DOCX file", "HTML", "text", or its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "it is a ZIP archive, e.g. a .docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an OLE file, e.g. a .doc"
    if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml")):
        return "it is HTML/XML"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "it is an image"
    return f"it starts with {head!r}"


def _trailer_warnings(data: bytes) -> list[Warning]:
    """Warn when the file does not end with %%EOF or startxref points to no cross-reference table."""
    out = []
    tail = data[-2048:]
    if b"%%EOF" not in tail:
        out.append(Warning(code="pdf_damaged", message="PDF does not end with %%EOF (truncated download?); text may be incomplete"))
    m = re.search(rb"startxref\s+(\d+)", tail)
    if m:
        off = int(m.group(1))
        target = data[off : off + 40]
        if not (target.startswith(b"xref") or re.match(rb"\s*\d+\s+\d+\s+obj", target)):
            out.append(Warning(code="pdf_damaged", message="cross-reference table is damaged (startxref points elsewhere); the reader rebuilt it"))
    elif b"%%EOF" in tail:
        out.append(Warning(code="pdf_damaged", message="no startxref in the trailer; the reader rebuilt the cross-reference table"))
    return out


def _open(pdfium, data: bytes, path: str):
    """Open with pdfium; encrypted and corrupt files get errors that say so."""
    raw = pdfium.raw
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise DecodeError("PDF is encrypted (password-protected); decrypt it first, e.g. qpdf --decrypt --password=… in.pdf out.pdf", path) from None
        if code == raw.FPDF_ERR_SECURITY:
            raise DecodeError("PDF uses an unsupported security handler (encrypted); decrypt it first, e.g. with qpdf --decrypt", path) from None
        if code == raw.FPDF_ERR_FORMAT:
            raise DecodeError("PDF is corrupt or truncated (pdfium cannot parse it, not even by rebuilding its cross-reference table)", path) from None
        raise DecodeError(f"cannot open PDF: {exc}", path) from None


def _ranges(nums: list[int]) -> str:
    """[1, 2, 3, 7] → "1-3, 7"."""
    out = []
    start = prev = nums[0]
    for n in nums[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


# --------------------------------------------------------------------------- pypdfium2


_GLUED_DIGITS = re.compile(r"(?<=[\p{L}\)\]\.,;:\"”'’%])\d{1,3}(?!\d)")
_DIGIT_RUN = re.compile(r"(?<![\p{L}\)\]\.,;:\"”'’%\d])\d{2,12}(?!\d)")
_LEAD_DIGITS = re.compile(r"[ \t]*(\d{1,3})(?!\d)")


class _PdfiumText:
    """Geometry queries on one pdfium text page, through the raw C API (one call per query)."""

    def __init__(self, pdfium, textpage, height: float):
        import ctypes

        self.raw = pdfium.raw
        self.tp = textpage.raw
        self.h = height
        self._d = [ctypes.c_double() for _ in range(4)]
        self._ref = [ctypes.byref(d) for d in self._d]

    def box(self, i: int) -> tuple[float, float, float, float]:
        """(left, right, bottom, top) in PDF coordinates."""
        self.raw.FPDFText_GetCharBox(self.tp, i, *self._ref)
        return self._d[0].value, self._d[1].value, self._d[2].value, self._d[3].value

    def origin_y(self, i: int) -> float:
        self.raw.FPDFText_GetCharOrigin(self.tp, i, self._ref[0], self._ref[1])
        return self._d[1].value

    def size(self, i: int) -> float:
        return self.raw.FPDFText_GetFontSize(self.tp, i)


def _pdfium_pages(doc, finder: Optional["_TableFinder"] = None) -> Iterator[Page]:
    import pypdfium2 as pdfium

    for index in range(len(doc)):
        try:
            page = doc[index]
        except pdfium.PdfiumError:
            yield Page(index + 1, 0.0, 0.0, [], 0, unreadable=True)
            continue
        try:
            width, height = page.get_size()
            tp = page.get_textpage()
            try:
                n = tp.count_chars()
                lines: list[Line] = []
                if n > 0:
                    text = tp.get_text_range()
                    if len(text) == n:
                        q = _PdfiumText(pdfium, tp, height)
                        lines = _pdfium_lines(text, q, height, split_columns=index == 0)
                    else:  # characters outside the BMP: no 1:1 index map, keep lines without geometry
                        lines = _plain_lines(text, height)
                paths = _count_paths(pdfium, page)
                tables = finder.find(pdfium, doc, index, tp, height) if finder is not None and paths >= _TABLE_MIN_PATHS and n else []
            finally:
                tp.close()
        finally:
            page.close()
        yield Page(index + 1, width, height, lines, n, paths, tables)


def _count_paths(pdfium, page) -> int:
    raw = pdfium.raw
    count = 0
    for i in range(raw.FPDFPage_CountObjects(page.raw)):
        if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, i)) == raw.FPDF_PAGEOBJ_PATH:
            count += 1
    return count


def _plain_lines(text: str, height: float) -> list[Line]:
    out = []
    for k, frag in enumerate(text.replace("\r\n", "\n").split("\n")):
        if frag.strip():
            out.append(Line(frag.strip(), 0.0, 0.0, float(k), 10.0))
    return out


def _pdfium_lines(text: str, q: _PdfiumText, height: float, split_columns: bool) -> list[Line]:
    """Lines of one page from pdfium's text (fragments separated by CR LF), merged when pdfium
    broke a visual line in two (a superscript often does that: "Phước2" / ". Trong đó")."""
    frags: list[Line] = []
    start = 0
    n = len(text)
    while start <= n:
        end = text.find("\r\n", start)
        if end < 0:
            end = n
        line = _pdfium_fragment(text, start, end, q, height, split_columns)
        if line is not None:
            frags.append(line)
        start = end + 2
    return _merge_fragments(frags)


def _pdfium_fragment(text: str, s: int, e: int, q: _PdfiumText, height: float, split_columns: bool) -> Optional[Line]:
    a = s
    while a < e and text[a].isspace():
        a += 1
    b = e - 1
    while b >= a and text[b].isspace():
        b -= 1
    if a > b:
        return None
    frag = text[a : b + 1]
    la, _, _, _ = q.box(a)
    _, rb, _, _ = q.box(b)
    mid = a + (b - a) // 2
    while mid < b and text[mid].isspace():
        mid += 1
    size = max(q.size(mid), q.size(a))
    base = height - q.origin_y(mid)
    sp = text.find(" ", a, b)
    w_end = sp - 1 if sp > 0 else b
    first_word = q.box(w_end)[1] - la
    line = Line(frag, la, rb, base, size, first_word)
    # superscript digits glued to a word, and a number starting the line
    for m in _GLUED_DIGITS.finditer(frag):
        i = a + m.start()
        if _is_superscript(q, i, a + m.start() - 1, size, base, height):
            line.sups.append((m.start(), m.end()))
    for m in _DIGIT_RUN.finditer(frag):
        # a marker after a number: "2021 - 2030¹" reads "20301"; the tail digits are smaller
        first, k = a + m.start(), a + m.end() - 1
        if m.start() > 0 and _is_superscript(q, k, first, size, base, height):
            while k - 1 > first and _is_superscript(q, k - 1, first, size, base, height):
                k -= 1
            if k - first >= 1 and a + m.end() - k <= 3:
                line.sups.append((k - a, m.end()))
    m = _LEAD_DIGITS.match(frag)
    if m and m.end() < len(frag):
        i = a + m.start(1)
        j = a + m.end()  # first character after the number
        while j <= b and text[j].isspace():
            j += 1
        if j <= b and _is_superscript(q, i, j, q.size(j), height - q.origin_y(j), height):
            line.lead = (m.start(1), m.end(1))
    if split_columns and base < height * 0.5:
        line.cols = _split_gaps(text, a, b, q, size)
    return line


def _is_superscript(q: _PdfiumText, i: int, ref: int, size: float, base: float, height: float) -> bool:
    """Digit ``i`` is a superscript: clearly smaller than the reference character's font, or its
    baseline raised by more than a fifth of the font size."""
    ref_size = q.size(ref) or size
    if q.size(i) < 0.85 * ref_size:
        return True
    ref_base = height - q.origin_y(ref)
    return ref_base - (height - q.origin_y(i)) > 0.2 * ref_size


def _split_gaps(text: str, a: int, b: int, q: _PdfiumText, size: float) -> Optional[list[tuple[str, float, float]]]:
    """Split a line at horizontal gaps wider than 2.5 font sizes (two columns side by side)."""
    pieces = []
    start = a
    k = text.find(" ", a, b)
    while 0 <= k < b:
        j = k
        while j < b and text[j] == " ":
            j += 1
        left = q.box(k - 1)[1]
        right = q.box(j)[0]
        if right - left > 2.5 * size:
            pieces.append((text[start:k].strip(), q.box(start)[0], left))
            start = j
        k = text.find(" ", j, b)
    if not pieces:
        return None
    pieces.append((text[start : b + 1].strip(), q.box(start)[0], q.box(b)[1]))
    return pieces


def _small_number(frag: Line, ref: Line) -> bool:
    """A fragment that is only a 1-3 digit number, smaller than ``ref`` or raised above it."""
    t = frag.text
    return len(t) <= 3 and t.isdigit() and (frag.size < 0.85 * ref.size or ref.base - frag.base > 0.2 * ref.size)


def _merge_fragments(frags: list[Line]) -> list[Line]:
    """Merge fragments that share a baseline (within 0.45 font size) left to right. A lone small
    number before the text is a footnote-body marker (``lead``); after a word, a marker (``sups``)."""
    out: list[Line] = []
    for f in frags:
        if out:
            last = out[-1]
            tol = 0.45 * max(last.size, f.size)
            if abs(f.base - last.base) < tol and f.x0 >= last.x1 - 1.0 and not (last.cols or f.cols):
                gap = f.x0 - last.x1
                size = max(last.size, f.size)
                sep = " " if gap > 0.15 * size and not (f.text[0] in ".,;:)]}" and gap < 0.6 * size) else ""
                offset = len(last.text) + len(sep)
                if _small_number(last, f) and not last.sups:
                    last.lead = (0, len(last.text))
                    last.sups = []
                elif _small_number(f, last) and (last.text[-1:].isalnum() or last.text[-1:] in ")]\"”.,;:%"):
                    sep, offset = "", len(last.text)
                    last.sups.append((offset, offset + len(f.text)))
                last.sups += [(s + offset, e + offset) for s, e in f.sups]
                if f.lead and f.size < 0.85 * last.size:
                    last.sups.append((f.lead[0] + offset, f.lead[1] + offset))
                last.text += sep + f.text
                last.x1 = f.x1
                if f.size > last.size:
                    last.size, last.base, last.first_word = f.size, f.base, last.first_word
                continue
        out.append(f)
    return out


# --------------------------------------------------------------------------- pdfplumber


def _plumber_open(data: bytes, path: str):
    try:
        import pdfplumber
    except ImportError:
        raise InputError(NEEDS, path) from None
    return pdfplumber.open(io.BytesIO(data))


def _plumber_pages(data: bytes, path: str, pdfium_doc) -> Iterator[Page]:
    """Every page through pdfplumber (pdfminer): characters grouped into lines, tables found."""
    with _plumber_open(data, path) as pdf:
        for index, page in enumerate(pdf.pages):
            chars = page.chars
            lines = []
            for tl in page.extract_text_lines(return_chars=True, strip=True):
                if tl["text"].strip():
                    lines.append(_plumber_line(tl, page.height, split_columns=index == 0))
            paths = len(page.lines) + len(page.rects) + len(page.curves)
            p = Page(index + 1, float(page.width), float(page.height), _merge_fragments(lines), len(chars), paths)
            if paths >= _TABLE_MIN_PATHS:
                p.tables = _plumber_tables(page)
            page.flush_cache()
            yield p


def _plumber_line(tl: dict, height: float, split_columns: bool) -> Line:
    chars = [c for c in tl["chars"]]
    text = tl["text"]
    sizes = Counter(round(c["size"], 1) for c in chars if not c["text"].isspace())
    size = max(sizes, key=lambda s: (sizes[s], s)) if sizes else 10.0
    body = [c for c in chars if round(c["size"], 1) == size] or chars
    base = statistics.median(height - c["matrix"][5] for c in body)
    visible = [c for c in chars if not c["text"].isspace()]
    x0 = visible[0]["x0"] if visible else tl["x0"]
    x1 = visible[-1]["x1"] if visible else tl["x1"]
    sp = text.find(" ")
    first_word = (chars[sp - 1]["x1"] - x0) if 0 < sp <= len(chars) else x1 - x0
    line = Line(text, x0, x1, base, size, first_word)
    # text and chars align one to one when pdfplumber inserted no spaces; map by walking both
    idx = _align(text, chars)
    for m in _GLUED_DIGITS.finditer(text):
        c = idx.get(m.start())
        p = idx.get(m.start() - 1)
        if c is not None and p is not None and _plumber_sup(chars[c], chars[p], height):
            line.sups.append((m.start(), m.end()))
    for m in _DIGIT_RUN.finditer(text):
        first = idx.get(m.start())
        k = m.end() - 1
        if m.start() > 0 and first is not None and idx.get(k) is not None and _plumber_sup(chars[idx[k]], chars[first], height):
            while k - 1 > m.start() and idx.get(k - 1) is not None and _plumber_sup(chars[idx[k - 1]], chars[first], height):
                k -= 1
            if m.end() - k <= 3:
                line.sups.append((k, m.end()))
    m = _LEAD_DIGITS.match(text)
    if m and m.end() < len(text):
        c = idx.get(m.start(1))
        j = m.end()
        while j < len(text) and text[j].isspace():
            j += 1
        p = idx.get(j)
        if c is not None and p is not None and _plumber_sup(chars[c], chars[p], height):
            line.lead = (m.start(1), m.end(1))
    if split_columns and base < height * 0.5:
        line.cols = _plumber_gaps(text, chars, idx, size)
    return line


def _align(text: str, chars: list[dict]) -> dict[int, int]:
    """Text index → char index, skipping spaces pdfplumber inserted between words."""
    out = {}
    ci = 0
    for ti, ch in enumerate(text):
        if ci < len(chars) and chars[ci]["text"] == ch:
            out[ti] = ci
            ci += 1
    return out


def _plumber_sup(c: dict, ref: dict, height: float) -> bool:
    if c["size"] < 0.85 * ref["size"]:
        return True
    return (c["matrix"][5] - ref["matrix"][5]) > 0.2 * ref["size"]


def _plumber_gaps(text: str, chars: list[dict], idx: dict[int, int], size: float) -> Optional[list[tuple[str, float, float]]]:
    pieces = []
    start = 0
    prev = None
    for ti in range(len(text)):
        ci = idx.get(ti)
        if ci is None or chars[ci]["text"].isspace():
            continue
        if prev is not None and chars[ci]["x0"] - chars[idx[prev]]["x1"] > 2.5 * size:
            pieces.append((text[start:ti].strip(), chars[idx[start]]["x0"] if start in idx else 0.0, chars[idx[prev]]["x1"]))
            start = ti
        prev = ti
    if not pieces:
        return None
    pieces.append((text[start:].strip(), chars[idx[start]]["x0"] if start in idx else 0.0, chars[idx[prev]]["x1"]))
    return pieces


def _plumber_tables(page) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    out = []
    for t in page.find_tables():
        rows = [[" ".join((cell or "").split()) for cell in row] for row in t.extract()]
        rows = [r for r in rows if any(r)]
        if rows and (len(rows) > 1 or len(rows[0]) > 1):
            out.append((tuple(t.bbox), rows))
    return out


class _TableFinder:
    """Ruled tables of a pdfium page: pdfplumber's table finder on a copy of the page with its
    text objects removed (so pdfminer interprets only the rulings, a few hundred objects instead
    of every glyph), and each cell's text from pdfium's text page inside the cell box."""

    def __init__(self) -> None:
        self.used = False
        self.missing = False
        self._plumber = None

    def find(self, pdfium, doc, index: int, textpage, height: float) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
        if self.missing:
            return []
        if self._plumber is None:
            try:
                import pdfplumber
            except ImportError:
                self.missing = True
                return []
            self._plumber = pdfplumber
        raw = pdfium.raw
        rulings = pdfium.PdfDocument.new()
        try:
            rulings.import_pages(doc, [index])
            page = rulings[0]
            for obj in list(page.get_objects()):
                if obj.type == raw.FPDF_PAGEOBJ_TEXT:
                    page.remove_obj(obj)
            page.gen_content()
            buf = io.BytesIO()
            rulings.save(buf)
        finally:
            rulings.close()
        out = []
        with self._plumber.open(io.BytesIO(buf.getvalue())) as pdf:
            for t in pdf.pages[0].find_tables():
                rows = []
                for r in t.rows:
                    cells = []
                    for c in r.cells:
                        if c is None:
                            cells.append("")
                            continue
                        x0, top, x1, bottom = c
                        cells.append(" ".join(textpage.get_text_bounded(left=x0, bottom=height - bottom, right=x1, top=height - top).split()))
                    rows.append(cells)
                rows = [r for r in rows if any(r)]
                if rows and (len(rows) > 1 or len(rows[0]) > 1):
                    out.append((tuple(t.bbox), rows))
        self.used = self.used or bool(out)
        return out


# --------------------------------------------------------------------------- layout


_PAGE_NUMBER = re.compile(r"(?:[-–—][ \t]*)?(?:(?:Trang|trang|TRANG|Page|page)[ \t]*)?\d{1,4}(?:[ \t]*(?:/|của|of)[ \t]*\d{1,4})?(?:[ \t]*[-–—])?")
_LABEL = re.compile(
    r"(?:[IVXLC]{1,7}[ \t]*[.)]|[IVXLC]{1,7}[ \t]?[-–](?=[ \t])"
    r"|\d{1,2}(?:\.\d{1,2}){0,4}[ \t]*[.)](?!\d)|\d{1,2}\.\d{1,2}(?:\.\d{1,2}){0,3}(?=[ \t])"
    r"|[a-zđ][ \t]*[.)](?![\p{L}\d])|\(\d{1,2}\)|[A-H][.)](?=[ \t]+\p{Lu})"
    r"|(?:Điều|ĐIỀU)[ \t]+\d|(?:Phần|PHẦN)[ \t]+(?:thứ|THỨ|[IVX]{1,5}\b|\d{1,2}\b)"
    r"|(?:Chương|CHƯƠNG|Mục|MỤC)[ \t]+(?:[IVX]{1,5}|\d{1,2})\b|PHỤ[ \t]LỤC|Phụ[ \t]lục(?:[ \t]+(?:số[ \t]+)?(?:[IVX]{1,5}|\d{1,2})\b|[ \t]*$)"
    r"|Nơi[ \t]nhận|NƠI[ \t]NHẬN|(?:TM|KT|Q|TL|TUQ)\.[ \t]|(?:Dự[ \t]án|Hoạt[ \t]động|Nhiệm[ \t]vụ)[ \t]+\d{1,2}[ \t]*:)"
)
_BULLET = re.compile(r"[-–+•·▪○◦*][ \t]")
_CLOSING = tuple(".:;!?…\"”')]")


def layout(pages: list[Page]) -> tuple[str, str]:
    """Pages of positioned lines → (text, one-line summary of what the layout pass did)."""
    lines_all = [ln for p in pages for ln in p.lines]
    if not lines_all:
        return "", "no text"
    body_size = _body_size(lines_all)
    removed_running, removed_numbers = _drop_running(pages, body_size)
    footnotes, moved = _take_footnotes(pages, body_size)
    tables = _place_tables(pages)
    header_rows = _header_block(pages[0]) if pages else 0
    stats = _stats(pages, body_size)
    paragraphs = _paragraphs(pages, stats)
    for ln in paragraphs:
        ln.text = _apply_sups(ln)
    text = "\n".join(ln.text for ln in paragraphs)
    if footnotes:
        text += "\n\n" + "\n".join(f"{num.translate(_TO_SUP)} {body}" for num, body in footnotes)
    summary = (
        f"{len(pages)} pages; removed {removed_running} running header/footer lines and {removed_numbers} page numbers; "
        f"{len(footnotes)} footnotes ({moved} lines) moved to the end; {tables} tables; {header_rows} header-block rows"
    )
    return text + "\n", summary


def _body_size(lines: list[Line]) -> float:
    sizes: Counter = Counter()
    for ln in lines:
        sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0]


def _norm_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_running(pages: list[Page], body_size: float) -> tuple[int, int]:
    """Remove running headers/footers and page numbers from the top/bottom margin bands.

    Candidates are the first/last lines of a page that lie in the top/bottom 12 % and are set
    apart from the text: smaller than the body text, or further from their neighbour than 1.5
    line pitches. A candidate is running when its text (digits ignored) is a candidate on at
    least half of the pages (and at least two); a bare page number is dropped on any page."""
    pitch = _rough_pitch(pages, body_size)
    band = {}
    for p in pages:
        lines = p.lines
        for k, ln in enumerate(lines):
            if ln.base < p.height * 0.12:
                nxt = lines[k + 1].base - ln.base if k + 1 < len(lines) else 0.0
                if ln.size < body_size * 0.95 or nxt > 1.5 * pitch or k + 1 == len(lines):
                    band[id(ln)] = "top"
            elif ln.base > p.height * 0.88:
                prv = ln.base - lines[k - 1].base if k > 0 else 0.0
                if ln.size < body_size * 0.95 or prv > 1.5 * pitch or k == 0:
                    band[id(ln)] = "bottom"
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for p in pages:
        for ln in p.lines:
            if id(ln) in band:
                seen[(band[id(ln)], _norm_key(ln.text))].add(p.number)
    need = max(2, (len(pages) + 1) // 2)
    running = {k for k, v in seen.items() if len(v) >= need}
    n_run = n_num = 0
    for p in pages:
        keep = []
        for ln in p.lines:
            where = band.get(id(ln))
            if where and _PAGE_NUMBER.fullmatch(ln.text.strip()):
                n_num += 1
                continue
            if where and (where, _norm_key(ln.text)) in running:
                n_run += 1
                continue
            keep.append(ln)
        p.lines = keep
    return n_run, n_num


def _rough_pitch(pages: list[Page], body_size: float) -> float:
    """Median baseline distance of consecutive body-size lines (before any line is removed)."""
    gaps = [
        b.base - a.base
        for p in pages
        for a, b in zip(p.lines, p.lines[1:])
        if 0 < b.base - a.base < 3 * body_size and abs(a.size - body_size) < 0.15 * body_size
    ]
    return statistics.median(gaps) if gaps else body_size * 1.2


def _take_footnotes(pages: list[Page], body_size: float) -> tuple[list[tuple[str, str]], int]:
    """Move footnote bodies out of the text: [(number, body)] in page order, and lines moved.

    A footnote area is the run of lines smaller than the body text at the bottom of a page
    (below 40 % of its height); it starts at the first of them that begins with a superscript
    number, or at its top when the previous page ended inside a footnote (continued bodies)."""
    notes: list[tuple[str, str]] = []
    moved = 0
    last_page = -1
    for p in pages:
        lines = p.lines
        i = len(lines)
        while i > 0 and lines[i - 1].size < body_size * 0.92 and lines[i - 1].kind == "text":
            i -= 1
        if i == len(lines) or lines[i].base < p.height * 0.4:
            continue
        leads = [k for k in range(i, len(lines)) if lines[k].lead]
        if notes and last_page == p.number - 1 and not lines[i].lead:
            start = i
        elif leads:
            start = leads[0]
        else:
            continue
        for ln in lines[start:]:
            if ln.lead:
                s, e = ln.lead
                notes.append((ln.text[s:e], ln.text[e:].strip()))
            else:
                notes[-1] = (notes[-1][0], f"{notes[-1][1]} {ln.text.strip()}".strip())
            moved += 1
        p.lines = lines[:start]
        last_page = p.number
    return notes, moved


def _place_tables(pages: list[Page]) -> int:
    """Replace the lines inside each table's box by its rows ("| a | b |", kind "row")."""
    count = 0
    for p in pages:
        for (x0, top, x1, bottom), rows in p.tables:
            inside = [k for k, ln in enumerate(p.lines) if top - 1 <= ln.base <= bottom + 1 and ln.x0 >= x0 - 2 and ln.x1 <= x1 + 2]
            if not inside:
                continue
            at = inside[0]
            size = p.lines[at].size
            new = [Line("| " + " | ".join(r) + " |", x0, x1, top, size, kind="row") for r in rows]
            drop = set(inside)
            p.lines = [ln for k, ln in enumerate(p.lines) if k < at and k not in drop] + new + [ln for k, ln in enumerate(p.lines) if k > at and k not in drop]
            count += 1
    return count


def _header_block(page: Page) -> int:
    """Two-column header block on page 1 → rows "left | right |"; returns the row count."""
    lines = page.lines
    center = page.width / 2
    first = next((k for k, ln in enumerate(lines) if ln.cols and len(ln.cols) >= 2 and ln.base < page.height * 0.5), None)
    if first is None:
        return 0

    split = [ln for ln in lines if ln.cols and len(ln.cols) >= 2 and ln.base < page.height * 0.5]
    centers = {
        side: statistics.median((a + b) / 2 for ln in split for _, a, b in ln.cols if ((a + b) / 2 < center) == (side == "left"))
        for side in ("left", "right")
        if any(((a + b) / 2 < center) == (side == "left") for ln in split for _, a, b in ln.cols)
    }

    def one_sided(ln: Line) -> bool:
        """Inside one column and centred like that column's other lines ("TỈNH BÌNH PHƯỚC",
        "Độc lập - Tự do - Hạnh phúc"); a short left-aligned body line is not."""
        side = "left" if ln.x1 < center else "right" if ln.x0 > center else None
        return side in centers and abs((ln.x0 + ln.x1) / 2 - centers[side]) < 0.06 * page.width

    lo = first
    while lo > 0 and one_sided(lines[lo - 1]) and lines[lo].base - lines[lo - 1].base < 3 * lines[lo].size:
        lo -= 1
    hi = first + 1
    while hi < len(lines) and ((lines[hi].cols and len(lines[hi].cols) >= 2) or one_sided(lines[hi])) and lines[hi].base - lines[hi - 1].base < 3 * lines[hi].size:
        hi += 1
    left: list[str] = []
    right: list[str] = []
    for ln in lines[lo:hi]:
        pieces = ln.cols if ln.cols and len(ln.cols) >= 2 else [(ln.text, ln.x0, ln.x1)]
        lpart = [t for t, a, b in pieces if (a + b) / 2 < center]
        rpart = [t for t, a, b in pieces if (a + b) / 2 >= center]
        if lpart:
            left.append(" ".join(lpart))
        if rpart:
            right.append(" ".join(rpart))
    rows = []
    for k in range(max(len(left), len(right))):
        lt = left[k] if k < len(left) else ""
        rt = right[k] if k < len(right) else ""
        rows.append(f"{lt} | {rt} |" if lt else f"| {rt} |")
    ref = lines[lo]
    new = [Line(r, ref.x0, ref.x1, ref.base, ref.size, kind="row") for r in rows]
    page.lines = lines[:lo] + new + lines[hi:]
    return len(rows)


@dataclass
class _Stats:
    right: float
    left: float
    pitch: float
    body: float


def _stats(pages: list[Page], body: float) -> _Stats:
    text_lines = [ln for p in pages for ln in p.lines if ln.kind == "text" and abs(ln.size - body) < 0.15 * body]
    if not text_lines:
        text_lines = [ln for p in pages for ln in p.lines] or [Line("", 0, 0, 0, body)]
    x1s = sorted(ln.x1 for ln in text_lines)
    right = x1s[min(len(x1s) - 1, int(len(x1s) * 0.9))]
    left = Counter(round(ln.x0) for ln in text_lines).most_common(1)[0][0]
    gaps = []
    for p in pages:
        for a, b in zip(p.lines, p.lines[1:]):
            d = b.base - a.base
            if a.kind == b.kind == "text" and 0 < d < 3 * body and abs(a.size - body) < 0.15 * body:
                gaps.append(d)
    pitch = statistics.median(gaps) if gaps else body * 1.2
    return _Stats(right, left, pitch, body)


def _paragraphs(pages: list[Page], st: _Stats) -> list[Line]:
    """Rejoin wrapped lines into paragraphs (rules in the module docstring)."""
    out: list[Line] = []
    first_of_par = True
    prev_page = None
    for p in pages:
        for ln in p.lines:
            prev = out[-1] if out else None
            if prev is not None and _continues(prev, ln, st, same_page=prev_page == p.number, prev_first=first_of_par):
                offset = len(prev.text) + 1
                prev.text = f"{prev.text} {ln.text}"
                prev.sups += [(s + offset, e + offset) for s, e in ln.sups]
                prev.x1, prev.base, prev.first_word, prev.last_x0 = ln.x1, ln.base, ln.first_word, ln.x0
                first_of_par = False
            else:
                ln = Line(ln.text, ln.x0, ln.x1, ln.base, ln.size, ln.first_word, list(ln.sups), ln.lead, ln.cols, ln.kind, ln.x0)
                out.append(ln)
                first_of_par = True
            prev_page = p.number
    return out


def _continues(prev: Line, cur: Line, st: _Stats, *, same_page: bool, prev_first: bool) -> bool:
    if prev.kind != "text" or cur.kind != "text":
        return False
    if _LABEL.match(cur.text):
        return False
    if _BULLET.match(cur.text) and (prev.text.rstrip().endswith(_CLOSING) or prev_first and _LABEL.match(prev.text)):
        return False
    size = max(prev.size, cur.size)
    if abs(prev.size - cur.size) > 0.15 * st.body:
        return False
    if same_page:
        d = cur.base - prev.base
        if d <= 0 or d > st.pitch * 1.35:
            return False
    if st.right - prev.x1 > cur.first_word + 0.5 * size:
        return False  # the previous line ended short: the next word would have fitted
    last_x0 = prev.x0 if prev.last_x0 is None else prev.last_x0
    if cur.x0 > last_x0 + 0.8 * size and not (prev_first and (_LABEL.match(prev.text) or _BULLET.match(prev.text))):
        return False  # first-line indent (a hanging indent after a label is a continuation)
    return True


def _apply_sups(ln: Line) -> str:
    """Render the superscript digit runs of a line as superscript characters ("Phước²")."""
    if not ln.sups:
        return ln.text
    text = ln.text
    for s, e in sorted(set(ln.sups), reverse=True):
        if 0 <= s < e <= len(text) and text[s:e].isdigit():
            text = text[:s] + text[s:e].translate(_TO_SUP) + text[e:]
    return text
