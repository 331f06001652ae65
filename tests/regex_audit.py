"""Every regular expression of planparse against adversarial strings (issue 8, regex safety).

Collects the patterns two ways, in one process:

1. **static** — imports every module of the ``planparse`` package and walks module globals,
   class attributes and the containers they hold (dict/list/tuple/set, three levels deep, and
   dataclass-like objects returned by cached builders such as ``segment._grammar()``) for
   compiled ``regex``/``re`` patterns;
2. **runtime** — with ``regex``'s and ``re``'s internal ``_compile`` hooked *before* planparse is
   imported, records every pattern compiled by planparse code (module level, lazily built from
   the vocabularies, or passed as a string to ``regex.match``/``search``…) while the whole
   corpus is parsed.

Then each distinct pattern is run against adversarial strings — long runs of digits, dots,
spaces, "1.1.1.1…", "((((", a 1 MB single line of Vietnamese words, combining marks, table pipes,
and per-pattern *pumps*: a short match of the pattern found in the corpus repeated ~64 KB and
followed by a character that breaks it (the classic shape of a backtracking attack). Operations:
``finditer`` consumed over the whole string (the pattern tried at every position) and
``match``/``fullmatch`` at offset 0.

Run as a script it prints one JSON line per event so a parent can time out a hang and still
know which pattern hung::

    python tests/regex_audit.py list                      # the patterns and where they come from
    python tests/regex_audit.py run [--shard I/N] [--big] [--timeout S] [--only NAME] [--strings a,b]
                                     [--as-anchored WHERE,…]  (patterns only checked with match)
                                     # start/done lines per pattern and string, JSON
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re as std_re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT / "src"), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import regex  # noqa: E402

REGEX_PATTERN = type(regex.compile(""))
STD_PATTERN = std_re.Pattern
_SRC = str(ROOT / "src" / "planparse")
_runtime: dict[tuple, tuple[object, str]] = {}


def _caller() -> str | None:
    """file:line of the code that asked for the pattern, when it is planparse code."""
    f = sys._getframe(2)
    while f is not None and (
        "/regex/" in f.f_code.co_filename or f.f_code.co_filename.endswith(("/re/__init__.py", "/functools.py"))
    ):
        f = f.f_back
    if f is None:
        return None
    fn = f.f_code.co_filename
    if fn.startswith(_SRC) or ("/planparse/" in fn and "site-packages" in fn):
        return f"{fn.split('planparse/', 1)[-1]}:{f.f_lineno}"
    return None


def install_hooks() -> None:
    import regex._main as rmain

    orig_r = rmain._compile
    orig_s = std_re._compile

    def hooked_regex(pattern, flags=0, *args, **kwargs):
        compiled = orig_r(pattern, flags, *args, **kwargs)
        where = _caller()
        if where is not None and isinstance(compiled, REGEX_PATTERN):
            _runtime.setdefault(("regex", compiled.pattern, compiled.flags), (compiled, where))
        return compiled

    def hooked_std(pattern, flags=0):
        compiled = orig_s(pattern, flags)
        where = _caller()
        if where is not None and isinstance(compiled, STD_PATTERN):
            _runtime.setdefault(("re", compiled.pattern, compiled.flags), (compiled, where))
        return compiled

    rmain._compile = hooked_regex
    std_re._compile = hooked_std


def _walk(obj, where: str, out: dict, depth: int = 0, seen: set | None = None) -> None:
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 3:
        return
    seen.add(id(obj))
    if isinstance(obj, REGEX_PATTERN):
        out.setdefault(("regex", obj.pattern, obj.flags), (obj, where))
    elif isinstance(obj, STD_PATTERN):
        out.setdefault(("re", obj.pattern, obj.flags), (obj, where))
    elif isinstance(obj, dict):
        for k, v in list(obj.items())[:5000]:
            _walk(v, f"{where}[{k!r}]"[:200], out, depth + 1, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for i, v in enumerate(list(obj)[:5000]):
            _walk(v, f"{where}[{i}]", out, depth + 1, seen)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("planparse"):
        for k, v in vars(obj).items():
            _walk(v, f"{where}.{k}", out, depth + 1, seen)
    elif hasattr(type(obj), "__slots__") and type(obj).__module__.startswith("planparse"):
        for k in type(obj).__slots__:
            _walk(getattr(obj, k, None), f"{where}.{k}", out, depth + 1, seen)


def import_all() -> list[str]:
    import planparse

    names = []
    for info in pkgutil.walk_packages(planparse.__path__, "planparse."):
        if info.name.endswith("__main__"):  # running it would start the CLI
            continue
        try:
            importlib.import_module(info.name)
            names.append(info.name)
        except ImportError:  # an optional dependency missing: its patterns are skipped
            pass
    return names


def exercise() -> None:
    """Parse the corpus (and a DOCX/HTML rendering of one seed when the readers are available)
    so lazily built patterns get compiled."""
    import planparse
    from generators import seed_texts

    for _, text in seed_texts():
        doc = planparse.parse_text(text)
        planparse.emit.to_json(doc)
    try:
        from planparse.ingest.html import read_html

        html = "<html><body><p>" + "</p><p>".join(seed_texts()[0][1].splitlines()[:200]) + "</p></body></html>"
        read_html(html.encode(), "x.html", None)
    except Exception:  # noqa: BLE001 - optional reader
        pass


def collect() -> list[dict]:
    install_hooks()
    modules = import_all()
    exercise()
    static: dict = {}
    for name in modules:
        mod = sys.modules[name]
        for attr, value in vars(mod).items():
            if isinstance(value, type) and value.__module__ == name:
                for cattr, cvalue in vars(value).items():
                    _walk(cvalue, f"{name}.{attr}.{cattr}", static)
            elif callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", "") == name:
                # an lru_cache'd builder: look at what it returned for no arguments
                try:
                    if value.cache_info().currsize:
                        _walk(value(), f"{name}.{attr}()", static)
                except TypeError:
                    pass
            else:
                _walk(value, f"{name}.{attr}", static)
    merged: dict = {}
    for key, (pat, where) in static.items():
        merged[key] = {"engine": key[0], "pattern": pat, "where": where, "static": True}
    for key, (pat, where) in _runtime.items():
        if key not in merged:
            merged[key] = {"engine": key[0], "pattern": pat, "where": "runtime@" + where, "static": False}
        else:
            merged[key]["compiled_at"] = where
    # a stable order for sharding
    return sorted(merged.values(), key=lambda d: (d["where"], d["pattern"].pattern if isinstance(d["pattern"].pattern, str) else ""))


# --------------------------------------------------------------------------- adversarial strings

MB = 1 << 20
KB64 = 1 << 16


def generic_strings(big: bool) -> dict[str, str]:
    n = MB if big else KB64
    words = "Trẻ em có hoàn cảnh đặc biệt được trợ giúp xã hội 100% số 12/2020/NĐ-CP Sở Lao động - Thương binh và Xã hội, "
    s = {
        "digits": "1" * n,
        "dots": "." * n,
        "digit-dots": "1." * (n // 2),  # 1.1.1.1…
        "dotted-label": ("1.1.1.1 " * (n // 8)),
        "spaces": " " * n,
        "space-digit-space": "Quyết định" + " " * (n - 12) + "số",
        "parens": "(" * n,
        "paren-pairs": "(1)" * (n // 3),
        "vietnamese-line": (words * (n // len(words) + 1))[:n],
        "newlines": "\n" * n,
        "blank-lines": " \n" * (n // 2),
        "combining": "a" + "\u0301" * (n - 1),
        "pipes": "| " * (n // 2),
        "dashes": "- " * (n // 2),
        "caps": ("ỦY BAN NHÂN DÂN " * (n // 16 + 1))[:n],
        "roman": "I" * n,
        "roman-dots": "I." * (n // 2),
        "letters-paren": "a)" * (n // 2),
        "slashes": "1/" * (n // 2),
        "percent": "1%" * (n // 2),
        "commas": "1," * (n // 2),
        "stars": "*" * n,
        "hashes": "#" * n,
        "superscripts": "¹" * n,
        "brackets": "[1]" * (n // 3),
        "nbsp-tabs": "\u00a0\t" * (n // 2),
    }
    return s


def pumps(pat, samples: list[str]) -> dict[str, str]:
    """Repeat short corpus matches of ``pat`` up to ~64 KB, then a character that breaks them."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for text in samples:
        try:
            it = pat.finditer(text, timeout=2.0) if isinstance(pat, REGEX_PATTERN) else pat.finditer(text)
            for m in it:
                g = m.group()
                if 1 <= len(g) <= 60 and g not in seen:
                    seen.add(g)
                    k = KB64 // len(g) + 1
                    out[f"pump{len(out) // 2}"] = g * k + "\x00"
                    out[f"pump{len(out) // 2}-sp"] = (g + " ") * (KB64 // (len(g) + 1) + 1) + "§"
                if len(out) >= 4:
                    return out
        except (TimeoutError, Exception):  # noqa: BLE001 - a slow sample is reported by the run itself
            continue
    return out


# --------------------------------------------------------------------------- how a pattern is used

_USE = regex.compile(r"(\.?)(\w+)\.(match|fullmatch|search|finditer|findall|sub|subn|split|splititer|scanner)\(")
_SITE_USE = regex.compile(r"\b(?:re|regex)\.(match|fullmatch|search|finditer|findall|sub|subn|split)\(")


def _source_files() -> list[Path]:
    return sorted((ROOT / "src" / "planparse").rglob("*.py"))


def usages() -> dict[str, set[str]]:
    """Pattern name → the methods planparse calls on it anywhere (``_HEADING.match(`` …)."""
    out: dict[str, set[str]] = {}
    for f in _source_files():
        for m in _USE.finditer(f.read_text(encoding="utf-8")):
            # "x.re.match(" is an attribute named re; "re.match(" the module
            out.setdefault(m.group(1) + m.group(2), set()).add(m.group(3))
    return out


def anchored(p: dict, uses: dict[str, set[str]]) -> bool:
    """True when the pattern is only ever used with ``match``/``fullmatch`` (tried at one
    position per call, so a run of the pattern over the whole string is not how it is used)."""
    where = p["where"]
    if where.startswith("runtime@"):
        file, _, line = where[len("runtime@") :].rpartition(":")
        try:
            text = (ROOT / "src" / "planparse" / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        except (OSError, IndexError, ValueError):
            return False
        methods = set(_SITE_USE.findall(text))
        return bool(methods) and methods <= {"match", "fullmatch"}
    leaf = regex.findall(r"\w+", where)[-1]
    methods = uses.get("." + leaf, set()) | (set() if leaf in ("re", "regex") else uses.get(leaf, set()))
    return bool(methods) and methods <= {"match", "fullmatch"}


def _consume(pat, s: str, anchored_use: bool, timeout: float) -> None:
    """Run the pattern as planparse may: over the whole string, or at offset 0 when anchored."""
    if isinstance(pat, REGEX_PATTERN):
        if not anchored_use:
            for _ in pat.finditer(s, timeout=timeout):
                pass
        pat.match(s, timeout=timeout)
        pat.fullmatch(s, timeout=timeout)
    else:
        if not anchored_use:
            for _ in pat.finditer(s):
                pass
        pat.match(s)
        pat.fullmatch(s)


def run(
    shard: tuple[int, int] = (0, 1), big: bool = False, only: str | None = None, timeout: float = 10.0,
    names: list[str] | None = None, as_anchored: tuple[str, ...] = (),
) -> None:
    from generators import seed_texts

    patterns = collect()
    uses = usages()
    samples = [t for _, t in seed_texts()]
    strings = generic_strings(big)
    if names:
        strings = {k: v for k, v in strings.items() if k in names}
    emit = lambda **kw: print(json.dumps(kw), flush=True)  # ASCII: no U+2028/U+0085 inside a line  # noqa: E731
    emit(event="collected", patterns=len(patterns), static=sum(p["static"] for p in patterns), strings=len(strings))
    i0, n = shard
    for idx, p in enumerate(patterns):
        if idx % n != i0 or (only and only not in p["where"]):
            continue
        pat = p["pattern"]
        if not isinstance(pat.pattern, str):
            continue
        anch = anchored(p, uses) or p["where"] in as_anchored
        cases = {**strings, **({} if big else pumps(pat, samples))}
        worst, worst_name, total, timeouts = 0.0, "", 0.0, []
        for name, s in cases.items():
            emit(event="start", idx=idx, where=p["where"], string=name)
            t0 = time.process_time()
            try:
                _consume(pat, s, anch, timeout)
            except TimeoutError:
                timeouts.append(name)
            dt = time.process_time() - t0
            total += dt
            if dt > worst:
                worst, worst_name = dt, name
        emit(
            event="done", idx=idx, where=p["where"], engine=p["engine"], anchored=anch, pattern=pat.pattern[:300],
            worst_s=round(worst, 4), worst_string=worst_name, total_s=round(total, 3), timeouts=timeouts, chars=len(next(iter(strings.values()))),
        )
    emit(event="end")


def main(argv: list[str]) -> int:
    if argv and argv[0] == "list":
        for p in collect():
            print(f"{p['where']}\t{p['engine']}\t{str(p['pattern'].pattern)[:120]!r}")
        return 0
    shard = (0, 1)
    big = "--big" in argv
    only = None
    if "--shard" in argv:
        a, b = argv[argv.index("--shard") + 1].split("/")
        shard = (int(a), int(b))
    if "--only" in argv:
        only = argv[argv.index("--only") + 1]
    timeout = float(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 10.0
    names = argv[argv.index("--strings") + 1].split(",") if "--strings" in argv else None
    as_anchored = tuple(argv[argv.index("--as-anchored") + 1].split(",")) if "--as-anchored" in argv else ()
    run(shard, big, only, timeout, names, as_anchored)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
