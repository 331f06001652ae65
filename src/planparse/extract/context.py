"""What every extractor receives: the normalised text and a way to place offsets in the tree."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Optional

from ..models import Footnote, Metadata, Section


class SectionIndex:
    """Flat, ordered view of a section tree with offset look-ups.

    ``locate(offset)`` returns the innermost section whose span contains ``offset``;
    ``ancestors(id)`` the chain from the root down to (and including) that section.
    """

    def __init__(self, roots: list[Section]):
        self.flat: list[Section] = []
        self.parent: dict[str, Optional[str]] = {}
        self.by_id: dict[str, Section] = {}
        self.depth: dict[str, int] = {}

        def walk(node: Section, parent: Optional[str], depth: int) -> None:
            self.flat.append(node)
            self.by_id[node.id] = node
            self.parent[node.id] = parent
            self.depth[node.id] = depth
            for child in node.children:
                walk(child, node.id, depth + 1)

        for root in roots:
            walk(root, None, 0)
        self._starts = [s.span.start for s in self.flat]

    def locate(self, offset: int) -> Optional[Section]:
        """Innermost section containing ``offset``.

        In pre-order, the last section starting at or before ``offset`` is a descendant of
        the innermost container, so walking up from it finds the answer.
        """
        i = bisect.bisect_right(self._starts, offset) - 1
        cur: Optional[str] = self.flat[i].id if i >= 0 else None
        while cur is not None:
            node = self.by_id[cur]
            if node.span.start <= offset < node.span.end:
                return node
            cur = self.parent[cur]
        return None

    def section_id_at(self, offset: int) -> Optional[str]:
        node = self.locate(offset)
        return node.id if node else None

    def ancestors(self, section_id: str) -> list[Section]:
        chain: list[Section] = []
        cur: Optional[str] = section_id
        while cur is not None:
            chain.append(self.by_id[cur])
            cur = self.parent[cur]
        return list(reversed(chain))

    def label_path(self, section_id: str) -> list[str]:
        return [s.label for s in self.ancestors(section_id) if s.label is not None]


@dataclass
class Context:
    """Input of every extractor: pure data, nothing to mutate."""

    text: str
    sections: list[Section]
    index: SectionIndex
    footnotes: list[Footnote] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    body_end: int = -1  # offset where the footnote area starts (== len(text) when none)

    @classmethod
    def build(cls, text: str, sections: list[Section], footnotes=None, metadata=None, body_end=None):
        """The context of one document; footnotes get the section of their marker here, so
        items found inside a footnote body are placed where the footnote is cited."""
        index = SectionIndex(sections)
        for fn in footnotes or []:
            if fn.anchor is not None and fn.section_id is None:
                fn.section_id = index.section_id_at(max(0, fn.anchor - 1))
        return cls(
            text=text,
            sections=sections,
            index=index,
            footnotes=list(footnotes or []),
            metadata=metadata or Metadata(),
            body_end=len(text) if body_end is None else body_end,
        )

    def section_id_at(self, offset: int) -> Optional[str]:
        """Section of an offset; inside a footnote body, the section of its marker."""
        if offset >= self.body_end:
            for fn in self.footnotes:
                if fn.span.start <= offset < fn.span.end:
                    return fn.section_id
        return self.index.section_id_at(offset)
