#!/usr/bin/env python3
"""Format readers' speed: MB/s of extracted text per core, for the corpus converted to each format.

    python benchmarks/bench_formats.py [--runs N] [--json] [--formats docx,html] [FILES…]

The corpus (corpora/*.txt and *.md, or FILES) is written once into each format in a temporary
directory by the same generators the format-equivalence tests use
(``tests/test_formats_equivalence_docx_html.py``: real Word automatic numbering, footnotes and
tables for DOCX; a portal page with chrome around the text for HTML). Then, per format:

- **read**: ``planparse.ingest.read_file`` on every file (the reader alone: unzip/parse XML or
  HTML, walk, render text) — MB/s = UTF-8 megabytes of *extracted text* / CPU seconds;
- **parse**: ``planparse.parse`` on every file (reader + the whole pipeline), same unit;
- the plain-text reader on the original files as the reference point, and the ratio
  read(format) / parse(txt), i.e. how much reading the format adds to a parse.

One process, so "per core": CPU seconds of this process (``time.process_time``); wall seconds
too. Each figure is the median of ``--runs`` runs after a warm-up. Issue 5's goal: DOCX read
≥ 2 MB/s of extracted text per core.

Adding a format (e.g. PDF): append a ``Format(name, ext, build, needs)`` to ``FORMATS`` below,
where ``build(src: Path, out_dir: Path) -> Path`` writes one corpus file in that format.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

GOALS = {"docx": 2.0}  # MB/s of extracted text per core, reader alone


@dataclass
class Format:
    name: str
    ext: str
    build: Callable[[Path, Path], Path]
    needs: tuple[str, ...] = ()


def _build_docx(src: Path, out_dir: Path) -> Path:
    from test_formats_equivalence_docx_html import seed_to_docx

    return seed_to_docx(src, out_dir / (src.stem + ".docx"))


def _build_html(src: Path, out_dir: Path) -> Path:
    from test_formats_equivalence_docx_html import seed_to_html

    return seed_to_html(src, out_dir / (src.stem + ".html"), container=hash(src.stem) % 4)


FORMATS: list[Format] = [
    Format("docx", ".docx", _build_docx, ("docx", "lxml")),
    Format("html", ".html", _build_html, ("lxml",)),
    # PDF section: Format("pdf", ".pdf", _build_pdf, ("pdfplumber",)) — added by the PDF reader's author
]


def _timed(fn: Callable[[], int], runs: int) -> dict:
    fn()  # warm-up (imports, vocabularies, regex compiles)
    cpu, wall, size = [], [], 0
    for _ in range(runs):
        t0, w0 = time.process_time(), time.perf_counter()
        size = fn()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    c, w = statistics.median(cpu), statistics.median(wall)
    return {"bytes": size, "cpu_s": c, "wall_s": w, "mb_per_cpu_s": size / 1e6 / c if c else None, "mb_per_wall_s": size / 1e6 / w if w else None, "runs_cpu_s": cpu}


def bench(files: list[Path], formats: list[Format], runs: int) -> dict:
    import planparse
    from planparse.ingest import read_file

    results: dict = {"files": [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in files], "runs": runs, "formats": {}}

    def read_all(paths):
        return lambda: sum(len(read_file(p).text.encode("utf-8")) for p in paths)

    def parse_all(paths):
        def run():
            total = 0
            for p in paths:
                total += len(read_file(p).text.encode("utf-8"))
                planparse.parse(p)
            return total

        return run

    results["formats"]["txt"] = {"read": _timed(read_all(files), runs), "parse": _timed(parse_all(files), runs)}
    with tempfile.TemporaryDirectory(prefix="planparse-bench-") as tmp:
        for fmt in formats:
            missing = [m for m in fmt.needs if importlib.util.find_spec(m) is None]
            if missing:
                results["formats"][fmt.name] = {"skipped": f"needs {', '.join(missing)}"}
                continue
            out_dir = Path(tmp) / fmt.name
            out_dir.mkdir()
            t0 = time.perf_counter()
            built = [fmt.build(f, out_dir) for f in files]
            entry = {
                "build_s": time.perf_counter() - t0,
                "file_bytes": sum(p.stat().st_size for p in built),
                "read": _timed(read_all(built), runs),
                "parse": _timed(parse_all(built), runs),
            }
            txt_parse = results["formats"]["txt"]["parse"]["mb_per_cpu_s"]
            entry["read_vs_txt_parse"] = entry["read"]["mb_per_cpu_s"] / txt_parse if txt_parse else None
            goal = GOALS.get(fmt.name)
            if goal:
                entry["goal_mb_per_s"] = goal
                entry["meets_goal"] = entry["read"]["mb_per_cpu_s"] >= goal
            results["formats"][fmt.name] = entry
    return results


def render(results: dict) -> str:
    lines = [f"corpus: {len(results['files'])} files; median of {results['runs']} runs; MB = 10^6 bytes of extracted UTF-8 text; per core = CPU seconds of one process", ""]
    lines.append(f"{'format':<7} {'file MB':>8} {'text MB':>8} {'read MB/s':>10} {'parse MB/s':>11} {'read/txt-parse':>15}  goal")
    for name, e in results["formats"].items():
        if "skipped" in e:
            lines.append(f"{name:<7} skipped: {e['skipped']}")
            continue
        fmb = f"{e['file_bytes'] / 1e6:8.2f}" if "file_bytes" in e else f"{'':>8}"
        ratio = f"{e['read_vs_txt_parse']:15.1f}" if e.get("read_vs_txt_parse") else f"{'':>15}"
        goal = ""
        if "goal_mb_per_s" in e:
            goal = f"≥ {e['goal_mb_per_s']} MB/s: {'met' if e['meets_goal'] else 'NOT met'}"
        lines.append(f"{name:<7} {fmb} {e['read']['bytes'] / 1e6:8.2f} {e['read']['mb_per_cpu_s']:10.2f} {e['parse']['mb_per_cpu_s']:11.2f} {ratio}  {goal}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--formats", default=",".join(f.name for f in FORMATS))
    args = ap.parse_args()
    files = [f.resolve() for f in args.files] or sorted(p for p in (ROOT / "corpora").iterdir() if p.suffix in (".txt", ".md"))
    wanted = set(args.formats.split(","))
    results = bench(files, [f for f in FORMATS if f.name in wanted], args.runs)
    print(json.dumps(results, indent=2, ensure_ascii=False) if args.json else render(results))


if __name__ == "__main__":
    main()
