"""Shared by the atheris harnesses: paths, statistics, seed generation.

Statistics: every harness counts its inputs and keeps the slowest one; with ``--stats FILE``
(handled here, removed from ``sys.argv`` before libFuzzer sees it) it rewrites FILE as JSON every
2,000 inputs and whenever a new slowest input appears, so the numbers survive libFuzzer's exit
(which does not run Python's ``atexit``). ``benchmarks/bench_robustness.py`` reads them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT / "src"), str(ROOT / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)


class Stats:
    def __init__(self, name: str) -> None:
        self.name = name
        self.path = None
        if "--stats" in sys.argv:
            i = sys.argv.index("--stats")
            self.path = sys.argv[i + 1]
            del sys.argv[i : i + 2]
        self.inputs = 0
        self.errors = 0
        self.slowest_s = 0.0
        self.slowest_sha1 = ""
        self.slowest_len = 0
        self.largest = 0
        self.started = time.time()
        self.last_dump = 0.0

    def record(self, data: bytes, seconds: float, error: bool) -> None:
        self.inputs += 1
        self.errors += error
        self.largest = max(self.largest, len(data))
        new_max = seconds > self.slowest_s
        if new_max:
            self.slowest_s, self.slowest_len = seconds, len(data)
            self.slowest_sha1 = hashlib.sha1(data).hexdigest()
        if self.path and (new_max or self.inputs % 500 == 0) and (new_max or time.time() - self.last_dump > 2):
            self.dump()

    def dump(self) -> None:
        self.last_dump = time.time()
        rss = 0.0
        try:
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    rss = int(line.split()[1]) / 1024
        except OSError:
            pass
        out = {
            "harness": self.name, "inputs": self.inputs, "planparse_errors": self.errors,
            "slowest_s": round(self.slowest_s, 4), "slowest_bytes": self.slowest_len, "slowest_sha1": self.slowest_sha1,
            "largest_bytes": self.largest, "wall_s": round(time.time() - self.started, 1), "peak_rss_mib": round(rss, 1),
        }
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f)
        os.replace(tmp, self.path)


def make_dirs(argv: list[str]) -> None:
    """Create the corpus directories named on the command line (libFuzzer wants them to exist)
    and the directory of ``-artifact_prefix``."""
    for arg in argv[1:]:
        if arg.startswith("-artifact_prefix="):
            prefix = arg.split("=", 1)[1]
            Path(prefix if prefix.endswith("/") else os.path.dirname(prefix) or ".").mkdir(parents=True, exist_ok=True)
        elif not arg.startswith("-") and not Path(arg).is_file():
            Path(arg).mkdir(parents=True, exist_ok=True)


# --------------------------------------------------------------------------- seeds


def text_seeds(limit_bytes: int = 4096) -> dict[str, bytes]:
    """Windows of every corpus document (≤ ``limit_bytes``), in the encodings the reader detects."""
    from generators import seed_texts
    from planparse.ingest import encodings as legacy

    out: dict[str, bytes] = {}
    for name, text in seed_texts():
        lines = text.split("\n")
        step = max(1, len(lines) // 4)
        for k, start in enumerate(range(0, len(lines), step)):
            window = "\n".join(lines[start : start + 60])[: limit_bytes // 2]
            for enc in ("utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni"):
                try:
                    data = legacy.encode(window, enc) if enc in legacy.LEGACY else window.encode(enc)
                except (UnicodeError, ValueError, KeyError):
                    continue
                out[f"{Path(name).stem}-{k}-{enc}"] = data[:limit_bytes]
    return out


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_parts(text: str) -> dict[str, bytes]:
    """A real Word package for ``text`` (python-docx), its headings numbered automatically and one
    footnote, as {part name: bytes}."""
    import docx
    from docx.oxml import parse_xml

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
        f'<w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
        f'<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl></w:abstractNum>'
    ))
    numbering.append(parse_xml(f'<w:num xmlns:w="{W}" w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    import regex as re

    label = re.compile(r"^\s*(?:([IVX]+)\.|(\d+)\.|([a-zđ])\))\s+")
    for line in text.split("\n"):
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells and len(cells) <= 8:
                t = d.add_table(rows=1, cols=len(cells))
                for i, c in enumerate(cells):
                    t.cell(0, i).text = c
            continue
        m = label.match(line)
        p = d.add_paragraph(line[m.end():] if m else line)
        if m:
            ilvl = 0 if m.group(1) else 1 if m.group(2) else 2
            p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'))
    buf = io.BytesIO()
    d.save(buf)
    import zipfile

    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return {n: z.read(n) for n in z.namelist()}


def pack(parts: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def write_seeds(directory: Path, seeds: dict[str, bytes]) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (directory / name).write_bytes(data)
    return len(seeds)
