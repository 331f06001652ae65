"""Coverage-guided fuzzing (atheris/libFuzzer) of the DOCX entry point.

The first byte of an input chooses what the rest is:

- 0: a whole .docx file (ZIP level: central directory, sizes, compression, member names);
- 1: ``word/document.xml`` of a real Word package made from a corpus window (paragraphs with
  automatic numbering, tables);
- 2: ``word/numbering.xml`` of that package (list definitions, levels, starts, lvlText);
- 3: ``word/footnotes.xml`` (a footnote referenced from the first paragraph);
- 4: ``word/styles.xml``.

Then ``planparse.ingest.docx.read_docx`` (archive checks, python-docx, the numbering renderer)
and the pipeline. A ``PlanParseError`` is a fine answer; any other exception or a broken
invariant of ``tests/invariants.py`` is a crash (``crash-<sha1>``, replay it with
``python tests/regressions/replay.py crash-… --entry file --suffix .docx`` after unpacking it
with ``python fuzz/fuzz_docx.py --unpack crash-… out.docx``).

    python fuzz/fuzz_docx.py --make-seeds fuzz/seeds-docx
    python fuzz/fuzz_docx.py fuzz/work-docx fuzz/seeds-docx -max_total_time=3600 -timeout=20 \
        -rss_limit_mb=3072 -max_len=65536 -artifact_prefix=fuzz/artifacts/ --stats fuzz/docx.stats.json
"""

from __future__ import annotations

import sys
import time
from functools import lru_cache
from pathlib import Path

from common import Stats, make_dirs, docx_parts, pack, write_seeds

PARTS = {1: "word/document.xml", 2: "word/numbering.xml", 3: "word/footnotes.xml", 4: "word/styles.xml"}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_CT = '<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>'
FOOTNOTES_REL = '<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'


@lru_cache(maxsize=1)
def template() -> dict[str, bytes]:
    """The fixed package the part inputs are put into: a corpus window, numbered, with a footnote."""
    from generators import seed_texts

    text = "\n".join(seed_texts()[0][1].split("\n")[:40])
    parts = docx_parts(text)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", FOOTNOTES_CT.encode() + b"</Types>")
    rels = "word/_rels/document.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", FOOTNOTES_REL.encode() + b"</Relationships>")
    doc = parts["word/document.xml"]
    parts["word/document.xml"] = doc.replace(b"</w:t></w:r>", b'</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>', 1)
    parts["word/footnotes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W}">'
        f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        f'<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Quyết định số 1/QĐ-TTg.</w:t></w:r></w:p></w:footnote>'
        f"</w:footnotes>"
    ).encode()
    return parts


def to_docx(data: bytes) -> bytes:
    """The .docx bytes an input stands for (see the module docstring)."""
    if not data:
        return b""
    kind = data[0] % 5
    if kind == 0:
        return data[1:]
    parts = dict(template())
    parts[PARTS[kind]] = data[1:]
    return pack(parts)


def seeds() -> dict[str, bytes]:
    from generators import seed_texts

    out = {}
    t = template()
    out["whole-0"] = b"\x00" + pack(t)
    for k in (1, 2, 3, 4):
        out[f"part-{k}"] = bytes([k]) + t[PARTS[k]]
    for name, text in seed_texts()[:6]:
        lines = text.split("\n")
        parts = docx_parts("\n".join(lines[len(lines) // 3 : len(lines) // 3 + 50]))
        out[f"{Path(name).stem}-doc"] = b"\x01" + parts["word/document.xml"]
        out[f"{Path(name).stem}-whole"] = b"\x00" + pack(parts)
    return out


if "--make-seeds" in sys.argv:
    n = write_seeds(Path(sys.argv[sys.argv.index("--make-seeds") + 1]), seeds())
    print(f"{n} seed files")
    sys.exit(0)
if "--unpack" in sys.argv:
    i = sys.argv.index("--unpack")
    Path(sys.argv[i + 2]).write_bytes(to_docx(Path(sys.argv[i + 1]).read_bytes()))
    sys.exit(0)

import atheris  # noqa: E402

with atheris.instrument_imports(include=["planparse", "docx"]):
    import docx  # noqa: F401 - instrumented for coverage

    import planparse
    from planparse.emit import to_json
    from planparse.ingest.docx import read_docx
    from planparse.pipeline import parse_decoded

from common import Stats as _Stats  # noqa: E402,F811
from invariants import violations  # noqa: E402

STATS = _Stats("docx")
parse_decoded(read_docx(pack(template()), "warm-up.docx"))  # build the template, warm the pipeline


def TestOneInput(data: bytes) -> None:
    t0 = time.process_time()
    error = False
    try:
        blob = to_docx(data)
        try:
            decoded = read_docx(blob, "fuzz.docx")
            doc = parse_decoded(decoded)
        except planparse.PlanParseError:
            error = True
            return
        problems = violations(decoded.text, doc)
        if problems:
            raise AssertionError(f"invariants broken: {problems[:3]}")
        to_json(doc, include_text=True)
    finally:
        STATS.record(data, time.process_time() - t0, error)


def main() -> None:
    make_dirs(sys.argv)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
