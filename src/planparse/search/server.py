"""HTTP API and web page over an index (FastAPI; run with ``planparse serve``).

JSON endpoints (OpenAPI at ``/openapi.json``, interactive docs at ``/docs``):

- ``GET /search`` — query parameters named like the CLI options: q, min, max, unit, deadline,
  by, agency, role, province, doc_type (repeatable), kind, sort, limit (≤ 200), offset;
- ``GET /documents`` — the indexed plans; ``GET /documents/{id}`` — one plan's JSON;
- ``GET /documents/{id}/sections/{section_id}?target=ID`` — a passage with the target marked;
- ``GET /stats`` — counts by type, province, unit, deadline year.

``GET /`` is the search page (``static/``). Limits: requests with a body over 16 KiB or a URL
over 4 KiB are refused; q ≤ 500 characters; at most 200 results a page.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal, Optional

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from . import Index
from .models import DocumentRef, IndexStats, Passage, SearchHit
from .query import QueryError

STATIC = Path(__file__).parent / "static"
MAX_BODY = 16 * 1024
MAX_URL = 4096
MAX_PAGE = 200


def _vi_key(name: str) -> str:
    from ..textkey import fold

    return fold(name)


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]
    more: bool = Field(description="there are more results after these (ask with offset)")
    offset: int
    took_ms: float


class DocumentResponse(BaseModel):
    ref: DocumentRef
    document: dict[str, Any] = Field(description="the PlanDocument JSON (the text only with ?text=true)")


def create_app(db: str | Path | Index) -> FastAPI:
    index = db if isinstance(db, Index) else Index(db, readonly=True)
    app = FastAPI(
        title="planparse search",
        version="1",
        description="Targets of Vietnamese government plans: what they commit to, by when, who leads, and where it is written.",
    )
    app.state.index = index

    @app.middleware("http")
    async def limits(request: Request, call_next):
        if len(str(request.url)) > MAX_URL:
            return JSONResponse({"detail": f"request URL too long (at most {MAX_URL} characters)"}, status_code=414)
        length = request.headers.get("content-length")
        if (length and length.isdigit() and int(length) > MAX_BODY) or request.headers.get("transfer-encoding"):
            return JSONResponse({"detail": f"request body too large (at most {MAX_BODY} bytes)"}, status_code=413)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.url.path == "/" or request.url.path.startswith("/static/"):
            response.headers.setdefault("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        return response

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/search", response_model=SearchResponse, tags=["search"])
    def search(
        q: str = Query("", max_length=500, description='words (accents optional), "phrase", OR, -excluded, prefix*'),
        min: Optional[float] = Query(None, description="value at least"),
        max: Optional[float] = Query(None, description="value at most"),
        unit: Optional[str] = Query(None, max_length=40),
        deadline: Optional[int] = Query(None, ge=1900, le=2200, description="deadline in exactly this year"),
        by: Optional[int] = Query(None, ge=1900, le=2200, description="deadline in this year or earlier"),
        agency: Optional[str] = Query(None, max_length=200),
        role: Optional[Literal["lead", "coordinate"]] = Query(None),
        province: Optional[str] = Query(None, max_length=100),
        doc_type: list[str] = Query([], max_length=10),
        kind: Optional[Literal["target", "statistic"]] = Query(None),
        sort: Literal["relevance", "value", "deadline", "date", "document"] = Query("relevance"),
        limit: int = Query(20, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0, le=10000),
    ) -> SearchResponse:
        t0 = time.perf_counter()
        hits = index.search(q, min=min, max=max, unit=unit, deadline=deadline, by=by, agency=agency, role=role,
                            province=province, doc_type=doc_type or None, kind=kind, sort=sort, limit=limit + 1, offset=offset)
        return SearchResponse(query=q, hits=hits[:limit], more=len(hits) > limit, offset=offset,
                              took_ms=round((time.perf_counter() - t0) * 1000, 2))

    @app.get("/documents", response_model=list[DocumentRef], tags=["documents"])
    def documents() -> list[DocumentRef]:
        return index.documents()

    @app.get("/documents/{doc_id}", response_model=DocumentResponse, tags=["documents"])
    def document(doc_id: str, text: bool = Query(False, description="include the normalised text")) -> DocumentResponse:
        doc = index.document(doc_id)
        ref = index.document_ref(doc_id)
        if doc is None or ref is None:
            raise HTTPException(404, f"no document {doc_id!r} in the index")
        return DocumentResponse(ref=ref, document=doc.model_dump(mode="json", exclude=None if text else {"text"}))

    @app.get("/documents/{doc_id}/sections/{section_id}", response_model=Passage, tags=["documents"])
    def section(doc_id: str, section_id: str, target: Optional[str] = Query(None, max_length=100, description="a target id to mark"),
                context: int = Query(0, ge=0, le=10, description="widen to the n-th enclosing section")) -> Passage:
        p = index.passage(doc_id, section_id, target, context=context)
        if p is None:
            raise HTTPException(404, f"no section {section_id!r} in document {doc_id!r}")
        return p

    @app.get("/stats", response_model=IndexStats, tags=["search"])
    def stats() -> IndexStats:
        return index.stats()

    @app.get("/places", tags=["search"])
    def places() -> dict[str, list[str]]:
        """Province names the province filter knows: before the 2025 merger (63) and after it (34)."""
        from .places import gazetteer

        g = gazetteer()
        return {"provinces": sorted(g.provinces, key=_vi_key), "provinces_now": sorted(g.new_units, key=_vi_key)}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
