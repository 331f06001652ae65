"""Command line: ``planparse parse | schema | eval``. Errors exit with code 2 and one line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import PlanParseError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Vietnamese government plans to typed JSON.")


def _fail(message: str) -> None:
    typer.echo(f"planparse: error: {message}", err=True)
    raise typer.Exit(code=2)


@app.command()
def parse(
    file: Path = typer.Argument(..., help="Plan file (.txt, .md, .docx, .doc, .html, .pdf)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write JSON here instead of stdout."),
    text: bool = typer.Option(False, "--text", help="Include the normalised text in the JSON."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="Force the input encoding (utf-8, cp1258, tcvn3, vni, viscii, …)."),
    max_bytes: Optional[int] = typer.Option(None, "--max-bytes", help="Refuse inputs larger than this."),
    time_limit: Optional[float] = typer.Option(None, "--time-limit", help="Give up after this many seconds."),
) -> None:
    """Parse one plan and print its JSON."""
    from .emit import to_json
    from .pipeline import parse as parse_doc

    try:
        doc = parse_doc(file, encoding=encoding, max_bytes=max_bytes, time_limit=time_limit)
    except PlanParseError as exc:
        _fail(str(exc))
    out = to_json(doc, include_text=text)
    if output:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_text(out + "\n", encoding="utf-8")
        tmp.replace(output)
    else:
        sys.stdout.write(out + "\n")


@app.command()
def schema(directory: Path = typer.Argument(Path("schemas"), help="Where to write the JSON Schema files.")) -> None:
    """Write the JSON Schema of the output into DIRECTORY (default: schemas/)."""
    from .emit import write_schemas

    for p in write_schemas(directory):
        typer.echo(str(p))


@app.command(name="eval")
def eval_(
    gold: Path = typer.Option(Path("corpora/gold"), "--gold", help="Folder of gold JSON files."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    errors: bool = typer.Option(True, "--errors/--no-errors", help="List misses and false positives."),
) -> None:
    """Score the parser against the hand-written gold set."""
    import json

    from .evaluate import evaluate, format_report

    if not gold.is_dir():
        _fail(f"{gold}: gold folder not found")
    report = evaluate(gold)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(report, show_errors=errors))


# Feature modules add their own commands: each has ``register(app)`` defining typer commands,
# with heavy imports inside the command functions so ``planparse --help`` stays fast.
COMMAND_MODULES = ("planparse.batch_cli", "planparse.search_cli")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module, not an absent module
                raise
            continue
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
