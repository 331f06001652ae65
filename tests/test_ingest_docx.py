"""DOCX reader: real Word files built with python-docx (numbering.xml, footnotes.xml, tables)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

docx = pytest.importorskip("docx")
from docx.opc.constants import CONTENT_TYPE as CT  # noqa: E402
from docx.opc.constants import RELATIONSHIP_TYPE as RT  # noqa: E402
from docx.opc.packuri import PackURI  # noqa: E402
from docx.opc.part import Part  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

import planparse  # noqa: E402
from planparse.ingest import read_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class WordBuilder:
    """Build a .docx the way Word stores it: automatic numbering as ``numbering.xml``
    definitions (abstractNum + num with lvlOverride/startOverride), footnotes in
    ``footnotes.xml`` referenced from runs, tables as ``w:tbl``."""

    def __init__(self) -> None:
        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.numbering.findall(qn("w:abstractNum"))]
        nums = [int(n.get(qn("w:numId"))) for n in self.numbering.findall(qn("w:num"))]
        self._next_abstract = max(ids, default=0) + 1
        self._next_num = max(nums, default=0) + 1
        self.footnotes: list[tuple[int, str]] = []
        self._pending: list[str] = []
        # python-docx's template ends its body with sectPr; start with no paragraphs
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)

    def abstract(self, levels, nsid: str | None = None) -> int:
        """A list definition; ``levels`` is [(numFmt, lvlText, start), …] for ilvl 0, 1, …
        (a 4th item may give extra level XML such as ``<w:isLgl/>``)."""
        aid = self._next_abstract
        self._next_abstract += 1
        xml = [f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{aid}"><w:multiLevelType w:val="hybridMultilevel"/>']
        for ilvl, level in enumerate(levels):
            fmt, text, start = level[:3]
            extra = level[3] if len(level) > 3 else ""
            font = '<w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol" w:hint="default"/></w:rPr>' if "\uf0b7" in text else ""
            xml.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{720 * (ilvl + 1)}" w:hanging="360"/></w:pPr>{font}</w:lvl>'
            )
        xml.append("</w:abstractNum>")
        el = parse_xml("".join(xml))
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(el)
        else:
            self.numbering.append(el)
        return aid

    def num(self, abstract_id: int, start_overrides: dict[int, int] | None = None) -> int:
        """A numbering instance of ``abstract_id``; ``start_overrides`` {ilvl: start} restarts it."""
        nid = self._next_num
        self._next_num += 1
        overrides = "".join(
            f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            for ilvl, start in (start_overrides or {}).items()
        )
        self.numbering.append(parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="{nid}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))
        return nid

    def para(self, text: str = "", num: int | None = None, ilvl: int = 0, style: str | None = None):
        p = self.doc.add_paragraph(style=style)
        if text:
            self._runs(p, text)
        if num is not None:
            ppr = p._p.get_or_add_pPr()
            ppr.append(parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr>'))
        return p

    def note(self, body: str) -> str:
        """A marker to put in a paragraph's text where a footnote with ``body`` is referenced."""
        self._pending.append(body)
        return f"\x01{len(self._pending) - 1}\x01"

    def _runs(self, p, text: str) -> None:
        """Add ``text``; each ``note()`` marker inside it becomes a real footnote reference."""
        for i, part in enumerate(text.split("\x01")):
            if i % 2 == 0:
                if part:
                    p.add_run(part)
            else:
                self.footnote(p, self._pending[int(part)])

    def footnote(self, p, body: str) -> None:
        fid = len(self.footnotes) + 1
        self.footnotes.append((fid, body))
        run = p.add_run()
        run._r.append(parse_xml(f'<w:rPr xmlns:w="{W_NS}"><w:rStyle w:val="FootnoteReference"/><w:vertAlign w:val="superscript"/></w:rPr>'))
        run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W_NS}" w:id="{fid}"/>'))

    def table(self, rows: list[list[str]]):
        ncols = max(len(r) for r in rows)
        t = self.doc.add_table(rows=len(rows), cols=ncols)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                t.cell(r, c).text = value
        return t

    def xml_paragraph(self, inner: str) -> None:
        """A raw ``w:p`` (for fields, hidden text, tracked changes …)."""
        self.doc.element.body.insert(len(self.doc.element.body) - 1, parse_xml(f'<w:p xmlns:w="{W_NS}">{inner}</w:p>'))

    def _footnotes_part(self) -> None:
        def esc(s: str) -> str:
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        notes = [
            f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
            f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
        ]
        for fid, body in self.footnotes:
            notes.append(
                f'<w:footnote w:id="{fid}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
                f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:t xml:space="preserve"> {esc(body)}</w:t></w:r></w:p></w:footnote>'
            )
        blob = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">{"".join(notes)}</w:footnotes>'.encode()
        part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)

    def save(self, path) -> Path:
        if self.footnotes:
            self._footnotes_part()
        self.doc.save(str(path))
        return Path(path)


def text_of(path) -> str:
    return read_file(path).text


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "planparse", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})},
    )


# --------------------------------------------------------------------------- numbering


def test_numbering_formats_and_restarts(tmp_path):
    w = WordBuilder()
    roman = w.abstract([("upperRoman", "%1.", 1)])
    dec = w.abstract([("decimal", "%1.", 1)])
    letter = w.abstract([("lowerLetter", "%1)", 1)])
    dash = w.abstract([("bullet", "-", 1)])
    sec = w.num(roman)
    w.para("MỤC ĐÍCH, YÊU CẦU", sec)
    items = w.num(dec)
    w.para("Mục đích:", items)
    w.para("Nội dung không đánh số ở giữa.")
    w.para("Yêu cầu:", items)
    pts = w.num(letter)
    for t in ["một", "hai", "ba", "bốn", "năm", "sáu"]:
        w.para(t, pts)
    w.para("gạch đầu dòng", w.num(dash))
    w.para("MỤC TIÊU", sec)
    w.para("Mục tiêu chung", w.num(dec, {0: 1}))  # "Restart at 1"
    w.para("Mục tiêu cụ thể", w.num(dec))  # another instance without override: continues
    lines = text_of(w.save(tmp_path / "n.docx")).splitlines()
    assert lines == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích:",
        "Nội dung không đánh số ở giữa.",
        "2. Yêu cầu:",
        # Word's lowerLetter has no "đ": the fifth item shows "e)"
        "a) một", "b) hai", "c) ba", "d) bốn", "e) năm", "f) sáu",
        "- gạch đầu dòng",
        "II. MỤC TIÊU",
        "1. Mục tiêu chung",
        "2. Mục tiêu cụ thể",
    ]


def test_multilevel_lvltext_start_and_level_restart(tmp_path):
    w = WordBuilder()
    outline = w.abstract([("decimal", "%1.", 3), ("decimal", "%1.%2.", 1), ("decimal", "%1.%2.%3", 1), ("lowerRoman", "(%4)", 1)])
    n = w.num(outline)
    w.para("Ba", n, 0)
    w.para("Ba một", n, 1)
    w.para("Ba một một", n, 2)
    w.para("Ba một hai", n, 2)
    w.para("La mã", n, 3)
    w.para("La mã hai", n, 3)
    w.para("Ba hai", n, 1)
    w.para("Ba hai một", n, 2)
    w.para("Bốn", n, 0)
    w.para("Bốn một", n, 1)
    lines = text_of(w.save(tmp_path / "m.docx")).splitlines()
    assert lines == ["3. Ba", "3.1. Ba một", "3.1.1 Ba một một", "3.1.2 Ba một hai", "(i) La mã", "(ii) La mã hai",
                     "3.2. Ba hai", "3.2.1 Ba hai một", "4. Bốn", "4.1. Bốn một"]


def test_legal_numbering_suffix_upper_letter_and_symbol_bullet(tmp_path):
    w = WordBuilder()
    legal = w.abstract([("upperRoman", "%1.", 1), ("decimal", "%1.%2.", 1, '<w:isLgl/>')])
    n = w.num(legal)
    w.para("Một", n, 0)
    w.para("Một chấm một", n, 1)
    groups = w.abstract([("upperLetter", "%1.", 1)])
    w.para("NHÓM A", w.num(groups))
    bullets = w.abstract([("bullet", "\uf0b7", 1)])
    w.para("chấm tròn", w.num(bullets))
    articles = w.abstract([("decimal", "Điều %1.", 1)])
    art = w.num(articles)
    w.para("Phạm vi", art)
    w.para("Đối tượng", art)
    lines = text_of(w.save(tmp_path / "l.docx")).splitlines()
    assert lines == ["I. Một", "1.1. Một chấm một", "A. NHÓM A", "• chấm tròn", "Điều 1. Phạm vi", "Điều 2. Đối tượng"]


def test_numbering_from_paragraph_style(tmp_path):
    w = WordBuilder()
    # python-docx's template defines "List Number" and "List Bullet" with numbering in the style
    w.para("thứ nhất", style="List Number")
    w.para("thứ hai", style="List Number")
    w.para("chấm", style="List Bullet")
    lines = text_of(w.save(tmp_path / "s.docx")).splitlines()
    assert lines[0].startswith("1") and lines[0].endswith("thứ nhất")
    assert lines[1].startswith("2") and lines[1].endswith("thứ hai")
    assert lines[2].endswith("chấm") and lines[2] != "chấm"


# --------------------------------------------------------------------------- tables, footnotes, fields


def test_tables_in_document_order_with_header_table_and_indicators(tmp_path):
    w = WordBuilder()
    w.table([["ỦY BAN NHÂN DÂN\nTỈNH VĨNH PHÚC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
             ["Số: 2239/QĐ-UBND", "Vĩnh Phúc, ngày 16 tháng 10 năm 2023"]])
    w.para("KẾ HOẠCH")
    w.para("Bảng chỉ tiêu:")
    t = w.table([["Chỉ tiêu", "Đơn vị", "2025", "2030"], ["Tỷ lệ trẻ em được trợ giúp", "%", "90", "95"]])
    w.para("Sau bảng.")
    text = text_of(w.save(tmp_path / "t.docx"))
    assert text.splitlines() == [
        "| ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc |",
        "| Số: 2239/QĐ-UBND | Vĩnh Phúc, ngày 16 tháng 10 năm 2023 |",
        "KẾ HOẠCH",
        "Bảng chỉ tiêu:",
        "| Chỉ tiêu | Đơn vị | 2025 | 2030 |",
        "| Tỷ lệ trẻ em được trợ giúp | % | 90 | 95 |",
        "Sau bảng.",
    ]
    doc = planparse.parse(tmp_path / "t.docx")
    assert doc.metadata.number == "2239/QĐ-UBND"
    assert doc.metadata.issued_date == "2023-10-16"
    assert doc.source.format == "docx" and doc.source.extractor == "python-docx"


def test_merged_cells_keep_columns(tmp_path):
    w = WordBuilder()
    t = w.table([["TT", "Nội dung", "Mục tiêu", ""], ["", "", "2025", "2030"], ["1", "Trẻ em", "90", "95"]])
    t.cell(0, 2).merge(t.cell(0, 3))
    t.cell(0, 0).merge(t.cell(1, 0))
    t.cell(0, 1).merge(t.cell(1, 1))
    rows = text_of(w.save(tmp_path / "m.docx")).splitlines()
    assert rows[1] == "|  |  | 2025 | 2030 |"
    assert rows[0].startswith("| TT | Nội dung | Mục tiêu") and rows[0].count("|") == 5
    assert rows[2] == "| 1 | Trẻ em | 90 | 95 |"


def test_numbered_tt_column_in_table(tmp_path):
    w = WordBuilder()
    dec = w.abstract([("decimal", "%1", 1)])
    t = w.table([["TT", "Nhiệm vụ", "Cơ quan chủ trì"], ["", "Rà soát đối tượng", "Sở Lao động - Thương binh và Xã hội"], ["", "Tập huấn", "Sở Y tế"]])
    n = w.num(dec)
    for r in (1, 2):
        ppr = t.cell(r, 0).paragraphs[0]._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="0"/><w:numId w:val="{n}"/></w:numPr>'))
    rows = text_of(w.save(tmp_path / "tt.docx")).splitlines()
    assert rows[1:] == ["| 1 | Rà soát đối tượng | Sở Lao động - Thương binh và Xã hội |", "| 2 | Tập huấn | Sở Y tế |"]


def test_footnotes_attached_to_markers(tmp_path):
    w = WordBuilder()
    w.para("KẾ HOẠCH")
    w.para("I. MỤC TIÊU")
    w.para("Thực hiện Đề án phát triển nghề công tác xã hội" + w.note("Quyết định số 32/2010/QĐ-TTg ngày 25/3/2010 của Thủ tướng Chính phủ.") + " trên địa bàn tỉnh.")
    w.para("Thành lập Trung tâm" + w.note("Quyết định số 2410/QĐ-UBND ngày 04/11/2011.") + " công tác xã hội.")
    path = w.save(tmp_path / "f.docx")
    text = text_of(path)
    assert "công tác xã hội¹ trên" in text and "Trung tâm² công" in text
    assert text.splitlines()[-2:] == [
        "¹ Quyết định số 32/2010/QĐ-TTg ngày 25/3/2010 của Thủ tướng Chính phủ.",
        "² Quyết định số 2410/QĐ-UBND ngày 04/11/2011.",
    ]
    doc = planparse.parse(path)
    assert [f.marker for f in doc.footnotes] == ["1", "2"]
    assert doc.footnotes[0].text.startswith("Quyết định số 32/2010/QĐ-TTg")
    assert doc.text[doc.footnotes[0].anchor - 9 : doc.footnotes[0].anchor] == "công tác xã hội"[-9:]
    assert "32/2010/QĐ-TTg" in {r.full_number for r in doc.legal_references}


def test_headers_footers_page_fields_hidden_and_deleted_text_dropped(tmp_path):
    w = WordBuilder()
    section = w.doc.sections[0]
    section.header.paragraphs[0].text = "CỔNG THÔNG TIN ĐIỆN TỬ - tiêu đề trang"
    section.footer.paragraphs[0].text = "Trang chân trang"
    w.para("KẾ HOẠCH")
    w.xml_paragraph(
        '<w:r><w:t xml:space="preserve">Trang </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    w.xml_paragraph(
        '<w:r><w:t xml:space="preserve">Giữ </w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>bỏ </w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a"><w:r><w:t xml:space="preserve">thêm </w:t></w:r></w:ins>'
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>ẩn</w:t></w:r><w:r><w:rPr><w:caps/></w:rPr><w:t>chữ hoa</w:t></w:r>'
        '<w:r><w:t xml:space="preserve"> diện tích 20 m</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>2</w:t></w:r>'
    )
    decoded = read_file(w.save(tmp_path / "h.docx"))
    assert decoded.text.splitlines() == ["KẾ HOẠCH", "Trang ", "Giữ thêm CHỮ HOA diện tích 20 m²"]
    assert "CỔNG THÔNG TIN" not in decoded.text and "chân trang" not in decoded.text
    assert any(wn.code == "tracked_changes" for wn in decoded.warnings)


def test_table_of_contents_is_skipped(tmp_path):
    w = WordBuilder()
    w.para("MỤC LỤC")
    w.xml_paragraph(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>I. MỤC TIÊU ..... 3</w:t></w:r>'
    )
    w.xml_paragraph('<w:r><w:t>II. NHIỆM VỤ ..... 5</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    w.para("I. MỤC TIÊU")
    decoded = read_file(w.save(tmp_path / "toc.docx"))
    assert "....." not in decoded.text
    assert decoded.text.split() == ["MỤC", "LỤC", "I.", "MỤC", "TIÊU"]
    assert any(wn.code == "toc_skipped" for wn in decoded.warnings)


# --------------------------------------------------------------------------- bad inputs


def _docx_bytes(tmp_path) -> bytes:
    w = WordBuilder()
    w.para("KẾ HOẠCH")
    w.para("I. MỤC TIÊU")
    return w.save(tmp_path / "ok.docx").read_bytes()


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda d, ok: ok[: len(ok) // 2], "corrupt or truncated DOCX"),
        (lambda d, ok: "KẾ HOẠCH\nI. MỤC TIÊU\n".encode(), "not a DOCX file: it is a text file"),
        (lambda d, ok: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "it is a PDF file (rename it to .pdf)"),
        (lambda d, ok: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "Word 97-2003 (.doc)"),
        (lambda d, ok: b"<!DOCTYPE html><html><body><p>K\xe1\xba\xbe HO\xe1\xba\xa0CH</p></body></html>", "it is an HTML page"),
    ],
)
def test_bad_docx_inputs_exit_2(tmp_path, make, reason):
    ok = _docx_bytes(tmp_path)
    path = tmp_path / "bad.docx"
    path.write_bytes(make(tmp_path, ok))
    r = run_cli("parse", path)
    assert r.returncode == 2, r.stdout[:200]
    assert str(path) in r.stderr and reason in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    with pytest.raises(planparse.PlanParseError):
        planparse.parse(path)


def test_zip_that_is_not_word(tmp_path):
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    r = run_cli("parse", path)
    assert r.returncode == 2 and "Excel workbook" in r.stderr and "Traceback" not in r.stderr
    odt = tmp_path / "odt.docx"
    with zipfile.ZipFile(odt, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    r = run_cli("parse", odt)
    assert r.returncode == 2 and "OpenDocument" in r.stderr


def test_corrupt_document_xml(tmp_path):
    ok = _docx_bytes(tmp_path)
    src = zipfile.ZipFile(io.BytesIO(ok))
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]
            zf.writestr(info, data)
    r = run_cli("parse", path)
    assert r.returncode == 2 and "corrupt DOCX" in r.stderr and "Traceback" not in r.stderr


def test_zip_bomb_and_configurable_limit(tmp_path):
    ok = _docx_bytes(tmp_path)
    src = zipfile.ZipFile(io.BytesIO(ok))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        zf.writestr("word/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    r = run_cli("parse", bomb)
    assert r.returncode == 2 and "zip bomb" in r.stderr and "Traceback" not in r.stderr
    # the total uncompressed size limit is configurable
    r = run_cli("parse", tmp_path / "ok.docx", env={"PLANPARSE_DOCX_MAX_UNPACKED_BYTES": "1000"})
    assert r.returncode == 2 and "above the limit of 1000 bytes" in r.stderr
    assert run_cli("parse", tmp_path / "ok.docx").returncode == 0


def test_empty_document(tmp_path):
    w = WordBuilder()
    w.para("")
    w.table([["", ""]])
    path = w.save(tmp_path / "empty.docx")
    r = run_cli("parse", path)
    assert r.returncode == 2 and "the document has no text" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- .doc (Word 97-2003)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _no_office_env(tmp_path) -> dict:
    """An environment whose PATH has no LibreOffice (only the Python running the tests)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return {"PATH": str(empty), "PLANPARSE_SOFFICE": ""}


def test_doc_without_libreoffice_names_the_missing_tool(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(OLE2 + bytes(4096))
    r = run_cli("parse", path, env=_no_office_env(tmp_path))
    assert r.returncode == 2 and str(path) in r.stderr
    assert "needs LibreOffice (soffice)" in r.stderr and "libreoffice-writer-nogui" in r.stderr
    assert "Traceback" not in r.stderr


def test_doc_files_that_are_something_else(tmp_path):
    # a .docx saved under a .doc name, and a portal's "Word" download that is a web page
    w = WordBuilder()
    w.para("MỤC TIÊU", w.num(w.abstract([("upperRoman", "%1.", 1)])))
    docx_named_doc = w.save(tmp_path / "a.docx")
    (tmp_path / "a.doc").write_bytes(docx_named_doc.read_bytes())
    decoded = read_file(tmp_path / "a.doc")
    assert decoded.text == "I. MỤC TIÊU" and decoded.info.format == "docx"
    (tmp_path / "web.doc").write_bytes("<html><body><p>KẾ HOẠCH</p><p>I. MỤC TIÊU</p></body></html>".encode())
    if pytest.importorskip("lxml"):
        decoded = read_file(tmp_path / "web.doc")
        assert decoded.text.splitlines() == ["KẾ HOẠCH", "I. MỤC TIÊU"] and decoded.info.format == "html"
    (tmp_path / "pdf.doc").write_bytes(b"%PDF-1.5\n")
    r = run_cli("parse", tmp_path / "pdf.doc", env=_no_office_env(tmp_path))
    assert r.returncode == 2 and "it is a PDF file" in r.stderr


def _stand_in_soffice(tmp_path, script: str) -> dict:
    """An executable in place of LibreOffice (CI has none): checks the timeout and failure paths."""
    exe = tmp_path / "soffice"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(0o755)
    return {"PLANPARSE_SOFFICE": str(exe)}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell script")
def test_doc_converter_timeout_and_failure(tmp_path):
    path = tmp_path / "old.doc"
    path.write_bytes(OLE2 + bytes(4096))
    env = {**_stand_in_soffice(tmp_path, "sleep 30"), "PLANPARSE_SOFFICE_TIMEOUT": "1"}
    r = run_cli("parse", path, env=env)
    assert r.returncode == 2 and "did not convert the .doc within 1 s" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("parse", path, env=_stand_in_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1"))
    assert r.returncode == 2 and "could not convert the .doc (Error: source file could not be loaded)" in r.stderr


def test_doc_converted_by_libreoffice_when_present(tmp_path):
    from planparse.ingest.doc import find_soffice

    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice is not installed (CI does not install it)")
    w = WordBuilder()
    w.para("KẾ HOẠCH")
    w.para("MỤC TIÊU", w.num(w.abstract([("upperRoman", "%1.", 1)])))
    dec = w.abstract([("decimal", "%1.", 1)])
    n = w.num(dec)
    w.para("Mục tiêu chung", n)
    w.para("Mục tiêu cụ thể", n)
    w.table([["Chỉ tiêu", "2025"], ["Tỷ lệ", "90%"]])
    w.para("Hết.")  # Word always ends a body with a paragraph; LibreOffice's .doc export drops a final table
    src = w.save(tmp_path / "src.docx")
    out = tmp_path / "out"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "doc", "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    doc_path = out / "src.doc"
    assert doc_path.read_bytes().startswith(OLE2)
    decoded = read_file(doc_path)
    assert decoded.info.format == "doc" and "libreoffice" in decoded.info.extractor
    assert decoded.text.splitlines() == ["KẾ HOẠCH", "I. MỤC TIÊU", "1. Mục tiêu chung", "2. Mục tiêu cụ thể", "| Chỉ tiêu | 2025 |", "| Tỷ lệ | 90% |", "Hết."]
