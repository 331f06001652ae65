#!/usr/bin/env python3
"""PDF reader speed: MB/s of extracted text per core, pypdfium2 path vs pdfplumber path.

    python benchmarks/bench_pdf.py [--runs N] [--plumber-runs N] [--json] [FILES…]

The corpus (corpora/*.txt and *.md, or FILES) is written once into PDF in a temporary directory
by the generator the equivalence tests use (``tests/pdf_fixture.py``: fpdf2 + DejaVuSans, wrapped
paragraphs, running header, page numbers, footnotes, header block, tables). Then:

- **raw pdfium**: ``get_text_range()`` of every page, nothing else (the floor of any pypdfium2
  reader);
- **raw pdfplumber**: ``page.extract_text()`` of every page (what a pdfplumber-only reader pays
  before any layout work);
- **read pypdfium2** (default reader): ``planparse.ingest.pdf.read_pdf`` — pdfium text and
  geometry, pdfplumber tables on ruled pages only, layout;
- **read pdfplumber**: ``read_pdf(..., extractor="pdfplumber")`` — same layout from pdfplumber's
  characters;
- **parse**: ``planparse.parse`` on the PDFs (reader + whole pipeline), and on the .txt originals.

MB = 10^6 bytes of the UTF-8 text the step extracts; per core = CPU seconds of this one process
(``time.process_time``). Each figure is the median of the runs after a warm-up. Issue 5's goal:
PDF read ≥ 1 MB/s of extracted text per core.

``build_pdf(src, out_dir)`` is the builder for ``benchmarks/bench_formats.py``'s FORMATS list.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

GOAL = 1.0  # MB/s of extracted text per core, PDF reader alone


def build_pdf(src: Path, out_dir: Path) -> Path:
    """Write one corpus file as a PDF (the tests' generator)."""
    from pdf_fixture import write_pdf

    return write_pdf(src.read_text(encoding="utf-8"), out_dir / (src.stem + ".pdf"))


def _timed(fn: Callable[[], int], runs: int) -> dict:
    fn()  # warm-up
    cpu, wall, size = [], [], 0
    for _ in range(runs):
        t0, w0 = time.process_time(), time.perf_counter()
        size = fn()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    c, w = statistics.median(cpu), statistics.median(wall)
    return {"bytes": size, "cpu_s": round(c, 4), "wall_s": round(w, 4), "mb_per_cpu_s": round(size / 1e6 / c, 3) if c else None, "runs_cpu_s": [round(x, 4) for x in cpu]}


def bench(files: list[Path], runs: int, plumber_runs: int) -> dict:
    import pdfplumber
    import pypdfium2 as pdfium

    import planparse
    from planparse.ingest.pdf import read_pdf

    out: dict = {"files": [str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in files], "runs": runs, "plumber_runs": plumber_runs}
    with tempfile.TemporaryDirectory(prefix="planparse-bench-pdf-") as tmp:
        t0 = time.perf_counter()
        pdfs = [build_pdf(f, Path(tmp)) for f in files]
        out["build_s"] = round(time.perf_counter() - t0, 2)
        out["file_bytes"] = sum(p.stat().st_size for p in pdfs)
        datas = [p.read_bytes() for p in pdfs]
        out["pages"] = sum(len(pdfium.PdfDocument(d)) for d in datas)

        def raw_pdfium() -> int:
            total = 0
            for d in datas:
                doc = pdfium.PdfDocument(d)
                for i in range(len(doc)):
                    page = doc[i]
                    tp = page.get_textpage()
                    total += len(tp.get_text_range().encode("utf-8"))
                    tp.close()
                    page.close()
                doc.close()
            return total

        def raw_plumber() -> int:
            total = 0
            for p in pdfs:
                with pdfplumber.open(p) as pdf:
                    for page in pdf.pages:
                        total += len((page.extract_text() or "").encode("utf-8"))
                        page.flush_cache()
            return total

        def reader(extractor: str) -> Callable[[], int]:
            return lambda: sum(len(read_pdf(d, str(p), extractor=extractor).text.encode("utf-8")) for d, p in zip(datas, pdfs))

        def parse_all(paths: list[Path]) -> Callable[[], int]:
            def run() -> int:
                total = 0
                for p in paths:
                    doc = planparse.parse(p)
                    total += len(doc.text.encode("utf-8"))
                return total

            return run

        out["raw_pdfium"] = _timed(raw_pdfium, runs)
        out["raw_pdfplumber"] = _timed(raw_plumber, plumber_runs)
        out["read_pypdfium2"] = _timed(reader("pypdfium2"), runs)
        out["read_pdfplumber"] = _timed(reader("pdfplumber"), plumber_runs)
        out["parse_pdf"] = _timed(parse_all(pdfs), runs)
    out["parse_txt"] = _timed(parse_all(files), runs)
    a, b = out["read_pypdfium2"]["mb_per_cpu_s"], out["read_pdfplumber"]["mb_per_cpu_s"]
    out["speedup_pypdfium2_vs_pdfplumber"] = round(a / b, 1) if a and b else None
    out["goal_mb_per_s"] = GOAL
    out["meets_goal"] = bool(a and a >= GOAL)
    return out


def render(r: dict) -> str:
    lines = [
        f"corpus: {len(r['files'])} files → {r['pages']} PDF pages, {r['file_bytes'] / 1e6:.2f} MB of PDF (built in {r['build_s']} s)",
        f"median of {r['runs']} runs ({r['plumber_runs']} for pdfplumber); MB = 10^6 bytes of extracted UTF-8 text; per core = CPU s of one process",
        "",
        f"{'step':<34} {'text MB':>8} {'CPU s':>8} {'MB/s':>8}",
    ]
    for key, label in [
        ("raw_pdfium", "raw pdfium get_text_range"),
        ("raw_pdfplumber", "raw pdfplumber extract_text"),
        ("read_pypdfium2", "read_pdf (pypdfium2, default)"),
        ("read_pdfplumber", "read_pdf (extractor=pdfplumber)"),
        ("parse_pdf", "planparse.parse on the PDFs"),
        ("parse_txt", "planparse.parse on the .txt/.md"),
    ]:
        e = r[key]
        lines.append(f"{label:<34} {e['bytes'] / 1e6:8.3f} {e['cpu_s']:8.3f} {e['mb_per_cpu_s']:8.2f}")
    lines.append("")
    lines.append(f"pypdfium2 reader / pdfplumber reader: {r['speedup_pypdfium2_vs_pdfplumber']}×")
    lines.append(f"goal ≥ {r['goal_mb_per_s']} MB/s (PDF read): {'met' if r['meets_goal'] else 'NOT met'}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--plumber-runs", type=int, default=1, help="runs for the slow pdfplumber steps")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    files = [f.resolve() for f in args.files] or sorted(p for p in (ROOT / "corpora").iterdir() if p.suffix in (".txt", ".md"))
    r = bench(files, args.runs, args.plumber_runs)
    print(json.dumps(r, indent=2, ensure_ascii=False) if args.json else render(r))


if __name__ == "__main__":
    main()
