"""cli/common.py: the error line, problem reports, input/output paths and the exit codes they give."""

from __future__ import annotations

import pytest

from cli import common
from core.i18n import t
from services.errors import FieldProblem, ValidationFailed

PROBLEMS = ValidationFailed(
    [FieldProblem("name", "err.required", line=4), FieldProblem("code", "err.required")]
)


@pytest.fixture(autouse=True)
def _vietnamese(monkeypatch):
    """The command line's language is set by manage.py from --lang; these call the helpers directly."""
    monkeypatch.setattr(common, "LANG", ["vi"])


def test_fail_prints_one_error_line_and_returns_the_code(capsys):
    assert common.fail("no such thing") == 1
    assert common.fail("no database", 2) == 2
    assert capsys.readouterr().err == "lỗi: no such thing\nlỗi: no database\n"


def test_a_rejected_file_lists_its_problems(tmp_path, capsys):
    assert common.file_rejected(tmp_path / "areas.csv", PROBLEMS, "vi") == 1
    required = t("err.required", "vi")
    assert capsys.readouterr().err.splitlines() == [
        "lỗi: Tệp areas.csv bị từ chối; chưa nhập gì. Các lỗi:",
        f"  dòng 4, name: {required}",
        f"  code: {required}",
    ]


def test_paths_that_cannot_be_used_exit_1(tmp_path, capsys):
    existing = tmp_path / "in.csv"
    existing.write_text("x", encoding="utf-8")
    assert common.input_file(str(existing)) == existing
    assert common.output_folder_or_exit(str(tmp_path / "out.pdf")) == tmp_path / "out.pdf"
    with pytest.raises(SystemExit) as exc:
        common.input_file(str(tmp_path / "nope.csv"))
    assert exc.value.code == 1
    with pytest.raises(SystemExit) as exc:
        common.output_folder_or_exit(str(tmp_path / "nope" / "out.pdf"))
    assert exc.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"lỗi: không có tệp: {tmp_path / 'nope.csv'}",
        f"lỗi: không có thư mục: {tmp_path / 'nope'}",
    ]


def test_a_bad_setting_or_database_url_exits_2(monkeypatch, capsys):
    monkeypatch.setenv("IDLE_MINUTES", "soon")
    with pytest.raises(SystemExit) as exc:
        common.engine_or_exit()
    assert exc.value.code == 2
    monkeypatch.delenv("IDLE_MINUTES")
    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(SystemExit) as exc:
        common.engine_or_exit()
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "lỗi: IDLE_MINUTES must be a whole number of minutes (1 or more), got 'soon'",
        "lỗi: DATABASE_URL is not a valid database URL (dialect://user@host:port/db).",
    ]
