"""Search queries: tokens, a small query language, its compilation to FTS5 and tsquery, highlights.

Both backends index the *same tokens*, made here in Python, so they find the same hits:

- a token is a run of letters, marks and digits (``[\\p{L}\\p{M}\\p{N}]+``) of the text;
- its **exact** form is ``textkey.key(token)`` (NFC, case-folded, tone mark placed the same way
  in hoà/hòa, uỷ/ủy), its **folded** form ``textkey.fold(token)`` (no diacritics, đ → d).

A query is matched against the folded forms (so "tre em" finds "trẻ em", "dong nai" finds
"Đồng Nai"); the hits whose exact forms also match the query as typed rank first (a query typed
with accents puts the accented matches on top).

The query language (the forms a user types)::

    tre em                  both words, anywhere in the target (AND is implied)
    "trẻ em có hoàn cảnh"   a phrase: the words next to each other, in this order
    hộ nghèo OR cận nghèo   either side
    trẻ em -khuyết tật      "-word" (or "NOT word") leaves out targets with the word
    ( a OR b ) c            parentheses group
    chuyển đổi số*          "*" after a word: a prefix ("số*" matches số, sống …)

Anything else (an unbalanced quote or parenthesis, a dangling OR, only excluded words) raises
:class:`QueryError` with a message that says what is wrong. User text never reaches the SQL
engines' own query syntax: every token is quoted when the query is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import regex as re

from ..errors import PlanParseError
from ..textkey import fold, key

TOKEN = re.compile(r"[\p{L}\p{M}\p{N}]+")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64


class QueryError(PlanParseError):
    """A search query or filter that cannot be understood; the message says why."""


_FORMS: dict[str, tuple[str, str]] = {}


def _forms(raw: str) -> tuple[str, str]:
    """(exact, folded) of one token; remembered (the vocabulary of plans is small)."""
    f = _FORMS.get(raw)
    if f is None:
        exact = key(raw)
        f = (exact, fold(exact))
        if len(_FORMS) < 200_000:
            _FORMS[raw] = f
    return f


def tokens(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, exact, folded)`` for every token of ``text``."""
    return [(m.start(), m.end(), *_forms(m.group())) for m in TOKEN.finditer(text)]


def index_forms(text: str) -> tuple[str, str]:
    """The exact and folded token strings stored for ``text`` (tokens joined by spaces)."""
    forms = [_forms(w) for w in TOKEN.findall(text)]
    return " ".join(f[0] for f in forms), " ".join(f[1] for f in forms)


# ---------------------------------------------------------------- the query tree


@dataclass
class Term:
    """A word (one token), or a phrase (several tokens); ``prefix``: the last token is a prefix."""

    exact: list[str]
    folded: list[str]
    prefix: bool = False


@dataclass
class And:
    positive: list["Node"]
    negative: list["Node"] = field(default_factory=list)


@dataclass
class Or:
    parts: list["Node"]


Node = Union[Term, And, Or]


@dataclass
class Query:
    text: str
    root: Node | None  # None: no words (filters only)
    _terms: list[Term] | None = field(default=None, repr=False, compare=False)

    @property
    def has_accents(self) -> bool:
        """The query was typed with diacritics or đ (so exact matches should rank first)."""
        return any(t.exact != t.folded for t in self.terms())

    def terms(self) -> list[Term]:
        if self._terms is not None:
            return self._terms
        out: list[Term] = []

        def walk(n, positive=True):
            if isinstance(n, Term):
                if positive:
                    out.append(n)
            elif isinstance(n, And):
                for p in n.positive:
                    walk(p, positive)
                for p in n.negative:
                    walk(p, False)
            elif isinstance(n, Or):
                for p in n.parts:
                    walk(p, positive)

        if self.root is not None:
            walk(self.root)
        self._terms = out
        return out

    def fts5(self, exact: bool = False) -> str:
        """The FTS5 MATCH expression over the folded (or exact) column."""
        col = "exact" if exact else "folded"
        return f"{col} : ({_fts5(self.root, exact)})"

    def tsquery(self, exact: bool = False) -> str:
        """A PostgreSQL ``tsquery`` literal (lexemes quoted) over the folded (or exact) tokens."""
        return _tsq(self.root, exact)


def parse_query(text: str | None) -> Query:
    """Parse what the user typed. Empty (or only spaces/``*``) → a query without words."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    if text in {"", "*"}:
        return Query(text, None)
    items = _lex(text)
    parser = _Parser(items, text)
    root = parser.parse_or()
    if parser.pos < len(items):
        kind, _ = items[parser.pos]
        raise QueryError(f"unexpected {'closing parenthesis' if kind == ')' else repr(items[parser.pos][1])} in query {text!r}")
    q = Query(text, root)
    n = sum(len(t.folded) for t in _all_terms(root))
    if n > MAX_TERMS:
        raise QueryError(f"query has {n} words; at most {MAX_TERMS}")
    return q


def _all_terms(n):
    if isinstance(n, Term):
        yield n
    elif isinstance(n, And):
        for p in (*n.positive, *n.negative):
            yield from _all_terms(p)
    elif isinstance(n, Or):
        for p in n.parts:
            yield from _all_terms(p)


def _lex(text: str) -> list[tuple[str, object]]:
    """Items: ("term", Term) | ("(", None) | (")", None) | ("-", None) | ("OR"/"AND"/"NOT", None)."""
    items: list[tuple[str, object]] = []
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        ch = text[pos]
        if ch == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise QueryError(f"unbalanced quote in query {text!r}: a phrase needs a closing \"")
            inner = text[pos + 1 : end]
            term = _term(inner)
            if term is None:
                raise QueryError(f"empty phrase \"\" in query {text!r}")
            items.append(("term", term))
            pos = end + 1
            continue
        if ch in "()":
            items.append((ch, None))
            pos += 1
            continue
        if ch == "-" and pos + 1 < n and (text[pos + 1].isalnum() or text[pos + 1] in '"('):
            items.append(("-", None))
            pos += 1
            continue
        end = pos
        while end < n and not text[end].isspace() and text[end] not in '"()':
            end += 1
        word = text[pos:end]
        pos = end
        if word in {"OR", "AND", "NOT"}:
            items.append((word, None))
            continue
        term = _term(word)
        if term is not None:  # punctuation alone ("%", "≥", "-") carries no token: ignored
            items.append(("term", term))
    return items


def _term(raw: str) -> Term | None:
    prefix = raw.rstrip().endswith("*")
    toks = tokens(raw)
    if not toks:
        return None
    return Term(exact=[t[2] for t in toks], folded=[t[3] for t in toks], prefix=prefix)


class _Parser:
    def __init__(self, items, text):
        self.items = items
        self.pos = 0
        self.text = text

    def peek(self):
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while self.peek() == "OR":
            self.pos += 1
            if self.peek() in (None, ")", "OR"):
                raise QueryError(f"OR needs a word on both sides in query {self.text!r}")
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(parts)

    def parse_and(self) -> Node:
        positive: list[Node] = []
        negative: list[Node] = []
        if self.peek() in (None, ")"):
            raise QueryError(f"empty group in query {self.text!r}")
        if self.peek() == "OR":
            raise QueryError(f"OR needs a word on both sides in query {self.text!r}")
        while self.peek() not in (None, ")", "OR"):
            kind = self.peek()
            if kind == "AND":
                self.pos += 1
                if self.peek() in (None, ")", "OR", "AND"):
                    raise QueryError(f"AND needs a word on both sides in query {self.text!r}")
                continue
            if kind in ("-", "NOT"):
                self.pos += 1
                if self.peek() in (None, ")", "OR", "AND", "NOT", "-"):
                    raise QueryError(f"{'NOT' if kind == 'NOT' else '-'} needs a word after it in query {self.text!r}")
                negative.append(self.parse_atom())
                continue
            positive.append(self.parse_atom())
        if not positive:
            raise QueryError(f"query {self.text!r} only excludes words: add a word to look for")
        if not negative and len(positive) == 1:
            return positive[0]
        return And(positive, negative)

    def parse_atom(self) -> Node:
        kind = self.peek()
        if kind == "term":
            node = self.items[self.pos][1]
            self.pos += 1
            return node  # type: ignore[return-value]
        if kind == "(":
            self.pos += 1
            node = self.parse_or()
            if self.peek() != ")":
                raise QueryError(f"unbalanced parenthesis in query {self.text!r}: missing )")
            self.pos += 1
            return node
        raise QueryError(f"unexpected {kind!r} in query {self.text!r}")


def _fts5(n: Node, exact: bool) -> str:
    if isinstance(n, Term):
        toks = n.exact if exact else n.folded
        # one quoted string of tokens is a phrase; tokens are letters/marks/digits (no quote inside)
        return '"' + " ".join(toks) + '"' + (" *" if n.prefix else "")
    if isinstance(n, And):
        core = " AND ".join(f"({_fts5(p, exact)})" for p in n.positive)
        for neg in n.negative:
            core = f"({core}) NOT ({_fts5(neg, exact)})"
        return core
    return " OR ".join(f"({_fts5(p, exact)})" for p in n.parts)


def _tsq(n: Node, exact: bool) -> str:
    if isinstance(n, Term):
        toks = n.exact if exact else n.folded
        lex = [f"'{t}'" for t in toks]
        if n.prefix:
            lex[-1] += ":*"
        return lex[0] if len(lex) == 1 else "(" + " <-> ".join(lex) + ")"
    if isinstance(n, And):
        core = " & ".join(f"({_tsq(p, exact)})" for p in n.positive)
        for neg in n.negative:
            core = f"({core}) & !({_tsq(neg, exact)})"
        return core
    return " | ".join(f"({_tsq(p, exact)})" for p in n.parts)


# ---------------------------------------------------------------- highlights


def highlights(text: str, query: Query) -> list[tuple[int, int]]:
    """Character ranges of ``text`` where a word or phrase of the query (not an excluded one) matches."""
    terms = query.terms()
    if not terms:
        return []
    toks = tokens(text)
    folded = [t[3] for t in toks]
    at: dict[str, list[int]] = {}
    for i, w in enumerate(folded):
        at.setdefault(w, []).append(i)
    ranges: list[tuple[int, int]] = []
    for term in terms:
        want = term.folded
        k = len(want)
        if k == 1 and term.prefix:
            starts = [i for w, idx in at.items() if w.startswith(want[0]) for i in idx]
        else:
            starts = at.get(want[0], [])
        for i in starts:
            if i + k > len(folded):
                continue
            last = folded[i + k - 1]
            if (last.startswith(want[-1]) if term.prefix else last == want[-1]) and folded[i:i + k - 1] == want[:-1]:
                ranges.append((toks[i][0], toks[i + k - 1][1]))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for s, e in ranges:  # overlapping ranges, and ranges only whitespace apart ("trẻ em"), become one
        if merged and (s <= merged[-1][1] or not text[merged[-1][1]:s].strip()):
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, ranges: list[tuple[int, int]], open_: str = "[", close: str = "]") -> str:
    """``text`` with every highlighted range wrapped in ``open_``/``close``."""
    out, pos = [], 0
    for s, e in ranges:
        out += [text[pos:s], open_, text[s:e], close]
        pos = e
    out.append(text[pos:])
    return "".join(out)
