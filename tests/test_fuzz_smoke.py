"""CI smoke run of the atheris harnesses (issue 8): ~10 s each, from seeds made of the corpus.

Skipped when atheris is not installed (``pip install -e ".[fuzz]"``). A crash or a hang writes a
``crash-``/``timeout-`` file; the test fails naming it and the command that replays it. The long
runs (≥ 100k inputs) are local, see fuzz/README.md.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris not installed (extra 'fuzz')")

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
SECONDS = int(os.environ.get("PLANPARSE_FUZZ_SMOKE_SECONDS", "10"))


@pytest.mark.parametrize("harness, max_len", [("fuzz_text.py", 8192), ("fuzz_docx.py", 65536)])
def test_fuzz_smoke(tmp_path, harness, max_len):
    if harness == "fuzz_docx.py" and importlib.util.find_spec("docx") is None:
        pytest.skip("python-docx not installed")
    seeds = tmp_path / "seeds"
    r = subprocess.run([sys.executable, str(FUZZ / harness), "--make-seeds", str(seeds)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    stats = tmp_path / "stats.json"
    art = tmp_path / "artifacts"
    cmd = [
        sys.executable, str(FUZZ / harness), str(tmp_path / "work"), str(seeds),
        f"-max_total_time={SECONDS}", "-seed=8", "-timeout=20", "-rss_limit_mb=3072", f"-max_len={max_len}",
        f"-artifact_prefix={art}/", "-print_final_stats=1", "--stats", str(stats),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=SECONDS + 300)
    found = sorted(p.name for p in art.iterdir()) if art.exists() else []
    assert r.returncode == 0 and not found, (
        f"{harness} found {found}: replay with python tests/regressions/replay.py FILE --entry "
        f"{'decode' if harness == 'fuzz_text.py' else 'file --suffix .docx (after fuzz_docx.py --unpack)'}\n{r.stderr[-4000:]}"
    )
    runs = [line for line in r.stderr.splitlines() if line.startswith("Done ") and " runs in " in line]
    assert runs, r.stderr[-2000:]
    executed = int(runs[-1].split()[1])
    assert executed >= 50, runs  # it really fuzzed
    if stats.exists():
        s = json.loads(stats.read_text())
        assert s["inputs"] > 0
