"""The visible "download this table" button's CSV: the page's columns and rows, UTF-8 with a BOM,
formula-like cells neutralised."""

from __future__ import annotations

import csv
import io

from services.people.export import table_csv


def test_table_csv_keeps_columns_and_neutralises_formulas():
    rows = [
        {"Họ và tên": '=HYPERLINK("http://x")', "Năm sinh": 1960, "Nộp HS": "●●○"},
        {"Họ và tên": "Nguyễn Thị Thuỷ", "Năm sinh": None, "Nộp HS": "○○○"},
    ]
    data = table_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read == [
        ["Họ và tên", "Năm sinh", "Nộp HS"],
        ['\'=HYPERLINK("http://x")', "1960", "●●○"],
        ["Nguyễn Thị Thuỷ", "", "○○○"],
    ]


def test_empty_table_is_an_empty_file():
    assert table_csv([]) == b"\xef\xbb\xbf"
