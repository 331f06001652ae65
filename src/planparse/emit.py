"""Stage 6 — emit: deterministic JSON, JSONL lines, a flat targets table, JSON Schema files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterable

from .models import PlanDocument


def to_json(doc: PlanDocument, *, include_text: bool = False, indent: int | None = 2) -> str:
    """Same input → byte-identical output (field order is the model's, lists keep document order)."""
    exclude = None if include_text else {"text"}
    return doc.model_dump_json(indent=indent, exclude=exclude)


def to_jsonl_line(doc: PlanDocument, *, include_text: bool = False) -> str:
    return to_json(doc, include_text=include_text, indent=None)


TARGET_COLUMNS = [
    "document", "number", "issuer", "issued_date", "target_id", "section_id", "section_path", "kind",
    "subject", "comparator", "value", "value_max", "unit", "direction", "deadline_year", "deadline_raw",
    "baseline", "text", "start", "end",
]


def targets_rows(doc: PlanDocument) -> Iterable[dict]:
    """One flat row per target, with the document's identity and the section path of titles."""
    titles = {}
    parents = {}

    def walk(nodes, parent):
        for n in nodes:
            titles[n.id] = n.label or n.title or n.kind
            parents[n.id] = parent
            walk(n.children, n.id)

    walk(doc.sections, None)

    def path(sid):
        out = []
        while sid:
            out.append(titles.get(sid, sid))
            sid = parents.get(sid)
        return " > ".join(reversed(out))

    for t in doc.targets:
        yield {
            "document": doc.source.path,
            "number": doc.metadata.number,
            "issuer": doc.metadata.issuer,
            "issued_date": doc.metadata.issued_date,
            "target_id": t.id,
            "section_id": t.section_id,
            "section_path": path(t.section_id),
            "kind": t.kind,
            "subject": t.subject,
            "comparator": t.comparator,
            "value": t.value,
            "value_max": t.value_max,
            "unit": t.unit,
            "direction": t.direction,
            "deadline_year": t.deadline.year if t.deadline else None,
            "deadline_raw": t.deadline.raw if t.deadline else None,
            "baseline": t.baseline,
            "text": t.text,
            "start": t.span.start,
            "end": t.span.end,
        }


def targets_csv(docs: Iterable[PlanDocument]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=TARGET_COLUMNS, lineterminator="\n")
    w.writeheader()
    for doc in docs:
        for row in targets_rows(doc):
            w.writerow(row)
    return buf.getvalue()


def schema_files() -> dict[str, str]:
    """The JSON Schema files generated from the models, name → content."""
    schema = PlanDocument.model_json_schema()
    return {"plan_document.schema.json": json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in schema_files().items():
        p = directory / name
        p.write_text(content, encoding="utf-8")
        written.append(p)
    return written
