"""Replay one input of the regression corpus (or any file) through planparse and check it.

    python tests/regressions/replay.py CASE_NAME           # a case of cases.json
    python tests/regressions/replay.py FILE --entry text   # a crash file from a fuzzer, as text
    python tests/regressions/replay.py FILE --entry file --suffix .docx

Entries:
- ``text``: the bytes decoded as UTF-8 (``surrogatepass``, so lone surrogates survive) and given
  to ``planparse.parse_text``;
- ``file``: the bytes written to a file with ``suffix`` and given to ``planparse.parse(path)``;
- ``decode``: the bytes given to ``planparse.ingest.decode_text`` then ``parse_text``, as the
  text fuzzer does.

The outcome is a dict: ``status`` "ok" (a document that keeps every invariant of
``tests/invariants.py`` and serialises to the same JSON twice), "error" (a ``PlanParseError``
naming the file), or "crash"/"broken" with the details; ``cpu_s`` the CPU time it took.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
for p in (str(ROOT / "src"), str(ROOT / "tests")):
    if p not in sys.path:
        sys.path.insert(0, p)

import planparse  # noqa: E402
from invariants import violations  # noqa: E402
from planparse.emit import to_json  # noqa: E402


def load_cases() -> list[dict]:
    return json.loads((HERE / "cases.json").read_text(encoding="utf-8"))


def check(data: bytes, entry: str = "text", suffix: str = ".txt") -> dict:
    t0 = time.process_time()
    out: dict = {"status": "ok"}
    source = None
    try:
        if entry == "text":
            source = data.decode("utf-8", "surrogatepass")
            doc = planparse.parse_text(source)
            again = lambda: planparse.parse_text(source)  # noqa: E731
        elif entry == "decode":
            from planparse.ingest import decode_text

            source = decode_text(data, "<fuzz>")[0]
            doc = planparse.parse_text(source)
            again = lambda: planparse.parse_text(source)  # noqa: E731
        elif entry == "file":
            from planparse.ingest import read_file
            from planparse.pipeline import parse_decoded

            tmp = tempfile.TemporaryDirectory(prefix="planparse-replay-")
            path = Path(tmp.name) / f"input{suffix}"
            path.write_bytes(data)
            try:
                decoded = read_file(path)
                source = decoded.text
                doc = parse_decoded(decoded)
            except planparse.PlanParseError as exc:
                out.update(status="error" if str(path) in str(exc) else "broken", message=str(exc).replace(str(path), "FILE"))
                return out
            finally:
                pass
            again = lambda: parse_decoded(read_file(path))  # noqa: E731
        else:
            raise ValueError(f"unknown entry {entry!r}")
        problems = violations(source, doc)
        if problems:
            out.update(status="broken", problems=problems[:10])
        elif to_json(again(), include_text=True) != to_json(doc, include_text=True):
            out.update(status="broken", problems=["second parse differs"])
    except planparse.PlanParseError as exc:
        out.update(status="error", message=str(exc))
    except Exception as exc:  # noqa: BLE001 - any other exception is the crash we are looking for
        out.update(status="crash", exception=f"{type(exc).__name__}: {exc}"[:500], traceback=traceback.format_exc()[-3000:])
    finally:
        out["cpu_s"] = round(time.process_time() - t0, 3)
    return out


def check_case(case: dict) -> dict:
    data = (HERE / "cases" / case["file"]).read_bytes()
    return check(data, case.get("entry", "text"), case.get("suffix", ".txt"))


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", help="a case name of cases.json, or a file")
    ap.add_argument("--entry", default=None, choices=["text", "decode", "file"])
    ap.add_argument("--suffix", default=".txt")
    args = ap.parse_args(argv)
    cases = {c["name"]: c for c in load_cases()}
    if args.input in cases:
        result = check_case(cases[args.input])
    else:
        result = check(Path(args.input).read_bytes(), args.entry or "text", args.suffix)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["status"] in ("ok", "error") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
