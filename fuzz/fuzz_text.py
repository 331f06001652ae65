"""Coverage-guided fuzzing (atheris/libFuzzer) of the text entry point.

Each input is the bytes of a text file: ``planparse.ingest.decode_text`` (UTF-8/UTF-16/BOM
detection, legacy TCVN3/VNI/VISCII/Windows-1258 scoring, mojibake repair) then
``planparse.parse_text``. A ``PlanParseError`` is a fine answer; any other exception, a broken
invariant of ``tests/invariants.py`` (spans, nothing lost, sections cover the body) or a second
parse with different JSON (checked on one input in eight) is a crash, and libFuzzer writes the
input to ``crash-<sha1>``. ``-timeout=N`` turns an input slower than N s into ``timeout-<sha1>``.

    python fuzz/fuzz_text.py --make-seeds fuzz/seeds-text
    python fuzz/fuzz_text.py fuzz/work-text fuzz/seeds-text -max_total_time=3600 -timeout=20 \
        -rss_limit_mb=3072 -max_len=8192 -artifact_prefix=fuzz/artifacts/ --stats fuzz/text.stats.json

See fuzz/README.md.
"""

from __future__ import annotations

import sys
import time

from common import Stats, make_dirs, text_seeds, write_seeds

if "--make-seeds" in sys.argv:
    from pathlib import Path

    n = write_seeds(Path(sys.argv[sys.argv.index("--make-seeds") + 1]), text_seeds())
    print(f"{n} seed files")
    sys.exit(0)

import atheris  # noqa: E402

with atheris.instrument_imports(include=["planparse"]):
    import planparse
    from planparse.emit import to_json
    from planparse.ingest import decode_text

from invariants import violations  # noqa: E402

STATS = Stats("text")
planparse.parse_text("KẾ HOẠCH\nI. MỤC TIÊU\nĐạt 90% trẻ em.\n")  # lazy compiles and vocabularies before timing


def TestOneInput(data: bytes) -> None:
    t0 = time.process_time()
    error = False
    try:
        try:
            text = decode_text(data, "<fuzz>")[0]
        except planparse.PlanParseError:
            error = True
            return
        doc = planparse.parse_text(text)
        problems = violations(text, doc)
        if problems:
            raise AssertionError(f"invariants broken: {problems[:3]}")
        first = to_json(doc, include_text=True)
        if data[:1] and data[0] % 8 == 0 and to_json(planparse.parse_text(text), include_text=True) != first:
            raise AssertionError("second parse gives different JSON")
    finally:
        STATS.record(data, time.process_time() - t0, error)


def main() -> None:
    make_dirs(sys.argv)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
