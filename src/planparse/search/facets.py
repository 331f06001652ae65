"""The SQLite backend's categorical filters as FTS5 terms, so they cost no more than a word.

Every target's FTS5 row carries, besides its words, hidden columns:

- ``facets``: one token per value of the plan's categorical fields — ``dt``+document type,
  ``pv``+province as issued, ``pn``+province now, ``lc``+district-level unit — and ``haslead`` /
  ``hascoord``;
- ``lead`` and ``coord``: the folded words of the lead / coordinating agencies' names and
  abbreviations, each name followed by a separator token, so an agency phrase matches inside
  one name only — the same whole-words-in-order rule as the ``LIKE '% words %'`` of the other
  backend.

A filter on these becomes an FTS5 expression AND-ed with the words (FTS5 intersects the lists).
The target's own fields (value range, unit, deadline, kind) are checked on the ``targets`` row:
every term of a MATCH costs BM25 work on every candidate, so a "by 2025" spelt as an OR of
years would cost more than the row lookup it saves.
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


def facet_text(doc_type_key: Optional[str], province: Optional[str], province_now: Optional[str],
               locality_key: Optional[str], has_lead: bool, has_coord: bool) -> str:
    toks = []
    if doc_type_key:
        toks.append("dt" + _k(doc_type_key))
    if province:
        toks.append("pv" + _k(province))
    if province_now:
        toks.append("pn" + _k(province_now))
    if locality_key:
        toks.append("lc" + _k(locality_key))
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

    if f.doc_types:
        parts.append(any_of(["dt" + _k(d) for d in f.doc_types if _k(d)] or ["dtnone"]))
    if f.province:
        what, name = f.province
        parts.append(any_of(["pv" + _k(name), "pn" + _k(name)] if what == "province" else ["lc" + _k(name)]))
    if f.agency is not None:
        cols = {"lead": "lead", "coordinate": "coord"}.get(f.role or "", "{lead coord}")
        parts.append(f'{cols} : "{f.agency}"')  # folded tokens: letters and digits only
    elif f.role is not None:
        parts.append(any_of(["haslead" if f.role == "lead" else "hascoord"]))
    return " AND ".join(f"({p})" for p in parts) if parts else None


def agency_only(f: Filters) -> Filters:
    """``f`` with only the agency and role filters."""
    return dataclasses.replace(f, min=None, max=None, unit=None, deadline=None, by=None, province=None, doc_types=[], kind=None)


def without_agency(f: Filters) -> Filters:
    return dataclasses.replace(f, agency=None, role=None)


def target_only(f: Filters) -> Filters:
    """``f`` with only what the targets row checks (value range, unit, deadline, kind)."""
    return dataclasses.replace(f, agency=None, role=None, province=None, doc_types=[])
