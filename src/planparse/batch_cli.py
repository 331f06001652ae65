"""``planparse batch``: convert folders of plans in parallel (see ``planparse.batch``).

Heavy imports (rich, the pipeline, dask) happen inside the command, so ``planparse --help`` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer


class OutFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"


class TableFormat(str, Enum):
    csv = "csv"
    parquet = "parquet"
    none = "none"


class EngineName(str, Enum):
    local = "local"
    dask = "dask"


def register(app: typer.Typer) -> None:
    app.command(name="batch")(batch)


def batch(
    inputs: List[Path] = typer.Argument(..., help="Files and folders (folders are walked for every supported format)."),
    outdir: Path = typer.Option(..., "-o", "--outdir", help="Output folder (JSON, tables, manifest.jsonl)."),
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1, help="Worker processes (default: the CPUs of this machine; dask: LocalCluster workers)."),
    fmt: OutFormat = typer.Option(OutFormat.json, "--format", help="json: one file per input under OUTDIR/json/; jsonl: OUTDIR/documents.jsonl."),
    tables: TableFormat = typer.Option(TableFormat.csv, "--tables", help="Flat tables under OUTDIR/tables/ (parquet needs planparse[parquet])."),
    resume: bool = typer.Option(False, "--resume", help="Skip inputs already done with the same sha256 and parser version."),
    engine: Optional[EngineName] = typer.Option(None, "--engine", help="local processes, or dask.distributed (default: dask when --scheduler is given, else local)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Refuse inputs larger than this (default 50 MB)."),
    time_limit: float = typer.Option(600.0, "--time-limit", help="Give up on one input after this many seconds (0: no limit; local engine only)."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar (default: when stderr is a terminal)."),
) -> None:
    """Convert many plans in parallel: JSON or JSONL, flat tables, a manifest; resumable.

    Exit code 0 when every input converted, 1 when some failed (listed in OUTDIR/manifest.jsonl),
    2 for a usage error, 130 when interrupted (rerun with --resume to finish).
    """
    from .batch import discover, run_batch
    from .errors import PlanParseError

    engine_name = (engine.value if engine else ("dask" if scheduler else "local"))
    if scheduler and engine_name != "dask":
        _fail("--scheduler needs --engine dask")

    try:
        found = discover(inputs, exclude=[outdir])
        if not found:
            _fail(f"no supported files found in {', '.join(map(str, inputs))}")
        bar = _Progress(enabled=progress)
        with bar:
            summary = run_batch(
                found, outdir, fmt=fmt.value, tables=tables.value, jobs=jobs, engine=engine_name, scheduler=scheduler,
                resume=resume, max_bytes=max_bytes, time_limit=time_limit or None,
                on_start=bar.start, on_result=bar.advance,
            )
    except PlanParseError as exc:
        _fail(str(exc))
    _print_summary(summary, fmt.value)
    if summary.interrupted:
        raise typer.Exit(code=130)
    if summary.failed:
        raise typer.Exit(code=1)


def _fail(message: str) -> None:
    typer.echo(f"planparse: error: {message}", err=True)
    raise typer.Exit(code=2)


class _Progress:
    """A rich progress bar on stderr: files, MB/s, ETA, failures so far."""

    def __init__(self, enabled: Optional[bool]):
        self._task = None
        self._bytes = 0
        self._failed = 0
        self._t0 = 0.0
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        except ImportError:  # typer without rich (typer-slim): no bar, the summary still prints
            self._progress = None
            return
        console = Console(stderr=True)
        self.enabled = console.is_terminal if enabled is None else enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not self.enabled,
            refresh_per_second=4,
        )

    def __enter__(self):
        if self._progress is not None:
            self._progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            return self._progress.__exit__(*exc)
        return None

    def start(self, total: int, jobs: int) -> None:
        import time

        self._t0 = time.perf_counter()
        if self._progress is None:
            return
        self._task = self._progress.add_task(f"parsing ({jobs} workers)", total=total, rate="", failed=0)

    def advance(self, inp, result) -> None:
        import time

        if self._progress is None:
            return
        self._bytes += result.size or 0
        self._failed += result.status == "failed"
        elapsed = max(time.perf_counter() - self._t0, 1e-9)
        self._progress.update(self._task, advance=1, rate=f"{self._bytes / elapsed / 1e6:.2f} MB/s", failed=self._failed)


def _print_summary(s, fmt: str) -> None:
    rate = s.done / s.seconds if s.seconds else 0.0
    mbs = s.bytes / s.seconds / 1e6 if s.seconds else 0.0
    head = "interrupted" if s.interrupted else "done"
    typer.echo(
        f"planparse batch {head}: {s.done} of {s.total} inputs — {s.ok} ok, {s.skipped} skipped, {s.failed} failed "
        f"in {s.seconds:.1f} s ({rate:.1f} documents/s, {mbs:.2f} MB/s; {s.engine} engine, {s.jobs} workers)"
    )
    where = f"{s.outdir}/json/" if fmt == "json" else f"{s.outdir}/documents.jsonl"
    if s.interrupted:
        typer.echo(f"finished inputs are in {s.outdir}/manifest.jsonl; rerun with --resume to finish (JSONL and tables are written at the end)")
    else:
        typer.echo(f"documents: {where}")
        tables = [o for o in s.outputs if "/tables/" in o.replace("\\", "/")]
        if tables:
            typer.echo(f"tables: {', '.join(tables)}")
        typer.echo(f"manifest: {s.outdir}/manifest.jsonl")
    if s.failures:
        typer.echo("failed:", err=True)
        for display, error in s.failures[:20]:
            typer.echo(f"  {display}: {error}", err=True)
        if s.failed > 20:
            typer.echo(f"  … and {s.failed - 20} more (status \"failed\" in the manifest)", err=True)
    sys.stdout.flush()
