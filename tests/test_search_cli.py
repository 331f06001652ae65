"""planparse index | search (the CLI of planparse.search), run as a user would, on corpus files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import CORPUS, ROOT, SEEDS

from planparse.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Three seed plans copied into a folder, and an index made from it."""
    d = tmp_path_factory.mktemp("plans")
    for name in ("binh_dinh", "dong_nai", "kon_tum"):
        shutil.copy(CORPUS / SEEDS[name], d)
    (d / "NOTES.md").write_text("# not a plan\n", encoding="utf-8")
    db = d / "plans.db"
    r = run("index", d, "--db", db)
    assert r.exit_code == 0, r.output
    assert "3 files: 3 added, 0 updated, 0 unchanged, 0 failed" in r.output
    return d, db


def test_index_is_incremental(plans, tmp_path):
    d, db = plans
    r = run("index", d, "--db", db, "-q")
    assert "3 files: 0 added, 0 updated, 3 unchanged, 0 failed" in r.output
    # a changed plan replaces its rows
    work = tmp_path / "p"
    work.mkdir()
    plan = work / "dong-nai.txt"
    text = (CORPUS / SEEDS["dong_nai"]).read_text(encoding="utf-8")
    plan.write_text(text, encoding="utf-8")
    db2 = tmp_path / "x.db"
    assert run("index", plan, "--db", db2).exit_code == 0
    before = json.loads(run("search", "", "--db", db2, "--json", "--limit", "1000").output)["count"]
    plan.write_text(text.replace("100% trẻ em có hoàn cảnh đặc biệt", "97% trẻ em có hoàn cảnh đặc biệt"), encoding="utf-8")
    r = run("index", plan, "--db", db2)
    assert "1 updated" in r.output
    out = json.loads(run("search", '"trẻ em có hoàn cảnh đặc biệt"', "--db", db2, "--json").output)
    assert 97.0 in [h["value"] for h in out["hits"]]
    assert json.loads(run("search", "", "--db", db2, "--json", "--limit", "1000").output)["count"] == before


def test_search_prints_value_deadline_document_section_agencies_and_span(plans):
    d, db = plans
    r = run("search", "tre em co hoan canh dac biet", "--min", "90", "--unit", "%", "--by", "2020", "--db", db, "--limit", "3")
    assert r.exit_code == 0, r.output
    assert "«trẻ em có hoàn cảnh đặc biệt»" in r.output  # found without accents, marked as written
    assert "Bình Định (now Gia Lai)" in r.output
    assert "lead: Sở Lao động - Thương binh và Xã hội" in r.output
    assert "§ " in r.output and "source: " in r.output and "of the normalised text" in r.output
    assert "by 2020" in r.output and ("≥ 90 %" in r.output or "= 90 %" in r.output or "100 %" in r.output)


def test_search_json_and_filters(plans):
    d, db = plans
    out = json.loads(run("search", "", "--province", "Quảng Ngãi", "--db", db, "--json", "--limit", "1000").output)
    assert out["count"] > 0
    assert {h["document"]["province"] for h in out["hits"]} == {"Kon Tum"}
    assert {h["document"]["province_now"] for h in out["hits"]} == {"Quảng Ngãi"}
    out = json.loads(run("search", "", "--deadline", "2020", "--role", "lead", "--doc-type", "Kế hoạch", "--db", db, "--json").output)
    assert out["hits"] and all(h["deadline_year"] == 2020 and h["lead"] for h in out["hits"])


@pytest.mark.parametrize("args, message", [
    (["search", '"trẻ em'], "unbalanced quote"),
    (["search", "x", "--province", "Atlantis"], "unknown province"),
    (["search", "x", "--deadline", "2020", "--by", "2025"], "either deadline"),
    (["search", "x", "--role", "boss"], "role must be"),
    (["search", "x", "--limit", "0"], "limit must be"),
])
def test_bad_queries_exit_2_with_one_line(plans, args, message):
    d, db = plans
    r = subprocess.run([sys.executable, "-m", "planparse", *args, "--db", str(db)], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 2
    assert r.stderr.startswith("planparse: error: ") and message in r.stderr and r.stderr.count("\n") == 1


def test_bad_inputs(tmp_path):
    r = run("search", "x", "--db", tmp_path / "missing.db")
    assert r.exit_code == 2 and "no such index" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a plan"}', encoding="utf-8")
    r = run("index", bad, tmp_path / "missing.txt", "--db", tmp_path / "i.db")
    assert r.exit_code == 2 and "missing.txt: no such file or folder" in r.output
    r = run("index", bad, "--db", tmp_path / "i.db")
    assert r.exit_code == 2 and "bad.json: not a planparse JSON document" in r.output and "1 failed" in r.output


def test_index_reads_parsed_json(tmp_path):
    out = tmp_path / "dong-nai.json"
    assert run("parse", CORPUS / SEEDS["dong_nai"], "-o", out, "--text").exit_code == 0
    r = run("index", out, "--db", tmp_path / "j.db")
    assert "1 added" in r.output
    hits = json.loads(run("search", "trẻ em", "--db", tmp_path / "j.db", "--json").output)["hits"]
    assert hits and hits[0]["document"]["province"] == "Đồng Nai"
