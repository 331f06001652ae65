"""Robustness, measured (issue 8): hostile and adversarial inputs, each parsed in a fresh process
(status, CPU time, peak RSS), the growth of time and memory with the size of ordinary text, and
the counts of the fuzzing and long property runs.

    python benchmarks/bench_robustness.py                      # hostile + adversarial + scaling
    python benchmarks/bench_robustness.py --markdown           # the tables for RESULTS.md
    python benchmarks/bench_robustness.py --fuzz-seconds 2700 --property-examples 10000 --markdown
        # also runs both atheris harnesses for that long and the long hypothesis profile first
    python benchmarks/bench_robustness.py --stats-dir DIR      # read *.stats.json(l) and *.log from DIR
                                                               # (default fuzz/) instead of running them

Every input runs in its own ``python -c`` child (``PYTHONPATH=src``, this checkout), which
reports ``time.process_time()`` and ``VmHWM`` from ``/proc/self/status``; a child that exceeds
``--timeout`` seconds of wall time is a hang. The numbers are CPU time on a shared machine:
compare them with the corpus baseline measured in the same run, not across runs.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

CHILD = r"""
import json, sys, time
sys.path[:0] = [sys.argv[1]]
import planparse
from planparse.emit import to_json
mode, arg = sys.argv[2], sys.argv[3]
t0 = time.process_time()
out = {}
try:
    if mode == "text":
        doc = planparse.parse_text(open(arg, encoding="utf-8", errors="surrogatepass").read())
    else:
        doc = planparse.parse(arg)
    out["status"] = "ok"
    out["chars"] = len(doc.text)
    out["json_bytes"] = len(to_json(doc).encode())
except planparse.PlanParseError as exc:
    out["status"] = "error"
    out["message"] = str(exc).replace(arg, "FILE")[:160]
except Exception as exc:
    out["status"] = "CRASH"
    out["message"] = f"{type(exc).__name__}: {exc}"[:160]
out["cpu_s"] = round(time.process_time() - t0, 3)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        out["peak_rss_mib"] = round(int(line.split()[1]) / 1024, 1)
print(json.dumps(out))
"""


def child(mode: str, path: Path, timeout: float) -> dict:
    t0 = time.time()
    try:
        r = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT / "src"), mode, str(path)],
            capture_output=True, text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
    except subprocess.TimeoutExpired:
        return {"status": "HANG", "cpu_s": None, "peak_rss_mib": None, "wall_s": timeout}
    try:
        out = json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        out = {"status": "DIED", "message": r.stderr[-160:], "cpu_s": None, "peak_rss_mib": None}
    out["wall_s"] = round(time.time() - t0, 2)
    return out


# --------------------------------------------------------------------------- inputs


def adversarial_texts(tmp: Path) -> list[tuple[str, str, Path]]:
    from regex_audit import generic_strings

    out = []
    for name, s in generic_strings(True).items():
        p = tmp / f"adv-{name}.txt"
        p.write_text(s, encoding="utf-8")
        out.append((f"1 MB line: {name}", "text", p))
    return out


def hostile_files(tmp: Path) -> list[tuple[str, str, Path]]:
    import importlib.util
    import zipfile

    import test_hostile_files as h

    out: list[tuple[str, str, Path]] = []
    sparse = tmp / "sparse-200mb.txt"
    with open(sparse, "wb") as f:
        f.truncate(200 * 1024 * 1024)
    out.append(("200 MB text file (sparse)", "file", sparse))
    seed = (ROOT / "corpora" / "vinh-phuc_2023_de-an-tro-giup-xa-hoi.txt").read_bytes()
    real = tmp / "real-200mb.txt"
    with open(real, "wb") as f:
        for _ in range(200 * 1024 * 1024 // len(seed) + 1):
            f.write(seed)
    out.append(("200 MB text file (real text)", "file", real))
    amp = tmp / "amp-percent.txt"
    amp.write_text("1%" * 50_000, encoding="utf-8")
    out.append(("'1%' × 50k (100 KB, one target per 2 chars)", "text", amp))
    if importlib.util.find_spec("docx"):
        bomb = tmp / "bomb.docx"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", h.CT)
            z.writestr("_rels/.rels", h.PKG_RELS)
            z.writestr("word/document.xml", h.document(h.PLAIN))
            with z.open("word/media/image1.png", "w", force_zip64=True) as f:
                for _ in range(300):
                    f.write(b"\0" * (1 << 20))
        out.append(("DOCX zip bomb (300 MB member, 0.3 MB file)", "file", bomb))
        for name in ("docx-lying-size.docx", "docx-letter-numbering-bomb.docx"):
            out.append((f"DOCX {name[5:-5]} (regression case)", "file", ROOT / "tests" / "regressions" / "cases" / name))
        levels = h.write_docx(
            tmp / "levels.docx",
            h.document(h.PLAIN + [h.para(f"mục {i}", i % 6000, [0, 1, 2, 3, 4, 5, 6, 7, 8, 99, -1, 2**33][i % 12]) for i in range(12_000)]),
            numbering=h._numbering(3000, 6000, lambda a, lv: [1, 200_000_000, 2**31 - 1, -7, "x", 10**30][(a + lv) % 6]),
        )
        out.append(("DOCX 3,000 lists × 12 levels, 12,000 numbered paragraphs", "file", levels))
        out.append(("DOCX billion laughs in document.xml", "file", h.write_docx(tmp / "laughs.docx", h.document(h.PLAIN + [h.para("&lol9;")], prolog=h.LAUGHS))))
        import random

        rnd = random.Random(8)
        words = "trẻ em có hoàn cảnh đặc biệt được trợ giúp xã hội năm kế hoạch mục tiêu".split()
        chunk = "".join(h.para(" ".join(rnd.choice(words) for _ in range(12))) for _ in range(3000))
        out.append(("DOCX 70 MB document.xml (ratio ~100:1)", "file", h.write_docx(tmp / "huge.docx", h.document([chunk] * (70 * (1 << 20) // len(chunk.encode()) + 1)))))
        out.append(("DOCX 12 MB document.xml (5 M chars of text)", "file", h.write_docx(tmp / "big.docx", h.document([chunk] * 13))))
    if importlib.util.find_spec("pypdfium2") and importlib.util.find_spec("fpdf"):
        out.append(("PDF 2,100 pages", "file", h._pdf(2100, tmp / "p2100.pdf")))
        out.append(("PDF 1,000 pages", "file", h._pdf(1000, tmp / "p1000.pdf")))
        good = h._pdf(3, tmp / "good.pdf").read_bytes()
        for kind, data in h._corruptions(good).items():
            p = tmp / f"pdf-{kind}.pdf"
            p.write_bytes(data)
            out.append((f"PDF malformed: {kind}", "file", p))
    return out


def scaling(tmp: Path) -> list[tuple[str, str, Path]]:
    """Ordinary text (the corpus concatenated) at growing sizes: time and memory per MB."""
    from generators import seed_texts

    corpus = "\n\n".join(t for _, t in seed_texts())
    out = []
    for mb in (0.5, 1, 2, 4):
        n = int(mb * (1 << 20))
        text = (corpus * (n // len(corpus.encode()) + 2)).encode()[:n].decode("utf-8", "ignore")
        p = tmp / f"corpus-{mb}mb.txt"
        p.write_text(text, encoding="utf-8")
        out.append((f"corpus text {mb} MB", "file", p))
    return out


# --------------------------------------------------------------------------- long runs


def run_long(stats_dir: Path, fuzz_seconds: int, property_examples: int) -> None:
    stats_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for harness, max_len in (("text", 8192), ("docx", 65536)):
        seeds = stats_dir / f"seeds-{harness}"
        subprocess.run([sys.executable, str(ROOT / "fuzz" / f"fuzz_{harness}.py"), "--make-seeds", str(seeds)], check=True)
        log = open(stats_dir / f"{harness}.log", "w")
        procs.append(subprocess.Popen(
            [sys.executable, str(ROOT / "fuzz" / f"fuzz_{harness}.py"), str(stats_dir / f"work-{harness}"), str(seeds),
             f"-max_total_time={fuzz_seconds}", "-timeout=20", "-rss_limit_mb=3072", f"-max_len={max_len}",
             f"-artifact_prefix={stats_dir}/artifacts/", "-print_final_stats=1", "--stats", str(stats_dir / f"{harness}.stats.json")],
            stdout=log, stderr=subprocess.STDOUT,
        ))
    if property_examples:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PLANPARSE_HYPOTHESIS_PROFILE": "long",
               "PLANPARSE_HYPOTHESIS_EXAMPLES": str(property_examples), "PLANPARSE_ROBUSTNESS_STATS": str(stats_dir / "properties.stats.jsonl")}
        with open(stats_dir / "properties.log", "w") as log:
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:warnings", str(ROOT / "tests" / "test_properties.py"),
                            "-k", "not across_processes"], env=env, stdout=log, stderr=subprocess.STDOUT)
    for p in procs:
        p.wait()


def collect_long(stats_dir: Path) -> dict:
    """Statistics of the long runs in ``stats_dir``: one row per fuzzing run (``text.log`` +
    ``text.stats.json``, and earlier runs kept as ``text-1.log`` …), the property profile's JSON lines."""
    out: dict = {"fuzz": [], "properties": [], "artifacts": []}
    for harness in ("text", "docx"):
        stems = sorted({p.name.split(".")[0] for p in stats_dir.glob(f"{harness}*.log")} | {p.name.split(".")[0] for p in stats_dir.glob(f"{harness}*.stats.json")})
        for stem in stems:
            s = stats_dir / f"{stem}.stats.json"
            log = stats_dir / f"{stem}.log"
            row = json.loads(s.read_text()) if s.exists() else {"harness": harness}
            row["run"] = stem
            if log.exists():
                for line in log.read_text(errors="replace").splitlines():
                    if line.startswith("Done ") and " runs in " in line:
                        parts = line.split()
                        row["inputs"] = max(row.get("inputs", 0), int(parts[1]))
                        row["seconds"] = int(parts[4])
                    if line.startswith("stat::number_of_executed_units:"):  # also printed after a crash
                        row["inputs"] = max(row.get("inputs", 0), int(line.split(":")[-1]))
                    if line.startswith("stat::peak_rss_mb:"):
                        row["libfuzzer_peak_rss_mib"] = int(line.split(":")[-1])
                    if "cov:" in line:
                        row["coverage"] = line.split("cov:")[1].split()[0]
                    if "Uncaught Python exception" in line or "ERROR: libFuzzer" in line:
                        row["stopped_by"] = line.strip()[:80]
            out["fuzz"].append(row)
    props = stats_dir / "properties.stats.jsonl"
    if props.exists():
        for line in props.read_text().splitlines():
            out["properties"].append(json.loads(line))
    plog = stats_dir / "properties.log"
    if plog.exists():
        out["properties_summary"] = (plog.read_text().strip().splitlines() or [""])[-1]
    for sub in ("artifacts", "found"):
        if (stats_dir / sub).exists():
            out["artifacts"] += sorted(f"{sub}/{p.name}" for p in (stats_dir / sub).iterdir())
    return out


# --------------------------------------------------------------------------- report


def render(results: dict, markdown: bool) -> str:
    rows = results["inputs"]
    lines = []
    meta = results["meta"]
    lines.append(f"{meta['date']} · commit `{meta['commit']}` · {meta['cpus']} cores · CPython {meta['python']} · load average {meta['load']}")
    lines.append("")
    lines.append("| input | status | CPU s | peak RSS MiB | chars out | JSON bytes |")
    lines.append("|---|---|---:|---:|---:|---:|")
    for name, r in rows:
        status = r["status"] + (f" ({r['message'][:70]})" if r.get("message") and r["status"] != "ok" else "")
        lines.append(f"| {name} | {status} | {r.get('cpu_s')} | {r.get('peak_rss_mib')} | {r.get('chars', '')} | {r.get('json_bytes', '')} |")
    long = results.get("long") or {}
    if long.get("fuzz") or long.get("properties"):
        lines.append("")
        lines.append("| long run | inputs | crashes + hangs | slowest input (CPU s) | peak RSS MiB | notes |")
        lines.append("|---|---:|---:|---:|---:|---|")
        for f in long.get("fuzz", []):
            lines.append(
                f"| atheris `fuzz_{f['harness']}.py` ({f['run']}), {f.get('seconds', '?')} s | {f.get('inputs', '?')} | {1 if f.get('stopped_by') else 0} | "
                f"{f.get('slowest_s')} ({f.get('slowest_bytes')} bytes) | {f.get('libfuzzer_peak_rss_mib', f.get('peak_rss_mib'))} | "
                f"coverage {f.get('coverage', '?')} edges; {f.get('planparse_errors', '?')} of the counted inputs ended in a PlanParseError |"
            )
        for p in long.get("properties", []):
            lines.append(
                f"| hypothesis `{p['test']}` (profile {p['profile']}) | {p['inputs']} | 0 | {p['slowest_s']} ({p['slowest_chars']} chars) | "
                f"{p['peak_rss_mib']} | largest input {p['largest_chars']} chars; {p['errors']} PlanParseError |"
            )
        total = sum(f.get("inputs", 0) for f in long.get("fuzz", [])) + sum(p["inputs"] for p in long.get("properties", []))
        lines.append("")
        lines.append(f"Inputs tried in the long runs: **{total:,}**; artifacts (crashes/hangs/OOMs): {long.get('artifacts') or 'none'}; "
                     f"pytest: {long.get('properties_summary', 'n/a')}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--fuzz-seconds", type=int, default=0)
    ap.add_argument("--property-examples", type=int, default=0)
    ap.add_argument("--stats-dir", default=str(ROOT / "fuzz"))
    ap.add_argument("--skip", default="", help="comma list: adversarial,hostile,scaling")
    args = ap.parse_args(argv)
    stats_dir = Path(args.stats_dir)
    if args.fuzz_seconds or args.property_examples:
        run_long(stats_dir, args.fuzz_seconds, args.property_examples)
    skip = set(filter(None, args.skip.split(",")))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if not commit and (ROOT / "COMMIT").exists():
        commit = (ROOT / "COMMIT").read_text().strip()
    results: dict = {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit or "?", "cpus": os.cpu_count(),
            "python": platform.python_version(), "load": round(os.getloadavg()[0], 2),
        },
        "inputs": [],
    }
    with tempfile.TemporaryDirectory(prefix="planparse-robust-") as tmp_name:
        tmp = Path(tmp_name)
        groups = []
        if "scaling" not in skip:
            groups += scaling(tmp)
        if "hostile" not in skip:
            groups += hostile_files(tmp)
        if "adversarial" not in skip:
            groups += adversarial_texts(tmp)
        for name, mode, path in groups:
            r = child(mode, path, args.timeout)
            results["inputs"].append((name, r))
            if not args.markdown and not args.json:
                print(f"{name:60} {r['status']:6} cpu {r.get('cpu_s')} s  rss {r.get('peak_rss_mib')} MiB  {r.get('message', '')[:60]}", flush=True)
    results["long"] = collect_long(stats_dir)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print(render(results, args.markdown))
    bad = [n for n, r in results["inputs"] if r["status"] in ("HANG", "DIED", "CRASH")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
