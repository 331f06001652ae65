"""Stage 4 — extract: small pure functions over the normalised text and the section tree."""

from __future__ import annotations

import importlib

from ..models import PlanDocument
from .context import Context

# (module, function, field(s) of PlanDocument it fills) — run in this order
EXTRACTORS = [
    ("references", "extract_references", ("legal_references",)),
    ("targets", "extract_targets", ("targets",)),
    ("agencies", "extract_agencies", ("agencies", "assignments")),
    ("budgets", "extract_budgets", ("budgets",)),
]


def run_extractors(ctx: Context, doc: PlanDocument) -> None:
    """Run every extractor and store its items on ``doc``."""
    for module, func, fields in EXTRACTORS:
        result = getattr(importlib.import_module(f"{__name__}.{module}"), func)(ctx)
        if len(fields) == 1:
            setattr(doc, fields[0], result)
        else:
            for name, value in zip(fields, result):
                setattr(doc, name, value)
