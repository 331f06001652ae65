"""``planparse eval`` — score the parser against the hand-written gold set (``corpora/gold``).

The matching rules are those of ``corpora/gold/README.md`` ("Matching rules used by
``planparse eval``"); each rule is one small function below so the README and the code can be
read side by side:

- headings          ``heading_predictions`` + ``match_headings``
- legal_references  ``reference_predictions`` + ``match_references``
- targets           ``target_predictions`` + ``match_targets`` (quote location: ``QuoteLocator``)
- agencies          ``agency_predictions`` + ``match_agencies``
- metadata          ``metadata_comparisons`` + ``score_metadata``

Every category yields tp / fp / fn (precision, recall, F1), field accuracy on matched items
and a list of errors (misses, false positives, wrong fields) that a developer can act on.
"""

from __future__ import annotations

import json
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import regex as re

from .models import Metadata, PlanDocument, Section
from .textkey import key

CATEGORIES = ("headings", "legal_references", "targets", "agencies", "metadata")
SHORT_NAMES = {"headings": "headings", "legal_references": "legal_refs", "targets": "targets", "agencies": "agencies", "metadata": "metadata"}
NOT_HEADINGS = frozenset({"bullet", "preamble", "closing", "table"})
SCORED_ROLES = frozenset({"lead", "coordinate", "direct", "report_to", "advise"})
TITLE_PREFIX = 30
ERROR_LIMIT = 15
EPS = 1e-9

ShowErrors = Union[bool, str]


# ----------------------------------------------------------------------------- scores


@dataclass
class Score:
    """Counts of one category; precision/recall/F1 are 1.0 only when there is nothing at all."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, self)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, self)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def _ratio(num: int, den: int, score: Score) -> float:
    if den:
        return num / den
    return 1.0 if score.tp == score.fp == score.fn == 0 else 0.0


@dataclass
class FieldScore:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> Optional[float]:
        return self.correct / self.total if self.total else None

    def __add__(self, other: "FieldScore") -> "FieldScore":
        return FieldScore(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict:
        acc = self.accuracy
        return {"correct": self.correct, "total": self.total, "accuracy": None if acc is None else round(acc, 4)}


@dataclass
class EvalError:
    """One thing to act on: ``fn`` (missed), ``fp`` (false positive), ``field`` (wrong field on a
    matched item) or ``gold`` (a gold problem, e.g. a quote not found in the text)."""

    kind: str
    text: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}


@dataclass
class CategoryResult:
    score: Score = field(default_factory=Score)
    fields: dict[str, FieldScore] = field(default_factory=dict)
    errors: list[EvalError] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**self.score.to_dict(), "fields": {k: v.to_dict() for k, v in self.fields.items()}, "errors": [e.to_dict() for e in self.errors]}


@dataclass
class DocumentResult:
    gold_file: str
    document: Optional[str]
    categories: dict[str, CategoryResult] = field(default_factory=dict)
    error: Optional[str] = None

    @property
    def name(self) -> str:
        return Path(self.gold_file).stem

    def to_dict(self) -> dict:
        return {"gold_file": self.gold_file, "document": self.document, "error": self.error, "categories": {k: v.to_dict() for k, v in self.categories.items()}}


@dataclass
class Report:
    gold_dir: str
    documents: list[DocumentResult] = field(default_factory=list)

    def totals(self) -> dict[str, Score]:
        """Micro-averaged counts per category over all documents that annotate it."""
        out = {c: Score() for c in CATEGORIES}
        for d in self.documents:
            for c, r in d.categories.items():
                out[c] = out.get(c, Score()) + r.score
        return out

    def overall(self) -> Score:
        return sum(self.totals().values(), Score())

    def field_accuracy(self) -> dict[str, dict[str, FieldScore]]:
        out: dict[str, dict[str, FieldScore]] = {}
        for d in self.documents:
            for c, r in d.categories.items():
                for f, s in r.fields.items():
                    cat = out.setdefault(c, {})
                    cat[f] = cat.get(f, FieldScore()) + s
        return out

    def to_dict(self) -> dict:
        fields = self.field_accuracy()
        return {
            "gold_dir": self.gold_dir,
            "totals": {c: {**s.to_dict(), "fields": {f: v.to_dict() for f, v in fields.get(c, {}).items()}} for c, s in self.totals().items()},
            "overall": self.overall().to_dict(),
            "documents": [d.to_dict() for d in self.documents],
        }


# ----------------------------------------------------------------------------- matching


Predicate = Callable[[Any, Any], bool]


def greedy_match(gold: Sequence[Any], pred: Sequence[Any], *tiers: Predicate, gold_order: Optional[Sequence[Callable[[Any], Any]]] = None) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one greedy matching in document order.

    Each tier is a predicate ``(gold_item, pred_item) -> bool``; tier 1 runs over all items,
    tier 2 over what tier 1 left, and so on. Within a tier, each gold item (in order, or sorted
    by ``gold_order[tier]`` when given) takes the first unmatched prediction that satisfies it.
    Returns (pairs of indices, unmatched gold indices, unmatched prediction indices).
    """
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for t, ok in enumerate(tiers):
        order = list(range(len(gold)))
        if gold_order and gold_order[t] is not None:
            order.sort(key=lambda i: gold_order[t](gold[i]))
        for gi in order:
            if gi in used_g:
                continue
            for pi, p in enumerate(pred):
                if pi not in used_p and ok(gold[gi], p):
                    used_g.add(gi)
                    used_p.add(pi)
                    pairs.append((gi, pi))
                    break
    pairs.sort()
    return pairs, [i for i in range(len(gold)) if i not in used_g], [i for i in range(len(pred)) if i not in used_p]


def mkey(value: Optional[str]) -> str:
    """``key()`` without surrounding spaces and trailing ". ; : ," (as the gold drops them)."""
    return key(value or "").strip(" .;:,")


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < EPS


def _clip(text: Optional[str], n: int = 90) -> str:
    s = " ".join((text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _path_str(path: Sequence[str]) -> str:
    return " › ".join(path) if path else "(document)"


# ----------------------------------------------------------------------------- section paths


def section_paths(doc: PlanDocument) -> dict[str, tuple[str, ...]]:
    """Section id → label path of the innermost heading containing it (see ``heading_path``)."""
    out: dict[str, tuple[str, ...]] = {}

    def walk(nodes: Iterable[Section], prefix: tuple[str, ...]) -> None:
        for n in nodes:
            path = prefix + (n.label,) if _is_heading(n) else prefix
            out[n.id] = path
            walk(n.children, path)

    walk(doc.sections, ())
    return out


def _is_heading(node: Section) -> bool:
    return node.kind not in NOT_HEADINGS and bool(node.label)


# ----------------------------------------------------------------------------- headings


@dataclass(frozen=True)
class HeadingItem:
    path: tuple[str, ...]
    title: str

    def describe(self) -> str:
        return f"{_path_str(self.path)}  {_clip(self.title, 70)!r}"


def gold_headings(items: Iterable[dict]) -> list[HeadingItem]:
    return [HeadingItem(tuple(h.get("parent") or ()) + (str(h.get("label") or ""),), h.get("title") or "") for h in items]


def heading_predictions(doc: PlanDocument) -> list[HeadingItem]:
    """Every labelled section except bullets, preamble, closing and tables (rows count).

    A node with no title (run-in paragraph items "(1) Độ bao phủ …") is compared by the
    first line of its own text.
    """
    paths = section_paths(doc)
    out = []
    for n in doc.iter_sections():
        if _is_heading(n):
            title = n.title or (n.text.strip().splitlines() or [""])[0]
            out.append(HeadingItem(paths[n.id], title))
    return out


def titles_agree(a: str, b: str, n: int = TITLE_PREFIX) -> bool:
    """Normalised titles agree on the first ``n`` characters of the shorter one.

    An empty title agrees only with an empty title.
    """
    ka, kb = mkey(a), mkey(b)
    if not ka or not kb:
        return ka == kb
    m = min(n, len(ka), len(kb))
    return ka[:m] == kb[:m]


def heading_matches(g: HeadingItem, p: HeadingItem) -> bool:
    return len(g.path) == len(p.path) and all(key(x) == key(y) for x, y in zip(g.path, p.path)) and titles_agree(g.title, p.title)


def match_headings(gold: Sequence[HeadingItem], pred: Sequence[HeadingItem]) -> CategoryResult:
    pairs, missed, extra = greedy_match(gold, pred, heading_matches)
    return _result(len(pairs), [gold[i].describe() for i in missed], [pred[i].describe() for i in extra])


def _result(tp: int, missed: list[str], extra: list[str], fields: Optional[dict[str, FieldScore]] = None, field_errors: Optional[list[str]] = None, gold_problems: Optional[list[str]] = None) -> CategoryResult:
    errors = [EvalError("fn", m) for m in missed] + [EvalError("fp", e) for e in extra] + [EvalError("field", f) for f in field_errors or []] + [EvalError("gold", g) for g in gold_problems or []]
    return CategoryResult(Score(tp, len(extra), len(missed)), fields or {}, errors)


def _field_scores(pairs: Iterable[tuple[Any, Any]], checks: dict[str, Callable[[Any, Any], tuple[Any, Any, bool]]], label: Callable[[Any], str]) -> tuple[dict[str, FieldScore], list[str]]:
    """Field accuracy over matched (gold, pred) pairs; ``checks[f]`` → (gold value, pred value, equal)."""
    scores = {f: FieldScore() for f in checks}
    errors = []
    for g, p in pairs:
        for f, check in checks.items():
            gv, pv, ok = check(g, p)
            scores[f].total += 1
            if ok:
                scores[f].correct += 1
            else:
                errors.append(f"{label(g)}: {f} gold={gv!r} pred={pv!r}")
    return scores, errors


# ----------------------------------------------------------------------------- legal references


def reference_key(full_number: Optional[str], title: Optional[str]) -> Optional[str]:
    """Identity of a referenced document: its full number, else (unnumbered laws) its title."""
    if full_number:
        return "no:" + mkey(full_number)
    if title:
        return "title:" + mkey(title)
    return None


def reference_predictions(doc: PlanDocument) -> list[dict]:
    """Distinct referenced documents in order of first citation; the doc's own number excluded."""
    out: dict[str, dict] = {}
    for r in sorted(doc.legal_references, key=lambda r: r.span.start):
        k = reference_key(r.full_number, r.title)
        if r.role == "self" or k is None or k in out or r.antecedent_id or r.unresolved:
            # short forms ("Đề án 32", "Quyết định nêu trên") are not separate documents
            continue
        out[k] = {"key": k, "full_number": r.full_number, "title": r.title, "date": r.date, "issuer": r.issuer, "quote": r.raw}
    return list(out.values())


def gold_references(items: Iterable[dict]) -> list[dict]:
    out = []
    seen = set()
    for r in items:
        k = reference_key(r.get("full_number"), r.get("title"))
        if k is None or k in seen:
            continue
        seen.add(k)
        out.append({**r, "key": k})
    return out


def _describe_reference(r: dict) -> str:
    ident = r.get("full_number") or r.get("title") or "?"
    return f"{ident}  {_clip(r.get('quote'), 80)!r}"


def _str_field(name: str) -> Callable[[dict, dict], tuple[Any, Any, bool]]:
    def check(g: dict, p: dict) -> tuple[Any, Any, bool]:
        gv, pv = g.get(name), p.get(name)
        return gv, pv, mkey(gv) == mkey(pv) and (gv is None) == (pv is None)

    return check


def match_references(gold: Sequence[dict], pred: Sequence[dict]) -> CategoryResult:
    pairs, missed, extra = greedy_match(gold, pred, lambda g, p: g["key"] == p["key"])
    fields, field_errors = _field_scores(((gold[g], pred[p]) for g, p in pairs), {"date": _str_field("date"), "issuer": _str_field("issuer")}, lambda g: g.get("full_number") or g.get("title") or "?")
    return _result(len(pairs), [_describe_reference(gold[i]) for i in missed], [_describe_reference(pred[i]) for i in extra], fields, field_errors)


# ----------------------------------------------------------------------------- targets


_MD_ESCAPE = re.compile(r"\\\\(?=[-.*_#+()\\[\\]|>!`])")


class QuoteLocator:
    """Finds a gold quote in ``doc.text``: exact (NFC) first, then on ``key()``-normalised text."""

    def __init__(self, text: Optional[str]):
        self.text = unicodedata.normalize("NFC", text or "")
        self._keyed: Optional[tuple[str, list[int], list[int]]] = None

    def spans(self, quote: str) -> list[tuple[int, int]]:
        q = unicodedata.normalize("NFC", quote or "").strip()
        q = _MD_ESCAPE.sub("", q)  # a quote copied from a Markdown source keeps its "\\-" escapes
        if not q or not self.text:
            return []
        found = _find_all(self.text, q)
        if found:
            return [(i, i + len(q)) for i in found]
        keyed, starts, ends = self.keyed()
        kq = key(q)
        return [(starts[i], ends[i + len(kq) - 1]) for i in _find_all(keyed, kq)] if kq else []

    def keyed(self) -> tuple[str, list[int], list[int]]:
        """``key()`` of the text token by token, with each key character's source token range."""
        if self._keyed is None:
            chars: list[str] = []
            starts: list[int] = []
            ends: list[int] = []
            for m in re.finditer(r"\S+|\s+", self.text):
                piece = " " if m.group().isspace() else key(m.group())
                chars.append(piece)
                starts.extend([m.start()] * len(piece))
                ends.extend([m.end()] * len(piece))
            self._keyed = ("".join(chars), starts, ends)
        return self._keyed


def _find_all(haystack: str, needle: str) -> list[int]:
    out, i = [], haystack.find(needle)
    while i >= 0:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


@dataclass
class TargetItem:
    value: float
    value_max: Optional[float]
    comparator: Optional[str]
    unit: Optional[str]
    deadline_year: Optional[int]
    text: str  # gold: the quote; prediction: target.text
    spans: list[tuple[int, int]]  # gold: where the quote was found; prediction: [target.span]
    where: str = ""

    def describe(self) -> str:
        v = _num(self.value) + (f"–{_num(self.value_max)}" if self.value_max is not None else "")
        loc = f" @{self.where}" if self.where else ""
        return f"{self.comparator} {v} {self.unit or ''} (deadline {self.deadline_year}){loc}  {_clip(self.text, 90)!r}"


def _num(x: Optional[float]) -> str:
    if x is None:
        return "None"
    return str(int(x)) if float(x).is_integer() else str(x)


def gold_targets(items: Iterable[dict], locator: QuoteLocator) -> list[TargetItem]:
    out = []
    for t in items:
        if t.get("value") is None:
            continue
        out.append(TargetItem(float(t["value"]), t.get("value_max"), t.get("comparator"), t.get("unit"), t.get("deadline_year"), t.get("quote") or "", locator.spans(t.get("quote") or "")))
    return out


def target_predictions(doc: PlanDocument) -> list[TargetItem]:
    """``doc.targets`` of kind ``target`` (statistics are not scored), in document order."""
    paths = section_paths(doc)
    out = []
    for t in sorted((t for t in doc.targets if t.kind == "target"), key=lambda t: t.span.start):
        year = t.deadline.year if t.deadline else None
        out.append(TargetItem(t.value, t.value_max, t.comparator, t.unit, year, t.text, [(t.span.start, t.span.end)], _path_str(paths.get(t.section_id or "", ()))))
    return out


def _overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def target_matches(g: TargetItem, p: TargetItem) -> bool:
    """Same value, same unit (key), and the gold quote overlaps the predicted target."""
    if not _same_number(g.value, p.value) or mkey(g.unit) != mkey(p.unit):
        return False
    if g.spans:
        return _overlap(g.spans, p.spans)
    kq, kt = key(g.text), key(p.text)
    return bool(kq and kt) and (kq in kt or kt in kq)


def match_targets(gold: Sequence[TargetItem], pred: Sequence[TargetItem]) -> CategoryResult:
    pairs, missed, extra = greedy_match(gold, pred, target_matches)
    checks = {
        "comparator": lambda g, p: (g.comparator, p.comparator, g.comparator == p.comparator),
        "value_max": lambda g, p: (g.value_max, p.value_max, _same_number(g.value_max, p.value_max)),
        "deadline_year": lambda g, p: (g.deadline_year, p.deadline_year, g.deadline_year == p.deadline_year),
    }
    fields, field_errors = _field_scores(((gold[g], pred[p]) for g, p in pairs), checks, lambda g: f"{_num(g.value)} {g.unit} {_clip(g.text, 50)!r}")
    unlocated = [f"quote not found in the text: {_clip(g.text, 70)!r}" for g in gold if not g.spans]
    return _result(len(pairs), [gold[i].describe() for i in missed], [pred[i].describe() for i in extra], fields, field_errors, unlocated)


# ----------------------------------------------------------------------------- agencies


@dataclass(frozen=True)
class AgencyItem:
    name: str
    role: str
    path: tuple[str, ...]
    raw: str = ""

    def describe(self) -> str:
        raw = f"  (raw {_clip(self.raw, 50)!r})" if self.raw and mkey(self.raw) != mkey(self.name) else ""
        return f"{self.name} [{self.role}] @ {_path_str(self.path)}{raw}"


def gold_agencies(items: Iterable[dict]) -> list[AgencyItem]:
    return [AgencyItem(a.get("name") or "", a.get("role") or "", tuple(a.get("section") or ())) for a in items]


def agency_predictions(doc: PlanDocument) -> list[AgencyItem]:
    """One (name, role, section path) per mention with a scored role, deduplicated, in order."""
    paths = section_paths(doc)
    mentions = sorted(((m.span.start, a.name, m) for a in doc.agencies for m in a.mentions if m.role in SCORED_ROLES), key=lambda x: x[0])
    out: dict[tuple, AgencyItem] = {}
    for _, name, m in mentions:
        item = AgencyItem(name, m.role, paths.get(m.section_id or "", ()), m.raw)
        out.setdefault((mkey(name), m.role, tuple(key(x) for x in item.path)), item)
    return list(out.values())


def _same_agency(g: AgencyItem, p: AgencyItem) -> bool:
    return g.role == p.role and mkey(g.name) == mkey(p.name)


def _is_prefix(short: Sequence[str], long: Sequence[str]) -> bool:
    return len(short) <= len(long) and all(key(a) == key(b) for a, b in zip(short, long))


def agency_exact(g: AgencyItem, p: AgencyItem) -> bool:
    return _same_agency(g, p) and len(g.path) == len(p.path) and _is_prefix(g.path, p.path)


def agency_within(g: AgencyItem, p: AgencyItem) -> bool:
    """The gold section is a (non-empty) ancestor of the predicted section."""
    return _same_agency(g, p) and bool(g.path) and _is_prefix(g.path, p.path)


def match_agencies(gold: Sequence[AgencyItem], pred: Sequence[AgencyItem]) -> CategoryResult:
    """Exact paths first, then ancestor paths (deepest gold section first).

    A leftover prediction that lies within the section of a gold item it would have matched
    (the same agency and role found twice under one gold section, e.g. in fields c. and d. of
    activity 2.5) repeats that item: it is neither a true nor a false positive.
    """
    pairs, missed, extra = greedy_match(gold, pred, agency_exact, agency_within, gold_order=[None, lambda g: -len(g.path)])
    matched_gold = [gold[g] for g, _ in pairs]
    extra = [i for i in extra if not any(agency_within(g, pred[i]) for g in matched_gold)]
    return _result(len(pairs), [gold[i].describe() for i in missed], [pred[i].describe() for i in extra])


# ----------------------------------------------------------------------------- metadata


SCALAR_FIELDS = ("doc_type", "number", "issuer", "place", "issued_date", "title", "parent_document", "is_draft")
SUBFIELDS = {"period": ("start_year", "end_year"), "signer": ("name", "title", "capacity")}


def metadata_comparisons(gold: dict, pred: Optional[Metadata]) -> list[tuple[str, Any, Any]]:
    """(field, gold value, predicted value) for every field the gold states (null included)."""
    pm = pred.model_dump() if pred is not None else {}
    out = [(f, gold[f], pm.get(f)) for f in SCALAR_FIELDS if f in gold]
    for f, subs in SUBFIELDS.items():
        if f in gold:
            g, p = gold[f] or {}, pm.get(f) or {}
            out.extend((f"{f}.{s}", g.get(s), p.get(s)) for s in subs)
    return out


def _norm_value(v: Any) -> Any:
    return mkey(v) if isinstance(v, str) else v


def score_metadata(gold: dict, pred: Optional[Metadata]) -> CategoryResult:
    """Each non-null gold field (and each recipient) is an item.

    Predicted null vs gold value → fn; a different value → fp + fn; a value where the gold
    says null → fp.
    """
    tp, missed, extra = 0, [], []
    for f, g, p in metadata_comparisons(gold, pred):
        if g is None:
            if p is not None:
                extra.append(f"{f} = {p!r} (gold: null)")
        elif p is None:
            missed.append(f"{f} = {g!r} (pred: null)")
        elif _norm_value(g) == _norm_value(p):
            tp += 1
        else:
            missed.append(f"{f} = {g!r} (pred: {p!r})")
            extra.append(f"{f} = {p!r} (gold: {g!r})")
    if "recipients" in gold:
        g_rec = list(gold.get("recipients") or [])
        p_rec = list(pred.recipients) if pred is not None else []
        pairs, m, e = greedy_match(g_rec, p_rec, lambda a, b: mkey(a) == mkey(b))
        tp += len(pairs)
        missed += [f"recipient {g_rec[i]!r}" for i in m]
        extra += [f"recipient {p_rec[i]!r}" for i in e]
    return _result(tp, missed, extra)


# ----------------------------------------------------------------------------- documents


def score_document(gold: dict, doc: Optional[PlanDocument]) -> dict[str, CategoryResult]:
    """Score every category the gold annotates. ``doc=None`` (parse failed) → all misses."""
    pred = doc if doc is not None else PlanDocument()
    out: dict[str, CategoryResult] = {}
    if "headings" in gold:
        out["headings"] = match_headings(gold_headings(gold["headings"] or []), heading_predictions(pred))
    if "legal_references" in gold:
        out["legal_references"] = match_references(gold_references(gold["legal_references"] or []), reference_predictions(pred))
    if "targets" in gold:
        locator = QuoteLocator(pred.text)
        out["targets"] = match_targets(gold_targets(gold["targets"] or [], locator), target_predictions(pred))
    if "agencies" in gold:
        out["agencies"] = match_agencies(gold_agencies(gold["agencies"] or []), agency_predictions(pred))
    if "metadata" in gold:
        out["metadata"] = score_metadata(gold["metadata"] or {}, doc.metadata if doc is not None else None)
    return out


def evaluate_file(gold_path: Path, corpus_dir: Path, parse: Optional[Callable[[Path], PlanDocument]] = None) -> DocumentResult:
    """Parse the gold file's document and score it; any failure becomes an error row."""
    try:
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if not isinstance(gold, dict) or not gold.get("document"):
            raise ValueError('no "document" key')
    except (OSError, ValueError) as exc:
        return DocumentResult(gold_path.name, None, {}, f"gold file unreadable: {exc}")
    if parse is None:
        from .pipeline import parse
    try:
        doc = parse(corpus_dir / gold["document"])
        error = None
    except Exception as exc:  # a document that fails to parse is a row of the report, not a crash
        doc, error = None, f"parse failed: {type(exc).__name__}: {exc}{_where(exc)}"
    return DocumentResult(gold_path.name, gold["document"], score_document(gold, doc), error)


def _where(exc: BaseException) -> str:
    """" (at extract/targets.py:120)" — the innermost frame, so the row says where to look."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    f = frames[-1]
    return f" (at {'/'.join(Path(f.filename).parts[-2:])}:{f.lineno})"


def evaluate(gold_dir: Path, corpus_dir: Optional[Path] = None) -> Report:
    """Score the parser on every ``*.json`` gold file of ``gold_dir``.

    Documents are found at ``corpus_dir / gold["document"]`` (default: ``gold_dir.parent``).
    A document that fails to parse is scored as all misses and carries an ``error``.
    """
    gold_dir = Path(gold_dir)
    corpus_dir = Path(corpus_dir) if corpus_dir is not None else gold_dir.parent
    return Report(str(gold_dir), [evaluate_file(p, corpus_dir) for p in sorted(gold_dir.glob("*.json"))])


# ----------------------------------------------------------------------------- report


def format_report(report: Report, show_errors: ShowErrors = True) -> str:
    """Tables per category and per document, then the errors (15 per category per document
    unless ``show_errors="all"``; none when ``show_errors`` is false)."""
    lines = [f"planparse eval — {len(report.documents)} gold documents in {report.gold_dir}", ""]
    lines += _category_table(report)
    lines += [""] + _field_table(report)
    lines += [""] + _document_table(report)
    if show_errors:
        limit = None if show_errors == "all" else ERROR_LIMIT
        lines += [""] + _error_lines(report, limit)
    return "\n".join(lines).rstrip() + "\n"


def _category_table(report: Report) -> list[str]:
    rows = [f"{'category':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>6} {'fp':>6} {'fn':>6}"]
    totals = report.totals()
    for c, s in [*totals.items(), ("all", report.overall())]:
        rows.append(f"{c:<18} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.tp:>6} {s.fp:>6} {s.fn:>6}")
    return rows


def _field_table(report: Report) -> list[str]:
    rows = ["field accuracy on matched items"]
    for c, fields in report.field_accuracy().items():
        for f, s in fields.items():
            acc = "   n/a" if s.accuracy is None else f"{s.accuracy:>6.3f}"
            rows.append(f"  {c + '.' + f:<30} {acc}  ({s.correct}/{s.total})")
    return rows if len(rows) > 1 else rows + ["  (no matched items)"]


def _document_table(report: Report) -> list[str]:
    width = max([len(d.name) for d in report.documents] + [8])
    rows = ["F1 per document" , f"{'document':<{width}} " + " ".join(f"{SHORT_NAMES[c]:>10}" for c in CATEGORIES)]
    for d in report.documents:
        cells = " ".join(f"{d.categories[c].score.f1:>10.3f}" if c in d.categories else f"{'-':>10}" for c in CATEGORIES)
        rows.append(f"{d.name:<{width}} {cells}")
        if d.error:
            rows.append(f"{'':<{width}}   ERROR {d.error}")
    return rows


def _error_lines(report: Report, limit: Optional[int]) -> list[str]:
    marks = {"fn": "- miss ", "fp": "+ extra", "field": "~ field", "gold": "? gold "}
    rows = [f"errors (- missed gold item, + false positive, ~ wrong field on a matched item, ? gold problem; at most {limit or 'all'} of each kind)"]
    for d in report.documents:
        if not d.error and not any(r.errors for r in d.categories.values()):
            continue
        rows.append(f"== {d.name}" + (f"  ERROR {d.error}" if d.error else ""))
        for c in CATEGORIES:
            r = d.categories.get(c)
            if r is None or not r.errors:
                continue
            s = r.score
            rows.append(f"  {c}: {s.fn} missed, {s.fp} false positives")
            for kind in marks:
                errs = [e for e in r.errors if e.kind == kind]
                shown = errs if limit is None else errs[:limit]
                rows += [f"    {marks[kind]} {e.text}" for e in shown]
                if len(shown) < len(errs):
                    rows.append(f"    {marks[kind]} … {len(errs) - len(shown)} more (show_errors='all')")
    return rows
