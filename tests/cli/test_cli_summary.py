"""manage.py summary as a real process: the message on stdout (UTF-8, Vietnamese or English), the chart
written as a PNG at most 1080 px wide when asked; bad arguments (a period it cannot read, an unknown area
code, a chart file not ending in .png) give a clear message on stderr and exit 2."""

from __future__ import annotations

import struct

from core.clock import today
from tests import factories as f
from tests.cli.test_cli_printing import manage


def test_summary_on_stdout_and_its_chart(tmp_path, sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    home = f.create_household(sqlite_engine, village_id=ids["A1"])
    f.create_resident(sqlite_engine, household_id=home, full_name="Bùi Thị Thuỷ", birth_year=1949)
    day = f"{today():%d/%m/%Y}"

    vi = manage("--lang", "vi", "summary", "--area", "A", "--period", f"{today()}:{today()}")
    assert vi.returncode == 0, vi.stderr
    assert vi.stdout.splitlines() == [
        f"5 biết, 3 hướng dẫn – Xã An, từ {day} đến {day}",
        "Hộ đã đến: 0/1 hộ; 0 hộ hoàn thành lần đầu trong kỳ.",
        "Người được hướng dẫn trong kỳ: 0 (cộng dồn 0, 0% số dân).",
        "Chưa có kỹ năng mới tự làm được trong kỳ. Biết đủ 5 kỹ năng: 0 người (0%).",
        "Cần cố gắng: Thôn Một (đủ 5 kỹ năng 0%).",  # the only village with residents; none moved
    ]
    png = tmp_path / "tom-tat.png"
    en = manage("summary", "--area", "A1", "--period", "this-week", "--png", str(png))
    assert en.returncode == 0, en.stderr
    assert en.stdout.startswith("5 skills, 3 kinds of guidance – Thôn Một, ")
    assert "Chart written to" in en.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">I", data[16:20])[0] <= 1080


def test_bad_arguments_exit_2(tmp_path, sqlite_engine):
    f.create_tree(sqlite_engine)
    bad_period = manage("summary", "--area", "A", "--period", "yesterday")
    assert bad_period.returncode == 2 and "Invalid period" in bad_period.stderr and not bad_period.stdout
    unknown = manage("summary", "--area", "ZZ")
    assert unknown.returncode == 2 and "No area has the code ZZ" in unknown.stderr
    wrong = manage("summary", "--area", "A", "--png", str(tmp_path / "chart.jpg"))
    assert wrong.returncode == 2 and "must end in .png: chart.jpg" in wrong.stderr and not wrong.stdout
    vi = manage("--lang", "vi", "summary", "--area", "A", "--png", str(tmp_path / "chart.pdf"))
    assert vi.returncode == 2 and "Tệp biểu đồ phải có đuôi .png: chart.pdf" in vi.stderr
    assert not list(tmp_path.glob("chart.*"))
