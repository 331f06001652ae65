"""planparse.nlp: sentences and words with offsets into the text as given (extra ``planparse[nlp]``).

underthesea tests skip when it is not installed, pyvi tests when pyvi is not (it comes with the
``spacy`` extra); ``PLANPARSE_REQUIRE_EXTRAS`` naming ``nlp`` / ``spacy`` turns the skips into
failures.
"""

import importlib
import os
import subprocess
import sys
import unicodedata

import pytest
import regex

from conftest import CORPUS, ROOT, SEEDS
from planparse.textkey import fold

_EXTRA = {"underthesea": "nlp", "pyvi": "spacy"}


def _require(module):
    if _EXTRA[module] in os.environ.get("PLANPARSE_REQUIRE_EXTRAS", "").replace(",", " ").split():
        return importlib.import_module(module)
    return pytest.importorskip(module)


@pytest.fixture(params=["underthesea", "pyvi"])
def backend(request):
    _require(request.param)
    return request.param


def _text(name):
    return (CORPUS / SEEDS.get(name, name)).read_text(encoding="utf-8")


def _nfc(s):
    return unicodedata.normalize("NFC", s)


def test_core_import_does_not_load_nlp():
    code = "import sys, planparse; planparse.parse_text('KẾ HOẠCH\\n1. Đạt 90% trẻ em.'); " "print(sorted(m for m in ('underthesea', 'pyvi', 'planparse.nlp', 'spacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_words_keep_multi_syllable_words_together(backend):
    from planparse import nlp

    text = "Phấn đấu đến năm 2020: 90% trẻ em có hoàn cảnh đặc biệt được quản lý, theo dõi."
    got = [text[a:b] for a, b in nlp.words(text, backend)]
    assert "trẻ em" in got and "hoàn cảnh" in got and "quản lý" in got
    assert "90" in got and "%" in got


@pytest.mark.parametrize("name", ["kon_tum", "bo-tai-chinh_2022_ke-hoach-cai-cach-thue.txt"])
def test_word_offsets_cover_every_letter_of_real_text(backend, name):
    """Kon Tum city is NFD with U+FFFD garbage; the Bộ Tài chính file has mojibake ("sốÄfQÐ-BTC")."""
    from planparse import nlp

    text = _text(name)
    spans = nlp.words(text, backend)
    assert all(a < b for a, b in spans)
    assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:]))  # ordered, no overlap
    assert all(not text[a].isspace() and not text[b - 1].isspace() for a, b in spans)
    covered = bytearray(len(text))
    for a, b in spans:
        covered[a:b] = b"\x01" * (b - a)
    lost = [i for i, ch in enumerate(text) if regex.match(r"[\p{L}\p{N}]", ch) and not covered[i]]
    assert lost == []
    # a word never ends inside a decomposed letter: its combining marks come with it
    assert all(b == len(text) or not unicodedata.combining(text[b]) for _, b in spans)


def test_offsets_point_into_nfd_text():
    _require("underthesea")
    from planparse import nlp

    text = unicodedata.normalize("NFD", "Ủy ban nhân dân thành phố chủ trì, phối hợp với các phòng.")
    words = [_nfc(text[a:b]) for a, b in nlp.words(text)]
    assert "chủ trì" in words and "phối hợp" in words and "thành phố" in words


def test_rewritten_tokens_map_back_to_the_original_spelling():
    """underthesea returns "Hòa"/"Ủy" for "Hoà"/"Uỷ"; the offsets still select the text as written."""
    _require("underthesea")
    from underthesea import word_tokenize

    from planparse import nlp

    text = "Thuỷ lợi và hoà bình là việc của Uỷ ban."
    assert "thủy lợi" in [w.lower() for w in word_tokenize(text)]  # the rewrite this module undoes
    words = [text[a:b] for a, b in nlp.words(text)]
    assert "Thuỷ lợi" in words
    assert "".join(words).replace(" ", "") == text.replace(" ", "")


def test_sentences_split_long_lines_but_not_abbreviations():
    _require("underthesea")
    from planparse import nlp

    text = (
        "1. Mục tiêu\n"
        "Phấn đấu đến năm 2020 có 90% trẻ em được quản lý. Tổ chức 05 lớp tập huấn cho cán bộ tại "
        "TP. Hồ Chí Minh và các tỉnh. Kinh phí do ngân sách nhà nước bảo đảm.\n"
    )
    got = [text[a:b] for a, b in nlp.sentences(text)]
    assert got == [
        "1. Mục tiêu",
        "Phấn đấu đến năm 2020 có 90% trẻ em được quản lý.",
        "Tổ chức 05 lớp tập huấn cho cán bộ tại TP. Hồ Chí Minh và các tỉnh.",
        "Kinh phí do ngân sách nhà nước bảo đảm.",
    ]


def test_sentences_of_a_plan_stay_inside_lines():
    _require("underthesea")
    from planparse import nlp

    text = _text("dong_nai")
    spans = nlp.sentences(text)
    assert len(spans) > len([line for line in text.splitlines() if line.strip()])  # long lines were split
    assert all("\n" not in text[a:b] for a, b in spans)


def test_word_tokens_have_the_search_token_shape(backend):
    from planparse import nlp

    text = _text("dong_nai")
    toks = nlp.word_tokens(text, backend)
    folded = [t[3] for t in toks]
    assert "tre_em" in folded and "tro_giup" in folded
    for start, end, exact, folded_form in toks:
        assert regex.fullmatch(r"[\p{L}\p{M}\p{N}]+(?:_[\p{L}\p{M}\p{N}]+)*", exact)
        assert folded_form == fold("_".join(regex.findall(r"[\p{L}\p{M}\p{N}]+", text[start:end])))


def test_unknown_or_missing_backend(monkeypatch):
    from planparse import nlp

    with pytest.raises(ValueError, match="unknown NLP backend"):
        nlp.words("trẻ em", backend="vncorenlp")
    nlp._load.cache_clear()
    monkeypatch.setitem(sys.modules, "pyvi", None)  # import pyvi now raises ImportError
    try:
        assert not nlp.available("pyvi")
        with pytest.raises(nlp.NLPUnavailable, match=r"pip install 'planparse\[spacy\]'"):
            nlp.words("trẻ em", backend="pyvi")
    finally:
        nlp._load.cache_clear()
