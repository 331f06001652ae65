#!/usr/bin/env python3
"""What the optional Vietnamese NLP extras gain and cost, measured in one run.

    python benchmarks/bench_nlp.py [--runs N] [--json] [--show-diffs] [FILES…]

Needs the extras it measures (``pip install -e ".[nlp,spacy]"``); a missing one is reported
and its rows skipped. One process, CPU seconds (``time.process_time``), median of ``--runs``
runs after a warm-up, over the corpus (``corpora/*.txt`` and ``*.md`` except upper-case notes,
or FILES). Sections:

1. **install footprint** — the installed size (files listed in each distribution's RECORD) of
   the dependency closure of each extra, beyond the closure of the core dependencies;
2. **speed** — ``planparse.parse_text`` (the reference), the syllable tokens a search index
   makes without NLP (``[\\p{L}\\p{M}\\p{N}]+`` + ``textkey.key``/``fold``, the definition of
   ``planparse.search``), ``planparse.nlp.sentences`` / ``words`` / ``word_tokens`` with
   underthesea and with pyvi, the raw segmenters without offset alignment, and spaCy's blank
   Vietnamese pipeline (pyvi) alone and with the ``planparse`` component; cold imports in fresh
   processes;
3. **eval** — ``planparse eval`` on the gold set twice: as shipped, and with the targets
   extractor's in-line sentence boundaries (``. ! ?`` followed by a space) replaced by
   underthesea's ``sent_tokenize`` splits (line-break handling unchanged) — the one place in the
   pipeline where NLP sentence splitting could change a result (a target's deadline is the one
   its sentence states);
4. **search** — for a fixed list of multi-syllable queries, which units match with syllable
   tokens (every syllable anywhere = the default query of ``planparse.search``; the syllables
   as a phrase = a quoted query) and with word tokens (underthesea, pyvi: the query segmented
   by the same segmenter, its words as a phrase), over two kinds of unit: each target's text
   and each section's own text. ``--show-diffs`` prints every unit on which word tokens and the
   syllable phrase disagree, for judging by hand.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata as md
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import regex as re  # noqa: E402

import planparse  # noqa: E402
from planparse.textkey import fold, key  # noqa: E402

QUERIES = [
    "trẻ em", "hoàn cảnh đặc biệt", "người cao tuổi", "người khuyết tật", "công tác xã hội",
    "trợ giúp xã hội", "bình đẳng giới", "bạo lực", "ma túy", "dân số", "dinh dưỡng",
    "chuyển đổi số", "khoa học", "công nghệ", "đổi mới sáng tạo", "rác thải", "môi trường",
    "bí mật nhà nước", "cán bộ", "tập huấn", "ngân sách", "hộ nghèo", "bảo hiểm y tế",
    "sinh viên", "học sinh", "nhà nước", "an ninh", "thuế", "doanh nghiệp", "hành chính",
]
# Judged by hand from `--show-diffs` on this corpus: the syllable-phrase hits that are NOT the
# word asked for. Every other hit that word segmentation drops was read and is the word asked
# for inside a longer word ("trẻ em gái", "suy dinh dưỡng", "quản lý nhà nước", "công nghệ
# thông tin", "Bộ Khoa học và Công nghệ", "an ninh mạng", "cơ quan hành chính" …): a lost hit.
FALSE_MATCHES = {
    "dân số": ["công dân số", "hướng dẫn số"],  # digital citizens; folded "dẫn số" = "dân số"
    "hành chính": ["ban hành chính sách", "điều hành chính sách"],
    "thuế": ["thuê khoán"],  # folded "thuê" = "thuế"
}
EXTRAS = {
    "core": ["pydantic", "regex", "typer"],
    "nlp": ["underthesea"],
    "spacy": ["spacy", "pyvi"],
    "notebook": ["pandas", "matplotlib", "nbclient", "nbformat", "ipykernel"],
}
SYLLABLE = re.compile(r"[\p{L}\p{M}\p{N}]+")


def corpus(files):
    paths = [Path(f) for f in files] or sorted(p for p in (ROOT / "corpora").iterdir() if p.suffix in {".txt", ".md"} and not p.stem.isupper())
    return [(p.name, p.read_text(encoding="utf-8")) for p in paths]


def have(module):
    try:
        importlib.import_module(module)
        return True
    except ImportError:
        return False


def timed(fn, runs):
    fn()  # warm-up: model loading, regex compiles
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall)


# --------------------------------------------------------------------------- 1. install footprint


def _closure(names):
    from packaging.requirements import Requirement

    seen, todo = {}, list(names)
    while todo:
        name = todo.pop()
        norm = name.lower().replace("_", "-")
        if norm in seen:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            seen[norm] = None
            continue
        seen[norm] = dist
        for req in dist.requires or []:
            r = Requirement(req)
            if r.marker and not r.marker.evaluate({"extra": ""}):
                continue
            todo.append(r.name)
    return seen


def _size(dist):
    total = 0
    for f in dist.files or []:
        try:
            total += f.locate().stat().st_size
        except OSError:
            pass
    return total


def footprint():
    core = _closure(EXTRAS["core"])
    out = {}
    for extra, names in EXTRAS.items():
        closure = _closure(names)
        missing = sorted(n for n, d in closure.items() if d is None)
        added = {n: d for n, d in closure.items() if d is not None and (extra == "core" or n not in core)}
        sizes = sorted(((n, _size(d)) for n, d in added.items()), key=lambda x: -x[1])
        out[extra] = {
            "packages": len(added),
            "mb": round(sum(s for _, s in sizes) / 1e6, 1),
            "largest": [(n, round(s / 1e6, 1)) for n, s in sizes[:6]],
            "missing": missing,
        }
    return out


# --------------------------------------------------------------------------- 2. speed


def syllable_tokens(text):
    return [(m.start(), m.end(), key(m.group()), fold(key(m.group()))) for m in SYLLABLE.finditer(text)]


def speed(texts, runs):
    from planparse import nlp

    chars = sum(len(t) for _, t in texts)
    rows = {}

    def add(name, fn, needs=()):
        if not all(have(m) for m in needs):
            rows[name] = {"skipped": f"needs {', '.join(needs)}"}
            return
        cpu, wall = timed(lambda: [fn(t) for _, t in texts], runs)
        rows[name] = {"cpu_s": round(cpu, 4), "wall_s": round(wall, 4), "mchars_per_s": round(chars / cpu / 1e6, 3)}

    add("planparse.parse_text", planparse.parse_text)
    add("syllable tokens (search, no NLP)", syllable_tokens)
    add("nlp.sentences (underthesea)", nlp.sentences, ("underthesea",))
    add("nlp.words (underthesea)", lambda t: nlp.words(t, "underthesea"), ("underthesea",))
    add("nlp.word_tokens (underthesea)", lambda t: nlp.word_tokens(t, "underthesea"), ("underthesea",))
    add("nlp.words (pyvi)", lambda t: nlp.words(t, "pyvi"), ("pyvi",))
    add("nlp.word_tokens (pyvi)", lambda t: nlp.word_tokens(t, "pyvi"), ("pyvi",))
    if have("underthesea"):
        from underthesea import word_tokenize

        sents = {n: [t[a:b] for a, b in nlp.sentences(t)] for n, t in texts}
        add("underthesea.word_tokenize per sentence, no alignment", lambda t: [word_tokenize(s) for s in sents[_name(texts, t)]], ("underthesea",))
        add("underthesea.word_tokenize, whole text at once", word_tokenize, ("underthesea",))
    if have("spacy") and have("pyvi"):
        import spacy

        importlib.import_module("planparse.spacy_component")  # registers "planparse"

        vi = spacy.blank("vi")
        add("spaCy blank('vi') tokenizer (pyvi)", vi.make_doc, ("spacy", "pyvi"))
        vi_pp = spacy.blank("vi")
        vi_pp.add_pipe("planparse")
        add("spaCy blank('vi') + planparse component", vi_pp, ("spacy", "pyvi"))
        xx_pp = spacy.blank("xx")
        xx_pp.add_pipe("planparse")
        add("spaCy blank('xx') + planparse component", xx_pp, ("spacy",))
    ref = rows["planparse.parse_text"]["cpu_s"]
    for r in rows.values():
        if "cpu_s" in r:
            r["x_parse"] = round(r["cpu_s"] / ref, 2)
    return rows


def _name(texts, t):
    for n, x in texts:
        if x is t:
            return n
    raise KeyError


def cold_imports(runs=3):
    cases = {
        "python -c pass": "pass",
        "import planparse": "import planparse",
        "import underthesea; word_tokenize('trẻ em')": "from underthesea import word_tokenize; word_tokenize('trẻ em')",
        "from pyvi import ViTokenizer; tokenize('trẻ em')": "from pyvi import ViTokenizer; ViTokenizer.tokenize('trẻ em')",
        "import spacy; spacy.blank('vi')('trẻ em')": "import spacy; spacy.blank('vi')('trẻ em')",
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = {}
    for name, code in cases.items():
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
            times.append(time.perf_counter() - t0)
            if p.returncode:
                break
        out[name] = round(statistics.median(times), 3) if p.returncode == 0 else "unavailable"
    return out


# --------------------------------------------------------------------------- 3. eval


class _SentenceBoundaries:
    """Stands in for ``targets._SENTENCE_BOUNDARY``: line breaks as before, in-line sentence ends
    where underthesea's ``sent_tokenize`` puts them instead of at ". " / "! " / "? "."""

    def __init__(self, original):
        self.original = original

    def finditer(self, text):
        from planparse import nlp

        ends = set()
        for a, b in nlp.sentences(text):
            if b < len(text) and text[b] != "\n":
                ends.add(b)
        marks = [m for m in self.original.finditer(text) if m.group(0) == "\n"]
        marks += [_Mark(b - 1, b, text[b - 1]) if text[b - 1] in ".!?…" else _Mark(b, b, "") for b in sorted(ends)]
        return sorted(marks, key=lambda m: m.start())


class _Mark:
    def __init__(self, start, end, s):
        self._s, self._e, self._g = start, end, s

    def start(self):
        return self._s

    def end(self):
        return self._e

    def group(self, _=0):
        return self._g


def eval_sentences():
    from planparse.evaluate import evaluate
    from planparse.extract import targets

    def summary(report):
        d = report.to_dict()
        t = d["totals"]["targets"]
        return {
            "targets_p": t["precision"], "targets_r": t["recall"], "targets_f1": t["f1"],
            "deadline_year_acc": t["fields"].get("deadline_year", {}).get("accuracy"),
            "deadline_year": f'{t["fields"].get("deadline_year", {}).get("correct")}/{t["fields"].get("deadline_year", {}).get("total")}',
            "overall_f1": d["overall"]["f1"],
            "targets_fp_fn": (t["fp"], t["fn"]),
        }

    base = summary(evaluate(ROOT / "corpora" / "gold"))
    if not have("underthesea"):
        return {"regex (as shipped)": base, "underthesea sentences": "skipped: needs underthesea"}
    original = targets._SENTENCE_BOUNDARY
    targets._SENTENCE_BOUNDARY = _SentenceBoundaries(original)
    try:
        nlp_run = summary(evaluate(ROOT / "corpora" / "gold"))
    finally:
        targets._SENTENCE_BOUNDARY = original
    return {"regex (as shipped)": base, "underthesea sentences": nlp_run}


# --------------------------------------------------------------------------- 4. search


def _units(texts):
    """(kind, id, text): each target's text and each section's own text."""
    units = []
    for name, text in texts:
        doc = planparse.parse_text(text, path=name)
        units += [("target", f"{name}#{t.id}", t.text) for t in doc.targets]
        units += [("section", f"{name}#{s.id}", s.text) for s in doc.iter_sections() if s.text.strip()]
    return units


def _contains(seq, sub):
    n = len(sub)
    return n > 0 and any(seq[i:i + n] == sub for i in range(len(seq) - n + 1))


def _aligned(words_of_unit, qs):
    """Whether the syllables ``qs`` occur as a run of whole words (the match starts and ends on
    word boundaries of the unit's segmentation), however the query itself would be segmented."""
    joined = [w.split("_") for w in words_of_unit]
    for i in range(len(joined)):
        run, j = [], i
        while j < len(joined) and len(run) < len(qs):
            run += joined[j]
            j += 1
        if run == qs:
            return True
    return False


def _judged_false(unit_syl, q, qs):
    """Whether every occurrence of the query phrase in the unit sits inside a FALSE_MATCHES pattern."""
    pats = []
    for pattern in FALSE_MATCHES.get(q, []):
        ps = [t[3] for t in syllable_tokens(pattern)]
        pats += [(ps, k) for k in range(len(ps) - len(qs) + 1) if ps[k:k + len(qs)] == qs]
    if not pats:
        return False
    occurrences = [i for i in range(len(unit_syl) - len(qs) + 1) if unit_syl[i:i + len(qs)] == qs]
    return bool(occurrences) and all(any(unit_syl[i - k:i - k + len(ps)] == ps for ps, k in pats if i >= k) for i in occurrences)


def search_hits(texts, show_diffs=False):
    """Hits per query and unit kind for: all syllables anywhere, the syllables as a phrase, and
    per segmenter the phrase on word boundaries ("aligned") and the query's own words as a
    phrase of word tokens ("index": what an index of word tokens answers)."""
    from planparse import nlp

    units = _units(texts)
    backends = [b for b in ("underthesea", "pyvi") if have(b)]
    syl = [[t[3] for t in syllable_tokens(u[2])] for u in units]
    words = {b: [[t[3] for t in nlp.word_tokens(u[2], b)] for u in units] for b in backends}
    out = {"units": {k: sum(1 for u in units if u[0] == k) for k in ("target", "section")}, "queries": {}, "diffs": []}
    for q in QUERIES:
        qs = [t[3] for t in syllable_tokens(q)]
        row = {}
        for kind in ("target", "section"):
            idx = [i for i, u in enumerate(units) if u[0] == kind]
            and_hits = {i for i in idx if set(qs) <= set(syl[i])}
            phrase = {i for i in idx if _contains(syl[i], qs)}
            false_phrase = sum(1 for i in phrase if _judged_false(syl[i], q, qs))
            row[kind] = {"syllables_all": len(and_hits), "syllable_phrase": len(phrase), "syllable_phrase_judged_false": false_phrase}
            for be in backends:
                qw = [t[3] for t in nlp.word_tokens(q, be)]
                aligned = {i for i in idx if _aligned(words[be][i], qs)}
                index = {i for i in idx if _contains(words[be][i], qw)}
                row[kind].update({f"{be}_aligned": len(aligned), f"{be}_index": len(index), f"{be}_query": "|".join(qw),
                                  f"{be}_gained": len((aligned | index) - phrase)})
                for mode, hits in (("aligned", aligned), ("index", index)):
                    dropped = phrase - hits
                    false_removed = sum(1 for i in dropped if _judged_false(syl[i], q, qs))
                    row[kind][f"{be}_{mode}_false_removed"] = false_removed
                    row[kind][f"{be}_{mode}_true_lost"] = len(dropped) - false_removed
                if show_diffs:
                    for i in sorted(phrase - aligned):
                        text = units[i][2]
                        m = re.search(r"(?i)" + r"\W+".join(re.escape(w) for w in q.split()), text)
                        ctx = text[max(0, m.start() - 30):m.end() + 30] if m else text[:80]
                        seg = " ".join(ctx[a:b].replace(" ", "_") for a, b in nlp.words(ctx, be))
                        out["diffs"].append({"query": q, "backend": be, "unit": units[i][1], "kind": kind,
                                             "context": ctx.replace("\n", " "), "segmented": seg})
        out["queries"][q] = row
    totals = {}
    for kind in ("target", "section"):
        keys = [k for k, v in next(iter(out["queries"].values()))[kind].items() if isinstance(v, int)]
        totals[kind] = {k: sum(row[kind][k] for row in out["queries"].values()) for k in keys}
    out["totals"] = totals
    return out


# --------------------------------------------------------------------------- report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-diffs", action="store_true")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: footprint,speed,cold,eval,search")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    texts = corpus(args.files)
    result = {
        "python": sys.version.split()[0],
        "versions": {n: _version(n) for n in ("underthesea", "pyvi", "spacy", "pandas", "matplotlib")},
        "corpus": {"documents": len(texts), "chars": sum(len(t) for _, t in texts)},
        "load_average": os.getloadavg()[0],
    }
    if "footprint" not in skip:
        result["footprint"] = footprint()
    if "speed" not in skip:
        result["speed"] = speed(texts, args.runs)
    if "cold" not in skip:
        result["cold_imports_s"] = cold_imports()
    if "eval" not in skip:
        result["eval"] = eval_sentences()
    if "search" not in skip:
        result["search"] = search_hits(texts, args.show_diffs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _print(result, args.show_diffs)


def _version(name):
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def _print(r, show_diffs):
    print(f"corpus: {r['corpus']['documents']} documents, {r['corpus']['chars']:,} characters · Python {r['python']} · load {r['load_average']:.2f}")
    print("versions:", ", ".join(f"{k} {v}" for k, v in r["versions"].items() if v))
    if "footprint" in r:
        print("\n1. install footprint (installed files of the dependency closure, beyond the core's)")
        for extra, f in r["footprint"].items():
            miss = f" (not installed: {', '.join(f['missing'])})" if f["missing"] else ""
            print(f"  {extra:<9} +{f['mb']:>6.1f} MB in {f['packages']:>2} packages; largest {', '.join(f'{n} {s}' for n, s in f['largest'][:4])}{miss}")
    if "speed" in r:
        print("\n2. speed over the corpus (CPU, median)")
        for name, s in r["speed"].items():
            if "skipped" in s:
                print(f"  {name:<58} skipped ({s['skipped']})")
            else:
                print(f"  {name:<58} {s['mchars_per_s']:>7.3f} M chars/s  {s['cpu_s']:>7.3f} s  ×{s['x_parse']:<6} parse_text")
    if "cold_imports_s" in r:
        print("\n   cold start, fresh process (wall s, median of 3)")
        for name, s in r["cold_imports_s"].items():
            print(f"  {name:<58} {s}")
    if "eval" in r:
        print("\n3. planparse eval, targets: regex sentence ends vs underthesea's")
        for name, s in r["eval"].items():
            print(f"  {name:<24} {s}")
    if "search" in r:
        s = r["search"]
        print(f"\n4. search hits over {s['units']['target']} target texts and {s['units']['section']} section texts")
        for kind in ("target", "section"):
            print(f"  {kind}s — all syllables / syllable phrase / per segmenter: phrase on word boundaries, query's words as tokens")
            for q, row in s["queries"].items():
                x = row[kind]
                ws = "  ".join(f"{b[:5]} {x[f'{b}_aligned']:>4} {x[f'{b}_index']:>4} [{x[f'{b}_query']}]" for b in ("underthesea", "pyvi") if f"{b}_aligned" in x)
                print(f"    {q:<22} {x['syllables_all']:>4} {x['syllable_phrase']:>4}   {ws}")
            t = s["totals"][kind]
            print(f"    {'TOTAL':<22} {t['syllables_all']:>4} {t['syllable_phrase']:>4}   " + "  ".join(
                f"{b[:5]} {t[f'{b}_aligned']:>4} {t[f'{b}_index']:>4}" for b in ("underthesea", "pyvi") if f"{b}_aligned" in t))
        print("\n  word tokens against the syllable phrase (hits judged by hand, see FALSE_MATCHES): false hits removed / true hits lost")
        for kind in ("target", "section"):
            t = s["totals"][kind]
            parts = [f"phrase: {t['syllable_phrase']} hits, {t['syllable_phrase_judged_false']} judged false"]
            for b in ("underthesea", "pyvi"):
                if f"{b}_aligned" in t:
                    parts += [f"{b} on word boundaries -{t[f'{b}_aligned_false_removed']} false / -{t[f'{b}_aligned_true_lost']} true",
                              f"{b} query as word tokens -{t[f'{b}_index_false_removed']} false / -{t[f'{b}_index_true_lost']} true"]
            print(f"    {kind}s: " + "; ".join(parts))
        if show_diffs:
            print("\n   syllable-phrase hits that are not on word boundaries")
            for d in s["diffs"]:
                print(f"  [{d['backend']}] {d['query']!r:<22} {d['unit']}: …{d['context']}…\n{'':>12}segmented: {d['segmented']}")


if __name__ == "__main__":
    main()
