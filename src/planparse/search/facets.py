"""The SQLite backend's categorical filters as FTS5 terms, so they cost no more than a word.

Every target's FTS5 row carries, besides its words, hidden columns:

- ``facets``: one token per categorical value — ``kd``+kind, ``dt``+document type, ``pv``+province
  as issued, ``pn``+province now, ``lc``+district-level unit, ``un``+unit (hex of its folded
  UTF-8, so "%" is a token), ``dy``+deadline year and ``dd``+its decade (for "by YEAR"),
  ``haslead`` / ``hascoord``;
- ``lead`` and ``coord``: the folded words of the lead / coordinating agencies' names and
  abbreviations, each name followed by a separator token, so an agency phrase matches inside
  one name only — the same whole-words-in-order rule as the ``LIKE '% words %'`` of the other
  backend.

A filter on these becomes an FTS5 expression AND-ed with the words (FTS5 intersects the lists);
only the numeric range (``min``/``max``) is checked on the ``targets`` table.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import regex as re

from ..textkey import fold
from .filters import Filters

SEP = "zzagencysep"
_NON_ALNUM = re.compile(r"[^\p{L}\p{N}]+")


def _k(text: str) -> str:
    return _NON_ALNUM.sub("", fold(text))


def unit_token(unit_key: str) -> str:
    return "un" + unit_key.encode("utf-8").hex()


def year_tokens(year: int) -> list[str]:
    if year < 1900:
        return [f"dy{year}", "ddold"]
    return [f"dy{year}", f"dd{year // 10}"]


def facet_text(kind: str, doc_type_key: Optional[str], province: Optional[str], province_now: Optional[str],
               locality_key: Optional[str], unit_key: Optional[str], deadline_year: Optional[int],
               has_lead: bool, has_coord: bool) -> str:
    toks = ["kd" + _k(kind)]
    if doc_type_key:
        toks.append("dt" + _k(doc_type_key))
    if province:
        toks.append("pv" + _k(province))
    if province_now:
        toks.append("pn" + _k(province_now))
    if locality_key:
        toks.append("lc" + _k(locality_key))
    if unit_key:
        toks.append(unit_token(unit_key))
    if deadline_year is not None:
        toks += year_tokens(deadline_year)
    if has_lead:
        toks.append("haslead")
    if has_coord:
        toks.append("hascoord")
    return " ".join(toks)


def agency_text(keys: list[str]) -> str:
    """``agency_key`` strings (padded folded words) → the words, each name closed by SEP."""
    return " ".join(f"{k.strip()} {SEP}" for k in keys if k.strip())


def facet_match(f: Filters) -> Optional[str]:
    """The FTS5 expression for the categorical filters of ``f`` (None when it has none)."""
    parts: list[str] = []

    def any_of(tokens: list[str]) -> str:
        return "facets : (" + " OR ".join(f'"{t}"' for t in tokens) + ")"

    if f.kind:
        parts.append(any_of(["kd" + _k(f.kind)]))
    if f.doc_types:
        parts.append(any_of(["dt" + _k(d) for d in f.doc_types if _k(d)] or ["dtnone"]))
    if f.province:
        what, name = f.province
        parts.append(any_of(["pv" + _k(name), "pn" + _k(name)] if what == "province" else ["lc" + _k(name)]))
    if f.unit is not None:
        parts.append(any_of([unit_token(f.unit)]))
    if f.deadline is not None:
        parts.append(any_of([f"dy{f.deadline}"]))
    if f.by is not None:
        y = f.by
        parts.append(any_of(["ddold", *(f"dd{d}" for d in range(190, y // 10)), *(f"dy{x}" for x in range(y // 10 * 10, y + 1))]))
    if f.agency is not None:
        cols = {"lead": "lead", "coordinate": "coord"}.get(f.role or "", "{lead coord}")
        parts.append(f'{cols} : "{f.agency}"')  # folded tokens: letters and digits only
    elif f.role is not None:
        parts.append(any_of(["haslead" if f.role == "lead" else "hascoord"]))
    return " AND ".join(f"({p})" for p in parts) if parts else None


def numeric_only(f: Filters) -> Filters:
    """``f`` with only what the targets table checks (the value range)."""
    return dataclasses.replace(f, unit=None, deadline=None, by=None, agency=None, role=None, province=None, doc_types=[], kind=None)
