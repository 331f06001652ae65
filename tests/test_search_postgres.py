"""PostgreSQL and SQLite give the same hits for a fixed query set on the corpus (a real server:
``$PLANPARSE_TEST_PG_DSN``, or one started by ``.ci/postgres.sh``)."""

from __future__ import annotations

import pytest

from search_fixture import corpus_docs, fresh_pg_db, pg_server  # noqa: F401 (fixture)

from planparse.search import Index, SearchError
from planparse.search.query import index_forms

QUERIES = [
    ("trẻ em có hoàn cảnh đặc biệt", {}),
    ("tre em co hoan canh dac biet", {}),
    ('"trẻ em có hoàn cảnh đặc biệt"', {"min": 90, "unit": "%", "by": 2025}),
    ('"tre em bi xam hai"', {}),
    ("hoà nhập cộng đồng", {}),
    ("người cao tuổi OR người khuyết tật", {}),
    ("trẻ em -xâm", {"deadline": 2020}),
    ("chuyển đổi số*", {}),
    ("dinh dưỡng", {"doc_type": "Quyết định"}),
    ("đạt", {"min": 50, "max": 100}),
    ("", {"agency": "Sở Lao động - Thương binh và Xã hội", "role": "lead"}),
    ("", {"agency": "tài chính", "role": "coordinate"}),
    ("", {"province": "Gia Lai"}),
    ("", {"province": "Đồng Nai", "kind": "target"}),
    ("", {"province": "Quảng Ngãi"}),
    ("ngân sách", {"by": 2030, "sort": "value"}),
    ("", {"min": 90, "unit": "%", "sort": "deadline"}),
    ("", {"sort": "date"}),
    ("", {"sort": "document"}),
]


@pytest.fixture(scope="module")
def both(pg_server, tmp_path_factory):  # noqa: F811
    lite = Index(tmp_path_factory.mktemp("lite") / "plans.db")
    with fresh_pg_db(pg_server) as dsn:
        pg = Index(dsn)
        for doc in corpus_docs():
            lite.add(doc)
            pg.add(doc)
        yield lite, pg
        pg.close()
    lite.close()


def rows(hits):
    return [(h.document.id, h.target_id, h.exact, tuple(map(tuple, h.highlights)), h.lead, h.document.province_now) for h in hits]


@pytest.mark.parametrize("query, filters", QUERIES, ids=[f"{q or '-'} {f}" for q, f in QUERIES])
def test_same_hits_as_sqlite(both, query, filters):
    lite, pg = both
    a = lite.search(query, limit=1000, **filters)
    b = pg.search(query, limit=1000, **filters)
    assert a, "the query set is meant to find something"
    if filters.get("sort", "relevance") == "relevance" and query:
        assert sorted(rows(a)) == sorted(rows(b))  # BM25 and ts_rank order ties differently …
        for hits in (a, b):                          # … but both put the exact matches first
            flags = [h.exact for h in hits]
            assert flags == sorted(flags, reverse=True)
    else:
        assert rows(a) == rows(b)  # the same order, too


def test_documents_and_passages_agree(both):
    lite, pg = both
    assert [d.model_dump() for d in lite.documents()] == [d.model_dump() for d in pg.documents()]
    h = lite.search('"trẻ em có hoàn cảnh đặc biệt"', limit=1)[0]
    assert lite.passage(h.document.id, h.section_id, h.target_id) == pg.passage(h.document.id, h.section_id, h.target_id)
    assert lite.document(h.document.id) == pg.document(h.document.id)  # JSONB keeps the document whole
    s1, s2 = lite.stats(), pg.stats()
    assert s1.model_dump(exclude={"backend"}) == s2.model_dump(exclude={"backend"})


def test_unreachable_server_is_a_clear_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(SearchError, match="cannot connect"):
        Index(f"postgresql://nobody:secret@127.0.0.1:{port}/none")
    try:
        Index(f"postgresql://nobody:secret@127.0.0.1:{port}/none")
    except SearchError as exc:
        assert "secret" not in str(exc)  # the password is not printed


def test_rank_window_is_the_same_on_both_backends(pg_server, tmp_path):  # noqa: F811
    """Both backends give targets the same ids (length, then a running number), so a small rank
    window holds the same candidates: the page that fills the window is the same set."""
    lite = Index(tmp_path / "w.db", rank_window=5)
    with fresh_pg_db(pg_server) as dsn:
        pg = Index(dsn, rank_window=5)
        for doc in corpus_docs():
            lite.add(doc)
            pg.add(doc)
        for q in ["trẻ em", "tre em", "xã", "người"]:
            a, b = lite.search(q, limit=5), pg.search(q, limit=5)
            assert len(a) == 5 and {(h.document.id, h.target_id) for h in a} == {(h.document.id, h.target_id) for h in b}
            shortest = sorted(len(index_forms(h.text)[1].split()) for h in lite.search(q, limit=1000, sort="document"))
            assert max(len(index_forms(h.text)[1].split()) for h in a) <= shortest[4] or any(h.exact for h in a)
        pg.close()
    lite.close()
