"""HTML reader: saved portal pages written in tmp_path and read with lxml.html."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

pytest.importorskip("lxml")

import planparse  # noqa: E402
from planparse.ingest import read_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def page(tmp_path, body: str, name: str = "p.html", head: str = '<meta charset="utf-8">', encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    html = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    path.write_bytes(cp1258(html) if encoding == "cp1258" else html.encode(encoding))
    return path


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes: base letters precomposed (Ê, Ơ, Ư …), tones as combining marks."""
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def lines(path) -> list[str]:
    return read_file(path).text.splitlines()


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "planparse", *map(str, args)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )


CHROME = """
<div id="header"><div class="top-banner">Đăng nhập | Đăng ký thành viên</div>
<nav class="menu"><ul><li><a href="/">Trang chủ</a></li><li><a href="/vb">Văn bản mới</a></li></ul></nav></div>
<aside class="sidebar"><h3>Văn bản cùng lĩnh vực</h3><a href="/1">Nghị định 20/2021/NĐ-CP</a></aside>
<script>var menu = "I. MỤC TIÊU";</script><style>p { margin: 0 }</style><noscript>Bật JavaScript</noscript>
"""
FOOTER = '<footer class="site-footer">Bản quyền © 2024 – Địa chỉ: 17 Nguyễn Gia Thiều</footer><script>track()</script>'


def test_chrome_removed_and_main_text_found_by_density(tmp_path):
    body = CHROME + """<div class="wrap"><div class="col-left"><p>KẾ HOẠCH</p>
    <p>I. MỤC TIÊU</p><p>1. Mục tiêu chung</p>
    <p>Bảo đảm 100% trẻ em có hoàn cảnh đặc biệt được
       trợ giúp, chăm sóc phù hợp.</p></div></div>""" + FOOTER
    path = page(tmp_path, body)
    decoded = read_file(path)
    assert decoded.text.splitlines() == [
        "KẾ HOẠCH", "I. MỤC TIÊU", "1. Mục tiêu chung",
        "Bảo đảm 100% trẻ em có hoàn cảnh đặc biệt được trợ giúp, chăm sóc phù hợp.",
    ]
    assert decoded.info.format == "html" and decoded.info.extractor.startswith("lxml.html")


def test_known_portal_containers(tmp_path):
    # thuvienphapluat.vn nests div.content1 twice; vbpl.vn uses #toanvancontent
    tvpl = CHROME + """<div class="content1"><div class="toolbar">Lưu trữ Ghi chú Ý kiến</div>
    <div class="content1"><p>QUYẾT ĐỊNH</p><p>Điều 1. Ban hành kèm theo Quyết định này Kế hoạch thực hiện
    chương trình trợ giúp xã hội giai đoạn 2021 - 2025 trên địa bàn tỉnh.</p></div></div>
    <div class="related">Văn bản liên quan: rất nhiều nội dung khác ở đây</div>""" + FOOTER
    decoded = read_file(page(tmp_path, tvpl, "tvpl.html"))
    assert decoded.text.splitlines()[0] == "QUYẾT ĐỊNH"
    assert "Lưu trữ" not in decoded.text and "liên quan" not in decoded.text
    assert "known container .content1" in decoded.info.extractor
    vbpl = CHROME + '<div id="toanvancontent"><p>NGHỊ QUYẾT</p><p>Điều 1. Phê duyệt Chương trình hành động của Chính phủ thực hiện Nghị quyết.</p></div>' + FOOTER
    decoded = read_file(page(tmp_path, vbpl, "vbpl.html"))
    assert decoded.text.splitlines() == ["NGHỊ QUYẾT", "Điều 1. Phê duyệt Chương trình hành động của Chính phủ thực hiện Nghị quyết."]


def test_decree_header_table_and_indicator_table_as_rows(tmp_path):
    body = """<div id="toanvancontent">
    <table width="100%"><tr><td width="35%"><p align="center"><b>ỦY BAN NHÂN DÂN<br>TỈNH VĨNH PHÚC</b><br>-------</p></td>
      <td><p align="center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</b><br>---------------</p></td></tr>
    <tr><td><p>Số: 2239/QĐ-UBND</p></td><td><p><i>Vĩnh Phúc, ngày 16 tháng 10 năm 2023</i></p></td></tr></table>
    <p><b>QUYẾT ĐỊNH</b></p><p>Bảng chỉ tiêu:</p>
    <table border="1"><thead><tr><th rowspan="2">Chỉ tiêu</th><th rowspan="2">Đơn vị</th><th colspan="2">Mục tiêu</th></tr>
      <tr><th>2025</th><th>2030</th></tr></thead>
    <tbody><tr><td>Tỷ lệ trẻ em được trợ giúp</td><td>%</td><td>90</td><td>95</td></tr></tbody></table>
    <p>Sau bảng.</p></div>"""
    path = page(tmp_path, body)
    assert lines(path) == [
        "| ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc --------------- |",
        "| Số: 2239/QĐ-UBND | Vĩnh Phúc, ngày 16 tháng 10 năm 2023 |",
        "QUYẾT ĐỊNH",
        "Bảng chỉ tiêu:",
        "| Chỉ tiêu | Đơn vị | Mục tiêu |  |",
        "|  |  | 2025 | 2030 |",
        "| Tỷ lệ trẻ em được trợ giúp | % | 90 | 95 |",
        "Sau bảng.",
    ]
    doc = planparse.parse(path)
    assert doc.metadata.number == "2239/QĐ-UBND" and doc.metadata.issued_date == "2023-10-16"
    assert doc.source.format == "html"


def test_layout_tables_are_paragraphs_and_nested_tables_flatten(tmp_path):
    body = """<table><tr><td><p>KẾ HOẠCH</p><p>I. MỤC TIÊU</p></td></tr></table>
    <table><tr><td>TT</td><td>Nội dung</td></tr><tr><td>1</td><td>Tập huấn<table><tr><td>Quý I</td><td>Quý II</td></tr></table></td></tr></table>"""
    assert lines(page(tmp_path, body)) == ["KẾ HOẠCH", "I. MỤC TIÊU", "| TT | Nội dung |", "| 1 | Tập huấn Quý I Quý II |"]


def test_breaks_entities_whitespace_and_pre(tmp_path):
    body = """<div><p>Dòng một<br/>Dòng hai<br><br>Dòng   ba &amp; b&#7889;n&nbsp;năm</p><div>Khối
    chia dòng</div><span>nội tuyến</span> <b>đậm</b><pre>  giữ
  nguyên</pre></div>"""
    assert lines(page(tmp_path, body)) == ["Dòng một", "Dòng hai", "Dòng ba & bốn\u00a0năm", "Khối chia dòng", "nội tuyến đậm", "  giữ", "  nguyên"]


def test_list_labels(tmp_path):
    body = """<p>Nhiệm vụ:</p><ol><li>Một</li><li>Hai</li></ol>
    <ol type="a" start="3"><li>ba</li><li value="5">năm</li></ol>
    <ol type="I"><li>MỤC TIÊU</li><li>NHIỆM VỤ</li></ol>
    <ul><li>chấm</li><li>- đã có gạch</li></ul><ul style="list-style-type: none"><li>không nhãn</li></ul>
    <ol><li>1. đã đánh số</li></ol>"""
    assert lines(page(tmp_path, body)) == [
        "Nhiệm vụ:", "1. Một", "2. Hai", "c. ba", "e. năm", "I. MỤC TIÊU", "II. NHIỆM VỤ",
        "• chấm", "- đã có gạch", "không nhãn", "1. đã đánh số",
    ]


def test_footnotes_sup_and_word_export(tmp_path):
    body = """<div class="WordSection1"><p>KẾ HOẠCH</p><p>I. ĐÁNH GIÁ</p>
    <p>Thành lập Trung tâm Công tác xã hội tỉnh<sup>1</sup>; sáp nhập vào Trung tâm Bảo trợ xã hội
    <a style="mso-footnote-id:ftn2" href="#_ftn2" name="_ftnref2" title=""><span class="MsoFootnoteReference">[2]</span></a>.</p>
    <p>Diện tích 20 m<sup>2</sup>.</p></div>
    <div style="mso-element:footnote-list"><hr><div id="ftn1"><p><sup>1</sup> Quyết định số 2410/QĐ-UBND ngày 04/11/2011 của UBND tỉnh.</p></div>
    <div id="ftn2"><p class="MsoFootnoteText"><a href="#_ftnref2" name="_ftn2">[2]</a> Quyết định số 2818/QĐ-UBND ngày 27/12/2020 của UBND tỉnh.</p></div></div>"""
    path = page(tmp_path, body)
    text = read_file(path).text
    assert "tỉnh¹;" in text and "xã hội ²." in text and "20 m²." in text
    doc = planparse.parse(path)
    assert [f.marker for f in doc.footnotes] == ["1", "2"]
    assert doc.footnotes[1].text.startswith("Quyết định số 2818/QĐ-UBND")
    assert {"2410/QĐ-UBND", "2818/QĐ-UBND"} <= {r.full_number for r in doc.legal_references}


def test_encodings(tmp_path):
    body = "<p>KẾ HOẠCH thực hiện chương trình trợ giúp xã hội</p>"
    expected = ["KẾ HOẠCH thực hiện chương trình trợ giúp xã hội"]
    # declared Windows-1258 (tones as combining marks, composed again by normalise)
    p = page(tmp_path, body, "cp1258.html", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">', "cp1258")
    decoded = read_file(p)
    assert decoded.info.encoding == "windows-1258"
    assert planparse.parse(p).text.splitlines() == expected
    # UTF-8 bytes under a stale declaration
    p = page(tmp_path, body, "stale.html", '<meta charset="iso-8859-1">')
    assert lines(p) == expected and read_file(p).info.encoding == "utf-8"
    # UTF-16 with BOM, and an XML declaration (XHTML)
    p = tmp_path / "u16.html"
    p.write_bytes(("\ufeff<?xml version='1.0' encoding='utf-16'?><html><body>" + body + "</body></html>").encode("utf-16-le"))
    assert lines(p) == expected


def test_broken_markup_still_reads(tmp_path):
    path = tmp_path / "broken.html"
    path.write_text("<html><body><div><p>I. MỤC TIÊU<p>1. Mục tiêu chung<td>lạc chỗ</div></span><p>Kết thúc", encoding="utf-8")
    assert lines(path) == ["I. MỤC TIÊU", "1. Mục tiêu chung", "lạc chỗ", "Kết thúc"]


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"<html><head><script>render()</script></head><body><div id='app'></div><script>load()</script></body></html>", "JavaScript"),
        (b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>", "no text in the HTML page"),
        (b"%PDF-1.4\n1 0 obj <<>> endobj\n", "it is a PDF file"),
        (b"PK\x03\x04" + bytes(40), "ZIP archive"),
    ],
)
def test_bad_html_inputs_exit_2(tmp_path, data, reason):
    path = tmp_path / "bad.html"
    path.write_bytes(data)
    r = run_cli("parse", path)
    assert r.returncode == 2 and str(path) in r.stderr and reason in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_header_block_in_a_sibling_of_the_body_is_kept(tmp_path):
    body_text = "".join(f"<p>{i}. Nhiệm vụ số {i} của kế hoạch trợ giúp xã hội trên địa bàn tỉnh trong giai đoạn tới.</p>" for i in range(1, 30))
    body = CHROME + f"""<div class="doc"><div class="doc-head"><table><tr><td>ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI</td>
    <td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr><tr><td>Số: 12/KH-UBND</td><td>Đồng Nai, ngày 3 tháng 1 năm 2018</td></tr></table></div>
    <div class="doc-body">{body_text}</div></div>""" + FOOTER
    text = read_file(page(tmp_path, body)).text
    assert text.splitlines()[:2] == ["| ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |", "| Số: 12/KH-UBND | Đồng Nai, ngày 3 tháng 1 năm 2018 |"]
    assert "Trang chủ" not in text and text.splitlines()[-1].startswith("29. Nhiệm vụ")
