"""PDF reader: format equivalence with the .txt seeds, layout rules, and clear errors for bad input.

PDFs are written here with fpdf2 and the DejaVuSans font (see tests/pdf_fixture.py: Debian's
fonts-dejavu-core, else matplotlib's copy). Needs the ``pdf`` extra (pdfplumber, pypdfium2) and
fpdf2; each test is skipped when one is missing.
"""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pdfium = pytest.importorskip("pypdfium2")
pytest.importorskip("pdfplumber")
fpdf = pytest.importorskip("fpdf")

import planparse  # noqa: E402
from conftest import CORPUS, ROOT, SEEDS  # noqa: E402
from pdf_fixture import dejavu, write_pdf  # noqa: E402
from planparse.errors import DecodeError, InputError  # noqa: E402
from planparse.ingest.pdf import read_pdf  # noqa: E402

FONT = dejavu()
pytestmark = pytest.mark.skipif(FONT is None, reason="DejaVuSans.ttf not found (apt-get install fonts-dejavu-core)")

# Differences between the .txt seed and its PDF, after whitespace is collapsed, and why:
EXPECTED_TEXT_DIFFERENCES = {
    # The web copy keeps the signature block's layout-table cell as "| TM. ỦY BAN NHÂN DÂN |"; in
    # the PDF it is a line in the right-hand column, so it is read as "TM. ỦY BAN NHÂN DÂN".
    "vinh_phuc": ({"| TM. ỦY BAN NHÂN DÂN |"}, {"TM. ỦY BAN NHÂN DÂN"}),
    # The seed's text export put the tail of footnote ⁷ ("dẫn 152 có trẻ …") in the body after a
    # page break, where normalise reattaches it to the open footnote. The fixture writes that tail
    # as a body paragraph, so in the PDF it stays in the body and footnote ⁷ ends at "hướng".
    "binh_phuoc": ({"Tổ chức tập huấn kỹ thuật tập vật lý"}, {"dẫn 152 có trẻ khuyết tật tại nhà", "Tổ chức tập huấn kỹ thuật tập vật lý"}),
}


def _pdf_of(name, tmp_dir):
    out = Path(tmp_dir) / f"{name}.pdf"
    if not out.exists():
        write_pdf((CORPUS / SEEDS[name]).read_text(encoding="utf-8"), out, font=FONT)
    return out


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory):
    d = tmp_path_factory.mktemp("seed_pdfs")
    return lambda name: _pdf_of(name, d)


def _lines(text):
    return [" ".join(ln.split()) for ln in text.split("\n") if ln.strip()]


def _agencies(doc):
    return sorted((a.name, tuple(sorted({m.role for m in a.mentions}))) for a in doc.agencies)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_pdf_parses_like_the_txt(seed_pdfs, name):
    txt = planparse.parse(CORPUS / SEEDS[name])
    pdf = planparse.parse(seed_pdfs(name))
    assert pdf.source.format == "pdf" and pdf.source.extractor == "pypdfium2"
    assert [(s.id, s.kind, s.label) for s in pdf.iter_sections()] == [(s.id, s.kind, s.label) for s in txt.iter_sections()]
    assert [(r.full_number, r.raw) for r in pdf.legal_references] == [(r.full_number, r.raw) for r in txt.legal_references]
    assert [(t.value, t.value_max, t.unit, t.comparator) for t in pdf.targets] == [(t.value, t.value_max, t.unit, t.comparator) for t in txt.targets]
    assert _agencies(pdf) == _agencies(txt)
    assert (pdf.metadata.number, pdf.metadata.issued_date, pdf.metadata.issuer) == (txt.metadata.number, txt.metadata.issued_date, txt.metadata.issuer)
    assert len(pdf.footnotes) == len(txt.footnotes)
    # the text itself, line by line: only the listed differences
    only_txt, only_pdf = EXPECTED_TEXT_DIFFERENCES.get(name, (set(), set()))
    a, b = _lines(txt.text), _lines(pdf.text)
    missing = [ln for ln in a if ln not in b]
    extra = [ln for ln in b if ln not in a]
    assert all(any(m.startswith(x) for x in only_txt) for m in missing), missing
    assert all(any(e.startswith(x) for x in only_pdf) for e in extra), extra
    assert len(missing) == len(only_txt) and len(extra) == len(only_pdf)


def test_running_headers_page_numbers_and_footnotes_are_handled(seed_pdfs):
    dec = read_pdf(seed_pdfs("binh_phuoc").read_bytes(), "bp.pdf")
    assert "bản sao để thử nghiệm" not in dec.text  # the running header
    assert not any(re.fullmatch(r"\d{1,3}", ln.strip()) for ln in dec.text.split("\n"))  # page numbers
    lines = dec.text.split("\n")
    assert "Bình Phước¹ (Đề án 32).." in dec.text
    notes = [ln for ln in lines if re.match("[¹²³⁴⁵⁶⁷⁸⁹]", ln)]
    assert [n.split()[0] for n in notes] == ["¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "¹⁰"]
    assert lines.index(notes[0]) > lines.index("Trần Tuyết Minh")  # bodies moved to the end
    summary = [w.message for w in dec.warnings if w.code == "pdf_layout"][0]
    assert "10 footnotes" in summary and "page numbers" in summary


SYNTHETIC = """ỦY BAN NHÂN DÂN TỈNH AN GIANG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |
Số: 123/KH-UBND | An Giang, ngày 05 tháng 3 năm 2024 |
KẾ HOẠCH
Thực hiện Chương trình phát triển công tác xã hội giai đoạn 2024 - 2030
Căn cứ Quyết định số 112/QĐ-TTg ngày 22/01/2021 của Thủ tướng Chính phủ phê duyệt Chương trình phát triển công tác xã hội giai đoạn 2021 - 2030¹; Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện trên địa bàn tỉnh như sau:
I. MỤC TIÊU
1. Mục tiêu chung
Phát triển công tác xã hội trở thành một nghề được xã hội thừa nhận, có đội ngũ cán bộ, viên chức, nhân viên và cộng tác viên đủ về số lượng, đạt yêu cầu về chất lượng² gắn với phát triển hệ thống cơ sở cung cấp dịch vụ công tác xã hội.
2. Mục tiêu cụ thể
a) Đến năm 2025 có 100% xã, phường, thị trấn có cán bộ làm công tác xã hội được đào tạo, bồi dưỡng kiến thức, kỹ năng nghề công tác xã hội.
- Bộ Lao động - Thương binh và Xã hội hướng dẫn chuyên môn; Sở Lao động - Thương binh và Xã hội chủ trì tổ chức thực hiện trên địa bàn tỉnh.
II. NHIỆM VỤ
| TT | Nhiệm vụ | Cơ quan chủ trì | Thời gian |
| 1 | Tuyên truyền về nghề công tác xã hội | Sở Lao động - Thương binh và Xã hội | Hằng năm |
| 2 | Đào tạo, bồi dưỡng đội ngũ | Sở Nội vụ | 2024 - 2025 |
III. TỔ CHỨC THỰC HIỆN
Các sở, ngành, Ủy ban nhân dân các huyện, thị xã, thành phố căn cứ Kế hoạch này xây dựng kế hoạch thực hiện và báo cáo kết quả về Sở Lao động - Thương binh và Xã hội trước ngày 15/12 hằng năm.
¹ Quyết định số 112/QĐ-TTg ngày 22/01/2021 của Thủ tướng Chính phủ.
² Theo Thông tư số 01/2017/TT-BLĐTBXH ngày 02/02/2017 của Bộ Lao động - Thương binh và Xã hội quy định tiêu chuẩn nghiệp vụ chuyên môn các chức danh nghề nghiệp viên chức công tác xã hội.
""" + "\n".join(
    f"{k}. Nội dung số {k} do các sở, ngành, địa phương thực hiện theo chức năng, nhiệm vụ được giao và báo cáo định kỳ." for k in range(3, 40)
)


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory):
    return write_pdf(SYNTHETIC, tmp_path_factory.mktemp("synthetic") / "plan.pdf", font=FONT)


@pytest.mark.parametrize("extractor", ["pypdfium2", "pdfplumber"])
def test_layout_of_a_synthetic_plan(synthetic_pdf, extractor):
    dec = read_pdf(synthetic_pdf.read_bytes(), "plan.pdf", extractor=extractor)
    expected = [ln for ln in SYNTHETIC.split("\n") if not ln.startswith(("¹", "²"))]
    expected = expected + [""] + [ln for ln in SYNTHETIC.split("\n") if ln.startswith(("¹", "²"))]
    assert dec.text.rstrip("\n").split("\n") == expected
    assert dec.info.extractor == ("pypdfium2+pdfplumber" if extractor == "pypdfium2" else "pdfplumber")
    summary = [w.message for w in dec.warnings if w.code == "pdf_layout"][0]
    assert "1 tables" in summary and "2 header-block rows" in summary and "2 footnotes" in summary


def test_synthetic_plan_through_the_pipeline(synthetic_pdf):
    doc = planparse.parse(synthetic_pdf)
    md = doc.metadata
    assert (md.number, md.place, md.issued_date) == ("123/KH-UBND", "An Giang", "2024-03-05")
    rows = [s for s in doc.iter_sections() if s.kind == "table_row"]
    assert [r.label for r in rows] == ["1", "2"]
    assert len(doc.footnotes) == 2


def test_wrapped_justified_text_and_page_breaks(tmp_path):
    """Justified multi_cell paragraphs (full lines end on the margin) rejoin; short last lines end them."""
    pdf = fpdf.FPDF(format="A4")
    pdf.add_font("dv", "", str(FONT))
    pdf.set_font("dv", size=12)
    pdf.add_page()
    paras = [f"{k}. " + "Tăng cường công tác phối hợp giữa các sở, ngành và địa phương trong việc thực hiện kế hoạch. " * (2 + k % 5) for k in range(1, 30)]
    for para in paras:
        pdf.multi_cell(0, 6, para.strip(), align="J", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "j.pdf"))
    dec = read_pdf((tmp_path / "j.pdf").read_bytes(), "j.pdf")
    assert _lines(dec.text) == [" ".join(p.split()) for p in paras]


# --------------------------------------------------------------------------- bad input


def _small_pdf(pages=1, **encryption):
    pdf = fpdf.FPDF()
    pdf.add_font("dv", "", str(FONT))
    pdf.set_font("dv", size=11)
    if encryption:
        pdf.set_encryption(owner_password="owner", **encryption)
    for _ in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, "I. MỤC TIÊU\nNội dung kế hoạch thực hiện của các Sở, ngành.")
    return bytes(pdf.output())


def _image_pdf():
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(img).text((40, 40), "KE HOACH (scanned page)", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(buf, x=10, y=10, w=190)
    return bytes(pdf.output())


def _cli(path, env=None):
    return subprocess.run([sys.executable, "-m", "planparse", "parse", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: _small_pdf(user_password="secret"), "PDF is encrypted (password-protected); decrypt it first"),
        (_image_pdf, "has no text layer (1 page of images: a scan?); run OCR first, e.g. ocrmypdf"),
        (lambda: _small_pdf()[: len(_small_pdf()) // 2], "PDF is corrupt or truncated"),
        (lambda: b"PK\x03\x04" + b"\x00" * 200, "not a PDF file (no %PDF- header; it is a ZIP archive, e.g. a .docx)"),
        (lambda: "KẾ HOẠCH thực hiện\n".encode() * 20, "not a PDF file (no %PDF- header;"),
        (lambda: b"<!DOCTYPE html><html><body>KH</body></html>", "it is HTML/XML"),
    ],
    ids=["encrypted", "image-only", "truncated", "zip", "text", "html"],
)
def test_bad_pdfs_give_clear_errors(tmp_path, make, reason):
    path = tmp_path / "plan.pdf"
    path.write_bytes(make())
    with pytest.raises(DecodeError) as exc:
        planparse.parse(path)
    assert reason in str(exc.value) and str(path) in str(exc.value)
    r = _cli(path)
    assert r.returncode == 2 and reason in r.stderr and "Traceback" not in r.stderr


def test_empty_user_password_is_read():
    dec = read_pdf(_small_pdf(user_password=""), "p.pdf")
    assert "Nội dung kế hoạch" in dec.text


def test_damaged_xref_is_rebuilt_with_a_warning():
    data = _small_pdf()
    m = re.search(rb"startxref\s+(\d+)", data)
    bad = data[: m.start(1)] + str(int(m.group(1)) + 37).encode() + data[m.end(1) :]
    dec = read_pdf(bad, "p.pdf")
    assert "Nội dung kế hoạch" in dec.text
    assert any(w.code == "pdf_damaged" and "cross-reference" in w.message for w in dec.warnings)
    dec = read_pdf(data.replace(b"%%EOF", b"%%XXX"), "p.pdf")
    assert any(w.code == "pdf_damaged" and "%%EOF" in w.message for w in dec.warnings)


def test_page_limit(tmp_path):
    data = _small_pdf(pages=3)
    with pytest.raises(InputError, match="PDF has 3 pages, above the limit of 2 pages"):
        read_pdf(data, "p.pdf", page_limit=2)
    path = tmp_path / "p.pdf"
    path.write_bytes(data)
    r = _cli(path, env={**os.environ, "PLANPARSE_PDF_MAX_PAGES": "2"})
    assert r.returncode == 2 and "above the limit of 2 pages" in r.stderr
    assert _cli(path).returncode == 0
    # the same heading opening every page is text, not a running header
    assert read_pdf(data, "p.pdf").text.count("I. MỤC TIÊU") == 3


def test_partly_scanned_pdf_warns(tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_font("dv", "", str(FONT))
    pdf.set_font("dv", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "I. MỤC TIÊU\nNội dung kế hoạch.")
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")
    dec = read_pdf(bytes(pdf.output()), "p.pdf")
    assert any(w.code == "pdf_no_text" and "2" in w.message for w in dec.warnings)


def test_missing_dependency_message(tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(_small_pdf())
    code = (
        "import sys; sys.modules['pypdfium2'] = None\n"
        "import planparse\n"
        "try:\n    planparse.parse(sys.argv[1])\n"
        "except planparse.PlanParseError as e:\n    print(e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "pip install 'planparse[pdf]'" in r.stdout, r.stderr


def test_cli_reports_the_extractor(synthetic_pdf):
    r = _cli(synthetic_pdf)
    assert r.returncode == 0, r.stderr
    src = json.loads(r.stdout)["source"]
    assert src["format"] == "pdf" and src["extractor"] == "pypdfium2+pdfplumber" and src["encoding"] is None
