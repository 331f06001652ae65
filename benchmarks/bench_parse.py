#!/usr/bin/env python3
"""planparse benchmarks — everything in ONE run, reported as ratios within that run.

    python benchmarks/bench_parse.py [--runs N] [--json] [--markdown] [--seed FILE] [--skip-cli]

The machine is shared and noisy, so absolute numbers wander; what this script is meant for
is the *ratios* measured in the same process a few seconds apart:

- throughput of ``planparse.parse_text`` over the whole corpus (corpora/*.txt and *.md, read
  once into memory): MB/s, M characters/s per core (one process), documents/s;
- reference points on the same texts: one ``regex`` scan with a single pattern (the floor)
  and ``underthesea.word_tokenize`` when it is importable (optional, never a dependency);
- per-stage breakdown (ingest, normalise, segment, extract, link) by calling the stage
  functions of ``planparse.pipeline`` directly, plus ``emit.to_json``;
- cold start: ``python -m planparse parse SEED`` as a fresh subprocess, ``python -c "import
  planparse"``, and ``python -X importtime`` top offenders;
- peak RSS of parsing the whole corpus in a fresh process;
- a cProfile of ``parse_text`` over the corpus (top functions by cumulative and own time);
- the targets of issue 4 and where we stand.

Times are CPU seconds of this process (``time.process_time``) unless said otherwise: on a
shared machine that excludes the time we were not scheduled. Wall times are reported too.
Each figure is the median of ``--runs`` runs after one warm-up; a run that takes less than
``--min-run`` seconds is repeated inside the run and divided (so fast references are stable).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as _dt
import gc
import glob
import hashlib
import inspect
import json
import math
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parents[1]


def _argv_value(flag: str) -> Optional[str]:
    argv = sys.argv[1:] if __name__ == "__main__" else []
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


def _export_rev(rev: str) -> Path:
    """``git archive REV src`` into a temporary folder (read-only on the repo) and return its src/."""
    import atexit
    import tempfile

    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", rev + "^{commit}"], capture_output=True, text=True)
    if sha.returncode != 0:
        raise SystemExit(f"--rev {rev}: not a commit")
    rev = sha.stdout.strip()  # pin it: HEAD may move while we run (others commit concurrently)
    global REV
    REV = rev
    tmp = Path(tempfile.mkdtemp(prefix="planparse-bench-"))
    atexit.register(shutil.rmtree, tmp, True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"], capture_output=True)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive.stdout, check=True)
    return tmp / "src"


# Measure this checkout's package (its working tree, or with --rev a clean export of a commit),
# never some installed copy.
REV = _argv_value("--rev")
SRC = _export_rev(REV) if REV else ROOT / "src"  # _export_rev pins REV to the full SHA
sys.path.insert(0, str(SRC))

import regex  # noqa: E402  (a dependency of planparse)

import planparse  # noqa: E402

# -------------------------------------------------------------------------------------------
# targets of issue 4

TARGET_MCHARS_PER_S = 10.0        # ≥ 10 M characters/s per core, full parse
TARGET_VS_WORD_TOKENIZE = 100.0   # ≥ 100× faster than underthesea.word_tokenize
WORD_TOKENIZE_ASSUMED_MCHARS = 0.1  # what the issue measured for word_tokenize (used if absent)
TARGET_VS_REGEX = 15.0            # ≤ 15× one single-pattern regex scan
TARGET_COLD_CLI_S = 0.3           # cold CLI < 0.3 s

FLOOR_PATTERN = r"\d+(?:[.,]\d+)*\s*%"

# -------------------------------------------------------------------------------------------
# helpers


def _env_with_src() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONSTARTUP", None)
    return env


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench_interleaved(fns: dict[str, Callable[[], Any]], runs: int, min_run: float = 0.05, warmup: int = 1) -> dict:
    """Median CPU and wall seconds of one call of each function, over ``runs`` rounds after a warm-up.

    The functions are run in turn inside each round, so a burst of load from the neighbours
    hits all of them alike and the ratios between them stay meaningful.
    """
    inner = {}
    for name, fn in fns.items():
        w0 = time.perf_counter()
        for _ in range(max(1, warmup)):
            fn()
        once = (time.perf_counter() - w0) / max(1, warmup)
        inner[name] = max(1, math.ceil(min_run / once)) if once > 0 and min_run > 0 else 1
    cpu: dict[str, list[float]] = {n: [] for n in fns}
    wall: dict[str, list[float]] = {n: [] for n in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            gc.collect()
            k = inner[name]
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(k):
                fn()
            t1, c1 = time.perf_counter(), time.process_time()
            cpu[name].append((c1 - c0) / k)
            wall[name].append((t1 - t0) / k)
    return {
        n: {"cpu_s": _median(cpu[n]), "wall_s": _median(wall[n]), "cpu_min_s": min(cpu[n]), "wall_min_s": min(wall[n]),
            "cpu_runs_s": cpu[n], "wall_runs_s": wall[n], "inner_loops": inner[n], "runs": runs}
        for n in fns
    }


def bench(fn: Callable[[], Any], runs: int, min_run: float = 0.05, warmup: int = 1) -> dict:
    return bench_interleaved({"f": fn}, runs, min_run, warmup)["f"]


def _sh(cmd: list[str], **kw) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def machine_info() -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    commit = _sh(["git", "-C", str(ROOT), "rev-parse", "--short", REV or "HEAD"]) or None
    # with --rev the package is a clean export of that commit; otherwise the working tree
    dirty = "" if REV else _sh(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"])
    return {
        "nproc": _sh(["nproc"]) or os.cpu_count(),
        "cpu_affinity": affinity,
        "cpu_model": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg_at_start": [round(x, 2) for x in load] if load else None,
        "commit": commit,
        "src_dirty": bool(dirty),
        "src_dirty_files": dirty.splitlines() if dirty else [],
        "measured_tree": f"clean export of {commit} (git archive)" if REV else "working tree of the checkout",
        "planparse_file": planparse.__file__,
        "regex_version": getattr(regex, "__version__", None),
    }


def load_corpus(paths: Optional[list[str]] = None) -> list[tuple[str, str]]:
    if not paths:
        paths = sorted(glob.glob(str(ROOT / "corpora" / "*.txt")) + glob.glob(str(ROOT / "corpora" / "*.md")))
        # corpus notes such as README.md / SOURCES.md are not plans
        paths = [p for p in paths if not Path(p).stem.isupper()]
    docs = []
    for p in paths:
        docs.append((os.path.relpath(p, ROOT), Path(p).read_text(encoding="utf-8")))
    if not docs:
        raise SystemExit("no corpus files found under corpora/")
    return docs


# -------------------------------------------------------------------------------------------
# stages (mirror of pipeline.parse_text / parse_decoded, timed stage by stage)


def _stage_parse(text: str, timer: Optional[dict] = None):
    """Run the pipeline stage by stage; add the seconds of each stage to ``timer``."""
    from planparse import pipeline as pl
    from planparse.extract import EXTRACTORS
    import importlib

    pc = time.process_time
    t = pc()
    data = text.encode("utf-8", "surrogatepass")
    info = pl.SourceInfo(path=None, format="txt", sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                         encoding="utf-8", encoding_confidence=1.0, extractor="text")
    decoded = pl.Decoded(text=text, info=info)
    t, t_prev = pc(), t
    acc = {"ingest (sha256+SourceInfo)": t - t_prev}

    norm = pl.normalise(decoded.text)
    t, t_prev = pc(), t
    acc["normalise"] = t - t_prev

    sections, seg_warnings = pl.segment(norm.text, norm.body_end)
    t, t_prev = pc(), t
    acc["segment"] = t - t_prev

    metadata = pl.extract_metadata(norm.text, sections, norm.body_end)
    t, t_prev = pc(), t
    acc["extract: metadata"] = t - t_prev

    ctx = pl.Context.build(norm.text, sections, footnotes=norm.footnotes, metadata=metadata, body_end=norm.body_end)
    doc = pl.PlanDocument(
        source=decoded.info, metadata=metadata, sections=sections, footnotes=norm.footnotes,
        removals=norm.removals, warnings=[*decoded.warnings, *norm.warnings, *seg_warnings], text=norm.text,
    )
    t, t_prev = pc(), t
    acc["extract: context+document"] = t - t_prev

    # same loop as extract.run_extractors, one timer per extractor
    for module, func, fields in EXTRACTORS:
        try:
            fn = getattr(importlib.import_module(f"planparse.extract.{module}"), func)
        except (ImportError, AttributeError):
            continue
        result = fn(ctx)
        if len(fields) == 1:
            setattr(doc, fields[0], result)
        else:
            for name, value in zip(fields, result):
                setattr(doc, name, value)
        t, t_prev = pc(), t
        acc[f"extract: {module}"] = t - t_prev

    # link(doc, norm) since 48634c5; link(doc, norm, index) before (--rev of an older commit)
    doc = pl.link(doc, norm) if len(inspect.signature(pl.link).parameters) == 2 else pl.link(doc, norm, ctx.index)
    t, t_prev = pc(), t
    acc["link"] = t - t_prev

    if timer is not None:
        for k, v in acc.items():
            timer[k] = timer.get(k, 0.0) + v
    return doc


def _group(stage: str) -> str:
    if stage.startswith("extract"):
        return "extract"
    if stage.startswith("ingest"):
        return "ingest"
    return stage


def stage_breakdown(texts: list[str], runs: int) -> dict:
    from planparse.emit import to_json

    # sanity: the staged pipeline must give what parse_text gives, else the breakdown is stale
    same = True
    mismatch = None
    for i, text in enumerate(texts):
        a = planparse.parse_text(text).model_dump_json()
        b = _stage_parse(text).model_dump_json()
        if a != b:
            same, mismatch = False, i
            break

    for text in texts:  # warm-up
        _stage_parse(text)
    per_run: list[dict[str, float]] = []
    for _ in range(runs):
        gc.collect()
        timer: dict[str, float] = {}
        for text in texts:
            _stage_parse(text, timer)
        per_run.append(timer)
    keys = list(per_run[0])
    stages = {k: _median([r.get(k, 0.0) for r in per_run]) for k in keys}
    total = sum(stages.values())
    groups: dict[str, float] = {}
    for k, v in stages.items():
        groups[_group(k)] = groups.get(_group(k), 0.0) + v

    docs = [planparse.parse_text(t) for t in texts]
    emit = bench(lambda: [to_json(d) for d in docs], runs)
    ref = bench(lambda: [planparse.parse_text(t) for t in texts], runs)
    return {
        "matches_parse_text": same,
        "first_mismatch_doc": mismatch,
        "clock": "CPU (process_time), summed over the corpus, median of runs",
        "stages_s": stages,
        "groups_s": groups,
        "total_s": total,
        "emit_to_json_s": emit["cpu_s"],
        "parse_text_same_time_s": ref["cpu_s"],
    }


# -------------------------------------------------------------------------------------------
# subprocess measurements


def _time_cmd(cmd: list[str], runs: int, env: dict) -> dict:
    import resource

    def child_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    times, cpus, rcs = [], [], []
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)  # warm the page cache
    for _ in range(runs):
        c0, t0 = child_cpu(), time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
        cpus.append(child_cpu() - c0)
        rcs.append(r.returncode)
    return {"cmd": cmd, "wall_s": _median(times), "wall_min_s": min(times), "runs_s": times, "cpu_s": _median(cpus),
            "returncodes": sorted(set(rcs)),
            "stderr_tail": r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if r.returncode else []}


def _cli_available() -> bool:
    import importlib.util

    return (SRC / "planparse" / "__main__.py").exists() and importlib.util.find_spec("planparse.cli") is not None


def _importtime_once(cmd_tail: list[str], env: dict) -> list[dict]:
    r = subprocess.run([sys.executable, "-X", "importtime", *cmd_tail], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    rows = []
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            _, rest = line.split(":", 1)
            self_us, cum_us, name = rest.split("|", 2)
            depth = (len(name) - len(name.lstrip(" "))) // 2
            rows.append({"module": name.strip(), "self_ms": int(self_us) / 1000, "cumulative_ms": int(cum_us) / 1000,
                         "depth": depth})
        except ValueError:
            continue
    return rows


def _importtime(cmd_tail: list[str], env: dict, top: int, repeats: int = 3) -> dict:
    """``python -X importtime``, ``repeats`` fresh processes, per-module medians."""
    runs = [_importtime_once(cmd_tail, env) for _ in range(repeats)]
    merged: dict[str, dict] = {}
    for rows in runs:
        for x in rows:
            m = merged.setdefault(x["module"], {"module": x["module"], "depth": x["depth"], "self": [], "cum": []})
            m["self"].append(x["self_ms"])
            m["cum"].append(x["cumulative_ms"])
    rows = [{"module": m["module"], "depth": m["depth"], "self_ms": round(_median(m["self"]), 2),
             "cumulative_ms": round(_median(m["cum"]), 2)} for m in merged.values()]
    top_level = sorted([x for x in rows if x["depth"] <= 1], key=lambda x: -x["cumulative_ms"])[:top]
    by_self = sorted(rows, key=lambda x: -x["self_ms"])[:top]
    per_pkg: dict[str, float] = {}
    for x in rows:  # by top-level package, counting each module's own time once
        pkg = x["module"].split(".")[0]
        per_pkg[pkg] = per_pkg.get(pkg, 0.0) + x["self_ms"]
    by_pkg = sorted(per_pkg.items(), key=lambda kv: -kv[1])[:top]
    return {"cmd": ["python", "-X", "importtime", *cmd_tail], "repeats": repeats, "modules": len(rows),
            "total_self_ms": round(sum(x["self_ms"] for x in rows), 1),
            "top_level_by_cumulative": top_level, "by_self": by_self,
            "by_package_self_ms": [{"package": k, "self_ms": round(v, 1)} for k, v in by_pkg]}


_FIRST_PARSE_SNIPPET = r"""
import cProfile, json, os, pstats, sys, time
mode = sys.argv[3]  # 0 plain, 1 cProfile, 2 attribute regex compiles to planparse call sites
sites = {}
if mode == "2":
    import regex._main as _rm
    _orig = _rm._compile

    def _timed(*a, **k):
        c0 = time.perf_counter()
        try:
            return _orig(*a, **k)
        finally:
            dt = time.perf_counter() - c0
            if dt > 5e-5:  # a real compile, not a cache hit
                f = sys._getframe(1)
                while f is not None and "planparse" not in f.f_code.co_filename:
                    f = f.f_back
                key = "?" if f is None else f"{f.f_code.co_filename.split('/src/', 1)[-1]}:{f.f_lineno}({f.f_code.co_name})"
                n, t = sites.get(key, (0, 0.0))
                sites[key] = (n + 1, t + dt)

    _rm._compile = _timed
t0 = time.process_time()
import planparse
from planparse.emit import to_json
t1 = time.process_time()
import_sites = dict(sites)
sites.clear()
profile = mode == "1"
prof = cProfile.Profile()
if profile:
    prof.enable()
doc = planparse.parse(sys.argv[1])
if profile:
    prof.disable()
t2 = time.process_time()
to_json(doc)
t3 = time.process_time()
planparse.parse(sys.argv[1])
t4 = time.process_time()
to_json(doc)
t5 = time.process_time()
rows, total = [], 0.0
st = pstats.Stats(prof) if profile else None
for (f, line, fn), (cc, nc, tt, ct, _) in (st.stats.items() if st else ()):
    if "profiler" in fn.lower():
        continue
    short = f.split("site-packages/", 1)[-1] if "site-packages" in f else (f.split("/src/", 1)[-1] if "/src/" in f else ("builtin" if f == "~" else f))
    rows.append({"function": f"{short}:{line}({fn})", "ncalls": nc, "tottime_s": tt, "cumtime_s": ct})
rows.sort(key=lambda r: -r["cumtime_s"])
print(json.dumps({"import_s": t1 - t0, "first_parse_s": t2 - t1, "first_to_json_s": t3 - t2,
                  "second_parse_s": t4 - t3, "second_to_json_s": t5 - t4,
                  "profile_total_s": st.total_tt if st else 0.0, "first_parse_top": rows[:int(sys.argv[2])],
                  "compile_sites_parse": sorted(([k, n, t] for k, (n, t) in sites.items()), key=lambda x: -x[2]),
                  "compile_sites_import": sorted(([k, n, t] for k, (n, t) in import_sites.items()), key=lambda x: -x[2])}))
"""


def first_parse(seed: str, env: dict, top: int, runs: int = 3) -> dict:
    """In a fresh process: import, first parse (pays lazy regex compiles etc.), second parse, to_json.

    Timings are CPU seconds of the child (process_time), medians of ``runs`` fresh processes run without the profiler; the profile of the
    first parse (top functions by cumulative time) comes from one more process.
    """
    vals: dict[str, list[float]] = {}
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-c", _FIRST_PARSE_SNIPPET, seed, str(top), "0"], capture_output=True, text=True,
                           env=env, cwd=ROOT)
        if r.returncode != 0:
            return {"error": (r.stderr.strip().splitlines() or ["?"])[-1]}
        d = json.loads(r.stdout)
        for k, v in d.items():
            if k.endswith("_s") and k != "profile_total_s":
                vals.setdefault(k, []).append(v)
    out: dict[str, Any] = {k: _median(v) for k, v in vals.items()}
    r = subprocess.run([sys.executable, "-c", _FIRST_PARSE_SNIPPET, seed, str(top), "1"], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    if r.returncode == 0:
        d = json.loads(r.stdout)
        out["first_parse_profile_total_s"] = d["profile_total_s"]
        out["first_parse_top"] = d["first_parse_top"]
    r = subprocess.run([sys.executable, "-c", _FIRST_PARSE_SNIPPET, seed, str(top), "2"], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    if r.returncode == 0:
        d = json.loads(r.stdout)
        for phase in ("parse", "import"):
            sites = d[f"compile_sites_{phase}"]
            out[f"regex_compiles_{phase}"] = {
                "count": sum(x[1] for x in sites), "total_s": sum(x[2] for x in sites),
                "top_sites": [{"site": k, "compiles": n, "ms": t * 1000} for k, n, t in sites[:top]]}
    return out


def cold_start(seed: str, runs: int, top: int) -> dict:
    env = _env_with_src()
    py = sys.executable
    out: dict[str, Any] = {"seed": seed, "env": f"PYTHONPATH={SRC}"}
    out["python_bare"] = _time_cmd([py, "-c", "pass"], runs, env)
    out["import_planparse"] = _time_cmd([py, "-c", "import planparse"], runs, env)
    if _cli_available():
        cli_cmd = [py, "-m", "planparse", "parse", seed]
        out["cli_kind"] = "python -m planparse parse SEED"
    else:
        cli_cmd = [py, "-c", "import planparse, sys; planparse.parse(sys.argv[1])", seed]
        out["cli_kind"] = "PROXY (CLI not there yet): python -c 'import planparse, sys; planparse.parse(sys.argv[1])' SEED"
    out["cli"] = _time_cmd(cli_cmd, runs, env)
    script = shutil.which("planparse")
    if script:
        out["console_script"] = _time_cmd([script, "parse", seed], runs, dict(os.environ))
        out["console_script"]["note"] = f"installed console script {script} (uses the installed package)"
    out["first_parse"] = first_parse(seed, env, top)
    out["importtime_import"] = _importtime(["-c", "import planparse"], env, top)
    out["importtime_cli"] = _importtime(cli_cmd[1:], env, top)
    return out


_RSS_SNIPPET = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])

def hwm():
    # VmHWM is the peak RSS of this address space (reset by exec); ru_maxrss is not: Linux
    # carries the parent's peak over an exec, so a child of a big process reports the parent's.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

out = {"interpreter_kb": hwm()}
import planparse
out["after_import_kb"] = hwm()
texts = [open(p, encoding="utf-8").read() for p in sys.argv[2:]]
out["after_read_kb"] = hwm()
docs = [planparse.parse_text(t) for t in texts]
out["peak_kb"] = hwm()
out["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out["docs"] = len(docs)
print(json.dumps(out))
"""


def peak_rss(paths: list[str]) -> dict:
    """Peak RSS of a fresh process that imports planparse and parses every document once."""
    r = subprocess.run([sys.executable, "-c", _RSS_SNIPPET, str(SRC), *paths], capture_output=True, text=True,
                       cwd=ROOT, env=_env_with_src())
    if r.returncode != 0:
        return {"error": r.stderr.strip().splitlines()[-1:] }
    d = json.loads(r.stdout)
    d = {k: (round(v / 1024, 1) if k.endswith("_kb") else v) for k, v in d.items()}
    return {k.replace("_kb", "_mib"): v for k, v in d.items()}


# -------------------------------------------------------------------------------------------
# profile


def profile(texts: list[str], top: int) -> dict:
    for t in texts:
        planparse.parse_text(t)
    prof = cProfile.Profile()
    prof.enable()
    for t in texts:
        planparse.parse_text(t)
    prof.disable()
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _callers) in st.stats.items():
        if file == __file__ or func == "<lambda>" and file == __file__:
            continue
        short = file
        if str(SRC) in file:
            short = os.path.relpath(file, SRC)
        elif "site-packages" in file:
            short = file.split("site-packages/", 1)[1]
        elif file == "~":
            short = "builtin"
        rows.append({"function": f"{short}:{line}({func})", "ncalls": nc, "tottime_s": tt, "cumtime_s": ct})
    by_cum = sorted(rows, key=lambda r: -r["cumtime_s"])
    # drop the trivial entry point wrappers at the top (they are 100 % by construction)
    by_cum = [r for r in by_cum if "profiler" not in r["function"].lower()][:top]
    by_tot = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    return {"profiled_total_s": total, "top_cumulative": by_cum, "top_tottime": by_tot,
            "note": "cProfile adds overhead per Python call; use the shares, not the absolute times"}


# -------------------------------------------------------------------------------------------
# main


def run(args) -> dict:
    docs = load_corpus(args.files)
    texts = [t for _, t in docs]
    n_chars = sum(len(t) for t in texts)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    R: dict[str, Any] = {"machine": machine_info(), "runs": args.runs}
    R["corpus"] = {"documents": len(texts), "characters": n_chars, "utf8_bytes": n_bytes,
                   "files": [{"path": p, "chars": len(t)} for p, t in docs]}

    def rates(b: dict) -> dict:
        return {"mb_per_s": n_bytes / 1e6 / b["cpu_s"], "mchars_per_s": n_chars / 1e6 / b["cpu_s"],
                "docs_per_s": len(texts) / b["cpu_s"], "wall_mchars_per_s": n_chars / 1e6 / b["wall_s"]}

    # --- full parse and the reference points, interleaved run by run
    pat = regex.compile(FLOOR_PATTERN)

    def scan():
        n = 0
        for t in texts:
            for _m in pat.finditer(t):
                n += 1
        return n

    fns: dict[str, Callable[[], Any]] = {
        "parse_text": lambda: [planparse.parse_text(t) for t in texts],
        "regex_floor": scan,
    }
    wt_info: dict[str, Any]
    try:
        import underthesea  # type: ignore
        from underthesea import word_tokenize  # type: ignore

        wt_info = {"available": True, "version": getattr(underthesea, "__version__", None)}
    except ImportError as exc:
        word_tokenize = None
        wt_info = {"available": False,
                   "note": f"underthesea not importable ({exc}); skipped — `pip install underthesea` to measure. "
                           f"Ratio below uses the issue's {WORD_TOKENIZE_ASSUMED_MCHARS} M chars/s."}
    if word_tokenize is not None and (args.wt_runs or args.runs) == args.runs:
        fns["word_tokenize"] = lambda: [word_tokenize(t) for t in texts]
    B = bench_interleaved(fns, args.runs, args.min_run)
    if word_tokenize is not None and "word_tokenize" not in B:
        B["word_tokenize"] = bench(lambda: [word_tokenize(t) for t in texts], args.wt_runs, 0.0)
    parse_b, regex_b = B["parse_text"], B["regex_floor"]
    R["parse_text"] = {**parse_b, **rates(parse_b)}
    R["regex_floor"] = {**regex_b, **rates(regex_b), "pattern": FLOOR_PATTERN, "matches": scan()}
    R["word_tokenize"] = {**B["word_tokenize"], **rates(B["word_tokenize"]), **wt_info} if "word_tokenize" in B else wt_info

    # per document (median of runs)
    per_doc = []
    for p, t in docs:
        b = bench(lambda t=t: planparse.parse_text(t), args.runs, min(args.min_run, 0.02))
        per_doc.append({"path": p, "chars": len(t), "cpu_ms": b["cpu_s"] * 1000, "mchars_per_s": len(t) / 1e6 / b["cpu_s"]})
    R["per_document"] = per_doc

    # --- ratios
    ratios = {"parse_over_regex": parse_b["cpu_s"] / regex_b["cpu_s"]}
    if R["word_tokenize"].get("available"):
        ratios["word_tokenize_over_parse"] = R["word_tokenize"]["cpu_s"] / parse_b["cpu_s"]
        ratios["word_tokenize_ratio_is_estimate"] = False
    else:
        ratios["word_tokenize_over_parse"] = R["parse_text"]["mchars_per_s"] / WORD_TOKENIZE_ASSUMED_MCHARS
        ratios["word_tokenize_ratio_is_estimate"] = True
    R["ratios"] = ratios

    # --- stages
    try:
        R["stages"] = stage_breakdown(texts, args.runs)
    except Exception as exc:  # the pipeline is moving; never lose the other numbers
        R["stages"] = {"error": f"{type(exc).__name__}: {exc}"}

    # --- profile
    R["profile"] = profile(texts, args.top)

    # --- subprocesses
    if not args.skip_cli:
        seed = args.seed or max((p for p, _ in docs if p.endswith(".txt")), key=lambda p: len(dict(docs)[p]))
        R["cold_start"] = cold_start(seed, args.cli_runs, args.top)
    R["peak_rss"] = peak_rss([str(ROOT / p) for p, _ in docs])

    # --- targets
    T = []
    T.append({"target": f"full parse ≥ {TARGET_MCHARS_PER_S:g} M chars/s per core", "value": R["parse_text"]["mchars_per_s"],
              "unit": "M chars/s", "ok": R["parse_text"]["mchars_per_s"] >= TARGET_MCHARS_PER_S})
    T.append({"target": f"≥ {TARGET_VS_WORD_TOKENIZE:g}× faster than word_tokenize"
                        + (" (estimated from 0.1 M chars/s)" if ratios["word_tokenize_ratio_is_estimate"] else ""),
              "value": ratios["word_tokenize_over_parse"], "unit": "×",
              "ok": ratios["word_tokenize_over_parse"] >= TARGET_VS_WORD_TOKENIZE})
    T.append({"target": f"≤ {TARGET_VS_REGEX:g}× the single-regex scan", "value": ratios["parse_over_regex"], "unit": "×",
              "ok": ratios["parse_over_regex"] <= TARGET_VS_REGEX})
    if "cold_start" in R:
        cli = R["cold_start"]["cli"]
        T.append({"target": f"cold CLI < {TARGET_COLD_CLI_S:g} s" + ("" if R["cold_start"]["cli_kind"].startswith("python -m") else " (proxy)"),
                  "value": cli["wall_s"], "unit": "s", "ok": cli["wall_s"] < TARGET_COLD_CLI_S and cli["returncodes"] == [0]})
    R["targets"] = T
    return R


# -------------------------------------------------------------------------------------------
# rendering


def render(R: dict, md: bool = False) -> str:
    L: list[str] = []
    h = (lambda s: L.append(f"\n### {s}\n")) if md else (lambda s: L.append(f"\n== {s} =="))

    def table(head: list[str], rows: list[list]) -> None:
        if md:
            L.append("| " + " | ".join(head) + " |")
            L.append("|" + "|".join("---" for _ in head) + "|")
            for r in rows:
                L.append("| " + " | ".join(str(x) for x in r) + " |")
        else:
            cols = [head] + [[str(x) for x in r] for r in rows]
            w = [max(len(c[i]) for c in cols) for i in range(len(head))]
            for j, c in enumerate(cols):
                L.append("  ".join(x.ljust(w[i]) for i, x in enumerate(c)).rstrip())
                if j == 0:
                    L.append("  ".join("-" * x for x in w))

    m = R["machine"]
    c = R["corpus"]
    h("Machine")
    table(["", ""], [
        ["commit", f"{m['commit']}" + (" + uncommitted changes in src/" if m["src_dirty"] else "")
         + f" ({m.get('measured_tree', 'working tree')})"],
        ["date", m["date"]], ["nproc", f"{m['nproc']} (affinity {m['cpu_affinity']})"], ["CPU", m["cpu_model"]],
        ["Python", f"{m['implementation']} {m['python']}"], ["platform", m["platform"]],
        ["load average at start", m["loadavg_at_start"]], ["regex", m["regex_version"]],
        ["corpus", f"{c['documents']} documents, {c['characters']:,} characters, {c['utf8_bytes']:,} UTF-8 bytes"],
        ["runs", f"median of {R['runs']} after 1 warm-up; CPU time of the process"],
    ])

    h("Targets (issue 4)")
    table(["target", "measured", "status"],
          [[t["target"], f"{t['value']:.3g} {t['unit']}", "OK" if t["ok"] else "MISSED"] for t in R["targets"]])

    h("Throughput on the whole corpus (one process, one core)")
    rows = []
    for key, label in (("parse_text", "planparse.parse_text"), ("regex_floor", f"regex scan `{FLOOR_PATTERN}`"),
                       ("word_tokenize", "underthesea.word_tokenize")):
        b = R.get(key, {})
        if "cpu_s" not in b:
            rows.append([label, "—", "—", "—", "—", "—", b.get("note", "skipped")])
            continue
        rows.append([label, f"{b['cpu_s'] * 1000:.2f}", f"{b['wall_s'] * 1000:.2f}", f"{b['mb_per_s']:.2f}",
                     f"{b['mchars_per_s']:.3f}", f"{b['docs_per_s']:.1f}",
                     f"inner loops {b['inner_loops']}" + (f", v{b['version']}" if b.get("version") else "")])
    table(["what", "CPU ms/corpus", "wall ms/corpus", "MB/s", "M chars/s", "docs/s", "note"], rows)
    r = R["ratios"]
    L.append("")
    L.append(f"parse / regex scan = {r['parse_over_regex']:.1f}×; word_tokenize / parse = "
             f"{r['word_tokenize_over_parse']:.1f}×" + (" (ESTIMATE: underthesea not installed)" if r["word_tokenize_ratio_is_estimate"] else ""))

    h("Per document (parse_text)")
    table(["document", "chars", "CPU ms", "M chars/s"],
          [[d["path"], f"{d['chars']:,}", f"{d['cpu_ms']:.2f}", f"{d['mchars_per_s']:.2f}"] for d in R["per_document"]])

    s = R["stages"]
    h("Stages (pipeline functions called directly; CPU time summed over the corpus)")
    if "error" in s:
        L.append(f"stage breakdown failed: {s['error']}")
    else:
        tot = s["total_s"]
        table(["stage", "ms/corpus", "share"],
              [[k, f"{v * 1000:.2f}", f"{100 * v / tot:.1f} %"] for k, v in s["stages_s"].items()]
              + [["**sum of stages**" if md else "sum of stages", f"{tot * 1000:.2f}", "100 %"],
                 ["(parse_text measured just after)", f"{s['parse_text_same_time_s'] * 1000:.2f}", f"{100 * s['parse_text_same_time_s'] / tot:.1f} %"],
                 ["(emit: to_json, outside parse_text)", f"{s['emit_to_json_s'] * 1000:.2f}", f"{100 * s['emit_to_json_s'] / tot:.1f} %"]])
        L.append("")
        L.append("by stage: " + ", ".join(f"{k} {100 * v / tot:.1f} %" for k, v in sorted(s["groups_s"].items(), key=lambda kv: -kv[1])))
        if not s["matches_parse_text"]:
            L.append(f"WARNING: the staged pipeline no longer gives parse_text's output (doc {s['first_mismatch_doc']}); "
                     "pipeline.py changed — update _stage_parse.")

    p = R["profile"]
    h(f"cProfile of parse_text over the corpus — top {len(p['top_cumulative'])} by cumulative time")
    table(["function", "ncalls", "tottime s", "cumtime s", "cum share"],
          [[f"`{x['function']}`" if md else x["function"], x["ncalls"], f"{x['tottime_s']:.4f}", f"{x['cumtime_s']:.4f}",
            f"{100 * x['cumtime_s'] / p['profiled_total_s']:.0f} %"] for x in p["top_cumulative"]])
    h(f"cProfile — top {len(p['top_tottime'])} by own time")
    table(["function", "ncalls", "tottime s", "own share"],
          [[f"`{x['function']}`" if md else x["function"], x["ncalls"], f"{x['tottime_s']:.4f}",
            f"{100 * x['tottime_s'] / p['profiled_total_s']:.0f} %"] for x in p["top_tottime"]])
    L.append("")
    L.append(f"(profiled total {p['profiled_total_s']:.3f} s; {p['note']})")

    if "cold_start" in R:
        cs = R["cold_start"]
        h("Cold start (fresh subprocesses, median)")

        def row(label: str, x: dict, note: str = "") -> list:
            return [label, f"{x['wall_s'] * 1000:.0f}", f"{x['wall_min_s'] * 1000:.0f}", f"{x['cpu_s'] * 1000:.0f}", note]

        rows = [row("python -c pass (interpreter only)", cs["python_bare"]),
                row('python -c "import planparse"', cs["import_planparse"]),
                row(cs["cli_kind"].replace("SEED", cs["seed"]), cs["cli"],
                    f"exit {cs['cli']['returncodes']} {' '.join(cs['cli']['stderr_tail'])}".strip())]
        if "console_script" in cs:
            rows.append(row(f"planparse parse {cs['seed']} (console script)", cs["console_script"],
                            f"exit {cs['console_script']['returncodes']}"))
        table(["command", "wall ms", "best wall ms", "CPU ms (user+sys)", "note"], rows)
        fp = cs.get("first_parse", {})
        h("Inside a fresh process: import, first parse, second parse (seed file, CPU time, median of 3 processes)")
        if "error" in fp:
            L.append(f"failed: {fp['error']}")
        else:
            table(["step", "ms"], [["import planparse + planparse.emit", f"{fp['import_s'] * 1000:.1f}"],
                                   ["first planparse.parse(seed) (cold: lazy compiles, vocab loads)", f"{fp['first_parse_s'] * 1000:.1f}"],
                                   ["first to_json", f"{fp['first_to_json_s'] * 1000:.1f}"],
                                   ["second planparse.parse(seed) (warm)", f"{fp['second_parse_s'] * 1000:.1f}"],
                                   ["second to_json", f"{fp['second_to_json_s'] * 1000:.1f}"]])
            if fp.get("first_parse_top"):
                L.append("")
                L.append(f"cProfile of the first (cold) parse — top {len(fp['first_parse_top'])} by cumulative time "
                         f"(profiled total {fp['first_parse_profile_total_s'] * 1000:.0f} ms):")
                L.append("")
                table(["function", "ncalls", "tottime s", "cumtime s"],
                      [[f"`{x['function']}`" if md else x["function"], x["ncalls"], f"{x['tottime_s']:.4f}", f"{x['cumtime_s']:.4f}"]
                       for x in fp["first_parse_top"]])
            for phase, label in (("parse", "during the first parse"), ("import", "during import planparse")):
                rc = fp.get(f"regex_compiles_{phase}")
                if not rc:
                    continue
                L.append("")
                L.append(f"regex patterns compiled {label}: {rc['count']} compiles, {rc['total_s'] * 1000:.0f} ms; "
                         "top planparse call sites:")
                L.append("")
                table(["call site", "compiles", "ms"],
                      [[f"`{x['site']}`" if md else x["site"], x["compiles"], f"{x['ms']:.1f}"] for x in rc["top_sites"]])
        for key, label in (("importtime_import", "import planparse"), ("importtime_cli", "the CLI command")):
            it = cs[key]
            h(f"python -X importtime — {label}: top-level imports by cumulative time (median of {it.get('repeats', 1)} processes)")
            table(["module", "cumulative ms", "self ms"],
                  [[x["module"], f"{x['cumulative_ms']:.1f}", f"{x['self_ms']:.1f}"] for x in it["top_level_by_cumulative"]])
            L.append("")
            L.append("heaviest single modules (self ms): " + ", ".join(f"{x['module']} {x['self_ms']:.1f}" for x in it["by_self"][:6]))
            L.append("")
            L.append(f"{it['modules']} modules, {it['total_self_ms']} ms of import time in all; by package (self time summed): "
                     + ", ".join(f"{x['package']} {x['self_ms']}" for x in it["by_package_self_ms"]))

    rss = R["peak_rss"]
    h("Peak RSS (fresh process parsing the whole corpus)")
    if "error" in rss:
        L.append(f"failed: {rss['error']}")
    else:
        table(["point", "MiB"], [["interpreter", rss["interpreter_mib"]], ["after import planparse", rss["after_import_mib"]],
                                 ["after reading the corpus", rss["after_read_mib"]],
                                 [f"after parsing all {rss['docs']} documents (peak)", rss["peak_mib"]]])
        L.append("")
        L.append(f"(VmHWM from /proc/self/status; getrusage ru_maxrss in the same process said {rss['ru_maxrss_mib']} MiB — "
                 "on Linux it includes the parent's peak carried over exec, so it is only an upper bound here)")
    return "\n".join(L).lstrip("\n") + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per measurement (median reported; default 5)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--markdown", action="store_true", help="print the report as Markdown tables (for RESULTS.md)")
    ap.add_argument("--seed", help="file for the cold CLI start (default: the largest corpora/*.txt)")
    ap.add_argument("--cli-runs", type=int, default=5, help="fresh subprocesses per cold-start command (default 5)")
    ap.add_argument("--wt-runs", type=int, default=0, help="runs for word_tokenize (default: --runs)")
    ap.add_argument("--min-run", type=float, default=0.05, help="repeat a measurement inside a run until it lasts this long (s)")
    ap.add_argument("--top", type=int, default=10, help="rows in the profile and import-time tables")
    ap.add_argument("--rev", help="measure a clean `git archive` export of this commit instead of the working tree")
    ap.add_argument("--from-json", metavar="FILE", help="measure nothing: render a report saved with --json")
    ap.add_argument("--skip-cli", action="store_true", help="skip the subprocess cold-start measurements")
    ap.add_argument("files", nargs="*", help="corpus files (default: corpora/*.txt and corpora/*.md)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be ≥ 1")
    R = json.loads(Path(args.from_json).read_text(encoding="utf-8")) if args.from_json else run(args)
    if args.json:
        print(json.dumps(R, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render(R, md=args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
