"""Property tests (hypothesis): whatever the text, ``parse`` keeps its invariants (issue 8).

Inputs: random Vietnamese-like text built from the corpus's lines and characters (plus the
characters normalisation must survive: NFD marks, U+FFFD, zero-width, BOM, superscripts,
controls, lone surrogates), corpus documents mutated by shrinkable plans (blocks shuffled,
labels renumbered, headings deleted, lines duplicated/split/joined, text inserted, truncated),
and encoded files (UTF-8, UTF-8 with BOM, UTF-16, Windows-1258, TCVN3, VNI) with random bytes
inserted, overwritten or deleted, read through ``planparse.parse(path)``.

For each input: ``parse`` returns a ``PlanDocument`` or raises ``PlanParseError``; spans index
the text exactly; nothing is lost; the JSON of a second parse is byte-identical
(``tests/invariants.py`` says exactly what is checked).

Profiles (environment ``PLANPARSE_HYPOTHESIS_PROFILE``): ``ci`` (default; 150 examples per
property — a third of that for whole documents —, derandomized, no deadline, no example database), ``dev`` (30 examples) and ``long`` (the ≥ 100k runs,
``PLANPARSE_HYPOTHESIS_EXAMPLES`` examples per property, default 25,000) — see ``fuzz/README.md``.
With ``PLANPARSE_ROBUSTNESS_STATS=FILE`` every property appends its count of inputs, its
slowest input and the process's peak RSS to FILE (JSON lines) for ``benchmarks/bench_robustness.py``.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import planparse
from generators import (
    BYTE_OPS,
    HEADING_TEMPLATES,
    OPS,
    SPECIALS,
    corpus_alphabet,
    corpus_lines,
    heading_line,
    mutate_bytes,
    mutate_lines,
    seed_texts,
)
from invariants import violations
from planparse.emit import to_json
from planparse.ingest import read_file
from planparse.ingest import encodings as legacy
from planparse.pipeline import parse_decoded

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
# ci: derandomized, so a CI run replays the same 150 examples (new bugs are looked for by the long
# runs and the fuzzers, which then add a case to tests/regressions/ — CI does not fail at random)
settings.register_profile("ci", max_examples=150, database=None, derandomize=True, **_COMMON)
settings.register_profile("dev", max_examples=30, **_COMMON)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("PLANPARSE_HYPOTHESIS_EXAMPLES", "25000")),
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    **_COMMON,
)
PROFILE = os.environ.get("PLANPARSE_HYPOTHESIS_PROFILE", "ci")
SETTINGS = settings.get_profile(PROFILE)

# ------------------------------------------------------------------ statistics for the benchmark

_STATS_FILE = os.environ.get("PLANPARSE_ROBUSTNESS_STATS")
_stats: dict[str, dict] = {}


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _record(test: str, seconds: float, size: int, outcome: str) -> None:
    s = _stats.setdefault(test, {"test": test, "inputs": 0, "errors": 0, "slowest_s": 0.0, "slowest_chars": 0, "largest_chars": 0})
    s["inputs"] += 1
    s["errors"] += outcome == "error"
    s["largest_chars"] = max(s["largest_chars"], size)
    if seconds > s["slowest_s"]:
        s["slowest_s"], s["slowest_chars"] = round(seconds, 4), size


@atexit.register
def _dump_stats() -> None:
    if _STATS_FILE and _stats:
        with open(_STATS_FILE, "a", encoding="utf-8") as f:
            for s in _stats.values():
                f.write(json.dumps({**s, "profile": PROFILE, "peak_rss_mib": round(_peak_rss_mib(), 1)}) + "\n")


# ------------------------------------------------------------------ strategies

ALPHABET = corpus_alphabet() + SPECIALS  # lone surrogates included (tests/regressions: lone-surrogate)
payload = st.text(alphabet=ALPHABET, max_size=24)

line = st.one_of(
    st.sampled_from(corpus_lines()),
    st.text(alphabet=ALPHABET, max_size=120),
    st.builds(heading_line, st.sampled_from(HEADING_TEMPLATES), st.integers(0, 10_000), st.sampled_from(corpus_lines()).map(lambda s: s[:60])),
)
separator = st.sampled_from(["\n", "\n", "\n", "\n\n", "\r\n", " \n", "\n\f\n", "\u2028"])


@st.composite
def vietnamese_like_text(draw) -> str:
    lines = draw(st.lists(line, max_size=60))
    seps = draw(st.lists(separator, min_size=len(lines), max_size=len(lines)))
    return "".join(ln + sep for ln, sep in zip(lines, seps))


plan_step = st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 20), st.integers(0, 1 << 20), payload)


@st.composite
def mutated_seed(draw, max_lines: int = 160) -> str:
    """A window of a corpus document (up to ``max_lines`` lines) changed by a mutation plan."""
    name, text = draw(st.sampled_from(seed_texts()))
    lines = text.split("\n")
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    window = lines[start : start + draw(st.integers(1, max_lines))]
    plan = draw(st.lists(plan_step, max_size=10))
    return "\n".join(mutate_lines(window, plan))


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni")
byte_step = st.tuples(st.sampled_from(BYTE_OPS), st.integers(0, 1 << 20), st.binary(min_size=1, max_size=12))


def _encode(text: str, enc: str) -> bytes:
    if enc in legacy.LEGACY:
        return legacy.encode(text, enc)
    return text.encode(enc, "surrogatepass")


# ------------------------------------------------------------------ the checks


def check_text(test: str, text: str) -> None:
    t0 = time.process_time()
    outcome = "ok"
    try:
        doc = planparse.parse_text(text)
    except planparse.PlanParseError:
        outcome = "error"
    finally:
        _record(test, time.process_time() - t0, len(text), outcome)
    if outcome == "error":
        return
    problems = violations(text, doc)
    assert not problems, problems[:5]
    first = to_json(doc, include_text=True)
    assert to_json(planparse.parse_text(text), include_text=True) == first, "second parse differs"


_TMP = tempfile.TemporaryDirectory(prefix="planparse-props-")


def check_file(test: str, data: bytes, suffix: str = ".txt") -> None:
    path = Path(_TMP.name) / f"input{suffix}"
    path.write_bytes(data)
    t0 = time.process_time()
    try:
        decoded = read_file(path)
        doc = parse_decoded(decoded)
    except planparse.PlanParseError as exc:
        _record(test, time.process_time() - t0, len(data), "error")
        assert str(path) in str(exc), f"error does not name the file: {exc}"
        return
    _record(test, time.process_time() - t0, len(data), "ok")
    problems = violations(decoded.text, doc)
    assert not problems, problems[:5]
    again = parse_decoded(read_file(path))
    assert to_json(again, include_text=True) == to_json(doc, include_text=True), "second parse differs"


@SETTINGS
@given(vietnamese_like_text())
def test_random_vietnamese_like_text(text):
    check_text("random_text", text)


@SETTINGS
@given(mutated_seed())
def test_mutated_seed_documents(text):
    check_text("mutated_seed", text)


@settings(SETTINGS, max_examples=max(1, SETTINGS.max_examples // 3))
@given(st.sampled_from(seed_texts()), st.lists(plan_step, min_size=1, max_size=4))
def test_whole_seed_documents_mutated(seed, plan):
    """Whole documents (10–70k characters), so section/footnote logic meets real sizes."""
    name, text = seed
    check_text("mutated_whole_seed", "\n".join(mutate_lines(text.split("\n"), plan)))


@SETTINGS
@given(mutated_seed(max_lines=80), st.sampled_from(ENCODINGS), st.lists(byte_step, max_size=8))
def test_encoded_files_with_random_bytes(text, enc, plan):
    """Bytes on disk: ``parse(path)`` decodes (or refuses with an error naming the file)."""
    try:
        data = _encode(text, enc)
    except (UnicodeError, ValueError):
        data = text.encode("utf-8", "surrogatepass")
    check_file("encoded_bytes", mutate_bytes(data, plan))


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf", ".doc"]))
def test_arbitrary_bytes_under_any_extension(data, suffix):
    """Any bytes with any supported extension: a document or a ``PlanParseError``, never a crash."""
    check_file("arbitrary_bytes", data, suffix)


# ------------------------------------------------------------------ determinism across processes

_HASHSEED_SCRIPT = r"""
import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import planparse, hashlib
from planparse.emit import to_json
from generators import seed_texts, mutate_lines
out = []
for name, text in seed_texts():
    doc = planparse.parse_text(text)
    out.append(hashlib.sha256(to_json(doc, include_text=True).encode()).hexdigest())
    plan = [("shuffle", 40, 17, ""), ("renumber", 3, 5, ""), ("delete_heading", 2, 0, ""), ("insert_text", 9, 4, "\u0301\ufeff¹")]
    doc = planparse.parse_text("\n".join(mutate_lines(text.split("\n"), plan)))
    out.append(hashlib.sha256(to_json(doc, include_text=True).encode()).hexdigest())
print("\n".join(out))
"""


def test_output_identical_across_processes_and_hash_seeds():
    """Set/dict iteration order of str keys changes with PYTHONHASHSEED: the JSON must not."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    runs = []
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run(
            [sys.executable, "-c", _HASHSEED_SCRIPT, str(root / "src"), str(root / "tests")],
            capture_output=True, text=True, env=env, timeout=600,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        runs.append(r.stdout.split())
    assert len(runs[0]) == 2 * len(seed_texts())
    diffs = [seed_texts()[i // 2][0] for i, (a, b, c) in enumerate(zip(*runs)) if not a == b == c]
    assert not diffs, f"output depends on the hash seed: {diffs}"
