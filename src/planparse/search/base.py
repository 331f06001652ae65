"""What both backends share: adding documents (incrementally), reading them back, passages."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterable, Optional

from ..errors import InputError, PlanParseError
from ..models import PlanDocument
from .filters import Filters, make_filters
from .models import AddResult, DocumentRef, IndexStats, Passage, SearchHit, SpanRef
from .records import DocRecord, build, parser_version, section_path, section_titles

PLAN_SUFFIXES = {".txt", ".md", ".docx", ".doc", ".html", ".htm", ".pdf"}
JSON_SUFFIXES = {".json", ".jsonl"}


class SearchError(PlanParseError):
    """The index cannot be opened or used (missing database, wrong file, server unreachable)."""


def check_format(found: str, where: str) -> None:
    from .records import INDEX_FORMAT

    if str(found) != str(INDEX_FORMAT):
        raise SearchError(f"index format {found}, this planparse reads format {INDEX_FORMAT}: make the index anew (planparse index … --db NEW)", where)


class Backend:
    """The storage of one index. Subclasses implement the ``_`` methods with real SQL."""

    name = "?"
    score_desc = True  # the backend's score: higher is better

    # -- storage primitives (subclass) ---------------------------------------------------------
    def _lookup(self, key: str) -> Optional[tuple[str, str, str, str]]:  # id, content_hash, source_sha256, parser_version
        raise NotImplementedError

    def _id_taken(self, doc_id: str) -> bool:
        raise NotImplementedError

    def _replace(self, rec: DocRecord, doc_id: str, existed: bool) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _doc_json(self, doc_id: str) -> Optional[str | dict]:
        raise NotImplementedError

    def _doc_ref(self, doc_id: str) -> Optional[DocumentRef]:
        raise NotImplementedError

    def documents(self) -> list[DocumentRef]:
        raise NotImplementedError

    def remove(self, doc_id: str) -> bool:
        raise NotImplementedError

    def run_search(self, f: Filters) -> list[SearchHit]:
        raise NotImplementedError

    def stats(self) -> IndexStats:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- shared logic ------------------------------------------------------------------------
    def add(self, doc: PlanDocument, key: Optional[str] = None, *, commit: bool = True) -> AddResult:
        rec = build(doc, key)
        found = self._lookup(rec.key)
        if found and found[1] == rec.content_hash:
            return AddResult(doc_id=found[0], key=rec.key, status="unchanged", targets=len(rec.targets))
        doc_id = found[0] if found else self._new_id(rec.slug)
        try:
            self._replace(rec, doc_id, existed=found is not None)
            if commit:
                self._commit()
        except BaseException:
            if commit:
                self._rollback()
            raise
        return AddResult(doc_id=doc_id, key=rec.key, status="updated" if found else "added", targets=len(rec.targets))

    def _new_id(self, slug: str) -> str:
        doc_id, n = slug, 1
        while self._id_taken(doc_id):
            n += 1
            doc_id = f"{slug}-{n}"
        return doc_id

    def unchanged_source(self, key: str, source_sha256: str) -> Optional[str]:
        """The id of the document stored under ``key`` if it was made from these bytes by this planparse."""
        found = self._lookup(key)
        if found and found[2] == source_sha256 and found[3] == parser_version():
            return found[0]
        return None

    def document(self, doc_id: str) -> Optional[PlanDocument]:
        raw = self._doc_json(doc_id)
        if raw is None:
            return None
        if isinstance(raw, dict):
            return PlanDocument.model_validate(raw)
        return PlanDocument.model_validate_json(raw)

    def passage(self, doc_id: str, section_id: str, target_id: Optional[str] = None, context: int = 0) -> Optional[Passage]:
        doc = self.document(doc_id)
        ref = self._doc_ref(doc_id)
        if doc is None or ref is None:
            return None
        titles, parents, _ = section_titles(doc)
        if doc.section(section_id) is None:
            return None
        for _ in range(max(0, context)):  # widen: the enclosing sections
            if not parents.get(section_id):
                break
            section_id = parents[section_id]
        node = doc.section(section_id)
        start, end = node.span.start, node.span.end
        text = doc.text[start:end] if doc.text is not None else node.text
        from .records import clause_span

        highlight = value = None
        rel = []
        for t in doc.targets:
            if doc.text is not None:
                if not (start <= t.span.start and t.span.end <= end):
                    continue
                ts, te = clause_span(doc.text, t.text, t.span.start, t.span.end)
                ts, te = (ts, te) if ts is not None and start <= ts and te <= end else (t.span.start, t.span.end)
                s, e, vs, ve = ts - start, te - start, t.span.start - start, t.span.end - start
            else:  # JSON without the text: find the target's words in the section body
                if t.section_id != section_id or (s := text.find(t.text)) < 0:
                    continue
                e = s + len(t.text)
                vs = ve = None
            rel.append({"id": t.id, "value": t.value, "unit": t.unit, "comparator": t.comparator, "start": s, "end": e})
            if t.id == target_id:
                highlight = SpanRef(start=s, end=e)
                value = SpanRef(start=vs, end=ve) if vs is not None else None
        return Passage(document=ref, section_id=node.id, section_kind=node.kind, section_label=node.label,
                       section_title=node.title, section_path=section_path(node.id, titles, parents), parent_id=parents.get(node.id),
                       start=start if doc.text is not None else 0, end=end if doc.text is not None else len(text),
                       text=text, highlight=highlight, value=value, targets=rel)

    def search(self, query: Optional[str] = None, **filters: Any) -> list[SearchHit]:
        return self.run_search(make_filters(query, **filters))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def path_key(path: Path) -> str:
    """The key of a plan file: its path relative to the working directory when under it, else absolute."""
    p = Path(os.path.abspath(path))
    try:
        rel = p.relative_to(Path.cwd())
        return rel.as_posix()
    except ValueError:
        return p.as_posix()


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files named, and the plan files and JSON directly inside folders named (not their subfolders;
    upper-case notes such as README.md and SOURCES.md skipped)."""
    out: list[Path] = []
    for p in inputs:
        p = Path(p)
        if p.is_dir():
            for q in sorted(p.iterdir()):
                if q.is_file() and q.suffix.lower() in PLAN_SUFFIXES | JSON_SUFFIXES and not (q.stem.isupper() and q.suffix.lower() == ".md"):
                    out.append(q)
        elif p.exists():
            out.append(p)
        else:
            raise InputError("no such file or folder", str(p))
    return out


def read_documents(path: Path) -> list[PlanDocument]:
    """A planparse JSON file (one document) or JSONL file (one per line)."""
    from pydantic import ValidationError

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from None
    docs = []
    lines = raw.splitlines() if path.suffix.lower() == ".jsonl" else [raw]
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            docs.append(PlanDocument.model_validate_json(line))
        except ValidationError as exc:
            where = f"line {i}: " if path.suffix.lower() == ".jsonl" else ""
            first = exc.errors()[0]
            raise InputError(f"{where}not a planparse JSON document ({first.get('msg')} at {'.'.join(map(str, first.get('loc', ())))})", str(path)) from None
    return docs
