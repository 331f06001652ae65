"""``planparse index | search | serve``: the search commands (planparse.search), added to the CLI.

Heavy imports (the index backends, FastAPI, uvicorn, psycopg) happen inside the commands, so
``planparse --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from .errors import PlanParseError

DEFAULT_DB = "plans.db"
DB_HELP = "Index: an SQLite file (default plans.db, or $PLANPARSE_DB) or a postgresql:// URL."


def _fail(message: str) -> None:
    typer.echo(f"planparse: error: {message}", err=True)
    raise typer.Exit(code=2)


def _db(db: Optional[str]) -> str:
    return db or os.environ.get("PLANPARSE_DB") or DEFAULT_DB


def register(app: typer.Typer) -> None:
    app.command(name="index")(index)
    app.command(name="search")(search)
    app.command(name="serve")(serve)


def index(
    inputs: List[Path] = typer.Argument(..., help="Plan files (.txt .md .docx .doc .html .pdf), planparse JSON/JSONL, or folders of them."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    force: bool = typer.Option(False, "--force", help="Parse and re-index even unchanged files."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print only the summary."),
) -> None:
    """Add plans to a search index. Incremental: a changed plan replaces its rows, an unchanged one is skipped."""
    from .search import Index
    from .search.base import expand_inputs

    try:
        files = expand_inputs(inputs)
        idx = Index(_db(db))
    except PlanParseError as exc:
        _fail(str(exc))
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    failed = 0
    with idx:
        for f in files:
            try:
                results = idx.add_file(f, force=force)
            except PlanParseError as exc:
                failed += 1
                typer.echo(f"planparse: error: {exc}", err=True)
                continue
            for r in results:
                counts[r.status] += 1
                if not quiet:
                    typer.echo(f"{r.status:9} {r.doc_id}  ({r.targets} targets)  {f}")
        st = idx.stats()
    typer.echo(f"{len(files)} files: {counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
               f"{failed} failed; the index holds {st.documents} documents, {st.targets} targets ({idx.backend_name})")
    if failed:
        raise typer.Exit(code=2)


def search(
    query: str = typer.Argument(..., help='Words (accents optional), "a phrase", OR, -excluded, prefix*. "" for filters only.'),
    min_: Optional[float] = typer.Option(None, "--min", help="Value at least (the target's range reaches it)."),
    max_: Optional[float] = typer.Option(None, "--max", help="Value at most."),
    unit: Optional[str] = typer.Option(None, "--unit", help='Unit, e.g. "%", "người", "cơ sở".'),
    deadline: Optional[int] = typer.Option(None, "--deadline", help="Deadline in exactly this year."),
    by: Optional[int] = typer.Option(None, "--by", help="Deadline in this year or earlier."),
    agency: Optional[str] = typer.Option(None, "--agency", help="Lead or coordinating agency (words of its name, accents optional)."),
    role: Optional[str] = typer.Option(None, "--role", help="lead | coordinate."),
    province: Optional[str] = typer.Option(None, "--province", help="Province as named when issued, or the one it belongs to since 2025."),
    doc_type: Optional[List[str]] = typer.Option(None, "--doc-type", help='Document type, e.g. "Kế hoạch" (repeatable).'),
    kind: Optional[str] = typer.Option(None, "--kind", help="target | statistic."),
    sort: str = typer.Option("relevance", "--sort", help="relevance | value | deadline | date | document."),
    limit: int = typer.Option(20, "--limit", help="Number of results (1-1000)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Search plan targets: text, value, deadline, document, section, lead and coordinating agencies."""
    import json

    from .search import Index

    try:
        with Index(_db(db), readonly=True) as idx:
            hits = idx.search(query, min=min_, max=max_, unit=unit, deadline=deadline, by=by, agency=agency, role=role,
                              province=province, doc_type=doc_type or None, kind=kind, sort=sort, limit=limit)
    except PlanParseError as exc:
        _fail(str(exc))
    if as_json:
        out = {"query": query, "count": len(hits), "hits": [h.model_dump(mode="json") for h in hits]}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return
    if not hits:
        typer.echo("no targets found")
        return
    tty = sys.stdout.isatty()
    for i, h in enumerate(hits, 1):
        typer.echo(format_hit(i, h, tty))


def format_hit(i: int, h, tty: bool = False) -> str:
    """A hit for the terminal: value and deadline, the text with the match marked, where it is written."""
    d = h.document
    head = f"{i:>3}. {h.value_text}"
    if h.deadline_year:
        head += f"  by {h.deadline_year}"
    if h.kind != "target":
        head += f"  ({h.kind})"
    if tty:
        head = typer.style(head, bold=True)
        text = h.marked("\x1b[1;33m", "\x1b[0m")
    else:
        text = h.marked("«", "»")
    doc = " · ".join(x for x in [" ".join(x for x in [d.doc_type, d.number] if x), d.issuer, d.issued_date] if x) or d.id
    place = ""
    if d.province:
        place = d.province if d.province_now in (None, d.province) else f"{d.province} (now {d.province_now})"
        if d.locality:
            place = f"{d.locality}, {place}"
    elif d.scope == "national":
        place = "national"
    lines = [head, f"     {text}", f"     {doc}" + (f" · {place}" if place else "")]
    if h.section_path:
        lines.append(f"     § {h.section_path}")
    if h.lead or h.coordinating:
        who = []
        if h.lead:
            who.append("lead: " + "; ".join(h.lead) + (" (plan)" if h.agency_scope == "document" else ""))
        if h.coordinating:
            who.append("coordinating: " + "; ".join(h.coordinating))
        lines.append("     " + " · ".join(who))
    where = [d.path or d.id]
    if h.source_span:
        where.append(f"value at [{h.source_span.start}:{h.source_span.end}] of the source text")
    if h.text_span:
        where.append(f"target at [{h.text_span.start}:{h.text_span.end}] of the normalised text")
    lines.append("     source: " + " · ".join(where) + f"  (doc {d.id}, {h.target_id}, section {h.section_id})")
    return "\n".join(lines)


def serve(
    db: Optional[str] = typer.Option(None, "--db", help=DB_HELP),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the JSON API (/search, /documents/{id}, /stats, OpenAPI at /docs) and the search page."""
    try:
        import uvicorn  # noqa: F401

        from .search.server import create_app
    except ImportError as exc:
        _fail(f"serve needs FastAPI and uvicorn ({exc.name} is missing): pip install 'planparse[search]'")
    from .search import Index

    try:
        idx = Index(_db(db), readonly=True)
    except PlanParseError as exc:
        _fail(str(exc))
    import uvicorn

    typer.echo(f"planparse: serving {_db(db)} on http://{host}:{port}/ (API docs at /docs)", err=True)
    uvicorn.run(create_app(idx), host=host, port=port, log_level="warning")
