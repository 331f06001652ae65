"""The outline of each seed, written by reading the seed."""

from conftest import parsed


def top(doc):
    return [(s.kind, s.label) for s in doc.sections]


def child_labels(node):
    return [c.label for c in node.children if c.kind != "bullet"]


def find(doc, *labels):
    nodes = doc.sections
    node = None
    for lab in labels:
        node = next(n for n in nodes if n.label == lab)
        nodes = node.children
    return node


def test_binh_dinh_parts_sections_projects():
    doc = parsed("binh_dinh")
    assert top(doc) == [("preamble", None), ("part", "Phần thứ nhất"), ("part", "Phần thứ hai"), ("conclusion", None)]
    assert child_labels(find(doc, "Phần thứ nhất")) == ["I", "II", "III"]
    assert child_labels(find(doc, "Phần thứ hai")) == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert find(doc, "Phần thứ nhất").title.startswith("THỰC TRẠNG TÌNH HÌNH")
    project = find(doc, "Phần thứ hai", "IV", "1")
    assert project.kind == "project" and project.title.startswith("Dự án 1: Phát triển hệ thống trợ giúp")
    assert child_labels(project) == ["1.1", "1.2", "1.3"]
    assert child_labels(find(doc, "Phần thứ hai", "IV", "1", "1.3")) == ["a", "b", "c", "d", "e", "f"]
    assert project.id == "part_2__sec_IV__item_1"
    assert find(doc, "Phần thứ hai", "IV", "1", "1.3", "b").id == "part_2__sec_IV__item_1__item_1-3__pt_b"


def test_binh_dinh_bullets_nest_plus_under_dash():
    doc = parsed("binh_dinh")
    b = find(doc, "Phần thứ hai", "IV", "4", "4.1", "b")
    dashes = [c for c in b.children if c.kind == "bullet"]
    assert dashes[0].title == "Về cai nghiện ma túy"
    assert [c.label for c in dashes[0].children][:2] == ["+", "+"]


def test_kon_tum_activity_blocks_and_fields():
    doc = parsed("kon_tum")
    assert [s.label for s in doc.sections if s.kind == "sec"] == ["I", "II", "III", "IV", "V", "VI"]
    act = find(doc, "III", "2", "2.5")
    assert act.kind == "activity" and act.title.startswith("Hoạt động 5:")
    assert child_labels(act) == ["a", "b", "c", "d", "đ"]
    lead = find(doc, "III", "2", "2.5", "c")
    assert lead.title == "Cơ quan chủ trì thực hiện"
    assert lead.text == "Phòng  Lao động - TB&XH thành phố."
    assert child_labels(find(doc, "III", "3", "3.3")) == ["3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6"]
    assert doc.sections[-1].kind == "closing"


def test_dong_nai_lettered_lists():
    doc = parsed("dong_nai")
    assert [s.label for s in doc.sections if s.kind == "sec"] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert child_labels(find(doc, "I", "2")) == ["a", "b", "c", "d"]
    assert find(doc, "I", "2").title == "Mục tiêu cụ thể đến năm 2020"
    assert child_labels(find(doc, "III")) == ["1", "2", "3", "4"]
    assert child_labels(find(doc, "VI", "1")) == ["a", "b", "c", "d"]


def test_vinh_phuc_decision_wraps_de_an():
    doc = parsed("vinh_phuc")
    assert top(doc) == [
        ("preamble", None),
        ("article", "Điều 1"),
        ("article", "Điều 2"),
        ("article", "Điều 3"),
        ("closing", None),
        ("attachment", "ĐỀ ÁN"),
    ]
    de_an = doc.sections[-1]
    assert de_an.children[-1].kind == "conclusion"  # "Trên đây là Đề án …" closes the Đề án
    assert de_an.children[-1].text.startswith("Trên đây là Đề án")
    assert de_an.title.startswith("NÂNG CAO CHẤT LƯỢNG CÔNG TÁC TRỢ GIÚP XÃ HỘI")
    assert child_labels(de_an) == ["PHẦN 1", "PHẦN 2", "PHẦN 3", None]
    goals = find(doc, "ĐỀ ÁN", "PHẦN 2", "II", "2")
    assert child_labels(goals) == ["2.1", "2.2", "2.2"]  # "2.2. Giai đoạn 2026 - 2030" repeats 2.2
    assert goals.children[2].title == "Giai đoạn 2026 - 2030"
    assert goals.children[2].id.endswith("item_2-2_2")
    assert child_labels(goals.children[1]) == ["2.2.1"]
    causes = find(doc, "ĐỀ ÁN", "PHẦN 1", "I", "4")
    assert child_labels(causes) == ["1", "2", "3", "3", "4", "5", "6", "7"]
    codes = {w.code for w in doc.warnings}
    assert {"label_repeated"} <= codes


def test_binh_phuoc_item_without_dot():
    doc = parsed("binh_phuoc")
    assert child_labels(find(doc, "I")) == [str(i) for i in range(1, 11)]
    assert find(doc, "I", "8").title.startswith("Xây dựng cơ sở dữ liệu về phát triển công tác xã hội")
    assert child_labels(find(doc, "III")) == ["1", "2", "3", "4"]


def test_numbers_at_line_start_are_not_headings():
    import planparse

    text = "I. MỤC TIÊU\n2020 là năm bản lề.\n111 là số điện thoại.\n50% số xã đạt chuẩn.\n1.500 lượt cán bộ.\n02603.915.034 đường dây nóng."
    doc = planparse.parse_text(text)
    assert [s.label for s in doc.sections] == ["I"]
    assert doc.sections[0].children == []
    assert "1.500 lượt cán bộ." in doc.sections[0].text


def test_ids_are_unique_and_spans_nested():
    for name in ["binh_dinh", "binh_phuoc", "dong_nai", "kon_tum", "vinh_phuc"]:
        doc = parsed(name)
        ids = [s.id for s in doc.iter_sections()]
        assert len(ids) == len(set(ids)), name

        def check(node):
            for c in node.children:
                assert node.span.start <= c.span.start <= c.span.end <= node.span.end
                check(c)

        for s in doc.sections:
            check(s)


def test_ocr_misread_labels_follow_the_numbering():
    import planparse

    text = (
        "I. MỤC TIÊU\nNội dung.\nII. NHIỆM VỤ\nNội dung.\nIIL. GIẢI PHÁP CHỦ YẾU\n"
        "9. Bộ Y tế\nChủ trì.\n10. Bộ Công Thương\nPhối hợp.\nIl. Bộ Tài chính\nBố trí kinh phí.\n"
    )
    doc = planparse.parse_text(text)
    assert [s.label for s in doc.sections] == ["I", "II", "III"]
    assert [c.label for c in doc.sections[2].children] == ["9", "10", "11"]
    assert {w.code for w in doc.warnings} == {"ocr_label"}
    # an "Il." that continues nothing is not a heading
    doc = planparse.parse_text("I. MỤC TIÊU\nII. NHIỆM VỤ\nIl. Một dòng lạ\n")
    assert [s.label for s in doc.sections] == ["I", "II"]


def test_conclusion_belongs_to_the_document():
    doc = parsed("dong_nai")
    last = doc.sections[-1]
    assert last.kind == "conclusion" and last.text.startswith("Trên đây là Kế hoạch thực hiện Quyết định số 565")
    assert doc.sections[-2].label == "VII"
