"""manage.py certificates, run as real processes: the PDF checked with real tools, who misses what,
messages in Vietnamese (English with --lang en) and the exit codes of the other printing commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories as f
from tests.services.printing.test_certificates import A5_LANDSCAPE, build_world
from tests.services.printing.test_pdf import assert_nfc, page_sizes, page_texts, qr_codes

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://5b3h.xa-an.example.vn"


def manage(*args: str, base_url: str = BASE) -> subprocess.CompletedProcess:
    """manage.py as the administrator runs it (Vietnamese unless the arguments say --lang en)."""
    env = dict(os.environ, APP_BASE_URL=base_url)  # DATABASE_URL comes from the sqlite_engine fixture
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


@pytest.fixture
def world(sqlite_engine) -> dict:
    return build_world(sqlite_engine)


def test_certificates_of_a_village(tmp_path, world):
    out = tmp_path / "giay.pdf"
    result = manage("certificates", "--village", "A1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Đã ghi 1 giấy chứng nhận của Thôn Một (A1) vào {out}",
        "Chưa đủ 5 kỹ năng, chưa có giấy (1 người):",
        "  Trần Văn Bình (hộ A1-001): còn thiếu Thanh toán trực tuyến, Cài đặt, sử dụng ứng dụng",
    ]
    data = out.read_bytes()
    assert page_sizes(data) == [A5_LANDSCAPE]
    assert qr_codes(data) == [[f"{BASE}/residents?resident={world['people']['thuy']}"]]
    assert_nfc(page_texts(data)[0], "GIẤY CHỨNG NHẬN", "Nguyễn Thị Thủy", "Thôn Một, Xã An")
    assert "Trần Văn Bình" not in page_texts(data)[0]

    result = manage("--lang", "en", "certificates", "--village", "A1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"1 certificate of Thôn Một (A1) written to {out}",
        "Not yet all five skills, no certificate (1 person):",
        "  Trần Văn Bình (household A1-001): still missing Pay online, Install and use the apps",
    ]


def test_a_village_where_nobody_has_all_five_gets_no_file(tmp_path, world, sqlite_engine):
    hh = f.create_household(sqlite_engine, village_id=world["ids"]["A2"], code="A2-001")
    f.create_resident(sqlite_engine, household_id=hh, full_name="Đỗ Văn Tâm")
    out = tmp_path / "giay.pdf"
    result = manage("certificates", "--village", "A2", "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "lỗi: Thôn Hai (A2) chưa có ai tự làm được đủ 5 kỹ năng, nên chưa có giấy chứng nhận nào để in."
    )
    assert "Đỗ Văn Tâm (hộ A2-001): còn thiếu Nộp hồ sơ trực tuyến" in result.stdout
    assert not out.exists()


def test_bad_arguments_get_a_clear_message(tmp_path, world):
    out = tmp_path / "giay.pdf"
    # Usage errors (argparse): exit 2.
    result = manage("certificates", "--out", str(out))
    assert result.returncode == 2
    assert "the following arguments are required: --village" in result.stderr
    result = manage("certificates", "--village", "A1")
    assert result.returncode == 2 and "--out" in result.stderr
    # A village code that names no village is a bad argument too: exit 2, one line in the chosen language.
    refusals = [
        (("certificates", "--village", "ZZ"), "lỗi: Không có địa bàn mã ZZ."),
        (("--lang", "en", "certificates", "--village", "ZZ"), "error: No area with code ZZ."),
        (("certificates", "--village", "A"), "lỗi: Hãy chọn một thôn/tổ dân phố."),  # a commune
    ]
    for args, message in refusals:
        result = manage(*args, "--out", str(out))
        assert (result.returncode, result.stderr.strip()) == (2, message)
    result = manage("certificates", "--village", "A1", "--out", str(tmp_path / "no-such" / "x.pdf"))
    assert result.returncode == 1 and "không có thư mục" in result.stderr
    result = manage(
        "--lang", "en", "certificates", "--village", "A1", "--out", str(out), base_url="http://localhost:8501"
    )
    assert result.returncode == 1
    assert "http://localhost:8501 only opens on the server itself" in result.stderr
    assert not out.exists()
