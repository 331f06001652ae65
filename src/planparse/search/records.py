"""A parsed plan turned into the rows both backends store: one document row, one row per target.

Who leads a target. Plans rarely name an agency next to each target; they say it in the section
that holds the target (an activity block's "c. Cơ quan chủ trì: …") or in "Tổ chức thực hiện".
The rule, the same for both backends:

1. walk up from the target's section: the first section that itself names a lead or a
   coordinating agency (an assignment, or a mention with role ``lead``/``coordinate``) gives
   them — or, when exactly one section below it does (the activity block beside the target), that
   one does; scope ``section``;
2. when the walk meets two or more such sections below one heading (the plan's list of
   responsibilities), or reaches the top, the plan's own lead is used: the first assignment with
   a lead, in document order (the agency "chủ trì, tổ chức triển khai Kế hoạch"); scope
   ``document``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Optional

from .. import __version__
from ..models import SCHEMA_VERSION, PlanDocument, Section
from ..textkey import fold
from .places import gazetteer
from .query import index_forms

INDEX_FORMAT = 2  # bump when the stored rows or tables change: an older index must be made anew


@dataclass
class TargetRecord:
    target_id: str
    section_id: Optional[str]
    section_path: str
    kind: str
    text: str
    subject: Optional[str]
    value: float
    value_max: Optional[float]
    comparator: str
    unit: Optional[str]
    direction: Optional[str]
    deadline_year: Optional[int]
    deadline_raw: Optional[str]
    baseline: Optional[str]
    start: int
    end: int
    src_start: Optional[int]
    src_end: Optional[int]
    text_start: Optional[int]
    text_end: Optional[int]
    lead: list[str]
    coordinating: list[str]
    agency_scope: Optional[str]
    exact: str
    folded: str
    unit_key: Optional[str]
    agencies: list[tuple[str, str, str]] = field(default_factory=list)  # (name, role, folded name + abbreviations)


@dataclass
class DocRecord:
    key: str
    slug: str
    source_sha256: str
    content_hash: str
    parser_version: str
    doc_type: Optional[str]
    doc_type_key: Optional[str]
    number: Optional[str]
    issuer: Optional[str]
    issued_date: Optional[str]
    title: Optional[str]
    path: Optional[str]
    locality: Optional[str]
    locality_key: Optional[str]
    province: Optional[str]
    province_now: Optional[str]
    scope: Optional[str]
    doc_json: str
    targets: list[TargetRecord]


def target_rowid(n_tokens: int, seq: int) -> int:
    """A target's id in both backends: its length in tokens in the high bits, a running number in
    the low 32 — so ids in ascending order list the shortest targets first (the rank window)."""
    return (min(max(n_tokens, 0), (1 << 30) - 1) << 32) | (seq & 0xFFFFFFFF)


def parser_version() -> str:
    return f"{__version__}/{SCHEMA_VERSION}/{INDEX_FORMAT}"


def document_key(doc: PlanDocument) -> str:
    """A document's identity in the index: its source path (so a changed file replaces its rows)."""
    if doc.source.path:
        return os.path.normpath(doc.source.path).replace(os.sep, "/")
    return "sha256:" + doc.source.sha256


def slug_of(key: str) -> str:
    import regex as re

    stem = key.rsplit("/", 1)[-1]
    if stem.startswith("sha256:"):
        stem = "doc-" + stem[7:19]
    stem = stem.rsplit(".", 1)[0] if "." in stem[1:] else stem
    s = re.sub(r"[^a-z0-9._-]+", "-", fold(stem)).strip("-.")
    return s[:80] or "doc"


def section_titles(doc: PlanDocument) -> tuple[dict[str, str], dict[str, Optional[str]], list[str]]:
    """Display title and parent of every section, and the ids in document order."""
    titles: dict[str, str] = {}
    parents: dict[str, Optional[str]] = {}
    order: list[str] = []

    def walk(nodes: list[Section], parent: Optional[str]) -> None:
        for n in nodes:
            titles[n.id] = display_title(n)
            parents[n.id] = parent
            order.append(n.id)
            walk(n.children, n.id)

    walk(doc.sections, None)
    return titles, parents, order


def display_title(n: Section) -> str:
    """"I. MỤC TIÊU", "2. Mục tiêu cụ thể", "b)"; a bullet only when it is a short heading, else ""."""
    title = " ".join((n.title or "").split())
    if n.kind == "bullet":
        return title if 0 < len(title) <= 60 else ""
    if len(title) > 90:
        title = title[:87].rstrip() + "…"
    label = n.label or ""
    if label and label[-1].isalnum():
        label += ")" if n.kind == "point" else "."
    if label and title:
        return title if title.startswith(n.label or "") else f"{label} {title}"
    return label or title or ("" if n.kind in ("table", "para") else n.kind)


def section_path(sid: Optional[str], titles: dict, parents: dict) -> str:
    out = []
    seen = set()
    while sid and sid not in seen:
        seen.add(sid)
        if titles.get(sid, sid):
            out.append(titles.get(sid, sid))
        sid = parents.get(sid)
    return " › ".join(reversed(out))


def _dedupe(names):
    out = []
    for n in names:
        if n and n not in out:
            out.append(n)
    return out


def responsibility_sites(doc: PlanDocument) -> dict[str, tuple[list[str], list[str]]]:
    """section id → (lead agencies, coordinating agencies) named in that section itself."""
    sites: dict[str, tuple[list[str], list[str]]] = {}
    for a in doc.assignments:
        if a.section_id and (a.lead or a.coordinating):
            lead, coord = sites.setdefault(a.section_id, ([], []))
            lead.extend(a.lead)
            coord.extend(a.coordinating)
    for ag in doc.agencies:
        for m in ag.mentions:
            if m.section_id and m.role in ("lead", "coordinate"):
                lead, coord = sites.setdefault(m.section_id, ([], []))
                (lead if m.role == "lead" else coord).append(ag.name)
    # a section counts only when it names a lead: a lone "phối hợp với …" inside a task says
    # who helps with that task, not who answers for the targets around it
    return {sid: (_dedupe(lead), [c for c in _dedupe(coord) if c not in lead]) for sid, (lead, coord) in sites.items() if lead}


def attribute(doc: PlanDocument, parents: dict, order: list[str]) -> tuple[dict[str, tuple[list[str], list[str], str]], tuple[list[str], list[str]] | None]:
    """For every section: (lead, coordinating, scope) by the rule in the module docstring."""
    sites = responsibility_sites(doc)
    pos = {sid: i for i, sid in enumerate(order)}
    below: dict[str, list[str]] = {}  # section → sites strictly below it
    for sid in sites:
        p = parents.get(sid)
        seen = set()
        while p and p not in seen:
            seen.add(p)
            below.setdefault(p, []).append(sid)
            p = parents.get(p)
    plan_lead = None
    for a in sorted(doc.assignments, key=lambda a: pos.get(a.section_id or "", len(order))):
        if a.lead:
            plan_lead = (_dedupe(a.lead), [c for c in _dedupe(a.coordinating) if c not in a.lead])
            break
    if plan_lead is None:
        for sid in sorted(sites, key=lambda s: pos.get(s, len(order))):
            if sites[sid][0]:
                plan_lead = (sites[sid][0], [])
                break
    cache: dict[str, tuple[list[str], list[str], str]] = {}

    def for_section(sid: Optional[str]):
        if sid in cache:
            return cache[sid]
        s = sid
        seen = set()
        result = None
        while s and s not in seen:
            seen.add(s)
            if s in sites:
                result = (*sites[s], "section")
                break
            under = below.get(s, [])
            if len(under) == 1:
                result = (*sites[under[0]], "section")
                break
            if len(under) > 1:
                break
            s = parents.get(s)
        if result is None:
            result = (*plan_lead, "document") if plan_lead else ([], [], None)
        cache[sid] = result
        return result

    return {sid: for_section(sid) for sid in order} | {"": for_section(None)}, plan_lead


def locality_key(locality: Optional[str]) -> Optional[str]:
    """"thành phố Biên Hòa" → "bien hoa" (what ``--province`` compares for a district-level unit)."""
    if not locality:
        return None
    import regex as re

    return re.sub(r"^(?:thanh pho|thi xa|huyen|quan)\s+", "", fold(locality))


def clause_span(text: Optional[str], clause: str, start: int, end: int) -> tuple[Optional[int], Optional[int]]:
    """Where the target's clause (``Target.text``) stands in the document text, around its value
    (``Target.span`` covers only the value, "90%"). Whitespace may differ: wraps are rejoined,
    and table cells "| 12 |" may stand as "|12|", so the fallback compares without whitespace."""
    if not text or not clause:
        return None, None
    lo, hi = max(0, start - 3 * len(clause) - 64), min(len(text), end + 3 * len(clause) + 64)  # padded table cells
    i = text.find(clause, lo, hi)
    while i >= 0:
        if i <= start and end <= i + len(clause):
            return i, i + len(clause)
        i = text.find(clause, i + 1, hi)
    want = "".join(clause.split())
    if not want:
        return None, None
    pos = [k for k in range(lo, hi) if not text[k].isspace()]  # offsets of the non-space characters
    squeezed = "".join(text[k] for k in pos)
    i = squeezed.find(want)
    while i >= 0:
        s, e = pos[i], pos[i + len(want) - 1] + 1
        if s <= start and end <= e:
            return s, e
        i = squeezed.find(want, i + 1)
    return None, None


def agency_key(name: str, abbreviations: list[str] = ()) -> str:
    """" so lao dong thuong binh va xa hoi ldtbxh " — folded tokens of the name and its
    abbreviations, padded, so the agency filter matches whole words in order."""
    return " " + index_forms(" ".join([name, *abbreviations]))[1] + " "


def unit_key(unit: Optional[str]) -> Optional[str]:
    return fold(unit) if unit else None


def build(doc: PlanDocument, key: Optional[str] = None) -> DocRecord:
    """The rows of one document."""
    key = key or document_key(doc)
    titles, parents, order = section_titles(doc)
    by_section, _ = attribute(doc, parents, order)
    abbrevs = {a.name: a.abbreviations for a in doc.agencies}
    akeys: dict[str, str] = {}

    def akey(name: str) -> str:
        if name not in akeys:
            akeys[name] = agency_key(name, abbrevs.get(name, []))
        return akeys[name]

    m = doc.metadata
    place = gazetteer().place_of(m.issuer, m.place, m.issued_date)
    targets = []
    for t in doc.targets:
        lead, coord, scope = by_section.get(t.section_id or "", by_section[""])
        exact, folded = index_forms(t.text)
        ss = t.span.source_span
        ts, te = clause_span(doc.text, t.text, t.span.start, t.span.end)
        agencies = [(n, "lead", akey(n)) for n in lead] + [(n, "coordinate", akey(n)) for n in coord]
        targets.append(TargetRecord(
            target_id=t.id, section_id=t.section_id, section_path=section_path(t.section_id, titles, parents),
            kind=t.kind, text=t.text, subject=t.subject, value=t.value, value_max=t.value_max,
            comparator=t.comparator, unit=t.unit, direction=t.direction,
            deadline_year=t.deadline.year if t.deadline else None, deadline_raw=t.deadline.raw if t.deadline else None,
            baseline=t.baseline, start=t.span.start, end=t.span.end,
            src_start=ss.start if ss else None, src_end=ss.end if ss else None, text_start=ts, text_end=te,
            lead=lead, coordinating=coord, agency_scope=scope, exact=exact, folded=folded,
            unit_key=unit_key(t.unit), agencies=agencies,
        ))
    doc_json = doc.model_dump_json()
    return DocRecord(
        key=key, slug=slug_of(key), source_sha256=doc.source.sha256,
        content_hash=hashlib.sha256((parser_version() + doc_json).encode("utf-8", "surrogatepass")).hexdigest(),
        parser_version=parser_version(), doc_type=m.doc_type, doc_type_key=fold(m.doc_type) if m.doc_type else None,
        number=m.number, issuer=m.issuer, issued_date=m.issued_date, title=m.title, path=doc.source.path,
        locality=place.locality, locality_key=locality_key(place.locality), province=place.province, province_now=place.province_now, scope=place.scope,
        doc_json=doc_json, targets=targets,
    )


def load_document(doc_json: str | bytes) -> dict:
    return json.loads(doc_json)
