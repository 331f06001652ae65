"""Input generators for the robustness checks (issue 8), built from the corpus.

Shared by ``tests/test_properties.py`` (as hypothesis strategies), the atheris harnesses in
``fuzz/`` (seed inputs) and ``benchmarks/bench_robustness.py``.

- ``corpus_lines()`` / ``corpus_alphabet()``: every line and every character of the corpus;
- ``SPECIALS``: the characters normalisation treats one by one, and worse (combining marks,
  U+FFFD, zero-width and BOM, superscripts, no-break spaces, tabs, form feeds, dashes, curly
  quotes, control characters, lone surrogates);
- ``mutate_lines(lines, plan)``: a seed document changed by a list of operations — shuffle a
  block, renumber a heading label, delete a heading, delete/duplicate lines, insert characters
  or a line, split/join lines, truncate — each a tuple ``(op, a, b, payload)`` so hypothesis
  can shrink a failing plan to the one operation that matters;
- ``mutate_bytes(data, plan)``: random bytes inserted, overwritten or deleted in an encoded file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import regex as re

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora"

SPECIALS = (
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"  # combining tones and vowel marks (NFD)
    "\ufffd\u200b\u200c\u200d\u2060\ufeff\u00ad"  # replacement, zero-width, BOM, soft hyphen
    "⁰¹²³⁴⁵⁶⁷⁸⁹"  # superscript footnote markers
    "\u00a0\u2007\u202f\t\f\r\v\x00\x01\x1b\x7f\u2028\u2029\x85"  # spaces, breaks, controls
    "\u2010\u2011\u2013\u2014\u2212\u201c\u201d\u2018\u2019"  # dashes and quotes
    "|*#_\\[]()<>{}`~"  # Markdown and table markup
    "\ud800\udc00\udfff"  # lone surrogates (only a str can hold them)
)

HEADING_TEMPLATES = [
    "PHẦN {R}", "Phần thứ {w}", "Chương {R}", "Mục {n}", "Điều {n}.", "{R}. ", "{n}. ", "{n}.{m}. ",
    "{n}.{m}.{k}. ", "{a}) ", "{a}. ", "({n}) ", "- ", "+ ", "• ", "Dự án {n}:", "Hoạt động {n}:",
    "PHỤ LỤC {R}", "| TT | Nhiệm vụ | Cơ quan chủ trì |", "| {R} | ", "| {n} | ", "{S} ", "[{n}] ",
    "KT. CHỦ TỊCH", "Nơi nhận:", "DỰ THẢO",
]

_HEADING = re.compile(
    r"^([ \t]*(?:\*\*)?[ \t]*)((?:PHẦN|Phần|Chương|CHƯƠNG|Mục|MỤC|Điều)[ \t]+[\w]+|[IVXLC]{1,6}|\d{1,3}(?:\.\d{1,3}){0,4}|[a-zđ]|\(\d{1,3}\))([.):]?)(?=[ \t])"
)


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in {".txt", ".md"} and not p.name.isupper() and p.stem != "SOURCES")


@lru_cache(maxsize=None)
def seed_texts() -> tuple[tuple[str, str], ...]:
    """(name, text) of every corpus document."""
    return tuple((p.name, p.read_text(encoding="utf-8")) for p in _corpus_files())


@lru_cache(maxsize=None)
def corpus_lines() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for _, text in seed_texts():
        for line in text.splitlines():
            if line.strip():
                seen.setdefault(line, None)
    return tuple(seen)


@lru_cache(maxsize=None)
def corpus_alphabet() -> str:
    chars: set[str] = set()
    for _, text in seed_texts():
        chars.update(text)
    return "".join(sorted(chars))


def roman(n: int) -> str:
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out) or "0"


def label_for(n: int) -> str:
    """A heading label of one of the outline's kinds, chosen by ``n``."""
    kind = n % 6
    v = n // 6 % 40 + (0 if n % 7 == 0 else 1)  # sometimes 0, sometimes repeats
    if kind == 0:
        return roman(v) + "."
    if kind == 1:
        return f"{v}."
    if kind == 2:
        return f"{v}.{n % 9}."
    if kind == 3:
        return "abcdđeghiklmnopqrstuvxy"[v % 23] + ")"
    if kind == 4:
        return f"({v})"
    return f"{v}.{n % 5}.{n % 3}."


def heading_line(template: str, n: int, title: str) -> str:
    return (
        template.replace("{R}", roman(n % 30 + 1))
        .replace("{n}", str(n % 40))
        .replace("{m}", str(n // 3 % 9))
        .replace("{k}", str(n // 7 % 5))
        .replace("{a}", "abcdđeg"[n % 7])
        .replace("{w}", ["nhất", "hai", "ba", "tư"][n % 4])
        .replace("{S}", "⁰¹²³⁴⁵⁶⁷⁸⁹"[n % 10])
        + title
    )


OPS = ("shuffle", "renumber", "delete_heading", "delete", "duplicate", "insert_text", "insert_line", "split", "join", "truncate")


def mutate_lines(lines: list[str], plan: list[tuple[str, int, int, str]]) -> list[str]:
    """Apply the operations of ``plan`` in turn (see the module docstring)."""
    lines = list(lines)
    for op, a, b, payload in plan:
        n = len(lines)
        if n == 0:
            lines = [payload]
            continue
        i = a % n
        if op == "shuffle":
            k = 2 + b % 40
            block = lines[i : i + k]
            r = b % max(1, len(block))
            lines[i : i + k] = block[r:] + block[:r][::-1]
        elif op == "renumber":
            heads = [j for j, ln in enumerate(lines) if _HEADING.match(ln)]
            if heads:
                j = heads[a % len(heads)]
                lines[j] = _HEADING.sub(lambda m: m.group(1) + label_for(b), lines[j], count=1)
        elif op == "delete_heading":
            heads = [j for j, ln in enumerate(lines) if _HEADING.match(ln)]
            if heads:
                del lines[heads[a % len(heads)]]
        elif op == "delete":
            del lines[i : i + 1 + b % 20]
        elif op == "duplicate":
            lines[i:i] = lines[i : i + 1 + b % 20]
        elif op == "insert_text":
            ln = lines[i]
            k = b % (len(ln) + 1)
            lines[i] = ln[:k] + payload + ln[k:]
        elif op == "insert_line":
            lines.insert(i, payload)
        elif op == "split":
            ln = lines[i]
            k = b % (len(ln) + 1)
            lines[i : i + 1] = [ln[:k], ln[k:]]
        elif op == "join" and i + 1 < n:
            lines[i : i + 2] = [lines[i] + (payload[:1] if payload else "") + lines[i + 1]]
        elif op == "truncate":
            total = sum(len(x) + 1 for x in lines)
            cut = b % (total + 1)
            out, used = [], 0
            for ln in lines:
                if used + len(ln) >= cut:
                    out.append(ln[: cut - used])
                    break
                out.append(ln)
                used += len(ln) + 1
            lines = out
    return lines


BYTE_OPS = ("insert", "overwrite", "delete")


def mutate_bytes(data: bytes, plan: list[tuple[str, int, bytes]]) -> bytes:
    buf = bytearray(data)
    for op, pos, payload in plan:
        i = pos % (len(buf) + 1)
        if op == "insert":
            buf[i:i] = payload
        elif op == "overwrite":
            buf[i : i + len(payload)] = payload
        elif op == "delete":
            del buf[i : i + 1 + len(payload)]
    return bytes(buf)
