"""Replay the regression corpus: every input that ever crashed, hung or broke an invariant.

Each case of ``cases.json`` runs in a fresh subprocess with a wall-clock timeout (so a hang
fails the test instead of stalling the suite) and must end as a document that keeps every
invariant, or as a ``PlanParseError`` naming the file. A case whose bug is not fixed yet is
``xfail(strict=True)`` with the bug as its reason: the fix turns it into an unexpected pass,
and the ``xfail`` entry is then removed from ``cases.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from replay import load_cases  # noqa: E402

TIMEOUT_S = 120  # wall clock, generous: a case runs in well under a second when it does not hang
CPU_BOUND_S = 10.0  # same bound as conftest.BOUNDED_CPU_SECONDS


def _params():
    out = []
    for case in load_cases():
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
        out.append(pytest.param(case, id=case["name"], marks=marks))
    return out


def test_cases_json_is_consistent():
    names = set()
    for case in load_cases():
        assert case["name"] not in names, f"duplicate case {case['name']}"
        names.add(case["name"])
        assert (HERE / "cases" / case["file"]).is_file(), case["file"]
        assert case.get("entry", "text") in ("text", "decode", "file")
        assert case.get("found_by") and case.get("bug"), f"{case['name']}: say how it was found and what broke"
    listed = {c["file"] for c in load_cases()}
    unlisted = sorted(p.name for p in (HERE / "cases").iterdir() if p.name not in listed)
    assert not unlisted, f"files in cases/ without an entry in cases.json: {unlisted}"


@pytest.mark.parametrize("case", _params())
def test_replay(case):
    try:
        r = subprocess.run(
            [sys.executable, str(HERE / "replay.py"), case["name"]],
            capture_output=True, text=True, timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case['name']}: no result after {TIMEOUT_S} s (hang)")
    try:
        result = json.loads(r.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{case['name']}: replay died (exit {r.returncode}): {r.stderr[-2000:]}")
    assert result["status"] in ("ok", "error"), json.dumps(result, ensure_ascii=False, indent=1)[:3000]
    if case.get("expect"):
        assert result["status"] == case["expect"], result
    assert result["cpu_s"] < CPU_BOUND_S, f"{case['name']}: {result['cpu_s']} s of CPU"
