"""The scorer of ``planparse eval``: synthetic gold + hand-built predictions, then one real run."""

import json
from pathlib import Path

import pytest

from planparse.evaluate import (
    QuoteLocator,
    Report,
    agency_predictions,
    evaluate,
    format_report,
    gold_agencies,
    gold_headings,
    gold_references,
    gold_targets,
    greedy_match,
    heading_predictions,
    match_agencies,
    match_headings,
    match_references,
    match_targets,
    reference_predictions,
    score_document,
    score_metadata,
    target_predictions,
)
from planparse.models import Agency, AgencyMention, LegalReference, Metadata, Period, PlanDocument, Section, Signer, Span, Target

GOLD_DIR = Path(__file__).resolve().parent.parent / "corpora" / "gold"


# ----------------------------------------------------------------------------- builders


def sec(id, kind, label, title="", children=(), text=""):
    return Section(id=id, kind=kind, label=label, title=title, text=text, span=Span(start=0, end=1), children=list(children))


def outline():
    """I. MỤC TIÊU / 1. Mục tiêu chung (+ a bullet) / 2. Mục tiêu cụ thể ; II. Tổ chức thực hiện / 2.5 / c."""
    return [
        sec("preamble", "preamble", None, "KẾ HOẠCH"),
        sec("sec_I", "sec", "I", "MỤC TIÊU", [
            sec("sec_I__item_1", "item", "1", "Mục tiêu chung", [sec("sec_I__item_1__b1", "bullet", "-", "", text="Nâng cao")]),
            sec("sec_I__item_2", "item", "2", "Mục tiêu cụ thể đến năm 2020"),
        ]),
        sec("sec_II", "sec", "II", "TỔ CHỨC THỰC HIỆN", [
            sec("sec_II__act_2-5", "activity", "2.5", "Hoạt động 5: Truyền thông", [
                sec("sec_II__act_2-5__pt_a", "point", "a", "Nội dung"),
                sec("sec_II__act_2-5__pt_c", "point", "c", "Cơ quan chủ trì thực hiện"),
            ]),
        ]),
        sec("closing", "closing", None, "TM. ỦY BAN NHÂN DÂN"),
    ]


GOLD_HEADINGS = [
    {"label": "I", "title": "MỤC TIÊU", "parent": []},
    {"label": "1", "title": "Mục tiêu chung", "parent": ["I"]},
    {"label": "2", "title": "Mục tiêu cụ thể đến năm 2020", "parent": ["I"]},
    {"label": "II", "title": "TỔ CHỨC THỰC HIỆN", "parent": []},
    {"label": "2.5", "title": "Hoạt động 5: Truyền thông", "parent": ["II"]},
    {"label": "a", "title": "Nội dung", "parent": ["II", "2.5"]},
    {"label": "c", "title": "Cơ quan chủ trì thực hiện", "parent": ["II", "2.5"]},
]


def headings_score(gold, sections):
    return match_headings(gold_headings(gold), heading_predictions(PlanDocument(sections=sections))).score


def mention(section_id, role, start, raw="x"):
    return AgencyMention(section_id=section_id, raw=raw, role=role, span=Span(start=start, end=start + 1))


TEXT = (
    "II. MỤC TIÊU\n"
    "- Đến năm 2020, 90% trở lên trẻ em có hoàn cảnh đặc biệt được quản lý.\n"
    "- Phấn đấu 90% người cao tuổi được chăm sóc, tổ chức 05 lớp tập huấn.\n"
)


def target(value, unit, phrase, occurrence=0, comparator="=", year=2020, text=None):
    start = TEXT.index(phrase) if occurrence == 0 else TEXT.index(phrase, TEXT.index(phrase) + 1)
    return Target(id=f"t{start}", text=text or phrase, value=value, unit=unit, comparator=comparator, deadline={"year": year}, span=Span(start=start, end=start + len(phrase)))


def gold_target(value, unit, quote, comparator="=", year=2020):
    return {"value": value, "value_max": None, "comparator": comparator, "unit": unit, "deadline_year": year, "quote": quote}


def targets_result(gold, preds, text=TEXT):
    doc = PlanDocument(text=text, targets=preds)
    return match_targets(gold_targets(gold, QuoteLocator(doc.text)), target_predictions(doc))


# ----------------------------------------------------------------------------- matching core


def test_greedy_match_is_one_to_one_in_document_order():
    pairs, missed, extra = greedy_match(["a", "a", "b"], ["a", "c", "a"], lambda g, p: g == p)
    assert pairs == [(0, 0), (1, 2)]
    assert missed == [2] and extra == [1]


# ----------------------------------------------------------------------------- headings


def test_perfect_headings_score_one():
    s = headings_score(GOLD_HEADINGS, outline())
    assert (s.tp, s.fp, s.fn) == (7, 0, 0)
    assert s.precision == s.recall == s.f1 == 1.0


def test_bullets_preamble_closing_are_not_heading_predictions():
    paths = [h.path for h in heading_predictions(PlanDocument(sections=outline()))]
    assert ("I", "1", "-") not in paths and () not in paths and len(paths) == 7


def test_missing_heading_lowers_recall_only():
    sections = outline()
    sections[1].children.pop()  # drop "2. Mục tiêu cụ thể"
    s = headings_score(GOLD_HEADINGS, sections)
    assert (s.tp, s.fp, s.fn) == (6, 0, 1)
    assert s.precision == 1.0 and s.recall == pytest.approx(6 / 7)


def test_extra_heading_lowers_precision_only():
    sections = outline()
    sections[1].children.append(sec("sec_I__item_3", "item", "3", "Đối tượng"))
    s = headings_score(GOLD_HEADINGS, sections)
    assert (s.tp, s.fp, s.fn) == (7, 1, 0)
    assert s.recall == 1.0 and s.precision == pytest.approx(7 / 8)


def test_heading_wrong_parent_or_title_does_not_match():
    wrong_parent = [{"label": "1", "title": "Mục tiêu chung", "parent": ["II"]}]
    assert headings_score(wrong_parent, outline()).tp == 0
    wrong_title = [{"label": "1", "title": "Đối tượng và phạm vi", "parent": ["I"]}]
    assert headings_score(wrong_title, outline()).tp == 0
    untitled = [sec("sec_I", "sec", "I", "")]
    assert headings_score([{"label": "I", "title": "MỤC TIÊU", "parent": []}], untitled).tp == 0


def test_heading_titles_compare_by_key_and_prefix():
    sections = [sec("sec_I", "sec", "I", "KẾ HOẠCH HOÀ NHẬP CỘNG ĐỒNG CHO NGƯỜI KHUYẾT TẬT VÀ TRẺ EM TỈNH")]
    gold = [{"label": "I", "title": "Kế hoạch hòa nhập cộng đồng cho người khuyết tật và trẻ em tỉnh Bình Định, cắt ngắn", "parent": []}]
    assert headings_score(gold, sections).tp == 1


def test_repeated_labels_match_in_order():
    sections = [sec("sec_I", "sec", "I", "A", [sec("p3", "para", "3", "Công tác tuyên truyền"), sec("p3_2", "para", "3", "Hệ thống chính sách")])]
    gold = [{"label": "I", "title": "A", "parent": []}, {"label": "3", "title": "Hệ thống chính sách", "parent": ["I"]}, {"label": "3", "title": "Công tác tuyên truyền", "parent": ["I"]}]
    s = headings_score(gold, sections)
    assert (s.tp, s.fp, s.fn) == (3, 0, 0)


def test_untitled_run_in_item_is_compared_by_its_text():
    sections = [sec("sec_I", "sec", "I", "A", [Section(id="p1", kind="para", label="1", title=None, text="Độ bao phủ của chính sách trợ cấp tiền mặt", span=Span(start=0, end=1))])]
    gold = [{"label": "1", "title": "Độ bao phủ của chính sách", "parent": ["I"]}]
    assert headings_score(gold, sections).tp == 1


def test_attachment_label_and_table_rows_are_headings():
    sections = [
        sec("att_1", "attachment", "ĐỀ ÁN", "NÂNG CAO CHẤT LƯỢNG", [sec("att_1__part_1", "part", "PHẦN 1", "SỰ CẦN THIẾT")]),
        sec("app_I", "appendix", "PHỤ LỤC I", "DANH MỤC", [sec("app_I__table_1", "table", None, "", [sec("app_I__table_1__row_1", "table_row", "1", "Tỉ lệ")])]),
    ]
    gold = [
        {"label": "ĐỀ ÁN", "title": "NÂNG CAO CHẤT LƯỢNG", "parent": []},
        {"label": "PHẦN 1", "title": "SỰ CẦN THIẾT", "parent": ["ĐỀ ÁN"]},
        {"label": "PHỤ LỤC I", "title": "DANH MỤC", "parent": []},
        {"label": "1", "title": "Tỉ lệ", "parent": ["PHỤ LỤC I"]},
    ]
    assert headings_score(gold, sections).f1 == 1.0


# ----------------------------------------------------------------------------- agencies


def agency_doc(*agencies):
    return PlanDocument(sections=outline(), agencies=list(agencies))


def agencies_score(gold, doc):
    return match_agencies(gold_agencies(gold), agency_predictions(doc)).score


def test_agency_names_compare_by_key():
    doc = agency_doc(Agency(id="a1", name="Phòng Văn hoá - Thông tin", mentions=[mention("sec_II", "lead", 10)]))
    s = agencies_score([{"name": "PHÒNG VĂN HÓA - THÔNG TIN", "role": "lead", "section": ["II"]}], doc)
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_agency_role_must_agree():
    doc = agency_doc(Agency(id="a1", name="Sở Tài chính", mentions=[mention("sec_II", "coordinate", 10)]))
    s = agencies_score([{"name": "Sở Tài chính", "role": "lead", "section": ["II"]}], doc)
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_agency_gold_section_may_be_an_ancestor_of_the_predicted_section():
    # mention in field "c. Cơ quan chủ trì thực hiện" of activity 2.5; gold puts it on 2.5
    doc = agency_doc(Agency(id="a1", name="Phòng Lao động - Thương binh và Xã hội", mentions=[mention("sec_II__act_2-5__pt_c", "lead", 10)]))
    s = agencies_score([{"name": "Phòng Lao động - Thương binh và Xã hội", "role": "lead", "section": ["II", "2.5"]}], doc)
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_agency_predicted_section_above_the_gold_section_does_not_match():
    doc = agency_doc(Agency(id="a1", name="Sở Y tế", mentions=[mention("sec_II", "lead", 10)]))
    s = agencies_score([{"name": "Sở Y tế", "role": "lead", "section": ["II", "2.5", "c"]}], doc)
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_agency_document_level_gold_matches_only_document_level_prediction():
    doc = agency_doc(Agency(id="a1", name="Ủy ban nhân dân tỉnh", mentions=[mention("sec_II", "report_to", 10), mention("closing", "report_to", 90)]))
    s = agencies_score([{"name": "Ủy ban nhân dân tỉnh", "role": "report_to", "section": []}], doc)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


def test_agency_ancestor_rule_is_one_to_one_and_prefers_deepest_gold():
    doc = agency_doc(Agency(id="a1", name="Sở Y tế", mentions=[mention("sec_II__act_2-5__pt_a", "lead", 10), mention("sec_I__item_1", "lead", 5)]))
    gold = [{"name": "Sở Y tế", "role": "lead", "section": ["II"]}, {"name": "Sở Y tế", "role": "lead", "section": ["II", "2.5"]}]
    s = agencies_score(gold, doc)
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    result = match_agencies(gold_agencies(gold), agency_predictions(doc))
    assert [e.text for e in result.errors if e.kind == "fn"] == ["Sở Y tế [lead] @ II"]


def test_agency_duplicates_under_one_gold_section_count_once():
    # the same lead found in fields a. and c. of activity 2.5, and twice in c.
    doc = agency_doc(Agency(id="a1", name="Sở Y tế", mentions=[mention("sec_II__act_2-5__pt_a", "lead", 10), mention("sec_II__act_2-5__pt_c", "lead", 20), mention("sec_II__act_2-5__pt_c", "lead", 30)]))
    assert len(agency_predictions(doc)) == 2
    s = agencies_score([{"name": "Sở Y tế", "role": "lead", "section": ["II", "2.5"]}], doc)
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_mentioned_only_agencies_are_not_scored():
    doc = agency_doc(Agency(id="a1", name="Chính phủ", mentions=[mention("preamble", "mentioned", 1)]))
    assert agency_predictions(doc) == []


# ----------------------------------------------------------------------------- targets


def test_target_quote_overlapping_the_prediction_matches():
    gold = [gold_target(90, "%", "90% trở lên trẻ em có hoàn cảnh đặc biệt", ">=")]
    r = targets_result(gold, [target(90, "%", "90% trở lên trẻ em có hoàn cảnh đặc biệt được quản lý", comparator=">=")])
    assert (r.score.tp, r.score.fp, r.score.fn) == (1, 0, 0)
    assert r.fields["comparator"].correct == 1 and r.fields["deadline_year"].correct == 1


def test_target_same_value_elsewhere_does_not_match():
    gold = [gold_target(90, "%", "90% người cao tuổi được chăm sóc")]
    r = targets_result(gold, [target(90, "%", "90% trở lên trẻ em")])
    assert (r.score.tp, r.score.fp, r.score.fn) == (0, 1, 1)


def test_target_value_and_unit_must_agree():
    gold = [gold_target(5, "lớp", "tổ chức 05 lớp tập huấn")]
    assert targets_result(gold, [target(5, "người", "05 lớp tập huấn")]).score.tp == 0
    assert targets_result(gold, [target(50, "lớp", "05 lớp tập huấn")]).score.tp == 0
    assert targets_result(gold, [target(5.0, "Lớp", "05 lớp tập huấn")]).score.tp == 1


def test_target_quote_found_by_key_when_not_verbatim():
    # the annotator typed "hoà" and collapsed a double space; the document has "hòa"
    text = "Phấn đấu  90% trẻ em được hòa nhập cộng đồng."
    pred = Target(id="t1", text="90% trẻ em được hòa nhập", value=90, unit="%", span=Span(start=10, end=34))
    r = targets_result([gold_target(90, "%", "Phấn đấu 90% trẻ em được hoà nhập")], [pred], text=text)
    assert r.score.tp == 1
    assert not [e for e in r.errors if e.kind == "gold"]


def test_target_unlocatable_quote_falls_back_to_text_containment():
    pred = Target(id="t1", text="Phấn đấu 90% người cao tuổi được chăm sóc", value=90, unit="%", deadline={"year": 2020}, span=Span(start=0, end=5))
    r = targets_result([gold_target(90, "%", "90% người cao tuổi")], [pred], text="")
    assert r.score.tp == 1
    assert [e.kind for e in r.errors] == ["gold"]  # the quote could not be located


def test_statistics_are_not_scored_as_targets():
    stat = Target(id="s1", kind="statistic", text="90% trở lên trẻ em", value=90, unit="%", span=Span(start=10, end=20))
    assert target_predictions(PlanDocument(text=TEXT, targets=[stat])) == []


def test_target_wrong_deadline_is_field_error_not_a_miss():
    gold = [gold_target(5, "lớp", "tổ chức 05 lớp tập huấn", year=2020)]
    r = targets_result(gold, [target(5, "lớp", "05 lớp tập huấn", year=2025)])
    assert r.score.tp == 1
    assert r.fields["deadline_year"].correct == 0 and r.fields["deadline_year"].total == 1


# ----------------------------------------------------------------------------- legal references


def ref(i, full_number=None, title=None, role="cited", date=None, issuer=None):
    return LegalReference(id=f"r{i}", raw=full_number or title or "Quyết định nêu trên", full_number=full_number, title=title, role=role, date=date, issuer=issuer, span=Span(start=i, end=i + 1))


def test_references_dedupe_exclude_self_and_match_titles_by_key():
    doc = PlanDocument(legal_references=[
        ref(1, "2239/QĐ-UBND", role="self"),
        ref(2, "565/QĐ-TTg", date="2017-04-25", issuer="Thủ tướng Chính phủ"),
        ref(3, "565/qđ-ttg"),
        ref(4, title="Luật trẻ em"),
        ref(5),  # unresolved short form: no identity, not scored
    ])
    gold = [
        {"full_number": "565/QĐ-TTg", "date": "2017-04-25", "issuer": "Thủ tướng Chính phủ"},
        {"full_number": None, "title": "Luật Trẻ em", "date": None, "issuer": None},
        {"full_number": "94/2010/NĐ-CP", "date": "2010-09-09", "issuer": "Chính phủ"},
    ]
    r = match_references(gold_references(gold), reference_predictions(doc))
    assert (r.score.tp, r.score.fp, r.score.fn) == (2, 0, 1)
    assert (r.fields["date"].correct, r.fields["date"].total) == (2, 2)


def test_reference_wrong_issuer_is_field_error():
    doc = PlanDocument(legal_references=[ref(1, "51/NQ-CP", issuer="Quốc hội")])
    r = match_references(gold_references([{"full_number": "51/NQ-CP", "issuer": "Chính phủ"}]), reference_predictions(doc))
    assert r.score.tp == 1 and r.fields["issuer"].correct == 0
    assert any(e.kind == "field" and "issuer" in e.text for e in r.errors)


# ----------------------------------------------------------------------------- metadata


GOLD_META = {
    "doc_type": "Kế hoạch",
    "number": None,
    "issuer": "Ủy ban nhân dân tỉnh Bình Phước",
    "place": None,
    "period": {"start_year": 2021, "end_year": 2025},
    "signer": {"name": "Trần Tuyết Minh", "title": "Phó Chủ tịch", "capacity": "KT."},
    "is_draft": False,
    "recipients": ["Bộ LĐTBXH", "CT, PCT UBND tỉnh"],
}


def meta(**kw):
    base = dict(doc_type="KẾ HOẠCH", issuer="Uỷ ban nhân dân tỉnh Bình Phước", period=Period(start_year=2021, end_year=2025), signer=Signer(name="Trần Tuyết Minh", title="PHÓ CHỦ TỊCH", capacity="KT."), recipients=["Bộ LĐTBXH", "CT, PCT UBND tỉnh;"])
    base.update(kw)
    return Metadata(**base)


def test_metadata_perfect():
    s = score_metadata(GOLD_META, meta()).score
    assert (s.tp, s.fp, s.fn) == (10, 0, 0)


def test_metadata_wrong_value_is_fp_and_fn_and_null_gold_value_is_fp():
    s = score_metadata(GOLD_META, meta(number="12/KH-UBND", period=Period(start_year=2021, end_year=2030))).score
    assert (s.tp, s.fp, s.fn) == (9, 2, 1)


def test_metadata_missing_prediction_and_extra_recipient():
    s = score_metadata(GOLD_META, meta(signer=None, recipients=["Bộ LĐTBXH", "Lưu: VT"])).score
    assert (s.tp, s.fp, s.fn) == (6, 1, 4)


def test_metadata_fields_absent_from_gold_are_skipped():
    s = score_metadata({"doc_type": "Kế hoạch"}, meta(number="12/KH-UBND")).score
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


# ----------------------------------------------------------------------------- documents and report


def test_categories_absent_from_gold_are_skipped_and_empty_lists_are_annotated():
    res = score_document({"document": "x.txt", "legal_references": [], "targets": []}, PlanDocument())
    assert set(res) == {"legal_references", "targets"}
    assert res["legal_references"].score.f1 == 1.0


def test_unparseable_document_is_an_error_row(tmp_path):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / "missing.json").write_text(json.dumps({"document": "missing.txt", "headings": GOLD_HEADINGS, "notes": "x"}), encoding="utf-8")
    (gold_dir / "broken.json").write_text("{not json", encoding="utf-8")
    report = evaluate(gold_dir)
    rows = {d.gold_file: d for d in report.documents}
    assert rows["missing.json"].error and rows["broken.json"].error
    assert report.totals()["headings"].fn == len(GOLD_HEADINGS)
    out = format_report(report)
    assert "ERROR" in out and "missing" in out
    json.dumps(report.to_dict())


def test_format_report_limits_errors_unless_all():
    gold = [{"label": str(i), "title": f"Mục {i}", "parent": []} for i in range(1, 41)]
    from planparse.evaluate import DocumentResult

    report = Report("g", [DocumentResult("doc.json", "doc.txt", score_document({"headings": gold}, PlanDocument()))])
    short, full, none = format_report(report), format_report(report, show_errors="all"), format_report(report, show_errors=False)
    assert "25 more" in short and "Mục 40" not in short
    assert "Mục 40" in full and "more (" not in full
    assert "Mục 1'" not in none and "headings" in none


# ----------------------------------------------------------------------------- the real gold set


def test_evaluate_real_gold_set():
    report = evaluate(GOLD_DIR)
    gold_files = sorted(p.name for p in GOLD_DIR.glob("*.json"))
    assert sorted(d.gold_file for d in report.documents) == gold_files
    assert report.totals()["headings"].f1 > 0.5, [d.error for d in report.documents if d.error]
    out = format_report(report)
    for stem in (Path(f).stem for f in gold_files):
        assert stem in out
    json.dumps(report.to_dict(), ensure_ascii=False)
