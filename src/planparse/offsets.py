"""The one helper that maps offsets between the normalised text and the decoded source.

Normalisation builds its output piece by piece with ``TextBuilder``: each piece is either a
verbatim copy of a source range or a replacement standing for a source range (NFC
composition, a unified dash, a joined line break, a footnote body moved to the end).
``OffsetMap.to_source`` maps a normalised offset back; inside a verbatim piece the mapping is
exact, inside a replacement it snaps to the replaced range's start (or end, for span ends).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass
class OffsetMap:
    norm_starts: list[int] = field(default_factory=list)
    pieces: list[tuple[int, int, int, bool]] = field(default_factory=list)  # (norm_len, src_start, src_end, exact)
    length: int = 0

    def to_source(self, offset: int, *, end: bool = False) -> int:
        """Source offset of a normalised offset (``end=True`` for the end of a span)."""
        pieces = self.pieces
        if not pieces:
            return offset
        probe = offset - 1 if end and offset > 0 else offset
        i = bisect.bisect_right(self.norm_starts, probe) - 1
        if i < 0:
            i = 0
        elif i >= len(pieces):  # pragma: no cover - norm_starts and pieces have one length
            i = len(pieces) - 1
        norm_len, src_start, src_end, exact = pieces[i]
        delta = offset - self.norm_starts[i]
        if exact:
            return src_start + (0 if delta < 0 else norm_len if delta > norm_len else delta)
        return src_end if (end or delta >= norm_len) and delta > 0 else src_start


class TextBuilder:
    """Accumulates the normalised text and its ``OffsetMap``."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.map = OffsetMap()

    @property
    def length(self) -> int:
        return self.map.length

    def _add(self, text: str, src_start: int, src_end: int, exact: bool) -> None:
        if not text:
            return
        m = self.map
        # merge with the previous piece when both are exact and contiguous
        if exact and m.pieces:
            plen, ps, pe, pexact = m.pieces[-1]
            if pexact and pe == src_start:
                m.pieces[-1] = (plen + len(text), ps, src_end, True)
                self._parts.append(text)
                m.length += len(text)
                return
        m.norm_starts.append(m.length)
        m.pieces.append((len(text), src_start, src_end, exact))
        self._parts.append(text)
        m.length += len(text)

    def copy(self, source: str, start: int, end: int) -> None:
        """Append ``source[start:end]`` verbatim."""
        self._add(source[start:end], start, end, True)

    def replace(self, text: str, src_start: int, src_end: int) -> None:
        """Append ``text`` standing for ``source[src_start:src_end]``."""
        self._add(text, src_start, src_end, len(text) == src_end - src_start)

    def text(self) -> str:
        return "".join(self._parts)
