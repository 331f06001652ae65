"""Every typed result of planparse.

These models are the output contract (SPEC "Output contract"): field names and meanings are
stable across minor versions; a breaking change bumps ``SCHEMA_VERSION``. Offsets in ``Span``
index the normalised text (``PlanDocument.text``); ``source_span`` points back into the text
as it was decoded from the source file.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Role = Literal["lead", "coordinate", "direct", "report_to", "advise", "mentioned"]
Comparator = Literal["=", ">=", ">", "<=", "<", "range"]
Direction = Literal["increase", "decrease", "maintain", "reach"]
Level = Literal["central", "province", "district", "commune", "party", "unknown"]
RefRole = Literal["self", "parent", "basis", "implements", "cited"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceSpan(_Model):
    """A half-open character range in the decoded source text."""

    start: int
    end: int


class Span(_Model):
    """A half-open character range in the normalised text (``doc.text[start:end]``)."""

    start: int
    end: int
    source_span: Optional[SourceSpan] = None


class SourceInfo(_Model):
    path: Optional[str] = None
    format: str = "txt"
    sha256: str = ""
    size: int = 0
    encoding: Optional[str] = None
    encoding_confidence: Optional[float] = None
    extractor: Optional[str] = None


class Period(_Model):
    start_year: Optional[int] = None
    end_year: Optional[int] = None


class Signer(_Model):
    name: Optional[str] = None
    title: Optional[str] = None
    capacity: Optional[str] = None  # "TM.", "KT.", "Q.", "TL.", "TUQ."


class Metadata(_Model):
    doc_type: Optional[str] = None
    number: Optional[str] = None
    issuer: Optional[str] = None
    place: Optional[str] = None
    issued_date: Optional[str] = None
    title: Optional[str] = None
    period: Optional[Period] = None
    parent_document: Optional[str] = None
    signer: Optional[Signer] = None
    is_draft: bool = False
    recipients: list[str] = Field(default_factory=list)


class Section(_Model):
    """A node of the outline. ``text`` is the node's own body (children excluded)."""

    id: str
    kind: str
    label: Optional[str] = None
    title: Optional[str] = None
    text: str = ""
    span: Span
    heading_span: Optional[Span] = None
    children: list["Section"] = Field(default_factory=list)


class Deadline(_Model):
    year: Optional[int] = None
    date: Optional[str] = None
    quarter: Optional[int] = None
    raw: Optional[str] = None
    source: Optional[Literal["sentence", "heading", "period"]] = None


class Target(_Model):
    id: str
    section_id: Optional[str] = None
    kind: Literal["target", "statistic"] = "target"
    text: str
    subject: Optional[str] = None
    value: float
    value_max: Optional[float] = None
    comparator: Comparator = "="
    unit: Optional[str] = None
    direction: Optional[Direction] = None
    deadline: Optional[Deadline] = None
    baseline: Optional[str] = None
    raw: str = ""
    span: Span


class LegalReference(_Model):
    id: str
    section_id: Optional[str] = None
    raw: str
    doc_type: Optional[str] = None
    number: Optional[str] = None
    year: Optional[int] = None
    symbol: Optional[str] = None
    full_number: Optional[str] = None
    issuer: Optional[str] = None
    date: Optional[str] = None
    title: Optional[str] = None
    role: RefRole = "cited"
    antecedent_id: Optional[str] = None
    unresolved: bool = False
    span: Span


class AgencyMention(_Model):
    section_id: Optional[str] = None
    raw: str
    role: Role
    span: Span


class Agency(_Model):
    id: str
    name: str
    abbreviations: list[str] = Field(default_factory=list)
    level: Level = "unknown"
    mentions: list[AgencyMention] = Field(default_factory=list)


class Assignment(_Model):
    section_id: Optional[str] = None
    task: Optional[str] = None
    lead: list[str] = Field(default_factory=list)
    coordinating: list[str] = Field(default_factory=list)
    directing: Optional[str] = None
    timeframe: Optional[str] = None
    output: Optional[str] = None


class Budget(_Model):
    id: str
    section_id: Optional[str] = None
    raw: str
    amount_vnd: Optional[float] = None
    unit: Optional[str] = None
    per_unit: Optional[str] = None
    source: Optional[str] = None
    span: Span


class Footnote(_Model):
    id: str
    marker: str
    text: str
    span: Span  # the body, inside the footnote area at the end of ``doc.text``
    anchor: Optional[int] = None  # offset in the normalised text where the marker stood
    marker_source_span: Optional[SourceSpan] = None
    section_id: Optional[str] = None


class Removal(_Model):
    """Something normalisation took out of, or rewrote in, the source text."""

    kind: str
    source_span: SourceSpan
    text: str
    replacement: str = ""


class Warning(_Model):
    code: str
    message: str
    span: Optional[Span] = None


class PlanDocument(_Model):
    schema_version: str = SCHEMA_VERSION
    source: SourceInfo = Field(default_factory=SourceInfo)
    metadata: Metadata = Field(default_factory=Metadata)
    sections: list[Section] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    legal_references: list[LegalReference] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    budgets: list[Budget] = Field(default_factory=list)
    footnotes: list[Footnote] = Field(default_factory=list)
    removals: list[Removal] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    text: Optional[str] = None

    def iter_sections(self):
        """All sections in document order (depth first)."""
        stack = list(reversed(self.sections))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def section(self, section_id: str) -> Optional[Section]:
        for node in self.iter_sections():
            if node.id == section_id:
                return node
        return None
