"""Engine and session helpers: SQLite tuned for concurrent tablets, PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from models.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "fiveb3h_write"


class DatabaseConfigError(ValueError):
    """DATABASE_URL cannot be used (malformed or an unsupported database)."""


class DatabaseUnavailable(RuntimeError):
    """The database did not answer."""


def normalise_url(url: str) -> str:
    """Validate DATABASE_URL and pick the psycopg 3 driver for plain postgresql:// URLs."""
    try:
        parsed = make_url(url)
        parsed.port  # noqa: B018 - a non-numeric port raises here, not later in the driver
    except (ArgumentError, ValueError) as exc:
        # Never echo the URL: it may hold a password.
        raise DatabaseConfigError(
            "DATABASE_URL is not a valid database URL (dialect://user@host:port/db)."
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        if not parsed.database:
            raise DatabaseConfigError("DATABASE_URL names no database (…/DBNAME at the end).")
    elif backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise DatabaseConfigError("DATABASE_URL for SQLite must name a file (sqlite:///path/to/file).")
    else:
        raise DatabaseConfigError(f"Unsupported database {backend!r}: use sqlite or postgresql.")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")  # first: the others may wait
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A write transaction takes the lock up front: read-then-write would otherwise fail
        # with "database is locked" under contention instead of waiting its turn.
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or get_settings().database_url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # NullPool: one short-lived connection per operation, so no connection crosses threads.
        engine = create_engine(url, poolclass=NullPool, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
    else:
        engine = create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args={"connect_timeout": 5}
        )
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        raise DatabaseUnavailable(str(exc.orig) if exc.orig else str(exc)) from exc


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """The one place that commits: everything in the block is one transaction (lock taken up front)."""
    session = Session(bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
