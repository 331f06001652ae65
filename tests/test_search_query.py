"""planparse.search.query: the query language, its compilation (run on a real FTS5 table), highlights."""

from __future__ import annotations

import sqlite3

import pytest

from planparse.search.query import QueryError, highlights, index_forms, mark, parse_query, tokens


def test_tokens_fold_accents_d_and_tone_placement():
    exact, folded = index_forms("Trẻ em có hoàn cảnh ĐẶC BIỆT, hoà nhập")
    assert folded == "tre em co hoan canh dac biet hoa nhap"
    assert exact == "trẻ em có hoàn cảnh đặc biệt hòa nhập"  # hoà → hòa: one tone placement
    assert index_forms("Đồng Nai")[1] == "dong nai"  # đ is not a diacritic in Unicode: folded here
    assert [t[3] for t in tokens("90% trở lên; KT-XH")] == ["90", "tro", "len", "kt", "xh"]


def test_words_phrases_or_not_prefix():
    q = parse_query('"trẻ em" hộ nghèo OR cận -khuyết NOT tật chuyển*')
    assert q.has_accents
    assert q.fts5() == ('folded : ((("tre em") AND ("ho") AND ("ngheo")) OR '
                        '(((("can") AND ("chuyen" *)) NOT ("khuyet")) NOT ("tat")))')
    assert q.tsquery() == ("((('tre' <-> 'em')) & ('ho') & ('ngheo')) | "
                           "(((('can') & ('chuyen':*)) & !('khuyet')) & !('tat'))")
    assert not parse_query("tre em").has_accents
    assert parse_query("").root is None and parse_query("  * ").root is None


@pytest.mark.parametrize("text, message", [
    ('"tre em', "unbalanced quote"),
    ("tre OR", "OR needs a word on both sides"),
    ("OR tre", "OR needs a word on both sides"),
    ("-tre", "only excludes words"),
    ("tre NOT", "needs a word after it"),
    ("(tre em", r"missing \)"),
    ("tre em)", "unexpected closing parenthesis"),
    ("()", "empty group"),
    ('""', "empty phrase"),
    ("x" * 1001, "query too long"),
    (" ".join(["a"] * 65), "at most 64"),
])
def test_malformed_queries_say_what_is_wrong(text, message):
    with pytest.raises(QueryError, match=message):
        parse_query(text)


@pytest.fixture
def fts():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(exact, folded, tokenize = 'unicode61 remove_diacritics 0')")
    rows = ["100% trẻ em có hoàn cảnh đặc biệt được trợ giúp", "tre em vung sau duoc ho tro", "trẻ em khuyết tật hòa nhập",
            "người cao tuổi được chăm sóc", "Đồng Nai: 90% xã đạt chuẩn"]
    for i, r in enumerate(rows, 1):
        con.execute("INSERT INTO f(rowid, exact, folded) VALUES (?, ?, ?)", (i, *index_forms(r)))
    return con


def hits(con, text, exact=False):
    return sorted(r[0] for r in con.execute("SELECT rowid FROM f WHERE f MATCH ?", (parse_query(text).fts5(exact),)))


def test_compiled_queries_run_on_fts5(fts):
    assert hits(fts, "tre em") == [1, 2, 3]
    assert hits(fts, "trẻ em") == [1, 2, 3]            # matched without accents …
    assert hits(fts, "trẻ em", exact=True) == [1, 3]    # … and the accented ones are the exact hits
    assert hits(fts, '"em co hoan"') == [1]
    assert hits(fts, '"co em"') == []                    # a phrase keeps its order
    assert hits(fts, "tre -khuyet") == [1, 2]
    assert hits(fts, "cao OR khuyet") == [3, 4]
    assert hits(fts, "hoà nhập", exact=True) == [3]      # hoà = hòa
    assert hits(fts, "dong nai") == [5] and hits(fts, "Đồng", exact=True) == [5]
    assert hits(fts, "chăm*") == [4] and hits(fts, "cha*") == [4]
    # FTS5's own syntax typed by a user is only words here
    for text in ["NEAR(tre em)", "folded:tre", "tre^", "{exact}: tre", "'; DROP TABLE f; --", "tre AND AND", "a:*", "tre -- em"]:
        try:
            hits(fts, text)
        except QueryError:
            pass
    assert fts.execute("SELECT COUNT(*) FROM f").fetchone()[0] == 5


def test_highlights_cover_words_and_phrases():
    text = "100% trẻ em có hoàn cảnh đặc biệt, trẻ em khuyết tật"
    q = parse_query('"tre em co" đặc -khuyết')
    r = highlights(text, q)
    assert [text[s:e] for s, e in r] == ["trẻ em có", "đặc"]
    assert mark(text, r, "<", ">") == "100% <trẻ em có> hoàn cảnh <đặc> biệt, trẻ em khuyết tật"
    assert [text[s:e] for s, e in highlights(text, parse_query("tre em"))] == ["trẻ em", "trẻ em"]
    assert highlights(text, parse_query("")) == []
