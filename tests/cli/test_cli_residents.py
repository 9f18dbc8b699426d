"""manage.py import-residents and export: exit codes, messages on stderr, dry run writes nothing."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from models.db import read_session
from models.tables import Resident
from tests import factories as f

GOOD = (
    "Mã hộ;Thôn;Họ và tên;Năm sinh;Số điện thoại\n"
    "C1;A1;Nguyễn Văn An;1970;0912 345 678\nC1;A1;Lê Thị Bé;1975;\n"
)


ROOT = Path(__file__).resolve().parents[2]


class _Result:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.code, self.out, self.err = proc.returncode, proc.stdout, proc.stderr


def cli(*args: str) -> _Result:
    """Run manage.py as an administrator would (DATABASE_URL comes from the fixture's environment)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return _Result(proc)


def residents(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(Resident)).scalar()


def test_import_dry_run_then_apply_then_export(sqlite_engine, tmp_path):
    f.create_tree(sqlite_engine)
    src = tmp_path / "list.csv"
    src.write_text(GOOD, encoding="utf-8")
    r = cli("import-residents", str(src), "--commune", "A", "--dry-run")
    assert r.code == 0 and "chạy thử" in r.out and "tạo 2 người" in r.out
    assert residents(sqlite_engine) == 0
    r = cli("--lang", "en", "import-residents", str(src), "--commune", "A")
    assert r.code == 0 and "2 residents created" in r.out
    assert residents(sqlite_engine) == 2
    r = cli("--lang", "en", "import-residents", str(src), "--commune", "A")
    assert r.code == 0 and "0 residents created, 0 updated · 2 unchanged" in r.out
    out_file = tmp_path / "out.csv"
    assert cli("export", "--area", "A", "--format", "csv", "--out", str(out_file)).code == 0
    rows = list(csv.reader(out_file.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(r[3] for r in rows[1:]) == ["Lê Thị Bé", "Nguyễn Văn An"]
    xlsx = tmp_path / "out.xlsx"
    assert cli("export", "--area", "A", "--format", "xlsx", "--out", str(xlsx)).code == 0
    assert xlsx.read_bytes()[:2] == b"PK"


def test_rejected_file_lists_problems_on_stderr_and_exits_1(sqlite_engine, tmp_path):
    f.create_tree(sqlite_engine)
    src = tmp_path / "bad.csv"
    src.write_text(
        "Mã hộ,Thôn,Họ và tên,Năm sinh\nC1,A1,,1970\nC2,Nowhere,Lê Văn Cư,1800\n", encoding="utf-8"
    )
    r = cli("import-residents", str(src), "--commune", "A")
    assert r.code == 1 and r.out == ""
    assert "dòng 2, Họ và tên: Bắt buộc nhập." in r.err
    assert "dòng 3, Thôn:" in r.err and "dòng 3, Năm sinh:" in r.err
    assert residents(sqlite_engine) == 0
    assert cli("import-residents", str(tmp_path / "missing.csv"), "--commune", "A").code == 1
    r = cli("import-residents", str(src), "--commune", "ZZ")
    assert r.code == 1 and "ZZ" in r.err
    assert cli("export", "--area", "ZZ", "--format", "csv", "--out", str(tmp_path / "x.csv")).code == 1
