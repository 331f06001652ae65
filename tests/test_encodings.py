"""Legacy Vietnamese encodings (.txt): TCVN3, VNI, VISCII, Windows-1258, and UTF-8 mojibake.

Fixtures are built here from the UTF-8 seeds: TCVN3, VISCII and Windows-1258 bytes come from
glibc's iconv (an implementation independent of planparse's tables) when it is installed, else
from ``encodings.encode``; VNI has no iconv table, so its bytes come from the data table and
are checked against VNI spellings known by heart ("Vieät Nam").
"""

import json
import shutil
import subprocess
import sys
import unicodedata

import pytest

import planparse
from conftest import CORPUS, ROOT, SEEDS
from planparse.errors import DecodeError
from planparse.ingest import decode_text
from planparse.ingest import encodings as E

ICONV = {"tcvn3": "TCVN5712-1", "viscii": "VISCII", "cp1258": "CP1258"}
# the legacy encodings have no curly quotes, dashes, ellipsis or superscript digits: the seeds are
# made encodable first, and that prepared UTF-8 text is the reference both sides are compared to
_PREP = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "\ufffd": "?", "\xa0": " ", **dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))}
)


def prepared(name: str) -> str:
    return unicodedata.normalize("NFC", (CORPUS / SEEDS[name]).read_text(encoding="utf-8")).translate(_PREP)


def legacy_bytes(text: str, enc: str) -> bytes:
    """Encode with iconv (independent tables) when available, else with planparse's encoder."""
    if enc in ICONV and shutil.which("iconv"):
        r = subprocess.run(["iconv", "-f", "UTF-8", "-t", ICONV[enc]], input=text.encode(), capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout
    return E.encode(text, enc)


def outline(doc):
    return [(s.id, s.kind, s.label) for s in doc.iter_sections()]


_REF_CACHE = {}


def reference(name):
    if name not in _REF_CACHE:
        _REF_CACHE[name] = planparse.parse_text(prepared(name))
    return _REF_CACHE[name]


@pytest.mark.parametrize("enc", ["tcvn3", "vni", "viscii", "cp1258"])
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_legacy_seed_round_trips_and_parses_the_same(tmp_path, seed, enc):
    text = prepared(seed)
    data = legacy_bytes(text, enc)
    assert data != text.encode("utf-8")
    decoded, detected, conf, warnings = decode_text(data, "x.txt")
    assert detected == enc
    assert conf >= 0.9
    assert decoded == text  # same NFC text as the UTF-8 original
    assert unicodedata.is_normalized("NFC", decoded)
    assert [w.code for w in warnings] == ["encoding_guess"]
    path = tmp_path / f"{seed}.{enc}.txt"
    path.write_bytes(data)
    doc = planparse.parse(path)
    assert doc.source.encoding == enc and doc.source.encoding_confidence == conf
    ref = reference(seed)
    assert outline(doc) == outline(ref)
    assert [r.full_number for r in doc.legal_references] == [r.full_number for r in ref.legal_references]


def test_own_encoder_matches_iconv():
    if not shutil.which("iconv"):
        pytest.skip("iconv not installed")
    text = prepared("vinh_phuc")
    for enc in ICONV:
        assert E.decode(legacy_bytes(text, enc), enc) == E.decode(E.encode(text, enc), enc) == text


def test_known_spellings():
    # how these encodings look when their bytes are shown with a Latin font
    assert E.encode("Việt Nam", "vni").decode("cp1252") == "Vieät Nam"
    assert E.encode("Kế hoạch", "vni").decode("cp1252") == "Keá hoaïch"
    assert E.encode("Kế hoạch", "tcvn3").decode("cp1252") == "KÕ ho¹ch"
    assert E.decode(b"K\xd5 ho\xb9ch", "tcvn3") == "Kế hoạch"
    assert E.decode("Thöïc hieän cuûa caùc sôû, ngaønh; ÑAÏI HOÄI".encode("cp1252"), "vni") == "Thực hiện của các sở, ngành; ĐẠI HỘI"
    # Windows-1258 spells tones as combining marks; the decoder composes them (NFC)
    assert "Kê\u0301".encode("cp1258") == E.encode("Kế", "cp1258")
    assert E.decode(E.encode("Kế hoạch", "cp1258"), "cp1258") == "Kế hoạch"


def test_tables_cover_every_vietnamese_letter():
    letters = {
        unicodedata.normalize("NFC", c + t)
        for v in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for c in [v]
        for t in ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
    } | {"đ", "Đ"}
    for enc in ["tcvn3", "vni", "viscii", "cp1258"]:
        for ch in letters:
            assert E.decode(E.encode(ch, enc), enc) == ch, (enc, ch)


def test_data_files_say_where_the_tables_come_from():
    from planparse.vocab import load

    for name in ["tcvn3", "vni", "viscii", "vietnamese"]:
        doc = load(f"encodings/{name}.json")["_doc"]
        assert len(doc) > 80
    assert "TCVN5712-1" in load("encodings/tcvn3.json")["_doc"]
    assert "RFC 1456" in load("encodings/viscii.json")["_doc"]


def test_syllable_check():
    for good in ["của", "Nghiêng", "quyết", "ĐỒNG", "trẻ", "khuyến", "giữ", "người"]:
        assert E.is_syllable(good), good
    for bad in ["ho¹ch", "keá", "vieät", "thø", "cña", "ngµnh", "Th­¬ng"]:
        assert not E.is_syllable(bad), bad


@pytest.mark.parametrize("enc", ["tcvn3", "vni"])
def test_utf8_mojibake_is_repaired_with_a_warning(tmp_path, enc):
    text = prepared("dong_nai")
    shown = E.encode(text, enc).decode("latin-1").translate(E._LATIN1_TO_CP1252)  # what a Latin font shows
    assert shown != text
    data = shown.encode("utf-8")
    decoded, detected, conf, warnings = decode_text(data)
    assert decoded == text
    assert detected == f"utf-8+{enc}" and conf >= 0.9
    assert warnings[0].code == "encoding_repaired" and "mojibake" in warnings[0].message
    # the user can keep the text as it is, or name the repair explicitly
    assert decode_text(data, encoding="utf-8")[0] == shown
    assert decode_text(data, encoding=f"utf-8+{enc}")[0] == text


def test_mixed_file_keeps_its_unicode_lines():
    uni = "KẾ HOẠCH thực hiện của Ủy ban nhân dân"
    body = "Các sở, ngành được giao chủ trì thực hiện nhiệm vụ trong năm 2024; báo cáo kết quả về Sở Lao động."
    shown = E.encode(body, "tcvn3").decode("latin-1").translate(E._LATIN1_TO_CP1252)
    data = (uni + "\n" + "\n".join([shown] * 5)).encode("utf-8")
    decoded, detected, _, _ = decode_text(data)
    assert detected == "utf-8+tcvn3"
    assert decoded.split("\n") == [uni] + [body] * 5


def test_real_utf8_is_left_alone():
    for seed in SEEDS.values():
        data = (CORPUS / seed).read_bytes()
        text, enc, conf, warnings = decode_text(data)
        assert (enc, conf, warnings) == ("utf-8", 1.0, [])
        assert text == data.decode("utf-8")


def test_non_vietnamese_latin1_falls_back_to_cp1258_with_low_confidence():
    data = ("Le café de la rue est fermé. Le garçon a mangé une crème brûlée à côté de l'hôtel. " * 20).encode("latin-1")
    text, enc, conf, warnings = decode_text(data)
    assert enc == "cp1258" and conf <= 0.5
    assert warnings and warnings[0].code == "encoding_guess"
    assert "café" in text


def test_explicit_encoding_names_and_aliases():
    text = "Kế hoạch thực hiện của các Sở"
    for enc, names in {
        "tcvn3": ["tcvn3", "TCVN3", "abc", ".VnTime", "tcvn"],
        "vni": ["vni", "VNI-Windows", "vni-win"],
        "viscii": ["viscii", "VISCII"],
        "cp1258": ["cp1258", "windows-1258", "Windows_1258"],
    }.items():
        data = E.encode(text, enc)
        for name in names:
            assert decode_text(data, encoding=name) == (text, enc, 1.0, []), name
    assert decode_text(text.encode("utf-16"), encoding="utf-16")[0] == text
    with pytest.raises(DecodeError, match="unknown encoding 'klingon'"):
        decode_text(b"abc", "x.txt", encoding="klingon")
    with pytest.raises(DecodeError, match="cannot decode as utf-8"):
        decode_text(b"\xff\xfe\xfa", "x.txt", encoding="utf-8")


def test_cli_encoding_override(tmp_path):
    text = prepared("kon_tum")
    path = tmp_path / "plan.txt"
    path.write_bytes(E.encode(text, "vni"))
    r = subprocess.run(
        [sys.executable, "-m", "planparse", "parse", str(path), "--encoding", "vni"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["source"]["encoding"] == "vni" and data["source"]["encoding_confidence"] == 1.0
    assert data["metadata"]["issuer"] == "Ủy ban nhân dân thành phố Kon Tum"
    # detected without the option, with a warning that says so
    r = subprocess.run([sys.executable, "-m", "planparse", "parse", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    data = json.loads(r.stdout)
    assert data["source"]["encoding"] == "vni"
    assert any(w["code"] == "encoding_guess" and "VNI" in w["message"] for w in data["warnings"])


def test_binary_bytes_are_still_refused(tmp_path):
    with pytest.raises(DecodeError, match="binary"):
        decode_text(bytes(range(1, 256)) * 50, "x.txt")
