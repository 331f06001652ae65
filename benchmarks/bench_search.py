#!/usr/bin/env python3
"""Search (issue 7): index throughput and query latency for ~100k targets, SQLite and PostgreSQL.

    python benchmarks/bench_search.py [--targets 100000] [--repeat 30] [--pg DSN | --no-pg] [--json]

The corpus (corpora/*.txt and *.md, not the upper-case notes) is parsed once, then repeated
with varied values until it holds ``--targets`` targets: copy *i* of a plan gets its own path
(so its own document), every target value scaled by one of 0.7 … 1.3, deadlines moved by 0, 5
or 10 years, and the issuer set to "Ủy ban nhân dân tỉnh P" for the i-th of the 63 provinces,
so the numeric, deadline and province filters select real fractions. The plans' text is
unchanged, so word frequencies are the corpus's, multiplied.

- **index**: ``Index.add_many`` (batches of 200 plans per transaction) into a new SQLite file
  and a new PostgreSQL database; the time counted is the ``add_many`` calls only (building the
  copies is not counted); targets/s, documents/s and MB/s of document JSON; the final size.
- **query**: a fixed set of queries (accent-free and accented words, phrases, OR/NOT, prefixes,
  each filter, filters only, sorts), each run ``--repeat`` times after one warm-up, through
  ``Index.search`` (limit 20, what the API returns by default); wall-clock latency per call,
  p50/p95 over all calls and per query. Hits are compared between the backends (sets, limit 1000)
  for the same queries, once, in document order (the first 1000: the same list if the same targets
match; relevance order differs by design, BM25 against ts_rank).

PostgreSQL: ``--pg DSN`` (an empty database is created next to the one named), else
``$PLANPARSE_TEST_PG_DSN``, else a throwaway server from ``.ci/postgres.sh``; ``--no-pg`` skips
it. Issue 7's goal: p95 < 20 ms on SQLite at 100k targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

GOAL_P95_MS = 20.0

QUERIES = [
    ("accent-free words", "tre em co hoan canh dac biet", {}),
    ("accented words", "trẻ em có hoàn cảnh đặc biệt", {}),
    ("phrase", '"trẻ em bị xâm hại"', {}),
    ("one common word", "xã", {}),
    ("rare word", "khuyết tật", {}),
    ("OR", "người cao tuổi OR người khuyết tật", {}),
    ("NOT", "trẻ em -xâm", {}),
    ("prefix", "chuyển đổi số*", {}),
    ("words + range + unit", "trẻ em", {"min": 90, "unit": "%"}),
    ("words + by", "người cao tuổi", {"by": 2025}),
    ("words + deadline", "dinh dưỡng", {"deadline": 2030}),
    ("words + agency lead", "trẻ em", {"agency": "lao động thương binh", "role": "lead"}),
    ("words + province (now)", "trẻ em", {"province": "Gia Lai"}),
    ("words + doc type", "cán bộ", {"doc_type": "Quyết định"}),
    ("issue question", "trẻ em có hoàn cảnh đặc biệt", {"min": 90, "unit": "%", "by": 2025}),
    ("filters only: range", "", {"min": 90, "max": 100, "unit": "%"}),
    ("filters only: province", "", {"province": "Đồng Nai"}),
    ("filters only: agency", "", {"agency": "Sở Y tế"}),
    ("sort by value", "trẻ em", {"sort": "value"}),
    ("sort by deadline", "", {"sort": "deadline", "by": 2025}),
]


def corpus_docs():
    import planparse

    files = sorted(p for p in (ROOT / "corpora").iterdir() if p.suffix in {".txt", ".md"} and not p.stem.isupper())
    return [planparse.parse(p) for p in files]


def copies(docs, n_targets: int):
    """Yield varied copies of the corpus plans until ``n_targets`` targets have been made."""
    from planparse.search.places import gazetteer

    provinces = sorted(gazetteer().provinces)
    base = [d.model_dump(mode="json") for d in docs if d.targets]
    made, i = 0, 0
    from planparse.models import PlanDocument

    while made < n_targets:
        for j, d in enumerate(base):
            if made >= n_targets:
                return
            factor = (0.7, 0.85, 1.0, 1.15, 1.3)[(i + j) % 5]
            shift = (0, 5, 10)[i % 3]
            data = dict(d)
            data["source"] = dict(d["source"], path=f"bench/{i:05d}/{Path(d['source']['path']).name}", sha256=uuid.uuid4().hex)
            data["metadata"] = dict(d["metadata"], issuer=f"Ủy ban nhân dân tỉnh {provinces[i % len(provinces)]}", place=None)
            tg = []
            for t in d["targets"]:
                t = dict(t, value=round(t["value"] * factor, 2))
                if t.get("value_max") is not None:
                    t["value_max"] = round(t["value_max"] * factor, 2)
                if t.get("deadline") and t["deadline"].get("year"):
                    t["deadline"] = dict(t["deadline"], year=t["deadline"]["year"] + shift)
                tg.append(t)
            data["targets"] = tg
            made += len(tg)
            yield PlanDocument.model_validate(data)
        i += 1


def build(index, docs, n_targets: int, batch_docs: int = 200):
    """Index the copies; returns (seconds in add_many, documents, targets, JSON bytes)."""
    spent, n_docs, n_t, n_bytes, chunk = 0.0, 0, 0, 0, []

    def flush():
        nonlocal spent
        t0 = time.perf_counter()
        index.add_many(chunk, batch=batch_docs)
        spent += time.perf_counter() - t0

    for doc in copies(docs, n_targets):
        chunk.append(doc)
        n_docs += 1
        n_t += len(doc.targets)
        if len(chunk) == batch_docs:
            n_bytes += sum(len(d.model_dump_json()) for d in chunk[:5]) * len(chunk) // 5
            flush()
            chunk = []
    if chunk:
        n_bytes += sum(len(d.model_dump_json()) for d in chunk)
        flush()
    return spent, n_docs, n_t, n_bytes


def latencies(index, repeat: int):
    out = {}
    for name, q, kw in QUERIES:
        index.search(q, limit=20, **kw)  # warm-up
        times, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            hits = index.search(q, limit=20, **kw)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        out[name] = {"query": q, "filters": kw, "hits": len(hits), "ms": times, "cpu_ms": cpu}
    return out


def pct(values, p):
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary(lat):
    every = [x for r in lat.values() for x in r["ms"]]
    cpu = [x for r in lat.values() for x in r["cpu_ms"]]
    return {"p50": pct(every, 50), "p95": pct(every, 95), "max": max(every), "calls": len(every),
            "cpu_p50": pct(cpu, 50), "cpu_p95": pct(cpu, 95),
            "per_query": {k: {"p50": pct(r["ms"], 50), "p95": pct(r["ms"], 95), "cpu_p50": pct(r["cpu_ms"], 50),
                              "hits": r["hits"]} for k, r in lat.items()}}


def pg_dsn(arg):
    if arg:
        return arg, None
    if os.environ.get("PLANPARSE_TEST_PG_DSN"):
        return os.environ["PLANPARSE_TEST_PG_DSN"], None
    state = Path(tempfile.mkdtemp()) / "state"
    r = subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh")], capture_output=True, text=True,
                       env=dict(os.environ, PLANPARSE_PG_STATE=str(state)), timeout=600)
    if r.returncode != 0:
        print(f"PostgreSQL not available: {r.stderr.strip()}", file=sys.stderr)
        return None, None
    return r.stdout.strip(), Path(state.read_text().strip()) / "stop.sh"


def fresh_db(dsn):
    import psycopg

    name = "planparse_bench_" + uuid.uuid4().hex[:8]
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(dsn)._replace(path="/" + name)), name


def drop_db(dsn, name):
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args):
    from planparse.search import Index

    t0 = time.perf_counter()
    docs = corpus_docs()
    report = {"targets_goal": args.targets, "repeat": args.repeat, "machine": {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "load": os.getloadavg()[0]}, "corpus": {"documents": len(docs), "targets": sum(len(d.targets) for d in docs)},
        "backends": {}}
    try:
        import sqlite3

        report["machine"]["sqlite"] = sqlite3.sqlite_version
    except Exception:  # pragma: no cover
        pass
    hits = {}
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", Path(tmp) / "bench.db")]
        stop = None
        pg_name = None
        if not args.no_pg:
            dsn, stop = pg_dsn(args.pg)
            if dsn:
                url, pg_name = fresh_db(dsn)
                backends.append(("postgresql", url))
        try:
            for name, db in backends:
                idx = Index(db)
                spent, n_docs, n_t, n_bytes = build(idx, docs, args.targets)
                st = idx.stats()
                size = None
                if name == "sqlite":
                    size = sum(p.stat().st_size for p in Path(tmp).glob("bench.db*"))
                else:
                    size = idx.backend._fetch("SELECT pg_database_size(current_database())")[0][0]
                lat = latencies(idx, args.repeat)
                hits[name] = {q: [(h.document.id, h.target_id) for h in idx.search(q, limit=1000, **dict(kw, sort="document"))]
                              for _, q, kw in QUERIES}
                report["backends"][name] = {
                    "index": {"seconds": spent, "documents": n_docs, "targets": n_t, "targets_per_s": n_t / spent,
                              "documents_per_s": n_docs / spent, "json_mb_per_s": n_bytes / 1e6 / spent,
                              "stored_targets": st.targets, "size_mb": size / 1e6},
                    "query": summary(lat), "raw": {k: v["ms"] for k, v in lat.items()},
                }
                idx.close()
        finally:
            if pg_name:
                drop_db(dsn, pg_name)
            if stop:
                subprocess.run(["bash", str(stop)], capture_output=True)
    if len(hits) == 2:
        report["same_hits"] = {q: hits["sqlite"][q] == hits["postgresql"][q] for _, q, _ in QUERIES}
    report["seconds"] = time.perf_counter() - t0
    return report


def markdown(r):
    lines = []
    m = r["machine"]
    lines.append(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {m['cpus']} cores · CPython {m['python']} · "
                 f"SQLite {m.get('sqlite')} · load average {m['load']:.2f} at start · corpus {r['corpus']['documents']} plans, "
                 f"{r['corpus']['targets']} targets, repeated to {r['targets_goal']:,} targets · {r['repeat']} calls per query after a warm-up · "
                 f"run took {r['seconds']:.0f} s")
    lines.append("")
    lines.append("| backend | index: targets/s | plans/s | JSON MB/s | size MB | query p50 ms | query p95 ms | max ms | client CPU p50 / p95 ms |")
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for name, b in r["backends"].items():
        i, q = b["index"], b["query"]
        lines.append(f"| {name} | {i['targets_per_s']:,.0f} | {i['documents_per_s']:,.1f} | {i['json_mb_per_s']:.1f} | {i['size_mb']:.0f} | "
                     f"{q['p50']:.2f} | **{q['p95']:.2f}** | {q['max']:.1f} | {q['cpu_p50']:.2f} / {q['cpu_p95']:.2f} |")
    lines.append("")
    lines.append("(wall-clock latency of `Index.search`, limit 20; client CPU is this process's CPU time — all of the work for "
                 "SQLite, which runs in-process, only the client side for PostgreSQL)")
    lite = r["backends"].get("sqlite")
    if lite:
        ok = lite["query"]["p95"] < GOAL_P95_MS
        lines.append("")
        lines.append(f"Goal p95 < {GOAL_P95_MS:.0f} ms on SQLite at {r['targets_goal']:,} targets: **{'met' if ok else 'missed'}** "
                     f"({lite['query']['p95']:.2f} ms).")
    if "same_hits" in r:
        bad = [q for q, same in r["same_hits"].items() if not same]
        lines.append(f"Same hits on both backends (the first 1000 in document order): {len(r['same_hits']) - len(bad)}/{len(r['same_hits'])} queries"
                     + (f"; differ: {bad}" if bad else "."))
    lines.append("")
    names = list(r["backends"])
    lines.append("| query | filters | hits (≤20) | " + " | ".join(f"{n} p50 / p95 ms" for n in names) + " |")
    lines.append("|---|---|---|" + "---|" * len(names))
    for label, q, kw in QUERIES:
        cells = []
        for n in names:
            pq = r["backends"][n]["query"]["per_query"][label]
            cells.append(f"{pq['p50']:.2f} / {pq['p95']:.2f}")
        h = r["backends"][names[0]]["query"]["per_query"][label]["hits"]
        f = ", ".join(f"{k}={v}" for k, v in kw.items())
        lines.append(f"| {label}: `{q}` | {f} | {h} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pg", help="PostgreSQL DSN of a server to use")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = ap.parse_args()
    r = run(args)
    if args.json:
        print(json.dumps(r, indent=2, ensure_ascii=False))
    else:
        print(markdown(r))


if __name__ == "__main__":
    main()
