"""manage.py backup, restore and export-areas: a round trip on both engines as real processes, the
refusal without --yes (it says what it would replace), clear Vietnamese messages and exit 2 for bad
arguments and foreign files, and the area tree exported and imported into an empty database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import manage as manage_py
from demo.seed import seed_database
from models.db import make_engine, read_session
from models.migrate import head_revision
from models.tables import Area, AuditLog, Household, Resident
from services import backup
from services.rollups.recount import compare
from tests import factories as f
from tests.services.test_backup import snapshot, tree

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if url is not None:
        env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


@pytest.fixture
def run(monkeypatch, capsys):
    """manage.main in this process (much faster than a new Python), with DATABASE_URL set; returns what
    a process would: the exit code, stdout and stderr."""

    def run(*argv: str, url: str) -> subprocess.CompletedProcess:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setattr(manage_py, "EXTENSIONS", [])
        capsys.readouterr()
        try:
            code = manage_py.main(list(argv))
        except SystemExit as exc:
            code = exc.code
        out = capsys.readouterr()
        return subprocess.CompletedProcess(argv, code, out.out, out.err)

    return run


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def count(engine, model) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).scalar_one()


def test_backup_then_restore_needs_yes_and_brings_the_data_back(engine, tmp_path, run):
    seed_database(engine, scale="demo", seed=8)
    url = url_of(engine)
    households = count(engine, Household)
    kind = backup.engine_kind(engine)
    out = tmp_path / f"5b3h{backup.EXTENSIONS[kind]}"

    done = manage("backup", "--out", str(out), url=url)
    assert done.returncode == 0, done.stderr
    assert "Đã sao lưu" in done.stdout and str(out) in done.stdout
    before = snapshot(engine)

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM visit_guidance"))
        conn.execute(text("UPDATE household SET address = 'đã đổi'"))
    f.create_area(engine, code="SAU", name="Tỉnh Sau", level="province")

    refused = run("restore", str(out), url=url)
    assert refused.returncode == 1
    assert "Sẽ thay thế toàn bộ cơ sở dữ liệu" in refused.stdout
    assert f"{households} hộ" in refused.stdout  # what the database holds now
    assert "--yes" in refused.stderr and "Chưa thay đổi gì" in refused.stderr
    assert count(engine, Area) == len(before["area"]) + 1

    done = manage("restore", str(out), "--yes", url=url)
    assert done.returncode == 0, done.stderr
    assert "Đã khôi phục" in done.stdout and head_revision() in done.stdout
    after = snapshot(engine)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert after["audit_log"][:-1] == before["audit_log"]
    with read_session(engine) as s:
        details = s.exec(select(AuditLog.details).order_by(AuditLog.id.desc())).scalars().first()
    assert out.name in details

    with read_session(engine) as s:
        assert compare(s) == []  # the rollups still equal a recount


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("restore", "{tmp}/khong-co.sqlite"), "Không tìm thấy tệp sao lưu"),
        (("restore", "{tmp}"), "không phải là một tệp"),
        (("restore", "{tmp}/ghi-chu.txt"), "không phải là bản sao lưu của 5B3H"),
        (("restore", "{tmp}/lạ.sqlite"), "không phải là bản sao lưu của 5B3H"),
        (("backup", "--out", "{tmp}/khong/co/thu-muc.sqlite"), "Không có thư mục"),
        (("backup", "--out", "{tmp}/ghi-chu.txt"), "Đã có tệp"),
        (("export-areas", "--out", "{tmp}/dia-ban.xlsx"), "phải có đuôi .csv"),
        (("export-areas", "--out", "{tmp}/khong/co/dia-ban.csv"), "Không có thư mục"),
    ],
    ids=["missing", "folder", "text", "other-sqlite", "no-folder", "exists", "not-csv", "csv-no-folder"],
)
def test_bad_arguments_and_foreign_files_exit_2_with_a_vietnamese_message(
    sqlite_engine, tmp_path, run, args, expected
):
    f.create_tree(sqlite_engine)
    (tmp_path / "ghi-chu.txt").write_text("không phải bản sao lưu", encoding="utf-8")
    other = sqlite3.connect(tmp_path / "lạ.sqlite")
    other.execute("CREATE TABLE ghi_chu (x)")
    other.commit()
    other.close()
    before = snapshot(sqlite_engine)
    done = run(*(a.format(tmp=tmp_path) for a in args), url=url_of(sqlite_engine))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("lỗi: ") and expected in done.stderr
    assert "Traceback" not in done.stderr
    assert snapshot(sqlite_engine) == before
    assert (tmp_path / "ghi-chu.txt").read_text(encoding="utf-8") == "không phải bản sao lưu"


def test_restore_without_a_file_is_a_usage_error(sqlite_engine, run):
    done = run("restore", url=url_of(sqlite_engine))
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_a_newer_backup_is_refused_with_exit_2(sqlite_engine, tmp_path, run):
    f.create_tree(sqlite_engine)
    path = tmp_path / "moi.sqlite"
    backup.write_backup(sqlite_engine, path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0999'")
    conn.commit()
    conn.close()
    before = snapshot(sqlite_engine)
    done = run("restore", str(path), "--yes", url=url_of(sqlite_engine))
    assert done.returncode == 2
    assert "0999" in done.stderr and "mới hơn" in done.stderr and "cập nhật phần mềm" in done.stderr
    assert snapshot(sqlite_engine) == before


def test_english_messages_on_request(sqlite_engine, tmp_path, run):
    done = run("--lang", "en", "restore", str(tmp_path / "none.sqlite"), url=url_of(sqlite_engine))
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_exported_areas_import_into_an_empty_database_as_the_same_tree(
    sqlite_engine, sqlite_template, tmp_path, run
):
    e = sqlite_engine
    f.create_area(e, code="25", name="Tỉnh Phú Thọ", level="province")
    f.create_area(e, code="25-H", name="Huyện Cũ, Thanh Sơn", level="district", parent_code="25")
    f.create_area(e, code="09001", name='Xã "Đông" Xuân', level="commune", parent_code="25")
    f.create_area(e, code="09002", name="Xã Chiêm Hoá", level="commune", parent_code="25-H")
    for i, name in enumerate(("Ấp Đồi", "Buôn H'Lăk", "Tổ dân phố 1; 2", "Khu phố  Đăk BLa")):
        f.create_area(e, code=f"09001-{i:03d}", name=name, level="village", parent_code="09001")
    f.create_area(e, code="09002-001", name="Thôn Nà Héc", level="village", parent_code="09002")
    out = tmp_path / "dia-ban.csv"
    done = run("export-areas", "--out", str(out), url=url_of(e))
    assert done.returncode == 0, done.stderr
    assert "Đã ghi 9 địa bàn" in done.stdout
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "code,name,level,parent_code"
    assert lines[1] == "25,Tỉnh Phú Thọ,province,"

    copy = tmp_path / "empty.sqlite"
    shutil.copy(sqlite_template, copy)
    empty = make_engine(f"sqlite:///{copy}")
    assert count(empty, Area) == 0
    done = run("import-areas", str(out), url=f"sqlite:///{copy}")
    assert done.returncode == 0, done.stderr
    assert "9 thêm mới" in done.stdout
    assert tree(empty) == tree(e)
    # Importing the same file again changes nothing (the importer is idempotent).
    done = run("import-areas", str(out), url=f"sqlite:///{copy}")
    assert "0 thêm mới, 0 đổi tên, 9 giữ nguyên" in done.stdout
    empty.dispose()


def test_restore_onto_a_fresh_machine(sqlite_engine, tmp_path, run):
    """Moving a database: backup on one machine, restore where DATABASE_URL names no file yet."""
    ids = f.create_tree(sqlite_engine)
    hh = f.create_household(sqlite_engine, village_id=ids["A1"], code="A1-001")
    f.create_resident(sqlite_engine, household_id=hh, full_name="Ksor H'Lan")
    out = tmp_path / "chuyen.sqlite"
    assert run("backup", "--out", str(out), url=url_of(sqlite_engine)).returncode == 0
    target = tmp_path / "may-moi" / "5b3h.sqlite"
    done = run("restore", str(out), "--yes", url=f"sqlite:///{target}")
    assert done.returncode == 0, done.stderr
    assert "chưa có dữ liệu" in done.stdout
    fresh = make_engine(f"sqlite:///{target}")
    with read_session(fresh) as s:
        assert s.exec(select(Resident.full_name)).scalars().all() == ["Ksor H'Lan"]
    fresh.dispose()
