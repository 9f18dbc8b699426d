"""Whole-database backup and restore (SQLite: the online backup API; PostgreSQL: pg_dump -Fc and
pg_restore), the backup download for top-level admins, and the area tree as import-areas CSV.

A backup file is the database itself: a SQLite file, or a pg_dump custom-format archive. Restoring one
replaces everything in the target (the DATABASE_URL database) in one transaction, refuses a file of a
newer schema than this code knows, and migrates an older one afterwards. PostgreSQL credentials reach
pg_dump, pg_restore and psql through the environment (PGPASSWORD, ...), never on their command line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.clock import VN_OFFSET, utcnow
from core.labels import N_
from models.db import is_sqlite, make_engine, read_session, write_session
from models.enums import Role
from models.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from models.tables import Area, AuditLog, User
from services import audit
from services.access import Actor, load_actor
from services.areas import AREA_CSV_COLUMNS
from services.errors import AppError, PermissionDenied
from services.permissions import Act, authorize, entry

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
EXTENSIONS = {SQLITE: ".sqlite", POSTGRESQL: ".dump"}
# Tables every 5B3H database has had since the first revision: a file without them is not ours (the
# revision ids alone, "0001"..., could be another Alembic project's).
CORE_TABLES = frozenset(
    {"alembic_version", "area", "household", "resident", "visit", "app_user", "audit_log"}
)
# What a restore summary counts, in this order (table -> field of `Counts`).
COUNTED = (
    ("area", "areas"),
    ("household", "households"),
    ("resident", "residents"),
    ("visit", "visits"),
    ("app_user", "users"),
)
DOWNLOADED = "backup.downloaded"  # audit action of a backup taken from the admin page
RESTORED = "backup.restored"  # audit action written into the database a restore produced
TOOL_TIMEOUT_S = 6 * 3600  # a province-size dump or restore takes minutes, not hours
LOCK_TIMEOUT = "60s"  # a restore waits this long for the app's transactions, then gives up (nothing lost)
# libpq environment variables for the URL's query parameters (the others are ignored).
PG_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
}


class BackupError(AppError):
    """A backup or restore that cannot go ahead (bad file, wrong database, missing tool); when it is
    raised by a restore, the target was not changed unless the message says otherwise."""


# ---------------------------------------------------------------- what a file or database holds


@dataclass(frozen=True)
class Counts:
    areas: int = 0
    households: int = 0
    residents: int = 0
    visits: int = 0
    users: int = 0


@dataclass(frozen=True)
class BackupInfo:
    """A backup file that passed the checks: ours, readable, of a schema this code knows."""

    path: Path
    kind: str  # SQLITE or POSTGRESQL
    revision: str
    size: int
    created: str  # when it was taken, as the file says (pg_dump) or its modification time (SQLite)
    counts: Counts | None  # SQLite only: a pg_dump archive would have to be restored to count
    tables: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RestorePlan:
    """What `restore` will do: which database it replaces, what it holds now, what comes instead."""

    backup: BackupInfo
    target: str  # SQLite path or postgresql host:port/db (never the password)
    target_revision: str | None
    target_counts: Counts | None  # None: the target holds no 5B3H tables yet
    head: str
    dropped_tables: tuple[str, ...] = ()  # PostgreSQL: tables of the target the backup does not have

    @property
    def migrates(self) -> bool:
        return self.backup.revision != self.head


def engine_kind(engine: Engine) -> str:
    return SQLITE if is_sqlite(engine) else POSTGRESQL


def describe_target(engine: Engine) -> str:
    url = engine.url
    if is_sqlite(engine):
        return str(Path(url.database).resolve())
    host = url.host or url.query.get("host") or "localhost"
    return f"{host}:{url.port or 5432}/{url.database} ({url.username or '-'})"


def backup_file_name(kind: str, moment: datetime | None = None) -> str:
    """`5b3h-YYYYMMDD-HHMMSS.sqlite` (or `.dump`), in Vietnam's time."""
    local = (moment or utcnow()) + VN_OFFSET
    return f"5b3h-{local:%Y%m%d-%H%M%S}{EXTENSIONS[kind]}"


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"  # pragma: no cover - the loop always returns


# ---------------------------------------------------------------- taking a backup


def write_backup(engine: Engine, dest: Path) -> int:
    """Back the database up into `dest` (which must not exist yet); returns its size in bytes. The file
    appears only when complete: it is written beside `dest` under a temporary name, then renamed."""
    dest = Path(dest)
    if dest.exists():
        raise BackupError(N_("backup.err.out_exists"), path=str(dest))
    if not dest.parent.is_dir():
        raise BackupError(N_("backup.err.out_folder"), folder=str(dest.parent))
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    try:
        if is_sqlite(engine):
            _sqlite_backup(engine, partial)
        else:
            _pg_dump(engine, partial)
        os.chmod(partial, 0o600)  # residents' personal data and password hashes: the owner only
        os.replace(partial, dest)
    except OSError as exc:
        raise BackupError(N_("backup.err.write"), path=str(dest), detail=exc.strerror or str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return dest.stat().st_size


def _sqlite_backup(engine: Engine, dest: Path) -> None:
    """SQLite's online backup API over one of the engine's own connections, in a single step: the copy
    is one read transaction, a consistent snapshot that includes what is still in the WAL, while other
    connections keep writing. (A copy of the file would miss the WAL.)"""
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)
            # A self-contained file: no -wal or -shm beside it when it is opened later.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise BackupError(N_("backup.err.failed"), detail=str(exc)) from exc
    finally:
        raw.close()


def _pg_dump(engine: Engine, dest: Path) -> None:
    _run_tool("pg_dump", ["-Fc", "-w", "-f", str(dest)], env=pg_env(engine))


def may_take_backup(actor: Actor) -> bool:
    """A backup holds every area's data: only an admin of a top-level area takes one."""
    return actor.role == Role.ADMIN and actor.area_path.count("/") == 2  # "/<id>/": no parent


def _check_backup_actor(session: Session, actor: Actor) -> Actor:
    """The actor as the database knows them now (deactivated or demoted since the page was drawn: refused)."""
    current = load_actor(session, actor.user_id)
    authorize(current, Act.BACKUP_TAKE)
    if not may_take_backup(current):
        raise PermissionDenied(N_("backup.err.top_admin"))
    return current


@dataclass(frozen=True)
class BackupRecord:
    local_at: datetime  # Vietnam's time, naive
    username: str
    file_name: str
    size: int


@entry(Act.BACKUP_TAKE)
def recent_backups(session: Session, *, actor: Actor, limit: int = 10) -> list[BackupRecord]:
    """Who downloaded a backup from the admin page, newest first (from the audit log)."""
    authorize(actor, Act.BACKUP_TAKE)
    if not may_take_backup(actor):
        raise PermissionDenied(N_("backup.err.top_admin"))
    rows = session.exec(
        select(AuditLog.at, User.username, AuditLog.details)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.action == DOWNLOADED)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    ).all()
    out = []
    for at, username, details in rows:
        data = json.loads(details or "{}")
        utc = at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at  # SQLite gives naive UTC
        out.append(
            BackupRecord(
                utc + VN_OFFSET, username or "-", str(data.get("file", "")), int(data.get("bytes", 0))
            )
        )
    return out


@entry(Act.BACKUP_TAKE)
def download_backup(engine: Engine, *, actor: Actor, file_name: str) -> bytes:
    """A backup of the whole database as bytes, for the admin page's download button; the audit log
    records who took it. Only a top-level admin, checked against the database at the time of the click."""
    with read_session(engine) as session:
        current = _check_backup_actor(session, actor)
    with tempfile.TemporaryDirectory(prefix="5b3h-backup-") as folder:
        path = Path(folder) / "backup"
        size = write_backup(engine, path)
        data = path.read_bytes()
    with write_session(engine) as session:
        audit.record(
            session,
            user_id=current.user_id,
            action=DOWNLOADED,
            entity="database",
            area_id=current.area_id,
            details={"file": file_name, "bytes": size, "kind": engine_kind(engine)},
        )
    return data


# ---------------------------------------------------------------- reading a backup file


def inspect_backup(path: Path) -> BackupInfo:
    """What a backup file holds; `BackupError` when it is missing, unreadable, not a 5B3H backup, or of a
    schema newer than this code."""
    path = Path(path)
    if not path.exists():
        raise BackupError(N_("backup.err.no_file"), path=str(path))
    if not path.is_file():
        raise BackupError(N_("backup.err.not_a_file"), path=str(path))
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
        stat = path.stat()
    except OSError as exc:
        raise BackupError(
            N_("backup.err.unreadable"), path=str(path), detail=exc.strerror or str(exc)
        ) from exc
    if magic.startswith(SQLITE_MAGIC):
        info = _inspect_sqlite(path, stat.st_size, stat.st_mtime)
    elif magic.startswith(PGDUMP_MAGIC):
        info = _inspect_pgdump(path, stat.st_size)
    else:
        raise BackupError(N_("backup.err.foreign"), path=str(path))
    _check_revision(info.revision)
    return info


def _sqlite_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _inspect_sqlite(path: Path, size: int, mtime: float) -> BackupInfo:
    try:
        conn = _sqlite_ro(path)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(N_("backup.err.damaged"), path=str(path), detail=check)
            tables = frozenset(
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            if not tables >= CORE_TABLES:
                raise BackupError(N_("backup.err.foreign"), path=str(path))
            revision = _single_revision(
                path, conn.execute("SELECT version_num FROM alembic_version").fetchall()
            )
            counts = Counts(
                **{
                    name: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                    for table, name in COUNTED
                }
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(N_("backup.err.damaged"), path=str(path), detail=str(exc)) from exc
    created = datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")
    return BackupInfo(path, SQLITE, revision, size, created, counts, tables)


def _single_revision(path: Path, rows: list) -> str:
    if len(rows) != 1 or not rows[0][0]:
        raise BackupError(N_("backup.err.foreign"), path=str(path))
    return str(rows[0][0])


_TOC_TABLE = re.compile(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(?!DATA\s)(\S+)\s+(\S+)\s")
_COPY_VERSION = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)\n\\\.$", re.M | re.S)


def _inspect_pgdump(path: Path, size: int) -> BackupInfo:
    """The archive's table of contents (`pg_restore -l`, no server needed) and its alembic_version row."""
    listing = _run_tool("pg_restore", ["-l", str(path)], failure=N_("backup.err.damaged"), path=str(path))
    tables = frozenset(m.group(2) for line in listing.splitlines() if (m := _TOC_TABLE.match(line)))
    if not tables >= CORE_TABLES:
        raise BackupError(N_("backup.err.foreign"), path=str(path))
    created = next(
        (
            line.split("Archive created at", 1)[1].strip()
            for line in listing.splitlines()
            if "Archive created at" in line
        ),
        "-",
    )
    script = _run_tool(
        "pg_restore",
        ["-a", "-t", "alembic_version", "-f", "-", str(path)],
        failure=N_("backup.err.damaged"),
        path=str(path),
    )
    match = _COPY_VERSION.search(script)
    rows = [(line,) for line in match.group(1).splitlines()] if match else []
    revision = _single_revision(path, rows)
    return BackupInfo(path, POSTGRESQL, revision, size, created, None, tables)


def _check_revision(revision: str) -> None:
    """The code knows this revision (the head or an older one); otherwise the file comes from newer code."""
    scripts = ScriptDirectory.from_config(alembic_config())
    # Exact ids only: get_revision() would also resolve a prefix ("000") or a word ("head").
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError(N_("backup.err.newer"), revision=revision, head=scripts.get_current_head())


# ---------------------------------------------------------------- restoring


def plan_restore(engine: Engine, path: Path) -> RestorePlan:
    """Check the file against the target and say what a restore would replace; changes nothing."""
    info = inspect_backup(path)
    kind = engine_kind(engine)
    if info.kind != kind:
        raise BackupError(N_("backup.err.wrong_engine"), path=str(info.path), kind=info.kind, target=kind)
    if kind == SQLITE and Path(engine.url.database).resolve() == info.path.resolve():
        raise BackupError(N_("backup.err.same_file"), path=str(info.path))
    names = set(inspect(engine).get_table_names())
    counts = None
    if CORE_TABLES - {"alembic_version"} <= names:  # the counted tables are among them
        with engine.connect() as conn:
            counts = Counts(
                **{
                    name: conn.execute(select(func.count()).select_from(table(table_name))).scalar_one()
                    for table_name, name in COUNTED
                }
            )
    dropped = tuple(sorted(names - info.tables)) if kind == POSTGRESQL else ()
    return RestorePlan(
        backup=info,
        target=describe_target(engine),
        target_revision=current_revision(engine) if "alembic_version" in names else None,
        target_counts=counts,
        head=head_revision(),
        dropped_tables=dropped,
    )


def restore(engine: Engine, plan: RestorePlan, *, file_name: str | None = None) -> str:
    """Replace the target's contents with the backup in `plan` (one transaction), migrate it to the head
    when it is older, and record the restore in its audit log. Returns the revision it ends at. The
    caller's engine is disposed (its pooled connections belong to the database that was replaced)."""
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    if plan.backup.kind == SQLITE:
        _sqlite_restore(Path(engine.url.database), plan.backup.path)
    else:
        _pg_restore(engine, plan)
    fresh = make_engine(url)
    try:
        if plan.migrates:
            try:
                upgrade_to_head(fresh)
            except Exception as exc:
                raise BackupError(
                    N_("backup.err.migrate"), revision=plan.backup.revision, detail=str(exc)
                ) from exc
        revision = current_revision(fresh)
        with write_session(fresh) as session:
            audit.record(
                session,
                user_id=None,
                action=RESTORED,
                entity="database",
                details={
                    "file": file_name or plan.backup.path.name,
                    "from_revision": plan.backup.revision,
                    "revision": revision,
                },
            )
    finally:
        fresh.dispose()
    return revision


def _sqlite_restore(target: Path, source: Path) -> None:
    """The online backup API from the backup file into the target file: one write transaction on the
    target (a failure leaves it as it was); connections of a running app see the new contents."""
    try:
        src = _sqlite_ro(source)
        try:
            dst = sqlite3.connect(target, timeout=15)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupError(N_("backup.err.restore_failed"), detail=str(exc)) from exc


def _pg_restore(engine: Engine, plan: RestorePlan) -> None:
    """pg_restore --clean --if-exists --no-owner, its SQL run by psql in one transaction after dropping
    the target's tables the backup does not have (a newer schema's, which would block the drops and the
    later migration). Any error rolls the whole transaction back: the target is left as it was."""
    preparer = engine.dialect.identifier_preparer
    schema = inspect(engine).default_schema_name or "public"
    engine.dispose()
    drops = "".join(
        f"DROP TABLE IF EXISTS {preparer.quote_schema(schema)}.{preparer.quote(name)} CASCADE;\n"
        for name in plan.dropped_tables
    ).encode()
    env = pg_env(engine)
    dump = [
        pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "-f",
        "-",
        str(plan.backup.path),
    ]
    # One transaction, opened here and committed only once pg_restore has written its whole script and
    # exited 0: psql's own --single-transaction would commit whatever arrived before a pg_restore failure.
    psql = [pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"]
    with tempfile.TemporaryFile() as dump_err, tempfile.TemporaryFile() as psql_err:
        reader = subprocess.Popen(dump, stdout=subprocess.PIPE, stderr=dump_err, env=env)
        writer = subprocess.Popen(
            psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env
        )
        try:
            with contextlib.suppress(BrokenPipeError):  # psql stopped at an error: its message says why
                writer.stdin.write(b"BEGIN;\n")
                _copy_script(reader.stdout, writer.stdin, drops)
                if reader.wait(TOOL_TIMEOUT_S) == 0:
                    writer.stdin.write(b"COMMIT;\n")
            reader.stdout.close()  # a pg_restore still writing gets EPIPE and stops
            with contextlib.suppress(BrokenPipeError):
                writer.stdin.close()  # psql ends; without COMMIT the server rolls the transaction back
            writer_code = writer.wait(TOOL_TIMEOUT_S)
            reader_code = reader.wait(TOOL_TIMEOUT_S)
        finally:
            for proc in (reader, writer):
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if writer_code != 0:
            raise BackupError(N_("backup.err.restore_failed"), detail=_last_lines(psql_err, dump_err))
        if reader_code != 0:
            raise BackupError(N_("backup.err.restore_failed"), detail=_last_lines(dump_err))


def _copy_script(script, out, drops: bytes) -> None:
    """pg_restore's SQL into psql, with the drops and a lock timeout once its header is over. The header
    sets `lock_timeout = 0` (wait for ever): a running app's open transaction would hang the restore, so
    it waits LOCK_TIMEOUT instead, then fails and rolls back."""
    for line in script:
        if line.startswith(b"SET lock_timeout"):
            continue
        if not line.startswith((b"SET ", b"SELECT pg_catalog.set_config", b"--", b"\\restrict", b"\n")):
            out.write(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n".encode() + drops)
            out.write(line)
            break
        out.write(line)
    else:  # nothing but a header
        out.write(f"SET lock_timeout = '{LOCK_TIMEOUT}';\n".encode() + drops)
    shutil.copyfileobj(script, out, 1 << 20)


def _last_lines(*files) -> str:
    lines: list[str] = []
    for handle in files:
        handle.seek(0)
        lines += [line for line in handle.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return " / ".join(lines[-5:]) or "-"


# ---------------------------------------------------------------- PostgreSQL client tools


def pg_env(engine: Engine) -> dict[str, str]:
    """The environment that points libpq's tools at the engine's database, password included (the
    process environment, e.g. PGSSLMODE or a ~/.pgpass, still applies to what the URL leaves out)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    for key, value in url.query.items():
        if key in PG_QUERY_ENV:
            env[PG_QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    env.update({k: v for k, v in values.items() if v})
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client program `name` (PG_BIN first, then Debian's versioned
    folders, then PATH): a newer pg_dump reads older servers, an older one refuses newer servers."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [folder / name for folder in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(N_("backup.err.no_tool"), tool=name)
    return found


def _run_tool(
    name: str,
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    failure: str = N_("backup.err.tool_failed"),
    **params: object,
) -> str:
    """Run a PostgreSQL client program; its stdout as text, or `BackupError(failure)` with its last words."""
    try:
        done = subprocess.run(
            [pg_tool(name), *args], capture_output=True, env=env, timeout=TOOL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(N_("backup.err.tool_failed"), tool=name, detail=str(exc)) from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        raise BackupError(
            failure, tool=name, detail=" / ".join(lines[-5:]) or f"exit {done.returncode}", **params
        )
    return done.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------- the area tree as CSV


def export_areas_csv(session: Session) -> tuple[bytes, int]:
    """Every area as `code,name,level,parent_code` rows, parents before children: the file
    `manage.py import-areas` reads (UTF-8 with a BOM, so Excel shows the Vietnamese names). Returns the
    bytes and the number of areas."""
    parent = aliased(Area)
    rows = session.exec(
        select(Area.code, Area.name, Area.level, parent.code)
        .outerjoin(parent, parent.id == Area.parent_id)
        .order_by(Area.depth, Area.code)
    ).all()
    for delimiter in (",", ";"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(AREA_CSV_COLUMNS)
        writer.writerows((code, name, level, parent_code or "") for code, name, level, parent_code in rows)
        text = out.getvalue()
        # import-areas guesses the delimiter from the first 2 KB: make sure it guesses this one
        # (names with many semicolons would otherwise look like a semicolon file).
        sample = text[:2048]
        if (";" if sample.count(";") > sample.count(",") else ",") == delimiter:
            break
    return text.encode("utf-8-sig"), len(rows)
