#!/usr/bin/env python3
"""``planparse batch`` at scale (issue 6): documents/s with 1 and 2 worker processes, the parent's
peak RSS, and the dask engine's overhead relative to the local engine.

    python benchmarks/bench_batch.py [--docs 2000] [--runs 1] [--json] [--markdown] [--skip-dask]

The corpus (``corpora/*.txt`` and ``*.md`` except upper-case notes such as SOURCES.md) is copied
into a temporary folder as many times as needed to reach ``--docs`` documents (one sub-folder per
copy, so every input is a real file with its own path). Each measurement is one fresh process
running ``planparse.batch.run_batch`` (what ``planparse batch`` runs) into an empty OUTDIR with
``--format json --tables csv``:

- local engine, ``--jobs 1`` and ``--jobs 2``; dask engine on a ``LocalCluster`` of 2 worker
  processes (1 thread each), the configuration the tests use;
- wall seconds from the call to the summary (worker start-up included) and **steady documents/s**
  from the first finished document to the last (start-up excluded);
- the parent's own CPU seconds (``getrusage(RUSAGE_SELF)``: walking, writing outputs, manifest
  and tables; for dask also the in-process scheduler);
- the parent's RSS: ``VmHWM`` (peak) from ``/proc/self/status`` at the end, and ``VmRSS`` after 10 %,
  50 % and 100 % of the documents; a run on a tenth of the documents gives the same peak when
  memory is flat (nothing kept per document).

Runs are interleaved (j1, j2, dask, j1, …) so a burst of load on the shared machine hits all
alike; each figure is the median of ``--runs``. Read the ratios (2 processes / 1, dask / local).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _status(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB → MiB
    return float("nan")


def child(config: dict) -> dict:
    """One measurement, in this (fresh) process."""
    import resource

    sys.path.insert(0, str(ROOT / "src"))
    from planparse.batch import discover, run_batch

    t0 = time.perf_counter()
    rss_start = _status("VmRSS")
    found = discover([config["corpus"]])
    n = len(found)
    marks = {max(1, n // 10): "10%", max(1, n // 2): "50%", n: "100%"}
    rss = {}
    times = []

    def on_result(inp, res):
        times.append(time.perf_counter())
        if len(times) in marks:
            rss[marks[len(times)]] = round(_status("VmRSS"), 1)

    summary = run_batch(
        found, config["out"], jobs=config["jobs"], engine=config["engine"], fmt="json", tables="csv", on_result=on_result
    )
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    steady = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else float("nan")
    return {
        "engine": config["engine"], "jobs": config["jobs"], "docs": n, "ok": summary.ok, "failed": summary.failed,
        "wall_s": round(wall, 3), "docs_per_s": round(n / wall, 2), "steady_docs_per_s": round(steady, 2),
        "startup_s": round(times[0] - t0, 3) if times else None, "mb": round(summary.bytes / 1e6, 2),
        "parent_cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "rss_start_mib": round(rss_start, 1),
        "rss_mib": rss, "peak_rss_mib": round(_status("VmHWM"), 1),
        "load_start": config.get("load"), "load_end": round(os.getloadavg()[0], 2),
    }


def build_corpus(dest: Path, docs: int) -> tuple[Path, int]:
    files = sorted(p for p in (ROOT / "corpora").iterdir() if p.suffix in {".txt", ".md"} and not p.stem.isupper())
    copies = -(-docs // len(files))
    for c in range(copies):
        d = dest / f"copy{c:04d}"
        d.mkdir(parents=True)
        for f in files:
            shutil.copyfile(f, d / f.name)
    return dest, copies * len(files)


def measure(corpus: Path, work: Path, engine: str, jobs: int) -> dict:
    out = work / f"out-{engine}-{jobs}-{time.monotonic_ns()}"
    cfg = json.dumps({"corpus": str(corpus), "out": str(out), "engine": engine, "jobs": jobs, "load": round(os.getloadavg()[0], 2)})
    r = subprocess.run([sys.executable, __file__, "--child", cfg], capture_output=True, text=True, env=ENV, cwd=work)
    if r.returncode != 0:
        raise SystemExit(f"measurement failed ({engine}, {jobs}):\n{r.stderr[-3000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def _med(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def report(data: dict, markdown: bool) -> str:
    res = data["results"]
    lines = []
    env = data["env"]
    lines.append(
        f"{env['date']} · {env['cpus']} cores, {env['cpu']} · CPython {env['python']} · load average {env['load']} at start · "
        f"corpus {data['docs']} documents ({data['copies']} copies of {data['files']} corpus files), {data['mb']} MB · "
        f"median of {data['runs']} run(s) · commit `{env['commit']}`"
    )
    lines.append("")
    header = ["run", "load avg (start→end)", "documents/s (wall)", "steady documents/s", "wall s", "start-up s", "parent CPU s", "parent peak RSS MiB", "RSS at 10 % / 50 % / 100 %"]
    rows = []
    for name, runs in res.items():
        r0 = runs[0]
        rss = " / ".join(str(r0["rss_mib"].get(k, "–")) for k in ("10%", "50%", "100%"))
        loads = ", ".join(f"{r.get('load_start')}→{r.get('load_end')}" for r in runs)
        rows.append([
            name, loads, f"{_med(runs, 'docs_per_s'):.1f}", f"{_med(runs, 'steady_docs_per_s'):.1f}", f"{_med(runs, 'wall_s'):.1f}",
            f"{_med(runs, 'startup_s'):.2f}", f"{_med(runs, 'parent_cpu_s'):.1f}", f"{_med(runs, 'peak_rss_mib'):.1f}", rss,
        ])
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    lines.append("")
    for k, v in data["ratios"].items():
        lines.append(f"- {k}: **{v}**" if markdown else f"{k}: {v}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--from-json", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    if args.from_json:
        print(report(json.loads(args.from_json.read_text()), args.markdown))
        return

    try:
        import distributed  # noqa: F401
        have_dask = not args.skip_dask
    except ImportError:
        have_dask = False
        print("dask.distributed not importable (pip install 'planparse[dask]'): dask runs skipped", file=sys.stderr)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor())
    env = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(), "cpu": cpu,
        "python": platform.python_version(), "load": round(os.getloadavg()[0], 2),
        "commit": commit + (" + uncommitted changes in src/" if dirty else ""),
    }
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        corpus, docs = build_corpus(work / "corpus", args.docs)
        small, small_docs = build_corpus(work / "small", max(1, args.docs // 10))
        mb = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file()) / 1e6
        plan = [("local, 1 process", corpus, "local", 1), ("local, 2 processes", corpus, "local", 2)]
        if have_dask:
            plan.append(("dask LocalCluster, 2 workers", corpus, "dask", 2))
        plan.append((f"local, 2 processes, {small_docs} documents", small, "local", 2))
        results: dict[str, list] = {name: [] for name, *_ in plan}
        for i in range(args.runs):
            for name, where, engine, jobs in plan:
                print(f"[run {i + 1}/{args.runs}] {name} …", file=sys.stderr, flush=True)
                results[name].append(measure(where, work, engine, jobs))
    j1, j2 = results["local, 1 process"], results["local, 2 processes"]
    ratios = {
        "2 processes / 1 process, steady documents/s": f"{_med(j2, 'steady_docs_per_s') / _med(j1, 'steady_docs_per_s'):.2f}×",
        "2 processes / 1 process, wall documents/s": f"{_med(j2, 'docs_per_s') / _med(j1, 'docs_per_s'):.2f}×",
    }
    if have_dask:
        dk = results["dask LocalCluster, 2 workers"]
        ratios["dask overhead vs local (2 workers), wall time"] = f"{(_med(dk, 'wall_s') / _med(j2, 'wall_s') - 1) * 100:+.1f} %"
        ratios["dask overhead vs local (2 workers), steady documents/s"] = f"{(_med(j2, 'steady_docs_per_s') / _med(dk, 'steady_docs_per_s') - 1) * 100:+.1f} %"
        ratios["dask start-up (LocalCluster + client) vs local pool start-up"] = f"{_med(dk, 'startup_s'):.2f} s vs {_med(j2, 'startup_s'):.2f} s"
    sm = results[f"local, 2 processes, {small_docs} documents"]
    ratios[f"parent peak RSS, {docs} vs {small_docs} documents (flat = 1.0)"] = f"{_med(j2, 'peak_rss_mib') / _med(sm, 'peak_rss_mib'):.2f}×"
    data = {"env": env, "docs": docs, "copies": docs // 13 if docs % 13 == 0 else None, "files": 13, "mb": round(mb, 1),
            "runs": args.runs, "results": results, "ratios": ratios}
    files = len([p for p in (ROOT / "corpora").iterdir() if p.suffix in {".txt", ".md"} and not p.stem.isupper()])
    data["files"], data["copies"] = files, docs // files
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(report(data, args.markdown))


if __name__ == "__main__":
    main()
