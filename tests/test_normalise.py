"""Normalisation quirks of the seeds, and the offset map back to the source."""

import unicodedata

import planparse
from conftest import CORPUS, SEEDS, corpus_files, parsed
from planparse.normalise import normalise


def src(name):
    return (CORPUS / SEEDS[name]).read_text(encoding="utf-8")


def test_kon_tum_nfc_and_replacement_chars():
    doc = parsed("kon_tum")
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "\ufffd" not in doc.text
    assert "chính sách của  Đảng" in doc.text  # "cu\u0309a" composed
    kinds = {r.kind for r in doc.removals}
    assert {"nfc", "dash", "footnote_marker"} <= kinds


def test_kon_tum_footnote_markers_rejoined_and_bodies_detached():
    doc = parsed("kon_tum")
    body = doc.text[: doc.footnotes[0].span.start]
    assert "cá nhân nhận nuôi có thời hạn" in body
    assert "dựa vào cộng đồng ở 11 xã, phường. Giảm tỷ lệ" in body
    assert "Đối tượng nhận nuôi: Trẻ em mồ côi" not in body
    assert len(doc.footnotes) == 5
    first = doc.footnotes[0]
    assert first.text.startswith("Đối tượng nhận nuôi: Trẻ em mồ côi")
    assert doc.text[first.anchor - 9 : first.anchor] == "nhận nuôi"
    # the last footnote keeps its bulleted continuation lines
    assert doc.footnotes[4].text.startswith("Như: Hỗ trợ thực hiện mô hình kết nối")
    assert "cung cấp, kết nối dịch vụ trợ giúp chăm sóc sức khỏe" in doc.footnotes[4].text
    assert doc.footnotes[3].section_id.startswith("sec_III__item_2__item_2-5")


def test_binh_phuoc_superscript_footnotes_inserted_mid_paragraph():
    doc = parsed("binh_phuoc")
    body = doc.text[: doc.footnotes[0].span.start]
    assert [f.marker for f in doc.footnotes] == [str(i) for i in range(1, 11)]
    assert not any(c in body for c in "¹²³⁴⁵⁶⁷⁸⁹⁰")
    # the paragraph interrupted by footnote 7's body is whole again
    assert "dự án VNAH triển khai hổ trợ đào tạo phục hồi chức năng" in body
    # footnote 7's body continues on the next page after a closed paragraph
    fn7 = doc.footnotes[6]
    assert fn7.text.endswith("cho 134 cán bộ, học viên.")
    assert "hướng dẫn 152 có trẻ khuyết tật" in fn7.text
    assert "bị ảnh hưởng bởi thiên tai, dịch bệnh" in body
    assert doc.text[fn7.anchor - 10 : fn7.anchor] == "khuyết tật"
    assert doc.footnotes[5].text.startswith("Hướng dẫn số 71/HD-SLĐTBXH-SNV-STC")


def test_vinh_phuc_banner_and_script_removed():
    doc = parsed("vinh_phuc")
    assert not doc.text.startswith("Để sử dụng")
    assert "ĐĂNG NHẬP" not in doc.text
    assert "var " not in doc.text and "function" not in doc.text
    assert doc.text.rstrip().endswith("xử lý theo quy định./.")
    kinds = [r.kind for r in doc.removals]
    assert kinds.count("web_banner") == 2
    assert kinds.count("script") >= 40


def test_source_spans_point_at_the_same_words():
    for name in SEEDS:
        doc = parsed(name)
        source = src(name)
        for s in list(doc.iter_sections())[:80]:
            if s.heading_span and s.label:
                ss = s.heading_span.source_span
                orig = unicodedata.normalize("NFC", source[ss.start : ss.end])
                assert s.label in orig, (name, s.label, orig[:40])


def test_nothing_lost_in_normalisation():
    """Every source character is in the normalised text or in a recorded removal."""
    for path in corpus_files():
        source = path.read_text(encoding="utf-8")
        norm = normalise(source)
        covered = bytearray(len(source))
        for n_start, (n_len, s_start, s_end, exact) in zip(norm.offsets.norm_starts, norm.offsets.pieces):
            covered[s_start:s_end] = b"\x01" * (s_end - s_start)
        for r in norm.removals:
            covered[r.source_span.start : r.source_span.end] = b"\x01" * (r.source_span.end - r.source_span.start)
        lost = "".join(ch for ch, c in zip(source, covered) if not c)
        assert lost.strip() == "", (path.name, lost[:200])


def test_every_body_character_belongs_to_a_section():
    """Headings + own texts of all sections, in order, are the whole body (white space aside)."""
    for path in corpus_files():
        doc = planparse.parse(path)
        body_end = doc.footnotes[0].span.start if doc.footnotes else len(doc.text)
        pieces = []
        for s in doc.iter_sections():
            if s.heading_span is not None:
                pieces.append(doc.text[s.heading_span.start : s.heading_span.end])
            pieces.append(s.text)
        squash = lambda t: "".join(t.split())
        assert squash("".join(pieces)) == squash(doc.text[:body_end]), path.name


def test_page_break_join_keeps_a_closed_paragraph_apart():
    text = "I. MỤC TIÊU\nCâu thứ nhất kết thúc.\n\nnhưng dòng này viết thường."
    doc = planparse.parse_text(text)
    assert "kết thúc.\n\nnhưng" in doc.text
    text2 = "I. MỤC TIÊU\nCâu thứ nhất chưa kết thúc và\n\nnhưng dòng này viết thường."
    assert "chưa kết thúc và nhưng dòng" in planparse.parse_text(text2).text
