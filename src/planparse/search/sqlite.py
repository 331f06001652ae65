"""The embedded backend: one SQLite file, FTS5 for the words, plain columns for the filters.

Tables: ``documents`` (one row per plan; the full JSON, zlib-compressed), ``targets`` (one row
per target, the structured fields the filters use), ``target_agencies`` (lead/coordinating agency
of each target, folded, for the agency filter) and ``targets_fts`` — an FTS5 table whose rowid is
the target's ``tid`` and whose two columns hold the target's tokens as made by
:mod:`planparse.search.query` (exact and folded forms, space-separated; tokenizer
``unicode61 remove_diacritics 0``, since folding — đ → d included — is done before). BM25 ranks.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from typing import Optional

from .base import Backend, SearchError
from .filters import DOC_COLS, TARGET_COLS, Filters, order_by, row_to_hit, where
from .models import Count, DocumentRef, IndexStats, SearchHit
from .query import QueryError
from .records import INDEX_FORMAT, DocRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, source_sha256 TEXT, content_hash TEXT, parser_version TEXT,
  doc_type TEXT, doc_type_key TEXT, number TEXT, issuer TEXT, issued_date TEXT, title TEXT, path TEXT,
  locality TEXT, locality_key TEXT, province TEXT, province_now TEXT, scope TEXT, n_targets INTEGER NOT NULL,
  doc BLOB NOT NULL, indexed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
  tid INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  target_id TEXT NOT NULL, section_id TEXT, section_path TEXT, kind TEXT NOT NULL, text TEXT NOT NULL, subject TEXT,
  value REAL NOT NULL, value_max REAL, comparator TEXT NOT NULL, unit TEXT, unit_key TEXT, direction TEXT,
  deadline_year INTEGER, deadline_raw TEXT, baseline TEXT, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,
  src_start INTEGER, src_end INTEGER, text_start INTEGER, text_end INTEGER, lead TEXT NOT NULL, coordinating TEXT NOT NULL, agency_scope TEXT
);
CREATE INDEX IF NOT EXISTS targets_doc ON targets(doc_id);
CREATE INDEX IF NOT EXISTS targets_value ON targets(value);
CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline_year);
CREATE INDEX IF NOT EXISTS documents_province ON documents(province);
CREATE INDEX IF NOT EXISTS documents_province_now ON documents(province_now);
CREATE TABLE IF NOT EXISTS target_agencies (
  tid INTEGER NOT NULL REFERENCES targets(tid) ON DELETE CASCADE, name TEXT NOT NULL, role TEXT NOT NULL, name_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS target_agencies_tid ON target_agencies(tid);
CREATE VIRTUAL TABLE IF NOT EXISTS targets_fts USING fts5(exact, folded, tokenize = 'unicode61 remove_diacritics 0');
"""


class SQLiteBackend(Backend):
    name = "sqlite"
    score_desc = False  # bm25(): lower is better

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            p = Path(self.path)
            if p.is_dir():
                raise SearchError("is a folder, not an index database", self.path)
            if not p.exists() and (readonly or not create):
                raise SearchError("no such index (make one with: planparse index PLANS... --db FILE)", self.path)
            if p.exists() and p.stat().st_size > 0:
                with open(p, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise SearchError("not an SQLite database", self.path)
        self.readonly = readonly
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        con = self.con
        if not readonly:
            try:
                con.executescript(SCHEMA)
                con.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('index_format', ?)", (str(INDEX_FORMAT),))
                con.commit()
            except sqlite3.DatabaseError as exc:
                raise SearchError(f"cannot use as an index: {exc}", self.path) from None
        self._check()

    @property
    def con(self) -> sqlite3.Connection:
        """One connection per thread (the HTTP server answers from a thread pool)."""
        c = getattr(self._local, "con", None)
        if c is None:
            if self.readonly and self.path != ":memory:":
                c = sqlite3.connect(f"file:{Path(self.path).as_posix()}?mode=ro", uri=True, check_same_thread=False)
            else:
                c = sqlite3.connect(self.path, check_same_thread=False)
            c.execute("PRAGMA foreign_keys = ON")
            if not self.readonly and self.path != ":memory:":
                c.execute("PRAGMA journal_mode = WAL")
                c.execute("PRAGMA synchronous = NORMAL")
            self._local.con = c
            with self._lock:
                self._all.append(c)
        return c

    def _check(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'index_format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SearchError(f"not a planparse index ({exc})", self.path) from None
        if row is None:
            raise SearchError("not a planparse index (no meta table)", self.path)

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                c.close()
            self._all.clear()
        self._local = threading.local()

    # -- writing -------------------------------------------------------------------------------
    def _lookup(self, key):
        return self.con.execute("SELECT id, content_hash, source_sha256, parser_version FROM documents WHERE key = ?", (key,)).fetchone()

    def _id_taken(self, doc_id):
        return self.con.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def _delete_rows(self, doc_id: str) -> None:
        con = self.con
        con.execute("DELETE FROM targets_fts WHERE rowid IN (SELECT tid FROM targets WHERE doc_id = ?)", (doc_id,))
        con.execute("DELETE FROM target_agencies WHERE tid IN (SELECT tid FROM targets WHERE doc_id = ?)", (doc_id,))
        con.execute("DELETE FROM targets WHERE doc_id = ?", (doc_id,))
        con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def _replace(self, rec: DocRecord, doc_id: str, existed: bool) -> None:
        con = self.con
        if existed:
            self._delete_rows(doc_id)
        con.execute(
            "INSERT INTO documents (id, key, source_sha256, content_hash, parser_version, doc_type, doc_type_key, number, issuer,"
            " issued_date, title, path, locality, locality_key, province, province_now, scope, n_targets, doc, indexed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc_id, rec.key, rec.source_sha256, rec.content_hash, rec.parser_version, rec.doc_type, rec.doc_type_key,
             rec.number, rec.issuer, rec.issued_date, rec.title, rec.path, rec.locality, rec.locality_key,
             rec.province, rec.province_now, rec.scope, len(rec.targets),
             zlib.compress(rec.doc_json.encode("utf-8", "surrogatepass"), 6), time.time()),
        )
        start = con.execute("SELECT COALESCE(MAX(tid), 0) FROM targets").fetchone()[0] + 1
        rows, fts, ags = [], [], []
        for i, t in enumerate(rec.targets):
            tid = start + i
            rows.append((tid, doc_id, t.target_id, t.section_id, t.section_path, t.kind, t.text, t.subject, t.value,
                         t.value_max, t.comparator, t.unit, t.unit_key, t.direction, t.deadline_year, t.deadline_raw,
                         t.baseline, t.start, t.end, t.src_start, t.src_end, t.text_start, t.text_end, json.dumps(t.lead, ensure_ascii=False),
                         json.dumps(t.coordinating, ensure_ascii=False), t.agency_scope))
            fts.append((tid, t.exact, t.folded))
            ags.extend((tid, name, role, key) for name, role, key in t.agencies)
        con.executemany("INSERT INTO targets VALUES (" + ", ".join(["?"] * 26) + ")", rows)
        con.executemany("INSERT INTO targets_fts (rowid, exact, folded) VALUES (?, ?, ?)", fts)
        con.executemany("INSERT INTO target_agencies (tid, name, role, name_key) VALUES (?, ?, ?, ?)", ags)

    def _commit(self):
        self.con.commit()

    def _rollback(self):
        self.con.rollback()

    def remove(self, doc_id: str) -> bool:
        if not self._id_taken(doc_id):
            return False
        self._delete_rows(doc_id)
        self.con.commit()
        return True

    # -- reading -------------------------------------------------------------------------------
    def _doc_json(self, doc_id):
        row = self.con.execute("SELECT doc FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8", "surrogatepass") if row else None

    def _doc_ref(self, doc_id):
        row = self.con.execute(f"SELECT {DOC_COLS}, d.n_targets FROM documents d WHERE d.id = ?", (doc_id,)).fetchone()
        return _ref(row) if row else None

    def documents(self) -> list[DocumentRef]:
        rows = self.con.execute(f"SELECT {DOC_COLS}, d.n_targets FROM documents d ORDER BY d.id").fetchall()
        return [_ref(r) for r in rows]

    def run_search(self, f: Filters) -> list[SearchHit]:
        conds, params = where(f, "?")
        q = f.query
        if q.root is not None:
            sql = ("WITH m AS (SELECT rowid AS tid, bm25(targets_fts) AS score FROM targets_fts WHERE targets_fts MATCH ?),"
                   " x AS (SELECT rowid AS tid FROM targets_fts WHERE targets_fts MATCH ?)"
                   f" SELECT {TARGET_COLS}, {DOC_COLS}, (x.tid IS NOT NULL) AS exact, m.score AS score"
                   " FROM m JOIN targets t ON t.tid = m.tid JOIN documents d ON d.id = t.doc_id LEFT JOIN x ON x.tid = m.tid")
            params = [q.fts5(exact=False), q.fts5(exact=True), *params]
        else:
            sql = f"SELECT {TARGET_COLS}, {DOC_COLS}, 0 AS exact, NULL AS score FROM targets t JOIN documents d ON d.id = t.doc_id"
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        sql += f" ORDER BY {order_by(f, q.root is not None, score_desc=False)} LIMIT ? OFFSET ?"
        params += [f.limit, f.offset]
        try:
            rows = self.con.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                raise QueryError(f"cannot search for {q.text!r}: {exc}") from None
            raise
        return [row_to_hit(r[:-2], q, r[-2], r[-1], negate_score=True) for r in rows]

    def stats(self) -> IndexStats:
        con = self.con

        def counts(sql):
            return [Count(name=None if n is None else str(n), count=c) for n, c in con.execute(sql).fetchall()]

        return IndexStats(
            backend=self.name,
            documents=con.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
            targets=con.execute("SELECT COUNT(*) FROM targets").fetchone()[0],
            doc_types=counts("SELECT doc_type, COUNT(*) c FROM documents GROUP BY doc_type ORDER BY c DESC, doc_type NULLS LAST"),
            provinces=counts("SELECT province, COUNT(*) c FROM documents GROUP BY province ORDER BY c DESC, province NULLS LAST"),
            provinces_now=counts("SELECT province_now, COUNT(*) c FROM documents GROUP BY province_now ORDER BY c DESC, province_now NULLS LAST"),
            units=counts("SELECT unit, COUNT(*) c FROM targets GROUP BY unit ORDER BY c DESC, unit NULLS LAST LIMIT 20"),
            deadline_years=counts("SELECT deadline_year, COUNT(*) c FROM targets GROUP BY deadline_year ORDER BY deadline_year NULLS LAST"),
        )


def _ref(row) -> DocumentRef:
    did, doc_type, number, issuer, issued, title, path, locality, province, province_now, scope, n = row
    return DocumentRef(id=did, doc_type=doc_type, number=number, issuer=issuer, issued_date=issued, title=title, path=path,
                       locality=locality, province=province, province_now=province_now, scope=scope, targets=n)
