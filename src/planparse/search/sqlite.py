"""The embedded backend: one SQLite file, FTS5 for the words, plain columns for the filters.

Tables: ``documents`` (one row per plan; the full JSON, zlib-compressed), ``targets`` (one row
per target, the structured fields) and ``targets_fts`` — an FTS5 table whose rowid is the
target's ``tid``; its columns ``exact`` and ``folded`` hold the target's tokens as made by
:mod:`planparse.search.query` (tokenizer ``unicode61 remove_diacritics 0``, since folding — đ → d
included — is done before), and ``facets``, ``lead``, ``coord`` the categorical fields as terms
(:mod:`planparse.search.facets`), so filters are intersected inside FTS5.

Ranking: BM25 over the words (the hidden columns weigh 0), exact matches first. A target's rowid
puts its length in tokens in the high bits, so FTS5 streams the shortest matches first; a query
matching more than ``rank_window`` targets (default 1000) ranks the shortest ``rank_window`` of
them — for one-clause targets BM25 falls with length, so the best hits are among them — which
keeps a query's cost bounded whatever the index size (``rank_window=None``: rank every match).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import zlib
from pathlib import Path

from .base import Backend, SearchError, check_format
from .facets import agency_only, agency_text, facet_match, facet_text, target_only, without_agency
from .filters import DOC_COLS, TARGET_COLS, Filters, order_by, row_to_hit, where
from .models import Count, DocumentRef, IndexStats, SearchHit
from .query import QueryError
from .records import INDEX_FORMAT, DocRecord, target_rowid

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
  src_start INTEGER, src_end INTEGER, text_start INTEGER, text_end INTEGER, deadline_key INTEGER NOT NULL, lead TEXT NOT NULL, coordinating TEXT NOT NULL, agency_scope TEXT
);
CREATE INDEX IF NOT EXISTS targets_doc ON targets(doc_id, span_start, target_id);
CREATE INDEX IF NOT EXISTS targets_value ON targets(value DESC, doc_id, span_start, target_id);
CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline_key, doc_id, span_start, target_id);
CREATE INDEX IF NOT EXISTS targets_fields ON targets(tid, value, value_max, unit_key, deadline_year, kind);
CREATE INDEX IF NOT EXISTS documents_province ON documents(province);
CREATE INDEX IF NOT EXISTS documents_province_now ON documents(province_now);
CREATE VIRTUAL TABLE IF NOT EXISTS targets_fts USING fts5(exact, folded, facets, lead, coord, tokenize = 'unicode61 remove_diacritics 0');
"""


RANK_WINDOW = 1000
NO_DEADLINE = 1 << 40  # deadline_key of a target without a deadline year: sorts last
DENSE = 2000  # a word list longer than this is probed while streaming an index, not looked up row by row


class SQLiteBackend(Backend):
    name = "sqlite"
    score_desc = False  # bm25(): lower is better

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False, rank_window: int | None = RANK_WINDOW) -> None:
        self.path = str(path)
        self.rank_window = rank_window
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
        check_format(row[0], self.path)

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
             zlib.compress(rec.doc_json.encode("utf-8", "surrogatepass"), 1), time.time()),
        )
        row = con.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()
        seq = int(row[0]) if row else 1
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('next_seq', ?)", (str(seq + len(rec.targets)),))
        rows, fts = [], []
        for i, t in enumerate(rec.targets):
            tid = target_rowid(len(t.folded.split()), seq + i)
            rows.append((tid, doc_id, t.target_id, t.section_id, t.section_path, t.kind, t.text, t.subject, t.value,
                         t.value_max, t.comparator, t.unit, t.unit_key, t.direction, t.deadline_year, t.deadline_raw,
                         t.baseline, t.start, t.end, t.src_start, t.src_end, t.text_start, t.text_end,
                         NO_DEADLINE if t.deadline_year is None else t.deadline_year, json.dumps(t.lead, ensure_ascii=False),
                         json.dumps(t.coordinating, ensure_ascii=False), t.agency_scope))
            fts.append((tid, t.exact, t.folded,
                        facet_text(rec.doc_type_key, rec.province, rec.province_now, rec.locality_key, bool(t.lead), bool(t.coordinating)),
                        agency_text([k for _, role, k in t.agencies if role == "lead"]),
                        agency_text([k for _, role, k in t.agencies if role == "coordinate"])))
        con.executemany("INSERT INTO targets VALUES (" + ", ".join(["?"] * 27) + ")", rows)
        con.executemany("INSERT INTO targets_fts (rowid, exact, folded, facets, lead, coord) VALUES (?, ?, ?, ?, ?, ?)", fts)

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
        q = f.query
        try:
            if q.root is not None and f.sort == "relevance":
                return self._ranked(f)
            # words: words and categorical filters in FTS5, the value range in SQL; no words: every
            # filter in SQL but the agency's (FTS5). Targets' columns are checked while streaming
            # the ORDER BY's index ("+"), so the LIMIT stops the scan early.
            if q.root is not None:
                conds, params = where(target_only(f), "?", plus="+")
                match = " AND ".join(f"({m})" for m in (q.fts5(), facet_match(f)) if m)
            else:
                conds, params = where(without_agency(f), "?", plus="+")
                match = facet_match(agency_only(f))
            if match:
                n = self.con.execute("SELECT COUNT(*) FROM targets_fts WHERE targets_fts MATCH ?", (match,)).fetchone()[0]
                if n == 0:
                    return []
                probe = "+t.tid" if n > DENSE else "t.tid"
                conds = [f"{probe} IN (SELECT rowid FROM targets_fts WHERE targets_fts MATCH ?)", *conds]
                params = [match, *params]
            sql = f"SELECT {TARGET_COLS}, {DOC_COLS}, t.tid FROM targets t JOIN documents d ON d.id = t.doc_id"
            if conds:
                sql += " WHERE " + " AND ".join(conds)
            sql += f" ORDER BY {order_by(f, False, score_desc=False, deadline='t.deadline_key')} LIMIT ? OFFSET ?"
            rows = self.con.execute(sql, [*params, f.limit, f.offset]).fetchall()
            exact = self._exact_among([r[-1] for r in rows], q) if q.root is not None else set()
            return [row_to_hit(r[:-1], q, r[-1] in exact, None, negate_score=True) for r in rows]
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                raise QueryError(f"cannot search for {q.text!r}: {exc}") from None
            raise

    def _ranked(self, f: Filters) -> list[SearchHit]:
        """Relevance: ranked inside FTS5, so only one page of targets is read from the tables.

        First the targets whose exact forms match the query as typed (BM25 on the exact column),
        then, if the page is not full, the others that match without accents (BM25 on the folded
        column). The plan's categorical fields and the agencies are FTS5 terms; the target's own
        fields (value range, unit, deadline, kind) are checked per candidate."""
        q = f.query
        conds, params = where(target_only(f), "?")
        # the narrow covering index makes this per-candidate check ~2x cheaper than the table row
        filt = (" AND EXISTS (SELECT 1 FROM targets t INDEXED BY targets_fields WHERE t.tid = f.rowid AND "
                + " AND ".join(conds) + ")") if conds else ""
        facet = facet_match(f)
        also = f" AND ({facet})" if facet else ""
        need = f.offset + f.limit
        exact_q, folded_q = q.fts5(exact=True), q.fts5(exact=False)
        ranked = [(tid, s, True) for tid, s in self._bm25(f"({exact_q}){also}", filt, params, need)]
        if len(ranked) < need:
            # the folded matches, less those already ranked (cheaper than "folded NOT exact",
            # whose BM25 would weigh the exact phrases on every candidate too)
            seen = {tid for tid, _, _ in ranked}
            rest = self._bm25(f"({folded_q}){also}", filt, params, need + len(seen))
            ranked += [(tid, s, False) for tid, s in rest if tid not in seen][: need - len(ranked)]
        page = ranked[f.offset:need]
        if not page:
            return []
        rows = self.con.execute(
            f"SELECT t.tid, {TARGET_COLS}, {DOC_COLS} FROM targets t JOIN documents d ON d.id = t.doc_id WHERE t.tid IN ("
            + ", ".join("?" * len(page)) + ")", [tid for tid, _, _ in page]).fetchall()
        by_tid = {r[0]: r[1:] for r in rows}
        return [row_to_hit(by_tid[tid], q, exact, score, negate_score=True) for tid, score, exact in page if tid in by_tid]

    def _bm25(self, match: str, filt: str, params: list, need: int) -> list[tuple[int, float]]:
        """The ``need`` best matches by BM25. A query matching more than ``rank_window`` targets
        ranks the ``rank_window`` shortest of them (rowids order targets by length, and for
        one-clause targets BM25 falls with length: the best are among the shortest). One pass:
        FTS5 streams the matches in rowid order and scores only those it returns."""
        window = max(self.rank_window, need) if self.rank_window else -1  # LIMIT -1: no limit
        rows = self.con.execute(
            f"SELECT f.rowid, bm25(targets_fts, 1, 1, 0, 0, 0) FROM targets_fts f WHERE targets_fts MATCH ?{filt}"
            " ORDER BY f.rowid LIMIT ?", [match, *params, window]).fetchall()  # streams: BM25 only for these
        rows.sort(key=lambda r: (r[1], r[0]))
        return rows[:need]

    def _exact_among(self, tids: list[int], q) -> set[int]:
        """Which of these targets match the query as typed (accents included)."""
        if not tids:
            return set()
        # one streaming pass over the rowid range (an IN list would re-run the MATCH per value)
        rows = self.con.execute("SELECT rowid FROM targets_fts WHERE targets_fts MATCH ? AND rowid BETWEEN ? AND ?",
                                (q.fts5(exact=True), min(tids), max(tids))).fetchall()
        return {r[0] for r in rows} & set(tids)

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
