"""Resident import, reading the file: both formats and loose headers, every rejection reason with its
line and column (nothing changes), missing columns and empty or foreign files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.errors import ValidationFailed
from tests.services.people.importing.files import GOOD, as_csv, dump, encode, run


def test_csv_semicolon_no_bom_and_english_headers(setup):
    engine, _ids, actor = setup
    header = ["household_code", "VILLAGE", "Address", "full name", "birth_year", "sex", "phone", "is_head",
              "has_smartphone"]  # fmt: skip
    report = run(engine, actor, as_csv(GOOD, header, sep=";", bom=False))
    assert report.residents_created == 3
    loose = ["ma ho", "thon", "DIA CHI", "ho va ten"]
    report = run(engine, actor, as_csv([["H009", "A1", "x", "Phạm Thu"]], loose))
    assert report.residents_created == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_bad_row_rejects_the_file_and_nothing_changes(setup, fmt, tmp_path):
    engine, _ids, actor = setup
    run(engine, actor, *encode(fmt, GOOD))
    next_year = str(date.today().year + 1)
    bad = [
        ["H010", "A1", "", "", "1970", "", "", "", ""],  # line 2: no name
        ["H011", "A1", "", "Ngô Văn Cao", "1899", "", "", "", ""],  # 3: birth year too early
        ["H011", "A1", "", "Ngô Văn Dũng", next_year, "", "", "", ""],  # 4: future birth year
        ["H012", "A1", "", "Vũ Thị Én", "1990", "", "12345", "", ""],  # 5: invalid phone
        ["H013", "Thôn Không Có", "", "Đỗ Văn Phúc", "1990", "", "", "", ""],  # 6: unknown village
        ["H014", "A1", "Số 5", "Hà Văn Gấm", "1990", "", "", "", ""],  # 7
        ["H014", "A2", "Số 5", "Hà Thị Hạnh", "1991", "", "", "", ""],  # 8: household village differs
        ["H014", "A1", "Số 6", "Hà Văn Ích", "1992", "", "", "", ""],  # 9: household address differs
        ["H015", "A1", "", "Kiều Văn Khánh", "1980", "", "", "", ""],  # 10
        ["H015", "A1", "", "kieu van  khanh", "1980", "", "", "", ""],  # 11: same person twice
        ["H016", "A1", "", "Lý Văn Long", "1980", "Không rõ", "", "", ""],  # 12: bad sex value
    ]
    before = dump(engine)
    sqlite_path = engine.url.database if engine.dialect.name == "sqlite" else None
    if sqlite_path:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        raw_before = Path(sqlite_path).read_bytes()
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, *encode(fmt, bad))
    got = {(p.line, p.field, p.key) for p in err.value.problems}
    assert got == {
        (2, "Họ và tên", "err.required"),
        (3, "Năm sinh", "imp.err.birth_year"),
        (4, "Năm sinh", "imp.err.birth_year"),
        (5, "Số điện thoại", "imp.err.phone"),
        (6, "Thôn", "imp.err.unknown_village"),
        (8, "Thôn", "imp.err.household_village"),
        (9, "Địa chỉ", "imp.err.household_address"),
        (11, "Họ và tên", "imp.err.duplicate_person"),
        (12, "Giới tính", "imp.err.sex"),
    }
    assert all(p.message("vi") != p.key for p in err.value.problems)  # every message is in the catalogue
    if sqlite_path:
        engine.dispose()
        assert Path(sqlite_path).read_bytes() == raw_before
    assert dump(engine) == before


def test_missing_required_columns_and_empty_file(setup):
    engine, _ids, actor = setup
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, as_csv([["H1", "x"]], ["Mã hộ", "Ghi chú"]))
    assert err.value.problems[0].key == "err.missing_columns"
    assert "Thôn" in err.value.problems[0].params["columns"]
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, b"")
    assert err.value.problems[0].key == "err.empty_file"
    with pytest.raises(ValidationFailed) as err:
        run(engine, actor, "Mã hộ,Thôn,Họ và tên\nH1,A1,Nguyễn Văn Á\n".encode("cp1258", errors="replace"))
    assert err.value.problems[0].key in ("imp.err.not_utf8", "imp.err.unknown_village")
