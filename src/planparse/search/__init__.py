"""Search over plan targets, across thousands of plans.

    >>> from planparse.search import Index
    >>> idx = Index("plans.db")                      # SQLite + FTS5, no server
    >>> idx.add(planparse.parse("plan.txt"))         # incremental: a changed plan replaces its rows
    >>> for hit in idx.search("trẻ em có hoàn cảnh đặc biệt", min=90, unit="%", by=2025):
    ...     hit.value_text, hit.deadline_year, hit.document.number, hit.section_path, hit.lead

``Index("postgresql://user@host:5432/db")`` uses PostgreSQL instead (extra ``postgres``:
psycopg 3), with the same API and the same hits. Queries: words (accents optional: "tre em"
finds "trẻ em", đ = d, hoà = hòa), "phrases", OR, -excluded, prefix*; see
:mod:`planparse.search.query`. Filters: see :mod:`planparse.search.filters`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Optional

from ..models import PlanDocument
from .base import PLAN_SUFFIXES, SearchError, file_sha256, path_key, read_documents
from .models import AddResult, DocumentRef, IndexStats, Passage, SearchHit
from .query import QueryError

__all__ = ["Index", "SearchHit", "DocumentRef", "AddResult", "Passage", "IndexStats", "QueryError", "SearchError", "is_postgres"]


def is_postgres(db: str | Path) -> bool:
    return isinstance(db, str) and db.startswith(("postgresql://", "postgres://"))


class Index:
    """A search index of plans: SQLite file (default) or a PostgreSQL database URL."""

    def __init__(self, db: str | Path, *, create: bool = True, readonly: bool = False, **options: Any) -> None:
        """``options``: backend settings — ``rank_window`` (default 1000; None ranks every match)."""
        self.db = db
        if is_postgres(db):
            from .postgres import PostgresBackend

            self.backend = PostgresBackend(str(db), create=create, readonly=readonly, **options)
        else:
            from .sqlite import SQLiteBackend

            self.backend = SQLiteBackend(db, create=create, readonly=readonly, **options)

    @property
    def backend_name(self) -> str:
        return self.backend.name

    # -- writing -------------------------------------------------------------------------------
    def add(self, doc: PlanDocument, *, key: Optional[str] = None) -> AddResult:
        """Index one parsed plan. Its key (default: its source path) identifies it: adding a changed
        plan under the same key replaces its rows; an identical one is left alone (``unchanged``)."""
        return self.backend.add(doc, key)

    def add_many(self, docs: Iterable[PlanDocument], *, batch: int = 200) -> list[AddResult]:
        """Index many plans, committing once per ``batch`` of them (much faster than one by one)."""
        out: list[AddResult] = []
        pending = 0
        try:
            for d in docs:
                out.append(self.backend.add(d, commit=False))
                pending += 1
                if pending >= batch:
                    self.backend._commit()
                    pending = 0
            self.backend._commit()
        except BaseException:
            self.backend._rollback()
            raise
        return out

    def add_file(self, path: str | Path, *, force: bool = False) -> list[AddResult]:
        """Index a plan file (parsed here) or a planparse JSON/JSONL file. A plan file whose bytes
        are what this planparse indexed before is not parsed again (unless ``force``)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".json", ".jsonl"):
            docs = read_documents(path)
            if force:
                return [self._add_forced(d) for d in docs]
            return [self.backend.add(d) for d in docs]
        if suffix not in PLAN_SUFFIXES:
            from ..errors import UnsupportedFormatError

            raise UnsupportedFormatError(f"not a plan or planparse JSON file (expected {', '.join(sorted(PLAN_SUFFIXES | {'.json', '.jsonl'}))})", str(path))
        key = path_key(path)
        if not force and path.is_file():
            done = self.backend.unchanged_source(key, file_sha256(path))
            if done:
                ref = self.backend._doc_ref(done)
                return [AddResult(doc_id=done, key=key, status="unchanged", targets=ref.targets or 0 if ref else 0)]
        from ..pipeline import parse

        doc = parse(path)
        doc.source.path = key
        return [self._add_forced(doc) if force else self.backend.add(doc, key)]

    def _add_forced(self, doc: PlanDocument) -> AddResult:
        from .records import document_key

        key = document_key(doc)
        found = self.backend._lookup(key)
        if found:
            self.backend.remove(found[0])
        res = self.backend.add(doc, key)
        return res.model_copy(update={"status": "updated" if found else "added"})

    def remove(self, doc_id: str) -> bool:
        return self.backend.remove(doc_id)

    # -- reading -------------------------------------------------------------------------------
    def search(self, query: Optional[str] = None, **filters: Any) -> list[SearchHit]:
        """Targets matching ``query`` and the filters (min, max, unit, deadline, by, agency, role,
        province, doc_type, kind, sort, limit, offset), best first. Bad input raises QueryError."""
        return self.backend.search(query, **filters)

    def document(self, doc_id: str) -> Optional[PlanDocument]:
        return self.backend.document(doc_id)

    def document_ref(self, doc_id: str) -> Optional[DocumentRef]:
        return self.backend._doc_ref(doc_id)

    def documents(self) -> list[DocumentRef]:
        return self.backend.documents()

    def passage(self, doc_id: str, section_id: str, target_id: Optional[str] = None, *, context: int = 0) -> Optional[Passage]:
        """The text of a section (or, with ``context=n``, of its n-th enclosing section), with
        ``target_id``'s range inside it (to open the source there)."""
        return self.backend.passage(doc_id, section_id, target_id, context)

    def stats(self) -> IndexStats:
        return self.backend.stats()

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
