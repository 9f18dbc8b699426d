"""Import templates (CSV and XLSX): read back, they carry the importer's headers and two example rows,
and the importer's dry run accepts them as they are, writing nothing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models.db import read_session
from models.tables import Household, Resident
from services.errors import PermissionDenied, ValidationFailed
from services.import_template import EXAMPLE_VILLAGE, example_village, headers, template_bytes
from services.people.importing import COLUMNS, import_residents
from tests import factories as f


@pytest.fixture
def world(sqlite_engine):
    ids = f.create_tree(sqlite_engine)
    coordinator = f.actor_for(sqlite_engine, f.create_user(sqlite_engine, role="coordinator", area_code="A"))
    return sqlite_engine, ids, coordinator


def read_back(fmt: str, data: bytes) -> list[list[str]]:
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the diacritics right
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.worksheets) == 2  # the list, then the notes
    sheet = workbook.worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def counts(engine) -> tuple[int, int]:
    with read_session(engine) as s:
        return (
            s.exec(select(func.count()).select_from(Household)).scalar_one(),
            s.exec(select(func.count()).select_from(Resident)).scalar_one(),
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_passes_the_importers_dry_run(world, fmt):
    engine, _ids, coordinator = world
    with read_session(engine) as s:
        village = example_village(s, actor=coordinator, area_code="A")
    assert village == "Thôn Một"  # the commune's own first village, so the examples pass as they are
    data = template_bytes(fmt, village=village)
    rows = read_back(fmt, data)
    assert rows[0] == headers() == [names[0] for names in COLUMNS.values()]
    assert len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"VD-0001"} and {r[1] for r in rows[1:]} == {"Thôn Một"}
    assert rows[1][6] == "0912345678"  # the leading zero survives, also in Excel
    before = counts(engine)
    with read_session(engine) as s:
        report = import_residents(
            s, actor=coordinator, area_code="A", data=data, filename=f"mau.{fmt}", dry_run=True
        )
    assert (report.rows, report.households_created, report.residents_created) == (2, 1, 2)
    assert report.ignored_columns == [] and report.villages_created == []
    assert counts(engine) == before


def test_template_for_a_commune_without_villages_needs_create_villages(world):
    engine = world[0]
    f.create_area(engine, code="C", name="Xã Mới", level="commune", parent_code="P")
    admin = f.actor_for(engine, f.create_user(engine, role="admin", area_code="P"))
    with read_session(engine) as s:
        village = example_village(s, actor=admin, area_code="C")
    assert village == EXAMPLE_VILLAGE
    data = template_bytes("xlsx", village=village)
    with read_session(engine) as s, pytest.raises(ValidationFailed):
        import_residents(s, actor=admin, area_code="C", data=data, filename="mau.xlsx", dry_run=True)
    with read_session(engine) as s:
        report = import_residents(
            s, actor=admin, area_code="C", data=data, filename="mau.xlsx", create_villages=True, dry_run=True
        )
    assert report.villages_created == [EXAMPLE_VILLAGE] and report.residents_created == 2


def test_notes_sheet_explains_every_column_in_the_chosen_language():
    workbook = load_workbook(io.BytesIO(template_bytes("xlsx", lang="en")))
    notes = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert notes[0] == ("Column", "Required", "How to fill it in")
    assert [r[0] for r in notes[1:]] == headers()
    assert [r[0] for r in notes[1:] if r[1] == "Yes"] == ["Mã hộ", "Thôn", "Họ và tên"]
    assert all(r[2] and not r[2].startswith("imp.") for r in notes[1:])


def test_scope_and_format_are_checked(world):
    engine, _ids, coordinator = world
    with read_session(engine) as s, pytest.raises(PermissionDenied):
        example_village(s, actor=coordinator, area_code="B")
    with pytest.raises(ValidationFailed):
        template_bytes("ods")
