"""planparse batch (issue 6): mixed good/bad inputs, the manifest accounting for every input,
identical outputs across --jobs values, formats and engines (local processes, a dask LocalCluster),
resume after a real ``kill -9`` and after Ctrl-C, a worker process that dies, OUTDIR locking.

Corpora are small copies of the bundled plans in tmp_path; every run goes through real worker
processes (and, for dask, a real LocalCluster of worker processes).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import planparse
from conftest import CORPUS, ROOT
from planparse.batch import (
    Input,
    InputError,
    account,
    convert,
    discover,
    latest_rows,
    read_manifest,
    run_batch,
)
from planparse.batch_tables import TABLES, iter_csv
from planparse.emit import to_json, to_jsonl_line

SMALL = [
    "son-la_2023_bao-ve-bi-mat-nha-nuoc.md",
    "bo-tai-chinh_2022_ke-hoach-cai-cach-thue.txt",
    "can-tho_2025_cong-tac-dan-so.md",
    "binh-phuoc_2021_cong-tac-xa-hoi.txt",
]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}


def require(module: str, extra: str):
    """Import ``module``; skip when missing, unless CI's PLANPARSE_REQUIRE_EXTRAS names ``extra`` (or "1")."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        names = os.environ.get("PLANPARSE_REQUIRE_EXTRAS", "").replace(",", " ").split()
        msg = f"{module} not installed ({exc}); pip install -e '.[{extra}]'"
        if "1" in names or extra in names:
            pytest.fail(msg)
        pytest.skip(msg)


def run_cli(*args, cwd, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "planparse", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=ENV, timeout=timeout
    )


def good_tree(root: Path) -> Path:
    """Two folders holding files of the same name (one with different content), and a nested one."""
    (root / "a" / "nested").mkdir(parents=True)
    (root / "b").mkdir()
    for name in SMALL[:3]:
        shutil.copy(CORPUS / name, root / "a" / name)
    shutil.copy(CORPUS / SMALL[3], root / "a" / "nested" / SMALL[3])
    # same basename as a/…, different content
    shutil.copy(CORPUS / SMALL[3], root / "b" / SMALL[0])
    return root


def bad_files(root: Path) -> dict[str, str]:
    """Inputs that must fail, with the words their manifest error must contain."""
    d = root / "bad"
    d.mkdir()
    (d / "binary.txt").write_bytes(b"\x00\x01\x02\x03 not text \x00" * 50)
    (d / "blank.md").write_text("   \n\t\n", encoding="utf-8")
    (d / "zero.html").write_bytes(b"")
    (d / "broken.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    return {"bad/binary.txt": "binary", "bad/blank.md": "no text", "bad/zero.html": "empty", "bad/broken.docx": "docx"}


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def outputs(outdir: Path) -> dict[str, bytes]:
    """Every output but the manifest (which records times) and the lock file."""
    return {k: v for k, v in tree_files(outdir).items() if k not in {"manifest.jsonl", ".lock"}}


# --------------------------------------------------------------------------- discovery


def test_discover_mirrors_relative_paths_in_a_deterministic_order(tmp_path):
    root = good_tree(tmp_path / "in")
    (root / "a" / ".hidden.txt").write_text("x", encoding="utf-8")
    (root / "a" / "~$lock.docx").write_bytes(b"x")
    (root / "a" / "notes.json").write_text("{}", encoding="utf-8")
    (root / "a" / "README").write_text("no extension", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("x", encoding="utf-8")
    out = root / "out"  # the output folder inside an input folder is not an input
    out.mkdir()
    (out / "old.txt").write_text("x", encoding="utf-8")

    found = discover([root], exclude=[out])
    keys = [i.key for i in found]
    assert keys == [
        f"a/{SMALL[1]}", f"a/{SMALL[2]}", f"a/{SMALL[0]}", f"a/nested/{SMALL[3]}", f"b/{SMALL[0]}",
    ]
    assert len({i.key for i in found}) == len(found)  # same basename in a/ and b/: two keys
    assert all(os.path.isabs(i.path) and i.display.startswith(str(root)) for i in found)

    # two inputs: keys relative to the folder holding both; a file reached twice counts once;
    # a file named explicitly is taken whatever its extension
    both = discover([root / "a", root / "b", root / "a" / SMALL[0], root / "a" / "notes.json"])
    assert [i.key for i in both] == [f"a/{SMALL[1]}", f"a/{SMALL[2]}", f"a/{SMALL[0]}", f"a/nested/{SMALL[3]}", f"b/{SMALL[0]}", "a/notes.json"]

    with pytest.raises(InputError, match="nowhere"):
        discover([root / "nowhere"])


# --------------------------------------------------------------------------- mixed inputs, the CLI


def test_mixed_good_and_bad_inputs_are_all_in_the_manifest_and_the_batch_goes_on(tmp_path, monkeypatch):
    root = good_tree(tmp_path / "in")
    expect_errors = bad_files(root)
    try:
        import docx
    except ImportError:
        docx = None
    if docx is not None:  # a real Word file built by python-docx: the walk takes every supported format
        d = docx.Document()
        for line in (CORPUS / SMALL[0]).read_text(encoding="utf-8").splitlines():
            d.add_paragraph(line)
        d.save(root / "b" / "word.docx")
    (root / "b" / "page.html").write_text(
        "<html><body><p>" + (CORPUS / SMALL[1]).read_text(encoding="utf-8").replace("\n", "</p><p>") + "</p></body></html>",
        encoding="utf-8",
    )

    r = run_cli("batch", "in", "-o", "out", "--jobs", "2", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # some failed
    for key in expect_errors:
        assert f"in/{key}" in r.stderr
    assert "failed" in r.stdout and "documents/s" in r.stdout

    monkeypatch.chdir(tmp_path)
    found = discover(["in"])  # as the command line named it
    rows = list(read_manifest(tmp_path / "out"))
    assert sorted(r["key"] for r in rows) == sorted(i.key for i in found)  # one row per input
    by_key = {r["key"]: r for r in rows}
    for key, words in expect_errors.items():
        row = by_key[key]
        assert row["status"] == "failed" and row["output"] is None
        assert words in row["error"].lower(), row
        assert row["error_type"] and row["parser_version"].startswith(planparse.__version__ + "+")
        assert row["path"] == f"in/{key}"
    ok = [i for i in found if not i.key.startswith("bad/")]
    assert len(ok) == 5 + (docx is not None) + 1
    for inp in ok:
        row = by_key[inp.key]
        assert row["status"] == "ok" and row["error"] is None and row["seconds"] > 0
        assert row["sha256"] == planparse.parse(inp.path).source.sha256
        assert row["size"] == os.path.getsize(inp.path)
        out = tmp_path / "out" / row["output"]
        assert row["output"] == f"json/{inp.key}.json"
        # the same JSON `planparse parse` prints, with the input named as it was given
        doc = planparse.parse(inp.path)
        doc.source.path = inp.display
        assert out.read_text(encoding="utf-8") == to_json(doc) + "\n"
    assert account(tmp_path / "out", found) == []

    tables = tmp_path / "out" / "tables"
    docs = list(iter_csv(tables / "documents.csv"))
    assert [d["key"] for d in docs] == [i.key for i in ok]  # input order, failures left out
    son_la = next(d for d in docs if d["key"] == f"a/{SMALL[0]}")
    assert son_la["place"] == "Sơn La" and son_la["document"] == f"in/a/{SMALL[0]}"
    for name, columns in TABLES.items():
        got = list(iter_csv(tables / f"{name}.csv"))
        assert list(got[0]) == list(columns)
    targets = list(iter_csv(tables / "targets.csv"))
    assert len(targets) == sum(len(planparse.parse(i.path).targets) for i in ok)
    sections = list(iter_csv(tables / "sections.csv"))
    first = sections[0]
    assert first["document"] == ok[0].display and first["depth"] == "0" and first["parent_id"] == ""
    refs = list(iter_csv(tables / "legal_references.csv"))
    assert any(r["full_number"] for r in refs)
    agencies = list(iter_csv(tables / "agencies.csv"))
    assert {a["role"] for a in agencies} & {"lead", "coordinate"}


def test_cli_usage_errors_exit_2_with_one_line(tmp_path):
    r = run_cli("batch", "missing-folder", "-o", "out", cwd=tmp_path)
    assert r.returncode == 2 and "missing-folder" in r.stderr and r.stderr.count("\n") == 1
    (tmp_path / "empty").mkdir()
    r = run_cli("batch", "empty", "-o", "out", cwd=tmp_path)
    assert r.returncode == 2 and "no supported files" in r.stderr
    r = run_cli("batch", "empty", "-o", "out", "--engine", "local", "--scheduler", "tcp://127.0.0.1:1", cwd=tmp_path)
    assert r.returncode == 2 and "--engine dask" in r.stderr


def test_a_second_batch_on_the_same_folder_is_refused(tmp_path):
    from planparse.batch import _Lock

    (tmp_path / "out").mkdir()
    lock = _Lock(str(tmp_path / "out"))
    try:
        with pytest.raises(InputError, match="another planparse batch"):
            run_batch(discover([CORPUS / SMALL[0]]), tmp_path / "out", jobs=1)
    finally:
        lock.release()


# --------------------------------------------------------------------------- identical outputs


def test_outputs_identical_across_jobs_and_formats(tmp_path):
    root = good_tree(tmp_path / "in")
    bad_files(root)
    found = discover([root])
    s1 = run_batch(found, tmp_path / "j1", jobs=1)
    s2 = run_batch(found, tmp_path / "j2", jobs=2, window=2)  # a tiny window: results arrive out of order
    assert (s1.ok, s1.failed, s2.ok, s2.failed) == (5, 4, 5, 4)
    assert outputs(tmp_path / "j1") == outputs(tmp_path / "j2")

    s3 = run_batch(found, tmp_path / "l", jobs=2, fmt="jsonl")
    assert s3.ok == 5 and account(tmp_path / "l", found, "jsonl") == []
    lines = (tmp_path / "l" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ok = [i for i in found if not i.key.startswith("bad/")]
    # JSONL: input order; each line is the compact form of the per-file JSON
    assert lines == [json.dumps(json.loads((tmp_path / "j1" / "json" / f"{i.key}.json").read_bytes()), ensure_ascii=False, separators=(",", ":")) for i in ok]
    for t in TABLES:
        assert (tmp_path / "l" / "tables" / f"{t}.csv").read_bytes() == (tmp_path / "j1" / "tables" / f"{t}.csv").read_bytes()


def test_dask_engine_gives_the_same_outputs_as_the_local_engine(tmp_path):
    require("distributed", "dask")
    pa = require("pyarrow", "parquet")
    import pyarrow.parquet as pq

    root = good_tree(tmp_path / "in")
    bad_files(root)
    found = discover([root])
    local = run_batch(found, tmp_path / "local", jobs=2, fmt="jsonl", tables="parquet")
    dask = run_batch(found, tmp_path / "dask", jobs=2, fmt="jsonl", tables="parquet", engine="dask")
    assert dask.engine == "dask" and dask.jobs == 2
    assert (dask.ok, dask.failed) == (local.ok, local.failed) == (5, 4)
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")  # JSONL, parts, Parquet tables: byte for byte
    assert account(tmp_path / "dask", found, "jsonl") == []
    last = latest_rows(tmp_path / "dask")
    assert {row["status"] for k, row in last.items() if k.startswith("bad/")} == {"failed"}
    # the Parquet tables hold what the CSV tables hold, with types
    csv_run = run_batch(found, tmp_path / "csv", jobs=2, tables="csv")
    assert csv_run.ok == 5
    for name, columns in TABLES.items():
        table = pq.read_table(tmp_path / "dask" / "tables" / f"{name}.parquet")
        assert table.column_names == list(columns)
        rows = list(iter_csv(tmp_path / "csv" / "tables" / f"{name}.csv"))
        assert table.num_rows == len(rows)
        col = list(columns)[1]  # an id or name column: the same values in the same order
        assert ["" if v is None else str(v) for v in table.column(col).to_pylist()] == [r[col] for r in rows]
    targets = pq.read_table(tmp_path / "dask" / "tables" / "targets.parquet")
    assert targets.schema.field("value").type == pa.float64() and targets.schema.field("deadline_year").type == pa.int64()


# --------------------------------------------------------------------------- resume


def big_tree(root: Path, copies: int) -> Path:
    for c in range(copies):
        d = root / f"box{c:02d}"
        d.mkdir(parents=True)
        for name in SMALL:
            shutil.copy(CORPUS / name, d / name)
    return root


def wait_for_rows(manifest: Path, n: int, proc, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if manifest.exists() and manifest.read_bytes().count(b"\n") >= n:
            return
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("no progress")


def no_live_process_in_group(pgid: int, timeout: float = 10) -> bool:
    """True once no process (zombies aside) is left in the process group (Linux /proc)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        live = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                live.append(stat.parent.name)
        if not live:
            return True
        time.sleep(0.1)
    return False


def test_resume_after_a_real_kill_9_accounts_for_every_input_exactly_once(tmp_path, monkeypatch):
    root = big_tree(tmp_path / "in", 15)  # 60 documents
    bad_files(root)
    monkeypatch.chdir(tmp_path)
    found = discover(["in"])  # as the command line names them
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "planparse", "batch", "in", "-o", "out", "--jobs", "1", "--format", "jsonl"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for_rows(out / "manifest.jsonl", 8, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    # killed in the middle: no JSONL or table at its final name, every stored output complete
    before = latest_rows(out)
    assert 8 <= len(before) < len(found)
    assert not (out / "documents.jsonl").exists() and not (out / "tables").exists()
    for part in (out / ".parts").rglob("*.json"):
        planparse.PlanDocument.model_validate_json(part.read_text(encoding="utf-8"))
    assert account(out, found, "jsonl")  # not finished yet
    assert no_live_process_in_group(proc.pid)  # the orphaned workers notice their parent is gone

    r = subprocess.run([*cmd, "--resume"], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr  # the bad files still fail
    assert account(out, found, "jsonl") == []
    rows = list(read_manifest(out))
    second = [row for row in rows if row["run"] == rows[-1]["run"]]
    assert sorted(row["key"] for row in second) == sorted(i.key for i in found)  # each input once in the rerun
    skipped = {row["key"] for row in second if row["status"] == "skipped"}
    done_before = {k for k, row in before.items() if row["status"] == "ok"}
    assert skipped == done_before  # done work was kept, not redone
    assert {row["status"] for row in second if row["key"].startswith("bad/")} == {"failed"}

    # the resumed batch equals an uninterrupted one
    clean = run_batch(found, tmp_path / "clean", jobs=2, fmt="jsonl")
    assert clean.ok == 60
    assert outputs(out) == outputs(tmp_path / "clean")


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path):
    root = big_tree(tmp_path / "in", 12)
    found = discover([root])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "planparse", "batch", "in", "-o", "out", "--jobs", "2"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_for_rows(out / "manifest.jsonl", 4, proc)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout and "--resume" in stdout
    assert "Traceback" not in stderr
    rows = list(read_manifest(out))
    assert rows and all(row["status"] == "ok" for row in rows)
    assert len({row["key"] for row in rows}) == len(rows)
    assert not (out / "tables").exists() and not (out / ".tmp").exists()
    for row in rows:  # what ran when Ctrl-C came was finished and recorded, not cut
        planparse.PlanDocument.model_validate_json((out / row["output"]).read_text(encoding="utf-8"))
    r = run_cli("batch", "in", "-o", "out", "--jobs", "2", "--resume", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert f"{len(rows)} skipped" in r.stdout
    assert account(out, found) == []


def test_resume_redoes_changed_files_missing_outputs_and_other_parser_versions(tmp_path):
    root = good_tree(tmp_path / "in")
    found = discover([root])
    out = tmp_path / "out"
    assert run_batch(found, out, jobs=2).ok == 5
    first = outputs(out)
    keys = [i.key for i in found]

    changed, deleted, versioned, broken, same = keys
    with open(root / changed, "a", encoding="utf-8") as fh:
        fh.write("\nMục tiêu: đến năm 2030 đạt 95% số xã.\n")
    (out / "json" / f"{deleted}.json").unlink()
    with open(out / "manifest.jsonl", "a", encoding="utf-8") as fh:  # as if done by an older parser
        row = latest_rows(out)[versioned]
        fh.write(json.dumps({**row, "parser_version": "0.0.1+old"}) + "\n")
    (root / broken).write_bytes(b"\x00\x00 binary now")

    s = run_batch(found, out, jobs=2, resume=True)
    assert (s.ok, s.skipped, s.failed) == (3, 1, 1)
    last = latest_rows(out)
    assert {k: last[k]["status"] for k in keys} == {changed: "ok", deleted: "ok", versioned: "ok", broken: "failed", same: "skipped"}
    assert not (out / "json" / f"{broken}.json").exists()  # outputs match the manifest
    assert account(out, found) == []
    now = outputs(out)
    assert now[f"json/{same}.json"] == first[f"json/{same}.json"]
    assert now[f"json/{deleted}.json"] == first[f"json/{deleted}.json"]
    assert now[f"json/{changed}.json"] != first[f"json/{changed}.json"]
    docs = [d["key"] for d in iter_csv(out / "tables" / "documents.csv")]
    assert docs == [changed, deleted, versioned, same]  # the skipped one's rows come from its stored output


def test_manifest_row_cut_by_a_kill_is_ignored_and_the_next_row_starts_a_new_line(tmp_path):
    found = discover([CORPUS / SMALL[0], CORPUS / SMALL[1]])
    out = tmp_path / "out"
    run_batch(found, out, jobs=1, tables="none")
    with open(out / "manifest.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"path": "x", "key": "' + found[0].key + '", "status": "fai')
    assert latest_rows(out)[found[0].key]["status"] == "ok"
    s = run_batch(found, out, jobs=1, tables="none", resume=True)
    assert s.skipped == 2
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and all(json.loads(line) for line in lines[3:])


# --------------------------------------------------------------------------- a worker that dies


def crash_on_marker(task):
    """A worker function that dies like a segfault on inputs named *crash*, else the real convert."""
    if "crash" in task.input.key:
        os._exit(139)
    return convert(task)


def test_a_worker_process_that_dies_fails_only_its_own_input(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / name, d / name)
    shutil.copy(CORPUS / SMALL[0], d / "crash.md")
    found = discover([d])
    s = run_batch(found, tmp_path / "out", jobs=2, worker=crash_on_marker)
    assert (s.ok, s.failed) == (4, 1)
    last = latest_rows(tmp_path / "out")
    assert last["crash.md"]["status"] == "failed" and "worker process died" in last["crash.md"]["error"]
    assert account(tmp_path / "out", found) == []


def test_convert_is_a_pure_function_of_the_task(tmp_path):
    inp = discover([CORPUS / SMALL[0]])[0]
    from planparse.batch import Task

    a = convert(Task(inp, "jsonl"))
    b = convert(Task(inp, "jsonl"))
    assert a.status == "ok" and a.content == b.content and a.rows == b.rows
    doc = planparse.parse(inp.path)
    doc.source.path = inp.display
    assert a.content == to_jsonl_line(doc) + "\n"
    skip = convert(Task(inp, "jsonl", known_sha256=a.sha256, known_version=a.parser_version))
    assert convert(Task(inp, "jsonl", known_sha256=a.sha256, known_version="0.0.1+older")).status == "ok"
    assert skip.status == "skipped" and skip.content is None
    missing = convert(Task(Input(str(tmp_path / "gone.txt"), "gone.txt", "gone.txt")))
    assert missing.status == "failed" and missing.error == "no such file" and missing.sha256 is None
    assert list(tmp_path.iterdir()) == []  # nothing written
