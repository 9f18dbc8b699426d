"""manage.py create-user and import-areas, run as real processes against a real SQLite file."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import read_session, write_session
from models.tables import Area, User
from services import auth
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
GOOD_PASSWORD = "mot-mat-khau-dai"


def manage(*args: str, stdin: str = "", url: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if url is not None:
        env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def dump(engine, model) -> list[tuple]:
    with read_session(engine) as s:
        columns = list(model.__table__.columns)
        return [tuple(r) for r in s.exec(select(*columns).order_by(columns[0])).all()]


@pytest.fixture
def tree(sqlite_engine):
    return f.create_tree(sqlite_engine)


def test_create_user(sqlite_engine, tree):
    done = manage(
        "create-user", "Tran.Admin", "--role", "admin", "--area", "A", "--name", "trần  quản trị",
        "--password-stdin", stdin=GOOD_PASSWORD + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "đã tạo người dùng Tran.Admin" in done.stdout
    with read_session(sqlite_engine) as s:
        user = s.exec(select(User.username, User.full_name, User.role, User.area_id)).all()
    assert user == [("tran.admin", "Trần Quản Trị", "admin", tree["A"])]
    with write_session(sqlite_engine) as s:
        assert not isinstance(auth.authenticate(s, username="tran.admin", password=GOOD_PASSWORD), Exception)


def test_create_volunteer_with_team(sqlite_engine, tree):
    team = f.create_team(sqlite_engine, area_id=tree["A"], village_ids=(tree["A1"],))
    done = manage(
        "create-user",
        "tnv.mot",
        "--role",
        "volunteer",
        "--area",
        "A",
        "--password-stdin",
        stdin=GOOD_PASSWORD,
    )
    assert done.returncode == 1
    assert "Tình nguyện viên phải thuộc một tổ" in done.stderr
    done = manage(
        "create-user", "tnv.mot", "--role", "volunteer", "--area", "A", "--team", str(team),
        "--password-stdin", stdin=GOOD_PASSWORD,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("new.user", "--area", "NOPE"), GOOD_PASSWORD, "Không có địa bàn mã NOPE."),
        (("taken.name", "--area", "A"), GOOD_PASSWORD, "Tên đăng nhập taken.name đã có người dùng."),
        (("new.user", "--area", "A"), "short-pw1", "Mật khẩu phải có ít nhất 10 ký tự."),
    ],
)
def test_create_user_refusals(sqlite_engine, tree, args, stdin, message):
    f.create_user(sqlite_engine, role="leader", area_code="B", username="taken.name")
    before = dump(sqlite_engine, User)
    done = manage("create-user", *args, "--role", "coordinator", "--password-stdin", stdin=stdin + "\n")
    assert done.returncode == 1
    assert "chưa tạo người dùng" in done.stderr
    assert message in done.stderr
    assert dump(sqlite_engine, User) == before


def test_messages_in_english(sqlite_engine, tree):
    done = manage(
        "--lang", "en", "create-user", "new.user", "--role", "leader", "--area", "A", "--password-stdin",
        stdin="short\n",
    )  # fmt: skip
    assert done.returncode == 1
    assert "The password needs at least 10 characters." in done.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "DATABASE_URL is not a valid database URL"),
        ("mysql://someone@localhost/db", "Unsupported database 'mysql'"),
        ("postgresql+psycopg://x@127.0.0.1:1/db", "cơ sở dữ liệu không trả lời"),
    ],
)
@pytest.mark.parametrize("command", ["create-user", "import-areas"])
def test_bad_database_url_exits_2(tmp_path, url, message, command):
    csv_file = tmp_path / "areas.csv"
    csv_file.write_text("code,name,level,parent_code\n01,Tỉnh,province,\n", encoding="utf-8")
    args = (
        ("create-user", "x.user", "--role", "admin", "--area", "01", "--password-stdin")
        if command == "create-user"
        else ("import-areas", str(csv_file))
    )
    done = manage(*args, stdin=GOOD_PASSWORD + "\n", url=url)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_import_with_bad_rows_changes_nothing(sqlite_engine, tree, tmp_path):
    before = dump(sqlite_engine, Area)
    csv_file = tmp_path / "areas.csv"
    csv_file.write_text(
        "code,name,level,parent_code\n"
        "A5,Thôn Năm,village,A\n"
        "A6,Thôn Sáu,village,NOPE\n"
        "A7,,village,A\n"
        "A8,Thôn Tám,hamlet,A\n"
        "A5,Thôn Lặp,village,A\n"
        "A9,Thôn Chín,village,P\n",
        encoding="utf-8",
    )
    done = manage("import-areas", str(csv_file))
    assert done.returncode == 1
    assert "chưa nhập gì" in done.stderr
    problem_lines = [line.strip() for line in done.stderr.splitlines() if line.strip().startswith("dòng ")]
    assert problem_lines == [
        "dòng 3, parent_code: Không có địa bàn mã NOPE.",
        "dòng 4, name: Bắt buộc nhập.",
        "dòng 5, level: Cấp địa bàn không hợp lệ: hamlet.",
        "dòng 6, code: Mã A5 lặp lại (đã có ở dòng 2).",
        "dòng 7, parent_code: Địa bàn cấp village không thể trực thuộc cấp province.",
    ]
    assert dump(sqlite_engine, Area) == before


def test_import_then_reimport_is_idempotent(sqlite_engine, tmp_path):
    csv_file = tmp_path / "areas.csv"
    csv_file.write_text(
        "code;name;level;parent_code\n"  # semicolons, as Excel writes them in a Vietnamese locale
        "10105-001;Thôn Đông;village;10105\n"
        "10105;Xã Hòa An;commune;01\n"
        "01;Hà Nội;province;\n",
        encoding="utf-8-sig",
    )
    first = manage("import-areas", str(csv_file))
    assert first.returncode == 0, first.stderr
    assert "địa bàn: 3 thêm mới, 0 đổi tên, 0 giữ nguyên" in first.stdout
    after_first = dump(sqlite_engine, Area)
    assert [row[1] for row in after_first] == ["01", "10105", "10105-001"]
    second = manage("import-areas", str(csv_file))
    assert second.returncode == 0, second.stderr
    assert "địa bàn: 0 thêm mới, 0 đổi tên, 3 giữ nguyên" in second.stdout
    assert dump(sqlite_engine, Area) == after_first


def test_import_missing_file(sqlite_engine, tmp_path):
    done = manage("import-areas", str(tmp_path / "nope.csv"))
    assert done.returncode == 1
    assert "không có tệp" in done.stderr
