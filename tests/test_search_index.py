"""planparse.search.Index on the corpus, on both backends: SQLite FTS5 (embedded) and a real
PostgreSQL server. Accent-insensitive, phrase, numeric-range, deadline, agency and place queries,
ranking, incremental indexing, passages, and bad input."""

from __future__ import annotations

import pytest

from search_fixture import corpus_docs, make_doc, new_index, pg_server  # noqa: F401 (fixture)

from planparse.search import Index, QueryError
from planparse.search.query import index_forms
from planparse.textkey import fold

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def idx(request, tmp_path_factory):
    """The whole corpus indexed once per backend."""
    with new_index(request.param, request, tmp_path_factory.mktemp("idx")) as index:
        for doc in corpus_docs():
            assert index.add(doc).status == "added"
        yield index


@pytest.fixture(params=BACKENDS)
def empty(request, tmp_path):
    with new_index(request.param, request, tmp_path) as index:
        yield index


def keys(hits):
    return {(h.document.id, h.target_id) for h in hits}


def everything(idx, **kw):
    return idx.search("", limit=1000, **kw)


def test_corpus_is_indexed(idx):
    st = idx.stats()
    assert st.documents == len(corpus_docs())
    assert st.targets == sum(len(d.targets) for d in corpus_docs()) > 300
    assert {c.name for c in st.doc_types} >= {"Kế hoạch", "Quyết định"}


# ---------------------------------------------------------------- words


def test_accent_insensitive(idx):
    typed = idx.search("trẻ em có hoàn cảnh đặc biệt", limit=1000)
    bare = idx.search("tre em co hoan canh dac biet", limit=1000)
    assert keys(typed) == keys(bare)
    assert len(keys(bare)) >= 5 and len({h.document.id for h in bare}) >= 3
    for h in bare:
        words = index_forms(h.text)[1].split()
        assert all(w in words for w in "tre em co hoan canh dac biet".split()), h.text
        assert h.highlights, h.text  # the matched words are marked


def test_d_is_folded_and_tone_placement_is_one(idx):
    assert keys(idx.search("đặc biệt", limit=1000)) == keys(idx.search("dac biet", limit=1000)) != set()
    hoa = idx.search("hoà nhập", limit=1000)  # the corpus writes "hòa nhập"
    assert hoa and keys(hoa) == keys(idx.search("hòa nhập", limit=1000))
    assert all(h.exact for h in hoa if "hòa nhập" in h.text.lower())


def test_phrase_is_stricter_than_words(idx):
    words = idx.search("trẻ em bị xâm hại", limit=1000)
    phrase = idx.search('"trẻ em bị xâm hại"', limit=1000)
    assert phrase and keys(phrase) < keys(words)
    for h in phrase:
        assert "tre em bi xam hai" in index_forms(h.text)[1]
    # exclusion and OR
    minus = idx.search("trẻ em -xâm", limit=1000)
    assert minus and all("xam" not in fold(h.text) for h in minus)
    either = keys(idx.search("dinh dưỡng OR dân số", limit=1000))
    assert either == keys(idx.search("dinh dưỡng", limit=1000)) | keys(idx.search("dân số", limit=1000))


def test_exact_matches_rank_first(empty):
    empty.add(make_doc("a.txt", [("100% tre em duoc tiem chung day du", 100, "%", 2025)]))
    empty.add(make_doc("b.txt", [("95% trẻ em được tiêm chủng đầy đủ", 95, "%", 2025)]))
    accented = empty.search("trẻ em tiêm chủng")
    assert [(h.document.id, h.exact) for h in accented] == [("b", True), ("a", False)]
    bare = empty.search("tre em tiem chung")
    assert [(h.document.id, h.exact) for h in bare] == [("a", True), ("b", False)]


# ---------------------------------------------------------------- structured filters


def test_numeric_range(idx):
    hits = everything(idx, min=90, max=100, unit="%")
    expected = {(h.document.id, h.target_id) for h in everything(idx)
                if h.unit == "%" and (h.value_max if h.value_max is not None else h.value) >= 90 and h.value <= 100}
    assert hits and keys(hits) == expected
    assert keys(everything(idx, min=1e12)) == set()


def test_deadline_and_by(idx):
    every = everything(idx)
    exactly = everything(idx, deadline=2025)
    assert exactly and keys(exactly) == {(h.document.id, h.target_id) for h in every if h.deadline_year == 2025}
    by = everything(idx, by=2020)
    assert by and keys(by) == {(h.document.id, h.target_id) for h in every if h.deadline_year is not None and h.deadline_year <= 2020}
    with pytest.raises(QueryError, match="either deadline"):
        idx.search("", deadline=2025, by=2025)


def test_agency_and_role(idx):
    every = everything(idx)
    lead = everything(idx, agency="lao dong thuong binh", role="lead")
    assert lead and keys(lead) == {(h.document.id, h.target_id) for h in every if any("lao dong - thuong binh" in fold(a) for a in h.lead)}
    coord = everything(idx, agency="Sở Tài chính", role="coordinate")
    assert coord and all(any("so tai chinh" in fold(a) for a in h.coordinating) for h in coord)
    assert keys(everything(idx, role="lead")) == {(h.document.id, h.target_id) for h in every if h.lead}
    assert everything(idx, agency="lao") == everything(idx, agency="lao dong") != []  # whole words, in order
    assert everything(idx, agency="dong lao") == [] and everything(idx, agency="la") == []
    with pytest.raises(QueryError, match="no words"):
        everything(idx, agency="%")


def test_province_as_issued_and_now(idx):
    def docs(name):
        return {h.document.id for h in everything(idx, province=name)}

    assert docs("Bình Định") == {"binh-dinh_2018_tro-giup-xa-hoi"} == docs("binh dinh")
    assert "binh-dinh_2018_tro-giup-xa-hoi" in docs("Gia Lai")  # merged into Gia Lai in 2025
    assert docs("Đồng Nai") == {"dong-nai_2018_tro-giup-xa-hoi", "binh-phuoc_2021_cong-tac-xa-hoi"}
    assert docs("Quảng Ngãi") == {"kon-tum-city_2018_tro-giup-xa-hoi"} == docs("Kon Tum")
    hit = everything(idx, province="Quảng Ngãi")[0]
    assert (hit.document.locality, hit.document.province, hit.document.province_now) == ("thành phố Kon Tum", "Kon Tum", "Quảng Ngãi")
    with pytest.raises(QueryError, match="unknown province"):
        idx.search("", province="Atlantis")


def test_doc_type_and_kind(idx):
    hits = everything(idx, doc_type="quyet dinh")
    assert hits and {h.document.doc_type for h in hits} == {"Quyết định"}
    both = everything(idx, doc_type=["Quyết định", "Kế hoạch"])
    assert keys(both) > keys(hits)
    assert all(h.kind == "statistic" for h in everything(idx, kind="statistic"))


def test_the_question_of_the_issue(idx):
    """Which plans commit to ≥ 90 % of trẻ em có hoàn cảnh đặc biệt by 2025, who leads, where is it written?"""
    hits = idx.search("trẻ em có hoàn cảnh đặc biệt", min=90, unit="%", by=2025, limit=100)
    assert len({h.document.id for h in hits}) >= 2
    docs = {d.source.path: d for d in corpus_docs()}
    for h in hits:
        assert h.value >= 90 and h.unit == "%" and h.deadline_year <= 2025
        assert h.section_path and h.section_id
        doc = docs[h.document.path]
        assert doc.text[h.span.start:h.span.end].replace(" ", "").startswith(str(int(h.value)))
        assert h.text_span and " ".join(doc.text[h.text_span.start:h.text_span.end].split()) == " ".join(h.text.split())
    assert any(h.lead for h in hits)


def test_sorting_and_paging(idx):
    by_value = idx.search("trẻ em", sort="value", limit=50)
    assert [h.value for h in by_value] == sorted((h.value for h in by_value), reverse=True)
    by_deadline = idx.search("", sort="deadline", limit=1000)
    years = [h.deadline_year for h in by_deadline]
    known = [y for y in years if y is not None]
    assert known == sorted(known) and years[: len(known)] == known  # unknown deadlines last
    page1, page2 = idx.search("trẻ em", limit=5), idx.search("trẻ em", limit=5, offset=5)
    assert [h.target_id for h in idx.search("trẻ em", limit=10)] == [h.target_id for h in page1 + page2]


# ---------------------------------------------------------------- documents and passages


def test_passage_opens_the_source_at_the_target(idx):
    h = idx.search('"trẻ em có hoàn cảnh đặc biệt"', min=90, limit=1)[0]
    p = idx.passage(h.document.id, h.section_id, h.target_id)
    assert p.section_id == h.section_id and p.highlight is not None
    assert " ".join(p.text[p.highlight.start:p.highlight.end].split()) == " ".join(h.text.split())
    assert p.text[p.value.start:p.value.end].replace(" ", "").startswith(str(int(h.value)))
    wider = idx.passage(h.document.id, h.section_id, h.target_id, context=1)
    assert wider.start <= p.start and wider.end >= p.end and wider.section_id == p.parent_id
    doc = idx.document(h.document.id)
    assert doc is not None and doc.text[p.start:p.end] == p.text
    assert idx.passage(h.document.id, "no_such_section") is None and idx.document("no-such-doc") is None


def test_incremental_add_replaces_changed_documents(empty):
    v1 = make_doc("plans/a.txt", [("100% xã có điểm tư vấn", 100, "%", 2025), ("50 cơ sở trợ giúp", 50, "cơ sở", 2025)])
    assert empty.add(v1).status == "added"
    assert empty.add(v1).status == "unchanged"
    v2 = make_doc("plans/a.txt", [("80% xã có điểm tư vấn", 80, "%", 2030)])
    r = empty.add(v2)
    assert (r.status, r.doc_id, r.targets) == ("updated", "a", 1)
    hits = empty.search("tư vấn")
    assert [(h.value, h.deadline_year) for h in hits] == [(80, 2030)]
    assert empty.search("cơ sở") == [] and empty.stats().targets == 1
    # another file with the same name elsewhere gets its own id
    assert empty.add(make_doc("other/a.txt", [("1 mô hình", 1, "mô hình", None)])).doc_id == "a-2"
    assert empty.remove("a") and not empty.remove("a") and empty.stats().documents == 1


def test_bad_input_is_refused_with_a_message(idx):
    for q in ['"trẻ em', "trẻ OR", "-trẻ", "(trẻ"]:
        with pytest.raises(QueryError):
            idx.search(q)
    for kw, msg in [({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"min": "abc"}, "min must be a number"),
                    ({"min": 5, "max": 1}, "larger than max"), ({"role": "boss"}, "role must be"),
                    ({"deadline": 99999}, "year between"), ({"sort": "random"}, "sort must be")]:
        with pytest.raises(QueryError, match=msg):
            idx.search("trẻ em", **kw)
    # SQL typed by a user is only text; the index is intact
    for q in ["'; DROP TABLE targets; --", "NEAR(trẻ em)", "folded : tre", "tre*em", "%", "a:*"]:
        try:
            idx.search(q)
        except QueryError:
            pass
    idx.search("x", unit="'; DROP TABLE documents; --", agency="' OR 1=1 --", doc_type=["') OR ('1'='1"])
    assert idx.stats().documents == len(corpus_docs())


def test_opening_something_that_is_not_an_index(tmp_path):
    from planparse.search import SearchError

    bad = tmp_path / "plan.txt"
    bad.write_text("KẾ HOẠCH\n", encoding="utf-8")
    with pytest.raises(SearchError, match="not an SQLite database"):
        Index(bad)
    with pytest.raises(SearchError, match="no such index"):
        Index(tmp_path / "missing.db", readonly=True)
    with pytest.raises(SearchError, match="folder"):
        Index(tmp_path)


def test_sqlite_rank_window_ranks_the_shortest_matches(tmp_path):
    """A broad query ranks, by BM25, the ``rank_window`` shortest matching targets (rowids order
    targets by length); a page larger than the window widens it; None ranks every match."""
    from planparse.search.sqlite import target_rowid

    assert target_rowid(3, 10**6) < target_rowid(4, 1) < target_rowid(4, 2)
    lines = [("trẻ em " + " ".join(["được hỗ trợ"] * n) + f" mục {n}", 100 - n, "%", 2025) for n in range(1, 31)]
    full, windowed = Index(tmp_path / "full.db", rank_window=None), Index(tmp_path / "win.db", rank_window=5)
    for idx in (full, windowed):
        idx.add(make_doc("p.txt", lines))
    top = windowed.search("trẻ em", limit=3)
    assert [h.value for h in top] == [h.value for h in full.search("trẻ em", limit=3)] == [99, 98, 97]
    assert keys(windowed.search("trẻ em", limit=30)) == keys(full.search("trẻ em", limit=30))
    # with a filter the window holds the shortest targets that pass it
    assert [h.value for h in windowed.search("trẻ em", max=80, limit=2)] == [80, 79]
