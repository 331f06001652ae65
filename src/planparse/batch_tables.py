"""Flat tables of a batch (documents, targets, legal_references, agencies, sections) for pandas/DuckDB.

Each table has a fixed schema (``TABLES``: column name → type), so a CSV file and a Parquet file of
the same batch hold the same columns, and an empty batch still writes headers. Rows are computed in
the worker from the ``PlanDocument`` (``doc_rows``) and streamed by the parent to one writer per
table (``open_writers``): CSV always (stdlib), Parquet with the ``parquet`` extra (pyarrow, imported
only when asked for), written in row groups so memory stays flat.
"""

from __future__ import annotations

import csv
import os
from typing import Any, Iterator, Optional

from .emit import TARGET_COLUMNS, targets_rows
from .models import PlanDocument

S, I, F, B = "string", "int64", "float64", "bool"

_TARGET_TYPES = {"value": F, "value_max": F, "deadline_year": I, "start": I, "end": I}

TABLES: dict[str, dict[str, str]] = {
    "documents": {
        "document": S, "key": S, "sha256": S, "size": I, "format": S, "encoding": S, "doc_type": S,
        "number": S, "issuer": S, "place": S, "issued_date": S, "title": S, "start_year": I, "end_year": I,
        "parent_document": S, "signer_name": S, "signer_title": S, "is_draft": B, "sections": I, "targets": I,
        "legal_references": I, "agencies": I, "assignments": I, "budgets": I, "footnotes": I, "warnings": I,
    },
    "targets": {c: _TARGET_TYPES.get(c, S) for c in TARGET_COLUMNS},
    "legal_references": {
        "document": S, "reference_id": S, "section_id": S, "role": S, "raw": S, "doc_type": S, "number": S,
        "year": I, "symbol": S, "full_number": S, "issuer": S, "date": S, "title": S, "antecedent_id": S,
        "unresolved": B, "start": I, "end": I,
    },
    "agencies": {
        "document": S, "agency_id": S, "name": S, "level": S, "abbreviations": S, "section_id": S, "role": S,
        "raw": S, "start": I, "end": I,
    },
    "sections": {
        "document": S, "section_id": S, "parent_id": S, "depth": I, "kind": S, "label": S, "title": S,
        "start": I, "end": I, "text": S,
    },
}

TABLE_NAMES = tuple(TABLES)


def doc_rows(doc: PlanDocument, key: str) -> dict[str, list[tuple]]:
    """Every table's rows for one document, as tuples in the column order of ``TABLES``."""
    name = doc.source.path
    m = doc.metadata
    out: dict[str, list[tuple]] = {t: [] for t in TABLES}
    n_sections = sum(1 for _ in doc.iter_sections())
    out["documents"].append((
        name, key, doc.source.sha256, doc.source.size, doc.source.format, doc.source.encoding, m.doc_type,
        m.number, m.issuer, m.place, m.issued_date, m.title, m.period.start_year if m.period else None,
        m.period.end_year if m.period else None, m.parent_document, m.signer.name if m.signer else None,
        m.signer.title if m.signer else None, m.is_draft, n_sections, len(doc.targets), len(doc.legal_references),
        len(doc.agencies), len(doc.assignments), len(doc.budgets), len(doc.footnotes), len(doc.warnings),
    ))
    out["targets"] = [tuple(r[c] for c in TARGET_COLUMNS) for r in targets_rows(doc)]
    for r in doc.legal_references:
        out["legal_references"].append((
            name, r.id, r.section_id, r.role, r.raw, r.doc_type, r.number, r.year, r.symbol, r.full_number,
            r.issuer, r.date, r.title, r.antecedent_id, r.unresolved, r.span.start, r.span.end,
        ))
    for a in doc.agencies:
        abbr = "; ".join(a.abbreviations) or None
        if not a.mentions:
            out["agencies"].append((name, a.id, a.name, a.level, abbr, None, None, None, None, None))
        for mention in a.mentions:
            out["agencies"].append((
                name, a.id, a.name, a.level, abbr, mention.section_id, mention.role, mention.raw,
                mention.span.start, mention.span.end,
            ))

    def walk(nodes, parent, depth):
        for n in nodes:
            out["sections"].append((name, n.id, parent, depth, n.kind, n.label, n.title, n.span.start, n.span.end, n.text))
            walk(n.children, n.id, depth + 1)

    walk(doc.sections, None, 0)
    return out


class _CsvTable:
    def __init__(self, path: str, columns: list[str]):
        self.path = path
        self._fh = open(path, "w", encoding="utf-8", newline="")
        self._w = csv.writer(self._fh, lineterminator="\n")
        self._w.writerow(columns)

    def write(self, rows: list[tuple]) -> None:
        self._w.writerows(["" if v is None else ("true" if v is True else "false" if v is False else v) for v in row] for row in rows)

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()

    def abort(self) -> None:
        self._fh.close()


class _ParquetTable:
    ROW_GROUP = 20_000

    def __init__(self, path: str, schema: dict[str, str]):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self.path = path
        self._schema = pa.schema([(c, pa.type_for_alias(t)) for c, t in schema.items()])
        self._writer = pq.ParquetWriter(path, self._schema)
        self._buf: list[tuple] = []

    def write(self, rows: list[tuple]) -> None:
        self._buf.extend(rows)
        if len(self._buf) >= self.ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._buf:
            return
        columns = list(zip(*self._buf))
        self._buf = []
        arrays = [self._pa.array(list(col), type=f.type) for col, f in zip(columns, self._schema)]
        self._writer.write_table(self._pa.Table.from_arrays(arrays, schema=self._schema))

    def close(self) -> None:
        self._flush()
        self._writer.close()

    def abort(self) -> None:
        self._buf = []
        try:
            self._writer.close()
        except Exception:  # pragma: no cover - closing a half-written file on the way out
            pass


def parquet_available() -> Optional[str]:
    """None when pyarrow can be imported, else the reason (for a clear error up front)."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        return f"--tables parquet needs pyarrow: pip install 'planparse[parquet]' ({exc})"
    return None


class TableWriters:
    """One streaming writer per table into temporary files; ``commit`` renames them into place."""

    def __init__(self, final_dir: str, tmp_dir: str, kind: str):
        self.final_dir = final_dir
        self.kind = kind
        self._tables: dict[str, Any] = {}
        ext = "parquet" if kind == "parquet" else "csv"
        self._final = {t: os.path.join(final_dir, f"{t}.{ext}") for t in TABLES}
        try:
            for t, schema in TABLES.items():
                tmp = os.path.join(tmp_dir, f"table-{t}.{ext}")
                self._tables[t] = _ParquetTable(tmp, schema) if kind == "parquet" else _CsvTable(tmp, list(schema))
        except BaseException:
            self.abort()
            raise

    def write(self, rows: dict[str, list[tuple]]) -> None:
        for t, table_rows in rows.items():
            if table_rows:
                self._tables[t].write(table_rows)

    def commit(self) -> list[str]:
        os.makedirs(self.final_dir, exist_ok=True)
        for t, w in self._tables.items():
            w.close()
            os.replace(w.path, self._final[t])
        return [self._final[t] for t in TABLES]

    def abort(self) -> None:
        for w in self._tables.values():
            w.abort()
            try:
                os.unlink(w.path)
            except OSError:
                pass


def iter_csv(path: str) -> Iterator[dict[str, str]]:
    """Read a table written as CSV back (for tests and quick looks)."""
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)
