"""Hostile files (issue 8): bad, huge or malicious input gives a document or a clear error
naming the file, in bounded time and memory — never a crash, a hang, an OOM or a leak.

Real files built by real libraries (zipfile, lxml-parsed Word parts, fpdf2 PDFs, sparse files);
the heavy ones are parsed in a fresh subprocess whose peak RSS (``VmHWM``) and CPU time are
measured, so a blow-up fails the test instead of the machine.

Covered: DOCX zip bombs (declared sizes, lying sizes, many members, oversized XML parts),
XML entity expansion and external entities (XXE) in every Word part python-docx or the reader
parses and in HTML, a numbering.xml with thousands of lists and levels and hostile start values,
PDFs with thousands of pages, malformed xref tables and page trees, files whose extension lies,
a 200 MB text file, and the encoding edge cases (mixed NFC/NFD, lone surrogates, invalid UTF-8,
a BOM in the middle, UTF-16 without BOM, NUL bytes).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

import planparse
from conftest import BOUNDED_CPU_SECONDS, CORPUS, SEEDS
from invariants import violations
from planparse.emit import to_json

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MEMORY_BOUND_MIB = 1024  # peak RSS of a child process parsing one hostile file

needs_docx = pytest.mark.skipif(not importlib.util.find_spec("docx"), reason="python-docx not installed")
needs_pdf = pytest.mark.skipif(not importlib.util.find_spec("pypdfium2"), reason="pypdfium2 not installed")
needs_lxml = pytest.mark.skipif(not importlib.util.find_spec("lxml"), reason="lxml not installed")


# ------------------------------------------------------------------ helpers

_CHILD = r"""
import json, sys, time
sys.path[:0] = [sys.argv[1]]
import planparse
from planparse.emit import to_json
t0 = time.process_time()
out = {}
try:
    doc = planparse.parse(sys.argv[2])
    out["status"] = "ok"
    out["chars"] = len(doc.text)
    out["json_bytes"] = len(to_json(doc).encode())
    out["text_head"] = doc.text[:200]
    out["has_secret"] = sys.argv[3] in to_json(doc, include_text=True) if len(sys.argv) > 3 else False
except planparse.PlanParseError as exc:
    out["status"] = "error"
    out["message"] = str(exc)
out["cpu_s"] = round(time.process_time() - t0, 3)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        out["peak_rss_mib"] = int(line.split()[1]) / 1024
print(json.dumps(out))
"""


def parse_in_child(path: Path, secret: str | None = None, env: dict | None = None, timeout: float = 300) -> dict:
    """Parse ``path`` in a fresh process: status, message, CPU seconds, peak RSS (MiB)."""
    args = [sys.executable, "-c", _CHILD, str(ROOT / "src"), str(path)] + ([secret] if secret else [])
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: no result after {timeout} s (hang)")
    assert r.returncode == 0, f"{path.name}: child died (exit {r.returncode}): {r.stderr[-3000:]}"
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["cpu_s"] < BOUNDED_CPU_SECONDS * 3, result
    assert result["peak_rss_mib"] < MEMORY_BOUND_MIB, result
    if result["status"] == "error":
        assert str(path) in result["message"], result
        assert "\n" not in result["message"], result
    return result


CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
    "</Types>"
)
PKG_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def para(text: str, num: int | None = None, ilvl: int = 0, inner: str = "") -> str:
    ppr = f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>' if num is not None else ""
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r>{inner}</w:p>'


def document(paras: list[str], prolog: str = "") -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}<w:document xmlns:w="{W}"><w:body>{"".join(paras)}</w:body></w:document>'


def write_docx(path: Path, doc_xml: str, *, numbering: str | None = None, styles: str | None = None,
               footnotes: str | None = None, extra: tuple = (), compression=zipfile.ZIP_DEFLATED) -> Path:
    """A minimal Word package (content types, relationships, parts) written by zipfile."""
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for rid, (kind, part) in enumerate((("numbering", numbering), ("styles", styles), ("footnotes", footnotes)), start=2):
        if part is not None:
            rels.append(f'<Relationship Id="rId{rid}" Type="{RT}{kind}" Target="{kind}.xml"/>')
    rels.append("</Relationships>")
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", PKG_RELS)
        z.writestr("word/_rels/document.xml.rels", "".join(rels))
        z.writestr("word/document.xml", doc_xml)
        for kind, part in (("numbering", numbering), ("styles", styles), ("footnotes", footnotes)):
            if part is not None:
                z.writestr(f"word/{kind}.xml", part)
        for name, data in extra:
            z.writestr(name, data)
    return path


PLAIN = [para("KẾ HOẠCH"), para("I. MỤC TIÊU"), para("Đạt 90% trẻ em có hoàn cảnh đặc biệt được trợ giúp.")]


# ------------------------------------------------------------------ DOCX: zip bombs and oversized parts


@needs_docx
def test_docx_zip_bomb_member_is_refused_before_unpacking(tmp_path):
    """300 MB of zeros in one member (ratio ~1000:1): refused from the central directory."""
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", PKG_RELS)
        z.writestr("word/document.xml", document(PLAIN))
        with z.open("word/media/image1.png", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                f.write(block)
    assert path.stat().st_size < 2 << 20
    r = parse_in_child(path)
    assert r["status"] == "error" and "zip bomb" in r["message"], r
    assert r["peak_rss_mib"] < 200, r


@needs_docx
def test_docx_with_lying_sizes_in_the_central_directory(tmp_path):
    """A member whose central directory claims 2 KB but whose deflate stream holds 200 MB:
    zipfile stops at the declared size and the CRC fails — an error, not 200 MB in memory."""
    path = tmp_path / "liar.docx"
    big = document(PLAIN + [para("x" * 1000)] * 200_000).encode()
    write_docx(path, big.decode())
    data = bytearray(path.read_bytes())
    # patch the declared uncompressed size of word/document.xml in both headers
    name = b"word/document.xml"
    zf = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = zf.getinfo("word/document.xml")
    real = info.file_size
    assert real > 150_000_000
    lie = (2048).to_bytes(4, "little")
    cd = data.rfind(b"PK\x01\x02" + data[data.rfind(b"PK\x01\x02"): data.rfind(b"PK\x01\x02") + 0][:0])
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while True:
            pos = data.find(sig, pos)
            if pos < 0:
                break
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[pos + off : pos + off + 4] = lie
            pos += 4
    del cd
    path.write_bytes(bytes(data))
    r = parse_in_child(path)
    assert r["status"] == "error" and "DOCX" in r["message"], r
    assert r["peak_rss_mib"] < 300, r


@needs_docx
def test_docx_with_too_many_members(tmp_path):
    path = write_docx(tmp_path / "members.docx", document(PLAIN), extra=tuple((f"word/media/{i}.bin", b"") for i in range(10_001)),
                      compression=zipfile.ZIP_STORED)
    r = parse_in_child(path)
    assert r["status"] == "error" and "members" in r["message"], r


@needs_docx
def test_docx_oversized_xml_part_is_refused(tmp_path):
    """document.xml of 70 MB that compresses only ~100:1 (under the zip-bomb ratio): its lxml
    tree alone would take ~1 GB, so the reader refuses an XML part above 64 MiB."""
    import random

    rnd = random.Random(8)
    words = "trẻ em có hoàn cảnh đặc biệt được trợ giúp xã hội năm kế hoạch mục tiêu".split()
    chunk = "".join(para(" ".join(rnd.choice(words) for _ in range(12))) for _ in range(3000))
    xml = document([chunk] * (70 * (1 << 20) // len(chunk.encode()) + 1))
    path = write_docx(tmp_path / "huge.docx", xml)
    assert path.stat().st_size < 50 << 20
    r = parse_in_child(path)
    assert r["status"] == "error" and "word/document.xml" in r["message"] and "XML part" in r["message"], r


@needs_docx
def test_docx_text_above_the_size_limit_is_refused(tmp_path):
    """A DOCX cannot hand the pipeline more text than a .txt may hold (--max-bytes)."""
    path = write_docx(tmp_path / "long.docx", document(PLAIN + [para("Trẻ em có hoàn cảnh đặc biệt. " * 100)] * 400))
    with pytest.raises(planparse.InputError, match="extracted text is .* characters, above the limit of 100000"):
        planparse.parse(path, max_bytes=100_000)
    assert planparse.parse(path).sections


# ------------------------------------------------------------------ XML: entity expansion, XXE

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
SECRET = "planparse-secret-7f3a"


@pytest.fixture()
def secret_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text(SECRET + "\n")
    return p


def _xxe(secret_file: Path) -> str:
    return f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'


@needs_docx
@pytest.mark.parametrize("part", ["document", "numbering", "styles", "footnotes"])
def test_docx_billion_laughs_in_every_part(tmp_path, part):
    lol = "&lol9;"
    parts = {
        "document": document(PLAIN + [para(lol)], prolog=LAUGHS),
        "numbering": f'<?xml version="1.0"?>\n{LAUGHS}<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="{lol}"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>',
        "styles": f'<?xml version="1.0"?>\n{LAUGHS}<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="{lol}"><w:name w:val="{lol}"/></w:style></w:styles>',
        "footnotes": f'<?xml version="1.0"?>\n{LAUGHS}<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r><w:t>{lol}</w:t></w:r></w:p></w:footnote></w:footnotes>',
    }
    body = parts["document"] if part == "document" else document(PLAIN + [para("x", 1, inner='<w:r><w:footnoteReference w:id="1"/></w:r>')])
    kwargs = {part: parts[part]} if part != "document" else {}
    path = write_docx(tmp_path / f"laughs-{part}.docx", body, **kwargs)
    r = parse_in_child(path)
    assert r["status"] in ("ok", "error"), r
    if r["status"] == "ok":
        assert r["chars"] < 10_000, r  # never the 3 GB of "lol"
    assert r["peak_rss_mib"] < 300, r


@needs_docx
@pytest.mark.parametrize("part", ["document", "numbering", "footnotes"])
def test_docx_external_entities_are_not_resolved(tmp_path, secret_file, part):
    xxe = _xxe(secret_file)
    parts = {
        "document": document(PLAIN + [para("&xxe;")], prolog=xxe),
        "numbering": f'<?xml version="1.0"?>\n{xxe}<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/><w:lvlText w:val="&xxe;"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>',
        "footnotes": f'<?xml version="1.0"?>\n{xxe}<w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:footnote></w:footnotes>',
    }
    body = parts["document"] if part == "document" else document(PLAIN + [para("x", 1, inner='<w:r><w:footnoteReference w:id="1"/></w:r>')])
    kwargs = {part: parts[part]} if part != "document" else {}
    path = write_docx(tmp_path / f"xxe-{part}.docx", body, **kwargs)
    r = parse_in_child(path, secret=SECRET)
    assert not r.get("has_secret"), r


@needs_lxml
@pytest.mark.parametrize("suffix", [".html", ".xhtml"])
def test_html_entities_and_external_entities(tmp_path, secret_file, suffix):
    xxe = f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}"><!ENTITY lol "lol">' + LAUGHS[len("<!DOCTYPE lolz [") + len('<!ENTITY lol "lol">'):]
    html = f'<?xml version="1.0"?>\n{xxe}<html xmlns="http://www.w3.org/1999/xhtml"><body><p>KẾ HOẠCH</p><p>I. MỤC TIÊU &xxe; &lol9;</p><p>Đạt 90% trẻ em.</p></body></html>'
    path = tmp_path / f"xxe{suffix}"
    path.write_text(html, encoding="utf-8")
    r = parse_in_child(path, secret=SECRET)
    assert not r.get("has_secret"), r
    if r["status"] == "ok":
        assert r["chars"] < 10_000, r


# ------------------------------------------------------------------ DOCX: thousands of numbering levels


def _numbering(n_abstract: int, n_num: int, starts) -> str:
    fmts = ["upperRoman", "lowerLetter", "decimal", "bullet", "vietnameseCounting", "decimalZero", "upperLetter", "ordinal", "none"]
    levels = list(range(9)) + [99, -5, 2**40]
    absn = "".join(
        f'<w:abstractNum w:abstractNumId="{a}">'
        + "".join(
            f'<w:lvl w:ilvl="{lv}"><w:start w:val="{starts(a, lv)}"/><w:numFmt w:val="{fmts[(a + i) % 9]}"/>'
            f'<w:lvlText w:val="%1.%2.%3.%4.%5.%6.%7.%8.%9.%1%1%1%1%1%1%1%1"/><w:lvlRestart w:val="{i % 3}"/></w:lvl>'
            for i, lv in enumerate(levels)
        )
        + "</w:abstractNum>"
        for a in range(n_abstract)
    )
    nums = "".join(
        f'<w:num w:numId="{n}"><w:abstractNumId w:val="{n % n_abstract}"/>'
        f'<w:lvlOverride w:ilvl="{n % 9}"><w:startOverride w:val="{n * 100_003}"/></w:lvlOverride></w:num>'
        for n in range(n_num)
    )
    return f'<w:numbering xmlns:w="{W}">{absn}{nums}</w:numbering>'


@needs_docx
def test_docx_thousands_of_numbering_levels_and_hostile_starts(tmp_path):
    """3,000 lists × 12 levels (also ilvl 99, -5, 2⁴⁰), 6,000 instances with startOverride up to
    6·10⁸, letter formats with start 2·10⁸, lvlText repeating %1: the text stays proportional to
    the paragraphs (labels are clamped like Word's: start ≤ 32767, ≤ 8 letters, ≤ 64 characters)."""
    numbering = _numbering(3000, 6000, lambda a, lv: [1, 200_000_000, 2**31 - 1, -7, "x", 10**30][(a + lv) % 6])
    ilvls = [0, 1, 2, 3, 4, 5, 6, 7, 8, 99, -1, 2**33]
    paras = PLAIN + [para(f"mục {i}", i % 6000, ilvls[i % 12]) for i in range(12_000)]
    path = write_docx(tmp_path / "levels.docx", document(paras), numbering=numbering)
    r = parse_in_child(path)
    assert r["status"] == "ok", r
    assert r["chars"] < 12_000 * 150, r  # a letter bomb made 297 M characters before the clamp


@needs_docx
def test_docx_letter_numbering_bomb_is_clamped():
    """One list at start 2·10⁸ in lowerLetter used to render a 7.7 M-letter label per paragraph."""
    from planparse.ingest.docx import read_docx

    numbering = (
        f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="200000000"/>'
        f'<w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>'
        f'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", PKG_RELS)
        z.writestr("word/_rels/document.xml.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="{RT}numbering" Target="numbering.xml"/></Relationships>')
        z.writestr("word/document.xml", document(PLAIN + [para("Nội dung", 1)] * 3))
        z.writestr("word/numbering.xml", numbering)
    text = read_docx(buf.getvalue(), "bomb.docx").text
    assert len(text) < 1000, len(text)
    assert "32767) Nội dung" in text  # Word's largest start value, in decimal past 8 letters


# ------------------------------------------------------------------ PDF


def _pdf(pages: int, path: Path, text: str = "Trang {n}: Kế hoạch trợ giúp xã hội") -> Path:
    from fpdf import FPDF

    from pdf_fixture import dejavu

    pdf = FPDF()
    font = dejavu()
    if font:
        pdf.add_font("DejaVu", "", str(font))
        pdf.set_font("DejaVu", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
        text = "Trang {n}: Ke hoach tro giup xa hoi"
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_y(100)  # body text in the middle of the page, not in the running-header band
        pdf.multi_cell(0, 6, text.format(n=n) + f" mục tiêu {n * 7 % 97}% trẻ em, giai đoạn {2000 + n % 30}.")
    pdf.output(str(path))
    return path


@needs_pdf
def test_pdf_with_thousands_of_pages_is_refused_by_the_page_limit(tmp_path):
    path = _pdf(2_100, tmp_path / "pages.pdf")
    r = parse_in_child(path)
    assert r["status"] == "error" and "2100 pages, above the limit of 2000" in r["message"], r
    assert r["cpu_s"] < 5, r


@needs_pdf
def test_pdf_with_a_thousand_pages_parses_in_bounded_time(tmp_path):
    path = _pdf(1_000, tmp_path / "many.pdf")
    r = parse_in_child(path)
    assert r["status"] == "ok" and r["chars"] > 30_000, r


def _corruptions(good: bytes) -> dict[str, bytes]:
    import regex as re

    xref = good.rfind(b"xref")
    startxref = good.rfind(b"startxref")
    return {
        "xref-offsets-garbage": re.sub(rb"\d{10} 00000 n", lambda m: b"%010d 00000 n" % (int(m.group()[:10]) * 7 % 99991), good),
        "xref-past-eof": good[:startxref] + b"startxref\n999999999\n%%EOF\n",
        "no-xref-no-trailer": good[:xref],
        "truncated-half": good[: len(good) // 2],
        "truncated-head": good[:400],
        "xref-loop": good[:startxref] + b"startxref\n%d\n%%%%EOF\n" % startxref,
        "count-billion": good.replace(b"/Count ", b"/Count 999999999 /Old "),
        "kids-self-loop": re.sub(rb"/Kids \[[^\]]*\]", b"/Kids [1 0 R 2 0 R 1 0 R]", good, count=1),
        "streams-garbled": good.replace(b"stream\n", b"stream\n\xff\xfe\x00garbage", 3),
        "nested-arrays": good.replace(b"/Type /Catalog", b"/Type /Catalog /Junk " + b"[" * 100_000 + b"]" * 100_000),
    }


@needs_pdf
@pytest.mark.parametrize("kind", sorted(_corruptions(b"xref startxref")))
def test_malformed_pdfs(tmp_path, kind):
    good = _pdf(3, tmp_path / "good.pdf").read_bytes()
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(_corruptions(good)[kind])
    r = parse_in_child(path)
    assert r["status"] in ("ok", "error"), r


# ------------------------------------------------------------------ lying extensions


def _formats(tmp_path) -> dict[str, bytes]:
    out = {
        "text": "KẾ HOẠCH\nI. MỤC TIÊU\nĐạt 90% trẻ em.\n".encode(),
        "html": "<!DOCTYPE html><html><body><p>KẾ HOẠCH</p></body></html>".encode(),
        "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "gzip": b"\x1f\x8b\x08\x00" + bytes(500),
        "ole-doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000),
        "utf16": "KẾ HOẠCH\nI. MỤC TIÊU\n".encode("utf-16"),
        "elf": b"\x7fELF\x02\x01\x01" + bytes(3000),
    }
    if importlib.util.find_spec("docx"):
        out["docx"] = write_docx(tmp_path / "real.docx", document(PLAIN)).read_bytes()
    if importlib.util.find_spec("fpdf"):
        out["pdf"] = _pdf(1, tmp_path / "real.pdf").read_bytes()
    return out


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx", ".pdf", ".html", ".doc"])
def test_files_whose_extension_lies(tmp_path, suffix):
    """Every format under every extension: a document or a clear error naming the file."""
    for kind, data in _formats(tmp_path).items():
        path = tmp_path / f"{kind}-as{suffix}"
        path.write_bytes(data)
        try:
            doc = planparse.parse(path)
        except planparse.PlanParseError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc), (kind, suffix, str(exc))
            continue
        assert isinstance(doc, planparse.PlanDocument), (kind, suffix)
        to_json(doc)


# ------------------------------------------------------------------ a 200 MB text file


def test_200_mb_text_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:  # sparse: no disk space, no time
        f.truncate(200 * 1024 * 1024)
    r = parse_in_child(path)
    assert r["status"] == "error" and "209715200 bytes, above the limit of" in r["message"], r
    assert r["peak_rss_mib"] < 150 and r["cpu_s"] < 2, r
    cli = subprocess.run([sys.executable, "-m", "planparse", "parse", str(path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=120)
    assert cli.returncode == 2 and "above the limit" in cli.stderr and "Traceback" not in cli.stderr


def test_200_mb_of_real_text_is_refused_by_the_size_limit(tmp_path):
    """Not sparse: 200 MB of real corpus text on disk, refused from its size before reading."""
    seed = (CORPUS / SEEDS["vinh_phuc"]).read_bytes()
    path = tmp_path / "real-huge.txt"
    with open(path, "wb") as f:
        for _ in range(200 * 1024 * 1024 // len(seed) + 1):
            f.write(seed)
    r = parse_in_child(path)
    assert r["status"] == "error" and "above the limit" in r["message"], r
    assert r["peak_rss_mib"] < 150, r


# ------------------------------------------------------------------ encodings


def test_mixed_nfc_and_nfd_text():
    nfc = (CORPUS / SEEDS["dong_nai"]).read_text(encoding="utf-8")
    lines = nfc.split("\n")
    mixed = "\n".join(unicodedata.normalize("NFD", ln) if i % 2 else ln for i, ln in enumerate(lines))
    doc_mixed, doc_nfc = planparse.parse_text(mixed), planparse.parse_text(nfc)
    assert not violations(mixed, doc_mixed)
    assert unicodedata.is_normalized("NFC", doc_mixed.text)
    assert doc_mixed.text == doc_nfc.text
    assert [s.id for s in doc_mixed.iter_sections()] == [s.id for s in doc_nfc.iter_sections()]
    assert len(doc_mixed.targets) == len(doc_nfc.targets)


def test_lone_surrogates_give_a_document_that_serialises():
    text = "KẾ HOẠCH\nI. MỤC TIÊU\nTrẻ em \ud800 có hoàn cảnh \udfff đặc biệt\n"
    doc = planparse.parse_text(text)
    assert not violations(text, doc)
    to_json(doc, include_text=True)


def test_invalid_utf8_bytes_in_a_text_file(tmp_path):
    good = (CORPUS / SEEDS["binh_dinh"]).read_bytes()
    for name, data in {
        "stray-continuation": good[:5000] + b"\x80\x80" + good[5000:],
        "truncated-sequence": good[:6001] + b"\xe1\xba" + good[6001:],
        "overlong": good[:3000] + b"\xc0\xaf\xe0\x80\xaf" + good[3000:],
        "surrogate-bytes": good[:3000] + b"\xed\xa0\x80" + good[3000:],
        "ff-fe": good[:3000] + b"\xff\xfe" + good[3000:],
    }.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        try:
            doc = planparse.parse(path)
        except planparse.PlanParseError as exc:
            assert str(path) in str(exc)
            continue
        assert any(w.code in ("encoding_guess", "encoding_repaired") for w in doc.warnings) or doc.source.encoding != "utf-8", name
        to_json(doc, include_text=True)


def test_bom_in_the_middle_and_at_the_start():
    text = "\ufeffKẾ HOẠCH\nI. MỤC\ufeff TIÊU\n\ufeff1. Đạt 90%\ufeff trẻ em\n"
    doc = planparse.parse_text(text)
    assert "\ufeff" not in doc.text
    assert not violations(text, doc)
    assert [s.label for s in doc.iter_sections() if s.label] == ["I", "1"]
    assert any(r.kind == "zero_width" and r.text == "\ufeff" for r in doc.removals)


def test_bom_in_the_middle_of_a_utf8_file(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "KẾ HOẠCH\nI. MỤC TIÊU\n".encode() + b"\xef\xbb\xbf" + "1. Đạt 90% trẻ em\n".encode())
    doc = planparse.parse(path)
    assert doc.source.encoding == "utf-8-sig" and "\ufeff" not in doc.text
    assert [s.label for s in doc.iter_sections() if s.label] == ["I", "1"]


def test_utf16_without_bom_and_nul_bytes(tmp_path):
    text = (CORPUS / SEEDS["kon_tum"]).read_text(encoding="utf-8")[:3000]
    for enc in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes(text.encode(enc))
        doc = planparse.parse(path)
        assert doc.source.encoding == enc and "KẾ HOẠCH" in doc.text[:40]
    path = tmp_path / "nul.txt"
    path.write_bytes(text.encode()[:1000] + b"\0" * 5 + text.encode()[1000:])
    with pytest.raises(planparse.DecodeError, match="binary"):
        planparse.parse(path)


# ------------------------------------------------------------------ output amplification

AMPLIFIERS = {
    "letters": "a) x\n",
    "refs": "Quyết định số 1/QĐ-TTg; ",
    "agencies": "Sở Y tế, ",
    "budgets": "100 tỷ đồng; ",
    "table": "| 1 | Sở Y tế | 90% |\n",
    "percent": pytest.param("1%", marks=pytest.mark.xfail(
        reason="'1%1%1%…' makes one target per 2 characters: JSON 540x the input, 3.2 GB peak RSS for 1 MB "
               "(extract/targets.py: no cap on targets per sentence)", strict=True)),
}


@pytest.mark.parametrize("unit", list(AMPLIFIERS.values()), ids=list(AMPLIFIERS))
def test_output_is_at_most_200_times_the_input(unit):
    """Memory follows the output: 100 KB of input must not make more than 20 MB of JSON (the
    corpus gives 3–8x; a plan of one-line items about 130x)."""
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    doc = planparse.parse_text(text)
    ratio = len(to_json(doc).encode()) / len(text.encode())
    assert ratio < 200, ratio
