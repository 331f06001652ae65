"""DOCX reader: the text of a Word document as the pipeline expects it (python-docx + lxml).

What comes out (one paragraph per line, in document order):

- body paragraphs and tables, also inside content controls (``w:sdt``), ``w:customXml``,
  hyperlinks, smart tags, simple fields and tracked insertions; tracked deletions, hidden
  (``w:vanish``) runs, field codes, comments, headers, footers and PAGE/NUMPAGES fields are
  dropped; a table of contents (TOC field or "Table of Contents" building block) is skipped
  with a warning, since its lines would repeat every heading;
- Word automatic numbering rendered into the label Word shows ("I. ", "1. ", "1.2. ", "a) ",
  "- ", "• "): ``numPr`` on the paragraph or its style chain, ``abstractNum`` levels with
  ``numFmt`` (decimal, decimalZero, upper/lowerRoman, upper/lowerLetter — a..z then aa.., so a
  Vietnamese list typed with automatic letters shows "e)" where the author meant "đ)" —,
  bullet, none, ordinals, enclosed digits, vietnameseCounting), ``lvlText`` ("%1.%2."),
  ``start``, ``lvlRestart``, ``isLgl``, ``suff`` and the counters of each list, shared by the
  numbering instances of one abstract list, with ``lvlOverride/startOverride`` restarting them;
- "All caps" formatting (``w:caps`` on the run or in its paragraph/character style) applied,
  as Word shows it; digits in superscript runs as superscript digits ("m²");
- tables as rows "| a | b |" (paragraphs of a cell joined by a space, a horizontally merged
  cell followed by empty cells so columns stay aligned, a vertically merged continuation cell
  empty, a nested table flattened into its cell);
- footnotes and endnotes: the reference as superscript digits right after the word
  ("xã hội¹", numbered in reference order as Word does) and the bodies as lines "¹ Body" after
  the text, where ``normalise`` detaches and links them;
- text boxes: their paragraphs as lines after the paragraph that anchors them.

Bad inputs raise ``DecodeError``/``InputError`` naming the file: not a ZIP (and what it really
is: PDF, Word 97-2003, RTF, HTML, text), a ZIP that is not a Word document (ODT, XLSX, PPTX),
corrupt or truncated archives, an archive whose declared uncompressed size is above
``max_unpacked_bytes()`` (``PLANPARSE_DOCX_MAX_UNPACKED_BYTES``), an XML part above
``MAX_XML_PART_BYTES`` (64 MiB: its parsed tree alone would take ~1 GB), a member that compresses more than
``MAX_RATIO`` to one (zip bomb), and documents without text. A hostile ``numbering.xml`` cannot
blow the text up: start values are clamped to Word's 0..32767, letter labels longer than
``MAX_LETTER_REPEAT`` letters are shown as numbers, and a rendered label is cut at
``MAX_LABEL_CHARS`` characters (``tests/test_hostile_files.py``).
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..errors import DecodeError, InputError, UnsupportedFormatError
from ..models import SourceInfo, Warning

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"

DEFAULT_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed, for members above RATIO_MIN_BYTES
RATIO_MIN_BYTES = 4 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_XML_PART_BYTES = 64 * 1024 * 1024  # one XML part (document.xml …): its lxml tree takes ~15x that
MAX_START = 32_767  # Word's largest list start value (w:start, w:startOverride)
MAX_LETTER_REPEAT = 8  # letter labels beyond "hhhhhhhh" (n > 208) are shown as numbers
MAX_LABEL_CHARS = 64  # a rendered list label longer than this is cut (lvlText can be any length)

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# bullets set in the Symbol / Wingdings fonts use private-use code points
_PUA_BULLETS = {
    0xF0B7: "•", 0xF0A7: "▪", 0xF06E: "▪", 0xF0A8: "▪", 0xF0D8: "➢", 0xF0FC: "✓", 0xF076: "❖",
    0xF0E0: "➢", 0xF02D: "-", 0xF02B: "+", 0xF06F: "○", 0xF0B0: "○", 0xF071: "❑", 0xF0F0: "⇨",
}
_SKIP_FIELDS = ("PAGE", "NUMPAGES", "SECTIONPAGES", "TOC", "XE", "TC", "SEQ", "PAGEREF")


def max_unpacked_bytes() -> int:
    """The uncompressed-size limit of a DOCX archive (env ``PLANPARSE_DOCX_MAX_UNPACKED_BYTES``)."""
    raw = os.environ.get("PLANPARSE_DOCX_MAX_UNPACKED_BYTES")
    if raw:
        try:
            return int(raw)
        except ValueError:
            pass
    return DEFAULT_MAX_UNPACKED_BYTES


# --------------------------------------------------------------------------- sniffing


def sniff(data: bytes) -> Optional[str]:
    """What the bytes really are, from their first bytes: "a PDF file", "a Word 97-2003 (.doc) …",
    "an RTF document", "an HTML page", "a ZIP archive", or None when unknown.

    Surface forms: ``%PDF-``; OLE2 ``D0 CF 11 E0`` (Word 97-2003, or a password-protected
    DOCX, which Word stores the same way); ``{\\rtf``; ``<!DOCTYPE html``/``<html``/``<?xml``
    (Word's "Web page" saved as .doc); ``PK\\x03\\x04``.
    """
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    low = head[:512].lower()
    if head.startswith(b"%PDF-"):
        return "a PDF file"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data[:65536]:
            return "a password-protected (encrypted) Word document"
        return "a Word 97-2003 (.doc) or other OLE2 compound file"
    if head.startswith(b"{\\rtf"):
        return "an RTF document"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "a ZIP archive"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low[:300]:
        return "an HTML page"
    if low.startswith(b"<?xml"):
        return "an XML file"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "a UTF-16 text file"
    if head and b"\x00" not in head[:512]:
        try:
            head[:512].decode("utf-8")
            return "a text file"
        except UnicodeDecodeError:
            return None
    return None


def _zip_kind(names: set[str]) -> str:
    """What a ZIP that is not a Word document holds (ODT, XLSX, PPTX, EPUB, other)."""
    if "mimetype" in names or "content.xml" in names:
        return "an OpenDocument (.odt/.ods) file, not a Word .docx"
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook, not a Word document"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint presentation, not a Word document"
    return "a ZIP archive without word/document.xml, not a Word document"


def check_archive(data: bytes, path: str) -> zipfile.ZipFile:
    """Open ``data`` as a ZIP and check it is a safe Word archive, before any part is read.

    Errors: not a ZIP (naming what it is), corrupt central directory, too many members,
    declared uncompressed size above ``max_unpacked_bytes()``, a member compressing more than
    ``MAX_RATIO``:1, a ZIP without ``word/document.xml``.
    """
    if not data.startswith(b"PK"):
        kind = sniff(data)
        hint = {
            "a PDF file": " (rename it to .pdf)",
            "an RTF document": " (open it in Word and save as .docx, or rename it to .doc)",
            "an HTML page": " (rename it to .html)",
            "a text file": " (rename it to .txt)",
            "a UTF-16 text file": " (rename it to .txt)",
        }.get(kind or "", "")
        if kind and kind.startswith("a Word 97-2003"):
            hint = " (rename it to .doc)"
        raise DecodeError(f"not a DOCX file: it is {kind or 'not a ZIP archive'}{hint}", path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError) as exc:
        # NotImplementedError: "zip file version 23.6" (a damaged or unsupported central directory)
        raise DecodeError(f"corrupt or truncated DOCX (ZIP archive unreadable: {exc})", path) from None
    if len(infos) > MAX_MEMBERS:
        raise DecodeError(f"DOCX archive has {len(infos)} members (limit {MAX_MEMBERS}); refusing it", path)
    limit = max_unpacked_bytes()
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename.lower().endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
            raise DecodeError(
                f"DOCX part {info.filename} unpacks to {info.file_size} bytes, above the limit of "
                f"{MAX_XML_PART_BYTES} bytes for one XML part",
                path,
            )
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DecodeError(
                f"DOCX part {info.filename} expands from {info.compress_size} to {info.file_size} bytes "
                f"(ratio above {MAX_RATIO}:1): refusing a possible zip bomb",
                path,
            )
    if total > limit:
        raise DecodeError(
            f"DOCX archive unpacks to {total} bytes, above the limit of {limit} bytes "
            "(set PLANPARSE_DOCX_MAX_UNPACKED_BYTES to raise it)",
            path,
        )
    names = {i.filename for i in infos}
    if not any(n.startswith("word/") for n in names):
        raise DecodeError(f"not a DOCX file: it is {_zip_kind(names)}", path)
    _check_members(zf, infos, path)
    return zf


def _check_members(zf: zipfile.ZipFile, infos: list, path: str) -> None:
    """Inflate every member in 1 MiB chunks (and throw the bytes away) before python-docx reads
    the package: a member whose central directory lies about its size fails its CRC here, with
    bounded memory, whereas ``ZipFile.read`` would inflate the whole stream in one call."""
    for info in infos:
        if info.is_dir():
            continue
        try:
            with zf.open(info) as member:
                while member.read(1 << 20):
                    pass
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise DecodeError(f"corrupt DOCX (part {info.filename}: {_describe(exc)})", path) from None
        except Exception as exc:  # zlib.error and friends
            raise DecodeError(f"corrupt DOCX (part {info.filename}: {_describe(exc)})", path) from None


# --------------------------------------------------------------------------- numbering


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letter numbering: a..z, then aa..zz, aaa.. (no Vietnamese "đ"); as a number
    past ``MAX_LETTER_REPEAT`` letters, so a list cannot make labels of thousands of letters."""
    if n <= 0 or n > 26 * MAX_LETTER_REPEAT:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_VN_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_ENCLOSED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _vn_counting(n: int) -> str:
    if 0 <= n < 10:
        return _VN_DIGITS[n]
    if 10 <= n < 20:
        return "mười" + ("" if n == 10 else " " + ("lăm" if n % 10 == 5 else _VN_DIGITS[n % 10]))
    return str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format.

    decimal 3 → "3"; decimalZero → "03"; upperRoman → "III"; lowerRoman → "iii";
    upperLetter → "C"; lowerLetter → "c" (27 → "aa"); ordinal → "3."; decimalEnclosedCircle →
    "③"; vietnameseCounting → "ba"; none/bullet → ""; unknown formats → decimal.
    """
    if fmt in ("decimal", "decimalHalfWidth", "decimalFullWidth", "decimalFullWidth2", "cardinalText", "ordinalText"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "lowerLetter":
        return _letter(n)
    if fmt == "ordinal":
        return f"{n}."
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _ENCLOSED[n - 1]
    if fmt == "vietnameseCounting":
        return _vn_counting(n)
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


def _map_symbol(text: str) -> str:
    """Private-use Symbol/Wingdings characters of bullets to Unicode ("\\uF0B7" → "•")."""
    if not text or all(ord(c) < 0xE000 or ord(c) > 0xF8FF for c in text):
        return text
    return "".join(_PUA_BULLETS.get(ord(c), "•") if 0xE000 <= ord(c) <= 0xF8FF else c for c in text)


@dataclass
class Level:
    fmt: str = "decimal"
    text: Optional[str] = "%1."
    start: int = 1
    restart: Optional[int] = None  # lvlRestart (1-based level; 0 = never)
    legal: bool = False
    suff: str = "tab"


def _val(el, tag: str, default=None):
    child = el.find(W + tag) if el is not None else None
    if child is None:
        return default
    return child.get(W + "val", default)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _start(value, default: int = 1) -> int:
    """A list start value, clamped to Word's range 0..32767 (a hostile ``w:start`` of 10⁹ would
    otherwise make letter labels of millions of characters)."""
    return max(0, min(_int(value, default), MAX_START))


def _parse_level(lvl) -> Level:
    lt = lvl.find(W + "lvlText")
    text = lt.get(W + "val") if lt is not None else None
    fmt = _val(lvl, "numFmt", "decimal") or "decimal"
    restart = lvl.find(W + "lvlRestart")
    legal = lvl.find(W + "isLgl")
    return Level(
        fmt=fmt,
        text=_map_symbol(text[: 4 * MAX_LABEL_CHARS]) if text is not None else None,
        start=_start(_val(lvl, "start"), 1),
        restart=_int(restart.get(W + "val"), 1) if restart is not None else None,
        legal=legal is not None and legal.get(W + "val", "1") not in ("0", "false", "off"),
        suff=_val(lvl, "suff", "tab") or "tab",
    )


@dataclass
class _Instance:
    abstract: str
    levels: dict[int, Level]
    overrides: dict[int, int]  # ilvl -> startOverride
    used: bool = False


class Numbering:
    """The numbering definitions of a document and the running counters of its lists.

    Counters belong to the abstract list: numbering instances (``w:num``) of one
    ``abstractNum`` continue each other, and an instance with ``lvlOverride/startOverride``
    restarts the overridden levels at its first paragraph (how Word's "Restart at 1" is
    stored). Using a level resets the deeper levels (unless their ``lvlRestart`` says
    otherwise).
    """

    def __init__(self, root, styles: "Styles") -> None:
        self.abstract: dict[str, dict[int, Level]] = {}
        self.abstract_style_link: dict[str, str] = {}
        self.instances: dict[str, _Instance] = {}
        self.counters: dict[str, list[Optional[int]]] = {}
        self.styles = styles
        if root is None:
            return
        for an in root.iterchildren(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            self.abstract[aid] = {_int(lvl.get(W + "ilvl"), 0): _parse_level(lvl) for lvl in an.iterchildren(W + "lvl")}
            link = _val(an, "numStyleLink")
            if link:
                self.abstract_style_link[aid] = link
        for num in root.iterchildren(W + "num"):
            nid = num.get(W + "numId")
            aid = _val(num, "abstractNumId")
            overrides: dict[int, int] = {}
            levels: dict[int, Level] = {}
            for ov in num.iterchildren(W + "lvlOverride"):
                ilvl = _int(ov.get(W + "ilvl"), 0)
                so = ov.find(W + "startOverride")
                if so is not None:
                    overrides[ilvl] = _start(so.get(W + "val"), 1)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = _parse_level(lvl)
                    if so is None and lvl.find(W + "start") is not None:
                        overrides[ilvl] = levels[ilvl].start
            if nid is not None and aid is not None:
                self.instances[nid] = _Instance(aid, levels, overrides)

    def _levels(self, inst: _Instance, depth: int = 0) -> tuple[str, dict[int, Level]]:
        aid = inst.abstract
        link = self.abstract_style_link.get(aid)
        if link and depth < 3:
            num_id, _ = self.styles.numpr(link)
            target = self.instances.get(num_id or "")
            if target is not None and target is not inst:
                aid, base = self._levels(target, depth + 1)
                return aid, {**base, **inst.levels}
        return aid, {**self.abstract.get(aid, {}), **inst.levels}

    def label(self, num_id: str, ilvl: int) -> Optional[str]:
        """Advance the list of ``num_id`` at level ``ilvl`` and return the label Word shows
        (with its separator: "1. ", "a) ", "- "), or None when the paragraph is not numbered."""
        inst = self.instances.get(num_id)
        if inst is None:
            return None
        aid, levels = self._levels(inst)
        if not levels:
            return None
        ilvl = max(0, min(ilvl, 8))
        lvl = levels.get(ilvl)
        if lvl is None:
            return None
        counters = self.counters.setdefault(aid, [None] * 9)
        if not inst.used:
            inst.used = True
            if inst.overrides:
                for k in range(9):
                    counters[k] = (inst.overrides[k] - 1) if k in inst.overrides else None
        start = lvl.start
        current = counters[ilvl]
        counters[ilvl] = start if current is None else current + 1
        for k in range(ilvl + 1, 9):
            deeper = levels.get(k)
            restart = deeper.restart if deeper is not None else None
            if restart is None or (restart != 0 and ilvl < restart):
                counters[k] = None
        if lvl.text is None:
            return None
        if lvl.fmt == "bullet":
            return (lvl.text[:MAX_LABEL_CHARS] + _suffix(lvl)) if lvl.text else None
        out = []
        text = lvl.text
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "%" and i + 1 < len(text) and text[i + 1].isdigit():
                k = int(text[i + 1]) - 1
                klvl = levels.get(k, Level())
                value = counters[k] if 0 <= k < 9 and counters[k] is not None else klvl.start
                fmt = "decimal" if (lvl.legal and klvl.fmt not in ("bullet", "none")) else klvl.fmt
                out.append(format_number(value, fmt))
                i += 2
            else:
                out.append(ch)
                i += 1
        label = "".join(out)[:MAX_LABEL_CHARS]
        return (label + _suffix(lvl)) if label.strip() else None


def _suffix(lvl: Level) -> str:
    return "" if lvl.suff == "nothing" else " "


# --------------------------------------------------------------------------- styles


class Styles:
    """Paragraph/character styles: numbering (``numPr``) and "All caps" through ``basedOn``.

    Styles are looked up lazily (a template holds hundreds, a document uses a few)."""

    def __init__(self, root) -> None:
        self.elements: dict[str, object] = {}
        self.default_para: Optional[str] = None
        self._num: dict[str, tuple[Optional[str], Optional[int]]] = {}
        self._caps: dict[str, bool] = {}
        if root is None:
            return
        for st in root.iterchildren(W + "style"):
            sid = st.get(W + "styleId")
            if sid is None:
                continue
            self.elements.setdefault(sid, st)
            if self.default_para is None and st.get(W + "type") == "paragraph" and st.get(W + "default") in ("1", "true"):
                self.default_para = sid

    def _chain(self, sid: Optional[str]):
        seen = 0
        while sid and seen < 20:
            st = self.elements.get(sid)
            if st is None:
                return
            yield st
            sid = _val(st, "basedOn")
            seen += 1

    def numpr(self, sid: Optional[str]) -> tuple[Optional[str], Optional[int]]:
        """(numId, ilvl) of a paragraph style or the first of its ``basedOn`` ancestors with one."""
        if not sid:
            return None, None
        if sid not in self._num:
            found: tuple[Optional[str], Optional[int]] = (None, None)
            for st in self._chain(sid):
                numpr = st.find(f"{W}pPr/{W}numPr")
                if numpr is not None:
                    ilvl = numpr.find(W + "ilvl")
                    found = (_val(numpr, "numId"), _int(ilvl.get(W + "val"), 0) if ilvl is not None else None)
                    break
            self._num[sid] = found
        return self._num[sid]

    def caps(self, sid: Optional[str]) -> bool:
        """Whether a style (or its nearest ancestor that says) sets "All caps"."""
        if not sid:
            return False
        if sid not in self._caps:
            value = False
            for st in self._chain(sid):
                own = _flag(st.find(W + "rPr"), "caps")
                if own is not None:
                    value = own
                    break
            self._caps[sid] = value
        return self._caps[sid]


def _flag(rpr, tag: str) -> Optional[bool]:
    if rpr is None:
        return None
    el = rpr.find(W + tag)
    if el is None:
        return None
    return el.get(W + "val", "true") not in ("0", "false", "off")


# --------------------------------------------------------------------------- walking


@dataclass
class _Ctx:
    numbering: Numbering
    styles: Styles
    notes: dict[tuple[str, str], object]  # (kind, id) -> note element
    note_order: list[tuple[str, str]] = field(default_factory=list)
    note_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    fields: list[list] = field(default_factory=list)  # [instr, phase] phase: instr|result
    warnings: dict[str, str] = field(default_factory=dict)
    extra_lines: list[str] = field(default_factory=list)
    drawings: int = 0
    in_note: bool = False

    def warn(self, code: str, message: str) -> None:
        self.warnings.setdefault(code, message)

    def skipping_field(self) -> bool:
        for instr, phase in self.fields:
            if phase == "instr":
                return True
            head = instr.strip().split(" ", 1)[0].upper() if instr.strip() else ""
            if head in _SKIP_FIELDS:
                return True
        return False

    def in_toc(self) -> bool:
        return any(instr.strip().upper().startswith("TOC") for instr, _ in self.fields)


def _run_text(r, ctx: _Ctx, para_caps: bool, out: list[str]) -> None:
    """Text of one ``w:r``: t, tab, br, cr, sym, hyphens, note references, field chars."""
    rpr = r.find(W + "rPr")
    caps = para_caps
    superscript = False
    if rpr is not None:
        if _flag(rpr, "vanish"):
            # hidden text is not shown by Word; field chars inside still count
            for fc in r.iterchildren(W + "fldChar"):
                _field_char(fc, ctx)
            return
        rstyle = _val(rpr, "rStyle")
        own = _flag(rpr, "caps")
        if own is not None:
            caps = own
        elif rstyle and ctx.styles.caps(rstyle):
            caps = True
        superscript = _val(rpr, "vertAlign") == "superscript"
    buf: list[str] = []
    for child in r:
        tag = child.tag
        if tag == W + "t":
            if not ctx.skipping_field():
                buf.append(child.text or "")
        elif tag == W + "tab" or tag == W + "ptab":
            if not ctx.skipping_field():
                buf.append("\t")
        elif tag == W + "br" or tag == W + "cr":
            if not ctx.skipping_field():
                buf.append("\n")
        elif tag == W + "fldChar":
            _field_char(child, ctx)
        elif tag == W + "instrText":
            if ctx.fields and ctx.fields[-1][1] == "instr":
                ctx.fields[-1][0] += child.text or ""
        elif tag == W + "footnoteReference" or tag == W + "endnoteReference":
            kind = "footnote" if tag == W + "footnoteReference" else "endnote"
            if child.get(W + "customMarkFollows") in ("1", "true"):
                continue
            key = (kind, child.get(W + "id") or "")
            if key in ctx.notes:
                if key not in ctx.note_numbers:
                    ctx.note_order.append(key)
                    ctx.note_numbers[key] = len(ctx.note_order)
                buf.append(str(ctx.note_numbers[key]).translate(SUPERSCRIPT))
        elif tag == W + "sym":
            ch = child.get(W + "char")
            if ch:
                try:
                    buf.append(_map_symbol(chr(int(ch, 16) if int(ch, 16) >= 0xF000 else 0xF000 + int(ch, 16))))
                except ValueError:
                    pass
        elif tag == W + "noBreakHyphen":
            buf.append("-")
        elif tag == W + "drawing" or tag == W + "pict" or tag == W + "object" or tag == MC + "AlternateContent":
            _text_boxes(child, ctx)
    text = "".join(buf)
    if not text:
        return
    if superscript and text.isdigit() and len(text) <= 3:
        text = text.translate(SUPERSCRIPT)
    elif caps:
        text = text.upper()
    out.append(text)


def _field_char(fc, ctx: _Ctx) -> None:
    kind = fc.get(W + "fldCharType")
    if kind == "begin":
        ctx.fields.append(["", "instr"])
    elif kind == "separate" and ctx.fields:
        ctx.fields[-1][1] = "result"
    elif kind == "end" and ctx.fields:
        if ctx.fields[-1][0].strip().upper().startswith("TOC"):
            ctx.warn("toc_skipped", "table of contents skipped (its lines repeat the headings)")
        ctx.fields.pop()


def _text_boxes(el, ctx: _Ctx) -> None:
    """Paragraphs of text boxes inside a drawing/VML shape (the ``mc:Choice`` branch only)."""
    if el.tag == MC + "AlternateContent":
        choice = el.find(MC + "Choice")
        target = choice if choice is not None else el.find(MC + "Fallback")
        if target is None:
            return
        el = target
    found = False
    for box in el.iter(W + "txbxContent"):
        found = True
        lines: list[str] = []
        _blocks(box, ctx, lines)
        ctx.extra_lines.extend(line for line in lines if line.strip())
    if not found and el.tag == W + "drawing":
        ctx.drawings += 1


def _inline(container, ctx: _Ctx, para_caps: bool, out: list[str]) -> None:
    """Runs of a paragraph and of its inline wrappers (hyperlink, ins, smartTag, sdt, fldSimple…)."""
    for child in container:
        tag = child.tag
        if tag == W + "r":
            _run_text(child, ctx, para_caps, out)
        elif tag in (W + "hyperlink", W + "ins", W + "smartTag", W + "customXml", W + "moveTo", W + "dir", W + "bdo"):
            _inline(child, ctx, para_caps, out)
        elif tag == W + "fldSimple":
            instr = (child.get(W + "instr") or "").strip().split(" ", 1)[0].upper()
            if instr not in _SKIP_FIELDS:
                _inline(child, ctx, para_caps, out)
        elif tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                _inline(content, ctx, para_caps, out)
        elif tag == W + "del" or tag == W + "moveFrom":
            ctx.warn("tracked_changes", "tracked changes: insertions kept, deletions dropped")
        elif tag == MC + "AlternateContent":
            _text_boxes(child, ctx)


def paragraph_text(p, ctx: _Ctx) -> Optional[str]:
    """The line of one ``w:p``: numbering label + runs; None inside a skipped TOC."""
    was_toc = ctx.in_toc()
    ppr = p.find(W + "pPr")
    style = _val(ppr, "pStyle") if ppr is not None else None
    style = style or ctx.styles.default_para
    para_caps = ctx.styles.caps(style)
    out: list[str] = []
    _inline(p, ctx, para_caps, out)
    if was_toc or (style and style.lower().startswith("toc")):
        return None
    text = "".join(out)
    label = _numbering_label(ppr, style, ctx) if not ctx.in_note else None
    if label:
        text = label + text.lstrip(" \t")
    return text


def _numbering_label(ppr, style: Optional[str], ctx: _Ctx) -> Optional[str]:
    num_id: Optional[str] = None
    ilvl: Optional[int] = None
    numpr = ppr.find(W + "numPr") if ppr is not None else None
    if numpr is not None:
        num_id = _val(numpr, "numId")
        il = numpr.find(W + "ilvl")
        if il is not None:
            ilvl = _int(il.get(W + "val"), 0)
    if num_id is None or ilvl is None:
        s_num, s_ilvl = ctx.styles.numpr(style)
        num_id = num_id if num_id is not None else s_num
        ilvl = ilvl if ilvl is not None else s_ilvl
    if not num_id or num_id == "0":
        return None
    return ctx.numbering.label(num_id, ilvl or 0)


def table_rows(tbl, ctx: _Ctx) -> list[str]:
    """Rows of a ``w:tbl`` as "| a | b |" lines."""
    rows: list[str] = []
    for tr in _children(tbl, W + "tr"):
        cells: list[str] = []
        trpr = tr.find(W + "trPr")
        before = _int(_val(trpr, "gridBefore"), 0) if trpr is not None else 0
        cells.extend([""] * min(before, 50))
        for tc in _children(tr, W + "tc"):
            tcpr = tc.find(W + "tcPr")
            span = _int(_val(tcpr, "gridSpan"), 1) if tcpr is not None else 1
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue":
                text = ""  # Word shows the merged cell once, in its first row
            else:
                lines: list[str] = []
                _blocks(tc, ctx, lines, in_cell=True)
                text = " ".join(" ".join(line.split()) for line in lines if line.strip())
            cells.append(text)
            cells.extend([""] * min(max(span - 1, 0), 50))
        if any(c.strip() for c in cells):
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def _children(el, tag: str) -> Iterable:
    """Direct children with ``tag``, looking through ``w:sdt``/``w:customXml`` wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == W + "customXml":
            yield from _children(child, tag)


def _blocks(container, ctx: _Ctx, lines: list[str], in_cell: bool = False) -> None:
    """Paragraphs and tables of a body, cell, text box or note, in document order."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            text = paragraph_text(child, ctx)
            if text is not None:
                if in_cell:
                    text = text.replace("\n", " ")
                lines.append(text)
            if ctx.extra_lines:
                lines.extend(ctx.extra_lines)
                ctx.extra_lines = []
        elif tag == W + "tbl":
            if in_cell:
                for row in table_rows(child, ctx):
                    lines.append(row.strip("| ").replace(" | ", " "))
            else:
                lines.extend(table_rows(child, ctx))
        elif tag == W + "sdt":
            if _is_toc_sdt(child):
                ctx.warn("toc_skipped", "table of contents skipped (its lines repeat the headings)")
                continue
            content = child.find(W + "sdtContent")
            if content is not None:
                _blocks(content, ctx, lines, in_cell)
        elif tag in (W + "customXml", W + "ins", W + "moveTo"):
            _blocks(child, ctx, lines, in_cell)
        elif tag == MC + "AlternateContent":
            choice = child.find(MC + "Choice")
            if choice is not None:
                _blocks(choice, ctx, lines, in_cell)


def _is_toc_sdt(sdt) -> bool:
    pr = sdt.find(W + "sdtPr")
    if pr is None:
        return False
    for gallery in pr.iter(W + "docPartGallery"):
        if (gallery.get(W + "val") or "").lower().startswith("table of contents"):
            return True
    return False


def _note_text(note, ctx: _Ctx) -> str:
    lines: list[str] = []
    ctx.in_note = True
    try:
        _blocks(note, ctx, lines)
    finally:
        ctx.in_note = False
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


# --------------------------------------------------------------------------- reader


def _xml(blob: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    return etree.fromstring(blob, parser)


def _notes(document_part, rel_type: str, kind: str) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for rel in document_part.rels.values():
        if rel.reltype != rel_type or rel.is_external:
            continue
        part = rel.target_part
        root = getattr(part, "element", None)
        if root is None:
            root = _xml(part.blob)
        for note in root.iterchildren(W + kind):
            if note.get(W + "type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            out[(kind, note.get(W + "id") or "")] = note
    return out


def extract_text(document, warnings: Optional[list[Warning]] = None) -> str:
    """The text of an opened ``docx.Document`` (see the module docstring for the rules)."""
    part = document.part
    styles_root = None
    try:
        styles_root = part._styles_part.element  # noqa: SLF001 - python-docx keeps it private
    except (AttributeError, KeyError, NotImplementedError):
        styles_root = None
    styles = Styles(styles_root)
    numbering_root = None
    try:
        numbering_root = part.numbering_part.element
    except (AttributeError, KeyError, NotImplementedError):
        numbering_root = None
    notes = {**_notes(part, RT_FOOTNOTES, "footnote"), **_notes(part, RT_ENDNOTES, "endnote")}
    ctx = _Ctx(numbering=Numbering(numbering_root, styles), styles=styles, notes=notes)
    body = document.element.find(W + "body")
    lines: list[str] = []
    if body is not None:
        _blocks(body, ctx, lines)
    if ctx.note_order:
        lines.append("")
        for key in ctx.note_order:
            number = str(ctx.note_numbers[key]).translate(SUPERSCRIPT)
            lines.append(f"{number} {_note_text(notes[key], ctx)}")
    if warnings is not None:
        warnings.extend(Warning(code=code, message=msg) for code, msg in ctx.warnings.items())
        if ctx.drawings and not any(line.strip() for line in lines):
            warnings.append(Warning(code="images_only", message=f"{ctx.drawings} images and no text"))
    return "\n".join(lines)


def read_docx(data: bytes, path: str, encoding: Optional[str] = None, *, fmt: str = "docx", extractor: str = "python-docx") -> "Decoded":
    """Reader for .docx files (``register_reader``): text + ``SourceInfo(format="docx")``."""
    from . import Decoded

    check_archive(data, path)
    try:
        import docx  # python-docx
    except ImportError:
        raise UnsupportedFormatError("reading .docx files needs python-docx: pip install 'planparse[docx]'", path) from None
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx/lxml/zipfile raise many kinds for a broken package
        raise DecodeError(f"corrupt DOCX ({_describe(exc)})", path) from None
    warnings: list[Warning] = []
    try:
        text = extract_text(document, warnings)
    except Exception as exc:  # pragma: no cover - malformed XML that python-docx accepted
        raise DecodeError(f"corrupt DOCX ({_describe(exc)})", path) from None
    if not text.strip():
        images = next((w for w in warnings if w.code == "images_only"), None)
        detail = f" ({images.message}: a scan? it needs OCR first)" if images else ""
        raise InputError(f"the document has no text{detail}", path)
    info = SourceInfo(path=path, format=fmt, encoding="utf-8", encoding_confidence=1.0, extractor=extractor)
    return Decoded(text=text, info=info, warnings=warnings)


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if name == "PackageNotFoundError":
        return "not a Word package"
    if isinstance(exc, KeyError):
        return f"missing part {msg}"
    return f"{name}: {msg}"[:200] if msg else name
