"""Shared pieces of the search tests (planparse.search): the corpus parsed once, hand-made plans,
a real PostgreSQL server (``.ci/postgres.sh``, or ``$PLANPARSE_TEST_PG_DSN``), a real Chromium.

Optional dependencies (fastapi, uvicorn, httpx, psycopg, selenium) are skipped with a reason on
a machine that lacks them, but required when ``PLANPARSE_REQUIRE_EXTRAS=1`` (set by .ci/run,
which installs the extras: a missing one there is a broken install, not a reason to test less).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os


def _required_extras() -> bool:
    """CI names the extras it installed (``PLANPARSE_REQUIRE_EXTRAS="… search …"``, or "1" for all)."""
    names = os.environ.get("PLANPARSE_REQUIRE_EXTRAS", "").replace(",", " ").split()
    return "1" in names or "search" in names
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from conftest import CORPUS, ROOT, parsed

from planparse.models import Deadline, Metadata, PlanDocument, Section, SourceInfo, Span, Target


def require(module: str, extra: str):
    """Import ``module`` or skip (fail under CI) naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        msg = f"{module} not installed ({exc}); pip install -e '.[{extra}]'"
        if _required_extras():
            pytest.fail(msg)
        pytest.skip(msg)


def corpus_docs() -> list[PlanDocument]:
    """Every corpus plan (not the upper-case notes), parsed once per test session."""
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in {".txt", ".md"} and not p.stem.isupper())
    return [parsed(p.name) for p in files]


def make_doc(path: str, targets: list[tuple[str, float, str | None, int | None]], *, issuer: str | None = None,
             doc_type: str = "Kế hoạch", issued: str | None = None, comparator: str = "=") -> PlanDocument:
    """A plan built by hand: one section holding one line per target (text, value, unit, year)."""
    lines = [t[0] for t in targets]
    text = "\n".join(lines)
    spans, pos = [], 0
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    sec = Section(id="sec_I", kind="sec", label="I", title="MỤC TIÊU", text=text, span=Span(start=0, end=len(text)))
    tg = []
    for i, ((line, value, unit, year), (s, e)) in enumerate(zip(targets, spans), 1):
        tg.append(Target(id=f"tgt-{i}", section_id="sec_I", text=line, value=value, unit=unit, comparator=comparator,
                         deadline=Deadline(year=year, raw=f"đến năm {year}") if year else None, raw=line, span=Span(start=s, end=e)))
    return PlanDocument(source=SourceInfo(path=path, sha256=uuid.uuid5(uuid.NAMESPACE_URL, text).hex),
                        metadata=Metadata(doc_type=doc_type, issuer=issuer, issued_date=issued), sections=[sec], targets=tg, text=text)


# ---------------------------------------------------------------- PostgreSQL


def _with_db(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


_PG: dict = {}


def _start_pg() -> tuple[str | None, str | None]:
    """(dsn, None) or (None, reason to skip). One server per test process, stopped at exit."""
    if "result" in _PG:
        return _PG["result"]
    dsn = os.environ.get("PLANPARSE_TEST_PG_DSN")
    if dsn:
        _PG["result"] = (dsn, None)
        return _PG["result"]
    state = Path(tempfile.mkdtemp(prefix="planparse-pgstate-")) / "state"
    env = dict(os.environ, PLANPARSE_PG_NO_INSTALL="1", PLANPARSE_PG_STATE=str(state))
    r = subprocess.run(["bash", str(ROOT / ".ci" / "postgres.sh")], capture_output=True, text=True, env=env, timeout=180)
    if r.returncode == 3:
        _PG["result"] = (None, f"PostgreSQL binaries unavailable: {r.stderr.strip()} (or set PLANPARSE_TEST_PG_DSN)")
    elif r.returncode != 0:
        raise RuntimeError(f".ci/postgres.sh failed ({r.returncode}): {r.stderr.strip()}")
    else:
        stop = Path(state.read_text().strip()) / "stop.sh"
        atexit.register(lambda: subprocess.run(["bash", str(stop)], capture_output=True, timeout=60))
        _PG["result"] = (r.stdout.strip().splitlines()[-1], None)
    return _PG["result"]


@pytest.fixture(scope="session")
def pg_server():
    """A DSN of a PostgreSQL server: $PLANPARSE_TEST_PG_DSN, or one started by .ci/postgres.sh."""
    require("psycopg", "postgres")
    dsn, reason = _start_pg()
    if dsn is None:
        pytest.skip(reason)
    return dsn


@contextlib.contextmanager
def fresh_pg_db(server: str):
    """A new, empty database on the server (dropped afterwards)."""
    import psycopg

    name = "planparse_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_db(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_dsn(pg_server):
    """A fresh, empty database for one test."""
    with fresh_pg_db(pg_server) as dsn:
        yield dsn


@contextlib.contextmanager
def new_index(backend: str, request, tmp_path: Path):
    """An empty Index on ``backend`` ("sqlite" or "postgresql")."""
    from planparse.search import Index

    if backend == "sqlite":
        idx = Index(tmp_path / "plans.db")
        try:
            yield idx
        finally:
            idx.close()
        return
    server = request.getfixturevalue("pg_server")
    with fresh_pg_db(server) as dsn:
        idx = Index(dsn)
        try:
            yield idx
        finally:
            idx.close()


# ---------------------------------------------------------------- Chromium


def chromium_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or ("/usr/lib/chromium/chromedriver" if os.path.exists("/usr/lib/chromium/chromedriver") else None)
    return (browser, driver) if browser and driver else None
