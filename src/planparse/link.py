"""Stage 5 — link: tie the extracted items to the source and to each other.

- every ``Span`` in the document gets its ``source_span`` (through the normalisation map);
"""

from __future__ import annotations

from pydantic import BaseModel

from .models import PlanDocument, Span
from .normalise import Normalised


def _walk_spans(obj, visit) -> None:
    if isinstance(obj, Span):
        visit(obj)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _walk_spans(getattr(obj, name), visit)
    elif isinstance(obj, list):
        for item in obj:
            _walk_spans(item, visit)


def link(doc: PlanDocument, norm: Normalised) -> PlanDocument:
    def visit(span: Span) -> None:
        span.source_span = norm.source_span(span.start, span.end)

    _walk_spans([doc.sections, doc.targets, doc.legal_references, doc.agencies, doc.budgets, doc.footnotes], visit)
    return doc
