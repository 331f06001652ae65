"""Public API, JSON round trip, determinism, schema freshness, CLI and its errors."""

import json
import subprocess
import sys

import pytest

import planparse
from conftest import CORPUS, ROOT, SEEDS, parsed
from planparse.emit import schema_files, to_json


def run_cli(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "planparse", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_round_trip_and_determinism():
    path = CORPUS / SEEDS["kon_tum"]
    doc = planparse.parse(path)
    assert planparse.PlanDocument.model_validate_json(doc.model_dump_json()) == doc
    assert to_json(doc) == to_json(planparse.parse(path))
    assert doc.text is not None and "text" not in json.loads(to_json(doc))


def test_parse_accepts_path_str_and_text():
    path = CORPUS / SEEDS["dong_nai"]
    a = planparse.parse(str(path))
    b = planparse.parse_text(path.read_text(encoding="utf-8"))
    assert [s.id for s in a.iter_sections()] == [s.id for s in b.iter_sections()]
    assert a.source.sha256 == b.source.sha256


def test_checked_in_schema_is_up_to_date():
    for name, content in schema_files().items():
        on_disk = (ROOT / "schemas" / name).read_text(encoding="utf-8")
        assert on_disk == content, f"schemas/{name} is stale: run `planparse schema`"


def test_metadata_of_the_seeds():
    vp = parsed("vinh_phuc").metadata
    assert (vp.doc_type, vp.number, vp.place, vp.issued_date) == ("Quyết định", "2239/QĐ-UBND", "Vĩnh Phúc", "2023-10-16")
    assert vp.issuer == "Ủy ban nhân dân tỉnh Vĩnh Phúc"
    assert (vp.period.start_year, vp.period.end_year) == (2023, 2030)
    bp = parsed("binh_phuoc").metadata
    assert bp.signer.model_dump() == {"name": "Trần Tuyết Minh", "title": "Phó Chủ tịch", "capacity": "KT."}
    assert bp.issued_date == "2021-04-13" and bp.number is None
    assert bp.recipients[0] == "Bộ LĐTBXH"
    kt = parsed("kon_tum").metadata
    assert kt.is_draft and kt.signer.capacity == "TM." and kt.signer.title == "Chủ tịch" and kt.signer.name is None
    assert kt.issuer == "Ủy ban nhân dân thành phố Kon Tum"
    assert "UBND các xã, phường (T/h)" in kt.recipients
    bd = parsed("binh_dinh").metadata
    assert bd.parent_document == "1731/QĐ-UBND" and bd.number is None
    assert bd.issuer == "Ủy ban nhân dân tỉnh Bình Định"
    assert not bd.is_draft


def test_cli_parse_prints_json(tmp_path):
    r = run_cli("parse", CORPUS / SEEDS["binh_phuoc"])
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["metadata"]["place"] == "Bình Phước"
    out = tmp_path / "o.json"
    r = run_cli("parse", CORPUS / SEEDS["binh_phuoc"], "-o", out, "--text")
    assert r.returncode == 0 and json.loads(out.read_text(encoding="utf-8"))["text"]


def _file(name, data):
    def make(d):
        p = d / name
        p.write_bytes(data)
        return p

    return make


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (_file("empty.txt", b""), "empty file"),
        (_file("blank.txt", b" \n\n \t\n"), "no text"),
        (_file("bin.txt", bytes(range(256)) * 40), "binary"),
        (_file("plan.xyz", "KẾ HOẠCH".encode()), "unsupported file type"),
    ],
)
def test_cli_errors_name_the_file_and_exit_2(tmp_path, make, reason):
    path = make(tmp_path)
    r = run_cli("parse", path)
    assert r.returncode == 2
    assert str(path) in r.stderr and reason in r.stderr
    assert "Traceback" not in r.stderr


def test_size_limit_is_configurable(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("I. MỤC TIÊU\n" + "Nội dung kế hoạch. " * 200, encoding="utf-8")
    r = run_cli("parse", p, "--max-bytes", "1000")
    assert r.returncode == 2 and "above the limit" in r.stderr
    with pytest.raises(planparse.InputError):
        planparse.parse(p, max_bytes=1000)


def test_utf16_and_bom_inputs(tmp_path):
    text = (CORPUS / SEEDS["dong_nai"]).read_text(encoding="utf-8")
    ref = planparse.parse_text(text)
    for enc, data in [("utf-16", text.encode("utf-16")), ("utf-8-sig", text.encode("utf-8-sig")), ("utf-16-le", text.encode("utf-16-le"))]:
        p = tmp_path / f"{enc}.txt"
        p.write_bytes(data)
        doc = planparse.parse(p)
        assert doc.text == ref.text, enc


def test_metadata_from_table_cells_and_appendix_reference():
    sl = parsed("son-la_2023_bao-ve-bi-mat-nha-nuoc.md").metadata
    assert sl.issuer == "Ủy ban nhân dân tỉnh Sơn La"
    assert (sl.number, sl.issued_date, sl.place) == ("254/QĐ-UBND", "2023-02-17", "Sơn La")
    assert sl.signer.name == "Hoàng Quốc Khánh" and sl.signer.title == "Chủ tịch"
    assert sl.recipients[0] == "Bộ Công an (Cục A03 - để b/c)" and sl.recipients[-1] == "Lưu: VT, NC, ĐH30b"
    assert (sl.period.start_year, sl.period.end_year) == (2023, 2023)
    rt = parsed("chinh-phu_2025_rac-thai-moi-truong.md").metadata
    assert rt.number == "394/NQ-CP" and rt.issued_date == "2025-12-03" and rt.issuer == "Chính phủ"


def test_time_limit_gives_a_clear_error(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("I. MỤC TIÊU\n" + "- Đạt 90% trẻ em có hoàn cảnh đặc biệt được trợ giúp đến năm 2025.\n" * 20000, encoding="utf-8")
    with pytest.raises(planparse.ParseTimeout) as err:
        planparse.parse(p, time_limit=0.05)
    assert str(p) in str(err.value) and "limit" in str(err.value)
    r = run_cli("parse", p, "--time-limit", "0.05")
    assert r.returncode == 2 and "longer than the limit" in r.stderr
