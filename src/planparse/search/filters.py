"""Search filters: validated once, turned into parameterised SQL the same way for both backends.

Filters on the structured fields (AND-ed):

- ``min`` / ``max``: the target's value range ``[value, value_max or value]`` reaches ``min`` /
  starts at or below ``max`` ("≥ 90 %" is ``min=90``);
- ``unit``: the unit, compared without accents and case ("%", "người", "co so");
- ``deadline``: the deadline year is exactly YEAR; ``by``: the deadline year is YEAR or earlier;
- ``agency``: words of the lead/coordinating agency's name or abbreviation ("lao dong",
  "Sở Y tế"), ``role``: ``lead`` or ``coordinate`` (alone: any agency with that role);
- ``province``: a province under its pre-2025 name or the one it belongs to now, or a
  district-level unit of the gazetteer (see ``places``);
- ``doc_type``: one or more document types ("Kế hoạch", "quyet dinh");
- ``kind``: ``target`` or ``statistic``.

Values only ever travel as bind parameters; the SQL text is made from fixed pieces.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..textkey import fold
from .models import DocumentRef, SearchHit, SpanRef
from .places import gazetteer
from .query import Query, QueryError, highlights, index_forms, parse_query

MAX_LIMIT = 1000
MAX_OFFSET = 100_000
SORTS = ("relevance", "value", "deadline", "date", "document")
ROLES = ("lead", "coordinate")
KINDS = ("target", "statistic")


@dataclass
class Filters:
    query: Query
    min: Optional[float] = None
    max: Optional[float] = None
    unit: Optional[str] = None
    deadline: Optional[int] = None
    by: Optional[int] = None
    agency: Optional[str] = None
    role: Optional[str] = None
    province: Optional[tuple[str, str]] = None
    doc_types: list[str] = field(default_factory=list)
    kind: Optional[str] = None
    sort: str = "relevance"
    limit: int = 20
    offset: int = 0


def _number(name: str, v: Any) -> Optional[float]:
    if v is None or v == "":
        return None
    try:
        x = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a number, not {v!r}") from None
    if math.isnan(x) or math.isinf(x):
        raise QueryError(f"{name} must be a finite number, not {v!r}")
    return x


def _year(name: str, v: Any) -> Optional[int]:
    if v is None or v == "":
        return None
    try:
        y = int(v)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a year such as 2025, not {v!r}") from None
    if not 1900 <= y <= 2200:
        raise QueryError(f"{name} must be a year between 1900 and 2200, not {y}")
    return y


def make_filters(query: Optional[str] = None, *, min: Any = None, max: Any = None, unit: Optional[str] = None,
                 deadline: Any = None, by: Any = None, agency: Optional[str] = None, role: Optional[str] = None,
                 province: Optional[str] = None, doc_type: Any = None, kind: Optional[str] = None,
                 sort: Optional[str] = None, limit: Any = 20, offset: Any = 0) -> Filters:
    """Check every filter; a bad one raises :class:`QueryError` naming it."""
    q = parse_query(query)
    f = Filters(query=q)
    f.min, f.max = _number("min", min), _number("max", max)
    if f.min is not None and f.max is not None and f.min > f.max:
        raise QueryError(f"min ({f.min:g}) is larger than max ({f.max:g})")
    f.unit = fold(unit).strip() if unit and unit.strip() else None
    f.deadline, f.by = _year("deadline", deadline), _year("by", by)
    if f.deadline is not None and f.by is not None:
        raise QueryError("use either deadline (that year) or by (that year or earlier), not both")
    if agency and agency.strip():
        a = index_forms(agency)[1]
        if not a:
            raise QueryError(f"agency {agency!r} has no words to look for")
        if len(a) > 200:
            raise QueryError("agency name too long (at most 200 characters)")
        f.agency = a
    if role:
        if role not in ROLES:
            raise QueryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        f.role = role
    if province and province.strip():
        found = gazetteer().resolve(province)
        if found is None:
            raise QueryError(f"unknown province or district {province!r} (the gazetteer knows the 63 provinces before 2025, the 34 after, and district-level towns in data/gazetteer.json)")
        f.province = found
    if doc_type:
        items = [doc_type] if isinstance(doc_type, str) else list(doc_type)
        f.doc_types = [fold(x).strip() for x in items if x and str(x).strip()]
    if kind:
        if kind not in KINDS:
            raise QueryError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        f.kind = kind
    f.sort = sort or "relevance"
    if f.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    try:
        f.limit = int(limit if limit is not None else 20)
        f.offset = int(offset or 0)
    except (TypeError, ValueError):
        raise QueryError("limit and offset must be whole numbers") from None
    if not 1 <= f.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {f.limit}")
    if not 0 <= f.offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}, not {f.offset}")
    return f


def where(f: Filters, ph: str, plus: str = "") -> tuple[list[str], list[Any]]:
    """SQL conditions over ``t`` (targets) and ``d`` (documents), with ``ph`` as the placeholder.
    ``plus="+"`` keeps SQLite from using an index for the targets' columns (so it streams the
    rows in the ORDER BY's index order and stops at the LIMIT, instead of sorting a range)."""
    sql: list[str] = []
    params: list[Any] = []
    if f.min is not None:
        sql.append(f"COALESCE({plus}t.value_max, t.value) >= {ph}")
        params.append(f.min)
    if f.max is not None:
        sql.append(f"{plus}t.value <= {ph}")
        params.append(f.max)
    if f.unit is not None:
        sql.append(f"{plus}t.unit_key = {ph}")
        params.append(f.unit)
    if f.deadline is not None:
        sql.append(f"{plus}t.deadline_year = {ph}")
        params.append(f.deadline)
    if f.by is not None:
        sql.append(f"{plus}t.deadline_year <= {ph}")
        params.append(f.by)
    if f.agency is not None:  # the agency's words in order inside one lead/coordinating name
        cols = {"lead": ["t.tsv_lead"], "coordinate": ["t.tsv_coord"]}.get(f.role or "", ["t.tsv_lead", "t.tsv_coord"])
        phrase = " <-> ".join(f"'{w}'" for w in f.agency.split())  # folded tokens: letters and digits only
        sql.append("(" + " OR ".join(f"{c} @@ {ph}::tsquery" for c in cols) + ")")
        params += [phrase] * len(cols)
    elif f.role is not None:
        sql.append("jsonb_array_length(t.lead) > 0" if f.role == "lead" else "jsonb_array_length(t.coordinating) > 0")
    if f.province is not None:
        what, name = f.province
        if what == "province":
            sql.append(f"(d.province = {ph} OR d.province_now = {ph})")
            params += [name, name]
        else:
            sql.append(f"d.locality_key = {ph}")
            params.append(fold(name))
    if f.doc_types:
        sql.append("d.doc_type_key IN (" + ", ".join([ph] * len(f.doc_types)) + ")")
        params += f.doc_types
    if f.kind is not None:
        sql.append(f"{plus}t.kind = {ph}")
        params.append(f.kind)
    return sql, params


def order_by(f: Filters, has_query: bool, score_desc: bool, deadline: str = "t.deadline_year ASC NULLS LAST") -> str:
    """ORDER BY for the sort. ``relevance`` with words: exact matches first, then the backend's
    score; without words it is the documents' order. The other sorts end, like every sort, on the
    document and the target's position (so both backends list ties alike).
    Text compares byte-wise in both backends (PostgreSQL's columns use the "C" collation).
    ``deadline``: the deadline order (SQLite sorts on a column that puts unknown years last)."""
    tail = "t.doc_id, t.span_start, t.target_id"
    if f.sort == "value":
        return f"t.value DESC, {tail}"
    if f.sort == "deadline":
        return f"{deadline}, {tail}"
    if f.sort == "date":
        return f"d.issued_date DESC NULLS LAST, {tail}"
    if f.sort == "relevance" and has_query:
        return ("exact DESC, score DESC, " if score_desc else "exact DESC, score ASC, ") + tail
    return tail


TARGET_COLS = ("t.target_id, t.kind, t.text, t.subject, t.value, t.value_max, t.comparator, t.unit, t.direction, "
               "t.deadline_year, t.deadline_raw, t.baseline, t.section_id, t.section_path, t.lead, t.coordinating, "
               "t.agency_scope, t.span_start, t.span_end, t.src_start, t.src_end, t.text_start, t.text_end")
DOC_COLS = "d.id, d.doc_type, d.number, d.issuer, d.issued_date, d.title, d.path, d.locality, d.province, d.province_now, d.scope"


def _list(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return json.loads(v)
    return list(v)


def row_to_hit(row: Iterable[Any], q: Query, exact: Any, score: Any, negate_score: bool) -> SearchHit:
    (target_id, kind, text, subject, value, value_max, comparator, unit, direction, deadline_year, deadline_raw,
     baseline, section_id, section_path, lead, coord, scope, s, e, ss, se, ts, te,
     did, doc_type, number, issuer, issued, title, path, locality, province, province_now, dscope) = row
    return SearchHit(
        document=DocumentRef(id=did, doc_type=doc_type, number=number, issuer=issuer, issued_date=issued, title=title,
                             path=path, locality=locality, province=province, province_now=province_now, scope=dscope),
        target_id=target_id, kind=kind, text=text, highlights=highlights(text, q), subject=subject, value=value,
        value_max=value_max, comparator=comparator, unit=unit, direction=direction, deadline_year=deadline_year,
        deadline_raw=deadline_raw, baseline=baseline, section_id=section_id, section_path=section_path or "",
        lead=_list(lead), coordinating=_list(coord), agency_scope=scope, span=SpanRef(start=s, end=e),
        source_span=SpanRef(start=ss, end=se) if ss is not None and se is not None else None,
        text_span=SpanRef(start=ts, end=te) if ts is not None and te is not None else None,
        exact=bool(exact), score=None if score is None else (-float(score) if negate_score else float(score)),
    )
