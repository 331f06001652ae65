"""Agencies, roles and assignments (planparse.extract.agencies), on real text from the seeds."""

from conftest import BOUNDED_CPU_SECONDS
import time
import unicodedata
from pathlib import Path

import pytest

from planparse.extract.agencies import canonical_agency, extract_agencies, role_section_id, split_agency_list
from planparse.extract.context import Context
from planparse.models import Section, Span
from planparse.pipeline import build_context
from planparse.textkey import key

CORPUS = Path(__file__).resolve().parent.parent / "corpora"
_ctx_cache: dict[str, Context] = {}


def ctx_of(name: str) -> Context:
    if name not in _ctx_cache:
        _ctx_cache[name] = build_context((CORPUS / name).read_text(encoding="utf-8"))
    return _ctx_cache[name]


def doc_ctx(text: str) -> Context:
    text = unicodedata.normalize("NFC", text)
    return Context.build(text, [Section(id="doc", kind="document", span=Span(start=0, end=len(text)))])


KON_TUM = "kon-tum-city_2018_tro-giup-xa-hoi.txt"
BINH_DINH = "binh-dinh_2018_tro-giup-xa-hoi.txt"
VINH_PHUC = "vinh-phuc_2023_de-an-tro-giup-xa-hoi.txt"
DONG_NAI = "dong-nai_2018_tro-giup-xa-hoi.txt"
BINH_PHUOC = "binh-phuoc_2021_cong-tac-xa-hoi.txt"
NQ57_CP = "chinh-phu_2025_nq57-chuong-trinh-hanh-dong.md"
RAC_THAI = "chinh-phu_2025_rac-thai-moi-truong.md"


def roles_at(name: str, label_path: tuple[str, ...]) -> set[tuple[str, str]]:
    """(agency key, role) of every mention whose role section sits at or under ``label_path``."""
    ctx = ctx_of(name)
    agencies, _ = extract_agencies(ctx)
    out = set()
    for a in agencies:
        for m in a.mentions:
            sid = role_section_id(ctx, m.section_id)
            path = tuple(ctx.index.label_path(sid)) if sid else ()
            if path[: len(label_path)] == label_path:
                out.add((key(a.name), m.role))
    return out


def has(name, path, agency, role):
    return (key(agency), role) in roles_at(name, path)


def assignment_of(name: str, label_path: tuple[str, ...]):
    ctx = ctx_of(name)
    _, assignments = extract_agencies(ctx)
    for a in assignments:
        if a.section_id and tuple(ctx.index.label_path(a.section_id)) == label_path:
            return a
    raise AssertionError(f"no assignment at {label_path}")


# ----------------------------------------------------------------------------- canonical names


@pytest.mark.parametrize(
    "raw, name, level",
    [
        ("Phòng  Lao động – TB&XH thành phố", "Phòng Lao động - Thương binh và Xã hội", "district"),
        ("Phòng Lao động-TB&XH thành phố", "Phòng Lao động - Thương binh và Xã hội", "district"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội", "province"),
        ("Sở Lao động – TB&XH tỉnh", "Sở Lao động - Thương binh và Xã hội", "province"),
        ("Bộ Lao động - TB&XH", "Bộ Lao động - Thương binh và Xã hội", "central"),
        ("Sở Kế hoạch - Đầu tư", "Sở Kế hoạch và Đầu tư", "province"),
        ("Sở Thông Tin và Truyền Thông", "Sở Thông tin và Truyền thông", "province"),
        ("Sở Văn hóa, thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch", "province"),
        ("Sở Tài Chính", "Sở Tài chính", "province"),
        ("UBND tỉnh", "Ủy ban nhân dân tỉnh", "province"),
        ("Ủy ban nhân dân thành phố Kon Tum", "Ủy ban nhân dân thành phố Kon Tum", "district"),
        ("Ủy ban MTTQ tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "province"),
        ("Ủy ban MTTQVN thành phố", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "district"),
        ("Ủy ban Mặt trận Tổ quốc tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "province"),
        ("Hội LHPN thành phố", "Hội Liên hiệp Phụ nữ thành phố", "district"),
        ("Công an thành phố", "Công an thành phố", "district"),
        ("Tòa án thành phố", "Tòa án thành phố", "district"),
        ("phòng Tư pháp", "Phòng Tư pháp", "district"),
        ("Phòng Y tế thành phố", "Phòng Y tế", "district"),
        ("Ban Tổ chức Thành ủy", "Ban Tổ chức Thành ủy", "party"),
        ("Báo Bình Định", "Báo Bình Định", "province"),
        ("Đài Phát thanh và Truyền hình Bình Định", "Đài Phát thanh và Truyền hình Bình Định", "province"),
        ("Đài Phát thanh - Truyền hình Đồng Nai", "Đài Phát thanh - Truyền hình Đồng Nai", "province"),
        ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "province"),
        ("Ban cán sự đảng Chính phủ", "Ban cán sự đảng Chính phủ", "party"),
        ("Tòa án nhân dân tối cao", "Tòa án nhân dân tối cao", "central"),
        ("VOV", "Đài Tiếng nói Việt Nam", "central"),
        ("Thường trực HĐND TP", "Thường trực Hội đồng nhân dân thành phố", "district"),
    ],
)
def test_canonical_agency(raw, name, level):
    assert canonical_agency(raw) == (name, level)


@pytest.mark.parametrize(
    "raw",
    [
        "các sở, ban, ngành",
        "Các phòng, ban, ngành, đơn vị có liên quan",
        "UBND các xã, phường",
        "Ủy ban nhân dân các xã, phường",
        "UBND các cấp",
        "Phòng, chống mại dâm",
        "Phòng ngừa và ứng phó với bạo lực",
        "Báo cáo kết quả thực hiện",
        "Ban hành Quy chế",
        "Hội nghị sơ kết",
        "Bộ, ngành Trung ương",
        "Sở Tài chính thẩm định",  # a name followed by a verb is not one name
        "trung tâm công tác xã hội",  # a common noun, not a named body
    ],
)
def test_not_an_agency(raw):
    assert canonical_agency(raw) is None


def test_collective_bodies_only_on_request():
    raw = "Ủy ban nhân dân các huyện, thị xã, thành phố"
    assert canonical_agency(raw) is None
    assert canonical_agency(raw, allow_collective=True) == ("Ủy ban nhân dân cấp huyện", "district")
    assert canonical_agency("Ủy ban nhân dân các tỉnh, thành phố", allow_collective=True) == ("Ủy ban nhân dân cấp tỉnh", "province")
    assert canonical_agency("UBND các xã, phường", allow_collective=True) == ("Ủy ban nhân dân cấp xã", "commune")


def test_capitalised_title_words_are_not_heads():
    ctx = doc_ctx("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC\n")
    agencies, _ = extract_agencies(ctx)
    assert [a.name for a in agencies] == ["Ủy ban nhân dân tỉnh Vĩnh Phúc"]


# ----------------------------------------------------------------------------- list splitting


def items(text):
    text = unicodedata.normalize("NFC", text)
    return [text[s:e] for s, e in split_agency_list(text)]


def test_split_kon_tum_coordinating_list():
    line = "Công an thành phố, Tòa án thành phố, phòng Tư pháp, phòng  Giáo dục và Đào tạo, Phòng Y tế, các đơn vị có liên quan và UBND các xã, phường."
    assert items(line) == [
        "Công an thành phố",
        "Tòa án thành phố",
        "phòng Tư pháp",
        "phòng  Giáo dục và Đào tạo",
        "Phòng Y tế",
        "các đơn vị có liên quan",
        "UBND các xã, phường",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Kế hoạch và Đầu tư",
        "Phòng Giáo dục và Đào tạo",
        "Đài Phát thanh và Truyền hình Bình Định",
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "Các phòng, ban, ngành, đơn vị có liên quan",
    ],
)
def test_names_with_commas_and_va_are_not_split(name):
    assert items(name) == [name]


def test_split_on_va_and_semicolon_between_names():
    assert items("Sở Giáo dục và Đào tạo và Sở Y tế") == ["Sở Giáo dục và Đào tạo", "Sở Y tế"]
    assert items("Sở Kế hoạch - Đầu tư; Sở Tài Chính và các cơ quan liên quan") == [
        "Sở Kế hoạch - Đầu tư",
        "Sở Tài Chính",
        "các cơ quan liên quan",
    ]
    assert items("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức thành viên") == [
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
        "các tổ chức thành viên",
    ]


# ----------------------------------------------------------------------------- Kon Tum: activity fields


def test_kon_tum_activity_2_5_assignment():
    a = assignment_of(KON_TUM, ("III", "2", "2.5"))
    assert a.task.startswith("Hoạt động 5: Xây dựng, triển khai thực hiện kế hoạch hỗ trợ")
    assert a.lead == ["Phòng Lao động - Thương binh và Xã hội"]
    assert a.coordinating == ["Công an thành phố", "Tòa án thành phố", "Phòng Tư pháp", "Phòng Giáo dục và Đào tạo", "Phòng Y tế"]
    assert a.directing == "Đ/c Nguyễn Thanh Mân, Phó chủ tịch UBND thành phố"
    assert a.timeframe == "Thường xuyên"


def test_kon_tum_field_roles_and_direct_body():
    got = roles_at(KON_TUM, ("III", "2", "2.5"))
    assert (key("Phòng Lao động - Thương binh và Xã hội"), "lead") in got
    assert (key("Công an thành phố"), "coordinate") in got
    assert (key("Ủy ban nhân dân thành phố"), "direct") in got
    # generic groups of the field are not agencies
    assert not any(name.startswith(key("Ủy ban nhân dân cấp xã")) for name, _ in got)
    # "Ban Điều hành bảo vệ trẻ em thành phố chỉ đạo, hướng dẫn …" is content, not a Chỉ đạo field
    assert (key("Ban Điều hành bảo vệ trẻ em thành phố"), "direct") not in got


def test_kon_tum_generic_coordinating_fields_give_no_agency():
    a = assignment_of(KON_TUM, ("III", "1"))  # "Các phòng, ban, ngành, đơn vị có liên quan và Ủy ban nhân dân các xã, phường."
    assert a.lead == ["Phòng Lao động - Thương binh và Xã hội"]
    assert a.coordinating == []


def test_kon_tum_field_mentions_sit_in_the_field_and_lift_to_the_activity():
    ctx = ctx_of(KON_TUM)
    agencies, _ = extract_agencies(ctx)
    phong = next(a for a in agencies if a.name == "Phòng Lao động - Thương binh và Xã hội")
    lead = [m for m in phong.mentions if m.role == "lead"]
    assert lead and all(ctx.text[m.span.start : m.span.end] == m.raw for m in lead)
    first = lead[0]
    assert first.section_id == ctx.section_id_at(first.span.start)
    assert ctx.index.by_id[first.section_id].kind == "point"
    assert ctx.index.label_path(role_section_id(ctx, first.section_id)) == ["III", "1"]
    assert "TB&XH" in phong.abbreviations and phong.level == "district"


def test_kon_tum_3_3_6_lead_is_not_also_coordinate():
    got = roles_at(KON_TUM, ("III", "3", "3.3", "3.3.6"))
    assert (key("Sở Lao động - Thương binh và Xã hội"), "lead") in got
    assert (key("Sở Lao động - Thương binh và Xã hội"), "coordinate") not in got
    assert (key("Ủy ban nhân dân thành phố Kon Tum"), "coordinate") in got


def test_kon_tum_phoi_hop_in_content_gives_coordinate():
    # 3.4 a. "- Phối hợp với Sở LĐ-TB&XH thí điểm mô hình “Câu lạc bộ nữ công nhân nhà trọ” …"
    assert has(KON_TUM, ("III", "3", "3.4"), "Sở Lao động - Thương binh và Xã hội", "coordinate")


def test_kon_tum_to_chuc_thuc_hien():
    # VI.1 "… báo cáo kết quả thực hiện về Ủy ban nhân dân thành phố (qua Phòng Lao động - TB&XH thành phố)"
    assert has(KON_TUM, ("VI", "1"), "Ủy ban nhân dân thành phố", "report_to")
    assert has(KON_TUM, ("VI", "1"), "Phòng Lao động - Thương binh và Xã hội", "report_to")
    # VI.2 "Giao Phòng Lao động - TB&XH thành phố: … tổng hợp tham mưu UBND thành phố báo cáo UBND tỉnh và Sở …"
    vi2 = roles_at(KON_TUM, ("VI", "2"))
    assert (key("Phòng Lao động - Thương binh và Xã hội"), "lead") in vi2
    assert (key("Phòng Lao động - Thương binh và Xã hội"), "advise") in vi2
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in vi2
    assert (key("Sở Lao động - Thương binh và Xã hội"), "report_to") in vi2
    assert (key("Ủy ban nhân dân thành phố"), "advise") not in vi2  # the advised body is only mentioned
    # VI.3 "Đề nghị Ủy ban MTTQVN thành phố, Liên đoàn Lao động thành phố, Hội LHPN thành phố và các đoàn thể …"
    vi3 = roles_at(KON_TUM, ("VI", "3"))
    for name in ("Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "Liên đoàn Lao động thành phố", "Hội Liên hiệp Phụ nữ thành phố"):
        assert (key(name), "lead") in vi3


def test_kon_tum_recipients_are_only_mentioned():
    ctx = ctx_of(KON_TUM)
    agencies, _ = extract_agencies(ctx)
    start = ctx.text.index("Nơi nhận")
    after = [(a.name, m.role) for a in agencies for m in a.mentions if m.span.start > start]
    assert after and all(role == "mentioned" for _, role in after)


# ----------------------------------------------------------------------------- Bình Định: Tổ chức thực hiện


def test_binh_dinh_vii_2_lead_and_coordinate():
    # "2. Sở Kế hoạch và Đầu tư / - Chủ trì, phối hợp với Sở Tài chính, Sở Lao động - Thương binh và Xã hội cân đối …"
    got = roles_at(BINH_DINH, ("Phần thứ hai", "VII", "2"))
    assert (key("Sở Kế hoạch và Đầu tư"), "lead") in got
    assert (key("Sở Tài chính"), "coordinate") in got
    assert (key("Sở Lao động - Thương binh và Xã hội"), "coordinate") in got
    # "… trình UBND tỉnh phê duyệt" is a submission, not a report
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") not in got


def test_binh_dinh_vii_4_heading_names_four_leads():
    # "4. Sở Thông Tin và Truyền Thông; Sở Tư pháp; Báo Bình Định; Đài Phát thanh và Truyền hình Bình Định đẩy mạnh …"
    got = roles_at(BINH_DINH, ("Phần thứ hai", "VII", "4"))
    leads = {n for n, r in got if r == "lead"}
    assert leads == {key(n) for n in ("Sở Thông tin và Truyền thông", "Sở Tư pháp", "Báo Bình Định", "Đài Phát thanh và Truyền hình Bình Định")}


def test_binh_dinh_vii_1_reports_sends_and_advises():
    got = roles_at(BINH_DINH, ("Phần thứ hai", "VII", "1"))
    assert (key("Sở Lao động - Thương binh và Xã hội"), "lead") in got
    # "định kỳ báo cáo kết quả thực hiện cho UBND tỉnh và Bộ Lao động - Thương binh và Xã hội"
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in got
    assert (key("Bộ Lao động - Thương binh và Xã hội"), "report_to") in got
    # "gửi Sở Kế hoạch và Đầu tư (vốn đầu tư phát triển); dự toán hàng năm gửi Sở Tài chính"
    assert (key("Sở Kế hoạch và Đầu tư"), "report_to") in got
    assert (key("Sở Tài chính"), "report_to") in got
    # "Chủ trì và phối hợp với các sở, ngành có liên quan tham mưu sửa đổi …"
    assert (key("Sở Lao động - Thương binh và Xã hội"), "advise") in got


def test_binh_dinh_vii_7_collective_heading_and_report_via():
    # "7. Ủy ban nhân dân các huyện, thị xã, thành phố có trách nhiệm: … báo cáo … về UBND tỉnh (qua Sở …)"
    got = roles_at(BINH_DINH, ("Phần thứ hai", "VII", "7"))
    assert (key("Ủy ban nhân dân cấp huyện"), "lead") in got
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in got
    assert (key("Sở Lao động - Thương binh và Xã hội"), "report_to") in got


def test_binh_dinh_generic_items_and_situation_have_no_roles():
    # "5. Các sở, ban, ngành, đơn vị được giao nhiệm vụ …" names no agency
    assert roles_at(BINH_DINH, ("Phần thứ hai", "VII", "5")) == set()
    # Phần thứ nhất (THỰC TRẠNG …) only mentions agencies
    assert {r for _, r in roles_at(BINH_DINH, ("Phần thứ nhất",))} <= {"mentioned"}
    # VIII.1 is not a Tổ chức thực hiện item: UBND các huyện … only reports
    viii1 = roles_at(BINH_DINH, ("Phần thứ hai", "VIII", "1"))
    assert (key("Ủy ban nhân dân cấp huyện"), "lead") not in viii1
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in viii1


def test_binh_dinh_tcth_assignment():
    a = assignment_of(BINH_DINH, ("Phần thứ hai", "VII", "2"))
    assert a.lead == ["Sở Kế hoạch và Đầu tư"]
    assert a.coordinating == ["Sở Tài chính", "Sở Lao động - Thương binh và Xã hội"]


# ----------------------------------------------------------------------------- Vĩnh Phúc


def test_vinh_phuc_dieu_2_lead():
    # "Điều 2. Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với các sở, ngành và các đơn vị liên quan …"
    got = roles_at(VINH_PHUC, ("Điều 2",))
    assert got == {(key("Sở Lao động - Thương binh và Xã hội"), "lead")}


def test_vinh_phuc_dieu_3_execution_clause_has_no_roles():
    # "Chánh Văn phòng Ủy ban nhân dân tỉnh; Thủ trưởng các sở, ban, ngành: … chịu trách nhiệm thi hành"
    assert {r for _, r in roles_at(VINH_PHUC, ("Điều 3",))} <= {"mentioned"}


def test_vinh_phuc_phan_3():
    p3 = ("ĐỀ ÁN", "PHẦN 3")
    # 1. "Phối hợp với Sở Kế hoạch - Đầu tư; Sở Tài Chính và các cơ quan liên quan …"
    got = roles_at(VINH_PHUC, p3 + ("1",))
    assert (key("Sở Kế hoạch và Đầu tư"), "coordinate") in got
    assert (key("Sở Tài chính"), "coordinate") in got
    # 2. "trên cơ sở đề nghị của Sở Lao động - Thương binh và Xã hội đề xuất UBND tỉnh xem xét" → Sở Tài chính advises
    got = roles_at(VINH_PHUC, p3 + ("2",))
    assert (key("Sở Tài chính"), "advise") in got
    assert (key("Sở Lao động - Thương binh và Xã hội"), "advise") not in got
    # 4. "Công an tỉnh / Chủ trì, chỉ đạo tăng cường …" → lead + direct
    got = roles_at(VINH_PHUC, p3 + ("4",))
    assert {(key("Công an tỉnh"), "lead"), (key("Công an tỉnh"), "direct")} <= got
    # 7. "Sở Giáo dục và Đào tạo và Sở Y tế" → two leads
    got = roles_at(VINH_PHUC, p3 + ("7",))
    assert {(key("Sở Giáo dục và Đào tạo"), "lead"), (key("Sở Y tế"), "lead")} <= got
    # 8. "Chủ trì, phối hợp với Sở Lao động - Thương binh và Xã hội, Ban Dân tộc nghiên cứu …"
    assert has(VINH_PHUC, p3 + ("8",), "Ban Dân tộc", "coordinate")
    # 11. "… báo cáo UBND tỉnh (qua Sở Lao động - Thương binh và Xã hội) …"
    got = roles_at(VINH_PHUC, p3 + ("11",))
    assert (key("Ủy ban nhân dân cấp huyện"), "lead") in got
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in got
    assert (key("Sở Lao động - Thương binh và Xã hội"), "report_to") in got
    # "theo hướng dẫn của Sở Lao động - Thương binh và Xã hội" is no role
    assert (key("Sở Lao động - Thương binh và Xã hội"), "lead") not in got


def test_vinh_phuc_mat_tran_phoi_hop_subject():
    # III.7 "Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh và các tổ chức thành viên phối hợp với các sở, ban, ngành …"
    assert has(VINH_PHUC, ("ĐỀ ÁN", "PHẦN 2", "III", "7"), "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "coordinate")


# ----------------------------------------------------------------------------- Đồng Nai, Bình Phước


def test_dong_nai_reports_and_names_as_written():
    # VI.4 heading "Sở Thông tin và Truyền Thông, Sở Tư pháp, Báo Đồng Nai, Đài Phát thanh - Truyền hình Đồng Nai"
    assert has(DONG_NAI, ("VI", "4"), "Đài Phát thanh - Truyền hình Đồng Nai", "lead")
    # V "… xây dựng Kế hoạch cụ thể gửi Sở Tài chính thẩm định, trình UBND tỉnh phê duyệt …"
    got = roles_at(DONG_NAI, ("V",))
    assert (key("Sở Tài chính"), "report_to") in got
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") not in got
    # VI.7 d) "báo cáo kết quả gửi Sở Lao động - Thương binh và Xã hội tổng hợp trình UBND tỉnh"
    got = roles_at(DONG_NAI, ("VI", "7"))
    assert (key("Sở Lao động - Thương binh và Xã hội"), "report_to") in got
    assert (key("Ủy ban nhân dân tỉnh"), "report_to") in got
    # III.1 "phối hợp Trường Đại học Lao động Xã hội đào tạo …"
    assert has(DONG_NAI, ("III", "1"), "Trường Đại học Lao động Xã hội", "coordinate")


def test_binh_phuoc_past_evaluation_only_mentions():
    # I. "… định kỳ hằng năm báo cáo Cục Bảo trợ xã hội kết quả thực hiện …" (Đánh giá kết quả thực hiện)
    got = roles_at(BINH_PHUOC, ("I",))
    assert (key("Cục Bảo trợ xã hội"), "mentioned") in got
    assert {r for _, r in got} == {"mentioned"}


# ----------------------------------------------------------------------------- tables


def test_markdown_assignment_table_rows():
    ctx = ctx_of(NQ57_CP)
    _, assignments = extract_agencies(ctx)
    rows = [a for a in assignments if a.section_id and ctx.index.by_id[a.section_id].kind == "table_row"]
    first = next(a for a in rows if a.task and a.task.startswith("Xây dựng, trình Thủ tướng Chính phủ ban hành và tổ chức triển khai chương trình tuyên truyền"))
    assert first.lead == ["Bộ Thông tin và Truyền thông"]
    # "Ban Tuyên giáo Trung ương; các bộ, ngành, địa phương; VTV, VOV, TTXVN"
    assert first.coordinating == ["Ban Tuyên giáo Trung ương", "Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam", "Thông tấn xã Việt Nam"]
    assert first.timeframe == "6/2025" and first.output == "Quyết định của Thủ tướng Chính phủ"
    # "| 8. | … | Bộ Thông tin và Truyền thông Bộ Khoa học và Công nghệ | |" — two bodies without a separator
    eighth = next(a for a in rows if a.task and a.task.startswith("Xây dựng, ban hành văn bản làm rõ định nghĩa"))
    assert eighth.lead == ["Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"]


def test_flattened_table_with_merged_rows():
    ctx = ctx_of(RAC_THAI)
    _, assignments = extract_agencies(ctx)
    app = [a for a in assignments if a.section_id and ctx.index.label_path(a.section_id)[:1] == ["PHỤ LỤC"]]
    assert app[0].lead == ["Trung ương Mặt trận Tổ quốc Việt Nam"] and app[0].timeframe == "2030"
    assert app[0].task.startswith("Đề án triển khai phong trào toàn dân")
    assert {"Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam"} <= set(app[0].coordinating)
    # the merged second line of row 1 holds only the lead and coordinating cells
    assert app[1].lead == ["Ủy ban nhân dân cấp tỉnh"]


def test_table_from_plain_text_lines():
    text = (
        "PHỤ LỤC\n"
        "| TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành | Sản phẩm |\n"
        "|---|---|---|---|---|---|\n"
        "| I | Nhóm nhiệm vụ về trợ giúp xã hội | | | | |\n"
        "| 1 | Rà soát đối tượng bảo trợ xã hội | Sở Lao động - Thương binh và Xã hội | Sở Tài chính, Sở Y tế, UBND các huyện, thành phố | Năm 2024 | Báo cáo |\n"
    )
    agencies, assignments = extract_agencies(doc_ctx(text))
    assert len(assignments) == 1
    a = assignments[0]
    assert (a.task, a.lead, a.coordinating, a.timeframe, a.output) == (
        "Rà soát đối tượng bảo trợ xã hội",
        ["Sở Lao động - Thương binh và Xã hội"],
        ["Sở Tài chính", "Sở Y tế"],
        "Năm 2024",
        "Báo cáo",
    )


# ----------------------------------------------------------------------------- ids, spans, robustness


def test_ids_spans_and_first_mention_order():
    ctx = ctx_of(VINH_PHUC)
    agencies, _ = extract_agencies(ctx)
    assert [a.id for a in agencies] == [f"ag-{i}" for i in range(1, len(agencies) + 1)]
    firsts = [min(m.span.start for m in a.mentions) for a in agencies]
    assert firsts == sorted(firsts)
    for a in agencies:
        for m in a.mentions:
            assert ctx.text[m.span.start : m.span.end] == m.raw
    assert len({key(a.name) for a in agencies}) == len(agencies)


def test_fields_in_plain_text_without_a_tree():
    text = (
        "b. Chỉ đạo thực hiện: Đ/c Nguyễn Thanh Mân, Phó chủ tịch UBND thành phố.\n"
        "c. Cơ quan chủ trì thực hiện: Phòng  Lao động – TB&XH thành phố.\n"
        "d. Cơ quan phối hợp thực hiện: Công an thành phố, Tòa án thành phố, phòng Tư pháp và UBND các xã, phường.\n"
        "đ. Thời gian thực hiện: Thường xuyên.\n"
    )
    _, assignments = extract_agencies(doc_ctx(text))
    (a,) = assignments
    assert a.lead == ["Phòng Lao động - Thương binh và Xã hội"]
    assert a.coordinating == ["Công an thành phố", "Tòa án thành phố", "Phòng Tư pháp"]
    assert a.directing == "Đ/c Nguyễn Thanh Mân, Phó chủ tịch UBND thành phố"
    assert a.timeframe == "Thường xuyên"


ADVERSARIAL_1MB = {
    "dotted-labels": "1.1.1." * 180_000,
    "digits": "9" * 1_000_000,
    "parens": "(" * 1_000_000,
    "spaces": " " * 1_000_000 + "Sở Y tế",
    "bars": "|\n" * 500_000,
}
# inputs made only of heads, separators or role cues cost work per occurrence: linear, 100 KB
ADVERSARIAL_100KB = {
    "heads": "Sở " * 33_000,
    "collectives": "UBND các xã, " * 8_000,
    "not-a-name": "Phòng, chống " * 8_000,
    "one-long-list": "Sở Lao động - Thương binh và Xã hội, " * 2_800,
    "table-headers": "| a | Cơ quan chủ trì |\n" * 5_500,
    "report-cues": "báo cáo " * 12_000,
    "coordinate-cues": "phối hợp với " * 8_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_1MB))
def test_adversarial_1mb_inputs_are_fast(name):
    ctx = doc_ctx(ADVERSARIAL_1MB[name])
    t0 = time.process_time()
    extract_agencies(ctx)
    assert time.process_time() - t0 < BOUNDED_CPU_SECONDS


@pytest.mark.parametrize("name", sorted(ADVERSARIAL_100KB))
def test_adversarial_dense_inputs_are_linear(name):
    ctx = doc_ctx(ADVERSARIAL_100KB[name])
    t0 = time.process_time()
    extract_agencies(ctx)
    assert time.process_time() - t0 < BOUNDED_CPU_SECONDS
