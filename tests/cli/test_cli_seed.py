"""`manage.py seed-demo`: seeds an empty database once, refuses or skips when data exists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import manage
from models.db import read_session
from models.tables import Household, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_manage(monkeypatch):
    """manage.main in this process; each call builds its parser afresh (extensions registered once)."""

    def run(*argv: str) -> int:
        monkeypatch.setattr(manage, "EXTENSIONS", [])
        return manage.main(list(argv))

    return run


def _households(engine) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(Household)).scalar_one()


def test_seed_then_refuse_then_skip(sqlite_engine, run_manage, capsys):
    assert run_manage("seed-demo", "--seed", "4") == 0
    out = capsys.readouterr().out
    households = _households(sqlite_engine)
    assert 250 <= households <= 350
    assert f"{households} hộ" in out and "giây" in out

    assert run_manage("seed-demo") == 1
    captured = capsys.readouterr()
    assert "đã có dữ liệu" in captured.err and "--if-empty" in captured.err
    assert _households(sqlite_engine) == households

    assert run_manage("seed-demo", "--if-empty") == 0
    assert "bỏ qua" in capsys.readouterr().out
    assert _households(sqlite_engine) == households

    assert run_manage("check-rollups") == 0
    assert "khớp" in capsys.readouterr().out


def test_if_empty_seeds_a_fresh_database_in_english(sqlite_engine, run_manage, capsys):
    assert run_manage("--lang", "en", "seed-demo", "--if-empty") == 0
    assert "Demo data created (scale demo" in capsys.readouterr().out
    with read_session(sqlite_engine) as s:
        users = set(s.exec(select(User.username)).scalars())
    assert {"quantri", "dieuphoi", "lanhdao", "lanhdao.tinh", "tinhnguyen"} <= users


def test_unmigrated_database_gets_a_clear_message(tmp_path, monkeypatch, run_manage, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'blank.sqlite'}")
    assert run_manage("seed-demo") == 1
    assert "init-db" in capsys.readouterr().err


def test_unknown_scale_is_refused(sqlite_engine, run_manage, capsys):
    with pytest.raises(SystemExit) as exc:
        run_manage("seed-demo", "--scale", "country")
    assert exc.value.code == 2
    assert _households(sqlite_engine) == 0


def test_command_line_process(sqlite_engine):
    """The real entry point, as ./run calls it."""
    env = dict(os.environ)  # DATABASE_URL points at the fixture's file
    cmd = [sys.executable, "manage.py", "seed-demo", "--if-empty"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Đã tạo dữ liệu mẫu" in done.stdout
    assert _households(sqlite_engine) > 0
