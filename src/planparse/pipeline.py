"""The pipeline: ingest → normalise → segment → extract → link. ``parse`` is the entry point."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
from pathlib import Path
from typing import Optional, Union

from .extract import run_extractors
from .extract.context import Context
from .errors import ParseTimeout
from .extract.metadata import extract_metadata
from .ingest import Decoded, read_file
from .link import link
from .models import PlanDocument, SourceInfo
from .normalise import normalise
from .segment import segment

Source = Union[str, os.PathLike]


def _looks_like_path(source: str) -> bool:
    return "\n" not in source and len(source) < 4096 and (os.path.exists(source) or Path(source).suffix.lower() in {".txt", ".md", ".docx", ".pdf", ".html", ".htm", ".doc"})


def parse(
    source: Source,
    *,
    encoding: Optional[str] = None,
    max_bytes: Optional[int] = None,
    time_limit: Optional[float] = None,
) -> PlanDocument:
    """Parse a plan from a path (``str`` or ``Path``) or from a string of text.

    ``time_limit`` (seconds) raises ``ParseTimeout`` naming the input when parsing takes longer.
    """
    is_path = isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source))
    name = str(source) if is_path else "<text>"
    with _deadline(time_limit, name):
        if is_path:
            return parse_decoded(read_file(source, encoding=encoding, max_bytes=max_bytes))
        return parse_text(str(source))


@contextlib.contextmanager
def _deadline(seconds: Optional[float], name: str):
    """Interrupt the work after ``seconds`` (POSIX timer in the main thread; elsewhere no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise ParseTimeout(f"parsing took longer than the limit of {seconds:g} s", name)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def parse_text(text: str, *, path: Optional[str] = None) -> PlanDocument:
    """Parse a plan given as a string of text."""
    data = text.encode("utf-8", "surrogatepass")
    info = SourceInfo(path=path, format="txt", sha256=hashlib.sha256(data).hexdigest(), size=len(data), encoding="utf-8", encoding_confidence=1.0, extractor="text")
    return parse_decoded(Decoded(text=text, info=info))


def build_context(text: str) -> Context:
    """Normalise and segment ``text`` and return what the extractors receive."""
    norm = normalise(text)
    sections, _ = segment(norm.text, norm.body_end)
    metadata = extract_metadata(norm.text, sections, norm.body_end)
    return Context.build(norm.text, sections, footnotes=norm.footnotes, metadata=metadata, body_end=norm.body_end)


def parse_decoded(decoded: Decoded) -> PlanDocument:
    norm = normalise(decoded.text)
    sections, seg_warnings = segment(norm.text, norm.body_end)
    metadata = extract_metadata(norm.text, sections, norm.body_end)
    ctx = Context.build(norm.text, sections, footnotes=norm.footnotes, metadata=metadata, body_end=norm.body_end)
    doc = PlanDocument(
        source=decoded.info,
        metadata=metadata,
        sections=sections,
        footnotes=norm.footnotes,
        removals=norm.removals,
        warnings=[*decoded.warnings, *norm.warnings, *seg_warnings],
        text=norm.text,
    )
    run_extractors(ctx, doc)
    return link(doc, norm)
