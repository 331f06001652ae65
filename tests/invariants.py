"""The invariants every parse must keep, whatever the input (issue 8).

Shared by the property tests (``tests/test_properties.py``), the atheris harnesses (``fuzz/``),
the regression replay (``tests/regressions/``) and ``benchmarks/bench_robustness.py``:

- ``parse`` returns a valid ``PlanDocument`` or raises a ``PlanParseError`` — any other
  exception is a crash;
- every span indexes ``doc.text`` (0 ≤ start ≤ end ≤ len), every ``source_span`` the source
  text; an item's ``raw`` is exactly the text under its span (a target's up to surrounding
  white space); children lie inside their parent, siblings in order, without overlap;
- nothing is lost: every source character is in the normalised text or in a recorded removal
  (``tests/test_normalise.py::test_nothing_lost_in_normalisation``), and the headings and own
  texts of all sections, in order, are the whole body, white space aside
  (``::test_every_body_character_belongs_to_a_section``);
- the JSON of a second parse of the same input is byte-identical.

``violations(source, doc)`` returns a list of messages (empty when all hold), so a fuzzer can
report them and a test can assert on them.
"""

from __future__ import annotations

from typing import Optional

from planparse.emit import to_json
from planparse.models import PlanDocument, Span
from planparse.normalise import normalise


def _no_surrogates(text: str) -> str:
    """A removal may record U+FFFD for a lone surrogate (JSON cannot hold one)."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text) if not text.isascii() else text


def _squash(text: str) -> str:
    return "".join(text.split())


def lost_characters(source: str) -> str:
    """Source characters (white space aside) neither in the normalised text nor removed."""
    norm = normalise(source)
    covered = bytearray(len(source))
    for s_start, s_end in ((p[1], p[2]) for p in norm.offsets.pieces):
        covered[s_start:s_end] = b"\x01" * (s_end - s_start)
    for r in norm.removals:
        covered[r.source_span.start : r.source_span.end] = b"\x01" * (r.source_span.end - r.source_span.start)
    return "".join(ch for ch, c in zip(source, covered) if not c).strip()


def _span_problems(where: str, span: Optional[Span], n_text: int, n_source: int) -> list[str]:
    if span is None:
        return []
    out = []
    if not 0 <= span.start <= span.end <= n_text:
        out.append(f"{where}: span {span.start}:{span.end} outside the text (length {n_text})")
    ss = span.source_span
    if ss is not None and not 0 <= ss.start <= ss.end <= n_source:
        out.append(f"{where}: source_span {ss.start}:{ss.end} outside the source (length {n_source})")
    return out


def violations(source: str, doc: PlanDocument, *, check_lost: bool = True) -> list[str]:
    """Every broken invariant of ``doc`` parsed from the decoded ``source`` text."""
    problems: list[str] = []
    if not isinstance(doc, PlanDocument):
        return [f"parse returned {type(doc).__name__}, not a PlanDocument"]
    text = doc.text or ""
    n, ns = len(text), len(source)

    # sections: spans, nesting, order
    def walk(nodes, parent: Optional[Span], path: str) -> None:
        prev_end = parent.start if parent is not None else 0
        for s in nodes:
            where = f"section {s.id}"
            problems.extend(_span_problems(where, s.span, n, ns))
            problems.extend(_span_problems(where + " heading", s.heading_span, n, ns))
            if parent is not None and not (parent.start <= s.span.start and s.span.end <= parent.end):
                problems.append(f"{where}: span {s.span.start}:{s.span.end} outside its parent {parent.start}:{parent.end}")
            if s.span.start < prev_end:
                problems.append(f"{where}: starts at {s.span.start}, before its previous sibling ends ({prev_end})")
            if s.heading_span is not None and not (s.span.start <= s.heading_span.start <= s.heading_span.end <= s.span.end):
                problems.append(f"{where}: heading {s.heading_span.start}:{s.heading_span.end} outside the section")
            prev_end = max(prev_end, s.span.end)
            walk(s.children, s.span, path)

    walk(doc.sections, None, "")
    ids = [s.id for s in doc.iter_sections()]
    if len(ids) != len(set(ids)):
        problems.append("section ids are not unique")
    known = set(ids)

    def item(where: str, span: Span, raw: Optional[str], section_id: Optional[str], strip: bool = False) -> None:
        problems.extend(_span_problems(where, span, n, ns))
        got = text[span.start : span.end]
        if raw is not None and (raw.strip() != got.strip() if strip else raw != got):
            problems.append(f"{where}: raw {raw[:60]!r} is not the text under its span {got[:60]!r}")
        if section_id is not None and section_id not in known:
            problems.append(f"{where}: section_id {section_id!r} is not a section")

    for t in doc.targets:
        item(f"target {t.id}", t.span, t.raw or None, t.section_id, strip=True)
    for r in doc.legal_references:
        item(f"reference {r.id}", r.span, r.raw, r.section_id)
    for a in doc.agencies:
        for m in a.mentions:
            item(f"agency {a.id} mention", m.span, m.raw, m.section_id)
    for b in doc.budgets:
        item(f"budget {b.id}", b.span, b.raw, b.section_id)
    for fn in doc.footnotes:
        item(f"footnote {fn.id}", fn.span, None, fn.section_id)
        if fn.text != text[fn.span.start : fn.span.end].strip():
            problems.append(f"footnote {fn.id}: text is not the text under its span")
        if fn.anchor is not None and not 0 <= fn.anchor <= n:
            problems.append(f"footnote {fn.id}: anchor {fn.anchor} outside the text")
    for w in doc.warnings:
        problems.extend(_span_problems(f"warning {w.code}", w.span, n, ns))
    for r in doc.removals:
        if not 0 <= r.source_span.start <= r.source_span.end <= ns:
            problems.append(f"removal {r.kind}: source_span outside the source")
        elif _no_surrogates(source[r.source_span.start : r.source_span.end]) != _no_surrogates(r.text):
            problems.append(f"removal {r.kind}: text is not the source under its span")

    # nothing lost: source → normalised text + removals; body → sections
    if check_lost:
        lost = lost_characters(source)
        if lost:
            problems.append(f"characters lost in normalisation: {lost[:80]!r}")
    body_end = doc.footnotes[0].span.start if doc.footnotes else n
    pieces = []
    for s in doc.iter_sections():
        if s.heading_span is not None:
            pieces.append(text[s.heading_span.start : s.heading_span.end])
        pieces.append(s.text)
    if _squash("".join(pieces)) != _squash(text[:body_end]):
        problems.append("the sections' headings and texts are not the whole body")
    return problems


def deterministic(parse_once, *args) -> Optional[str]:
    """Parse twice; a message when the two JSON outputs differ, else None."""
    a = to_json(parse_once(*args), include_text=True)
    b = to_json(parse_once(*args), include_text=True)
    if a != b:
        i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return f"second parse differs at JSON offset {i}: {a[max(0, i - 40) : i + 40]!r} vs {b[max(0, i - 40) : i + 40]!r}"
    return None
