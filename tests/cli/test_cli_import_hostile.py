"""manage.py import-residents and export against hostile files and stored data (issue #12): a zip bomb is
refused at once, control characters never reach the database (no traceback with a resident's data on
PostgreSQL), the export always completes and never leaves a .part file, the row cap can be raised."""

from __future__ import annotations

import argparse
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import DataError

from cli import residents as cli_residents
from models.db import read_session
from models.tables import Resident
from tests import factories as f
from tests.cli.test_cli_residents import cli
from tests.services.people.test_import_hostile import xlsx_bomb

PRIVATE = "Nguyễn Văn Bí Mật"


def test_bomb_is_rejected_at_once_with_a_clear_message(sqlite_engine, tmp_path):
    f.create_tree(sqlite_engine)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(xlsx_bomb(1 << 30))
    start = time.perf_counter()
    r = cli("import-residents", str(bomb), "--commune", "A")
    assert r.code == 1 and r.out == ""
    assert "Tệp bomb.xlsx bị từ chối" in r.err and "xl/sharedStrings.xml" in r.err and "1025 MB" in r.err
    assert "Traceback" not in r.err
    assert time.perf_counter() - start < 20  # a process start and a refusal; openpyxl took 5.8 GB


def test_control_characters_and_nul_are_cleaned_then_export_works(engine, tmp_path):
    """On PostgreSQL a NUL in a name used to end in a traceback that printed the row."""
    f.create_tree(engine)
    src = tmp_path / "list.csv"
    lines = [
        "Mã hộ,Thôn,Họ và tên,Địa chỉ",
        "C1,A1,Nguyễn\x00 Văn\x1b[1m An\u202e,Số 1\x07",
        "C1,A1,Lê Thị\u200b Bé,",
    ]
    src.write_bytes("\n".join(lines).encode() + b"\n")
    r = cli("import-residents", str(src), "--commune", "A")
    assert r.code == 0 and "Traceback" not in r.err, r.err
    with read_session(engine) as s:
        assert set(s.exec(select(Resident.full_name)).scalars()) == {"Nguyễn Văn An", "Lê Thị Bé"}
    out = tmp_path / "out.xlsx"
    r = cli("export", "--area", "A", "--format", "xlsx", "--out", str(out))
    assert r.code == 0 and not (tmp_path / "out.xlsx.part").exists()
    rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert sorted(row[3] for row in rows[1:]) == ["Lê Thị Bé", "Nguyễn Văn An"]


def test_a_failed_export_leaves_no_part_file_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "export.xlsx"
    out.write_bytes(b"yesterday's export")

    def broken(handle):
        handle.write(b"half a file")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cli_residents.write_atomically(out, broken)
    assert out.read_bytes() == b"yesterday's export"
    assert not (tmp_path / "export.xlsx.part").exists()
    assert cli_residents.write_atomically(out, lambda handle: handle.write(b"new")) == 3
    assert out.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["export.xlsx"]


def test_a_database_refusal_never_prints_the_row(sqlite_engine, tmp_path, monkeypatch, capsys):
    f.create_tree(sqlite_engine)
    src = tmp_path / "list.csv"
    src.write_text(f"Mã hộ,Thôn,Họ và tên\nC1,A1,{PRIVATE}\n", encoding="utf-8")

    def refuse(*_args, **_kw):
        raise DataError(
            "INSERT INTO resident (full_name) VALUES (%(n)s)", {"n": PRIVATE}, ValueError(PRIVATE)
        )

    monkeypatch.setattr("services.people.importing.import_residents", refuse)
    args = argparse.Namespace(
        file=str(src), commune="A", create_villages=False, dry_run=False, max_rows=None, lang="vi"
    )
    assert cli_residents.cmd_import_residents(args) == 1
    err = capsys.readouterr().err
    assert "list.csv" in err and "chưa nhập gì" in err and PRIVATE not in err


def test_max_rows_can_be_lowered_or_raised(sqlite_engine, tmp_path):
    f.create_tree(sqlite_engine)
    src = tmp_path / "list.csv"
    src.write_text("Mã hộ,Thôn,Họ và tên\nC1,A1,An\nC1,A1,Bình\nC2,A1,Cúc\n", encoding="utf-8")
    r = cli("--lang", "en", "import-residents", str(src), "--commune", "A", "--max-rows", "2", "--dry-run")
    assert r.code == 1 and "line 4, file: The file has more than 2 data rows" in r.err
    r = cli("import-residents", str(src), "--commune", "A", "--max-rows", "3", "--dry-run")
    assert r.code == 0
    assert cli("import-residents", str(src), "--commune", "A", "--max-rows", "0").code == 1
