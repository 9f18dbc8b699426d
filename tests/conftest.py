"""Shared fixtures: databases built by the real migrations (a SQLite file, a real PostgreSQL server)."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from sqlalchemy import create_engine, text

from models.db import make_engine
from models.migrate import upgrade_to_head
from tests.pg import PgCluster

REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
_db_counter = itertools.count()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL server for the whole session, with a template database migrated to head."""
    try:
        cluster = PgCluster()
        cluster.start()
    except Exception as exc:
        message = f"PostgreSQL could not start: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE fiveb3h_template"))
    template = make_engine(cluster.url("fiveb3h_template"))
    upgrade_to_head(template)
    template.dispose()
    cluster.admin = admin
    yield cluster
    admin.dispose()
    cluster.stop()


def _sqlite_copy(template, tmp_path) -> str:
    path = tmp_path / "test.sqlite"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _pg_copy(cluster) -> tuple[str, str]:
    name = f"t{os.getpid()}_{next(_db_counter)}"
    with cluster.admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE fiveb3h_template"))
    return cluster.url(name), name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path, sqlite_template, monkeypatch):
    """A fresh migrated database on each backend; DATABASE_URL points at it for code that reads it."""
    pg_name = None
    if request.param == "sqlite":
        url = _sqlite_copy(sqlite_template, tmp_path)
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url, pg_name = _pg_copy(cluster)
    monkeypatch.setenv("DATABASE_URL", url)
    eng = make_engine(url)
    yield eng
    eng.dispose()
    if pg_name:
        cluster = request.getfixturevalue("pg_cluster")
        with cluster.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"))


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template, monkeypatch):
    """A fresh migrated SQLite file only (page tests, CLI tests)."""
    url = _sqlite_copy(sqlite_template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


# ---------------------------------------------------------------- parts that did not run

_PARTS = {"postgres": "PostgreSQL", "browser": "browser"}


def pytest_terminal_summary(terminalreporter):
    """Say plainly which PostgreSQL / browser tests were skipped and why (./test repeats it at the end)."""
    groups: dict[tuple[str, str], int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        part = next((name for marker, name in _PARTS.items() if marker in report.keywords), None)
        if part is None:
            continue
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        groups[(part, reason)] = groups.get((part, reason), 0) + 1
    lines = [f"{count} {part} test(s): {reason}" for (part, reason), count in sorted(groups.items())]
    if lines:
        terminalreporter.section("parts not run")
        for line in lines:
            terminalreporter.write_line(line)
    report_file = os.environ.get("FIVEB3H_SKIP_REPORT")
    if report_file:
        with open(report_file, "w", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in lines)
