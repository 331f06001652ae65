"""spaCy pipeline component ``"planparse"`` (extra ``planparse[spacy]``).

    >>> import spacy
    >>> nlp = spacy.blank("vi")          # Vietnamese word tokens through pyvi; "xx" works too
    >>> nlp.add_pipe("planparse")
    >>> doc = nlp(open("corpora/dong-nai_2018_tro-giup-xa-hoi.txt", encoding="utf-8").read())
    >>> [(s.text, s._.value, s._.unit, s._.deadline) for s in doc.spans["targets"]][:2]
    [('03 cơ sở', 3.0, 'cơ sở', 2020), ('16 cơ sở', 16.0, 'cơ sở', 2020)]

The component runs planparse's own parser (``planparse.parse_text``) on ``doc.text`` and puts
what it found on the ``Doc`` — nothing is re-extracted with spaCy:

- ``doc.spans["legal_references"]`` — label ``LEGAL_REF``; ``span._.full_number``
  ("565/QĐ-TTg"), ``span._.doc_type``, ``span._.date``;
- ``doc.spans["agencies"]`` — one span per mention, label ``AGENCY``; ``span._.agency``
  (canonical name), ``span._.role`` (``lead``, ``coordinate``, ``direct``, ``report_to``,
  ``advise``, ``mentioned``);
- ``doc.spans["targets"]`` — label ``TARGET``; ``span._.value``, ``span._.value_max``,
  ``span._.comparator``, ``span._.unit``, ``span._.deadline`` (the year, or ``None``),
  ``span._.subject``;
- every span: ``span._.planparse_id`` — the item's id in the JSON ("tgt-3", "ref-1", "ag-4");
  ``span._.section_id`` — the outline node it sits in;
- ``doc.ents`` — those spans where they do not overlap each other or entities already set by
  earlier components (the longer span wins, then the earlier one);
- ``doc._.planparse`` — the whole ``PlanDocument`` (outline, metadata, budgets …), unless the
  component was added with ``config={"keep_document": False}``: a ``Doc`` holding it cannot be
  serialised with ``DocBin(store_user_data=True)``.

Offsets: planparse's spans index its normalised text; their ``source_span`` points back into the
text it was given, which here is ``doc.text``, and those offsets are widened to whole tokens
(``doc.char_span(..., alignment_mode="expand")``) — with the word tokens of ``spacy.blank("vi")``
("Ủy ban", "nhân dân") a span may grow to the edge of a multi-syllable token.

Registration: importing this module registers the factory; installed with the ``spacy`` extra,
the ``spacy_factories`` entry point makes ``nlp.add_pipe("planparse")`` work without the import.
"""

from __future__ import annotations

from typing import Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .models import Span as PlanSpan

SPAN_KEYS = ("legal_references", "agencies", "targets")
LABELS = {"legal_references": "LEGAL_REF", "agencies": "AGENCY", "targets": "TARGET"}

_SPAN_EXTENSIONS = (
    "planparse_id", "section_id",
    "full_number", "doc_type", "date",
    "agency", "role",
    "value", "value_max", "comparator", "unit", "deadline", "subject",
)


def _register_extensions() -> None:
    for name in _SPAN_EXTENSIONS:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)
    if not Doc.has_extension("planparse"):
        Doc.set_extension("planparse", default=None)


class PlanparseComponent:
    """Adds planparse's legal references, agency mentions and targets to a ``Doc``."""

    def __init__(self, nlp: Language, name: str = "planparse", *, set_ents: bool = True, keep_document: bool = True):
        _register_extensions()
        self.name = name
        self.set_ents = set_ents
        self.keep_document = keep_document

    def __call__(self, doc: Doc) -> Doc:
        from .pipeline import parse_text

        text = doc.text  # spaCy rebuilds Doc.text from the tokens at every access
        plan = parse_text(text)
        size = len(text)
        groups = {key: [] for key in SPAN_KEYS}
        for ref in plan.legal_references:
            span = _char_span(doc, size, ref.span, LABELS["legal_references"], ref.id)
            if span is not None:
                _set(span, planparse_id=ref.id, section_id=ref.section_id, full_number=ref.full_number, doc_type=ref.doc_type, date=ref.date)
                groups["legal_references"].append(span)
        for agency in plan.agencies:
            for n, mention in enumerate(agency.mentions, 1):
                span = _char_span(doc, size, mention.span, LABELS["agencies"], f"{agency.id}#{n}")
                if span is not None:
                    _set(span, planparse_id=agency.id, section_id=mention.section_id, agency=agency.name, role=mention.role)
                    groups["agencies"].append(span)
        for target in plan.targets:
            span = _char_span(doc, size, target.span, LABELS["targets"], target.id)
            if span is not None:
                _set(
                    span,
                    planparse_id=target.id,
                    section_id=target.section_id,
                    value=target.value,
                    value_max=target.value_max,
                    comparator=target.comparator,
                    unit=target.unit,
                    deadline=target.deadline.year if target.deadline else None,
                    subject=target.subject,
                )
                groups["targets"].append(span)
        for key, spans in groups.items():
            doc.spans[key] = sorted(spans, key=lambda s: (s.start, s.end))
        if self.set_ents:
            doc.ents = _merge_ents(doc.ents, [s for spans in groups.values() for s in spans])
        if self.keep_document:
            doc._.planparse = plan
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


def _char_span(doc: Doc, size: int, span: PlanSpan, label: str, item_id: str) -> Optional[Span]:
    """The token-aligned span of a planparse span (``size`` = ``len(doc.text)``); ``None`` if it covers no token."""
    src = span.source_span or span
    start, end = max(0, src.start), min(size, src.end)
    if end <= start:
        return None
    return doc.char_span(start, end, label=label, alignment_mode="expand", span_id=item_id)


def _set(span: Span, **values) -> None:
    for name, value in values.items():
        setattr(span._, name, value)


def _merge_ents(existing: Iterable[Span], ours: list[Span]) -> list[Span]:
    """Existing entities stay; ours fill the gaps, longest first, then earliest."""
    taken: set[int] = set()
    kept = list(existing)
    for ent in kept:
        taken.update(range(ent.start, ent.end))
    for span in filter_spans(ours):
        if not taken.intersection(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


@Language.factory(
    "planparse",
    default_config={"set_ents": True, "keep_document": True},
    assigns=["doc.spans", "doc.ents", "doc._.planparse"] + [f"span._.{n}" for n in _SPAN_EXTENSIONS],
)
def make_planparse(nlp: Language, name: str, set_ents: bool, keep_document: bool) -> PlanparseComponent:
    return PlanparseComponent(nlp, name, set_ents=set_ents, keep_document=keep_document)

