"""Typed results of planparse.search (pydantic v2, like the rest of planparse)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentRef(_Model):
    """Which plan a hit comes from, and where that plan belongs (before and after the 2025 merger)."""

    id: str
    doc_type: Optional[str] = None
    number: Optional[str] = None
    issuer: Optional[str] = None
    issued_date: Optional[str] = None
    title: Optional[str] = None
    path: Optional[str] = None
    locality: Optional[str] = None
    province: Optional[str] = None
    province_now: Optional[str] = None
    scope: Optional[str] = None
    targets: Optional[int] = None


class SpanRef(_Model):
    start: int
    end: int


class SearchHit(_Model):
    """One target that matched: what it commits to, where it is written, and who answers for it."""

    document: DocumentRef
    target_id: str
    kind: str
    text: str
    highlights: list[tuple[int, int]] = Field(default_factory=list, description="ranges of text that match the query")
    subject: Optional[str] = None
    value: float
    value_max: Optional[float] = None
    comparator: str
    unit: Optional[str] = None
    direction: Optional[str] = None
    deadline_year: Optional[int] = None
    deadline_raw: Optional[str] = None
    baseline: Optional[str] = None
    section_id: Optional[str] = None
    section_path: str = ""
    lead: list[str] = Field(default_factory=list)
    coordinating: list[str] = Field(default_factory=list)
    agency_scope: Optional[Literal["section", "document"]] = Field(None, description="where lead/coordinating were read: the target's section, or the plan's own lead")
    span: SpanRef = Field(description="the target's value (\"90%\") in the document's normalised text")
    source_span: Optional[SpanRef] = Field(None, description="the value in the source text as decoded")
    text_span: Optional[SpanRef] = Field(None, description="the target's whole clause (text) in the normalised text")
    exact: bool = Field(False, description="the target's words match the query as typed, accents included")
    score: Optional[float] = Field(None, description="relevance from the backend (higher is better); not comparable across backends")

    def marked(self, open_: str = "[", close: str = "]") -> str:
        """The text with every highlighted range wrapped in ``open_``/``close``."""
        from .query import mark

        return mark(self.text, [tuple(h) for h in self.highlights], open_, close)

    @property
    def value_text(self) -> str:
        """"≥ 90 %", "80–90 %", "= 16 cơ sở"."""
        v = _num(self.value)
        if self.comparator == "range" and self.value_max is not None:
            s = f"{v}–{_num(self.value_max)}"
        else:
            s = f"{self.comparator.replace('>=', '≥').replace('<=', '≤')} {v}"
        return f"{s} {self.unit}" if self.unit else s


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


class AddResult(_Model):
    doc_id: str
    key: str
    status: Literal["added", "updated", "unchanged"]
    targets: int


class Passage(_Model):
    """A section's text, to open the source at a target, with the target's range inside it."""

    document: DocumentRef
    section_id: str
    section_kind: str
    section_label: Optional[str] = None
    section_title: Optional[str] = None
    section_path: str = ""
    parent_id: Optional[str] = Field(None, description="the enclosing section, for a wider passage")
    start: int = Field(description="offset of the passage in the document's normalised text")
    end: int
    text: str
    highlight: Optional[SpanRef] = Field(None, description="the target's clause, relative to the passage text")
    value: Optional[SpanRef] = Field(None, description="the target's value, relative to the passage text")
    targets: list[dict] = Field(default_factory=list, description="targets inside the passage: id, value, unit, start/end relative to the passage")


class Count(_Model):
    name: Optional[str]
    count: int


class IndexStats(_Model):
    backend: str
    documents: int
    targets: int
    doc_types: list[Count] = Field(default_factory=list)
    provinces: list[Count] = Field(default_factory=list)
    provinces_now: list[Count] = Field(default_factory=list)
    units: list[Count] = Field(default_factory=list)
    deadline_years: list[Count] = Field(default_factory=list)
