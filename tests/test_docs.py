"""The documentation says what the code does: docs/schema.md, docs/cli.md, README's Python.

- every field of every model in the JSON Schema is explained in docs/schema.md, and its worked
  example is real: the JSON shown validates, and it is what the parser says about the input shown;
- every CLI command has a section in docs/cli.md, and every option written there exists;
- every ```python block of README.md runs (from the repository root, on the bundled corpus).

The README's shell quick start (install, parse the corpus, run the tests) is run by `.ci/run`
itself, in a fresh virtualenv on a fresh clone.
"""

import json
import re

import pytest

import planparse
from conftest import ROOT
from planparse.emit import to_json

SCHEMA_MD = ROOT / "docs" / "schema.md"
CLI_MD = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"


def _blocks(text, lang):
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


# ----------------------------------------------------------------------------- docs/schema.md


def test_schema_reference_explains_every_field():
    doc = SCHEMA_MD.read_text(encoding="utf-8")
    schema = planparse.PlanDocument.model_json_schema()
    fields = set(schema["properties"])
    for definition in schema["$defs"].values():
        fields |= set(definition.get("properties", {}))
    missing = sorted(f for f in fields if f"`{f}`" not in doc and f'"{f}"' not in doc)
    assert missing == [], f"docs/schema.md does not mention: {missing}"
    assert f"`schema_version` is `\"{planparse.SCHEMA_VERSION}\"`" in doc


def _example():
    doc = SCHEMA_MD.read_text(encoding="utf-8")
    text = _blocks(doc, "text")[0]
    full = doc.split("<details>", 1)[1]
    shown = json.loads(_blocks(full, "json")[0])
    return text, shown


def test_schema_example_is_valid_and_is_the_parsers_output():
    text, shown = _example()
    planparse.PlanDocument.model_validate(shown)  # a valid document of this schema version
    actual = json.loads(to_json(planparse.parse_text(text, path="example.txt")))
    assert shown["schema_version"] == actual["schema_version"]
    assert shown["source"] == actual["source"]
    assert shown["metadata"] == actual["metadata"]

    def outline(sections):
        return [(s["id"], s["label"], s["title"], outline(s["children"])) for s in sections]

    assert outline(shown["sections"]) == outline(actual["sections"])

    def facts(d):
        return {
            "targets": [(t["value"], t["comparator"], t["unit"], t["deadline"], t["span"]) for t in d["targets"]],
            "refs": [(r["full_number"], r["role"], r["date"], r["issuer"], r["span"]) for r in d["legal_references"]],
            "agencies": sorted((a["name"], m["role"], m["section_id"]) for a in d["agencies"] for m in a["mentions"]),
            "assignments": d["assignments"],
            "budgets": [(b["amount_vnd"], b["unit"], b["source"], b["span"]) for b in d["budgets"]],
            "footnotes": d["footnotes"],
            "removals": d["removals"],
        }

    assert facts(shown) == facts(actual), "docs/schema.md's example is stale: regenerate its JSON from the input shown"


def test_schema_example_excerpts_are_taken_from_the_full_output():
    doc = SCHEMA_MD.read_text(encoding="utf-8")
    _, shown = _example()
    head = doc.split("<details>", 1)[0]
    excerpts = [json.loads(b) for b in _blocks(head, "json")]
    assert len(excerpts) >= 7
    pool = [shown["metadata"], shown["assignments"], shown["budgets"]]
    pool += shown["targets"] + shown["legal_references"] + shown["agencies"]
    pool.append({"footnotes": shown["footnotes"], "removals": shown["removals"], "warnings": shown["warnings"]})

    def nodes(sections):
        for s in sections:
            yield s
            yield from nodes(s["children"])

    pool += list(nodes(shown["sections"]))
    for excerpt in excerpts:
        assert excerpt in pool, f"an excerpt in docs/schema.md is not in the full example: {str(excerpt)[:80]}"


# ----------------------------------------------------------------------------- docs/cli.md


def _cli_commands():
    import typer.main

    from planparse.cli import app

    group = typer.main.get_command(app)
    out = {}
    for name, command in group.commands.items():
        opts = set()
        for p in command.params:
            opts.update(o for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", []) if o.startswith("-"))
        out[name] = opts
    return out


def test_every_command_is_documented_and_documented_options_exist():
    doc = CLI_MD.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `planparse (\w+)`\n(.*?)(?=^## |\Z)", doc, flags=re.M | re.S))
    commands = _cli_commands()
    assert sorted(commands) == sorted(sections), "docs/cli.md sections differ from `planparse --help`"
    for name, body in sections.items():
        body = re.sub(r"pip install[^`\n]*|`-excluded`", "", body)  # not options: an install line, query syntax
        written = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", body))
        unknown = sorted(o for o in written if o not in commands[name] and o != "--help")
        assert unknown == [], f"docs/cli.md documents options that `planparse {name}` does not have: {unknown}"


# ----------------------------------------------------------------------------- README.md


README_PYTHON = _blocks(README.read_text(encoding="utf-8"), "python")


@pytest.mark.parametrize("n", range(len(README_PYTHON)))
def test_readme_python_blocks_run(n, monkeypatch):
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository root
    try:
        exec(compile(README_PYTHON[n], f"README.md python block {n + 1}", "exec"), {"__name__": "readme"})
    except ModuleNotFoundError as exc:
        if exc.name in {"spacy", "pyvi", "pandas", "matplotlib", "underthesea"}:
            pytest.skip(f"README block {n + 1} needs the extra providing {exc.name}")
        raise
    except planparse.PlanParseError as exc:
        if type(exc).__name__ == "NLPUnavailable":  # planparse.nlp without underthesea/pyvi
            pytest.skip(f"README block {n + 1}: {exc}")
        raise
