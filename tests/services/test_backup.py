"""Backup and restore of the whole database on both engines: every table comes back identical, an older
backup is migrated, a newer or foreign file is refused without touching anything, a SQLite backup taken
while another connection writes is consistent, and only a top-level admin downloads one."""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, inspect, select, text
from sqlalchemy.exc import OperationalError

from core.clock import utcnow
from demo.seed import seed_database
from models.db import make_engine, read_session, write_session
from models.migrate import alembic_config, current_revision, head_revision
from models.tables import AuditLog, User
from services import backup
from services.errors import PermissionDenied
from services.rollups.recount import compare
from tests import factories as f

# ---------------------------------------------------------------- helpers

_names = itertools.count()


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every table (reflected from the database itself), in primary-key order."""
    meta = MetaData()
    meta.reflect(bind=engine)
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            out[name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return out


def revision_before_head() -> str:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return scripts.get_revision(scripts.get_current_head()).down_revision


@pytest.fixture
def blank_url(engine, tmp_path, request):
    """An empty database of the same kind as `engine` (no tables), dropped afterwards."""
    if engine.dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.sqlite'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    name = f"blank_{os.getpid()}_{next(_names)}"
    with cluster.admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield cluster.url(name)
    with cluster.admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def write_backup(engine, tmp_path, name: str = "backup") -> Path:
    path = tmp_path / (name + backup.EXTENSIONS[backup.engine_kind(engine)])
    backup.write_backup(engine, path)
    return path


def restore(engine, path: Path) -> str:
    return backup.restore(engine, backup.plan_restore(engine, path))


# ---------------------------------------------------------------- round trip


def test_restore_brings_every_table_back_identical(engine, tmp_path):
    seed_database(engine, scale="demo", seed=5)
    before = snapshot(engine)
    assert sum(len(rows) for rows in before.values()) > 5000
    started = time.perf_counter()
    path = write_backup(engine, tmp_path)
    took_backup = time.perf_counter() - started

    # Change, add and delete things after the backup.
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE resident SET full_name = 'Đổi Tên' WHERE id IN (SELECT id FROM resident LIMIT 5)")
        )
        conn.execute(text("DELETE FROM visit_guidance"))
        conn.execute(text("DELETE FROM rollup_skill"))
        conn.execute(text("UPDATE app_user SET full_name = 'khác'"))
    f.create_area(engine, code="NEW", name="Tỉnh Mới", level="province")
    assert snapshot(engine) != before

    plan = backup.plan_restore(engine, path)
    assert plan.target_counts.areas == len(before["area"]) + 1
    assert plan.backup.counts is None or plan.backup.counts.areas == len(before["area"])
    assert not plan.migrates and plan.dropped_tables == ()
    started = time.perf_counter()
    assert backup.restore(engine, plan) == head_revision()
    took_restore = time.perf_counter() - started

    after = snapshot(engine)
    assert sorted(after) == sorted(before)
    for name in before:
        if name != "audit_log":
            assert after[name] == before[name], name
    # The audit log is what it was, plus the restore itself.
    assert after["audit_log"][:-1] == before["audit_log"]
    with read_session(engine) as s:
        last = s.exec(select(AuditLog).order_by(AuditLog.id.desc())).scalars().first()
        assert (last.action, last.user_id, last.entity) == (backup.RESTORED, None, "database")
        assert compare(s) == []  # the rollups still equal a recount
    # Sequences came back too: new rows get fresh ids.
    f.create_area(engine, code="NEW2", name="Tỉnh Mới Hai", level="province")
    print(f"\n{engine.dialect.name}: backup {took_backup:.2f} s, restore {took_restore:.2f} s")


def test_an_older_backup_is_migrated_after_the_restore(engine, blank_url, tmp_path):
    """A backup of the previous revision replaces a database at the head (on PostgreSQL the head's own
    tables are dropped, or the migration afterwards could not create them) and comes out at the head."""
    previous = revision_before_head()
    old = make_engine(blank_url)
    config = alembic_config()
    with old.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, previous)
    meta = MetaData()
    meta.reflect(bind=old, only=["area"])
    area = meta.tables["area"]
    with old.begin() as conn:
        new_id = conn.execute(
            insert(area)
            .values(code="OLD", name="Tỉnh Cũ", name_key="tinh cu", level="province", path="", depth=0,
                    created_at=utcnow())
            .returning(area.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(area.update().values(path=f"/{new_id}/"))
    old_tables = set(inspect(old).get_table_names())
    path = write_backup(old, tmp_path, "old")
    old.dispose()

    f.create_tree(engine)
    plan = backup.plan_restore(engine, path)
    assert plan.migrates and plan.backup.revision == previous
    if engine.dialect.name == "postgresql":
        assert set(plan.dropped_tables) == set(inspect(engine).get_table_names()) - old_tables
    assert backup.restore(engine, plan) == head_revision()
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM area")).scalars().all() == ["OLD"]
    f.create_area(engine, code="P2", name="Tỉnh Hai", level="province")  # the schema is the head's


def test_a_restore_into_an_empty_database_needs_no_init_db(engine, blank_url, tmp_path):
    """A new machine: DATABASE_URL names an empty PostgreSQL database or a SQLite file not made yet."""
    seed_database(engine, scale="demo", seed=9)
    path = write_backup(engine, tmp_path)
    target = make_engine(blank_url)
    plan = backup.plan_restore(target, path)
    assert plan.target_counts is None and plan.target_revision is None and plan.dropped_tables == ()
    assert backup.restore(target, plan) == head_revision()
    copied, original = snapshot(target), snapshot(engine)
    assert copied.pop("audit_log")[:-1] == original.pop("audit_log")
    assert copied == original
    target.dispose()


# ---------------------------------------------------------------- refusals


def test_a_backup_of_a_newer_schema_is_refused_and_nothing_changes(engine, tmp_path):
    f.create_tree(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    path = write_backup(engine, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})
    f.create_area(engine, code="LATER", name="Tỉnh Sau", level="province")
    before = snapshot(engine)
    with pytest.raises(backup.BackupError) as refused:
        backup.plan_restore(engine, path)
    assert refused.value.key == "backup.err.newer"
    assert "9999_future" in refused.value.message("vi") and "cập nhật phần mềm" in refused.value.message("vi")
    assert snapshot(engine) == before


def sqlite_file(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda d: d / "missing.sqlite", "backup.err.no_file"),
        (lambda d: d, "backup.err.not_a_file"),
        (lambda d: _write(d / "empty.sqlite", b""), "backup.err.foreign"),
        (
            lambda d: _write(d / "notes.txt", "Danh sách hộ, không phải bản sao lưu".encode()),
            "backup.err.foreign",
        ),
        (lambda d: sqlite_file(d / "other.sqlite", "CREATE TABLE t (x)"), "backup.err.foreign"),
        (
            lambda d: sqlite_file(
                d / "no-version.sqlite",
                *(f"CREATE TABLE {t} (x)" for t in sorted(backup.CORE_TABLES - {"alembic_version"})),
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
            ),
            "backup.err.foreign",
        ),
        (lambda d: _write(d / "cut.sqlite", backup.SQLITE_MAGIC + b"\0" * 50), "backup.err.damaged"),
        (
            lambda d: _write(d / "cut.dump", backup.PGDUMP_MAGIC + b"\1\16\0" + b"x" * 40),
            "backup.err.damaged",
        ),
    ],
    ids=["missing", "folder", "empty", "text", "other-sqlite", "no-version", "cut-sqlite", "cut-dump"],
)
def test_files_that_are_not_5b3h_backups_are_refused(tmp_path, make, key):
    path = make(tmp_path)
    with pytest.raises(backup.BackupError) as refused:
        backup.inspect_backup(path)
    assert refused.value.key == key
    assert str(path) in refused.value.message("vi")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_truncated_backup_is_damaged(sqlite_engine, tmp_path):
    f.create_tree(sqlite_engine)
    path = write_backup(sqlite_engine, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(backup.BackupError) as refused:
        backup.inspect_backup(path)
    assert refused.value.key == "backup.err.damaged"


# ---------------------------------------------------------------- SQLite specifics


def test_a_sqlite_backup_taken_during_writes_is_consistent_and_includes_the_wal(sqlite_engine, tmp_path):
    """Another connection commits pairs (an audit row and a counter) while the backup runs: the backup
    holds a whole number of pairs, and what was only in the WAL."""
    engine = sqlite_engine
    seed_database(engine, scale="demo", seed=3)  # a few MB, so the copy takes a moment
    database = Path(engine.url.database)
    stop = threading.Event()
    committed = [0]  # pairs committed so far

    def writer() -> None:
        writes = make_engine(str(engine.url))
        while not stop.is_set():
            n = committed[0] + 1
            with write_session(writes) as s:
                s.add(AuditLog(at=utcnow(), action="test.tick", entity="test", details="{}"))
                s.exec(
                    text(
                        "INSERT INTO app_setting (key, value) VALUES ('ticks', :n)"
                        " ON CONFLICT (key) DO UPDATE SET value = :n"
                    ),
                    params={"n": str(n)},
                )
            committed[0] = n
        writes.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while committed[0] < 20:
            time.sleep(0.01)
        assert Path(f"{database}-wal").stat().st_size > 0  # committed rows wait in the WAL
        before = committed[0]
        paths = [write_backup(engine, tmp_path, f"during-{i}") for i in range(5)]
        during = committed[0] - before
    finally:
        stop.set()
        thread.join(30)
    assert during > 0  # the writer went on committing while the backups ran
    seen = []
    for path in paths:
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
            rows = conn.execute("SELECT count(*) FROM audit_log WHERE action = 'test.tick'").fetchone()[0]
            counter = conn.execute("SELECT value FROM app_setting WHERE key = 'ticks'").fetchone()[0]
        finally:
            conn.close()
        assert rows == int(counter) >= before
        seen.append(rows)
    assert seen == sorted(seen)
    assert not list(tmp_path.glob(".*partial*"))
    assert {path.stat().st_mode & 0o777 for path in paths} == {0o600}  # personal data: the owner only


def test_the_database_file_itself_is_not_a_backup_to_restore(sqlite_engine):
    f.create_tree(sqlite_engine)
    with pytest.raises(backup.BackupError) as refused:
        backup.plan_restore(sqlite_engine, Path(sqlite_engine.url.database))
    assert refused.value.key == "backup.err.same_file"


def test_write_backup_never_overwrites_and_needs_its_folder(sqlite_engine, tmp_path):
    existing = _write(tmp_path / "old.sqlite", b"an older backup")
    with pytest.raises(backup.BackupError) as refused:
        backup.write_backup(sqlite_engine, existing)
    assert refused.value.key == "backup.err.out_exists"
    assert existing.read_bytes() == b"an older backup"
    with pytest.raises(backup.BackupError) as refused:
        backup.write_backup(sqlite_engine, tmp_path / "no" / "such" / "b.sqlite")
    assert refused.value.key == "backup.err.out_folder"


# ---------------------------------------------------------------- PostgreSQL specifics


@pytest.fixture
def pg_engine(pg_cluster):
    name = f"bk_{os.getpid()}_{next(_names)}"
    with pg_cluster.admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE fiveb3h_template"))
    eng = make_engine(pg_cluster.url(name))
    yield eng
    eng.dispose()
    with pg_cluster.admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.mark.postgres
def test_a_backup_restores_only_into_the_same_kind_of_database(pg_engine, sqlite_engine, tmp_path):
    f.create_tree(pg_engine)
    f.create_tree(sqlite_engine)
    dump = write_backup(pg_engine, tmp_path, "pg")
    assert dump.read_bytes().startswith(backup.PGDUMP_MAGIC)
    file = write_backup(sqlite_engine, tmp_path, "lite")
    for target, path, kind in ((sqlite_engine, dump, "postgresql"), (pg_engine, file, "sqlite")):
        with pytest.raises(backup.BackupError) as refused:
            backup.plan_restore(target, path)
        assert refused.value.key == "backup.err.wrong_engine"
        assert refused.value.params["kind"] == kind


@pytest.mark.postgres
def test_a_pg_dump_of_another_database_is_foreign(pg_cluster, tmp_path):
    name = f"other_{next(_names)}"
    with pg_cluster.admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    other = make_engine(pg_cluster.url(name))
    with other.begin() as conn:
        conn.execute(text("CREATE TABLE notes (x int)"))
    path = write_backup(other, tmp_path, "other")
    other.dispose()
    with pg_cluster.admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    with pytest.raises(backup.BackupError) as refused:
        backup.inspect_backup(path)
    assert refused.value.key == "backup.err.foreign"


@pytest.mark.postgres
def test_a_failed_pg_dump_leaves_no_file(pg_cluster, tmp_path):
    missing = make_engine(pg_cluster.url("no_such_database"))
    with pytest.raises(backup.BackupError) as refused:
        backup.write_backup(missing, tmp_path / "b.dump")
    assert refused.value.key == "backup.err.tool_failed"
    assert "no_such_database" in refused.value.message("en")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_failed_pg_restore_leaves_the_database_as_it_was(pg_engine, tmp_path, monkeypatch):
    """The restore is one transaction: a lock it cannot get in time rolls everything back."""
    f.create_tree(pg_engine)
    path = write_backup(pg_engine, tmp_path)
    f.create_area(pg_engine, code="AFTER", name="Tỉnh Sau", level="province")
    before = snapshot(pg_engine)
    plan = backup.plan_restore(pg_engine, path)
    blocker = create_engine(pg_engine.url.render_as_string(hide_password=False))
    with blocker.connect() as conn:
        conn.execute(text("LOCK TABLE area IN ACCESS SHARE MODE"))  # an open transaction of "the app"
        monkeypatch.setattr(backup, "LOCK_TIMEOUT", "1s")
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(pg_engine, plan)
        conn.rollback()
    blocker.dispose()
    assert refused.value.key == "backup.err.restore_failed"
    assert "lock" in refused.value.message("en")
    assert snapshot(pg_engine) == before


@pytest.mark.postgres
def test_a_dump_cut_short_changes_nothing(pg_engine, tmp_path):
    """pg_restore fails part-way through the data: what psql had already run is rolled back."""
    seed_database(pg_engine, scale="demo", seed=2)
    path = write_backup(pg_engine, tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    f.create_area(pg_engine, code="AFTER", name="Tỉnh Sau", level="province")
    before = snapshot(pg_engine)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(pg_engine, backup.plan_restore(pg_engine, path))
    assert refused.value.key in ("backup.err.damaged", "backup.err.restore_failed")
    assert snapshot(pg_engine) == before


def test_postgres_credentials_go_through_the_environment(monkeypatch, tmp_path):
    """pg_dump gets the password in PGPASSWORD, never on its command line (visible in `ps`)."""
    engine = make_engine(
        "postgresql://quan.tri:m%40t-kh%E1%BA%A9u@db.tinh.example:6543/fiveb3h?sslmode=require"
    )
    seen = {}

    def fake_run(args, **kwargs):
        seen["args"], seen["env"] = args, kwargs["env"]
        Path(args[args.index("-f") + 1]).write_bytes(backup.PGDUMP_MAGIC)
        import subprocess

        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(backup.subprocess, "run", fake_run)
    backup.write_backup(engine, tmp_path / "b.dump")
    assert "m@t-khẩu" not in " ".join(seen["args"]) and "fiveb3h" not in " ".join(seen["args"])
    assert seen["args"][1:4] == ["-Fc", "-w", "-f"]
    env = seen["env"]
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == (
        "m@t-khẩu",
        "quan.tri",
        "db.tinh.example",
        "6543",
        "fiveb3h",
    )
    assert env["PGSSLMODE"] == "require"


# ---------------------------------------------------------------- the admin page's download


def test_a_top_level_admin_downloads_a_backup_and_the_audit_log_says_who(engine):
    f.create_tree(engine)
    admin = f.create_user(engine, role="admin", area_code="P", username="quantri.tinh")
    actor = f.actor_for(engine, admin)
    assert backup.may_take_backup(actor)
    data = backup.download_backup(engine, actor=actor, file_name="5b3h-20261203-101500.sqlite")
    magic = backup.SQLITE_MAGIC if engine.dialect.name == "sqlite" else backup.PGDUMP_MAGIC
    assert data.startswith(magic)
    with read_session(engine) as s:
        records = backup.recent_backups(s, actor=actor)
    assert [(r.username, r.file_name, r.size) for r in records] == [
        ("quantri.tinh", "5b3h-20261203-101500.sqlite", len(data))
    ]


def test_only_a_top_level_admin_may_take_a_backup(sqlite_engine):
    engine = sqlite_engine
    f.create_tree(engine)
    commune_admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code="A"))
    leader = f.actor_for(engine, f.create_user(engine, role="leader", area_code="P"))
    top = f.create_user(engine, role="admin", area_code="P")
    top_actor = f.actor_for(engine, top)
    for actor in (commune_admin, leader):
        assert not backup.may_take_backup(actor)
        with pytest.raises(PermissionDenied):
            backup.download_backup(engine, actor=actor, file_name="x.sqlite")
        with read_session(engine) as s, pytest.raises(PermissionDenied):
            backup.recent_backups(s, actor=actor)
    # Deactivated after the page was drawn: the click is refused by what the database says now.
    with write_session(engine) as s:
        s.get(User, top).is_active = False
    with pytest.raises(PermissionDenied):
        backup.download_backup(engine, actor=top_actor, file_name="x.sqlite")
    with read_session(engine) as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == backup.DOWNLOADED)).first() is None


# ---------------------------------------------------------------- the area tree as CSV


def test_area_export_reads_back_with_the_importer(sqlite_engine, tmp_path, sqlite_template):
    """Names with commas, quotes and semicolons; a district level; parents listed before children."""
    from services.areas import import_areas_csv

    e = sqlite_engine
    f.create_area(e, code="01", name="Thành phố Hà Nội", level="province")
    f.create_area(e, code="01-D", name='Huyện "Cũ", Sóc Sơn', level="district", parent_code="01")
    f.create_area(e, code="00004", name="Phường Ba Đình", level="commune", parent_code="01")
    f.create_area(
        e, code="00004-001", name="Tổ dân phố số 1; 2; 3; 4; 5; 6", level="village", parent_code="00004"
    )
    f.create_area(e, code="00007", name="Xã KDang", level="commune", parent_code="01-D")
    for i in range(40):
        f.create_area(
            e, code=f"00007-{i:03d}", name=f"Buôn H'Lăk;{i};;;", level="village", parent_code="00007"
        )
    with read_session(e) as s:
        data, count = backup.export_areas_csv(s)
    assert count == 45
    assert data.startswith("\ufeffcode".encode())

    import shutil

    copy = tmp_path / "empty.sqlite"
    shutil.copy(sqlite_template, copy)
    empty = make_engine(f"sqlite:///{copy}")
    with write_session(empty) as s:
        report = import_areas_csv(s, actor=None, data=data)
    assert (report.created, report.renamed) == (45, 0)
    assert tree(empty) == tree(e)
    empty.dispose()


def tree(engine) -> set[tuple]:
    from sqlalchemy.orm import aliased

    from models.tables import Area

    parent = aliased(Area)
    with read_session(engine) as s:
        return set(
            s.exec(
                select(Area.code, Area.name, Area.name_key, Area.level, Area.depth, parent.code).outerjoin(
                    parent, parent.id == Area.parent_id
                )
            ).all()
        )


def test_backup_file_names_use_vietnam_time():
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 3, 20, 5, 9, tzinfo=UTC)
    assert backup.backup_file_name("sqlite", moment) == "5b3h-20261204-030509.sqlite"
    assert backup.backup_file_name("postgresql", moment) == "5b3h-20261204-030509.dump"


def test_a_file_that_is_not_a_database_fails_the_backup_loudly(tmp_path):
    """A database file that is not a database makes the backup fail loudly (never an empty file)."""
    bad = _write(tmp_path / "bad.sqlite", b"x" * 4096)
    engine = create_engine(f"sqlite:///{bad}")
    with pytest.raises((backup.BackupError, OperationalError)):
        backup.write_backup(engine, tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()
    engine.dispose()
