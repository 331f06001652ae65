"""Stage 5 — link: tie the extracted items to the source and to each other.

- every ``Span`` in the document gets its ``source_span`` (through the normalisation map);

The walk visits, per model class, only the fields whose annotation can hold a ``Span``.
"""

from __future__ import annotations

import types
import typing
from functools import lru_cache

from pydantic import BaseModel

from .models import PlanDocument, Span
from .normalise import Normalised

_NO_SPAN = (str, int, float, bool, bytes, type(None))


def _may_hold_span(tp, seen: frozenset = frozenset()) -> bool:
    """Whether a value annotated ``tp`` can hold a ``Span`` (directly, in a model's field, or
    in a list): False only for what certainly cannot (scalars, literals, span-free models)."""
    if tp is Span:
        return True
    if tp in _NO_SPAN:
        return False
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp in seen:
            return False  # already being looked at further up
        return any(_may_hold_span(f.annotation, seen | {tp}) for f in tp.model_fields.values())
    origin = typing.get_origin(tp)
    if origin is typing.Literal:
        return False
    if origin in (typing.Union, types.UnionType, list):
        return any(_may_hold_span(a, seen) for a in typing.get_args(tp))
    return True  # anything else: walk it, as the generic walk would


@lru_cache(maxsize=None)
def _span_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class the walk must visit (the others never hold a Span)."""
    return tuple(name for name, f in cls.model_fields.items() if _may_hold_span(f.annotation))


def _walk_spans(obj, visit) -> None:
    if isinstance(obj, Span):
        visit(obj)
    elif isinstance(obj, BaseModel):
        for name in _span_fields(type(obj)):
            _walk_spans(getattr(obj, name), visit)
    elif isinstance(obj, list):
        for item in obj:
            _walk_spans(item, visit)


def link(doc: PlanDocument, norm: Normalised) -> PlanDocument:
    def visit(span: Span) -> None:
        span.source_span = norm.source_span(span.start, span.end)

    _walk_spans([doc.sections, doc.targets, doc.legal_references, doc.agencies, doc.budgets, doc.footnotes], visit)
    return doc
