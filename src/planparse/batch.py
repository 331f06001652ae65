"""Batch conversion: many plan files → one JSON per input (or one JSONL), flat tables, a manifest.

Layout of OUTDIR::

    manifest.jsonl          one row per input and attempt (append-only; the latest row per input is final)
    json/<key>.json         --format json: the document, as `planparse parse` prints it
    documents.jsonl         --format jsonl: one line per parsed input, in input order
    .parts/<key>.json       --format jsonl: the same line per input, kept so --resume can rebuild the JSONL
    tables/<table>.csv      documents, targets, legal_references, agencies, sections (or .parquet)

``key`` is the input's path relative to the deepest folder holding every input (one folder given:
relative to it), so files with the same name in different folders never collide, and the output
name keeps the extension (``a.txt`` and ``a.md`` give ``a.txt.json`` and ``a.md.json``).

Safety: every output is written to ``OUTDIR/.tmp`` and renamed into place, so a file at its final
name is complete; manifest rows are appended and flushed one by one, after the output they name is
in place; JSONL and tables are renamed into place only when the whole batch has gone through, so
after an interruption they are absent (or the previous complete ones), never half-written.
``--resume`` skips an input whose latest row is ok/skipped with the same sha256 and parser version
and whose output is still there, and rebuilds JSONL and tables from the stored outputs.

Both engines call the same function, ``convert(task) -> Result``: it reads one input and returns
the output text and table rows, writing nothing. Only the parent writes, one result at a time, so
memory in the parent is bounded by the window of tasks in flight, not by the number of documents.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from .errors import InputError, PlanParseError

MANIFEST = "manifest.jsonl"
JSONL_NAME = "documents.jsonl"
JSON_DIR = "json"
PARTS_DIR = ".parts"
TMP_DIR = ".tmp"
TABLES_DIR = "tables"
LOCK_NAME = ".lock"

FORMATS = ("json", "jsonl")
TABLE_KINDS = ("csv", "parquet", "none")
ENGINES = ("local", "dask")

# Modules that do not change what a parse produces (left out of the parser fingerprint).
_NOT_PARSER = {"batch.py", "batch_tables.py", "batch_cli.py", "cli.py", "__main__.py", "evaluate.py"}


@functools.lru_cache(maxsize=None)
def parser_version() -> str:
    """``<package version>+<fingerprint>``: a hash of the parser's code and vocabularies.

    Resume compares it, so a changed parser (even within one release) re-parses everything.
    """
    from . import __version__

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.suffix not in {".py", ".json"} or "__pycache__" in p.parts or not p.is_file():
            continue
        rel = p.relative_to(root).as_posix()
        if rel in _NOT_PARSER or rel.startswith("search"):
            continue
        h.update(rel.encode() + b"\0" + p.read_bytes() + b"\0")
    return f"{__version__}+{h.hexdigest()[:12]}"


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Input:
    path: str  # absolute, what the worker opens
    display: str  # as the user named it; goes into source.path, the manifest and the tables
    key: str  # mirrored relative path (POSIX separators); names the outputs


def _skip_name(name: str) -> bool:
    # hidden files/folders, editor backups and Office lock files ("~$plan.docx")
    return name.startswith((".", "~$")) or name.endswith("~")


def discover(paths: Iterable[str | os.PathLike], *, exclude: Iterable[str | os.PathLike] = ()) -> list[Input]:
    """Every input file under ``paths``, in a deterministic order.

    A folder is walked recursively for files whose extension a reader handles
    (``ingest.supported_extensions()``, extension-less files excluded), files of a folder in name
    order before its sub-folders in name order, skipping hidden entries, ``~$`` lock files and the
    ``exclude`` folders (the output folder). A file named on the command line is taken as it is,
    whatever its extension (an unsupported one fails with a clear error in the manifest). The same
    file reached twice counts once. Raises ``InputError`` for a path that does not exist.
    """
    from .ingest import supported_extensions

    exts = {e for e in supported_extensions() if e}
    excluded = {os.path.realpath(p) for p in exclude}
    found: list[tuple[str, str]] = []  # (absolute, display)
    roots: list[str] = []
    seen: set[str] = set()

    def add(ab: str, display: str) -> None:
        real = os.path.realpath(ab)
        if real not in seen:
            seen.add(real)
            found.append((ab, display))

    for raw in paths:
        given = os.fspath(raw)
        ab = os.path.abspath(given)
        if os.path.isdir(ab):
            roots.append(ab)
            for dirpath, dirnames, filenames in os.walk(ab):
                dirnames[:] = sorted(
                    d for d in dirnames if not _skip_name(d) and os.path.realpath(os.path.join(dirpath, d)) not in excluded
                )
                rel_dir = os.path.relpath(dirpath, ab)
                for name in sorted(filenames):
                    if _skip_name(name) or os.path.splitext(name)[1].lower() not in exts:
                        continue
                    add(os.path.join(dirpath, name), os.path.normpath(os.path.join(given, rel_dir, name)))
        elif os.path.exists(ab):
            roots.append(os.path.dirname(ab))
            add(ab, given)
        else:
            raise InputError("no such file or folder", given)
    if not found:
        return []
    base = os.path.commonpath(roots)
    return [Input(ab, display, os.path.relpath(ab, base).replace(os.sep, "/")) for ab, display in found]


def output_rel(key: str, fmt: str) -> str:
    """Where one input's document goes, relative to OUTDIR."""
    return f"{JSON_DIR}/{key}.json" if fmt == "json" else f"{PARTS_DIR}/{key}.json"


# --------------------------------------------------------------------------- the per-file function


@dataclass(frozen=True)
class Task:
    input: Input
    fmt: str = "json"
    tables: bool = True
    known_sha256: Optional[str] = None  # resume: skip when the file still hashes to this …
    known_version: Optional[str] = None  # … and this worker's parser_version() is the one that made the output
    max_bytes: Optional[int] = None
    time_limit: Optional[float] = None


@dataclass
class Result:
    key: str
    status: str  # "ok" | "failed" | "skipped"
    sha256: Optional[str]
    size: Optional[int]
    seconds: float
    parser_version: str
    error: Optional[str] = None
    error_type: Optional[str] = None
    content: Optional[str] = None  # the output file's text (json: indented JSON; jsonl: one line), with "\n"
    rows: Optional[dict] = None  # table name → list of row tuples


def _hash_file(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def render(doc, fmt: str) -> str:
    from .emit import to_json, to_jsonl_line

    return (to_json(doc) if fmt == "json" else to_jsonl_line(doc)) + "\n"


def convert(task: Task) -> Result:
    """Parse one input: the output text and table rows, or the error. Reads the input, writes nothing.

    The same function runs in a local worker process and on a dask worker. Any exception, not only
    a ``PlanParseError``, becomes a failed result, so one bad file never stops a batch.
    """
    t0 = time.perf_counter()
    inp = task.input
    version = parser_version()
    try:
        if task.known_sha256 and task.known_version == version:
            sha, size = _hash_file(inp.path)
            if sha == task.known_sha256:
                return Result(inp.key, "skipped", sha, size, time.perf_counter() - t0, version)
        from .batch_tables import doc_rows
        from .pipeline import parse

        doc = parse(Path(inp.path), max_bytes=task.max_bytes, time_limit=task.time_limit)
        doc.source.path = inp.display
        content = render(doc, task.fmt)
        rows = doc_rows(doc, inp.key) if task.tables else None
        return Result(inp.key, "ok", doc.source.sha256, doc.source.size, time.perf_counter() - t0, version, content=content, rows=rows)
    except PlanParseError as exc:
        error, error_type = exc.reason, type(exc).__name__
    except Exception as exc:  # a parser bug or a resource error: recorded, the batch goes on
        error, error_type = f"internal error: {type(exc).__name__}: {exc}"[:2000], type(exc).__name__
    try:
        sha, size = _hash_file(inp.path)
    except OSError:
        sha, size = None, None
    return Result(inp.key, "failed", sha, size, time.perf_counter() - t0, version, error=error, error_type=error_type)


# --------------------------------------------------------------------------- manifest


def read_manifest(outdir: str | os.PathLike) -> Iterator[dict]:
    """Rows of ``OUTDIR/manifest.jsonl``; a line cut short by a kill is ignored."""
    path = os.path.join(outdir, MANIFEST)
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break  # the tail of a row being written when the process died
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and "key" in row:
                yield row


def latest_rows(outdir: str | os.PathLike) -> dict[str, dict]:
    """The final (latest) manifest row of every input key."""
    latest: dict[str, dict] = {}
    for row in read_manifest(outdir):
        latest[row["key"]] = row
    return latest


def _resume_index(outdir: str) -> dict[str, tuple[str, str]]:
    """key → (sha256, parser version) of the inputs whose latest row is ok/skipped.

    The worker compares the version with its own (on a cluster, the workers' code is what counts).
    """
    done: dict[str, tuple[str, str]] = {}
    for row in read_manifest(outdir):
        if row.get("status") in ("ok", "skipped") and row.get("sha256") and row.get("parser_version"):
            done[row["key"]] = (row["sha256"], row["parser_version"])
        else:
            done.pop(row["key"], None)
    return done


class _Manifest:
    def __init__(self, path: str):
        needs_newline = False
        if os.path.exists(path) and os.path.getsize(path):
            with open(path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                needs_newline = fh.read(1) != b"\n"
        self._fh = open(path, "a", encoding="utf-8")
        if needs_newline:  # a row cut short by a kill: end it so the next row stands on its own line
            self._fh.write("\n")

    def write(self, row: dict) -> None:
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()


# --------------------------------------------------------------------------- engines


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the batch process is gone (killed with -9, it cannot tell us)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def watch():
        while True:
            time.sleep(0.5)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(3)
            except PermissionError:  # pragma: no cover - pid reused by another user's process
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="planparse-parent-watch").start()


class WorkerCrash(Exception):
    """A local worker process died (crash, out of memory, killed)."""


class LocalEngine:
    """Worker processes on this machine (``concurrent.futures.ProcessPoolExecutor``)."""

    name = "local"

    def __init__(self, jobs: int, fn: Callable[[Task], Result] = convert):
        self.jobs = max(1, jobs)
        self.slots = self.jobs
        self._fn = fn
        self._futures: dict = {}
        self._start()

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["planparse.batch"])
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx, initializer=_watch_parent, initargs=(os.getpid(),))

    def submit(self, token: int, task: Task) -> None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            fut = self._pool.submit(self._fn, task)
        except BrokenProcessPool as exc:
            from concurrent.futures import Future

            fut = Future()
            fut.set_exception(exc)
        self._futures[fut] = token

    def poll(self, timeout: float) -> list[tuple[int, object]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        if not self._futures:
            return []
        done, _ = wait(list(self._futures), timeout=timeout, return_when=FIRST_COMPLETED)
        out = []
        for fut in done:
            token = self._futures.pop(fut)
            if fut.cancelled():
                from concurrent.futures import CancelledError

                out.append((token, CancelledError()))
                continue
            exc = fut.exception()
            if isinstance(exc, BrokenProcessPool):
                exc = WorkerCrash(str(exc))
            out.append((token, exc if exc is not None else fut.result()))
        return out

    def restart(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()
        self._start()

    def cancel_pending(self) -> None:
        for fut in self._futures:
            fut.cancel()  # only those not yet running

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._futures.clear()

    def kill(self) -> None:
        """Stop at once: kill the workers without waiting for their tasks."""
        pool = self._pool
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except Exception:  # pragma: no cover - already gone
                pass
        # A worker killed while sending a result leaves the pool's reader waiting for the rest of
        # the message; closing our end of the result pipe turns that into EOF, so the pool's
        # manager thread ends and the interpreter can exit.
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            try:
                writer.close()
            except OSError:  # pragma: no cover
                pass
        pool.shutdown(wait=False, cancel_futures=True)
        self._futures.clear()


class DaskEngine:
    """The same tasks on ``dask.distributed``: a scheduler at ``scheduler``, or a LocalCluster.

    Workers must be able to import planparse and read the input paths (a shared file system);
    only the parent writes outputs, so OUTDIR needs to exist on the client machine alone.
    ``--time-limit`` is not enforced here (dask runs tasks in worker threads, where the POSIX
    timer cannot interrupt them); dask's own worker restarts handle crashed workers.
    """

    name = "dask"

    def __init__(self, jobs: Optional[int] = None, scheduler: Optional[str] = None, fn: Callable[[Task], Result] = convert):
        import logging

        from distributed import Client, LocalCluster

        self._fn = fn
        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        else:
            self._cluster = LocalCluster(
                n_workers=max(1, jobs or 1), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        self.slots = max(1, sum(self._client.nthreads().values()) or (jobs or 1))
        self.jobs = self.slots
        self._futures: dict = {}  # key → (future, token)
        import queue

        self._done: queue.Queue = queue.Queue()

    def submit(self, token: int, task: Task) -> None:
        fut = self._client.submit(self._fn, task, pure=False, key=f"planparse-convert-{uuid.uuid4().hex}")
        self._futures[fut.key] = (fut, token)
        fut.add_done_callback(self._done.put)  # called from the client's thread; poll reads the queue

    def poll(self, timeout: float) -> list[tuple[int, object]]:
        import queue

        try:
            done = [self._done.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                break
        out = []
        finished = [f for f in done if f.status == "finished"]
        try:  # one round trip for the whole batch
            gathered = dict(zip([f.key for f in finished], self._client.gather(finished))) if finished else {}
        except Exception:
            gathered = {}
        for fut in done:
            _, token = self._futures.pop(fut.key)
            if fut.key in gathered:
                out.append((token, gathered.pop(fut.key)))
                continue
            try:
                out.append((token, fut.result()))
            except BaseException as exc:  # the task's error, a lost worker (KilledWorker), cancelled
                out.append((token, exc))
        return out

    def restart(self) -> None:  # pragma: no cover - dask restarts its own workers
        pass

    def cancel_pending(self) -> None:
        if self._futures:
            self._client.cancel([f for f, _ in self._futures.values()])

    def close(self) -> None:
        self._futures.clear()
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def kill(self) -> None:
        self.cancel_pending()
        self.close()


def make_engine(engine: str, jobs: int, scheduler: Optional[str] = None, fn: Callable[[Task], Result] = convert):
    if engine == "local":
        return LocalEngine(jobs, fn)
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise InputError(f"--engine dask needs dask.distributed: pip install 'planparse[dask]' ({exc})") from None
        return DaskEngine(jobs, scheduler, fn)
    raise InputError(f"unknown engine {engine!r} (use local or dask)")


# --------------------------------------------------------------------------- the batch


@dataclass
class Summary:
    outdir: str
    total: int = 0
    ok: int = 0
    skipped: int = 0
    failed: int = 0
    bytes: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    engine: str = "local"
    jobs: int = 1
    failures: list = field(default_factory=list)  # (display, error), the first 50
    outputs: list = field(default_factory=list)  # JSONL and table files written

    @property
    def done(self) -> int:
        return self.ok + self.skipped + self.failed


class _Lock:
    """An exclusive lock on OUTDIR (released by the kernel if the process dies)."""

    def __init__(self, outdir: str):
        self._fh = open(os.path.join(outdir, LOCK_NAME), "a+")
        try:
            import fcntl

            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        except OSError:
            self._fh.close()
            raise InputError("another planparse batch is writing to this folder", outdir) from None

    def release(self) -> None:
        self._fh.close()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def run_batch(
    inputs: list[Input],
    outdir: str | os.PathLike,
    *,
    fmt: str = "json",
    tables: str = "csv",
    jobs: Optional[int] = None,
    engine: str = "local",
    scheduler: Optional[str] = None,
    resume: bool = False,
    max_bytes: Optional[int] = None,
    time_limit: Optional[float] = None,
    on_result: Optional[Callable[[Input, Result], None]] = None,
    on_start: Optional[Callable[[int, int], None]] = None,
    worker: Callable[[Task], Result] = convert,
    window: Optional[int] = None,
) -> Summary:
    """Convert ``inputs`` into ``outdir``; see the module docstring. Never raises for a bad input file.

    ``on_start(total, jobs)`` and ``on_result(input, result)`` (called in input-completion order)
    drive a progress display. On ``KeyboardInterrupt`` the workers are stopped, every finished
    input is already in the manifest and its output in place, JSONL and tables are not written,
    and the summary comes back with ``interrupted=True``.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (use json or jsonl)")
    if tables not in TABLE_KINDS:
        raise InputError(f"unknown table format {tables!r} (use csv, parquet or none)")
    if tables == "parquet":
        from .batch_tables import parquet_available

        reason = parquet_available()
        if reason:
            raise InputError(reason)
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    lock = _Lock(outdir)
    tmp_dir = os.path.join(outdir, TMP_DIR)
    try:
        shutil.rmtree(tmp_dir, ignore_errors=True)  # leftovers of a killed run
        os.makedirs(tmp_dir)
        return _Run(inputs, outdir, tmp_dir, fmt, tables, resume, max_bytes, time_limit, on_result).run(
            lambda n: make_engine(engine, n, scheduler, worker), jobs or _cpu_count(), on_start, window
        )
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        lock.release()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _StopSignals:
    """Within ``with``: SIGINT/SIGTERM ask for a stop (``count``) instead of raising mid-write.

    A third signal raises ``KeyboardInterrupt``. Installed only in the main thread; a SIGINT that
    was ignored (a background job) stays ignored.
    """

    def __init__(self):
        self.count = 0
        self._previous: dict = {}

    def _handler(self, signum, frame):
        self.count += 1
        if self.count >= 3:
            raise KeyboardInterrupt

    def __enter__(self):
        import signal

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous = signal.getsignal(sig)
                if previous is signal.SIG_IGN:
                    continue
                self._previous[sig] = previous
                signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc):
        import signal

        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        return False


class _Run:
    def __init__(self, inputs, outdir, tmp_dir, fmt, tables, resume, max_bytes, time_limit, on_result):
        self.inputs = inputs
        self.outdir = outdir
        self.tmp_dir = tmp_dir
        self.fmt = fmt
        self.tables = tables
        self.want_rows = tables != "none"
        self.max_bytes = max_bytes
        self.time_limit = time_limit
        self.on_result = on_result
        self.run_id = uuid.uuid4().hex[:12]
        self.version = parser_version()
        self.done = _resume_index(outdir) if resume else {}

    # -- helpers

    def _known(self, inp: Input) -> tuple[Optional[str], Optional[str]]:
        done = self.done.get(inp.key)
        if done is None or not os.path.exists(os.path.join(self.outdir, output_rel(inp.key, self.fmt))):
            return None, None
        return done

    def _task(self, idx: int, known: bool = True) -> Task:
        inp = self.inputs[idx]
        sha, version = self._known(inp) if known else (None, None)
        return Task(inp, self.fmt, self.want_rows, sha, version, self.max_bytes, self.time_limit)

    def _write(self, rel: str, content: str) -> None:
        final = os.path.join(self.outdir, rel)
        tmp = os.path.join(self.tmp_dir, uuid.uuid4().hex)
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(tmp, final)

    def _load_stored(self, inp: Input, res: Result) -> bool:
        """For a skipped input, the JSONL line and table rows from its stored output; False if unusable."""
        if self.fmt == "json" and not self.want_rows:
            return True
        from .batch_tables import doc_rows
        from .models import PlanDocument

        try:
            with open(os.path.join(self.outdir, output_rel(inp.key, self.fmt)), encoding="utf-8") as fh:
                text = fh.read()
            doc = PlanDocument.model_validate_json(text)
        except (OSError, ValueError):
            return False
        if doc.source.sha256 != res.sha256:
            return False
        if self.fmt == "jsonl":
            res.content = text if text.endswith("\n") else text + "\n"
        if self.want_rows:
            res.rows = doc_rows(doc, inp.key)
        return True

    # -- the loop

    def run(self, make, jobs, on_start, window) -> Summary:
        from .batch_tables import TableWriters

        n = len(self.inputs)
        self.summary = summary = Summary(self.outdir, total=n)
        t0 = time.perf_counter()
        self.manifest = _Manifest(os.path.join(self.outdir, MANIFEST))
        writers = TableWriters(os.path.join(self.outdir, TABLES_DIR), self.tmp_dir, self.tables) if self.want_rows else None
        jsonl = open(os.path.join(self.tmp_dir, JSONL_NAME), "w", encoding="utf-8") if self.fmt == "jsonl" else None
        engine = None
        self.buffered: dict[int, Result] = {}
        self.retry: deque[int] = deque()  # skipped, but the stored output is unusable: parse it
        self.isolate: deque[int] = deque()  # in flight when a worker died: run one at a time to find the culprit
        self.in_flight: set[int] = set()
        self.alone: Optional[int] = None
        self.restart = False
        next_submit = next_emit = 0
        stop = _StopSignals()
        try:
            with stop:
                engine = make(jobs)
                summary.engine, summary.jobs = engine.name, engine.jobs
                if on_start:
                    on_start(n, engine.jobs)
                limit = window or max(16, 4 * engine.slots)
                while next_emit < n and not stop.count:
                    if not self.restart:
                        if self.isolate or self.alone is not None:
                            if not self.in_flight and self.isolate:
                                self.alone = self.isolate.popleft()
                                self._submit(engine, self.alone)
                        else:
                            while self.retry and len(self.in_flight) + len(self.buffered) < limit:
                                self._submit(engine, self.retry.popleft(), known=False)
                            while next_submit < n and len(self.in_flight) + len(self.buffered) < limit:
                                self._submit(engine, next_submit)
                                next_submit += 1
                    self._collect(engine)
                    if self.restart and not self.in_flight:
                        engine.restart()
                        self.restart = False
                        self.isolate = deque(sorted(self.isolate))
                    while next_emit in self.buffered:
                        res = self.buffered.pop(next_emit)
                        if res.status != "failed":
                            if jsonl is not None:
                                jsonl.write(res.content)
                            if writers is not None:
                                writers.write(res.rows)
                        next_emit += 1
                if stop.count:
                    # Ctrl-C / SIGTERM: nothing new starts; what is already running finishes and is
                    # recorded (a second signal stops at once). JSONL and tables are not written.
                    summary.interrupted = True
                    engine.cancel_pending()
                    while self.in_flight and stop.count < 2:
                        self._collect(engine, draining=True)
                    if self.in_flight:
                        engine.kill()
                    else:
                        engine.close()
                    engine = None
        except BaseException as exc:
            summary.interrupted = True
            if engine is not None:
                engine.kill()
                engine = None
            if not isinstance(exc, KeyboardInterrupt):
                self._abort(writers, jsonl, t0)
                raise
        if summary.interrupted:
            self._abort(writers, jsonl, t0)
            return summary
        engine.close()
        if jsonl is not None:
            jsonl.flush()
            os.fsync(jsonl.fileno())
            jsonl.close()
            final = os.path.join(self.outdir, JSONL_NAME)
            os.replace(os.path.join(self.tmp_dir, JSONL_NAME), final)
            summary.outputs.append(final)
        if writers is not None:
            summary.outputs.extend(writers.commit())
        self.manifest.close()
        summary.seconds = time.perf_counter() - t0
        return summary

    def _abort(self, writers, jsonl, t0) -> None:
        if writers is not None:
            writers.abort()
        if jsonl is not None:
            jsonl.close()
        self.manifest.close()
        self.summary.seconds = time.perf_counter() - t0

    def _submit(self, engine, idx: int, known: bool = True) -> None:
        engine.submit(idx, self._task(idx, known))
        self.in_flight.add(idx)

    def _collect(self, engine, draining: bool = False) -> None:
        """Settle what finished: write outputs and manifest rows, buffer for the in-order writers."""
        for idx, res in engine.poll(0.2):
            self.in_flight.discard(idx)
            inp = self.inputs[idx]
            if draining and not isinstance(res, Result):
                continue  # cancelled or lost on the way out: not attempted, so not recorded
            if isinstance(res, WorkerCrash):
                self.restart = True
                if self.alone != idx:
                    self.isolate.append(idx)
                    continue
                res = Result(inp.key, "failed", None, None, 0.0, self.version,
                             error="the worker process died while parsing this file (crash or out of memory)",
                             error_type="WorkerCrash")
            elif isinstance(res, BaseException):
                res = Result(inp.key, "failed", None, None, 0.0, self.version,
                             error=f"worker error: {type(res).__name__}: {res}"[:2000], error_type=type(res).__name__)
            if self.alone == idx:
                self.alone = None
            if res.status == "skipped" and not self._load_stored(inp, res):
                if not draining:
                    self.retry.append(idx)
                continue
            self._settle(inp, res, self.manifest, self.summary)
            self.buffered[idx] = res

    def _settle(self, inp: Input, res: Result, manifest: _Manifest, summary: Summary) -> None:
        """Write one finished input's output, then its manifest row."""
        rel = output_rel(inp.key, self.fmt)
        if res.status == "ok":
            self._write(rel, res.content)
            if self.fmt == "json":
                res.content = None  # written; nothing to keep for the JSONL
        elif res.status == "failed":
            rel = None
            stale = os.path.join(self.outdir, output_rel(inp.key, self.fmt))
            if os.path.exists(stale):  # an older output of a file that now fails: outputs match the manifest
                os.unlink(stale)
        manifest.write({
            "path": inp.display, "key": inp.key, "sha256": res.sha256, "size": res.size, "status": res.status,
            "error": res.error, "error_type": res.error_type, "output": rel, "parser_version": res.parser_version,
            "seconds": round(res.seconds, 4), "run": self.run_id, "time": _now(),
        })
        if res.status == "ok":
            summary.ok += 1
        elif res.status == "skipped":
            summary.skipped += 1
        else:
            summary.failed += 1
            if len(summary.failures) < 50:
                summary.failures.append((inp.display, res.error))
        summary.bytes += res.size or 0
        if self.on_result:
            self.on_result(inp, res)


# --------------------------------------------------------------------------- checking an OUTDIR


def account(outdir: str | os.PathLike, inputs: list[Input], fmt: str = "json") -> list[str]:
    """Problems with OUTDIR against ``inputs`` (empty when every input is accounted for exactly once).

    The latest manifest row of each input is final: ok/skipped with its output in place, complete,
    and of the same file (sha256), or failed with no output; the JSONL (if any) has one line per
    such output, in input order; no output belongs to an input outside ``inputs``.
    """
    from .models import PlanDocument

    outdir = os.path.abspath(outdir)
    latest = latest_rows(outdir)
    problems = []
    good = []
    for inp in inputs:
        row = latest.get(inp.key)
        path = os.path.join(outdir, output_rel(inp.key, fmt))
        if row is None:
            problems.append(f"{inp.display}: no manifest row")
            continue
        if row["status"] == "failed":
            if os.path.exists(path):
                problems.append(f"{inp.display}: failed but an output exists")
            continue
        try:
            doc = PlanDocument.model_validate_json(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{inp.display}: output missing or unreadable ({type(exc).__name__})")
            continue
        if doc.source.sha256 != row["sha256"]:
            problems.append(f"{inp.display}: output is of another version of the file")
        good.append(doc.source.sha256)
    sub = JSON_DIR if fmt == "json" else PARTS_DIR
    expected = {output_rel(i.key, fmt) for i in inputs}
    for dirpath, _, files in os.walk(os.path.join(outdir, sub)):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), outdir).replace(os.sep, "/")
            if rel not in expected:
                problems.append(f"{rel}: output of no input")
    if fmt == "jsonl":
        try:
            with open(os.path.join(outdir, JSONL_NAME), encoding="utf-8") as fh:
                shas = [json.loads(line)["source"]["sha256"] for line in fh]
        except (OSError, ValueError, KeyError) as exc:
            problems.append(f"{JSONL_NAME}: missing or unreadable ({type(exc).__name__})")
        else:
            if shas != good:
                problems.append(f"{JSONL_NAME}: lines do not match the ok inputs in input order")
    return problems
