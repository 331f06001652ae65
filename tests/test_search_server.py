"""The HTTP API of planparse.search (FastAPI), through Starlette's TestClient on a real SQLite index."""

from __future__ import annotations

import pytest

from search_fixture import corpus_docs, require

require("fastapi", "search")
require("httpx", "test")

from fastapi.testclient import TestClient  # noqa: E402

from planparse.search import Index  # noqa: E402
from planparse.search.server import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("srv") / "plans.db"
    with Index(db) as idx:
        for doc in corpus_docs():
            idx.add(doc)
    with TestClient(create_app(db)) as c:
        yield c


def test_search_endpoint_takes_the_cli_options(client):
    r = client.get("/search", params={"q": "tre em co hoan canh dac biet", "min": 90, "unit": "%", "by": 2025, "limit": 50})
    assert r.status_code == 200
    body = r.json()
    assert body["hits"] and body["more"] is False and body["took_ms"] >= 0
    for h in body["hits"]:
        assert h["value"] >= 90 and h["unit"] == "%" and h["deadline_year"] <= 2025
        assert h["document"]["id"] and h["section_path"] and h["span"]["end"] > h["span"]["start"]
        s, e = h["highlights"][0]
        assert h["text"][s:e].lower().startswith("trẻ em")
    r = client.get("/search", params=[("province", "Gia Lai"), ("doc_type", "Kế hoạch"), ("doc_type", "Quyết định"), ("role", "lead"), ("sort", "value")])
    hits = r.json()["hits"]
    assert hits and {h["document"]["province_now"] for h in hits} == {"Gia Lai"}
    assert [h["value"] for h in hits] == sorted((h["value"] for h in hits), reverse=True)
    page = client.get("/search", params={"q": "trẻ em", "limit": 3}).json()
    assert page["more"] is True and len(page["hits"]) == 3
    nxt = client.get("/search", params={"q": "trẻ em", "limit": 3, "offset": 3}).json()
    assert {h["target_id"] + h["document"]["id"] for h in page["hits"]}.isdisjoint(h["target_id"] + h["document"]["id"] for h in nxt["hits"])


@pytest.mark.parametrize("params, status, text", [
    ({"q": '"tre em'}, 400, "unbalanced quote"),
    ({"q": "x", "province": "Atlantis"}, 400, "unknown province"),
    ({"q": "x", "deadline": 2020, "by": 2020}, 400, "either deadline"),
    ({"q": "x", "limit": 500}, 422, "less than or equal to 200"),
    ({"q": "x", "role": "boss"}, 422, "lead"),
    ({"q": "x" * 501}, 422, "at most 500"),
    ({"q": "x", "min": "abc"}, 422, "number"),
])
def test_bad_requests_get_clear_messages(client, params, status, text):
    r = client.get("/search", params=params)
    assert r.status_code == status
    assert text in str(r.json()["detail"])


def test_documents_sections_stats(client):
    docs = client.get("/documents").json()
    assert len(docs) == len(corpus_docs())
    one = client.get("/documents/dong-nai_2018_tro-giup-xa-hoi").json()
    assert one["ref"]["province"] == "Đồng Nai" and "text" not in one["document"] and one["document"]["targets"]
    assert client.get("/documents/dong-nai_2018_tro-giup-xa-hoi", params={"text": True}).json()["document"]["text"]
    hit = client.get("/search", params={"q": '"trẻ em có hoàn cảnh đặc biệt"', "limit": 1}).json()["hits"][0]
    p = client.get(f"/documents/{hit['document']['id']}/sections/{hit['section_id']}", params={"target": hit["target_id"], "context": 1}).json()
    assert " ".join(p["text"][p["highlight"]["start"]:p["highlight"]["end"]].split()) == " ".join(hit["text"].split())
    assert client.get("/documents/nope").status_code == 404
    assert client.get("/documents/dong-nai_2018_tro-giup-xa-hoi/sections/nope").status_code == 404
    st = client.get("/stats").json()
    assert st["documents"] == len(corpus_docs()) and st["backend"] == "sqlite"
    places = client.get("/places").json()
    assert len(places["provinces"]) == 63 and len(places["provinces_now"]) == 34


def test_openapi_page_and_limits(client):
    spec = client.get("/openapi.json").json()
    assert {"/search", "/documents", "/documents/{doc_id}", "/documents/{doc_id}/sections/{section_id}", "/stats"} <= set(spec["paths"])
    names = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert names >= {"q", "min", "max", "unit", "deadline", "by", "agency", "role", "province", "doc_type", "limit"}
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/search?q=" + "a" * 5000).status_code == 414
    assert client.post("/search", content=b"x" * 20000).status_code == 413
    assert client.post("/search", content=b"{}").status_code == 405
