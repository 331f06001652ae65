"""The scale backend: PostgreSQL (``postgresql://…``), same API, same hits as SQLite.

Documents are stored as JSONB. Each target row holds two ``tsvector`` columns built from the
tokens made in Python by :mod:`planparse.search.query` (exact and folded forms, positions kept
for phrases) with GIN indexes; queries are compiled to ``tsquery`` literals from the same parse
tree as FTS5's. Folding happens in Python rather than with ``unaccent`` so both backends agree
on every token (``unaccent`` would also leave tone placement — hoà/hòa — to chance in the exact
ranking). ``pg_trgm`` backs the agency filter (``LIKE '%…%'`` on folded agency names) when the
extension can be created; without it the filter still works, unindexed. Ranking: exact matches
first, then ``ts_rank``.

Needs psycopg 3 (``pip install 'planparse[postgres]'``).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Optional

from .base import Backend, SearchError
from .filters import DOC_COLS, TARGET_COLS, Filters, order_by, row_to_hit, where
from .models import Count, DocumentRef, IndexStats, SearchHit
from .query import QueryError
from .records import INDEX_FORMAT, DocRecord

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS planparse_meta (key text PRIMARY KEY, value text)",
    """CREATE TABLE IF NOT EXISTS documents (
  id text PRIMARY KEY, key text NOT NULL UNIQUE, source_sha256 text, content_hash text, parser_version text,
  doc_type text, doc_type_key text, number text, issuer text, issued_date text, title text, path text,
  locality text, locality_key text, province text, province_now text, scope text, n_targets integer NOT NULL,
  doc jsonb NOT NULL, indexed_at double precision NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS targets (
  tid bigserial PRIMARY KEY, doc_id text NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  target_id text NOT NULL, section_id text, section_path text, kind text NOT NULL, text text NOT NULL, subject text,
  value double precision NOT NULL, value_max double precision, comparator text NOT NULL, unit text, unit_key text,
  direction text, deadline_year integer, deadline_raw text, baseline text, span_start integer NOT NULL,
  span_end integer NOT NULL, src_start integer, src_end integer, text_start integer, text_end integer, lead jsonb NOT NULL, coordinating jsonb NOT NULL,
  agency_scope text, tsv_exact tsvector NOT NULL, tsv_folded tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS targets_doc ON targets(doc_id, span_start)",
    "CREATE INDEX IF NOT EXISTS targets_value ON targets(value DESC, doc_id, span_start)",
    "CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline_year)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_folded ON targets USING gin(tsv_folded)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_exact ON targets USING gin(tsv_exact)",
    "CREATE INDEX IF NOT EXISTS documents_province ON documents(province)",
    "CREATE INDEX IF NOT EXISTS documents_province_now ON documents(province_now)",
    """CREATE TABLE IF NOT EXISTS target_agencies (
  tid bigint NOT NULL REFERENCES targets(tid) ON DELETE CASCADE, name text NOT NULL, role text NOT NULL, name_key text NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS target_agencies_tid ON target_agencies(tid)",
]
TRGM = "CREATE INDEX IF NOT EXISTS target_agencies_trgm ON target_agencies USING gin(name_key gin_trgm_ops)"


def tsvector_literal(tokens: str) -> str:
    """``'tok':1 'tok2':2 …`` — tokens are letters/marks/digits only, so quoting is plain."""
    return " ".join(f"'{t}':{min(i, 16383)}" for i, t in enumerate(tokens.split(), 1))


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise SearchError("the PostgreSQL backend needs psycopg 3: pip install 'planparse[postgres]' (psycopg[binary])") from None
    return psycopg


class PostgresBackend(Backend):
    name = "postgresql"
    score_desc = True

    def __init__(self, dsn: str, *, create: bool = True, readonly: bool = False) -> None:
        self.psycopg = _psycopg()
        self.dsn = dsn
        self.readonly = readonly
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()
        self.trigram = False
        con = self.con
        try:
            with con.cursor() as cur:
                if not readonly and create:
                    cur.execute("SELECT pg_advisory_xact_lock(hashtext('planparse_schema'))")
                    for stmt in SCHEMA:
                        cur.execute(stmt)
                    cur.execute("INSERT INTO planparse_meta(key, value) VALUES ('index_format', %s) ON CONFLICT (key) DO NOTHING", (str(INDEX_FORMAT),))
                    con.commit()
                    self.trigram = self._try_trigram()
                cur.execute("SELECT value FROM planparse_meta WHERE key = 'index_format'")
                if cur.fetchone() is None:
                    raise SearchError("not a planparse index (no index_format)", _safe(dsn))
            con.commit()
        except self.psycopg.errors.UndefinedTable:
            con.rollback()
            raise SearchError("not a planparse index (make one with: planparse index PLANS... --db URL)", _safe(dsn)) from None

    def _try_trigram(self) -> bool:
        con = self.con
        try:
            with con.cursor() as cur:
                cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                cur.execute(TRGM)
            con.commit()
            return True
        except self.psycopg.Error:
            con.rollback()
            return False

    @property
    def con(self):
        c = getattr(self._local, "con", None)
        if c is None or c.closed:
            try:
                c = self.psycopg.connect(self.dsn, connect_timeout=10, application_name="planparse")
            except self.psycopg.OperationalError as exc:
                msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise SearchError(f"cannot connect: {msg}", _safe(self.dsn)) from None
            if self.readonly:
                c.read_only = True
            self._local.con = c
            with self._lock:
                self._all.append(c)
        return c

    def close(self) -> None:
        with self._lock:
            for c in self._all:
                try:
                    c.close()
                except Exception:  # pragma: no cover - closing a broken connection
                    pass
            self._all.clear()
        self._local = threading.local()

    # -- writing -------------------------------------------------------------------------------
    def _lookup(self, key):
        with self.con.cursor() as cur:
            cur.execute("SELECT id, content_hash, source_sha256, parser_version FROM documents WHERE key = %s", (key,))
            return cur.fetchone()  # no commit: this may run inside a batch of adds

    def _id_taken(self, doc_id):
        with self.con.cursor() as cur:
            cur.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,))
            return cur.fetchone() is not None

    def _replace(self, rec: DocRecord, doc_id: str, existed: bool) -> None:
        con = self.con
        with con.cursor() as cur:
            if existed:
                cur.execute("DELETE FROM documents WHERE id = %s", (doc_id,))  # targets and agencies cascade
            cur.execute(
                "INSERT INTO documents (id, key, source_sha256, content_hash, parser_version, doc_type, doc_type_key, number, issuer,"
                " issued_date, title, path, locality, locality_key, province, province_now, scope, n_targets, doc, indexed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
                (doc_id, rec.key, rec.source_sha256, rec.content_hash, rec.parser_version, rec.doc_type, rec.doc_type_key,
                 rec.number, rec.issuer, rec.issued_date, rec.title, rec.path, rec.locality, rec.locality_key,
                 rec.province, rec.province_now, rec.scope, len(rec.targets), rec.doc_json.replace("\\u0000", ""), time.time()),
            )
            if not rec.targets:
                return
            cur.execute("SELECT nextval('targets_tid_seq') FROM generate_series(1, %s)", (len(rec.targets),))
            tids = [r[0] for r in cur.fetchall()]
            cols = ("tid, doc_id, target_id, section_id, section_path, kind, text, subject, value, value_max, comparator, unit,"
                    " unit_key, direction, deadline_year, deadline_raw, baseline, span_start, span_end, src_start, src_end, text_start, text_end,"
                    " lead, coordinating, agency_scope, tsv_exact, tsv_folded")
            with cur.copy(f"COPY targets ({cols}) FROM STDIN") as copy:
                for tid, t in zip(tids, rec.targets):
                    copy.write_row((tid, doc_id, t.target_id, t.section_id, t.section_path, t.kind, t.text, t.subject,
                                    t.value, t.value_max, t.comparator, t.unit, t.unit_key, t.direction, t.deadline_year,
                                    t.deadline_raw, t.baseline, t.start, t.end, t.src_start, t.src_end, t.text_start, t.text_end,
                                    json.dumps(t.lead, ensure_ascii=False), json.dumps(t.coordinating, ensure_ascii=False),
                                    t.agency_scope, tsvector_literal(t.exact), tsvector_literal(t.folded)))
            ags = [(tid, name, role, key) for tid, t in zip(tids, rec.targets) for name, role, key in t.agencies]
            if ags:
                with cur.copy("COPY target_agencies (tid, name, role, name_key) FROM STDIN") as copy:
                    for row in ags:
                        copy.write_row(row)

    def _commit(self):
        self.con.commit()

    def _rollback(self):
        self.con.rollback()

    def remove(self, doc_id: str) -> bool:
        with self.con.cursor() as cur:
            cur.execute("DELETE FROM documents WHERE id = %s", (doc_id,))
            n = cur.rowcount
        self.con.commit()
        return n > 0

    # -- reading -------------------------------------------------------------------------------
    def _fetch(self, sql: str, params=()):
        con = self.con
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall()
            con.commit()
            return rows
        except BaseException:
            con.rollback()
            raise

    def _doc_json(self, doc_id):
        rows = self._fetch("SELECT doc FROM documents WHERE id = %s", (doc_id,))
        return rows[0][0] if rows else None

    def _doc_ref(self, doc_id):
        rows = self._fetch(f"SELECT {DOC_COLS}, d.n_targets FROM documents d WHERE d.id = %s", (doc_id,))
        return _ref(rows[0]) if rows else None

    def documents(self) -> list[DocumentRef]:
        return [_ref(r) for r in self._fetch(f"SELECT {DOC_COLS}, d.n_targets FROM documents d ORDER BY d.id COLLATE \"C\"")]

    def run_search(self, f: Filters) -> list[SearchHit]:
        conds, params = where(f, "%s")
        q = f.query
        if q.root is not None:
            sql = (f"SELECT {TARGET_COLS}, {DOC_COLS}, (t.tsv_exact @@ %s::tsquery) AS exact, ts_rank(t.tsv_folded, %s::tsquery) AS score"
                   " FROM targets t JOIN documents d ON d.id = t.doc_id")
            folded = q.tsquery(exact=False)
            params = [q.tsquery(exact=True), folded, *params]
            conds = ["t.tsv_folded @@ %s::tsquery", *conds]
            params.insert(2, folded)
        else:
            sql = f"SELECT {TARGET_COLS}, {DOC_COLS}, false AS exact, NULL::real AS score FROM targets t JOIN documents d ON d.id = t.doc_id"
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        sql += " ORDER BY " + order_by(f, q.root is not None, score_desc=True, collate=' COLLATE "C"') + " LIMIT %s OFFSET %s"
        params += [f.limit, f.offset]
        try:
            rows = self._fetch(sql, params)
        except self.psycopg.errors.SyntaxError as exc:
            raise QueryError(f"cannot search for {q.text!r}: {str(exc).strip()}") from None
        return [row_to_hit(r[:-2], q, r[-2], r[-1], negate_score=False) for r in rows]

    def stats(self) -> IndexStats:
        def counts(sql):
            return [Count(name=None if n is None else str(n), count=c) for n, c in self._fetch(sql)]

        return IndexStats(
            backend=self.name,
            documents=self._fetch("SELECT COUNT(*) FROM documents")[0][0],
            targets=self._fetch("SELECT COUNT(*) FROM targets")[0][0],
            doc_types=counts('SELECT doc_type, COUNT(*) c FROM documents GROUP BY doc_type ORDER BY c DESC, doc_type COLLATE "C" NULLS LAST'),
            provinces=counts('SELECT province, COUNT(*) c FROM documents GROUP BY province ORDER BY c DESC, province COLLATE "C" NULLS LAST'),
            provinces_now=counts('SELECT province_now, COUNT(*) c FROM documents GROUP BY province_now ORDER BY c DESC, province_now COLLATE "C" NULLS LAST'),
            units=counts('SELECT unit, COUNT(*) c FROM targets GROUP BY unit ORDER BY c DESC, unit COLLATE "C" NULLS LAST LIMIT 20'),
            deadline_years=counts("SELECT deadline_year, COUNT(*) c FROM targets GROUP BY deadline_year ORDER BY deadline_year NULLS LAST"),
        )


def _safe(dsn: str) -> str:
    """The DSN without its password, for messages."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)


def _ref(row) -> DocumentRef:
    did, doc_type, number, issuer, issued, title, path, locality, province, province_now, scope, n = row
    return DocumentRef(id=did, doc_type=doc_type, number=number, issuer=issuer, issued_date=issued, title=title, path=path,
                       locality=locality, province=province, province_now=province_now, scope=scope, targets=n)
