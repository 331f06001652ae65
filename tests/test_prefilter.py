"""The speed devices give exactly what the plain code gives.

``planparse.prefilter`` tries vocabulary patterns only where their first word is written;
these tests run each prefiltered pattern both ways over the corpus (normalised, as the
extractors see it), over the corpus in upper and lower case, and over random text made of the
vocabularies, and compare every match. They also pin down the assumptions the devices rest on
(which characters ``regex`` treats as white space or as case variants of a Vietnamese letter)
for the installed ``regex`` and Python, and check the rewritten helpers (``textkey``, the
special-character scan of ``normalise``, the clause boundaries of ``targets``, the link walk)
against the plain versions they replace, kept here.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
import regex

from planparse import prefilter, textkey
from planparse.extract import agencies, budgets, references, targets
from planparse.normalise import _Emitter, normalise

CORPUS = sorted(p for p in (Path(__file__).parents[1] / "corpora").glob("*.*") if p.suffix in (".txt", ".md") and not p.name[0].isupper())
VIET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyzàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"


def _texts() -> list[str]:
    out = []
    for p in CORPUS:
        t = normalise(p.read_text(encoding="utf-8")).text
        out += [t, t.upper(), t.lower()]
    return out


def _vocabulary_soup(seed: int, words: list[str], n: int = 600) -> str:
    rnd = random.Random(seed)
    cases = [str, str.lower, str.upper, str.title]
    seps = [" ", " ", "  ", ", ", " - ", "\n", ". ", " và ", "\t", "(", ") ", "1", " 12/QĐ-UBND "]
    return "".join(rnd.choice(cases)(rnd.choice(words)) + rnd.choice(seps) for _ in range(n))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def _spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in matches]


def test_agency_heads_and_cues_match_as_a_full_scan(texts):
    v = agencies._vocab()
    words = [f for h in agencies.vocab.load("agencies.json")["heads"] for f in h["forms"]] + ["của", "và", "các"]
    soups = [agencies._view(_vocabulary_soup(s, words)) for s in range(5)]
    for text in texts[:6] + soups:
        view = text if text in soups else agencies._view(text)
        starts, _ = agencies._head_candidates(view)
        assert _spans(prefilter.finditer(v.head_re, view, starts)) == _spans(v.head_re.finditer(view))
        cue_starts = v.cue_starts.positions(view)
        for kind, cue_re in v.cue_res.items():
            assert _spans(prefilter.finditer(cue_re, view, cue_starts[kind])) == _spans(cue_re.finditer(view))


def _plain_scan(text, view, start, end, city_level):
    """agencies._scan before the prefilter: head_re.finditer over the whole range."""
    v = agencies._vocab()
    out, last = [], start
    for hm in v.head_re.finditer(view, start, end):
        if hm.start() < last:
            continue
        line_end = view.find("\n", hm.start(), end)
        m = agencies._match_at(text, view, hm.start(), end if line_end < 0 else line_end, city_level)
        if m is not None:
            out.append(m)
            last = m.end
    return out


def test_agency_scan_finds_the_names_a_full_scan_finds(texts):
    words = [f for h in agencies.vocab.load("agencies.json")["heads"] for f in h["forms"]]
    words += [f for t in agencies.vocab.load("agencies.json")["tails"] for f in t] + ["tỉnh", "thành phố", "huyện", "các", "và"]
    soups = [_vocabulary_soup(100 + s, words) for s in range(6)]
    for text in texts[:9] + soups:
        view = agencies._view(text)
        rnd = random.Random(len(text))
        ranges = [(0, len(text))] + [tuple(sorted(rnd.sample(range(len(text) + 1), 2))) for _ in range(5)]
        for a, b in ranges:
            got = agencies._scan(text, view, a, b, "district")
            assert got == _plain_scan(text, view, a, b, "district")
    assert any(agencies._scan(t, agencies._view(t), 0, len(t), "district") for t in soups)


def test_reference_patterns_match_as_a_full_scan(texts):
    v = references._vocab()
    words = [s for t in v.types for s in t["surface"] + t["abbr"]] + ["số", "ngày", "nêu trên", "Đại hội", "lần thứ"]
    for text in texts + [_vocabulary_soup(200 + s, words) for s in range(5)]:
        for name, group in (("numbered", "types"), ("missing", "types"), ("anaphora", "types"), ("short", "short"), ("law", "law"), ("congress", "congress")):
            pattern = references._patterns()[name]
            assert _spans(references._finditer(name, group, text)) == _spans(pattern.finditer(text)), name


def test_budget_patterns_match_as_a_full_scan(texts):
    v = budgets._vocab()
    words = [f for s in budgets.load("funding_sources.json")["sources"] for f in s["forms"]]
    words += [f for u in budgets.load("funding_sources.json")["units"] for f in u["forms"]] + ["15", "2,5", "1.500", "đ"]
    for text in texts + [_vocabulary_soup(300 + s, words) for s in range(5)]:
        assert _spans(prefilter.finditer(v.source, text, budgets._source_starts(text))) == _spans(v.source.finditer(text))
        assert _spans(prefilter.finditer(v.unit, text, budgets._unit_starts(text))) == _spans(v.unit.finditer(text))


def test_target_word_patterns_match_as_a_full_scan(texts):
    v = targets._vocab()
    tv = targets.vocab.load("targets_vocab.json")
    words = list(tv["number_words"]["after_comparators"]) + list(tv["deadline"]["by"]) + list(tv["deadline"]["before_date"])
    words += ["năm 2025", "quý IV", "một", "mô hình", "ngày 15/12/2020", "2020"]
    pairs = [("word_number", v.word_number_expr), ("dl_date", v.dl_date), ("dl_by", v.dl_by), ("dl_from", v.dl_from), ("dl_quarter", v.dl_quarter)]
    for text in texts + [_vocabulary_soup(400 + s, words) for s in range(5)]:
        view = prefilter.lower_view(text)
        rnd = random.Random(len(text))
        for group, pattern in pairs:
            ws = v.starts[group]
            assert _spans(prefilter.finditer(pattern, text, ws.positions(view))) == _spans(pattern.finditer(text)), group
            for _ in range(20):
                a = rnd.randrange(len(text) + 1)
                b = min(len(text), a + rnd.randrange(400))
                got = _spans(prefilter.finditer_among(pattern, text, ws.scan(view, a, b), a, b))
                assert got == _spans(pattern.finditer(text, a, b)), group


def test_slice_search_equals_search_on_the_slice(texts):
    v = targets._vocab()
    cases = [("direction", v.direction), ("before", v.subject_before), ("blocked", v.blocked_before)]
    for text in texts[:6]:
        view = prefilter.lower_view(text)
        rnd = random.Random(len(text))
        for _ in range(300):
            a = rnd.randrange(len(text) + 1)
            b = min(len(text), a + rnd.randrange(1, 400))
            for group, pattern in cases:
                want = [(a + m.start(), m.group()) for m in pattern.finditer(text[a:b])]
                got = [(off, m.group()) for off, m in prefilter.finditer_slice(pattern, text, (v.starts[group], view), a, b)]
                assert got == want, (group, a, b)
            # subject_stop: its word alternative by the prefilter, the others by their own search
            m = v.subject_stop.search(text[a:b])
            other = v.subject_stop_other.search(text[a:b])
            first = next(prefilter.finditer_slice(v.subject_stop, text, (v.starts["stop"], view), a, b), None)
            cut = min(other.start() if other else b - a, first[0] - a if first else b - a)
            assert cut == (m.start() if m else b - a), (a, b)


def test_word_starts_refuse_words_the_look_behind_would_not_guard():
    with pytest.raises(ValueError):
        prefilter.WordStarts(["sở", "a-b"], inner=r"\p{L}")


def test_regex_white_space_is_the_set_prefilter_assumes():
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert set(regex.findall(r"\s", every)) == set(prefilter.REGEX_SPACES)


def test_case_variants_fold_to_the_lower_case_literal():
    """Every character ``regex`` matches ignoring case to a Vietnamese letter becomes that
    letter (lower-cased) in ``lower_view``; the words of the prefilters are such letters."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    letters = set(VIET + VIET.upper())
    for p in sorted(letters):
        for c in regex.findall("(?i)" + regex.escape(p), every):
            assert prefilter.fold_literal(c) == prefilter.fold_literal(p), (p, c)
    firsts = set()
    for ws in list(targets._vocab().starts.values()) + [references._pattern_starts()._all, budgets._vocab().source_starts]:
        firsts |= {ch for w in ws.words for ch in w}
    assert firsts <= letters | set("0123456789")


def _plain_key(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    s = textkey._MOVE_TONE.sub(r"\1\3\2", s)
    s = unicodedata.normalize("NFC", s).casefold()
    s = textkey._DASHES.sub("-", s)
    return regex.sub(r"\s+", " ", s).strip()


def _plain_fold(text: str) -> str:
    s = unicodedata.normalize("NFD", _plain_key(text))
    return "".join(ch for ch in s if not unicodedata.combining(ch)).replace("đ", "d")


def test_textkey_equals_the_plain_definition(texts):
    rnd = random.Random(7)
    alphabet = VIET + VIET.upper() + " \t\n\u00a0\u2013\u2212-.,QqUuOo\u0300\u0301\u0303\u0309\u0323\u0302ßſİ\u212a\x1c\x85\u2028\u3000가ǅﬁ\u0344"
    samples = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(20000)]
    samples += [line for t in texts[:3] for line in t.split("\n")[:300]] + [texts[0]]
    for s in samples:
        assert textkey.key(s) == _plain_key(s), repr(s)
        assert textkey.fold(s) == _plain_fold(s), repr(s)


def test_special_character_scan_equals_finditer():
    rnd = random.Random(5)
    alphabet = list("ab kmhĐđ*_\\[]()12.,;:\"' \t\u00a0\u200b\ufeff\u00ad\ufffd\u2010\u2013\u2212\u201c\u201d\u2018#|-⁰¹²³") + ["\u0300", "\u0301", "\u0323"] * 3
    for markdown in (False, True):
        for _ in range(20000):
            s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25)))
            em = _Emitter(s, None, [], markdown=markdown)
            a = rnd.randint(0, len(s))
            b = rnd.randint(a, len(s))
            assert _spans(em._specials(a, b)) == _spans(em.special.finditer(s, a, b)), (markdown, s, a, b)


def test_clause_and_sentence_boundaries_equal_the_patterns(texts):
    rnd = random.Random(9)
    alphabet = list("ab A.;!?\n\n \t\x0b\x0c\r\x1c\x85\u2028\u3000\u00a0-+•*|(\\#1")
    samples = texts[:6] + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20))) for _ in range(20000)]
    for t in samples:
        clause, sentence = targets._boundary_starts(t)
        assert clause == targets._Bounds(t, targets._CLAUSE_BOUNDARY).starts
        assert sentence == targets._Bounds(t, targets._SENTENCE_BOUNDARY).starts


def test_link_walk_visits_every_span(texts):
    from pydantic import BaseModel

    import planparse
    from planparse.link import _walk_spans
    from planparse.models import Span

    def plain(obj, out):
        if isinstance(obj, Span):
            out.append(id(obj))
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                plain(getattr(obj, name), out)
        elif isinstance(obj, list):
            for item in obj:
                plain(item, out)

    total = 0
    for p in CORPUS[:5]:
        doc = planparse.parse(p)
        roots = [doc.sections, doc.targets, doc.legal_references, doc.agencies, doc.budgets, doc.footnotes]
        want: list[int] = []
        plain(roots, want)
        got: list[int] = []
        _walk_spans(roots, lambda s: got.append(id(s)))
        assert got == want
        total += len(got)
    assert total > 1000


def test_boundary_patterns_equal_their_plain_forms(texts):
    """The clause/sentence patterns rewritten to open with one character class (and run by the
    stdlib re where they hold only literal classes) match what the plain alternations match."""
    import re as sre

    from planparse.extract import agencies as ag
    from planparse.extract import references as refs

    pairs = [
        (r"[;:\n]|\.(?=[ \n]|$)", ag._CLAUSE_START),
        (r"[\n(]|\.(?=[ \n]|$)", ag._SENTENCE_START),
        (r"[;:\n]|\.(?=[ \n]|$)", ag._CLAUSE_END),
        (r"\n|\.(?=[ \n]|$)", ag._SENTENCE_END),
        (r"\.[ \t]+(?=\p{Lu})|\.\n|\n[ \t]*\n", refs._SENTENCE_BREAK),
    ]
    rnd = random.Random(11)
    alphabet = list("ab.;:\n( \tA\u0110\r\u2028")
    samples = [(t, 0, len(t)) for t in texts[:6]]
    for _ in range(30000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        e = rnd.randint(0, len(s))
        samples.append((s, rnd.randint(0, e), e))
    for plain, fast in pairs:
        want = regex.compile(plain)
        assert isinstance(fast, (regex.Pattern, sre.Pattern))
        for s, a, b in samples:
            assert _spans(fast.finditer(s, a, b)) == _spans(want.finditer(s, a, b)), (plain, s, a, b)
