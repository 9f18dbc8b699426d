"""manage.py report as a real process: a PDF and an XLSX for a commune; bad arguments (a period it cannot
read, an unknown area code, an output that is neither .pdf nor .xlsx) give a clear message and exit 2."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests import factories as f
from tests.cli.test_cli_printing import manage


def test_report_files_and_bad_arguments(tmp_path, sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    home = f.create_household(sqlite_engine, village_id=ids["A1"])
    f.create_resident(sqlite_engine, household_id=home, full_name="Bùi Thị Thuỷ", birth_year=1949)

    bad_period = manage("report", "--area", "A", "--period", "yesterday", "--out", str(tmp_path / "r.pdf"))
    assert bad_period.returncode == 2 and "Invalid period" in bad_period.stderr
    unknown = manage("report", "--area", "ZZ", "--out", str(tmp_path / "r.pdf"))
    assert unknown.returncode == 2 and "No area has the code ZZ" in unknown.stderr
    wrong = manage("report", "--area", "A", "--out", str(tmp_path / "r.docx"))
    assert wrong.returncode == 2 and ".pdf or .xlsx" in wrong.stderr
    missing = manage("report", "--out", str(tmp_path / "r.pdf"))
    assert missing.returncode == 2 and "--area" in missing.stderr  # argparse's own usage error
    assert not list(tmp_path.glob("r.*"))

    pdf = manage("report", "--area", "A", "--period", "2026-11", "--out", str(tmp_path / "r.pdf"))
    assert pdf.returncode == 0, pdf.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    xlsx = manage("report", "--area", "A", "--period", "last-week", "--out", str(tmp_path / "r.xlsx"))
    assert xlsx.returncode == 0, xlsx.stderr
    book = load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    assert "Xã An" in book.worksheets[0]["A1"].value
