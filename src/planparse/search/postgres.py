"""The scale backend: PostgreSQL (``postgresql://…``), same API, same hits as SQLite.

Documents are stored as JSONB. Each target row holds ``tsvector`` columns built from the tokens
made in Python by :mod:`planparse.search.query` — exact and folded forms, positions kept for
phrases — and from its lead / coordinating agencies (each name closed by a separator, so an
agency phrase matches inside one name), all with GIN indexes; queries are compiled to
``tsquery`` literals from the same parse tree as FTS5's. Folding happens in Python rather than
with ``unaccent``, so both backends agree on every token (``unaccent`` knows neither our tone
placement, hoà = hòa, nor which forms are "exact"); for the same reason the agency filter is a
phrase over agency tokens rather than ``pg_trgm`` similarity.

Ranking mirrors the SQLite backend: target ids carry the target's length in tokens in their
high bits, the ``rank_window`` shortest matches (first the exact ones, then the accent-free
ones) are ranked with ``ts_rank``, exact matches first. Text columns use the "C" collation, so
ties and sorts order byte-wise as in SQLite.

Needs psycopg 3 (``pip install 'planparse[postgres]'``).
"""

from __future__ import annotations

import json
import threading
import time

from .base import Backend, SearchError, check_format
from .filters import DOC_COLS, TARGET_COLS, Filters, order_by, row_to_hit, where
from .models import Count, DocumentRef, IndexStats, SearchHit
from .query import QueryError
from .facets import agency_text
from .records import INDEX_FORMAT, DocRecord, target_rowid


SCHEMA = [
    "CREATE TABLE IF NOT EXISTS planparse_meta (key text PRIMARY KEY, value text)",
    """CREATE TABLE IF NOT EXISTS documents (
  id text COLLATE "C" PRIMARY KEY, key text NOT NULL UNIQUE, source_sha256 text, content_hash text, parser_version text,
  doc_type text, doc_type_key text, number text, issuer text, issued_date text COLLATE "C", title text, path text,
  locality text, locality_key text, province text, province_now text, scope text, n_targets integer NOT NULL,
  doc jsonb NOT NULL, indexed_at double precision NOT NULL)""",
    "CREATE SEQUENCE IF NOT EXISTS targets_seq",
    """CREATE TABLE IF NOT EXISTS targets (
  tid bigint PRIMARY KEY, doc_id text COLLATE "C" NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  target_id text COLLATE "C" NOT NULL, section_id text, section_path text, kind text NOT NULL, text text NOT NULL, subject text,
  value double precision NOT NULL, value_max double precision, comparator text NOT NULL, unit text, unit_key text,
  direction text, deadline_year integer, deadline_raw text, baseline text, span_start integer NOT NULL,
  span_end integer NOT NULL, src_start integer, src_end integer, text_start integer, text_end integer, lead jsonb NOT NULL,
  coordinating jsonb NOT NULL, agency_scope text, tsv_exact tsvector NOT NULL, tsv_folded tsvector NOT NULL,
  tsv_lead tsvector NOT NULL, tsv_coord tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS targets_doc ON targets(doc_id, span_start, target_id)",
    "CREATE INDEX IF NOT EXISTS targets_value ON targets(value DESC, doc_id, span_start, target_id)",
    "CREATE INDEX IF NOT EXISTS targets_deadline ON targets(deadline_year ASC NULLS LAST, doc_id, span_start, target_id)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_folded ON targets USING gin(tsv_folded)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_exact ON targets USING gin(tsv_exact)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_lead ON targets USING gin(tsv_lead)",
    "CREATE INDEX IF NOT EXISTS targets_tsv_coord ON targets USING gin(tsv_coord)",
    "CREATE INDEX IF NOT EXISTS documents_province ON documents(province)",
    "CREATE INDEX IF NOT EXISTS documents_province_now ON documents(province_now)",
]
RANK_WINDOW = 1000


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

    def __init__(self, dsn: str, *, create: bool = True, readonly: bool = False, rank_window: int | None = RANK_WINDOW) -> None:
        self.psycopg = _psycopg()
        self.dsn = dsn
        self.rank_window = rank_window
        self.readonly = readonly
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()
        con = self.con
        try:
            with con.cursor() as cur:
                if not readonly and create:
                    cur.execute("SELECT pg_advisory_xact_lock(hashtext('planparse_schema'))")
                    for stmt in SCHEMA:
                        cur.execute(stmt)
                    cur.execute("INSERT INTO planparse_meta(key, value) VALUES ('index_format', %s) ON CONFLICT (key) DO NOTHING", (str(INDEX_FORMAT),))
                    con.commit()
                cur.execute("SELECT value FROM planparse_meta WHERE key = 'index_format'")
                row = cur.fetchone()
                if row is None:
                    raise SearchError("not a planparse index (no index_format)", _safe(dsn))
                check_format(row[0], _safe(dsn))
            con.commit()
        except self.psycopg.errors.UndefinedTable:
            con.rollback()
            raise SearchError("not a planparse index (make one with: planparse index PLANS... --db URL)", _safe(dsn)) from None

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
            cur.execute("SELECT nextval('targets_seq') FROM generate_series(1, %s)", (len(rec.targets),))
            tids = [target_rowid(len(t.folded.split()), r[0]) for r, t in zip(cur.fetchall(), rec.targets)]
            cols = ("tid, doc_id, target_id, section_id, section_path, kind, text, subject, value, value_max, comparator, unit,"
                    " unit_key, direction, deadline_year, deadline_raw, baseline, span_start, span_end, src_start, src_end, text_start, text_end,"
                    " lead, coordinating, agency_scope, tsv_exact, tsv_folded, tsv_lead, tsv_coord")
            with cur.copy(f"COPY targets ({cols}) FROM STDIN") as copy:
                for tid, t in zip(tids, rec.targets):
                    lead = agency_text([k for _, role, k in t.agencies if role == "lead"])
                    coord = agency_text([k for _, role, k in t.agencies if role == "coordinate"])
                    copy.write_row((tid, doc_id, t.target_id, t.section_id, t.section_path, t.kind, t.text, t.subject,
                                    t.value, t.value_max, t.comparator, t.unit, t.unit_key, t.direction, t.deadline_year,
                                    t.deadline_raw, t.baseline, t.start, t.end, t.src_start, t.src_end, t.text_start, t.text_end,
                                    json.dumps(t.lead, ensure_ascii=False), json.dumps(t.coordinating, ensure_ascii=False),
                                    t.agency_scope, tsvector_literal(t.exact), tsvector_literal(t.folded),
                                    tsvector_literal(lead), tsvector_literal(coord)))

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
        q = f.query
        try:
            if q.root is not None and f.sort == "relevance":
                return self._ranked(f)
            conds, params = where(f, "%s")
            if q.root is not None:
                conds = ["t.tsv_folded @@ %s::tsquery", *conds]
                params = [q.tsquery(), *params]
                sql = f"SELECT {TARGET_COLS}, {DOC_COLS}, (t.tsv_exact @@ %s::tsquery) AS exact FROM targets t JOIN documents d ON d.id = t.doc_id"
                params = [q.tsquery(exact=True), *params]
            else:
                sql = f"SELECT {TARGET_COLS}, {DOC_COLS}, false AS exact FROM targets t JOIN documents d ON d.id = t.doc_id"
            if conds:
                sql += " WHERE " + " AND ".join(conds)
            sql += f" ORDER BY {order_by(f, False, score_desc=True)} LIMIT %s OFFSET %s"
            rows = self._fetch(sql, [*params, f.limit, f.offset])
        except self.psycopg.errors.SyntaxError as exc:
            raise QueryError(f"cannot search for {q.text!r}: {str(exc).strip()}") from None
        return [row_to_hit(r[:-1], q, r[-1], None, negate_score=False) for r in rows]

    def _ranked(self, f: Filters) -> list[SearchHit]:
        """Relevance, as in the SQLite backend: the exact matches ranked first, then the others."""
        q = f.query
        conds, params = where(f, "%s")
        need = f.offset + f.limit
        exact_q, folded_q = q.tsquery(exact=True), q.tsquery(exact=False)
        ranked = [(tid, s, True) for tid, s in self._rank("tsv_exact", exact_q, conds, params, need)]
        if len(ranked) < need:
            seen = {tid for tid, _, _ in ranked}
            rest = self._rank("tsv_folded", folded_q, conds, params, need + len(seen))
            ranked += [(tid, s, False) for tid, s in rest if tid not in seen][: need - len(ranked)]
        page = ranked[f.offset:need]
        if not page:
            return []
        rows = self._fetch(f"SELECT t.tid, {TARGET_COLS}, {DOC_COLS} FROM targets t JOIN documents d ON d.id = t.doc_id"
                           " WHERE t.tid = ANY(%s)", ([tid for tid, _, _ in page],))
        by_tid = {r[0]: r[1:] for r in rows}
        return [row_to_hit(by_tid[tid], q, exact, score, negate_score=False) for tid, score, exact in page if tid in by_tid]

    def _rank(self, column: str, tsq: str, conds: list[str], params: list, need: int) -> list[tuple[int, float]]:
        """The ``need`` best of the ``rank_window`` shortest matches (all matches without a window)."""
        window = max(self.rank_window, need) if self.rank_window else None
        where_sql = " AND ".join([f"t.{column} @@ %s::tsquery", *conds])
        sql = (f"SELECT c.tid, ts_rank(c.{column}, %s::tsquery) AS s FROM ("
               f"SELECT t.tid, t.{column} FROM targets t JOIN documents d ON d.id = t.doc_id WHERE {where_sql}"
               f" ORDER BY t.tid{' LIMIT %s' if window else ''}) c ORDER BY s DESC, c.tid LIMIT %s")
        args = [tsq, tsq, *params, *([window] if window else []), need]
        return [(tid, s) for tid, s in self._fetch(sql, args)]

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
