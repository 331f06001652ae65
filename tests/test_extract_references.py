"""Legal references, written by reading the seeds (the sentences quoted are theirs)."""

import time

import pytest
from conftest import BOUNDED_CPU_SECONDS, parsed

from planparse.extract.context import Context
from planparse.extract.references import citation_graph, extract_references, normalise_full_number
from planparse.models import Metadata, Section, Span


def ctx_of(text, **metadata):
    return Context.build(text, [Section(id="doc", kind="document", span=Span(start=0, end=len(text)))], metadata=Metadata(**metadata))


def refs(name):
    return parsed(name).legal_references


def one(rs, full_number):
    found = [r for r in rs if r.full_number == full_number]
    assert found, f"{full_number} not found"
    return found[0]


def numbers(rs):
    return {r.full_number for r in rs if r.full_number}


# --------------------------------------------------------------------------- normalisation

@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("565/QĐ-TTG", "565/QĐ-TTg"),
        ("565/qđ-ttg", "565/QĐ-TTg"),
        ("98/2017/TT-BTC", "98/2017/TT-BTC"),
        ("98/2017/tt-btc", "98/2017/TT-BTC"),
        ("12-NQ/TU", "12-NQ/TU"),
        ("71/HD-SLĐTBXH-SNV-STC", "71/HD-SLĐTBXH-SNV-STC"),
        ("01/HD-SLĐTBXH", "01/HD-SLĐTBXH"),
        ("75/KH- UBND", "75/KH-UBND"),
        ("119/TTr-SLĐTBXH", "119/TTr-SLĐTBXH"),
        ("119/TTR-SLĐTBXH", "119/TTr-SLĐTBXH"),
        ("10-CTR/TU", "10-CTr/TU"),
        ("87\u20442017/NĐ-CP", "87/2017/NĐ-CP"),
        ("102/2016/QH13", "102/2016/QH13"),
        ("565/QD-TTg", "565/QĐ-TTg"),
        ("5/CTTTg", "5/CT-TTg"),
    ],
)
def test_normalise_full_number(raw, canonical):
    assert normalise_full_number(raw) == canonical


def test_normalise_keeps_unknown_tokens_and_hyphens():
    assert normalise_full_number("555/LĐTBXH-BTXH") == "555/LĐTBXH-BTXH"
    assert normalise_full_number("01-CTTr/TU") == "01-CTTr/TU"  # not "CT" + "Tr": Tr is no issuer
    assert normalise_full_number("UBND-VX") != "UBND/VX"


# --------------------------------------------------------------------------- Đồng Nai

def test_dong_nai_thong_tu_98_date_issuer_title():
    # "… theo Thông tư số 98/2017/TT-BTC ngày 29/9/2017 của Bộ Tài chính quy định quản lý và sử dụng kinh phí sự nghiệp …"
    r = one(refs("dong_nai"), "98/2017/TT-BTC")
    assert (r.doc_type, r.number, r.year, r.symbol) == ("Thông tư", "98", 2017, "TT-BTC")
    assert r.date == "2017-09-29" and r.issuer == "Bộ Tài chính"
    assert r.title.startswith("quy định quản lý và sử dụng kinh phí sự nghiệp")
    assert r.role == "cited"


def test_dong_nai_title_line_in_capitals_is_what_the_plan_implements():
    # "THỰC HIỆN QUYẾT ĐỊNH SỐ 565/QĐ-TTG NGÀY 25/4/2017 CỦA THỦ TƯỚNG CHÍNH PHỦ VỀ PHÊ DUYỆT …"
    doc = parsed("dong_nai")
    rs = [r for r in doc.legal_references if r.full_number == "565/QĐ-TTg"]
    assert rs[0].raw.startswith("QUYẾT ĐỊNH SỐ 565/QĐ-TTG")
    assert rs[0].role == "implements" and rs[0].issuer == "Thủ tướng Chính phủ" and rs[0].date == "2017-04-25"
    # "Căn cứ Quyết định số 565/QĐ-TTg ngày 25/4/2017 của Thủ tướng Chính phủ …"
    assert rs[1].role == "basis" and rs[1].raw == "Quyết định số 565/QĐ-TTg ngày 25/4/2017 của Thủ tướng Chính phủ"
    # "Trên đây là Kế hoạch thực hiện Quyết định số 565/QĐ-TTg …" in the closing paragraph: cited
    assert rs[-1].role == "cited"


def test_dong_nai_all_references():
    rs = refs("dong_nai")
    assert numbers(rs) == {"565/QĐ-TTg", "94/2010/NĐ-CP", "51/NQ-CP", "98/2017/TT-BTC"}
    assert one(rs, "94/2010/NĐ-CP").date == "2010-09-09"
    # "… theo quy định của Luật Đầu tư công và tổng hợp các danh mục …"
    law = [r for r in rs if r.doc_type == "Luật"]
    assert [r.title for r in law] == ["Luật Đầu tư công"] and law[0].full_number is None


# --------------------------------------------------------------------------- Vĩnh Phúc

def test_vinh_phuc_spaced_date_and_basis():
    # "Căn cứ Quyết định số 1929/QĐ-TTg ngày 25 /11/ 2020 của Thủ tướng Chính phủ phê duyệt Chương trình …"
    r = one(refs("vinh_phuc"), "1929/QĐ-TTg")
    assert r.date == "2020-11-25" and r.issuer == "Thủ tướng Chính phủ" and r.role == "basis"
    assert r.title.startswith("phê duyệt Chương trình trợ giúp xã hội và phục hồi chức năng")


def test_vinh_phuc_party_symbols():
    rs = refs("vinh_phuc")
    # "Căn cứ Nghị quyết số 12-NQ/TU ngày 12/3/2020 của BCH Đảng bộ tỉnh khóa XVI về nâng cao thu nhập …"
    nq = one(rs, "12-NQ/TU")
    assert (nq.doc_type, nq.number, nq.symbol, nq.date) == ("Nghị quyết", "12", "NQ/TU", "2020-03-12")
    assert nq.issuer == "Ban Chấp hành Đảng bộ tỉnh"
    assert nq.title.startswith("nâng cao thu nhập và phúc lợi")
    # "Căn cứ Chỉ thị số 33/CT-TU, ngày 06/12/2019 của Tỉnh ủy Vĩnh Phúc về Tăng cường …"
    ct = one(rs, "33/CT-TU")
    assert ct.date == "2019-12-06" and ct.issuer == "Tỉnh ủy Vĩnh Phúc" and ct.doc_type == "Chỉ thị"
    # "Chương trình hành động số 10-CTr/TU ngày 25/6/2021 của Ban Chấp hành Đảng bộ tỉnh …"
    ctr = one(rs, "10-CTr/TU")
    assert ctr.doc_type == "Chương trình hành động" and ctr.date == "2021-06-25"


def test_vinh_phuc_to_trinh_issuer_written_before_it():
    # "Theo đề nghị của Sở Lao động - Thương binh và Xã hội tại Tờ trình số 119/TTr-SLĐTBXH, ngày 09/10 /2023 …"
    r = one(refs("vinh_phuc"), "119/TTr-SLĐTBXH")
    assert r.doc_type == "Tờ trình" and r.date == "2023-10-09"
    assert r.issuer == "Sở Lao động - Thương binh và Xã hội"
    assert r.role == "cited"


def test_vinh_phuc_own_number_is_self():
    rs = refs("vinh_phuc")
    own = [r for r in rs if r.full_number == "2239/QĐ-UBND"]
    # "Số: 2239/QĐ-UBND | Vĩnh Phúc, …" and "(Ban hành kèm theo Quyết định số 2239/QĐ-UBND, ngày 16 tháng 10 năm 2023 của UBND tỉnh)"
    assert len(own) == 2 and all(r.role == "self" for r in own)
    assert own[1].date == "2023-10-16" and own[1].issuer == "Ủy ban nhân dân tỉnh"


def test_vinh_phuc_missing_number_linked_by_date():
    # "Quyết định số ngày 25 /11/ 2020 của Thủ tướng Chính phủ phê duyệt Chương trình trợ giúp xã hội …"
    rs = refs("vinh_phuc")
    short = [r for r in rs if r.raw.startswith("Quyết định số ngày 25 /11/ 2020")]
    assert len(short) == 1
    r = short[0]
    assert r.full_number is None and r.date == "2020-11-25" and not r.unresolved
    assert r.antecedent_id == one(rs, "1929/QĐ-TTg").id


def test_vinh_phuc_laws_by_name():
    rs = refs("vinh_phuc")
    laws = {r.title: r for r in rs if r.doc_type == "Luật"}
    # "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015; Luật Sửa đổi, bổ sung một số điều của
    #  Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22/11/2019;"
    assert laws["Luật Tổ chức chính quyền địa phương"].date == "2015-06-19"
    amend = "Luật Sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương"
    assert laws[amend].date == "2019-11-22" and laws[amend].role == "basis"
    assert "Luật Tổ chức Chính phủ" not in laws  # part of the amending law's name, not a citation
    # "… nhất là Luật phòng, chống ma túy, góp phần …"; "… theo quy định của Luật ngân sách và các văn bản …"
    assert "Luật phòng, chống ma túy" in laws and "Luật ngân sách" in laws


def test_vinh_phuc_garbled_issuer_and_bare_number():
    # "Thông tư số 02/2021/TT-BLĐTBXH ngày 24/6/2021 của Bộ Lao 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ …"
    rs = refs("vinh_phuc")
    tt = one(rs, "02/2021/TT-BLĐTBXH")
    assert tt.issuer == "Bộ Lao động - Thương binh và Xã hội"  # "Bộ Lao" completed from the symbol
    bare = [r for r in rs if r.raw.startswith("20/2021/NĐ-CP")]
    assert bare and bare[0].doc_type == "Nghị định" and bare[0].issuer == "Chính phủ"


def test_vinh_phuc_number_without_year_linked_to_the_one_with_it():
    # "Nghị quyết số 39/2019/NQ-HĐND ngày 15/7/2019 của HĐND tỉnh" … later "Nghị quyết số 39/NQ-HĐND ngày 15/7/2019 của HĐND tỉnh"
    rs = refs("vinh_phuc")
    later = one(rs, "39/NQ-HĐND")
    assert later.antecedent_id == one(rs, "39/2019/NQ-HĐND").id
    assert one(rs, "39/2019/NQ-HĐND").issuer == "Hội đồng nhân dân tỉnh"


def test_vinh_phuc_numbers_cited():
    expected = {
        "488/QĐ-TTg", "103/2017/NĐ-CP", "20/2021/NĐ-CP", "1929/QĐ-TTg", "112/QĐ-TTg", "2096/QĐ-TTg",
        "02/2021/TT-BLĐTBXH", "03/2022/TT-BTC", "33/CT-TU", "12-NQ/TU", "45/NQ-HĐND", "119/TTr-SLĐTBXH",
        "116/2021/NĐ-CP", "39/2019/NQ-HĐND", "10-CTr/TU", "01-CTTr/TU", "1190/QĐ-TTg", "917/QĐ-UBND", "891/QĐ-UBND",
    }
    assert expected <= numbers(refs("vinh_phuc"))


def test_vinh_phuc_nested_reference_stays_in_the_title():
    # "Quyết định số 2096/QĐ-TTg … sửa đổi, bổ sung một số điều của Quyết định số 112/QĐ-TTg ngày 22 /01 /2021 phê duyệt …"
    r = one(refs("vinh_phuc"), "2096/QĐ-TTg")
    assert r.title.startswith("sửa đổi, bổ sung một số điều của Quyết định số 112/QĐ-TTg")


# --------------------------------------------------------------------------- Bình Phước

def test_binh_phuoc_multi_issuer_symbol_in_footnote_body():
    doc = parsed("binh_phuoc")
    # "⁶ Hướng dẫn số 71/HD-SLĐTBXH-SNV-STC ngày 09/5/2014 của Liên Sở Lao động - Thương binh và Xã hội, Sở Nội vụ, Sở Tài chính …"
    r = one(doc.legal_references, "71/HD-SLĐTBXH-SNV-STC")
    assert r.doc_type == "Hướng dẫn" and r.date == "2014-05-09"
    assert r.issuer == "Liên Sở Lao động - Thương binh và Xã hội, Sở Nội vụ, Sở Tài chính"
    fn6 = next(f for f in doc.footnotes if f.marker == "6")
    assert fn6.span.start <= r.span.start < fn6.span.end  # found inside the footnote body
    assert r.section_id == fn6.section_id  # placed where the marker stands


def test_binh_phuoc_alias_de_an_32():
    # "… Quyết định số 32/2010/QĐ-TTg ngày 25/3/2010 … phê duyệt Đề án phát triển nghề công tác xã hội (CTXH),
    #  giai đoạn 2011 - 2020 (gọi tắt là Đề án 32)" … "… thực hiện hiệu quả Đề án 32 của UBND tỉnh"
    rs = refs("binh_phuoc")
    first = one(rs, "32/2010/QĐ-TTg")
    shorts = [r for r in rs if r.raw == "Đề án 32"]
    assert len(shorts) >= 3
    assert all(r.antecedent_id == first.id and not r.unresolved and r.full_number is None for r in shorts)
    assert first.title == "phê duyệt Đề án phát triển nghề công tác xã hội (CTXH), giai đoạn 2011 - 2020"


def test_binh_phuoc_implements_cong_van_and_shared_issuer():
    rs = refs("binh_phuoc")
    # "Thực hiện Công văn số 555/LĐTBXH-BTXH ngày 03/3/2021 của Bộ Lao động - Thương binh và Xã hội về việc triển khai …"
    cv = one(rs, "555/LĐTBXH-BTXH")
    assert cv.doc_type == "Công văn" and cv.role == "implements" and cv.date == "2021-03-03"
    assert cv.title == "triển khai Chương trình phát triển công tác xã hội giai đoạn 2021-2030"
    # "Quyết định số 1159/QĐ-UBND ngày 04/7/2013, Quyết định số 1101/QĐ-UBND ngày 13/5/2016, …, Quyết định số
    #  1867/QĐ-UBND ngày 04/9/2019 của UBND tỉnh về việc kiện toàn …": the issuer is shared by the run
    for n in ("1159/QĐ-UBND", "1101/QĐ-UBND", "874/QĐ-UBND", "1867/QĐ-UBND"):
        assert one(rs, n).issuer == "Ủy ban nhân dân tỉnh"
    # "Quyết định số 747/QĐ-UBND ngày 16/4/2014 về việc bố trí …": no issuer is written, none is guessed
    assert one(rs, "747/QĐ-UBND").issuer is None
    assert one(rs, "55/QĐ-LĐTBXH").issuer == "Sở Lao động - Thương binh và Xã hội"


def test_binh_phuoc_numbers_and_law():
    rs = refs("binh_phuoc")
    assert numbers(rs) == {
        "555/LĐTBXH-BTXH", "32/2010/QĐ-TTg", "43/2015/TT-BYT", "102/KH-UBND", "1389/QĐ-UBND", "1159/QĐ-UBND",
        "1101/QĐ-UBND", "874/QĐ-UBND", "1867/QĐ-UBND", "2410/QĐ-UBND", "2818/QĐ-UBND", "55/QĐ-LĐTBXH",
        "747/QĐ-UBND", "71/HD-SLĐTBXH-SNV-STC", "668/QĐ-UBND",
    }
    # "- Tổ chức 105 buổi nói chuyện chuyên đề như Luật Người khuyết tật, quy trình …"
    assert [r.title for r in rs if r.doc_type == "Luật"] == ["Luật Người khuyết tật"]
    assert one(rs, "43/2015/TT-BYT").issuer == "Bộ trưởng Bộ Y tế"


# --------------------------------------------------------------------------- Kon Tum

def test_kon_tum_implements_ke_hoach_787():
    # "Thực hiện Kế hoạch số 787/KH-UBND ngày 03/4/2018 của Ủy ban nhân dân tỉnh Kon Tum về thực hiện Chương trình …"
    r = one(refs("kon_tum"), "787/KH-UBND")
    assert r.role == "implements" and r.date == "2018-04-03"
    assert r.issuer == "Ủy ban nhân dân tỉnh Kon Tum"
    assert r.title.startswith("thực hiện Chương trình mục tiêu phát triển hệ thống trợ giúp xã hội")


def test_kon_tum_footnote_references_and_law():
    rs = refs("kon_tum")
    # "Nghị định 56/2017/NĐ-CP, ngày 09/5/2017 của Chính phủ quy định chi tiết một số điều của Luật trẻ em …"
    nd = one(rs, "56/2017/NĐ-CP")
    assert nd.date == "2017-05-09" and nd.issuer == "Chính phủ" and nd.doc_type == "Nghị định"
    assert "Luật trẻ em" in [r.title for r in rs]
    qd = one(rs, "847/QĐ-BLĐTBXH")
    assert qd.date == "2017-06-09" and qd.issuer == "Bộ Lao động - Thương binh và Xã hội"
    # "- Triển khai theo Hướng dẫn số 01/HD-SLĐTBXH, ngày 07/11/2017 về việc xây dựng, …"
    hd = one(rs, "01/HD-SLĐTBXH")
    assert hd.date == "2017-11-07" and hd.issuer is None
    assert numbers(rs) == {"787/KH-UBND", "01/HD-SLĐTBXH", "56/2017/NĐ-CP", "847/QĐ-BLĐTBXH"}


def test_kon_tum_phone_numbers_are_not_references():
    rs = refs("kon_tum")
    # "+ Đường dây nóng bảo vệ trẻ em miến phí cấp quốc gia, đầu số 111"
    assert not any("111" == (r.number or "") for r in rs)


# --------------------------------------------------------------------------- Bình Định

def test_binh_dinh_parent_decision_and_short_form():
    rs = refs("binh_dinh")
    # "(Ban hành kèm theo Quyết định số 1731/QĐ-UBND ngày 25/5/2018 của UBND tỉnh)"
    parent = one(rs, "1731/QĐ-UBND")
    assert parent.role == "parent" and parent.date == "2018-05-25" and parent.issuer == "Ủy ban nhân dân tỉnh"
    assert numbers(rs) == {"1731/QĐ-UBND", "51/NQ-CP"}
    # "Cựu chiến binh (NĐ 150) 4.588 thẻ": a short form with nothing to resolve it to
    nd = [r for r in rs if r.raw == "NĐ 150"]
    assert len(nd) == 1 and nd[0].doc_type == "Nghị định" and nd[0].unresolved and nd[0].antecedent_id is None


# --------------------------------------------------------------------------- every seed

@pytest.mark.parametrize("name", ["binh_dinh", "binh_phuoc", "dong_nai", "kon_tum", "vinh_phuc"])
def test_ids_in_order_and_spans_exact(name):
    doc = parsed(name)
    rs = doc.legal_references
    assert [r.id for r in rs] == [f"ref-{i}" for i in range(1, len(rs) + 1)]
    assert [r.span.start for r in rs] == sorted(r.span.start for r in rs)
    for r in rs:
        assert doc.text[r.span.start : r.span.end] == r.raw
        assert r.section_id is not None


def test_citation_graph():
    g = citation_graph(refs("vinh_phuc"))
    assert g["self"] == "2239/QĐ-UBND"
    assert {"1929/QĐ-TTg", "12-NQ/TU", "33/CT-TU", "488/QĐ-TTg"} <= set(g["basis"])
    assert "119/TTr-SLĐTBXH" in g["cited"] and "2239/QĐ-UBND" not in g["cited"]
    assert "Luật Tổ chức chính quyền địa phương" in g["documents"]
    # the date-only short form counts for 1929/QĐ-TTg
    short = next(r for r in refs("vinh_phuc") if r.raw.startswith("Quyết định số ngày"))
    assert short.id in g["documents"]["1929/QĐ-TTg"]["mentions"]
    assert citation_graph(refs("kon_tum"))["implements"] == ["787/KH-UBND"]
    assert citation_graph(refs("dong_nai"))["implements"] == ["565/QĐ-TTg"]
    gb = citation_graph(refs("binh_dinh"))
    assert gb["parent"] == "1731/QĐ-UBND" and len(gb["unresolved"]) == 1


# --------------------------------------------------------------------------- short forms, unit level

def test_thong_tu_98_resolved_and_unresolved():
    text = (
        "Sở Tài chính thẩm định, trình UBND tỉnh phê duyệt theo Thông tư số 98/2017/TT-BTC ngày 29/9/2017 "
        "của Bộ Tài chính quy định quản lý và sử dụng kinh phí sự nghiệp. Việc quyết toán thực hiện theo Thông tư 98."
    )
    rs = extract_references(ctx_of(text))
    assert [r.raw for r in rs] == ["Thông tư số 98/2017/TT-BTC ngày 29/9/2017 của Bộ Tài chính", "Thông tư 98"]
    assert rs[1].antecedent_id == rs[0].id and not rs[1].unresolved
    alone = extract_references(ctx_of("Việc quyết toán thực hiện theo Thông tư 98."))
    assert len(alone) == 1 and alone[0].unresolved and alone[0].antecedent_id is None


def test_quyet_dinh_neu_tren_only_when_unique():
    one_qd = "Căn cứ Quyết định số 565/QĐ-TTg ngày 25/4/2017 của Thủ tướng Chính phủ. Các sở thực hiện Quyết định nêu trên."
    rs = extract_references(ctx_of(one_qd))
    assert rs[-1].raw == "Quyết định nêu trên" and rs[-1].antecedent_id == rs[0].id
    two_qd = (
        "Quyết định số 1389/QĐ-UBND ngày 16/6/2010 của UBND tỉnh; Quyết định số 1159/QĐ-UBND ngày 04/7/2013.\n"
        "Các đơn vị thực hiện Quyết định nêu trên."
    )
    rs = extract_references(ctx_of(two_qd))
    assert rs[-1].raw == "Quyết định nêu trên" and rs[-1].unresolved and rs[-1].antecedent_id is None


def test_missing_number_without_unique_date_is_unresolved():
    rs = extract_references(ctx_of("Quyết định số ngày 25 /11/ 2020 của Thủ tướng Chính phủ phê duyệt Chương trình."))
    assert len(rs) == 1 and rs[0].unresolved and rs[0].date == "2020-11-25"


def test_date_in_words_and_line_break_inside_type():
    text = "Thực hiện Chỉ\nthị số 27/CT-TTg ngày 15 tháng 8 năm 2024 của Thủ tướng Chính phủ về việc tăng cường thực hiện công tác dân số."
    r = extract_references(ctx_of(text))[0]
    assert (r.full_number, r.date, r.doc_type, r.role) == ("27/CT-TTg", "2024-08-15", "Chỉ thị", "implements")
    assert r.title == "tăng cường thực hiện công tác dân số"


def test_metadata_decides_self_and_parent():
    text = "(Ban hành kèm theo Quyết định số 1731/QĐ-UBND ngày 25/5/2018 của UBND tỉnh)"
    assert extract_references(ctx_of(text, parent_document="1731/QĐ-UBND"))[0].role == "parent"
    assert extract_references(ctx_of(text, number="1731/QĐ-UBND"))[0].role == "self"


# --------------------------------------------------------------------------- not references

@pytest.mark.parametrize(
    "text",
    [
        "Đường dây nóng bảo vệ trẻ em miến phí cấp quốc gia, đầu số 111; điện thoại 0260.3862.456.",
        "Hiện nay, toàn tỉnh có 105/111 xã, phường, thị trấn bố trí đội ngũ cộng tác viên CTXH.",
        "Hằng năm, tổ chức Lễ kỷ niệm ngày CTXH Việt Nam 25/3, với sự tham dự của đại biểu.",
        "Phấn đấu 90% trở lên người nghiện ma túy có quyết định của Tòa án được thi hành kịp thời.",
        "Dự án 1: Phát triển hệ thống trợ giúp xã hội.",
        "Điều 1. Phê duyệt Đề án nâng cao chất lượng công tác trợ giúp xã hội.",
        "1. Căn cứ Kế hoạch này và theo chức năng, nhiệm vụ của các phòng, ban.",
        "theo kế hoạch 5 năm của các cấp, các ngành; thực hiện Kế hoạch trên địa bàn thành phố.",
        "Trẻ em nhiễm HIV/AIDS, trẻ em là nạn nhân chất độc hóa học.",
        "Luật sư và cộng tác viên trợ giúp pháp luật tham gia tư vấn; Kế hoạch 2018 - 2020.",
        "Ngày 25/4/2017; mật độ dân số 819 người/km2; tiêu thụ dưới 50Kwh/tháng.",
    ],
)
def test_not_references(text):
    assert extract_references(ctx_of(text)) == []


# --------------------------------------------------------------------------- robustness

ADVERSARIAL = {
    "dots": "1." * 500_000,
    "digits": "1" * 1_000_000,
    "parens": "(" * 1_000_000,
    "spaces": "Quyết định" + " " * 1_000_000 + "số",
    "slashes": "1/" * 500_000,
    "symbol": "1/QĐ" + "-QĐ" * 300_000,
    "types": "Quyết định số " * 70_000,
    "caps": "ABCDEFGHIJKL-" * 75_000,
    "party": "12-NQ/TU-" * 110_000,
    "cua": "của Bộ " * 140_000,
    "title": "Quyết định số 1/QĐ-UBND về " + "việc, " * 160_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_megabyte_lines_are_fast(name):
    text = ADVERSARIAL[name]
    ctx = ctx_of(text)
    t0 = time.process_time()
    extract_references(ctx)
    assert time.process_time() - t0 < BOUNDED_CPU_SECONDS
