"""Engine and session helpers: SQLite tuned for concurrent tablets, PostgreSQL through psycopg 3."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from core.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_POOL_SIZE = 5  # connections kept open per engine (process)
# PostgreSQL connections per engine (process): 20 tablets saving at once each get one without waiting.
PG_POOL_SIZE, PG_MAX_OVERFLOW = 20, 10
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

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        # A pooled connection goes back as a new one would start: a bulk job may have enlarged its
        # page cache, and an open temporary database makes a later `PRAGMA temp_store` inside a
        # transaction fail (setting temp_store to another value closes it).
        if dbapi_connection is None:
            return
        try:
            dbapi_connection.execute("PRAGMA temp_store = MEMORY")
            dbapi_connection.execute("PRAGMA temp_store = DEFAULT")
            dbapi_connection.execute("PRAGMA cache_size = -2000")  # SQLite's default, in KiB
        except sqlite3.Error as exc:
            record.invalidate(exc)  # reconnect at the next checkout

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
        # A few connections stay open between operations: a fresh one per operation paid the connect
        # and its PRAGMAs, and closing the last connection of a WAL database checkpoints the WAL into
        # the file with an fsync — most of a small write's time on a large file. The pool hands each
        # connection to one session at a time, so sharing it across threads is safe
        # (check_same_thread off); past the pool size, extra connections open and close as needed.
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=-1,
            connect_args={"check_same_thread": False},
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=PG_POOL_SIZE,
            max_overflow=PG_MAX_OVERFLOW,
            connect_args={"connect_timeout": 5},
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


class WriterQueue:
    """First come, first served turns for the writers of one SQLite database in this process.

    SQLite lets one writer in at a time; a waiting connection polls for the lock every 1–100 ms, so a
    thread that has just committed takes it straight back and some waiters lose for the whole busy
    timeout ("database is locked" after 15 s with 20 tablets saving at once; bench/soak_writers.py).
    Writers of this process therefore queue here in arrival order and meet SQLite's lock only against
    other processes (the command line), which busy_timeout still covers. A thread already holding its
    turn passes straight through (a write nested in a write)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._owner: int | None = None
        self._depth = 0
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._lock:
            if self._owner == me:
                self._depth += 1
                return True
            if not self._busy:
                self._busy, self._owner, self._depth = True, me, 1
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        handed = turn.wait(timeout)
        with self._lock:
            if not handed and not turn.is_set():
                self._waiters.remove(turn)
                return False
            self._owner, self._depth = me, 1  # handed over by release(): _busy stayed True
            return True

    def release(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._busy = False


_QUEUES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_QUEUES_LOCK = threading.Lock()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The writer queue of a SQLite engine's database (keyed by its pool, which the write-option proxy
    engine shares); None for PostgreSQL, whose row locks queue writers themselves."""
    if not is_sqlite(engine):
        return None
    with _QUEUES_LOCK:
        queue = _QUEUES.get(engine.pool)
        if queue is None:
            queue = _QUEUES[engine.pool] = WriterQueue()
        return queue


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """The one place that commits: everything in the block is one transaction (lock taken up front; on
    SQLite after this process's earlier writers, in arrival order — see `WriterQueue`)."""
    queue = writer_queue(engine)
    if queue is not None and not queue.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise DatabaseUnavailable("database is locked (waited for the other writers)")
    try:
        session = Session(bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
    finally:
        if queue is not None:
            queue.release()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    session = Session(bind=engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()
