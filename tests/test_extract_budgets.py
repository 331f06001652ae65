"""Budgets, written by reading the seeds (the sentences quoted are theirs)."""

import time

import pytest
from conftest import BOUNDED_CPU_SECONDS, parsed

from planparse.extract.budgets import extract_budgets
from planparse.extract.context import Context
from planparse.models import Section, Span


def ctx_of(text):
    return Context.build(text, [Section(id="doc", kind="document", span=Span(start=0, end=len(text)))])


def budgets(name):
    return parsed(name).budgets


def raw(bs, text):
    found = [b for b in bs if b.raw == text]
    assert found, f"{text!r} not found"
    return found[0]


# --------------------------------------------------------------------------- Bình Phước

def test_binh_phuoc_amounts_with_their_source_label():
    bs = budgets("binh_phuoc")
    # "- Ngân sách Trung ương: 14.257 triệu đồng."
    b = raw(bs, "14.257 triệu đồng")
    assert b.amount_vnd == 14_257_000_000 and b.unit == "triệu đồng" and b.source == "Ngân sách Trung ương"
    # "- Nguồn ngân sách địa phương: 2.290 triệu đồng."
    b = raw(bs, "2.290 triệu đồng")
    assert b.amount_vnd == 2_290_000_000 and b.source == "Ngân sách địa phương"
    assert b.section_id == "sec_I__item_10__bul_2"


def test_binh_phuoc_funding_section_without_amounts():
    bs = budgets("binh_phuoc")
    # "4. Kinh phí hoạt động Chương trình / a) Từ nguồn ngân sách Nhà nước bố trí trong dự toán chi thường xuyên …"
    in_a = [b for b in bs if b.section_id == "sec_III__item_4__pt_a"]
    assert [b.source for b in in_a] == ["Ngân sách nhà nước", "Chương trình mục tiêu quốc gia"]
    assert all(b.amount_vnd is None and b.unit is None for b in in_a)
    # "c) … quản lý, sử dụng kinh phí theo quy định của pháp luật về ngân sách Nhà nước./." — a legal topic
    assert not [b for b in bs if b.section_id == "sec_III__item_4__pt_c"]
    # "- Nguồn ngân sách hỗ trợ cho các hoạt động CTXH còn hạn chế" (difficulties, not a budget section)
    assert len(bs) == 4


# --------------------------------------------------------------------------- Bình Định

def test_binh_dinh_scales_and_rates():
    bs = budgets("binh_dinh")
    # "… mức hỗ trợ 49.000 đồng/hộ/tháng, nhu cầu kinh phí thực hiện là 29.040.732.000 đồng; …"
    rate = raw(bs, "49.000 đồng/hộ/tháng")
    assert rate.amount_vnd == 49_000 and rate.unit == "đồng" and rate.per_unit == "/hộ/tháng"
    total = raw(bs, "29.040.732.000 đồng")
    assert total.amount_vnd == 29_040_732_000 and total.per_unit is None
    # "… với tổng kinh phí hơn 44 tỷ đồng; …"
    assert raw(bs, "hơn 44 tỷ đồng").amount_vnd == 44_000_000_000
    # "… hỗ trợ phẫu thuật cho hơn 32 trẻ em nghèo bị bệnh tim bẩm sinh với tổng kinh phí trên 1,5 tỷ đồng"
    assert raw(bs, "trên 1,5 tỷ đồng").amount_vnd == 1_500_000_000
    assert raw(bs, "33.193 triệu đồng").amount_vnd == 33_193_000_000


def test_binh_dinh_source_within_the_clause_only():
    bs = budgets("binh_dinh")
    # "- Giải quyết trợ cấp xã hội từ nguồn ngân sách nhà nước cho 78.018 đối tượng sống tại cộng đồng,
    #  tổng kinh phí là 349.337.439.000 đồng; hỗ trợ mai táng phí cho 4.223 người, kinh phí 22.260.225.000 đồng; …"
    assert raw(bs, "349.337.439.000 đồng").source == "Ngân sách nhà nước"
    assert raw(bs, "22.260.225.000 đồng").source is None
    # counts of cards and households are not money: "thực hiện cấp 381.642 thẻ BHYT (người nghèo 107.081 thẻ, đồng bào DTTS 9.339 thẻ …"
    assert not [b for b in bs if "thẻ" in b.raw or "bào" in b.raw]


# --------------------------------------------------------------------------- Vĩnh Phúc

def test_vinh_phuc_glued_dong_and_thousands():
    bs = budgets("vinh_phuc")
    # "… mức chuẩn trợ giúp xã hội của Vĩnh Phúc là 447.000đ/tháng) …"
    b = [x for x in bs if x.raw == "447.000đ/tháng"]
    assert len(b) == 3 and all(x.amount_vnd == 447_000 and x.unit == "đồng" and x.per_unit == "/tháng" for x in b)
    # "… mức chuẩn trợ cấp của tỉnh hiện là 447 nghìn đồng (cao hơn so với mức chuẩn quy định của TW 360 nghìn đồng)"
    b = raw(bs, "447 nghìn đồng")
    assert b.amount_vnd == 447_000 and b.unit == "nghìn đồng"
    assert raw(bs, "trên 297.000 triệu đồng").amount_vnd == 297_000_000_000


def test_vinh_phuc_funding_section():
    # "1. Kinh phí thực hiện Đề án được bố trí từ ngân sách nhà nước theo phân cấp hiện hành và huy động từ
    #  sự đóng góp của các tổ chức, cá nhân trong ngoài tỉnh và ngoài nước …"
    stated = [b for b in budgets("vinh_phuc") if b.amount_vnd is None]
    assert [b.source for b in stated] == ["Ngân sách nhà nước", "Đóng góp của tổ chức, cá nhân"]


# --------------------------------------------------------------------------- Kon Tum, Đồng Nai

def test_kon_tum_sources_only():
    # "IV. KINH PHÍ THỰC HIỆN: Nguồn kinh phí tỉnh giao hàng năm và cân đối ngân sách địa phương, kết hợp với xã hội hóa …"
    bs = budgets("kon_tum")
    assert [b.source for b in bs] == ["Ngân sách địa phương", "Xã hội hóa"]
    assert all(b.amount_vnd is None for b in bs)


def test_dong_nai_sources_only():
    # "V. KINH PHÍ THỰC HIỆN / Kinh phí thực hiện Kế hoạch gồm vốn đầu tư phát triển, vốn sự nghiệp được bố trí
    #  từ ngân sách nhà nước theo phân cấp hiện hành và huy động từ sự đóng góp của các tổ chức cá nhân …"
    bs = budgets("dong_nai")
    assert all(b.amount_vnd is None for b in bs)
    assert {b.source for b in bs} == {
        "Vốn đầu tư phát triển", "Kinh phí sự nghiệp", "Ngân sách nhà nước", "Đóng góp của tổ chức, cá nhân", "Ngân sách địa phương",
    }


# --------------------------------------------------------------------------- every seed

@pytest.mark.parametrize("name", ["binh_dinh", "binh_phuoc", "dong_nai", "kon_tum", "vinh_phuc"])
def test_ids_in_order_and_spans_exact(name):
    doc = parsed(name)
    bs = doc.budgets
    assert [b.id for b in bs] == [f"bud-{i}" for i in range(1, len(bs) + 1)]
    assert [b.span.start for b in bs] == sorted(b.span.start for b in bs)
    for b in bs:
        assert doc.text[b.span.start : b.span.end] == b.raw


# --------------------------------------------------------------------------- unit level

def test_source_after_the_amount_and_ranges():
    bs = extract_budgets(ctx_of("Hỗ trợ 2 tỷ đồng từ nguồn vốn ODA; mức hỗ trợ từ 5 đến 10 triệu đồng/người."))
    assert bs[0].amount_vnd == 2_000_000_000 and bs[0].source == "Vốn ODA"
    assert bs[1].raw == "từ 5 đến 10 triệu đồng/người" and bs[1].amount_vnd is None and bs[1].per_unit == "/người"


def test_foreign_currency_has_no_vnd_amount():
    b = extract_budgets(ctx_of("Dự án được tài trợ 2,5 triệu USD."))[0]
    assert b.unit == "triệu USD" and b.amount_vnd is None


@pytest.mark.parametrize(
    "text",
    [
        "Có 100 đồng bào dân tộc thiểu số và 5 đồng chí lãnh đạo tham dự.",
        "Hỗ trợ tiền điện cho 44.637 hộ nghèo có lượng điện tiêu thụ dưới 50Kwh/tháng.",
        "Tổ chức 05 lớp tập huấn nghiệp vụ CTXH cho 1.332 người; 98% trẻ em được chăm sóc.",
        "Tỉnh Đồng Nai và tỉnh Bình Phước; Quyết định số 565/QĐ-TTg ngày 25/4/2017.",
        "Theo quy định của pháp luật về ngân sách Nhà nước.",
    ],
)
def test_not_budgets(text):
    assert extract_budgets(ctx_of(text)) == []


ADVERSARIAL = {
    "dots": "1." * 500_000,
    "digits": "1" * 1_000_000,
    "parens": "(" * 1_000_000,
    "spaces": "1" + " " * 1_000_000 + "đồng",
    "slashes": "1/" * 500_000,
    "dong": "đồng " * 200_000,
    "ranges": "1 - " * 250_000,
    "sources": "nguồn ngân sách " * 60_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_megabyte_lines_are_fast(name):
    ctx = ctx_of(ADVERSARIAL[name])
    t0 = time.process_time()
    extract_budgets(ctx)
    assert time.process_time() - t0 < BOUNDED_CPU_SECONDS
